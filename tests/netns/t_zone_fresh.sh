#!/usr/bin/env bash
# t_zone_fresh.sh - a node whose secondary zone falls behind the hidden
# primary withdraws itself (riposted's `check zone`), and comes back when it
# has caught up (issue 12, "Freshness as part of the anycast health").
#
#   c1 -- r1 ---- r2        the seed lab (seed.sh), plus a hidden primary pr
#         |[sw1]  |[sw2]    (knotd, its own config, rundir and storage in
#         s1      s2        $T_DIR) linked to s1 and s2 only:
#          \      /           pr 10.128.9.1  -- s1 10.128.9.2
#           \    /            pr 10.128.10.1 -- s2 10.128.10.2
#             pr
#
# s1 and s2 run a secondary of home. from pr (NOTIFY + IXFR), chosen by
# RPT_SECONDARY (riposte-dns by default; nsd selectable), and
# riposted with a service for 10.128.224.2 whose checks are the seed's dns
# and process checks plus
#     check zone 127.0.0.1 home primary PR-ADDRESS max-lag 3s
# Scenario, under riposte-probe at c1 (100 q/s):
#   1. both nodes serve serial 1 and announce;
#   2. pr's ACL stops transfers to s1 (knotc reload), then pr gets serial 2:
#      s2 follows, s1 stays at 1 -> after max-lag s1's check fails, s1
#      withdraws (r1 routes through r2), c1 is answered by s2;
#   3. transfers to s1 allowed again: s1 refreshes (SOA retry 2 s) and is
#      announced again; c1 answered by s1;
#   4. pr publishes SOA timers refresh 2 s, retry 1 s, expire 10 s, then
#      s1's link to pr is cut: s1 cannot refresh and its copy will expire
#      (SERVFAIL).  The zone check sees pr silent and withdraws s1 BEFORE
#      that: once pr has not shown s1's serial for EXPIRE - REFRESH -
#      margin (8 s - 1.6 s: the default margin is twice the service's
#      reaction, 200ms + 2 x 300ms); the test then waits for s1's copy to
#      expire (SERVFAIL at 127.0.0.1 on s1, seen by nobody else) and
#      measures how long before that s1 was withdrawn; the link back: s1
#      refreshes and is announced again.
# No query of c1's may fail (no SERVFAIL, no timeout), in every phase.
# Prints the figures: lag detected after X s (serial 2 committed on pr ->
# s1's service down), withdrawn at r1 after Y ms (s1 down -> r1 routes via
# r2), back after Z s, withdrawn after the cut, its copy expired after the
# cut, the lead between the two, failed queries.
# shellcheck disable=SC2016,SC2317 # single-quoted strings are eval'd later; start_secondary_* are called by name
set -u
# shellcheck source=tests/netns/seed.sh
. "$(dirname "$0")/seed.sh"

# The secondary on s1 and s2: riposte-dns or nsd.
SECONDARY=${RPT_SECONDARY:-riposte-dns}
RATE=${RPT_PROBE_RATE:-100}
MAXLAG_S=3
declare -A PRIMARY=([s1]=10.128.9.1 [s2]=10.128.10.1) SELF=([s1]=10.128.9.2 [s2]=10.128.10.2)
declare -A SEC_PID=()
KNOT_PID=""

for tool in knotd knotc dig jq; do
	command -v "$tool" >/dev/null || bail "$tool is not installed"
done
case $SECONDARY in
nsd) command -v nsd >/dev/null || bail "nsd is not installed" ;;
riposte-dns) [[ -x ${RIPOSTE_DNS:-} ]] || bail "riposte-dns not built (RIPOSTE_DNS=${RIPOSTE_DNS:-})" ;;
*) bail "RPT_SECONDARY: riposte-dns or nsd, not '$SECONDARY'" ;;
esac

# ------------------------------------------------------------------ the primary
KD=$T_DIR/knot
knot_conf() { # knot_conf ACL...: the transfer ACLs of home. (xfr_s1 xfr_s2)
	local acl
	acl=$(IFS=,; echo "$*")
	cat >"$KD/knot.conf" <<EOF
server:
    rundir: "$KD/run"
    listen: [ 10.128.9.1@53, 10.128.10.1@53 ]
log:
  - target: stdout
    any: info
database:
    storage: "$KD/db"
remote:
  - id: s1
    address: ${SELF[s1]}@53
  - id: s2
    address: ${SELF[s2]}@53
acl:
  - id: xfr_s1
    address: ${SELF[s1]}
    action: transfer
  - id: xfr_s2
    address: ${SELF[s2]}
    action: transfer
template:
  - id: default
    storage: "$KD/zones"
    zonefile-sync: -1
    journal-content: changes
zone:
  - domain: home
    file: home.zone
    notify: [ s1, s2 ]
    acl: [ $acl ]
EOF
}
start_knot() {
	mkdir -p "$KD/run" "$KD/db" "$KD/zones"
	# refresh 5 s, retry 2 s: a refused transfer is tried again soon
	cat >"$KD/zones/home.zone" <<EOF
\$ORIGIN home.
\$TTL 60
@	IN SOA ns1 hostmaster 1 5 2 3600 60
@	IN NS ns1
ns1	IN A $ANYCAST
test	IN A 10.0.0.1
EOF
	knot_conf xfr_s1 xfr_s2
	ip netns exec "$T_PFX"pr knotd -c "$KD/knot.conf" </dev/null >>"$T_DIR/knot.log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
	KNOT_PID=$!
	_track "$KNOT_PID" "knotd pr"
	T_LOGS+=("$T_DIR/knot.log")
	wait_until 10 knotc_ zone-status home
}
knotc_() { ip netns exec "$T_PFX"pr knotc -c "$KD/knot.conf" -s "$KD/run/knot.sock" -t 5 "$@"; }
# knot_change: a new serial on pr (Knot increments it), through its journal: IXFR material.
knot_change() {
	knotc_ zone-begin home >/dev/null &&
		knotc_ zone-set home "change$1" 60 TXT "change $1" >/dev/null &&
		knotc_ zone-commit home >/dev/null
}

# ------------------------------------------------------------------ the secondaries
# start_secondary NODE: a secondary of home. from PRIMARY[NODE] on NODE, port 53
# (127.0.0.1, the anycast address, SELF[NODE] for pr's NOTIFY), identity and
# NSID NODE, pidfile $T_DIR/NODE.dns.pid (the seed's `check process`).
start_secondary() { "start_secondary_${SECONDARY//-/_}" "$1"; }

start_secondary_nsd() {
	local n=$1 d=$T_DIR/nsd-$1
	mkdir -p "$d"
	cat >"$d/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1
    ip-address: $ANYCAST
    ip-address: ${SELF[$n]}
    ip-freebind: yes
    port: 53
    username: ""
    chroot: ""
    zonesdir: "$d"
    database: ""
    zonelistfile: "$d/zone.list"
    xfrdfile: "$d/xfrd.state"
    xfrdir: "$d"
    pidfile: "$T_DIR/$n.dns.pid"
    logfile: "$d/nsd.log"
    identity: "$n"
    nsid: "ascii_$n"
    server-count: 1
    verbosity: 2
remote-control:
    control-enable: no
zone:
    name: home
    zonefile: "home.zone"
    request-xfr: ${PRIMARY[$n]} NOKEY
    allow-notify: ${PRIMARY[$n]} NOKEY
EOF
	rm -f "$T_DIR/$n.dns.pid"
	ip netns exec "$T_PFX$n" nsd -d -c "$d/nsd.conf" </dev/null >>"$d/nsd.out" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
	SEC_PID[$n]=$!
	_track "${SEC_PID[$n]}" "nsd $n"
	T_LOGS+=("$d/nsd.log" "$d/nsd.out")
}

# riposte-dns as the secondary (issue 12's syntax, branch h-sec).
start_secondary_riposte_dns() {
	local n=$1 d=$T_DIR/dns-$1 log=$T_DIR/$1.dns.log
	mkdir -p "$d"
	cat >"$d/riposte-dns.conf" <<EOF
listen 0.0.0.0@53
zone home secondary ${PRIMARY[$n]}
zone home file $d/home.zone
identity $n
workers 1
rrl-rate 0
control none
EOF
	rm -f "$T_DIR/$n.dns.pid"
	ip netns exec "$T_PFX$n" "$RIPOSTE_DNS" -d -c "$d/riposte-dns.conf" -p "$T_DIR/$n.dns.pid" \
		</dev/null >>"$log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
	SEC_PID[$n]=$!
	_track "${SEC_PID[$n]}" "riposte-dns $n"
	T_LOGS+=("$log")
}

# serial NODE [ADDRESS]: the serial of home. that NODE's secondary serves (or ADDRESS answers).
serial() {
	local s
	s=$(nsx "$1" dig +short +norec +time=1 +tries=1 @"${2:-127.0.0.1}" home SOA 2>/dev/null) || return 1
	s=$(awk '{ print $3 }' <<<"$s")
	[[ $s =~ ^[0-9]+$ ]] && echo "$s"
}
serial_is() { [[ $(serial "$1") == "$2" ]]; }
reason() { svc_field "$1" '[.services[0].checks[] | select(.last == "fail") | .reason] | join("; ")'; }
routes_via() { has_kroute r1 "$ANYCAST/32" via "$1"; }

# ------------------------------------------------------------------ the lab
seed_topology --bridge || bail "lab: topology"
ns_add pr || bail "lab: pr"
link pr s1 10.128.9.1/24 10.128.9.2/24 || bail "lab: pr -- s1"
link pr s2 10.128.10.1/24 10.128.10.2/24 || bail "lab: pr -- s2"
start_knot || bail "knotd on pr did not start"
ok "knotd on pr serves home. (serial $(serial s1 10.128.9.1))"
for n in s1 s2; do start_secondary "$n"; done
for n in s1 s2; do
	check_within 10 "$n: $SECONDARY transferred home. from pr (serial 1)" serial_is "$n" 1 ||
		bail "$n: no transfer"
done
for n in r1 r2; do seed_riposted_router "$n" || bail "riposted on $n"; done
for n in s1 s2; do
	seed_riposted_server "$n" "check zone 127.0.0.1 home primary ${PRIMARY[$n]} max-lag ${MAXLAG_S}s" ||
		bail "riposted on $n"
done
grep -q "check zone 127.0.0.1 home primary ${PRIMARY[s1]} max-lag ${MAXLAG_S}s" "$T_DIR/s1.conf" ||
	bail "s1's config has no zone check"
wait_all 15 s1 'svc_is s1 up' s2 'svc_is s2 up' ||
	bail "services not up within 15 s: s1 $(svc_state s1) ($(reason s1)), s2 $(svc_state s2) ($(reason s2))"
ok "both services up, their zone checks passing"
check_within 20 "r1 and r2 hold the anycast route and an alternate" \
	eval '_router_has r1 alt && _router_has r2 alt && [[ $(anycast_node) == s1 ]]'

# c1 asks a name of the zone (so a SERVFAIL counts as a failure), the node named by NSID.
PROBE_ARGS=(-q test.home -T A -i nsid)
CSV=$T_DIR/probe.csv
probe_start "$ANYCAST" "$RATE" "$CSV" "${PROBE_ARGS[@]}" || bail "probe in c1"
sleep 1

# ---- 2. s1 cannot transfer any more; pr gets serial 2
knot_conf xfr_s2
knotc_ reload >/dev/null || bail "knotc reload (ACL without s1)"
ok "pr: transfers to s1 refused from now on"
sleep 0.5
t_change=$(ms_now)
knot_change 2 || bail "knotc: a change on pr"
check_within 5 "s2 follows pr to serial 2 (NOTIFY + IXFR)" serial_is s2 2
check_eq "s1 still serves serial 1" 1 "$(serial s1)"
if wait_until $((MAXLAG_S + 5)) eval '! svc_is s1 up'; then
	t_down=$(ms_now)
	lag_ms=$((t_down - t_change))
	ok "s1's service withdrawn $(elapsed_s "$lag_ms") s after the change"
else
	not_ok "s1's service still up $((MAXLAG_S + 5)) s after the change: $(svc_state s1), $(reason s1)"
	t_down=$(ms_now); lag_ms=-1
fi
check_gt "not before max-lag (ms)" "$lag_ms" $((MAXLAG_S * 1000 - 1))
check_le "within max-lag + 1 s (ms)" "$lag_ms" $((MAXLAG_S * 1000 + 1000))
why=$(reason s1)
say "s1: $why"
check "s1 says why: serial 1 behind 2" grep -q "zone home.: serial 1 behind 2 (primary ${PRIMARY[s1]}) for" <<<"$why"
check_within 2 "r1 routes $ANYCAST via r2" routes_via 10.128.8.2
wd_ms=$(($(ms_now) - t_down))
check_within 3 "c1 answered by s2" eval '[[ $(anycast_node) == s2 ]]'
check "s2 still up" svc_is s2 up
check_eq "s1 still serves (stale) serial 1" 1 "$(serial s1)"

# ---- 3. s1 may transfer again
sleep 1
knot_conf xfr_s1 xfr_s2
knotc_ reload >/dev/null || bail "knotc reload (ACL with s1)"
t_allow=$(ms_now)
check_within 10 "s1 refreshes to serial 2" serial_is s1 2
check_within 5 "s1's service up again" svc_is s1 up
back_ms=$(($(ms_now) - t_allow))
check_within 5 "r1 routes $ANYCAST via s1 again" routes_via 10.128.5.2
check_within 3 "c1 answered by s1 again" eval '[[ $(anycast_node) == s1 ]]'
sleep 1
probe_stop
an=$(probe_analyze "$CSV" "$((t_change * 1000))") || bail "probe --analyze"
probe_say "$an"
failed=$(pj "$an" .failed)
check_eq "lag: no query of c1 failed" 0 "$failed"
check_eq "lag: c1 answered by s1 and s2" '["s1","s2"]' "$(pj "$an" '.nodes | keys | sort | tojson')"
check_eq "lag: no timeout at c1" 0 "$(pj "$an" .timeouts)"
check_eq "lag: s2 took over" s2 "$(pj "$an" .takeover_node)"

# ---- 4. s1 loses its primary; it is withdrawn before its copy expires
# A new serial with short timers first (refresh 2 s, retry 1 s, expire 10 s),
# so both secondaries hold them.  s1's check then fails once pr has been
# silent for expire - refresh - margin = 10 - 2 - 1.6 = 6.4 s.
EXPIRE_S=10 REFRESH_S=2
knot_soa() {
	knotc_ zone-begin home >/dev/null &&
		knotc_ zone-unset home @ SOA >/dev/null &&
		knotc_ zone-set home @ 60 SOA "ns1.home. hostmaster.home. $1 $REFRESH_S 1 $EXPIRE_S 60" >/dev/null &&
		knotc_ zone-commit home >/dev/null
}
# rcode NODE: the rcode of home./SOA at NODE's own secondary (127.0.0.1).
rcode() { nsx "$1" dig +norec +time=1 +tries=1 @127.0.0.1 home SOA 2>/dev/null | sed -n 's/.*status: \([A-Z]*\),.*/\1/p'; }
knot_soa 10 || bail "knotc: SOA with expire $EXPIRE_S s on pr"
for n in s1 s2; do check_within 5 "$n follows pr to serial 10 (expire $EXPIRE_S s)" serial_is "$n" 10; done
CSV2=$T_DIR/probe-expire.csv
probe_start "$ANYCAST" "$RATE" "$CSV2" "${PROBE_ARGS[@]}" || bail "probe in c1 (expire)"
sleep 1
check "s1 up before the cut" svc_is s1 up
ipn pr link set veth-prs1 down || bail "cut pr -- s1"
t_cut=$(ms_now)
ok "pr -- s1 cut: s1 can neither refresh nor ask pr's serial"
sleep 5
check "s1 still up 5 s after the cut (pr silent for less than 6.4 s)" svc_is s1 up
if wait_until 15 eval '! svc_is s1 up'; then
	t_wd2=$(ms_now)
	exp_ms=$((t_wd2 - t_cut))
	ok "s1's service withdrawn $(elapsed_s "$exp_ms") s after the cut"
else
	not_ok "s1's service still up 15 s after the cut: $(reason s1)"
	t_wd2=$(ms_now); exp_ms=-1
fi
check_eq "s1 still answers NOERROR at home (its copy not expired yet)" NOERROR "$(rcode s1)"
why=$(reason s1)
# Now wait for the copy to expire on s1 (at the latest expire + 1 s after the cut).
if wait_until $((EXPIRE_S + 2)) eval '[[ $(rcode s1) == SERVFAIL ]]'; then
	t_expired=$(ms_now)
	expired_ms=$((t_expired - t_cut))
	lead_ms=$((t_expired - t_wd2))
	ok "s1's copy expired $(elapsed_s "$expired_ms") s after the cut, $(elapsed_s "$lead_ms") s after s1's withdrawal"
else
	not_ok "s1's copy not expired $((EXPIRE_S + 2)) s after its withdrawal: $(rcode s1)"
	expired_ms=-1 lead_ms=-1
fi
check_gt "s1 withdrawn before its copy expired (lead, ms)" "$lead_ms" 0
check_le "s1's copy expired within expire + 1 s of the cut (ms)" "$expired_ms" $((EXPIRE_S * 1000 + 1000))
say "s1: $why"
check "s1 said why: pr silent, the copy about to expire" \
	grep -q "zone home.: primaries silent for .*, the copy may expire in .* (SOA refresh $REFRESH_S s, expire $EXPIRE_S s, margin 1.6 s)" <<<"$why"
check_within 2 "r1 routes $ANYCAST via r2 (s1 withdrawn)" routes_via 10.128.8.2
check_within 3 "c1 answered by s2" eval '[[ $(anycast_node) == s2 ]]'
check "s1's service stays down (now also SERVFAIL)" eval '! svc_is s1 up'
check_eq "s2 still serves serial 10" 10 "$(serial s2)"
ipn pr link set veth-prs1 up || bail "restore pr -- s1"
t_up=$(ms_now)
check_within 15 "s1 refreshes after the link is back (serial 10)" serial_is s1 10
check_within 5 "s1's service up again" svc_is s1 up
exp_back_ms=$(($(ms_now) - t_up))
check_within 5 "r1 routes $ANYCAST via s1 again" routes_via 10.128.5.2
check_within 3 "c1 answered by s1 again" eval '[[ $(anycast_node) == s1 ]]'
sleep 1
probe_stop
an2=$(probe_analyze "$CSV2" "$((t_cut * 1000))") || bail "probe --analyze (expire)"
probe_say "$an2"
failed2=$(pj "$an2" .failed)
check_eq "expire: no query of c1 failed (no SERVFAIL, no timeout)" 0 "$failed2"
check_eq "expire: no timeout at c1" 0 "$(pj "$an2" .timeouts)"
check_eq "expire: no answer but NOERROR at c1" "" \
	"$(awk -F, 'NR > 1 && $6 != "NOERROR"' "$CSV2" | head -3)"
check_eq "expire: c1 answered by s1 and s2" '["s1","s2"]' "$(pj "$an2" '.nodes | keys | sort | tojson')"
say "RESULT t_zone_fresh secondary=$SECONDARY lag_detected_s=$(elapsed_s "$lag_ms") withdrawn_at_r1_ms=$wd_ms back_after_s=$(elapsed_s "$back_ms") failed=$failed queries=$(pj "$an" .queries) cut_withdrawn_s=$(elapsed_s "$exp_ms") cut_expired_s=$(elapsed_s "$expired_ms") withdrawn_before_expiry_s=$(elapsed_s "$lead_ms") expired_back_s=$(elapsed_s "$exp_back_ms") expire_failed=$failed2 expire_queries=$(pj "$an2" .queries) rate=$RATE"

for n in r1 r2 s1 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
for n in s1 s2; do check "$SECONDARY on $n still running" alive "${SEC_PID[$n]}"; done
check "knotd still running" alive "$KNOT_PID"
t_done
