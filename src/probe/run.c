/*
 * run.c - riposte-probe's measuring loop: schedule, socket, signals and
 * the CSV.  See run.h; the pure parts are window.c, reply.c, summary.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "run.h"
#include "window.h"

#define BATCH 64                  /* datagrams per sendmmsg / recvmmsg */
#define SEND_BUDGET 1024          /* queries sent before we look at replies again */
#define RECV_BUF 4096
#define FLUSH_NS 100000000LL      /* CSV flushed at most 100 ms after a line */
#define SLIP_NS 1000000000LL      /* further behind than this: restart the schedule */

static volatile sig_atomic_t got_signal;

static void
on_signal(int sig)
{
	(void)sig;
	if (got_signal < 2)
		got_signal++;
}

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t
real_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

struct run {
	const struct probe_run_conf *conf;
	struct probe_sum *sum;
	struct probe_run_stats *st;
	struct probe_win win;
	int fd;
	int64_t t0_ns;           /* when query 0 was due */
	double interval_ns;
	uint64_t end_seq;        /* no query from this seq on */
	int64_t last_real;       /* sent_us never goes backwards */
	bool want_out;           /* the socket buffer was full: wait for POLLOUT */
	int64_t flush_at;        /* 0: nothing unflushed */
	bool csv_failed;
	uint8_t sbuf[BATCH][PROBE_QUERY_MAX];
	size_t qlen;
	struct mmsghdr smsg[BATCH];
	struct iovec siov[BATCH];
	uint8_t rbuf[BATCH][RECV_BUF];
	struct mmsghdr rmsg[BATCH];
	struct iovec riov[BATCH];
};

static int64_t
due_ns(const struct run *r, uint64_t seq)
{
	return r->t0_ns + (int64_t)((double)seq * r->interval_ns);
}

/* "192.0.2.1@53", "[2001:db8::1]@53" */
static const char *
addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s@%u", host, ntohs(sin->sin_port));
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]@%u", host, ntohs(sin6->sin6_port));
	}
	return buf;
}

static int
open_socket(const struct probe_run_conf *conf)
{
	int fd, one = 1, rcv = 4 << 20, snd = 1 << 20;
	char a[INET6_ADDRSTRLEN + 10];

	if ((fd = socket(conf->dst.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0) {
		fprintf(stderr, "riposte-probe: socket: %s\n", strerror(errno));
		return -1;
	}
	/* Room for a burst of replies; as root beyond net.core.rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (conf->src_len > 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (const struct sockaddr *)&conf->src, conf->src_len) != 0) {
			fprintf(stderr, "riposte-probe: bind %s: %s\n",
			    addr_str(&conf->src, a, sizeof(a)), strerror(errno));
			close(fd);
			return -1;
		}
	}
	/* Connected: the kernel drops datagrams from any other address and port. */
	if (connect(fd, (const struct sockaddr *)&conf->dst, conf->dst_len) != 0) {
		fprintf(stderr, "riposte-probe: connect to %s: %s\n",
		    addr_str(&conf->dst, a, sizeof(a)), strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Hand every complete line, in seq order, to the CSV and the summary. */
static void
drain_lines(struct run *r, int64_t now)
{
	struct probe_rec rec;
	char line[PROBE_CSV_LINE_MAX];

	while (probe_win_pop(&r->win, &rec) == 1) {
		probe_sum_add(r->sum, &rec);
		if (r->conf->csv == NULL || r->csv_failed)
			continue;
		if (probe_csv_format(&rec, line, sizeof(line)) < 0 ||
		    fputs(line, r->conf->csv) == EOF) {
			r->csv_failed = true;
			continue;
		}
		if (r->flush_at == 0)
			r->flush_at = now + FLUSH_NS;
	}
}

static void
flush_csv(struct run *r)
{
	if (r->conf->csv != NULL && !r->csv_failed && fflush(r->conf->csv) != 0)
		r->csv_failed = true;
	r->flush_at = 0;
}

static void
receive(struct run *r)
{
	struct probe_reply rep;

	for (;;) {
		for (int i = 0; i < BATCH; i++) {
			r->riov[i].iov_base = r->rbuf[i];
			r->riov[i].iov_len = RECV_BUF;
			memset(&r->rmsg[i].msg_hdr, 0, sizeof(r->rmsg[i].msg_hdr));
			r->rmsg[i].msg_hdr.msg_iov = &r->riov[i];
			r->rmsg[i].msg_hdr.msg_iovlen = 1;
		}
		int n = recvmmsg(r->fd, r->rmsg, BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH) {
				/* An ICMP error for an earlier query; that query times out. */
				r->st->icmp_errors++;
				continue;
			}
			return;
		}
		int64_t mono = mono_ns() / 1000;
		for (int i = 0; i < n; i++) {
			int rc = probe_reply_parse(r->rbuf[i], r->rmsg[i].msg_len, &r->conf->q, &rep);
			if (rc == PROBE_REPLY_QUESTION) {
				r->st->wrong_question++;
				continue;
			}
			if (rc != PROBE_REPLY_OK || (r->rmsg[i].msg_hdr.msg_flags & MSG_TRUNC)) {
				r->st->malformed++;
				continue;
			}
			probe_win_reply(&r->win, &rep, mono);
		}
		if (n < BATCH)
			return;
	}
}

/* Register k queries as sent now. */
static void
mark_sent(struct run *r, int k)
{
	int64_t mono = mono_ns() / 1000, real = real_us();

	if (real < r->last_real)
		real = r->last_real;
	r->last_real = real;
	for (int i = 0; i < k; i++)
		probe_win_send(&r->win, mono, real);
	r->st->sent += (uint64_t)k;
}

/* Send every query that is due, in batches. */
static void
send_due(struct run *r, int64_t now)
{
	int budget = SEND_BUDGET, refused = 0;

	if (r->win.next < r->end_seq && now - due_ns(r, r->win.next) > SLIP_NS) {
		double behind = (double)(now - due_ns(r, r->win.next)) / 1e9;
		fprintf(stderr, "riposte-probe: %.1f s behind the schedule (stopped or starved?); "
		    "restarting it from now\n", behind);
		r->st->slips++;
		r->t0_ns = now - (int64_t)((double)r->win.next * r->interval_ns);
	}
	r->want_out = false;
	while (budget > 0 && r->win.next < r->end_seq && !probe_win_full(&r->win)) {
		int n = 0;
		while (n < BATCH && n < budget && r->win.next + (uint64_t)n < r->end_seq &&
		    r->win.next + (uint64_t)n - r->win.head <= r->win.mask &&
		    due_ns(r, r->win.next + (uint64_t)n) <= now) {
			uint16_t id = (uint16_t)(probe_win_next_id(&r->win) + n);
			r->sbuf[n][0] = (uint8_t)(id >> 8);
			r->sbuf[n][1] = (uint8_t)id;
			n++;
		}
		if (n == 0)
			return;
		int k = sendmmsg(r->fd, r->smsg, (unsigned)n, MSG_DONTWAIT);
		if (k > 0) {
			mark_sent(r, k);
			budget -= k;
			refused = 0;
			continue;
		}
		if (k < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			r->want_out = true;
			return;
		}
		if (k < 0 && errno == EINTR)
			return;
		if (k < 0 && errno == ECONNREFUSED && refused++ == 0) {
			/* The report of an earlier query's ICMP error: this one was not sent. */
			r->st->icmp_errors++;
			continue;
		}
		/* No route, refused again, ...: the query is lost, and times out. */
		r->st->send_errors++;
		r->st->last_send_errno = k < 0 ? errno : 0;
		mark_sent(r, 1);
		budget--;
		refused = 0;
	}
}

static void
setup_batches(struct run *r, const uint8_t *tmpl)
{
	for (int i = 0; i < BATCH; i++) {
		memcpy(r->sbuf[i], tmpl, r->qlen);
		r->siov[i].iov_base = r->sbuf[i];
		r->siov[i].iov_len = r->qlen;
		memset(&r->smsg[i], 0, sizeof(r->smsg[i]));
		r->smsg[i].msg_hdr.msg_iov = &r->siov[i];
		r->smsg[i].msg_hdr.msg_iovlen = 1;
	}
}

/* Smallest power of two >= n, within 1024..PROBE_WIN_MAX. */
static size_t
window_cap(double n)
{
	size_t cap = 1024;

	while (cap < PROBE_WIN_MAX && (double)cap < n)
		cap *= 2;
	return cap;
}

int
probe_run(const struct probe_run_conf *conf, struct probe_sum *sum, struct probe_run_stats *st)
{
	struct run *r;
	uint8_t tmpl[PROBE_QUERY_MAX];
	uint16_t id_base = 0;
	int qlen, rc = 0;
	sigset_t block, orig;
	struct sigaction sa, old_int, old_term;

	memset(st, 0, sizeof(*st));
	if ((qlen = probe_query_build(&conf->q, 0, tmpl, sizeof(tmpl))) < 0) {
		fprintf(stderr, "riposte-probe: the query does not fit %d bytes\n", PROBE_QUERY_MAX);
		return -1;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		fprintf(stderr, "riposte-probe: out of memory\n");
		return -1;
	}
	r->conf = conf;
	r->sum = sum;
	r->st = st;
	r->qlen = (size_t)qlen;
	r->interval_ns = 1e9 / conf->rate;
	r->end_seq = UINT64_MAX;
	if (conf->duration_us > 0)
		r->end_seq = (uint64_t)ceil((double)conf->duration_us * 1000.0 / r->interval_ns - 1e-6);
	setup_batches(r, tmpl);
	/* Twice what can be in flight, for the lines waiting for an older query. */
	double inflight = conf->rate * (double)conf->timeout_us / 1e6 + 2 * SEND_BUDGET;
	if (getrandom(&id_base, sizeof(id_base), 0) != sizeof(id_base))
		id_base = (uint16_t)(getpid() ^ mono_ns());
	if (probe_win_init(&r->win, window_cap(2 * inflight), id_base, conf->timeout_us) != 0) {
		fprintf(stderr, "riposte-probe: out of memory\n");
		free(r);
		return -1;
	}
	if ((r->fd = open_socket(conf)) < 0) {
		probe_win_free(&r->win);
		free(r);
		return -1;
	}

	/* Signals only while ppoll() waits: no race between a check and the wait. */
	got_signal = 0;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigset_t waitmask = orig;
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);

	bool stopping = false;
	r->t0_ns = mono_ns();
	for (;;) {
		if (got_signal >= 1 && !stopping) {
			stopping = true;
			if (r->end_seq > r->win.next)
				r->end_seq = r->win.next;
		}
		if (got_signal >= 2)
			probe_win_abandon(&r->win);
		receive(r);
		int64_t now = mono_ns();
		probe_win_expire(&r->win, now / 1000);
		drain_lines(r, now);
		if (r->win.next >= r->end_seq && r->win.head == r->win.next)
			break;
		send_due(r, now);
		now = mono_ns();
		if (r->flush_at != 0 && now >= r->flush_at)
			flush_csv(r);
		if (r->csv_failed) {
			fprintf(stderr, "riposte-probe: cannot write the CSV: %s\n", strerror(errno));
			rc = 1;
			break;
		}

		/* Sleep until the next query is due, a timeout, a flush, or a reply. */
		int64_t wake = INT64_MAX, d;
		if (r->win.next < r->end_seq && !probe_win_full(&r->win) && !r->want_out)
			wake = due_ns(r, r->win.next);
		if ((d = probe_win_deadline(&r->win)) != INT64_MAX && d * 1000 < wake)
			wake = d * 1000;
		if (r->flush_at != 0 && r->flush_at < wake)
			wake = r->flush_at;
		struct pollfd pfd = { .fd = r->fd, .events = POLLIN | (r->want_out ? POLLOUT : 0) };
		struct timespec ts, *tsp = NULL;
		if (wake != INT64_MAX) {
			int64_t wait = wake - now;
			if (wait < 0)
				wait = 0;
			ts.tv_sec = (time_t)(wait / 1000000000LL);
			ts.tv_nsec = (long)(wait % 1000000000LL);
			tsp = &ts;
		}
		ppoll(&pfd, 1, tsp, &waitmask);
	}
	if (!r->csv_failed)
		flush_csv(r);
	if (r->csv_failed && rc == 0) {
		fprintf(stderr, "riposte-probe: cannot write the CSV: %s\n", strerror(errno));
		rc = 1;
	}
	st->elapsed_us = (mono_ns() - r->t0_ns) / 1000;
	st->late = r->win.late;
	st->unmatched = r->win.unmatched;
	st->duplicate = r->win.duplicate;
	sum->late += r->win.late;
	probe_sum_finish(sum);

	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	close(r->fd);
	probe_win_free(&r->win);
	free(r);
	return rc;
}
