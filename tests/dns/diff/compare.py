#!/usr/bin/python3
"""compare.py - send the same queries to two DNS servers, compare the answers.

Usage: compare.py --ref ADDR@PORT --cand ADDR@PORT --name CAND_NAME
                  --allow allow.conf [--log FILE] [--show N] queries.jsonl

The reference (knotd) and the candidate get the same bytes (queries.jsonl
from gen_queries.py).  Both answers are parsed with dnspython and compared:
the header (reply or none, opcode, RCODE incl. the EDNS extended bits, AA,
TC, RD, RA, AD, CD, ID), the question (case included), then every section
as a multiset of RRs grouped into RRsets, order-independent: RRsets only on
one side, rdata, TTL, owner-name case, rdata case, duplicates; then EDNS
(presence, version, payload size, DO, NSID content, other options).

Each difference has a kind (e.g. "answer.ttl", "edns.nsid", "rcode") and is
checked against the allow-list: an entry matches on the candidate's name,
the kind, the query's category, qname, qtype and the RRset type, and the
two values, all globs; a difference matched by no entry fails its query.
Every entry must give its reason.  Prints per-category counts, the failed
differences grouped by kind (with examples), the allowed ones grouped by
entry, and "N passed, N failed"; exit status 1 if any query failed.
"""
import argparse
import collections
import concurrent.futures
import configparser
import fnmatch
import json
import socket
import struct
import sys
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype

SECTIONS = ("answer", "authority", "additional")
FLAGS = [("AA", dns.flags.AA), ("TC", dns.flags.TC), ("RD", dns.flags.RD),
         ("RA", dns.flags.RA), ("AD", dns.flags.AD), ("CD", dns.flags.CD)]
ALLOW_FIELDS = ("candidate", "kind", "category", "qname", "qtype", "shape", "desc", "rrtype",
                "ref", "cand")


def addr(s):
    host, _, port = s.rpartition("@")
    return host, int(port)


# ------------------------------------------------------------- sending ----
def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b


def ask(server, q, timeout):
    """The raw answer (bytes) or None (no answer / connection closed)."""
    wire = bytes.fromhex(q["wire"])
    fam = socket.AF_INET6 if ":" in server[0] else socket.AF_INET
    tries = 1 if q["raw"] or q["tcp"] else 2
    for _ in range(tries):
        if q["tcp"]:
            s = socket.socket(fam, socket.SOCK_STREAM)
            s.settimeout(timeout)
            try:
                s.connect(server)
                s.sendall(struct.pack("!H", len(wire)) + wire)
                ln = recv_exact(s, 2)
                if ln is None:
                    return None
                return recv_exact(s, struct.unpack("!H", ln)[0])
            except (socket.timeout, ConnectionError):
                return None
            finally:
                s.close()
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        try:
            s.connect(server)
            s.send(wire)
            return s.recv(65535)  # connected, on loopback: the first datagram is the answer
        except (socket.timeout, ConnectionRefusedError):
            pass
        finally:
            s.close()
    return None


# ---------------------------------------------------------- normalising ----
class Answer:
    """What is compared of one answer."""

    def __init__(self, raw):
        self.raw = raw
        self.msg = None
        self.error = None
        if raw is None:
            return
        # dnspython knows only some opcodes (and parses UPDATE differently):
        # parse with opcode 0, keep the real one aside
        self.opcode = (raw[2] >> 3) & 15 if len(raw) > 2 else 0
        wire = raw[:2] + bytes([raw[2] & 0x87]) + raw[3:] if len(raw) > 2 else raw
        try:
            self.msg = dns.message.from_wire(wire, one_rr_per_rrset=True, ignore_trailing=True)
        except Exception as e:  # any parse error is a finding, not a crash
            self.error = "%s: %s" % (type(e).__name__, e)

    def shape(self):
        """What kind of answer: none, unparseable, truncated (TC=1), an
        error RCODE in lower case, nxdomain, referral, nodata, cname or
        answer."""
        if self.raw is None:
            return "none"
        if self.msg is None:
            return "unparseable"
        m, rc = self.msg, self.msg.rcode()
        if m.flags & dns.flags.TC:
            return "truncated"
        if rc == dns.rcode.NXDOMAIN:
            return "nxdomain"
        if rc != dns.rcode.NOERROR:
            return dns.rcode.to_text(rc).lower()
        if not m.answer:
            if not m.flags & dns.flags.AA and any(r.rdtype == dns.rdatatype.NS for r in m.authority):
                return "referral"
            return "nodata"
        qt = m.question[0].rdtype if m.question else None
        if m.answer[0].rdtype == dns.rdatatype.CNAME and qt not in (dns.rdatatype.CNAME, dns.rdatatype.ANY):
            return "cname"
        return "answer"

    def summary(self):
        if self.raw is None:
            return "no answer"
        if self.msg is None:
            return "unparseable (%s)" % self.error
        return dns.rcode.to_text(self.msg.rcode())


def rr_groups(msg, section):
    """{(owner lowercase, class, type): [(owner text, ttl, canonical rdata, wire rdata)]}"""
    g = collections.defaultdict(list)
    for rrset in getattr(msg, section):
        for rd in rrset:
            key = (rrset.name.to_text().lower(), rrset.rdclass, rrset.rdtype)
            g[key].append((rrset.name.to_text(), rrset.ttl, rd.to_digestable(), rd.to_wire()))
    return g


def rdata_text(key, items):
    out = []
    for owner, ttl, _, wire in sorted(items, key=lambda i: i[2]):
        rd = dns.rdata.from_wire(key[1], key[2], wire, 0, len(wire))
        t = rd.to_text()
        out.append("%s %d %s" % (owner, ttl, t if len(t) < 60 else t[:57] + "..."))
    return "; ".join(out) or "-"


def edns_view(msg):
    if msg.edns < 0:
        return None
    opts = collections.defaultdict(list)
    for o in msg.options:
        opts[int(o.otype)].append(o.to_wire() if hasattr(o, "to_wire") else b"")
    return dict(version=msg.edns, payload=msg.payload, do=bool(msg.ednsflags & dns.flags.DO),
                z=msg.ednsflags & 0x7FFF, opts=opts)


def diff(ref, cand):
    """[(kind, rrtype, ref value, cand value)]"""
    d = []
    if ref.raw is None or cand.raw is None or ref.msg is None or cand.msg is None:
        if ref.summary() != cand.summary() or (ref.msg is None and ref.raw != cand.raw):
            d.append(("reply", "", ref.summary(), cand.summary()))
        return d
    r, c = ref.msg, cand.msg
    if r.id != c.id:
        d.append(("header.id", "", str(r.id), str(c.id)))
    if ref.opcode != cand.opcode:
        d.append(("opcode", "", str(ref.opcode), str(cand.opcode)))
    if r.rcode() != c.rcode():
        d.append(("rcode", "", dns.rcode.to_text(r.rcode()), dns.rcode.to_text(c.rcode())))
    for name, bit in FLAGS:
        if (r.flags & bit) != (c.flags & bit):
            d.append(("flags." + name, "", str(int(bool(r.flags & bit))), str(int(bool(c.flags & bit)))))
    rq = [(x.name.to_text(), x.rdclass, x.rdtype) for x in r.question]
    cq = [(x.name.to_text(), x.rdclass, x.rdtype) for x in c.question]
    if rq != cq:
        kind = "question.case" if [(a.lower(), b, t) for a, b, t in rq] == \
            [(a.lower(), b, t) for a, b, t in cq] else "question"
        d.append((kind, "", " ".join(x[0] for x in rq) or "-", " ".join(x[0] for x in cq) or "-"))
    for sec in SECTIONS:
        rg, cg = rr_groups(r, sec), rr_groups(c, sec)
        for key in sorted(set(rg) | set(cg)):
            t = dns.rdatatype.to_text(key[2])
            ri, ci = rg.get(key, []), cg.get(key, [])
            if not ci:
                d.append((sec + ".missing", t, rdata_text(key, ri), "-"))
                continue
            if not ri:
                d.append((sec + ".extra", t, "-", rdata_text(key, ci)))
                continue
            rset = sorted(x[2] for x in ri)
            cset = sorted(x[2] for x in ci)
            if sorted(set(rset)) != sorted(set(cset)):
                d.append((sec + ".rdata", t, rdata_text(key, ri), rdata_text(key, ci)))
                continue
            if rset != cset:
                d.append((sec + ".duplicates", t, str(len(rset)), str(len(cset))))
            rt = sorted((x[2], x[1]) for x in ri)
            ct = sorted((x[2], x[1]) for x in ci)
            if rt != ct:
                d.append((sec + ".ttl", t, ",".join(sorted({str(x[1]) for x in ri})),
                          ",".join(sorted({str(x[1]) for x in ci}))))
            if sorted({x[0] for x in ri}) != sorted({x[0] for x in ci}):
                d.append((sec + ".owner-case", t, " ".join(sorted({x[0] for x in ri})),
                          " ".join(sorted({x[0] for x in ci}))))
            if sorted(x[3] for x in ri) != sorted(x[3] for x in ci):
                d.append((sec + ".rdata-case", t, rdata_text(key, ri), rdata_text(key, ci)))
    re_, ce = edns_view(r), edns_view(c)
    if (re_ is None) != (ce is None):
        d.append(("edns.presence", "", "OPT" if re_ else "none", "OPT" if ce else "none"))
    elif re_ is not None:
        for f in ("version", "payload", "do", "z"):
            if re_[f] != ce[f]:
                d.append(("edns." + f, "", str(re_[f]), str(ce[f])))
        for code in sorted(set(re_["opts"]) | set(ce["opts"])):
            rv, cv = re_["opts"].get(code), ce["opts"].get(code)
            if rv != cv:
                show = lambda v: "-" if v is None else ",".join(
                    x.decode("ascii", "replace") if code == dns.edns.NSID else x.hex() for x in v)
                d.append(("edns.nsid" if code == dns.edns.NSID else "edns.option.%d" % code,
                          "", show(rv), show(cv)))
    return d


# ---------------------------------------------------------- allow-list ----
def load_allow(path):
    cp = configparser.ConfigParser(interpolation=None)
    with open(path) as f:
        cp.read_file(f)
    entries = []
    for sec in cp.sections():
        e = {k: cp.get(sec, k, fallback="*").split() for k in ALLOW_FIELDS}
        e["id"] = sec
        e["reason"] = " ".join(cp.get(sec, "reason", fallback="").split())
        if not e["reason"]:
            sys.exit("%s: [%s] has no reason" % (path, sec))
        unknown = set(cp.options(sec)) - set(ALLOW_FIELDS) - {"reason"}
        if unknown:
            sys.exit("%s: [%s]: unknown key(s) %s" % (path, sec, ", ".join(sorted(unknown))))
        entries.append(e)
    return entries


def allowed_by(entries, cand_name, q, shape, dif):
    kind, rrtype, rv, cv = dif
    vals = dict(candidate=cand_name, kind=kind, category=q["cat"], qname=q["name"].lower(),
                qtype=q["type"], shape=shape, desc=q.get("desc", "-"), rrtype=rrtype or "-",
                ref=rv, cand=cv)
    for e in entries:
        if all(any(fnmatch.fnmatchcase(vals[f], p) for p in e[f]) for f in ALLOW_FIELDS):
            return e["id"]
    return None


# ---------------------------------------------------------------- main ----
def describe(q):
    if q["raw"]:
        return "[%s] raw %s: %s" % (q["cat"], "tcp" if q["tcp"] else "udp", q["desc"])
    return "[%s] %s %s %s %s edns=%s%s" % (q["cat"], q["name"], q["cls"], q["type"],
                                            "tcp" if q["tcp"] else "udp", q["edns"],
                                            " rd" if q["rd"] else "")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ref", required=True, type=addr)
    ap.add_argument("--cand", required=True, type=addr)
    ap.add_argument("--ref-name", default="knot")
    ap.add_argument("--name", required=True, help="candidate's name, matched by 'candidate ='")
    ap.add_argument("--allow", required=True)
    ap.add_argument("--log", help="every difference of every query, one a line")
    ap.add_argument("--show", type=int, default=5, help="examples per failed kind")
    ap.add_argument("--timeout", type=float, default=1.5)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("queries")
    a = ap.parse_args()
    entries = load_allow(a.allow)
    with open(a.queries) as f:
        queries = [json.loads(l) for l in f if l.strip()]

    def one(q):
        return Answer(ask(a.ref, q, a.timeout)), Answer(ask(a.cand, q, a.timeout))

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(a.threads) as ex:
        answers = list(ex.map(one, queries))
    elapsed = time.monotonic() - t0

    cats = collections.OrderedDict()
    failed_kinds = collections.defaultdict(list)   # kind -> [(q, dif)]
    allowed = collections.Counter()                # entry id -> queries
    allowed_kinds = collections.defaultdict(collections.Counter)
    log = open(a.log, "w") if a.log else None
    npass = nfail = 0
    noref = 0
    for q, (ra, ca) in zip(queries, answers):
        c = cats.setdefault(q["cat"], collections.Counter())
        c["total"] += 1
        if ra.raw is None and not q["raw"]:
            noref += 1
        difs = diff(ra, ca)
        shape = ra.shape() if ra.raw is not None else ca.shape()
        bad, used = [], set()
        for dif in difs:
            e = allowed_by(entries, a.name, q, shape, dif)
            if e:
                used.add(e)
                allowed_kinds[e][dif[0]] += 1
            else:
                bad.append(dif)
            if log:
                log.write("%s\t%s\t%s\t%s\t%s\t%s | %s\n" % (
                    describe(q), e or "FAIL", dif[0], dif[1] or "-", shape, dif[2], dif[3]))
        for e in used:
            allowed[e] += 1
        if bad:
            nfail += 1
            c["failed"] += 1
            for dif in bad:
                failed_kinds[dif[0]].append((q, dif, ra, ca))
        else:
            npass += 1
            c["allowed" if difs else "same"] += 1
    if log:
        log.close()

    print("%d queries, %s (reference) vs %s (candidate), %.1f s" % (
        len(queries), a.ref_name, a.name, elapsed))
    print("%-12s %6s %6s %8s %7s" % ("category", "total", "same", "allowed", "failed"))
    for cat, c in cats.items():
        print("%-12s %6d %6d %8d %7d" % (cat, c["total"], c["same"], c["allowed"], c["failed"]))
    if allowed:
        print("\nallowed differences (allow-list entry: queries; kinds):")
        for e in entries:
            if allowed[e["id"]]:
                ks = ", ".join("%s %d" % kv for kv in sorted(allowed_kinds[e["id"]].items()))
                print("  [%s] %d; %s" % (e["id"], allowed[e["id"]], ks))
    unused = [e["id"] for e in entries
              if not allowed[e["id"]] and any(fnmatch.fnmatchcase(a.name, p) for p in e["candidate"])]
    if unused:
        print("  allow-list entries for %s that matched nothing: %s" % (a.name, ", ".join(unused)))
    if failed_kinds:
        print("\nfailed differences by kind (queries; first %d shown):" % a.show)
        for kind in sorted(failed_kinds, key=lambda k: -len(failed_kinds[k])):
            lst = failed_kinds[kind]
            print("  %s: %d" % (kind, len(lst)))
            for q, dif, ra, ca in lst[:a.show]:
                print("    %s" % describe(q))
                print("      %s%s: %s" % (a.ref_name, " " + dif[1] if dif[1] else "", dif[2]))
                print("      %s%s: %s" % (a.name, " " + dif[1] if dif[1] else "", dif[3]))
    if noref:
        print("\nwarning: the reference gave no answer to %d well-formed queries" % noref)
    print("%d passed, %d failed" % (npass, nfail))
    return 1 if nfail else 0


if __name__ == "__main__":
    sys.exit(main())
