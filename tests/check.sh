# shellcheck shell=bash
# tests/check.sh - the tally of the stand-alone test scripts (tests/dns/*.sh,
# tests/lab/svg_render.sh; the namespace tests have theirs in
# tests/netns/lib.sh).  Source it: it sets PASS=0 and FAIL=0 and offers
#
#   ok DESC, not_ok DESC         print "ok - DESC" / "not ok - DESC" and count it
#   check DESC WANT GOT          ok when GOT is WANT, else not_ok saying both
#   check_match DESC REGEX TEXT  ok when TEXT matches the extended regex REGEX
#   finish                       print "N passed, N failed"; exit 0, or 1 after a not_ok
#   bail DESC                    not_ok DESC, then finish (a step the rest needs failed)
#   setup_failed MESSAGE         print "# MESSAGE" and "0 passed, 1 failed", exit 1
#                                (a tool or a binary is missing: nothing was checked)
#   check_sigterm PID DESC       SIGTERM PID, a child of the script: ok DESC when it
#                                exits 0 within 2 s; returns 1 when it is still running
#   check_no_sanitizer LOG       ok when LOG has no sanitizer report
#   stop_pid PID                 for a cleanup trap: SIGTERM PID if it runs, SIGKILL
#                                after 5 s
#   own_netns PREFIX NS [VAR=VALUE...]
#                                as root, run the script again in a network namespace
#                                NS of its own (below)

PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
# check DESC WANT GOT: GOT must equal WANT
check() {
	if [[ $3 == "$2" ]]; then ok "$1"; else not_ok "$1: want '$2', got '$3'"; fi
}
# check_match DESC REGEX TEXT
check_match() {
	if [[ $3 =~ $2 ]]; then ok "$1"; else not_ok "$1: '$3' does not match /$2/"; fi
}
finish() {
	echo "$PASS passed, $FAIL failed"
	((FAIL == 0)) && exit 0
	exit 1
}
bail() { not_ok "$*"; finish; }
setup_failed() {
	echo "# $*"
	echo "0 passed, 1 failed"
	exit 1
}

check_sigterm() {
	kill -TERM "$1"
	for _ in $(seq 40); do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	if kill -0 "$1" 2>/dev/null; then
		not_ok "SIGTERM: still running after 2 s"
		return 1
	fi
	wait "$1"
	check "$2" 0 "$?"
}
check_no_sanitizer() {
	if grep -q -E "AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:" "$1"; then
		not_ok "sanitizer report in the log"
	else
		ok "no sanitizer report in the log"
	fi
}
# port_free PORT: nothing listens on PORT (UDP or TCP).  free_port FROM:
# the first such port from FROM up.  Tests pick ports below the ephemeral
# range (20000-32000) from their pid, so parallel runs rarely meet.
port_free() {
	! (ss -Hlnu "sport = :$1"; ss -Hlnt "sport = :$1") 2>/dev/null | grep -q .
}
free_port() {
	local p=$1
	while ! port_free "$p"; do p=$((p + 1)); done
	echo "$p"
}
stop_pid() {
	if [[ -n $1 ]] && kill -0 "$1" 2>/dev/null; then
		kill -TERM "$1" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$1" 2>/dev/null
	fi
}

# own_netns PREFIX NS [VAR=VALUE...]: as root with ip(8), unless
# ${PREFIX}_NETNS=0 (stay on the host) or ${PREFIX}_INSIDE=1 (this is the run
# inside): make the network namespace NS (lo only), run this script again in
# it with ${PREFIX}_INSIDE=1 and the VAR=VALUEs in its environment, and exit
# with its status; a trap deletes NS.  When NS cannot be made it says so and
# returns, and the script goes on on the host's loopback, as it does when it
# is not root.  Call it before the script's own traps.
own_netns() {
	local inside=${1}_INSIDE stay=${1}_NETNS self
	if [[ ${!inside:-0} == 1 || ${!stay:-1} == 0 || $(id -u) != 0 ]] || ! command -v ip >/dev/null; then
		return 0
	fi
	_CHECK_NS=$2
	shift 2
	self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
	trap 'ip netns del "$_CHECK_NS" 2>/dev/null' EXIT
	trap 'exit 130' INT TERM
	if ip netns add "$_CHECK_NS" 2>/dev/null && ip -n "$_CHECK_NS" link set lo up; then
		env "$inside=1" "$@" ip netns exec "$_CHECK_NS" bash "$self"
		exit $?
	fi
	echo "# cannot make a network namespace: running on the host's loopback"
}
