/*
 * test_prom.c - the Prometheus exposition writer (src/lib/prom.c): HELP and
 * TYPE lines in both formats, label escaping, histogram buckets (the le
 * rule, cumulative output), number formatting, misuse, the Accept header
 * and listen addresses.  promtool checks the daemons' whole pages in
 * tests/metrics/t_prometheus.sh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prom.h"

struct page {
	char *buf;
	size_t len;
	FILE *f;
	struct prom_w w;
};

static void
page_open(struct page *p, bool om)
{
	memset(p, 0, sizeof(*p));
	p->f = open_memstream(&p->buf, &p->len);
	assert_non_null(p->f);
	prom_init(&p->w, p->f, om);
}

/* Close and return the text (the caller frees p->buf); rc: prom_end's. */
static int
page_close(struct page *p)
{
	int rc = prom_end(&p->w);
	fclose(p->f);
	return rc;
}

static void
test_counter_gauge(void **state)
{
	struct page p;

	page_open(&p, false);
	prom_family(&p.w, "riposte_rip_updates_sent", PROM_COUNTER, "RIP updates sent");
	prom_u64(&p.w, "", 7, "kind", "periodic", NULL);
	prom_u64(&p.w, "", 18446744073709551615ull, "kind", "urgent", NULL);
	prom_family(&p.w, "riposte_rip_neighbors", PROM_GAUGE, "neighbours");
	prom_u64(&p.w, "", 2, NULL);
	assert_int_equal(page_close(&p), 0);
	assert_string_equal(p.buf,
	    "# HELP riposte_rip_updates_sent_total RIP updates sent\n"
	    "# TYPE riposte_rip_updates_sent_total counter\n"
	    "riposte_rip_updates_sent_total{kind=\"periodic\"} 7\n"
	    "riposte_rip_updates_sent_total{kind=\"urgent\"} 18446744073709551615\n"
	    "# HELP riposte_rip_neighbors neighbours\n"
	    "# TYPE riposte_rip_neighbors gauge\n"
	    "riposte_rip_neighbors 2\n");
	free(p.buf);

	/* OpenMetrics: the family has no _total, the sample has; # EOF ends the page. */
	page_open(&p, true);
	prom_family(&p.w, "riposte_x", PROM_COUNTER, "a \"quoted\" help");
	prom_u64(&p.w, "", 1, NULL);
	assert_int_equal(page_close(&p), 0);
	assert_string_equal(p.buf,
	    "# HELP riposte_x a \\\"quoted\\\" help\n"
	    "# TYPE riposte_x counter\n"
	    "riposte_x_total 1\n"
	    "# EOF\n");
	free(p.buf);
}

static void
test_escaping(void **state)
{
	struct page p;

	page_open(&p, false);
	prom_family(&p.w, "riposte_service_up", PROM_GAUGE, "back\\slash\nnewline \"q\"");
	prom_u64(&p.w, "", 1, "service", "a\"b\\c\nd", "check", "", NULL);
	assert_int_equal(page_close(&p), 0);
	/* 0.0.4: HELP escapes \ and newline only; label values also '"'. */
	assert_string_equal(p.buf,
	    "# HELP riposte_service_up back\\\\slash\\nnewline \"q\"\n"
	    "# TYPE riposte_service_up gauge\n"
	    "riposte_service_up{service=\"a\\\"b\\\\c\\nd\",check=\"\"} 1\n");
	free(p.buf);
}

static void
test_numbers(void **state)
{
	struct page p;

	page_open(&p, false);
	prom_family(&p.w, "riposte_t_seconds", PROM_GAUGE, "t");
	prom_f64(&p.w, "", 0.1, "k", "a", NULL);
	prom_f64(&p.w, "", 1e-3, "k", "b", NULL);
	prom_f64(&p.w, "", 1234567.0, "k", "c", NULL);
	prom_f64(&p.w, "", INFINITY, "k", "d", NULL);
	prom_f64(&p.w, "", -INFINITY, "k", "e", NULL);
	prom_f64(&p.w, "", NAN, "k", "f", NULL);
	prom_f64(&p.w, "", 1.0 / 3.0, "k", "g", NULL);
	prom_f64(&p.w, "", 10., "k", "h", NULL);
	prom_f64(&p.w, "", 1e20, "k", "i", NULL);
	prom_f64(&p.w, "", -0.5, "k", "j", NULL);
	assert_int_equal(page_close(&p), 0);
	assert_string_equal(p.buf,
	    "# HELP riposte_t_seconds t\n"
	    "# TYPE riposte_t_seconds gauge\n"
	    "riposte_t_seconds{k=\"a\"} 0.1\n"
	    "riposte_t_seconds{k=\"b\"} 0.001\n"
	    "riposte_t_seconds{k=\"c\"} 1234567\n"
	    "riposte_t_seconds{k=\"d\"} +Inf\n"
	    "riposte_t_seconds{k=\"e\"} -Inf\n"
	    "riposte_t_seconds{k=\"f\"} NaN\n"
	    "riposte_t_seconds{k=\"g\"} 0.3333333333333333\n"
	    "riposte_t_seconds{k=\"h\"} 10\n"
	    "riposte_t_seconds{k=\"i\"} 1e+20\n"
	    "riposte_t_seconds{k=\"j\"} -0.5\n");
	free(p.buf);
}

static void
test_histogram(void **state)
{
	static const double bounds[] = { 0.001, 0.01, 0.1 };
	struct prom_hist h;
	struct page p;

	prom_hist_init(&h, bounds, 3);
	prom_hist_observe(&h, 0.001);	/* on the bound: in le="0.001" */
	prom_hist_observe(&h, 0.0005);
	prom_hist_observe(&h, 0.05);
	prom_hist_observe(&h, 2.);	/* above every bound: +Inf only */
	prom_hist_observe(&h, NAN);	/* ignored */
	assert_int_equal(h.count, 4);
	assert_int_equal(h.counts[0], 2);
	assert_int_equal(h.counts[1], 0);
	assert_int_equal(h.counts[2], 1);
	assert_int_equal(h.counts[3], 1);

	page_open(&p, false);
	prom_family(&p.w, "riposte_check_duration_seconds", PROM_HISTOGRAM, "latency");
	prom_hist(&p.w, &h, "service", "dns", NULL);
	assert_int_equal(page_close(&p), 0);
	assert_string_equal(p.buf,
	    "# HELP riposte_check_duration_seconds latency\n"
	    "# TYPE riposte_check_duration_seconds histogram\n"
	    "riposte_check_duration_seconds_bucket{service=\"dns\",le=\"0.001\"} 2\n"
	    "riposte_check_duration_seconds_bucket{service=\"dns\",le=\"0.01\"} 2\n"
	    "riposte_check_duration_seconds_bucket{service=\"dns\",le=\"0.1\"} 3\n"
	    "riposte_check_duration_seconds_bucket{service=\"dns\",le=\"+Inf\"} 4\n"
	    "riposte_check_duration_seconds_sum{service=\"dns\"} 2.0515\n"
	    "riposte_check_duration_seconds_count{service=\"dns\"} 4\n");
	free(p.buf);

	/* No labels: le alone. */
	prom_hist_init(&h, bounds, 1);
	page_open(&p, false);
	prom_family(&p.w, "riposte_h", PROM_HISTOGRAM, "h");
	prom_hist(&p.w, &h, NULL);
	assert_int_equal(page_close(&p), 0);
	assert_non_null(strstr(p.buf, "riposte_h_bucket{le=\"0.001\"} 0\n"
	    "riposte_h_bucket{le=\"+Inf\"} 0\nriposte_h_sum 0\nriposte_h_count 0\n"));
	free(p.buf);
}

static void
test_misuse(void **state)
{
	struct page p;

	/* A sample before any family. */
	page_open(&p, false);
	prom_u64(&p.w, "", 1, NULL);
	assert_int_equal(page_close(&p), -1);
	assert_int_equal(p.len, 0);
	free(p.buf);

	/* Bad names: metric, label, reserved label, le outside the histogram. */
	static const char *const bad_metric[] = { "", "1abc", "a-b", "a b", "é" };
	for (size_t i = 0; i < sizeof(bad_metric) / sizeof(bad_metric[0]); i++) {
		page_open(&p, false);
		prom_family(&p.w, bad_metric[i], PROM_GAUGE, "x");
		prom_u64(&p.w, "", 1, NULL);
		assert_int_equal(page_close(&p), -1);
		assert_int_equal(p.len, 0);
		free(p.buf);
	}
	static const char *const bad_label[] = { "a:b", "__name", "le", "0a", "a.b" };
	for (size_t i = 0; i < sizeof(bad_label) / sizeof(bad_label[0]); i++) {
		page_open(&p, false);
		prom_family(&p.w, "riposte_ok", PROM_GAUGE, "x");
		prom_u64(&p.w, "", 1, bad_label[i], "v", NULL);
		prom_u64(&p.w, "", 2, NULL);	/* sticky: not written either */
		assert_int_equal(page_close(&p), -1);
		assert_null(strstr(p.buf, "\nriposte_ok"));
		free(p.buf);
	}
	/* Too many labels. */
	page_open(&p, false);
	prom_family(&p.w, "riposte_ok", PROM_GAUGE, "x");
	prom_u64(&p.w, "", 1, "a", "1", "b", "1", "c", "1", "d", "1", "e", "1", "f", "1", "g", "1",
	    "h", "1", "i", "1", NULL);
	assert_int_equal(page_close(&p), -1);
	free(p.buf);
	/* A histogram sample in a gauge family; a NULL label value. */
	struct prom_hist h;
	prom_hist_init(&h, NULL, 0);
	page_open(&p, false);
	prom_family(&p.w, "riposte_ok", PROM_GAUGE, "x");
	prom_hist(&p.w, &h, NULL);
	assert_int_equal(page_close(&p), -1);
	free(p.buf);
	page_open(&p, false);
	prom_family(&p.w, "riposte_ok", PROM_GAUGE, "x");
	prom_u64(&p.w, "", 1, "a", (const char *)NULL, NULL);
	assert_int_equal(page_close(&p), -1);
	free(p.buf);
	/* A long name: over PROM_NAME_MAX with _total. */
	char longname[PROM_NAME_MAX];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	page_open(&p, false);
	prom_family(&p.w, longname, PROM_COUNTER, "x");
	assert_int_equal(page_close(&p), -1);
	assert_int_equal(p.len, 0);
	free(p.buf);
}

static void
test_accept(void **state)
{
	assert_false(prom_accepts_openmetrics(NULL));
	assert_false(prom_accepts_openmetrics("*/*"));
	assert_false(prom_accepts_openmetrics("text/plain;version=0.0.4"));
	/* What Prometheus 2.x sends. */
	assert_true(prom_accepts_openmetrics("application/openmetrics-text;version=1.0.0,"
	    "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,"
	    "*/*;q=0.1"));
	assert_true(prom_accepts_openmetrics("application/openmetrics-text; version=1.0.0; q=0.5"));
	assert_false(prom_accepts_openmetrics("application/openmetrics-text;q=0,text/plain"));
	assert_false(prom_accepts_openmetrics("application/openmetrics-text;q=0.0"));
}

static void
test_listen(void **state)
{
	struct prom_listen l, m;
	char buf[PROM_LISTEN_STRLEN];

	assert_int_equal(prom_listen_parse("127.0.0.1", 9475, &l), 0);
	assert_string_equal(prom_listen_str(&l, buf), "127.0.0.1@9475");
	assert_int_equal(prom_listen_parse("127.0.0.1@20001", 9475, &l), 0);
	assert_string_equal(prom_listen_str(&l, buf), "127.0.0.1@20001");
	assert_int_equal(prom_listen_parse("[::1]@9476", 9475, &l), 0);
	assert_string_equal(prom_listen_str(&l, buf), "[::1]@9476");
	char url[PROM_URL_STRLEN];
	assert_string_equal(prom_listen_url(&l, url), "http://[::1]:9476/metrics");
	assert_int_equal(prom_listen_parse("[::1]", 9476, &l), 0);
	assert_string_equal(prom_listen_str(&l, buf), "[::1]@9476");
	assert_int_equal(prom_listen_parse("::@1", 9476, &m), 0);
	assert_string_equal(prom_listen_str(&m, buf), "[::]@1");
	assert_int_equal(prom_listen_parse("0.0.0.0@65535", 1, &m), 0);
	assert_false(prom_listen_equal(&l, &m));
	assert_int_equal(prom_listen_parse("[::1]@9476", 1, &m), 0);
	assert_true(prom_listen_equal(&l, &m));

	static const char *const bad[] = {
		"", "@9475", "127.0.0.1@", "127.0.0.1@0", "127.0.0.1@65536", "127.0.0.1@-1",
		"127.0.0.1@+80", "127.0.0.1@80x", "127.0.0.1@123456", "localhost", "[127.0.0.1]",
		"[::1", "[::1]x", "[::1]@", "1.2.3.4.5", "::1@@80", "[]@80",
		"[aaaa:bbbb:cccc:dddd:eeee:ffff:1111:2222:3333:4444:5555]",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(prom_listen_parse(bad[i], 9475, &l), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_gauge),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_listen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
