/*
 * riposte-dns.c - the authoritative DNS server's program: options, config
 * and zone loading, --check and --export, binding, dropping privileges,
 * signals (SIGHUP reloads every zone, SIGTERM/SIGINT stop) and the logs of
 * start, zone loads, reloads and stop.  The serving is server.c's.
 */
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctl/ctl.h"
#include "dns/conf.h"
#include "dns/dnssec_check.h"
#include "dns/load.h"
#include "dns/secondary.h"
#include "dns/server.h"
#include "dns/xfrd.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/sdnotify.h"
#include "lib/pidfile.h"
#include "lib/prom.h"
#include "metrics/httpd.h"

/*
 * Started as root without `user`, riposte-dns still gives root up once its
 * sockets are bound: it runs as RIPOSTE_DNS_USER when that user exists (a
 * package makes it, owning nothing but what it must write), else as
 * RIPOSTE_DNS_USER_FALLBACK, which every Debian system has.  `user root`
 * keeps root.
 */
#define RIPOSTE_DNS_USER "riposte-dns"
#define RIPOSTE_DNS_USER_FALLBACK "nobody"

struct dnsd {
	const char *conf_path;
	char *conf_abs; /* for reloads: daemon() changed to "/" */
	const char *pidfile;
	const char *ctl_path;   /* -s: overrides `control` */
	bool foreground;
	struct dnsconf conf;
	struct dns_server *srv;
	struct pidfile *pidfile_lock; /* NULL: no pidfile configured */
	const char *run_user; /* who we run as once the sockets are bound; NULL: as started */
	ev_signal sig_term, sig_int, sig_hup, sig_usr1; /* data: this struct */
	ev_timer watchdog;      /* WATCHDOG=1 while the workers turn */
	struct log_ratelimit watchdog_rl;
	uint64_t reloads, reload_failures;
	uint64_t reloads_partial;     /* published, but a statement failed (in both above) */
	double started;               /* mono_ms() / 1000 at start, for the uptime */
	struct ctl_server *ctl;       /* NULL: no control socket */
	struct dns_secondary *sec;    /* the secondary zones' engine; NULL: none yet */
	struct dns_xfrd *xfrd;        /* transfers and NOTIFY out */
	struct metrics_set metrics;   /* `metrics listen` */
};

static double
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* "example.com. (zone file /etc/zones/example.com.zone)" */
static const char *
source_kind(const struct dns_gen_source *s)
{
	switch (s->kind) {
	case DNSCONF_ZONE_FILE: return "zone file";
	case DNSCONF_ZONE_SECONDARY: return "secondary zone's copy";
	default: return "hosts input";
	}
}

/* Lines of DNSSEC problems per zone, in the log and in --check (the rest are counted). */
#define DNSSEC_CHECK_LINES 10

struct sec_report {
	FILE *out;          /* --check: print there; NULL: log */
	const char *prefix; /* "reload: zone NAME" or "PATH: zone NAME" */
};

static void
sec_report_line(void *ctx, bool error, const char *msg)
{
	const struct sec_report *r = ctx;

	if (r->out != NULL)
		fprintf(r->out, "%s: %s: %s\n", r->prefix, error ? "error" : "warning", msg);
	else
		log_warnx("%s: DNSSEC %s: %s", r->prefix, error ? "error" : "warning", msg);
}

/* The DNSSEC checks (dnssec_check.h) of every zone a statement produced. */
static struct dns_check_count
sec_check_source(const struct dns_gen *gen, const struct dns_gen_source *s, FILE *out,
    const char *when)
{
	struct dns_check_count all = { 0, 0 };

	for (size_t k = 0; k < s->n_zones; k++) {
		const struct dns_zone *z = dns_zoneset_find(gen->zones, s->apex[k]);
		char prefix[DNS_NAME_STRLEN + 4200], text[DNS_NAME_STRLEN];
		struct sec_report r = { out, prefix };
		struct dns_check_count c;
		if (z == NULL || !dns_name_equal(dns_zone_apex(z), s->apex[k]))
			continue;
		if (out != NULL)
			snprintf(prefix, sizeof(prefix), "%s: zone %s", s->path,
			    dns_name_to_text(s->apex[k], text));
		else
			snprintf(prefix, sizeof(prefix), "%szone %s", when,
			    dns_name_to_text(s->apex[k], text));
		c = dns_zone_dnssec_check(z, time(NULL), DNS_CHECK_EXPIRY_WARN,
		    DNSSEC_CHECK_LINES, sec_report_line, &r);
		if (c.errors + c.warnings > DNSSEC_CHECK_LINES) {
			unsigned more = c.errors + c.warnings - DNSSEC_CHECK_LINES;
			if (out != NULL)
				fprintf(out, "%s: and %u more DNSSEC problems (%u errors, %u "
				    "warnings in all)\n", prefix, more, c.errors, c.warnings);
			else
				log_warnx("%s: and %u more DNSSEC problems (%u errors, %u warnings "
				    "in all)", prefix, more, c.errors, c.warnings);
		}
		all.errors += c.errors;
		all.warnings += c.warnings;
	}
	return all;
}

/* One line per statement: what it gave, or why it failed and what is served instead. */
static void
log_sources(const struct dns_gen *gen, const char *when)
{
	for (size_t i = 0; i < gen->n_src; i++) {
		const struct dns_gen_source *s = &gen->src[i];
		if (s->ok && s->kind != DNSCONF_ZONE_HOSTS) {
			log_info("%szone %s: %zu records from %s, %.1f ms", when, s->name,
			    s->records, s->path, s->ms);
			sec_check_source(gen, s, NULL, when);
		} else if (s->ok) {
			char names[256] = "";
			size_t len = 0;
			for (size_t k = 0; k < s->n_zones && len < sizeof(names) - 1; k++) {
				char text[DNS_NAME_STRLEN];
				int n = snprintf(names + len, sizeof(names) - len, "%s%s",
				    k > 0 ? " " : "", dns_name_to_text(s->apex[k], text));
				if (n < 0)
					break;
				len += (size_t)n;
			}
			if (len >= sizeof(names) - 1)
				snprintf(names + sizeof(names) - 5, 5, "...");
			log_info("%szone %s: %zu records in %zu zones (%s) from hosts input %s, "
			    "%.1f ms", when, s->name, s->records, s->n_zones, names, s->path, s->ms);
		} else if (s->kept) {
			log_warnx("%szone %s: %s; still serving the previous version (%zu records)",
			    when, s->name, s->err, s->records);
		} else {
			log_warnx("%szone %s: %s; not served", when, s->name, s->err);
		}
	}
}

static size_t
gen_zone_count(const struct dns_gen *gen)
{
	return dns_zoneset_count(gen->zones);
}

/* ------------------------------------------------------------- publish */

/*
 * Every new generation is served through here: a reload's and a
 * transfer's alike, so whatever must follow a publish (the log, and what
 * a primary does on a new serial) is in one place.
 */
static void
dnsd_publish(struct dnsd *d, struct dns_gen *gen)
{
	/*
	 * Before the swap, while the old generation is still the served one:
	 * the journal's difference and the NOTIFY of a new serial (RFC 1996)
	 * are for every publish, a reload's or a transfer's, so riposte-dns
	 * nodes can feed each other.
	 */
	if (d->xfrd != NULL)
		dns_xfrd_published(d->xfrd, dns_server_gen(d->srv), gen);
	dns_server_publish(d->srv, gen);
}

/* The secondary engine's new version of one zone (secondary.h ops.publish). */
static int
dnsd_publish_zone(void *ctx, const char *name, struct dns_zone *zone, time_t loaded,
    const char *err)
{
	struct dnsd *d = ctx;
	struct dns_gen *gen = dns_gen_replace(dns_server_gen(d->srv), name, zone, loaded, err);

	if (gen == NULL) {
		dns_zone_free(zone);
		return -1;
	}
	dnsd_publish(d, gen);
	return 0;
}

static void
dnsd_notify(void *ctx, const struct dns_notify_event *ev)
{
	struct dnsd *d = ctx;

	if (d->sec != NULL)
		dns_secondary_notify(d->sec, ev);
}

/* ------------------------------------------------------------- signals */

/*
 * `log` as configured: in the foreground (-d, systemd) stderr is stderr
 * (the journal under systemd, lines with their level: lib/log.c); in the
 * background it means syslog.  Called at start and at every reload, which
 * so also reopens the file.
 */
static void
dnsd_log_config(const struct dnsd *d, const struct dnsconf *conf)
{
	enum log_dest dest = conf->log_dest;

	if (!d->foreground && dest == LOG_DEST_STDERR)
		dest = LOG_DEST_SYSLOG;
	if (log_configure(dest, conf->log_path, conf->log_level) != 0)
		log_warn("cannot open log file %s, logging stays where it was", conf->log_path);
}

static bool
listen_changed(const struct dnsconf *a, const struct dnsconf *b)
{
	if (a->n_listen != b->n_listen)
		return true;
	for (size_t i = 0; i < a->n_listen; i++) {
		const struct dnsconf_listen *x = &a->listen[i], *y = &b->listen[i];
		if (x->family != y->family || x->port != y->port ||
		    memcmp(&x->addr, &y->addr, x->family == AF_INET ? 4 : 16) != 0)
			return true;
	}
	return false;
}

/*
 * `query-log` as conf says, the file opened (again) now: at the start once
 * privileges are dropped (so that a reopen after logrotate, as the same
 * user, works as the first open did), at each reload and at SIGUSR1.  The
 * server closes the previous descriptor once no worker writes to it.
 */
static void
dnsd_qlog_config(struct dnsd *d, const struct dnsconf *conf)
{
	int fd = -1;

	if (conf->qlog_path != NULL &&
	    (fd = open(conf->qlog_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		log_warn("query log %s: cannot open, no query log until it can be", conf->qlog_path);
		dns_server_query_log(d->srv, -1, false, 0);
		return;
	}
	dns_server_query_log(d->srv, fd, conf->qlog_syslog, conf->qlog_sample);
}

/*
 * Read the config again and load every zone (only == NULL) or the zone
 * statement `only`, and publish the result.  0: done, every statement
 * loaded; 1: done, some failed (they keep their previous version); -1:
 * nothing changed (the config does not parse, no such zone, out of
 * memory).  A line for the caller in msg either way.
 */
static int dnsd_reload_do(struct dnsd *d, const char *only, char *msg, size_t msglen);
static metrics_collect_fn dnsd_metrics;

static int
dnsd_reload(struct dnsd *d, const char *only, char *msg, size_t msglen)
{
	int rc;

	/* The service manager hears RELOADING=1 now and READY=1 once served (or refused). */
	sdnotify_reloading();
	rc = dnsd_reload_do(d, only, msg, msglen);
	sdnotify_send(rc < 0 ? "READY=1\nSTATUS=reload failed, serving the previous zones" :
	    rc > 0 ? "READY=1\nSTATUS=reloaded with errors" : "READY=1\nSTATUS=serving");
	return rc;
}

static int
dnsd_reload_do(struct dnsd *d, const char *only, char *msg, size_t msglen)
{
	struct dnsconf conf;
	struct dns_gen *gen;
	char err[512];
	double t0 = mono_ms();

	if (dnsconf_parse_file(d->conf_abs, &conf, err, sizeof(err)) != 0) {
		d->reload_failures++;
		snprintf(msg, msglen, "reload failed: %s; still serving everything as before", err);
		log_warnx("%s", msg);
		return -1;
	}
	/* Sockets, threads and privileges were set up once: those need a restart. */
	if (listen_changed(&conf, &d->conf) || conf.workers != d->conf.workers ||
	    strcmp(conf.user, d->conf.user) != 0 || conf.tcp_clients != d->conf.tcp_clients ||
	    conf.tcp_idle_ms != d->conf.tcp_idle_ms || conf.tcp_io_ms != d->conf.tcp_io_ms ||
	    conf.tcp_per_ip != d->conf.tcp_per_ip ||
	    (dnsconf_control(&conf) == NULL) != (dnsconf_control(&d->conf) == NULL) ||
	    (dnsconf_control(&conf) != NULL &&
	    strcmp(dnsconf_control(&conf), dnsconf_control(&d->conf)) != 0))
		log_warnx("reload: listen, user, workers, control and tcp-* changes take effect "
		    "at the next start");
	/* The metrics listeners do change: new ones first, so a bad one changes nothing. */
	if (metrics_set_apply(&d->metrics, EV_DEFAULT, conf.metrics, conf.n_metrics, dnsd_metrics,
	    d, d->conf_abs, err, sizeof(err)) != 0) {
		d->reload_failures++;
		snprintf(msg, msglen, "reload failed: %s; still serving everything as before", err);
		log_warnx("%s", msg);
		dnsconf_free(&conf);
		return -1;
	}
	if (only != NULL)
		gen = dns_gen_load_one(&conf, dns_server_gen(d->srv), only);
	else
		gen = dns_gen_load(&conf, dns_server_gen(d->srv));
	if (gen == NULL) {
		bool missing = only != NULL && errno == ENOENT;
		d->reload_failures++;
		snprintf(msg, msglen, "reload failed: %s; still serving everything as before",
		    missing ? "no such zone statement in the configuration" : "out of memory");
		log_warnx("%s", msg);
		dnsconf_free(&conf);
		return -1;
	}
	log_sources(gen, "reload: ");
	size_t kept = 0;
	for (size_t i = 0; i < gen->n_src; i++)
		kept += gen->src[i].kept;
	size_t zones = gen_zone_count(gen), records = gen->records;
	unsigned failed = gen->failed;
	dnsd_publish(d, gen);
	if (d->xfrd != NULL)
		dns_xfrd_reconf(d->xfrd, &conf);
	if (d->sec != NULL) {
		dns_secondary_reconf(d->sec, &conf, dns_server_gen(d->srv));
		/* `reload ZONE` of a secondary zone: ask its primaries now. */
		if (only != NULL)
			(void)dns_secondary_refresh(d->sec, only);
	}
	d->reloads++;
	if (failed > 0) {
		d->reload_failures++;
		d->reloads_partial++;
	}
	/* The settings that live in the generation took effect; keep the rest. */
	memcpy(d->conf.identity, conf.identity, sizeof(conf.identity));
	memcpy(d->conf.version, conf.version, sizeof(conf.version));
	d->conf.version_hide = conf.version_hide;
	d->conf.udp_size = conf.udp_size;
	/* The logs too (reopened: a reload after logrotate is fine). */
	dnsd_log_config(d, &conf);
	free(d->conf.qlog_path);
	d->conf.qlog_path = conf.qlog_path;
	conf.qlog_path = NULL;
	d->conf.qlog_syslog = conf.qlog_syslog;
	d->conf.qlog_sample = conf.qlog_sample;
	dnsd_qlog_config(d, &d->conf);
	dnsconf_free(&conf);
	if (failed > 0) {
		snprintf(msg, msglen, "reload done with errors: %zu zones, %zu records; %u zone "
		    "statements failed (%zu kept their previous version), %.1f ms", zones, records,
		    failed, kept, mono_ms() - t0);
		log_warnx("%s", msg);
		return 1;
	}
	snprintf(msg, msglen, "reload done: %zu zones, %zu records, %.1f ms", zones, records,
	    mono_ms() - t0);
	log_info("%s", msg);
	return 0;
}

static void
sig_hup_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct dnsd *d = w->data;
	char msg[1024];

	log_info("SIGHUP: reloading %s and every zone", d->conf_abs);
	(void)dnsd_reload(d, NULL, msg, sizeof(msg));
}

/* ------------------------------------------------------- control socket */

/* The SOA serial of a zone (RFC 1035 3.3.13: after MNAME and RNAME). */
static bool
zone_serial(const struct dns_zone *z, uint32_t *serial)
{
	const struct dns_rrset *soa = dns_zone_soa(z);
	const uint8_t *p, *end;

	if (soa == NULL || soa->rdata_len < 2)
		return false;
	p = soa->rdata + 2;
	end = p + ((size_t)soa->rdata[0] << 8 | soa->rdata[1]);
	if (end > soa->rdata + soa->rdata_len)
		return false;
	for (int names = 0; names < 2; names++) {
		while (p < end && *p != 0)
			p += 1 + *p;
		if (p >= end)
			return false;
		p++;
	}
	if (end - p < 4)
		return false;
	*serial = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return true;
}

static void
iso_time(time_t t, char out[32])
{
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		snprintf(out, 32, "-");
	else
		strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Transfers and NOTIFY out, in `status`. */
static void
ctl_status_xfr_json(const struct dnsd *d, const struct dns_server_stats *st, struct json_w *w)
{
	struct dns_xfrd_stats x = { 0 };

	if (d->xfrd != NULL)
		dns_xfrd_stats(d->xfrd, &x);
	json_key(w, "xfr_out");
	json_obj_begin(w);
	json_key(w, "active"); json_uint(w, x.active);
	json_key(w, "axfr"); json_uint(w, x.result[DNS_XFR_AXFR]);
	json_key(w, "ixfr"); json_uint(w, x.result[DNS_XFR_IXFR]);
	json_key(w, "ixfr_axfr_style"); json_uint(w, x.result[DNS_XFR_IXFR_AXFR]);
	json_key(w, "ixfr_current"); json_uint(w, x.result[DNS_XFR_IXFR_CURRENT]);
	json_key(w, "refused"); json_uint(w, x.result[DNS_XFR_REFUSED]);
	json_key(w, "notauth"); json_uint(w, x.result[DNS_XFR_NOTAUTH]);
	json_key(w, "tsig_failed"); json_uint(w, x.result[DNS_XFR_TSIG]);
	json_key(w, "formerr"); json_uint(w, x.result[DNS_XFR_FORMERR]);
	json_key(w, "udp_queries"); json_uint(w, st->xfr_udp);
	json_key(w, "completed"); json_uint(w, x.completed);
	json_key(w, "aborted"); json_uint(w, x.aborted);
	json_key(w, "over_limit"); json_uint(w, x.over_limit);
	json_key(w, "records"); json_uint(w, x.records);
	json_key(w, "messages"); json_uint(w, x.messages);
	json_key(w, "bytes"); json_uint(w, x.bytes);
	json_key(w, "journal_diffs"); json_uint(w, x.diffs);
	json_key(w, "journal_resets"); json_uint(w, x.journal_resets);
	json_obj_end(w);
	json_key(w, "notify_out");
	json_obj_begin(w);
	json_key(w, "sent"); json_uint(w, x.notify.sent);
	json_key(w, "retransmits"); json_uint(w, x.notify.retransmits);
	json_key(w, "acked"); json_uint(w, x.notify.acked);
	json_key(w, "rejected"); json_uint(w, x.notify.rejected);
	json_key(w, "unanswered"); json_uint(w, x.notify.unanswered);
	json_key(w, "send_errors"); json_uint(w, x.notify.send_errors);
	json_obj_end(w);
}

static void
ctl_status_xfr_text(const struct dnsd *d, const struct dns_server_stats *st, FILE *out)
{
	struct dns_xfrd_stats x = { 0 };

	if (d->xfrd != NULL)
		dns_xfrd_stats(d->xfrd, &x);
	fprintf(out, "transfers out: %u active; %llu AXFR, %llu IXFR, %llu IXFR AXFR-style, %llu "
	    "IXFR current, %llu refused, %llu notauth, %llu TSIG failed; %llu UDP; %llu records\n",
	    x.active, (unsigned long long)x.result[DNS_XFR_AXFR],
	    (unsigned long long)x.result[DNS_XFR_IXFR],
	    (unsigned long long)x.result[DNS_XFR_IXFR_AXFR],
	    (unsigned long long)x.result[DNS_XFR_IXFR_CURRENT],
	    (unsigned long long)x.result[DNS_XFR_REFUSED],
	    (unsigned long long)x.result[DNS_XFR_NOTAUTH],
	    (unsigned long long)x.result[DNS_XFR_TSIG], (unsigned long long)st->xfr_udp,
	    (unsigned long long)x.records);
	fprintf(out, "notify out: %llu sent (%llu retransmits), %llu acknowledged, %llu rejected, "
	    "%llu unanswered\n", (unsigned long long)x.notify.sent,
	    (unsigned long long)x.notify.retransmits, (unsigned long long)x.notify.acked,
	    (unsigned long long)x.notify.rejected, (unsigned long long)x.notify.unanswered);
}

static int
ctl_status(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct dnsd *d = ctx;
	struct dns_server_stats st;
	unsigned used, max;
	const struct dns_gen *gen = dns_server_gen(d->srv);
	double up = mono_ms() / 1000. - d->started;

	/* Counters are read while the workers write them: each is a whole word. */
	dns_server_stats(d->srv, &st);
	dns_server_tcp_slots(d->srv, &used, &max);
	if (req->json) {
		struct json_w w;
		json_init(&w, out);
		json_obj_begin(&w);
		json_key(&w, "version"); json_str(&w, RIPOSTE_DNS_VERSION);
		/* Every time in milliseconds, named *_ms, as riposted's replies. */
		json_key(&w, "uptime_ms"); json_uint(&w, (uint64_t)(up * 1000.));
		json_key(&w, "workers"); json_uint(&w, dns_server_workers(d->srv));
		json_key(&w, "zones"); json_uint(&w, gen_zone_count(gen));
		json_key(&w, "records"); json_uint(&w, gen->records);
		json_key(&w, "reloads"); json_uint(&w, d->reloads);
		json_key(&w, "reload_failures"); json_uint(&w, d->reload_failures);
		json_key(&w, "queries"); json_uint(&w, st.answer.queries);
		json_key(&w, "rcodes");
		json_obj_begin(&w);
		json_key(&w, "noerror"); json_uint(&w, st.answer.noerror);
		json_key(&w, "nxdomain"); json_uint(&w, st.answer.nxdomain);
		json_key(&w, "refused"); json_uint(&w, st.answer.refused);
		json_key(&w, "formerr"); json_uint(&w, st.answer.formerr);
		json_key(&w, "notimp"); json_uint(&w, st.answer.notimp);
		json_key(&w, "servfail"); json_uint(&w, st.answer.servfail);
		json_obj_end(&w);
		json_key(&w, "dropped"); json_uint(&w, st.answer.dropped);
		json_key(&w, "truncated"); json_uint(&w, st.answer.truncated);
		json_key(&w, "udp");
		json_obj_begin(&w);
		json_key(&w, "in"); json_uint(&w, st.udp_in);
		json_key(&w, "out"); json_uint(&w, st.udp_out);
		json_key(&w, "dropped"); json_uint(&w, st.udp_dropped);
		json_key(&w, "send_errors"); json_uint(&w, st.udp_send_errors);
		json_obj_end(&w);
		json_key(&w, "tcp");
		json_obj_begin(&w);
		json_key(&w, "open"); json_uint(&w, used);
		json_key(&w, "slots"); json_uint(&w, max);
		json_key(&w, "accepted"); json_uint(&w, st.tcp_accepted);
		json_key(&w, "refused"); json_uint(&w, st.tcp_refused);
		json_key(&w, "over_per_ip"); json_uint(&w, st.tcp_refused_per_ip);
		json_key(&w, "idle_closed"); json_uint(&w, st.tcp_closed_idle);
		json_key(&w, "io_timeouts"); json_uint(&w, st.tcp_io_timeouts);
		json_key(&w, "evicted_idle"); json_uint(&w, st.tcp_evicted);
		json_key(&w, "evicted_busy"); json_uint(&w, st.tcp_evicted_busy);
		json_obj_end(&w);
		json_key(&w, "rrl");
		json_obj_begin(&w);
		json_key(&w, "limited"); json_uint(&w, st.rrl_limited);
		json_key(&w, "slipped"); json_uint(&w, st.rrl_slipped);
		json_obj_end(&w);
		json_key(&w, "notify");
		json_obj_begin(&w);
		json_key(&w, "received"); json_uint(&w, st.notify_in);
		json_key(&w, "refused"); json_uint(&w, st.notify_refused);
		json_key(&w, "dropped"); json_uint(&w, st.notify_dropped);
		json_obj_end(&w);
		ctl_status_xfr_json(d, &st, &w);
		json_obj_end(&w);
		return json_end(&w) == 0 ? CTL_OK : CTL_ERR;
	}
	fprintf(out, "riposte-dns %s, up %.0f s, %u workers\n", RIPOSTE_DNS_VERSION, up,
	    dns_server_workers(d->srv));
	fprintf(out, "zones: %zu, %zu records; %llu reloads (%llu with errors)\n",
	    gen_zone_count(gen), gen->records, (unsigned long long)d->reloads,
	    (unsigned long long)d->reload_failures);
	fprintf(out, "queries: %llu (noerror %llu, nxdomain %llu, refused %llu, formerr %llu, "
	    "notimp %llu, servfail %llu; dropped %llu, truncated %llu)\n",
	    (unsigned long long)st.answer.queries, (unsigned long long)st.answer.noerror,
	    (unsigned long long)st.answer.nxdomain, (unsigned long long)st.answer.refused,
	    (unsigned long long)st.answer.formerr, (unsigned long long)st.answer.notimp,
	    (unsigned long long)st.answer.servfail, (unsigned long long)st.answer.dropped,
	    (unsigned long long)st.answer.truncated);
	fprintf(out, "udp: %llu in, %llu out, %llu dropped, %llu send errors\n",
	    (unsigned long long)st.udp_in, (unsigned long long)st.udp_out,
	    (unsigned long long)st.udp_dropped, (unsigned long long)st.udp_send_errors);
	fprintf(out, "tcp: %u of %u slots open; %llu accepted, %llu refused, %llu over "
	    "per-ip, %llu idle closed, %llu io timeouts, %llu evicted idle, %llu evicted busy\n",
	    used, max, (unsigned long long)st.tcp_accepted, (unsigned long long)st.tcp_refused,
	    (unsigned long long)st.tcp_refused_per_ip, (unsigned long long)st.tcp_closed_idle,
	    (unsigned long long)st.tcp_io_timeouts, (unsigned long long)st.tcp_evicted,
	    (unsigned long long)st.tcp_evicted_busy);
	fprintf(out, "rate limiting: %llu answers limited, %llu of them sent truncated\n",
	    (unsigned long long)st.rrl_limited, (unsigned long long)st.rrl_slipped);
	fprintf(out, "notify: %llu received, %llu refused, %llu dropped (queue full)\n",
	    (unsigned long long)st.notify_in, (unsigned long long)st.notify_refused,
	    (unsigned long long)st.notify_dropped);
	ctl_status_xfr_text(d, &st, out);
	return CTL_OK;
}

/* A secondary zone's refresh state (secondary.h), the keys issue 12 names. */
static void
json_secondary(struct json_w *w, const struct dns_secondary_info *si)
{
	char a[DNSCONF_LISTEN_STRLEN];

	json_key(w, "secondary"); json_bool(w, true);
	json_key(w, "data_serial");
	if (si->have_data)
		json_uint(w, si->serial);
	else
		json_null(w);
	json_key(w, "primary_serial");
	if (si->have_primary_serial)
		json_uint(w, si->primary_serial);
	else
		json_null(w);
	json_key(w, "last_refresh_ms_ago");
	if (si->last_refresh_ago_ms >= 0)
		json_uint(w, (uint64_t)si->last_refresh_ago_ms);
	else
		json_null(w);
	json_key(w, "next_refresh_ms");
	if (si->next_refresh_ms >= 0)
		json_uint(w, (uint64_t)si->next_refresh_ms);
	else
		json_null(w);
	json_key(w, "expires_in_ms");
	if (si->expires_in_ms >= 0)
		json_uint(w, (uint64_t)si->expires_in_ms);
	else
		json_null(w);
	json_key(w, "expired"); json_bool(w, si->expired);
	json_key(w, "refreshing"); json_bool(w, si->busy);
	json_key(w, "primaries");
	json_arr_begin(w);
	for (size_t k = 0; k < si->n_primaries; k++) {
		struct dnsconf_remote r;
		memset(&r, 0, sizeof(r));
		memcpy(&r.sa, &si->primaries[k].sa, sizeof(r.sa));
		r.salen = si->primaries[k].salen;
		json_str(w, dnsconf_remote_str(&r, a));
	}
	json_arr_end(w);
	json_key(w, "transfers"); json_uint(w, si->transfers);
	json_key(w, "transfer_failures"); json_uint(w, si->transfer_failures);
	json_key(w, "ixfr"); json_uint(w, si->ixfr);
	json_key(w, "axfr"); json_uint(w, si->axfr);
	json_key(w, "up_to_date"); json_uint(w, si->up_to_date);
	json_key(w, "soa_queries"); json_uint(w, si->soa_queries);
	json_key(w, "soa_queries_tcp"); json_uint(w, si->soa_tcp);
	json_key(w, "over_limit"); json_uint(w, si->over_limit);
	json_key(w, "notify_received"); json_uint(w, si->notify_received);
	json_key(w, "notify_refused"); json_uint(w, si->notify_refused);
	json_key(w, "last_transfer");
	if (si->last_kind[0] != '\0') {
		json_obj_begin(w);
		json_key(w, "kind"); json_str(w, si->last_kind);
		char ms[32];
		snprintf(ms, sizeof(ms), "%.1f", si->last_transfer_ms);
		json_key(w, "ms"); json_number(w, ms);
		json_key(w, "records"); json_uint(w, si->last_transfer_records);
		json_obj_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "last_error");
	if (si->last_error[0] != '\0')
		json_str(w, si->last_error);
	else
		json_null(w);
}

static void
text_secondary(FILE *out, const struct dns_secondary_info *si)
{
	char a[DNSCONF_LISTEN_STRLEN];

	fprintf(out, "  secondary: serial ");
	if (si->have_data)
		fprintf(out, "%u", si->serial);
	else
		fprintf(out, "none");
	if (si->have_primary_serial)
		fprintf(out, " (primary %u)", si->primary_serial);
	if (si->last_refresh_ago_ms >= 0)
		fprintf(out, ", refreshed %.1f s ago", si->last_refresh_ago_ms / 1e3);
	if (si->busy)
		fprintf(out, ", refreshing now");
	else if (si->next_refresh_ms >= 0)
		fprintf(out, ", next refresh in %.1f s", si->next_refresh_ms / 1e3);
	if (si->expires_in_ms >= 0)
		fprintf(out, ", expires in %.1f s", si->expires_in_ms / 1e3);
	else
		fprintf(out, ", %s", si->have_data ? "EXPIRED" : "no data");
	fprintf(out, "\n  primaries:");
	for (size_t k = 0; k < si->n_primaries; k++) {
		struct dnsconf_remote r;
		memset(&r, 0, sizeof(r));
		memcpy(&r.sa, &si->primaries[k].sa, sizeof(r.sa));
		r.salen = si->primaries[k].salen;
		fprintf(out, " %s", dnsconf_remote_str(&r, a));
	}
	fprintf(out, "; transfers %llu (IXFR %llu, AXFR %llu), failures %llu (over a limit %llu), "
	    "up to date %llu; NOTIFY %llu received, %llu refused\n",
	    (unsigned long long)si->transfers,
	    (unsigned long long)si->ixfr, (unsigned long long)si->axfr,
	    (unsigned long long)si->transfer_failures, (unsigned long long)si->over_limit,
	    (unsigned long long)si->up_to_date,
	    (unsigned long long)si->notify_received, (unsigned long long)si->notify_refused);
	if (si->last_kind[0] != '\0')
		fprintf(out, "  last transfer: %s, %zu records, %.1f ms\n", si->last_kind,
		    si->last_transfer_records, si->last_transfer_ms);
	if (si->last_error[0] != '\0')
		fprintf(out, "  last error: %s\n", si->last_error);
}

static int
ctl_zones(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct dnsd *d = ctx;
	const struct dns_gen *gen = dns_server_gen(d->srv);
	struct json_w w;

	if (req->json) {
		json_init(&w, out);
		json_arr_begin(&w);
	} else {
		fprintf(out, "%-32s %-12s %10s %8s %-20s %s\n", "ZONE", "STATEMENT", "SERIAL",
		    "RECORDS", "LOADED", "STATE");
	}
	for (size_t i = 0; i < gen->n_src; i++) {
		const struct dns_gen_source *s = &gen->src[i];
		const char *state = s->ok ? "ok" : s->kept ? "kept" : "failed";
		char when[32];
		struct dns_secondary_info si;
		bool sec = s->kind == DNSCONF_ZONE_SECONDARY &&
		    dns_secondary_find(d->sec, s->name, &si);
		iso_time(s->loaded, when);
		if (sec)
			state = si.expired ? (si.have_data ? "expired" : "no data") : "ok";
		/* A statement that serves nothing still shows, with its error. */
		for (size_t k = 0; k < (s->n_zones > 0 ? s->n_zones : 1); k++) {
			const struct dns_zone *z = s->n_zones > 0 ?
			    dns_zoneset_find(gen->zones, s->apex[k]) : NULL;
			char text[DNS_NAME_STRLEN];
			uint32_t serial = 0;
			bool has = z != NULL && dns_name_equal(dns_zone_apex(z), s->apex[k]) &&
			    zone_serial(z, &serial);
			const char *name = s->n_zones > 0 ? dns_name_to_text(s->apex[k], text) : s->name;
			if (req->json) {
				json_obj_begin(&w);
				json_key(&w, "zone"); json_str(&w, name);
				json_key(&w, "statement"); json_str(&w, s->name);
				json_key(&w, "source"); json_str(&w, source_kind(s));
				json_key(&w, "path"); json_str(&w, s->path);
				json_key(&w, "serial");
				if (has)
					json_uint(&w, serial);
				else
					json_null(&w);
				json_key(&w, "records");
				json_uint(&w, z != NULL ? dns_zone_rr_count(z) : 0);
				json_key(&w, "loaded");
				if (s->loaded != 0)
					json_str(&w, when);
				else
					json_null(&w);
				json_key(&w, "state"); json_str(&w, state);
				json_key(&w, "error");
				if (s->err[0] != '\0')
					json_str(&w, s->err);
				else
					json_null(&w);
				if (sec)
					json_secondary(&w, &si);
				json_obj_end(&w);
			} else {
				char ser[16] = "-";
				if (has)
					snprintf(ser, sizeof(ser), "%u", serial);
				fprintf(out, "%-32s %-12s %10s %8zu %-20s %s%s%s\n", name, s->name, ser,
				    z != NULL ? dns_zone_rr_count(z) : (size_t)0, when, state,
				    s->err[0] != '\0' && !sec ? ": " : "", sec ? "" : s->err);
				if (sec)
					text_secondary(out, &si);
			}
		}
	}
	if (req->json) {
		json_arr_end(&w);
		return json_end(&w) == 0 ? CTL_OK : CTL_ERR;
	}
	return CTL_OK;
}

/* Synchronous: the reply is the reload's outcome, after the new zones are served. */
static int
ctl_reload(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct dnsd *d = ctx;
	char msg[1024], name[DNS_NAME_STRLEN];
	const char *only = NULL;
	int rc;

	if (req->argc > 0) {
		static const uint8_t root[1] = { 0 };
		uint8_t wire[DNS_NAME_MAX], lc[DNS_NAME_MAX];
		/* The statement's name as conf.c spells it: lowercase, absolute. */
		if (dns_name_from_text(wire, req->argv[0], root) < 0) {
			fprintf(out, "invalid zone name '%s'\n", req->argv[0]);
			return CTL_USAGE;
		}
		dns_name_lower(lc, wire);
		only = dns_name_to_text(lc, name);
		log_info("control: reloading %s and zone %s", d->conf_abs, only);
	} else {
		log_info("control: reloading %s and every zone", d->conf_abs);
	}
	rc = dnsd_reload(d, only, msg, sizeof(msg));
	/* An ERR body is text: ctl_dispatch() makes it {"error":...} for --json. */
	if (rc != 0 || !req->json) {
		fprintf(out, "%s\n", msg);
		return rc == 0 ? CTL_OK : CTL_ERR;
	}
	struct json_w w;
	json_init(&w, out);
	json_obj_begin(&w);
	json_key(&w, "ok"); json_bool(&w, true);
	json_key(&w, "message"); json_str(&w, msg);
	json_obj_end(&w);
	return json_end(&w) == 0 ? CTL_OK : CTL_ERR;
}

/* ------------------------------------------------------------- metrics */

/*
 * The Prometheus page (README, Metrics), on the main thread: the workers'
 * counters are summed as `status` sums them (each a whole word, read
 * while they count: a scrape may see one worker a query further than
 * another, never a torn number), the zones come from the generation
 * being served, which only this thread replaces.
 */
/*
 * Zone transfers: each secondary zone's freshness (what `zones` shows, as
 * gauges an alert can use: riposte_dns_secondary_expires_in_seconds < 600)
 * and the transfers and NOTIFYs out.
 */
static void
dnsd_metrics_xfr(struct dnsd *d, struct prom_w *w)
{
	struct dns_secondary_info si;
	struct dns_xfrd_stats x = { 0 };
	size_t n = d->sec != NULL ? dns_secondary_count(d->sec) : 0;

	prom_family(w, "riposte_dns_secondary_serial", PROM_GAUGE,
	    "The serial of the copy a secondary zone holds (absent: no data).");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si) && si.have_data)
			prom_u64(w, "", si.serial, "zone", si.name, NULL);
	prom_family(w, "riposte_dns_secondary_primary_serial", PROM_GAUGE,
	    "The newest serial a primary showed (SOA answer or NOTIFY).");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si) && si.have_primary_serial)
			prom_u64(w, "", si.primary_serial, "zone", si.name, NULL);
	prom_family(w, "riposte_dns_secondary_expired", PROM_GAUGE,
	    "1 while a secondary zone is answered SERVFAIL (expired, or no copy yet).");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si))
			prom_u64(w, "", si.expired || !si.have_data, "zone", si.name, NULL);
	prom_family(w, "riposte_dns_secondary_expires_in_seconds", PROM_GAUGE,
	    "Seconds until the copy expires without a successful refresh (RFC 1035 3.3.13).");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si) && si.expires_in_ms >= 0)
			prom_f64(w, "", si.expires_in_ms / 1e3, "zone", si.name, NULL);
	prom_family(w, "riposte_dns_secondary_last_refresh_seconds", PROM_GAUGE,
	    "Seconds since the last successful refresh (absent: never).");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si) && si.last_refresh_ago_ms >= 0)
			prom_f64(w, "", si.last_refresh_ago_ms / 1e3, "zone", si.name, NULL);
	prom_family(w, "riposte_dns_secondary_transfers", PROM_COUNTER,
	    "Transfers in that were applied, by kind.");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si)) {
			prom_u64(w, "", si.ixfr, "zone", si.name, "kind", "IXFR", NULL);
			prom_u64(w, "", si.axfr, "zone", si.name, "kind", "AXFR", NULL);
		}
	prom_family(w, "riposte_dns_secondary_refresh_failures", PROM_COUNTER,
	    "Refreshes that failed (an SOA query or a transfer).");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si))
			prom_u64(w, "", si.transfer_failures, "zone", si.name, NULL);
	prom_family(w, "riposte_dns_secondary_transfers_over_limit", PROM_COUNTER,
	    "Transfers in aborted at xfr-max-records, xfr-max-size or xfr-timeout.");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si))
			prom_u64(w, "", si.over_limit, "zone", si.name, NULL);
	prom_family(w, "riposte_dns_notify_received", PROM_COUNTER,
	    "NOTIFY messages for a secondary zone, by result.");
	for (size_t i = 0; i < n; i++)
		if (dns_secondary_info(d->sec, i, &si)) {
			prom_u64(w, "", si.notify_received - si.notify_refused, "zone", si.name,
			    "result", "accepted", NULL);
			prom_u64(w, "", si.notify_refused, "zone", si.name, "result", "refused", NULL);
		}

	if (d->xfrd != NULL)
		dns_xfrd_stats(d->xfrd, &x);
	prom_family(w, "riposte_dns_xfr_out_queries", PROM_COUNTER,
	    "Transfer queries (AXFR, IXFR) by how they were answered.");
	static const char *const result[DNS_XFR_RESULT_COUNT] = {
		[DNS_XFR_AXFR] = "axfr", [DNS_XFR_IXFR] = "ixfr",
		[DNS_XFR_IXFR_AXFR] = "ixfr_axfr_style", [DNS_XFR_IXFR_CURRENT] = "ixfr_current",
		[DNS_XFR_UDP_SOA] = "udp_soa", [DNS_XFR_REFUSED] = "refused",
		[DNS_XFR_NOTAUTH] = "notauth", [DNS_XFR_TSIG] = "tsig_failed",
		[DNS_XFR_FORMERR] = "formerr",
	};
	for (int r = 0; r < DNS_XFR_RESULT_COUNT; r++)
		prom_u64(w, "", x.result[r], "result", result[r] != NULL ? result[r] : "other", NULL);
	prom_family(w, "riposte_dns_xfr_out_active", PROM_GAUGE, "Transfers out in progress.");
	prom_u64(w, "", x.active, NULL);
	prom_family(w, "riposte_dns_xfr_out_bytes", PROM_COUNTER, "Bytes of transfers out.");
	prom_u64(w, "", x.bytes, NULL);
	prom_family(w, "riposte_dns_notify_sent", PROM_COUNTER,
	    "NOTIFY messages sent (retransmissions included).");
	prom_u64(w, "", x.notify.sent, NULL);
	prom_family(w, "riposte_dns_notify_unanswered", PROM_COUNTER,
	    "NOTIFYs given up after the last retransmission (RFC 1996 3.6).");
	prom_u64(w, "", x.notify.unanswered, NULL);
}

static void
dnsd_metrics(void *ctx, struct prom_w *w)
{
	struct dnsd *d = ctx;
	struct dns_server_stats st;
	const struct dns_gen *gen = dns_server_gen(d->srv);
	const uint8_t (*slot)[DNS_NAME_MAX];
	unsigned used, max, nw = dns_server_workers(d->srv), n_slots;
	char text[DNS_NAME_STRLEN], num[16];

	dns_server_stats(d->srv, &st);
	dns_server_tcp_slots(d->srv, &used, &max);
	prom_family(w, "riposte_build_info", PROM_GAUGE, "The program and its version.");
	prom_u64(w, "", 1, "program", "riposte-dns", "version", RIPOSTE_DNS_VERSION, NULL);
	prom_family(w, "riposte_uptime_seconds", PROM_GAUGE, "Seconds since riposte-dns started.");
	prom_f64(w, "", mono_ms() / 1000. - d->started, NULL);
	prom_family(w, "riposte_config_reloads", PROM_COUNTER,
	    "Reloads, by result (ok; partial: published, but a zone statement failed and kept "
	    "its previous version; failed: nothing changed).");
	prom_u64(w, "", d->reloads - d->reloads_partial, "result", "ok", NULL);
	prom_u64(w, "", d->reloads_partial, "result", "partial", NULL);
	prom_u64(w, "", d->reload_failures - d->reloads_partial, "result", "failed", NULL);
	prom_family(w, "riposte_metrics_scrapes", PROM_COUNTER,
	    "Pages served by the metrics listeners, this one included.");
	prom_u64(w, "", metrics_set_scrapes(&d->metrics), NULL);

	prom_family(w, "riposte_dns_queries", PROM_COUNTER,
	    "DNS messages received to answer, by transport.");
	prom_u64(w, "", st.answer.udp, "transport", "udp", NULL);
	prom_u64(w, "", st.answer.tcp, "transport", "tcp", NULL);
	prom_family(w, "riposte_dns_query_types", PROM_COUNTER,
	    "Questions by QTYPE (the common ones by name, the rest as other).");
	for (unsigned i = 0; i < DNS_QTYPE_STATS; i++)
		prom_u64(w, "", st.answer.qtype[i], "type", dns_stats_qtype_name(i), NULL);
	prom_family(w, "riposte_dns_responses", PROM_COUNTER, "Responses by RCODE.");
	prom_u64(w, "", st.answer.noerror, "rcode", "NOERROR", NULL);
	prom_u64(w, "", st.answer.nxdomain, "rcode", "NXDOMAIN", NULL);
	prom_u64(w, "", st.answer.refused, "rcode", "REFUSED", NULL);
	prom_u64(w, "", st.answer.formerr, "rcode", "FORMERR", NULL);
	prom_u64(w, "", st.answer.notimp, "rcode", "NOTIMP", NULL);
	prom_u64(w, "", st.answer.servfail, "rcode", "SERVFAIL", NULL);
	prom_family(w, "riposte_dns_zone_queries", PROM_COUNTER,
	    "Questions answered from each zone (every zone served since the start).");
	n_slots = dns_server_zone_slots(d->srv, &slot);
	for (unsigned k = 1; k < n_slots; k++)
		prom_u64(w, "", st.answer.zone[k], "zone", dns_name_to_text(slot[k], text), NULL);
	prom_family(w, "riposte_dns_queries_not_ours", PROM_COUNTER,
	    "Questions for names in no zone of ours (answered REFUSED).");
	prom_u64(w, "", st.answer.zone[0], NULL);
	prom_family(w, "riposte_dns_dropped", PROM_COUNTER,
	    "Messages not answered (responses, shorter than a header, ...).");
	prom_u64(w, "", st.answer.dropped, NULL);
	prom_family(w, "riposte_dns_truncated", PROM_COUNTER, "UDP answers sent with TC=1.");
	prom_u64(w, "", st.answer.truncated, NULL);
	prom_family(w, "riposte_dns_edns_queries", PROM_COUNTER, "Queries with EDNS (RFC 6891).");
	prom_u64(w, "", st.answer.edns, NULL);
	prom_family(w, "riposte_dns_nsid_answers", PROM_COUNTER, "Answers with NSID (RFC 5001).");
	prom_u64(w, "", st.answer.nsid, NULL);
	prom_family(w, "riposte_dns_chaos_queries", PROM_COUNTER,
	    "CHAOS class queries (id.server, version.bind, ...).");
	prom_u64(w, "", st.answer.chaos, NULL);

	prom_family(w, "riposte_dns_workers", PROM_GAUGE, "Worker threads answering.");
	prom_u64(w, "", nw, NULL);
	prom_family(w, "riposte_dns_worker_queries", PROM_COUNTER, "Messages each worker received.");
	for (unsigned i = 0; i < nw; i++) {
		uint64_t q, a;
		dns_server_worker_stats(d->srv, i, &q, &a);
		snprintf(num, sizeof(num), "%u", i);
		prom_u64(w, "", q, "worker", num, NULL);
	}
	prom_family(w, "riposte_dns_worker_answers", PROM_COUNTER, "Answers each worker made.");
	for (unsigned i = 0; i < nw; i++) {
		uint64_t q, a;
		dns_server_worker_stats(d->srv, i, &q, &a);
		snprintf(num, sizeof(num), "%u", i);
		prom_u64(w, "", a, "worker", num, NULL);
	}

	prom_family(w, "riposte_dns_udp_packets", PROM_COUNTER, "UDP datagrams, by direction.");
	prom_u64(w, "", st.udp_in, "direction", "in", NULL);
	prom_u64(w, "", st.udp_out, "direction", "out", NULL);
	prom_family(w, "riposte_dns_udp_dropped", PROM_COUNTER, "UDP datagrams dropped unanswered.");
	prom_u64(w, "", st.udp_dropped, NULL);
	prom_family(w, "riposte_dns_udp_send_errors", PROM_COUNTER, "UDP answers that failed to go out.");
	prom_u64(w, "", st.udp_send_errors, NULL);
	prom_family(w, "riposte_dns_rrl_actions", PROM_COUNTER,
	    "UDP answers rate limited (RRL), by action: drop, or slip (sent truncated).");
	prom_u64(w, "", st.rrl_limited >= st.rrl_slipped ? st.rrl_limited - st.rrl_slipped : 0,
	    "action", "drop", NULL);
	prom_u64(w, "", st.rrl_slipped, "action", "slip", NULL);

	prom_family(w, "riposte_dns_tcp_connections_open", PROM_GAUGE, "TCP connections open now.");
	prom_u64(w, "", used, NULL);
	prom_family(w, "riposte_dns_tcp_slots", PROM_GAUGE,
	    "TCP connection slots (tcp-clients, spread over the workers).");
	prom_u64(w, "", max, NULL);
	prom_family(w, "riposte_dns_tcp_connections", PROM_COUNTER,
	    "TCP connections, by what became of them at accept (accepted, refused: no slot, "
	    "refused_per_ip: over tcp-clients-per-ip).");
	prom_u64(w, "", st.tcp_accepted, "result", "accepted", NULL);
	prom_u64(w, "", st.tcp_refused, "result", "refused", NULL);
	prom_u64(w, "", st.tcp_refused_per_ip, "result", "refused_per_ip", NULL);
	prom_family(w, "riposte_dns_tcp_closed", PROM_COUNTER,
	    "TCP connections closed by us, by reason (idle: tcp-idle-timeout; io_timeout: a "
	    "query not whole within tcp-io-timeout; evicted_idle, evicted_busy: for a new one).");
	prom_u64(w, "", st.tcp_closed_idle, "reason", "idle", NULL);
	prom_u64(w, "", st.tcp_io_timeouts, "reason", "io_timeout", NULL);
	prom_u64(w, "", st.tcp_evicted, "reason", "evicted_idle", NULL);
	prom_u64(w, "", st.tcp_evicted_busy, "reason", "evicted_busy", NULL);

	prom_family(w, "riposte_dns_zones", PROM_GAUGE, "Zones served.");
	prom_u64(w, "", gen_zone_count(gen), NULL);
	prom_family(w, "riposte_dns_records", PROM_GAUGE, "Records served, every zone together.");
	prom_u64(w, "", gen->records, NULL);
	/* Per zone served: a statement that serves nothing has no zone to name. */
	static const char *const zone_families[][3] = {
		{ "riposte_dns_zone_serial", "g", "The SOA serial served." },
		{ "riposte_dns_zone_records", "g", "Records served in the zone." },
		{ "riposte_dns_zone_load_duration_seconds", "g",
		  "How long the last load of the zone's statement took." },
		{ "riposte_dns_zone_loaded_timestamp_seconds", "g",
		  "When what is served was loaded (Unix time)." },
		{ "riposte_dns_zone_load_ok", "g",
		  "1 if the last load of the zone's statement succeeded; 0: it failed and the "
		  "previous version is served." },
	};
	for (int f = 0; f < 5; f++) {
		prom_family(w, zone_families[f][0], PROM_GAUGE, zone_families[f][2]);
		for (size_t i = 0; i < gen->n_src; i++) {
			const struct dns_gen_source *s = &gen->src[i];
			for (size_t k = 0; k < s->n_zones; k++) {
				const struct dns_zone *z = dns_zoneset_find(gen->zones, s->apex[k]);
				uint32_t serial = 0;
				if (z == NULL || !dns_name_equal(dns_zone_apex(z), s->apex[k]))
					continue;
				dns_name_to_text(s->apex[k], text);
				switch (f) {
				case 0:
					if (zone_serial(z, &serial))
						prom_u64(w, "", serial, "zone", text, NULL);
					break;
				case 1:
					prom_u64(w, "", dns_zone_rr_count(z), "zone", text, NULL);
					break;
				case 2:
					prom_f64(w, "", s->ms / 1e3, "zone", text, NULL);
					break;
				case 3:
					prom_u64(w, "", (uint64_t)s->loaded, "zone", text, NULL);
					break;
				default:
					prom_u64(w, "", s->ok, "zone", text, NULL);
					break;
				}
			}
		}
	}

	dnsd_metrics_xfr(d, w);
}

static const struct ctl_command dnsd_ctl_commands[] = {
	{ "status", NULL, "uptime, workers, queries by rcode and transport, TCP slots", 0, 0,
	  ctl_status, CTL_CMD_READONLY },
	{ "zones", NULL, "every zone: serial, records, when loaded, last error", 0, 0, ctl_zones,
	  CTL_CMD_READONLY },
	{ "reload", "[ZONE]", "read the config and every zone (or ZONE) again; replies when "
	  "the result is served", 0, 1, ctl_reload, 0 },
};

static void
sig_term_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	sdnotify_send("STOPPING=1");
	log_info("received %s: stopping", strsignal(w->signum));
	ev_break(loop, EVBREAK_ALL);
}

/* SIGUSR1: reopen the log file and the query log (logrotate moved them); nothing is reloaded. */
static void
sig_usr1_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct dnsd *d = w->data;
	const char *path = log_file_path();

	if (d->conf.qlog_path != NULL) {
		dnsd_qlog_config(d, &d->conf);
		log_info("SIGUSR1: query log %s reopened", d->conf.qlog_path);
	}
	if (path == NULL)
		return;
	if (log_reopen() != 0)
		log_warn("SIGUSR1: cannot reopen log file %s, logging stays in the old one", path);
	else
		log_info("SIGUSR1: log file %s reopened", path);
}

/*
 * WatchdogSec=: WATCHDOG=1 from the main loop at half the interval, but
 * only while every worker passes its quiescent points (server.h): a
 * worker stuck inside one loop turn stops the pings, and the service
 * manager restarts us (a stuck worker also blocks every reload).
 */
static void
watchdog_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dnsd *d = w->data;
	unsigned stuck = 0;

	if (dns_server_workers_alive(d->srv, &stuck)) {
		sdnotify_send("WATCHDOG=1");
		return;
	}
	log_rl(&d->watchdog_rl, (int64_t)(mono_ms() * 1000.), LOG_LVL_ERR,
	    "worker %u has not finished a loop turn for %.1f s: no watchdog ping", stuck,
	    w->repeat);
}

/* ---------------------------------------------------------------- start */

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: riposte-dns [-d] [-c FILE] [-p PIDFILE] [-s SOCKET]\n"
	    "       riposte-dns [-c FILE] --check | --print | --export DIR\n"
	    "\n"
	    "riposte-dns is an authoritative DNS server.  It serves RFC 1035 zone files\n"
	    "and riposte hosts inputs (from which it builds the forward zone and the\n"
	    "in-addr.arpa and ip6.arpa reverse zones) over UDP and TCP, with EDNS0, NSID\n"
	    "and the CHAOS names id.server, hostname.bind and version.bind.  It listens on\n"
	    "wildcard sockets and answers every query from the address it was sent to,\n"
	    "so addresses added to the host later (an anycast address on lo) are served\n"
	    "at once, after privileges were dropped, without a restart.\n"
	    "\n"
	    "Options:\n"
	    "  -c, --config FILE    configuration file (default %s)\n"
	    "  -p, --pidfile PATH   the lock and process id file (overrides `pidfile`); a\n"
	    "                       second riposte-dns on it exits 1 touching nothing\n"
	    "  -s, --socket PATH    control socket (overrides `control`)\n"
	    "  -d, --foreground     stay in the foreground (systemd's Type=notify); logs go\n"
	    "                       where `log` says, stderr without one, with each line's\n"
	    "                       syslog priority (<N>) when stderr is not a terminal\n"
	    "      --check          validate the configuration and load every zone; report\n"
	    "                       each error as file:line and exit (0 all good, 1 not)\n"
	    "      --print          print the configuration in canonical form, with every\n"
	    "                       default spelled out, and exit\n"
	    "      --export DIR     load every zone and write each one to DIR/NAME.zone as a\n"
	    "                       standard zone file (BIND, NSD and Knot load them)\n"
	    "  -V, --version        print the version and exit\n"
	    "  -h, --help           this text\n"
	    "\n"
	    "Configuration (one statement per line, # comments, \"quoted\" words):\n"
	    "  listen ADDRESS[@PORT]      repeatable; IPv4, IPv6 ([::1]@53 or ::1@53) or *\n"
	    "                             (default: 0.0.0.0@53 and [::]@53, UDP and TCP)\n"
	    "  zone NAME file PATH        a zone file (paths relative to the config's dir)\n"
	    "  zone NAME hosts PATH       a hosts input: NAME and its reverse zones\n"
	    "  zone NAME secondary ADDRESS[@PORT] [key KEY]\n"
	    "                             repeatable: a primary NAME is transferred from\n"
	    "                             (IXFR, AXFR), tried in order; NAME is then a\n"
	    "                             secondary zone and `zone NAME file PATH` is\n"
	    "                             required: where its copy is kept and read at start\n"
	    "  zone NAME allow-transfer PREFIX [key KEY]\n"
	    "                             repeatable: AXFR/IXFR of NAME allowed from PREFIX\n"
	    "                             (192.0.2.0/24, 2001:db8::1), TSIG-signed with KEY\n"
	    "                             when given; everyone else is REFUSED\n"
	    "  zone NAME notify ADDRESS[@PORT] [key KEY]\n"
	    "                             repeatable: NOTIFY sent there on every new serial\n"
	    "  key NAME ALGORITHM SECRET  repeatable: a TSIG key (RFC 8945), defined before\n"
	    "                             the zone lines that name it; ALGORITHM hmac-md5,\n"
	    "                             hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or\n"
	    "                             hmac-sha512; SECRET in base64 (keymgr -t, tsig-keygen)\n"
	    "  identity TEXT              NSID and id.server/hostname.bind (default: host name)\n"
	    "  version TEXT|hide          version.bind (default \"riposte-dns %s\")\n"
	    "  user NAME                  run as NAME once the sockets are bound (default,\n"
	    "                             when started as root: riposte-dns if that user\n"
	    "                             exists, else nobody; `user root` keeps root)\n"
	    "  pidfile PATH               lock and pid file (default: none); with `user`,\n"
	    "                             in a directory that user may write, or it is\n"
	    "                             emptied instead of removed at exit\n"
	    "  workers N|auto             threads (default auto: one per usable CPU)\n"
	    "  tcp-clients N              open TCP connections (default 256)\n"
	    "  tcp-idle-timeout N[ms|s|m] close idle TCP connections (default 10s)\n"
	    "  tcp-io-timeout N[ms|s|m]   a TCP query must arrive whole within this once\n"
	    "                             its first byte came (default 500ms)\n"
	    "  tcp-clients-per-ip N|off   TCP connections per IPv4 address or IPv6 /64\n"
	    "                             (default 16)\n"
	    "  udp-size N                 our EDNS UDP payload size, 512..4096 (default 1232)\n"
	    "  control PATH|none          control socket for ripostectl -s PATH: status,\n"
	    "                             zones, reload [ZONE] (default %s)\n"
	    "  log stderr|syslog [LEVEL]  where the log goes (default stderr; syslog when\n"
	    "  log file PATH [LEVEL]      not in the foreground) and the lowest level kept:\n"
	    "                             errors, warnings, notifications, informational\n"
	    "                             (default) or debugging\n"
	    "  query-log PATH|syslog [sample N]\n"
	    "                             one line per Nth answer of each worker (default\n"
	    "                             every one): time, client#port, udp|tcp, name,\n"
	    "                             class, type, rcode, size\n"
	    "  metrics listen ADDRESS[@PORT]\n"
	    "                             repeatable: Prometheus metrics on\n"
	    "                             http://ADDRESS:PORT/metrics (port 9476); off\n"
	    "                             without one\n"
	    "  xfr-max-records N|unlimited\n"
	    "                             records one transfer in (AXFR, or an IXFR's\n"
	    "                             differences) may carry (default 10000000)\n"
	    "  xfr-max-size N[k|m|g]|unlimited\n"
	    "                             their size as uncompressed wire (default 1g)\n"
	    "  xfr-timeout N[ms|s|m]      a transfer in or out must end within this\n"
	    "                             (default 10m); a transfer in over a limit is\n"
	    "                             aborted, the old copy kept\n"
	    "\n"
	    "Signals:\n"
	    "  SIGHUP               reload the configuration's zones (and identity, version,\n"
	    "                       udp-size) while answering; the new zones replace the old\n"
	    "                       all at once; a zone that fails to load keeps its previous\n"
	    "                       version and the log says why\n"
	    "  SIGUSR1              reopen the log file and the query log (logrotate)\n"
	    "  SIGTERM, SIGINT      stop\n"
	    "\n"
	    "At start every zone must load, or riposte-dns exits: a node missing a zone\n"
	    "should not be announced.  Zone files are read again at reload as `user`.\n"
	    "A secondary zone starts from its kept copy (none yet: SERVFAIL until the first\n"
	    "transfer), asks its primaries at once, then follows its SOA's refresh, retry\n"
	    "and expire (expired: SERVFAIL) and NOTIFY from its primaries; a reload keeps\n"
	    "its data, and transfers it anew (AXFR) when its primaries changed.\n"
	    "\n"
	    "Exit status: 0 on success, 1 on a configuration, zone or start-up error.\n",
	    DNSCONF_DEFAULT_PATH, RIPOSTE_DNS_VERSION, DNSCONF_CONTROL_DEFAULT);
}

/*
 * After dropping privileges the pidfile is still ours to rewrite (the
 * descriptor was opened as root and stays open, with its lock), but to
 * unlink it at exit `user` needs write access to its directory.  Options
 * were: unlink it before dropping (then a second instance could start
 * while we serve: wrong), keep a privileged helper process alive only to
 * unlink a file (a root process for the daemon's lifetime: too much for
 * it), or chown the file (unlink does not look at the file's owner, only
 * at the directory).  So, as NSD's packages do with /run/nsd: give the
 * pidfile a directory `user` may write (/run/riposte-dns/, owned by it).
 * When it is not so, say so now; at exit the file is then emptied through
 * the descriptor, so it names no process, and its lock goes with us: the
 * next start takes it over.
 */
static void
pidfile_removable(const struct dnsd *d, const struct passwd *pw)
{
	char *dir;

	if (d->pidfile_lock == NULL || (dir = strdup(d->pidfile)) == NULL)
		return;
	*strrchr(dir, '/') = '\0'; /* absolute: there is a '/' */
	if (access(dir[0] != '\0' ? dir : "/", W_OK | X_OK) != 0)
		log_notice("pidfile %s: its directory is not writable by user %s: at exit "
		    "the file is emptied, not removed", d->pidfile, pw->pw_name);
	free(dir);
}

/* Print the errors of a load the way --check reports them: file:line first. */
static unsigned
report_errors(FILE *out, const struct dns_gen *gen)
{
	unsigned n = 0;

	for (size_t i = 0; i < gen->n_src; i++) {
		const struct dns_gen_source *s = &gen->src[i];
		if (s->ok)
			continue;
		/* A secondary without a usable copy starts anyway: it transfers (SERVFAIL until). */
		if (s->kind == DNSCONF_ZONE_SECONDARY) {
			fprintf(out, "warning: %s (zone %s, %s)\n", s->err, s->name, source_kind(s));
			continue;
		}
		/* Multi-line builder messages: the first line carries file:line. */
		fprintf(out, "%s (zone %s, %s)\n", s->err, s->name, source_kind(s));
		n++;
	}
	return n;
}

static int
do_check(const struct dnsd *d, const struct dnsconf *conf)
{
	struct dns_gen *gen;
	unsigned bad;
	int rc = 0;

	if (conf->user[0] != '\0' && getpwnam(conf->user) == NULL) {
		fprintf(stderr, "%s: user %s: no such user\n", d->conf_path, conf->user);
		rc = 1;
	}
	if ((gen = dns_gen_load(conf, NULL)) == NULL) {
		fprintf(stderr, "riposte-dns: out of memory\n");
		return 1;
	}
	bad = report_errors(stderr, gen);
	for (size_t i = 0; i < gen->n_src; i++)
		if (gen->src[i].ok && gen->src[i].kind != DNSCONF_ZONE_HOSTS &&
		    sec_check_source(gen, &gen->src[i], stderr, "").errors > 0)
			bad++;
	if (bad == 0 && rc == 0)
		printf("%s: OK: %zu zone statements, %zu zones, %zu records\n", d->conf_path,
		    conf->n_zones, gen_zone_count(gen), gen->records);
	dns_gen_free(gen);
	return bad > 0 ? 1 : rc;
}

static int
do_export(const struct dnsconf *conf, const char *dir)
{
	struct dns_gen *gen;
	char err[512];
	int rc = 0;

	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "riposte-dns: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if ((gen = dns_gen_load(conf, NULL)) == NULL) {
		fprintf(stderr, "riposte-dns: out of memory\n");
		return 1;
	}
	if (report_errors(stderr, gen) > 0) {
		dns_gen_free(gen);
		return 1;
	}
	for (size_t i = 0; i < dns_zoneset_count(gen->zones); i++) {
		const struct dns_zone *z = dns_zoneset_get(gen->zones, i);
		char text[DNS_NAME_STRLEN];
		if (!dns_zone_available(z)) {
			printf("%s: no data (a secondary zone not transferred yet)\n",
			    dns_name_to_text(dns_zone_apex(z), text));
			continue;
		}
		if (dns_export_zone(z, dir, err, sizeof(err)) != 0) {
			fprintf(stderr, "riposte-dns: %s\n", err);
			rc = 1;
			continue;
		}
		printf("%s: %zu records\n", dns_name_to_text(dns_zone_apex(z), text),
		    dns_zone_rr_count(z));
	}
	dns_gen_free(gen);
	return rc;
}

/* No `user` given: riposte-dns if it exists, else nobody (RIPOSTE_DNS_USER). */
static struct passwd *
default_user(void)
{
	struct passwd *pw = getpwnam(RIPOSTE_DNS_USER);

	return pw != NULL ? pw : getpwnam(RIPOSTE_DNS_USER_FALLBACK);
}

/* As root: what the sockets need; after: nothing more.  The order matters (groups first). */
static void
drop_privileges(const struct passwd *pw)
{
	if (getuid() != 0 && geteuid() != 0) {
		if (geteuid() != pw->pw_uid)
			fatalx("user %s: only root can change user", pw->pw_name);
		return;
	}
	if (setgroups(1, &pw->pw_gid) != 0)
		fatal("setgroups");
	if (setgid(pw->pw_gid) != 0)
		fatal("setgid %u", (unsigned)pw->pw_gid);
	if (setuid(pw->pw_uid) != 0)
		fatal("setuid %u", (unsigned)pw->pw_uid);
	/* Paranoia: the way back must be closed. */
	if (pw->pw_uid != 0 && setuid(0) == 0)
		fatalx("could regain root after dropping privileges");
}

/* Every TCP connection and socket is a descriptor: make room while still root. */
static void
raise_nofile(const struct dnsconf *conf, unsigned workers)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)conf->tcp_clients + (rlim_t)workers * (2 * conf->n_listen + 8) + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= need)
		return;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need && geteuid() == 0)
		rl.rlim_max = need;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_warn("cannot raise the open file limit to %llu", (unsigned long long)need);
}

static void
log_started(const struct dnsd *d, const struct dns_gen *gen, unsigned workers)
{
	char listen[512] = "", buf[DNSCONF_LISTEN_STRLEN];
	size_t len = 0;

	for (size_t i = 0; i < d->conf.n_listen && len < sizeof(listen); i++) {
		int n = snprintf(listen + len, sizeof(listen) - len, "%s%s", i > 0 ? " " : "",
		    dnsconf_listen_str(&d->conf.listen[i], buf));
		if (n < 0)
			break;
		len += (size_t)n;
	}
	log_info("riposte-dns %s started: %zu zones, %zu records, %u workers, listening on %s "
	    "(UDP and TCP)%s%s, identity \"%s\"", RIPOSTE_DNS_VERSION, gen_zone_count(gen),
	    gen->records, workers, listen, d->run_user != NULL ? ", user " : "",
	    d->run_user != NULL ? d->run_user : "", d->conf.identity);
}

int
main(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_PRINT, OPT_EXPORT };
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "socket", required_argument, NULL, 's' },
		{ "foreground", no_argument, NULL, 'd' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "print", no_argument, NULL, OPT_PRINT },
		{ "export", required_argument, NULL, OPT_EXPORT },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *export_dir = NULL;
	bool check = false, print = false;
	struct passwd *pw = NULL;
	struct dns_gen *gen;
	struct dnsd d = { 0 };
	char err[512];
	int ch;

	d.conf_path = DNSCONF_DEFAULT_PATH;
	log_init("riposte-dns");
	/*
	 * A SIGHUP while the zones load (seconds for a large zone) would kill
	 * us; blocked, it waits until the handler is in place.
	 */
	sigset_t hup;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigaddset(&hup, SIGUSR1); /* logrotate during the load: reopen later, not die */
	sigprocmask(SIG_BLOCK, &hup, NULL);
	while ((ch = getopt_long(argc, argv, "c:p:s:dVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': d.conf_path = optarg; break;
		case 'p': d.pidfile = optarg; break;
		case 's': d.ctl_path = optarg; break;
		case 'd': d.foreground = true; break;
		case OPT_CHECK: check = true; break;
		case OPT_PRINT: print = true; break;
		case OPT_EXPORT: export_dir = optarg; break;
		case 'V': printf("riposte-dns %s\n", RIPOSTE_DNS_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "riposte-dns: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	if (check + print + (export_dir != NULL) > 1) {
		fprintf(stderr, "riposte-dns: --check, --print and --export go alone\n");
		return 1;
	}

	if (dnsconf_parse_file(d.conf_path, &d.conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (print) {
		dnsconf_print(stdout, &d.conf);
		dnsconf_free(&d.conf);
		return 0;
	}
	if (check || export_dir != NULL) {
		int rc = check ? do_check(&d, &d.conf) : do_export(&d.conf, export_dir);
		dnsconf_free(&d.conf);
		return rc;
	}
	if ((d.conf_abs = realpath(d.conf_path, NULL)) == NULL)
		fatal("%s", d.conf_path);
	/* In the foreground the zones' load is logged where `log` says already. */
	if (d.foreground)
		dnsd_log_config(&d, &d.conf);
	if (d.pidfile == NULL)
		d.pidfile = d.conf.pidfile;
	char *pid_abs = NULL;
	if (d.pidfile != NULL && d.pidfile[0] != '/') {
		/* -p is relative to where we were started, not to "/" after daemon(). */
		char *cwd = getcwd(NULL, 0);
		if (cwd == NULL || asprintf(&pid_abs, "%s/%s", cwd, d.pidfile) < 0)
			fatal("getcwd");
		free(cwd);
		d.pidfile = pid_abs;
	}
	char *ctl_abs = NULL;
	if (d.ctl_path != NULL && d.ctl_path[0] != '/') {
		/* -s as well: the socket is made after daemon() changed to "/". */
		char *cwd = getcwd(NULL, 0);
		if (cwd == NULL || asprintf(&ctl_abs, "%s/%s", cwd, d.ctl_path) < 0)
			fatal("getcwd");
		free(cwd);
		d.ctl_path = ctl_abs;
	}
	if (d.conf.user[0] != '\0' && (pw = getpwnam(d.conf.user)) == NULL)
		fatalx("%s: user %s: no such user", d.conf_path, d.conf.user);
	if (pw == NULL && geteuid() == 0 && (pw = default_user()) == NULL)
		fatalx("%s: no `user`, and neither user %s nor %s exists: give one, or "
		    "`user root` to stay root", d.conf_path, RIPOSTE_DNS_USER,
		    RIPOSTE_DNS_USER_FALLBACK);
	/* `user root`: stay root, as asked. */
	if (pw != NULL && pw->pw_uid == 0 && geteuid() == 0)
		pw = NULL;
	/* getpwnam()'s buffer is reused by the next lookup: keep the name. */
	char *run_user = pw != NULL ? strdup(pw->pw_name) : NULL;
	d.run_user = run_user;
	/*
	 * One riposte-dns per pidfile, found out before the zones load and
	 * anything is bound (SO_REUSEPORT would let a second one bind next
	 * to the first and take half its queries).  Before daemon(), so
	 * that the refusal reaches the terminal; the child keeps the lock.
	 */
	if (d.pidfile != NULL) {
		if ((d.pidfile_lock = pidfile_take("riposte-dns", d.pidfile)) == NULL) {
			dnsconf_free(&d.conf);
			free(d.conf_abs);
			free(pid_abs);
			free(ctl_abs);
			free(run_user);
			return 1;
		}
		pidfile_remove_at_exit(d.pidfile_lock);
	}

	/* Every zone, before anything is bound: a node that lacks one must not serve. */
	double t0 = mono_ms();
	if ((gen = dns_gen_load(&d.conf, NULL)) == NULL)
		fatalx("out of memory");
	log_sources(gen, "");
	if (gen->failed > 0)
		fatalx("%u zone statements failed to load: not starting", gen->failed);
	log_info("%zu zones, %zu records loaded in %.1f ms", gen_zone_count(gen), gen->records,
	    mono_ms() - t0);

	if ((d.srv = dns_server_new(&d.conf)) == NULL)
		fatalx("cannot set up the listening sockets");
	raise_nofile(&d.conf, dns_server_workers(d.srv));
	if (!d.foreground) {
		if (daemon(0, 0) < 0)
			fatal("daemon");
		dnsd_log_config(&d, &d.conf);
	}
	if (d.pidfile_lock != NULL && pidfile_write(d.pidfile_lock) != 0)
		fatal("pidfile %s", d.pidfile);
	/*
	 * The control socket while we may still write its directory (/run).
	 * Without it riposte-dns still serves: answering matters more than
	 * being asked how it goes.  Its commands run from the loop below.
	 */
	struct ev_loop *loop = EV_DEFAULT;
	d.started = mono_ms() / 1000.;
	/* Transfers out are the main thread's: the workers hand them over (xfrd.h). */
	if ((d.xfrd = dns_xfrd_new(loop, d.srv, &d.conf)) == NULL ||
	    dns_server_set_xfr(d.srv, loop, dns_xfrd_handoff, d.xfrd) != 0)
		fatalx("out of memory");
	const char *control = d.ctl_path != NULL ? d.ctl_path : dnsconf_control(&d.conf);
	if (control != NULL &&
	    (d.ctl = ctl_server_start(loop, control, dnsd_ctl_commands,
	    sizeof(dnsd_ctl_commands) / sizeof(dnsd_ctl_commands[0]), &d)) == NULL)
		log_warn("control socket %s: not available (ripostectl -s cannot reach us)",
		    control);
	/* Prometheus's listeners, while a port below 1024 could still be bound. */
	if (metrics_set_apply(&d.metrics, loop, d.conf.metrics, d.conf.n_metrics, dnsd_metrics, &d,
	    d.conf_abs, err, sizeof(err)) != 0)
		fatalx("%s", err);
	if (pw != NULL) {
		if (d.conf.user[0] == '\0')
			log_notice("no `user` in %s: running as %s once the sockets are bound "
			    "(`user root` keeps root)", d.conf_abs, pw->pw_name);
		drop_privileges(pw);
		pidfile_removable(&d, pw);
	} else if (geteuid() == 0) {
		log_warnx("`user root`: riposte-dns keeps running as root");
	}

	signal(SIGPIPE, SIG_IGN);
	ev_signal_init(&d.sig_term, sig_term_cb, SIGTERM);
	ev_signal_init(&d.sig_int, sig_term_cb, SIGINT);
	ev_signal_init(&d.sig_hup, sig_hup_cb, SIGHUP);
	ev_signal_init(&d.sig_usr1, sig_usr1_cb, SIGUSR1);
	d.sig_hup.data = d.sig_usr1.data = &d;
	ev_signal_start(loop, &d.sig_term);
	ev_signal_start(loop, &d.sig_int);
	ev_signal_start(loop, &d.sig_hup);
	ev_signal_start(loop, &d.sig_usr1);
	/* libev's handler is in place: a SIGHUP that came while loading reloads now. */
	sigprocmask(SIG_UNBLOCK, &hup, NULL);
	dnsd_qlog_config(&d, &d.conf);
	dns_server_on_notify(d.srv, loop, dnsd_notify, &d);
	if (dns_server_start(d.srv, gen) != 0)
		fatalx("cannot start the workers");
	log_started(&d, gen, dns_server_workers(d.srv));
	/* Secondary zones: served from their kept copies already; now ask the primaries. */
	const struct dns_secondary_ops sec_ops = { &d, dnsd_publish_zone };
	if ((d.sec = dns_secondary_new(loop, &d.conf, dns_server_gen(d.srv), &sec_ops)) == NULL)
		fatalx("out of memory");
	/* RFC 1996: the serials we start with are new to the secondaries too. */
	dns_xfrd_published(d.xfrd, NULL, gen);
	uint64_t wd = sdnotify_watchdog_usec();
	if (wd > 0) {
		d.watchdog_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(3);
		ev_timer_init(&d.watchdog, watchdog_cb, 0., (double)wd / 2e6);
		d.watchdog.data = &d;
		ev_timer_again(loop, &d.watchdog);
	}
	/* Every zone loaded, the sockets bound, the workers answering. */
	sdnotify_send("READY=1\nSTATUS=serving");

	ev_run(loop, 0);

	struct dns_server_stats st;
	metrics_set_stop(&d.metrics);
	if (d.ctl != NULL)
		ctl_server_stop(d.ctl);
	dns_secondary_free(d.sec);
	d.sec = NULL;
	dns_server_stop(d.srv);
	dns_server_stats(d.srv, &st);
	/* Before the server: transfers hold generations the server would free. */
	dns_xfrd_free(d.xfrd);
	log_info("riposte-dns stopped: %llu queries (%llu noerror, %llu nxdomain, %llu refused, "
	    "%llu formerr, %llu dropped), UDP %llu in %llu out %llu dropped, TCP %llu "
	    "connections (%llu refused, %llu idle closed, %llu evicted, %llu busy evicted, "
	    "%llu io timeouts, %llu over per-ip), %llu reloads",
	    (unsigned long long)st.answer.queries, (unsigned long long)st.answer.noerror,
	    (unsigned long long)st.answer.nxdomain, (unsigned long long)st.answer.refused,
	    (unsigned long long)st.answer.formerr, (unsigned long long)st.answer.dropped,
	    (unsigned long long)st.udp_in, (unsigned long long)st.udp_out,
	    (unsigned long long)st.udp_dropped, (unsigned long long)st.tcp_accepted,
	    (unsigned long long)st.tcp_refused, (unsigned long long)st.tcp_closed_idle,
	    (unsigned long long)st.tcp_evicted, (unsigned long long)st.tcp_evicted_busy,
	    (unsigned long long)st.tcp_io_timeouts, (unsigned long long)st.tcp_refused_per_ip,
	    (unsigned long long)d.reloads);
	dns_server_free(d.srv);
	if (pidfile_close(d.pidfile_lock) != 0)
		log_warn("cannot remove pidfile %s (emptied it instead; see `pidfile` in the "
		    "README)", d.pidfile);
	dnsconf_free(&d.conf);
	free(d.conf_abs);
	free(pid_abs);
	free(ctl_abs);
	free(run_user);
	return 0;
}
