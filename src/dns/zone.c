/*
 * zone.c - the zone database: building a zone from records, exact lookups
 * on the answer path, and the set of zones a server answers for.
 *
 * A finished zone lives in one allocation: the hash table, then every node
 * followed by its name, its RRsets and their rdata, so a 1M-record zone
 * costs well under a hundred bytes per record and no per-record malloc.
 * It is never written after dns_zone_builder_finish(), so any number of
 * workers read it without locks.
 *
 * The hash table is open addressing with linear probing, at most half
 * full; a slot holds the node's 32-bit hash beside its offset, so a probe
 * that misses never touches a node.  The answer path looks up every
 * suffix of a query name, and in a zone larger than the caches each memory
 * access is a miss (~250 ns on a VM), so a lookup is one miss for the slot
 * and one for the node, whose name is in the same cache line, and the
 * answer's RRsets and rdata are the next bytes.
 *
 * Building follows the zone rules of RFC 1034 (4.2.1 zone cuts, 3.6.2 and
 * RFC 2181 10.1 CNAME alone, RFC 1035 5.2 one SOA at the apex), RFC 2181
 * 5.2 (one TTL per RRset: we keep the lowest and warn), RFC 4592 2.2.2
 * (empty non-terminals exist) and RFC 6672 2.4 (one DNAME per owner).
 * Rdata of the types the answer path reads (names to compress, addresses)
 * is checked here, so the answer path can trust it; every other type is
 * kept as opaque bytes (RFC 3597).
 */
#include "../lib/array.h"
#include "zone.h"

#include <nettle/sha1.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNS_NONE UINT32_MAX
#define DNS_ALIGN8(x) (((x) + 7) & ~(size_t)7)
#define DNS_LINE 64 /* bytes in a cache line */
/* Errors and warnings listed in `err` before the rest are only counted. */
#define DNS_MSG_MAX 10
/* 32-bit offsets into the builder's arenas and a node index in 32 bits. */
#define DNS_ARENA_MAX ((size_t)UINT32_MAX)
#define DNS_NODES_MAX (UINT32_MAX / 4)
#define DNS_RESERVE_MAX ((size_t)64 << 20) /* records: beyond, grow as needed */

struct dns_slot {
	uint32_t hash;
	uint32_t node; /* DNS_NONE: empty */
};

struct dns_zone {
	uint8_t apex[DNS_NAME_MAX];
	const struct dns_node *apex_node;
	const struct dns_rrset *soa;
	size_t n_nodes;
	size_t n_rr;
	const struct dns_slot *slots;
	uint32_t mask;
	const uint8_t *base;	/* the nodes: slot.node is an offset in 8-byte units */
	void *mem;		/* slots and nodes, one block */
	/* DNSSEC (RFC 4034, RFC 5155), built by dns_zone_dnssec() */
	bool is_signed;
	const struct dns_node **nsec;	/* owners of NSEC, canonical order */
	size_t n_nsec;
	struct dns_nsec3_ent *nsec3;	/* owners of NSEC3, by hash */
	size_t n_nsec3;
	bool n3;			/* NSEC3PARAM usable and NSEC3 present */
	uint16_t n3_iter;
	uint8_t n3_salt_len;
	uint8_t n3_salt[255];
	/*
	 * Holders: each zone set that has it, and whoever took a reference
	 * (a secondary's current version).  A zone is immutable, so sets
	 * share it instead of copying it.
	 */
	_Atomic unsigned refs;
	bool unavailable;		/* dns_zone_new_unavailable() */
	struct dns_node unavail_apex;	/* the apex node of such a zone */
	struct dns_slot unavail_slot;
	unsigned stat_slot;	/* dns_zoneset_set_stat_slot(); 0: none */
};

struct dns_nsec3_ent {
	uint8_t hash[DNS_NSEC3_HASH_MAX];
	const struct dns_node *node;
};

/* A node while building: its name is in the builder's name arena. */
struct dns_bnode {
	uint32_t name_off;
	uint32_t hash;
	uint32_t parent;	/* DNS_NONE for the apex */
	uint32_t first;		/* its first record in the sorted order */
	uint32_t n_recs;
	uint16_t n_rrsets;	/* after grouping */
	uint8_t name_len;
	uint8_t labels;
	uint8_t flags;
	uint8_t state;		/* for the zone cut walk */
};

/* A record while building: its rdata is in the builder's rdata arena. */
struct dns_brec {
	uint32_t node;
	uint32_t rdata_off;
	uint32_t ttl;
	uint16_t type;
	uint16_t rdata_len;
};

struct dns_zone_builder {
	uint8_t apex[DNS_NAME_MAX];
	size_t apex_len;
	unsigned apex_labels;
	struct dns_bnode *nodes;
	uint32_t n_nodes, cap_nodes;
	struct dns_slot *slots;
	uint32_t mask;
	struct dns_brec *recs;
	size_t n_recs, cap_recs;
	uint8_t *names;
	size_t names_len, names_cap;
	uint8_t *rdata;
	size_t rdata_len, rdata_cap;
	bool failed; /* out of memory or an arena full: finish fails */
};

/* Lines written to the caller's err buffer, the rest counted. */
struct dns_msgs {
	char *buf;
	size_t len, cap;
	unsigned errors, warnings, shown, dropped;
};

/* The mnemonics are src/dnsmsg's one table. */
const char *
dns_type_name(uint16_t type, char buf[DNS_TYPE_STRLEN])
{
	return dnsmsg_type_name(type, buf);
}

const char *
dns_zone_builder_strerror(int code)
{
	switch (code) {
	case DNS_ZB_OK:
		return "no error";
	case DNS_ZB_OUTSIDE:
		return "owner outside the zone";
	case DNS_ZB_NAME:
		return "malformed owner name";
	case DNS_ZB_TYPE:
		return "type cannot be stored in a zone";
	case DNS_ZB_RDATA:
		return "malformed rdata";
	case DNS_ZB_NOMEM:
		return "out of memory";
	case DNS_ZB_FULL:
		return "zone too big";
	}
	return "unknown error";
}

/*
 * One line into the caller's buffer.  Once there is an error the warnings
 * written so far are dropped: the zone is refused, and the reason must not
 * be pushed out by lines about TTLs.
 */
static void __attribute__((format(printf, 3, 4)))
dns_msg(struct dns_msgs *m, bool warning, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (warning && m->errors > 0)
		return;
	if (!warning && m->errors == 0) {
		m->len = 0;
		m->shown = 0;
		m->dropped = 0;
		if (m->cap > 0)
			m->buf[0] = '\0';
	}
	if (warning)
		m->warnings++;
	else
		m->errors++;
	if (m->shown >= DNS_MSG_MAX) {
		m->dropped++;
		return;
	}
	m->shown++;
	if (m->cap == 0 || m->len + 1 >= m->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->len, m->cap - m->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (m->len + (size_t)n + 1 >= m->cap) {
		/* Cut: keep what fits. */
		m->len = m->cap - 1;
		m->buf[m->len] = '\0';
		return;
	}
	m->len += (size_t)n;
	m->buf[m->len++] = '\n';
	m->buf[m->len] = '\0';
}

static void
dns_msg_close(struct dns_msgs *m)
{
	if (m->dropped > 0 && m->cap > 0 && m->len + 1 < m->cap) {
		int n = snprintf(m->buf + m->len, m->cap - m->len, "(and %u more)\n",
		    m->dropped);
		if (n > 0 && m->len + (size_t)n < m->cap)
			m->len += (size_t)n;
		else
			m->buf[m->len] = '\0';
	}
	/* One line or several, but never a dangling newline at the end. */
	if (m->len > 0 && m->buf[m->len - 1] == '\n')
		m->buf[--m->len] = '\0';
}

/*
 * The hash of a lowercase wire name: 8 bytes at a time, multiply and
 * rotate, then the murmur3 finaliser so that every input bit reaches the
 * low bits the table uses.  Zone data is the operator's, and queries only
 * probe, so no keyed hash is needed against flooding.
 */
static inline uint64_t
dns_rotl(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint32_t
dns_hash(const uint8_t *p, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xc2b2ae3d27d4eb4fULL);
	uint64_t w;

	while (len >= 8) {
		memcpy(&w, p, 8);
		h = dns_rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
		p += 8;
		len -= 8;
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, p, len);
		h = dns_rotl(h ^ (w * 0x87c37b91114253d5ULL), 31) * 0x4cf5ad432745937fULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Length of a valid wire name (the caller's promise on the answer path). */
static inline size_t
dns_wire_len(const uint8_t *name)
{
	const uint8_t *p = name;
	while (*p != 0)
		p += 1 + *p;
	return (size_t)(p - name) + 1;
}

/* ---------------------------------------------------------------- lookup */

const uint8_t *
dns_zone_apex(const struct dns_zone *zone)
{
	return zone->apex;
}

const struct dns_node *
dns_zone_apex_node(const struct dns_zone *zone)
{
	return zone->apex_node;
}

const struct dns_rrset *
dns_zone_soa(const struct dns_zone *zone)
{
	return zone->soa;
}

size_t
dns_zone_node_count(const struct dns_zone *zone)
{
	return zone->n_nodes;
}

size_t
dns_zone_rr_count(const struct dns_zone *zone)
{
	return zone->n_rr;
}

const struct dns_node *
dns_zone_lookup(const struct dns_zone *zone, const uint8_t *name_lc)
{
	size_t len = dns_wire_len(name_lc);
	uint32_t h = dns_hash(name_lc, len);

	for (uint32_t i = h & zone->mask;; i = (i + 1) & zone->mask) {
		const struct dns_slot *s = &zone->slots[i];
		if (s->node == DNS_NONE)
			return NULL;
		if (s->hash != h)
			continue;
		const struct dns_node *n = (const void *)(zone->base + (size_t)s->node * 8);
		if (n->name_len == len && memcmp(n->name, name_lc, len) == 0)
			return n;
	}
}

const struct dns_rrset *
dns_node_rrset(const struct dns_node *node, uint16_t type)
{
	/* A handful of RRsets per node, sorted: a scan beats a search. */
	for (uint16_t i = 0; i < node->n_rrsets; i++) {
		if (node->rrsets[i].type == type)
			return &node->rrsets[i];
		if (node->rrsets[i].type > type)
			break;
	}
	return NULL;
}

/* The bytes of a node in the finished zone: itself, its name, RRsets, rdata. */
static size_t
dns_node_bytes(size_t name_len, size_t n_rrsets, size_t rdata)
{
	return DNS_ALIGN8(sizeof(struct dns_node) + name_len) +
	    n_rrsets * sizeof(struct dns_rrset) + DNS_ALIGN8(rdata);
}

/*
 * Where the next node goes: the node and its name share a cache line
 * whenever they fit in one, so a lookup that finds the slot costs one more
 * miss, not two.
 */
static size_t
dns_node_place(size_t off, size_t name_len)
{
	size_t head = sizeof(struct dns_node) + name_len;
	if (head <= DNS_LINE && off % DNS_LINE + head > DNS_LINE)
		return (off + DNS_LINE - 1) & ~(size_t)(DNS_LINE - 1);
	return off;
}

void
dns_zone_walk(const struct dns_zone *zone, void (*fn)(void *ctx, const struct dns_node *node),
    void *ctx)
{
	size_t off = 0;
	for (size_t i = 0; i < zone->n_nodes; i++) {
		const struct dns_node *n;
		size_t rd = 0;
		/* Each node is where finish placed it, after the previous one. */
		for (;;) {
			n = (const void *)(zone->base + off);
			if (n->name != NULL)
				break;
			off += 8; /* padding before a node, zeroed */
		}
		fn(ctx, n);
		for (uint16_t k = 0; k < n->n_rrsets; k++)
			rd += n->rrsets[k].rdata_len;
		off += dns_node_bytes(n->name_len, n->n_rrsets, rd);
	}
}

struct dns_zone *
dns_zone_ref(const struct dns_zone *zone)
{
	struct dns_zone *z = (struct dns_zone *)zone;

	atomic_fetch_add_explicit(&z->refs, 1, memory_order_relaxed);
	return z;
}

struct dns_zone *
dns_zone_new_unavailable(const uint8_t *apex)
{
	struct dns_zone *z;
	int n = dns_name_wire_len(apex, DNS_NAME_MAX);

	if (n < 0 || (z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	atomic_init(&z->refs, 1);
	dns_name_lower(z->apex, apex);
	z->unavailable = true;
	/* No nodes at all: every lookup misses, walks visit nothing. */
	z->unavail_slot.node = DNS_NONE;
	z->slots = &z->unavail_slot;
	z->mask = 0;
	z->unavail_apex.name = z->apex;
	z->unavail_apex.name_len = (uint8_t)n;
	z->unavail_apex.labels = (uint8_t)dns_name_labels(z->apex);
	z->apex_node = &z->unavail_apex;
	return z;
}

bool
dns_zone_available(const struct dns_zone *zone)
{
	return !zone->unavailable;
}

const struct dns_node *
dns_zone_iter_next(const struct dns_zone *zone, struct dns_zone_iter *it)
{
	const struct dns_node *n;
	size_t rd = 0;

	if (it->index >= zone->n_nodes)
		return NULL;
	/* As dns_zone_walk(): each node follows the previous one, after zeroed padding. */
	for (;;) {
		n = (const void *)(zone->base + it->off);
		if (n->name != NULL)
			break;
		it->off += 8;
	}
	for (uint16_t k = 0; k < n->n_rrsets; k++)
		rd += n->rrsets[k].rdata_len;
	it->off += dns_node_bytes(n->name_len, n->n_rrsets, rd);
	it->index++;
	return n;
}

void
dns_zone_free(struct dns_zone *zone)
{
	if (zone == NULL)
		return;
	/* The last holder frees it. */
	if (atomic_fetch_sub_explicit(&zone->refs, 1, memory_order_acq_rel) != 1)
		return;
	free(zone->mem);
	free(zone->nsec);
	free(zone->nsec3);
	free(zone);
}

/* ---------------------------------------------------------------- dnssec */

int
dns_name_canon_cmp(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[128], *lb[128];
	int na = 0, nb = 0;

	for (const uint8_t *p = a; *p != 0 && na < 128; p += 1 + *p)
		la[na++] = p;
	for (const uint8_t *p = b; *p != 0 && nb < 128; p += 1 + *p)
		lb[nb++] = p;
	/* RFC 4034 6.1: labels from the right, each as unsigned bytes, shorter first. */
	while (na > 0 && nb > 0) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		size_t l = x[0] < y[0] ? x[0] : y[0];
		int c = memcmp(x + 1, y + 1, l);
		if (c != 0)
			return c;
		if (x[0] != y[0])
			return x[0] < y[0] ? -1 : 1;
	}
	return (na > 0) - (nb > 0);
}

bool
dns_zone_signed(const struct dns_zone *zone)
{
	return zone->is_signed;
}

const struct dns_node *
dns_zone_nsec_find(const struct dns_zone *zone, const uint8_t *name_lc)
{
	size_t lo = 0, hi = zone->n_nsec;

	if (zone->n_nsec == 0)
		return NULL;
	/* The first owner after the name; the one before it matches or covers. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dns_name_canon_cmp(zone->nsec[mid]->name, name_lc) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return zone->nsec[lo > 0 ? lo - 1 : zone->n_nsec - 1];
}

bool
dns_zone_nsec3(const struct dns_zone *zone)
{
	return zone->n3;
}

/* RFC 5155 5: IH(salt, x, 0) = H(x || salt), IH(salt, x, k) = H(IH(salt, x, k-1) || salt). */
static void
dns_nsec3_hash(const uint8_t *salt, uint8_t salt_len, uint16_t iter, const uint8_t *name,
    size_t len, uint8_t out[DNS_NSEC3_HASH_MAX])
{
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, len, name);
	sha1_update(&c, salt_len, salt);
	sha1_digest(&c, SHA1_DIGEST_SIZE, out);
	for (uint16_t i = 0; i < iter; i++) {
		sha1_init(&c);
		sha1_update(&c, SHA1_DIGEST_SIZE, out);
		sha1_update(&c, salt_len, salt);
		sha1_digest(&c, SHA1_DIGEST_SIZE, out);
	}
}

bool
dns_zone_nsec3_hash(const struct dns_zone *zone, const uint8_t *name_lc,
    uint8_t out[DNS_NSEC3_HASH_MAX])
{
	if (!zone->n3)
		return false;
	dns_nsec3_hash(zone->n3_salt, zone->n3_salt_len, zone->n3_iter, name_lc,
	    dns_wire_len(name_lc), out);
	return true;
}

const struct dns_node *
dns_zone_nsec3_find(const struct dns_zone *zone, const uint8_t hash[DNS_NSEC3_HASH_MAX],
    bool *match)
{
	size_t lo = 0, hi = zone->n_nsec3, at;

	*match = false;
	if (zone->n_nsec3 == 0)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(zone->nsec3[mid].hash, hash, DNS_NSEC3_HASH_MAX) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	at = lo > 0 ? lo - 1 : zone->n_nsec3 - 1;
	*match = memcmp(zone->nsec3[at].hash, hash, DNS_NSEC3_HASH_MAX) == 0;
	return zone->nsec3[at].node;
}

size_t
dns_zone_nsec_count(const struct dns_zone *zone)
{
	return zone->n_nsec;
}

const struct dns_node *
dns_zone_nsec_at(const struct dns_zone *zone, size_t i)
{
	return i < zone->n_nsec ? zone->nsec[i] : NULL;
}

size_t
dns_zone_nsec3_count(const struct dns_zone *zone)
{
	return zone->n_nsec3;
}

const struct dns_node *
dns_zone_nsec3_at(const struct dns_zone *zone, size_t i, const uint8_t **hash)
{
	if (i >= zone->n_nsec3)
		return NULL;
	*hash = zone->nsec3[i].hash;
	return zone->nsec3[i].node;
}

bool
dns_zone_nsec3_param(const struct dns_zone *zone, uint16_t *iterations, const uint8_t **salt,
    uint8_t *salt_len)
{
	if (!zone->n3)
		return false;
	*iterations = zone->n3_iter;
	*salt = zone->n3_salt;
	*salt_len = zone->n3_salt_len;
	return true;
}

/* RFC 4648 7 base32hex (lowercase: names are), 32 characters -> 20 bytes. */
static bool
dns_b32hex20(const uint8_t *s, size_t n, uint8_t out[DNS_NSEC3_HASH_MAX])
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;

	if (n != 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (s[i] >= '0' && s[i] <= '9')
			v = s[i] - '0';
		else if (s[i] >= 'a' && s[i] <= 'v')
			v = s[i] - 'a' + 10;
		else
			return false;
		acc = (acc << 5) | v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	return o == DNS_NSEC3_HASH_MAX;
}

struct dns_sec_walk {
	struct dns_zone *z;
	size_t n_nsec, n_nsec3;
	bool count;
};

static void
dns_sec_collect(void *ctx, const struct dns_node *n)
{
	struct dns_sec_walk *w = ctx;
	struct dns_zone *z = w->z;

	if (dns_node_rrset(n, DNS_T_NSEC) != NULL) {
		if (!w->count)
			z->nsec[w->n_nsec] = n;
		w->n_nsec++;
	}
	/* An NSEC3 owner is <base32hex hash>.<apex> (RFC 5155 3). */
	if (dns_node_rrset(n, DNS_T_NSEC3) != NULL && n->name[0] == 32 &&
	    dns_name_equal(n->name + 33, z->apex)) {
		if (!w->count) {
			struct dns_nsec3_ent *e = &z->nsec3[w->n_nsec3];
			if (!dns_b32hex20(n->name + 1, 32, e->hash))
				return;
			e->node = n;
		}
		w->n_nsec3++;
	}
}

static int
dns_nsec_qcmp(const void *a, const void *b)
{
	return dns_name_canon_cmp((*(const struct dns_node *const *)a)->name,
	    (*(const struct dns_node *const *)b)->name);
}

static int
dns_nsec3_qcmp(const void *a, const void *b)
{
	return memcmp(((const struct dns_nsec3_ent *)a)->hash,
	    ((const struct dns_nsec3_ent *)b)->hash, DNS_NSEC3_HASH_MAX);
}

static void
dns_sec_hash_node(void *ctx, const struct dns_node *n)
{
	struct dns_zone *z = ctx;
	uint8_t h[DNS_NSEC3_HASH_MAX];
	bool match;
	const struct dns_node *m;

	/* The zone is not published yet: this is its last write. */
	if (dns_zone_nsec3_hash(z, n->name, h) && (m = dns_zone_nsec3_find(z, h, &match)) && match)
		((struct dns_node *)(uintptr_t)n)->nsec3 = m;
}

/*
 * The DNSSEC indexes of a finished zone: the NSEC owners in canonical
 * order, the NSEC3 owners by hash with the NSEC3PARAM (RFC 5155 4: the
 * parameters the server uses), and every node's NSEC3 (hashed once here,
 * not per query).  False when out of memory.
 */
static bool
dns_zone_dnssec(struct dns_zone *z)
{
	struct dns_sec_walk w = { z, 0, 0, true };
	const struct dns_rrset *p;

	z->is_signed = dns_node_rrset(z->apex_node, DNS_T_DNSKEY) != NULL;
	dns_zone_walk(z, dns_sec_collect, &w);
	if (w.n_nsec > 0 && (z->nsec = malloc(w.n_nsec * sizeof(*z->nsec))) == NULL)
		return false;
	if (w.n_nsec3 > 0 && (z->nsec3 = malloc(w.n_nsec3 * sizeof(*z->nsec3))) == NULL)
		return false;
	w.count = false;
	w.n_nsec = w.n_nsec3 = 0;
	dns_zone_walk(z, dns_sec_collect, &w);
	z->n_nsec = w.n_nsec;
	z->n_nsec3 = w.n_nsec3;
	if (z->n_nsec > 1)
		qsort(z->nsec, z->n_nsec, sizeof(*z->nsec), dns_nsec_qcmp);
	if (z->n_nsec3 > 1)
		qsort(z->nsec3, z->n_nsec3, sizeof(*z->nsec3), dns_nsec3_qcmp);
	p = dns_node_rrset(z->apex_node, DNS_T_NSEC3PARAM);
	if (p != NULL && z->n_nsec3 > 0) {
		struct cursor_lite { const uint8_t *p; uint32_t left; } c = { p->rdata, p->rdata_len };
		/* The first NSEC3PARAM with SHA-1 and flags 0 (RFC 5155 4.1.2). */
		for (uint16_t i = 0; i < p->count && c.left >= 2 && !z->n3; i++) {
			uint16_t len = (uint16_t)(c.p[0] << 8 | c.p[1]);
			const uint8_t *rd = c.p + 2;
			if ((uint32_t)len + 2 > c.left)
				break;
			if (len >= 5 && rd[0] == 1 && rd[1] == 0 && (size_t)5 + rd[4] == len) {
				z->n3 = true;
				z->n3_iter = (uint16_t)(rd[2] << 8 | rd[3]);
				z->n3_salt_len = rd[4];
				memcpy(z->n3_salt, rd + 5, rd[4]);
			}
			c.p += 2 + len;
			c.left -= 2 + (uint32_t)len;
		}
	}
	if (z->n3)
		dns_zone_walk(z, dns_sec_hash_node, z);
	return true;
}

/* --------------------------------------------------------------- builder */

/*
 * Double the table (or make the first).  The old table is read in order,
 * so the writes into the new one go forward too, instead of one cache miss
 * per node.
 */
static bool
dns_builder_rehash(struct dns_zone_builder *b, uint32_t nslots)
{
	struct dns_slot *s = malloc((size_t)nslots * sizeof(*s));
	if (s == NULL)
		return false;
	memset(s, 0xff, (size_t)nslots * sizeof(*s));
	uint32_t mask = nslots - 1;
	for (uint32_t k = 0; b->slots != NULL && k <= b->mask; k++) {
		if (b->slots[k].node == DNS_NONE)
			continue;
		uint32_t i = b->slots[k].hash & mask;
		while (s[i].node != DNS_NONE)
			i = (i + 1) & mask;
		s[i] = b->slots[k];
	}
	free(b->slots);
	b->slots = s;
	b->mask = mask;
	return true;
}

/*
 * The node of a lowercase name, created if new.  The name may point into
 * the builder's own name arena, which this may move: it is copied first.
 */
static uint32_t
dns_builder_node(struct dns_zone_builder *b, const uint8_t *name_in, size_t len, unsigned labels)
{
	uint8_t name[DNS_NAME_MAX];
	uint32_t h, i;

	memcpy(name, name_in, len);
	h = dns_hash(name, len);
	for (i = h & b->mask; b->slots[i].node != DNS_NONE; i = (i + 1) & b->mask) {
		const struct dns_bnode *n = &b->nodes[b->slots[i].node];
		if (b->slots[i].hash == h && n->name_len == len &&
		    memcmp(b->names + n->name_off, name, len) == 0)
			return b->slots[i].node;
	}
	if (b->n_nodes >= DNS_NODES_MAX || b->names_len + len > DNS_ARENA_MAX)
		return DNS_NONE;
	size_t cap = b->cap_nodes;
	if (!array_grow((void **)&b->nodes, &cap, (size_t)b->n_nodes + 1, sizeof(*b->nodes)))
		return DNS_NONE;
	b->cap_nodes = (uint32_t)(cap > DNS_NODES_MAX ? DNS_NODES_MAX : cap);
	if (!array_grow((void **)&b->names, &b->names_cap, b->names_len + len, 1))
		return DNS_NONE;
	uint32_t k = b->n_nodes++;
	struct dns_bnode *n = &b->nodes[k];
	memset(n, 0, sizeof(*n));
	n->name_off = (uint32_t)b->names_len;
	n->name_len = (uint8_t)len;
	n->labels = (uint8_t)labels;
	n->hash = h;
	n->parent = DNS_NONE;
	memcpy(b->names + b->names_len, name, len);
	b->names_len += len;
	b->slots[i].hash = h;
	b->slots[i].node = k;
	/* At most half full: short probes, and the table is the zone's table. */
	if ((uint64_t)b->n_nodes * 2 > (uint64_t)b->mask + 1 &&
	    !dns_builder_rehash(b, (b->mask + 1) * 2)) {
		/*
		 * Undo.  Clearing the slot leaves no hole in a probe chain: it
		 * was empty when every other name was inserted.
		 */
		b->n_nodes--;
		b->names_len -= len;
		b->slots[i].node = DNS_NONE;
		return DNS_NONE;
	}
	return k;
}

struct dns_zone_builder *
dns_zone_builder_new(const uint8_t *apex)
{
	int len = dns_name_wire_len(apex, DNS_NAME_MAX);
	struct dns_zone_builder *b;

	if (len < 0)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->apex_len = dns_name_lower(b->apex, apex);
	b->apex_labels = dns_name_labels(b->apex);
	if (!dns_builder_rehash(b, 64) ||
	    dns_builder_node(b, b->apex, b->apex_len, b->apex_labels) != 0) {
		dns_zone_builder_free(b);
		return NULL;
	}
	return b;
}

void
dns_zone_builder_reserve(struct dns_zone_builder *b, size_t records)
{
	/*
	 * Room for that many records, each with its own owner: growing by
	 * realloc would copy every array a few times over.  Pages never
	 * touched cost nothing, so a generous guess is cheap; a failure here
	 * is no error, the arrays grow as usual.
	 */
	size_t nodes = b->cap_nodes;
	if (records > DNS_RESERVE_MAX)
		records = DNS_RESERVE_MAX;
	if (array_grow((void **)&b->nodes, &nodes, records, sizeof(*b->nodes)))
		b->cap_nodes = (uint32_t)nodes;
	(void)array_grow((void **)&b->recs, &b->cap_recs, records, sizeof(*b->recs));
	(void)array_grow((void **)&b->names, &b->names_cap, records * 24, 1);
	(void)array_grow((void **)&b->rdata, &b->rdata_cap, records * 8, 1);
}

void
dns_zone_builder_free(struct dns_zone_builder *b)
{
	if (b == NULL)
		return;
	free(b->nodes);
	free(b->slots);
	free(b->recs);
	free(b->names);
	free(b->rdata);
	free(b);
}

/* A name that fills exactly rdata[off..len). */
static bool
dns_rdata_name_at(const uint8_t *rdata, size_t len, size_t off, bool last)
{
	if (off >= len)
		return false;
	int n = dns_name_wire_len(rdata + off, len - off);
	if (n < 0)
		return false;
	return !last || off + (size_t)n == len;
}

/*
 * Rdata of the types whose contents the answer path uses: addresses of
 * fixed size and uncompressed names (RFC 3597 4: compression only in the
 * RFC 1035 types, which is what the answer path may compress).
 */
static bool
dns_rdata_valid(uint16_t type, const uint8_t *rdata, size_t len)
{
	int n;

	switch (type) {
	case DNS_T_A:
		return len == 4;
	case DNS_T_AAAA:
		return len == 16;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_DNAME:
		return dns_rdata_name_at(rdata, len, 0, true);
	case DNS_T_MX:
		return dns_rdata_name_at(rdata, len, 2, true);
	case DNS_T_SRV:
		return dns_rdata_name_at(rdata, len, 6, true);
	case DNS_T_SOA:
		if ((n = dns_name_wire_len(rdata, len)) < 0)
			return false;
		if (!dns_rdata_name_at(rdata, len, (size_t)n, false))
			return false;
		n += dns_name_wire_len(rdata + n, len - (size_t)n);
		return len == (size_t)n + 20;
	}
	return true;
}

/* RFC 6895 3.1: 0 and the meta-types are never data; OPT exists only in messages. */
static bool
dns_type_storable(uint16_t type)
{
	return type != 0 && type != DNS_T_OPT && (type < 128 || type > 255);
}

int
dns_zone_record_check(const uint8_t *apex, const uint8_t *owner, uint16_t type,
    const uint8_t *rdata, uint16_t rdata_len)
{
	uint8_t lc[DNS_NAME_MAX];
	int len = dns_name_wire_len(owner, DNS_NAME_MAX), alen = dns_name_wire_len(apex, DNS_NAME_MAX);
	unsigned labels, alabels;

	if (len < 0 || alen < 0)
		return DNS_ZB_NAME;
	dns_name_lower(lc, owner);
	labels = dns_name_labels(lc);
	alabels = dns_name_labels(apex);
	if (labels < alabels || !dns_name_equal(dns_name_skip(lc, labels - alabels), apex))
		return DNS_ZB_OUTSIDE;
	if (!dns_type_storable(type))
		return DNS_ZB_TYPE;
	if (!dns_rdata_valid(type, rdata, rdata_len))
		return DNS_ZB_RDATA;
	return DNS_ZB_OK;
}

int
dns_zone_builder_add(struct dns_zone_builder *b, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, uint16_t rdata_len)
{
	uint8_t lc[DNS_NAME_MAX];
	int len = dns_name_wire_len(owner, DNS_NAME_MAX);
	unsigned labels;

	if (len < 0)
		return DNS_ZB_NAME;
	dns_name_lower(lc, owner);
	labels = dns_name_labels(lc);
	if (labels < b->apex_labels ||
	    memcmp(dns_name_skip(lc, labels - b->apex_labels), b->apex, b->apex_len) != 0)
		return DNS_ZB_OUTSIDE;
	if (!dns_type_storable(type))
		return DNS_ZB_TYPE;
	if (!dns_rdata_valid(type, rdata, rdata_len))
		return DNS_ZB_RDATA;
	if (b->failed)
		return DNS_ZB_NOMEM;
	if (b->n_recs >= UINT32_MAX || b->rdata_len + rdata_len > DNS_ARENA_MAX)
		return DNS_ZB_FULL;
	uint32_t node = dns_builder_node(b, lc, (size_t)len, labels);
	if (node == DNS_NONE ||
	    !array_grow((void **)&b->recs, &b->cap_recs, b->n_recs + 1, sizeof(*b->recs)) ||
	    !array_grow((void **)&b->rdata, &b->rdata_cap, b->rdata_len + rdata_len, 1)) {
		b->failed = true;
		return DNS_ZB_NOMEM;
	}
	struct dns_brec *r = &b->recs[b->n_recs++];
	r->node = node;
	r->type = type;
	r->ttl = ttl;
	r->rdata_off = (uint32_t)b->rdata_len;
	r->rdata_len = rdata_len;
	if (rdata_len > 0)
		memcpy(b->rdata + b->rdata_len, rdata, rdata_len);
	b->rdata_len += rdata_len;
	b->nodes[node].n_recs++;
	return DNS_ZB_OK;
}

/* Records of one node: by type, then by rdata, so duplicates are neighbours. */
static int
dns_brec_cmp(const struct dns_zone_builder *b, const struct dns_brec *x, const struct dns_brec *y)
{
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	size_t l = x->rdata_len < y->rdata_len ? x->rdata_len : y->rdata_len;
	int c = l ? memcmp(b->rdata + x->rdata_off, b->rdata + y->rdata_off, l) : 0;
	if (c != 0)
		return c;
	return (x->rdata_len > y->rdata_len) - (x->rdata_len < y->rdata_len);
}

static int
dns_brec_qcmp(const void *a, const void *b, void *builder)
{
	return dns_brec_cmp(builder, a, b);
}

static void
dns_sort_recs(const struct dns_zone_builder *b, struct dns_brec *r, size_t n)
{
	if (n > 16) {
		/* qsort_r: zones may be built on several threads at once. */
		qsort_r(r, n, sizeof(*r), dns_brec_qcmp, (void *)(uintptr_t)b);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct dns_brec t = r[i];
		size_t j = i;
		for (; j > 0 && dns_brec_cmp(b, &r[j - 1], &t) > 0; j--)
			r[j] = r[j - 1];
		r[j] = t;
	}
}

static const char *
dns_bname(const struct dns_zone_builder *b, uint32_t node, char out[DNS_NAME_STRLEN])
{
	return dns_name_to_text(b->names + b->nodes[node].name_off, out);
}

/* Node flags kept while building, beside the public ones. */
enum {
	DNS_BN_NS = 1 << 5,	/* has an NS RRset */
};

/*
 * Zone cuts (RFC 1034 4.2.1): a node below the apex with NS is a cut
 * unless it is itself below one; everything below a cut is glue.  Each
 * node's answer depends on its parent's, so walk up to a decided ancestor
 * and decide on the way back down.
 */
static void
dns_builder_cuts(struct dns_zone_builder *b)
{
	enum { UNDECIDED = 0, FREE, BELOW };
	uint32_t stack[DNS_NAME_MAX];

	b->nodes[0].state = FREE;
	for (uint32_t k = 1; k < b->n_nodes; k++) {
		size_t top = 0;
		uint32_t n = k;
		while (b->nodes[n].state == UNDECIDED) {
			stack[top++] = n;
			n = b->nodes[n].parent;
		}
		while (top > 0) {
			const struct dns_bnode *p = &b->nodes[n];
			n = stack[--top];
			struct dns_bnode *c = &b->nodes[n];
			bool below = p->state == BELOW || (p->flags & DNS_NODE_DELEGATION);
			if (below)
				c->flags |= DNS_NODE_GLUE;
			else if (c->flags & DNS_BN_NS)
				c->flags |= DNS_NODE_DELEGATION;
			c->state = below ? BELOW : FREE;
		}
	}
}

/* Every name between the apex and an owner exists (RFC 4592 2.2.2). */
static bool
dns_builder_ents(struct dns_zone_builder *b)
{
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		struct dns_bnode *n = &b->nodes[k];
		if (n->labels == b->apex_labels)
			continue; /* the apex */
		const uint8_t *name = b->names + n->name_off;
		size_t skip = 1 + (size_t)name[0];
		uint8_t labels = (uint8_t)(n->labels - 1);
		bool wild = name[0] == 1 && name[1] == '*';
		uint32_t p = dns_builder_node(b, name + skip, n->name_len - skip, labels);
		if (p == DNS_NONE)
			return false;
		/* b->nodes may have moved. */
		b->nodes[k].parent = p;
		if (wild)
			b->nodes[p].flags |= DNS_NODE_WILDCARD;
	}
	return true;
}

struct dns_zone *
dns_zone_builder_finish(struct dns_zone_builder *b, char *err, size_t errlen)
{
	struct dns_msgs m = { err, 0, errlen, 0, 0, 0, 0 };
	char t1[DNS_NAME_STRLEN], t2[DNS_TYPE_STRLEN];
	struct dns_brec *sorted = NULL;
	uint32_t *where = NULL; /* node k's offset in the block, in 8-byte units */
	struct dns_zone *z = NULL;
	size_t n_rr = 0;
	bool soa_seen = false;

	if (errlen > 0)
		err[0] = '\0';
	if (b->failed) {
		dns_msg(&m, false, "out of memory while building zone %s",
		    dns_name_to_text(b->apex, t1));
		goto out;
	}
	if (!dns_builder_ents(b)) {
		dns_msg(&m, false, "out of memory while building zone %s",
		    dns_name_to_text(b->apex, t1));
		goto out;
	}

	/*
	 * Records by node: zone files usually give an owner's records together,
	 * so they often are in node order already and are sorted in place;
	 * otherwise a counting sort by node into a copy.  Then each node's few
	 * records by type and rdata.
	 */
	bool ordered = b->n_recs > 0;
	for (size_t i = 1; i < b->n_recs && ordered; i++)
		ordered = b->recs[i].node >= b->recs[i - 1].node;
	if (ordered) {
		sorted = b->recs;
	} else if ((sorted = malloc((b->n_recs ? b->n_recs : 1) * sizeof(*sorted))) == NULL) {
		dns_msg(&m, false, "out of memory while building zone %s",
		    dns_name_to_text(b->apex, t1));
		goto out;
	}
	{
		uint32_t pos = 0;
		for (uint32_t k = 0; k < b->n_nodes; k++) {
			b->nodes[k].first = pos;
			pos += b->nodes[k].n_recs;
		}
		for (size_t i = 0; i < b->n_recs && !ordered; i++) {
			struct dns_bnode *n = &b->nodes[b->recs[i].node];
			sorted[n->first + n->state++] = b->recs[i];
		}
		for (uint32_t k = 0; k < b->n_nodes; k++) {
			b->nodes[k].state = 0;
			dns_sort_recs(b, sorted + b->nodes[k].first, b->nodes[k].n_recs);
		}
	}

	/*
	 * Group into RRsets in place: one TTL per RRset, duplicates dropped, and
	 * the checks that look at one node.  Afterwards a node's records are
	 * sorted[first .. first + n_recs) without duplicates.
	 */
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		struct dns_bnode *n = &b->nodes[k];
		struct dns_brec *r = sorted + n->first;
		uint32_t out = 0;
		bool cname = false, other = false;

		for (uint32_t i = 0; i < n->n_recs;) {
			uint32_t j = i, ttl = r[i].ttl, maxttl = r[i].ttl, start = out;
			uint16_t type = r[i].type;
			for (; j < n->n_recs && r[j].type == type; j++) {
				if (r[j].ttl < ttl)
					ttl = r[j].ttl;
				if (r[j].ttl > maxttl)
					maxttl = r[j].ttl;
				if (out > start && dns_brec_cmp(b, &r[out - 1], &r[j]) == 0)
					continue;
				r[out++] = r[j];
			}
			/* RFC 4034 3: an RRSIG's TTL is that of the RRset it covers. */
			if (ttl != maxttl && type != DNS_T_RRSIG)
				dns_msg(&m, true, "warning: %s %s: TTLs differ (%u to %u), using %u "
				    "(RFC 2181 5.2)", dns_bname(b, k, t1), dns_type_name(type, t2),
				    ttl, maxttl, ttl);
			for (uint32_t x = start; x < out; x++)
				r[x].ttl = ttl;
			uint32_t count = out - start;
			if (count > UINT16_MAX)
				dns_msg(&m, false, "%s %s: %u records, at most %u in one RRset",
				    dns_bname(b, k, t1), dns_type_name(type, t2), count, UINT16_MAX);
			switch (type) {
			case DNS_T_SOA:
				if (k != 0) {
					dns_msg(&m, false, "%s: SOA below the zone apex",
					    dns_bname(b, k, t1));
				} else {
					soa_seen = true;
					if (count > 1)
						dns_msg(&m, false, "%s: %u SOA records, exactly one "
						    "allowed", dns_bname(b, k, t1), count);
				}
				other = true;
				break;
			case DNS_T_CNAME:
				cname = true;
				if (count > 1)
					dns_msg(&m, false, "%s: %u CNAME records, at most one allowed "
					    "(RFC 1034 3.6.2)", dns_bname(b, k, t1), count);
				break;
			case DNS_T_DNAME:
				if (count > 1)
					dns_msg(&m, false, "%s: %u DNAME records, at most one allowed "
					    "(RFC 6672 2.4)", dns_bname(b, k, t1), count);
				other = true;
				break;
			case DNS_T_NS:
				n->flags |= DNS_BN_NS;
				other = true;
				break;
			case DNS_T_RRSIG:
			case DNS_T_NSEC:
				/* RFC 4035 2.5: these may stand beside a CNAME. */
				break;
			default:
				other = true;
				break;
			}
			n->n_rrsets++;
			i = j;
		}
		n->n_recs = out;
		if (cname && other)
			dns_msg(&m, false, "%s: CNAME and other data (RFC 2181 10.1)",
			    dns_bname(b, k, t1));
		n_rr += out;
	}
	if (!soa_seen)
		dns_msg(&m, false, "%s: no SOA at the zone apex", dns_name_to_text(b->apex, t1));
	if (!(b->nodes[0].flags & DNS_BN_NS))
		dns_msg(&m, false, "%s: no NS at the zone apex", dns_name_to_text(b->apex, t1));
	if (m.errors > 0)
		goto out;
	dns_builder_cuts(b);

	/*
	 * One block: the slots, then each node with its name, RRsets and rdata.
	 * First the size, with the same placement as the copy below.
	 */
	size_t sz_slots = ((size_t)b->mask + 1) * sizeof(struct dns_slot);
	size_t size = 0;
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		const struct dns_bnode *bn = &b->nodes[k];
		const struct dns_brec *r = sorted + bn->first;
		size_t rd = 0;
		for (uint32_t i = 0; i < bn->n_recs; i++)
			rd += 2 + (size_t)r[i].rdata_len;
		size = dns_node_place(size, bn->name_len);
		size += dns_node_bytes(bn->name_len, bn->n_rrsets, rd);
	}
	if (size / 8 >= DNS_NONE) {
		dns_msg(&m, false, "zone %s: larger than 32 GiB", dns_name_to_text(b->apex, t1));
		goto out;
	}
	if ((where = malloc((size_t)b->n_nodes * sizeof(*where))) == NULL ||
	    (z = calloc(1, sizeof(*z))) == NULL ||
	    (atomic_init(&z->refs, 1), posix_memalign(&z->mem, DNS_LINE, sz_slots + size)) != 0) {
		free(z);
		z = NULL;
		dns_msg(&m, false, "out of memory while building zone %s",
		    dns_name_to_text(b->apex, t1));
		goto out;
	}
	struct dns_slot *slots = z->mem;
	uint8_t *base = (uint8_t *)z->mem + sz_slots;
	size_t off = 0;

	memcpy(slots, b->slots, sz_slots);
	for (uint32_t k = 0; k < b->n_nodes; k++) {
		const struct dns_bnode *bn = &b->nodes[k];
		const struct dns_brec *r = sorted + bn->first;
		size_t at = dns_node_place(off, bn->name_len);

		memset(base + off, 0, at - off);
		struct dns_node *n = (void *)(base + at);
		uint8_t *name = base + at + sizeof(*n);
		struct dns_rrset *set = (void *)(base + at + DNS_ALIGN8(sizeof(*n) + bn->name_len));
		uint8_t *rd = (uint8_t *)(set + bn->n_rrsets), *rd0 = rd;

		memcpy(name, b->names + bn->name_off, bn->name_len);
		memset(name + bn->name_len, 0, (size_t)((uint8_t *)set - name) - bn->name_len);
		n->name = name;
		n->name_len = bn->name_len;
		n->labels = bn->labels;
		n->flags = bn->flags & (DNS_NODE_DELEGATION | DNS_NODE_WILDCARD | DNS_NODE_GLUE);
		n->n_rrsets = bn->n_rrsets;
		n->rrsets = bn->n_rrsets ? set : NULL;
		n->nsec3 = NULL;
		for (uint32_t i = 0; i < bn->n_recs;) {
			uint32_t j = i;
			set->type = r[i].type;
			set->ttl = r[i].ttl;
			set->rdata = rd;
			for (; j < bn->n_recs && r[j].type == set->type; j++) {
				*rd++ = (uint8_t)(r[j].rdata_len >> 8);
				*rd++ = (uint8_t)r[j].rdata_len;
				memcpy(rd, b->rdata + r[j].rdata_off, r[j].rdata_len);
				rd += r[j].rdata_len;
			}
			set->count = (uint16_t)(j - i);
			set->rdata_len = (uint32_t)(rd - set->rdata);
			set++;
			i = j;
		}
		memset(rd, 0, DNS_ALIGN8((size_t)(rd - rd0)) - (size_t)(rd - rd0));
		where[k] = (uint32_t)(at / 8);
		off = at + dns_node_bytes(bn->name_len, bn->n_rrsets, (size_t)(rd - rd0));
	}
	/* Slots said which node, now where it is (4 bytes a node: mostly cache hits). */
	for (uint32_t i = 0; i <= b->mask; i++)
		if (slots[i].node != DNS_NONE)
			slots[i].node = where[slots[i].node];
	memcpy(z->apex, b->apex, b->apex_len);
	z->n_nodes = b->n_nodes;
	z->n_rr = n_rr;
	z->slots = slots;
	z->mask = b->mask;
	z->base = base;
	z->apex_node = (const void *)base; /* node 0 is the apex, at offset 0 */
	z->soa = dns_node_rrset(z->apex_node, DNS_T_SOA);
	if (!dns_zone_dnssec(z)) {
		dns_zone_free(z);
		z = NULL;
		dns_msg(&m, false, "out of memory while building zone %s",
		    dns_name_to_text(b->apex, t1));
	}
out:
	free(where);
	if (sorted != b->recs)
		free(sorted);
	dns_msg_close(&m);
	return z;
}

/* --------------------------------------------------------------- zoneset */

/*
 * The zones a server answers for.  A name belongs to the zone with the
 * longest apex that is a suffix of it (RFC 1034 4.3.2 step 2: the nearest
 * ancestor we are authoritative for), so find tries the name's suffixes
 * from the longest, each one hash probe, skipping lengths no apex has.
 */
struct dns_zoneset {
	struct dns_zone **zones;
	size_t n, cap;
	struct dns_slot *slots;
	uint32_t mask;
	unsigned min_labels, max_labels;
};

struct dns_zoneset *
dns_zoneset_new(void)
{
	return calloc(1, sizeof(struct dns_zoneset));
}

static void
dns_zoneset_insert(struct dns_slot *s, uint32_t mask, const struct dns_zone *z, uint32_t k)
{
	uint32_t h = dns_hash(z->apex, z->apex_node->name_len);
	uint32_t i = h & mask;
	while (s[i].node != DNS_NONE)
		i = (i + 1) & mask;
	s[i].hash = h;
	s[i].node = k;
}

/* Make room for one more zone: the table doubles when half full. */
static bool
dns_zoneset_room(struct dns_zoneset *set)
{
	uint32_t nslots = set->slots ? set->mask + 1 : 8;
	if ((set->n + 1) * 2 <= nslots && set->slots != NULL)
		return true;
	if (set->slots != NULL)
		nslots *= 2;
	struct dns_slot *s = malloc((size_t)nslots * sizeof(*s));
	if (s == NULL)
		return false;
	memset(s, 0xff, (size_t)nslots * sizeof(*s));
	for (size_t k = 0; k < set->n; k++)
		dns_zoneset_insert(s, nslots - 1, set->zones[k], (uint32_t)k);
	free(set->slots);
	set->slots = s;
	set->mask = nslots - 1;
	return true;
}

static const struct dns_zone *
dns_zoneset_exact(const struct dns_zoneset *set, const uint8_t *name, size_t len)
{
	uint32_t h = dns_hash(name, len);
	for (uint32_t i = h & set->mask; set->slots[i].node != DNS_NONE; i = (i + 1) & set->mask) {
		const struct dns_zone *z = set->zones[set->slots[i].node];
		if (set->slots[i].hash == h && z->apex_node->name_len == len &&
		    memcmp(z->apex, name, len) == 0)
			return z;
	}
	return NULL;
}

int
dns_zoneset_add(struct dns_zoneset *set, struct dns_zone *zone)
{
	size_t len = zone->apex_node->name_len;
	unsigned labels = zone->apex_node->labels;

	if (set->n > 0 && dns_zoneset_exact(set, zone->apex, len) != NULL)
		return -1;
	if (set->n >= UINT32_MAX / 4 || !dns_zoneset_room(set) ||
	    !array_grow((void **)&set->zones, &set->cap, set->n + 1, sizeof(*set->zones)))
		return -1;
	dns_zoneset_insert(set->slots, set->mask, zone, (uint32_t)set->n);
	set->zones[set->n++] = zone;
	if (set->n == 1 || labels < set->min_labels)
		set->min_labels = labels;
	if (set->n == 1 || labels > set->max_labels)
		set->max_labels = labels;
	return 0;
}

const struct dns_zone *
dns_zoneset_find(const struct dns_zoneset *set, const uint8_t *name_lc)
{
	if (set->n == 0)
		return NULL;
	unsigned labels = dns_name_labels(name_lc);
	if (labels < set->min_labels)
		return NULL;
	unsigned skip = labels > set->max_labels ? labels - set->max_labels : 0;
	const uint8_t *p = dns_name_skip(name_lc, skip);
	size_t len = dns_wire_len(p);
	for (; skip <= labels - set->min_labels; skip++) {
		const struct dns_zone *z = dns_zoneset_exact(set, p, len);
		if (z != NULL)
			return z;
		len -= 1 + (size_t)*p;
		p += 1 + *p;
	}
	return NULL;
}

void
dns_zoneset_set_stat_slot(struct dns_zoneset *set, size_t i, unsigned slot)
{
	/*
	 * Zones are shared between generations (dns_zone_ref) and a slot
	 * belongs to one apex for good: a zone already served has its slot,
	 * and is not written while workers read it.
	 */
	if (i < set->n && set->zones[i]->stat_slot != slot)
		set->zones[i]->stat_slot = slot;
}

unsigned
dns_zone_stat_slot(const struct dns_zone *zone)
{
	return zone->stat_slot;
}

size_t
dns_zoneset_count(const struct dns_zoneset *set)
{
	return set->n;
}

const struct dns_zone *
dns_zoneset_get(const struct dns_zoneset *set, size_t i)
{
	return i < set->n ? set->zones[i] : NULL;
}

void
dns_zoneset_free(struct dns_zoneset *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		dns_zone_free(set->zones[i]);
	free(set->zones);
	free(set->slots);
	free(set);
}
