/*
 * service.c - the service state machine: check results in, one log line
 * and an announcer action out per transition.  See service.h for the model
 * (rounds, rise/fall, drain) and the defaults.
 */
#include <stdio.h>
#include <string.h>

#include "health/service.h"

struct svc_trans {
	enum svc_state	 state;
	enum svc_event	 event;
	enum svc_state	 next;
	enum svc_action	 action;
};

/*
 * Pairs not listed are ignored: the state does not move and nothing is
 * logged.  That covers passes while UP, failures while DOWN, and every
 * check result while DRAINING/DRAINED (a drained service stays drained).
 * INIT has never been announced, so leaving it needs no WITHDRAW.  A
 * WITHDRAW when nothing is announced (the end of a drain that began
 * withdrawn) comes back as NONE (svc_dispatch).
 */
static const struct svc_trans svc_table[] = {
	{ SVC_INIT,	SVC_EV_CHECK_PASS,	SVC_UP,		SVC_ACT_ANNOUNCE },
	{ SVC_INIT,	SVC_EV_CHECK_FAIL,	SVC_DOWN,	SVC_ACT_NONE },
	{ SVC_INIT,	SVC_EV_PROCESS_DIED,	SVC_DOWN,	SVC_ACT_NONE },
	{ SVC_INIT,	SVC_EV_DRAIN,		SVC_DRAINING,	SVC_ACT_NONE },
	{ SVC_UP,	SVC_EV_CHECK_FAIL,	SVC_DOWN,	SVC_ACT_WITHDRAW },
	{ SVC_UP,	SVC_EV_PROCESS_DIED,	SVC_DOWN,	SVC_ACT_WITHDRAW },
	{ SVC_UP,	SVC_EV_DRAIN,		SVC_DRAINING,	SVC_ACT_DRAIN },
	{ SVC_DOWN,	SVC_EV_CHECK_PASS,	SVC_UP,		SVC_ACT_ANNOUNCE },
	{ SVC_DOWN,	SVC_EV_DRAIN,		SVC_DRAINING,	SVC_ACT_NONE },
	{ SVC_DRAINING,	SVC_EV_DRAIN_TIMER,	SVC_DRAINED,	SVC_ACT_WITHDRAW },
	{ SVC_DRAINING,	SVC_EV_UNDRAIN,		SVC_DOWN,	SVC_ACT_WITHDRAW },
	{ SVC_DRAINED,	SVC_EV_UNDRAIN,		SVC_DOWN,	SVC_ACT_NONE },
	/* Not ready: the address is not there, announcing it would blackhole. */
	{ SVC_UP,	SVC_EV_NOT_READY,	SVC_DOWN,	SVC_ACT_WITHDRAW },
	{ SVC_INIT,	SVC_EV_READY,		SVC_UP,		SVC_ACT_ANNOUNCE },
	{ SVC_DOWN,	SVC_EV_READY,		SVC_UP,		SVC_ACT_ANNOUNCE },
	{ SVC_INIT,	SVC_EV_RESTORE_DRAINED,	SVC_DRAINED,	SVC_ACT_NONE },
};

static const char *const svc_state_names[SVC_NSTATES] = {
	[SVC_INIT] = "init",
	[SVC_UP] = "up",
	[SVC_DOWN] = "down",
	[SVC_DRAINING] = "draining",
	[SVC_DRAINED] = "drained",
};

static const char *const svc_event_names[SVC_NEVENTS] = {
	[SVC_EV_CHECK_PASS] = "check-pass",
	[SVC_EV_CHECK_FAIL] = "check-fail",
	[SVC_EV_PROCESS_DIED] = "process-died",
	[SVC_EV_DRAIN] = "drain",
	[SVC_EV_UNDRAIN] = "undrain",
	[SVC_EV_DRAIN_TIMER] = "drain-timer",
	[SVC_EV_NOT_READY] = "not-ready",
	[SVC_EV_READY] = "ready",
	[SVC_EV_RESTORE_DRAINED] = "restore-drained",
};

const char *
svc_state_name(enum svc_state s)
{
	if ((unsigned)s >= SVC_NSTATES)
		return "unknown";
	return svc_state_names[s];
}

const char *
svc_event_name(enum svc_event e)
{
	if ((unsigned)e >= SVC_NEVENTS)
		return "unknown";
	return svc_event_names[e];
}

const char *
svc_action_name(enum svc_action a)
{
	switch (a) {
	case SVC_ACT_NONE:
		return "none";
	case SVC_ACT_ANNOUNCE:
		return "announce";
	case SVC_ACT_DRAIN:
		return "drain";
	case SVC_ACT_WITHDRAW:
		return "withdraw";
	}
	return "unknown";
}

const char *
svc_strerror(int err)
{
	switch (err) {
	case SVC_OK:
		return "ok";
	case SVC_E_INDEX:
		return "check index out of range";
	case SVC_E_RANGE:
		return "value out of range";
	case SVC_E_CONFIG:
		return "invalid service configuration";
	}
	return "unknown error";
}

bool
svc_is_announced(const struct svc *svc)
{
	return svc->state == SVC_UP;
}

void
svc_config_defaults(struct svc_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->rise = SVC_DEFAULT_RISE;
	cfg->fall = SVC_DEFAULT_FALL;
	cfg->interval = SVC_DEFAULT_INTERVAL;
	cfg->timeout = SVC_DEFAULT_TIMEOUT;
	cfg->drain_time = SVC_DEFAULT_DRAIN_TIME;
}

int
svc_config_validate(const struct svc_config *cfg, const char **why)
{
	const char *w = NULL;

	if (cfg->name[0] == '\0' ||
	    memchr(cfg->name, '\0', sizeof(cfg->name)) == NULL)
		w = "service name empty or too long";
	else if (cfg->rise < 1 || cfg->rise > 100)
		w = "rise not in 1..100";
	else if (cfg->fall < 1 || cfg->fall > 100)
		w = "fall not in 1..100";
	else if (cfg->interval < 10 * RTIME_MS || cfg->interval > 3600 * RTIME_SEC)
		w = "interval not in 10ms..1h";
	/*
	 * A timeout may exceed the interval (the issue's own example: 200 ms
	 * interval, 300 ms timeout): a check still in flight is not started
	 * again (check.h), so probes never overlap; a slow check only
	 * stretches the round.
	 */
	else if (cfg->timeout < RTIME_MS || cfg->timeout > 3600 * RTIME_SEC)
		w = "timeout not in 1ms..1h";
	else if (cfg->drain_time < 0 || cfg->drain_time > 3600 * RTIME_SEC)
		w = "drain-time not in 0..1h";
	else if (cfg->n_checks < 1 || cfg->n_checks > SVC_MAX_CHECKS)
		w = "number of checks not in 1..16";
	if (why != NULL)
		*why = w;
	return w == NULL ? SVC_OK : SVC_E_CONFIG;
}

/*
 * From a loopback check's half a millisecond to the longest timeout worth
 * having (a check times out at `timeout`, at most the interval).
 */
const double svc_latency_bounds[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
};
const unsigned svc_n_latency_bounds = sizeof(svc_latency_bounds) / sizeof(svc_latency_bounds[0]);

int
svc_init(struct svc *svc, const struct svc_config *cfg, rtime_t now,
    const char **why)
{
	int rc;

	if ((rc = svc_config_validate(cfg, why)) != SVC_OK)
		return rc;
	memset(svc, 0, sizeof(*svc));
	svc->cfg = *cfg;
	svc->state = SVC_INIT;
	svc->since = now;
	svc->drain_deadline = RTIME_NEVER;
	svc->ready = true;
	return SVC_OK;
}

static void
svc_out_clear(const struct svc *svc, struct svc_out *out)
{
	out->changed = false;
	out->blocked = false;
	out->event = SVC_NEVENTS;
	out->from = out->to = svc->state;
	out->action = SVC_ACT_NONE;
	out->log[0] = '\0';
}

/* "300 ms", "2 s", "1500 us": the unit that shows the value exactly. */
static void
svc_fmt_duration(char *buf, size_t len, rtime_t d)
{
	if (d % RTIME_SEC == 0)
		snprintf(buf, len, "%lld s", (long long)(d / RTIME_SEC));
	else if (d % RTIME_MS == 0)
		snprintf(buf, len, "%lld ms", (long long)(d / RTIME_MS));
	else
		snprintf(buf, len, "%lld us", (long long)d);
}

static const struct svc_trans *
svc_lookup(enum svc_state state, enum svc_event ev)
{
	size_t i;

	for (i = 0; i < sizeof(svc_table) / sizeof(svc_table[0]); i++)
		if (svc_table[i].state == state && svc_table[i].event == ev)
			return &svc_table[i];
	return NULL;
}

/*
 * Run one event through the table.  `why` is the text between "service
 * NAME: " and ", from -> to" in the log line, built by the caller because
 * only it knows which check or request caused the event.
 */
static void
svc_dispatch(struct svc *svc, enum svc_event ev, rtime_t now,
    const char *why, struct svc_out *out)
{
	const struct svc_trans *t;

	if ((t = svc_lookup(svc->state, ev)) == NULL)
		return;
	out->changed = true;
	out->event = ev;
	out->from = svc->state;
	out->to = t->next;
	out->action = t->action;
	if (t->action == SVC_ACT_WITHDRAW && svc->route == SVC_ACT_NONE)
		out->action = SVC_ACT_NONE;	/* nothing is out */
	if (out->action == SVC_ACT_WITHDRAW)
		svc->route = SVC_ACT_NONE;
	else if (out->action != SVC_ACT_NONE)
		svc->route = out->action;
	snprintf(out->log, sizeof(out->log), "service %s: %s, %s -> %s",
	    svc->cfg.name, why, svc_state_name(t->state),
	    svc_state_name(t->next));

	svc->state = t->next;
	svc->since = now;
	svc->transitions++;
	svc->entered[t->next]++;
	svc->drain_deadline = RTIME_NEVER;
	if (t->next == SVC_DRAINING) {
		svc->drain_deadline = now + svc->cfg.drain_time;
		svc->drain_route = t->action == SVC_ACT_DRAIN;
	} else {
		svc->drain_route = false;
	}
	if (ev == SVC_EV_UNDRAIN) {
		/* Back through rise: rounds seen while drained do not count. */
		svc->consec_pass = svc->consec_fail = 0;
	}
}

static void
svc_round_reset(struct svc *svc)
{
	unsigned i;

	for (i = 0; i < svc->cfg.n_checks; i++)
		svc->checks[i].fresh = false;
}

static void
svc_fmt_failed(char *buf, size_t len, const char *check, const char *prefix,
    const char *reason)
{
	if (reason != NULL && reason[0] != '\0')
		snprintf(buf, len, "check %s failed (%s%s)", check, prefix,
		    reason);
	else if (prefix[0] != '\0')
		snprintf(buf, len, "check %s failed (%.*s)", check,
		    (int)strlen(prefix) - 2, prefix);
	else
		snprintf(buf, len, "check %s failed", check);
}

int
svc_check_result(struct svc *svc, unsigned idx, bool ok, rtime_t latency_us,
    rtime_t now, const char *reason, struct svc_out *out)
{
	struct svc_check_stat *c;
	char why[SVC_LOG_MAX];
	unsigned i;

	svc_out_clear(svc, out);
	if (idx >= svc->cfg.n_checks)
		return SVC_E_INDEX;
	c = &svc->checks[idx];
	c->has_result = true;
	c->last_ok = ok;
	c->last_latency = latency_us;
	c->last_at = now;
	if (c->latency.bounds == NULL)
		prom_hist_init(&c->latency, svc_latency_bounds, svc_n_latency_bounds);
	prom_hist_observe(&c->latency, (double)latency_us / 1e6);
	snprintf(c->last_reason, sizeof(c->last_reason), "%s",
	    reason != NULL ? reason : "");

	if (!ok) {
		c->fails++;
		c->consec_fail++;
		c->consec_pass = 0;
		/* One failure decides the round; do not wait for the rest. */
		svc_round_reset(svc);
		svc->rounds++;
		svc->consec_fail++;
		svc->consec_pass = 0;
		if (svc->consec_fail >= svc->cfg.fall) {
			svc_fmt_failed(why, sizeof(why), svc->cfg.check_names[idx],
			    "", reason);
			svc_dispatch(svc, SVC_EV_CHECK_FAIL, now, why, out);
		}
		return SVC_OK;
	}

	c->passes++;
	c->consec_pass++;
	c->consec_fail = 0;
	c->fresh = true;
	for (i = 0; i < svc->cfg.n_checks; i++)
		if (!svc->checks[i].fresh)
			return SVC_OK;
	svc_round_reset(svc);
	svc->rounds++;
	svc->consec_pass++;
	svc->consec_fail = 0;
	if (svc->consec_pass >= svc->cfg.rise) {
		if (!svc->ready && (svc->state == SVC_INIT || svc->state == SVC_DOWN)) {
			out->blocked = true;
			return SVC_OK;
		}
		snprintf(why, sizeof(why), "%s passed %u rounds in a row",
		    svc->cfg.n_checks == 1 ? "check" : "all checks",
		    svc->consec_pass);
		svc_dispatch(svc, SVC_EV_CHECK_PASS, now, why, out);
	}
	return SVC_OK;
}

int
svc_process_died(struct svc *svc, unsigned idx, rtime_t now,
    const char *reason, struct svc_out *out)
{
	struct svc_check_stat *c;
	char why[SVC_LOG_MAX];

	svc_out_clear(svc, out);
	if (idx >= svc->cfg.n_checks)
		return SVC_E_INDEX;
	c = &svc->checks[idx];
	c->has_result = true;
	c->last_ok = false;
	c->last_latency = 0;
	c->last_at = now;
	snprintf(c->last_reason, sizeof(c->last_reason), "process died%s%s",
	    reason != NULL && reason[0] != '\0' ? ": " : "",
	    reason != NULL ? reason : "");
	c->fails++;
	c->consec_fail++;
	c->consec_pass = 0;

	/*
	 * A dead process does not come back by itself, so the whole `fall`
	 * budget is spent at once; the pass counter restarts so the new
	 * process has to earn `rise` rounds.
	 */
	svc_round_reset(svc);
	svc->rounds++;
	svc->consec_pass = 0;
	if (svc->consec_fail < svc->cfg.fall)
		svc->consec_fail = svc->cfg.fall;
	svc_fmt_failed(why, sizeof(why), svc->cfg.check_names[idx],
	    "process died: ", reason);
	svc_dispatch(svc, SVC_EV_PROCESS_DIED, now, why, out);
	return SVC_OK;
}

int
svc_drain(struct svc *svc, rtime_t now, struct svc_out *out)
{
	char why[64], d[32];

	svc_out_clear(svc, out);
	svc_fmt_duration(d, sizeof(d), svc->cfg.drain_time);
	snprintf(why, sizeof(why), "drain requested for %s", d);
	svc_dispatch(svc, SVC_EV_DRAIN, now, why, out);
	return SVC_OK;
}

int
svc_undrain(struct svc *svc, rtime_t now, struct svc_out *out)
{
	svc_out_clear(svc, out);
	svc_dispatch(svc, SVC_EV_UNDRAIN, now, "undrain requested", out);
	return SVC_OK;
}

int
svc_tick(struct svc *svc, rtime_t now, struct svc_out *out)
{
	char why[64], d[32];

	svc_out_clear(svc, out);
	if (svc->state != SVC_DRAINING || now < svc->drain_deadline)
		return SVC_OK;
	svc_fmt_duration(d, sizeof(d), svc->cfg.drain_time);
	snprintf(why, sizeof(why), "drain time %s elapsed", d);
	svc_dispatch(svc, SVC_EV_DRAIN_TIMER, now, why, out);
	return SVC_OK;
}

int
svc_set_ready(struct svc *svc, bool ready, const char *why, rtime_t now,
    struct svc_out *out)
{
	svc_out_clear(svc, out);
	if (svc->ready == ready)
		return SVC_OK;
	svc->ready = ready;
	if (svc->state == SVC_DRAINING) {
		/*
		 * The drain announcement follows the address: a missing one is
		 * a blackhole, not a worse path.  The drain itself goes on.
		 */
		if (svc->drain_route) {
			out->action = ready ? SVC_ACT_DRAIN : SVC_ACT_WITHDRAW;
			svc->route = ready ? SVC_ACT_DRAIN : SVC_ACT_NONE;
		}
		return SVC_OK;
	}
	if (!ready)
		svc_dispatch(svc, SVC_EV_NOT_READY, now, why, out);
	else if (svc->consec_pass >= svc->cfg.rise)
		svc_dispatch(svc, SVC_EV_READY, now, why, out);
	return SVC_OK;
}

int
svc_restore_drained(struct svc *svc, rtime_t now, struct svc_out *out)
{
	svc_out_clear(svc, out);
	svc_dispatch(svc, SVC_EV_RESTORE_DRAINED, now, "drained before the restart", out);
	return SVC_OK;
}

int
svc_reconfigure(struct svc *svc, const struct svc_config *cfg, const int *old_idx,
    const char **why)
{
	struct svc_check_stat checks[SVC_MAX_CHECKS];
	unsigned i;
	int rc;

	if ((rc = svc_config_validate(cfg, why)) != SVC_OK)
		return rc;
	memset(checks, 0, sizeof(checks));
	for (i = 0; i < cfg->n_checks; i++) {
		int o = old_idx != NULL ? old_idx[i] : -1;
		if (o >= 0 && (unsigned)o < svc->cfg.n_checks)
			checks[i] = svc->checks[o];
	}
	memcpy(svc->checks, checks, sizeof(checks));
	svc->cfg = *cfg;
	/* A new drain-time counts from the drain, as the old one did. */
	if (svc->state == SVC_DRAINING)
		svc->drain_deadline = svc->since + cfg->drain_time;
	return SVC_OK;
}

rtime_t
svc_next_timer(const struct svc *svc)
{
	return svc->state == SVC_DRAINING ? svc->drain_deadline : RTIME_NEVER;
}
