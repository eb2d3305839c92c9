#!/usr/bin/env bash
# t_peers.sh - the test bed itself, without riposted: FRR ripd (zebra + ripd)
# and BIRD 2 exchange their stub networks over RIPv2 and install them in
# their kernels.  When this fails, the interop tests' failures say nothing
# about riposted: the peers or the namespaces are broken on this machine.
#
#   f1_stub0 --- f1 (FRR) 10.0.78.7 ---- 10.0.78.8 b1 (BIRD) --- b1_stub0
#   10.7.7.0/24                                                 10.8.8.0/24
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

ns_router f1 b1
link f1 b1 10.0.78.7/24 10.0.78.8/24 || bail "topology"
stub f1 stub0 10.7.7.1/24 10.7.7.2 || bail "stub f1"
stub b1 stub0 10.8.8.1/24 10.8.8.2 || bail "stub b1"

frr_conf f1
start_frr f1 || bail "start FRR in f1"
bird_conf b1
start_bird b1 || bail "start BIRD in b1"
ok "FRR (zebra $(cat "$T_DIR/frr-f1/zebra.pid"), ripd $(cat "$T_DIR/frr-f1/ripd.pid")) and BIRD ($(bird_pid b1)) started"

check_within 20 "FRR installed BIRD's stub 10.8.8.0/24 (proto rip, via 10.0.78.8)" \
	has_kroute f1 10.8.8.0/24 proto rip via 10.0.78.8
check_within 20 "BIRD installed FRR's stub 10.7.7.0/24 (proto bird, via 10.0.78.7)" \
	has_kroute b1 10.7.7.0/24 proto bird via 10.0.78.7
check "FRR's 'show ip rip' lists 10.8.8.0/24 with metric 2" \
	eval "vtysh_n f1 'show ip rip' | grep -E '^R\(n\) +10\.8\.8\.0/24 +10\.0\.78\.8 +2 '"
check "BIRD's RIP table has 10.7.7.0/24 with metric 2" \
	eval "birdc_n b1 show route 10.7.7.0/24 all | grep -q 'RIP.metric: 2'"
check_within 5 "host behind f1 reaches the host behind b1 (ping)" nsx f1_stub0 ping -c1 -W1 10.8.8.2

# A withdrawal by taking a stub down: FRR and BIRD drop it after the poison.
t0=$(ms_now)
ipn b1 link set stub0 down
check_within 20 "FRR removed 10.8.8.0/24 after BIRD's stub went down" no_kroute f1 10.8.8.0/24
say "FRR dropped it $(elapsed_s $(($(ms_now) - t0))) s after the link went down"
t_done
