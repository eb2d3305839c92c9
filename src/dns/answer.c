/*
 * answer.c - one DNS query in, one reply out: RFC 1034 4.3.2 over the zone
 * set, with RFC 4592 wildcards, RFC 6672 DNAME, RFC 2308 negative answers,
 * RFC 4035 / RFC 5155 DNSSEC records of pre-signed zones,
 * RFC 8482 minimal ANY, RFC 6891 EDNS0, RFC 5001 NSID and the CHAOS
 * identity names.
 *
 * Everything lives on the stack of dns_answer(): no allocation, no locks,
 * no globals, no stdio, so workers call it in parallel.  The zone set is
 * only read.
 *
 * Deliberate choices (the README lists them too):
 * - QR=1 and messages shorter than a header are dropped (return 0).
 * - Bytes after the last counted record are ignored: they are never read
 *   nor echoed, so they are harmless (NSD does the same).
 * - FORMERR for a malformed message, QDCOUNT != 1, or records in the
 *   answer or authority section of a query (as NSD).  A FORMERR reply
 *   echoes the question only when there was exactly one and it parsed, and
 *   carries an OPT only when the query's OPT was itself well formed.
 * - NOTIMP for opcodes other than QUERY (question echoed when parsable),
 *   and for QTYPE 0.
 * - AXFR and IXFR do not come here in riposte-dns: the workers give them
 *   to xfrout.c (over TCP through the main thread, xfrd.c, which streams
 *   them when `allow-transfer` admits the client; over UDP dns_xfr_udp():
 *   AXFR REFUSED, IXFR our SOA alone, RFC 1995 4).  Asked here directly
 *   (tests, fuzzers), they are REFUSED.
 * - A TSIG-signed query is REFUSED: we hold no keys (NSD refuses unknown
 *   keys the same way).
 * - QTYPE ANY (RFC 8482 4.2): one RRset, the first of the node in type
 *   order, over UDP and TCP alike; an empty non-terminal gives NODATA.
 * - QCLASS ANY is answered from the IN data with AA clear (as NSD); other
 *   classes but IN and CH are REFUSED.  CH: TXT (or ANY) for id.server and
 *   hostname.bind (the identity) and version.bind / version.server (the
 *   version, REFUSED when hidden), AA set, TTL 0; anything else REFUSED.
 * - DS at a zone cut is the parent's (RFC 4035 3.1.4.1): answered from
 *   the parent side, the DS RRset if present, else NODATA with the
 *   parent's SOA; DS for the apex of a zone we serve is answered from its
 *   parent zone when we serve that too, else NODATA from the zone itself.
 * - CNAME chains are followed into any of our zones, at most 16 links,
 *   and stop at the first RRset seen twice (a loop): the reply then holds
 *   the chain so far with NOERROR.  NXDOMAIN after a chain reflects the
 *   last name (RFC 6604 2.1).
 * - Truncation: when an RRset of the answer or authority section, or the
 *   glue of a referral (RFC 9471), does not fit, the reply is the header,
 *   the question and the OPT with TC=1 and empty sections; additional
 *   data for NS/MX/SRV targets that does not fit is left out without TC
 *   (RFC 2181 9).
 * - Minimal responses: no NS RRset in the authority section of positive
 *   answers.
 * - DNSSEC of pre-signed zones (RFC 4035 3.1, RFC 5155 7.2), only with
 *   DO=1: every RRset goes with the RRSIGs at its owner that cover its
 *   type (a wildcard's, under the name asked); denial proofs (NSEC, or
 *   NSEC3 when the zone has a usable NSEC3PARAM) wait in a list and go
 *   into the authority section after the SOA, before any additional data,
 *   so that a CNAME chain can still add answer records.  A proof that
 *   does not fit truncates like any required RRset.
 * - Additional data: A and AAAA of NS, MX and SRV targets that exist by
 *   exact name in one of our zones, not at or below a cut (no wildcard
 *   expansion for targets); referral glue only from the referring zone.
 * - DNAME (RFC 6672): the DNAME, a synthesized CNAME with the DNAME's
 *   TTL, then the new name, within the same 16-link budget; YXDOMAIN when
 *   the new name would exceed 255 bytes.  A wildcard owning NS gives a
 *   referral to it (RFC 4592 4.2 leaves it undefined; Knot does this).
 * - NSID payload: the identity, at most 255 bytes, left out when even an
 *   empty reply would not fit with it.
 */
#include "answer.h"

#include <string.h>

#include "wire.h"

#define CHAIN_MAX 16         /* CNAME/DNAME links followed */
#define SEEN_MAX 32          /* RRsets remembered against duplicates */
#define NSID_MAX 255
#define CHAOS_TXT_MAX 1024   /* identity or version text served in CH TXT */
#define DEFAULT_MAX_UDP 1232 /* answer.h: conf->max_udp's default */
#define PROOF_MAX 16         /* NSEC/NSEC3 RRsets waiting for the authority section */

enum lookup_kind { L_EXACT, L_WILDCARD, L_REFERRAL, L_DNAME, L_NXDOMAIN };

struct ans {
	const struct dns_answer_conf *conf;
	const struct dns_zoneset *zones;
	const struct dns_msg *q;
	struct dns_answer_stats *stats;
	struct dns_writer wr;
	struct dns_wire_mark body; /* after the question: where truncation goes back to */
	uint16_t qtype;
	int rcode;
	bool aa;
	bool tc;
	bool opt;
	bool nsid;
	bool dnssec;    /* DO=1 (RFC 3225 3): signatures and denial proofs */
	uint16_t nsid_len;
	size_t opt_size;
	unsigned nseen, hops, nproof;
	const struct dns_rrset *seen[SEEN_MAX];
	/* NSEC/NSEC3 owners whose RRset (of proof_type) goes into the authority section. */
	const struct dns_node *proof[PROOF_MAX];
	uint16_t proof_type[PROOF_MAX];
	const struct dns_rrset *chain[CHAIN_MAX];
	uint8_t sname[DNS_NAME_MAX]; /* the name being answered: lowercase wire */
};

static size_t
name_len(const uint8_t *name)
{
	const uint8_t *p = name;
	while (*p != 0)
		p += 1 + *p;
	return (size_t)(p - name) + 1;
}

static bool
seen(const struct ans *a, const struct dns_rrset *rr)
{
	for (unsigned i = 0; i < a->nseen; i++)
		if (a->seen[i] == rr)
			return true;
	return false;
}

static void
seen_add(struct ans *a, const struct dns_rrset *rr)
{
	if (a->nseen < SEEN_MAX)
		a->seen[a->nseen++] = rr;
}

/* Walk the records of an RRset: *rd, *len for record i (storage layout of zone.h). */
static bool
rrset_next(struct cursor *c, const uint8_t **rd, uint16_t *len)
{
	*len = cur_u16(c);
	*rd = c->buf + c->pos;
	cur_skip(c, *len);
	return !c->err;
}

/*
 * An RRset with, when DO is set, the RRSIGs at `node` that cover its type
 * (RFC 4035 3.1.1, with the RRset's TTL, RFC 4034 3): all of it or none.
 * node NULL: an RRset that has no signatures (a synthesized CNAME).
 */
static int
write_signed(struct ans *a, enum dns_section sec, const uint8_t *owner,
    const struct dns_node *node, const struct dns_rrset *rr, uint32_t ttl)
{
	const struct dns_rrset *sigs;
	struct dns_wire_mark mk;
	struct cursor c;
	const uint8_t *rd;
	uint16_t len;

	dns_wire_mark(&a->wr, &mk);
	if (dns_wire_rrset(&a->wr, sec, owner, DNS_C_IN, rr, ttl) != DNS_WIRE_OK)
		return -1;
	if (!a->dnssec || node == NULL || rr->type == DNS_T_RRSIG ||
	    (sigs = dns_node_rrset(node, DNS_T_RRSIG)) == NULL)
		return 0;
	cur_init(&c, sigs->rdata, sigs->rdata_len);
	for (uint16_t i = 0; i < sigs->count && rrset_next(&c, &rd, &len); i++) {
		/* RFC 4034 3.1.1: Type Covered, the first two bytes. */
		if (len < 18 || (uint16_t)(rd[0] << 8 | rd[1]) != rr->type)
			continue;
		if (dns_wire_rr(&a->wr, sec, owner, DNS_T_RRSIG, DNS_C_IN, ttl, rd, len) !=
		    DNS_WIRE_OK) {
			dns_wire_rollback(&a->wr, &mk);
			return -1;
		}
	}
	return 0;
}

/* An RRset that must be in the reply: if it does not fit, the reply is truncated. */
static void
put(struct ans *a, enum dns_section sec, const uint8_t *owner, const struct dns_node *node,
    const struct dns_rrset *rr, uint32_t ttl)
{
	if (a->tc)
		return;
	if (write_signed(a, sec, owner, node, rr, ttl) != 0)
		a->tc = true;
	else
		seen_add(a, rr);
}

/*
 * The RRSIGs at a name, asked for by type: the zone keeps them as one
 * RRset, but each has the TTL of the RRset it covers (RFC 4034 3), or its
 * Original TTL when that RRset is not there.  All of them, or TC.
 */
static void
put_rrsigs(struct ans *a, const struct dns_node *node, const struct dns_rrset *sigs)
{
	struct dns_wire_mark mk;
	struct cursor c;
	const uint8_t *rd;
	uint16_t len;

	if (a->tc)
		return;
	dns_wire_mark(&a->wr, &mk);
	cur_init(&c, sigs->rdata, sigs->rdata_len);
	for (uint16_t i = 0; i < sigs->count && rrset_next(&c, &rd, &len); i++) {
		const struct dns_rrset *cov;
		uint32_t ttl = sigs->ttl;

		if (len >= 8) {
			cov = dns_node_rrset(node, (uint16_t)(rd[0] << 8 | rd[1]));
			ttl = cov != NULL ? cov->ttl : ((uint32_t)rd[4] << 24 | (uint32_t)rd[5] << 16 |
			    (uint32_t)rd[6] << 8 | rd[7]);
		}
		if (dns_wire_rr(&a->wr, DNS_SEC_ANSWER, a->sname, DNS_T_RRSIG, DNS_C_IN, ttl, rd,
		    len) != DNS_WIRE_OK) {
			dns_wire_rollback(&a->wr, &mk);
			a->tc = true;
			return;
		}
	}
	seen_add(a, sigs);
}

/* A denial RRset (NSEC or NSEC3 at `node`) for the authority section, written by flush_proofs. */
static void
proof(struct ans *a, const struct dns_node *node, uint16_t type)
{
	if (node == NULL || dns_node_rrset(node, type) == NULL)
		return;
	for (unsigned i = 0; i < a->nproof; i++)
		if (a->proof[i] == node && a->proof_type[i] == type)
			return;
	if (a->nproof < PROOF_MAX) {
		a->proof[a->nproof] = node;
		a->proof_type[a->nproof++] = type;
	}
}

/*
 * The proofs gathered so far, after the answer and the SOA: a CNAME chain
 * may add answer records after a link that needed a proof, so they wait
 * until the authority section is the one being written.
 */
static void
flush_proofs(struct ans *a)
{
	for (unsigned i = 0; i < a->nproof; i++) {
		const struct dns_rrset *rr = dns_node_rrset(a->proof[i], a->proof_type[i]);
		if (rr != NULL && !seen(a, rr))
			put(a, DNS_SEC_AUTHORITY, a->proof[i]->name, a->proof[i], rr, rr->ttl);
	}
	a->nproof = 0;
}

/* The name in the first record of an RRset at offset `skip` of its rdata, or NULL. */
static const uint8_t *
rdata_name(const uint8_t *rd, uint16_t len, size_t skip)
{
	if (len <= skip || dns_name_wire_len(rd + skip, len - skip) != (int)(len - skip))
		return NULL;
	return rd + skip;
}


/* RFC 2308 3 and 5: the zone's SOA, its TTL lowered to the SOA MINIMUM. */
static void
negative(struct ans *a, const struct dns_zone *zone)
{
	const struct dns_rrset *soa = dns_zone_soa(zone);
	struct cursor c;
	const uint8_t *rd;
	uint16_t len;
	uint32_t ttl;

	if (soa == NULL || soa->count == 0)
		return;
	ttl = soa->ttl;
	cur_init(&c, soa->rdata, soa->rdata_len);
	if (rrset_next(&c, &rd, &len) && len >= 22) {
		uint32_t min = ((uint32_t)rd[len - 4] << 24) | ((uint32_t)rd[len - 3] << 16) |
		    ((uint32_t)rd[len - 2] << 8) | rd[len - 1];
		if (min < ttl)
			ttl = min;
	}
	put(a, DNS_SEC_AUTHORITY, dns_zone_apex(zone), dns_zone_apex_node(zone), soa, ttl);
}

/* Optional additional data (RFC 1034 4.3.2 step 6): left out when it does not fit. */
static void
add_addresses(struct ans *a, const struct dns_node *node, bool required)
{
	static const uint16_t types[] = { DNS_T_A, DNS_T_AAAA };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const struct dns_rrset *rr = dns_node_rrset(node, types[i]);
		if (rr == NULL || seen(a, rr) || a->tc)
			continue;
		flush_proofs(a); /* the authority section closes here */
		if (a->tc)
			return;
		if (write_signed(a, DNS_SEC_ADDITIONAL, node->name, node, rr, rr->ttl) == 0)
			seen_add(a, rr);
		else if (required)
			a->tc = true; /* RFC 9471 3: in-domain glue must fit */
	}
}

/* A and AAAA of the targets of NS, MX and SRV records inside our zones (RFC 1034 3.6.2, RFC 2782). */
static void
additional(struct ans *a, const struct dns_rrset *rrset)
{
	struct cursor c;
	const uint8_t *rd, *target;
	uint16_t len;
	size_t skip;
	uint8_t lc[DNS_NAME_MAX];

	switch (rrset->type) {
	case DNS_T_NS:
		skip = 0;
		break;
	case DNS_T_MX:
		skip = 2;
		break;
	case DNS_T_SRV:
		skip = 6;
		break;
	default:
		return;
	}
	cur_init(&c, rrset->rdata, rrset->rdata_len);
	for (uint16_t i = 0; i < rrset->count && rrset_next(&c, &rd, &len); i++) {
		if ((target = rdata_name(rd, len, skip)) == NULL || *target == 0)
			continue;
		dns_name_lower(lc, target);
		const struct dns_zone *z = dns_zoneset_find(a->zones, lc);
		if (z == NULL)
			continue;
		const struct dns_node *n = dns_zone_lookup(z, lc);
		/* Data at or below a cut is not ours to give as authoritative. */
		if (n == NULL || (n->flags & (DNS_NODE_GLUE | DNS_NODE_DELEGATION)))
			continue;
		add_addresses(a, n, false);
	}
}

static void referral_ds(struct ans *a, const struct dns_zone *zone, const struct dns_node *cut);

/* RFC 1034 4.3.2 step 3.b: a referral to the servers of the cut, with their glue. */
static void
referral(struct ans *a, const struct dns_zone *zone, const struct dns_node *cut)
{
	const struct dns_rrset *ns = dns_node_rrset(cut, DNS_T_NS);
	const uint8_t *apex = dns_zone_apex(zone), *rd, *target;
	struct cursor c;
	uint16_t len;
	uint8_t lc[DNS_NAME_MAX];

	if (ns == NULL) {
		negative(a, zone);
		return;
	}
	put(a, DNS_SEC_AUTHORITY, cut->name, cut, ns, ns->ttl);
	if (a->dnssec && dns_zone_signed(zone))
		referral_ds(a, zone, cut);
	cur_init(&c, ns->rdata, ns->rdata_len);
	for (uint16_t i = 0; i < ns->count && rrset_next(&c, &rd, &len); i++) {
		if ((target = rdata_name(rd, len, 0)) == NULL)
			continue;
		dns_name_lower(lc, target);
		/* Glue comes from this zone only: anything else is out of bailiwick. */
		if (!dns_name_is_subdomain(lc, apex))
			continue;
		const struct dns_node *n = dns_zone_lookup(zone, lc);
		if (n != NULL)
			add_addresses(a, n, dns_name_is_subdomain(lc, cut->name));
	}
}

/*
 * A name of the zone: an NSEC3 owner (only NSEC3 and its RRSIGs) is not
 * one, it lives in a hashed tree of its own (RFC 5155 7.2.8).
 */
static const struct dns_node *
lookup(const struct dns_zone *zone, const uint8_t *name)
{
	const struct dns_node *n = dns_zone_lookup(zone, name);

	if (n != NULL && n->n_rrsets > 0 && dns_node_rrset(n, DNS_T_NSEC3) != NULL) {
		for (uint16_t i = 0; i < n->n_rrsets; i++)
			if (n->rrsets[i].type != DNS_T_NSEC3 && n->rrsets[i].type != DNS_T_RRSIG)
				return n;
		return NULL;
	}
	return n;
}

/* The topmost zone cut between the apex and `name` (RFC 1034 4.3.2 step 3.b), or NULL. */
static const struct dns_node *
find_cut(const struct dns_zone *zone, const uint8_t *name, unsigned nl, unsigned al)
{
	for (unsigned k = al + 1; k <= nl; k++) {
		const struct dns_node *n = lookup(zone, dns_name_skip(name, nl - k));
		if (n == NULL)
			return NULL;
		if (n->flags & DNS_NODE_DELEGATION)
			return n;
	}
	return NULL;
}

/*
 * Where `name` (lowercase, inside the zone) leads.  Every name between the
 * apex and an owner is a node (zone.h), so one lookup tells whether the
 * name exists; if not, the closest encloser is the longest ancestor that
 * does (RFC 4592 3.3.1), and the wildcard applies only there.
 */
static enum lookup_kind
find(const struct dns_zone *zone, const uint8_t *name, uint16_t qtype,
    const struct dns_node **out)
{
	const struct dns_node *apex = dns_zone_apex_node(zone), *n, *ce, *cut;
	unsigned nl, al;

	*out = NULL;
	if (apex == NULL)
		return L_NXDOMAIN;
	al = apex->labels;
	n = lookup(zone, name);
	if (n != NULL) {
		if (n != apex && (n->flags & (DNS_NODE_DELEGATION | DNS_NODE_GLUE))) {
			/* zone.h: DELEGATION marks the topmost cut only. */
			cut = (n->flags & DNS_NODE_DELEGATION) ? n :
			    find_cut(zone, name, n->labels, al);
			/* RFC 4035 3.1.4.1: DS at the cut is the parent's own data. */
			if (cut != NULL && !(cut == n && qtype == DNS_T_DS)) {
				*out = cut;
				return L_REFERRAL;
			}
		}
		*out = n;
		return L_EXACT;
	}
	nl = dns_name_labels(name);
	ce = apex;
	for (unsigned k = nl - 1; k > al; k--) {
		n = lookup(zone, dns_name_skip(name, nl - k));
		if (n != NULL) {
			ce = n;
			break;
		}
	}
	if (ce != apex && (ce->flags & (DNS_NODE_DELEGATION | DNS_NODE_GLUE))) {
		cut = (ce->flags & DNS_NODE_DELEGATION) ? ce : find_cut(zone, name, nl, al);
		if (cut != NULL) {
			*out = cut;
			return L_REFERRAL;
		}
	}
	if (dns_node_rrset(ce, DNS_T_DNAME) != NULL) {
		*out = ce;
		return L_DNAME;
	}
	if ((ce->flags & DNS_NODE_WILDCARD) && (size_t)ce->name_len + 2 <= DNS_NAME_MAX) {
		uint8_t wc[DNS_NAME_MAX];
		wc[0] = 1;
		wc[1] = '*';
		memcpy(wc + 2, ce->name, ce->name_len);
		if ((n = lookup(zone, wc)) != NULL) {
			*out = n;
			/* A wildcard owning NS (RFC 4592 4.2): a referral, as Knot does. */
			return (n->flags & DNS_NODE_DELEGATION) ? L_REFERRAL : L_WILDCARD;
		}
	}
	*out = ce;
	return L_NXDOMAIN;
}

/* ------------------------------------------------ DNSSEC denial of existence */

/* RFC 4035 3.1.3.2: the NSEC that matches or covers `name`. */
static void
nsec_cover(struct ans *a, const struct dns_zone *zone, const uint8_t *name)
{
	proof(a, dns_zone_nsec_find(zone, name), DNS_T_NSEC);
}

/* "*.<name>" into wc; false when it would be too long. */
static bool
wildcard_of(const uint8_t *name, uint8_t wc[DNS_NAME_MAX])
{
	size_t n = name_len(name);

	if (n + 2 > DNS_NAME_MAX)
		return false;
	wc[0] = 1;
	wc[1] = '*';
	memcpy(wc + 2, name, n);
	return true;
}

/* The NSEC3 that matches or covers the hash of `name` (RFC 5155 7.2). */
static void
nsec3_cover(struct ans *a, const struct dns_zone *zone, const uint8_t *name)
{
	uint8_t h[DNS_NSEC3_HASH_MAX];
	bool match;

	if (dns_zone_nsec3_hash(zone, name, h))
		proof(a, dns_zone_nsec3_find(zone, h, &match), DNS_T_NSEC3);
}

/*
 * RFC 5155 7.2.1: the closest (provable) encloser proof of `name`: the
 * NSEC3 matching the longest ancestor that has one, and the NSEC3 covering
 * the next closer name; with `wild` also the one covering the wildcard at
 * the encloser (7.2.2).  An ancestor without NSEC3 (opt-out, or below a
 * cut) is skipped, which gives the closest provable encloser of 7.2.4.
 */
static void
nsec3_encloser(struct ans *a, const struct dns_zone *zone, const uint8_t *name, bool wild)
{
	unsigned nl = dns_name_labels(name), al = dns_zone_apex_node(zone)->labels;
	uint8_t wc[DNS_NAME_MAX];

	for (unsigned k = nl + 1; k-- > al;) {
		const struct dns_node *n = lookup(zone, dns_name_skip(name, nl - k));
		if (n == NULL || n->nsec3 == NULL)
			continue;
		proof(a, n->nsec3, DNS_T_NSEC3);
		if (k < nl)
			nsec3_cover(a, zone, dns_name_skip(name, nl - k - 1));
		if (wild && wildcard_of(n->name, wc))
			nsec3_cover(a, zone, wc);
		return;
	}
}

/* NXDOMAIN (RFC 4035 3.1.3.2, RFC 5155 7.2.2): the name and the wildcard at `ce` do not exist. */
static void
deny_name(struct ans *a, const struct dns_zone *zone, const struct dns_node *ce)
{
	uint8_t wc[DNS_NAME_MAX];

	if (!a->dnssec)
		return;
	if (dns_zone_nsec3(zone)) {
		nsec3_encloser(a, zone, a->sname, true);
		return;
	}
	nsec_cover(a, zone, a->sname);
	if (wildcard_of(ce->name, wc))
		nsec_cover(a, zone, wc);
}

/*
 * NODATA at a node that exists (RFC 4035 3.1.3.1, RFC 5155 7.2.3): its
 * NSEC or NSEC3; an empty non-terminal has no NSEC, the one covering it
 * proves it has no data; without a matching NSEC3 (opt-out, DS at an
 * insecure cut) the closest provable encloser (RFC 5155 7.2.4).
 */
static void
deny_type(struct ans *a, const struct dns_zone *zone, const struct dns_node *node)
{
	if (!a->dnssec)
		return;
	if (dns_zone_nsec3(zone)) {
		if (node->nsec3 != NULL)
			proof(a, node->nsec3, DNS_T_NSEC3);
		else
			nsec3_encloser(a, zone, node->name, false);
	} else if (dns_node_rrset(node, DNS_T_NSEC) != NULL) {
		proof(a, node, DNS_T_NSEC);
	} else {
		nsec_cover(a, zone, node->name);
	}
}

/*
 * An answer from the wildcard `wc` (RFC 4035 3.1.3.3, RFC 5155 7.2.6): the
 * name asked does not exist, proven by the NSEC(3) covering it (NSEC3: the
 * next closer name, one label below the wildcard's parent).
 */
static void
deny_exact(struct ans *a, const struct dns_zone *zone, const struct dns_node *wc)
{
	unsigned nl = dns_name_labels(a->sname);

	if (!a->dnssec)
		return;
	if (!dns_zone_nsec3(zone))
		nsec_cover(a, zone, a->sname);
	else if (nl >= wc->labels)
		nsec3_cover(a, zone, dns_name_skip(a->sname, nl - wc->labels));
}

/* A referral's DS and its signatures, or the proof that there is none (RFC 4035 3.1.4). */
static void
referral_ds(struct ans *a, const struct dns_zone *zone, const struct dns_node *cut)
{
	const struct dns_rrset *ds = dns_node_rrset(cut, DNS_T_DS);

	if (ds != NULL)
		put(a, DNS_SEC_AUTHORITY, cut->name, cut, ds, ds->ttl);
	else
		deny_type(a, zone, cut); /* RFC 5155 7.2.7: with opt-out, the covering NSEC3 */
}

/*
 * May this CNAME or DNAME RRset go into the answer?  Not when it is
 * already there (the chain loops), nor beyond CHAIN_MAX links: the
 * resolver goes on from the last target (RFC 1034 4.3.2 step 3.a).
 */
static bool
chain_visit(struct ans *a, const struct dns_rrset *rr)
{
	if (a->hops >= CHAIN_MAX)
		return false;
	for (unsigned i = 0; i < a->hops; i++)
		if (a->chain[i] == rr)
			return false;
	a->chain[a->hops++] = rr;
	return true;
}

/*
 * The answer at a node that matched (exactly, or as the source of a
 * wildcard: the owner is then the name asked, RFC 4592 3.3.1).  Returns
 * true when a CNAME was written and a->sname is now its target.
 */
static bool
answer_node(struct ans *a, const struct dns_zone *zone, const struct dns_node *node, bool wild)
{
	const struct dns_rrset *rr;

	if (wild)
		deny_exact(a, zone, node); /* every answer from a wildcard, NODATA too */
	if (a->qtype == DNS_T_ANY) {
		if (node->n_rrsets == 0) {
			negative(a, zone);
			deny_type(a, zone, node);
			return false;
		}
		/* RFC 8482 4.2: one RRset is enough; the first in type order. */
		rr = &node->rrsets[0];
		put(a, DNS_SEC_ANSWER, a->sname, node, rr, rr->ttl);
		additional(a, rr);
		return false;
	}
	/*
	 * RFC 1034 4.3.2 step 3.a; a CNAME asked for is not followed, nor
	 * for RRSIG or NSEC, which stand beside a CNAME (RFC 4035 2.5).
	 */
	if (a->qtype != DNS_T_CNAME && a->qtype != DNS_T_RRSIG && a->qtype != DNS_T_NSEC &&
	    (rr = dns_node_rrset(node, DNS_T_CNAME)) != NULL) {
		struct cursor c;
		const uint8_t *rd, *target;
		uint16_t len;

		if (!chain_visit(a, rr))
			return false;
		put(a, DNS_SEC_ANSWER, a->sname, node, rr, rr->ttl);
		cur_init(&c, rr->rdata, rr->rdata_len);
		if (a->tc || !rrset_next(&c, &rd, &len) || (target = rdata_name(rd, len, 0)) == NULL)
			return false;
		dns_name_lower(a->sname, target);
		return true;
	}
	rr = dns_node_rrset(node, a->qtype);
	if (rr != NULL && rr->type == DNS_T_RRSIG) {
		put_rrsigs(a, node, rr);
		return false;
	}
	if (rr == NULL) {
		negative(a, zone); /* NODATA, RFC 2308 2.2 */
		/* RFC 5155 7.2.5: a wildcard NODATA also needs the closest encloser proof. */
		if (wild && a->dnssec && dns_zone_nsec3(zone))
			nsec3_encloser(a, zone, a->sname, false);
		deny_type(a, zone, node);
		return false;
	}
	put(a, DNS_SEC_ANSWER, a->sname, node, rr, rr->ttl);
	additional(a, rr);
	return false;
}

/*
 * RFC 6672 2.2 and 3.1: the DNAME, then a CNAME synthesized from it (owner
 * the name asked, TTL the DNAME's), then on to the new name.  YXDOMAIN
 * when the new name would be longer than 255 bytes.
 */
static bool
answer_dname(struct ans *a, const struct dns_node *node)
{
	const struct dns_rrset *rr = dns_node_rrset(node, DNS_T_DNAME);
	struct cursor c;
	const uint8_t *rd, *target;
	uint16_t len;
	uint8_t next[DNS_NAME_MAX];
	size_t slen = name_len(a->sname), prefix, tlen;

	if (!chain_visit(a, rr))
		return false;
	put(a, DNS_SEC_ANSWER, node->name, node, rr, rr->ttl);
	cur_init(&c, rr->rdata, rr->rdata_len);
	if (a->tc || !rrset_next(&c, &rd, &len) || (target = rdata_name(rd, len, 0)) == NULL)
		return false;
	prefix = slen - node->name_len;
	tlen = len;
	if (prefix + tlen > DNS_NAME_MAX) {
		a->rcode = DNS_RCODE_YXDOMAIN;
		return false;
	}
	memcpy(next, a->sname, prefix);
	memcpy(next + prefix, target, tlen);
	if (dns_wire_rr(&a->wr, DNS_SEC_ANSWER, a->sname, DNS_T_CNAME, DNS_C_IN, rr->ttl, next,
	    (uint16_t)(prefix + tlen)) != DNS_WIRE_OK) {
		a->tc = true;
		return false;
	}
	dns_name_lower(a->sname, next);
	return true;
}

/* The zone that answers for `name`; DS at an apex goes to the parent zone (RFC 4035 3.1.4.1). */
static const struct dns_zone *
zone_for(const struct ans *a, const uint8_t *name)
{
	const struct dns_zone *z = dns_zoneset_find(a->zones, name), *p;

	if (z != NULL && a->qtype == DNS_T_DS && *name != 0 &&
	    dns_name_equal(name, dns_zone_apex(z)) &&
	    (p = dns_zoneset_find(a->zones, dns_name_skip(name, 1))) != NULL)
		z = p;
	return z;
}

/* RFC 1034 4.3.2 steps 3-6, following CNAMEs and DNAMEs through our zones. */
static void
answer_auth(struct ans *a, const struct dns_zone *zone)
{
	for (;;) {
		const struct dns_node *node;
		bool follow = false;

		enum lookup_kind kind = find(zone, a->sname, a->qtype, &node);

		switch (kind) {
		case L_REFERRAL:
			if (a->hops == 0)
				a->aa = false; /* not authoritative below a cut */
			referral(a, zone, node);
			break;
		case L_NXDOMAIN:
			a->rcode = DNS_RCODE_NXDOMAIN; /* RFC 6604 2.1: for the last name */
			negative(a, zone);
			deny_name(a, zone, node);
			break;
		case L_DNAME:
			follow = answer_dname(a, node);
			break;
		case L_EXACT:
		case L_WILDCARD:
			follow = answer_node(a, zone, node, kind == L_WILDCARD);
			break;
		}
		/* RFC 1034 4.3.2 step 3.a: go on only while the target is ours (and served). */
		if (!follow || a->tc || (zone = zone_for(a, a->sname)) == NULL ||
		    !dns_zone_available(zone))
			break;
	}
	flush_proofs(a);
}

static bool
name_is(const uint8_t *lc, size_t lclen, const char *wire, size_t len)
{
	return lclen == len && memcmp(lc, wire, len) == 0;
}

/* CHAOS identity (RFC 4892 for id.server; hostname.bind and version.bind by custom). */
static void
answer_chaos(struct ans *a)
{
	uint8_t lc[DNS_NAME_MAX], rd[CHAOS_TXT_MAX + CHAOS_TXT_MAX / 255 + 1];
	const char *text = NULL;
	size_t tlen, o = 0;

	a->stats->chaos++;
	size_t n = dns_name_lower(lc, a->q->qname);
	if (name_is(lc, n, "\002id\006server", 11) || name_is(lc, n, "\010hostname\004bind", 15))
		text = a->conf->identity;
	else if (name_is(lc, n, "\007version\004bind", 14) ||
	    name_is(lc, n, "\007version\006server", 16))
		text = a->conf->version;
	if (text == NULL || *text == '\0' ||
	    (a->qtype != DNS_T_TXT && a->qtype != DNS_T_ANY)) {
		a->rcode = DNS_RCODE_REFUSED;
		return;
	}
	tlen = strlen(text);
	if (tlen > CHAOS_TXT_MAX)
		tlen = CHAOS_TXT_MAX;
	/* RFC 1035 3.3.14: character-strings of at most 255 bytes. */
	for (size_t i = 0; i < tlen; i += 255) {
		size_t chunk = tlen - i < 255 ? tlen - i : 255;
		rd[o++] = (uint8_t)chunk;
		memcpy(rd + o, text + i, chunk);
		o += chunk;
	}
	a->aa = true;
	if (dns_wire_rr(&a->wr, DNS_SEC_ANSWER, lc, DNS_T_TXT, DNS_C_CH, 0, rd,
	    (uint16_t)o) != DNS_WIRE_OK)
		a->tc = true;
}

/* Our reply's size limit (RFC 1035 4.2.1, RFC 6891 6.2.3-6.2.5, RFC 7766 8). */
static size_t
reply_limit(const struct dns_answer_conf *conf, const struct dns_msg *q, bool opt, bool tcp,
    size_t cap)
{
	size_t limit = DNS_UDP_MIN;

	if (tcp) {
		limit = DNS_TCP_MAX;
	} else if (opt) {
		size_t ours = conf->max_udp != 0 ? conf->max_udp : DEFAULT_MAX_UDP;
		limit = q->edns_udp < ours ? q->edns_udp : ours;
		if (limit < DNS_UDP_MIN)
			limit = DNS_UDP_MIN;
	}
	return limit < cap ? limit : cap;
}

/* Set the OPT's bytes aside before anything can be added after the question. */
static void
reserve_opt(struct ans *a)
{
	if (!a->opt)
		return;
	if (a->nsid) {
		a->opt_size = dns_wire_opt_size(true, a->nsid_len);
		if (dns_wire_reserve(&a->wr, a->opt_size) == DNS_WIRE_OK)
			return;
		a->nsid = false;
	}
	a->opt_size = dns_wire_opt_size(false, 0);
	if (dns_wire_reserve(&a->wr, a->opt_size) != DNS_WIRE_OK)
		a->opt = false;
}

static void
count_rcode(struct dns_answer_stats *st, int rcode)
{
	switch (rcode) {
	case DNS_RCODE_NOERROR:
		st->noerror++;
		break;
	case DNS_RCODE_NXDOMAIN:
		st->nxdomain++;
		break;
	case DNS_RCODE_REFUSED:
		st->refused++;
		break;
	case DNS_RCODE_FORMERR:
	case DNS_RCODE_BADVERS: /* a malformed query, too, for the counters */
		st->formerr++;
		break;
	case DNS_RCODE_NOTIMP:
		st->notimp++;
		break;
	case DNS_RCODE_SERVFAIL:
		st->servfail++;
		break;
	default: /* YXDOMAIN (a DNAME result too long) has no counter of its own */
		break;
	}
}

/* Truncate if needed, set the header's flags and RCODE, append the OPT. */
static size_t
finish(struct ans *a)
{
	uint16_t flags = dns_wire_flags(&a->wr) & (uint16_t)~(DNS_F_AA | DNS_F_TC | 0xf);

	if (a->tc) {
		/* RFC 2181 9: no partial RRsets; the client retries over TCP. */
		dns_wire_rollback(&a->wr, &a->body);
		flags |= DNS_F_TC;
		a->stats->truncated++;
	}
	if (a->aa)
		flags |= DNS_F_AA;
	flags |= (uint16_t)(a->rcode & 0xf);
	dns_wire_set_flags(&a->wr, flags);
	if (a->opt) {
		const uint8_t *nsid = NULL;
		uint16_t ours = a->conf->max_udp != 0 ? a->conf->max_udp : DEFAULT_MAX_UDP;

		if (ours < DNS_UDP_MIN)
			ours = DNS_UDP_MIN;
		if (a->nsid) {
			nsid = (const uint8_t *)a->conf->identity;
			a->stats->nsid++;
		}
		dns_wire_unreserve(&a->wr, a->opt_size);
		/* RFC 6891 6.1.3 (extended RCODE, version 0), RFC 3225 3 (DO copied). */
		(void)dns_wire_opt(&a->wr, ours, (uint8_t)(a->rcode >> 4), 0,
		    a->q->edns_flags & DNS_EDNS_DO, nsid, a->nsid_len);
	}
	count_rcode(a->stats, a->rcode);
	return dns_wire_finish(&a->wr);
}

/* A reply with no records: the question when asked for, then the OPT. */
static size_t
reply_rcode(struct ans *a, int rcode, bool question)
{
	if (question && a->q->qname != NULL)
		(void)dns_wire_question(&a->wr, a->q->qname, a->q->qtype, a->q->qclass);
	reserve_opt(a);
	dns_wire_mark(&a->wr, &a->body);
	a->rcode = rcode;
	a->aa = false;
	return finish(a);
}

static bool
opt_error(int err)
{
	return err == DNS_WIRE_OPT_SECTION || err == DNS_WIRE_OPT_DUP ||
	    err == DNS_WIRE_OPT_OWNER || err == DNS_WIRE_OPT_OPTION;
}

/*
 * The types a dashboard of an authoritative server shows; the rest is
 * "other".  A table by type (all of them are below 256), index + 1, so the
 * answer path pays one load per query for it.
 */
static const uint8_t qtype_stat[256] = {
	[1] = 1 /* A */, [2] = 2 /* NS */, [5] = 3 /* CNAME */, [6] = 4 /* SOA */,
	[12] = 5 /* PTR */, [13] = 6 /* HINFO */, [15] = 7 /* MX */, [16] = 8 /* TXT */,
	[28] = 9 /* AAAA */, [33] = 10 /* SRV */, [35] = 11 /* NAPTR */, [43] = 12 /* DS */,
	[46] = 13 /* RRSIG */, [47] = 14 /* NSEC */, [48] = 15 /* DNSKEY */, [50] = 16 /* NSEC3 */,
	[51] = 17 /* NSEC3PARAM */, [52] = 18 /* TLSA */, [64] = 19 /* SVCB */, [65] = 20 /* HTTPS */,
	[252] = 21 /* AXFR */, [251] = 22 /* IXFR */, [255] = 23 /* ANY */,
};
static const char *const qtype_stat_name[DNS_QTYPE_STATS] = {
	"A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MX", "TXT", "AAAA", "SRV", "NAPTR", "DS",
	"RRSIG", "NSEC", "DNSKEY", "NSEC3", "NSEC3PARAM", "TLSA", "SVCB", "HTTPS", "AXFR", "IXFR",
	"ANY", "other",
};

unsigned
dns_stats_qtype(uint16_t qtype)
{
	unsigned i = qtype < 256 ? qtype_stat[qtype] : 0;

	return i != 0 ? i - 1 : DNS_QTYPE_STATS - 1;
}

const char *
dns_stats_qtype_name(unsigned idx)
{
	return idx < DNS_QTYPE_STATS ? qtype_stat_name[idx] : "other";
}

size_t
dns_answer(const struct dns_answer_conf *conf, const struct dns_zoneset *zones,
    const uint8_t *req, size_t len, uint8_t *resp, size_t cap, bool tcp,
    struct dns_answer_stats *stats)
{
	struct dns_msg q;
	struct ans a;
	const struct dns_zone *zone;
	int perr;
	size_t limit;

	stats->queries++;
	if (tcp)
		stats->tcp++;
	else
		stats->udp++;
	/*
	 * RFC 1035 4.1.1: never answer a response (that is how reply loops
	 * start), and a message shorter than a header has no id to answer.
	 */
	if (len < DNS_HDR_LEN || (req[2] & 0x80) != 0) {
		stats->dropped++;
		return 0;
	}
	perr = dns_wire_parse(req, len, &q);

	a.conf = conf;
	a.zones = zones;
	a.q = &q;
	a.stats = stats;
	a.qtype = q.qtype;
	a.rcode = DNS_RCODE_NOERROR;
	a.aa = false;
	a.tc = false;
	a.opt = q.edns && !opt_error(perr);
	a.nsid = false;
	a.dnssec = a.opt && (q.edns_flags & DNS_EDNS_DO) != 0;
	a.nsid_len = 0;
	a.opt_size = 0;
	a.nseen = 0;
	a.hops = 0;
	a.nproof = 0;
	if (q.edns)
		stats->edns++;
	if (a.opt && q.nsid && conf->identity != NULL && conf->identity[0] != '\0') {
		size_t n = strlen(conf->identity);
		a.nsid = true;
		a.nsid_len = (uint16_t)(n < NSID_MAX ? n : NSID_MAX);
	}

	limit = reply_limit(conf, &q, a.opt, tcp, cap);
	dns_wire_init(&a.wr, resp, limit);
	/* RFC 1035 4.1.1: id, opcode and RD copied; CD cleared, as Knot and NSD do. */
	if (dns_wire_header(&a.wr, q.id, (uint16_t)(DNS_F_QR | (q.flags & (0xf << 11)) |
	    (q.flags & DNS_F_RD))) != DNS_WIRE_OK) {
		stats->dropped++;
		return 0;
	}

	if (perr != DNS_WIRE_OK)
		return reply_rcode(&a, DNS_RCODE_FORMERR, q.qdcount == 1);
	/* RFC 6891 6.1.3: an EDNS version we do not speak: BADVERS, nothing else. */
	if (a.opt && q.edns_version != 0) {
		a.nsid = false;
		return reply_rcode(&a, DNS_RCODE_BADVERS, q.qdcount == 1);
	}
	if (DNS_F_OPCODE(q.flags) != DNS_OPCODE_QUERY)
		return reply_rcode(&a, DNS_RCODE_NOTIMP, q.qdcount == 1);
	if (q.qdcount != 1)
		return reply_rcode(&a, DNS_RCODE_FORMERR, false);
	stats->qtype[dns_stats_qtype(q.qtype)]++;
	if (q.ancount != 0 || q.nscount != 0)
		return reply_rcode(&a, DNS_RCODE_FORMERR, true);
	if (q.tsig) {
		/* Counted: the server answers it signed when it knows the key (xfrout.h). */
		stats->tsig++;
		return reply_rcode(&a, DNS_RCODE_REFUSED, true);
	}
	if (q.qtype == 0)
		return reply_rcode(&a, DNS_RCODE_NOTIMP, true);
	if (q.qtype == DNS_T_AXFR || q.qtype == DNS_T_IXFR)
		return reply_rcode(&a, DNS_RCODE_REFUSED, true);

	if (dns_wire_question(&a.wr, q.qname, q.qtype, q.qclass) != DNS_WIRE_OK) {
		stats->dropped++;
		return 0;
	}
	reserve_opt(&a);
	dns_wire_mark(&a.wr, &a.body);

	if (q.qclass == DNS_C_CH) {
		answer_chaos(&a);
		return finish(&a);
	}
	if (q.qclass != DNS_C_IN && q.qclass != DNS_C_ANY) {
		a.rcode = DNS_RCODE_REFUSED;
		return finish(&a);
	}
	dns_name_lower(a.sname, q.qname);
	if (zones == NULL || (zone = zone_for(&a, a.sname)) == NULL) {
		stats->zone[0]++;
		a.rcode = DNS_RCODE_REFUSED; /* not ours: no AA, no referral upwards */
		return finish(&a);
	}
	stats->zone[dns_zone_stat_slot(zone) % DNS_ZONE_STATS]++;
	/*
	 * Ours, but a secondary with no data to serve (expired, RFC 1035
	 * 3.3.13: "no longer authoritative"; or never transferred): SERVFAIL,
	 * so resolvers try another server (RFC 1034 4.3.1).
	 */
	if (!dns_zone_available(zone)) {
		a.rcode = DNS_RCODE_SERVFAIL;
		return finish(&a);
	}
	/* RFC 1035 4.1.1; QCLASS * spans classes we are not the authority for. */
	a.aa = q.qclass == DNS_C_IN;
	answer_auth(&a, zone);
	return finish(&a);
}
