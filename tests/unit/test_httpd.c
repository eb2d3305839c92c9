/*
 * test_httpd.c - the metrics listener (src/metrics/httpd.c) on loopback:
 * libmicrohttpd driven by a libev loop, as in the daemons.  A child process
 * is the HTTP client (plain blocking sockets, so nothing of the library is
 * on its side); the parent runs the loop with a 5 ms ticker next to it.
 *
 * The child checks: GET /metrics is 200 with the page and the 0.0.4
 * content type; with an OpenMetrics Accept the page ends in "# EOF"; 404
 * for another path; 405 with Allow for POST; a page whose writer was
 * misused is a 500, not half a page; four connections from 127.0.0.2 that
 * send half a request and wait do not delay a GET from 127.0.0.1 (the
 * loop is not blocked, and the per-address limit leaves the others their
 * slots), and a fifth from 127.0.0.2 is closed at once (per-address
 * limit).  The parent checks that the ticker kept running throughout and
 * that the page was written on the loop's thread, once per 200.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "metrics/httpd.h"

struct ctx {
	unsigned pages;		/* collect calls */
	bool wrong_thread;
	pthread_t loop_thread;
	bool misuse;		/* the next page misuses the writer */
	unsigned ticks;
	unsigned max_gap_ms;	/* the longest time between two ticks */
	double last_tick;
	ev_timer ticker;
	ev_child child;
	int child_status;
};

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
collect(void *arg, struct prom_w *w)
{
	struct ctx *c = arg;

	c->pages++;
	if (!pthread_equal(pthread_self(), c->loop_thread))
		c->wrong_thread = true;
	prom_family(w, "riposte_test", PROM_COUNTER, "A test counter.");
	prom_u64(w, "", 1, "label", "a \"b\"", NULL);
	if (c->misuse) {
		c->misuse = false;
		prom_family(w, "bad name", PROM_GAUGE, "x");
	}
}

static void
tick_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctx *c = w->data;
	double t = now_ms();

	if (c->ticks > 0 && t - c->last_tick > c->max_gap_ms)
		c->max_gap_ms = (unsigned)(t - c->last_tick);
	c->last_tick = t;
	c->ticks++;
}

static void
child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
	struct ctx *c = w->data;

	c->child_status = w->rstatus;
	ev_break(loop, EVBREAK_ALL);
}

/* ---- the child: a plain HTTP/1.0 client */

static int
dial(const char *from, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct timeval tv = { 3, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (from != NULL) {
		inet_pton(AF_INET, from, &sa.sin_addr);
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			close(fd);
			return -1;
		}
	}
	sa.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send req, read the whole answer into buf (NUL-terminated); its length or -1. */
static ssize_t
exchange(uint16_t port, const char *req, char *buf, size_t cap)
{
	int fd = dial(NULL, port);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return -1;
	}
	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

static bool
has(const char *buf, const char *s)
{
	return strstr(buf, s) != NULL;
}

static int
client(uint16_t port)
{
	static char buf[65536];
	int idle[5];
	double t0;

	usleep(100 * 1000);	/* the ticker runs meanwhile: the parent counts its ticks */

	if (exchange(port, "GET /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf)) < 0 ||
	    !has(buf, "HTTP/1.1 200") || !has(buf, "text/plain; version=0.0.4") ||
	    !has(buf, "\r\n\r\n# HELP riposte_test_total A test counter.\n"
	    "# TYPE riposte_test_total counter\nriposte_test_total{label=\"a \\\"b\\\"\"} 1\n"))
		return 10;
	if (exchange(port, "GET /metrics HTTP/1.0\r\nAccept: application/openmetrics-text;"
	    "version=1.0.0,text/plain;q=0.5\r\n\r\n", buf, sizeof(buf)) < 0 ||
	    !has(buf, "application/openmetrics-text") || !has(buf, "# TYPE riposte_test counter\n") ||
	    strcmp(buf + strlen(buf) - 6, "# EOF\n") != 0)
		return 11;
	if (exchange(port, "GET /foo HTTP/1.0\r\n\r\n", buf, sizeof(buf)) < 0 ||
	    !has(buf, "HTTP/1.1 404"))
		return 12;
	if (exchange(port, "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", buf,
	    sizeof(buf)) < 0 || !has(buf, "HTTP/1.1 405") || !has(buf, "Allow: GET, HEAD"))
		return 13;
	if (exchange(port, "HEAD /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf)) < 0 ||
	    !has(buf, "HTTP/1.1 200") || has(buf, "riposte_test_total{"))
		return 14;
	/* The page after this one misuses the writer: 500 (the parent arms it by the count). */
	if (exchange(port, "GET /metrics?misuse HTTP/1.0\r\n\r\n", buf, sizeof(buf)) < 0 ||
	    !has(buf, "HTTP/1.1 500") || has(buf, "riposte_test_total{"))
		return 15;

	/* Slow clients from another address: half a request each, then silence. */
	for (int i = 0; i < 4; i++) {
		if ((idle[i] = dial("127.0.0.2", port)) < 0)
			return 20;
		if (write(idle[i], "GET /met", 8) != 8)
			return 21;
	}
	t0 = now_ms();
	if (exchange(port, "GET /metrics HTTP/1.0\r\n\r\n", buf, sizeof(buf)) < 0 ||
	    !has(buf, "HTTP/1.1 200"))
		return 22;
	if (now_ms() - t0 > 1000)
		return 23;
	/* A fifth from the same address: over the per-address limit, closed. */
	if ((idle[4] = dial("127.0.0.2", port)) < 0)
		return 24;
	if (write(idle[4], "GET /metrics HTTP/1.0\r\n\r\n", 25) < 0) {
		/* already closed: as good */
	}
	t0 = now_ms();
	ssize_t n = read(idle[4], buf, sizeof(buf));
	if (n > 0 || (n < 0 && errno != ECONNRESET) || now_ms() - t0 > 1000)
		return 25;
	usleep(100 * 1000);	/* the slow ones still open: the loop must go on ticking */
	for (int i = 0; i < 5; i++)
		close(idle[i]);
	return 0;
}

/* A GET whose query string says "misuse": arm it before the loop answers. */
static void
arm_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct ctx *c = w->data;

	/* Pages 1 and 2 are the GETs, 3 the HEAD (404 and 405 write none): the 4th misuses. */
	if (c->pages == 3)
		c->misuse = true;
}

static void
test_listener(void **state)
{
	struct ev_loop *loop = EV_DEFAULT;	/* ev_child needs the default loop */
	struct prom_listen l;
	struct metrics_httpd *h = NULL;
	struct ctx c = { 0 };
	ev_prepare arm;
	uint16_t port = 0;
	pid_t pid;

	c.loop_thread = pthread_self();
	/* A free port: try a few in the tests' range. */
	for (uint16_t p = (uint16_t)(24000 + getpid() % 4000); p < 32000 && h == NULL; p += 7) {
		char s[32];
		snprintf(s, sizeof(s), "127.0.0.1@%u", p);
		assert_int_equal(prom_listen_parse(s, 1, &l), 0);
		if ((h = metrics_httpd_start(loop, &l, collect, &c)) != NULL)
			port = p;
	}
	assert_non_null(h);

	ev_timer_init(&c.ticker, tick_cb, 0.005, 0.005);
	c.ticker.data = &c;
	ev_timer_start(loop, &c.ticker);
	ev_prepare_init(&arm, arm_cb);
	arm.data = &c;
	ev_prepare_start(loop, &arm);

	if ((pid = fork()) == 0)
		_exit(client(port));
	assert_true(pid > 0);
	ev_child_init(&c.child, child_cb, pid, 0);
	c.child.data = &c;
	ev_child_start(loop, &c.child);
	ev_run(loop, 0);

	if (!WIFEXITED(c.child_status) || WEXITSTATUS(c.child_status) != 0)
		fail_msg("the client failed at step %d", WEXITSTATUS(c.child_status));
	assert_false(c.wrong_thread);
	/* GET, GET (OpenMetrics), HEAD, the misused one, the GET next to the slow ones. */
	assert_int_equal(c.pages, 5);
	assert_int_equal(metrics_httpd_scrapes(h), 4);
	/* 200 ms of the child's sleeps at 5 ms a tick, with room for a slow machine. */
	if (c.ticks < 10)
		fail_msg("the ticker ran %u times", c.ticks);
	/* The loop never stalled for long (generous: a loaded CI machine). */
	if (c.max_gap_ms > 500)
		fail_msg("the loop stalled for %u ms", c.max_gap_ms);
	ev_timer_stop(loop, &c.ticker);
	ev_prepare_stop(loop, &arm);
	metrics_httpd_stop(h);
}

/* Two listeners of one set, then a change: the kept one stays, the new one is opened. */
static void
test_set(void **state)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct metrics_set s = { 0 };
	struct prom_listen l[3];
	struct ctx c = { 0 };
	char err[256] = "";
	uint16_t base = (uint16_t)(28000 + getpid() % 3000);

	for (int i = 0; i < 3; i++) {
		char a[32];
		snprintf(a, sizeof(a), "127.0.0.1@%u", base + i);
		assert_int_equal(prom_listen_parse(a, 1, &l[i]), 0);
		l[i].line = (unsigned)i + 1;
	}
	assert_int_equal(metrics_set_apply(&s, loop, l, 2, collect, &c, "t.conf", err,
	    sizeof(err)), 0);
	struct metrics_httpd *kept = s.h[1];
	assert_non_null(s.h[0]);
	assert_non_null(kept);
	/* Now l[1] and l[2]: l[1]'s listener is the same object, l[0]'s is closed. */
	assert_int_equal(metrics_set_apply(&s, loop, l + 1, 2, collect, &c, "t.conf", err,
	    sizeof(err)), 0);
	int n = 0;
	bool found_kept = false;
	for (int k = 0; k < PROM_LISTEN_MAX; k++) {
		n += s.h[k] != NULL;
		found_kept |= s.h[k] == kept;
	}
	assert_int_equal(n, 2);
	assert_true(found_kept);
	/* An address that cannot be bound: the whole change fails, nothing moves. */
	struct prom_listen bad[2] = { l[0], l[0] };
	assert_int_equal(prom_listen_parse("192.0.2.1@1", 1, &bad[1]), 0);
	bad[1].line = 9;
	assert_int_equal(metrics_set_apply(&s, loop, bad, 2, collect, &c, "t.conf", err,
	    sizeof(err)), -1);
	assert_string_equal(err, "t.conf:9: metrics listen 192.0.2.1@1: cannot listen there");
	n = 0;
	for (int k = 0; k < PROM_LISTEN_MAX; k++)
		n += s.h[k] != NULL;
	assert_int_equal(n, 2);
	metrics_set_stop(&s);
	for (int k = 0; k < PROM_LISTEN_MAX; k++)
		assert_null(s.h[k]);
	ev_loop_destroy(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listener),
		cmocka_unit_test(test_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
