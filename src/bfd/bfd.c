/*
 * bfd.c - BFD sessions on real sockets: RFC 5881 single-hop IPv4 around the
 * pure RFC 5880 core in session.c.
 *
 * One receive socket on UDP 3784 for every session (IP_PKTINFO gives the
 * interface, IP_RECVTTL the TTL for the RFC 5881 5 check); per session a
 * send socket bound to (local address, source port 49152-65535), TTL 255,
 * bound to the interface so that a packet to a neighbour leaves on the link
 * the neighbour is on.  The core decides what to send and when; this module
 * only turns its deadlines into one ev_timer per session and its packets
 * into datagrams.  Sockets are non-blocking: a send that would block is a
 * counted tx error, never a stall of the daemon.
 *
 * A session is found by Your Discriminator when the peer knows ours, else by
 * (source address, receiving interface) (RFC 5880 6.3); a packet whose
 * discriminator selects a session on another interface or from another
 * source is dropped as "no session".
 *
 * Authentication: the session core judges a packet with the key chain its
 * session names, from the manager's own copy of the chains (replaced on
 * reload, the sessions re-pointed by name); key lifetimes are wall-clock
 * time, read here, since the core reads no clock.
 */
#include "bfd/bfd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bfd/session.h"
#include "lib/addr.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/prom.h"

#define BFD_RX_MAX_PER_WAKE 256	/* then let the timers run */
#define BFD_SPORT_MIN 49152	/* RFC 5881 4 */
#define BFD_SPORT_MAX 65535
#define BFD_SPORT_TRIES 128
#define BFD_RX_BUF 256		/* Length is one byte: the rest is never read */

struct bfd_sess {
	struct bfd_sess *next;
	struct bfd_mgr *mgr;
	struct bfd_session s;
	uint32_t peer;			/* host order */
	uint32_t local;
	unsigned ifindex;
	char ifname[IF_NAMESIZE];
	uint32_t interval_us;		/* as configured */
	uint8_t mult;
	struct bfd_auth_conf auth;	/* as configured */
	int fd;
	uint16_t sport;
	ev_timer timer;
	enum bfd_diag remote_diag;
	rtime_t created;
	rtime_t since;			/* last state change */
	uint64_t rx_packets;
	uint64_t tx_packets;
	uint64_t tx_errors;
	uint64_t tx_no_key;
	uint64_t rx_drops;		/* rejected by the core */
	uint64_t rx_auth_drops;		/* of which for authentication */
	unsigned busy;			/* inside a callback: free later */
	bool removed;
};

struct bfd_mgr {
	struct ev_loop *loop;
	int fd;
	uint16_t port;
	ev_io rx;
	bfd_event_fn cb;
	void *cb_arg;
	struct bfd_sess *sessions;
	uint32_t next_discr;
	struct keychain_set keys;	/* our copy, for the sessions' auth */
	struct bfd_mgr_stats st;
	struct log_ratelimit rl_tx;
	struct log_ratelimit rl_rx;
};

static uint32_t
bfd_arc4(void *arg)
{
	(void)arg;
	return arc4random();
}

const char *
bfd_diag_short(int diag)
{
	static const char *const names[] = {
		"none", "time-expired", "echo-failed", "neighbor-down", "fwd-reset",
		"path-down", "concat-down", "admin-down", "rev-concat-down",
	};

	if (diag >= 0 && (size_t)diag < sizeof(names) / sizeof(names[0]))
		return names[diag];
	return "unknown";
}

static struct bfd_sess *
bfd_find(const struct bfd_mgr *m, uint32_t peer, unsigned ifindex)
{
	struct bfd_sess *bs;

	for (bs = m->sessions; bs != NULL; bs = bs->next)
		if (!bs->removed && bs->peer == peer && bs->ifindex == ifindex)
			return bs;
	return NULL;
}

static struct bfd_sess *
bfd_find_discr(const struct bfd_mgr *m, uint32_t discr)
{
	struct bfd_sess *bs;

	for (bs = m->sessions; bs != NULL; bs = bs->next)
		if (!bs->removed && bs->s.local_discr == discr)
			return bs;
	return NULL;
}

/* Unique and non-zero, counting up from a random start. */
static uint32_t
bfd_new_discr(struct bfd_mgr *m)
{
	for (;;) {
		uint32_t d = m->next_discr++;
		struct bfd_sess *bs;

		if (d == 0)
			continue;
		for (bs = m->sessions; bs != NULL; bs = bs->next)
			if (bs->s.local_discr == d)
				break;
		if (bs == NULL)
			return d;
	}
}

/*
 * The send socket: bound to (local, random port in 49152-65535) (RFC 5881
 * 4), TTL 255 (RFC 5881 5), and to the interface.  -1 with errno.
 */
static int
bfd_send_socket(uint32_t local, const char *ifname, uint16_t *sport)
{
	int fd, ttl = 255, tos = IPTOS_PREC_INTERNETCONTROL;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(local) };

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0)
		goto fail;
	setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0)
		goto fail;
	for (int i = 0; i < BFD_SPORT_TRIES; i++) {
		uint16_t p = (uint16_t)(BFD_SPORT_MIN +
		    arc4random_uniform(BFD_SPORT_MAX - BFD_SPORT_MIN + 1));

		sin.sin_port = htons(p);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			*sport = p;
			return fd;
		}
		if (errno != EADDRINUSE)
			goto fail;
	}
	errno = EADDRINUSE;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Key lifetimes are wall-clock seconds (lib/keychain.h). */
static int64_t
bfd_wall(void)
{
	return (int64_t)time(NULL);
}

static void
bfd_send(struct bfd_sess *bs)
{
	struct bfd_mgr *m = bs->mgr;
	uint8_t buf[BFD_PKT_MAX];
	struct sockaddr_in to = {
		.sin_family = AF_INET,
		.sin_port = htons(m->port),
		.sin_addr.s_addr = htonl(bs->peer),
	};
	char a[IP4_STRLEN];
	int n;

	n = bfd_session_build(&bs->s, buf, sizeof(buf), bfd_wall());
	if (n == BFD_ERR_NO_KEY) {
		/* RFC 5880 6.7: nothing unauthenticated; the peer times us out. */
		bs->tx_no_key++;
		m->st.tx_no_key++;
		return;
	}
	if (n < 0 || bs->fd < 0) {
		bs->tx_errors++;
		m->st.tx_errors++;
		return;
	}
	if (sendto(bs->fd, buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) != n) {
		bs->tx_errors++;
		m->st.tx_errors++;
		log_rl(&m->rl_tx, clock_mono_now(), LOG_LVL_WARN, "bfd: send to %s on %s: %s",
		    ip4_ntop(bs->peer, a), bs->ifname, strerror(errno));
		return;
	}
	bs->tx_packets++;
	m->st.tx_packets++;
}

static void
bfd_arm(struct bfd_sess *bs)
{
	struct ev_loop *loop = bs->mgr->loop;
	rtime_t d = bfd_session_next_deadline(&bs->s), now;

	ev_timer_stop(loop, &bs->timer);
	if (d == RTIME_NEVER)
		return;
	/* libev counts from its cached loop time: bring it up to date. */
	ev_now_update(loop);
	now = clock_mono_now();
	ev_timer_set(&bs->timer, d > now ? (double)(d - now) / RTIME_SEC : 0., 0.);
	ev_timer_start(loop, &bs->timer);
}

static void
bfd_free(struct bfd_sess *bs)
{
	struct bfd_sess **pp;

	for (pp = &bs->mgr->sessions; *pp != NULL; pp = &(*pp)->next)
		if (*pp == bs) {
			*pp = bs->next;
			break;
		}
	free(bs);
}

static void
bfd_report(struct bfd_sess *bs, enum bfd_state from, rtime_t now)
{
	struct bfd_mgr *m = bs->mgr;
	struct bfd_event ev = {
		.peer = bs->peer,
		.local = bs->local,
		.ifindex = bs->ifindex,
		.from = from,
		.to = bs->s.state,
		.diag = bs->s.local_diag,
		.remote_state = bs->s.remote_state,
		.remote_diag = bs->remote_diag,
	};
	char a[IP4_STRLEN];

	bs->since = now;
	log_debug("bfd: session %s on %s, state %s -> %s (diag %s, remote %s/%s)",
	    ip4_ntop(bs->peer, a), bs->ifname, bfd_state_name(from),
	    bfd_state_name(bs->s.state), bfd_diag_short(bs->s.local_diag),
	    bfd_state_name(bs->s.remote_state), bfd_diag_short(bs->remote_diag));
	if (m->cb != NULL)
		m->cb(m->cb_arg, &ev);
}

/*
 * Run the core's timers (which also sends what input asked for: a state
 * change or a Poll moves the tx deadline to now), report the changes, arm
 * the timer.  from_in/changed_in: a transition made by input just before.
 */
static void
bfd_run(struct bfd_sess *bs, rtime_t now, enum bfd_state from_in, bool changed_in)
{
	enum bfd_state mid = bs->s.state;
	int r;

	r = bfd_session_timer(&bs->s, now);
	if (r & BFD_SEND)
		bfd_send(bs);
	bfd_arm(bs);

	/* The callback may remove this session: keep it until we are done. */
	bs->busy++;
	if (changed_in)
		bfd_report(bs, from_in, now);
	if ((r & BFD_CHANGED) && !bs->removed)
		bfd_report(bs, mid, now);
	bs->busy--;
	if (bs->removed && bs->busy == 0)
		bfd_free(bs);
}

static void
bfd_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct bfd_sess *bs = w->data;

	(void)loop;
	(void)revents;
	bfd_run(bs, clock_mono_now(), bs->s.state, false);
}

static void
bfd_input(struct bfd_mgr *m, const uint8_t *buf, size_t len, uint32_t src, unsigned ifindex,
    int ttl)
{
	struct bfd_pkt p;
	struct bfd_sess *bs;
	enum bfd_state from;
	rtime_t now;
	int r;

	/* RFC 5881 5: GTSM, only a neighbour one hop away can send TTL 255. */
	if (ttl != 255) {
		m->st.drop_ttl++;
		return;
	}
	r = bfd_pkt_decode(buf, len, &p);
	if (r < 0) {
		if (-r < BFD_ERR_COUNT)
			m->st.drop_decode[-r]++;
		return;
	}
	/* RFC 5880 6.3 */
	if (p.your_discr != 0) {
		bs = bfd_find_discr(m, p.your_discr);
		if (bs != NULL && (bs->peer != src || bs->ifindex != ifindex))
			bs = NULL;
	} else {
		bs = bfd_find(m, src, ifindex);
	}
	if (bs == NULL) {
		m->st.drop_no_session++;
		return;
	}
	now = clock_mono_now();
	from = bs->s.state;
	r = bfd_session_receive(&bs->s, &p, buf, bfd_wall(), now);
	if (r < 0) {
		bs->rx_drops++;
		if (r == BFD_ERR_AUTH || (r <= BFD_ERR_AUTH_LEN && r >= BFD_ERR_AUTH_SEQ))
			bs->rx_auth_drops++;
		if (-r < BFD_ERR_COUNT)
			m->st.drop_decode[-r]++;
		return;
	}
	bs->rx_packets++;
	bs->remote_diag = (enum bfd_diag)p.diag;
	bfd_run(bs, now, from, r > 0);
}

static void
bfd_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct bfd_mgr *m = w->data;
	uint8_t buf[BFD_RX_BUF];
	uint8_t cbuf[CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int))];

	(void)loop;
	(void)revents;
	for (int i = 0; i < BFD_RX_MAX_PER_WAKE; i++) {
		struct sockaddr_in from;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr mh = {
			.msg_name = &from,
			.msg_namelen = sizeof(from),
			.msg_iov = &iov,
			.msg_iovlen = 1,
			.msg_control = cbuf,
			.msg_controllen = sizeof(cbuf),
		};
		unsigned ifindex = 0;
		int ttl = -1;
		ssize_t n;

		n = recvmsg(m->fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_rl(&m->rl_rx, clock_mono_now(), LOG_LVL_WARN,
				    "bfd: recvmsg: %s", strerror(errno));
			return;
		}
		m->st.rx_packets++;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != IPPROTO_IP)
				continue;
			if (c->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;

				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ifindex = (unsigned)pi.ipi_ifindex;
			} else if (c->cmsg_type == IP_TTL) {
				memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			}
		}
		if (ifindex == 0 || from.sin_family != AF_INET) {
			m->st.drop_no_session++;
			continue;
		}
		bfd_input(m, buf, (size_t)n, ntohl(from.sin_addr.s_addr), ifindex, ttl);
	}
}

struct bfd_mgr *
bfd_mgr_open(struct ev_loop *loop, uint16_t port, bfd_event_fn cb, void *arg)
{
	struct bfd_mgr *m = calloc(1, sizeof(*m));
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int on = 1, e;

	if (m == NULL)
		return NULL;
	m->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->fd < 0)
		goto fail;
	if (setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0 ||
	    setsockopt(m->fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) < 0 ||
	    setsockopt(m->fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on)) < 0 ||
	    bind(m->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		goto fail;
	m->loop = loop;
	m->port = port;
	m->cb = cb;
	m->cb_arg = arg;
	m->next_discr = arc4random();
	m->rl_tx = (struct log_ratelimit)LOG_RATELIMIT_INIT(5);
	m->rl_rx = (struct log_ratelimit)LOG_RATELIMIT_INIT(5);
	ev_io_init(&m->rx, bfd_read_cb, m->fd, EV_READ);
	m->rx.data = m;
	ev_io_start(loop, &m->rx);
	return m;
fail:
	e = errno;
	if (m->fd >= 0)
		close(m->fd);
	free(m);
	errno = e;
	return NULL;
}

/* RFC 5880 6.8.16: tell the peer we stop on purpose, then let go. */
static void
bfd_stop(struct bfd_sess *bs)
{
	rtime_t now = clock_mono_now();

	if (bfd_session_admin(&bs->s, true, now) > 0)
		bfd_send(bs);
	ev_timer_stop(bs->mgr->loop, &bs->timer);
	if (bs->fd >= 0)
		close(bs->fd);
	bs->fd = -1;
	bs->removed = true;
	if (bs->busy == 0)
		bfd_free(bs);
}

/* Not from inside the event callback: the manager is gone afterwards. */
void
bfd_mgr_close(struct bfd_mgr *m)
{
	struct bfd_sess *bs;

	if (m == NULL)
		return;
	while ((bs = m->sessions) != NULL) {
		m->sessions = bs->next;
		if (!bs->removed) {
			if (bfd_session_admin(&bs->s, true, clock_mono_now()) > 0)
				bfd_send(bs);
			ev_timer_stop(m->loop, &bs->timer);
			if (bs->fd >= 0)
				close(bs->fd);
		}
		free(bs);
	}
	ev_io_stop(m->loop, &m->rx);
	close(m->fd);
	keychain_set_free(&m->keys);
	free(m);
}

/* The session's bfd_auth_cfg: its type and its chain in our copy. */
static struct bfd_auth_cfg
bfd_auth_of(const struct bfd_mgr *m, const struct bfd_auth_conf *ac)
{
	struct bfd_auth_cfg a = { .type = ac->type, .chain = NULL };

	if (ac->type != BFD_AUTH_NONE)
		a.chain = keychain_find(&m->keys, ac->keychain);
	return a;
}

int
bfd_mgr_keychains(struct bfd_mgr *m, const struct keychain_set *set)
{
	struct keychain_set old = m->keys, fresh;
	struct bfd_sess *bs;

	if (keychain_set_dup(&fresh, set) != 0) {
		errno = ENOMEM;
		return -1;
	}
	m->keys = fresh;
	for (bs = m->sessions; bs != NULL; bs = bs->next) {
		struct bfd_auth_cfg a = bfd_auth_of(m, &bs->auth);

		bfd_session_set_auth(&bs->s, &a);
	}
	keychain_set_free(&old);
	return 0;
}

int
bfd_mgr_add(struct bfd_mgr *m, uint32_t peer, uint32_t local, unsigned ifindex,
    uint32_t interval_us, uint8_t mult, const struct bfd_auth_conf *auth)
{
	static const struct bfd_auth_conf no_auth;
	struct bfd_sess *bs = bfd_find(m, peer, ifindex);
	char ifname[IF_NAMESIZE];
	rtime_t now = clock_mono_now();
	uint16_t sport;
	int fd;

	if (interval_us == 0 || mult == 0 || peer == 0 || local == 0) {
		errno = EINVAL;
		return -1;
	}
	if (auth == NULL)
		auth = &no_auth;
	if (if_indextoname(ifindex, ifname) == NULL)
		return -1;
	if (bs != NULL) {
		/* A new local address or interface name: a new send socket. */
		if (bs->local != local || strcmp(bs->ifname, ifname) != 0) {
			fd = bfd_send_socket(local, ifname, &sport);
			if (fd < 0)
				return -1;
			close(bs->fd);
			bs->fd = fd;
			bs->sport = sport;
			bs->local = local;
			memcpy(bs->ifname, ifname, sizeof(ifname));
		}
		if (bs->auth.type != auth->type ||
		    strcmp(bs->auth.keychain, auth->keychain) != 0) {
			struct bfd_auth_cfg a;

			bs->auth = *auth;
			a = bfd_auth_of(m, &bs->auth);
			bfd_session_set_auth(&bs->s, &a);
		}
		if (bs->interval_us == interval_us && bs->mult == mult)
			return 0;
		bs->interval_us = interval_us;
		bs->mult = mult;
		/* RFC 5880 6.8.3: the core runs the poll sequence. */
		bfd_session_set_timers(&bs->s, interval_us, interval_us, mult, now);
		bfd_arm(bs);
		return 0;
	}

	fd = bfd_send_socket(local, ifname, &sport);
	if (fd < 0)
		return -1;
	bs = calloc(1, sizeof(*bs));
	if (bs == NULL) {
		close(fd);
		errno = ENOMEM;
		return -1;
	}
	struct bfd_cfg cfg = {
		.desired_min_tx = interval_us,
		.required_min_rx = interval_us,
		.detect_mult = mult,
		.auth = bfd_auth_of(m, auth),
		.rnd = bfd_arc4,
	};
	bs->mgr = m;
	bs->peer = peer;
	bs->local = local;
	bs->ifindex = ifindex;
	memcpy(bs->ifname, ifname, sizeof(ifname));
	bs->interval_us = interval_us;
	bs->mult = mult;
	bs->auth = *auth;
	bs->fd = fd;
	bs->sport = sport;
	bs->created = bs->since = now;
	bs->remote_diag = BFD_DIAG_NONE;
	bfd_session_init(&bs->s, &cfg, bfd_new_discr(m), now);
	ev_timer_init(&bs->timer, bfd_timer_cb, 0., 0.);
	bs->timer.data = bs;
	bs->next = m->sessions;
	m->sessions = bs;
	/* The first Down goes out at once. */
	bfd_arm(bs);
	return 0;
}

void
bfd_mgr_remove(struct bfd_mgr *m, uint32_t peer, unsigned ifindex)
{
	struct bfd_sess *bs = bfd_find(m, peer, ifindex);

	if (bs != NULL)
		bfd_stop(bs);
}

void
bfd_mgr_remove_iface(struct bfd_mgr *m, unsigned ifindex)
{
	struct bfd_sess *bs, *next;

	for (bs = m->sessions; bs != NULL; bs = next) {
		next = bs->next;
		if (!bs->removed && bs->ifindex == ifindex)
			bfd_stop(bs);
	}
}

bool
bfd_mgr_state(const struct bfd_mgr *m, uint32_t peer, unsigned ifindex, enum bfd_state *state)
{
	const struct bfd_sess *bs = bfd_find(m, peer, ifindex);

	if (bs == NULL)
		return false;
	if (state != NULL)
		*state = bs->s.state;
	return true;
}

void
bfd_mgr_stats(const struct bfd_mgr *m, struct bfd_mgr_stats *st)
{
	const struct bfd_sess *bs;

	*st = m->st;
	st->sessions = st->sessions_up = 0;
	for (bs = m->sessions; bs != NULL; bs = bs->next) {
		if (bs->removed)
			continue;
		st->sessions++;
		if (bs->s.state == BFD_STATE_UP)
			st->sessions_up++;
	}
}

/* The transmit interval in use, before jitter (RFC 5880 6.8.7). */
static uint32_t
bfd_tx_ival(const struct bfd_sess *bs)
{
	return bs->s.tx_used > bs->s.remote_min_rx ? bs->s.tx_used : bs->s.remote_min_rx;
}

/* The detection time: meaningful once the peer has spoken (RFC 5880 6.8.4). */
static rtime_t
bfd_detect(const struct bfd_sess *bs)
{
	return bs->s.remote_discr != 0 ? bs->s.detect_time : 0;
}

/* Every time field in milliseconds, named *_ms, like all of riposted's JSON. */
static void
bfd_show_json(const struct bfd_mgr *m, FILE *out, rtime_t now)
{
	struct json_w w;
	const struct bfd_sess *bs;
	char a[IP4_STRLEN];

	json_init(&w, out);
	json_obj_begin(&w);
	json_key(&w, "sessions");
	json_arr_begin(&w);
	for (bs = m->sessions; bs != NULL; bs = bs->next) {
		if (bs->removed)
			continue;
		json_obj_begin(&w);
		json_key(&w, "peer");
		json_str(&w, ip4_ntop(bs->peer, a));
		json_key(&w, "interface");
		json_str(&w, bs->ifname);
		json_key(&w, "ifindex");
		json_uint(&w, bs->ifindex);
		json_key(&w, "local");
		json_str(&w, ip4_ntop(bs->local, a));
		json_key(&w, "source_port");
		json_uint(&w, bs->sport);
		json_key(&w, "state");
		json_str(&w, bfd_state_name(bs->s.state));
		json_key(&w, "remote_state");
		json_str(&w, bfd_state_name(bs->s.remote_state));
		json_key(&w, "diag");
		json_str(&w, bfd_diag_short(bs->s.local_diag));
		json_key(&w, "remote_diag");
		json_str(&w, bfd_diag_short(bs->remote_diag));
		json_key(&w, "local_discr");
		json_uint(&w, bs->s.local_discr);
		json_key(&w, "remote_discr");
		json_uint(&w, bs->s.remote_discr);
		json_key(&w, "interval_ms");
		json_uint(&w, bs->interval_us / 1000);
		json_key(&w, "detect_mult");
		json_uint(&w, bs->s.detect_mult);
		json_key(&w, "remote_detect_mult");
		json_uint(&w, bs->s.remote_detect_mult);
		json_key(&w, "tx_interval_ms");
		json_uint(&w, bfd_tx_ival(bs) / 1000);
		json_key(&w, "detect_time_ms");
		json_int(&w, bfd_detect(bs) / RTIME_MS);
		json_key(&w, "poll");
		json_bool(&w, bs->s.poll_active);
		json_key(&w, "authentication");
		json_str(&w, bfd_auth_type_name(bs->auth.type));
		if (bs->auth.type != BFD_AUTH_NONE) {
			json_key(&w, "key_chain");
			json_str(&w, bs->auth.keychain);
		}
		json_key(&w, "age_ms");
		json_int(&w, (now - bs->created) / RTIME_MS);
		json_key(&w, "since_ms");
		json_int(&w, (now - bs->since) / RTIME_MS);
		json_key(&w, "transitions");
		json_uint(&w, bs->s.transitions);
		json_key(&w, "rx_packets");
		json_uint(&w, bs->rx_packets);
		json_key(&w, "rx_drops");
		json_uint(&w, bs->rx_drops);
		json_key(&w, "rx_auth_drops");
		json_uint(&w, bs->rx_auth_drops);
		json_key(&w, "tx_packets");
		json_uint(&w, bs->tx_packets);
		json_key(&w, "tx_errors");
		json_uint(&w, bs->tx_errors);
		json_key(&w, "tx_no_key");
		json_uint(&w, bs->tx_no_key);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_key(&w, "rx_packets");
	json_uint(&w, m->st.rx_packets);
	json_key(&w, "tx_packets");
	json_uint(&w, m->st.tx_packets);
	json_key(&w, "tx_errors");
	json_uint(&w, m->st.tx_errors);
	json_key(&w, "tx_no_key");
	json_uint(&w, m->st.tx_no_key);
	json_key(&w, "drops");
	json_obj_begin(&w);
	json_key(&w, "ttl not 255");
	json_uint(&w, m->st.drop_ttl);
	json_key(&w, "no session");
	json_uint(&w, m->st.drop_no_session);
	for (int i = 1; i < BFD_ERR_COUNT; i++) {
		if (m->st.drop_decode[i] == 0)
			continue;
		json_key(&w, bfd_err_str(-i));
		json_uint(&w, m->st.drop_decode[i]);
	}
	json_obj_end(&w);
	json_obj_end(&w);
	json_end(&w);
}

void
bfd_mgr_show(const struct bfd_mgr *m, FILE *out, bool json, rtime_t now)
{
	const struct bfd_sess *bs;
	char p[IP4_STRLEN], l[IP4_STRLEN];

	if (json) {
		bfd_show_json(m, out, now);
		return;
	}
	fprintf(out, "%-15s %-12s %-15s %-9s %-9s %-13s %7s %9s %8s  %-14s %s\n", "Peer",
	    "Interface", "Local", "State", "Remote", "Diag", "Tx(ms)", "Detect(ms)", "Since",
	    "Rx/Tx/TxErr", "Auth");
	for (bs = m->sessions; bs != NULL; bs = bs->next) {
		if (bs->removed)
			continue;
		char rtx[64];

		snprintf(rtx, sizeof(rtx), "%llu/%llu/%llu", (unsigned long long)bs->rx_packets,
		    (unsigned long long)bs->tx_packets, (unsigned long long)bs->tx_errors);
		fprintf(out, "%-15s %-12s %-15s %-9s %-9s %-13s %7u %9lld %7llds  %-14s %s\n",
		    ip4_ntop(bs->peer, p), bs->ifname, ip4_ntop(bs->local, l),
		    bfd_state_name(bs->s.state), bfd_state_name(bs->s.remote_state),
		    bfd_diag_short(bs->s.local_diag), bfd_tx_ival(bs) / 1000,
		    (long long)(bfd_detect(bs) / RTIME_MS),
		    (long long)((now - bs->since) / RTIME_SEC), rtx,
		    bfd_auth_type_name(bs->auth.type));
	}
	if (m->st.tx_no_key != 0)
		fprintf(out, "    packets not sent for want of a key: %llu\n",
		    (unsigned long long)m->st.tx_no_key);
	if (m->st.drop_ttl != 0)
		fprintf(out, "    dropped packets ttl not 255: %llu\n",
		    (unsigned long long)m->st.drop_ttl);
	if (m->st.drop_no_session != 0)
		fprintf(out, "    dropped packets no session: %llu\n",
		    (unsigned long long)m->st.drop_no_session);
	for (int i = 1; i < BFD_ERR_COUNT; i++)
		if (m->st.drop_decode[i] != 0)
			fprintf(out, "    dropped packets %s: %llu\n", bfd_err_str(-i),
			    (unsigned long long)m->st.drop_decode[i]);
}

/*
 * Prometheus: sessions by state (every state, zeros included, so that
 * "sessions not up" is a plain query), each session's state and
 * transitions, and the manager's packet counters.
 */
void
bfd_mgr_metrics(const struct bfd_mgr *m, struct prom_w *w)
{
	static const enum bfd_state states[] = {
		BFD_STATE_ADMINDOWN, BFD_STATE_DOWN, BFD_STATE_INIT, BFD_STATE_UP,
	};
	uint64_t by_state[4] = { 0 };
	const struct bfd_sess *bs;
	char p[IP4_STRLEN];

	for (bs = m != NULL ? m->sessions : NULL; bs != NULL; bs = bs->next)
		if (!bs->removed && (unsigned)bs->s.state < 4)
			by_state[bs->s.state]++;
	prom_family(w, "riposte_bfd_sessions", PROM_GAUGE, "BFD sessions, by local state.");
	for (size_t i = 0; i < 4; i++)
		prom_u64(w, "", by_state[states[i]], "state", bfd_state_name(states[i]), NULL);
	prom_family(w, "riposte_bfd_session_up", PROM_GAUGE, "1 while the BFD session is up.");
	for (bs = m != NULL ? m->sessions : NULL; bs != NULL; bs = bs->next)
		if (!bs->removed)
			prom_u64(w, "", bs->s.state == BFD_STATE_UP, "peer", ip4_ntop(bs->peer, p),
			    "interface", bs->ifname, NULL);
	prom_family(w, "riposte_bfd_session_transitions", PROM_COUNTER,
	    "State changes of the BFD session.");
	for (bs = m != NULL ? m->sessions : NULL; bs != NULL; bs = bs->next)
		if (!bs->removed)
			prom_u64(w, "", bs->s.transitions, "peer", ip4_ntop(bs->peer, p),
			    "interface", bs->ifname, NULL);
	if (m == NULL)
		return;
	struct bfd_mgr_stats st;
	uint64_t decode = 0;
	bfd_mgr_stats(m, &st);
	for (int i = 1; i < BFD_ERR_COUNT; i++)
		decode += st.drop_decode[i];
	prom_family(w, "riposte_bfd_packets_received", PROM_COUNTER, "BFD packets received.");
	prom_u64(w, "", st.rx_packets, NULL);
	prom_family(w, "riposte_bfd_packets_sent", PROM_COUNTER, "BFD packets sent.");
	prom_u64(w, "", st.tx_packets, NULL);
	prom_family(w, "riposte_bfd_send_errors", PROM_COUNTER, "BFD packets that failed to go out.");
	prom_u64(w, "", st.tx_errors, NULL);
	prom_family(w, "riposte_bfd_not_sent_no_key", PROM_COUNTER,
	    "BFD packets not sent because no key of the chain may sign now.");
	prom_u64(w, "", st.tx_no_key, NULL);
	prom_family(w, "riposte_bfd_packet_drops", PROM_COUNTER,
	    "BFD packets dropped, by reason (ttl: not 255, RFC 5881 5; no_session; invalid: "
	    "decoding or authentication).");
	prom_u64(w, "", st.drop_ttl, "reason", "ttl", NULL);
	prom_u64(w, "", st.drop_no_session, "reason", "no_session", NULL);
	prom_u64(w, "", decode, "reason", "invalid", NULL);
}
