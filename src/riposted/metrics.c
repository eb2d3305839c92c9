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

	prom_family(w, "riposte_build_info", PROM_GAUGE, "The program and its version.");
	prom_u64(w, "", 1, "program", "riposted", "version", RIPOSTED_VERSION, NULL);
	prom_family(w, "riposte_uptime_seconds", PROM_GAUGE, "Seconds since riposted started.");
	prom_f64(w, "", (double)(now - d->started) / 1e6, NULL);
	prom_family(w, "riposte_config_reloads", PROM_COUNTER,
	    "Configuration reloads, by result (ok, failed: the running one stayed).");
	prom_u64(w, "", d->reloads, "result", "ok", NULL);
	prom_u64(w, "", d->reload_failures, "result", "failed", NULL);
	prom_family(w, "riposte_metrics_scrapes", PROM_COUNTER,
	    "Pages served by the metrics listeners, this one included.");
	prom_u64(w, "", metrics_set_scrapes(&d->metrics), NULL);

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

int
daemon_metrics_apply(struct daemon *d, const struct riposted_conf *c, char *err, size_t errlen)
{
	return metrics_set_apply(&d->metrics, d->loop, c->metrics, c->n_metrics,
	    daemon_metrics_collect, d, d->conf_path, err, errlen);
}

void
daemon_metrics_stop(struct daemon *d)
{
	metrics_set_stop(&d->metrics);
}
