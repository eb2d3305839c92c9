#!/usr/bin/env bash
# t_auth.sh - RIP authentication against FRR 8.4's ripd (keyed MD5, both
# auth lengths, both directions) and BIRD 2 (HMAC-SHA-256, RFC 4822); a
# captured packet replayed is dropped as an old sequence number; a key
# rollover (two keys overlapping, the first expires) loses no route; a
# wrong key loses the route and is counted.
#
#   r1_stub0 --- r1 (riposted) ---- f1 (FRR ripd) --- f1_stub0
#   10.1.1.0/24    | 10.0.21.1      10.0.21.9         10.9.9.0/24
#                  +--------------- b1 (BIRD 2)  ---- b1_stub0
#                    10.0.22.1      10.0.22.8         10.8.8.0/24
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"
PY=$(dirname "$0")/ripauth.py
# FRR reads key lifetimes in local time, riposted in UTC: make them one.
export TZ=UTC

ns_router r1 f1 b1
link r1 f1 10.0.21.1/24 10.0.21.9/24 || bail "link r1-f1"
link r1 b1 10.0.22.1/24 10.0.22.8/24 || bail "link r1-b1"
stub r1 stub0 10.1.1.1/24 10.1.1.2 || bail "stub r1"
stub f1 stub0 10.9.9.1/24 10.9.9.2 || bail "stub f1"
stub b1 stub0 10.8.8.1/24 10.8.8.2 || bail "stub b1"
T=${RPT_CONVERGE_S:-20}

# date_frr EPOCH: "HH:MM:SS Mon D YYYY", the lifetime syntax of both.
date_frr() { date -u -d "@$1" '+%H:%M:%S %b %-d %Y'; }

# r1's config: FRR_KEYS is the `key chain frr` body, $1 the MD5 auth-length.
FRR_KEYS=$' key 1\n  key-string s3cret'
write_r1() {
	riposted_conf r1
	cat >>"$T_DIR/r1.conf" <<EOF
key chain frr
$FRR_KEYS
!
key chain bird
 key 1
  key-string b1rdkey
  cryptographic-algorithm hmac-sha-256
!
interface veth-r1f1
 ip rip authentication mode md5 auth-length $1
 ip rip authentication key-chain frr
!
interface veth-r1b1
 ip rip authentication mode md5
 ip rip authentication key-chain bird
!
EOF
}
reload_r1() { write_r1 "$1"; kill -HUP "$(riposted_pid r1)"; sleep 0.5; }

mkdir -p "$T_DIR/frr-f1"
cat >"$T_DIR/frr-f1/ripd.conf" <<EOF
hostname f1
key chain frr
 key 1
  key-string s3cret
!
interface veth-f1r1
 ip rip authentication mode md5 auth-length rfc
 ip rip authentication key-chain frr
!
router rip
 version 2
 network 10.0.0.0/8
 timers basic 5 15 10
!
EOF
start_frr f1 || bail "start FRR (zebra + ripd) in f1"
bird_conf b1 "veth-*" 'authentication cryptographic; password "b1rdkey" { algorithm hmac sha256; id 1; };'
start_bird b1 || bail "start BIRD in b1"
write_r1 rfc
# FRR's first datagrams to us, to say below what they were.
nsx r1 timeout 12 tcpdump -i veth-r1f1 -U -c 4 -w "$T_DIR/start.pcap" 'udp port 520 and src host 10.0.21.9' >/dev/null 2>&1 &
sleep 0.5
start_riposted r1 || bail "start riposted in r1"
ok "FRR, BIRD and riposted started"

# capture IF SRC: the next RIP datagram SRC sends on r1's IF, as ripauth.py shows it.
capture() {
	local f=$T_DIR/cap.$RANDOM.pcap
	nsx r1 timeout 15 tcpdump -i "$1" -U -c 1 -w "$f" "udp port 520 and src host $2" >/dev/null 2>&1
	python3 "$PY" show "$f" | head -n 1
}
# nbr_drop NODE NEIGHBOUR REASON: that neighbour's count of dropped packets for REASON.
nbr_drop() {
	rctl "$1" show neighbors --json |
		jq --arg a "$2" --arg r "$3" '[.neighbors[] | select(.address == $a) | .bad_packets[$r] // 0] | add // 0'
}
frr_bad() { vtysh_n f1 'show ip rip status' | awk '$1 == "10.0.21.1" { print $2 + $3 }'; }

# ---- keyed MD5 with FRR, auth-length rfc; HMAC-SHA-256 with BIRD
check_within "$T" "riposted learned FRR's 10.9.9.0/24 over MD5" has_kroute r1 10.9.9.0/24 proto "$RP" via 10.0.21.9
check_within "$T" "FRR learned riposted's 10.1.1.0/24 over MD5" has_kroute f1 10.1.1.0/24 proto rip via 10.0.21.1
check_within "$T" "riposted learned BIRD's 10.8.8.0/24 over HMAC-SHA-256" has_kroute r1 10.8.8.0/24 proto "$RP" via 10.0.22.8
check_within "$T" "BIRD learned riposted's 10.1.1.0/24 over HMAC-SHA-256" has_kroute b1 10.1.1.0/24 proto bird via 10.0.22.1
ours=$(capture veth-r1f1 10.0.21.1)
frr_old=$(capture veth-r1f1 10.0.21.9)
say "riposted -> FRR: ${ours% *}"
say "FRR -> riposted: ${frr_old% *}"
check_eq "riposted sends keyed MD5, key 1, Auth Data Len 16 (auth-length rfc)" "3 1 16" "$(cut -d' ' -f2-4 <<<"$ours")"
check_eq "FRR sends keyed MD5, key 1, Auth Data Len 16 (auth-length rfc)" "3 1 16" "$(cut -d' ' -f2-4 <<<"$frr_old")"
ours=$(capture veth-r1b1 10.0.22.1)
bird=$(capture veth-r1b1 10.0.22.8)
say "riposted -> BIRD: ${ours% *}"
say "BIRD -> riposted: ${bird% *}"
check_eq "riposted sends HMAC-SHA-256 to BIRD: key 1, Auth Data Len 32" "3 1 32" "$(cut -d' ' -f2-4 <<<"$ours")"
check_eq "BIRD sends HMAC-SHA-256: key 1, Auth Data Len 32" "3 1 32" "$(cut -d' ' -f2-4 <<<"$bird")"
# FRR 8.4 sends its whole-table request at start without authentication
# (command 1, auth type 0 in the capture below, every run); we drop and
# count it ("authentication missing", RFC 2453 4.1).  Nothing
# authenticated is refused.
miss0=$(nbr_drop r1 10.0.21.9 "authentication missing")
say "unauthenticated datagrams from FRR at its start: $miss0"
wait_until 12 test -s "$T_DIR/start.pcap"
python3 "$PY" show "$T_DIR/start.pcap" | while read -r src typ kid alen seq hex; do
	say "FRR's datagram at start: command ${hex:0:2} auth type $typ key $kid len $alen seq $seq"
done
check_le "at most one unauthenticated datagram from FRR, at its start" "$miss0" 1
check_eq "riposted refuses no authenticated packet from FRR" "$miss0" "$(nbr_bad r1 10.0.21.9)"
check_eq "riposted counts no bad packets from BIRD" 0 "$(nbr_bad r1 10.0.22.8)"
check_eq "FRR counts no bad packets from riposted" 0 "$(frr_bad)"
check "BIRD lists riposted as a RIP neighbour" eval "birdc_n b1 show rip neighbors | grep -q '^10\.0\.22\.1 '"

# ---- both sides to auth-length old-ripd (FRR's default): 20 on the wire, still accepted
vtysh_n f1 'configure terminal' 'interface veth-f1r1' 'ip rip authentication mode md5 auth-length old-ripd' >/dev/null
reload_r1 old-ripd
ours=$(capture veth-r1f1 10.0.21.1)
frr=$(capture veth-r1f1 10.0.21.9)
check_eq "riposted sends Auth Data Len 20 (auth-length old-ripd)" "3 1 20" "$(cut -d' ' -f2-4 <<<"$ours")"
check_eq "FRR sends Auth Data Len 20 (auth-length old-ripd)" "3 1 20" "$(cut -d' ' -f2-4 <<<"$frr")"
sleep 6
check "riposted still has FRR's route (old-ripd)" has_kroute r1 10.9.9.0/24 proto "$RP" via 10.0.21.9
check "FRR still has riposted's route (old-ripd)" has_kroute f1 10.1.1.0/24 proto rip via 10.0.21.1
check_eq "no bad packets either way with old-ripd" "$miss0 0" "$(nbr_bad r1 10.0.21.9) $(frr_bad)"

# ---- replay: FRR's first captured datagram again, from FRR's address and port
seq_old=$(cut -d' ' -f5 <<<"$frr_old")
seq_new=$(cut -d' ' -f5 <<<"$frr")
say "replaying FRR's datagram with sequence number $seq_old (FRR is at $seq_new)"
nsx f1 python3 "$PY" send 10.0.21.9 10.0.21.1 "${frr_old##* }"
check_within 3 "the replayed datagram is dropped: 'sequence number decreased' 1" \
	eval '[[ $(nbr_drop r1 10.0.21.9 "sequence number decreased") == 1 ]]'
check_eq "nothing else was dropped" $((miss0 + 1)) "$(nbr_bad r1 10.0.21.9)"

# ---- rollover: key 1 ends in 20 s, key 2 starts in 6 s, on both sides
now=$(date +%s)
k1="$(date_frr $((now - 60))) $(date_frr $((now + 20)))"
k2="$(date_frr $((now + 6))) infinite"
vtysh_n f1 'configure terminal' 'key chain frr' 'key 1' "accept-lifetime $k1" "send-lifetime $k1" \
	'exit' 'key 2' 'key-string n3wkey' "accept-lifetime $k2" "send-lifetime $k2" >/dev/null
FRR_KEYS=$' key 1\n  key-string s3cret\n  accept-lifetime '"$k1"$'\n  send-lifetime '"$k1"$'\n key 2\n  key-string n3wkey\n  accept-lifetime '"$k2"$'\n  send-lifetime '"$k2"
reload_r1 old-ripd
say "rollover: key 1 until $(date_frr $((now + 20))), key 2 from $(date_frr $((now + 6)))"
miss=0 samples=0
while (($(date +%s) < now + 28)); do
	has_kroute r1 10.9.9.0/24 proto "$RP" via 10.0.21.9 || miss=$((miss + 1))
	has_kroute f1 10.1.1.0/24 proto rip via 10.0.21.1 || miss=$((miss + 1))
	samples=$((samples + 1))
	sleep 0.25
done
check_eq "no route lost during the rollover ($samples samples of both routes over 28 s)" 0 "$miss"
ours=$(capture veth-r1f1 10.0.21.1)
frr=$(capture veth-r1f1 10.0.21.9)
check_eq "riposted sends with key 2 after key 1 expired" 2 "$(cut -d' ' -f3 <<<"$ours")"
check_eq "FRR sends with key 2 after key 1 expired" 2 "$(cut -d' ' -f3 <<<"$frr")"
check_eq "no drops during the rollover (the replay's 1 only)" $((miss0 + 1)) "$(nbr_bad r1 10.0.21.9)"
check_eq "FRR counts no bad packets from riposted during the rollover" 0 "$(frr_bad)"

# ---- an expired key: FRR's packets signed with key 1 now are refused
nsx f1 python3 "$PY" send 10.0.21.9 10.0.21.1 "${frr_old##* }"
check_within 3 "a datagram signed with the expired key 1 is dropped: 'no valid key'" \
	eval '[[ $(nbr_drop r1 10.0.21.9 "no valid key") == 1 ]]'

# ---- a wrong key: FRR's key 2 changes; the route times out, the drops are counted
vtysh_n f1 'configure terminal' 'key chain frr' 'key 2' 'key-string wr0ng' >/dev/null
check_within 25 "riposted dropped FRR's route after FRR's key changed" no_kroute r1 10.9.9.0/24
check_within 25 "FRR dropped riposted's route too" no_kroute f1 10.1.1.0/24
# Counted in the totals: once FRR's route is gone and nothing valid comes
# from it, the neighbour expires with its own counters.
check_gt "riposted counts 'authentication failed' from FRR" \
	"$(rctl r1 show status --json | jq '.drops["authentication failed"]')" 0
say "drops from FRR: $(rctl r1 show neighbors --json | jq -c '.neighbors[] | select(.address == "10.0.21.9") | .bad_packets')"
check "riposted still has BIRD's route" has_kroute r1 10.8.8.0/24 proto "$RP" via 10.0.22.8

check "riposted still running" alive "$(riposted_pid r1)"
t_done
