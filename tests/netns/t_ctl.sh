#!/usr/bin/env bash
# t_ctl.sh - ripostectl against a real riposted: every `show` command has
# content (a RIP neighbour, a service, a BFD session) and its --json output
# is JSON whose time fields are all in milliseconds, named *_ms; exit status
# 0 / 1 / 2 for success / failure / usage error; with --json every error is
# {"error":"..."} on stdout; drain and undrain answer JSON.
#
#   r1 (service web 10.9.9.9/32 on lo) ---- r2 --- r2_stub0 10.2.2.0/24
#          10.0.12.0/24, BFD 100 ms x 3 on both ends
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

ns_router r1 r2
link r1 r2 10.0.12.1/24 10.0.12.2/24 || bail "link r1-r2"
stub r2 stub0 10.2.2.1/24 || bail "stub r2"

DRAIN_MS=1000
for r in r1 r2; do
	riposted_conf "$r"
	printf 'interface veth-%s\n ip rip bfd\n bfd interval 100 multiplier 3\n!\n' \
		"$([[ $r == r1 ]] && echo r1r2 || echo r2r1)" >>"$T_DIR/$r.conf"
done
cat >>"$T_DIR/r1.conf" <<EOF
service web
 address 10.9.9.9/32
 interface lo
 check exec /bin/true
 interval 200ms
 rise 1
 fall 1
 metric 1
 drain-time ${DRAIN_MS}ms
!
EOF
for r in r1 r2; do start_riposted "$r" || bail "start riposted in $r"; done
ok "riposted running in r1 and r2"

check_within 20 "r1 learns r2's stub 10.2.2.0/24" rt_has r1 10.2.2.0/24 2 10.0.12.2
check_within 20 "r2 learns r1's service 10.9.9.9/32" rt_has r2 10.9.9.9/32 2 10.0.12.1
check_within 10 "BFD up on r1" eval '[[ $(rctl r1 show bfd --json | jq -r ".sessions[0].state") == up ]]'
check_within 10 "web up on r1, its check has a result" \
	eval 'rctl r1 show services --json | jq -e ".services[0].state == \"up\" and .services[0].checks[0].last == \"pass\""'
sleep 1   # uptime, ages and latencies above zero

# ---- every JSON time field ends in _ms
# A key that names a time (age, since, uptime, interval, timeout, latency,
# ...) without _ms, or one in another unit (_us, _s, _sec), is a defect.
BAD_KEYS='[.. | objects | keys[]] | unique | map(select(test("(^|_)(age|since|uptime|time|ago|expires|expires_in|heard|last_heard|latency|interval|timeout|update|garbage|delay|duration|elapsed|deadline|next|period)$") or test("_(us|s|sec|secs|seconds|usec|msec)$")))'
MS_KEYS='[paths(type != "object" and type != "array") | map(select(type == "string")) | last | select(test("_ms$"))] | unique'
declare -A WANT=(
	[routes]="age_ms expires_in_ms"
	[interfaces]=""
	[neighbors]="last_heard_ago_ms"
	[status]="garbage_ms next_update_ms timeout_ms update_ms uptime_ms"
	[services]="ago_ms drain_time_ms interval_ms latency_ms since_ms timeout_ms"
	[bfd]="age_ms detect_time_ms interval_ms since_ms tx_interval_ms"
)
for what in routes interfaces neighbors status services bfd; do
	js=$(rctl r1 show "$what" --json); rc=$?
	check_eq "show $what --json: exit 0" 0 "$rc"
	if ! jq -e . <<<"$js" >/dev/null 2>&1; then not_ok "show $what --json is JSON"; continue; fi
	check_eq "show $what --json: no time field without _ms" "[]" "$(jq -c "$BAD_KEYS" <<<"$js")"
	got=$(jq -r "$MS_KEYS | join(\" \")" <<<"$js")
	check_eq "show $what --json: its _ms fields" "${WANT[$what]}" "$got"
done

# ... and the values are milliseconds (timers basic 5 15 10 in seconds).
js=$(rctl r1 show status --json)
check "status: update_ms 5000, timeout_ms 15000, garbage_ms 10000" \
	jq -e '.timers.update_ms == 5000 and .timers.timeout_ms == 15000 and .timers.garbage_ms == 10000' <<<"$js"
up=$(jq -r '.uptime_ms' <<<"$js")
check_gt "status: uptime_ms above 1000 (riposted has run for seconds)" "$up" 1000
check "routes: 10.2.2.0/24 age_ms in 1..60000, expires_in_ms in 1..15000" \
	eval 'rctl r1 show routes 10.2.2.0/24 --json | jq -e "[.routes[] | select(.state == \"active\")][0] | .age_ms > 0 and .age_ms < 60000 and .expires_in_ms > 0 and .expires_in_ms <= 15000"'
check "neighbors: r2 heard within 15000 ms" \
	eval 'rctl r1 show neighbors --json | jq -e "[.neighbors[] | select(.address == \"10.0.12.2\" and .last_heard_ago_ms >= 0 and .last_heard_ago_ms <= 15000)] | length == 1"'
check "bfd: since_ms <= age_ms <= uptime_ms + 1000" \
	eval 'rctl r1 show bfd --json | jq -e ".sessions[0] | .since_ms <= .age_ms and .age_ms <= '"$up"' + 1000"'
js=$(rctl r1 show services --json)
say "show services: $(jq -c '.services[0]' <<<"$js")"
check "services: latency_ms a number of ms below 1000, since_ms, ago_ms sane" \
	jq -e '.services[0] | (.checks[0].latency_ms | type == "number" and . >= 0 and . < 1000) and .checks[0].ago_ms < 5000 and .since_ms > 0' <<<"$js"
check "services: metric is what is announced now (1), configured_metric 1, no route_metric" \
	jq -e '.services[0] | .metric == 1 and .configured_metric == 1 and .announced == true and (has("route_metric") | not)' <<<"$js"

# ---- exit status and errors
# run_ctl ARGS...: ripostectl on r1's socket; sets OUT, ERR, RC.
run_ctl() {
	OUT=$("$RIPOSTECTL" -s "${T_SOCK[r1]}" "$@" 2>"$T_DIR/ctl.err"); RC=$?
	ERR=$(cat "$T_DIR/ctl.err")
}
run_ctl --json drain nosuch
check_eq "--json drain nosuch: exit 1 (ran and failed)" 1 "$RC"
check_eq "--json drain nosuch: {\"error\":...} on stdout" '{"error":"no service '"'nosuch'"'"}' "$OUT"
check_eq "--json drain nosuch: nothing on stderr" "" "$ERR"
run_ctl drain nosuch
check_eq "drain nosuch: exit 1, the message on stderr" "1 ripostectl: no service 'nosuch'" "$RC $ERR"
run_ctl show services nosuch --json
check_eq "show services nosuch --json: exit 1, JSON" '1 {"error":"no service '"'nosuch'"'"}' "$RC $OUT"
run_ctl frobnicate
check_eq "frobnicate: exit 2, message on stderr" "2 ripostectl: unknown command 'frobnicate'" "$RC $ERR"
run_ctl frobnicate --json
check_eq "frobnicate --json: exit 2, JSON" '2 {"error":"unknown command '"'frobnicate'"'"}' "$RC $OUT"
for args in "drain" "drain web extra" "show" "show s" "show routes not-a-prefix" "undrain"; do
	# shellcheck disable=SC2086 # split on purpose
	run_ctl $args --json
	check "'$args': exit 2 (usage), JSON error" \
		eval '[[ $RC == 2 ]] && jq -e "keys == [\"error\"] and (.error | length > 0)" <<<"$OUT"'
done
OUT=$("$RIPOSTECTL" -s "$T_DIR/none.ctl" --json show status 2>/dev/null); RC=$?
check "no daemon at the socket: exit 1, JSON error" \
	eval '[[ $RC == 1 ]] && jq -e ".error | startswith(\"cannot connect to \")" <<<"$OUT"'
"$RIPOSTECTL" -s "$T_DIR/none.ctl" show status >/dev/null 2>&1; RC=$?
check_eq "no daemon at the socket, text: exit 1" 1 "$RC"
check_eq "ripostectl --version" "ripostectl 0.1.0" "$("$RIPOSTECTL" --version)"
check_eq "ripostectl -V" "ripostectl 0.1.0" "$("$RIPOSTECTL" -V)"
run_ctl help --json
check "help --json lists drain" eval 'jq -e "[.commands[].command] | index(\"drain\")" <<<"$OUT"'

# ---- drain / undrain answer JSON
run_ctl --json drain web
say "drain: $OUT"
check_eq "--json drain web: exit 0" 0 "$RC"
check "--json drain web: up -> draining at metric 14, address kept" \
	jq -e '.service == "web" and .action == "drain" and .changed == true and .from == "up" and .state == "draining" and .announced == false and .metric == 14 and .configured_metric == 1 and .address_present == true and .drain_time_ms == '"$DRAIN_MS"' and (.message | length > 0)' <<<"$OUT"
run_ctl drain web --json
check "drain web again: exit 0, changed false, still draining" \
	eval '[[ $RC == 0 ]] && jq -e ".changed == false and .from == \"draining\" and .state == \"draining\"" <<<"$OUT"'
check_within 5 "web drained after drain-time" \
	eval 'rctl r1 show services web --json | jq -e ".services[0].state == \"drained\" and .services[0].metric == null"'
run_ctl undrain web -j
say "undrain: $OUT"
check "-j undrain web: drained -> announced after rise" \
	eval '[[ $RC == 0 ]] && jq -e ".action == \"undrain\" and .changed == true and .from == \"drained\" and .state != \"drained\" and .rise == 1" <<<"$OUT"'
check_within 5 "web up again, announced at metric 1" \
	eval 'rctl r1 show services web --json | jq -e ".services[0].state == \"up\" and .services[0].metric == 1"'
run_ctl undrain web
check_eq "undrain web (text) when up: exit 0" 0 "$RC"
check "... says there was nothing to do" grep -q "nothing to do" <<<"$OUT"

# reload: synchronous, answers with the result; a bad file is refused with
# its file:line error and the running configuration stays.
reloads=$(rctl r1 show status --json | jq -r .reloads)
run_ctl reload --json
check "reload --json: exit 0, reloaded, one more reload" \
	eval '[[ $RC == 0 ]] && jq -e ".reloaded == true and .reloads == '"$((reloads + 1))"'" <<<"$OUT"'
cp "$T_DIR/r1.conf" "$T_DIR/r1.conf.good"
printf 'router rip\n timers basic 5 15\n' >>"$T_DIR/r1.conf"
run_ctl reload
check_eq "reload of a bad file: exit 1" 1 "$RC"
say "reload error: $OUT$ERR"
check "... names the file and line" eval '[[ $OUT$ERR == *"r1.conf:"[0-9]*": timers basic"* ]]'
check "... and the service stays up (the running configuration stays)" \
	eval 'rctl r1 show services web --json | jq -e ".services[0].state == \"up\""'
check "... counted as a failed reload" \
	eval 'rctl r1 show status --json | jq -e ".reload_failures == 1"'
cp "$T_DIR/r1.conf.good" "$T_DIR/r1.conf"
run_ctl reload
check_eq "reload of the good file again: exit 0" 0 "$RC"

t_done
