/*
 * test_privs.c - lib/privs.c: the safety of a program's path on a real
 * temporary tree (owners, group and other write bits, sticky directories,
 * symbolic links, missing files), user and group names, the capability
 * names of the logs, and the drops themselves in forked children (as root:
 * the user, the kept capabilities, the bounding set, no way back; as
 * another user: only "become ourselves" works).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/privs.h"

static char dir[64];
static char sub[128], prog[160], err[512];
static uid_t me;

static void
touch(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "#!/bin/sh\nexit 0\n", 17), 17);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static int
setup(void **state)
{
	(void)state;
	me = geteuid();
	snprintf(dir, sizeof(dir), "/tmp/test_privs.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sub, sizeof(sub), "%s/bin", dir);
	snprintf(prog, sizeof(prog), "%s/check.sh", sub);
	if (mkdir(sub, 0755) != 0)
		return -1;
	touch(prog, 0755);
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

/* Expect a refusal with exactly this message. */
static void
refused(const char *path, uid_t uid, const char *want)
{
	err[0] = '\0';
	assert_int_equal(privs_path_secure(path, uid, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void
test_safe_tree(void **state)
{
	(void)state;
	/* / and /tmp (sticky) are root's, the rest ours (root's when run as root). */
	assert_int_equal(privs_path_secure(prog, me, err, sizeof(err)), 0);
	/* A path that does not exist yet: its directories were fine. */
	char missing[256];
	snprintf(missing, sizeof(missing), "%s/nope/x.sh", sub);
	assert_int_equal(privs_path_secure(missing, me, err, sizeof(err)), 0);
	/* Repeated slashes are one separator. */
	char slashes[256];
	snprintf(slashes, sizeof(slashes), "%s//bin///check.sh", dir);
	assert_int_equal(privs_path_secure(slashes, me, err, sizeof(err)), 0);
	refused("bin/check.sh", me, "bin/check.sh is not an absolute path");
	refused("", me, " is not an absolute path");
}

static void
test_writable_file_and_dirs(void **state)
{
	char want[512];

	(void)state;
	assert_int_equal(chmod(prog, 0777), 0);
	snprintf(want, sizeof(want), "%s is writable by others (mode 0777)", prog);
	refused(prog, me, want);
	assert_int_equal(chmod(prog, 0757), 0);
	snprintf(want, sizeof(want), "%s is writable by others (mode 0757)", prog);
	refused(prog, me, want);
	assert_int_equal(chmod(prog, 0755), 0);

	/* A directory writable by others: the file in it could be replaced. */
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(want, sizeof(want), "%s is writable by others (mode 0777)", sub);
	refused(prog, me, want);
	/* ... unless it is sticky, like /tmp: only the owner moves an entry. */
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(privs_path_secure(prog, me, err, sizeof(err)), 0);
	assert_int_equal(chmod(sub, 0755), 0);
}

static void
test_owners_and_groups(void **state)
{
	char want[512];

	(void)state;
	if (me != 0) {
		/* Not root: our own files are fine for us, and nobody else's. */
		snprintf(want, sizeof(want), "%s is owned by uid %u (not root or the check user)",
		    dir, (unsigned)me);
		refused(prog, me + 1, want);
		return;
	}
	/* Owned by the check user: fine for that user, not for another. */
	assert_int_equal(chown(prog, 4242, 0), 0);
	assert_int_equal(privs_path_secure(prog, 4242, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s is owned by uid 4242 (not root or the check user)",
	    prog);
	refused(prog, 65534, want);
	/* A directory owned by someone else: they may swap the file. */
	assert_int_equal(chown(prog, 0, 0), 0);
	assert_int_equal(chown(sub, 4243, 0), 0);
	snprintf(want, sizeof(want), "%s is owned by uid 4243 (not root or the check user)", sub);
	refused(prog, 65534, want);
	assert_int_equal(chown(sub, 0, 0), 0);
	/* Group-writable: only root's group is trusted. */
	assert_int_equal(chmod(prog, 0775), 0);
	assert_int_equal(privs_path_secure(prog, 65534, err, sizeof(err)), 0);
	assert_int_equal(chown(prog, 0, 50), 0);
	snprintf(want, sizeof(want), "%s is writable by group 50 (mode 0775)", prog);
	refused(prog, 65534, want);
	assert_int_equal(chmod(sub, 0775), 0);
	assert_int_equal(chmod(prog, 0755), 0);
	assert_int_equal(chown(sub, 0, 50), 0);
	snprintf(want, sizeof(want), "%s is writable by group 50 (mode 0775)", sub);
	refused(prog, 65534, want);
}

static void
test_symlinks(void **state)
{
	char bad[128], badprog[160], link1[160], link2[160], want[512];

	(void)state;
	/* A link in a safe directory to a program in an unsafe one: the target is judged. */
	snprintf(bad, sizeof(bad), "%s/open", dir);
	snprintf(badprog, sizeof(badprog), "%s/x.sh", bad);
	assert_int_equal(mkdir(bad, 0755), 0);
	assert_int_equal(chmod(bad, 0777), 0);
	touch(badprog, 0755);
	snprintf(link1, sizeof(link1), "%s/link.sh", sub);
	assert_int_equal(symlink(badprog, link1), 0);
	snprintf(want, sizeof(want), "%s is writable by others (mode 0777)", bad);
	refused(link1, me, want);
	/* A link to a safe program is fine, whatever the link's own mode. */
	snprintf(link2, sizeof(link2), "%s/good.sh", sub);
	assert_int_equal(symlink("check.sh", link2), 0);
	assert_int_equal(privs_path_secure(link2, me, err, sizeof(err)), 0);
	/* A dangling link: where it leads could appear later, unchecked. */
	assert_int_equal(unlink(prog), 0);
	snprintf(want, sizeof(want), "%s: cannot resolve: No such file or directory", link2);
	refused(link2, me, want);
	/* A directory that is not a program. */
	snprintf(want, sizeof(want), "%s is not a regular file", sub);
	refused(sub, me, want);
}

static void
test_names(void **state)
{
	(void)state;
	assert_true(privs_name_ok("nobody"));
	assert_true(privs_name_ok("riposte-dns"));
	assert_true(privs_name_ok("_chrony"));
	assert_true(privs_name_ok("a.b"));
	assert_true(privs_name_ok("machine$"));
	assert_false(privs_name_ok(""));
	assert_false(privs_name_ok("-x"));
	assert_false(privs_name_ok("a b"));
	assert_false(privs_name_ok("a/b"));
	assert_false(privs_name_ok("a:b"));
	assert_false(privs_name_ok("a$b"));
	assert_false(privs_name_ok("abcdefghijklmnopqrstuvwxyz012345"));	/* 32 */
	assert_true(privs_name_ok("abcdefghijklmnopqrstuvwxyz01234"));	/* 31 */

	uid_t uid;
	gid_t gid;
	assert_int_equal(privs_user("root", &uid, &gid), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(privs_group("root", &gid), 0);
	assert_int_equal(gid, 0);
	assert_int_equal(privs_user("no-such-user-riposte", &uid, &gid), -1);
	assert_int_equal(privs_group("no-such-group-riposte", &gid), -1);
}

static void
test_caps_str(void **state)
{
	char buf[256];

	(void)state;
	assert_string_equal(privs_caps_str(0, buf, sizeof(buf)), "none");
	assert_string_equal(privs_caps_str(PRIVS_CAP(CAP_NET_BIND_SERVICE) |
	    PRIVS_CAP(CAP_NET_ADMIN), buf, sizeof(buf)), "cap_net_admin,cap_net_bind_service");
	assert_string_equal(privs_caps_str(PRIVS_CAP(CAP_SYS_ADMIN), buf, sizeof(buf)),
	    "cap_21");
}

/* Run fn in a child; it exits 0 when its asserts (plain checks) held. */
static void
in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int
child_drop(void)
{
	uint64_t keep = PRIVS_CAP(CAP_NET_ADMIN) | PRIVS_CAP(CAP_NET_BIND_SERVICE);
	uint64_t eff, prm, bnd;
	char e[256];

	if (geteuid() != 0) {
		/* Not root: changing user is refused, becoming ourselves is fine. */
		if (privs_drop(geteuid() + 1, getegid(), keep, e, sizeof(e)) != -1 ||
		    strstr(e, "only root can change") == NULL)
			return 1;
		return privs_drop(geteuid(), getegid(), keep, e, sizeof(e)) == 0 ? 0 : 2;
	}
	if (privs_drop(65534, 65534, keep, e, sizeof(e)) != 0)
		return 3;
	if (getuid() != 65534 || geteuid() != 65534 || getgid() != 65534)
		return 4;
	if (privs_caps(&eff, &prm, &bnd) != 0 || eff != keep || prm != keep || bnd != keep)
		return 5;
	/* No way back. */
	if (setuid(0) == 0)
		return 6;
	return 0;
}

static int
child_child_drop(void)
{
	uint64_t eff, prm, bnd;
	uid_t uid = geteuid() == 0 ? 65534 : geteuid();
	gid_t gid = geteuid() == 0 ? 65534 : getegid();

	if (privs_child_drop(uid, gid) != 0)
		return 1;
	if (getuid() != uid || geteuid() != uid || getgid() != gid || getegid() != gid)
		return 2;
	if (privs_caps(&eff, &prm, &bnd) != 0 || eff != 0 || prm != 0)
		return 3;
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 4;
	return 0;
}

static void
test_drop(void **state)
{
	(void)state;
	in_child(child_drop);
	in_child(child_child_drop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_safe_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_file_and_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owners_and_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_caps_str),
		cmocka_unit_test(test_drop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
