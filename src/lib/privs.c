/*
 * privs.c - users, capabilities and the safety of a program's path (see
 * privs.h).  The daemons decide what to keep; this file only knows how.
 */
#include "privs.h"
#include "lib/textfile.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int
privs_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(name);

	if (pw == NULL)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int
privs_group(const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);

	if (gr == NULL)
		return -1;
	*gid = gr->gr_gid;
	return 0;
}

int
privs_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= PRIVS_NAME_MAX || name[0] == '-')
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-' || (c == '$' && i == len - 1))
			continue;
		return 0;
	}
	return 1;
}

/* ---------------------------------------------------------- capabilities */

static int
privs_capset(uint64_t eff, uint64_t prm, uint64_t inh)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	d[0].effective = (uint32_t)eff;
	d[1].effective = (uint32_t)(eff >> 32);
	d[0].permitted = (uint32_t)prm;
	d[1].permitted = (uint32_t)(prm >> 32);
	d[0].inheritable = (uint32_t)inh;
	d[1].inheritable = (uint32_t)(inh >> 32);
	return (int)syscall(SYS_capset, &h, d);
}

/* The highest capability this kernel knows (newer than our headers, perhaps). */
static int
privs_cap_last(void)
{
	int last = CAP_LAST_CAP;

	while (last < 63 && prctl(PR_CAPBSET_READ, (unsigned long)last + 1, 0, 0, 0) >= 0)
		last++;
	return last;
}

int
privs_caps(uint64_t *eff, uint64_t *prm, uint64_t *bnd)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int last = privs_cap_last();

	if (syscall(SYS_capget, &h, d) != 0)
		return -1;
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
	*bnd = 0;
	for (int c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 1)
			*bnd |= PRIVS_CAP(c);
	return 0;
}

const char *
privs_caps_str(uint64_t caps, char *buf, size_t len)
{
	static const struct { int cap; const char *name; } names[] = {
		{ CAP_NET_ADMIN, "cap_net_admin" },
		{ CAP_NET_BIND_SERVICE, "cap_net_bind_service" },
		{ CAP_NET_RAW, "cap_net_raw" },
		{ CAP_SETUID, "cap_setuid" },
		{ CAP_SETGID, "cap_setgid" },
		{ CAP_KILL, "cap_kill" },
	};
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(caps & PRIVS_CAP(names[i].cap)))
			continue;
		caps &= ~PRIVS_CAP(names[i].cap);
		int n = snprintf(buf + off, len - off, "%s%s", off > 0 ? "," : "", names[i].name);
		if (n < 0 || (size_t)n >= len - off)
			return buf;
		off += (size_t)n;
	}
	for (int c = 0; c < 64 && caps != 0; c++) {
		if (!(caps & PRIVS_CAP(c)))
			continue;
		caps &= ~PRIVS_CAP(c);
		int n = snprintf(buf + off, len - off, "%scap_%d", off > 0 ? "," : "", c);
		if (n < 0 || (size_t)n >= len - off)
			return buf;
		off += (size_t)n;
	}
	if (off == 0)
		snprintf(buf, len, "none");
	return buf;
}

int
privs_drop(uid_t uid, gid_t gid, uint64_t keep, char *err, size_t errlen)
{
	int last;

	if (geteuid() != 0) {
		if (geteuid() == uid && getegid() == gid)
			return 0;
		textfile_err(err, errlen, "only root can change to uid %u gid %u (we are uid %u)",
		    (unsigned)uid, (unsigned)gid, (unsigned)geteuid());
		return -1;
	}
	/* The bounding set while we still have CAP_SETPCAP: exec gets no more later. */
	last = privs_cap_last();
	for (int c = 0; c <= last; c++) {
		if (keep & PRIVS_CAP(c))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0) != 0 && errno != EINVAL) {
			textfile_err(err, errlen, "cannot drop capability %d from the bounding set: %s",
			    c, strerror(errno));
			return -1;
		}
	}
	/* Groups first: after setuid() we could not change them any more. */
	if (setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0) {
		textfile_err(err, errlen, "cannot change to gid %u: %s", (unsigned)gid,
		    strerror(errno));
		return -1;
	}
	/*
	 * Without KEEPCAPS the change of uid away from 0 empties the
	 * permitted set; with it, the set survives and capset() below cuts
	 * it to what we keep.
	 */
	if (keep != 0 && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
		textfile_err(err, errlen, "PR_SET_KEEPCAPS: %s", strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid) != 0) {
		textfile_err(err, errlen, "cannot change to uid %u: %s", (unsigned)uid,
		    strerror(errno));
		return -1;
	}
	if (uid == 0 && keep == 0) {
		textfile_err(err, errlen, "refusing to run as uid 0 without capabilities");
		return -1;
	}
	if (privs_capset(keep, keep, 0) != 0) {
		textfile_err(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	(void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	/* The way back must be closed (unless we kept the means on purpose). */
	if (uid != 0 && !(keep & PRIVS_CAP(CAP_SETUID)) && setuid(0) == 0) {
		textfile_err(err, errlen, "could become root again after dropping privileges");
		return -1;
	}
	return 0;
}

int
privs_child_drop(uid_t uid, gid_t gid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	if (syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) != 0)
		return -1;
	if (syscall(SYS_getresuid, &ru, &eu, &su) != 0 ||
	    syscall(SYS_getresgid, &rg, &eg, &sg) != 0)
		return -1;
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		/* Raw calls: glibc's would signal threads of the parent's memory image. */
		if (syscall(SYS_setgroups, 1UL, &gid) != 0 ||
		    syscall(SYS_setresgid, gid, gid, gid) != 0 ||
		    syscall(SYS_setresuid, uid, uid, uid) != 0)
			return -1;
	}
	(void)syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL);
	memset(d, 0, sizeof(d));
	return (int)syscall(SYS_capset, &h, d);
}

/* ------------------------------------------------------------ path safety */

/* One component of a path: may someone other than root or uid change it? */
static int
privs_component_ok(const char *path, const struct stat *st, bool dir, uid_t uid, char *err,
    size_t errlen)
{
	unsigned mode = (unsigned)st->st_mode & 07777;

	if (st->st_uid != 0 && st->st_uid != uid) {
		textfile_err(err, errlen, "%s is owned by uid %u (not root or the check user)", path,
		    (unsigned)st->st_uid);
		return -1;
	}
	/* A sticky directory: only an entry's owner (root or uid, checked next) moves it. */
	if (dir && (st->st_mode & S_ISVTX))
		return 0;
	if (st->st_mode & S_IWOTH) {
		textfile_err(err, errlen, "%s is writable by others (mode %04o)", path, mode);
		return -1;
	}
	if ((st->st_mode & S_IWGRP) && st->st_gid != 0) {
		textfile_err(err, errlen, "%s is writable by group %u (mode %04o)", path,
		    (unsigned)st->st_gid, mode);
		return -1;
	}
	return 0;
}

/* lstat and judge one prefix of the path; 1: it is not there. */
static int
privs_prefix(const char *prefix, uid_t uid, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(prefix, &st) != 0) {
		if (errno == ENOENT)
			return 1;
		textfile_err(err, errlen, "%s: %s", prefix, strerror(errno));
		return -1;
	}
	/*
	 * A symbolic link is not judged by its own mode (always 0777): its
	 * directory was, and the walk of the resolved path judges its target.
	 */
	if (S_ISLNK(st.st_mode))
		return 0;
	return privs_component_ok(prefix, &st, S_ISDIR(st.st_mode), uid, err, errlen);
}

/* Every prefix of PATH from "/" to the whole; *exists: all were there. */
static int
privs_walk(const char *path, uid_t uid, bool *exists, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	size_t len = strlen(path), i = 1;
	int rc;

	*exists = false;
	if (len == 0 || len >= sizeof(buf) || path[0] != '/') {
		textfile_err(err, errlen, "%s is not an absolute path", path);
		return -1;
	}
	if ((rc = privs_prefix("/", uid, err, errlen)) != 0)
		return rc < 0 ? -1 : 0;
	for (;;) {
		while (path[i] == '/')
			i++;
		if (path[i] == '\0')
			break;
		while (path[i] != '\0' && path[i] != '/')
			i++;
		memcpy(buf, path, i);
		buf[i] = '\0';
		if ((rc = privs_prefix(buf, uid, err, errlen)) != 0)
			return rc < 0 ? -1 : 0;
	}
	*exists = true;
	return 0;
}

int
privs_path_secure(const char *path, uid_t uid, char *err, size_t errlen)
{
	char *real;
	bool exists;
	struct stat st;

	if (privs_walk(path, uid, &exists, err, errlen) != 0)
		return -1;
	if (!exists)
		return 0;
	if ((real = realpath(path, NULL)) == NULL) {
		/* A dangling link: where it leads was not checked, and may appear. */
		textfile_err(err, errlen, "%s: cannot resolve: %s", path, strerror(errno));
		return -1;
	}
	int rc = privs_walk(real, uid, &exists, err, errlen);
	if (rc == 0 && stat(real, &st) == 0 && !S_ISREG(st.st_mode)) {
		textfile_err(err, errlen, "%s is not a regular file", real);
		rc = -1;
	}
	free(real);
	return rc;
}
