/*
 * kr_test.c - src/netlink/kr.c against a real kernel.
 *
 * Runs inside a throw-away network namespace built by tests/netns/kr.sh:
 *
 *	[this ns] veth0 10.9.0.1/24 ---- veth1 10.9.0.2/24 [peer ns]
 *	[this ns] veth2 10.9.1.1/24 ---- veth3 10.9.1.2/24 [peer ns]
 *
 * Every check reads the kernel back twice: through kr itself (kr_dump and
 * the monitor) and through `ip` (popen), so a bug in our parser cannot hide
 * a bug in our requests.  Output is TAP ("ok N - ..."); timings of the
 * 100k-route batches are TAP comments.  The program refuses to run outside
 * the namespace the script names in KR_TEST_NETNS: it changes routes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/addr.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "netlink/kr.h"

#define BIG 100000

enum ev_kind { EV_LINK, EV_ADDR, EV_ROUTE };

struct ev {
	enum ev_kind kind;
	bool deleted;
	struct kr_link link;
	struct kr_addr addr;
	struct kr_route route;
};

/* What the callbacks saw since the last rec_clear(). */
struct rec {
	struct ev *ev;
	size_t nev, cap;
	bool counting;        /* big tables: count, do not store */
	size_t ours, ours_deleted;
	struct kr *kr;
	struct prefix4 putback; /* reinstall this route when it is deleted */
	struct kr_nexthop putback_nh;
	struct prefix4 during_dump; /* install this when the connected route is seen */
	int putback_rc;
	bool putback_done;
};

static int tests, failures;
static unsigned if_veth0, if_veth2, if_lo;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!ok)
		failures++;
	printf("%sok %d - ", ok ? "" : "not ", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void
rec_push(struct rec *r, const struct ev *e)
{
	if (r->nev == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		struct ev *n = realloc(r->ev, ncap * sizeof(*n));
		if (n == NULL) {
			printf("Bail out! out of memory\n");
			exit(1);
		}
		r->ev = n;
		r->cap = ncap;
	}
	r->ev[r->nev++] = *e;
}

static void
rec_clear(struct rec *r)
{
	r->nev = 0;
	r->ours = 0;
	r->ours_deleted = 0;
}

static void
on_link(void *ctx, const struct kr_link *link, bool deleted)
{
	struct rec *r = ctx;
	struct ev e = { .kind = EV_LINK, .deleted = deleted, .link = *link };

	if (!r->counting)
		rec_push(r, &e);
}

static void
on_addr(void *ctx, const struct kr_addr *addr, bool deleted)
{
	struct rec *r = ctx;
	struct ev e = { .kind = EV_ADDR, .deleted = deleted, .addr = *addr };

	if (!r->counting)
		rec_push(r, &e);
}

static void
on_route(void *ctx, const struct kr_route *route, bool deleted)
{
	struct rec *r = ctx;

	if (route->protocol == RTPROT_RIPOSTE) {
		if (deleted)
			r->ours_deleted++;
		else
			r->ours++;
	}
	/* What riposted does with a deletion of ours that it did not ask for. */
	if (deleted && route->protocol == RTPROT_RIPOSTE && r->putback.len != 0 &&
	    prefix4_equal(route->prefix, r->putback)) {
		r->putback_rc = kr_route_change(r->kr, r->putback, &r->putback_nh, 1, 1);
		r->putback_done = true;
	}
	if (!deleted && r->during_dump.len != 0 && !r->putback_done &&
	    route->protocol == RTPROT_KERNEL) {
		r->putback_rc = kr_route_change(r->kr, r->during_dump, &r->putback_nh, 1, 1);
		r->putback_done = true;
	}
	if (!r->counting) {
		struct ev e = { .kind = EV_ROUTE, .deleted = deleted, .route = *route };
		rec_push(r, &e);
	}
}

static const struct ev *
find_link(const struct rec *r, const char *name, int up, bool deleted)
{
	for (size_t i = r->nev; i-- > 0;) {
		const struct ev *e = &r->ev[i];
		if (e->kind == EV_LINK && e->deleted == deleted &&
		    strcmp(e->link.name, name) == 0 && (up < 0 || e->link.up == (up > 0)))
			return e;
	}
	return NULL;
}

static const struct ev *
find_addr(const struct rec *r, unsigned ifindex, uint32_t addr, uint8_t plen, bool deleted)
{
	for (size_t i = 0; i < r->nev; i++) {
		const struct ev *e = &r->ev[i];
		if (e->kind == EV_ADDR && e->deleted == deleted && e->addr.ifindex == ifindex &&
		    e->addr.addr == addr && e->addr.prefixlen == plen)
			return e;
	}
	return NULL;
}

/* The n-th (0-based) route event for prefix with the given protocol (0 = any). */
static const struct ev *
find_route(const struct rec *r, struct prefix4 p, uint8_t proto, bool deleted)
{
	for (size_t i = 0; i < r->nev; i++) {
		const struct ev *e = &r->ev[i];
		if (e->kind == EV_ROUTE && e->deleted == deleted &&
		    prefix4_equal(e->route.prefix, p) &&
		    (proto == 0 || e->route.protocol == proto))
			return e;
	}
	return NULL;
}

static size_t
count_routes(const struct rec *r, struct prefix4 p, uint8_t proto)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nev; i++) {
		const struct ev *e = &r->ev[i];
		if (e->kind == EV_ROUTE && !e->deleted && prefix4_equal(e->route.prefix, p) &&
		    (proto == 0 || e->route.protocol == proto))
			n++;
	}
	return n;
}

static bool
has_nh(const struct kr_route *rt, uint32_t gw, unsigned ifindex)
{
	for (size_t i = 0; i < rt->n_nh; i++)
		if (rt->nh[i].gateway == gw && rt->nh[i].ifindex == ifindex)
			return true;
	return false;
}

static struct prefix4
pfx(const char *s)
{
	struct prefix4 p;

	if (prefix4_parse(s, &p, false, false) != 0) {
		printf("Bail out! bad prefix %s in the test\n", s);
		exit(1);
	}
	return p;
}

static uint32_t
ip(const char *s)
{
	uint32_t a;

	if (ip4_parse(s, &a) != 0) {
		printf("Bail out! bad address %s in the test\n", s);
		exit(1);
	}
	return a;
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a shell command; its exit status. */
static int
sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	int st = system(cmd);
	return st == -1 ? -1 : WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static const char *sh_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run a shell command; its output (trailing newline removed), in a static buffer. */
static const char *
sh_out(const char *fmt, ...)
{
	static char out[8192];
	char cmd[512];
	va_list ap;
	size_t len = 0;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	FILE *f = popen(cmd, "r");
	if (f == NULL)
		return out;
	size_t n;
	while (len < sizeof(out) - 1 && (n = fread(out + len, 1, sizeof(out) - 1 - len, f)) > 0)
		len += n;
	out[len] = '\0';
	pclose(f);
	/* ip ends its lines with a space: drop blanks at the end of every line. */
	size_t w = 0;
	for (size_t i = 0; i < len; i++) {
		if (out[i] == '\n')
			while (w > 0 && out[w - 1] == ' ')
				w--;
		out[w++] = out[i];
	}
	while (w > 0 && (out[w - 1] == '\n' || out[w - 1] == ' '))
		w--;
	out[w] = '\0';
	return out;
}

static long sh_count(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Number of lines a shell command prints. */
static long
sh_count(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return strtol(sh_out("%s | wc -l", cmd), NULL, 10);
}

static int
dump(struct kr *kr, struct rec *r)
{
	rec_clear(r);
	return kr_dump(kr);
}

/* Read the monitor until pred holds or timeout_ms passes. */
static bool
wait_for(struct kr *kr, struct rec *r, bool (*pred)(const struct rec *, const void *),
    const void *arg, int timeout_ms)
{
	rtime_t end = clock_mono_now() + timeout_ms * RTIME_MS;

	for (;;) {
		if (kr_monitor_read(kr) < 0)
			return false;
		if (pred(r, arg))
			return true;
		rtime_t now = clock_mono_now();
		if (now >= end)
			return false;
		struct pollfd pfd = { kr_monitor_fd(kr), POLLIN, 0 };
		poll(&pfd, 1, (int)((end - now) / RTIME_MS) + 1);
	}
}

/* Let events of earlier steps arrive and forget them. */
static void
settle(struct kr *kr, struct rec *r)
{
	struct pollfd pfd = { kr_monitor_fd(kr), POLLIN, 0 };

	while (poll(&pfd, 1, 50) > 0)
		kr_monitor_read(kr);
	rec_clear(r);
}

struct link_want {
	const char *name;
	int up;
};

static bool
pred_link(const struct rec *r, const void *arg)
{
	const struct link_want *w = arg;
	return find_link(r, w->name, w->up, false) != NULL;
}

struct addr_want {
	unsigned ifindex;
	uint32_t addr;
	uint8_t plen;
	bool deleted;
};

static bool
pred_addr(const struct rec *r, const void *arg)
{
	const struct addr_want *w = arg;
	return find_addr(r, w->ifindex, w->addr, w->plen, w->deleted) != NULL;
}

struct route_want {
	struct prefix4 p;
	uint8_t proto;
	bool deleted;
};

static bool
pred_route(const struct rec *r, const void *arg)
{
	const struct route_want *w = arg;
	return find_route(r, w->p, w->proto, w->deleted) != NULL;
}

static bool
pred_putback(const struct rec *r, const void *arg)
{
	return r->putback_done;
}

static double
secs_since(rtime_t t0)
{
	return (double)(clock_mono_now() - t0) / RTIME_SEC;
}

static void
test_dump(struct kr *kr, struct rec *r)
{
	const struct ev *e;

	check(dump(kr, r) == 0, "kr_dump succeeds");
	e = find_link(r, "lo", -1, false);
	check(e != NULL && e->link.up && e->link.loopback && e->link.ifindex == if_lo,
	    "dump: lo is up (IFF_UP and IFF_RUNNING) and loopback");
	e = find_link(r, "veth0", -1, false);
	check(e != NULL && e->link.up && !e->link.loopback && e->link.multicast &&
	    e->link.mtu == 1500 && e->link.ifindex == if_veth0,
	    "dump: veth0 up, multicast, mtu 1500");
	e = find_addr(r, if_veth0, ip("10.9.0.1"), 24, false);
	check(e != NULL && e->addr.peer == ip("10.9.0.1"), "dump: 10.9.0.1/24 on veth0");
	e = find_route(r, pfx("10.9.0.0/24"), RTPROT_KERNEL, false);
	check(e != NULL && e->route.n_nh == 1 && e->route.nh[0].gateway == 0 &&
	    e->route.nh[0].ifindex == if_veth0 && e->route.table == RT_TABLE_MAIN &&
	    e->route.type == RTN_UNICAST,
	    "dump: connected route 10.9.0.0/24 dev veth0 proto kernel");
	/* Local and broadcast routes live in the local table: not reported. */
	check(find_route(r, pfx("10.9.0.1/32"), 0, false) == NULL,
	    "dump: local-table routes are left out");
	check(kr_flush_ours(kr) == 0 &&
	    sh_count("ip -4 route show proto %d", RTPROT_RIPOSTE) == 0,
	    "kr_flush_ours on a clean table");
}

static void
test_routes(struct kr *kr, struct rec *r)
{
	struct kr_nexthop a = { ip("10.9.0.2"), if_veth0 };
	struct kr_nexthop b = { ip("10.9.1.2"), if_veth2 };
	struct kr_nexthop ab[2] = { a, b };
	struct kr_nexthop direct = { 0, if_veth2 };
	const struct ev *e;
	const char *out;

	check(kr_route_change(kr, pfx("10.200.0.0/24"), &a, 1, 3) == 0,
	    "route change 10.200.0.0/24 via 10.9.0.2 (one next hop)");
	out = sh_out("ip -4 route show proto %d exact 10.200.0.0/24", RTPROT_RIPOSTE);
	check(strcmp(out, "10.200.0.0/24 via 10.9.0.2 dev veth0 metric 20") == 0,
	    "ip route shows it: '%s'", out);
	dump(kr, r);
	e = find_route(r, pfx("10.200.0.0/24"), RTPROT_RIPOSTE, false);
	check(e != NULL && e->route.n_nh == 1 && has_nh(&e->route, a.gateway, a.ifindex) &&
	    e->route.metric == 20 && e->route.type == RTN_UNICAST,
	    "kr_dump shows it with protocol %d and one next hop", RTPROT_RIPOSTE);

	check(kr_route_change(kr, pfx("10.200.1.0/24"), ab, 2, 3) == 0,
	    "route change 10.200.1.0/24 with two next hops (ECMP)");
	out = sh_out("ip -4 route show proto %d exact 10.200.1.0/24", RTPROT_RIPOSTE);
	check(strstr(out, "nexthop via 10.9.0.2 dev veth0 weight 1") != NULL &&
	    strstr(out, "nexthop via 10.9.1.2 dev veth2 weight 1") != NULL,
	    "ip route shows both next hops");
	dump(kr, r);
	e = find_route(r, pfx("10.200.1.0/24"), RTPROT_RIPOSTE, false);
	check(e != NULL && e->route.n_nh == 2 && has_nh(&e->route, a.gateway, a.ifindex) &&
	    has_nh(&e->route, b.gateway, b.ifindex),
	    "kr_dump parses RTA_MULTIPATH into two next hops");

	check(kr_route_change(kr, pfx("10.200.1.0/24"), &b, 1, 3) == 0,
	    "replace ECMP with one next hop");
	out = sh_out("ip -4 route show exact 10.200.1.0/24");
	check(sh_count("ip -4 route show exact 10.200.1.0/24") == 1 &&
	    strcmp(sh_out("ip -4 route show proto %d exact 10.200.1.0/24", RTPROT_RIPOSTE),
	    "10.200.1.0/24 via 10.9.1.2 dev veth2 metric 20") == 0,
	    "ip route shows one route, one next hop");
	dump(kr, r);
	e = find_route(r, pfx("10.200.1.0/24"), RTPROT_RIPOSTE, false);
	check(count_routes(r, pfx("10.200.1.0/24"), 0) == 1 && e != NULL &&
	    e->route.n_nh == 1 && has_nh(&e->route, b.gateway, b.ifindex),
	    "kr_dump agrees");

	check(kr_route_change(kr, pfx("10.200.0.0/24"), &a, 1, 7) == 0 &&
	    kr_route_change(kr, pfx("10.200.0.0/24"), &b, 1, 12) == 0,
	    "metric changes 3 -> 7 -> 12 (next hop changed too)");
	check(sh_count("ip -4 route show exact 10.200.0.0/24") == 1,
	    "exactly one route for the prefix after metric changes");
	dump(kr, r);
	e = find_route(r, pfx("10.200.0.0/24"), RTPROT_RIPOSTE, false);
	check(count_routes(r, pfx("10.200.0.0/24"), 0) == 1 && e != NULL &&
	    has_nh(&e->route, b.gateway, b.ifindex), "kr_dump agrees, with the new next hop");

	check(kr_route_change(kr, pfx("10.200.2.0/24"), &direct, 1, 1) == 0,
	    "route change with gateway 0 (straight out of veth2)");
	out = sh_out("ip -4 route show proto %d exact 10.200.2.0/24", RTPROT_RIPOSTE);
	check(strcmp(out, "10.200.2.0/24 dev veth2 metric 20") == 0,
	    "ip route shows a device route: '%s'", out);

	check(kr_route_change(kr, pfx("0.0.0.0/0"), &a, 1, 2) == 0 &&
	    strcmp(sh_out("ip -4 route show proto %d exact 0.0.0.0/0", RTPROT_RIPOSTE),
	    "default via 10.9.0.2 dev veth0 metric 20") == 0 &&
	    kr_route_delete(kr, pfx("0.0.0.0/0")) == 0 &&
	    sh_count("ip -4 route show proto %d exact 0.0.0.0/0", RTPROT_RIPOSTE) == 0,
	    "default route: install and delete");

	check(kr_route_delete(kr, pfx("10.200.0.0/24")) == 0 &&
	    sh_count("ip -4 route show exact 10.200.0.0/24") == 0, "delete 10.200.0.0/24");
	check(kr_route_delete(kr, pfx("10.200.0.0/24")) == 0, "delete of a missing route is OK");

	/* Another protocol's route for the same prefix is never ours to delete. */
	sh("ip route add 10.203.0.0/24 via 10.9.0.2");
	check(kr_route_delete(kr, pfx("10.203.0.0/24")) == 0 &&
	    sh_count("ip -4 route show proto boot exact 10.203.0.0/24") == 1,
	    "delete leaves another protocol's route for the prefix alone");

	struct kr_stats st0, st1;
	struct kr_nexthop far = { ip("10.77.0.1"), 0 };
	kr_get_stats(kr, &st0);
	errno = 0;
	int rc = kr_route_change(kr, pfx("10.205.0.0/24"), &far, 1, 1);
	kr_get_stats(kr, &st1);
	check(rc == -1 && errno == ENETUNREACH && st1.errors == st0.errors + 1,
	    "unreachable gateway: -1, ENETUNREACH, counted (%s)", strerror(errno));
	struct prefix4 bad = { ip("10.206.0.1"), 24 };
	check(kr_route_change(kr, bad, &a, 1, 1) == -1 && errno == EINVAL,
	    "prefix with host bits: EINVAL before the kernel");

	/* One bad request in a batch does not stop the others. */
	kr_batch_begin(kr);
	kr_route_change(kr, pfx("10.207.0.0/24"), &a, 1, 1);
	kr_route_change(kr, pfx("10.207.1.0/24"), &far, 1, 1);
	kr_route_change(kr, pfx("10.207.2.0/24"), &b, 1, 1);
	rc = kr_batch_end(kr);
	check(rc == -1 &&
	    sh_count("ip -4 route show proto %d root 10.207.0.0/16", RTPROT_RIPOSTE) == 2,
	    "batch with one failure: -1, and the two good routes are installed");
}

static void
test_flush(struct kr *kr, struct rec *r)
{
	sh("ip route add 10.201.0.0/24 via 10.9.0.2");
	/* Ours with a foreign priority, as an older riposted might have left it. */
	sh("ip route add 10.202.0.0/24 via 10.9.0.2 proto %d metric 99", RTPROT_RIPOSTE);
	long before = sh_count("ip -4 route show proto %d", RTPROT_RIPOSTE);
	check(kr_flush_ours(kr) == 0, "kr_flush_ours (%ld routes of ours)", before);
	check(sh_count("ip -4 route show proto %d", RTPROT_RIPOSTE) == 0,
	    "no route of protocol %d is left", RTPROT_RIPOSTE);
	check(sh_count("ip -4 route show exact 10.201.0.0/24") == 1 &&
	    sh_count("ip -4 route show exact 10.203.0.0/24") == 1 &&
	    sh_count("ip -4 route show proto kernel") == 2,
	    "static and connected routes are still there");
	dump(kr, r);
	check(r->ours == 0, "kr_dump sees none of ours either");
	sh("ip route del 10.201.0.0/24; ip route del 10.203.0.0/24");
}

static void
test_monitor(struct kr *kr, struct rec *r)
{
	struct kr_nexthop a = { ip("10.9.0.2"), if_veth0 };
	struct link_want lw;
	struct addr_want aw;
	struct route_want rw;
	const struct ev *e;

	settle(kr, r);
	sh("ip link set veth2 down");
	lw = (struct link_want){ "veth2", 0 };
	check(wait_for(kr, r, pred_link, &lw, 2000), "monitor: veth2 down");
	rec_clear(r);
	sh("ip link set veth2 up");
	lw = (struct link_want){ "veth2", 1 };
	check(wait_for(kr, r, pred_link, &lw, 3000), "monitor: veth2 up (carrier back)");

	settle(kr, r);
	sh("ip addr add 10.9.5.1/24 dev veth0");
	aw = (struct addr_want){ if_veth0, ip("10.9.5.1"), 24, false };
	check(wait_for(kr, r, pred_addr, &aw, 2000), "monitor: address 10.9.5.1/24 added");
	sh("ip addr del 10.9.5.1/24 dev veth0");
	aw.deleted = true;
	check(wait_for(kr, r, pred_addr, &aw, 2000), "monitor: address 10.9.5.1/24 deleted");

	sh("ip addr add 10.9.6.1 peer 10.9.6.2/32 dev veth0");
	aw = (struct addr_want){ if_veth0, ip("10.9.6.1"), 32, false };
	check(wait_for(kr, r, pred_addr, &aw, 2000) &&
	    find_addr(r, if_veth0, ip("10.9.6.1"), 32, false)->addr.peer == ip("10.9.6.2"),
	    "monitor: point-to-point address, peer from IFA_ADDRESS");
	sh("ip addr del 10.9.6.1 peer 10.9.6.2/32 dev veth0");

	settle(kr, r);
	check(kr_route_change(kr, pfx("10.200.3.0/24"), &a, 1, 1) == 0,
	    "install 10.200.3.0/24 for the monitor tests");
	rw = (struct route_want){ pfx("10.200.3.0/24"), RTPROT_RIPOSTE, false };
	check(wait_for(kr, r, pred_route, &rw, 2000), "monitor: our own NEWROUTE is reported");
	sh("ip route del 10.200.3.0/24 proto %d", RTPROT_RIPOSTE);
	rw.deleted = true;
	check(wait_for(kr, r, pred_route, &rw, 2000) &&
	    find_route(r, rw.p, RTPROT_RIPOSTE, true)->route.protocol == RTPROT_RIPOSTE,
	    "monitor: `ip route del` of ours is a DELROUTE with protocol %d", RTPROT_RIPOSTE);

	sh("ip route add 10.204.0.0/24 via 10.9.0.2");
	rw = (struct route_want){ pfx("10.204.0.0/24"), RTPROT_BOOT, false };
	check(wait_for(kr, r, pred_route, &rw, 2000) &&
	    (e = find_route(r, rw.p, RTPROT_BOOT, false)) != NULL &&
	    has_nh(&e->route, a.gateway, a.ifindex),
	    "monitor: another protocol's route (static) is reported");
	sh("ip route del 10.204.0.0/24");

	/* Put back from inside the callback: the synchronous path in a monitor callback. */
	check(kr_route_change(kr, pfx("10.200.4.0/24"), &a, 1, 1) == 0,
	    "install 10.200.4.0/24 for the put-back test");
	settle(kr, r);
	r->putback = pfx("10.200.4.0/24");
	r->putback_nh = a;
	r->putback_done = false;
	sh("ip route del 10.200.4.0/24 proto %d", RTPROT_RIPOSTE);
	check(wait_for(kr, r, pred_putback, NULL, 2000) && r->putback_rc == 0 &&
	    sh_count("ip -4 route show proto %d exact 10.200.4.0/24", RTPROT_RIPOSTE) == 1,
	    "a callback reinstalls a deleted route of ours synchronously");
	r->putback.len = 0;
	r->putback.addr = 0;

	/*
	 * The same from a kr_dump() callback: the request is queued while the
	 * dump is read and sent when the dump is done.
	 */
	r->during_dump = pfx("10.200.5.0/24");
	r->putback_nh = a;
	r->putback_done = false;
	check(dump(kr, r) == 0 && r->putback_done && r->putback_rc == 0 &&
	    sh_count("ip -4 route show proto %d exact 10.200.5.0/24", RTPROT_RIPOSTE) == 1,
	    "a request from a kr_dump() callback is sent after the dump");
	r->during_dump.len = 0;
	r->during_dump.addr = 0;
	kr_route_delete(kr, pfx("10.200.4.0/24"));
	kr_route_delete(kr, pfx("10.200.5.0/24"));
}

static void
test_forged(struct kr *kr, struct rec *r)
{
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	socklen_t sl = sizeof(me);
	struct kr_stats st0, st1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	settle(kr, r);
	if (fd < 0 || getsockname(kr_monitor_fd(kr), (struct sockaddr *)&me, &sl) < 0) {
		check(false, "forged message: socket setup");
		return;
	}
	/* A well-formed RTM_DELROUTE of ours, but from a process, not the kernel. */
	struct {
		struct nlmsghdr h;
		struct rtmsg rtm;
		struct rtattr a;
		uint32_t dst;
	} m = {
		.h = { sizeof(m), RTM_DELROUTE, 0, 1, 0 },
		.rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24, .rtm_table = RT_TABLE_MAIN,
		    .rtm_protocol = RTPROT_RIPOSTE, .rtm_type = RTN_UNICAST },
		.a = { sizeof(struct rtattr) + 4, RTA_DST },
		.dst = htonl(ip("10.200.1.0")),
	};
	struct sockaddr_nl to = { .nl_family = AF_NETLINK, .nl_pid = me.nl_pid };
	kr_get_stats(kr, &st0);
	ssize_t n = sendto(fd, &m, sizeof(m), 0, (struct sockaddr *)&to, sizeof(to));
	close(fd);
	usleep(50000);
	int rc = kr_monitor_read(kr);
	kr_get_stats(kr, &st1);
	if (n < 0) {
		printf("# the kernel refused the forged unicast (%s)\n", strerror(errno));
		check(rc == 0, "forged message from a process: not even delivered");
		return;
	}
	check(rc == 0 && r->ours_deleted == 0 && st1.errors == st0.errors + 1,
	    "forged message from a process is dropped and counted");
}

static void
test_addr(struct kr *kr, struct rec *r)
{
	uint32_t vip = ip("10.128.224.2");
	struct addr_want aw = { if_lo, vip, 32, false };

	settle(kr, r);
	check(kr_addr_add(kr, if_lo, vip, 32) == 0, "kr_addr_add 10.128.224.2/32 dev lo");
	check(strstr(sh_out("ip -4 addr show dev lo"), "inet 10.128.224.2/32 scope global lo") !=
	    NULL, "ip addr shows it, scope global");
	check(wait_for(kr, r, pred_addr, &aw, 2000), "monitor reports the new address on lo");
	check(kr_addr_add(kr, if_lo, vip, 32) == 0, "kr_addr_add again is OK (EEXIST)");
	check(kr_addr_delete(kr, if_lo, vip, 32) == 0 &&
	    strstr(sh_out("ip -4 addr show dev lo"), "10.128.224.2") == NULL,
	    "kr_addr_delete removes it");
	aw.deleted = true;
	check(wait_for(kr, r, pred_addr, &aw, 2000), "monitor reports the deletion");
	check(kr_addr_delete(kr, if_lo, vip, 32) == 0, "kr_addr_delete of a missing address is OK");
}

/* 100k routes: install, replace, delete in batches; a monitor overrun on the way. */
static void
test_big(struct kr *kr, struct rec *r, unsigned plen)
{
	struct kr_nexthop a = { ip("10.9.0.2"), if_veth0 };
	struct kr_nexthop b = { ip("10.9.1.2"), if_veth2 };
	/* /32s from 100.64.0.0, /24s from 20.0.0.0 */
	uint32_t base = plen == 32 ? ip("100.64.0.0") : ip("20.0.0.0");
	unsigned step = 1u << (32 - plen);
	struct kr_stats st0, st1;
	rtime_t t0;
	long n;
	int rc;

	settle(kr, r);
	kr_get_stats(kr, &st0);
	t0 = clock_mono_now();
	kr_batch_begin(kr);
	for (unsigned i = 0; i < BIG; i++) {
		struct prefix4 p = { base + i * step, (uint8_t)plen };
		kr_route_change(kr, p, &a, 1, 1);
	}
	rc = kr_batch_end(kr);
	printf("# install %d /%u routes in a batch: %.3f s\n", BIG, plen, secs_since(t0));
	kr_get_stats(kr, &st1);
	n = sh_count("ip -4 route show proto %d", RTPROT_RIPOSTE);
	check(rc == 0 && st1.routes_changed - st0.routes_changed == BIG && n == BIG,
	    "batch install of %d /%u routes (ip route counts %ld)", BIG, plen, n);

	/* The monitor queue overflowed: the next read re-dumps. */
	r->counting = true;
	rec_clear(r);
	t0 = clock_mono_now();
	rc = kr_monitor_read(kr);
	kr_get_stats(kr, &st1);
	printf("# monitor read after the batch: %.3f s, %llu resyncs\n", secs_since(t0),
	    (unsigned long long)(st1.resyncs - st0.resyncs));
	check(rc == 0 && st1.resyncs > st0.resyncs && r->ours >= BIG,
	    "monitor overrun recovered by a re-dump (%zu of ours seen)", r->ours);

	t0 = clock_mono_now();
	kr_batch_begin(kr);
	for (unsigned i = 0; i < BIG; i++) {
		struct prefix4 p = { base + i * step, (uint8_t)plen };
		kr_route_change(kr, p, &b, 1, 2);
	}
	rc = kr_batch_end(kr);
	printf("# replace %d /%u routes in a batch: %.3f s\n", BIG, plen, secs_since(t0));
	n = sh_count("ip -4 route show proto %d via 10.9.1.2", RTPROT_RIPOSTE);
	check(rc == 0 && n == BIG, "batch replace of %d routes in place (%ld via the new gateway)",
	    BIG, n);
	settle(kr, r);

	rec_clear(r);
	t0 = clock_mono_now();
	rc = kr_dump(kr);
	printf("# kr_dump with %d routes: %.3f s\n", BIG, secs_since(t0));
	check(rc == 0 && r->ours == BIG, "kr_dump reports %zu of ours", r->ours);

	kr_get_stats(kr, &st0);
	t0 = clock_mono_now();
	kr_batch_begin(kr);
	for (unsigned i = 0; i < BIG; i++) {
		struct prefix4 p = { base + i * step, (uint8_t)plen };
		kr_route_delete(kr, p);
	}
	rc = kr_batch_end(kr);
	printf("# delete %d /%u routes in a batch: %.3f s\n", BIG, plen, secs_since(t0));
	kr_get_stats(kr, &st1);
	n = sh_count("ip -4 route show proto %d", RTPROT_RIPOSTE);
	check(rc == 0 && st1.routes_deleted - st0.routes_deleted == BIG && n == 0,
	    "batch delete of %d /%u routes (%ld left)", BIG, plen, n);
	settle(kr, r);
	r->counting = false;
}

static void
test_big_flush(struct kr *kr, struct rec *r)
{
	struct kr_nexthop a = { ip("10.9.0.2"), if_veth0 };
	uint32_t base = ip("100.64.0.0");
	rtime_t t0;
	long n;

	r->counting = true;
	kr_batch_begin(kr);
	for (unsigned i = 0; i < BIG; i++) {
		struct prefix4 p = { base + i, 32 };
		kr_route_change(kr, p, &a, 1, 1);
	}
	kr_batch_end(kr);
	t0 = clock_mono_now();
	int rc = kr_flush_ours(kr);
	printf("# kr_flush_ours with %d routes: %.3f s\n", BIG, secs_since(t0));
	n = sh_count("ip -4 route show proto %d", RTPROT_RIPOSTE);
	check(rc == 0 && n == 0, "kr_flush_ours removes %d routes (%ld left)", BIG, n);
	settle(kr, r);
	r->counting = false;
}

/*
 * An address deleted while the monitor overflowed: its RTM_DELADDR is
 * dropped with the rest of the stale queue, and the re-dump does not show
 * it.  The resync must report it deleted (krview.h), or the caller keeps it.
 */
static void
test_resync_deletion(struct kr *kr, struct rec *r)
{
	struct kr_nexthop a = { ip("10.9.0.2"), if_veth0 };
	uint32_t vip = ip("10.128.224.7"), base = ip("100.64.0.0");
	struct addr_want aw = { if_lo, vip, 32, false };
	struct kr_stats st0, st1;
	bool reported = false;

	settle(kr, r);
	sh("ip addr add 10.128.224.7/32 dev lo");
	check(wait_for(kr, r, pred_addr, &aw, 2000), "resync: monitor reports 10.128.224.7/32 on lo");
	sh("ip addr del 10.128.224.7/32 dev lo");
	kr_get_stats(kr, &st0);
	kr_batch_begin(kr);
	for (unsigned i = 0; i < BIG; i++)
		kr_route_change(kr, (struct prefix4){ base + i, 32 }, &a, 1, 1);
	kr_batch_end(kr);
	r->counting = false;
	rec_clear(r);
	int rc = kr_monitor_read(kr);
	kr_get_stats(kr, &st1);
	for (size_t i = 0; i < r->nev; i++)
		if (r->ev[i].kind == EV_ADDR && r->ev[i].deleted && r->ev[i].addr.addr == vip &&
		    r->ev[i].addr.ifindex == if_lo)
			reported = true;
	check(rc == 0 && st1.resyncs > st0.resyncs, "resync: the monitor overflowed and was re-read");
	check(reported, "resync: the address deleted during the overrun is reported deleted");
	kr_batch_begin(kr);
	for (unsigned i = 0; i < BIG; i++)
		kr_route_delete(kr, (struct prefix4){ base + i, 32 });
	kr_batch_end(kr);
	r->counting = true;
	settle(kr, r);
	r->counting = false;
}

int
main(int argc, char **argv)
{
	struct rec r = { 0 };
	struct kr_callbacks cb = { on_link, on_addr, on_route, &r };
	const char *ns = getenv("KR_TEST_NETNS");

	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("kr_test");
	/* This program adds and deletes routes: only ever in the namespace the script made. */
	if (ns == NULL || strcmp(sh_out("ip netns identify"), ns) != 0) {
		printf("Bail out! not inside the namespace named by KR_TEST_NETNS; "
		    "run tests/netns/kr.sh\n");
		return 1;
	}
	if_lo = if_nametoindex("lo");
	if_veth0 = if_nametoindex("veth0");
	if_veth2 = if_nametoindex("veth2");
	if (if_lo == 0 || if_veth0 == 0 || if_veth2 == 0) {
		printf("Bail out! lo, veth0 and veth2 are needed\n");
		return 1;
	}

	struct kr *kr = kr_open(&cb);
	check(kr != NULL, "kr_open");
	if (kr == NULL)
		return 1;
	r.kr = kr;

	test_dump(kr, &r);
	test_routes(kr, &r);
	test_flush(kr, &r);
	test_monitor(kr, &r);
	test_forged(kr, &r);
	test_addr(kr, &r);
	test_big(kr, &r, 32);
	test_big(kr, &r, 24);
	test_big_flush(kr, &r);
	test_resync_deletion(kr, &r);

	struct kr_stats st;
	kr_get_stats(kr, &st);
	printf("# stats: changed %llu deleted %llu errors %llu resyncs %llu\n",
	    (unsigned long long)st.routes_changed, (unsigned long long)st.routes_deleted,
	    (unsigned long long)st.errors, (unsigned long long)st.resyncs);
	kr_close(kr);
	free(r.ev);
	printf("1..%d\n", tests);
	return failures == 0 ? 0 : 1;
}
