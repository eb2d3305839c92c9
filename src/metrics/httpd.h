/*
 * httpd.h - the metrics listener of riposted and riposte-dns: Prometheus
 * scrapes GET /metrics over HTTP (libmicrohttpd), served from the daemon's
 * own libev loop.
 *
 * libmicrohttpd runs without threads of its own (MHD_USE_EPOLL, no
 * internal polling thread): its epoll descriptor is watched by an ev_io,
 * MHD_run() is called when it is readable, and an ev_timer follows
 * MHD_get_timeout() for the connection timeouts.  So the page is written
 * by the collect callback on the loop's thread, the thread that owns what
 * it reads, without locks; and every socket is non-blocking, so a slow or
 * stuck scraper costs a connection slot (METRICS_MAX_CONNS, closed after
 * METRICS_TIMEOUT_S idle), never the loop.
 *
 *	GET or HEAD /metrics	200, the page (OpenMetrics when Accept asks)
 *	another path		404
 *	another method		405, with "Allow: GET, HEAD"
 */
#ifndef RIPOSTE_METRICS_HTTPD_H
#define RIPOSTE_METRICS_HTTPD_H

#include <stdint.h>

#include "lib/prom.h"

#define METRICS_PORT_RIPOSTED 9475
#define METRICS_PORT_DNS 9476
#define METRICS_MAX_CONNS 16
#define METRICS_MAX_CONNS_PER_IP 4
#define METRICS_TIMEOUT_S 10

struct ev_loop;
struct metrics_httpd;

/* Write the page: the families of the daemon, then nothing else (prom_end is the caller's). */
typedef void metrics_collect_fn(void *ctx, struct prom_w *w);

/* Listen on l and serve; NULL on an error (logged, with the address). */
struct metrics_httpd *metrics_httpd_start(struct ev_loop *loop, const struct prom_listen *l,
    metrics_collect_fn *collect, void *ctx);
void	metrics_httpd_stop(struct metrics_httpd *h);
/* Pages served (200) so far. */
uint64_t metrics_httpd_scrapes(const struct metrics_httpd *h);

/* A daemon's listeners: those of its `metrics listen` lines. */
struct metrics_set {
	struct metrics_httpd *h[PROM_LISTEN_MAX];	/* NULL: free */
	struct prom_listen at[PROM_LISTEN_MAX];
};
/*
 * Make s listen on l[0..n): the new addresses are opened first, so a
 * reload whose new address cannot be bound fails whole and changes
 * nothing; then those no longer in l are closed.  0, or -1 with
 * "conf:line: message" in err.
 */
int	metrics_set_apply(struct metrics_set *s, struct ev_loop *loop, const struct prom_listen *l,
	    size_t n, metrics_collect_fn *collect, void *ctx, const char *conf, char *err,
	    size_t errlen);
void	metrics_set_stop(struct metrics_set *s);
uint64_t metrics_set_scrapes(const struct metrics_set *s);

#endif
