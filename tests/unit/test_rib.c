/*
 * test_rib.c - unit tests of the RIB (src/rip/rib.c) and the RIPv2 engine
 * (src/rip/proto.c), run on a fake clock.
 *
 * The harness below stands in for the daemon: it owns `now`, feeds link,
 * address and packet events to the engine, calls rip_engine_run() at every
 * deadline the engine asks for, and records everything that leaves through
 * struct rip_ops: each datagram (decoded again with the codec, tagged
 * periodic / triggered / other by the tx counters), a mirror of the kernel
 * routing table (route_install / route_remove), iface_enable calls, and a
 * deterministic random source (xorshift, or a fixed value when a test needs
 * to pin the jitter).
 *
 * Covered, one test each, table-driven where natural:
 *   interfaces  network statements enable interfaces; iface_enable and the
 *               whole-table request (RFC 2453 3.9.1); passive interfaces;
 *               the loopback anycast /32 advertised as connected, metric 1;
 *               link flap and interface deletion.
 *   learning    install with metric + 1 and the RFC 2453 4.4 next hop;
 *               packet drops by reason (3.9.2, 4.1) in eng->drops and per
 *               neighbour; 25 entries learned, 26 refused (3.6, 4); bad
 *               entries in rte_drops next to valid ones.
 *   timers      timeout, garbage collection and refresh (3.8); triggered
 *               updates and their suppression window (3.10.1); periodic
 *               updates with jitter carrying the whole table (3.8).
 *   output      split horizon: simple, poisoned reverse, none (3.4.3).
 *   alternates  loop-free alternates (RFC 5286 3.1): kept, shown, taking
 *               over at withdrawal, timeout and link down; not kept when
 *               not loop-free.  ECMP on and off.
 *   infinity    counting to infinity stops at 16 (3.4.1, 3.4.2).
 *   requests    whole table from a router and from a query tool, both with
 *               split horizon; specific entries as is (3.9.1); requests
 *               from off-link sources and on passive interfaces refused.
 *   life cycle  shutdown goodbye, reconfiguration (network, default
 *               origination, redistribute static, timers), a lost kernel
 *               route.
 *   scale       20000 routes from one neighbour: install, periodic packing,
 *               timeout.
 *   hostile     max-routes overall and per neighbour (excess dropped and
 *               counted, good routes kept, reported once), RIP_MAX_PATHS,
 *               neighbour expiry, the request rate per source, answers
 *               marked to queue behind updates, ip rip ttl-security
 *               (RFC 5082), the statements' parse and print, the keyed RIB.
 * Every datagram the engine sends is checked in ops_send (decodes, version
 * 2, <= 25 entries, metrics 1..16, sent from the interface's address) and
 * every kernel install in ops_route_install (1..16 next hops, metric < 16).
 *
 * The regression tests at the end each caught an engine bug when they were
 * written; the comment above each says what went wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rip/conf.h"
#include "rip/packet.h"
#include "rip/proto.h"
#include "rip/rib.h"
#include "rip/show.h"
#include "riposted/conf.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	((uint32_t)(c) << 8) | (uint32_t)(d))
#define PFX(a, l) ((struct prefix4){ (a), (l) })
#define SEC(s) ((rtime_t)(s) * RTIME_SEC)
#define MS(ms) ((rtime_t)(ms) * RTIME_MS)
#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The test network.  We are 10.0.1.1 on eth0 (neighbours N1, N2) and
 * 10.0.2.1 on eth1 (neighbour N3); lo carries 127.0.0.1/8 and the seed's
 * anycast service address 10.128.224.2/32; eth2 (192.0.2.1/24) is not
 * covered by `network 10.0.0.0/8`.
 */
enum { IF_LO = 1, IF_ETH0 = 2, IF_ETH1 = 3, IF_ETH2 = 4 };
#define ME0 IP(10, 0, 1, 1)
#define ME1 IP(10, 0, 2, 1)
#define N1 IP(10, 0, 1, 2)
#define N2 IP(10, 0, 1, 3)
#define N3 IP(10, 0, 2, 2)
#define ANYCAST IP(10, 128, 224, 2)
#define NET_X IP(192, 168, 10, 0)
#define NET_Y IP(192, 168, 20, 0)
#define NET_Z IP(192, 168, 30, 0)

#define T0 SEC(1000)

/* Timers written out, so the tests say what they assume (RFC 2453 3.8 defaults). */
#define CONF_STD "router rip\n network 10.0.0.0/8\n timers basic 30 180 120\n"

/* ----------------------------------------------------------- harness */

enum cap_kind {
	CAP_OTHER = 0,      /* answers to requests, requests, goodbye */
	CAP_PERIODIC,
	CAP_TRIGGERED,
};

struct cap_pkt {
	unsigned ifindex;
	uint32_t src, dst;
	uint16_t port;
	uint8_t command;
	unsigned flags; /* RIP_SEND_* */
	enum cap_kind kind;
	rtime_t when;
	size_t nrte;
	struct rip_rte rte[RIP_MAX_RTE];
};

struct kroute {
	struct prefix4 prefix;
	bool used;    /* slot taken by this prefix */
	bool present; /* installed now */
	uint8_t metric;
	size_t n;
	struct rip_nexthop nh[RIP_MAX_ECMP];
};

#define KTAB_SIZE (1u << 15)

struct harness {
	struct rip_engine *eng;
	rtime_t now;

	struct cap_pkt *pkts;
	size_t n_pkts, cap_pkts;

	struct kroute *ktab; /* open addressing, slots never freed */
	size_t n_kernel;
	size_t n_install, n_remove, n_bad_remove;

	struct { unsigned ifindex; bool on; } ifen[64];
	size_t n_ifen;

	uint32_t rnd;
	bool rnd_fixed;
	uint32_t rnd_value;

	size_t n_gone;                     /* neighbor_gone calls */
	uint32_t gone_last;
	size_t limit_hits[RIP_LIMIT_COUNT]; /* limit_hit calls, by limit */
	uint32_t limit_nbr[RIP_LIMIT_COUNT];
	uint32_t limit_value[RIP_LIMIT_COUNT];
};

static size_t
k_slot(struct harness *h, struct prefix4 p, bool create)
{
	uint64_t k = (((uint64_t)p.addr << 8) | p.len) * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(k >> 40) & (KTAB_SIZE - 1);

	for (size_t n = 0; n < KTAB_SIZE; n++, i = (i + 1) & (KTAB_SIZE - 1)) {
		struct kroute *e = &h->ktab[i];
		if (e->used && prefix4_equal(e->prefix, p))
			return i;
		if (!e->used) {
			if (!create)
				return SIZE_MAX;
			e->used = true;
			e->prefix = p;
			return i;
		}
	}
	fail_msg("kernel mirror full");
	return SIZE_MAX;
}

/* The kernel's route for prefix, or NULL. */
static const struct kroute *
h_kernel(struct harness *h, struct prefix4 p)
{
	size_t i = k_slot(h, p, false);
	return i != SIZE_MAX && h->ktab[i].present ? &h->ktab[i] : NULL;
}

static bool
h_kernel_has_gw(struct harness *h, struct prefix4 p, uint32_t gw, unsigned ifindex)
{
	const struct kroute *k = h_kernel(h, p);
	if (k == NULL)
		return false;
	for (size_t i = 0; i < k->n; i++)
		if (k->nh[i].gw == gw && k->nh[i].ifindex == ifindex)
			return true;
	return false;
}

/* The address the engine must send from on ifindex. */
static uint32_t
h_iface_src(unsigned ifindex)
{
	switch (ifindex) {
	case IF_ETH0:
		return ME0;
	case IF_ETH1:
		return ME1;
	case IF_ETH2:
		return IP(192, 0, 2, 1);
	case 5: /* eth3 of test_iface_enable */
		return IP(172, 31, 0, 1);
	}
	return 0;
}

static void
ops_send(void *ctx, unsigned ifindex, uint32_t src, uint32_t dst, uint16_t port,
    const uint8_t *buf, size_t len, unsigned flags)
{
	struct harness *h = ctx;
	struct rip_packet pkt;

	/* RFC 2453 4: at most 25 entries, a 504-byte RIP message. */
	assert_true(len <= RIP_PKT_MAX);
	assert_int_equal(rip_packet_decode(buf, len, &pkt), RIP_PKT_OK);
	assert_int_equal(pkt.version, RIP_VERSION);
	assert_false(pkt.has_auth);
	assert_true(pkt.nrte >= 1 && pkt.nrte <= RIP_MAX_RTE);
	assert_int_equal(src, h_iface_src(ifindex));
	if (h->n_pkts == h->cap_pkts) {
		h->cap_pkts = h->cap_pkts ? h->cap_pkts * 2 : 64;
		h->pkts = realloc(h->pkts, h->cap_pkts * sizeof(*h->pkts));
		assert_non_null(h->pkts);
	}
	struct cap_pkt *c = &h->pkts[h->n_pkts++];
	memset(c, 0, sizeof(*c));
	c->ifindex = ifindex;
	c->src = src;
	c->dst = dst;
	c->port = port;
	c->command = pkt.command;
	c->flags = flags;
	c->when = h->now;
	c->nrte = pkt.nrte;
	for (size_t i = 0; i < pkt.nrte; i++) {
		rip_packet_rte(&pkt, i, &c->rte[i]);
		/* Nothing we send may carry a metric outside 1..16 (RFC 2453 3.6). */
		assert_true(c->rte[i].metric >= 1 && c->rte[i].metric <= RIP_INFINITY);
	}
}

static void
ops_route_install(void *ctx, struct prefix4 prefix, const struct rip_nexthop *nh, size_t n,
    uint8_t metric)
{
	struct harness *h = ctx;
	struct kroute *k = &h->ktab[k_slot(h, prefix, true)];

	/* An unreachable route must never reach the kernel. */
	assert_true(n >= 1 && n <= RIP_MAX_ECMP);
	assert_true(metric >= 1 && metric < RIP_INFINITY);
	if (!k->present)
		h->n_kernel++;
	k->present = true;
	k->metric = metric;
	k->n = n;
	memcpy(k->nh, nh, n * sizeof(*nh));
	h->n_install++;
}

static void
ops_route_remove(void *ctx, struct prefix4 prefix)
{
	struct harness *h = ctx;
	size_t i = k_slot(h, prefix, false);

	h->n_remove++;
	if (i == SIZE_MAX || !h->ktab[i].present) {
		h->n_bad_remove++;
		return;
	}
	h->ktab[i].present = false;
	h->n_kernel--;
}

static void
ops_iface_enable(void *ctx, unsigned ifindex, bool on)
{
	struct harness *h = ctx;
	assert_true(h->n_ifen < nitems(h->ifen));
	h->ifen[h->n_ifen].ifindex = ifindex;
	h->ifen[h->n_ifen++].on = on;
}

static uint32_t
ops_random(void *ctx)
{
	struct harness *h = ctx;
	if (h->rnd_fixed)
		return h->rnd_value;
	/* xorshift32: deterministic, good enough for jitter. */
	h->rnd ^= h->rnd << 13;
	h->rnd ^= h->rnd >> 17;
	h->rnd ^= h->rnd << 5;
	return h->rnd;
}

static void
ops_neighbor_gone(void *ctx, uint32_t addr, unsigned ifindex)
{
	struct harness *h = ctx;
	h->n_gone++;
	h->gone_last = addr;
}

static void
ops_limit_hit(void *ctx, enum rip_limit which, uint32_t neighbor, uint32_t limit)
{
	struct harness *h = ctx;
	assert_true((unsigned)which < RIP_LIMIT_COUNT);
	h->limit_hits[which]++;
	h->limit_nbr[which] = neighbor;
	h->limit_value[which] = limit;
}

static int
h_setup(void **state)
{
	struct harness *h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -1;
	h->ktab = calloc(KTAB_SIZE, sizeof(*h->ktab));
	if (h->ktab == NULL) {
		free(h);
		return -1;
	}
	h->now = T0;
	h->rnd = 0x2453u;
	*state = h;
	return 0;
}

static int
h_teardown(void **state)
{
	struct harness *h = *state;
	rip_engine_free(h->eng);
	free(h->pkts);
	free(h->ktab);
	free(h);
	return 0;
}

static void
h_parse(const char *text, struct rip_conf *conf)
{
	struct riposted_conf rc;
	char err[256] = "";

	/* The whole file (services included), then the RIP part, as riposted does. */
	if (riposted_conf_parse_buf("test", text, strlen(text), &rc, err, sizeof(err)) != 0)
		fail_msg("config does not parse: %s", err);
	*conf = rc.rip;
	rip_conf_init(&rc.rip);
	riposted_conf_free(&rc);
}

static void
h_start(struct harness *h, const char *text)
{
	static const struct rip_ops ops = {
		ops_send, ops_route_install, ops_route_remove, ops_iface_enable, ops_random, NULL, NULL,
		ops_neighbor_gone, ops_limit_hit,
	};
	struct rip_conf conf;
	struct rip_ops o = ops;

	h_parse(text, &conf);
	o.ctx = h;
	h->eng = rip_engine_new(&conf, &o, h->now);
	assert_non_null(h->eng);
}

static void
h_reconf(struct harness *h, const char *text)
{
	struct rip_conf conf;
	h_parse(text, &conf);
	rip_engine_reconfigure(h->eng, &conf, h->now);
}

/* One rip_engine_run(); tags what it sent as periodic or triggered. */
static void
h_run(struct harness *h)
{
	uint64_t per = h->eng->tx_periodic, trig = h->eng->tx_triggered;
	size_t mark = h->n_pkts;

	rip_engine_run(h->eng, h->now);
	enum cap_kind kind = h->eng->tx_periodic != per ? CAP_PERIODIC :
	    h->eng->tx_triggered != trig ? CAP_TRIGGERED : CAP_OTHER;
	for (size_t i = mark; i < h->n_pkts; i++)
		h->pkts[i].kind = kind;
}

/* Move the clock to `target`, running the engine at every deadline on the way, like the daemon. */
static void
h_advance_to(struct harness *h, rtime_t target)
{
	for (unsigned guard = 0;; guard++) {
		if (guard > 1000000)
			fail_msg("engine deadline does not advance");
		rtime_t d = rip_engine_next_deadline(h->eng);
		if (d > target)
			break;
		if (d > h->now)
			h->now = d;
		h_run(h);
	}
	if (target > h->now)
		h->now = target;
}

static void
h_advance(struct harness *h, rtime_t dt)
{
	h_advance_to(h, h->now + dt);
}

/* Run until the next periodic update has gone out. */
static void
h_until_periodic(struct harness *h)
{
	uint64_t per = h->eng->tx_periodic;
	for (int i = 0; i < 100000 && h->eng->tx_periodic == per; i++)
		h_advance(h, MS(100));
	assert_true(h->eng->tx_periodic > per);
}

static void
h_link(struct harness *h, unsigned ifindex, const char *name, bool up, bool loopback)
{
	rip_engine_link(h->eng, ifindex, name, up, loopback, !loopback, false, h->now);
}

static void
h_addr(struct harness *h, unsigned ifindex, uint32_t addr, uint8_t len)
{
	rip_engine_addr(h->eng, ifindex, addr, len, false, h->now);
}

/* lo, eth0, eth1 and eth2 as the kernel would report them. */
static void
h_ifaces(struct harness *h)
{
	h_link(h, IF_LO, "lo", true, true);
	h_addr(h, IF_LO, IP(127, 0, 0, 1), 8);
	h_addr(h, IF_LO, ANYCAST, 32);
	h_link(h, IF_ETH0, "eth0", true, false);
	h_addr(h, IF_ETH0, ME0, 24);
	h_link(h, IF_ETH1, "eth1", true, false);
	h_addr(h, IF_ETH1, ME1, 24);
	h_link(h, IF_ETH2, "eth2", true, false);
	h_addr(h, IF_ETH2, IP(192, 0, 2, 1), 24);
}

static void
h_clear(struct harness *h)
{
	h->n_pkts = 0;
}

/*
 * A quiet engine: interfaces up, the first triggered update and one
 * periodic update behind us, so the next periodic one is >= 25 s away and
 * the triggered-update suppression window is over.  Captures cleared.
 */
static void
h_settle(struct harness *h)
{
	h_until_periodic(h);
	h_clear(h);
}

static void
h_std(struct harness *h, const char *conf)
{
	h_start(h, conf);
	h_ifaces(h);
	h_settle(h);
}

/* A route entry for h_response(); metric as advertised. */
struct ent {
	uint32_t addr;
	uint8_t len;
	uint32_t metric;
	uint32_t nexthop;
	uint16_t tag;
	uint16_t afi; /* 0 means AF_INET here; use AFI_ZERO for a real 0 */
	uint32_t mask; /* 0: from len */
};
#define AFI_ZERO 0xfffe /* stands for AFI 0 on the wire in struct ent */
#define E(a, l, m) { .addr = (a), .len = (l), .metric = (m) }
#define ENH(a, l, m, nh) { .addr = (a), .len = (l), .metric = (m), .nexthop = (nh) }

static size_t
h_encode(uint8_t *buf, size_t cap, uint8_t cmd, const struct ent *e, size_t n)
{
	struct rip_rte rte[RIP_MAX_RTE];
	assert_true(n <= RIP_MAX_RTE);
	for (size_t i = 0; i < n; i++) {
		memset(&rte[i], 0, sizeof(rte[i]));
		rte[i].afi = e[i].afi == 0 ? RIP_AF_INET : e[i].afi == AFI_ZERO ? 0 : e[i].afi;
		rte[i].tag = e[i].tag;
		rte[i].addr = e[i].addr;
		rte[i].mask = e[i].mask != 0 ? e[i].mask : ip4_mask(e[i].len);
		rte[i].nexthop = e[i].nexthop;
		rte[i].metric = e[i].metric;
	}
	size_t len = rip_packet_encode(buf, cap, cmd, rte, n, 0);
	assert_true(len > 0);
	return len;
}

static void
h_input(struct harness *h, unsigned ifindex, uint32_t src, uint16_t port, const uint8_t *buf,
    size_t len)
{
	/* TTL 1: what FRR and BIRD send without ttl-security (and we too). */
	rip_engine_input(h->eng, ifindex, src, port, RIP_GROUP, 1, buf, len, h->now);
}

static void
h_response(struct harness *h, unsigned ifindex, uint32_t src, const struct ent *e, size_t n)
{
	uint8_t buf[RIP_PKT_MAX];
	size_t len = h_encode(buf, sizeof(buf), RIP_CMD_RESPONSE, e, n);
	h_input(h, ifindex, src, RIP_PORT, buf, len);
}

#define ENTS(...) (const struct ent[]){ __VA_ARGS__ }, \
	sizeof((const struct ent[]){ __VA_ARGS__ }) / sizeof(struct ent)
#define RESP(h, ifx, src, ...) h_response((h), (ifx), (src), ENTS(__VA_ARGS__))

/*
 * Metric of prefix in the newest response sent on ifindex from packet
 * `mark` on, of this kind (-1: any kind); -1 when it was not sent.
 */
static int
h_sent_kind(const struct harness *h, size_t mark, unsigned ifindex, struct prefix4 p, int kind)
{
	for (size_t i = h->n_pkts; i-- > mark;) {
		const struct cap_pkt *c = &h->pkts[i];
		if (c->ifindex != ifindex || c->command != RIP_CMD_RESPONSE)
			continue;
		if (kind >= 0 && c->kind != (enum cap_kind)kind)
			continue;
		for (size_t j = 0; j < c->nrte; j++)
			if (c->rte[j].addr == p.addr && c->rte[j].mask == ip4_mask(p.len))
				return (int)c->rte[j].metric;
	}
	return -1;
}

static int
h_sent(const struct harness *h, size_t mark, unsigned ifindex, struct prefix4 p)
{
	return h_sent_kind(h, mark, ifindex, p, -1);
}

/* Responses of this kind sent on ifindex since mark (kind -1: any). */
static size_t
h_count(const struct harness *h, size_t mark, unsigned ifindex, int kind)
{
	size_t n = 0;
	for (size_t i = mark; i < h->n_pkts; i++)
		if (h->pkts[i].ifindex == ifindex && h->pkts[i].command == RIP_CMD_RESPONSE &&
		    (kind < 0 || h->pkts[i].kind == (enum cap_kind)kind))
			n++;
	return n;
}

static bool
h_ifen_seen(const struct harness *h, unsigned ifindex, bool on)
{
	for (size_t i = 0; i < h->n_ifen; i++)
		if (h->ifen[i].ifindex == ifindex && h->ifen[i].on == on)
			return true;
	return false;
}

static struct rip_neighbor *
h_nbr(struct harness *h, uint32_t addr)
{
	for (struct rip_neighbor *n = h->eng->neighbors; n != NULL; n = n->next)
		if (n->addr == addr)
			return n;
	return NULL;
}

static struct rip_route *
h_route(struct harness *h, struct prefix4 p)
{
	return rib_lookup(&h->eng->rib, p);
}

static uint8_t
h_metric(struct harness *h, struct prefix4 p)
{
	struct rip_route *r = h_route(h, p);
	return r != NULL ? r->metric : RIP_INFINITY;
}

/* `show routes --json`, as ripostectl gets it. */
static char *
h_show_routes(struct harness *h)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	rip_show_routes(h->eng, f, true, h->now);
	fclose(f);
	return buf;
}

/* Find the JSON line of path prefix/from (one path object per line) and copy it to `line`. */
static bool
h_show_path(const char *json, const char *prefix, const char *from, char *line, size_t cap)
{
	char want_p[64], want_f[64];
	snprintf(want_p, sizeof(want_p), "\"prefix\":\"%s\"", prefix);
	snprintf(want_f, sizeof(want_f), "\"from\":\"%s\"", from);
	for (const char *s = json; *s != '\0';) {
		const char *e = strchr(s, '\n');
		size_t n = e != NULL ? (size_t)(e - s) : strlen(s);
		if (n < cap) {
			memcpy(line, s, n);
			line[n] = '\0';
			if (strstr(line, want_p) != NULL && strstr(line, want_f) != NULL)
				return true;
		}
		s += n + (e != NULL);
	}
	return false;
}

/* ------------------------------------------------------- interfaces */

/*
 * An interface runs RIP when a `network` prefix covers one of its
 * addresses or names it; it joins 224.0.0.9 (iface_enable on) once it is
 * up with an address, and asks its neighbours for their tables with the
 * RFC 2453 3.9.1 whole-table request: one entry, AFI 0, metric 16.
 * Loopbacks run RIP (their addresses are advertised) but never send.
 */
static void
test_iface_enable(void **state)
{
	static const struct {
		unsigned ifindex;
		const char *name;
		bool loopback;
		uint32_t addr;
		uint8_t len;
		bool addr_first;  /* the address event comes before the link event */
		bool enabled;     /* RIP runs on it */
		bool joined;      /* iface_enable(on) and a request */
	} cases[] = {
		{ IF_ETH0, "eth0", false, ME0, 24, false, true, true },
		{ IF_ETH1, "eth1", false, ME1, 24, true, true, true },
		{ IF_ETH2, "eth2", false, IP(192, 0, 2, 1), 24, false, false, false },
		{ 5, "eth3", false, IP(172, 31, 0, 1), 24, false, true, true }, /* network eth3 */
		{ IF_LO, "lo", true, ANYCAST, 32, false, true, false },
	};
	struct harness *h = *state;

	h_start(h, "router rip\n network 10.0.0.0/8\n network eth3\n");
	for (size_t i = 0; i < nitems(cases); i++) {
		size_t mark = h->n_pkts, ifen = h->n_ifen;
		if (cases[i].addr_first)
			h_addr(h, cases[i].ifindex, cases[i].addr, cases[i].len);
		else
			h_link(h, cases[i].ifindex, cases[i].name, true, cases[i].loopback);
		/* Without an address (or link) nothing happens yet. */
		assert_int_equal(h->n_ifen, ifen);
		assert_int_equal(h->n_pkts, mark);
		if (cases[i].addr_first)
			h_link(h, cases[i].ifindex, cases[i].name, true, cases[i].loopback);
		else
			h_addr(h, cases[i].ifindex, cases[i].addr, cases[i].len);

		struct rip_iface *ifp = rip_iface_by_index(h->eng, cases[i].ifindex);
		assert_non_null(ifp);
		assert_int_equal(ifp->enabled, cases[i].enabled);
		if (!cases[i].joined) {
			assert_int_equal(h->n_ifen, ifen);
			assert_int_equal(h->n_pkts, mark);
			continue;
		}
		assert_int_equal(h->n_ifen, ifen + 1);
		assert_int_equal(h->ifen[ifen].ifindex, cases[i].ifindex);
		assert_true(h->ifen[ifen].on);
		/* RFC 2453 3.9.1: exactly one request, to the group, from port 520 to 520. */
		assert_int_equal(h->n_pkts, mark + 1);
		const struct cap_pkt *c = &h->pkts[mark];
		assert_int_equal(c->ifindex, cases[i].ifindex);
		assert_int_equal(c->command, RIP_CMD_REQUEST);
		assert_int_equal(c->dst, RIP_GROUP);
		assert_int_equal(c->port, RIP_PORT);
		assert_int_equal(c->src, cases[i].addr);
		assert_int_equal(c->nrte, 1);
		assert_int_equal(c->rte[0].afi, 0);
		assert_int_equal(c->rte[0].metric, RIP_INFINITY);
	}

	/* Packets on the interface RIP does not run on are dropped. */
	RESP(h, IF_ETH2, IP(192, 0, 2, 2), E(NET_X, 24, 1));
	assert_int_equal(h->eng->drops[RIP_DROP_IFACE_DISABLED], 1);
	assert_null(h_route(h, PFX(NET_X, 24)));

	/* The link going down leaves the group. */
	h_link(h, IF_ETH0, "eth0", false, false);
	assert_true(h_ifen_seen(h, IF_ETH0, false));
	assert_false(rip_iface_by_index(h->eng, IF_ETH0)->joined);
}

/* A passive interface sends nothing (no updates, no request) but still joins and learns. */
static void
test_iface_passive(void **state)
{
	struct harness *h = *state;

	h_start(h, CONF_STD " passive-interface eth1\n");
	h_ifaces(h);
	/* Joined, to hear the neighbours' multicast, but no request. */
	assert_true(h_ifen_seen(h, IF_ETH1, true));
	assert_true(rip_iface_by_index(h->eng, IF_ETH1)->passive);

	RESP(h, IF_ETH1, N3, E(NET_Y, 24, 1));
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N3, IF_ETH1));

	h_advance(h, SEC(70)); /* triggered and at least two periodic updates */
	assert_true(h_count(h, 0, IF_ETH0, CAP_PERIODIC) >= 2);
	for (size_t i = 0; i < h->n_pkts; i++)
		assert_int_not_equal(h->pkts[i].ifindex, IF_ETH1);
	/* eth0 is not passive: it advertises what eth1 taught us. */
	assert_int_equal(h_sent_kind(h, 0, IF_ETH0, PFX(NET_Y, 24), CAP_PERIODIC), 2);

	/* Reloaded without passive-interface: eth1 speaks at the next update. */
	size_t mark = h->n_pkts;
	h_reconf(h, CONF_STD);
	assert_false(rip_iface_by_index(h->eng, IF_ETH1)->passive);
	h_until_periodic(h);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, PFX(NET_Y, 24), CAP_PERIODIC),
	    RIP_INFINITY);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, PFX(ANYCAST, 32), CAP_PERIODIC), 1);
}

/*
 * A /32 on lo covered by `network` (the seed's anycast 10.128.224.2/32)
 * is a connected route of metric 1, advertised on every RIP interface and
 * never installed by us; 127/8 is never advertised (RFC 2453 3.9.2).
 */
static void
test_iface_loopback_anycast(void **state)
{
	struct harness *h = *state;

	h_std(h, CONF_STD);
	assert_false(h_ifen_seen(h, IF_LO, true));
	h_until_periodic(h);
	for (size_t i = 0; i < h->n_pkts; i++)
		assert_int_not_equal(h->pkts[i].ifindex, IF_LO);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH0, PFX(ANYCAST, 32), CAP_PERIODIC), 1);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH1, PFX(ANYCAST, 32), CAP_PERIODIC), 1);
	assert_int_equal(h_sent(h, 0, IF_ETH0, PFX(IP(127, 0, 0, 0), 8)), -1);
	assert_int_equal(h_sent(h, 0, IF_ETH0, PFX(IP(10, 0, 1, 0), 24)), 1);
	assert_null(h_kernel(h, PFX(ANYCAST, 32)));
	assert_int_equal(h->n_kernel, 0);

	/* The service address going away is withdrawn with metric 16 (RFC 2453 3.10.1). */
	rip_engine_addr(h->eng, IF_LO, ANYCAST, 32, true, h->now);
	size_t mark = h->n_pkts;
	h_run(h);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH0, PFX(ANYCAST, 32), CAP_TRIGGERED),
	    RIP_INFINITY);
}

/* --------------------------------------------------------- learning */

/*
 * RFC 2453 3.9.2: metric = advertised + 1; the next hop is the sender,
 * or the entry's next hop when it is on the receiving subnet and not one
 * of ours (RFC 2453 4.4).  Anything else is treated as 0.0.0.0.
 */
static void
test_learn_install(void **state)
{
	static const struct {
		uint32_t prefix;
		uint8_t len;
		uint32_t adv;
		uint32_t rte_nexthop;
		uint32_t gw;
		uint8_t metric;
	} cases[] = {
		{ IP(192, 168, 1, 0), 24, 1, 0, N1, 2 },
		{ IP(192, 168, 2, 0), 24, 5, 0, N1, 6 },
		{ IP(192, 168, 3, 0), 24, 14, 0, N1, 15 },
		{ IP(172, 16, 0, 0), 12, 1, IP(10, 0, 1, 5), IP(10, 0, 1, 5), 2 },
		{ IP(192, 168, 5, 0), 24, 1, IP(10, 0, 2, 9), N1, 2 },   /* other subnet */
		{ IP(192, 168, 6, 0), 24, 1, IP(10, 9, 9, 9), N1, 2 },   /* not connected */
		{ IP(192, 168, 7, 0), 24, 1, ME0, N1, 2 },               /* ourselves */
		{ IP(192, 168, 9, 9), 32, 3, 0, N1, 4 },
		{ 0, 0, 2, 0, N1, 3 },                                   /* default route */
	};
	struct harness *h = *state;

	h_std(h, CONF_STD);
	for (size_t i = 0; i < nitems(cases); i++) {
		struct ent e = ENH(cases[i].prefix, cases[i].len, cases[i].adv, cases[i].rte_nexthop);
		struct prefix4 p = PFX(cases[i].prefix, cases[i].len);
		h_response(h, IF_ETH0, N1, &e, 1);
		const struct kroute *k = h_kernel(h, p);
		assert_non_null(k);
		assert_int_equal(k->n, 1);
		assert_int_equal(k->nh[0].gw, cases[i].gw);
		assert_int_equal(k->nh[0].ifindex, IF_ETH0);
		assert_int_equal(k->metric, cases[i].metric);
		assert_int_equal(h_metric(h, p), cases[i].metric);
	}
	assert_int_equal(h->n_kernel, nitems(cases));
	struct rip_neighbor *n = h_nbr(h, N1);
	assert_non_null(n);
	assert_int_equal(n->ifindex, IF_ETH0);
	assert_int_equal(n->packets, nitems(cases));
	assert_int_equal(n->routes, nitems(cases));
}

enum mangle {
	MANGLE_NONE,
	MANGLE_V1,        /* version field 1 */
	MANGLE_AUTH,      /* a simple password entry first (RFC 2453 4.1) */
	MANGLE_TRUNCATE,  /* two bytes short of a whole entry */
	MANGLE_VERSION0,
	MANGLE_26,        /* 26 entries: 524 octets (RFC 2453 4: at most 25, 512) */
	MANGLE_513,       /* 25 entries (504 octets) and 9 more bytes */
	MANGLE_AUTH_24,   /* a password entry and 24 route entries: 504 octets */
	MANGLE_AUTH_25,   /* a password entry and 25 route entries (RFC 2453 4.1: 24) */
};

#define PASSWORD_ENTRY "\xff\xff\x00\x02secret\0\0\0\0\0\0\0\0\0\0"

/*
 * A response of `n` good entries (NET_X/24 first, then 172.16.i.0/24), with
 * a simple password entry first when `auth`, into buf (cap bytes); returns
 * its length.  Built with the encoder, which does not enforce the 25-entry
 * limit, so it can write the datagrams the decoder must refuse.
 */
static size_t
h_build_n(uint8_t *buf, size_t cap, size_t n, bool auth)
{
	struct rip_rte rte[RIP_MAX_RTE + 2];
	assert_true(n <= nitems(rte));
	for (size_t i = 0; i < n; i++) {
		rte[i] = (struct rip_rte){ RIP_AF_INET, 0, IP(172, 16, i, 0), ip4_mask(24), 0, 1 };
		if (i == 0)
			rte[i].addr = NET_X;
	}
	size_t len = rip_packet_encode(buf, cap, RIP_CMD_RESPONSE, rte, n, auth ? RIP_RTE_LEN : 0);
	assert_true(len > 0);
	if (auth)
		memcpy(buf + RIP_HDR_LEN, PASSWORD_ENTRY, RIP_RTE_LEN);
	return len;
}

/*
 * RFC 2453 3.9.2: a response not from port 520, from a source not on a
 * directly connected network or from one of our own addresses is ignored;
 * we also refuse RIPv1 (receive version 2), authenticated packets (no
 * authentication configured, RFC 2453 4.1) and malformed ones.  Each drop
 * is counted by reason, and per neighbour when the sender is one.
 */
static void
test_learn_drops(void **state)
{
	static const struct {
		const char *what;
		unsigned ifindex;
		uint32_t src;
		uint16_t port;
		enum mangle mangle;
		enum rip_drop reason;
		bool per_nbr;
	} cases[] = {
		{ "port 521", IF_ETH0, N1, 521, MANGLE_NONE, RIP_DROP_SRC_PORT, false },
		{ "port 0", IF_ETH0, N1, 0, MANGLE_NONE, RIP_DROP_SRC_PORT, false },
		{ "not connected", IF_ETH0, IP(192, 0, 2, 7), RIP_PORT, MANGLE_NONE,
		    RIP_DROP_NOT_CONNECTED, false },
		{ "eth1's subnet on eth0", IF_ETH0, N3, RIP_PORT, MANGLE_NONE,
		    RIP_DROP_NOT_CONNECTED, false },
		{ "our own address", IF_ETH0, ME0, RIP_PORT, MANGLE_NONE, RIP_DROP_OWN_ADDRESS, false },
		{ "our eth1 address", IF_ETH0, ME1, RIP_PORT, MANGLE_NONE, RIP_DROP_OWN_ADDRESS,
		    false },
		{ "our anycast", IF_ETH0, ANYCAST, RIP_PORT, MANGLE_NONE, RIP_DROP_OWN_ADDRESS,
		    false },
		{ "RIPv1", IF_ETH0, N1, RIP_PORT, MANGLE_V1, RIP_DROP_VERSION_1, true },
		{ "auth entry", IF_ETH0, N1, RIP_PORT, MANGLE_AUTH, RIP_DROP_AUTH_UNEXPECTED, true },
		{ "truncated", IF_ETH0, N1, RIP_PORT, MANGLE_TRUNCATE, RIP_DROP_BAD_LENGTH, true },
		{ "version 0", IF_ETH0, N2, RIP_PORT, MANGLE_VERSION0, RIP_DROP_BAD_VERSION, true },
		{ "26 entries", IF_ETH0, N1, RIP_PORT, MANGLE_26, RIP_DROP_TOO_LONG, true },
		{ "513 octets", IF_ETH0, N2, RIP_PORT, MANGLE_513, RIP_DROP_TOO_LONG, true },
		{ "auth + 24 entries", IF_ETH0, N1, RIP_PORT, MANGLE_AUTH_24,
		    RIP_DROP_AUTH_UNEXPECTED, true },
		{ "auth + 25 entries", IF_ETH0, N1, RIP_PORT, MANGLE_AUTH_25, RIP_DROP_TOO_LONG,
		    true },
		/* RFC 2453 3.9.2's port check comes before the size. */
		{ "26 entries from port 521", IF_ETH0, N1, 521, MANGLE_26, RIP_DROP_SRC_PORT,
		    false },
		{ "RIP off there", IF_ETH2, IP(192, 0, 2, 2), RIP_PORT, MANGLE_NONE,
		    RIP_DROP_IFACE_DISABLED, false },
	};
	struct harness *h = *state;

	h_std(h, CONF_STD);
	/*
	 * N1 and N2 are neighbours already (a bad packet from a source never
	 * heard makes none, checked below): their drops count against them.
	 */
	RESP(h, IF_ETH0, N1, E(NET_Y, 24, 1));
	RESP(h, IF_ETH0, N2, E(NET_Y, 24, 1));
	h_advance(h, SEC(6));
	h_clear(h);
	for (size_t i = 0; i < nitems(cases); i++) {
		uint8_t buf[RIP_PKT_MAX + 2 * RIP_RTE_LEN];
		size_t len;
		struct ent e = E(NET_X, 24, 1);
		uint64_t before[RIP_DROP_COUNT], nbefore = 0, npackets = 0;
		uint64_t rx = h->eng->rx_responses;
		size_t routes = h->eng->rib.n_routes;
		struct rip_neighbor *n = h_nbr(h, cases[i].src);

		memcpy(before, h->eng->drops, sizeof(before));
		if (n != NULL) {
			nbefore = n->bad_packets[cases[i].reason];
			npackets = n->packets;
		}
		if (cases[i].mangle == MANGLE_AUTH) {
			struct rip_rte rte = { RIP_AF_INET, 0, NET_X, ip4_mask(24), 0, 1 };
			len = rip_packet_encode(buf, sizeof(buf), RIP_CMD_RESPONSE, &rte, 1,
			    RIP_RTE_LEN);
			assert_true(len > 0);
			memcpy(buf + RIP_HDR_LEN, PASSWORD_ENTRY, RIP_RTE_LEN);
		} else if (cases[i].mangle == MANGLE_26) {
			len = h_build_n(buf, sizeof(buf), 26, false);
			assert_int_equal(len, 524);
		} else if (cases[i].mangle == MANGLE_513) {
			len = h_build_n(buf, sizeof(buf), 25, false);
			memset(buf + len, 0, 9);
			len += 9;
			assert_int_equal(len, 513);
		} else if (cases[i].mangle == MANGLE_AUTH_24 || cases[i].mangle == MANGLE_AUTH_25) {
			len = h_build_n(buf, sizeof(buf), cases[i].mangle == MANGLE_AUTH_24 ? 24 : 25,
			    true);
		} else
			len = h_encode(buf, sizeof(buf), RIP_CMD_RESPONSE, &e, 1);
		if (cases[i].mangle == MANGLE_V1)
			buf[1] = 1;
		if (cases[i].mangle == MANGLE_VERSION0)
			buf[1] = 0;
		if (cases[i].mangle == MANGLE_TRUNCATE)
			len -= 2;
		h_input(h, cases[i].ifindex, cases[i].src, cases[i].port, buf, len);

		print_message("case %s\n", cases[i].what);
		for (size_t r = 0; r < RIP_DROP_COUNT; r++)
			assert_int_equal(h->eng->drops[r],
			    before[r] + (r == (size_t)cases[i].reason ? 1 : 0));
		assert_int_equal(h->eng->rx_responses, rx);
		assert_int_equal(h->eng->rib.n_routes, routes);
		assert_null(h_route(h, PFX(NET_X, 24)));
		assert_null(h_kernel(h, PFX(NET_X, 24)));
		if (cases[i].per_nbr) {
			n = h_nbr(h, cases[i].src);
			assert_non_null(n);
			assert_int_equal(n->bad_packets[cases[i].reason], nbefore + 1);
			assert_int_equal(n->packets, npackets);
		}
	}
	/* A bad packet from a router never heard before: counted, and no neighbour made. */
	size_t nbrs = h->eng->n_neighbors;
	uint8_t vbuf[RIP_PKT_MAX];
	struct ent ve = E(NET_X, 24, 1);
	size_t vlen = h_encode(vbuf, sizeof(vbuf), RIP_CMD_RESPONSE, &ve, 1);
	vbuf[1] = 1;
	h_input(h, IF_ETH0, IP(10, 0, 1, 9), RIP_PORT, vbuf, vlen);
	assert_null(h_nbr(h, IP(10, 0, 1, 9)));
	assert_int_equal(h->eng->n_neighbors, nbrs);
	/* Nothing was learned, so nothing was said. */
	h_run(h);
	assert_int_equal(h_count(h, 0, IF_ETH1, CAP_TRIGGERED), 0);
}

/*
 * RFC 2453 3.6 / 4: 25 entries (512 octets) are a whole response and every
 * one is installed; a 26th makes the datagram invalid as a whole: nothing
 * from it is installed, and it is counted as "longer than 512 octets", in
 * the totals and for its sender.
 */
static void
test_learn_size_limit(void **state)
{
	struct harness *h = *state;
	uint8_t buf[RIP_PKT_MAX + RIP_RTE_LEN];
	size_t len;

	h_std(h, CONF_STD);
	len = h_build_n(buf, sizeof(buf), RIP_MAX_RTE, false);
	assert_int_equal(len, RIP_PKT_MAX);
	h_input(h, IF_ETH0, N1, RIP_PORT, buf, len);
	assert_true(h_kernel_has_gw(h, PFX(NET_X, 24), N1, IF_ETH0));
	for (unsigned i = 1; i < RIP_MAX_RTE; i++)
		assert_true(h_kernel_has_gw(h, PFX(IP(172, 16, i, 0), 24), N1, IF_ETH0));
	assert_int_equal(h->n_kernel, RIP_MAX_RTE);
	assert_int_equal(h_nbr(h, N1)->routes, RIP_MAX_RTE);

	/*
	 * N2 offers the same 25 (an alternate path for each, were they
	 * accepted) and a 26th prefix: all refused.
	 */
	len = h_build_n(buf, sizeof(buf), RIP_MAX_RTE + 1, false);
	h_input(h, IF_ETH0, N2, RIP_PORT, buf, len);
	assert_int_equal(h->n_kernel, RIP_MAX_RTE);
	assert_null(h_kernel(h, PFX(IP(172, 16, RIP_MAX_RTE, 0), 24)));
	assert_null(h_route(h, PFX(IP(172, 16, RIP_MAX_RTE, 0), 24)));
	assert_true(rib_path_find(h_route(h, PFX(NET_X, 24)), RIP_ORIGIN_RIP, N2, 0) == NULL);
	assert_int_equal(h->eng->drops[RIP_DROP_TOO_LONG], 1);
	/* A packet that failed validation makes no neighbour (proto.h RIP_MAX_NEIGHBORS). */
	assert_null(h_nbr(h, N2));
	assert_string_equal(rip_drop_name(RIP_DROP_TOO_LONG), "longer than 512 octets");
}

/*
 * RFC 2453 3.9.2: each entry is validated on its own; a bad one is
 * ignored (and counted by reason) without disturbing the others.
 */
static void
test_learn_bad_entries(void **state)
{
	static const struct {
		struct ent e;
		int err; /* RIP_RTE_OK: must be installed */
	} cases[] = {
		{ E(NET_X, 24, 1), RIP_RTE_OK },
		{ E(IP(192, 168, 101, 0), 24, 0), RIP_RTE_BAD_METRIC },
		{ E(IP(192, 168, 102, 0), 24, 17), RIP_RTE_BAD_METRIC },
		{ E(IP(192, 168, 103, 0), 24, 0xffffffffu), RIP_RTE_BAD_METRIC },
		{ E(IP(127, 0, 0, 0), 8, 1), RIP_RTE_BAD_PREFIX },
		{ E(IP(224, 1, 0, 0), 16, 1), RIP_RTE_BAD_PREFIX },
		{ E(IP(0, 1, 0, 0), 16, 1), RIP_RTE_BAD_PREFIX },
		{ { .addr = IP(192, 168, 104, 0), .len = 24, .metric = 1, .afi = AFI_ZERO },
		    RIP_RTE_BAD_AFI },
		{ { .addr = IP(192, 168, 105, 0), .len = 24, .metric = 1, .afi = 10 },
		    RIP_RTE_BAD_AFI },
		{ E(IP(192, 168, 106, 1), 24, 1), RIP_RTE_BAD_MASK },        /* host bits */
		{ { .addr = IP(192, 168, 107, 0), .len = 24, .metric = 1, .mask = 0xff00ff00u },
		    RIP_RTE_BAD_MASK },
		{ E(IP(192, 168, 108, 0), 0, 1), RIP_RTE_BAD_MASK },         /* v1-style */
		{ { .addr = NET_Y, .len = 24, .metric = 3, .tag = 7 }, RIP_RTE_OK },
	};
	struct harness *h = *state;
	struct ent e[nitems(cases)];
	uint64_t want[RIP_RTE_DROP_COUNT] = { 0 };

	h_std(h, CONF_STD);
	for (size_t i = 0; i < nitems(cases); i++) {
		e[i] = cases[i].e;
		if (cases[i].err != RIP_RTE_OK)
			want[-cases[i].err - 1]++;
	}
	h_response(h, IF_ETH0, N1, e, nitems(e));

	struct rip_neighbor *n = h_nbr(h, N1);
	assert_non_null(n);
	for (size_t r = 0; r < RIP_RTE_DROP_COUNT; r++) {
		assert_int_equal(h->eng->rte_drops[r], want[r]);
		assert_int_equal(n->bad_routes[r], want[r]);
	}
	assert_int_equal(n->routes, 2);
	assert_int_equal(n->packets, 1);
	for (size_t i = 0; i < nitems(cases); i++) {
		struct prefix4 p = PFX(cases[i].e.addr & ip4_mask(cases[i].e.len), cases[i].e.len);
		if (cases[i].err == RIP_RTE_OK)
			assert_true(h_kernel_has_gw(h, p, N1, IF_ETH0));
		else
			assert_null(h_route(h, p));
	}
	assert_int_equal(h_metric(h, PFX(NET_Y, 24)), 4);
	assert_int_equal(h_route(h, PFX(NET_Y, 24))->tag, 7);
	assert_int_equal(h->n_kernel, 2);
}

/* ---------------------------------------------------------- timers */

/*
 * RFC 2453 3.8: a route not refreshed for `timeout` (180 s) becomes
 * unreachable: out of the kernel, metric 16, a triggered update; it is
 * still advertised with 16 during garbage collection and deleted
 * `garbage` (120 s) later.  Timeouts are checked every 250 ms at most.
 */
static void
test_timeout_gc(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	rtime_t learned = h->now;
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_non_null(h_kernel(h, x));

	h_advance_to(h, learned + SEC(180) - 1);
	assert_non_null(h_kernel(h, x));
	assert_int_equal(h_metric(h, x), 2);
	size_t mark = h->n_pkts;
	h_advance_to(h, learned + SEC(180) + MS(250));
	assert_null(h_kernel(h, x));
	assert_int_equal(h_metric(h, x), RIP_INFINITY);
	/* RFC 2453 3.10.1: the change goes out at once with metric 16. */
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, x, CAP_TRIGGERED), RIP_INFINITY);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH0, x, CAP_TRIGGERED), RIP_INFINITY);

	/* During garbage collection periodic updates still carry it, with 16. */
	mark = h->n_pkts;
	h_advance_to(h, learned + SEC(180 + 120) - 1);
	assert_true(h_count(h, mark, IF_ETH1, CAP_PERIODIC) >= 3);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, x, CAP_PERIODIC), RIP_INFINITY);
	assert_non_null(h_route(h, x));

	/* 120 s after the timeout the route is forgotten. */
	h_advance_to(h, learned + SEC(180 + 120) + MS(250));
	assert_null(h_route(h, x));
	mark = h->n_pkts;
	h_until_periodic(h);
	assert_int_equal(h_sent(h, mark, IF_ETH1, x), -1);
	assert_int_equal(h->n_bad_remove, 0);
}

/* Refreshes every 30 s keep the route, without touching the kernel again (RFC 2453 3.8). */
static void
test_timeout_refresh(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	size_t installs = h->n_install;
	for (int i = 0; i < 20; i++) {
		h_advance(h, SEC(30));
		RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
		assert_non_null(h_kernel(h, x));
	}
	assert_int_equal(h->n_install, installs);
	assert_int_equal(h->n_remove, 0);
	/* A refresh 179 s apart is still in time. */
	h_advance(h, SEC(179));
	assert_non_null(h_kernel(h, x));
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	h_advance(h, SEC(179));
	assert_non_null(h_kernel(h, x));
	assert_int_equal(h_metric(h, x), 2);

	/* A route in garbage collection comes back when offered again (RFC 2453 3.9.2). */
	h_advance(h, SEC(10));
	assert_null(h_kernel(h, x));
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 2));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	assert_int_equal(h_metric(h, x), 3);
	assert_int_equal(h_route(h, x)->gc_deadline, RTIME_NEVER);
	h_advance(h, SEC(150));
	assert_non_null(h_route(h, x));
}

/*
 * RFC 2453 3.10.1: a change is sent at once when no triggered update went
 * out recently; after one, further changes wait a random 1-5 s and then
 * go out together, and a triggered update holds the changed routes only.
 */
static void
test_triggered_suppression(void **state)
{
	static const struct {
		uint32_t random;
		rtime_t window;
	} cases[] = {
		{ 0, SEC(1) },
		{ 2 * RTIME_SEC, SEC(3) },
		{ 4 * RTIME_SEC - 1, SEC(5) - 1 },
		{ 0xffffffffu, SEC(1) + (rtime_t)(0xffffffffu % (4 * RTIME_SEC)) },
	};
	struct harness *h = *state;

	h_std(h, CONF_STD);
	for (size_t i = 0; i < nitems(cases); i++) {
		struct prefix4 a = PFX(IP(192, 168, 40 + (unsigned)i, 0), 24);
		struct prefix4 b = PFX(IP(192, 168, 50 + (unsigned)i, 0), 24);
		struct prefix4 c = PFX(IP(192, 168, 60 + (unsigned)i, 0), 24);

		h_until_periodic(h); /* >= 25 s of quiet ahead */
		h->rnd_fixed = true;
		h->rnd_value = cases[i].random;
		h_advance(h, SEC(6)); /* past any suppression window */
		size_t mark = h->n_pkts;
		rtime_t t = h->now;

		/* Quiet: the first change goes out in the very next run. */
		RESP(h, IF_ETH0, N1, E(a.addr, 24, 1));
		h_run(h);
		assert_int_equal(h_count(h, mark, IF_ETH1, CAP_TRIGGERED), 1);
		assert_int_equal(h_sent(h, mark, IF_ETH1, a), 2);
		assert_int_equal(h->pkts[h->n_pkts - 1].nrte, 1);

		/* Two more changes inside the window wait for it. */
		mark = h->n_pkts;
		h_advance_to(h, t + MS(100));
		RESP(h, IF_ETH0, N1, E(b.addr, 24, 1));
		h_run(h);
		h_advance_to(h, t + MS(200));
		RESP(h, IF_ETH0, N1, E(c.addr, 24, 3));
		h_advance_to(h, t + cases[i].window - 1);
		assert_int_equal(h->n_pkts, mark);
		h_advance_to(h, t + cases[i].window);

		/* One update per interface, with exactly b and c. */
		assert_int_equal(h_count(h, mark, IF_ETH1, -1), 1);
		assert_int_equal(h_count(h, mark, IF_ETH0, -1), 1);
		for (size_t k = mark; k < h->n_pkts; k++) {
			assert_int_equal(h->pkts[k].kind, CAP_TRIGGERED);
			assert_int_equal(h->pkts[k].when, t + cases[i].window);
			assert_int_equal(h->pkts[k].nrte, 2);
		}
		assert_int_equal(h_sent(h, mark, IF_ETH1, b), 2);
		assert_int_equal(h_sent(h, mark, IF_ETH1, c), 4);
		/* Learned on eth0: poisoned there (RFC 2453 3.4.3), triggered or not. */
		assert_int_equal(h_sent(h, mark, IF_ETH0, b), RIP_INFINITY);
		assert_int_equal(h_sent(h, mark, IF_ETH0, c), RIP_INFINITY);
		h->rnd_fixed = false;
	}
}

/*
 * RFC 2453 3.8: the update timer fires every 30 s offset by a random
 * +/- 5 s, i.e. within 25..35 s, and each regular update carries the whole
 * table.
 */
static void
test_periodic(void **state)
{
	static const struct {
		uint32_t random;
		rtime_t interval;
	} cases[] = {
		{ 0, SEC(25) },
		{ 5 * RTIME_SEC, SEC(30) },
		{ 10 * RTIME_SEC - 1, SEC(35) - 1 },
	};
	struct harness *h = *state;

	h_std(h, CONF_STD);
	for (size_t i = 0; i < nitems(cases); i++) {
		h->rnd_fixed = true;
		h->rnd_value = cases[i].random;
		h_until_periodic(h); /* the next interval is drawn here */
		rtime_t t = h->eng->next_periodic - cases[i].interval;
		assert_true(t <= h->now && h->now < t + MS(100));
		size_t mark = h->n_pkts;
		uint64_t per = h->eng->tx_periodic;
		h_advance_to(h, t + cases[i].interval - 1);
		assert_int_equal(h->eng->tx_periodic, per);
		h_advance_to(h, t + cases[i].interval);
		assert_int_equal(h->eng->tx_periodic, per + 1);
		assert_int_equal(h_count(h, mark, IF_ETH1, CAP_PERIODIC), 1);
	}
	h->rnd_fixed = false;

	/* With the harness's random source: always 25..35 s apart, whole table each time. */
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1), E(NET_Y, 24, 2));
	RESP(h, IF_ETH1, N3, E(NET_Z, 24, 1));
	h_run(h);
	h_clear(h);
	for (int i = 0; i < 20; i++) {
		h_advance(h, SEC(30));
		RESP(h, IF_ETH0, N1, E(NET_X, 24, 1), E(NET_Y, 24, 2));
		RESP(h, IF_ETH1, N3, E(NET_Z, 24, 1));
	}
	rtime_t last = 0;
	size_t n = 0;
	for (size_t k = 0; k < h->n_pkts; k++) {
		const struct cap_pkt *c = &h->pkts[k];
		if (c->kind != CAP_PERIODIC || c->ifindex != IF_ETH1)
			continue;
		if (last != 0) {
			assert_true(c->when - last >= SEC(25));
			assert_true(c->when - last < SEC(35));
		}
		last = c->when;
		/* lo's anycast, the two connected subnets, X, Y, Z (eth2 is not ours). */
		assert_int_equal(c->nrte, h->eng->rib.n_routes);
		assert_int_equal(c->nrte, 6);
		n++;
	}
	assert_true(n >= 17 && n <= 24);
	assert_int_equal(h_count(h, 0, IF_ETH1, CAP_TRIGGERED), 0);
}

/* ---------------------------------------------------------- output */

/*
 * RFC 2453 3.4.3: a route learned on eth0 goes back out on eth0 with
 * metric 16 (poisoned reverse, our default), is left out (simple split
 * horizon) or goes out normally (`no ip rip split-horizon`); on eth1 it
 * is always advertised normally.
 */
static void
test_split_horizon(void **state)
{
	static const struct {
		const char *iface_conf;
		enum rip_split_horizon sh;
		int on_eth0; /* -1: absent */
	} cases[] = {
		{ "", RIP_SH_POISONED, RIP_INFINITY },
		{ "interface eth0\n ip rip split-horizon poisoned-reverse\n", RIP_SH_POISONED,
		    RIP_INFINITY },
		{ "interface eth0\n ip rip split-horizon\n", RIP_SH_SIMPLE, -1 },
		{ "interface eth0\n no ip rip split-horizon\n", RIP_SH_NONE, 2 },
	};
	struct harness *h = *state;

	for (size_t i = 0; i < nitems(cases); i++) {
		char conf[512];
		snprintf(conf, sizeof(conf), "%s%s", CONF_STD, cases[i].iface_conf);
		rip_engine_free(h->eng);
		memset(h->ktab, 0, KTAB_SIZE * sizeof(*h->ktab));
		h->n_kernel = 0;
		h_std(h, conf);
		assert_int_equal(rip_iface_by_index(h->eng, IF_ETH0)->conf.split_horizon,
		    cases[i].sh);
		RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
		RESP(h, IF_ETH1, N3, E(NET_Y, 24, 1));
		h_until_periodic(h);
		assert_int_equal(h_sent_kind(h, 0, IF_ETH0, PFX(NET_X, 24), CAP_PERIODIC),
		    cases[i].on_eth0);
		assert_int_equal(h_sent_kind(h, 0, IF_ETH0, PFX(NET_X, 24), CAP_TRIGGERED),
		    cases[i].on_eth0);
		assert_int_equal(h_sent_kind(h, 0, IF_ETH1, PFX(NET_X, 24), CAP_PERIODIC), 2);
		/* eth1 keeps the default: its own route poisoned, eth0's normal. */
		assert_int_equal(h_sent_kind(h, 0, IF_ETH1, PFX(NET_Y, 24), CAP_PERIODIC),
		    RIP_INFINITY);
		assert_int_equal(h_sent_kind(h, 0, IF_ETH0, PFX(NET_Y, 24), CAP_PERIODIC), 2);
	}
}

/* ------------------------------------------------------ alternates */

/*
 * Two neighbours offer X: N1 at 1 (ours 2) and N2 at 2 (ours 3).  N1's
 * path is active and in the kernel; N2's is kept as a loop-free alternate
 * (RFC 5286 3.1: 2 <= our best 2) and shown as such.
 */
static rtime_t
h_two_offers(struct harness *h, bool n2_first)
{
	h_std(h, CONF_STD);
	rtime_t learned = h->now;
	if (n2_first) {
		RESP(h, IF_ETH0, N2, E(NET_X, 24, 2));
		RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	} else {
		RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
		RESP(h, IF_ETH0, N2, E(NET_X, 24, 2));
	}
	h_run(h);
	h_advance(h, SEC(6)); /* past the triggered update's suppression window */
	h_clear(h);
	return learned;
}

static void
test_alt_kept(void **state)
{
	struct harness *h = *state;
	char line[512];

	for (int order = 0; order < 2; order++) {
		rip_engine_free(h->eng);
		memset(h->ktab, 0, KTAB_SIZE * sizeof(*h->ktab));
		h->n_kernel = 0;
		h_two_offers(h, order == 1);
		struct prefix4 x = PFX(NET_X, 24);
		const struct kroute *k = h_kernel(h, x);
		assert_non_null(k);
		assert_int_equal(k->n, 1);
		assert_int_equal(k->nh[0].gw, N1);
		struct rip_route *r = h_route(h, x);
		assert_int_equal(r->metric, 2);
		struct rip_path *p2 = rib_path_find(r, RIP_ORIGIN_RIP, N2, 0);
		assert_non_null(p2);
		assert_false(p2->active);
		assert_int_equal(p2->metric, 3);

		char *json = h_show_routes(h);
		assert_true(h_show_path(json, "192.168.10.0/24", "10.0.1.3", line, sizeof(line)));
		assert_non_null(strstr(line, "\"state\":\"alternate\""));
		assert_non_null(strstr(line, "\"metric\":3"));
		assert_non_null(strstr(line, "\"installed\":false"));
		assert_true(h_show_path(json, "192.168.10.0/24", "10.0.1.2", line, sizeof(line)));
		assert_non_null(strstr(line, "\"state\":\"active\""));
		assert_non_null(strstr(line, "\"installed\":true"));
		free(json);
	}
}

/* N1 withdraws (metric 16): N2 takes over in the same call; the new metric is triggered. */
static void
test_alt_withdraw(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_two_offers(h, false);
	rtime_t t = h->now;
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 16));
	assert_int_equal(h->now, t);
	const struct kroute *k = h_kernel(h, x);
	assert_non_null(k);
	assert_int_equal(k->n, 1);
	assert_int_equal(k->nh[0].gw, N2);
	assert_int_equal(h_metric(h, x), 3);
	assert_null(rib_path_find(h_route(h, x), RIP_ORIGIN_RIP, N1, 0));
	h_run(h);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH1, x, CAP_TRIGGERED), 3);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH0, x, CAP_TRIGGERED), RIP_INFINITY);

	/* N2 withdraws too: unreachable, out of the kernel, 16 triggered. */
	h_advance(h, SEC(6));
	size_t mark = h->n_pkts;
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 16));
	assert_null(h_kernel(h, x));
	h_run(h);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, x, CAP_TRIGGERED), RIP_INFINITY);
}

/* N1 goes silent while N2 keeps refreshing: at N1's timeout N2 takes over (RFC 2453 3.8). */
static void
test_alt_timeout(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	rtime_t learned = h_two_offers(h, false);
	for (int i = 1; i <= 5; i++) {
		h_advance_to(h, learned + SEC(30) * i);
		RESP(h, IF_ETH0, N2, E(NET_X, 24, 2));
		assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	}
	h_advance_to(h, learned + SEC(180) - 1);
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	size_t mark = h->n_pkts;
	h_advance_to(h, learned + SEC(180) + MS(250));
	const struct kroute *k = h_kernel(h, x);
	assert_non_null(k);
	assert_int_equal(k->n, 1);
	assert_int_equal(k->nh[0].gw, N2);
	assert_int_equal(h_metric(h, x), 3);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, x, CAP_TRIGGERED), 3);
}

/*
 * RFC 5286 3.1 with RIP's unit cost: an offer whose advertised metric is
 * above our best may route through us and is not kept.
 */
static void
test_alt_not_loop_free(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);
	char line[512];

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1)); /* best 2 */
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 3));
	RESP(h, IF_ETH1, N3, E(NET_X, 24, 2)); /* 2 <= 2: kept */
	struct rip_route *r = h_route(h, x);
	assert_null(rib_path_find(r, RIP_ORIGIN_RIP, N2, 0));
	assert_non_null(rib_path_find(r, RIP_ORIGIN_RIP, N3, 0));
	char *json = h_show_routes(h);
	assert_false(h_show_path(json, "192.168.10.0/24", "10.0.1.3", line, sizeof(line)));
	free(json);

	/* An alternate that worsens beyond our best is dropped. */
	RESP(h, IF_ETH1, N3, E(NET_X, 24, 3));
	assert_null(rib_path_find(r, RIP_ORIGIN_RIP, N3, 0));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));

	/* With no alternate left, N1's withdrawal makes X unreachable. */
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 16));
	assert_null(h_kernel(h, x));
	assert_int_equal(h_metric(h, x), RIP_INFINITY);
}

/* eth0 goes down: N1's path goes with it and N3's alternate (on eth1) is installed at once. */
static void
test_alt_link_down(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH1, N3, E(NET_X, 24, 2));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	h_run(h);
	h_advance(h, SEC(6));
	size_t mark = h->n_pkts;
	h_link(h, IF_ETH0, "eth0", false, false);
	const struct kroute *k = h_kernel(h, x);
	assert_non_null(k);
	assert_int_equal(k->n, 1);
	assert_int_equal(k->nh[0].gw, N3);
	assert_int_equal(k->nh[0].ifindex, IF_ETH1);
	assert_int_equal(h_metric(h, x), 3);
	h_run(h);
	/* Learned on eth1 now: poisoned there; eth0's subnet is gone (RFC 2453 3.10.1). */
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, x, CAP_TRIGGERED), RIP_INFINITY);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, PFX(IP(10, 0, 1, 0), 24), CAP_TRIGGERED),
	    RIP_INFINITY);
	assert_int_equal(h_count(h, mark, IF_ETH0, -1), 0);
}

/*
 * A link flap: down drops what was learned there (RFC 2453 3.8 does not
 * wait for the timeout) and leaves the group; up joins again, asks for
 * tables and brings the subnet back.  Then the interface is deleted.
 */
static void
test_iface_flap_and_delete(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24), net0 = PFX(IP(10, 0, 1, 0), 24);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH1, N3, E(NET_X, 24, 2));
	h_run(h);
	h_advance(h, SEC(6));

	h_link(h, IF_ETH0, "eth0", false, false);
	assert_true(h_kernel_has_gw(h, x, N3, IF_ETH1));
	assert_int_equal(h_metric(h, net0), RIP_INFINITY);
	h_advance(h, SEC(6));

	size_t mark = h->n_pkts, ifen = h->n_ifen;
	h_link(h, IF_ETH0, "eth0", true, false);
	assert_int_equal(h->n_ifen, ifen + 1);
	assert_true(h->ifen[ifen].on);
	assert_true(h->n_pkts > mark);
	assert_int_equal(h->pkts[mark].command, RIP_CMD_REQUEST);
	assert_int_equal(h->pkts[mark].ifindex, IF_ETH0);
	assert_int_equal(h_metric(h, net0), 1);
	h_run(h);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, net0, CAP_TRIGGERED), 1);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));

	/* Deleted: gone from the engine, its routes and subnet with it. */
	h_advance(h, SEC(6));
	mark = h->n_pkts;
	rip_engine_link(h->eng, IF_ETH0, "eth0", false, false, true, true, h->now);
	assert_null(rip_iface_by_index(h->eng, IF_ETH0));
	assert_true(h_kernel_has_gw(h, x, N3, IF_ETH1));
	assert_false(h_kernel_has_gw(h, x, N1, IF_ETH0));
	h_advance(h, SEC(6)); /* the last triggered update may still hold the next one back */
	assert_int_equal(h_sent(h, mark, IF_ETH1, net0), RIP_INFINITY);
	uint64_t dropped = h->eng->drops[RIP_DROP_IFACE_DISABLED];
	RESP(h, IF_ETH0, N1, E(NET_Y, 24, 1));
	assert_int_equal(h->eng->drops[RIP_DROP_IFACE_DISABLED], dropped + 1);
	assert_null(h_route(h, PFX(NET_Y, 24)));

	/* The show commands still work with a neighbour on a vanished interface. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	rip_show_neighbors(h->eng, f, true, h->now);
	rip_show_interfaces(h->eng, f, true);
	rip_show_routes(h->eng, f, false, h->now);
	fclose(f);
	assert_non_null(strstr(buf, "\"address\":\"10.0.1.2\""));
	free(buf);
}

/* ------------------------------------------------------------ ECMP */

/* allow-ecmp (our default): equal offers make one kernel route with every next hop. */
static void
test_ecmp_on(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 1));
	RESP(h, IF_ETH1, N3, E(NET_X, 24, 1));
	const struct kroute *k = h_kernel(h, x);
	assert_non_null(k);
	assert_int_equal(k->n, 3);
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	assert_true(h_kernel_has_gw(h, x, N2, IF_ETH0));
	assert_true(h_kernel_has_gw(h, x, N3, IF_ETH1));
	assert_int_equal(h->n_kernel, 1);
	/* Learned over eth0 and eth1 both: poisoned reverse on both (RFC 2453 3.4.3). */
	h_run(h);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH0, x, CAP_TRIGGERED), RIP_INFINITY);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH1, x, CAP_TRIGGERED), RIP_INFINITY);

	/* Refreshes change nothing. */
	size_t installs = h->n_install;
	h_advance(h, SEC(30));
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 1));
	RESP(h, IF_ETH1, N3, E(NET_X, 24, 1));
	assert_int_equal(h->n_install, installs);

	/* N1 worsens: it leaves the set (and, 3 > 2, the alternates); the metric stays 2. */
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 3));
	k = h_kernel(h, x);
	assert_int_equal(k->n, 2);
	assert_true(h_kernel_has_gw(h, x, N2, IF_ETH0));
	assert_true(h_kernel_has_gw(h, x, N3, IF_ETH1));
	assert_null(rib_path_find(h_route(h, x), RIP_ORIGIN_RIP, N1, 0));
}

/* no allow-ecmp: one next hop, and an equal offer refreshing does not make it flap. */
static void
test_ecmp_off(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD " no allow-ecmp\n");
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 1));
	const struct kroute *k = h_kernel(h, x);
	assert_int_equal(k->n, 1);
	assert_int_equal(k->nh[0].gw, N1);
	size_t installs = h->n_install;
	for (int i = 0; i < 10; i++) {
		h_advance(h, SEC(30));
		if (i % 2)
			RESP(h, IF_ETH0, N2, E(NET_X, 24, 1));
		RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
		if (i % 2 == 0)
			RESP(h, IF_ETH0, N2, E(NET_X, 24, 1));
		k = h_kernel(h, x);
		assert_int_equal(k->n, 1);
		assert_int_equal(k->nh[0].gw, N1);
	}
	assert_int_equal(h->n_install, installs);
	/* N2 is the alternate: it takes over when N1 leaves. */
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 16));
	k = h_kernel(h, x);
	assert_non_null(k);
	assert_int_equal(k->n, 1);
	assert_int_equal(k->nh[0].gw, N2);
}

/* -------------------------------------------------------- infinity */

/*
 * RFC 2453 3.4.1 / 3.4.2: with split horizon off, a peer that echoes our
 * own advertisement back (+1 each time, as a naive neighbour whose route
 * goes through us does) makes the route count up; it must stop at 16 and
 * leave the kernel, never advertise more than 16.
 */
static void
test_count_to_infinity(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD "interface eth0\n no ip rip split-horizon\n");
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	h_until_periodic(h);
	assert_int_equal(h_sent(h, 0, IF_ETH0, x), 2);

	/* N1 loses X; N2's stale copy (learned from us, 2 + 1) arrives right after. */
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 16));
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 3));
	assert_true(h_kernel_has_gw(h, x, N2, IF_ETH0));

	int rounds = 0, last = 0;
	for (; rounds < 40; rounds++) {
		size_t mark = h->n_pkts;
		h_advance(h, SEC(6));
		int m = h_sent(h, mark, IF_ETH0, x);
		if (m < 0) {
			h_until_periodic(h);
			m = h_sent(h, mark, IF_ETH0, x);
		}
		assert_true(m >= 1 && m <= RIP_INFINITY);
		assert_true(m > last); /* it only counts up */
		last = m;
		if (m == RIP_INFINITY)
			break;
		const struct kroute *k = h_kernel(h, x);
		assert_non_null(k);
		assert_true(k->metric < RIP_INFINITY);
		/* N2 echoes: its metric is ours + 1, and it advertises that. */
		uint32_t echo = (uint32_t)m + 1 > RIP_INFINITY ? RIP_INFINITY : (uint32_t)m + 1;
		RESP(h, IF_ETH0, N2, E(NET_X, 24, echo));
	}
	assert_int_equal(last, RIP_INFINITY);
	assert_true(rounds <= 8); /* 4, 6, ..., 14, then 16 */
	assert_null(h_kernel(h, x));
	assert_int_equal(h_metric(h, x), RIP_INFINITY);
}

/* RFC 2453 3.9.2: 15 + 1 = 16 is unreachable: not installed, not even remembered. */
static void
test_metric_15_unreachable(void **state)
{
	struct harness *h = *state;

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 15), E(NET_Y, 24, 14), E(NET_Z, 24, 16));
	assert_null(h_kernel(h, PFX(NET_X, 24)));
	assert_null(h_route(h, PFX(NET_X, 24)));
	assert_null(h_route(h, PFX(NET_Z, 24)));
	assert_int_equal(h_kernel(h, PFX(NET_Y, 24))->metric, 15);
	/* The same neighbour going from 14 to 15: withdrawn. */
	RESP(h, IF_ETH0, N1, E(NET_Y, 24, 15));
	assert_null(h_kernel(h, PFX(NET_Y, 24)));
	assert_int_equal(h_metric(h, PFX(NET_Y, 24)), RIP_INFINITY);
	h_run(h);
	assert_int_equal(h_sent(h, 0, IF_ETH1, PFX(NET_Y, 24)), RIP_INFINITY);
	assert_int_equal(h_sent(h, 0, IF_ETH1, PFX(NET_X, 24)), -1);
}

/* -------------------------------------------------------- requests */

static void
h_request(struct harness *h, unsigned ifindex, uint32_t src, uint16_t port, const struct ent *e,
    size_t n)
{
	uint8_t buf[RIP_PKT_MAX];
	size_t len = h_encode(buf, sizeof(buf), RIP_CMD_REQUEST, e, n);
	h_input(h, ifindex, src, port, buf, len);
}

#define WHOLE_TABLE ENTS({ .metric = RIP_INFINITY, .afi = AFI_ZERO })

/*
 * RFC 2453 3.9.1: a whole-table request gets our table, unicast to the
 * requester's address and port, through normal output processing: the
 * receiving interface's split horizon applies whether a router (port 520)
 * or a query tool (any other port) asks.  X was learned on eth0, Y on eth1.
 */
static void
test_request_whole_table(void **state)
{
	static const struct {
		const char *iface_conf;
		uint16_t port;
		int metric_x; /* -1: absent */
	} cases[] = {
		{ "", RIP_PORT, RIP_INFINITY },
		{ "", 40000, RIP_INFINITY },
		{ "interface eth0\n ip rip split-horizon poisoned-reverse\n", 40000, RIP_INFINITY },
		{ "interface eth0\n ip rip split-horizon\n", RIP_PORT, -1 },
		{ "interface eth0\n ip rip split-horizon\n", 40000, -1 },
		{ "interface eth0\n no ip rip split-horizon\n", RIP_PORT, 2 },
		{ "interface eth0\n no ip rip split-horizon\n", 40000, 2 },
	};
	struct harness *h = *state;

	for (size_t i = 0; i < nitems(cases); i++) {
		char conf[512];
		print_message("case %zu: port %u, %s\n", i, cases[i].port, cases[i].iface_conf);
		snprintf(conf, sizeof(conf), "%s%s", CONF_STD, cases[i].iface_conf);
		rip_engine_free(h->eng);
		memset(h->ktab, 0, KTAB_SIZE * sizeof(*h->ktab));
		h->n_kernel = 0;
		h_std(h, conf);
		RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
		RESP(h, IF_ETH1, N3, E(NET_Y, 24, 2));
		h_advance(h, SEC(6));
		h_run(h);

		size_t mark = h->n_pkts, rx = h->eng->rx_requests;
		h_request(h, IF_ETH0, N2, cases[i].port, WHOLE_TABLE);
		assert_int_equal(h->eng->rx_requests, rx + 1);
		assert_int_equal(h->n_pkts, mark + 1);
		const struct cap_pkt *c = &h->pkts[mark];
		assert_int_equal(c->command, RIP_CMD_RESPONSE);
		assert_int_equal(c->kind, CAP_OTHER);
		assert_int_equal(c->ifindex, IF_ETH0);
		assert_int_equal(c->src, ME0);
		assert_int_equal(c->dst, N2);
		assert_int_equal(c->port, cases[i].port);
		assert_int_equal(c->nrte, h->eng->rib.n_routes - (cases[i].metric_x < 0));
		assert_int_equal(h_sent(h, mark, IF_ETH0, PFX(NET_X, 24)), cases[i].metric_x);
		assert_int_equal(h_sent(h, mark, IF_ETH0, PFX(NET_Y, 24)), 3);
		assert_int_equal(h_sent(h, mark, IF_ETH0, PFX(ANYCAST, 32)), 1);
		/* Answering changes nothing: no route change, no update pending. */
		assert_false(h->eng->trig_pending);
		assert_int_equal(h->n_kernel, 2);
		/* Only a router is a neighbour; a query tool's port makes none. */
		assert_true((h_nbr(h, N2) != NULL) == (cases[i].port == RIP_PORT));
	}
}

/*
 * Requests are answered only on a non-passive interface, to a source on a
 * network of the interface they arrived on; the others are counted by
 * reason (per neighbour when the sender is a router on the link) and get
 * no answer.  Responses on the passive interface are still learned.
 */
static void
test_request_refused(void **state)
{
	static const struct {
		const char *what;
		unsigned ifindex;
		uint32_t src;
		uint16_t port;
		bool whole;
		enum rip_drop reason;
		bool per_nbr;
	} cases[] = {
		{ "off-link source", IF_ETH0, IP(192, 0, 2, 50), 40000, true,
		    RIP_DROP_NOT_CONNECTED, false },
		{ "off-link source, port 520", IF_ETH0, IP(172, 31, 0, 9), RIP_PORT, true,
		    RIP_DROP_NOT_CONNECTED, false },
		{ "off-link source, specific entry", IF_ETH0, IP(192, 0, 2, 50), 40000, false,
		    RIP_DROP_NOT_CONNECTED, false },
		{ "eth1's subnet on eth0", IF_ETH0, N3, RIP_PORT, true, RIP_DROP_NOT_CONNECTED,
		    false },
		{ "passive eth1, router", IF_ETH1, N3, RIP_PORT, true, RIP_DROP_REQ_PASSIVE, true },
		{ "passive eth1, query tool", IF_ETH1, IP(10, 0, 2, 77), 40000, true,
		    RIP_DROP_REQ_PASSIVE, false },
		{ "passive eth1, specific entry", IF_ETH1, IP(10, 0, 2, 77), 40000, false,
		    RIP_DROP_REQ_PASSIVE, false },
		/* A source never heard before: a refused request makes no neighbour of it. */
		{ "loopback", IF_LO, IP(127, 0, 0, 5), RIP_PORT, true, RIP_DROP_REQ_PASSIVE, false },
	};
	struct harness *h = *state;

	h_std(h, CONF_STD " passive-interface eth1\n");
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH1, N3, E(NET_Y, 24, 1));
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N3, IF_ETH1));
	h_advance(h, SEC(6));
	for (size_t i = 0; i < nitems(cases); i++) {
		uint64_t before[RIP_DROP_COUNT], nbefore = 0, npackets = 0;
		uint64_t rx = h->eng->rx_requests;
		struct rip_neighbor *n = h_nbr(h, cases[i].src);
		size_t mark = h->n_pkts, nbrs = h->eng->n_neighbors;

		print_message("case %s\n", cases[i].what);
		memcpy(before, h->eng->drops, sizeof(before));
		if (n != NULL) {
			nbefore = n->bad_packets[cases[i].reason];
			npackets = n->packets;
		}
		if (cases[i].whole)
			h_request(h, cases[i].ifindex, cases[i].src, cases[i].port, WHOLE_TABLE);
		else
			h_request(h, cases[i].ifindex, cases[i].src, cases[i].port,
			    ENTS(E(NET_X, 24, 16)));
		h_run(h);
		assert_int_equal(h->n_pkts, mark); /* no answer */
		for (size_t r = 0; r < RIP_DROP_COUNT; r++)
			assert_int_equal(h->eng->drops[r],
			    before[r] + (r == (size_t)cases[i].reason ? 1 : 0));
		assert_int_equal(h->eng->rx_requests, rx);
		if (cases[i].per_nbr) {
			n = h_nbr(h, cases[i].src);
			assert_non_null(n);
			assert_int_equal(n->bad_packets[cases[i].reason], nbefore + 1);
			assert_int_equal(n->packets, npackets);
		} else if (n == NULL) {
			assert_int_equal(h->eng->n_neighbors, nbrs);
		}
	}
	assert_string_equal(rip_drop_name(RIP_DROP_REQ_PASSIVE), "request on a passive interface");
	assert_string_equal(rip_drop_name(RIP_DROP_NOT_CONNECTED),
	    "source not on a connected network");

	/* The same requests on eth0 (not passive, on-link) are answered. */
	size_t mark = h->n_pkts;
	h_request(h, IF_ETH0, N2, 40000, WHOLE_TABLE);
	h_request(h, IF_ETH0, N2, 40000, ENTS(E(NET_X, 24, 16)));
	assert_int_equal(h->n_pkts, mark + 2);
	/* And the passive interface still learns. */
	RESP(h, IF_ETH1, N3, E(NET_Z, 24, 1));
	assert_true(h_kernel_has_gw(h, PFX(NET_Z, 24), N3, IF_ETH1));
}

/*
 * RFC 2453 3.9.1: a request for specific entries gets them back, in order,
 * with our metric or 16 when we have no route, without split horizon.
 */
static void
test_request_specific(void **state)
{
	struct harness *h = *state;

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH1, N3, E(NET_Y, 24, 4));
	h_advance(h, SEC(6));
	size_t mark = h->n_pkts;
	h_request(h, IF_ETH0, N2, RIP_PORT, ENTS(
	    E(IP(172, 16, 0, 0), 16, 16),
	    E(NET_X, 24, 16),
	    E(NET_Y, 24, 0),
	    E(ANYCAST, 32, 16),
	    E(NET_X, 25, 16)));
	assert_int_equal(h->n_pkts, mark + 1);
	const struct cap_pkt *c = &h->pkts[mark];
	static const struct { uint32_t addr; uint8_t len; uint32_t metric; } want[] = {
		{ IP(172, 16, 0, 0), 16, RIP_INFINITY },
		{ NET_X, 24, 2 },
		{ NET_Y, 24, 5 },
		{ ANYCAST, 32, 1 },
		{ NET_X, 25, RIP_INFINITY },
	};
	assert_int_equal(c->command, RIP_CMD_RESPONSE);
	assert_int_equal(c->dst, N2);
	assert_int_equal(c->port, RIP_PORT);
	assert_int_equal(c->nrte, nitems(want));
	for (size_t i = 0; i < nitems(want); i++) {
		assert_int_equal(c->rte[i].afi, RIP_AF_INET);
		assert_int_equal(c->rte[i].addr, want[i].addr);
		assert_int_equal(c->rte[i].mask, ip4_mask(want[i].len));
		assert_int_equal(c->rte[i].metric, want[i].metric);
	}

	/*
	 * From a query tool's port: the same, as is.  X was learned on eth0,
	 * where the request came in, and still shows its metric, not the 16
	 * that split horizon with poisoned reverse puts in a whole-table
	 * answer on eth0 (test_request_whole_table).
	 */
	mark = h->n_pkts;
	h_request(h, IF_ETH0, N2, 40000, ENTS(E(NET_X, 24, 16), E(NET_Y, 24, 16)));
	assert_int_equal(h->n_pkts, mark + 1);
	c = &h->pkts[mark];
	assert_int_equal(c->port, 40000);
	assert_int_equal(c->dst, N2);
	assert_int_equal(c->nrte, 2);
	assert_int_equal(c->rte[0].addr, NET_X);
	assert_int_equal(c->rte[0].metric, 2);
	assert_int_equal(c->rte[1].addr, NET_Y);
	assert_int_equal(c->rte[1].metric, 5);
}

/* ------------------------------------------------------ life cycle */

/*
 * Shutdown: every route we advertise goes out with metric 16 on every
 * RIP interface, our kernel routes are removed, the groups are left.
 */
static void
test_shutdown(void **state)
{
	struct harness *h = *state;

	h_std(h, CONF_STD " neighbor 10.0.2.9\n default-information originate\n");
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1), E(NET_Z, 24, 3));
	RESP(h, IF_ETH1, N3, E(NET_Y, 24, 2));
	h_advance(h, SEC(6));
	assert_int_equal(h->n_kernel, 3);
	size_t mark = h->n_pkts, n_routes = h->eng->rib.n_routes;
	assert_int_equal(n_routes, 7);

	rip_engine_shutdown(h->eng, h->now);
	assert_int_equal(h->n_kernel, 0);
	assert_int_equal(h->n_bad_remove, 0);
	assert_true(h_ifen_seen(h, IF_ETH0, false));
	assert_true(h_ifen_seen(h, IF_ETH1, false));

	/* eth0 to the group; eth1 to the group and to the configured neighbour. */
	static const struct { unsigned ifindex; uint32_t dst; } dsts[] = {
		{ IF_ETH0, RIP_GROUP }, { IF_ETH1, RIP_GROUP }, { IF_ETH1, IP(10, 0, 2, 9) },
	};
	for (size_t d = 0; d < nitems(dsts); d++) {
		size_t n = 0;
		for (size_t i = mark; i < h->n_pkts; i++) {
			const struct cap_pkt *c = &h->pkts[i];
			if (c->ifindex != dsts[d].ifindex || c->dst != dsts[d].dst)
				continue;
			assert_int_equal(c->command, RIP_CMD_RESPONSE);
			for (size_t j = 0; j < c->nrte; j++)
				assert_int_equal(c->rte[j].metric, RIP_INFINITY);
			n += c->nrte;
		}
		assert_int_equal(n, n_routes);
	}
	for (size_t i = mark; i < h->n_pkts; i++)
		assert_true(h->pkts[i].ifindex == IF_ETH0 || h->pkts[i].ifindex == IF_ETH1);

	/* Nothing more after the goodbye. */
	mark = h->n_pkts;
	size_t installs = h->n_install;
	RESP(h, IF_ETH1, N3, E(IP(192, 168, 99, 0), 24, 1));
	assert_int_equal(rip_engine_run(h->eng, h->now + SEC(60)), RTIME_NEVER);
	assert_int_equal(h->n_pkts, mark);
	assert_int_equal(h->n_install, installs);
}

/*
 * Reconfiguration: dropping eth0's network disables eth0 (group left,
 * its learned routes and its subnet withdrawn); adding it back re-enables
 * it with a request.
 */
static void
test_reconf_network(void **state)
{
	struct harness *h = *state;
	const char *both = "router rip\n network 10.0.1.0/24\n network 10.0.2.0/24\n";
	const char *eth1_only = "router rip\n network 10.0.2.0/24\n";

	h_std(h, both);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH1, N3, E(NET_Y, 24, 1));
	h_advance(h, SEC(6));
	size_t mark = h->n_pkts;

	h_reconf(h, eth1_only);
	assert_false(rip_iface_by_index(h->eng, IF_ETH0)->enabled);
	assert_true(h_ifen_seen(h, IF_ETH0, false));
	assert_null(h_kernel(h, PFX(NET_X, 24)));
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N3, IF_ETH1));
	h_run(h);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, PFX(NET_X, 24), CAP_TRIGGERED), RIP_INFINITY);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, PFX(IP(10, 0, 1, 0), 24), CAP_TRIGGERED),
	    RIP_INFINITY);
	h_advance(h, SEC(40));
	assert_int_equal(h_count(h, mark, IF_ETH0, -1), 0);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_null(h_kernel(h, PFX(NET_X, 24)));

	/* Back on: joined again, asks for tables, learns. */
	size_t ifen = h->n_ifen;
	mark = h->n_pkts;
	h_reconf(h, both);
	assert_true(h->n_ifen > ifen && h->ifen[h->n_ifen - 1].on);
	assert_true(h->n_pkts > mark && h->pkts[mark].command == RIP_CMD_REQUEST &&
	    h->pkts[mark].ifindex == IF_ETH0);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_true(h_kernel_has_gw(h, PFX(NET_X, 24), N1, IF_ETH0));
	/* Learned routes survive a reload that does not concern them. */
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N3, IF_ETH1));
}

/* default-information originate adds 0.0.0.0/0 (default-metric), never in our kernel table. */
static void
test_reconf_default(void **state)
{
	struct harness *h = *state;
	struct prefix4 dflt = PFX(0, 0);

	h_std(h, CONF_STD);
	assert_null(h_route(h, dflt));
	h_reconf(h, CONF_STD " default-information originate\n default-metric 3\n");
	h_run(h);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH0, dflt, CAP_TRIGGERED), 3);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH1, dflt, CAP_TRIGGERED), 3);
	assert_null(h_kernel(h, dflt));
	/* A neighbour's default is only an alternate to ours... */
	RESP(h, IF_ETH0, N1, E(0, 0, 1));
	assert_null(h_kernel(h, dflt));
	h_advance(h, SEC(6));
	size_t mark = h->n_pkts;
	/* ...and takes over when we stop originating. */
	h_reconf(h, CONF_STD);
	assert_true(h_kernel_has_gw(h, dflt, N1, IF_ETH0));
	h_run(h);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, dflt, CAP_TRIGGERED), 2);
}

/*
 * Kernel routes of protocol static are remembered whatever the config and
 * advertised only while `redistribute static` is on (metric: its own or
 * default-metric); turning it off withdraws them with metric 16.
 */
static void
test_reconf_redistribute_static(void **state)
{
	struct harness *h = *state;
	struct prefix4 s = PFX(IP(172, 20, 0, 0), 16);
	struct prefix4 kr = PFX(IP(172, 21, 0, 0), 16);

	h_std(h, CONF_STD);
	rip_engine_kernel_route(h->eng, s, RIP_ORIGIN_STATIC, false, h->now);
	rip_engine_kernel_route(h->eng, kr, RIP_ORIGIN_KERNEL, false, h->now);
	h_until_periodic(h);
	assert_int_equal(h_sent(h, 0, IF_ETH0, s), -1);
	assert_int_equal(h_sent(h, 0, IF_ETH0, kr), -1);

	static const struct {
		const char *extra;
		int metric_s; /* -1 absent, 16 withdrawn */
	} steps[] = {
		{ " redistribute static\n", 1 },
		{ " redistribute static metric 4\n", 4 },
		{ "", RIP_INFINITY },
		{ " redistribute static\n default-metric 2\n", 2 },
	};
	for (size_t i = 0; i < nitems(steps); i++) {
		char conf[512];
		snprintf(conf, sizeof(conf), "%s%s", CONF_STD, steps[i].extra);
		h_advance(h, SEC(6));
		size_t mark = h->n_pkts;
		h_reconf(h, conf);
		h_run(h);
		assert_int_equal(h_sent_kind(h, mark, IF_ETH0, s, CAP_TRIGGERED), steps[i].metric_s);
		assert_int_equal(h_sent(h, mark, IF_ETH0, kr), -1);
		assert_null(h_kernel(h, s));
	}
	/* The kernel route going away withdraws it. */
	h_advance(h, SEC(6));
	size_t mark = h->n_pkts;
	rip_engine_kernel_route(h->eng, s, RIP_ORIGIN_STATIC, true, h->now);
	h_run(h);
	assert_int_equal(h_sent_kind(h, mark, IF_ETH0, s, CAP_TRIGGERED), RIP_INFINITY);
}

/*
 * timers basic 10 60 40 on reload: the update timer is re-armed at once
 * (10 s +/- 1/6, RFC 2453 3.8), routes time out at 60 s and are
 * forgotten 40 s later.
 */
static void
test_reconf_timers(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	h_reconf(h, "router rip\n network 10.0.0.0/8\n timers basic 10 60 40\n");
	assert_true(h->eng->next_periodic - h->now >= SEC(10) - SEC(10) / 6);
	assert_true(h->eng->next_periodic - h->now < SEC(10) + SEC(10) / 6);
	rtime_t learned = h->now;
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	h_run(h);
	h_clear(h);
	h_advance_to(h, learned + SEC(60) - 1);
	assert_non_null(h_kernel(h, x));
	size_t per = 0;
	rtime_t last = 0;
	for (size_t i = 0; i < h->n_pkts; i++) {
		const struct cap_pkt *c = &h->pkts[i];
		if (c->kind != CAP_PERIODIC || c->ifindex != IF_ETH1)
			continue;
		if (last != 0)
			assert_true(c->when - last >= SEC(10) - SEC(10) / 6 &&
			    c->when - last < SEC(10) + SEC(10) / 6);
		last = c->when;
		per++;
	}
	assert_true(per >= 5 && per <= 7);
	h_advance_to(h, learned + SEC(60) + MS(250));
	assert_null(h_kernel(h, x));
	h_advance_to(h, learned + SEC(100) - 1);
	assert_non_null(h_route(h, x));
	h_advance_to(h, learned + SEC(100) + MS(250));
	assert_null(h_route(h, x));
}

/* Someone deleted our kernel route: it is put back, the same; others are left alone. */
static void
test_kernel_route_lost(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 1));
	size_t installs = h->n_install;
	ops_route_remove(h, x); /* what `ip route del` does behind our back */
	assert_null(h_kernel(h, x));
	rip_engine_kernel_route_lost(h->eng, x, h->now);
	assert_int_equal(h->n_install, installs + 1);
	const struct kroute *k = h_kernel(h, x);
	assert_non_null(k);
	assert_int_equal(k->n, 2);
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	assert_true(h_kernel_has_gw(h, x, N2, IF_ETH0));
	assert_int_equal(k->metric, 2);

	/* Not ours to install: a connected prefix, an unknown one, a dead one. */
	rip_engine_kernel_route_lost(h->eng, PFX(IP(10, 0, 1, 0), 24), h->now);
	rip_engine_kernel_route_lost(h->eng, PFX(NET_Y, 24), h->now);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 16), E(NET_Z, 24, 1));
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 16));
	rip_engine_kernel_route_lost(h->eng, x, h->now);
	assert_null(h_kernel(h, x));
	assert_null(h_kernel(h, PFX(IP(10, 0, 1, 0), 24)));
	assert_null(h_kernel(h, PFX(NET_Y, 24)));
	assert_int_equal(h->n_kernel, 1);
}

/* ----------------------------------------------------------- scale */

/*
 * 20000 routes from one neighbour in 800 packets of 25: all installed; a
 * periodic update packs 25 entries a packet on each interface; the
 * neighbour's silence removes them all at 180 s and forgets them at 300 s.
 */
static void
test_scale(void **state)
{
	enum { N_ROUTES = 20000 };
	struct harness *h = *state;
	struct timespec t0, t1;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	h_std(h, CONF_STD);
	size_t base = h->eng->rib.n_routes;
	rtime_t learned = h->now;
	for (unsigned i = 0; i < N_ROUTES; i += RIP_MAX_RTE) {
		struct ent e[RIP_MAX_RTE];
		for (unsigned j = 0; j < RIP_MAX_RTE; j++)
			e[j] = (struct ent)E(IP(172, 16, 0, 0) + ((i + j) << 8), 24, 1 + (i + j) % 14);
		h_response(h, IF_ETH0, N1, e, RIP_MAX_RTE);
		h_run(h);
	}
	assert_int_equal(h->n_kernel, N_ROUTES);
	assert_int_equal(h->eng->rib.n_routes, base + N_ROUTES);
	assert_int_equal(h_nbr(h, N1)->routes, N_ROUTES);
	for (unsigned i = 0; i < N_ROUTES; i += 997) {
		struct prefix4 p = PFX(IP(172, 16, 0, 0) + (i << 8), 24);
		assert_true(h_kernel_has_gw(h, p, N1, IF_ETH0));
		assert_int_equal(h_kernel(h, p)->metric, 2 + i % 14);
	}

	h_clear(h);
	h_until_periodic(h);
	size_t want = (h->eng->rib.n_routes + RIP_MAX_RTE - 1) / RIP_MAX_RTE;
	assert_int_equal(want, (N_ROUTES + base + RIP_MAX_RTE - 1) / RIP_MAX_RTE);
	assert_int_equal(h_count(h, 0, IF_ETH0, CAP_PERIODIC), want);
	assert_int_equal(h_count(h, 0, IF_ETH1, CAP_PERIODIC), want);
	size_t entries = 0;
	for (size_t i = 0; i < h->n_pkts; i++)
		if (h->pkts[i].ifindex == IF_ETH1 && h->pkts[i].kind == CAP_PERIODIC)
			entries += h->pkts[i].nrte;
	assert_int_equal(entries, h->eng->rib.n_routes);

	h_clear(h);
	h_advance_to(h, learned + SEC(180) + MS(250));
	assert_int_equal(h->n_kernel, 0);
	assert_int_equal(h->n_bad_remove, 0);
	h_clear(h);
	h_advance_to(h, learned + SEC(300) + MS(500));
	assert_int_equal(h->eng->rib.n_routes, base);
	assert_int_equal(h->eng->rib.n_paths, base);

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("scale: %.3f s of CPU\n", secs);
	assert_true(secs < 2.0);
}

/* ------------------------------------------------------ regressions */

/*
 * Regression: the neighbour we route through announces the same prefix at the
 * same metric with a next hop on our subnet (RFC 2453 4.4: "the address
 * ... to which packets to the destination should be forwarded").  The
 * engine adopted the next hop in the RIB but never told the kernel:
 * rip_process_rte() overwrote the path's nexthop before
 * rib_route_select() took the "old" next hops, so it saw no change.  Fixed
 * by comparing with a fingerprint of what is installed (kernel_fp).
 */
static void
test_nexthop_change_same_neighbor(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	RESP(h, IF_ETH0, N1, ENH(NET_X, 24, 1, IP(10, 0, 1, 5)));
	struct rip_path *p = rib_route_best(h_route(h, x));
	assert_int_equal(p->nexthop, IP(10, 0, 1, 5));
	/* The kernel must follow the RIB. */
	assert_true(h_kernel_has_gw(h, x, IP(10, 0, 1, 5), IF_ETH0));
	assert_false(h_kernel_has_gw(h, x, N1, IF_ETH0));
	/* And back to "via the sender". */
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
}

/*
 * Regression: one member of an ECMP set goes away (withdrawn with metric 16,
 * timed out, or its interface goes down) while the others stay at the
 * same metric: the kernel kept the dead next hop, because the path was
 * removed before the old active set was taken.  Traffic hashed to the lost
 * neighbour would be black-holed until something else changed the route.
 */
static void
test_ecmp_member_lost(void **state)
{
	enum how { WITHDRAW, TIMEOUT, LINK_DOWN };
	static const struct {
		const char *what;
		enum how how;
		uint32_t lost;
		unsigned lost_if;
	} cases[] = {
		{ "withdrawn", WITHDRAW, N2, IF_ETH0 },
		{ "timed out", TIMEOUT, N2, IF_ETH0 },
		{ "link down", LINK_DOWN, N3, IF_ETH1 },
	};
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);
	size_t failed = 0;

	for (size_t i = 0; i < nitems(cases); i++) {
		rip_engine_free(h->eng);
		memset(h->ktab, 0, KTAB_SIZE * sizeof(*h->ktab));
		h->n_kernel = 0;
		h_std(h, CONF_STD);
		rtime_t learned = h->now;
		RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
		RESP(h, IF_ETH0, N2, E(NET_X, 24, 1));
		RESP(h, IF_ETH1, N3, E(NET_X, 24, 1));
		assert_int_equal(h_kernel(h, x)->n, 3);
		switch (cases[i].how) {
		case WITHDRAW:
			RESP(h, IF_ETH0, N2, E(NET_X, 24, 16));
			break;
		case TIMEOUT:
			for (int k = 1; k <= 5; k++) {
				h_advance_to(h, learned + SEC(30) * k);
				RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
				RESP(h, IF_ETH1, N3, E(NET_X, 24, 1));
			}
			h_advance_to(h, learned + SEC(180) + MS(250));
			break;
		case LINK_DOWN:
			h_link(h, IF_ETH1, "eth1", false, false);
			break;
		}
		/* The RIB is right... */
		assert_null(rib_path_find(h_route(h, x), RIP_ORIGIN_RIP, cases[i].lost, 0));
		assert_int_equal(h_metric(h, x), 2);
		const struct kroute *k = h_kernel(h, x);
		assert_non_null(k);
		/* ...and the kernel must follow it: two next hops, not the lost one. */
		if (h_kernel_has_gw(h, x, cases[i].lost, cases[i].lost_if) || k->n != 2) {
			print_message("%s: kernel still has %zu next hops, the lost one included\n",
			    cases[i].what, k->n);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/*
 * Regression: an entry whose next hop is unusable (multicast here) must be used
 * "as if 0.0.0.0", via the sender (RFC 2453 4.4; packet.c's comment on
 * rip_rte_check says so too).  rip_process_response() handles
 * RIP_RTE_BAD_NEXTHOP by zeroing the next hop, but rip_rte_check() returned
 * before it wrote *len_out (packet.h: only on RIP_RTE_OK), so the engine
 * went on with plen 0 and learned 192.168.8.128/0.
 */
static void
test_bad_nexthop_prefix(void **state)
{
	struct harness *h = *state;
	struct prefix4 p = PFX(IP(192, 168, 8, 128), 25);
	struct prefix4 bogus = PFX(IP(192, 168, 8, 128), 0);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, ENH(IP(192, 168, 8, 128), 25, 1, IP(224, 0, 0, 5)));
	assert_int_equal(h->eng->rte_drops[-RIP_RTE_BAD_NEXTHOP - 1], 1);
	assert_null(h_route(h, bogus));
	assert_null(h_kernel(h, bogus));
	assert_true(h_kernel_has_gw(h, p, N1, IF_ETH0));
	assert_int_equal(h_metric(h, p), 2);
}


/* ------------------------------------------------- services and BFD */

#define CONF_SVC CONF_STD "service dns\n address 10.128.224.2/32\n check tcp 127.0.0.1:53\n"

/* Responses on ifindex since mark that carry prefix p, and their send times. */
static size_t
h_sends_of(const struct harness *h, size_t mark, unsigned ifindex, struct prefix4 p,
    int metric, rtime_t *when, size_t max)
{
	size_t n = 0;
	for (size_t i = mark; i < h->n_pkts; i++) {
		const struct cap_pkt *c = &h->pkts[i];
		if (c->ifindex != ifindex || c->command != RIP_CMD_RESPONSE)
			continue;
		for (size_t j = 0; j < c->nrte; j++) {
			if (c->rte[j].addr != p.addr || c->rte[j].mask != ip4_mask(p.len) ||
			    (metric >= 0 && c->rte[j].metric != (uint32_t)metric))
				continue;
			if (n < max)
				when[n] = c->when;
			n++;
		}
	}
	return n;
}

/*
 * A service address is not connected: it is announced only through
 * rip_engine_service(), and an announcement or a withdrawal goes out at
 * once, three times 50 ms apart, even inside the 1-5 s suppression window
 * of RFC 2453 3.10.1 that holds an ordinary triggered update back.
 */
static void
test_service_urgent(void **state)
{
	struct harness *h = *state;
	struct prefix4 any = PFX(ANYCAST, 32);
	rtime_t when[8];

	h_std(h, CONF_SVC);
	h_until_periodic(h);
	assert_int_equal(h_sent(h, 0, IF_ETH0, any), -1);
	assert_null(h_route(h, any));

	/* Up: metric 1 at once, then twice more. */
	h->rnd_fixed = true;
	h->rnd_value = 4 * RTIME_SEC - 1; /* a 5 s suppression window */
	h_advance(h, SEC(6));
	size_t mark = h->n_pkts;
	rtime_t t = h->now;
	rip_engine_service(h->eng, any, 1, true, h->now);
	h_advance(h, MS(500));
	assert_int_equal(h_sends_of(h, mark, IF_ETH0, any, 1, when, 8), RIP_URGENT_SENDS);
	assert_int_equal(when[0], t);
	assert_int_equal(when[1], t + RIP_URGENT_SPACING);
	assert_int_equal(when[2], t + 2 * RIP_URGENT_SPACING);
	assert_int_equal(h_sends_of(h, mark, IF_ETH1, any, 1, when, 8), RIP_URGENT_SENDS);
	assert_null(h_kernel(h, any)); /* ours: never a kernel route */

	/* An ordinary change opens a suppression window ... */
	struct prefix4 x = PFX(NET_X, 24);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	h_run(h);
	mark = h->n_pkts;
	h_advance(h, MS(200));
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 2));
	/* ... the withdrawal ignores it; the ordinary change keeps waiting. */
	t = h->now;
	rip_engine_service(h->eng, any, 1, false, h->now);
	h_advance(h, MS(500));
	assert_int_equal(h_sends_of(h, mark, IF_ETH1, any, RIP_INFINITY, when, 8), RIP_URGENT_SENDS);
	assert_int_equal(when[0], t);
	assert_int_equal(when[2], t + 2 * RIP_URGENT_SPACING);
	assert_int_equal(h_sends_of(h, mark, IF_ETH1, x, -1, when, 8), 0);
	h_advance(h, SEC(5));
	assert_int_equal(h_sent_kind(h, mark, IF_ETH1, x, CAP_TRIGGERED), 3);
	/* The withdrawal was not sent a fourth time by the triggered update. */
	assert_int_equal(h_sends_of(h, mark, IF_ETH1, any, -1, when, 8), RIP_URGENT_SENDS);
}

/* metric 3 makes a backup: advertised 3; a reload that drops the service makes the /32 connected again. */
static void
test_service_backup_metric(void **state)
{
	struct harness *h = *state;
	struct prefix4 any = PFX(ANYCAST, 32);

	h_std(h, CONF_SVC);
	rip_engine_service(h->eng, any, 3, true, h->now);
	h_until_periodic(h);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH0, any, CAP_PERIODIC), 3);
	assert_int_equal(rib_route_best(h_route(h, any))->origin, RIP_ORIGIN_SERVICE);

	rip_engine_service(h->eng, any, 3, false, h->now);
	h_reconf(h, CONF_STD);
	h_clear(h);
	h_until_periodic(h);
	assert_int_equal(h_sent_kind(h, 0, IF_ETH0, any, CAP_PERIODIC), 1);
	assert_int_equal(rib_route_best(h_route(h, any))->origin, RIP_ORIGIN_CONNECTED);
}

/* Does prefix have a connected path (on lo) in the table? */
static bool
h_connected(struct harness *h, struct prefix4 p)
{
	struct rip_route *r = h_route(h, p);
	return r != NULL && rib_path_find(r, RIP_ORIGIN_CONNECTED, 0, IF_LO) != NULL;
}

/* Responses on ifindex since mark that carry prefix p with a usable metric (< 16). */
static size_t
h_usable_sends(const struct harness *h, size_t mark, unsigned ifindex, struct prefix4 p)
{
	rtime_t when[16];
	return h_sends_of(h, mark, ifindex, p, -1, when, 16) -
	    h_sends_of(h, mark, ifindex, p, RIP_INFINITY, when, 16);
}

/*
 * A reload that moves a service to another address (make-before-break):
 * the old address is still on lo until the withdrawal went out and its
 * removal is confirmed, but the new configuration no longer lists it.
 * Held by the services (rip_engine_service_prefix), it is never a
 * connected route meanwhile, whatever `network` covers lo.  A removed
 * service alike.  Released while still present, it is an ordinary
 * connected address.
 */
static void
test_service_prefix_held(void **state)
{
	struct harness *h = *state;
	struct prefix4 any = PFX(ANYCAST, 32), next = PFX(ANYCAST + 1, 32);

	h_std(h, CONF_SVC);
	rip_engine_service_prefix(h->eng, any, true, h->now);
	rip_engine_service(h->eng, any, 1, true, h->now);
	h_advance(h, SEC(1));
	size_t mark = h->n_pkts;

	/* SIGHUP: the configuration now says 10.128.224.3, and the glue's order follows. */
	h_reconf(h, CONF_STD "service dns\n address 10.128.224.3/32\n check tcp 127.0.0.1:53\n");
	assert_false(h_connected(h, any));
	rip_engine_service_prefix(h->eng, next, true, h->now);
	h_addr(h, IF_LO, next.addr, 32);
	assert_false(h_connected(h, next));
	rip_engine_service(h->eng, next, 1, true, h->now);
	rip_engine_service(h->eng, any, 1, false, h->now);
	/* SVCD_UNADDR_DELAY later the old address goes; a periodic update meanwhile. */
	h_until_periodic(h);
	assert_false(h_connected(h, any));
	assert_int_equal(h_usable_sends(h, mark, IF_ETH0, any), 0);
	rip_engine_addr(h->eng, IF_LO, ANYCAST, 32, true, h->now);
	rip_engine_service_prefix(h->eng, any, false, h->now);
	h_advance(h, SEC(40));
	assert_int_equal(h_usable_sends(h, mark, IF_ETH0, any), 0);
	assert_int_equal(h_sent(h, mark, IF_ETH0, any), RIP_INFINITY);
	assert_int_equal(h_sent(h, mark, IF_ETH0, next), 1);
	assert_int_equal(rib_route_best(h_route(h, next))->origin, RIP_ORIGIN_SERVICE);

	/* The service is removed by a reload: its address is held until it is gone. */
	mark = h->n_pkts;
	h_reconf(h, CONF_STD);
	rip_engine_service(h->eng, next, 1, false, h->now);
	h_advance(h, MS(150));
	assert_false(h_connected(h, next));
	rip_engine_addr(h->eng, IF_LO, next.addr, 32, true, h->now);
	rip_engine_service_prefix(h->eng, next, false, h->now);
	h_advance(h, SEC(40));
	assert_int_equal(h_usable_sends(h, mark, IF_ETH0, next), 0);
	assert_false(h_connected(h, next));

	/* Released while present (the operator's own address now): connected. */
	rip_engine_service_prefix(h->eng, next, true, h->now);
	h_addr(h, IF_LO, next.addr, 32);
	assert_false(h_connected(h, next));
	rip_engine_service_prefix(h->eng, next, false, h->now);
	assert_true(h_connected(h, next));
	/* And held again: the connected route goes at once. */
	rip_engine_service_prefix(h->eng, next, true, h->now);
	assert_false(h_connected(h, next));
}

static unsigned nbr_new_calls;
static uint32_t nbr_new_last;

static void
ops_neighbor_new(void *ctx, uint32_t addr, unsigned ifindex)
{
	(void)ctx;
	(void)ifindex;
	nbr_new_calls++;
	nbr_new_last = addr;
}

/*
 * BFD down (RFC 5882 4.3): N1's routes are invalid at once, the alternate
 * through N2 takes over in the kernel and goes out urgently; N1's responses
 * are dropped and counted until the session is up again, and then N1 is
 * asked for its table at once.
 */
static void
test_bfd_neighbor_down(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);
	rtime_t when[8];

	nbr_new_calls = 0;
	h_start(h, CONF_STD);
	h->eng->ops.neighbor_new = ops_neighbor_new;
	h_ifaces(h);
	h_settle(h);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_int_equal(nbr_new_calls, 1);
	assert_int_equal(nbr_new_last, N1);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	RESP(h, IF_ETH0, N2, E(NET_X, 24, 2));
	assert_int_equal(nbr_new_calls, 2);
	h_run(h);
	h->rnd_fixed = true;
	h->rnd_value = 4 * RTIME_SEC - 1;
	RESP(h, IF_ETH0, N1, E(NET_Y, 24, 1)); /* opens a suppression window */
	h_run(h);
	h_advance(h, MS(100));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));

	size_t mark = h->n_pkts;
	rtime_t t = h->now;
	static const struct rip_bfd_change down = { .up = false, .was_up = true };
	static const struct rip_bfd_change up = { .up = true, .was_up = false };
	assert_int_equal(rip_engine_neighbor_bfd(h->eng, N1, IF_ETH0, &down, h->now),
	    RIP_BFD_INVALIDATED);
	assert_true(h_kernel_has_gw(h, x, N2, IF_ETH0));
	assert_null(h_kernel(h, PFX(NET_Y, 24)));
	h_advance(h, MS(300));
	assert_int_equal(h_sends_of(h, mark, IF_ETH1, x, 3, when, 8), RIP_URGENT_SENDS);
	assert_int_equal(when[0], t);
	assert_int_equal(h_sends_of(h, mark, IF_ETH1, PFX(NET_Y, 24), RIP_INFINITY, when, 8),
	    RIP_URGENT_SENDS);

	/* While down, N1 is not heard. */
	uint64_t drops = h->eng->drops[RIP_DROP_BFD_DOWN];
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_int_equal(h->eng->drops[RIP_DROP_BFD_DOWN], drops + 1);
	assert_int_equal(h_nbr(h, N1)->bad_packets[RIP_DROP_BFD_DOWN], 1);
	assert_true(h_kernel_has_gw(h, x, N2, IF_ETH0));

	/* Up again: a request to N1 goes out at once, and N1 is heard. */
	mark = h->n_pkts;
	assert_int_equal(rip_engine_neighbor_bfd(h->eng, N1, IF_ETH0, &up, h->now),
	    RIP_BFD_FOLLOWED);
	bool asked = false;
	for (size_t i = mark; i < h->n_pkts; i++)
		if (h->pkts[i].command == RIP_CMD_REQUEST && h->pkts[i].dst == N1 &&
		    h->pkts[i].port == RIP_PORT && h->pkts[i].ifindex == IF_ETH0)
			asked = true;
	assert_true(asked);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	assert_int_equal(nbr_new_calls, 2);
}

/*
 * The BFD policy that lives in the engine: a neighbour that says AdminDown
 * stopped BFD on purpose (RFC 5882 3.2) and a session that was never Up
 * vouched for nothing; neither touches the neighbour's routes.
 */
static void
test_bfd_admindown_and_never_up(void **state)
{
	struct harness *h = *state;
	static const struct rip_bfd_change admin = {
		.up = false, .was_up = true, .remote_admin_down = true,
	};
	static const struct rip_bfd_change never = { .up = false, .was_up = false };
	static const struct rip_bfd_change down = { .up = false, .was_up = true };
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	assert_int_equal(rip_engine_neighbor_bfd(h->eng, N1, IF_ETH0, &admin, h->now),
	    RIP_BFD_KEPT);
	assert_int_equal(rip_engine_neighbor_bfd(h->eng, N1, IF_ETH0, &never, h->now),
	    RIP_BFD_NOTHING);
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_int_equal(h_nbr(h, N1)->bad_packets[RIP_DROP_BFD_DOWN], 0);
	/* The same neighbour failing for real loses its routes. */
	assert_int_equal(rip_engine_neighbor_bfd(h->eng, N1, IF_ETH0, &down, h->now),
	    RIP_BFD_INVALIDATED);
	assert_null(h_kernel(h, x));
	/* A neighbour that never spoke RIP: nothing to do, and none is made up. */
	size_t n_nbrs = h->eng->n_neighbors;
	assert_int_equal(rip_engine_neighbor_bfd(h->eng, N2 + 100, IF_ETH0, &down, h->now),
	    RIP_BFD_NOTHING);
	assert_int_equal(h->eng->n_neighbors, n_nbrs);
}

/*
 * A neighbour offers our own connected prefix back (r1 advertising
 * 10.128.5.0/24 to s1): kept as an alternate.  When the link goes down the
 * engine installed that alternate through the dead link before flushing
 * what was learned there (seen by the lab: "Nexthop has invalid gateway").
 */
static void
test_link_down_connected_alternate(void **state)
{
	struct harness *h = *state;
	struct prefix4 net0 = PFX(IP(10, 0, 1, 0), 24);

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(IP(10, 0, 1, 0), 24, 1));
	assert_non_null(rib_path_find(h_route(h, net0), RIP_ORIGIN_RIP, N1, 0));
	assert_null(h_kernel(h, net0));
	size_t installs = h->n_install;
	h_link(h, IF_ETH0, "eth0", false, false);
	assert_int_equal(h->n_install, installs);
	assert_null(h_kernel(h, net0));
	assert_true(h_route(h, net0) == NULL || rib_route_best(h_route(h, net0)) == NULL);
}

/* ------------------------------------------------ hostile neighbours */

/*
 * n routes 10.100.x.y/32 (first .. first + n - 1) from src, 25 to a
 * datagram, as a flooding neighbour would send them.
 */
static void
h_flood(struct harness *h, unsigned ifindex, uint32_t src, uint32_t first, size_t n,
    uint8_t metric)
{
	struct ent e[RIP_MAX_RTE];
	for (size_t done = 0; done < n;) {
		size_t k = n - done < RIP_MAX_RTE ? n - done : RIP_MAX_RTE;
		for (size_t i = 0; i < k; i++)
			e[i] = (struct ent)E(IP(10, 100, 0, 0) + (uint32_t)(first + done + i), 32,
			    metric);
		h_response(h, ifindex, src, e, k);
		done += k;
	}
}

static struct prefix4
h_flood_pfx(uint32_t i)
{
	return PFX(IP(10, 100, 0, 0) + i, 32);
}

/*
 * max-routes (BIRD's import limit): a neighbour offering more prefixes
 * than the limit gets the first ones in, the rest are dropped and counted,
 * and the daemon is told once, not per entry.  What was learned before
 * (N3's route) stays, routes already held keep refreshing, and an offer of
 * a prefix we hold already (an alternate) is no new route.
 */
static void
test_limit_max_routes(void **state)
{
	struct harness *h = *state;

	h_std(h, CONF_STD " max-routes 100\n");
	assert_int_equal(h->eng->conf.max_routes, 100);
	RESP(h, IF_ETH1, N3, E(NET_Y, 24, 1));
	h_flood(h, IF_ETH0, N1, 0, 250, 1);
	assert_int_equal(h->eng->rib.n_rip_routes, 100);
	assert_int_equal(h->eng->limit_drops[RIP_LIMIT_ROUTES], 151);
	assert_int_equal(h_nbr(h, N1)->limit_drops[RIP_LIMIT_ROUTES], 151);
	assert_int_equal(h->limit_hits[RIP_LIMIT_ROUTES], 1);
	assert_int_equal(h->limit_nbr[RIP_LIMIT_ROUTES], 0);
	assert_int_equal(h->limit_value[RIP_LIMIT_ROUTES], 100);
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N3, IF_ETH1));
	/* 99 of N1's and N3's: the kernel holds exactly what the limit allows. */
	assert_int_equal(h->n_kernel, 100);
	assert_null(h_kernel(h, h_flood_pfx(200)));

	/* The flood goes on: counted, not reported again. */
	h_flood(h, IF_ETH0, N1, 250, 100, 1);
	assert_int_equal(h->limit_hits[RIP_LIMIT_ROUTES], 1);
	assert_int_equal(h->eng->limit_drops[RIP_LIMIT_ROUTES], 251);
	/* N2 offers prefixes N1 gave us: alternates of held routes, not new routes. */
	h_flood(h, IF_ETH0, N2, 0, 10, 1);
	assert_int_equal(h->eng->limit_drops[RIP_LIMIT_ROUTES], 251);
	assert_non_null(rib_path_find(h_route(h, h_flood_pfx(5)), RIP_ORIGIN_RIP, N2, 0));

	/* N1 keeps refreshing what it has: it never times out. */
	for (int i = 0; i < 10; i++) {
		h_advance(h, SEC(30));
		h_flood(h, IF_ETH0, N1, 0, 99, 1);
		RESP(h, IF_ETH1, N3, E(NET_Y, 24, 1));
	}
	assert_int_equal(h->eng->rib.n_rip_routes, 100);
	assert_true(h_kernel_has_gw(h, h_flood_pfx(98), N1, IF_ETH0));
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N3, IF_ETH1));
	assert_string_equal(rip_limit_name(RIP_LIMIT_ROUTES), "max-routes reached");

	/* Room again (N1's routes time out), then full again: reported a second time. */
	h_advance(h, SEC(200));
	assert_true(h->eng->rib.n_rip_routes < 100);
	h_until_periodic(h);
	h_flood(h, IF_ETH0, N1, 1000, 150, 1);
	assert_int_equal(h->limit_hits[RIP_LIMIT_ROUTES], 2);
}

/*
 * max-routes N per-neighbor: one neighbour cannot take the whole table;
 * another still gets its new routes in.  Reported once per neighbour.
 */
static void
test_limit_per_neighbor(void **state)
{
	struct harness *h = *state;

	h_std(h, CONF_STD " max-routes 100\n max-routes 40 per-neighbor\n");
	assert_int_equal(h->eng->conf.max_routes_neighbor, 40);
	h_flood(h, IF_ETH0, N1, 0, 90, 1);
	assert_int_equal(h_nbr(h, N1)->n_paths, 40);
	assert_int_equal(h_nbr(h, N1)->limit_drops[RIP_LIMIT_NEIGHBOR], 50);
	assert_int_equal(h->eng->limit_drops[RIP_LIMIT_NEIGHBOR], 50);
	assert_int_equal(h->limit_hits[RIP_LIMIT_NEIGHBOR], 1);
	assert_int_equal(h->limit_nbr[RIP_LIMIT_NEIGHBOR], N1);
	h_flood(h, IF_ETH0, N1, 90, 30, 1);
	assert_int_equal(h->limit_hits[RIP_LIMIT_NEIGHBOR], 1);

	/* N3 is not held back by N1's flood. */
	h_flood(h, IF_ETH1, N3, 500, 30, 1);
	assert_int_equal(h_nbr(h, N3)->n_paths, 30);
	assert_int_equal(h_nbr(h, N3)->limit_drops[RIP_LIMIT_NEIGHBOR], 0);
	assert_true(h_kernel_has_gw(h, h_flood_pfx(529), N3, IF_ETH1));
	assert_int_equal(h->eng->rib.n_rip_routes, 70);
	/* A path that goes (withdrawn) makes room for one more. */
	RESP(h, IF_ETH0, N1, E(IP(10, 100, 0, 0), 32, RIP_INFINITY));
	assert_int_equal(h_nbr(h, N1)->n_paths, 39);
	h_flood(h, IF_ETH0, N1, 700, 1, 1);
	assert_int_equal(h_nbr(h, N1)->n_paths, 40);
	assert_true(h_kernel_has_gw(h, h_flood_pfx(700), N1, IF_ETH0));

	/* show neighbors says it. */
	char *txt = NULL;
	size_t tlen = 0;
	FILE *f = open_memstream(&txt, &tlen);
	rip_show_neighbors(h->eng, f, false, h->now);
	fclose(f);
	assert_non_null(strstr(txt, "dropped routes max-routes per-neighbor reached: 80"));
	assert_non_null(strstr(txt, "40 held"));
	free(txt);
}

/*
 * RIP_MAX_PATHS offers of one prefix: 2000 forged sources made 2M paths
 * for 1000 prefixes.  Beyond 16 an equal or worse offer is dropped and
 * counted; a better one replaces the worst.
 */
static void
test_limit_paths(void **state)
{
	struct harness *h = *state;
	struct prefix4 x = PFX(NET_X, 24);

	h_std(h, CONF_STD);
	for (uint32_t i = 0; i < 40; i++)
		RESP(h, IF_ETH0, IP(10, 0, 1, 10 + i), E(NET_X, 24, 3));
	assert_int_equal(h_route(h, x)->n_rip, RIP_MAX_PATHS);
	assert_int_equal(h->eng->rib.n_rip_paths, RIP_MAX_PATHS);
	assert_int_equal(h->eng->limit_drops[RIP_LIMIT_PATHS], 40 - RIP_MAX_PATHS);
	assert_int_equal(h->limit_hits[RIP_LIMIT_PATHS], 1);
	assert_int_equal(h_kernel(h, x)->n, RIP_MAX_PATHS);
	/* A better offer gets in (and the others, no longer loop-free, go). */
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	assert_true(h_kernel_has_gw(h, x, N1, IF_ETH0));
	assert_int_equal(h_kernel(h, x)->n, 1);
	assert_true(h_route(h, x)->n_rip <= RIP_MAX_PATHS);
	assert_int_equal(h->eng->limit_drops[RIP_LIMIT_PATHS], 40 - RIP_MAX_PATHS);
	/* The neighbours' path counts follow paths removed inside rib_route_select. */
	size_t held = 0;
	for (struct rip_neighbor *n = h->eng->neighbors; n != NULL; n = n->next)
		held += n->n_paths;
	assert_int_equal(held, h->eng->rib.n_rip_paths);
}

/*
 * A neighbour that sends nothing valid for the route timeout is forgotten
 * once its routes are gone (the daemon stops its BFD session); so forged
 * sources that filled the table leave it, and a router that comes later
 * becomes a neighbour (and gets BFD).
 */
static void
test_neighbor_expiry(void **state)
{
	struct harness *h = *state;

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	h_request(h, IF_ETH0, N2, RIP_PORT, WHOLE_TABLE);
	assert_non_null(h_nbr(h, N1));
	assert_non_null(h_nbr(h, N2));
	h_advance(h, SEC(179));
	assert_non_null(h_nbr(h, N2));
	h_advance(h, SEC(2));
	/* N2 only asked: gone at the timeout.  N1's route timed out with it. */
	assert_null(h_nbr(h, N2));
	assert_null(h_nbr(h, N1));
	assert_int_equal(h->n_gone, 2);
	assert_int_equal(h->eng->neighbors_expired, 2);
	assert_null(h_kernel(h, PFX(NET_X, 24)));

	/* Forged sources fill the table with valid requests from port 520. */
	size_t gone = h->n_gone;
	for (uint32_t i = 0; i < RIP_MAX_NEIGHBORS; i++) {
		uint32_t src = i < 200 ? IP(10, 0, 1, 20 + i) : IP(10, 0, 2, 20 + i - 200);
		h_request(h, i < 200 ? IF_ETH0 : IF_ETH1, src, RIP_PORT,
		    ENTS(E(NET_Z, 24, 16)));
		h_advance(h, MS(100));
	}
	assert_int_equal(h->eng->n_neighbors, RIP_MAX_NEIGHBORS);
	/* A real router now: routed, but no room for it as a neighbour. */
	RESP(h, IF_ETH0, N1, E(NET_Y, 24, 1));
	assert_null(h_nbr(h, N1));
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N1, IF_ETH0));
	/* The forged ones expire; N1 keeps talking and becomes a neighbour. */
	for (int i = 0; i < 8; i++) {
		h_advance(h, SEC(30));
		RESP(h, IF_ETH0, N1, E(NET_Y, 24, 1));
	}
	assert_int_equal(h->n_gone, gone + RIP_MAX_NEIGHBORS);
	assert_non_null(h_nbr(h, N1));
	assert_int_equal(h->eng->n_neighbors, 1);
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N1, IF_ETH0));
}

/*
 * Requests per source: RIP_REQ_BURST answered at once, the next refused
 * and counted, one more per RIP_REQ_INTERVAL.  Thousands of forged sources
 * get no more than a slot each plus one shared bucket.  Answers are marked
 * RIP_SEND_REPLY (they queue behind our updates, io.h); updates are not.
 */
static void
test_request_rate_limit(void **state)
{
	struct harness *h = *state;

	h_std(h, CONF_STD);
	RESP(h, IF_ETH0, N1, E(NET_X, 24, 1));
	h_advance(h, SEC(6));
	size_t mark = h->n_pkts;
	for (int i = 0; i < RIP_REQ_BURST + 3; i++)
		h_request(h, IF_ETH0, N2, RIP_PORT, WHOLE_TABLE);
	assert_int_equal(h_count(h, mark, IF_ETH0, -1), RIP_REQ_BURST);
	assert_int_equal(h->eng->drops[RIP_DROP_REQ_RATE], 3);
	assert_int_equal(h_nbr(h, N2)->bad_packets[RIP_DROP_REQ_RATE], 3);
	for (size_t i = mark; i < h->n_pkts; i++)
		assert_true(h->pkts[i].flags & RIP_SEND_REPLY);
	/* Another source is not held back by N2. */
	mark = h->n_pkts;
	h_request(h, IF_ETH0, IP(10, 0, 1, 40), 40000, WHOLE_TABLE);
	assert_int_equal(h_count(h, mark, IF_ETH0, -1), 1);
	/* One more per interval. */
	h_advance(h, RIP_REQ_INTERVAL);
	mark = h->n_pkts;
	h_request(h, IF_ETH0, N2, RIP_PORT, WHOLE_TABLE);
	h_request(h, IF_ETH0, N2, RIP_PORT, WHOLE_TABLE);
	assert_int_equal(h_count(h, mark, IF_ETH0, -1), 1);
	assert_string_equal(rip_drop_name(RIP_DROP_REQ_RATE), "request rate limit");

	/* 5000 forged sources on a /16 of eth0, one request each. */
	h_addr(h, IF_ETH0, IP(10, 1, 0, 1), 16);
	mark = h->n_pkts;
	uint64_t dropped = h->eng->drops[RIP_DROP_REQ_RATE];
	for (uint32_t i = 0; i < 5000; i++)
		h_request(h, IF_ETH0, IP(10, 1, 0, 0) + 2 + i, 40000, WHOLE_TABLE);
	size_t answered = h_count(h, mark, IF_ETH0, -1);
	assert_true(answered <= RIP_REQ_SLOTS + RIP_REQ_BURST);
	assert_int_equal(h->eng->drops[RIP_DROP_REQ_RATE] - dropped, 5000 - answered);

	/* Our own updates are not answers. */
	h_clear(h);
	h_until_periodic(h);
	assert_true(h_count(h, 0, IF_ETH0, CAP_PERIODIC) > 0);
	for (size_t i = 0; i < h->n_pkts; i++)
		if (h->pkts[i].kind == CAP_PERIODIC)
			assert_false(h->pkts[i].flags & RIP_SEND_REPLY);
}

/*
 * ip rip ttl-security (GTSM, RFC 5082): on eth0 only TTL 255 is accepted
 * (anything else dropped and counted, against a known neighbour too), and
 * everything sent there is marked for TTL 255; eth1 is unchanged.
 */
static void
test_ttl_security(void **state)
{
	struct harness *h = *state;
	uint8_t buf[RIP_PKT_MAX];
	struct ent e = E(NET_X, 24, 1);
	size_t len = h_encode(buf, sizeof(buf), RIP_CMD_RESPONSE, &e, 1);

	h_std(h, CONF_STD "interface eth0\n ip rip ttl-security\n");
	rip_engine_input(h->eng, IF_ETH0, N1, RIP_PORT, RIP_GROUP, 64, buf, len, h->now);
	rip_engine_input(h->eng, IF_ETH0, N1, RIP_PORT, RIP_GROUP, 1, buf, len, h->now);
	rip_engine_input(h->eng, IF_ETH0, N1, RIP_PORT, RIP_GROUP, -1, buf, len, h->now);
	assert_int_equal(h->eng->drops[RIP_DROP_TTL], 3);
	assert_null(h_kernel(h, PFX(NET_X, 24)));
	assert_null(h_nbr(h, N1));
	rip_engine_input(h->eng, IF_ETH0, N1, RIP_PORT, RIP_GROUP, 255, buf, len, h->now);
	assert_true(h_kernel_has_gw(h, PFX(NET_X, 24), N1, IF_ETH0));
	rip_engine_input(h->eng, IF_ETH0, N1, RIP_PORT, RIP_GROUP, 254, buf, len, h->now);
	assert_int_equal(h_nbr(h, N1)->bad_packets[RIP_DROP_TTL], 1);
	assert_int_equal(h->eng->drops[RIP_DROP_TTL], 4);
	/* eth1 has no ttl-security: TTL 1 is fine there. */
	RESP(h, IF_ETH1, N3, E(NET_Y, 24, 1));
	assert_true(h_kernel_has_gw(h, PFX(NET_Y, 24), N3, IF_ETH1));
	assert_string_equal(rip_drop_name(RIP_DROP_TTL), "TTL not 255");

	h_clear(h);
	h_until_periodic(h);
	assert_true(h_count(h, 0, IF_ETH0, CAP_PERIODIC) > 0);
	assert_true(h_count(h, 0, IF_ETH1, CAP_PERIODIC) > 0);
	for (size_t i = 0; i < h->n_pkts; i++)
		assert_int_equal((h->pkts[i].flags & RIP_SEND_TTL255) != 0,
		    h->pkts[i].ifindex == IF_ETH0);
}

/* The new statements parse, print in canonical form and refuse bad values. */
static void
test_limit_conf(void **state)
{
	static const struct {
		const char *text;
		bool ok;
		uint32_t max, per;
		bool ttl;
	} cases[] = {
		{ "router rip\n", true, RIP_CONF_MAX_ROUTES, 0, false },
		{ "router rip\n max-routes 5000\n", true, 5000, 0, false },
		{ "router rip\n max-routes 300 per-neighbor\n", true, RIP_CONF_MAX_ROUTES, 300,
		    false },
		{ "router rip\n max-routes 300 per-neighbor\n no max-routes per-neighbor\n", true,
		    RIP_CONF_MAX_ROUTES, 0, false },
		{ "router rip\n max-routes 7\n no max-routes 7\n", true, RIP_CONF_MAX_ROUTES, 0,
		    false },
		{ "router rip\ninterface eth0\n ip rip ttl-security\n", true, RIP_CONF_MAX_ROUTES,
		    0, true },
		{ "router rip\ninterface eth0\n ip rip ttl-security\n no ip rip ttl-security\n",
		    true, RIP_CONF_MAX_ROUTES, 0, false },
		{ "router rip\n max-routes 0\n", false, 0, 0, false },
		{ "router rip\n max-routes many\n", false, 0, 0, false },
		{ "router rip\n max-routes 10 per-peer\n", false, 0, 0, false },
		{ "router rip\n max-routes per-neighbor\n", false, 0, 0, false },
		{ "router rip\n max-routes 10000001\n", false, 0, 0, false },
		{ "router rip\ninterface eth0\n ip rip ttl-security 254\n", false, 0, 0, false },
	};
	(void)state;
	for (size_t i = 0; i < nitems(cases); i++) {
		struct riposted_conf rc, again;
		char err[256] = "", *txt = NULL;
		size_t tlen = 0;

		print_message("case %zu\n", i);
		int rc1 = riposted_conf_parse_buf("t", cases[i].text, strlen(cases[i].text), &rc,
		    err, sizeof(err));
		assert_int_equal(rc1 == 0, cases[i].ok);
		if (!cases[i].ok) {
			assert_true(strlen(err) > 0);
			continue;
		}
		assert_int_equal(rc.rip.max_routes, cases[i].max);
		assert_int_equal(rc.rip.max_routes_neighbor, cases[i].per);
		struct rip_conf_iface ifc = rip_conf_iface_get(&rc.rip, "eth0");
		assert_int_equal(ifc.ttl_security, cases[i].ttl);
		/* --print parses back to the same. */
		FILE *f = open_memstream(&txt, &tlen);
		riposted_conf_print(f, &rc);
		fclose(f);
		assert_int_equal(riposted_conf_parse_buf("p", txt, tlen, &again, err, sizeof(err)), 0);
		assert_int_equal(again.rip.max_routes, cases[i].max);
		assert_int_equal(again.rip.max_routes_neighbor, cases[i].per);
		assert_int_equal(rip_conf_iface_get(&again.rip, "eth0").ttl_security, cases[i].ttl);
		free(txt);
		riposted_conf_free(&rc);
		riposted_conf_free(&again);
	}
}

/*
 * The RIB's hash is keyed: two engines started with different random
 * sources put the same prefixes in different buckets (so iterate them in a
 * different order), and lookups work whatever the key.
 */
static void
test_rib_keyed(void **state)
{
	struct siphash_key k1 = { 1, 2 }, k2 = { 3, 4 };
	struct rib a, b;
	struct rib_iter it;
	(void)state;

	assert_int_equal(rib_init(&a, &k1), 0);
	assert_int_equal(rib_init(&b, &k2), 0);
	for (uint32_t i = 0; i < 5000; i++) {
		assert_non_null(rib_get(&a, PFX(IP(10, 0, 0, 0) + (i << 8), 24), 0));
		assert_non_null(rib_get(&b, PFX(IP(10, 0, 0, 0) + (i << 8), 24), 0));
	}
	for (uint32_t i = 0; i < 5000; i++)
		assert_non_null(rib_lookup(&b, PFX(IP(10, 0, 0, 0) + (i << 8), 24)));
	assert_null(rib_lookup(&a, PFX(IP(10, 0, 0, 0), 25)));
	size_t same = 0, n = 0;
	struct rib_iter jt;
	struct rip_route *rb = rib_first(&b, &jt);
	for (struct rip_route *ra = rib_first(&a, &it); ra != NULL; ra = rib_next(&a, &it)) {
		same += rb != NULL && prefix4_equal(ra->prefix, rb->prefix);
		rb = rb != NULL ? rib_next(&b, &jt) : NULL;
		n++;
	}
	assert_int_equal(n, 5000);
	assert_true(same < 100);
	/* No bucket is much longer than the load factor allows. */
	size_t longest = 0;
	for (size_t i = 0; i < a.n_buckets; i++) {
		size_t len = 0;
		for (struct rip_route *r = a.buckets[i]; r != NULL; r = r->hnext)
			len++;
		if (len > longest)
			longest = len;
	}
	assert_true(longest < 12);
	rib_free(&a);
	rib_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)
		T(test_iface_enable),
		T(test_iface_passive),
		T(test_iface_loopback_anycast),
		T(test_learn_install),
		T(test_learn_drops),
		T(test_learn_size_limit),
		T(test_learn_bad_entries),
		T(test_timeout_gc),
		T(test_timeout_refresh),
		T(test_triggered_suppression),
		T(test_periodic),
		T(test_split_horizon),
		T(test_alt_kept),
		T(test_alt_withdraw),
		T(test_alt_timeout),
		T(test_alt_not_loop_free),
		T(test_alt_link_down),
		T(test_iface_flap_and_delete),
		T(test_ecmp_on),
		T(test_ecmp_off),
		T(test_count_to_infinity),
		T(test_metric_15_unreachable),
		T(test_request_whole_table),
		T(test_request_specific),
		T(test_request_refused),
		T(test_shutdown),
		T(test_reconf_network),
		T(test_reconf_default),
		T(test_reconf_redistribute_static),
		T(test_reconf_timers),
		T(test_kernel_route_lost),
		T(test_scale),
		T(test_nexthop_change_same_neighbor),
		T(test_ecmp_member_lost),
		T(test_bad_nexthop_prefix),
		T(test_service_urgent),
		T(test_service_backup_metric),
		T(test_service_prefix_held),
		T(test_bfd_neighbor_down),
		T(test_link_down_connected_alternate),
		T(test_bfd_admindown_and_never_up),
		T(test_limit_max_routes),
		T(test_limit_per_neighbor),
		T(test_limit_paths),
		T(test_neighbor_expiry),
		T(test_request_rate_limit),
		T(test_ttl_security),
		T(test_limit_conf),
		T(test_rib_keyed),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
