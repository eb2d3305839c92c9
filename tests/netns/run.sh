#!/usr/bin/env bash
# tests/netns/run.sh [TEST...] - run riposte's network-namespace scenario tests.
#
# TEST: t_NAME.sh, t_NAME or NAME (default: every tests/netns/t_*.sh, sorted).
# Each runs on its own (one at a time: timings mean something), with a time
# limit, its output indented below its name; then PASS/FAIL and its duration,
# and at the end a line "N passed, N failed".  Exit status 1 if any failed.
# Needs root.  Environment:
#   RIPOSTE_BUILD  build dir with riposted and ripostectl (default <repo>/build)
#   RPT_TIMEOUT    seconds per test before it is stopped (default 300)
#   RPT_KEEP=1     keep each test's temp dir (logs, configs, captures)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RIPOSTE_BUILD=${RIPOSTE_BUILD:-$ROOT/build}
[[ $RIPOSTE_BUILD == /* ]] || RIPOSTE_BUILD=$PWD/$RIPOSTE_BUILD
export RIPOSTE_BUILD
TMO=${RPT_TIMEOUT:-300}

if [[ $(id -u) != 0 ]]; then
	echo "netns tests need root"
	echo "0 passed, 1 failed"
	exit 1
fi
tests=()
if (($#)); then
	for t in "$@"; do
		t=${t%.sh}; t=${t#t_}; t=$(basename "$t")
		[[ -f $HERE/t_$t.sh ]] || { echo "no such test: $HERE/t_$t.sh"; echo "0 passed, 1 failed"; exit 1; }
		tests+=("$HERE/t_$t.sh")
	done
else
	for t in "$HERE"/t_*.sh; do [[ -f $t ]] && tests+=("$t"); done
fi
echo "netns tests: ${#tests[@]} (riposted: $RIPOSTE_BUILD/riposted$([[ -x $RIPOSTE_BUILD/riposted ]] || echo ' - MISSING'))"

LOGDIR=$(mktemp -d /tmp/rpt-run.XXXXXX)
TPID="" SPID="" CUR=""
# On INT/TERM: stop the running test through its timeout (which passes the
# signal on to the test; the test's trap cleans up), let it finish, then exit.
interrupted() {
	trap '' INT TERM
	echo "run.sh: interrupted${CUR:+ during $CUR}"
	if [[ -n $TPID ]]; then kill -TERM "$TPID" 2>/dev/null; wait "$TPID" 2>/dev/null; fi
	[[ -n $SPID ]] && wait "$SPID" 2>/dev/null
	exit 130
}
trap interrupted INT TERM
trap 'rm -rf -- "$LOGDIR"' EXIT
pass=0 fail=0 failed=()
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	CUR=$name
	echo "=== $name"
	start=${EPOCHREALTIME/[.,]/}
	# timeout: TERM to the test's process group (the test's trap cleans up),
	# KILL 20 s later.  The output is shown as it comes, indented.
	: >"$LOGDIR/$name.log"
	timeout -k 20 "$TMO" bash "$t" </dev/null >"$LOGDIR/$name.log" 2>&1 &
	TPID=$!
	tail -n +1 -s 0.1 -f --pid="$TPID" "$LOGDIR/$name.log" | sed 's/^/    /' &
	SPID=$!
	wait "$TPID"
	rc=$?
	wait "$SPID"
	TPID="" SPID=""
	end=${EPOCHREALTIME/[.,]/}
	dur=$(((end - start) / 1000))
	d=$(printf '%d.%d s' $((dur / 1000)) $((dur % 1000 / 100)))
	if ((rc == 0)); then
		pass=$((pass + 1))
		echo "PASS $name ($d)"
	else
		fail=$((fail + 1))
		failed+=("$name")
		case $rc in 124 | 137) echo "FAIL $name ($d, timed out after $TMO s)" ;; *) echo "FAIL $name ($d, exit $rc)" ;; esac
	fi
done
((fail)) && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed"
((fail == 0))
