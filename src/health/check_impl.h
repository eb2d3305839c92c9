/*
 * check_impl.h - what the files of the health checks share: struct check
 * and the runtime core's helpers (check.c) that the probes (check_dns.c,
 * check_zone.c, check_tcp.c, check_exec.c, check_process.c) call.  Not for use outside
 * src/health/check*.c.
 */
#ifndef RIPOSTE_HEALTH_CHECK_IMPL_H
#define RIPOSTE_HEALTH_CHECK_IMPL_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "health/check.h"

#define CHECK_REASON_MAX	1024	/* room for a whole command line */
/* After SIGKILL, how long the run waits for the exit before reporting. */
#define CHECK_KILL_GRACE	(100 * RTIME_MS)

struct check {
	struct ev_loop		*loop;
	struct check_conf	 conf;
	unsigned		 idx;
	rtime_t			 timeout;
	rtime_t			 react;		/* check_set_reaction() */
	check_result_fn		 cb;
	void			*arg;

	bool			 busy;
	uint64_t		 skipped;
	rtime_t			 started;
	ev_timer		 timer;
	/* A result decided in check_run(), delivered by the timer at 0 s. */
	bool			 decided;
	enum check_result	 dresult;
	char			 dreason[CHECK_REASON_MAX];

	/* dns, tcp: the socket; exec: the monitor's pidfd. */
	ev_io			 io;
	int			 fd;
	uint16_t		 id;

	/* exec */
	pid_t			 child;		/* the monitor, until reaped */
	int			 msgfd;		/* read end of its report pipe */
	bool			 kill_sent;
	const char		*argv[CHECK_MAX_ARGS + 1];	/* into conf.args */

	/* process: the watched pid and its pidfd (in watch.fd) */
	ev_io			 watch;
	pid_t			 wpid;

	/*
	 * zone: the server's query is io/fd/id above; one connected socket
	 * per primary.  What a run has heard so far, and the lag, which
	 * outlives the runs.
	 */
	struct check_zq {
		struct check	*ck;
		ev_io		 io;
		int		 fd;
		uint16_t	 id;
		bool		 done;		/* answered, failed or never sent */
		bool		 answered;	/* with an SOA: serial */
		uint32_t	 serial;
	}			 zq[CHECK_ZONE_PRIMARIES];
	bool			 zserved;	/* the server's SOA is in */
	struct check_zone_soa	 zsoa;
	struct check_zone_lag	 zlag;
};

/* check.c: the runtime core. */
/* End the run and call back; the check may be gone when this returns. */
void	 check_finish(struct check *, enum check_result, const char *reason);
/* A result known now, delivered from the loop (timer at 0 s). */
void	 check_decide(struct check *, enum check_result, const char *reason);
void	 check_decide_errno(struct check *, const char *prefix, int err);
void	 check_timer_start(struct check *, rtime_t after);
/* The probe's socket or pidfd; the exec pidfd only once the monitor is reaped. */
void	 check_probe_close(struct check *);
/* strerror() as the start of a reason: "connection refused". */
void	 check_errno_reason(char *buf, size_t len, const char *prefix, int err);
void	 check_fmt_timeout(char *buf, size_t len, const char *prefix, rtime_t t);
int	 check_pidfd_open(pid_t pid);

/* One start function per probe: a result now (check_decide) or a watcher. */
void	 check_dns_start(struct check *);
void	 check_zone_start(struct check *);
/* check_zone.c: the timeout (a result from what came in) and the primaries' sockets. */
void	 check_zone_timeout(struct check *);
void	 check_zone_close(struct check *);
void	 check_tcp_start(struct check *);
void	 check_exec_start(struct check *);
void	 check_process_start(struct check *);

/* check_exec.c, for the timeout and check_free(). */
void	 check_exec_kill(struct check *);
/* Reap the monitor if it has exited; its wait status, or -1 if not yet. */
int	 check_exec_reap(struct check *, bool *reaped);

/* check_process.c */
void	 check_process_init(struct check *);
void	 check_process_unwatch(struct check *);

#endif
