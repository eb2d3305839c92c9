/*
 * test_pidfile.c - the pidfile lock: taken, refused to a second taker with
 * the holder's pid, kept across a daemon()-like fork by the process that
 * stays, symbolic links / FIFOs / hard links refused, a stale file taken
 * over, removed at close and at exit() by the writer only.  Real files in
 * a temporary directory, real processes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/pidfile.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_pidfile.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/d.pid", dir);
	umask(022);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The pid in the file, -1 if none, -2 if there is no file. */
static long
file_pid(const char *p)
{
	FILE *f = fopen(p, "r");
	long v = -1;

	if (f == NULL)
		return -2;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static bool
exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

/* A child that takes the pidfile, says so on `ready`, and holds it until `go` closes. */
static pid_t
holder_child(int *ready_r, int *go_w, bool daemonize)
{
	int ready[2], go[2];
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(go), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char c;
		close(ready[0]);
		close(go[1]);
		struct pidfile *pf = pidfile_open(path, NULL, NULL, 0);
		if (pf == NULL)
			_exit(2);
		if (daemonize) {
			/* daemon(): the parent leaves at once, the child goes on. */
			pid_t c2 = fork();
			if (c2 < 0)
				_exit(3);
			if (c2 > 0)
				_exit(0);
			if (pidfile_write(pf) != 0)
				_exit(4);
		}
		long me = (long)getpid();
		if (write(ready[1], &me, sizeof(me)) != sizeof(me))
			_exit(5);
		(void)!read(go[0], &c, 1);
		_exit(0); /* without pidfile_close(): a crash leaves a stale file */
	}
	close(ready[1]);
	close(go[0]);
	*ready_r = ready[0];
	*go_w = go[1];
	return pid;
}

static void
test_take_and_close(void **state)
{
	(void)state;
	pid_t holder = -1;
	char err[256];
	struct pidfile *pf = pidfile_open(path, &holder, err, sizeof(err));
	assert_non_null(pf);
	assert_string_equal(pidfile_path(pf), path);
	assert_int_equal(file_pid(path), (long)getpid());
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(pidfile_write(pf), 0);
	assert_int_equal(file_pid(path), (long)getpid());
	assert_int_equal(pidfile_close(pf), 0);
	assert_false(exists(path));
}

static void
test_second_refused(void **state)
{
	(void)state;
	int ready, go;
	long child = 0;
	pid_t holder = -1;
	char err[256];

	pid_t pid = holder_child(&ready, &go, false);
	assert_int_equal(read(ready, &child, sizeof(child)), sizeof(child));
	assert_int_equal(child, (long)pid);

	errno = 0;
	assert_null(pidfile_open(path, &holder, err, sizeof(err)));
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal((long)holder, child);
	/* Refused, and nothing changed: still the holder's pid. */
	assert_int_equal(file_pid(path), child);

	/* The holder dies without removing it: a stale file, taken over. */
	close(go);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready);
	assert_int_equal(file_pid(path), child);
	struct pidfile *pf = pidfile_open(path, &holder, err, sizeof(err));
	assert_non_null(pf);
	assert_int_equal(file_pid(path), (long)getpid());

	/* Within one process a second open is refused as well. */
	assert_null(pidfile_open(path, &holder, err, sizeof(err)));
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal(holder, getpid());
	assert_int_equal(pidfile_close(pf), 0);
	assert_false(exists(path));
}

/* The lock is kept by the child of daemon(), not lost with the parent. */
static void
test_kept_across_daemon(void **state)
{
	(void)state;
	int ready, go;
	long child = 0;
	pid_t holder = -1;
	char err[256];

	pid_t pid = holder_child(&ready, &go, true);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid); /* the "parent" is gone */
	assert_int_equal(read(ready, &child, sizeof(child)), sizeof(child));
	assert_true(child != (long)pid);
	assert_null(pidfile_open(path, &holder, err, sizeof(err)));
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal((long)holder, child);
	assert_int_equal(file_pid(path), child);
	close(go);
	/* The grandchild is not ours to reap: wait for its lock to go. */
	struct pidfile *pf = NULL;
	for (int i = 0; i < 200 && pf == NULL; i++) {
		pf = pidfile_open(path, &holder, err, sizeof(err));
		if (pf == NULL)
			usleep(10000);
	}
	assert_non_null(pf);
	close(ready);
	assert_int_equal(pidfile_close(pf), 0);
}

static void
test_symlink_refused(void **state)
{
	(void)state;
	char target[160];
	pid_t holder;
	char err[256];

	snprintf(target, sizeof(target), "%s/victim", dir);
	FILE *f = fopen(target, "w");
	assert_non_null(f);
	fputs("precious\n", f);
	fclose(f);
	assert_int_equal(symlink(target, path), 0);
	errno = 0;
	assert_null(pidfile_open(path, &holder, err, sizeof(err)));
	assert_int_equal(errno, ELOOP);
	assert_non_null(strstr(err, "symbolic link"));
	/* The target is untouched. */
	f = fopen(target, "r");
	char buf[32] = "";
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "precious\n");
	/* A dangling link is not followed to create a file either. */
	unlink(path);
	snprintf(target, sizeof(target), "%s/created", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_null(pidfile_open(path, &holder, err, sizeof(err)));
	assert_int_equal(errno, ELOOP);
	assert_false(exists(target));
	unlink(path);
}

static void
test_odd_files_refused(void **state)
{
	(void)state;
	char other[160];
	pid_t holder;
	char err[256];

	/* A FIFO: open() must not block, and it is refused. */
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_null(pidfile_open(path, &holder, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	unlink(path);
	/* A hard link to another file. */
	snprintf(other, sizeof(other), "%s/other", dir);
	FILE *f = fopen(other, "w");
	assert_non_null(f);
	fputs("keep\n", f);
	fclose(f);
	assert_int_equal(link(other, path), 0);
	assert_null(pidfile_open(path, &holder, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(file_pid(other), -1); /* "keep": not overwritten by a pid */
	unlink(path);
	/* A directory in the way. */
	assert_int_equal(mkdir(path, 0755), 0);
	assert_null(pidfile_open(path, &holder, err, sizeof(err)));
	rmdir(path);
}

static void
test_stale_taken_over(void **state)
{
	(void)state;
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("4194000\nmore garbage that is longer than a pid\n", f);
	fclose(f);
	pid_t holder = -1;
	char err[256];
	struct pidfile *pf = pidfile_open(path, &holder, err, sizeof(err));
	assert_non_null(pf);
	/* Only our pid is left: the longer old contents were cut. */
	f = fopen(path, "r");
	char buf[128];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char want[32];
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	assert_string_equal(buf, want);
	assert_int_equal(pidfile_close(pf), 0);
	assert_false(exists(path));
}

/* Only the process that wrote it removes it: a forked child's close leaves it. */
static void
test_forked_child_leaves_it(void **state)
{
	(void)state;
	char err[256];
	pid_t holder;
	struct pidfile *pf = pidfile_open(path, &holder, err, sizeof(err));
	assert_non_null(pf);
	pidfile_remove_at_exit(pf);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pidfile_close(pf);
		exit(0); /* runs the atexit handler too */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(exists(path));
	assert_int_equal(file_pid(path), (long)getpid());
	assert_int_equal(pidfile_close(pf), 0);
	assert_false(exists(path));
}

/* exit() (what fatal() calls) removes it in the process that holds it. */
static void
test_removed_at_exit(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pidfile *pf = pidfile_open(path, NULL, NULL, 0);
		if (pf == NULL)
			_exit(2);
		pidfile_remove_at_exit(pf);
		if (file_pid(path) != (long)getpid())
			_exit(3);
		exit(1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 1);
	assert_false(exists(path));
}

/*
 * A file that cannot be unlinked (a directory its user may not write: a
 * daemon after dropping privileges) is emptied at close, so that it names
 * no process.  In a child, as nobody when we are root (root writes
 * read-only directories).
 */
static void
test_emptied_when_not_removable(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char sub[160];
		snprintf(sub, sizeof(sub), "%s/ro", dir);
		if (chmod(dir, 0755) != 0 || mkdir(sub, 0755) != 0)
			_exit(10);
		if (geteuid() == 0 && (chown(sub, 65534, 65534) != 0 ||
		    setgid(65534) != 0 || setuid(65534) != 0))
			_exit(11);
		snprintf(path, sizeof(path), "%s/ro/d.pid", dir);
		struct pidfile *pf = pidfile_open(path, NULL, NULL, 0);
		if (pf == NULL)
			_exit(12);
		if (chmod(sub, 0555) != 0)
			_exit(13);
		if (pidfile_close(pf) != -1 || errno != EACCES)
			_exit(14);
		if (!exists(path) || file_pid(path) != -1)
			_exit(15);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_and_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_across_daemon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_files_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale_taken_over, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forked_child_leaves_it, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removed_at_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emptied_when_not_removable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
