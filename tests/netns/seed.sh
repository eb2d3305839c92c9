# shellcheck shell=bash
# tests/netns/seed.sh - the seed's anycast lab (docs/design.md, "Lab topology") on
# top of lib.sh, for the service scenario tests (t_svc_*.sh) and
# bench/failover.sh.  Source it (it sources lib.sh; needs root).
#
#   c1 10.128.7.2 -- 10.128.7.1 r1 10.128.8.1 ---- 10.128.8.2 r2
#                              10.128.5.1                  10.128.6.1
#                                  | [sw1]                     | [sw2]
#                         s1 10.128.5.2                s2 10.128.6.2
#                    lo 10.128.224.2/32               lo 10.128.224.2/32
#
# Interfaces are named as lib.sh's `link` names them: veth-r1s1 in r1,
# veth-s1r1 in s1, veth-r1r2 / veth-r2r1, veth-c1r1 / veth-r1c1 ...
# With --bridge a "switch" namespace (sw1, sw2) sits between each server and
# its router: a bridge br0 with ports p-r1/p-s1 (p-r2/p-s2), so the router
# does not see the server's link go down when the server cuts it (the honest
# setup for host death).  c1 runs no routing daemon: default via 10.128.7.1.
# The servers have the seed's static route 10.128.0.0/16 via their router.
#
# Functions:
#   seed_topology [--bridge]
#   seed_dns NODE                 riposte-dns in NODE on 0.0.0.0@53, identity NODE,
#                                 zone home. (test.home A 10.0.0.N for sN);
#                                 pid ${SEED_DNSPID[NODE]}, pidfile $T_DIR/NODE.dns.pid
#   seed_dns_stop NODE [SIGNAL]   signal it (default TERM), wait until it is gone
#   seed_riposted_router NODE [OPTION|LINE...]
#   seed_riposted_server NODE [OPTION|SERVICE-LINE...]
#       write $T_DIR/NODE.conf and start riposted (lib.sh's start_riposted)
#       with pidfile $T_DIR/NODE.riposted.pid (state file NODE.riposted.drained)
#   seed_start_server NODE        start riposted on NODE again with $T_DIR/NODE.conf
#       OPTIONs:  --bfd           BFD (ip rip bfd, bfd interval $SEED_BFD_INTERVAL
#                                 multiplier $SEED_BFD_MULT) on NODE's lab links
#                 --timers "U T G" timers basic (default: $SEED_TIMERS, empty = riposted's defaults)
#                 --rip LINE      a line inside `router rip`
#                 --top LINE      a line at the end of the file (top level)
#                 --no-service    (server) no `service dns` block
#       Router LINEs go inside `router rip`.  Server LINEs go inside
#       `service dns`: a line replaces the default line with the same key
#       (first word; first two for `check`), `no KEY` drops it; defaults:
#       address 10.128.224.2/32, interface lo, check dns 127.0.0.1 test.home A
#       expect rcode NOERROR, check process $T_DIR/NODE.dns.pid, interval 200ms,
#       timeout 300ms, rise 3, fall 2, metric 1, drain-time 2s.
#   seed_frr_router NODE [LINE...] FRR zebra + ripd (timers basic $SEED_FRR_TIMERS)
#   seed_lab [--bfd] [--timers "U T G"] [SERVER-LINE...]
#       all of it: topology with switches, riposte-dns on s1 s2, riposted on
#       r1 r2 s1 s2; waits until both services are up and wait_converged -n s1 -a
#   seed_kill SIGNAL PID...       signal our processes, wait until gone, reap quietly
# State:
#   svc_json NODE / svc_field NODE JQ-EXPR / svc_state NODE [SERVICE]
#   svc_is NODE STATE [SERVICE]   `show services --json` state is STATE
#   bfd_state NODE PEER / bfd_is NODE PEER STATE   the BFD session with PEER
#   has_addr NODE ADDR/LEN [DEV]  the address is on DEV (default lo)
#   anycast_node                  which server answers c1 (its NSID), "" if none
#   c1_resolves [NODE]            c1 resolves test.home via 10.128.224.2 (from NODE)
#   wait_converged [-t SECONDS] [-n NODE] [-a]
#       until c1 resolves test.home through 10.128.224.2 (answered by NODE
#       when given), every riposted router holds an active route to
#       10.128.224.2/32 and every FRR router has it in the kernel; -a: also
#       r1 and r2 each hold an alternate (both servers announce).
#       $WAITED_MS = time taken.  Returns 1 on timeout.
# Probe (riposte-probe, in c1):
#   probe_start ADDRESS RATE CSV [ARGS...]  in the background; returns once
#                                 the first answer is in the CSV
#   probe_stop                    SIGINT, wait for it (call in the test's shell)
#   probe_analyze CSV FAULT_US    riposte-probe --analyze ... --json
#   probe_say JSON                the analysis in one `say` line
#   probe_answers_from CSV FROM_US TO_US  nodes that answered queries sent then
#   pj JSON JQ-EXPR               jq -r on a JSON string
#
# Environment: RIPOSTE_DNS, RIPOSTE_PROBE (binaries), SEED_TIMERS, SEED_FRR_TIMERS,
# SEED_BFD_INTERVAL (ms, 100), SEED_BFD_MULT (3), SEED_DNS_WORKERS (1).

# shellcheck source=tests/netns/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -n ${_SEED_LIB_LOADED:-} ]] && return 0
_SEED_LIB_LOADED=1

RIPOSTE_DNS=${RIPOSTE_DNS:-$RIPOSTE_BUILD/riposte-dns}
RIPOSTE_PROBE=${RIPOSTE_PROBE:-$RIPOSTE_BUILD/riposte-probe}
ANYCAST=10.128.224.2
SEED_TIMERS=${SEED_TIMERS:-}
SEED_FRR_TIMERS=${SEED_FRR_TIMERS:-5 15 10}
SEED_BFD_INTERVAL=${SEED_BFD_INTERVAL:-100}
SEED_BFD_MULT=${SEED_BFD_MULT:-3}
# the interfaces between routing daemons (BFD runs there)
declare -A SEED_RIPIFS=([r1]="veth-r1r2 veth-r1s1" [r2]="veth-r2r1 veth-r2s2" [s1]="veth-s1r1" [s2]="veth-s2r2")
declare -A SEED_DNSPID=() SEED_FRR=()
SEED_ROUTERS=(r1 r2)
SEED_BRIDGE=0

pj() { jq -r "$2" <<<"$1"; }

# _seed_bridge SW A B ADDR_A/LEN ADDR_B/LEN: A -- [bridge br0 in SW] -- B,
# with A's end veth-AB and B's end veth-BA (the names `link` would give).
_seed_bridge() {
	local sw=$1 na=$2 nb=$3 addra=$4 addrb=$5
	ns_add "$sw" || return 1
	ipn "$sw" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
	ip -n "$T_PFX$na" link add "veth-$na$nb" type veth peer name "p-$na" netns "$T_PFX$sw" || return 1
	ip -n "$T_PFX$nb" link add "veth-$nb$na" type veth peer name "p-$nb" netns "$T_PFX$sw" || return 1
	ipn "$sw" link set "p-$na" master br0 up || return 1
	ipn "$sw" link set "p-$nb" master br0 up || return 1
	ipn "$sw" link set br0 up || return 1
	ipn "$na" addr add "$addra" dev "veth-$na$nb" || return 1
	ipn "$nb" addr add "$addrb" dev "veth-$nb$na" || return 1
	ipn "$na" link set "veth-$na$nb" up && ipn "$nb" link set "veth-$nb$na" up
}

seed_topology() {
	[[ ${1:-} == --bridge ]] && SEED_BRIDGE=1
	ns_router r1 r2 || return 1
	ns_add c1 s1 s2 || return 1
	local n
	for n in s1 s2; do
		# the replies to c1 leave through the router they came from anyway;
		# no reverse-path filter inherited from the host
		nsx "$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null || return 1
	done
	link c1 r1 10.128.7.2/24 10.128.7.1/24 || return 1
	link r1 r2 10.128.8.1/24 10.128.8.2/24 || return 1
	if ((SEED_BRIDGE)); then
		_seed_bridge sw1 r1 s1 10.128.5.1/24 10.128.5.2/24 || return 1
		_seed_bridge sw2 r2 s2 10.128.6.1/24 10.128.6.2/24 || return 1
	else
		link r1 s1 10.128.5.1/24 10.128.5.2/24 || return 1
		link r2 s2 10.128.6.1/24 10.128.6.2/24 || return 1
	fi
	ipn c1 route add default via 10.128.7.1 || return 1
	ipn s1 route add 10.128.0.0/16 via 10.128.5.1 || return 1
	ipn s2 route add 10.128.0.0/16 via 10.128.6.1 || return 1
}

# seed_dedup_logs: each log once in lib.sh's failure dump (a daemon started
# again adds its log again).
seed_dedup_logs() {
	local -A seen=()
	local -a keep=()
	local f
	for f in "${T_LOGS[@]}"; do [[ -n ${seen[$f]:-} ]] || { seen[$f]=1; keep+=("$f"); }; done
	T_LOGS=("${keep[@]}")
}

# ------------------------------------------------------------------ riposte-dns
seed_dns() {
	local n=$1 d=$T_DIR/dns-$1 num pid log=$T_DIR/$1.dns.log
	num=${n//[!0-9]/}
	mkdir -p "$d"
	cat >"$d/home.zone" <<EOF
\$ORIGIN home.
\$TTL 60
@	IN SOA ns1 hostmaster 1 7200 3600 1209600 60
@	IN NS ns1
ns1	IN A $ANYCAST
test	IN A 10.0.0.${num:-9}
$n	IN A 10.0.0.${num:-9}
EOF
	cat >"$d/riposte-dns.conf" <<EOF
listen 0.0.0.0@53
zone home file home.zone
identity $n
workers ${SEED_DNS_WORKERS:-1}
# riposte-probe counts every answer: a measurement, not an attack.
rrl-rate 0
control none
EOF
	rm -f "$T_DIR/$n.dns.pid"
	ip netns exec "$T_PFX$n" "$RIPOSTE_DNS" -d -c "$d/riposte-dns.conf" -p "$T_DIR/$n.dns.pid" \
		</dev/null >>"$log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
	pid=$!
	_track "$pid" "riposte-dns $n"
	SEED_DNSPID[$n]=$pid
	T_LOGS+=("$log")
	seed_dedup_logs
	if ! wait_until 5 grep -q 'started:' "$log" || ! alive "$pid" || ! wait_file "$T_DIR/$n.dns.pid"; then
		echo "seed_dns $n: riposte-dns did not start" >&2
		tail -n 20 "$log" >&2
		return 1
	fi
}
seed_dns_stop() {
	local n=$1 pid=${SEED_DNSPID[$1]:-}
	alive "$pid" || return 0
	kill -s "${2:-TERM}" "$pid" 2>/dev/null
	wait_until 5 dead "$pid" || return 1
	wait "$pid" 2>/dev/null
	return 0
}

# ------------------------------------------------------------------ riposted
# _seed_conf NODE KIND OPTIONS...: write $T_DIR/NODE.conf (KIND router|server).
_seed_conf() {
	local n=$1 kind=$2 bfd=0 timers=$SEED_TIMERS svc=1 l i key
	shift 2
	local -a rip=() top=() lines=()
	while (($#)); do
		case $1 in
		--bfd) bfd=1 ;;
		--timers) timers=$2; shift ;;
		--rip) rip+=("$2"); shift ;;
		--top) top+=("$2"); shift ;;
		--no-service) svc=0 ;;
		*) lines+=("$1") ;;
		esac
		shift
	done
	[[ $kind == router ]] && { rip+=("${lines[@]}"); lines=(); }
	# the service block: defaults, then the caller's lines by key
	local -a svcl=(
		"address $ANYCAST/32"
		"interface lo"
		"check dns 127.0.0.1 test.home A expect rcode NOERROR"
		"check process $T_DIR/$n.dns.pid"
		"interval 200ms"
		"timeout 300ms"
		"rise 3"
		"fall 2"
		"metric 1"
		"drain-time 2s"
	)
	_key() { local -a w; read -ra w <<<"$1"; if [[ ${w[0]} == check ]]; then echo "${w[0]} ${w[1]}"; else echo "${w[0]}"; fi; }
	for l in "${lines[@]}"; do
		if [[ $l == "no "* ]]; then key=$(_key "${l#no }"); l=""; else key=$(_key "$l"); fi
		local found=0
		for i in "${!svcl[@]}"; do
			if [[ $(_key "${svcl[$i]}") == "$key" ]]; then
				if [[ -n $l ]]; then svcl[i]=$l; else unset 'svcl[i]'; fi
				found=1
			fi
		done
		((found)) || [[ -z $l ]] || svcl+=("$l")
	done
	{
		echo "hostname $n"
		echo "log stdout ${RPT_LOGLEVEL:-informational}"
		if ((bfd)); then
			for i in ${SEED_RIPIFS[$n]}; do
				echo "interface $i"
				echo " ip rip bfd"
				echo " bfd interval $SEED_BFD_INTERVAL multiplier $SEED_BFD_MULT"
				echo "!"
			done
		fi
		echo "router rip"
		echo " version 2"
		echo " network 10.128.0.0/16"
		[[ -n $timers ]] && echo " timers basic $timers"
		for l in "${rip[@]}"; do echo " $l"; done
		echo "!"
		if [[ $kind == server ]] && ((svc)); then
			echo "service dns"
			for l in "${svcl[@]}"; do echo " $l"; done
			echo "!"
		fi
		for l in "${top[@]}"; do echo "$l"; done
	} >"$T_DIR/$n.conf"
}
seed_riposted_router() { local n=$1; shift; _seed_conf "$n" router "$@" && start_riposted "$n"; }
# Servers get a pidfile: their drained-services state file goes next to it
# ($T_DIR/NODE.riposted.drained), one per server, not the host's /run/riposte.
seed_riposted_server() { local n=$1; shift; _seed_conf "$n" server "$@" && seed_start_server "$n"; }
seed_start_server() { start_riposted "$1" "$T_DIR/$1.conf" -p "$T_DIR/$1.riposted.pid"; }

# ------------------------------------------------------------------ FRR
seed_frr_router() {
	local n=$1; shift
	frr_conf "$n" "network 10.128.0.0/16" "$@" || return 1
	sed -i "s/^ timers basic .*/ timers basic $SEED_FRR_TIMERS/" "$T_DIR/frr-$n/ripd.conf"
	SEED_FRR[$n]=1
	start_frr "$n"
}

# ------------------------------------------------------------------ state
svc_json() { rctl "$1" show services --json 2>/dev/null; }
# A failed ripostectl prints {"error":...} with --json: jq must not see it, or
# an expected null (".services[0].metric" of a withdrawn service) would pass.
svc_field() { local js; js=$(svc_json "$1") || return 1; jq -r "$2" <<<"$js" 2>/dev/null; }
svc_state() { svc_field "$1" ".services[] | select(.name == \"${2:-dns}\") | .state"; }
svc_is() { [[ $(svc_state "$1" "${3:-dns}") == "$2" ]]; }   # svc_is NODE STATE [SERVICE]
bfd_state() {
	rctl "$1" show bfd --json 2>/dev/null |
		jq -r --arg p "$2" '[.sessions[] | select(.peer == $p) | .state] | first // "none"' 2>/dev/null
}
bfd_is() { [[ $(bfd_state "$1" "$2") == "$3" ]]; }   # bfd_is NODE PEER STATE
has_addr() { [[ -n $(ip -n "$T_PFX$1" -4 -o addr show dev "${3:-lo}" to "$2" 2>/dev/null) ]]; }  # has_addr NODE ADDR [DEV]
anycast_node() {
	local a
	a=$(nsx c1 dig +short +time=1 +tries=1 @"$ANYCAST" id.server CH TXT 2>/dev/null) || return 1
	a=${a//\"/}
	[[ -n $a && $a != *";;"* ]] && echo "$a"
}
# c1 resolves test.home through the anycast address (answered by NODE).
c1_resolves() {
	local want=${1:-} a num
	a=$(nsx c1 dig +short +time=1 +tries=1 @"$ANYCAST" test.home A 2>/dev/null)
	[[ $a == 10.0.0.* ]] || return 1
	if [[ -n $want ]]; then num=${want//[!0-9]/}; [[ $a == "10.0.0.$num" ]] || return 1; fi
}
# _router_has NODE [alt]: NODE holds an active (and an alternate) route to the anycast /32.
_router_has() {
	local n=$1 js
	if [[ -n ${SEED_FRR[$n]:-} ]]; then
		has_kroute "$n" "$ANYCAST/32" proto rip
		return
	fi
	js=$(rctl "$n" show routes "$ANYCAST/32" --json 2>/dev/null) || return 1
	jq -e --arg p "$ANYCAST/32" '[.routes[] | select(.prefix == $p and .state == "active" and .metric < 16)] | length > 0' <<<"$js" >/dev/null || return 1
	[[ ${2:-} == alt ]] || return 0
	jq -e --arg p "$ANYCAST/32" '[.routes[] | select(.prefix == $p and .state == "alternate" and .metric < 16)] | length > 0' <<<"$js" >/dev/null
}
_seed_converged() {
	local want=$1 alt=$2 r
	c1_resolves "$want" || return 1
	for r in "${SEED_ROUTERS[@]}"; do
		_router_has "$r" ${alt:+alt} || return 1
	done
}
wait_converged() {
	local t=30 want="" alt=""
	while (($#)); do
		case $1 in -t) t=$2; shift ;; -n) want=$2; shift ;; -a) alt=1 ;; esac
		shift
	done
	wait_until "$t" _seed_converged "$want" "$alt"
}

# ------------------------------------------------------------------ probe
PROBE_PID=""
probe_start() {
	local a=$1 r=$2 csv=$3; shift 3
	local log=$T_DIR/probe.log
	if [[ ! -x $RIPOSTE_PROBE ]]; then echo "probe_start: no $RIPOSTE_PROBE (build it first)" >&2; return 1; fi
	rm -f "$csv"
	ip netns exec "$T_PFX"c1 "$RIPOSTE_PROBE" -r "$r" -o "$csv" "$@" "$a" \
		</dev/null >>"$log" 2>&1 {RPT_OUT}>&- {RPT_ERR}>&- &
	PROBE_PID=$!
	_track "$PROBE_PID" "riposte-probe c1"
	T_LOGS+=("$log")
	# running once the first answer is in the CSV
	if ! wait_until 5 _probe_answered "$csv" || ! alive "$PROBE_PID"; then
		echo "probe_start: no answer recorded in $csv after 5 s" >&2
		tail -n 5 "$log" >&2
		return 1
	fi
}
_probe_answered() { [[ -s $1 ]] && awk -F, 'NR > 1 && $6 == "NOERROR" { f = 1; exit } END { exit !f }' "$1"; }
probe_stop() {
	local pid=$PROBE_PID
	[[ -n $pid ]] || return 0
	alive "$pid" && kill -INT "$pid" 2>/dev/null
	wait_until 5 dead "$pid" || { kill -KILL "$pid" 2>/dev/null; }
	wait "$pid" 2>/dev/null
	PROBE_PID=""
}
probe_analyze() { "$RIPOSTE_PROBE" --analyze "$1" --fault-at "$2" --json; }

# ------------------------------------------------------------------ the whole lab
# seed_lab [--bfd] [--timers "U T G"] [SERVER-LINE...]: the topology with
# switches, riposte-dns on s1 and s2, riposted on r1, r2, s1 and s2 (the
# servers with the default service block changed by SERVER-LINEs), then
# waits until both services are up and c1 is answered by s1 with r1 and r2
# each holding an alternate.  Returns 1 (with a message) when a step fails.
seed_lab() {
	local -a ropt=() sopt=()
	while (($#)); do
		case $1 in
		--bfd) ropt+=(--bfd); sopt+=(--bfd) ;;
		--timers) ropt+=(--timers "$2"); sopt+=(--timers "$2"); shift ;;
		*) sopt+=("$1") ;;
		esac
		shift
	done
	local n
	seed_topology --bridge || { echo "seed_lab: topology" >&2; return 1; }
	for n in s1 s2; do seed_dns "$n" || return 1; done
	for n in r1 r2; do seed_riposted_router "$n" "${ropt[@]}" || return 1; done
	for n in s1 s2; do seed_riposted_server "$n" "${sopt[@]}" || return 1; done
	wait_all 15 s1 'svc_is s1 up' s2 'svc_is s2 up' ||
		{ echo "seed_lab: services not up within 15 s: s1 $(svc_state s1), s2 $(svc_state s2)" >&2; return 1; }
	wait_converged -t 20 -n s1 -a ||
		{ echo "seed_lab: not converged within 20 s (c1 answered by '$(anycast_node)')" >&2; return 1; }
}

# probe_say JSON: the analysis in one line.
probe_say() {
	say "$(jq -r '"queries \(.queries), answered \(.answered), failed \(.failed), late \(.late), takeover \(.takeover_ms) ms by \(.takeover_node), outage \(.outage_ms) ms, longest outage \(.longest_outage_ms) ms, failed after the fault \(.failed_after_fault), nodes \(.nodes | tojson), first \(.first_node), last \(.last_node), switches \(.switch_count // (.switches | length))"' <<<"$1")"
}
# probe_answers_from CSV FROM_US TO_US: the nodes that answered queries sent
# in [FROM_US, TO_US), sorted and unique, space separated.
probe_answers_from() {
	awk -F, -v a="$2" -v b="$3" 'NR > 1 && $2 >= a && $2 < b && $6 == "NOERROR" { print $5 }' "$1" | sort -u | paste -sd' ' -
}
# seed_kill SIGNAL PID...: signal processes this run started, wait until they
# are gone and reap them (quietly: no "Killed" notice from bash).
seed_kill() {
	local sig=$1 p; shift
	{
		kill -s "$sig" "$@"
		for p in "$@"; do wait_until 5 dead "$p"; done
		wait "$@"
	} 2>/dev/null
	return 0
}
