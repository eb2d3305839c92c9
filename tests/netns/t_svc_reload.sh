#!/usr/bin/env bash
# t_svc_reload.sh - a config edit costs no outage: c1 queries the anycast
# address through r1 at 200 q/s while s1's riposted is reloaded (SIGHUP)
# after each change of its service block in turn: rise, fall, interval,
# fast-interval, timeout, metric (2, then back to 1), drain-time,
# keep-address, a check added, a check removed, a second address added and
# removed again.  Every setting changes in place: the service never leaves
# `up` (polled every 100 ms), is never withdrawn (one transition, init ->
# up, zero withdrawals), the metric change shows in `show services`, the
# second address is added, confirmed and announced (r1 learns it) and then
# withdrawn and removed, and no query fails.
#
#   c1 -- r1 ---- r2        riposted on r1, r2, s1, s2; riposte-dns on s1, s2
#         |[sw1]  |[sw2]
#         s1      s2
# shellcheck disable=SC2016,SC2119 # single-quoted strings are eval'd later, on purpose; seed_lab takes no arguments here
set -u
# shellcheck source=tests/netns/seed.sh
. "$(dirname "$0")/seed.sh"

RATE=${RPT_PROBE_RATE:-200}
SECOND=10.128.224.3

seed_lab || bail "lab: topology, riposte-dns and riposted on r1 r2 s1 s2, converged"
ok "lab converged: c1 answered by s1, r1 and r2 hold alternates"

MONLOG=$T_DIR/s1.states
monitor() {
	while :; do
		svc_field s1 '.services[0] | "\(.state) \(.announced) \(.metric)"' >>"$MONLOG"
		sleep 0.1
	done
}
monitor &
MON=$!
_track "$MON" "state monitor"

CSV=$T_DIR/probe.csv
probe_start "$ANYCAST" "$RATE" "$CSV" || bail "probe in c1"
sleep 1
START=$(us_now)

LINES=()
RELOADS=0
# reload DESCRIPTION [SERVICE-LINE]: add the line to s1's block (cumulative), SIGHUP, wait.
reload() {
	local desc=$1
	[[ -n ${2:-} ]] && LINES+=("$2")
	_seed_conf s1 server "${LINES[@]}"
	((EXTRA_ADDR)) && sed -i "s|^ address $ANYCAST/32\$|&\n address $SECOND/32|" "$T_DIR/s1.conf"
	RELOADS=$((RELOADS + 1))
	kill -HUP "$(riposted_pid s1)"
	if ! wait_until 3 eval '(( $(grep -c "configuration reloaded" "$T_DIR/s1.riposted.log") >= RELOADS ))'; then
		not_ok "$desc: s1 did not reload"
		return 1
	fi
	check_eq "$desc: changed in place (one more log line for it)" "$RELOADS" \
		"$(grep -c "service dns: changed in place" "$T_DIR/s1.riposted.log")"
	sleep 1
	check_eq "$desc: s1's service still up and announced" "up true" \
		"$(svc_field s1 '.services[0] | "\(.state) \(.announced)"')"
}
EXTRA_ADDR=0
reload "rise 3 -> 4" "rise 4"
reload "fall 2 -> 3" "fall 3"
check_eq "rise and fall are the new ones" "4 3" "$(svc_field s1 '.services[0] | "\(.rise) \(.fall)"')"
reload "interval 200ms -> 300ms" "interval 300ms"
check_eq "interval is the new one (ms)" 300 "$(svc_field s1 '.services[0].interval_ms')"
reload "fast-interval 50ms" "fast-interval 50ms"
reload "timeout 300ms -> 250ms" "timeout 250ms"
check_eq "timeout is the new one (ms)" 250 "$(svc_field s1 '.services[0].timeout_ms')"
reload "metric 1 -> 2" "metric 2"
check_eq "metric 2: announced at 2 (show services)" 2 "$(svc_field s1 '.services[0].metric')"
check_within 3 "metric 2: r1 holds s1's path at metric 3" eval '[[ -n $(rt_paths r1 $ANYCAST/32 | awk "\$1 == 3 && \$2 == \"10.128.5.2\"") ]] || [[ -n $(rt_paths r1 $ANYCAST/32 alternate | awk "\$1 == 3 && \$2 == \"10.128.5.2\"") ]]'
reload "metric 2 -> 1" "metric 1"
check_eq "metric 1 again" 1 "$(svc_field s1 '.services[0].metric')"
reload "drain-time 2s -> 3s" "drain-time 3s"
check_eq "drain-time is the new one (ms)" 3000 "$(svc_field s1 '.services[0].drain_time_ms')"
reload "keep-address" "keep-address"
check_eq "keep-address on" true "$(svc_field s1 '.services[0].keep_address')"
reload "a check added" "check exec /bin/true"
check_within 2 "the new check has run and passed" eval '[[ $(svc_field s1 ".services[0].checks[] | select(.name == \"exec /bin/true\") | .last") == pass ]]'
reload "a check removed" "no check process"
check_eq "two checks now: dns and exec" "dns 127.0.0.1 test.home A|exec /bin/true" \
	"$(svc_field s1 '[.services[0].checks[].name] | join("|")')"
EXTRA_ADDR=1
reload "a second address"
check "s1 added $SECOND/32 to lo" has_addr s1 "$SECOND/32"
check_within 3 "r1 learned $SECOND/32 via s1" has_kroute r1 "$SECOND/32" via 10.128.5.2
check "$ANYCAST/32 still on s1's lo" has_addr s1 "$ANYCAST/32"
check_within 3 "c1 is answered through $SECOND by s1" eval '[[ $(nsx c1 dig +short +time=1 +tries=1 @$SECOND id.server CH TXT) == "\"s1\"" ]]'
EXTRA_ADDR=0
reload "the second address removed"
check_within 2 "$SECOND/32 removed from s1's lo" eval "! has_addr s1 $SECOND/32"
check_within 3 "r1 no longer routes $SECOND/32 via s1" eval "! has_kroute r1 $SECOND/32 via 10.128.5.2"
check "$ANYCAST/32 still on s1's lo" has_addr s1 "$ANYCAST/32"

sleep 1
probe_stop
kill "$MON" 2>/dev/null; wait "$MON" 2>/dev/null
AN=$(probe_analyze "$CSV" "$START") || bail "probe --analyze"
probe_say "$AN"
JS=$(svc_json s1)
say "s1 dns: $(jq -c '.services[0] | {state, transitions, announcements, withdrawals, metric}' <<<"$JS")"
BAD=$(grep -vcE '^up true [12]$' "$MONLOG")
say "state samples: $(wc -l <"$MONLOG"), not 'up true 1|2': $BAD; distinct: $(sort "$MONLOG" | uniq -c | tr '\n' '|')"
say "RESULT t_svc_reload reloads=$RELOADS failed=$(pj "$AN" .failed) queries=$(pj "$AN" .queries) samples=$(wc -l <"$MONLOG")"
check_gt "the monitor sampled the state" "$(wc -l <"$MONLOG")" 50
check_eq "the service never left up/announced in $RELOADS reloads" 0 "$BAD"
check_eq "one transition (init -> up) in all" 1 "$(pj "$JS" '.services[0].transitions')"
check_eq "never withdrawn" 0 "$(pj "$JS" '.services[0].withdrawals')"
check "no 'up -> down' in s1's log" eval '! grep -q "service dns: .*up -> down" "$T_DIR/s1.riposted.log"'
check_eq "zero failed queries across all reloads" 0 "$(pj "$AN" .failed)"
check_eq "the last answer came from s1" s1 "$(pj "$AN" .last_node)"

for n in r1 r2 s1 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
t_done
