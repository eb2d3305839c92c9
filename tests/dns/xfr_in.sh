#!/usr/bin/env bash
# tests/dns/xfr_in.sh - riposte-dns as the secondary of a real primary:
# Knot (knotd, started here with its own config, rundir, storage and
# journal in a temp dir, on a loopback port) serves three zones, and
# riposte-dns transfers them (RFC 5936 AXFR, RFC 1995 IXFR, RFC 1996
# NOTIFY, RFC 8945 TSIG with hmac-sha256):
#
#   example.test.  TSIG-keyed: the first AXFR (answers compared with
#                  Knot's), changes on Knot (zone file edited, a new serial,
#                  `knotc zone-reload`, Knot computing the difference into
#                  its journal) reaching riposte-dns by NOTIFY + IXFR within
#                  2 s (the delay of each printed); then a wrong secret:
#                  the SOA query is refused by Knot and Knot's NOTIFY by us,
#                  both counted, the zone stays as it was; the right secret
#                  again: the change arrives;
#   nsec.test.     pre-signed (tests/dns/zones/signed-nsec.zone), keyed:
#                  transferred unchanged, RRSIG, NSEC and DNSKEY answers
#                  byte for byte Knot's;
#   nsd.test.      from NSD (4.6 has no IXFR out: it answers an IXFR with
#                  the whole zone): the change arrives AXFR-style; then
#                  from Knot (a reload changes its primary), whose lower
#                  serial replaces NSD's;
#   short.test.    unkeyed, a dead first primary then Knot (tried in
#                  order), SOA refresh 2 retry 1 expire 6: Knot stopped,
#                  riposte-dns restarted: the kept copy is served at once
#                  (no primary to refresh from), still served until expire,
#                  then SERVFAIL.
#
# XFR_IN_BIG="100000 1000000" adds a zone of that many generated records per
# size: its AXFR time into riposte-dns and the time of a 10-record IXFR are
# printed (figures, not assertions; a few GB of memory for 1M).
# As root it runs in a network namespace of its own.  Stops only what it
# started, by pid.  Ends with "N passed, N failed".
# Environment: RIPOSTE_DNS (default build/riposte-dns), RIPOSTECTL (default
# next to it), XFR_IN_NETNS=0 (stay on the host), XFR_IN_BIG.
# shellcheck disable=SC2317 # the functions wait_for calls by name
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
CTL=${RIPOSTECTL:-$(dirname "$BIN")/ripostectl}
BIG=${XFR_IN_BIG:-}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

own_netns XFR_IN "rdns-xfr-$$" RIPOSTE_DNS="$BIN" RIPOSTECTL="$CTL" XFR_IN_BIG="$BIG"

for t in knotd knotc nsd nsd-control dig python3; do
	command -v $t >/dev/null || setup_failed "$t is missing (apt-get install knot knot-dnsutils nsd dnsutils python3)"
done
[[ -x $BIN && -x $CTL ]] || setup_failed "$BIN or $CTL is not built"

T=$(mktemp -d /tmp/rdns-xfr.XXXXXX) || exit 1
chmod 755 "$T"
KPID=""
RPID=""
NPID=""
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$RPID"
	stop_pid "$KPID"
	stop_pid "$NPID"
	if ((FAIL > 0)); then
		echo "# files and logs kept in $T"
		sed 's/^/# riposte-dns: /' "$T/rdns.log" 2>/dev/null | tail -n 25
		sed 's/^/# knotd: /' "$T/knot.log" 2>/dev/null | tail -n 10
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

KP=$((22000 + $$ % 10000))
while ! port_free "$KP" || ! port_free $((KP + 1)) || ! port_free $((KP + 2)) ||
	! port_free $((KP + 3)); do KP=$((KP + 4)); done
RP=$((KP + 1))
NP=$((KP + 2))
DEAD=$((KP + 3)) # nothing listens there: short.test's first primary
now_ms() { date +%s%3N; }

mkdir -p "$T/knot/db" "$T/knot/zones" "$T/sec"
# riposte-dns started as root runs as nobody: it must write its copies there.
chmod 777 "$T/sec"
SECRET=$(head -c 32 /dev/urandom | base64)
WRONG=$(head -c 32 /dev/urandom | base64)

example_zone() { # example_zone SERIAL [TXT]
	cat >"$T/knot/zones/example.test.zone" <<-EOF
		\$ORIGIN example.test.
		\$TTL 300
		@	IN SOA ns1 hostmaster $1 3600 600 1209600 60
		@	IN NS ns1
		@	IN MX 10 mail
		ns1	IN A 192.0.2.1
		mail	IN A 192.0.2.25
		www	IN A 192.0.2.10
		www	IN AAAA 2001:db8::10
		alias	IN CNAME www
		txt	IN TXT "version ${2:-$1}"
		_sip._udp IN SRV 10 20 5060 www
		a.b.c	IN A 192.0.2.30
	EOF
}
short_zone() {
	cat >"$T/knot/zones/short.test.zone" <<-EOF
		\$ORIGIN short.test.
		\$TTL 60
		@	IN SOA ns1 hostmaster $1 2 1 6 60
		@	IN NS ns1
		ns1	IN A 192.0.2.1
		host	IN A 192.0.2.40
	EOF
}
example_zone 1
short_zone 1
cp "$ROOT/tests/dns/zones/signed-nsec.zone" "$T/knot/zones/nsec.test.zone"
# Knot's own nsd.test, numbered lower than NSD's: for the change of primaries.
cat >"$T/knot/zones/nsd.test.zone" <<-EOF
	\$ORIGIN nsd.test.
	\$TTL 300
	@	IN SOA ns1 hostmaster 1 3600 600 1209600 60
	@	IN NS ns1
	ns1	IN A 192.0.2.1
	www	IN A 192.0.2.99
EOF

knot_conf() {
	local n
	{
		cat <<-EOF
			server:
			  rundir: "$T/knot"
			  pidfile: "$T/knot/knot.pid"
			  listen: 127.0.0.1@$KP
			  udp-workers: 1
			  tcp-workers: 2
			  background-workers: 2
			control:
			  listen: "$T/knot/knot.sock"
			database:
			  storage: "$T/knot/db"
			log:
			  - target: stderr
			    any: info
			key:
			  - id: xfr
			    algorithm: hmac-sha256
			    secret: $SECRET
			remote:
			  - id: riposte
			    address: 127.0.0.1@$RP
			    key: xfr
			  - id: riposte-plain
			    address: 127.0.0.1@$RP
			acl:
			  - id: keyed
			    address: 127.0.0.1
			    action: transfer
			    key: xfr
			  - id: plain
			    address: 127.0.0.1
			    action: transfer
			template:
			  - id: default
			    storage: "$T/knot/zones"
			    file: "%s.zone"
			    zonefile-sync: -1
			    zonefile-load: difference
			    journal-content: changes
			    semantic-checks: off
			zone:
			  - domain: example.test
			    notify: riposte
			    acl: keyed
			  - domain: nsec.test
			    notify: riposte
			    acl: keyed
			  - domain: short.test
			    notify: riposte-plain
			    acl: plain
			  - domain: nsd.test
			    acl: plain
		EOF
		for n in ${BIG_ON:-}; do
			printf '  - domain: big%s.test\n    notify: riposte\n    acl: keyed\n' "$n"
		done
	} >"$T/knot/knot.conf"
}
rdns_conf() { # rdns_conf SECRET
	local n
	{
		cat <<-EOF
			listen 127.0.0.1@$RP
			workers 2
			rrl-rate 0
			control $T/ctl.sock
			key xfr hmac-sha256 $1
			zone example.test secondary 127.0.0.1@$KP key xfr
			zone example.test file $T/sec/example.test.zone
			zone nsec.test secondary 127.0.0.1@$KP key xfr
			zone nsec.test file $T/sec/nsec.test.zone
			zone short.test secondary 127.0.0.1@$DEAD
			zone short.test secondary 127.0.0.1@$KP
			zone short.test file $T/sec/short.test.zone
		EOF
		if [[ ${NSD_ON:-} == knot ]]; then
			echo "zone nsd.test secondary 127.0.0.1@$KP"
			echo "zone nsd.test file $T/sec/nsd.test.zone"
		elif [[ -n ${NSD_ON:-} ]]; then
			echo "zone nsd.test secondary 127.0.0.1@$NP"
			echo "zone nsd.test file $T/sec/nsd.test.zone"
		fi
		for n in ${BIG_ON:-}; do
			printf 'zone big%s.test secondary 127.0.0.1@%s key xfr\nzone big%s.test file %s\n' \
			    "$n" "$KP" "$n" "$T/sec/big$n.test.zone"
		done
	} >"$T/rdns.conf"
}
knot_conf
rdns_conf "$SECRET"

KDIG="dig @127.0.0.1 -p $KP +time=1 +tries=1 +norec"
RDIG="dig @127.0.0.1 -p $RP +time=1 +tries=1 +norec"
ctl() { "$CTL" -s "$T/ctl.sock" "$@"; }
# zinfo ZONE EXPR: EXPR over the `zones --json` object of ZONE (z)
zinfo() {
	ctl zones --json | python3 -c "import json, sys
z = [x for x in json.load(sys.stdin) if x['zone'] == '$1'][0]
print($2)"
}
serial_at() { $1 +short "$2" SOA 2>/dev/null | awk '{print $3}'; }
rcode_at() { $1 "$2" "${3:-SOA}" 2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p'; }
# wait_for SECONDS CMD...: poll CMD every 20 ms until it succeeds
wait_for() {
	local end=$(($(now_ms) + $1 * 1000))
	while (($(now_ms) < end)); do
		"${@:2}" && return 0
		sleep 0.02
	done
	return 1
}
served() { [[ $(serial_at "$RDIG" "$1") == "$2" ]]; }
start_knot() {
	knotd -c "$T/knot/knot.conf" >>"$T/knot.log" 2>&1 &
	KPID=$!
	wait_for 10 served_by_knot || bail "knotd did not start (see $T/knot.log)"
}
served_by_knot() { [[ -n $(serial_at "$KDIG" example.test) && -n $(serial_at "$KDIG" short.test) ]]; }
start_rdns() {
	"$BIN" -d -c "$T/rdns.conf" >>"$T/rdns.log" 2>&1 &
	RPID=$!
}
# same_answers ZONE NAME TYPE [DIG OPTIONS]: the answer sections of Knot and riposte-dns
same_answers() {
	local a b
	a=$($KDIG "${@:4}" +noall +answer "$2" "$3" | sort)
	b=$($RDIG "${@:4}" +noall +answer "$2" "$3" | sort)
	if [[ -n $a && $a == "$b" ]]; then
		ok "$1: $2 $3 ${*:4} answered as Knot does"
	else
		not_ok "$1: $2 $3 ${*:4}: knot '$a', riposte-dns '$b'"
	fi
}

start_knot
start_rdns
if ! wait_for 10 served example.test 1; then
	bail "riposte-dns did not get example.test from Knot in 10 s"
fi
wait_for 5 served nsec.test 1
wait_for 5 served short.test 1

# ---- the first transfers: AXFR, answers as Knot's
check "example.test: AXFR (no copy yet), signed with the key" "1 0 0" \
	"$(zinfo example.test. '"%d %d %d" % (z["axfr"], z["ixfr"], z["transfer_failures"])')"
for q in "example.test SOA" "example.test NS" "example.test MX" "www.example.test A" \
	"www.example.test AAAA" "alias.example.test A" "txt.example.test TXT" \
	"_sip._udp.example.test SRV" "a.b.c.example.test A"; do
	# shellcheck disable=SC2086 # name and type
	same_answers example.test $q
done
check "example.test: an empty non-terminal is NOERROR" NOERROR "$(rcode_at "$RDIG" b.c.example.test A)"
check "example.test: a missing name is NXDOMAIN" NXDOMAIN "$(rcode_at "$RDIG" nx.example.test A)"
check_match "example.test: the copy is kept on disk" "SOA.*hostmaster.example.test. 1 " \
	"$(grep SOA "$T/sec/example.test.zone" 2>/dev/null)"

check "short.test: served from the second primary, the first being dead" "1 2" \
	"$(zinfo short.test. '"%s %d" % (z["serial"], len(z["primaries"]))')"
check_match "short.test: the dead primary was asked first" \
	"zone short.test.: primary 127.0.0.1@$DEAD: SOA query: Connection refused" "$(cat "$T/rdns.log")"
check_match "zones (text): a secondary's state" \
	"secondary: serial 1 \(primary 1\), refreshed [0-9.]+ s ago, next refresh in [0-9.]+ s, expires in [0-9.]+ s" \
	"$(ctl zones)"

# ---- a signed zone, unchanged: RRSIG, NSEC, DNSKEY byte for byte
for q in "nsec.test SOA" "nsec.test DNSKEY" "nsec.test NS" "mail.nsec.test A" \
	"alias.nsec.test CNAME" "nsec.test NSEC" "mail.nsec.test NSEC" "a.b.ent.nsec.test A"; do
	# shellcheck disable=SC2086
	same_answers nsec.test $q +dnssec
done
# The kept copy writes RRSIG in the RFC 3597 generic form (TYPE46).
check "nsec.test: the kept copy has as many RRSIGs as the zone file" \
	"$(awk '$4 == "RRSIG"' "$ROOT/tests/dns/zones/signed-nsec.zone" | wc -l)" \
	"$(awk '$4 == "RRSIG" || $4 == "TYPE46"' "$T/sec/nsec.test.zone" 2>/dev/null | wc -l)"

# ---- changes on Knot reach riposte-dns by NOTIFY + IXFR within 2 s
DELAYS=()
for s in 2 3 4 5 6; do
	example_zone "$s"
	t0=$(now_ms)
	knotc -s "$T/knot/knot.sock" zone-reload example.test >/dev/null
	if wait_for 2 served example.test "$s"; then
		DELAYS+=($(($(now_ms) - t0)))
	else
		DELAYS+=(timeout)
	fi
done
echo "# NOTIFY-to-serving delays (knotc zone-reload to the new serial answered), ms: ${DELAYS[*]}"
check "example.test: 5 changes served within 2 s each" 0 \
	"$(printf '%s\n' "${DELAYS[@]}" | grep -c -v -E '^[0-9]+$')"
check "example.test: by IXFR (5 IXFR, 1 AXFR, 0 failures)" "5 1 0" \
	"$(zinfo example.test. '"%d %d %d" % (z["ixfr"], z["axfr"], z["transfer_failures"])')"
check "example.test: the NOTIFYs were received, none refused" "True 0" \
	"$(zinfo example.test. '"%s %d" % (z["notify_received"] >= 5, z["notify_refused"])')"
check_match "the log says IXFR" "example.test.: IXFR from 127.0.0.1@$KP: serial 5 -> 6" "$(cat "$T/rdns.log")"
same_answers example.test txt.example.test TXT

# ---- a wrong secret: refused both ways, counted; the zone stays
rdns_conf "$WRONG"
ctl reload >/dev/null
failures_gt() { [[ $(zinfo example.test. 'z["transfer_failures"]') -gt $1 ]]; }
wait_for 3 failures_gt 0
check_match "wrong secret: the refresh fails, with the TSIG error" "TSIG|BADSIG|NOTAUTH" \
	"$(zinfo example.test. 'z["last_error"]')"
example_zone 7
knotc -s "$T/knot/knot.sock" zone-reload example.test >/dev/null
refused() { [[ $(zinfo example.test. 'z["notify_refused"]') -gt 0 ]]; }
wait_for 3 refused
check "wrong secret: Knot's NOTIFY is refused and counted" True \
	"$(zinfo example.test. 'z["notify_refused"] > 0 and z["transfer_failures"] > 0')"
sleep 1
check "wrong secret: the zone stays at serial 6" 6 "$(serial_at "$RDIG" example.test)"
check "wrong secret: Knot has serial 7" 7 "$(serial_at "$KDIG" example.test)"
rdns_conf "$SECRET"
ctl reload >/dev/null
if wait_for 3 served example.test 7; then ok "the right secret again: serial 7 arrives"; else
	not_ok "the right secret again: serial 7 not served in 3 s"; fi

# ---- NSD as the primary: no IXFR out, the whole zone comes back (AXFR-style)
mkdir -p "$T/nsd"
nsd_zone() {
	cat >"$T/nsd/nsd.test.zone" <<-EOF
		\$ORIGIN nsd.test.
		\$TTL 300
		@	IN SOA ns1 hostmaster $1 3600 600 1209600 60
		@	IN NS ns1
		ns1	IN A 192.0.2.1
		www	IN A 192.0.2.$((50 + $1))
	EOF
}
nsd_zone 1
cat >"$T/nsd/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1@$NP
  do-ip6: no
  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "$T/nsd"
  database: ""
  pidfile: "$T/nsd/nsd.pid"
  logfile: "$T/nsd/nsd.log"
  xfrdfile: "$T/nsd/xfrd.state"
  xfrdir: "$T/nsd"
  zonelistfile: "$T/nsd/zone.list"
  rrl-ratelimit: 0
remote-control:
  control-enable: yes
  control-interface: $T/nsd/nsd.ctl
zone:
  name: nsd.test
  zonefile: nsd.test.zone
  provide-xfr: 127.0.0.1 NOKEY
  notify: 127.0.0.1@$RP NOKEY
EOF
nsd -d -c "$T/nsd/nsd.conf" >"$T/nsd.log" 2>&1 &
NPID=$!
nsd_up() { [[ -n $(serial_at "dig @127.0.0.1 -p $NP +time=1 +tries=1" nsd.test) ]]; }
wait_for 10 nsd_up || not_ok "nsd did not start (see $T/nsd.log)"
NSD_ON=1 rdns_conf "$SECRET"
ctl reload >/dev/null
if wait_for 5 served nsd.test 1; then ok "nsd.test: AXFR from NSD"; else not_ok "nsd.test: not served"; fi
nsd_zone 2
t0=$(now_ms)
nsd-control -c "$T/nsd/nsd.conf" reload nsd.test >/dev/null
if wait_for 3 served nsd.test 2; then
	echo "# nsd.test: a change on NSD served after $(($(now_ms) - t0)) ms (NOTIFY, IXFR answered with the whole zone)"
	ok "nsd.test: NSD's change arrives"
else
	not_ok "nsd.test: serial 2 not served in 3 s"
fi
check "nsd.test: the IXFR came back whole: counted as AXFR (2 AXFR, 0 IXFR, 0 failures)" "2 0 0" \
	"$(zinfo nsd.test. '"%d %d %d" % (z["axfr"], z["ixfr"], z["transfer_failures"])')"
check_match "the log says so" "nsd.test.: IXFR \(whole zone\) from 127.0.0.1@$NP: serial 1 -> 2" "$(cat "$T/rdns.log")"
check "nsd.test: www as NSD answers it" "$(dig @127.0.0.1 -p "$NP" +short www.nsd.test A)" \
	"$($RDIG +short www.nsd.test A)"
stop_pid "$NPID"
NPID=""
# Another primary (reload): its version replaces ours by AXFR, though its serial is lower.
NSD_ON=knot rdns_conf "$SECRET"
ctl reload >/dev/null
if wait_for 3 served nsd.test 1; then ok "nsd.test: new primary: its serial 1 replaces our 2"; else
	not_ok "nsd.test: new primary's serial 1 not served in 3 s (serving $(serial_at "$RDIG" nsd.test))"; fi
check "nsd.test: Knot's data" 192.0.2.99 "$($RDIG +short www.nsd.test A)"

# ---- large zones (XFR_IN_BIG): AXFR and 10-record IXFR times, figures only
big_zone() { # big_zone N SERIAL CHANGED
	python3 - "$1" "$2" "$3" >"$T/knot/zones/big$1.test.zone" <<-'EOF'
		import sys
		n, serial, changed = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
		w = sys.stdout.write
		w("$ORIGIN big%d.test.\n$TTL 300\n" % n)
		w("@ IN SOA ns1 hostmaster %d 3600 600 1209600 60\n@ IN NS ns1\nns1 IN A 192.0.2.1\n" % serial)
		for i in range(n - 3):
		    last = i % 250 + 1 if i >= changed else (i + 7) % 250 + 1
		    w("h%d IN A 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255, last))
	EOF
}
if [[ -n $BIG ]]; then
	BIG_ON=
	for n in $BIG; do
		big_zone "$n" 1 0
		BIG_ON="$BIG_ON $n"
		BIG_ON=$BIG_ON knot_conf
		knotc -s "$T/knot/knot.sock" reload >/dev/null
		wait_for 600 bash -c "[[ \$(dig @127.0.0.1 -p $KP +short big$n.test SOA | awk '{print \$3}') == 1 ]]" ||
			{ not_ok "big$n.test: Knot did not load it"; continue; }
		NSD_ON=knot BIG_ON=$BIG_ON rdns_conf "$SECRET"
		t0=$(now_ms)
		ctl reload >/dev/null
		if wait_for 600 served "big$n.test" 1; then
			ms=$(($(now_ms) - t0))
			echo "# big$n.test: AXFR of $n records into riposte-dns: ${ms} ms from the reload to serving ($(zinfo "big$n.test." '"%s, transfer and build %s ms" % (z["last_transfer"]["kind"], z["last_transfer"]["ms"])'))"
			# What the log adds: the publish after the build, and the copy kept on disk.
			grep "zone big$n.test.: AXFR" "$T/rdns.log" | tail -n 1 | sed 's/.*in the zone, /#   then: /'
			ok "big$n.test: transferred"
		else
			not_ok "big$n.test: not served in 600 s"
			continue
		fi
		big_zone "$n" 2 10
		t0=$(now_ms)
		knotc -s "$T/knot/knot.sock" zone-reload "big$n.test" >/dev/null
		if wait_for 600 served "big$n.test" 2; then
			ms=$(($(now_ms) - t0))
			echo "# big$n.test: a 10-record change: ${ms} ms from knotc zone-reload to serving ($(zinfo "big$n.test." '"%s %s records, transfer and build %s ms" % (z["last_transfer"]["kind"], z["last_transfer"]["records"], z["last_transfer"]["ms"])'))"
			grep "zone big$n.test.: IXFR" "$T/rdns.log" | tail -n 1 | sed 's/.*in the zone, /#   then: /'
			check "big$n.test: the change came by IXFR" IXFR "$(zinfo "big$n.test." 'z["last_transfer"]["kind"]')"
		else
			not_ok "big$n.test: serial 2 not served in 600 s"
		fi
	done
fi

# ---- Knot stopped, riposte-dns restarted: the kept copy at once, then expire
check "short.test: refreshed every 2 s" True "$(zinfo short.test. 'z["up_to_date"] >= 1')"
stop_pid "$KPID"
KPID=
stopped=$(now_ms)
check_sigterm "$RPID" "riposte-dns: SIGTERM, clean exit" && RPID=
start_rdns
# The first answer it gives (any rcode) must already be the kept copy's.
answering() { [[ -n $(rcode_at "$RDIG" short.test) ]]; }
first=
wait_for 10 answering && first=$(serial_at "$RDIG" short.test)
check "restart without a primary: short.test served from the kept copy" 1 "$first"
check "restart without a primary: example.test served from the kept copy" 7 "$(serial_at "$RDIG" example.test)"
check_match "restart: no transfer happened (the primary is down)" "^0 0 " \
	"$(zinfo short.test. '"%d %d %s" % (z["axfr"], z["ixfr"], z["last_error"])')"
# The copy's mtime is the last refresh (at most 2 s before Knot stopped): expire 6 s after it.
sleep 1
check "Knot down: short.test still served" NOERROR "$(rcode_at "$RDIG" host.short.test A)"
expired() { [[ $(rcode_at "$RDIG" host.short.test A) == SERVFAIL ]]; }
if wait_for 10 expired; then
	after=$(($(now_ms) - stopped))
	echo "# short.test answered SERVFAIL ${after} ms after Knot stopped (refresh 2 s, expire 6 s)"
	if ((after >= 3000 && after <= 9000)); then ok "short.test: SERVFAIL once expired (${after} ms after Knot stopped)"; else
		not_ok "short.test: SERVFAIL ${after} ms after Knot stopped, want 3000..9000 (refresh 2, expire 6)"; fi
else
	not_ok "short.test: still answering 10 s after Knot stopped (expire 6 s)"
fi
check "short.test expired: zones --json says so" "True None" \
	"$(zinfo short.test. '"%s %s" % (z["expired"], z["expires_in_ms"])')"
check_match "the log says it expired" "zone short.test.: expired" "$(cat "$T/rdns.log")"
check "example.test (expire 14 days) still served" NOERROR "$(rcode_at "$RDIG" www.example.test A)"

check_sigterm "$RPID" "riposte-dns: SIGTERM, clean exit" && RPID=
check_no_sanitizer "$T/rdns.log"
finish
