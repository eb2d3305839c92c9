#!/usr/bin/env bash
# t_flood.sh - a flood of malformed RIP packets does not stop riposted from
# routing, and it counts what it dropped.
#
#   x (sender) 10.0.66.66 ---- 10.0.66.1 r1 10.0.12.1 ---- 10.0.12.2 r2 --- r2_stub0
#                                                                      10.2.2.0/24
# x sends RPT_FLOOD_N (20000) bad packets to r1's address 10.0.66.1, port 520,
# over about 4 s, from source port 520 and from other ports: truncated, bad
# command, bad version, must-be-zero set, bad length, oversized, bad AFI,
# metric 0/17/huge, martian prefixes, bad netmask, unexpected authentication,
# random bytes.  Meanwhile r2 adds a prefix; r1 must install it.  Afterwards
# r1 still routes, answers a request, installed nothing from x, and its
# counters (show status / show neighbors --json) show the drops.
# All traffic stays between this test's namespaces.
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

N=${RPT_FLOOD_N:-20000}
T=${RPT_CONVERGE_S:-20}
ns_router r1 r2
ns_add x
link r1 r2 10.0.12.1/24 10.0.12.2/24 || bail "link r1-r2"
link r1 x 10.0.66.1/24 10.0.66.66/24 || bail "link r1-x"
stub r2 stub0 10.2.2.1/24 || bail "stub r2"
for r in r1 r2; do riposted_conf "$r"; start_riposted "$r" || bail "start riposted in $r"; done
check_within "$T" "r1 learned r2's stub 10.2.2.0/24" has_kroute r1 10.2.2.0/24 proto "$RP" via 10.0.12.2
before=$(rctl r1 show status --json | jq '.bad_packets // 0')

cat >"$T_DIR/flood.py" <<'EOF'
# flood.py DST N SECONDS: N malformed RIP packets to DST:520 over about SECONDS.
import random, socket, struct, sys, time
dst, n, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rnd = random.Random(520)
def hdr(cmd=2, ver=2, mbz=0): return struct.pack("!BBH", cmd, ver, mbz)
def rte(afi=2, tag=0, addr="10.77.0.0", mask="255.255.0.0", nh="0.0.0.0", metric=1):
    return struct.pack("!HH4s4s4sI", afi, tag, socket.inet_aton(addr), socket.inet_aton(mask), socket.inet_aton(nh), metric)
# Every packet below is invalid as a whole or in every entry it carries, so
# nothing in it may be installed.
kinds = [
    ("truncated", lambda: bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 4)))),
    ("rte-truncated", lambda: hdr() + rte(metric=17)[:rnd.randrange(1, 20)]),
    ("bad-command", lambda: hdr(cmd=rnd.choice([0, 3, 4, 5, 9, 200, 255])) + rte(metric=17)),
    ("bad-version", lambda: hdr(ver=rnd.choice([0, 3, 4, 255])) + rte(metric=17)),
    ("v1", lambda: hdr(ver=1) + rte(afi=2, addr="10.77.0.0", mask="0.0.0.0", metric=17)),
    ("mbz", lambda: hdr(mbz=rnd.randrange(1, 65536)) + rte(metric=17)),
    ("bad-afi", lambda: hdr() + rte(afi=rnd.choice([0, 1, 3, 7, 0x1c, 0xfffe]))),
    ("metric-0", lambda: hdr() + rte(metric=0)),
    ("metric-17", lambda: hdr() + rte(metric=17)),
    ("metric-huge", lambda: hdr() + rte(metric=rnd.choice([0xffffffff, 1 << 16, 1000]))),
    ("martian", lambda: hdr() + rte(addr=rnd.choice(["127.0.0.0", "224.0.0.0", "240.0.0.0", "0.0.0.0", "255.255.255.255", "169.254.0.0"]),
                                       mask=rnd.choice(["255.0.0.0", "240.0.0.0", "255.255.255.255", "255.255.0.0"]), metric=1)),
    ("bad-mask", lambda: hdr() + rte(addr="10.77.0.0", mask="255.0.255.0", metric=1)),
    ("host-bits", lambda: hdr() + rte(addr="10.77.1.1", mask="255.255.0.0", metric=17)),
    ("nexthop-bad", lambda: hdr() + rte(nh="224.0.0.1", metric=17)),
    ("bad-length", lambda: hdr() + rte(metric=17) + b"\x00" * rnd.randrange(1, 20)),
    ("oversized", lambda: hdr() + rte(metric=17) * rnd.randrange(26, 60)),
    ("auth-unexpected", lambda: hdr() + struct.pack("!HH16s", 0xffff, rnd.choice([1, 2, 3]), b"x" * 16) + rte(metric=17)),
    ("auth-garbage", lambda: hdr() + struct.pack("!HH", 0xffff, 3) + bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 60)))),
    ("request-bad", lambda: hdr(cmd=1) + rte(afi=9, metric=17)[:rnd.randrange(1, 21)]),
    ("random", lambda: bytes(rnd.randrange(256) for _ in range(rnd.randrange(0, 600)))),
]
s520 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s520.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s520.bind(("0.0.0.0", 520))
other = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3)]
other[0].bind(("0.0.0.0", 20000))
for s in other[1:]: s.bind(("0.0.0.0", 0))
sent, errors, count = 0, 0, {}
start, deadline = time.monotonic(), time.monotonic() + secs * 3 + 5
for i in range(n):
    if time.monotonic() > deadline: break
    name, make = kinds[i % len(kinds)]
    # One round of every kind in five comes from another port: chosen by
    # round, not by i % 5, or the kinds whose index is a multiple of 5 would
    # only ever come from other ports (and be dropped before their entries
    # are looked at).
    rnd_round = i // len(kinds)
    sock = s520 if rnd_round % 5 else other[(rnd_round // 5) % len(other)]
    try:
        sock.sendto(make(), (dst, 520)); sent += 1
        count[name] = count.get(name, 0) + 1
    except OSError:
        errors += 1
    if i % 50 == 49:   # pace: about n packets in secs seconds
        ahead = start + secs * (i + 1) / n - time.monotonic()
        if ahead > 0: time.sleep(ahead)
print("sent %d packets in %.2f s (%d send errors), %d kinds" % (sent, time.monotonic() - start, errors, len(count)))
EOF

# Flood in the background; meanwhile r2 gets a new prefix.
ip netns exec "$(nsname x)" "$RPT_PY" "$T_DIR/flood.py" 10.0.66.1 "$N" 4 </dev/null >"$T_DIR/flood.out" 2>&1 &
FLOOD=$!
_track "$FLOOD" "flood x"
sleep 0.5
ipn r2 addr add 10.2.22.1/24 dev stub0
check_within "$T" "during the flood r1 learned r2's new prefix 10.2.22.0/24" has_kroute r1 10.2.22.0/24 proto "$RP" via 10.0.12.2
wait_until 30 dead "$FLOOD"
wait "$FLOOD"; rc=$?
say "flood: $(cat "$T_DIR/flood.out")"
check_eq "the flood ran to its end" 0 "$rc"

PID=$(riposted_pid r1)
check "riposted in r1 is still running" alive "$PID"
check "r1 still has r2's stub 10.2.22.0/24 and 10.2.2.0/24" eval 'has_kroute r1 10.2.2.0/24 proto $RP && has_kroute r1 10.2.22.0/24 proto $RP'
check "r1 installed nothing via the sender 10.0.66.66" eval '[[ -z $(ip -n "$(nsname r1)" -4 route show via 10.0.66.66) ]]'
check "r1 installed none of the flood's prefixes" eval '[[ -z $(kroute r1 10.77.0.0/16) && -z $(kroute r1 127.0.0.0/8) && -z $(kroute r1 224.0.0.0/4) ]]'
check "r1 RIB has nothing from 10.0.66.66" eval "rt_json r1 | jq -e '[.routes[] | select(.nexthop == \"10.0.66.66\")] | length == 0'"
ipn r2 addr del 10.2.22.1/24 dev stub0
check_within "$T" "after the flood r1 follows r2's withdrawal of 10.2.22.0/24" no_kroute r1 10.2.22.0/24

after=$(rctl r1 show status --json | jq '.bad_packets // 0')
say "show status bad_packets: before $before, after $after (of $N sent)"
check_gt "show status --json counts the dropped packets" "$((after - before))" 0
nb=$(nbr_bad r1)
say "show neighbors bad counters, all neighbours: $nb; by reason: $(rctl r1 show neighbors --json | jq -c '[.neighbors[] | {address, bad_packets, bad_routes}]')"
check_gt "show neighbors --json counts drops per reason" "${nb:-0}" 0
check "r2 (a good neighbour) has no bad counters" eval '[[ $(nbr_bad r1 10.0.12.2) == 0 ]]'
check_within 12 "r1 still hears r2 (last heard <= 10 s ago)" \
	eval "rctl r1 show neighbors --json | jq -e '[.neighbors[] | select(.address == \"10.0.12.2\" and .last_heard_ago_ms <= 10000)] | length == 1'"

# A request for the whole table from a port other than 520 (RFC 2453 3.9.1) is answered.
cat >"$T_DIR/request.py" <<'EOF'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 0)); s.settimeout(2)
s.sendto(struct.pack("!BBH", 1, 2, 0) + struct.pack("!HH4s4s4sI", 0, 0, bytes(4), bytes(4), bytes(4), 16), (sys.argv[1], 520))
data, src = s.recvfrom(65535)
ents = [socket.inet_ntoa(data[4 + 20 * i + 4:4 + 20 * i + 8]) for i in range((len(data) - 4) // 20)]
print("cmd=%d ver=%d from %s:%d entries=%s" % (data[0], data[1], src[0], src[1], " ".join(ents)))
sys.exit(0 if data[0] == 2 and "10.2.2.0" in ents else 1)
EOF
resp=$(nsx x timeout 5 "$RPT_PY" "$T_DIR/request.py" 10.0.66.1 2>&1)
rc=$?
say "request from port != 520: $resp"
check_eq "r1 answers a whole-table request from a non-520 port with its table" 0 "$rc"
log_kb=$(($(stat -c %s "$T_DIR/r1.riposted.log") / 1024))
say "r1's log: $log_kb KiB after the flood"
check_le "r1's log stays small (rate-limited, KiB)" "$log_kb" 1024
t_done
