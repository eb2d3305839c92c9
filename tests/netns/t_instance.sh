#!/usr/bin/env bash
# t_instance.sh - one daemon per control socket and pidfile, and honest
# pidfiles, for riposted and riposte-dns.
#
#   r1 (riposted A, daemonized) ---- r2 (riposted) --- r2_stub0 10.2.2.0/24
#            10.0.12.1/24      10.0.12.2/24
#   d1: riposte-dns on 127.0.0.1 (lo only)
#
# A second riposted on A's pidfile/socket exits 1 with "already running
# (pid N, pidfile PATH)" and touches nothing: A's kernel routes stay (count
# before == after), A answers ripostectl, UDP 520 is bound by A alone.  A
# second one with another -p on A's socket stops before the kernel too.  A
# relative -c in daemon mode reloads on SIGHUP.  The pidfile goes at
# SIGTERM and after a start-up failure after the lock; a symbolic link at
# the pidfile's path is refused.  riposte-dns: a second instance is refused
# with the same message; with `user nobody` the pidfile is gone after exit
# when its directory lets nobody remove it, and emptied when not.
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

RIPOSTE_DNS=${RIPOSTE_DNS:-$RIPOSTE_BUILD/riposte-dns}
T=${RPT_CONVERGE_S:-20}

ns_router r1 r2
ns_add d1
link r1 r2 10.0.12.1/24 10.0.12.2/24 || bail "link r1-r2"
stub r2 stub0 10.2.2.1/24 || bail "stub r2"

riposted_conf r2
start_riposted r2 || bail "start riposted in r2"

# ------------------------------------------------------------ riposted A
# Daemonized (no -d), started from $T_DIR with a relative -c: daemon()
# changes to "/", and reloads must still find the file.
riposted_conf r1
sed -i "s|^log stdout |log file $T_DIR/r1.riposted.log |" "$T_DIR/r1.conf"
T_LOGS+=("$T_DIR/r1.riposted.log")
SOCK=$T_DIR/r1.ctl PIDF=$T_DIR/r1.pid
# run_r1 ARGS...: riposted in r1's namespace from $T_DIR; OUT, RC.
run_r1() {
	OUT=$(cd "$T_DIR" && timeout 10 ip netns exec "$(nsname r1)" "$RIPOSTED" "$@" </dev/null 2>&1 {RPT_OUT}>&- {RPT_ERR}>&-)
	RC=$?
}
run_r1 -c r1.conf -s "$SOCK" -p "$PIDF"
check_eq "riposted A (daemonized) started: exit status" 0 "$RC"
wait_file "$PIDF" || bail "A wrote no pidfile: $OUT"
A=$(cat "$PIDF")
[[ $A =~ ^[0-9]+$ ]] && alive "$A" || bail "A's pidfile names no living process ('$A')"
_track "$A" "riposted r1"
T_SOCK[r1]=$SOCK
check "A's pidfile holds the daemon's pid (it runs in r1)" eval '[[ $(ip netns identify '"$A"') == $(nsname r1) ]]'
check_within 5 "A's control socket answers" rctl r1 show status
check_within "$T" "A learned and installed r2's stub" has_kroute r1 10.2.2.0/24 proto "$RP" via 10.0.12.2
sleep 1
BEFORE=$(kroute_count r1 proto "$RP")
say "A's kernel routes (proto $RP): $BEFORE"

# udp520_pids: the pids owning UDP port 520 sockets in r1, sorted, one line.
udp520_pids() { nsx r1 ss -Hulpn 'sport = :520' | grep -o 'pid=[0-9]*' | sort -u | paste -sd' ' -; }
check_eq "before: UDP 520 in r1 is A's" "pid=$A" "$(udp520_pids)"

# ------------------------------------------------------------ second riposted
# Every route change in r1 while the second ones try: A re-installs a route
# someone deletes, so the count alone would not see a flush.
nsx r1 ip -o monitor route >"$T_DIR/r1.monitor" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
MON=$!
_track "$MON" "ip monitor r1"
sleep 0.3
run_r1 -c r1.conf -s "$SOCK" -p "$PIDF"
check_eq "second riposted, same socket and pidfile: exit status" 1 "$RC"
check_eq "second riposted: the message" "riposted: already running (pid $A, pidfile $PIDF)" "$OUT"
run_r1 -c r1.conf -s "$T_DIR/r1-other.ctl" -p "$PIDF"
check_eq "second riposted, same pidfile, other socket: refused" \
	"1 riposted: already running (pid $A, pidfile $PIDF)" "$RC $OUT"
check "  ... and it left no socket behind" test ! -e "$T_DIR/r1-other.ctl"
# Another pidfile (here: the default, derived from -s) on A's socket, or
# another socket and pidfile altogether: the namespace lock (one riposted
# per network namespace: UDP 520 is one port) stops it before the kernel is
# touched.
NSMSG="riposted: another riposted runs in this network namespace (it has UDP port 520)"
run_r1 -d -c r1.conf -s "$SOCK"
check_eq "second riposted, same socket, its own pidfile: refused" "1 $NSMSG" "$RC $OUT"
run_r1 -c r1.conf -s "$T_DIR/r1-third.ctl" -p "$T_DIR/r1-third.pid"
check_eq "second riposted, other socket and pidfile, same namespace: refused" "1 $NSMSG" "$RC $OUT"
check "  ... and it left no socket and no pidfile behind" eval 'test ! -e "$T_DIR/r1-third.ctl" && test ! -e "$T_DIR/r1-third.pid"'
check "  ... its own pidfile (r1.ctl.pid) is removed" test ! -e "$T_DIR/r1.ctl.pid"
check_eq "A's kernel routes are all still there (count before == after)" "$BEFORE" "$(kroute_count r1 proto "$RP")"
sleep 0.3
kill "$MON"; wait "$MON" 2>/dev/null
check_eq "no route of A's was deleted meanwhile (ip monitor)" 0 "$(grep -c '^Deleted' "$T_DIR/r1.monitor")"
check "A still has r2's stub in the kernel" has_kroute r1 10.2.2.0/24 proto "$RP" via 10.0.12.2
check "A is alive" alive "$A"
check_eq "A's pidfile still names A" "$A" "$(cat "$PIDF" 2>/dev/null)"
check "A still answers ripostectl" rctl r1 show routes
check_eq "after: UDP 520 in r1 is A's alone" "pid=$A" "$(udp520_pids)"

# ------------------------------------------------------------ relative -c, SIGHUP
reloads() { rctl r1 show status | sed -n 's/^config: \(.*\), \([0-9]*\) reloads, \([0-9]*\) failed$/\1 \2 \3/p'; }
check_eq "A's config path is absolute, no reloads yet" "$T_DIR/r1.conf 0 0" "$(reloads)"
kill -HUP "$A"
check_within 5 "SIGHUP with a relative -c: reloaded (1 reload, 0 failed)" \
	eval '[[ $(reloads) == "$T_DIR/r1.conf 1 0" ]]'
check "  ... the log says so" grep -q "configuration reloaded from $T_DIR/r1.conf" "$T_DIR/r1.riposted.log"

# ------------------------------------------------------------ SIGTERM
kill -TERM "$A"
check_within 5 "A exited after SIGTERM" dead "$A"
check "A's pidfile is removed" test ! -e "$PIDF"
check "A's control socket is removed" test ! -e "$SOCK"
check_eq "A removed its kernel routes" 0 "$(kroute_count r1 proto "$RP")"

# ------------------------------------------------------------ start-up failures
# After the lock: the control socket in a missing directory.
run_r1 -d -c r1.conf -s "$T_DIR/missing/r1.ctl" -p "$T_DIR/fail.pid"
check_eq "control socket in a missing directory (-d): exit status" 1 "$RC"
check "  ... says why" eval '[[ $OUT == *"control socket $T_DIR/missing/r1.ctl: No such file or directory"* ]]'
check "  ... its pidfile is removed" test ! -e "$T_DIR/fail.pid"
run_r1 -c r1.conf -s "$T_DIR/missing/r1.ctl" -p "$T_DIR/fail2.pid"
check_eq "the same, daemonized: the parent returns 0" 0 "$RC"
check_within 5 "  ... and the daemon removes its pidfile when it fails" test ! -e "$T_DIR/fail2.pid"
check_eq "no kernel routes touched by the failed starts" 0 "$(kroute_count r1 proto "$RP")"
# A symbolic link where the pidfile goes: not followed.
echo precious >"$T_DIR/victim"
ln -s "$T_DIR/victim" "$T_DIR/link.pid"
run_r1 -d -c r1.conf -s "$T_DIR/r1-link.ctl" -p "$T_DIR/link.pid"
check_eq "symlink at the pidfile path: refused" \
	"1 riposted: pidfile $T_DIR/link.pid: is a symbolic link, not following it" "$RC $OUT"
check_eq "  ... its target untouched" precious "$(cat "$T_DIR/victim")"
# A relative `log file` cannot work once in "/": refused when daemonizing.
sed "s|^log file [^ ]* |log file rel.log |" "$T_DIR/r1.conf" >"$T_DIR/rel.conf"
run_r1 -c rel.conf -s "$T_DIR/r1-rel.ctl"
check_eq "relative 'log file' in daemon mode: exit status" 1 "$RC"
check "  ... says why" eval '[[ $OUT == *"log file rel.log: a relative path"* ]]'
check "  ... no pidfile left" test ! -e "$T_DIR/r1-rel.ctl.pid"

# ------------------------------------------------------------ riposte-dns
if [[ ! -x $RIPOSTE_DNS ]]; then
	not_ok "no $RIPOSTE_DNS (build first)"
	t_done
fi
PORT=5353
DD=$T_DIR/dns
mkdir -p "$DD"
cat >"$DD/example.com.zone" <<'EOF'
$ORIGIN example.com.
$TTL 300
@	IN SOA ns1 hostmaster 1 3600 600 86400 300
@	IN NS ns1
ns1	IN A 192.0.2.1
EOF
chmod 644 "$DD/example.com.zone"
# dns_conf FILE [LINE...]
dns_conf() {
	local f=$1 l; shift
	{ echo "listen 127.0.0.1@$PORT"; echo "zone example.com file example.com.zone"; for l in "$@"; do echo "$l"; done; } >"$f"
}
answers() { [[ $(nsx d1 dig @127.0.0.1 -p "$PORT" +time=1 +tries=1 +short ns1.example.com A) == 192.0.2.1 ]]; }
run_dns() {
	OUT=$(cd "$DD" && timeout 10 ip netns exec "$(nsname d1)" "$RIPOSTE_DNS" "$@" </dev/null 2>&1 {RPT_OUT}>&- {RPT_ERR}>&-)
	RC=$?
}
# uid_of PID
uid_of() { awk '/^Uid:/ {print $2}' "/proc/$1/status"; }

# `user root`: riposte-dns started as root gives root up by default (t_privs
# tests that); here the pidfile sits in a root-only directory and must go.
dns_conf "$DD/a.conf" "pidfile a.pid" "user root"
run_dns -c a.conf
check_eq "riposte-dns (daemonized, relative -c) started" 0 "$RC"
wait_file "$DD/a.pid" || bail "riposte-dns wrote no pidfile: $OUT"
N=$(cat "$DD/a.pid")
alive "$N" || bail "riposte-dns's pidfile names no living process ('$N')"
_track "$N" "riposte-dns d1"
check_within 5 "riposte-dns answers" answers
run_dns -c a.conf
check_eq "second riposte-dns on the same pidfile: refused" \
	"1 riposte-dns: already running (pid $N, pidfile $DD/a.pid)" "$RC $OUT"
check "the first still answers" answers
check_eq "UDP $PORT in d1 is the first's alone" "pid=$N" \
	"$(nsx d1 ss -Hulpn "sport = :$PORT" | grep -o 'pid=[0-9]*' | sort -u | paste -sd' ' -)"
kill -HUP "$N"
sleep 0.5
check "after SIGHUP (relative -c) it still answers" answers
kill -TERM "$N"
check_within 5 "riposte-dns exited after SIGTERM" dead "$N"
check "its pidfile is removed" test ! -e "$DD/a.pid"

# user nobody, pidfile in a directory nobody may write: removed at exit.
mkdir -p "$DD/run"
chown nobody "$DD/run"
dns_conf "$DD/u.conf" "user nobody" "pidfile run/u.pid"
run_dns -c u.conf
check_eq "riposte-dns with user nobody started" 0 "$RC"
wait_file "$DD/run/u.pid" || bail "riposte-dns (user nobody) wrote no pidfile: $OUT"
N=$(cat "$DD/run/u.pid")
alive "$N" || bail "riposte-dns (user nobody): no living process ('$N')"
_track "$N" "riposte-dns d1 nobody"
check_eq "it runs as nobody" "$(id -u nobody)" "$(uid_of "$N")"
check_within 5 "it answers" answers
run_dns -c u.conf
check_eq "second riposte-dns while the first runs as nobody: refused" \
	"1 riposte-dns: already running (pid $N, pidfile $DD/run/u.pid)" "$RC $OUT"
kill -TERM "$N"
check_within 5 "riposte-dns (nobody) exited after SIGTERM" dead "$N"
check "its pidfile is gone after exit" test ! -e "$DD/run/u.pid"

# user nobody, pidfile in a root-only directory: cannot be removed, so it is
# emptied (names no process), the start said so, and the next start takes it over.
dns_conf "$DD/r.conf" "user nobody" "pidfile r.pid"
ip netns exec "$(nsname d1)" "$RIPOSTE_DNS" -d -c "$DD/r.conf" </dev/null >"$DD/r.log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
N=$!
_track "$N" "riposte-dns d1 nobody fg"
T_LOGS+=("$DD/r.log")
check_within 5 "riposte-dns (nobody, root-only pidfile directory) answers" answers
check_eq "its pidfile names it" "$N" "$(cat "$DD/r.pid" 2>/dev/null)"
check "the start says the pidfile will be emptied, not removed" \
	grep -q "pidfile $DD/r.pid: its directory is not writable by user nobody" "$DD/r.log"
kill -TERM "$N"
check_within 5 "it exited after SIGTERM" dead "$N"
wait "$N" 2>/dev/null
check_eq "its pidfile is left empty (it names no process)" "0" "$(stat -c %s "$DD/r.pid" 2>/dev/null)"
dns_conf "$DD/r2.conf" "pidfile r.pid" "user root"
ip netns exec "$(nsname d1)" "$RIPOSTE_DNS" -d -c "$DD/r2.conf" </dev/null >"$DD/r2.log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
N=$!
_track "$N" "riposte-dns d1 takeover"
check_within 5 "the next start takes the emptied pidfile over" eval '[[ $(cat "$DD/r.pid" 2>/dev/null) == "$N" ]]'
kill -TERM "$N"
check_within 5 "  ... and removes it at exit" test ! -e "$DD/r.pid"

t_done
