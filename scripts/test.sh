#!/usr/bin/env bash
# scripts/test.sh - build riposte and run every test (the README's test command).
#
#   scripts/test.sh [--quick] [--netns-only] [--no-netns]
#
# Steps (each counted; a build counts as one test):
#   setup       scripts/setup.sh installs what is missing (Debian 12, root)
#   gcc         meson setup build --werror; ninja -C build
#   unit+fuzz   meson test -C build (unit tests, fuzz corpus replay, the man
#               pages: rendered, linted, compared with the code, tests/man)
#   install     tests/install/t_install.sh: meson install --destdir of build/ and
#               of a package-like build-install/ (-Detc_configs=true): file
#               lists, the examples pass --check, systemd-analyze verify
#   deb         tests/install/t_deb.sh (when dpkg-buildpackage is installed):
#               the Debian packages built from a copy of the tree, lintian,
#               their file lists, a real install, upgrade and purge (root)
#   sdnotify    tests/install/t_sdnotify.sh: the sd_notify protocol of both
#               daemons (READY, RELOADING, WATCHDOG, STOPPING, the log levels)
#   clang       build-clang/ with CC=clang --werror              (not with --quick)
#   asan        build-asan/ with ASan+UBSan (gcc); its unit and fuzz suites,
#               and the flood and SIGTERM namespace tests with that riposted
#                                                                 (not with --quick)
#   fuzz        scripts/fuzz.sh: build-fuzz/ (clang, libFuzzer), every fuzz
#               target for FUZZ_SECONDS (default 3) seeded with its stored
#               corpus; executions per target                     (not with --quick)
#   netns       tests/netns/run.sh with build/riposted (root)    (not with --no-netns)
#   lab         tests/lab/t_lab.sh: riposte-lab, riposte stack    (not with --no-netns)
#   dns         tests/dns: smoke (dig/kdig), later_address, diff (against Knot),
#               xfr_out (riposte-dns as the primary of NSD and Knot),
#               probe (riposte-probe against riposte-dns); tests/lab/svg_render.sh
#               (riposte-probe's SVG timeline, rendered by headless Chromium)
#                                                                 (not with --no-netns)
# --netns-only: setup, the gcc build and the namespace tests.
# The last line is "N passed, N failed"; the exit status is 1 if anything failed.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

QUICK=0 NETNS=1 ONLY_NETNS=0
for a in "$@"; do
	case $a in
	--quick) QUICK=1 ;;
	--netns-only) ONLY_NETNS=1 ;;
	--no-netns) NETNS=0 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "test.sh: unknown option $a" >&2; exit 2 ;;
	esac
done
if ((ONLY_NETNS && !NETNS)); then echo "test.sh: --netns-only and --no-netns exclude each other" >&2; exit 2; fi

PASSED=0 FAILED=0 SUMMARY=()
T_START=$SECONDS
LOGDIR=$(mktemp -d /tmp/riposte-test.XXXXXX)
trap 'rm -rf -- "$LOGDIR"' EXIT
trap 'echo "test.sh: interrupted"; exit 130' INT TERM

section() { printf '\n==== %s\n' "$*"; }
record() { # record NAME PASSED FAILED [NOTE]
	PASSED=$((PASSED + $2)) FAILED=$((FAILED + $3))
	SUMMARY+=("$(printf '%-14s %3d passed, %3d failed %s' "$1" "$2" "$3" "${4:-}")")
}

# build NAME DIR CC [MESON OPTIONS...]: configure (or reconfigure) and build.
build() {
	local name=$1 dir=$2 cc=$3 t0=$SECONDS; shift 3
	section "build $name: $dir (CC=$cc --werror $*)"
	if [[ -f $dir/meson-private/coredata.dat ]]; then
		meson setup --reconfigure "$dir" --werror "$@" >"$LOGDIR/$name-setup.log" 2>&1 ||
			CC=$cc meson setup --wipe "$dir" --werror "$@" >"$LOGDIR/$name-setup.log" 2>&1
	else
		CC=$cc meson setup "$dir" --werror "$@" >"$LOGDIR/$name-setup.log" 2>&1
	fi
	local rc=$?
	if ((rc != 0)); then
		cat "$LOGDIR/$name-setup.log"
		record "build-$name" 0 1 "(meson setup failed)"
		return 1
	fi
	if ninja -C "$dir"; then
		record "build-$name" 1 0 "($((SECONDS - t0)) s)"
	else
		record "build-$name" 0 1 "(compile failed)"
		return 1
	fi
}

# mtest NAME DIR [MESON TEST ARGS...]: meson test; counts its Ok/Fail lines.
mtest() {
	local name=$1 dir=$2 out=$LOGDIR/$1-test.log rc ok xfail fail xpass tmo t0=$SECONDS; shift 2
	section "test $name: meson test -C $dir $*"
	meson test -C "$dir" --print-errorlogs "$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	count() { awk -F: -v k="$1" '$1 == k { gsub(/ /, "", $2); n = $2 } END { print n + 0 }' "$out"; }
	ok=$(count Ok) xfail=$(count "Expected Fail") fail=$(count Fail) xpass=$(count "Unexpected Pass") tmo=$(count Timeout)
	ok=$((ok + xfail)) fail=$((fail + xpass + tmo))
	if ((rc != 0 && fail == 0)); then fail=1; fi   # meson itself failed (build, setup)
	if ((ok + fail == 0)) && grep -q 'No tests defined' "$out"; then
		record "$name" 0 0 "(no tests defined)"
		return 0
	fi
	record "$name" "$ok" "$fail" "($((SECONDS - t0)) s)"
}

# script NAME CMD...: a test script whose last summary line is "N passed, N failed".
script() {
	local name=$1 out=$LOGDIR/$1.log rc p f line t0=$SECONDS; shift
	section "$name: $*"
	"$@" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [[ -n $line ]]; then
		read -r p _ f _ <<<"${line//,/}"
	else
		p=0 f=1
	fi
	if ((rc != 0 && f == 0)); then f=1; fi
	record "$name" "$p" "$f" "($((SECONDS - t0)) s)"
}

# fuzz SECONDS: every libFuzzer target for SECONDS (scripts/fuzz.sh); the
# summary line adds the executions and the corpus entries found.
fuzz() {
	local line
	script fuzz scripts/fuzz.sh "$1"
	line=$(grep -E '^total: [0-9]+ execs' "$LOGDIR/fuzz.log" | tail -n 1)
	if [[ -n $line ]]; then SUMMARY[-1]+=" $(cut -d, -f1,2 <<<"${line#total: }")"; fi
}

# netns NAME BUILDDIR [TESTS...]: the namespace tests with BUILDDIR's riposted.
netns() {
	local name=$1 dir=$2; shift 2
	if [[ $(id -u) != 0 ]]; then
		section "$name"
		echo "the namespace tests need root"
		record "$name" 0 1 "(not root)"
		return
	fi
	script "$name" env RIPOSTE_BUILD="$ROOT/$dir" tests/netns/run.sh "$@"
}

# dns NAME BUILDDIR: riposte-dns's dig/kdig smoke test, the address-added-later
# test, the differential test against Knot, riposte-probe's end-to-end test
# and its SVG timeline in headless Chromium, TSIG against kdig and knotd,
# riposte-dns as Knot's secondary (xfr_in: AXFR, NOTIFY + IXFR, expire),
# with BUILDDIR's riposte-dns, riposte-probe and tests/tsig_peer.
dns() {
	local name=$1 bin=$ROOT/$2/riposte-dns
	script "$name-smoke" env RIPOSTE_DNS="$bin" tests/dns/smoke.sh
	script "$name-probe" env RIPOSTE_DNS="$bin" RIPOSTE_PROBE="$ROOT/$2/riposte-probe" tests/dns/probe.sh
	script "$name-probe-svg" env RIPOSTE_PROBE="$ROOT/$2/riposte-probe" tests/lab/svg_render.sh
	script "$name-later-address" env RIPOSTE_DNS="$bin" tests/dns/later_address.sh
	script "$name-rrl" env RIPOSTE_DNS="$bin" tests/dns/rrl.sh
	script "$name-tcp-abuse" env RIPOSTE_DNS="$bin" tests/dns/tcp_abuse.sh
	script "$name-control" env RIPOSTE_DNS="$bin" tests/dns/control.sh
	script "$name-diff-knot" tests/dns/diff/run.sh "$bin"
	script "$name-dnssec-unbound" env RIPOSTE_DNS="$bin" tests/dns/dnssec_unbound.sh
	script "$name-dnssec-unbound-secondary" env RIPOSTE_DNS="$bin" DNSSEC_VIA=secondary \
		tests/dns/dnssec_unbound.sh
	script "$name-xfr-out" env RIPOSTE_DNS="$bin" tests/dns/xfr_out.sh
	script "$name-tsig-knot" env TSIG_PEER="$ROOT/$2/tests/tsig_peer" tests/dns/tsig.sh
	script "$name-xfr-in" env RIPOSTE_DNS="$bin" tests/dns/xfr_in.sh
	script "$name-xfr-metrics" env RIPOSTE_DNS="$bin" tests/dns/xfr_metrics.sh
	script "$name-xfr-hostile" env RIPOSTE_DNS="$bin" tests/dns/xfr_hostile.sh
}

section "setup: scripts/setup.sh"
if ! scripts/setup.sh; then
	record setup 0 1 "(could not install the dependencies)"
fi

if build gcc build gcc; then
	if ((!ONLY_NETNS)); then mtest unit+fuzz build; fi
	# meson install: file lists, example configs, systemd-analyze verify (issue 13)
	if ((!ONLY_NETNS)); then script install env RIPOSTE_BUILD="$ROOT/build" tests/install/t_install.sh; fi
	# The Debian packages (debian/): built in a temp copy of the tree (issue 13)
	if ((!ONLY_NETNS)) && command -v dpkg-buildpackage >/dev/null; then script deb tests/install/t_deb.sh; fi
	# sd_notify: READY/RELOADING/WATCHDOG/STOPPING without systemd (issue 13)
	if ((!ONLY_NETNS)); then script sdnotify env RIPOSTE_BUILD="$ROOT/build" tests/install/t_sdnotify.sh; fi
	if ((NETNS)); then netns netns build; fi
	if ((NETNS && !ONLY_NETNS)); then dns dns build; fi
	# riposte-lab: the riposte stack over every scenario, loose bounds (issue 5)
	if ((NETNS && !ONLY_NETNS)); then script lab env RIPOSTE_BUILD="$ROOT/build" tests/lab/t_lab.sh; fi
else
	((ONLY_NETNS)) || record unit+fuzz 0 1 "(not run: no gcc build)"
	((NETNS)) && record netns 0 1 "(not run: no gcc build)"
fi

if ((!QUICK && !ONLY_NETNS)); then
	build clang build-clang clang
	if build asan build-asan gcc -Db_sanitize=address,undefined -Db_lundef=false; then
		export ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:print_summary=1
		export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1:print_summary=1
		mtest asan-unit+fuzz build-asan --suite unit --suite fuzz --timeout-multiplier 3
		# riposted under ASan+UBSan against hostile input and through its exit path
		((NETNS)) && netns netns-asan build-asan t_flood t_sigterm t_svc_service_death t_svc_drain \
		    t_bfd_rip t_rip_input t_ctl t_svc_address t_svc_reload t_instance t_zone_fresh t_prometheus
		# riposte-dns under ASan+UBSan: the smoke test has reloads under load and TCP abuse
		((NETNS)) && script dns-asan-smoke env RIPOSTE_DNS="$ROOT/build-asan/riposte-dns" tests/dns/smoke.sh
		# both daemons' sd_notify, reloads, SIGUSR1 reopens and the query log under ASan+UBSan
		script sdnotify-asan env RIPOSTE_BUILD="$ROOT/build-asan" tests/install/t_sdnotify.sh
		unset ASAN_OPTIONS UBSAN_OPTIONS
	else
		record asan-unit+fuzz 0 1 "(not run: no asan build)"
	fi
	# Each parser of untrusted input under libFuzzer for a few seconds; longer by hand.
	fuzz "${FUZZ_SECONDS:-3}"
fi

section "summary ($((SECONDS - T_START)) s)"
printf '%s\n' "${SUMMARY[@]}"
echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
