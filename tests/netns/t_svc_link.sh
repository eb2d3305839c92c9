#!/usr/bin/env bash
# t_svc_link.sh - a service is not announced while its interface is down.
#
#   c1 -- r1 ---- r2        riposted on r1, r2, s1, s2; riposte-dns on s1, s2
#         |[sw1]  |[sw2]    c1 probes 10.128.224.2 at 100 q/s (riposte-probe)
#         s1      s2
#
# An address on a down interface stays in the kernel but loses its local
# route: packets for it are not delivered.  riposted must withdraw at once.
# (a) s1 gets a second service `web` (10.128.224.9/32) on a veth eth9; its
#     check (dns 127.0.0.1) keeps passing throughout.  `ip link set eth9
#     down`: web is withdrawn at once (r1 loses 10.128.224.9/32), `show
#     services` says "interface eth9 is down", the address stays on eth9;
#     dns on lo stays up.  `ip link set eth9 up`: web is announced again at
#     once, without new rise rounds (its checks kept passing).
# (b) `ip link set lo down` on s1 while c1 queries the anycast address:
#     the service is withdrawn at once, c1 is answered by s2 within
#     1000 ms; `ip link set lo up`: the service comes back (after rise
#     rounds: its dns check to 127.0.0.1 failed while lo was down) and c1
#     ends with s1.
# shellcheck disable=SC2016,SC2119 # single-quoted strings are eval'd later, on purpose; seed_lab takes no arguments here
set -u
# shellcheck source=tests/netns/seed.sh
. "$(dirname "$0")/seed.sh"

RATE=${RPT_PROBE_RATE:-100}
LIMIT_MS=${RPT_TAKEOVER_LIMIT_MS:-1000}
WEB=10.128.224.9

seed_lab || bail "lab: topology, riposte-dns and riposted on r1 r2 s1 s2, converged"
ok "lab converged: c1 answered by s1, r1 and r2 hold alternates"

# ---- (a) the service's own interface goes down and up
ipn s1 link add eth9 type veth peer name eth9p || bail "veth eth9 in s1"
ipn s1 link set eth9p up && ipn s1 link set eth9 up
stop_riposted s1 || not_ok "riposted on s1 did not stop on SIGTERM"
_seed_conf s1 server --top "service web" --top " address $WEB/32" --top " interface eth9" \
	--top " check dns 127.0.0.1 test.home A" --top " interval 200ms" --top " rise 2"
seed_start_server s1 || bail "riposted on s1 with service web on eth9"
check_within 10 "web up on eth9" svc_is s1 up web
check_within 20 "c1 answered by s1 again" _seed_converged s1 1
check_within 5 "r1 routes $WEB/32 via s1" has_kroute r1 "$WEB/32" via 10.128.5.2
webf() { svc_field s1 ".services[] | select(.name == \"web\") | $1"; }
PASSES0=$(webf '.checks[0].passes')
LOG_BEFORE=$(wc -l <"$T_DIR/s1.riposted.log")
T0=$(us_now)
ipn s1 link set eth9 down || bail "ip link set eth9 down"
wait_until 2 eval '[[ $(webf .announced) == false ]]'
# When riposted acted, from its log line, not when the poll above saw it:
# each poll is a ripostectl and a jq in the namespace, 50-150 ms on a busy
# host, which is not what this measures (the check rounds would take 400 ms).
DOWN_MS=$((($(log_event_us "$T_DIR/s1.riposted.log" "$LOG_BEFORE" 'service web: .*up -> down') - T0) / 1000))
say "web withdrawn $DOWN_MS ms after eth9 went down (riposted's log)"
check_le "web withdrawn within 200 ms of eth9 down (ms)" "$DOWN_MS" 200
check_eq "web is down" down "$(webf .state)"
check_eq "show services says why" "interface eth9 is down" "$(webf .reason)"
check "the text form says why too" eval 'rctl s1 show services web | grep -q "not announced: interface eth9 is down"'
check "the address stays on eth9" has_addr s1 "$WEB/32" eth9
check "s1 logged the withdrawal with the reason" \
	eval 'tail -n +$((LOG_BEFORE + 1)) "$T_DIR/s1.riposted.log" | grep -q "service web: interface eth9 is down, up -> down"'
check_within 3 "r1 no longer routes $WEB/32" no_kroute r1 "$WEB/32"
check_within 3 "r1's table has no usable path to $WEB/32" eval '[[ -z $(rt_paths r1 $WEB/32) ]]'
sleep 1   # five rounds of web's check while eth9 is down
check_gt "web's check kept running and passing while eth9 was down" "$(webf '.checks[0].passes')" "$PASSES0"
check_eq "web's check still passes" pass "$(webf '.checks[0].last')"
check_eq "dns on lo is still announced" true "$(svc_field s1 '.services[] | select(.name == "dns") | .announced')"
LOG_BEFORE=$(wc -l <"$T_DIR/s1.riposted.log")
T1=$(us_now)
ipn s1 link set eth9 up || bail "ip link set eth9 up"
wait_until 2 eval '[[ $(webf .announced) == true ]]'
UP_MS=$((($(log_event_us "$T_DIR/s1.riposted.log" "$LOG_BEFORE" 'service web: .*down -> up') - T1) / 1000))
say "web announced again $UP_MS ms after eth9 came up (riposted's log)"
# Its checks kept passing: no new rise rounds (2 x 200 ms) to wait for.
check_le "web announced again within 200 ms of eth9 up (ms)" "$UP_MS" 200
check_eq "reason cleared" null "$(webf .reason)"
check_eq "web was withdrawn once" 1 "$(webf .withdrawals)"
check_within 5 "r1 routes $WEB/32 via s1 again" has_kroute r1 "$WEB/32" via 10.128.5.2

# ---- (b) lo down under the anycast service
CSV=$T_DIR/probe.csv
probe_start "$ANYCAST" "$RATE" "$CSV" || bail "probe in c1"
sleep 2
W0=$(svc_field s1 '.services[] | select(.name == "dns") | .withdrawals')
LOG_BEFORE=$(wc -l <"$T_DIR/s1.riposted.log")
FAULT=$(us_now)
ipn s1 link set lo down || bail "ip link set lo down on s1"
wait_until 2 eval '[[ $(anycast_node) == s2 ]]'
sleep 1
check_eq "s1's dns is down" down "$(svc_state s1)"
check_eq "show services says why" "interface lo is down" "$(svc_field s1 '.services[] | select(.name == "dns") | .reason')"
check "s1 logged the withdrawal with the reason" \
	eval 'tail -n +$((LOG_BEFORE + 1)) "$T_DIR/s1.riposted.log" | grep -q "service dns: interface lo is down, up -> down"'
check "the address stays on lo" has_addr s1 "$ANYCAST/32"
check_eq "withdrawn once" $((W0 + 1)) "$(svc_field s1 '.services[] | select(.name == "dns") | .withdrawals')"
check_within 2 "r1 routes $ANYCAST via r2" has_kroute r1 "$ANYCAST/32" via 10.128.8.2
ipn s1 link set lo up || bail "ip link set lo up on s1"
check_within 5 "s1's dns up again once lo is up" svc_is s1 up
check_within 10 "c1 answered by s1 again" eval '[[ $(anycast_node) == s1 ]]'
sleep 1
probe_stop
AN=$(probe_analyze "$CSV" "$FAULT") || bail "probe --analyze"
probe_say "$AN"
TK=$(pj "$AN" .takeover_ms)
say "RESULT t_svc_link web_down_ms=$DOWN_MS web_up_ms=$UP_MS lo_takeover_ms=$TK failed=$(pj "$AN" .failed) outage_ms=$(pj "$AN" .outage_ms)"
check_eq "taken over by s2" s2 "$(pj "$AN" .takeover_node)"
check_le "c1 answered by s2 within $LIMIT_MS ms of lo down (ms)" "${TK%.*}" "$LIMIT_MS"
check_le "no outage longer than $LIMIT_MS ms" "$(pj "$AN" '(.outage_ms // 0) | floor')" "$LIMIT_MS"
check_eq "the last answer came from s1" s1 "$(pj "$AN" .last_node)"

for n in r1 r2 s1 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
t_done
