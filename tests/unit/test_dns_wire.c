/*
 * test_dns_wire.c - unit tests for the DNS message codec (src/dns/wire.c).
 *
 * Parse vectors are byte arrays written out field by field (RFC 1035
 * 4.1.1-4.1.4, RFC 6891 6.1.2, RFC 5001 2.3), never produced by the
 * writer under test.  Composition is checked against offsets worked out by
 * hand in the comments: every compression pointer must point backwards, to
 * the name it stands for (RFC 1035 4.1.4), and rdata of types outside RFC
 * 1035 must never be compressed (RFC 3597 4, RFC 6672 2.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/wire.h"

#define B16(v) (uint8_t)(((v) >> 8) & 0xff), (uint8_t)((v) & 0xff)
#define HDR(id, fl, qd, an, ns, ar) B16(id), B16(fl), B16(qd), B16(an), B16(ns), B16(ar)
/* www.example.com, 17 bytes */
#define WWW 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0
#define QA B16(1), B16(1)
/* OPT: root owner, type 41, payload size, ext rcode, version, flags, rdlen (RFC 6891 6.1.2) */
#define OPT(udp, ext, ver, fl, rdlen) 0, B16(41), B16(udp), (ext), (ver), B16(fl), B16(rdlen)
#define NSID_REQ B16(3), B16(0)
#define L63 63, 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', \
	'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', \
	'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', \
	'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'

#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* Parse a copy in a buffer of exactly len bytes, so ASan sees any overread. */
static int
parse_exact(const uint8_t *buf, size_t len, struct dns_msg *m)
{
	uint8_t *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	if (len > 0)
		memcpy(copy, buf, len);
	int r = dns_wire_parse(copy, len, m);
	/* Pointers handed out must point into the copy; rebase them onto buf. */
	if (m->qname != NULL)
		m->qname = buf + (m->qname - copy);
	if (m->nsid_data != NULL)
		m->nsid_data = buf + (m->nsid_data - copy);
	free(copy);
	return r;
}

struct vec {
	const char *name;
	const uint8_t *buf;
	size_t len;
	int err;
	uint16_t qdcount;
	bool qname;  /* a first question was handed out */
	bool edns;
};

static const struct vec vectors[] = {
	{ "plain query", BYTES(HDR(1, 0x0100, 1, 0, 0, 0), WWW, QA), DNS_WIRE_OK, 1, true, false },
	{ "query with OPT", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, OPT(4096, 0, 0, 0x8000, 0)),
	    DNS_WIRE_OK, 1, true, true },
	{ "QDCOUNT 0", BYTES(HDR(1, 0, 0, 0, 0, 0)), DNS_WIRE_OK, 0, false, false },
	{ "QDCOUNT 2", BYTES(HDR(1, 0, 2, 0, 0, 0), WWW, QA, WWW, B16(28), B16(1)),
	    DNS_WIRE_OK, 2, true, false },
	{ "QDCOUNT 2, one present", BYTES(HDR(1, 0, 2, 0, 0, 0), WWW, QA), DNS_WIRE_QNAME, 2,
	    true, false },
	{ "root name", BYTES(HDR(1, 0, 1, 0, 0, 0), 0, B16(2), B16(1)), DNS_WIRE_OK, 1, true,
	    false },
	{ "label of 64", BYTES(HDR(1, 0, 1, 0, 0, 0), 64, L63, 'a', 0, QA), DNS_WIRE_QNAME, 1,
	    false, false },
	{ "label type 0x40", BYTES(HDR(1, 0, 1, 0, 0, 0), 0x41, 'a', 0, QA), DNS_WIRE_QNAME, 1,
	    false, false },
	{ "label type 0x80", BYTES(HDR(1, 0, 1, 0, 0, 0), 0x81, 'a', 0, QA), DNS_WIRE_QNAME, 1,
	    false, false },
	{ "pointer in question", BYTES(HDR(1, 0, 1, 0, 0, 0), 3, 'w', 'w', 'w', 0xc0, 0x0c, QA),
	    DNS_WIRE_QNAME, 1, false, false },
	{ "pointer as question", BYTES(HDR(1, 0, 1, 0, 0, 0), 0xc0, 0x0c, QA), DNS_WIRE_QNAME, 1,
	    false, false },
	{ "name of 257 bytes", BYTES(HDR(1, 0, 1, 0, 0, 0), L63, L63, L63, L63, 0, QA),
	    DNS_WIRE_QNAME, 1, false, false },
	{ "name without root", BYTES(HDR(1, 0, 1, 0, 0, 0), 3, 'w', 'w', 'w'), DNS_WIRE_QNAME, 1,
	    false, false },
	{ "class missing", BYTES(HDR(1, 0, 1, 0, 0, 0), WWW, B16(1)), DNS_WIRE_QTRUNC, 1, false,
	    false },
	{ "OPT in answer", BYTES(HDR(1, 0, 1, 1, 0, 0), WWW, QA, OPT(4096, 0, 0, 0, 0)),
	    DNS_WIRE_OPT_SECTION, 1, true, false },
	{ "OPT in authority", BYTES(HDR(1, 0, 1, 0, 1, 0), WWW, QA, OPT(4096, 0, 0, 0, 0)),
	    DNS_WIRE_OPT_SECTION, 1, true, false },
	{ "two OPTs", BYTES(HDR(1, 0, 1, 0, 0, 2), WWW, QA, OPT(4096, 0, 0, 0, 0),
	    OPT(512, 0, 0, 0, 0)), DNS_WIRE_OPT_DUP, 1, true, true },
	{ "OPT owner not root", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, 0xc0, 0x0c, B16(41),
	    B16(4096), 0, 0, B16(0), B16(0)), DNS_WIRE_OPT_OWNER, 1, true, false },
	/* Record owners are skipped, not read, but the OPT's is read through its pointer. */
	{ "OPT owner a pointer to the root", BYTES(HDR(1, 0, 1, 0, 0, 1), 0, QA, 0xc0, 0x0c,
	    B16(41), B16(4096), 0, 0, B16(0), B16(0)), DNS_WIRE_OK, 1, true, true },
	{ "owner label past the end", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, 5, 'a'),
	    DNS_WIRE_RRNAME, 1, true, false },
	{ "OPT option past rdata", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, OPT(4096, 0, 0, 0, 4),
	    B16(3), B16(1)), DNS_WIRE_OPT_OPTION, 1, true, true },
	{ "OPT rdata 3 bytes", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, OPT(4096, 0, 0, 0, 3),
	    B16(3), 0), DNS_WIRE_OPT_OPTION, 1, true, true },
	{ "OPT with NSID and cookie", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA,
	    OPT(1232, 0, 0, 0, 16), B16(10), B16(8), 1, 2, 3, 4, 5, 6, 7, 8, NSID_REQ),
	    DNS_WIRE_OK, 1, true, true },
	{ "OPT version 1", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, OPT(4096, 0, 1, 0, 0)),
	    DNS_WIRE_OK, 1, true, true },
	{ "rdata past the end", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, OPT(4096, 0, 0, 0, 9),
	    B16(3), B16(0)), DNS_WIRE_RRTRUNC, 1, true, false },
	{ "record header cut", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, 0, B16(41), B16(4096)),
	    DNS_WIRE_RRTRUNC, 1, true, false },
	{ "ARCOUNT 1, nothing there", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA), DNS_WIRE_RRNAME, 1,
	    true, false },
	{ "compressed owner in additional", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, 0xc0, 0x0c,
	    QA, 0, 0, 0, 60, B16(4), 192, 0, 2, 1), DNS_WIRE_OK, 1, true, false },
	{ "owner pointer forwards", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, 0xc0, 35, QA,
	    0, 0, 0, 60, B16(0), 0), DNS_WIRE_RRNAME, 1, true, false },
	{ "owner pointer to itself", BYTES(HDR(1, 0, 1, 0, 0, 1), WWW, QA, 0xc0, 33, QA,
	    0, 0, 0, 60, B16(0)), DNS_WIRE_RRNAME, 1, true, false },
	{ "TSIG last", BYTES(HDR(1, 0, 1, 0, 0, 2), WWW, QA, OPT(4096, 0, 0, 0, 0),
	    0, B16(250), B16(255), 0, 0, 0, 0, B16(0)), DNS_WIRE_OK, 1, true, true },
	{ "TSIG before OPT", BYTES(HDR(1, 0, 1, 0, 0, 2), WWW, QA,
	    0, B16(250), B16(255), 0, 0, 0, 0, B16(0), OPT(4096, 0, 0, 0, 0)),
	    DNS_WIRE_TSIG_LAST, 1, true, false },
	{ "TSIG in answer", BYTES(HDR(1, 0, 1, 1, 0, 0), WWW, QA,
	    0, B16(250), B16(255), 0, 0, 0, 0, B16(0)), DNS_WIRE_TSIG_LAST, 1, true, false },
	{ "trailing bytes", BYTES(HDR(1, 0, 1, 0, 0, 0), WWW, QA, 0xde, 0xad), DNS_WIRE_OK, 1,
	    true, false },
	{ "11 bytes", BYTES(0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0), DNS_WIRE_SHORT, 0, false, false },
};

static void
test_parse_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		const struct vec *v = &vectors[i];
		struct dns_msg m;
		int r = parse_exact(v->buf, v->len, &m);
		if (r != v->err || m.qdcount != v->qdcount || (m.qname != NULL) != v->qname ||
		    m.edns != v->edns)
			fail_msg("%s: err %d (%s) want %d, qdcount %u, qname %d, edns %d", v->name,
			    r, dns_wire_err_str(r), v->err, m.qdcount, m.qname != NULL, m.edns);
	}
}

/* The fields of a good EDNS query, each checked against the bytes. */
static const uint8_t edns_query[] = {
	HDR(0xbeef, 0x0110, 1, 0, 0, 1),        /* RD, CD */
	3, 'W', 'w', 'W', 7, 'e', 'X', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	B16(28), B16(1),                         /* AAAA IN */
	OPT(1400, 0, 0, 0x8000, 4), NSID_REQ,   /* DO, NSID request */
};

static void
test_parse_fields(void **state)
{
	struct dns_msg m;
	(void)state;

	assert_int_equal(parse_exact(edns_query, sizeof(edns_query), &m), DNS_WIRE_OK);
	assert_int_equal(m.id, 0xbeef);
	assert_int_equal(m.flags, 0x0110);
	assert_int_equal(DNS_F_OPCODE(m.flags), DNS_OPCODE_QUERY);
	assert_int_equal(m.qdcount, 1);
	assert_int_equal(m.arcount, 1);
	assert_ptr_equal(m.qname, edns_query + 12);
	assert_int_equal(m.qname_len, 17);
	assert_memory_equal(m.qname, "\003WwW\007eXample\003com", 17); /* case as sent */
	assert_int_equal(m.qtype, 28);
	assert_int_equal(m.qclass, 1);
	assert_int_equal(m.question_end, 33);
	assert_true(m.edns);
	assert_int_equal(m.edns_udp, 1400);
	assert_int_equal(m.edns_version, 0);
	assert_int_equal(m.edns_ext_rcode, 0);
	assert_int_equal(m.edns_flags, DNS_EDNS_DO);
	assert_true(m.nsid);
	assert_int_equal(m.nsid_len, 0);
	assert_false(m.tsig);
	assert_int_equal(m.end, sizeof(edns_query));

	/* Extended RCODE and version from the OPT TTL (RFC 6891 6.1.3). */
	static const uint8_t v[] = { HDR(2, 0x8000, 0, 0, 0, 1), OPT(512, 1, 7, 0x1234, 0) };
	assert_int_equal(parse_exact(v, sizeof(v), &m), DNS_WIRE_OK);
	assert_int_equal(m.edns_ext_rcode, 1);
	assert_int_equal(m.edns_version, 7);
	assert_int_equal(m.edns_flags, 0x1234);
	assert_int_equal(m.edns_udp, 512);
	assert_false(m.nsid);

	static const uint8_t t[] = { HDR(3, 0, 1, 0, 0, 0), WWW, QA, 1, 2, 3 };
	assert_int_equal(parse_exact(t, sizeof(t), &m), DNS_WIRE_OK);
	assert_int_equal(m.end, sizeof(t) - 3); /* trailing bytes left alone */
}

/* Every prefix of a good query fails, with the reason for where it was cut. */
static void
test_parse_truncated(void **state)
{
	(void)state;
	for (size_t len = 0; len < sizeof(edns_query); len++) {
		struct dns_msg m;
		int want;
		if (len < 12)
			want = DNS_WIRE_SHORT;
		else if (len < 29)
			want = DNS_WIRE_QNAME;  /* 12 + 17 */
		else if (len < 33)
			want = DNS_WIRE_QTRUNC;
		else if (len == 33)
			want = DNS_WIRE_RRNAME; /* the OPT owner is missing */
		else
			want = DNS_WIRE_RRTRUNC;
		int r = parse_exact(edns_query, len, &m);
		if (r != want)
			fail_msg("cut at %zu: %d (%s), want %d", len, r, dns_wire_err_str(r), want);
		if (len >= 33)
			assert_ptr_equal(m.qname, edns_query + 12);
	}
}

/* Decompression: chains, loops, limits (RFC 1035 4.1.4, 3.1). */
static void
test_name_read(void **state)
{
	uint8_t msg[1024], out[DNS_NAME_MAX];
	size_t pos;
	(void)state;

	memset(msg, 0, sizeof(msg));
	/* 12: example.com (13 bytes) */
	memcpy(msg + 12, "\007example\003com", 13);
	/* 25: www -> 12 */
	memcpy(msg + 25, "\003www\xc0\x0c", 6);
	/* 31: mail -> 25 -> 12 */
	memcpy(msg + 31, "\004mail\xc0\x19", 7);
	/* 38: pointer to itself; 40: forwards; 42: 0x40 label; 44: -> 31 */
	memcpy(msg + 38, "\xc0\x26", 2);
	memcpy(msg + 40, "\xc0\x29", 2);
	memcpy(msg + 42, "\x41", 1);
	memcpy(msg + 44, "\xc0\x1f", 2);
	/* 46: a -> 50 (a later name: forwards) */
	memcpy(msg + 46, "\001a\xc0\x32", 4);
	memcpy(msg + 50, "\001b\000", 3);
	/* 53: pointer cut in half at the end of the message */
	msg[53] = 0xc0;

	pos = 12;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), 13);
	assert_int_equal(pos, 25);
	pos = 25;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), 17);
	assert_memory_equal(out, "\003www\007example\003com", 17);
	assert_int_equal(pos, 31); /* just past the pointer */
	pos = 31;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), 22);
	assert_memory_equal(out, "\004mail\003www\007example\003com", 22);
	assert_int_equal(pos, 38);
	pos = 44;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), 22);
	assert_int_equal(pos, 46);
	pos = 38;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), -1);
	pos = 40;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), -1);
	pos = 42;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), -1);
	pos = 46;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), -1);
	pos = 53;
	assert_int_equal(dns_wire_name_read(msg, 54, &pos, out), -1);
	pos = 54;
	assert_int_equal(dns_wire_name_read(msg, 54, &pos, out), -1);

	/*
	 * Two pointers that point at each other's names: 60 -> 70 is
	 * forwards, 70 -> 60 backwards but then 60's pointer must be below
	 * 60, and it is not.
	 */
	memcpy(msg + 60, "\001x\xc0\x46", 4);
	memcpy(msg + 70, "\001y\xc0\x3c", 4);
	pos = 70;
	assert_int_equal(dns_wire_name_read(msg, 1024, &pos, out), -1);

	/* 255 bytes exactly through pointers, and 256. */
	size_t o = 100, a, b, c;
	a = o;
	msg[o++] = 63;
	memset(msg + o, 'a', 63);
	o += 63;
	msg[o++] = 0;                       /* 65 bytes */
	b = o;
	msg[o++] = 63;
	memset(msg + o, 'b', 63);
	o += 63;
	msg[o++] = (uint8_t)(0xc0 | (a >> 8));
	msg[o++] = (uint8_t)a;              /* 129 */
	c = o;
	msg[o++] = 63;
	memset(msg + o, 'c', 63);
	o += 63;
	msg[o++] = (uint8_t)(0xc0 | (b >> 8));
	msg[o++] = (uint8_t)b;              /* 193 */
	size_t d = o;
	msg[o++] = 61;
	memset(msg + o, 'd', 61);
	o += 61;
	msg[o++] = (uint8_t)(0xc0 | (c >> 8));
	msg[o++] = (uint8_t)c;              /* 62 + 193 = 255 */
	size_t e = o;
	msg[o++] = 62;
	memset(msg + o, 'e', 62);
	o += 62;
	msg[o++] = (uint8_t)(0xc0 | (c >> 8));
	msg[o++] = (uint8_t)c;              /* 63 + 193 = 256 */
	pos = d;
	assert_int_equal(dns_wire_name_read(msg, o, &pos, out), 255);
	assert_int_equal(dns_name_wire_len(out, 255), 255);
	pos = e;
	assert_int_equal(dns_wire_name_read(msg, o, &pos, out), -1);
}

/* The records of a reply with compressed owners, walked in order. */
static void
test_rr_iter(void **state)
{
	static const uint8_t r[] = {
		HDR(9, 0x8400, 1, 2, 1, 1), WWW, QA,
		0xc0, 0x0c, QA, 0, 0, 0x0e, 0x10, B16(4), 192, 0, 2, 1,        /* 33 */
		0xc0, 0x0c, QA, 0, 0, 0x0e, 0x10, B16(4), 192, 0, 2, 2,        /* 49 */
		0xc0, 0x10, B16(2), B16(1), 0, 0, 0, 60, B16(6), 3, 'n', 's', '1', 0xc0, 0x10,
		OPT(1232, 0, 0, 0, 0),
	};
	struct dns_msg m;
	struct dns_rr_iter it;
	struct dns_rr rr;
	uint8_t name[DNS_NAME_MAX];
	size_t pos;
	(void)state;

	assert_int_equal(parse_exact(r, sizeof(r), &m), DNS_WIRE_OK);
	assert_true(m.edns);
	dns_wire_rr_begin(&it, r, sizeof(r), &m);
	assert_int_equal(dns_wire_rr_next(&it, &rr), 1);
	assert_int_equal(rr.section, DNS_SEC_ANSWER);
	assert_memory_equal(rr.owner, "\003www\007example\003com", 17);
	assert_int_equal(rr.ttl, 3600);
	assert_int_equal(rr.rdlen, 4);
	assert_int_equal(rr.rdata_off, 45);
	assert_int_equal(dns_wire_rr_next(&it, &rr), 1);
	assert_int_equal(rr.rdata[3], 2);
	assert_int_equal(dns_wire_rr_next(&it, &rr), 1);
	assert_int_equal(rr.section, DNS_SEC_AUTHORITY);
	assert_int_equal(rr.type, DNS_T_NS);
	assert_memory_equal(rr.owner, "\007example\003com", 13);
	pos = rr.rdata_off;
	assert_int_equal(dns_wire_name_read(r, sizeof(r), &pos, name), 17);
	assert_memory_equal(name, "\003ns1\007example\003com", 17);
	assert_int_equal(dns_wire_rr_next(&it, &rr), 1);
	assert_int_equal(rr.section, DNS_SEC_ADDITIONAL);
	assert_int_equal(rr.type, DNS_T_OPT);
	assert_int_equal(dns_wire_rr_next(&it, &rr), 0);
	assert_int_equal(dns_wire_rr_next(&it, &rr), 0);
}

/* Build RRset storage (zone.h layout) from rdata pieces. */
struct rrs {
	struct dns_rrset set;
	uint8_t data[65536];
};

static void
rrs_init(struct rrs *r, uint16_t type, uint32_t ttl)
{
	memset(&r->set, 0, sizeof(r->set));
	r->set.type = type;
	r->set.ttl = ttl;
	r->set.rdata = r->data;
}

static void
rrs_add(struct rrs *r, const void *rd, size_t len)
{
	r->data[r->set.rdata_len] = (uint8_t)(len >> 8);
	r->data[r->set.rdata_len + 1] = (uint8_t)len;
	memcpy(r->data + r->set.rdata_len + 2, rd, len);
	r->set.rdata_len += (uint32_t)(2 + len);
	r->set.count++;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Every pointer in a name points backwards, below 0x4000 by construction. */
static void
check_name_at(const uint8_t *msg, size_t len, size_t off, const char *want_text)
{
	uint8_t name[DNS_NAME_MAX];
	char text[DNS_NAME_STRLEN];
	size_t pos = off;
	assert_true(dns_wire_name_read(msg, len, &pos, name) > 0);
	assert_string_equal(dns_name_to_text(name, text), want_text);
}

static void
test_compose_compression(void **state)
{
	static struct rrs a, ns, soa, glue, txt, dname, srv, mx;
	uint8_t buf[1024];
	struct dns_writer wr;
	(void)state;

	rrs_init(&a, DNS_T_A, 3600);
	rrs_add(&a, "\xc0\x00\x02\x01", 4);
	rrs_add(&a, "\xc0\x00\x02\x02", 4);
	rrs_init(&ns, DNS_T_NS, 86400);
	rrs_add(&ns, "\003ns1\007example\003com", 17);
	rrs_init(&soa, DNS_T_SOA, 3600);
	rrs_add(&soa, "\003ns1\007example\003com\000\012hostmaster\007example\003com\000"
	    "\000\000\000\001\000\000\034\040\000\000\016\020\000\022\165\000\000\000\001\054",
	    17 + 24 + 20);
	rrs_init(&glue, DNS_T_A, 3600);
	rrs_add(&glue, "\xc0\x00\x02\x35", 4);
	rrs_init(&txt, DNS_T_TXT, 60);
	rrs_add(&txt, "\003www\007example\003com", 17); /* looks like a name; is not one */
	rrs_init(&dname, DNS_T_DNAME, 60);
	rrs_add(&dname, "\007example\003com", 13);
	rrs_init(&srv, DNS_T_SRV, 60);
	rrs_add(&srv, "\000\001\000\002\000\120\003www\007example\003com", 6 + 17);
	rrs_init(&mx, DNS_T_MX, 60);
	rrs_add(&mx, "\000\012\004mail\007EXAMPLE\003com", 2 + 18);

	dns_wire_init(&wr, buf, sizeof(buf));
	assert_int_equal(dns_wire_header(&wr, 0x1234, DNS_F_QR | DNS_F_AA), DNS_WIRE_OK);
	/* 12..28 the question as sent, 29..32 type and class */
	assert_int_equal(dns_wire_question(&wr, (const uint8_t *)"\003WWW\007Example\003COM",
	    DNS_T_A, DNS_C_IN), DNS_WIRE_OK);
	assert_int_equal(wr.w.pos, 33);
	/* 33 and 49: owners are pointers to the question (0x0c) */
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER,
	    (const uint8_t *)"\003www\007example\003com", DNS_C_IN, &a.set, 3600), DNS_WIRE_OK);
	assert_int_equal(wr.w.pos, 65);
	assert_int_equal(get16(buf + 33), 0xc00c);
	assert_int_equal(get16(buf + 49), 0xc00c);
	/* 65: owner example.com -> 0x10 (inside the question); rdata at 77: ns1 + 0xc010 */
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_AUTHORITY,
	    (const uint8_t *)"\007example\003com", DNS_C_IN, &ns.set, 86400), DNS_WIRE_OK);
	assert_int_equal(get16(buf + 65), 0xc010);
	assert_int_equal(get16(buf + 75), 6); /* RDLENGTH after compression */
	assert_memory_equal(buf + 77, "\003ns1\xc0\x10", 6);
	assert_int_equal(wr.w.pos, 83);
	/*
	 * 83: SOA; rdata at 95: MNAME -> 77 (ns1.example.com), RNAME
	 * "hostmaster" + -> 0x10, then the 20 bytes: 2 + 13 + 20 = 35.
	 */
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_AUTHORITY,
	    (const uint8_t *)"\007example\003com", DNS_C_IN, &soa.set, 300), DNS_WIRE_OK);
	assert_int_equal(get16(buf + 83), 0xc010);
	assert_int_equal(get16(buf + 93), 35);
	assert_int_equal(get16(buf + 95), 0xc04d);
	assert_memory_equal(buf + 97, "\012hostmaster\xc0\x10", 13);
	assert_int_equal(wr.w.pos, 130);
	/* 130: glue owner ns1.example.com -> 77, the NS rdata */
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ADDITIONAL,
	    (const uint8_t *)"\003ns1\007example\003com", DNS_C_IN, &glue.set, 3600), DNS_WIRE_OK);
	assert_int_equal(get16(buf + 130), 0xc04d);
	assert_int_equal(wr.w.pos, 146);
	/* 146: owner txt + -> 0x10; the TXT rdata at 162 is copied, not compressed */
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ADDITIONAL,
	    (const uint8_t *)"\003txt\007example\003com", DNS_C_IN, &txt.set, 60), DNS_WIRE_OK);
	assert_memory_equal(buf + 146, "\003txt\xc0\x10", 6);
	assert_int_equal(get16(buf + 160), 17);
	assert_memory_equal(buf + 162, "\003www\007example\003com", 17);
	assert_int_equal(wr.w.pos, 179);
	/* 179: DNAME rdata (RFC 6672 2.1) uncompressed at 193 */
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ADDITIONAL,
	    (const uint8_t *)"\001d\007example\003com", DNS_C_IN, &dname.set, 60), DNS_WIRE_OK);
	assert_memory_equal(buf + 179, "\001d\xc0\x10", 4);
	assert_int_equal(get16(buf + 191), 13);
	assert_memory_equal(buf + 193, "\007example\003com", 13);
	assert_int_equal(wr.w.pos, 206);
	/* 206: SRV (RFC 2782: target not compressed) owner _s._tcp + -> 0x10, rdata at 224 */
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ADDITIONAL,
	    (const uint8_t *)"\002_s\004_tcp\007example\003com", DNS_C_IN, &srv.set, 60),
	    DNS_WIRE_OK);
	assert_memory_equal(buf + 206, "\002_s\004_tcp\xc0\x10", 10);
	assert_int_equal(get16(buf + 224), 23);
	assert_memory_equal(buf + 226 + 6, "\003www\007example\003com", 17);
	assert_int_equal(wr.w.pos, 249);
	/* 249: MX owner -> 0x10; rdata at 261: preference, mail + -> 0x10 (case-insensitive) */
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ADDITIONAL,
	    (const uint8_t *)"\007example\003com", DNS_C_IN, &mx.set, 60), DNS_WIRE_OK);
	assert_int_equal(get16(buf + 249), 0xc010);
	assert_int_equal(get16(buf + 259), 9);
	assert_memory_equal(buf + 261, "\000\012\004mail\xc0\x10", 9);
	assert_int_equal(wr.w.pos, 270);
	assert_int_equal(dns_wire_opt(&wr, 1232, 0, 0, DNS_EDNS_DO,
	    (const uint8_t *)"ns-a", 4), DNS_WIRE_OK);
	assert_int_equal(dns_wire_finish(&wr), 270 + 11 + 8);

	/* Read back through the parser: counts, names, OPT. */
	struct dns_msg m;
	assert_int_equal(parse_exact(buf, 289, &m), DNS_WIRE_OK);
	assert_int_equal(m.flags, DNS_F_QR | DNS_F_AA);
	assert_int_equal(m.ancount, 2);
	assert_int_equal(m.nscount, 2);
	assert_int_equal(m.arcount, 6);
	assert_true(m.edns);
	assert_int_equal(m.edns_udp, 1232);
	assert_int_equal(m.edns_flags, DNS_EDNS_DO);
	assert_true(m.nsid);
	assert_int_equal(m.nsid_len, 4);
	assert_memory_equal(m.nsid_data, "ns-a", 4);
	check_name_at(buf, 289, 33, "WWW.Example.COM.");
	check_name_at(buf, 289, 77, "ns1.Example.COM.");
	check_name_at(buf, 289, 95, "ns1.Example.COM.");
	check_name_at(buf, 289, 97, "hostmaster.Example.COM.");
	check_name_at(buf, 289, 263, "mail.Example.COM.");
}

/* A record set that does not fit leaves the message as it was. */
static void
test_compose_all_or_nothing(void **state)
{
	static struct rrs a, ns;
	uint8_t buf[512];
	struct dns_writer wr;
	struct dns_wire_mark mk;
	(void)state;

	rrs_init(&a, DNS_T_A, 60);
	for (int i = 0; i < 3; i++)
		rrs_add(&a, "\xc0\x00\x02\x01", 4);
	rrs_init(&ns, DNS_T_NS, 60);
	rrs_add(&ns, "\003ns1\007example\003net", 17);

	/* 33 + 16 * 2 = 65: the third A does not fit in 70 */
	dns_wire_init(&wr, buf, 70);
	dns_wire_header(&wr, 1, DNS_F_QR);
	dns_wire_question(&wr, (const uint8_t *)"\003www\007example\003com", 1, 1);
	unsigned ncomp = wr.ncomp;
	assert_int_equal(ncomp, 3);
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER,
	    (const uint8_t *)"\003www\007example\003com", 1, &a.set, 60), DNS_WIRE_NOSPACE);
	assert_int_equal(wr.w.pos, 33);
	assert_false(wr.w.err);
	assert_int_equal(wr.count[DNS_SEC_ANSWER], 0);
	assert_int_equal(wr.section, DNS_SEC_QUESTION);
	/* A name that did not fit is no compression target afterwards. */
	dns_wire_mark(&wr, &mk);
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_AUTHORITY,
	    (const uint8_t *)"\004long\007example\003net", 1, &ns.set, 60), DNS_WIRE_OK);
	assert_true(wr.ncomp > ncomp);
	dns_wire_rollback(&wr, &mk);
	assert_int_equal(wr.ncomp, ncomp);
	assert_int_equal(wr.w.pos, 33);
	assert_int_equal(wr.section, DNS_SEC_QUESTION);
	/* 33 + 2 + 10 + 4: one A fits */
	rrs_init(&a, DNS_T_A, 60);
	rrs_add(&a, "\xc0\x00\x02\x01", 4);
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER,
	    (const uint8_t *)"\003www\007example\003com", 1, &a.set, 60), DNS_WIRE_OK);
	assert_int_equal(wr.w.pos, 49);
	assert_int_equal(dns_wire_finish(&wr), 49);
	assert_int_equal(get16(buf + 6), 1); /* ANCOUNT */
}

static void
test_compose_order_reserve(void **state)
{
	static struct rrs a;
	uint8_t buf[512];
	struct dns_writer wr;
	(void)state;

	rrs_init(&a, DNS_T_A, 60);
	rrs_add(&a, "\xc0\x00\x02\x01", 4);
	dns_wire_init(&wr, buf, 60);
	dns_wire_header(&wr, 1, DNS_F_QR);
	dns_wire_question(&wr, (const uint8_t *)"\003www\007example\003com", 1, 1);
	/* 33 + 11 reserved: 16 bytes left for records */
	assert_int_equal(dns_wire_reserve(&wr, DNS_OPT_FIXED), DNS_WIRE_OK);
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_AUTHORITY,
	    (const uint8_t *)"\003www\007example\003com", 1, &a.set, 60), DNS_WIRE_OK);
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER,
	    (const uint8_t *)"\003www\007example\003com", 1, &a.set, 60), DNS_WIRE_ORDER);
	assert_int_equal(dns_wire_question(&wr, (const uint8_t *)"\000", 1, 1), DNS_WIRE_ORDER);
	assert_int_equal(dns_wire_rr(&wr, DNS_SEC_ADDITIONAL, (const uint8_t *)"", 1, 1, 0,
	    (const uint8_t *)"abcd", 4), DNS_WIRE_NOSPACE);
	assert_int_equal(dns_wire_opt(&wr, 512, 0, 0, 0, NULL, 0), DNS_WIRE_NOSPACE);
	dns_wire_unreserve(&wr, DNS_OPT_FIXED);
	assert_int_equal(dns_wire_opt(&wr, 512, 0, 0, 0, NULL, 0), DNS_WIRE_OK);
	assert_int_equal(dns_wire_finish(&wr), 60);
	assert_int_equal(dns_wire_reserve(&wr, 1), DNS_WIRE_NOSPACE);
	assert_int_equal(dns_wire_opt_size(false, 0), 11);
	assert_int_equal(dns_wire_opt_size(true, 5), 20);

	/* Flags are patched in place. */
	dns_wire_set_flags(&wr, DNS_F_QR | DNS_F_TC | 3);
	assert_int_equal(dns_wire_flags(&wr), DNS_F_QR | DNS_F_TC | 3);
	assert_int_equal(get16(buf + 2), DNS_F_QR | DNS_F_TC | 3);
}

/* Names written past 0x3fff are no compression targets (14-bit pointers). */
static void
test_compose_far(void **state)
{
	static struct rrs txt, a;
	static uint8_t buf[65535];
	uint8_t chunk[256];
	struct dns_writer wr;
	struct dns_msg m;
	struct dns_rr_iter it;
	struct dns_rr rr;
	char text[DNS_NAME_STRLEN];
	(void)state;

	rrs_init(&txt, DNS_T_TXT, 60);
	chunk[0] = 255;
	memset(chunk + 1, 'x', 255);
	for (int i = 0; i < 80; i++)
		rrs_add(&txt, chunk, sizeof(chunk));
	rrs_init(&a, DNS_T_A, 60);
	rrs_add(&a, "\xc0\x00\x02\x01", 4);

	dns_wire_init(&wr, buf, sizeof(buf));
	dns_wire_header(&wr, 7, DNS_F_QR);
	dns_wire_question(&wr, (const uint8_t *)"\001t\004test", DNS_T_TXT, 1);
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER, (const uint8_t *)"\001t\004test", 1,
	    &txt.set, 60), DNS_WIRE_OK);
	assert_true(wr.w.pos > 0x4000);
	size_t far = wr.w.pos;
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER,
	    (const uint8_t *)"\003far\004away\004test", 1, &a.set, 60), DNS_WIRE_OK);
	/* "far.away" is literal, "test" a pointer to the question's. */
	assert_memory_equal(buf + far, "\003far\004away\xc0\x0e", 11);
	size_t next = wr.w.pos;
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER,
	    (const uint8_t *)"\001x\003far\004away\004test", 1, &a.set, 60), DNS_WIRE_OK);
	assert_memory_equal(buf + next, "\001x\003far\004away\xc0\x0e", 13);
	/* More than DNS_COMP_MAX distinct names still come out right. */
	for (int i = 0; i < 100; i++) {
		uint8_t name[32];
		int n = snprintf((char *)name + 1, sizeof(name) - 1, "h%d", i);
		name[0] = (uint8_t)n;
		memcpy(name + 1 + n, "\004away\004test", 11);
		assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ADDITIONAL, name, 1, &a.set, 60),
		    DNS_WIRE_OK);
	}
	size_t len = dns_wire_finish(&wr);
	assert_int_equal(parse_exact(buf, len, &m), DNS_WIRE_OK);
	assert_int_equal(m.ancount, 82);
	assert_int_equal(m.arcount, 100);
	dns_wire_rr_begin(&it, buf, len, &m);
	int k = 0, i = 0;
	while (dns_wire_rr_next(&it, &rr) == 1) {
		dns_name_to_text(rr.owner, text);
		if (k < 80)
			assert_string_equal(text, "t.test.");
		else if (k == 80)
			assert_string_equal(text, "far.away.test.");
		else if (k == 81)
			assert_string_equal(text, "x.far.away.test.");
		else {
			char want[32];
			snprintf(want, sizeof(want), "h%d.away.test.", i++);
			assert_string_equal(text, want);
		}
		k++;
	}
	assert_int_equal(k, 182);
}

/* Rdata that does not have its type's layout is copied, not misread. */
static void
test_compose_bad_rdata(void **state)
{
	static struct rrs ns, soa, mx;
	uint8_t buf[512];
	struct dns_writer wr;
	(void)state;

	rrs_init(&ns, DNS_T_NS, 60);
	rrs_add(&ns, "\003abc", 4);                  /* no root label */
	rrs_init(&soa, DNS_T_SOA, 60);
	rrs_add(&soa, "\000\000\001\002", 4);         /* two names, no 20 bytes */
	rrs_init(&mx, DNS_T_MX, 60);
	rrs_add(&mx, "\000", 1);                      /* shorter than a preference */
	dns_wire_init(&wr, buf, sizeof(buf));
	dns_wire_header(&wr, 1, DNS_F_QR);
	dns_wire_question(&wr, (const uint8_t *)"\003abc", 1, 1);
	size_t p = wr.w.pos;
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER, (const uint8_t *)"\003abc", 1,
	    &ns.set, 60), DNS_WIRE_OK);
	assert_memory_equal(buf + p + 12, "\003abc", 4);
	p = wr.w.pos;
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER, (const uint8_t *)"\003abc", 1,
	    &soa.set, 60), DNS_WIRE_OK);
	assert_memory_equal(buf + p + 12, "\000\000\001\002", 4);
	p = wr.w.pos;
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER, (const uint8_t *)"\003abc", 1,
	    &mx.set, 60), DNS_WIRE_OK);
	assert_int_equal(get16(buf + p + 10), 1);

	/* Storage whose lengths overrun the set is refused whole. */
	static struct rrs bad;
	rrs_init(&bad, DNS_T_A, 60);
	rrs_add(&bad, "\x01\x02\x03\x04", 4);
	bad.set.count = 2;
	p = wr.w.pos;
	assert_int_equal(dns_wire_rrset(&wr, DNS_SEC_ANSWER, (const uint8_t *)"\003abc", 1,
	    &bad.set, 60), DNS_WIRE_RRTRUNC);
	assert_int_equal(wr.w.pos, p);
}

/* Random bytes never crash the parser or read outside the buffer. */
static void
test_parse_random(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	uint8_t buf[300];
	(void)state;

	for (int i = 0; i < 20000; i++) {
		size_t len = 0;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = (size_t)(x % sizeof(buf));
		for (size_t k = 0; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[k] = (uint8_t)x;
		}
		/* Small counts so that records get parsed. */
		if (len >= 12) {
			buf[4] = 0;
			buf[5] &= 1;
			buf[6] = buf[8] = buf[10] = 0;
			buf[7] &= 3;
			buf[9] &= 3;
			buf[11] &= 3;
		}
		struct dns_msg m;
		int r = parse_exact(buf, len, &m);
		assert_true(r <= 0 && r > -DNS_WIRE_ERR_COUNT);
		if (r == 0)
			assert_true(m.end <= len);
	}
}

static void
test_err_str(void **state)
{
	(void)state;
	assert_string_equal(dns_wire_err_str(DNS_WIRE_OK), "ok");
	assert_string_equal(dns_wire_err_str(DNS_WIRE_OPT_DUP), "more than one OPT");
	assert_string_equal(dns_wire_err_str(DNS_WIRE_ORDER), "section order");
	assert_string_equal(dns_wire_err_str(-DNS_WIRE_ERR_COUNT), "unknown");
	assert_string_equal(dns_wire_err_str(1), "unknown");
	for (int i = 0; i < DNS_WIRE_ERR_COUNT; i++)
		assert_string_not_equal(dns_wire_err_str(-i), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_vectors),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_name_read),
		cmocka_unit_test(test_rr_iter),
		cmocka_unit_test(test_compose_compression),
		cmocka_unit_test(test_compose_all_or_nothing),
		cmocka_unit_test(test_compose_order_reserve),
		cmocka_unit_test(test_compose_far),
		cmocka_unit_test(test_compose_bad_rdata),
		cmocka_unit_test(test_parse_random),
		cmocka_unit_test(test_err_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
