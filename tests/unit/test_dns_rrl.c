/*
 * test_dns_rrl.c - response rate limiting (src/dns/rrl.c) on a fake clock:
 * the classification of answers and the name each is keyed by, the rate
 * and its one-second burst, slip every Nth, the whitelist, prefix
 * aggregation (/24, /56), separate buckets per class and name, the table's
 * bound under many sources, and the slipped (TC=1) form.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "dns/rrl.h"

static const uint8_t key[DNS_RRL_KEY_LEN] = "0123456789abcdef";

/* ---- messages ---- */

struct msg {
	uint8_t b[512];
	size_t len;
};

static void
put16(struct msg *m, uint16_t v)
{
	m->b[m->len++] = (uint8_t)(v >> 8);
	m->b[m->len++] = (uint8_t)v;
}

static void
put_name(struct msg *m, const char *text)
{
	uint8_t wire[DNS_NAME_MAX];
	int n = dnsmsg_name_from_text(wire, text, NULL);

	assert_true(n > 0);
	memcpy(m->b + m->len, wire, (size_t)n);
	m->len += (size_t)n;
}

/* Header and question; flags include QR. */
static void
msg_start(struct msg *m, uint16_t flags, uint16_t an, uint16_t ns, const char *qname,
    uint16_t qtype)
{
	m->len = 0;
	put16(m, 0x1234);
	put16(m, (uint16_t)(0x8000 | flags));
	put16(m, 1);
	put16(m, an);
	put16(m, ns);
	put16(m, 0);
	put_name(m, qname);
	put16(m, qtype);
	put16(m, DNSMSG_C_IN);
}

/* An RR whose owner is a pointer to offset ptr (0: the name `owner` in full). */
static void
msg_rr(struct msg *m, uint16_t ptr, const char *owner, uint16_t type, uint16_t rdlen)
{
	if (ptr != 0)
		put16(m, (uint16_t)(0xc000 | ptr));
	else
		put_name(m, owner);
	put16(m, type);
	put16(m, DNSMSG_C_IN);
	put16(m, 0);
	put16(m, 300);
	put16(m, rdlen);
	memset(m->b + m->len, 7, rdlen);
	m->len += rdlen;
}

static const char *
classify(const struct msg *m, enum dns_rrl_class *cls)
{
	static char text[DNS_NAME_STRLEN];
	uint8_t name[DNS_NAME_MAX];

	*cls = dns_rrl_classify(m->b, m->len, name);
	return dnsmsg_name_to_text(name, text);
}

#define AA 0x0400

static void
test_classify(void **state)
{
	struct msg m;
	enum dns_rrl_class c;

	/* An answer: keyed by the qname, lowercased (0x20 case randomisation). */
	msg_start(&m, AA, 1, 0, "WwW.Example.COM.", DNSMSG_T_A);
	msg_rr(&m, 12, NULL, DNSMSG_T_A, 4);
	assert_string_equal(classify(&m, &c), "www.example.com.");
	assert_int_equal(c, DNS_RRL_ANSWER);

	/* NXDOMAIN: keyed by the zone, the SOA's owner (a pointer into the qname). */
	msg_start(&m, AA | DNSMSG_RCODE_NXDOMAIN, 0, 1, "x1.Example.com.", DNSMSG_T_A);
	msg_rr(&m, 12 + 3, NULL, DNSMSG_T_SOA, 22);
	assert_string_equal(classify(&m, &c), "example.com.");
	assert_int_equal(c, DNS_RRL_NXDOMAIN);
	/* Another random name: the same key. */
	msg_start(&m, AA | DNSMSG_RCODE_NXDOMAIN, 0, 1, "zz99.example.com.", DNSMSG_T_A);
	msg_rr(&m, 12 + 5, NULL, DNSMSG_T_SOA, 22);
	assert_string_equal(classify(&m, &c), "example.com.");
	/* After a CNAME: the authority still names the zone. */
	msg_start(&m, AA | DNSMSG_RCODE_NXDOMAIN, 1, 1, "a.example.com.", DNSMSG_T_A);
	msg_rr(&m, 12, NULL, DNSMSG_T_CNAME, 5);
	msg_rr(&m, 0, "example.com.", DNSMSG_T_SOA, 22);
	assert_string_equal(classify(&m, &c), "example.com.");
	assert_int_equal(c, DNS_RRL_NXDOMAIN);

	/* NODATA: authoritative and empty, keyed by the qname. */
	msg_start(&m, AA, 0, 1, "www.example.com.", DNSMSG_T_MX);
	msg_rr(&m, 12 + 4, NULL, DNSMSG_T_SOA, 22);
	assert_string_equal(classify(&m, &c), "www.example.com.");
	assert_int_equal(c, DNS_RRL_NODATA);

	/* A referral: not authoritative, NS in authority; keyed by the delegation. */
	msg_start(&m, 0, 0, 2, "r4nd0m.sub.example.com.", DNSMSG_T_A);
	msg_rr(&m, 12 + 7, NULL, DNSMSG_T_NS, 6);
	msg_rr(&m, 12 + 7, NULL, DNSMSG_T_NS, 6);
	assert_string_equal(classify(&m, &c), "sub.example.com.");
	assert_int_equal(c, DNS_RRL_REFERRAL);

	/* Errors: no name, whatever was asked. */
	msg_start(&m, DNSMSG_RCODE_REFUSED, 0, 0, "www.example.net.", DNSMSG_T_A);
	assert_string_equal(classify(&m, &c), ".");
	assert_int_equal(c, DNS_RRL_ERROR);
	msg_start(&m, DNSMSG_RCODE_FORMERR, 0, 0, "x.", DNSMSG_T_A);
	assert_string_equal(classify(&m, &c), ".");
	assert_int_equal(c, DNS_RRL_ERROR);

	/* Bad input: short, no question, a bad authority: an error or the qname. */
	assert_int_equal(dns_rrl_classify(m.b, 5, (uint8_t[DNS_NAME_MAX]){ 0 }), DNS_RRL_ERROR);
	msg_start(&m, 0, 0, 0, "x.", DNSMSG_T_A);
	m.b[5] = 0; /* QDCOUNT 0 */
	assert_int_equal(classify(&m, &c)[0], '.');
	assert_int_equal(c, DNS_RRL_ERROR);
	msg_start(&m, AA | DNSMSG_RCODE_NXDOMAIN, 0, 1, "a.example.com.", DNSMSG_T_A);
	put16(&m, 0xc000 | 400); /* a pointer past the end */
	assert_string_equal(classify(&m, &c), "a.example.com.");
	assert_int_equal(c, DNS_RRL_NXDOMAIN);
	msg_start(&m, DNSMSG_RCODE_NXDOMAIN, 3, 1, "a.example.com.", DNSMSG_T_A);
	msg_rr(&m, 12, NULL, DNSMSG_T_CNAME, 200); /* rdlength past the end */
	m.len -= 150;
	assert_string_equal(classify(&m, &c), "a.example.com.");
	assert_int_equal(c, DNS_RRL_NXDOMAIN);
}

/* ---- the table ---- */

static struct sockaddr_in6 sa_buf;

static const struct sockaddr *
sa(const char *addr)
{
	memset(&sa_buf, 0, sizeof(sa_buf));
	if (strchr(addr, ':') != NULL) {
		sa_buf.sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, addr, &sa_buf.sin6_addr), 1);
	} else {
		struct sockaddr_in *v4 = (struct sockaddr_in *)&sa_buf;
		v4->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, addr, &v4->sin_addr), 1);
	}
	return (const struct sockaddr *)&sa_buf;
}

static const uint8_t *
wname(const char *text)
{
	static uint8_t w[4][DNS_NAME_MAX];
	static int i;
	uint8_t *out = w[i++ % 4];

	assert_true(dnsmsg_name_from_text(out, text, NULL) > 0);
	return out;
}

static struct dns_rrl *
rrl_make(unsigned rate, unsigned slip, size_t table)
{
	struct dns_rrl_conf c = {
		.rate = rate, .slip = slip, .v4_prefix = 24, .v6_prefix = 56, .table_size = table,
	};
	struct dns_rrl *r = dns_rrl_new(&c, key);

	assert_non_null(r);
	return r;
}

/* n answers at `now`: how many passed. */
static unsigned
burst(struct dns_rrl *r, const char *addr, enum dns_rrl_class cls, const char *name, unsigned n,
    rtime_t now)
{
	unsigned pass = 0;

	for (unsigned i = 0; i < n; i++)
		pass += dns_rrl_check(r, sa(addr), cls, wname(name), now) == DNS_RRL_PASS;
	return pass;
}

static void
test_rate(void **state)
{
	struct dns_rrl *r = rrl_make(10, 0, 1024);
	rtime_t t = 1000 * RTIME_SEC;
	unsigned pass = 0;

	/* A full bucket: one second of burst, then nothing. */
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 100, t), 10);
	/* 100 ms refill one token (10/s). */
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 100, t + 100 * RTIME_MS), 1);
	/* 50 ms: half a token, nothing yet; another 50 ms: one. */
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 5, t + 150 * RTIME_MS), 0);
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 5, t + 200 * RTIME_MS), 1);
	/* A long pause refills one second's worth, not more. */
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 100, t + 60 * RTIME_SEC), 10);
	/* 1000 q/s for 5 s: the rate, plus nothing (the bucket was empty). */
	t += 60 * RTIME_SEC;
	for (int ms = 1; ms <= 5000; ms++)
		pass += burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 1, t + ms * RTIME_MS);
	assert_int_equal(pass, 50);
	/* A clock that steps back refills nothing and breaks nothing. */
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 5, t), 0);
	assert_int_equal(dns_rrl_stats(r)->passed, 10 + 1 + 1 + 10 + 50);
	dns_rrl_free(r);

	/* rate 0: off, everything passes. */
	r = rrl_make(0, 2, 64);
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 10000, t), 10000);
	dns_rrl_free(r);
}

static void
test_slip(void **state)
{
	static const struct {
		unsigned slip;
		const char *want; /* after the one token: P pass, D drop, S slip */
	} cases[] = {
		{ 0, "PDDDDDD" },
		{ 1, "PSSSSSS" },
		{ 2, "PDSDSDS" },
		{ 3, "PDDSDDS" },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct dns_rrl *r = rrl_make(1, cases[k].slip, 64);
		char got[8] = "";
		for (int i = 0; i < 7; i++) {
			enum dns_rrl_action a = dns_rrl_check(r, sa("198.51.100.7"), DNS_RRL_ANSWER,
			    wname("a."), RTIME_SEC);
			got[i] = a == DNS_RRL_PASS ? 'P' : a == DNS_RRL_DROP ? 'D' : 'S';
		}
		assert_string_equal(got, cases[k].want);
		assert_int_equal(dns_rrl_stats(r)->limited, 6);
		dns_rrl_free(r);
	}
}

static void
test_whitelist(void **state)
{
	struct dns_rrl_prefix wl[2] = {
		{ .family = AF_INET, .addr = { 127, 0, 0, 2 }, .len = 32 },
		{ .family = AF_INET6, .addr = { 0x20, 0x01, 0x0d, 0xb8 }, .len = 32 },
	};
	struct dns_rrl_conf c = {
		.rate = 5, .slip = 2, .v4_prefix = 24, .v6_prefix = 56, .table_size = 64,
		.whitelist = wl, .n_whitelist = 2,
	};
	struct dns_rrl *r = dns_rrl_new(&c, key);

	assert_non_null(r);
	/* The table keeps its own copy. */
	memset(wl, 0, sizeof(wl));
	assert_int_equal(burst(r, "127.0.0.2", DNS_RRL_ANSWER, "a.", 1000, RTIME_SEC), 1000);
	assert_int_equal(burst(r, "2001:db8:1::5", DNS_RRL_NXDOMAIN, "a.", 1000, RTIME_SEC), 1000);
	/* Its /24 neighbour is limited. */
	assert_int_equal(burst(r, "127.0.0.1", DNS_RRL_ANSWER, "a.", 1000, RTIME_SEC), 5);
	assert_int_equal(burst(r, "2001:db9::5", DNS_RRL_ANSWER, "a.", 1000, RTIME_SEC), 5);
	assert_int_equal(dns_rrl_stats(r)->whitelisted, 2000);
	dns_rrl_free(r);

	/* Partial bytes of a prefix. */
	struct dns_rrl_prefix p = { .family = AF_INET, .addr = { 10, 0x40 }, .len = 10 };
	assert_true(dns_rrl_prefix_match(&p, AF_INET, (const uint8_t[]){ 10, 0x7f, 1, 1 }));
	assert_false(dns_rrl_prefix_match(&p, AF_INET, (const uint8_t[]){ 10, 0x80, 1, 1 }));
	assert_false(dns_rrl_prefix_match(&p, AF_INET6, (const uint8_t[16]){ 10, 0x40 }));
}

static void
test_prefix_and_keys(void **state)
{
	struct dns_rrl *r = rrl_make(4, 0, 1024);
	rtime_t t = RTIME_SEC;

	/* One /24: its addresses share a bucket. */
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "a.", 3, t), 3);
	assert_int_equal(burst(r, "192.0.2.200", DNS_RRL_ANSWER, "a.", 10, t), 1);
	/* The next /24 has its own. */
	assert_int_equal(burst(r, "192.0.3.1", DNS_RRL_ANSWER, "a.", 10, t), 4);
	/* So do another name (case does not matter: names come lowercased) and another class. */
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ANSWER, "b.", 10, t), 4);
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_NODATA, "a.", 10, t), 4);
	/* Errors ignore the name: an attacker choosing names gets no new buckets. */
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ERROR, "x1.", 3, t), 3);
	assert_int_equal(burst(r, "192.0.2.1", DNS_RRL_ERROR, "x2.", 10, t), 1);

	/* IPv6: one /56 (2001:db8:0:0..ff::/56), and the next one. */
	assert_int_equal(burst(r, "2001:db8:0:1::1", DNS_RRL_ANSWER, "a.", 2, t), 2);
	assert_int_equal(burst(r, "2001:db8:0:ff::2", DNS_RRL_ANSWER, "a.", 10, t), 2);
	assert_int_equal(burst(r, "2001:db8:0:100::1", DNS_RRL_ANSWER, "a.", 10, t), 4);
	dns_rrl_free(r);

	/* Prefix lengths that split bytes: /20 and /60. */
	struct dns_rrl_conf c = {
		.rate = 2, .v4_prefix = 20, .v6_prefix = 60, .table_size = 1024,
	};
	r = dns_rrl_new(&c, key);
	assert_non_null(r);
	assert_int_equal(burst(r, "10.0.16.1", DNS_RRL_ANSWER, "a.", 1, t), 1);
	assert_int_equal(burst(r, "10.0.31.255", DNS_RRL_ANSWER, "a.", 5, t), 1);
	assert_int_equal(burst(r, "10.0.32.1", DNS_RRL_ANSWER, "a.", 5, t), 2);
	assert_int_equal(burst(r, "2001:db8:0:10::1", DNS_RRL_ANSWER, "a.", 1, t), 1);
	assert_int_equal(burst(r, "2001:db8:0:1f::1", DNS_RRL_ANSWER, "a.", 5, t), 1);
	assert_int_equal(burst(r, "2001:db8:0:20::1", DNS_RRL_ANSWER, "a.", 5, t), 2);
	dns_rrl_free(r);
}

/* Many sources: the table stays its size, and a busy source stays limited. */
static void
test_bounded(void **state)
{
	struct dns_rrl *r = rrl_make(10, 0, 256);
	unsigned hot = 0;
	char addr[32];

	for (unsigned i = 0; i < 200000; i++) {
		rtime_t t = RTIME_SEC + (rtime_t)i * 10; /* 100 000 answers per second */
		snprintf(addr, sizeof(addr), "10.%u.%u.1", (i >> 8) & 0xff, i & 0xff);
		/* Every source new to the table (65 536 /24s, 256 buckets): all pass. */
		assert_int_equal(burst(r, addr, DNS_RRL_ANSWER, "a.", 1, t), 1);
		/* One hot source amid the churn, 1 query in 10: 10 000 q/s. */
		if (i % 10 == 0)
			hot += burst(r, "203.0.113.9", DNS_RRL_ANSWER, "a.", 1, t);
	}
	/* 2 s at 10/s plus the burst: its bucket was never evicted (least recently used goes). */
	assert_in_range(hot, 20, 31);
	assert_true(dns_rrl_stats(r)->evicted >= 200000 - 256);
	dns_rrl_free(r);
}

static void
test_slip_form(void **state)
{
	struct msg m;
	struct dnsmsg_hdr h;
	size_t len;

	msg_start(&m, AA, 2, 1, "big.example.com.", DNSMSG_T_TXT);
	msg_rr(&m, 12, NULL, DNSMSG_T_TXT, 200);
	msg_rr(&m, 12, NULL, DNSMSG_T_TXT, 200);
	msg_rr(&m, 12 + 4, NULL, DNSMSG_T_NS, 2);
	len = dns_rrl_slip(m.b, m.len);
	/* Header and question: 12 + 17 + 4. */
	assert_int_equal(len, 12 + 17 + 4);
	assert_int_equal(dnsmsg_hdr_parse(m.b, len, &h), 0);
	assert_int_equal(h.id, 0x1234);
	assert_int_equal(h.flags, 0x8000 | AA | 0x0200);
	assert_int_equal(h.qdcount, 1);
	assert_int_equal(h.ancount + h.nscount + h.arcount, 0);

	/* No readable question: the header alone. */
	msg_start(&m, DNSMSG_RCODE_FORMERR, 0, 0, "x.", DNSMSG_T_A);
	m.b[5] = 2;
	assert_int_equal(dns_rrl_slip(m.b, m.len), 12);
	assert_int_equal(dnsmsg_hdr_parse(m.b, 12, &h), 0);
	assert_int_equal(h.qdcount, 0);
	assert_true((h.flags & 0x0200) != 0);
	/* Shorter than a header: left alone. */
	assert_int_equal(dns_rrl_slip(m.b, 7), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_slip),
		cmocka_unit_test(test_whitelist),
		cmocka_unit_test(test_prefix_and_keys),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_slip_form),
	};

	return cmocka_run_group_tests_name("dns_rrl", tests, NULL, NULL);
}
