/*
 * glue.c - the adapters between riposted's modules (daemon.h): the RIP
 * engine's operations (send, kernel routes, interfaces), the socket's
 * input, the kernel monitor, BFD and the services.  Every callback gets
 * the struct daemon through its ctx pointer.  The decisions live in the
 * modules (rip/proto.c decides what a BFD change means, netlink/kr.c who
 * owns a kernel route); here they are only carried to the next module,
 * logged, and wrapped in one kernel batch per event (glue_begin/glue_end).
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfd/bfd.h"
#include "health/services.h"
#include "health/svcconf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/sdnotify.h"
#include "netlink/kr.h"
#include "rip/io.h"
#include "rip/proto.h"
#include "riposted/daemon.h"

/* ------------------------------------------------------------ engine glue */

static void
daemon_kick(struct daemon *d)
{
	rtime_t now = clock_mono_now();
	rtime_t next = rip_engine_run(d->eng, now);
	ev_timer_stop(d->loop, &d->timer);
	if (next == RTIME_NEVER)
		return;
	double after = next > now ? (double)(next - now) / 1e6 : 0.;
	ev_timer_set(&d->timer, after, 0.);
	ev_timer_start(d->loop, &d->timer);
}

/*
 * Every event that may change routes: collect the kernel changes in one
 * netlink batch, run the engine's due timers (triggered updates) at the
 * end, then send the batch.
 */
static void
glue_begin(struct daemon *d)
{
	kr_batch_begin(d->kr);
}

static void
glue_end(struct daemon *d)
{
	daemon_kick(d);
	kr_batch_end(d->kr);
}

static void
daemon_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;

	glue_begin(d);
	glue_end(d);
}

static void
ops_send(void *ctx, unsigned ifindex, uint32_t src, uint32_t dst, uint16_t port,
    const uint8_t *buf, size_t len, unsigned flags)
{
	struct daemon *d = ctx;

	rip_io_send(d->io, ifindex, src, dst, port, buf, len,
	    ((flags & RIP_SEND_REPLY) ? RIP_IO_REPLY : 0) |
	    ((flags & RIP_SEND_TTL255) ? RIP_IO_TTL255 : 0));
}

static void
ops_route_install(void *ctx, struct prefix4 prefix, const struct rip_nexthop *nh, size_t n,
    uint8_t metric)
{
	struct daemon *d = ctx;
	struct kr_nexthop knh[RIP_MAX_ECMP];

	for (size_t i = 0; i < n && i < RIP_MAX_ECMP; i++) {
		knh[i].gateway = nh[i].gw;
		knh[i].ifindex = nh[i].ifindex;
	}
	kr_route_change(d->kr, prefix, knh, n, metric);
}

static void
ops_route_remove(void *ctx, struct prefix4 prefix)
{
	struct daemon *d = ctx;

	kr_route_delete(d->kr, prefix);
}

static void
ops_iface_enable(void *ctx, unsigned ifindex, bool on)
{
	struct daemon *d = ctx;

	rip_io_join(d->io, ifindex, on);
}

static uint32_t
ops_random(void *ctx)
{
	return arc4random();
}

/* Key lifetimes and RFC 4822 sequence numbers are wall-clock time. */
static int64_t
ops_wallclock(void *ctx)
{
	return (int64_t)time(NULL);
}

/* ------------------------------------------------------------- BFD glue */

static void
bfd_event_cb(void *arg, const struct bfd_event *ev)
{
	struct daemon *d = arg;
	struct rip_bfd_change change = {
		.up = ev->to == BFD_STATE_UP,
		.was_up = ev->from == BFD_STATE_UP,
		.remote_admin_down = ev->remote_state == BFD_STATE_ADMINDOWN,
	};
	char peer[IP4_STRLEN], ifname[IF_NAMESIZE];
	enum rip_bfd_effect effect;

	if (if_indextoname(ev->ifindex, ifname) == NULL)
		snprintf(ifname, sizeof(ifname), "#%u", ev->ifindex);
	ip4_ntop(ev->peer, peer);
	glue_begin(d);
	effect = rip_engine_neighbor_bfd(d->eng, ev->peer, ev->ifindex, &change,
	    clock_mono_now());
	glue_end(d);
	/*
	 * One line per transition, rate-limited: a neighbour (or a forger,
	 * where BFD is not authenticated) can make a session flap as often
	 * as it likes, and the log must survive that.
	 */
	rtime_t now = clock_mono_now();
	switch (effect) {
	case RIP_BFD_FOLLOWED:
		log_rl(&d->bfd_log_rl, now, LOG_LVL_INFO, "bfd %s on %s: %s -> up", peer, ifname,
		    bfd_state_name(ev->from));
		break;
	case RIP_BFD_INVALIDATED:
		log_rl(&d->bfd_log_rl, now, LOG_LVL_WARN, "bfd %s on %s: up -> %s (%s): its routes "
		    "are invalid now", peer, ifname, bfd_state_name(ev->to),
		    bfd_diag_name(ev->diag));
		break;
	case RIP_BFD_KEPT:
		log_rl(&d->bfd_log_rl, now, LOG_LVL_INFO, "bfd %s on %s: up -> %s (the neighbour "
		    "stopped BFD; its routes stay until RIP says otherwise)", peer, ifname,
		    bfd_state_name(ev->to));
		break;
	case RIP_BFD_NOTHING:
		log_debug("bfd %s on %s: %s -> %s", peer, ifname, bfd_state_name(ev->from),
		    bfd_state_name(ev->to));
		break;
	}
}

/* Start (or retime) BFD with this neighbour if its interface wants it. */
static void
bfd_neighbor(struct daemon *d, uint32_t addr, unsigned ifindex)
{
	char peer[IP4_STRLEN], ifname[IF_NAMESIZE];
	struct bfd_iface_conf bc;
	uint32_t local;

	if (d->bfd == NULL || !rip_engine_neighbor_wants_bfd(d->eng, ifindex, &local))
		return;
	if (if_indextoname(ifindex, ifname) == NULL)
		return;
	bc = riposted_conf_bfd_iface(&d->conf, ifname);
	if (bfd_mgr_add(d->bfd, addr, local, ifindex, bc.interval_ms * 1000u, bc.mult,
	    &bc.auth) != 0)
		log_warn("bfd %s on %s: cannot start a session", ip4_ntop(addr, peer), ifname);
}

static void
ops_neighbor_new(void *ctx, uint32_t addr, unsigned ifindex)
{
	bfd_neighbor(ctx, addr, ifindex);
}

/* A neighbour the engine forgot (nothing valid for the route timeout): its BFD session goes too. */
static void
ops_neighbor_gone(void *ctx, uint32_t addr, unsigned ifindex)
{
	struct daemon *d = ctx;
	char peer[IP4_STRLEN];
	/* Forged sources expire by the hundred: a few lines, then a count. */
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(5);

	log_rl(&rl, clock_mono_now(), LOG_LVL_INFO,
	    "rip: neighbour %s expired (nothing valid heard for the route timeout)",
	    ip4_ntop(addr, peer));
	if (d->bfd != NULL)
		bfd_mgr_remove(d->bfd, addr, ifindex);
}

/* Called once per episode by the engine (proto.h rip_ops.limit_hit). */
static void
ops_limit_hit(void *ctx, enum rip_limit which, uint32_t neighbor, uint32_t limit)
{
	char peer[IP4_STRLEN];

	if (which == RIP_LIMIT_ROUTES)
		log_warnx("rip: max-routes %u reached: new routes are dropped (counted in show "
		    "status) until there is room", limit);
	else if (which == RIP_LIMIT_NEIGHBOR)
		log_warnx("rip: neighbour %s reached max-routes %u per-neighbor: its new routes "
		    "are dropped (show neighbors)", neighbor != 0 ? ip4_ntop(neighbor, peer) :
		    "(others)", limit);
	else
		log_warnx("rip: a prefix offered by %s already has %u paths: offers no better "
		    "than the worst are dropped", ip4_ntop(neighbor, peer), limit);
}

/* After start and every reload: BFD where configured, nowhere else. */
static void
bfd_apply_config(struct daemon *d)
{
	bool want = false;
	for (size_t i = 0; i < d->eng->conf.n_ifaces; i++)
		if (d->eng->conf.ifaces[i].bfd)
			want = true;
	if (want && d->bfd == NULL) {
		d->bfd = bfd_mgr_open(d->loop, BFD_PORT, bfd_event_cb, d);
		if (d->bfd == NULL) {
			log_warn("bfd: cannot open UDP port %d, BFD stays off", BFD_PORT);
			return;
		}
	}
	if (d->bfd == NULL)
		return;
	/* The sessions' keys (RFC 5880 6.7): the manager's own copy, by chain name. */
	if (bfd_mgr_keychains(d->bfd, &d->conf.keychains) != 0)
		log_warn("bfd: cannot take the new key chains, the old ones stay");
	for (struct rip_iface *ifp = d->eng->ifaces; ifp != NULL; ifp = ifp->next)
		if (!ifp->conf.bfd)
			bfd_mgr_remove_iface(d->bfd, ifp->ifindex);
	for (struct rip_neighbor *n = d->eng->neighbors; n != NULL; n = n->next)
		bfd_neighbor(d, n->addr, n->ifindex);
}

/* ---------------------------------------------------------- services glue */

static void
svc_announce(void *ctx, struct prefix4 prefix, uint8_t metric, bool up)
{
	struct daemon *d = ctx;

	glue_begin(d);
	rip_engine_service(d->eng, prefix, metric, up, clock_mono_now());
	glue_end(d);
}

static void
svc_hold(void *ctx, struct prefix4 prefix, bool held)
{
	struct daemon *d = ctx;

	glue_begin(d);
	rip_engine_service_prefix(d->eng, prefix, held, clock_mono_now());
	glue_end(d);
}

static int
svc_address(void *ctx, const char *ifname, struct prefix4 prefix, bool add)
{
	struct daemon *d = ctx;
	char buf[PFX4_STRLEN];
	unsigned ifindex = if_nametoindex(ifname);

	if (ifindex == 0) {
		log_warn("service address %s: interface %s", prefix4_ntop(prefix, buf), ifname);
		return -1;
	}
	int rc = add ? kr_addr_add(d->kr, ifindex, prefix.addr, prefix.len) :
	    kr_addr_delete(d->kr, ifindex, prefix.addr, prefix.len);
	if (rc != 0) {
		/* Already there (added by hand, or left by a riposted that crashed) is fine. */
		if (add && errno == EEXIST)
			return 0;
		if (!add && errno == EADDRNOTAVAIL)
			return 0;
		log_warn("cannot %s address %s %s %s", add ? "add" : "remove",
		    prefix4_ntop(prefix, buf), add ? "to" : "from", ifname);
		return -1;
	}
	log_info("address %s %s %s", prefix4_ntop(prefix, buf), add ? "added to" : "removed from",
	    ifname);
	return 0;
}

/* ------------------------------------------------------------ socket glue */

static void
io_input(void *ctx, unsigned ifindex, uint32_t src, uint16_t port, uint32_t dst, int ttl,
    const uint8_t *buf, size_t len)
{
	struct daemon *d = ctx;

	rip_engine_input(d->eng, ifindex, src, port, dst, ttl, buf, len, clock_mono_now());
}

static void
io_batch(void *ctx, bool begin)
{
	struct daemon *d = ctx;

	/* Read the socket dry first, then change the kernel in one netlink batch. */
	if (begin)
		glue_begin(d);
	else
		glue_end(d);
}

/* ---------------------------------------------------------- kernel glue */

static void
kr_link_cb(void *ctx, const struct kr_link *l, bool deleted)
{
	struct daemon *d = ctx;

	rip_engine_link(d->eng, l->ifindex, l->name, l->up, l->loopback, l->multicast, deleted,
	    clock_mono_now());
	/* Services announce an address only while the kernel has it (services.h). */
	if (d->svcd != NULL)
		svcd_kernel_link(d->svcd, l->ifindex, l->name, l->up, deleted);
}

static void
kr_addr_cb(void *ctx, const struct kr_addr *a, bool deleted)
{
	struct daemon *d = ctx;

	rip_engine_addr(d->eng, a->ifindex, a->addr, a->prefixlen, deleted, clock_mono_now());
	if (d->svcd != NULL)
		svcd_kernel_addr(d->svcd, a->ifindex, (struct prefix4){ a->addr, a->prefixlen },
		    deleted);
}

static void
kr_route_cb(void *ctx, const struct kr_route *r, bool deleted)
{
	struct daemon *d = ctx;
	rtime_t now = clock_mono_now();

	switch (r->origin) {
	case KR_ORIGIN_OURS:
		if (deleted)
			rip_engine_kernel_route_lost(d->eng, r->prefix, now);
		break;
	case KR_ORIGIN_STATIC:
		rip_engine_kernel_route(d->eng, r->prefix, RIP_ORIGIN_STATIC, deleted, now);
		break;
	case KR_ORIGIN_KERNEL:
		rip_engine_kernel_route(d->eng, r->prefix, RIP_ORIGIN_KERNEL, deleted, now);
		break;
	case KR_ORIGIN_OTHER:
		break;
	}
}

static void
kr_watch_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct daemon *d = w->data;

	glue_begin(d);
	if (kr_monitor_read(d->kr) < 0)
		log_warn("netlink monitor");
	glue_end(d);
}

/* ----------------------------------------------------------- life cycle */

/*
 * The `log` statement in every mode: in the foreground (-d, and so under
 * systemd) stdout and stderr are what they say (the journal under
 * systemd, each line with its level: lib/log.c), syslog and a file too;
 * in the background there is no terminal, so stdout and stderr mean
 * syslog.  A reload reopens the file as well (SIGUSR1 does only that).
 */
void
daemon_log_config(const struct daemon *d, const struct riposted_conf *conf)
{
	enum log_dest dest = conf->log_dest;
	if (!d->foreground && (dest == LOG_DEST_STDOUT || dest == LOG_DEST_STDERR))
		dest = LOG_DEST_SYSLOG; /* a daemon has no terminal */
	if (log_configure(dest, conf->log_path, conf->log_level) < 0)
		log_warn("cannot open log file %s, logging stays where it was", conf->log_path);
}

/* Take a parsed configuration: the engine gets its RIP part, the rest is kept. */
static void
daemon_apply(struct daemon *d, struct riposted_conf *conf)
{
	rip_engine_reconfigure(d->eng, &conf->rip, clock_mono_now());
	riposted_conf_free(&d->conf);
	d->conf = *conf;
	rip_conf_init(&d->conf.rip);	/* the engine owns it now */
	riposted_conf_init(conf);
	if (!d->terminating)
		svcd_configure(d->svcd, d->conf.services, d->conf.n_services);
	bfd_apply_config(d);
}

int
daemon_reload(struct daemon *d, char *err, size_t errlen)
{
	struct riposted_conf conf;

	/* The service manager: reloading until READY=1 again, either way. */
	sdnotify_reloading();
	if (riposted_conf_parse_file(d->conf_path, &conf, err, errlen) != 0 ||
	    daemon_privs_reload(d, &conf, err, errlen) != 0 ||
	    daemon_metrics_apply(d, &conf, err, errlen) != 0) {
		riposted_conf_free(&conf);
		log_warnx("reload failed, keeping the running configuration: %s", err);
		d->reload_failures++;
		sdnotify_send("READY=1\nSTATUS=reload failed, running the previous configuration");
		return -1;
	}
	daemon_log_config(d, &conf);
	glue_begin(d);
	daemon_apply(d, &conf);
	glue_end(d);
	d->reloads++;
	log_info("configuration reloaded from %s", d->conf_path);
	sdnotify_send("READY=1\nSTATUS=configuration reloaded");
	return 0;
}

void
daemon_finish(struct daemon *d)
{
	ev_timer_stop(d->loop, &d->term_timer);
	glue_begin(d);
	rip_engine_shutdown(d->eng, clock_mono_now());
	svcd_stop(d->svcd);
	kr_batch_end(d->kr);
	rip_io_flush(d->io, 1500);
	ev_break(d->loop, EVBREAK_ALL);
}

int
daemon_start(struct daemon *d, struct riposted_conf *conf)
{
	static const struct kr_callbacks krcb = { kr_link_cb, kr_addr_cb, kr_route_cb, NULL };
	static const struct rip_ops ops = {
		ops_send, ops_route_install, ops_route_remove, ops_iface_enable, ops_random, NULL,
		ops_neighbor_new, ops_neighbor_gone, ops_limit_hit,
	};
	static const struct svcd_ops sops = { svc_announce, svc_address, svc_hold, NULL };
	struct kr_callbacks kcb = krcb;
	struct rip_ops o = ops;
	struct svcd_ops so = sops;

	kcb.ctx = d;
	o.ctx = d;
	so.ctx = d;
	d->bfd_log_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(20);
	/* First: the services' callbacks (svc_hold) kick the engine from svcd_configure on. */
	ev_timer_init(&d->timer, daemon_timer_cb, 0., 0.);
	d->timer.data = d;
	if ((d->kr = kr_open(&kcb)) == NULL) {
		log_warn("netlink");
		return -1;
	}
	/* Routes left by a riposted that crashed are stale: start clean. */
	kr_flush_ours(d->kr);
	if ((d->io = rip_io_open(d->loop, RIP_PORT, io_input, io_batch, d)) == NULL) {
		log_warn("cannot bind UDP port %d", RIP_PORT);
		return -1;
	}
	if ((d->eng = rip_engine_new(&conf->rip, &o, clock_mono_now())) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	rip_engine_set_wallclock(d->eng, ops_wallclock);
	/* Before the kernel dump: the services follow the links and addresses in it. */
	if ((d->svcd = svcd_new(d->loop, &so)) == NULL) {
		log_warnx("out of memory");
		return -1;
	}
	/* A drain survives a restart: recorded beside the pidfile (svcconf.h). */
	char state[PATH_MAX];
	if (drainfile_path(state, sizeof(state), d->pidfile, RIPOSTED_STATE_DIR) == 0)
		svcd_set_state_file(d->svcd, state);
	d->conf = *conf;
	rip_conf_init(&d->conf.rip);	/* the engine owns it now */
	riposted_conf_init(conf);
	kr_batch_begin(d->kr);
	if (kr_dump(d->kr) < 0) {
		log_warn("netlink dump");
		return -1;
	}
	kr_batch_end(d->kr);
	bfd_apply_config(d);
	svcd_configure(d->svcd, d->conf.services, d->conf.n_services);

	ev_io_init(&d->kr_watch, kr_watch_cb, kr_monitor_fd(d->kr), EV_READ);
	d->kr_watch.data = d;
	ev_io_start(d->loop, &d->kr_watch);
	daemon_kick(d);
	return 0;
}

void
daemon_stop(struct daemon *d)
{
	if (d->kr != NULL)
		kr_flush_ours(d->kr);
	svcd_free(d->svcd);
	bfd_mgr_close(d->bfd);
	rip_io_close(d->io);
	rip_engine_free(d->eng);
	kr_close(d->kr);
	riposted_conf_free(&d->conf);
}
