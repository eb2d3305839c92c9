#!/usr/bin/env bash
# tests/dns/xfr_out.sh - riposte-dns as a primary, NSD and Knot as its
# secondaries, on loopback ports (issue 12, "riposte-dns as the primary").
#
# riposte-dns serves the zones of the differential test (tests/dns/diff/
# zones; three of them signed here with ldns-signzone: NSEC, NSEC3 with
# opt-out, NSEC3) with `allow-transfer 127.0.0.1 key xfr` and a `notify`
# row for each secondary.  NSD (request-xfr, allow-notify) and knotd
# (master remote, notify ACL), all with the TSIG key, start empty and must:
#   - get every zone by AXFR (riposte-dns's counters say so);
#   - answer as they would from the zone files: the differential harness
#     (tests/dns/diff: its query set, compare.py, allow.conf) finds no
#     difference between riposte-dns and the Knot secondary (the pair the
#     diff test checks from files), nor between the NSD secondary and an NSD
#     that loads the same files (NSD and Knot differ in ways the harness
#     lists when NSD is checked against Knot, so NSD is held to itself);
#   - get a change (a new serial, an address changed, two records added)
#     after `ripostectl reload`, by NOTIFY and IXFR: riposte-dns counts two
#     IXFRs and Knot's log names IXFR; the delay from the reload to the new
#     serial being served is printed; the diff passes again on the new zone;
#   - hold the signed zones exactly as riposte-dns sends them: the AXFR of
#     each from riposte-dns, NSD and Knot are the same records, every RRSIG
#     of the signed file among them.
# A NOTIFY target that never answers is tried again (RFC 1996 3.6).  A
# transfer of a larger zone (300k records) read slowly while the zone is
# reloaded twice comes out whole and consistent: the generation it reads is
# held until it ends (run it with an ASan build: RIPOSTE_DNS=build-asan/...).
# And transfers riposte-dns must refuse: from an address outside the row
# (REFUSED), unsigned where the row asks for the key (REFUSED), signed
# with a key it does not know (NOTAUTH, BADKEY) or with a wrong secret
# (NOTAUTH, BADSIG); AXFR over UDP REFUSED, IXFR over UDP our SOA alone.
#
# As root it runs in a network namespace of its own (lo only), elsewhere on
# the host's loopback (ports from 20000 up).  It stops only the processes
# it started, by pid.  Ends with "N passed, N failed".
#
# Environment: RIPOSTE_DNS (default build/riposte-dns), RIPOSTECTL (default
# next to it), XFR_NETNS=0 (stay on the host), XFR_KEEP=1 (keep the temp
# dir), DIFF_PY (a python3 with dnspython, default /usr/bin/python3).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
CTL=${RIPOSTECTL:-$(dirname "$BIN")/ripostectl}
PY=${DIFF_PY:-/usr/bin/python3}
DIFF=$ROOT/tests/dns/diff
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

own_netns XFR "rdns-xfr-$$" RIPOSTE_DNS="$BIN" RIPOSTECTL="$CTL"

for tool in kdig knotd nsd ldns-keygen ldns-signzone; do
	command -v "$tool" >/dev/null || setup_failed "$tool is missing (apt-get install knot knot-dnsutils nsd ldnsutils)"
done
[[ -x $BIN && -x $CTL ]] || setup_failed "$BIN or $CTL is not built"
"$PY" -c 'import dns.message' 2>/dev/null || setup_failed "$PY has no dnspython (apt-get install python3-dnspython)"

T=$(mktemp -d /tmp/rdns-xfrout.XXXXXX) || exit 1
chmod 755 "$T"
RPID= NPID= KPID= FPID=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$RPID"
	stop_pid "$NPID"
	stop_pid "$KPID"
	stop_pid "$FPID"
	if [[ ${XFR_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
		echo "# files and logs kept in $T"
		if [[ $FAIL -gt 0 ]]; then
			for f in "$T/riposte.log" "$T/nsd/nsd.log" "$T/knot/knot.log"; do
				[[ -f $f ]] && tail -n 25 "$f" | sed "s|^|# $(basename "$f"): |"
			done
		fi
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

P=$(free_port $((20000 + $$ % 11000)))
PN=$(free_port $((P + 1)))
PK=$(free_port $((PN + 1)))
PF=$(free_port $((PK + 1)))
PDEAD=$(free_port $((PF + 1))) # nobody listens: NOTIFYs there go unanswered

# ---- zones ---------------------------------------------------------------
ZONES=(example. example.net. 2.0.192.in-addr.arpa. 8.b.d.0.1.0.0.2.ip6.arpa. secure.test. nsec3.test. nsec3n.test.)
declare -A SIGN_OPTS=([secure.test.]="" [nsec3.test.]="-n -s 5ca1ab1e -t 3 -p" [nsec3n.test.]="-n -s 0ddba115 -t 1")
mkdir -p "$T/primary" "$T/keys" "$T/nsd" "$T/nsdfiles" "$T/knot/db" "$T/knot/zones"
for z in "${ZONES[@]}"; do
	if [[ -n ${SIGN_OPTS[$z]+set} ]]; then
		d=$T/keys/$z
		mkdir -p "$d"
		# shellcheck disable=SC2086 # the options are words
		(cd "$d" && ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "${z%.}") &&
			zsk=$(ldns-keygen -a ECDSAP256SHA256 "${z%.}") &&
			ldns-signzone ${SIGN_OPTS[$z]} -o "$z" -f "$T/primary/${z%.}.zone" \
				"$DIFF/zones/${z%.}.zone" "$ksk" "$zsk") >"$T/sign.log" 2>&1 ||
			{ cat "$T/sign.log"; setup_failed "signing $z failed"; }
	else
		cp "$DIFF/zones/${z%.}.zone" "$T/primary/"
	fi
done
serial_of() { # serial_of FILE: the SOA serial of a zone file
	awk '{ sub(/;.*/, "") } / SOA|\tSOA/ { for (i = 1; i <= NF; i++) if ($i == "SOA") { print $(i + 3); exit } }' "$1"
}

big_zone() { # big_zone SERIAL: 300k A records
	awk -v s="$1" 'BEGIN {
		print "$ORIGIN big.test.\n$TTL 3600\n@ SOA ns hostmaster " s " 3600 600 86400 300\n@ NS ns\nns A 10.9.9.9"
		for (i = 0; i < 300000; i++) printf "h%d A 10.%d.%d.%d\n", i, int(i / 65536), int(i / 256) % 256, i % 256
	}' >"$T/big.zone"
}
big_zone 1
SECRET=$(head -c 32 /dev/urandom | base64)
OTHER=$(head -c 32 /dev/urandom | base64)

# ---- riposte-dns, the primary ----------------------------------------------
{
	echo "listen 127.0.0.1@$P"
	echo "identity diff-test"
	echo "version diff-version"
	echo "workers 2"
	echo "udp-size 1232"
	# Every client is 127.0.0.1 (the harness opens 16 TCP connections at once).
	echo "rrl-rate 0"
	echo "tcp-clients-per-ip off"
	echo "control $T/ctl.sock"
	echo "key xfr hmac-sha256 $SECRET"
	echo "zone example.net. notify 127.0.0.1@$PDEAD"
	echo "zone big.test. file $T/big.zone"
	echo "zone big.test. allow-transfer 127.0.0.1"
	for z in "${ZONES[@]}"; do
		echo "zone $z file $T/primary/${z%.}.zone"
		echo "zone $z allow-transfer 127.0.0.1 key xfr"
		echo "zone $z notify 127.0.0.1@$PN key xfr"
		echo "zone $z notify 127.0.0.1@$PK key xfr"
	done
} >"$T/riposte.conf"
"$BIN" -c "$T/riposte.conf" -d >"$T/riposte.log" 2>&1 &
RPID=$!

soa_serial() { # soa_serial PORT ZONE
	kdig @127.0.0.1 -p "$1" +short +retry=0 +time=1 SOA "$2" 2>/dev/null | awk '{ print $3 }'
}
# wait_serials PORT SECONDS ZONE=SERIAL...: every zone at its serial in time
wait_serials() {
	local port=$1 secs=$2 i e ok
	shift 2
	for ((i = 0; i < secs * 20; i++)); do
		ok=1
		for e in "$@"; do
			[[ $(soa_serial "$port" "${e%%=*}") == "${e#*=}" ]] || { ok=0; break; }
		done
		((ok)) && return 0
		sleep 0.05
	done
	return 1
}
WANT=()
for z in "${ZONES[@]}"; do WANT+=("$z=$(serial_of "$T/primary/${z%.}.zone")"); done
wait_serials "$P" 10 "${WANT[@]}" || bail "riposte-dns did not serve every zone"
ok "riposte-dns serves the ${#ZONES[@]} zones on 127.0.0.1@$P"

# ---- the secondaries -------------------------------------------------------
nsd_conf() { # nsd_conf DIR PORT ZONESDIR SECONDARY(0|1)
	cat <<-EOF
		server:
		  ip-address: 127.0.0.1@$2
		  do-ip6: no
		  server-count: 1
		  username: ""
		  chroot: ""
		  zonesdir: "$3"
		  database: ""
		  pidfile: "$1/nsd.pid"
		  logfile: "$1/nsd.log"
		  xfrdfile: "$1/xfrd.state"
		  xfrdir: "$1"
		  zonelistfile: "$1/zone.list"
		  identity: "diff-test"
		  nsid: "ascii_diff-test"
		  version: "diff-version"
		  hide-version: no
		  hide-identity: no
		  ipv4-edns-size: 1232
		  minimal-responses: yes
		  verbosity: 2
		  rrl-ratelimit: 0
		  rrl-whitelist-ratelimit: 0
		remote-control:
		  control-enable: no
		key:
		  name: xfr.
		  algorithm: hmac-sha256
		  secret: "$SECRET"
	EOF
	for z in "${ZONES[@]}"; do
		printf 'zone:\n  name: %s\n  zonefile: %s.zone\n' "$z" "${z%.}"
		(($4)) || continue
		printf '  request-xfr: 127.0.0.1@%s xfr.\n  allow-notify: 127.0.0.1 xfr.\n' "$P"
		printf '  provide-xfr: 127.0.0.1 xfr.\n'
	done
}
nsd_conf "$T/nsd" "$PN" "$T/nsd" 1 >"$T/nsd/nsd.conf"
# The same NSD from the primary's files: what the secondary must answer like.
nsd_conf "$T/nsdfiles" "$PF" "$T/primary" 0 >"$T/nsdfiles/nsd.conf"
{
	cat <<-EOF
		server:
		  rundir: "$T/knot"
		  pidfile: "$T/knot/knot.pid"
		  listen: 127.0.0.1@$PK
		  identity: "diff-test"
		  nsid: "diff-test"
		  version: "diff-version"
		  udp-max-payload: 1232
		  udp-workers: 1
		  tcp-workers: 1
		  background-workers: 1
		control:
		  listen: "$T/knot/knot.sock"
		database:
		  storage: "$T/knot/db"
		log:
		  - target: "$T/knot/knot.log"
		    any: info
		key:
		  - id: xfr.
		    algorithm: hmac-sha256
		    secret: $SECRET
		remote:
		  - id: primary
		    address: 127.0.0.1@$P
		    key: xfr.
		acl:
		  - id: notify-from-primary
		    address: 127.0.0.1
		    key: xfr.
		    action: notify
		  - id: transfer-signed
		    address: 127.0.0.1
		    key: xfr.
		    action: transfer
		template:
		  - id: default
		    storage: "$T/knot/zones"
		    file: "%s.zone"
		    master: primary
		    acl: [notify-from-primary, transfer-signed]
		    zonefile-sync: -1
		    zonefile-load: none
		    journal-content: changes
		    semantic-checks: off
		zone:
	EOF
	for z in "${ZONES[@]}"; do echo "  - domain: $z"; done
} >"$T/knot/knot.conf"
nsd -d -c "$T/nsd/nsd.conf" >"$T/nsd/stderr.log" 2>&1 &
NPID=$!
nsd -d -c "$T/nsdfiles/nsd.conf" >"$T/nsdfiles/stderr.log" 2>&1 &
FPID=$!
knotd -c "$T/knot/knot.conf" >"$T/knot/stderr.log" 2>&1 &
KPID=$!

wait_serials "$PN" 20 "${WANT[@]}"
check "NSD transferred every zone" 0 $?
wait_serials "$PK" 20 "${WANT[@]}"
check "Knot transferred every zone" 0 $?
wait_serials "$PF" 20 "${WANT[@]}" || bail "the NSD with the zone files did not start"

status_json() { "$CTL" -s "$T/ctl.sock" --json status 2>/dev/null; }
xfr_count() { # xfr_count KEY: riposte-dns's xfr_out counter
	status_json | "$PY" -c "import json, sys; print(json.load(sys.stdin)['xfr_out']['$1'])"
}
notify_count() {
	status_json | "$PY" -c "import json, sys; print(json.load(sys.stdin)['notify_out']['$1'])"
}
full=$(($(xfr_count axfr) + $(xfr_count ixfr_axfr_style)))
check "riposte-dns sent every zone whole to both ($((2 * ${#ZONES[@]})) transfers)" yes \
	"$( ((full >= 2 * ${#ZONES[@]})) && echo yes || echo "no ($full)")"
grep -q "AXFR, incoming" "$T/knot/knot.log"
check "Knot's log names the AXFR" 0 $?
check "the transfers ran TSIG-signed" 0 "$(grep -c 'AXFR, serial [0-9]*$' "$T/riposte.log")"

# ---- answers match ---------------------------------------------------------
# The harness's allow-list, and one difference that transfers make by design.
cat "$DIFF/allow.conf" - >"$T/allow.conf" <<'EOF'

[xfr-any-order]
candidate = nsd
qtype = ANY
kind = answer.rdata answer.missing answer.extra
reason = NSD's minimal ANY (RFC 8482 4.1) answers the first RRset of the
	name in the order the zone reached it, file order from the file and
	riposte-dns's order through the transfer (with DO, that RRset's RRSIG).
	Which RRset is a choice; the records are the same.
EOF
diff_run() { # diff_run DESC REF_NAME REF_PORT CAND_NAME CAND_PORT ZONEDIR
	local out rc
	"$PY" "$DIFF/gen_queries.py" "$6" >"$T/queries.jsonl" || { not_ok "$1: gen_queries.py failed"; return; }
	out=$("$PY" "$DIFF/compare.py" --ref "127.0.0.1@$3" --ref-name "$2" --cand "127.0.0.1@$5" \
		--name "$4" --allow "$T/allow.conf" --log "$T/diff-$4.log" "$T/queries.jsonl" 2>&1)
	rc=$?
	echo "$out" | tail -n 1 | sed "s/^/# $1: /"
	if ((rc != 0)); then
		echo "$out" | tail -n 30 | sed 's/^/#   /'
		not_ok "$1"
	else
		ok "$1"
	fi
}
diff_run "riposte-dns (primary) answers as Knot (its secondary)" knot "$PK" riposte "$P" "$T/primary"
diff_run "NSD (secondary) answers as NSD from the zone files" nsd-files "$PF" nsd "$PN" "$T/primary"

# ---- signed zones arrive unchanged -------------------------------------------
axfr_set() { # axfr_set PORT ZONE: the records of an AXFR, one a line, sorted
	kdig @127.0.0.1 -p "$1" +retry=0 +time=5 -y "hmac-sha256:xfr.:$SECRET" AXFR "$2" 2>/dev/null |
		grep -v '^;' | awk 'NF && $4 != "TSIG" { $1 = $1; print }' | sort
}
for z in secure.test. nsec3.test. nsec3n.test.; do
	axfr_set "$P" "$z" >"$T/axfr-riposte-$z"
	axfr_set "$PN" "$z" >"$T/axfr-nsd-$z"
	axfr_set "$PK" "$z" >"$T/axfr-knot-$z"
	# The signed file's RRSIGs as ldns-signzone wrote them (one a line), against the AXFR's.
	awk '$4 == "RRSIG" { $1 = tolower($1); print }' "$T/axfr-riposte-$z" | sort >"$T/sigs-axfr-$z"
	awk '!/^;/ && $4 == "RRSIG" { $1 = $1; $1 = tolower($1); print }' "$T/primary/${z%.}.zone" |
		sort >"$T/sigs-file-$z"
	cmp -s "$T/sigs-file-$z" "$T/sigs-axfr-$z"
	check "$z: riposte-dns sends the signed file's $(wc -l <"$T/sigs-file-$z") RRSIGs as they are (TTL too)" 0 $?
	cmp -s "$T/axfr-riposte-$z" "$T/axfr-nsd-$z"
	check "$z: NSD holds the same records, RRSIGs included" 0 $?
	cmp -s "$T/axfr-riposte-$z" "$T/axfr-knot-$z"
	check "$z: Knot holds the same records, RRSIGs included" 0 $?
done

# ---- a change: NOTIFY, then IXFR ---------------------------------------------
old=$(serial_of "$T/primary/example.zone")
new=$((old + 1))
ixfr0=$(xfr_count ixfr)
sed -i -e "s/ $old / $new /" -e 's/^mail\t300\tA\t192.0.2.25$/mail\t300\tA\t192.0.2.26/' "$T/primary/example.zone"
printf 'xfr-added\tA\t192.0.2.201\nxfr-added\tTXT\t"added by xfr_out.sh"\n' >>"$T/primary/example.zone"
check "the zone file changed (serial $new, mail's address)" 2 \
	"$(grep -c -E -e " $new " -e $'^mail\t300\tA\t192\\.0\\.2\\.26$' "$T/primary/example.zone")"
tr=$(date +%s%N)
"$CTL" -s "$T/ctl.sock" reload >/dev/null
t0=$(date +%s%N)
wait_serials "$PN" 10 "example.=$new"
rn=$?
tn=$((($(date +%s%N) - t0) / 1000000))
wait_serials "$PK" 10 "example.=$new"
rk=$?
tk=$((($(date +%s%N) - t0) / 1000000))
check "NSD serves serial $new after the reload (NOTIFY)" 0 $rn
check "Knot serves serial $new after the reload (NOTIFY)" 0 $rk
echo "# reload (every zone, 300k records) $(((t0 - tr) / 1000000)) ms; from its end (NOTIFY) to the new serial served: NSD $tn ms, Knot $tk ms"
check "the change came as IXFR to both (riposte-dns's counter)" 2 $(($(xfr_count ixfr) - ixfr0))
grep -q "\[example.\] IXFR, incoming" "$T/knot/knot.log"
check "Knot's log names the IXFR" 0 $?
check "NSD and Knot acknowledged every NOTIFY" "$((2 * ${#ZONES[@]} + 2))" "$(notify_count acked)"
check "NSD: mail.example. changed" 192.0.2.26 "$(kdig @127.0.0.1 -p "$PN" +short mail.example. A)"
check "Knot: xfr-added.example. arrived" 192.0.2.201 "$(kdig @127.0.0.1 -p "$PK" +short xfr-added.example. A)"
# The NSD with the files reads the changed one.
stop_pid "$FPID"
nsd -d -c "$T/nsdfiles/nsd.conf" >"$T/nsdfiles/stderr.log" 2>&1 &
FPID=$!
wait_serials "$PF" 20 "example.=$new" || bail "the NSD with the zone files did not start again"
diff_run "after the IXFR: riposte-dns answers as Knot" knot "$PK" riposte "$P" "$T/primary"
diff_run "after the IXFR: NSD answers as NSD from the zone files" nsd-files "$PF" nsd "$PN" \
	"$T/primary"

# A change without a new serial: said in the log, and the journal starts again.
sed -i 's/^\(mail\t300\tA\t\)192\.0\.2\.26$/\1192.0.2.27/' "$T/primary/example.zone"
resets0=$(xfr_count journal_resets)
"$CTL" -s "$T/ctl.sock" reload >/dev/null
grep -q "zone example.: records changed but the serial is still $new" "$T/riposte.log"
check "a change under the same serial is logged" 0 $?
check "... and the journal starts again" 1 "$(xfr_count journal_resets)"
check "... so an IXFR from $old is answered AXFR-style" AXFR-style \
	"$(kdig @127.0.0.1 -p "$P" +retry=0 -y "hmac-sha256:xfr.:$SECRET" IXFR="$old" example. 2>/dev/null |
		grep -v '^;' | awk 'NF && $4 == "SOA" { n++ } END { print (n == 2 ? "AXFR-style" : n " SOAs") }')"

# ---- transfers riposte-dns refuses -------------------------------------------
rcode() { # rcode ARGS...: the status kdig reports
	kdig @127.0.0.1 -p "$P" +retry=0 +time=2 "$@" 2>&1 |
		grep -o -E "status: [A-Z]+|error '[A-Z]+'|rcode [A-Z]+" | head -n 1 | grep -o -E '[A-Z]{4,}'
}
refused0=$(xfr_count refused)
tsig0=$(xfr_count tsig_failed)
check "AXFR from 127.0.0.2 (outside the row), right key: REFUSED" REFUSED \
	"$(rcode -b 127.0.0.2 -y "hmac-sha256:xfr.:$SECRET" AXFR example.)"
check "AXFR unsigned from 127.0.0.1 (the row asks for the key): REFUSED" REFUSED \
	"$(rcode AXFR example.)"
check "AXFR with a key riposte-dns does not know: NOTAUTH, TSIG error BADKEY" BADKEY \
	"$(rcode -y "hmac-sha256:stranger.:$SECRET" AXFR example.)"
check "AXFR with a wrong secret: NOTAUTH, TSIG error BADSIG" BADSIG \
	"$(rcode -y "hmac-sha256:xfr.:$OTHER" AXFR example.)"
# kdig names the TSIG error of a NOTAUTH reply; the rcode itself: test_dns_xfrout.
check "refusals counted" 2 $(($(xfr_count refused) - refused0))
check "TSIG failures counted" 2 $(($(xfr_count tsig_failed) - tsig0))
check "AXFR over UDP: REFUSED" REFUSED "$(rcode +notcp -y "hmac-sha256:xfr.:$SECRET" AXFR example.)"
soa_only=$(kdig @127.0.0.1 -p "$P" +notcp +retry=0 -y "hmac-sha256:xfr.:$SECRET" IXFR="$old" example. 2>&1 |
	grep -v '^;' | awk 'NF && $4 == "SOA" { print $7 }')
check "IXFR over UDP: our SOA alone (RFC 1995 4)" "$new" "$soa_only"

# ---- NOTIFY retransmission ----------------------------------------------------
check "NOTIFY to a silent target retransmitted (RFC 1996 3.6)" yes \
	"$( (($(notify_count retransmits) >= 1)) && echo yes || echo "no ($(notify_count retransmits))")"

# ---- a publish while a transfer runs --------------------------------------------
slow=$("$PY" - "$P" "$CTL" "$T" <<'EOF' 2>&1
import socket, struct, subprocess, sys, time
port, ctl, T = int(sys.argv[1]), sys.argv[2], sys.argv[3]
q = struct.pack("!HHHHHH", 0x5151, 0, 1, 0, 0, 0) + b"\x03big\x04test\x00" + struct.pack("!HH", 252, 1)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", port))
s.sendall(struct.pack("!H", len(q)) + q)
def rx(n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b
def serials(m):
    # the SOA records' serials: the only rdata of 42 bytes here ends in serial + 16 bytes
    out, an, pos = [], struct.unpack("!H", m[6:8])[0], 12
    while m[pos] != 0:
        pos += 1 + m[pos]
    pos += 5
    for _ in range(an):
        while m[pos] != 0 and m[pos] < 0xc0:
            pos += 1 + m[pos]
        pos += 2 if m[pos] >= 0xc0 else 1
        t, _, _, l = struct.unpack("!HHIH", m[pos:pos + 10])
        pos += 10
        if t == 6:
            out.append(struct.unpack("!I", m[pos + l - 20:pos + l - 16])[0])
        pos += l
    return out
msgs = recs = 0
soas = []
while True:
    h = rx(2)
    if h is None:
        break
    m = rx(struct.unpack("!H", h)[0])
    msgs += 1
    recs += struct.unpack("!H", m[6:8])[0]
    soas += serials(m)
    if msgs == 1:
        for serial in (2, 3):
            subprocess.run(["sed", "-i", "s/ hostmaster %d / hostmaster %d /" % (serial - 1, serial),
                            T + "/big.zone"], check=True)
            subprocess.run([ctl, "-s", T + "/ctl.sock", "reload"], check=True, capture_output=True)
        time.sleep(0.2)
print(msgs, recs, " ".join(map(str, soas)))
EOF
)
read -r smsgs srecs ssoas <<<"$slow"
check "a transfer across two reloads: every record (300003 + the closing SOA)" 300004 "${srecs:-$slow}"
check "a transfer across two reloads: one version throughout (SOA 1 first and last)" "1 1" "${ssoas:-}"
check "the reloads were served meanwhile (serial 3)" 3 "$(soa_serial "$P" big.test.)"
check "no transfer left running" 0 "$(xfr_count active)"

check "riposte-dns is still running" 0 "$(kill -0 "$RPID" 2>/dev/null; echo $?)"
check_sigterm "$RPID" "riposte-dns exits 0 on SIGTERM"
RPID=
check_no_sanitizer "$T/riposte.log"
finish
