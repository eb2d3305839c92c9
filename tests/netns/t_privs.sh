#!/usr/bin/env bash
# t_privs.sh - least privilege: riposted as `user nobody` with only the
# capabilities it needs, exec checks as `check-user` with none and a clean
# environment, script security, who may use the control socket, and
# riposte-dns giving root up by default.
#
#   r1 (riposted, user nobody) ---- r2 (riposted, root) --- r2_stub0 10.2.2.0/24
#        10.0.12.1/24                  10.0.12.2/24
#   r1: service web 10.128.224.2/32, check exec rec.sh (records its own
#       /proc status and environment)
#   d1: riposte-dns on 127.0.0.1
#
# Asserted: r1's /proc/PID/status (uid, gid, CapEff = CapPrm = CapBnd =
# CAP_NET_ADMIN | CAP_NET_BIND_SERVICE, nothing inheritable); the check runs
# as nobody with CapEff 0, no_new_privs and PATH as its whole environment
# (a variable riposted was started with does not reach it); routes are still
# installed and announced after the drop (RIP with r2), reload works (ctl and
# SIGHUP); a world-writable script or one in a world-writable directory is
# refused by --check and by a reload (which keeps the running config) with
# file:line; SIGTERM removes the pidfile (in a directory nobody may write).
# Then, restarted with check-user daemon, control-group bin, control-mode
# 0666, control-readonly-group daemon: riposted keeps CAP_SETUID, CAP_SETGID
# and CAP_KILL (and says so), the check runs as daemon; daemon may show but
# not drain, bin may drain, nobody is refused by riposted, root may all, and
# the acting commands are logged with uid and pid.  With the default 0660
# the socket refuses nobody before riposted sees it.  riposte-dns started as
# root without `user` runs as riposte-dns or nobody; `user root` keeps root.
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

RIPOSTE_DNS=${RIPOSTE_DNS:-$RIPOSTE_BUILD/riposte-dns}
T=${RPT_CONVERGE_S:-20}
for u in nobody daemon bin; do
	id "$u" >/dev/null 2>&1 || bail "no user $u on this system"
done
NOBODY=$(id -u nobody) NOGROUP=$(id -g nobody) DAEMON=$(id -u daemon)
uid_of() { awk '/^Uid:/ {print $2}' "/proc/$1/status"; }
# status_of PID FIELD: the field's value(s) in /proc/PID/status, tabs as spaces
status_of() { awk -v f="$2:" '$1 == f {$1 = ""; sub(/^ /, ""); print}' "/proc/$1/status"; }
# The capabilities riposted keeps: NET_ADMIN (12), NET_BIND_SERVICE (10);
# NET_RAW (13) too on kernels before 5.7 (SO_BINDTODEVICE needed it).
IFS=. read -r KMAJ KMIN _ <<<"$(uname -r)"
CAPS=$(( (1 << 12) | (1 << 10) ))
if ((KMAJ < 5 || (KMAJ == 5 && KMIN < 7))); then CAPS=$((CAPS | (1 << 13))); fi
# ... and SETUID (7), SETGID (6), KILL (5) when the check user is another user.
CAPS_SETID=$((CAPS | (1 << 7) | (1 << 6) | (1 << 5)))
hex() { printf '%016x' "$1"; }

ns_router r1 r2
ns_add d1
link r1 r2 10.0.12.1/24 10.0.12.2/24 || bail "link r1-r2"
stub r2 stub0 10.2.2.1/24 || bail "stub r2"
riposted_conf r2
start_riposted r2 || bail "start riposted in r2"

# ------------------------------------------------------------ files
RUN=$T_DIR/run OUT=$T_DIR/out
mkdir -p "$RUN" "$OUT"
chown nobody "$RUN"        # pidfile and drained-services file: riposted removes them as nobody
chmod 1777 "$OUT"          # the checks write their records here, as nobody or daemon
PIDF=$RUN/r1.pid
cat >"$T_DIR/rec.sh" <<EOF
#!/bin/sh
# The check's own shell: its status and the environment it was given.
grep -E '^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/\$\$/status >"$OUT/status.\$\$" &&
	mv "$OUT/status.\$\$" "$OUT/status"
tr '\\0' '\\n' </proc/\$\$/environ >"$OUT/env.\$\$" && mv "$OUT/env.\$\$" "$OUT/env"
exit 0
EOF
chmod 755 "$T_DIR/rec.sh"

# r1_conf [TOP-LEVEL LINE...]: RIP, the lines, the service with the exec check.
r1_conf() {
	local l
	riposted_conf r1
	{
		for l in "$@"; do echo "$l"; done
		echo "service web"
		echo " address 10.128.224.2/32"
		echo " check exec ${CHECK:-$T_DIR/rec.sh}"
		echo " interval 200ms"
		echo " rise 1"
		echo " drain-time 300ms"
	} >>"$T_DIR/r1.conf"
	chmod 644 "$T_DIR/r1.conf"
}
# A variable in riposted's environment that must not reach the check.
export RPT_PRIVS_SECRET=leaked

# ------------------------------------------------------------ phase A: user nobody
r1_conf "user nobody"
start_riposted r1 "" -p "$PIDF" || bail "start riposted in r1"
P=$(riposted_pid r1)
check_within 5 "r1 runs as nobody" eval '[[ $(uid_of '"$P"') == '"$NOBODY"' ]]'
check_eq "r1: Uid (real, effective, saved, fs)" "$NOBODY $NOBODY $NOBODY $NOBODY" "$(status_of "$P" Uid)"
check_eq "r1: Gid" "$NOGROUP $NOGROUP $NOGROUP $NOGROUP" "$(status_of "$P" Gid)"
check_eq "r1: CapEff is NET_ADMIN + NET_BIND_SERVICE" "$(hex $CAPS)" "$(status_of "$P" CapEff)"
check_eq "r1: CapPrm the same" "$(hex $CAPS)" "$(status_of "$P" CapPrm)"
check_eq "r1: CapBnd the same" "$(hex $CAPS)" "$(status_of "$P" CapBnd)"
check_eq "r1: CapInh empty" "$(hex 0)" "$(status_of "$P" CapInh)"
check_eq "r1: CapAmb empty" "$(hex 0)" "$(status_of "$P" CapAmb)"
check "r1's log: running as user nobody with the kept capabilities" \
	grep -q "running as user nobody (uid $NOBODY, gid $NOGROUP) with cap_net_admin,cap_net_bind_service" "$T_DIR/r1.riposted.log"

check_within 5 "the exec check ran and recorded itself" test -s "$OUT/status"
ST=$(cat "$OUT/status")
field() { awk -v f="$1:" '$1 == f {$1 = ""; sub(/^ /, ""); print}' <<<"$ST"; }
check_eq "check: Uid nobody" "$NOBODY $NOBODY $NOBODY $NOBODY" "$(field Uid)"
check_eq "check: Gid nogroup" "$NOGROUP $NOGROUP $NOGROUP $NOGROUP" "$(field Gid)"
check_eq "check: CapEff 0" "$(hex 0)" "$(field CapEff)"
check_eq "check: CapPrm 0" "$(hex 0)" "$(field CapPrm)"
check_eq "check: CapInh 0" "$(hex 0)" "$(field CapInh)"
check_eq "check: CapAmb 0" "$(hex 0)" "$(field CapAmb)"
check_eq "check: CapBnd no more than riposted's" "$(hex $CAPS)" "$(field CapBnd)"
check_eq "check: no_new_privs" "1" "$(field NoNewPrivs)"
check_eq "check: PATH is its whole environment" "PATH=/usr/sbin:/usr/bin:/sbin:/bin" "$(cat "$OUT/env")"

# Routes after the drop: learned and installed (CAP_NET_ADMIN), announced.
check_within "$T" "r1 (nobody) installed r2's stub via r2" has_kroute r1 10.2.2.0/24 proto "$RP" via 10.0.12.2
check_within "$T" "r1's service address is on lo" eval 'ipn r1 -4 addr show dev lo | grep -q "10.128.224.2/32"'
check_within "$T" "r2 installed r1's service route" has_kroute r2 10.128.224.2/32 proto "$RP" via 10.0.12.1

# Reload, through the socket and with SIGHUP: the file is readable by nobody.
OUTR=$(rctl r1 reload 2>&1)
check_eq "ripostectl reload (riposted as nobody)" "configuration reloaded from $T_DIR/r1.conf" "$OUTR"
N0=$(grep -c "configuration reloaded from" "$T_DIR/r1.riposted.log")
kill -HUP "$P"
check_within 5 "SIGHUP reloads too" eval '(( $(grep -c "configuration reloaded from" "$T_DIR/r1.riposted.log") > '"$N0"' ))'
check "the reload by root is logged with its uid" grep -q "ctl: reload by uid 0 gid 0 pid " "$T_DIR/r1.riposted.log"

# Script security: --check, and a reload that keeps the running config.
cp "$T_DIR/rec.sh" "$T_DIR/ww.sh"
chmod 777 "$T_DIR/ww.sh"
mkdir -p "$T_DIR/open"
chmod 777 "$T_DIR/open"
cp "$T_DIR/rec.sh" "$T_DIR/open/rec.sh"
chmod 755 "$T_DIR/open/rec.sh"
cp "$T_DIR/r1.conf" "$T_DIR/r1.good.conf"
LINE=$(grep -n "check exec" "$T_DIR/r1.conf" | cut -d: -f1)
CHECK=$T_DIR/ww.sh r1_conf "user nobody"
OUTC=$("$RIPOSTED" -c "$T_DIR/r1.conf" --check 2>&1)
check_eq "--check refuses a world-writable script (exit 1)" 1 "$?"
check_eq "  ... with file:line and the reason" \
	"riposted: $T_DIR/r1.conf:$LINE: service web: check exec $T_DIR/ww.sh: not safe to run as nobody: $T_DIR/ww.sh is writable by others (mode 0777)" "$OUTC"
OUTR=$(rctl r1 reload 2>&1)
check_eq "a reload with it fails (exit 1)" 1 "$?"
check_eq "  ... and says why" \
	"ripostectl: reload failed, the running configuration stays: $T_DIR/r1.conf:$LINE: service web: check exec $T_DIR/ww.sh: not safe to run as nobody: $T_DIR/ww.sh is writable by others (mode 0777)" "$OUTR"
CHECK=$T_DIR/open/rec.sh r1_conf "user nobody"
OUTC=$("$RIPOSTED" -c "$T_DIR/r1.conf" --check 2>&1)
check_eq "--check refuses a script in a world-writable directory" \
	"riposted: $T_DIR/r1.conf:$LINE: service web: check exec $T_DIR/open/rec.sh: not safe to run as nobody: $T_DIR/open is writable by others (mode 0777)" "$OUTC"
cp "$T_DIR/r1.good.conf" "$T_DIR/r1.conf"
rm -f "$OUT/status"
check_within 5 "the running check still runs (as before the refused reloads)" test -s "$OUT/status"
sed "s|check exec .*|check exec $T_DIR/ww.sh|" "$T_DIR/r1.conf" >"$T_DIR/bad.conf"
OUTC=$(ip netns exec "$(nsname d1)" "$RIPOSTED" -c "$T_DIR/bad.conf" -s "$T_DIR/x.ctl" -p "$T_DIR/x.pid" -d </dev/null 2>&1 {RPT_OUT}>&- {RPT_ERR}>&-)
check_eq "a start with it is refused too" \
	"1 riposted: $T_DIR/bad.conf:$LINE: service web: check exec $T_DIR/ww.sh: not safe to run as nobody: $T_DIR/ww.sh is writable by others (mode 0777)" "$? $OUTC"

# The control socket: 0660, root's group; nobody cannot even connect.
check_eq "control socket: mode and group" "srw-rw---- root root" "$(stat -c '%A %U %G' "${T_SOCK[r1]}")"
OUTN=$(runuser -u nobody -- "$RIPOSTECTL" -s "${T_SOCK[r1]}" show status 2>&1)
check_eq "nobody cannot connect (exit 1)" 1 "$?"
check "  ... the socket's permissions refuse it" grep -q "Permission denied" <<<"$OUTN"
check "root may drain" rctl r1 drain web
check "  ... logged with uid and pid" grep -q "ctl: drain web by uid 0 gid 0 pid " "$T_DIR/r1.riposted.log"
check "root may undrain" rctl r1 undrain web

# SIGTERM: exits 0 and removes the pidfile (its directory is nobody's).
check "the pidfile names riposted" eval '[[ $(cat "$PIDF") == '"$P"' ]]'
stop_riposted r1
check_eq "r1 exited 0 after SIGTERM" 0 "$STOP_RC"
check "its pidfile is removed" test ! -e "$PIDF"
check "its control socket file is left (nobody may not remove it from $T_DIR)" test -S "${T_SOCK[r1]}"

# ------------------------------------------------------------ phase B: groups, check-user
r1_conf "user nobody" "check-user daemon" "control-group bin" "control-mode 0666" \
	"control-readonly-group daemon"
# A check that outlives its timeout: riposted (nobody) must be able to kill
# it (daemon's): that is what CAP_KILL is kept for.
cat >>"$T_DIR/r1.conf" <<EOF
service slow
 address 10.128.224.3/32
 check exec /bin/sleep 31
 interval 500ms
 timeout 200ms
EOF
rm -f "$OUT/status"
start_riposted r1 "" -p "$PIDF" || bail "restart riposted in r1"
P=$(riposted_pid r1)
check_within 5 "r1 runs as nobody again" eval '[[ $(uid_of '"$P"') == '"$NOBODY"' ]]'
check_eq "check-user daemon: r1 also keeps SETUID, SETGID, KILL" "$(hex $CAPS_SETID)" "$(status_of "$P" CapEff)"
check "  ... and says so" grep -q "check-user daemon is not user nobody: riposted keeps CAP_SETUID, CAP_SETGID and CAP_KILL" "$T_DIR/r1.riposted.log"
check_within 5 "the check ran" test -s "$OUT/status"
ST=$(cat "$OUT/status")
check_eq "check: Uid daemon" "$DAEMON $DAEMON $DAEMON $DAEMON" "$(field Uid)"
check_eq "check: CapEff 0" "$(hex 0)" "$(field CapEff)"
check_eq "check: CapPrm 0" "$(hex 0)" "$(field CapPrm)"
slow_reason() { rctl r1 show services slow --json | jq -r '.services[0].checks[0].reason'; }
check_within 5 "a check as daemon is killed after its timeout" eval '[[ $(slow_reason) == "killed after timeout 200 ms" ]]'
# Each run lives 200 ms: after 2.5 s of runs, none may be older than 1 s.
sleep 2.5
old_sleeps() { local p; for p in $(pgrep -u daemon -f '^/bin/sleep 31$'); do
	(( $(ps -o etimes= -p "$p") >= 1 )) && echo "$p"; done; }
check_eq "  ... and no 'sleep 31' of daemon's outlives its run" "" "$(old_sleeps)"
check_eq "control socket: mode 0666, group bin" "srw-rw-rw- bin" "$(stat -c '%A %G' "${T_SOCK[r1]}")"
# as USER ARGS...: ripostectl as USER; OUTU, RCU
as() { local u=$1; shift; OUTU=$(runuser -u "$u" -- "$RIPOSTECTL" -s "${T_SOCK[r1]}" "$@" 2>&1); RCU=$?; }
as daemon show services web
check_eq "read-only member (daemon): show works" 0 "$RCU"
as daemon show status --json
check_eq "read-only member: show status --json" 0 "$RCU"
as daemon drain web
check_eq "read-only member: drain refused (exit 1)" "1 ripostectl: permission denied: 'drain' needs full access (uid $DAEMON has read-only access: root and the control group's members have full access)" "$RCU $OUTU"
as daemon reload
check_eq "read-only member: reload refused" 1 "$RCU"
check "  ... logged" grep -q "ctl: drain refused to uid $DAEMON gid $(id -g daemon) pid " "$T_DIR/r1.riposted.log"
check_eq "the service was not drained" "up" "$(rctl r1 show services web --json | jq -r '.services[0].state')"
as nobody show status
check_eq "nobody (in no group) is refused by riposted" "1 ripostectl: permission denied: not root, not in riposted's control group or read-only group" "$RCU $OUTU"
as bin drain web
check_eq "control-group member (bin): drain works" 0 "$RCU"
check "  ... logged with its uid" grep -q "ctl: drain web by uid $(id -u bin) gid $(id -g bin) pid " "$T_DIR/r1.riposted.log"
as bin undrain web
check_eq "control-group member: undrain works" 0 "$RCU"
check "root may reload" rctl r1 reload
stop_riposted r1
check_eq "r1 exited 0" 0 "$STOP_RC"

# ------------------------------------------------------------ riposte-dns
if [[ ! -x $RIPOSTE_DNS ]]; then
	not_ok "no $RIPOSTE_DNS (build first)"
	t_done
fi
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
PORT=5353
answers() { [[ $(nsx d1 dig @127.0.0.1 -p "$PORT" +time=1 +tries=1 +short ns1.example.com A) == 192.0.2.1 ]]; }
# dns_start NAME [LINE...]: riposte-dns in d1 in the foreground; DPID
dns_start() {
	local n=$1 l; shift
	{ echo "listen 127.0.0.1@$PORT"; echo "zone example.com file example.com.zone"; for l in "$@"; do echo "$l"; done; } >"$DD/$n.conf"
	ip netns exec "$(nsname d1)" "$RIPOSTE_DNS" -d -c "$DD/$n.conf" </dev/null >"$DD/$n.log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
	DPID=$!
	_track "$DPID" "riposte-dns $n"
	T_LOGS+=("$DD/$n.log")
}
DEFUSER=nobody
id riposte-dns >/dev/null 2>&1 && DEFUSER=riposte-dns
dns_start def
check_within 5 "riposte-dns (root, no user) answers" answers
check_eq "  ... and runs as $DEFUSER" "$(id -u "$DEFUSER")" "$(uid_of "$DPID")"
check "  ... and says so" grep -q "no \`user\` in $DD/def.conf: running as $DEFUSER once the sockets are bound" "$DD/def.log"
kill -HUP "$DPID"
check_within 5 "  ... a reload (zones read as $DEFUSER) works" grep -q "reload done: " "$DD/def.log"
kill -TERM "$DPID"
check_within 5 "  ... it stops" dead "$DPID"
dns_start root "user root"
check_within 5 "riposte-dns with user root answers" answers
check_eq "  ... and runs as root" 0 "$(uid_of "$DPID")"
check "  ... with a warning" grep -q "\`user root\`: riposte-dns keeps running as root" "$DD/root.log"
kill -TERM "$DPID"
check_within 5 "  ... it stops" dead "$DPID"

t_done
