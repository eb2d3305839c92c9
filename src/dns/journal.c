/*
 * journal.c - differences between versions of a zone (RFC 1995) and the
 * bounded journal of them; see journal.h.
 *
 * The difference is found in one pass over each version: every node of
 * the new version is looked up in the old one (one hash lookup), its
 * RRsets compared type by type, and every node of the old version that
 * the new one lacks is deleted whole.  RRsets are equal in the common case
 * (same count, TTL and rdata bytes: one memcmp); only RRsets that differ
 * are compared as sets, by sorting their records.
 */
#include "journal.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ serials */

uint32_t
dns_rrsig_ttl(const struct dns_node *node, const uint8_t *rd, uint16_t len, uint32_t dflt)
{
	const struct dns_rrset *cov;

	/* RFC 4034 3.1: Type Covered (2), Algorithm, Labels, Original TTL (4). */
	if (len < 8)
		return dflt;
	cov = node != NULL ? dns_node_rrset(node, (uint16_t)(rd[0] << 8 | rd[1])) : NULL;
	if (cov != NULL)
		return cov->ttl;
	return (uint32_t)rd[4] << 24 | (uint32_t)rd[5] << 16 | (uint32_t)rd[6] << 8 | rd[7];
}

/* -------------------------------------------------------- differences */

const char *
dns_diff_strerror(int code)
{
	switch (code) {
	case DNS_DIFF_OK: return "ok";
	case DNS_DIFF_SAME: return "no change";
	case DNS_DIFF_NOSOA: return "no SOA serial";
	case DNS_DIFF_APEX: return "not the same zone";
	case DNS_DIFF_SERIAL: return "the records changed but the SOA serial did not increase";
	case DNS_DIFF_NOMEM: return "out of memory";
	default: return "unknown error";
	}
}

/* A growing byte buffer; a failed append leaves `failed` set. */
struct dbuf {
	uint8_t *p;
	size_t len, cap;
	size_t n;       /* records */
	bool failed;
};

static void
dbuf_put(struct dbuf *b, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen)
{
	size_t olen = (size_t)dns_name_wire_len(owner, DNS_NAME_MAX);
	size_t need = 1 + olen + 2 + 4 + 2 + rdlen;
	uint8_t *q;

	if (b->failed)
		return;
	if (b->cap - b->len < need) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < need)
			cap *= 2;
		if ((q = realloc(b->p, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = q;
		b->cap = cap;
	}
	q = b->p + b->len;
	*q++ = (uint8_t)olen;
	memcpy(q, owner, olen);
	q += olen;
	*q++ = (uint8_t)(type >> 8);
	*q++ = (uint8_t)type;
	*q++ = (uint8_t)(ttl >> 24);
	*q++ = (uint8_t)(ttl >> 16);
	*q++ = (uint8_t)(ttl >> 8);
	*q++ = (uint8_t)ttl;
	*q++ = (uint8_t)(rdlen >> 8);
	*q++ = (uint8_t)rdlen;
	memcpy(q, rdata, rdlen);
	b->len += need;
	b->n++;
}

/* One record of an RRset: its rdata (pointing into the zone) and TTL. */
struct rec {
	const uint8_t *rd;
	uint16_t len;
	uint32_t ttl;
};

/* The records of an RRset; false if its rdata is not as the zone stores it. */
static bool
rrset_recs(const struct dns_node *node, const struct dns_rrset *rs, struct rec *out)
{
	const uint8_t *p = rs->rdata, *end = rs->rdata + rs->rdata_len;

	for (uint16_t i = 0; i < rs->count; i++) {
		uint16_t len;
		if (end - p < 2)
			return false;
		len = (uint16_t)(p[0] << 8 | p[1]);
		if (len > end - p - 2)
			return false;
		out[i].rd = p + 2;
		out[i].len = len;
		out[i].ttl = rs->type == DNS_T_RRSIG ? dns_rrsig_ttl(node, p + 2, len, rs->ttl) :
		    rs->ttl;
		p += 2 + len;
	}
	return true;
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->rd, y->rd, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return (x->len > y->len) - (x->len < y->len);
	return (x->ttl > y->ttl) - (x->ttl < y->ttl);
}

struct diffctx {
	const struct dns_zone *old, *new;
	struct dbuf del, add;
	bool changed; /* a record other than the SOA differs */
	bool nomem;
};

static void
put_all(struct diffctx *c, struct dbuf *b, const struct dns_node *node,
    const struct dns_rrset *rs)
{
	const uint8_t *owner = node->name;
	struct rec one;
	const uint8_t *p = rs->rdata, *end = rs->rdata + rs->rdata_len;

	for (uint16_t i = 0; i < rs->count; i++) {
		if (end - p < 2)
			return;
		one.len = (uint16_t)(p[0] << 8 | p[1]);
		if (one.len > end - p - 2)
			return;
		one.rd = p + 2;
		dbuf_put(b, owner, rs->type, rs->type == DNS_T_RRSIG ?
		    dns_rrsig_ttl(node, one.rd, one.len, rs->ttl) : rs->ttl, one.rd, one.len);
		p += 2 + one.len;
	}
	c->changed = true;
}

/* Old and new RRset of one owner and type, both present. */
static void
diff_rrset(struct diffctx *c, const struct dns_node *on, const struct dns_node *nn,
    const struct dns_rrset *o, const struct dns_rrset *n)
{
	/* RRSIGs: each record's TTL is its covered RRset's (dns_rrsig_ttl), compared with it. */
	bool sig = n->type == DNS_T_RRSIG;
	struct rec *ro, *rn;
	size_t i = 0, k = 0;

	if (!sig && o->ttl == n->ttl && o->count == n->count && o->rdata_len == n->rdata_len &&
	    memcmp(o->rdata, n->rdata, o->rdata_len) == 0)
		return;
	if (!sig && o->ttl != n->ttl) {
		put_all(c, &c->del, on, o);
		put_all(c, &c->add, nn, n);
		return;
	}
	ro = malloc(((size_t)o->count + n->count) * sizeof(*ro));
	if (ro == NULL) {
		c->nomem = true;
		return;
	}
	rn = ro + o->count;
	if (!rrset_recs(on, o, ro) || !rrset_recs(nn, n, rn)) {
		/* Not as the builder stores it: replace it whole rather than guess. */
		free(ro);
		put_all(c, &c->del, on, o);
		put_all(c, &c->add, nn, n);
		return;
	}
	if (sig && o->count == n->count && o->rdata_len == n->rdata_len &&
	    memcmp(o->rdata, n->rdata, o->rdata_len) == 0) {
		/* The same signatures: equal when each one's TTL is (the usual case). */
		for (i = 0; i < o->count && ro[i].ttl == rn[i].ttl; i++)
			;
		if (i == o->count) {
			free(ro);
			return;
		}
		i = 0;
	}
	qsort(ro, o->count, sizeof(*ro), rec_cmp);
	qsort(rn, n->count, sizeof(*rn), rec_cmp);
	while (i < o->count || k < n->count) {
		int cmp = i == o->count ? 1 : k == n->count ? -1 : rec_cmp(&ro[i], &rn[k]);
		if (cmp < 0) {
			dbuf_put(&c->del, on->name, o->type, ro[i].ttl, ro[i].rd, ro[i].len);
			c->changed = true;
			i++;
		} else if (cmp > 0) {
			dbuf_put(&c->add, nn->name, n->type, rn[k].ttl, rn[k].rd, rn[k].len);
			c->changed = true;
			k++;
		} else {
			i++;
			k++;
		}
	}
	free(ro);
}

/* Every node of the new version against the old one. */
static void
diff_new_node(void *ctx, const struct dns_node *node)
{
	struct diffctx *c = ctx;
	const struct dns_node *on = dns_zone_lookup(c->old, node->name);
	/* The SOAs are the head of each part (RFC 1995 4), not a change among the others. */
	bool apex = node == dns_zone_apex_node(c->new);

	for (uint16_t i = 0; i < node->n_rrsets; i++) {
		const struct dns_rrset *n = &node->rrsets[i];
		const struct dns_rrset *o = on != NULL ? dns_node_rrset(on, n->type) : NULL;
		if (apex && n->type == DNS_T_SOA)
			continue;
		if (o == NULL)
			put_all(c, &c->add, node, n);
		else
			diff_rrset(c, on, node, o, n);
	}
	/* The old node's types that the new one lacks. */
	for (uint16_t i = 0; on != NULL && i < on->n_rrsets; i++) {
		const struct dns_rrset *o = &on->rrsets[i];
		if (apex && o->type == DNS_T_SOA)
			continue;
		if (dns_node_rrset(node, o->type) == NULL)
			put_all(c, &c->del, on, o);
	}
}

/* Nodes of the old version that are gone. */
static void
diff_old_node(void *ctx, const struct dns_node *node)
{
	struct diffctx *c = ctx;

	if (node->n_rrsets == 0 || dns_zone_lookup(c->new, node->name) != NULL)
		return;
	for (uint16_t i = 0; i < node->n_rrsets; i++)
		put_all(c, &c->del, node, &node->rrsets[i]);
}

static void
put_soa(struct dbuf *b, const struct dns_zone *z)
{
	const struct dns_rrset *soa = dns_zone_soa(z);
	uint16_t len = (uint16_t)(soa->rdata[0] << 8 | soa->rdata[1]);

	dbuf_put(b, dns_zone_apex(z), DNS_T_SOA, soa->ttl, soa->rdata + 2, len);
}

int
dns_diff_compute(const struct dns_zone *old, const struct dns_zone *new, struct dns_diff **out)
{
	struct diffctx c;
	struct dns_diff *d;
	uint32_t so, sn;

	*out = NULL;
	if (!dns_name_equal(dns_zone_apex(old), dns_zone_apex(new)))
		return DNS_DIFF_APEX;
	if (!dns_zone_serial(old, &so) || !dns_zone_serial(new, &sn))
		return DNS_DIFF_NOSOA;
	memset(&c, 0, sizeof(c));
	c.old = old;
	c.new = new;
	/* RFC 1995 4: each difference starts with the old SOA, its additions with the new one. */
	put_soa(&c.del, old);
	put_soa(&c.add, new);
	dns_zone_walk(new, diff_new_node, &c);
	dns_zone_walk(old, diff_old_node, &c);
	if (c.nomem || c.del.failed || c.add.failed) {
		free(c.del.p);
		free(c.add.p);
		return DNS_DIFF_NOMEM;
	}
	if (so == sn || !dns_serial_gt(sn, so)) {
		/*
		 * A SOA that changed in anything but the serial is a change too
		 * (the SOA records are the first of each part).
		 */
		bool soa_same = c.del.len == c.add.len && memcmp(c.del.p, c.add.p, c.del.len) == 0;
		free(c.del.p);
		free(c.add.p);
		if (so == sn && !c.changed && soa_same)
			return DNS_DIFF_SAME;
		return DNS_DIFF_SERIAL;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->buf = malloc(c.del.len + c.add.len)) == NULL) {
		free(d);
		free(c.del.p);
		free(c.add.p);
		return DNS_DIFF_NOMEM;
	}
	memcpy(d->buf, c.del.p, c.del.len);
	memcpy(d->buf + c.del.len, c.add.p, c.add.len);
	d->add_off = c.del.len;
	d->len = c.del.len + c.add.len;
	d->n_del = c.del.n;
	d->n_add = c.add.n;
	d->from = so;
	d->to = sn;
	d->refs = 1;
	free(c.del.p);
	free(c.add.p);
	*out = d;
	return DNS_DIFF_OK;
}

bool
dns_diff_rr_next(const struct dns_diff *d, size_t *pos, size_t end, struct dns_diff_rr *rr)
{
	const uint8_t *p;
	size_t olen;

	/* Our own packing (dbuf_put); the bounds are checked all the same. */
	if (end > d->len || *pos >= end || end - *pos < 1)
		return false;
	p = d->buf + *pos;
	olen = p[0];
	if (end - *pos < 1 + olen + 8)
		return false;
	rr->owner = p + 1;
	p += 1 + olen;
	rr->type = (uint16_t)(p[0] << 8 | p[1]);
	rr->ttl = (uint32_t)p[2] << 24 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 8 | p[5];
	rr->rdlen = (uint16_t)(p[6] << 8 | p[7]);
	if (end - *pos - 1 - olen - 8 < rr->rdlen)
		return false;
	rr->rdata = p + 8;
	*pos += 1 + olen + 8 + rr->rdlen;
	return true;
}

void
dns_diff_ref(struct dns_diff *d)
{
	d->refs++;
}

void
dns_diff_unref(struct dns_diff *d)
{
	if (d == NULL || --d->refs > 0)
		return;
	free(d->buf);
	free(d);
}

/* ------------------------------------------------------------ journal */

/* What a difference costs the journal: its bytes and its header. */
#define DIFF_COST(d) ((d)->len + sizeof(struct dns_diff))

struct dns_journal {
	size_t max_bytes, bytes;
	struct dns_diff **diffs; /* oldest first */
	size_t n, cap;
};

struct dns_journal *
dns_journal_new(size_t max_bytes)
{
	struct dns_journal *j = calloc(1, sizeof(*j));

	if (j != NULL)
		j->max_bytes = max_bytes;
	return j;
}

void
dns_journal_clear(struct dns_journal *j)
{
	for (size_t i = 0; i < j->n; i++)
		dns_diff_unref(j->diffs[i]);
	j->n = 0;
	j->bytes = 0;
}

void
dns_journal_free(struct dns_journal *j)
{
	if (j == NULL)
		return;
	dns_journal_clear(j);
	free(j->diffs);
	free(j);
}

static void
journal_drop_oldest(struct dns_journal *j)
{
	j->bytes -= DIFF_COST(j->diffs[0]);
	dns_diff_unref(j->diffs[0]);
	memmove(j->diffs, j->diffs + 1, (j->n - 1) * sizeof(*j->diffs));
	j->n--;
}

void
dns_journal_add(struct dns_journal *j, struct dns_diff *d)
{
	if (j->n > 0 && j->diffs[j->n - 1]->to != d->from)
		dns_journal_clear(j);
	if (DIFF_COST(d) > j->max_bytes) {
		/* Larger than the journal: a client behind it needs a full transfer anyway. */
		dns_journal_clear(j);
		dns_diff_unref(d);
		return;
	}
	while (j->n > 0 && j->bytes + DIFF_COST(d) > j->max_bytes)
		journal_drop_oldest(j);
	if (j->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 8;
		struct dns_diff **n = realloc(j->diffs, cap * sizeof(*n));
		if (n == NULL) {
			/* Out of memory: no journal is still correct (AXFR-style IXFR). */
			dns_journal_clear(j);
			dns_diff_unref(d);
			return;
		}
		j->diffs = n;
		j->cap = cap;
	}
	j->diffs[j->n++] = d;
	j->bytes += DIFF_COST(d);
}

size_t
dns_journal_count(const struct dns_journal *j)
{
	return j->n;
}

size_t
dns_journal_bytes(const struct dns_journal *j)
{
	return j->bytes;
}

struct dns_diff *
dns_journal_at(const struct dns_journal *j, size_t i)
{
	return i < j->n ? j->diffs[i] : NULL;
}

bool
dns_journal_find(const struct dns_journal *j, uint32_t serial, uint32_t current, size_t *first)
{
	/* The differences follow each other (dns_journal_add), so the last must end at current. */
	if (j->n == 0 || j->diffs[j->n - 1]->to != current)
		return false;
	for (size_t i = 0; i < j->n; i++) {
		if (j->diffs[i]->from == serial) {
			*first = i;
			return true;
		}
	}
	return false;
}
