#!/usr/bin/env bash
# tests/install/t_install.sh - `meson install` as an operator (and a package)
# gets it (issue 13, docs/ISSUE13 layout):
#
#  1. the build in RIPOSTE_BUILD (default build/, prefix /usr/local) installed
#     with --destdir into a temp dir: the exact file list (daemons in sbin/,
#     tools in bin/, units, sysusers.d, tmpfiles.d, examples; nothing in etc/),
#     and the installed example configs pass `riposted --check -c` and
#     `riposte-dns --check -c`;
#  2. a package-like build (build-install/: --prefix=/usr --sysconfdir=/etc
#     --localstatedir=/var -Detc_configs=true -Dtests=false, kept for the next
#     run) installed the same way: its list adds /etc/riposte/*.conf and
#     /etc/logrotate.d/riposte, the programs' --help show the /etc and /run
#     defaults compiled in from meson, the /etc configs pass --check;
#  3. `systemd-analyze verify --root` on both installs' units (the host's units
#     copied into the root, so that the targets they name resolve; ExecStart=
#     binaries are looked up inside the root): exit 0 and no message at all
#     (verify exits 0 on an unknown key or a bad value, so its output counts);
#  4. systemd-sysusers and systemd-tmpfiles --root on the package install:
#     the users riposte and riposte-dns exist with nologin, the socket links
#     and the state directory are made; logrotate parses the snippet.
# Ends with "N passed, N failed".  Needs meson, ninja, systemd-analyze; no root.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${RIPOSTE_BUILD:-$ROOT/build}
PKG_BUILD=${RIPOSTE_PKG_BUILD:-$ROOT/build-install}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

for p in meson ninja systemd-analyze; do
	command -v "$p" >/dev/null || setup_failed "$p is missing"
done
[[ -f $BUILD/build.ninja ]] || setup_failed "$BUILD is not a meson build directory"

T=$(mktemp -d /tmp/riposte-install.XXXXXX) || exit 1
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if ((FAIL > 0)); then echo "# kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# files DIR: every file and link under DIR, relative, sorted
files() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./|/|' | LC_ALL=C sort); }

# want_list DESC DIR EXPECTED...: the exact file list, extras and misses named
want_list() {
	local desc=$1 dir=$2 got want extra missing
	shift 2
	got=$(files "$dir")
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

# The pages h-man's doc/man adds, when the build has them (scdoc found).
man_pages() {
	local prefix=$1 dir=$2 f
	[[ -d $dir$prefix/share/man ]] || return 0
	for f in "$dir$prefix"/share/man/man*/*; do echo "${f#"$dir"}"; done
}

# verify_units DESC DIR UNITDIR: systemd-analyze verify --root with the host's units
verify_units() {
	local desc=$1 dir=$2 unitdir=$3 out rc
	if ! { mkdir -p "$dir/lib/systemd" && cp -a /lib/systemd/system "$dir/lib/systemd/"; }; then
		not_ok "$desc: cannot copy the host's units"
		return
	fi
	out=$(cd / && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no --root="$dir" \
		"$unitdir/riposted.service" "$unitdir/riposte-dns.service" 2>&1)
	rc=$?
	check "$desc: systemd-analyze verify --root exit status" 0 "$rc"
	check "$desc: systemd-analyze verify says nothing${out:+ (it said: ${out//$'\n'/ | })}" "" "$out"
	rm -rf "$dir/lib/systemd/system"
}

# ---- 1. the default build (prefix /usr/local) ------------------------------
D1=$T/default
prefix=$(meson introspect "$BUILD" --buildoptions | python3 -c \
	'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
if meson install -C "$BUILD" --destdir "$D1" --no-rebuild --quiet >"$T/install1.log" 2>&1; then
	ok "meson install --destdir ($BUILD, prefix $prefix)"
else
	sed 's/^/# /' "$T/install1.log" | tail -n 20
	bail "meson install --destdir ($BUILD)"
fi
unitdir1=$(cd "$D1" && find . -name riposted.service | sed 's|^\.||')
unitdir1=${unitdir1%/riposted.service}
sysusers1=$(cd "$D1" && find . -path '*sysusers.d/riposte.conf' | sed 's|^\.||')
tmpfiles1=$(cd "$D1" && find . -path '*tmpfiles.d/riposte.conf' | sed 's|^\.||')
mapfile -t man1 < <(man_pages "$prefix" "$D1")
want_list "default install: the file list" "$D1" \
	"$prefix/sbin/riposted" "$prefix/sbin/riposte-dns" \
	"$prefix/bin/ripostectl" "$prefix/bin/riposte-probe" "$prefix/bin/riposte-lab" \
	"$unitdir1/riposted.service" "$unitdir1/riposte-dns.service" \
	"${sysusers1:-<sysusers.d/riposte.conf>}" "${tmpfiles1:-<tmpfiles.d/riposte.conf>}" \
	"$prefix/share/doc/riposte/examples/riposted.conf" \
	"$prefix/share/doc/riposte/examples/riposte-dns.conf" \
	"$prefix/share/doc/riposte/examples/example.org.zone" \
	"${man1[@]}"
check "default install: nothing under etc/ without -Detc_configs" "" \
	"$(find "$D1" -path '*/etc/*' | head -n 3)"
for p in sbin/riposted sbin/riposte-dns bin/ripostectl bin/riposte-probe bin/riposte-lab; do
	[[ -x $D1$prefix/$p ]] || not_ok "$prefix/$p is not executable"
done
sysconf=$(meson introspect "$BUILD" --buildoptions | python3 -c \
	'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "sysconfdir"))')
[[ $sysconf == /* ]] || sysconf=$prefix/$sysconf
check_match "default install: riposted --help names $sysconf/riposte/riposted.conf (meson's sysconfdir)" \
	"default $sysconf/riposte/riposted.conf" "$("$D1$prefix/sbin/riposted" --help)"
ex=$D1$prefix/share/doc/riposte/examples
out=$("$D1$prefix/sbin/riposted" --check -c "$ex/riposted.conf" 2>&1)
check "installed example riposted.conf passes riposted --check (${out//$'\n'/ | })" 0 "$?"
out=$("$D1$prefix/sbin/riposte-dns" --check -c "$ex/riposte-dns.conf" 2>&1)
check "installed example riposte-dns.conf passes riposte-dns --check (${out//$'\n'/ | })" 0 "$?"
check_match "  ... and loads its zone" "1 zones, [0-9]+ records" "$out"
grep -q "^ExecStart=$prefix/sbin/riposted -d " "$D1$unitdir1/riposted.service"
check "riposted.service runs $prefix/sbin/riposted -d" 0 "$?"
grep -q "^ExecReload=$prefix/bin/ripostectl -s /run/riposte-dns/riposte-dns.sock reload" \
	"$D1$unitdir1/riposte-dns.service"
check "riposte-dns.service reloads through ripostectl" 0 "$?"
check "no @placeholder@ left in the installed text files" "" \
	"$(grep -rl '@[a-z_]*@' "$D1$prefix/share/doc/riposte" "$D1$unitdir1" 2>/dev/null)"
verify_units "default install" "$D1" "$unitdir1"

# ---- 2. a package's build: /usr, /etc, -Detc_configs=true ------------------
D2=$T/pkg
opts=(--prefix=/usr --sysconfdir=/etc --localstatedir=/var -Detc_configs=true -Dtests=false
	-Dsystemdunitdir=/lib/systemd/system --buildtype=debugoptimized)
if [[ -f $PKG_BUILD/build.ninja ]]; then
	meson setup --reconfigure "$PKG_BUILD" "${opts[@]}" >"$T/setup2.log" 2>&1
else
	meson setup "$PKG_BUILD" "${opts[@]}" >"$T/setup2.log" 2>&1
fi
rc=$?
((rc == 0)) || { sed 's/^/# /' "$T/setup2.log" | tail -n 20; bail "meson setup $PKG_BUILD"; }
if ninja -C "$PKG_BUILD" >"$T/build2.log" 2>&1 &&
	meson install -C "$PKG_BUILD" --destdir "$D2" --no-rebuild --quiet >>"$T/build2.log" 2>&1; then
	ok "package-like build ($PKG_BUILD: ${opts[*]}) and install"
else
	sed 's/^/# /' "$T/build2.log" | tail -n 20
	bail "package-like build and install"
fi
mapfile -t man2 < <(man_pages /usr "$D2")
want_list "package install: the file list" "$D2" \
	/usr/sbin/riposted /usr/sbin/riposte-dns \
	/usr/bin/ripostectl /usr/bin/riposte-probe /usr/bin/riposte-lab \
	/lib/systemd/system/riposted.service /lib/systemd/system/riposte-dns.service \
	/usr/lib/sysusers.d/riposte.conf /usr/lib/tmpfiles.d/riposte.conf \
	/usr/share/doc/riposte/examples/riposted.conf \
	/usr/share/doc/riposte/examples/riposte-dns.conf \
	/usr/share/doc/riposte/examples/example.org.zone \
	/etc/riposte/riposted.conf /etc/riposte/riposte-dns.conf /etc/logrotate.d/riposte \
	"${man2[@]}"
help=$("$D2/usr/sbin/riposted" --help)
check_match "riposted --help: the default config from meson's sysconfdir" \
	"--config FILE +configuration file \(default /etc/riposte/riposted.conf\)" "$help"
check_match "riposted --help: the default control socket" "default /run/riposted.sock" "$help"
check_match "riposted --help: the default pidfile beside it" "so +/run/riposted.pid\)" "$(tr -s ' \n' ' ' <<<"$help")"
help=$("$D2/usr/sbin/riposte-dns" --help)
check_match "riposte-dns --help: the default config" "default /etc/riposte/riposte-dns.conf" "$help"
check_match "riposte-dns --help: the default control socket" "default /run/riposte-dns.sock" "$help"
help=$("$D2/usr/bin/ripostectl" --help 2>&1)
check_match "ripostectl --help: the default socket" "/run/riposted.sock" "$help"
for c in riposted riposte-dns; do
	out=$("$D2/usr/sbin/$c" --check -c "$D2/etc/riposte/$c.conf" 2>&1)
	check "/etc/riposte/$c.conf passes $c --check (${out//$'\n'/ | })" 0 "$?"
done
grep -q '^zone example.org file' "$D2/etc/riposte/riposte-dns.conf"
check "/etc/riposte/riposte-dns.conf serves no example zone (the line is commented)" 1 "$?"
verify_units "package install" "$D2" /lib/systemd/system

# ---- 4. sysusers, tmpfiles, logrotate on the package install ----------------
if command -v systemd-sysusers >/dev/null; then
	mkdir -p "$D2/etc"
	out=$(systemd-sysusers --root="$D2" "$D2/usr/lib/sysusers.d/riposte.conf" 2>&1)
	check "systemd-sysusers --root: exit status (${out//$'\n'/ | })" 0 "$?"
	for u in riposte riposte-dns; do
		line=$(grep "^$u:" "$D2/etc/passwd" 2>/dev/null)
		check_match "sysusers: user $u, system uid, nologin" "^$u:x:[0-9]{1,3}:[0-9]+:.*:/usr/sbin/nologin$" "$line"
	done
	if command -v systemd-tmpfiles >/dev/null; then
		out=$(systemd-tmpfiles --root="$D2" --create "$D2/usr/lib/tmpfiles.d/riposte.conf" 2>&1)
		check "systemd-tmpfiles --root --create: exit status (${out//$'\n'/ | })" 0 "$?"
		check "tmpfiles: /run/riposted.sock -> riposte/riposted.sock" riposte/riposted.sock \
			"$(readlink "$D2/run/riposted.sock")"
		check "tmpfiles: /run/riposte-dns.sock -> riposte-dns/riposte-dns.sock" \
			riposte-dns/riposte-dns.sock "$(readlink "$D2/run/riposte-dns.sock")"
		uid=$(awk -F: '$1 == "riposte-dns" { print $3 }' "$D2/etc/passwd")
		check "tmpfiles: /var/lib/riposte-dns is riposte-dns's, mode 750" "$uid 750" \
			"$(stat -c '%u %a' "$D2/var/lib/riposte-dns" 2>&1)"
	fi
fi
if command -v logrotate >/dev/null; then
	# `su` names users this host may not have: root for the parse.
	sed 's/^\tsu .*/\tsu root root/' "$D2/etc/logrotate.d/riposte" >"$T/logrotate.conf"
	out=$(logrotate --debug --state "$T/logrotate.state" "$T/logrotate.conf" 2>&1)
	rc=$?
	check "logrotate --debug parses the snippet (exit status)" 0 "$rc"
	check "  ... without an error line" "" "$(grep -i 'error' <<<"$out")"
fi

finish
