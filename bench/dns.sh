#!/usr/bin/env bash
# bench/dns.sh - riposte-dns next to Knot and NSD through the shared measured
# method ../shared/bench/bench-dns.sh (same zone: 10k names plus the special
# cases; same query mix; same pinning; servers interleaved per repetition),
# then the ratios issue 3 asks for.  Not a test: it takes about 12 minutes.
#
# Usage: bench/dns.sh [-b BUILD_DIR] [-r REPS] [-l SECS] [-N NAMES] [-Q QPS]
#                     [-P PHASES] [-x] [-- OPTIONS FOR bench-dns.sh]
#   -b DIR     build dir holding riposte-dns (default <repo>/build)
#   -r REPS    repetitions per server and phase (3)
#   -l SECS    length of each load run (15)
#   -N NAMES   host names of the load-time zone (1000000)
#   -Q QPS     the fixed rate of the CPU-per-query phase (40000)
#   -P PHASES  any of cap,cpu,all,load,signed,signed-nsec (default: the
#              first four):
#              cap   one worker pinned to CPU 1, blast generator on CPU 0:
#                    knot, nsd, riposte and the do-nothing reflector
#              cpu   the same pinning, dnsperf -Q QPS: server CPU per query
#              all   one worker per core, nothing pinned, blast
#              load  -L -n NAMES, one worker per core: time to the first
#                    correct answer and memory (PSS) of the server tree
#              signed       the bench zones signed with NSEC3 (RFC 9276: no
#                    salt, 0 extra iterations), the cap pinning, dnsperf
#                    with DO=1 (-D) on the same query mix (existing names,
#                    NXDOMAIN, NODATA, wildcard, referral, CNAME, PTR):
#                    knot, nsd, riposte and the reflector (the DO=1
#                    generator's ceiling)
#              signed-nsec  the same with NSEC
#   -x         without riposte-dns: knot and nsd only, nsd standing in as the
#              subject of the ratio lines (checks the method on this machine)
# Environment: RIPOSTE_SHARED (default <repo>/../shared), BENCH_PORT (first
# port, default 53530).  Data (zones, queries, the generators) are cached in
# /tmp/dp-data as the shared script does; the signed phases sign that zone
# once (ldns-keygen/ldns-signzone, ECDSAP256SHA256) into
# /tmp/dp-data/signed-nsec3/ and signed-nsec/, re-signed after 7 days (the
# signatures last ldns-signzone's 4 weeks), and give that directory to the
# shared script as its data dir (-d), so all three servers load the same
# signed files.  The shared script's dnsperf command line has no EDNS
# option: these phases put a dnsperf in front of it on PATH that adds -D
# and nothing else (blast sends no OPT record, so these phases use dnsperf).
# Prints the shared script's per-run lines and medians per phase, then:
#   capacity 1 core  riposte/knot and riposte/reflector   (target > 1, -> 1)
#   cpu/query        riposte/knot at QPS                  (target <= 0.5)
#   all workers      riposte/best peer                    (target >= 1)
#   1M zone          load time and PSS, riposte/knot and riposte/nsd
#   signed zones     qps and CPU/query, riposte/knot and riposte/nsd
# Ratios are medians of per-repetition ratios (interleaved runs).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

# Launcher for the shared script's custom-server hook: bench-dns.sh runs
# "exec [taskset -c 1] COMMAND" with @PORT@ @WORKERS@ @ZONEDIR@ @RUNDIR@
# filled in; this writes riposte-dns's config and execs it (same pid, same
# pinning).
if [[ ${1:-} == --serve ]]; then
	bin=$2 port=$3 workers=$4 zonedir=$5 rundir=$6
	cat >"$rundir/riposte-dns.conf" <<-EOF
		listen 127.0.0.1@$port
		workers $workers
		identity bench
		# The generator asks from one address: a throughput race, not an attack.
		rrl-rate 0
		control none
		zone home. file $zonedir/home.zone
		zone 128.10.in-addr.arpa. file $zonedir/128.10.in-addr.arpa.zone
	EOF
	exec "$bin" -c "$rundir/riposte-dns.conf" -d -p "$rundir/riposte-dns.pid"
fi

build=$here/build REPS=3 DUR=15 BIGN=1000000 RATE=40000 PHASES=cap,cpu,all,load PEERSONLY=0
while getopts "b:r:l:N:Q:P:xh" o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;; r) REPS=$OPTARG ;; l) DUR=$OPTARG ;; N) BIGN=$OPTARG ;;
	Q) RATE=$OPTARG ;; P) PHASES=$OPTARG ;; x) PEERSONLY=1 ;;
	h) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[[ ${1:-} == -- ]] && shift
extra=("$@")
shared=${RIPOSTE_SHARED:-$here/../shared}
script=$shared/bench/bench-dns.sh
[[ -r $script ]] || { echo "bench-dns.sh not found at $script (set RIPOSTE_SHARED)" >&2; exit 1; }
for t in knotd nsd dnsperf dig gcc bc taskset; do
	command -v $t >/dev/null || { echo "$t not found (apt-get install knot nsd dnsperf bind9-dnsutils gcc bc)" >&2; exit 1; }
done
if ((PEERSONLY)); then
	subject=nsd servers=(knot nsd)
else
	[[ -x $build/riposte-dns ]] || { echo "riposte-dns binary not found: $build/riposte-dns (meson setup build && ninja -C build, or -x)" >&2; exit 1; }
	subject=riposte
	servers=(knot nsd "riposte=$here/bench/dns.sh --serve $build/riposte-dns @PORT@ @WORKERS@ @ZONEDIR@ @RUNDIR@")
fi
peers=(knot nsd)
[[ $subject == nsd ]] && peers=(knot)

tmp=$(mktemp -d /tmp/bench-dns.XXXXXX)
child=""
cleanup() {
	if [[ -n $child ]]; then kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PHASE_PATH=$PATH
phase() { # phase NAME OPTIONS... -- SERVERS...: one interleaved bench-dns.sh run
	local name=$1
	shift
	echo
	echo "## phase $name: bench-dns.sh $*" | sed 's/riposte=[^ ]* --serve \([^ ]*\) .*@RUNDIR@/riposte=\1/'
	PATH=$PHASE_PATH bash "$script" -o "$tmp/$name.tsv" -p "${BENCH_PORT:-53530}" "$@" &
	child=$!
	wait "$child" || echo "bench-dns.sh exited $? in phase $name" >&2
	child=""
	touch "$tmp/$name.tsv"
}

has() { [[ ,$PHASES, == *,$1,* ]]; }
has cap && phase cap -m pinned -G blast -r "$REPS" -l "$DUR" "${extra[@]}" "${servers[@]}" reflector
has cpu && phase cpu -m pinned -Q "$RATE" -r "$REPS" -l "$DUR" "${extra[@]}" "${servers[@]}"
has all && phase all -m default -G blast -r "$REPS" -l "$DUR" "${extra[@]}" "${servers[@]}"
has load && phase load -L -n "$BIGN" -m default -r "$REPS" "${extra[@]}" "${servers[@]}"

# ------------------------------------------------------- signed zones ----
# The zone size and data dir the other phases use (-n/-d after --).
SN=10000 base=/tmp/dp-data
for ((i = 0; i < ${#extra[@]}; i++)); do
	case ${extra[i]} in -n) SN=${extra[i + 1]:-$SN} ;; -d) base=${extra[i + 1]:-$base} ;; esac
done
# sign_data KIND: the bench zones signed with NSEC3 or NSEC, and the same
# query file, in $base/signed-KIND/n$SN (bench-dns.sh -d $base/signed-KIND).
sign_data() {
	local kind=$1 src=$base/n$SN dst=$base/signed-$1/n$SN z opts="" ksk zsk
	[[ $kind == nsec3 ]] && opts="-n -t 0" # RFC 9276 3.1: no salt, no extra iterations
	bash "$script" -g -n "$SN" -d "$base" >/dev/null || return 1
	if [[ -s $dst/home.zone && -s $dst/128.10.in-addr.arpa.zone && $dst/home.zone -nt $src/home.zone &&
		-z $(find "$dst/home.zone" -mmin +10080) ]]; then
		echo "# signed ($kind) zones cached in $dst"
		return 0
	fi
	echo "# signing the N=$SN zones with $kind into $dst"
	rm -rf "$dst" && mkdir -p "$dst/keys"
	for z in home 128.10.in-addr.arpa; do
		# shellcheck disable=SC2086 # the options are words
		(cd "$dst/keys" && ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$z") && zsk=$(ldns-keygen -a ECDSAP256SHA256 "$z") &&
			ldns-signzone $opts -o "$z." -f "$dst/$z.zone.tmp" "$src/$z.zone" "$ksk" "$zsk") || return 1
	done
	mv "$dst/128.10.in-addr.arpa.zone.tmp" "$dst/128.10.in-addr.arpa.zone"
	cp "$src/queries.txt" "$dst/queries.txt"
	mv "$dst/home.zone.tmp" "$dst/home.zone"
}
signed_phase() { # signed_phase NAME KIND
	touch "$tmp/$1.tsv" # the ratio lines say "no data" when this phase cannot run
	if ! command -v ldns-signzone >/dev/null || ! command -v ldns-keygen >/dev/null; then
		echo "ldns-signzone/ldns-keygen not found (apt-get install ldnsutils)" >&2
		return 1
	fi
	sign_data "$2" || { echo "signing the bench zones ($2) failed" >&2; return 1; }
	# DO=1 on every query (RFC 3225): the shared script's dnsperf plus -D.
	mkdir -p "$tmp/bin"
	printf '#!/bin/sh\nexec %s -D "$@"\n' "$(command -v dnsperf)" >"$tmp/bin/dnsperf"
	chmod +x "$tmp/bin/dnsperf"
	PHASE_PATH=$tmp/bin:$PATH
	echo
	echo "## $1: $2-signed zones in $base/signed-$2/n$SN, dnsperf with -D (DO=1)"
	phase "$1" -m pinned -G dnsperf -r "$REPS" -l "$DUR" "${extra[@]}" -d "$base/signed-$2" "${servers[@]}" reflector
	PHASE_PATH=$PATH
}
if has signed; then signed_phase signed nsec3 || true; fi
if has signed-nsec; then signed_phase signed-nsec nsec || true; fi

# ------------------------------------------------------------- ratios ----
# ratio FILE COLUMN SUBJECT PEER [SCALE]: median over repetitions of
# SUBJECT/PEER for a column of the TSV (qps: 7, srv_cpu: 14; load: 7 = load_s,
# 10 = pss_sum KB), plus both medians.  "cpuq" = srv_cpu% / qps (us/query).
stats() {
	awk -F'\t' -v col="$2" -v s="$3" -v p="$4" '
	function med(a, n,   i, j, t) { for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
	{ v = col == "cpuq" ? ($7 > 0 ? $14 * 1e4 / $7 : -1) : $col
	  if ($3 == s) S[$5] = v; if ($3 == p) P[$5] = v }
	END { for (r in S) { if (S[r] >= 0) vs[++ns] = S[r]
	        if ((r in P) && P[r] > 0 && S[r] >= 0) rr[++nr] = S[r] / P[r] }
	      for (r in P) if (P[r] >= 0) vp[++np] = P[r]
	      if (!ns || !np || !nr) { print "n/a n/a n/a"; exit }
	      printf "%.6g %.6g %.3f\n", med(vs, ns), med(vp, np), med(rr, nr) }' "$1"
}
best_peer() { # best_peer FILE: the peer with the highest median qps
	local p b="" bq=0 q
	for p in "${peers[@]}"; do
		read -r q _ _ < <(stats "$1" 7 "$p" "$p")
		[[ $q != n/a ]] && (($(echo "$q > $bq" | bc))) && b=$p bq=$q
	done
	echo "${b:-knot}"
}
verdict() { # verdict RATIO OP TARGET
	[[ $1 == n/a ]] && { echo "(no data)"; return; }
	if (($(echo "$1 $2 $3" | bc))); then echo "target $2 $3: met"; else echo "target $2 $3: MISSED"; fi
}

echo
echo "## ratios ($subject; medians of per-repetition ratios, $REPS repetition(s))"
if has cap; then
	read -r s k r < <(stats "$tmp/cap.tsv" 7 "$subject" knot)
	read -r _ f rr < <(stats "$tmp/cap.tsv" 7 "$subject" reflector)
	printf '%-27s %s %s qps = %sx knot (%s), %sx reflector (%s)   %s\n' \
		"capacity 1 core (blast):" "$subject" "$s" "$r" "$k" "$rr" "$f" "$(verdict "$r" '>' 1)"
fi
if has cpu; then
	read -r s k r < <(stats "$tmp/cpu.tsv" cpuq "$subject" knot)
	printf '%-27s %s %s us = %sx knot (%s us)   %s\n' \
		"cpu/query at $RATE qps:" "$subject" "$s" "$r" "$k" "$(verdict "$r" '<=' 0.5)"
fi
if has all; then
	b=$(best_peer "$tmp/all.tsv")
	read -r s k r < <(stats "$tmp/all.tsv" 7 "$subject" "$b")
	printf '%-27s %s %s qps = %sx best peer %s (%s)   %s\n' \
		"all workers (blast):" "$subject" "$s" "$r" "$b" "$k" "$(verdict "$r" '>=' 1)"
fi
if has load; then
	for p in "${peers[@]}"; do
		read -r s k r < <(stats "$tmp/load.tsv" 7 "$subject" "$p")
		read -r sm km rm < <(stats "$tmp/load.tsv" 10 "$subject" "$p")
		[[ $sm != n/a ]] && sm=$(echo "scale=1; $sm / 1024" | bc) km=$(echo "scale=1; $km / 1024" | bc)
		printf '%-27s load %s s = %sx %s (%s s)   %s; PSS %s MB = %sx %s (%s MB)   %s\n' \
			"$BIGN-name zone vs $p:" "$s" "$r" "$p" "$k" "$(verdict "$r" '<=' 1)" "$sm" "$rm" "$p" "$km" "$(verdict "$rm" '<=' 1)"
	done
fi
for ph in signed signed-nsec; do
	has $ph || continue
	t=$tmp/$ph.tsv
	read -r _ f _ < <(stats "$t" 7 reflector reflector)
	for p in "${peers[@]}"; do
		read -r s k r < <(stats "$t" 7 "$subject" "$p")
		read -r sc kc rc < <(stats "$t" cpuq "$subject" "$p")
		printf '%-33s %s %s qps = %sx %s (%s qps); cpu/query %s us = %sx %s (%s us)   DO=1 generator ceiling (reflector) %s qps\n' \
			"$ph 1 core DO=1 vs $p:" "$subject" "$s" "$r" "$p" "$k" "$sc" "$rc" "$p" "$kc" "$f"
	done
done
