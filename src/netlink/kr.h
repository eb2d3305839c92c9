/*
 * kr.h - the kernel behind a tiny API (netlink through libmnl).
 *
 * Routes: riposted's routes are tagged with RTPROT_RIPOSTE in the main
 * table.  kr_route_change() installs or replaces a route (one next hop or an
 * ECMP set through RTA_MULTIPATH); kr_route_delete() removes ours.  Both are
 * idempotent.  Changes can be batched: between kr_batch_begin() and
 * kr_batch_end() requests are queued into one sendmsg (large tables).
 *
 * Links and addresses: kr_dump() reports every link and IPv4 address through
 * the callbacks, then the monitor socket reports changes as they happen
 * (kr_monitor_fd() becomes readable -> kr_monitor_read()).  The monitor also
 * reports deletions of our own routes (so they can be put back) and kernel
 * routes of other protocols (for redistribute static/kernel).
 *
 * All addresses host byte order.
 */
#ifndef RIPOSTE_KR_H
#define RIPOSTE_KR_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/addr.h"

#define RTPROT_RIPOSTE 177 /* our rtm_protocol: free in the kernel uapi, iproute2 and FRR (186-197) */

struct kr_nexthop {
	uint32_t gateway; /* host order */
	unsigned ifindex;
};

struct kr_link {
	unsigned ifindex;
	char name[IFNAMSIZ];
	bool up;        /* IFF_UP and IFF_RUNNING (carrier) */
	bool loopback;  /* IFF_LOOPBACK */
	bool multicast; /* IFF_MULTICAST */
	unsigned mtu;
};

struct kr_addr {
	unsigned ifindex;
	uint32_t addr;    /* local address */
	uint8_t prefixlen;
	uint32_t peer;    /* IFA_ADDRESS when point-to-point, else == addr */
};

/* Who put a unicast route in the kernel, as far as redistribution cares. */
enum kr_origin {
	KR_ORIGIN_OURS,		/* rtm_protocol RTPROT_RIPOSTE */
	KR_ORIGIN_STATIC,	/* `ip route add ... proto static` */
	KR_ORIGIN_KERNEL,	/* plain `ip route add` (proto boot) */
	KR_ORIGIN_OTHER,	/* another routing daemon, the kernel's own, not unicast */
};

struct kr_route {
	struct prefix4 prefix;
	enum kr_origin origin;
	uint8_t protocol; /* rtm_protocol */
	uint8_t type;     /* rtm_type (RTN_UNICAST, ...) */
	uint32_t table;
	uint32_t metric;  /* RTA_PRIORITY */
	struct kr_nexthop nh[16];
	size_t n_nh;
};

struct kr_callbacks {
	void (*link)(void *ctx, const struct kr_link *link, bool deleted);
	void (*addr)(void *ctx, const struct kr_addr *addr, bool deleted);
	/* main-table IPv4 unicast routes, any protocol (ours included) */
	void (*route)(void *ctx, const struct kr_route *route, bool deleted);
	void *ctx;
};

struct kr;

/* Open the request and monitor sockets; NULL with errno on failure. */
struct kr *kr_open(const struct kr_callbacks *cb);
void kr_close(struct kr *kr);

/* Dump links, then addresses, then main-table routes, through the callbacks. 0 / -1. */
int kr_dump(struct kr *kr);

int kr_monitor_fd(const struct kr *kr);
/* Read and dispatch every pending monitor message; 0, or -1 on a fatal socket error.
 * On ENOBUFS (events lost) it re-dumps everything so the caller's view is complete again:
 * what is in the dump is reported as usual, what was reported before and is not in it
 * any more is reported as deleted (routes, then addresses, then links). */
int kr_monitor_read(struct kr *kr);

void kr_batch_begin(struct kr *kr);
int kr_batch_end(struct kr *kr);

/*
 * Install or replace prefix -> nexthops (n >= 1).  `metric` is the RIP metric
 * and is not part of the kernel key: our routes use one fixed RTA_PRIORITY,
 * so a replace never leaves a gap or a second route of ours.  0 / -1.
 */
int kr_route_change(struct kr *kr, struct prefix4 prefix, const struct kr_nexthop *nh,
    size_t n, uint32_t metric);
/* Delete our route for prefix (ENOENT/ESRCH count as success). 0 / -1. */
int kr_route_delete(struct kr *kr, struct prefix4 prefix);
/* Delete every route with RTPROT_RIPOSTE in the main table (start-up leftovers, exit). */
int kr_flush_ours(struct kr *kr);

/* Add / delete an IPv4 address on an interface (the service issue needs them). 0 / -1. */
int kr_addr_add(struct kr *kr, unsigned ifindex, uint32_t addr, uint8_t prefixlen);
int kr_addr_delete(struct kr *kr, unsigned ifindex, uint32_t addr, uint8_t prefixlen);

/* Counters for `show status`. */
struct kr_stats {
	uint64_t routes_changed;
	uint64_t routes_deleted;
	uint64_t errors;
	uint64_t resyncs; /* monitor overruns recovered by a re-dump */
};
void kr_get_stats(const struct kr *kr, struct kr_stats *out);

#endif
