#!/usr/bin/env bash
# tests/dns/tsig.sh - our TSIG (src/dns/tsig.c, RFC 8945) against Knot, both
# ways, for every algorithm (hmac-md5, -sha1, -sha224, -sha256, -sha384,
# -sha512):
#
#   kdig -> us:    kdig -y signs a query, tests/dns/tsig_peer (our code)
#                  verifies it and signs the reply, kdig verifies that
#                  (it warns "reply verification ... TSIG" when it fails):
#                  UDP, an AXFR stream over TCP with every message signed
#                  and with unsigned messages in between (RFC 8945 5.3.1);
#                  a wrong secret gets BADSIG, our clock 1000 s ahead
#                  BADTIME; a MAC we spoil on purpose (tsig_peer -t) must
#                  make kdig complain (the negative control).
#   us -> knotd:   tsig_peer signs a query, a private knotd verifies it and
#                  signs its reply, tsig_peer verifies that: SOA over UDP,
#                  AXFR over TCP (Knot's multi-message stream); a wrong
#                  secret comes back BADSIG, an unknown key BADKEY.
#
# Loopback ports from 20000 up (free ones); stops only what it started, by
# pid.  Ends with "N passed, N failed".  Environment: TSIG_PEER (default
# build/tests/tsig_peer), TSIG_KEEP=1 (keep the temp dir).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEER=${TSIG_PEER:-$ROOT/build/tests/tsig_peer}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

for tool in kdig knotd; do
	command -v "$tool" >/dev/null || setup_failed "$tool is missing (apt-get install knot knot-dnsutils)"
done
[[ -x $PEER ]] || setup_failed "$PEER is not built"

T=$(mktemp -d /tmp/rdns-tsig.XXXXXX) || exit 1
PIDS=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	if [[ ${TSIG_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
		echo "# files and logs kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

NEXT=$((20000 + $$ % 11000))
free_port() {
	while ! port_free "$NEXT"; do NEXT=$((NEXT + 1)); done
	PORT=$NEXT
	NEXT=$((NEXT + 1))
}

# One secret per algorithm, as long as its hash (what keymgr -t makes).
ALGS=(hmac-md5 hmac-sha1 hmac-sha224 hmac-sha256 hmac-sha384 hmac-sha512)
declare -A SECRET
for a in "${ALGS[@]}"; do
	case $a in
	hmac-md5) n=16 ;; hmac-sha1) n=20 ;; hmac-sha224) n=28 ;; hmac-sha256) n=32 ;;
	hmac-sha384) n=48 ;; hmac-sha512) n=64 ;;
	esac
	SECRET[$a]=$(head -c "$n" /dev/urandom | base64 -w0)
done
WRONG=$(head -c 32 /dev/urandom | base64 -w0)

# start_peer LOG ARGS...: tsig_peer serve on a free port ($PORT), ready when it says so.
start_peer() {
	local log=$1
	shift
	free_port
	: >"$log"
	"$PEER" serve "$PORT" "$@" >"$log" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 50); do grep -q '^ready' "$log" && return 0; sleep 0.05; done
	bail "tsig_peer did not start: $(cat "$log")"
}

keyargs=()
for a in "${ALGS[@]}"; do keyargs+=("$a:$a.key.:${SECRET[$a]}"); done

# ---------------------------------------------------------------- kdig -> us
start_peer "$T/peer.log" "${keyargs[@]}"
P1=$PORT
start_peer "$T/peer-u.log" -u 3 "${keyargs[@]}"
PU=$PORT
start_peer "$T/peer-skew.log" -s 1000 "${keyargs[@]}"
PS=$PORT
start_peer "$T/peer-bad.log" -t "${keyargs[@]}"
PT=$PORT

KD=(kdig +time=2 +retry=0 @127.0.0.1)
for a in "${ALGS[@]}"; do
	y="$a:$a.key:${SECRET[$a]}"
	out=$("${KD[@]}" -p "$P1" -y "$y" +notcp A www.example.com 2>&1)
	if [[ $out == *"status: NOERROR"* && $out == *"192.0.2.1"* && $out != *WARNING* &&
		$out != *ERROR:* ]]; then
		ok "$a: kdig's signed query verified by us, our signed reply verified by kdig (UDP)"
	else
		not_ok "$a: UDP exchange with kdig: $out"
	fi
	out=$("${KD[@]}" -p "$P1" -y "$y" +tcp AXFR example.com 2>&1)
	check_match "$a: AXFR stream, every message signed, accepted by kdig" \
		'Received [0-9]+ B \(7 messages, 9 records\)' "$out"
	[[ $out == *WARNING* || $out == *ERROR:* ]] && not_ok "$a: kdig complained: $out"
	out=$("${KD[@]}" -p "$PU" -y "$y" +tcp AXFR example.com 2>&1)
	check_match "$a: AXFR stream with unsigned messages between signed ones, accepted by kdig" \
		'Received [0-9]+ B \(7 messages, 9 records\)' "$out"
	[[ $out == *WARNING* || $out == *ERROR:* ]] && not_ok "$a: kdig complained: $out"
	# Only 3 of the 7 carry a TSIG (the 1st, the 4th, the last).
	check "$a: 3 TSIG records in the -u 3 stream" 3 "$(grep -c 'ANY	TSIG' <<<"$out")"

	# Negative control: a spoiled MAC must be noticed by kdig.
	out=$("${KD[@]}" -p "$PT" -y "$y" +notcp A www.example.com 2>&1)
	check_match "$a: kdig refuses our reply when we spoil its MAC" \
		'WARNING: reply verification .*TSIG' "$out"
	out=$("${KD[@]}" -p "$PT" -y "$y" +tcp AXFR example.com 2>&1)
	check_match "$a: kdig refuses our AXFR stream when we spoil its MACs" \
		'(WARNING|ERROR).*TSIG|failed' "$out"
done
a=hmac-sha256
out=$("${KD[@]}" -p "$P1" -y "$a:$a.key:$WRONG" +notcp A www.example.com 2>&1)
check_match "wrong secret: NOTAUTH with TSIG error BADSIG, unsigned (RFC 8945 5.3.2)" \
	'status: BADSIG.*TSIG.* 0 [0-9]+ BADSIG 0' "$(tr '\n' ' ' <<<"$out")"
out=$("${KD[@]}" -p "$P1" -y "$a:nokey.:${SECRET[$a]}" +notcp A www.example.com 2>&1)
check_match "unknown key: BADKEY" 'status: BADKEY' "$out"
out=$("${KD[@]}" -p "$PS" -y "$a:$a.key:${SECRET[$a]}" +notcp A www.example.com 2>&1)
check_match "our clock 1000 s off: BADTIME, signed, with our time in Other Data" \
	"TSIG out of time window.*status: BADTIME.* 32 [^ ]+ [0-9]+ BADTIME 6 [0-9]+" \
	"$(tr '\n' ' ' <<<"$out")"
out=$("${KD[@]}" -p "$P1" +notcp A www.example.com 2>&1)
check_match "unsigned query: REFUSED" 'status: REFUSED' "$out"
check "tsig_peer logged every query" 0 "$(grep -vc -E '^(ready|query .*: (OK|BADSIG|BADKEY|unsigned))$' "$T/peer.log")"

# ---------------------------------------------------------------- us -> knotd
free_port
KPORT=$PORT
mkdir -p "$T/knot/db"
cat >"$T/example.zone" <<'EOF'
$ORIGIN example.
$TTL 3600
@	SOA	ns hostmaster 7 3600 900 604800 300
	NS	ns
ns	A	192.0.2.53
EOF
# Enough records that Knot's AXFR takes several messages.
for i in $(seq 1 3000); do echo "host$i A 198.51.$((i / 256)).$((i % 256))"; done >>"$T/example.zone"
{
	cat <<EOF
server:
  rundir: "$T/knot"
  pidfile: "$T/knot/knot.pid"
  listen: 127.0.0.1@$KPORT
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
control:
  listen: "$T/knot/knot.sock"
database:
  storage: "$T/knot/db"
log:
  - target: stderr
    any: info
key:
EOF
	for a in "${ALGS[@]}"; do
		printf '  - id: %s.key.\n    algorithm: %s\n    secret: %s\n' "$a" "$a" "${SECRET[$a]}"
	done
	cat <<EOF
acl:
  - id: xfr
    key: [$(IFS=,; echo "${ALGS[*]/%/.key.}")]
    action: transfer
zone:
  - domain: example.
    storage: "$T"
    file: example.zone
    zonefile-sync: -1
    journal-content: none
    acl: xfr
EOF
} >"$T/knot.conf"
knotd -c "$T/knot.conf" >"$T/knot.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
	kdig +time=1 +retry=0 @127.0.0.1 -p "$KPORT" SOA example. 2>/dev/null | grep -q 'status: NOERROR' && break
	sleep 0.1
done
kdig +time=1 +retry=0 @127.0.0.1 -p "$KPORT" SOA example. 2>/dev/null | grep -q 'status: NOERROR' ||
	bail "knotd did not start: $(tail -5 "$T/knot.log")"

for a in "${ALGS[@]}"; do
	k="$a:$a.key:${SECRET[$a]}"
	out=$("$PEER" query 127.0.0.1 "$KPORT" "$k" example. SOA 2>&1)
	check "$a: our signed SOA query, knotd's signed reply verified by us (UDP)" \
		"result: OK rcode NOERROR messages 1" "$(tail -1 <<<"$out")"
	out=$("$PEER" query 127.0.0.1 "$KPORT" "$k" example. AXFR tcp 2>&1)
	check_match "$a: knotd's AXFR stream verified message by message" \
		'^result: OK rcode NOERROR messages ([2-9]|[1-9][0-9]+)$' "$(tail -1 <<<"$out")"
	[[ $a == hmac-md5 ]] && echo "# knotd's AXFR: $(tail -1 <<<"$out")"
done
out=$("$PEER" query 127.0.0.1 "$KPORT" "hmac-sha256:hmac-sha256.key:$WRONG" example. SOA 2>&1)
check "wrong secret: knotd answers BADSIG (unsigned), we report it" \
	"result: error from peer 16 rcode NOTAUTH messages 1" "$(tail -1 <<<"$out")"
out=$("$PEER" query 127.0.0.1 "$KPORT" "hmac-sha256:nokey.:${SECRET[hmac-sha256]}" example. SOA 2>&1)
check "unknown key: knotd answers BADKEY, we report it" \
	"result: error from peer 17 rcode NOTAUTH messages 1" "$(tail -1 <<<"$out")"
# The right name with another algorithm's secret.
out=$("$PEER" query 127.0.0.1 "$KPORT" "hmac-sha512:hmac-sha256.key:${SECRET[hmac-sha256]}" example. SOA 2>&1)
check "algorithm not the key's: knotd answers BADKEY" \
	"result: error from peer 17 rcode NOTAUTH messages 1" "$(tail -1 <<<"$out")"

finish
