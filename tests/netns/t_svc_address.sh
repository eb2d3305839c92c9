#!/usr/bin/env bash
# t_svc_address.sh - a service address is announced only while the kernel
# confirms it on its interface.
#
#   c1 -- r1 ---- r2        riposted on r1, r2, s1, s2; riposte-dns on s1, s2
#         |[sw1]  |[sw2]    c1 probes 10.128.224.2 at 100 q/s (riposte-probe)
#         s1      s2
#
# (a) s1 gets a second service `web` (10.128.224.9/32) whose `interface`
#     eth9 does not exist: `riposted --check` warns, the service is never
#     announced (r1 and r2 never learn 10.128.224.9/32, in their table or
#     in the kernel) and `show services` says why.  Then eth9 appears (a
#     veth pair): the address is added, confirmed, the service comes up and
#     c1 is answered through 10.128.224.9 by s1.
# (b) `ip addr del 10.128.224.2/32 dev lo` on s1 while c1 queries it:
#     riposted withdraws the service at once (urgent) and adds the address
#     again; the kernel confirms it and the service is announced again, all
#     within 1000 ms; c1 keeps being answered (by s1, or s2 for the few
#     milliseconds in between) and ends with s1.
# shellcheck disable=SC2016,SC2119 # single-quoted strings are eval'd later, on purpose; seed_lab takes no arguments here
set -u
# shellcheck source=tests/netns/seed.sh
. "$(dirname "$0")/seed.sh"

RATE=${RPT_PROBE_RATE:-100}
LIMIT_MS=${RPT_TAKEOVER_LIMIT_MS:-1000}
WEB=10.128.224.9

seed_lab || bail "lab: topology, riposte-dns and riposted on r1 r2 s1 s2, converged"
ok "lab converged: c1 answered by s1, r1 and r2 hold alternates"

# ---- (a) an interface that does not exist
stop_riposted s1 || not_ok "riposted on s1 did not stop on SIGTERM"
_seed_conf s1 server --top "service web" --top " address $WEB/32" --top " interface eth9" \
	--top " check dns 127.0.0.1 test.home A" --top " interval 200ms" --top " rise 2"
W=$(nsx s1 "$RIPOSTED" -c "$T_DIR/s1.conf" --check 2>&1)
say "riposted --check: $(tr '\n' '|' <<<"$W")"
check "riposted --check warns that eth9 does not exist on s1" grep -q 'service web: interface eth9 does not exist' <<<"$W"
check "riposted --check still says the configuration is OK" grep -q 'configuration OK' <<<"$W"
seed_start_server s1 || bail "riposted on s1 with service web on eth9"
check_within 10 "s1's service dns up again" svc_is s1 up dns
check_within 20 "c1 answered by s1 again" _seed_converged s1 1
sleep 2   # ten check rounds of web, all passing
JS=$(svc_json s1)
say "s1 web: $(jq -c '.services[] | select(.name == "web")' <<<"$JS")"
check_eq "web is not announced" false "$(pj "$JS" '.services[] | select(.name == "web") | .announced')"
check_eq "web is not up" init "$(pj "$JS" '.services[] | select(.name == "web") | .state')"
check_eq "show services says why" "interface eth9 does not exist" \
	"$(pj "$JS" '.services[] | select(.name == "web") | .reason')"
check "its checks pass all the same" jq -e '.services[] | select(.name == "web") | .checks[0].last == "pass"' <<<"$JS"
check "the text form says why too" eval 'rctl s1 show services web | grep -q "not announced: interface eth9 does not exist"'
check "s1 logged it once" eval '(( $(grep -c "service web: interface eth9 does not exist" "$T_DIR/s1.riposted.log") == 1 ))'
check "s1 announces nothing for $WEB" eval '! rctl s1 show routes --json | jq -e --arg p "$WEB/32" "[.routes[] | select(.prefix == \$p and .metric < 16)] | length > 0" >/dev/null'
for r in r1 r2; do
	check "$r never learned $WEB/32 (its table)" eval "[[ -z \$(rt_paths $r $WEB/32) ]]"
	check "$r never learned $WEB/32 (the kernel)" no_kroute "$r" "$WEB/32"
done

T_IF=$(us_now)
ipn s1 link add eth9 type veth peer name eth9p || bail "veth eth9 in s1"
ipn s1 link set eth9p up && ipn s1 link set eth9 up
check_within 2 "web comes up once eth9 exists" svc_is s1 up web
UP_MS=$((($(us_now) - T_IF) / 1000))
say "web up $UP_MS ms after eth9 appeared"
check "s1 added $WEB/32 to eth9" has_addr s1 "$WEB/32" eth9
check_eq "reason cleared" null "$(svc_field s1 '.services[] | select(.name == "web") | .reason')"
check_eq "address present" true "$(svc_field s1 '.services[] | select(.name == "web") | .address_present')"
check_within 5 "r1 routes $WEB/32 via s1" has_kroute r1 "$WEB/32" via 10.128.5.2
check_within 5 "r2 learned $WEB/32" has_kroute r2 "$WEB/32"
check_within 3 "c1 is answered through $WEB by s1" eval '[[ $(nsx c1 dig +short +time=1 +tries=1 @$WEB id.server CH TXT) == "\"s1\"" ]]'

# ---- (b) the address deleted by hand
LOG_BEFORE=$(wc -l <"$T_DIR/s1.riposted.log")
CSV=$T_DIR/probe.csv
probe_start "$ANYCAST" "$RATE" "$CSV" || bail "probe in c1"
sleep 2
FAULT=$(us_now)
ipn s1 addr del "$ANYCAST/32" dev lo || bail "ip addr del on s1"
wait_until 2 eval 'has_addr s1 $ANYCAST/32 && [[ $(svc_field s1 ".services[0].announced") == true ]]'
BACK_MS=$((($(us_now) - FAULT) / 1000))
say "address back and the service announced again $BACK_MS ms after ip addr del (polled every 50 ms)"
check_le "re-added and announced again within $LIMIT_MS ms (ms)" "$BACK_MS" "$LIMIT_MS"
check_eq "s1's service is up" up "$(svc_state s1)"
check_eq "the service was withdrawn once for it" 1 "$(svc_field s1 '.services[] | select(.name == "dns") | .withdrawals')"
NEWLOG=$(tail -n +$((LOG_BEFORE + 1)) "$T_DIR/s1.riposted.log")
say "s1's log since: $(grep 'service dns' <<<"$NEWLOG" | tr '\n' '|')"
check "one line for the loss: missing, withdrawn, adding it again" \
	grep -q "service dns: address $ANYCAST/32 missing on lo, adding it again, up -> down" <<<"$NEWLOG"
check "one line for the return" grep -q "service dns: address $ANYCAST/32 present on lo, down -> up" <<<"$NEWLOG"
sleep 2
probe_stop
AN=$(probe_analyze "$CSV" "$FAULT") || bail "probe --analyze"
probe_say "$AN"
say "RESULT t_svc_address readd_ms=$BACK_MS failed=$(pj "$AN" .failed) outage_ms=$(pj "$AN" .outage_ms) web_up_ms=$UP_MS"
# A query that reaches s1 between `ip addr del` and the re-add has no address
# to be answered from; nothing on s1 can save it.  What riposted owes is a
# short window: at most the queries sent while the address was gone (plus
# one in flight), never an outage that outlasts the re-add.
MAXLOST=$((RATE * (BACK_MS + 50) / 1000 + 1))
check_le "failed queries bounded by the time the address was gone ($BACK_MS ms at $RATE q/s)" \
	"$(pj "$AN" .failed)" "$MAXLOST"
check_le "no outage longer than the re-add window (ms)" "$(pj "$AN" '(.outage_ms // 0) | floor')" "$LIMIT_MS"
check "every answer after the fault came from s1 or s2" eval '[[ $(probe_answers_from "$CSV" "$FAULT" $(us_now)) =~ ^(s1|s2|s1\ s2)$ ]]'
check_eq "the last answer came from s1" s1 "$(pj "$AN" .last_node)"

for n in r1 r2 s1 s2; do check "riposted on $n still running" alive "$(riposted_pid "$n")"; done
t_done
