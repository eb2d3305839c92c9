#!/usr/bin/env bash
# tests/lab/svg_render.sh - riposte-probe's SVG timeline, drawn by a browser.
#
# From a synthetic CSV (1000/s for 10 s: s1 answers until the fault at +5 s,
# then 30 queries time out, then s2 answers) it checks that
#   - riposte-probe --analyze --fault-at --svg --title --mark writes an SVG
#     that is well-formed XML (python3 xml.dom.minidom), an <svg> with a
#     viewBox, self-contained (no script, no reference to another file),
#     small, with the title escaped, two node lanes and the lost queries;
#   - --svg - writes the SVG to standard output and the summary to standard
#     error; --svg, --title and --mark refuse to go without what they need;
#   - headless Chromium renders it to a PNG that is not empty: decoded with
#     python3 (zlib and struct only), the plot has red pixels (the lost
#     queries) and pixels of the colours of s1 and s2; the same run without
#     the lost queries has no red in the plot.
# Chromium is Debian's chromium (scripts/setup.sh installs it): when it is
# missing the test fails, it does not skip.  No network: the page is a
# local file.  Ends with "N passed, N failed"; exit status 1 on a failure.
#
# Environment: RIPOSTE_PROBE (default build/riposte-probe), CHROMIUM
# (default chromium), SVG_KEEP=1 (keep the temp dir with the CSV, the SVGs
# and the PNGs).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PROBE=${RIPOSTE_PROBE:-$ROOT/build/riposte-probe}
CHROMIUM=${CHROMIUM:-chromium}
# shellcheck source=tests/check.sh
. "$ROOT/tests/check.sh"

for tool in python3 timeout; do
	command -v "$tool" >/dev/null || not_ok "$tool is missing"
done
[[ -x $PROBE ]] || not_ok "$PROBE is not built"
command -v "$CHROMIUM" >/dev/null || not_ok "$CHROMIUM is missing (scripts/setup.sh installs Debian's chromium)"
((FAIL == 0)) || finish

T=$(mktemp -d /tmp/riposte-svg.XXXXXX) || exit 1
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [[ ${SVG_KEEP:-0} == 1 || $FAIL -gt 0 ]]; then
		echo "# files kept in $T"
	else
		rm -rf -- "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the synthetic runs -----------------------------------------------------
# gen LOST OUT: 1000/s for 10 s from 2025-11-26 05:00:00 UTC; s1 before +5 s,
# s2 after; with LOST=30 queries 5000-5029 time out (s2 answers from 5030).
gen() {
	python3 - "$1" "$2" <<'EOF'
import sys
lost, out = int(sys.argv[1]), sys.argv[2]
t0 = 1764133200000000
with open(out, "w") as f:
    f.write("seq,sent_us,recv_us,rtt_us,node,rcode\n")
    for i in range(10000):
        sent = t0 + i * 1000
        if 5000 <= i < 5000 + lost:
            f.write(f"{i},{sent},,,,timeout\n")
        else:
            f.write(f"{i},{sent},{sent + 150},150,{'s1' if i < 5000 else 's2'},NOERROR\n")
EOF
}
gen 30 "$T/run.csv" && gen 0 "$T/clean.csv"
check "synthetic CSVs written" 0 "$?"

TITLE="svg_render <s1> & \"s2\" 'test'"
"$PROBE" --analyze "$T/run.csv" --fault-at +5 --json --svg "$T/run.svg" --title "$TITLE" \
	--mark "+7.5:s1 back" >"$T/run.json" 2>"$T/run.err"
check "--analyze --svg: exit 0" 0 "$?"
J=$(cat "$T/run.json")
check "the summary still goes to standard output: 30 failed" 30 \
	"$(python3 -c 'import json,sys; print(json.load(sys.stdin)["failed"])' <<<"$J" 2>&1)"
"$PROBE" --analyze "$T/clean.csv" --fault-at +5 --svg "$T/clean.svg" >/dev/null 2>"$T/clean.err"
check "--analyze --svg of the run without losses: exit 0" 0 "$?"

# ---- the SVG as XML -----------------------------------------------------------
# xml_facts SVG: root name, viewBox, <script> count, any href, lost rects,
# node groups, the <title> text, one a line.
xml_facts() {
	python3 - "$1" <<'EOF'
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
r = d.documentElement
print(r.tagName)
print(r.getAttribute("viewBox"))
print(len(d.getElementsByTagName("script")))
print(any(a.startswith("href") or a.endswith(":href") for e in d.getElementsByTagName("*")
          for a in e.attributes.keys()))
gs = d.getElementsByTagName("g")
print(sum(len(g.getElementsByTagName("rect")) for g in gs if g.getAttribute("class") == "lost"))
print(sum(1 for g in gs if g.getAttribute("class") == "node"))
t = [e for e in r.childNodes if e.nodeType == e.ELEMENT_NODE and e.tagName == "title"]
print(t[0].firstChild.data if t else "")
EOF
}
if facts=$(xml_facts "$T/run.svg" 2>&1); then
	ok "the SVG is well-formed XML (xml.dom.minidom)"
else
	not_ok "the SVG is not well-formed XML: $facts"
fi
mapfile -t F <<<"$facts"
check "its root is <svg>" svg "${F[0]:-}"
if [[ ${F[1]:-} =~ ^0\ 0\ 1000\ [0-9]+$ ]]; then ok "viewBox ${F[1]}"; else not_ok "viewBox: '${F[1]:-}'"; fi
check "no <script>" 0 "${F[2]:-}"
check "no href (nothing from elsewhere)" False "${F[3]:-}"
check "one red rect for the 30 lost queries" 1 "${F[4]:-}"
check "two node lanes" 2 "${F[5]:-}"
check "the title, escaped in the file, reads back as given" "$TITLE" "${F[6]:-}"
if grep -qF '&lt;s1&gt; &amp; &quot;s2&quot; &apos;test&apos;' "$T/run.svg"; then
	ok "the title is escaped in the file"
else
	not_ok "the escaped title is not in the file"
fi
size=$(stat -c %s "$T/run.svg")
if ((size > 0 && size < 200 * 1024)); then ok "10000 queries in $size bytes"; else not_ok "size $size"; fi

# ---- --svg -, usage errors ----------------------------------------------------
"$PROBE" --analyze "$T/run.csv" --svg - >"$T/stdout.svg" 2>"$T/stdout.err"
check "--svg -: exit 0" 0 "$?"
if python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' "$T/stdout.svg" 2>/dev/null; then
	ok "--svg -: standard output is the SVG alone"
else
	not_ok "--svg -: standard output is not well-formed XML"
fi
if grep -q '^queries 10000' "$T/stdout.err"; then ok "--svg -: the summary on standard error"; else not_ok "--svg -: no summary on standard error"; fi
"$PROBE" --svg "$T/x.svg" 127.0.0.1 >/dev/null 2>&1
check "--svg without --analyze: usage error (exit 1)" 1 "$?"
"$PROBE" --analyze "$T/run.csv" --title x >/dev/null 2>&1
check "--title without --svg: usage error (exit 1)" 1 "$?"
"$PROBE" --analyze "$T/run.csv" --svg "$T/x.svg" --mark soon:x >/dev/null 2>&1
check "--mark with a bad time: usage error (exit 1)" 1 "$?"
"$PROBE" --analyze "$T/nonexistent.csv" --svg "$T/x.svg" >/dev/null 2>&1
check "--analyze of a missing file: exit 1" 1 "$?"
[[ ! -e $T/x.svg ]]
check "... and no SVG written" 0 "$?"

# ---- headless Chromium ----------------------------------------------------------
# render SVG PNG: a 1000x400 screenshot of the SVG opened as a file.  Chromium
# 156 headless (the new mode: --headless); as root it needs --no-sandbox; its
# profile goes into a HOME of its own.
render() {
	mkdir -p "$T/home"
	HOME=$T/home timeout -k 10 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-dev-shm-usage --no-first-run --hide-scrollbars \
		--force-device-scale-factor=1 --window-size=1000,400 \
		--user-data-dir="$T/home/profile" --screenshot="$2" "file://$1" \
		>"$2.log" 2>&1
}

# png_facts PNG SVG: width, height, non-white pixels, and in the plot (the
# frame rect of the SVG) red pixels and pixels of s1's and s2's colours.
png_facts() {
	python3 - "$1" "$2" <<'EOF'
import re, struct, sys, zlib
png, svg = sys.argv[1], sys.argv[2]
data = open(png, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, ihdr = 8, b"", None
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        ihdr = struct.unpack(">IIBBBBB", body)
    elif kind == b"IDAT":
        idat += body
    elif kind == b"IEND":
        break
    pos += 12 + n
w, h, depth, ctype, _, _, interlace = ihdr
assert depth == 8 and ctype in (2, 6) and interlace == 0, f"PNG type {depth}/{ctype}/{interlace}"
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev, pos = [], bytearray(stride), 0
for y in range(h):
    f, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
    pos += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line
# The plot: the frame rect the writer draws last around the lanes.
m = re.search(r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="none"',
              open(svg).read())
x0, y0 = float(m.group(1)), float(m.group(2))
x1, y1 = x0 + float(m.group(3)), y0 + float(m.group(4))
def near(px, rgb, tol=40):
    return all(abs(px[k] - rgb[k]) <= tol for k in range(3))
nonwhite = red = s1 = s2 = 0
for y, line in enumerate(rows):
    inside_y = y0 + 1 <= y < y1 - 1
    for x in range(w):
        px = line[x * bpp:x * bpp + 3]
        if px[0] < 245 or px[1] < 245 or px[2] < 245:
            nonwhite += 1
        if not (inside_y and x0 + 1 <= x < x1 - 1):
            continue
        if px[0] > 180 and px[1] < 90 and px[2] < 90:
            red += 1
        elif near(px, (0x1f, 0x77, 0xb4)):
            s1 += 1
        elif near(px, (0x2c, 0xa0, 0x2c)):
            s2 += 1
print(w, h, nonwhite, red, s1, s2)
EOF
}

for run in run clean; do
	render "$T/$run.svg" "$T/$run.png"
	rc=$?
	if ((rc == 0)) && [[ -s $T/$run.png ]]; then
		ok "chromium rendered $run.svg to a PNG ($(stat -c %s "$T/$run.png") bytes)"
	else
		not_ok "chromium did not render $run.svg (exit $rc): $(grep -v -e dbus -e 'unexpected operator' "$T/$run.png.log" | tail -3)"
		continue
	fi
	if ! facts=$(png_facts "$T/$run.png" "$T/$run.svg" 2>&1); then
		not_ok "$run.png does not decode: $facts"
		continue
	fi
	read -r w h nonwhite red s1 s2 <<<"$facts"
	check "$run.png is 1000x400" "1000x400" "${w}x${h}"
	if ((nonwhite > 20000)); then ok "$run.png is not empty ($nonwhite non-white pixels)"; else not_ok "$run.png is nearly blank: $nonwhite non-white pixels"; fi
	if ((s1 > 2000 && s2 > 2000)); then
		ok "$run.png: s1's and s2's lanes in their colours ($s1 and $s2 pixels)"
	else
		not_ok "$run.png: s1 $s1, s2 $s2 pixels of their colours in the plot"
	fi
	if [[ $run == run ]]; then
		if ((red >= 40)); then ok "run.png: the lost queries in red ($red pixels)"; else not_ok "run.png: only $red red pixels in the plot"; fi
	else
		check "clean.png: no red in the plot without lost queries" 0 "$red"
	fi
done

finish
