#!/usr/bin/env bash
# scripts/setup.sh - install what riposte needs to build and test (Debian 12, as root).
#
# Idempotent and quick when everything is there: one dpkg-query, no network.
# Otherwise `apt-get update` once and `apt-get install` of the missing
# packages only.  FRR and BIRD are test peers, started by the tests inside
# network namespaces; the install must not start or enable their system-wide
# services, so a policy-rc.d that denies every start is in place while apt
# runs (Debian's invoke-rc.d asks it), and the services of packages this run
# installed are disabled afterwards.
set -euo pipefail

PKGS=(
	build-essential gcc clang meson ninja-build pkg-config    # build
	libev-dev libmnl-dev libcmocka-dev nettle-dev             # libraries
	frr bird2                                                  # RIP peers for the tests and the demo
	iproute2 tcpdump jq procps iputils-ping python3 coreutils  # the namespace tests
	libknot-dev                                                # riposte-dns: libzscanner
	knot knot-dnsutils nsd dnsutils python3-dnspython          # DNS peers and referees
	ldnsutils unbound                                          # DNSSEC: signing test zones, validating
	dnsperf bc                                                 # bench/dns.sh
	chromium                                                   # tests/lab/svg_render.sh
	scdoc mandoc groff-base man-db bsdextrautils               # man pages: build, lint (tests/man)
	systemd logrotate gdb util-linux                           # tests/install: systemd-analyze,
	                                                           # sysusers, tmpfiles; logrotate;
	                                                           # gdb (a stuck worker); setpriv
	libmicrohttpd-dev                                          # the metrics listener (HTTP)
	prometheus                                                 # promtool and the scrape test
	debhelper dpkg-dev lintian                                 # debian/: tests/install/t_deb.sh
)
SERVICES=(frr bird knot nsd unbound prometheus)   # services of the packages above

installed() { # the packages among "$@" that are installed, one a line
	dpkg-query -W -f='${Package} ${db:Status-Status}\n' "$@" 2>/dev/null | awk '$2 == "installed" { print $1 }'
}
mapfile -t have < <(installed "${PKGS[@]}")
missing=()
for p in "${PKGS[@]}"; do
	[[ " ${have[*]} " == *" $p "* ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
	echo "setup: all ${#PKGS[@]} packages present"
	exit 0
fi
echo "setup: installing ${missing[*]}"
if [[ $(id -u) != 0 ]]; then
	echo "setup: must run as root to install: ${missing[*]}" >&2
	exit 1
fi

# Keep apt from starting services: our own policy-rc.d (exit 101 = "action
# forbidden") unless one that already forbids is there; a different one is
# put aside and restored afterwards.
POLICY=/usr/sbin/policy-rc.d
SAVED=
restore_policy() { # only called when the policy-rc.d in place is ours
	rm -f -- "$POLICY"
	if [[ -n $SAVED ]]; then mv -f -- "$SAVED" "$POLICY"; fi
}
if [[ -x $POLICY ]] && { "$POLICY" frr start >/dev/null 2>&1; [[ $? == 101 ]]; }; then
	: # already forbids starting services
else
	if [[ -e $POLICY ]]; then SAVED=$POLICY.riposte-saved; mv -f -- "$POLICY" "$SAVED"; fi
	printf '#!/bin/sh\n# written by riposte scripts/setup.sh while apt runs; removed afterwards\nexit 101\n' >"$POLICY"
	chmod 755 "$POLICY"
	trap restore_policy EXIT
	trap 'exit 130' INT TERM
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -y -o DPkg::Lock::Timeout=300 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
apt-get "${apt_opts[@]}" update
apt-get "${apt_opts[@]}" install --no-install-recommends "${missing[@]}"

# Services of packages installed just now: not enabled at boot either.
for s in "${SERVICES[@]}"; do
	case " ${missing[*]} " in
	*" $s "* | *" ${s}2 "*) ;;
	*) continue ;;
	esac
	if command -v deb-systemd-helper >/dev/null 2>&1; then deb-systemd-helper disable "$s.service" >/dev/null 2>&1 || true; fi
	if [[ -d /run/systemd/system ]]; then systemctl disable "$s.service" >/dev/null 2>&1 || true; fi
	if [[ -x /etc/init.d/$s ]] && command -v update-rc.d >/dev/null 2>&1; then update-rc.d "$s" disable >/dev/null 2>&1 || true; fi
done

mapfile -t have < <(installed "${PKGS[@]}")
if ((${#have[@]} != ${#PKGS[@]})); then
	echo "setup: still missing after install: $(printf '%s\n' "${PKGS[@]}" | grep -vxF -f <(printf '%s\n' "${have[@]}") | paste -sd' ' -)" >&2
	exit 1
fi
echo "setup: done"
