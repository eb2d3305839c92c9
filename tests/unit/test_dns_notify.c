/*
 * test_dns_notify.c - NOTIFY receipt (src/dns/secondary_notify.c, RFC
 * 1996): the answer a worker gives and the event it hands to the main
 * thread.  A zone we are a secondary of, from one of its primaries:
 * NOERROR with AA, the SOA serial in the answer section taken as a hint;
 * from another address, or for another zone: REFUSED; a primary with a
 * key: unsigned is REFUSED, a wrong key NOTAUTH with the TSIG error, the
 * right key NOERROR with a signed reply (RFC 8945 5.3); malformed ones
 * FORMERR, responses and scraps no answer at all.
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

#include "dns/secondary.h"
#include "dns/wire.h"

#define NOW 1765000000u

static struct dns_sec_primary prim[3];
static struct dns_sec_table table;
static struct dns_sec_entry entries[2];
static struct dns_tsig_key right, wrong;

static struct sockaddr_in
addr(const char *ip, uint16_t port)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &sa.sin_addr), 1);
	return sa;
}

static int
setup(void **state)
{
	char err[128];
	struct sockaddr_in a;

	assert_int_equal(dns_tsig_key_parse("xfr.", "hmac-sha256",
	    "c2VjcmV0IHNlY3JldCBzZWNyZXQgc2VjcmV0IHNlY3JldA==", &right, err, sizeof(err)), 0);
	assert_int_equal(dns_tsig_key_parse("xfr.", "hmac-sha256",
	    "d3Jvbmcgd3Jvbmcgd3Jvbmcgd3Jvbmcgd3Jvbmcgd3Jvbmc=", &wrong, err, sizeof(err)), 0);
	/* plain.test: 192.0.2.1 unkeyed; keyed.test: 192.0.2.2 with the key. */
	a = addr("192.0.2.1", 53);
	memcpy(&prim[0].sa, &a, sizeof(a));
	prim[0].salen = sizeof(a);
	a = addr("192.0.2.2", 5300);
	memcpy(&prim[1].sa, &a, sizeof(a));
	prim[1].salen = sizeof(a);
	prim[1].has_key = true;
	prim[1].key = right;
	assert_true(dns_name_from_text(entries[0].apex, "plain.test.", NULL) > 0);
	entries[0].primaries = &prim[0];
	entries[0].n_primaries = 1;
	assert_true(dns_name_from_text(entries[1].apex, "keyed.test.", NULL) > 0);
	entries[1].primaries = &prim[1];
	entries[1].n_primaries = 1;
	table.zones = entries;
	table.n = 2;
	return 0;
}

static uint8_t req[1024], resp[4096];

/* A NOTIFY for zone, with the SOA (serial) in the answer section when serial != 0. */
static size_t
notify(const char *zone, uint16_t qtype, uint32_t serial, uint16_t flags)
{
	struct dns_writer wr;
	uint8_t apex[DNS_NAME_MAX], rd[64];
	size_t n;

	assert_true(dns_name_from_text(apex, zone, NULL) > 0);
	dns_wire_init(&wr, req, 512);
	assert_int_equal(dns_wire_header(&wr, 0x4321, (uint16_t)(DNS_OPCODE_NOTIFY << 11 | DNS_F_AA |
	    flags)), 0);
	assert_int_equal(dns_wire_question(&wr, apex, qtype, DNS_C_IN), 0);
	if (serial != 0) {
		/* MNAME and RNAME: the root, then the five numbers. */
		memset(rd, 0, sizeof(rd));
		uint32_t v[5] = { htonl(serial), htonl(3600), htonl(600), htonl(86400), htonl(60) };
		memcpy(rd + 2, v, 20);
		assert_int_equal(dns_wire_rr(&wr, DNS_SEC_ANSWER, apex, DNS_T_SOA, DNS_C_IN, 60, rd,
		    22), 0);
	}
	n = dns_wire_finish(&wr);
	return n;
}

struct result {
	size_t len;
	int rcode;
	uint16_t flags;
	bool post;
	struct dns_notify_event ev;
};

static struct result
ask(const char *from, size_t len)
{
	struct sockaddr_in peer = addr(from, 40000);
	struct result r;

	memset(&r, 0, sizeof(r));
	r.len = dns_notify_answer(&table, (const struct sockaddr *)&peer, req, len, resp,
	    sizeof(resp), NOW, &r.ev, &r.post);
	if (r.len >= DNS_HDR_LEN) {
		r.flags = (uint16_t)(resp[2] << 8 | resp[3]);
		r.rcode = DNS_F_RCODE(r.flags);
		assert_int_equal(resp[0] << 8 | resp[1], 0x4321);
		assert_int_equal(DNS_F_OPCODE(r.flags), DNS_OPCODE_NOTIFY);
		assert_true(r.flags & DNS_F_QR);
	}
	return r;
}

static void
test_plain(void **state)
{
	struct result r = ask("192.0.2.1", notify("plain.test.", DNS_T_SOA, 7, 0));

	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_true(r.flags & DNS_F_AA);
	assert_true(r.post);
	assert_true(r.ev.accepted);
	assert_true(r.ev.has_serial);
	assert_int_equal(r.ev.serial, 7);
	assert_memory_equal(r.ev.apex, "\005plain\004test", 12);
	/* The question is echoed (RFC 1996 4.7), nothing else. */
	assert_int_equal(resp[5], 1);
	assert_int_equal(resp[7] | resp[9] | resp[11], 0);

	/* Without the SOA: accepted, no serial. */
	r = ask("192.0.2.1", notify("PLAIN.test.", DNS_T_SOA, 0, 0));
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_true(r.ev.accepted);
	assert_false(r.ev.has_serial);
}

static void
test_refused(void **state)
{
	/* Another zone: NOTAUTH (as Knot and BIND), the main thread is not told. */
	struct result r = ask("192.0.2.1", notify("other.test.", DNS_T_SOA, 7, 0));
	assert_int_equal(r.rcode, DNS_RCODE_NOTAUTH);
	assert_false(r.post);

	/* Not from the primary: REFUSED, told (counted as refused). */
	r = ask("192.0.2.9", notify("plain.test.", DNS_T_SOA, 7, 0));
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	assert_true(r.post);
	assert_false(r.ev.accepted);
	assert_non_null(strstr(r.ev.why, "primary"));

	/* The primary of the other zone is not this one's. */
	r = ask("192.0.2.2", notify("plain.test.", DNS_T_SOA, 7, 0));
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	assert_false(r.ev.accepted);
}

static void
test_tsig(void **state)
{
	struct dns_tsig_ctx c;
	size_t len;
	struct result r;

	/* Unsigned from a keyed primary. */
	r = ask("192.0.2.2", notify("keyed.test.", DNS_T_SOA, 9, 0));
	assert_int_equal(r.rcode, DNS_RCODE_REFUSED);
	assert_true(r.post);
	assert_false(r.ev.accepted);

	/* Signed with the right key: NOERROR, and the reply verifies. */
	len = notify("keyed.test.", DNS_T_SOA, 9, 0);
	dns_tsig_ctx_init(&c, &right);
	assert_int_equal(dns_tsig_sign_query(&c, req, &len, sizeof(req), NOW), 0);
	r = ask("192.0.2.2", len);
	assert_int_equal(r.rcode, DNS_RCODE_NOERROR);
	assert_true(r.ev.accepted);
	assert_true(r.ev.has_serial);
	assert_int_equal(r.ev.serial, 9);
	assert_int_equal(dns_tsig_verify_reply(&c, resp, r.len, NOW), DNS_TSIG_OK);

	/* Signed with the wrong secret: NOTAUTH, BADSIG (RFC 8945 5.2.2). */
	len = notify("keyed.test.", DNS_T_SOA, 9, 0);
	dns_tsig_ctx_init(&c, &wrong);
	assert_int_equal(dns_tsig_sign_query(&c, req, &len, sizeof(req), NOW), 0);
	r = ask("192.0.2.2", len);
	assert_int_equal(r.rcode, DNS_RCODE_NOTAUTH);
	assert_false(r.ev.accepted);
	assert_non_null(strstr(r.ev.why, "BADSIG"));
	assert_int_equal(dns_tsig_verify_reply(&c, resp, r.len, NOW), DNS_TSIG_PEERERR);
	assert_int_equal(c.error, DNS_TSIG_ERR_BADSIG);

	/* The right key, an hour off: BADTIME (RFC 8945 5.2.3). */
	len = notify("keyed.test.", DNS_T_SOA, 9, 0);
	dns_tsig_ctx_init(&c, &right);
	assert_int_equal(dns_tsig_sign_query(&c, req, &len, sizeof(req), NOW - 3600), 0);
	r = ask("192.0.2.2", len);
	assert_int_equal(r.rcode, DNS_RCODE_NOTAUTH);
	assert_false(r.ev.accepted);
}

static void
test_malformed(void **state)
{
	struct result r;
	size_t len;

	/* Not SOA: FORMERR (RFC 1996 3.7). */
	r = ask("192.0.2.1", notify("plain.test.", DNS_T_A, 0, 0));
	assert_int_equal(r.rcode, DNS_RCODE_FORMERR);
	assert_false(r.post);
	/* A response: no answer (RFC 1035 4.1.1). */
	r = ask("192.0.2.1", notify("plain.test.", DNS_T_SOA, 0, DNS_F_QR));
	assert_int_equal(r.len, 0);
	/* Every truncation: an answer no longer than a header plus the question, or none. */
	len = notify("plain.test.", DNS_T_SOA, 5, 0);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *p = malloc(cut > 0 ? cut : 1);
		struct sockaddr_in peer = addr("192.0.2.1", 40000);
		struct dns_notify_event ev;
		bool post;
		memcpy(p, req, cut);
		size_t n = dns_notify_answer(&table, (const struct sockaddr *)&peer, p, cut, resp,
		    sizeof(resp), NOW, &ev, &post);
		if (cut < DNS_HDR_LEN)
			assert_int_equal(n, 0);
		else
			assert_int_equal(DNS_F_RCODE(resp[3]), DNS_RCODE_FORMERR);
		assert_false(post);
		free(p);
	}
	/* No table (no secondary zones): NOTAUTH. */
	len = notify("plain.test.", DNS_T_SOA, 5, 0);
	struct sockaddr_in peer = addr("192.0.2.1", 40000);
	struct dns_notify_event ev;
	bool post;
	size_t n = dns_notify_answer(NULL, (const struct sockaddr *)&peer, req, len, resp,
	    sizeof(resp), NOW, &ev, &post);
	assert_true(n >= DNS_HDR_LEN);
	assert_int_equal(DNS_F_RCODE(resp[3]), DNS_RCODE_NOTAUTH);
}

/* The table a generation carries, from the configuration: secondary zones only, keys copied. */
static void
test_table_from_conf(void **state)
{
	static const char text[] =
	    "listen 127.0.0.1@5300\n"
	    "key xfr hmac-sha256 c2VjcmV0IHNlY3JldCBzZWNyZXQ=\n"
	    "zone a.test secondary 192.0.2.1@5301 key xfr\n"
	    "zone a.test secondary [2001:db8::1]\n"
	    "zone a.test file a.zone\n"
	    "zone b.test file b.zone\n"
	    "zone c.test secondary 192.0.2.3\n"
	    "zone c.test file c.zone\n";
	struct dnsconf conf;
	char err[256];
	struct dns_sec_table *t, *d;

	dnsconf_init(&conf);
	if (dnsconf_parse_buf("t.conf", NULL, text, sizeof(text) - 1, &conf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	t = dns_sec_table_new(&conf);
	assert_non_null(t);
	assert_int_equal(t->n, 2);
	assert_memory_equal(t->zones[0].apex, "\001a\004test", 8);
	assert_int_equal(t->zones[0].n_primaries, 2);
	assert_true(t->zones[0].primaries[0].has_key);
	assert_string_equal(t->zones[0].primaries[0].key.name, "xfr.");
	assert_int_equal(t->zones[0].primaries[0].sa.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&t->zones[0].primaries[0].sa)->sin_port), 5301);
	assert_false(t->zones[0].primaries[1].has_key);
	assert_int_equal(t->zones[0].primaries[1].sa.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&t->zones[0].primaries[1].sa)->sin6_port), 53);
	assert_memory_equal(t->zones[1].apex, "\001c\004test", 8);
	d = dns_sec_table_dup(t);
	assert_non_null(d);
	assert_int_equal(d->n, 2);
	assert_memory_equal(d->zones[0].primaries, t->zones[0].primaries,
	    2 * sizeof(*t->zones[0].primaries));
	dns_sec_table_free(t);
	dns_sec_table_free(d);
	dnsconf_free(&conf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_tsig),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_table_from_conf),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
