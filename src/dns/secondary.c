/*
 * secondary.c - the secondary engine (secondary.h): refresh, retry and
 * expire per zone, SOA queries, IXFR and AXFR in, in the main thread's
 * libev loop.
 *
 * One exchange per zone at a time (struct sec_xchg): an SOA query over UDP
 * to a primary (RFC 1034 4.3.5), and when its serial is newer than ours
 * (RFC 1982), a transfer over TCP from the same primary: IXFR with our SOA
 * in the authority section (RFC 1995 3), AXFR when we have no data, when
 * the IXFR is refused (NOTIMP, REFUSED, FORMERR...), or when its reply is
 * unusable (a stream that does not parse or a zone that does not build).
 * A primary that does not answer, answers badly, or fails a transfer
 * passes the turn to the next one; when every primary failed, the zone
 * tries again after the SOA's retry.  Messages are length-prefixed (RFC
 * 1035 4.2.2) and every message of a signed exchange is checked (RFC 8945
 * 5.3.1) before xfr.c sees it.
 *
 * A UDP SOA answer with TC=1 is asked again over TCP (RFC 1035 4.2.2,
 * RFC 7766 5: a truncated answer is retried over TCP), through the same
 * connection code as the transfers.
 *
 * Limits (conf: xfr-max-records, xfr-max-size, xfr-timeout): we trust a
 * primary with our zone's contents, not with our memory or our time.  A
 * transfer that brings more records or bytes than allowed (xfr.c counts
 * them as they come) or does not end within xfr-timeout, however steadily
 * its bytes trickle in, is aborted: logged, counted (over_limit), the old
 * version kept, and the next primary or the retry timer goes on.  An
 * IXFR over xfr-max-records or xfr-max-size falls back to AXFR once (a
 * long chain of differences may be larger than the zone), which meets the
 * same limits; one over xfr-timeout passes the turn to the next primary.
 *
 * Timers: after a successful refresh (a transfer, or a primary that has
 * no newer serial) the next one is due after the SOA's refresh; after a
 * failed one, after its retry; the zone expires `expire` after the last
 * successful refresh (RFC 1035 3.3.13).  The kept copy's mtime is the
 * last successful refresh, so a restart knows how much of expire is left.
 * A NOTIFY (RFC 1996 4) starts a refresh at once; one that carries a
 * newer serial goes straight to the transfer; one that comes during an
 * exchange is remembered and served when it ends.
 */
#include "secondary.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/log.h"
#include "load.h"
#include "server.h"
#include "wire.h"
#include "xfr.h"

/* Seconds an SOA query waits for its answer before the next primary is asked. */
#define SEC_SOA_TIMEOUT 2.0
/* Seconds to connect, and without a byte moving during a transfer. */
#define SEC_CONNECT_TIMEOUT 5.0
#define SEC_IDLE_TIMEOUT 15.0
/* With no data yet there is no SOA retry: try again this often (seconds). */
#define SEC_NODATA_RETRY 5.0
/* The smallest timer we use, whatever an SOA says (seconds). */
#define SEC_TIMER_MIN 1.0
#define SEC_MSG_MAX 65535
/*
 * NOTIFY-started refreshes of one zone: a token bucket, this many at once
 * and then this many a second.  An unsigned NOTIFY's source address is
 * easy to forge, and a flood of them must not become a flood of SOA
 * queries and transfers at the primary; a burst of real changes (an
 * operator's edits in a row) still goes at once.
 */
#define SEC_NOTIFY_BURST 5.0
#define SEC_NOTIFY_RATE 5.0

enum sx_step { SX_SOA, SX_CONNECT, SX_SEND, SX_READ };

struct sec_zone;

/* One exchange with one primary at a time. */
struct sec_xchg {
	struct sec_zone *z;
	size_t primary;          /* the one asked now */
	enum sx_step step;
	uint16_t qtype;          /* SOA, IXFR or AXFR */
	uint16_t id;
	bool axfr_only;          /* IXFR failed with this primary: AXFR next */
	bool notified;           /* straight to the transfer (NOTIFY with a newer serial) */
	int fd;
	ev_io io;
	ev_timer timer;
	ev_timer deadline;       /* xfr-timeout: the TCP exchange must end within it */
	struct dns_tsig_ctx tsig;
	bool keyed;
	struct dns_xfr *xfr;
	uint8_t out[2 + 1024 + DNS_TSIG_RR_MAX];
	size_t out_len, out_off;
	uint8_t *in;             /* 2 + SEC_MSG_MAX */
	size_t in_len;
	double t0;               /* ev_now() when the transfer started */
	size_t bytes;
};

struct sec_zone {
	struct dns_secondary *sec;
	char *name;              /* the statement's name */
	uint8_t apex[DNS_NAME_MAX];
	char *path;              /* the kept copy */
	struct dns_sec_primary *primaries;
	size_t n_primaries;
	struct dns_zone *data;   /* our reference to the last good version; NULL: none */
	uint32_t serial;
	uint32_t refresh, retry, expire; /* from data's SOA (seconds) */
	time_t last_ok;          /* wall clock of the last successful refresh; 0: never */
	double last_ok_mono;     /* the same on ev_now()'s clock */
	bool expired;            /* published unavailable */
	bool have_primary_serial;
	uint32_t primary_serial;
	ev_timer refresh_t;      /* the next refresh (or retry) */
	ev_timer expire_t;
	struct sec_xchg *x;      /* NULL: idle */
	bool pending;            /* a NOTIFY came during the exchange */
	/*
	 * The primaries changed (reload): their version replaces ours by
	 * AXFR whatever its serial (another primary may number differently);
	 * ours is served until then.
	 */
	bool resync;
	uint64_t transfers, failures, ixfr, axfr, up_to_date, soa_queries;
	uint64_t over_limit, soa_tcp;
	uint64_t notify_rx, notify_refused;
	double notify_log;       /* ev_now() of the last refused-NOTIFY line */
	double notify_ok_log;    /* ... of the last "we have it" line */
	double ntokens, ntok_t;  /* the NOTIFY bucket, and when it was filled */
	bool ndeferred;          /* a NOTIFY-started refresh waits for a token */
	char last_error[256];
	const char *last_kind;
	double last_ms;
	size_t last_records;
};

struct dns_secondary {
	struct ev_loop *loop;
	struct dns_secondary_ops ops;
	size_t max_records;      /* xfr-max-records, 0: none */
	uint64_t max_size;       /* xfr-max-size, 0: none */
	double timeout;          /* xfr-timeout, seconds */
	struct sec_zone **zones;
	size_t n;
};

static void refresh_begin(struct sec_zone *z, size_t primary, bool straight);
static void xchg_next(struct sec_xchg *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));


static uint16_t
random_id(void)
{
	uint16_t id = 0;

	/* RFC 5452 4.3: an unpredictable id; getrandom() on 2 bytes does not fail short. */
	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint16_t)(ev_time() * 1e6);
	return id;
}

/* Refresh, retry and expire of the data's SOA (RFC 1035 3.3.13). */
static void
zone_timers(struct sec_zone *z)
{
	const struct dns_rrset *soa = z->data != NULL ? dns_zone_soa(z->data) : NULL;
	uint32_t t[4];
	size_t len;

	z->refresh = 3600;
	z->retry = 600;
	z->expire = 1209600;
	if (soa == NULL || soa->rdata_len < 2)
		return;
	len = (size_t)soa->rdata[0] << 8 | soa->rdata[1];
	if (len > soa->rdata_len - 2 || !dns_soa_rdata_timers(soa->rdata + 2, len, t))
		return;
	z->refresh = t[0];
	z->retry = t[1];
	z->expire = t[2];
}

static double
at_least(double s)
{
	return s < SEC_TIMER_MIN ? SEC_TIMER_MIN : s;
}

static void
schedule(struct sec_zone *z, double after)
{
	ev_timer_stop(z->sec->loop, &z->refresh_t);
	ev_timer_set(&z->refresh_t, at_least(after), 0.);
	ev_timer_start(z->sec->loop, &z->refresh_t);
}

/* Expiry counts from the last successful refresh. */
static void
schedule_expire(struct sec_zone *z)
{
	struct ev_loop *loop = z->sec->loop;
	double left;

	ev_timer_stop(loop, &z->expire_t);
	if (z->data == NULL || z->last_ok == 0)
		return;
	left = z->last_ok_mono + (double)z->expire - ev_now(loop);
	ev_timer_set(&z->expire_t, left > 0 ? left : 0., 0.);
	ev_timer_start(loop, &z->expire_t);
}

static void
publish(struct sec_zone *z, struct dns_zone *zone, time_t loaded)
{
	struct dns_secondary *sec = z->sec;

	if (sec->ops.publish(sec->ops.ctx, z->name, zone, loaded, z->last_error) != 0)
		log_warnx("zone %s: out of memory: the new version is not served", z->name);
}

static void
expire_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sec_zone *z = w->data;
	struct dns_zone *u;

	if (z->expired || z->data == NULL)
		return;
	log_warnx("zone %s: expired: no successful refresh for %u s (SOA expire; last "
	    "error: %s): answering SERVFAIL until a primary answers", z->name, z->expire,
	    z->last_error[0] != '\0' ? z->last_error : "none");
	if ((u = dns_zone_new_unavailable(z->apex)) == NULL) {
		log_warnx("zone %s: out of memory: still serving the expired data", z->name);
		return;
	}
	z->expired = true;
	publish(z, u, 0);
}

static void
refresh_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	refresh_begin(w->data, 0, false);
}

/* The refresh succeeded (transfer done, or nothing newer): the timers start over. */
static void
refresh_ok(struct sec_zone *z)
{
	z->last_ok = time(NULL);
	z->last_ok_mono = ev_now(z->sec->loop);
	z->last_error[0] = '\0';
	/* The copy's mtime says when (a restart reads it); a copy not written yet has none. */
	if (z->data != NULL && utimensat(AT_FDCWD, z->path, NULL, 0) != 0 && errno != ENOENT)
		log_warnx("zone %s: %s: cannot record the refresh time: %s", z->name, z->path,
		    strerror(errno));
	if (z->expired && z->data != NULL) {
		log_info("zone %s: serving serial %u again", z->name, z->serial);
		z->expired = false;
		publish(z, dns_zone_ref(z->data), z->last_ok);
	}
	schedule(z, z->refresh);
	schedule_expire(z);
}

/* ------------------------------------------------------------ exchanges */

static void
xchg_close(struct sec_xchg *x)
{
	struct ev_loop *loop = x->z->sec->loop;

	ev_io_stop(loop, &x->io);
	ev_timer_stop(loop, &x->timer);
	ev_timer_stop(loop, &x->deadline);
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	dns_xfr_free(x->xfr);
	x->xfr = NULL;
}

static void
xchg_free(struct sec_xchg *x)
{
	xchg_close(x);
	explicit_bzero(&x->tsig, sizeof(x->tsig));
	free(x->in);
	free(x);
}

/*
 * A refresh a NOTIFY asked for: now when the bucket has a token, else
 * when it will have one (the refresh timer; later NOTIFYs until then add
 * nothing).
 */
static void
notify_refresh(struct sec_zone *z, size_t primary, bool straight)
{
	struct ev_loop *loop = z->sec->loop;
	double now = ev_now(loop);

	if (z->ndeferred)
		return;
	z->ntokens += (now - z->ntok_t) * SEC_NOTIFY_RATE;
	if (z->ntokens > SEC_NOTIFY_BURST)
		z->ntokens = SEC_NOTIFY_BURST;
	z->ntok_t = now;
	z->ntokens -= 1.0;
	if (z->ntokens >= 0) {
		refresh_begin(z, primary, straight);
		return;
	}
	z->ndeferred = true;
	ev_timer_stop(loop, &z->refresh_t);
	ev_timer_set(&z->refresh_t, -z->ntokens / SEC_NOTIFY_RATE, 0.);
	ev_timer_start(loop, &z->refresh_t);
}

/* The exchange is over (done or every primary failed): a NOTIFY in between goes now. */
static void
xchg_end(struct sec_xchg *x)
{
	struct sec_zone *z = x->z;

	z->x = NULL;
	xchg_free(x);
	if (z->pending) {
		z->pending = false;
		notify_refresh(z, 0, false);
	}
}

static void soa_begin(struct sec_xchg *x);
static void xfr_begin(struct sec_xchg *x);
static void tcp_begin(struct sec_xchg *x);

/* What the TCP exchange is, for messages. */
static const char *
xchg_what(const struct sec_xchg *x)
{
	return x->qtype == DNS_T_IXFR ? "IXFR" : x->qtype == DNS_T_AXFR ? "AXFR" :
	    "SOA query over TCP";
}

/* This primary failed: say why, and ask the next; after the last, retry later. */
static void
xchg_next(struct sec_xchg *x, const char *fmt, ...)
{
	struct sec_zone *z = x->z;
	char why[200], a[DNSCONF_LISTEN_STRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(z->last_error, sizeof(z->last_error), "%s: %s",
	    dnsconf_sockaddr_str(&z->primaries[x->primary].sa, a), why);
	log_warnx("zone %s: primary %s", z->name, z->last_error);
	z->failures++;
	xchg_close(x);
	x->axfr_only = false;
	x->notified = false;
	if (++x->primary < z->n_primaries) {
		soa_begin(x);
		return;
	}
	double again = z->data != NULL ? (double)z->retry : SEC_NODATA_RETRY;
	log_warnx("zone %s: no primary could refresh it; trying again in %.0f s%s", z->name,
	    at_least(again), z->expired ? " (expired: answering SERVFAIL)" :
	    z->data == NULL ? " (no data yet: answering SERVFAIL)" : "");
	schedule(z, again);
	xchg_end(x);
}

static int
sock_open(struct sec_xchg *x, int type)
{
	const struct dns_sec_primary *p = &x->z->primaries[x->primary];
	int fd = socket(p->sa.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)&p->sa, p->salen) != 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Sign the query at out + off (its length *len) when the primary has a key. */
static int
sign(struct sec_xchg *x, uint8_t *msg, size_t *len, size_t cap)
{
	const struct dns_sec_primary *p = &x->z->primaries[x->primary];

	x->keyed = p->has_key;
	dns_tsig_ctx_init(&x->tsig, p->has_key ? &p->key : NULL);
	if (!p->has_key)
		return 0;
	return dns_tsig_sign_query(&x->tsig, msg, len, cap, (uint64_t)time(NULL));
}

/* A signed exchange: every reply message checked in turn (RFC 8945 5.3.1). */
static bool
verify(struct sec_xchg *x, const uint8_t *msg, size_t len, bool last)
{
	int st;

	if (!x->keyed)
		return true;
	st = dns_tsig_verify_reply(&x->tsig, msg, len, (uint64_t)time(NULL));
	if (st == DNS_TSIG_PEERERR) {
		xchg_next(x, "refused our TSIG key %s (TSIG error %u)",
		    x->z->primaries[x->primary].key.name, x->tsig.error);
		return false;
	}
	if (st != DNS_TSIG_OK && st != DNS_TSIG_NONE) {
		xchg_next(x, "reply TSIG %s (key %s)", dns_tsig_status_str(st),
		    x->z->primaries[x->primary].key.name);
		return false;
	}
	if (last && (st = dns_tsig_verify_end(&x->tsig)) != DNS_TSIG_OK) {
		xchg_next(x, "reply TSIG %s (key %s)", dns_tsig_status_str(st),
		    x->z->primaries[x->primary].key.name);
		return false;
	}
	return true;
}

static void soa_read_cb(struct ev_loop *loop, ev_io *w, int revents);
static void xchg_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents);
static void xfr_io_cb(struct ev_loop *loop, ev_io *w, int revents);

static void
soa_begin(struct sec_xchg *x)
{
	struct sec_zone *z = x->z;
	struct ev_loop *loop = z->sec->loop;
	int n;

	if (x->notified) {
		xfr_begin(x);
		return;
	}
	x->step = SX_SOA;
	x->qtype = DNS_T_SOA;
	x->id = random_id();
	n = dnsmsg_query_build(x->out, sizeof(x->out), x->id, 0, z->apex, DNS_T_SOA, DNS_C_IN);
	if (n < 0) {
		xchg_next(x, "cannot build the SOA query");
		return;
	}
	x->out_len = (size_t)n;
	if (sign(x, x->out, &x->out_len, sizeof(x->out)) != 0) {
		xchg_next(x, "cannot sign the SOA query");
		return;
	}
	if ((x->fd = sock_open(x, SOCK_DGRAM)) < 0) {
		xchg_next(x, "SOA query: %s", strerror(errno));
		return;
	}
	z->soa_queries++;
	if (send(x->fd, x->out, x->out_len, 0) < 0) {
		xchg_next(x, "SOA query: %s", strerror(errno));
		return;
	}
	ev_io_init(&x->io, soa_read_cb, x->fd, EV_READ);
	x->io.data = x;
	ev_io_start(loop, &x->io);
	ev_timer_init(&x->timer, xchg_timeout_cb, SEC_SOA_TIMEOUT, 0.);
	x->timer.data = x;
	ev_timer_start(loop, &x->timer);
}

static void
xchg_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sec_xchg *x = w->data;

	switch (x->step) {
	case SX_SOA:
		xchg_next(x, "no answer to the SOA query in %.0f s", SEC_SOA_TIMEOUT);
		break;
	case SX_CONNECT:
		xchg_next(x, "%s: cannot connect in %.0f s", xchg_what(x), SEC_CONNECT_TIMEOUT);
		break;
	default:
		xchg_next(x, "%s: nothing received for %.0f s", xchg_what(x), SEC_IDLE_TIMEOUT);
		break;
	}
}

/* xfr-timeout: however steadily the bytes come, the exchange ends now. */
static void
xchg_deadline_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct sec_xchg *x = w->data;

	x->z->over_limit++;
	if (x->xfr != NULL)
		xchg_next(x, "%s: aborted: not done within xfr-timeout (%.3g s; %zu records in "
		    "%zu messages, %zu bytes so far)", xchg_what(x), x->z->sec->timeout,
		    dns_xfr_records(x->xfr), dns_xfr_messages(x->xfr), x->bytes);
	else
		xchg_next(x, "%s: aborted: not done within xfr-timeout (%.3g s)", xchg_what(x),
		    x->z->sec->timeout);
}

/* Is this the answer to our SOA query (id, QR, the question)? */
static bool
soa_ours(const struct sec_xchg *x, const uint8_t *buf, size_t n, struct dns_msg *m)
{
	return dns_wire_parse(buf, n, m) == DNS_WIRE_OK && m->id == x->id &&
	    (m->flags & DNS_F_QR) && m->qdcount == 1 && m->qtype == DNS_T_SOA &&
	    m->qclass == DNS_C_IN && dns_name_equal(m->qname, x->z->apex);
}

static void soa_answer(struct sec_xchg *x, const uint8_t *buf, size_t n,
    const struct dns_msg *m);

static void
soa_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sec_xchg *x = w->data;
	uint8_t buf[4096];
	struct dns_msg m;
	ssize_t n;

	n = recv(x->fd, buf, sizeof(buf), 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		xchg_next(x, "SOA query: %s", strerror(errno));
		return;
	}
	/* Someone else's datagram, or a stale answer: wait for ours. */
	if (!soa_ours(x, buf, (size_t)n, &m))
		return;
	if (DNS_F_RCODE(m.flags) == DNS_RCODE_NOERROR && (m.flags & DNS_F_TC)) {
		/*
		 * RFC 1035 4.2.2, RFC 7766 5: a truncated answer is asked
		 * again over TCP (an SOA with a long RNAME and a TSIG, or a
		 * primary that truncates everything on UDP).  Nothing of it
		 * is used, so its TSIG is not checked: a forged TC=1 costs
		 * a TCP query, whose answer is checked, not the primary's turn.
		 */
		char a[DNSCONF_LISTEN_STRLEN];
		log_info("zone %s: SOA answer from %s truncated (TC=1): asking over TCP",
		    x->z->name, dnsconf_sockaddr_str(&x->z->primaries[x->primary].sa, a));
		xchg_close(x);
		x->z->soa_tcp++;
		x->qtype = DNS_T_SOA;
		tcp_begin(x);
		return;
	}
	if (!verify(x, buf, (size_t)n, true))
		return;
	soa_answer(x, buf, (size_t)n, &m);
}

/* The SOA answer (UDP or TCP): the primary's serial decides (RFC 1034 4.3.5, RFC 1982). */
static void
soa_answer(struct sec_xchg *x, const uint8_t *buf, size_t n, const struct dns_msg *mp)
{
	struct sec_zone *z = x->z;
	uint8_t owner[DNS_NAME_MAX], rd[DNS_XFR_RDATA_MAX];
	struct dns_msg m = *mp;
	struct dns_rr_iter it;
	struct dns_rr rr;
	bool found = false;
	uint32_t serial = 0;
	int r;

	if (DNS_F_RCODE(m.flags) != DNS_RCODE_NOERROR) {
		char rc[DNSMSG_RCODE_STRLEN];
		xchg_next(x, "SOA query: %s", dnsmsg_rcode_name(DNS_F_RCODE(m.flags), rc));
		return;
	}
	if (m.flags & DNS_F_TC) {
		/* Over TCP: a message is whole or it is broken. */
		xchg_next(x, "SOA answer over TCP truncated (TC=1)");
		return;
	}
	if (!(m.flags & DNS_F_AA)) {
		xchg_next(x, "SOA answer not authoritative");
		return;
	}
	dns_wire_rr_begin(&it, buf, n, &m);
	while (!found && (r = dns_wire_rr_next(&it, &rr)) > 0) {
		if (rr.section != DNS_SEC_ANSWER || rr.type != DNS_T_SOA || rr.rclass != DNS_C_IN)
			continue;
		dns_name_lower(owner, rr.owner);
		int l = dns_xfr_rdata(buf, n, rr.rdata_off, rr.rdlen, DNS_T_SOA, rd);
		found = dns_name_equal(owner, z->apex) && l > 0 &&
		    dns_soa_rdata_serial(rd, (size_t)l, &serial);
	}
	if (!found) {
		xchg_next(x, "no SOA in the answer");
		return;
	}
	xchg_close(x);
	z->primary_serial = serial;
	z->have_primary_serial = true;
	if (z->resync) {
		xfr_begin(x);
		return;
	}
	if (z->data != NULL && !dns_serial_gt(serial, z->serial)) {
		if (serial != z->serial)
			log_notice("zone %s: primary serves serial %u, older than ours (%u): keeping "
			    "ours", z->name, serial, z->serial);
		z->up_to_date++;
		refresh_ok(z);
		xchg_end(x);
		return;
	}
	xfr_begin(x);
}

/* The transfer query: IXFR with our SOA in the authority section (RFC 1995 3), or AXFR. */
static bool
xfr_query(struct sec_xchg *x)
{
	struct sec_zone *z = x->z;
	struct dns_writer wr;
	size_t len;

	dns_wire_init(&wr, x->out + 2, sizeof(x->out) - 2 - DNS_TSIG_RR_MAX);
	if (dns_wire_header(&wr, x->id, 0) != DNS_WIRE_OK ||
	    dns_wire_question(&wr, z->apex, x->qtype, DNS_C_IN) != DNS_WIRE_OK)
		return false;
	if (x->qtype == DNS_T_IXFR) {
		const struct dns_rrset *soa = dns_zone_soa(z->data);
		if (dns_wire_rrset(&wr, DNS_SEC_AUTHORITY, z->apex, DNS_C_IN, soa, soa->ttl) !=
		    DNS_WIRE_OK)
			return false;
	}
	len = dns_wire_finish(&wr);
	if (sign(x, x->out + 2, &len, sizeof(x->out) - 2) != 0 || len > SEC_MSG_MAX)
		return false;
	x->out[0] = (uint8_t)(len >> 8);
	x->out[1] = (uint8_t)len;
	x->out_len = len + 2;
	x->out_off = 0;
	return true;
}

static void
xfr_begin(struct sec_xchg *x)
{
	struct sec_zone *z = x->z;

	x->qtype = z->data != NULL && !x->axfr_only && !z->resync ? DNS_T_IXFR : DNS_T_AXFR;
	tcp_begin(x);
}

/* A TCP exchange of x->qtype: IXFR or AXFR (a consumer fed), or SOA (one message). */
static void
tcp_begin(struct sec_xchg *x)
{
	struct sec_zone *z = x->z;
	struct ev_loop *loop = z->sec->loop;
	const char *what = xchg_what(x);

	x->id = random_id();
	x->step = SX_CONNECT;
	x->in_len = 0;
	x->bytes = 0;
	x->t0 = ev_time();
	if (x->in == NULL && (x->in = malloc(2 + SEC_MSG_MAX)) == NULL) {
		xchg_next(x, "out of memory");
		return;
	}
	if (x->qtype != DNS_T_SOA) {
		if ((x->xfr = dns_xfr_new(z->apex, x->qtype, x->id,
		    x->qtype == DNS_T_IXFR ? z->data : NULL)) == NULL) {
			xchg_next(x, "%s: out of memory", what);
			return;
		}
		dns_xfr_set_limits(x->xfr, z->sec->max_records, z->sec->max_size);
	}
	if (!xfr_query(x)) {
		xchg_next(x, "%s: cannot build or sign the query", what);
		return;
	}
	if ((x->fd = sock_open(x, SOCK_STREAM)) < 0) {
		xchg_next(x, "%s: %s", what, strerror(errno));
		return;
	}
	ev_io_init(&x->io, xfr_io_cb, x->fd, EV_WRITE);
	x->io.data = x;
	ev_io_start(loop, &x->io);
	ev_timer_init(&x->timer, xchg_timeout_cb, SEC_CONNECT_TIMEOUT, 0.);
	x->timer.data = x;
	ev_timer_start(loop, &x->timer);
	ev_timer_init(&x->deadline, xchg_deadline_cb, z->sec->timeout, 0.);
	x->deadline.data = x;
	ev_timer_start(loop, &x->deadline);
}

/* The new version: serve it, keep it on disk, and the timers start over. */
static void
apply(struct sec_xchg *x, struct dns_zone *zone, const char *warnings)
{
	struct sec_zone *z = x->z;
	char err[512], a[DNSCONF_LISTEN_STRLEN];
	uint32_t serial = 0, old = z->serial;
	bool had = z->data != NULL;
	double ms = (ev_time() - x->t0) * 1e3;
	const char *kind = dns_xfr_kind(x->xfr) == DNS_XFR_IN_INCREMENTAL ? "IXFR" :
	    x->qtype == DNS_T_IXFR ? "IXFR (whole zone)" : "AXFR";

	(void)dns_zone_serial(zone, &serial);
	if (had && !z->resync && !dns_serial_gt(serial, z->serial)) {
		/* RFC 1034 4.3.5: only a newer version replaces ours. */
		dns_zone_free(zone);
		xchg_next(x, "%s brought serial %u, not newer than ours (%u)", kind, serial,
		    z->serial);
		return;
	}
	z->transfers++;
	if (dns_xfr_kind(x->xfr) == DNS_XFR_IN_INCREMENTAL)
		z->ixfr++;
	else
		z->axfr++;
	z->last_kind = dns_xfr_kind(x->xfr) == DNS_XFR_IN_INCREMENTAL ? "IXFR" : "AXFR";
	z->last_ms = ms;
	z->last_records = dns_xfr_records(x->xfr);
	if (had)
		dns_zone_free(z->data);
	z->data = dns_zone_ref(zone);
	z->serial = serial;
	zone_timers(z);
	z->expired = false;
	z->resync = false;
	z->last_error[0] = '\0';
	char from[16] = "none";
	if (had)
		snprintf(from, sizeof(from), "%u", old);
	/* Served first, then the copy: beside the file and renamed (a crash leaves one or the other). */
	double t1 = ev_time();
	publish(z, zone, time(NULL));
	double t2 = ev_time();
	bool kept = dns_export_zone_path(z->data, z->path, err, sizeof(err)) == 0;
	double t3 = ev_time();
	log_info("zone %s: %s from %s: serial %s -> %u, %zu records in %zu messages (%zu bytes), "
	    "%.1f ms; %zu records in the zone, served %.1f ms later, copy written in %.1f ms%s%s",
	    z->name, kind, dnsconf_sockaddr_str(&z->primaries[x->primary].sa, a), from, serial,
	    dns_xfr_records(x->xfr), dns_xfr_messages(x->xfr), x->bytes, ms,
	    dns_zone_rr_count(z->data), (t2 - t1) * 1e3, (t3 - t2) * 1e3,
	    warnings[0] != '\0' ? "; warnings: " : "", warnings);
	if (!kept)
		log_warnx("zone %s: cannot keep the copy: %s", z->name, err);
	refresh_ok(z);
	xchg_end(x);
}

/* IXFR failed in a way AXFR may not: try AXFR from the same primary. */
static void
fallback_axfr(struct sec_xchg *x, const char *why)
{
	char a[DNSCONF_LISTEN_STRLEN];

	log_notice("zone %s: IXFR from %s: %s; trying AXFR", x->z->name,
	    dnsconf_sockaddr_str(&x->z->primaries[x->primary].sa, a), why);
	xchg_close(x);
	x->axfr_only = true;
	xfr_begin(x);
}

/* The stream ended: what it was decides. */
static void
xfr_done(struct sec_xchg *x)
{
	struct sec_zone *z = x->z;
	char err[512];
	uint32_t serial = 0;
	struct dns_zone *zone;

	ev_io_stop(z->sec->loop, &x->io);
	ev_timer_stop(z->sec->loop, &x->timer);
	if (dns_xfr_kind(x->xfr) == DNS_XFR_IN_SOA_ONLY) {
		(void)dns_xfr_serial(x->xfr, &serial);
		z->primary_serial = serial;
		z->have_primary_serial = true;
		if (z->data != NULL && !dns_serial_gt(serial, z->serial)) {
			z->up_to_date++;
			refresh_ok(z);
			xchg_end(x);
			return;
		}
		/* Newer, but only its SOA: it will not send differences. */
		fallback_axfr(x, "the primary answered with its SOA only");
		return;
	}
	if ((zone = dns_xfr_finish(x->xfr, err, sizeof(err))) == NULL) {
		if (x->qtype == DNS_T_IXFR) {
			char why[600];
			snprintf(why, sizeof(why), "the result does not build (%s)", err);
			fallback_axfr(x, why);
			return;
		}
		xchg_next(x, "AXFR: the zone does not build: %s", err);
		return;
	}
	apply(x, zone, err);
}

/*
 * Whole messages from the buffer to the consumer, each checked first when
 * the exchange is signed.  true: the stream goes on (more to read); false:
 * the exchange ended, or moved on (AXFR, another primary): x may be gone.
 */
static bool
xfr_messages(struct sec_xchg *x)
{
	size_t off = 0;

	while (x->in_len - off >= 2) {
		size_t len = (size_t)x->in[off] << 8 | x->in[off + 1];
		int r;
		if (x->in_len - off - 2 < len)
			break;
		const uint8_t *msg = x->in + off + 2;
		off += 2 + len;
		if (x->qtype == DNS_T_SOA) {
			/* One message: ours, checked, or the primary failed. */
			struct dns_msg m;
			if (!soa_ours(x, msg, len, &m)) {
				xchg_next(x, "SOA query over TCP: the reply is not the answer to it");
				return false;
			}
			if (verify(x, msg, len, true))
				soa_answer(x, msg, len, &m);
			return false;
		}
		if (!verify(x, msg, len, false))
			return false;
		r = dns_xfr_feed(x->xfr, msg, len);
		if (r == DNS_XFR_ERROR) {
			const char *why = dns_xfr_error(x->xfr);
			/* Logged by what follows: the fallback's or the next primary's line. */
			if (dns_xfr_over_limit(x->xfr))
				x->z->over_limit++;
			/* Refused or not implemented, or a reply we cannot use: AXFR may do. */
			if (x->qtype == DNS_T_IXFR) {
				fallback_axfr(x, why);
				return false;
			}
			xchg_next(x, "AXFR: %s", why);
			return false;
		}
		if (r == DNS_XFR_DONE) {
			/* RFC 8945 5.3.1: the last message must be signed. */
			int st;
			if (x->keyed && (st = dns_tsig_verify_end(&x->tsig)) != DNS_TSIG_OK) {
				xchg_next(x, "%s: the last message: TSIG %s",
				    x->qtype == DNS_T_IXFR ? "IXFR" : "AXFR", dns_tsig_status_str(st));
				return false;
			}
			xfr_done(x);
			return false;
		}
	}
	memmove(x->in, x->in + off, x->in_len - off);
	x->in_len -= off;
	return true;
}

static void
xfr_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct sec_xchg *x = w->data;
	const char *what = xchg_what(x);
	ssize_t n;

	if (x->step == SX_CONNECT) {
		int e = 0;
		socklen_t el = sizeof(e);
		if (getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &e, &el) != 0)
			e = errno;
		if (e != 0) {
			xchg_next(x, "%s: connect: %s", what, strerror(e));
			return;
		}
		x->step = SX_SEND;
	}
	if (x->step == SX_SEND) {
		n = send(x->fd, x->out + x->out_off, x->out_len - x->out_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			xchg_next(x, "%s: send: %s", what, strerror(errno));
			return;
		}
		x->out_off += (size_t)n;
		if (x->out_off < x->out_len)
			return;
		x->step = SX_READ;
		ev_io_stop(loop, &x->io);
		ev_io_set(&x->io, x->fd, EV_READ);
		ev_io_start(loop, &x->io);
		ev_timer_stop(loop, &x->timer);
		ev_timer_set(&x->timer, SEC_IDLE_TIMEOUT, 0.);
		ev_timer_start(loop, &x->timer);
		return;
	}
	/* Read what is there, a bounded number of times, then let the loop turn. */
	for (int round = 0; round < 16; round++) {
		n = recv(x->fd, x->in + x->in_len, 2 + SEC_MSG_MAX - x->in_len, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			xchg_next(x, "%s: receive: %s", what, strerror(errno));
			return;
		}
		if (n == 0) {
			xchg_next(x, "%s: connection closed after %zu messages, before the end",
			    what, x->xfr != NULL ? dns_xfr_messages(x->xfr) : 0);
			return;
		}
		x->in_len += (size_t)n;
		x->bytes += (size_t)n;
		/* The exchange may have ended, moved on to AXFR or to another primary. */
		if (!xfr_messages(x))
			return;
	}
	ev_timer_stop(loop, &x->timer);
	ev_timer_set(&x->timer, SEC_IDLE_TIMEOUT, 0.);
	ev_timer_start(loop, &x->timer);
}

static void
refresh_begin(struct sec_zone *z, size_t primary, bool straight)
{
	struct sec_xchg *x;

	z->ndeferred = false;
	if (z->x != NULL) {
		z->pending = true;
		return;
	}
	if (z->n_primaries == 0)
		return;
	ev_timer_stop(z->sec->loop, &z->refresh_t);
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		log_warnx("zone %s: out of memory: refresh in %.0f s", z->name, SEC_NODATA_RETRY);
		schedule(z, SEC_NODATA_RETRY);
		return;
	}
	x->z = z;
	x->fd = -1;
	x->primary = primary < z->n_primaries ? primary : 0;
	x->notified = straight;
	ev_init(&x->io, soa_read_cb);
	ev_init(&x->timer, xchg_timeout_cb);
	ev_init(&x->deadline, xchg_deadline_cb);
	z->x = x;
	soa_begin(x);
}

/* -------------------------------------------------------------- zones */

static void
zone_free(struct sec_zone *z)
{
	if (z == NULL)
		return;
	if (z->x != NULL) {
		xchg_free(z->x);
		z->x = NULL;
	}
	ev_timer_stop(z->sec->loop, &z->refresh_t);
	ev_timer_stop(z->sec->loop, &z->expire_t);
	dns_zone_free(z->data);
	if (z->primaries != NULL)
		explicit_bzero(z->primaries, z->n_primaries * sizeof(*z->primaries));
	free(z->primaries);
	free(z->name);
	free(z->path);
	free(z);
}

static const struct dns_sec_entry *
table_entry(const struct dns_sec_table *t, const uint8_t *apex)
{
	for (size_t i = 0; t != NULL && i < t->n; i++)
		if (dns_name_equal(t->zones[i].apex, apex))
			return &t->zones[i];
	return NULL;
}

static bool
set_primaries(struct sec_zone *z, const struct dns_sec_entry *e)
{
	struct dns_sec_primary *p = NULL;

	if (e->n_primaries > 0 && (p = malloc(e->n_primaries * sizeof(*p))) == NULL)
		return false;
	if (e->n_primaries > 0)
		memcpy(p, e->primaries, e->n_primaries * sizeof(*p));
	if (z->primaries != NULL)
		explicit_bzero(z->primaries, z->n_primaries * sizeof(*z->primaries));
	free(z->primaries);
	z->primaries = p;
	z->n_primaries = e->n_primaries;
	return true;
}

/* A zone's state from what the generation serves (its kept copy, read at start). */
static struct sec_zone *
zone_new(struct dns_secondary *sec, const struct dnsconf_zone *cz, const struct dns_gen *gen)
{
	struct sec_zone *z = calloc(1, sizeof(*z));
	const struct dns_sec_entry *e = table_entry(gen->secondaries, cz->apex);
	const struct dns_zone *served = dns_zoneset_find(gen->zones, cz->apex);
	struct stat st;

	if (z == NULL)
		return NULL;
	z->sec = sec;
	memcpy(z->apex, cz->apex, sizeof(z->apex));
	z->last_kind = "";
	if ((z->name = strdup(cz->name)) == NULL || (z->path = strdup(cz->path)) == NULL ||
	    e == NULL || !set_primaries(z, e)) {
		zone_free(z);
		return NULL;
	}
	ev_timer_init(&z->refresh_t, refresh_cb, 0., 0.);
	z->refresh_t.data = z;
	ev_timer_init(&z->expire_t, expire_cb, 0., 0.);
	z->expire_t.data = z;
	z->ntokens = SEC_NOTIFY_BURST;
	z->ntok_t = ev_now(sec->loop);
	if (served != NULL && dns_name_equal(dns_zone_apex(served), cz->apex) &&
	    dns_zone_available(served) && dns_zone_serial(served, &z->serial)) {
		z->data = dns_zone_ref(served);
		zone_timers(z);
		/* The copy's mtime is the last successful refresh (written or touched then). */
		if (stat(z->path, &st) == 0) {
			z->last_ok = st.st_mtime;
			z->last_ok_mono = ev_now(sec->loop) - (double)(time(NULL) - st.st_mtime);
		}
	}
	return z;
}

/* Start a zone: expire what is too old, ask the primaries now. */
static void
zone_start(struct sec_zone *z)
{
	struct ev_loop *loop = z->sec->loop;

	if (z->data != NULL && z->last_ok != 0) {
		double age = ev_now(loop) - z->last_ok_mono;
		if (age >= (double)z->expire) {
			log_warnx("zone %s: the kept copy (serial %u) was last refreshed %.0f s ago, "
			    "past its expire (%u s)", z->name, z->serial, age, z->expire);
			expire_cb(loop, &z->expire_t, EV_TIMER);
		} else {
			schedule_expire(z);
		}
	}
	refresh_begin(z, 0, false);
}

/* xfr-max-records, xfr-max-size, xfr-timeout: for the transfers that start from now on. */
static void
set_limits(struct dns_secondary *sec, const struct dnsconf *conf)
{
	sec->max_records = conf->xfr_max_records;
	sec->max_size = conf->xfr_max_size;
	sec->timeout = conf->xfr_timeout_ms > 0 ? conf->xfr_timeout_ms / 1e3 : 600.;
}

struct dns_secondary *
dns_secondary_new(struct ev_loop *loop, const struct dnsconf *conf, const struct dns_gen *gen,
    const struct dns_secondary_ops *ops)
{
	struct dns_secondary *sec = calloc(1, sizeof(*sec));
	size_t n = 0;

	if (sec == NULL)
		return NULL;
	sec->loop = loop;
	sec->ops = *ops;
	set_limits(sec, conf);
	for (size_t i = 0; i < conf->n_zones; i++)
		n += conf->zones[i].kind == DNSCONF_ZONE_SECONDARY;
	if (n > 0 && (sec->zones = calloc(n, sizeof(*sec->zones))) == NULL) {
		free(sec);
		return NULL;
	}
	for (size_t i = 0; i < conf->n_zones; i++) {
		struct sec_zone *z;
		if (conf->zones[i].kind != DNSCONF_ZONE_SECONDARY)
			continue;
		if ((z = zone_new(sec, &conf->zones[i], gen)) == NULL) {
			dns_secondary_free(sec);
			return NULL;
		}
		sec->zones[sec->n++] = z;
	}
	for (size_t i = 0; i < sec->n; i++)
		zone_start(sec->zones[i]);
	return sec;
}

static bool
same_primaries(const struct sec_zone *z, const struct dns_sec_entry *e)
{
	if (z->n_primaries != e->n_primaries)
		return false;
	for (size_t k = 0; k < e->n_primaries; k++) {
		const struct dns_sec_primary *a = &z->primaries[k], *b = &e->primaries[k];
		if (a->salen != b->salen || memcmp(&a->sa, &b->sa, a->salen) != 0 ||
		    a->has_key != b->has_key)
			return false;
		if (a->has_key && (strcmp(a->key.name, b->key.name) != 0 || a->key.alg != b->key.alg ||
		    a->key.secret_len != b->key.secret_len ||
		    memcmp(a->key.secret, b->key.secret, a->key.secret_len) != 0))
			return false;
	}
	return true;
}

void
dns_secondary_reconf(struct dns_secondary *sec, const struct dnsconf *conf,
    const struct dns_gen *gen)
{
	struct sec_zone **zones;
	size_t n = 0, k = 0;

	for (size_t i = 0; i < conf->n_zones; i++)
		n += conf->zones[i].kind == DNSCONF_ZONE_SECONDARY;
	if ((zones = calloc(n > 0 ? n : 1, sizeof(*zones))) == NULL) {
		log_warnx("reload: out of memory: secondary zones go on as before");
		return;
	}
	set_limits(sec, conf);
	for (size_t i = 0; i < conf->n_zones; i++) {
		const struct dnsconf_zone *cz = &conf->zones[i];
		const struct dns_sec_entry *e = table_entry(gen->secondaries, cz->apex);
		struct sec_zone *z = NULL;
		if (cz->kind != DNSCONF_ZONE_SECONDARY || e == NULL)
			continue;
		for (size_t j = 0; j < sec->n; j++)
			if (sec->zones[j] != NULL && strcmp(sec->zones[j]->name, cz->name) == 0) {
				z = sec->zones[j];
				sec->zones[j] = NULL;
			}
		if (z == NULL) {
			if ((z = zone_new(sec, cz, gen)) != NULL) {
				zones[k++] = z;
				zone_start(z);
			}
			continue;
		}
		zones[k++] = z;
		char *path = strdup(cz->path);
		if (path != NULL) {
			free(z->path);
			z->path = path;
		}
		if (same_primaries(z, e))
			continue;
		/*
		 * New primaries: what runs is for the old ones.  Their version
		 * replaces ours by AXFR (whatever its serial); ours is served
		 * until it came.
		 */
		log_info("reload: zone %s: its primaries changed: transferring from them now",
		    z->name);
		z->resync = z->data != NULL;
		if (z->x != NULL) {
			xchg_free(z->x);
			z->x = NULL;
		}
		z->pending = false;
		if (!set_primaries(z, e))
			log_warnx("reload: zone %s: out of memory: keeping the old primaries", z->name);
		refresh_begin(z, 0, false);
	}
	for (size_t j = 0; j < sec->n; j++)
		if (sec->zones[j] != NULL) {
			log_info("reload: zone %s is no longer a secondary zone", sec->zones[j]->name);
			zone_free(sec->zones[j]);
		}
	free(sec->zones);
	sec->zones = zones;
	sec->n = k;
}

void
dns_secondary_notify(struct dns_secondary *sec, const struct dns_notify_event *ev)
{
	struct sec_zone *z = NULL;
	char a[DNSCONF_LISTEN_STRLEN], text[DNS_NAME_STRLEN];
	size_t from = 0;

	for (size_t i = 0; i < sec->n && z == NULL; i++)
		if (dns_name_equal(sec->zones[i]->apex, ev->apex))
			z = sec->zones[i];
	if (z == NULL)
		return;
	dnsconf_sockaddr_str(&ev->peer, a);
	if (!ev->accepted) {
		z->notify_refused++;
		/* A flood of them must not flood the log: a line a second. */
		if (ev_now(sec->loop) - z->notify_log >= 1.0) {
			z->notify_log = ev_now(sec->loop);
			log_notice("zone %s: NOTIFY from %s refused: %s (%llu refused)", z->name, a,
			    ev->why, (unsigned long long)z->notify_refused);
		}
		return;
	}
	z->notify_rx++;
	for (size_t k = 0; k < z->n_primaries; k++) {
		const struct dns_sec_primary *p = &z->primaries[k];
		if (p->sa.ss_family != ev->peer.ss_family)
			continue;
		if ((p->sa.ss_family == AF_INET &&
		    memcmp(&((const struct sockaddr_in *)&p->sa)->sin_addr,
		    &((const struct sockaddr_in *)&ev->peer)->sin_addr, 4) == 0) ||
		    (p->sa.ss_family == AF_INET6 &&
		    memcmp(&((const struct sockaddr_in6 *)&p->sa)->sin6_addr,
		    &((const struct sockaddr_in6 *)&ev->peer)->sin6_addr, 16) == 0)) {
			from = k;
			break;
		}
	}
	if (ev->has_serial) {
		z->primary_serial = ev->serial;
		z->have_primary_serial = true;
	}
	if (ev->has_serial && z->data != NULL && !z->resync &&
	    !dns_serial_gt(ev->serial, z->serial)) {
		/* Nothing to do; said once a second at most (a flood of them is cheap, its log not). */
		if (ev_now(sec->loop) - z->notify_ok_log >= 1.0) {
			z->notify_ok_log = ev_now(sec->loop);
			log_info("zone %s: NOTIFY from %s for serial %u: we have %u", z->name, a,
			    ev->serial, z->serial);
		}
		return;
	}
	if (z->x != NULL) {
		/* One more refresh when this one ends, however many came meanwhile. */
		z->pending = true;
		return;
	}
	if (z->ndeferred)
		return; /* a refresh is on its way (notify_refresh) */
	if (ev->has_serial)
		log_info("zone %s: NOTIFY from %s: serial %u (ours %s%u): transferring", z->name, a,
		    ev->serial, z->data != NULL ? "" : "none, ", z->serial);
	else
		log_info("zone %s: NOTIFY from %s: asking for its SOA", z->name, a);
	(void)text;
	notify_refresh(z, from, ev->has_serial);
}

bool
dns_secondary_refresh(struct dns_secondary *sec, const char *name)
{
	for (size_t i = 0; i < sec->n; i++)
		if (strcmp(sec->zones[i]->name, name) == 0) {
			refresh_begin(sec->zones[i], 0, false);
			return true;
		}
	return false;
}

void
dns_secondary_free(struct dns_secondary *sec)
{
	if (sec == NULL)
		return;
	for (size_t i = 0; i < sec->n; i++)
		zone_free(sec->zones[i]);
	free(sec->zones);
	free(sec);
}

size_t
dns_secondary_count(const struct dns_secondary *sec)
{
	return sec != NULL ? sec->n : 0;
}

bool
dns_secondary_info(const struct dns_secondary *sec, size_t i, struct dns_secondary_info *o)
{
	const struct sec_zone *z;
	double now;

	if (sec == NULL || i >= sec->n)
		return false;
	z = sec->zones[i];
	now = ev_now(sec->loop);
	memset(o, 0, sizeof(*o));
	o->name = z->name;
	o->have_data = z->data != NULL;
	o->expired = z->expired || z->data == NULL;
	o->busy = z->x != NULL;
	o->serial = z->serial;
	o->have_primary_serial = z->have_primary_serial;
	o->primary_serial = z->primary_serial;
	o->last_refresh_ago_ms = z->last_ok != 0 ? (now - z->last_ok_mono) * 1e3 : -1;
	o->next_refresh_ms = ev_is_active(&z->refresh_t) ?
	    ev_timer_remaining(sec->loop, (ev_timer *)&z->refresh_t) * 1e3 : -1;
	o->expires_in_ms = z->data != NULL && !z->expired && z->last_ok != 0 ?
	    (z->last_ok_mono + (double)z->expire - now) * 1e3 : -1;
	if (o->expires_in_ms < -1)
		o->expires_in_ms = 0;
	o->primaries = z->primaries;
	o->n_primaries = z->n_primaries;
	o->transfers = z->transfers;
	o->transfer_failures = z->failures;
	o->ixfr = z->ixfr;
	o->axfr = z->axfr;
	o->up_to_date = z->up_to_date;
	o->soa_queries = z->soa_queries;
	o->over_limit = z->over_limit;
	o->soa_tcp = z->soa_tcp;
	o->notify_received = z->notify_rx;
	o->notify_refused = z->notify_refused;
	o->last_error = z->last_error;
	o->last_kind = z->last_kind;
	o->last_transfer_ms = z->last_ms;
	o->last_transfer_records = z->last_records;
	return true;
}

bool
dns_secondary_find(const struct dns_secondary *sec, const char *name,
    struct dns_secondary_info *out)
{
	for (size_t i = 0; sec != NULL && i < sec->n; i++)
		if (strcmp(sec->zones[i]->name, name) == 0)
			return dns_secondary_info(sec, i, out);
	return false;
}
