/*
 * services.c - riposted's services at run time: see services.h for what
 * each transition does.  The decisions are service.c's (pure, tested on a
 * fake clock) and svcconf.c's (what a reload changes); this file runs the
 * checks on timers, follows the kernel's view of the addresses and
 * carries the decisions out.
 */
#include <errno.h>
#include <ev.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "health/check.h"
#include "health/service.h"
#include "health/services.h"
#include "health/svcconf.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/prom.h"

#define SVCD_REASON_MAX 128

/* One set of addresses on one interface: the configured one, or the one a reload moves away from. */
struct svcd_aset {
	struct prefix4		 addrs[SERVICE_MAX_ADDRS];
	size_t			 n;
	char			 ifname[IFNAMSIZ];
	unsigned		 ifindex;	/* 0: no such interface (yet) */
	uint8_t			 metric;	/* announced at; 0: withdrawn */
	bool			 want;		/* should be on the interface */
};

struct svcd_service {
	struct svcd		*owner;
	struct service_conf	 conf;
	struct svc		 svc;
	struct check		*checks[SVC_MAX_CHECKS];
	ev_timer		 tick;		/* every interval: run the checks */
	ev_timer		 drain;		/* drain deadline */
	ev_timer		 unaddr;	/* delayed address removal */
	ev_timer		 ungone;	/* delayed removal of the moved-from addresses */
	struct svcd_aset	 cur;		/* conf's addresses */
	struct svcd_aset	 old;		/* n > 0 during a move: still announced */
	struct svcd_aset	 gone;		/* n > 0 after a move: withdrawn, removed soon */
	bool			 announced;	/* in rotation: at its metric */
	bool			 drained_by_op;	/* ripostectl drain: in the state file */
	uint8_t			 route_metric;	/* what is announced now; 0: withdrawn */
	bool			 addr_present;	/* every address confirmed on its interface */
	char			 reason[SVCD_REASON_MAX]; /* why the addresses are not ready */
	uint64_t		 announcements;
	uint64_t		 withdrawals;
};

/* The kernel's view, kept from its notifications. */
struct svcd_link {
	unsigned		 ifindex;
	char			 name[IFNAMSIZ];
	bool			 up;		/* up with carrier (kr_link.up) */
};
struct svcd_kaddr {
	unsigned		 ifindex;
	struct prefix4		 p;
};
/* A prefix held as a service address (svcd_ops.hold), and where it was last put. */
struct svcd_held {
	struct prefix4		 p;
	unsigned		 ifindex;
	bool			 mark;
};

struct svcd {
	struct ev_loop		*loop;
	struct svcd_ops		 ops;
	struct svcd_service	**s;
	size_t			 n;
	struct svcd_link	*links;
	size_t			 n_links, cap_links;
	struct svcd_kaddr	*kaddrs;
	size_t			 n_kaddrs, cap_kaddrs;
	struct svcd_held	*held;
	size_t			 n_held, cap_held;
	char			*state_path;
	char			 (*restore)[SVC_NAME_MAX];	/* drained before the restart */
	size_t			 n_restore;
	bool			 configured;
	bool			 configuring;	/* d->s is being rebuilt: no hold changes */
};

static double
svcd_sec(rtime_t t)
{
	return (double)t / 1e6;
}

static void	svcd_sync(struct svcd_service *);
static void	svcd_hold_sync(struct svcd *);

/* ------------------------------------------------------ the kernel's view */

static unsigned
svcd_link_index(const struct svcd *d, const char *name)
{
	for (size_t i = 0; i < d->n_links; i++)
		if (strcmp(d->links[i].name, name) == 0)
			return d->links[i].ifindex;
	return 0;
}

static bool
svcd_link_up(const struct svcd *d, unsigned ifindex)
{
	for (size_t i = 0; i < d->n_links; i++)
		if (d->links[i].ifindex == ifindex)
			return d->links[i].up;
	return false;
}

static bool
svcd_kaddr_has(const struct svcd *d, unsigned ifindex, struct prefix4 p)
{
	for (size_t i = 0; i < d->n_kaddrs; i++)
		if (d->kaddrs[i].ifindex == ifindex && prefix4_equal(d->kaddrs[i].p, p))
			return true;
	return false;
}

static bool
svcd_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t nc = *cap ? *cap * 2 : 16;
	void *a = realloc(*arr, nc * size);
	if (a == NULL)
		return false;
	*arr = a;
	*cap = nc;
	return true;
}

static bool
svcd_in_set(const struct svcd_aset *set, unsigned ifindex, struct prefix4 p)
{
	if (set->ifindex != ifindex)
		return false;
	for (size_t i = 0; i < set->n; i++)
		if (prefix4_equal(set->addrs[i], p))
			return true;
	return false;
}

/* Every address of the set confirmed on its interface? */
static bool
svcd_set_present(const struct svcd *d, const struct svcd_aset *set, char *why, size_t len)
{
	char buf[PFX4_STRLEN];

	if (set->ifindex == 0) {
		snprintf(why, len, "interface %s does not exist", set->ifname);
		return false;
	}
	/*
	 * An address on a down interface stays in the kernel but loses its
	 * local route: packets for it are not delivered, so announcing it
	 * would be a blackhole.
	 */
	if (!svcd_link_up(d, set->ifindex)) {
		snprintf(why, len, "interface %s is down", set->ifname);
		return false;
	}
	for (size_t i = 0; i < set->n; i++)
		if (!svcd_kaddr_has(d, set->ifindex, set->addrs[i])) {
			snprintf(why, len, "address %s missing on %s",
			    prefix4_ntop(set->addrs[i], buf), set->ifname);
			return false;
		}
	if (set->n == 1)
		snprintf(why, len, "address %s present on %s", prefix4_ntop(set->addrs[0], buf),
		    set->ifname);
	else
		snprintf(why, len, "%zu addresses present on %s", set->n, set->ifname);
	return true;
}

/*
 * Tell the engine which prefixes are service addresses: every address of
 * every service's sets (configured, moved from, being removed), and one no
 * service has any more while the kernel still has it where it was put.
 */
static void
svcd_hold_sync(struct svcd *d)
{
	/* svcd_configure calls again once every service is in place. */
	if (d->configuring)
		return;
	for (size_t h = 0; h < d->n_held; h++)
		d->held[h].mark = false;
	for (size_t s = 0; s < d->n; s++) {
		const struct svcd_service *sv = d->s[s];
		const struct svcd_aset *sets[] = { &sv->cur, &sv->old, &sv->gone };
		for (size_t k = 0; k < 3; k++) {
			for (size_t a = 0; a < sets[k]->n; a++) {
				struct prefix4 p = sets[k]->addrs[a];
				size_t h;
				for (h = 0; h < d->n_held; h++)
					if (prefix4_equal(d->held[h].p, p))
						break;
				if (h == d->n_held) {
					if (!svcd_grow((void **)&d->held, &d->cap_held, d->n_held,
					    sizeof(*d->held))) {
						log_warnx("services: out of memory for a service prefix");
						continue;
					}
					d->held[d->n_held++] = (struct svcd_held){ p, 0, false };
					if (d->ops.hold != NULL)
						d->ops.hold(d->ops.ctx, p, true);
				}
				if (sets[k]->ifindex != 0)
					d->held[h].ifindex = sets[k]->ifindex;
				d->held[h].mark = true;
			}
		}
	}
	for (size_t h = 0; h < d->n_held;) {
		struct svcd_held *e = &d->held[h];
		if (e->mark || (e->ifindex != 0 && svcd_kaddr_has(d, e->ifindex, e->p))) {
			h++;
			continue;
		}
		struct prefix4 p = e->p;
		*e = d->held[--d->n_held];
		if (d->ops.hold != NULL)
			d->ops.hold(d->ops.ctx, p, false);
	}
}

void
svcd_kernel_link(struct svcd *d, unsigned ifindex, const char *ifname, bool up, bool deleted)
{
	size_t i;

	for (i = 0; i < d->n_links; i++)
		if (d->links[i].ifindex == ifindex)
			break;
	if (deleted) {
		if (i < d->n_links)
			d->links[i] = d->links[--d->n_links];
		/* Its addresses went with it, notified or not. */
		for (size_t a = 0; a < d->n_kaddrs;)
			if (d->kaddrs[a].ifindex == ifindex)
				d->kaddrs[a] = d->kaddrs[--d->n_kaddrs];
			else
				a++;
	} else {
		if (i == d->n_links) {
			if (!svcd_grow((void **)&d->links, &d->cap_links, d->n_links,
			    sizeof(*d->links))) {
				log_warnx("services: out of memory for interface %s", ifname);
				return;
			}
			d->n_links++;
		}
		d->links[i].ifindex = ifindex;
		d->links[i].up = up;
		snprintf(d->links[i].name, sizeof(d->links[i].name), "%s", ifname);
	}
	/* The config names interfaces: follow renames, creations and deletions by name. */
	for (size_t s = 0; s < d->n; s++) {
		struct svcd_service *sv = d->s[s];
		struct svcd_aset *sets[] = { &sv->cur, &sv->old, &sv->gone };
		for (size_t k = 0; k < 3; k++)
			sets[k]->ifindex = svcd_link_index(d, sets[k]->ifname);
		svcd_sync(sv);
	}
	svcd_hold_sync(d);
}

void
svcd_kernel_addr(struct svcd *d, unsigned ifindex, struct prefix4 p, bool deleted)
{
	size_t i;

	for (i = 0; i < d->n_kaddrs; i++)
		if (d->kaddrs[i].ifindex == ifindex && prefix4_equal(d->kaddrs[i].p, p))
			break;
	if (deleted) {
		if (i == d->n_kaddrs)
			return;
		d->kaddrs[i] = d->kaddrs[--d->n_kaddrs];
	} else {
		if (i < d->n_kaddrs)
			return;
		if (!svcd_grow((void **)&d->kaddrs, &d->cap_kaddrs, d->n_kaddrs,
		    sizeof(*d->kaddrs))) {
			log_warnx("services: out of memory for an address");
			return;
		}
		d->kaddrs[d->n_kaddrs].ifindex = ifindex;
		d->kaddrs[d->n_kaddrs].p = p;
		d->n_kaddrs++;
	}
	for (size_t s = 0; s < d->n; s++) {
		struct svcd_service *sv = d->s[s];
		if (svcd_in_set(&sv->cur, ifindex, p) || svcd_in_set(&sv->old, ifindex, p) ||
		    svcd_in_set(&sv->gone, ifindex, p))
			svcd_sync(sv);
	}
	/* A removed address that no service has any more is released only now. */
	if (deleted)
		svcd_hold_sync(d);
}

/* ----------------------------------------------------------- addresses */

/*
 * Add the set's missing addresses, or remove its present ones (but not one
 * that `other` wants at the same place).  Confirmation comes back through
 * svcd_kernel_addr().
 */
static void
svcd_set_addresses(struct svcd_service *sv, struct svcd_aset *set, const struct svcd_aset *other,
    bool add)
{
	struct svcd *d = sv->owner;

	set->want = add;
	if (set->ifindex == 0)
		return;
	for (size_t i = 0; i < set->n; i++) {
		bool here = svcd_kaddr_has(d, set->ifindex, set->addrs[i]);
		if (add && !here)
			d->ops.address(d->ops.ctx, set->ifname, set->addrs[i], true);
		else if (!add && here && !(other != NULL && other->want &&
		    svcd_in_set(other, set->ifindex, set->addrs[i])))
			d->ops.address(d->ops.ctx, set->ifname, set->addrs[i], false);
	}
}

static bool
svcd_prefix_in(const struct svcd_aset *set, struct prefix4 p)
{
	for (size_t i = 0; i < set->n; i++)
		if (prefix4_equal(set->addrs[i], p))
			return true;
	return false;
}

/* Announce the set's addresses with metric, or withdraw them (0); `other` keeps what it announces. */
static void
svcd_set_route(struct svcd_service *sv, struct svcd_aset *set, const struct svcd_aset *other,
    uint8_t metric)
{
	struct svcd *d = sv->owner;

	if (set->metric == metric)
		return;
	for (size_t i = 0; i < set->n; i++) {
		if (metric == 0 && other != NULL && other->metric != 0 &&
		    svcd_prefix_in(other, set->addrs[i]))
			continue;
		d->ops.announce(d->ops.ctx, set->addrs[i], metric, metric != 0);
	}
	set->metric = metric;
}

static void
svcd_unaddr_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct svcd_service *sv = w->data;
	const struct svc *s = &sv->svc;

	(void)loop;
	(void)revents;
	/* Still failing (not back up, not passing again), still withdrawn. */
	if (sv->cur.metric == 0 && s->state == SVC_DOWN && s->consec_pass < s->cfg.rise &&
	    !sv->conf.keep_address)
		svcd_set_addresses(sv, &sv->cur, &sv->old, false);
}

static void
svcd_ungone_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct svcd_service *sv = w->data;

	(void)loop;
	(void)revents;
	svcd_set_addresses(sv, &sv->gone, &sv->cur, false);
	sv->gone.n = 0;
	svcd_hold_sync(sv->owner);
}

/*
 * What the service is announced with now: the state machine's last action
 * says what (service.h), this maps it to a metric.  A drain does not
 * withdraw at once: it announces SVCD_DRAIN_METRIC until the drain time is
 * over, then withdraws.  A router that keeps alternates (riposted) moves
 * to the other server at once either way; a router that keeps only the
 * best path (FRR, BIRD, Quagga) would drop a withdrawn route and wait for
 * the other server's next periodic update with nowhere to send the
 * queries, but a worse metric from its current next hop only makes the
 * other offer win when that update comes, while the draining server still
 * answers.  With a drain-time longer than those routers' update interval
 * no query is lost behind them either.
 */
static uint8_t
svcd_want_metric(const struct svcd_service *sv)
{
	switch (sv->svc.route) {
	case SVC_ACT_ANNOUNCE:
		return sv->conf.metric;
	case SVC_ACT_DRAIN:
		return sv->conf.metric > SVCD_DRAIN_METRIC ? sv->conf.metric : SVCD_DRAIN_METRIC;
	case SVC_ACT_NONE:
	case SVC_ACT_WITHDRAW:
		break;
	}
	return 0;
}

static void
svcd_log_out(const struct svc_out *out)
{
	if (out->to == SVC_DOWN && out->from != SVC_DRAINING && out->from != SVC_DRAINED)
		log_warnx("%s", out->log);
	else
		log_info("%s", out->log);
}

/*
 * The move is made: the new addresses are confirmed (or nothing is
 * announced, so nothing can break).  The old ones are withdrawn now, after
 * the new ones are announced (svcd_sync's order), and removed once the
 * urgent sends are out.
 */
static void
svcd_move_done(struct svcd_service *sv)
{
	struct svcd *d = sv->owner;
	char buf[PFX4_STRLEN];

	log_info("service %s: addresses moved to %s%s on %s", sv->conf.svc.name,
	    prefix4_ntop(sv->cur.addrs[0], buf), sv->cur.n > 1 ? " ..." : "", sv->cur.ifname);
	if (sv->gone.n > 0) {
		/* A move before the last one finished: its addresses go now. */
		ev_timer_stop(d->loop, &sv->ungone);
		svcd_set_route(sv, &sv->gone, &sv->cur, 0);
		svcd_set_addresses(sv, &sv->gone, &sv->cur, false);
	}
	sv->gone = sv->old;
	sv->old.n = 0;
	sv->old.metric = 0;
	sv->old.want = false;
	ev_timer_stop(d->loop, &sv->ungone);
	ev_timer_set(&sv->ungone, svcd_sec(SVCD_UNADDR_DELAY), 0.);
	ev_timer_start(d->loop, &sv->ungone);
}

/*
 * Bring what is announced and what is on the interfaces in line with the
 * state machine and the kernel: called after every transition, kernel
 * notification and reload.
 */
static void
svcd_sync(struct svcd_service *sv)
{
	struct svcd *d = sv->owner;
	char why[SVCD_REASON_MAX], cur_why[SVCD_REASON_MAX];
	struct svc_out out;
	bool moving = sv->old.n > 0;
	bool cur_ok = svcd_set_present(d, &sv->cur, cur_why, sizeof(cur_why));

	if (moving && (cur_ok || svcd_want_metric(sv) == 0)) {
		svcd_move_done(sv);
		moving = false;
	}
	/* While moving, the old addresses serve: the state follows them. */
	bool ready = moving ? svcd_set_present(d, &sv->old, why, sizeof(why)) : cur_ok;
	if (!moving)
		memcpy(why, cur_why, sizeof(why));
	if (!ready && sv->cur.want && sv->cur.ifindex != 0 && svcd_link_up(d, sv->cur.ifindex))
		snprintf(why + strlen(why), sizeof(why) - strlen(why), ", adding it again");
	svc_set_ready(&sv->svc, ready, why, clock_mono_now(), &out);
	if (out.changed)
		svcd_log_out(&out);

	/*
	 * Why it is not announced, for `show services`; a change that moved no
	 * state is logged here, one line.  An address we removed on purpose
	 * (failing checks) is no reason.
	 */
	const char *reason = "";
	if (sv->cur.ifindex == 0)
		reason = cur_why;
	else if (!cur_ok && (sv->cur.want || moving))
		reason = cur_why;
	if (strcmp(reason, sv->reason) != 0) {
		if (!out.changed && reason[0] != '\0')
			log_warnx("service %s: %s", sv->conf.svc.name, reason);
		else if (!out.changed && sv->reason[0] != '\0' && cur_ok)
			log_info("service %s: %s", sv->conf.svc.name, cur_why);
		snprintf(sv->reason, sizeof(sv->reason), "%s", reason);
	}

	/* Make before break: the new route first, then the old one goes. */
	uint8_t m = svcd_want_metric(sv);
	svcd_set_route(sv, &sv->cur, &sv->old, moving ? 0 : m);
	if (moving)
		svcd_set_route(sv, &sv->old, &sv->cur, m);
	if (sv->gone.n > 0)
		svcd_set_route(sv, &sv->gone, &sv->cur, 0);
	sv->route_metric = moving ? sv->old.metric : sv->cur.metric;
	sv->addr_present = cur_ok;

	bool up = sv->svc.state == SVC_UP;
	if (sv->announced != up) {
		sv->announced = up;
		if (up)
			sv->announcements++;
		else
			sv->withdrawals++;
	}
	/* A wanted address that is missing is put back (at start, after a deletion, a new interface). */
	if (sv->cur.want && !cur_ok) {
		ev_timer_stop(d->loop, &sv->unaddr);
		svcd_set_addresses(sv, &sv->cur, &sv->gone, true);
	}
	if (moving && sv->old.want)
		svcd_set_addresses(sv, &sv->old, &sv->cur, true);
	svcd_hold_sync(d);
}

/*
 * The drain deadline is on our clock; libev counts from its cached loop
 * time, which is older, so the timer can fire a little before the
 * deadline: then svc_tick() changes nothing and the timer is armed again.
 */
static void
svcd_arm_drain(struct svcd_service *sv)
{
	struct svcd *d = sv->owner;
	rtime_t next = svc_next_timer(&sv->svc);

	ev_timer_stop(d->loop, &sv->drain);
	if (next == RTIME_NEVER)
		return;
	ev_now_update(d->loop);
	rtime_t now = clock_mono_now();
	ev_timer_set(&sv->drain, next > now ? svcd_sec(next - now) : 0., 0.);
	ev_timer_start(d->loop, &sv->drain);
}

/* Carry out what the state machine decided. */
static void
svcd_apply(struct svcd_service *sv, const struct svc_out *out)
{
	struct svcd *d = sv->owner;

	if (out->changed) {
		svcd_log_out(out);
		/* Failing checks: the address goes, after the urgent sends. */
		if (out->to == SVC_DOWN && (out->from == SVC_UP || out->from == SVC_INIT) &&
		    (out->event == SVC_EV_CHECK_FAIL || out->event == SVC_EV_PROCESS_DIED) &&
		    !sv->conf.keep_address && sv->cur.want) {
			ev_timer_stop(d->loop, &sv->unaddr);
			ev_timer_set(&sv->unaddr, out->from == SVC_UP ?
			    svcd_sec(SVCD_UNADDR_DELAY) : 0., 0.);
			ev_timer_start(d->loop, &sv->unaddr);
		}
	}
	/* Passing again but the address was removed: put it back, announce once it is there. */
	if (out->blocked && !sv->cur.want) {
		ev_timer_stop(d->loop, &sv->unaddr);
		sv->cur.want = true;
	}
	svcd_sync(sv);
	svcd_arm_drain(sv);
}

/* -------------------------------------------------------------- checks */

/*
 * While a service is changing state (a failed round while up, a passed
 * round while down) the next rounds come every fast-interval instead of
 * every interval, like HAProxy's fastinter: `fall` failed rounds then take
 * fall x fast-interval, not fall x interval, and a dead service is
 * withdrawn sooner without probing a healthy one more often.  A service
 * that passed `rise` rounds and waits only for its address is not changing.
 */
static void
svcd_pace(struct svcd_service *sv)
{
	struct svcd *d = sv->owner;
	const struct svc *s = &sv->svc;
	bool changing = (s->state == SVC_UP && s->consec_fail > 0) ||
	    ((s->state == SVC_DOWN || s->state == SVC_INIT) && s->consec_pass > 0 &&
	    s->consec_pass < s->cfg.rise);
	double want = svcd_sec(changing ? service_conf_fast_interval(&sv->conf) :
	    sv->conf.svc.interval);

	if (sv->tick.repeat == want)
		return;
	sv->tick.repeat = want;
	/* Counts from now: the next round is due one (fast) interval after this result. */
	ev_timer_again(d->loop, &sv->tick);
}

static void
svcd_check_cb(void *arg, unsigned idx, enum check_result result, rtime_t latency,
    const char *reason)
{
	struct svcd_service *sv = arg;
	struct svc_out out;
	rtime_t now = clock_mono_now();

	log_debug("service %s: check %s: %s%s%s%s (%.1f ms)", sv->conf.svc.name,
	    sv->conf.svc.check_names[idx], result == CHECK_PASS ? "pass" :
	    result == CHECK_DIED ? "process died" : "fail", reason[0] ? " (" : "", reason,
	    reason[0] ? ")" : "", (double)latency / 1e3);
	if (result == CHECK_DIED)
		svc_process_died(&sv->svc, idx, now, reason, &out);
	else
		svc_check_result(&sv->svc, idx, result == CHECK_PASS, latency, now, reason, &out);
	if (out.changed || out.blocked)
		svcd_apply(sv, &out);
	svcd_pace(sv);
}

static void
svcd_tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct svcd_service *sv = w->data;

	(void)loop;
	(void)revents;
	for (unsigned i = 0; i < sv->conf.svc.n_checks; i++)
		if (sv->checks[i] != NULL)
			check_run(sv->checks[i]);
}

static void
svcd_drain_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct svcd_service *sv = w->data;
	struct svc_out out;

	(void)loop;
	(void)revents;
	svc_tick(&sv->svc, clock_mono_now(), &out);
	if (out.changed)
		svcd_apply(sv, &out);
	else
		svcd_arm_drain(sv);
}

/* ------------------------------------------------------------ state file */

static void
svcd_state_save(struct svcd *d)
{
	const char *names[64] = { NULL };
	const char **v = names;
	size_t n = 0;

	if (d->state_path == NULL)
		return;
	if (d->n > sizeof(names) / sizeof(names[0]) &&
	    (v = calloc(d->n, sizeof(*v))) == NULL) {
		log_warnx("services: out of memory, state file %s not written", d->state_path);
		return;
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->s[i]->drained_by_op)
			v[n++] = d->s[i]->conf.svc.name;
	if (drainfile_write(d->state_path, v, n) < 0)
		log_warn("services: cannot write the state file %s (a restart will not "
		    "remember the drained services)", d->state_path);
	if (v != names)
		free(v);
}

static void
svcd_restore_entry(void *arg, const char *name)
{
	struct svcd *d = arg;
	void *r = realloc(d->restore, (d->n_restore + 1) * sizeof(*d->restore));

	if (r == NULL)
		return;
	d->restore = r;
	snprintf(d->restore[d->n_restore++], SVC_NAME_MAX, "%s", name);
}

static void
svcd_restore_warn(void *arg, unsigned line, const char *msg)
{
	struct svcd *d = arg;

	log_warnx("%s:%u: %s, entry ignored", d->state_path, line, msg);
}

void
svcd_set_state_file(struct svcd *d, const char *path)
{
	char err[512], *buf;
	size_t len;
	int rc;

	free(d->state_path);
	d->state_path = NULL;
	free(d->restore);
	d->restore = NULL;
	d->n_restore = 0;
	if (path == NULL || (d->state_path = strdup(path)) == NULL)
		return;
	if ((rc = drainfile_read(path, &buf, &len, err, sizeof(err))) < 0) {
		log_warnx("services: ignoring the state file: %s", err);
		return;
	}
	if (rc == 0) {
		drainfile_parse(buf, len, svcd_restore_entry, svcd_restore_warn, d);
		free(buf);
	}
}

/* At start: the services drained before the restart start drained. */
static void
svcd_restore(struct svcd *d)
{
	struct svc_out out;

	for (size_t r = 0; r < d->n_restore; r++) {
		struct svcd_service *sv = NULL;
		for (size_t i = 0; i < d->n; i++)
			if (strcmp(d->s[i]->conf.svc.name, d->restore[r]) == 0)
				sv = d->s[i];
		if (sv == NULL) {
			log_warnx("%s: service %s is not configured, forgotten", d->state_path,
			    d->restore[r]);
			continue;
		}
		svc_restore_drained(&sv->svc, clock_mono_now(), &out);
		sv->drained_by_op = true;
		svcd_apply(sv, &out);
	}
	free(d->restore);
	d->restore = NULL;
	if (d->n_restore > 0)
		svcd_state_save(d);
	d->n_restore = 0;
}

/* ---------------------------------------------------------- life cycle */

static void
svcd_set_init(struct svcd *d, struct svcd_aset *set, const struct service_conf *c)
{
	memset(set, 0, sizeof(*set));
	memcpy(set->addrs, c->addrs, sizeof(set->addrs));
	set->n = c->n_addrs;
	snprintf(set->ifname, sizeof(set->ifname), "%s", c->ifname);
	set->ifindex = svcd_link_index(d, c->ifname);
}

/*
 * The time from a check's first failing run to the withdrawal: the run
 * that sees it comes up to an interval late, then `fall` rounds, each one
 * fast-interval apart but no shorter than a run that waits for its
 * timeout.  The zone check keeps twice that before its copy expires.
 */
static void
svcd_checks_react(struct svcd_service *sv)
{
	const struct service_conf *c = &sv->conf;
	rtime_t fast = service_conf_fast_interval(c), step;

	step = fast > c->svc.timeout ? fast : c->svc.timeout;
	for (unsigned i = 0; i < c->svc.n_checks; i++)
		if (sv->checks[i] != NULL)
			check_set_reaction(sv->checks[i],
			    c->svc.interval + (rtime_t)c->svc.fall * step);
}

static void
svcd_checks_new(struct svcd_service *sv)
{
	struct svcd *d = sv->owner;
	const struct service_conf *c = &sv->conf;

	for (unsigned i = 0; i < c->svc.n_checks; i++) {
		sv->checks[i] = check_new(d->loop, &c->checks[i], i, c->svc.timeout,
		    svcd_check_cb, sv);
		if (sv->checks[i] == NULL)
			log_warnx("service %s: check %s: out of memory", c->svc.name,
			    c->svc.check_names[i]);
	}
	svcd_checks_react(sv);
}

static void
svcd_checks_free(struct svcd_service *sv)
{
	for (unsigned i = 0; i < SVC_MAX_CHECKS; i++) {
		check_free(sv->checks[i]);
		sv->checks[i] = NULL;
	}
}

static struct svcd_service *
svcd_service_start(struct svcd *d, const struct service_conf *c)
{
	struct svcd_service *sv = calloc(1, sizeof(*sv));
	const char *why = NULL;

	if (sv == NULL)
		return NULL;
	sv->owner = d;
	sv->conf = *c;
	if (svc_init(&sv->svc, &c->svc, clock_mono_now(), &why) != SVC_OK) {
		/* The config parser validated it: this is a bug, not bad input. */
		log_warnx("service %s: %s", c->svc.name, why);
		free(sv);
		return NULL;
	}
	svcd_checks_new(sv);
	ev_timer_init(&sv->tick, svcd_tick_cb, 0., svcd_sec(c->svc.interval));
	ev_timer_init(&sv->drain, svcd_drain_cb, 0., 0.);
	ev_timer_init(&sv->unaddr, svcd_unaddr_cb, 0., 0.);
	ev_timer_init(&sv->ungone, svcd_ungone_cb, 0., 0.);
	sv->tick.data = sv->drain.data = sv->unaddr.data = sv->ungone.data = sv;
	svcd_set_init(d, &sv->cur, c);
	sv->cur.want = true;
	log_info("service %s: started, %u check%s every %lld ms", c->svc.name,
	    c->svc.n_checks, c->svc.n_checks == 1 ? "" : "s",
	    (long long)(c->svc.interval / RTIME_MS));
	ev_timer_start(d->loop, &sv->tick);
	return sv;
}

static void
svcd_service_stop(struct svcd_service *sv)
{
	struct svcd *d = sv->owner;

	svcd_set_route(sv, &sv->cur, NULL, 0);
	svcd_set_route(sv, &sv->old, NULL, 0);
	svcd_set_route(sv, &sv->gone, NULL, 0);
	sv->route_metric = 0;
	if (sv->announced) {
		sv->announced = false;
		sv->withdrawals++;
	}
	svcd_set_addresses(sv, &sv->cur, NULL, false);
	svcd_set_addresses(sv, &sv->old, NULL, false);
	svcd_set_addresses(sv, &sv->gone, NULL, false);
	sv->old.n = sv->gone.n = 0;
	ev_timer_stop(d->loop, &sv->tick);
	ev_timer_stop(d->loop, &sv->drain);
	ev_timer_stop(d->loop, &sv->unaddr);
	ev_timer_stop(d->loop, &sv->ungone);
	svcd_checks_free(sv);
}

/*
 * A changed block, in place (svcconf.h): the state, the counters of the
 * checks that stay and the announcement stay; only a new address set or
 * interface moves the addresses, make-before-break.
 */
static void
svcd_service_update(struct svcd_service *sv, const struct service_conf *c, unsigned diff)
{
	struct svcd *d = sv->owner;
	const char *why = NULL;
	int map[SVC_MAX_CHECKS];
	char buf[128];

	svcd_check_map(&sv->conf, c, map);
	if (svc_reconfigure(&sv->svc, &c->svc, map, &why) != SVC_OK) {
		log_warnx("service %s: %s, keeping the running settings", c->svc.name, why);
		return;
	}
	log_info("service %s: changed in place: %s", c->svc.name,
	    svcd_diff_describe(diff, buf, sizeof(buf)));
	if (diff & SVCD_DIFF_NEW_CHECKS)
		svcd_checks_free(sv);
	sv->conf = *c;
	if (diff & SVCD_DIFF_NEW_CHECKS)
		svcd_checks_new(sv);
	else
		svcd_checks_react(sv);	/* interval, fall: in place */
	if (diff & SVCD_DIFF_MOVE) {
		struct svcd_aset prev = sv->cur;
		svcd_set_init(d, &sv->cur, c);
		sv->cur.want = prev.want || prev.metric != 0;
		if (sv->old.n > 0) {
			/* Moved again before the last move was made: the old set still serves. */
			svcd_set_addresses(sv, &prev, &sv->old, false);
		} else if (prev.metric != 0) {
			sv->old = prev;
			sv->old.want = true;
		} else {
			/* Nothing announced, nothing to break. */
			svcd_set_addresses(sv, &prev, &sv->cur, false);
		}
	}
	if (diff & SVCD_DIFF_KEEP) {
		const struct svc *s = &sv->svc;
		bool failing = s->state == SVC_DOWN && s->consec_pass < s->cfg.rise;
		if (c->keep_address && !sv->cur.want)
			sv->cur.want = true;
		else if (!c->keep_address && failing && sv->cur.metric == 0)
			svcd_set_addresses(sv, &sv->cur, &sv->old, false);
	}
	svcd_sync(sv);
	svcd_arm_drain(sv);
	/* The interval: the next round is due one new interval from now. */
	sv->tick.repeat = 0.;
	svcd_pace(sv);
}

struct svcd *
svcd_new(struct ev_loop *loop, const struct svcd_ops *ops)
{
	struct svcd *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->loop = loop;
	d->ops = *ops;
	return d;
}

void
svcd_configure(struct svcd *d, const struct service_conf *services, size_t n_services)
{
	struct svcd_service **next = calloc(n_services + 1, sizeof(*next));
	bool save = false;
	size_t n = 0;

	if (next == NULL) {
		log_warnx("services: out of memory, keeping the running ones");
		return;
	}
	d->configuring = true;
	/* Stop what went first: its addresses may be a new service's. */
	for (size_t i = 0; i < d->n; i++) {
		bool found = false;
		for (size_t j = 0; j < n_services; j++)
			if (strcmp(services[j].svc.name, d->s[i]->conf.svc.name) == 0)
				found = true;
		if (found)
			continue;
		log_info("service %s: removed from the configuration", d->s[i]->conf.svc.name);
		save |= d->s[i]->drained_by_op;
		svcd_service_stop(d->s[i]);
		free(d->s[i]);
		d->s[i] = NULL;
	}
	for (size_t j = 0; j < n_services; j++) {
		const struct service_conf *c = &services[j];
		struct svcd_service *sv = NULL;
		for (size_t i = 0; i < d->n; i++) {
			if (d->s[i] != NULL && strcmp(d->s[i]->conf.svc.name, c->svc.name) == 0) {
				sv = d->s[i];
				d->s[i] = NULL;
				break;
			}
		}
		if (sv != NULL) {
			unsigned diff = svcd_conf_diff(&sv->conf, c);
			if (diff != 0)
				svcd_service_update(sv, c, diff);
			sv->conf.line = c->line;
		} else {
			sv = svcd_service_start(d, c);
		}
		if (sv != NULL)
			next[n++] = sv;
	}
	free(d->s);
	d->s = next;
	d->n = n;
	d->configuring = false;
	if (!d->configured) {
		d->configured = true;
		svcd_restore(d);
	}
	/* New services: their addresses are added, and a missing interface is said once. */
	for (size_t i = 0; i < d->n; i++)
		svcd_sync(d->s[i]);
	/* Removed services' addresses stay held until their removal is confirmed. */
	svcd_hold_sync(d);
	if (save)
		svcd_state_save(d);
}

size_t
svcd_conf_warn_missing_ifaces(const struct service_conf *svcs, size_t n)
{
	size_t missing = 0;

	for (size_t i = 0; i < n; i++) {
		if (if_nametoindex(svcs[i].ifname) != 0)
			continue;
		log_warnx("service %s: interface %s does not exist on this host: the service "
		    "stays down until it does", svcs[i].svc.name, svcs[i].ifname);
		missing++;
	}
	return missing;
}

static struct svcd_service *
svcd_find(const struct svcd *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->s[i]->conf.svc.name, name) == 0)
			return d->s[i];
	return NULL;
}

int
svcd_drain(struct svcd *d, const char *name, bool undrain, FILE *out)
{
	struct svcd_service *sv = svcd_find(d, name);
	struct svc_out o;

	if (sv == NULL) {
		fprintf(out, "no service '%s'\n", name);
		return -1;
	}
	enum svc_state was = sv->svc.state;
	if (undrain)
		svc_undrain(&sv->svc, clock_mono_now(), &o);
	else
		svc_drain(&sv->svc, clock_mono_now(), &o);
	svcd_apply(sv, &o);
	/* Remembered across a restart: an operator's drain, not SIGTERM's. */
	bool drained = sv->svc.state == SVC_DRAINING || sv->svc.state == SVC_DRAINED;
	if (drained != sv->drained_by_op) {
		sv->drained_by_op = drained;
		svcd_state_save(d);
	}
	if (!o.changed)
		fprintf(out, "service %s: %s, nothing to do\n", name, svc_state_name(was));
	else if (undrain)
		fprintf(out, "service %s: %s -> %s; announced again after %u passed rounds\n",
		    name, svc_state_name(o.from), svc_state_name(o.to), sv->conf.svc.rise);
	else
		fprintf(out, "service %s: %s -> %s; %s, address kept, withdrawn and drained in "
		    "%lld ms\n", name, svc_state_name(o.from), svc_state_name(o.to),
		    o.action == SVC_ACT_DRAIN ? "announced at the drain metric" :
		    "was not announced", (long long)(sv->conf.svc.drain_time / RTIME_MS));
	return 0;
}

rtime_t
svcd_drain_for_exit(struct svcd *d)
{
	rtime_t now = clock_mono_now(), t = 0;

	for (size_t i = 0; i < d->n; i++) {
		struct svcd_service *sv = d->s[i];
		struct svc_out o;
		/* Only an announced service has queries on their way to it. */
		if (!sv->announced)
			continue;
		svc_drain(&sv->svc, now, &o);
		svcd_apply(sv, &o);
		if (sv->conf.svc.drain_time > t)
			t = sv->conf.svc.drain_time;
	}
	return t;
}

size_t
svcd_count(const struct svcd *d)
{
	return d->n;
}

/* ---------------------------------------------------------------- show */

/*
 * The services for Prometheus (README, Metrics): one series per service
 * and state (1 for the current one, so a dashboard can sum by state), per
 * check its last result, pass/fail counters and the latency histogram.
 * Two checks of one service with the same text get "#2", "#3" appended:
 * a page must not hold one series twice.
 */
static void
svcd_check_label(const struct svc *svc, unsigned k, char *buf, size_t len)
{
	unsigned dup = 1;

	for (unsigned j = 0; j < k; j++)
		if (strcmp(svc->cfg.check_names[j], svc->cfg.check_names[k]) == 0)
			dup++;
	if (dup > 1)
		snprintf(buf, len, "%s#%u", svc->cfg.check_names[k], dup);
	else
		snprintf(buf, len, "%s", svc->cfg.check_names[k]);
}

void
svcd_metrics(const struct svcd *d, struct prom_w *w)
{
	char check[SVC_CHECK_NAME_MAX + 16];

	prom_family(w, "riposte_services", PROM_GAUGE, "Services configured.");
	prom_u64(w, "", d->n, NULL);
	prom_family(w, "riposte_service_state", PROM_GAUGE,
	    "1 for the state the service is in (init, up, down, draining, drained), 0 for the "
	    "others.");
	for (size_t i = 0; i < d->n; i++)
		for (int st = 0; st < SVC_NSTATES; st++)
			prom_u64(w, "", d->s[i]->svc.state == (enum svc_state)st,
			    "service", d->s[i]->svc.cfg.name, "state", svc_state_name(st), NULL);
	prom_family(w, "riposte_service_announced", PROM_GAUGE,
	    "1 while the service's addresses are announced at the service's metric (in "
	    "rotation).");
	for (size_t i = 0; i < d->n; i++)
		prom_u64(w, "", d->s[i]->announced, "service", d->s[i]->svc.cfg.name, NULL);
	prom_family(w, "riposte_service_route_metric", PROM_GAUGE,
	    "The RIP metric the service is announced with now (14 while draining); 16: "
	    "withdrawn.");
	for (size_t i = 0; i < d->n; i++)
		prom_u64(w, "", d->s[i]->route_metric != 0 ? d->s[i]->route_metric : 16,
		    "service", d->s[i]->svc.cfg.name, NULL);
	prom_family(w, "riposte_service_address_present", PROM_GAUGE,
	    "1 while every address of the service is confirmed on its interface by the kernel.");
	for (size_t i = 0; i < d->n; i++)
		prom_u64(w, "", d->s[i]->addr_present, "service", d->s[i]->svc.cfg.name, NULL);
	prom_family(w, "riposte_service_transitions", PROM_COUNTER,
	    "State changes of the service, by the state entered.");
	for (size_t i = 0; i < d->n; i++)
		for (int st = 0; st < SVC_NSTATES; st++)
			if (st != SVC_INIT)
				prom_u64(w, "", d->s[i]->svc.entered[st], "service",
				    d->s[i]->svc.cfg.name, "to", svc_state_name(st), NULL);
	prom_family(w, "riposte_service_drains", PROM_COUNTER,
	    "Drains begun (ripostectl drain, or the drain before riposted exits).");
	for (size_t i = 0; i < d->n; i++)
		prom_u64(w, "", d->s[i]->svc.entered[SVC_DRAINING], "service",
		    d->s[i]->svc.cfg.name, NULL);
	prom_family(w, "riposte_service_announcements", PROM_COUNTER,
	    "Times the service's route was announced.");
	for (size_t i = 0; i < d->n; i++)
		prom_u64(w, "", d->s[i]->announcements, "service", d->s[i]->svc.cfg.name, NULL);
	prom_family(w, "riposte_service_withdrawals", PROM_COUNTER,
	    "Times the service's route was withdrawn.");
	for (size_t i = 0; i < d->n; i++)
		prom_u64(w, "", d->s[i]->withdrawals, "service", d->s[i]->svc.cfg.name, NULL);

	prom_family(w, "riposte_service_check_up", PROM_GAUGE,
	    "The check's last result: 1 passed, 0 failed (absent before the first result).");
	for (size_t i = 0; i < d->n; i++) {
		const struct svc *svc = &d->s[i]->svc;
		for (unsigned k = 0; k < svc->cfg.n_checks; k++) {
			if (!svc->checks[k].has_result)
				continue;
			svcd_check_label(svc, k, check, sizeof(check));
			prom_u64(w, "", svc->checks[k].last_ok, "service", svc->cfg.name,
			    "check", check, NULL);
		}
	}
	prom_family(w, "riposte_service_check_results", PROM_COUNTER,
	    "Check results, by result (pass, fail).");
	for (size_t i = 0; i < d->n; i++) {
		const struct svc *svc = &d->s[i]->svc;
		for (unsigned k = 0; k < svc->cfg.n_checks; k++) {
			svcd_check_label(svc, k, check, sizeof(check));
			prom_u64(w, "", svc->checks[k].passes, "service", svc->cfg.name,
			    "check", check, "result", "pass", NULL);
			prom_u64(w, "", svc->checks[k].fails, "service", svc->cfg.name,
			    "check", check, "result", "fail", NULL);
		}
	}
	prom_family(w, "riposte_service_check_duration_seconds", PROM_HISTOGRAM,
	    "How long the check took to pass or fail (a timeout counts its timeout).");
	for (size_t i = 0; i < d->n; i++) {
		const struct svc *svc = &d->s[i]->svc;
		for (unsigned k = 0; k < svc->cfg.n_checks; k++) {
			struct prom_hist empty;
			const struct prom_hist *h = &svc->checks[k].latency;
			if (h->bounds == NULL) {
				prom_hist_init(&empty, svc_latency_bounds, svc_n_latency_bounds);
				h = &empty;
			}
			svcd_check_label(svc, k, check, sizeof(check));
			prom_hist(w, h, "service", svc->cfg.name, "check", check, NULL);
		}
	}
}

/* The metric announced now: at its own while up, the drain metric while draining. */
static const char *
svcd_show_rotation(const struct svcd_service *sv, char *buf, size_t len)
{
	if (sv->route_metric == 0)
		return "not announced";
	snprintf(buf, len, "%s at metric %u", sv->announced ? "announced" : "draining",
	    sv->route_metric);
	return buf;
}

static void
svcd_show_text(const struct svcd_service *sv, FILE *out, rtime_t now)
{
	const struct svc *s = &sv->svc;
	char buf[PFX4_STRLEN], rot[48];

	fprintf(out, "service %s: %s for %.1f s, %s:", sv->conf.svc.name,
	    svc_state_name(s->state), svcd_sec(now - s->since),
	    svcd_show_rotation(sv, rot, sizeof(rot)));
	for (size_t a = 0; a < sv->conf.n_addrs; a++)
		fprintf(out, "%s%s", a == 0 ? " " : ", ", prefix4_ntop(sv->conf.addrs[a], buf));
	fprintf(out, " on %s (address %s), %llu transitions\n", sv->conf.ifname,
	    sv->addr_present ? "present" : "removed", (unsigned long long)s->transitions);
	if (sv->reason[0] != '\0')
		fprintf(out, "  not announced: %s\n", sv->reason);
	fprintf(out, "  metric %u, every %lld ms, timeout %lld ms, rise %u, fall %u, "
	    "drain-time %lld ms\n", sv->conf.metric,
	    (long long)(sv->conf.svc.interval / RTIME_MS),
	    (long long)(sv->conf.svc.timeout / RTIME_MS), sv->conf.svc.rise, sv->conf.svc.fall,
	    (long long)(sv->conf.svc.drain_time / RTIME_MS));
	for (unsigned i = 0; i < sv->conf.svc.n_checks; i++) {
		const struct svc_check_stat *c = &s->checks[i];
		fprintf(out, "  check %s: ", sv->conf.svc.check_names[i]);
		if (!c->has_result)
			fputs("no result yet", out);
		else
			fprintf(out, "%s%s%s%s, %.1f ms, %.1f s ago", c->last_ok ? "pass" : "fail",
			    c->last_reason[0] ? " (" : "", c->last_reason,
			    c->last_reason[0] ? ")" : "", (double)c->last_latency / 1e3,
			    svcd_sec(now - c->last_at));
		fprintf(out, "; %llu passed, %llu failed\n", (unsigned long long)c->passes,
		    (unsigned long long)c->fails);
	}
}

/* Microseconds as milliseconds with three decimals: a check's latency is often < 1 ms. */
static void
svcd_show_ms(struct json_w *w, rtime_t us)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%s%lld.%03lld", us < 0 ? "-" : "",
	    (long long)(us < 0 ? -us : us) / 1000, (long long)(us < 0 ? -us : us) % 1000);
	json_number(w, buf);
}

/*
 * Every time field is in milliseconds and says so in its name (_ms).
 * "metric" means what it means in `show routes`: the metric the addresses
 * are announced with now, null while withdrawn; "configured_metric" is the
 * service's `metric` statement.
 */
static void
svcd_show_json(const struct svcd_service *sv, struct json_w *w, rtime_t now)
{
	const struct svc *s = &sv->svc;
	char buf[PFX4_STRLEN];

	json_obj_begin(w);
	json_key(w, "name"); json_str(w, sv->conf.svc.name);
	json_key(w, "state"); json_str(w, svc_state_name(s->state));
	json_key(w, "since_ms"); json_int(w, (now - s->since) / RTIME_MS);
	json_key(w, "announced"); json_bool(w, sv->announced);
	json_key(w, "metric");
	if (sv->route_metric != 0)
		json_uint(w, sv->route_metric);
	else
		json_null(w);
	json_key(w, "addresses");
	json_arr_begin(w);
	for (size_t a = 0; a < sv->conf.n_addrs; a++)
		json_str(w, prefix4_ntop(sv->conf.addrs[a], buf));
	json_arr_end(w);
	json_key(w, "interface"); json_str(w, sv->conf.ifname);
	json_key(w, "address_present"); json_bool(w, sv->addr_present);
	json_key(w, "reason");
	if (sv->reason[0] != '\0')
		json_str(w, sv->reason);
	else
		json_null(w);
	json_key(w, "configured_metric"); json_uint(w, sv->conf.metric);
	json_key(w, "interval_ms"); json_int(w, sv->conf.svc.interval / RTIME_MS);
	json_key(w, "timeout_ms"); json_int(w, sv->conf.svc.timeout / RTIME_MS);
	json_key(w, "rise"); json_uint(w, sv->conf.svc.rise);
	json_key(w, "fall"); json_uint(w, sv->conf.svc.fall);
	json_key(w, "drain_time_ms"); json_int(w, sv->conf.svc.drain_time / RTIME_MS);
	json_key(w, "keep_address"); json_bool(w, sv->conf.keep_address);
	json_key(w, "transitions"); json_uint(w, s->transitions);
	json_key(w, "rounds"); json_uint(w, s->rounds);
	json_key(w, "announcements"); json_uint(w, sv->announcements);
	json_key(w, "withdrawals"); json_uint(w, sv->withdrawals);
	json_key(w, "checks");
	json_arr_begin(w);
	for (unsigned i = 0; i < sv->conf.svc.n_checks; i++) {
		const struct svc_check_stat *c = &s->checks[i];
		json_obj_begin(w);
		json_key(w, "name"); json_str(w, sv->conf.svc.check_names[i]);
		json_key(w, "last");
		if (c->has_result)
			json_str(w, c->last_ok ? "pass" : "fail");
		else
			json_null(w);
		json_key(w, "latency_ms");
		if (c->has_result)
			svcd_show_ms(w, c->last_latency);
		else
			json_null(w);
		json_key(w, "reason"); json_str(w, c->last_reason);
		json_key(w, "ago_ms");
		if (c->has_result)
			json_int(w, (now - c->last_at) / RTIME_MS);
		else
			json_null(w);
		json_key(w, "passes"); json_uint(w, c->passes);
		json_key(w, "fails"); json_uint(w, c->fails);
		json_key(w, "skipped");
		json_uint(w, sv->checks[i] != NULL ? check_skipped(sv->checks[i]) : 0);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

bool
svcd_info(const struct svcd *d, const char *name, struct svcd_info *info)
{
	const struct svcd_service *sv = svcd_find(d, name);

	if (sv == NULL)
		return false;
	info->state = sv->svc.state;
	info->announced = sv->announced;
	info->metric = sv->route_metric;
	info->configured_metric = sv->conf.metric;
	info->address_present = sv->addr_present;
	info->rise = sv->conf.svc.rise;
	info->drain_time = sv->conf.svc.drain_time;
	return true;
}

int
svcd_show(const struct svcd *d, FILE *out, bool json, const char *name, rtime_t now)
{
	struct json_w w;

	if (name != NULL && svcd_find(d, name) == NULL) {
		fprintf(out, "no service '%s'\n", name);
		return -1;
	}
	if (json) {
		json_init(&w, out);
		json_obj_begin(&w);
		json_key(&w, "services");
		json_arr_begin(&w);
	} else if (d->n == 0) {
		fputs("no services configured\n", out);
	}
	for (size_t i = 0; i < d->n; i++) {
		if (name != NULL && strcmp(d->s[i]->conf.svc.name, name) != 0)
			continue;
		if (json)
			svcd_show_json(d->s[i], &w, now);
		else
			svcd_show_text(d->s[i], out, now);
	}
	if (!json)
		return 0;
	json_arr_end(&w);
	json_obj_end(&w);
	return json_end(&w);
}

void
svcd_stop(struct svcd *d)
{
	for (size_t i = 0; i < d->n; i++)
		svcd_service_stop(d->s[i]);
}

void
svcd_free(struct svcd *d)
{
	if (d == NULL)
		return;
	for (size_t i = 0; i < d->n; i++) {
		svcd_service_stop(d->s[i]);
		free(d->s[i]);
	}
	free(d->s);
	free(d->links);
	free(d->kaddrs);
	free(d->held);
	free(d->state_path);
	free(d->restore);
	free(d);
}
