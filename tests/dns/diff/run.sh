#!/usr/bin/env bash
# tests/dns/diff/run.sh - the DNS differential test: the zones of
# tests/dns/diff/zones loaded into a private knotd (the reference) and into
# the candidate (riposte-dns by default), the same few thousand queries sent
# to both (gen_queries.py), the answers compared section by section
# (compare.py); differences not written down in allow.conf fail.
#
# Usage: tests/dns/diff/run.sh [-c riposte|nsd|knot] [-a] [-k] [-s SEED] [RIPOSTE_DNS]
#   RIPOSTE_DNS  the binary (default <repo>/build/riposte-dns)
#   -c CAND      the candidate: riposte (default); nsd or knot (a second
#                knotd) check the harness itself while riposte-dns is young
#   -a           self-test: alter the candidate's copy of the zones (a TTL, an
#                address, a glue record, an added RRset) and pass only if the
#                comparer reports each of those as a failure
#   -k           keep the temp dir (configs, logs, queries, diff.log)
#   -s SEED      seed of the query generator (default 20240601)
#   -w SECS      after the comparison keep both servers up SECS seconds, to
#                query them by hand (the ports are printed)
# Environment: DIFF_PORT (first of two UDP/TCP ports on 127.0.0.1, default
# 53610: knotd on it, the candidate on the next), DIFF_PY (a python3 with
# dnspython, default /usr/bin/python3).
# Needs knotd and kdig (Debian: knot, knot-dnsutils), python3-dnspython,
# ldns-keygen and ldns-signzone (ldnsutils) for the signed zones, and
# nsd for -c nsd.  Ends with "N passed, N failed"; exit status 1 on failure.
set -u -o pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PY=${DIFF_PY:-/usr/bin/python3}
CAND=riposte ALTER=0 KEEP=0 SEED=20240601 HOLD=0
while getopts "c:aks:w:h" o; do
	case $o in
	c) CAND=$OPTARG ;; a) ALTER=1 ;; k) KEEP=1 ;; s) SEED=$OPTARG ;; w) HOLD=$OPTARG ;;
	h) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
BIN=${1:-$ROOT/build/riposte-dns}

case $CAND in
riposte)
	[[ -x $BIN ]] || { echo "riposte-dns binary not found: $BIN" >&2; exit 1; } ;;
nsd)
	command -v nsd >/dev/null || { echo "nsd not found (apt-get install nsd)" >&2; exit 1; } ;;
knot) ;;
*) echo "unknown candidate '$CAND' (riposte, nsd or knot)" >&2; exit 2 ;;
esac
for t in knotd kdig; do
	command -v $t >/dev/null || { echo "$t not found (apt-get install knot knot-dnsutils)" >&2; exit 1; }
done
for t in ldns-keygen ldns-signzone; do
	command -v $t >/dev/null || { echo "$t not found (apt-get install ldnsutils)" >&2; exit 1; }
done
"$PY" -c 'import dns.message' 2>/dev/null || { echo "$PY has no dnspython (apt-get install python3-dnspython)" >&2; exit 1; }

ZONES=(example. example.net. 2.0.192.in-addr.arpa. 8.b.d.0.1.0.0.2.ip6.arpa. secure.test. nsec3.test. nsec3n.test.)
# Signed here with fresh keys (signatures expire): NSEC, and NSEC3 with a
# salt, 3 iterations and opt-out (RFC 5155 6), NSEC3 without opt-out.
# Both servers serve the same signed file.
declare -A SIGN_OPTS=([secure.test.]="" [nsec3.test.]="-n -s 5ca1ab1e -t 3 -p" [nsec3n.test.]="-n -s 0ddba115 -t 1")
PORT=${DIFF_PORT:-53610}
port_busy() { ss -Hlntu "sport = :$1" | grep -q .; }
while port_busy "$PORT" || port_busy $((PORT + 1)); do PORT=$((PORT + 2)); done
RPORT=$PORT CPORT=$((PORT + 1))

T=$(mktemp -d /tmp/dns-diff.XXXXXX) || exit 1
PIDS=()   # "pid:starttime" of every server this script started
starttime() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }
descendants() {
	local p
	echo "$1"
	for p in $(ps -o pid= --ppid "$1" 2>/dev/null); do descendants "$p"; done
}
stop_servers() { # TERM each server we started, then KILL what is left of its tree
	local e pid st p tree
	for e in "${PIDS[@]}"; do
		pid=${e%%:*} st=${e#*:}
		[[ $(starttime "$pid") == "$st" ]] || continue
		tree=""
		for p in $(descendants "$pid"); do tree+=" $p:$(starttime "$p")"; done
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		for p in $tree; do
			[[ $(starttime "${p%%:*}") == "${p#*:}" ]] && kill -KILL "${p%%:*}" 2>/dev/null
		done
		wait "$pid" 2>/dev/null
	done
	PIDS=()
}
HOLDPID=""
cleanup() {
	[[ -n $HOLDPID ]] && kill "$HOLDPID" 2>/dev/null
	stop_servers
	if ((KEEP)); then echo "kept $T"; else rm -rf -- "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail_setup() { echo "$*" >&2; echo "0 passed, 1 failed"; exit 1; }

# ------------------------------------------------------------ zones ----
mkdir -p "$T/zones-ref" "$T/zones-cand"
sign_zone() { # sign_zone ZONE: $T/signed/ZONE.zone from zones/, a KSK and a ZSK (ECDSA P-256)
	local z=$1 d=$T/keys/$1 ksk zsk
	mkdir -p "$d" "$T/signed"
	# shellcheck disable=SC2086 # the options are words
	(cd "$d" && ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "${z%.}") && zsk=$(ldns-keygen -a ECDSAP256SHA256 "${z%.}") &&
		ldns-signzone ${SIGN_OPTS[$z]} -o "$z" -f "$T/signed/${z%.}.zone" "$HERE/zones/${z%.}.zone" "$ksk" "$zsk") \
		>"$T/sign.log" 2>&1 || { cat "$T/sign.log" >&2; fail_setup "signing $z failed"; }
}
for z in "${ZONES[@]}"; do
	src=$HERE/zones/${z%.}.zone
	if [[ -n ${SIGN_OPTS[$z]+set} ]]; then
		sign_zone "$z"
		src=$T/signed/${z%.}.zone
	fi
	cp "$src" "$T/zones-ref/${z%.}.zone"
	cp "$src" "$T/zones-cand/${z%.}.zone"
done
if ((ALTER)); then
	# one of each: a TTL, an address, a glue record gone, an RRset added
	sed -i -e 's/^host2\t60\tA/host2\t61\tA/' \
		-e 's/^\t\tA\t192.0.2.81$/\t\tA\t192.0.2.82/' \
		-e '/^ns2.sub\t\tA\t192.0.2.54$/d' \
		-e 's/^\(hinfo\t\tHINFO.*\)$/\1\nhinfo\t\tTXT\t"added"/' "$T/zones-cand/example.zone"
	cmp -s "$T/zones-ref/example.zone" "$T/zones-cand/example.zone" && fail_setup "self-test: the zone was not altered"
	echo "self-test: candidate zone altered:"
	diff "$T/zones-ref/example.zone" "$T/zones-cand/example.zone" | sed 's/^/  /'
fi
if command -v nsd-checkzone >/dev/null; then
	for z in "${ZONES[@]}"; do
		nsd-checkzone "$z" "$T/zones-cand/${z%.}.zone" >"$T/checkzone.log" 2>&1 ||
			{ cat "$T/checkzone.log" >&2; fail_setup "nsd-checkzone rejects $z"; }
	done
fi

# ---------------------------------------------------------- servers ----
knot_conf() { # knot_conf DIR PORT ZONEDIR
	mkdir -p "$1/db"
	{
		cat <<-EOF
			server:
			  rundir: "$1"
			  pidfile: "$1/knot.pid"
			  listen: 127.0.0.1@$2
			  identity: "diff-test"
			  nsid: "diff-test"
			  version: "diff-version"
			  udp-max-payload: 1232
			  udp-workers: 1
			  tcp-workers: 1
			  background-workers: 1
			control:
			  listen: "$1/knot.sock"
			database:
			  storage: "$1/db"
			log:
			  - target: stderr
			    any: warning
			template:
			  - id: default
			    storage: "$3"
			    file: "%s.zone"
			    zonefile-sync: -1
			    zonefile-load: whole
			    journal-content: none
			zone:
		EOF
		for z in "${ZONES[@]}"; do echo "  - domain: $z"; done
	} >"$1/knot.conf"
	echo "knotd -c $1/knot.conf"
}
nsd_conf() { # nsd_conf DIR PORT ZONEDIR
	{
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
			  verbosity: 1
			  # Debian's nsd is built with RRL: off, or answers go missing
			  rrl-ratelimit: 0
			  rrl-whitelist-ratelimit: 0
			remote-control:
			  control-enable: no
		EOF
		for z in "${ZONES[@]}"; do printf 'zone:\n  name: %s\n  zonefile: %s.zone\n' "$z" "${z%.}"; done
	} >"$1/nsd.conf"
	echo "nsd -d -c $1/nsd.conf"
}
riposte_conf() { # riposte_conf DIR PORT ZONEDIR
	{
		echo "listen 127.0.0.1@$2"
		echo "identity diff-test"
		echo "version diff-version"
		echo "workers 1"
		echo "udp-size 1232"
		# Thousands of queries from one address: rate limiting off, as for knotd.
		echo "rrl-rate 0"
		# No control socket at the default path (several tests may run at once).
		echo "control none"
		for z in "${ZONES[@]}"; do echo "zone $z file $3/${z%.}.zone"; done
	} >"$1/riposte-dns.conf"
	echo "$BIN -c $1/riposte-dns.conf -d -p $1/riposte-dns.pid"
}

answers_all() { # answers_all PORT: every zone's SOA comes back
	local z
	for z in "${ZONES[@]}"; do
		[[ -n $(kdig @127.0.0.1 -p "$1" +short +retry=0 +time=1 SOA "$z" 2>/dev/null) ]] || return 1
	done
}
start() { # start NAME KIND PORT ZONEDIR
	local dir=$T/$1 cmd pid i
	mkdir -p "$dir"
	cmd=$("${2}_conf" "$dir" "$3" "$4")
	$cmd >"$dir/server.log" 2>&1 &
	pid=$!
	PIDS+=("$pid:$(starttime "$pid")")
	for i in $(seq 200); do
		answers_all "$3" && { echo "$1: $2 on 127.0.0.1@$3 (pid $pid), ready in $((i / 10)).$((i % 10)) s"; return 0; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	tail -n 20 "$dir/server.log" "$dir"/*.log 2>/dev/null >&2
	fail_setup "$1 ($2) did not answer every zone's SOA on port $3"
}
start ref knot "$RPORT" "$T/zones-ref"
start cand "$CAND" "$CPORT" "$T/zones-cand"

# ------------------------------------------------------------- test ----
"$PY" "$HERE/gen_queries.py" -s "$SEED" "$T/zones-ref" >"$T/queries.jsonl" || fail_setup "gen_queries.py failed"
"$PY" "$HERE/compare.py" --ref "127.0.0.1@$RPORT" --cand "127.0.0.1@$CPORT" --name "$CAND" \
	--allow "$HERE/allow.conf" --log "$T/diff.log" "$T/queries.jsonl" | tee "$T/report.txt"
rc=$?
if ((HOLD)); then
	echo "holding for $HOLD s: kdig @127.0.0.1 -p $RPORT (knot), -p $CPORT ($CAND); dir $T"
	sleep "$HOLD" &
	HOLDPID=$!
	wait "$HOLDPID"
	HOLDPID=""
fi
# A server that died or a sanitizer report in its log fails the run, even
# when every answer before matched: the closing line is corrected.
trouble=""
for e in "${PIDS[@]}"; do kill -0 "${e%%:*}" 2>/dev/null || trouble+=" a server died;"; done
grep -lE 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:' "$T"/*/server.log >/dev/null 2>&1 &&
	trouble+=" sanitizer report in a server log;"
if [[ -n $trouble ]]; then
	tail -n 30 "$T"/*/server.log >&2
	echo "run.sh:$trouble"
	read -r np nf < <(awk '/^[0-9]+ passed, [0-9]+ failed$/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$T/report.txt")
	echo "$np passed, $((nf + 1)) failed"
	rc=1
fi
if ((ALTER)); then
	# every alteration must show up as a failure at the name it touched
	miss=()
	for k in "answer.ttl	host2.example." "answer.rdata	www.example." \
		"additional.missing	sub.example." "answer.extra	hinfo.example."; do
		awk -F'\t' -v k="${k%%	*}" -v n="${k#*	}" \
			'$2 == "FAIL" && $3 == k && index(tolower($1), " " n " ") { f = 1 } END { exit !f }' \
			"$T/diff.log" || miss+=("${k/	/ at }")
	done
	if ((${#miss[@]})); then
		echo "self-test FAILED: not reported: ${miss[*]}"
		exit 1
	fi
	echo "self-test passed: every alteration was reported as a failure"
	exit 0
fi
exit "$rc"
