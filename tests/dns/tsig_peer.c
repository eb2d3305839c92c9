/*
 * tsig_peer.c - our TSIG code (src/dns/tsig.c) against real peers, for
 * tests/dns/tsig.sh.  Two modes:
 *
 *   tsig_peer serve PORT [-s SKEW] [-u K] [-t] KEY...
 *       A tiny authoritative on 127.0.0.1:PORT, UDP and TCP, for kdig -y.
 *       Each query is verified against the KEYs (ALG:NAME:SECRET); signed
 *       queries get a signed reply (one A record), AXFR over TCP a stream
 *       of 7 messages (SOA first and last, RFC 5936 2.2) in which, with
 *       -u K, only every Kth message, the first and the last are signed
 *       (RFC 8945 5.3.1); TSIG errors get the error reply of RFC 8945
 *       5.3.2; unsigned queries are REFUSED.  -s SKEW adds SKEW seconds
 *       to our clock (BADTIME); -t flips a bit of every MAC we send (kdig
 *       must then refuse our replies: the test's negative control).
 *       Prints one line per query to stdout:
 *       "query NAME TYPE: STATUS".  Runs until killed.
 *
 *   tsig_peer query ADDR PORT KEY NAME TYPE [tcp]
 *       Sign a query with KEY, send it, verify every reply message (an
 *       AXFR until its closing SOA), print "message N: STATUS" and at the
 *       end "result: STATUS rcode RCODE messages N"; exit 0 when every
 *       message verified and the last one was signed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns/tsig.h"
#include "dnsmsg/dnsmsg.h"

#define MAX_KEYS 16
#define BUF 65535
#define AXFR 252
#define STREAM_LEN 7

static void
die(const char *what)
{
	fprintf(stderr, "tsig_peer: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void
key_arg(const char *arg, struct dns_tsig_key *k)
{
	char buf[1024], err[256], *alg, *name, *secret;

	snprintf(buf, sizeof(buf), "%s", arg);
	alg = buf;
	if ((name = strchr(alg, ':')) == NULL || (secret = strchr(name + 1, ':')) == NULL) {
		fprintf(stderr, "tsig_peer: key '%s': ALG:NAME:SECRET\n", arg);
		exit(2);
	}
	*name++ = '\0';
	*secret++ = '\0';
	if (dns_tsig_key_parse(name, alg, secret, k, err, sizeof(err)) != 0) {
		fprintf(stderr, "tsig_peer: key '%s': %s\n", arg, err);
		exit(2);
	}
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Append a record owned by the question's name (a pointer to offset 12). */
static size_t
add_rr(uint8_t *m, size_t len, uint16_t type, const uint8_t *rdata, uint16_t rdlen)
{
	m[len++] = 0xc0;
	m[len++] = 12;
	put16(m + len, type);
	put16(m + len + 2, 1);
	put16(m + len + 4, 0);
	put16(m + len + 6, 3600);
	put16(m + len + 8, rdlen);
	memcpy(m + len + 10, rdata, rdlen);
	return len + 10 + rdlen;
}

static size_t
add_a(uint8_t *m, size_t len, uint8_t last)
{
	const uint8_t a[4] = { 192, 0, 2, last };

	return add_rr(m, len, 1, a, 4);
}

/* SOA: MNAME and RNAME point at the owner, serial 1, timers. */
static size_t
add_soa(uint8_t *m, size_t len)
{
	static const uint8_t soa[] = { 0xc0, 12, 0xc0, 12, 0, 0, 0, 1, 0, 0, 0x0e, 0x10,
		0, 0, 0x03, 0x84, 0, 0x09, 0x3a, 0x80, 0, 0, 0x0e, 0x10 };

	return add_rr(m, len, 6, soa, sizeof(soa));
}

static uint64_t
now_s(long skew)
{
	return (uint64_t)((long)time(NULL) + skew);
}

/* The reply's start: the query's header and question, QR and AA set, counts cleared. */
static size_t
reply_head(const uint8_t *q, size_t qlen, uint8_t *r, struct dnsmsg_question *qq)
{
	size_t pos = DNSMSG_HDR_LEN;

	if (qlen < DNSMSG_HDR_LEN || get16(q + 4) != 1 ||
	    dnsmsg_question_parse(q, qlen, &pos, qq) != 0)
		return 0;
	memcpy(r, q, pos);
	r[2] = (uint8_t)((q[2] & 0x79) | 0x84); /* QR, AA; opcode and RD kept */
	r[3] = 0;
	put16(r + 6, 0);
	put16(r + 8, 0);
	put16(r + 10, 0);
	return pos;
}

typedef void (*send_fn)(void *arg, const uint8_t *m, size_t len);

static bool tamper;

/* Sign, and with -t spoil the MAC (its last octet, 6 + other data from the end). */
static void
sign(struct dns_tsig_ctx *ctx, uint8_t *r, size_t *len, long skew, uint16_t error)
{
	struct dns_tsig_rr rr;

	if (dns_tsig_sign_reply(ctx, r, len, BUF, now_s(skew), error) != 0) {
		fprintf(stderr, "tsig_peer: cannot sign\n");
		return;
	}
	if (tamper && dns_tsig_find(r, *len, &rr) == 1 && rr.mac_len > 0)
		r[rr.mac - r + rr.mac_len - 1] ^= 1;
}

static void
serve_one(const struct dns_tsig_key *keys, size_t n_keys, long skew, unsigned every,
    const uint8_t *q, size_t qlen, bool tcp, send_fn out, void *arg)
{
	static uint8_t r[BUF];
	struct dns_tsig_ctx ctx;
	struct dnsmsg_question qq;
	char name[DNSMSG_NAME_STRLEN], type[DNSMSG_TYPE_STRLEN];
	size_t len;
	int st;

	st = dns_tsig_verify_query(&ctx, keys, n_keys, q, qlen, now_s(skew));
	if ((len = reply_head(q, qlen, r, &qq)) == 0) {
		printf("query ?: FORMERR\n");
		return;
	}
	{
		uint8_t lower[DNSMSG_NAME_MAX];
		memcpy(lower, qq.qname, qq.qname_len);
		dnsmsg_name_to_text(lower, name);
	}
	printf("query %s %s: %s\n", name, dnsmsg_type_name(qq.qtype, type),
	    dns_tsig_status_str(st));
	fflush(stdout);
	if (st == DNS_TSIG_FORMERR || st == DNS_TSIG_NONE) {
		r[3] = st == DNS_TSIG_NONE ? DNSMSG_RCODE_REFUSED : DNSMSG_RCODE_FORMERR;
		out(arg, r, len);
		return;
	}
	if (st != DNS_TSIG_OK) {
		sign(&ctx, r, &len, skew, ctx.error);
		out(arg, r, len);
		return;
	}
	if (qq.qtype != AXFR || !tcp) {
		len = add_a(r, len, 1);
		put16(r + 6, 1);
		sign(&ctx, r, &len, skew, 0);
		out(arg, r, len);
		return;
	}
	/* AXFR: SOA first, A records, SOA last; signed where the stream must be. */
	size_t head = len;
	for (unsigned i = 0; i < STREAM_LEN; i++) {
		uint16_t an = 0;
		len = head;
		if (i == 0) {
			len = add_soa(r, len);
			an++;
		}
		len = add_a(r, len, (uint8_t)(10 + i));
		an++;
		if (i == STREAM_LEN - 1) {
			len = add_soa(r, len);
			an++;
		}
		put16(r + 6, an);
		put16(r + 10, 0); /* the last message's TSIG is not this one's */
		if (every <= 1 || i == 0 || i == STREAM_LEN - 1 || i % every == 0)
			sign(&ctx, r, &len, skew, 0);
		else if (dns_tsig_reply_unsigned(&ctx, r, len) != 0) {
			fprintf(stderr, "tsig_peer: must sign message %u\n", i);
		}
		out(arg, r, len);
	}
}

struct udp_dst {
	int fd;
	struct sockaddr_storage sa;
	socklen_t salen;
};

static void
udp_send(void *arg, const uint8_t *m, size_t len)
{
	struct udp_dst *d = arg;

	(void)sendto(d->fd, m, len, 0, (struct sockaddr *)&d->sa, d->salen);
}

static void
tcp_send(void *arg, const uint8_t *m, size_t len)
{
	int fd = *(int *)arg;
	uint8_t l[2];

	put16(l, (uint16_t)len);
	if (write(fd, l, 2) != 2 || write(fd, m, len) != (ssize_t)len)
		fprintf(stderr, "tsig_peer: tcp write: %s\n", strerror(errno));
}

static bool
read_full(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static int
serve(int argc, char **argv)
{
	struct dns_tsig_key keys[MAX_KEYS];
	size_t n_keys = 0;
	long skew = 0;
	unsigned every = 1;
	int port, u, t = -1, one = 1, i = 0;
	struct sockaddr_in sin;
	static uint8_t q[BUF];

	if (argc < 1)
		return 2;
	port = atoi(argv[i++]);
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
			skew = atol(argv[++i]);
		else if (strcmp(argv[i], "-t") == 0)
			tamper = true;
		else if (strcmp(argv[i], "-u") == 0 && i + 1 < argc)
			every = (unsigned)atoi(argv[++i]);
		else if (n_keys < MAX_KEYS)
			key_arg(argv[i], &keys[n_keys++]);
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((u = socket(AF_INET, SOCK_DGRAM, 0)) < 0 || (t = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(u, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    bind(t, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(t, 8) != 0)
		die("bind");
	/* A client that gives up mid-stream (kdig on a bad MAC) must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		struct pollfd p[2] = { { .fd = u, .events = POLLIN }, { .fd = t, .events = POLLIN } };
		if (poll(p, 2, -1) < 0)
			die("poll");
		if (p[0].revents & POLLIN) {
			struct udp_dst d = { .fd = u, .salen = sizeof(d.sa) };
			ssize_t n = recvfrom(u, q, BUF, 0, (struct sockaddr *)&d.sa, &d.salen);
			if (n > 0)
				serve_one(keys, n_keys, skew, every, q, (size_t)n, false, udp_send, &d);
		}
		if (p[1].revents & POLLIN) {
			int c = accept(t, NULL, NULL);
			uint8_t l[2];
			struct timeval tv = { .tv_sec = 2 };
			if (c < 0)
				continue;
			setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			/* One query at a time per connection until the client closes. */
			while (read_full(c, l, 2) && read_full(c, q, get16(l)))
				serve_one(keys, n_keys, skew, every, q, get16(l), true, tcp_send, &c);
			close(c);
		}
	}
}

/* How many SOA records a message's answer section has (an AXFR ends at the second). */
static int
count_soa(const uint8_t *m, size_t len)
{
	size_t pos = DNSMSG_HDR_LEN;
	struct dnsmsg_question qq;
	uint8_t name[DNSMSG_NAME_MAX];
	int soa = 0;

	if (len < DNSMSG_HDR_LEN)
		return 0;
	for (unsigned i = 0; i < get16(m + 4); i++)
		if (dnsmsg_question_parse(m, len, &pos, &qq) != 0)
			return 0;
	for (unsigned i = 0; i < get16(m + 6); i++) {
		if (dnsmsg_name_read(m, len, &pos, name) < 0 || len - pos < 10)
			return soa;
		if (get16(m + pos) == 6)
			soa++;
		pos += 10 + get16(m + pos + 8);
		if (pos > len)
			return soa;
	}
	return soa;
}

static int
query(int argc, char **argv)
{
	struct dns_tsig_key key;
	struct dns_tsig_ctx ctx;
	uint16_t qtype;
	uint8_t qname[DNSMSG_NAME_MAX];
	static uint8_t q[BUF], r[BUF];
	size_t qlen;
	bool tcp;
	int fd, n, st = DNS_TSIG_OK, last = DNS_TSIG_OK, soa = 0, msgs = 0, rcode = -1;
	struct sockaddr_in sin;
	char rc[DNSMSG_RCODE_STRLEN];

	if (argc < 5)
		return 2;
	tcp = argc > 5 && strcmp(argv[5], "tcp") == 0;
	key_arg(argv[2], &key);
	if (dnsmsg_name_from_text(qname, argv[3], (const uint8_t *)"") < 0 ||
	    dnsmsg_type_parse(argv[4], &qtype) != 0) {
		if (strcmp(argv[4], "AXFR") != 0)
			return 2;
		qtype = AXFR;
	}
	n = dnsmsg_query_build(q, BUF, (uint16_t)getpid(), 0, qname, qtype, 1);
	if (n < 0)
		return 2;
	qlen = (size_t)n;
	dns_tsig_ctx_init(&ctx, &key);
	if (dns_tsig_sign_query(&ctx, q, &qlen, BUF, now_s(0)) != 0)
		return 2;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)atoi(argv[1]));
	if (inet_pton(AF_INET, argv[0], &sin.sin_addr) != 1)
		return 2;
	if ((fd = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0)) < 0)
		die("socket");
	struct timeval tv = { .tv_sec = 3 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		die("connect");
	if (tcp) {
		uint8_t l[2];
		put16(l, (uint16_t)qlen);
		if (write(fd, l, 2) != 2 || write(fd, q, qlen) != (ssize_t)qlen)
			die("write");
	} else if (send(fd, q, qlen, 0) != (ssize_t)qlen) {
		die("send");
	}
	for (;;) {
		size_t len;
		if (tcp) {
			uint8_t l[2];
			if (!read_full(fd, l, 2) || !read_full(fd, r, get16(l)))
				break;
			len = get16(l);
		} else {
			ssize_t got = recv(fd, r, BUF, 0);
			if (got <= 0)
				break;
			len = (size_t)got;
		}
		msgs++;
		rcode = len >= 4 ? r[3] & 0xf : -1;
		last = dns_tsig_verify_reply(&ctx, r, len, now_s(0));
		printf("message %d: %s", msgs, dns_tsig_status_str(last));
		if (last == DNS_TSIG_PEERERR)
			printf(" %u", ctx.error);
		printf("\n");
		if (last != DNS_TSIG_OK && last != DNS_TSIG_NONE) {
			st = last;
			break;
		}
		soa += count_soa(r, len);
		if (qtype != AXFR || soa >= 2 || rcode != 0)
			break;
	}
	close(fd);
	if (msgs == 0) {
		printf("result: no reply\n");
		return 1;
	}
	if (st == DNS_TSIG_OK)
		st = dns_tsig_verify_end(&ctx);
	printf("result: %s", dns_tsig_status_str(st));
	if (st == DNS_TSIG_PEERERR)
		printf(" %u", ctx.error);
	printf(" rcode %s messages %d\n", rcode >= 0 ? dnsmsg_rcode_name((unsigned)rcode, rc) : "?",
	    msgs);
	return st == DNS_TSIG_OK ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "serve") == 0)
		return serve(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "query") == 0)
		return query(argc - 2, argv + 2);
	fprintf(stderr, "usage: tsig_peer serve PORT [-s SKEW] [-u K] [-t] ALG:NAME:SECRET...\n"
	    "       tsig_peer query ADDR PORT ALG:NAME:SECRET NAME TYPE [tcp]\n");
	return 2;
}
