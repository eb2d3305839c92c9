#!/usr/bin/env bash
# tests/dns/later_address.sh - an address added after riposte-dns started,
# after it dropped its privileges, is answered at once and from itself.
#
# The seed's BIND could not serve the anycast address that appeared on lo
# after it had started as root and become an ordinary user (docs/design.md).
# riposte-dns serves from wildcard sockets with IP_PKTINFO and
# IPV6_RECVPKTINFO instead, and sets each answer's source to the address
# its query came to.  This test does exactly what broke the seed:
#
#   client ns  veth-c 10.0.0.2/24 fd00:1::2/64 --- veth-s 10.0.0.1/24 fd00:1::1/64  server ns
#              routes 10.128.224.2/32 and fd00::53/128 via the server          lo: (added later)
#
# riposte-dns starts in the server namespace with `user nobody`, listening
# on the wildcard addresses, port 53.  Then 10.128.224.2/32 and fd00::53/128
# are added to its lo, and the client asks them at once: with dig (which
# rejects an answer from another address), with a Python socket whose
# recvfrom() must return the queried address (an answer from 10.0.0.1, the
# address routing would choose, would be the bug), with a connected socket
# (the kernel drops answers from any other source), and over TCP.  Only
# traffic inside the two namespaces; the trap removes them and stops only
# the process this script started.  Ends with "N passed, N failed".
#
# Environment: RIPOSTE_DNS (default build/riposte-dns), LATER_KEEP=1.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
ANY4=10.128.224.2
ANY6=fd00::53
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

if [[ $(id -u) != 0 ]]; then
	echo "# needs root (network namespaces); skipped"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
for tool in ip dig python3; do
	command -v "$tool" >/dev/null || setup_failed "$tool is missing"
done
[[ -x $BIN ]] || setup_failed "$BIN is not built"
id nobody >/dev/null 2>&1 || setup_failed "no user nobody"

S="rdns-later-s$$"
C="rdns-later-c$$"
T=$(mktemp -d /tmp/rdns-later.XXXXXX) || exit 1
chmod 755 "$T"
PID=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$PID"
	ip netns del "$S" 2>/dev/null
	ip netns del "$C" 2>/dev/null
	if [[ ${LATER_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
		echo "# files and log kept in $T"
		[[ $FAIL -gt 0 && -f $T/log ]] && sed 's/^/# log: /' "$T/log" | tail -n 30
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- topology --------------------------------------------------------------
ip netns add "$S" || bail "ip netns add $S"
ip netns add "$C" || bail "ip netns add $C"
ip -n "$S" link set lo up
ip -n "$C" link set lo up
ip link add veth-s netns "$S" type veth peer name veth-c netns "$C" || bail "veth pair"
ip -n "$S" addr add 10.0.0.1/24 dev veth-s
ip -n "$C" addr add 10.0.0.2/24 dev veth-c
ip -n "$S" addr add fd00:1::1/64 dev veth-s nodad
ip -n "$C" addr add fd00:1::2/64 dev veth-c nodad
ip -n "$S" link set veth-s up
ip -n "$C" link set veth-c up
ip -n "$C" route add "$ANY4/32" via 10.0.0.1
ip -n "$C" -6 route add "$ANY6/128" via fd00:1::1
ok "namespaces $S (server) and $C (client) linked by a veth pair"

# ---- the server --------------------------------------------------------------
cat >"$T/example.com.zone" <<'EOF'
$ORIGIN example.com.
$TTL 300
@	IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 10.128.224.2
www	IN A 192.0.2.10
www	IN AAAA 2001:db8::10
EOF
cat >"$T/riposte-dns.conf" <<'EOF'
# the wildcard addresses (the default, spelled out), port 53, then nobody
listen 0.0.0.0@53
listen [::]@53
zone example.com file example.com.zone
user nobody
workers 2
identity later
control none
EOF
chmod 644 "$T"/*

ip netns exec "$S" "$BIN" -d -c "$T/riposte-dns.conf" >"$T/log" 2>&1 &
PID=$!
for _ in $(seq 100); do
	grep -q "started:" "$T/log" && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.05
done
if ! kill -0 "$PID" 2>/dev/null || ! grep -q "started:" "$T/log"; then
	bail "riposte-dns did not start: $(tail -3 "$T/log")"
fi
ok "riposte-dns started in $S on 0.0.0.0@53 and [::]@53"
check "it answers on the address it had at start (10.0.0.1)" 192.0.2.10 \
	"$(ip netns exec "$C" dig @10.0.0.1 +time=1 +tries=1 +short www.example.com A)"

nobody=$(id -u nobody)
uids=$(awk '/^Uid:/ {print $2, $3, $4, $5}' /proc/"$PID"/status)
check "privileges dropped: real, effective, saved and fs uid are nobody's" "$nobody $nobody $nobody $nobody" "$uids"
bad=0
for task in /proc/"$PID"/task/*; do
	[[ $(awk '/^Uid:/ {print $3}' "$task/status") == "$nobody" ]] || bad=$((bad + 1))
done
check "every thread runs as nobody" 0 "$bad"
check "no supplementary group but nobody's own" "$(id -g nobody)" "$(awk '/^Groups:/ {print $2$3}' /proc/"$PID"/status)"

# ---- addresses that appear later -------------------------------------------------
ip -n "$S" addr add "$ANY4/32" dev lo || bail "ip addr add $ANY4/32 dev lo"
ip -n "$S" addr add "$ANY6/128" dev lo nodad || bail "ip addr add $ANY6/128 dev lo"
t0=$(date +%s%N)
got=$(ip netns exec "$C" dig @"$ANY4" +time=1 +tries=1 +short www.example.com A 2>&1)
ms=$((($(date +%s%N) - t0) / 1000000))
check "dig @$ANY4, added after start: answered by the first query ($ms ms)" 192.0.2.10 "$got"
got=$(ip netns exec "$C" dig @"$ANY6" +time=1 +tries=1 +short www.example.com AAAA 2>&1)
check "dig @$ANY6, added after start: answered by the first query" 2001:db8::10 "$got"
check "over TCP to $ANY4" 192.0.2.10 "$(ip netns exec "$C" dig @"$ANY4" +tcp +time=1 +tries=1 +short www.example.com A 2>&1)"
check "over TCP to $ANY6" 2001:db8::10 "$(ip netns exec "$C" dig @"$ANY6" +tcp +time=1 +tries=1 +short www.example.com AAAA 2>&1)"

# The reply's source, seen by a plain socket (dig's check, made explicit).
cat >"$T/ask.py" <<'EOF'
"""ask.py ADDRESS [connected]: one A query for www.example.com. to ADDRESS
port 53; prints the reply's source address and port, the rcode and the
answer count. "connected": a connected socket, which the kernel only
gives replies from exactly ADDRESS."""
import ipaddress, random, socket, struct, sys

dst = sys.argv[1]
connected = len(sys.argv) > 2 and sys.argv[2] == "connected"
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.settimeout(2)
qid = random.randrange(65536)
qname = b"".join(bytes([len(l)]) + l for l in b"www.example.com".split(b".")) + b"\0"
query = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)
try:
    if connected:
        s.connect((dst, 53))
        s.send(query)
        data = s.recv(4096)
        addr = s.getpeername()
    else:
        s.sendto(query, (dst, 53))
        data, addr = s.recvfrom(4096)
except socket.timeout:
    print("timeout")
    sys.exit(0)
rid, flags, _, an = struct.unpack(">HHHH", data[:8])
print(ipaddress.ip_address(addr[0].split("%")[0]), addr[1],
      "id-ok" if rid == qid else "id-bad", "rcode=%d" % (flags & 15), "an=%d" % an)
EOF
for a in "$ANY4" "$ANY6"; do
	check "recvfrom: the answer to $a comes from $a port 53" "$a 53 id-ok rcode=0 an=1" \
		"$(ip netns exec "$C" python3 "$T/ask.py" "$a")"
	check "connected socket to $a gets its answer" "$a 53 id-ok rcode=0 an=1" \
		"$(ip netns exec "$C" python3 "$T/ask.py" "$a" connected)"
done
check "and the address it had at start still answers from itself" "10.0.0.1 53 id-ok rcode=0 an=1" \
	"$(ip netns exec "$C" python3 "$T/ask.py" 10.0.0.1)"

# A second service address, added while it serves the first: same.
ip -n "$S" addr add 10.128.224.3/32 dev lo
ip -n "$C" route add 10.128.224.3/32 via 10.0.0.1
check "a second later address answers from itself" "10.128.224.3 53 id-ok rcode=0 an=1" \
	"$(ip netns exec "$C" python3 "$T/ask.py" 10.128.224.3)"

# Removed and added back: nothing to rebind, so nothing to lose.
ip -n "$S" addr del "$ANY4/32" dev lo
ip -n "$S" addr add "$ANY4/32" dev lo
check "removed and added back: answered at once" "$ANY4 53 id-ok rcode=0 an=1" \
	"$(ip netns exec "$C" python3 "$T/ask.py" "$ANY4")"

check "no restart: the same process" yes "$(kill -0 "$PID" 2>/dev/null && echo yes)"
check_sigterm "$PID" "SIGTERM: clean exit" && PID=
check_no_sanitizer "$T/log"

finish
