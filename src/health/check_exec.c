/*
 * check_exec.c - the exec check.
 *
 * The exec check does not fork the command directly.  libev's default loop
 * (the daemon's) installs a SIGCHLD handler that reaps every child with
 * waitpid(-1), so the exit status of a command we forked could be stolen
 * before we read it.  We clone a small monitor instead, with no exit signal
 * ("clone child": waitpid(-1) without __WALL never sees it, and nobody but
 * us can reap it, so its pid cannot be reused under our pidfd).  The monitor
 * makes its own process group, puts stdio on /dev/null, closes the other
 * fds, vforks and execs the command, waits for it and writes its status to
 * a pipe.  A timeout SIGKILLs the whole group.
 *
 * The monitor also becomes the check's user (check_conf.run_uid, riposted's
 * check-user) before the vfork, without capabilities and with
 * no_new_privs (privs.h), and the command gets PATH=CHECK_EXEC_PATH as its
 * whole environment: nothing of the daemon's is inherited.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "health/check_impl.h"
#include "lib/privs.h"

/* The monitor's report on the pipe: { kind, value }. */
enum exec_msg {
	EXEC_MSG_STATUS = 1,	/* value: wait status of the command */
	EXEC_MSG_EXEC,		/* value: errno of execv() */
	EXEC_MSG_START,		/* value: errno of the monitor's set-up */
};

/* Set by the vfork child, which shares the monitor's memory. */
static volatile int exec_errno;

/* The command's whole environment. */
static const char *const exec_env[] = { "PATH=" CHECK_EXEC_PATH, NULL };

/*
 * Run the command and wait for it; 0 with its wait status, or -1.  A
 * function of its own so that nothing of the caller lives across vfork().
 */
static int __attribute__((noinline))
exec_vfork(const char *const argv[], int *status)
{
	pid_t pid;

	exec_errno = 0;
	if ((pid = vfork()) == -1)
		return -1;
	if (pid == 0) {
		/* execve() does not change its argv; the type is historical. */
		execve(argv[0], (char *const *)argv, (char *const *)exec_env);
		exec_errno = errno;
		_exit(127);
	}
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* The monitor's last word; if the pipe is gone, nobody is listening. */
static void
exec_report(int wfd, int kind, int value)
{
	int msg[2] = { kind, value };
	ssize_t n;

	n = write(wfd, msg, sizeof(msg));
	(void)n;
}

/*
 * The monitor, in the cloned child: only async-signal-safe calls from
 * here on.  Never returns.
 */
static void __attribute__((noreturn))
exec_monitor(const struct check_conf *c, const char *const argv[], int wfd)
{
	struct sigaction sa;
	sigset_t none;
	int fd, sig, status;

	/* Its own group, so a timeout kills whatever the command started. */
	if (setpgid(0, 0) == -1)
		goto fail;
	/* Nothing of the daemon's signal set-up may reach the command. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		goto fail;
	/* Keep the report pipe clear of 0-2, then stdio on /dev/null. */
	if (wfd <= 2 && (wfd = fcntl(wfd, F_DUPFD_CLOEXEC, 3)) == -1)
		_exit(127);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		goto fail;
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		goto fail;
	if (wfd > 3)
		(void)close_range(3, (unsigned)wfd - 1, 0);
	(void)close_range((unsigned)wfd + 1, ~0U, 0);
	/* Last, so that a failure is still reported through the pipe. */
	if (c->run_as && privs_child_drop(c->run_uid, c->run_gid) != 0)
		goto fail;

	if (exec_vfork(argv, &status) == -1)
		goto fail;
	if (exec_errno != 0)
		exec_report(wfd, EXEC_MSG_EXEC, exec_errno);
	else
		exec_report(wfd, EXEC_MSG_STATUS, status);
	_exit(0);
fail:
	exec_report(wfd, EXEC_MSG_START, errno);
	_exit(127);
}

/* The reason of a finished run: the monitor's report, else its own status. */
static enum check_result
exec_result(struct check *ck, int mstatus, char *why, size_t len)
{
	char prefix[CHECK_CMD_MAX + 32];
	int msg[2];
	ssize_t n;

	n = read(ck->msgfd, msg, sizeof(msg));
	if (ck->kill_sent) {
		check_fmt_timeout(why, len, "killed after timeout ", ck->timeout);
		return CHECK_FAIL;
	}
	if (n == (ssize_t)sizeof(msg) && msg[0] == EXEC_MSG_STATUS) {
		if (WIFEXITED(msg[1]) && WEXITSTATUS(msg[1]) == 0) {
			snprintf(why, len, "%s", "");
			return CHECK_PASS;
		}
		if (WIFEXITED(msg[1]))
			snprintf(why, len, "exit status %d", WEXITSTATUS(msg[1]));
		else if (WIFSIGNALED(msg[1]))
			snprintf(why, len, "killed by signal %d", WTERMSIG(msg[1]));
		else
			snprintf(why, len, "wait status %#x", (unsigned)msg[1]);
		return CHECK_FAIL;
	}
	if (n == (ssize_t)sizeof(msg) &&
	    (msg[0] == EXEC_MSG_EXEC || msg[0] == EXEC_MSG_START)) {
		snprintf(prefix, sizeof(prefix), "cannot %s %s: ",
		    msg[0] == EXEC_MSG_EXEC ? "execute" : "start", ck->argv[0]);
		check_errno_reason(why, len, prefix, msg[1]);
		return CHECK_FAIL;
	}
	/* No report: the group was killed by someone else. */
	if (mstatus != -1 && WIFSIGNALED(mstatus))
		snprintf(why, len, "killed by signal %d", WTERMSIG(mstatus));
	else
		snprintf(why, len, "no exit status");
	return CHECK_FAIL;
}

int
check_exec_reap(struct check *ck, bool *reaped)
{
	int status = -1;
	pid_t r;

	*reaped = false;
	if (ck->child <= 0)
		return -1;
	/* __WALL: the monitor is a clone child with no exit signal. */
	r = waitpid(ck->child, &status, WNOHANG | __WALL);
	if (r == 0 || (r == -1 && errno == EINTR))
		return -1;
	/* Gone, or (ECHILD) not ours to reap after all: stop watching. */
	*reaped = true;
	ck->child = 0;
	return r > 0 ? status : -1;
}

static void
exec_exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];
	enum check_result result;
	bool reaped;
	int status;

	status = check_exec_reap(ck, &reaped);
	if (!reaped)
		return;
	if (!ck->busy) {
		/* A run already reported after SIGKILL: just clean up. */
		check_probe_close(ck);
		return;
	}
	result = exec_result(ck, status, why, sizeof(why));
	check_finish(ck, result, why);
}

void
check_exec_kill(struct check *ck)
{
	if (ck->child <= 0)
		return;
	(void)kill(-ck->child, SIGKILL);
	/* In case the group was not made yet. */
	(void)kill(ck->child, SIGKILL);
	ck->kill_sent = true;
}

void
check_exec_start(struct check *ck)
{
	char why[CHECK_REASON_MAX];
	int p[2], pidfd, e;
	pid_t pid;
	bool reaped;

	/* The monitor of a run killed earlier may still be exiting. */
	if (ck->child > 0) {
		(void)check_exec_reap(ck, &reaped);
		if (!reaped) {
			check_exec_kill(ck);
			snprintf(why, sizeof(why),
			    "previous run (pid %d) still running after SIGKILL",
			    (int)ck->child);
			check_decide(ck, CHECK_FAIL, why);
			return;
		}
		check_probe_close(ck);
	}
	ck->kill_sent = false;

	/* ck->argv was built by check_new(), from the words as parsed. */
	if (ck->argv[0] == NULL) {
		check_decide(ck, CHECK_FAIL, "empty command");
		return;
	}

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		check_decide_errno(ck, "pipe: ", errno);
		return;
	}
	/*
	 * clone() with no exit signal (see the top of the file).  All
	 * arguments zero, so their order, which differs between
	 * architectures, does not matter.
	 */
	pid = (pid_t)syscall(SYS_clone, 0UL, 0UL, 0UL, 0UL, 0UL);
	e = errno;
	if (pid == 0) {
		close(p[0]);
		exec_monitor(&ck->conf, ck->argv, p[1]);
	}
	close(p[1]);
	if (pid == -1) {
		close(p[0]);
		snprintf(why, sizeof(why), "cannot start %s: ", ck->argv[0]);
		check_decide_errno(ck, why, e);
		return;
	}
	/* Also here, so that a kill right after the clone reaches the group. */
	(void)setpgid(pid, pid);
	ck->child = pid;
	ck->msgfd = p[0];
	/* Race-free: only we can reap a clone child, so the pid stays ours. */
	if ((pidfd = check_pidfd_open(pid)) == -1) {
		snprintf(why, sizeof(why), "pidfd_open pid %d: %s", (int)pid,
		    strerror(errno));
		/* Rare (kernel < 5.3): a fresh child, so SIGKILL is quick. */
		check_exec_kill(ck);
		(void)waitpid(pid, NULL, __WALL);
		ck->child = 0;
		ck->kill_sent = false;
		check_probe_close(ck);
		check_decide(ck, CHECK_FAIL, why);
		return;
	}
	ck->fd = pidfd;
	ev_io_init(&ck->io, exec_exit_cb, pidfd, EV_READ);
	ck->io.data = ck;
	ev_io_start(ck->loop, &ck->io);
	check_timer_start(ck, ck->timeout);
}

