/*
 * xfrd.c - transfers out and NOTIFY out in the main thread; see xfrd.h.
 */
#include "xfrd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../lib/log.h"
#include "wire.h"

/* Messages generated per wakeup of one transfer: the loop turns between batches. */
#define XFRD_BATCH 4
/* After the transfer: how long the client gets to close its side. */
#define XFRD_LINGER 5.0

struct xjournal {
	uint8_t apex[DNS_NAME_MAX];
	struct dns_journal *j;
};

struct xconn {
	struct xconn *prev, *next;
	struct dns_xfrd *xd;
	int fd;
	ev_io io;
	ev_timer timer;
	ev_timer deadline;          /* xfr-timeout: the whole transfer */
	struct dns_gen *gen;        /* held */
	struct dns_xfr_out out;
	uint8_t *pending;           /* the worker's unsent answers, first */
	size_t pend_off, pend_len;
	size_t off, len;            /* the message in buf being sent */
	bool ended;                 /* the stream is written whole */
	bool lingering;             /* shut down; reading until the client closes */
	char peer[INET6_ADDRSTRLEN + 8];
	char zone[DNS_NAME_STRLEN];
	double t0;
	size_t bytes;
	uint8_t buf[2 + DNS_TCP_MAX];
};

struct dns_xfrd {
	struct ev_loop *loop;
	struct dns_server *srv;
	struct xconn *conns;
	unsigned n_conns;
	struct xjournal *journals;
	size_t n_journals;
	struct dns_notify *notify;
	struct dns_xfrd_stats st;
	struct log_ratelimit rl;
	double timeout;             /* xfr-timeout, seconds */
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static struct dns_journal *
journal_of(void *ctx, const uint8_t *apex)
{
	struct dns_xfrd *xd = ctx;

	for (size_t i = 0; i < xd->n_journals; i++)
		if (dns_name_equal(xd->journals[i].apex, apex))
			return xd->journals[i].j;
	return NULL;
}

static void
peer_str(const struct sockaddr_storage *sa, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (sa->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, a,
		    sizeof(a));
		snprintf(out, len, "%s", a);
	} else if (sa->ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, a,
		    sizeof(a));
		snprintf(out, len, "%s", a);
	} else {
		snprintf(out, len, "?");
	}
}

static void
conn_free(struct xconn *c, bool done)
{
	struct dns_xfrd *xd = c->xd;

	ev_io_stop(xd->loop, &c->io);
	ev_timer_stop(xd->loop, &c->timer);
	ev_timer_stop(xd->loop, &c->deadline);
	if (!done) {
		/*
		 * Aborted: a reset, not a FIN after what the kernel still holds
		 * (megabytes a slow reader would otherwise drain at its pace).
		 */
		struct linger l = { .l_onoff = 1, .l_linger = 0 };
		(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	}
	close(c->fd);
	if (done) {
		xd->st.completed++;
		if (c->out.records > 1)
			log_info("transfer out: zone %s to %s: %s done, serial %u, %zu records in "
			    "%u messages, %zu bytes, %.1f ms", c->zone, c->peer,
			    dns_xfr_result_str(c->out.result), c->out.serial, c->out.records,
			    c->out.messages, c->bytes, now_ms() - c->t0);
	} else {
		xd->st.aborted++;
		log_warnx("transfer out: zone %s to %s: %s aborted after %zu records, %zu bytes",
		    c->zone, c->peer, dns_xfr_result_str(c->out.result), c->out.records,
		    c->bytes);
	}
	xd->st.records += c->out.records;
	xd->st.messages += c->out.messages;
	xd->st.bytes += c->bytes;
	dns_xfr_out_done(&c->out);
	dns_gen_release(c->gen);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		xd->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	xd->n_conns--;
	free(c->pending);
	free(c);
}

/* Send what is buffered; 1: all of it, 0: the socket is full, -1: error. */
static int
conn_send(struct xconn *c, const uint8_t *p, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t w = send(c->fd, p + *off, len - *off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		*off += (size_t)w;
		c->bytes += (size_t)w;
		/* Progress: the stall timer starts again. */
		ev_timer_again(c->xd->loop, &c->timer);
	}
	return 1;
}

static void
conn_linger(struct xconn *c)
{
	/* RFC 5936 4.1: we may close after the transfer; half-close first, so nothing is lost. */
	shutdown(c->fd, SHUT_WR);
	c->lingering = true;
	ev_timer_stop(c->xd->loop, &c->deadline);
	ev_io_stop(c->xd->loop, &c->io);
	ev_io_set(&c->io, c->fd, EV_READ);
	ev_io_start(c->xd->loop, &c->io);
	ev_timer_stop(c->xd->loop, &c->timer);
	ev_timer_set(&c->timer, XFRD_LINGER, 0.);
	ev_timer_start(c->xd->loop, &c->timer);
}

static void
conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct xconn *c = w->data;
	int rc;

	if (c->lingering) {
		uint8_t sink[4096];
		ssize_t r = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			conn_free(c, true);
		return;
	}
	if (c->pend_off < c->pend_len) {
		if ((rc = conn_send(c, c->pending, c->pend_len, &c->pend_off)) <= 0) {
			if (rc < 0)
				conn_free(c, false);
			return;
		}
	}
	for (int n = 0; n < XFRD_BATCH; n++) {
		if (c->off < c->len) {
			if ((rc = conn_send(c, c->buf, c->len, &c->off)) <= 0) {
				if (rc < 0)
					conn_free(c, false);
				return;
			}
		}
		if (c->ended) {
			conn_linger(c);
			return;
		}
		/* The next message, now that the socket took the last one (see the top). */
		size_t len = dns_xfr_out_next(&c->out, c->buf + 2, DNS_TCP_MAX,
		    (uint64_t)time(NULL));
		if (len == 0) {
			c->ended = true;
			conn_linger(c);
			return;
		}
		c->buf[0] = (uint8_t)(len >> 8);
		c->buf[1] = (uint8_t)len;
		c->off = 0;
		c->len = 2 + len;
	}
	/* Still writable: the next batch comes after the loop has seen to the rest. */
}

/*
 * xfr-timeout: a client that reads a byte now and then never stalls for
 * DNS_XFRD_STALL, yet holds one of the DNS_XFRD_MAX slots and, through
 * its generation, a whole version of every zone for as long as it likes
 * (a reload meanwhile keeps the old one alive): the transfer ends here.
 */
static void
conn_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct xconn *c = w->data;

	log_rl(&c->xd->rl, (int64_t)(ev_now(loop) * 1e6), LOG_LVL_WARN,
	    "transfer out: zone %s to %s: not done within xfr-timeout (%.3g s): closing", c->zone,
	    c->peer, c->xd->timeout);
	conn_free(c, false);
}

static void
conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct xconn *c = w->data;

	if (c->lingering) {
		conn_free(c, true);
		return;
	}
	conn_free(c, false);
}

void
dns_xfrd_handoff(void *ctx, struct dns_xfr_handoff *h)
{
	struct dns_xfrd *xd = ctx;
	struct xconn *c;
	char peer[INET6_ADDRSTRLEN + 8];

	peer_str(&h->peer, peer, sizeof(peer));
	if (xd->n_conns >= DNS_XFRD_MAX || (c = calloc(1, sizeof(*c))) == NULL) {
		xd->st.over_limit++;
		log_rl(&xd->rl, (int64_t)(ev_now(xd->loop) * 1e6), LOG_LVL_WARN,
		    "transfer out to %s: %u transfers running already, closing", peer,
		    xd->n_conns);
		close(h->fd);
		free(h);
		return;
	}
	c->xd = xd;
	c->fd = h->fd;
	c->t0 = now_ms();
	memcpy(c->peer, peer, sizeof(c->peer));
	if (h->pending_len > 0 && (c->pending = malloc(h->pending_len)) != NULL) {
		memcpy(c->pending, h->pending, h->pending_len);
		c->pend_len = h->pending_len;
	}
	c->gen = dns_server_gen_hold(xd->srv);
	if (dns_xfr_out_start(&c->out, c->gen->zones, c->gen->xfr, journal_of, xd, h->msg, h->len,
	    (const struct sockaddr *)&h->peer, false, (uint64_t)time(NULL)) != 0) {
		/* Nothing to answer (not a query): as the workers drop it. */
		dns_gen_release(c->gen);
		close(c->fd);
		free(c->pending);
		free(c);
		free(h);
		return;
	}
	free(h);
	if (c->gen->aconf.max_udp != 0)
		c->out.edns_size = c->gen->aconf.max_udp;
	xd->st.result[c->out.result]++;
	if (c->out.qname[0] != 0 || c->out.qtype != 0)
		dns_name_to_text(c->out.qname, c->zone);
	else
		snprintf(c->zone, sizeof(c->zone), "?");
	switch (c->out.result) {
	case DNS_XFR_AXFR:
	case DNS_XFR_IXFR:
	case DNS_XFR_IXFR_AXFR:
		if (c->out.result == DNS_XFR_AXFR)
			log_info("transfer out: zone %s to %s: AXFR, serial %u%s", c->zone, peer,
			    c->out.serial, c->out.tsig ? ", TSIG" : "");
		else
			log_info("transfer out: zone %s to %s: %s from serial %u to %u%s", c->zone,
			    peer, dns_xfr_result_str(c->out.result), c->out.client_serial,
			    c->out.serial, c->out.tsig ? ", TSIG" : "");
		break;
	case DNS_XFR_REFUSED:
	case DNS_XFR_NOTAUTH:
	case DNS_XFR_TSIG:
	case DNS_XFR_FORMERR:
		log_rl(&xd->rl, (int64_t)(ev_now(xd->loop) * 1e6), LOG_LVL_NOTICE,
		    "transfer out: zone %s to %s: %s%s%s", c->zone, peer,
		    dns_xfr_result_str(c->out.result), c->out.result == DNS_XFR_TSIG ? " " : "",
		    c->out.result == DNS_XFR_TSIG ? dns_tsig_status_str(
		    c->out.tsig_error == DNS_TSIG_ERR_BADKEY ? DNS_TSIG_BADKEY :
		    c->out.tsig_error == DNS_TSIG_ERR_BADTIME ? DNS_TSIG_BADTIME : DNS_TSIG_BADSIG) :
		    "");
		break;
	default:
		break;
	}
	c->next = xd->conns;
	if (xd->conns != NULL)
		xd->conns->prev = c;
	xd->conns = c;
	xd->n_conns++;
	ev_io_init(&c->io, conn_io_cb, c->fd, EV_WRITE);
	c->io.data = c;
	ev_io_start(xd->loop, &c->io);
	ev_init(&c->timer, conn_timer_cb);
	c->timer.repeat = DNS_XFRD_STALL;
	c->timer.data = c;
	ev_timer_again(xd->loop, &c->timer);
	ev_timer_init(&c->deadline, conn_deadline_cb, xd->timeout, 0.);
	c->deadline.data = c;
	ev_timer_start(xd->loop, &c->deadline);
}

void
dns_xfrd_reconf(struct dns_xfrd *xd, const struct dnsconf *conf)
{
	xd->timeout = conf->xfr_timeout_ms > 0 ? conf->xfr_timeout_ms / 1e3 : 600.;
}

static struct dns_journal *
journal_get(struct dns_xfrd *xd, const uint8_t *apex)
{
	struct dns_journal *j = journal_of(xd, apex);
	struct xjournal *n;

	if (j != NULL)
		return j;
	if ((j = dns_journal_new(DNS_XFRD_JOURNAL_MAX)) == NULL)
		return NULL;
	if ((n = realloc(xd->journals, (xd->n_journals + 1) * sizeof(*n))) == NULL) {
		dns_journal_free(j);
		return NULL;
	}
	xd->journals = n;
	memset(&n[xd->n_journals], 0, sizeof(*n));
	memcpy(n[xd->n_journals].apex, apex, (size_t)dns_name_wire_len(apex, DNS_NAME_MAX));
	n[xd->n_journals].j = j;
	xd->n_journals++;
	return j;
}

static const struct dns_zone *
zone_exact(const struct dns_gen *gen, const uint8_t *apex)
{
	const struct dns_zone *z = gen != NULL ? dns_zoneset_find(gen->zones, apex) : NULL;

	return z != NULL && dns_name_equal(dns_zone_apex(z), apex) ? z : NULL;
}

void
dns_xfrd_published(struct dns_xfrd *xd, const struct dns_gen *old, const struct dns_gen *new)
{
	char text[DNS_NAME_STRLEN];

	for (size_t i = 0; i < dns_zoneset_count(new->zones); i++) {
		const struct dns_zone *z = dns_zoneset_get(new->zones, i);
		const uint8_t *apex = dns_zone_apex(z);
		const struct dns_zone *oz = zone_exact(old, apex);
		const struct dns_xfr_zone *pz = dns_xfr_policy_zone(new->xfr, apex);
		uint32_t sn = 0, so = 0;
		bool have_old = oz != NULL && dns_zone_serial(oz, &so);

		if (!dns_zone_serial(z, &sn))
			continue;
		/*
		 * The same serial: nothing to record or tell.  A zone shared by
		 * both generations is the same version; one loaded again is
		 * compared, for a zone that may be transferred, since records
		 * changed under an old serial would make the journal's chains
		 * lead to a version that is no longer served.
		 */
		if (have_old && so == sn) {
			struct dns_journal *j;
			struct dns_diff *d = NULL;
			if (oz == z || pz == NULL || pz->n_acl == 0)
				continue;
			if (dns_diff_compute(oz, z, &d) == DNS_DIFF_SERIAL) {
				log_warnx("zone %s: records changed but the serial is still %u: "
				    "secondaries at that serial will not see the change; the journal "
				    "starts again", dns_name_to_text(apex, text), sn);
				if ((j = journal_of(xd, apex)) != NULL && dns_journal_count(j) > 0) {
					xd->st.journal_resets++;
					dns_journal_clear(j);
				}
			}
			dns_diff_unref(d);
			continue;
		}
		dns_name_to_text(apex, text);
		if (pz != NULL && pz->n_acl > 0) {
			struct dns_journal *j = journal_get(xd, apex);
			struct dns_diff *d = NULL;
			int rc = have_old ? dns_diff_compute(oz, z, &d) : DNS_DIFF_APEX;
			if (j != NULL && rc == DNS_DIFF_OK) {
				dns_journal_add(j, d);
				xd->st.diffs++;
				log_info("zone %s: serial %u -> %u, %zu records deleted, %zu added "
				    "(journal: %zu differences, %zu bytes)", text, so, sn,
				    d->n_del - 1, d->n_add - 1, dns_journal_count(j),
				    dns_journal_bytes(j));
			} else if (j != NULL) {
				if (dns_journal_count(j) > 0)
					xd->st.journal_resets++;
				dns_journal_clear(j);
				dns_diff_unref(d);
				if (have_old)
					log_warnx("zone %s: serial %u -> %u: %s; IXFR clients get the "
					    "whole zone", text, so, sn, dns_diff_strerror(rc));
			}
		}
		if (pz != NULL && pz->n_notify > 0)
			dns_notify_zone(xd->notify, z, pz, new->xfr->keys, new->xfr->n_keys);
	}
	/* Journals of zones that are gone, or that nobody may transfer any more. */
	for (size_t i = 0; i < xd->n_journals;) {
		const struct dns_xfr_zone *pz = dns_xfr_policy_zone(new->xfr, xd->journals[i].apex);
		if (zone_exact(new, xd->journals[i].apex) != NULL && pz != NULL && pz->n_acl > 0) {
			i++;
			continue;
		}
		dns_journal_free(xd->journals[i].j);
		xd->journals[i] = xd->journals[--xd->n_journals];
	}
}

struct dns_xfrd *
dns_xfrd_new(struct ev_loop *loop, struct dns_server *srv, const struct dnsconf *conf)
{
	struct dns_xfrd *xd = calloc(1, sizeof(*xd));
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	bool h4 = false, h6 = false;

	if (xd == NULL)
		return NULL;
	for (size_t i = 0; i < conf->n_listen; i++) {
		const struct dnsconf_listen *l = &conf->listen[i];
		if (l->wildcard)
			continue;
		if (l->family == AF_INET && !h4) {
			s4.sin_addr = l->addr.v4;
			h4 = true;
		} else if (l->family == AF_INET6 && !h6) {
			s6.sin6_addr = l->addr.v6;
			h6 = true;
		}
	}
	xd->loop = loop;
	xd->srv = srv;
	xd->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(10);
	dns_xfrd_reconf(xd, conf);
	if ((xd->notify = dns_notify_new(loop, h4 ? &s4 : NULL, h6 ? &s6 : NULL)) == NULL) {
		free(xd);
		return NULL;
	}
	return xd;
}

void
dns_xfrd_stats(const struct dns_xfrd *xd, struct dns_xfrd_stats *st)
{
	*st = xd->st;
	st->active = xd->n_conns;
	dns_notify_get_stats(xd->notify, &st->notify);
}

void
dns_xfrd_free(struct dns_xfrd *xd)
{
	if (xd == NULL)
		return;
	while (xd->conns != NULL)
		conn_free(xd->conns, false);
	for (size_t i = 0; i < xd->n_journals; i++)
		dns_journal_free(xd->journals[i].j);
	free(xd->journals);
	dns_notify_free(xd->notify);
	free(xd);
}
