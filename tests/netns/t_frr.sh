#!/usr/bin/env bash
# t_frr.sh - riposted next to FRR's ripd (zebra + ripd from Debian's frr),
# both directions: each installs the other's stub network in its kernel
# (ours with rtm_protocol $RP (RTPROT_RIPOSTE), FRR's zebra with proto rip = 189), neither
# counts the other's packets as bad, and withdrawals are followed both ways.
#
#   r1_stub0 --- r1 (riposted) ------------ f1 (FRR) --- f1_stub0
#   10.1.1.0/24    10.0.19.1    10.0.19.0/24   10.0.19.9   10.9.9.0/24
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

ns_router r1 f1
link r1 f1 10.0.19.1/24 10.0.19.9/24 || bail "link r1-f1"
stub r1 stub0 10.1.1.1/24 10.1.1.2 || bail "stub r1"
stub f1 stub0 10.9.9.1/24 10.9.9.2 || bail "stub f1"

T=${RPT_CONVERGE_S:-20}
frr_conf f1
start_frr f1 || bail "start FRR (zebra + ripd) in f1"
riposted_conf r1
start_riposted r1 || bail "start riposted in r1"
ok "FRR and riposted started"

check_within "$T" "riposted installed FRR's stub 10.9.9.0/24 (proto $RP via 10.0.19.9)" \
	has_kroute r1 10.9.9.0/24 proto "$RP" via 10.0.19.9
check_within "$T" "FRR installed riposted's stub 10.1.1.0/24 (proto rip via 10.0.19.1)" \
	has_kroute f1 10.1.1.0/24 proto rip via 10.0.19.1
check_within 5 "riposted RIB: 10.9.9.0/24 metric 2 via 10.0.19.9, origin rip" \
	eval "rt_json r1 | jq -e '[.routes[] | select(.prefix == \"10.9.9.0/24\" and .state == \"active\" and .metric == 2 and .nexthop == \"10.0.19.9\" and .origin == \"rip\")] | length == 1'"
check "FRR's 'show ip rip': 10.1.1.0/24 metric 2 from 10.0.19.1" \
	eval "vtysh_n f1 'show ip rip' | grep -Eq '^R\(n\) +10\.1\.1\.0/24 +10\.0\.19\.1 +2 +10\.0\.19\.1 '"
check_within 5 "host behind r1 reaches the host behind f1 (ping)" nsx r1_stub0 ping -c1 -W1 10.9.9.2

# FRR counts what it did not like in our packets; we count what we did not like in FRR's.
sleep 6   # at least one periodic update each way
st=$(vtysh_n f1 'show ip rip status')
frr_bad=$(awk '$1 == "10.0.19.1" { print $2 + $3 }' <<<"$st")
check_eq "FRR counts no bad packets or routes from riposted" 0 "${frr_bad:-missing}"
our_bad=$(nbr_bad r1 10.0.19.9)
check_eq "riposted counts no bad packets or routes from FRR" 0 "$our_bad"
check "riposted lists FRR as a neighbour" eval "rctl r1 show neighbors --json | jq -e '[.neighbors[].address] | index(\"10.0.19.9\")'"

# Withdrawals, both directions: a stub goes down.
ipn f1 link set stub0 down
check_within "$T" "riposted removed 10.9.9.0/24 after FRR's stub went down" no_kroute r1 10.9.9.0/24
ipn f1 link set stub0 up
check_within "$T" "riposted re-learned 10.9.9.0/24 after it came back" has_kroute r1 10.9.9.0/24 proto "$RP" via 10.0.19.9
ipn r1 link set stub0 down
check_within "$T" "FRR removed 10.1.1.0/24 after riposted's stub went down" no_kroute f1 10.1.1.0/24
ipn r1 link set stub0 up
check_within "$T" "FRR re-learned 10.1.1.0/24 after it came back" has_kroute f1 10.1.1.0/24 proto rip via 10.0.19.1

check "riposted still running" alive "$(riposted_pid r1)"
t_done
