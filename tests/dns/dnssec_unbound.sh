#!/usr/bin/env bash
# tests/dns/dnssec_unbound.sh - riposte-dns serving pre-signed zones to a
# validating Unbound (RFC 4033-4035, RFC 5155).
#
# Signs tests/dns/zones/dnssec.zone with fresh ldns-keygen keys three ways:
# nsec.test. (NSEC), nsec3.test. (NSEC3, salt, 5 iterations), optout.test.
# (NSEC3 with opt-out) and broken.test. (NSEC, then one signature
# altered), each with a signed child
# zone (its DS in the parent) and an unsigned one (no DS: insecure).
# riposte-dns serves all of them on a loopback port; Unbound, started here
# on another, has each parent's DS as trust anchor and a stub-zone per zone
# to riposte-dns.  Through Unbound: a positive answer, NXDOMAIN, NODATA, an
# empty non-terminal, a wildcard answer and wildcard NODATA, a CNAME chain,
# DNSKEY and the signed child validate (NOERROR/NXDOMAIN with AD); the
# insecure child answers without AD and without SERVFAIL.  With opt-out,
# NXDOMAIN and wildcard answers are provably insecure only (the next closer
# name is covered by an opt-out NSEC3, RFC 5155 9.2): answered without AD,
# not SERVFAIL; the rest validates.  The altered signature gives SERVFAIL.
#
# As root it runs in a network namespace of its own (lo only), elsewhere on
# the host's loopback.  It stops only the processes it started, by pid.
# Ends with "N passed, N failed".
#
# With DNSSEC_VIA=secondary the riposte-dns Unbound asks is the secondary
# of another riposte-dns that loads the signed files (AXFR): the same
# checks then say that signed zones transfer unchanged (issue 12).
#
# Environment: RIPOSTE_DNS (the binary; default build/riposte-dns),
# DNSSEC_NETNS=0 (stay on the host), DNSSEC_KEEP=1 (keep the temp dir),
# DNSSEC_VIA=primary|secondary (default primary).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

own_netns DNSSEC "rdns-dnssec-$$" RIPOSTE_DNS="$BIN" DNSSEC_VIA="${DNSSEC_VIA:-primary}"

for tool in unbound dig ldns-keygen ldns-signzone ldns-key2ds; do
	command -v "$tool" >/dev/null || setup_failed "$tool is missing (apt-get install unbound dnsutils ldnsutils)"
done
[[ -x $BIN ]] || setup_failed "$BIN is not built"

T=$(mktemp -d /tmp/rdns-dnssec.XXXXXX) || exit 1
chmod 755 "$T"
DPID='' UPID=''
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$UPID"
	stop_pid "$DPID"
	stop_pid "$PPID_"
	if [[ ${DNSSEC_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
		echo "# files and logs kept in $T"
		[[ $FAIL -gt 0 && -f $T/unbound.log ]] && grep -iE 'validat|bogus|fail' "$T/unbound.log" | tail -n 20 | sed 's/^/# unbound: /'
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DPORT=$(free_port $((20000 + $$ % 12000)))
UPORT=$(free_port $((DPORT + 1)))
PPORT=$(free_port $((UPORT + 1)))
# DNSSEC_VIA=secondary: Unbound asks a riposte-dns that is the secondary of
# another riposte-dns (AXFR): the signed zones must arrive unchanged.
VIA=${DNSSEC_VIA:-primary}
PPID_=''

# ---- zones ---------------------------------------------------------------
# keys ZONE: a KSK and a ZSK (ECDSA P-256) in $T/keys/ZONE; prints their base names
keys() {
	mkdir -p "$T/keys/$1"
	(cd "$T/keys/$1" && ldns-keygen -a ECDSAP256SHA256 -k "${1%.}" && ldns-keygen -a ECDSAP256SHA256 "${1%.}")
}
# sign ZONE SRC [ldns-signzone options]: $T/ZONE.zone
sign() {
	local z=$1 src=$2 k
	shift 2
	mapfile -t k < <(keys "$z")
	((${#k[@]} == 2)) || bail "ldns-keygen for $z"
	(cd "$T/keys/$z" && ldns-signzone "$@" -o "$z" -f "$T/${z%.}.zone" "$src" "${k[@]}") >"$T/sign.log" 2>&1 ||
		bail "ldns-signzone $z: $(cat "$T/sign.log")"
	# the KSK's DS (SHA-256), for the parent or the trust anchor
	(cd "$T/keys/$z" && ldns-key2ds -n -2 "${k[0]}.key") >"$T/${z%.}.ds" || bail "ldns-key2ds $z"
}
child() { # child ZONE: a small child zone's source
	cat <<-EOF
		\$ORIGIN $1
		\$TTL 3600
		@	SOA	ns hostmaster 1 7200 3600 1209600 300
		@	NS	ns
		ns	A	127.0.0.1
		host	A	192.0.2.150
	EOF
}
ZONES=()
PARENTS=(nsec.test. nsec3.test. optout.test. broken.test.)
for p in "${PARENTS[@]}"; do
	opts=()
	[[ $p == nsec3.test. ]] && opts=(-n -s c0ffee -t 5)
	[[ $p == optout.test. ]] && opts=(-n -s 5a17 -t 1 -p)
	child "signed.$p" >"$T/child-signed.src"
	sign "signed.$p" "$T/child-signed.src"
	child "unsigned.$p" >"$T/unsigned.${p%.}.zone"
	{ echo "\$ORIGIN $p"; cat "$ROOT/tests/dns/zones/dnssec.zone"; cat "$T/signed.${p%.}.ds"; } >"$T/parent.src"
	sign "$p" "$T/parent.src" "${opts[@]}"
	ZONES+=("$p" "signed.$p" "unsigned.$p")
done
# broken.test.: one byte of www's A signature changed (still valid base64)
cp "$T/broken.test.zone" "$T/broken.orig"
awk '$1 == "www.broken.test." && $4 == "RRSIG" && $5 == "A" && !done {
	s = $NF; c = substr(s, 10, 1); $NF = substr(s, 1, 9) (c == "A" ? "B" : "A") substr(s, 11); done = 1 }
	{ print }' "$T/broken.test.zone" >"$T/broken.tmp" && mv "$T/broken.tmp" "$T/broken.test.zone"
check "broken.test.: one line altered (www's RRSIG over A)" 1 \
	"$(diff "$T/broken.orig" "$T/broken.test.zone" | grep -c '^> www.broken.test.*RRSIG.A ')"

if [[ $VIA == secondary ]]; then
	# A primary riposte-dns loads the signed files; the one Unbound asks is
	# its secondary (AXFR), so every answer comes from transferred data.
	{
		echo "listen 127.0.0.1@$PPORT"
		echo "control none"
		echo "workers 1"
		echo "user root"
		echo "rrl-rate 0"
		for z in "${ZONES[@]}"; do
			echo "zone $z file $T/${z%.}.zone"
			echo "zone $z allow-transfer 127.0.0.1"
		done
	} >"$T/primary.conf"
	"$BIN" -c "$T/primary.conf" -d >"$T/primary.log" 2>&1 &
	PPID_=$!
	for _ in $(seq 100); do
		[[ -n $(dig @127.0.0.1 -p "$PPORT" +short +tries=1 +time=1 SOA nsec.test. 2>/dev/null) ]] && break
		sleep 0.05
	done
fi
{
	echo "listen 127.0.0.1@$DPORT"
	echo "control none"
	echo "workers 1"
	echo "user root"
	for z in "${ZONES[@]}"; do
		if [[ $VIA == secondary ]]; then
			echo "zone $z secondary 127.0.0.1@$PPORT"
			echo "zone $z file $T/copy-${z%.}.zone"
		else
			echo "zone $z file $T/${z%.}.zone"
		fi
	done
} >"$T/riposte-dns.conf"
"$BIN" -c "$T/riposte-dns.conf" -d >"$T/riposte-dns.log" 2>&1 &
DPID=$!
if [[ $VIA == secondary ]]; then
	got=0
	for _ in $(seq 200); do
		got=0
		for z in "${ZONES[@]}"; do
			[[ $(dig @127.0.0.1 -p "$DPORT" +tries=1 +time=1 SOA "$z" 2>/dev/null) == *"status: NOERROR"* ]] &&
				got=$((got + 1))
		done
		((got == ${#ZONES[@]})) && break
		sleep 0.05
	done
	check "the secondary holds every zone, transferred from the primary" "${#ZONES[@]}" "$got"
fi

{
	cat <<-EOF
		server:
		  interface: 127.0.0.1@$UPORT
		  port: $UPORT
		  do-ip6: no
		  username: ""
		  chroot: ""
		  directory: "$T"
		  pidfile: "$T/unbound.pid"
		  use-syslog: no
		  logfile: "$T/unbound.log"
		  verbosity: 1
		  val-log-level: 2
		  do-not-query-localhost: no
		  module-config: "validator iterator"
		  num-threads: 1
		  qname-minimisation: no
		  root-hints: ""
		  # test. is one of Unbound's default local zones (RFC 6761): let it through
		  local-zone: "test." nodefault
	EOF
	for p in "${PARENTS[@]}"; do
		sed 's/^/  trust-anchor: "/; s/$/"/; s/\t/ /g' "$T/${p%.}.ds"
	done
	for z in "${ZONES[@]}"; do
		printf 'stub-zone:\n  name: "%s"\n  stub-addr: 127.0.0.1@%s\n' "$z" "$DPORT"
	done
} >"$T/unbound.conf"
unbound-checkconf "$T/unbound.conf" >"$T/checkconf.log" 2>&1 || bail "unbound-checkconf: $(cat "$T/checkconf.log")"
unbound -d -c "$T/unbound.conf" >"$T/unbound.out" 2>&1 &
UPID=$!

up=0
for _ in $(seq 100); do
	if [[ -n $(dig @127.0.0.1 -p "$DPORT" +short +tries=1 +time=1 SOA nsec.test. 2>/dev/null) ]] &&
		dig @127.0.0.1 -p "$UPORT" +tries=1 +time=1 SOA nsec.test. >/dev/null 2>&1; then
		up=1
		break
	fi
	sleep 0.1
done
((up)) || bail "riposte-dns on $DPORT or unbound on $UPORT did not answer (logs in $T)"
ok "riposte-dns (port $DPORT) and unbound (port $UPORT) are up"

# ---- through the validator --------------------------------------------------
# ask NAME TYPE: "RCODE FLAGS-AD|noad ANSWER-RDATA..." from unbound
ask() {
	local out rc ad
	out=$(dig @127.0.0.1 -p "$UPORT" +dnssec +tries=1 +time=5 "$1" "$2" 2>&1)
	rc=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out")
	ad=noad
	grep -q '^;; flags:.* ad[ ;]' <<<"$out" && ad=ad
	echo "$rc $ad $(dig @127.0.0.1 -p "$UPORT" +short +tries=1 +time=5 "$1" "$2" 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
}
for p in nsec.test. nsec3.test. optout.test.; do
	sec=ad
	[[ $p == optout.test. ]] && sec=noad # RFC 5155 9.2: opt-out covers the next closer name
	check "$p www A: validated" "NOERROR ad 192.0.2.80" "$(ask "www.$p" A)"
	check "$p NXDOMAIN: $sec" "NXDOMAIN $sec " "$(ask "nx.$p" A)"
	check "$p NXDOMAIN below a name: $sec" "NXDOMAIN $sec " "$(ask "a.nx.www.$p" A)"
	check "$p NODATA: validated" "NOERROR ad " "$(ask "www.$p" TXT)"
	check "$p empty non-terminal NODATA: validated" "NOERROR ad " "$(ask "ent.$p" A)"
	check "$p wildcard answer: $sec" "NOERROR $sec 192.0.2.99" "$(ask "q.wild.$p" A)"
	check "$p wildcard NODATA: $sec" "NOERROR $sec " "$(ask "q.wild.$p" MX)"
	check "$p CNAME chain: validated" "NOERROR ad chain.$p www.$p 192.0.2.80" "$(ask "alias.$p" A)"
	check "$p DNSKEY: validated" "NOERROR ad" "$(ask "$p" DNSKEY | cut -d' ' -f1-2)"
	check "$p MX with its target: validated" "NOERROR ad 10 mail.$p" "$(ask "$p" MX)"
	check "$p signed delegation (DS): validated" "NOERROR ad 192.0.2.150" "$(ask "host.signed.$p" A)"
	check "$p insecure delegation (no DS proven): answered, not validated" "NOERROR noad 192.0.2.150" \
		"$(ask "host.unsigned.$p" A)"
	check "$p DS of the insecure child: NODATA validated" "NOERROR ad " "$(ask "unsigned.$p" DS)"
done
check "broken.test. altered signature: SERVFAIL" "SERVFAIL noad " "$(ask "www.broken.test." A)"
check "broken.test. other names still validate" "NOERROR ad 192.0.2.25" "$(ask "mail.broken.test." A)"

# ---- riposte-dns itself: nothing of DNSSEC without DO ----------------------
out=$(dig @127.0.0.1 -p "$DPORT" +norecurse +nodnssec www.nsec.test. A 2>&1)
check "without DO: no RRSIG from riposte-dns" 0 "$(grep -c 'RRSIG' <<<"$out")"
out=$(dig @127.0.0.1 -p "$DPORT" +norecurse +dnssec www.nsec.test. A 2>&1)
check "with DO: the A RRset's RRSIG from riposte-dns" 1 "$(grep -c $'\tRRSIG\tA ' <<<"$out")"

check_sigterm "$UPID" "unbound stops on SIGTERM" && UPID=
check_sigterm "$DPID" "riposte-dns stops on SIGTERM" && DPID=
check_no_sanitizer "$T/riposte-dns.log"
if [[ $VIA == secondary ]]; then
	check_sigterm "$PPID_" "the primary stops on SIGTERM" && PPID_=
fi
finish
