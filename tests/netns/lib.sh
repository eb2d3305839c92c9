# shellcheck shell=bash
# tests/netns/lib.sh - helpers for riposte's network-namespace scenario tests
# (tests/netns/t_*.sh) and for scripts/demo.sh.  Source it; it needs root.
#
# On sourcing it makes a per-run temp dir ($T_DIR) and a unique namespace
# prefix ($T_PFX, "rpt<pid>-"), and sets a trap on EXIT/INT/TERM that stops
# only the processes this script started (by pid, after checking that the pid
# still lives in one of this run's namespaces) and deletes this run's
# namespaces.  When the script fails (non-zero exit or a "not ok"), the trap
# first prints the state of every namespace and the tail of every daemon log
# to stderr.
#
# Nodes are named by short names (r1, f1, b1 ...); `nsname r1` gives the
# namespace's real name.  Interfaces:  link A B ADDR_A/LEN ADDR_B/LEN makes
# veth-AB in A and veth-BA in B;  stub R IF ADDR/LEN [HOSTADDR] makes a stub
# network behind R (IF in R, eth0 in a small host namespace R_IF).
#
# Daemons:  start_riposted NODE [CONF] [ARGS...]   (control socket $T_DIR/NODE.ctl,
#           log $T_DIR/NODE.riposted.log);  rctl NODE show routes --json ...
#           start_frr NODE [RIPD_CONF]  (zebra + ripd; vty sockets in $T_DIR/frr-NODE)
#           start_bfdd NODE PEER IF     (FRR's bfdd, a session with PEER on IF, 100 ms;
#                                        zebra too unless start_frr started it; $BFDD_PID)
#           bfdd_state NODE PEER, bfdd_peer NODE PEER  (the session's state; as JSON)
#           bfdd_down_at NODE PEER T0 REASON  (ms of bfdd's "up -> down reason:REASON")
#           start_bird NODE [CONF]      (socket $T_DIR/NODE.bird.ctl)
# Config writers (defaults: RIPv2, network 10.0.0.0/8, timers 5 15 10):
#           riposted_conf NODE [LINE...] / frr_conf NODE [LINE...] / bird_conf NODE [IFPATTERN] [RIP_IF_OPTS]
# Waiting:  wait_until TIMEOUT_S CMD...  (polls every 50 ms; $WAITED_MS = time taken)
#           wait_all TIMEOUT_S LABEL 'CMD' ...  (several at once; $WAIT_MS[LABEL])
# Checks:   ok / not_ok / check / check_eq / check_le / check_gt / check_within; bail; t_done
# Kernel:   kroute NODE PREFIX [SELECTORS] ; has_kroute NODE PREFIX [proto P] [via A] [dev D]
#           no_kroute ... ; kroute_nexthops NODE PREFIX [proto P] ; kroute_count NODE [proto P]
#           $RP = riposted's rtm_protocol (RTPROT_RIPOSTE from src/netlink/kr.h)
# RIB:      rt_paths NODE PREFIX [STATE]   ("metric nexthop interface" per path)
#           rt_has NODE PREFIX METRIC [NEXTHOP [IF]] [STATE] ; nbr_bad NODE [ADDRESS]
# Clock:    ms_now, us_now (no fork)
#
# Environment: RIPOSTE_BUILD (build dir, default <repo>/build), RIPOSTED,
# RIPOSTECTL (override the binaries), RIPOSTE_PROTO (override $RP),
# RPT_LOGLEVEL (riposted_conf's log level, default informational),
# RPT_KEEP=1 keeps $T_DIR, RPT_DUMP_LINES (log lines dumped on failure, 40).

[[ -n ${_RPT_LIB_LOADED:-} ]] && return 0
_RPT_LIB_LOADED=1

RPT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RIPOSTE_BUILD=${RIPOSTE_BUILD:-$RPT_ROOT/build}
if [[ -d $RIPOSTE_BUILD ]]; then RIPOSTE_BUILD=$(cd "$RIPOSTE_BUILD" && pwd); fi
RIPOSTED=${RIPOSTED:-$RIPOSTE_BUILD/riposted}
RIPOSTECTL=${RIPOSTECTL:-$RIPOSTE_BUILD/ripostectl}
FRR_DIR=${FRR_DIR:-/usr/lib/frr}
# riposted's rtm_protocol: the source's RTPROT_RIPOSTE, unless set.
RP=${RIPOSTE_PROTO:-$(sed -n 's/^#define RTPROT_RIPOSTE[[:space:]]\{1,\}\([0-9]\{1,\}\).*/\1/p' "$RPT_ROOT/src/netlink/kr.h" 2>/dev/null | head -n 1)}
RP=${RP:-196}
export RP
RPT_PY=$(command -v python3 || echo /usr/bin/python3)
export RPT_PY
export RIPOSTE_BUILD RIPOSTED RIPOSTECTL

# Sanitizer builds (build-asan) must stop at the first report; the tests grep
# the daemon logs for reports.  Harmless for ordinary builds.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

T_NAME=$(basename "${0%.sh}")
T_PFX="rpt$$-"
T_OK=0
T_FAIL=0
T_NS=()            # short names of the namespaces this run made
T_PIDS=()          # "pid:label" of every process this run started
declare -A T_SOCK=() T_RPID=() T_FRRDIR=() T_BSOCK=()
T_LOGS=()          # daemon logs, dumped on failure

# The test's own stdout/stderr, for the cleanup: a signal can arrive while a
# shell function runs with its output sent to /dev/null (wait_until does
# that), and the exit trap would inherit that redirection.
exec {RPT_OUT}>&1 {RPT_ERR}>&2

if [[ $(id -u) != 0 ]]; then
	echo "# $T_NAME: needs root (network namespaces)" >&2
	exit 1
fi
T_DIR=$(mktemp -d "/tmp/rpt-$T_NAME.XXXXXX") || exit 1
chmod 755 "$T_DIR"   # FRR's daemons run as user frr and write below it

# ------------------------------------------------------------------ basics
# Milliseconds since the epoch, without forking a date(1).
ms_now() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
us_now() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }
say() { printf '# %s\n' "$*"; }
# log_event_us FILE FROM REGEX: the time (us since the epoch, as us_now) of
# the first line after line FROM of a daemon's log that matches REGEX, from
# its "[<N>]YYYY-MM-DD HH:MM:SS.mmm" stamp; a time far in the future when
# there is none, so a bound on it fails.
log_event_us() {
	local stamp
	stamp=$(tail -n +$(($2 + 1)) "$1" | grep -m1 -E -- "$3" |
		sed -nE 's/^(<[0-7]>)?([0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3}) .*/\2/p')
	if [[ -z $stamp ]]; then
		echo 99999999999999999
		return
	fi
	echo $(($(date -d "$stamp" +%s%N) / 1000))
}
elapsed_s() { # elapsed_s MS -> "1.234"
	printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000))
}
_to_ms() { # _to_ms 1.5 -> 1500
	local s=$1 i f
	if [[ $s == *.* ]]; then i=${s%%.*} f=${s#*.}000; f=${f:0:3}; else i=$s f=000; fi
	echo $((10#${i:-0} * 1000 + 10#$f))
}

nsname() { echo "$T_PFX$1"; }
nsx() { local n=$1; shift; ip netns exec "$T_PFX$n" "$@"; }
ipn() { local n=$1; shift; ip -n "$T_PFX$n" "$@"; }
_track() { T_PIDS+=("$1:$2"); }   # _track PID LABEL: kill it on exit

# ns_add NAME...: a namespace with lo up, IPv6 off (quiet links), forwarding off.
ns_add() {
	local n
	for n in "$@"; do
		ip netns add "$T_PFX$n" || return 1
		T_NS+=("$n")
		ip -n "$T_PFX$n" link set lo up
		nsx "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
	done
}
# ns_router NAME...: ns_add plus IPv4 forwarding and no reverse-path filter
# (multipath and re-routed return traffic must not be dropped).
ns_router() {
	local n
	for n in "$@"; do
		ns_add "$n" || return 1
		nsx "$n" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 >/dev/null || return 1
	done
}

# link A B ADDR_A/LEN ADDR_B/LEN [IF_A IF_B]: a veth pair between two namespaces.
link() {
	local a=$1 b=$2 aa=$3 ab=$4 ia=${5:-veth-$1$2} ib=${6:-veth-$2$1}
	if ((${#ia} > 15 || ${#ib} > 15)); then echo "link: interface name too long: $ia / $ib" >&2; return 1; fi
	ip -n "$T_PFX$a" link add "$ia" type veth peer name "$ib" netns "$T_PFX$b" || return 1
	ip -n "$T_PFX$a" addr add "$aa" dev "$ia" || return 1
	ip -n "$T_PFX$b" addr add "$ab" dev "$ib" || return 1
	ip -n "$T_PFX$a" link set "$ia" up && ip -n "$T_PFX$b" link set "$ib" up
}

# stub ROUTER IF ADDR/LEN [HOSTADDR]: a stub network behind ROUTER: IF in
# ROUTER with ADDR, its peer eth0 in a host namespace ROUTER_IF (made here)
# with HOSTADDR (same prefix length) and a default route via ADDR.
stub() {
	local r=$1 ifn=$2 addr=$3 haddr=${4:-} h=$1_$2
	ns_add "$h" || return 1
	ip -n "$T_PFX$r" link add "$ifn" type veth peer name eth0 netns "$T_PFX$h" || return 1
	ip -n "$T_PFX$r" addr add "$addr" dev "$ifn" || return 1
	ip -n "$T_PFX$r" link set "$ifn" up && ip -n "$T_PFX$h" link set eth0 up || return 1
	if [[ -n $haddr ]]; then
		ip -n "$T_PFX$h" addr add "$haddr/${addr#*/}" dev eth0 || return 1
		ip -n "$T_PFX$h" route add default via "${addr%/*}" || return 1
	fi
}

# wait_until TIMEOUT_S CMD...: run CMD every 50 ms until it succeeds (0) or
# TIMEOUT_S (may be fractional) passed (1).  $WAITED_MS: time it took.
WAITED_MS=0
wait_until() {
	local tmo start now
	tmo=$(_to_ms "$1"); shift
	start=$(ms_now)
	while :; do
		if "$@" >/dev/null 2>&1; then WAITED_MS=$(($(ms_now) - start)); return 0; fi
		now=$(ms_now)
		if ((now - start >= tmo)); then WAITED_MS=$((now - start)); return 1; fi
		sleep 0.05
	done
}
wait_file() { wait_until "${2:-5}" test -s "$1"; }

# alive PID: the process exists and is not a zombie (a child of ours that
# exited stays a zombie until waited for, and kill -0 still succeeds on it).
alive() {
	local st
	[[ -n ${1:-} ]] && read -r st 2>/dev/null </proc/"$1"/stat || return 1
	st=${st##*) }
	[[ ${st%% *} != Z ]]
}
dead() { ! alive "$1"; }

# wait_all TIMEOUT_S LABEL 'CMD' [LABEL 'CMD']...: poll every CMD (a string
# for eval) every 20 ms until all succeeded or TIMEOUT_S passed.  Sets
# WAIT_MS[LABEL] to the ms at which each first succeeded (-1: never).
# Returns 0 when all succeeded.
declare -A WAIT_MS=()
wait_all() {
	local tmo start now left l
	tmo=$(_to_ms "$1"); shift
	local -a labels=() cmds=()
	while (($# >= 2)); do labels+=("$1"); cmds+=("$2"); WAIT_MS[$1]=-1; shift 2; done
	start=$(ms_now)
	while :; do
		left=0
		for l in "${!labels[@]}"; do
			[[ ${WAIT_MS[${labels[$l]}]} == -1 ]] || continue
			if eval "${cmds[$l]}" >/dev/null 2>&1; then
				WAIT_MS[${labels[$l]}]=$(($(ms_now) - start))
			else
				left=1
			fi
		done
		((left)) || return 0
		now=$(ms_now)
		((now - start >= tmo)) && return 1
		sleep 0.02
	done
}

# ------------------------------------------------------------------ checks
ok() { T_OK=$((T_OK + 1)); printf 'ok - %s\n' "$*"; }
not_ok() { T_FAIL=$((T_FAIL + 1)); printf 'not ok - %s\n' "$*"; }
# check DESC CMD...: ok when CMD succeeds.
check() { local d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else not_ok "$d"; fi; }
# check_eq DESC EXPECTED ACTUAL
check_eq() {
	if [[ $2 == "$3" ]]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}
# check_le DESC VALUE LIMIT: numeric VALUE <= LIMIT
check_le() {
	if [[ $2 =~ ^-?[0-9]+$ ]] && (($2 <= $3)); then ok "$1 ($2 <= $3)"; else not_ok "$1 ($2 > $3)"; fi
}
# check_gt DESC VALUE LIMIT: numeric VALUE > LIMIT
check_gt() {
	if [[ $2 =~ ^-?[0-9]+$ ]] && (($2 > $3)); then ok "$1 ($2 > $3)"; else not_ok "$1 (got '$2', want > $3)"; fi
}
# check_within TIMEOUT_S DESC CMD...: ok when CMD succeeds within TIMEOUT_S.
check_within() {
	local t=$1 d=$2; shift 2
	if wait_until "$t" "$@"; then
		ok "$d (after $(elapsed_s "$WAITED_MS") s)"
	else
		not_ok "$d (not within $t s)"
		return 1
	fi
}

# t_done: stop the riposted daemons (SIGTERM; they must exit within 2 s and
# leave no sanitizer report), print the tally, exit 0 only if nothing failed.
t_done() {
	local n
	if ((T_FAIL > 0)); then _rpt_dump; _RPT_DUMPED=1; fi
	for n in "${!T_RPID[@]}"; do
		alive "${T_RPID[$n]}" || continue
		stop_riposted "$n"
	done
	for n in "${!T_RPID[@]}"; do
		if grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|SUMMARY: .*Sanitizer' \
			"$T_DIR/$n.riposted.log" 2>/dev/null; then
			not_ok "$n: sanitizer report in riposted's log"
		fi
	done
	printf '# %s: %d ok, %d not ok\n' "$T_NAME" "$T_OK" "$T_FAIL"
	if ((T_FAIL > 0 || T_OK == 0)); then exit 1; fi
	exit 0
}
# bail MESSAGE: a setup step failed; no point going on.
bail() { not_ok "$*"; printf '# %s: %d ok, %d not ok (bailed out)\n' "$T_NAME" "$T_OK" "$T_FAIL"; exit 1; }

# ------------------------------------------------------------------ kernel routes
# kroute NODE PREFIX [SELECTORS...]: the kernel's IPv4 route(s) for exactly PREFIX, one line each.
kroute() { local n=$1 p=$2; shift 2; ip -n "$T_PFX$n" -4 -o route show "$p" "$@" 2>/dev/null; }
# has_kroute NODE PREFIX [proto P] [via ADDR] [dev IF]: such a route exists
# (for a multipath route: one of its next hops is ADDR / on IF).
has_kroute() {
	local n=$1 p=$2 proto="" via="" dev="" out
	shift 2
	while (($#)); do
		case $1 in
		proto) proto=$2 ;; via) via=$2 ;; dev) dev=$2 ;;
		*) echo "has_kroute: bad argument $1" >&2; return 2 ;;
		esac
		shift 2
	done
	out=$(kroute "$n" "$p" ${proto:+proto "$proto"}) || return 1
	[[ -n $out ]] || return 1
	[[ -z $via || " $out " == *" via $via "* ]] || return 1
	[[ -z $dev || " $out " == *" dev $dev "* ]] || return 1
	return 0
}
no_kroute() { ! has_kroute "$@"; }
# kroute_nexthops NODE PREFIX [proto P]: the next-hop addresses, sorted, space separated.
kroute_nexthops() {
	local n=$1 p=$2; shift 2
	kroute "$n" "$p" "$@" | grep -o 'via [0-9.]*' | awk '{print $2}' | sort -u | paste -sd' ' -
}
# kroute_count NODE [proto P]: number of IPv4 main-table routes.
kroute_count() { local n=$1; shift; ip -n "$T_PFX$n" -4 route show "$@" | grep -c .; }

# ------------------------------------------------------------------ riposted
# riposted_conf NODE [LINE...]: a config in $T_DIR/NODE.conf: RIPv2 on every
# interface in 10.0.0.0/8, timers 5 15 10, plus the LINEs inside `router rip`.
riposted_conf() {
	local n=$1 l; shift
	{
		echo "hostname $n"
		echo "log stdout ${RPT_LOGLEVEL:-informational}"
		echo "router rip"
		echo " version 2"
		echo " network 10.0.0.0/8"
		echo " timers basic 5 15 10"
		for l in "$@"; do echo " $l"; done
		echo "!"
	} >"$T_DIR/$n.conf"
}

# start_riposted NODE [CONF] [ARGS...]: run riposted in the foreground (-d) in
# NODE's namespace, wait for its control socket.
start_riposted() {
	local n=$1 conf=${2:-$T_DIR/$1.conf} pid; shift; (($#)) && shift
	local sock=$T_DIR/$n.ctl log=$T_DIR/$n.riposted.log
	if [[ ! -x $RIPOSTED ]]; then echo "start_riposted: no $RIPOSTED (build first)" >&2; return 1; fi
	rm -f "$sock"
	ip netns exec "$T_PFX$n" "$RIPOSTED" -c "$conf" -s "$sock" -d "$@" </dev/null >>"$log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
	pid=$!
	_track "$pid" "riposted $n"
	T_RPID[$n]=$pid T_SOCK[$n]=$sock
	T_LOGS+=("$log")
	if ! wait_until 5 test -S "$sock" || ! alive "$pid"; then
		echo "start_riposted $n: no control socket after 5 s (pid $pid $(alive "$pid" && echo alive || echo dead))" >&2
		tail -n 20 "$log" >&2
		return 1
	fi
}
# rctl NODE ARGS...: ripostectl against NODE's daemon.
rctl() { local n=$1; shift; "$RIPOSTECTL" -s "${T_SOCK[$n]:-$T_DIR/$n.ctl}" "$@"; }
riposted_pid() { echo "${T_RPID[$1]:-}"; }
# stop_riposted NODE [SIGNAL]: signal it (default TERM) and wait up to 5 s.
# Sets STOP_MS (ms until it exited) and STOP_RC (its exit status; 128+N when
# killed by signal N).  Returns 1 if it did not exit.  Call it in the test's
# own shell (not in $(...)), so that it can reap the daemon.
export STOP_MS=0 STOP_RC=0
stop_riposted() {
	local n=$1 sig=${2:-TERM} pid=${T_RPID[$1]:-} t0 rc=0
	STOP_MS=0 STOP_RC=0
	alive "$pid" || return 0
	t0=$(ms_now)
	kill -s "$sig" "$pid" 2>/dev/null
	wait_until 5 dead "$pid" || rc=1
	STOP_MS=$(($(ms_now) - t0))
	if ((rc == 0)); then wait "$pid" 2>/dev/null; STOP_RC=$?; fi
	return $rc
}
# reap NODE: collect the exit status of NODE's riposted after it exited (STOP_RC).
reap() { wait "${T_RPID[$1]}" 2>/dev/null; STOP_RC=$?; }

# rt_json NODE: `show routes --json`; rt_paths NODE PREFIX [STATE]: one line
# "metric nexthop interface" per path of PREFIX in STATE (default active).
rt_json() { rctl "$1" show routes --json; }
rt_paths() {
	rctl "$1" show routes --json 2>/dev/null | jq -r --arg p "$2" --arg s "${3:-active}" \
		'.routes[] | select(.prefix == $p and .state == $s) | "\(.metric) \(.nexthop // "-") \(.interface // "-")"' 2>/dev/null
}
# rt_has NODE PREFIX METRIC [NEXTHOP] [STATE]: a path with that metric (and next hop).
rt_has() {
	local l
	while read -r l; do
		[[ $l == "$3 ${4:-}"* ]] && return 0
	done < <(rt_paths "$1" "$2" "${5:-active}")
	return 1
}
rt_lacks() { [[ -z $(rt_paths "$1" "$2" "${3:-active}") ]]; }

# nbr_bad NODE [ADDRESS]: sum of every bad_packets and bad_routes counter of
# the neighbour ADDRESS (of all neighbours without ADDRESS) in `show neighbors --json`.
nbr_bad() {
	rctl "$1" show neighbors --json | jq --arg a "${2:-}" \
		'[.neighbors[] | select($a == "" or .address == $a) | ((.bad_packets // {}) | to_entries[].value), ((.bad_routes // {}) | to_entries[].value)] | add // 0'
}

# ------------------------------------------------------------------ FRR
# frr_conf NODE [LINE...]: ripd.conf in $T_DIR/frr-NODE/ripd.conf (RIPv2,
# network 10.0.0.0/8, timers 5 15 10, plus LINEs inside `router rip`).
frr_conf() {
	local n=$1 l d=$T_DIR/frr-$1; shift
	mkdir -p "$d"
	{
		echo "hostname $n"
		echo "!"
		echo "router rip"
		echo " version 2"
		echo " network 10.0.0.0/8"
		echo " timers basic 5 15 10"
		for l in "$@"; do echo " $l"; done
		echo "!"
	} >"$d/ripd.conf"
}
# _frr_daemon NODE DAEMON [ARGS...]: one of FRR's daemons in NODE's namespace,
# as user frr, with NODE's vty/zserv sockets, $T_DIR/frr-NODE/DAEMON.conf and
# DAEMON.pid; waits for the pid file.  FRR_PID: its pid.  In the foreground
# (no -d), in the background of this shell: FRR names its crash-log buffer
# /var/tmp/frr/<daemon>.<pid> after the pid it was started with, which -d's
# fork would hide from the cleanup.  `ip netns exec` execs the daemon, so $!
# is that pid.
FRR_PID=""
_frr_daemon() {
	local n=$1 dm=$2 d=$T_DIR/frr-$1
	shift 2
	ip netns exec "$T_PFX$n" "$FRR_DIR/$dm" -u frr -g frr -P 0 --vty_socket "$d" -z "$d/zserv.api" \
		-f "$d/$dm.conf" -i "$d/$dm.pid" "$@" </dev/null >>"$d/start.log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
	FRR_PID=$!
	_track "$FRR_PID" "$dm $n"
	wait_file "$d/$dm.pid" || { echo "$dm in $n wrote no pid file" >&2; cat "$d/start.log" >&2; return 1; }
}
# _frr_zebra NODE: zebra in NODE (with its config), for the other daemons there.
_frr_zebra() {
	local n=$1 d=$T_DIR/frr-$1
	printf 'hostname %s\n!\n' "$n" >"$d/zebra.conf"
	chown -R frr:frr "$d"
	_frr_daemon "$n" zebra --log "file:$d/zebra.log" || return 1
	T_LOGS+=("$d/zebra.log")
	wait_until 5 test -S "$d/zserv.api"
}
# start_frr NODE [RIPD_CONF]: zebra + ripd (Debian's FRR) in NODE's namespace,
# as user frr, with their own vty/zserv sockets and pid files in $T_DIR/frr-NODE.
start_frr() {
	local n=$1 d=$T_DIR/frr-$1 conf=${2:-}
	mkdir -p "$d"
	[[ -n $conf && $conf != "$d/ripd.conf" ]] && cp "$conf" "$d/ripd.conf"
	[[ -s $d/ripd.conf ]] || frr_conf "$n"
	_frr_zebra "$n" || return 1
	_frr_daemon "$n" ripd --log "file:$d/ripd.log" || return 1
	T_LOGS+=("$d/ripd.log")
	T_FRRDIR[$n]=$d
}
# start_bfdd NODE PEER IF: FRR's bfdd in NODE's namespace with one static
# session, to PEER on interface IF at 100 ms (receive and transmit), its
# control socket in $T_DIR/frr-NODE/bfdd.sock, its log (state changes, ms
# stamps) in bfdd.log; and zebra first unless start_frr started it there.
# BFDD_PID: bfdd's pid.
BFDD_PID=""
start_bfdd() {
	local n=$1 d=$T_DIR/frr-$1
	mkdir -p "$d"
	printf 'hostname %s\nlog file %s\nlog timestamp precision 3\ndebug bfd peer\n!\nbfd\n peer %s interface %s\n  receive-interval 100\n  transmit-interval 100\n !\n!\n' \
		"$n" "$d/bfdd.log" "$2" "$3" >"$d/bfdd.conf"
	chown -R frr:frr "$d"
	if [[ -z ${T_FRRDIR[$n]:-} ]]; then _frr_zebra "$n" || return 1; fi
	_frr_daemon "$n" bfdd --bfdctl "$d/bfdd.sock" || return 1
	# shellcheck disable=SC2034 # for the test (t_bfd.sh kills bfdd)
	BFDD_PID=$FRR_PID
	T_LOGS+=("$d/bfdd.log")
	T_FRRDIR[$n]=$d
}
# bfdd_down_at NODE PEER T0 REASON: epoch ms of the first "up -> down
# reason:REASON" state change of the session with PEER at or after T0 (ms) in
# NODE's bfdd.log (local time, ms precision).
bfdd_down_at() {
	local d t l ms
	while read -r d t l; do
		[[ $l == *"state-change: "*"peer:$2 "*"up -> down reason:$4"* ]] || continue
		ms=$(date -d "$d $t" +%s%3N 2>/dev/null) || continue
		((ms >= $3)) && { echo "$ms"; return 0; }
	done <"$T_DIR/frr-$1/bfdd.log"
	return 1
}
# bfdd_state NODE PEER: bfdd's state of its session with PEER (up, down, init ...);
# bfdd_peer NODE PEER: that session's state, diagnostics and timers, one JSON line.
bfdd_state() { _bfdd_peer "$1" "$2" .status; }
bfdd_peer() {
	_bfdd_peer "$1" "$2" '{status, diagnostic, "remote-diagnostic", "transmit-interval", "receive-interval",
		"remote-transmit-interval", "remote-receive-interval", "remote-detect-multiplier"}'
}
_bfdd_peer() {
	vtysh_n "$1" 'show bfd peers json' 2>/dev/null | jq -rc --arg p "$2" ".[] | select(.peer == \$p) | $3" 2>/dev/null
}
# vtysh_n NODE COMMAND...: vtysh against NODE's daemons.
vtysh_n() { local n=$1; shift; local a=() c; for c in "$@"; do a+=(-c "$c"); done; vtysh --vty_socket "$T_DIR/frr-$n" "${a[@]}"; }
frr_pids() { cat "$T_DIR/frr-$1/ripd.pid" "$T_DIR/frr-$1/zebra.pid" 2>/dev/null; }

# ------------------------------------------------------------------ BIRD
# bird_conf NODE [IFPATTERN] [RIP_IF_OPTIONS]: BIRD 2 config in $T_DIR/NODE.bird.conf:
# device + direct (connected networks into RIP) + kernel (exports RIP routes
# only) + rip on IFPATTERN (default "veth-*") with update 5 / timeout 15 / garbage 10.
bird_conf() {
	local n=$1 pat=${2:-veth-*} opts=${3:-}
	cat >"$T_DIR/$n.bird.conf" <<EOF
log "$T_DIR/$n.bird.log" all;
protocol device { scan time 2; }
protocol direct { ipv4; interface "*"; }
protocol kernel {
  ipv4 { import none; export where source = RTS_RIP; };
}
protocol rip rip4 {
  ipv4 { import all; export all; };
  interface "$pat" { update time 5; timeout time 15; garbage time 10; $opts };
}
EOF
}
# start_bird NODE [CONF]: BIRD 2 in NODE's namespace (it daemonizes).
start_bird() {
	local n=$1 conf=${2:-$T_DIR/$1.bird.conf}
	[[ -s $conf ]] || bird_conf "$n"
	local sock=$T_DIR/$n.bird.ctl pidf=$T_DIR/$n.bird.pid
	ip netns exec "$T_PFX$n" bird -c "$conf" -s "$sock" -P "$pidf" </dev/null >>"$T_DIR/$n.bird.start" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- ||
		{ cat "$T_DIR/$n.bird.start" >&2; return 1; }
	wait_file "$pidf" || { echo "start_bird $n: no pid file" >&2; return 1; }
	_track "$(cat "$pidf")" "bird $n"
	T_BSOCK[$n]=$sock
	T_LOGS+=("$T_DIR/$n.bird.log")
}
birdc_n() { local n=$1; shift; birdc -s "$T_DIR/$n.bird.ctl" "$@"; }
bird_pid() { cat "$T_DIR/$1.bird.pid" 2>/dev/null; }

# ------------------------------------------------------------------ cleanup
_rpt_ours() { # _rpt_ours PID: the pid is alive and inside one of our namespaces
	local id
	alive "$1" || return 1
	id=$(ip netns identify "$1" 2>/dev/null)
	[[ -n $id && $id == "$T_PFX"* ]]
}
_rpt_dump() {
	local n f
	{
		echo "#### $T_NAME failed: state and logs ($T_DIR)"
		for n in "${T_NS[@]}"; do
			echo "## $n: ip -4 route"
			ip -n "$T_PFX$n" -4 route show 2>&1 | sed 's/^/##   /'
		done
		for n in "${!T_RPID[@]}"; do
			alive "${T_RPID[$n]}" || { echo "## $n: riposted (pid ${T_RPID[$n]}) is not running"; continue; }
			echo "## $n: ripostectl show routes / neighbors"
			timeout 3 "$RIPOSTECTL" -s "${T_SOCK[$n]}" show routes 2>&1 | sed 's/^/##   /'
			timeout 3 "$RIPOSTECTL" -s "${T_SOCK[$n]}" show neighbors 2>&1 | sed 's/^/##   /'
		done
		for n in "${!T_FRRDIR[@]}"; do
			echo "## $n: FRR show ip rip"
			timeout 3 vtysh --vty_socket "${T_FRRDIR[$n]}" -c 'show ip rip' 2>&1 | sed 's/^/##   /'
		done
		for n in "${!T_BSOCK[@]}"; do
			echo "## $n: birdc show route"
			timeout 3 birdc -s "${T_BSOCK[$n]}" show route 2>&1 | sed 's/^/##   /'
		done
		for f in "${T_LOGS[@]}"; do
			[[ -f $f ]] || continue
			echo "## tail of $f"
			tail -n "${RPT_DUMP_LINES:-40}" "$f" | sed 's/^/##   /'
		done
	} >&2
}
_rpt_cleanup() {
	local rc=$? e pid n left i
	set +e
	# Ignore further INT/TERM while cleaning up: timeout(1), for one, sends
	# TERM to the test and then once more to its whole process group.
	trap - EXIT
	trap '' INT TERM
	exec 1>&"$RPT_OUT" 2>&"$RPT_ERR"
	if ((rc != 0 || T_FAIL > 0)) && [[ -z ${_RPT_DUMPED:-} ]]; then _rpt_dump; fi
	# SIGTERM everything we started that still lives in our namespaces ...
	for e in "${T_PIDS[@]}"; do
		pid=${e%%:*}
		_rpt_ours "$pid" && kill -TERM "$pid" 2>/dev/null
	done
	# ... give it up to 3 s, then SIGKILL what is left.
	for i in $(seq 60); do
		left=0
		for e in "${T_PIDS[@]}"; do alive "${e%%:*}" && left=1 && break; done
		((left)) || break
		sleep 0.05
	done
	for e in "${T_PIDS[@]}"; do
		pid=${e%%:*}
		_rpt_ours "$pid" && kill -KILL "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	# FRR keeps a crash-log buffer per daemon pid in /var/tmp/frr/<daemon>.<pid>
	local d
	for e in "${T_PIDS[@]}"; do
		d=${e#*:}; d=${d%% *}
		case $d in zebra | ripd | bfdd) rm -rf -- "/var/tmp/frr/$d.${e%%:*}" ;; esac
	done
	for n in "${T_NS[@]}"; do ip netns del "$T_PFX$n" 2>/dev/null; done
	if [[ ${RPT_KEEP:-0} == 1 ]]; then echo "# kept $T_DIR" >&2; else rm -rf -- "$T_DIR"; fi
	exit "$rc"
}
trap _rpt_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
