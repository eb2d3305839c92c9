#!/usr/bin/env bash
# bench/xfr.sh - zone transfers out of riposte-dns, next to Knot as the
# primary (the baseline) in the same run, with NSD and Knot as the receiving
# secondaries (issue 12's closing figures).  Not a test.
#
# One zone, bench., of N A records (plus SOA, NS), served by riposte-dns and
# by knotd as primaries (allow-transfer / acl for 127.0.0.1, no TSIG), both
# loaded once.  Then, per repetition, for each primary and each secondary
# (NSD, knotd), interleaved:
#   AXFR  a fresh secondary (empty, its own config and directory) is
#         started; the time from its start to its first answer with the
#         primary's serial (it includes the secondary's start: the same for
#         both primaries, ~10 ms with an empty zone list entry);
#   IXFR  CHANGES records of the primary's zone file get new addresses and
#         the serial goes up by one; the primary reloads (riposte-dns:
#         ripostectl reload; Knot: knotc zone-reload, zonefile-load
#         difference) and serves it; then a NOTIFY goes to the secondary and
#         the time from it to the secondary's first answer with the new
#         serial is taken (SOA polled over UDP every millisecond).
# How each transfer was served is checked on the primaries (riposte-dns's
# counters, Knot's log): an IXFR that fell back to AXFR is reported.
# Prints every run, then per primary and secondary the median, and the
# ratios riposte/knot (< 1: riposte-dns is faster).
#
# Usage: bench/xfr.sh [-b BUILD_DIR] [-n NAMES] [-r REPS] [-c CHANGES]
#   -b DIR      build dir holding riposte-dns and ripostectl (default <repo>/build)
#   -n NAMES    A records in the zone (default 1000000)
#   -r REPS     repetitions (default 3)
#   -c CHANGES  records changed per IXFR (default 10)
# Environment: BENCH_PORT (first of four ports on 127.0.0.1, default 53580),
# BENCH_PY (a python3 with dnspython, default /usr/bin/python3).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$here/build N=1000000 REPS=3 CHANGES=10
while getopts "b:n:r:c:h" o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;; n) N=$OPTARG ;; r) REPS=$OPTARG ;; c) CHANGES=$OPTARG ;;
	h) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
PY=${BENCH_PY:-/usr/bin/python3}
for t in knotd knotc nsd kdig; do
	command -v $t >/dev/null || { echo "$t not found (apt-get install knot knot-dnsutils nsd)" >&2; exit 1; }
done
[[ -x $build/riposte-dns && -x $build/ripostectl ]] || { echo "riposte-dns or ripostectl not built in $build" >&2; exit 1; }
"$PY" -c 'import dns.message' || { echo "$PY has no dnspython" >&2; exit 1; }

port_busy() { ss -Hlntu "sport = :$1" | grep -q .; }
P=${BENCH_PORT:-53580}
while port_busy "$P" || port_busy $((P + 1)) || port_busy $((P + 2)) || port_busy $((P + 3)); do P=$((P + 4)); done
PR=$P PK=$((P + 1)) PS=$((P + 2)) # riposte-dns, the Knot primary, the secondary under test

tmp=$(mktemp -d /tmp/bench-xfr.XXXXXX)
PIDS=()
stop() { # stop PID: TERM, then KILL after 10 s
	local p=$1
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
}
cleanup() {
	local p
	for p in "${PIDS[@]}"; do stop "$p"; done
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the zone ---------------------------------------------------------------
zone() { # zone FILE SERIAL: N hosts; CHANGES of them moved for every serial past 1
	awk -v n="$N" -v s="$2" -v c="$CHANGES" 'BEGIN {
		print "$ORIGIN bench.\n$TTL 3600"
		print "@ IN SOA ns1 hostmaster " s " 3600 600 864000 300\n@ NS ns1\nns1 A 10.255.255.1"
		for (i = 0; i < n; i++) {
			# the same c hosts (spread over the zone) get a new address at every serial
			moved = (s > 1 && i % int(n / c) == 0)
			if (moved)
				printf "h%d A 192.0.2.%d\n", i, s % 250
			else
				printf "h%d A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
		}
	}' >"$1"
}
mkdir -p "$tmp/riposte" "$tmp/knotp/db" "$tmp/knotp/zones"
SERIAL_R=1 SERIAL_K=1
zone "$tmp/riposte/bench.zone" 1
cp "$tmp/riposte/bench.zone" "$tmp/knotp/zones/bench.zone"
echo "# zone bench.: $N A records, $(wc -c <"$tmp/riposte/bench.zone") bytes; $CHANGES changed per IXFR"

# ---- the primaries -------------------------------------------------------------
cat >"$tmp/riposte/riposte-dns.conf" <<EOF
listen 127.0.0.1@$PR
workers 2
rrl-rate 0
tcp-clients-per-ip off
control $tmp/riposte/ctl.sock
user $(id -un)
zone bench. file $tmp/riposte/bench.zone
zone bench. allow-transfer 127.0.0.1
EOF
cat >"$tmp/knotp/knot.conf" <<EOF
server:
  rundir: "$tmp/knotp"
  pidfile: "$tmp/knotp/knot.pid"
  listen: 127.0.0.1@$PK
  udp-workers: 2
  tcp-workers: 2
  background-workers: 2
control:
  listen: "$tmp/knotp/knot.sock"
database:
  storage: "$tmp/knotp/db"
log:
  - target: "$tmp/knotp/knot.log"
    any: info
acl:
  - id: local
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "$tmp/knotp/zones"
    file: "%s.zone"
    acl: local
    zonefile-sync: -1
    zonefile-load: difference
    journal-content: changes
    semantic-checks: off
zone:
  - domain: bench.
EOF

# The clock and the polling, in one python: spawn or NOTIFY, then SOA over UDP every ms.
cat >"$tmp/measure.py" <<'EOF'
import subprocess, sys, time
import dns.flags, dns.message, dns.opcode, dns.query, dns.rdatatype
mode, port, serial = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def serving():
    try:
        r = dns.query.udp(dns.message.make_query("bench.", "SOA"), "127.0.0.1", port=port,
                          timeout=0.05)
        return any(rr.serial == serial for rs in r.answer for rr in rs
                   if rs.rdtype == dns.rdatatype.SOA)
    except Exception:
        return False
t0 = time.monotonic()
if mode == "spawn":
    p = subprocess.Popen(sys.argv[4:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(p.pid, flush=True)
else:
    n = dns.message.make_query("bench.", "SOA")
    n.set_opcode(dns.opcode.NOTIFY)
    n.flags |= dns.flags.AA
    n.flags &= ~dns.flags.RD
    dns.query.udp(n, "127.0.0.1", port=port, timeout=2)
while not serving():
    if time.monotonic() - t0 > 600:
        print("timeout")
        sys.exit(1)
    time.sleep(0.001)
print("%.1f" % ((time.monotonic() - t0) * 1000))
EOF

serial_at() { kdig @127.0.0.1 -p "$1" +short +retry=0 +time=1 SOA bench. 2>/dev/null | awk '{ print $3 }'; }
wait_serial() { # wait_serial PORT SERIAL: up to 300 s
	for _ in $(seq 3000); do [[ $(serial_at "$1") == "$2" ]] && return 0; sleep 0.1; done
	echo "port $1 did not serve serial $2" >&2
	return 1
}
t=$(date +%s%N)
"$build/riposte-dns" -c "$tmp/riposte/riposte-dns.conf" -d >"$tmp/riposte/log" 2>&1 &
PIDS+=($!)
knotd -c "$tmp/knotp/knot.conf" >"$tmp/knotp/stderr" 2>&1 &
PIDS+=($!)
wait_serial "$PR" 1
wait_serial "$PK" 1
echo "# primaries up in $((($(date +%s%N) - t) / 1000000)) ms (riposte-dns on $PR, knotd on $PK)"

xfr_counter() { # riposte-dns's xfr_out counter KEY
	"$build/ripostectl" -s "$tmp/riposte/ctl.sock" --json status |
		"$PY" -c "import json, sys; print(json.load(sys.stdin)['xfr_out']['$1'])"
}

# ---- the secondaries -------------------------------------------------------------
secondary_cmd() { # secondary_cmd KIND DIR PRIMARY_PORT: write its config, print its command
	local kind=$1 d=$2 pp=$3
	mkdir -p "$d"
	if [[ $kind == nsd ]]; then
		cat >"$d/nsd.conf" <<-EOF
			server:
			  ip-address: 127.0.0.1@$PS
			  do-ip6: no
			  server-count: 1
			  username: ""
			  chroot: ""
			  zonesdir: "$d"
			  database: ""
			  pidfile: "$d/nsd.pid"
			  logfile: "$d/nsd.log"
			  xfrdfile: "$d/xfrd.state"
			  xfrdir: "$d"
			  zonelistfile: "$d/zone.list"
			  verbosity: 1
			  rrl-ratelimit: 0
			  # NSD waits this long between two loads of its zones (default
			  # 1 s): the IXFR right after the AXFR would measure that wait.
			  xfrd-reload-timeout: 0
			remote-control:
			  control-enable: no
			zone:
			  name: bench.
			  zonefile: bench.zone
			  request-xfr: 127.0.0.1@$pp NOKEY
			  allow-notify: 127.0.0.1 NOKEY
		EOF
		echo "nsd -d -c $d/nsd.conf"
	else
		mkdir -p "$d/db" "$d/zones"
		cat >"$d/knot.conf" <<-EOF
			server:
			  rundir: "$d"
			  pidfile: "$d/knot.pid"
			  listen: 127.0.0.1@$PS
			  udp-workers: 1
			  tcp-workers: 1
			  background-workers: 1
			control:
			  listen: "$d/knot.sock"
			database:
			  storage: "$d/db"
			log:
			  - target: "$d/knot.log"
			    any: info
			remote:
			  - id: primary
			    address: 127.0.0.1@$pp
			acl:
			  - id: notify
			    address: 127.0.0.1
			    action: notify
			template:
			  - id: default
			    storage: "$d/zones"
			    file: "%s.zone"
			    master: primary
			    acl: notify
			    zonefile-sync: -1
			    zonefile-load: none
			    journal-content: changes
			    semantic-checks: off
			zone:
			  - domain: bench.
		EOF
		echo "knotd -c $d/knot.conf"
	fi
}

bump() { # bump PRIMARY: the next serial in its zone file, reloaded and served
	local s
	if [[ $1 == riposte ]]; then
		SERIAL_R=$((SERIAL_R + 1)) s=$SERIAL_R
		zone "$tmp/riposte/bench.zone.new" "$s"
		mv "$tmp/riposte/bench.zone.new" "$tmp/riposte/bench.zone"
		"$build/ripostectl" -s "$tmp/riposte/ctl.sock" reload >/dev/null
		wait_serial "$PR" "$s"
	else
		SERIAL_K=$((SERIAL_K + 1)) s=$SERIAL_K
		zone "$tmp/knotp/zones/bench.zone.new" "$s"
		mv "$tmp/knotp/zones/bench.zone.new" "$tmp/knotp/zones/bench.zone"
		knotc -s "$tmp/knotp/knot.sock" -b zone-reload bench. >/dev/null
		wait_serial "$PK" "$s"
	fi
}

results=$tmp/results.tsv
: >"$results"
for rep in $(seq "$REPS"); do
	for prim in riposte knot; do
		for sec in nsd knot; do
			pp=$PR
			[[ $prim == knot ]] && pp=$PK
			serial=$SERIAL_R
			[[ $prim == knot ]] && serial=$SERIAL_K
			d=$tmp/sec-$rep-$prim-$sec
			read -r -a cmd <<<"$(secondary_cmd "$sec" "$d" "$pp")"
			ixfr0=$(xfr_counter ixfr)
			kixfr0=$(grep -c "IXFR, outgoing.*started" "$tmp/knotp/knot.log" || true)
			{ read -r spid; read -r axfr_ms; } < <("$PY" "$tmp/measure.py" spawn "$PS" "$serial" "${cmd[@]}")
			PIDS+=("$spid")
			bump "$prim"
			serial=$SERIAL_R
			[[ $prim == knot ]] && serial=$SERIAL_K
			ixfr_ms=$("$PY" "$tmp/measure.py" notify "$PS" "$serial")
			if [[ $prim == riposte ]]; then
				how=$(($(xfr_counter ixfr) - ixfr0))
			else
				how=$(($(grep -c "IXFR, outgoing.*started" "$tmp/knotp/knot.log" || true) - kixfr0))
			fi
			[[ $how == 1 ]] && how=IXFR || how="NOT IXFR ($how)"
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$prim" "$sec" "$axfr_ms" "$ixfr_ms" "$how" |
				tee -a "$results" | awk -F'\t' '{ printf "run %s: primary %-7s secondary %-4s AXFR %9.1f ms  IXFR %7.1f ms  (%s)\n", $1, $2, $3, $4, $5, $6 }'
			stop "$spid"
		done
	done
done

echo
echo "medians of $REPS ($N records; IXFR of $CHANGES changed records):"
"$PY" - "$results" <<'EOF'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
med = {}
for sec in ("nsd", "knot"):
    for prim in ("riposte", "knot"):
        r = [x for x in rows if x[1] == prim and x[2] == sec]
        a = statistics.median(float(x[3]) for x in r)
        i = statistics.median(float(x[4]) for x in r)
        med[prim, sec] = (a, i)
        print("  %-7s -> %-4s  AXFR %9.1f ms   IXFR %7.1f ms" % (prim, sec, a, i))
print("ratios riposte-dns / Knot as the primary (< 1: riposte-dns faster):")
for sec in ("nsd", "knot"):
    (ra, ri), (ka, ki) = med["riposte", sec], med["knot", sec]
    print("  secondary %-4s  AXFR %.2f   IXFR %.2f" % (sec, ra / ka, ri / ki))
EOF
