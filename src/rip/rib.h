/*
 * rib.h - the RIP routing information base.
 *
 * A route is one prefix; it holds every offer (path) we know for it: local
 * origins (connected, static, kernel, default) and one path per neighbour
 * that offered it.  The best paths are active (several when ECMP); the
 * other RIP paths are kept as alternates while they meet RFC 5286's
 * loop-free condition, which with RIP's symmetric cost of 1 reads: the
 * neighbour's advertised metric <= our current best metric.  When the best
 * goes (withdrawn, timed out, neighbour or link down) the best alternate
 * takes over at once instead of after the next periodic update.
 *
 * The RIB knows nothing of sockets or the kernel: rib_route_select() says
 * what changed and the engine (proto.c) acts on it.
 */
#ifndef RIPOSTE_RIP_RIB_H
#define RIPOSTE_RIP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/addr.h"
#include "../lib/clock.h"
#include "../lib/siphash.h"

#define RIP_MAX_ECMP 16

enum rip_origin {
	RIP_ORIGIN_RIP = 0,
	RIP_ORIGIN_CONNECTED,
	RIP_ORIGIN_STATIC,
	RIP_ORIGIN_KERNEL,
	RIP_ORIGIN_DEFAULT,
	RIP_ORIGIN_SERVICE, /* health-checked service address (health/, rip_engine_service) */
	RIP_ORIGIN_COUNT,
};
const char *rip_origin_name(enum rip_origin origin);

struct rip_path {
	struct rip_path *next;
	enum rip_origin origin;
	uint32_t from;      /* neighbour that offered it (RIP), 0 for local */
	unsigned ifindex;   /* interface it was learned on / belongs to */
	uint32_t nexthop;   /* gateway to install (RIP), 0 = via the interface */
	uint8_t metric;     /* our metric: advertised + 1 for RIP (RFC 2453 3.9.2) */
	uint8_t adv_metric; /* what the neighbour advertised (0 for local) */
	uint16_t tag;
	bool active;        /* selected (one of the ECMP set) */
	rtime_t since;      /* when it was learned or last changed */
	rtime_t expires;    /* RFC 2453 3.8 timeout, RTIME_NEVER for local */
	/*
	 * RIP paths: the offering neighbour's path count, decremented when
	 * the path goes, wherever that happens (rib_route_select drops
	 * alternates too); the engine's per-neighbour limit reads it.  NULL
	 * for local origins.  The counter must outlive the path.
	 */
	size_t *owner;
};

struct rip_route {
	struct rip_route *hnext; /* hash chain */
	struct prefix4 prefix;
	struct rip_path *paths;
	uint8_t metric;     /* advertised metric: best, or 16 while in garbage collection */
	uint16_t tag;       /* tag of the best path */
	bool changed;       /* RFC 2453 3.10.1 route change flag */
	bool installed;     /* our route is in the kernel ... */
	uint8_t urgent;     /* urgent sends still to go (proto.h RIP_URGENT_SENDS) */
	uint16_t n_rip;     /* RIP paths (bounded by the engine, RIP_MAX_PATHS) */
	uint32_t kernel_fp; /* ... with the next-hop set of this fingerprint (rib_route_nexthop_fp) */
	rtime_t gc_deadline; /* RFC 2453 3.8 garbage-collection deadline, RTIME_NEVER when valid */
	rtime_t since;       /* when the best last changed */
};

struct rib {
	struct rip_route **buckets;
	size_t n_buckets; /* power of two */
	size_t n_routes;
	size_t n_paths;
	size_t n_rip_routes; /* routes with at least one RIP path (max-routes counts these) */
	size_t n_rip_paths;
	/*
	 * Buckets are chosen by SipHash-2-4 under a key drawn at start: the
	 * prefixes come from neighbours, and with a known hash one could send
	 * prefixes that all land in one chain and make every lookup a walk.
	 */
	struct siphash_key key;
};

int rib_init(struct rib *rib, const struct siphash_key *key);
void rib_free(struct rib *rib);
struct rip_route *rib_lookup(const struct rib *rib, struct prefix4 prefix);
/* Find or create (metric 16, no paths); NULL on allocation failure. */
struct rip_route *rib_get(struct rib *rib, struct prefix4 prefix, rtime_t now);
void rib_remove(struct rib *rib, struct rip_route *route);

/* The path of this origin (and neighbour `from` for RIP, interface for connected). */
struct rip_path *rib_path_find(struct rip_route *route, enum rip_origin origin,
    uint32_t from, unsigned ifindex);
struct rip_path *rib_path_add(struct rib *rib, struct rip_route *route, enum rip_origin origin,
    uint32_t from, unsigned ifindex, rtime_t now);
void rib_path_remove(struct rib *rib, struct rip_route *route, struct rip_path *path);

/* What rib_route_select() changed. */
enum {
	RIB_CHG_METRIC = 1 << 0,   /* advertised metric or tag changed: trigger an update */
	RIB_CHG_INVALID = 1 << 2,  /* the route just became unreachable (garbage started) */
};

/*
 * An order-independent fingerprint of the active RIP paths' (next hop,
 * interface) set.  Comparing it with the one installed tells whether the
 * kernel route must change, whatever happened to the paths in between
 * (a member withdrawn, a next hop rewritten in place), for 4 bytes a route.
 */
uint32_t rib_route_nexthop_fp(const struct rip_route *route);

/*
 * Choose the active paths: local origins win over RIP (they are ours, like
 * an administrative distance), then the lowest metric; equal metrics are all
 * active when ecmp is on, else the one already active stays (no flapping).
 * Drops RIP alternates that no longer meet the loop-free condition.
 * Returns RIB_CHG_* flags; sets route->changed on RIB_CHG_METRIC.
 */
unsigned rib_route_select(struct rib *rib, struct rip_route *route, bool ecmp,
    rtime_t garbage, rtime_t now);

/* The best (first active) path, or NULL when the route is unreachable. */
struct rip_path *rib_route_best(const struct rip_route *route);

/* Iterate over every route: for (r = rib_first(rib, &it); r; r = rib_next(rib, &it)). */
struct rib_iter {
	size_t bucket;
	struct rip_route *next;
};
struct rip_route *rib_first(const struct rib *rib, struct rib_iter *it);
struct rip_route *rib_next(const struct rib *rib, struct rib_iter *it);

#endif
