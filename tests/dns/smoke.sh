#!/usr/bin/env bash
# tests/dns/smoke.sh - dig/kdig smoke tests against a running riposte-dns.
#
# Starts riposte-dns on 127.0.0.1 and ::1 at a high port with a small zone
# file and a hosts input written here, asks dig and kdig for A, AAAA, NS,
# SOA, MX, CNAME, NXDOMAIN, REFUSED, TCP (one query and pipelined), EDNS
# (+bufsize), truncation, NSID, CHAOS id.server / hostname.bind /
# version.bind and the hosts input's forward and reverse names, then
# reloads with SIGHUP (a changed zone is served at once; a broken one keeps
# its previous version and the log says why), checks --check, --print and
# --export, and stops it with SIGTERM.
#
# As root it runs in a network namespace of its own (lo only; removed by
# the trap), elsewhere on the host's loopback.  It stops only the process
# it started, by pid.  Ends with "N passed, N failed".
#
# Environment: RIPOSTE_DNS (the binary; default build/riposte-dns),
# SMOKE_PORT (default: a free port from 20000 up), SMOKE_NETNS=0 (stay on
# the host), SMOKE_KEEP=1 (keep the temp dir).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

# A namespace of our own, when we may.
own_netns SMOKE "rdns-smoke-$$" RIPOSTE_DNS="$BIN"

for tool in dig kdig; do
	command -v "$tool" >/dev/null || setup_failed "$tool is missing (apt-get install dnsutils knot-dnsutils)"
done
[[ -x $BIN ]] || setup_failed "$BIN is not built"

T=$(mktemp -d /tmp/rdns-smoke.XXXXXX) || exit 1
chmod 755 "$T"
PID=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$PID"
	if [[ ${SMOKE_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
		echo "# files and log kept in $T"
		[[ $FAIL -gt 0 && -f $T/log ]] && sed 's/^/# log: /' "$T/log" | tail -n 40
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=${SMOKE_PORT:-}
if [[ -z $PORT ]]; then
	PORT=$((20000 + $$ % 12000))
	while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
fi
HAVE6=0
if [[ -e /proc/net/if_inet6 ]] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then HAVE6=1; fi

# ---- data ----------------------------------------------------------------
zone_v1() {
	cat >"$T/example.com.zone" <<EOF
\$ORIGIN example.com.
\$TTL 3600
@	IN SOA ns1 hostmaster ${1:-1} 7200 3600 1209600 300
@	IN NS ns1
@	IN NS ns2
@	IN MX 10 mail
ns1	IN A 192.0.2.1
ns1	IN AAAA 2001:db8::1
ns2	IN A 192.0.2.2
www	IN A ${2:-192.0.2.10}
www	IN AAAA 2001:db8::10
mail	IN A 192.0.2.25
ftp	IN CNAME www
*.wild	IN A 192.0.2.99
sub	IN NS ns.sub
ns.sub	IN A 192.0.2.53
EOF
	# A TXT RRset far larger than 512 bytes: truncated without EDNS.
	for i in $(seq 1 20); do
		printf 'big\tIN TXT "%s-%02d"\n' "$(printf 'x%.0s' $(seq 1 60))" "$i" >>"$T/example.com.zone"
	done
}
zone_v1
cat >"$T/hosts.txt" <<'EOF'
# riposte hosts input
$TTL 300
$NS ns1
$MX 10 mail
$SOA hostmaster@example.org
192.0.2.153 ns1
192.0.2.180 web www
2001:db8::180 web
192.0.2.125 mail
EOF
LISTEN6=
[[ $HAVE6 == 1 ]] && LISTEN6="listen [::1]@$PORT"
cat >"$T/riposte-dns.conf" <<EOF
# smoke test
listen 127.0.0.1@$PORT
$LISTEN6
zone example.com file example.com.zone
zone example.org hosts hosts.txt
identity smoke-ns
workers 2
# The reload-under-load check asks one name hundreds of times a second from
# 127.0.0.1: that is what rate limiting stops; tests/dns/rrl.sh tests it.
rrl-rate 0
tcp-idle-timeout 2s
# in the temp dir: /run/riposte-dns.sock is for a real server (tests/dns/control.sh)
control ctl.sock
EOF

# ---- --check, --print, --export ---------------------------------------
out=$("$BIN" -c "$T/riposte-dns.conf" --check 2>&1)
rc=$?
check "--check accepts the config and its zones (exit 0)" 0 "$rc"
check_match "--check reports what it loaded" "OK: 2 zone statements" "$out"
out=$("$BIN" -c "$T/riposte-dns.conf" --print 2>&1)
check_match "--print spells out the defaults" "tcp-clients 256" "$out"
check_match "--print resolves paths from the config's directory" "zone example.com. file $T/example.com.zone" "$out"
if "$BIN" -c "$T/riposte-dns.conf" --export "$T/export" >"$T/export.out" 2>&1; then
	ok "--export writes every zone"
else
	not_ok "--export failed: $(cat "$T/export.out")"
fi
check "--export wrote example.com.zone" yes "$([[ -s $T/export/example.com.zone ]] && echo yes)"
check "--export wrote example.org.zone" yes "$([[ -s $T/export/example.org.zone ]] && echo yes)"
if command -v kzonecheck >/dev/null && [[ -s $T/export/example.com.zone ]]; then
	if kzonecheck -o example.com. "$T/export/example.com.zone" >"$T/kzc.out" 2>&1; then
		ok "Knot's kzonecheck accepts the exported example.com zone"
	else
		not_ok "kzonecheck rejects the export: $(head -3 "$T/kzc.out")"
	fi
fi
printf 'workers 0\n' >"$T/bad.conf"
out=$("$BIN" -c "$T/bad.conf" --check 2>&1)
rc=$?
check "--check rejects a bad config (exit 1)" 1 "$rc"
check "--check says file:line: what" "$T/bad.conf:1: workers 0 out of range 1..1024" "$out"
cp "$T/example.com.zone" "$T/broken.zone"
echo 'www IN A not-an-address' >>"$T/broken.zone"
printf 'zone example.com file broken.zone\n' >"$T/broken.conf"
out=$("$BIN" -c "$T/broken.conf" --check 2>&1)
rc=$?
check "--check rejects a broken zone (exit 1)" 1 "$rc"
line=$(wc -l <"$T/broken.zone")
check_match "--check reports the zone error as file:line" "^$T/broken.zone:$line: " "$out"

# ---- start ---------------------------------------------------------------
"$BIN" -d -c "$T/riposte-dns.conf" -p "$T/pid" >"$T/log" 2>&1 &
PID=$!
D="dig @127.0.0.1 -p $PORT +time=1 +tries=1"
K="kdig @127.0.0.1 -p $PORT +time=1 +retry=0"
for _ in $(seq 100); do
	[[ $($D +short ns1.example.com A 2>/dev/null) == 192.0.2.1 ]] && break
	kill -0 "$PID" 2>/dev/null || break
	sleep 0.05
done
kill -0 "$PID" 2>/dev/null || bail "riposte-dns did not start"
ok "riposte-dns started and answers on 127.0.0.1@$PORT"
check "pid file holds the pid" "$PID" "$(cat "$T/pid" 2>/dev/null)"
check_match "start is logged" "riposte-dns [0-9.]+ started: 4 zones" "$(cat "$T/log")"
check_match "zone load is logged with records and time" "zone example.com.: [0-9]+ records from $T/example.com.zone, [0-9.]+ ms" "$(cat "$T/log")"

# A second server on the same port would share it through SO_REUSEPORT and
# take half of the queries: it must refuse to start instead.
out=$("$BIN" -d -c "$T/riposte-dns.conf" 2>&1)
rc=$?
check "a second riposte-dns on the same port exits with status 1" 1 "$rc"
check_match "... and says why" "cannot listen on 127.0.0.1@$PORT: another process serves this address and port" "$out"

# ---- answers -------------------------------------------------------------
check "A" "192.0.2.10" "$($D +short www.example.com A)"
check "AAAA" "2001:db8::10" "$($D +short www.example.com AAAA)"
check "NS" "ns1.example.com. ns2.example.com." "$($D +short example.com NS | sort | xargs)"
check "SOA" "ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300" "$($D +short example.com SOA)"
check "MX" "10 mail.example.com." "$($D +short example.com MX)"
check "CNAME followed inside the zone" "www.example.com. 192.0.2.10" "$($D +short ftp.example.com A | xargs)"
check "wildcard (RFC 4592)" "192.0.2.99" "$($D +short anything.wild.example.com A)"
out=$($D www.example.com A)
check_match "AA set on authoritative answers" "flags: qr aa" "$out"
out=$($D nope.example.com A)
check_match "NXDOMAIN" "status: NXDOMAIN" "$out"
check_match "NXDOMAIN carries the SOA in authority" "AUTHORITY: 1" "$out"
out=$($D www.example.com TXT)
check_match "NODATA is NOERROR with no answer" "status: NOERROR.*ANSWER: 0, AUTHORITY: 1" "$(echo "$out" | tr '\n' ' ')"
out=$($D host.sub.example.com A)
check_match "delegation: referral without AA, NS in authority, glue in additional" "flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 1, ADDITIONAL: 2" "$(echo "$out" | tr '\n' ' ')"
out=$($D www.example.net A)
check_match "REFUSED outside our zones" "status: REFUSED" "$out"
check "case of the question kept" "WwW.ExAmPlE.cOm." "$($D WwW.ExAmPlE.cOm A +noall +question | awk '/^;/ {print substr($1, 2)}')"

# TCP
check "TCP (+tcp)" "192.0.2.10" "$($D +tcp +short www.example.com A)"
out=$($K +tcp +keepopen www.example.com A mail.example.com A ns2.example.com A 2>&1 | awk '$4 == "A" && $1 !~ /^;/ {print $5}' | xargs)
check "TCP: three pipelined queries on one connection, answered in order" "192.0.2.10 192.0.2.25 192.0.2.2" "$out"

# EDNS, truncation
out=$($D +bufsize=1232 www.example.com A)
check_match "EDNS: OPT in the reply with our size" "EDNS: version: 0, flags:; udp: 1232" "$out"
out=$($D +bufsize=4096 www.example.com A)
check_match "EDNS: our size is 1232 whatever the client offers" "udp: 1232" "$out"
out=$($D +noedns +ignore big.example.com TXT)
check_match "TC=1 when a UDP answer does not fit 512 bytes" "flags: qr aa tc" "$out"
out=$($D +noedns +noall +answer big.example.com TXT | grep -c 'IN	TXT')
check "the truncated answer is retried over TCP and complete" 20 "$out"
out=$($D +edns=1 +noednsnegotiation www.example.com A)
check_match "EDNS version 1: BADVERS" "status: BADVERS" "$out"

# NSID, CHAOS
out=$($D +nsid www.example.com A)
check_match "NSID (RFC 5001)" 'NSID: .*\("smoke-ns"\)' "$out"
check "CHAOS TXT id.server" '"smoke-ns"' "$($D +short CH TXT id.server)"
check "CHAOS TXT hostname.bind" '"smoke-ns"' "$($D +short CH TXT hostname.bind)"
check "CHAOS TXT version.bind (default)" "\"riposte-dns $("$BIN" -V | awk '{print $2}')\"" "$($D +short CH TXT version.bind)"
check "kdig: CHAOS TXT id.server" '"smoke-ns"' "$($K +short CH TXT id.server)"

# The hosts input: forward, alias, reverse
check "hosts input: A" "192.0.2.180" "$($D +short web.example.org A)"
check "hosts input: AAAA" "2001:db8::180" "$($D +short web.example.org AAAA)"
check "hosts input: alias is a CNAME" "web.example.org. 192.0.2.180" "$($D +short www.example.org A | xargs)"
check "hosts input: IPv4 reverse" "web.example.org." "$($D +short -x 192.0.2.180)"
check "hosts input: IPv6 reverse" "web.example.org." "$($D +short -x 2001:db8::180)"

# IPv6 transport
if [[ $HAVE6 == 1 ]]; then
	check "over IPv6 (::1)" "192.0.2.10" "$(dig @::1 -p "$PORT" +time=1 +tries=1 +short www.example.com A)"
	check "over IPv6, TCP" "2001:db8::10" "$(dig @::1 -p "$PORT" +time=1 +tries=1 +tcp +short www.example.com AAAA)"
fi

# Malformed input never hurts: a short datagram, then a normal query.
printf '\x12\x34\x01' >/dev/udp/127.0.0.1/"$PORT" 2>/dev/null
check "still answering after a 3-byte datagram" "192.0.2.10" "$($D +short www.example.com A)"

# ---- reload --------------------------------------------------------------
zone_v1 2 192.0.2.11
kill -HUP "$PID"
got=
for _ in $(seq 40); do
	got=$($D +short www.example.com A)
	[[ $got == 192.0.2.11 ]] && break
	sleep 0.05
done
check "SIGHUP: the changed zone is served" "192.0.2.11" "$got"
check "SIGHUP: the new serial" 2 "$($D +short example.com SOA | awk '{print $3}')"
check_match "reload is logged" "reload done: 4 zones" "$(cat "$T/log")"

# A zone that fails keeps its previous version; the others reload.
sed -i 's/192.0.2.180 web www/192.0.2.181 web www/' "$T/hosts.txt"
echo 'www IN A not-an-address' >>"$T/example.com.zone"
kill -HUP "$PID"
for _ in $(seq 40); do
	grep -q "reload done with errors" "$T/log" && break
	sleep 0.05
done
check "broken zone: the previous version is still served" "192.0.2.11" "$($D +short www.example.com A)"
check "broken zone: its SOA is still the previous one" 2 "$($D +short example.com SOA | awk '{print $3}')"
check "broken zone: other zones reload all the same" "192.0.2.181" "$($D +short web.example.org A)"
check_match "broken zone: the log says why, as file:line" "zone example.com.: $T/example.com.zone:[0-9]+: .*still serving the previous version" "$(cat "$T/log")"

# Reload again with the zone still broken: the kept version is kept again.
kill -HUP "$PID"
sleep 0.3
check "broken twice: still the previous version" "192.0.2.11" "$($D +short www.example.com A)"

# A broken config: nothing changes.
cp "$T/riposte-dns.conf" "$T/riposte-dns.conf.good"
echo "bogus statement" >>"$T/riposte-dns.conf"
kill -HUP "$PID"
sleep 0.3
check_match "broken config: reload refused with file:line" "reload failed: .*riposte-dns.conf:[0-9]+: unknown statement 'bogus statement'" "$(cat "$T/log")"
check "broken config: still serving" "192.0.2.11" "$($D +short www.example.com A)"
cp "$T/riposte-dns.conf.good" "$T/riposte-dns.conf"

# identity and version are reloaded with the zones.
zone_v1 3 192.0.2.12
sed -i 's/^identity smoke-ns$/identity smoke-ns-2\nversion hide/' "$T/riposte-dns.conf"
kill -HUP "$PID"
for _ in $(seq 40); do
	[[ $($D +short www.example.com A) == 192.0.2.12 ]] && break
	sleep 0.05
done
check "reload: the repaired zone is served again" "192.0.2.12" "$($D +short www.example.com A)"
check "reload: new identity" '"smoke-ns-2"' "$($D +short CH TXT id.server)"
check_match "reload: version hide refuses version.bind" "status: REFUSED" "$($D CH TXT version.bind)"

# ---- reloads while answering -----------------------------------------------
# Two versions of the zone whose answers to "ftp.example.com A" differ in
# both records of the CNAME chain; a query that saw half of each would get
# a mixed pair.  A client asks as fast as it can over UDP and TCP while the
# zone flips at every one of 20 reloads.
cat >"$T/flood.py" <<'EOF'
"""flood.py PORT SECONDS: ask ftp.example.com A over UDP (and every 50th
over TCP) until SECONDS pass; print "total=N lost=N pairs=A,B;C,D mixed=N"."""
import random, socket, struct, sys, time

port, secs = int(sys.argv[1]), float(sys.argv[2])

def name(buf, off):
    labels, jumped, end = [], False, off
    while True:
        n = buf[off]
        if n >= 0xC0:
            if not jumped:
                end = off + 2
            off, jumped = ((n & 0x3F) << 8) | buf[off + 1], True
            continue
        if n == 0:
            return ".".join(labels) + ".", (end if jumped else off + 1)
        labels.append(buf[off + 1:off + 1 + n].decode())
        off += 1 + n

def answer(buf):
    an = struct.unpack(">H", buf[6:8])[0]
    _, off = name(buf, 12)
    off += 4
    cname = addr = None
    for _ in range(an):
        _, off = name(buf, off)
        typ, _, _, rdlen = struct.unpack(">HHIH", buf[off:off + 10])
        off += 10
        if typ == 5:
            cname = name(buf, off)[0]
        elif typ == 1:
            addr = socket.inet_ntoa(buf[off:off + 4])
        off += rdlen
    return "%s>%s" % (cname, addr)

qname = b"\x03ftp\x07example\x03com\x00"
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.settimeout(1)
total = lost = 0
pairs = {}
end = time.time() + secs
while time.time() < end:
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1)
    total += 1
    try:
        if total % 50 == 0:
            t = socket.create_connection(("127.0.0.1", port), timeout=1)
            t.sendall(struct.pack(">H", len(q)) + q)
            data = b""
            while len(data) < 2 or len(data) < 2 + struct.unpack(">H", data[:2])[0]:
                chunk = t.recv(4096)
                if not chunk:
                    break
                data += chunk
            t.close()
            r = data[2:]
        else:
            u.sendto(q, ("127.0.0.1", port))
            r = u.recv(4096)
        if struct.unpack(">H", r[:2])[0] != qid:
            lost += 1
            continue
        a = answer(r)
        pairs[a] = pairs.get(a, 0) + 1
    except (socket.timeout, OSError, IndexError, struct.error):
        lost += 1
print("total=%d lost=%d pairs=%s" % (total, lost, ";".join(sorted(pairs))))
EOF
flip() {
	zone_v1 "$1" 192.0.2.12
	if [[ $2 == b ]]; then
		sed -i 's/^ftp\tIN CNAME www$/ftp\tIN CNAME www2/' "$T/example.com.zone"
		printf 'www2\tIN A 192.0.2.22\n' >>"$T/example.com.zone"
	fi
}
python3 "$T/flood.py" "$PORT" 4 >"$T/flood.out" 2>&1 &
FLOOD=$!
sleep 0.2
for i in $(seq 1 20); do
	if ((i % 2)); then flip $((10 + i)) b; else flip $((10 + i)) a; fi
	kill -HUP "$PID"
	sleep 0.15
done
wait "$FLOOD"
out=$(cat "$T/flood.out")
echo "# reloads under load: $out"
check_match "20 reloads under load: every query answered" "lost=0 " "$out"
check "20 reloads under load: only whole versions seen, never a mix" \
	"pairs=www.example.com.>192.0.2.12;www2.example.com.>192.0.2.22" "${out##* }"
check "still running after the reloads" yes "$(kill -0 "$PID" 2>/dev/null && echo yes)"

# ---- TCP behaviour (RFC 7766) on a second server ---------------------------
# One worker, two connections at most, 1 s idle timeout; a 2 s message
# deadline, so that the half-sent queries below are evicted, not timed out
# (tests/dns/tcp_abuse.sh tests the deadline).
PORT2=$((PORT + 1))
while ! port_free "$PORT2"; do PORT2=$((PORT2 + 1)); done
cat >"$T/tcp.conf" <<EOF
listen 127.0.0.1@$PORT2
zone example.com file example.com.zone
workers 1
tcp-clients 2
tcp-idle-timeout 1s
tcp-io-timeout 2s
control none
EOF
"$BIN" -d -c "$T/tcp.conf" >"$T/tcp.log" 2>&1 &
PID2=$!
for _ in $(seq 100); do
	[[ -n $($D -p "$PORT2" +short example.com SOA 2>/dev/null) ]] && break
	sleep 0.05
done
cat >"$T/tcp.py" <<'EOF'
"""tcp.py PORT: RFC 7766 behaviour; prints "PASS what" or "FAIL what: why"."""
import socket, struct, sys, time

port = int(sys.argv[1])
qname = b"\x03www\x07example\x03com\x00"

def query(qid, pad=0, name=qname, qtype=1):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1 if pad else 0) + name + struct.pack(">HH", qtype, 1)
    if pad:  # EDNS0 with a Padding option (RFC 7830) of pad bytes
        q += b"\x00" + struct.pack(">HHIH", 41, 1232, 0, 4 + pad) + struct.pack(">HH", 12, pad) + bytes(pad)
    return struct.pack(">H", len(q)) + q

def conn():
    return socket.create_connection(("127.0.0.1", port), timeout=3)

def read_msgs(s, n):
    data, out = b"", []
    while len(out) < n:
        while len(data) >= 2 and len(data) >= 2 + struct.unpack(">H", data[:2])[0]:
            ln = struct.unpack(">H", data[:2])[0]
            out.append(data[2:2 + ln])
            data = data[2 + ln:]
        if len(out) >= n:
            break
        try:
            chunk = s.recv(65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return out

def closed(s, wait):
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True

def result(ok, what, why=""):
    print(("PASS %s" % what) if ok else ("FAIL %s: %s" % (what, why)), flush=True)

def qid(m):
    return struct.unpack(">H", m[:2])[0]

# 100 pipelined queries in one write: 100 answers, in order.
s = conn()
s.sendall(b"".join(query(i) for i in range(100)))
ids = [qid(m) for m in read_msgs(s, 100)]
result(ids == list(range(100)), "100 pipelined queries in one write, answered in order", str(ids[:10]))
s.close()

# A query written one byte at a time.
s = conn()
for b in query(4242):
    s.send(bytes([b]))
    time.sleep(0.001)
m = read_msgs(s, 1)
result(len(m) == 1 and qid(m[0]) == 4242, "a query split into 1-byte writes")
s.close()

# A query longer than the connection's small buffer (3000 bytes of padding).
s = conn()
s.sendall(query(7, pad=3000) + query(8))
m = read_msgs(s, 2)
result([qid(x) for x in m] == [7, 8], "a 3 kB query, then a small one, answered in order")
s.close()

# 8000 queries for big.example.com TXT (1.4 kB answers, 11 MB in all,
# more than the kernel buffers) while the reader waits 0.5 s: the
# answers queue behind the socket, the server stops reading at its backlog
# limit and goes on when the client reads; every answer comes, in order.
# (Half the idle timeout: a client that neither asks nor reads is idle.)
import threading
big = b"\x03big\x07example\x03com\x00"
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(("127.0.0.1", port))
sender = threading.Thread(target=s.sendall,
                          args=(b"".join(query(i, name=big, qtype=16) for i in range(8000)),))
sender.start()
time.sleep(0.5)
ids = [qid(x) for x in read_msgs(s, 8000)]
sender.join()
result(ids == list(range(8000)),
       "8000 big answers to a slow reader: backlog, backpressure, all answered in order",
       "%d answers" % len(ids))
s.close()

# Half-close after the queries: the answers still come, then the end.
s = conn()
s.sendall(query(1) + query(2))
s.shutdown(socket.SHUT_WR)
m = read_msgs(s, 2)
result(len(m) == 2 and closed(s, 2), "client half-close: both answers, then the server closes")
s.close()

# A zero-length message is not DNS: closed.
s = conn()
s.sendall(b"\x00\x00")
result(closed(s, 2), "a zero-length message closes the connection")
s.close()

# Idle timeout (1 s).
s = conn()
t0 = time.time()
ok = closed(s, 4)
dt = time.time() - t0
result(ok and 0.7 < dt < 3, "an idle connection is closed after tcp-idle-timeout", "%.2f s" % dt)
s.close()

# Limit 2: a third connection evicts the least recently active idle one and is served.
a = conn(); a.sendall(query(1)); read_msgs(a, 1)
time.sleep(0.05)
b = conn(); b.sendall(query(2)); read_msgs(b, 1)
time.sleep(0.05)
c = conn(); c.sendall(query(3))
m = read_msgs(c, 1)
result(len(m) == 1 and closed(a, 0.5) and not closed(b, 0.2),
       "at tcp-clients the least recently active idle connection makes room")
for x in (a, b, c):
    x.close()
time.sleep(0.2)

# Limit 2 with both busy (half a query each): the least recently active
# busy one (a) makes room, so that slow clients cannot keep a new one out
# (RFC 7766 6.2.2); the other goes on.
a = conn(); a.sendall(query(1)[:5])
time.sleep(0.05)
b = conn(); b.sendall(query(2)[:5])
time.sleep(0.05)
c = conn(); c.sendall(query(3))
m = read_msgs(c, 1)
result(len(m) == 1 and qid(m[0]) == 3 and closed(a, 0.5),
       "at tcp-clients with no idle connection the least recently active busy one makes room")
b.sendall(query(2)[5:])
m = read_msgs(b, 1)
result(len(m) == 1 and qid(m[0]) == 2, "the other busy connection goes on")
for x in (a, b, c):
    x.close()
EOF
while read -r verdict rest; do
	case $verdict in
	PASS) ok "TCP: $rest" ;;
	*) not_ok "TCP: $verdict $rest" ;;
	esac
done < <(python3 "$T/tcp.py" "$PORT2" 2>&1)
kill -TERM "$PID2"
wait "$PID2"
check "TCP server: clean exit" 0 "$?"
check_match "TCP server: idle closes and evictions are counted" \
	"TCP [0-9]+ connections \(0 refused, [1-9][0-9]* idle closed, 1 evicted, 1 busy evicted, 0 io timeouts, 0 over per-ip\)" "$(cat "$T/tcp.log")"
if grep -q -E "AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:" "$T/tcp.log"; then
	not_ok "TCP server: sanitizer report in its log"
fi

# ---- stop ----------------------------------------------------------------
check_sigterm "$PID" "SIGTERM: clean exit (status 0)" && PID=
check_match "stop is logged with counters" "riposte-dns stopped: [0-9]+ queries" "$(cat "$T/log")"
check_no_sanitizer "$T/log"

finish
