#!/usr/bin/env bash
# t_svc_host_death.sh - s1 dies without a goodbye: every process of s1 (its
# riposted and its riposte-dns) gets SIGKILL and s1's link is cut inside s1.
# A switch (bridge in sw1) sits between r1 and s1, so r1 sees no carrier
# loss: only BFD (100 ms x 3 on r1-s1, r1-r2 and r2-s2, both sides) tells r1
# that s1 is gone; r1 drops the routes through s1 and installs the
# alternate through r2.  c1's queries must be answered by s2 within 1 s
# (the seed saw ~4 minutes: RIP's 180 s timeout).
#
#   c1 -- r1 ---- r2        riposted on r1, r2, s1, s2 (BFD on every RIP link);
#         |[sw1]  |[sw2]    riposte-dns on s1, s2; c1 probes 10.128.224.2 at 100 q/s
#         s1      s2
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/seed.sh
. "$(dirname "$0")/seed.sh"

RATE=${RPT_PROBE_RATE:-100}
LIMIT_MS=${RPT_TAKEOVER_LIMIT_MS:-1000}

seed_lab --bfd || bail "lab with BFD: topology, riposte-dns and riposted on r1 r2 s1 s2, converged"
ok "lab converged: c1 answered by s1, r1 and r2 hold alternates"
check_within 5 "BFD up: r1 with s1 and r2, r2 with r1 and s2, s1 and s2 with their routers" eval \
	'bfd_is r1 10.128.5.2 up && bfd_is r1 10.128.8.2 up && bfd_is r2 10.128.8.1 up &&
	 bfd_is r2 10.128.6.2 up && bfd_is s1 10.128.5.1 up && bfd_is s2 10.128.6.1 up'
say "r1 show bfd: $(rctl r1 show bfd --json | jq -c .)"

CSV=$T_DIR/probe.csv
probe_start "$ANYCAST" "$RATE" "$CSV" || bail "probe in c1"
sleep 2
S1_RIPOSTED=$(riposted_pid s1)
FAULT=$(us_now)
{
	kill -KILL "$S1_RIPOSTED" "${SEED_DNSPID[s1]}"
	ipn s1 link set veth-s1r1 down
	CUT_US=$(($(us_now) - FAULT))
	wait "$S1_RIPOSTED" "${SEED_DNSPID[s1]}"   # reap them here: no "Killed" notice later
} 2>/dev/null
check_within 5 "r1: BFD session with s1 down" eval '! bfd_is r1 10.128.5.2 up'
say "r1's BFD session with s1: $(bfd_state r1 10.128.5.2), seen $WAITED_MS ms after the link was cut (polled every 50 ms)"
wait_until 5 eval '[[ $(anycast_node) == s2 ]]'
sleep 2
probe_stop
AN=$(probe_analyze "$CSV" "$FAULT") || bail "probe --analyze"
probe_say "$AN"
TK=$(pj "$AN" .takeover_ms)
say "processes killed and link cut within $((CUT_US / 1000)).$(printf '%03d' $((CUT_US % 1000))) ms"
say "RESULT t_svc_host_death takeover_ms=$TK outage_ms=$(pj "$AN" .outage_ms) failed=$(pj "$AN" .failed) rate=$RATE bfd=${SEED_BFD_INTERVAL}x$SEED_BFD_MULT"
check_eq "answered by s1 before the fault" s1 "$(pj "$AN" '.before')"
check_eq "taken over by s2" s2 "$(pj "$AN" .takeover_node)"
check_le "c1 answered by s2 within $LIMIT_MS ms of s1's death (ms)" "${TK%.*}" "$LIMIT_MS"
check_eq "still answered by s2 at the end" s2 "$(pj "$AN" .last_node)"
check "r1 routes $ANYCAST via r2" has_kroute r1 "$ANYCAST/32" via 10.128.8.2
check "r1 has no route to $ANYCAST via s1 left" eval '! has_kroute r1 $ANYCAST/32 via 10.128.5.2'
check "r1 holds no active path via s1 in its RIB" eval '! rt_has r1 $ANYCAST/32 2 10.128.5.2 active'
check "r1's sw1 side kept its carrier (the switch hid s1's link loss)" \
	eval '[[ $(ip -n $(nsname r1) -o link show veth-r1s1) == *"state UP"* ]]'

for n in r1 r2 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
t_done
