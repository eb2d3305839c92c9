/*
 * io.c - RIP's socket.  Reads are batched with recvmmsg and the socket is
 * read dry (bounded per wake-up) before the caller does expensive work such
 * as kernel route changes; sends go through a token bucket, our updates
 * ahead of answers to requests (io.h).
 *
 * Answers leave through a second socket of their own, also bound to port
 * 520 (RFC 2453 3.9.1: a response comes from the RIP port).  Most answers
 * of a request flood go to forged on-link sources that never answer ARP;
 * the kernel parks each in that neighbour's queue until resolution fails
 * (about 3 s), charged to the send buffer of the socket it left from.  On a
 * shared socket that buffer filled and our own updates waited behind
 * datagrams that would never leave (t_hostile.sh, bench/hostile.sh); on
 * their own socket only the answers wait.  Both sockets are one
 * SO_REUSEPORT group; a cBPF program hands every unicast datagram to the
 * first (ours), the answer socket joins no group (IP_MULTICAST_ALL off)
 * and a socket filter drops what reaches it anyway (broadcasts).
 */
#include "io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../lib/clock.h"
#include "../lib/log.h"
#include "packet.h"

#define RIP_IO_BATCH 64
#define RIP_IO_MAX_PER_WAKE 4096     /* then let timers run */
#define RIP_IO_RCVBUF (8 << 20)
/*
 * The receive buffer: one byte more than the longest datagram that can be
 * valid (RIP_PKT_RX_MAX, 572: 25 entries and an authentication trailer,
 * packet.h), so a longer one is never silently cut to a legal length: it
 * fills the buffer, the kernel flags it MSG_TRUNC, and the engine counts it
 * as "longer than 512 octets".
 */
#define RIP_IO_PKT_MAX (RIP_PKT_RX_MAX + 1)
/*
 * Pacing: a burst of 10 datagrams, then one per millisecond (25k routes/s).
 * A triggered update of a few routes leaves at once; a large table leaves at
 * a pace a BIRD or FRR neighbour that installs every route in its kernel as
 * it reads can follow (measured with bench/rip-scale.sh: at 4000/s a BIRD
 * observer dropped 8% of a 50k-route table).
 */
#define RIP_IO_BURST 10
#define RIP_IO_INTERVAL_US 1000
#define RIP_IO_QUEUE_MAX 65536
/*
 * Answers: room for one whole-table answer of 100k routes (4000
 * datagrams) and then some; beyond it, answers are dropped and counted.
 */
#define RIP_IO_REPLY_QUEUE_MAX 4096
/*
 * The answer socket's send buffer: about 200 answer datagrams (an skb of
 * a 504-octet datagram costs about 1.2 kB of it) in flight or parked in
 * the kernel's ARP queues; when it is full, answers wait in their queue
 * (and drop when that is full) until the socket is writable again.
 */
#define RIP_IO_REPLY_SNDBUF (256 << 10)

struct rip_io_pkt {
	unsigned ifindex;
	uint32_t src, dst;
	uint16_t port;
	uint16_t len;
	uint8_t ttl; /* 0: the socket's (1 for multicast, the system's for unicast) */
	uint8_t buf[RIP_PKT_RX_MAX];	/* an authenticated datagram has a trailer */
};

enum { RIP_IO_Q_UPDATE = 0, RIP_IO_Q_REPLY, RIP_IO_NQ };

struct rip_io_queue {
	struct rip_io_pkt *q; /* ring */
	size_t head, len, cap, max;
};

struct rip_io {
	struct ev_loop *loop;
	int fd;       /* ours: receives everything, sends our updates */
	int reply_fd; /* answers to requests only; never receives */
	ev_io rx;
	ev_io reply_wr; /* active while the answer socket is full */
	ev_timer pace;
	rip_io_input_fn input;
	rip_io_batch_fn batch;
	void *ctx;
	struct rip_io_queue qs[RIP_IO_NQ]; /* drained in this order */
	double tokens;
	rtime_t tokens_at;
	struct rip_io_stats st;
};

static void rip_io_drain(struct rip_io *io, bool force);

static void
rip_io_read(struct ev_loop *loop, ev_io *w, int revents)
{
	struct rip_io *io = w->data;
	static uint8_t bufs[RIP_IO_BATCH][RIP_IO_PKT_MAX];
	static uint8_t cbufs[RIP_IO_BATCH][CMSG_SPACE(sizeof(struct in_pktinfo)) +
	    CMSG_SPACE(sizeof(int))];
	struct mmsghdr msgs[RIP_IO_BATCH];
	struct iovec iov[RIP_IO_BATCH];
	struct sockaddr_in from[RIP_IO_BATCH];
	unsigned total = 0;
	bool begun = false;

	(void)loop;
	(void)revents;
	while (total < RIP_IO_MAX_PER_WAKE) {
		memset(msgs, 0, sizeof(msgs));
		for (int i = 0; i < RIP_IO_BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			msgs[i].msg_hdr.msg_control = cbufs[i];
			msgs[i].msg_hdr.msg_controllen = sizeof(cbufs[i]);
		}
		int n = recvmmsg(io->fd, msgs, RIP_IO_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("rip: recvmmsg");
			break;
		}
		if (!begun && io->batch != NULL) {
			io->batch(io->ctx, true);
			begun = true;
		}
		for (int i = 0; i < n; i++) {
			struct msghdr *mh = &msgs[i].msg_hdr;
			unsigned ifindex = 0;
			uint32_t dst = 0;
			int ttl = -1;
			size_t len = msgs[i].msg_len;
			io->st.rx_packets++;
			/*
			 * Cut by the kernel: what we hand on is the full
			 * buffer, longer than any valid datagram, so the
			 * engine drops it and counts it against its sender.
			 */
			if (mh->msg_flags & MSG_TRUNC || len > RIP_IO_PKT_MAX) {
				io->st.rx_truncated++;
				len = RIP_IO_PKT_MAX;
			}
			for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
				if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
					struct in_pktinfo pi;
					memcpy(&pi, CMSG_DATA(c), sizeof(pi));
					ifindex = (unsigned)pi.ipi_ifindex;
					dst = ntohl(pi.ipi_addr.s_addr);
				} else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
					memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
				}
			}
			if (ifindex == 0 || from[i].sin_family != AF_INET) {
				io->st.rx_no_pktinfo++;
				continue;
			}
			io->input(io->ctx, ifindex, ntohl(from[i].sin_addr.s_addr),
			    ntohs(from[i].sin_port), dst, ttl, bufs[i], len);
		}
		total += (unsigned)n;
		if (n < RIP_IO_BATCH)
			break;
	}
	if (begun)
		io->batch(io->ctx, false);
}

/* Fill the message for one queued datagram: IP_PKTINFO picks the interface and our source. */
static void
rip_io_msg(const struct rip_io_pkt *p, struct msghdr *mh, struct sockaddr_in *to,
    struct iovec *iov, uint8_t *cbuf, size_t cbuflen)
{
	struct in_pktinfo pi;

	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	to->sin_addr.s_addr = htonl(p->dst);
	to->sin_port = htons(p->port);
	iov->iov_base = (void *)p->buf;
	iov->iov_len = p->len;
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = to;
	mh->msg_namelen = sizeof(*to);
	mh->msg_iov = iov;
	mh->msg_iovlen = 1;
	mh->msg_control = cbuf;
	mh->msg_controllen = cbuflen;
	memset(cbuf, 0, cbuflen);
	memset(&pi, 0, sizeof(pi));
	/*
	 * For 224.0.0.9 too: the kernel takes the outgoing interface from
	 * IP_PKTINFO before IP_MULTICAST_IF, so one socket serves every
	 * interface without a setsockopt per datagram.
	 */
	pi.ipi_ifindex = (int)p->ifindex;
	pi.ipi_spec_dst.s_addr = htonl(p->src);
	struct cmsghdr *c = CMSG_FIRSTHDR(mh);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	if (p->ttl != 0) {
		/* A per-datagram TTL wins over IP_TTL and IP_MULTICAST_TTL (Linux ip_cmsg_send). */
		int ttl = p->ttl;
		mh->msg_controllen = cbuflen;
		c = CMSG_NXTHDR(mh, c);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_TTL;
		c->cmsg_len = CMSG_LEN(sizeof(ttl));
		memcpy(CMSG_DATA(c), &ttl, sizeof(ttl));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi)) + CMSG_SPACE(sizeof(ttl));
	}
}

/*
 * Send up to n datagrams from the head of the queue with one sendmmsg.
 * Returns how many left the queue (sent, or dropped on a hard error), or
 * -1 when the socket is full and the rest must wait.
 */
static int
rip_io_send_burst(struct rip_io *io, struct rip_io_queue *q, size_t n)
{
	struct mmsghdr mm[RIP_IO_BURST];
	struct sockaddr_in to[RIP_IO_BURST];
	struct iovec iov[RIP_IO_BURST];
	uint8_t cbuf[RIP_IO_BURST][CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int))];

	if (n > RIP_IO_BURST)
		n = RIP_IO_BURST;
	if (n > q->len)
		n = q->len;
	for (size_t i = 0; i < n; i++) {
		rip_io_msg(&q->q[(q->head + i) % q->cap], &mm[i].msg_hdr, &to[i], &iov[i],
		    cbuf[i], sizeof(cbuf[i]));
		mm[i].msg_len = 0;
	}
	int fd = q == &io->qs[RIP_IO_Q_REPLY] ? io->reply_fd : io->fd;
	int sent = sendmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT);
	if (sent > 0) {
		io->st.tx_packets += (uint64_t)sent;
		return sent;
	}
	if (sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
		return -1; /* retry later */
	/* The first datagram failed for good (no route, interface gone): drop it. */
	const struct rip_io_pkt *p = &q->q[q->head];
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(5);
	io->st.tx_errors++;
	log_rl(&rl, clock_mono_now(), LOG_LVL_WARN, "rip: send to %u.%u.%u.%u on ifindex %u: %s",
	    p->dst >> 24, (p->dst >> 16) & 0xff, (p->dst >> 8) & 0xff, p->dst & 0xff, p->ifindex,
	    strerror(errno));
	return 1;
}

static void
rip_io_refill(struct rip_io *io)
{
	rtime_t now = clock_mono_now();
	io->tokens += (double)(now - io->tokens_at) / RIP_IO_INTERVAL_US;
	if (io->tokens > RIP_IO_BURST)
		io->tokens = RIP_IO_BURST;
	io->tokens_at = now;
}

/* What may leave now: the answers not while their socket is full. */
static size_t
rip_io_queued(const struct rip_io *io)
{
	return io->qs[RIP_IO_Q_UPDATE].len +
	    (ev_is_active(&io->reply_wr) ? 0 : io->qs[RIP_IO_Q_REPLY].len);
}

static void
rip_io_drain(struct rip_io *io, bool force)
{
	rip_io_refill(io);
	while (rip_io_queued(io) > 0 && (force || io->tokens >= 1.0)) {
		/* Our updates first; answers only when none waits. */
		struct rip_io_queue *q = &io->qs[io->qs[RIP_IO_Q_UPDATE].len > 0 ? RIP_IO_Q_UPDATE :
		    RIP_IO_Q_REPLY];
		int n = rip_io_send_burst(io, q, force ? RIP_IO_BURST : (size_t)io->tokens);
		if (n < 0 && q == &io->qs[RIP_IO_Q_REPLY]) {
			/*
			 * The answer socket is full (answers parked in ARP
			 * queues): wait until it is writable, not on the pace.
			 */
			io->st.tx_reply_full++;
			ev_io_start(io->loop, &io->reply_wr);
			continue;
		}
		if (n < 0)
			break;
		q->head = (q->head + (size_t)n) % q->cap;
		q->len -= (size_t)n;
		io->tokens -= n;
	}
	size_t queued = rip_io_queued(io);
	if (queued > 0 && !ev_is_active(&io->pace)) {
		/*
		 * Wake when a whole burst (or the rest of the queue) may go:
		 * the same rate with a tenth of the wake-ups, which showed as a
		 * third of riposted's CPU per update cycle in bench-rip-scale.
		 */
		double want = queued < RIP_IO_BURST ? (double)queued : RIP_IO_BURST;
		double wait = (want - io->tokens) * RIP_IO_INTERVAL_US / 1e6;
		ev_timer_set(&io->pace, wait > RIP_IO_INTERVAL_US / 1e6 ? wait : RIP_IO_INTERVAL_US / 1e6, 0.);
		ev_timer_start(io->loop, &io->pace);
	}
	io->st.tx_queued = io->qs[RIP_IO_Q_UPDATE].len;
	io->st.tx_replies_queued = io->qs[RIP_IO_Q_REPLY].len;
}

static void
rip_io_reply_writable(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	ev_io_stop(loop, w);
	rip_io_drain(w->data, false);
}

static void
rip_io_pace(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	rip_io_drain(w->data, false);
}

void
rip_io_send(struct rip_io *io, unsigned ifindex, uint32_t src, uint32_t dst, uint16_t port,
    const uint8_t *buf, size_t len, unsigned flags)
{
	bool reply = (flags & RIP_IO_REPLY) != 0;
	struct rip_io_queue *q = &io->qs[reply ? RIP_IO_Q_REPLY : RIP_IO_Q_UPDATE];
	uint64_t *drops = reply ? &io->st.tx_reply_drops : &io->st.tx_queue_drops;

	if (len > RIP_PKT_RX_MAX)
		return;
	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 256;
		if (cap > q->max) {
			(*drops)++;
			return;
		}
		struct rip_io_pkt *n = malloc(cap * sizeof(*n));
		if (n == NULL) {
			(*drops)++;
			return;
		}
		for (size_t i = 0; i < q->len; i++)
			n[i] = q->q[(q->head + i) % q->cap];
		free(q->q);
		q->q = n;
		q->cap = cap;
		q->head = 0;
	}
	struct rip_io_pkt *p = &q->q[(q->head + q->len) % q->cap];
	p->ifindex = ifindex;
	p->src = src;
	p->dst = dst;
	p->port = port;
	p->len = (uint16_t)len;
	p->ttl = (flags & RIP_IO_TTL255) ? 255 : 0;
	memcpy(p->buf, buf, len);
	q->len++;
	rip_io_drain(io, false);
}

void
rip_io_flush(struct rip_io *io, unsigned timeout_ms)
{
	rtime_t deadline = clock_mono_now() + (rtime_t)timeout_ms * RTIME_MS;
	while (rip_io_queued(io) > 0 && clock_mono_now() < deadline) {
		rip_io_drain(io, true);
		if (rip_io_queued(io) > 0)
			usleep(1000);
	}
}

int
rip_io_join(struct rip_io *io, unsigned ifindex, bool on)
{
	struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };
	mr.imr_multiaddr.s_addr = htonl(RIP_GROUP);
	if (setsockopt(io->fd, IPPROTO_IP, on ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP, &mr,
	    sizeof(mr)) < 0) {
		if (on && errno == EADDRINUSE)
			return 0;
		log_warn("rip: %s 224.0.0.9 on ifindex %u", on ? "join" : "leave", ifindex);
		return -1;
	}
	return 0;
}

/*
 * A UDP socket for port, in the SO_REUSEPORT group of the other (both are
 * ours: same user, opened together), not yet bound.  The sending options
 * are the same for both, so an answer leaves as an update would: the
 * interface and source from IP_PKTINFO, TTL 1 for multicast, TTL 255 per
 * datagram for ttl-security (RIP_IO_TTL255), precedence internetwork
 * control.
 */
static int
rip_io_socket(void)
{
	int on = 1, off = 0, ttl = 1, tos = IPTOS_PREC_INTERNETCONTROL;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off));
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
	setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
rip_io_bind(int fd, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	return bind(fd, (struct sockaddr *)&sin, sizeof(sin));
}

/*
 * The answer socket must never receive (nothing reads it).  Unicast is
 * steered away by the group's program (rip_io_open); multicast does not
 * reach it with IP_MULTICAST_ALL off and no membership; a broadcast to the
 * port reaches every socket bound to it, so a filter that keeps nothing
 * drops it.  Both before bind: not a datagram may queue in between.
 */
static int
rip_io_reply_setup(int fd)
{
	int off = 0, sndbuf = RIP_IO_REPLY_SNDBUF, rcvbuf = 0;
	struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = drop };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &off, sizeof(off)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)); /* the kernel's minimum */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	return 0;
}

/*
 * The group's program: every datagram to the first socket of the group,
 * ours.  The kernel numbers a group's sockets in the order they were bound
 * (reuseport_add_sock appends); a socket leaving it is replaced by the
 * last one, and both of ours leave together (rip_io_close).
 */
static int
rip_io_steer(int fd)
{
	struct sock_filter first[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_fprog prog = { .len = 1, .filter = first };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog));
}

struct rip_io *
rip_io_open(struct ev_loop *loop, uint16_t port, rip_io_input_fn input, rip_io_batch_fn batch,
    void *ctx)
{
	struct rip_io *io = calloc(1, sizeof(*io));
	int on = 1, rcvbuf = RIP_IO_RCVBUF, e;

	if (io == NULL)
		return NULL;
	io->reply_fd = -1;
	if ((io->fd = rip_io_socket()) < 0)
		goto fail;
	/* The TTL of every datagram, for ip rip ttl-security (RFC 5082). */
	setsockopt(io->fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	/* A large buffer: a neighbour's full table may arrive as one burst. */
	if (setsockopt(io->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(io->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/*
	 * Ours first: the first socket bound to the port is index 0 of the
	 * group, and the program is in place before the answer socket joins
	 * it, so no unicast datagram is ever handed to that one.
	 */
	if (rip_io_bind(io->fd, port) < 0 || rip_io_steer(io->fd) < 0)
		goto fail;
	if ((io->reply_fd = rip_io_socket()) < 0 || rip_io_reply_setup(io->reply_fd) < 0 ||
	    rip_io_bind(io->reply_fd, port) < 0)
		goto fail;
	io->loop = loop;
	io->input = input;
	io->batch = batch;
	io->ctx = ctx;
	io->tokens = RIP_IO_BURST;
	io->tokens_at = clock_mono_now();
	io->qs[RIP_IO_Q_UPDATE].max = RIP_IO_QUEUE_MAX;
	io->qs[RIP_IO_Q_REPLY].max = RIP_IO_REPLY_QUEUE_MAX;
	ev_io_init(&io->rx, rip_io_read, io->fd, EV_READ);
	io->rx.data = io;
	ev_io_start(loop, &io->rx);
	ev_io_init(&io->reply_wr, rip_io_reply_writable, io->reply_fd, EV_WRITE);
	io->reply_wr.data = io;
	ev_timer_init(&io->pace, rip_io_pace, 0., 0.);
	io->pace.data = io;
	return io;
fail:
	e = errno;
	if (io->reply_fd >= 0)
		close(io->reply_fd);
	if (io->fd >= 0)
		close(io->fd);
	free(io);
	errno = e;
	return NULL;
}

void
rip_io_close(struct rip_io *io)
{
	if (io == NULL)
		return;
	ev_io_stop(io->loop, &io->rx);
	ev_io_stop(io->loop, &io->reply_wr);
	ev_timer_stop(io->loop, &io->pace);
	close(io->reply_fd);
	close(io->fd);
	for (int i = 0; i < RIP_IO_NQ; i++)
		free(io->qs[i].q);
	free(io);
}

void
rip_io_get_stats(const struct rip_io *io, struct rip_io_stats *out)
{
	*out = io->st;
	out->tx_queued = io->qs[RIP_IO_Q_UPDATE].len;
	out->tx_replies_queued = io->qs[RIP_IO_Q_REPLY].len;
}
