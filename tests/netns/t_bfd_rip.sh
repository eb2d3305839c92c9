#!/usr/bin/env bash
# t_bfd_rip.sh - riposted's BFD for RIP (`ip rip bfd`, `bfd interval 100
# multiplier 3`) against BIRD 2 (RIP with `bfd yes`) and FRR's bfdd.
#
#   r1_stub0 --- r1 (riposted) ------------ b1 (BIRD) --- b1_stub0
#   10.1.1.0/24    10.0.18.1    10.0.18.0/24   10.0.18.8   10.8.8.0/24
#
#   r2_stub0 --- r2 (riposted) ------------ f2 (zebra+ripd+bfdd) --- f2_stub0
#   10.2.2.0/24    10.0.19.1    10.0.19.0/24   10.0.19.9   10.9.9.0/24
#
# BIRD: the BFD session is up on both ends and each side has the other's stub
# in its kernel.  SIGKILL riposted (no goodbye): BIRD drops 10.1.1.0/24 from
# its kernel within $DETECT_LIMIT_MS of the kill (detection time 300 ms; the
# RIP timeout alone would take 15 s).  Restart riposted, routes back; SIGKILL
# BIRD: riposted logs "up -> down (...): its routes are invalid now" and
# drops 10.8.8.0/24 from its kernel within $DETECT_LIMIT_MS.
# FRR 8.4's ripd has no BFD: ripd only makes f2 a RIP neighbour that riposted
# hears (riposted starts sessions with the neighbours it hears), bfdd has a
# static `peer` for riposted.  Up on both ends; SIGKILL riposted -> bfdd down
# (control-expired) within $DETECT_LIMIT_MS; restart -> up again; SIGTERM
# riposted -> bfdd down with neighbor-down, remote diagnostic
# "administratively down", within $ADMIN_LIMIT_MS.
# Times of kernel route removals come from `ip -tshort monitor route` in the
# namespace, state changes from the daemons' logs (ms stamps); the kill time
# is taken just before the kill.
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
# shellcheck disable=SC2317 # functions called through check/eval
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

DETECT_LIMIT_MS=${RPT_BFD_RIP_DETECT_MS:-600}
ADMIN_LIMIT_MS=${RPT_BFD_RIP_ADMIN_MS:-200}
T=${RPT_CONVERGE_S:-15}

# kill_reap PID: SIGKILL a child of this shell and reap it, with the shell's
# "Killed" job report kept out of the output.
kill_reap() { { kill -KILL "$1"; wait "$1"; } 2>/dev/null; }

# log_at FILE T0 PATTERN: epoch ms of the first line of FILE at or after T0
# (ms) containing PATTERN (a fixed string); lines start "DATE TIME" with ms
# (riposted, after its "<N>" priority; BIRD with timeformat "%F %T.%3f"; FRR
# with precision 3).
log_at() {
	local d t l ms
	while read -r d t l; do
		d=${d#<[0-7]>} # riposted's syslog priority (stderr not a terminal: lib/log.c)
		ms=$(date -d "$d $t" +%s%3N 2>/dev/null) || continue
		((ms >= $2)) && { echo "$ms"; return 0; }
	done < <(grep -F -- "$3" "$1" 2>/dev/null)
	return 1
}
has_log() { log_at "$@" >/dev/null; }

# mon_start NODE: `ip -tshort monitor route` in NODE, into $T_DIR/NODE.mon.
mon_start() {
	ip netns exec "$(nsname "$1")" ip -tshort monitor route </dev/null >>"$T_DIR/$1.mon" 2>&1 \
		{RPT_OUT}>&- {RPT_ERR}>&- &
	_track "$!" "ip monitor $1"
}
# mon_del_at NODE PREFIX T0: epoch ms of the first deletion of PREFIX at or after T0.
mon_del_at() {
	local ts ms
	while read -r ts; do
		ms=$(date -d "$ts" +%s%3N 2>/dev/null) || continue
		((ms >= $3)) && { echo "$ms"; return 0; }
	done < <(sed -n "s|^\[\([^]]*\)\] Deleted ${2//./\\.} .*|\1|p" "$T_DIR/$1.mon")
	return 1
}

# rbfd NODE PEER [FIELD]: riposted's session with PEER (state by default).
rbfd() {
	rctl "$1" show bfd --json 2>/dev/null |
		jq -r --arg p "$2" --arg f "${3:-state}" '.sessions[] | select(.peer == $p) | .[$f]' 2>/dev/null
}
rbfd_is() { [[ $(rbfd "$1" "$2") == "$3" ]]; }
# bfd_iface NODE IFNAME: append riposted's BFD interface block to NODE.conf.
bfd_iface() {
	printf 'interface %s\n ip rip bfd\n bfd interval 100 multiplier 3\n!\n' "$2" >>"$T_DIR/$1.conf"
}

# ====================================================== riposted <-> BIRD 2
have_bird=1
command -v bird >/dev/null && command -v birdc >/dev/null || have_bird=0
if ((have_bird == 0)); then
	say "SKIP BIRD: no bird/birdc"
else
	ns_router r1 b1
	link r1 b1 10.0.18.1/24 10.0.18.8/24 || bail "link r1-b1"
	stub r1 stub0 10.1.1.1/24 10.1.1.2 || bail "stub r1"
	stub b1 stub0 10.8.8.1/24 10.8.8.2 || bail "stub b1"

	cat >"$T_DIR/b1.bird.conf" <<EOF
log "$T_DIR/b1.bird.log" all;
timeformat log "%F %T.%3f";
router id 10.0.18.8;
protocol device { scan time 2; }
protocol direct { ipv4; interface "*"; }
protocol kernel {
  ipv4 { import none; export where source = RTS_RIP; };
}
protocol bfd bfd1 {
  debug { states, events };
  interface "*" { interval 100 ms; multiplier 3; };
}
protocol rip rip4 {
  debug { states, events };
  ipv4 { import all; export all; };
  interface "veth-*" { update time 5; timeout time 15; garbage time 10; bfd yes; };
}
EOF
	# bird_bfd: BIRD's state of its session with 10.0.18.1 (Up, Down, Init ...).
	bird_bfd() { birdc_n b1 show bfd sessions 2>/dev/null | awk '$1 == "10.0.18.1" { print $3; exit }'; }
	bird_is() { [[ $(bird_bfd) == "$1" ]]; }
	riposted_conf r1
	bfd_iface r1 veth-r1b1
	mon_start b1
	mon_start r1

	start_bird b1 || bail "start BIRD in b1"
	start_riposted r1 || bail "start riposted in r1"
	check_within "$T" "riposted installed BIRD's stub 10.8.8.0/24 (proto $RP via 10.0.18.8)" \
		has_kroute r1 10.8.8.0/24 proto "$RP" via 10.0.18.8
	check_within "$T" "BIRD installed riposted's stub 10.1.1.0/24 (proto bird via 10.0.18.1)" \
		has_kroute b1 10.1.1.0/24 proto bird via 10.0.18.1
	check_within 5 "riposted: BFD session with 10.0.18.8 up" rbfd_is r1 10.0.18.8 up
	check_within 5 "BIRD: BFD session with 10.0.18.1 Up" bird_is Up
	check_eq "riposted: session on veth-r1b1, remote up, 100 ms / 300 ms" "veth-r1b1 up 100 300" \
		"$(rctl r1 show bfd --json | jq -r '.sessions[] | select(.peer == "10.0.18.8") | "\(.interface) \(.remote_state) \(.tx_interval_ms) \(.detect_time_ms)"')"
	say "riposted: $(rctl r1 show bfd --json | jq -c '.sessions[0] | {peer, interface, state, remote_state, diag, tx_interval_ms, detect_time_ms}')"
	say "BIRD: $(birdc_n b1 show bfd sessions | grep '^10\.0\.18\.1 ')"

	# ---- SIGKILL riposted: no goodbye, no AdminDown; BIRD's BFD must see it.
	sleep 0.5
	TK=$(ms_now)
	kill_reap "$(riposted_pid r1)"
	# (BIRD's RIP drops the neighbour and its BFD request when the session
	# goes down, so BIRD removes the session: Down or gone from the list.)
	check_within 3 "BIRD: BFD session no longer Up after riposted was killed" eval '! bird_is Up'
	if check_within 3 "BIRD removed 10.1.1.0/24 from its kernel after riposted was killed" \
		no_kroute b1 10.1.1.0/24 &&
		check_within 1 "ip monitor in b1 saw the deletion of 10.1.1.0/24" mon_del_at b1 10.1.1.0/24 "$TK"; then
		det=$(($(mon_del_at b1 10.1.1.0/24 "$TK") - TK))
		check_le "BIRD: 10.1.1.0/24 gone from its kernel within $DETECT_LIMIT_MS ms of the kill (RIP timeout: 15 s)" \
			"$det" "$DETECT_LIMIT_MS"
		say "RESULT t_bfd_rip bird_route_drop_ms=$det (kill -> kernel deletion in b1)"
	fi
	if check_within 1 "BIRD logged its session to 10.0.18.1 Up -> Down" \
		has_log "$T_DIR/b1.bird.log" "$TK" "Session to 10.0.18.1 changed state from Up to Down"; then
		bd=$(log_at "$T_DIR/b1.bird.log" "$TK" "Session to 10.0.18.1 changed state from Up to Down")
		say "RESULT t_bfd_rip bird_bfd_down_ms=$((bd - TK)) (kill -> BIRD's log)"
	fi
	check "BIRD's RIP dropped riposted on the BFD event (log: BFD session down for nbr 10.0.18.1)" \
		has_log "$T_DIR/b1.bird.log" "$TK" "BFD session down for nbr 10.0.18.1"

	# ---- restart riposted: session and routes come back.
	start_riposted r1 || bail "restart riposted in r1"
	check_within "$T" "riposted (restarted) learned 10.8.8.0/24 metric 2 via 10.0.18.8" \
		rt_has r1 10.8.8.0/24 2 10.0.18.8
	check_within "$T" "riposted (restarted) installed 10.8.8.0/24 again" \
		has_kroute r1 10.8.8.0/24 proto "$RP" via 10.0.18.8
	check_within "$T" "BIRD re-learned 10.1.1.0/24 after riposted's restart" \
		has_kroute b1 10.1.1.0/24 proto bird via 10.0.18.1
	check_within 5 "riposted: BFD session with 10.0.18.8 up again" rbfd_is r1 10.0.18.8 up
	check_within 5 "BIRD: BFD session Up again" bird_is Up

	# ---- SIGKILL BIRD: riposted must invalidate BIRD's routes at once.
	sleep 0.5
	bp=$(bird_pid b1)
	TK=$(ms_now)
	kill -KILL "$bp"
	check_within 3 "riposted: BFD session with 10.0.18.8 down after BIRD was killed" rbfd_is r1 10.0.18.8 down
	check_eq "riposted: diag time-expired" time-expired "$(rbfd r1 10.0.18.8 diag)"
	if check_within 1 "riposted logged 'up -> down (...): its routes are invalid now'" \
		has_log "$T_DIR/r1.riposted.log" "$TK" "bfd 10.0.18.8 on veth-r1b1: up -> down"; then
		ln=$(grep -F "bfd 10.0.18.8 on veth-r1b1: up -> down" "$T_DIR/r1.riposted.log" | tail -n 1)
		say "riposted: ${ln}"
		check "riposted: the log line says its routes are invalid now" \
			eval "grep -F 'bfd 10.0.18.8 on veth-r1b1: up -> down' '$T_DIR/r1.riposted.log' | tail -n 1 | grep -q 'its routes are invalid now'"
		rd=$(log_at "$T_DIR/r1.riposted.log" "$TK" "bfd 10.0.18.8 on veth-r1b1: up -> down")
		say "RESULT t_bfd_rip riposted_bfd_down_ms=$((rd - TK)) (kill -> riposted's log)"
	fi
	if check_within 3 "riposted removed 10.8.8.0/24 from its kernel after BIRD was killed" \
		no_kroute r1 10.8.8.0/24 &&
		check_within 1 "ip monitor in r1 saw the deletion of 10.8.8.0/24" mon_del_at r1 10.8.8.0/24 "$TK"; then
		det=$(($(mon_del_at r1 10.8.8.0/24 "$TK") - TK))
		check_le "riposted: 10.8.8.0/24 gone from its kernel within $DETECT_LIMIT_MS ms of BIRD's kill (RIP timeout: 15 s)" \
			"$det" "$DETECT_LIMIT_MS"
		say "RESULT t_bfd_rip riposted_route_drop_ms=$det (kill -> kernel deletion in r1)"
	fi
	check "riposted: 10.8.8.0/24 no longer active in its RIB" rt_lacks r1 10.8.8.0/24
	check "riposted still running" alive "$(riposted_pid r1)"
	stop_riposted r1
	check_eq "riposted (r1) exits 0 on SIGTERM" 0 "$STOP_RC"
fi

# ============================================================ FRR bfdd
# zebra + ripd (lib.sh's start_frr) + bfdd (lib.sh's start_bfdd), all with
# their vty sockets in $T_DIR/frr-f2.
frr_is() { [[ $(bfdd_state f2 10.0.19.1) == "$1" ]]; }
frr_peer() { bfdd_peer f2 10.0.19.1; }
# frr_down_at T0 REASON: epoch ms of bfdd's first "up -> down reason:REASON" for 10.0.19.1 at or after T0.
frr_down_at() { bfdd_down_at f2 10.0.19.1 "$@"; }

if [[ ! -x $FRR_DIR/bfdd || ! -x $FRR_DIR/zebra || ! -x $FRR_DIR/ripd ]] || ! command -v vtysh >/dev/null; then
	say "SKIP FRR: no $FRR_DIR/bfdd, zebra, ripd or vtysh"
else
	ns_router r2 f2
	link r2 f2 10.0.19.1/24 10.0.19.9/24 || bail "link r2-f2"
	stub r2 stub0 10.2.2.1/24 10.2.2.2 || bail "stub r2"
	stub f2 stub0 10.9.9.1/24 10.9.9.2 || bail "stub f2"
	frr_conf f2
	start_frr f2 || bail "start zebra + ripd in f2"
	start_bfdd f2 10.0.19.1 veth-f2r2 || bail "start bfdd in f2"
	riposted_conf r2
	bfd_iface r2 veth-r2f2
	start_riposted r2 || bail "start riposted in r2"

	check_within "$T" "riposted learned FRR's stub 10.9.9.0/24 (via ripd, so f2 is a RIP neighbour)" \
		has_kroute r2 10.9.9.0/24 proto "$RP" via 10.0.19.9
	check_within 5 "riposted: BFD session with 10.0.19.9 up" rbfd_is r2 10.0.19.9 up
	check_within 5 "FRR bfdd: peer 10.0.19.1 up" frr_is up
	check_eq "riposted: remote up, 100 ms / 300 ms with bfdd" "up 100 300" \
		"$(rctl r2 show bfd --json | jq -r '.sessions[] | select(.peer == "10.0.19.9") | "\(.remote_state) \(.tx_interval_ms) \(.detect_time_ms)"')"
	say "FRR: $(frr_peer)"

	# ---- SIGKILL riposted: bfdd detects it.
	sleep 0.5
	TK=$(ms_now)
	kill_reap "$(riposted_pid r2)"
	if check_within 3 "FRR bfdd: peer down after riposted was killed" frr_is down &&
		check_within 1 "FRR bfdd: logged up -> down reason:control-expired" frr_down_at "$TK" control-expired; then
		det=$(($(frr_down_at "$TK" control-expired) - TK))
		check_le "FRR bfdd: down within $DETECT_LIMIT_MS ms of riposted's kill (ms, bfdd's log)" "$det" "$DETECT_LIMIT_MS"
		say "RESULT t_bfd_rip frr_kill_detect_ms=$det"
	fi
	say "FRR: $(frr_peer)"

	# ---- restart riposted: up again.
	start_riposted r2 || bail "restart riposted in r2"
	check_within "$T" "riposted (restarted): BFD session with 10.0.19.9 up again" rbfd_is r2 10.0.19.9 up
	check_within 5 "FRR bfdd: peer up again" frr_is up
	check_within "$T" "riposted (restarted) installed 10.9.9.0/24 again" \
		has_kroute r2 10.9.9.0/24 proto "$RP" via 10.0.19.9

	# ---- SIGTERM riposted: AdminDown, bfdd goes down at once.
	sleep 0.5
	TT=$(ms_now)
	stop_riposted r2 TERM
	check_eq "riposted (r2) exits 0 on SIGTERM" 0 "$STOP_RC"
	if check_within 3 "FRR bfdd: peer down after riposted's SIGTERM" frr_is down &&
		check_within 1 "FRR bfdd: logged up -> down reason:neighbor-down" frr_down_at "$TT" neighbor-down; then
		adm=$(($(frr_down_at "$TT" neighbor-down) - TT))
		check_le "FRR bfdd: AdminDown seen within $ADMIN_LIMIT_MS ms of riposted's SIGTERM (ms, bfdd's log)" \
			"$adm" "$ADMIN_LIMIT_MS"
		say "RESULT t_bfd_rip frr_admindown_ms=$adm (riposted took $STOP_MS ms to exit)"
	fi
	say "FRR: $(frr_peer)"
	check "FRR bfdd: remote diagnostic administratively down" \
		eval "frr_peer | jq -e '.\"remote-diagnostic\" == \"administratively down\"'"
	check "FRR bfdd: no control-expired after the SIGTERM (AdminDown, not a failure)" \
		eval "! frr_down_at $TT control-expired"
fi

t_done
