#!/usr/bin/env bash
# t_bfd.sh - BFD (RFC 5880/5881 single-hop) on real sockets: two bfd_pair
# programs (tests/netns/bfd_pair.c, one session each through bfd_mgr) over a
# veth, then bfd_pair against BIRD 2 and against FRR's bfdd.
#
#   A .1 ---- 10.0.1.0/24 ---- .2 B      bfd_pair <-> bfd_pair, 50 ms x 3
#   C .1 ---- 10.0.2.0/24 ---- .8 W      bfd_pair <-> BIRD (protocol bfd), 50 ms x 3
#   E .1 ---- 10.0.3.0/24 ---- .9 F      bfd_pair <-> FRR bfdd (zebra + bfdd), 100 ms
#
# bfd_pair prints "MS STATE diag=D remote=S remote_diag=D" per state change,
# MS being wall-clock milliseconds, so a detection time is that stamp minus
# the time of the kill taken here just before it.
# Checks, bfd_pair <-> bfd_pair: up within 2 s; negotiated 50 ms / 150 ms;
# a packet with TTL 64 is dropped and counted (RFC 5881 5), as are a
# malformed packet and one for no session; SIGKILL of one side -> the other
# Down with time-expired within 400 ms of the kill (detection time 150 ms);
# restart -> Up; a timer change (RFC 5880 6.8.3 poll sequence) keeps the
# session Up; SIGTERM -> the other Down at once with the peer's AdminDown
# (diag neighbor-down).
# With BIRD and with FRR: Up on both ends; the peer sees bfd_pair's SIGKILL
# (time from the peer's log, which has ms stamps; birdc's view lags) and its
# AdminDown; a timer change is acknowledged (our poll ends, still Up);
# bfd_pair sees the peer's SIGKILL.
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
# shellcheck disable=SC2317 # functions called through check/eval
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

BFD_PAIR=${BFD_PAIR:-$RIPOSTE_BUILD/tests/bfd_pair}
[[ -x $BFD_PAIR ]] || bail "no $BFD_PAIR (build first)"
DETECT_LIMIT_MS=${RPT_BFD_DETECT_MS:-400}
ADMIN_LIMIT_MS=${RPT_BFD_ADMIN_MS:-100}
FRR_DETECT_LIMIT_MS=${RPT_BFD_FRR_DETECT_MS:-500}   # FRR at 100 ms x 3
declare -A BPID=()

# start_pair NODE PEER LOCAL IF [INTERVAL_MS MULT]: bfd_pair in NODE, output
# appended to $T_DIR/NODE.bfd (stderr: NODE.bfd.err).
start_pair() {
	local n=$1 out=$T_DIR/$1.bfd
	# (ip netns exec directly: $! must be bfd_pair itself)
	ip netns exec "$(nsname "$n")" "$BFD_PAIR" "$2" "$3" "$4" "${5:-50}" "${6:-3}" \
		</dev/null >>"$out" 2>>"$out.err" {RPT_OUT}>&- {RPT_ERR}>&- &
	BPID[$n]=$!
	_track "${BPID[$n]}" "bfd_pair $n"
	T_LOGS+=("$out" "$out.err")
	wait_until 2 grep -q ' start$' "$out" || bail "bfd_pair in $n did not start: $(tail -n 3 "$out.err")"
}
# stop_pair NODE SIGNAL: signal it and reap it; STOP_RC = its exit status.
stop_pair() {
	local pid=${BPID[$1]}
	kill -s "$2" "$pid" 2>/dev/null
	wait_until 3 dead "$pid"
	wait "$pid" 2>/dev/null
	STOP_RC=$?
}
# kill_reap PID: SIGKILL a child of this shell and reap it, with the shell's
# "Killed" job report (which may come at either step) kept out of the output.
kill_reap() { { kill -KILL "$1"; wait "$1"; } 2>/dev/null; }
# ev_at NODE T0 REGEX: the stamp of the first event line at or after T0
# (ms) whose text after the stamp matches REGEX; fails when there is none.
ev_at() {
	awk -v t0="$2" -v re="$3" '$1 ~ /^[0-9]+$/ && $1 >= t0 && $2 != "stats" {
		s = $0; sub(/^[0-9]+ /, "", s); if (s ~ re) { print $1; found = 1; exit } }
		END { exit !found }' "$T_DIR/$1.bfd"
}
has_ev() { ev_at "$@" >/dev/null; }
# stats NODE: SIGUSR1, then the new "stats ..." line (and JSON after it).
stats() {
	local n=$1 before
	before=$(grep -c ' stats ' "$T_DIR/$n.bfd")
	kill -USR1 "${BPID[$n]}"
	wait_until 2 eval "(( \$(grep -c ' stats ' '$T_DIR/$n.bfd') > $before )) && grep -q '^{' <(tail -n 1 '$T_DIR/$n.bfd')" || return 1
	grep ' stats ' "$T_DIR/$n.bfd" | tail -n 1
}
stat_of() { # stat_of LINE KEY (a number the checks cannot mistake when missing)
	local w
	for w in $1; do [[ $w == "$2="* && ${w#*=} =~ ^[0-9]+$ ]] && { echo "${w#*=}"; return; }; done
	echo -1000000
}
last_json() { grep '^{' "$T_DIR/$1.bfd" | tail -n 1; }
# timers NODE: "tx_interval_ms detect_time_ms poll state" from a fresh dump.
timers() {
	stats "$1" >/dev/null && last_json "$1" |
		jq -r '.sessions[0] | "\(.tx_interval_ms) \(.detect_time_ms) \(.poll) \(.state)"'
}
# send_raw NODE DST TTL HEX: one UDP datagram to DST:3784 with that TTL.
send_raw() {
	nsx "$1" "$RPT_PY" -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, int(sys.argv[2]))
s.sendto(bytes.fromhex(sys.argv[3]), (sys.argv[1], 3784))' "$2" "$3" "$4"
}
# A BFD Down packet: version 1, state Down, mult 3, length 24, my discr
# 0x11111111, your discr as given, 1 s intervals.
bfd_down_hex() { echo "20400318" "11111111" "$1" "000f4240" "000f4240" "00000000" | tr -d ' '; }

# ====================================================== bfd_pair <-> bfd_pair
ns_router A B
link A B 10.0.1.1/24 10.0.1.2/24 || bail "link A-B"

T0=$(ms_now)
start_pair A 10.0.1.2 10.0.1.1 veth-AB
start_pair B 10.0.1.1 10.0.1.2 veth-BA
check_within 2 "A: session with B up" has_ev A "$T0" '^up '
check_within 2 "B: session with A up" has_ev B "$T0" '^up '
say "RESULT t_bfd pair_up_ms A=$(($(ev_at A "$T0" '^up ') - T0)) B=$(($(ev_at B "$T0" '^up ') - T0))"
sleep 0.5
stats A >/dev/null || not_ok "A: no stats after SIGUSR1"
check_eq "A: negotiated tx interval 50 ms, detection time 150 ms, poll done" "50 150 false up" \
	"$(last_json A | jq -r '.sessions[0] | "\(.tx_interval_ms) \(.detect_time_ms) \(.poll) \(.remote_state)"')"
check "A: show text lists the session as up" grep -q '^# 10\.0\.1\.2 .* veth-AB .* 10\.0\.1\.1 .* up ' "$T_DIR/A.bfd"

# ---- RFC 5881 5: TTL 64 is dropped and counted.  The packet is a Down from
# A's address with Your Discriminator 0: were it accepted, B would go Down.
before=$(stats B) || not_ok "B: no stats"
T1=$(ms_now)
send_raw A 10.0.1.2 64 "$(bfd_down_hex 00000000)"
send_raw A 10.0.1.2 255 "$(bfd_down_hex 22222222)"  # your discr unknown
send_raw A 10.0.1.2 255 "00400318111111110000000000000000000000000000000000"  # version 0
sleep 0.2
after=$(stats B) || not_ok "B: no stats"
check_eq "B: the TTL 64 packet was dropped and counted" 1 \
	$(($(stat_of "$after" drop_ttl) - $(stat_of "$before" drop_ttl)))
check_eq "B: the packet for an unknown discriminator was counted as no session" 1 \
	$(($(stat_of "$after" drop_no_session) - $(stat_of "$before" drop_no_session)))
check_eq "B: the version 0 packet was counted as a decode error" 1 \
	$(($(stat_of "$after" drop_decode) - $(stat_of "$before" drop_decode)))
check "B: JSON names the drop reasons" \
	eval "last_json B | jq -e '.drops[\"ttl not 255\"] == 1 and .drops[\"version not 1\"] == 1 and .drops[\"no session\"] == 1'"
check "B: still up (the TTL 64 Down was not taken)" eval "! has_ev B $T1 '^down '"
check_eq "A and B: no tx errors" "0 0" "$(stat_of "$(stats A)" tx_errors) $(stat_of "$after" tx_errors)"

# ---- SIGKILL: B is silent, A detects it (detection time 3 x 50 ms).
TK=$(ms_now)
kill_reap "${BPID[B]}"
if check_within 2 "A: down with diag time-expired after B was killed" has_ev A "$TK" '^down diag=time-expired'; then
	det=$(($(ev_at A "$TK" '^down diag=time-expired') - TK))
	check_le "A: detection within $DETECT_LIMIT_MS ms of the kill (ms)" "$det" "$DETECT_LIMIT_MS"
	say "RESULT t_bfd pair_kill_detect_ms=$det"
fi

# ---- restart B: up again
T2=$(ms_now)
start_pair B 10.0.1.1 10.0.1.2 veth-BA
check_within 3 "A: up again after B restarted" has_ev A "$T2" '^up '
check_within 3 "B: up again after its restart" has_ev B "$T2" '^up '

# ---- timer change on a running session (RFC 5880 6.8.3 poll sequence):
# A goes to 100 ms; both ends then use 100 ms and a 300 ms detection time,
# and the session never leaves Up.  Then back to 50 ms.
sleep 0.3
T3=$(ms_now)
kill -USR2 "${BPID[A]}"
check_within 2 "A and B: 100 ms / 300 ms after A's timer change" \
	eval '[[ "$(timers A) $(timers B)" == "100 300 false up 100 300 false up" ]]'
kill -USR2 "${BPID[A]}"
check_within 2 "A and B: back to 50 ms / 150 ms" \
	eval '[[ "$(timers A) $(timers B)" == "50 150 false up 50 150 false up" ]]'
check "A and B: no state change during the timer changes" \
	eval "! has_ev A $T3 '^(down|init|admindown) ' && ! has_ev B $T3 '^(down|init|admindown) '"

# ---- SIGTERM: B sends AdminDown, A goes down at once with neighbor-down.
sleep 0.3
TT=$(ms_now)
stop_pair B TERM
check_eq "B: exits 0 on SIGTERM" 0 "$STOP_RC"
check "B: printed its stats and exit line" grep -q ' exit$' "$T_DIR/B.bfd"
if check_within 1 "A: down with diag neighbor-down, remote admindown after B's SIGTERM" \
	has_ev A "$TT" '^down diag=neighbor-down remote=admindown remote_diag=admin-down'; then
	adm=$(($(ev_at A "$TT" '^down ') - TT))
	check_le "A: AdminDown seen within $ADMIN_LIMIT_MS ms of the SIGTERM (ms)" "$adm" "$ADMIN_LIMIT_MS"
	say "RESULT t_bfd pair_admindown_ms=$adm"
fi
check "A: no time-expired after the SIGTERM (AdminDown, not a failure)" eval "! has_ev A $TT 'time-expired'"
stop_pair A TERM
check_eq "A: exits 0 on SIGTERM" 0 "$STOP_RC"

# =============================================================== BIRD 2
# BIRD's `protocol bfd` with a `neighbor`: a session of its own, no RIP.
ns_router C W
link C W 10.0.2.1/24 10.0.2.8/24 || bail "link C-W"
cat >"$T_DIR/W.bird.conf" <<EOF
log "$T_DIR/W.bird.log" all;
timeformat log "%F %T.%3f";
router id 10.0.2.8;
protocol device { scan time 2; }
protocol bfd bfd1 {
  debug { states, events };
  interface "*" { interval 50 ms; multiplier 3; };
  neighbor 10.0.2.1 dev "veth-WC";
}
EOF
# bird_bfd: BIRD's state of the session with 10.0.2.1 (Up, Down, Init ...).
bird_bfd() { birdc_n W show bfd sessions 2>/dev/null | awk '$1 == "10.0.2.1" { print $3; exit }'; }
bird_is() { [[ $(bird_bfd) == "$1" ]]; }
# bird_down_at T0: epoch ms of BIRD's first "changed state from Up to Down"
# at or after T0, from its log (local time, ms precision).  birdc's view
# lags the BFD thread by tens of ms, so the times come from the log.
bird_down_at() {
	local d t l ms
	while read -r d t l; do
		[[ $l == *"Session to 10.0.2.1 changed state from Up to Down"* ]] || continue
		ms=$(date -d "$d $t" +%s%3N 2>/dev/null) || continue
		((ms >= $1)) && { echo "$ms"; return 0; }
	done <"$T_DIR/W.bird.log"
	return 1
}

if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
	say "SKIP BIRD interop: no bird/birdc"
else
	start_bird W "$T_DIR/W.bird.conf" || bail "start BIRD in W"
	T4=$(ms_now)
	start_pair C 10.0.2.8 10.0.2.1 veth-CW
	check_within 5 "C: up with BIRD" has_ev C "$T4" '^up '
	check_within 5 "BIRD: session with 10.0.2.1 Up" bird_is Up
	say "BIRD: $(birdc_n W show bfd sessions | grep '^10\.0\.2\.1 ')"
	check_within 2 "C: 50 ms / 150 ms with BIRD, poll done" \
		eval '[[ "$(timers C)" == "50 150 false up" ]]'

	# SIGKILL bfd_pair: BIRD detects it.
	sleep 0.3
	TK=$(ms_now)
	kill_reap "${BPID[C]}"
	if check_within 2 "BIRD: session Down after bfd_pair was killed" bird_is Down &&
		check_within 1 "BIRD: logged Up -> Down" bird_down_at "$TK"; then
		det=$(($(bird_down_at "$TK") - TK))
		check_le "BIRD: Down within $DETECT_LIMIT_MS ms of the kill (ms, BIRD's log)" "$det" "$DETECT_LIMIT_MS"
		say "RESULT t_bfd bird_kill_detect_ms=$det"
	fi
	say "BIRD: $(birdc_n W show bfd sessions | grep '^10\.0\.2\.1 ')"

	# Restart: up again; a timer change is acknowledged by BIRD.
	T5=$(ms_now)
	start_pair C 10.0.2.8 10.0.2.1 veth-CW
	check_within 5 "C: up again with BIRD" has_ev C "$T5" '^up '
	check_within 5 "BIRD: Up again" bird_is Up
	sleep 0.3
	T6=$(ms_now)
	kill -USR2 "${BPID[C]}"
	check_within 2 "C: 100 ms / 300 ms after a timer change with BIRD (poll answered)" \
		eval '[[ "$(timers C)" == "100 300 false up" ]]'
	check "BIRD: still Up after the timer change" bird_is Up
	check "C: no state change during the timer change" eval "! has_ev C $T6 '^(down|init) '"

	# SIGTERM bfd_pair: AdminDown, BIRD goes Down at once.
	TT=$(ms_now)
	stop_pair C TERM
	if check_within 2 "BIRD: session Down after bfd_pair's SIGTERM" bird_is Down &&
		check_within 1 "BIRD: logged Up -> Down" bird_down_at "$TT"; then
		adm=$(($(bird_down_at "$TT") - TT))
		check_le "BIRD: Down within $ADMIN_LIMIT_MS ms of bfd_pair's SIGTERM (AdminDown; ms, BIRD's log)" "$adm" "$ADMIN_LIMIT_MS"
		say "RESULT t_bfd bird_admindown_ms=$adm"
	fi

	# SIGKILL BIRD: bfd_pair detects it.
	T7=$(ms_now)
	start_pair C 10.0.2.8 10.0.2.1 veth-CW
	check_within 5 "C: up again with BIRD" has_ev C "$T7" '^up '
	sleep 0.5
	bp=$(bird_pid W)
	TK=$(ms_now)
	kill -KILL "$bp"
	if check_within 2 "C: down with time-expired after BIRD was killed" has_ev C "$TK" '^down diag=time-expired'; then
		det=$(($(ev_at C "$TK" '^down diag=time-expired') - TK))
		check_le "C: BIRD's death detected within $DETECT_LIMIT_MS ms (ms)" "$det" "$DETECT_LIMIT_MS"
		say "RESULT t_bfd bird_killed_detect_ms=$det"
	fi
	stop_pair C TERM
	check_eq "C: exits 0 on SIGTERM" 0 "$STOP_RC"
fi

# ============================================================ FRR bfdd
# zebra + bfdd (lib.sh's start_bfdd): own vty sockets, zserv socket and bfdd
# control socket in $T_DIR/frr-F; state changes logged with ms stamps (the
# detection time from bfdd's view).
ns_router E F
link E F 10.0.3.1/24 10.0.3.9/24 || bail "link E-F"
# frr_is STATE: bfdd's state of the peer 10.0.3.1 is STATE (up, down, init ...).
frr_is() { [[ $(bfdd_state F 10.0.3.1) == "$1" ]]; }
frr_peer() { bfdd_peer F 10.0.3.1; }
# frr_down_at T0 REASON: epoch ms of bfdd's first "up -> down reason:REASON"
# at or after T0, from its log.
frr_down_at() { bfdd_down_at F 10.0.3.1 "$@"; }

if [[ ! -x $FRR_DIR/bfdd || ! -x $FRR_DIR/zebra ]] || ! command -v vtysh >/dev/null; then
	say "SKIP FRR interop: no $FRR_DIR/bfdd, zebra or vtysh"
else
	start_bfdd F 10.0.3.1 veth-FE || bail "start zebra + bfdd in F"
	T8=$(ms_now)
	start_pair E 10.0.3.9 10.0.3.1 veth-EF 100 3
	check_within 5 "E: up with FRR bfdd" has_ev E "$T8" '^up '
	check_within 5 "FRR: peer 10.0.3.1 up" frr_is up
	check_within 2 "E: 100 ms / 300 ms with FRR, poll done" \
		eval '[[ "$(timers E)" == "100 300 false up" ]]'
	say "FRR: $(frr_peer)"

	sleep 0.3
	TK=$(ms_now)
	kill_reap "${BPID[E]}"
	if check_within 2 "FRR: peer down after bfd_pair was killed" frr_is down &&
		check_within 1 "FRR: logged up -> down reason:control-expired" frr_down_at "$TK" control-expired; then
		det=$(($(frr_down_at "$TK" control-expired) - TK))
		check_le "FRR: down within $FRR_DETECT_LIMIT_MS ms of the kill (detection time 300 ms; ms, bfdd's log)" \
			"$det" "$FRR_DETECT_LIMIT_MS"
		say "RESULT t_bfd frr_kill_detect_ms=$det"
	fi
	say "FRR: $(frr_peer)"

	T9=$(ms_now)
	start_pair E 10.0.3.9 10.0.3.1 veth-EF 100 3
	check_within 5 "E: up again with FRR" has_ev E "$T9" '^up '
	check_within 5 "FRR: up again" frr_is up
	sleep 0.3
	T10=$(ms_now)
	kill -USR2 "${BPID[E]}"
	check_within 2 "E: 200 ms / 600 ms after a timer change with FRR (poll answered)" \
		eval '[[ "$(timers E)" == "200 600 false up" ]]'
	check "FRR: still up after the timer change" frr_is up
	check "E: no state change during the timer change" eval "! has_ev E $T10 '^(down|init) '"

	TT=$(ms_now)
	stop_pair E TERM
	if check_within 2 "FRR: peer down after bfd_pair's SIGTERM" frr_is down &&
		check_within 1 "FRR: logged up -> down reason:neighbor-down" frr_down_at "$TT" neighbor-down; then
		adm=$(($(frr_down_at "$TT" neighbor-down) - TT))
		check_le "FRR: down within $ADMIN_LIMIT_MS ms of bfd_pair's SIGTERM (AdminDown; ms, bfdd's log)" \
			"$adm" "$ADMIN_LIMIT_MS"
		say "RESULT t_bfd frr_admindown_ms=$adm"
	fi
	say "FRR: $(frr_peer)"
	check "FRR: remote diagnostic administratively down" \
		eval "frr_peer | jq -e '.\"remote-diagnostic\" == \"administratively down\"'"

	T11=$(ms_now)
	start_pair E 10.0.3.9 10.0.3.1 veth-EF 100 3
	check_within 5 "E: up again with FRR" has_ev E "$T11" '^up '
	sleep 0.5
	TK=$(ms_now)
	kill_reap "$BFDD_PID"
	if check_within 2 "E: down with time-expired after bfdd was killed" has_ev E "$TK" '^down diag=time-expired'; then
		det=$(($(ev_at E "$TK" '^down diag=time-expired') - TK))
		check_le "E: bfdd's death detected within $FRR_DETECT_LIMIT_MS ms (detection time 300 ms; ms)" \
			"$det" "$FRR_DETECT_LIMIT_MS"
		say "RESULT t_bfd frr_killed_detect_ms=$det"
	fi
	stop_pair E TERM
	check_eq "E: exits 0 on SIGTERM" 0 "$STOP_RC"
fi

for f in "$T_DIR"/*.bfd.err; do
	check "$(basename "$f" .err): no sanitizer report" \
		eval "! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:' '$f'"
done

t_done
