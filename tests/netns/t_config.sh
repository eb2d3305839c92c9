#!/usr/bin/env bash
# t_config.sh - riposted's config front end as a user meets it:
#   --check on the seed's ripd.conf (section 4.2 of the starting document)
#   and on a config using every statement we support: exit 0;
#   --check on broken configs: exit 1 and "FILE:LINE: message";
#   --print: the canonical form passes --check and prints itself again;
#   the daemon refuses to start on a broken config;
#   SIGHUP with a broken config keeps the old one, with a good one applies it.
# shellcheck disable=SC2016 # single-quoted strings are eval'd later, on purpose
set -u
# shellcheck source=tests/netns/lib.sh
. "$(dirname "$0")/lib.sh"

[[ -x $RIPOSTED ]] || bail "no $RIPOSTED (build first)"
C=$T_DIR/conf
mkdir -p "$C"

# ---- the seed's ripd.conf
SEED=$RPT_ROOT/tests/conf/seed-ripd.conf
if [[ ! -f $SEED ]]; then
	SEED=$C/seed-ripd.conf
	cat >"$SEED" <<'EOF'
hostname xenial1
password password
log stdout
router rip
 version 2
 network 10.128.0.0/16
 network lo:0
 network eth1
EOF
fi
out=$("$RIPOSTED" -c "$SEED" --check 2>&1)
rc=$?
check_eq "--check accepts the seed's ripd.conf (exit status; output: ${out//$'\n'/ | })" 0 "$rc"

# ---- every statement of the dialect we support
cat >"$C/full.conf" <<EOF
! every statement riposted supports, FRR ripd.conf dialect
hostname full
password zebra
enable password zebra
log file $T_DIR/full.log debugging
!
router rip
 version 2
 network 10.0.0.0/8
 network 192.168.1.0/24
 network eth1
 neighbor 10.0.0.2
 passive-interface default
 no passive-interface eth1
 redistribute connected metric 2
 redistribute static
 redistribute kernel metric 3
 default-information originate
 default-metric 2
 timers basic 5 15 10
 allow-ecmp
!
interface eth1
 ip rip split-horizon poisoned-reverse
 ip rip send version 2
 ip rip receive version 2
!
interface eth2
 no ip rip split-horizon
!
interface eth3
 ip rip split-horizon
 ip address 10.3.0.1/24
!
line vty
# a shell-style comment
EOF
out=$("$RIPOSTED" -c "$C/full.conf" --check 2>&1)
rc=$?
check_eq "--check accepts every supported statement (exit status; output: ${out//$'\n'/ | })" 0 "$rc"

# ---- broken configs: exit 1, "FILE:LINE:" in the message
broken() { # broken NAME LINE DESCRIPTION <<< config text
	local f=$C/$1.conf out rc
	cat >"$f"
	out=$("$RIPOSTED" -c "$f" --check 2>&1)
	rc=$?
	if [[ $rc == 1 && $out == *"$f:$2:"* ]]; then
		ok "--check rejects $3 with $1.conf:$2: (${out//$'\n'/ | })"
	else
		not_ok "--check on $3: expected exit 1 and '$f:$2:', got exit $rc: ${out//$'\n'/ | }"
	fi
}
broken unknown 5 "an unknown statement" <<'EOF'
hostname bad
router rip
 version 2
 network 10.0.0.0/8
 frobnicate 7
!
EOF
broken prefix 3 "a prefix length of 33" <<'EOF'
router rip
 version 2
 network 10.0.0.0/33
EOF
broken metric 4 "default-metric 17" <<'EOF'
! comment
router rip
 network 10.0.0.0/8
 default-metric 17
EOF
broken neighbor 3 "a bad neighbour address" <<'EOF'
router rip
 network 10.0.0.0/8
 neighbor 10.0.0.300
EOF
broken timers 7 "a non-numeric timer" <<'EOF'
hostname t
# comment

router rip
 version 2
 network 10.0.0.0/8
 timers basic five 15 10
EOF
broken iface 4 "an unknown statement under interface" <<'EOF'
router rip
 network 10.0.0.0/8
interface eth0
 ip rip frobnicate
EOF
out=$("$RIPOSTED" -c "$C/does-not-exist.conf" --check 2>&1)
rc=$?
if [[ $rc != 0 && $out == *does-not-exist.conf* ]]; then ok "--check on a missing file fails and names it"; else not_ok "--check on a missing file: exit $rc: $out"; fi

# ---- --print round trip
roundtrip() { # roundtrip FILE
	local f=$1 b
	b=$(basename "$f" .conf)
	"$RIPOSTED" -c "$f" --print >"$C/$b.p1" 2>"$C/$b.p1.err" || { not_ok "--print $b: exit $? ($(head -c 300 "$C/$b.p1.err"))"; return; }
	if ! "$RIPOSTED" -c "$C/$b.p1" --check >/dev/null 2>&1; then not_ok "--print $b: the canonical form does not pass --check"; return; fi
	"$RIPOSTED" -c "$C/$b.p1" --print >"$C/$b.p2" 2>/dev/null
	if cmp -s "$C/$b.p1" "$C/$b.p2"; then ok "--print $b: canonical form passes --check and prints itself"; else
		not_ok "--print $b: printing the canonical form again differs: $(diff "$C/$b.p1" "$C/$b.p2" | head -5 | tr '\n' ' ')"; fi
}
roundtrip "$SEED"
roundtrip "$C/full.conf"
for f in "$RPT_ROOT"/tests/conf/*.conf; do
	[[ -f $f && $f != "$SEED" ]] || continue
	"$RIPOSTED" -c "$f" --check >/dev/null 2>&1 && roundtrip "$f"
done
check "--print of the full config keeps the timers" grep -q 'timers basic 5 15 10' "$C/full.p1"
check "--print of the full config keeps the networks" eval "grep -q 'network 10.0.0.0/8' '$C/full.p1' && grep -q 'network eth1' '$C/full.p1'"
check "--print of the full config keeps the interface settings" eval "grep -q 'no ip rip split-horizon' '$C/full.p1'"
check "--print of the seed keeps its networks" eval "grep -q 'network 10.128.0.0/16' '$C/seed-ripd.p1' && grep -q 'network eth1' '$C/seed-ripd.p1'"

# ---- the daemon itself refuses a broken config (in a namespace of ours: it must not touch the host)
ns_add c1
nsx c1 timeout 5 "$RIPOSTED" -c "$C/unknown.conf" -s "$T_DIR/c1-bad.ctl" -d </dev/null >"$T_DIR/c1-bad.log" 2>&1
rc=$?
if [[ $rc != 0 && $rc != 124 ]] && grep -q "$C/unknown.conf:5:" "$T_DIR/c1-bad.log"; then
	ok "riposted refuses to start on a broken config (exit $rc, file:line logged)"
else
	not_ok "riposted on a broken config: exit $rc (124 = still running after 5 s): $(head -c 300 "$T_DIR/c1-bad.log")"
fi

# ---- SIGHUP reload
riposted_conf c1
cp "$T_DIR/c1.conf" "$C/c1-good.conf"
start_riposted c1 || bail "start riposted in c1"
check_within 5 "status names c1" eval "rctl c1 show status --json | jq -e '.hostname == \"c1\"'"
cp "$C/unknown.conf" "$T_DIR/c1.conf"
kill -HUP "$(riposted_pid c1)"
sleep 1
check "after SIGHUP with a broken config riposted still runs" alive "$(riposted_pid c1)"
check "... keeps the old config (hostname c1)" eval "rctl c1 show status --json | jq -e '.hostname == \"c1\"'"
check "... and logs the error as file:line" grep -q "$T_DIR/c1.conf:5:" "$T_DIR/c1.riposted.log"
sed 's/^hostname c1$/hostname c1-reloaded/' "$C/c1-good.conf" >"$T_DIR/c1.conf"
kill -HUP "$(riposted_pid c1)"
check_within 5 "after SIGHUP with a good config the new hostname shows" \
	eval "rctl c1 show status --json | jq -e '.hostname == \"c1-reloaded\"'"
t_done
