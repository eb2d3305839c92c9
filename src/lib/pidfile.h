/*
 * pidfile.h - one daemon per pidfile: the pidfile is a lock (flock) taken
 * before the daemon touches the kernel or a socket, and holds the pid of
 * the process that holds the lock.
 *
 *	pf = pidfile_take("riposted", path);  // or exit 1: "already running (pid N, ...)"
 *	pidfile_remove_at_exit(pf);           // exit() and fatal() remove it too
 *	daemon(0, 0);                         // the child keeps the lock (flock, not fcntl)
 *	pidfile_write(pf);                    // the pid of the process that stays
 *	...
 *	pidfile_close(pf);                    // unlink, unlock
 *
 * The lock belongs to the open file description, so it survives fork():
 * after daemon() the parent's _exit() closes only its copy and the child
 * goes on holding it.  (POSIX fcntl() locks would not: they belong to a
 * process and are not inherited.)
 */
#ifndef RIPOSTE_PIDFILE_H
#define RIPOSTE_PIDFILE_H

#include <stddef.h>
#include <sys/types.h>

struct pidfile;

/*
 * Open (create) PATH, lock it and write our pid.  NULL on failure, with a
 * message in err and errno set: EWOULDBLOCK when another process holds
 * the lock (*holder: its pid, 0 if it could not be read), ELOOP for a
 * symbolic link, EINVAL for a file that is not a regular file with one
 * link, EPERM for a file owned by another user.  A pidfile nobody holds
 * (left by a daemon that died) is taken over.
 */
struct pidfile *pidfile_open(const char *path, pid_t *holder, char *err, size_t errlen);

/*
 * pidfile_open() for a program's start: on failure prints to stderr
 * "PROG: already running (pid N, pidfile PATH)" or "PROG: pidfile PATH: ..."
 * and returns NULL; the caller exits 1.
 */
struct pidfile *pidfile_take(const char *prog, const char *path);

/* Replace the contents with our pid (again after daemon()); 0, or -1 with errno. */
int pidfile_write(struct pidfile *pf);

/*
 * Unlink the file (if it is still ours and we are the process that wrote
 * it), close it (which drops the lock) and free pf.  0, or -1 with errno
 * when it could not be unlinked (EACCES after dropping privileges: the
 * directory is not writable); the file is then emptied, so that it names
 * no process, and the next start takes it over.
 */
int pidfile_close(struct pidfile *pf);

/*
 * Have exit() (fatal() included) remove pf, in the process that last
 * wrote it only: never in a forked child.  One pidfile per process;
 * pidfile_close() cancels it.
 */
void pidfile_remove_at_exit(struct pidfile *pf);

const char *pidfile_path(const struct pidfile *pf);

#endif
