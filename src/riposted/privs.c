/*
 * privs.c - what riposted keeps of root once it runs (README "Privileges",
 * docs/design.md "Least privilege"): the user it becomes, the capabilities
 * it keeps, the warnings about files that user cannot reach, and what a
 * reload may not change.  The mechanics are lib/privs.c's.
 */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "health/svcconf.h"
#include "lib/log.h"
#include "lib/privs.h"
#include "riposted/daemon.h"

/*
 * SO_BINDTODEVICE (BFD's per-session sockets, opened at any time) needs
 * CAP_NET_RAW before Linux 5.7; since then an unbound socket may be bound
 * to a device without it.
 */
static bool
privs_kernel_before(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return true;	/* unknown: keep what may be needed */
	return ma < major || (ma == major && mi < minor);
}

/* The check user riposted's exec checks run as: check-user, else nobody if it exists. */
static bool
privs_check_ids(const struct riposted_conf *conf, uid_t *uid, gid_t *gid)
{
	if (conf->check_uid != (uid_t)-1) {
		*uid = conf->check_uid;
		*gid = conf->check_gid;
		return true;
	}
	return privs_user(RIPOSTED_CHECK_USER_DEFAULT, uid, gid) == 0;
}

/* Is it a directory that the user we run as may write (an entry in it removed, replaced)? */
static bool
privs_dir_writable(const char *file)
{
	char *dir = strdup(file), *slash;
	bool ok;

	if (dir == NULL)
		return true;
	slash = strrchr(dir, '/');
	if (slash == NULL)
		ok = access(".", W_OK | X_OK) == 0;
	else {
		*slash = '\0';
		ok = access(dir[0] != '\0' ? dir : "/", W_OK | X_OK) == 0;
	}
	free(dir);
	return ok;
}

/* After the drop (access() checks the real uid, ours now): what will fail later. */
static void
privs_warn_files(const struct daemon *d, const char *user)
{
	char state[PATH_MAX];

	if (access(d->conf_path, R_OK) != 0)
		log_warnx("config %s is not readable by user %s: reloads will fail", d->conf_path,
		    user);
	if (d->pidfile != NULL && !privs_dir_writable(d->pidfile))
		log_notice("pidfile %s: its directory is not writable by user %s: at exit the "
		    "file is emptied, not removed (give riposted a directory of its own, "
		    "e.g. -p /run/riposted/riposted.pid owned by %s)", d->pidfile, user, user);
	if (drainfile_path(state, sizeof(state), d->pidfile, RIPOSTED_STATE_DIR) == 0 &&
	    !privs_dir_writable(state))
		log_warnx("drained-services file %s: its directory is not writable by user %s: "
		    "a drain will not be remembered across a restart", state, user);
	if (d->conf.log_dest == LOG_DEST_FILE && access(d->conf.log_path, W_OK) != 0)
		log_warnx("log file %s is not writable by user %s: a reload cannot reopen it",
		    d->conf.log_path, user);
}

int
daemon_privs_drop(struct daemon *d)
{
	const struct riposted_conf *conf = &d->conf;
	uint64_t keep = PRIVS_CAP(CAP_NET_ADMIN) | PRIVS_CAP(CAP_NET_BIND_SERVICE);
	uid_t cu;
	gid_t cg;
	char err[256], caps[256];

	d->run_uid = geteuid();
	d->run_gid = getegid();
	/*
	 * Started as `user` already (the unit's User=riposte, with its
	 * capabilities from AmbientCapabilities=): nothing to drop, and no
	 * user to change to for the exec checks either.
	 */
	if (conf->user[0] != '\0' && geteuid() != 0 && geteuid() == conf->uid) {
		d->privs_dropped = true;
		log_info("running as user %s already (uid %u)", conf->user, (unsigned)conf->uid);
		return 0;
	}
	if (conf->user[0] == '\0') {
		if (geteuid() == 0)
			log_warnx("no 'user' in %s: riposted keeps running as root (set 'user NAME' "
			    "to keep only the capabilities it needs)", d->conf_path);
		return 0;
	}
	/*
	 * CAP_NET_ADMIN: routes, addresses, SO_RCVBUFFORCE; CAP_NET_BIND_SERVICE:
	 * BFD's port 3784, opened when a reload turns BFD on (520 is bound
	 * already).  Nothing uses raw sockets.
	 */
	if (privs_kernel_before(5, 7))
		keep |= PRIVS_CAP(CAP_NET_RAW);
	/*
	 * Exec checks as another user: their monitor changes user (SETUID,
	 * SETGID) and we must be able to kill it (KILL).  That is as good as
	 * root, so only when the users differ, and said in the log.
	 */
	if (privs_check_ids(conf, &cu, &cg) && (cu != conf->uid || cg != conf->gid)) {
		keep |= PRIVS_CAP(CAP_SETUID) | PRIVS_CAP(CAP_SETGID) | PRIVS_CAP(CAP_KILL);
		log_warnx("check-user %s is not user %s: riposted keeps CAP_SETUID, CAP_SETGID "
		    "and CAP_KILL to run and stop the exec checks (as good as root: make them the "
		    "same user to give those up)", conf->check_user[0] != '\0' ? conf->check_user :
		    RIPOSTED_CHECK_USER_DEFAULT, conf->user);
	}
	if (privs_drop(conf->uid, conf->gid, keep, err, sizeof(err)) != 0) {
		log_warnx("user %s: %s", conf->user, err);
		return -1;
	}
	d->run_uid = conf->uid;
	d->run_gid = conf->gid;
	d->caps = keep;
	d->privs_dropped = true;
	log_info("running as user %s (uid %u, gid %u) with %s", conf->user, (unsigned)conf->uid,
	    (unsigned)conf->gid, privs_caps_str(keep, caps, sizeof(caps)));
	privs_warn_files(d, conf->user);
	return 0;
}

int
daemon_privs_reload(struct daemon *d, const struct riposted_conf *nc, char *err,
    size_t errlen)
{
	uid_t cu;
	gid_t cg;

	if (strcmp(nc->user, d->conf.user) != 0)
		log_warnx("reload: 'user' changes take effect at the next start");
	if (strcmp(nc->control_group, d->conf.control_group) != 0 ||
	    nc->control_mode != d->conf.control_mode)
		log_warnx("reload: 'control-group' and 'control-mode' changes take effect at the "
		    "next start");
	/* Running as a user without CAP_SETUID: the checks can only run as that user. */
	if (d->privs_dropped && !(d->caps & PRIVS_CAP(CAP_SETUID)) &&
	    privs_check_ids(nc, &cu, &cg) && (cu != d->run_uid || cg != d->run_gid)) {
		for (size_t i = 0; i < nc->n_services; i++) {
			const struct service_conf *s = &nc->services[i];
			for (unsigned k = 0; k < s->svc.n_checks; k++) {
				if (s->checks[k].kind != CHECK_EXEC)
					continue;
				snprintf(err, errlen, "%s:%u: service %s: check exec would run as %s, "
				    "but riposted runs as %s and gave up changing users at the start: "
				    "restart riposted for that", d->conf_path, s->check_lines[k],
				    s->svc.name, nc->check_user[0] != '\0' ? nc->check_user :
				    RIPOSTED_CHECK_USER_DEFAULT, d->conf.user);
				return -1;
			}
		}
	}
	ctl_server_set_readonly_group(d->ctl, nc->control_ro_gid);
	return 0;
}
