/*
 * test_dns_journal.c - tests of src/dns/journal.c: the difference of two
 * zone versions as RFC 1995 sends it (the SOAs at the head of each part,
 * records as sets, an RRset whose TTL changed replaced whole), checked
 * against a second implementation in the test (applying the difference to
 * the old version's records must give the new version's, on random zones
 * and changes); serial arithmetic (RFC 1982); and the journal's chain and
 * byte bound.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/journal.h"

static const uint8_t *
N(const char *text)
{
	static uint8_t ring[8][DNS_NAME_MAX];
	static unsigned next;
	uint8_t *out = ring[next++ % 8];
	assert_true(dns_name_from_text(out, text, NULL) > 0);
	return out;
}

/* A record as the tests write them. */
struct trec {
	char owner[64];
	uint16_t type;
	uint32_t ttl;
	uint8_t rd[64];
	uint16_t len;
};

static size_t
soa_rdata(uint8_t *out, uint32_t serial)
{
	const uint8_t *m = N("ns.ex.");
	size_t n = (size_t)dns_name_wire_len(m, DNS_NAME_MAX);
	memcpy(out, m, n);
	const uint8_t *r = N("host.ex.");
	size_t k = (size_t)dns_name_wire_len(r, DNS_NAME_MAX);
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

static struct dns_zone *
build(uint32_t serial, const struct trec *r, size_t n)
{
	struct dns_zone_builder *b = dns_zone_builder_new(N("ex."));
	uint8_t soa[128];
	size_t sl = soa_rdata(soa, serial);
	const uint8_t *ns = N("ns.ex.");
	char err[512];

	assert_non_null(b);
	assert_int_equal(dns_zone_builder_add(b, N("ex."), DNS_T_SOA, 3600, soa, (uint16_t)sl), 0);
	assert_int_equal(dns_zone_builder_add(b, N("ex."), DNS_T_NS, 3600, ns,
	    (uint16_t)dns_name_wire_len(ns, DNS_NAME_MAX)), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dns_zone_builder_add(b, N(r[i].owner), r[i].type, r[i].ttl,
		    r[i].rd, r[i].len), 0);
	struct dns_zone *z = dns_zone_builder_finish(b, err, sizeof(err));
	dns_zone_builder_free(b);
	assert_non_null(z);
	return z;
}

static struct trec
A(const char *owner, uint32_t ttl, uint8_t last)
{
	struct trec r = { .type = DNS_T_A, .ttl = ttl, .len = 4 };
	snprintf(r.owner, sizeof(r.owner), "%s", owner);
	r.rd[0] = 192;
	r.rd[1] = 0;
	r.rd[2] = 2;
	r.rd[3] = last;
	return r;
}

/* "owner type ttl hex" lines, for sets of records. */
struct lines {
	char **s;
	size_t n, cap;
};

static void
lines_add(struct lines *l, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rd, uint16_t len)
{
	char name[DNS_NAME_STRLEN];
	char *s = malloc(DNS_NAME_STRLEN + 32 + 2 * (size_t)len + 1);
	int k;

	assert_non_null(s);
	k = sprintf(s, "%s %u %u ", dns_name_to_text(owner, name), type, ttl);
	for (uint16_t i = 0; i < len; i++)
		k += sprintf(s + k, "%02x", rd[i]);
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->s = realloc(l->s, l->cap * sizeof(*l->s));
		assert_non_null(l->s);
	}
	l->s[l->n++] = s;
}

static void
dump_node(void *ctx, const struct dns_node *node)
{
	struct lines *l = ctx;

	for (uint16_t i = 0; i < node->n_rrsets; i++) {
		const struct dns_rrset *rs = &node->rrsets[i];
		const uint8_t *p = rs->rdata;
		if (rs->type == DNS_T_SOA)
			continue;
		for (uint16_t k = 0; k < rs->count; k++) {
			uint16_t len = (uint16_t)(p[0] << 8 | p[1]);
			lines_add(l, node->name, rs->type, rs->ttl, p + 2, len);
			p += 2 + len;
		}
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static long
lines_find(const struct lines *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->s[i] != NULL && strcmp(l->s[i], s) == 0)
			return (long)i;
	return -1;
}

static void
lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->s[i]);
	free(l->s);
}

/* Apply d to old's records and compare with new's; the SOAs head each part. */
static void
check_diff(const struct dns_zone *old, const struct dns_zone *new, const struct dns_diff *d)
{
	struct lines have = { 0 }, want = { 0 }, tmp = { 0 };
	struct dns_diff_rr rr;
	size_t pos = 0, n = 0;
	uint32_t so, sn;

	assert_true(dns_zone_serial(old, &so));
	assert_true(dns_zone_serial(new, &sn));
	assert_int_equal(d->from, so);
	assert_int_equal(d->to, sn);
	dns_zone_walk(old, dump_node, &have);
	dns_zone_walk(new, dump_node, &want);
	while (dns_diff_rr_next(d, &pos, d->add_off, &rr)) {
		if (n++ == 0) {
			assert_int_equal(rr.type, DNS_T_SOA);
			assert_true(dns_name_equal(rr.owner, dns_zone_apex(old)));
			continue;
		}
		assert_int_not_equal(rr.type, DNS_T_SOA);
		lines_add(&tmp, rr.owner, rr.type, rr.ttl, rr.rdata, rr.rdlen);
		long at = lines_find(&have, tmp.s[tmp.n - 1]);
		/* A deletion of a record that is not there is a wrong difference. */
		assert_true(at >= 0);
		free(have.s[at]);
		have.s[at] = NULL;
	}
	assert_int_equal(pos, d->add_off);
	assert_int_equal(n, d->n_del);
	n = 0;
	while (dns_diff_rr_next(d, &pos, d->len, &rr)) {
		if (n++ == 0) {
			assert_int_equal(rr.type, DNS_T_SOA);
			continue;
		}
		lines_add(&have, rr.owner, rr.type, rr.ttl, rr.rdata, rr.rdlen);
		/* Each addition is new: sets, no duplicates. */
		have.n--;
		assert_true(lines_find(&have, have.s[have.n]) < 0);
		have.n++;
	}
	assert_int_equal(pos, d->len);
	assert_int_equal(n, d->n_add);
	/* Compact and compare. */
	size_t k = 0;
	for (size_t i = 0; i < have.n; i++)
		if (have.s[i] != NULL)
			have.s[k++] = have.s[i];
	have.n = k;
	qsort(have.s, have.n, sizeof(*have.s), str_cmp);
	qsort(want.s, want.n, sizeof(*want.s), str_cmp);
	assert_int_equal(have.n, want.n);
	for (size_t i = 0; i < have.n; i++)
		assert_string_equal(have.s[i], want.s[i]);
	lines_free(&have);
	lines_free(&want);
	lines_free(&tmp);
}

static void
test_serial_arith(void **state)
{
	(void)state;
	assert_true(dns_serial_gt(2, 1));
	assert_false(dns_serial_gt(1, 2));
	assert_false(dns_serial_gt(5, 5));
	/* RFC 1982 3.2: wrapping. */
	assert_true(dns_serial_gt(0, 0xffffffffu));
	assert_true(dns_serial_gt(10, 0xfffffff0u));
	assert_false(dns_serial_gt(0xfffffff0u, 10));
	/* 2^31 apart: undefined, not greater either way. */
	assert_false(dns_serial_gt(0x80000000u, 0));
	assert_false(dns_serial_gt(0, 0x80000000u));
}

static void
test_diff_basic(void **state)
{
	struct trec r1[] = { A("a.ex.", 300, 1), A("a.ex.", 300, 2), A("b.ex.", 300, 3),
	    A("c.d.ex.", 300, 4) };
	/* a: one record goes, one comes; b: TTL changes; c.d gone; e new. */
	struct trec r2[] = { A("a.ex.", 300, 1), A("a.ex.", 300, 9), A("b.ex.", 600, 3),
	    A("e.ex.", 300, 5) };
	struct dns_zone *z1 = build(10, r1, 4), *z2 = build(11, r2, 4);
	struct dns_diff *d;

	(void)state;
	assert_int_equal(dns_diff_compute(z1, z2, &d), DNS_DIFF_OK);
	assert_non_null(d);
	/* Deleted: SOA, a 2, b 3 (TTL), c.d 4.  Added: SOA, a 9, b 3 (600), e 5. */
	assert_int_equal(d->n_del, 4);
	assert_int_equal(d->n_add, 4);
	check_diff(z1, z2, d);
	dns_diff_unref(d);

	/* The other way round the serial decreases: not a difference IXFR can send. */
	assert_int_equal(dns_diff_compute(z2, z1, &d), DNS_DIFF_SERIAL);
	assert_null(d);
	dns_zone_free(z1);
	dns_zone_free(z2);
}

static void
test_diff_same_and_serial_only(void **state)
{
	struct trec r[] = { A("a.ex.", 300, 1) };
	struct dns_zone *z1 = build(7, r, 1), *z1b = build(7, r, 1), *z2 = build(8, r, 1);
	struct trec r3[] = { A("a.ex.", 300, 2) };
	struct dns_zone *z3 = build(7, r3, 1);
	struct dns_diff *d;

	(void)state;
	assert_int_equal(dns_diff_compute(z1, z1b, &d), DNS_DIFF_SAME);
	assert_null(d);
	/* A new serial alone: the two SOAs. */
	assert_int_equal(dns_diff_compute(z1, z2, &d), DNS_DIFF_OK);
	assert_int_equal(d->n_del, 1);
	assert_int_equal(d->n_add, 1);
	check_diff(z1, z2, d);
	dns_diff_unref(d);
	/* Records changed, serial did not (an operator's mistake): no difference. */
	assert_int_equal(dns_diff_compute(z1, z3, &d), DNS_DIFF_SERIAL);
	assert_null(d);
	dns_zone_free(z1);
	dns_zone_free(z1b);
	dns_zone_free(z2);
	dns_zone_free(z3);
}

static void
test_diff_other_apex(void **state)
{
	struct dns_zone *z1 = build(1, NULL, 0);
	struct dns_zone_builder *b = dns_zone_builder_new(N("other."));
	uint8_t soa[128];
	size_t sl = soa_rdata(soa, 2);
	const uint8_t *ns = N("ns.ex.");
	char err[256];
	struct dns_diff *d;

	(void)state;
	assert_int_equal(dns_zone_builder_add(b, N("other."), DNS_T_SOA, 60, soa, (uint16_t)sl), 0);
	assert_int_equal(dns_zone_builder_add(b, N("other."), DNS_T_NS, 60, ns,
	    (uint16_t)dns_name_wire_len(ns, DNS_NAME_MAX)), 0);
	struct dns_zone *z2 = dns_zone_builder_finish(b, err, sizeof(err));
	dns_zone_builder_free(b);
	assert_non_null(z2);
	assert_int_equal(dns_diff_compute(z1, z2, &d), DNS_DIFF_APEX);
	dns_zone_free(z1);
	dns_zone_free(z2);
}

/* Random zones and random changes: the difference applied gives the new version. */
static void
test_diff_random(void **state)
{
	enum { OWNERS = 40, RECS = 300, ROUNDS = 60 };
	struct trec *r1 = calloc(RECS, sizeof(*r1)), *r2 = calloc(2 * RECS, sizeof(*r2));
	unsigned seed = 12345;

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		size_t n1 = 0, n2 = 0;
		/* RRsets of one owner and type share a TTL: derive it from both. */
		uint32_t ttl_shift = (uint32_t)(rand_r(&seed) % 3);
		for (int i = 0; i < RECS; i++) {
			char owner[32];
			int o = rand_r(&seed) % OWNERS;
			snprintf(owner, sizeof(owner), "h%d.%s", o, o % 3 == 0 ? "sub.ex." : "ex.");
			struct trec t = A(owner, 300 + (uint32_t)(o % 4), (uint8_t)(rand_r(&seed) % 8));
			if (rand_r(&seed) % 4 == 0) {
				t.type = DNS_T_TXT;
				t.len = (uint16_t)(1 + rand_r(&seed) % 5);
				t.rd[0] = (uint8_t)(t.len - 1);
				for (uint16_t k = 1; k < t.len; k++)
					t.rd[k] = (uint8_t)('a' + rand_r(&seed) % 3);
			}
			r1[n1++] = t;
		}
		for (size_t i = 0; i < n1; i++) {
			int what = rand_r(&seed) % 10;
			if (what == 0)
				continue; /* deleted */
			r2[n2] = r1[i];
			/* Some owners get a new TTL for every RRset of theirs. */
			if (r2[n2].owner[1] - '0' == (int)ttl_shift)
				r2[n2].ttl += 1000;
			n2++;
			if (what == 1) {
				struct trec t = r1[i];
				t.rd[t.len - 1] ^= 0x40;
				if (t.owner[1] - '0' == (int)ttl_shift)
					t.ttl += 1000;
				r2[n2++] = t;
			}
		}
		struct dns_zone *z1 = build((uint32_t)round * 7u, r1, n1);
		struct dns_zone *z2 = build((uint32_t)round * 7u + 1, r2, n2);
		struct dns_diff *d;
		assert_int_equal(dns_diff_compute(z1, z2, &d), DNS_DIFF_OK);
		check_diff(z1, z2, d);
		dns_diff_unref(d);
		dns_zone_free(z1);
		dns_zone_free(z2);
	}
	free(r1);
	free(r2);
}

/* An RRSIG covering `covered`, Original TTL `orig`, a signature byte `sig`. */
static struct trec
SIG(const char *owner, uint16_t covered, uint32_t orig, uint8_t sig)
{
	struct trec r = { .type = DNS_T_RRSIG, .ttl = 300 };
	const uint8_t *signer = N("ex.");
	size_t k = 0;

	snprintf(r.owner, sizeof(r.owner), "%s", owner);
	r.rd[k++] = (uint8_t)(covered >> 8);
	r.rd[k++] = (uint8_t)covered;
	r.rd[k++] = 13; /* algorithm */
	r.rd[k++] = 2;  /* labels */
	r.rd[k++] = (uint8_t)(orig >> 24);
	r.rd[k++] = (uint8_t)(orig >> 16);
	r.rd[k++] = (uint8_t)(orig >> 8);
	r.rd[k++] = (uint8_t)orig;
	memset(r.rd + k, 0, 10); /* expiration, inception, key tag */
	k += 10;
	memcpy(r.rd + k, signer, 4);
	k += 4;
	r.rd[k++] = sig;
	r.len = (uint16_t)k;
	return r;
}

/*
 * RRSIGs: the zone keeps one RRSIG RRset per owner with the lowest TTL, but
 * each signature goes out with its covered RRset's TTL (RFC 4034 3): the
 * difference must say so, and see a TTL change of the covered RRset as a
 * change of its signature too.
 */
static void
test_diff_rrsig_ttl(void **state)
{
	struct trec t1 = A("a.ex.", 3600, 1), t2 = A("a.ex.", 7200, 1);
	struct trec r1[] = { t1, SIG("a.ex.", DNS_T_A, 3600, 1), SIG("a.ex.", DNS_T_TXT, 60, 2) };
	struct trec r2[] = { t2, SIG("a.ex.", DNS_T_A, 3600, 1), SIG("a.ex.", DNS_T_TXT, 60, 3) };
	struct dns_zone *z1 = build(1, r1, 3), *z2 = build(2, r2, 3);
	struct dns_diff *d;
	struct dns_diff_rr rr;
	size_t pos = 0;
	unsigned sigs = 0;

	(void)state;
	assert_int_equal(dns_diff_compute(z1, z2, &d), DNS_DIFF_OK);
	/* Deleted: SOA, A (TTL), RRSIG(A) at 3600, RRSIG(TXT) 2 at 60 (its Original TTL). */
	assert_int_equal(d->n_del, 4);
	assert_int_equal(d->n_add, 4);
	while (dns_diff_rr_next(d, &pos, d->len, &rr)) {
		if (rr.type != DNS_T_RRSIG)
			continue;
		uint16_t cov = (uint16_t)(rr.rdata[0] << 8 | rr.rdata[1]);
		bool added = pos > d->add_off;
		if (cov == DNS_T_A)
			assert_int_equal(rr.ttl, added ? 7200 : 3600);
		else
			assert_int_equal(rr.ttl, 60);
		sigs++;
	}
	assert_int_equal(sigs, 4);
	dns_diff_unref(d);
	/* The same signatures at the same TTLs: no change among the RRSIGs. */
	struct dns_zone *z3 = build(3, r2, 3);
	assert_int_equal(dns_diff_compute(z2, z3, &d), DNS_DIFF_OK);
	assert_int_equal(d->n_del, 1);
	assert_int_equal(d->n_add, 1);
	dns_diff_unref(d);
	dns_zone_free(z1);
	dns_zone_free(z2);
	dns_zone_free(z3);
}

static struct dns_diff *
mkdiff(uint32_t from, uint32_t to, size_t len)
{
	struct dns_diff *d = calloc(1, sizeof(*d));
	assert_non_null(d);
	d->from = from;
	d->to = to;
	d->refs = 1;
	d->len = len;
	d->buf = calloc(1, len ? len : 1);
	return d;
}

static void
test_journal_chain(void **state)
{
	struct dns_journal *j = dns_journal_new(1 << 20);
	size_t first;

	(void)state;
	assert_false(dns_journal_find(j, 1, 1, &first));
	dns_journal_add(j, mkdiff(1, 2, 100));
	dns_journal_add(j, mkdiff(2, 5, 100));
	dns_journal_add(j, mkdiff(5, 6, 100));
	assert_int_equal(dns_journal_count(j), 3);
	assert_true(dns_journal_find(j, 1, 6, &first));
	assert_int_equal(first, 0);
	assert_true(dns_journal_find(j, 5, 6, &first));
	assert_int_equal(first, 2);
	/* A serial in between two differences, or the current one: no chain. */
	assert_false(dns_journal_find(j, 3, 6, &first));
	assert_false(dns_journal_find(j, 6, 6, &first));
	/* The journal does not end at what is served: no chain at all. */
	assert_false(dns_journal_find(j, 1, 7, &first));
	/* A gap (a reload that jumped): the journal starts again. */
	dns_journal_add(j, mkdiff(9, 10, 100));
	assert_int_equal(dns_journal_count(j), 1);
	assert_false(dns_journal_find(j, 1, 10, &first));
	assert_true(dns_journal_find(j, 9, 10, &first));
	dns_journal_free(j);
}

static void
test_journal_bound(void **state)
{
	size_t cost = 1000 + sizeof(struct dns_diff);
	struct dns_journal *j = dns_journal_new(3 * cost);
	size_t first;

	(void)state;
	for (uint32_t s = 1; s <= 5; s++)
		dns_journal_add(j, mkdiff(s, s + 1, 1000));
	/* Three fit: the two oldest were dropped. */
	assert_int_equal(dns_journal_count(j), 3);
	assert_true(dns_journal_bytes(j) <= 3 * cost);
	assert_int_equal(dns_journal_at(j, 0)->from, 3);
	assert_false(dns_journal_find(j, 2, 6, &first));
	assert_true(dns_journal_find(j, 3, 6, &first));
	/* A reference held elsewhere (a transfer) outlives the drop. */
	struct dns_diff *held = dns_journal_at(j, 0);
	dns_diff_ref(held);
	dns_journal_add(j, mkdiff(6, 7, 1000));
	assert_int_equal(dns_journal_at(j, 0)->from, 4);
	assert_int_equal(held->from, 3);
	assert_int_equal(held->refs, 1);
	dns_diff_unref(held);
	/* Larger than the whole journal: cleared, not kept. */
	dns_journal_add(j, mkdiff(7, 8, 4 * cost));
	assert_int_equal(dns_journal_count(j), 0);
	assert_int_equal(dns_journal_bytes(j), 0);
	dns_journal_free(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serial_arith),
		cmocka_unit_test(test_diff_basic),
		cmocka_unit_test(test_diff_same_and_serial_only),
		cmocka_unit_test(test_diff_other_apex),
		cmocka_unit_test(test_diff_random),
		cmocka_unit_test(test_diff_rrsig_ttl),
		cmocka_unit_test(test_journal_chain),
		cmocka_unit_test(test_journal_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
