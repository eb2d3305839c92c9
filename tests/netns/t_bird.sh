#!/usr/bin/env bash
# t_bird.sh - riposted next to BIRD 2 (Debian's bird2), both directions: each
# installs the other's stub network in its kernel (ours with rtm_protocol RTPROT_RIPOSTE,
# BIRD's with proto bird), and withdrawals are followed both ways.
# BIRD: protocol device + direct (its connected networks go into RIP) +
# kernel (exports the RIP routes) + rip on veth-*, timers 5 15 10.
#
#   r1_stub0 --- r1 (riposted) ------------ b1 (BIRD) --- b1_stub0
#   10.1.1.0/24    10.0.18.1    10.0.18.0/24   10.0.18.8   10.8.8.0/24
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

ns_router r1 b1
link r1 b1 10.0.18.1/24 10.0.18.8/24 || bail "link r1-b1"
stub r1 stub0 10.1.1.1/24 10.1.1.2 || bail "stub r1"
stub b1 stub0 10.8.8.1/24 10.8.8.2 || bail "stub b1"

T=${RPT_CONVERGE_S:-20}
bird_conf b1
start_bird b1 || bail "start BIRD in b1"
riposted_conf r1
start_riposted r1 || bail "start riposted in r1"
ok "BIRD and riposted started"

check_within "$T" "riposted installed BIRD's stub 10.8.8.0/24 (proto $RP via 10.0.18.8)" \
	has_kroute r1 10.8.8.0/24 proto "$RP" via 10.0.18.8
check_within "$T" "BIRD installed riposted's stub 10.1.1.0/24 (proto bird via 10.0.18.1)" \
	has_kroute b1 10.1.1.0/24 proto bird via 10.0.18.1
check_within 5 "riposted RIB: 10.8.8.0/24 metric 2 via 10.0.18.8, origin rip" \
	eval "rt_json r1 | jq -e '[.routes[] | select(.prefix == \"10.8.8.0/24\" and .state == \"active\" and .metric == 2 and .nexthop == \"10.0.18.8\" and .origin == \"rip\")] | length == 1'"
check "BIRD's RIP route 10.1.1.0/24 has metric 2" \
	eval "birdc_n b1 show route 10.1.1.0/24 all | grep -q 'RIP.metric: 2'"
check "BIRD lists riposted as a RIP neighbour" eval "birdc_n b1 show rip neighbors | grep -q '^10\.0\.18\.1 '"
check_within 5 "host behind r1 reaches the host behind b1 (ping)" nsx r1_stub0 ping -c1 -W1 10.8.8.2
sleep 6   # at least one periodic update each way
our_bad=$(nbr_bad r1 10.0.18.8)
check_eq "riposted counts no bad packets or routes from BIRD" 0 "$our_bad"
check "BIRD's route to 10.1.1.0/24 still there after periodic updates" has_kroute b1 10.1.1.0/24 proto bird via 10.0.18.1

# Withdrawals, both directions: a stub goes down.
ipn b1 link set stub0 down
check_within "$T" "riposted removed 10.8.8.0/24 after BIRD's stub went down" no_kroute r1 10.8.8.0/24
ipn b1 link set stub0 up
check_within "$T" "riposted re-learned 10.8.8.0/24 after it came back" has_kroute r1 10.8.8.0/24 proto "$RP" via 10.0.18.8
ipn r1 link set stub0 down
check_within "$T" "BIRD removed 10.1.1.0/24 after riposted's stub went down" no_kroute b1 10.1.1.0/24
ipn r1 link set stub0 up
check_within "$T" "BIRD re-learned 10.1.1.0/24 after it came back" has_kroute b1 10.1.1.0/24 proto bird via 10.0.18.1

check "riposted still running" alive "$(riposted_pid r1)"
t_done
