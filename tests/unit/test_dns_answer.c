/*
 * test_dns_answer.c - unit tests for the answer path (src/dns/answer.c):
 * RFC 1034 4.3.2 exact matches, CNAME chains and loops, RFC 4592
 * wildcards and the empty non-terminal rules, referrals with glue, DS at a
 * cut (RFC 4035 3.1.4.1), RFC 2308 negative answers, RFC 8482 ANY, RFC
 * 6672 DNAME, REFUSED/NOTIMP/FORMERR, CHAOS identity, EDNS0 (RFC 6891),
 * NSID (RFC 5001), truncation and the UDP size limits.
 *
 * Zones are built through the zone.h builder.  Queries are assembled byte
 * by byte here; replies are parsed with wire.c and rendered as text, one
 * "owner TTL [CLASS] TYPE rdata" line per record, so the table below reads
 * like dig output and every name in it went through decompression.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha1.h>

#include "dns/answer.h"
#include "dns/wire.h"

static struct dns_zoneset *zones;

static const struct dns_answer_conf conf = {
	.identity = "ns-test-1",
	.version = "riposte-dns 0.1",
	.max_udp = 1232,
};
static const struct dns_answer_conf conf_hidden = {
	.identity = NULL,
	.version = NULL,
	.max_udp = 1232,
};

/* ------------------------------------------------------------ zone setup */

static void
put_name(uint8_t *out, size_t *o, const char *text, const uint8_t *origin)
{
	uint8_t name[DNS_NAME_MAX];
	int n = dns_name_from_text(name, text, origin);
	if (n < 0)
		fail_msg("bad name %s", text);
	memcpy(out + *o, name, (size_t)n);
	*o += (size_t)n;
}

static void
put_u16(uint8_t *out, size_t *o, unsigned v)
{
	out[(*o)++] = (uint8_t)(v >> 8);
	out[(*o)++] = (uint8_t)v;
}

static void
put_u32(uint8_t *out, size_t *o, unsigned long v)
{
	put_u16(out, o, (unsigned)(v >> 16));
	put_u16(out, o, (unsigned)(v & 0xffff));
}

/*
 * One record in a compact presentation form: names relative to the zone
 * (or absolute), "hex:..." for opaque rdata.
 */
static void
rr(struct dns_zone_builder *b, const uint8_t *origin, const char *owner, uint16_t type,
    uint32_t ttl, const char *data)
{
	uint8_t own[DNS_NAME_MAX], rd[2048];
	size_t o = 0;
	char t1[256], t2[256];
	unsigned long v[5];

	if (dns_name_from_text(own, owner, origin) < 0)
		fail_msg("bad owner %s", owner);
	if (strncmp(data, "hex:", 4) == 0) {
		for (const char *p = data + 4; p[0] && p[1]; p += 2) {
			unsigned x;
			sscanf(p, "%2x", &x);
			rd[o++] = (uint8_t)x;
		}
	} else {
		switch (type) {
		case DNS_T_A:
			assert_int_equal(inet_pton(AF_INET, data, rd), 1);
			o = 4;
			break;
		case DNS_T_AAAA:
			assert_int_equal(inet_pton(AF_INET6, data, rd), 1);
			o = 16;
			break;
		case DNS_T_NS:
		case DNS_T_CNAME:
		case DNS_T_PTR:
		case DNS_T_DNAME:
			put_name(rd, &o, data, origin);
			break;
		case DNS_T_MX:
			assert_int_equal(sscanf(data, "%lu %255s", &v[0], t1), 2);
			put_u16(rd, &o, (unsigned)v[0]);
			put_name(rd, &o, t1, origin);
			break;
		case DNS_T_SRV:
			assert_int_equal(sscanf(data, "%lu %lu %lu %255s", &v[0], &v[1], &v[2], t1), 4);
			put_u16(rd, &o, (unsigned)v[0]);
			put_u16(rd, &o, (unsigned)v[1]);
			put_u16(rd, &o, (unsigned)v[2]);
			put_name(rd, &o, t1, origin);
			break;
		case DNS_T_SOA:
			assert_int_equal(sscanf(data, "%255s %255s %lu %lu %lu %lu %lu", t1, t2, &v[0],
			    &v[1], &v[2], &v[3], &v[4]), 7);
			put_name(rd, &o, t1, origin);
			put_name(rd, &o, t2, origin);
			for (int i = 0; i < 5; i++)
				put_u32(rd, &o, v[i]);
			break;
		case DNS_T_TXT:
			rd[o++] = (uint8_t)strlen(data);
			memcpy(rd + o, data, strlen(data));
			o += strlen(data);
			break;
		default:
			fail_msg("no text form for type %u", type);
		}
	}
	int r = dns_zone_builder_add(b, own, type, ttl, rd, (uint16_t)o);
	if (r != DNS_ZB_OK)
		fail_msg("%s type %u: %s", owner, type, dns_zone_builder_strerror(r));
}

static struct dns_zone_builder *
zone_begin(const char *apex, uint8_t origin[DNS_NAME_MAX])
{
	assert_true(dns_name_from_text(origin, apex, NULL) > 0);
	struct dns_zone_builder *b = dns_zone_builder_new(origin);
	assert_non_null(b);
	return b;
}

static void
zone_end(struct dns_zone_builder *b)
{
	char err[1024];
	struct dns_zone *z = dns_zone_builder_finish(b, err, sizeof(err));
	if (z == NULL)
		fail_msg("zone: %s", err);
	dns_zone_builder_free(b);
	assert_int_equal(dns_zoneset_add(zones, z), 0);
}

#define SOA_COM "ns1 hostmaster 2024010101 7200 3600 1209600 300"

static int
setup(void **state)
{
	uint8_t o[DNS_NAME_MAX];
	struct dns_zone_builder *b;
	char name[64], target[300];
	(void)state;

	zones = dns_zoneset_new();
	assert_non_null(zones);

	b = zone_begin("example.com.", o);
	rr(b, o, "@", DNS_T_SOA, 3600, SOA_COM);
	rr(b, o, "@", DNS_T_NS, 3600, "ns1");
	rr(b, o, "@", DNS_T_NS, 3600, "ns2");
	rr(b, o, "@", DNS_T_MX, 3600, "10 mail");
	rr(b, o, "@", DNS_T_A, 3600, "192.0.2.1");
	rr(b, o, "ns1", DNS_T_A, 3600, "192.0.2.53");
	rr(b, o, "ns1", DNS_T_AAAA, 3600, "2001:db8::53");
	rr(b, o, "ns2", DNS_T_A, 3600, "192.0.2.54");
	rr(b, o, "www", DNS_T_A, 300, "192.0.2.80");
	rr(b, o, "www", DNS_T_A, 300, "192.0.2.81");
	rr(b, o, "www", DNS_T_AAAA, 300, "2001:db8::80");
	rr(b, o, "mail", DNS_T_A, 3600, "192.0.2.25");
	rr(b, o, "alias", DNS_T_CNAME, 600, "www");
	rr(b, o, "chain1", DNS_T_CNAME, 600, "chain2");
	rr(b, o, "chain2", DNS_T_CNAME, 600, "www");
	rr(b, o, "loop1", DNS_T_CNAME, 600, "loop2");
	rr(b, o, "loop2", DNS_T_CNAME, 600, "loop1");
	rr(b, o, "self", DNS_T_CNAME, 600, "self");
	rr(b, o, "dangling", DNS_T_CNAME, 600, "nothere");
	rr(b, o, "out", DNS_T_CNAME, 600, "www.example.net.");
	rr(b, o, "cross", DNS_T_CNAME, 600, "host.example.org.");
	rr(b, o, "*.wild", DNS_T_A, 120, "192.0.2.99");
	rr(b, o, "*.wild", DNS_T_TXT, 120, "wild");
	rr(b, o, "exists.wild", DNS_T_A, 120, "192.0.2.100");
	rr(b, o, "y.ent2.wild", DNS_T_A, 120, "192.0.2.101");
	rr(b, o, "a.b.ent", DNS_T_A, 120, "192.0.2.102");
	rr(b, o, "*.wc", DNS_T_CNAME, 120, "www");
	rr(b, o, "*.wl", DNS_T_CNAME, 120, "x.wl"); /* loops through the wildcard itself */
	rr(b, o, "sub", DNS_T_NS, 3600, "ns.sub");
	rr(b, o, "sub", DNS_T_NS, 3600, "ns.other.net.");
	rr(b, o, "sub", DNS_T_DS, 3600, "hex:30390801aabbccdd");
	rr(b, o, "ns.sub", DNS_T_A, 3600, "192.0.2.200");
	rr(b, o, "ns.sub", DNS_T_AAAA, 3600, "2001:db8::200");
	rr(b, o, "hosted", DNS_T_NS, 3600, "ns1");
	rr(b, o, "hosted", DNS_T_DS, 3600, "hex:0001080211223344");
	rr(b, o, "txt", DNS_T_TXT, 60, "hello");
	rr(b, o, "unk", 65280, 60, "hex:deadbeef");
	rr(b, o, "_http._tcp", DNS_T_SRV, 60, "0 5 80 www");
	rr(b, o, "dname", DNS_T_DNAME, 60, "example.org.");
	rr(b, o, "tocut", DNS_T_CNAME, 60, "host.sub");
	rr(b, o, "mxcut", DNS_T_MX, 60, "10 ns.sub");      /* target below a cut */
	rr(b, o, "mxcut", DNS_T_MX, 60, "20 mail");
	/* 20 TXT records of 40 bytes: 20 * (2 + 10 + 40) is between 512 and 1232 */
	for (int i = 0; i < 20; i++) {
		snprintf(target, sizeof(target), "record %02d of the big TXT set ..........", i);
		rr(b, o, "big", DNS_T_TXT, 60, target);
	}
	/* c0 -> c1 -> ... -> c19 -> www: longer than the 16 links followed */
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		if (i < 19)
			snprintf(target, sizeof(target), "c%d", i + 1);
		else
			snprintf(target, sizeof(target), "www");
		rr(b, o, name, DNS_T_CNAME, 60, target);
	}
	/* 12 mail exchangers with A and AAAA: the additional data outgrows 512 */
	for (int i = 0; i < 12; i++) {
		snprintf(target, sizeof(target), "%d m%d.mx2", i, i);
		rr(b, o, "mx2", DNS_T_MX, 60, target);
		snprintf(name, sizeof(name), "m%d.mx2", i);
		snprintf(target, sizeof(target), "192.0.2.%d", 10 + i);
		rr(b, o, name, DNS_T_A, 60, target);
		snprintf(target, sizeof(target), "2001:db8::%d", 10 + i);
		rr(b, o, name, DNS_T_AAAA, 60, target);
	}
	/* A delegation whose in-domain glue does not fit in 512 bytes */
	for (int i = 0; i < 8; i++) {
		snprintf(target, sizeof(target), "nameserver%d.deleg2", i);
		rr(b, o, "deleg2", DNS_T_NS, 3600, target);
		snprintf(target, sizeof(target), "192.0.2.%d", 30 + i);
		snprintf(name, sizeof(name), "nameserver%d.deleg2", i);
		rr(b, o, name, DNS_T_A, 3600, target);
		snprintf(target, sizeof(target), "2001:db8::%d", 30 + i);
		rr(b, o, name, DNS_T_AAAA, 3600, target);
	}
	/* A DNAME whose target makes long names longer than 255 bytes */
	snprintf(target, sizeof(target), "%s.%s.%s.example.org.",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	rr(b, o, "longd", DNS_T_DNAME, 60, target);
	zone_end(b);

	b = zone_begin("example.org.", o);
	rr(b, o, "@", DNS_T_SOA, 7200, "ns1.example.com. hostmaster.example.com. 7 3600 600 86400 900");
	rr(b, o, "@", DNS_T_NS, 7200, "ns1.example.com.");
	rr(b, o, "host", DNS_T_A, 3600, "198.51.100.1");
	rr(b, o, "x", DNS_T_A, 3600, "198.51.100.2");
	zone_end(b);

	b = zone_begin("hosted.example.com.", o);
	rr(b, o, "@", DNS_T_SOA, 100, "ns1.example.com. hostmaster.example.com. 1 3600 600 86400 50");
	rr(b, o, "@", DNS_T_NS, 3600, "ns1.example.com.");
	rr(b, o, "www", DNS_T_A, 3600, "203.0.113.1");
	zone_end(b);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dns_zoneset_free(zones);
	return 0;
}

/* ---------------------------------------------------------- queries */

struct qopt {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount, ancount, nscount; /* 0: the usual 1, 0, 0 */
	bool edns;
	uint16_t udp;
	uint8_t version;
	uint16_t eflags;
	bool nsid;
};

/* A query, byte by byte (RFC 1035 4.1.1-4.1.2, RFC 6891 6.1.2). */
static size_t
make_query(uint8_t *buf, const char *qname, uint16_t qtype, uint16_t qclass,
    const struct qopt *o)
{
	static const struct qopt none;
	size_t n = 0;
	if (o == NULL)
		o = &none;
	put_u16(buf, &n, o->id ? o->id : 0x4242);
	put_u16(buf, &n, o->flags);
	put_u16(buf, &n, o->qdcount ? o->qdcount : 1);
	put_u16(buf, &n, o->ancount);
	put_u16(buf, &n, o->nscount);
	put_u16(buf, &n, o->edns ? 1 : 0);
	put_name(buf, &n, qname, NULL);
	put_u16(buf, &n, qtype);
	put_u16(buf, &n, qclass);
	if (o->edns) {
		buf[n++] = 0;
		put_u16(buf, &n, DNS_T_OPT);
		put_u16(buf, &n, o->udp);
		buf[n++] = 0;
		buf[n++] = o->version;
		put_u16(buf, &n, o->eflags);
		put_u16(buf, &n, o->nsid ? 4 : 0);
		if (o->nsid) {
			put_u16(buf, &n, DNS_OPT_NSID);
			put_u16(buf, &n, 0);
		}
	}
	return n;
}

/* ---------------------------------------------------------- replies */

struct reply {
	size_t len;
	struct dns_msg m;
	int rcode;          /* with the OPT's extended bits */
	char flags[64];
	char sec[4][8192];  /* rendered answer, authority, additional (OPT left out) */
	unsigned n[4];
	char qname[DNS_NAME_STRLEN];
};

static void
append(char *dst, size_t cap, const char *fmt, ...)
{
	size_t l = strlen(dst);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst + l, cap - l, fmt, ap);
	va_end(ap);
}

/* Rdata as text; names read through the message, so pointers are followed. */
static void
render_rdata(const uint8_t *msg, size_t len, const struct dns_rr *r, char *out, size_t cap)
{
	char t[DNS_NAME_STRLEN], t2[DNS_NAME_STRLEN], a[64];
	uint8_t name[DNS_NAME_MAX];
	size_t pos = r->rdata_off;
	const uint8_t *d = r->rdata;

	out[0] = '\0';
	switch (r->type) {
	case DNS_T_A:
		if (r->rdlen == 4) {
			append(out, cap, "%s", inet_ntop(AF_INET, d, a, sizeof(a)));
			return;
		}
		break;
	case DNS_T_AAAA:
		if (r->rdlen == 16) {
			append(out, cap, "%s", inet_ntop(AF_INET6, d, a, sizeof(a)));
			return;
		}
		break;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_DNAME:
		assert_true(dns_wire_name_read(msg, len, &pos, name) > 0);
		assert_int_equal(pos, r->rdata_off + r->rdlen);
		append(out, cap, "%s", dns_name_to_text(name, t));
		return;
	case DNS_T_MX:
		pos += 2;
		assert_true(dns_wire_name_read(msg, len, &pos, name) > 0);
		assert_int_equal(pos, r->rdata_off + r->rdlen);
		append(out, cap, "%u %s", (d[0] << 8) | d[1], dns_name_to_text(name, t));
		return;
	case DNS_T_SRV:
		pos += 6;
		assert_true(dns_wire_name_read(msg, len, &pos, name) > 0);
		assert_int_equal(pos, r->rdata_off + r->rdlen);
		append(out, cap, "%u %u %u %s", (d[0] << 8) | d[1], (d[2] << 8) | d[3],
		    (d[4] << 8) | d[5], dns_name_to_text(name, t));
		return;
	case DNS_T_SOA: {
		assert_true(dns_wire_name_read(msg, len, &pos, name) > 0);
		dns_name_to_text(name, t);
		assert_true(dns_wire_name_read(msg, len, &pos, name) > 0);
		dns_name_to_text(name, t2);
		assert_int_equal(pos + 20, r->rdata_off + r->rdlen);
		append(out, cap, "%s %s", t, t2);
		for (int i = 0; i < 5; i++, pos += 4)
			append(out, cap, " %lu", ((unsigned long)msg[pos] << 24) |
			    ((unsigned long)msg[pos + 1] << 16) | ((unsigned long)msg[pos + 2] << 8) |
			    msg[pos + 3]);
		return;
	}
	case DNS_T_TXT:
		for (size_t i = 0; i < r->rdlen; i += 1 + d[i])
			append(out, cap, "%s\"%.*s\"", i ? " " : "", d[i], (const char *)d + i + 1);
		return;
	default:
		break;
	}
	append(out, cap, "\\# %u ", r->rdlen);
	for (unsigned i = 0; i < r->rdlen; i++)
		append(out, cap, "%02x", d[i]);
}

static const char *
type_text(uint16_t type, char *buf)
{
	switch (type) {
	case 65280:
		return "TYPE65280";
	default:
		return dns_type_name(type, buf);
	}
}

static void
parse_reply(const uint8_t *buf, size_t len, struct reply *r)
{
	struct dns_rr_iter it;
	struct dns_rr x;
	char owner[DNS_NAME_STRLEN], rd[4096], tb[DNS_TYPE_STRLEN];
	int k;

	memset(r, 0, sizeof(*r));
	r->len = len;
	assert_true(len >= DNS_HDR_LEN);
	assert_int_equal(dns_wire_parse(buf, len, &r->m), DNS_WIRE_OK);
	assert_int_equal(r->m.end, len); /* nothing after the last record */
	r->rcode = DNS_F_RCODE(r->m.flags) | (r->m.edns ? r->m.edns_ext_rcode << 4 : 0);
	append(r->flags, sizeof(r->flags), "%s%s%s%s%s", (r->m.flags & DNS_F_QR) ? "qr" : "",
	    (r->m.flags & DNS_F_AA) ? " aa" : "", (r->m.flags & DNS_F_TC) ? " tc" : "",
	    (r->m.flags & DNS_F_RD) ? " rd" : "", (r->m.flags & DNS_F_CD) ? " cd" : "");
	if (r->m.qname != NULL)
		dns_name_to_text(r->m.qname, r->qname);
	dns_wire_rr_begin(&it, buf, len, &r->m);
	while ((k = dns_wire_rr_next(&it, &x)) == 1) {
		if (x.type == DNS_T_OPT)
			continue;
		render_rdata(buf, len, &x, rd, sizeof(rd));
		char *s = r->sec[x.section - 1];
		append(s, sizeof(r->sec[0]), "%s%s %u %s%s %s", *s ? "\n" : "",
		    dns_name_to_text(x.owner, owner), x.ttl, x.rclass == DNS_C_CH ? "CH " : "",
		    type_text(x.type, tb), rd);
		r->n[x.section - 1]++;
	}
	assert_int_equal(k, 0);
}

static size_t
ask(const struct dns_answer_conf *c, const uint8_t *q, size_t qlen, bool tcp, uint8_t *resp,
    size_t cap, struct dns_answer_stats *st)
{
	static struct dns_answer_stats scratch;
	return dns_answer(c, zones, q, qlen, resp, cap, tcp, st ? st : &scratch);
}

/* ---------------------------------------------------------- the table */

#define SOA_LINE "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"
#define WWW_A "www.example.com. 300 A 192.0.2.80\nwww.example.com. 300 A 192.0.2.81"
#define REFERRAL_SUB "sub.example.com. 3600 NS ns.sub.example.com.\nsub.example.com. 3600 NS ns.other.net."
#define GLUE_SUB "ns.sub.example.com. 3600 A 192.0.2.200\nns.sub.example.com. 3600 AAAA 2001:db8::200"

struct acase {
	const char *name;
	const char *qname;
	uint16_t qtype, qclass;
	uint16_t edns;      /* 0: no OPT, else the UDP size asked for */
	bool tcp;
	int rcode;
	const char *flags;
	const char *an, *ns, *ar; /* NULL: not checked */
};

static const struct acase cases[] = {
	{ "exact A", "www.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa", WWW_A, "", "" },
	{ "case kept in owner", "WwW.ExAmPlE.CoM.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "WwW.ExAmPlE.CoM. 300 A 192.0.2.80\nWwW.ExAmPlE.CoM. 300 A 192.0.2.81", "", "" },
	{ "exact AAAA", "www.example.com.", DNS_T_AAAA, DNS_C_IN, 0, false, 0, "qr aa",
	    "www.example.com. 300 AAAA 2001:db8::80", "", "" },
	{ "NODATA", "www.example.com.", DNS_T_TXT, DNS_C_IN, 0, false, 0, "qr aa", "", SOA_LINE, "" },
	{ "NXDOMAIN", "nx.example.com.", DNS_T_A, DNS_C_IN, 0, false, DNS_RCODE_NXDOMAIN, "qr aa",
	    "", SOA_LINE, "" },
	{ "NXDOMAIN deep", "a.b.c.nx.example.com.", DNS_T_A, DNS_C_IN, 0, false,
	    DNS_RCODE_NXDOMAIN, "qr aa", "", SOA_LINE, "" },
	{ "apex SOA", "example.com.", DNS_T_SOA, DNS_C_IN, 0, false, 0, "qr aa",
	    "example.com. 3600 SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300",
	    "", "" },
	{ "apex NS with addresses", "example.com.", DNS_T_NS, DNS_C_IN, 0, false, 0, "qr aa",
	    "example.com. 3600 NS ns1.example.com.\nexample.com. 3600 NS ns2.example.com.", "",
	    "ns1.example.com. 3600 A 192.0.2.53\nns1.example.com. 3600 AAAA 2001:db8::53\n"
	    "ns2.example.com. 3600 A 192.0.2.54" },
	{ "MX with address", "example.com.", DNS_T_MX, DNS_C_IN, 0, false, 0, "qr aa",
	    "example.com. 3600 MX 10 mail.example.com.", "", "mail.example.com. 3600 A 192.0.2.25" },
	{ "MX target below a cut: no address", "mxcut.example.com.", DNS_T_MX, DNS_C_IN, 0,
	    false, 0, "qr aa", "mxcut.example.com. 60 MX 10 ns.sub.example.com.\n"
	    "mxcut.example.com. 60 MX 20 mail.example.com.", "",
	    "mail.example.com. 3600 A 192.0.2.25" },
	{ "SRV with addresses", "_http._tcp.example.com.", DNS_T_SRV, DNS_C_IN, 0, false, 0,
	    "qr aa", "_http._tcp.example.com. 60 SRV 0 5 80 www.example.com.", "",
	    WWW_A "\nwww.example.com. 300 AAAA 2001:db8::80" },
	{ "TXT", "txt.example.com.", DNS_T_TXT, DNS_C_IN, 0, false, 0, "qr aa",
	    "txt.example.com. 60 TXT \"hello\"", "", "" },
	{ "unknown type (RFC 3597)", "unk.example.com.", 65280, DNS_C_IN, 0, false, 0, "qr aa",
	    "unk.example.com. 60 TYPE65280 \\# 4 deadbeef", "", "" },
	{ "ANY: one RRset, the first by type", "example.com.", DNS_T_ANY, DNS_C_IN, 0, false, 0,
	    "qr aa", "example.com. 3600 A 192.0.2.1", "", "" },
	{ "ANY at a CNAME", "alias.example.com.", DNS_T_ANY, DNS_C_IN, 0, false, 0, "qr aa",
	    "alias.example.com. 600 CNAME www.example.com.", "", "" },
	{ "ANY at an empty non-terminal", "b.ent.example.com.", DNS_T_ANY, DNS_C_IN, 0, false, 0,
	    "qr aa", "", SOA_LINE, "" },
	{ "ANY over TCP: still one RRset", "www.example.com.", DNS_T_ANY, DNS_C_IN, 0, true, 0,
	    "qr aa", WWW_A, "", "" },
	{ "CNAME followed", "alias.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "alias.example.com. 600 CNAME www.example.com.\n" WWW_A, "", "" },
	{ "CNAME asked for", "alias.example.com.", DNS_T_CNAME, DNS_C_IN, 0, false, 0, "qr aa",
	    "alias.example.com. 600 CNAME www.example.com.", "", "" },
	{ "CNAME chain", "chain1.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "chain1.example.com. 600 CNAME chain2.example.com.\n"
	    "chain2.example.com. 600 CNAME www.example.com.\n" WWW_A, "", "" },
	{ "CNAME chain to NODATA", "chain1.example.com.", DNS_T_MX, DNS_C_IN, 0, false, 0,
	    "qr aa", "chain1.example.com. 600 CNAME chain2.example.com.\n"
	    "chain2.example.com. 600 CNAME www.example.com.", SOA_LINE, "" },
	{ "CNAME loop", "loop1.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "loop1.example.com. 600 CNAME loop2.example.com.\n"
	    "loop2.example.com. 600 CNAME loop1.example.com.", "", "" },
	{ "CNAME to itself", "self.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "self.example.com. 600 CNAME self.example.com.", "", "" },
	{ "CNAME to a missing name (RFC 6604)", "dangling.example.com.", DNS_T_A, DNS_C_IN, 0,
	    false, DNS_RCODE_NXDOMAIN, "qr aa",
	    "dangling.example.com. 600 CNAME nothere.example.com.", SOA_LINE, "" },
	{ "CNAME out of our zones", "out.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "out.example.com. 600 CNAME www.example.net.", "", "" },
	{ "CNAME into another of our zones", "cross.example.com.", DNS_T_A, DNS_C_IN, 0, false,
	    0, "qr aa", "cross.example.com. 600 CNAME host.example.org.\n"
	    "host.example.org. 3600 A 198.51.100.1", "", "" },
	{ "CNAME below a cut: referral after it", "tocut.example.com.", DNS_T_A, DNS_C_IN, 0,
	    false, 0, "qr aa", "tocut.example.com. 60 CNAME host.sub.example.com.", REFERRAL_SUB,
	    GLUE_SUB },
	{ "wildcard", "foo.wild.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "foo.wild.example.com. 120 A 192.0.2.99", "", "" },
	{ "wildcard, several labels", "a.b.foo.wild.example.com.", DNS_T_TXT, DNS_C_IN, 0, false,
	    0, "qr aa", "a.b.foo.wild.example.com. 120 TXT \"wild\"", "", "" },
	{ "wildcard NODATA", "foo.wild.example.com.", DNS_T_MX, DNS_C_IN, 0, false, 0, "qr aa",
	    "", SOA_LINE, "" },
	{ "wildcard asked literally", "*.wild.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0,
	    "qr aa", "*.wild.example.com. 120 A 192.0.2.99", "", "" },
	{ "existing name: no wildcard", "exists.wild.example.com.", DNS_T_A, DNS_C_IN, 0, false,
	    0, "qr aa", "exists.wild.example.com. 120 A 192.0.2.100", "", "" },
	{ "existing name, other type: NODATA", "exists.wild.example.com.", DNS_T_TXT, DNS_C_IN, 0,
	    false, 0, "qr aa", "", SOA_LINE, "" },
	{ "below an existing name: no wildcard", "sub.exists.wild.example.com.", DNS_T_A,
	    DNS_C_IN, 0, false, DNS_RCODE_NXDOMAIN, "qr aa", "", SOA_LINE, "" },
	{ "empty non-terminal: NODATA, no wildcard", "ent2.wild.example.com.", DNS_T_A, DNS_C_IN,
	    0, false, 0, "qr aa", "", SOA_LINE, "" },
	{ "below an empty non-terminal: no wildcard", "z.ent2.wild.example.com.", DNS_T_A,
	    DNS_C_IN, 0, false, DNS_RCODE_NXDOMAIN, "qr aa", "", SOA_LINE, "" },
	{ "empty non-terminal", "ent.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa", "",
	    SOA_LINE, "" },
	{ "below an empty non-terminal", "x.b.ent.example.com.", DNS_T_A, DNS_C_IN, 0, false,
	    DNS_RCODE_NXDOMAIN, "qr aa", "", SOA_LINE, "" },
	{ "wildcard CNAME", "x.wc.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "x.wc.example.com. 120 CNAME www.example.com.\n" WWW_A, "", "" },
	{ "wildcard CNAME loop", "y.wl.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "y.wl.example.com. 120 CNAME x.wl.example.com.", "", "" },
	{ "referral", "sub.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr", "", REFERRAL_SUB,
	    GLUE_SUB },
	{ "referral below the cut", "deep.in.sub.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0,
	    "qr", "", REFERRAL_SUB, GLUE_SUB },
	{ "glue name: referral", "ns.sub.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr", "",
	    REFERRAL_SUB, GLUE_SUB },
	{ "NS at the cut: referral", "sub.example.com.", DNS_T_NS, DNS_C_IN, 0, false, 0, "qr",
	    "", REFERRAL_SUB, GLUE_SUB },
	{ "DS at the cut: the parent's", "sub.example.com.", DNS_T_DS, DNS_C_IN, 0, false, 0,
	    "qr aa", "sub.example.com. 3600 DS \\# 8 30390801aabbccdd", "", "" },
	{ "DS below the cut: referral", "x.sub.example.com.", DNS_T_DS, DNS_C_IN, 0, false, 0,
	    "qr", "", REFERRAL_SUB, GLUE_SUB },
	{ "DS at a hosted child's apex: from the parent", "hosted.example.com.", DNS_T_DS,
	    DNS_C_IN, 0, false, 0, "qr aa", "hosted.example.com. 3600 DS \\# 8 0001080211223344",
	    "", "" },
	{ "hosted child: its own SOA", "hosted.example.com.", DNS_T_SOA, DNS_C_IN, 0, false, 0,
	    "qr aa", "hosted.example.com. 100 SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 50",
	    "", "" },
	{ "hosted child: data", "www.hosted.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0,
	    "qr aa", "www.hosted.example.com. 3600 A 203.0.113.1", "", "" },
	{ "hosted child: NXDOMAIN with its SOA", "nx.hosted.example.com.", DNS_T_A, DNS_C_IN, 0,
	    false, DNS_RCODE_NXDOMAIN, "qr aa", "",
	    "hosted.example.com. 50 SOA ns1.example.com. hostmaster.example.com. 1 3600 600 86400 50",
	    "" },
	{ "DS at an apex without parent: NODATA", "example.org.", DNS_T_DS, DNS_C_IN, 0, false, 0,
	    "qr aa", "",
	    "example.org. 900 SOA ns1.example.com. hostmaster.example.com. 7 3600 600 86400 900",
	    "" },
	{ "DNAME", "x.dname.example.com.", DNS_T_A, DNS_C_IN, 0, false, 0, "qr aa",
	    "dname.example.com. 60 DNAME example.org.\n"
	    "x.dname.example.com. 60 CNAME x.example.org.\n"
	    "x.example.org. 3600 A 198.51.100.2", "", "" },
	{ "DNAME asked for", "dname.example.com.", DNS_T_DNAME, DNS_C_IN, 0, false, 0, "qr aa",
	    "dname.example.com. 60 DNAME example.org.", "", "" },
	{ "DNAME to NXDOMAIN", "nope.dname.example.com.", DNS_T_A, DNS_C_IN, 0, false,
	    DNS_RCODE_NXDOMAIN, "qr aa", "dname.example.com. 60 DNAME example.org.\n"
	    "nope.dname.example.com. 60 CNAME nope.example.org.",
	    "example.org. 900 SOA ns1.example.com. hostmaster.example.com. 7 3600 600 86400 900",
	    "" },
	{ "not ours: REFUSED", "www.example.net.", DNS_T_A, DNS_C_IN, 0, false,
	    DNS_RCODE_REFUSED, "qr", "", "", "" },
	{ "root: REFUSED", ".", DNS_T_NS, DNS_C_IN, 0, false, DNS_RCODE_REFUSED, "qr", "", "", "" },
	{ "AXFR: REFUSED", "example.com.", DNS_T_AXFR, DNS_C_IN, 0, true, DNS_RCODE_REFUSED, "qr",
	    "", "", "" },
	{ "IXFR: REFUSED", "example.com.", DNS_T_IXFR, DNS_C_IN, 0, false, DNS_RCODE_REFUSED,
	    "qr", "", "", "" },
	{ "QTYPE 0: NOTIMP", "www.example.com.", 0, DNS_C_IN, 0, false, DNS_RCODE_NOTIMP, "qr",
	    "", "", "" },
	{ "QCLASS ANY: no AA", "www.example.com.", DNS_T_A, DNS_C_ANY, 0, false, 0, "qr", WWW_A,
	    "", "" },
	{ "QCLASS HS: REFUSED", "www.example.com.", DNS_T_A, 4, 0, false, DNS_RCODE_REFUSED, "qr",
	    "", "", "" },
	{ "CH id.server", "ID.Server.", DNS_T_TXT, DNS_C_CH, 0, false, 0, "qr aa",
	    "ID.Server. 0 CH TXT \"ns-test-1\"", "", "" },
	{ "CH hostname.bind", "hostname.bind.", DNS_T_TXT, DNS_C_CH, 0, false, 0, "qr aa",
	    "hostname.bind. 0 CH TXT \"ns-test-1\"", "", "" },
	{ "CH version.bind", "version.bind.", DNS_T_TXT, DNS_C_CH, 0, false, 0, "qr aa",
	    "version.bind. 0 CH TXT \"riposte-dns 0.1\"", "", "" },
	{ "CH version.server, ANY", "version.server.", DNS_T_ANY, DNS_C_CH, 0, false, 0, "qr aa",
	    "version.server. 0 CH TXT \"riposte-dns 0.1\"", "", "" },
	{ "CH A id.server: REFUSED", "id.server.", DNS_T_A, DNS_C_CH, 0, false, DNS_RCODE_REFUSED,
	    "qr", "", "", "" },
	{ "CH other name: REFUSED", "authors.bind.", DNS_T_TXT, DNS_C_CH, 0, false,
	    DNS_RCODE_REFUSED, "qr", "", "", "" },
	{ "big over UDP: TC", "big.example.com.", DNS_T_TXT, DNS_C_IN, 0, false, 0, "qr aa tc",
	    "", "", "" },
	{ "big with EDNS 4096: fits in 1232", "big.example.com.", DNS_T_TXT, DNS_C_IN, 4096, false,
	    0, "qr aa", NULL, "", "" },
	{ "big over TCP", "big.example.com.", DNS_T_TXT, DNS_C_IN, 0, true, 0, "qr aa", NULL, "",
	    "" },
	{ "big, EDNS size 100 counts as 512", "big.example.com.", DNS_T_TXT, DNS_C_IN, 100, false,
	    0, "qr aa tc", "", "", "" },
	{ "EDNS size 100 counts as 512, answer fits", "example.com.", DNS_T_NS, DNS_C_IN, 100,
	    false, 0, "qr aa", "example.com. 3600 NS ns1.example.com.\n"
	    "example.com. 3600 NS ns2.example.com.", "",
	    "ns1.example.com. 3600 A 192.0.2.53\nns1.example.com. 3600 AAAA 2001:db8::53\n"
	    "ns2.example.com. 3600 A 192.0.2.54" },
	{ "referral glue over 512: TC (RFC 9471)", "deleg2.example.com.", DNS_T_A, DNS_C_IN, 0,
	    false, 0, "qr tc", "", "", "" },
	{ "referral glue with EDNS", "x.deleg2.example.com.", DNS_T_A, DNS_C_IN, 1232, false, 0,
	    "qr", "", NULL, NULL },
	{ "MX additional over 512: left out, no TC", "mx2.example.com.", DNS_T_MX, DNS_C_IN, 0,
	    false, 0, "qr aa", NULL, "", NULL },
	{ "DNAME result too long: YXDOMAIN", "x1234567890123456789012345678901234567890."
	    "x1234567890123456789012345678901234567890.longd.example.com.", DNS_T_A, DNS_C_IN, 0,
	    false, DNS_RCODE_YXDOMAIN, "qr aa", NULL, "", "" },
};

static void
test_table(void **state)
{
	static uint8_t q[512], resp[65535];
	static struct reply r;
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct acase *c = &cases[i];
		struct qopt o = { .edns = c->edns != 0, .udp = c->edns };
		size_t qlen = make_query(q, c->qname, c->qtype, c->qclass, &o);
		size_t len = ask(&conf, q, qlen, c->tcp, resp, sizeof(resp), NULL);
		if (len == 0)
			fail_msg("%s: no reply", c->name);
		parse_reply(resp, len, &r);
		if (!c->tcp)
			assert_true(len <= (c->edns > 512 ? (c->edns < 1232 ? c->edns : 1232) : 512));
		if (r.rcode != c->rcode || strcmp(r.flags, c->flags) != 0 ||
		    (c->an && strcmp(r.sec[0], c->an) != 0) ||
		    (c->ns && strcmp(r.sec[1], c->ns) != 0) ||
		    (c->ar && strcmp(r.sec[2], c->ar) != 0))
			fail_msg("%s: rcode %d flags '%s'\n-- answer\n%s\n-- authority\n%s\n"
			    "-- additional\n%s\n", c->name, r.rcode, r.flags, r.sec[0], r.sec[1],
			    r.sec[2]);
		/* The id and the question come back as asked, case and all. */
		assert_int_equal(r.m.id, 0x4242);
		assert_int_equal(r.m.qdcount, 1);
		assert_string_equal(r.qname, c->qname);
		assert_int_equal(r.m.qtype, c->qtype);
		assert_int_equal(r.m.qclass, c->qclass);
		assert_int_equal(r.m.edns, c->edns != 0);
		/* TC means empty sections (no partial RRsets). */
		if (r.m.flags & DNS_F_TC)
			assert_int_equal(r.m.ancount + r.m.nscount + r.m.arcount, c->edns ? 1 : 0);
	}
}

/* Cases whose expectations are counts rather than full text. */
static void
test_sizes(void **state)
{
	static uint8_t q[512], resp[65535];
	static struct reply r;
	struct qopt o = { .edns = true, .udp = 4096 };
	size_t qlen, len;
	(void)state;

	/* 20 TXT records: all of them with EDNS (limited to our 1232) and over TCP. */
	qlen = make_query(q, "big.example.com.", DNS_T_TXT, DNS_C_IN, &o);
	len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[0], 20);
	assert_true(len <= 1232);
	assert_int_equal(r.m.edns_udp, 1232); /* ours, RFC 6891 6.2.5 */
	qlen = make_query(q, "big.example.com.", DNS_T_TXT, DNS_C_IN, NULL);
	len = ask(&conf, q, qlen, true, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[0], 20);
	assert_true(len > 512);
	/* A smaller server limit than the client's wins. */
	struct dns_answer_conf small = conf;
	small.max_udp = 600;
	qlen = make_query(q, "big.example.com.", DNS_T_TXT, DNS_C_IN, &o);
	len = ask(&small, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_true(r.m.flags & DNS_F_TC);
	assert_int_equal(r.m.edns_udp, 600);
	/* ... and a server limit below 512 counts as 512. */
	small.max_udp = 100;
	qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, &o);
	len = ask(&small, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.m.edns_udp, 512);
	assert_int_equal(r.n[0], 2);

	/* 16 links of the 20-link chain, then the resolver takes over. */
	qlen = make_query(q, "c0.example.com.", DNS_T_A, DNS_C_IN, NULL);
	len = ask(&conf, q, qlen, true, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[0], 16);
	assert_int_equal(r.rcode, 0);
	assert_non_null(strstr(r.sec[0], "c15.example.com. 60 CNAME c16.example.com."));
	assert_null(strstr(r.sec[0], "c16.example.com. 60 CNAME"));
	/* From c4, the chain is 16 links long to www: the answer is complete. */
	qlen = make_query(q, "c4.example.com.", DNS_T_A, DNS_C_IN, NULL);
	len = ask(&conf, q, qlen, true, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[0], 16 + 2);

	/* Referral with 8 NS and their 16 glue RRsets, with EDNS. */
	o.udp = 1232;
	qlen = make_query(q, "x.deleg2.example.com.", DNS_T_A, DNS_C_IN, &o);
	len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[0], 0);
	assert_int_equal(r.n[1], 8);
	assert_int_equal(r.n[2], 16);
	assert_false(r.m.flags & (DNS_F_AA | DNS_F_TC));

	/* 12 MX over plain UDP: the MX RRset whole, as many addresses as fit, no TC. */
	qlen = make_query(q, "mx2.example.com.", DNS_T_MX, DNS_C_IN, NULL);
	len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[0], 12);
	assert_true(r.n[2] > 0 && r.n[2] < 24);
	assert_true(len <= 512);
	len = ask(&conf, q, qlen, true, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[2], 24);
}

/* Messages that get no reply at all. */
static void
test_dropped(void **state)
{
	uint8_t q[512], resp[4096];
	struct dns_answer_stats st;
	(void)state;

	memset(&st, 0, sizeof(st));
	size_t qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, NULL);
	q[2] |= 0x80; /* QR=1: a response */
	assert_int_equal(ask(&conf, q, qlen, false, resp, sizeof(resp), &st), 0);
	for (size_t n = 0; n < DNS_HDR_LEN; n++)
		assert_int_equal(ask(&conf, q, n, false, resp, sizeof(resp), &st), 0);
	assert_int_equal(st.queries, 13);
	assert_int_equal(st.dropped, 13);
	/* No room even for a header. */
	q[2] &= 0x7f;
	assert_int_equal(ask(&conf, q, qlen, false, resp, 11, &st), 0);
}

struct raw {
	const char *name;
	const uint8_t *q;
	size_t len;
	int rcode;
	bool question; /* echoed */
	bool opt;      /* OPT in the reply */
};

#define B16(v) (uint8_t)(((v) >> 8) & 0xff), (uint8_t)((v) & 0xff)
#define HDR(fl, qd, an, ns, ar) B16(0x77), B16(fl), B16(qd), B16(an), B16(ns), B16(ar)
#define WWW 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0
#define QA B16(1), B16(1)
#define OPT(udp, ver, fl, rdlen) 0, B16(41), B16(udp), 0, (ver), B16(fl), B16(rdlen)
#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

static const struct raw raws[] = {
	{ "QDCOUNT 0", BYTES(HDR(0, 0, 0, 0, 0)), DNS_RCODE_FORMERR, false, false },
	{ "QDCOUNT 2", BYTES(HDR(0, 2, 0, 0, 0), WWW, QA, WWW, QA), DNS_RCODE_FORMERR, false,
	    false },
	{ "bad label", BYTES(HDR(0, 1, 0, 0, 0), 0x41, 'a', 0, QA), DNS_RCODE_FORMERR, false,
	    false },
	{ "compressed question", BYTES(HDR(0, 1, 0, 0, 0), 0xc0, 0x0c, QA), DNS_RCODE_FORMERR,
	    false, false },
	{ "question cut", BYTES(HDR(0, 1, 0, 0, 0), WWW, B16(1)), DNS_RCODE_FORMERR, false,
	    false },
	{ "ANCOUNT 1", BYTES(HDR(0, 1, 1, 0, 0), WWW, QA, 0xc0, 0x0c, QA, 0, 0, 0, 1, B16(4),
	    1, 2, 3, 4), DNS_RCODE_FORMERR, true, false },
	{ "NSCOUNT 1", BYTES(HDR(0, 1, 0, 1, 0), WWW, QA, 0xc0, 0x0c, QA, 0, 0, 0, 1, B16(4),
	    1, 2, 3, 4), DNS_RCODE_FORMERR, true, false },
	{ "two OPTs", BYTES(HDR(0, 1, 0, 0, 2), WWW, QA, OPT(4096, 0, 0, 0), OPT(4096, 0, 0, 0)),
	    DNS_RCODE_FORMERR, true, false },
	{ "OPT owner not root", BYTES(HDR(0, 1, 0, 0, 1), WWW, QA, 0xc0, 0x0c, B16(41),
	    B16(4096), 0, 0, 0, 0, B16(0)), DNS_RCODE_FORMERR, true, false },
	{ "OPT option overrun", BYTES(HDR(0, 1, 0, 0, 1), WWW, QA, OPT(4096, 0, 0, 4), B16(3),
	    B16(9)), DNS_RCODE_FORMERR, true, false },
	{ "record cut after a good OPT", BYTES(HDR(0, 1, 0, 0, 2), WWW, QA, OPT(4096, 0, 0, 0),
	    0, B16(1)), DNS_RCODE_FORMERR, true, true },
	{ "opcode STATUS", BYTES(HDR(2 << 11, 1, 0, 0, 0), WWW, QA), DNS_RCODE_NOTIMP, true,
	    false },
	{ "opcode UPDATE", BYTES(HDR(5 << 11, 1, 0, 0, 1), WWW, B16(6), B16(1),
	    OPT(1232, 0, 0, 0)), DNS_RCODE_NOTIMP, true, true },
	{ "opcode NOTIFY without question", BYTES(HDR(4 << 11, 0, 0, 0, 0)), DNS_RCODE_NOTIMP,
	    false, false },
	{ "EDNS version 1: BADVERS", BYTES(HDR(0, 1, 0, 0, 1), WWW, QA, OPT(4096, 1, 0, 0)),
	    DNS_RCODE_BADVERS, true, true },
	{ "TSIG: REFUSED", BYTES(HDR(0, 1, 0, 0, 1), WWW, QA, 0, B16(250), B16(255), 0, 0, 0, 0,
	    B16(0)), DNS_RCODE_REFUSED, true, false },
	{ "trailing bytes: answered", BYTES(HDR(0, 1, 0, 0, 0), WWW, QA, 0xde, 0xad, 0xbe),
	    DNS_RCODE_NOERROR, true, false },
};

static void
test_raw(void **state)
{
	static uint8_t resp[65535];
	static struct reply r;
	(void)state;

	for (size_t i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		const struct raw *c = &raws[i];
		size_t len = ask(&conf, c->q, c->len, false, resp, sizeof(resp), NULL);
		if (len == 0)
			fail_msg("%s: no reply", c->name);
		parse_reply(resp, len, &r);
		if (r.rcode != c->rcode || (r.m.qdcount == 1) != c->question || r.m.edns != c->opt)
			fail_msg("%s: rcode %d question %u opt %d", c->name, r.rcode, r.m.qdcount,
			    r.m.edns);
		assert_int_equal(r.m.id, 0x77);
		assert_int_equal(DNS_F_OPCODE(r.m.flags), DNS_F_OPCODE(c->q[2] << 8));
		assert_true(r.m.flags & DNS_F_QR);
		if (c->rcode != DNS_RCODE_NOERROR) {
			assert_false(r.m.flags & DNS_F_AA);
			assert_int_equal(r.m.ancount + r.m.nscount, 0);
		}
		if (c->question)
			assert_string_equal(r.qname, "www.example.com.");
	}
	/* BADVERS: RCODE 0 in the header, 1 in the OPT, version 0 (RFC 6891 6.1.3). */
	size_t len = ask(&conf, raws[14].q, raws[14].len, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(DNS_F_RCODE(r.m.flags), 0);
	assert_int_equal(r.m.edns_ext_rcode, 1);
	assert_int_equal(r.m.edns_version, 0);
	assert_int_equal(r.m.ancount, 0);
}

/* Header bits, EDNS flags and NSID. */
static void
test_edns_and_flags(void **state)
{
	static uint8_t q[512], resp[4096];
	static struct reply r;
	struct qopt o = { .id = 0xabcd, .flags = DNS_F_RD | DNS_F_CD | DNS_F_AD, .edns = true,
		.udp = 1400, .eflags = DNS_EDNS_DO, .nsid = true };
	size_t qlen, len;
	(void)state;

	qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, &o);
	len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.m.id, 0xabcd);
	/* RD copied; CD, AD, RA clear (RFC 1035 4.1.1; authoritative only). */
	assert_string_equal(r.flags, "qr aa rd");
	assert_false(r.m.flags & (DNS_F_AD | DNS_F_RA));
	assert_true(r.m.edns);
	assert_int_equal(r.m.edns_flags, DNS_EDNS_DO); /* RFC 3225 3 */
	assert_int_equal(r.m.edns_version, 0);
	assert_true(r.m.nsid);
	assert_int_equal(r.m.nsid_len, strlen("ns-test-1"));
	assert_memory_equal(r.m.nsid_data, "ns-test-1", r.m.nsid_len);
	/* The OPT is the last record. */
	assert_int_equal(r.n[2], 0);
	assert_int_equal(r.m.arcount, 1);

	/* No NSID unless asked, no DO unless set. */
	o.nsid = false;
	o.eflags = 0;
	qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, &o);
	len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_false(r.m.nsid);
	assert_int_equal(r.m.edns_flags, 0);
	/* Asked, but no identity configured: no NSID option. */
	o.nsid = true;
	qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, &o);
	len = ask(&conf_hidden, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_true(r.m.edns);
	assert_false(r.m.nsid);
	/* NSID also on error replies. */
	qlen = make_query(q, "www.example.net.", DNS_T_A, DNS_C_IN, &o);
	len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	assert_true(r.m.nsid);
	/* Hidden version and no identity: REFUSED. */
	qlen = make_query(q, "version.bind.", DNS_T_TXT, DNS_C_CH, NULL);
	len = ask(&conf_hidden, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	qlen = make_query(q, "id.server.", DNS_T_TXT, DNS_C_CH, NULL);
	len = ask(&conf_hidden, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	assert_int_equal(r.m.ancount, 0);

	/* A long identity is split into 255-byte strings in CH TXT, capped at 255 in NSID. */
	static char longid[700];
	memset(longid, 'n', sizeof(longid) - 1);
	struct dns_answer_conf lc = conf;
	lc.identity = longid;
	qlen = make_query(q, "id.server.", DNS_T_TXT, DNS_C_CH, &o);
	len = ask(&lc, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[0], 1);
	assert_int_equal(r.m.nsid_len, 255);
	assert_non_null(strstr(r.sec[0], "\" \""));
	/* Over plain 512-byte EDNS, an NSID that would not fit is left out. */
	o.udp = 512;
	qlen = make_query(q, "a123456789a123456789a123456789a123456789a123456789a123456789."
	    "a123456789a123456789a123456789a123456789a123456789a123456789."
	    "a123456789a123456789a123456789a123456789a123456789a123456789."
	    "a123456789a123456789a123456789a123456789a123456789a1234.example.com.",
	    DNS_T_A, DNS_C_IN, &o);
	len = ask(&lc, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_true(len <= 512);
	assert_true(r.m.edns);
	assert_false(r.m.nsid);
	assert_int_equal(r.rcode, DNS_RCODE_NXDOMAIN);
}

/* Pointers in replies: owners point at the question, names at names before them. */
static void
test_reply_compression(void **state)
{
	static uint8_t q[512], resp[4096];
	size_t qlen, len;
	(void)state;

	qlen = make_query(q, "Alias.Example.COM.", DNS_T_A, DNS_C_IN, NULL);
	len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	/* question 12..31 (19-byte name); answer 1 at 35: owner -> 12 */
	assert_true(len > 40);
	assert_int_equal(resp[35], 0xc0);
	assert_int_equal(resp[36], 0x0c);
	/* CNAME rdata at 47: "www" + pointer to "Example.COM" at 18 */
	assert_int_equal((resp[45] << 8) | resp[46], 6);
	assert_memory_equal(resp + 47, "\003www\xc0\x12", 6);
	/* The A records' owners point at that rdata. */
	assert_int_equal(resp[53], 0xc0);
	assert_int_equal(resp[54], 47);
	assert_int_equal(resp[69], 0xc0);
	assert_int_equal(resp[70], 47);
	assert_int_equal(len, 85);

	/* Every pointer in a bigger reply points backwards (wire.c refuses others). */
	static struct reply r;
	qlen = make_query(q, "example.com.", DNS_T_NS, DNS_C_IN, NULL);
	len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_int_equal(r.n[0] + r.n[2], 5);
}

/* The counters a worker keeps. */
static void
test_stats(void **state)
{
	static uint8_t q[512], resp[4096];
	struct dns_answer_stats st;
	struct qopt o = { .edns = true, .udp = 1232, .nsid = true };
	size_t qlen;
	(void)state;

	memset(&st, 0, sizeof(st));
	qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, &o);
	ask(&conf, q, qlen, false, resp, sizeof(resp), &st);
	qlen = make_query(q, "nx.example.com.", DNS_T_A, DNS_C_IN, NULL);
	ask(&conf, q, qlen, false, resp, sizeof(resp), &st);
	qlen = make_query(q, "www.example.net.", DNS_T_A, DNS_C_IN, NULL);
	ask(&conf, q, qlen, false, resp, sizeof(resp), &st);
	qlen = make_query(q, "id.server.", DNS_T_TXT, DNS_C_CH, NULL);
	ask(&conf, q, qlen, false, resp, sizeof(resp), &st);
	qlen = make_query(q, "big.example.com.", DNS_T_TXT, DNS_C_IN, NULL);
	ask(&conf, q, qlen, false, resp, sizeof(resp), &st);
	ask(&conf, raws[0].q, raws[0].len, false, resp, sizeof(resp), &st);
	ask(&conf, raws[11].q, raws[11].len, false, resp, sizeof(resp), &st);
	qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, NULL);
	q[2] |= 0x80;
	ask(&conf, q, qlen, false, resp, sizeof(resp), &st);
	assert_int_equal(st.queries, 8);
	assert_int_equal(st.noerror, 3);
	assert_int_equal(st.nxdomain, 1);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.formerr, 1);
	assert_int_equal(st.notimp, 1);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.truncated, 1);
	assert_int_equal(st.edns, 1);
	assert_int_equal(st.nsid, 1);
	assert_int_equal(st.chaos, 1);
}

/*
 * The metrics' counters (README, Metrics): questions by transport, by
 * QTYPE (the common ones by name, others together) and by the zone that
 * answered them, through the slot the server gives each zone (0: none of
 * ours).
 */
static size_t
zone_index(const char *apex)
{
	char text[DNS_NAME_STRLEN];

	for (size_t i = 0; i < dns_zoneset_count(zones); i++)
		if (strcmp(dns_name_to_text(dns_zone_apex(dns_zoneset_get(zones, i)), text), apex) == 0)
			return i;
	fail_msg("no zone %s", apex);
	return 0;
}

static void
test_stats_metrics(void **state)
{
	static uint8_t q[512], resp[65535];
	struct dns_answer_stats st;
	size_t qlen, com = zone_index("example.com."), org = zone_index("example.org."),
	    hosted = zone_index("hosted.example.com.");
	(void)state;

	assert_int_equal(dns_stats_qtype(DNS_T_A), 0);
	assert_string_equal(dns_stats_qtype_name(dns_stats_qtype(DNS_T_AAAA)), "AAAA");
	assert_string_equal(dns_stats_qtype_name(dns_stats_qtype(DNS_T_SOA)), "SOA");
	assert_string_equal(dns_stats_qtype_name(dns_stats_qtype(DNS_T_AXFR)), "AXFR");
	assert_string_equal(dns_stats_qtype_name(dns_stats_qtype(65280)), "other");
	assert_string_equal(dns_stats_qtype_name(dns_stats_qtype(0)), "other");
	assert_string_equal(dns_stats_qtype_name(DNS_QTYPE_STATS), "other");
	for (unsigned i = 0; i + 1 < DNS_QTYPE_STATS; i++)
		assert_string_not_equal(dns_stats_qtype_name(i), "other");
	/* Each named index is the type of that name, and only of it. */
	unsigned seen[DNS_QTYPE_STATS] = { 0 };
	for (unsigned t = 0; t < 65536; t++)
		seen[dns_stats_qtype((uint16_t)t)]++;
	for (unsigned i = 0; i + 1 < DNS_QTYPE_STATS; i++) {
		char buf[DNSMSG_TYPE_STRLEN];
		assert_int_equal(seen[i], 1);
		for (unsigned t = 0; t < 256; t++)
			if (dns_stats_qtype((uint16_t)t) == i)
				assert_string_equal(dnsmsg_type_name((uint16_t)t, buf),
				    dns_stats_qtype_name(i));
	}

	for (size_t i = 0; i < dns_zoneset_count(zones); i++)
		dns_zoneset_set_stat_slot(zones, i, 0);
	dns_zoneset_set_stat_slot(zones, com, 7);
	dns_zoneset_set_stat_slot(zones, org, 9);
	dns_zoneset_set_stat_slot(zones, hosted, 200);
	memset(&st, 0, sizeof(st));
	qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, NULL);
	ask(&conf, q, qlen, false, resp, 4096, &st);
	ask(&conf, q, qlen, true, resp, sizeof(resp), &st);
	qlen = make_query(q, "nx.example.com.", DNS_T_AAAA, DNS_C_IN, NULL);
	ask(&conf, q, qlen, false, resp, 4096, &st);
	qlen = make_query(q, "example.org.", DNS_T_SOA, DNS_C_IN, NULL);
	ask(&conf, q, qlen, true, resp, sizeof(resp), &st);
	qlen = make_query(q, "hosted.example.com.", 65280, DNS_C_IN, NULL);
	ask(&conf, q, qlen, false, resp, 4096, &st);
	qlen = make_query(q, "www.example.net.", DNS_T_MX, DNS_C_IN, NULL);
	ask(&conf, q, qlen, false, resp, 4096, &st);
	/* CHAOS and a response (dropped): counted as queries, in no zone. */
	qlen = make_query(q, "id.server.", DNS_T_TXT, DNS_C_CH, NULL);
	ask(&conf, q, qlen, false, resp, 4096, &st);
	qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, NULL);
	q[2] |= 0x80;
	ask(&conf, q, qlen, false, resp, 4096, &st);

	assert_int_equal(st.queries, 8);
	assert_int_equal(st.udp, 6);
	assert_int_equal(st.tcp, 2);
	assert_int_equal(st.qtype[dns_stats_qtype(DNS_T_A)], 2);
	assert_int_equal(st.qtype[dns_stats_qtype(DNS_T_AAAA)], 1);
	assert_int_equal(st.qtype[dns_stats_qtype(DNS_T_SOA)], 1);
	assert_int_equal(st.qtype[dns_stats_qtype(DNS_T_MX)], 1);
	assert_int_equal(st.qtype[dns_stats_qtype(DNS_T_TXT)], 1);
	assert_int_equal(st.qtype[DNS_QTYPE_STATS - 1], 1);
	assert_int_equal(st.zone[7], 3);	/* example.com.: www twice, nx */
	assert_int_equal(st.zone[9], 1);
	assert_int_equal(st.zone[200], 1);	/* the longest match: hosted.example.com. */
	assert_int_equal(st.zone[0], 1);	/* example.net.: not ours */
	uint64_t sum = 0;
	for (unsigned k = 0; k < DNS_ZONE_STATS; k++)
		sum += st.zone[k];
	assert_int_equal(sum, 6);
	for (size_t i = 0; i < dns_zoneset_count(zones); i++)
		dns_zoneset_set_stat_slot(zones, i, 0);
}

/* No zones at all: everything is REFUSED, nothing crashes. */
static void
test_no_zones(void **state)
{
	static uint8_t q[512], resp[4096];
	static struct reply r;
	struct dns_answer_stats st;
	struct dns_zoneset *empty = dns_zoneset_new();
	(void)state;

	memset(&st, 0, sizeof(st));
	size_t qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, NULL);
	size_t len = dns_answer(&conf, empty, q, qlen, resp, sizeof(resp), false, &st);
	parse_reply(resp, len, &r);
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	len = dns_answer(&conf, NULL, q, qlen, resp, sizeof(resp), false, &st);
	parse_reply(resp, len, &r);
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	dns_zoneset_free(empty);
}

/*
 * A secondary with no data (expired, or never transferred) is in the set
 * as an unavailable zone: every name in it is SERVFAIL without AA, not
 * REFUSED and not a referral from the parent zone; a zone shared by two
 * sets (dns_zone_ref) answers from both and outlives the set freed first.
 */
static void
test_unavailable(void **state)
{
	static uint8_t q[512], resp[4096];
	static struct reply r;
	struct dns_answer_stats st;
	struct dns_zoneset *set = dns_zoneset_new();
	uint8_t apex[DNS_NAME_MAX];
	(void)state;

	memset(&st, 0, sizeof(st));
	assert_true(dns_name_from_text(apex, "example.com.", NULL) > 0);
	const struct dns_zone *shared = dns_zoneset_find(zones, apex);
	assert_non_null(shared);
	assert_int_equal(dns_zoneset_add(set, dns_zone_ref(shared)), 0);
	assert_true(dns_name_from_text(apex, "sub.example.com.", NULL) > 0);
	struct dns_zone *gone = dns_zone_new_unavailable(apex);
	assert_non_null(gone);
	assert_false(dns_zone_available(gone));
	assert_null(dns_zone_soa(gone));
	assert_int_equal(dns_zone_node_count(gone), 0);
	assert_null(dns_zone_lookup(gone, apex));
	assert_int_equal(dns_zoneset_add(set, gone), 0);

	static const char *const servfail[] = { "sub.example.com.", "www.sub.example.com.",
	    "a.b.sub.example.com." };
	for (size_t i = 0; i < 3; i++) {
		size_t qlen = make_query(q, servfail[i], DNS_T_A, DNS_C_IN, NULL);
		size_t len = dns_answer(&conf, set, q, qlen, resp, sizeof(resp), false, &st);
		parse_reply(resp, len, &r);
		assert_int_equal(r.rcode, DNS_RCODE_SERVFAIL);
		assert_null(strstr(r.flags, "aa"));
		assert_int_equal(r.n[0] + r.n[1] + r.n[2], 0);
	}
	assert_int_equal(st.servfail, 3);
	/* The parent, shared with the other set, answers as ever. */
	size_t qlen = make_query(q, "www.example.com.", DNS_T_A, DNS_C_IN, NULL);
	size_t len = dns_answer(&conf, set, q, qlen, resp, sizeof(resp), false, &st);
	parse_reply(resp, len, &r);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_int_equal(r.n[0], 2);
	dns_zoneset_free(set);
	len = dns_answer(&conf, zones, q, qlen, resp, sizeof(resp), false, &st);
	parse_reply(resp, len, &r);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_int_equal(r.n[0], 2);
}

/* ---------------------------------------------------------- DNSSEC */

/*
 * A signed zone for the DNSSEC answers (RFC 4035 3.1): the signatures are
 * not real (the server never checks them, it matches their Type Covered),
 * the NSEC chain is, in canonical order:
 * @ a alias b.ent ns sub uns w *.w www.
 */
static void
sec_add(struct dns_zone_builder *b, const uint8_t *o, const char *owner, uint16_t type,
    const uint8_t *rd, size_t len)
{
	uint8_t own[DNS_NAME_MAX];
	assert_true(dns_name_from_text(own, owner, o) > 0);
	assert_int_equal(dns_zone_builder_add(b, own, type, 3600, rd, (uint16_t)len), DNS_ZB_OK);
}

/* An RRSIG over `type` (RFC 4034 3.1) with a dummy signature. */
static void
sec_sig(struct dns_zone_builder *b, const uint8_t *o, const char *owner, uint16_t type)
{
	uint8_t rd[64];
	size_t n = 0;
	put_u16(rd, &n, type);
	rd[n++] = 8;
	rd[n++] = 2;
	put_u32(rd, &n, 3600);
	put_u32(rd, &n, 2000000000);
	put_u32(rd, &n, 1700000000);
	put_u16(rd, &n, 4242);
	put_name(rd, &n, "sec.test.", NULL);
	memcpy(rd + n, "signature", 9);
	n += 9;
	sec_add(b, o, owner, DNS_T_RRSIG, rd, n);
}

/* An NSEC to `next` (the type bitmap is not read by the server) and its RRSIG. */
static void
sec_nsec(struct dns_zone_builder *b, const uint8_t *o, const char *owner, const char *next)
{
	uint8_t rd[300];
	size_t n = 0;
	put_name(rd, &n, next, o);
	rd[n++] = 0;
	rd[n++] = 1;
	rd[n++] = 0x40;
	sec_add(b, o, owner, DNS_T_NSEC, rd, n);
	sec_sig(b, o, owner, DNS_T_NSEC);
}

static void
sec_zone(void)
{
	uint8_t o[DNS_NAME_MAX];
	struct dns_zone_builder *b = zone_begin("sec.test.", o);

	rr(b, o, "@", DNS_T_SOA, 3600, "ns hostmaster 1 7200 3600 1209600 300");
	rr(b, o, "@", DNS_T_NS, 3600, "ns");
	rr(b, o, "@", DNS_T_DNSKEY, 3600, "hex:010103080102030405");
	sec_sig(b, o, "@", DNS_T_SOA);
	sec_sig(b, o, "@", DNS_T_NS);
	sec_sig(b, o, "@", DNS_T_DNSKEY);
	sec_nsec(b, o, "@", "a");
	rr(b, o, "a", DNS_T_A, 3600, "192.0.2.1");
	sec_sig(b, o, "a", DNS_T_A);
	sec_nsec(b, o, "a", "alias");
	rr(b, o, "alias", DNS_T_CNAME, 3600, "a");
	sec_sig(b, o, "alias", DNS_T_CNAME);
	sec_nsec(b, o, "alias", "b.ent");
	rr(b, o, "b.ent", DNS_T_A, 3600, "192.0.2.2");
	sec_sig(b, o, "b.ent", DNS_T_A);
	sec_nsec(b, o, "b.ent", "ns");
	rr(b, o, "ns", DNS_T_A, 3600, "192.0.2.53");
	sec_sig(b, o, "ns", DNS_T_A);
	sec_nsec(b, o, "ns", "sub");
	rr(b, o, "sub", DNS_T_NS, 3600, "ns.sub");
	rr(b, o, "sub", DNS_T_DS, 3600, "hex:30390801aabbccdd");
	sec_sig(b, o, "sub", DNS_T_DS);
	sec_nsec(b, o, "sub", "uns");
	rr(b, o, "ns.sub", DNS_T_A, 3600, "192.0.2.54");
	rr(b, o, "uns", DNS_T_NS, 3600, "ns.uns");
	sec_nsec(b, o, "uns", "w");
	rr(b, o, "ns.uns", DNS_T_A, 3600, "192.0.2.55");
	rr(b, o, "w", DNS_T_TXT, 3600, "w");
	sec_sig(b, o, "w", DNS_T_TXT);
	sec_nsec(b, o, "w", "*.w");
	rr(b, o, "*.w", DNS_T_A, 3600, "192.0.2.99");
	sec_sig(b, o, "*.w", DNS_T_A);
	sec_nsec(b, o, "*.w", "www");
	rr(b, o, "www", DNS_T_A, 3600, "192.0.2.80");
	rr(b, o, "www", DNS_T_MX, 3600, "10 a");
	sec_sig(b, o, "www", DNS_T_A);
	sec_sig(b, o, "www", DNS_T_MX);
	sec_nsec(b, o, "www", "@");
	zone_end(b);
}

/* A rendered section as "owner TYPE" lines; an RRSIG as RRSIG(covered type). */
static void
summary(const char *sec, char *out, size_t cap)
{
	char line[8192], owner[300], type[32], tb[DNS_TYPE_STRLEN];
	const char *p = sec;
	unsigned ttl, len, covered;

	out[0] = '\0';
	while (*p != '\0') {
		size_t l = strcspn(p, "\n");
		memcpy(line, p, l);
		line[l] = '\0';
		p += l + (p[l] == '\n');
		assert_int_equal(sscanf(line, "%299s %u %31s", owner, &ttl, type), 3);
		if (strcmp(type, "RRSIG") == 0) {
			assert_int_equal(sscanf(strstr(line, "\\#"), "\\# %u %4x", &len, &covered), 2);
			append(out, cap, "%s%s RRSIG(%s)", *out ? "\n" : "", owner,
			    dns_type_name((uint16_t)covered, tb));
		} else {
			append(out, cap, "%s%s %s", *out ? "\n" : "", owner, type);
		}
	}
}

struct scase {
	const char *qname;
	uint16_t qtype;
	bool do_bit;
	int rcode;
	const char *flags;
	const char *an, *ns, *ar; /* summaries */
};

#define SEC_SOA "sec.test. SOA\nsec.test. RRSIG(SOA)"
static const struct scase scases[] = {
	/* RFC 4035 3.1.1: the RRSIGs of the answer */
	{ "www.sec.test.", DNS_T_A, true, 0, "qr aa", "www.sec.test. A\nwww.sec.test. RRSIG(A)",
	    "", "" },
	/* RFC 3225 3: without DO nothing of it */
	{ "www.sec.test.", DNS_T_A, false, 0, "qr aa", "www.sec.test. A", "", "" },
	{ "sec.test.", DNS_T_DNSKEY, true, 0, "qr aa",
	    "sec.test. DNSKEY\nsec.test. RRSIG(DNSKEY)", "", "" },
	/* additional data with its signatures */
	{ "www.sec.test.", DNS_T_MX, true, 0, "qr aa", "www.sec.test. MX\nwww.sec.test. RRSIG(MX)",
	    "", "a.sec.test. A\na.sec.test. RRSIG(A)" },
	/* a CNAME and its target, each signed */
	{ "alias.sec.test.", DNS_T_A, true, 0, "qr aa", "alias.sec.test. CNAME\n"
	    "alias.sec.test. RRSIG(CNAME)\na.sec.test. A\na.sec.test. RRSIG(A)", "", "" },
	/* RFC 4035 3.1.3.2: the NSEC covering the name and the one covering *.sec.test. */
	{ "nx.sec.test.", DNS_T_A, true, DNS_RCODE_NXDOMAIN, "qr aa", "",
	    SEC_SOA "\nns.sec.test. NSEC\nns.sec.test. RRSIG(NSEC)\n"
	    "sec.test. NSEC\nsec.test. RRSIG(NSEC)", "" },
	{ "nx.sec.test.", DNS_T_A, false, DNS_RCODE_NXDOMAIN, "qr aa", "", "sec.test. SOA", "" },
	/* below an existing name: the wildcard at the closest encloser (a) */
	{ "x.a.sec.test.", DNS_T_A, true, DNS_RCODE_NXDOMAIN, "qr aa", "",
	    SEC_SOA "\na.sec.test. NSEC\na.sec.test. RRSIG(NSEC)", "" },
	/* RFC 4035 3.1.3.1: NODATA with the name's own NSEC */
	{ "www.sec.test.", DNS_T_TXT, true, 0, "qr aa", "",
	    SEC_SOA "\nwww.sec.test. NSEC\nwww.sec.test. RRSIG(NSEC)", "" },
	/* an empty non-terminal: the NSEC that covers it */
	{ "ent.sec.test.", DNS_T_A, true, 0, "qr aa", "",
	    SEC_SOA "\nalias.sec.test. NSEC\nalias.sec.test. RRSIG(NSEC)", "" },
	/* RFC 4035 3.1.3.3: a wildcard answer proves the name itself does not exist */
	{ "x.w.sec.test.", DNS_T_A, true, 0, "qr aa", "x.w.sec.test. A\nx.w.sec.test. RRSIG(A)",
	    "*.w.sec.test. NSEC\n*.w.sec.test. RRSIG(NSEC)", "" },
	/* RFC 4035 3.1.3.4: wildcard NODATA: the wildcard's NSEC and the one covering the name */
	{ "zz.w.sec.test.", DNS_T_TXT, true, 0, "qr aa", "",
	    SEC_SOA "\n*.w.sec.test. NSEC\n*.w.sec.test. RRSIG(NSEC)", "" },
	/* RFC 4035 3.1.4: a signed delegation with its DS */
	{ "host.sub.sec.test.", DNS_T_A, true, 0, "qr",  "",
	    "sub.sec.test. NS\nsub.sec.test. DS\nsub.sec.test. RRSIG(DS)", "ns.sub.sec.test. A" },
	{ "host.sub.sec.test.", DNS_T_A, false, 0, "qr",  "", "sub.sec.test. NS",
	    "ns.sub.sec.test. A" },
	/* an insecure one: the NSEC proves there is no DS */
	{ "host.uns.sec.test.", DNS_T_A, true, 0, "qr",  "",
	    "uns.sec.test. NS\nuns.sec.test. NSEC\nuns.sec.test. RRSIG(NSEC)", "ns.uns.sec.test. A" },
	/* DS at a cut is the parent's: signed, or NODATA with the cut's NSEC */
	{ "sub.sec.test.", DNS_T_DS, true, 0, "qr aa", "sub.sec.test. DS\nsub.sec.test. RRSIG(DS)",
	    "", "" },
	{ "uns.sec.test.", DNS_T_DS, true, 0, "qr aa", "",
	    SEC_SOA "\nuns.sec.test. NSEC\nuns.sec.test. RRSIG(NSEC)", "" },
	/* NSEC asked for: served with its signature */
	{ "a.sec.test.", DNS_T_NSEC, true, 0, "qr aa", "a.sec.test. NSEC\na.sec.test. RRSIG(NSEC)",
	    "", "" },
};

static void
test_dnssec(void **state)
{
	uint8_t q[512], resp[65535];
	struct reply r;
	char an[4096], ns[4096], ar[4096];
	(void)state;

	for (size_t i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		const struct scase *c = &scases[i];
		struct qopt o = { .edns = true, .udp = 1232, .eflags = c->do_bit ? DNS_EDNS_DO : 0 };
		size_t qlen = make_query(q, c->qname, c->qtype, DNS_C_IN, &o);
		size_t len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
		parse_reply(resp, len, &r);
		summary(r.sec[0], an, sizeof(an));
		summary(r.sec[1], ns, sizeof(ns));
		summary(r.sec[2], ar, sizeof(ar));
		if (r.rcode != c->rcode || strcmp(r.flags, c->flags) != 0 || strcmp(an, c->an) != 0 ||
		    strcmp(ns, c->ns) != 0 || strcmp(ar, c->ar) != 0)
			fail_msg("%s %u DO=%d: rcode %d flags '%s'\nanswer:\n%s\nauthority:\n%s\n"
			    "additional:\n%s", c->qname, c->qtype, c->do_bit, r.rcode, r.flags, an, ns,
			    ar);
		/* DO is echoed (RFC 3225 3) */
		assert_int_equal(r.m.edns_flags & DNS_EDNS_DO, c->do_bit ? DNS_EDNS_DO : 0);
	}
}

/* RFC 4035 3.1.1, RFC 2181 9: an RRset and its RRSIGs fit whole, or TC. */
static void
test_dnssec_truncation(void **state)
{
	uint8_t q[512], resp[65535];
	struct reply r;
	(void)state;

	/* Without EDNS there is no DO; with DO and 512 bytes a NXDOMAIN's proofs fit. */
	struct qopt o = { .edns = true, .udp = 512, .eflags = DNS_EDNS_DO };
	size_t qlen = make_query(q, "nx.sec.test.", DNS_T_A, DNS_C_IN, &o);
	size_t len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, &r);
	assert_string_equal(r.flags, "qr aa");
	assert_int_equal(r.n[1], 6);
	/* one byte short of that reply: TC and no partial sections, not a proof left out */
	len = dns_answer(&conf, zones, q, qlen, resp, len - 1, false,
	    &(struct dns_answer_stats){ 0 });
	parse_reply(resp, len, &r);
	assert_string_equal(r.flags, "qr aa tc");
	assert_int_equal(r.n[0] + r.n[1] + r.n[2], 0);
}

/*
 * NSEC3 (RFC 5155 7.2), no salt, 0 iterations, opt-out: n3.test. with
 * NSEC3 for @ ns www w (ENT) *.w ent (ENT) b.ent; none for the insecure cut
 * uns and its glue.  The owners are hashed here with the RFC 5155 5
 * formula on its own, and which NSEC3 covers a name is found by a scan, so
 * the server's index and binary search are checked against a second
 * implementation.
 */
static const char *const n3_names[] = {
	"n3.test.", "ns.n3.test.", "www.n3.test.", "w.n3.test.", "*.w.n3.test.",
	"ent.n3.test.", "b.ent.n3.test.",
};
#define N3_COUNT (sizeof(n3_names) / sizeof(n3_names[0]))
static uint8_t n3_hash[N3_COUNT][SHA1_DIGEST_SIZE];

static void
n3_hash_of(const char *text, uint8_t out[SHA1_DIGEST_SIZE])
{
	uint8_t name[DNS_NAME_MAX], lc[DNS_NAME_MAX];
	struct sha1_ctx c;
	int n = dns_name_from_text(name, text, NULL);
	assert_true(n > 0);
	dns_name_lower(lc, name);
	sha1_init(&c);
	sha1_update(&c, (size_t)n, lc);
	sha1_digest(&c, SHA1_DIGEST_SIZE, out);
}

/* "<base32hex of the hash>.n3.test." */
static void
n3_owner(const uint8_t h[SHA1_DIGEST_SIZE], char *out)
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	uint32_t acc = 0;
	unsigned bits = 0, o = 0;
	for (int i = 0; i < SHA1_DIGEST_SIZE; i++) {
		acc = (acc << 8) | h[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32[(acc >> bits) & 31];
		}
	}
	strcpy(out + o, ".n3.test.");
}

/* The owner of the NSEC3 that matches or covers the hash of `text` (a scan). */
static void
n3_cover(const char *text, char *out)
{
	uint8_t h[SHA1_DIGEST_SIZE];
	int best = -1, last = 0;
	n3_hash_of(text, h);
	for (size_t i = 0; i < N3_COUNT; i++) {
		if (memcmp(n3_hash[i], n3_hash[last], SHA1_DIGEST_SIZE) > 0)
			last = (int)i;
		if (memcmp(n3_hash[i], h, SHA1_DIGEST_SIZE) <= 0 &&
		    (best < 0 || memcmp(n3_hash[i], n3_hash[best], SHA1_DIGEST_SIZE) > 0))
			best = (int)i;
	}
	n3_owner(n3_hash[best < 0 ? last : best], out);
}

static void
n3_zone(void)
{
	uint8_t o[DNS_NAME_MAX], rd[128];
	char owner[128];
	struct dns_zone_builder *b = zone_begin("n3.test.", o);

	rr(b, o, "@", DNS_T_SOA, 3600, "ns hostmaster 1 7200 3600 1209600 300");
	rr(b, o, "@", DNS_T_NS, 3600, "ns");
	rr(b, o, "@", DNS_T_DNSKEY, 3600, "hex:010103080102030405");
	rr(b, o, "@", DNS_T_NSEC3PARAM, 3600, "hex:0100000000");
	sec_sig(b, o, "@", DNS_T_SOA);
	sec_sig(b, o, "@", DNS_T_NS);
	rr(b, o, "ns", DNS_T_A, 3600, "192.0.2.53");
	sec_sig(b, o, "ns", DNS_T_A);
	rr(b, o, "www", DNS_T_A, 3600, "192.0.2.80");
	sec_sig(b, o, "www", DNS_T_A);
	rr(b, o, "*.w", DNS_T_A, 3600, "192.0.2.99");
	sec_sig(b, o, "*.w", DNS_T_A);
	rr(b, o, "b.ent", DNS_T_A, 3600, "192.0.2.2");
	sec_sig(b, o, "b.ent", DNS_T_A);
	rr(b, o, "uns", DNS_T_NS, 3600, "ns.uns");
	rr(b, o, "ns.uns", DNS_T_A, 3600, "192.0.2.55");
	for (size_t i = 0; i < N3_COUNT; i++) {
		size_t n = 0;
		n3_hash_of(n3_names[i], n3_hash[i]);
		n3_owner(n3_hash[i], owner);
		/* RFC 5155 3.2: SHA-1, opt-out, 0 iterations, no salt, the next hash, a bitmap */
		rd[n++] = 1;
		rd[n++] = 1;
		put_u16(rd, &n, 0);
		rd[n++] = 0;
		rd[n++] = SHA1_DIGEST_SIZE;
		memcpy(rd + n, n3_hash[(i + 1) % N3_COUNT], SHA1_DIGEST_SIZE);
		n += SHA1_DIGEST_SIZE;
		rd[n++] = 0;
		rd[n++] = 1;
		rd[n++] = 0x40;
		sec_add(b, o, owner, DNS_T_NSEC3, rd, n);
		sec_sig(b, o, owner, DNS_T_NSEC3);
	}
	zone_end(b);
}

/* Sorted lines of the NSEC3 owners in a summary. */
static void
n3_set(const char *summary_text, char *out, size_t cap)
{
	char lines[16][160], tmp[160];
	size_t n = 0;
	const char *p = summary_text;
	out[0] = '\0';
	while (*p != '\0' && n < 16) {
		size_t l = strcspn(p, "\n");
		/* "owner NSEC3", not "owner RRSIG(NSEC3)" */
		if (l < sizeof(lines[0]) && l >= 6 && strncmp(p + l - 6, " NSEC3", 6) == 0) {
			memcpy(lines[n], p, l);
			lines[n++][l] = '\0';
		}
		p += l + (p[l] == '\n');
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(lines[j], lines[i]) < 0) {
				strcpy(tmp, lines[i]);
				strcpy(lines[i], lines[j]);
				strcpy(lines[j], tmp);
			}
	for (size_t i = 0; i < n; i++)
		append(out, cap, "%s%s", i ? "\n" : "", lines[i]);
}

/* The expected set: the owners of the NSEC3 that match or cover each name, deduplicated. */
static void
n3_expect(char *out, size_t cap, int count, ...)
{
	char owners[8][160], joined[2048], tmp[160];
	int n = 0;
	va_list ap;
	va_start(ap, count);
	for (int i = 0; i < count; i++) {
		char o[160];
		n3_cover(va_arg(ap, const char *), o);
		bool dup = false;
		for (int k = 0; k < n; k++)
			dup = dup || strcmp(owners[k], o) == 0;
		if (!dup)
			strcpy(owners[n++], o);
	}
	va_end(ap);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(owners[j], owners[i]) < 0) {
				strcpy(tmp, owners[i]);
				strcpy(owners[i], owners[j]);
				strcpy(owners[j], tmp);
			}
	joined[0] = '\0';
	for (int i = 0; i < n; i++)
		append(joined, sizeof(joined), "%s%s NSEC3", i ? "\n" : "", owners[i]);
	snprintf(out, cap, "%s", joined);
}

static void
n3_ask(const char *qname, uint16_t qtype, int rcode, char *ns_set, size_t cap, struct reply *r)
{
	uint8_t q[512], resp[65535];
	char ns[4096];
	struct qopt o = { .edns = true, .udp = 4096, .eflags = DNS_EDNS_DO };
	size_t qlen = make_query(q, qname, qtype, DNS_C_IN, &o);
	size_t len = ask(&conf, q, qlen, false, resp, sizeof(resp), NULL);
	parse_reply(resp, len, r);
	if (r->rcode != rcode)
		fail_msg("%s: rcode %d, not %d", qname, r->rcode, rcode);
	summary(r->sec[1], ns, sizeof(ns));
	n3_set(ns, ns_set, cap);
	/* every NSEC3 comes with its RRSIG */
	unsigned sets = 0, sigs = 0;
	for (const char *p = ns; (p = strstr(p, " NSEC3")) != NULL; p++)
		sets++;
	for (const char *p = ns; (p = strstr(p, " RRSIG(NSEC3)")) != NULL; p++)
		sigs++;
	assert_int_equal(sets, sigs);
}

static void
test_dnssec_nsec3(void **state)
{
	char got[2048], want[2048];
	struct reply r;
	(void)state;

	/* RFC 5155 7.2.2: closest encloser (the apex), next closer, wildcard at the apex */
	n3_ask("nx.n3.test.", DNS_T_A, DNS_RCODE_NXDOMAIN, got, sizeof(got), &r);
	n3_expect(want, sizeof(want), 3, "n3.test.", "nx.n3.test.", "*.n3.test.");
	assert_string_equal(got, want);
	/* deeper: the closest encloser is www, the next closer x.www */
	n3_ask("a.x.www.n3.test.", DNS_T_A, DNS_RCODE_NXDOMAIN, got, sizeof(got), &r);
	n3_expect(want, sizeof(want), 3, "www.n3.test.", "x.www.n3.test.", "*.www.n3.test.");
	assert_string_equal(got, want);
	/* RFC 5155 7.2.3: NODATA, the name's own NSEC3; an empty non-terminal has one too */
	n3_ask("www.n3.test.", DNS_T_TXT, 0, got, sizeof(got), &r);
	n3_expect(want, sizeof(want), 1, "www.n3.test.");
	assert_string_equal(got, want);
	n3_ask("ent.n3.test.", DNS_T_A, 0, got, sizeof(got), &r);
	n3_expect(want, sizeof(want), 1, "ent.n3.test.");
	assert_string_equal(got, want);
	/* RFC 5155 7.2.6: a wildcard answer: the NSEC3 covering the next closer name */
	n3_ask("q.w.n3.test.", DNS_T_A, 0, got, sizeof(got), &r);
	assert_int_equal(r.n[0], 2);
	n3_expect(want, sizeof(want), 1, "q.w.n3.test.");
	assert_string_equal(got, want);
	/* RFC 5155 7.2.5: wildcard NODATA: closest encloser w, next closer, the wildcard's own */
	n3_ask("q.w.n3.test.", DNS_T_TXT, 0, got, sizeof(got), &r);
	n3_expect(want, sizeof(want), 3, "w.n3.test.", "q.w.n3.test.", "*.w.n3.test.");
	assert_string_equal(got, want);
	/* RFC 5155 7.2.7: an opt-out cut without NSEC3: closest provable encloser (apex) and
	 * the NSEC3 covering the cut */
	n3_ask("host.uns.n3.test.", DNS_T_A, 0, got, sizeof(got), &r);
	assert_string_equal(r.flags, "qr");
	n3_expect(want, sizeof(want), 2, "n3.test.", "uns.n3.test.");
	assert_string_equal(got, want);
	/* RFC 5155 7.2.8: an NSEC3 owner is not a name of the zone */
	char owner[160];
	n3_owner(n3_hash[1], owner);
	n3_ask(owner, DNS_T_A, DNS_RCODE_NXDOMAIN, got, sizeof(got), &r);
	n3_ask(owner, DNS_T_NSEC3, DNS_RCODE_NXDOMAIN, got, sizeof(got), &r);
}

static int
setup_all(void **state)
{
	setup(state);
	sec_zone();
	n3_zone();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_edns_and_flags),
		cmocka_unit_test(test_reply_compression),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_stats_metrics),
		cmocka_unit_test(test_no_zones),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_dnssec),
		cmocka_unit_test(test_dnssec_truncation),
		cmocka_unit_test(test_dnssec_nsec3),
	};

	return cmocka_run_group_tests(tests, setup_all, teardown);
}
