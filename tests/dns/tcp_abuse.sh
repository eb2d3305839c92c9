#!/usr/bin/env bash
# tests/dns/tcp_abuse.sh - riposte-dns's TCP slots under clients that hold
# them (RFC 7766 6.2.2 and 6.2.3): slow senders, never-reading pipeliners,
# many connections from one address, and a query full of compression
# pointers.
#
# Starts riposte-dns on 127.0.0.1 (one worker, 8 TCP slots) and checks:
# - 8 slow clients that send one byte every 2 s and reconnect as soon as
#   they are closed take every slot: a new client still gets its answer
#   within 1 s, every time, for the whole attack (tcp-io-timeout 500 ms);
#   and with the deadline out of the way (tcp-io-timeout 60s, a second
#   server) by evicting the least recently active busy connection;
# - 16 clients (from 16 addresses) that pipeline 8000 queries for 1.4 kB
#   answers and never read: riposte-dns's VmRSS grows by less than 4 MiB
#   (each one's unsent answers stop at 64 KiB);
# - tcp-clients-per-ip 4: the fifth connection from one address is closed
#   at once, another address is served;
# - a 64 KB query with 5400 records whose owners are 127-hop pointer chains
#   is answered (FORMERR) or dropped within 1 ms.
# Prints the figures (availability, latencies, RSS) as "# " lines.
#
# As root it runs in a network namespace of its own (lo only), elsewhere
# on the host's loopback (127.0.0.0/8 is all local either way).  Stops only
# the processes it started, by pid.  Ends with "N passed, N failed".
# Environment: RIPOSTE_DNS (the binary; default build/riposte-dns),
# TCPABUSE_NETNS=0 (stay on the host), TCPABUSE_KEEP=1 (keep the temp dir).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${RIPOSTE_DNS:-$ROOT/build/riposte-dns}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

own_netns TCPABUSE "rdns-tcpab-$$" RIPOSTE_DNS="$BIN"

command -v python3 >/dev/null || setup_failed "python3 is missing"
[[ -x $BIN ]] || setup_failed "$BIN is not built"

T=$(mktemp -d /tmp/rdns-tcpab.XXXXXX) || exit 1
chmod 755 "$T"
PID1= PID2=
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	stop_pid "$PID1"
	stop_pid "$PID2"
	if [[ ${TCPABUSE_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
		echo "# files and logs kept in $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


cat >"$T/example.com.zone" <<'EOF'
$ORIGIN example.com.
$TTL 3600
@	IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.10
EOF
for i in $(seq 1 20); do
	printf 'big\tIN TXT "%s-%02d"\n' "$(printf 'x%.0s' $(seq 1 60))" "$i" >>"$T/example.com.zone"
done

# start NAME PORT EXTRA-CONFIG: a server with one worker and 8 TCP slots.
start() {
	cat >"$T/$1.conf" <<EOF
listen 127.0.0.1@$2
zone example.com file example.com.zone
workers 1
tcp-clients ${TCP_CLIENTS:-8}
control none
$3
EOF
	"$BIN" -d -c "$T/$1.conf" >"$T/$1.log" 2>&1 &
	local pid=$!
	for _ in $(seq 100); do
		python3 - "$2" <<'EOF' 2>/dev/null && break
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=0.2).close()
EOF
		sleep 0.05
	done
	echo "$pid"
}

cat >"$T/abuse.py" <<'EOF'
"""abuse.py CASE PORT [PID]: prints "PASS what", "FAIL what: why" or "# figure"."""
import socket, struct, sys, threading, time

case, port = sys.argv[1], int(sys.argv[2])
pid = int(sys.argv[3]) if len(sys.argv) > 3 else 0
www = b"\x03www\x07example\x03com\x00"
big = b"\x03big\x07example\x03com\x00"

def query(qid, name=www, qtype=1):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + name + struct.pack(">HH", qtype, 1)
    return struct.pack(">H", len(q)) + q

def conn(src="127.0.0.1", timeout=3):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(src, 0))

def read_msg(s):
    data = b""
    while True:
        if len(data) >= 2 and len(data) >= 2 + struct.unpack(">H", data[:2])[0]:
            return data[2:2 + struct.unpack(">H", data[:2])[0]]
        try:
            chunk = s.recv(65536)
        except OSError:
            return None
        if not chunk:
            return None
        data += chunk

def result(ok, what, why=""):
    print(("PASS %s" % what) if ok else ("FAIL %s: %s" % (what, why)), flush=True)

def figure(text):
    print("# " + text, flush=True)

def rss_kib():
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def probe():
    """One fresh client, one query: seconds to the answer, or None."""
    t0 = time.monotonic()
    try:
        s = conn(timeout=2)
        s.sendall(query(77))
        m = read_msg(s)
        s.close()
    except OSError:
        return None
    if m is None or m[:2] != b"\x00\x4d":
        return None
    return time.monotonic() - t0

if case in ("slow", "slow-evict"):
    # 8 slow clients, one byte every 2 s, from 8 addresses; each reconnects
    # as soon as the server closes it, for the whole attack.
    stop = time.monotonic() + 7
    held = []  # seconds each slow connection kept its slot
    lock = threading.Lock()
    def slow(n):
        src = "127.0.2.%d" % (n + 1)
        while time.monotonic() < stop:
            try:
                s = conn(src)
            except OSError:
                time.sleep(0.05)
                continue
            t0 = time.monotonic()
            q = query(1000 + n)
            try:
                for b in q:
                    s.send(bytes([b]))
                    s.settimeout(2)
                    try:
                        if s.recv(1) == b"":
                            break
                    except socket.timeout:
                        pass
                    except OSError:
                        break
                    if time.monotonic() >= stop:
                        break
            except OSError:
                pass
            with lock:
                held.append(time.monotonic() - t0)
            s.close()
    threads = [threading.Thread(target=slow, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    time.sleep(1)
    lat = []
    while time.monotonic() < stop - 0.5:
        lat.append(probe())
        time.sleep(0.2)
    for t in threads:
        t.join()
    answered = [x for x in lat if x is not None]
    figure("%s: %d/%d new clients answered during the attack, max %.1f ms, "
           "slow connections held their slot %.2f s at most (%d connections)" %
           (case, len(answered), len(lat), 1000 * max(answered, default=0),
            max(held, default=0), len(held)))
    result(len(answered) == len(lat) and max(answered) < 1.0,
           "8 slow clients hold every slot: each new client is answered within 1 s (%s)" % case,
           "%d/%d answered" % (len(answered), len(lat)))
    if case == "slow":
        result(max(held) < 1.5, "tcp-io-timeout 500ms: a slow client keeps its slot < 1.5 s",
               "%.2f s" % max(held))
    else:
        result(len(held) > 8, "tcp-io-timeout 60s: slow clients are evicted to make room",
               "%d connections" % len(held))

elif case == "noread":
    # Warm up: the allocator's first arenas are not what this is about.
    for i in range(3):
        probe()
    before = rss_kib()
    socks = []
    payload = b"".join(query(i, name=big, qtype=16) for i in range(8000))
    def pipeline(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.bind(("127.0.3.%d" % (n + 1), 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        socks.append(s)
        try:
            s.sendall(payload)
        except OSError:
            pass
    threads = [threading.Thread(target=pipeline, args=(i,), daemon=True) for i in range(16)]
    for t in threads:
        t.start()
    time.sleep(3)
    after = rss_kib()
    figure("16 never-reading pipelining clients: VmRSS %d KiB before, %d KiB after (+%d KiB, "
           "%d KiB per client)" % (before, after, after - before, (after - before) // 16))
    result(after - before < 4096, "16 never-reading pipeliners: VmRSS grows by less than 4 MiB",
           "+%d KiB" % (after - before))
    lat = probe()
    result(lat is not None and lat < 1, "a new client is still answered while they wait")
    for s in socks:
        s.close()

elif case == "perip":
    socks = [conn() for _ in range(4)]
    for i, s in enumerate(socks):
        s.sendall(query(i))
    ok = all(read_msg(s) is not None for s in socks)
    fifth = conn()
    fifth.settimeout(1)
    try:
        gone = fifth.recv(1) == b""
    except socket.timeout:
        gone = False
    except ConnectionResetError:
        gone = True
    result(ok and gone, "tcp-clients-per-ip 4: four connections served, the fifth closed at once")
    s = conn("127.0.4.1")
    s.sendall(query(9))
    m = read_msg(s)
    result(m is not None and m[:2] == b"\x00\x09", "another address is served meanwhile")
    for x in socks + [fifth, s]:
        x.close()

elif case == "pointers":
    # Question www.example.com A at offset 12; then additional records whose
    # owners are pointers: the first 127 form a chain (each to the one
    # before, the first to the question), every later one points to the
    # chain's end, so each of its owners costs 127 hops to decompress.
    hdr_len = 12
    q = www + struct.pack(">HH", 1, 1)
    body = bytearray(q)
    offs = [hdr_len]  # where each owner starts
    n = 0
    while hdr_len + len(body) + 12 <= 65535:
        target = offs[-1] if n < 127 else offs[126]
        off = hdr_len + len(body)
        body += struct.pack(">H", 0xc000 | target) + struct.pack(">HHIH", 1, 1, 0, 0)
        if n < 127:
            offs.append(off)
        n += 1
    msg = struct.pack(">HHHHHH", 4242, 0, 1, 0, 0, n) + bytes(body)
    hops = sum(min(i + 1, 127) for i in range(n))
    def ask(m):
        s = conn()
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(struct.pack(">H", len(m)) + m[:-1])
        time.sleep(0.05)
        t0 = time.monotonic()
        s.sendall(m[-1:])
        r = read_msg(s)
        dt = time.monotonic() - t0
        s.close()
        return dt, r
    base = sorted(ask(query(5)[2:])[0] for _ in range(10))[5]
    runs = [ask(msg) for _ in range(10)]
    med = sorted(dt for dt, _ in runs)[5]
    rc = [None if r is None else r[3] & 0xf for _, r in runs]
    figure("%d-byte query, %d records, %d pointer hops: median %.3f ms to the reply "
           "(rcode %s), a plain query %.3f ms" % (len(msg), n, hops, 1000 * med, rc[0], 1000 * base))
    result(med < 0.001, "a 64 KB query of 127-hop pointer chains answered or dropped in < 1 ms",
           "%.3f ms" % (1000 * med))
EOF

run_case() {
	while read -r verdict rest; do
		case $verdict in
		PASS) ok "$rest" ;;
		FAIL) not_ok "$rest" ;;
		*) echo "$verdict $rest" ;;
		esac
	done < <(python3 "$T/abuse.py" "$@" 2>&1)
}

PORT1=$(free_port $((21000 + $$ % 11000)))
PID1=$(start default "$PORT1" "")
run_case slow "$PORT1"
run_case pointers "$PORT1"
stop_pid "$PID1"; PID1=

PORT2=$(free_port $((PORT1 + 1)))
PID2=$(start noio "$PORT2" "tcp-io-timeout 60s")
run_case slow-evict "$PORT2"
stop_pid "$PID2"; PID2=

PORT1=$(free_port $((PORT2 + 1)))
PID1=$(TCP_CLIENTS=64 start big "$PORT1" "")
run_case noread "$PORT1" "$PID1"
stop_pid "$PID1"; PID1=

PORT2=$(free_port $((PORT1 + 1)))
PID2=$(start perip "$PORT2" "tcp-clients-per-ip 4")
run_case perip "$PORT2"
stop_pid "$PID2"; PID2=

for f in default noio big perip; do
	if grep -q -E "AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:" "$T/$f.log"; then
		not_ok "$f server: sanitizer report in its log"
	fi
done
check_match "the log counts io timeouts and busy evictions" \
	"TCP [0-9]+ connections \(0 refused, [0-9]+ idle closed, [0-9]+ evicted, [1-9][0-9]* busy evicted, [0-9]+ io timeouts, [0-9]+ over per-ip\)" \
	"$(cat "$T/noio.log")"
check_match "the log counts connections over tcp-clients-per-ip" "[1-9][0-9]* over per-ip\)" "$(cat "$T/perip.log")"
finish
