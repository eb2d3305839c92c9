#!/usr/bin/env bash
# tests/lab/t_lab.sh - riposte-lab end to end: the riposte stack over every
# scenario, one run each, with loose bounds (the tight figures belong to
# bench/failover.sh):
#   - service-death, host-death, stop: c1 answered by s2 within 2000 ms;
#   - drain: no failed query;  reboot: c1 answered by s1 again after s1 boots;
#   - flap: the run completes and ends answered by s1;
#   - report.md with a row per scenario, the table on stdout, a CSV and a
#     riposte-probe --analyze JSON per run, an SVG per run (when
#     riposte-probe has --svg);
#   - leftovers of a "crashed" run with the same prefix (a namespace with a
#     process in it) are removed at the start, and nothing of the lab's is
#     left afterwards;
#   - a second lab with the same prefix is refused while one runs, and
#     SIGINT (Ctrl-C) tears a running lab down (exit 130, no namespace, no
#     process left);
#   - --report rebuilds the table from a results.tsv (medians and maxima
#     of known numbers, "never", "n/a").
# Ends with "N passed, N failed"; exit status 1 when anything failed.
# Needs root.  Environment: RIPOSTE_BUILD (default <repo>/build),
# LAB_KEEP=1 keeps the output directory.  Takes about 2 minutes.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$ROOT/lab/riposte-lab
export RIPOSTE_BUILD=${RIPOSTE_BUILD:-$ROOT/build}
PROBE=$RIPOSTE_BUILD/riposte-probe
PFX="rlt$$-"
PASS=0 FAIL=0
ok() { PASS=$((PASS + 1)); printf 'ok - %s\n' "$*"; }
not_ok() { FAIL=$((FAIL + 1)); printf 'not ok - %s\n' "$*"; }
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi; }
check_le() { if [[ $2 =~ ^[0-9]+$ ]] && (($2 <= $3)); then ok "$1 ($2 <= $3)"; else not_ok "$1 (got '$2', want <= $3)"; fi; }
check_eq() { if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi; }
done_() { echo "$PASS passed, $FAIL failed"; ((FAIL == 0)); exit; }

if [[ $(id -u) != 0 ]]; then echo "t_lab: needs root"; echo "0 passed, 1 failed"; exit 1; fi
[[ -x $LAB ]] || { echo "no $LAB"; echo "0 passed, 1 failed"; exit 1; }
OUT=$(mktemp -d /tmp/rlt-lab.XXXXXX)
BG=""
ours() { ip netns list 2>/dev/null | awk '{ print $1 }' | grep "^$PFX" || true; }
cleanup() {
	# only what this test made: the lab's own trap removes its namespaces; a
	# namespace of this prefix left over means a failure, and goes here
	[[ -n $BG ]] && kill -TERM "$BG" 2>/dev/null && wait "$BG" 2>/dev/null
	local n p
	for n in $(ours); do
		for p in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$n" 2>/dev/null
	done
	rm -f "/run/riposte-lab/$PFX.lock"
	if [[ ${LAB_KEEP:-0} == 1 ]]; then echo "# kept $OUT"; else rm -rf -- "$OUT"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- --report: the table from a results.tsv, no root or lab needed
R=$OUT/report-only
mkdir -p "$R"
{
	printf 'stack\tlabel\tscenario\trun\tstatus\ttakeover_ms\toutage_ms\tfailed\tqueries\tswitches\treturn_ms\treturn_failed\ttimeout_s\tcsv\toutage_open\trate\n'
	printf 'riposte\triposte X\tservice-death\t1\tok\t30\t20\t2\t500\t1\t-\t-\t30\truns/a.csv\t0\t100\n'
	printf 'riposte\triposte X\tservice-death\t2\tok\t10\t0\t0\t500\t1\t-\t-\t30\truns/b.csv\t0\t100\n'
	printf 'riposte\triposte X\tservice-death\t3\tok\t20\t40\t4\t500\t1\t-\t-\t30\truns/c.csv\t0\t100\n'
	printf 'frr\tfrr 5/15/10\tservice-death\t1\tnever\t-\t30100\t3010\t3200\t0\t-\t-\t30\truns/d.csv\t1\t100\n'
	printf 'frr\tfrr 5/15/10\tdrain\t1\tn/a\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t100\n'
	printf 'riposte\triposte X\treboot\t1\tok\t300\t290\t29\t900\t2\t800\t0\t30\truns/e.csv\t0\t100\n'
} >"$R/results.tsv"
rep=$("$LAB" --report --out "$R" 2>&1)
check_eq "--report: riposte service-death, 3 runs: medians 20 / 20 / 2, maxima 30 / 40 / 4" \
	"| riposte X | service-death | 3 | 20 / 30 | 20 / 40 | 2 / 4 |  |" "$(grep -F '| riposte X | service-death |' <<<"$rep")"
check "--report: frr service-death never answered by s2: never (>30 s), the outage lasted to the end" \
	grep -qF '| frr 5/15/10 | service-death | 1 | never (>30 s) | >= 30100 / 30100 | 3010 / 3010 |' <<<"$rep"
check "--report: frr drain is n/a" grep -qF '| frr 5/15/10 | drain | - | n/a | n/a | n/a |' <<<"$rep"
check "--report: reboot notes the return to s1" grep -qF 'back to s1 800 / 800 ms after the boot, 0 / 0 failed since' <<<"$rep"
check "--report: wrote report.md" test -s "$R/report.md"

# ---- leftovers of a crashed run with our prefix: a namespace with a process
ip netns add "${PFX}c1" && ip netns add "${PFX}sw1" || { not_ok "could not make the stale namespaces"; done_; }
ip netns exec "${PFX}c1" sleep 600 </dev/null >/dev/null 2>&1 &
STALE=$!
sleep 0.2

# ---- the lab: riposte stack, every scenario, one run each
T0=$SECONDS
timeout -k 10 240 "$LAB" --stack riposte --runs 1 --out "$OUT/lab" --prefix "$PFX" </dev/null >"$OUT/stdout" 2>"$OUT/stderr"
RC=$?
sed 's/^/    /' "$OUT/stdout"
sed 's/^/    stderr: /' "$OUT/stderr"
echo "# the lab took $((SECONDS - T0)) s"
check_eq "riposte-lab exits 0" 0 "$RC"
wait "$STALE" 2>/dev/null
check_eq "the process left in a stale namespace of the prefix was killed (SIGKILL)" 137 "$?"
check "it said so" grep -q "removing the namespaces of an earlier run with prefix '$PFX'" "$OUT/stderr"
check_eq "no namespace of the prefix left afterwards" "" "$(ours)"

TSV=$OUT/lab/results.tsv
# col SCENARIO COLUMN: the value of a column of the scenario's run
col() { awk -F'\t' -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) n[$i] = i; next } $3 == s { print $(n[c]); exit }' "$TSV"; }
for sc in service-death host-death stop; do
	check_eq "$sc: the run completed with a takeover" ok "$(col "$sc" status)"
	check_le "$sc: c1 answered by s2 within 2000 ms of the fault (ms)" "$(col "$sc" takeover_ms)" 2000
done
check_eq "drain: the run completed" ok "$(col drain status)"
check_eq "drain: no failed query" 0 "$(col drain failed)"
check_eq "reboot: the run completed with a takeover" ok "$(col reboot status)"
check "reboot: c1 answered by s1 again after s1 booted (ms: $(col reboot return_ms))" eval '[[ $(col reboot return_ms) =~ ^[0-9]+$ ]]'
check_eq "flap: the run completed" ok "$(col flap status)"
check "flap: c1 answered by s1 again after the last restart (ms: $(col flap return_ms))" eval '[[ $(col flap return_ms) =~ ^[0-9]+$ ]]'
check "flap: several switches between s1 and s2 ($(col flap switches))" eval '(( $(col flap switches) >= 2 ))'

check "report.md written" test -s "$OUT/lab/report.md"
for sc in service-death host-death stop drain reboot flap; do
	check "report.md has a row for $sc" grep -qE "^\| riposte [^|]*\| $sc \| 1 \|" "$OUT/lab/report.md"
	base=$OUT/lab/runs/riposte-$sc-1
	check "$sc: the probe's CSV is there" test -s "$base.csv"
	check "$sc: riposte-probe --analyze JSON with the fault time" jq -e '.fault_us > 0' "$base.json"
done
check "the table is printed at the end, with where it is" grep -qF "table:     $OUT/lab/report.md" "$OUT/stdout"
if "$PROBE" --help 2>&1 | grep -q -- --svg; then
	for sc in service-death host-death stop drain reboot flap; do
		f=$OUT/lab/runs/riposte-$sc-1.svg
		check "$sc: SVG timeline written" eval "[[ -s '$f' ]] && grep -q '<svg' '$f'"
	done
	check "reboot: the SVG marks s1's boot" grep -q 's1 boots' "$OUT/lab/runs/riposte-reboot-1.svg"
	check "it says where the pictures are" grep -qF "timelines: $OUT/lab/runs/*.svg" "$OUT/stdout"
else
	echo "# riposte-probe has no --svg: SVG checks skipped"
fi
check "the daemons' logs are kept" test -s "$OUT/lab/logs/riposte/r1.riposted.log"

# ---- a running lab: its prefix is locked, and Ctrl-C tears it down
# (env --default-signal: a background job of a script ignores SIGINT otherwise)
env --default-signal=INT "$LAB" --stack riposte --scenario service-death --out "$OUT/int" --prefix "$PFX" \
	</dev/null >"$OUT/int.stdout" 2>&1 &
BG=$!
for _ in $(seq 600); do grep -q 'lab up' "$OUT/int.stdout" 2>/dev/null && break; sleep 0.1; done
check "second lab: up" grep -q 'lab up' "$OUT/int.stdout"
"$LAB" --stack riposte --scenario service-death --out "$OUT/second" --prefix "$PFX" >"$OUT/second.out" 2>&1
check_eq "a second lab with the same prefix is refused (exit 2)" 2 "$?"
check "... saying why" grep -q 'another riposte-lab runs with the prefix' "$OUT/second.out"
mapfile -t PIDS < <(for n in $(ours); do ip netns pids "$n"; done)
check "the running lab has processes in its namespaces (${#PIDS[@]})" test "${#PIDS[@]}" -ge 6
kill -INT "$BG"
for _ in $(seq 150); do kill -0 "$BG" 2>/dev/null || break; sleep 0.1; done
wait "$BG"
check_eq "SIGINT: riposte-lab exits 130" 130 "$?"
BG=""
check_eq "SIGINT: no namespace of the prefix left" "" "$(ours)"
left=0
for p in "${PIDS[@]}"; do [[ -d /proc/$p ]] && [[ $(awk '{ print $3 }' /proc/"$p"/stat 2>/dev/null) != Z ]] && left=$((left + 1)); done
check_eq "SIGINT: none of the lab's processes left" 0 "$left"
done_
