/*
 * kr.c - the kernel behind a tiny API: rtnetlink through libmnl.
 *
 * This file owns the two NETLINK_ROUTE sockets of riposted and everything
 * that crosses them:
 *
 *  - the request socket: route and address changes (every request carries
 *    NLM_F_ACK and a sequence number; the acks are read synchronously) and
 *    the dumps of kr_dump() and kr_flush_ours();
 *  - the monitor socket: non-blocking, subscribed to link, IPv4 address and
 *    IPv4 route notifications, with a large receive buffer; an overrun
 *    (ENOBUFS) is recovered by a full re-dump, and what the dump no longer
 *    shows is reported as deleted (krview.h keeps what was reported).
 *
 * Requests go through one queue.  Outside a batch a request is queued and
 * flushed at once, so the call is synchronous.  Inside a batch (and while a
 * dump is being read) requests accumulate and are sent many per sendmsg();
 * the acks of each chunk are collected before the next chunk goes out, so
 * the request socket never holds more than one chunk of acks.
 *
 * Kernel route key.  On Linux IPv4 a route is keyed by (table, prefix, tos,
 * priority): replacing with a different RTA_PRIORITY adds a second route
 * instead of replacing the first.  We therefore install every route of ours
 * with one constant priority (KR_PRIORITY, as zebra does with its fixed
 * metric 20) and keep the RIP metric out of the kernel key.  Then
 * NLM_F_CREATE|NLM_F_REPLACE replaces atomically in place: there is never a
 * moment without a route and never two routes of ours for one prefix, and
 * no local mirror is needed to remember the old key.
 *
 * Everything the kernel sends is parsed with bounds checks (mnl_attr_parse
 * with a type policy, rtnexthop lengths checked by hand); malformed
 * messages are skipped and counted.  Datagrams not sent by the kernel
 * (nl_pid != 0) are dropped: any local process may unicast to our sockets.
 */
#include "kr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../lib/clock.h"
#include "../lib/log.h"
#include "krview.h"

/* RTA_PRIORITY of every route of ours (see the top of the file). */
#define KR_PRIORITY 20

/* Largest message we build: an ECMP route with KR_MAX_NH next hops. */
#define KR_MAX_NH 256
#define KR_MSG_MAX 8192

/* Bytes of requests per sendmsg(); well under the default wmem_max. */
#define KR_CHUNK_BYTES (64 * 1024)

/*
 * Every ack is its own skb, charged to our receive buffer at its truesize
 * (well under 2 KiB for a capped ack with an extack string).  A chunk never
 * carries more requests than the request socket can hold acks for.
 */
#define KR_ACK_TRUESIZE 2048
#define KR_CHUNK_MIN_MSGS 16
#define KR_CHUNK_MAX_MSGS 4096

/* Acks per recvmmsg(); each slot is KR_RXBUF_SIZE / KR_ACK_SLOTS = 2 KiB. */
#define KR_ACK_SLOTS 32

#define KR_REQ_RCVBUF (2 * 1024 * 1024)
#define KR_MON_RCVBUF (8 * 1024 * 1024)
#define KR_RXBUF_SIZE (64 * 1024)
/*
 * libmnl walks attributes up to the aligned end of a message; a message
 * whose length is not a multiple of 4 at the very end of a buffer would
 * have it read up to 3 bytes past.  The slack keeps that inside our memory.
 */
#define KR_RXBUF_SLACK 8

/* A dump that the kernel flags as interrupted (NLM_F_DUMP_INTR) is retried. */
#define KR_DUMP_TRIES 3
/* Safety net only: acks are queued before sendmsg() returns. */
#define KR_RECV_TIMEOUT_SEC 5

enum kr_op {
	KR_OP_ROUTE_CHANGE,
	KR_OP_ROUTE_DELETE,
	KR_OP_ADDR_ADD,
	KR_OP_ADDR_DELETE,
};

/* One queued request: where its bytes are in the queue and what it was for. */
struct kr_req {
	size_t off;
	size_t len;
	uint32_t seq;
	enum kr_op op;
	struct prefix4 prefix; /* route prefix, or address/prefixlen */
	unsigned ifindex;
	bool done;
};

struct kr {
	struct mnl_socket *req;
	struct mnl_socket *mon;
	uint32_t req_portid;
	uint32_t seq;
	struct kr_callbacks cb;
	struct kr_stats stats;

	/* request queue: the messages back to back, and one kr_req each */
	uint8_t *qbuf;
	size_t qlen, qcap;
	struct kr_req *q;
	size_t nq, qmax;
	size_t chunk_msgs;
	unsigned ack_slots; /* 1 when acks may echo a whole request (no CAP_ACK) */

	int batch_depth;
	bool dumping;    /* a dump is being read: requests wait in the queue */
	bool monitoring; /* inside kr_monitor_read() */
	uint64_t failed; /* requests that failed, ever */
	uint64_t failed_at_begin;
	int last_err;

	uint8_t *req_rx; /* separate buffers: a monitor callback may */
	uint8_t *mon_rx; /* issue a synchronous request */

	struct log_ratelimit rl_req;
	struct log_ratelimit rl_bad;

	struct krview view; /* what the callbacks were told, for a resync */
	bool dump_partial;  /* a dump gave up on NLM_F_DUMP_INTR */
};

/* What a route message says, before the caller's filters. */
struct kr_rtinfo {
	struct kr_route rt;
	uint8_t tos;
	uint32_t flags;
	bool via; /* a next hop with an IPv6 gateway (RTA_VIA) */
};

typedef void (*kr_msg_fn)(struct kr *, const struct nlmsghdr *, void *);

static const char *
kr_op_name(enum kr_op op)
{
	switch (op) {
	case KR_OP_ROUTE_CHANGE:
		return "route change";
	case KR_OP_ROUTE_DELETE:
		return "route delete";
	case KR_OP_ADDR_ADD:
		return "address add";
	case KR_OP_ADDR_DELETE:
		return "address delete";
	}
	return "?";
}

/*
 * Walking the messages of a datagram.  Not mnl_nlmsg_ok(): it compares
 * (int)nlmsg_len, so a length of 2^31 or more passes and the walk leaves
 * the buffer.  Every length here is unsigned and checked against what is
 * left.
 */
static bool
kr_nlmsg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= left;
}

static const struct nlmsghdr *
kr_nlmsg_next(const struct nlmsghdr *nlh, size_t *left)
{
	size_t step = MNL_ALIGN(nlh->nlmsg_len);

	if (step > *left)
		step = *left;
	*left -= step;
	return (const struct nlmsghdr *)((const uint8_t *)nlh + step);
}

/* Count and log (rate-limited) a message from the kernel we cannot use. */
static void
kr_bad(struct kr *kr, const char *what, const char *reason)
{
	kr->stats.errors++;
	log_rl(&kr->rl_bad, clock_mono_now(), LOG_LVL_WARN,
	    "kr: malformed %s skipped: %s", what, reason);
}

/*
 * Attribute parsing.  A policy lists the attribute types we read and their
 * data type; mnl_attr_validate() checks the length (exact for integers,
 * NUL inside the payload for strings).  Types we do not read are ignored,
 * so a newer kernel's attributes do not make a message malformed.
 */
struct kr_policy {
	const enum mnl_attr_data_type *types;
	uint16_t max;
	const struct nlattr **tb;
};

static int
kr_attr_cb(const struct nlattr *attr, void *data)
{
	struct kr_policy *p = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > p->max || p->types[type] == MNL_TYPE_UNSPEC)
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, p->types[type]) < 0)
		return MNL_CB_ERROR;
	p->tb[type] = attr;
	return MNL_CB_OK;
}

static const enum mnl_attr_data_type kr_link_policy[IFLA_MTU + 1] = {
	[IFLA_IFNAME] = MNL_TYPE_NUL_STRING,
	[IFLA_MTU] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type kr_addr_policy[IFA_LOCAL + 1] = {
	[IFA_ADDRESS] = MNL_TYPE_U32,
	[IFA_LOCAL] = MNL_TYPE_U32,
};

static const enum mnl_attr_data_type kr_route_policy[RTA_VIA + 1] = {
	[RTA_DST] = MNL_TYPE_U32,
	[RTA_OIF] = MNL_TYPE_U32,
	[RTA_GATEWAY] = MNL_TYPE_U32,
	[RTA_PRIORITY] = MNL_TYPE_U32,
	[RTA_MULTIPATH] = MNL_TYPE_BINARY,
	[RTA_TABLE] = MNL_TYPE_U32,
	[RTA_VIA] = MNL_TYPE_BINARY,
};

static const enum mnl_attr_data_type kr_nh_policy[RTA_VIA + 1] = {
	[RTA_GATEWAY] = MNL_TYPE_U32,
	[RTA_VIA] = MNL_TYPE_BINARY,
};

static const enum mnl_attr_data_type kr_err_policy[NLMSGERR_ATTR_MSG + 1] = {
	[NLMSGERR_ATTR_MSG] = MNL_TYPE_NUL_STRING,
};

/* Parse the attributes after a fixed header of hdrlen bytes; -1 if malformed. */
static int
kr_parse_attrs(const struct nlmsghdr *nlh, size_t hdrlen,
    const enum mnl_attr_data_type *types, uint16_t max, const struct nlattr **tb)
{
	struct kr_policy p = { types, max, tb };

	memset(tb, 0, sizeof(*tb) * ((size_t)max + 1));
	if (nlh->nlmsg_len < mnl_nlmsg_size(hdrlen))
		return -1;
	if (mnl_attr_parse(nlh, (unsigned)hdrlen, kr_attr_cb, &p) != MNL_CB_OK)
		return -1;
	return 0;
}

static int
kr_parse_link(const struct nlmsghdr *nlh, struct kr_link *out, const char **why)
{
	const struct nlattr *tb[IFLA_MTU + 1];
	struct ifinfomsg ifi;

	if (kr_parse_attrs(nlh, sizeof(ifi), kr_link_policy, IFLA_MTU, tb) < 0) {
		*why = "bad length or attribute";
		return -1;
	}
	memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof(ifi));
	if (ifi.ifi_index <= 0) {
		*why = "no ifindex";
		return -1;
	}
	if (tb[IFLA_IFNAME] == NULL) {
		*why = "no IFLA_IFNAME";
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->ifindex = (unsigned)ifi.ifi_index;
	/* The policy guarantees a NUL inside the payload; IFNAMSIZ bounds the copy. */
	snprintf(out->name, sizeof(out->name), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	/*
	 * IFF_RUNNING is the operational state (carrier).  lo sets it as soon
	 * as it is up, so one rule covers loopback too.
	 */
	out->up = (ifi.ifi_flags & IFF_UP) && (ifi.ifi_flags & IFF_RUNNING);
	out->loopback = (ifi.ifi_flags & IFF_LOOPBACK) != 0;
	out->multicast = (ifi.ifi_flags & IFF_MULTICAST) != 0;
	out->mtu = tb[IFLA_MTU] ? mnl_attr_get_u32(tb[IFLA_MTU]) : 0;
	return 0;
}

static int
kr_parse_addr(const struct nlmsghdr *nlh, struct kr_addr *out, const char **why)
{
	const struct nlattr *tb[IFA_LOCAL + 1];
	struct ifaddrmsg ifa;

	if (kr_parse_attrs(nlh, sizeof(ifa), kr_addr_policy, IFA_LOCAL, tb) < 0) {
		*why = "bad length or attribute";
		return -1;
	}
	memcpy(&ifa, mnl_nlmsg_get_payload(nlh), sizeof(ifa));
	if (ifa.ifa_prefixlen > 32) {
		*why = "prefix length > 32";
		return -1;
	}
	if (tb[IFA_LOCAL] == NULL && tb[IFA_ADDRESS] == NULL) {
		*why = "no address";
		return -1;
	}
	/*
	 * IFA_LOCAL is our address; IFA_ADDRESS is the peer on a
	 * point-to-point link and the same as IFA_LOCAL elsewhere.
	 */
	const struct nlattr *local = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	const struct nlattr *peer = tb[IFA_ADDRESS] ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
	memset(out, 0, sizeof(*out));
	out->ifindex = ifa.ifa_index;
	out->addr = ntohl(mnl_attr_get_u32(local));
	out->peer = ntohl(mnl_attr_get_u32(peer));
	out->prefixlen = ifa.ifa_prefixlen;
	return 0;
}

/* Walk the rtnexthop entries of RTA_MULTIPATH; every length checked. */
static int
kr_parse_multipath(const struct nlattr *mp, struct kr_rtinfo *ri, const char **why)
{
	const uint8_t *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	while (left >= sizeof(struct rtnexthop)) {
		const struct nlattr *tb[RTA_VIA + 1];
		struct kr_policy pol = { kr_nh_policy, RTA_VIA, tb };
		struct rtnexthop rtnh;

		memcpy(&rtnh, p, sizeof(rtnh));
		if (rtnh.rtnh_len < sizeof(rtnh) || rtnh.rtnh_len > left) {
			*why = "bad rtnexthop length";
			return -1;
		}
		memset(tb, 0, sizeof(tb));
		if (mnl_attr_parse_payload(p + sizeof(rtnh), rtnh.rtnh_len - sizeof(rtnh),
		    kr_attr_cb, &pol) != MNL_CB_OK) {
			*why = "bad next-hop attribute";
			return -1;
		}
		if (tb[RTA_VIA] != NULL)
			ri->via = true;
		/* kr_route holds 16 next hops; a wider ECMP set is reported by its first 16. */
		if (ri->rt.n_nh < sizeof(ri->rt.nh) / sizeof(ri->rt.nh[0])) {
			struct kr_nexthop *nh = &ri->rt.nh[ri->rt.n_nh++];
			const struct nlattr *gw = tb[RTA_GATEWAY];
			nh->gateway = gw ? ntohl(mnl_attr_get_u32(gw)) : 0;
			nh->ifindex = rtnh.rtnh_ifindex > 0 ? (unsigned)rtnh.rtnh_ifindex : 0;
		}
		size_t step = RTNH_ALIGN(rtnh.rtnh_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	return 0;
}

static int
kr_parse_route(const struct nlmsghdr *nlh, struct kr_rtinfo *ri, const char **why)
{
	const struct nlattr *tb[RTA_VIA + 1];
	struct rtmsg rtm;

	if (kr_parse_attrs(nlh, sizeof(rtm), kr_route_policy, RTA_VIA, tb) < 0) {
		*why = "bad length or attribute";
		return -1;
	}
	memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
	if (rtm.rtm_dst_len > 32) {
		*why = "prefix length > 32";
		return -1;
	}
	memset(ri, 0, sizeof(*ri));
	ri->rt.prefix.len = rtm.rtm_dst_len;
	if (tb[RTA_DST] != NULL)
		ri->rt.prefix.addr = ntohl(mnl_attr_get_u32(tb[RTA_DST]));
	else if (rtm.rtm_dst_len != 0) {
		*why = "no RTA_DST";
		return -1;
	}
	if ((ri->rt.prefix.addr & ~ip4_mask(ri->rt.prefix.len)) != 0) {
		*why = "host bits set in destination";
		return -1;
	}
	ri->rt.protocol = rtm.rtm_protocol;
	ri->rt.type = rtm.rtm_type;
	if (rtm.rtm_protocol == RTPROT_RIPOSTE)
		ri->rt.origin = KR_ORIGIN_OURS;
	else if (rtm.rtm_type != RTN_UNICAST)
		ri->rt.origin = KR_ORIGIN_OTHER;
	else if (rtm.rtm_protocol == RTPROT_STATIC)
		ri->rt.origin = KR_ORIGIN_STATIC;
	else if (rtm.rtm_protocol == RTPROT_BOOT)
		ri->rt.origin = KR_ORIGIN_KERNEL;
	else
		ri->rt.origin = KR_ORIGIN_OTHER;
	ri->rt.table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm.rtm_table;
	ri->rt.metric = tb[RTA_PRIORITY] ? mnl_attr_get_u32(tb[RTA_PRIORITY]) : 0;
	ri->tos = rtm.rtm_tos;
	ri->flags = rtm.rtm_flags;
	if (tb[RTA_MULTIPATH] != NULL) {
		if (kr_parse_multipath(tb[RTA_MULTIPATH], ri, why) < 0)
			return -1;
	} else if (tb[RTA_GATEWAY] != NULL || tb[RTA_OIF] != NULL || tb[RTA_VIA] != NULL) {
		struct kr_nexthop *nh = &ri->rt.nh[ri->rt.n_nh++];
		nh->gateway = tb[RTA_GATEWAY] ? ntohl(mnl_attr_get_u32(tb[RTA_GATEWAY])) : 0;
		nh->ifindex = tb[RTA_OIF] ? mnl_attr_get_u32(tb[RTA_OIF]) : 0;
		ri->via = tb[RTA_VIA] != NULL;
	}
	return 0;
}

/*
 * The routes the callbacks are about: IPv4 unicast in the main table, not
 * cache clones.  A next hop through an IPv6 gateway (RFC 5549 RTA_VIA)
 * cannot be expressed in a kr_nexthop, so such a route is left out rather
 * than reported as directly connected.
 */
static bool
kr_route_wanted(const struct kr_rtinfo *ri)
{
	return ri->rt.table == RT_TABLE_MAIN && ri->rt.type == RTN_UNICAST &&
	    (ri->flags & RTM_F_CLONED) == 0 && !ri->via;
}

/* Dispatch one link, address or route message to the callbacks. */
static void
kr_dispatch(struct kr *kr, const struct nlmsghdr *nlh, void *arg)
{
	const char *why = NULL;
	bool deleted = false;

	switch (nlh->nlmsg_type) {
	case RTM_DELLINK:
		deleted = true;
		/* FALLTHROUGH */
	case RTM_NEWLINK: {
		struct kr_link link;
		struct ifinfomsg ifi;
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifi))) {
			kr_bad(kr, "link message", "short");
			return;
		}
		memcpy(&ifi, mnl_nlmsg_get_payload(nlh), sizeof(ifi));
		/* AF_BRIDGE and other per-family link messages are not about the link itself. */
		if (ifi.ifi_family != AF_UNSPEC)
			return;
		if (kr_parse_link(nlh, &link, &why) < 0) {
			kr_bad(kr, "link message", why);
			return;
		}
		krview_link(&kr->view, &link, deleted);
		if (kr->cb.link != NULL)
			kr->cb.link(kr->cb.ctx, &link, deleted);
		return;
	}
	case RTM_DELADDR:
		deleted = true;
		/* FALLTHROUGH */
	case RTM_NEWADDR: {
		struct kr_addr addr;
		struct ifaddrmsg ifa;
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(ifa))) {
			kr_bad(kr, "address message", "short");
			return;
		}
		memcpy(&ifa, mnl_nlmsg_get_payload(nlh), sizeof(ifa));
		if (ifa.ifa_family != AF_INET)
			return;
		if (kr_parse_addr(nlh, &addr, &why) < 0) {
			kr_bad(kr, "address message", why);
			return;
		}
		krview_addr(&kr->view, &addr, deleted);
		if (kr->cb.addr != NULL)
			kr->cb.addr(kr->cb.ctx, &addr, deleted);
		return;
	}
	case RTM_DELROUTE:
		deleted = true;
		/* FALLTHROUGH */
	case RTM_NEWROUTE: {
		struct kr_rtinfo ri;
		struct rtmsg rtm;
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(rtm))) {
			kr_bad(kr, "route message", "short");
			return;
		}
		memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
		if (rtm.rtm_family != AF_INET)
			return;
		if (kr_parse_route(nlh, &ri, &why) < 0) {
			kr_bad(kr, "route message", why);
			return;
		}
		if (!kr_route_wanted(&ri))
			return;
		krview_route(&kr->view, &ri.rt, deleted);
		if (kr->cb.route != NULL)
			kr->cb.route(kr->cb.ctx, &ri.rt, deleted);
		return;
	}
	default:
		return;
	}
}

/* Drop what the kernel did not send, and what did not fit. */
static bool
kr_datagram_ok(struct kr *kr, const struct msghdr *msg)
{
	const struct sockaddr_nl *sa = msg->msg_name;

	if (msg->msg_namelen != sizeof(*sa) || sa->nl_family != AF_NETLINK || sa->nl_pid != 0) {
		kr_bad(kr, "datagram", "not from the kernel");
		return false;
	}
	if (msg->msg_flags & MSG_TRUNC) {
		kr_bad(kr, "datagram", "truncated");
		return false;
	}
	return true;
}

/*
 * recvmsg() of one kernel datagram into a KR_RXBUF_SIZE buffer.  Returns
 * its length, or -1 with errno (EAGAIN on the timeout or an empty
 * non-blocking socket).
 */
static ssize_t
kr_recv(struct kr *kr, int fd, uint8_t *buf, int flags)
{
	for (;;) {
		struct sockaddr_nl sa;
		struct iovec iov = { buf, KR_RXBUF_SIZE };
		struct msghdr msg = {
			.msg_name = &sa,
			.msg_namelen = sizeof(sa),
			.msg_iov = &iov,
			.msg_iovlen = 1,
		};
		ssize_t n = recvmsg(fd, &msg, flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (kr_datagram_ok(kr, &msg))
			return n;
	}
}

/*
 * Every ack is a datagram of its own, so reading them one recvmsg() at a
 * time costs a system call per request.  recvmmsg() takes up to
 * kr->ack_slots of them at once (waiting for the first only): slot k is
 * kr->req_rx + k * KR_RXBUF_SIZE / kr->ack_slots, len[k] its length, 0 for
 * a datagram dropped.  Returns the number of slots filled, or -1 with errno.
 */
static int
kr_recv_acks(struct kr *kr, int fd, size_t len[KR_ACK_SLOTS])
{
	struct mmsghdr mm[KR_ACK_SLOTS];
	struct iovec iov[KR_ACK_SLOTS];
	struct sockaddr_nl sa[KR_ACK_SLOTS];
	size_t slot = KR_RXBUF_SIZE / kr->ack_slots;
	int got;

	memset(mm, 0, sizeof(mm));
	for (unsigned k = 0; k < kr->ack_slots; k++) {
		iov[k].iov_base = kr->req_rx + k * slot;
		iov[k].iov_len = slot;
		mm[k].msg_hdr.msg_name = &sa[k];
		mm[k].msg_hdr.msg_namelen = sizeof(sa[k]);
		mm[k].msg_hdr.msg_iov = &iov[k];
		mm[k].msg_hdr.msg_iovlen = 1;
	}
	do
		got = recvmmsg(fd, mm, kr->ack_slots, MSG_WAITFORONE, NULL);
	while (got < 0 && errno == EINTR);
	for (int k = 0; k < got; k++)
		len[k] = kr_datagram_ok(kr, &mm[k].msg_hdr) ? mm[k].msg_len : 0;
	return got;
}

/*
 * The request queue.
 */

static int
kr_queue_reserve(struct kr *kr)
{
	if (kr->qcap - kr->qlen < KR_MSG_MAX) {
		size_t ncap = kr->qcap * 2;
		while (ncap - kr->qlen < KR_MSG_MAX)
			ncap *= 2;
		uint8_t *nb = realloc(kr->qbuf, ncap);
		if (nb == NULL)
			return -1;
		kr->qbuf = nb;
		kr->qcap = ncap;
	}
	if (kr->nq == kr->qmax) {
		size_t nmax = kr->qmax * 2;
		struct kr_req *nq = realloc(kr->q, nmax * sizeof(*nq));
		if (nq == NULL)
			return -1;
		kr->q = nq;
		kr->qmax = nmax;
	}
	return 0;
}

/* Start a message at the end of the queue (space reserved by kr_queue_reserve). */
static struct nlmsghdr *
kr_msg_start(struct kr *kr, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(kr->qbuf + kr->qlen);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++kr->seq;
	return nlh;
}

static void
kr_msg_commit(struct kr *kr, struct nlmsghdr *nlh, enum kr_op op, struct prefix4 prefix,
    unsigned ifindex)
{
	struct kr_req *r = &kr->q[kr->nq++];

	r->off = kr->qlen;
	r->len = nlh->nlmsg_len;
	r->seq = nlh->nlmsg_seq;
	r->op = op;
	r->prefix = prefix;
	r->ifindex = ifindex;
	r->done = false;
	kr->qlen += MNL_ALIGN(nlh->nlmsg_len);
}

static void
kr_log_failure(struct kr *kr, const struct kr_req *r, int err, const char *extack)
{
	char buf[PFX4_STRLEN], where[32] = "";

	if (r->op == KR_OP_ADDR_ADD || r->op == KR_OP_ADDR_DELETE)
		snprintf(where, sizeof(where), " ifindex %u", r->ifindex);
	log_rl(&kr->rl_req, clock_mono_now(), LOG_LVL_WARN, "kr: %s %s%s: %s%s%s",
	    kr_op_name(r->op), prefix4_ntop(r->prefix, buf), where, strerror(err),
	    extack ? ": " : "", extack ? extack : "");
}

/* Account for the outcome of one request; err is a positive errno or 0. */
static void
kr_req_result(struct kr *kr, struct kr_req *r, int err, const char *extack)
{
	r->done = true;
	switch (r->op) {
	case KR_OP_ROUTE_CHANGE:
		if (err == 0)
			kr->stats.routes_changed++;
		break;
	case KR_OP_ROUTE_DELETE:
		/* Deleting what is not there is what the caller wanted. */
		if (err == 0)
			kr->stats.routes_deleted++;
		else if (err == ENOENT || err == ESRCH)
			err = 0;
		break;
	case KR_OP_ADDR_ADD:
		if (err == EEXIST)
			err = 0;
		break;
	case KR_OP_ADDR_DELETE:
		if (err == EADDRNOTAVAIL || err == ENOENT || err == ESRCH)
			err = 0;
		break;
	}
	if (err == 0)
		return;
	kr->stats.errors++;
	kr->failed++;
	kr->last_err = err;
	kr_log_failure(kr, r, err, extack);
}

/* The error code and the extack message (if any) of an NLMSG_ERROR. */
static int
kr_parse_error(const struct nlmsghdr *nlh, int *err, const char **extack)
{
	struct nlmsgerr e;
	size_t off;

	*extack = NULL;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(e)))
		return -1;
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	/* 0 or a negative errno; anything else is not an answer we understand. */
	*err = e.error <= 0 && e.error >= -4095 ? -e.error : EPROTO;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return 0;
	/* The TLVs follow the echoed request, or only its header when capped. */
	off = sizeof(e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (e.msg.nlmsg_len < sizeof(struct nlmsghdr))
			return 0;
		off += e.msg.nlmsg_len - sizeof(struct nlmsghdr);
	}
	if (mnl_nlmsg_size(off) > nlh->nlmsg_len)
		return 0;
	const struct nlattr *tb[NLMSGERR_ATTR_MSG + 1];
	if (kr_parse_attrs(nlh, off, kr_err_policy, NLMSGERR_ATTR_MSG, tb) == 0 &&
	    tb[NLMSGERR_ATTR_MSG] != NULL)
		*extack = mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]);
	return 0;
}

/*
 * After acks were lost (ENOBUFS on the request socket) we cannot tell a
 * missing ack from a late one, so we send a NOOP with NLM_F_ACK: the kernel
 * handles requests in order, so once its ack is here every surviving ack
 * of the chunk is too.
 */
static int
kr_send_barrier(struct kr *kr, uint32_t *seq)
{
	uint8_t buf[MNL_NLMSG_HDRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = NLMSG_NOOP;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = *seq = ++kr->seq;
	return mnl_socket_sendto(kr->req, buf, nlh->nlmsg_len) < 0 ? -1 : 0;
}

/* The requests q[first, first + n) in flight, and what is known of them. */
struct kr_chunk {
	size_t first, n, left;
	uint32_t seq0;
	uint32_t barrier;
	bool barrier_sent, barrier_seen;
};

static void
kr_chunk_input(struct kr *kr, struct kr_chunk *c, const uint8_t *buf, size_t len)
{
	size_t rest = len;

	for (const struct nlmsghdr *nlh = (const void *)buf; kr_nlmsg_ok(nlh, rest);
	    nlh = kr_nlmsg_next(nlh, &rest)) {
		if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != kr->req_portid)
			continue;
		if (c->barrier_sent && nlh->nlmsg_seq == c->barrier) {
			c->barrier_seen = true;
			continue;
		}
		uint32_t i = nlh->nlmsg_seq - c->seq0; /* wraps safely */
		if (i >= c->n || kr->q[c->first + i].done)
			continue; /* stale: an earlier, abandoned chunk */
		int err;
		const char *extack;
		if (kr_parse_error(nlh, &err, &extack) < 0) {
			kr_bad(kr, "ack", "short");
			continue;
		}
		kr_req_result(kr, &kr->q[c->first + i], err, extack);
		c->left--;
	}
}

/* Send q[first, last) in one sendmsg() and collect their acks. */
static void
kr_send_chunk(struct kr *kr, size_t first, size_t last)
{
	struct kr_req *q = kr->q;
	struct kr_chunk c = { first, last - first, last - first, q[first].seq, 0, false, false };
	size_t bytes = q[last - 1].off + q[last - 1].len - q[first].off;
	size_t slot = KR_RXBUF_SIZE / kr->ack_slots;
	size_t len[KR_ACK_SLOTS];
	int fd = mnl_socket_get_fd(kr->req);

	if (mnl_socket_sendto(kr->req, kr->qbuf + q[first].off, bytes) < 0) {
		int err = errno;
		for (size_t i = first; i < last; i++)
			kr_req_result(kr, &q[i], err, NULL);
		return;
	}
	while (c.left > 0 && !c.barrier_seen) {
		int got = kr_recv_acks(kr, fd, len);
		if (got < 0) {
			if (errno == ENOBUFS && !c.barrier_sent &&
			    kr_send_barrier(kr, &c.barrier) == 0) {
				c.barrier_sent = true;
				continue;
			}
			break;
		}
		for (int k = 0; k < got; k++)
			kr_chunk_input(kr, &c, kr->req_rx + (size_t)k * slot, len[k]);
	}
	/* Whatever is still open lost its ack (or the socket failed). */
	for (size_t i = first; i < last && c.left > 0; i++) {
		if (!q[i].done) {
			kr_req_result(kr, &q[i], c.barrier_sent ? ENOBUFS : ETIMEDOUT, NULL);
			c.left--;
		}
	}
}

/* Send everything queued, chunk by chunk; the outcomes land in kr->failed. */
static void
kr_flush(struct kr *kr)
{
	size_t i = 0;

	while (i < kr->nq) {
		size_t j = i, bytes = 0;
		while (j < kr->nq && j - i < kr->chunk_msgs &&
		    bytes + MNL_ALIGN(kr->q[j].len) <= KR_CHUNK_BYTES) {
			bytes += MNL_ALIGN(kr->q[j].len);
			j++;
		}
		if (j == i)
			j++;
		kr_send_chunk(kr, i, j);
		i = j;
	}
	kr->nq = 0;
	kr->qlen = 0;
}

/*
 * A request was queued.  Outside a batch it goes out now and its outcome is
 * the return value.  Inside a batch, full chunks go out as they fill.  While
 * a dump is read nothing is sent: the acks would interleave with the dump on
 * the request socket (a callback may well issue requests).
 */
static int
kr_submit(struct kr *kr)
{
	if (kr->dumping)
		return 0;
	if (kr->batch_depth > 0) {
		if (kr->nq >= kr->chunk_msgs || kr->qlen + KR_MSG_MAX > KR_CHUNK_BYTES)
			kr_flush(kr);
		return 0;
	}
	uint64_t before = kr->failed;
	kr_flush(kr);
	if (kr->failed != before) {
		errno = kr->last_err;
		return -1;
	}
	return 0;
}

static int
kr_fail(struct kr *kr, int err)
{
	kr->stats.errors++;
	errno = err;
	return -1;
}

static bool
kr_prefix_ok(struct prefix4 p)
{
	return p.len <= 32 && (p.addr & ~ip4_mask(p.len)) == 0;
}

/* The rtmsg and the attributes shared by our route requests. */
static struct nlmsghdr *
kr_route_msg(struct kr *kr, uint16_t type, uint16_t flags, struct prefix4 prefix,
    uint8_t rtype, uint8_t tos, uint32_t priority, uint8_t scope)
{
	struct nlmsghdr *nlh = kr_msg_start(kr, type, flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = prefix.len;
	rtm->rtm_tos = tos;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_RIPOSTE;
	rtm->rtm_scope = scope;
	rtm->rtm_type = rtype;
	if (prefix.len > 0)
		mnl_attr_put_u32(nlh, RTA_DST, htonl(prefix.addr));
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, priority);
	return nlh;
}

int
kr_route_change(struct kr *kr, struct prefix4 prefix, const struct kr_nexthop *nh,
    size_t n, uint32_t metric)
{
	/*
	 * metric is the RIP metric; it is not the kernel's priority (see
	 * KR_PRIORITY at the top), so it does not reach the kernel.
	 */
	(void)metric;
	if (!kr_prefix_ok(prefix) || nh == NULL || n == 0 || n > KR_MAX_NH)
		return kr_fail(kr, EINVAL);
	for (size_t i = 0; i < n; i++)
		if (nh[i].gateway == 0 && nh[i].ifindex == 0)
			return kr_fail(kr, EINVAL);
	if (kr_queue_reserve(kr) < 0)
		return kr_fail(kr, ENOMEM);

	struct nlmsghdr *nlh = kr_route_msg(kr, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
	    prefix, RTN_UNICAST, 0, KR_PRIORITY, RT_SCOPE_UNIVERSE);
	if (n == 1) {
		/* A zero gateway is a route straight out of the interface. */
		if (nh[0].gateway != 0)
			mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(nh[0].gateway));
		if (nh[0].ifindex != 0)
			mnl_attr_put_u32(nlh, RTA_OIF, nh[0].ifindex);
	} else {
		struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
		for (size_t i = 0; i < n; i++) {
			struct rtnexthop *rtnh = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtnh));
			rtnh->rtnh_ifindex = (int)nh[i].ifindex;
			if (nh[i].gateway != 0)
				mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(nh[i].gateway));
			rtnh->rtnh_len = (unsigned short)((uint8_t *)mnl_nlmsg_get_payload_tail(nlh) -
			    (uint8_t *)rtnh);
		}
		mnl_attr_nest_end(nlh, mp);
	}
	kr_msg_commit(kr, nlh, KR_OP_ROUTE_CHANGE, prefix, 0);
	return kr_submit(kr);
}

static int
kr_queue_route_delete(struct kr *kr, struct prefix4 prefix, uint8_t rtype, uint8_t tos,
    uint32_t priority)
{
	if (kr_queue_reserve(kr) < 0)
		return kr_fail(kr, ENOMEM);
	/*
	 * protocol and priority make the kernel match our route only, never
	 * another protocol's route for the same prefix; RT_SCOPE_NOWHERE
	 * means any scope.
	 */
	struct nlmsghdr *nlh = kr_route_msg(kr, RTM_DELROUTE, 0, prefix, rtype, tos, priority,
	    RT_SCOPE_NOWHERE);
	kr_msg_commit(kr, nlh, KR_OP_ROUTE_DELETE, prefix, 0);
	return kr_submit(kr);
}

int
kr_route_delete(struct kr *kr, struct prefix4 prefix)
{
	if (!kr_prefix_ok(prefix))
		return kr_fail(kr, EINVAL);
	return kr_queue_route_delete(kr, prefix, RTN_UNICAST, 0, KR_PRIORITY);
}

static int
kr_addr_msg(struct kr *kr, uint16_t type, uint16_t flags, enum kr_op op, unsigned ifindex,
    uint32_t addr, uint8_t prefixlen)
{
	struct prefix4 p = { addr, prefixlen };

	if (ifindex == 0 || prefixlen > 32)
		return kr_fail(kr, EINVAL);
	if (kr_queue_reserve(kr) < 0)
		return kr_fail(kr, ENOMEM);
	struct nlmsghdr *nlh = kr_msg_start(kr, type, flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = prefixlen;
	/* Like `ip addr add A/32 dev lo`: global scope, so it can be a source. */
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put_u32(nlh, IFA_LOCAL, htonl(addr));
	mnl_attr_put_u32(nlh, IFA_ADDRESS, htonl(addr));
	kr_msg_commit(kr, nlh, op, p, ifindex);
	return kr_submit(kr);
}

int
kr_addr_add(struct kr *kr, unsigned ifindex, uint32_t addr, uint8_t prefixlen)
{
	/* NLM_F_EXCL: an existing address answers EEXIST, which we take as success. */
	return kr_addr_msg(kr, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, KR_OP_ADDR_ADD, ifindex,
	    addr, prefixlen);
}

int
kr_addr_delete(struct kr *kr, unsigned ifindex, uint32_t addr, uint8_t prefixlen)
{
	return kr_addr_msg(kr, RTM_DELADDR, 0, KR_OP_ADDR_DELETE, ifindex, addr, prefixlen);
}

void
kr_batch_begin(struct kr *kr)
{
	if (kr->batch_depth++ == 0)
		kr->failed_at_begin = kr->failed;
}

/* 0 when every request of the batch succeeded, else -1 with the last errno. */
int
kr_batch_end(struct kr *kr)
{
	if (kr->batch_depth == 0)
		return 0;
	if (--kr->batch_depth > 0)
		return 0;
	if (kr->dumping)
		return 0; /* kr_dump() flushes when it is done */
	kr_flush(kr);
	if (kr->failed != kr->failed_at_begin) {
		errno = kr->last_err;
		return -1;
	}
	return 0;
}

/*
 * Dumps.  The request asks the kernel to filter (NETLINK_GET_STRICT_CHK,
 * when the kernel has it); the same filters are applied here as well, so an
 * older kernel that ignores the request header gives the same result.
 */

struct kr_dump_filter {
	uint8_t protocol; /* routes: 0 = any */
};

static size_t
kr_dump_request(struct kr *kr, uint8_t *buf, uint16_t type, const struct kr_dump_filter *f)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++kr->seq;
	switch (type) {
	case RTM_GETLINK: {
		struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_family = AF_UNSPEC;
		/* Statistics are most of a link message and we do not read them. */
		mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
		break;
	}
	case RTM_GETADDR: {
		struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = AF_INET;
		break;
	}
	case RTM_GETROUTE: {
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = AF_INET;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_protocol = f != NULL ? f->protocol : 0;
		mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
		break;
	}
	}
	return nlh->nlmsg_len;
}

/*
 * One dump: send the request, hand every reply to fn, stop at NLMSG_DONE.
 * Returns 0, 1 when the kernel flagged the dump as interrupted (the
 * table changed under it: the caller retries), or -1 with errno.
 */
static int
kr_dump_once(struct kr *kr, uint16_t type, const struct kr_dump_filter *f, kr_msg_fn fn,
    void *arg)
{
	uint8_t buf[MNL_NLMSG_HDRLEN + 64];
	int fd = mnl_socket_get_fd(kr->req);
	size_t len = kr_dump_request(kr, buf, type, f);
	uint32_t seq = kr->seq;
	bool intr = false;

	if (mnl_socket_sendto(kr->req, buf, len) < 0)
		return -1;
	for (;;) {
		ssize_t n = kr_recv(kr, fd, kr->req_rx, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				errno = ETIMEDOUT;
			return -1;
		}
		size_t rest = (size_t)n;
		for (const struct nlmsghdr *nlh = (const void *)kr->req_rx;
		    kr_nlmsg_ok(nlh, rest); nlh = kr_nlmsg_next(nlh, &rest)) {
			if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != kr->req_portid)
				continue; /* stale reply to an abandoned request */
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE)
				return intr ? 1 : 0;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				int err = EPROTO;
				const char *extack;
				if (kr_parse_error(nlh, &err, &extack) < 0)
					err = EPROTO;
				errno = err != 0 ? err : EPROTO;
				return -1;
			}
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			fn(kr, nlh, arg);
		}
	}
}

static int
kr_dump_type(struct kr *kr, uint16_t type, const struct kr_dump_filter *f, kr_msg_fn fn,
    void *arg)
{
	for (int try = 1;; try++) {
		int rc = kr_dump_once(kr, type, f, fn, arg);
		if (rc <= 0)
			return rc;
		if (try == KR_DUMP_TRIES) {
			/* Later monitor events complete the picture. */
			log_notice("kr: dump %u interrupted %d times, using the last one",
			    type, try);
			kr->dump_partial = true;
			return 0;
		}
	}
}

/* Requests issued by callbacks during a dump waited in the queue. */
static void
kr_dump_done(struct kr *kr)
{
	kr->dumping = false;
	if (kr->batch_depth == 0 && kr->nq > 0)
		kr_flush(kr);
}

int
kr_dump(struct kr *kr)
{
	static const uint16_t types[] = { RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE };
	int rc = 0;

	if (kr->dumping) {
		errno = EBUSY;
		return -1;
	}
	kr->dumping = true;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]) && rc == 0; i++)
		rc = kr_dump_type(kr, types[i], NULL, kr_dispatch, NULL);
	int saved = errno;
	kr_dump_done(kr);
	if (rc < 0) {
		kr->stats.errors++;
		errno = saved;
		log_warn("kr: dump");
		return -1;
	}
	return 0;
}

/* kr_flush_ours(): every route of ours in the main table becomes a delete. */
static void
kr_flush_one(struct kr *kr, const struct nlmsghdr *nlh, void *arg)
{
	struct kr_rtinfo ri;
	struct rtmsg rtm;
	const char *why;

	if (nlh->nlmsg_type != RTM_NEWROUTE || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(rtm)))
		return;
	memcpy(&rtm, mnl_nlmsg_get_payload(nlh), sizeof(rtm));
	if (rtm.rtm_family != AF_INET)
		return;
	if (kr_parse_route(nlh, &ri, &why) < 0) {
		kr_bad(kr, "route message", why);
		return;
	}
	if (ri.rt.protocol != RTPROT_RIPOSTE || ri.rt.table != RT_TABLE_MAIN ||
	    (ri.flags & RTM_F_CLONED))
		return;
	/* The key as dumped: an older riposted may have used another priority. */
	kr_queue_route_delete(kr, ri.rt.prefix, ri.rt.type, ri.tos, ri.rt.metric);
}

int
kr_flush_ours(struct kr *kr)
{
	struct kr_dump_filter f = { RTPROT_RIPOSTE };
	uint64_t before = kr->failed;

	if (kr->dumping) {
		errno = EBUSY;
		return -1;
	}
	/* The deletes queue up while the dump is read and go out in chunks after it. */
	kr->dumping = true;
	int rc = kr_dump_type(kr, RTM_GETROUTE, &f, kr_flush_one, NULL);
	int saved = errno;
	kr_dump_done(kr);
	if (rc < 0) {
		kr->stats.errors++;
		errno = saved;
		log_warn("kr: dump for flush");
		return -1;
	}
	if (kr->failed != before) {
		errno = kr->last_err;
		return -1;
	}
	return 0;
}

/*
 * The monitor.
 */

int
kr_monitor_fd(const struct kr *kr)
{
	return mnl_socket_get_fd(kr->mon);
}

/*
 * Events were lost.  What is queued now predates the loss, so applying it
 * after a fresh dump could roll the caller's view back (an address added,
 * then its lost deletion): drop it, then dump.  The dump says what exists;
 * what was reported before and is not in it any more was deleted while the
 * events were lost, and is reported so now.  Not after a dump that the
 * kernel kept interrupting: something in it may be missing, not gone.
 */
static int
kr_resync(struct kr *kr)
{
	int fd = mnl_socket_get_fd(kr->mon);

	kr->stats.resyncs++;
	for (;;) {
		ssize_t n = kr_recv(kr, fd, kr->mon_rx, MSG_DONTWAIT);
		if (n >= 0 || errno == ENOBUFS)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		return -1;
	}
	log_notice("kr: monitor overrun, re-reading links, addresses and routes");
	krview_resync_begin(&kr->view);
	kr->dump_partial = false;
	if (kr_dump(kr) < 0)
		return -1;
	if (kr->dump_partial) {
		log_notice("kr: the re-read was interrupted, deletions wait for their notifications");
		return 0;
	}
	size_t gone = krview_resync_end(&kr->view, &kr->cb);
	if (gone > 0)
		log_notice("kr: %zu links, addresses or routes disappeared during the overrun", gone);
	return 0;
}

int
kr_monitor_read(struct kr *kr)
{
	int fd = mnl_socket_get_fd(kr->mon);
	int rc = 0;

	if (kr->monitoring)
		return 0; /* called from one of its own callbacks */
	kr->monitoring = true;
	for (;;) {
		ssize_t n = kr_recv(kr, fd, kr->mon_rx, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				if (kr_resync(kr) < 0) {
					rc = -1;
					break;
				}
				continue;
			}
			log_warn("kr: monitor read");
			rc = -1;
			break;
		}
		size_t rest = (size_t)n;
		for (const struct nlmsghdr *nlh = (const void *)kr->mon_rx;
		    kr_nlmsg_ok(nlh, rest); nlh = kr_nlmsg_next(nlh, &rest))
			kr_dispatch(kr, nlh, NULL);
	}
	kr->monitoring = false;
	return rc;
}

/*
 * Sockets.
 */

/* SO_RCVBUFFORCE passes rmem_max when we have CAP_NET_ADMIN; else the capped one. */
static void
kr_set_rcvbuf(int fd, int size)
{
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
		log_warn("kr: SO_RCVBUF");
}

static int
kr_open_req(struct kr *kr)
{
	int one = 1, fd;
	struct timeval tv = { KR_RECV_TIMEOUT_SEC, 0 };
	int rcvbuf = 0;
	socklen_t sl = sizeof(rcvbuf);

	kr->req = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (kr->req == NULL)
		return -1;
	fd = mnl_socket_get_fd(kr->req);
	/*
	 * Errors without the echoed request (so acks fit in small recvmmsg
	 * slots), with the kernel's explanation.
	 */
	kr->ack_slots = 1;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) == 0)
		kr->ack_slots = KR_ACK_SLOTS;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* Kernel-side dump filters; optional, we filter again. */
	setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	kr_set_rcvbuf(fd, KR_REQ_RCVBUF);
	if (mnl_socket_bind(kr->req, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	kr->req_portid = mnl_socket_get_portid(kr->req);

	/*
	 * Chunk size from the receive buffer we really got (getsockopt reports
	 * the doubled, truesize-accounted figure); half of it, for headroom.
	 */
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &sl) < 0 || rcvbuf <= 0)
		rcvbuf = 212992;
	kr->chunk_msgs = (size_t)rcvbuf / 2 / KR_ACK_TRUESIZE;
	if (kr->chunk_msgs < KR_CHUNK_MIN_MSGS)
		kr->chunk_msgs = KR_CHUNK_MIN_MSGS;
	if (kr->chunk_msgs > KR_CHUNK_MAX_MSGS)
		kr->chunk_msgs = KR_CHUNK_MAX_MSGS;
	return 0;
}

static int
kr_open_mon(struct kr *kr)
{
	kr->mon = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (kr->mon == NULL)
		return -1;
	kr_set_rcvbuf(mnl_socket_get_fd(kr->mon), KR_MON_RCVBUF);
	return mnl_socket_bind(kr->mon, RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE,
	    MNL_SOCKET_AUTOPID);
}

struct kr *
kr_open(const struct kr_callbacks *cb)
{
	struct kr *kr = calloc(1, sizeof(*kr));
	int saved;

	if (kr == NULL)
		return NULL;
	if (cb != NULL)
		kr->cb = *cb;
	kr->seq = (uint32_t)time(NULL);
	kr->rl_req = (struct log_ratelimit)LOG_RATELIMIT_INIT(10);
	kr->rl_bad = (struct log_ratelimit)LOG_RATELIMIT_INIT(10);
	kr->qcap = KR_CHUNK_BYTES + KR_MSG_MAX;
	kr->qmax = 1024;
	kr->qbuf = malloc(kr->qcap);
	kr->q = malloc(kr->qmax * sizeof(*kr->q));
	kr->req_rx = calloc(1, KR_RXBUF_SIZE + KR_RXBUF_SLACK);
	kr->mon_rx = calloc(1, KR_RXBUF_SIZE + KR_RXBUF_SLACK);
	if (kr->qbuf == NULL || kr->q == NULL || kr->req_rx == NULL || kr->mon_rx == NULL) {
		errno = ENOMEM;
		goto fail;
	}
	if (kr_open_req(kr) < 0 || kr_open_mon(kr) < 0)
		goto fail;
	return kr;
fail:
	saved = errno;
	kr_close(kr);
	errno = saved;
	return NULL;
}

/* Requests still queued (an unfinished batch) are dropped, not sent. */
void
kr_close(struct kr *kr)
{
	if (kr == NULL)
		return;
	if (kr->req != NULL)
		mnl_socket_close(kr->req);
	if (kr->mon != NULL)
		mnl_socket_close(kr->mon);
	free(kr->qbuf);
	free(kr->q);
	free(kr->req_rx);
	free(kr->mon_rx);
	krview_free(&kr->view);
	free(kr);
}

void
kr_get_stats(const struct kr *kr, struct kr_stats *out)
{
	*out = kr->stats;
}
