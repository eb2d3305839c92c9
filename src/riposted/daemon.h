/*
 * daemon.h - riposted's process: the modules it wires together and the
 * state that belongs to none of them.  Private to src/riposted/.
 *
 *	main.c		options, start-up, the loop, signals, exit
 *	conf.c		the configuration file's top level (conf.h)
 *	glue.c		the adapters between the modules: RIP engine <-> socket,
 *			kernel, BFD and services; every callback gets the
 *			struct daemon through its ctx pointer (no globals)
 *	status.c	the control socket's command table and `show status`
 *	privs.c		the user riposted becomes and the capabilities it keeps
 *	metrics.c	the Prometheus listeners (`metrics listen`) and their page
 */
#ifndef RIPOSTE_RIPOSTED_DAEMON_H
#define RIPOSTE_RIPOSTED_DAEMON_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctl/ctl.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "metrics/httpd.h"
#include "riposted/conf.h"

#define RIPOSTED_DEFAULT_CONF RIPOSTE_PATH_RIPOSTED_CONF
#define RIPOSTED_VERSION "0.1.0"
/* The drained-services file when there is no pidfile to put it beside. */
#define RIPOSTED_STATE_DIR RIPOSTE_PATH_STATE_DIR

struct daemon {
	struct ev_loop *loop;
	const char *conf_path;
	const char *ctl_path;
	const char *pidfile;
	bool foreground;
	/* The running configuration; its `rip` part is the engine's (rip_engine_new). */
	struct riposted_conf conf;
	struct rip_engine *eng;
	struct kr *kr;
	struct rip_io *io;
	struct ctl_server *ctl;
	struct svcd *svcd;
	struct bfd_mgr *bfd;	/* opened when an interface has `ip rip bfd` */
	struct metrics_set metrics;	/* `metrics listen` */
	bool terminating;	/* SIGTERM seen: draining, then exit */
	ev_timer term_timer;
	ev_timer timer;
	ev_io kr_watch;
	ev_signal sig_term, sig_int, sig_hup, sig_usr1;
	ev_timer watchdog;	/* WATCHDOG=1 at half of $WATCHDOG_USEC */
	rtime_t started;
	uint64_t reloads, reload_failures;
	struct log_ratelimit bfd_log_rl;	/* BFD transition lines */
	/* privs.c: who we run as after the start, and the capabilities kept. */
	bool privs_dropped;
	uid_t run_uid;
	gid_t run_gid;
	uint64_t caps;
};

/* glue.c */
/* Open the kernel, the RIP socket, the engine, BFD and the services; 0 or -1 (logged). */
int	daemon_start(struct daemon *d, struct riposted_conf *conf);
/* Read the file again and apply it; 0, or -1 with "file:line: message" in err. */
int	daemon_reload(struct daemon *d, char *err, size_t errlen);
/* The goodbye: metric 16 for everything we advertise, then leave the loop. */
void	daemon_finish(struct daemon *d);
/* Undo daemon_start(). */
void	daemon_stop(struct daemon *d);
/* Logging as the configuration says (stderr in the foreground). */
void	daemon_log_config(const struct daemon *d, const struct riposted_conf *conf);

/* privs.c */
/* After daemon_start(): become the configured user with what riposted needs; 0 or -1. */
int	daemon_privs_drop(struct daemon *d);
/* Before a reload applies nc: what it may not change; 0, or -1 with "file:line: ...". */
int	daemon_privs_reload(struct daemon *d, const struct riposted_conf *nc, char *err,
	    size_t errlen);

/* metrics.c */
/*
 * Open c's listeners and close those c no longer has (at the start,
 * before privileges are dropped, and on every reload); 0, or -1 with
 * "file:line: message" in err and nothing changed.
 */
int	daemon_metrics_apply(struct daemon *d, const struct riposted_conf *c, char *err,
	    size_t errlen);
void	daemon_metrics_stop(struct daemon *d);

/* status.c */
extern const struct ctl_command daemon_ctl_commands[];
extern const size_t daemon_n_ctl_commands;

#endif
