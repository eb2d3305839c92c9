/*
 * dnssec_check.c - the checks of a loaded pre-signed zone that cost one
 * walk over its nodes and its NSEC/NSEC3 indexes (zone.c builds those):
 * what makes the server give proofs a validator rejects (a broken chain, an
 * NSEC3 chain the server cannot use, an unsigned RRset) is an error; RRSIGs
 * out of their validity period, or soon, and DNSSEC records without a
 * DNSKEY are warnings.  Signatures are not verified.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dnssec_check.h"

struct dns_chk {
	const struct dns_zone *zone;
	time_t now;
	uint32_t expiry_warn;
	unsigned max;
	dns_check_fn *fn;
	void *ctx;
	struct dns_check_count count;
	bool nsec, nsec3;        /* the zone has NSEC, NSEC3 records */
	bool rrsig, nsec3param;  /* ... RRSIG records, an NSEC3PARAM at the apex */
	size_t nsec3_owners;     /* nodes with NSEC3 */
};

static void __attribute__((format(printf, 3, 4)))
chk_msg(struct dns_chk *c, bool error, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (error)
		c->count.errors++;
	else
		c->count.warnings++;
	if (c->count.errors + c->count.warnings > c->max)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->fn(c->ctx, error, msg);
}

/* One record of an RRset: false at the end (or on a length past the set). */
struct rr_iter {
	const uint8_t *p;
	uint32_t left;
};

static bool
rr_next(struct rr_iter *it, const uint8_t **rd, uint16_t *len)
{
	if (it->left < 2)
		return false;
	*len = (uint16_t)(it->p[0] << 8 | it->p[1]);
	if ((uint32_t)*len + 2 > it->left)
		return false;
	*rd = it->p + 2;
	it->p += 2 + *len;
	it->left -= 2 + (uint32_t)*len;
	return true;
}

/*
 * RFC 4034 4.1.2 type bitmap: does it list `type`?  *n gets the number of
 * types listed; false for a malformed bitmap.
 */
static bool
bitmap_scan(const uint8_t *bm, size_t len, uint16_t type, bool *has, unsigned *n)
{
	int last = -1;

	*has = false;
	*n = 0;
	while (len > 0) {
		if (len < 2 || bm[1] == 0 || bm[1] > 32 || (size_t)bm[1] + 2 > len ||
		    (int)bm[0] <= last)
			return false;
		last = bm[0];
		for (unsigned i = 0; i < bm[1]; i++)
			for (unsigned b = 0; b < 8; b++)
				if (bm[2 + i] & (0x80 >> b)) {
					(*n)++;
					if ((unsigned)bm[0] * 256 + i * 8 + b == type)
						*has = true;
				}
		len -= (size_t)bm[1] + 2;
		bm += bm[1] + 2;
	}
	return true;
}

/* The bitmap lists exactly the types of `node` (RFC 4034 4.1.2, RFC 5155 3.1.8). */
static void
check_bitmap(struct dns_chk *c, const char *what, const char *owner, const struct dns_node *node,
    const uint8_t *bm, size_t len)
{
	char tb[DNS_TYPE_STRLEN];
	unsigned n;
	bool has;

	if (!bitmap_scan(bm, len, 0, &has, &n)) {
		chk_msg(c, true, "%s of %s: malformed type bitmap", what, owner);
		return;
	}
	for (uint16_t k = 0; k < node->n_rrsets; k++) {
		uint16_t t = node->rrsets[k].type;
		bitmap_scan(bm, len, t, &has, &n);
		if (!has) {
			chk_msg(c, true, "%s of %s: its type bitmap lacks %s, which the name has",
			    what, owner, dns_type_name(t, tb));
			return;
		}
	}
	if (n != node->n_rrsets)
		chk_msg(c, true, "%s of %s: its type bitmap lists %u types, the name has %u",
		    what, owner, n, node->n_rrsets);
}

/* "20261207120000" (RFC 4034 3.2) for a serial time taken as the one nearest `now`. */
static const char *
sig_time(time_t now, uint32_t serial, char out[32])
{
	time_t t = now + (int32_t)(serial - (uint32_t)now);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y%m%d%H%M%S", &tm) == 0)
		snprintf(out, 32, "%u", serial);
	return out;
}

/* RFC 4034 3.1.5: validity periods are compared in serial number arithmetic (RFC 1982). */
static void
check_rrsigs(struct dns_chk *c, const char *owner, const struct dns_rrset *sigs)
{
	struct rr_iter it = { sigs->rdata, sigs->rdata_len };
	const uint8_t *rd;
	uint16_t len;
	uint32_t now = (uint32_t)c->now;

	while (rr_next(&it, &rd, &len)) {
		char tb[DNS_TYPE_STRLEN], t1[32];
		uint16_t covered, tag;
		uint32_t exp, inc;
		if (len < 18) {
			chk_msg(c, true, "RRSIG of %s: %u bytes, too short", owner, len);
			continue;
		}
		covered = (uint16_t)(rd[0] << 8 | rd[1]);
		exp = (uint32_t)rd[8] << 24 | (uint32_t)rd[9] << 16 | (uint32_t)rd[10] << 8 | rd[11];
		inc = (uint32_t)rd[12] << 24 | (uint32_t)rd[13] << 16 | (uint32_t)rd[14] << 8 |
		    rd[15];
		tag = (uint16_t)(rd[16] << 8 | rd[17]);
		dns_type_name(covered, tb);
		if ((int32_t)(exp - now) < 0)
			chk_msg(c, false, "RRSIG of %s %s (key tag %u) expired at %s UTC, %u days ago",
			    owner, tb, tag, sig_time(c->now, exp, t1), (now - exp) / 86400);
		else if ((int32_t)(now - inc) < 0)
			chk_msg(c, false, "RRSIG of %s %s (key tag %u) is not valid before %s UTC",
			    owner, tb, tag, sig_time(c->now, inc, t1));
		else if (exp - now < c->expiry_warn)
			chk_msg(c, false, "RRSIG of %s %s (key tag %u) expires at %s UTC, in %u hours",
			    owner, tb, tag, sig_time(c->now, exp, t1), (exp - now) / 3600);
	}
}

/* The RRSIG RRset covers `type` (RFC 4035 2.2). */
static bool
rrsig_covers(const struct dns_rrset *sigs, uint16_t type)
{
	struct rr_iter it = { sigs->rdata, sigs->rdata_len };
	const uint8_t *rd;
	uint16_t len;

	while (sigs != NULL && rr_next(&it, &rd, &len))
		if (len >= 2 && (uint16_t)(rd[0] << 8 | rd[1]) == type)
			return true;
	return false;
}

/* What the zone holds, before anything is checked. */
static void
survey(void *ctx, const struct dns_node *n)
{
	struct dns_chk *c = ctx;

	for (uint16_t k = 0; k < n->n_rrsets; k++)
		switch (n->rrsets[k].type) {
		case DNS_T_RRSIG: c->rrsig = true; break;
		case DNS_T_NSEC: c->nsec = true; break;
		case DNS_T_NSEC3: c->nsec3 = true; c->nsec3_owners++; break;
		case DNS_T_NSEC3PARAM: c->nsec3param = true; break;
		}
}

/* Per node: its signatures, its NSEC, its NSEC3. */
static void
check_node(void *ctx, const struct dns_node *n)
{
	struct dns_chk *c = ctx;
	char owner[DNS_NAME_STRLEN], tb[DNS_TYPE_STRLEN];
	const struct dns_rrset *sigs = dns_node_rrset(n, DNS_T_RRSIG);
	const struct dns_rrset *nsec = dns_node_rrset(n, DNS_T_NSEC);
	bool is_nsec3 = dns_node_rrset(n, DNS_T_NSEC3) != NULL;
	bool cut = (n->flags & DNS_NODE_DELEGATION) != 0;

	dns_name_to_text(n->name, owner);
	if (n->flags & DNS_NODE_GLUE) {
		/* Below a cut nothing is the zone's own: no NSEC there (RFC 4035 2.3). */
		if (nsec != NULL)
			chk_msg(c, true, "NSEC at %s, below a zone cut", owner);
		return;
	}
	/* RFC 4035 2.2: every authoritative RRset is signed; at a cut only DS and NSEC are. */
	for (uint16_t k = 0; k < n->n_rrsets; k++) {
		uint16_t t = n->rrsets[k].type;
		if (t == DNS_T_RRSIG || (cut && t != DNS_T_DS && t != DNS_T_NSEC))
			continue;
		if (sigs == NULL || !rrsig_covers(sigs, t))
			chk_msg(c, true, "%s %s has no RRSIG", owner, dns_type_name(t, tb));
	}
	if (sigs != NULL)
		check_rrsigs(c, owner, sigs);

	if (c->nsec && !is_nsec3) {
		/* RFC 4035 2.3: every authoritative name, delegations included, has an NSEC. */
		if (nsec == NULL && n->n_rrsets > 0)
			chk_msg(c, true, "NSEC chain: %s has no NSEC", owner);
		else if (nsec != NULL && nsec->count != 1)
			chk_msg(c, true, "%s has %u NSEC records, one expected", owner, nsec->count);
		else if (nsec != NULL) {
			int l = dns_name_wire_len(nsec->rdata + 2, nsec->rdata_len - 2);
			if (l > 0)
				check_bitmap(c, "NSEC", owner, n, nsec->rdata + 2 + l,
				    nsec->rdata_len - 2 - (size_t)l);
		}
	}
	if (c->nsec3 && dns_zone_nsec3(c->zone) && !is_nsec3) {
		const struct dns_node *m = n->nsec3;
		if (m == NULL) {
			/*
			 * RFC 5155 7.1: every authoritative name and empty
			 * non-terminal has an NSEC3, but under opt-out an
			 * unsigned delegation (and what is there only for it)
			 * may have none: its covering NSEC3 says so.
			 */
			uint8_t h[DNS_NSEC3_HASH_MAX];
			bool match, opt_out = false;
			const struct dns_node *cov;
			const struct dns_rrset *r;
			if ((n->n_rrsets == 0 || (cut && dns_node_rrset(n, DNS_T_DS) == NULL)) &&
			    dns_zone_nsec3_hash(c->zone, n->name, h) &&
			    (cov = dns_zone_nsec3_find(c->zone, h, &match)) != NULL &&
			    (r = dns_node_rrset(cov, DNS_T_NSEC3)) != NULL && r->rdata_len >= 4)
				opt_out = (r->rdata[3] & 1) != 0;
			if (!opt_out)
				chk_msg(c, true, "NSEC3 chain: %s has no NSEC3 (with the NSEC3PARAM's hash)",
				    owner);
		} else {
			const struct dns_rrset *r = dns_node_rrset(m, DNS_T_NSEC3);
			const uint8_t *rd = r->rdata + 2;
			size_t len = r->count == 1 ? r->rdata_len - 2 : 0;
			size_t off;
			if (len >= 5 && (off = 5u + rd[4]) < len && off + 1 + rd[off] <= len)
				check_bitmap(c, "NSEC3", owner, n, rd + off + 1 + rd[off],
				    len - off - 1 - rd[off]);
		}
	}
}

/* RFC 4034 4.1.1: one cycle in canonical order, the last pointing to the apex. */
static void
check_nsec_chain(struct dns_chk *c)
{
	size_t n = dns_zone_nsec_count(c->zone);
	const uint8_t *apex = dns_zone_apex(c->zone);
	char a[DNS_NAME_STRLEN], b[DNS_NAME_STRLEN], e[DNS_NAME_STRLEN];

	for (size_t i = 0; i < n; i++) {
		const struct dns_node *node = dns_zone_nsec_at(c->zone, i);
		const struct dns_rrset *r = dns_node_rrset(node, DNS_T_NSEC);
		const uint8_t *want = i + 1 < n ? dns_zone_nsec_at(c->zone, i + 1)->name : apex;
		const uint8_t *next = r->rdata + 2;
		if (r->rdata_len < 3 || dns_name_wire_len(next, r->rdata_len - 2) < 0) {
			chk_msg(c, true, "NSEC of %s: malformed next name",
			    dns_name_to_text(node->name, a));
			continue;
		}
		if (!dns_name_is_subdomain(next, apex))
			chk_msg(c, true, "NSEC chain: the NSEC of %s points to %s, outside the zone",
			    dns_name_to_text(node->name, a), dns_name_to_text(next, b));
		else if (!dns_name_equal(next, want))
			chk_msg(c, true, "NSEC chain: the NSEC of %s points to %s, but the next "
			    "NSEC owner is %s", dns_name_to_text(node->name, a),
			    dns_name_to_text(next, b), dns_name_to_text(want, e));
	}
}

static void
hash_text(const uint8_t h[DNS_NSEC3_HASH_MAX], char out[40])
{
	static const char b32[] = "0123456789abcdefghijklmnopqrstuv";
	unsigned bits = 0, o = 0;
	uint32_t acc = 0;

	for (unsigned i = 0; i < DNS_NSEC3_HASH_MAX; i++) {
		acc = (acc << 8) | h[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[o++] = b32[(acc >> bits) & 31];
		}
	}
	out[o] = '\0';
}

/* RFC 5155 7.1: the chain is closed in hash order, every NSEC3 with the NSEC3PARAM's values. */
static void
check_nsec3_chain(struct dns_chk *c)
{
	size_t n = dns_zone_nsec3_count(c->zone);
	uint16_t iter;
	const uint8_t *salt;
	uint8_t salt_len;
	char a[DNS_NAME_STRLEN], hb[40], hw[40];

	if (!c->nsec3param) {
		chk_msg(c, true, "NSEC3 records but no NSEC3PARAM at the apex: no NSEC3 proofs "
		    "are served (RFC 5155 4)");
		return;
	}
	if (!c->nsec3) {
		chk_msg(c, true, "NSEC3PARAM at the apex but no NSEC3 records");
		return;
	}
	if (!dns_zone_nsec3_param(c->zone, &iter, &salt, &salt_len)) {
		chk_msg(c, true, "no NSEC3PARAM with hash algorithm 1 (SHA-1) and flags 0: no "
		    "NSEC3 proofs are served (RFC 5155 4.1)");
		return;
	}
	if (n != c->nsec3_owners)
		chk_msg(c, true, "%zu NSEC3 owners are not a base32hex SHA-1 hash directly "
		    "below the apex (RFC 5155 3)", c->nsec3_owners - n);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *h, *hn;
		const struct dns_node *node = dns_zone_nsec3_at(c->zone, i, &h);
		const struct dns_rrset *r = dns_node_rrset(node, DNS_T_NSEC3);
		const uint8_t *rd = r->rdata + 2;
		size_t len = r->rdata_len - 2;
		dns_zone_nsec3_at(c->zone, (i + 1) % n, &hn);
		dns_name_to_text(node->name, a);
		if (r->count != 1) {
			chk_msg(c, true, "%s has %u NSEC3 records, one expected", a, r->count);
			continue;
		}
		if (len < 5 || (size_t)5 + rd[4] + 1 > len ||
		    (size_t)6 + rd[4] + rd[5 + rd[4]] > len) {
			chk_msg(c, true, "NSEC3 of %s: malformed", a);
			continue;
		}
		if (rd[0] != 1 || (uint16_t)(rd[2] << 8 | rd[3]) != iter || rd[4] != salt_len ||
		    memcmp(rd + 5, salt, salt_len) != 0) {
			chk_msg(c, true, "NSEC3 of %s: hash algorithm, iterations or salt differ "
			    "from the NSEC3PARAM's", a);
			continue;
		}
		if (rd[5 + rd[4]] != DNS_NSEC3_HASH_MAX ||
		    memcmp(rd + 6 + rd[4], hn, DNS_NSEC3_HASH_MAX) != 0) {
			uint8_t got[DNS_NSEC3_HASH_MAX] = { 0 };
			if (rd[5 + rd[4]] == DNS_NSEC3_HASH_MAX)
				memcpy(got, rd + 6 + rd[4], DNS_NSEC3_HASH_MAX);
			hash_text(got, hb);
			hash_text(hn, hw);
			chk_msg(c, true, "NSEC3 chain: the NSEC3 of %s points to %s, but the next "
			    "NSEC3 owner hash is %s", a, hb, hw);
		}
	}
}

struct dns_check_count
dns_zone_dnssec_check(const struct dns_zone *zone, time_t now, uint32_t expiry_warn,
    unsigned max, dns_check_fn *fn, void *ctx)
{
	struct dns_chk c = { .zone = zone, .now = now, .expiry_warn = expiry_warn, .max = max,
	    .fn = fn, .ctx = ctx };

	dns_zone_walk(zone, survey, &c);
	if (!dns_zone_signed(zone)) {
		if (c.rrsig || c.nsec || c.nsec3 || c.nsec3param)
			chk_msg(&c, false, "RRSIG, NSEC or NSEC3 records but no DNSKEY at the apex: "
			    "served as an unsigned zone");
		return c.count;
	}
	if (!c.nsec && !c.nsec3)
		chk_msg(&c, true, "signed (DNSKEY at the apex) but without NSEC or NSEC3: no "
		    "denial of existence can be proven");
	if (c.nsec3 || c.nsec3param)
		check_nsec3_chain(&c);
	dns_zone_walk(zone, check_node, &c);
	if (c.nsec)
		check_nsec_chain(&c);
	return c.count;
}
