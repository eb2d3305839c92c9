#!/usr/bin/env bash
# tests/dns/probe.sh - riposte-probe end to end, against riposte-dns.
#
# Starts riposte-dns on 127.0.0.1 at a high port with identity "s1" and a
# small zone, then checks riposte-probe:
#   - --help, and usage errors (exit 1);
#   - 1000/s for 2 s: 2000 queries, every one answered by node s1 (NSID),
#     the CSV complete, in seq order and consistent (rtt = recv - sent);
#   - --identify chaos and a, --expect-rcode NXDOMAIN, -o - (CSV on stdout,
#     summary on stderr);
#   - 5000/s for 2 s: 10000 queries, none failed;
#   - SIGINT: stops, waits for the replies in flight, a complete CSV;
#   - the server killed mid-run (SIGKILL; the fault time taken with
#     $EPOCHREALTIME): the CSV is readable while the probe runs, no query
#     sent after the kill is answered, and --analyze --fault-at gives
#     before s1, no takeover and an outage that lasts to the end;
#   - a failover: s1 killed, then s2 started on the same address and port:
#     --analyze says before s1, takeover by s2 in about the time s2 took
#     to start, an outage as long, and one switch s1 -> s2;
#   - --analyze rejects a bad line with FILE:LINE: message.
#
# As root it runs in a network namespace of its own (lo only; removed by
# the trap), elsewhere on the host's loopback.  It stops only the
# processes it started, by pid.  Ends with "N passed, N failed".
#
# Environment: RIPOSTE_DNS (default build/riposte-dns), RIPOSTE_PROBE
# (default: riposte-probe next to RIPOSTE_DNS), PROBE_PORT (default: a free
# port from 30000 up), PROBE_NETNS=0 (stay on the host), PROBE_KEEP=1 (keep
# the temp dir).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DNS=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
PROBE=${RIPOSTE_PROBE:-$(dirname "$DNS")/riposte-probe}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

# A namespace of our own, when we may.
own_netns PROBE "rdns-probe-$$" RIPOSTE_DNS="$DNS" RIPOSTE_PROBE="$PROBE"

# check_num DESC WANT GOT: equal as numbers (jq writes 3.0 as 3)
check_num() {
	if awk -v a="$2" -v b="$3" 'BEGIN { exit !(a != "" && b != "" && a + 0 == b + 0) }'; then
		ok "$1 ($3)"
	else
		not_ok "$1: want '$2', got '$3'"
	fi
}
# check_range DESC LOW HIGH VALUE (numbers, decimals allowed)
check_range() {
	if awk -v l="$2" -v h="$3" -v v="$4" 'BEGIN { exit !(v != "" && v != "null" && v >= l && v <= h) }'; then
		ok "$1 ($4)"
	else
		not_ok "$1: want $2..$3, got '$4'"
	fi
}

for tool in jq awk; do
	command -v "$tool" >/dev/null || setup_failed "$tool is missing"
done
for bin in "$DNS" "$PROBE"; do
	[[ -x $bin ]] || setup_failed "$bin is not built"
done

T=$(mktemp -d /tmp/rdns-probe.XXXXXX) || exit 1
PIDS=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	for p in "${PIDS[@]}"; do
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null
	done
	if [[ ${PROBE_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
		echo "# files kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() {
	! (ss -Hlnu "sport = :$1") 2>/dev/null | grep -q .
}
PORT=${PROBE_PORT:-}
if [[ -z $PORT ]]; then
	PORT=$((20000 + $$ % 12000))
	while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
fi
ADDR=127.0.0.1@$PORT

cat >"$T/example.com.zone" <<'EOF'
$ORIGIN example.com.
$TTL 3600
@	IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 192.0.2.1
EOF
conf() { # conf IDENTITY
	cat >"$T/$1.conf" <<EOF
listen $ADDR
zone example.com file example.com.zone
identity $1
workers 2
# riposte-probe measures every answer at up to 5000 q/s from one address.
rrl-rate 0
control none
EOF
}
conf s1
conf s2

SERVER=
# start_server IDENTITY: riposte-dns in the foreground, in the background; waits until it answers.
start_server() {
	"$DNS" -d -c "$T/$1.conf" >>"$T/$1.log" 2>&1 &
	SERVER=$!
	PIDS+=("$SERVER")
	for _ in $(seq 100); do
		[[ $("$PROBE" -r 100 -d 0.05 -t 100 --json "$ADDR" 2>/dev/null | jq -r .answered) -gt 0 ]] && return 0
		kill -0 "$SERVER" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}
# csv_check FILE N NODE: the CSV has the header and N lines, seq 0..N-1 in order, every
# one answered NOERROR by NODE, recv_us = sent_us + rtt_us; prints "ok" or what is wrong.
csv_check() {
	awk -F, -v n="$2" -v node="$3" '
		NR == 1 { if ($0 != "seq,sent_us,recv_us,rtt_us,node,rcode") { print "bad header: " $0; bad = 1; exit } next }
		{
			if (NF != 6) { print "line " NR ": " NF " fields"; bad = 1; exit }
			if ($1 != NR - 2) { print "line " NR ": seq " $1; bad = 1; exit }
			if ($5 != node || $6 != "NOERROR") { print "line " NR ": " $0; bad = 1; exit }
			if ($3 - $2 != $4 || $4 < 0) { print "line " NR ": rtt: " $0; bad = 1; exit }
			if (NR > 2 && $2 < prev) { print "line " NR ": sent_us goes back"; bad = 1; exit }
			prev = $2
		}
		END { if (!bad) print (NR - 1 == n ? "ok" : (NR - 1) " lines") }' "$1"
}

# ---- usage ---------------------------------------------------------------
out=$("$PROBE" --help)
check "--help exits 0" 0 "$?"
check_match "--help describes the CSV" "seq,sent_us,recv_us,rtt_us,node,rcode" "$out"
check_match "--help describes the summary" "takeover_ms" "$out"
out=$("$PROBE" -r 0 "$ADDR" 2>&1)
check "--rate 0 is a usage error (exit 1)" 1 "$?"
check_match "... and says why" "--rate: '0' is not a rate" "$out"
out=$("$PROBE" 2>&1)
check "no ADDRESS is a usage error (exit 1)" 1 "$?"
out=$("$PROBE" -r 100000 -t 1000 "$ADDR" 2>&1)
check "100000/s with a 1 s timeout: too many in flight for 16-bit ids (exit 1)" 1 "$?"
out=$("$PROBE" --analyze x.csv -q foo 2>&1)
check "--analyze with a run option is a usage error (exit 1)" 1 "$?"

# ---- 1000/s for 2 s --------------------------------------------------------
start_server s1 || bail "riposte-dns did not start: $(tail -3 "$T/s1.log")"
ok "riposte-dns s1 answers on $ADDR"

"$PROBE" -r 1000 -d 2 -o "$T/run1.csv" --json "$ADDR" >"$T/run1.json" 2>"$T/run1.err"
check "1000/s for 2 s: exit 0" 0 "$?"
J=$(cat "$T/run1.json")
check "1000/s for 2 s: 2000 queries" 2000 "$(jq .queries <<<"$J")"
check "1000/s for 2 s: 2000 answered" 2000 "$(jq .answered <<<"$J")"
check "1000/s for 2 s: none failed" 0 "$(jq .failed <<<"$J")"
check "1000/s for 2 s: every answer from node s1 (NSID)" '{"s1":2000}' "$(jq -c .nodes <<<"$J")"
check "1000/s for 2 s: no switch, no outage" "0 0" "$(jq -r '"\(.switch_count) \(.longest_outage_ms)"' <<<"$J")"
check "1000/s for 2 s: the CSV has 2000 lines in seq order, all s1 NOERROR, rtt = recv - sent" \
	ok "$(csv_check "$T/run1.csv" 2000 s1)"
first=$(sed -n 2p "$T/run1.csv" | cut -d, -f2)
last=$(tail -n 1 "$T/run1.csv" | cut -d, -f2)
check_range "1000/s for 2 s: the last query is sent ~1999 ms after the first" 1990 2010 \
	"$(((last - first) / 1000))"
now=${EPOCHREALTIME/./}
check_range "sent_us is CLOCK_REALTIME (seconds before \$EPOCHREALTIME)" 0 30 "$(((now - last) / 1000000))"
A=$("$PROBE" --analyze "$T/run1.csv" --json)
check "--analyze gives the run's own summary" \
	"$(jq -c '{queries,answered,failed,nodes,first_node,last_node}' <<<"$J")" \
	"$(jq -c '{queries,answered,failed,nodes,first_node,last_node}' <<<"$A")"
check "--analyze: the interval from the file" 1000 "$(jq '.interval_us | if . >= 995 and . <= 1005 then 1000 else . end' <<<"$A")"

# ---- identification, rcodes, -o - ------------------------------------------
J=$("$PROBE" -r 200 -d 0.5 -i chaos --json "$ADDR")
check "--identify chaos: the id.server TXT names s1" '{"s1":100}' "$(jq -c .nodes <<<"$J")"
J=$("$PROBE" -r 200 -d 0.5 -i a -q ns1.example.com -T A --json "$ADDR")
check "--identify a: ns1.example.com A names 192.0.2.1" '{"192.0.2.1":100}' "$(jq -c .nodes <<<"$J")"
J=$("$PROBE" -r 200 -d 0.5 -q nope.example.com -T A --json "$ADDR")
check "NXDOMAIN is a failure by default (answered, NSID still names the node)" "100 100 1" \
	"$(jq -r '"\(.answered) \(.failed) \(.nodes.s1 / 100)"' <<<"$J")"
J=$("$PROBE" -r 200 -d 0.5 -q nope.example.com -T A -e NXDOMAIN --json "$ADDR")
check "--expect-rcode NXDOMAIN: no failure" 0 "$(jq .failed <<<"$J")"
"$PROBE" -r 200 -d 0.5 -o - "$ADDR" >"$T/stdout.csv" 2>"$T/stderr.txt"
check "-o -: the CSV on stdout (header + 100 lines)" 101 "$(wc -l <"$T/stdout.csv")"
check_match "-o -: the summary on stderr" "queries 100, answered 100, failed 0" "$(cat "$T/stderr.txt")"
"$PROBE" -r 200 -d 0.5 -o "$T/nsid.csv" "$ADDR" >/dev/null
check "the CSV line of an answer" "s1,NOERROR" "$(sed -n 2p "$T/nsid.csv" | cut -d, -f5-)"

# ---- 5000/s ------------------------------------------------------------------
"$PROBE" -r 5000 -d 2 -o "$T/fast.csv" --json "$ADDR" >"$T/fast.json"
J=$(cat "$T/fast.json")
check "5000/s for 2 s: 10000 queries, 10000 answered by s1, none failed" '10000 {"s1":10000} 0 0' \
	"$(jq -c -r '"\(.queries) \(.nodes|tojson) \(.failed) \(.late)"' <<<"$J")"
first=$(sed -n 2p "$T/fast.csv" | cut -d, -f2)
last=$(tail -n 1 "$T/fast.csv" | cut -d, -f2)
check_range "5000/s for 2 s: sent over ~2 s (ms)" 1990 2030 "$(((last - first) / 1000))"

# ---- SIGINT ------------------------------------------------------------------
"$PROBE" -r 1000 -o "$T/int.csv" --json "$ADDR" >"$T/int.json" 2>&1 &
PP=$!
PIDS+=("$PP")
sleep 0.5
kill -INT "$PP"
wait "$PP"
check "SIGINT: exit 0" 0 "$?"
n=$(jq .queries "$T/int.json")
check_range "SIGINT: stopped after ~0.5 s of queries" 300 700 "$n"
check "SIGINT: every query answered and in the CSV" "$n ok" "$(jq .answered "$T/int.json") $(csv_check "$T/int.csv" "$n" s1)"

# ---- the server killed mid-run ----------------------------------------------
"$PROBE" -r 1000 -d 2 -o "$T/kill.csv" --json "$ADDR" >"$T/kill.json" 2>"$T/kill.err" &
PP=$!
PIDS+=("$PP")
sleep 1
lines=$(wc -l <"$T/kill.csv")
check_range "the CSV can be read while the probe runs (lines after 1 s)" 700 1300 "$lines"
FAULT=$EPOCHREALTIME
kill -KILL "$SERVER"
wait "$SERVER" 2>/dev/null
wait "$PP"
check "server killed: the probe exits 0" 0 "$?"
J=$(cat "$T/kill.json")
check "server killed: 2000 queries" 2000 "$(jq .queries <<<"$J")"
check_range "server killed: ~1000 answered" 700 1300 "$(jq .answered <<<"$J")"
check "server killed: answered + failed = queries" 2000 "$(jq '.answered + .failed' <<<"$J")"
F=${FAULT/./}
# (FAULT is taken just before the kill: a few ms of margin for the kill itself.)
check "server killed: no query sent 5 ms after the kill was answered" 0 \
	"$(awk -F, -v f="$F" 'NR > 1 && $2 > f + 5000 && $6 != "timeout"' "$T/kill.csv" | wc -l)"
check "server killed: every query sent 5 ms after the kill is a timeout line" ok \
	"$(awk -F, -v f="$F" 'NR > 1 && $2 > f + 5000 && $0 !~ /,,,,timeout$/ { print; exit }
		END { print "ok" }' "$T/kill.csv" | tail -n 1)"
check "server killed: the CSV is complete, in seq order" 2000 \
	"$(awk -F, 'NR > 1 && $1 == NR - 2' "$T/kill.csv" | wc -l)"
A=$("$PROBE" --analyze "$T/kill.csv" --fault-at "$FAULT" --json)
check "--analyze: fault_us is the \$EPOCHREALTIME given" "$F" "$(jq .fault_us <<<"$A")"
check "--analyze: before s1, no takeover" "s1 null null" "$(jq -r '"\(.before) \(.takeover_ms) \(.takeover_node)"' <<<"$A")"
check "--analyze: the run's counts" "$(jq -c '{queries,answered,failed}' <<<"$J")" "$(jq -c '{queries,answered,failed}' <<<"$A")"
# (A query sent just before FAULT may be lost with the server: at most one.)
check_range "--analyze: every failure is after the fault, but one in flight at the kill" 0 1 \
	"$(jq '.failed - .failed_after_fault' <<<"$A")"
# The outage lasts to the end: from the first failure to the last send + 1 ms.
want=$(awk -F, -v f="$F" 'NR > 1 && $2 >= f && $6 == "timeout" && !s { s = $2 } NR > 1 { l = $2 }
	END { printf "%.1f", (l + 1000 - s) / 1000 }' "$T/kill.csv")
check_num "--analyze: the outage lasts from the first failure to the end" "$want" "$(jq .outage_ms <<<"$A")"
check_range "--analyze: ... about the second left after the kill (ms)" 700 1300 "$(jq .outage_ms <<<"$A")"
check_range "--analyze: longest outage = the outage (+ the query in flight at the kill)" 0 1.5 \
	"$(jq '.longest_outage_ms - .outage_ms' <<<"$A")"
out=$("$PROBE" --analyze "$T/kill.csv" --fault-at "$FAULT")
check_match "--analyze: the text summary" "fault at $FAULT: before s1, no takeover, outage [0-9.]+ ms" "$out"

# ---- failover: s1 killed, s2 takes over the address ----------------------------
start_server s1 || not_ok "riposte-dns s1 did not start again"
"$PROBE" -r 1000 -d 3 -o "$T/over.csv" "$ADDR" >"$T/over.txt" 2>&1 &
PP=$!
PIDS+=("$PP")
sleep 1
FAULT=$EPOCHREALTIME
kill -KILL "$SERVER"
wait "$SERVER" 2>/dev/null
sleep 0.5
UP_FROM=${EPOCHREALTIME/./}
start_server s2 || not_ok "riposte-dns s2 did not start"
wait "$PP"
check "failover: the probe exits 0" 0 "$?"
A=$("$PROBE" --analyze "$T/over.csv" --fault-at "$FAULT" --json)
F=${FAULT/./}
check "failover: before s1, takeover by s2, first s1, last s2" "s1 s2 s1 s2" \
	"$(jq -r '"\(.before) \(.takeover_node) \(.first_node) \(.last_node)"' <<<"$A")"
check "failover: one switch, s1 -> s2" "1 s1 s2" \
	"$(jq -r '"\(.switch_count) \(.switches[0].from) \(.switches[0].to)"' <<<"$A")"
# The takeover: from the kill to the first s2 answer, which came after s2 was started.
first_s2=$(awk -F, '$5 == "s2" { print $3; exit }' "$T/over.csv")
check_num "failover: takeover_ms = first s2 recv_us - fault" \
	"$(awk -v a="$first_s2" -v f="$F" 'BEGIN { printf "%.1f", (a - f) / 1000 }')" "$(jq .takeover_ms <<<"$A")"
check_range "failover: takeover after s2 was started, 500 ms after the kill" \
	"$(((UP_FROM - F) / 1000))" 1500 "$(jq .takeover_ms <<<"$A")"
# The outage: from the first failure sent after the kill to the send of the first s2 answer.
want=$(awk -F, -v f="$F" 'NR > 1 && $2 >= f && $6 == "timeout" && !s { s = $2 }
	$5 == "s2" { printf "%.1f", ($2 - s) / 1000; exit }' "$T/over.csv")
check_num "failover: outage_ms from the CSV's send times" "$want" "$(jq .outage_ms <<<"$A")"
check_range "failover: the outage ends before the takeover (ms)" 400 "$(jq .takeover_ms <<<"$A")" \
	"$(jq .outage_ms <<<"$A")"
check "failover: every query answered by s1 or s2, or failed" 3000 \
	"$(jq '.nodes.s1 + .nodes.s2 + .failed' <<<"$A")"
check_match "failover: the run's text summary names both nodes" "nodes: s1 [0-9]+ s2 [0-9]+" "$(cat "$T/over.txt")"
kill -TERM "$SERVER"
wait "$SERVER"
check "riposte-dns s2: clean exit" 0 "$?"

# ---- --analyze rejects bad input ----------------------------------------------
{ head -n 3 "$T/run1.csv"; echo "3,17,,,s1,timeout"; } >"$T/bad.csv"
out=$("$PROBE" --analyze "$T/bad.csv" 2>&1)
check "--analyze of a bad line: exit 1" 1 "$?"
check "--analyze of a bad line: FILE:LINE: message" "$T/bad.csv:4: a timeout has no recv_us, rtt_us or node" "$out"
out=$("$PROBE" --analyze "$T/missing.csv" 2>&1)
check "--analyze of a missing file: exit 1" 1 "$?"

for f in "$T"/s1.log "$T"/s2.log; do
	if grep -q -E "AddressSanitizer|LeakSanitizer|runtime error:" "$f"; then
		not_ok "sanitizer report in $(basename "$f")"
	fi
done
finish
