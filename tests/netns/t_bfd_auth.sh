#!/usr/bin/env bash
# t_bfd_auth.sh - BFD authentication (RFC 5880 6.7, `bfd authentication TYPE
# key-chain NAME`) against BIRD 2 and between two riposted, and what it is
# for: a spoofed BFD Down from the peer's address.
#
#   r1_stub0 --- r1 (riposted) ------------ b1 (BIRD 2) --- b1_stub0
#   10.1.1.0/24    10.0.31.1    10.0.31.0/24  10.0.31.8     10.8.8.0/24
#
#   r2_stub0 --- r2 (riposted) ------------ r3 (riposted) --- r3_stub0
#   10.2.2.0/24    10.0.32.1    10.0.32.0/24  10.0.32.3     10.3.3.0/24
#
# r1 <-> BIRD, meticulous keyed SHA1 (`authentication meticulous keyed sha1`
# in BIRD's protocol bfd): the session comes up on both ends and the routes
# are exchanged.  A spoofed Down (python3, a UDP datagram from b1's address
# to 10.0.31.1:3784 with TTL 255 and the session's discriminators), once
# without authentication and once with a forged SHA1 digest, changes
# nothing: r1's session stays Up, BIRD's route stays, riposted logs no
# "up -> down", and both drops are counted by reason.
# r2 <-> r3, keyed MD5: up; the same spoof changes nothing; a wrong key on
# r3 (reload) -> the session goes down and does not come up again for 4 s
# while both count "authentication failed"; the right key -> up again.
# Then authentication off on both (reload): the same spoof does take r2's
# session down, which is what proves the spoof is a real one.
# Last, every type against BIRD with bfd_pair (tests/netns/bfd_pair.c, key id
# 3): up on both ends; a wrong key: never up on either end.
#
#   p1 (bfd_pair) 10.0.33.1 ---- 10.0.33.0/24 ---- 10.0.33.8 w1 (BIRD 2)
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
# shellcheck disable=SC2317 # functions called through check/eval
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

T=${RPT_CONVERGE_S:-15}
SHA_KEY=bfd-sha1-secret-0001   # 20 octets: the longest keyed SHA1 takes
MD5_KEY=bfd-md5-key

# log_has FILE T0 STRING: FILE has a line at or after T0 (ms) containing STRING
# (riposted's log lines start "DATE TIME" with ms).
log_has() {
	local d t l ms
	while read -r d t l; do
		d=${d#<[0-7]>} # riposted's syslog priority (stderr not a terminal: lib/log.c)
		ms=$(date -d "$d $t" +%s%3N 2>/dev/null) || continue
		((ms >= $2)) && return 0
	done < <(grep -F -- "$3" "$1" 2>/dev/null)
	return 1
}
# rbfd NODE PEER [FIELD]: riposted's session with PEER (state by default).
rbfd() {
	rctl "$1" show bfd --json 2>/dev/null |
		jq -r --arg p "$2" --arg f "${3:-state}" '.sessions[] | select(.peer == $p) | .[$f]' 2>/dev/null
}
rbfd_is() { [[ $(rbfd "$1" "$2") == "$3" ]]; }
# rdrop NODE REASON: riposted's count of BFD packets dropped for REASON.
rdrop() { rctl "$1" show bfd --json 2>/dev/null | jq -r --arg r "$2" '.drops[$r] // 0'; }
# transitions NODE PEER: the session's state changes so far.
transitions() { rbfd "$1" "$2" transitions; }

# spoof NODE DST MY YOUR MODE: from NODE (so from its address), a BFD Down
# with diag neighbor-down to DST:3784 with TTL 255.  MODE: none (no A bit),
# sha1 or md5 (A bit, key id 1, a digest made with the wrong key), simple
# (a wrong password).
spoof() {
	nsx "$1" "$RPT_PY" - "$2" "$3" "$4" "$5" <<'PY'
import hashlib, socket, struct, sys
dst, my, your, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def mand(flags, length):
    # version 1, diag 3 (neighbor down), state Down, mult 3, 1 s intervals
    return struct.pack('>BBBBIIIII', (1 << 5) | 3, (1 << 6) | flags, 3, length, my, your,
                       1000000, 1000000, 0)
if mode == 'none':
    pkt = mand(0, 24)
elif mode == 'simple':
    pw = b'not-the-password'
    pkt = mand(0x04, 24 + 3 + len(pw)) + bytes([1, 3 + len(pw), 1]) + pw
else:
    t, dlen, h = (5, 20, hashlib.sha1) if mode == 'sha1' else (2, 16, hashlib.md5)
    body = mand(0x04, 24 + 8 + dlen) + bytes([t, 8 + dlen, 1, 0]) + struct.pack('>I', 12345)
    pkt = body + h(body + b'wrong-key'.ljust(dlen, b'\0')).digest()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)
s.sendto(pkt, (dst, 3784))
PY
}
# spoof_session NODE PEERNODE PEERADDR MODE: spoof a Down from PEERNODE to
# NODE's session with PEERADDR, with that session's discriminators.
spoof_session() {
	local my your dst
	my=$(rbfd "$1" "$3" remote_discr) your=$(rbfd "$1" "$3" local_discr)
	dst=$(rbfd "$1" "$3" local)
	[[ $my =~ ^[0-9]+$ && $your =~ ^[0-9]+$ && $my != 0 ]] || return 1
	spoof "$2" "$dst" "$my" "$your" "$4"
}

# ====================================================== riposted <-> BIRD 2
if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
	say "SKIP BIRD: no bird/birdc"
else
	ns_router r1 b1
	link r1 b1 10.0.31.1/24 10.0.31.8/24 || bail "link r1-b1"
	stub r1 stub0 10.1.1.1/24 10.1.1.2 || bail "stub r1"
	stub b1 stub0 10.8.8.1/24 10.8.8.2 || bail "stub b1"
	cat >"$T_DIR/b1.bird.conf" <<EOF
log "$T_DIR/b1.bird.log" all;
timeformat log "%F %T.%3f";
router id 10.0.31.8;
protocol device { scan time 2; }
protocol direct { ipv4; interface "*"; }
protocol kernel {
  ipv4 { import none; export where source = RTS_RIP; };
}
protocol bfd bfd1 {
  debug { states, events };
  interface "*" {
    interval 100 ms; multiplier 3;
    authentication meticulous keyed sha1;
    password "$SHA_KEY" { id 1; };
  };
}
protocol rip rip4 {
  ipv4 { import all; export all; };
  interface "veth-*" { update time 5; timeout time 15; garbage time 10; bfd yes; };
}
EOF
	bird_bfd() { birdc_n b1 show bfd sessions 2>/dev/null | awk '$1 == "10.0.31.1" { print $3; exit }'; }
	bird_is() { [[ $(bird_bfd) == "$1" ]]; }
	riposted_conf r1
	cat >>"$T_DIR/r1.conf" <<EOF
key chain bfd
 key 1
  key-string $SHA_KEY
!
interface veth-r1b1
 ip rip bfd
 bfd interval 100 multiplier 3
 bfd authentication meticulous-keyed-sha1 key-chain bfd
!
EOF
	start_bird b1 || bail "start BIRD in b1"
	start_riposted r1 || bail "start riposted in r1"
	check_within "$T" "riposted installed BIRD's stub 10.8.8.0/24" \
		has_kroute r1 10.8.8.0/24 proto "$RP" via 10.0.31.8
	check_within "$T" "BIRD installed riposted's stub 10.1.1.0/24" \
		has_kroute b1 10.1.1.0/24 proto bird via 10.0.31.1
	check_within 5 "riposted: BFD session with BIRD up (meticulous keyed SHA1)" rbfd_is r1 10.0.31.8 up
	check_within 5 "BIRD: BFD session with 10.0.31.1 Up" bird_is Up
	check_eq "riposted: the session authenticates with meticulous-keyed-sha1, key chain bfd, no drops" \
		"meticulous-keyed-sha1 bfd 0" \
		"$(rctl r1 show bfd --json | jq -r '.sessions[0] | "\(.authentication) \(.key_chain) \(.rx_auth_drops)"')"
	say "riposted: $(rctl r1 show bfd --json | jq -c '.sessions[0] | {peer, state, remote_state, authentication, rx_packets, rx_auth_drops, tx_packets}')"
	say "BIRD: $(birdc_n b1 show bfd sessions | grep '^10\.0\.31\.1 ')"
	check "BIRD logged no authentication failure" eval "! grep -qi 'authentication' '$T_DIR/b1.bird.log'"

	# ---- the spoofed Downs from BIRD's address
	sleep 0.5
	miss0=$(rdrop r1 "authentication missing") fail0=$(rdrop r1 "authentication failed")
	tr0=$(transitions r1 10.0.31.8)
	TS=$(ms_now)
	check "spoofed Down without authentication sent from b1" spoof_session r1 b1 10.0.31.8 none
	check "spoofed Down with a forged SHA1 digest sent from b1" spoof_session r1 b1 10.0.31.8 sha1
	sleep 1
	check_eq "riposted: the unauthenticated Down was counted (authentication missing)" 1 \
		$(($(rdrop r1 "authentication missing") - miss0))
	check_eq "riposted: the forged Down was counted (authentication failed)" 1 \
		$(($(rdrop r1 "authentication failed") - fail0))
	check_eq "riposted: the session never left up (transitions unchanged)" "$tr0 up" \
		"$(transitions r1 10.0.31.8) $(rbfd r1 10.0.31.8)"
	check "riposted: no 'up -> down' logged after the spoof" \
		eval "! log_has '$T_DIR/r1.riposted.log' $TS 'bfd 10.0.31.8 on veth-r1b1: up -> down'"
	check "riposted: BIRD's route 10.8.8.0/24 kept" has_kroute r1 10.8.8.0/24 proto "$RP" via 10.0.31.8
	check "riposted: the session's rx_auth_drops is 2" eval '[[ $(rbfd r1 10.0.31.8 rx_auth_drops) == 2 ]]'
	check "BIRD: still Up" bird_is Up
	stop_riposted r1
	check_eq "riposted (r1) exits 0 on SIGTERM" 0 "$STOP_RC"
fi

# ================================================= riposted <-> riposted
ns_router r2 r3
link r2 r3 10.0.32.1/24 10.0.32.3/24 || bail "link r2-r3"
stub r2 stub0 10.2.2.1/24 10.2.2.2 || bail "stub r2"
stub r3 stub0 10.3.3.1/24 10.3.3.2 || bail "stub r3"
# write_conf NODE IFNAME SECRET|off: riposted's config, BFD keyed MD5 with SECRET.
write_conf() {
	riposted_conf "$1"
	if [[ $3 == off ]]; then
		printf 'interface %s\n ip rip bfd\n bfd interval 100 multiplier 3\n!\n' "$2" >>"$T_DIR/$1.conf"
		return
	fi
	cat >>"$T_DIR/$1.conf" <<EOF
key chain bfd
 key 1
  key-string $3
!
interface $2
 ip rip bfd
 bfd interval 100 multiplier 3
 bfd authentication keyed-md5 key-chain bfd
!
EOF
}
reload() { write_conf "$1" "$2" "$3"; kill -HUP "$(riposted_pid "$1")"; }
write_conf r2 veth-r2r3 "$MD5_KEY"
write_conf r3 veth-r3r2 "$MD5_KEY"
start_riposted r2 || bail "start riposted in r2"
start_riposted r3 || bail "start riposted in r3"
check_within "$T" "r2 installed r3's stub 10.3.3.0/24" has_kroute r2 10.3.3.0/24 proto "$RP" via 10.0.32.3
check_within 5 "r2: BFD session with r3 up (keyed MD5)" rbfd_is r2 10.0.32.3 up
check_within 5 "r3: BFD session with r2 up (keyed MD5)" rbfd_is r3 10.0.32.1 up
check_eq "r2: the session authenticates with keyed-md5" keyed-md5 "$(rbfd r2 10.0.32.3 authentication)"

# ---- spoofed Downs from r3's address
sleep 0.5
miss0=$(rdrop r2 "authentication missing") fail0=$(rdrop r2 "authentication failed")
tr0=$(transitions r2 10.0.32.3)
TS=$(ms_now)
check "spoofed Down without authentication sent from r3" spoof_session r2 r3 10.0.32.3 none
check "spoofed Down with a forged MD5 digest sent from r3" spoof_session r2 r3 10.0.32.3 md5
sleep 1
check_eq "r2: the unauthenticated Down was counted" 1 $(($(rdrop r2 "authentication missing") - miss0))
check_eq "r2: the forged Down was counted" 1 $(($(rdrop r2 "authentication failed") - fail0))
check_eq "r2: the session never left up" "$tr0 up" "$(transitions r2 10.0.32.3) $(rbfd r2 10.0.32.3)"
check "r2: no 'up -> down' logged after the spoof" \
	eval "! log_has '$T_DIR/r2.riposted.log' $TS 'bfd 10.0.32.3 on veth-r2r3: up -> down'"
check "r2: r3's route 10.3.3.0/24 kept" has_kroute r2 10.3.3.0/24 proto "$RP" via 10.0.32.3

# ---- a wrong key on r3: down, and not up again while it is wrong
fail0=$(rdrop r2 "authentication failed")
TW=$(ms_now)
reload r3 veth-r3r2 wrong-md5-key
check_within 3 "r2: session down after r3's key changed" rbfd_is r2 10.0.32.3 down
check_within 3 "r3: session down after its key changed" eval '! rbfd_is r3 10.0.32.1 up'
check "r2: logged 'up -> down' (its routes are invalid now)" \
	log_has "$T_DIR/r2.riposted.log" "$TW" "bfd 10.0.32.3 on veth-r2r3: up -> down"
tr1=$(transitions r2 10.0.32.3)
sleep 4
check_eq "r2: the session did not come up with the wrong key (4 s)" "$tr1 down" \
	"$(transitions r2 10.0.32.3) $(rbfd r2 10.0.32.3)"
check "r3: nor on r3's side" eval '! rbfd_is r3 10.0.32.1 up'
check_gt "r2: r3's packets counted as authentication failed" \
	$(($(rdrop r2 "authentication failed") - fail0)) 3
check_gt "r3: r2's packets counted as authentication failed" "$(rdrop r3 "authentication failed")" 3
say "r2: $(rctl r2 show bfd --json | jq -c '{drops, s: (.sessions[0] | {state, rx_packets, rx_auth_drops})}')"

# ---- the right key again: up again
reload r3 veth-r3r2 "$MD5_KEY"
check_within 8 "r2: up again with the right key" rbfd_is r2 10.0.32.3 up
check_within 3 "r3: up again with the right key" rbfd_is r3 10.0.32.1 up

# ---- without authentication the same spoof tears the session down
reload r2 veth-r2r3 off
reload r3 veth-r3r2 off
check_within 8 "r2: session up without authentication" \
	eval '[[ "$(rbfd r2 10.0.32.3 authentication) $(rbfd r2 10.0.32.3)" == "none up" ]]'
check_within 3 "r3: session up without authentication" rbfd_is r3 10.0.32.1 up
sleep 1
tr0=$(transitions r2 10.0.32.3)
TS=$(ms_now)
check "spoofed Down without authentication sent from r3" spoof_session r2 r3 10.0.32.3 none
check_within 2 "r2: without authentication the spoofed Down took the session down" \
	log_has "$T_DIR/r2.riposted.log" "$TS" "bfd 10.0.32.3 on veth-r2r3: up -> down"
check_gt "r2: the session changed state after the spoof" "$(transitions r2 10.0.32.3)" "$tr0"

stop_riposted r2
check_eq "riposted (r2) exits 0 on SIGTERM" 0 "$STOP_RC"
stop_riposted r3
check_eq "riposted (r3) exits 0 on SIGTERM" 0 "$STOP_RC"

# ========================================= every type: bfd_pair <-> BIRD 2
BFD_PAIR=${BFD_PAIR:-$RIPOSTE_BUILD/tests/bfd_pair}
if ! command -v bird >/dev/null || ! command -v birdc >/dev/null || [[ ! -x $BFD_PAIR ]]; then
	say "SKIP BIRD with every type: no bird/birdc or no $BFD_PAIR"
else
	ns_router p1 w1
	link p1 w1 10.0.33.1/24 10.0.33.8/24 || bail "link p1-w1"
	# w1_conf BIRD-TYPE KEY: BIRD's protocol bfd with a session to 10.0.33.1.
	w1_conf() {
		cat >"$T_DIR/w1.bird.conf" <<EOF
log "$T_DIR/w1.bird.log" all;
router id 10.0.33.8;
protocol device { scan time 2; }
protocol bfd bfd1 {
  interface "*" { interval 100 ms; multiplier 3; authentication $1; password "$2" { id 3; }; };
  neighbor 10.0.33.1 dev "veth-w1p1";
}
EOF
	}
	w1_bfd() { birdc_n w1 show bfd sessions 2>/dev/null | awk '$1 == "10.0.33.1" { print $3; exit }'; }
	# pair_run TYPE KEY: bfd_pair in p1 until pair_stop; its output in $PAIR_OUT.
	pair_run() {
		PAIR_OUT=$T_DIR/p1.$1.$2.bfd
		ip netns exec "$(nsname p1)" "$BFD_PAIR" 10.0.33.8 10.0.33.1 veth-p1w1 100 3 3784 "$1" 3 "$2" \
			</dev/null >>"$PAIR_OUT" 2>>"$PAIR_OUT.err" {RPT_OUT}>&- {RPT_ERR}>&- &
		PAIR_PID=$!
		_track "$PAIR_PID" "bfd_pair p1 $1"
		T_LOGS+=("$PAIR_OUT" "$PAIR_OUT.err")
	}
	pair_stop() { kill -TERM "$PAIR_PID" 2>/dev/null; wait_until 3 dead "$PAIR_PID"; wait "$PAIR_PID" 2>/dev/null; }
	first=1
	for t in simple keyed-md5 meticulous-keyed-md5 keyed-sha1 meticulous-keyed-sha1; do
		key=bird-$t
		key=${key:0:16}
		w1_conf "${t//-/ }" "$key"
		if ((first)); then
			start_bird w1 || bail "start BIRD in w1"
			first=0
		else
			birdc_n w1 configure >/dev/null || not_ok "BIRD: configure for $t"
		fi
		pair_run "$t" "$key"
		check_within 5 "bfd_pair ($t) up with BIRD" grep -q ' up ' "$PAIR_OUT"
		check_within 5 "BIRD: session Up ($t)" eval '[[ $(w1_bfd) == Up ]]'
		pair_stop
		check_within 3 "BIRD: session no longer Up after bfd_pair's AdminDown ($t)" eval '[[ $(w1_bfd) != Up ]]'
	done
	# The wrong key: neither end comes up.
	pair_run meticulous-keyed-sha1 wrong-key
	sleep 4
	check "bfd_pair with a wrong key: never up with BIRD" eval "! grep -q ' up ' '$PAIR_OUT'"
	check "BIRD: never Up with a wrong key" eval '[[ $(w1_bfd) != Up ]]'
	kill -USR1 "$PAIR_PID"
	wait_until 2 grep -q '^{' "$PAIR_OUT"
	check_gt "bfd_pair: BIRD's packets counted as authentication failed" \
		"$(grep '^{' "$PAIR_OUT" | tail -n 1 | jq -r '.drops["authentication failed"] // 0')" 0
	pair_stop
fi

t_done
