#!/usr/bin/env bash
# bench/hostile.sh - a hostile sender on one of the router's links, with
# riposted, BIRD 2 and FRR ripd as that router, side by side in one run:
# what a route flood makes it hold and cost, and how much a request flood
# delays its own triggered updates.  Not a test: it asserts nothing and
# prints a Markdown table (tests/netns/t_hostile.sh asserts riposted's side).
#
#   x (hostile) 10.66.0.66 ---- 10.66.0.1 r1 10.0.12.1 ---- 10.0.12.2 r2 (riposted)
#                                         r1 --- stub1 (10.3.k.0/24 added to time updates)
#
# r1 is the daemon under test, with its default timers (30 180 120) and limits:
#   riposted  default `max-routes` (100000), no ttl-security
#   bird      `protocol rip` with `import limit 100000 action block`, no
#             `ttl security`, `protocol direct` exported (connected prefixes)
#   frr       zebra + ripd with `redistribute connected`; ripd has no route
#             limit, and takes its routes one by one through zebra, so it is
#             offered fewer routes (-F) to keep the run bounded
# r2 is riposted (the same measuring neighbour for all three) and
# redistributes 2000 static /32s, so that a whole-table answer of r1 is 80
# datagrams.  Per daemon, two phases, each with its own namespaces and a
# fresh r1 (a stalled r1 would spoil the next phase):
#   1. update delay: add 10.3.k.1/24 on r1's stub1, time until r2 has
#      10.3.k.0/24 in its kernel; RUNS times quiet, then RUNS times 0.3 s
#      after x starts REQ whole-table requests from 500 forged on-link
#      sources (tests/netns/ripcraft.py requests REQ 500 40000); 6 s quiet
#      before each (RFC 2453 3.10.1: triggered updates are rate limited).
#      After each flood: how long r1 kept answering (until it sent fewer
#      than 20 UDP datagrams in a second; nstat UdpOutDatagrams) and how
#      many datagrams it sent (most to forged sources that never answer
#      ARP: the kernel drops them after the neighbour queue).
#   2. route flood: x offers N /32s from port 520 (25 a datagram, paced at
#      100000 routes/s); the daemon's table and x's routes in r1's kernel are
#      polled every second until neither grew for STABLE seconds.  Memory:
#      VmRSS of the daemon's processes (riposted; bird; ripd + zebra) before
#      the flood and once it stopped growing.
#
# Usage: bench/hostile.sh [-o OUTDIR] [-n N] [-F N] [-q REQ] [-r RUNS] [-d DAEMONS] [-s STABLE]
#   -o OUTDIR   results.md, per-daemon results and logs (default: a new
#               /tmp/riposte-hostile.XXXXXX)
#   -n N        routes offered by the flood (default 1000000)
#   -F N        routes offered to FRR (default 100000)
#   -q REQ      requests in the request flood (default 6000)
#   -r RUNS     update delays measured, with and without the flood (default 3; medians)
#   -d DAEMONS  comma separated, of riposted,bird,frr (default all three)
#   -s STABLE   seconds without growth that end the route flood (default 10)
#   --report    run nothing: the table again from OUTDIR's results (same -r)
# Every wait is bounded (route flood: 600 s; an update: 60 s).  Needs root,
# FRR 8 (/usr/lib/frr) and BIRD 2.  Environment: RIPOSTE_BUILD.
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ALL=riposted,bird,frr
REPORT=0 OUT="" N=1000000 FRR_N=100000 REQ=6000 RUNS=3 DAEMONS=$ALL STABLE=10 ONE=""
usage() { sed -n '2,/^[^#]/{/^# shellcheck/d; /^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
	case $1 in
	-o) OUT=$2; shift ;;
	-n) N=$2; shift ;;
	-F) FRR_N=$2; shift ;;
	-q) REQ=$2; shift ;;
	-r) RUNS=$2; shift ;;
	-d) DAEMONS=$2; shift ;;
	-s) STABLE=$2; shift ;;
	--one) ONE=$2; shift ;;   # internal: one daemon in this process
	--report) REPORT=1 ;;     # only the table, from OUTDIR's results
	-h | --help) usage 0 ;;
	*) echo "hostile.sh: unknown option $1" >&2; usage 1 >&2 ;;
	esac
	shift
done
for v in N FRR_N REQ RUNS STABLE; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "hostile.sh: $v wants a positive number" >&2; exit 1; }
done

# ------------------------------------------------------------------ one daemon
if [[ -n $ONE ]]; then
	# shellcheck source=tests/netns/lib.sh
	. "$ROOT/tests/netns/lib.sh"
	PHASE=${ONE#*:} ONE=${ONE%%:*}
	log() { printf '# %s %s: %s\n' "$ONE" "$PHASE" "$*" >&2; }
	res() { printf '%s\t%s\n' "$1" "$2" >>"$OUT/$ONE.res"; log "$1 = $2"; }
	CRAFT=$ROOT/tests/netns/ripcraft.py
	hx() { nsx x "$RPT_PY" "$CRAFT" "$@"; }
	ns_router r1 r2
	ns_add x
	link r1 r2 10.0.12.1/24 10.0.12.2/24 || bail "link r1-r2"
	# a /16 on x's link: room for the forged on-link sources
	link r1 x 10.66.0.1/16 10.66.0.66/16 || bail "link r1-x"
	stub r1 stub1 10.3.0.1/24 || bail "stub r1"

	# riposted with default timers (riposted_conf sets 5 15 10).
	rip_conf() {
		local n=$1 l; shift
		printf 'hostname %s\nlog stdout informational\nrouter rip\n version 2\n network 10.0.0.0/8\n' "$n" >"$T_DIR/$n.conf"
		for l in "$@"; do echo " $l"; done >>"$T_DIR/$n.conf"
		echo "!" >>"$T_DIR/$n.conf"
	}
	# r2 first, with its 2000 static routes: r1 asks for them when it starts.
	rip_conf r2 "redistribute static"
	start_riposted r2 || bail "start riposted in r2"
	for i in $(seq 0 1999); do echo "route add 10.50.$((i / 250)).$((i % 250))/32 dev lo proto static"; done >"$T_DIR/static.batch"
	ipn r2 -batch "$T_DIR/static.batch" || bail "r2 static routes"

	case $ONE in
	riposted)
		rip_conf r1
		start_riposted r1 || bail "start riposted in r1"
		KPROTO=$RP
		pids() { riposted_pid r1; }
		held() { rctl r1 show status --json | jq .routes; }
		VERSION="riposted $(git -C "$ROOT" describe --always --dirty 2>/dev/null)"
		;;
	bird)
		cat >"$T_DIR/r1.bird.conf" <<-EOF
			log "$T_DIR/r1.bird.log" { info, warning, error, fatal };
			protocol device { scan time 2; }
			protocol direct { ipv4; interface "*"; }
			protocol kernel {
			  ipv4 { import none; export where source = RTS_RIP; };
			}
			protocol rip rip4 {
			  ipv4 { import all; export all; import limit 100000 action block; };
			  interface "veth-*" { ttl security off; };
			}
		EOF
		start_bird r1 || bail "start bird in r1"
		KPROTO=bird
		pids() { bird_pid r1; }
		held() { birdc_n r1 show protocols all rip4 | awk '$1 == "Routes:" { print $2; exit }'; }
		VERSION=$(bird --version 2>&1 | head -n 1)
		;;
	frr)
		mkdir -p "$T_DIR/frr-r1"
		printf 'hostname r1\n!\nrouter rip\n version 2\n network 10.0.0.0/8\n redistribute connected\n!\n' >"$T_DIR/frr-r1/ripd.conf"
		start_frr r1 || bail "start FRR in r1"
		KPROTO=rip
		pids() { frr_pids r1; }
		# routes of type rip in zebra's RIB (what ripd handed it)
		held() { vtysh_n r1 'show ip route summary json' | jq '[.routes[] | select(.type == "rip") | .rib] | add // 0'; }
		VERSION="FRR $("$FRR_DIR/ripd" --version 2>&1 | awk '/version/ { print $NF; exit }')"
		N=$FRR_N
		;;
	*) bail "unknown daemon $ONE" ;;
	esac
	rss_kb() { local p s=0; for p in $(pids); do s=$((s + $(awk '/^VmRSS/ { print $2 }' "/proc/$p/status"))); done; echo "$s"; }
	r2_routes() { ip -n "$(nsname r1)" -4 route show proto "$KPROTO" | grep -c '^10\.50\.'; }
	x_routes() { ip -n "$(nsname r1)" -4 route show proto "$KPROTO" | grep -c 'via 10.66.0.66'; }
	udp_out() { nsx r1 nstat -asz UdpOutDatagrams | awk '$1 == "UdpOutDatagrams" { print $2 }'; }
	res version "$VERSION"
	wait_until 60 eval '(($(r2_routes) == 2000))' || bail "r1 did not learn r2's 2000 routes in 60 s (it has $(r2_routes))"
	log "r1 learned r2's 2000 routes in $(elapsed_s "$WAITED_MS") s"

	if [[ $PHASE == requests ]]; then
		# ---- 1. update delay, quiet and under the request flood
		# trig_delay K: add 10.3.K.1/24 on r1's stub1, ms until r2 installs 10.3.K.0/24.
		trig_delay() {
			local k=$1 t0
			t0=$(ms_now)
			ipn r1 addr add "10.3.$k.1/24" dev stub1
			wait_until 60 has_kroute r2 "10.3.$k.0/24" proto "$RP" via 10.0.12.1 || { echo NA; return; }
			echo $(($(ms_now) - t0))
		}
		k=0
		for ((run = 1; run <= RUNS; run++)); do
			sleep 6
			k=$((k + 1))
			res "quiet_ms.$run" "$(trig_delay $k)"
		done
		for ((run = 1; run <= RUNS; run++)); do
			sleep 6
			k=$((k + 1))
			u0=$(udp_out) tf=$(ms_now)
			hx requests "$REQ" 500 40000 >"$T_DIR/req.out" 2>&1 &
			RQ=$!
			_track "$RQ" "request flood"
			sleep 0.3
			d=$(trig_delay $k)
			wait "$RQ"
			res "flood_ms.$run" "$d"
			res "flood_sent.$run" "$(cat "$T_DIR/req.out")"
			# what r1 sent in the 10 s from the flood's start (longer when
			# the update took longer)
			left=$((tf + 10000 - $(ms_now)))
			((left > 0)) && sleep "$(elapsed_s "$left")"
			res "flood_udp_out.$run" $(($(udp_out) - u0))
		done

		up=yes
		for p in $(pids); do alive "$p" || up=no; done
		res alive_requests $up
		exit 0
	fi

	# ---- 2. route flood
	res offered "$N"
	res held_before "$(held)"
	res rss_before_kb "$(rss_kb)"
	t0=$(ms_now)
	hx routes 0 "$N" 255 $((N / 100000 + 1)) >"$T_DIR/routes.out" 2>&1 &
	RT=$!
	_track "$RT" "route flood"
	last_h=-1 last_k=-1 t_last=$t0 sender=1
	while :; do
		sleep 1
		h=$(held) kr=$(x_routes) now=$(ms_now)
		if [[ $h != "$last_h" || $kr != "$last_k" ]]; then
			last_h=$h last_k=$kr t_last=$now
			log "after $(elapsed_s $((now - t0))) s: table $h, x's routes in the kernel $kr"
		fi
		if ((sender)) && dead "$RT"; then wait "$RT"; sender=0; fi
		((sender == 0 && now - t_last >= STABLE * 1000)) && break
		((now - t0 >= 600000)) && { log "still growing after 600 s: stopped there"; break; }
	done
	res flood_s "$(elapsed_s $((t_last - t0)))"
	res routes_sent "$(cat "$T_DIR/routes.out")"
	res held_after "$last_h"
	res kernel_x "$last_k"
	res kernel_r2 "$(r2_routes)"
	res rss_after_kb "$(rss_kb)"
	up=yes
	for p in $(pids); do alive "$p" || up=no; done
	res alive_routes $up
	exit 0
fi

# ------------------------------------------------------------------ driver
if [[ $(id -u) != 0 ]]; then echo "hostile.sh: needs root (network namespaces)" >&2; exit 1; fi
RIPOSTE_BUILD=${RIPOSTE_BUILD:-$ROOT/build}
for b in riposted ripostectl; do
	[[ -x $RIPOSTE_BUILD/$b ]] || { echo "hostile.sh: no $RIPOSTE_BUILD/$b (build first)" >&2; exit 1; }
done
export RIPOSTE_BUILD
((REPORT)) && [[ -z $OUT ]] && { echo "hostile.sh: --report wants -o OUTDIR" >&2; exit 1; }
[[ -n $OUT ]] || OUT=$(mktemp -d /tmp/riposte-hostile.XXXXXX)
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
IFS=, read -ra ds <<<"$DAEMONS"
for d in "${ds[@]}"; do
	[[ ,$ALL, == *,"$d",* ]] || { echo "hostile.sh: unknown daemon $d ($ALL)" >&2; exit 1; }
done
# get D KEY: a value from D's results ("-" when missing)
get() { awk -F'\t' -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' "$OUT/$1.res" 2>/dev/null || echo -; }
((REPORT)) || echo "# hostile benchmark: $DAEMONS; route flood $N (FRR $FRR_N), request flood $REQ, $RUNS runs; output in $OUT" >&2
((REPORT)) && for d in "${ds[@]}"; do
	case $d in frr) FRR_N=$(get "$d" offered) ;; *) N=$(get "$d" offered) ;; esac
	REQ=$(get "$d" flood_sent.1 | awk '{ print $1 }')
done
((REPORT)) || for d in "${ds[@]}"; do
	rm -f "$OUT/$d.res"
	: >"$OUT/$d.log"
	for ph in requests routes; do
		bash "$0" --one "$d:$ph" -o "$OUT" -n "$N" -F "$FRR_N" -q "$REQ" -r "$RUNS" -s "$STABLE" 2>&1 </dev/null | tee -a "$OUT/$d.log" >&2
		((PIPESTATUS[0] == 0)) || echo "# $d $ph: stopped early; its log: $OUT/$d.log" >&2
	done
done

mb() { [[ $1 =~ ^[0-9]+$ ]] && awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }' || echo -; }
# med D PREFIX: median of the numbers PREFIX.1..RUNS
med() {
	local r
	for ((r = 1; r <= RUNS; r++)); do get "$1" "$2.$r"; done | sort -n | awk '/^[0-9]+$/ { a[++n] = $1 } END { print n ? a[int((n+1)/2)] : "-" }'
}
# delays D PREFIX: "median [min-max] ms" of PREFIX.1..RUNS (NA: not within 60 s)
delays() {
	local r v=()
	for ((r = 1; r <= RUNS; r++)); do v+=("$(get "$1" "$2.$r")"); done
	printf '%s\n' "${v[@]}" | awk '
		/^[0-9]+$/ { a[++n] = $1 + 0; next } { na++ }
		END {
			if (!n) { print "never (60 s)"; exit }
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			m = n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
			printf "%g ms [%d-%d]%s", m, a[1], a[n], na ? sprintf(", %d never", na) : ""
		}'
}
# the table's cells: each takes the daemon
c_offered() { get "$1" offered; }
c_held() { echo "$(get "$1" held_before) / $(get "$1" held_after)"; }
c_kx() { get "$1" kernel_x; }
c_kr2() { get "$1" kernel_r2; }
c_rss() { echo "$(mb "$(get "$1" rss_before_kb)") / $(mb "$(get "$1" rss_after_kb)")"; }
c_flood() { echo "$(get "$1" flood_s) s"; }
c_sent() { get "$1" routes_sent | awk '{ print $(NF-1), "s" }'; }
c_quiet() { delays "$1" quiet_ms; }
c_reqflood() { delays "$1" flood_ms; }
c_udp() { med "$1" flood_udp_out; }
c_alive() { echo "$(get "$1" alive_requests) / $(get "$1" alive_routes)"; }
row() { local d; printf '| %s |' "$1"; for d in "${ds[@]}"; do printf ' %s |' "$("$2" "$d")"; done; echo; }
{
	echo "bench/hostile.sh, $(date -u +%Y-%m-%d): route flood $N /32s (FRR $FRR_N), request flood $REQ whole-table requests from 500 forged sources, update delays median [min-max] of $RUNS"
	echo
	printf '|'; for d in "${ds[@]}"; do printf ' | %s' "$(get "$d" version)"; done; echo ' |'
	printf '|---'; for _ in "${ds[@]}"; do printf '|---'; done; echo '|'
	row "routes offered by x" c_offered
	row "routes in the daemon's table before / after" c_held
	row "x's routes in r1's kernel" c_kx
	row "r2's 2000 routes still in r1's kernel" c_kr2
	row "memory (VmRSS) before / after" c_rss
	row "route flood: x sent it in" c_sent
	row "route flood: the table stopped growing after" c_flood
	row "triggered update r1 -> r2, quiet" c_quiet
	row "the same, 0.3 s into the request flood" c_reqflood
	row "UDP datagrams r1 sent in the flood's first 10 s (median)" c_udp
	row "daemon still running after the request / route flood" c_alive
} >"$OUT/results.md.tmp"
mv "$OUT/results.md.tmp" "$OUT/results.md"
echo
cat "$OUT/results.md"
echo "# results: $OUT/results.md" >&2
