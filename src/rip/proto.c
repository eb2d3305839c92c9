/*
 * proto.c - the RIPv2 engine (RFC 2453).
 *
 * Owns: input validation in the order of RFC 2453 3.9.2 and route entry
 * processing (3.9.2, with every neighbour's loop-free offer kept, rib.h),
 * requests (3.9.1), periodic and triggered updates (3.8, 3.10.1), split
 * horizon with poisoned reverse (3.4.3), timeouts and garbage collection
 * (3.8), connected/static/kernel/default origination, and the goodbye on
 * shutdown (metric 16 for everything we advertise).  Also what a hostile
 * on-link sender may cost us: GTSM (ip rip ttl-security), max-routes
 * overall and per neighbour, RIP_MAX_PATHS offers per prefix, neighbour
 * expiry, and the request rate per source (proto.h).
 *
 * Pure: packets, interface events and the time come in as arguments, and
 * everything that leaves goes through struct rip_ops.
 */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Timeouts are checked no more often than this: cheap at 100k routes. */
#define RIP_SWEEP_GRANULARITY (250 * RTIME_MS)

static const char *const rip_drop_names[RIP_DROP_COUNT] = {
	[RIP_DROP_SHORT] = "packet too short",
	[RIP_DROP_BAD_LENGTH] = "bad length",
	[RIP_DROP_BAD_COMMAND] = "bad command",
	[RIP_DROP_BAD_VERSION] = "bad version",
	[RIP_DROP_BAD_MBZ] = "must-be-zero field set",
	[RIP_DROP_BAD_AUTH] = "malformed authentication",
	[RIP_DROP_TOO_LONG] = "longer than 512 octets",
	[RIP_DROP_SRC_PORT] = "source port not 520",
	[RIP_DROP_NOT_CONNECTED] = "source not on a connected network",
	[RIP_DROP_OWN_ADDRESS] = "source is our own address",
	[RIP_DROP_IFACE_DISABLED] = "RIP not enabled on interface",
	[RIP_DROP_VERSION_1] = "RIPv1 not accepted",
	[RIP_DROP_AUTH_UNEXPECTED] = "authentication not configured",
	[RIP_DROP_BFD_DOWN] = "BFD session down",
	[RIP_DROP_REQ_PASSIVE] = "request on a passive interface",
	[RIP_DROP_AUTH_MISSING] = "authentication missing",
	[RIP_DROP_AUTH_TYPE] = "wrong authentication type",
	[RIP_DROP_AUTH_KEY] = "no valid key",
	[RIP_DROP_AUTH_FAIL] = "authentication failed",
	[RIP_DROP_AUTH_SEQNO] = "sequence number decreased",
	[RIP_DROP_TTL] = "TTL not 255",
	[RIP_DROP_REQ_RATE] = "request rate limit",
};

static const char *const rip_limit_names[RIP_LIMIT_COUNT] = {
	[RIP_LIMIT_ROUTES] = "max-routes reached",
	[RIP_LIMIT_NEIGHBOR] = "max-routes per-neighbor reached",
	[RIP_LIMIT_PATHS] = "paths per prefix reached",
};

const char *
rip_limit_name(enum rip_limit which)
{
	return (unsigned)which < RIP_LIMIT_COUNT ? rip_limit_names[which] : "unknown";
}

/* The codec's errors map onto the first drop reasons: -err - 1. */
_Static_assert(-RIP_PKT_BAD_AUTH - 1 == RIP_DROP_BAD_AUTH, "codec errors and drop reasons");
_Static_assert(-RIP_PKT_TOO_LONG - 1 == RIP_DROP_TOO_LONG, "codec errors and drop reasons");
_Static_assert(RIP_PKT_ERR_COUNT - 1 == RIP_DROP_TOO_LONG + 1, "every codec error has a reason");

const char *
rip_drop_name(enum rip_drop reason)
{
	return (unsigned)reason < RIP_DROP_COUNT ? rip_drop_names[reason] : "unknown";
}

const char *
rip_rte_drop_name(unsigned reason)
{
	return rip_rte_err_str(-(int)reason - 1);
}

static rtime_t
rip_sec(uint32_t s)
{
	return (rtime_t)s * RTIME_SEC;
}

static rtime_t
rip_jitter(struct rip_engine *eng, rtime_t period)
{
	/* RFC 2453 3.8: offset the 30 s timer by a random +/- up to 5 s (1/6). */
	rtime_t span = period / 3;
	if (span <= 0)
		return period;
	return period - period / 6 + (rtime_t)(eng->ops.random(eng->ops.ctx) % (uint64_t)span);
}

struct rip_iface *
rip_iface_by_index(const struct rip_engine *eng, unsigned ifindex)
{
	for (struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next)
		if (ifp->ifindex == ifindex)
			return ifp;
	return NULL;
}

static bool
rip_is_own_address(const struct rip_engine *eng, uint32_t addr)
{
	for (struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next)
		for (size_t i = 0; i < ifp->n_addr; i++)
			if (ifp->addr[i] == addr)
				return true;
	return false;
}

static bool
rip_iface_connected(const struct rip_iface *ifp, uint32_t addr)
{
	for (size_t i = 0; i < ifp->n_addr; i++)
		if (ifp->addr_pfx[i].len < 32 && prefix4_contains(ifp->addr_pfx[i], addr))
			return true;
	return false;
}

/* The address we send from on this interface: the first one on a real subnet. */
static uint32_t
rip_iface_source(const struct rip_iface *ifp)
{
	for (size_t i = 0; i < ifp->n_addr; i++)
		if (ifp->addr_pfx[i].len < 32)
			return ifp->addr[i];
	return ifp->n_addr > 0 ? ifp->addr[0] : 0;
}

uint32_t
rip_iface_source_addr(const struct rip_iface *ifp)
{
	return rip_iface_source(ifp);
}

/* ---------------------------------------------------------- authentication */

static void rip_drop(struct rip_engine *eng, struct rip_neighbor *nbr, enum rip_drop reason);

static int64_t
rip_wallclock(const struct rip_engine *eng)
{
	return eng->wallclock != NULL ? eng->wallclock(eng->ops.ctx) : 0;
}

void
rip_engine_set_wallclock(struct rip_engine *eng, rip_wallclock_fn *fn)
{
	eng->wallclock = fn;
}

/* The interface's authentication, with its key chain looked up; false: none. */
static bool
rip_iface_auth(const struct rip_engine *eng, const struct rip_iface *ifp,
    struct rip_auth_conf *ac)
{
	const struct rip_conf_iface *c = &ifp->conf;

	memset(ac, 0, sizeof(*ac));
	ac->mode = c->auth_mode;
	if (ac->mode == RIP_AUTH_MODE_NONE)
		return false;
	ac->md5_auth_len = c->md5_auth_len;
	ac->string = c->auth_string[0] != '\0' ? c->auth_string : NULL;
	if (c->auth_keychain[0] != '\0')
		ac->chain = keychain_find(&eng->conf.keychains, c->auth_keychain);
	return true;
}

/*
 * RFC 4822 3.2.2 lets the sequence number be the time: ours is wall-clock
 * seconds, never below the last one sent, so it does not decrease across
 * a restart (a counter in memory would start again at 0 and be dropped)
 * nor when the clock steps back.  Several datagrams in one second share
 * it, which "non-decreasing" allows.
 */
static uint32_t
rip_auth_next_seqno(struct rip_engine *eng)
{
	int64_t wall = rip_wallclock(eng);
	uint32_t s = wall > 0 && wall <= UINT32_MAX ? (uint32_t)wall : 0;

	if (s > eng->auth_seqno)
		eng->auth_seqno = s;
	return eng->auth_seqno;
}

/*
 * Encode, and sign on an interface with authentication.  0 when nothing
 * can be sent (no key may send now: counted).  buf holds RIP_PKT_RX_MAX.
 */
static size_t
rip_encode_signed(struct rip_engine *eng, const struct rip_iface *ifp, uint8_t *buf,
    uint8_t command, const struct rip_rte *rtes, size_t n)
{
	struct rip_auth_conf ac;
	bool auth = rip_iface_auth(eng, ifp, &ac);
	size_t len = rip_packet_encode(buf, RIP_PKT_RX_MAX, command, rtes, n,
	    auth ? RIP_RTE_LEN : 0);

	if (len == 0 || !auth)
		return len;
	len = rip_auth_sign(buf, len, RIP_PKT_RX_MAX, &ac, rip_wallclock(eng),
	    rip_auth_next_seqno(eng));
	if (len == 0)
		eng->tx_no_key++;
	return len;
}

/* Route entries per datagram: 25, or 24 after an authentication entry (RFC 2453 4.1). */
static size_t
rip_iface_max_rte(const struct rip_iface *ifp)
{
	return ifp->conf.auth_mode != RIP_AUTH_MODE_NONE ? RIP_MAX_RTE - 1 : RIP_MAX_RTE;
}

/*
 * RFC 2453 4.1, RFC 4822 3.2.2: on an interface with authentication every
 * datagram must carry the right one, and a keyed one a sequence number
 * not below the last from that neighbour with that key; without, a
 * datagram that carries one is dropped.  True when the packet may go on.
 */
static bool
rip_input_auth(struct rip_engine *eng, struct rip_iface *ifp, struct rip_neighbor *nbr,
    const uint8_t *buf, size_t len, const struct rip_packet *pkt, int *seq_key, uint32_t *seq)
{
	static const enum rip_drop reason[] = {
		[-RIP_AUTH_ERR_MISSING] = RIP_DROP_AUTH_MISSING,
		[-RIP_AUTH_ERR_TYPE] = RIP_DROP_AUTH_TYPE,
		[-RIP_AUTH_ERR_KEY] = RIP_DROP_AUTH_KEY,
		[-RIP_AUTH_ERR_FAIL] = RIP_DROP_AUTH_FAIL,
	};
	struct rip_auth_conf ac;
	uint8_t key_id = 0;
	uint32_t seqno = 0;
	int rc;

	*seq_key = -1;
	if (!rip_iface_auth(eng, ifp, &ac)) {
		if (!pkt->has_auth)
			return true;
		/* RFC 2453 4.1: authenticated packets are discarded when we do not authenticate. */
		rip_drop(eng, nbr, RIP_DROP_AUTH_UNEXPECTED);
		return false;
	}
	rc = rip_auth_verify(buf, len, pkt, &ac, rip_wallclock(eng), &key_id, &seqno);
	if (rc != RIP_AUTH_OK) {
		rip_drop(eng, nbr, reason[-rc]);
		return false;
	}
	*seq_key = -1;
	if (pkt->auth.type != RIP_AUTH_CRYPTO)
		return true;
	/*
	 * A sender we do not know yet: its sequence starts here, recorded by
	 * the caller once the packet made it a neighbour, so that a replay of
	 * this very packet is refused like any other.
	 */
	if (nbr == NULL) {
		*seq_key = key_id;
		*seq = seqno;
		return true;
	}
	if (!rip_auth_seq_ok(nbr->auth_seq, key_id, seqno)) {
		rip_drop(eng, nbr, RIP_DROP_AUTH_SEQNO);
		return false;
	}
	rip_auth_seq_update(nbr->auth_seq, key_id, seqno, ++eng->auth_stamp);
	return true;
}

/* ------------------------------------------------------------------ output */

/* RFC 5082 3: with GTSM on, everything we send there leaves with TTL 255. */
static unsigned
rip_iface_send_flags(const struct rip_iface *ifp)
{
	return ifp->conf.ttl_security ? RIP_SEND_TTL255 : 0;
}

struct rip_out {
	struct rip_engine *eng;
	struct rip_iface *ifp;
	unsigned flags;    /* RIP_SEND_REPLY for answers; TTL 255 is added per interface */
	uint32_t dst[1 + 16];
	uint16_t port[1 + 16];
	size_t n_dst;
	struct rip_rte rte[RIP_MAX_RTE];
	size_t n;
};

static void
rip_out_flush(struct rip_out *o)
{
	uint8_t buf[RIP_PKT_RX_MAX];
	if (o->n == 0)
		return;
	size_t len = rip_encode_signed(o->eng, o->ifp, buf, RIP_CMD_RESPONSE, o->rte, o->n);
	uint32_t src = rip_iface_source(o->ifp);
	for (size_t i = 0; i < o->n_dst && len > 0; i++) {
		o->eng->ops.send(o->eng->ops.ctx, o->ifp->ifindex, src, o->dst[i], o->port[i], buf, len,
		    o->flags | rip_iface_send_flags(o->ifp));
		o->eng->tx_packets++;
		o->ifp->sent_packets++;
	}
	o->n = 0;
}

static void
rip_out_add(struct rip_out *o, struct prefix4 p, uint16_t tag, uint8_t metric)
{
	struct rip_rte *r = &o->rte[o->n++];
	r->afi = RIP_AF_INET;
	r->tag = tag;
	r->addr = p.addr;
	r->mask = ip4_mask(p.len);
	/* RFC 2453 4.4: 0.0.0.0 means "route via the originator of this update". */
	r->nexthop = 0;
	r->metric = metric;
	if (o->n >= rip_iface_max_rte(o->ifp))
		rip_out_flush(o);
}

/* Was this route's best path learned over this interface (split horizon, RFC 2453 3.4.3)? */
static bool
rip_route_via(const struct rip_route *route, unsigned ifindex)
{
	for (const struct rip_path *p = route->paths; p != NULL; p = p->next)
		if (p->active && p->origin == RIP_ORIGIN_RIP && p->ifindex == ifindex)
			return true;
	return false;
}

enum rip_out_mode {
	RIP_OUT_FULL,      /* periodic update or answer to a whole-table request */
	RIP_OUT_CHANGED,   /* triggered update: changed routes only (3.10.1) */
	RIP_OUT_POISON,    /* goodbye: everything with metric 16 */
	RIP_OUT_URGENT,    /* routes with urgent sends to go (RIP_URGENT_SENDS) */
};

static void
rip_output(struct rip_engine *eng, struct rip_out *o, enum rip_out_mode mode)
{
	struct rib_iter it;
	enum rip_split_horizon sh = o->ifp->conf.split_horizon;

	for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL; r = rib_next(&eng->rib, &it)) {
		uint8_t metric = r->metric;
		if (mode == RIP_OUT_CHANGED && !r->changed)
			continue;
		if (mode == RIP_OUT_URGENT && r->urgent == 0)
			continue;
		if (sh != RIP_SH_NONE && rip_route_via(r, o->ifp->ifindex)) {
			if (sh == RIP_SH_SIMPLE)
				continue;
			metric = RIP_INFINITY; /* poisoned reverse */
		}
		if (mode == RIP_OUT_POISON)
			metric = RIP_INFINITY;
		rip_out_add(o, r->prefix, r->tag, metric);
	}
	rip_out_flush(o);
}

/* Where updates on this interface go: 224.0.0.9 unless passive, and configured neighbours. */
static size_t
rip_update_dsts(const struct rip_engine *eng, const struct rip_iface *ifp, struct rip_out *o)
{
	o->n_dst = 0;
	if (!ifp->enabled || !ifp->up || ifp->loopback || ifp->n_addr == 0)
		return 0;
	if (!ifp->passive && ifp->multicast) {
		o->dst[o->n_dst] = RIP_GROUP;
		o->port[o->n_dst++] = RIP_PORT;
	}
	for (size_t i = 0; i < eng->conf.n_neighbors && o->n_dst < 17; i++) {
		if (rip_iface_connected(ifp, eng->conf.neighbors[i])) {
			o->dst[o->n_dst] = eng->conf.neighbors[i];
			o->port[o->n_dst++] = RIP_PORT;
		}
	}
	return o->n_dst;
}

static void
rip_send_updates(struct rip_engine *eng, enum rip_out_mode mode)
{
	for (struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next) {
		struct rip_out o = { .eng = eng, .ifp = ifp };
		if (rip_update_dsts(eng, ifp, &o) == 0)
			continue;
		rip_output(eng, &o, mode);
		ifp->sent_updates++;
	}
}

static void
rip_clear_changed(struct rip_engine *eng)
{
	struct rib_iter it;
	for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL; r = rib_next(&eng->rib, &it))
		r->changed = false;
}

/* RFC 2453 3.9.1: ask dst (a neighbour or 224.0.0.9) for its whole table. */
static void
rip_send_request_to(struct rip_engine *eng, struct rip_iface *ifp, uint32_t dst, uint16_t port)
{
	struct rip_rte rte = { .afi = 0, .metric = RIP_INFINITY };
	uint8_t buf[RIP_PKT_RX_MAX];
	size_t len = rip_encode_signed(eng, ifp, buf, RIP_CMD_REQUEST, &rte, 1);

	if (len == 0)
		return;
	eng->ops.send(eng->ops.ctx, ifp->ifindex, rip_iface_source(ifp), dst, port, buf, len,
	    rip_iface_send_flags(ifp));
	eng->tx_packets++;
}

/* Ask every neighbour on the interface. */
static void
rip_send_request(struct rip_engine *eng, struct rip_iface *ifp)
{
	struct rip_out o = { .eng = eng, .ifp = ifp };

	rip_update_dsts(eng, ifp, &o);
	for (size_t i = 0; i < o.n_dst; i++)
		rip_send_request_to(eng, ifp, o.dst[i], o.port[i]);
}

/* ------------------------------------------------------------ route changes */

static void
rip_schedule_sweep(struct rip_engine *eng, rtime_t when)
{
	if (when < eng->next_sweep)
		eng->next_sweep = when;
}

/* Make the kernel and the update machinery follow a route's new selection. */
static void
rip_route_apply(struct rip_engine *eng, struct rip_route *r, unsigned chg, rtime_t now)
{
	struct rip_path *best = rib_route_best(r);
	bool want = best != NULL && best->origin == RIP_ORIGIN_RIP && !eng->shutting_down;
	uint32_t fp = want ? rib_route_nexthop_fp(r) : 0;

	if (want && (!r->installed || fp != r->kernel_fp)) {
		struct rip_nexthop nh[RIP_MAX_ECMP];
		size_t n = 0;
		for (struct rip_path *p = r->paths; p != NULL && n < RIP_MAX_ECMP; p = p->next) {
			if (!p->active || p->origin != RIP_ORIGIN_RIP)
				continue;
			nh[n].gw = p->nexthop;
			nh[n].ifindex = p->ifindex;
			n++;
		}
		/*
		 * The interfaces we route over changed, so split horizon now
		 * poisons on other interfaces: tell the neighbours now.
		 */
		if (r->installed)
			chg |= RIB_CHG_METRIC, r->changed = true;
		eng->ops.route_install(eng->ops.ctx, r->prefix, nh, n, r->metric);
		r->installed = true;
		r->kernel_fp = fp;
	} else if (!want && r->installed) {
		eng->ops.route_remove(eng->ops.ctx, r->prefix);
		r->installed = false;
	}
	if (chg & RIB_CHG_METRIC) {
		eng->route_changes++;
		eng->trig_pending = true;
	}
	if (r->gc_deadline != RTIME_NEVER)
		rip_schedule_sweep(eng, r->gc_deadline);
	(void)now;
}

static void
rip_route_reselect(struct rip_engine *eng, struct rip_route *r, rtime_t now)
{
	unsigned chg = rib_route_select(&eng->rib, r, eng->conf.allow_ecmp,
	    rip_sec(eng->conf.t_garbage), now);
	rip_route_apply(eng, r, chg, now);
}

/* Add, update or remove a local origin (connected, static, kernel, default). */
static void
rip_local_set(struct rip_engine *eng, struct prefix4 pfx, enum rip_origin origin,
    unsigned ifindex, uint8_t metric, bool present, rtime_t now)
{
	struct rip_route *r = present ? rib_get(&eng->rib, pfx, now) : rib_lookup(&eng->rib, pfx);
	if (r == NULL)
		return;
	struct rip_path *p = rib_path_find(r, origin, 0, ifindex);
	if (!present) {
		if (p == NULL)
			return;
		rib_path_remove(&eng->rib, r, p);
	} else {
		if (p == NULL)
			p = rib_path_add(&eng->rib, r, origin, 0, ifindex, now);
		if (p == NULL)
			return;
		if (p->metric == metric)
			return;
		p->metric = metric;
		p->since = now;
	}
	rip_route_reselect(eng, r, now);
}

/* ----------------------------------------------------------- interfaces */

static uint8_t
rip_redist_metric(const struct rip_conf *conf, enum rip_redist_kind kind)
{
	uint8_t m = conf->redist[kind].metric;
	return m != 0 ? m : conf->default_metric;
}

/*
 * A service's address is announced only while its checks pass
 * (rip_engine_service), never as a connected route: the configured ones,
 * and those the services still hold at run time (rip_engine_service_prefix:
 * an address a reload moved away from or removed is on its interface until
 * its removal is confirmed, no longer in the configuration).
 */
static bool
rip_is_service_prefix(const struct rip_engine *eng, struct prefix4 pfx)
{
	for (size_t i = 0; i < eng->conf.n_service_prefixes; i++)
		if (prefix4_equal(eng->conf.service_prefixes[i], pfx))
			return true;
	for (size_t i = 0; i < eng->n_svc_held; i++)
		if (prefix4_equal(eng->svc_held[i], pfx))
			return true;
	return false;
}

/*
 * The connected prefixes this interface contributes: every address on an
 * interface that a `network` statement covers (metric 1, like FRR's
 * interface routes), and with `redistribute connected` every other address
 * too.  A /32 on lo (the seed's anycast 10.128.224.2/32) counts.
 */
static size_t
rip_iface_connected_set(const struct rip_engine *eng, const struct rip_iface *ifp,
    struct prefix4 *pfx, uint8_t *metric)
{
	const struct rip_conf *conf = &eng->conf;
	size_t n = 0;
	if (!ifp->up)
		return 0;
	for (size_t i = 0; i < ifp->n_addr; i++) {
		if (ip4_is_martian(ifp->addr[i]) || rip_is_service_prefix(eng, ifp->addr_pfx[i]))
			continue;
		bool covered = rip_conf_network_match(conf, ifp->name, ifp->addr[i]);
		if (!covered && !conf->redist[RIP_REDIST_CONNECTED].enabled)
			continue;
		pfx[n] = ifp->addr_pfx[i];
		metric[n] = covered ? 1 : rip_redist_metric(conf, RIP_REDIST_CONNECTED);
		n++;
	}
	return n;
}

struct rip_conn_snapshot {
	struct prefix4 pfx[RIP_MAX_IFADDR];
	uint8_t metric[RIP_MAX_IFADDR];
	size_t n;
};

static void
rip_conn_apply(struct rip_engine *eng, struct rip_iface *ifp, const struct rip_conn_snapshot *old,
    rtime_t now)
{
	struct rip_conn_snapshot cur;
	cur.n = ifp != NULL ? rip_iface_connected_set(eng, ifp, cur.pfx, cur.metric) : 0;
	for (size_t i = 0; i < old->n; i++) {
		bool keep = false;
		for (size_t j = 0; j < cur.n; j++)
			if (prefix4_equal(old->pfx[i], cur.pfx[j]))
				keep = true;
		if (!keep)
			rip_local_set(eng, old->pfx[i], RIP_ORIGIN_CONNECTED, ifp->ifindex, 0, false, now);
	}
	for (size_t j = 0; j < cur.n; j++)
		rip_local_set(eng, cur.pfx[j], RIP_ORIGIN_CONNECTED, ifp->ifindex, cur.metric[j], true,
		    now);
}

/* Every interface's connected set, before a change that may move them all; NULL when out of memory. */
static struct rip_conn_snapshot *
rip_conn_snapshot_all(const struct rip_engine *eng)
{
	size_t n_if = 0, i = 0;
	for (struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next)
		n_if++;
	struct rip_conn_snapshot *old = calloc(n_if + 1, sizeof(*old));
	if (old == NULL)
		return NULL;
	for (struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next, i++)
		old[i].n = rip_iface_connected_set(eng, ifp, old[i].pfx, old[i].metric);
	return old;
}

/* Drop every path learned over ifindex (link down: RFC 2453 3.8 does not wait for the timeout). */
static void
rip_iface_flush_learned(struct rip_engine *eng, unsigned ifindex, rtime_t now)
{
	struct rib_iter it;
	for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL; r = rib_next(&eng->rib, &it)) {
		bool hit = false;
		struct rip_path *p, *next;
		for (p = r->paths; p != NULL; p = next) {
			next = p->next;
			if (p->origin == RIP_ORIGIN_RIP && p->ifindex == ifindex) {
				rib_path_remove(&eng->rib, r, p);
				hit = true;
			}
		}
		if (hit)
			rip_route_reselect(eng, r, now);
	}
}

/* Recompute enabled/passive and join or leave the group; asks for tables on a new interface. */
static void
rip_iface_refresh(struct rip_engine *eng, struct rip_iface *ifp, rtime_t now)
{
	bool enabled = false;
	for (size_t i = 0; i < ifp->n_addr; i++)
		if (rip_conf_network_match(&eng->conf, ifp->name, ifp->addr[i]))
			enabled = true;
	for (size_t i = 0; i < eng->conf.n_networks; i++)
		if (eng->conf.networks[i].is_ifname &&
		    strcmp(eng->conf.networks[i].ifname, ifp->name) == 0)
			enabled = true;
	ifp->enabled = enabled && eng->conf.router_rip;
	ifp->passive = ifp->loopback || rip_conf_is_passive(&eng->conf, ifp->name);
	ifp->conf = rip_conf_iface_get(&eng->conf, ifp->name);

	bool want = ifp->enabled && ifp->up && !ifp->loopback && ifp->n_addr > 0 &&
	    !eng->shutting_down;
	if (want && !ifp->joined) {
		eng->ops.iface_enable(eng->ops.ctx, ifp->ifindex, true);
		ifp->joined = true;
		rip_send_request(eng, ifp);
		/* A new neighbour should hear our table soon, not in 30 s. */
		struct rib_iter it;
		for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL;
		    r = rib_next(&eng->rib, &it))
			r->changed = true;
		eng->trig_pending = true;
	} else if (!want && ifp->joined) {
		eng->ops.iface_enable(eng->ops.ctx, ifp->ifindex, false);
		ifp->joined = false;
	}
	(void)now;
}

static struct rip_iface *
rip_iface_get(struct rip_engine *eng, unsigned ifindex)
{
	struct rip_iface *ifp = rip_iface_by_index(eng, ifindex);
	if (ifp != NULL)
		return ifp;
	ifp = calloc(1, sizeof(*ifp));
	if (ifp == NULL)
		return NULL;
	ifp->ifindex = ifindex;
	ifp->next = eng->ifaces;
	eng->ifaces = ifp;
	return ifp;
}

void
rip_engine_link(struct rip_engine *eng, unsigned ifindex, const char *name, bool up, bool loopback,
    bool multicast, bool deleted, rtime_t now)
{
	struct rip_iface *ifp = rip_iface_get(eng, ifindex);
	struct rip_conn_snapshot old;
	if (ifp == NULL)
		return;
	old.n = rip_iface_connected_set(eng, ifp, old.pfx, old.metric);
	bool was_up = ifp->up;
	snprintf(ifp->name, sizeof(ifp->name), "%s", name);
	ifp->up = up && !deleted;
	ifp->loopback = loopback;
	ifp->multicast = multicast;
	if (deleted)
		ifp->n_addr = 0;
	rip_iface_refresh(eng, ifp, now);
	/*
	 * Learned paths first: a neighbour's offer of our own connected prefix
	 * is kept as an alternate, and must not be installed through the link
	 * that just went down when the connected path goes.
	 */
	if (was_up && !ifp->up)
		rip_iface_flush_learned(eng, ifindex, now);
	rip_conn_apply(eng, ifp, &old, now);
	if (deleted) {
		for (struct rip_iface **pp = &eng->ifaces; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == ifp) {
				*pp = ifp->next;
				free(ifp);
				break;
			}
		}
	}
}

void
rip_engine_addr(struct rip_engine *eng, unsigned ifindex, uint32_t addr, uint8_t len, bool deleted,
    rtime_t now)
{
	struct rip_iface *ifp = rip_iface_get(eng, ifindex);
	struct rip_conn_snapshot old;
	if (ifp == NULL || len > 32)
		return;
	old.n = rip_iface_connected_set(eng, ifp, old.pfx, old.metric);
	size_t i;
	for (i = 0; i < ifp->n_addr; i++)
		if (ifp->addr[i] == addr && ifp->addr_pfx[i].len == len)
			break;
	if (deleted) {
		if (i == ifp->n_addr)
			return;
		ifp->n_addr--;
		ifp->addr[i] = ifp->addr[ifp->n_addr];
		ifp->addr_pfx[i] = ifp->addr_pfx[ifp->n_addr];
	} else {
		if (i < ifp->n_addr || ifp->n_addr == RIP_MAX_IFADDR)
			return;
		ifp->addr[ifp->n_addr] = addr;
		ifp->addr_pfx[ifp->n_addr].addr = addr & ip4_mask(len);
		ifp->addr_pfx[ifp->n_addr].len = len;
		ifp->n_addr++;
	}
	bool was_enabled = ifp->enabled;
	rip_iface_refresh(eng, ifp, now);
	if (was_enabled && !ifp->enabled)
		rip_iface_flush_learned(eng, ifindex, now);
	rip_conn_apply(eng, ifp, &old, now);
}

/* ------------------------------------------------------- kernel origins */

static bool
rip_kernel_redistributed(const struct rip_conf *conf, enum rip_origin origin, uint8_t *metric)
{
	enum rip_redist_kind kind = origin == RIP_ORIGIN_STATIC ? RIP_REDIST_STATIC : RIP_REDIST_KERNEL;
	*metric = rip_redist_metric(conf, kind);
	return conf->redist[kind].enabled;
}

void
rip_engine_kernel_route(struct rip_engine *eng, struct prefix4 prefix, enum rip_origin origin,
    bool deleted, rtime_t now)
{
	uint8_t metric;
	size_t i;

	if (origin != RIP_ORIGIN_STATIC && origin != RIP_ORIGIN_KERNEL)
		return;
	if (prefix.len > 0 && ip4_is_martian(prefix.addr))
		return;
	for (i = 0; i < eng->n_kroutes; i++)
		if (prefix4_equal(eng->kroutes[i].prefix, prefix) && eng->kroutes[i].origin == origin)
			break;
	if (deleted) {
		if (i == eng->n_kroutes)
			return;
		eng->kroutes[i] = eng->kroutes[--eng->n_kroutes];
		rip_local_set(eng, prefix, origin, 0, 0, false, now);
		return;
	}
	if (i == eng->n_kroutes) {
		if (eng->n_kroutes == eng->cap_kroutes) {
			size_t cap = eng->cap_kroutes ? eng->cap_kroutes * 2 : 16;
			struct rip_kroute *k = realloc(eng->kroutes, cap * sizeof(*k));
			if (k == NULL)
				return;
			eng->kroutes = k;
			eng->cap_kroutes = cap;
		}
		eng->kroutes[eng->n_kroutes].prefix = prefix;
		eng->kroutes[eng->n_kroutes++].origin = origin;
	}
	/* Remembered either way: a reload may turn redistribution on or off. */
	bool on = rip_kernel_redistributed(&eng->conf, origin, &metric);
	rip_local_set(eng, prefix, origin, 0, metric, on, now);
}

void
rip_engine_kernel_route_lost(struct rip_engine *eng, struct prefix4 prefix, rtime_t now)
{
	struct rip_route *r = rib_lookup(&eng->rib, prefix);
	if (r == NULL || !r->installed)
		return;
	/* Someone removed our route behind our back: put it back. */
	r->installed = false;
	rip_route_apply(eng, r, 0, now);
}

/* -------------------------------------------------------------- input */

static struct rip_neighbor *
rip_neighbor_find(const struct rip_engine *eng, uint32_t addr)
{
	for (struct rip_neighbor *n = eng->neighbors; n != NULL; n = n->next)
		if (n->addr == addr)
			return n;
	return NULL;
}

/* A source whose packet passed validation becomes a neighbour (proto.h RIP_MAX_NEIGHBORS). */
static struct rip_neighbor *
rip_neighbor_new(struct rip_engine *eng, uint32_t addr, unsigned ifindex, rtime_t now)
{
	/* Bounded: a flood of forged sources must not eat memory. */
	if (eng->n_neighbors >= RIP_MAX_NEIGHBORS)
		return NULL;
	struct rip_neighbor *n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	n->addr = addr;
	n->ifindex = ifindex;
	n->first_heard = now;
	n->last_heard = now;
	n->next = eng->neighbors;
	eng->neighbors = n;
	eng->n_neighbors++;
	rip_schedule_sweep(eng, now + rip_sec(eng->conf.t_timeout));
	if (eng->ops.neighbor_new != NULL)
		eng->ops.neighbor_new(eng->ops.ctx, addr, ifindex);
	return n;
}

/*
 * Forget the neighbours that sent nothing valid for the route timeout and
 * hold no route any more (RFC 2453 3.8 timed their routes out already, or
 * soon will); returns the next time one may expire.
 */
static rtime_t
rip_neighbors_expire(struct rip_engine *eng, rtime_t now)
{
	rtime_t next = RTIME_NEVER, timeout = rip_sec(eng->conf.t_timeout);
	struct rip_neighbor **pp = &eng->neighbors;

	while (*pp != NULL) {
		struct rip_neighbor *n = *pp;
		rtime_t deadline = n->last_heard + timeout;
		if (deadline <= now && n->n_paths == 0) {
			*pp = n->next;
			eng->n_neighbors--;
			eng->neighbors_expired++;
			if (eng->ops.neighbor_gone != NULL)
				eng->ops.neighbor_gone(eng->ops.ctx, n->addr, n->ifindex);
			free(n);
			continue;
		}
		/* Still holding routes: their own expiry brings the next sweep. */
		if (deadline > now && deadline < next)
			next = deadline;
		pp = &n->next;
	}
	return next;
}

/* Counts an offer dropped at a limit; tells the daemon once (proto.h rip_ops.limit_hit). */
static void
rip_limit_drop(struct rip_engine *eng, struct rip_neighbor *nbr, enum rip_limit which)
{
	bool *logged = which == RIP_LIMIT_NEIGHBOR ? &nbr->limit_logged : &eng->limit_logged[which];
	uint32_t limit = which == RIP_LIMIT_ROUTES ? eng->conf.max_routes :
	    which == RIP_LIMIT_NEIGHBOR ? eng->conf.max_routes_neighbor : RIP_MAX_PATHS;

	eng->limit_drops[which]++;
	nbr->limit_drops[which]++;
	if (*logged)
		return;
	*logged = true;
	if (eng->ops.limit_hit != NULL)
		eng->ops.limit_hit(eng->ops.ctx, which, which == RIP_LIMIT_ROUTES ? 0 : nbr->addr,
		    limit);
}

/* At each periodic update: a limit no longer reached is reported again when it is. */
static void
rip_limit_rearm(struct rip_engine *eng)
{
	uint32_t per = eng->conf.max_routes_neighbor;

	if (eng->rib.n_rip_routes < eng->conf.max_routes)
		eng->limit_logged[RIP_LIMIT_ROUTES] = false;
	if (eng->limit_drops[RIP_LIMIT_PATHS] == eng->limit_drops_seen)
		eng->limit_logged[RIP_LIMIT_PATHS] = false;
	eng->limit_drops_seen = eng->limit_drops[RIP_LIMIT_PATHS];
	for (struct rip_neighbor *n = eng->neighbors; n != NULL; n = n->next)
		if (per == 0 || n->n_paths < per)
			n->limit_logged = false;
	if (per == 0 || eng->overflow.n_paths < per)
		eng->overflow.limit_logged = false;
}

/*
 * May nbr add an offer of a prefix it does not offer yet?  max-routes per
 * neighbour, then overall (a prefix no neighbour offers yet is a new RIP
 * route), then the offers of one prefix: at RIP_MAX_PATHS the worst one
 * makes room for a better one.
 */
static bool
rip_limit_admit(struct rip_engine *eng, struct rip_neighbor *nbr, struct rip_route *r,
    uint8_t metric)
{
	uint32_t per = eng->conf.max_routes_neighbor;

	if (per != 0 && nbr->n_paths >= per) {
		rip_limit_drop(eng, nbr, RIP_LIMIT_NEIGHBOR);
		return false;
	}
	if ((r == NULL || r->n_rip == 0) && eng->rib.n_rip_routes >= eng->conf.max_routes) {
		rip_limit_drop(eng, nbr, RIP_LIMIT_ROUTES);
		return false;
	}
	if (r == NULL || r->n_rip < RIP_MAX_PATHS)
		return true;
	struct rip_path *worst = NULL;
	for (struct rip_path *q = r->paths; q != NULL; q = q->next) {
		if (q->origin != RIP_ORIGIN_RIP)
			continue;
		if (worst == NULL || q->metric > worst->metric ||
		    (q->metric == worst->metric && worst->active && !q->active))
			worst = q;
	}
	if (worst == NULL || worst->metric <= metric) {
		rip_limit_drop(eng, nbr, RIP_LIMIT_PATHS);
		return false;
	}
	/* The caller adds the new path and selects again. */
	rib_path_remove(&eng->rib, r, worst);
	return true;
}

/* Token bucket per source (GCRA), proto.h RIP_REQ_*: true when this request may be answered. */
static bool
rip_request_allowed(struct rip_engine *eng, uint32_t src, rtime_t now)
{
	uint8_t k[4] = { (uint8_t)(src >> 24), (uint8_t)(src >> 16), (uint8_t)(src >> 8),
		(uint8_t)src };
	struct rip_req_slot *s =
	    &eng->req_slots[siphash24(&eng->rib.key, k, sizeof(k)) % RIP_REQ_SLOTS];

	if (s->addr != src) {
		if (s->full_at > now) {
			s = &eng->req_shared; /* held by another source that asked lately */
		} else {
			s->addr = src; /* the old source's bucket is full again: nothing lost */
			s->full_at = now;
		}
	}
	rtime_t t = s->full_at > now ? s->full_at : now;
	if (t + RIP_REQ_INTERVAL - now > RIP_REQ_BURST * RIP_REQ_INTERVAL)
		return false;
	s->full_at = t + RIP_REQ_INTERVAL;
	return true;
}

static void
rip_drop(struct rip_engine *eng, struct rip_neighbor *nbr, enum rip_drop reason)
{
	eng->drops[reason]++;
	if (nbr != NULL)
		nbr->bad_packets[reason]++;
}

/* RFC 2453 3.9.2: one valid route entry of a response. */
static void
rip_process_rte(struct rip_engine *eng, struct rip_iface *ifp, struct rip_neighbor *nbr,
    uint32_t src, const struct rip_rte *rte, uint8_t plen, rtime_t now)
{
	struct prefix4 pfx = { rte->addr, plen };
	uint8_t metric = (uint8_t)(rte->metric + 1 > RIP_INFINITY ? RIP_INFINITY : rte->metric + 1);
	uint32_t nexthop = src;

	/* RFC 2453 4.4: a next hop on the receiving subnet is used; anything else means the sender. */
	if (rte->nexthop != 0 && rip_iface_connected(ifp, rte->nexthop) &&
	    !rip_is_own_address(eng, rte->nexthop))
		nexthop = rte->nexthop;

	struct rip_route *r = rib_lookup(&eng->rib, pfx);
	struct rip_path *p = r != NULL ? rib_path_find(r, RIP_ORIGIN_RIP, src, 0) : NULL;

	if (p == NULL) {
		if (metric >= RIP_INFINITY)
			return;
		/*
		 * A new offer is kept only if it is loop-free (RFC 5286 3.1):
		 * advertised metric <= our best.  Anything better than the
		 * best passes, so this is the RFC's rule plus alternates.
		 */
		if (r != NULL && r->metric < RIP_INFINITY && rte->metric > r->metric)
			return;
		if (!rip_limit_admit(eng, nbr, r, metric))
			return;
		if (r == NULL && (r = rib_get(&eng->rib, pfx, now)) == NULL)
			return;
		if ((p = rib_path_add(&eng->rib, r, RIP_ORIGIN_RIP, src, ifp->ifindex, now)) == NULL)
			return;
		p->owner = &nbr->n_paths;
		nbr->n_paths++;
	} else if (metric >= RIP_INFINITY) {
		/* Withdrawn by the neighbour: the best alternate takes over now. */
		rib_path_remove(&eng->rib, r, p);
		rip_route_reselect(eng, r, now);
		return;
	} else {
		p->expires = now + rip_sec(eng->conf.t_timeout);
		if (p->metric == metric && p->tag == rte->tag && p->nexthop == nexthop &&
		    p->ifindex == ifp->ifindex)
			return;
	}
	p->metric = metric;
	p->adv_metric = (uint8_t)rte->metric;
	p->tag = rte->tag;
	p->nexthop = nexthop;
	p->ifindex = ifp->ifindex;
	p->since = now;
	p->expires = now + rip_sec(eng->conf.t_timeout);
	rip_schedule_sweep(eng, p->expires);
	rip_route_reselect(eng, r, now);
}

static void
rip_process_response(struct rip_engine *eng, struct rip_iface *ifp, struct rip_neighbor *nbr,
    uint32_t src, const struct rip_packet *pkt, rtime_t now)
{
	for (size_t i = 0; i < pkt->nrte; i++) {
		struct rip_rte rte;
		uint8_t plen = 0;
		rip_packet_rte(pkt, i, &rte);
		int err = rip_rte_check(&rte, &plen);
		if (err == RIP_RTE_BAD_NEXTHOP) {
			/*
			 * RFC 2453 4.4: an unusable next hop is treated as
			 * 0.0.0.0; check again for the prefix length.
			 */
			rte.nexthop = 0;
			if (rip_rte_check(&rte, &plen) != RIP_RTE_OK)
				continue;
		} else if (err != RIP_RTE_OK) {
			unsigned reason = (unsigned)(-err - 1);
			if (reason < RIP_RTE_DROP_COUNT) {
				eng->rte_drops[reason]++;
				nbr->bad_routes[reason]++;
			}
			continue;
		}
		if (err == RIP_RTE_BAD_NEXTHOP) {
			eng->rte_drops[-RIP_RTE_BAD_NEXTHOP - 1]++;
			nbr->bad_routes[-RIP_RTE_BAD_NEXTHOP - 1]++;
		}
		nbr->routes++;
		rip_process_rte(eng, ifp, nbr, src, &rte, plen, now);
	}
}

/* RFC 2453 3.9.1. */
static void
rip_process_request(struct rip_engine *eng, struct rip_iface *ifp, uint32_t src, uint16_t port,
    const struct rip_packet *pkt)
{
	/* Answers wait behind our own updates (io.h): a request flood delays no update. */
	struct rip_out o = { .eng = eng, .ifp = ifp, .flags = RIP_SEND_REPLY };
	o.dst[0] = src;
	o.port[0] = port;
	o.n_dst = 1;

	if (rip_request_is_whole_table(pkt)) {
		/*
		 * RFC 2453 3.9.1: the whole table gets "normal output
		 * processing", split horizon (and poisoned reverse) of the
		 * receiving interface included, whoever asks and from whatever
		 * port.  Only requests for specific entries are answered as
		 * is; that is what a diagnostic query tool gets.
		 */
		rip_output(eng, &o, RIP_OUT_FULL);
		return;
	}
	for (size_t i = 0; i < pkt->nrte; i++) {
		struct rip_rte rte;
		uint8_t plen = 0;
		rip_packet_rte(pkt, i, &rte);
		uint32_t metric = RIP_INFINITY;
		/* The metric check does not apply to a request: the entry's metric is ours to fill. */
		rte.metric = 1;
		if (rip_rte_check(&rte, &plen) == RIP_RTE_OK) {
			struct prefix4 pfx = { rte.addr, plen };
			struct rip_route *r = rib_lookup(&eng->rib, pfx);
			if (r != NULL)
				metric = r->metric;
		}
		struct rip_rte *out = &o.rte[o.n++];
		*out = rte;
		out->metric = metric;
		if (o.n >= rip_iface_max_rte(ifp))
			rip_out_flush(&o);
	}
	rip_out_flush(&o);
}

void
rip_engine_input(struct rip_engine *eng, unsigned ifindex, uint32_t src, uint16_t port,
    uint32_t dst, int ttl, const uint8_t *buf, size_t len, rtime_t now)
{
	struct rip_packet pkt;
	struct rip_iface *ifp = rip_iface_by_index(eng, ifindex);
	struct rip_neighbor *nbr = NULL;
	int err;

	(void)dst;
	eng->rx_packets++;
	err = rip_packet_decode(buf, len, &pkt);

	/*
	 * RFC 2453 3.9.2, in its order: the interface, our own looped-back
	 * packets, the source port (a response must come from 520; a request
	 * may come from a query tool on any port, 3.9.1), then the source.
	 * Whatever the command, the source must be on a network of the
	 * interface the datagram arrived on, as FRR's ripd does: an off-link
	 * source is either forged or not a neighbour, and answering it would
	 * send our table (many datagrams for one) to whoever it names.
	 */
	if (ifp == NULL || !ifp->enabled || !ifp->up) {
		rip_drop(eng, NULL, RIP_DROP_IFACE_DISABLED);
		return;
	}
	/*
	 * Only a router (port 520) is a neighbour.  A known one has what it
	 * sends counted against it; a new one is made only below, once its
	 * packet passed every check, so invalid packets make no entries.
	 */
	if (port == RIP_PORT)
		nbr = rip_neighbor_find(eng, src);
	/*
	 * RFC 5082 3: with GTSM on, a packet that did not leave a router on
	 * this link with TTL 255 (so was forged or forwarded) is dropped first.
	 */
	if (ifp->conf.ttl_security && ttl != 255) {
		rip_drop(eng, nbr, RIP_DROP_TTL);
		return;
	}
	if (rip_is_own_address(eng, src)) {
		rip_drop(eng, NULL, RIP_DROP_OWN_ADDRESS);
		return;
	}
	bool is_request = err == RIP_PKT_OK && pkt.command == RIP_CMD_REQUEST;
	if (!is_request && port != RIP_PORT) {
		rip_drop(eng, NULL, RIP_DROP_SRC_PORT);
		return;
	}
	if (!rip_iface_connected(ifp, src)) {
		rip_drop(eng, NULL, RIP_DROP_NOT_CONNECTED);
		return;
	}
	if (err != RIP_PKT_OK) {
		rip_drop(eng, nbr, (enum rip_drop)(-err - 1));
		return;
	}
	if (pkt.version == 1) {
		rip_drop(eng, nbr, RIP_DROP_VERSION_1);
		return;
	}
	int seq_key;
	uint32_t seq;
	if (!rip_input_auth(eng, ifp, nbr, buf, len, &pkt, &seq_key, &seq))
		return;
	/*
	 * No updates go out on a passive interface (nor on loopback, which is
	 * always passive), so no answers either, as in FRR's ripd; responses
	 * received there are still processed.
	 */
	if (pkt.command == RIP_CMD_REQUEST && ifp->passive) {
		rip_drop(eng, nbr, RIP_DROP_REQ_PASSIVE);
		return;
	}
	/*
	 * Valid: a router's first one makes it a neighbour (a query tool's
	 * request must not make a neighbour entry, nor start a BFD session
	 * with it).
	 */
	if (nbr == NULL && port == RIP_PORT) {
		nbr = rip_neighbor_new(eng, src, ifindex, now);
		if (nbr != NULL && seq_key >= 0)
			rip_auth_seq_update(nbr->auth_seq, (uint8_t)seq_key, seq, ++eng->auth_stamp);
	}
	if (nbr != NULL) {
		nbr->packets++;
		nbr->last_heard = now;
		nbr->ifindex = ifindex;
	}
	if (pkt.command == RIP_CMD_REQUEST) {
		eng->rx_requests++;
		if (!rip_request_allowed(eng, src, now)) {
			rip_drop(eng, nbr, RIP_DROP_REQ_RATE);
			return;
		}
		rip_process_request(eng, ifp, src, port, &pkt);
		return;
	}
	eng->rx_responses++;
	if (nbr != NULL && nbr->bfd_down) {
		rip_drop(eng, nbr, RIP_DROP_BFD_DOWN);
		return;
	}
	if (nbr == NULL) /* neighbour table full: still route, count apart */
		nbr = &eng->overflow;
	rip_process_response(eng, ifp, nbr, src, &pkt, now);
}

/* ------------------------------------------------------------- urgent */

static void
rip_urgent_mark(struct rip_engine *eng, struct rip_route *r, rtime_t now)
{
	r->urgent = RIP_URGENT_SENDS;
	if (now < eng->urgent_next)
		eng->urgent_next = now;
}

static void
rip_send_urgent(struct rip_engine *eng, rtime_t now)
{
	struct rib_iter it;
	bool more = false;

	rip_send_updates(eng, RIP_OUT_URGENT);
	eng->tx_urgent++;
	for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL; r = rib_next(&eng->rib, &it)) {
		if (r->urgent == 0)
			continue;
		/* The first send carried the change: no triggered update needed for it. */
		r->changed = false;
		if (--r->urgent > 0)
			more = true;
	}
	eng->urgent_next = more ? now + RIP_URGENT_SPACING : RTIME_NEVER;
}

void
rip_engine_service_prefix(struct rip_engine *eng, struct prefix4 prefix, bool held, rtime_t now)
{
	size_t i;

	for (i = 0; i < eng->n_svc_held; i++)
		if (prefix4_equal(eng->svc_held[i], prefix))
			break;
	if (held == (i < eng->n_svc_held))
		return;
	struct rip_conn_snapshot *old = rip_conn_snapshot_all(eng);
	if (held) {
		if (eng->n_svc_held == eng->cap_svc_held) {
			size_t cap = eng->cap_svc_held ? eng->cap_svc_held * 2 : 16;
			struct prefix4 *a = realloc(eng->svc_held, cap * sizeof(*a));
			if (a == NULL) {
				free(old);
				return;
			}
			eng->svc_held = a;
			eng->cap_svc_held = cap;
		}
		eng->svc_held[eng->n_svc_held++] = prefix;
	} else {
		eng->svc_held[i] = eng->svc_held[--eng->n_svc_held];
	}
	if (old == NULL)
		return;
	i = 0;
	for (struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next, i++)
		rip_conn_apply(eng, ifp, &old[i], now);
	free(old);
}

void
rip_engine_service(struct rip_engine *eng, struct prefix4 prefix, uint8_t metric, bool up,
    rtime_t now)
{
	if (eng->shutting_down)
		return;
	rip_local_set(eng, prefix, RIP_ORIGIN_SERVICE, 0, metric, up, now);
	struct rip_route *r = rib_lookup(&eng->rib, prefix);
	if (r != NULL && r->changed)
		rip_urgent_mark(eng, r, now);
}

enum rip_bfd_effect
rip_engine_neighbor_bfd(struct rip_engine *eng, uint32_t addr, unsigned ifindex,
    const struct rip_bfd_change *change, rtime_t now)
{
	struct rip_neighbor *nbr;
	struct rib_iter it;

	/* Init -> Down and the like: the session never vouched for the path. */
	if (!change->up && !change->was_up)
		return RIP_BFD_NOTHING;
	/* RFC 5882 3.2: AdminDown is a decision, not a failure of the path. */
	if (!change->up && change->remote_admin_down)
		return RIP_BFD_KEPT;
	/* Only a neighbour that spoke RIP has routes to follow: never create one here. */
	for (nbr = eng->neighbors; nbr != NULL; nbr = nbr->next)
		if (nbr->addr == addr && nbr->ifindex == ifindex)
			break;
	if (nbr == NULL)
		return RIP_BFD_NOTHING;
	if (change->up) {
		struct rip_iface *ifp = rip_iface_by_index(eng, ifindex);
		bool was_down = nbr->bfd_down;
		nbr->bfd_down = false;
		/* What it sent while we ignored it: ask now rather than wait for its update. */
		if (was_down && ifp != NULL && ifp->enabled && ifp->up)
			rip_send_request_to(eng, ifp, addr, RIP_PORT);
		return RIP_BFD_FOLLOWED;
	}
	nbr->bfd_down = true;
	for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL; r = rib_next(&eng->rib, &it)) {
		struct rip_path *p = rib_path_find(r, RIP_ORIGIN_RIP, addr, 0);
		if (p == NULL)
			continue;
		rib_path_remove(&eng->rib, r, p);
		rip_route_reselect(eng, r, now);
		if (r->changed)
			rip_urgent_mark(eng, r, now);
	}
	return RIP_BFD_INVALIDATED;
}

bool
rip_engine_neighbor_wants_bfd(const struct rip_engine *eng, unsigned ifindex, uint32_t *local)
{
	struct rip_iface *ifp = rip_iface_by_index(eng, ifindex);

	if (ifp == NULL || !ifp->conf.bfd)
		return false;
	*local = rip_iface_source_addr(ifp);
	return *local != 0;
}

/* -------------------------------------------------------------- timers */

static void
rip_sweep(struct rip_engine *eng, rtime_t now)
{
	struct rib_iter it;
	rtime_t next = RTIME_NEVER;

	for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL; r = rib_next(&eng->rib, &it)) {
		bool hit = false;
		struct rip_path *p, *pn;
		for (p = r->paths; p != NULL; p = pn) {
			pn = p->next;
			if (p->origin != RIP_ORIGIN_RIP)
				continue;
			if (p->expires <= now) {
				/* RFC 2453 3.8 timeout: the path is gone; an alternate may take over. */
				rib_path_remove(&eng->rib, r, p);
				hit = true;
			}
		}
		if (hit)
			rip_route_reselect(eng, r, now);
		if (r->paths == NULL && r->gc_deadline <= now) {
			/* RFC 2453 3.8 garbage collection: forget the route. */
			if (r->installed)
				eng->ops.route_remove(eng->ops.ctx, r->prefix);
			rib_remove(&eng->rib, r);
			continue;
		}
		for (p = r->paths; p != NULL; p = p->next)
			if (p->origin == RIP_ORIGIN_RIP && p->expires < next)
				next = p->expires;
		if (r->gc_deadline < next)
			next = r->gc_deadline;
	}
	rtime_t nbr_next = rip_neighbors_expire(eng, now);
	if (nbr_next < next)
		next = nbr_next;
	if (next != RTIME_NEVER && next < now + RIP_SWEEP_GRANULARITY)
		next = now + RIP_SWEEP_GRANULARITY;
	eng->next_sweep = next;
}

rtime_t
rip_engine_next_deadline(const struct rip_engine *eng)
{
	rtime_t next = eng->next_periodic;
	if (eng->next_sweep < next)
		next = eng->next_sweep;
	if (eng->trig_pending) {
		rtime_t t = eng->trig_quiet_until;
		if (t < next)
			next = t;
	}
	if (eng->urgent_next < next)
		next = eng->urgent_next;
	return next;
}

rtime_t
rip_engine_run(struct rip_engine *eng, rtime_t now)
{
	if (eng->shutting_down)
		return RTIME_NEVER;
	if (eng->next_sweep <= now) {
		eng->next_sweep = RTIME_NEVER;
		rip_sweep(eng, now);
	}
	if (eng->urgent_next <= now)
		rip_send_urgent(eng, now);
	if (eng->next_periodic <= now) {
		/* RFC 2453 3.10.1: a regular update makes a pending triggered one moot. */
		rip_send_updates(eng, RIP_OUT_FULL);
		rip_clear_changed(eng);
		eng->trig_pending = false;
		eng->tx_periodic++;
		rip_limit_rearm(eng);
		eng->next_periodic = now + rip_jitter(eng, rip_sec(eng->conf.t_update));
	} else if (eng->trig_pending && eng->trig_quiet_until <= now) {
		/*
		 * RFC 2453 3.10.1: the first triggered update after a quiet
		 * period goes at once; later ones wait for a random 1-5 s.
		 */
		rip_send_updates(eng, RIP_OUT_CHANGED);
		rip_clear_changed(eng);
		eng->trig_pending = false;
		eng->tx_triggered++;
		eng->trig_quiet_until = now + RTIME_SEC +
		    (rtime_t)(eng->ops.random(eng->ops.ctx) % (uint32_t)(4 * RTIME_SEC));
	}
	return rip_engine_next_deadline(eng);
}

/* ---------------------------------------------------------- life cycle */

static void
rip_default_apply(struct rip_engine *eng, rtime_t now)
{
	struct prefix4 dflt = { 0, 0 };
	rip_local_set(eng, dflt, RIP_ORIGIN_DEFAULT, 0, eng->conf.default_metric,
	    eng->conf.default_originate, now);
}

struct rip_engine *
rip_engine_new(struct rip_conf *conf, const struct rip_ops *ops, rtime_t now)
{
	struct rip_engine *eng = calloc(1, sizeof(*eng));
	uint8_t kb[SIPHASH_KEY_LEN];

	if (eng == NULL)
		return NULL;
	/* The RIB's hash key (rib.h): the daemon's random source is getrandom-seeded arc4random. */
	for (size_t i = 0; i < sizeof(kb); i += 4) {
		uint32_t r = ops->random(ops->ctx);
		memcpy(kb + i, &r, 4);
	}
	struct siphash_key key = siphash_key_from_bytes(kb);
	if (rib_init(&eng->rib, &key) != 0) {
		free(eng);
		return NULL;
	}
	eng->conf = *conf;
	memset(conf, 0, sizeof(*conf));
	eng->ops = *ops;
	eng->started = now;
	eng->next_sweep = RTIME_NEVER;
	eng->urgent_next = RTIME_NEVER;
	eng->trig_quiet_until = now;
	eng->next_periodic = now + rip_jitter(eng, rip_sec(eng->conf.t_update));
	rip_default_apply(eng, now);
	return eng;
}

void
rip_engine_reconfigure(struct rip_engine *eng, struct rip_conf *conf, rtime_t now)
{
	struct rip_conn_snapshot *old = rip_conn_snapshot_all(eng);
	size_t i;

	bool timers_changed = conf->t_update != eng->conf.t_update;
	rip_conf_free(&eng->conf);
	eng->conf = *conf;
	memset(conf, 0, sizeof(*conf));

	i = 0;
	for (struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next, i++) {
		bool was_enabled = ifp->enabled;
		rip_iface_refresh(eng, ifp, now);
		if (old != NULL)
			rip_conn_apply(eng, ifp, &old[i], now);
		if (was_enabled && !ifp->enabled)
			rip_iface_flush_learned(eng, ifp->ifindex, now);
	}
	free(old);

	/* Kernel origins: re-evaluate redistribution for every remembered route. */
	for (i = 0; i < eng->n_kroutes; i++) {
		uint8_t metric;
		bool on = rip_kernel_redistributed(&eng->conf, eng->kroutes[i].origin, &metric);
		rip_local_set(eng, eng->kroutes[i].prefix, eng->kroutes[i].origin, 0, metric, on, now);
	}
	rip_default_apply(eng, now);
	if (timers_changed)
		eng->next_periodic = now + rip_jitter(eng, rip_sec(eng->conf.t_update));
}

void
rip_engine_shutdown(struct rip_engine *eng, rtime_t now)
{
	/*
	 * Neither FRR nor BIRD says goodbye; we do: everything we advertise,
	 * with metric 16, so neighbours drop it now rather than in 180 s.
	 */
	rip_send_updates(eng, RIP_OUT_POISON);
	eng->shutting_down = true;
	struct rib_iter it;
	for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL; r = rib_next(&eng->rib, &it)) {
		if (r->installed) {
			eng->ops.route_remove(eng->ops.ctx, r->prefix);
			r->installed = false;
		}
	}
	for (struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next) {
		if (ifp->joined) {
			eng->ops.iface_enable(eng->ops.ctx, ifp->ifindex, false);
			ifp->joined = false;
		}
	}
	(void)now;
}

void
rip_engine_free(struct rip_engine *eng)
{
	if (eng == NULL)
		return;
	struct rip_iface *ifp, *ifn;
	for (ifp = eng->ifaces; ifp != NULL; ifp = ifn) {
		ifn = ifp->next;
		free(ifp);
	}
	struct rip_neighbor *n, *nn;
	for (n = eng->neighbors; n != NULL; n = nn) {
		nn = n->next;
		free(n);
	}
	rib_free(&eng->rib);
	rip_conf_free(&eng->conf);
	free(eng->kroutes);
	free(eng->svc_held);
	free(eng);
}
