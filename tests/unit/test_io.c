/*
 * test_io.c - RIP's socket (src/rip/io.c) on loopback: our updates leave
 * before answers to requests however many answers wait, the answer queue
 * is bounded (drops counted), RIP_IO_TTL255 sets the TTL of a datagram,
 * and the TTL of what arrives is handed to the input callback
 * (IP_RECVTTL, for ip rip ttl-security).  Answers leave through a second
 * socket bound to the same port: they come from that port too, and every
 * datagram sent to the port still reaches the input callback (none is
 * handed to the answer socket, which nothing reads).
 *
 * A real socket pair on 127.0.0.1 with an unprivileged port: rip_io_open
 * binds it, a plain UDP socket receives what it sends (and sends to it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ev.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rip/io.h"
#include "rip/packet.h"

#define LOOP 0x7f000001u

struct rx {
	int ttl;
	unsigned n;
};

static void
on_input(void *ctx, unsigned ifindex, uint32_t src, uint16_t port, uint32_t dst, int ttl,
    const uint8_t *buf, size_t len)
{
	struct rx *rx = ctx;
	rx->ttl = ttl;
	rx->n++;
}

/* A receiver on 127.0.0.1:port with IP_RECVTTL; returns its fd and port. */
static int
h_receiver(uint16_t *port)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0), on = 1, rcv = 4 << 20;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOP) };
	socklen_t sl = sizeof(sin);
	assert_true(fd >= 0);
	setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Read one datagram: its first octet (our tag), its TTL and source port; -1 when none. */
static int
h_recv_from(int fd, int *ttl, uint16_t *sport)
{
	uint8_t buf[600], cbuf[64];
	struct iovec iov = { buf, sizeof(buf) };
	struct sockaddr_in from;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
		.msg_controllen = sizeof(cbuf), .msg_name = &from, .msg_namelen = sizeof(from) };
	ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
	if (n <= 0)
		return -1;
	*ttl = -1;
	*sport = ntohs(from.sin_port);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
			memcpy(ttl, CMSG_DATA(c), sizeof(*ttl));
	return buf[0];
}

static int
h_recv(int fd, int *ttl)
{
	uint16_t sport;
	return h_recv_from(fd, ttl, &sport);
}

static struct rip_io *
h_open(struct ev_loop *loop, struct rx *rx, uint16_t *port)
{
	/* An unprivileged port of our own: bind a probe socket to 0 to find one. */
	for (int tries = 0; tries < 20; tries++) {
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in sin = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sin);
		bind(fd, (struct sockaddr *)&sin, sizeof(sin));
		getsockname(fd, (struct sockaddr *)&sin, &sl);
		close(fd);
		struct rip_io *io = rip_io_open(loop, ntohs(sin.sin_port), on_input, NULL, rx);
		if (io != NULL) {
			*port = ntohs(sin.sin_port);
			return io;
		}
	}
	fail_msg("no port for rip_io_open");
	return NULL;
}

static void
h_run_for(struct ev_loop *loop, double s)
{
	ev_tstamp end = ev_time() + s;
	while (ev_time() < end)
		ev_run(loop, EVRUN_NOWAIT), usleep(500);
}

/*
 * 40 answers queued, then 5 updates: after the burst that left at once,
 * the 5 updates leave before the 30 answers still waiting.
 */
static void
test_updates_before_answers(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rx rx = { 0 };
	uint16_t port, dport;
	struct rip_io *io = h_open(loop, &rx, &port);
	int fd = h_receiver(&dport);
	unsigned lo = if_nametoindex("lo");
	uint8_t buf[RIP_PKT_MAX] = { 0 };
	(void)state;

	buf[0] = 'a';
	for (int i = 0; i < 40; i++)
		rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, RIP_IO_REPLY);
	buf[0] = 'u';
	for (int i = 0; i < 5; i++)
		rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, 0);
	struct rip_io_stats st;
	rip_io_get_stats(io, &st);
	/*
	 * What left at once depends on the pacer's tokens (a burst of
	 * RIP_IO_BURST, more if a slow build spent a pacing tick in the loop
	 * above): the answers that left before the updates were queued come
	 * first, then every update, then the answers still waiting.
	 */
	size_t u_now = 5 - st.tx_queued;
	size_t a_now = (size_t)st.tx_packets - u_now;
	assert_true(a_now >= 10 && a_now < 40);
	assert_int_equal(st.tx_replies_queued, 40 - a_now);
	h_run_for(loop, 0.2);
	char order[64] = "", want[64];
	int ttl, tag;
	size_t n = 0;
	while ((tag = h_recv(fd, &ttl)) >= 0 && n < sizeof(order) - 1)
		order[n++] = (char)tag;
	order[n] = 0;
	memset(want, 'a', 45);
	memset(want + a_now, 'u', 5);
	want[45] = 0;
	assert_string_equal(order, want);
	rip_io_close(io);
	close(fd);
	ev_loop_destroy(loop);
}

/* The answer queue is bounded; updates still get through. */
static void
test_answer_queue_bounded(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rx rx = { 0 };
	uint16_t port, dport;
	struct rip_io *io = h_open(loop, &rx, &port);
	int fd = h_receiver(&dport);
	unsigned lo = if_nametoindex("lo");
	uint8_t buf[RIP_PKT_MAX] = { 'a' };
	struct rip_io_stats st;
	(void)state;

	for (int i = 0; i < 10000; i++)
		rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, RIP_IO_REPLY);
	rip_io_get_stats(io, &st);
	assert_true(st.tx_reply_drops > 0);
	assert_true(st.tx_replies_queued <= 4096);
	assert_int_equal(st.tx_reply_drops + st.tx_replies_queued + st.tx_packets, 10000);
	buf[0] = 'u';
	rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, 0);
	/*
	 * The update leaves at once when the pacer has room (a slow build
	 * spends more than a pacing tick on the 10000 sends above), else
	 * ahead of the waiting answers on the next tick: look in both.
	 */
	int ttl, tag;
	bool seen = false;
	while ((tag = h_recv(fd, &ttl)) >= 0)
		if (tag == 'u')
			seen = true;
	h_run_for(loop, 0.05);
	while ((tag = h_recv(fd, &ttl)) >= 0)
		if (tag == 'u')
			seen = true;
	assert_true(seen);
	rip_io_get_stats(io, &st);
	assert_int_equal(st.tx_queue_drops, 0);
	rip_io_close(io);
	close(fd);
	ev_loop_destroy(loop);
}

/* RIP_IO_TTL255 sets the TTL; IP_RECVTTL gives the TTL of what arrives. */
static void
test_ttl(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rx rx = { 0 };
	uint16_t port, dport;
	struct rip_io *io = h_open(loop, &rx, &port);
	int fd = h_receiver(&dport), ttl = 0;
	unsigned lo = if_nametoindex("lo");
	uint8_t buf[RIP_PKT_MAX] = { 'u' };
	(void)state;

	rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, RIP_IO_TTL255);
	assert_int_equal(h_recv(fd, &ttl), 'u');
	assert_int_equal(ttl, 255);
	rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, 0);
	assert_int_equal(h_recv(fd, &ttl), 'u');
	assert_true(ttl != 255 && ttl > 0);

	/* Into rip_io: a datagram with TTL 7 reaches the input callback with 7. */
	int s = socket(AF_INET, SOCK_DGRAM, 0), t7 = 7;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(LOOP) };
	setsockopt(s, IPPROTO_IP, IP_TTL, &t7, sizeof(t7));
	assert_int_equal(sendto(s, buf, 24, 0, (struct sockaddr *)&to, sizeof(to)), 24);
	h_run_for(loop, 0.05);
	assert_int_equal(rx.n, 1);
	assert_int_equal(rx.ttl, 7);
	close(s);
	rip_io_close(io);
	close(fd);
	ev_loop_destroy(loop);
}

/*
 * An answer leaves from the RIP port as an update does (RFC 2453 3.9.1),
 * with TTL 255 when asked (ttl-security sends answers with it too).
 */
static void
test_answer_from_port(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rx rx = { 0 };
	uint16_t port, dport, sport = 0;
	struct rip_io *io = h_open(loop, &rx, &port);
	int fd = h_receiver(&dport), ttl = 0;
	unsigned lo = if_nametoindex("lo");
	uint8_t buf[RIP_PKT_MAX] = { 'a' };
	(void)state;

	rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, RIP_IO_REPLY | RIP_IO_TTL255);
	assert_int_equal(h_recv_from(fd, &ttl, &sport), 'a');
	assert_int_equal(sport, port);
	assert_int_equal(ttl, 255);
	rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, RIP_IO_REPLY);
	assert_int_equal(h_recv_from(fd, &ttl, &sport), 'a');
	assert_int_equal(sport, port);
	assert_true(ttl != 255 && ttl > 0);
	buf[0] = 'u';
	rip_io_send(io, lo, LOOP, LOOP, dport, buf, 24, 0);
	assert_int_equal(h_recv_from(fd, &ttl, &sport), 'u');
	assert_int_equal(sport, port);
	rip_io_close(io);
	close(fd);
	ev_loop_destroy(loop);
}

/*
 * Datagrams from 200 source ports (the kernel would spread them over a
 * SO_REUSEPORT group by a hash of the addresses and ports) all reach the
 * input callback: the group's program gives every one to our socket, none
 * to the answer socket.
 */
static void
test_all_input_reaches_us(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct rx rx = { 0 };
	uint16_t port;
	struct rip_io *io = h_open(loop, &rx, &port);
	uint8_t buf[RIP_PKT_MAX] = { 2, 2 };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port),
		.sin_addr.s_addr = htonl(LOOP) };
	(void)state;

	for (int i = 0; i < 200; i++) {
		int s = socket(AF_INET, SOCK_DGRAM, 0);
		assert_true(s >= 0);
		assert_int_equal(sendto(s, buf, 24, 0, (struct sockaddr *)&to, sizeof(to)), 24);
		close(s);
		if (i % 50 == 49)
			h_run_for(loop, 0.01);
	}
	h_run_for(loop, 0.05);
	assert_int_equal(rx.n, 200);
	rip_io_close(io);
	ev_loop_destroy(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_updates_before_answers),
		cmocka_unit_test(test_answer_queue_bounded),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_answer_from_port),
		cmocka_unit_test(test_all_input_reaches_us),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
