#!/usr/bin/env bash
# tests/dns/rrl.sh - response rate limiting of riposte-dns's UDP answers.
#
# riposte-dns on 127.0.0.1 with two workers, rrl-rate 50, rrl-slip 2 and
# 127.0.0.2 whitelisted.  A python3 client sends 2000 identical queries
# for a large TXT RRset at ~1000 q/s for 2 s from 16 source ports (as a
# resolver does, RFC 5452 9.2, so the queries reach both workers) and
# counts full answers per second, TC=1 (slipped) answers and bytes:
#   - from 127.0.0.1: full answers within the rate (+ one second of burst)
#     in all and in every second; slipped answers at about 1 in 2 of the
#     limited ones; every slipped answer is a bare TC=1 header + question;
#   - the same over TCP: never limited;
#   - from 127.0.0.2 (whitelisted): all 2000 answered in full;
#   - restarted with rrl-rate 0: all 2000 answered in full.
# Prints the amplification factor (UDP bytes out / bytes in) with and
# without RRL.  As root it runs in a network namespace of its own.
#
# Environment: RIPOSTE_DNS (default build/riposte-dns), RRL_PORT.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

own_netns RRL "rdns-rrl-$$" RIPOSTE_DNS="$BIN"

command -v python3 >/dev/null || setup_failed "python3 is missing"
command -v dig >/dev/null || setup_failed "dig is missing (apt-get install dnsutils)"
[[ -x $BIN ]] || setup_failed "$BIN is not built"

T=$(mktemp -d /tmp/rdns-rrl.XXXXXX) || exit 1
chmod 755 "$T"
PID=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$PID"
	if [[ $FAIL -gt 0 ]]; then
		echo "# files and log kept in $T"
		[[ -f $T/log ]] && sed 's/^/# log: /' "$T/log" | tail -n 20
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PORT=${RRL_PORT:-}
if [[ -z $PORT ]]; then
	PORT=$((20000 + ($$ + 7) % 12000))
	while ! port_free "$PORT"; do PORT=$((PORT + 1)); done
fi
RATE=50
SLIP=2

{
	printf '$ORIGIN example.com.\n$TTL 3600\n'
	printf '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n'
	# A large answer: what an amplification attack asks for.
	for i in $(seq 1 8); do
		printf 'big IN TXT "%s-%02d"\n' "$(printf 'x%.0s' $(seq 1 100))" "$i"
	done
} >"$T/example.com.zone"
conf() { # conf RATE
	cat >"$T/riposte-dns.conf" <<EOF
listen 127.0.0.1@$PORT
control none
zone example.com file example.com.zone
workers 2
rrl-rate $1
rrl-slip $SLIP
rrl-whitelist 127.0.0.2
EOF
}

start() {
	"$BIN" -d -c "$T/riposte-dns.conf" >"$T/log" 2>&1 &
	PID=$!
	for _ in $(seq 100); do
		[[ $(dig @127.0.0.1 -p "$PORT" +time=1 +tries=1 +short ns1.example.com A 2>/dev/null) == 192.0.2.1 ]] && break
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$PID" 2>/dev/null || bail "riposte-dns did not start"
	# The probe's answer used a token: let the bucket refill.
	sleep 1.2
}

cat >"$T/client.py" <<'EOF'
# client.py SRC PORT N QPS [tcp]: N identical queries (big.example.com TXT,
# EDNS 1232) from SRC at QPS over 16 UDP sockets, or one TCP connection per
# query when "tcp".  Prints "key=value" lines.
import select, socket, struct, sys, time

src, port, n, qps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
tcp = len(sys.argv) > 5 and sys.argv[5] == "tcp"

def query(qid):
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1)
    for label in b"big.example.com".split(b"."):
        q += bytes([len(label)]) + label
    q += b"\0" + struct.pack("!HH", 16, 1)
    # OPT, RFC 6891 6.1.2: UDP payload 1232
    return q + b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)

full = tc = bytes_in = bytes_out = bad = 0
per_sec = {}
t0 = time.monotonic()

def account(data, now):
    global full, tc, bytes_out, bad
    bytes_out += len(data)
    flags, qd, an, ns, ar = struct.unpack("!HHHHH", data[2:12])
    if flags & 0x0200:
        tc += 1
        # The slipped form: header and question, nothing else.
        if an or ns or ar or qd != 1 or len(data) != 12 + 17 + 4:
            bad += 1
    elif an == 8:
        full += 1
        s = int(now - t0)
        per_sec[s] = per_sec.get(s, 0) + 1
    else:
        bad += 1

if tcp:
    for i in range(n):
        q = query(i)
        with socket.create_connection(("127.0.0.1", port), timeout=2, source_address=(src, 0)) as c:
            c.sendall(struct.pack("!H", len(q)) + q)
            bytes_in += len(q)
            buf = b""
            while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
                part = c.recv(65536)
                if not part:
                    break
                buf += part
            account(buf[2:], time.monotonic())
        while time.monotonic() < t0 + (i + 1) / qps:
            time.sleep(0.0005)
else:
    socks = []
    for _ in range(16):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.setblocking(False)
        socks.append(s)

    def drain(timeout):
        r, _, _ = select.select(socks, [], [], timeout)
        for s in r:
            while True:
                try:
                    data = s.recv(65535)
                except BlockingIOError:
                    break
                account(data, time.monotonic())

    for i in range(n):
        q = query(i & 0xffff)
        socks[i % len(socks)].sendto(q, ("127.0.0.1", port))
        bytes_in += len(q)
        # Pace to qps, reading answers meanwhile.
        while True:
            wait = t0 + (i + 1) / qps - time.monotonic()
            if wait <= 0:
                break
            drain(wait)
    end = time.monotonic() + 0.5
    while time.monotonic() < end:
        drain(0.05)

secs = [per_sec.get(s, 0) for s in range(max(per_sec) + 1)] if per_sec else [0]
print("full=%d" % full)
print("tc=%d" % tc)
print("bad=%d" % bad)
print("lost=%d" % (n - full - tc))
print("max_per_sec=%d" % max(secs))
print("per_sec=%s" % ",".join(map(str, secs)))
print("bytes_in=%d" % bytes_in)
print("bytes_out=%d" % bytes_out)
print("amp=%.2f" % (bytes_out / bytes_in if bytes_in else 0))
print("secs=%.2f" % (time.monotonic() - t0))
EOF

get() { sed -n "s/^$1=//p" <<<"$2"; }

# ---- RRL on -------------------------------------------------------------
conf $RATE
start
out=$(python3 "$T/client.py" 127.0.0.1 "$PORT" 2000 1000)
echo "# 127.0.0.1, rrl-rate $RATE: $(tr '\n' ' ' <<<"$out")"
full=$(get full "$out") tc=$(get tc "$out") lost=$(get lost "$out")
AMP_ON=$(get amp "$out")
# 2 s at the rate, one second of burst, and the rounding up per worker.
if ((full >= RATE && full <= 3 * RATE + 10)); then ok "full answers within the rate + burst: $full of 2000 in 2 s"
else not_ok "full answers within the rate + burst: $full of 2000 in 2 s (want $RATE..$((3 * RATE + 10)))"; fi
max=$(get max_per_sec "$out")
if ((max <= 2 * RATE + 10)); then ok "at most rate + burst in any second: $max ($(get per_sec "$out"))"
else not_ok "at most rate + burst in any second: $max ($(get per_sec "$out"))"; fi
limited=$((2000 - full))
# rrl-slip 2: every other limited answer goes out with TC=1.
if ((tc * 100 >= limited * 40 && tc * 100 <= limited * 60)); then
	ok "slipped (TC=1) answers at about 1/$SLIP of the limited: $tc of $limited"
else
	not_ok "slipped (TC=1) answers at about 1/$SLIP of the limited: $tc of $limited"
fi
check "slipped answers are header + question only, no other answers" 0 "$(get bad "$out")"
check_match "the limiting is logged" "rate limiting answers to 127\.0\.0\.1 \(answer about big\.example\.com\.; [0-9]+ limited by this worker\)" "$(cat "$T/log")"
nlog=$(grep -c 'rate limiting answers' "$T/log")
if ((nlog <= 6)); then ok "the log line is rate limited: $nlog lines for $limited limited answers"
else not_ok "the log line is rate limited: $nlog lines for $limited limited answers"; fi

# TCP proves the source: never limited.
out=$(python3 "$T/client.py" 127.0.0.1 "$PORT" 300 300 tcp)
check "TCP: all 300 answered in full" "300 0" "$(get full "$out") $(get tc "$out")"

# The whitelisted source: unlimited.
out=$(python3 "$T/client.py" 127.0.0.2 "$PORT" 2000 1000)
echo "# 127.0.0.2 (whitelisted): $(tr '\n' ' ' <<<"$out")"
check "whitelisted 127.0.0.2: all 2000 answered in full" "2000 0" "$(get full "$out") $(get tc "$out")"
stop_pid "$PID"
PID=

# ---- RRL off --------------------------------------------------------------
conf 0
start
out=$(python3 "$T/client.py" 127.0.0.1 "$PORT" 2000 1000)
echo "# 127.0.0.1, rrl-rate 0: $(tr '\n' ' ' <<<"$out")"
AMP_OFF=$(get amp "$out")
check "rrl-rate 0: all 2000 answered in full" "2000 0" "$(get full "$out") $(get tc "$out")"
stop_pid "$PID"
PID=

echo "# amplification (UDP bytes out / bytes in), 2000 queries at 1000 q/s: $AMP_OFF without RRL, $AMP_ON with rrl-rate $RATE rrl-slip $SLIP"
if python3 -c "import sys; sys.exit(0 if float('$AMP_ON') * 4 < float('$AMP_OFF') else 1)"; then
	ok "RRL cuts the amplification by more than 4x ($AMP_OFF -> $AMP_ON)"
else
	not_ok "RRL cuts the amplification by more than 4x ($AMP_OFF -> $AMP_ON)"
fi
finish
