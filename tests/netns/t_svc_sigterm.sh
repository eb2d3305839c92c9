#!/usr/bin/env bash
# t_svc_sigterm.sh - riposted on s1 is stopped (SIGTERM, as systemd stops
# it) while s1's riposte-dns keeps running: riposted drains every service
# first (withdraws 10.128.224.2/32, keeps the address for drain-time while
# the routers move the traffic to s2), then exits, within drain-time + 2 s.
# Zero failed queries at c1: the stop of the routing daemon is invisible to
# clients.  (The established daemons send no withdrawal when they stop: the
# route through s1 would stay until the 180 s timeout.)
#
#   c1 -- r1 ---- r2        riposted on r1, r2, s1, s2; riposte-dns on s1, s2
#         |[sw1]  |[sw2]    c1 probes 10.128.224.2 at 100 q/s (riposte-probe)
#         s1      s2
# shellcheck disable=SC2016,SC2119 # single-quoted strings are eval'd later, on purpose; seed_lab takes no arguments here
set -u
# shellcheck source=tests/netns/seed.sh
. "$(dirname "$0")/seed.sh"

RATE=${RPT_PROBE_RATE:-100}
LIMIT_MS=${RPT_TAKEOVER_LIMIT_MS:-1000}
DRAIN_MS=2000   # drain-time 2s in the service block (seed.sh's default)

seed_lab || bail "lab: topology, riposte-dns and riposted on r1 r2 s1 s2, converged"
ok "lab converged: c1 answered by s1, r1 and r2 hold alternates"

CSV=$T_DIR/probe.csv
probe_start "$ANYCAST" "$RATE" "$CSV" || bail "probe in c1"
sleep 2
FAULT=$(us_now)
stop_riposted s1 TERM
STOPPED=$?
say "riposted on s1 exited $STOP_MS ms after SIGTERM, status $STOP_RC"
check_eq "riposted on s1 exited after SIGTERM" 0 "$STOPPED"
check_le "it exited within drain-time + 2 s (ms)" "$STOP_MS" $((DRAIN_MS + 2000))
check_eq "with status 0" 0 "$STOP_RC"
check "riposte-dns on s1 still running" alive "${SEED_DNSPID[s1]}"
check_within 5 "c1 answered by s2" eval '[[ $(anycast_node) == s2 ]]'
sleep 2
probe_stop

AN=$(probe_analyze "$CSV" "$FAULT") || bail "probe --analyze"
probe_say "$AN"
TK=$(pj "$AN" .takeover_ms)
say "RESULT t_svc_sigterm takeover_ms=$TK failed=$(pj "$AN" .failed) exit_ms=$STOP_MS rate=$RATE"
check_eq "answered by s1 before the SIGTERM" s1 "$(pj "$AN" .before)"
check_eq "zero failed queries" 0 "$(pj "$AN" .failed)"
check_eq "traffic moved to s2" s2 "$(pj "$AN" .takeover_node)"
check_le "answered by s2 within $LIMIT_MS ms of the SIGTERM (ms)" "${TK%.*}" "$LIMIT_MS"
check_eq "the last answer came from s2" s2 "$(pj "$AN" .last_node)"
check "r1 routes $ANYCAST via r2" has_kroute r1 "$ANYCAST/32" via 10.128.8.2
say "$ANYCAST/32 on s1's lo after riposted exited: $(has_addr s1 "$ANYCAST/32" && echo present || echo removed)"

for n in r1 r2 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
t_done
