/*
 * notify.c - NOTIFY out (RFC 1996) from the main thread; see notify.h.
 *
 * One unconnected UDP socket per address family, opened at the first
 * NOTIFY to that family on an ephemeral port (no privilege needed, so a
 * reload after dropping root can add targets), read by the loop for the
 * replies.  Each (zone, target) exchange is an entry with its own timer.
 */
#include "notify.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../lib/log.h"
#include "conf.h"
#include "wire.h"

#define NOTIFY_MSG_MAX 2048 /* a SOA of two 255-byte names and a TSIG fit */

struct nentry {
	struct nentry *prev, *next;
	struct dns_notify *n;
	uint8_t apex[DNS_NAME_MAX];
	uint32_t serial;
	struct sockaddr_storage sa;
	socklen_t salen;
	bool keyed;
	struct dns_tsig_key key;
	struct dns_tsig_ctx tctx;
	uint16_t id;
	unsigned tries;
	double interval;
	ev_timer timer;
	size_t len;
	uint8_t msg[NOTIFY_MSG_MAX];
};

struct dns_notify {
	struct ev_loop *loop;
	int fd4, fd6;
	bool has4, has6;
	struct sockaddr_in src4;
	struct sockaddr_in6 src6;
	ev_io io4, io6;
	struct nentry *head;
	size_t n_pending;
	struct dns_notify_stats st;
	struct log_ratelimit rl;
};


static void
entry_free(struct nentry *e)
{
	struct dns_notify *n = e->n;

	ev_timer_stop(n->loop, &e->timer);
	if (e->prev != NULL)
		e->prev->next = e->next;
	else
		n->head = e->next;
	if (e->next != NULL)
		e->next->prev = e->prev;
	n->n_pending--;
	free(e);
}

static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
	return x->sin6_port == y->sin6_port &&
	    memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
}

static void notify_read_cb(struct ev_loop *loop, ev_io *w, int revents);

static int
notify_socket(struct dns_notify *n, int family)
{
	int *fd = family == AF_INET ? &n->fd4 : &n->fd6;
	ev_io *io = family == AF_INET ? &n->io4 : &n->io6;

	if (*fd >= 0)
		return *fd;
	if ((*fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	if ((family == AF_INET && n->has4 &&
	    bind(*fd, (const struct sockaddr *)&n->src4, sizeof(n->src4)) != 0) ||
	    (family == AF_INET6 && n->has6 &&
	    bind(*fd, (const struct sockaddr *)&n->src6, sizeof(n->src6)) != 0)) {
		/* The address may be gone (IP_FREEBIND listening): the kernel's choice then. */
		log_warn("NOTIFY: cannot send from our listen address; the route picks one");
	}
	ev_io_init(io, notify_read_cb, *fd, EV_READ);
	io->data = n;
	ev_io_start(n->loop, io);
	return *fd;
}

static void
entry_send(struct nentry *e)
{
	struct dns_notify *n = e->n;
	uint8_t buf[NOTIFY_MSG_MAX];
	size_t len = e->len;
	char who[DNSCONF_LISTEN_STRLEN];
	int fd = notify_socket(n, e->sa.ss_family);

	memcpy(buf, e->msg, len);
	if (e->keyed) {
		/* Each send is its own exchange: the reply's MAC covers this request's. */
		dns_tsig_ctx_init(&e->tctx, &e->key);
		if (dns_tsig_sign_query(&e->tctx, buf, &len, sizeof(buf),
		    (uint64_t)time(NULL)) != 0)
			len = 0;
	}
	if (fd < 0 || len == 0 ||
	    sendto(fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)&e->sa, e->salen) < 0) {
		n->st.send_errors++;
		dnsconf_sockaddr_str(&e->sa, who);
		log_rl(&n->rl, (int64_t)(ev_now(n->loop) * 1e6), LOG_LVL_WARN,
		    "NOTIFY to %s: cannot send: %s", who, len == 0 ? "cannot sign" :
		    strerror(errno));
	} else {
		n->st.sent++;
	}
	e->tries++;
}

static void
notify_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct nentry *e = w->data;
	char who[DNSCONF_LISTEN_STRLEN], zone[DNS_NAME_STRLEN];

	if (e->tries >= DNS_NOTIFY_TRIES) {
		e->n->st.unanswered++;
		dnsconf_sockaddr_str(&e->sa, who);
		log_warnx("NOTIFY for zone %s serial %u to %s: no reply after %u tries, giving up",
		    dns_name_to_text(e->apex, zone), e->serial, who, e->tries);
		entry_free(e);
		return;
	}
	/* RFC 1996 3.6: retransmit, the interval growing. */
	e->n->st.retransmits++;
	entry_send(e);
	e->interval *= 2;
	ev_timer_set(&e->timer, e->interval, 0.);
	ev_timer_start(loop, &e->timer);
}

static void
notify_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dns_notify *n = w->data;
	uint8_t buf[4096];

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t r = recvfrom(w->fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &flen);
		if (r < 0)
			return;
		if ((size_t)r < DNS_HDR_LEN)
			continue;
		uint16_t id = (uint16_t)(buf[0] << 8 | buf[1]);
		for (struct nentry *e = n->head; e != NULL; e = e->next) {
			char who[DNSCONF_LISTEN_STRLEN], zone[DNS_NAME_STRLEN];
			int rcode;
			if (e->id != id || !same_addr(&e->sa, (struct sockaddr *)&from))
				continue;
			if ((rcode = dns_xfr_notify_reply(buf, (size_t)r, id, e->apex)) < 0)
				break;
			dnsconf_sockaddr_str(&e->sa, who);
			dns_name_to_text(e->apex, zone);
			if (e->keyed) {
				int st = dns_tsig_verify_reply(&e->tctx, buf, (size_t)r,
				    (uint64_t)time(NULL));
				if (st != DNS_TSIG_OK && rcode == DNS_RCODE_NOERROR) {
					/* Not proof that the target has it: keep sending. */
					log_rl(&n->rl, (int64_t)(ev_now(loop) * 1e6), LOG_LVL_WARN,
					    "NOTIFY for zone %s to %s: reply's TSIG: %s", zone, who,
					    dns_tsig_status_str(st));
					break;
				}
			}
			if (rcode == DNS_RCODE_NOERROR) {
				n->st.acked++;
				log_info("NOTIFY for zone %s serial %u: %s acknowledged", zone,
				    e->serial, who);
			} else {
				n->st.rejected++;
				log_warnx("NOTIFY for zone %s serial %u: %s answered rcode %d", zone,
				    e->serial, who, rcode);
			}
			entry_free(e);
			break;
		}
	}
}

struct dns_notify *
dns_notify_new(struct ev_loop *loop, const struct sockaddr_in *src4,
    const struct sockaddr_in6 *src6)
{
	struct dns_notify *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	if (src4 != NULL) {
		n->src4 = *src4;
		n->src4.sin_port = 0;
		n->has4 = true;
	}
	if (src6 != NULL) {
		n->src6 = *src6;
		n->src6.sin6_port = 0;
		n->has6 = true;
	}
	n->loop = loop;
	n->fd4 = n->fd6 = -1;
	n->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(5);
	return n;
}

void
dns_notify_zone(struct dns_notify *n, const struct dns_zone *zone,
    const struct dns_xfr_zone *pz, const struct dns_tsig_key *keys, size_t n_keys)
{
	uint32_t serial;
	char text[DNS_NAME_STRLEN];

	if (pz == NULL || !dns_zone_serial(zone, &serial))
		return;
	for (size_t i = 0; i < pz->n_notify; i++) {
		const struct dns_xfr_target *t = &pz->notify[i];
		struct nentry *e;
		/* A newer serial replaces what still waits for this target. */
		for (e = n->head; e != NULL; e = e->next)
			if (dns_name_equal(e->apex, dns_zone_apex(zone)) &&
			    same_addr(&e->sa, (const struct sockaddr *)&t->sa))
				break;
		if (e != NULL)
			entry_free(e);
		if ((e = calloc(1, sizeof(*e))) == NULL)
			continue;
		e->n = n;
		memcpy(e->apex, dns_zone_apex(zone), (size_t)dns_name_wire_len(dns_zone_apex(zone),
		    DNS_NAME_MAX));
		e->serial = serial;
		e->sa = t->sa;
		e->salen = t->salen;
		if (t->key >= 0 && (size_t)t->key < n_keys) {
			e->keyed = true;
			e->key = keys[t->key];
		}
		if (getrandom(&e->id, sizeof(e->id), 0) != (ssize_t)sizeof(e->id))
			e->id = (uint16_t)(uintptr_t)e;
		if ((e->len = dns_xfr_notify_build(e->msg, sizeof(e->msg), e->id, zone)) == 0) {
			log_warnx("NOTIFY for zone %s: the message does not fit",
			    dns_name_to_text(dns_zone_apex(zone), text));
			free(e);
			continue;
		}
		e->next = n->head;
		if (n->head != NULL)
			n->head->prev = e;
		n->head = e;
		n->n_pending++;
		ev_init(&e->timer, notify_timer_cb);
		e->timer.data = e;
		e->interval = DNS_NOTIFY_FIRST;
		entry_send(e);
		ev_timer_set(&e->timer, e->interval, 0.);
		ev_timer_start(n->loop, &e->timer);
	}
}

void
dns_notify_get_stats(const struct dns_notify *n, struct dns_notify_stats *st)
{
	*st = n->st;
}

size_t
dns_notify_pending(const struct dns_notify *n)
{
	return n->n_pending;
}

void
dns_notify_free(struct dns_notify *n)
{
	if (n == NULL)
		return;
	while (n->head != NULL)
		entry_free(n->head);
	if (n->fd4 >= 0) {
		ev_io_stop(n->loop, &n->io4);
		close(n->fd4);
	}
	if (n->fd6 >= 0) {
		ev_io_stop(n->loop, &n->io6);
		close(n->fd6);
	}
	free(n);
}
