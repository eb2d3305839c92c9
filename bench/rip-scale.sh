#!/usr/bin/env bash
# bench/rip-scale.sh - riposted next to FRR ripd and BIRD 2 with large RIP
# tables, in one run, through the shared measured method
# ../shared/bench/bench-rip-scale.sh (a BIRD generator sends N routes to the
# receiver under test, which installs them and re-advertises them to a BIRD
# observer).  Not a test: it takes minutes and prints figures.
#
# Usage: bench/rip-scale.sh [-b BUILD_DIR] [-- OPTIONS FOR bench-rip-scale.sh]
#   default options: -n 10000,50000 -r 3 -s 60 -w 120
# Examples:
#   bench/rip-scale.sh -- -n 10000,50000,100000 -r 3           (burst: unpaced veth)
#   bench/rip-scale.sh -- -n 50000 -r 3 -L 10mbit              (paced 10 Mbit/s link)
# Results: RESULT lines and a summary table (medians [min-max]) on stdout;
# compare riposted's conv_rcv_s, cpu_cycle_s and pss_kb with frr's and bird's.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build
if [[ ${1:-} == -b ]]; then build=$(cd "$2" && pwd); shift 2; fi
[[ ${1:-} == -- ]] && shift
shared=${RIPOSTE_SHARED:-$here/../shared}
script=$shared/bench/bench-rip-scale.sh
[[ -r $script ]] || { echo "bench-rip-scale.sh not found at $script (set RIPOSTE_SHARED)" >&2; exit 1; }
[[ -x $build/riposted ]] || { echo "build riposted first: meson setup build && ninja -C build" >&2; exit 1; }
opts=("$@")
((${#opts[@]})) || opts=(-n 10000,50000 -r 3 -s 60 -w 120)
# The receiver: riposted with the interfaces the script names, default timers
# (the same as FRR's and BIRD's), RIP on both sides.
rcv="riposte=printf 'router rip\\n version 2\\n' > @DIR@/riposted.conf;"
rcv+=" for i in @IFACES@; do printf ' network %s\\n' \$i >> @DIR@/riposted.conf; done;"
rcv+=" exec $build/riposted -d -c @DIR@/riposted.conf -s @DIR@/riposted.sock"
exec bash "$script" "${opts[@]}" frr bird "$rcv"
