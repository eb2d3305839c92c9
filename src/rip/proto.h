/*
 * proto.h - the RIPv2 engine (RFC 2453): input processing, output
 * (periodic, triggered, answers to requests), timers, split horizon.
 *
 * The engine is pure: it never touches a socket, the kernel or the clock.
 * The daemon feeds it packets, interface and address changes and the time,
 * and the engine calls back through struct rip_ops to send packets and to
 * change kernel routes.  Tests drive it with a fake clock and capture what
 * it sends.
 */
#ifndef RIPOSTE_RIP_PROTO_H
#define RIPOSTE_RIP_PROTO_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/clock.h"
#include "auth.h"
#include "conf.h"
#include "packet.h"
#include "rib.h"

struct rip_nexthop {
	uint32_t gw; /* host order; 0 = on-link */
	unsigned ifindex;
};

/* Flags of struct rip_ops.send. */
#define RIP_SEND_REPLY  0x1 /* an answer to a request: it waits behind our own updates */
#define RIP_SEND_TTL255 0x2 /* ip rip ttl-security: sent with TTL 255 (RFC 5082) */

/* The limits on what neighbours may make us hold (rip_ops.limit_hit, counters). */
enum rip_limit {
	RIP_LIMIT_ROUTES = 0,   /* max-routes: a new prefix beyond the overall limit */
	RIP_LIMIT_NEIGHBOR,     /* max-routes N per-neighbor: beyond this neighbour's share */
	RIP_LIMIT_PATHS,        /* RIP_MAX_PATHS offers of one prefix held already */
	RIP_LIMIT_COUNT,
};
const char *rip_limit_name(enum rip_limit which);

/*
 * Offers of one prefix kept (the best, ECMP members and alternates): more
 * than any real network needs, few enough that forged sources cannot grow
 * one prefix's list without bound.  A new offer beyond it replaces the
 * worst one when it is better, and is dropped otherwise.
 */
#define RIP_MAX_PATHS 16

/*
 * Requests (RFC 2453 3.9.1) are answered at most RIP_REQ_BURST at once and
 * then one per RIP_REQ_INTERVAL per source: a router asks when it starts
 * and when an interface or BFD session comes up, a query tool now and then.
 * Sources are tracked in RIP_REQ_SLOTS slots chosen by a keyed hash; a
 * source whose slot is held by another busy source shares one extra bucket
 * with every such source, so many forged sources get no more than one.
 */
#define RIP_REQ_BURST 4
#define RIP_REQ_INTERVAL (2 * RTIME_SEC)
#define RIP_REQ_SLOTS 256

struct rip_req_slot {
	uint32_t addr;
	rtime_t full_at; /* when the bucket is full again (GCRA's theoretical arrival time) */
};

struct rip_ops {
	/*
	 * Send one datagram from our address `src` on ifindex to dst:port
	 * (host order); flags are RIP_SEND_*.
	 */
	void (*send)(void *ctx, unsigned ifindex, uint32_t src, uint32_t dst, uint16_t port,
	    const uint8_t *buf, size_t len, unsigned flags);
	/* Install or replace prefix -> next hops in the kernel (n >= 1). */
	void (*route_install)(void *ctx, struct prefix4 prefix, const struct rip_nexthop *nh,
	    size_t n, uint8_t metric);
	/* Remove our kernel route for prefix. */
	void (*route_remove)(void *ctx, struct prefix4 prefix);
	/* RIP starts or stops on an interface: join or leave 224.0.0.9 there. */
	void (*iface_enable)(void *ctx, unsigned ifindex, bool on);
	/* Uniform random 32 bits (jitter); the test harness makes it deterministic. */
	uint32_t (*random)(void *ctx);
	void *ctx;
	/* Optional (may be NULL): a neighbour was heard for the first time (BFD starts here). */
	void (*neighbor_new)(void *ctx, uint32_t addr, unsigned ifindex);
	/* Optional: a neighbour expired (nothing valid heard for the route timeout); stop BFD. */
	void (*neighbor_gone)(void *ctx, uint32_t addr, unsigned ifindex);
	/*
	 * Optional: a limit was reached and an offer dropped; called once until
	 * the count is under the limit again (the daemon logs it).  neighbor is
	 * 0 for the overall limits.
	 */
	void (*limit_hit)(void *ctx, enum rip_limit which, uint32_t neighbor, uint32_t limit);
};

/*
 * Wall-clock seconds since the epoch (called with ops.ctx), for key
 * lifetimes and RFC 4822 sequence numbers; set by rip_engine_set_wallclock().
 * Without one the time is 0: only keys without lifetimes work.
 */
typedef int64_t rip_wallclock_fn(void *ctx);

/*
 * Urgent updates: a service withdrawal (or announcement) and the routes a
 * BFD session failure invalidates are sent at once, not held back by the
 * 1-5 s triggered-update suppression of RFC 2453 3.10.1, and sent
 * RIP_URGENT_SENDS times RIP_URGENT_SPACING apart so one lost datagram does
 * not leave a neighbour on a dead route for 180 s.  The suppression exists
 * against update storms; these are bounded (three datagrams per event).
 */
#define RIP_URGENT_SENDS 3
#define RIP_URGENT_SPACING (50 * RTIME_MS)

/* Why a packet was dropped; counted per reason (and per neighbour when the
 * source is a plausible neighbour).  Codec errors come first. */
enum rip_drop {
	RIP_DROP_SHORT = 0,       /* the codec's enum rip_pkt_err, negated, minus one */
	RIP_DROP_BAD_LENGTH,
	RIP_DROP_BAD_COMMAND,
	RIP_DROP_BAD_VERSION,
	RIP_DROP_BAD_MBZ,
	RIP_DROP_BAD_AUTH,
	RIP_DROP_TOO_LONG,        /* over 512 octets / 25 entries (RFC 2453 3.6, 4, 4.1) */
	RIP_DROP_SRC_PORT,        /* response not from port 520 (RFC 2453 3.9.2) */
	RIP_DROP_NOT_CONNECTED,   /* source not on a network of the receiving interface
	                           * (responses: RFC 2453 3.9.2; requests: not answered) */
	RIP_DROP_OWN_ADDRESS,     /* one of our own addresses (our multicast looped back) */
	RIP_DROP_IFACE_DISABLED,  /* arrived on an interface where RIP is not enabled */
	RIP_DROP_VERSION_1,       /* RIPv1 is not accepted (ip rip receive version 2) */
	RIP_DROP_AUTH_UNEXPECTED, /* authenticated but we are not configured to (RFC 2453 4.1) */
	RIP_DROP_BFD_DOWN,        /* response from a neighbour whose BFD session is down */
	RIP_DROP_REQ_PASSIVE,     /* request on a passive (or loopback) interface: not answered */
	/* On an interface with authentication (auth.h, in the order checked): */
	RIP_DROP_AUTH_MISSING,    /* no authentication entry */
	RIP_DROP_AUTH_TYPE,       /* another authentication type than configured */
	RIP_DROP_AUTH_KEY,        /* no key with that id accepted now (unknown or expired) */
	RIP_DROP_AUTH_FAIL,       /* wrong password or digest */
	RIP_DROP_AUTH_SEQNO,      /* RFC 4822 sequence number below the last one */
	RIP_DROP_TTL,             /* ip rip ttl-security and the TTL was not 255 (RFC 5082) */
	RIP_DROP_REQ_RATE,        /* request beyond its source's rate (RIP_REQ_BURST) */
	RIP_DROP_COUNT,
};
const char *rip_drop_name(enum rip_drop reason);

/* Route-entry rejections: the codec's enum rip_rte_err, negated, minus one. */
#define RIP_RTE_DROP_COUNT (RIP_RTE_ERR_COUNT - 1)
const char *rip_rte_drop_name(unsigned reason);

struct rip_kroute {
	struct prefix4 prefix;
	enum rip_origin origin;
};

struct rip_neighbor {
	struct rip_neighbor *next;
	uint32_t addr;
	unsigned ifindex;
	rtime_t first_heard;
	rtime_t last_heard;
	bool bfd_down;       /* BFD says the path is down: its responses are ignored */
	bool limit_logged;   /* limit_hit was called for its max-routes per-neighbor */
	size_t n_paths;      /* its offers held in the RIB (rip_path.owner) */
	uint64_t packets;    /* accepted packets */
	uint64_t routes;     /* accepted route entries */
	uint64_t bad_packets[RIP_DROP_COUNT];
	uint64_t bad_routes[RIP_RTE_DROP_COUNT];
	/* RFC 4822 3.2.2: the last sequence number per key id */
	struct rip_auth_seq auth_seq[RIP_AUTH_SEQ_SLOTS];
	uint64_t limit_drops[RIP_LIMIT_COUNT]; /* offers dropped at a limit */
};

#define RIP_MAX_IFADDR 16

struct rip_iface {
	struct rip_iface *next;
	unsigned ifindex;
	char name[IFNAMSIZ];
	bool up;
	bool loopback;
	bool multicast;
	bool enabled;   /* a `network` statement covers it */
	bool passive;
	bool joined;    /* iface_enable(on) was called */
	struct rip_conf_iface conf;
	struct prefix4 addr_pfx[RIP_MAX_IFADDR]; /* connected prefixes */
	uint32_t addr[RIP_MAX_IFADDR];           /* our addresses */
	size_t n_addr;
	uint64_t sent_updates;
	uint64_t sent_packets;
};

/*
 * Neighbours are made only from packets that passed validation, and one
 * that sent nothing valid for the route timeout (and whose routes are all
 * gone) is forgotten, counters and all, so forged sources cannot keep the
 * table full.
 */
#define RIP_MAX_NEIGHBORS 256

struct rip_engine {
	struct rip_conf conf;
	struct rip_ops ops;
	struct rib rib;
	struct rip_iface *ifaces;
	struct rip_neighbor *neighbors;
	size_t n_neighbors;
	rtime_t started;

	rtime_t next_periodic;
	rtime_t trig_quiet_until;  /* RFC 2453 3.10.1 suppression window */
	bool trig_pending;
	rtime_t urgent_next;       /* next urgent send, RTIME_NEVER when none is due */
	rtime_t next_sweep;        /* next timeout / garbage-collection check */

	uint64_t drops[RIP_DROP_COUNT];          /* all packet drops, by reason */
	uint64_t rte_drops[RIP_RTE_DROP_COUNT];  /* all entry drops, by reason */
	uint64_t rx_packets, rx_requests, rx_responses;
	uint64_t tx_packets, tx_periodic, tx_triggered, tx_urgent;
	uint64_t route_changes;
	uint64_t tx_no_key;        /* datagrams not sent: no key may send now */
	uint32_t auth_seqno;       /* the last RFC 4822 sequence number sent */
	uint64_t auth_stamp;       /* a counter for rip_auth_seq_update() */
	rip_wallclock_fn *wallclock;
	uint64_t limit_drops[RIP_LIMIT_COUNT];  /* offers dropped at a limit, by limit */
	uint64_t limit_drops_seen;              /* RIP_LIMIT_PATHS drops at the last periodic update */
	bool limit_logged[RIP_LIMIT_COUNT];     /* limit_hit called, not re-armed yet */
	uint64_t neighbors_expired;
	bool shutting_down;

	/* Kernel routes of other protocols, remembered so a reload can start or
	 * stop redistributing them. */
	struct rip_kroute *kroutes;
	size_t n_kroutes, cap_kroutes;
	/* Counters for responses from sources beyond RIP_MAX_NEIGHBORS. */
	struct rip_neighbor overflow;
	/* Service prefixes held at run time (rip_engine_service_prefix). */
	struct prefix4 *svc_held;
	size_t n_svc_held, cap_svc_held;

	/* Request rate limit per source (RIP_REQ_*), keyed like the RIB. */
	struct rip_req_slot req_slots[RIP_REQ_SLOTS];
	struct rip_req_slot req_shared;
};

/* Takes ownership of *conf (the caller must not free it); NULL on allocation failure. */
struct rip_engine *rip_engine_new(struct rip_conf *conf, const struct rip_ops *ops, rtime_t now);
void rip_engine_free(struct rip_engine *eng);
void rip_engine_set_wallclock(struct rip_engine *eng, rip_wallclock_fn *fn);
/* Swap in a new configuration (ownership taken), keeping learned routes. */
void rip_engine_reconfigure(struct rip_engine *eng, struct rip_conf *conf, rtime_t now);

/*
 * A datagram arrived on ifindex from src:port, addressed to dst, with this
 * IP TTL (-1 when unknown, which ip rip ttl-security refuses).
 */
void rip_engine_input(struct rip_engine *eng, unsigned ifindex, uint32_t src, uint16_t port,
    uint32_t dst, int ttl, const uint8_t *buf, size_t len, rtime_t now);

/* Links and addresses as the kernel reports them. */
void rip_engine_link(struct rip_engine *eng, unsigned ifindex, const char *name, bool up,
    bool loopback, bool multicast, bool deleted, rtime_t now);
void rip_engine_addr(struct rip_engine *eng, unsigned ifindex, uint32_t addr, uint8_t len,
    bool deleted, rtime_t now);
/* Kernel routes of other protocols, for redistribute static|kernel. */
void rip_engine_kernel_route(struct rip_engine *eng, struct prefix4 prefix, enum rip_origin origin,
    bool deleted, rtime_t now);
/* Someone deleted a kernel route of ours: put it back if it should be there. */
void rip_engine_kernel_route_lost(struct rip_engine *eng, struct prefix4 prefix, rtime_t now);

/*
 * A health-checked service address: announced with `metric` while up,
 * withdrawn (metric 16, or the best alternate) when not; either change goes
 * out as an urgent update.  A service prefix is never announced as a
 * connected route, so the address riposted adds for a service is announced
 * only through this call.  Service prefixes are the configured ones
 * (conf->service_prefixes) and those held at run time through
 * rip_engine_service_prefix().
 */
void rip_engine_service(struct rip_engine *eng, struct prefix4 prefix, uint8_t metric, bool up,
    rtime_t now);
/*
 * The services hold prefix (a service address that is, or may still be, on
 * an interface), or no longer.  The configuration alone is not enough: a
 * reload that moves a service's addresses or removes the service drops
 * them from conf->service_prefixes while the old address is still on its
 * interface, until its removal is confirmed; held, it is not announced as
 * connected meanwhile.  Released, an address still present becomes an
 * ordinary connected one.
 */
void rip_engine_service_prefix(struct rip_engine *eng, struct prefix4 prefix, bool held,
    rtime_t now);

/* A neighbour's BFD session changed state (what the BFD module reports). */
struct rip_bfd_change {
	bool up;		/* the session is Up now */
	bool was_up;		/* it was Up before this change */
	bool remote_admin_down;	/* the neighbour said AdminDown */
};

/* What rip_engine_neighbor_bfd() did, for the caller's log line. */
enum rip_bfd_effect {
	RIP_BFD_NOTHING,	/* unknown neighbour, or a change that carries no news */
	RIP_BFD_FOLLOWED,	/* up: its responses count again, its table was asked for */
	RIP_BFD_INVALIDATED,	/* down: its routes are gone, its responses ignored */
	RIP_BFD_KEPT,		/* AdminDown: routes kept (RFC 5882 3.2) */
};

/*
 * BFD (RFC 5882 4.3): when the session with a neighbour goes down, every
 * route learned from it is invalid at once (an alternate takes over, or the
 * route is withdrawn, in an urgent update) and its responses are ignored
 * until the session is up again; then its table is asked for at once.
 * A session that was never Up says nothing about the path; a neighbour
 * that sends AdminDown stopped BFD on purpose and the path is fine
 * (RFC 5882 3.2): its routes stay until RIP says otherwise.
 */
enum rip_bfd_effect rip_engine_neighbor_bfd(struct rip_engine *eng, uint32_t addr,
    unsigned ifindex, const struct rip_bfd_change *change, rtime_t now);

/*
 * Which neighbours get a BFD session: those on an interface with
 * `ip rip bfd` where we have an address to send from (written to *local).
 */
bool rip_engine_neighbor_wants_bfd(const struct rip_engine *eng, unsigned ifindex,
    uint32_t *local);

/* Run every timer that is due; returns the next deadline. */
rtime_t rip_engine_run(struct rip_engine *eng, rtime_t now);
rtime_t rip_engine_next_deadline(const struct rip_engine *eng);

/*
 * Shutdown: advertise every route we advertise with metric 16 on every
 * interface (the neighbours drop them at once instead of after 180 s), and
 * remove our kernel routes.
 */
void rip_engine_shutdown(struct rip_engine *eng, rtime_t now);

struct rip_iface *rip_iface_by_index(const struct rip_engine *eng, unsigned ifindex);
/* The address we send from on this interface (0 if it has none). */
uint32_t rip_iface_source_addr(const struct rip_iface *ifp);

#endif
