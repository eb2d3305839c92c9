#!/usr/bin/env bash
# tests/install/t_sdnotify.sh - what the daemons tell a service manager
# (sd_notify(3), src/lib/sdnotify.c) and how they log under one, without
# systemd: a Python listener plays systemd's notify socket ($NOTIFY_SOCKET:
# a path for riposted, an abstract name for riposte-dns) and records every
# datagram with its CLOCK_MONOTONIC arrival time.
#
# riposte-dns (127.0.0.1, a free port; as root in a namespace of its own):
#   READY=1 comes once, and when it has come the zone is answered; WATCHDOG=1
#   every half of $WATCHDOG_USEC, none with another process's $WATCHDOG_PID;
#   `ripostectl reload` gives RELOADING=1 with a current MONOTONIC_USEC, then
#   READY=1 after the reply's work, exit 0; a broken zone: RELOADING=1,
#   READY=1, ripostectl exits 1; SIGTERM: STOPPING=1, exit 0.  Its stderr,
#   not a terminal, carries "<N>" priorities; with $JOURNAL_STREAM naming it,
#   "<N>message" alone; `log file` + SIGUSR1 reopens the file logrotate moved;
#   the sampled query log; a worker stopped by gdb inside dns_answer() stops
#   the WATCHDOG=1 pings until it runs again (root and gdb only).
# riposted (root only, in the namespace: UDP 520 and the kernel routes):
#   started as nobody with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE
#   ambient, as the unit does (setpriv); READY=1 once the control socket
#   answers, RELOADING=1/READY=1 around `ripostectl reload` (exit 0), a bad
#   config: READY=1 again and ripostectl exits 1; WATCHDOG=1; STOPPING=1 at
#   SIGTERM; `log file` honoured under -d; SIGUSR1 reopens it.
# Ends with "N passed, N failed".  Stops only what it started, by pid.
# Environment: RIPOSTE_BUILD (default build/).
# shellcheck disable=SC2016 # eval'ed conditions expand later, on purpose
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${RIPOSTE_BUILD:-$ROOT/build}
DNS=$B/riposte-dns RIPOSTED=$B/riposted CTL=$B/ripostectl
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

own_netns NOTIFY "rnotify-$$" RIPOSTE_BUILD="$B"

for p in python3 dig; do command -v "$p" >/dev/null || setup_failed "$p is missing"; done
[[ -x $DNS && -x $RIPOSTED && -x $CTL ]] || setup_failed "no $DNS, $RIPOSTED or $CTL (build first)"

T=$(mktemp -d /tmp/riposte-notify.XXXXXX) || exit 1
chmod 755 "$T"
PIDS=()
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	if ((FAIL > 0)); then
		echo "# files kept in $T"
		for f in "$T"/*.rec "$T"/log/*.log "$T"/*.stderr; do [[ -f $f ]] && sed "s|^|# $(basename "$f"): |" "$f" | tail -n 15; done
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# listen ADDRESS RECORD: a notify socket (path, or @abstract) recording
# "MONOTONIC_US<TAB>fields joined by |" per datagram; prints its pid.
cat >"$T/listen.py" <<'EOF'
import os, socket, sys, time
addr, rec = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
if not addr.startswith("@"):
    os.chmod(addr, 0o777)   # riposted runs as nobody
with open(rec + ".up", "w"):
    pass
with open(rec, "a", buffering=1) as out:
    while True:
        d = s.recv(4096)
        out.write("%d\t%s\n" % (time.monotonic_ns() // 1000, d.decode(errors="replace").replace("\n", "|")))
EOF
listen() {
	python3 "$T/listen.py" "$1" "$2" &
	PIDS+=($!)
	for _ in $(seq 100); do [[ -f $2.up ]] && return 0; sleep 0.02; done
	bail "the notify listener on $1 did not start"
}
# count REC REGEX: datagrams matching
count() { grep -c -E "$2" "$1" 2>/dev/null; }
# wait_for SECONDS CMD...: until CMD succeeds
wait_for() {
	local n=$(($1 * 20))
	while ((n-- > 0)); do "${@:2}" && return 0; sleep 0.05; done
	return 1
}
# seq_after REC AFTER_LINE REGEX: line number of the first datagram after AFTER_LINE matching
line_of() { awk -F'\t' -v a="$2" -v r="$3" 'NR > a && $2 ~ r { print NR; exit }' "$1"; }

# ---------------------------------------------------------------- riposte-dns
PORT=$((24000 + $$ % 8000))
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
EOF
}
zone 2026120701
cat >"$T/dns.conf" <<EOF
listen 127.0.0.1@$PORT
zone example.com file example.com.zone
workers 2
log file $T/log/dns.log debugging
EOF
# As root riposte-dns gives root up: its log directory is its user's, as
# the unit's LogsDirectory= is.
mkdir -p "$T/log"
if [[ $(id -u) == 0 ]]; then echo "user nobody" >>"$T/dns.conf"; chown nobody "$T/log"; fi
D="dig @127.0.0.1 -p $PORT +time=1 +tries=1 +short"
listen "@riposte-notify-$$" "$T/dns.rec"
NOTIFY_SOCKET="@riposte-notify-$$" WATCHDOG_USEC=300000 "$DNS" -d -c "$T/dns.conf" \
	-s "$T/dns.sock" >"$T/dns.stderr" 2>&1 &
DPID=$!
PIDS+=("$DPID")
if wait_for 10 grep -q 'READY=1' "$T/dns.rec"; then
	soa=$($D example.com SOA | awk '{print $3}')
	ok "riposte-dns: READY=1"
	check "riposte-dns: when READY=1 has come the zone is served" 2026120701 "$soa"
else
	bail "riposte-dns: no READY=1 within 10 s"
fi
check "riposte-dns: one READY=1 at the start" 1 "$(count "$T/dns.rec" 'READY=1')"
check "riposte-dns: READY=1 came with a STATUS" 1 "$(count "$T/dns.rec" 'READY=1\|STATUS=serving')"
sleep 1.05
n=$(count "$T/dns.rec" '^[0-9]+	WATCHDOG=1$')
check_between() { if (($2 >= $3 && $2 <= $4)); then ok "$1 ($2)"; else not_ok "$1: $2 not in $3..$4"; fi; }
check_between "riposte-dns: WATCHDOG=1 every 150 ms (WATCHDOG_USEC 300 ms): pings in about 1 s" "$n" 5 9

zone 2026120702
before=$(wc -l <"$T/dns.rec")
t0=$(python3 -c 'import time; print(time.monotonic_ns() // 1000)')
out=$("$CTL" -s "$T/dns.sock" reload 2>&1)
rc=$?
check "riposte-dns: ripostectl reload exits 0 (${out})" 0 "$rc"
check "riposte-dns: the new serial is served after the reply" 2026120702 "$($D example.com SOA | awk '{print $3}')"
wait_for 2 eval '[[ -n $(line_of "$T/dns.rec" "$before" "READY=1") ]]'
r=$(line_of "$T/dns.rec" "$before" "RELOADING=1")
y=$(line_of "$T/dns.rec" "$before" "READY=1")
if [[ -n $r && -n $y ]] && ((r < y)); then ok "riposte-dns: reload: RELOADING=1, then READY=1"; else not_ok "riposte-dns: reload: RELOADING=1 (line ${r:-none}) then READY=1 (line ${y:-none})"; fi
mono=$(awk -F'\t' -v l="${r:-0}" 'NR == l { if (match($2, /MONOTONIC_USEC=[0-9]+/)) print substr($2, RSTART + 15, RLENGTH - 15) }' "$T/dns.rec")
if [[ -n $mono ]] && ((mono >= t0 - 1000 && mono <= t0 + 2000000)); then
	ok "riposte-dns: RELOADING=1 carries MONOTONIC_USEC of now ($((mono - t0)) µs after the reload began)"
else
	not_ok "riposte-dns: MONOTONIC_USEC '${mono:-none}' is not CLOCK_MONOTONIC near $t0"
fi

echo "www IN A not-an-address" >>"$T/example.com.zone"
before=$(wc -l <"$T/dns.rec")
out=$("$CTL" -s "$T/dns.sock" reload 2>&1)
rc=$?
check "riposte-dns: a broken zone: ripostectl reload exits 1 (systemctl reload fails)" 1 "$rc"
wait_for 2 eval '[[ -n $(line_of "$T/dns.rec" "$before" "READY=1") ]]'
r=$(line_of "$T/dns.rec" "$before" "RELOADING=1")
y=$(line_of "$T/dns.rec" "$before" "READY=1")
if [[ -n $r && -n $y ]] && ((r < y)); then ok "riposte-dns: failed reload: RELOADING=1, then READY=1 (still serving)"; else not_ok "riposte-dns: failed reload: RELOADING=1 (${r:-none}) then READY=1 (${y:-none})"; fi
check "riposte-dns: still serving the previous version" 2026120702 "$($D example.com SOA | awk '{print $3}')"

# logrotate: move the file away, SIGUSR1, the daemon writes a new one
mv "$T/log/dns.log" "$T/log/dns.log.1"
kill -USR1 "$DPID"
wait_for 2 test -s "$T/log/dns.log"
check "riposte-dns: SIGUSR1 reopened the moved log file (a new one, with the line)" 1 \
	"$(grep -c 'SIGUSR1: log file .* reopened' "$T/log/dns.log" 2>/dev/null)"
check "riposte-dns: the old file has the lines from before" 1 "$(grep -c 'reload done: 1 zones' "$T/log/dns.log.1")"
zone 2026120703
"$CTL" -s "$T/dns.sock" reload >/dev/null 2>&1
check "riposte-dns: the next lines go to the new file" 1 "$(grep -c 'reload done: 1 zones' "$T/log/dns.log")"

before=$(wc -l <"$T/dns.rec")
kill -TERM "$DPID"
wait_for 3 eval '! kill -0 $DPID 2>/dev/null'
wait "$DPID"
check "riposte-dns: SIGTERM: exit 0" 0 "$?"
check "riposte-dns: STOPPING=1 at SIGTERM" 1 "$(tail -n +"$((before + 1))" "$T/dns.rec" | grep -c 'STOPPING=1')"

# Another process's WATCHDOG_PID: no pings.  The log on stderr (not a tty): "<N>".
sed -i '/^log file/d' "$T/dns.conf"
zone 2026120704
: >"$T/dns2.rec"
listen "@riposte-notify2-$$" "$T/dns2.rec"
NOTIFY_SOCKET="@riposte-notify2-$$" WATCHDOG_USEC=200000 WATCHDOG_PID=1 "$DNS" -d -c "$T/dns.conf" \
	-s "$T/dns.sock" >"$T/dns2.stderr" 2>&1 &
DPID=$!
PIDS+=("$DPID")
wait_for 10 grep -q 'READY=1' "$T/dns2.rec" || not_ok "riposte-dns (2): no READY=1"
sleep 0.5
check "riposte-dns: WATCHDOG_PID of another process: no pings" 0 "$(count "$T/dns2.rec" 'WATCHDOG=1')"
check_sigterm "$DPID" "riposte-dns (2): SIGTERM: exit 0"
check_match "riposte-dns: stderr not a terminal: <6> and the timestamp on an info line" \
	'^<6>20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:.]+ riposte-dns: riposte-dns .* started' "$(grep 'started' "$T/dns2.stderr")"

# Under the journal: $JOURNAL_STREAM names stderr; "<N>message" alone.
: >"$T/dns3.stderr"
js=$(stat -c '%d:%i' "$T/dns3.stderr")
JOURNAL_STREAM=$js "$DNS" -d -c "$T/dns.conf" -s "$T/dns.sock" \
	>>"$T/dns3.stderr" 2>&1 &
DPID=$!
PIDS+=("$DPID")
wait_for 10 grep -q 'started' "$T/dns3.stderr"
check_match "riposte-dns: JOURNAL_STREAM: <6>message, no timestamp nor name" \
	'^<6>riposte-dns [0-9.]+ started: ' "$(grep 'started' "$T/dns3.stderr")"
echo "bad statement" >>"$T/dns.conf"
kill -HUP "$DPID"
wait_for 2 grep -q 'reload failed' "$T/dns3.stderr"
check_match "riposte-dns: JOURNAL_STREAM: a failed reload is <4> (warning)" '^<4>reload failed: ' \
	"$(grep 'reload failed' "$T/dns3.stderr")"
check_sigterm "$DPID" "riposte-dns (3): SIGTERM: exit 0"

# The sampled query log: one worker, every 3rd answer, UDP and TCP; SIGUSR1
# reopens it after logrotate moved it.
sed -i '/^bad statement/d; s/^workers 2/workers 1/' "$T/dns.conf"
echo "query-log $T/log/query.log sample 3" >>"$T/dns.conf"
"$DNS" -d -c "$T/dns.conf" -s "$T/dns.sock" >"$T/dns4.stderr" 2>&1 &
DPID=$!
PIDS+=("$DPID")
wait_for 10 grep -q 'started' "$T/dns4.stderr" || not_ok "riposte-dns (4): did not start"
for i in 1 2 3 4 5 6 7 8; do $D "q$i.example.com" A >/dev/null; done
$D +tcp ns1.example.com A >/dev/null
wait_for 2 eval '(($(wc -l <"$T/log/query.log") >= 3))'
check "query log: 9 answers, every 3rd logged: 3 lines" 3 "$(wc -l <"$T/log/query.log")"
check_match "query log: a UDP line: time client#port udp name class type rcode size" \
	'^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z 127\.0\.0\.1#[0-9]+ udp q3\.example\.com\. IN A NXDOMAIN [0-9]+$' \
	"$(sed -n 1p "$T/log/query.log")"
check_match "query log: the TCP answer" ' tcp ns1\.example\.com\. IN A NOERROR [0-9]+$' \
	"$(sed -n 3p "$T/log/query.log")"
mv "$T/log/query.log" "$T/log/query.log.1"
kill -USR1 "$DPID"
wait_for 2 grep -q 'query log .* reopened' "$T/dns4.stderr"
for i in 1 2 3; do $D "r$i.example.com" A >/dev/null; done
wait_for 2 test -s "$T/log/query.log"
check_match "query log: reopened by SIGUSR1, the next line in the new file" ' r3\.example\.com\. IN A ' \
	"$(cat "$T/log/query.log" 2>/dev/null)"
check "query log: the moved file got nothing more" 3 "$(wc -l <"$T/log/query.log.1")"
check_sigterm "$DPID" "riposte-dns (4): SIGTERM: exit 0"
# A stuck worker stops the pings: gdb stops one worker inside dns_answer()
# (a breakpoint; gdb does not handle the stop while it runs its `shell`
# command, so only that thread is stopped and the main thread goes on),
# and the WATCHDOG=1 must stop until gdb lets it go.  Needs gdb and ptrace.
if command -v gdb >/dev/null && [[ $(id -u) == 0 ]]; then
	sed -i 's/^workers 1/workers 2/; /^query-log/d' "$T/dns.conf"
	: >"$T/dns5.rec"
	listen "@riposte-notify5-$$" "$T/dns5.rec"
	NOTIFY_SOCKET="@riposte-notify5-$$" WATCHDOG_USEC=400000 "$DNS" -d -c "$T/dns.conf" \
		-s "$T/dns.sock" >"$T/dns5.stderr" 2>&1 &
	DPID=$!
	PIDS+=("$DPID")
	wait_for 10 grep -q 'READY=1' "$T/dns5.rec" || not_ok "riposte-dns (5): no READY=1"
	mono="python3 -c 'import time; print(time.monotonic_ns() // 1000)'"
	timeout 30 gdb -batch -nx -ex 'set pagination off' -ex "attach $DPID" -ex 'break dns_answer' \
		-ex 'continue &' -ex "shell $mono >$T/stall.t0; $D example.com SOA >$T/stall.dig 2>&1; sleep 2; $mono >$T/stall.t1" \
		>"$T/gdb.out" 2>&1
	sleep 1
	t0=$(cat "$T/stall.t0" 2>/dev/null) t1=$(cat "$T/stall.t1" 2>/dev/null)
	if [[ -n $t0 && -n $t1 ]] && grep -q 'Breakpoint 1 at' "$T/gdb.out"; then
		check_match "stuck worker: the query was not answered while its worker was stopped" \
			'timed out|no servers' "$(cat "$T/stall.dig")"
		n=$(awk -F'\t' -v a=$((t0 + 500000)) -v b="$t1" '$2 == "WATCHDOG=1" && $1 > a && $1 < b' "$T/dns5.rec" | wc -l)
		check "stuck worker: no WATCHDOG=1 from 0.5 s after the query until gdb let go ($(((t1 - t0) / 1000)) ms)" 0 "$n"
		n=$(awk -F'\t' -v b="$t1" '$2 == "WATCHDOG=1" && $1 > b' "$T/dns5.rec" | wc -l)
		check_between "stuck worker: the pings are back once it runs again (in about 1 s)" "$n" 3 7
		check_match "stuck worker: the log says which worker" \
			'<3>.*worker [0-9] has not finished a loop turn for 0\.2 s: no watchdog ping' "$(cat "$T/dns5.stderr")"
		check "stuck worker: the query is answered after all" 1 "$($D example.com SOA | grep -c hostmaster)"
	else
		not_ok "stuck worker: gdb did not set the breakpoint ($(tail -n 3 "$T/gdb.out" | tr '\n' ' '))"
	fi
	check_sigterm "$DPID" "riposte-dns (5): SIGTERM: exit 0"
else
	echo "# stuck worker: skipped (needs gdb and root for ptrace)"
fi

cat "$T"/dns*.stderr >"$T/dns-all.stderr"
check_no_sanitizer "$T/dns-all.stderr"

# -------------------------------------------------------------------- riposted
# In the namespace own_netns made (lo only): riposted's UDP 520 and kernel
# routes touch nothing of the host's.
if [[ ${NOTIFY_INSIDE:-0} != 1 ]] || ! command -v setpriv >/dev/null; then
	echo "# riposted: skipped (needs root, a namespace of its own and setpriv)"
	finish
fi
mkdir -p "$T/rd" && chown nobody "$T/rd"
cat >"$T/rd/riposted.conf" <<EOF
hostname t
log file $T/rd/riposted.log informational
user nobody
router rip
 network lo
EOF
chmod 644 "$T/rd/riposted.conf"
listen "$T/rd.notify" "$T/rd.rec"
# As the unit runs it: user nobody from the start, the two capabilities ambient.
env NOTIFY_SOCKET="$T/rd.notify" WATCHDOG_USEC=400000 \
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps=+net_admin,+net_bind_service --ambient-caps=+net_admin,+net_bind_service \
	"$RIPOSTED" -d -c "$T/rd/riposted.conf" -s "$T/rd/riposted.sock" >"$T/rd.stderr" 2>&1 &
RPID=$!
PIDS+=("$RPID")
if wait_for 10 grep -q 'READY=1' "$T/rd.rec"; then
	ok "riposted: READY=1 (as nobody with ambient CAP_NET_ADMIN, CAP_NET_BIND_SERVICE)"
	out=$("$CTL" -s "$T/rd/riposted.sock" show status 2>&1)
	check "riposted: when READY=1 has come the control socket answers" 0 "$?"
else
	sed 's/^/# /' "$T/rd.stderr" | tail -n 5
	bail "riposted: no READY=1 within 10 s"
fi
check_match "riposted: UDP 520 bound in its namespace" '^[1-9]' "$(ss -Hlnu 'sport = :520' | wc -l)"
check "riposted: the configured log file is used under -d" 1 "$(grep -c 'riposted .* started' "$T/rd/riposted.log")"
check "riposted: already user nobody: no drop attempted" 1 "$(grep -c 'running as user nobody already' "$T/rd/riposted.log")"
sleep 1
n=$(count "$T/rd.rec" '^[0-9]+	WATCHDOG=1$')
check_between "riposted: WATCHDOG=1 every 200 ms: pings in about 1 s" "$n" 3 7

before=$(wc -l <"$T/rd.rec")
out=$("$CTL" -s "$T/rd/riposted.sock" reload 2>&1)
check "riposted: ripostectl reload exits 0 (${out})" 0 "$?"
wait_for 2 eval '[[ -n $(line_of "$T/rd.rec" "$before" "READY=1") ]]'
r=$(line_of "$T/rd.rec" "$before" "RELOADING=1\\|MONOTONIC_USEC=[0-9]+")
y=$(line_of "$T/rd.rec" "$before" "READY=1")
if [[ -n $r && -n $y ]] && ((r < y)); then ok "riposted: reload: RELOADING=1 with MONOTONIC_USEC, then READY=1"; else not_ok "riposted: reload: RELOADING=1 (${r:-none}) then READY=1 (${y:-none})"; fi

echo " frobnicate" >>"$T/rd/riposted.conf"
before=$(wc -l <"$T/rd.rec")
out=$("$CTL" -s "$T/rd/riposted.sock" reload 2>&1)
check "riposted: a bad config: ripostectl reload exits 1 (${out})" 1 "$?"
wait_for 2 eval '[[ -n $(line_of "$T/rd.rec" "$before" "READY=1") ]]'
r=$(line_of "$T/rd.rec" "$before" "RELOADING=1")
y=$(line_of "$T/rd.rec" "$before" "READY=1")
if [[ -n $r && -n $y ]] && ((r < y)); then ok "riposted: failed reload: RELOADING=1, then READY=1"; else not_ok "riposted: failed reload: RELOADING=1 (${r:-none}) then READY=1 (${y:-none})"; fi

mv "$T/rd/riposted.log" "$T/rd/riposted.log.1"
kill -USR1 "$RPID"
wait_for 2 test -s "$T/rd/riposted.log"
check "riposted: SIGUSR1 reopened the moved log file" 1 "$(grep -c 'SIGUSR1: log file .* reopened' "$T/rd/riposted.log" 2>/dev/null)"

before=$(wc -l <"$T/rd.rec")
kill -TERM "$RPID"
wait_for 5 eval '! kill -0 $RPID 2>/dev/null'
wait "$RPID"
check "riposted: SIGTERM: exit 0" 0 "$?"
check "riposted: STOPPING=1 at SIGTERM" 1 "$(tail -n +"$((before + 1))" "$T/rd.rec" | grep -c 'STOPPING=1')"
check_no_sanitizer "$T/rd.stderr"

finish
