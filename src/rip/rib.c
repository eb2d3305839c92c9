/*
 * rib.c - routes, their paths and the choice of the active ones.
 *
 * A chained hash table keyed by prefix (SipHash-2-4 under a random key,
 * rib.h), grown at load factor 1, holds the routes; each route keeps a
 * short list of paths.  The selection rule and the loop-free condition for
 * alternates are described in rib.h.
 */
#include "rib.h"

#include <stdlib.h>
#include <string.h>

#include "packet.h"

static void rib_path_uncount(struct rib *rib, struct rip_route *route, const struct rip_path *p);

static const char *const rip_origin_names[RIP_ORIGIN_COUNT] = {
	[RIP_ORIGIN_RIP] = "rip",
	[RIP_ORIGIN_CONNECTED] = "connected",
	[RIP_ORIGIN_STATIC] = "static",
	[RIP_ORIGIN_KERNEL] = "kernel",
	[RIP_ORIGIN_DEFAULT] = "default",
	[RIP_ORIGIN_SERVICE] = "service",
};

const char *
rip_origin_name(enum rip_origin origin)
{
	return (unsigned)origin < RIP_ORIGIN_COUNT ? rip_origin_names[origin] : "?";
}

static size_t
rib_hash(const struct rib *rib, struct prefix4 p, size_t n_buckets)
{
	uint8_t k[5] = { (uint8_t)(p.addr >> 24), (uint8_t)(p.addr >> 16), (uint8_t)(p.addr >> 8),
		(uint8_t)p.addr, p.len };
	return (size_t)siphash24(&rib->key, k, sizeof(k)) & (n_buckets - 1);
}

int
rib_init(struct rib *rib, const struct siphash_key *key)
{
	memset(rib, 0, sizeof(*rib));
	rib->key = *key;
	rib->n_buckets = 1024;
	rib->buckets = calloc(rib->n_buckets, sizeof(*rib->buckets));
	return rib->buckets == NULL ? -1 : 0;
}

static void
rib_route_free(struct rip_route *route)
{
	struct rip_path *p, *next;
	for (p = route->paths; p != NULL; p = next) {
		next = p->next;
		free(p);
	}
	free(route);
}

void
rib_free(struct rib *rib)
{
	for (size_t i = 0; i < rib->n_buckets; i++) {
		struct rip_route *r, *next;
		for (r = rib->buckets[i]; r != NULL; r = next) {
			next = r->hnext;
			rib_route_free(r);
		}
	}
	free(rib->buckets);
	memset(rib, 0, sizeof(*rib));
}

struct rip_route *
rib_lookup(const struct rib *rib, struct prefix4 prefix)
{
	struct rip_route *r = rib->buckets[rib_hash(rib, prefix, rib->n_buckets)];
	for (; r != NULL; r = r->hnext)
		if (prefix4_equal(r->prefix, prefix))
			return r;
	return NULL;
}

static void
rib_grow(struct rib *rib)
{
	size_t n = rib->n_buckets * 2;
	struct rip_route **b = calloc(n, sizeof(*b));
	if (b == NULL)
		return; /* keep the old table: slower, still correct */
	for (size_t i = 0; i < rib->n_buckets; i++) {
		struct rip_route *r, *next;
		for (r = rib->buckets[i]; r != NULL; r = next) {
			next = r->hnext;
			size_t h = rib_hash(rib, r->prefix, n);
			r->hnext = b[h];
			b[h] = r;
		}
	}
	free(rib->buckets);
	rib->buckets = b;
	rib->n_buckets = n;
}

struct rip_route *
rib_get(struct rib *rib, struct prefix4 prefix, rtime_t now)
{
	struct rip_route *r = rib_lookup(rib, prefix);
	if (r != NULL)
		return r;
	if (rib->n_routes >= rib->n_buckets)
		rib_grow(rib);
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	r->prefix = prefix;
	r->metric = RIP_INFINITY;
	r->gc_deadline = RTIME_NEVER;
	r->since = now;
	size_t h = rib_hash(rib, prefix, rib->n_buckets);
	r->hnext = rib->buckets[h];
	rib->buckets[h] = r;
	rib->n_routes++;
	return r;
}

void
rib_remove(struct rib *rib, struct rip_route *route)
{
	struct rip_route **pp = &rib->buckets[rib_hash(rib, route->prefix, rib->n_buckets)];
	for (; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == route) {
			*pp = route->hnext;
			for (struct rip_path *p = route->paths; p != NULL; p = p->next)
				rib_path_uncount(rib, route, p);
			rib_route_free(route);
			rib->n_routes--;
			return;
		}
	}
}

/* The counters a path is part of, when it goes. */
static void
rib_path_uncount(struct rib *rib, struct rip_route *route, const struct rip_path *p)
{
	rib->n_paths--;
	if (p->origin != RIP_ORIGIN_RIP)
		return;
	rib->n_rip_paths--;
	if (--route->n_rip == 0)
		rib->n_rip_routes--;
	if (p->owner != NULL)
		(*p->owner)--;
}

struct rip_path *
rib_path_find(struct rip_route *route, enum rip_origin origin, uint32_t from, unsigned ifindex)
{
	for (struct rip_path *p = route->paths; p != NULL; p = p->next) {
		if (p->origin != origin)
			continue;
		if (origin == RIP_ORIGIN_RIP && p->from != from)
			continue;
		if (origin == RIP_ORIGIN_CONNECTED && p->ifindex != ifindex)
			continue;
		return p;
	}
	return NULL;
}

struct rip_path *
rib_path_add(struct rib *rib, struct rip_route *route, enum rip_origin origin, uint32_t from,
    unsigned ifindex, rtime_t now)
{
	struct rip_path *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->origin = origin;
	p->from = from;
	p->ifindex = ifindex;
	p->metric = RIP_INFINITY;
	p->since = now;
	p->expires = RTIME_NEVER;
	p->next = route->paths;
	route->paths = p;
	rib->n_paths++;
	if (origin == RIP_ORIGIN_RIP) {
		rib->n_rip_paths++;
		if (route->n_rip++ == 0)
			rib->n_rip_routes++;
	}
	return p;
}

void
rib_path_remove(struct rib *rib, struct rip_route *route, struct rip_path *path)
{
	for (struct rip_path **pp = &route->paths; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == path) {
			*pp = path->next;
			rib_path_uncount(rib, route, path);
			free(path);
			return;
		}
	}
}

struct rip_path *
rib_route_best(const struct rip_route *route)
{
	for (struct rip_path *p = route->paths; p != NULL; p = p->next)
		if (p->active)
			return p;
	return NULL;
}

static bool
rib_path_better(const struct rip_path *a, const struct rip_path *b)
{
	bool la = a->origin != RIP_ORIGIN_RIP, lb = b->origin != RIP_ORIGIN_RIP;
	if (la != lb)
		return la;
	return a->metric < b->metric;
}

unsigned
rib_route_select(struct rib *rib, struct rip_route *route, bool ecmp, rtime_t garbage, rtime_t now)
{
	struct rip_path *best = NULL, *p, *next;
	unsigned chg = 0;

	for (p = route->paths; p != NULL; p = p->next) {
		if (p->metric >= RIP_INFINITY)
			continue;
		/* Among equals keep the one already active, so nothing flaps. */
		if (best == NULL || rib_path_better(p, best) ||
		    (!rib_path_better(best, p) && p->active && !best->active))
			best = p;
	}

	for (p = route->paths; p != NULL; p = p->next)
		p->active = false;
	size_t n_active = 0;
	if (best != NULL) {
		for (p = route->paths; p != NULL; p = p->next) {
			if (p == best) {
				p->active = true;
				n_active++;
			} else if (ecmp && best->origin == RIP_ORIGIN_RIP &&
			    p->origin == RIP_ORIGIN_RIP && p->metric == best->metric &&
			    n_active < RIP_MAX_ECMP) {
				p->active = true;
				n_active++;
			}
		}
		/*
		 * RFC 5286 3.1 loop-free condition with unit costs: an
		 * alternate's advertised metric must not exceed our best
		 * metric, or its path may lead back through us.
		 */
		for (p = route->paths; p != NULL; p = next) {
			next = p->next;
			if (p->origin == RIP_ORIGIN_RIP && !p->active && p->adv_metric > best->metric)
				rib_path_remove(rib, route, p);
		}
	}

	uint8_t metric = best != NULL ? best->metric : RIP_INFINITY;
	uint16_t tag = best != NULL ? best->tag : route->tag;
	if (metric != route->metric || tag != route->tag) {
		chg |= RIB_CHG_METRIC;
		route->changed = true;
		route->since = now;
		if (best == NULL)
			chg |= RIB_CHG_INVALID;
	}
	route->metric = metric;
	route->tag = tag;
	if (best == NULL) {
		if (route->gc_deadline == RTIME_NEVER)
			route->gc_deadline = now + garbage;
	} else {
		route->gc_deadline = RTIME_NEVER;
	}
	return chg;
}

uint32_t
rib_route_nexthop_fp(const struct rip_route *route)
{
	uint32_t fp = 0, n = 0;
	for (const struct rip_path *p = route->paths; p != NULL; p = p->next) {
		if (!p->active || p->origin != RIP_ORIGIN_RIP)
			continue;
		uint64_t k = ((uint64_t)p->nexthop << 32 | p->ifindex) * 0x9e3779b97f4a7c15ull;
		fp += (uint32_t)(k >> 32) ^ (uint32_t)k; /* a sum: the order of paths does not matter */
		n++;
	}
	return fp * 31 + n;
}

struct rip_route *
rib_first(const struct rib *rib, struct rib_iter *it)
{
	it->bucket = 0;
	it->next = NULL;
	return rib_next(rib, it);
}

struct rip_route *
rib_next(const struct rib *rib, struct rib_iter *it)
{
	struct rip_route *r = it->next;
	while (r == NULL && it->bucket < rib->n_buckets)
		r = rib->buckets[it->bucket++];
	if (r != NULL)
		it->next = r->hnext;
	return r;
}
