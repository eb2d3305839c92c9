#!/usr/bin/env bash
# t_svc_mixed_frr.sh - riposted on the service hosts, FRR (zebra + ripd) on
# the routers, timers basic 5 15 10 everywhere.  s1's DNS process dies:
# riposted on s1 withdraws 10.128.224.2/32 (metric 16, at once) and FRR on
# r1 drops the route.  FRR keeps only the best path, so it learns the
# alternate through r2 only from r2's next periodic update: the takeover is
# bounded by the update timer, not by the 180 s timeout the seed waited for.
# Asserted: c1 answered by s2 within update timer (5 s) + 1.5 s slack
# (FRR jitters its updates by up to 1 s) = 6.5 s.
#
#   c1 -- r1 ---- r2        FRR on r1, r2; riposted + riposte-dns on s1, s2
#         |[sw1]  |[sw2]    c1 probes 10.128.224.2 at 100 q/s (riposte-probe)
#         s1      s2
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/seed.sh
. "$(dirname "$0")/seed.sh"

RATE=${RPT_PROBE_RATE:-100}
SEED_FRR_TIMERS="5 15 10"
LIMIT_MS=${RPT_FRR_TAKEOVER_LIMIT_MS:-6500}

seed_topology --bridge || bail "topology"
for n in s1 s2; do seed_dns "$n" || bail "riposte-dns on $n"; done
for n in r1 r2; do seed_frr_router "$n" || bail "FRR on $n"; done
for n in s1 s2; do seed_riposted_server "$n" --timers "$SEED_FRR_TIMERS" || bail "riposted on $n"; done
check_within 15 "services up on s1 and s2" eval 'svc_is s1 up && svc_is s2 up'
check_within 30 "converged: FRR on r1 and r2 route $ANYCAST, c1 answered by s1" _seed_converged s1 ""
check_within 10 "FRR on r1 routes $ANYCAST via s1, on r2 via s2" eval \
	'has_kroute r1 $ANYCAST/32 proto rip via 10.128.5.2 && has_kroute r2 $ANYCAST/32 proto rip via 10.128.6.2'

CSV=$T_DIR/probe.csv
probe_start "$ANYCAST" "$RATE" "$CSV" || bail "probe in c1"
sleep 2
FAULT=$(us_now)
seed_kill KILL "${SEED_DNSPID[s1]}"
check_within 15 "c1 answered by s2" eval '[[ $(anycast_node) == s2 ]]'
sleep 1
probe_stop

AN=$(probe_analyze "$CSV" "$FAULT") || bail "probe --analyze"
probe_say "$AN"
TK=$(pj "$AN" .takeover_ms)
say "RESULT t_svc_mixed_frr takeover_ms=$TK outage_ms=$(pj "$AN" .outage_ms) failed=$(pj "$AN" .failed) rate=$RATE frr_timers=${SEED_FRR_TIMERS// /\/}"
check_eq "answered by s1 before the fault" s1 "$(pj "$AN" .before)"
check_eq "taken over by s2" s2 "$(pj "$AN" .takeover_node)"
check_le "c1 answered by s2 within FRR's bound, update timer + slack (ms)" "${TK%.*}" "$LIMIT_MS"
check_eq "still answered by s2 at the end" s2 "$(pj "$AN" .last_node)"
check_eq "s1's service is down" down "$(svc_state s1)"
check "FRR on r1 routes $ANYCAST via r2" has_kroute r1 "$ANYCAST/32" proto rip via 10.128.8.2
for n in s1 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
t_done
