/*
 * riposted.c - the daemon: event loop glue between the RIP engine, its
 * socket, the kernel (netlink) and the control socket; signals; start-up
 * and the goodbye on SIGTERM.
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bfd/bfd.h"
#include "ctl/ctl.h"
#include "health/services.h"
#include "health/svcconf.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/log.h"
#include "netlink/kr.h"
#include "rip/conf.h"
#include "rip/io.h"
#include "rip/proto.h"
#include "rip/show.h"

#define RIPOSTED_DEFAULT_CONF "/etc/riposte/riposted.conf"
#define RIPOSTED_VERSION "0.1.0"
/* The drained-services state file goes here when there is no pidfile to put it next to. */
#define RIPOSTED_STATE_DIR "/run/riposte"

struct daemon {
	struct ev_loop *loop;
	const char *conf_path;
	const char *ctl_path;
	const char *pidfile;
	bool foreground;
	struct rip_engine *eng;
	struct kr *kr;
	struct rip_io *io;
	struct ctl_server *ctl;
	struct svcd *svcd;
	struct bfd_mgr *bfd;	/* opened when an interface has `ip rip bfd` */
	bool terminating;	/* SIGTERM seen: draining, then exit */
	ev_timer term_timer;
	ev_timer timer;
	ev_io kr_watch;
	ev_signal sig_term, sig_int, sig_hup;
	rtime_t started;
	uint64_t reloads, reload_failures;
};

static struct daemon d;

/* ------------------------------------------------------------ engine glue */

static void
daemon_kick(void)
{
	rtime_t now = clock_mono_now();
	rtime_t next = rip_engine_run(d.eng, now);
	ev_timer_stop(d.loop, &d.timer);
	if (next == RTIME_NEVER)
		return;
	double after = next > now ? (double)(next - now) / 1e6 : 0.;
	ev_timer_set(&d.timer, after, 0.);
	ev_timer_start(d.loop, &d.timer);
}

static void
daemon_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	kr_batch_begin(d.kr);
	daemon_kick();
	kr_batch_end(d.kr);
}

static void
ops_send(void *ctx, unsigned ifindex, uint32_t src, uint32_t dst, uint16_t port,
    const uint8_t *buf, size_t len)
{
	(void)ctx;
	rip_io_send(d.io, ifindex, src, dst, port, buf, len);
}

static void
ops_route_install(void *ctx, struct prefix4 prefix, const struct rip_nexthop *nh, size_t n,
    uint8_t metric)
{
	struct kr_nexthop knh[RIP_MAX_ECMP];
	(void)ctx;
	for (size_t i = 0; i < n && i < RIP_MAX_ECMP; i++) {
		knh[i].gateway = nh[i].gw;
		knh[i].ifindex = nh[i].ifindex;
	}
	kr_route_change(d.kr, prefix, knh, n, metric);
}

static void
ops_route_remove(void *ctx, struct prefix4 prefix)
{
	(void)ctx;
	kr_route_delete(d.kr, prefix);
}

static void
ops_iface_enable(void *ctx, unsigned ifindex, bool on)
{
	(void)ctx;
	rip_io_join(d.io, ifindex, on);
}

static uint32_t
ops_random(void *ctx)
{
	(void)ctx;
	return arc4random();
}

/* ------------------------------------------------------------- BFD glue */

/* What a session going up or down means for the neighbour's routes (proto.h). */
static void
bfd_route_change(const struct bfd_event *ev, bool up)
{
	kr_batch_begin(d.kr);
	rip_engine_neighbor_bfd(d.eng, ev->peer, ev->ifindex, up, clock_mono_now());
	daemon_kick();
	kr_batch_end(d.kr);
}

static void
bfd_event_cb(void *arg, const struct bfd_event *ev)
{
	char peer[IP4_STRLEN], ifname[IF_NAMESIZE];
	(void)arg;

	if (if_indextoname(ev->ifindex, ifname) == NULL)
		snprintf(ifname, sizeof(ifname), "#%u", ev->ifindex);
	ip4_ntop(ev->peer, peer);
	if (ev->to == BFD_STATE_UP) {
		log_info("bfd %s on %s: %s -> up", peer, ifname, bfd_state_name(ev->from));
		bfd_route_change(ev, true);
		return;
	}
	if (ev->from != BFD_STATE_UP) {
		log_debug("bfd %s on %s: %s -> %s", peer, ifname, bfd_state_name(ev->from),
		    bfd_state_name(ev->to));
		return;
	}
	/* RFC 5882 3.2: a peer that says AdminDown stops BFD on purpose, the path is fine. */
	if (ev->remote_state == BFD_STATE_ADMINDOWN) {
		log_info("bfd %s on %s: up -> %s (the neighbour stopped BFD; its routes stay "
		    "until RIP says otherwise)", peer, ifname, bfd_state_name(ev->to));
		return;
	}
	log_warnx("bfd %s on %s: up -> %s (%s): its routes are invalid now", peer, ifname,
	    bfd_state_name(ev->to), bfd_diag_name(ev->diag));
	bfd_route_change(ev, false);
}

/* Start (or retime) BFD with this neighbour if its interface wants it. */
static void
bfd_neighbor(uint32_t addr, unsigned ifindex)
{
	struct rip_iface *ifp = rip_iface_by_index(d.eng, ifindex);
	char peer[IP4_STRLEN];

	if (ifp == NULL || !ifp->conf.bfd || d.bfd == NULL)
		return;
	uint32_t local = rip_iface_source_addr(ifp);
	if (local == 0)
		return;
	if (bfd_mgr_add(d.bfd, addr, local, ifindex, ifp->conf.bfd_interval_ms * 1000u,
	    ifp->conf.bfd_mult) != 0)
		log_warn("bfd %s on %s: cannot start a session", ip4_ntop(addr, peer), ifp->name);
}

static void
ops_neighbor_new(void *ctx, uint32_t addr, unsigned ifindex)
{
	(void)ctx;
	bfd_neighbor(addr, ifindex);
}

/* After start and every reload: BFD where configured, nowhere else. */
static void
bfd_apply_config(void)
{
	bool want = false;
	for (size_t i = 0; i < d.eng->conf.n_ifaces; i++)
		if (d.eng->conf.ifaces[i].bfd)
			want = true;
	if (want && d.bfd == NULL) {
		d.bfd = bfd_mgr_open(d.loop, BFD_PORT, bfd_event_cb, NULL);
		if (d.bfd == NULL) {
			log_warn("bfd: cannot open UDP port %d, BFD stays off", BFD_PORT);
			return;
		}
	}
	if (d.bfd == NULL)
		return;
	for (struct rip_iface *ifp = d.eng->ifaces; ifp != NULL; ifp = ifp->next)
		if (!ifp->conf.bfd)
			bfd_mgr_remove_iface(d.bfd, ifp->ifindex);
	for (struct rip_neighbor *n = d.eng->neighbors; n != NULL; n = n->next)
		bfd_neighbor(n->addr, n->ifindex);
}

/* ---------------------------------------------------------- services glue */

static void
svc_announce(void *ctx, struct prefix4 prefix, uint8_t metric, bool up)
{
	(void)ctx;
	kr_batch_begin(d.kr);
	rip_engine_service(d.eng, prefix, metric, up, clock_mono_now());
	daemon_kick();
	kr_batch_end(d.kr);
}

static int
svc_address(void *ctx, const char *ifname, struct prefix4 prefix, bool add)
{
	char buf[PFX4_STRLEN];
	unsigned ifindex = if_nametoindex(ifname);
	(void)ctx;

	if (ifindex == 0) {
		log_warn("service address %s: interface %s", prefix4_ntop(prefix, buf), ifname);
		return -1;
	}
	int rc = add ? kr_addr_add(d.kr, ifindex, prefix.addr, prefix.len) :
	    kr_addr_delete(d.kr, ifindex, prefix.addr, prefix.len);
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

static void
io_input(void *ctx, unsigned ifindex, uint32_t src, uint16_t port, uint32_t dst,
    const uint8_t *buf, size_t len)
{
	(void)ctx;
	rip_engine_input(d.eng, ifindex, src, port, dst, buf, len, clock_mono_now());
}

static void
io_batch(void *ctx, bool begin)
{
	(void)ctx;
	/* Read the socket dry first, then change the kernel in one netlink batch. */
	if (begin) {
		kr_batch_begin(d.kr);
	} else {
		daemon_kick();
		kr_batch_end(d.kr);
	}
}

/* ---------------------------------------------------------- kernel glue */

static void
kr_link_cb(void *ctx, const struct kr_link *l, bool deleted)
{
	(void)ctx;
	rip_engine_link(d.eng, l->ifindex, l->name, l->up, l->loopback, l->multicast, deleted,
	    clock_mono_now());
	if (d.svcd != NULL)
		svcd_kernel_link(d.svcd, l->ifindex, l->name, deleted);
}

static void
kr_addr_cb(void *ctx, const struct kr_addr *a, bool deleted)
{
	(void)ctx;
	rip_engine_addr(d.eng, a->ifindex, a->addr, a->prefixlen, deleted, clock_mono_now());
	/* A service address is announced only while the kernel confirms it (services.h). */
	if (d.svcd != NULL)
		svcd_kernel_addr(d.svcd, a->ifindex, (struct prefix4){ a->addr, a->prefixlen },
		    deleted);
}

static void
kr_route_cb(void *ctx, const struct kr_route *r, bool deleted)
{
	(void)ctx;
	rtime_t now = clock_mono_now();
	if (r->protocol == RTPROT_RIPOSTE) {
		if (deleted)
			rip_engine_kernel_route_lost(d.eng, r->prefix, now);
		return;
	}
	if (r->type != 1 /* RTN_UNICAST */)
		return;
	/* `ip route add ... proto static` is static; plain `ip route add` (boot) is kernel. */
	if (r->protocol == 4 /* RTPROT_STATIC */)
		rip_engine_kernel_route(d.eng, r->prefix, RIP_ORIGIN_STATIC, deleted, now);
	else if (r->protocol == 3 /* RTPROT_BOOT */)
		rip_engine_kernel_route(d.eng, r->prefix, RIP_ORIGIN_KERNEL, deleted, now);
}

static void
kr_watch_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	kr_batch_begin(d.kr);
	if (kr_monitor_read(d.kr) < 0)
		log_warn("netlink monitor");
	daemon_kick();
	kr_batch_end(d.kr);
}

/* ------------------------------------------------------- control socket */

static int
ctl_show_routes(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct prefix4 within = { 0, 0 };
	(void)ctx;
	if (req->argc == 1 && prefix4_parse(req->argv[0], &within, true, true) != 0) {
		fprintf(out, "'%s' is not a prefix (A.B.C.D/M or A.B.C.D)\n", req->argv[0]);
		return -1;
	}
	rip_show_routes_within(d.eng, out, req->json, clock_mono_now(), within);
	return 0;
}

static int
ctl_show_interfaces(void *ctx, const struct ctl_request *req, FILE *out)
{
	(void)ctx;
	rip_show_interfaces(d.eng, out, req->json);
	return 0;
}

static int
ctl_show_neighbors(void *ctx, const struct ctl_request *req, FILE *out)
{
	(void)ctx;
	rip_show_neighbors(d.eng, out, req->json, clock_mono_now());
	return 0;
}

static int
ctl_show_status(void *ctx, const struct ctl_request *req, FILE *out)
{
	const struct rip_engine *e = d.eng;
	struct kr_stats ks;
	struct rip_io_stats is;
	uint64_t bad = 0, badr = 0;
	rtime_t now = clock_mono_now();
	(void)ctx;

	kr_get_stats(d.kr, &ks);
	rip_io_get_stats(d.io, &is);
	for (int i = 0; i < RIP_DROP_COUNT; i++)
		bad += e->drops[i];
	for (int i = 0; i < RIP_RTE_DROP_COUNT; i++)
		badr += e->rte_drops[i];
	long long next_update = (long long)((e->next_periodic - now) / RTIME_MS);
	if (!req->json) {
		fprintf(out, "riposted %s, hostname %s, up %llds\n", RIPOSTED_VERSION,
		    e->conf.hostname[0] ? e->conf.hostname : "-",
		    (long long)((now - d.started) / RTIME_SEC));
		fprintf(out, "timers: update %us, timeout %us, garbage %us; next update in %lld ms\n",
		    e->conf.t_update, e->conf.t_timeout, e->conf.t_garbage, next_update);
		fprintf(out, "routes: %zu (%zu paths), ECMP %s\n", e->rib.n_routes, e->rib.n_paths,
		    e->conf.allow_ecmp ? "on" : "off");
		fprintf(out, "received: %llu packets (%llu requests, %llu responses), %llu dropped, "
		    "%llu route entries rejected\n", (unsigned long long)e->rx_packets,
		    (unsigned long long)e->rx_requests, (unsigned long long)e->rx_responses,
		    (unsigned long long)bad, (unsigned long long)badr);
		fprintf(out, "sent: %llu packets, %llu periodic, %llu triggered and %llu urgent "
		    "updates, %zu queued\n", (unsigned long long)is.tx_packets,
		    (unsigned long long)e->tx_periodic, (unsigned long long)e->tx_triggered,
		    (unsigned long long)e->tx_urgent, is.tx_queued);
		fprintf(out, "services: %zu; BFD %s\n", svcd_count(d.svcd),
		    d.bfd != NULL ? "on" : "off");
		fprintf(out, "kernel: %llu routes changed, %llu deleted, %llu errors, %llu resyncs\n",
		    (unsigned long long)ks.routes_changed, (unsigned long long)ks.routes_deleted,
		    (unsigned long long)ks.errors, (unsigned long long)ks.resyncs);
		fprintf(out, "config: %s, %llu reloads, %llu failed\n", d.conf_path,
		    (unsigned long long)d.reloads, (unsigned long long)d.reload_failures);
		return 0;
	}
	struct json_w w;
	json_init(&w, out);
	json_obj_begin(&w);
	json_key(&w, "version"); json_str(&w, RIPOSTED_VERSION);
	json_key(&w, "hostname"); json_str(&w, e->conf.hostname);
	json_key(&w, "uptime"); json_int(&w, (now - d.started) / RTIME_SEC);
	json_key(&w, "routes"); json_uint(&w, e->rib.n_routes);
	json_key(&w, "paths"); json_uint(&w, e->rib.n_paths);
	json_key(&w, "ecmp"); json_bool(&w, e->conf.allow_ecmp);
	json_key(&w, "timers");
	json_obj_begin(&w);
	json_key(&w, "update"); json_uint(&w, e->conf.t_update);
	json_key(&w, "timeout"); json_uint(&w, e->conf.t_timeout);
	json_key(&w, "garbage"); json_uint(&w, e->conf.t_garbage);
	json_key(&w, "next_update_ms"); json_int(&w, next_update);
	json_obj_end(&w);
	json_key(&w, "rx_packets"); json_uint(&w, e->rx_packets);
	json_key(&w, "rx_requests"); json_uint(&w, e->rx_requests);
	json_key(&w, "rx_responses"); json_uint(&w, e->rx_responses);
	json_key(&w, "bad_packets"); json_uint(&w, bad);
	json_key(&w, "bad_routes"); json_uint(&w, badr);
	json_key(&w, "tx_packets"); json_uint(&w, is.tx_packets);
	json_key(&w, "tx_errors"); json_uint(&w, is.tx_errors);
	json_key(&w, "tx_queued"); json_uint(&w, is.tx_queued);
	json_key(&w, "periodic_updates"); json_uint(&w, e->tx_periodic);
	json_key(&w, "triggered_updates"); json_uint(&w, e->tx_triggered);
	json_key(&w, "urgent_updates"); json_uint(&w, e->tx_urgent);
	json_key(&w, "services"); json_uint(&w, svcd_count(d.svcd));
	json_key(&w, "bfd"); json_bool(&w, d.bfd != NULL);
	json_key(&w, "route_changes"); json_uint(&w, e->route_changes);
	json_key(&w, "kernel");
	json_obj_begin(&w);
	json_key(&w, "routes_changed"); json_uint(&w, ks.routes_changed);
	json_key(&w, "routes_deleted"); json_uint(&w, ks.routes_deleted);
	json_key(&w, "errors"); json_uint(&w, ks.errors);
	json_key(&w, "resyncs"); json_uint(&w, ks.resyncs);
	json_obj_end(&w);
	json_key(&w, "reloads"); json_uint(&w, d.reloads);
	json_key(&w, "reload_failures"); json_uint(&w, d.reload_failures);
	json_obj_end(&w);
	return json_end(&w);
}

static int
ctl_show_services(void *ctx, const struct ctl_request *req, FILE *out)
{
	(void)ctx;
	return svcd_show(d.svcd, out, req->json, req->argc == 1 ? req->argv[0] : NULL,
	    clock_mono_now());
}

static int
ctl_drain_or_undrain(const struct ctl_request *req, FILE *out, bool undrain)
{
	if (d.terminating) {
		fputs("riposted is stopping; every service is draining\n", out);
		return -1;
	}
	return svcd_drain(d.svcd, req->argv[0], undrain, out);
}

static int
ctl_drain(void *ctx, const struct ctl_request *req, FILE *out)
{
	(void)ctx;
	return ctl_drain_or_undrain(req, out, false);
}

static int
ctl_undrain(void *ctx, const struct ctl_request *req, FILE *out)
{
	(void)ctx;
	return ctl_drain_or_undrain(req, out, true);
}

static int
ctl_show_bfd(void *ctx, const struct ctl_request *req, FILE *out)
{
	(void)ctx;
	if (d.bfd == NULL) {
		if (req->json)
			fputs("{\"sessions\":[]}\n", out);
		else
			fputs("BFD is off: no interface has 'ip rip bfd'\n", out);
		return 0;
	}
	bfd_mgr_show(d.bfd, out, req->json, clock_mono_now());
	return 0;
}

static const struct ctl_command ctl_commands[] = {
	{ "show routes", "[PREFIX]", "the RIP table: every path, active or alternate (within PREFIX)",
	    0, 1, ctl_show_routes },
	{ "show interfaces", NULL, "interfaces, addresses and RIP state", 0, 0, ctl_show_interfaces },
	{ "show neighbors", NULL, "neighbours, last heard, drops per reason", 0, 0, ctl_show_neighbors },
	{ "show status", NULL, "timers, counters, kernel and config state", 0, 0, ctl_show_status },
	{ "show services", "[NAME]", "services: state, each check's last result and latency",
	    0, 1, ctl_show_services },
	{ "show bfd", NULL, "BFD sessions: peer, state, timers", 0, 0, ctl_show_bfd },
	{ "drain", "SERVICE", "withdraw the service, keep its address answering for drain-time",
	    1, 1, ctl_drain },
	{ "undrain", "SERVICE", "end a drain: announced again after rise passed rounds",
	    1, 1, ctl_undrain },
};

/* --------------------------------------------------------------- signals */

static void
daemon_log_config(const struct rip_conf *conf)
{
	if (d.foreground) {
		log_configure(LOG_DEST_STDERR, NULL, conf->log_level);
		return;
	}
	enum log_dest dest = conf->log_dest;
	if (dest == LOG_DEST_STDOUT || dest == LOG_DEST_STDERR)
		dest = LOG_DEST_SYSLOG; /* a daemon has no terminal */
	if (log_configure(dest, conf->log_path, conf->log_level) < 0)
		log_warn("cannot open log file %s, logging stays where it was", conf->log_path);
}

static void
sig_hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct rip_conf conf;
	char err[512];
	(void)loop;
	(void)w;
	(void)revents;
	rip_conf_init(&conf);
	if (rip_conf_parse_file(d.conf_path, &conf, err, sizeof(err)) != 0) {
		log_warnx("reload failed, keeping the running configuration: %s", err);
		rip_conf_free(&conf);
		d.reload_failures++;
		return;
	}
	daemon_log_config(&conf);
	kr_batch_begin(d.kr);
	rip_engine_reconfigure(d.eng, &conf, clock_mono_now());
	if (!d.terminating)
		svcd_configure(d.svcd, &d.eng->conf);
	bfd_apply_config();
	daemon_kick();
	kr_batch_end(d.kr);
	d.reloads++;
	log_info("configuration reloaded from %s", d.conf_path);
}

/* The goodbye: metric 16 for everything we advertise, then out. */
static void
daemon_finish(void)
{
	ev_timer_stop(d.loop, &d.term_timer);
	kr_batch_begin(d.kr);
	rip_engine_shutdown(d.eng, clock_mono_now());
	svcd_stop(d.svcd);
	kr_batch_end(d.kr);
	rip_io_flush(d.io, 1500);
	ev_break(d.loop, EVBREAK_ALL);
}

static void
term_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	log_info("drain time over: poisoning our routes and exiting");
	daemon_finish();
}

static void
sig_term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	if (d.terminating) {
		log_info("received %s again: exiting without waiting for the drain",
		    strsignal(w->signum));
		daemon_finish();
		return;
	}
	d.terminating = true;
	/*
	 * Drain first: every announced service is withdrawn now while its
	 * address keeps answering, so the queries already on their way are
	 * answered while the routers move to another server.
	 */
	rtime_t wait = svcd_drain_for_exit(d.svcd);
	if (wait == 0) {
		log_info("received %s: poisoning our routes and exiting", strsignal(w->signum));
		daemon_finish();
		return;
	}
	log_info("received %s: services withdrawn, exiting after their drain time (%lld ms)",
	    strsignal(w->signum), (long long)(wait / RTIME_MS));
	ev_timer_set(&d.term_timer, (double)wait / 1e6, 0.);
	ev_timer_start(d.loop, &d.term_timer);
}

/* ----------------------------------------------------------------- main */

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: riposted [-d] [-c FILE] [-s SOCKET] [-p PIDFILE]\n"
	    "       riposted [-c FILE] --check | --print\n"
	    "\n"
	    "riposted is a RIPv2 router (RFC 2453) for Linux that reads the FRR/Quagga\n"
	    "ripd.conf dialect, installs learned routes in the kernel (rtm_protocol %d),\n"
	    "keeps every neighbour's loop-free offer so it can switch to an alternate at\n"
	    "once, and poisons its routes (metric 16) before it exits.\n"
	    "\n"
	    "Options:\n"
	    "  -c, --config FILE    configuration file (default %s)\n"
	    "  -s, --socket PATH    control socket for ripostectl (default %s)\n"
	    "  -p, --pidfile PATH   write the process id here\n"
	    "  -d, --foreground     stay in the foreground and log to stderr\n"
	    "      --check          validate the configuration and exit (0 valid, 1 not)\n"
	    "      --print          print the configuration in canonical form and exit\n"
	    "  -V, --version        print the version and exit\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Signals:\n"
	    "  SIGHUP               reload the configuration; a bad one is logged and the\n"
	    "                       running one stays\n"
	    "  SIGTERM, SIGINT      drain every service (withdraw it, keep its address\n"
	    "                       answering for its drain-time), then send metric 16 for\n"
	    "                       every route we advertise, remove our kernel routes and\n"
	    "                       the service addresses, and exit; a second signal exits\n"
	    "                       without waiting\n"
	    "\n"
	    "Exit status: 0 on success, 1 on a configuration or start-up error.\n",
	    RTPROT_RIPOSTE, RIPOSTED_DEFAULT_CONF, CTL_DEFAULT_SOCKET);
}

static void
write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		log_warn("cannot write pid file %s", path);
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

int
main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_PRINT };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "print", no_argument, NULL, OPT_PRINT },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool check = false, print = false;
	int ch;

	d.conf_path = RIPOSTED_DEFAULT_CONF;
	d.ctl_path = CTL_DEFAULT_SOCKET;
	log_init("riposted");
	while ((ch = getopt_long(argc, argv, "c:s:p:dVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': d.conf_path = optarg; break;
		case 's': d.ctl_path = optarg; break;
		case 'p': d.pidfile = optarg; break;
		case 'd': d.foreground = true; break;
		case OPT_CHECK: check = true; break;
		case OPT_PRINT: print = true; break;
		case 'V': printf("riposted %s\n", RIPOSTED_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "riposted: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}

	struct rip_conf conf;
	char err[512];
	rip_conf_init(&conf);
	if (rip_conf_parse_file(d.conf_path, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "riposted: %s\n", err);
		rip_conf_free(&conf);
		return 1;
	}
	if (check || print) {
		if (print)
			rip_conf_print(stdout, &conf);
		else {
			svcd_conf_warn_missing_ifaces(conf.services, conf.n_services);
			printf("%s: configuration OK\n", d.conf_path);
		}
		rip_conf_free(&conf);
		return 0;
	}
	if (!conf.router_rip)
		log_warnx("%s: no 'router rip' block: RIP stays off until one is configured",
		    d.conf_path);

	if (!d.foreground && daemon(0, 0) < 0)
		fatal("daemon");
	daemon_log_config(&conf);
	if (d.pidfile != NULL)
		write_pidfile(d.pidfile);
	signal(SIGPIPE, SIG_IGN);

	d.loop = EV_DEFAULT;
	d.started = clock_mono_now();
	static const struct kr_callbacks krcb = { kr_link_cb, kr_addr_cb, kr_route_cb, NULL };
	if ((d.kr = kr_open(&krcb)) == NULL)
		fatal("netlink");
	/* Routes left by a riposted that crashed are stale: start clean. */
	kr_flush_ours(d.kr);
	/* Before the dump: the services follow the kernel's links and addresses from the start. */
	static const struct svcd_ops sops = { svc_announce, svc_address, NULL };
	if ((d.svcd = svcd_new(d.loop, &sops)) == NULL)
		fatalx("out of memory");
	char state[PATH_MAX];
	if (drainfile_path(state, sizeof(state), d.pidfile, RIPOSTED_STATE_DIR) == 0)
		svcd_set_state_file(d.svcd, state);
	if ((d.io = rip_io_open(d.loop, RIP_PORT, io_input, io_batch, NULL)) == NULL)
		fatal("cannot bind UDP port %d", RIP_PORT);
	static const struct rip_ops ops = {
		ops_send, ops_route_install, ops_route_remove, ops_iface_enable, ops_random, NULL,
		ops_neighbor_new,
	};
	if ((d.eng = rip_engine_new(&conf, &ops, clock_mono_now())) == NULL)
		fatalx("out of memory");
	kr_batch_begin(d.kr);
	if (kr_dump(d.kr) < 0)
		fatal("netlink dump");
	kr_batch_end(d.kr);
	bfd_apply_config();
	svcd_configure(d.svcd, &d.eng->conf);
	if ((d.ctl = ctl_server_start(d.loop, d.ctl_path, ctl_commands,
	    sizeof(ctl_commands) / sizeof(ctl_commands[0]), NULL)) == NULL)
		fatal("control socket %s", d.ctl_path);

	ev_timer_init(&d.timer, daemon_timer_cb, 0., 0.);
	ev_timer_init(&d.term_timer, term_timer_cb, 0., 0.);
	ev_io_init(&d.kr_watch, kr_watch_cb, kr_monitor_fd(d.kr), EV_READ);
	ev_io_start(d.loop, &d.kr_watch);
	ev_signal_init(&d.sig_term, sig_term_cb, SIGTERM);
	ev_signal_init(&d.sig_int, sig_term_cb, SIGINT);
	ev_signal_init(&d.sig_hup, sig_hup_cb, SIGHUP);
	ev_signal_start(d.loop, &d.sig_term);
	ev_signal_start(d.loop, &d.sig_int);
	ev_signal_start(d.loop, &d.sig_hup);
	log_info("riposted %s started: config %s, control socket %s", RIPOSTED_VERSION,
	    d.conf_path, d.ctl_path);
	daemon_kick();

	ev_run(d.loop, 0);

	kr_flush_ours(d.kr);
	svcd_free(d.svcd);
	bfd_mgr_close(d.bfd);
	ctl_server_stop(d.ctl);
	rip_io_close(d.io);
	rip_engine_free(d.eng);
	kr_close(d.kr);
	if (d.pidfile != NULL)
		unlink(d.pidfile);
	log_info("riposted stopped");
	return 0;
}
