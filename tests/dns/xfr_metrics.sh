#!/usr/bin/env bash
# tests/dns/xfr_metrics.sh - the zone transfer metrics of riposte-dns, with
# two riposte-dns: a primary that NOTIFYs a secondary (TSIG both ways), as
# riposte-dns nodes feed each other.
#
# Checks that the secondary's page shows the zone's serial, the primary's
# serial, expired 0, a positive expires_in and one AXFR; that a new serial
# on the primary (`ripostectl reload`) reaches the secondary by NOTIFY and
# IXFR and the page says so (serial 2, one IXFR, one accepted NOTIFY);
# that the primary's page counts the AXFR, the IXFR and the NOTIFYs sent;
# and that both pages pass `promtool check metrics`.
# As root it runs in a network namespace of its own.  Stops only the
# processes it started, by pid.  Ends with "N passed, N failed".
# Environment: RIPOSTE_DNS (default build/riposte-dns), RIPOSTECTL (default
# next to it), XFR_METRICS_NETNS=0 (stay on the host).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
CTL=${RIPOSTECTL:-$(dirname "$BIN")/ripostectl}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

own_netns XFR_METRICS "rdns-xm-$$" RIPOSTE_DNS="$BIN" RIPOSTECTL="$CTL"

command -v dig >/dev/null || setup_failed "dig is missing (apt-get install dnsutils)"
command -v curl >/dev/null || setup_failed "curl is missing"
command -v promtool >/dev/null || setup_failed "promtool is missing (apt-get install prometheus)"
[[ -x $BIN && -x $CTL ]] || setup_failed "$BIN or $CTL is not built"

T=$(mktemp -d /tmp/rdns-xm.XXXXXX) || exit 1
chmod 755 "$T"
P1="" P2=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$P1"
	stop_pid "$P2"
	if ((FAIL > 0)); then
		echo "# files and logs kept in $T"
		tail -n 20 "$T"/*.log | sed 's/^/# /'
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Four free ports: primary DNS, secondary DNS, their metrics listeners.
PP=$(free_port $((23000 + $$ % 2000)))
SP=$(free_port $((PP + 1)))
PM=$(free_port $((SP + 1)))
SM=$(free_port $((PM + 1)))
SECRET=$(head -c 32 /dev/urandom | base64)

zone() {
	cat >"$T/home.zone" <<EOF
\$ORIGIN home.
\$TTL 60
@	SOA ns hostmaster $1 60 10 600 60
@	NS ns
ns	A 192.0.2.1
test	A 10.128.224.$1
EOF
}
zone 1
cat >"$T/primary.conf" <<EOF
listen 127.0.0.1@$PP
control $T/primary.sock
rrl-rate 0
metrics listen 127.0.0.1@$PM
key transfer hmac-sha256 $SECRET
zone home. file home.zone
zone home. allow-transfer 127.0.0.0/8 key transfer
zone home. notify 127.0.0.1@$SP key transfer
EOF
cat >"$T/secondary.conf" <<EOF
listen 127.0.0.1@$SP
control none
rrl-rate 0
metrics listen 127.0.0.1@$SM
key transfer hmac-sha256 $SECRET
zone home. secondary 127.0.0.1@$PP key transfer
zone home. file copy.zone
EOF

# wait_for DESC COMMAND...: up to 5 s for COMMAND to succeed.
wait_for() {
	local desc=$1
	shift
	for _ in $(seq 100); do
		"$@" && { ok "$desc"; return 0; }
		sleep 0.05
	done
	not_ok "$desc (5 s)"
	return 1
}
# shellcheck disable=SC2317 # called through wait_for
answers() { [[ $(dig +short +time=1 +tries=1 @127.0.0.1 -p "$1" test.home A) == "10.128.224.$2" ]]; }
# shellcheck disable=SC2317
served() { answers "$SP" "$1"; }

"$BIN" -d -c "$T/primary.conf" >"$T/primary.log" 2>&1 &
P1=$!
# The primary first, so that the secondary's first refresh finds it.
wait_for "the primary serves serial 1" answers "$PP" 1 || bail "no primary"
"$BIN" -d -c "$T/secondary.conf" >"$T/secondary.log" 2>&1 &
P2=$!
metric() { # metric PORT NAME{LABELS}: the value, "" when absent
	curl -s "http://127.0.0.1:$1/metrics" | awk -v m="$2" '$1 == m { print $2 }'
}

wait_for "the secondary serves serial 1 (AXFR)" served 1 || bail "no transfer"
check "secondary: serial" 1 "$(metric "$SM" 'riposte_dns_secondary_serial{zone="home."}')"
check "secondary: primary's serial" 1 \
    "$(metric "$SM" 'riposte_dns_secondary_primary_serial{zone="home."}')"
check "secondary: not expired" 0 "$(metric "$SM" 'riposte_dns_secondary_expired{zone="home."}')"
check_match "secondary: expires in about 600 s (SOA expire)" '^(59[0-9]|600)(\.[0-9]+)?$' \
    "$(metric "$SM" 'riposte_dns_secondary_expires_in_seconds{zone="home."}')"
check "secondary: one AXFR" 1 \
    "$(metric "$SM" 'riposte_dns_secondary_transfers_total{zone="home.",kind="AXFR"}')"

zone 2
"$CTL" -s "$T/primary.sock" reload >/dev/null
check "primary: reload" 0 "$?"
wait_for "the secondary serves serial 2 (NOTIFY, IXFR)" served 2
check "secondary: serial 2" 2 "$(metric "$SM" 'riposte_dns_secondary_serial{zone="home."}')"
check "secondary: one IXFR" 1 \
    "$(metric "$SM" 'riposte_dns_secondary_transfers_total{zone="home.",kind="IXFR"}')"
# The start's NOTIFY may come before the secondary listens (then resent): 1 or 2.
check_match "secondary: NOTIFY accepted (the reload's, maybe the start's)" '^[12]$' \
    "$(metric "$SM" 'riposte_dns_notify_received_total{zone="home.",result="accepted"}')"
check "secondary: no failed refresh" 0 \
    "$(metric "$SM" 'riposte_dns_secondary_refresh_failures_total{zone="home."}')"
check "primary: one AXFR out" 1 "$(metric "$PM" 'riposte_dns_xfr_out_queries_total{result="axfr"}')"
check "primary: one IXFR out" 1 "$(metric "$PM" 'riposte_dns_xfr_out_queries_total{result="ixfr"}')"
check_match "primary: NOTIFYs sent" '^[1-9][0-9]*$' "$(metric "$PM" riposte_dns_notify_sent_total)"
for p in "$PM" "$SM"; do
	out=$(curl -s "http://127.0.0.1:$p/metrics" | promtool check metrics 2>&1)
	check "promtool check metrics (port $p)" "" "$out"
done

check_sigterm "$P2" "secondary: SIGTERM, clean exit"
P2=
check_sigterm "$P1" "primary: SIGTERM, clean exit"
P1=
check_no_sanitizer "$T/secondary.log"
finish
