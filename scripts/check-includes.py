#!/usr/bin/env python3
"""check-includes.py - the include graph of src/ against docs/design.md.

docs/design.md has a table under the heading "The arrows": one row per
directory of src/ and the directories its files may include.  Every
`#include "DIR/..."` (or "../DIR/...") in src/DIR2/*.[ch] must be allowed by
DIR2's row; a file may always include its own directory.  A directory
missing from the table is an error too.  Exit 0 and touch --stamp when the
graph matches; exit 1 with one line per offending include otherwise.  Run by
the build (meson.build: include-graph), so a back-edge fails the build.
"""
import argparse
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def allowed_edges(design):
    """{dir: set(dirs it may include)} from the table under '## The arrows'."""
    text = pathlib.Path(design).read_text()
    m = re.search(r'^## The arrows\s*$(.*?)(?=^## |\Z)', text, re.M | re.S)
    if not m:
        sys.exit(f"{design}: no '## The arrows' section")
    edges = {}
    for line in m.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) < 2 or not cells[0].startswith('`src/'):
            continue
        d = cells[0].strip('`').removeprefix('src/').rstrip('/')
        deps = set(re.findall(r'`([a-z]+)/`', cells[1]))
        edges[d] = deps
    return edges


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--design', required=True)
    ap.add_argument('--src', required=True)
    ap.add_argument('--stamp')
    a = ap.parse_args()
    edges = allowed_edges(a.design)
    src = pathlib.Path(a.src)
    bad = []
    for f in sorted(src.glob('*/*.[ch]')):
        d = f.parent.name
        if d not in edges:
            bad.append(f"{f.relative_to(src)}: directory src/{d}/ is not in docs/design.md's arrows")
            continue
        for n, line in enumerate(f.read_text(errors='replace').splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            parts = pathlib.PurePosixPath(target).parts
            if parts and parts[0] == '..':
                parts = parts[1:]
            if len(parts) < 2:
                continue  # same directory ("conf.h")
            t = parts[0]
            if t != d and t not in edges[d]:
                bad.append(f"src/{f.relative_to(src)}:{n}: includes {target}: "
                           f"src/{d}/ may include only {', '.join(sorted(edges[d])) or 'nothing'}")
    for b in bad:
        print(b, file=sys.stderr)
    if bad:
        print(f"check-includes: {len(bad)} include(s) against docs/design.md's arrows", file=sys.stderr)
        return 1
    if a.stamp:
        pathlib.Path(a.stamp).write_text('ok\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
