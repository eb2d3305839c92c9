#!/usr/bin/env bash
# tests/dns/control.sh - riposte-dns's control socket through ripostectl:
# status, zones and reload [ZONE], text and --json.
#
# Starts riposte-dns on 127.0.0.1 at a free port with `control` in its temp
# dir, asks a few queries over UDP and TCP, then checks that `status
# --json` counts them by rcode and transport and shows the TCP slots, that
# `zones --json` has the serial, record count and load time, that `reload
# example.com` is synchronous (the new serial is served when it replies),
# that a broken zone gives ERR (exit 1) with the reason and keeps its
# previous version, and that an unknown zone is an ERR with JSON.
# As root it runs in a network namespace of its own.  Stops only the
# process it started, by pid.  Ends with "N passed, N failed".
# Environment: RIPOSTE_DNS (default build/riposte-dns), RIPOSTECTL (default
# next to it), CONTROL_NETNS=0 (stay on the host).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
CTL=${RIPOSTECTL:-$(dirname "$BIN")/ripostectl}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

own_netns CONTROL "rdns-ctl-$$" RIPOSTE_DNS="$BIN" RIPOSTECTL="$CTL"

command -v dig >/dev/null || setup_failed "dig is missing (apt-get install dnsutils)"
command -v python3 >/dev/null || setup_failed "python3 is missing"
[[ -x $BIN && -x $CTL ]] || setup_failed "$BIN or $CTL is not built"

T=$(mktemp -d /tmp/rdns-ctl.XXXXXX) || exit 1
chmod 755 "$T"
PID=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$PID"
	if ((FAIL > 0)); then
		echo "# files and log kept in $T"
		sed 's/^/# log: /' "$T/log" | tail -n 20
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=$((22000 + $$ % 10000))
while (ss -Hlnu "sport = :$PORT"; ss -Hlnt "sport = :$PORT") 2>/dev/null | grep -q .; do
	PORT=$((PORT + 1))
done
zone() {
	cat >"$T/example.com.zone" <<EOF
\$ORIGIN example.com.
\$TTL 3600
@	IN SOA ns1 hostmaster $1 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.10
EOF
}
zone 2026120601
cat >"$T/dns.conf" <<EOF
listen 127.0.0.1@$PORT
zone example.com file example.com.zone
workers 2
tcp-clients 64
control ctl.sock
EOF
"$BIN" -d -c "$T/dns.conf" >"$T/log" 2>&1 &
PID=$!
D="dig @127.0.0.1 -p $PORT +time=1 +tries=1"
for _ in $(seq 100); do
	[[ -n $($D +short example.com SOA 2>/dev/null) ]] && break
	sleep 0.05
done
$D +short www.example.com A >/dev/null
$D +short nx.example.com A >/dev/null
$D +tcp +short www.example.com A >/dev/null
$D +tcp +short www.example.org A >/dev/null
ctl() { "$CTL" -s "$T/ctl.sock" "$@"; }
# json EXPR: evaluate a Python expression over the JSON on stdin (j)
json() { python3 -c "import json, sys; j = json.load(sys.stdin); print($1)"; }

out=$(ctl status --json)
check "status --json: 5 queries (the wait's SOA, 4 more)" 5 "$(json 'j["queries"]' <<<"$out")"
check "status --json: by rcode" "3 1 1" "$(json '"%d %d %d" % (j["rcodes"]["noerror"], j["rcodes"]["nxdomain"], j["rcodes"]["refused"])' <<<"$out")"
check "status --json: by transport (UDP in, TCP accepted)" "3 2" "$(json '"%d %d" % (j["udp"]["in"], j["tcp"]["accepted"])' <<<"$out")"
check "status --json: workers and TCP slots" "2 64" "$(json '"%d %d" % (j["workers"], j["tcp"]["slots"])' <<<"$out")"
check "status --json: uptime in ms, rate-limiting counters" "True 0 0" \
	"$(json '"%s %d %d" % (j["uptime_ms"] >= 0 and "uptime_s" not in j, j["rrl"]["limited"], j["rrl"]["slipped"])' <<<"$out")"
check_match "status: text" "^riposte-dns [0-9.]+, up [0-9]+ s, 2 workers" "$(ctl status)"

out=$(ctl zones --json)
check "zones --json: serial, records, state" "2026120601 4 ok None" "$(json '"%s %s %s %s" % (j[0]["serial"], j[0]["records"], j[0]["state"], j[0]["error"])' <<<"$out")"
check_match "zones --json: when loaded" "^20[0-9]{2}-[0-9]{2}-[0-9]{2}T" "$(json 'j[0]["loaded"]' <<<"$out")"

zone 2026120602
out=$(ctl reload example.com)
rc=$?
check_match "reload example.com: OK, with the result" "reload done: 1 zones, 4 records" "$out"
check "reload example.com: exit 0" 0 "$rc"
check "the new serial is served when reload has replied" 2026120602 "$($D +short example.com SOA | awk '{print $3}')"

echo "www IN A not-an-address" >>"$T/example.com.zone"
out=$(ctl reload 2>&1)
rc=$?
check "reload of a broken zone: ERR (exit 1)" 1 "$rc"
check_match "reload of a broken zone: the reply says so" "failed \(1 kept their previous version\)" "$out"
out=$(ctl zones --json)
check "zones --json: the broken zone is kept, with its error" "2026120602 kept True" "$(json '"%s %s %s" % (j[0]["serial"], j[0]["state"], "example.com.zone:7" in j[0]["error"])' <<<"$out")"
out=$(ctl reload nosuch.example --json)
rc=$?
check "reload of an unknown zone: ERR (exit 1)" 1 "$rc"
check_match "reload of an unknown zone --json: an error object" '^\{"error":"reload failed: no such zone' "$out"
check "still serving" 2026120602 "$($D +short example.com SOA | awk '{print $3}')"

check_sigterm "$PID" "SIGTERM: clean exit" && PID=
check_no_sanitizer "$T/log"
finish
