#!/usr/bin/env bash
# tests/install/t_deb.sh - the Debian packages (debian/, issue 13):
#
#  1. `dpkg-buildpackage -b -us -uc` in a copy of the tree (git stash create
#     + git archive: the committed tree plus uncommitted changes to tracked
#     files) under a temp dir, so the build leaves nothing in the source
#     tree (checked: `git status` is the same before and after); the time
#     it took is printed;
#  2. lintian on the .changes: no E: or W: line (overrides, with their
#     reasons, live in debian/*.lintian-overrides);
#  3. `dpkg-deb -c` of riposte and riposte-lab: the exact file lists;
#     DEBIAN/conffiles; the maintainer scripts create the users (sysusers)
#     and the tmpfiles entries; riposte-lab depends on this riposte;
#  4. both unpacked with `dpkg-deb -x`: the programs' --version is the
#     package's upstream version, the /etc configs and the examples pass
#     --check;
#  5. as root, into a scratch root: `dpkg --root --force-script-chrootless`
#     (the maintainer scripts run with DPKG_ROOT): users (sysusers) and
#     tmpfiles entries made in the root, no unit enabled, conffiles kept on a
#     reinstall, remove keeps and purge removes configs, state, logs and the
#     users; the host's users and unit state are unchanged;
#  6. as root, in CI (CI=true) or with RIPOSTE_DEB_INSTALL=1, on a host
#     where riposte is not installed, no riposte user exists and no riposte
#     daemon runs (the install is system-wide): `apt-get install` of both
#     .debs for real: nothing started (no process runs /usr/sbin/riposted or
#     riposte-dns), no unit enabled (no riposte link under /etc/systemd),
#     the users exist with nologin, the tmpfiles entries are made; the same
#     .debs again over it (an upgrade's maintainer scripts) keep an edited
#     conffile and the users' ids; `apt-get remove` keeps configs, users and
#     state; `apt-get purge` removes /etc/riposte, the state, the logs, /run
#     entries and the users.  A failure on the way purges in the trap.
# Ends with "N passed, N failed".  scripts/test.sh runs it when
# dpkg-buildpackage is installed (scripts/setup.sh installs it).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

for p in git dpkg-buildpackage dpkg-checkbuilddeps dpkg-deb lintian; do
	command -v "$p" >/dev/null || setup_failed "$p is missing (scripts/setup.sh installs it)"
done
[[ -d $ROOT/debian ]] || setup_failed "no debian/ in $ROOT"
(cd "$ROOT" && dpkg-checkbuilddeps) >/dev/null 2>&1 ||
	setup_failed "build dependencies missing: $(cd "$ROOT" && dpkg-checkbuilddeps 2>&1)"

T=$(mktemp -d /tmp/riposte-deb.XXXXXX) || exit 1
INSTALLED=0 # 1 once this test installed the packages (the trap purges them)
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if ((INSTALLED)); then
		DEBIAN_FRONTEND=noninteractive apt-get -q -y purge riposte-lab riposte >"$T/cleanup-purge.log" 2>&1 ||
			echo "# could not purge riposte: $T/cleanup-purge.log"
	fi
	if ((FAIL > 0)); then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. build in a copy of the tree -----------------------------------------
status_before=$(cd "$ROOT" && git status --porcelain=v1 --untracked-files=all)
version=$(cd "$ROOT" && dpkg-parsechangelog -S Version)
upstream=${version%-*}
upstream=${upstream#*:}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
SRC=$T/riposte-$upstream
mkdir -p "$SRC"
# The tracked files as they are now (stash create: HEAD plus the uncommitted
# changes, without touching the index or the work tree); untracked files
# (build directories) stay out, as they would from a clone.
rev=$(cd "$ROOT" && git stash create)
if ! (cd "$ROOT" && git archive "${rev:-HEAD}") | tar -x -C "$SRC"; then
	bail "git archive of the tree into $SRC"
fi
t0=$SECONDS
(cd "$SRC" && dpkg-buildpackage -b -us -uc -Jauto) >"$T/build.log" 2>&1
rc=$?
build_s=$((SECONDS - t0))
if ((rc != 0)); then
	sed 's/^/# /' "$T/build.log" | tail -n 30
	bail "dpkg-buildpackage -b -us -uc (exit $rc)"
fi
ok "dpkg-buildpackage -b -us -uc: riposte $version built in ${build_s} s"
DEB=$T/riposte_${version}_$arch.deb
LAB=$T/riposte-lab_${version}_$arch.deb
for f in "$DEB" "$LAB" "$T/riposte_${version}_$arch.changes"; do
	[[ -f $f ]] || bail "no ${f#"$T"/} after the build"
done
ok "the build made riposte, riposte-lab and the .changes"
check "  ... and left nothing in the source tree (git status unchanged)" "$status_before" \
	"$(cd "$ROOT" && git status --porcelain=v1 --untracked-files=all)"
# Debian's flags (dpkg-buildflags, hardening=+all: -D_FORTIFY_SOURCE=2,
# -fstack-protector-strong ...) are not the project builds' flags: a warning
# only they show (an unused result under _FORTIFY_SOURCE) would pass --werror
# elsewhere.  Also dh_missing's and dpkg-shlibdeps' warnings.
check "  ... without a warning (compiler under Debian's flags, dh_missing, dpkg-shlibdeps)" "" \
	"$(grep -E 'warning:' "$T/build.log" | head -n 5)"
check "  ... without running the tests (override_dh_auto_test: no meson test)" "" \
	"$(grep -E 'meson test|^(Ok|Fail): ' "$T/build.log")"

# ---- 2. lintian -------------------------------------------------------------
lint=$(cd "$T" && lintian "riposte_${version}_$arch.changes" 2>&1 | grep -v '^running with root privileges')
echo "# lintian: ${lint:-(nothing)}" | sed '2,$s/^/# /'
check "lintian: no error or warning" "" "$(grep -E '^[EW]: ' <<<"$lint")"

# ---- 3. the file lists, conffiles, maintainer scripts -------------------------
# deb_files DEB: the files and links of DEB, without the leading ".", sorted
deb_files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | LC_ALL=C sort; }
# want_list DESC GOT EXPECTED...: the exact list, extras and misses named
want_list() {
	local desc=$1 got=$2 want extra missing
	shift 2
	want=$(printf '%s\n' "$@" | LC_ALL=C sort)
	extra=$(LC_ALL=C comm -23 <(echo "$got") <(echo "$want") | tr '\n' ' ')
	missing=$(LC_ALL=C comm -13 <(echo "$got") <(echo "$want") | tr '\n' ' ')
	if [[ -z $extra && -z $missing ]]; then
		ok "$desc ($(echo "$got" | wc -l) files)"
	else
		not_ok "$desc: extra: ${extra:-none}; missing: ${missing:-none}"
	fi
	while read -r f; do echo "#   $f"; done <<<"$got"
}
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
unitdir=${unitdir:-/lib/systemd/system}
want_list "riposte: dpkg-deb -c" "$(deb_files "$DEB")" \
	/usr/sbin/riposted /usr/sbin/riposte-dns /usr/bin/ripostectl \
	"$unitdir/riposted.service" "$unitdir/riposte-dns.service" \
	/usr/lib/sysusers.d/riposte.conf /usr/lib/tmpfiles.d/riposte.conf \
	/etc/riposte/riposted.conf /etc/riposte/riposte-dns.conf /etc/logrotate.d/riposte \
	/usr/share/doc/riposte/examples/riposted.conf \
	/usr/share/doc/riposte/examples/riposte-dns.conf \
	/usr/share/doc/riposte/examples/example.org.zone \
	/usr/share/doc/riposte/README.md.gz /usr/share/doc/riposte/changelog.gz \
	/usr/share/doc/riposte/copyright \
	/usr/share/man/man8/riposted.8.gz /usr/share/man/man8/riposte-dns.8.gz \
	/usr/share/man/man8/ripostectl.8.gz \
	/usr/share/man/man5/riposted.conf.5.gz /usr/share/man/man5/riposte-dns.conf.5.gz
want_list "riposte-lab: dpkg-deb -c" "$(deb_files "$LAB")" \
	/usr/bin/riposte-lab /usr/bin/riposte-probe \
	/usr/share/man/man1/riposte-lab.1.gz /usr/share/man/man1/riposte-probe.1.gz \
	/usr/share/doc/riposte-lab/changelog.gz /usr/share/doc/riposte-lab/copyright
check "riposte: the programs are executable, root's" \
	"-rwxr-xr-x root/root -rwxr-xr-x root/root -rwxr-xr-x root/root" \
	"$(dpkg-deb -c "$DEB" | awk '$6 ~ /\/(riposted|riposte-dns|ripostectl)$/ { printf "%s%s %s", sep, $1, $2; sep = " " }')"
mkdir -p "$T/ctl"
dpkg-deb -e "$DEB" "$T/ctl"
check "riposte: DEBIAN/conffiles" \
	"/etc/logrotate.d/riposte /etc/riposte/riposte-dns.conf /etc/riposte/riposted.conf" \
	"$(LC_ALL=C sort "$T/ctl/conffiles" | paste -sd' ')"
grep -q '^[[:space:]]*systemd-sysusers .*riposte.conf' "$T/ctl/postinst"
check "riposte: postinst runs systemd-sysusers riposte.conf" 0 "$?"
grep -q '^[[:space:]]*systemd-tmpfiles .*--create riposte.conf' "$T/ctl/postinst"
check "riposte: postinst runs systemd-tmpfiles --create riposte.conf" 0 "$?"
check "riposte: the postinst starts no unit (deb-systemd-invoke only try-restart, on upgrade)" "" \
	"$(grep -nE 'deb-systemd-invoke +(start|restart)|systemctl +(enable|start|restart)' "$T/ctl/postinst")"
# dh_installsystemd --no-enable: `deb-systemd-helper enable` only in the
# branch that keeps an admin's earlier enable (was-enabled), once per unit.
check "riposte: the postinst enables a unit only where the admin had (was-enabled)" "2 2" \
	"$(grep -c 'deb-systemd-helper enable ' "$T/ctl/postinst") $(grep -c 'deb-systemd-helper --quiet was-enabled ' "$T/ctl/postinst")"
grep -qE '^[[:space:]]*deb-systemd-invoke stop riposted.service riposte-dns.service' "$T/ctl/prerm"
check "riposte: the prerm stops both units on remove" 0 "$?"
check_match "riposte: Depends on systemd-sysusers" "systemd \| systemd-standalone-sysusers" \
	"$(dpkg-deb -f "$DEB" Depends)"
check_match "riposte-lab: Depends on riposte (= $version)" "(^|, )riposte \(= $version\)" \
	"$(dpkg-deb -f "$LAB" Depends)"
check_match "riposte-lab: Suggests frr, bird2" "bird2.*frr|frr.*bird2" "$(dpkg-deb -f "$LAB" Suggests)"

# ---- 4. unpacked: versions, the configs pass --check --------------------------
X=$T/x
dpkg-deb -x "$DEB" "$X" && dpkg-deb -x "$LAB" "$X"
for p in sbin/riposted sbin/riposte-dns bin/ripostectl bin/riposte-probe; do
	check "unpacked /usr/$p --version" "${p#*/} $upstream" "$("$X/usr/$p" --version 2>&1 | head -n 1)"
done
for c in riposted riposte-dns; do
	out=$("$X/usr/sbin/$c" --check -c "$X/etc/riposte/$c.conf" 2>&1)
	check "unpacked /etc/riposte/$c.conf passes $c --check (${out//$'\n'/ | })" 0 "$?"
	out=$("$X/usr/sbin/$c" --check -c "$X/usr/share/doc/riposte/examples/$c.conf" 2>&1)
	check "unpacked example $c.conf passes $c --check (${out//$'\n'/ | })" 0 "$?"
done
check_match "riposted --help names /etc/riposte/riposted.conf" "default /etc/riposte/riposted.conf" \
	"$("$X/usr/sbin/riposted" --help 2>&1)"
grep -q "^ExecStart=/usr/sbin/riposted " "$X$unitdir/riposted.service"
check "riposted.service runs /usr/sbin/riposted" 0 "$?"
grep -q 'HERE/\.\./sbin/riposted' "$X/usr/bin/riposte-lab"
check "riposte-lab looks for the daemons in /usr/bin/../sbin" 0 "$?"

# ---- 5. a scratch root: dpkg --root, the maintainer scripts with DPKG_ROOT ----
# dpkg --force-script-chrootless runs the scripts on the host with DPKG_ROOT
# set; sysusers, tmpfiles, deb-systemd-helper and our postrm/prerm then work
# inside the root only.  The host's users and unit state must not change.
host_state() {
	cat /etc/passwd /etc/group 2>/dev/null | sha256sum
	find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled /var/lib/riposte-dns \
		/var/log/riposte /var/log/riposte-dns /run/riposted.sock /run/riposte-dns.sock \
		-name '*riposte*' 2>/dev/null | LC_ALL=C sort
}
# in_root_user NAME: the passwd line of NAME in the scratch root
in_root_user() { grep "^$1:" "$R/etc/passwd" 2>/dev/null; }
if [[ $(id -u) == 0 ]]; then
	R=$T/root
	mkdir -p "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/info" "$R/etc" "$R/run" "$R/var/log"
	touch "$R/var/lib/dpkg/status"
	host0=$(host_state)
	dpkg_r=(dpkg --root="$R" --force-script-chrootless --force-depends --force-confold)
	if "${dpkg_r[@]}" -i "$DEB" "$LAB" >"$T/root-install.log" 2>&1; then
		ok "dpkg --root (scratch root, scripts chrootless): both installed"
	else
		sed 's/^/# /' "$T/root-install.log" | tail -n 20
		not_ok "dpkg --root -i"
	fi
	for u in riposte riposte-dns; do
		check_match "scratch root: system user $u made by the postinst (sysusers), nologin" \
			"^$u:x:[0-9]{1,3}:[0-9]+:.*:/usr/sbin/nologin$" "$(in_root_user "$u")"
	done
	uid=$(in_root_user riposte-dns | cut -d: -f3)
	check "scratch root: /var/lib/riposte-dns is riposte-dns's, mode 750 (tmpfiles)" "${uid:-?} 750" \
		"$(stat -c '%u %a' "$R/var/lib/riposte-dns" 2>&1)"
	check "scratch root: /run/riposted.sock -> riposte/riposted.sock" riposte/riposted.sock \
		"$(readlink "$R/run/riposted.sock")"
	check "scratch root: no unit enabled (no riposte* under etc/systemd)" "" \
		"$(find "$R/etc/systemd" -name 'riposte*' 2>/dev/null)"
	check "scratch root: the conffiles registered" \
		"/etc/logrotate.d/riposte /etc/riposte/riposte-dns.conf /etc/riposte/riposted.conf" \
		"$(dpkg-query --admindir="$R/var/lib/dpkg" -W -f='${Conffiles}\n' riposte | awk 'NF { print $1 }' | LC_ALL=C sort | paste -sd' ')"
	echo '! edited by t_deb' >>"$R/etc/riposte/riposted.conf"
	uids0=$(in_root_user riposte | cut -d: -f3):$uid
	"${dpkg_r[@]}" -i "$DEB" "$LAB" >"$T/root-upgrade.log" 2>&1
	check "scratch root: the same .debs again (the upgrade's scripts)" 0 "$?"
	check "scratch root: upgrade keeps the edited conffile" "! edited by t_deb" "$(tail -n 1 "$R/etc/riposte/riposted.conf")"
	check "scratch root: upgrade keeps the users' ids" "$uids0" \
		"$(in_root_user riposte | cut -d: -f3):$(in_root_user riposte-dns | cut -d: -f3)"
	mkdir -p "$R/var/log/riposte" "$R/run/riposte"
	echo x >"$R/var/log/riposte/riposted.log"
	echo x >"$R/var/lib/riposte-dns/example.com.zone"
	"${dpkg_r[@]}" -r riposte-lab riposte >"$T/root-remove.log" 2>&1
	check "scratch root: dpkg -r" 0 "$?"
	check "scratch root: remove keeps config, state, logs, users" "yes yes yes yes" \
		"$([[ -f $R/etc/riposte/riposted.conf ]] && echo yes) $([[ -f $R/var/lib/riposte-dns/example.com.zone ]] && echo yes) $([[ -f $R/var/log/riposte/riposted.log ]] && echo yes) $(in_root_user riposte >/dev/null && echo yes)"
	"${dpkg_r[@]}" -P riposte-lab riposte >"$T/root-purge.log" 2>&1
	check "scratch root: dpkg -P (purge)" 0 "$?"
	left=()
	for f in /etc/riposte /etc/logrotate.d/riposte /var/lib/riposte-dns /var/log/riposte \
		/run/riposte /run/riposted.sock /run/riposte-dns.sock; do
		if [[ -e $R$f || -L $R$f ]]; then left+=("$f"); fi
	done
	check "scratch root: purge removes configs, state, logs, /run entries" "" "${left[*]}"
	check "scratch root: purge removes the users and groups" "" \
		"$(grep -E '^riposte(-dns)?:' "$R/etc/passwd" "$R/etc/group" 2>/dev/null)"
	grep -E 'could not|warning|error' "$T/root-purge.log" | sed 's/^/# /'
	check "host: users, groups and unit state unchanged by the scratch-root install" "$host0" "$(host_state)"
fi

# ---- 6. a real install, upgrade, remove, purge --------------------------------
# The install is system-wide: while the users riposte and riposte-dns exist,
# any riposte-dns started as root on this host (another test run's) drops
# to riposte-dns, and the purge then cannot remove a user in use.  So it
# runs where nothing else does: in CI (CI=true, a throwaway VM, the steps
# one after the other) or when asked (RIPOSTE_DEB_INSTALL=1), and not
# while any riposted or riposte-dns runs.
if [[ ${RIPOSTE_DEB_INSTALL:-} == 0 || ( -z ${RIPOSTE_DEB_INSTALL:-} && ${CI:-} != true ) ]]; then
	echo "# no real install (it changes the host: CI=true or RIPOSTE_DEB_INSTALL=1 for it)"
	finish
fi
if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
	echo "# not root (or no apt-get): no real install"
	finish
fi
if dpkg-query -W -f='${db:Status-Status}' riposte 2>/dev/null | grep -qv '^not-installed$'; then
	echo "# riposte is installed on this host: not replacing it (no real install)"
	finish
fi
running=$(pgrep -x 'riposte(d|-dns)' | paste -sd' ')
if [[ -n $running ]]; then
	echo "# riposted or riposte-dns runs on this host (pid $running): no real install"
	finish
fi
for u in riposte riposte-dns; do
	if getent passwd "$u" >/dev/null; then
		echo "# the user $u exists before the install: no real install (the purge would remove it)"
		finish
	fi
done

# pids of processes running the packaged daemons
daemon_pids() {
	local p
	for p in /proc/[0-9]*; do
		case $(readlink "$p/exe" 2>/dev/null) in
		/usr/sbin/riposted | /usr/sbin/riposte-dns) echo "${p#/proc/}" ;;
		esac
	done
}
units_links() { find /etc/systemd -name 'riposte*' 2>/dev/null | LC_ALL=C sort | paste -sd' '; }
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-q -y -o DPkg::Lock::Timeout=120 --no-install-recommends)
INSTALLED=1
if apt-get "${apt_opts[@]}" install "$DEB" "$LAB" >"$T/install.log" 2>&1; then
	ok "apt-get install ./riposte_${version}_$arch.deb ./riposte-lab_${version}_$arch.deb"
else
	sed 's/^/# /' "$T/install.log" | tail -n 20
	bail "apt-get install of the packages"
fi
check "installed: riposte and riposte-lab" "install ok installed|install ok installed" \
	"$(dpkg-query -W -f='${Status}|' riposte riposte-lab | sed 's/|$//')"
sleep 0.5
check "install: no riposted or riposte-dns process started" "" "$(daemon_pids | paste -sd' ')"
check "install: no unit enabled (no riposte* under /etc/systemd)" "" "$(units_links)"
if [[ -d /run/systemd/system ]]; then
	check "install: systemctl is-enabled: disabled, disabled" "disabled disabled" \
		"$(systemctl is-enabled riposted.service riposte-dns.service 2>&1 | paste -sd' ')"
	check "install: systemctl is-active: inactive, inactive" "inactive inactive" \
		"$(systemctl is-active riposted.service riposte-dns.service 2>&1 | paste -sd' ')"
fi
for u in riposte riposte-dns; do
	check_match "install: system user $u, nologin" "^$u:x:[0-9]{1,3}:[0-9]+:.*:/usr/sbin/nologin$" \
		"$(getent passwd "$u")"
done
uid_before=$(id -u riposte-dns 2>/dev/null):$(id -u riposte 2>/dev/null)
check "install: /var/lib/riposte-dns is riposte-dns's, mode 750" "riposte-dns 750" \
	"$(stat -c '%U %a' /var/lib/riposte-dns 2>&1)"
check "install: /run/riposted.sock -> riposte/riposted.sock (tmpfiles)" riposte/riposted.sock \
	"$(readlink /run/riposted.sock)"
check "install: dpkg knows the conffiles" \
	"/etc/logrotate.d/riposte /etc/riposte/riposte-dns.conf /etc/riposte/riposted.conf" \
	"$(dpkg-query -W -f='${Conffiles}\n' riposte | awk 'NF { print $1 }' | LC_ALL=C sort | paste -sd' ')"
for c in riposted riposte-dns; do
	out=$("/usr/sbin/$c" --check 2>&1)
	check "installed $c --check (its default config, /etc/riposte/$c.conf) (${out//$'\n'/ | })" 0 "$?"
done
check_match "installed: man riposted.conf finds the page" "riposted\.conf" "$(man -w riposted.conf 2>&1)"
out=$(logrotate --debug --state "$T/logrotate.state" /etc/logrotate.d/riposte 2>&1)
check "installed: logrotate --debug /etc/logrotate.d/riposte (su riposte: the users exist)" 0 "$?"

# What the daemons would leave: logs, kept zone copies, runtime files.
mkdir -p /var/log/riposte /var/log/riposte-dns /run/riposte /run/riposte-dns
echo x >/var/log/riposte/riposted.log
echo x >/var/log/riposte-dns/query.log
echo x >/var/lib/riposte-dns/example.com.zone
chown riposte-dns: /var/log/riposte-dns /var/log/riposte-dns/query.log /var/lib/riposte-dns/example.com.zone
chown riposte: /var/log/riposte /var/log/riposte/riposted.log
echo '! edited by t_deb' >>/etc/riposte/riposted.conf

# The same .debs again: an upgrade's maintainer scripts (preinst upgrade,
# postinst configure with the old version).
if dpkg --force-confold -i "$DEB" "$LAB" >"$T/upgrade.log" 2>&1; then
	ok "dpkg -i over the installed version (upgrade path)"
else
	sed 's/^/# /' "$T/upgrade.log" | tail -n 20
	not_ok "dpkg -i over the installed version"
fi
check "upgrade: the edited conffile is kept" "! edited by t_deb" "$(tail -n 1 /etc/riposte/riposted.conf)"
check "upgrade: the users keep their ids" "$uid_before" "$(id -u riposte-dns 2>/dev/null):$(id -u riposte 2>/dev/null)"
check "upgrade: still nothing started or enabled" "|" "$(daemon_pids | paste -sd' ')|$(units_links)"

if apt-get "${apt_opts[@]}" remove riposte-lab riposte >"$T/remove.log" 2>&1; then
	ok "apt-get remove riposte-lab riposte"
else
	sed 's/^/# /' "$T/remove.log" | tail -n 20
	not_ok "apt-get remove"
fi
check "remove: the programs are gone" "" "$(ls /usr/sbin/riposted /usr/bin/riposte-probe 2>/dev/null)"
check "remove: configs, state, logs and users stay" "yes yes yes yes" \
	"$([[ -f /etc/riposte/riposted.conf ]] && echo yes) $([[ -f /var/lib/riposte-dns/example.com.zone ]] && echo yes) $([[ -f /var/log/riposte/riposted.log ]] && echo yes) $(getent passwd riposte-dns >/dev/null && echo yes)"

if apt-get "${apt_opts[@]}" purge riposte-lab riposte >"$T/purge.log" 2>&1; then
	ok "apt-get purge riposte-lab riposte"
	INSTALLED=0
else
	sed 's/^/# /' "$T/purge.log" | tail -n 20
	not_ok "apt-get purge"
fi
check "purge: dpkg -s says neither is installed" "1 1" \
	"$(dpkg -s riposte >/dev/null 2>&1; echo -n "$? "; dpkg -s riposte-lab >/dev/null 2>&1; echo $?)"
left=()
for f in /etc/riposte /etc/logrotate.d/riposte /var/lib/riposte-dns /var/log/riposte /var/log/riposte-dns \
	/run/riposte /run/riposte-dns /run/riposted.sock /run/riposte-dns.sock; do
	if [[ -e $f || -L $f ]]; then left+=("$f"); fi
done
check "purge: configs, state, logs and /run entries gone" "" "${left[*]}"
check "purge: the users and groups riposte, riposte-dns gone" "" \
	"$(getent passwd riposte riposte-dns; getent group riposte riposte-dns)"
check "purge: no unit state left (/var/lib/systemd/deb-systemd-helper-enabled)" "" \
	"$(find /var/lib/systemd/deb-systemd-helper-enabled -name 'riposte*' 2>/dev/null)"

finish
