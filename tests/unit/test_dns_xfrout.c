/*
 * test_dns_xfrout.c - tests of src/dns/xfrout.c: AXFR streams (SOA first
 * and last, every record once, messages <= 65535 bytes, the id and
 * question in each, AA, compression), IXFR from the journal (RFC 1995 4
 * order: our SOA, then per difference the old SOA, deletions, the new
 * SOA, additions, then our SOA), IXFR when current (SOA alone) or not in
 * the journal (AXFR-style), UDP (AXFR REFUSED, IXFR our SOA), the policy
 * (prefix and key), NOTAUTH for names that are no apex of ours, FORMERR,
 * and dns_xfr_qtype() with bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "dns/wire.h"
#include "dns/xfrout.h"

static const uint8_t *
N(const char *text)
{
	static uint8_t ring[8][DNS_NAME_MAX];
	static unsigned next;
	uint8_t *out = ring[next++ % 8];
	assert_true(dns_name_from_text(out, text, NULL) > 0);
	return out;
}

static size_t
wlen(const uint8_t *n)
{
	return (size_t)dns_name_wire_len(n, DNS_NAME_MAX);
}

static size_t
soa_rdata(uint8_t *out, uint32_t serial)
{
	const uint8_t *m = N("ns.ex."), *r = N("host.ex.");
	size_t n = wlen(m), k = wlen(r);
	memcpy(out, m, n);
	memcpy(out + n, r, k);
	uint8_t *p = out + n + k;
	uint32_t v[5] = { serial, 3600, 600, 86400, 300 };
	for (int i = 0; i < 5; i++) {
		p[4 * i] = (uint8_t)(v[i] >> 24);
		p[4 * i + 1] = (uint8_t)(v[i] >> 16);
		p[4 * i + 2] = (uint8_t)(v[i] >> 8);
		p[4 * i + 3] = (uint8_t)v[i];
	}
	return n + k + 20;
}

/* "ex." with `hosts` A records h0..h(n-1) (and one changed address when `bump`). */
static struct dns_zone *
build(uint32_t serial, unsigned hosts, unsigned bump)
{
	struct dns_zone_builder *b = dns_zone_builder_new(N("ex."));
	uint8_t soa[128];
	size_t sl = soa_rdata(soa, serial);
	const uint8_t *ns = N("ns.ex.");
	char err[256], owner[64];

	assert_int_equal(dns_zone_builder_add(b, N("ex."), DNS_T_SOA, 3600, soa, (uint16_t)sl), 0);
	assert_int_equal(dns_zone_builder_add(b, N("ex."), DNS_T_NS, 3600, ns, (uint16_t)wlen(ns)),
	    0);
	for (unsigned i = 0; i < hosts; i++) {
		uint8_t ip[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		if (i < bump)
			ip[0] = 11;
		snprintf(owner, sizeof(owner), "h%u.ex.", i);
		assert_int_equal(dns_zone_builder_add(b, N(owner), DNS_T_A, 300, ip, 4), 0);
	}
	struct dns_zone *z = dns_zone_builder_finish(b, err, sizeof(err));
	dns_zone_builder_free(b);
	assert_non_null(z);
	return z;
}

static struct dns_zoneset *
set_of(struct dns_zone *z)
{
	struct dns_zoneset *s = dns_zoneset_new();
	assert_int_equal(dns_zoneset_add(s, z), 0);
	return s;
}

/* allow-transfer 127.0.0.0/8 for "ex.", and (rule 2) 10.0.0.0/8 with key 0. */
static struct dns_xfr_policy *
policy(void)
{
	struct dns_xfr_policy *p = calloc(1, sizeof(*p));
	p->keys = calloc(1, sizeof(*p->keys));
	p->n_keys = 1;
	p->zones = calloc(1, sizeof(*p->zones));
	p->n_zones = 1;
	memcpy(p->zones[0].apex, N("ex."), 4);
	p->zones[0].acl = calloc(2, sizeof(*p->zones[0].acl));
	p->zones[0].n_acl = 2;
	p->zones[0].acl[0].prefix.family = AF_INET;
	p->zones[0].acl[0].prefix.addr[0] = 127;
	p->zones[0].acl[0].prefix.len = 8;
	p->zones[0].acl[0].key = -1;
	p->zones[0].acl[1].prefix.family = AF_INET;
	p->zones[0].acl[1].prefix.addr[0] = 10;
	p->zones[0].acl[1].prefix.len = 8;
	p->zones[0].acl[1].key = 0;
	return p;
}

static struct sockaddr_in
peer(const char *a)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	assert_int_equal(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	return sin;
}

/* A query; IXFR with the client's SOA (serial) in the authority section. */
static size_t
query(uint8_t *buf, const char *qname, uint16_t qtype, uint32_t serial, uint16_t id)
{
	struct dns_writer wr;
	uint8_t soa[128];

	dns_wire_init(&wr, buf, 512);
	assert_int_equal(dns_wire_header(&wr, id, 0), 0);
	assert_int_equal(dns_wire_question(&wr, N(qname), qtype, DNS_C_IN), 0);
	if (qtype == DNS_T_IXFR) {
		size_t sl = soa_rdata(soa, serial);
		assert_int_equal(dns_wire_rr(&wr, DNS_SEC_AUTHORITY, N(qname), DNS_T_SOA, DNS_C_IN,
		    3600, soa, (uint16_t)sl), 0);
	}
	return dns_wire_finish(&wr);
}

struct seen {
	unsigned messages;
	size_t records;
	uint16_t types[64];   /* the first records' types */
	uint32_t serials[64]; /* SOA serials of the first records, 0 for others */
	bool owners_ok;
	size_t bytes;
};

static uint32_t
soa_serial_of(const uint8_t *msg, size_t len, const struct dns_rr *rr)
{
	size_t pos = rr->rdata_off;
	uint8_t tmp[DNS_NAME_MAX];
	assert_true(dns_wire_name_read(msg, len, &pos, tmp) > 0);
	assert_true(dns_wire_name_read(msg, len, &pos, tmp) > 0);
	return (uint32_t)msg[pos] << 24 | (uint32_t)msg[pos + 1] << 16 |
	    (uint32_t)msg[pos + 2] << 8 | msg[pos + 3];
}

/* Run a stream to its end, checking every message's framing. */
static void
drain(struct dns_xfr_out *x, uint16_t id, const char *qname, uint16_t qtype, uint8_t rcode,
    struct seen *s)
{
	uint8_t *buf = malloc(65535);
	size_t len;

	memset(s, 0, sizeof(*s));
	while ((len = dns_xfr_out_next(x, buf, 65535, 1000)) > 0) {
		struct dns_msg m;
		struct dns_rr_iter it;
		struct dns_rr rr;
		assert_true(len <= 65535);
		assert_int_equal(dns_wire_parse(buf, len, &m), 0);
		assert_int_equal(m.id, id);
		assert_true((m.flags & DNS_F_QR) != 0);
		assert_int_equal(DNS_F_RCODE(m.flags), rcode);
		if (rcode == 0)
			assert_true((m.flags & DNS_F_AA) != 0);
		assert_int_equal(m.qdcount, 1);
		assert_true(dns_name_equal(m.qname, N(qname)));
		assert_int_equal(m.qtype, qtype);
		dns_wire_rr_begin(&it, buf, len, &m);
		while (dns_wire_rr_next(&it, &rr) == 1) {
			assert_int_equal(rr.section, DNS_SEC_ANSWER);
			if (s->records < 64) {
				s->types[s->records] = rr.type;
				s->serials[s->records] = rr.type == DNS_T_SOA ?
				    soa_serial_of(buf, len, &rr) : 0;
			}
			s->records++;
		}
		s->messages++;
		s->bytes += len;
		assert_true(s->messages < 100000);
	}
	dns_xfr_out_done(x);
	free(buf);
}

static void
test_axfr_stream(void **state)
{
	enum { HOSTS = 20000 };
	struct dns_zoneset *set = set_of(build(5, HOSTS, 0));
	struct dns_xfr_policy *pol = policy();
	struct sockaddr_in p = peer("127.0.0.1");
	struct dns_xfr_out x;
	uint8_t q[512];
	size_t ql = query(q, "EX.", DNS_T_AXFR, 0, 0x1234);
	struct seen s;
	uint8_t *buf = malloc(65535);

	(void)state;
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&p, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_AXFR);
	drain(&x, 0x1234, "EX.", DNS_T_AXFR, 0, &s);
	/* SOA twice, NS, and every host. */
	assert_int_equal(s.records, HOSTS + 3);
	assert_int_equal(s.types[0], DNS_T_SOA);
	assert_int_equal(s.serials[0], 5);
	assert_true(s.messages > 1);
	/* Compression: a host record costs far less than its owner written out. */
	assert_true(s.bytes / s.records < 30);

	/* The last record is the SOA again: run it once more, keeping the last record. */
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&p, false, 1000), 0);
	size_t len, last = 0;
	struct dns_msg m;
	struct dns_rr_iter it;
	struct dns_rr rr;
	uint16_t last_type = 0;
	while ((len = dns_xfr_out_next(&x, buf, 65535, 1000)) > 0)
		last = len;
	assert_int_equal(dns_wire_parse(buf, last, &m), 0);
	dns_wire_rr_begin(&it, buf, last, &m);
	while (dns_wire_rr_next(&it, &rr) == 1)
		last_type = rr.type;
	assert_int_equal(last_type, DNS_T_SOA);
	dns_xfr_out_done(&x);
	free(buf);
	dns_xfr_policy_free(pol);
	dns_zoneset_free(set);
}

static struct dns_journal *
journal_of(void *ctx, const uint8_t *apex)
{
	(void)apex;
	return ctx;
}

static void
test_ixfr(void **state)
{
	struct dns_zone *z5 = build(5, 100, 0), *z6 = build(6, 100, 2), *z7 = build(7, 101, 2);
	struct dns_journal *j = dns_journal_new(1 << 20);
	struct dns_diff *d;
	struct dns_xfr_policy *pol = policy();
	struct sockaddr_in p = peer("127.0.0.1");
	struct dns_xfr_out x;
	struct seen s;
	uint8_t q[512];
	size_t ql;

	(void)state;
	assert_int_equal(dns_diff_compute(z5, z6, &d), DNS_DIFF_OK);
	dns_journal_add(j, d);
	assert_int_equal(dns_diff_compute(z6, z7, &d), DNS_DIFF_OK);
	dns_journal_add(j, d);
	dns_zone_free(z5);
	dns_zone_free(z6);
	struct dns_zoneset *set = set_of(z7);

	/* From 5: our SOA, [SOA 5, -h0, -h1, SOA 6, +h0, +h1], [SOA 6, SOA 7, +h100], SOA 7. */
	ql = query(q, "ex.", DNS_T_IXFR, 5, 7);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, journal_of, j, q, ql,
	    (struct sockaddr *)&p, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_IXFR);
	drain(&x, 7, "ex.", DNS_T_IXFR, 0, &s);
	assert_int_equal(s.records, 1 + 6 + 3 + 1);
	uint16_t types[] = { DNS_T_SOA, DNS_T_SOA, DNS_T_A, DNS_T_A, DNS_T_SOA, DNS_T_A, DNS_T_A,
	    DNS_T_SOA, DNS_T_SOA, DNS_T_A, DNS_T_SOA };
	uint32_t serials[] = { 7, 5, 0, 0, 6, 0, 0, 6, 7, 0, 7 };
	for (int i = 0; i < 11; i++) {
		assert_int_equal(s.types[i], types[i]);
		assert_int_equal(s.serials[i], serials[i]);
	}
	/* The stream released its references: only the journal's remain. */
	assert_int_equal(dns_journal_at(j, 0)->refs, 1);

	/* From 6: the last difference only. */
	ql = query(q, "ex.", DNS_T_IXFR, 6, 8);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, journal_of, j, q, ql,
	    (struct sockaddr *)&p, false, 1000), 0);
	drain(&x, 8, "ex.", DNS_T_IXFR, 0, &s);
	assert_int_equal(s.records, 5);

	/* Current (and newer): our SOA alone. */
	ql = query(q, "ex.", DNS_T_IXFR, 7, 9);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, journal_of, j, q, ql,
	    (struct sockaddr *)&p, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_IXFR_CURRENT);
	drain(&x, 9, "ex.", DNS_T_IXFR, 0, &s);
	assert_int_equal(s.records, 1);
	assert_int_equal(s.serials[0], 7);
	ql = query(q, "ex.", DNS_T_IXFR, 9, 9);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, journal_of, j, q, ql,
	    (struct sockaddr *)&p, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_IXFR_CURRENT);
	dns_xfr_out_done(&x);

	/* Not in the journal: AXFR-style (SOA, everything, SOA). */
	ql = query(q, "ex.", DNS_T_IXFR, 3, 10);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, journal_of, j, q, ql,
	    (struct sockaddr *)&p, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_IXFR_AXFR);
	drain(&x, 10, "ex.", DNS_T_IXFR, 0, &s);
	assert_int_equal(s.records, 101 + 3);
	assert_int_equal(s.types[0], DNS_T_SOA);
	assert_int_not_equal(s.types[1], DNS_T_SOA);

	/* No SOA in the authority section: FORMERR (RFC 1995 3). */
	ql = query(q, "ex.", DNS_T_AXFR, 0, 11);
	q[ql - 4] = 0;
	q[ql - 3] = DNS_T_IXFR; /* the question's type, now IXFR without a SOA */
	assert_int_equal(dns_xfr_out_start(&x, set, pol, journal_of, j, q, ql,
	    (struct sockaddr *)&p, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_FORMERR);
	drain(&x, 11, "ex.", DNS_T_IXFR, DNS_RCODE_FORMERR, &s);
	assert_int_equal(s.messages, 1);
	assert_int_equal(s.records, 0);

	dns_journal_free(j);
	dns_xfr_policy_free(pol);
	dns_zoneset_free(set);
}

static void
test_refused_notauth(void **state)
{
	struct dns_zoneset *set = set_of(build(5, 3, 0));
	struct dns_xfr_policy *pol = policy();
	struct sockaddr_in out = peer("192.0.2.1"), keyed = peer("10.1.2.3");
	struct sockaddr_in in = peer("127.0.0.9");
	struct dns_xfr_out x;
	struct seen s;
	uint8_t q[512];
	size_t ql = query(q, "ex.", DNS_T_AXFR, 0, 1);

	(void)state;
	/* Outside every prefix. */
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&out, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_REFUSED);
	drain(&x, 1, "ex.", DNS_T_AXFR, DNS_RCODE_REFUSED, &s);
	assert_int_equal(s.messages, 1);
	assert_int_equal(s.records, 0);
	/* In a prefix whose row asks for a key, unsigned. */
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&keyed, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_REFUSED);
	dns_xfr_out_done(&x);
	/* A copy of the policy decides the same. */
	struct dns_xfr_policy *copy = dns_xfr_policy_dup(pol);
	assert_non_null(copy);
	assert_int_equal(dns_xfr_out_start(&x, set, copy, NULL, NULL, q, ql,
	    (struct sockaddr *)&in, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_AXFR);
	dns_xfr_out_done(&x);
	assert_int_equal(dns_xfr_out_start(&x, set, copy, NULL, NULL, q, ql,
	    (struct sockaddr *)&out, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_REFUSED);
	dns_xfr_out_done(&x);
	dns_xfr_policy_free(copy);
	/* No policy at all: refused. */
	assert_int_equal(dns_xfr_out_start(&x, set, NULL, NULL, NULL, q, ql,
	    (struct sockaddr *)&in, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_REFUSED);
	dns_xfr_out_done(&x);
	/* Below the apex, or another zone: NOTAUTH (RFC 5936 2.2.1). */
	ql = query(q, "h1.ex.", DNS_T_AXFR, 0, 2);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&in, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_NOTAUTH);
	drain(&x, 2, "h1.ex.", DNS_T_AXFR, 9, &s);
	ql = query(q, "other.", DNS_T_AXFR, 0, 3);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&in, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_NOTAUTH);
	dns_xfr_out_done(&x);
	/* A reply (QR set) or a runt: dropped. */
	ql = query(q, "ex.", DNS_T_AXFR, 0, 4);
	q[2] |= 0x80;
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&in, false, 1000), -1);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, 5,
	    (struct sockaddr *)&in, false, 1000), -1);
	/* A truncated question: FORMERR. */
	ql = query(q, "ex.", DNS_T_AXFR, 0, 5);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql - 3,
	    (struct sockaddr *)&in, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_FORMERR);
	dns_xfr_out_done(&x);
	dns_xfr_policy_free(pol);
	dns_zoneset_free(set);
}

static void
test_udp(void **state)
{
	struct dns_zoneset *set = set_of(build(5, 3, 0));
	struct dns_xfr_policy *pol = policy();
	struct sockaddr_in in = peer("127.0.0.1"), out = peer("192.0.2.1");
	enum dns_xfr_result r;
	uint8_t q[512], resp[4096];
	size_t ql, n;
	struct dns_msg m;

	(void)state;
	ql = query(q, "ex.", DNS_T_AXFR, 0, 1);
	n = dns_xfr_udp(set, pol, q, ql, (struct sockaddr *)&in, resp, sizeof(resp), 1000, 0, &r);
	assert_true(n > 0);
	assert_int_equal(r, DNS_XFR_REFUSED);
	assert_int_equal(dns_wire_parse(resp, n, &m), 0);
	assert_int_equal(DNS_F_RCODE(m.flags), DNS_RCODE_REFUSED);
	ql = query(q, "ex.", DNS_T_IXFR, 1, 2);
	n = dns_xfr_udp(set, pol, q, ql, (struct sockaddr *)&in, resp, sizeof(resp), 1000, 0, &r);
	assert_int_equal(r, DNS_XFR_UDP_SOA);
	assert_int_equal(dns_wire_parse(resp, n, &m), 0);
	assert_int_equal(DNS_F_RCODE(m.flags), 0);
	assert_int_equal(m.ancount, 1);
	assert_true(n <= 512);
	n = dns_xfr_udp(set, pol, q, ql, (struct sockaddr *)&out, resp, sizeof(resp), 1000, 0, &r);
	assert_int_equal(r, DNS_XFR_REFUSED);
	dns_xfr_policy_free(pol);
	dns_zoneset_free(set);
}

/* TSIG (RFC 8945): every message of a signed transfer verifies in turn; bad keys get NOTAUTH. */
static void
test_tsig(void **state)
{
	struct dns_zoneset *set = set_of(build(5, 5000, 0));
	struct dns_xfr_policy *pol = policy();
	struct sockaddr_in keyed = peer("10.1.2.3");
	struct dns_tsig_key other, wrong;
	struct dns_tsig_ctx cctx;
	struct dns_xfr_out x;
	char err[128];
	uint8_t q[1024], *buf = malloc(65535);
	size_t ql, len;
	unsigned n = 0;

	(void)state;
	assert_int_equal(dns_tsig_key_parse("xfr", "hmac-sha256",
	    "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=", &pol->keys[0], err, sizeof(err)), 0);
	/* A key the server knows, signing: admitted by the row that asks for it. */
	dns_tsig_ctx_init(&cctx, &pol->keys[0]);
	ql = query(q, "ex.", DNS_T_AXFR, 0, 21);
	assert_int_equal(dns_tsig_sign_query(&cctx, q, &ql, sizeof(q), 1000), 0);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&keyed, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_AXFR);
	assert_true(x.tsig);
	while ((len = dns_xfr_out_next(&x, buf, 65535, 1001)) > 0) {
		assert_true(len <= 65535);
		assert_int_equal(dns_tsig_verify_reply(&cctx, buf, len, 1001), DNS_TSIG_OK);
		n++;
	}
	assert_true(n > 1);
	assert_int_equal(dns_tsig_verify_end(&cctx), DNS_TSIG_OK);
	dns_xfr_out_done(&x);

	/* A key it does not know: NOTAUTH, TSIG error BADKEY (RFC 8945 5.2.1). */
	assert_int_equal(dns_tsig_key_parse("stranger", "hmac-sha256",
	    "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=", &other, err, sizeof(err)), 0);
	dns_tsig_ctx_init(&cctx, &other);
	ql = query(q, "ex.", DNS_T_AXFR, 0, 22);
	assert_int_equal(dns_tsig_sign_query(&cctx, q, &ql, sizeof(q), 1000), 0);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&keyed, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_TSIG);
	len = dns_xfr_out_next(&x, buf, 65535, 1000);
	assert_true(len > 0);
	assert_int_equal(DNS_F_RCODE(buf[3]), DNS_RCODE_NOTAUTH);
	assert_int_equal(dns_tsig_verify_reply(&cctx, buf, len, 1000), DNS_TSIG_PEERERR);
	assert_int_equal(cctx.error, DNS_TSIG_ERR_BADKEY);
	assert_int_equal(dns_xfr_out_next(&x, buf, 65535, 1000), 0);
	dns_xfr_out_done(&x);

	/* The right name, a wrong secret: NOTAUTH, BADSIG (5.2.2). */
	assert_int_equal(dns_tsig_key_parse("xfr", "hmac-sha256", "b3RoZXJzZWNyZXQ=", &wrong, err,
	    sizeof(err)), 0);
	dns_tsig_ctx_init(&cctx, &wrong);
	ql = query(q, "ex.", DNS_T_AXFR, 0, 23);
	assert_int_equal(dns_tsig_sign_query(&cctx, q, &ql, sizeof(q), 1000), 0);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&keyed, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_TSIG);
	len = dns_xfr_out_next(&x, buf, 65535, 1000);
	assert_int_equal(DNS_F_RCODE(buf[3]), DNS_RCODE_NOTAUTH);
	assert_int_equal(dns_tsig_verify_reply(&cctx, buf, len, 1000), DNS_TSIG_PEERERR);
	assert_int_equal(cctx.error, DNS_TSIG_ERR_BADSIG);
	dns_xfr_out_done(&x);

	/* Signed with the right key from outside the key's row (127/8 has no key): admitted
	 * there too, since that row asks for none; from 192.0.2.1 REFUSED, signed. */
	struct sockaddr_in out = peer("192.0.2.1");
	dns_tsig_ctx_init(&cctx, &pol->keys[0]);
	ql = query(q, "ex.", DNS_T_AXFR, 0, 24);
	assert_int_equal(dns_tsig_sign_query(&cctx, q, &ql, sizeof(q), 1000), 0);
	assert_int_equal(dns_xfr_out_start(&x, set, pol, NULL, NULL, q, ql,
	    (struct sockaddr *)&out, false, 1000), 0);
	assert_int_equal(x.result, DNS_XFR_REFUSED);
	len = dns_xfr_out_next(&x, buf, 65535, 1000);
	assert_int_equal(DNS_F_RCODE(buf[3]), DNS_RCODE_REFUSED);
	assert_int_equal(dns_tsig_verify_reply(&cctx, buf, len, 1000), DNS_TSIG_OK);
	dns_xfr_out_done(&x);

	/* A signed SOA query (a secondary's refresh): answered, signed. */
	struct dns_answer_conf ac = { .identity = "t", .version = NULL, .max_udp = 1232 };
	struct dns_answer_stats st = { 0 };
	dns_tsig_ctx_init(&cctx, &pol->keys[0]);
	ql = query(q, "ex.", DNS_T_SOA, 0, 25);
	assert_int_equal(dns_tsig_sign_query(&cctx, q, &ql, sizeof(q), 1000), 0);
	len = dns_answer(&ac, set, q, ql, buf, 65535, true, &st);
	assert_int_equal(DNS_F_RCODE(buf[3]), DNS_RCODE_REFUSED);
	assert_int_equal(st.tsig, 1);
	len = dns_xfr_answer_tsig(&ac, set, pol, q, ql, buf, 65535, true, 1000, &st);
	assert_true(len > 0);
	assert_int_equal(DNS_F_RCODE(buf[3]), DNS_RCODE_NOERROR);
	assert_int_equal(buf[7], 1); /* ANCOUNT: the SOA */
	assert_int_equal(dns_tsig_verify_reply(&cctx, buf, len, 1000), DNS_TSIG_OK);
	/* Over UDP without EDNS (512 bytes): an answer that fits only unsigned goes out TC=1. */
	struct dns_zone_builder *bb = dns_zone_builder_new(N("big."));
	uint8_t soa[128], txt[256];
	size_t sl = soa_rdata(soa, 1);
	char err2[256];
	assert_int_equal(dns_zone_builder_add(bb, N("big."), DNS_T_SOA, 60, soa, (uint16_t)sl), 0);
	assert_int_equal(dns_zone_builder_add(bb, N("big."), DNS_T_NS, 60, N("ns.ex."), 7), 0);
	memset(txt, 'x', sizeof(txt));
	txt[0] = 200;
	assert_int_equal(dns_zone_builder_add(bb, N("t.big."), DNS_T_TXT, 60, txt, 201), 0);
	txt[1] = 'y';
	assert_int_equal(dns_zone_builder_add(bb, N("t.big."), DNS_T_TXT, 60, txt, 201), 0);
	struct dns_zone *bz = dns_zone_builder_finish(bb, err2, sizeof(err2));
	dns_zone_builder_free(bb);
	assert_non_null(bz);
	assert_int_equal(dns_zoneset_add(set, bz), 0);
	dns_tsig_ctx_init(&cctx, &pol->keys[0]);
	ql = query(q, "t.big.", DNS_T_TXT, 0, 27);
	assert_int_equal(dns_tsig_sign_query(&cctx, q, &ql, sizeof(q), 1000), 0);
	len = dns_xfr_answer_tsig(&ac, set, pol, q, ql, buf, 65535, false, 1000, &st);
	assert_true(len > 0 && len <= 512);
	assert_true((buf[2] & (DNS_F_TC >> 8)) != 0);
	assert_int_equal(dns_tsig_verify_reply(&cctx, buf, len, 1000), DNS_TSIG_OK);
	/* Over TCP the same query gets both records, signed. */
	dns_tsig_ctx_init(&cctx, &pol->keys[0]);
	ql = query(q, "t.big.", DNS_T_TXT, 0, 28);
	assert_int_equal(dns_tsig_sign_query(&cctx, q, &ql, sizeof(q), 1000), 0);
	len = dns_xfr_answer_tsig(&ac, set, pol, q, ql, buf, 65535, true, 1000, &st);
	assert_int_equal(buf[7], 2);
	assert_int_equal(dns_tsig_verify_reply(&cctx, buf, len, 1000), DNS_TSIG_OK);

	/* The same with a key we do not know: NOTAUTH with BADKEY. */
	dns_tsig_ctx_init(&cctx, &other);
	ql = query(q, "ex.", DNS_T_SOA, 0, 26);
	assert_int_equal(dns_tsig_sign_query(&cctx, q, &ql, sizeof(q), 1000), 0);
	len = dns_xfr_answer_tsig(&ac, set, pol, q, ql, buf, 65535, false, 1000, &st);
	assert_int_equal(DNS_F_RCODE(buf[3]), DNS_RCODE_NOTAUTH);
	assert_int_equal(dns_tsig_verify_reply(&cctx, buf, len, 1000), DNS_TSIG_PEERERR);
	assert_int_equal(cctx.error, DNS_TSIG_ERR_BADKEY);

	free(buf);
	dns_xfr_policy_free(pol);
	dns_zoneset_free(set);
}

/* NOTIFY (RFC 1996 3.7): the message, and which replies are ours. */
static void
test_notify_msg(void **state)
{
	struct dns_zone *z = build(42, 1, 0);
	uint8_t buf[1024], r[1024];
	size_t len = dns_xfr_notify_build(buf, sizeof(buf), 0x4242, z);
	struct dns_msg m;
	struct dns_rr_iter it;
	struct dns_rr rr;

	(void)state;
	assert_true(len > 0);
	assert_int_equal(dns_wire_parse(buf, len, &m), 0);
	assert_int_equal(m.id, 0x4242);
	assert_int_equal(DNS_F_OPCODE(m.flags), DNS_OPCODE_NOTIFY);
	assert_true((m.flags & DNS_F_AA) != 0);
	assert_true((m.flags & DNS_F_QR) == 0);
	assert_true(dns_name_equal(m.qname, N("ex.")));
	assert_int_equal(m.qtype, DNS_T_SOA);
	dns_wire_rr_begin(&it, buf, len, &m);
	assert_int_equal(dns_wire_rr_next(&it, &rr), 1);
	assert_int_equal(rr.section, DNS_SEC_ANSWER);
	assert_int_equal(soa_serial_of(buf, len, &rr), 42);
	/* The reply: QR, the id, opcode NOTIFY, the question echoed. */
	memcpy(r, buf, len);
	r[2] |= 0x80;
	assert_int_equal(dns_xfr_notify_reply(r, len, 0x4242, N("ex.")), 0);
	r[3] = (uint8_t)((r[3] & 0xf0) | DNS_RCODE_NOTAUTH);
	assert_int_equal(dns_xfr_notify_reply(r, len, 0x4242, N("ex.")), DNS_RCODE_NOTAUTH);
	assert_int_equal(dns_xfr_notify_reply(r, len, 0x4243, N("ex.")), -1);
	assert_int_equal(dns_xfr_notify_reply(r, len, 0x4242, N("other.")), -1);
	assert_int_equal(dns_xfr_notify_reply(buf, len, 0x4242, N("ex.")), -1); /* not a reply */
	for (size_t k = 0; k < len; k++)
		(void)dns_xfr_notify_reply(r, k, 0x4242, N("ex.")); /* every truncation: ASan */
	/* Too small a buffer: 0. */
	assert_int_equal(dns_xfr_notify_build(buf, 20, 1, z), 0);
	dns_zone_free(z);
}

static void
test_qtype(void **state)
{
	uint8_t q[512];
	size_t ql;

	(void)state;
	ql = query(q, "ex.", DNS_T_AXFR, 0, 1);
	assert_int_equal(dns_xfr_qtype(q, ql), DNS_T_AXFR);
	ql = query(q, "ex.", DNS_T_IXFR, 1, 1);
	assert_int_equal(dns_xfr_qtype(q, ql), DNS_T_IXFR);
	ql = query(q, "ex.", DNS_T_A, 0, 1);
	assert_int_equal(dns_xfr_qtype(q, ql), 0);
	/* Every truncation before the type's end: never read past the end (ASan). */
	ql = query(q, "a.long.name.ex.", DNS_T_AXFR, 0, 1);
	for (size_t k = 0; k < ql - 2; k++) {
		uint8_t *c = malloc(k ? k : 1);
		memcpy(c, q, k);
		assert_int_equal(dns_xfr_qtype(c, k), 0);
		free(c);
	}
	/* A compression pointer in the question, an opcode that is not QUERY, QR set. */
	ql = query(q, "ex.", DNS_T_AXFR, 0, 1);
	q[12] = 0xc0;
	assert_int_equal(dns_xfr_qtype(q, ql), 0);
	ql = query(q, "ex.", DNS_T_AXFR, 0, 1);
	q[2] = DNS_OPCODE_NOTIFY << 3;
	assert_int_equal(dns_xfr_qtype(q, ql), 0);
	q[2] = 0x80;
	assert_int_equal(dns_xfr_qtype(q, ql), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axfr_stream),
		cmocka_unit_test(test_ixfr),
		cmocka_unit_test(test_refused_notauth),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_tsig),
		cmocka_unit_test(test_notify_msg),
		cmocka_unit_test(test_qtype),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
