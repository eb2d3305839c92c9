#!/usr/bin/env bash
# t_line.sh - riposted routers in a line converge; a cut link re-routes over a
# second (longer) path; restoring the link converges back.
#
#   r1_stub0 --- r1 ---------- r2 ---------- r3 --- r3_stub0
#   10.1.1.0/24   | 10.0.12.0/24  10.0.23.0/24 |    10.3.3.0/24
#                 |        (r2_stub0           |
#     10.0.14.0/24|         10.2.2.0/24)       |10.0.35.0/24
#                 r4 ------------------------ r5
#                          10.0.45.0/24
# Phase 1: only r1 r2 r3 run: the line converges (kernel routes proto $RP,
# RIP metrics 2/3).  Phase 2: r4 and r5 start: a second path r1-r4-r5-r3
# (one hop longer), the line's routes stay.  Phase 3: r3's end of the r2-r3
# link goes down: traffic moves to r4/r5.  Phase 4: up again: back to r2.
# Timers 5 15 10; every wait is bounded (20 s) and its time printed.
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

ns_router r1 r2 r3 r4 r5
link r1 r2 10.0.12.1/24 10.0.12.2/24 || bail "link r1-r2"
link r2 r3 10.0.23.2/24 10.0.23.3/24 || bail "link r2-r3"
link r1 r4 10.0.14.1/24 10.0.14.4/24 || bail "link r1-r4"
link r4 r5 10.0.45.4/24 10.0.45.5/24 || bail "link r4-r5"
link r5 r3 10.0.35.5/24 10.0.35.3/24 || bail "link r5-r3"
stub r1 stub0 10.1.1.1/24 10.1.1.2 || bail "stub r1"
stub r2 stub0 10.2.2.1/24 || bail "stub r2"
stub r3 stub0 10.3.3.1/24 10.3.3.2 || bail "stub r3"

T=${RPT_CONVERGE_S:-20}
for r in r1 r2 r3; do riposted_conf "$r"; start_riposted "$r" || bail "start riposted in $r"; done
ok "riposted running in r1 r2 r3"

# ---- phase 1: the line
t0=$(ms_now)
check_within "$T" "r1: kernel route to r3's stub 10.3.3.0/24 via r2 (proto $RP)" has_kroute r1 10.3.3.0/24 proto "$RP" via 10.0.12.2
check_within "$T" "r3: kernel route to r1's stub 10.1.1.0/24 via r2 (proto $RP)" has_kroute r3 10.1.1.0/24 proto "$RP" via 10.0.23.2
check_within "$T" "r1: kernel route to r2's stub 10.2.2.0/24 via r2" has_kroute r1 10.2.2.0/24 proto "$RP" via 10.0.12.2
check_within "$T" "r3: kernel route to r2's stub 10.2.2.0/24 via r2" has_kroute r3 10.2.2.0/24 proto "$RP" via 10.0.23.2
check_within "$T" "r2: kernel routes to both outer stubs" \
	eval 'has_kroute r2 10.1.1.0/24 proto $RP via 10.0.12.1 && has_kroute r2 10.3.3.0/24 proto $RP via 10.0.23.3'
check_within "$T" "r1: kernel route to the far link 10.0.23.0/24 via r2" has_kroute r1 10.0.23.0/24 proto "$RP" via 10.0.12.2
say "line converged $(elapsed_s $(($(ms_now) - t0))) s after the daemons started"

check_within 5 "r1 RIB: 10.3.3.0/24 metric 3 via 10.0.12.2 on veth-r1r2" rt_has r1 10.3.3.0/24 3 "10.0.12.2 veth-r1r2"
check "r1 RIB: 10.2.2.0/24 metric 2 via 10.0.12.2" rt_has r1 10.2.2.0/24 2 10.0.12.2
check "r3 RIB: 10.1.1.0/24 metric 3 via 10.0.23.2" rt_has r3 10.1.1.0/24 3 10.0.23.2
check "r2 RIB: 10.1.1.0/24 metric 2 via 10.0.12.1" rt_has r2 10.1.1.0/24 2 10.0.12.1
check "r1 RIB: its own stub 10.1.1.0/24 is connected, metric 1" \
	eval "rt_json r1 | jq -e '[.routes[] | select(.prefix == \"10.1.1.0/24\" and .state == \"active\")][0] | .origin == \"connected\" and .metric == 1'"
check "r1: no kernel route of ours for its own connected networks" eval '[[ -z $(kroute r1 10.1.1.0/24 proto $RP) ]]'
check "r1: exactly one next hop for 10.3.3.0/24" eval '[[ $(kroute_nexthops r1 10.3.3.0/24 proto $RP) == 10.0.12.2 ]]'
check "ripostectl show routes (text) lists 10.3.3.0/24" eval 'rctl r1 show routes | grep -q "10\.3\.3\.0/24"'
check "ripostectl show neighbors --json on r2 lists r1 and r3" \
	eval "rctl r2 show neighbors --json | jq -e '[.neighbors[].address] | index(\"10.0.12.1\") and index(\"10.0.23.3\")'"
check "ripostectl show status --json on r2 names r2" eval "rctl r2 show status --json | jq -e '.hostname == \"r2\"'"
check_within 5 "host behind r1 reaches the host behind r3 (ping)" nsx r1_stub0 ping -c1 -W1 10.3.3.2

# ---- phase 2: a second, longer path r1-r4-r5-r3
for r in r4 r5; do riposted_conf "$r"; start_riposted "$r" || bail "start riposted in $r"; done
check_within "$T" "r4 and r5 learned both outer stubs" \
	eval 'has_kroute r4 10.3.3.0/24 proto $RP && has_kroute r5 10.1.1.0/24 proto $RP'
check_within "$T" "r1 RIB: r4's offer of 10.3.3.0/24 (metric 4) is known" \
	eval 'rctl r1 show routes --json | jq -e "[.routes[] | select(.prefix == \"10.3.3.0/24\" and .nexthop == \"10.0.14.4\" and .metric == 4)] | length > 0"'
check "r1: 10.3.3.0/24 still only via r2 (the shorter path)" eval '[[ $(kroute_nexthops r1 10.3.3.0/24 proto $RP) == 10.0.12.2 ]]'
check "r3: 10.1.1.0/24 still only via r2" eval '[[ $(kroute_nexthops r3 10.1.1.0/24 proto $RP) == 10.0.23.2 ]]'

# ---- phase 3: cut r2-r3 (r3's end down; r2 sees no carrier)
t0=$(ms_now)
ipn r3 link set veth-r3r2 down
wait_all "$T" r1 'has_kroute r1 10.3.3.0/24 proto $RP via 10.0.14.4' \
	r3 'has_kroute r3 10.1.1.0/24 proto $RP via 10.0.35.5' \
	r2 'has_kroute r2 10.3.3.0/24 proto $RP via 10.0.12.1'
for r in r1 r3 r2; do
	case $r in r1) d="r1 re-routed 10.3.3.0/24 via r4" ;; r3) d="r3 re-routed 10.1.1.0/24 via r5" ;; r2) d="r2 reaches 10.3.3.0/24 via r1 (the long way)" ;; esac
	if ((WAIT_MS[$r] >= 0)); then ok "$d ($(elapsed_s "${WAIT_MS[$r]}") s after the cut)"; else not_ok "$d (not within $T s)"; fi
done
check "r1: 10.3.3.0/24 no longer via r2" eval '[[ $(kroute_nexthops r1 10.3.3.0/24 proto $RP) == 10.0.14.4 ]]'
check_within 5 "r1 RIB: 10.3.3.0/24 metric 4 via 10.0.14.4" rt_has r1 10.3.3.0/24 4 10.0.14.4
check_within 5 "host behind r1 reaches the host behind r3 over r4/r5 (ping)" nsx r1_stub0 ping -c1 -W1 10.3.3.2
say "RESULT t_line reroute_ms r1=${WAIT_MS[r1]} r3=${WAIT_MS[r3]} r2=${WAIT_MS[r2]}"

# ---- phase 4: restore
t0=$(ms_now)
ipn r3 link set veth-r3r2 up
wait_all "$T" r1 '[[ $(kroute_nexthops r1 10.3.3.0/24 proto $RP) == 10.0.12.2 ]]' \
	r3 '[[ $(kroute_nexthops r3 10.1.1.0/24 proto $RP) == 10.0.23.2 ]]' \
	r2 'has_kroute r2 10.3.3.0/24 proto $RP via 10.0.23.3'
for r in r1 r3 r2; do
	d="$r back on the line after the restore"
	if ((WAIT_MS[$r] >= 0)); then ok "$d ($(elapsed_s "${WAIT_MS[$r]}") s)"; else not_ok "$d (not within $T s)"; fi
done
check_within 5 "r1 RIB: 10.3.3.0/24 metric 3 via 10.0.12.2 again" rt_has r1 10.3.3.0/24 3 10.0.12.2
check_within 5 "host behind r1 reaches the host behind r3 (ping)" nsx r1_stub0 ping -c1 -W1 10.3.3.2
say "RESULT t_line restore_ms r1=${WAIT_MS[r1]} r3=${WAIT_MS[r3]} r2=${WAIT_MS[r2]}"

for r in r1 r2 r3 r4 r5; do check "riposted in $r still running" alive "$(riposted_pid "$r")"; done
t_done
