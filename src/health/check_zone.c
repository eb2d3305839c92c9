/*
 * check_zone.c - the zone check (check.h): is the zone served, and is it
 * fresh?  An SOA query for the zone to the server and one to each primary,
 * all at once, each on its own connected UDP socket; the reply matching
 * and SOA reading (RFC 1035 4.1, 3.3.13, through src/dnsmsg and the
 * bounded cursor), RFC 1982 serial arithmetic, and the lag and the
 * expiry, which outlive the runs.  Only DNS is spoken, so the server may
 * be anything that serves a secondary zone.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsmsg/dnsmsg.h"
#include "health/check_impl.h"
#include "lib/cursor.h"

#define ZONE_BUF		4096	/* an SOA answer fits 512 bytes; the rest is cut */
#define ZONE_READS		16	/* datagrams per wakeup, so a flood cannot hold the loop */
#define SOA_FIXED		20	/* SERIAL REFRESH RETRY EXPIRE MINIMUM, RFC 1035 3.3.13 */

/* ------------------------------------------------------------ pure part */

bool
check_serial_lt(uint32_t a, uint32_t b)
{
	/* RFC 1982 3.2 with SERIAL_BITS 32; equal distance 2^31 is undefined. */
	return a != b && ((a < b && b - a < 0x80000000u) ||
	    (a > b && a - b > 0x80000000u));
}

/* The zone in text with its final dot, for the reasons ("home."). */
static void
zone_text(const char *zone, char *buf, size_t len)
{
	size_t n = strlen(zone);

	snprintf(buf, len, "%s%s", zone, n > 0 && zone[n - 1] == '.' ? "" : ".");
}

static int
zone_why(char *reason, size_t reasonlen, const char *why)
{
	if (reason != NULL && reasonlen > 0)
		snprintf(reason, reasonlen, "%s", why);
	return 0;
}

/*
 * The SOA rdata at rd..rdend of msg: two names (compressed or not, RFC
 * 1035 4.1.4; they may point anywhere before themselves), then exactly
 * the five 32-bit fields.  0 with them, -1 if malformed.
 */
static int
soa_fields(const uint8_t *msg, size_t rd, size_t rdend, struct check_zone_soa *soa)
{
	uint8_t name[DNSMSG_NAME_MAX];
	struct check_zone_soa v;
	struct cursor c;
	size_t pos = rd;

	/* Bounded to the rdata's end: a name may not run into the next record. */
	if (dnsmsg_name_read(msg, rdend, &pos, name) < 0 ||
	    dnsmsg_name_read(msg, rdend, &pos, name) < 0)
		return -1;
	cur_init(&c, msg, rdend);
	c.pos = pos;
	v.serial = cur_u32(&c);
	v.refresh = cur_u32(&c);
	v.retry = cur_u32(&c);
	v.expire = cur_u32(&c);
	v.minimum = cur_u32(&c);
	if (c.err || c.pos != rdend)
		return -1;
	*soa = v;
	return 0;
}

int
check_zone_reply(const uint8_t *buf, size_t len, uint16_t id, const char *zone,
    uint32_t *serial, char *reason, size_t reasonlen)
{
	struct check_zone_soa soa;
	int r;

	if ((r = check_zone_reply_soa(buf, len, id, zone, &soa, reason, reasonlen)) == 1)
		*serial = soa.serial;
	return r;
}

int
check_zone_reply_soa(const uint8_t *buf, size_t len, uint16_t id, const char *zone,
    struct check_zone_soa *soa, char *reason, size_t reasonlen)
{
	static const uint8_t root[1] = { 0 };
	uint8_t want[DNSMSG_NAME_MAX], owner[DNSMSG_NAME_MAX];
	char rc[DNSMSG_RCODE_STRLEN], zs[CHECK_QNAME_MAX + 2], why[CHECK_QNAME_MAX + 64];
	struct dnsmsg_hdr h;
	struct dnsmsg_question q;
	struct cursor c;
	size_t pos = DNSMSG_HDR_LEN;
	unsigned rcode;

	if (reason != NULL && reasonlen > 0)
		reason[0] = '\0';
	if (dnsmsg_name_from_text(want, zone, root) < 0)
		return -1;
	if (dnsmsg_hdr_parse(buf, len, &h) != DNSMSG_OK || h.id != id ||
	    !(h.flags & DNSMSG_F_QR) || DNSMSG_F_OPCODE(h.flags) != 0 || h.qdcount != 1)
		return -1;
	/* Our question, uncompressed (as check_dns_reply(), RFC 5452 9.1). */
	if (dnsmsg_question_parse(buf, len, &pos, &q) != DNSMSG_OK ||
	    !dnsmsg_name_equal(q.qname, want) || q.qtype != DNSMSG_T_SOA ||
	    q.qclass != DNSMSG_C_IN)
		return -1;

	/*
	 * No EDNS was sent: the rcode is 4 bits.  SERVFAIL is what a
	 * secondary answers once its copy expired (RFC 1035 3.3.13) or before
	 * its first transfer; REFUSED or NOTAUTH that it does not serve it.
	 */
	rcode = DNSMSG_F_RCODE(h.flags);
	if (rcode != DNSMSG_RCODE_NOERROR) {
		snprintf(why, sizeof(why), "rcode %s", dnsmsg_rcode_name(rcode, rc));
		return zone_why(reason, reasonlen, why);
	}
	/* RFC 1035 4.1.1: an answer from the zone's data sets AA; a cache does not. */
	if (!(h.flags & DNSMSG_F_AA))
		return zone_why(reason, reasonlen, "no AA");

	/* The answer section: the zone's SOA, class IN (RFC 1035 4.1.3). */
	for (unsigned i = 0; i < h.ancount; i++) {
		uint16_t type, rclass, rdlen;
		size_t rd;

		if (dnsmsg_name_read(buf, len, &pos, owner) < 0)
			return zone_why(reason, reasonlen, "malformed answer");
		cur_init(&c, buf, len);
		c.pos = pos;
		type = cur_u16(&c);
		rclass = cur_u16(&c);
		(void)cur_u32(&c);	/* TTL */
		rdlen = cur_u16(&c);
		rd = c.pos;
		cur_skip(&c, rdlen);
		if (c.err)
			return zone_why(reason, reasonlen, "malformed answer");
		pos = c.pos;
		if (type != DNSMSG_T_SOA || rclass != DNSMSG_C_IN ||
		    !dnsmsg_name_equal(owner, want))
			continue;
		if (soa_fields(buf, rd, rd + rdlen, soa) != 0)
			return zone_why(reason, reasonlen, "malformed SOA");
		return 1;
	}
	zone_text(zone, zs, sizeof(zs));
	snprintf(why, sizeof(why), "no SOA for %s in the answer%s", zs,
	    (h.flags & DNSMSG_F_TC) ? " (truncated)" : "");
	return zone_why(reason, reasonlen, why);
}

/* "3.2 s" below 10 s, "312 s" above. */
static void
fmt_secs(char *buf, size_t len, rtime_t t)
{
	long long ds = (long long)(t / (RTIME_SEC / 10));

	if (ds < 100)
		snprintf(buf, len, "%lld.%lld s", ds / 10, ds % 10);
	else
		snprintf(buf, len, "%lld s", ds / 10);
}

int
check_zone_lag_update(struct check_zone_lag *lag, const struct check_conf *c,
    uint32_t served, const bool *answered, const uint32_t *serials,
    rtime_t now, char *reason, size_t reasonlen)
{
	char zs[CHECK_QNAME_MAX + 2], pa[INET6_ADDRSTRLEN + 16], secs[32];
	uint32_t newest = 0;
	unsigned who = 0, i, k;
	bool have = false;
	rtime_t behind;

	if (reason != NULL && reasonlen > 0)
		reason[0] = '\0';
	if (c->n_primaries == 0)
		return 1;
	/* A primary that did not answer keeps the serial it showed last. */
	for (i = 0; i < c->n_primaries && i < CHECK_ZONE_PRIMARIES; i++) {
		if (answered[i]) {
			lag->known[i] = serials[i];
			lag->have[i] = true;
		}
		if (lag->have[i] && (!have || check_serial_lt(newest, lag->known[i]))) {
			newest = lag->known[i];
			who = i;
			have = true;
		}
	}
	if (!have)
		return 1;	/* no primary has answered yet: nothing to compare */

	if (!check_serial_lt(served, newest)) {
		lag->n_hist = 0;	/* up to date, or ahead */
		return 1;
	}
	/*
	 * Keep the serials in (served, newest]: what the server lacks and a
	 * primary still shows (one that went back takes its newer serials
	 * with it).  The window is under 2^31 wide, so RFC 1982 order is a
	 * true order inside it and the history stays sorted.
	 */
	for (i = k = 0; i < lag->n_hist; i++) {
		uint32_t e = lag->hist[i].serial;

		if (check_serial_lt(served, e) && (e == newest || check_serial_lt(e, newest)))
			lag->hist[k++] = lag->hist[i];
	}
	lag->n_hist = k;
	if (lag->n_hist == 0 || lag->hist[lag->n_hist - 1].serial != newest) {
		if (lag->n_hist < CHECK_ZONE_HISTORY) {
			lag->hist[lag->n_hist].seen = now;
			lag->n_hist++;
		}
		/* Full: the newest entry moves on and keeps its time (check.h). */
		lag->hist[lag->n_hist - 1].serial = newest;
		lag->hist[lag->n_hist - 1].primary = who;
	}
	/* Behind since the oldest version it lacks was first seen. */
	behind = now - lag->hist[0].seen;
	if (behind < c->max_lag)
		return 1;
	if (reason != NULL && reasonlen > 0) {
		zone_text(c->qname, zs, sizeof(zs));
		check_addr_fmt(&c->primaries[who], pa, sizeof(pa));
		fmt_secs(secs, sizeof(secs), behind);
		snprintf(reason, reasonlen, "zone %s: serial %u behind %u (primary %s) for %s",
		    zs, served, newest, pa, secs);
	}
	return 0;
}

rtime_t
check_zone_margin(const struct check_conf *c, uint32_t expire, rtime_t react)
{
	rtime_t tenth = (rtime_t)expire * RTIME_SEC / 10;

	if (c->expire_margin >= 0)
		return c->expire_margin;
	return tenth > 2 * react ? tenth : 2 * react;
}

int
check_zone_expiry_update(struct check_zone_lag *lag, const struct check_conf *c,
    const struct check_zone_soa *served, const bool *answered, const uint32_t *serials,
    rtime_t react, rtime_t now, char *reason, size_t reasonlen)
{
	char zs[CHECK_QNAME_MAX + 2], secs[32], lefts[48], ms[32], who[48];
	rtime_t silent, window, margin;
	bool heard = false, shown = false;

	if (reason != NULL && reasonlen > 0)
		reason[0] = '\0';
	if (c->n_primaries == 0)
		return 1;	/* nothing to hear from: SERVFAIL is the only signal */
	for (unsigned i = 0; i < c->n_primaries && i < CHECK_ZONE_PRIMARIES; i++) {
		if (!answered[i])
			continue;
		heard = true;
		/*
		 * The very serial served: the server's own SOA query to this
		 * primary finds it up to date, a successful refresh (RFC 1034
		 * 4.3.5).  A newer serial is the lag's business; an older one
		 * may not count as a refresh on every server.
		 */
		if (serials[i] == served->serial)
			shown = true;
	}
	/* Silence counts from the first run: a fresh node is not withdrawn at once. */
	if (shown || !lag->started) {
		lag->confirmed = now;
		lag->started = true;
	}
	silent = now - lag->confirmed;
	if (silent <= 0)
		return 1;
	/*
	 * The server refreshes every REFRESH while a primary answers, so its
	 * last success may be REFRESH older than our confirmation; the copy
	 * expires EXPIRE after that success (RFC 1035 3.3.13).  What is left
	 * of that window must cover the margin: the time it takes to get the
	 * route out.
	 */
	window = ((rtime_t)served->expire - (rtime_t)served->refresh) * RTIME_SEC;
	margin = check_zone_margin(c, served->expire, react);
	if (window - silent >= margin)
		return 1;
	if (reason != NULL && reasonlen > 0) {
		zone_text(c->qname, zs, sizeof(zs));
		fmt_secs(secs, sizeof(secs), silent);
		fmt_secs(ms, sizeof(ms), margin);
		if (window - silent > 0) {
			snprintf(lefts, sizeof(lefts), "may expire in ");
			fmt_secs(lefts + strlen(lefts), sizeof(lefts) - strlen(lefts),
			    window - silent);
		} else {
			snprintf(lefts, sizeof(lefts), "may have expired");
		}
		if (heard)
			snprintf(who, sizeof(who), "no primary has shown serial %u", served->serial);
		else
			snprintf(who, sizeof(who), "primaries silent");
		snprintf(reason, reasonlen, "zone %s: %s for %s, the copy %s (SOA refresh %u s, "
		    "expire %u s, margin %s)", zs, who, secs, lefts, served->refresh,
		    served->expire, ms);
	}
	return 0;
}

/* ------------------------------------------------------------ the probe */

void
check_zone_close(struct check *ck)
{
	for (unsigned i = 0; i < CHECK_ZONE_PRIMARIES; i++) {
		ev_io_stop(ck->loop, &ck->zq[i].io);
		if (ck->zq[i].fd != -1) {
			close(ck->zq[i].fd);
			ck->zq[i].fd = -1;
		}
	}
}

static bool
zone_primaries_in(const struct check *ck)
{
	for (unsigned i = 0; i < ck->conf.n_primaries; i++)
		if (!ck->zq[i].done)
			return false;
	return true;
}

/* The server's SOA is in: compare it with what the primaries said. */
static void
zone_finish(struct check *ck)
{
	bool answered[CHECK_ZONE_PRIMARIES];
	uint32_t serials[CHECK_ZONE_PRIMARIES];
	char why[CHECK_REASON_MAX], ewhy[CHECK_REASON_MAX];
	rtime_t now = clock_mono_now();
	int r, e;

	for (unsigned i = 0; i < CHECK_ZONE_PRIMARIES; i++) {
		answered[i] = ck->zq[i].answered;
		serials[i] = ck->zq[i].serial;
	}
	r = check_zone_lag_update(&ck->zlag, &ck->conf, ck->zsoa.serial, answered,
	    serials, now, why, sizeof(why));
	/* Both run every time: the expiry's state moves on while lagging too. */
	e = check_zone_expiry_update(&ck->zlag, &ck->conf, &ck->zsoa, answered, serials,
	    ck->react, now, ewhy, sizeof(ewhy));
	if (r == 1 && e == 0)
		memcpy(why, ewhy, sizeof(why));
	check_finish(ck, r == 1 && e == 1 ? CHECK_PASS : CHECK_FAIL, why);
}

void
check_zone_timeout(struct check *ck)
{
	char why[CHECK_REASON_MAX];

	/* The primaries that are still silent count as not answering. */
	if (ck->zserved) {
		zone_finish(ck);
		return;
	}
	check_fmt_timeout(why, sizeof(why), "timeout ", ck->timeout);
	check_finish(ck, CHECK_FAIL, why);
}

static void
served_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];
	struct check_zone_soa soa;
	uint8_t buf[ZONE_BUF];
	ssize_t n;
	int i, r;

	for (i = 0; i < ZONE_READS; i++) {
		if ((n = recv(ck->fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* ICMP port unreachable, on a connected socket. */
			check_errno_reason(why, sizeof(why), "", errno);
			check_finish(ck, CHECK_FAIL, why);
			return;
		}
		r = check_zone_reply_soa(buf, (size_t)n, ck->id, ck->conf.qname,
		    &soa, why, sizeof(why));
		if (r == -1)
			continue;	/* not ours: keep waiting */
		if (r == 0) {
			check_finish(ck, CHECK_FAIL, why);
			return;
		}
		ev_io_stop(loop, w);
		ck->zserved = true;
		ck->zsoa = soa;
		if (zone_primaries_in(ck))
			zone_finish(ck);
		return;
	}
}

static void
primary_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check_zq *q = w->data;
	struct check *ck = q->ck;
	uint8_t buf[ZONE_BUF];
	uint32_t serial;
	ssize_t n;
	int i, r;

	for (i = 0; i < ZONE_READS; i++) {
		if ((n = recv(q->fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			r = 0;	/* unreachable: as if it did not answer */
		} else {
			r = check_zone_reply(buf, (size_t)n, q->id, ck->conf.qname,
			    &serial, NULL, 0);
			if (r == -1)
				continue;
		}
		/* A primary that cannot say its serial says nothing (check.h). */
		ev_io_stop(loop, w);
		q->done = true;
		if (r == 1) {
			q->answered = true;
			q->serial = serial;
		}
		if (ck->zserved && zone_primaries_in(ck))
			zone_finish(ck);
		return;
	}
}

/* A connected UDP socket with the SOA query sent; -1 with errno. */
static int
zone_query(const struct sockaddr *sa, socklen_t salen, const char *zone, uint16_t id)
{
	uint8_t q[DNSMSG_HDR_LEN + DNSMSG_NAME_MAX + 4];
	size_t qlen;
	ssize_t n;
	int fd, err;

	if ((qlen = check_dns_query(q, sizeof(q), id, zone, DNSMSG_T_SOA)) == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, sa, salen) == -1 ||
	    (n = send(fd, q, qlen, 0)) != (ssize_t)qlen) {
		err = errno;
		close(fd);
		errno = err != 0 ? err : EMSGSIZE;
		return -1;
	}
	return fd;
}

void
check_zone_start(struct check *ck)
{
	unsigned i;

	ck->zserved = false;
	for (i = 0; i < CHECK_ZONE_PRIMARIES; i++) {
		ck->zq[i].done = i >= ck->conf.n_primaries;
		ck->zq[i].answered = false;
	}
	ck->id = (uint16_t)arc4random();
	errno = 0;
	if ((ck->fd = zone_query((const struct sockaddr *)&ck->conf.sa, ck->conf.salen,
	    ck->conf.qname, ck->id)) == -1) {
		check_decide_errno(ck, "", errno);
		return;
	}
	ev_io_init(&ck->io, served_read_cb, ck->fd, EV_READ);
	ck->io.data = ck;
	ev_io_start(ck->loop, &ck->io);
	for (i = 0; i < ck->conf.n_primaries; i++) {
		struct check_zq *q = &ck->zq[i];

		q->id = (uint16_t)arc4random();
		errno = 0;
		q->fd = zone_query(&ck->conf.primaries[i].u.sa, ck->conf.primaries[i].len,
		    ck->conf.qname, q->id);
		if (q->fd == -1) {
			q->done = true;		/* no route to it: not answering */
			continue;
		}
		ev_io_init(&q->io, primary_read_cb, q->fd, EV_READ);
		q->io.data = q;
		ev_io_start(ck->loop, &q->io);
	}
	check_timer_start(ck, ck->timeout);
}
