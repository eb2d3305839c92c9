#!/usr/bin/env bash
# t_sigterm.sh - on SIGTERM riposted poisons (metric 16) everything it
# advertises, removes its kernel routes and exits within 2 s; its FRR and
# BIRD neighbours drop the routes through it within 2 s (FRR and BIRD would
# otherwise keep them until their 180 s timeout; here timers are 5 15 10 on
# all sides, so anything slower than the 2 s bound would still fail).
#
#   f1_stub0 --- f1 (FRR) ---- r1 (riposted) ---- b1 (BIRD) --- b1_stub0
#   10.9.9.0/24       10.0.19.0/24  |  10.0.18.0/24              10.8.8.0/24
#                               r1_stub0 10.1.1.0/24
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

ns_router r1 f1 b1
link r1 f1 10.0.19.1/24 10.0.19.9/24 || bail "link r1-f1"
link r1 b1 10.0.18.1/24 10.0.18.8/24 || bail "link r1-b1"
stub r1 stub0 10.1.1.1/24 || bail "stub r1"
stub f1 stub0 10.9.9.1/24 || bail "stub f1"
stub b1 stub0 10.8.8.1/24 || bail "stub b1"
T=${RPT_CONVERGE_S:-20}
LIMIT_MS=${RPT_SIGTERM_LIMIT_MS:-2000}

frr_conf f1
start_frr f1 || bail "start FRR in f1"
bird_conf b1
start_bird b1 || bail "start BIRD in b1"
riposted_conf r1
start_riposted r1 || bail "start riposted in r1"
ok "FRR, BIRD and riposted started"

# Converged: each peer has r1's stub, the far link and the other peer's stub
# through r1; r1 has both peers' stubs.
check_within "$T" "FRR has r1's stub, the r1-b1 link and BIRD's stub via r1" eval \
	'has_kroute f1 10.1.1.0/24 proto rip via 10.0.19.1 && has_kroute f1 10.0.18.0/24 proto rip via 10.0.19.1 && has_kroute f1 10.8.8.0/24 proto rip via 10.0.19.1'
check_within "$T" "BIRD has r1's stub, the r1-f1 link and FRR's stub via r1" eval \
	'has_kroute b1 10.1.1.0/24 proto bird via 10.0.18.1 && has_kroute b1 10.0.19.0/24 proto bird via 10.0.18.1 && has_kroute b1 10.9.9.0/24 proto bird via 10.0.18.1'
check_within "$T" "riposted has both peers' stubs" eval \
	'has_kroute r1 10.9.9.0/24 proto $RP && has_kroute r1 10.8.8.0/24 proto $RP'
say "kernel routes of r1 (proto $RP) before SIGTERM: $(kroute_count r1 proto "$RP")"
sleep 2   # let a triggered-update suppression window pass

PID=$(riposted_pid r1)
kill -TERM "$PID"
wait_all 4 \
	exited "dead $PID" \
	own_routes '[[ $(kroute_count r1 proto $RP) == 0 ]]' \
	frr_stub 'no_kroute f1 10.1.1.0/24' \
	frr_link 'no_kroute f1 10.0.18.0/24' \
	frr_bird 'no_kroute f1 10.8.8.0/24' \
	bird_stub 'no_kroute b1 10.1.1.0/24' \
	bird_link 'no_kroute b1 10.0.19.0/24' \
	bird_frr 'no_kroute b1 10.9.9.0/24'
line="RESULT t_sigterm"
for k in exited own_routes frr_stub frr_link frr_bird bird_stub bird_link bird_frr; do line+=" $k=${WAIT_MS[$k]}"; done
say "$line (ms after SIGTERM, -1 = not within 4 s)"
within() { # within LABEL DESC
	local ms=${WAIT_MS[$1]}
	if ((ms >= 0 && ms <= LIMIT_MS)); then ok "$2 ($ms ms)"; elif ((ms > LIMIT_MS)); then not_ok "$2 (took $ms ms > $LIMIT_MS ms)"; else not_ok "$2 (not within 4 s)"; fi
}
within exited "riposted exited within 2 s of SIGTERM"
within own_routes "riposted removed all its kernel routes (proto $RP)"
within frr_stub "FRR dropped r1's stub 10.1.1.0/24"
within frr_link "FRR dropped the r1-b1 link 10.0.18.0/24 (advertised by r1)"
within frr_bird "FRR dropped BIRD's stub 10.8.8.0/24 (learned through r1)"
within bird_stub "BIRD dropped r1's stub 10.1.1.0/24"
within bird_link "BIRD dropped the r1-f1 link 10.0.19.0/24 (advertised by r1)"
within bird_frr "BIRD dropped FRR's stub 10.9.9.0/24 (learned through r1)"
if dead "$PID"; then
	reap r1
	check_eq "riposted's exit status after SIGTERM" 0 "$STOP_RC"
fi
check "FRR still running" eval 'for p in $(frr_pids f1); do alive $p || exit 1; done'
check "BIRD still running" alive "$(bird_pid b1)"
t_done
