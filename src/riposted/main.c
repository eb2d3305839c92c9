/*
 * main.c - riposted's start-up, event loop, signals and exit (daemon.h
 * says which file does what).
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "health/services.h"
#include "lib/log.h"
#include "netlink/kr.h"
#include "riposted/daemon.h"

static void
sig_hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct daemon *d = w->data;
	char err[512];

	(void)daemon_reload(d, err, sizeof(err));
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
	    "  -p, --pidfile PATH   write the process id here\n"
	    "  -d, --foreground     stay in the foreground and log to stderr\n"
	    "      --check          validate the configuration and exit (0 valid, 1 not)\n"
	    "      --print          print the configuration in canonical form and exit\n"
	    "  -V, --version        print the version and exit\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Signals:\n"
	    "  SIGHUP               reload the configuration; a bad one is logged and the\n"
	    "                       running one stays (`ripostectl reload` does the same\n"
	    "                       and answers with the result)\n"
	    "  SIGTERM, SIGINT      drain every service (withdraw it, keep its address\n"
	    "                       answering for its drain-time), then send metric 16 for\n"
	    "                       every route we advertise, remove our kernel routes and\n"
	    "                       the service addresses, and exit; a second signal exits\n"
	    "                       without waiting\n"
	    "\n"
	    "Exit status: 0 on success, 1 on a configuration or start-up error.\n",
	    RTPROT_RIPOSTE, RIPOSTED_DEFAULT_CONF, CTL_DEFAULT_SOCKET);
}

static void
write_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");
	if (f == NULL) {
		log_warn("cannot write pid file %s", path);
		return;
	}
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
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
		else
			printf("%s: configuration OK\n", d.conf_path);
		riposted_conf_free(&conf);
		return 0;
	}
	if (!conf.rip.router_rip)
		log_warnx("%s: no 'router rip' block: RIP stays off until one is configured",
		    d.conf_path);

	if (!d.foreground && daemon(0, 0) < 0)
		fatal("daemon");
	daemon_log_config(&d, &conf);
	if (d.pidfile != NULL)
		write_pidfile(d.pidfile);
	signal(SIGPIPE, SIG_IGN);

	d.loop = EV_DEFAULT;
	d.started = clock_mono_now();
	if (daemon_start(&d, &conf) != 0)
		fatalx("cannot start");
	if ((d.ctl = ctl_server_start(d.loop, d.ctl_path, daemon_ctl_commands,
	    daemon_n_ctl_commands, &d)) == NULL)
		fatal("control socket %s", d.ctl_path);

	ev_timer_init(&d.term_timer, term_timer_cb, 0., 0.);
	d.term_timer.data = &d;
	ev_signal_init(&d.sig_term, sig_term_cb, SIGTERM);
	ev_signal_init(&d.sig_int, sig_term_cb, SIGINT);
	ev_signal_init(&d.sig_hup, sig_hup_cb, SIGHUP);
	d.sig_term.data = d.sig_int.data = d.sig_hup.data = &d;
	ev_signal_start(d.loop, &d.sig_term);
	ev_signal_start(d.loop, &d.sig_int);
	ev_signal_start(d.loop, &d.sig_hup);
	log_info("riposted %s started: config %s, control socket %s", RIPOSTED_VERSION,
	    d.conf_path, d.ctl_path);

	ev_run(d.loop, 0);

	ctl_server_stop(d.ctl);
	daemon_stop(&d);
	if (d.pidfile != NULL)
		unlink(d.pidfile);
	log_info("riposted stopped");
	return 0;
}
