/*
 * metrics.c - riposted's Prometheus page (README, Metrics): the listeners
 * of `metrics listen` and the page they serve.  The modules write their
 * own families (rip/show.c, health/services.c, bfd/bfd.c), as they print
 * their own tables for ripostectl; this file adds the daemon's figures,
 * the socket's and the kernel's.  Everything runs on the loop's thread
 * (metrics/httpd.h), so the state is read as the control commands read it.
 */
#include "bfd/bfd.h"
#include "health/services.h"
#include "lib/prom.h"
#include "metrics/httpd.h"
#include "netlink/kr.h"
#include "rip/io.h"
#include "rip/show.h"
#include "riposted/daemon.h"

static void
daemon_metrics_collect(void *ctx, struct prom_w *w)
{
	struct daemon *d = ctx;
	rtime_t now = clock_mono_now();
	struct rip_io_stats is;
	struct kr_stats ks;
	uint64_t scrapes = 0;

	prom_family(w, "riposte_build_info", PROM_GAUGE, "The program and its version.");
	prom_u64(w, "", 1, "program", "riposted", "version", RIPOSTED_VERSION, NULL);
	prom_family(w, "riposte_uptime_seconds", PROM_GAUGE, "Seconds since riposted started.");
	prom_f64(w, "", (double)(now - d->started) / 1e6, NULL);
	prom_family(w, "riposte_config_reloads", PROM_COUNTER,
	    "Configuration reloads, by result (ok, failed: the running one stayed).");
	prom_u64(w, "", d->reloads, "result", "ok", NULL);
	prom_u64(w, "", d->reload_failures, "result", "failed", NULL);
	for (size_t i = 0; i < PROM_LISTEN_MAX; i++)
		scrapes += metrics_httpd_scrapes(d->metrics[i]);
	prom_family(w, "riposte_metrics_scrapes", PROM_COUNTER,
	    "Pages served by the metrics listeners, this one included.");
	prom_u64(w, "", scrapes, NULL);

	svcd_metrics(d->svcd, w);
	rip_metrics(d->eng, w, now);

	rip_io_get_stats(d->io, &is);
	prom_family(w, "riposte_rip_packets_sent", PROM_COUNTER, "RIP datagrams sent.");
	prom_u64(w, "", is.tx_packets, NULL);
	prom_family(w, "riposte_rip_send_errors", PROM_COUNTER, "RIP datagrams that failed to go out.");
	prom_u64(w, "", is.tx_errors, NULL);
	prom_family(w, "riposte_rip_queue_drops", PROM_COUNTER,
	    "RIP datagrams dropped because their queue was full, by queue (updates, answers to "
	    "requests).");
	prom_u64(w, "", is.tx_queue_drops, "queue", "update", NULL);
	prom_u64(w, "", is.tx_reply_drops, "queue", "answer", NULL);
	prom_family(w, "riposte_rip_queued", PROM_GAUGE, "RIP datagrams waiting to be sent.");
	prom_u64(w, "", is.tx_queued, "queue", "update", NULL);
	prom_u64(w, "", is.tx_replies_queued, "queue", "answer", NULL);

	kr_get_stats(d->kr, &ks);
	prom_family(w, "riposte_kernel_route_changes", PROM_COUNTER,
	    "Kernel routes added or replaced (changed) and deleted by riposted.");
	prom_u64(w, "", ks.routes_changed, "op", "change", NULL);
	prom_u64(w, "", ks.routes_deleted, "op", "delete", NULL);
	prom_family(w, "riposte_kernel_errors", PROM_COUNTER,
	    "Netlink requests the kernel refused.");
	prom_u64(w, "", ks.errors, NULL);
	prom_family(w, "riposte_kernel_resyncs", PROM_COUNTER,
	    "Netlink monitor overruns recovered by a full dump.");
	prom_u64(w, "", ks.resyncs, NULL);

	bfd_mgr_metrics(d->bfd, w);
}

/* Index of the listener on l, or -1. */
static int
daemon_metrics_find(const struct daemon *d, const struct prom_listen *l)
{
	for (int i = 0; i < PROM_LISTEN_MAX; i++)
		if (d->metrics[i] != NULL && prom_listen_equal(&d->metrics_at[i], l))
			return i;
	return -1;
}

/*
 * Make d's listeners those of c: the new ones are opened first, so a
 * reload whose new address cannot be bound fails whole and changes
 * nothing; then the ones c no longer has are closed.  0, or -1 with the
 * message in err.
 */
int
daemon_metrics_apply(struct daemon *d, const struct riposted_conf *c, char *err, size_t errlen)
{
	struct metrics_httpd *opened[PROM_LISTEN_MAX] = { NULL };
	bool keep[PROM_LISTEN_MAX] = { false };
	char a[PROM_LISTEN_STRLEN];

	for (size_t i = 0; i < c->n_metrics; i++) {
		int k = daemon_metrics_find(d, &c->metrics[i]);
		if (k >= 0) {
			keep[k] = true;
			continue;
		}
		opened[i] = metrics_httpd_start(d->loop, &c->metrics[i], daemon_metrics_collect, d);
		if (opened[i] == NULL) {
			for (size_t j = 0; j < i; j++)
				metrics_httpd_stop(opened[j]);
			snprintf(err, errlen, "%s:%u: metrics listen %s: cannot listen there",
			    d->conf_path, c->metrics[i].line, prom_listen_str(&c->metrics[i], a));
			return -1;
		}
	}
	for (int k = 0; k < PROM_LISTEN_MAX; k++)
		if (d->metrics[k] != NULL && !keep[k]) {
			log_info("metrics: no longer serving on %s",
			    prom_listen_str(&d->metrics_at[k], a));
			metrics_httpd_stop(d->metrics[k]);
			d->metrics[k] = NULL;
		}
	for (size_t i = 0; i < c->n_metrics; i++) {
		if (opened[i] == NULL)
			continue;
		for (int k = 0; k < PROM_LISTEN_MAX; k++)
			if (d->metrics[k] == NULL) {
				d->metrics[k] = opened[i];
				d->metrics_at[k] = c->metrics[i];
				break;
			}
		log_info("metrics: serving Prometheus on http://%s/metrics",
		    prom_listen_str(&c->metrics[i], a));
	}
	return 0;
}

void
daemon_metrics_stop(struct daemon *d)
{
	for (size_t i = 0; i < PROM_LISTEN_MAX; i++) {
		metrics_httpd_stop(d->metrics[i]);
		d->metrics[i] = NULL;
	}
}
