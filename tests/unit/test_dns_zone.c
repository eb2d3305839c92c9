/*
 * test_dns_zone.c - tests of the zone database (src/dns/zone.c): RRset
 * grouping and order, duplicates, one TTL per RRset (RFC 2181 5.2), empty
 * non-terminals (RFC 4592 2.2.2), zone cut, glue and wildcard flags (RFC
 * 1034 4.2.1, RFC 4592), every check of the builder with its exact
 * message, rdata checks, lookups and walks over large zones, and the zone
 * set's longest-apex match (RFC 1034 4.3.2 step 2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/zone.h"

static const uint8_t *
N(const char *text)
{
	/* A few names alive at once: a ring of buffers. */
	static uint8_t ring[8][DNS_NAME_MAX];
	static unsigned next;
	uint8_t *out = ring[next++ % 8];
	assert_true(dns_name_from_text(out, text, NULL) > 0);
	return out;
}

static size_t
wire_len(const uint8_t *name)
{
	int n = dns_name_wire_len(name, DNS_NAME_MAX);
	assert_true(n > 0);
	return (size_t)n;
}

static int
add(struct dns_zone_builder *b, const char *owner, uint16_t type, uint32_t ttl,
    const void *rdata, size_t len)
{
	return dns_zone_builder_add(b, N(owner), type, ttl, rdata, (uint16_t)len);
}

static void
add_a(struct dns_zone_builder *b, const char *owner, uint32_t ttl, uint8_t a, uint8_t b4)
{
	uint8_t ip[4] = { 192, 0, a, b4 };
	assert_int_equal(add(b, owner, DNS_T_A, ttl, ip, 4), DNS_ZB_OK);
}

static int
add_name(struct dns_zone_builder *b, const char *owner, uint16_t type, const char *target)
{
	const uint8_t *t = N(target);
	return add(b, owner, type, 3600, t, wire_len(t));
}

static void
add_soa(struct dns_zone_builder *b, const char *owner)
{
	uint8_t rd[2 * DNS_NAME_MAX + 20];
	const uint8_t *m = N("ns.example.");
	const uint8_t *r = N("hostmaster.example.");
	size_t o = 0;
	memcpy(rd, m, wire_len(m));
	o += wire_len(m);
	memcpy(rd + o, r, wire_len(r));
	o += wire_len(r);
	for (int i = 0; i < 20; i++)
		rd[o + i] = (uint8_t)i;
	assert_int_equal(add(b, owner, DNS_T_SOA, 3600, rd, o + 20), DNS_ZB_OK);
}

/* A builder for example. with its SOA and NS. */
static struct dns_zone_builder *
base(void)
{
	struct dns_zone_builder *b = dns_zone_builder_new(N("example."));
	assert_non_null(b);
	add_soa(b, "example.");
	assert_int_equal(add_name(b, "example.", DNS_T_NS, "ns.example."), DNS_ZB_OK);
	add_a(b, "ns.example.", 3600, 2, 1);
	return b;
}

static struct dns_zone *
finish_ok(struct dns_zone_builder *b, char *err, size_t errlen)
{
	struct dns_zone *z = dns_zone_builder_finish(b, err, errlen);
	dns_zone_builder_free(b);
	if (z == NULL)
		fail_msg("finish failed: %s", err);
	return z;
}

static void
finish_fails(struct dns_zone_builder *b, const char *expect)
{
	char err[2048];
	struct dns_zone *z = dns_zone_builder_finish(b, err, sizeof(err));
	dns_zone_builder_free(b);
	if (z != NULL) {
		dns_zone_free(z);
		fail_msg("finish succeeded, expected: %s", expect);
	}
	assert_string_equal(err, expect);
}

static const struct dns_node *
look(const struct dns_zone *z, const char *name)
{
	return dns_zone_lookup(z, N(name));
}

static void
test_minimal(void **state)
{
	char err[256];
	struct dns_zone *z = finish_ok(base(), err, sizeof(err));

	assert_string_equal(err, "");
	assert_memory_equal(dns_zone_apex(z), N("example."), 9);
	assert_int_equal(dns_zone_node_count(z), 2);
	assert_int_equal(dns_zone_rr_count(z), 3);
	const struct dns_node *apex = dns_zone_apex_node(z);
	assert_ptr_equal(apex, look(z, "example."));
	assert_int_equal(apex->labels, 1);
	assert_int_equal(apex->name_len, 9);
	assert_int_equal(apex->flags, 0);
	assert_int_equal(apex->n_rrsets, 2);
	assert_ptr_equal(dns_zone_soa(z), dns_node_rrset(apex, DNS_T_SOA));
	assert_int_equal(dns_zone_soa(z)->count, 1);
	const struct dns_node *ns = look(z, "ns.example.");
	assert_non_null(ns);
	assert_int_equal(ns->labels, 2);
	const struct dns_rrset *a = dns_node_rrset(ns, DNS_T_A);
	assert_non_null(a);
	assert_int_equal(a->count, 1);
	assert_int_equal(a->ttl, 3600);
	assert_int_equal(a->rdata_len, 6);
	assert_memory_equal(a->rdata, "\0\4\300\0\2\1", 6);
	assert_null(dns_node_rrset(ns, DNS_T_AAAA));
	assert_null(look(z, "nx.example."));
	assert_null(look(z, "example2."));
	assert_null(look(z, "a.ns.example."));
	dns_zone_free(z);
}

static void
test_grouping_and_order(void **state)
{
	char err[256];
	struct dns_zone_builder *b = base();
	uint8_t txt1[] = "\3abc", txt2[] = "\2zz";

	/* Interleaved types and owners; the RRsets come out sorted by type. */
	assert_int_equal(add(b, "h.example.", DNS_T_TXT, 60, txt2, 3), DNS_ZB_OK);
	add_a(b, "h.example.", 60, 9, 9);
	add_a(b, "other.example.", 60, 1, 1);
	assert_int_equal(add(b, "h.example.", DNS_T_TXT, 60, txt1, 4), DNS_ZB_OK);
	add_a(b, "h.example.", 60, 1, 2);
	assert_int_equal(add(b, "h.example.", 65280, 60, "xyz", 3), DNS_ZB_OK);
	assert_int_equal(add(b, "h.example.", 99, 60, "", 0), DNS_ZB_OK);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));

	const struct dns_node *h = look(z, "h.example.");
	assert_non_null(h);
	assert_int_equal(h->n_rrsets, 4);
	assert_int_equal(h->rrsets[0].type, DNS_T_A);
	assert_int_equal(h->rrsets[1].type, DNS_T_TXT);
	assert_int_equal(h->rrsets[2].type, 99);
	assert_int_equal(h->rrsets[3].type, 65280);
	/* Within an RRset, records in rdata order. */
	assert_int_equal(h->rrsets[0].count, 2);
	assert_memory_equal(h->rrsets[0].rdata, "\0\4\300\0\1\2\0\4\300\0\11\11", 12);
	assert_int_equal(h->rrsets[1].count, 2);
	assert_int_equal(h->rrsets[1].rdata_len, 2 + 3 + 2 + 4);
	assert_memory_equal(h->rrsets[1].rdata, "\0\3\2zz\0\4\3abc", 11);
	assert_int_equal(h->rrsets[2].count, 1);
	assert_int_equal(h->rrsets[2].rdata_len, 2);
	assert_memory_equal(h->rrsets[3].rdata, "\0\3xyz", 5);
	assert_ptr_equal(dns_node_rrset(h, 99), &h->rrsets[2]);
	assert_null(dns_node_rrset(h, 98));
	assert_null(dns_node_rrset(h, 65535));
	assert_int_equal(dns_zone_rr_count(z), 3 + 6 + 1);
	dns_zone_free(z);
}

static void
test_duplicates_dropped(void **state)
{
	char err[256];
	struct dns_zone_builder *b = base();

	add_a(b, "d.example.", 300, 1, 1);
	add_a(b, "D.EXAMPLE.", 300, 1, 1);
	add_a(b, "d.example.", 300, 1, 1);
	add_soa(b, "example.");
	assert_int_equal(add_name(b, "example.", DNS_T_NS, "ns.example."), DNS_ZB_OK);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	assert_string_equal(err, "");
	assert_int_equal(dns_node_rrset(look(z, "d.example."), DNS_T_A)->count, 1);
	assert_int_equal(dns_zone_soa(z)->count, 1);
	assert_int_equal(dns_zone_rr_count(z), 4);
	dns_zone_free(z);
}

static void
test_big_rrset(void **state)
{
	char err[256];
	struct dns_zone_builder *b = base();

	/* 100 records in a shuffled order, each twice: sorted and deduplicated. */
	for (int i = 0; i < 200; i++) {
		uint8_t ip[4] = { 10, 0, 0, (uint8_t)((i * 37) % 100) };
		assert_int_equal(add(b, "big.example.", DNS_T_A, 60, ip, 4), DNS_ZB_OK);
	}
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	const struct dns_rrset *a = dns_node_rrset(look(z, "big.example."), DNS_T_A);
	assert_int_equal(a->count, 100);
	assert_int_equal(a->rdata_len, 600);
	for (int i = 0; i < 100; i++)
		assert_int_equal(a->rdata[6 * i + 5], i);
	dns_zone_free(z);
}

static void
test_ttl_lowest_wins(void **state)
{
	char err[512];
	struct dns_zone_builder *b = base();

	add_a(b, "t.example.", 600, 1, 1);
	add_a(b, "t.example.", 300, 1, 2);
	add_a(b, "t.example.", 900, 1, 3);
	/* A duplicate with another TTL counts too. */
	add_a(b, "u.example.", 900, 1, 1);
	add_a(b, "u.example.", 100, 1, 1);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	assert_string_equal(err,
	    "warning: t.example. A: TTLs differ (300 to 900), using 300 (RFC 2181 5.2)\n"
	    "warning: u.example. A: TTLs differ (100 to 900), using 100 (RFC 2181 5.2)");
	assert_int_equal(dns_node_rrset(look(z, "t.example."), DNS_T_A)->ttl, 300);
	assert_int_equal(dns_node_rrset(look(z, "t.example."), DNS_T_A)->count, 3);
	assert_int_equal(dns_node_rrset(look(z, "u.example."), DNS_T_A)->ttl, 100);
	assert_int_equal(dns_node_rrset(look(z, "u.example."), DNS_T_A)->count, 1);
	dns_zone_free(z);
}

static void
test_case_folding(void **state)
{
	char err[256];
	struct dns_zone_builder *b = base();

	add_a(b, "WwW.ExAmPlE.", 60, 1, 1);
	add_a(b, "www.example.", 60, 1, 2);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	const struct dns_node *n = look(z, "www.example.");
	assert_non_null(n);
	assert_memory_equal(n->name, "\3www\7example", 13);
	assert_int_equal(dns_node_rrset(n, DNS_T_A)->count, 2);
	/* Lookups take lowercase names: that is the caller's part. */
	assert_null(look(z, "WWW.example."));
	dns_zone_free(z);
}

static void
test_empty_non_terminals(void **state)
{
	char err[256];
	struct dns_zone_builder *b = base();

	add_a(b, "a.b.c.example.", 60, 1, 1);
	add_a(b, "x.c.example.", 60, 1, 2);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	assert_int_equal(dns_zone_node_count(z), 6);
	const struct dns_node *bc = look(z, "b.c.example."), *c = look(z, "c.example.");
	assert_non_null(bc);
	assert_non_null(c);
	assert_int_equal(bc->n_rrsets, 0);
	assert_null(bc->rrsets);
	assert_int_equal(c->n_rrsets, 0);
	assert_int_equal(c->labels, 2);
	assert_null(dns_node_rrset(c, DNS_T_A));
	assert_non_null(look(z, "a.b.c.example."));
	assert_null(look(z, "b.example."));
	dns_zone_free(z);
}

static void
test_flags(void **state)
{
	char err[256];
	struct dns_zone_builder *b = base();

	/* A delegation with glue, something deeper below it, and a cut below the cut. */
	assert_int_equal(add_name(b, "sub.example.", DNS_T_NS, "ns.sub.example."), DNS_ZB_OK);
	add_a(b, "ns.sub.example.", 60, 3, 1);
	add_a(b, "deep.x.sub.example.", 60, 3, 2);
	assert_int_equal(add_name(b, "inner.sub.example.", DNS_T_NS, "ns.example."), DNS_ZB_OK);
	/* Wildcards: below the apex and at the apex. */
	add_a(b, "*.wild.example.", 60, 4, 1);
	add_a(b, "*.example.", 60, 4, 2);
	/* A name with a '*' that is not a whole label is no wildcard. */
	add_a(b, "a*.star.example.", 60, 4, 3);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));

	assert_int_equal(dns_zone_apex_node(z)->flags, DNS_NODE_WILDCARD);
	assert_int_equal(look(z, "sub.example.")->flags, DNS_NODE_DELEGATION);
	assert_int_equal(look(z, "ns.sub.example.")->flags, DNS_NODE_GLUE);
	assert_int_equal(look(z, "x.sub.example.")->flags, DNS_NODE_GLUE);
	assert_int_equal(look(z, "deep.x.sub.example.")->flags, DNS_NODE_GLUE);
	/* Only the topmost cut is a referral. */
	assert_int_equal(look(z, "inner.sub.example.")->flags, DNS_NODE_GLUE);
	assert_int_equal(look(z, "wild.example.")->flags, DNS_NODE_WILDCARD);
	assert_int_equal(look(z, "*.wild.example.")->flags, 0);
	assert_int_equal(look(z, "star.example.")->flags, 0);
	assert_int_equal(look(z, "ns.example.")->flags, 0);
	dns_zone_free(z);
}

static void
test_flags_deep_first(void **state)
{
	char err[256];
	struct dns_zone_builder *b = dns_zone_builder_new(N("example."));

	/* Children added before their cut: flags do not depend on the order. */
	add_a(b, "z.y.x.cut.example.", 60, 5, 1);
	add_a(b, "y.x.cut.example.", 60, 5, 2);
	assert_int_equal(add_name(b, "cut.example.", DNS_T_NS, "ns.other."), DNS_ZB_OK);
	add_soa(b, "example.");
	assert_int_equal(add_name(b, "example.", DNS_T_NS, "ns.other."), DNS_ZB_OK);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	assert_int_equal(look(z, "cut.example.")->flags, DNS_NODE_DELEGATION);
	assert_int_equal(look(z, "x.cut.example.")->flags, DNS_NODE_GLUE);
	assert_int_equal(look(z, "y.x.cut.example.")->flags, DNS_NODE_GLUE);
	assert_int_equal(look(z, "z.y.x.cut.example.")->flags, DNS_NODE_GLUE);
	assert_int_equal(dns_zone_apex_node(z)->flags, 0);
	dns_zone_free(z);
}

static void
test_check_no_soa(void **state)
{
	struct dns_zone_builder *b = dns_zone_builder_new(N("example."));
	assert_int_equal(add_name(b, "example.", DNS_T_NS, "ns.other."), DNS_ZB_OK);
	finish_fails(b, "example.: no SOA at the zone apex");
}

static void
test_check_empty(void **state)
{
	finish_fails(dns_zone_builder_new(N("example.")),
	    "example.: no SOA at the zone apex\nexample.: no NS at the zone apex");
}

static void
test_check_no_ns(void **state)
{
	struct dns_zone_builder *b = dns_zone_builder_new(N("example."));
	add_soa(b, "example.");
	/* NS below the apex is a delegation, not the zone's NS. */
	assert_int_equal(add_name(b, "sub.example.", DNS_T_NS, "ns.other."), DNS_ZB_OK);
	finish_fails(b, "example.: no NS at the zone apex");
}

static void
test_check_two_soa(void **state)
{
	struct dns_zone_builder *b = base();
	uint8_t rd[64];
	const uint8_t *m = N("other.example.");
	size_t l = wire_len(m);
	memcpy(rd, m, l);
	memcpy(rd + l, m, l);
	memset(rd + 2 * l, 0, 20);
	assert_int_equal(add(b, "example.", DNS_T_SOA, 3600, rd, 2 * l + 20), DNS_ZB_OK);
	finish_fails(b, "example.: 2 SOA records, exactly one allowed");
}

static void
test_check_soa_below_apex(void **state)
{
	struct dns_zone_builder *b = base();
	add_soa(b, "sub.example.");
	finish_fails(b, "sub.example.: SOA below the zone apex");
}

static void
test_check_cname_and_other(void **state)
{
	struct dns_zone_builder *b = base();
	assert_int_equal(add_name(b, "www.example.", DNS_T_CNAME, "ns.example."), DNS_ZB_OK);
	add_a(b, "www.example.", 60, 1, 1);
	finish_fails(b, "www.example.: CNAME and other data (RFC 2181 10.1)");
}

static void
test_check_cname_at_apex(void **state)
{
	struct dns_zone_builder *b = base();
	assert_int_equal(add_name(b, "example.", DNS_T_CNAME, "other."), DNS_ZB_OK);
	finish_fails(b, "example.: CNAME and other data (RFC 2181 10.1)");
}

static void
test_check_two_cnames(void **state)
{
	struct dns_zone_builder *b = base();
	assert_int_equal(add_name(b, "www.example.", DNS_T_CNAME, "a.example."), DNS_ZB_OK);
	assert_int_equal(add_name(b, "www.example.", DNS_T_CNAME, "b.example."), DNS_ZB_OK);
	finish_fails(b, "www.example.: 2 CNAME records, at most one allowed (RFC 1034 3.6.2)");
}

static void
test_check_two_dnames(void **state)
{
	struct dns_zone_builder *b = base();
	assert_int_equal(add_name(b, "d.example.", DNS_T_DNAME, "a.other."), DNS_ZB_OK);
	assert_int_equal(add_name(b, "d.example.", DNS_T_DNAME, "b.other."), DNS_ZB_OK);
	finish_fails(b, "d.example.: 2 DNAME records, at most one allowed (RFC 6672 2.4)");
}

static void
test_cname_with_dnssec(void **state)
{
	char err[256];
	struct dns_zone_builder *b = base();
	/* RFC 4035 2.5: RRSIG and NSEC may stand beside a CNAME. */
	assert_int_equal(add_name(b, "www.example.", DNS_T_CNAME, "ns.example."), DNS_ZB_OK);
	assert_int_equal(add(b, "www.example.", DNS_T_RRSIG, 60, "sig", 3), DNS_ZB_OK);
	assert_int_equal(add(b, "www.example.", DNS_T_NSEC, 60, "nsec", 4), DNS_ZB_OK);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	assert_int_equal(look(z, "www.example.")->n_rrsets, 3);
	dns_zone_free(z);
}

static void
test_errors_drop_warnings_and_are_counted(void **state)
{
	struct dns_zone_builder *b = base();
	char expect[4096] = "";
	char name[64];

	add_a(b, "w.example.", 60, 1, 1);
	add_a(b, "w.example.", 70, 1, 2);
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "c%02d.example.", i);
		assert_int_equal(add_name(b, name, DNS_T_CNAME, "ns.example."), DNS_ZB_OK);
		add_a(b, name, 60, 1, 1);
		if (i < 10) {
			snprintf(expect + strlen(expect), sizeof(expect) - strlen(expect),
			    "%s%s: CNAME and other data (RFC 2181 10.1)", i ? "\n" : "", name);
		}
	}
	strcat(expect, "\n(and 2 more)");
	finish_fails(b, expect);
}

static void
test_err_buffer_small(void **state)
{
	char err[16];
	struct dns_zone_builder *b = dns_zone_builder_new(N("example."));
	assert_null(dns_zone_builder_finish(b, err, sizeof(err)));
	assert_string_equal(err, "example.: no SO");
	/* And no buffer at all. */
	assert_null(dns_zone_builder_finish(b, NULL, 0));
	dns_zone_builder_free(b);
}

static void
test_add_refused(void **state)
{
	struct dns_zone_builder *b = base();
	uint8_t bad[DNS_NAME_MAX] = { 64, 'a' }; /* a label longer than 63 */

	assert_int_equal(add(b, "example2.", DNS_T_A, 60, "\1\2\3\4", 4), DNS_ZB_OUTSIDE);
	assert_int_equal(add(b, "xexample.", DNS_T_A, 60, "\1\2\3\4", 4), DNS_ZB_OUTSIDE);
	assert_int_equal(add(b, "com.", DNS_T_A, 60, "\1\2\3\4", 4), DNS_ZB_OUTSIDE);
	assert_int_equal(add(b, ".", DNS_T_A, 60, "\1\2\3\4", 4), DNS_ZB_OUTSIDE);
	assert_int_equal(dns_zone_builder_add(b, bad, DNS_T_A, 60, (const uint8_t *)"\1\2\3\4", 4),
	    DNS_ZB_NAME);
	assert_int_equal(add(b, "x.example.", 0, 60, "", 0), DNS_ZB_TYPE);
	assert_int_equal(add(b, "x.example.", DNS_T_OPT, 60, "", 0), DNS_ZB_TYPE);
	assert_int_equal(add(b, "x.example.", DNS_T_AXFR, 60, "", 0), DNS_ZB_TYPE);
	assert_int_equal(add(b, "x.example.", DNS_T_ANY, 60, "", 0), DNS_ZB_TYPE);
	assert_int_equal(add(b, "x.example.", 128, 60, "", 0), DNS_ZB_TYPE);
	assert_int_equal(add(b, "x.example.", 256, 60, "\0\0abc", 5), DNS_ZB_OK);
	/* Rdata the answer path reads is checked. */
	assert_int_equal(add(b, "x.example.", DNS_T_A, 60, "\1\2\3", 3), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_AAAA, 60, "\1\2\3\4", 4), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_NS, 60, "\3abc\0x", 6), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_NS, 60, "\3ab", 3), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_CNAME, 60, "", 0), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_PTR, 60, "\300\14", 2), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_MX, 60, "\0\12", 2), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_MX, 60, "\0\12\0", 3), DNS_ZB_OK);
	assert_int_equal(add(b, "x.example.", DNS_T_SRV, 60, "\0\1\0\2\0\3\0", 7), DNS_ZB_OK);
	assert_int_equal(add(b, "x.example.", DNS_T_SRV, 60, "\0\1\0\2\0", 5), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_SOA, 60, "\0\0", 2), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_SOA, 60,
	    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 21), DNS_ZB_RDATA);
	assert_int_equal(add(b, "x.example.", DNS_T_DNAME, 60, "\1a", 2), DNS_ZB_RDATA);
	dns_zone_builder_free(b);

	assert_string_equal(dns_zone_builder_strerror(DNS_ZB_OUTSIDE), "owner outside the zone");
	assert_string_equal(dns_zone_builder_strerror(DNS_ZB_RDATA), "malformed rdata");
	assert_string_equal(dns_zone_builder_strerror(42), "unknown error");
	assert_null(dns_zone_builder_new((const uint8_t *)"\100"));
}

static void
test_reserve(void **state)
{
	char err[256];
	struct dns_zone_builder *b = dns_zone_builder_new(N("example."));

	/*
	 * Hints too small, too large or repeated: the builder works the same.
	 * (Not an absurd one: meson's MALLOC_PERTURB_ touches every byte reserved.)
	 */
	dns_zone_builder_reserve(b, 1000);
	dns_zone_builder_reserve(b, 0);
	dns_zone_builder_reserve(b, 100000);
	add_soa(b, "example.");
	assert_int_equal(add_name(b, "example.", DNS_T_NS, "ns.example."), DNS_ZB_OK);
	for (int i = 0; i < 2000; i++) {
		char name[32];
		snprintf(name, sizeof(name), "h%d.example.", i);
		add_a(b, name, 60, (uint8_t)(i >> 8), (uint8_t)i);
	}
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	assert_int_equal(dns_zone_rr_count(z), 2002);
	assert_non_null(look(z, "h1999.example."));
	dns_zone_free(z);
}

static void
test_type_names(void **state)
{
	char buf[DNS_TYPE_STRLEN];
	assert_string_equal(dns_type_name(DNS_T_A, buf), "A");
	assert_string_equal(dns_type_name(DNS_T_AAAA, buf), "AAAA");
	assert_string_equal(dns_type_name(257, buf), "CAA");
	assert_string_equal(dns_type_name(65534, buf), "TYPE65534");
	assert_string_equal(dns_type_name(0, buf), "TYPE0");
}

struct walk_ctx {
	const struct dns_zone *z;
	size_t nodes, rrsets;
};

static void
walk_check(void *ctx, const struct dns_node *n)
{
	struct walk_ctx *w = ctx;
	w->nodes++;
	w->rrsets += n->n_rrsets;
	assert_ptr_equal(dns_zone_lookup(w->z, n->name), n);
	assert_int_equal(wire_len(n->name), n->name_len);
	assert_int_equal(dns_name_labels(n->name), n->labels);
	for (uint16_t i = 1; i < n->n_rrsets; i++)
		assert_true(n->rrsets[i - 1].type < n->rrsets[i].type);
}

static void
test_large_zone(void **state)
{
	enum { COUNT = 50000 };
	char err[256], name[64];
	struct dns_zone_builder *b = base();

	/* Names of many lengths, so nodes land at every offset of a cache line. */
	for (int i = 0; i < COUNT; i++) {
		snprintf(name, sizeof(name), "%.*sh%d.l%d.example.", i % 40, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    i, i % 7);
		uint8_t ip[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		assert_int_equal(add(b, name, DNS_T_A, 60, ip, 4), DNS_ZB_OK);
		if (i % 3 == 0)
			assert_int_equal(add(b, name, DNS_T_TXT, 60, "\5hello", 6), DNS_ZB_OK);
	}
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	assert_int_equal(dns_zone_node_count(z), 2 + COUNT + 7);
	assert_int_equal(dns_zone_rr_count(z), 3 + COUNT + (COUNT + 2) / 3);
	for (int i = 0; i < COUNT; i++) {
		snprintf(name, sizeof(name), "%.*sh%d.l%d.example.", i % 40, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		    i, i % 7);
		const struct dns_node *n = look(z, name);
		assert_non_null(n);
		const struct dns_rrset *a = dns_node_rrset(n, DNS_T_A);
		assert_non_null(a);
		assert_int_equal(a->rdata[5], (uint8_t)i);
		assert_int_equal(n->n_rrsets, i % 3 == 0 ? 2 : 1);
		snprintf(name, sizeof(name), "h%d.nx.example.", i);
		assert_null(look(z, name));
	}
	struct walk_ctx w = { z, 0, 0 };
	dns_zone_walk(z, walk_check, &w);
	assert_int_equal(w.nodes, dns_zone_node_count(z));
	assert_int_equal(w.rrsets, 2 + 1 + COUNT + (COUNT + 2) / 3);
	dns_zone_free(z);
}

static void
test_root_zone(void **state)
{
	char err[256];
	struct dns_zone_builder *b = dns_zone_builder_new(N("."));
	add_soa(b, ".");
	assert_int_equal(add_name(b, ".", DNS_T_NS, "a.root-servers.net."), DNS_ZB_OK);
	assert_int_equal(add_name(b, "com.", DNS_T_NS, "a.gtld-servers.net."), DNS_ZB_OK);
	add_a(b, "a.root-servers.net.", 60, 1, 1);
	struct dns_zone *z = finish_ok(b, err, sizeof(err));
	assert_int_equal(dns_zone_apex_node(z)->labels, 0);
	assert_int_equal(look(z, "com.")->flags, DNS_NODE_DELEGATION);
	assert_non_null(look(z, "root-servers.net."));
	assert_non_null(look(z, "net."));
	assert_int_equal(dns_zone_node_count(z), 5);
	dns_zone_free(z);
}

static struct dns_zone *
simple_zone(const char *apex)
{
	char err[256];
	struct dns_zone_builder *b = dns_zone_builder_new(N(apex));
	add_soa(b, apex);
	assert_int_equal(add_name(b, apex, DNS_T_NS, "ns.other."), DNS_ZB_OK);
	return finish_ok(b, err, sizeof(err));
}

static void
test_zoneset(void **state)
{
	struct dns_zoneset *set = dns_zoneset_new();
	struct dns_zone *ex = simple_zone("example."), *sub = simple_zone("sub.example.");
	struct dns_zone *deep = simple_zone("a.b.c.d.example2."), *dup = simple_zone("example.");

	assert_null(dns_zoneset_find(set, N("example.")));
	assert_int_equal(dns_zoneset_add(set, ex), 0);
	assert_int_equal(dns_zoneset_add(set, sub), 0);
	assert_int_equal(dns_zoneset_add(set, deep), 0);
	assert_int_equal(dns_zoneset_add(set, dup), -1);
	dns_zone_free(dup);
	assert_int_equal(dns_zoneset_count(set), 3);
	assert_ptr_equal(dns_zoneset_get(set, 0), ex);
	assert_ptr_equal(dns_zoneset_get(set, 2), deep);
	assert_null(dns_zoneset_get(set, 3));

	assert_ptr_equal(dns_zoneset_find(set, N("example.")), ex);
	assert_ptr_equal(dns_zoneset_find(set, N("www.example.")), ex);
	assert_ptr_equal(dns_zoneset_find(set, N("a.b.c.d.e.f.g.www.example.")), ex);
	assert_ptr_equal(dns_zoneset_find(set, N("sub.example.")), sub);
	assert_ptr_equal(dns_zoneset_find(set, N("x.y.sub.example.")), sub);
	assert_ptr_equal(dns_zoneset_find(set, N("xsub.example.")), ex);
	assert_ptr_equal(dns_zoneset_find(set, N("a.b.c.d.example2.")), deep);
	assert_ptr_equal(dns_zoneset_find(set, N("q.a.b.c.d.example2.")), deep);
	assert_null(dns_zoneset_find(set, N("b.c.d.example2.")));
	assert_null(dns_zoneset_find(set, N("example2.")));
	assert_null(dns_zoneset_find(set, N("com.")));
	assert_null(dns_zoneset_find(set, N(".")));
	assert_null(dns_zoneset_find(set, N("example.com.")));

	/* The root zone catches what no other zone has. */
	struct dns_zone *root = simple_zone(".");
	assert_int_equal(dns_zoneset_add(set, root), 0);
	assert_ptr_equal(dns_zoneset_find(set, N(".")), root);
	assert_ptr_equal(dns_zoneset_find(set, N("example.com.")), root);
	assert_ptr_equal(dns_zoneset_find(set, N("b.c.d.example2.")), root);
	assert_ptr_equal(dns_zoneset_find(set, N("www.sub.example.")), sub);
	dns_zoneset_free(set);
	dns_zoneset_free(NULL);
}

static void
test_zoneset_many(void **state)
{
	struct dns_zoneset *set = dns_zoneset_new();
	char name[64];

	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "z%d.example.", i);
		assert_int_equal(dns_zoneset_add(set, simple_zone(name)), 0);
	}
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "www.z%d.example.", i);
		const struct dns_zone *z = dns_zoneset_find(set, N(name));
		assert_non_null(z);
		assert_true(dns_name_equal(dns_zone_apex(z), N(name) + 4));
	}
	assert_null(dns_zoneset_find(set, N("www.z300.example.")));
	dns_zoneset_free(set);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_grouping_and_order),
		cmocka_unit_test(test_duplicates_dropped),
		cmocka_unit_test(test_big_rrset),
		cmocka_unit_test(test_ttl_lowest_wins),
		cmocka_unit_test(test_case_folding),
		cmocka_unit_test(test_empty_non_terminals),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_flags_deep_first),
		cmocka_unit_test(test_check_no_soa),
		cmocka_unit_test(test_check_empty),
		cmocka_unit_test(test_check_no_ns),
		cmocka_unit_test(test_check_two_soa),
		cmocka_unit_test(test_check_soa_below_apex),
		cmocka_unit_test(test_check_cname_and_other),
		cmocka_unit_test(test_check_cname_at_apex),
		cmocka_unit_test(test_check_two_cnames),
		cmocka_unit_test(test_check_two_dnames),
		cmocka_unit_test(test_cname_with_dnssec),
		cmocka_unit_test(test_errors_drop_warnings_and_are_counted),
		cmocka_unit_test(test_err_buffer_small),
		cmocka_unit_test(test_add_refused),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_large_zone),
		cmocka_unit_test(test_root_zone),
		cmocka_unit_test(test_zoneset),
		cmocka_unit_test(test_zoneset_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
