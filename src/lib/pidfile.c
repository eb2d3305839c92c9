/*
 * pidfile.c - the pidfile as the one-instance lock of a daemon: open it
 * without following links, flock() it, read the holder's pid when somebody
 * else holds it, write ours, remove it at every exit of the process that
 * wrote it.
 *
 * The file is opened as root in directories like /run, perhaps in one the
 * daemon's unprivileged user may write (riposte-dns with `user`), so what
 * is at the path is not trusted: a symbolic link is refused (O_NOFOLLOW), a
 * FIFO would block open() (O_NONBLOCK) and is refused as not a regular
 * file, a hard link to some other file (two links) is refused, and so is a
 * file another user owns.  Nothing is truncated before the lock is ours.
 */
#include "pidfile.h"
#include "lib/textfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

struct pidfile {
	int fd;
	char *path;
	pid_t owner; /* the process that wrote it: only that one removes it */
};

/* How long a second instance waits for the holder's pid to show (ms). */
#define PIDFILE_HOLDER_WAIT_MS 1000
#define PIDFILE_HOLDER_STEP_MS 20

static struct pidfile *pidfile_atexit_pf;
static int pidfile_atexit_set;

/* The first line of the file as a pid; 0 when it holds none. */
static pid_t
pidfile_read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long v = 0;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (ssize_t i = 0; i < n && buf[i] != '\n'; i++) {
		if (buf[i] < '0' || buf[i] > '9' || v > 99999999)
			return 0;
		v = v * 10 + (buf[i] - '0');
	}
	return (pid_t)v;
}

static bool
pidfile_pid_alive(pid_t pid)
{
	return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

static void
pidfile_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Take the lock on fd, or find out who holds it.  The holder writes its
 * pid right after taking the lock and again after daemon(); in between
 * (and between its write and truncate) the file can name a process that
 * just went, so wait a little for a living one, and take the lock over if
 * the holder dies meanwhile.  0: locked; -1 with errno.
 */
static int
pidfile_lock(int fd, pid_t *holder)
{
	pid_t pid = 0;

	for (int waited = 0;; waited += PIDFILE_HOLDER_STEP_MS) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		pid = pidfile_read_pid(fd);
		if (pidfile_pid_alive(pid) || waited >= PIDFILE_HOLDER_WAIT_MS)
			break;
		pidfile_sleep_ms(PIDFILE_HOLDER_STEP_MS);
	}
	if (holder != NULL)
		*holder = pidfile_pid_alive(pid) ? pid : 0;
	errno = EWOULDBLOCK;
	return -1;
}

static int
pidfile_put(int fd)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());

	/*
	 * Write, then cut: a reader sees the old pid, or the new one,
	 * never an empty file.
	 */
	if (pwrite(fd, buf, (size_t)n, 0) != (ssize_t)n)
		return -1;
	return ftruncate(fd, n);
}

struct pidfile *
pidfile_open(const char *path, pid_t *holder, char *err, size_t errlen)
{
	struct stat st, at;
	int fd, saved;

	if (holder != NULL)
		*holder = 0;
	/*
	 * The loop: a holder that exits unlinks the file; we may have opened
	 * it just before, and would then lock a file no one else can see.
	 * After the lock, the path must still lead to what we locked.
	 */
	for (int attempt = 0; attempt < 10; attempt++) {
		/* O_RDWR, not O_WRONLY: the same descriptor reads the holder's pid. */
		fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0644);
		if (fd < 0) {
			saved = errno;
			if (saved == ELOOP)
				textfile_err(err, errlen, "pidfile %s: is a symbolic link, not following it",
				    path);
			else
				textfile_err(err, errlen, "pidfile %s: %s", path, strerror(saved));
			errno = saved;
			return NULL;
		}
		if (fstat(fd, &st) < 0) {
			saved = errno;
			textfile_err(err, errlen, "pidfile %s: %s", path, strerror(saved));
			goto fail;
		}
		if (st.st_nlink == 0) { /* unlinked since our open(): again */
			close(fd);
			continue;
		}
		if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
			saved = EINVAL;
			textfile_err(err, errlen, "pidfile %s: not a regular file with a single link",
			    path);
			goto fail;
		}
		if (st.st_uid != geteuid()) {
			saved = EPERM;
			textfile_err(err, errlen, "pidfile %s: owned by uid %u, not by us (uid %u)",
			    path, (unsigned)st.st_uid, (unsigned)geteuid());
			goto fail;
		}
		if (pidfile_lock(fd, holder) < 0) {
			saved = errno;
			if (saved == EWOULDBLOCK)
				textfile_err(err, errlen, "pidfile %s: locked by pid %ld", path,
				    holder != NULL ? (long)*holder : 0L);
			else
				textfile_err(err, errlen, "pidfile %s: lock: %s", path,
				    strerror(saved));
			goto fail;
		}
		if (lstat(path, &at) < 0 || at.st_dev != st.st_dev || at.st_ino != st.st_ino) {
			close(fd);
			continue;
		}
		/* Ours now: O_NONBLOCK was for open() only. */
		(void)fcntl(fd, F_SETFL, 0);
		if (pidfile_put(fd) < 0) {
			saved = errno;
			textfile_err(err, errlen, "pidfile %s: write: %s", path, strerror(saved));
			unlink(path);
			goto fail;
		}
		struct pidfile *pf = calloc(1, sizeof(*pf));
		if (pf == NULL || (pf->path = strdup(path)) == NULL) {
			saved = ENOMEM;
			textfile_err(err, errlen, "pidfile: out of memory");
			free(pf);
			unlink(path);
			goto fail;
		}
		pf->fd = fd;
		pf->owner = getpid();
		return pf;
	}
	textfile_err(err, errlen, "pidfile %s: replaced again and again while we locked it", path);
	errno = EAGAIN;
	return NULL;

fail:
	close(fd);
	errno = saved;
	return NULL;
}

struct pidfile *
pidfile_take(const char *prog, const char *path)
{
	struct pidfile *pf;
	char err[512];
	pid_t holder;

	if ((pf = pidfile_open(path, &holder, err, sizeof(err))) != NULL)
		return pf;
	if (errno == EWOULDBLOCK) {
		if (holder > 0)
			fprintf(stderr, "%s: already running (pid %ld, pidfile %s)\n", prog,
			    (long)holder, path);
		else
			fprintf(stderr, "%s: already running (pid unknown, pidfile %s)\n", prog,
			    path);
	} else {
		fprintf(stderr, "%s: %s\n", prog, err);
	}
	return NULL;
}

int
pidfile_write(struct pidfile *pf)
{
	if (pidfile_put(pf->fd) < 0)
		return -1;
	pf->owner = getpid();
	return 0;
}

int
pidfile_close(struct pidfile *pf)
{
	struct stat st, at;
	int rc = 0, saved = 0;

	if (pf == NULL)
		return 0;
	if (pidfile_atexit_pf == pf)
		pidfile_atexit_pf = NULL;
	/*
	 * Unlink before close: while we hold the lock nobody else can have
	 * put another file at the path, unless by hand; the dev/ino check
	 * leaves such a file alone.
	 */
	if (pf->owner == getpid() && fstat(pf->fd, &st) == 0 && lstat(pf->path, &at) == 0 &&
	    st.st_dev == at.st_dev && st.st_ino == at.st_ino && unlink(pf->path) < 0) {
		saved = errno;
		rc = -1;
		/* Cannot remove it: at least it names no process any more.
		 * When that fails too there is nothing left to do; an if, not
		 * a (void) cast, which glibc's warn_unused_result under
		 * _FORTIFY_SOURCE (the Debian package's flags) ignores. */
		if (ftruncate(pf->fd, 0) < 0) {
			/* rc is -1 already */
		}
	}
	close(pf->fd);
	free(pf->path);
	free(pf);
	errno = saved;
	return rc;
}

static void
pidfile_atexit(void)
{
	struct pidfile *pf = pidfile_atexit_pf;
	char path[4096];

	if (pf == NULL || pf->owner != getpid())
		return;
	snprintf(path, sizeof(path), "%s", pf->path);
	if (pidfile_close(pf) < 0)
		log_warn("cannot remove pidfile %s (emptied it)", path);
}

void
pidfile_remove_at_exit(struct pidfile *pf)
{
	pidfile_atexit_pf = pf;
	if (!pidfile_atexit_set && atexit(pidfile_atexit) == 0)
		pidfile_atexit_set = 1;
}

const char *
pidfile_path(const struct pidfile *pf)
{
	return pf->path;
}
