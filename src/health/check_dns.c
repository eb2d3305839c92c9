/*
 * check_dns.c - the dns check: its query and the matching of a reply
 * (RFC 1035 4.1, through src/dnsmsg), and the probe on the loop: one
 * connected UDP socket per run, read until our reply, a timeout or an
 * ICMP error.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnsmsg/dnsmsg.h"
#include "health/check_impl.h"

#define CHECK_DNS_BUF		4096	/* replies are cut here: we read the header and question only */
#define CHECK_DNS_READS		16	/* datagrams per wakeup, so a flood cannot hold the loop */

/* The check's name (no escapes, trailing dot optional) in wire form; its length or 0. */
static size_t
qname_wire(const char *qname, uint8_t out[DNSMSG_NAME_MAX])
{
	static const uint8_t root[1] = { 0 };
	int n = dnsmsg_name_from_text(out, qname, root);

	return n < 0 ? 0 : (size_t)n;
}

size_t
check_dns_query(uint8_t *buf, size_t len, uint16_t id, const char *qname,
    uint16_t qtype)
{
	uint8_t name[DNSMSG_NAME_MAX];
	int n;

	if (qname_wire(qname, name) == 0)
		return 0;
	/* RFC 1035 4.1.1: opcode QUERY, RD clear (we ask the server itself). */
	n = dnsmsg_query_build(buf, len, id, 0, name, qtype, DNSMSG_C_IN);
	return n < 0 ? 0 : (size_t)n;
}

int
check_dns_reply(const uint8_t *buf, size_t len, uint16_t id, const char *qname,
    uint16_t qtype, int expect_rcode, char *reason, size_t reasonlen)
{
	uint8_t want[DNSMSG_NAME_MAX];
	char got_s[DNSMSG_RCODE_STRLEN], want_s[DNSMSG_RCODE_STRLEN];
	struct dnsmsg_hdr h;
	struct dnsmsg_question q;
	size_t pos = DNSMSG_HDR_LEN;
	unsigned rcode;

	if (reason != NULL && reasonlen > 0)
		reason[0] = '\0';
	if (qname_wire(qname, want) == 0)
		return -1;
	if (dnsmsg_hdr_parse(buf, len, &h) != DNSMSG_OK || h.id != id ||
	    !(h.flags & DNSMSG_F_QR) || DNSMSG_F_OPCODE(h.flags) != 0 || h.qdcount != 1)
		return -1;
	/*
	 * The question must be ours (RFC 5452 9.1), its name uncompressed
	 * (a pointer in the first name of a message could only point into
	 * the header: not a reply to a query we sent).
	 */
	if (dnsmsg_question_parse(buf, len, &pos, &q) != DNSMSG_OK ||
	    !dnsmsg_name_equal(q.qname, want) || q.qtype != qtype || q.qclass != DNSMSG_C_IN)
		return -1;

	/*
	 * TC only means the answer did not fit; the server answered, and that
	 * is what the check asks.  No EDNS was sent, so the rcode is 4 bits.
	 */
	rcode = DNSMSG_F_RCODE(h.flags);
	if (expect_rcode < 0 || rcode == (unsigned)expect_rcode)
		return 1;
	if (reason != NULL && reasonlen > 0)
		snprintf(reason, reasonlen, "rcode %s, expected %s",
		    dnsmsg_rcode_name(rcode, got_s),
		    dnsmsg_rcode_name((unsigned)expect_rcode, want_s));
	return 0;
}

static void
dns_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];
	uint8_t buf[CHECK_DNS_BUF];
	ssize_t n;
	int i, r;

	for (i = 0; i < CHECK_DNS_READS; i++) {
		if ((n = recv(ck->fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* ICMP port unreachable, on a connected socket. */
			check_errno_reason(why, sizeof(why), "", errno);
			check_finish(ck, CHECK_FAIL, why);
			return;
		}
		r = check_dns_reply(buf, (size_t)n, ck->id, ck->conf.qname,
		    ck->conf.qtype, ck->conf.expect_rcode, why, sizeof(why));
		if (r == -1)
			continue;	/* not ours: keep waiting */
		check_finish(ck, r == 1 ? CHECK_PASS : CHECK_FAIL, why);
		return;
	}
}

void
check_dns_start(struct check *ck)
{
	uint8_t q[DNSMSG_HDR_LEN + DNSMSG_NAME_MAX + 4];
	size_t qlen;
	ssize_t n;

	ck->fd = socket(ck->conf.sa.ss_family,
	    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ck->fd == -1) {
		check_decide_errno(ck, "socket: ", errno);
		return;
	}
	/* Connected: only the server's replies, and ICMP errors as errno. */
	if (connect(ck->fd, (const struct sockaddr *)&ck->conf.sa,
	    ck->conf.salen) == -1) {
		check_decide_errno(ck, "", errno);
		return;
	}
	ck->id = (uint16_t)arc4random();
	qlen = check_dns_query(q, sizeof(q), ck->id, ck->conf.qname,
	    ck->conf.qtype);
	if (qlen == 0) {
		check_decide(ck, CHECK_FAIL, "cannot build the query");
		return;
	}
	if ((n = send(ck->fd, q, qlen, 0)) != (ssize_t)qlen) {
		check_decide_errno(ck, "", n == -1 ? errno : EMSGSIZE);
		return;
	}
	ev_io_init(&ck->io, dns_read_cb, ck->fd, EV_READ);
	ck->io.data = ck;
	ev_io_start(ck->loop, &ck->io);
	check_timer_start(ck, ck->timeout);
}

