/*
 * svcconf.h - what a reload changes in a service, and the drained-services
 * state file: the pure parts of services.c's reload and restart, tested
 * table-driven (tests/unit/test_svcconf.c) and fuzzed (fuzz_drainfile).
 *
 * A reload changes a running service in place when it can: timers, checks,
 * rise/fall, metric, drain-time and keep-address change without a
 * withdrawal.  Only a new address set or interface moves the addresses,
 * and services.c does that make-before-break.
 *
 * The state file lists the services drained with `ripostectl drain`, one
 * per line, so a restart does not bring them back into rotation:
 *
 *	# riposted: drained services (ripostectl undrain NAME puts one back)
 *	drained dns
 *
 * It is read back as untrusted input: at most DRAINFILE_MAX bytes, lines
 * of at most DRAINFILE_LINE_MAX, names as the config allows them (letters,
 * digits, '-', '_', '.'; shorter than SVC_NAME_MAX); anything else is
 * skipped with a warning naming the line.
 */
#ifndef RIPOSTE_HEALTH_SVCCONF_H
#define RIPOSTE_HEALTH_SVCCONF_H

#include <stdbool.h>
#include <stddef.h>

#include "health/conf.h"

enum svcd_diff {
	SVCD_DIFF_INTERVAL = 1 << 0,	/* interval, fast-interval */
	SVCD_DIFF_TIMEOUT = 1 << 1,
	SVCD_DIFF_CHECKS = 1 << 2,	/* a check added, removed, changed or moved */
	SVCD_DIFF_RISEFALL = 1 << 3,
	SVCD_DIFF_METRIC = 1 << 4,
	SVCD_DIFF_DRAIN = 1 << 5,
	SVCD_DIFF_KEEP = 1 << 6,	/* keep-address */
	SVCD_DIFF_ADDRS = 1 << 7,	/* the address set (its order does not count) */
	SVCD_DIFF_IFACE = 1 << 8,
};
/* The changes that move the addresses; every other one is made in place. */
#define SVCD_DIFF_MOVE (SVCD_DIFF_ADDRS | SVCD_DIFF_IFACE)
/* The changes that need new check objects (a check's timeout is fixed at its creation). */
#define SVCD_DIFF_NEW_CHECKS (SVCD_DIFF_CHECKS | SVCD_DIFF_TIMEOUT)

/* What differs between two blocks of the same service (0: nothing; the line does not count). */
unsigned	 svcd_conf_diff(const struct service_conf *old,
		    const struct service_conf *new);
/* "rise/fall, metric" for logs; "nothing" for 0. */
const char	*svcd_diff_describe(unsigned diff, char *buf, size_t len);
/* For each check of new: its index in old (an equal check), or -1. */
void		 svcd_check_map(const struct service_conf *old,
		    const struct service_conf *new, int map[SVC_MAX_CHECKS]);

#define DRAINFILE_MAX		(64 * 1024)
#define DRAINFILE_LINE_MAX	256

typedef void (*drainfile_entry_fn)(void *arg, const char *name);
typedef void (*drainfile_warn_fn)(void *arg, unsigned line, const char *msg);

/* Parse the state file's text (need not be NUL-terminated); returns the number of entries. */
size_t		 drainfile_parse(const char *buf, size_t len, drainfile_entry_fn entry,
		    drainfile_warn_fn warn, void *arg);
/* A name the state file (and the config) accepts. */
bool		 drainfile_name_ok(const char *name, size_t len);
/*
 * Read path (O_NOFOLLOW, a regular file, at most DRAINFILE_MAX bytes) into
 * a malloc'd NUL-terminated buffer.  0; 1 when there is no file; -1 with
 * errno and a message in err.
 */
int		 drainfile_read(const char *path, char **buf, size_t *len, char *err,
		    size_t errlen);
/*
 * Write the names atomically: path.tmp (O_NOFOLLOW, 0644), fsync, rename
 * over path.  0, or -1 with errno.
 */
int		 drainfile_write(const char *path, const char *const *names, size_t n);
/*
 * Where the state file goes: next to the pidfile, named after it
 * ("/run/riposte/riposted.pid" -> "/run/riposte/riposted.drained"), or
 * def_dir/riposted.drained without a pidfile.  0, or -1 if it does not fit.
 */
int		 drainfile_path(char *buf, size_t len, const char *pidfile,
		    const char *def_dir);

#endif
