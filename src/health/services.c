/*
 * services.c - riposted's services at run time: see services.h for what
 * each transition does.  The decisions are service.c's (pure, tested on a
 * fake clock); this file only runs the checks on timers and carries the
 * decisions out.
 */
#include <ev.h>
#include <stdlib.h>
#include <string.h>

#include "health/check.h"
#include "health/service.h"
#include "health/services.h"
#include "lib/json.h"
#include "lib/log.h"

struct svcd_service {
	struct svcd		*owner;
	struct service_conf	 conf;
	struct svc		 svc;
	struct check		*checks[SVC_MAX_CHECKS];
	ev_timer		 tick;		/* every interval: run the checks */
	ev_timer		 drain;		/* drain deadline */
	ev_timer		 unaddr;	/* delayed address removal */
	bool			 announced;	/* in rotation: at its metric */
	uint8_t			 route_metric;	/* what is announced now; 0: withdrawn */
	bool			 addr_present;
	uint64_t		 announcements;
	uint64_t		 withdrawals;
};

struct svcd {
	struct ev_loop		*loop;
	struct svcd_ops		 ops;
	struct svcd_service	**s;
	size_t			 n;
};

static double
svcd_sec(rtime_t t)
{
	return (double)t / 1e6;
}

/* ----------------------------------------------------------- addresses */

static void
svcd_addresses(struct svcd_service *sv, bool add)
{
	struct svcd *d = sv->owner;

	ev_timer_stop(d->loop, &sv->unaddr);
	if (sv->addr_present == add)
		return;
	for (size_t i = 0; i < sv->conf.n_addrs; i++)
		d->ops.address(d->ops.ctx, sv->conf.ifname, sv->conf.addrs[i], add);
	sv->addr_present = add;
}

static void
svcd_unaddr_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct svcd_service *sv = w->data;

	(void)loop;
	(void)revents;
	if (sv->route_metric == 0)
		svcd_addresses(sv, false);
}

/* Announce the addresses with metric, or withdraw them (metric 0). */
static void
svcd_route(struct svcd_service *sv, uint8_t metric)
{
	struct svcd *d = sv->owner;

	if (sv->route_metric == metric)
		return;
	if (metric != 0)
		svcd_addresses(sv, true);
	for (size_t i = 0; i < sv->conf.n_addrs; i++)
		d->ops.announce(d->ops.ctx, sv->conf.addrs[i], metric, metric != 0);
	sv->route_metric = metric;
}

/* In or out of rotation: announced at `metric`, or at `out_metric` (0: withdrawn). */
static void
svcd_rotation(struct svcd_service *sv, bool up, uint8_t out_metric)
{
	svcd_route(sv, up ? sv->conf.metric : out_metric);
	if (sv->announced == up)
		return;
	sv->announced = up;
	if (up)
		sv->announcements++;
	else
		sv->withdrawals++;
}

static void
svcd_announce(struct svcd_service *sv, bool up)
{
	svcd_rotation(sv, up, 0);
}

/*
 * A drain does not withdraw at once: it announces SVCD_DRAIN_METRIC until
 * the drain time is over, then withdraws.  A router that keeps alternates
 * (riposted) moves to the other server at once either way; a router that
 * keeps only the best path (FRR, BIRD, Quagga) would drop a withdrawn route
 * and wait for the other server's next periodic update with nowhere to
 * send the queries, but a worse metric from its current next hop only makes
 * the other offer win when that update comes, while the draining server
 * still answers.  With a drain-time longer than those routers' update
 * interval no query is lost behind them either.
 */
static void
svcd_drain_route(struct svcd_service *sv)
{
	svcd_rotation(sv, false, sv->conf.metric > SVCD_DRAIN_METRIC ? sv->conf.metric :
	    SVCD_DRAIN_METRIC);
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

	if (!out->changed)
		return;
	if (out->to == SVC_DOWN && out->from != SVC_DRAINING && out->from != SVC_DRAINED)
		log_warnx("%s", out->log);
	else
		log_info("%s", out->log);

	if (out->action == SVC_ACT_ANNOUNCE)
		svcd_announce(sv, true);
	else if (out->action == SVC_ACT_WITHDRAW && out->to == SVC_DRAINING)
		svcd_drain_route(sv);
	else if (out->action == SVC_ACT_WITHDRAW)
		svcd_announce(sv, false);
	/* Drained or undrained: nothing stays announced at the drain metric. */
	if (out->to == SVC_DRAINED || out->from == SVC_DRAINING)
		svcd_route(sv, sv->announced ? sv->conf.metric : 0);

	/* Failing checks: the address goes, after the urgent sends. */
	if (out->to == SVC_DOWN && (out->from == SVC_UP || out->from == SVC_INIT) &&
	    !sv->conf.keep_address && sv->addr_present) {
		ev_timer_stop(d->loop, &sv->unaddr);
		ev_timer_set(&sv->unaddr, out->from == SVC_UP ? svcd_sec(SVCD_UNADDR_DELAY) : 0., 0.);
		ev_timer_start(d->loop, &sv->unaddr);
	}
	svcd_arm_drain(sv);
}

/* -------------------------------------------------------------- checks */

/*
 * While a service is changing state (a failed round while up, a passed
 * round while down) the next rounds come every fast-interval instead of
 * every interval, like HAProxy's fastinter: `fall` failed rounds then take
 * fall x fast-interval, not fall x interval, and a dead service is
 * withdrawn sooner without probing a healthy one more often.
 */
static void
svcd_pace(struct svcd_service *sv)
{
	struct svcd *d = sv->owner;
	const struct svc *s = &sv->svc;
	bool changing = (s->state == SVC_UP && s->consec_fail > 0) ||
	    ((s->state == SVC_DOWN || s->state == SVC_INIT) && s->consec_pass > 0);
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

/* ---------------------------------------------------------- life cycle */

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
	for (unsigned i = 0; i < c->svc.n_checks; i++) {
		sv->checks[i] = check_new(d->loop, &c->checks[i], i, c->svc.timeout,
		    svcd_check_cb, sv);
		if (sv->checks[i] == NULL)
			log_warnx("service %s: check %s: out of memory", c->svc.name,
			    c->svc.check_names[i]);
	}
	ev_timer_init(&sv->tick, svcd_tick_cb, 0., svcd_sec(c->svc.interval));
	ev_timer_init(&sv->drain, svcd_drain_cb, 0., 0.);
	ev_timer_init(&sv->unaddr, svcd_unaddr_cb, 0., 0.);
	sv->tick.data = sv->drain.data = sv->unaddr.data = sv;
	svcd_addresses(sv, true);
	ev_timer_start(d->loop, &sv->tick);
	log_info("service %s: started, %u check%s every %lld ms", c->svc.name,
	    c->svc.n_checks, c->svc.n_checks == 1 ? "" : "s",
	    (long long)(c->svc.interval / RTIME_MS));
	return sv;
}

static void
svcd_service_stop(struct svcd_service *sv)
{
	struct svcd *d = sv->owner;

	svcd_announce(sv, false);
	svcd_route(sv, 0);
	svcd_addresses(sv, false);
	ev_timer_stop(d->loop, &sv->tick);
	ev_timer_stop(d->loop, &sv->drain);
	ev_timer_stop(d->loop, &sv->unaddr);
	for (unsigned i = 0; i < sv->conf.svc.n_checks; i++) {
		check_free(sv->checks[i]);
		sv->checks[i] = NULL;
	}
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

/* Same block, apart from where it stands in the file? */
static bool
svcd_same(const struct service_conf *a, const struct service_conf *b)
{
	struct service_conf x = *a, y = *b;

	x.line = y.line = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

void
svcd_configure(struct svcd *d, const struct service_conf *services, size_t n_services)
{
	struct svcd_service **next = calloc(n_services + 1, sizeof(*next));
	size_t n = 0;

	if (next == NULL) {
		log_warnx("services: out of memory, keeping the running ones");
		return;
	}
	/* Stop what went or changed first: a changed service may keep its address. */
	for (size_t i = 0; i < d->n; i++) {
		const struct service_conf *c = service_conf_find(services, n_services,
		    d->s[i]->conf.svc.name);
		if (c != NULL && svcd_same(c, &d->s[i]->conf))
			continue;
		log_info("service %s: %s", d->s[i]->conf.svc.name,
		    c == NULL ? "removed from the configuration" : "changed, restarting");
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
		if (sv == NULL)
			sv = svcd_service_start(d, c);
		if (sv != NULL)
			next[n++] = sv;
	}
	free(d->s);
	d->s = next;
	d->n = n;
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
	if (!o.changed)
		fprintf(out, "service %s: %s, nothing to do\n", name, svc_state_name(was));
	else if (undrain)
		fprintf(out, "service %s: %s -> %s; announced again after %u passed rounds\n",
		    name, svc_state_name(o.from), svc_state_name(o.to), sv->conf.svc.rise);
	else
		fprintf(out, "service %s: %s -> %s; %s, address kept, withdrawn and drained in "
		    "%lld ms\n", name, svc_state_name(o.from), svc_state_name(o.to),
		    o.action == SVC_ACT_WITHDRAW ? "announced at the drain metric" :
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
	free(d);
}
