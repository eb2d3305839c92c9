/*
 * test_krview.c - kr's record of what it reported (netlink/krview.h): a
 * resync after a monitor overrun reports what the fresh dump no longer
 * shows as deleted, in the kernel's order (routes, addresses, links), and
 * nothing else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "netlink/krview.h"

#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	((uint32_t)(c) << 8) | (uint32_t)(d))

/* What the callbacks were told, one line each: "link 2 del", "addr 1 10.128.224.2/32 del". */
struct rec {
	char	 lines[64][64];
	size_t	 n;
};

static void
rec_link(void *ctx, const struct kr_link *l, bool deleted)
{
	struct rec *r = ctx;
	snprintf(r->lines[r->n++], 64, "link %u %s%s", l->ifindex, l->name, deleted ? " del" : "");
}

static void
rec_addr(void *ctx, const struct kr_addr *a, bool deleted)
{
	struct rec *r = ctx;
	char buf[PFX4_STRLEN];
	snprintf(r->lines[r->n++], 64, "addr %u %s%s", a->ifindex,
	    prefix4_ntop((struct prefix4){ a->addr, a->prefixlen }, buf), deleted ? " del" : "");
}

static void
rec_route(void *ctx, const struct kr_route *rt, bool deleted)
{
	struct rec *r = ctx;
	char buf[PFX4_STRLEN];
	snprintf(r->lines[r->n++], 64, "route %s origin %d%s", prefix4_ntop(rt->prefix, buf),
	    (int)rt->origin, deleted ? " del" : "");
}

static struct kr_link
L(unsigned ifindex, const char *name)
{
	struct kr_link l;
	memset(&l, 0, sizeof(l));
	l.ifindex = ifindex;
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.up = true;
	return l;
}

static struct kr_addr
A(unsigned ifindex, uint32_t addr, uint8_t len)
{
	return (struct kr_addr){ .ifindex = ifindex, .addr = addr, .prefixlen = len, .peer = addr };
}

static struct kr_route
R(uint32_t addr, uint8_t len, enum kr_origin origin, uint32_t metric)
{
	struct kr_route r;
	memset(&r, 0, sizeof(r));
	r.prefix = (struct prefix4){ addr, len };
	r.origin = origin;
	r.metric = metric;
	r.n_nh = 1;
	return r;
}

/* The host before the overrun: lo, eth0, eth1 with addresses, two routes. */
static void
fill(struct krview *v)
{
	struct kr_link lo = L(1, "lo"), e0 = L(2, "eth0"), e1 = L(3, "eth1");
	struct kr_addr a1 = A(1, IP(127, 0, 0, 1), 8), a2 = A(1, IP(10, 128, 224, 2), 32),
	    a3 = A(2, IP(10, 0, 1, 1), 24), a4 = A(3, IP(10, 0, 2, 1), 24);
	struct kr_route r1 = R(IP(192, 168, 10, 0), 24, KR_ORIGIN_STATIC, 0),
	    r2 = R(IP(192, 168, 20, 0), 24, KR_ORIGIN_OURS, 20);

	krview_link(v, &lo, false);
	krview_link(v, &e0, false);
	krview_link(v, &e1, false);
	krview_addr(v, &a1, false);
	krview_addr(v, &a2, false);
	krview_addr(v, &a3, false);
	krview_addr(v, &a4, false);
	krview_route(v, &r1, false);
	krview_route(v, &r2, false);
}

static const struct kr_callbacks *
cbs(struct rec *r)
{
	static struct kr_callbacks cb = { rec_link, rec_addr, rec_route, NULL };
	memset(r, 0, sizeof(*r));
	cb.ctx = r;
	return &cb;
}

/*
 * During the overrun 10.128.224.2/32 was deleted from lo, eth1 went away
 * with its address, and the static route was deleted: the dump shows the
 * rest, and exactly those are reported deleted, routes first, links last.
 */
static void
test_resync_reports_what_went(void **state)
{
	struct krview v;
	struct rec rec;
	const struct kr_callbacks *cb = cbs(&rec);

	(void)state;
	krview_init(&v);
	fill(&v);
	assert_int_equal(krview_count(&v), 9);

	krview_resync_begin(&v);
	struct kr_link lo = L(1, "lo"), e0 = L(2, "eth0");
	struct kr_addr a1 = A(1, IP(127, 0, 0, 1), 8), a3 = A(2, IP(10, 0, 1, 1), 24);
	struct kr_route r2 = R(IP(192, 168, 20, 0), 24, KR_ORIGIN_OURS, 20);
	krview_link(&v, &lo, false);
	krview_link(&v, &e0, false);
	krview_addr(&v, &a1, false);
	krview_addr(&v, &a3, false);
	krview_route(&v, &r2, false);
	assert_int_equal(krview_resync_end(&v, cb), 4);
	assert_int_equal(rec.n, 4);
	assert_string_equal(rec.lines[0], "route 192.168.10.0/24 origin 1 del");
	/* The two addresses in either order, both before the link. */
	bool a = strcmp(rec.lines[1], "addr 1 10.128.224.2/32 del") == 0;
	assert_string_equal(rec.lines[a ? 1 : 2], "addr 1 10.128.224.2/32 del");
	assert_string_equal(rec.lines[a ? 2 : 1], "addr 3 10.0.2.1/24 del");
	assert_string_equal(rec.lines[3], "link 3 eth1 del");
	assert_int_equal(krview_count(&v), 5);

	/* A second resync that sees everything reports nothing. */
	cb = cbs(&rec);
	krview_resync_begin(&v);
	krview_link(&v, &lo, false);
	krview_link(&v, &e0, false);
	krview_addr(&v, &a1, false);
	krview_addr(&v, &a3, false);
	krview_route(&v, &r2, false);
	assert_int_equal(krview_resync_end(&v, cb), 0);
	assert_int_equal(rec.n, 0);
	krview_free(&v);
}

/* Notifications between resyncs keep the view: a deletion is not reported twice. */
static void
test_notifications_kept(void **state)
{
	struct krview v;
	struct rec rec;
	const struct kr_callbacks *cb = cbs(&rec);

	(void)state;
	krview_init(&v);
	fill(&v);
	struct kr_addr a2 = A(1, IP(10, 128, 224, 2), 32);
	krview_addr(&v, &a2, true);		/* notified: not reported again */
	assert_int_equal(krview_count(&v), 8);
	/* A link deletion takes its addresses along. */
	struct kr_link e1 = L(3, "eth1");
	krview_link(&v, &e1, true);
	assert_int_equal(krview_count(&v), 6);
	/* The same address and prefix length on two interfaces are two objects. */
	struct kr_addr dup = A(2, IP(127, 0, 0, 1), 8);
	krview_addr(&v, &dup, false);
	assert_int_equal(krview_count(&v), 7);
	/* A route at another priority is another route; a refresh is not a new one. */
	struct kr_route r1b = R(IP(192, 168, 10, 0), 24, KR_ORIGIN_KERNEL, 100);
	struct kr_route r1 = R(IP(192, 168, 10, 0), 24, KR_ORIGIN_STATIC, 0);
	krview_route(&v, &r1b, false);
	krview_route(&v, &r1, false);
	assert_int_equal(krview_count(&v), 8);

	/* The dump shows only lo and 127.0.0.1/8 on lo: everything else goes, eth0 last. */
	krview_resync_begin(&v);
	struct kr_link lo = L(1, "lo");
	struct kr_addr a1 = A(1, IP(127, 0, 0, 1), 8);
	krview_link(&v, &lo, false);
	krview_addr(&v, &a1, false);
	assert_int_equal(krview_resync_end(&v, cb), 6);
	size_t routes = 0, addrs = 0, links = 0, last_route = 0, first_link = 99;
	for (size_t i = 0; i < rec.n; i++) {
		assert_non_null(strstr(rec.lines[i], " del"));
		if (strncmp(rec.lines[i], "route", 5) == 0) {
			routes++;
			last_route = i;
		} else if (strncmp(rec.lines[i], "addr", 4) == 0) {
			addrs++;
			assert_true(strcmp(rec.lines[i], "addr 2 127.0.0.1/8 del") == 0 ||
			    strcmp(rec.lines[i], "addr 2 10.0.1.1/24 del") == 0);
		} else {
			links++;
			if (i < first_link)
				first_link = i;
		}
	}
	assert_int_equal(routes, 3);
	assert_int_equal(addrs, 2);
	assert_int_equal(links, 1);
	assert_true(last_route < first_link);
	assert_int_equal(krview_count(&v), 2);
	krview_free(&v);
	assert_int_equal(krview_count(&v), 0);
}

/* Many objects: the table grows and finds each again. */
static void
test_many(void **state)
{
	struct krview v;
	struct rec rec;
	const struct kr_callbacks *cb = cbs(&rec);

	(void)state;
	krview_init(&v);
	for (uint32_t i = 0; i < 5000; i++) {
		struct kr_route r = R(IP(172, 16, 0, 0) + (i << 8), 24, KR_ORIGIN_OURS, 20);
		krview_route(&v, &r, false);
	}
	assert_int_equal(krview_count(&v), 5000);
	krview_resync_begin(&v);
	for (uint32_t i = 0; i < 5000; i++) {
		struct kr_route r = R(IP(172, 16, 0, 0) + (i << 8), 24, KR_ORIGIN_OURS, 20);
		if (i != 4321)
			krview_route(&v, &r, false);
	}
	assert_int_equal(krview_resync_end(&v, cb), 1);
	assert_string_equal(rec.lines[0], "route 172.32.225.0/24 origin 0 del");
	krview_free(&v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resync_reports_what_went),
		cmocka_unit_test(test_notifications_kept),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
