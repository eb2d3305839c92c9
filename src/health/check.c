/*
 * check.c - the runtime core of the health checks (see check.h for the
 * contract): check_new/run/free, the dispatch to the five probes
 * (check_dns.c, check_zone.c, check_tcp.c, check_exec.c, check_process.c), the timeout
 * and the delivery of results.  The config words are conf.c's.
 *
 * Every probe is one struct check with one timer and one io watcher.  A
 * result known inside check_run() (a socket error, the process check) is
 * not delivered from there: it goes through the timer at 0 s, so the
 * callback always comes from the loop and may free the check or start the
 * next run.  The callback is the last thing a handler does, for the same
 * reason.
 */
#include <sys/syscall.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health/check_impl.h"

/* How long check_free() waits for a killed exec monitor to exit. */
#define CHECK_FREE_WAIT_MS	100

int
check_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

void
check_errno_reason(char *buf, size_t len, const char *prefix, int err)
{
	snprintf(buf, len, "%s%s", prefix, strerror(err));
	if (prefix[0] == '\0' && buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
}

void
check_fmt_timeout(char *buf, size_t len, const char *prefix, rtime_t t)
{
	if (t % RTIME_MS == 0)
		snprintf(buf, len, "%s%lld ms", prefix, (long long)(t / RTIME_MS));
	else
		snprintf(buf, len, "%s%lld us", prefix, (long long)t);
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

void
check_probe_close(struct check *ck)
{
	if (ck->conf.kind == CHECK_EXEC && ck->child > 0)
		return;
	ev_io_stop(ck->loop, &ck->io);
	close_fd(&ck->fd);
	close_fd(&ck->msgfd);
	if (ck->conf.kind == CHECK_ZONE)
		check_zone_close(ck);
}

void
check_finish(struct check *ck, enum check_result result, const char *reason)
{
	char why[CHECK_REASON_MAX];
	rtime_t latency;

	latency = clock_mono_now() - ck->started;
	snprintf(why, sizeof(why), "%s", reason != NULL ? reason : "");
	ev_timer_stop(ck->loop, &ck->timer);
	check_probe_close(ck);
	ck->busy = false;
	ck->decided = false;
	ck->cb(ck->arg, ck->idx, result, latency, why);
}

void
check_decide(struct check *ck, enum check_result result, const char *reason)
{
	ck->decided = true;
	ck->dresult = result;
	snprintf(ck->dreason, sizeof(ck->dreason), "%s", reason);
	ev_timer_stop(ck->loop, &ck->timer);
	ev_timer_set(&ck->timer, 0., 0.);
	ev_timer_start(ck->loop, &ck->timer);
}

void
check_decide_errno(struct check *ck, const char *prefix, int err)
{
	char why[CHECK_REASON_MAX];

	check_errno_reason(why, sizeof(why), prefix, err);
	check_decide(ck, CHECK_FAIL, why);
}

void
check_timer_start(struct check *ck, rtime_t after)
{
	ev_timer_stop(ck->loop, &ck->timer);
	ev_timer_set(&ck->timer, (ev_tstamp)after / RTIME_SEC, 0.);
	ev_timer_start(ck->loop, &ck->timer);
}

static void
io_idle_cb(struct ev_loop *loop, ev_io *w, int revents)
{
}

/*
 * The check.
 */

static void
check_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];

	if (ck->decided) {
		check_finish(ck, ck->dresult, ck->dreason);
		return;
	}
	if (!ck->busy)
		return;
	if (ck->conf.kind == CHECK_EXEC) {
		if (!ck->kill_sent) {
			check_exec_kill(ck);
			/* Report when it is gone (exec_exit_cb), or after the grace. */
			check_timer_start(ck, CHECK_KILL_GRACE);
			return;
		}
		/* Not dead yet (stuck in the kernel?): report now, reap later. */
		check_fmt_timeout(why, sizeof(why), "killed after timeout ", ck->timeout);
		check_finish(ck, CHECK_FAIL, why);
		return;
	}
	if (ck->conf.kind == CHECK_ZONE) {
		check_zone_timeout(ck);
		return;
	}
	check_fmt_timeout(why, sizeof(why), "timeout ", ck->timeout);
	check_finish(ck, CHECK_FAIL, why);
}

struct check *
check_new(struct ev_loop *loop, const struct check_conf *c, unsigned idx,
    rtime_t timeout, check_result_fn cb, void *arg)
{
	struct check *ck;

	if ((ck = calloc(1, sizeof(*ck))) == NULL)
		return NULL;
	ck->loop = loop;
	ck->conf = *c;
	ck->idx = idx;
	ck->timeout = timeout;
	ck->react = timeout;
	ck->cb = cb;
	ck->arg = arg;
	ck->fd = -1;
	ck->msgfd = -1;
	for (unsigned i = 0; i < CHECK_ZONE_PRIMARIES; i++) {
		ck->zq[i].ck = ck;
		ck->zq[i].fd = -1;
		ev_io_init(&ck->zq[i].io, io_idle_cb, -1, EV_READ);
		ck->zq[i].io.data = &ck->zq[i];
	}
	ev_timer_init(&ck->timer, check_timer_cb, 0., 0.);
	ck->timer.data = ck;
	/* Started by each probe with its own callback; stopping it is always safe. */
	ev_io_init(&ck->io, io_idle_cb, -1, EV_READ);
	ck->io.data = ck;
	check_process_init(ck);
	/* The argv of an exec check, once: the words are not split again at run time. */
	check_conf_argv(&ck->conf, ck->argv);
	return ck;
}

void
check_run(struct check *ck)
{
	if (ck->busy) {
		ck->skipped++;
		return;
	}
	ck->busy = true;
	ck->decided = false;
	/* The loop's clock may be stale; the timeout counts from now. */
	ev_now_update(ck->loop);
	ck->started = clock_mono_now();
	switch (ck->conf.kind) {
	case CHECK_DNS:
		check_dns_start(ck);
		return;
	case CHECK_ZONE:
		check_zone_start(ck);
		return;
	case CHECK_TCP:
		check_tcp_start(ck);
		return;
	case CHECK_EXEC:
		check_exec_start(ck);
		return;
	case CHECK_PROCESS:
		check_process_start(ck);
		return;
	}
	check_decide(ck, CHECK_FAIL, "unknown check type");
}

bool
check_busy(const struct check *ck)
{
	return ck->busy;
}

uint64_t
check_skipped(const struct check *ck)
{
	return ck->skipped;
}

void
check_set_reaction(struct check *ck, rtime_t react)
{
	ck->react = react;
}

void
check_free(struct check *ck)
{
	struct pollfd pfd;
	bool reaped;

	if (ck == NULL)
		return;
	ev_timer_stop(ck->loop, &ck->timer);
	if (ck->child > 0) {
		check_exec_kill(ck);
		/*
		 * SIGKILL takes effect at once unless the process is stuck in
		 * the kernel; wait a little for it rather than leave a zombie,
		 * but never long (this runs on reload and shutdown).
		 */
		pfd.fd = ck->fd;
		pfd.events = POLLIN;
		if (ck->fd != -1)
			(void)poll(&pfd, 1, CHECK_FREE_WAIT_MS);
		(void)check_exec_reap(ck, &reaped);
		ck->child = 0;
	}
	check_probe_close(ck);
	check_process_unwatch(ck);
	free(ck);
}
