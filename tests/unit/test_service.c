/*
 * test_service.c - the service state machine on a fake clock: rise, fall,
 * flapping, process death, drain/undrain, the exact log lines, and the
 * duration parser used by the config.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "health/service.h"
#include "lib/conf.h"

/* The fake clock: tests advance it by hand, one interval per round. */
static rtime_t fake_now;

static void
setup_svc(struct svc *svc, unsigned n_checks)
{
	struct svc_config cfg;
	const char *why = "unset";

	svc_config_defaults(&cfg);
	snprintf(cfg.name, sizeof(cfg.name), "dns");
	cfg.n_checks = n_checks;
	snprintf(cfg.check_names[0], sizeof(cfg.check_names[0]),
	    "dns 127.0.0.1 test.home A");
	if (n_checks > 1)
		snprintf(cfg.check_names[1], sizeof(cfg.check_names[1]),
		    "process /run/nsd.pid");
	fake_now = 1000 * RTIME_SEC;
	assert_int_equal(svc_init(svc, &cfg, fake_now, &why), SVC_OK);
	assert_null(why);
	assert_int_equal(svc->state, SVC_INIT);
}

/* One probe result one interval later. */
static void
probe(struct svc *svc, unsigned idx, bool ok, const char *reason,
    struct svc_out *out)
{
	fake_now += svc->cfg.interval;
	assert_int_equal(svc_check_result(svc, idx, ok, 1234, fake_now,
	    reason, out), SVC_OK);
}

static void
bring_up(struct svc *svc)
{
	struct svc_out out;
	unsigned i;

	for (i = 0; i < svc->cfg.rise; i++)
		probe(svc, 0, true, NULL, &out);
	assert_int_equal(svc->state, SVC_UP);
	assert_int_equal(out.action, SVC_ACT_ANNOUNCE);
}

static void
test_rise(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 1);
	probe(&svc, 0, true, NULL, &out);
	assert_false(out.changed);
	probe(&svc, 0, true, NULL, &out);
	assert_false(out.changed);
	assert_int_equal(svc.state, SVC_INIT);
	probe(&svc, 0, true, NULL, &out);
	assert_true(out.changed);
	assert_int_equal(out.from, SVC_INIT);
	assert_int_equal(out.to, SVC_UP);
	assert_int_equal(out.action, SVC_ACT_ANNOUNCE);
	assert_string_equal(out.log,
	    "service dns: check passed 3 rounds in a row, init -> up");
	assert_true(svc_is_announced(&svc));
	assert_int_equal(svc.transitions, 1);
	assert_int_equal(svc.since, fake_now);
	assert_int_equal(svc.checks[0].last_latency, 1234);
	assert_int_equal(svc.checks[0].passes, 3);

	/* Further passes are no transition and no log line. */
	probe(&svc, 0, true, NULL, &out);
	assert_false(out.changed);
	assert_int_equal(out.action, SVC_ACT_NONE);
	assert_string_equal(out.log, "");
	assert_int_equal(svc.transitions, 1);
}

static void
test_rise_reset_by_failure(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 1);
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 0, false, "timeout 300 ms", &out);
	/* One failure is below fall: INIT stays, but the rise count resets. */
	assert_false(out.changed);
	assert_int_equal(svc.consec_pass, 0);
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 0, true, NULL, &out);
	assert_int_equal(svc.state, SVC_INIT);
	probe(&svc, 0, true, NULL, &out);
	assert_int_equal(svc.state, SVC_UP);
	assert_int_equal(out.action, SVC_ACT_ANNOUNCE);
}

static void
test_rise_needs_every_check(void **state)
{
	struct svc svc;
	struct svc_out out;
	int i;

	(void)state;
	setup_svc(&svc, 2);
	/* Only check 0 reports: no round completes, nothing is announced. */
	for (i = 0; i < 10; i++)
		probe(&svc, 0, true, NULL, &out);
	assert_int_equal(svc.state, SVC_INIT);
	assert_int_equal(svc.rounds, 0);
	for (i = 0; i < 3; i++) {
		probe(&svc, 0, true, NULL, &out);
		probe(&svc, 1, true, NULL, &out);
	}
	assert_int_equal(svc.state, SVC_UP);
	assert_string_equal(out.log,
	    "service dns: all checks passed 3 rounds in a row, init -> up");
}

static void
test_fall(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 1);
	bring_up(&svc);
	probe(&svc, 0, false, "timeout 300 ms", &out);
	assert_false(out.changed);
	assert_int_equal(svc.state, SVC_UP);
	probe(&svc, 0, false, "timeout 300 ms", &out);
	assert_true(out.changed);
	assert_int_equal(svc.state, SVC_DOWN);
	assert_int_equal(out.action, SVC_ACT_WITHDRAW);
	assert_string_equal(out.log, "service dns: check dns 127.0.0.1 "
	    "test.home A failed (timeout 300 ms), up -> down");
	assert_int_equal(svc.checks[0].consec_fail, 2);
	assert_false(svc.checks[0].last_ok);
	assert_string_equal(svc.checks[0].last_reason, "timeout 300 ms");
	assert_int_equal(svc.transitions, 2);

	/* Down stays down silently; rise brings it back. */
	probe(&svc, 0, false, "timeout 300 ms", &out);
	assert_false(out.changed);
	bring_up(&svc);
	assert_int_equal(svc.transitions, 3);
}

static void
test_fall_from_init_no_withdraw(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 1);
	probe(&svc, 0, false, NULL, &out);
	probe(&svc, 0, false, NULL, &out);
	assert_int_equal(svc.state, SVC_DOWN);
	/* Never announced, so nothing to withdraw. */
	assert_int_equal(out.action, SVC_ACT_NONE);
	assert_string_equal(out.log,
	    "service dns: check dns 127.0.0.1 test.home A failed, init -> down");
}

static void
test_flapping(void **state)
{
	struct svc svc;
	struct svc_out out;
	int i;

	(void)state;
	setup_svc(&svc, 1);
	for (i = 0; i < 100; i++) {
		probe(&svc, 0, i % 2 == 0, "refused", &out);
		assert_int_equal(out.action, SVC_ACT_NONE);
		assert_int_equal(svc.state, SVC_INIT);
	}
	assert_int_equal(svc.transitions, 0);

	/* Once up, alternating never reaches fall 2 either: it stays up. */
	bring_up(&svc);
	for (i = 0; i < 100; i++) {
		probe(&svc, 0, i % 2 != 0, "refused", &out);
		assert_false(out.changed);
	}
	assert_int_equal(svc.state, SVC_UP);
	assert_int_equal(svc.transitions, 1);
}

static void
test_process_died(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 2);
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 1, true, NULL, &out);
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 1, true, NULL, &out);
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 1, true, NULL, &out);
	assert_int_equal(svc.state, SVC_UP);

	fake_now += 3 * RTIME_MS;
	assert_int_equal(svc_process_died(&svc, 1, fake_now, "exit status 1",
	    &out), SVC_OK);
	assert_true(out.changed);
	assert_int_equal(svc.state, SVC_DOWN);
	assert_int_equal(out.action, SVC_ACT_WITHDRAW);
	assert_string_equal(out.log, "service dns: check process /run/nsd.pid "
	    "failed (process died: exit status 1), up -> down");
	assert_string_equal(svc.checks[1].last_reason,
	    "process died: exit status 1");
	assert_int_equal(svc.since, fake_now);

	/* Without a reason the log still says why. */
	setup_svc(&svc, 2);
	assert_int_equal(svc_process_died(&svc, 1, fake_now, NULL, &out),
	    SVC_OK);
	assert_string_equal(out.log, "service dns: check process /run/nsd.pid "
	    "failed (process died), init -> down");
	assert_int_equal(out.action, SVC_ACT_NONE);

	assert_int_equal(svc_process_died(&svc, 2, fake_now, NULL, &out),
	    SVC_E_INDEX);
	assert_int_equal(svc_check_result(&svc, 7, true, 0, fake_now, NULL,
	    &out), SVC_E_INDEX);
}

static void
test_drain(void **state)
{
	struct svc svc;
	struct svc_out out;
	rtime_t t0;

	(void)state;
	setup_svc(&svc, 1);
	bring_up(&svc);
	t0 = fake_now;
	assert_int_equal(svc_next_timer(&svc), RTIME_NEVER);
	assert_int_equal(svc_drain(&svc, t0, &out), SVC_OK);
	assert_int_equal(svc.state, SVC_DRAINING);
	/* Out of rotation, but still a path: announced at the drain metric. */
	assert_int_equal(out.action, SVC_ACT_DRAIN);
	assert_int_equal(svc.route, SVC_ACT_DRAIN);
	assert_string_equal(out.log,
	    "service dns: drain requested for 10 s, up -> draining");
	assert_int_equal(svc_next_timer(&svc), t0 + 10 * RTIME_SEC);

	/* A second drain is ignored. */
	svc_drain(&svc, t0, &out);
	assert_false(out.changed);

	/* Not yet: one microsecond before the deadline. */
	svc_tick(&svc, t0 + 10 * RTIME_SEC - 1, &out);
	assert_false(out.changed);
	assert_int_equal(svc.state, SVC_DRAINING);
	svc_tick(&svc, t0 + 10 * RTIME_SEC, &out);
	assert_true(out.changed);
	assert_int_equal(svc.state, SVC_DRAINED);
	assert_int_equal(out.action, SVC_ACT_WITHDRAW);
	assert_int_equal(svc.route, SVC_ACT_NONE);
	assert_string_equal(out.log,
	    "service dns: drain time 10 s elapsed, draining -> drained");
	assert_int_equal(svc_next_timer(&svc), RTIME_NEVER);

	/* Passing checks do not undrain. */
	fake_now = t0 + 10 * RTIME_SEC;
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 0, true, NULL, &out);
	assert_int_equal(svc.state, SVC_DRAINED);

	/* Undrain goes back through rise, ignoring the rounds seen drained. */
	svc_undrain(&svc, fake_now, &out);
	assert_int_equal(svc.state, SVC_DOWN);
	assert_int_equal(out.action, SVC_ACT_NONE);
	assert_string_equal(out.log,
	    "service dns: undrain requested, drained -> down");
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 0, true, NULL, &out);
	assert_int_equal(svc.state, SVC_DOWN);
	probe(&svc, 0, true, NULL, &out);
	assert_int_equal(svc.state, SVC_UP);
	assert_int_equal(out.action, SVC_ACT_ANNOUNCE);
	assert_string_equal(out.log,
	    "service dns: check passed 3 rounds in a row, down -> up");

	/* Undrain when not drained is ignored. */
	svc_undrain(&svc, fake_now, &out);
	assert_false(out.changed);
	assert_int_equal(svc.state, SVC_UP);
}

static void
test_failure_while_draining(void **state)
{
	struct svc svc;
	struct svc_out out;
	int i;

	(void)state;
	setup_svc(&svc, 2);
	for (i = 0; i < 3; i++) {
		probe(&svc, 0, true, NULL, &out);
		probe(&svc, 1, true, NULL, &out);
	}
	svc_drain(&svc, fake_now, &out);
	assert_int_equal(out.action, SVC_ACT_DRAIN);
	for (i = 0; i < 5; i++) {
		probe(&svc, 0, false, "timeout 300 ms", &out);
		assert_false(out.changed);
	}
	assert_int_equal(svc_process_died(&svc, 1, fake_now, "killed", &out),
	    SVC_OK);
	assert_false(out.changed);
	assert_int_equal(svc.state, SVC_DRAINING);
	svc_tick(&svc, fake_now + 10 * RTIME_SEC, &out);
	assert_int_equal(svc.state, SVC_DRAINED);
	probe(&svc, 0, false, "timeout 300 ms", &out);
	assert_int_equal(svc.state, SVC_DRAINED);

	/* Undrain of a failing service: down, and it stays down. */
	svc_undrain(&svc, fake_now, &out);
	assert_int_equal(svc.state, SVC_DOWN);
	probe(&svc, 0, false, "timeout 300 ms", &out);
	probe(&svc, 0, false, "timeout 300 ms", &out);
	assert_int_equal(svc.state, SVC_DOWN);
	assert_int_equal(out.action, SVC_ACT_NONE);
}

static void
test_drain_from_down(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 1);
	probe(&svc, 0, false, NULL, &out);
	probe(&svc, 0, false, NULL, &out);
	assert_int_equal(svc.state, SVC_DOWN);
	svc_drain(&svc, fake_now, &out);
	assert_int_equal(svc.state, SVC_DRAINING);
	/* Already withdrawn: nothing to drain, and no WITHDRAW at its end. */
	assert_int_equal(out.action, SVC_ACT_NONE);
	svc_set_ready(&svc, false, "x", fake_now, &out);
	assert_int_equal(out.action, SVC_ACT_NONE);
	svc_set_ready(&svc, true, "y", fake_now, &out);
	assert_int_equal(out.action, SVC_ACT_NONE);
	svc_tick(&svc, fake_now + 10 * RTIME_SEC, &out);
	assert_int_equal(svc.state, SVC_DRAINED);
	assert_true(out.changed);
	assert_int_equal(out.action, SVC_ACT_NONE);
	assert_int_equal(svc.route, SVC_ACT_NONE);
}

/* Undrain while draining announced: the drain route is withdrawn. */
static void
test_undrain_while_draining(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 1);
	bring_up(&svc);
	svc_drain(&svc, fake_now, &out);
	assert_int_equal(out.action, SVC_ACT_DRAIN);
	svc_undrain(&svc, fake_now, &out);
	assert_int_equal(out.to, SVC_DOWN);
	assert_int_equal(out.action, SVC_ACT_WITHDRAW);
	assert_int_equal(svc.route, SVC_ACT_NONE);
	/* A drain from DOWN after that announces nothing. */
	svc_drain(&svc, fake_now, &out);
	assert_int_equal(out.action, SVC_ACT_NONE);
	svc_undrain(&svc, fake_now, &out);
	assert_int_equal(out.action, SVC_ACT_NONE);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(svc_state_name(SVC_INIT), "init");
	assert_string_equal(svc_state_name(SVC_UP), "up");
	assert_string_equal(svc_state_name(SVC_DOWN), "down");
	assert_string_equal(svc_state_name(SVC_DRAINING), "draining");
	assert_string_equal(svc_state_name(SVC_DRAINED), "drained");
	assert_string_equal(svc_state_name(SVC_NSTATES), "unknown");
	assert_string_equal(svc_event_name(SVC_EV_PROCESS_DIED),
	    "process-died");
	assert_string_equal(svc_action_name(SVC_ACT_WITHDRAW), "withdraw");
	assert_string_equal(svc_action_name(SVC_ACT_DRAIN), "drain");
}

static void
test_config(void **state)
{
	struct svc_config cfg;
	struct svc svc;
	const char *why = NULL;

	(void)state;
	svc_config_defaults(&cfg);
	assert_int_equal(cfg.rise, 3);
	assert_int_equal(cfg.fall, 2);
	assert_int_equal(cfg.interval, RTIME_SEC);
	assert_int_equal(cfg.timeout, 500 * RTIME_MS);
	assert_int_equal(cfg.drain_time, 10 * RTIME_SEC);
	/* No name, no checks. */
	assert_int_equal(svc_config_validate(&cfg, &why), SVC_E_CONFIG);
	assert_non_null(why);
	snprintf(cfg.name, sizeof(cfg.name), "dns");
	assert_int_equal(svc_config_validate(&cfg, &why), SVC_E_CONFIG);
	assert_string_equal(why, "number of checks not in 1..16");
	cfg.n_checks = 1;
	assert_int_equal(svc_config_validate(&cfg, &why), SVC_OK);
	/* Longer than the interval is fine (no overlap: check.h), an hour and more is not. */
	cfg.timeout = 2 * RTIME_SEC;
	assert_int_equal(svc_config_validate(&cfg, &why), SVC_OK);
	cfg.timeout = 3601 * RTIME_SEC;
	assert_int_equal(svc_init(&svc, &cfg, 0, &why), SVC_E_CONFIG);
	assert_string_equal(why, "timeout not in 1ms..1h");
	cfg.timeout = 500 * RTIME_MS;
	cfg.rise = 0;
	assert_int_equal(svc_config_validate(&cfg, &why), SVC_E_CONFIG);
	cfg.rise = 3;
	cfg.n_checks = SVC_MAX_CHECKS + 1;
	assert_int_equal(svc_config_validate(&cfg, &why), SVC_E_CONFIG);
}

static void
test_duration_good(void **state)
{
	static const struct {
		const char	*in;
		rtime_t		 want;
	} v[] = {
		{ "200ms", 200 * RTIME_MS },
		{ "2s", 2 * RTIME_SEC },
		{ "1m", 60 * RTIME_SEC },
		{ "0s", 0 },
		{ "0ms", 0 },
		{ "007s", 7 * RTIME_SEC },
		{ "1440m", 24LL * 3600 * RTIME_SEC },
		{ "86400s", 24LL * 3600 * RTIME_SEC },
	};
	rtime_t d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		d = -1;
		assert_int_equal(conf_duration_parse(v[i].in, &d), CONF_DUR_OK);
		assert_int_equal(d, v[i].want);
	}
}

static void
test_duration_bad(void **state)
{
	static const struct {
		const char	*in;
		int		 err;
	} v[] = {
		{ "", CONF_DUR_SYNTAX },
		{ "ms", CONF_DUR_SYNTAX },
		{ "-1s", CONF_DUR_SYNTAX },
		{ "+1s", CONF_DUR_SYNTAX },
		{ " 1s", CONF_DUR_SYNTAX },
		{ "200", CONF_DUR_UNIT },
		{ "1.5s", CONF_DUR_UNIT },
		{ "1 s", CONF_DUR_UNIT },
		{ "1s ", CONF_DUR_UNIT },
		{ "1h", CONF_DUR_UNIT },
		{ "1us", CONF_DUR_UNIT },
		{ "1S", CONF_DUR_UNIT },
		{ "1sm", CONF_DUR_UNIT },
		{ "1441m", CONF_DUR_RANGE },
		{ "86401s", CONF_DUR_RANGE },
		{ "99999999999999999999999999ms", CONF_DUR_RANGE },
	};
	rtime_t d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		d = 42;
		assert_int_equal(conf_duration_parse(v[i].in, &d), v[i].err);
		/* Untouched on error. */
		assert_int_equal(d, 42);
	}
	assert_int_equal(conf_duration_parse(NULL, &d), CONF_DUR_SYNTAX);
}

/* An UP service whose address goes missing is withdrawn at once; back when it returns. */
static void
test_not_ready_withdraws(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 1);
	bring_up(&svc);
	fake_now += 10 * RTIME_MS;
	assert_int_equal(svc_set_ready(&svc, false, "address 10.0.0.1/32 missing on lo",
	    fake_now, &out), SVC_OK);
	assert_true(out.changed);
	assert_int_equal(out.event, SVC_EV_NOT_READY);
	assert_int_equal(out.from, SVC_UP);
	assert_int_equal(out.to, SVC_DOWN);
	assert_int_equal(out.action, SVC_ACT_WITHDRAW);
	assert_string_equal(out.log,
	    "service dns: address 10.0.0.1/32 missing on lo, up -> down");
	assert_false(svc_is_announced(&svc));
	/* Saying it again is no event. */
	svc_set_ready(&svc, false, "x", fake_now, &out);
	assert_false(out.changed);
	/* Checks keep passing, but nothing is announced without the address. */
	probe(&svc, 0, true, NULL, &out);
	assert_false(out.changed);
	assert_true(out.blocked);
	assert_int_equal(svc.state, SVC_DOWN);
	/* Back: up at once, the rounds passed all along. */
	svc_set_ready(&svc, true, "address 10.0.0.1/32 present on lo", fake_now, &out);
	assert_true(out.changed);
	assert_int_equal(out.event, SVC_EV_READY);
	assert_int_equal(out.to, SVC_UP);
	assert_int_equal(out.action, SVC_ACT_ANNOUNCE);
	assert_string_equal(out.log,
	    "service dns: address 10.0.0.1/32 present on lo, down -> up");
}

/* Not ready from the start (interface missing): rise rounds do not announce. */
static void
test_not_ready_blocks_rise(void **state)
{
	struct svc svc;
	struct svc_out out;
	unsigned i;

	(void)state;
	setup_svc(&svc, 1);
	svc_set_ready(&svc, false, "interface eth9 does not exist", fake_now, &out);
	/* INIT was never announced: no transition, nothing to withdraw. */
	assert_false(out.changed);
	for (i = 0; i < 10; i++) {
		probe(&svc, 0, true, NULL, &out);
		assert_false(out.changed);
		assert_int_equal(out.blocked, i + 1 >= svc.cfg.rise);
	}
	assert_int_equal(svc.state, SVC_INIT);
	svc_set_ready(&svc, true, "address present", fake_now, &out);
	assert_int_equal(out.to, SVC_UP);
	assert_int_equal(out.action, SVC_ACT_ANNOUNCE);

	/* Ready again before rise: no transition, the rounds decide. */
	setup_svc(&svc, 1);
	svc_set_ready(&svc, false, "x", fake_now, &out);
	probe(&svc, 0, true, NULL, &out);
	svc_set_ready(&svc, true, "y", fake_now, &out);
	assert_false(out.changed);
	probe(&svc, 0, true, NULL, &out);
	probe(&svc, 0, true, NULL, &out);
	assert_int_equal(out.to, SVC_UP);
}

/*
 * While draining, readiness moves no state, but the drain announcement
 * follows the address: withdrawn while it is missing (a blackhole), made
 * again when it is back.  The drain time runs on.
 */
static void
test_not_ready_while_draining(void **state)
{
	struct svc svc;
	struct svc_out out;
	rtime_t t0;

	(void)state;
	setup_svc(&svc, 1);
	bring_up(&svc);
	t0 = fake_now;
	svc_drain(&svc, t0, &out);
	assert_int_equal(out.action, SVC_ACT_DRAIN);
	svc_set_ready(&svc, false, "x", t0 + RTIME_SEC, &out);
	assert_false(out.changed);
	assert_int_equal(out.action, SVC_ACT_WITHDRAW);
	assert_int_equal(svc.route, SVC_ACT_NONE);
	assert_int_equal(svc.state, SVC_DRAINING);
	svc_set_ready(&svc, true, "y", t0 + 2 * RTIME_SEC, &out);
	assert_false(out.changed);
	assert_int_equal(out.action, SVC_ACT_DRAIN);
	assert_int_equal(svc.route, SVC_ACT_DRAIN);
	assert_int_equal(svc.state, SVC_DRAINING);
	assert_int_equal(svc_next_timer(&svc), t0 + 10 * RTIME_SEC);
	/* Missing at the end of the drain: nothing is out, nothing to withdraw. */
	svc_set_ready(&svc, false, "x", t0 + 3 * RTIME_SEC, &out);
	svc_tick(&svc, t0 + 10 * RTIME_SEC, &out);
	assert_int_equal(svc.state, SVC_DRAINED);
	assert_int_equal(out.action, SVC_ACT_NONE);
}

static void
test_restore_drained(void **state)
{
	struct svc svc;
	struct svc_out out;

	(void)state;
	setup_svc(&svc, 1);
	svc_restore_drained(&svc, fake_now, &out);
	assert_true(out.changed);
	assert_int_equal(out.to, SVC_DRAINED);
	assert_int_equal(out.action, SVC_ACT_NONE);
	assert_string_equal(out.log,
	    "service dns: drained before the restart, init -> drained");
	/* Passing checks do not bring it back; undrain and rise do. */
	for (unsigned i = 0; i < 5; i++) {
		probe(&svc, 0, true, NULL, &out);
		assert_false(out.changed);
	}
	svc_undrain(&svc, fake_now, &out);
	assert_int_equal(out.to, SVC_DOWN);
	bring_up(&svc);
	/* Only from INIT. */
	svc_restore_drained(&svc, fake_now, &out);
	assert_false(out.changed);
}

/* New settings in place: state and counters stay, checks follow their map. */
static void
test_reconfigure(void **state)
{
	struct svc svc;
	struct svc_config cfg;
	struct svc_out out;
	const char *why = NULL;
	int map[SVC_MAX_CHECKS];

	(void)state;
	setup_svc(&svc, 2);
	for (unsigned i = 0; i < svc.cfg.rise; i++) {
		probe(&svc, 0, true, NULL, &out);
		probe(&svc, 1, true, NULL, &out);
	}
	assert_int_equal(svc.state, SVC_UP);
	uint64_t passes1 = svc.checks[1].passes;

	/* Check 0 goes, check 1 becomes check 0, a new check 1; fall 2 -> 3. */
	cfg = svc.cfg;
	cfg.fall = 3;
	memcpy(cfg.check_names[0], svc.cfg.check_names[1], sizeof(cfg.check_names[0]));
	snprintf(cfg.check_names[1], sizeof(cfg.check_names[1]), "tcp 127.0.0.1:53");
	map[0] = 1;
	map[1] = -1;
	assert_int_equal(svc_reconfigure(&svc, &cfg, map, &why), SVC_OK);
	assert_int_equal(svc.state, SVC_UP);
	assert_int_equal(svc.transitions, 1);
	assert_int_equal(svc.checks[0].passes, passes1);
	assert_int_equal(svc.checks[1].passes, 0);
	assert_false(svc.checks[1].has_result);
	/* The new fall counts: two failed rounds do not withdraw, three do. */
	probe(&svc, 0, false, "x", &out);
	probe(&svc, 0, false, "x", &out);
	assert_int_equal(svc.state, SVC_UP);
	probe(&svc, 0, false, "x", &out);
	assert_int_equal(out.to, SVC_DOWN);

	/* Invalid settings change nothing. */
	cfg.rise = 0;
	assert_int_equal(svc_reconfigure(&svc, &cfg, map, &why), SVC_E_CONFIG);
	assert_string_equal(why, "rise not in 1..100");
	assert_int_equal(svc.cfg.rise, SVC_DEFAULT_RISE);
}

/* A new drain-time counts from the drain. */
static void
test_reconfigure_drain_time(void **state)
{
	struct svc svc;
	struct svc_config cfg;
	struct svc_out out;
	int map[SVC_MAX_CHECKS] = { 0 };

	(void)state;
	setup_svc(&svc, 1);
	bring_up(&svc);
	svc_drain(&svc, fake_now, &out);
	rtime_t t0 = fake_now;
	cfg = svc.cfg;
	cfg.drain_time = 3 * RTIME_SEC;
	assert_int_equal(svc_reconfigure(&svc, &cfg, map, NULL), SVC_OK);
	assert_int_equal(svc_next_timer(&svc), t0 + 3 * RTIME_SEC);
	assert_int_equal(svc.state, SVC_DRAINING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rise),
		cmocka_unit_test(test_rise_reset_by_failure),
		cmocka_unit_test(test_rise_needs_every_check),
		cmocka_unit_test(test_fall),
		cmocka_unit_test(test_fall_from_init_no_withdraw),
		cmocka_unit_test(test_flapping),
		cmocka_unit_test(test_process_died),
		cmocka_unit_test(test_drain),
		cmocka_unit_test(test_failure_while_draining),
		cmocka_unit_test(test_drain_from_down),
		cmocka_unit_test(test_undrain_while_draining),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_duration_good),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_not_ready_withdraws),
		cmocka_unit_test(test_not_ready_blocks_rise),
		cmocka_unit_test(test_not_ready_while_draining),
		cmocka_unit_test(test_restore_drained),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_reconfigure_drain_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
