#!/usr/bin/env bash
# scripts/demo.sh - riposte's main job for now: a RIP network in network namespaces.
#
#   f1_stub0 - f1 (FRR ripd) ---- r1 ---- r2 ---- r3 (riposted)
#   10.9.0.0/24      10.0.10.0/24 |  10.0.12.0/24 | 10.0.23.0/24 |
#                             r1_stub0       r2_stub0       r3_stub0
#                            10.1.0.0/24    10.2.0.0/24    10.3.0.0/24
#
# Installs what is missing (scripts/setup.sh), builds build/, starts three
# riposted routers in a line and one FRR (zebra + ripd) at one end, each with
# a stub network, waits (polling, at most 60 s) until every router has a
# kernel route to every stub, then prints each router's RIP table
# (ripostectl show routes; FRR: show ip rip) and kernel routes, pings across
# the whole line, and removes everything it made.  Needs root; < 2 min.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1

scripts/setup.sh || exit 1
echo "== building build/"
if [[ ! -f build/meson-private/coredata.dat ]]; then
	meson setup build >/tmp/riposte-demo-setup.log 2>&1 || { cat /tmp/riposte-demo-setup.log; exit 1; }
fi
ninja -C build >/tmp/riposte-demo-build.log 2>&1 || { cat /tmp/riposte-demo-build.log; exit 1; }
rm -f /tmp/riposte-demo-setup.log /tmp/riposte-demo-build.log

export RIPOSTE_BUILD=$ROOT/build
# shellcheck source=tests/netns/lib.sh
. "$ROOT/tests/netns/lib.sh"

ROUTERS=(r1 r2 r3)
declare -A STUB=([f1]=10.9.0.0/24 [r1]=10.1.0.0/24 [r2]=10.2.0.0/24 [r3]=10.3.0.0/24)

echo "== topology (namespaces $T_PFX*)"
sed -n '4,7p' "$0" | sed 's/^#/  /'
ns_router f1 r1 r2 r3
link f1 r1 10.0.10.9/24 10.0.10.1/24 || exit 1
link r1 r2 10.0.12.1/24 10.0.12.2/24 || exit 1
link r2 r3 10.0.23.2/24 10.0.23.3/24 || exit 1
stub f1 stub0 10.9.0.1/24 10.9.0.2 || exit 1
stub r1 stub0 10.1.0.1/24 10.1.0.2 || exit 1
stub r2 stub0 10.2.0.1/24 10.2.0.2 || exit 1
stub r3 stub0 10.3.0.1/24 10.3.0.2 || exit 1

echo "== starting FRR (zebra + ripd) in f1 and riposted in r1 r2 r3 (timers basic 5 15 10)"
frr_conf f1
start_frr f1 || exit 1
for r in "${ROUTERS[@]}"; do
	riposted_conf "$r"
	start_riposted "$r" || exit 1
done
echo "   riposted config of r1:"
sed 's/^/     | /' "$T_DIR/r1.conf"

# converged: every router has a kernel route to every other router's stub
conds=()
for n in f1 "${ROUTERS[@]}"; do
	c=""
	for m in f1 "${ROUTERS[@]}"; do
		[[ $m == "$n" ]] && continue
		c+="${c:+ && }has_kroute $n ${STUB[$m]}"
	done
	conds+=("$n" "$c")
done
echo "== waiting for convergence (at most 60 s)"
if wait_all 60 "${conds[@]}"; then
	for n in f1 "${ROUTERS[@]}"; do echo "   $n has routes to all stubs after $(elapsed_s "${WAIT_MS[$n]}") s"; done
	converged=1
else
	for n in f1 "${ROUTERS[@]}"; do
		if ((WAIT_MS[$n] >= 0)); then echo "   $n: converged after $(elapsed_s "${WAIT_MS[$n]}") s"; else echo "   $n: NOT converged"; fi
	done
	converged=0
fi

for r in "${ROUTERS[@]}"; do
	echo
	echo "== $r: ripostectl show routes"
	rctl "$r" show routes | sed 's/^/   /'
	echo "== $r: kernel routes (ip route; riposted's are proto $RP)"
	ipn "$r" -4 route show | sed 's/^/   /'
done
echo
echo "== f1 (FRR): show ip rip"
vtysh_n f1 'show ip rip' | sed 's/^/   /'
echo "== f1 (FRR): kernel routes (ip route; FRR's are proto rip)"
ipn f1 -4 route show | sed 's/^/   /'

echo
echo "== ping from the host behind f1 (10.9.0.2) to the host behind r3 (10.3.0.2)"
if nsx f1_stub0 ping -c 3 -i 0.2 -W 1 10.3.0.2 | sed 's/^/   /'; then :; fi

echo
if ((converged)); then
	echo "== demo done: all four routers converged; cleaning up"
	exit 0
fi
echo "== demo FAILED: not converged within 60 s; cleaning up" >&2
exit 1
