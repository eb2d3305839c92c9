#!/usr/bin/env bash
# t_kernel_sync.sh - riposted follows the kernel without a restart:
# - `redistribute connected` carries a /32 on lo (the seed's anycast
#   10.128.224.2/32) even though no `network` statement covers it;
# - a route of ours that someone deletes is put back;
# - an interface that gets an address inside a `network` prefix after start
#   starts RIP there (a new neighbour's routes arrive);
# - a link going down invalidates the routes learned over it at once, not
#   after the 180 s timeout (timers are left at their defaults here).
#
#   r2 (lo 10.128.224.2/32, stub 10.2.2.0/24) --- r1 --- r3 (stub 10.3.3.0/24)
#              10.0.12.0/24                          10.0.13.0/24 (added later)
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

ns_router r1 r2 r3
link r1 r2 10.0.12.1/24 10.0.12.2/24 || bail "link r1-r2"
stub r2 stub0 10.2.2.1/24 || bail "stub r2"
stub r3 stub0 10.3.3.1/24 || bail "stub r3"
ipn r2 addr add 10.128.224.2/32 dev lo || bail "anycast address on r2's lo"

conf() { # conf NODE NETWORK... : default timers (30 180 120)
	local n=$1 x; shift
	{ echo "hostname $n"; echo "log stdout informational"; echo "router rip"; echo " version 2"
	  for x in "$@"; do echo " $x"; done; echo "!"; } >"$T_DIR/$n.conf"
}
# r2: RIP only on its links; the /32 on lo goes out through redistribute connected.
conf r1 "network 10.0.0.0/8"
conf r2 "network 10.0.12.0/24" "network 10.2.2.0/24" "redistribute connected"
conf r3 "network 10.0.0.0/8"
for r in r1 r2 r3; do start_riposted "$r" || bail "start riposted in $r"; done

T=${RPT_CONVERGE_S:-20}
check_within "$T" "r1 installed r2's lo /32 10.128.224.2 (redistribute connected)" \
	has_kroute r1 10.128.224.2 proto "$RP" via 10.0.12.2
check_within "$T" "r1 installed r2's stub 10.2.2.0/24" has_kroute r1 10.2.2.0/24 proto "$RP" via 10.0.12.2

# ---- put back: someone deletes our route
ipn r1 route del 10.2.2.0/24 proto "$RP" || bail "deleting r1's route"
t0=$(ms_now)
check_within 2 "r1 put its deleted route 10.2.2.0/24 back" has_kroute r1 10.2.2.0/24 proto "$RP" via 10.0.12.2
say "RESULT put-back $(($(ms_now) - t0)) ms"

# ---- a new address on an interface inside `network 10.0.0.0/8` starts RIP there
check "r1 does not know r3's stub yet" no_kroute r1 10.3.3.0/24
ipn r1 link add veth-r1r3 type veth peer name veth-r3r1 netns "$(nsname r3)" || bail "veth r1-r3"
ipn r1 link set veth-r1r3 up && ipn r3 link set veth-r3r1 up || bail "veth r1-r3 up"
ipn r3 addr add 10.0.13.3/24 dev veth-r3r1 || bail "r3 address"
sleep 1 # r3 starts RIP on its side first; r1 only gets its address now
t0=$(ms_now)
ipn r1 addr add 10.0.13.1/24 dev veth-r1r3 || bail "r1 address"
check_within "$T" "r1 started RIP on the new interface and learned r3's stub 10.3.3.0/24" \
	has_kroute r1 10.3.3.0/24 proto "$RP" via 10.0.13.3
say "RESULT new-interface $(($(ms_now) - t0)) ms"
check "r1 show interfaces: veth-r1r3 runs RIP" \
	eval "rctl r1 show interfaces --json | jq -e '.interfaces[] | select(.name == \"veth-r1r3\") | .enabled'"

# ---- link down: routes learned over it go at once (not after 180 s)
t0=$(ms_now)
ipn r1 link set veth-r1r2 down || bail "link down"
check_within 2 "r1 dropped 10.2.2.0/24 from its RIB when its link went down" rt_lacks r1 10.2.2.0/24
check "r1 has no kernel route to 10.2.2.0/24" no_kroute r1 10.2.2.0/24
say "RESULT link-down $(($(ms_now) - t0)) ms"
check_within 5 "r3 hears the withdrawal of 10.2.2.0/24 (triggered update, not a 180 s timeout)" \
	no_kroute r3 10.2.2.0/24 proto "$RP"
ipn r1 link set veth-r1r2 up || bail "link up"
check_within "$T" "after the link comes back r1 relearns 10.2.2.0/24" has_kroute r1 10.2.2.0/24 proto "$RP" via 10.0.12.2

t_done
