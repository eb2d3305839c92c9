/*
 * conf.h - riposted's configuration file: the top-level grammar.
 *
 * riposted.conf is written in the FRR/Quagga ripd.conf dialect (the seed's
 * ripd.conf and zebra.conf load as they are) plus riposte's own `service`
 * blocks.  This module owns the top level: hostname, log, the FRR/zebra
 * statements we accept with a warning or refuse, and the blocks, each
 * handed to its module's keyword table:
 *
 *	router rip		rip/conf.c (rip_conf_router_table)
 *	interface IFNAME	rip/conf.c (RIP's statements), bfd/conf.c (BFD's
 *				timers and authentication), and the zebra statements below
 *	service NAME		health/conf.c (service_conf_table)
 *	key chain NAME		lib/keychain.c (its `key N` blocks too); RIP gets a
 *				copy (rip.keychains) for `ip rip authentication`
 *	line vty		everything in it ignored with a warning
 *
 * and `metrics listen ADDRESS[@PORT]` (repeatable, PROM_LISTEN_MAX; port
 * 9475 unless given): the Prometheus listener, off without one (README,
 * Metrics).
 *
 * The lexer is lib/conf.c's; errors are "file:line: message" and reject
 * the whole file.  riposted_conf_print() writes the canonical form, which
 * parses back to an equal configuration (round-trip tests).
 */
#ifndef RIPOSTE_RIPOSTED_CONF_H
#define RIPOSTE_RIPOSTED_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "bfd/conf.h"
#include "health/conf.h"
#include "lib/keychain.h"
#include "lib/log.h"
#include "lib/privs.h"
#include "lib/prom.h"
#include "rip/conf.h"

struct riposted_conf {
	char hostname[64];

	/* log */
	enum log_dest log_dest;
	char log_path[256];
	enum log_level log_level;

	struct rip_conf rip;

	/* metrics listen: where Prometheus scrapes us; none: no listener. */
	struct prom_listen metrics[PROM_LISTEN_MAX];
	size_t n_metrics;

	/* BFD's settings of each interface block (the same blocks as rip.ifaces). */
	struct bfd_iface_conf *bfd_ifaces;
	size_t n_bfd_ifaces;

	struct service_conf *services;
	size_t n_services;

	/* key chain blocks: for RIP's and BFD's authentication (BFD's manager copies them). */
	struct keychain_set keychains;
	/*
	 * Privileges (README "Privileges"): the names as written ("" when
	 * not given) and their lines; riposted_conf_resolve() looks them up.
	 */
	char user[PRIVS_NAME_MAX];		/* run as; "": stay root */
	char check_user[PRIVS_NAME_MAX];	/* exec checks run as; "": nobody */
	char control_group[PRIVS_NAME_MAX];	/* the control socket's group */
	char control_ro_group[PRIVS_NAME_MAX];	/* may show, not act */
	unsigned control_mode;			/* the control socket's mode (0660) */
	unsigned user_line, check_user_line, control_group_line, control_ro_group_line;
	/* Looked up; (uid_t)-1 / (gid_t)-1 when not configured. */
	uid_t uid, check_uid;
	gid_t gid, check_gid, control_gid, control_ro_gid;
};

/* The metrics listener's port when `metrics listen` gives none (README, Metrics). */
#define RIPOSTED_METRICS_PORT 9475
#define RIPOSTED_CHECK_USER_DEFAULT "nobody"
#define RIPOSTED_CONTROL_MODE_DEFAULT 0660

void	riposted_conf_init(struct riposted_conf *conf);
/*
 * Every keyword table of riposted.conf, the top level first: for the test
 * that every statement the parser knows is in riposted.conf(5) (tests/man).
 */
struct conf_table;
const struct conf_table *const *riposted_conf_tables(size_t *n);
void	riposted_conf_free(struct riposted_conf *conf);

/*
 * Parse `len` bytes of config text named `name` (for messages).  On error
 * returns -1 and writes "name:line: message" into err; *conf is then left
 * initialised but empty.  Warnings go to log_warnx as "name:line: ...".
 * Anything in *conf before is overwritten, not freed, so a reload can parse
 * into a fresh struct and swap only on success.
 */
int	riposted_conf_parse_buf(const char *name, const char *buf, size_t len,
	    struct riposted_conf *conf, char *err, size_t errlen);
/* Read the file and parse it; errors as above, plus "PATH: cannot read: strerror". */
int	riposted_conf_parse_file(const char *path, struct riposted_conf *conf, char *err,
	    size_t errlen);

/*
 * What the names and files of the configuration mean on this host, for
 * --check, the start and every reload (riposted_conf_parse_file() calls
 * it; riposted_conf_parse_buf() does not, so the fuzzer and the unit tests
 * of the grammar stay off the system): the users and groups are looked up
 * ("name:line: user x: no such user"), every exec check gets the check
 * user (run_as) and its program must be safe to run as that user
 * (privs_path_secure: "name:line: service dns: check exec /tmp/c.sh: not safe
 * to run as nobody: /tmp/c.sh is writable by others (mode 0777)").  0, or -1
 * with the message in err.
 */
int	riposted_conf_resolve(const char *name, struct riposted_conf *conf, char *err,
	    size_t errlen);

/* The canonical config text (what --print shows); parses back to an equal config. */
void	riposted_conf_print(FILE *out, const struct riposted_conf *conf);

/* BFD's settings for interface `name` (its block's, or the defaults). */
struct bfd_iface_conf riposted_conf_bfd_iface(const struct riposted_conf *conf,
	    const char *name);

#endif
