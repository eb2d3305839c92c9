/*
 * krview.c - the objects kr.c reported, in a hash table keyed as the
 * kernel keys them: a link by ifindex, an address by (ifindex, address,
 * prefix length), a route by (prefix, priority).  See krview.h.
 */
#include <stdlib.h>
#include <string.h>

#include "netlink/krview.h"

enum krview_kind { KRV_ROUTE, KRV_ADDR, KRV_LINK };

/* A route is kept without its next hops: a deletion needs only its key and origin. */
struct krview_node {
	struct krview_node	*next;
	uint32_t		 gen;
	enum krview_kind	 kind;
	union {
		struct kr_link	 link;
		struct kr_addr	 addr;
		struct {
			struct prefix4	 prefix;
			enum kr_origin	 origin;
			uint8_t		 protocol, type;
			uint32_t	 table, metric;
		} route;
	} u;
};

#define KRV_MIN_BUCKETS 64

void
krview_init(struct krview *v)
{
	memset(v, 0, sizeof(*v));
}

void
krview_free(struct krview *v)
{
	for (size_t b = 0; b < v->n_buckets; b++) {
		struct krview_node *n, *next;
		for (n = v->buckets[b]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(v->buckets);
	krview_init(v);
}

static uint64_t
krv_mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h;
}

static uint64_t
krv_hash(const struct krview_node *n)
{
	uint64_t h = krv_mix(0, n->kind);
	switch (n->kind) {
	case KRV_LINK:
		return krv_mix(h, n->u.link.ifindex);
	case KRV_ADDR:
		h = krv_mix(h, n->u.addr.ifindex);
		h = krv_mix(h, n->u.addr.addr);
		return krv_mix(h, n->u.addr.prefixlen);
	case KRV_ROUTE:
		h = krv_mix(h, n->u.route.prefix.addr);
		h = krv_mix(h, n->u.route.prefix.len);
		return krv_mix(h, n->u.route.metric);
	}
	return h;
}

static bool
krv_same(const struct krview_node *a, const struct krview_node *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case KRV_LINK:
		return a->u.link.ifindex == b->u.link.ifindex;
	case KRV_ADDR:
		return a->u.addr.ifindex == b->u.addr.ifindex && a->u.addr.addr == b->u.addr.addr &&
		    a->u.addr.prefixlen == b->u.addr.prefixlen;
	case KRV_ROUTE:
		return prefix4_equal(a->u.route.prefix, b->u.route.prefix) &&
		    a->u.route.metric == b->u.route.metric;
	}
	return false;
}

static void
krv_grow(struct krview *v)
{
	size_t nb = v->n_buckets ? v->n_buckets * 2 : KRV_MIN_BUCKETS;
	struct krview_node **b = calloc(nb, sizeof(*b));

	if (b == NULL)
		return;	/* longer chains, still correct */
	for (size_t i = 0; i < v->n_buckets; i++) {
		struct krview_node *n, *next;
		for (n = v->buckets[i]; n != NULL; n = next) {
			next = n->next;
			size_t k = krv_hash(n) % nb;
			n->next = b[k];
			b[k] = n;
		}
	}
	free(v->buckets);
	v->buckets = b;
	v->n_buckets = nb;
}

/* Insert or refresh (marked seen in this generation), or remove. */
static int
krv_note(struct krview *v, const struct krview_node *key, bool deleted)
{
	if (v->n_buckets == 0 || (!deleted && v->n >= v->n_buckets))
		krv_grow(v);
	if (v->n_buckets == 0)
		return -1;
	struct krview_node **pp = &v->buckets[krv_hash(key) % v->n_buckets];
	for (; *pp != NULL; pp = &(*pp)->next)
		if (krv_same(*pp, key))
			break;
	if (deleted) {
		if (*pp != NULL) {
			struct krview_node *n = *pp;
			*pp = n->next;
			free(n);
			v->n--;
		}
		return 0;
	}
	if (*pp == NULL) {
		if ((*pp = malloc(sizeof(**pp))) == NULL)
			return -1;
		**pp = *key;
		(*pp)->next = NULL;
		v->n++;
	} else {
		struct krview_node *next = (*pp)->next;
		**pp = *key;
		(*pp)->next = next;
	}
	(*pp)->gen = v->gen;
	return 0;
}

int
krview_link(struct krview *v, const struct kr_link *l, bool deleted)
{
	struct krview_node k = { .kind = KRV_LINK, .u.link = *l };

	if (deleted) {
		/* Its addresses went with it (the kernel may not say so for each). */
		for (size_t b = 0; b < v->n_buckets; b++)
			for (struct krview_node **pp = &v->buckets[b]; *pp != NULL;) {
				struct krview_node *n = *pp;
				if (n->kind == KRV_ADDR && n->u.addr.ifindex == l->ifindex) {
					*pp = n->next;
					free(n);
					v->n--;
				} else {
					pp = &n->next;
				}
			}
	}
	return krv_note(v, &k, deleted);
}

int
krview_addr(struct krview *v, const struct kr_addr *a, bool deleted)
{
	struct krview_node k = { .kind = KRV_ADDR, .u.addr = *a };

	return krv_note(v, &k, deleted);
}

int
krview_route(struct krview *v, const struct kr_route *r, bool deleted)
{
	struct krview_node k = { .kind = KRV_ROUTE };

	k.u.route.prefix = r->prefix;
	k.u.route.origin = r->origin;
	k.u.route.protocol = r->protocol;
	k.u.route.type = r->type;
	k.u.route.table = r->table;
	k.u.route.metric = r->metric;
	return krv_note(v, &k, deleted);
}

size_t
krview_count(const struct krview *v)
{
	return v->n;
}

void
krview_resync_begin(struct krview *v)
{
	v->gen++;
}

static void
krv_report(const struct krview_node *n, const struct kr_callbacks *cb)
{
	switch (n->kind) {
	case KRV_LINK:
		if (cb->link != NULL)
			cb->link(cb->ctx, &n->u.link, true);
		break;
	case KRV_ADDR:
		if (cb->addr != NULL)
			cb->addr(cb->ctx, &n->u.addr, true);
		break;
	case KRV_ROUTE: {
		struct kr_route r;
		memset(&r, 0, sizeof(r));
		r.prefix = n->u.route.prefix;
		r.origin = n->u.route.origin;
		r.protocol = n->u.route.protocol;
		r.type = n->u.route.type;
		r.table = n->u.route.table;
		r.metric = n->u.route.metric;
		if (cb->route != NULL)
			cb->route(cb->ctx, &r, true);
		break;
	}
	}
}

size_t
krview_resync_end(struct krview *v, const struct kr_callbacks *cb)
{
	static const enum krview_kind order[] = { KRV_ROUTE, KRV_ADDR, KRV_LINK };
	size_t gone = 0;

	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
		for (size_t b = 0; b < v->n_buckets; b++) {
			for (struct krview_node **pp = &v->buckets[b]; *pp != NULL;) {
				struct krview_node *n = *pp;
				if (n->kind != order[o] || n->gen == v->gen) {
					pp = &n->next;
					continue;
				}
				/* Unlinked first: the callback may not see it again. */
				*pp = n->next;
				v->n--;
				gone++;
				krv_report(n, cb);
				free(n);
			}
		}
	}
	return gone;
}
