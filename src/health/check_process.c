/*
 * check_process.c - the process check: the pid in a pid file, watched
 * through a pidfd, so that its exit is reported at once (CHECK_DIED) and
 * not at the next run.  A run re-reads the pid file: a restarted service
 * (a new pid) is watched again.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "health/check_impl.h"

#define CHECK_PIDFILE_MAX	64

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\v' || ch == '\f';
}

/*
 * process
 */

void
check_process_unwatch(struct check *ck)
{
	ev_io_stop(ck->loop, &ck->watch);
	if (ck->watch.fd != -1)
		close(ck->watch.fd);
	ev_io_set(&ck->watch, -1, EV_READ);
	ck->wpid = 0;
}

static void
process_died_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[64];

	snprintf(why, sizeof(why), "pid %d exited", (int)ck->wpid);
	check_process_unwatch(ck);
	/* Last: the callback may free the check. */
	ck->cb(ck->arg, ck->idx, CHECK_DIED, 0, why);
}

/* A positive decimal pid, surrounded by optional white space. */
static pid_t
pidfile_read(const char *path, char *why, size_t len)
{
	char buf[CHECK_PIDFILE_MAX], *p;
	ssize_t n;
	long pid = 0;
	int fd, e;

	/* O_NONBLOCK: a FIFO in its place must not block the loop. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) == -1) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	e = errno;
	close(fd);
	if (n == -1) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(e));
		return -1;
	}
	buf[n] = '\0';
	for (p = buf; is_blank(*p); p++)
		;
	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		pid = pid * 10 + (*p - '0');
		if (pid > INT_MAX)
			goto bad;
	}
	for (; is_blank(*p); p++)
		;
	if (*p != '\0' || pid < 1 || (size_t)n == sizeof(buf) - 1)
		goto bad;
	return (pid_t)pid;
bad:
	snprintf(why, len, "bad pid file %s", path);
	return -1;
}

void
check_process_start(struct check *ck)
{
	char why[CHECK_REASON_MAX];
	struct pollfd pfd;
	pid_t pid;
	int fd;

	if ((pid = pidfile_read(ck->conf.path, why, sizeof(why))) == -1) {
		check_decide(ck, CHECK_FAIL, why);
		return;
	}
	if (pid != ck->wpid || ck->watch.fd == -1) {
		/* A new pid: the service was restarted. */
		check_process_unwatch(ck);
		if ((fd = check_pidfd_open(pid)) == -1) {
			if (errno == ESRCH)
				snprintf(why, sizeof(why), "pid %d is not running",
				    (int)pid);
			else
				snprintf(why, sizeof(why), "pidfd_open pid %d: %s",
				    (int)pid, strerror(errno));
			check_decide(ck, CHECK_FAIL, why);
			return;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) != 0) {
			/* A zombie: dead already, nothing to watch. */
			close(fd);
			snprintf(why, sizeof(why), "pid %d is not running",
			    (int)pid);
			check_decide(ck, CHECK_FAIL, why);
			return;
		}
		ck->wpid = pid;
		ev_io_set(&ck->watch, fd, EV_READ);
		ev_io_start(ck->loop, &ck->watch);
	} else {
		/* Exited, and the loop has not told us yet: the watcher will. */
		pfd.fd = ck->watch.fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) != 0) {
			snprintf(why, sizeof(why), "pid %d is not running",
			    (int)pid);
			check_decide(ck, CHECK_FAIL, why);
			return;
		}
	}
	check_decide(ck, CHECK_PASS, "");
}

void
check_process_init(struct check *ck)
{
	ev_io_init(&ck->watch, process_died_cb, -1, EV_READ);
	ck->watch.data = ck;
}
