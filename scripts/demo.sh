#!/usr/bin/env bash
# scripts/demo.sh [--out DIR] - riposte's main job: the seed's anycast
# failover experiment, rebuilt in network namespaces and measured.
#
#   c1 10.128.7.2 -- 10.128.7.1 r1 10.128.8.1 ---- 10.128.8.2 r2
#                              10.128.5.1                10.128.6.1
#                                  | [sw1]                   | [sw2]
#                         s1 10.128.5.2             s2 10.128.6.2
#                    lo 10.128.224.2/32         lo 10.128.224.2/32
#
# Installs what is missing (scripts/setup.sh), builds build/, then runs
# lab/riposte-lab twice into one output directory:
#   1. the riposte stack (riposted on r1 r2 s1 s2 with BFD, riposte-dns on s1
#      s2, health-checked service routes) over every scenario: service-death,
#      host-death, stop, drain, reboot, flap; after the lab converged it
#      prints every daemon's view (ripostectl show routes / services / bfd)
#      and the kernel routes;
#   2. FRR (zebra + ripd everywhere, as the seed ran Quagga) with timers
#      5/15/10 for service-death and host-death.
# It ends with the table (riposte's figures next to FRR's; also in
# DIR/report.md) and where the timeline pictures (DIR/runs/*.svg) are.
# The namespaces are removed at the end, also on Ctrl-C.  Needs root;
# about 3 minutes.  DIR defaults to /tmp/riposte-demo-DATE-TIME.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
OUT=/tmp/riposte-demo-$(date '+%Y%m%d-%H%M%S')
while (($#)); do
	case $1 in
	--out) OUT=${2:?--out needs a directory}; shift ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed 's/^# \{0,1\}//; /^set -u/d'; exit 0 ;;
	*) echo "demo.sh: unknown argument $1 (--out DIR)" >&2; exit 2 ;;
	esac
	shift
done
if [[ $(id -u) != 0 ]]; then echo "demo.sh: needs root (network namespaces)" >&2; exit 1; fi
T0=$SECONDS

scripts/setup.sh || exit 1
echo "== building build/"
LOG=$(mktemp /tmp/riposte-demo-build.XXXXXX)
if [[ ! -f build/meson-private/coredata.dat ]]; then
	meson setup build >"$LOG" 2>&1 || { cat "$LOG"; rm -f "$LOG"; exit 1; }
fi
ninja -C build >"$LOG" 2>&1 || { cat "$LOG"; rm -f "$LOG"; exit 1; }
rm -f "$LOG"
export RIPOSTE_BUILD=$ROOT/build

echo
echo "== 1. the riposte stack, every scenario"
sed -n '4,8p' "$0" | sed 's/^#/  /'
lab/riposte-lab --stack riposte --show --out "$OUT"
rc1=$?

echo
echo "== 2. FRR (zebra + ripd everywhere, as in the seed), timers 5/15/10, service-death and host-death"
lab/riposte-lab --stack frr --timers 5/15/10 --scenario service-death --scenario host-death --out "$OUT" --append
rc2=$?

echo
if ((rc1 == 0 && rc2 == 0)); then
	echo "== demo done in $((SECONDS - T0)) s; the table above is in $OUT/report.md, the timelines in $OUT/runs/"
	exit 0
fi
echo "== demo FAILED after $((SECONDS - T0)) s (riposte stack: exit $rc1, FRR stack: exit $rc2); see $OUT/lab.log and $OUT/logs/" >&2
exit 1
