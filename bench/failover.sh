#!/usr/bin/env bash
# bench/failover.sh - how fast c1 is answered by s2 when s1 fails, and how
# many of its queries fail, in the seed's lab (tests/netns/seed.sh: c1 behind
# r1, s1 and s2 behind switches, riposted on r1 r2 s1 s2, riposte-dns on s1
# s2), for each scenario and probe rate, N runs each.  Not a test: it
# asserts nothing and prints a Markdown table of medians and maxima.
#
# Usage: bench/failover.sh [-n RUNS] [-r RATES] [-s SCENARIOS] [-o OUTDIR] [-w SECONDS]
#   -n RUNS       runs per scenario and rate (default 20)
#   -r RATES      probe rates in queries/s, comma separated (default 100,2000)
#   -s SCENARIOS  comma separated (default: all, in this order):
#       service-death       kill -9 of s1's riposte-dns; service checks dns + process (pidfd)
#       service-death-poll  the same with only the dns check (200 ms interval, fall 2)
#       host-death          SIGKILL of s1's riposted and riposte-dns and s1's link cut
#                           behind the switch; BFD 100 ms x 3 on every RIP link
#       drain               ripostectl drain dns on s1 (drain-time 2 s)
#       sigterm             SIGTERM to s1's riposted (riposte-dns keeps running)
#   -o OUTDIR     keep every run's probe CSV and the results there
#                 (default: a new /tmp/riposte-failover.XXXXXX)
#   -w SECONDS    probing before each fault (default 2)
# Each scenario builds the lab once (its own namespaces; lib.sh's trap
# removes them), then per run: probe c1 -> 10.128.224.2 at RATE, fault, wait
# until c1 is answered by s2, stop the probe, analyse (riposte-probe
# --analyze), and put s1 back (restart what was killed, undrain) until c1
# is answered by s1 again with r1 holding the alternate.
# takeover = fault -> first answer from s2; failed = queries not answered
# (timeouts and errors) in the run.
# Output: OUTDIR/results.tsv (scenario rate run takeover_ms failed queries),
# OUTDIR/SCENARIO-RATE-RUN.csv, and the table on stdout.  Needs root.
# Environment: RIPOSTE_BUILD, RIPOSTE_PROBE, RIPOSTE_DNS (as seed.sh).
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
ALL="service-death,service-death-poll,host-death,drain,sigterm"
RUNS=20 RATES=100,2000 SCEN=$ALL OUT="" PRE=2 ONE=""
usage() { sed -n '2,/^[^#]/{/^# shellcheck/d; /^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (($#)); do
	case $1 in
	-n) RUNS=$2; shift ;;
	-r) RATES=$2; shift ;;
	-s) SCEN=$2; shift ;;
	-o) OUT=$2; shift ;;
	-w) PRE=$2; shift ;;
	--one) ONE=$2; shift ;;   # internal: run one scenario in this process
	-h | --help) usage 0 ;;
	*) echo "failover.sh: unknown option $1" >&2; usage 1 >&2 ;;
	esac
	shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "failover.sh: -n wants a positive number" >&2; exit 1; }

# ------------------------------------------------------------------ one scenario
if [[ -n $ONE ]]; then
	# shellcheck source=tests/netns/seed.sh
	. "$ROOT/tests/netns/seed.sh"
	# The lab's helpers write through say/ok; here only progress lines on stderr.
	log() { printf '# %s\n' "$*" >&2; }
	s1_primary() { # c1 answered by s1, r1 holds the alternate (and BFD is up when used)
		_seed_converged s1 1 || return 1
		[[ $ONE != host-death ]] || bfd_is r1 10.128.5.2 up
	}
	case $ONE in
	service-death | drain | sigterm) seed_lab || exit 1 ;;
	service-death-poll) seed_lab "no check process" || exit 1 ;;
	host-death) seed_lab --bfd || exit 1 ;;
	*) echo "failover.sh: unknown scenario $ONE ($ALL)" >&2; exit 1 ;;
	esac
	log "$ONE: lab converged in $T_DIR"
	fault() {
		case $ONE in
		service-death | service-death-poll) seed_kill KILL "${SEED_DNSPID[s1]}" ;;
		host-death)
			{
				kill -KILL "$(riposted_pid s1)" "${SEED_DNSPID[s1]}"
				ipn s1 link set veth-s1r1 down
				wait "$(riposted_pid s1)" "${SEED_DNSPID[s1]}"
			} 2>/dev/null ;;
		drain) rctl s1 drain dns >/dev/null ;;
		sigterm) kill -TERM "$(riposted_pid s1)" ;;
		esac
	}
	restore() {
		case $ONE in
		service-death | service-death-poll) seed_dns s1 || return 1 ;;
		host-death)
			ipn s1 link set veth-s1r1 up
			seed_dns s1 || return 1
			start_riposted s1 || return 1 ;;
		drain)
			wait_until 5 svc_is s1 drained
			rctl s1 undrain dns >/dev/null || return 1 ;;
		sigterm)
			# it drains (drain-time 2 s), then exits; a second SIGTERM
			# would cut the drain short, so only wait and reap
			wait_until 10 dead "$(riposted_pid s1)" || return 1
			reap s1
			start_riposted s1 || return 1 ;;
		esac
		wait_until 20 s1_primary
	}
	IFS=, read -ra rates <<<"$RATES"
	for rate in "${rates[@]}"; do
		for ((run = 1; run <= RUNS; run++)); do
			csv=$OUT/$ONE-$rate-$run.csv
			s1_primary || { log "$ONE: s1 is not the primary before run $run"; exit 1; }
			probe_start "$ANYCAST" "$rate" "$csv" || exit 1
			sleep "$PRE"
			t0=$(us_now)
			fault
			wait_until 10 eval '[[ $(anycast_node) == s2 ]]'
			sleep 1
			probe_stop
			# (once more after a second: a rebuild may be replacing the binary)
			an=$(probe_analyze "$csv" "$t0") || { sleep 1; an=$(probe_analyze "$csv" "$t0"); } ||
				{ log "$ONE: analysis of $csv failed"; exit 1; }
			read -r tk failed queries < <(jq -r '"\(.takeover_ms // "NA") \(.failed) \(.queries)"' <<<"$an")
			printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$ONE" "$rate" "$run" "$tk" "$failed" "$queries" >>"$OUT/results.tsv"
			log "$ONE $rate q/s run $run/$RUNS: takeover $tk ms, failed $failed of $queries"
			restore || { log "$ONE: could not put s1 back after run $run"; exit 1; }
			seed_dedup_logs
		done
	done
	exit 0
fi

# ------------------------------------------------------------------ driver
if [[ $(id -u) != 0 ]]; then echo "failover.sh: needs root (network namespaces)" >&2; exit 1; fi
RIPOSTE_BUILD=${RIPOSTE_BUILD:-$ROOT/build}
for b in riposted ripostectl riposte-dns; do
	[[ -x $RIPOSTE_BUILD/$b ]] || { echo "failover.sh: no $RIPOSTE_BUILD/$b (build first)" >&2; exit 1; }
done
[[ -x ${RIPOSTE_PROBE:-$RIPOSTE_BUILD/riposte-probe} ]] || { echo "failover.sh: no riposte-probe in $RIPOSTE_BUILD" >&2; exit 1; }
[[ -n $OUT ]] || OUT=$(mktemp -d /tmp/riposte-failover.XXXXXX)
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
: >"$OUT/results.tsv"
IFS=, read -ra scens <<<"$SCEN"
for s in "${scens[@]}"; do
	[[ ,$ALL, == *,"$s",* ]] || { echo "failover.sh: unknown scenario $s ($ALL)" >&2; exit 1; }
done
echo "# failover benchmark: scenarios $SCEN, rates $RATES q/s, $RUNS runs each; CSVs in $OUT" >&2
for s in "${scens[@]}"; do
	# progress on stderr as it comes, everything in OUTDIR/SCENARIO.log
	bash "$0" --one "$s" -n "$RUNS" -r "$RATES" -o "$OUT" -w "$PRE" 2>&1 </dev/null | tee "$OUT/$s.log" >&2
	((PIPESTATUS[0] == 0)) || echo "# $s: stopped early; its log: $OUT/$s.log" >&2
done

# The table: median and max per scenario and rate (NA: no takeover seen).
echo
echo "| scenario | rate (q/s) | runs | takeover median (ms) | takeover max (ms) | failed median | failed max | no takeover |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for s in "${scens[@]}"; do
	IFS=, read -ra rates <<<"$RATES"
	for r in "${rates[@]}"; do
		awk -F'\t' -v s="$s" -v r="$r" '
		function med(a, n,   i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
			return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2
		}
		$1 == s && $2 == r {
			runs++
			if ($4 == "NA") na++; else { nt++; tk[nt] = $4 + 0; if ($4 + 0 > tmax) tmax = $4 + 0 }
			nf++; fl[nf] = $5 + 0; if ($5 + 0 > fmax) fmax = $5 + 0
		}
		END {
			if (!runs) { printf "| %s | %s | 0 | - | - | - | - | - |\n", s, r; exit }
			printf "| %s | %s | %d | %s | %s | %s | %d | %d |\n", s, r, runs,
				nt ? sprintf("%.0f", med(tk, nt)) : "-", nt ? sprintf("%.0f", tmax) : "-",
				sprintf("%g", med(fl, nf)), fmax, na
		}' "$OUT/results.tsv"
	done
done
