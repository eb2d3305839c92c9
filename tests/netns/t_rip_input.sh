#!/usr/bin/env bash
# t_rip_input.sh - riposted's RIP input against crafted packets (RFC 2453
# 3.6, 3.9.1, 3.9.2, 4, 4.1): a sender in another namespace speaks raw RIP
# from its veth address, port 520 (and 5000 for requests), with python3.
#
#   x (sender) 10.0.66.66 ---- 10.0.66.1 r1 (riposted) --- r1_stub0 10.1.1.0/24
#              192.168.77.5/32 (off-link source, also on x's veth)
#
#   - a 25-entry response (504 octets) is installed: 25 kernel routes via x;
#   - a 26-entry response (524 octets) is dropped whole: none of its routes
#     appears, and x's "longer than 512 octets" counter in
#     `show neighbors --json` goes up by one;
#   - a 600-byte datagram likewise, and the total in show status grows;
#   - a whole-table request from port 5000 is answered with split horizon:
#     the 25 routes learned over that interface come back with metric 16
#     (poisoned reverse, the default), r1's stub with metric 1;
#   - a request for one specific entry from port 5000 gets it as is (metric 2);
#   - a whole-table request from 192.168.77.5 (not on r1's network there;
#     r1 has a static route back to it, so it could answer) gets no answer,
#     and "source not on a connected network" grows.
# All traffic stays between this test's namespaces.
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

X=10.0.66.66
OFF=192.168.77.5
ns_router r1
ns_add x
link r1 x 10.0.66.1/24 "$X/24" || bail "link r1-x"
stub r1 stub0 10.1.1.1/24 || bail "stub r1"
ipn x addr add "$OFF/32" dev veth-xr1 || bail "off-link address on x"
# So that r1 could answer the off-link source if it wanted to.
ipn r1 route add 192.168.77.0/24 via "$X" || bail "route back to the off-link source"
riposted_conf r1
start_riposted r1 || bail "start riposted in r1"

cat >"$T_DIR/rip.py" <<'EOF'
# rip.py SRC SPORT DST KIND [ARG]: send one crafted RIP datagram from SRC:SPORT
# to DST:520 and print every RIP response that comes back within 1.5 s, one
# line per entry: "prefix/len metric".
#   resp N BASE  response with N entries BASE.i.0/24 (BASE = "10.201"), metric 1
#   raw LEN      a response header and entries, padded to LEN bytes
#   whole        whole-table request (RFC 2453 3.9.1)
#   one PREFIX   request for the one entry PREFIX (a.b.c.d/len)
import socket, struct, sys, time
src, sport, dst, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
arg = sys.argv[5:]
def hdr(cmd): return struct.pack("!BBH", cmd, 2, 0)
def rte(addr, plen, metric, afi=2):
    mask = (0xffffffff << (32 - plen)) & 0xffffffff if plen else 0
    return struct.pack("!HH4sII", afi, 0, socket.inet_aton(addr), mask, 0) + struct.pack("!I", metric)
if kind == "resp":
    n, base = int(arg[0]), arg[1]
    pkt = hdr(2) + b"".join(rte("%s.%d.0" % (base, i), 24, 1) for i in range(n))
elif kind == "raw":
    ln = int(arg[0])
    pkt = hdr(2) + b"".join(rte("10.203.%d.0" % i, 24, 1) for i in range((ln - 4) // 20))
    pkt += bytes(ln - len(pkt))
elif kind == "whole":
    pkt = hdr(1) + rte("0.0.0.0", 0, 16, afi=0)
elif kind == "one":
    a, l = arg[0].split("/")
    pkt = hdr(1) + rte(a, int(l), 16)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((src, sport))
s.sendto(pkt, (dst, 520))
print("# sent %s, %d bytes from %s:%d" % (kind, len(pkt), src, sport), file=sys.stderr)
deadline = time.monotonic() + 1.5
while True:
    left = deadline - time.monotonic()
    if left <= 0: break
    s.settimeout(left)
    try: data, frm = s.recvfrom(65535)
    except socket.timeout: break
    if frm[0] != dst or data[0] != 2: continue
    for i in range((len(data) - 4) // 20):
        e = data[4 + 20 * i:24 + 20 * i]
        afi, tag, addr, mask, nh, metric = struct.unpack("!HH4sIII", e)
        print("%s/%d %d" % (socket.inet_ntoa(addr), bin(mask).count("1"), metric))
EOF
rip() { nsx x "$RPT_PY" "$T_DIR/rip.py" "$@" 2>>"$T_DIR/rip.err"; }
# drops NODE REASON [ADDRESS]: a drop counter of `show neighbors --json`, of the
# neighbour ADDRESS, or the total over all sources without it (0 when absent).
drops() {
	if [[ -n ${3:-} ]]; then
		rctl "$1" show neighbors --json | jq --arg a "$3" --arg r "$2" \
			'[.neighbors[] | select(.address == $a) | .bad_packets[$r] // 0] | add // 0'
	else
		rctl "$1" show neighbors --json | jq --arg r "$2" '.dropped_packets[$r] // 0'
	fi
}
LONG="longer than 512 octets"

# ---- 25 entries: a whole, legal response.
rip "$X" 520 10.0.66.1 resp 25 10.201 >/dev/null
check_within 5 "25-entry response: all 25 routes installed via $X" \
	eval '[[ $(kroute_count r1 proto "$RP" via "$X" | tr -d " ") == 25 ]] && has_kroute r1 10.201.24.0/24 proto "$RP" via "$X"'
check_eq "x is a neighbour with no dropped packets" 0 "$(nbr_bad r1 "$X")"

# ---- 26 entries: refused as a whole.
before_total=$(rctl r1 show status --json | jq '.bad_packets')
rip "$X" 520 10.0.66.1 resp 26 10.202 >/dev/null
check_within 5 "26-entry response counted for $X as \"$LONG\"" eval '[[ $(drops r1 "$LONG" "$X") == 1 ]]'
sleep 1
check "26-entry response: none of its 26 routes installed" eval '[[ -z $(ip -n "$(nsname r1)" -4 route show | grep "^10\.202\.") ]]'
check "26-entry response: nothing of it in the RIB" eval "rt_json r1 | jq -e '[.routes[] | select(.prefix | startswith(\"10.202.\"))] | length == 0'"

# ---- 600 bytes: refused, counted, not cut to 25 entries and installed.
rip "$X" 520 10.0.66.1 raw 600 >/dev/null
check_within 5 "600-byte datagram counted for $X as \"$LONG\" (2 in all)" eval '[[ $(drops r1 "$LONG" "$X") == 2 ]]'
sleep 1
check "600-byte datagram: none of its routes installed" eval '[[ -z $(ip -n "$(nsname r1)" -4 route show | grep "^10\.203\.") ]]'
after_total=$(rctl r1 show status --json | jq '.bad_packets')
check_eq "show status counts both oversize datagrams" 2 "$((after_total - before_total))"
check_eq "the 25 routes are still installed" 25 "$(kroute_count r1 proto "$RP" via "$X" | tr -d ' ')"

# ---- whole-table request from port 5000: split horizon applies (RFC 2453 3.9.1).
# Refresh the 25 routes first (timeout is 15 s here): an expired route is
# sent with metric 16 too, and would pass for split horizon.
rip "$X" 520 10.0.66.1 resp 25 10.201 >/dev/null
check_within 5 "the 25 routes are active in the RIB with metric 2 before the request" \
	eval "rt_json r1 | jq -e '[.routes[] | select((.prefix | startswith(\"10.201.\")) and .state == \"active\" and .metric == 2)] | length == 25'"
ans=$(rip "$X" 5000 10.0.66.1 whole)
say "whole-table answer to $X:5000: $(echo "$ans" | wc -l) entries: $(echo "$ans" | sort | head -4 | paste -sd' ') ..."
check "whole-table request from port 5000 is answered" test -n "$ans"
check "r1's stub 10.1.1.0/24 in the answer with metric 1" eval 'grep -qx "10.1.1.0/24 1" <<<"$ans"'
check_eq "the 25 routes learned from x come back poisoned (metric 16)" 25 \
	"$(grep -c '^10\.201\.[0-9]*\.0/24 16$' <<<"$ans")"
check_eq "none of them with a real metric" 0 "$(grep '^10\.201\.' <<<"$ans" | grep -vc ' 16$')"

# ---- specific-entry request from port 5000: as is (diagnostic).
check "10.201.3.0/24 still active with metric 2" rt_has r1 10.201.3.0/24 2 "$X"
ans=$(rip "$X" 5000 10.0.66.1 one 10.201.3.0/24)
say "specific-entry answer: $ans"
check_eq "specific-entry request from port 5000 gets the entry as is (metric 2)" "10.201.3.0/24 2" "$ans"

# ---- whole-table request from an off-link source: no answer, counted.
export nc_before; nc_before=$(drops r1 "source not on a connected network")
ans=$(rip "$OFF" 5000 10.0.66.1 whole)
check_eq "whole-table request from off-link $OFF gets no answer" "" "$ans"
check_within 5 "\"source not on a connected network\" counted for it" \
	eval '(( $(drops r1 "source not on a connected network") == nc_before + 1 ))'
check "no neighbour made for the off-link source" eval "rctl r1 show neighbors --json | jq -e '[.neighbors[] | select(.address == \"$OFF\")] | length == 0'"

check "riposted still running" alive "$(riposted_pid r1)"
t_done
