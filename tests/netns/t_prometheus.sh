#!/usr/bin/env bash
# t_prometheus.sh - both daemons' metrics listeners scraped by Debian's real
# Prometheus server (README, Metrics).
#
#   m1 10.0.12.1 ---- 10.0.12.2 m2      RIP and BFD between them
#   m1: riposted     service web (10.128.224.80/32 on lo), its check passes
#                    while $T_DIR/web.up exists; metrics on 127.0.0.1:9475
#       riposte-dns  example.com on 127.0.0.1@5353; metrics on 127.0.0.1:9476
#       prometheus   its own config and storage in $T_DIR, scrape_interval
#                    1s, a job for each daemon, web on 127.0.0.1:9090 (never
#                    the system's service)
#   m2: riposted     10.0.99.1/32 on lo; metrics on 10.0.12.2:9475, scraped
#                    by m1's prometheus in the riposted job
#
# Checks: each page passes `promtool check metrics`, OpenMetrics when asked
# ends in "# EOF", 404 and 405 elsewhere; through Prometheus's HTTP API
# (/api/v1/query): `up` is 1 for both jobs and their targets have no
# scrape error; the BFD session between m1 and m2 is up on both and each
# learned the other's route; removing web.up takes the service down and Prometheus's
# series says so (state="down" 1, announced 0, the transition counted),
# m2 loses its route to web, and putting it back brings both back; riposte-dns's query counter and its
# zone's grow by the queries dig sent; every metric the Grafana dashboard
# (contrib/grafana/riposte.json) queries is one Prometheus has scraped.
# The API's answers are printed ("# api: ...").  Both daemons stop cleanly
# (riposted through t_done; with an ASan build, no report in either log).
# shellcheck disable=SC2016,SC2317 # single-quoted strings are eval'd later, on purpose; q_is and q_ge are called by check_within
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

RIPOSTE_DNS=${RIPOSTE_DNS:-$RIPOSTE_BUILD/riposte-dns}
DASHBOARD=$RPT_ROOT/contrib/grafana/riposte.json
PROM_PORT=9090 RD_PORT=9475 DNS_PORT=9476
for t in prometheus promtool curl jq dig; do
	command -v "$t" >/dev/null || bail "$t is missing (scripts/setup.sh installs it)"
done
[[ -x $RIPOSTE_DNS ]] || bail "no $RIPOSTE_DNS (build first)"

ns_add m1 m2 || bail "namespaces"
link m1 m2 10.0.12.1/24 10.0.12.2/24 || bail "link m1 m2"
ipn m2 addr add 10.0.99.1/32 dev lo || bail "m2's lo address"

# ---- riposte-dns (ip netns exec directly, not nsx: $! must be the daemon's
# pid, which the cleanup finds in our namespace and stops)
cat >"$T_DIR/example.com.zone" <<'EOF'
$ORIGIN example.com.
$TTL 3600
@	IN SOA ns1 hostmaster 2026120701 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.10
EOF
cat >"$T_DIR/riposte-dns.conf" <<EOF
listen 127.0.0.1@5353
zone example.com file $T_DIR/example.com.zone
user root
workers 2
rrl-rate 0
control none
metrics listen 127.0.0.1@$DNS_PORT
EOF
ip netns exec "$(nsname m1)" "$RIPOSTE_DNS" -d -c "$T_DIR/riposte-dns.conf" </dev/null >>"$T_DIR/dns.log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
DNS_PID=$!
_track "$DNS_PID" "riposte-dns m1"
T_LOGS+=("$T_DIR/dns.log")

# ---- riposted: a service whose check is a file's presence
touch "$T_DIR/web.up"
riposted_conf m1
cat >>"$T_DIR/m1.conf" <<EOF
interface veth-m1m2
 ip rip bfd
 bfd interval 100 multiplier 3
!
metrics listen 127.0.0.1@$RD_PORT
service web
 address 10.128.224.80/32
 interface lo
 check exec /usr/bin/test -e $T_DIR/web.up
 interval 200ms
 rise 2
 fall 1
 drain-time 1s
EOF
start_riposted m1 || bail "riposted in m1"
riposted_conf m2
cat >>"$T_DIR/m2.conf" <<EOF
interface veth-m2m1
 ip rip bfd
 bfd interval 100 multiplier 3
!
metrics listen 10.0.12.2@$RD_PORT
EOF
start_riposted m2 || bail "riposted in m2"

# ---- Prometheus, ours: config, storage and log in $T_DIR
mkdir -p "$T_DIR/tsdb"
cat >"$T_DIR/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 900ms
  evaluation_interval: 1s
scrape_configs:
  - job_name: riposted
    static_configs:
      - targets: ['127.0.0.1:$RD_PORT', '10.0.12.2:$RD_PORT']
  - job_name: riposte-dns
    static_configs:
      - targets: ['127.0.0.1:$DNS_PORT']
EOF
promtool check config "$T_DIR/prometheus.yml" | sed 's/^/# promtool: /'
ip netns exec "$(nsname m1)" prometheus --config.file="$T_DIR/prometheus.yml" --storage.tsdb.path="$T_DIR/tsdb" \
	--web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn \
	</dev/null >>"$T_DIR/prometheus.log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
PROM_PID=$!
_track "$PROM_PID" "prometheus m1"
T_LOGS+=("$T_DIR/prometheus.log")

get() { nsx m1 curl -sf --max-time 5 "$@"; }
# q PROMQL: the API's answer (JSON) to an instant query.
q() { nsx m1 curl -sf --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"; }
# qv PROMQL: the value of its first series ("" when there is none).
qv() { q "$1" | jq -r '.data.result[0].value[1] // ""'; }
# q_is PROMQL VALUE: the first series' value is VALUE.
q_is() { [[ $(qv "$1") == "$2" ]]; }
# q_ge PROMQL N: the first series' value is a number >= N.
q_ge() { local v; v=$(qv "$1"); [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v v="$v" -v n="$2" 'BEGIN { exit !(v >= n) }'; }
api_say() { say "api: $1 -> $(q "$1" | jq -c '[.data.result[] | {m: .metric, v: .value[1]}]')"; }

check_within 5 "riposte-dns answers in m1" eval 'nsx m1 dig +short +time=1 +tries=1 -p 5353 @127.0.0.1 www.example.com A | grep -qx 192.0.2.10'
check_within 15 "prometheus ready" get "http://127.0.0.1:$PROM_PORT/-/ready"

# ---- the pages themselves (m2's once BFD and RIP are up, so that its
# per-session and per-neighbour families have series for promtool)
check_within 15 "BFD up between m1 and m2 (m2's page)" eval \
	'get "http://10.0.12.2:$RD_PORT/metrics" | grep -qx "riposte_bfd_sessions{state=\"up\"} 1"'
for job in riposted:127.0.0.1:$RD_PORT riposte-dns:127.0.0.1:$DNS_PORT riposted-m2:10.0.12.2:$RD_PORT; do
	name=${job%%:*} addr=${job#*:}
	get "http://$addr/metrics" >"$T_DIR/$name.prom" || not_ok "$name: GET /metrics"
	say "$name: $(grep -vc '^#' "$T_DIR/$name.prom") samples, $(grep -c '^# TYPE' "$T_DIR/$name.prom") families"
	if promtool check metrics <"$T_DIR/$name.prom" >"$T_DIR/$name.promtool" 2>&1; then
		ok "$name: promtool check metrics passes$([[ -s $T_DIR/$name.promtool ]] || echo ' (no remarks)')"
	else
		not_ok "$name: promtool check metrics"
	fi
	sed "s/^/# promtool $name: /" "$T_DIR/$name.promtool"
	om=$(get -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' "http://$addr/metrics")
	check_eq "$name: OpenMetrics when asked, ending in # EOF" "# EOF" "$(tail -n 1 <<<"$om")"
	check_eq "$name: 404 for another path" 404 "$(nsx m1 curl -s -o /dev/null -w '%{http_code}' "http://$addr/")"
	check_eq "$name: 405 for POST" 405 "$(nsx m1 curl -s -o /dev/null -w '%{http_code}' -X POST "http://$addr/metrics")"
done

# ---- scraped by Prometheus
check_within 20 'Prometheus: up{job="riposted"} is 1 for m1' q_is 'up{job="riposted",instance="127.0.0.1:9475"}' 1
check_within 5 'Prometheus: up{job="riposted"} is 1 for m2' q_is 'up{job="riposted",instance="10.0.12.2:9475"}' 1
check_within 20 'Prometheus: up{job="riposte-dns"} is 1' q_is 'up{job="riposte-dns"}' 1
api_say 'up'
TG=$(get "http://127.0.0.1:$PROM_PORT/api/v1/targets")
say "api: targets -> $(jq -c '[.data.activeTargets[] | {job: .labels.job, health, lastError}]' <<<"$TG")"
check "all three targets healthy, no scrape error" jq -e '[.data.activeTargets[] | select(.health == "up" and .lastError == "")] | length == 3' <<<"$TG"

# ---- RIP and BFD between m1 and m2, as scraped
check_within 10 'Prometheus: a BFD session up on each riposted' q_is 'sum(riposte_bfd_sessions{state="up"})' 2
check_within 10 'Prometheus: m1 has one RIP neighbour' q_is 'riposte_rip_neighbors{instance="127.0.0.1:9475"}' 1
check_within 20 "Prometheus: m1 learned m2's lo route" q_ge 'riposte_rip_routes{instance="127.0.0.1:9475",origin="rip"}' 1
check_within 20 "Prometheus: m2 learned web's route from m1" q_ge 'riposte_rip_routes{instance="10.0.12.2:9475",origin="rip"}' 1
api_say 'riposte_bfd_session_up'
api_say 'riposte_rip_routes{origin=~"rip|service"}'
M2_RIP=$(qv 'riposte_rip_routes{instance="10.0.12.2:9475",origin="rip"}')

# ---- a service state change in riposted, seen in the scraped series
check_within 20 'Prometheus: service web is up' q_is 'riposte_service_state{service="web",state="up"}' 1
DOWN0=$(qv 'riposte_service_transitions_total{service="web",to="down"}')
api_say 'riposte_service_state{service="web"} == 1'
rm -f "$T_DIR/web.up"
check_within 10 'Prometheus: service web is down after its check file went' q_is 'riposte_service_state{service="web",state="down"}' 1
check_within 5 'Prometheus: web no longer announced' q_is 'riposte_service_announced{service="web"}' 0
check_within 5 'Prometheus: the transition to down is counted' q_ge 'riposte_service_transitions_total{service="web",to="down"}' $((${DOWN0:-0} + 1))
check_within 5 'Prometheus: the check failed' q_is 'riposte_service_check_up{service="web"}' 0
check_within 10 "Prometheus: m2 lost its route to web" q_is 'riposte_rip_routes{instance="10.0.12.2:9475",origin="rip"}' $((${M2_RIP:-0} - 1))
api_say 'riposte_service_state{service="web"} == 1'
api_say 'riposte_service_transitions_total{service="web"}'
touch "$T_DIR/web.up"
check_within 10 'Prometheus: service web is up again' q_is 'riposte_service_state{service="web",state="up"}' 1
check_within 5 'Prometheus: web announced again' q_is 'riposte_service_announced{service="web"}' 1
check_within 10 "Prometheus: m2 has its route to web again" q_is 'riposte_rip_routes{instance="10.0.12.2:9475",origin="rip"}' "${M2_RIP:-0}"
check_within 5 'Prometheus: check latency histogram has observations' q_ge 'sum(riposte_service_check_duration_seconds_count{service="web"})' 10
api_say 'histogram_quantile(0.99, sum by (le) (rate(riposte_service_check_duration_seconds_bucket{service="web"}[30s])))'

# ---- riposte-dns's counters grow with traffic
Q0=$(qv 'sum(riposte_dns_queries_total)')
Z0=$(qv 'riposte_dns_zone_queries_total{zone="example.com."}')
say "before: riposte_dns_queries_total ${Q0:-none}, example.com. ${Z0:-none}"
[[ $Q0 =~ ^[0-9]+$ ]] || not_ok "riposte_dns_queries_total scraped before the traffic (got '$Q0')"
N=40
for ((i = 0; i < N; i++)); do
	echo "www.example.com A"
	echo "nope$i.example.com AAAA"
done >"$T_DIR/queries"
nsx m1 dig +short +time=1 +tries=1 -p 5353 @127.0.0.1 -f "$T_DIR/queries" >/dev/null
nsx m1 dig +short +tcp +time=1 +tries=1 -p 5353 @127.0.0.1 example.com SOA >/dev/null
check_within 10 "Prometheus: riposte_dns_queries_total grew by the $((2 * N + 1)) queries" \
	q_ge 'sum(riposte_dns_queries_total)' $((${Q0:-0} + 2 * N + 1))
check_within 5 "Prometheus: example.com.'s zone counter grew too" \
	q_ge 'riposte_dns_zone_queries_total{zone="example.com."}' $((${Z0:-0} + 2 * N + 1))
check_within 5 "Prometheus: a TCP query counted as tcp" q_ge 'riposte_dns_queries_total{transport="tcp"}' 1
check_within 5 "Prometheus: NXDOMAIN answers counted" q_ge 'riposte_dns_responses_total{rcode="NXDOMAIN"}' "$N"
check_within 10 "Prometheus: the query rate is above 0" q_ge 'sum(rate(riposte_dns_queries_total[5s]))' 0.1

# A reload that adds a zone: the new zone gets its own counter, the old
# one's count goes on from where it was (not reset, not mixed up).
cat >"$T_DIR/example.org.zone" <<'EOF'
$ORIGIN example.org.
$TTL 3600
@	IN SOA ns1 hostmaster 7 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 192.0.2.2
EOF
printf 'zone example.org file %s\n' "$T_DIR/example.org.zone" >>"$T_DIR/riposte-dns.conf"
Z1=$(qv 'riposte_dns_zone_queries_total{zone="example.com."}')
kill -HUP "$DNS_PID"
check_within 10 "Prometheus: the reload is counted" q_is 'riposte_config_reloads_total{job="riposte-dns",result="ok"}' 1
check_within 5 "riposte-dns serves example.org after the reload" eval \
	'nsx m1 dig +short +time=1 +tries=1 -p 5353 @127.0.0.1 example.org SOA | grep -q " 7 "'
for ((i = 0; i < 5; i++)); do echo "ns1.example.org A"; done >"$T_DIR/queries2"
nsx m1 dig +short +time=1 +tries=1 -p 5353 @127.0.0.1 -f "$T_DIR/queries2" >/dev/null
check_within 10 "Prometheus: example.org. has its own zone counter" q_ge 'riposte_dns_zone_queries_total{zone="example.org."}' 5
check_within 5 "Prometheus: example.org.'s serial" q_is 'riposte_dns_zone_serial{zone="example.org."}' 7
check_eq "example.com.'s counter kept its count across the reload" "$Z1" "$(qv 'riposte_dns_zone_queries_total{zone="example.com."}')"
api_say 'riposte_dns_queries_total'
api_say 'riposte_dns_zone_queries_total'
api_say 'sum by (type) (riposte_dns_query_types_total) > 0'
api_say 'riposte_dns_zone_serial'

# ---- the Grafana dashboard asks only for metrics the daemons export
if jq -e . "$DASHBOARD" >/dev/null 2>&1; then
	ok "contrib/grafana/riposte.json is valid JSON"
else
	not_ok "contrib/grafana/riposte.json is valid JSON"
fi
# What the daemons export: every family of their pages (a family with no
# series now, BFD's per-session ones without BFD, still counts), a
# histogram's with its _bucket, _sum and _count; and what Prometheus scraped.
NAMES=$({
	get "http://127.0.0.1:$PROM_PORT/api/v1/label/__name__/values" | jq -r '.data[]'
	awk '$1 == "#" && $2 == "TYPE" { print $3; if ($4 == "histogram") { print $3 "_bucket"; print $3 "_sum"; print $3 "_count" } }' \
		"$T_DIR/riposted.prom" "$T_DIR/riposte-dns.prom" "$T_DIR/riposted-m2.prom"
} | sort -u)
mapfile -t WANT < <(jq -r '.. | objects | .expr? // empty, (.query? | objects | .query? // empty)' "$DASHBOARD" |
	grep -oE '\briposte_[a-z0-9_]+' | sort -u)
missing=()
for m in "${WANT[@]}"; do grep -qx "$m" <<<"$NAMES" || missing+=("$m"); done
say "dashboard: ${#WANT[@]} metric names in its queries"
check_eq "every metric the dashboard queries was scraped" "" "${missing[*]}"
check_gt "the dashboard's panels have queries" "$(jq '[.panels[] | .targets[]?] | length' "$DASHBOARD")" 10

# ---- riposte-dns stops cleanly with its listener open (an ASan build says so too)
kill -TERM "$DNS_PID" 2>/dev/null
wait_until 5 dead "$DNS_PID" || not_ok "riposte-dns did not exit within 5 s of SIGTERM"
wait "$DNS_PID" 2>/dev/null
check_eq "riposte-dns exits 0 on SIGTERM" 0 "$?"
check "no sanitizer report in riposte-dns's log" eval \
	'! grep -qE "ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|SUMMARY: .*Sanitizer" "$T_DIR/dns.log"'

t_done
