/*
 * main.c - riposted's start-up, event loop, signals and exit (daemon.h
 * says which file does what).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "health/services.h"
#include "lib/log.h"
#include "lib/sdnotify.h"
#include "lib/pidfile.h"
#include "netlink/kr.h"
#include "rip/packet.h"
#include "riposted/daemon.h"

static void
sig_hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	char err[512];

	(void)daemon_reload(d, err, sizeof(err));
}

/* SIGUSR1: reopen the log file (logrotate moved it); the config stays. */
static void
sig_usr1_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	const char *path = log_file_path();

	if (path == NULL)
		return;
	if (log_reopen() != 0)
		log_warn("SIGUSR1: cannot reopen log file %s, logging stays in the old one", path);
	else
		log_info("SIGUSR1: log file %s reopened", path);
}

/*
 * The service manager's watchdog (WatchdogSec=): pinged from the loop at
 * half the interval, so a loop that stops turning stops the pings.
 */
static void
watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	sdnotify_send("WATCHDOG=1");
}

static void
term_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct daemon *d = w->data;

	log_info("drain time over: poisoning our routes and exiting");
	daemon_finish(d);
}

static void
sig_term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;

	if (d->terminating) {
		log_info("received %s again: exiting without waiting for the drain",
		    strsignal(w->signum));
		daemon_finish(d);
		return;
	}
	d->terminating = true;
	sdnotify_send("STOPPING=1");
	/*
	 * Drain first: every announced service is withdrawn now while its
	 * address keeps answering, so the queries already on their way are
	 * answered while the routers move to another server.
	 */
	rtime_t wait = svcd_drain_for_exit(d->svcd);
	if (wait == 0) {
		log_info("received %s: poisoning our routes and exiting", strsignal(w->signum));
		daemon_finish(d);
		return;
	}
	log_info("received %s: services withdrawn, exiting after their drain time (%lld ms)",
	    strsignal(w->signum), (long long)(wait / RTIME_MS));
	ev_timer_set(&d->term_timer, (double)wait / 1e6, 0.);
	ev_timer_start(d->loop, &d->term_timer);
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: riposted [-d] [-c FILE] [-s SOCKET] [-p PIDFILE]\n"
	    "       riposted [-c FILE] --check | --print\n"
	    "\n"
	    "riposted is a RIPv2 router (RFC 2453) for Linux that reads the FRR/Quagga\n"
	    "ripd.conf dialect, installs learned routes in the kernel (rtm_protocol %d),\n"
	    "keeps every neighbour's loop-free offer so it can switch to an alternate at\n"
	    "once, and poisons its routes (metric 16) before it exits.\n"
	    "\n"
	    "Options:\n"
	    "  -c, --config FILE    configuration file (default %s)\n"
	    "  -s, --socket PATH    control socket for ripostectl (default %s)\n"
	    "  -p, --pidfile PATH   the lock and process id file (default: SOCKET with\n"
	    "                       .sock replaced by .pid, else SOCKET.pid; so\n"
	    "                       %s); a second riposted on the same\n"
	    "                       pidfile or socket, or in the same network\n"
	    "                       namespace, exits 1 touching nothing\n"
	    "  -d, --foreground     stay in the foreground (systemd's Type=notify); logs go\n"
	    "                       where `log` says, stderr without one, with each\n"
	    "                       line's syslog priority (<N>) when stderr is not a\n"
	    "                       terminal (journald files them at their level)\n"
	    "      --check          validate the configuration and exit (0 valid, 1 not)\n"
	    "      --print          print the configuration in canonical form and exit\n"
	    "  -V, --version        print the version and exit\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Signals:\n"
	    "  SIGHUP               reload the configuration; a bad one is logged and the\n"
	    "                       running one stays (`ripostectl reload` does the same\n"
	    "                       and answers with the result)\n"
	    "  SIGUSR1              reopen the log file (`log file`; after logrotate)\n"
	    "  SIGTERM, SIGINT      drain every service (withdraw it, keep its address\n"
	    "                       answering for its drain-time), then send metric 16 for\n"
	    "                       every route we advertise, remove our kernel routes and\n"
	    "                       the service addresses, and exit; a second signal exits\n"
	    "                       without waiting\n"
	    "\n"
	    "Health checks (`check` in a `service` block; README, Services):\n"
	    "  dns ADDRESS[@PORT] NAME [TYPE] [expect rcode RCODE|any]\n"
	    "  zone ADDRESS[@PORT] ZONE [primary ADDRESS[@PORT]]... [max-lag DURATION]\n"
	    "       [expire-margin DURATION]\n"
	    "                       the server answers ZONE's SOA with AA and NOERROR,\n"
	    "                       has not lagged behind a primary's serial for\n"
	    "                       max-lag (default 5m) or longer, and a primary has\n"
	    "                       shown its serial within the SOA's expire - refresh\n"
	    "                       - expire-margin (default the larger of expire / 10\n"
	    "                       and 2 x (interval + fall x max(fast-interval,\n"
	    "                       timeout))): withdrawn before its copy expires\n"
	    "  tcp ADDRESS:PORT | exec /PATH [ARG...] | process PIDFILE\n"
	    "\n"
	    "Files:\n"
	    "  PIDFILE              the lock: one riposted per pidfile and socket\n"
	    "  PIDFILE.drained      (.pid replaced) the services drained with ripostectl,\n"
	    "                       kept drained across a restart until undrain\n"
	    "\n"
	    "Exit status: 0 on success, 1 on a configuration or start-up error.\n",
	    RTPROT_RIPOSTE, RIPOSTED_DEFAULT_CONF, CTL_DEFAULT_SOCKET, RIPOSTE_PATH_RIPOSTED_PID);
}

/*
 * daemon() changes to "/": a path used after it (the config at SIGHUP, the
 * control socket, the pidfile) is made absolute from where we started.
 */
static char *
daemon_abs_path(const char *path)
{
	char *cwd, *out;

	if (path[0] == '/')
		return strdup(path);
	if ((cwd = getcwd(NULL, 0)) == NULL)
		return NULL;
	if (asprintf(&out, "%s/%s", cwd, path) < 0)
		out = NULL;
	free(cwd);
	return out;
}

/*
 * Without -p the lock is per control socket, the thing two daemons must
 * not share: the socket's path with a trailing ".sock" replaced by ".pid",
 * or with ".pid" appended (/run/riposted.sock: /run/riposted.pid;
 * DIR/r1.ctl: DIR/r1.ctl.pid).
 */
static char *
daemon_default_pidfile(const char *sock)
{
	size_t n = strlen(sock);
	char *out;

	if (n > 5 && strcmp(sock + n - 5, ".sock") == 0)
		n -= 5;
	if (asprintf(&out, "%.*s.pid", (int)n, sock) < 0)
		return NULL;
	return out;
}

/*
 * Paths in the config that the daemon opens after daemon() changed to "/":
 * a relative one would silently mean another file.  The parser keeps them
 * as written, so refuse them here (only when daemonizing: -d keeps the
 * working directory).
 */
static int
daemon_conf_relative(const struct riposted_conf *conf, char *err, size_t errlen)
{
	if (conf->log_dest == LOG_DEST_FILE && conf->log_path[0] != '/') {
		snprintf(err, errlen, "log file %s: a relative path (riposted works in / "
		    "once it runs in the background): give an absolute one", conf->log_path);
		return -1;
	}
	for (size_t i = 0; i < conf->n_services; i++) {
		const struct service_conf *s = &conf->services[i];
		for (unsigned k = 0; k < s->svc.n_checks; k++) {
			const struct check_conf *c = &s->checks[k];
			/* exec: c->args starts with argv[0], NUL-terminated. */
			const char *p = c->kind == CHECK_PROCESS ? c->path :
			    c->kind == CHECK_EXEC ? c->args : NULL;
			size_t len = p != NULL ? strlen(p) : 0;
			/* exec: a bare name is looked up in PATH; "bin/x" is relative. */
			if (p == NULL || p[0] == '/' ||
			    (c->kind == CHECK_EXEC && memchr(p, '/', len) == NULL))
				continue;
			snprintf(err, errlen, "line %u: service %s: check %s %.*s: a relative path "
			    "(riposted works in / once it runs in the background): give an "
			    "absolute one", s->line, s->svc.name,
			    c->kind == CHECK_PROCESS ? "process" : "exec", (int)len, p);
			return -1;
		}
	}
	return 0;
}

/*
 * One riposted per network namespace as well: two with different sockets
 * and pidfiles would both bind UDP 520 (SO_REUSEADDR) and the second would
 * flush the first one's kernel routes.  An abstract unix socket name is per
 * network namespace and goes away with the process, crash included, so
 * binding it is the lock.  The descriptor stays open for our lifetime.
 */
static int
daemon_netns_lock(void)
{
	static const char name[] = "riposted/rip";
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path + 1, name, sizeof(name) - 1);	/* sun_path[0] = 0: abstract */
	if (bind(fd, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + sizeof(name))) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_PRINT };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "print", no_argument, NULL, OPT_PRINT },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct daemon d;	/* main's; everything else gets it as ctx */
	bool check = false, print = false;
	int ch;

	d.conf_path = RIPOSTED_DEFAULT_CONF;
	d.ctl_path = CTL_DEFAULT_SOCKET;
	log_init("riposted");
	while ((ch = getopt_long(argc, argv, "c:s:p:dVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': d.conf_path = optarg; break;
		case 's': d.ctl_path = optarg; break;
		case 'p': d.pidfile = optarg; break;
		case 'd': d.foreground = true; break;
		case OPT_CHECK: check = true; break;
		case OPT_PRINT: print = true; break;
		case 'V': printf("riposted %s\n", RIPOSTED_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "riposted: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}

	struct riposted_conf conf;
	char err[512];
	if (riposted_conf_parse_file(d.conf_path, &conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "riposted: %s\n", err);
		return 1;
	}
	if (check || print) {
		if (print)
			riposted_conf_print(stdout, &conf);
		else {
			svcd_conf_warn_missing_ifaces(conf.services, conf.n_services);
			printf("%s: configuration OK\n", d.conf_path);
		}
		riposted_conf_free(&conf);
		return 0;
	}
	if (!conf.rip.router_rip)
		log_warnx("%s: no 'router rip' block: RIP stays off until one is configured",
		    d.conf_path);

	char *conf_abs = realpath(d.conf_path, NULL), *ctl_abs = daemon_abs_path(d.ctl_path);
	char *pid_abs = ctl_abs == NULL ? NULL : d.pidfile != NULL ?
	    daemon_abs_path(d.pidfile) : daemon_default_pidfile(ctl_abs);
	bool paths_ok = false;
	if (conf_abs == NULL || pid_abs == NULL)
		fprintf(stderr, "riposted: %s: %s\n", conf_abs == NULL ? d.conf_path : "path",
		    strerror(errno));
	else if (!d.foreground && daemon_conf_relative(&conf, err, sizeof(err)) != 0)
		fprintf(stderr, "riposted: %s: %s\n", conf_abs, err);
	else
		paths_ok = true;
	d.conf_path = conf_abs;
	d.ctl_path = ctl_abs;
	d.pidfile = pid_abs;

	/*
	 * One riposted per control socket (and pidfile): the lock comes
	 * before anything touches the kernel or a socket, so a second
	 * instance leaves the first one's routes and port alone.  Taken
	 * before daemon() so that the refusal reaches the terminal and the
	 * exit status; daemon()'s child inherits it (flock).
	 */
	struct pidfile *pf = paths_ok ? pidfile_take("riposted", d.pidfile) : NULL;
	if (pf == NULL) {
		riposted_conf_free(&conf);
		free(conf_abs);
		free(ctl_abs);
		free(pid_abs);
		return 1;
	}
	pidfile_remove_at_exit(pf);
	if (daemon_netns_lock() < 0) {
		if (errno == EADDRINUSE)
			fprintf(stderr, "riposted: another riposted runs in this network namespace "
			    "(it has UDP port %d)\n", RIP_PORT);
		else
			fprintf(stderr, "riposted: namespace lock: %s\n", strerror(errno));
		riposted_conf_free(&conf);
		return 1;
	}
	if (!d.foreground && daemon(0, 0) < 0)
		fatal("daemon");
	if (pidfile_write(pf) != 0)
		fatal("pidfile %s", d.pidfile);
	daemon_log_config(&d, &conf);
	signal(SIGPIPE, SIG_IGN);

	d.loop = EV_DEFAULT;
	d.started = clock_mono_now();
	/*
	 * The control socket before the kernel: with -p another riposted
	 * may hold another pidfile on the same socket; it answers there,
	 * and we must find that out before kr_flush_ours().  Its commands
	 * run from the loop only, once everything below is set up.
	 */
	struct ctl_server_opts copts = {
		conf.control_mode, conf.control_gid, conf.control_ro_gid,
	};
	if ((d.ctl = ctl_server_start_opts(d.loop, d.ctl_path, daemon_ctl_commands,
	    daemon_n_ctl_commands, &d, &copts)) == NULL)
		fatal("control socket %s", d.ctl_path);
	if (daemon_start(&d, &conf) != 0)
		fatalx("cannot start");
	/* Prometheus's listeners: off unless configured; a port below 1024 needs root. */
	if (daemon_metrics_apply(&d, &d.conf, err, sizeof(err)) != 0)
		fatalx("%s", err);
	/*
	 * Everything that needs root is open now (the pidfile, the control
	 * socket, netlink, UDP 520): become `user` with what is still needed.
	 */
	if (daemon_privs_drop(&d) != 0)
		fatalx("cannot drop privileges");

	ev_timer_init(&d.term_timer, term_timer_cb, 0., 0.);
	d.term_timer.data = &d;
	ev_signal_init(&d.sig_term, sig_term_cb, SIGTERM);
	ev_signal_init(&d.sig_int, sig_term_cb, SIGINT);
	ev_signal_init(&d.sig_hup, sig_hup_cb, SIGHUP);
	ev_signal_init(&d.sig_usr1, sig_usr1_cb, SIGUSR1);
	d.sig_term.data = d.sig_int.data = d.sig_hup.data = &d;
	ev_signal_start(d.loop, &d.sig_term);
	ev_signal_start(d.loop, &d.sig_int);
	ev_signal_start(d.loop, &d.sig_hup);
	ev_signal_start(d.loop, &d.sig_usr1);
	uint64_t wd = sdnotify_watchdog_usec();
	if (wd > 0) {
		ev_timer_init(&d.watchdog, watchdog_cb, 0., (double)wd / 2e6);
		ev_timer_again(d.loop, &d.watchdog);
	}
	log_info("riposted %s started: config %s, control socket %s", RIPOSTED_VERSION,
	    d.conf_path, d.ctl_path);
	/*
	 * Serving: UDP 520 bound, the kernel's routes and addresses read
	 * (daemon_start's dump), the control socket answering.
	 */
	sdnotify_send("READY=1\nSTATUS=running");

	ev_run(d.loop, 0);

	daemon_metrics_stop(&d);
	ctl_server_stop(d.ctl);
	daemon_stop(&d);
	if (pidfile_close(pf) != 0)
		log_warn("cannot remove pidfile %s", pid_abs);
	log_info("riposted stopped");
	free(conf_abs);
	free(ctl_abs);
	free(pid_abs);
	return 0;
}
