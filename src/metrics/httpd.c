/*
 * httpd.c - the metrics listener (httpd.h): libmicrohttpd driven by libev.
 */
#include "httpd.h"

#include <errno.h>
#include <stdbool.h>
#include <ev.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"

/* enum MHD_Result since 0.9.71; Debian 12 has 0.9.75. */
#if MHD_VERSION < 0x00097100
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

struct metrics_httpd {
	struct ev_loop *loop;
	struct MHD_Daemon *mhd;
	ev_io io;		/* MHD's epoll descriptor */
	ev_timer timer;		/* MHD_get_timeout() */
	metrics_collect_fn *collect;
	void *ctx;
	char name[PROM_LISTEN_STRLEN];
	bool starting;		/* MHD's messages are warnings (why the bind failed) */
	uint64_t scrapes, refused;
};

static void
metrics_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct metrics_httpd *h = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	/*
	 * Once running, what libmicrohttpd reports is about its clients (a
	 * scraper that hung up, the connection limit): anyone who can connect
	 * could fill the log with it, so it is debugging only.
	 */
	log_msg(h->starting ? LOG_LVL_WARN : LOG_LVL_DEBUG, "metrics %s: %s", h->name, msg);
}

static mhd_result
metrics_reply(struct MHD_Connection *conn, unsigned status, const char *type, char *body,
    size_t len)
{
	struct MHD_Response *r;
	mhd_result rc;

	r = MHD_create_response_from_buffer(len, body, body != NULL ? MHD_RESPMEM_MUST_FREE :
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	if (type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static mhd_result
metrics_text(struct metrics_httpd *h, struct MHD_Connection *conn, unsigned status,
    const char *text)
{
	char *body = strdup(text);

	h->refused++;
	if (body == NULL)
		return MHD_NO;
	return metrics_reply(conn, status, "text/plain; charset=utf-8", body, strlen(body));
}

static mhd_result
metrics_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct metrics_httpd *h = cls;
	struct prom_w w;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	bool om;

	/* A body is not read: the answer does not depend on it. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return metrics_text(h, conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed\n");
	if (strcmp(url, "/metrics") != 0)
		return metrics_text(h, conn, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
	om = prom_accepts_openmetrics(MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT));
	if ((f = open_memstream(&buf, &len)) == NULL)
		return metrics_text(h, conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	prom_init(&w, f, om);
	h->scrapes++;
	h->collect(h->ctx, &w);
	int rc = prom_end(&w);
	if (fclose(f) != 0 || rc != 0 || buf == NULL) {
		free(buf);
		h->scrapes--;
		log_warnx("metrics %s: the page could not be written whole", h->name);
		return metrics_text(h, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "the page could not be written\n");
	}
	return metrics_reply(conn, MHD_HTTP_OK, om ? PROM_OM_CONTENT_TYPE : PROM_CONTENT_TYPE,
	    buf, len);
}

/* After every MHD_run(): when it wants to be called again without I/O. */
static void
metrics_rearm(struct metrics_httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	ev_timer_stop(h->loop, &h->timer);
	if (MHD_get_timeout(h->mhd, &ms) == MHD_YES) {
		ev_timer_set(&h->timer, (double)ms / 1e3, 0.);
		ev_timer_start(h->loop, &h->timer);
	}
}

static void
metrics_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct metrics_httpd *h = w->data;

	MHD_run(h->mhd);
	metrics_rearm(h);
}

static void
metrics_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct metrics_httpd *h = w->data;

	MHD_run(h->mhd);
	metrics_rearm(h);
}

struct metrics_httpd *
metrics_httpd_start(struct ev_loop *loop, const struct prom_listen *l,
    metrics_collect_fn *collect, void *ctx)
{
	struct metrics_httpd *h = calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;

	if (h == NULL) {
		log_warn("metrics listener");
		return NULL;
	}
	h->loop = loop;
	h->collect = collect;
	h->ctx = ctx;
	prom_listen_str(l, h->name);
	h->starting = true;
	if (l->sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* The port is in the address; MHD's own port argument is then ignored. */
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, metrics_access, h,
	    MHD_OPTION_EXTERNAL_LOGGER, metrics_mhd_log, h,
	    MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&l->sa,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNS,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)METRICS_MAX_CONNS_PER_IP,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)METRICS_MAX_CONNS,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		log_warnx("metrics listen %s: cannot listen (in use, or not an address of this "
		    "host?)", h->name);
		free(h);
		return NULL;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL || info->epoll_fd < 0) {
		log_warnx("metrics listen %s: libmicrohttpd has no epoll descriptor", h->name);
		MHD_stop_daemon(h->mhd);
		free(h);
		return NULL;
	}
	h->starting = false;
	ev_io_init(&h->io, metrics_io_cb, info->epoll_fd, EV_READ);
	h->io.data = h;
	ev_io_start(loop, &h->io);
	ev_timer_init(&h->timer, metrics_timer_cb, 0., 0.);
	h->timer.data = h;
	metrics_rearm(h);
	return h;
}

void
metrics_httpd_stop(struct metrics_httpd *h)
{
	if (h == NULL)
		return;
	ev_io_stop(h->loop, &h->io);
	ev_timer_stop(h->loop, &h->timer);
	MHD_stop_daemon(h->mhd);
	free(h);
}

uint64_t
metrics_httpd_scrapes(const struct metrics_httpd *h)
{
	return h != NULL ? h->scrapes : 0;
}

static int
metrics_set_find(const struct metrics_set *s, const struct prom_listen *l)
{
	for (int i = 0; i < PROM_LISTEN_MAX; i++)
		if (s->h[i] != NULL && prom_listen_equal(&s->at[i], l))
			return i;
	return -1;
}

int
metrics_set_apply(struct metrics_set *s, struct ev_loop *loop, const struct prom_listen *l,
    size_t n, metrics_collect_fn *collect, void *ctx, const char *conf, char *err,
    size_t errlen)
{
	struct metrics_httpd *opened[PROM_LISTEN_MAX] = { NULL };
	bool keep[PROM_LISTEN_MAX] = { false };
	char a[PROM_LISTEN_STRLEN];

	if (n > PROM_LISTEN_MAX)
		n = PROM_LISTEN_MAX;
	for (size_t i = 0; i < n; i++) {
		int k = metrics_set_find(s, &l[i]);
		if (k >= 0) {
			keep[k] = true;
			continue;
		}
		if ((opened[i] = metrics_httpd_start(loop, &l[i], collect, ctx)) == NULL) {
			for (size_t j = 0; j < i; j++)
				metrics_httpd_stop(opened[j]);
			snprintf(err, errlen, "%s:%u: metrics listen %s: cannot listen there", conf,
			    l[i].line, prom_listen_str(&l[i], a));
			return -1;
		}
	}
	for (int k = 0; k < PROM_LISTEN_MAX; k++)
		if (s->h[k] != NULL && !keep[k]) {
			log_info("metrics: no longer serving on %s", prom_listen_str(&s->at[k], a));
			metrics_httpd_stop(s->h[k]);
			s->h[k] = NULL;
		}
	for (size_t i = 0; i < n; i++) {
		if (opened[i] == NULL)
			continue;
		for (int k = 0; k < PROM_LISTEN_MAX; k++)
			if (s->h[k] == NULL) {
				s->h[k] = opened[i];
				s->at[k] = l[i];
				break;
			}
		char url[PROM_URL_STRLEN];
		log_info("metrics: serving Prometheus on %s", prom_listen_url(&l[i], url));
	}
	return 0;
}

void
metrics_set_stop(struct metrics_set *s)
{
	for (int k = 0; k < PROM_LISTEN_MAX; k++) {
		metrics_httpd_stop(s->h[k]);
		s->h[k] = NULL;
	}
}

uint64_t
metrics_set_scrapes(const struct metrics_set *s)
{
	uint64_t n = 0;

	for (int k = 0; k < PROM_LISTEN_MAX; k++)
		n += metrics_httpd_scrapes(s->h[k]);
	return n;
}
