#!/usr/bin/env bash
# t_svc_service_death.sh - the DNS service on s1 dies (kill -9 of its
# riposte-dns) while its host and riposted live on: riposted on s1 sees the
# check fail, withdraws 10.128.224.2/32 (metric 16, at once) and removes
# the address from lo; r1 switches to the alternate through r2 and c1's
# queries are answered by s2 within 1 s.  The seed saw ~4 minutes here.
#
#   c1 -- r1 ---- r2        riposted on r1, r2, s1, s2; riposte-dns on s1, s2
#         |[sw1]  |[sw2]    c1 probes 10.128.224.2 at 100 q/s (riposte-probe)
#         s1      s2
#
# Case 1: the service has `check process` (pidfd: the death is seen at once)
#         and `check dns`.
# Case 2: only `check dns` (polling every 200 ms, fall 2): s1's riposted is
#         restarted with that config and riposte-dns on s1 started again.
# Each: takeover (fault -> first answer from s2) <= 1000 ms; s1's
# `show services` says down, with the failing check's reason; the address
# is gone from s1's lo.
# shellcheck disable=SC2016,SC2119 # single-quoted strings are eval'd later, on purpose; seed_lab takes no arguments here
set -u
# shellcheck source=tests/netns/seed.sh
. "$(dirname "$0")/seed.sh"

RATE=${RPT_PROBE_RATE:-100}
LIMIT_MS=${RPT_TAKEOVER_LIMIT_MS:-1000}

seed_lab || bail "lab: topology, riposte-dns and riposted on r1 r2 s1 s2, converged"
ok "lab converged: c1 answered by s1, r1 and r2 hold alternates"
check "riposted on s1 added $ANYCAST/32 to lo" has_addr s1 "$ANYCAST/32"
check "s1 announces its service" eval '[[ $(svc_field s1 ".services[0].announced") == true ]]'

# one_case LABEL: probe, kill -9 s1's riposte-dns, analyse, assert.
one_case() {
	local label=$1 csv=$T_DIR/probe-$1.csv fault an js
	probe_start "$ANYCAST" "$RATE" "$csv" || bail "$label: probe in c1"
	sleep 2
	fault=$(us_now)
	seed_kill KILL "${SEED_DNSPID[s1]}"
	wait_until 5 eval '[[ $(anycast_node) == s2 ]]'
	sleep 2
	probe_stop
	an=$(probe_analyze "$csv" "$fault") || { not_ok "$label: probe --analyze failed"; return; }
	probe_say "$an"
	local tk node
	tk=$(pj "$an" '.takeover_ms'); node=$(pj "$an" '.takeover_node')
	say "RESULT t_svc_service_death $label takeover_ms=$tk outage_ms=$(pj "$an" .outage_ms) failed=$(pj "$an" .failed) rate=$RATE"
	check_eq "$label: answered by s1 before the fault" s1 "$(pj "$an" '.before // .first_node')"
	check_eq "$label: taken over by s2" s2 "$node"
	check_le "$label: c1 answered by s2 within $LIMIT_MS ms of the kill (ms)" "${tk%.*}" "$LIMIT_MS"
	check_eq "$label: still answered by s2 at the end" s2 "$(pj "$an" .last_node)"
	check_within 2 "$label: s1's service is down" svc_is s1 down
	js=$(svc_json s1)
	say "$label: s1 show services: $(jq -c '.services[0]' <<<"$js")"
	check_eq "$label: s1 no longer announces" false "$(pj "$js" '.services[0].announced')"
	check "$label: s1 names the failing check and why" \
		jq -e '[.services[0].checks[] | select(.last == "fail" and (.reason // "") != "")] | length > 0' <<<"$js"
	check_within 2 "$label: $ANYCAST/32 gone from s1's lo" eval "! has_addr s1 $ANYCAST/32"
	check_within 2 "$label: r1 routes $ANYCAST via r2" has_kroute r1 "$ANYCAST/32" via 10.128.8.2
}

one_case process

# ---- case 2: only the dns check (polling)
stop_riposted s1 || not_ok "riposted on s1 did not stop on SIGTERM"
seed_dns s1 || bail "riposte-dns on s1 again"
_seed_conf s1 server "no check process"
grep -q 'check process' "$T_DIR/s1.conf" && bail "config still has the process check"
start_riposted s1 || bail "riposted on s1 again, dns check only"
check_within 10 "s1's service up again (dns check only)" svc_is s1 up
check_within 20 "c1 answered by s1 again, r1 and r2 hold alternates" _seed_converged s1 1
one_case polling

for n in r1 r2 s1 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
check "riposte-dns on s2 still running" alive "${SEED_DNSPID[s2]}"
t_done
