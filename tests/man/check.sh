#!/usr/bin/env bash
# tests/man/check.sh - the man pages (doc/man/*.scd, built by meson with
# scdoc) against the renderers and against the code.
#
#   check.sh render|keywords|commands|options
#
#   render    each page renders with groff -ww (every warning) and man -l
#             without a message and without hyphenated words, and mandoc
#             -Tlint reports nothing at warning level or above but scdoc's
#             empty paragraphs (below; style hints are not failures)
#   keywords  every statement in the parsers' keyword tables (build's
#             man_keywords walks them) begins a line of riposted.conf(5) or
#             riposte-dns.conf(5), outside EXAMPLES; the lowercase
#             alternatives of its usage (redistribute connected|static|kernel,
#             zone NAME file|hosts|secondary|...) are on such a line
#   commands  every command of riposted's and riposte-dns's control tables
#             (and help) begins a line of its section of ripostectl(8);
#             riposte-dns's also of riposte-dns(8)
#   options   each program's --help options and its page's OPTIONS entries
#             are the same set
#
# Meson runs it (suite man) with the paths in the environment: RIPOSTE_SRCDIR,
# RIPOSTE_MANDIR (the built pages), RIPOSTE_MAN_BUILT (0: no scdoc, skip),
# MAN_KEYWORDS, RIPOSTED, RIPOSTECTL, RIPOSTE_DNS, RIPOSTE_PROBE.
# The last line is "N passed, N failed"; exit 1 on a failure, 77 (skip)
# when the pages were not built.
set -uo pipefail
export LC_ALL=C.UTF-8
MODE=${1:?usage: check.sh render|keywords|commands|options}
SRC=${RIPOSTE_SRCDIR:?}
MANDIR=${RIPOSTE_MANDIR:?}
PAGES=(riposted.8 riposted.conf.5 ripostectl.8 riposte-dns.8 riposte-dns.conf.5
	riposte-probe.1 riposte-lab.1)

if [[ ${RIPOSTE_MAN_BUILT:-1} == 0 ]]; then
	echo "man pages not built (no scdoc; meson -Dman=enabled makes it required): skipped"
	exit 77
fi

PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }
TMP=$(mktemp -d /tmp/riposte-man.XXXXXX)
trap 'rm -rf -- "$TMP"' EXIT

# text PAGE: the page as plain text, one paragraph per line as far as can
# be (very long lines, no hyphenation, no justification), no overstrikes.
text() {
	groff -man -Tutf8 -rLL=4000n -rHY=0 -dAD=l -P-c "$MANDIR/$1" 2>/dev/null | col -bx
}
# section FILE NAME...: the lines of the named sections (unindented headers).
section() {
	local f=$1; shift
	awk -v names="$(printf '%s\n' "$@")" '
		BEGIN { n = split(names, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
		/^[^ \t]/ { on = ($0 in want); next }
		on' "$f"
}
# without FILE NAME...: every line but those of the named sections.
without() {
	local f=$1; shift
	awk -v names="$(printf '%s\n' "$@")" '
		BEGIN { n = split(names, a, "\n"); for (i = 1; i <= n; i++) skip[a[i]] = 1 }
		/^[^ \t]/ { off = ($0 in skip); next }
		!off' "$f"
}
# starts FILE WORDS [ALT]: a line of FILE begins with WORDS (then a blank,
# '[', ',' or the end), and with ALT also holds the word ALT.
starts() {
	awk -v w="$2" -v alt="${3:-}" '
		function isword(c) { return c ~ /[A-Za-z0-9-]/ }
		{
			sub(/^[ \t]+/, "")
			if (substr($0, 1, length(w)) != w) next
			c = substr($0, length(w) + 1, 1)
			if (c != "" && c !~ /[ \t\[,|]/) next
			if (alt == "") { found = 1; exit }
			s = $0
			while ((i = index(s, alt)) > 0) {
				b = i > 1 ? substr(s, i - 1, 1) : ""
				e = substr(s, i + length(alt), 1)
				if (!isword(b) && !isword(e)) { found = 1; exit }
				s = substr(s, i + 1)
			}
		}
		END { exit !found }' "$1"
}

case $MODE in
render)
	for p in "${PAGES[@]}"; do
		f=$MANDIR/$p
		if [[ ! -s $f ]]; then fail "$p: not built"; continue; fi
		out=$(groff -man -Tutf8 -ww -z "$f" 2>&1)
		if [[ -z $out ]]; then pass; else fail "$p: groff -ww: $out"; fi
		out=$(MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		if [[ -z $out ]]; then pass; else fail "$p: man -l: $out"; fi
		# No word split by hyphenation (an option as "--ap-pend"): the
		# build repeats scdoc's .nh after .TH (doc/man/meson.build).
		n=$(MANWIDTH=80 man -l "$f" 2>/dev/null | grep -c $'\u2010')
		if ((n == 0)); then pass; else fail "$p: $n lines with a word hyphenated at 80 columns"; fi
		# -W warning: warnings, errors and unsupported features (the
		# style level below is advice).  One kind is expected and let
		# through: scdoc writes a .P after every .SH/.SS and before each
		# block, which mandoc reports as "skipping paragraph macro: PP
		# empty" or "PP after SH|SS" -- an empty paragraph break that
		# every formatter drops, so the page renders the same (groff -ww
		# above sees nothing).  Anything else fails.
		mandoc -Tlint -W warning "$f" >"$TMP/lint" 2>&1
		ok_re='WARNING: skipping paragraph macro: PP (empty|after S[HS])$'
		out=$(grep -Ev "$ok_re" "$TMP/lint")
		if [[ -z $out ]]; then pass; else fail "$p: mandoc -Tlint: $out"; fi
		echo "$p: mandoc -Tlint: $(grep -cE "$ok_re" "$TMP/lint") scdoc empty-paragraph warnings (expected)," \
		    "$(mandoc -Tlint -W style "$f" 2>&1 | grep -c ': STYLE: ') style messages"
		mandoc -Tlint -W style "$f" 2>&1 | grep ': STYLE: ' | sed 's/^/  /'
		# The NAME line matches the file (whatis/apropos read it).
		if text "$p" | section /dev/stdin NAME | grep -q "^ *${p%.*} "; then pass
		else fail "$p: the NAME section does not start with ${p%.*}"; fi
	done
	;;
keywords)
	for prog in riposted riposte-dns; do
		page=$prog.conf.5
		text "$page" | without /dev/stdin EXAMPLE EXAMPLES >"$TMP/$page.txt"
		if ! "${MAN_KEYWORDS:?}" "$prog" >"$TMP/$prog.kw"; then fail "$prog: man_keywords failed"; continue; fi
		n=0
		while IFS=$'\t' read -r table words help; do
			[[ $words == '*' ]] && continue
			n=$((n + 1))
			if starts "$TMP/$page.txt" "$words"; then pass
			else fail "$page: statement '$words' ($table) is not documented"; continue; fi
			# The usage's lowercase alternatives: connected|static|kernel.
			rest=${help#"$words"}
			for tok in $rest; do
				tok=${tok//[\[\]]/|}
				IFS='|' read -ra alts <<<"$tok"
				for a in "${alts[@]}"; do
					[[ $a =~ ^[a-z][a-z0-9-]*$ ]] || continue
					if starts "$TMP/$page.txt" "$words" "$a"; then pass
					else fail "$page: '$words ... $a' ($table: $help) is not documented"; fi
				done
			done
		done <"$TMP/$prog.kw"
		echo "$prog: $n statements in the tables"
	done
	;;
commands)
	# The command tables, from the source (they live in the daemons):
	# the first string of each row of a `struct ctl_command NAME[] = {`.
	cmds() {
		awk -v t="$2" '
			$0 ~ "ctl_command " t "\\[\\] = \\{" { on = 1; next }
			on && /^};/ { exit }
			on && match($0, /^[ \t]*\{ "[^"]+"/) {
				s = substr($0, RSTART, RLENGTH); sub(/^[ \t]*\{ "/, "", s); sub(/"$/, "", s); print s
			}' "$SRC/$1"
	}
	cmds src/riposted/status.c daemon_ctl_commands >"$TMP/riposted.cmds"
	cmds src/riposte-dns.c dnsd_ctl_commands >"$TMP/dns.cmds"
	# help is ctl.c's own row, answered by both daemons.
	grep -q '"help", "\[COMMAND\]"' "$SRC/src/ctl/ctl.c" && echo help | tee -a "$TMP/riposted.cmds" >>"$TMP/dns.cmds"
	for f in riposted dns; do
		n=$(wc -l <"$TMP/$f.cmds")
		if ((n >= 3)); then pass; else fail "$f: only $n commands found in the source"; fi
	done
	text ripostectl.8 >"$TMP/ctl.txt"
	section "$TMP/ctl.txt" COMMANDS >"$TMP/ctl-riposted.txt"
	section "$TMP/ctl.txt" "RIPOSTE-DNS COMMANDS" >"$TMP/ctl-dns.txt"
	text riposte-dns.8 | section /dev/stdin "CONTROL SOCKET" >"$TMP/dns8.txt"
	while read -r c; do
		if starts "$TMP/ctl-riposted.txt" "$c"; then pass
		else fail "ripostectl.8: riposted's command '$c' is not in COMMANDS"; fi
	done <"$TMP/riposted.cmds"
	while read -r c; do
		if starts "$TMP/ctl-dns.txt" "$c"; then pass
		else fail "ripostectl.8: riposte-dns's command '$c' is not in RIPOSTE-DNS COMMANDS"; fi
		if starts "$TMP/dns8.txt" "$c"; then pass
		else fail "riposte-dns.8: command '$c' is not in CONTROL SOCKET"; fi
	done <"$TMP/dns.cmds"
	# And the other way: an entry of the page (a line that is only
	# "words [ARG]", at the entries' indentation) that is no command.
	for pair in riposted:ctl-riposted dns:ctl-dns; do
		grep -E '^ {7}[a-z]+( [a-z]+)*( \[?[A-Z]+\]?)?$' "$TMP/${pair#*:}.txt" |
			sed -E 's/^ +//; s/ \[?[A-Z]+\]?$//' | grep -vxFf "$TMP/${pair%%:*}.cmds" >"$TMP/${pair%%:*}.extra"
		if [[ ! -s $TMP/${pair%%:*}.extra ]]; then pass
		else fail "ripostectl.8: entries that are no command of ${pair%%:*}: $(paste -sd, "$TMP/${pair%%:*}.extra")"; fi
		echo "${pair%%:*}: $(wc -l <"$TMP/${pair%%:*}.cmds") commands in the table," \
		    "$(grep -cE '^ {7}[a-z]+( [a-z]+)*( \[?[A-Z]+\]?)?$' "$TMP/${pair#*:}.txt") entries in the page"
	done
	;;
options)
	# opts: the option words at the start of the lines of --help that
	# begin with an option ("  -c, --config FILE   ..."), one a line.
	opts() {
		awk '/^[ \t]+-/ {
			for (i = 1; i <= NF; i++) {
				t = $i; sub(/,$/, "", t)
				if (t !~ /^--?[A-Za-z][A-Za-z0-9-]*$/) break
				print t
			}
		}' | sort -u
	}
	for pair in "riposted.8:${RIPOSTED:?}" "ripostectl.8:${RIPOSTECTL:?}" \
	    "riposte-dns.8:${RIPOSTE_DNS:?}" "riposte-probe.1:${RIPOSTE_PROBE:?}" \
	    "riposte-lab.1:$SRC/lab/riposte-lab"; do
		page=${pair%%:*} bin=${pair#*:}
		if ! "$bin" --help >"$TMP/help" 2>&1; then fail "$bin --help failed"; continue; fi
		opts <"$TMP/help" >"$TMP/help.opts"
		text "$page" | section /dev/stdin OPTIONS | opts >"$TMP/page.opts"
		if (($(wc -l <"$TMP/help.opts") >= 2)); then pass; else fail "$bin --help: no options found"; fi
		while read -r o; do
			if grep -qxF -- "$o" "$TMP/page.opts"; then pass
			else fail "$page: option $o of --help is not in OPTIONS"; fi
		done <"$TMP/help.opts"
		while read -r o; do
			if grep -qxF -- "$o" "$TMP/help.opts"; then pass
			else fail "$page: option $o in OPTIONS is not in $(basename "$bin") --help"; fi
		done <"$TMP/page.opts"
		echo "$page: $(wc -l <"$TMP/help.opts") options"
	done
	;;
*) echo "check.sh: unknown mode $MODE" >&2; exit 2 ;;
esac

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
