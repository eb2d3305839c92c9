#!/usr/bin/env bash
# t_svc_drain.sh - planned maintenance without a lost query: `ripostectl
# drain dns` on s1 announces 10.128.224.2/32 at the drain metric 14 (r1
# switches to the alternate via r2 at once) and withdraws it when drained,
# while riposte-dns
# on s1 keeps answering for drain-time (2 s), so the queries still on their
# way to s1 are answered and the routers move c1's traffic to s2 in the
# meantime; the state goes draining -> drained.  `undrain dns` brings s1
# back (down -> up after rise checks) and c1's traffic returns to s1.  The
# seed's planned reboot "went smoothly, but only by luck"; here zero failed
# queries across the whole run is the assertion.
#
# Then a drain survives a restart: drain, SIGTERM s1's riposted, start it
# again: the service starts drained (not announced, s2 answers, the state
# file lists it) and stays so until `undrain`, which takes it out of the
# file; zero failed queries across that run too.
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
DRAIN=$(us_now)
DJ=$(rctl s1 --json drain dns); DRC=$?
say "drain reply: $DJ"
check_eq "ripostectl --json drain dns on s1 succeeds (exit status)" 0 "$DRC"
check "... and answers JSON: drain, up -> draining, at metric 14, address kept" \
	jq -e '.service == "dns" and .action == "drain" and .changed == true and .from == "up" and .state == "draining" and .announced == false and .metric == 14 and .address_present == true and .drain_time_ms == '"$DRAIN_MS" <<<"$DJ"
wait_until 1 eval 'S=$(svc_state s1); [[ $S == draining || $S == drained ]]'
check_eq "s1's service is draining right after the command" draining "$(svc_state s1)"
check_eq "s1 is out of rotation while draining" false "$(svc_field s1 '.services[0].announced')"
check_eq "s1 announces it at the drain metric 14 until drained (routers prefer s2)" 14 \
	"$(svc_field s1 '.services[0].metric')"
check_within 2 "r1 routes $ANYCAST via r2 at once" has_kroute r1 "$ANYCAST/32" via 10.128.8.2
check "s1 keeps $ANYCAST/32 on lo while draining (riposte-dns still answers there)" has_addr s1 "$ANYCAST/32"
wait_until $(((DRAIN_MS + 5000) / 1000)) svc_is s1 drained
DRAINED_MS=$((($(us_now) - DRAIN) / 1000))
say "s1's service: $(svc_state s1) $DRAINED_MS ms after the drain command (drain-time $DRAIN_MS ms; polled every 50 ms)"
check_le "s1's service drained within drain-time + 1 s (ms)" "$DRAINED_MS" $((DRAIN_MS + 1000))
check_gt "s1 kept answering for the drain-time before it called itself drained (ms)" "$DRAINED_MS" $((DRAIN_MS - 200))
check_eq "c1 is answered by s2 while s1 is drained" s2 "$(anycast_node)"
check_eq "drained: withdrawn" null "$(svc_field s1 '.services[0].metric')"
sleep 1

UNDRAIN=$(us_now)
check "ripostectl undrain dns on s1 succeeds" rctl s1 undrain dns
check_within 5 "s1's service up again after undrain" svc_is s1 up
check_within 10 "c1 answered by s1 again" eval '[[ $(anycast_node) == s1 ]]'
sleep 2
probe_stop

AN=$(probe_analyze "$CSV" "$DRAIN") || bail "probe --analyze"
probe_say "$AN"
TK=$(pj "$AN" .takeover_ms)
BACK=$(probe_analyze "$CSV" "$UNDRAIN" | jq -r '"\(.takeover_ms) \(.takeover_node)"')
say "RESULT t_svc_drain takeover_ms=$TK failed=$(pj "$AN" .failed) back_to_s1_ms=${BACK% *} rate=$RATE drained_ms=$DRAINED_MS"
check_eq "answered by s1 before the drain" s1 "$(pj "$AN" .before)"
check_eq "zero failed queries across the whole run" 0 "$(pj "$AN" .failed)"
check_eq "taken over by s2" s2 "$(pj "$AN" .takeover_node)"
check_le "answered by s2 within $LIMIT_MS ms of the drain (ms)" "${TK%.*}" "$LIMIT_MS"
check_eq "every answer from $LIMIT_MS ms after the drain until the undrain came from s2" s2 \
	"$(probe_answers_from "$CSV" $((DRAIN + LIMIT_MS * 1000)) "$UNDRAIN")"
check_eq "after the undrain the traffic went back to s1" s1 "${BACK#* }"
check_eq "the last answer came from s1" s1 "$(pj "$AN" .last_node)"
check_eq "two switches: s1 -> s2 at the drain, s2 -> s1 after the undrain" "s1>s2 s2>s1" \
	"$(jq -r '[.switches[] | "\(.from)>\(.to)"] | join(" ")' <<<"$AN")"

# ---- a drain survives a restart of riposted
STATE=$T_DIR/s1.riposted.drained
CSV2=$T_DIR/probe-restart.csv
probe_start "$ANYCAST" "$RATE" "$CSV2" || bail "probe in c1 (restart)"
sleep 1
DRAIN2=$(us_now)
check "drain dns on s1 again" rctl s1 drain dns
check "the state file lists dns" grep -qx 'drained dns' "$STATE"
check_within $(((DRAIN_MS + 3000) / 1000)) "s1's service drained" svc_is s1 drained
stop_riposted s1 || not_ok "riposted on s1 did not stop on SIGTERM"
seed_start_server s1 || bail "riposted on s1 again"
check_within 2 "after the restart s1's service is drained at once" svc_is s1 drained
check "s1's riposted says why" grep -q 'service dns: drained before the restart, init -> drained' \
	"$T_DIR/s1.riposted.log"
sleep 3   # fifteen check rounds: passing checks must not bring it back
check_eq "still drained 3 s after the restart" drained "$(svc_state s1)"
check_eq "not announced" false "$(svc_field s1 '.services[0].announced')"
check_eq "no route announced (not even the drain metric)" null "$(svc_field s1 '.services[0].metric')"
check "s1 kept $ANYCAST/32 on lo (a drained service keeps its address)" has_addr s1 "$ANYCAST/32"
check "r1 routes $ANYCAST via r2 only" eval "has_kroute r1 $ANYCAST/32 via 10.128.8.2 && ! has_kroute r1 $ANYCAST/32 via 10.128.5.2"
check_eq "c1 is answered by s2" s2 "$(anycast_node)"
UNDRAIN2=$(us_now)
check "undrain dns on s1" rctl s1 undrain dns
check "the state file no longer lists dns" eval "! grep -q 'drained dns' $STATE"
check_within 5 "s1's service up after the undrain" svc_is s1 up
check_within 10 "c1 answered by s1 again" eval '[[ $(anycast_node) == s1 ]]'
sleep 1
probe_stop
AN2=$(probe_analyze "$CSV2" "$DRAIN2") || bail "probe --analyze (restart)"
probe_say "$AN2"
say "RESULT t_svc_drain restart failed=$(pj "$AN2" .failed) takeover_ms=$(pj "$AN2" .takeover_ms)"
check_eq "restart: zero failed queries from the drain to after the undrain" 0 "$(pj "$AN2" .failed)"
check_eq "restart: every answer from $LIMIT_MS ms after the drain until the undrain came from s2" s2 \
	"$(probe_answers_from "$CSV2" $((DRAIN2 + LIMIT_MS * 1000)) "$UNDRAIN2")"
check_eq "restart: the last answer came from s1" s1 "$(pj "$AN2" .last_node)"

for n in r1 r2 s1 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
t_done
