#!/bin/bash
#
# kr.sh - run kr_test (src/netlink/kr.c against the real kernel) in two
# throw-away network namespaces, removed again by the trap whatever happens.
#
#   [rkr-PID-a] veth0 10.9.0.1/24 ---- veth1 10.9.0.2/24 [rkr-PID-b]
#   [rkr-PID-a] veth2 10.9.1.1/24 ---- veth3 10.9.1.2/24 [rkr-PID-b]
#
# Usage: kr.sh PATH/TO/kr_test    (needs root; exit 77 = skipped for meson)
# Prints kr_test's TAP, then "N passed, N failed"; non-zero exit on any failure.
set -u

bin=${1:-}
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
	echo "usage: $0 PATH/TO/kr_test" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	echo "1..0 # SKIP needs root and iproute2"
	exit 77
fi

a=rkr-$$-a
b=rkr-$$-b
log=$(mktemp)
child=
tailer=

cleanup() {
	# Only the processes this script started.
	[ -n "$child" ] && kill "$child" 2>/dev/null
	[ -n "$tailer" ] && kill "$tailer" 2>/dev/null
	ip netns del "$a" 2>/dev/null
	ip netns del "$b" 2>/dev/null
	rm -f "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

setup() {
	ip netns add "$a" &&
	ip netns add "$b" &&
	ip -n "$a" link set lo up &&
	ip -n "$b" link set lo up &&
	ip -n "$a" link add veth0 type veth peer name veth1 netns "$b" &&
	ip -n "$a" link add veth2 type veth peer name veth3 netns "$b" &&
	ip -n "$a" addr add 10.9.0.1/24 dev veth0 &&
	ip -n "$a" addr add 10.9.1.1/24 dev veth2 &&
	ip -n "$b" addr add 10.9.0.2/24 dev veth1 &&
	ip -n "$b" addr add 10.9.1.2/24 dev veth3 &&
	ip -n "$a" link set veth0 up &&
	ip -n "$a" link set veth2 up &&
	ip -n "$b" link set veth1 up &&
	ip -n "$b" link set veth3 up
}

if ! setup; then
	echo "not ok 1 - namespace setup"
	echo "0 passed, 1 failed"
	exit 1
fi

# In the background, so that a signal to this script reaches the trap at once.
KR_TEST_NETNS=$a ip netns exec "$a" "$bin" >"$log" 2>&1 &
child=$!
tail -n +1 -f --pid="$child" "$log" &
tailer=$!
wait "$child"
rc=$?
child=
wait "$tailer"
tailer=

passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^not ok ' "$log")
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
	echo "not ok - kr_test exited with status $rc"
	failed=1
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
