/*
 * test_probe_svg.c - riposte-probe's SVG timeline (probe/svg.c): from a
 * small recorded CSV the lanes in the order of first answers, one red mark
 * per run of failed queries, the fault line, the marks, the summary's own
 * numbers in the header; text from the network and the command line
 * escaped (markup characters, bytes that are not UTF-8, control bytes);
 * every picture well-formed XML (a small checker: tags balance, attribute
 * values quoted, every '&' an entity, valid UTF-8, one root); the file
 * small for 40000 queries; the timeline's memory bounded over a million
 * queries while runs a pixel apart stay apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/csv.h"
#include "probe/summary.h"
#include "probe/svg.h"

#define T0 1764133200000000LL   /* 2025-11-26 05:00:00 UTC, in µs */

/* ---------------------------------------------------------------- helpers */

/* Records from CSV text (header first); their number in *n, malloc'd. */
static struct probe_rec *
records(const char *csv, size_t *n)
{
	char *copy = strdup(csv), *save = NULL;
	struct probe_rec *r = NULL;
	size_t cap = 0;
	const char *why;

	assert_non_null(copy);
	*n = 0;
	for (char *line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, PROBE_CSV_HEADER) == 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			r = realloc(r, cap * sizeof(*r));
			assert_non_null(r);
		}
		if (probe_csv_parse_line(line, &r[*n], &why) != 0)
			fail_msg("bad test line '%s': %s", line, why);
		(*n)++;
	}
	free(copy);
	return r;
}

static bool
is_entity(const char *p, size_t *len)
{
	static const char *const named[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&apos;" };

	for (size_t i = 0; i < 5; i++) {
		if (strncmp(p, named[i], strlen(named[i])) == 0) {
			*len = strlen(named[i]);
			return true;
		}
	}
	if (p[1] != '#')
		return false;
	bool hex = p[2] == 'x';
	size_t d = hex ? strspn(p + 3, "0123456789abcdefABCDEF") : strspn(p + 2, "0123456789");
	size_t at = (hex ? 3 : 2) + d;
	if (d == 0 || p[at] != ';')
		return false;
	*len = at + 1;
	return true;
}

static void
assert_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
		    (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0)
			fail_msg("not UTF-8 at byte %zu", (size_t)(p - (const unsigned char *)s));
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				fail_msg("not UTF-8 at byte %zu", (size_t)(p - (const unsigned char *)s));
		if (n == 1 && *p < 0x20 && *p != '\n' && *p != '\t' && *p != '\r')
			fail_msg("control byte %#x at %zu", *p, (size_t)(p - (const unsigned char *)s));
		p += n;
	}
}

/* Character data or an attribute value from p up to a stop character. */
static const char *
check_text(const char *p, const char *stops)
{
	size_t len = 0;

	while (*p != '\0' && strchr(stops, *p) == NULL) {
		if (*p == '<')
			fail_msg("'<' in text at '%.40s'", p);
		if (*p == '&') {
			if (!is_entity(p, &len))
				fail_msg("'&' that is not an entity at '%.40s'", p);
			p += len;
			continue;
		}
		p++;
	}
	return p;
}

/*
 * Well-formed enough for this writer's output: an XML declaration, then
 * one root element; tags balance, attributes are name="value", text and
 * values hold no '<' and only entities after '&'; no comments or CDATA
 * (the writer makes none).
 */
static void
assert_wellformed(const char *s)
{
	const char *stack[64];
	size_t lens[64], depth = 0;
	bool root_done = false;
	const char *p = s;

	assert_utf8(s);
	assert_true(strncmp(p, "<?xml ", 6) == 0);
	p = strstr(p, "?>");
	assert_non_null(p);
	p += 2;
	while (*p != '\0') {
		if (*p != '<') {
			if (depth == 0 && strchr(" \t\r\n", *p) == NULL)
				fail_msg("text outside the root at '%.40s'", p);
			p = check_text(p, "<");
			continue;
		}
		if (p[1] == '/') {
			const char *name = p + 2;
			size_t len = strcspn(name, ">");
			assert_true(name[len] == '>');
			if (depth == 0 || lens[depth - 1] != len || strncmp(stack[depth - 1], name, len) != 0)
				fail_msg("</%.*s> does not close the open element", (int)len, name);
			depth--;
			if (depth == 0)
				root_done = true;
			p = name + len + 1;
			continue;
		}
		const char *name = p + 1;
		size_t len = strcspn(name, " \t\r\n/>");
		if (len == 0 || strchr("!?", name[0]) != NULL)
			fail_msg("not a start tag at '%.40s'", p);
		if (depth == 0 && root_done)
			fail_msg("a second root at '%.40s'", p);
		const char *q = name + len;
		for (;;) {
			q += strspn(q, " \t\r\n");
			if (*q == '>') {
				assert_true(depth < 64);
				stack[depth] = name;
				lens[depth++] = len;
				q++;
				break;
			}
			if (q[0] == '/' && q[1] == '>') {
				if (depth == 0)
					root_done = true;
				q += 2;
				break;
			}
			size_t alen = strcspn(q, "= \t\r\n/>");
			if (alen == 0 || q[alen] != '=' || q[alen + 1] != '"')
				fail_msg("not name=\"value\" at '%.40s'", q);
			q = check_text(q + alen + 2, "\"");
			assert_true(*q == '"');
			q++;
		}
		p = q;
	}
	assert_int_equal(depth, 0);
	assert_true(root_done);
}

/* The SVG of records as a string (malloc'd), checked for well-formedness. */
static char *
svg_of(const struct probe_rec *r, size_t n, const struct probe_sum_conf *conf,
    const struct probe_svg_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(probe_svg_records(f, r, n, conf, o), 0);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(strlen(buf), len);
	assert_wellformed(buf);
	return buf;
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
		n++;
	return n;
}

/* The content of the first <g class="NAME" ...> group, malloc'd. */
static char *
group(const char *svg, const char *name, size_t nth)
{
	char open[64];
	const char *p = svg;

	snprintf(open, sizeof(open), "<g class=\"%s\"", name);
	for (size_t i = 0; i <= nth; i++) {
		p = strstr(i == 0 ? p : p + 1, open);
		assert_non_null(p);
	}
	const char *end = strstr(p, "</g>");
	assert_non_null(end);
	char *g = strndup(p, (size_t)(end - p));
	assert_non_null(g);
	return g;
}

/* ---------------------------------------------------------------- a small run */

/*
 * 1000/s from T0, 20 queries: s1 answers 0-7 except 2-3 (time out), the
 * fault at T0 + 8.5 ms, 8-10 time out, s2 answers 11-19 except 15, a
 * SERVFAIL.  Failed runs: 2-3, 8-10, 15.
 */
static const char csv_small[] =
	"seq,sent_us,recv_us,rtt_us,node,rcode\n"
	"0,1764133200000000,1764133200000100,100,s1,NOERROR\n"
	"1,1764133200001000,1764133200001100,100,s1,NOERROR\n"
	"2,1764133200002000,,,,timeout\n"
	"3,1764133200003000,,,,timeout\n"
	"4,1764133200004000,1764133200004100,100,s1,NOERROR\n"
	"5,1764133200005000,1764133200005100,100,s1,NOERROR\n"
	"6,1764133200006000,1764133200006100,100,s1,NOERROR\n"
	"7,1764133200007000,1764133200007100,100,s1,NOERROR\n"
	"8,1764133200008000,,,,timeout\n"
	"9,1764133200009000,,,,timeout\n"
	"10,1764133200010000,,,,timeout\n"
	"11,1764133200011000,1764133200011300,300,s2,NOERROR\n"
	"12,1764133200012000,1764133200012300,300,s2,NOERROR\n"
	"13,1764133200013000,1764133200013300,300,s2,NOERROR\n"
	"14,1764133200014000,1764133200014300,300,s2,NOERROR\n"
	"15,1764133200015000,1764133200015300,300,s2,SERVFAIL\n"
	"16,1764133200016000,1764133200016300,300,s2,NOERROR\n"
	"17,1764133200017000,1764133200017300,300,s2,NOERROR\n"
	"18,1764133200018000,1764133200018300,300,s2,NOERROR\n"
	"19,1764133200019000,1764133200019300,300,s2,NOERROR\n";

static void
test_svg_small(void **state)
{
	struct probe_sum_conf conf = { .fault = true, .fault_us = T0 + 8500 };
	struct probe_svg_opts o = { .title = "kill s1" };
	struct probe_sum s;
	char ms[32], ms2[32], want[128];
	size_t n;

	(void)state;
	struct probe_rec *r = records(csv_small, &n);
	assert_int_equal(n, 20);
	char *svg = svg_of(r, n, &conf, &o);

	/* A scalable SVG of the fixed width, self-contained. */
	assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(svg, " width=\"1000\" "));
	assert_non_null(strstr(svg, " viewBox=\"0 0 1000 "));
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "@import"));
	assert_null(strstr(svg, "url("));

	/* The lanes: s1 before s2 (first answers), lost last. */
	const char *s1 = strstr(svg, ">s1</text>"), *s2 = strstr(svg, ">s2</text>");
	const char *lost = strstr(svg, ">lost</text>");
	assert_non_null(s1);
	assert_non_null(s2);
	assert_non_null(lost);
	assert_true(s1 < s2 && s2 < lost);
	assert_non_null(strstr(svg, ">6 ok</text>"));
	assert_non_null(strstr(svg, ">8 ok</text>"));
	assert_non_null(strstr(svg, ">6 failed</text>"));
	assert_int_equal(count(svg, "<g class=\"node\""), 2);

	/* One red rect per run of failed queries, each with its count. */
	char *g = group(svg, "lost", 0);
	assert_non_null(strstr(g, "fill=\"#d62728\""));
	assert_int_equal(count(g, "<rect"), 3);
	assert_non_null(strstr(g, "<title>2 failed, &#8722;0.0065 to &#8722;0.0055 s</title>"));
	assert_non_null(strstr(g, "<title>3 failed, &#8722;0.0005 to +0.0015 s</title>"));
	assert_non_null(strstr(g, "<title>1 failed, +0.0065 s</title>"));
	free(g);
	/* The mark of the outage after the fault is labelled with its count. */
	assert_int_equal(count(svg, " failed</text>"), 2);   /* that label, the lane's */
	assert_non_null(strstr(svg, "font-weight=\"bold\" fill=\"#d62728\">3 failed</text>"));
	/* s1 in two bars (its answers around the timeouts), s2 in two (around the SERVFAIL). */
	g = group(svg, "node", 0);
	assert_int_equal(count(g, "<rect"), 2);
	free(g);
	g = group(svg, "node", 1);
	assert_int_equal(count(g, "<rect"), 2);
	free(g);

	/* The fault: a dashed line labelled fault; the axis counts from it. */
	assert_int_equal(count(svg, "stroke-dasharray=\"6,4\""), 2);   /* the line, the legend */
	assert_non_null(strstr(svg, ">fault</text>"));
	assert_non_null(strstr(svg, "seconds since the fault (2025-11-26 05:00:00.008 UTC)"));
	assert_non_null(strstr(svg, ">&#8722;0.004</text>"));   /* ticks every 2 ms */
	assert_non_null(strstr(svg, ">0.000</text>"));
	assert_non_null(strstr(svg, ">0.010</text>"));

	/* The header: the title and the summary's own numbers. */
	assert_non_null(strstr(svg, "<title>kill s1</title>"));
	assert_non_null(strstr(svg, "font-weight=\"bold\" fill=\"#111111\">kill s1</text>"));
	assert_int_equal(probe_sum_records(&s, &conf, r, n), 0);
	snprintf(want, sizeof(want), "20 queries, 6 failed &#183; fault: before s1, takeover %s ms "
	    "by s2,", probe_ms_str(s.takeover_recv_us - s.fault_us, ms));
	assert_non_null(strstr(svg, want));
	snprintf(want, sizeof(want), "outage %s ms &#183; longest outage %s ms &#183; 1 switch<",
	    probe_ms_str(s.outage_us, ms), probe_ms_str(s.longest_outage_us, ms2));
	assert_string_equal(ms, "2.0");    /* 9-10: query 8 is before the fault */
	assert_string_equal(ms2, "3.0");   /* 8-10 */
	assert_non_null(strstr(svg, want));
	probe_sum_free(&s);

	/* The legend. */
	assert_non_null(strstr(svg, ">failed: no reply in time, late or another rcode</text>"));
	free(svg);

	/* Without a fault: no fault line, time from the first query. */
	conf.fault = false;
	o.title = NULL;
	svg = svg_of(r, n, &conf, &o);
	assert_null(strstr(svg, "stroke-dasharray=\"6,4\""));
	assert_null(strstr(svg, ">fault</text>"));
	assert_non_null(strstr(svg, "seconds since the first query (2025-11-26 05:00:00.000 UTC)"));
	assert_non_null(strstr(svg, "20 queries, 6 failed &#183; no fault time given"));
	assert_non_null(strstr(svg, ">riposte-probe timeline</text>"));
	assert_null(strstr(svg, "&#8722;"));
	free(svg);
	free(r);
}

/* --mark lines, absolute and relative, with labels placed apart. */
static void
test_svg_marks(void **state)
{
	struct probe_sum_conf conf = { .fault = true, .fault_relative = true, .fault_us = 8500 };
	const struct probe_svg_mark marks[] = {
		{ .relative = true, .at_us = 12000, .label = "s1 back" },
		{ .relative = false, .at_us = T0 + 12500, .label = "BGP <withdrawn>" },
		{ .relative = true, .at_us = 30000, .label = "" },   /* past the end: widens the axis */
		/* Typos, not drawn (and no overflow). */
		{ .relative = true, .at_us = INT64_MAX, .label = "far" },
		{ .relative = false, .at_us = INT64_MAX, .label = "far" },
		{ .relative = false, .at_us = 0, .label = "far" },
	};
	struct probe_svg_opts o = { .marks = marks, .n_marks = 6 };
	size_t n;

	(void)state;
	struct probe_rec *r = records(csv_small, &n);
	char *svg = svg_of(r, n, &conf, &o);
	assert_int_equal(count(svg, "stroke-dasharray=\"2,3\""), 4);   /* 3 lines, the legend */
	assert_non_null(strstr(svg, ">s1 back</text>"));
	assert_non_null(strstr(svg, ">BGP &lt;withdrawn&gt;</text>"));
	assert_non_null(strstr(svg, ">mark</text>"));
	assert_non_null(strstr(svg, ">0.020</text>"));   /* the mark at +30 ms is fault + 21.5 ms */
	assert_null(strstr(svg, ">far</text>"));

	/* The two close labels are on different rows (different y). */
	const char *a = strstr(svg, ">s1 back</text>"), *b = strstr(svg, ">BGP &lt;");
	while (a > svg && strncmp(a, "<text", 5) != 0)
		a--;
	while (b > svg && strncmp(b, "<text", 5) != 0)
		b--;
	const char *ya = strstr(a, " y=\""), *yb = strstr(b, " y=\"");
	assert_non_null(ya);
	assert_non_null(yb);
	assert_true(strtod(ya + 4, NULL) != strtod(yb + 4, NULL));
	free(svg);
	free(r);
}

/* ---------------------------------------------------------------- escaping */

static void
test_svg_escape(void **state)
{
	/* The CSV carries printable ASCII but a double quote; records carry anything. */
	static const char csv[] =
		"seq,sent_us,recv_us,rtt_us,node,rcode\n"
		"0,1764133200000000,1764133200000100,100,<&>'n1,NOERROR\n"
		"1,1764133200001000,,,,timeout\n"
		"2,1764133200002000,1764133200002100,100,</text><script>x</script>,NOERROR\n";
	struct probe_sum_conf conf = { .fault = true, .fault_relative = true, .fault_us = 1500 };
	struct probe_svg_opts o = { .title = "run <&>\"' \xc2\xb5s \xff\x01 tab\tend \xef\xbf\xbd" };
	size_t n;

	(void)state;
	struct probe_rec *r = records(csv, &n);
	assert_int_equal(n, 3);
	char *svg = svg_of(r, n, &conf, &o);
	assert_non_null(strstr(svg, ">&lt;&amp;&gt;&apos;n1</text>"));   /* the lane */
	assert_non_null(strstr(svg, "<title>&lt;&amp;&gt;&apos;n1</title>"));   /* its tooltip */
	assert_non_null(strstr(svg, "before &lt;&amp;&gt;&apos;n1,"));   /* the summary */
	assert_non_null(strstr(svg, "&lt;/text&gt;&lt;script&gt;x&lt;/script&gt;"));
	/* The title: markup escaped, UTF-8 kept (also U+FFFD), a bad byte and a control replaced. */
	assert_non_null(strstr(svg, "<title>run &lt;&amp;&gt;&quot;&apos; \xc2\xb5s &#xFFFD;&#xFFFD; "
	    "tab end \xef\xbf\xbd</title>"));
	assert_null(strstr(svg, "<&>"));
	assert_null(strstr(svg, "<script"));
	free(svg);
	free(r);

	/* Node names straight from records: a double quote, truncated UTF-8, a long name. */
	struct probe_rec recs[3] = {
		{ .seq = 0, .sent_us = T0, .recv_us = T0 + 50, .rtt_us = 50, .node = "q\"q" },
		{ .seq = 1, .sent_us = T0 + 1000, .recv_us = T0 + 1050, .rtt_us = 50,
		  .node = "cut \xe2\x82" },
		{ .seq = 2, .sent_us = T0 + 2000, .recv_us = T0 + 2050, .rtt_us = 50 },
	};
	memset(recs[2].node, 'x', PROBE_NODE_MAX - 1);
	conf.fault = false;
	svg = svg_of(recs, 3, &conf, NULL);
	assert_non_null(strstr(svg, ">q&quot;q</text>"));
	assert_non_null(strstr(svg, ">cut &#xFFFD;&#xFFFD;</text>"));
	/* The lane label is cut with an ellipsis, the tooltip has it whole. */
	assert_non_null(strstr(svg, ">xxxxxxxxxxxxxxxxx&#8230;</text>"));
	assert_non_null(strstr(svg, recs[2].node));
	free(svg);
}

/* ---------------------------------------------------------------- odd runs */

static void
test_svg_edges(void **state)
{
	struct probe_sum_conf conf = { .fault = true, .fault_relative = true, .fault_us = 0 };
	char name[16];

	(void)state;
	/* No queries at all. */
	char *svg = svg_of(NULL, 0, &conf, NULL);
	assert_non_null(strstr(svg, ">no queries</text>"));
	assert_non_null(strstr(svg, "0 queries, 0 failed"));
	free(svg);

	/* One query, failed. */
	struct probe_rec one = { .seq = 0, .sent_us = T0, .rcode = PROBE_RCODE_TIMEOUT };
	svg = svg_of(&one, 1, &conf, NULL);
	char *g = group(svg, "lost", 0);
	assert_int_equal(count(g, "<rect"), 1);
	free(g);
	free(svg);

	/* 20 nodes: 16 lanes, then "(others)"; unidentified answers their own lane. */
	struct probe_rec recs[22];
	memset(recs, 0, sizeof(recs));
	for (int i = 0; i < 22; i++) {
		recs[i].seq = (uint64_t)i;
		recs[i].sent_us = T0 + i * 1000;
		recs[i].recv_us = recs[i].sent_us + 10;
		recs[i].rtt_us = 10;
		snprintf(name, sizeof(name), "n%d", i);
		if (i != 3)
			snprintf(recs[i].node, sizeof(recs[i].node), "%s", name);
	}
	conf.fault = false;
	svg = svg_of(recs, 22, &conf, NULL);
	assert_int_equal(count(svg, "<g class=\"node\""), PROBE_SVG_LANES_MAX + 2);
	assert_non_null(strstr(svg, ">(unidentified)</text>"));
	assert_non_null(strstr(svg, ">(others)</text>"));
	assert_non_null(strstr(svg, ">n16</text>"));
	assert_null(strstr(svg, ">n17</text>"));
	assert_non_null(strstr(svg, ">5 ok</text>"));   /* n17..n21 */
	free(svg);

	/* Late answers (-t) are failed as the summary says: s2's 300 us answers with -t 0.25. */
	size_t n;
	struct probe_rec *r = records(csv_small, &n);
	struct probe_sum_conf late = { .timeout_us = 250 };
	svg = svg_of(r, n, &late, NULL);
	assert_null(strstr(svg, ">s2</text>"));
	assert_non_null(strstr(svg, ">14 failed</text>"));
	assert_non_null(strstr(svg, "20 queries, 14 failed"));
	free(svg);
	free(r);

	/* Times out of order (a hand-made CSV): drawn all the same. */
	recs[5].sent_us = T0 - 50000;
	svg = svg_of(recs, 22, &conf, NULL);
	free(svg);
}

/* ---------------------------------------------------------------- size */

static uint32_t
lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 16;
}

/*
 * 2000/s for 20 s: 40000 queries.  s1 for 8 s with 1 % scattered losses,
 * the fault, 100 ms lost, s2, then 2 s of round robin between s2 and s3
 * with every 7th query lost, then s2 again.
 */
static struct probe_rec *
big_run(size_t n)
{
	struct probe_rec *r = calloc(n, sizeof(*r));
	uint32_t x = 1;

	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		r[i].seq = i;
		r[i].sent_us = T0 + (int64_t)i * 500;
		const char *node = i < 16000 ? "s1" : (i >= 30000 && i < 34000 && i % 2) ? "s3" : "s2";
		bool lost = (i >= 16000 && i < 16200) || (i < 16000 && lcg(&x) % 100 == 0) ||
		    (i >= 30000 && i < 34000 && i % 7 == 0);
		if (lost) {
			r[i].rcode = PROBE_RCODE_TIMEOUT;
			continue;
		}
		r[i].recv_us = r[i].sent_us + 150;
		r[i].rtt_us = 150;
		snprintf(r[i].node, sizeof(r[i].node), "%s", node);
	}
	return r;
}

static void
test_svg_size(void **state)
{
	struct probe_sum_conf conf = { .fault = true, .fault_relative = true, .fault_us = 8000000 };
	const struct probe_svg_mark m = { .relative = true, .at_us = 15000000, .label = "s3 joins" };
	struct probe_svg_opts o = { .title = "40k", .marks = &m, .n_marks = 1 };
	struct probe_sum s;
	char want[64];

	(void)state;
	struct probe_rec *r = big_run(40000);
	char *svg = svg_of(r, 40000, &conf, &o);
	assert_true(strlen(svg) < 200 * 1024);
	assert_int_equal(probe_sum_records(&s, &conf, r, 40000), 0);
	snprintf(want, sizeof(want), ">%" PRIu64 " failed</text>", s.failed);
	assert_non_null(strstr(svg, want));
	snprintf(want, sizeof(want), "40000 queries, %" PRIu64 " failed &#183;", s.failed);
	assert_non_null(strstr(svg, want));
	assert_string_equal(s.before, "s1");
	assert_non_null(strstr(svg, ">s3</text>"));
	probe_sum_free(&s);
	free(svg);
	free(r);
}

/*
 * A million queries (1000/s for 1000 s, one lost every 100 s) through the
 * timeline: its runs are merged as they come, so few are kept, and yet
 * the lost ones, 82 px apart in the end, are ten marks.
 */
static void
test_svg_bounded(void **state)
{
	struct probe_sum_conf conf = { .expect_rcode = 0 };
	struct probe_sum s;
	struct probe_tl tl;
	struct probe_rec r = { .rtt_us = 100, .node = "s1" };
	size_t most = 0;

	(void)state;
	probe_sum_init(&s, &conf);
	probe_tl_init(&tl);
	for (int64_t i = 0; i < 1000000; i++) {
		r.seq = (uint64_t)i;
		r.sent_us = T0 + i * 1000;
		r.recv_us = r.sent_us + 100;
		r.rcode = i % 100000 == 50000 ? PROBE_RCODE_TIMEOUT : 0;
		/* s2 answers every other query for a second at 500 s: round robin. */
		snprintf(r.node, sizeof(r.node), "%s", i >= 500000 && i < 501000 && i % 2 ? "s2" : "s1");
		assert_int_equal(probe_tl_add_sum(&tl, &s, &r), 0);
		if (tl.total_runs > most)
			most = tl.total_runs;
	}
	probe_sum_finish(&s);
	assert_true(most <= 2 * 4096);
	assert_int_equal(tl.lost.count, 10);
	assert_int_equal(tl.lost.count, s.failed);
	assert_int_equal(tl.n_lanes, 2);
	assert_int_equal(tl.lanes[0].count + tl.lanes[1].count, 1000000 - 10);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(probe_svg_write(f, &tl, &s, NULL), 0);
	fclose(f);
	assert_wellformed(buf);
	char *g = group(buf, "lost", 0);
	assert_int_equal(count(g, "<rect"), 10);
	free(g);
	assert_true(len < 50 * 1024);
	free(buf);
	probe_tl_free(&tl);
	probe_sum_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_small),
		cmocka_unit_test(test_svg_marks),
		cmocka_unit_test(test_svg_escape),
		cmocka_unit_test(test_svg_edges),
		cmocka_unit_test(test_svg_size),
		cmocka_unit_test(test_svg_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
