/*
 * privs.h - giving up root, for riposted and riposte-dns: become a user
 * while keeping a named set of capabilities (the rest of root is gone,
 * bounding set included); the same for a child between fork and exec
 * (no capabilities at all, no new privileges); and whether a program's
 * path is safe to run as a given user (keepalived's script security:
 * nobody else may change what runs).
 *
 * Capabilities are bit masks of the CAP_* numbers of <linux/capability.h>:
 * PRIVS_CAP(CAP_NET_ADMIN) | PRIVS_CAP(CAP_NET_BIND_SERVICE).  The raw
 * capset(2) is used (glibc has no wrapper): three masks of two words do
 * not need libcap, and every build (fuzzers, sanitizers) stays free of it.
 */
#ifndef RIPOSTE_LIB_PRIVS_H
#define RIPOSTE_LIB_PRIVS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PRIVS_CAP(c) (UINT64_C(1) << (c))
/* The longest user or group name the configs take. */
#define PRIVS_NAME_MAX 32

/* A user's uid and primary gid, or a group's gid; 0, or -1 (no such name). */
int	privs_user(const char *name, uid_t *uid, gid_t *gid);
int	privs_group(const char *name, gid_t *gid);
/*
 * Is NAME a plausible user or group name (what useradd accepts: letters,
 * digits, '.', '_', '-', a final '$'; not starting with '-'; shorter than
 * PRIVS_NAME_MAX)?  Checked at parse time, before any lookup.
 */
int	privs_name_ok(const char *name);

/*
 * From root: become uid/gid (supplementary groups: gid alone) and keep
 * the capabilities of `keep` in the permitted and effective sets; the
 * bounding set is cut to `keep` too and the inheritable set emptied, so
 * nothing exec'd later can get more.  Not root (started by a user): only
 * "become ourselves" succeeds, with the capabilities we have.  0, or -1
 * with a message in err.
 */
int	privs_drop(uid_t uid, gid_t gid, uint64_t keep, char *err, size_t errlen);

/* The effective, permitted and bounding sets of this process; 0 or -1. */
int	privs_caps(uint64_t *eff, uint64_t *prm, uint64_t *bnd);
/* "cap_net_admin,cap_net_bind_service" (or "none"), for logs. */
const char *privs_caps_str(uint64_t caps, char *buf, size_t len);

/*
 * In a child between fork (or clone) and exec: raw system calls only,
 * so it is safe after vfork and in a clone child of a libc that does not
 * know it forked.  Become uid/gid if we are not already (then the
 * supplementary groups are gid alone), drop every capability (effective,
 * permitted, inheritable, ambient) and set no_new_privs, so that a
 * set-user-ID program cannot give the child back what it lost.  0, or -1
 * with errno.
 */
int	privs_child_drop(uid_t uid, gid_t gid);

/*
 * Is the program at PATH (absolute) safe to run as uid: every directory
 * from / down and the file itself, along the path as written and as
 * resolved (realpath), must be owned by root or by uid, not writable by a
 * group other than root's, and not writable by others, except a directory
 * with the sticky bit (/tmp: only the owner of an entry may rename or
 * remove it, and each entry on the path is root's or uid's).  A path that
 * does not exist yet is not an error here (running it fails, and says so);
 * the directories that exist are checked.  0, or -1 with a message in err:
 *	"/tmp/x/run.sh is writable by others (mode 0777)"
 *	"/home/a is owned by uid 1000 (not root or the check user)"
 *	"/opt/chk is writable by group 50 (mode 0775)"
 */
int	privs_path_secure(const char *path, uid_t uid, char *err, size_t errlen);

#endif
