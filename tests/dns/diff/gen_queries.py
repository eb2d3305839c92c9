#!/usr/bin/python3
"""gen_queries.py - the query set of the DNS differential test.

Reads the zones of tests/dns/diff/zones (names and types come from the
files, so a record added there is asked about without more code) and writes
one JSON object a line: the query's wire form (hex) and what it is, for
compare.py.  Deterministic for a given seed.

Usage: gen_queries.py [-s SEED] ZONEDIR > queries.jsonl

Fields: cat (category, for the report and the allow-list), name, type,
class (text, for reading), tcp (bool), edns (text summary or "-"), wire
(hex), raw (true: hand-made bytes, may be malformed on purpose; may get no
answer), desc (for raw queries: what is wrong with them).
"""
import argparse
import json
import os
import random
import struct
import sys

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.zone

# Zones and their files in ZONEDIR (the order is the order of the report).
ZONES = [
    ("example.", "example.zone"),
    ("example.net.", "example.net.zone"),
    ("2.0.192.in-addr.arpa.", "2.0.192.in-addr.arpa.zone"),
    ("8.b.d.0.1.0.0.2.ip6.arpa.", "8.b.d.0.1.0.0.2.ip6.arpa.zone"),
    ("secure.test.", "secure.test.zone"),
    ("nsec3.test.", "nsec3.test.zone"),
    ("nsec3n.test.", "nsec3n.test.zone"),
]
# The zones run.sh signs: asked again with DO=1 (RFC 4035 3.1, RFC 5155 7.2).
SIGNED = ["secure.test.", "nsec3.test.", "nsec3n.test."]
DNSSEC_TYPES = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "DS", "DNSKEY", "CNAME", "SRV",
                "NSEC", "NSEC3", "NSEC3PARAM", "RRSIG", "TYPE65400", "ANY"]

# Every type asked at every name: those in the zones, some that are not
# (NODATA), DNSSEC types on unsigned zones, an unassigned one.
TYPES = ["A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MX", "TXT", "AAAA",
         "LOC", "SRV", "NAPTR", "DS", "SSHFP", "RRSIG", "NSEC", "DNSKEY",
         "TLSA", "CAA", "TYPE65400", "TYPE4321", "ANY"]

# Names outside every zone we serve (REFUSED), including parents and
# look-alikes of ours.
OUTSIDE = [".", "org.", "example.org.", "www.example.org.", "net.",
           "arpa.", "in-addr.arpa.", "0.192.in-addr.arpa.", "3.0.192.in-addr.arpa.",
           "xexample.", "example.com.", "ip6.arpa.", "0.1.0.0.2.ip6.arpa.",
           "localhost.", "version.bind.", "id.server."]


class Gen:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.out = []

    def mixcase(self, name):
        s = name.to_text() if isinstance(name, dns.name.Name) else name
        return "".join(c.upper() if c.isalpha() and self.rnd.random() < 0.5 else c.lower()
                       for c in s)

    def add(self, cat, name, rtype, rclass="IN", tcp=False, edns=1232, do=False,
            nsid=False, version=0, opts=None, rd=None):
        """One query built by dnspython.  edns: payload or None (no OPT)."""
        if rd is None:
            rd = self.rnd.random() < 0.3
        qname = dns.name.from_text(name) if isinstance(name, str) else name
        kw = {}
        if edns is not None:
            o = list(opts or [])
            if nsid:
                o.append(dns.edns.GenericOption(dns.edns.NSID, b""))
            kw = dict(use_edns=version, payload=edns, want_dnssec=do, options=o)
        m = dns.message.make_query(qname, dns.rdatatype.from_text(rtype),
                                   dns.rdataclass.from_text(rclass),
                                   flags=dns.flags.RD if rd else 0, **kw)
        m.id = (len(self.out) * 7919 + 1) & 0xFFFF
        e = "-" if edns is None else "%d%s%s%s%s" % (
            edns, "+do" if do else "", "+nsid" if nsid else "",
            "+v%d" % version if version else "", "+opt" if opts else "")
        self.out.append(dict(cat=cat, name=qname.to_text(), type=rtype, cls=rclass,
                             tcp=tcp, edns=e, rd=rd, wire=m.to_wire().hex(), raw=False))

    def raw(self, cat, desc, wire, tcp=False, name="-", rtype="-"):
        qid = (len(self.out) * 7919 + 1) & 0xFFFF
        if len(wire) >= 2:
            wire = struct.pack("!H", qid) + wire[2:]
        self.out.append(dict(cat=cat, name=name, type=rtype, cls="-", tcp=tcp, edns="?",
                             rd=False, wire=wire.hex(), raw=True, desc=desc))


def zone_names(zonedir):
    """{origin: (zone, [names incl. empty non-terminals], {name: set(types)})}"""
    res = {}
    for origin, fname in ZONES:
        z = dns.zone.from_file(os.path.join(zonedir, fname), origin, relativize=False,
                               check_origin=True)
        o = dns.name.from_text(origin)
        names, types = set(), {}
        for n, node in z.nodes.items():
            types[n] = {dns.rdatatype.to_text(r.rdtype) for r in node.rdatasets}
            while n != o and n.is_subdomain(o):  # the name and every ENT above it
                names.add(n)
                n = n.parent()
        names.add(o)
        res[origin] = (z, sorted(names), types)
    return res


def cuts(zones):
    """Delegation points: names with NS other than the apex."""
    out = []
    for origin, (z, names, types) in zones.items():
        o = dns.name.from_text(origin)
        out += [n for n in names if n != o and "NS" in types.get(n, ())]
    return out


def build(zonedir, seed):
    g = Gen(seed)
    r = g.rnd
    zones = zone_names(zonedir)
    allnames = [n for (_, names, _) in zones.values() for n in names]
    delegs = cuts(zones)
    edns_variants = [None, 512, 1232, 4096]

    # 1. every name with every type (UDP, EDNS 1232: what a resolver sends)
    for n in allnames:
        for t in TYPES:
            below_cut = any(n.is_subdomain(c) for c in delegs)
            g.add("delegation" if below_cut else ("any" if t == "ANY" else "exist"), n, t)

    # 2. missing names: under every zone, under existing names, odd labels
    for origin, (z, names, types) in zones.items():
        for _ in range(25):
            n = "nx%d.%s" % (r.randrange(10**6), origin)
            g.add("nxdomain", n, r.choice(TYPES))
        for _ in range(25):
            base = r.choice(names)
            if any(base.is_subdomain(c) for c in delegs) or "wild" in base.to_text() \
                    or base.labels[0] == b"*":
                continue
            g.add("nxdomain", "nx-%d.%s" % (r.randrange(1000), base), r.choice(TYPES))
    for n in ["a\\.b.example.", "\\000.example.", "a\\032space.example.",
              "\\255\\254.example.", "x" * 63 + ".example."]:
        g.add("nxdomain", n, "A")

    # 3. wildcards: below each, several labels deep, the literal '*', the
    # empty non-terminals next to them, every type
    for base in ["wild.example.", "wc.example.", "a.ent.example."]:
        for _ in range(30):
            labels = ".".join("w%d" % r.randrange(10**5) for _ in range(r.choice([1, 1, 2, 3])))
            g.add("wildcard", "%s.%s" % (labels, base), r.choice(TYPES))
    for n in ["*.wild.example.", "b.wild.example.", "x.b.wild.example.", "sub.b.wild.example.",
              "a.ent.example.", "ent.example.", "q.ent.example.", "y.z.deep.example.",
              "q.y.z.deep.example.", "x.*.wild.example."]:
        for t in ["A", "TXT", "MX", "AAAA", "CNAME", "ANY"]:
            g.add("wildcard", n, t)

    # 4. delegations: the cut, below it, the glue itself, several types
    for c in delegs:
        for sub in ["", "host.", "a.b.", "ns1.", "ns2."]:
            for t in ["A", "AAAA", "NS", "DS", "SOA", "TXT", "MX", "ANY"]:
                g.add("delegation", sub + c.to_text(), t)

    # 5. CNAMEs: every owner of a CNAME and its target, several types
    for origin, (z, names, types) in zones.items():
        for n in names:
            if "CNAME" in types.get(n, ()):
                for t in ["A", "AAAA", "TXT", "MX", "CNAME", "NS", "SOA", "ANY"]:
                    g.add("cname", n, t, tcp=(t == "ANY"))
                tgt = z.get_rdataset(n, "CNAME")[0].target
                g.add("cname", tgt, "A")

    # 6. EDNS: sizes, DO, NSID, version 1 (BADVERS), an unknown option,
    # payloads below 512 and at the maximum, on a sample of names
    for _ in range(500):
        n, t = r.choice(allnames), r.choice(TYPES)
        g.add("edns", n, t, edns=r.choice(edns_variants + [100, 65535]),
              do=r.random() < 0.3, nsid=r.random() < 0.3)
    for n in ["example.", "www.example.", "nx.example.", "sub.example.", "example.org."]:
        for v in [1, 2]:
            g.add("edns", n, "A", edns=1232, version=v)
            g.add("edns", n, "A", edns=1232, version=v, nsid=True)
        g.add("edns", n, "A", edns=1232, opts=[dns.edns.GenericOption(65001, b"\x01\x02")])
        g.add("edns", n, "A", edns=1232, opts=[dns.edns.GenericOption(10, b"\x01" * 8)])  # client cookie
        g.add("edns", n, "SOA", edns=0)
        g.add("edns", n, "SOA", edns=4096, do=True, nsid=True, tcp=True)

    # 7. truncation: large answers at every EDNS size, UDP and TCP
    for n in ["many.example.", "big.example.", "mxmany.example.", "longtxt.example.",
              "txt.example.", "example.", "www.example."]:
        for t in ["A", "TXT", "MX", "ANY", "NS"]:
            for e in edns_variants:
                for tcp in (False, True):
                    g.add("truncation", n, t, edns=e, tcp=tcp, do=r.random() < 0.2)

    # 8. TCP: a random subset of names and types
    for _ in range(300):
        g.add("tcp", r.choice(allnames), r.choice(TYPES), tcp=True,
              edns=r.choice(edns_variants), nsid=r.random() < 0.2)

    # 9. mixed case (0x20): the question must come back as sent
    for _ in range(400):
        n = r.choice(allnames + [dns.name.from_text("q%d.wild.example." % r.randrange(999)),
                                 dns.name.from_text("h.sub.example."),
                                 dns.name.from_text("nx%d.example." % r.randrange(999))])
        g.add("case", g.mixcase(n), r.choice(TYPES), tcp=r.random() < 0.1,
              edns=r.choice(edns_variants))

    # 10. CHAOS: identity and version, case, other types, NSID, TCP
    for n in ["id.server.", "hostname.bind.", "version.bind.", "version.server.",
              "authors.bind.", "foo.bind.", "ID.Server.", "VERSION.BIND.", "bind.", "server."]:
        for t in ["TXT", "A", "ANY", "SOA"]:
            g.add("chaos", n, t, rclass="CH")
        g.add("chaos", n, "TXT", rclass="CH", edns=None)
        g.add("chaos", n, "TXT", rclass="CH", nsid=True, tcp=True)
    # other classes on our names
    for n in ["example.", "www.example."]:
        for c in ["CH", "HS", "NONE", "ANY", "CLASS42"]:
            g.add("class", n, "A", rclass=c)

    # 11. outside our zones: REFUSED
    for n in OUTSIDE:
        for t in ["A", "NS", "SOA", "ANY", "TXT"]:
            g.add("refused", n, t, edns=r.choice(edns_variants), tcp=r.random() < 0.2)

    # 12. zone transfers over UDP and TCP: no ACL allows them
    for n in ["example.", "example.net."]:
        for t in ["AXFR", "IXFR"]:
            for tcp in (False, True):
                g.add("xfr", n, t, tcp=tcp)

    # 13. DNSSEC: the signed zones with DO=1, every name (NSEC3 owners
    # too: they are not names of the zone, RFC 5155 7.2.8), missing names
    # (NXDOMAIN proofs), below the wildcards and cuts, at UDP sizes that
    # truncate; and some without DO (nothing DNSSEC added).
    for origin in SIGNED:
        if origin not in zones:
            continue
        z, names, types = zones[origin]
        extra = ["nx.%s" % origin, "zz.%s" % origin, "a.nx.%s" % origin, "nx.www.%s" % origin,
                 "x.ent.%s" % origin, "ent.%s" % origin, "b.ent.%s" % origin,
                 "q.wild.%s" % origin, "a.b.wild.%s" % origin, "q.wc.%s" % origin,
                 "host.signed.%s" % origin, "host.unsigned.%s" % origin,
                 "a.b.unsigned.%s" % origin, "0.%s" % origin, "~.%s" % origin]
        for n in list(names) + [dns.name.from_text(x) for x in extra]:
            for t in DNSSEC_TYPES:
                g.add("dnssec", n, t, do=True)
            g.add("dnssec", n, "A", do=True, edns=512)
            g.add("dnssec", n, "A", do=True, tcp=True)
            g.add("dnssec", n, "MX", do=False)

    # 14. raw: opcodes and malformed queries (FORMERR or dropped; never a crash)
    def hdr(qid=0, flags=0, qd=1, an=0, ns=0, ar=0):
        return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)
    q_www = dns.name.from_text("www.example.").to_wire() + struct.pack("!HH", 1, 1)
    opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
    for op in [1, 2, 3, 4, 5, 6, 15]:
        g.raw("opcode", "opcode %d" % op, hdr(flags=op << 11) + q_www, name="www.example.", rtype="A")
        g.raw("opcode", "opcode %d with EDNS" % op, hdr(flags=op << 11, ar=1) + q_www + opt,
              name="www.example.", rtype="A")
    g.raw("opcode", "NOTIFY for our zone", hdr(flags=(4 << 11) | 0x0400) +
          dns.name.from_text("example.").to_wire() + struct.pack("!HH", 6, 1),
          name="example.", rtype="SOA")
    bad = [
        ("empty datagram", b""),
        ("5 octets", b"\x12\x34\x01\x00\x00"),
        ("header only, QDCOUNT=0", hdr(qd=0)),
        ("header only, QDCOUNT=1", hdr()),
        ("QR=1 (a response)", hdr(flags=0x8000) + q_www),
        ("QR=1 with an answer", hdr(flags=0x8400, an=1) + q_www +
         b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + b"\x01\x02\x03\x04"),
        ("QDCOUNT=2", hdr(qd=2) + q_www + q_www),
        ("QDCOUNT=0 with EDNS", hdr(qd=0, ar=1) + opt),
        ("qname runs past the end", hdr() + b"\x03www\x07exam"),
        ("qtype/qclass missing", hdr() + dns.name.from_text("www.example.").to_wire()),
        ("qclass cut short", hdr() + dns.name.from_text("www.example.").to_wire() + b"\x00\x01\x00"),
        ("compression pointer loop in qname", hdr() + b"\xc0\x0c" + struct.pack("!HH", 1, 1)),
        ("compression pointer forward", hdr() + b"\x03www\xc0\x20" + struct.pack("!HH", 1, 1)),
        ("label type 0x40", hdr() + b"\x41" + b"a" * 10 + b"\x00" + struct.pack("!HH", 1, 1)),
        ("qname longer than 255", hdr() + (b"\x3f" + b"a" * 63) * 4 + b"\x07example\x00" +
         struct.pack("!HH", 1, 1)),
        ("trailing garbage", hdr() + q_www + b"\xde\xad\xbe\xef"),
        ("ANCOUNT=1 with garbage", hdr(an=1) + q_www + b"\xff\xff\xff"),
        ("ARCOUNT=1, no record", hdr(ar=1) + q_www),
        ("two OPT records", hdr(ar=2) + q_www + opt + opt),
        ("OPT owner not root", hdr(ar=1) + q_www + b"\x01a\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)),
        ("OPT rdlength past the end", hdr(ar=1) + q_www + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 10) + b"\x00\x03"),
        ("OPT option length past rdata", hdr(ar=1) + q_www + b"\x00" +
         struct.pack("!HHIH", 41, 1232, 0, 4) + struct.pack("!HH", 3, 40)),
        ("OPT in the answer section", hdr(an=1) + q_www + opt),
        ("qtype 0", hdr() + dns.name.from_text("www.example.").to_wire() + struct.pack("!HH", 0, 1)),
        ("qclass 0", hdr() + dns.name.from_text("www.example.").to_wire() + struct.pack("!HH", 1, 0)),
        ("TC=1 in the query", hdr(flags=0x0200) + q_www),
        ("RCODE=5 in the query", hdr(flags=0x0005) + q_www),
        ("Z bit set", hdr(flags=0x0040) + q_www),
        ("AA, RA, AD, CD set", hdr(flags=0x04b0) + q_www),
        ("qtype OPT", hdr() + dns.name.from_text("www.example.").to_wire() + struct.pack("!HH", 41, 1)),
        ("qtype TSIG", hdr() + dns.name.from_text("www.example.").to_wire() + struct.pack("!HH", 250, 255)),
    ]
    for desc, w in bad:
        g.raw("malformed", desc, w)
    for desc, w in [("TCP: header only", hdr()), ("TCP: QDCOUNT=2", hdr(qd=2) + q_www + q_www),
                    ("TCP: QR=1", hdr(flags=0x8000) + q_www),
                    ("TCP: trailing garbage", hdr() + q_www + b"\x00")]:
        g.raw("malformed", desc, w, tcp=True)
    return g.out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-s", "--seed", type=int, default=20240601)
    ap.add_argument("zonedir")
    a = ap.parse_args()
    for q in build(a.zonedir, a.seed):
        sys.stdout.write(json.dumps(q, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
