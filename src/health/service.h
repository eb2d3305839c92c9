/*
 * service.h - the state machine of one health-checked service in riposted.
 *
 * A service has N checks (dns, zone, tcp, exec, process ...).  The checks live
 * elsewhere; this module only consumes their results and decides whether
 * the service address should be announced.  It never touches sockets, the
 * clock or the RIP code: the caller passes `now`, and every transition comes
 * back as one log line and an action (ANNOUNCE / DRAIN / WITHDRAW) for the
 * announcer, which is a separate module (STYLE habit 8) and only maps the
 * actions to announce and withdraw calls.
 *
 * Rounds.  A round passes when every check has reported a pass since the
 * previous round ended.  Any failing result ends the round at once as failed
 * (we do not wait for the other checks: withdrawing early is the point).
 * `rise` consecutive passed rounds announce, `fall` consecutive failed rounds
 * withdraw; a process death (pidfd) withdraws at once and skips `fall`.
 *
 * Drain.  DRAIN takes the service out of rotation at once and keeps the
 * address for drain_time (state DRAINING), then the service is DRAINED.
 * Out of UP the action is DRAIN: announce the address at a worse metric
 * (services.h: SVCD_DRAIN_METRIC), so routers that keep only their best
 * path still have one until the other server's offer reaches them; the
 * end of the drain (DRAINED, or UNDRAIN) is a WITHDRAW.  A drain of a
 * service that was not announced announces nothing, and a WITHDRAW of
 * nothing comes back as NONE (svc.route says what is out).  While the
 * drain's address is missing (svc_set_ready) the drain announcement is
 * withdrawn, and made again when the address is back: the state stays
 * DRAINING, the action comes back without a transition.  Check results
 * keep being counted while draining but never move the state.  UNDRAIN
 * goes to DOWN
 * with the round counters cleared, so the service must pass `rise` fresh
 * rounds before it is announced again: announcing a service that was just
 * being worked on, on the strength of rounds from before, is the riskier
 * choice, and the cost is only rise * interval.
 *
 * Ready.  The caller says whether the service's addresses are where they
 * must be (on their interface, confirmed by the kernel): svc_set_ready().
 * An UP service that stops being ready is withdrawn at once (like a process
 * death: a missing address is a blackhole, not a doubt); a service whose
 * `rise` rounds passed while it was not ready goes UP as soon as it is,
 * without more rounds (the checks were passing all along).  Until then the
 * result says `blocked`, so the caller can put the addresses back.
 *
 * Reconfiguration.  svc_reconfigure() takes new settings in place: the
 * state and the round counters stay, a check that is still there keeps its
 * counters, and a new rise or fall applies from the next round.
 *
 * Defaults (svc_config_defaults):
 *	rise 3, fall 2, interval 1 s, timeout 500 ms, drain_time 10 s.
 * Ranges (svc_config_validate):
 *	rise, fall 1..100; interval 10 ms..1 h; timeout 1 ms..interval;
 *	drain_time 0..1 h; n_checks 1..SVC_MAX_CHECKS; name non-empty.
 */
#ifndef RIPOSTE_HEALTH_SERVICE_H
#define RIPOSTE_HEALTH_SERVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/clock.h"
#include "lib/prom.h"

#define SVC_MAX_CHECKS		16
#define SVC_NAME_MAX		64
#define SVC_CHECK_NAME_MAX	128
#define SVC_REASON_MAX		128
#define SVC_LOG_MAX		512

#define SVC_DEFAULT_RISE	3
#define SVC_DEFAULT_FALL	2
#define SVC_DEFAULT_INTERVAL	(1 * RTIME_SEC)
#define SVC_DEFAULT_TIMEOUT	(500 * RTIME_MS)
#define SVC_DEFAULT_DRAIN_TIME	(10 * RTIME_SEC)

enum svc_err {
	SVC_OK = 0,
	SVC_E_INDEX = -1,	/* check index out of range */
	SVC_E_RANGE = -4,	/* value out of its allowed range */
	SVC_E_CONFIG = -5,	/* config invalid, see the reason string */
};

enum svc_state {
	SVC_INIT,		/* starting, never announced */
	SVC_UP,			/* announced */
	SVC_DOWN,		/* withdrawn because unhealthy */
	SVC_DRAINING,		/* withdrawn on purpose, address kept */
	SVC_DRAINED,		/* drain time elapsed */
	SVC_NSTATES
};

enum svc_event {
	SVC_EV_CHECK_PASS,	/* `rise` passed rounds in a row */
	SVC_EV_CHECK_FAIL,	/* `fall` failed rounds in a row */
	SVC_EV_PROCESS_DIED,	/* process check saw the exit */
	SVC_EV_DRAIN,
	SVC_EV_UNDRAIN,
	SVC_EV_DRAIN_TIMER,
	SVC_EV_NOT_READY,	/* an address went missing, or its interface */
	SVC_EV_READY,		/* ready again, `rise` rounds passed */
	SVC_EV_RESTORE_DRAINED,	/* drained before a restart (services.c's state file) */
	SVC_NEVENTS
};

enum svc_action {
	SVC_ACT_NONE,
	SVC_ACT_ANNOUNCE,	/* at the service's metric */
	SVC_ACT_DRAIN,		/* at the drain metric: still a path, the worst one */
	SVC_ACT_WITHDRAW,
};

struct svc_config {
	char		 name[SVC_NAME_MAX];
	unsigned	 rise;
	unsigned	 fall;
	rtime_t		 interval;
	rtime_t		 timeout;
	rtime_t		 drain_time;
	unsigned	 n_checks;
	/* For logs, e.g. "dns 127.0.0.1 test.home A". */
	char		 check_names[SVC_MAX_CHECKS][SVC_CHECK_NAME_MAX];
};

struct svc_check_stat {
	bool		 has_result;
	bool		 last_ok;
	bool		 fresh;		/* passed in the current round */
	rtime_t		 last_latency;
	rtime_t		 last_at;
	uint64_t	 passes;
	uint64_t	 fails;
	unsigned	 consec_pass;
	unsigned	 consec_fail;
	char		 last_reason[SVC_REASON_MAX];
	/* Every result's latency, in seconds (the metrics' histogram; SVC_LATENCY_BOUNDS). */
	struct prom_hist latency;
};

struct svc {
	struct svc_config	 cfg;
	enum svc_state		 state;
	rtime_t			 since;		/* time of the last transition */
	rtime_t			 drain_deadline; /* RTIME_NEVER unless DRAINING */
	bool			 ready;		/* svc_set_ready(); true after svc_init() */
	/* What the actions so far left announced: ANNOUNCE, DRAIN or NONE. */
	enum svc_action		 route;
	bool			 drain_route;	/* this drain began announced (out of UP) */
	unsigned		 consec_pass;	/* rounds */
	unsigned		 consec_fail;	/* rounds */
	uint64_t		 rounds;
	uint64_t		 transitions;
	uint64_t		 entered[SVC_NSTATES];	/* transitions into each state */
	struct svc_check_stat	 checks[SVC_MAX_CHECKS];
};

/*
 * What one call produced; `changed` is false when the state did not move
 * (then `action` is NONE, but for svc_set_ready while DRAINING).
 */
struct svc_out {
	bool		 changed;
	bool		 blocked;	/* `rise` rounds passed, but not ready */
	enum svc_event	 event;		/* what moved the state, when changed */
	enum svc_state	 from;
	enum svc_state	 to;
	enum svc_action	 action;
	char		 log[SVC_LOG_MAX];
};

void		 svc_config_defaults(struct svc_config *);
int		 svc_config_validate(const struct svc_config *, const char **why);
int		 svc_init(struct svc *, const struct svc_config *, rtime_t now,
		    const char **why);

int		 svc_check_result(struct svc *, unsigned idx, bool ok,
		    rtime_t latency_us, rtime_t now, const char *reason,
		    struct svc_out *);
int		 svc_process_died(struct svc *, unsigned idx, rtime_t now,
		    const char *reason, struct svc_out *);
int		 svc_drain(struct svc *, rtime_t now, struct svc_out *);
int		 svc_undrain(struct svc *, rtime_t now, struct svc_out *);
int		 svc_tick(struct svc *, rtime_t now, struct svc_out *);
/* why: the reason in the log line, e.g. "address 10.0.0.1/32 missing on lo". */
int		 svc_set_ready(struct svc *, bool ready, const char *why, rtime_t now,
		    struct svc_out *);
/* INIT -> DRAINED: the service was drained when riposted stopped. */
int		 svc_restore_drained(struct svc *, rtime_t now, struct svc_out *);
/*
 * New settings in place.  old_idx[i] is the index check i had before, or -1
 * for a new check (its counters start at zero).  SVC_E_CONFIG with *why
 * when cfg is invalid; then nothing changed.
 */
int		 svc_reconfigure(struct svc *, const struct svc_config *cfg,
		    const int *old_idx, const char **why);
rtime_t		 svc_next_timer(const struct svc *);

bool		 svc_is_announced(const struct svc *);
const char	*svc_state_name(enum svc_state);
/* The check latency histogram's bounds (seconds) and their number. */
extern const double svc_latency_bounds[];
extern const unsigned svc_n_latency_bounds;
const char	*svc_event_name(enum svc_event);
const char	*svc_action_name(enum svc_action);
const char	*svc_strerror(int);


#endif
