#!/usr/bin/env bash
# scripts/fuzz.sh - run every libFuzzer target for a fixed time.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Configures and builds build-fuzz/ (CC=clang, -Dfuzzing=true, --werror) when
# needed, then runs each fuzz_* executable it finds there (or only the TARGETs
# named, "packet" or "fuzz_packet") for SECONDS each (default 3).  A target is
# seeded with a copy of its stored corpus tests/fuzz/corpus/NAME, so what it
# finds stays in a temporary directory and the tree is never written; new
# targets are picked up from the build directory without editing this script.
# One line per target:
#   fuzz_NAME: N execs in S s, E new corpus entries, OK|CRASH
# A crash (also a timeout, out-of-memory, leak or UBSan report) keeps the
# input under /tmp and prints its path and the command that reproduces it.
# Then "total: ..." and the last line "N passed, N failed"; the exit status
# is 1 if anything failed.  FUZZ_ARGS adds libFuzzer options (e.g. -jobs=2).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

if [[ ${1:-} == -h || ${1:-} == --help ]]; then
	sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
	exit 0
fi
SECS=3
if (($# > 0)); then
	if [[ ! $1 =~ ^[1-9][0-9]*$ ]]; then
		echo "fuzz.sh: SECONDS must be a positive integer, not '$1'" >&2
		exit 2
	fi
	SECS=$1
	shift
fi
BUILD=$ROOT/build-fuzz
CORPORA=$ROOT/tests/fuzz/corpus
# A unit slower than this, or a process larger than this, is a finding too.
UNIT_TIMEOUT=10 RSS_MB=2048

build() {
	if ! command -v clang >/dev/null; then
		echo "fuzz.sh: clang is not installed (scripts/setup.sh installs it)"
		return 1
	fi
	local log
	log=$(mktemp /tmp/riposte-fuzz-setup.XXXXXX)
	if [[ -f $BUILD/meson-private/coredata.dat ]]; then
		meson setup --reconfigure "$BUILD" --werror -Dfuzzing=true >"$log" 2>&1 ||
			CC=clang meson setup --wipe "$BUILD" --werror -Dfuzzing=true >"$log" 2>&1
	else
		CC=clang meson setup "$BUILD" --werror -Dfuzzing=true >"$log" 2>&1
	fi || { cat "$log"; rm -f "$log"; echo "fuzz.sh: meson setup $BUILD failed"; return 1; }
	rm -f "$log"
	# The fuzz_* executables the build defines (not whatever lies in the
	# directory: a target removed from meson.build leaves its binary behind);
	# only they and their libraries are built, the rest is built elsewhere.
	mapfile -t ALL < <(ninja -C "$BUILD" -t targets all |
		sed -n 's|^tests/\(fuzz_[A-Za-z0-9_]*\): [a-z]*_LINKER.*|\1|p' | sort)
	((${#ALL[@]})) || { echo "fuzz.sh: $BUILD defines no fuzz_* executables"; return 1; }
	ninja -C "$BUILD" "${ALL[@]/#/tests/}" | grep -v "^\["
	((PIPESTATUS[0] == 0)) || { echo "fuzz.sh: building the fuzzers failed"; return 1; }
}

echo "building $BUILD (CC=clang -Dfuzzing=true)"
t0=$SECONDS
if ! build; then
	echo "0 passed, 1 failed"
	exit 1
fi
echo "built in $((SECONDS - t0)) s; $SECS s per target"

TARGETS=()
if (($# == 0)); then
	TARGETS=("${ALL[@]}")
else
	for t in "$@"; do
		t=fuzz_${t#fuzz_}
		if [[ " ${ALL[*]} " != *" $t "* ]]; then
			echo "fuzz.sh: no target $t in $BUILD/tests (there are: ${ALL[*]})" >&2
			exit 2
		fi
		TARGETS+=("$t")
	done
fi
if ((${#TARGETS[@]} == 0)); then
	echo "fuzz.sh: no targets"
	exit 2
fi

# UBSan only reports unless told to stop; a report is a crash here.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

WORK=$(mktemp -d /tmp/riposte-fuzz.XXXXXX)
KEEP=0
cleanup() { if ((KEEP)); then rm -rf -- "$WORK/corpus"; else rm -rf -- "$WORK"; fi; }
trap cleanup EXIT
trap 'echo "fuzz.sh: interrupted"; exit 130' INT TERM

PASSED=0 FAILED=0 TOTAL_EXECS=0 TOTAL_NEW=0 T_FUZZ=$SECONDS
stat_of() { awk -v k="stat::$1:" '$1 == k { n = $2 } END { print n + 0 }' "$2"; }
# The corpus's growth from INITED (the seeds that add coverage) to the last
# status line: stat::new_units_added also counts inputs that replaced a
# larger one with the same features.
new_entries() {
	awk 'match($0, / corp: [0-9]+\//) {
		n = substr($0, RSTART + 7, RLENGTH - 8) + 0
		if ($2 == "INITED") first = n
		last = n
	} END { print (first == "" ? 0 : last - first) }' "$1"
}
for t in "${TARGETS[@]}"; do
	name=${t#fuzz_} corpus=$WORK/corpus/$name out=$WORK/$name/ log=$WORK/$t.log note=
	mkdir -p "$corpus" "$out"
	if [[ -d $CORPORA/$name ]]; then
		cp -R "$CORPORA/$name/." "$corpus/"
	else
		note=" (no stored corpus tests/fuzz/corpus/$name)"
	fi
	t1=$(date +%s%N)
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
	(cd "$out" && "$BUILD/tests/$t" -max_total_time="$SECS" -timeout="$UNIT_TIMEOUT" \
		-rss_limit_mb="$RSS_MB" -print_final_stats=1 -artifact_prefix="$out" \
		${FUZZ_ARGS:-} "$corpus") >"$log" 2>&1
	rc=$?
	el=$((($(date +%s%N) - t1) / 1000000))
	execs=$(stat_of number_of_executed_units "$log")
	new=$(new_entries "$log")
	TOTAL_EXECS=$((TOTAL_EXECS + execs)) TOTAL_NEW=$((TOTAL_NEW + new))
	mapfile -t found < <(find "$out" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' \
		-o -name 'oom-*' -o -name 'leak-*' \) | sort)
	printf '%s: %d execs in %d.%d s, %d new corpus entries, ' "$t" "$execs" \
		$((el / 1000)) $((el % 1000 / 100)) "$new"
	if ((rc == 0 && ${#found[@]} == 0)); then
		echo "OK$note"
		PASSED=$((PASSED + 1))
		rm -rf -- "$out" "$log"
	else
		echo "CRASH (exit status $rc)$note"
		FAILED=$((FAILED + 1)) KEEP=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY:|.*runtime error:)' "$log" | head -n 5 | sed 's/^/    /'
		echo "    log: $log"
		for f in "${found[@]}"; do
			echo "    input: $f"
			echo "    reproduce: $BUILD/tests/$t -timeout=$UNIT_TIMEOUT -rss_limit_mb=$RSS_MB${FUZZ_ARGS:+ $FUZZ_ARGS} $f"
		done
		((${#found[@]})) || echo "    (no input was saved; see the log)"
	fi
done
rm -rf -- "$WORK/corpus"
echo "total: $TOTAL_EXECS execs, $TOTAL_NEW new corpus entries, ${#TARGETS[@]} targets in $((SECONDS - T_FUZZ)) s"
((KEEP)) && echo "the crashing inputs and logs are kept in $WORK"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
