/*
 * test_dns_xfr.c - tests of the transfer consumer (src/dns/xfr.c): AXFR
 * streams in one and several messages (RFC 5936 2.2), IXFR difference
 * sequences applied to an old zone (RFC 1995 4), the single-SOA and
 * AXFR-style IXFR replies, rdata names decompressed (RFC 3597 4), and the
 * streams that must be refused: wrong id, TC, an RCODE, a first record
 * that is not the SOA, a closing SOA that differs, records after the end,
 * a deletion of a record the zone does not have, a sequence that does not
 * start at our serial, every truncation of a good message; the limits
 * (xfr-max-records, xfr-max-size) against an endless AXFR and an endless
 * chain of IXFR sequences, IXFR records outside the zone or of
 * meta-types refused as they come, a chain that overshoots or wraps
 * around the server's serial.
 *
 * Messages are written with the server's own writer (wire.h), which
 * compresses the names of NS, SOA and MX rdata as senders do.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/load.h"
#include "dns/wire.h"
#include "dns/xfr.h"

static const uint8_t *
N(const char *text)
{
	static uint8_t ring[16][DNS_NAME_MAX];
	static unsigned next;
	uint8_t *out = ring[next++ % 16];
	assert_true(dns_name_from_text(out, text, NULL) > 0);
	return out;
}

/* One record for a message: owner, type, TTL, rdata. */
struct rec {
	const char *owner;
	uint16_t type;
	uint32_t ttl;
	uint8_t rd[300];
	uint16_t len;
};

static struct rec
SOA(uint32_t serial)
{
	struct rec r = { "example.", DNS_T_SOA, 3600, { 0 }, 0 };
	int n1 = 12, n2 = 14;
	memcpy(r.rd, N("ns.example."), 12);
	memcpy(r.rd + n1, N("host.example."), 14);
	uint32_t v[5] = { htonl(serial), htonl(2), htonl(1), htonl(6), htonl(60) };
	memcpy(r.rd + n1 + n2, v, 20);
	r.len = (uint16_t)(n1 + n2 + 20);
	return r;
}

static struct rec
A(const char *owner, const char *addr)
{
	struct rec r = { owner, DNS_T_A, 300, { 0 }, 4 };
	assert_int_equal(inet_pton(AF_INET, addr, r.rd), 1);
	return r;
}

static struct rec
NS(const char *owner, const char *target)
{
	struct rec r = { owner, DNS_T_NS, 3600, { 0 }, 0 };
	const uint8_t *t = N(target);
	r.len = (uint16_t)dns_name_wire_len(t, DNS_NAME_MAX);
	memcpy(r.rd, t, r.len);
	return r;
}

static struct rec
MX(const char *owner, uint16_t pref, const char *target)
{
	struct rec r = { owner, DNS_T_MX, 300, { 0 }, 0 };
	r.rd[0] = (uint8_t)(pref >> 8);
	r.rd[1] = (uint8_t)pref;
	const uint8_t *t = N(target);
	r.len = (uint16_t)(2 + dns_name_wire_len(t, DNS_NAME_MAX));
	memcpy(r.rd + 2, t, r.len - 2u);
	return r;
}

static uint8_t msgbuf[65535];

/* A reply message with the question (qtype 0: none) and these answers. */
static size_t
msg(uint16_t id, uint16_t flags, uint16_t qtype, const struct rec *rr, size_t n)
{
	struct dns_writer wr;

	dns_wire_init(&wr, msgbuf, sizeof(msgbuf));
	assert_int_equal(dns_wire_header(&wr, id, (uint16_t)(DNS_F_QR | DNS_F_AA | flags)), 0);
	if (qtype != 0)
		assert_int_equal(dns_wire_question(&wr, N("example."), qtype, DNS_C_IN), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dns_wire_rr(&wr, DNS_SEC_ANSWER, N(rr[i].owner), rr[i].type,
		    DNS_C_IN, rr[i].ttl, rr[i].rd, rr[i].len), 0);
	return dns_wire_finish(&wr);
}

#define NREC(a) (sizeof(a) / sizeof((a)[0]))

static const char old_zone_text[] =
    "$ORIGIN example.\n"
    "@ 3600 IN SOA ns.example. host.example. 1 2 1 6 60\n"
    "@ 3600 IN NS ns.example.\n"
    "ns 300 IN A 192.0.2.1\n"
    "www 300 IN A 192.0.2.10\n"
    "www 300 IN A 192.0.2.11\n"
    "old 300 IN A 192.0.2.20\n";

static struct dns_zone *
old_zone(void)
{
	char err[512];
	struct dns_zone *z = dns_load_zonefile_buf("old", old_zone_text,
	    sizeof(old_zone_text) - 1, "example.", err, sizeof(err));
	assert_non_null(z);
	return z;
}

/* The number of records of name/type in z (0 when absent). */
static unsigned
count(const struct dns_zone *z, const char *name, uint16_t type)
{
	const struct dns_node *n = dns_zone_lookup(z, N(name));
	const struct dns_rrset *rs = n != NULL ? dns_node_rrset(n, type) : NULL;
	return rs != NULL ? rs->count : 0;
}

static bool
has_a(const struct dns_zone *z, const char *name, const char *addr)
{
	const struct dns_node *n = dns_zone_lookup(z, N(name));
	const struct dns_rrset *rs = n != NULL ? dns_node_rrset(n, DNS_T_A) : NULL;
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, addr, a), 1);
	if (rs == NULL)
		return false;
	for (uint16_t k = 0; k < rs->count; k++)
		if (memcmp(rs->rdata + k * 6 + 2, a, 4) == 0)
			return true;
	return false;
}

static void
test_axfr_one_message(void **state)
{
	struct rec rr[] = { SOA(7), NS("example.", "ns.example."), A("ns.example.", "192.0.2.1"),
	    MX("example.", 10, "mail.example."), A("mail.example.", "192.0.2.5"),
	    A("a.b.example.", "192.0.2.6"), SOA(7) };
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_AXFR, 42, NULL);
	char err[256];
	uint32_t serial;
	size_t len = msg(42, 0, DNS_T_AXFR, rr, NREC(rr));

	assert_non_null(x);
	assert_int_equal(dns_xfr_feed(x, msgbuf, len), DNS_XFR_DONE);
	assert_int_equal(dns_xfr_kind(x), DNS_XFR_IN_AXFR);
	assert_true(dns_xfr_serial(x, &serial));
	assert_int_equal(serial, 7);
	assert_int_equal(dns_xfr_records(x), NREC(rr));
	struct dns_zone *z = dns_xfr_finish(x, err, sizeof(err));
	assert_non_null(z);
	assert_int_equal(dns_zone_rr_count(z), NREC(rr) - 1);
	assert_true(dns_zone_serial(z, &serial));
	assert_int_equal(serial, 7);
	/* The MX target was compressed by the writer: stored in full. */
	const struct dns_rrset *mx = dns_node_rrset(dns_zone_lookup(z, N("example.")), DNS_T_MX);
	assert_non_null(mx);
	assert_int_equal(mx->rdata_len, 2 + 2 + 14);
	assert_memory_equal(mx->rdata + 4, N("mail.example."), 14);
	/* The empty non-terminal b.example. exists. */
	assert_non_null(dns_zone_lookup(z, N("b.example.")));
	/* Fed after the end: an error. */
	assert_int_equal(dns_xfr_feed(x, msgbuf, len), DNS_XFR_ERROR);
	dns_zone_free(z);
	dns_xfr_free(x);
}

static void
test_axfr_messages(void **state)
{
	struct rec m1[] = { SOA(9), NS("example.", "ns.example.") };
	struct rec m2[] = { A("ns.example.", "192.0.2.1"), A("www.example.", "192.0.2.2") };
	struct rec m3[] = { A("www.example.", "192.0.2.3"), SOA(9) };
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_AXFR, 1, NULL);
	char err[256];

	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(1, 0, DNS_T_AXFR, m1, 2)), DNS_XFR_MORE);
	/* RFC 5936 2.2.1: later messages may leave the question out. */
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(1, 0, 0, m2, 2)), DNS_XFR_MORE);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(1, 0, DNS_T_AXFR, m3, 2)), DNS_XFR_DONE);
	assert_int_equal(dns_xfr_messages(x), 3);
	struct dns_zone *z = dns_xfr_finish(x, err, sizeof(err));
	assert_non_null(z);
	assert_int_equal(count(z, "www.example.", DNS_T_A), 2);
	dns_zone_free(z);
	dns_xfr_free(x);
}

/* One AXFR stream that must fail on its message `bad` with an error containing `why`. */
static void
axfr_bad(uint16_t id, uint16_t flags, uint16_t qtype, const struct rec *rr, size_t n,
    const char *why)
{
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_AXFR, 5, NULL);
	int r = dns_xfr_feed(x, msgbuf, msg(id, flags, qtype, rr, n));

	assert_int_equal(r, DNS_XFR_ERROR);
	if (strstr(dns_xfr_error(x), why) == NULL)
		fail_msg("error \"%s\", expected \"%s\"", dns_xfr_error(x), why);
	/* An error is final. */
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(5, 0, DNS_T_AXFR, rr, n)), DNS_XFR_ERROR);
	dns_xfr_free(x);
}

static void
test_axfr_bad(void **state)
{
	struct rec good[] = { SOA(3), NS("example.", "ns.example."), SOA(3) };
	struct rec first_not_soa[] = { NS("example.", "ns.example."), SOA(3) };
	struct rec closing[] = { SOA(3), NS("example.", "ns.example."), SOA(4) };
	struct rec after[] = { SOA(3), NS("example.", "ns.example."), SOA(3),
	    A("x.example.", "192.0.2.1") };

	axfr_bad(6, 0, DNS_T_AXFR, good, 3, "id 6");
	axfr_bad(5, DNS_F_TC, DNS_T_AXFR, good, 3, "TC");
	axfr_bad(5, DNS_RCODE_NOTIMP, DNS_T_AXFR, good, 0, "NOTIMP");
	axfr_bad(5, 0, DNS_T_IXFR, good, 3, "question");
	axfr_bad(5, 0, 0, good, 3, "0 questions");
	axfr_bad(5, 0, DNS_T_AXFR, good, 0, "empty");
	axfr_bad(5, 0, DNS_T_AXFR, first_not_soa, 2, "not the SOA");
	axfr_bad(5, 0, DNS_T_AXFR, closing, 3, "closing SOA");
	axfr_bad(5, 0, DNS_T_AXFR, after, 4, "after the closing SOA");

	/* The RCODE is kept for the caller's fallback. */
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_AXFR, 5, NULL);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(5, DNS_RCODE_REFUSED, DNS_T_AXFR, NULL, 0)),
	    DNS_XFR_ERROR);
	assert_int_equal(dns_xfr_rcode(x), DNS_RCODE_REFUSED);
	dns_xfr_free(x);

	/* A record outside the zone: the builder refuses it. */
	struct rec outside[] = { SOA(3), NS("example.", "ns.example."),
	    A("www.example.org.", "192.0.2.1"), SOA(3) };
	axfr_bad(5, 0, DNS_T_AXFR, outside, 4, "www.example.org.");

	/* A zone without NS at the apex transfers but does not build. */
	struct rec nons[] = { SOA(3), A("www.example.", "192.0.2.1"), SOA(3) };
	char err[256];
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 5, NULL);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(5, 0, DNS_T_AXFR, nons, 3)), DNS_XFR_DONE);
	assert_null(dns_xfr_finish(x, err, sizeof(err)));
	assert_true(err[0] != '\0');
	dns_xfr_free(x);
}

/* Every prefix of a good message is refused, never read past. */
static void
test_truncations(void **state)
{
	struct rec rr[] = { SOA(3), NS("example.", "ns.example."), MX("example.", 1, "ns.example."),
	    SOA(3) };
	size_t len = msg(5, 0, DNS_T_AXFR, rr, NREC(rr));
	uint8_t *copy = malloc(len);

	assert_non_null(copy);
	for (size_t cut = 0; cut < len; cut++) {
		struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_AXFR, 5, NULL);
		/* Exactly the bytes: a read past them is caught by ASan in the sanitized build. */
		uint8_t *p = malloc(cut > 0 ? cut : 1);
		memcpy(p, msgbuf, cut);
		assert_int_equal(dns_xfr_feed(x, p, cut), DNS_XFR_ERROR);
		free(p);
		dns_xfr_free(x);
	}
	free(copy);
}

static void
test_rdata_decompress(void **state)
{
	/* A message whose SRV target and MX exchange point back to the header's question. */
	uint8_t m[64] = { 0 };
	size_t q = 12, o;
	int n = 9;

	memcpy(m + q, N("example."), 9);
	uint8_t out[DNS_XFR_RDATA_MAX];

	o = q + (size_t)n;
	/* SRV: priority, weight, port, then a pointer to offset 12. */
	uint8_t srv[] = { 0, 1, 0, 2, 0, 53, 0xc0, 12 };
	memcpy(m + o, srv, sizeof(srv));
	n = dns_xfr_rdata(m, o + sizeof(srv), o, sizeof(srv), DNS_T_SRV, out);
	assert_int_equal(n, 6 + 9);
	assert_memory_equal(out + 6, N("example."), 9);
	/* The same bytes as TXT: copied as they are. */
	assert_int_equal(dns_xfr_rdata(m, o + sizeof(srv), o, sizeof(srv), DNS_T_TXT, out),
	    (int)sizeof(srv));
	assert_memory_equal(out, srv, sizeof(srv));
	/* A pointer forward (to itself) is refused. */
	uint8_t loop[] = { 0xc0, (uint8_t)o };
	memcpy(m + o, loop, 2);
	assert_int_equal(dns_xfr_rdata(m, o + 2, o, 2, DNS_T_NS, out), -1);
	/* A name that runs past the rdata into what follows is refused. */
	uint8_t run[] = { 3, 'a', 'b', 'c', 0 };
	memcpy(m + o, run, sizeof(run));
	assert_int_equal(dns_xfr_rdata(m, o + sizeof(run), o, 3, DNS_T_CNAME, out), -1);
	assert_int_equal(dns_xfr_rdata(m, o + sizeof(run), o, 5, DNS_T_CNAME, out), 5);
	/* Bytes after the name of a CNAME are refused, a SOA without its numbers too. */
	assert_int_equal(dns_xfr_rdata(m, o + sizeof(run), o, 4, DNS_T_CNAME, out), -1);
	assert_int_equal(dns_xfr_rdata(m, o + sizeof(run), o, 5, DNS_T_SOA, out), -1);
	/* rdata past the message. */
	assert_int_equal(dns_xfr_rdata(m, o + 2, o, 5, DNS_T_A, out), -1);
}

static void
test_serial_arith(void **state)
{
	/* RFC 1982 3.2 */
	assert_true(dns_serial_gt(2, 1));
	assert_false(dns_serial_gt(1, 2));
	assert_false(dns_serial_gt(5, 5));
	assert_true(dns_serial_gt(0, 0xffffffffu));
	assert_true(dns_serial_gt(0x7fffffffu, 0));
	assert_false(dns_serial_gt(0x80000000u, 0)); /* undefined: not newer */
	assert_false(dns_serial_gt(0, 0x80000000u));
}

static void
test_ixfr_incremental(void **state)
{
	struct dns_zone *old = old_zone(), *z;
	/* 1 -> 2: www .11 replaced by .12, old removed; 2 -> 3: new added, then removed in 3 -> 4. */
	struct rec m1[] = { SOA(4),
	    SOA(1), A("www.example.", "192.0.2.11"), A("old.example.", "192.0.2.20"),
	    SOA(2), A("www.example.", "192.0.2.12"),
	    SOA(2),
	    SOA(3), A("new.example.", "192.0.2.30"), MX("example.", 5, "www.example.") };
	struct rec m2[] = {
	    SOA(3), A("new.example.", "192.0.2.30"),
	    SOA(4), A("www.example.", "192.0.2.13"),
	    SOA(4) };
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_IXFR, 77, old);
	char err[256];
	uint32_t serial;

	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(77, 0, DNS_T_IXFR, m1, NREC(m1))),
	    DNS_XFR_MORE);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(77, 0, 0, m2, NREC(m2))), DNS_XFR_DONE);
	assert_int_equal(dns_xfr_kind(x), DNS_XFR_IN_INCREMENTAL);
	z = dns_xfr_finish(x, err, sizeof(err));
	assert_non_null(z);
	assert_true(dns_zone_serial(z, &serial));
	assert_int_equal(serial, 4);
	assert_int_equal(count(z, "example.", DNS_T_SOA), 1);
	assert_true(has_a(z, "www.example.", "192.0.2.10"));
	assert_false(has_a(z, "www.example.", "192.0.2.11"));
	assert_true(has_a(z, "www.example.", "192.0.2.12"));
	assert_true(has_a(z, "www.example.", "192.0.2.13"));
	assert_null(dns_zone_lookup(z, N("old.example.")));
	assert_null(dns_zone_lookup(z, N("new.example.")));
	assert_int_equal(count(z, "example.", DNS_T_MX), 1);
	assert_int_equal(count(z, "ns.example.", DNS_T_A), 1);
	/* SOA, NS, ns A, www A x3, MX */
	assert_int_equal(dns_zone_rr_count(z), 7);
	dns_zone_free(z);
	dns_xfr_free(x);
	dns_zone_free(old);
}

static void
ixfr_bad(const struct rec *rr, size_t n, const char *why)
{
	struct dns_zone *old = old_zone();
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_IXFR, 8, old);

	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(8, 0, DNS_T_IXFR, rr, n)), DNS_XFR_ERROR);
	if (strstr(dns_xfr_error(x), why) == NULL)
		fail_msg("error \"%s\", expected \"%s\"", dns_xfr_error(x), why);
	dns_xfr_free(x);
	dns_zone_free(old);
}

static void
test_ixfr_bad(void **state)
{
	/* Deleting what is not there; deleting twice; SOA of another version. */
	struct rec missing[] = { SOA(2), SOA(1), A("www.example.", "192.0.2.99"), SOA(2), SOA(2) };
	struct rec twice[] = { SOA(3), SOA(1), A("old.example.", "192.0.2.20"), SOA(2),
	    SOA(2), A("old.example.", "192.0.2.20"), SOA(3), SOA(3) };
	struct rec base[] = { SOA(3), SOA(2), SOA(3), SOA(3) };
	struct rec backwards[] = { SOA(3), SOA(1), SOA(1), SOA(3) };
	struct rec gap[] = { SOA(4), SOA(1), SOA(2), SOA(3), SOA(4), SOA(4) };
	struct rec end[] = { SOA(2), SOA(1), SOA(2), SOA(5) };
	struct rec after[] = { SOA(2), SOA(1), SOA(2), SOA(2), A("x.example.", "192.0.2.1") };

	ixfr_bad(missing, NREC(missing), "does not have");
	ixfr_bad(twice, NREC(twice), "does not have");
	ixfr_bad(base, NREC(base), "start at serial 2, ours is 1");
	ixfr_bad(backwards, NREC(backwards), "backwards");
	ixfr_bad(gap, NREC(gap), "starts at serial 3 after reaching 2");
	ixfr_bad(end, NREC(end), "ends with serial 5");
	ixfr_bad(after, NREC(after), "after the closing SOA");

	/* The old SOA in a deletion must be the zone's exactly (here: other timers). */
	struct rec soa_other[] = { SOA(2), SOA(1), SOA(2), SOA(2) };
	soa_other[1].rd[soa_other[1].len - 1] = 99;
	ixfr_bad(soa_other, NREC(soa_other), "does not have");
}

static void
test_ixfr_soa_only(void **state)
{
	struct dns_zone *old = old_zone();
	struct rec rr[] = { SOA(1) };
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_IXFR, 9, old);
	char err[256];
	uint32_t serial;

	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(9, 0, DNS_T_IXFR, rr, 1)), DNS_XFR_DONE);
	assert_int_equal(dns_xfr_kind(x), DNS_XFR_IN_SOA_ONLY);
	assert_true(dns_xfr_serial(x, &serial));
	assert_int_equal(serial, 1);
	assert_null(dns_xfr_finish(x, err, sizeof(err)));
	dns_xfr_free(x);
	dns_zone_free(old);
}

/* One record per message (BIND's one-answer format): a newer SOA alone is a beginning. */
static void
test_ixfr_one_answer(void **state)
{
	struct dns_zone *old = old_zone();
	struct rec rr[] = { SOA(2), SOA(1), A("old.example.", "192.0.2.20"), SOA(2),
	    A("old.example.", "192.0.2.21"), SOA(2) };
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_IXFR, 11, old);
	char err[256];

	for (size_t i = 0; i < NREC(rr); i++)
		assert_int_equal(dns_xfr_feed(x, msgbuf, msg(11, 0, i == 0 ? DNS_T_IXFR : 0,
		    &rr[i], 1)), i + 1 < NREC(rr) ? DNS_XFR_MORE : DNS_XFR_DONE);
	assert_int_equal(dns_xfr_kind(x), DNS_XFR_IN_INCREMENTAL);
	struct dns_zone *z = dns_xfr_finish(x, err, sizeof(err));
	assert_non_null(z);
	assert_true(has_a(z, "old.example.", "192.0.2.21"));
	assert_false(has_a(z, "old.example.", "192.0.2.20"));
	dns_zone_free(z);
	dns_xfr_free(x);
	dns_zone_free(old);
}

static void
test_ixfr_axfr_style(void **state)
{
	struct dns_zone *old = old_zone();
	struct rec m1[] = { SOA(5), NS("example.", "ns.example.") };
	struct rec m2[] = { A("ns.example.", "192.0.2.1"), A("fresh.example.", "192.0.2.50"),
	    SOA(5) };
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_IXFR, 10, old);
	char err[256];

	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(10, 0, DNS_T_IXFR, m1, 2)), DNS_XFR_MORE);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(10, 0, DNS_T_IXFR, m2, 3)), DNS_XFR_DONE);
	assert_int_equal(dns_xfr_kind(x), DNS_XFR_IN_AXFR);
	struct dns_zone *z = dns_xfr_finish(x, err, sizeof(err));
	assert_non_null(z);
	/* The old zone's records are gone: the reply is the whole zone. */
	assert_null(dns_zone_lookup(z, N("www.example.")));
	assert_true(has_a(z, "fresh.example.", "192.0.2.50"));
	assert_int_equal(dns_zone_rr_count(z), 4);
	dns_zone_free(z);
	dns_xfr_free(x);
	dns_zone_free(old);
}

/* A record of any type with raw rdata. */
static struct rec
RAW(const char *owner, uint16_t type, const void *rd, uint16_t len)
{
	struct rec r = { owner, type, 300, { 0 }, len };
	memcpy(r.rd, rd, len);
	return r;
}

/* 100 A records per message, forever: the limit, not the stream, ends it. */
static int
feed_endless_axfr(struct dns_xfr *x, uint16_t id, size_t max_msgs, size_t *msgs)
{
	static char owners[100][32];
	struct rec rr[100];
	int r = DNS_XFR_MORE;

	for (size_t k = 0; k < 100; k++) {
		snprintf(owners[k], sizeof(owners[k]), "h%03zu.example.", k);
		rr[k] = A(owners[k], "192.0.2.1");
		rr[k].rd[3] = (uint8_t)k;
	}
	rr[0] = SOA(2);
	for (*msgs = 0; *msgs < max_msgs && r == DNS_XFR_MORE; (*msgs)++) {
		r = dns_xfr_feed(x, msgbuf, msg(id, 0, *msgs == 0 ? DNS_T_AXFR : 0, rr, 100));
		rr[0] = A("h000.example.", "192.0.2.0");
		/* Every message new names: the builder grows as it would. */
		for (size_t k = 1; k < 100; k++)
			rr[k].rd[2] = (uint8_t)(*msgs + 1);
	}
	return r;
}

static void
test_axfr_limits(void **state)
{
	struct dns_xfr *x;
	size_t msgs;

	/* No limit: 50 messages of 100 records, and the stream goes on. */
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 5, NULL);
	assert_int_equal(feed_endless_axfr(x, 5, 50, &msgs), DNS_XFR_MORE);
	assert_int_equal(dns_xfr_records(x), 5000);
	assert_false(dns_xfr_over_limit(x));
	dns_xfr_free(x);

	/* At most 1000 records: the 1001st ends it, in the 11th message. */
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 5, NULL);
	dns_xfr_set_limits(x, 1000, 0);
	assert_int_equal(feed_endless_axfr(x, 5, 1000000, &msgs), DNS_XFR_ERROR);
	assert_int_equal(msgs, 11);
	assert_int_equal(dns_xfr_records(x), 1001);
	assert_true(dns_xfr_over_limit(x));
	assert_non_null(strstr(dns_xfr_error(x), "more than 1000 records (xfr-max-records)"));
	/* Final: nothing more is taken. */
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(5, 0, 0, NULL, 0)), DNS_XFR_ERROR);
	dns_xfr_free(x);

	/*
	 * Size: an A record "hNNN.example." is 14 + 10 + 4 = 28 bytes
	 * uncompressed (the wire has a 2-byte pointer for "example."), the
	 * SOA 9 + 10 + 46 = 65.  65 + 99 * 28 = 2837 in the first message.
	 */
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 5, NULL);
	dns_xfr_set_limits(x, 0, 2837);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(5, 0, DNS_T_AXFR, NULL, 0)), DNS_XFR_ERROR);
	dns_xfr_free(x);
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 5, NULL);
	dns_xfr_set_limits(x, 0, 2837);
	assert_int_equal(feed_endless_axfr(x, 5, 1000000, &msgs), DNS_XFR_ERROR);
	assert_int_equal(msgs, 2);
	assert_int_equal(dns_xfr_records(x), 101);
	assert_true(dns_xfr_size(x) == 2837 + 28);
	assert_true(dns_xfr_over_limit(x));
	assert_non_null(strstr(dns_xfr_error(x), "more than 2837 bytes of records (xfr-max-size)"));
	dns_xfr_free(x);

	/* A whole zone of exactly the limit is taken; one record less is not. */
	struct rec zone[] = { SOA(2), NS("example.", "ns.example."), A("ns.example.", "192.0.2.1"),
	    SOA(2) };
	char err[256];
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 6, NULL);
	dns_xfr_set_limits(x, 4, 0);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(6, 0, DNS_T_AXFR, zone, 4)), DNS_XFR_DONE);
	struct dns_zone *z = dns_xfr_finish(x, err, sizeof(err));
	assert_non_null(z);
	dns_zone_free(z);
	dns_xfr_free(x);
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 6, NULL);
	dns_xfr_set_limits(x, 3, 0);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(6, 0, DNS_T_AXFR, zone, 4)), DNS_XFR_ERROR);
	assert_true(dns_xfr_over_limit(x));
	dns_xfr_free(x);
	/* Compression does not shrink the count: the NS rdata's name is counted in full. */
	uint64_t full = (9 + 10 + 46) * 2 + (9 + 10 + 12) + (12 + 10 + 4);
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 6, NULL);
	dns_xfr_set_limits(x, 0, full);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(6, 0, DNS_T_AXFR, zone, 4)), DNS_XFR_DONE);
	assert_true(dns_xfr_size(x) == full);
	dns_xfr_free(x);
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 6, NULL);
	dns_xfr_set_limits(x, 0, full - 1);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(6, 0, DNS_T_AXFR, zone, 4)), DNS_XFR_ERROR);
	assert_true(dns_xfr_over_limit(x));
	dns_xfr_free(x);
}

/*
 * An IXFR whose sequences never reach the server's serial: each one a
 * step up (serial n -> n + 1, nothing else).  Without a limit it goes on
 * as long as the serials climb toward the server's; the record limit
 * ends it.
 */
static void
test_ixfr_endless_chain(void **state)
{
	struct dns_zone *old = old_zone();
	struct dns_xfr *x;
	struct rec rr[100];
	uint32_t serial = 1;
	int r = DNS_XFR_MORE;
	size_t msgs = 0;

	x = dns_xfr_new(N("example."), DNS_T_IXFR, 12, old);
	dns_xfr_set_limits(x, 5000, 0);
	rr[0] = SOA(0x7fffffff);
	/* Each message: the sequences serial -> serial + 1 (old SOA, new SOA). */
	for (; msgs < 1000 && r == DNS_XFR_MORE; msgs++) {
		size_t k = msgs == 0 ? 1 : 0;
		for (; k + 1 < 100; k += 2) {
			rr[k] = SOA(serial);
			rr[k + 1] = SOA(serial + 1);
			serial++;
		}
		r = dns_xfr_feed(x, msgbuf, msg(12, 0, msgs == 0 ? DNS_T_IXFR : 0, rr, k));
	}
	assert_int_equal(r, DNS_XFR_ERROR);
	assert_true(dns_xfr_over_limit(x));
	assert_int_equal(dns_xfr_records(x), 5001);
	assert_int_equal(msgs, 51);
	dns_xfr_free(x);

	/* The same chain against a size limit: an SOA here is 9 + 10 + 46 = 65 bytes. */
	x = dns_xfr_new(N("example."), DNS_T_IXFR, 12, old);
	dns_xfr_set_limits(x, 0, 65 * 1000);
	serial = 1;
	r = DNS_XFR_MORE;
	rr[0] = SOA(0x7fffffff);
	for (msgs = 0; msgs < 1000 && r == DNS_XFR_MORE; msgs++) {
		size_t k = msgs == 0 ? 1 : 0;
		for (; k + 1 < 100; k += 2) {
			rr[k] = SOA(serial);
			rr[k + 1] = SOA(serial + 1);
			serial++;
		}
		r = dns_xfr_feed(x, msgbuf, msg(12, 0, msgs == 0 ? DNS_T_IXFR : 0, rr, k));
	}
	assert_int_equal(r, DNS_XFR_ERROR);
	assert_true(dns_xfr_over_limit(x));
	assert_int_equal(dns_xfr_records(x), 1001);
	assert_true(dns_xfr_size(x) == 65 * 1001);
	assert_non_null(strstr(dns_xfr_error(x), "(xfr-max-size)"));
	dns_xfr_free(x);
	dns_zone_free(old);
}

static void
test_ixfr_records_checked(void **state)
{
	static const uint8_t four[4] = { 192, 0, 2, 1 }, opt[1] = { 0 };
	/* Additions and deletions of records no zone may hold fail when they come. */
	struct rec outside[] = { SOA(2), SOA(1), SOA(2), A("www.example.org.", "192.0.2.1"),
	    SOA(2) };
	struct rec tsig[] = { SOA(2), SOA(1), SOA(2), RAW("example.", 250, opt, 1), SOA(2) };
	struct rec optrr[] = { SOA(2), SOA(1), SOA(2), RAW("example.", DNS_T_OPT, opt, 0),
	    SOA(2) };
	struct rec axfr[] = { SOA(2), SOA(1), SOA(2), RAW("example.", DNS_T_AXFR, opt, 0),
	    SOA(2) };
	struct rec ixfr[] = { SOA(2), SOA(1), SOA(2), RAW("example.", DNS_T_IXFR, opt, 0),
	    SOA(2) };
	struct rec any[] = { SOA(2), SOA(1), SOA(2), RAW("example.", 255, opt, 0), SOA(2) };
	struct rec type0[] = { SOA(2), SOA(1), SOA(2), RAW("example.", 0, four, 4), SOA(2) };
	struct rec bad_a[] = { SOA(2), SOA(1), SOA(2), RAW("x.example.", DNS_T_A, four, 3),
	    SOA(2) };
	struct rec del_tsig[] = { SOA(2), SOA(1), RAW("example.", 250, opt, 1), SOA(2),
	    SOA(2) };

	ixfr_bad(outside, NREC(outside), "www.example.org. A: owner outside the zone");
	/* TSIG: the message codec refuses it anywhere but last in the additional section. */
	ixfr_bad(tsig, NREC(tsig), "TSIG not the last record");
	ixfr_bad(optrr, NREC(optrr), "OPT outside the additional section");
	ixfr_bad(axfr, NREC(axfr), "AXFR: type cannot be stored");
	ixfr_bad(ixfr, NREC(ixfr), "IXFR: type cannot be stored");
	ixfr_bad(any, NREC(any), "type cannot be stored");
	ixfr_bad(type0, NREC(type0), "type cannot be stored");
	ixfr_bad(bad_a, NREC(bad_a), "x.example. A: malformed rdata");
	ixfr_bad(del_tsig, NREC(del_tsig), "TSIG not the last record");

	/* And in an AXFR, by the builder. */
	struct rec a_tsig[] = { SOA(2), RAW("example.", 250, opt, 1), SOA(2) };
	struct rec a_out[] = { SOA(2), A("example.org.", "192.0.2.1"), SOA(2) };
	struct dns_xfr *x = dns_xfr_new(N("example."), DNS_T_AXFR, 3, NULL);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(3, 0, DNS_T_AXFR, a_tsig, 3)), DNS_XFR_ERROR);
	assert_non_null(strstr(dns_xfr_error(x), "TSIG not the last record"));
	dns_xfr_free(x);
	x = dns_xfr_new(N("example."), DNS_T_AXFR, 3, NULL);
	assert_int_equal(dns_xfr_feed(x, msgbuf, msg(3, 0, DNS_T_AXFR, a_out, 3)), DNS_XFR_ERROR);
	assert_non_null(strstr(dns_xfr_error(x), "owner outside the zone"));
	dns_xfr_free(x);
}

/* Serials that overshoot the server's, wrap around or repeat end the stream. */
static void
test_ixfr_serials(void **state)
{
	struct rec past[] = { SOA(3), SOA(1), SOA(5), SOA(5), SOA(3), SOA(3) };
	/* 1 -> 2^31 is "newer" (RFC 1982), and past 5 the server's. */
	struct rec wrap[] = { SOA(5), SOA(1), SOA(0x80000000u), SOA(0x80000000u), SOA(5), SOA(5) };
	struct rec repeat[] = { SOA(3), SOA(1), SOA(2), SOA(2), SOA(2), SOA(3) };
	struct rec older[] = { SOA(0xfffffff0u), SOA(1), SOA(2), SOA(2), SOA(0xfffffff0u) };

	ixfr_bad(past, NREC(past), "from serial 1 to 5 goes past the server's serial 3");
	ixfr_bad(wrap, NREC(wrap), "goes past the server's serial 5");
	ixfr_bad(repeat, NREC(repeat), "from serial 2 to 2 goes backwards");
	/* The server's serial older than ours: no sequence can climb to it. */
	ixfr_bad(older, NREC(older), "goes past the server's serial 4294967280");
}

/* IXFR needs the old zone, with the apex asked for. */
static void
test_new_args(void **state)
{
	struct dns_zone *old = old_zone();

	assert_null(dns_xfr_new(N("example."), DNS_T_IXFR, 1, NULL));
	assert_null(dns_xfr_new(N("example.org."), DNS_T_IXFR, 1, old));
	assert_null(dns_xfr_new(N("example."), DNS_T_A, 1, NULL));
	dns_zone_free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_axfr_one_message),
		cmocka_unit_test(test_axfr_messages),
		cmocka_unit_test(test_axfr_bad),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_rdata_decompress),
		cmocka_unit_test(test_serial_arith),
		cmocka_unit_test(test_ixfr_incremental),
		cmocka_unit_test(test_ixfr_bad),
		cmocka_unit_test(test_ixfr_soa_only),
		cmocka_unit_test(test_ixfr_one_answer),
		cmocka_unit_test(test_ixfr_axfr_style),
		cmocka_unit_test(test_new_args),
		cmocka_unit_test(test_axfr_limits),
		cmocka_unit_test(test_ixfr_endless_chain),
		cmocka_unit_test(test_ixfr_records_checked),
		cmocka_unit_test(test_ixfr_serials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
