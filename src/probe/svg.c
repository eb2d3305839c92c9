/*
 * svg.c - the SVG timeline of a probe run.  See svg.h for what it shows.
 *
 * Layout (px, the viewBox is 1000 wide):
 *
 *   title                                             y 24
 *   summary line                                      y 44
 *   labels of the fault and the marks, up to 3 rows   y 63..89
 *   +--------------------------------------------+    PLOT_Y0
 *   | node lanes, LANE_H each                    |
 *   | lost                                       |
 *   +--------------------------------------------+    bottom
 *   tick labels, axis title, legend
 *
 * x: the records' send times (and the fault and the marks), padded by 1 %
 * each side, over PLOT_X0..PLOT_X1; each query covers one interval from
 * its send time.  Numbers go out with one decimal to keep the file small.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/array.h"
#include "svg.h"

#define W PROBE_SVG_WIDTH
#define PLOT_X0 150.0
#define PLOT_X1 (W - 30.0)
#define PLOT_W (PLOT_X1 - PLOT_X0)
#define PLOT_Y0 96.0
#define LANE_H 34.0
#define BAR_H 14.0          /* a node's answers: a bar in the middle of its lane */
#define LOST_H 22.0         /* failed queries: taller red ticks */
#define MIN_W_NODE 1.0      /* px, the narrowest mark of a run */
#define MIN_W_LOST 4.0
#define LABEL_ROWS 3
#define LABEL_ROW_H 13.0
#define NAME_CHARS 18       /* lane labels are cut to this many characters */
#define TL_LIMIT0 4096      /* runs kept before the first merge */

#define RED "#d62728"
#define DEFAULT_TITLE "riposte-probe timeline"

/* Node colours: Tableau 10 without its red, which is for lost queries. */
static const char *const palette[] = {
	"#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#17becf",
	"#8c564b", "#e377c2", "#bcbd22", "#7f7f7f",
};
#define N_PALETTE (sizeof(palette) / sizeof(palette[0]))

/* ---------------------------------------------------------------- the timeline */

void
probe_tl_init(struct probe_tl *tl)
{
	memset(tl, 0, sizeof(*tl));
	tl->lost.kind = PROBE_TL_LOST;
	tl->limit = TL_LIMIT0;
}

static void
lane_free(struct probe_tl_lane *l)
{
	free(l->runs);
	l->runs = NULL;
	l->n_runs = l->cap_runs = 0;
}

void
probe_tl_free(struct probe_tl *tl)
{
	for (size_t i = 0; i < tl->n_lanes; i++)
		lane_free(&tl->lanes[i]);
	lane_free(&tl->lost);
	tl->n_lanes = 0;
}

/* Merge the runs of l that are at most gap apart; the number of runs removed. */
static size_t
lane_compact(struct probe_tl_lane *l, int64_t gap)
{
	size_t out = 0;

	for (size_t i = 0; i < l->n_runs; i++) {
		struct probe_tl_run *r = &l->runs[i];
		if (out > 0) {
			struct probe_tl_run *c = &l->runs[out - 1];
			if (r->start_us >= c->start_us && r->start_us - c->end_us <= gap) {
				if (r->end_us > c->end_us)
					c->end_us = r->end_us;
				c->count += r->count;
				continue;
			}
		}
		l->runs[out++] = *r;
	}
	size_t removed = l->n_runs - out;
	l->n_runs = out;
	return removed;
}

/*
 * Too many runs: merge those closer than half a pixel of the picture as
 * far as it goes now.  The picture only gets wider in time, so what is
 * merged here is closer than a pixel in the end too.
 */
static void
tl_compact(struct probe_tl *tl)
{
	int64_t gap = (tl->last_us - tl->first_us) / (2 * W);

	if (gap > tl->merge_us) {
		tl->merge_us = gap;
		for (size_t i = 0; i < tl->n_lanes; i++)
			tl->total_runs -= lane_compact(&tl->lanes[i], gap);
		tl->total_runs -= lane_compact(&tl->lost, gap);
	}
	if (tl->total_runs > tl->limit / 2)
		tl->limit *= 2;
}

static int
lane_add(struct probe_tl *tl, struct probe_tl_lane *l, int64_t t)
{
	l->count++;
	if (l->n_runs > 0) {
		struct probe_tl_run *c = &l->runs[l->n_runs - 1];
		if (t >= c->start_us && t - c->end_us <= tl->merge_us) {
			if (t > c->end_us)
				c->end_us = t;
			c->count++;
			return 0;
		}
	}
	if (!array_grow((void **)&l->runs, &l->cap_runs, l->n_runs + 1, sizeof(*l->runs))) {
		tl->oom = true;
		return -1;
	}
	l->runs[l->n_runs++] = (struct probe_tl_run){ .start_us = t, .end_us = t, .count = 1 };
	if (++tl->total_runs > tl->limit)
		tl_compact(tl);
	return 0;
}

static struct probe_tl_lane *
find_lane(struct probe_tl *tl, const char *node)
{
	enum probe_tl_kind kind = node[0] == '\0' ? PROBE_TL_UNIDENTIFIED : PROBE_TL_NODE;
	size_t node_lanes = 0;
	struct probe_tl_lane *others = NULL;

	for (size_t i = 0; i < tl->n_lanes; i++) {
		struct probe_tl_lane *l = &tl->lanes[i];
		if (l->kind == kind && (kind != PROBE_TL_NODE || strcmp(l->name, node) == 0))
			return l;
		if (l->kind == PROBE_TL_NODE)
			node_lanes++;
		if (l->kind == PROBE_TL_OTHERS)
			others = l;
	}
	if (kind == PROBE_TL_NODE && node_lanes >= PROBE_SVG_LANES_MAX) {
		if (others != NULL)
			return others;
		kind = PROBE_TL_OTHERS;
		node = "";
	}
	/* Room: at most LANES_MAX node lanes, one unidentified and one others. */
	struct probe_tl_lane *l = &tl->lanes[tl->n_lanes++];
	memset(l, 0, sizeof(*l));
	l->kind = kind;
	snprintf(l->name, sizeof(l->name), "%s", node);
	return l;
}

int
probe_tl_add(struct probe_tl *tl, const struct probe_rec *r, bool failed)
{
	if (tl->queries == 0 || r->sent_us < tl->first_us)
		tl->first_us = r->sent_us;
	if (tl->queries == 0 || r->sent_us > tl->last_us)
		tl->last_us = r->sent_us;
	tl->queries++;
	return lane_add(tl, failed ? &tl->lost : find_lane(tl, r->node), r->sent_us);
}

int
probe_tl_add_sum(struct probe_tl *tl, struct probe_sum *s, const struct probe_rec *r)
{
	uint64_t failed = s->failed;
	int rc = probe_sum_add(s, r);

	if (probe_tl_add(tl, r, s->failed != failed) != 0)
		rc = -1;
	return rc;
}

/* ---------------------------------------------------------------- text */

/*
 * The next character of s: its length in bytes, and in *cp the code point,
 * or U+FFFD for a byte that does not start well-formed UTF-8 (overlong
 * forms, surrogates and code points past U+10FFFF included) or a
 * character XML 1.0 does not allow.
 */
static size_t
utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? 0xfffd : c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {   /* also stops at the NUL */
			*cp = 0xfffd;
			return 1;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c == 0xfffe ||
	    c == 0xffff) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return n;
}

/*
 * s as XML character data, cut to max characters with an ellipsis when it
 * is longer (max 0: whole).  Safe in attribute values too.
 */
static void
xml_text(FILE *f, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t chars = 0, limit = 0;
	uint32_t cp;

	if (max > 0) {
		for (const unsigned char *q = p; *q != '\0'; q += utf8_next(q, &cp))
			chars++;
		limit = chars > max ? max - 1 : chars;
		chars = 0;
	}
	while (*p != '\0') {
		if (max > 0 && chars++ == limit) {
			fputs("&#8230;", f);
			return;
		}
		size_t n = utf8_next(p, &cp);
		switch (cp) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\t': case '\n': case '\r': fputc(' ', f); break;
		case 0xfffd:
			if (n == 1)   /* a byte that is not a character; else a real U+FFFD */
				fputs("&#xFFFD;", f);
			else
				fwrite(p, 1, n, f);
			break;
		default:
			fwrite(p, 1, n, f);
		}
		p += n;
	}
}

/* Estimated width in px of text of this many characters at this font size. */
static double
text_w(size_t chars, double size)
{
	return (double)chars * size * 0.58;
}

static size_t
text_chars(const char *s, size_t max)
{
	size_t n = 0;
	uint32_t cp;

	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p += utf8_next(p, &cp))
		n++;
	return max > 0 && n > max ? max : n;
}

/* A time relative to the origin in seconds with `decimals` decimals: "−2.5". */
static void
seconds(FILE *f, int64_t us, int decimals)
{
	static const int64_t pow10[] = { 1, 10, 100, 1000, 10000, 100000, 1000000 };
	int64_t a = us < 0 ? -us : us;
	int64_t unit = pow10[6 - decimals];
	int64_t q = (a + unit / 2) / unit;   /* in units of 10^-decimals s */

	if (us < 0 && q != 0)
		fputs("&#8722;", f);
	fprintf(f, "%" PRId64, q / pow10[decimals]);
	if (decimals > 0)
		fprintf(f, ".%0*" PRId64, decimals, q % pow10[decimals]);
}

/* "2025-11-26 05:00:05.250 UTC" */
static void
utc(FILE *f, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	struct tm tm;
	char buf[32];

	if (us < 0 || gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S",
	    &tm) == 0) {
		fprintf(f, "%" PRId64 " us since the epoch", us);
		return;
	}
	fprintf(f, "%s.%03d UTC", buf, (int)(us % 1000000 / 1000));
}

/* ---------------------------------------------------------------- the picture */

/* A fault or mark this far from the queries is not drawn (a typo, not a scale). */
#define REACH_US (1000000LL * 86400 * 10)

static bool
in_reach(const struct probe_tl *tl, int64_t t)
{
	return t >= tl->first_us - REACH_US && t <= tl->last_us + REACH_US;
}

/* The time of a mark (relative ones from the first query, as --fault-at); false: not drawn. */
static bool
mark_time(const struct probe_tl *tl, const struct probe_sum *s, const struct probe_svg_mark *m,
    int64_t *t)
{
	if (tl->queries == 0)
		return false;
	if (m->relative) {
		if (m->at_us < -REACH_US || m->at_us > REACH_US)
			return false;
		*t = s->first_sent_us + m->at_us;
	} else {
		*t = m->at_us;
	}
	return in_reach(tl, *t);
}

struct geo {
	int64_t dom0, dom1;   /* µs since the epoch at PLOT_X0 and PLOT_X1 */
	int64_t origin;       /* time 0 of the axis */
	double px_per_us;
	double slot;          /* px of one interval */
	double y1;            /* the bottom of the plot */
};

static double
xpos(const struct geo *g, int64_t t)
{
	return PLOT_X0 + (double)(t - g->dom0) * g->px_per_us;
}

static const char *
lane_colour(const struct probe_tl *tl, size_t i)
{
	if (tl->lanes[i].kind != PROBE_TL_NODE)
		return "#555555";
	size_t k = 0;
	for (size_t j = 0; j < i; j++)
		if (tl->lanes[j].kind == PROBE_TL_NODE)
			k++;
	return palette[k % N_PALETTE];
}

static const char *
lane_name(const struct probe_tl_lane *l)
{
	switch (l->kind) {
	case PROBE_TL_NODE: return l->name;
	case PROBE_TL_UNIDENTIFIED: return "(unidentified)";
	case PROBE_TL_OTHERS: return "(others)";
	case PROBE_TL_LOST: break;
	}
	return "lost";
}

/* Relative time of a run for a tooltip: "+1.2345 s". */
static void
tip_time(FILE *f, const struct geo *g, int64_t t)
{
	if (t >= g->origin)
		fputc('+', f);
	seconds(f, t - g->origin, 4);   /* 0.1 ms, as the summary has them */
}

/*
 * The red mark to label with its count: the first one that ends at or
 * after the fault (the outage it caused), or without a fault the biggest.
 */
struct biggest {
	bool fault;
	int64_t after_us;    /* the fault */
	uint64_t count;      /* 0: none yet */
	double x0, x1;
};

/*
 * The runs of one lane as rects of height h centred on cy, merging those
 * that would come closer than a pixel; lost runs (big != NULL) get a
 * tooltip, and the one to label goes to *big.
 */
static void
draw_runs(FILE *f, const struct geo *g, const struct probe_tl_lane *l, double cy, double h,
    double min_w, struct biggest *big)
{
	bool tips = big != NULL;
	size_t i = 0;

	while (i < l->n_runs) {
		const struct probe_tl_run *r = &l->runs[i];
		double a = xpos(g, r->start_us), b = xpos(g, r->end_us) + g->slot;
		int64_t start = r->start_us, end = r->end_us;
		uint64_t count = r->count;
		for (i++; i < l->n_runs; i++) {
			const struct probe_tl_run *n = &l->runs[i];
			double na = xpos(g, n->start_us);
			if (na < a || na - b >= 1.0)
				break;
			double nb = xpos(g, n->end_us) + g->slot;
			if (nb > b)
				b = nb;
			if (n->end_us > end)
				end = n->end_us;
			count += n->count;
		}
		double w = b - a;
		if (w < min_w) {
			a -= (min_w - w) / 2;
			w = min_w;
		}
		if (a + w > PLOT_X1)
			a = PLOT_X1 - w;
		if (a < PLOT_X0)
			a = PLOT_X0;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", a, cy - h / 2,
		    w, h);
		if (tips && (big->fault ? end >= big->after_us && big->count == 0 :
		    count > big->count)) {
			big->count = count;
			big->x0 = a;
			big->x1 = a + w;
		}
		if (!tips) {
			fputs("/>\n", f);
			continue;
		}
		fprintf(f, "><title>%" PRIu64 " failed, ", count);
		tip_time(f, g, start);
		if (end != start) {
			fputs(" to ", f);
			tip_time(f, g, end);
		}
		fputs(" s</title></rect>\n", f);
	}
}

/* A label above the plot for the fault or a mark, in the first row where it fits. */
struct label_rows {
	double end[LABEL_ROWS];  /* right end of the last label in each row */
};

static double
place_label(struct label_rows *rows, double x, double w, bool *right)
{
	double left = x + 3, right_end = x + 3 + w;

	*right = right_end > W - 4;
	if (*right) {
		left = x - 3 - w;
		right_end = x - 3;
	}
	size_t r = 0;
	while (r < LABEL_ROWS && rows->end[r] > left - 4)
		r++;
	if (r == LABEL_ROWS)
		r = 0;
	rows->end[r] = right_end;
	return PLOT_Y0 - 6 - LABEL_ROW_H * (double)r;
}

static void
vline(FILE *f, const struct geo *g, struct label_rows *rows, int64_t t, const char *label,
    const char *dash, const char *colour, double width, bool bold)
{
	double x = xpos(g, t);
	size_t chars = text_chars(label, 40);
	bool right;
	double y = place_label(rows, x, text_w(chars, 11), &right);

	fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
	    "stroke-width=\"%.1f\" stroke-dasharray=\"%s\"/>\n", x, y + 3, x, g->y1, colour, width,
	    dash);
	if (label[0] == '\0')
		return;
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\"%s%s fill=\"%s\">",
	    right ? x - 3 : x + 3, y, right ? " text-anchor=\"end\"" : "",
	    bold ? " font-weight=\"bold\"" : "", colour);
	xml_text(f, label, 40);
	fputs("</text>\n", f);
}

/* Ticks every 1, 2 or 5 x 10^n µs, about ten of them over the span. */
static void
axis(FILE *f, const struct geo *g)
{
	int64_t span = g->dom1 - g->dom0, step = 1;
	static const int mult[] = { 2, 5, 10 };   /* 1 -> 2 -> 5 -> 10 -> 20 ... */
	int k = 0;
	int64_t base = 1;

	while (span / step > 10 && step < INT64_MAX / 20) {
		step = base * mult[k];
		if (++k == 3) {
			k = 0;
			base *= 10;
		}
	}
	int decimals = 6;
	for (int64_t t = step; t % 10 == 0 && decimals > 0; t /= 10)
		decimals--;

	int64_t lo = g->dom0 - g->origin, hi = g->dom1 - g->origin;
	int64_t first = lo >= 0 ? (lo + step - 1) / step : -(-lo / step);
	fputs("<g font-size=\"11\" fill=\"#444444\" text-anchor=\"middle\">\n", f);
	for (int64_t n = first; n * step <= hi; n++) {
		int64_t v = n * step;
		double x = xpos(g, g->origin + v);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n",
		    x, PLOT_Y0, x, g->y1 + 4, v == 0 ? "#999999" : "#e2e2e2");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x, g->y1 + 16);
		seconds(f, v, decimals);
		fputs("</text>\n", f);
	}
	fputs("</g>\n", f);
}

/* The summary's own numbers, as the text form has them. */
static void
summary_line(FILE *f, const struct probe_sum *s, const struct probe_tl *tl)
{
	char ms[32];

	fprintf(f, "%" PRIu64 " queries, %" PRIu64 " failed", s->queries, s->failed);
	if (s->have_fault) {
		fputs(" &#183; fault: before ", f);
		xml_text(f, s->have_before ? s->before : "-", NAME_CHARS);
		if (s->have_takeover) {
			fprintf(f, ", takeover %s ms by ", probe_ms_str(s->takeover_recv_us - s->fault_us,
			    ms));
			xml_text(f, s->takeover_node, NAME_CHARS);
		} else {
			fputs(", no takeover", f);
		}
		fprintf(f, ", outage %s ms", probe_ms_str(s->outage_us < 0 ? 0 : s->outage_us, ms));
	} else {
		fputs(" &#183; no fault time given", f);
	}
	fprintf(f, " &#183; longest outage %s ms &#183; %" PRIu64 " switch%s",
	    probe_ms_str(s->longest_outage_us, ms), s->switch_count,
	    s->switch_count == 1 ? "" : "es");
	if (s->oom || tl->oom)
		fputs(" (out of memory: incomplete)", f);
}

/*
 * The legend from (20, y) on, wrapping at the right edge: each node's
 * colour, failed, the fault and marks when there are any.  With f NULL it
 * only measures: the y of its last row.
 */
static double
legend(FILE *f, const struct probe_tl *tl, double y, bool fault, bool marks)
{
	double x = 20;

	if (f != NULL)
		fputs("<g font-size=\"11\" fill=\"#333333\">\n", f);
	for (size_t i = 0; i < tl->n_lanes + 3; i++) {
		const char *text, *colour = NULL, *dash = "6,4";
		if (i < tl->n_lanes) {
			text = lane_name(&tl->lanes[i]);
			colour = lane_colour(tl, i);
		} else if (i == tl->n_lanes) {
			text = "failed: no reply in time, late or another rcode";
			colour = RED;
		} else if (i == tl->n_lanes + 1) {
			if (!fault)
				continue;
			text = "fault";
		} else {
			if (!marks)
				continue;
			text = "mark";
			dash = "2,3";
		}
		size_t max = i < tl->n_lanes ? NAME_CHARS : 0;
		double w = 18 + text_w(text_chars(text, max), 11) + 18;
		if (x + w > W - 10 && x > 20) {
			x = 20;
			y += 16;
		}
		if (f == NULL) {
			x += w;
			continue;
		}
		if (colour != NULL)
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"%s\"/>\n",
			    x, y - 9, colour);
		else
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
			    "stroke=\"#000000\" stroke-width=\"1.5\" stroke-dasharray=\"%s\"/>\n",
			    x + 6, y - 11, x + 6, y + 2, dash);
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x + 18, y);
		xml_text(f, text, max);
		fputs("</text>\n", f);
		x += w;
	}
	if (f != NULL)
		fputs("</g>\n", f);
	return y;
}

int
probe_svg_write(FILE *f, const struct probe_tl *tl, const struct probe_sum *s,
    const struct probe_svg_opts *o)
{
	const char *title = o != NULL && o->title != NULL && o->title[0] != '\0' ? o->title :
	    DEFAULT_TITLE;
	size_t n_marks = o != NULL ? o->n_marks : 0;
	struct geo g;

	/*
	 * The span: the queries (each one interval long), and the fault and
	 * the marks within REACH_US of them (others are not drawn).
	 */
	int64_t interval = s->interval_us > 0 ? s->interval_us : 0;
	bool have_time = tl->queries > 0, fault = false;
	int64_t lo = tl->first_us, hi = tl->last_us + interval;
	if (s->have_fault && (!have_time || in_reach(tl, s->fault_us))) {
		if (!have_time)
			lo = hi = s->fault_us;
		if (s->fault_us < lo)
			lo = s->fault_us;
		if (s->fault_us > hi)
			hi = s->fault_us;
		have_time = fault = true;
	}
	for (size_t i = 0; i < n_marks; i++) {
		int64_t t;
		if (!mark_time(tl, s, &o->marks[i], &t))
			continue;
		if (t < lo)
			lo = t;
		if (t > hi)
			hi = t;
	}
	if (hi - lo < 1000)
		hi = lo + 1000;
	int64_t pad = (hi - lo) / 100;
	g.dom0 = lo - pad;
	g.dom1 = hi + pad;
	g.origin = s->have_fault ? s->fault_us : tl->queries > 0 ? s->first_sent_us : g.dom0 + pad;
	g.px_per_us = PLOT_W / (double)(g.dom1 - g.dom0);
	g.slot = (double)interval * g.px_per_us;

	size_t n_rows = tl->n_lanes + 1;
	g.y1 = PLOT_Y0 + LANE_H * (double)n_rows;
	bool marks = false;
	for (size_t i = 0; i < n_marks; i++) {
		int64_t t;
		marks = marks || mark_time(tl, s, &o->marks[i], &t);
	}
	double legend_y = g.y1 + 60;
	double height = legend(NULL, tl, legend_y, fault, marks) + 14;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%.0f\" "
	    "viewBox=\"0 0 %d %.0f\" font-family=\"DejaVu Sans, Liberation Sans, Arial, sans-serif\">\n",
	    W, height, W, height);
	fputs("<title>", f);
	xml_text(f, title, 0);
	fputs("</title>\n", f);
	fprintf(f, "<rect width=\"%d\" height=\"%.0f\" fill=\"#ffffff\"/>\n", W, height);

	/* Header. */
	fputs("<text x=\"20\" y=\"24\" font-size=\"16\" font-weight=\"bold\" fill=\"#111111\">", f);
	xml_text(f, title, 110);
	fputs("</text>\n<text x=\"20\" y=\"44\" font-size=\"12\" fill=\"#333333\">", f);
	summary_line(f, s, tl);
	fputs("</text>\n", f);

	/* Lane backgrounds and labels. */
	for (size_t i = 0; i < n_rows; i++) {
		const struct probe_tl_lane *l = i < tl->n_lanes ? &tl->lanes[i] : &tl->lost;
		bool lost = l->kind == PROBE_TL_LOST;
		double y = PLOT_Y0 + LANE_H * (double)i, cy = y + LANE_H / 2;
		fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n",
		    PLOT_X0, y, PLOT_W, LANE_H, lost ? "#fdf0f0" : i % 2 == 0 ? "#f6f7f9" : "#ffffff");
		fputs("<g>", f);
		if (l->kind == PROBE_TL_NODE) {
			fputs("<title>", f);
			xml_text(f, l->name, 0);
			fputs("</title>", f);
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"end\" "
		    "font-weight=\"bold\" fill=\"%s\">", PLOT_X0 - 10, cy - 1,
		    lost ? RED : lane_colour(tl, i));
		xml_text(f, lane_name(l), NAME_CHARS);
		fprintf(f, "</text><text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" "
		    "fill=\"#666666\">%" PRIu64 " %s</text></g>\n", PLOT_X0 - 10, cy + 11, l->count,
		    lost ? "failed" : "ok");
	}

	axis(f, &g);

	/* The fault and the marks, with their labels above the plot, under the queries. */
	struct label_rows rows = { { 0 } };
	if (fault)
		vline(f, &g, &rows, s->fault_us, "fault", "6,4", "#000000", 1.5, true);
	for (size_t i = 0; i < n_marks; i++) {
		const struct probe_svg_mark *m = &o->marks[i];
		int64_t t;
		if (mark_time(tl, s, m, &t))
			vline(f, &g, &rows, t, m->label != NULL ? m->label : "", "2,3", "#444444", 1.2,
			    false);
	}

	/* The queries. */
	struct biggest big = { .fault = s->have_fault, .after_us = s->fault_us };
	for (size_t i = 0; i < n_rows; i++) {
		const struct probe_tl_lane *l = i < tl->n_lanes ? &tl->lanes[i] : &tl->lost;
		bool lost = l->kind == PROBE_TL_LOST;
		double cy = PLOT_Y0 + LANE_H * ((double)i + 0.5);
		fprintf(f, "<g class=\"%s\" fill=\"%s\">\n", lost ? "lost" : "node",
		    lost ? RED : lane_colour(tl, i));
		draw_runs(f, &g, l, cy, lost ? LOST_H : BAR_H, lost ? MIN_W_LOST : MIN_W_NODE,
		    lost ? &big : NULL);
		fputs("</g>\n", f);
	}
	/* The red mark of the outage after the fault (or the biggest) says how many failed. */
	if (big.count > 0) {
		double cy = PLOT_Y0 + LANE_H * ((double)n_rows - 0.5) + 4;
		char buf[48];
		snprintf(buf, sizeof(buf), "%" PRIu64 " failed", big.count);
		double tw = text_w(strlen(buf), 11);
		/* Right of the mark, else left of it, else inside it in white if it is that wide. */
		if (big.x1 + 5 + tw <= PLOT_X1)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\" "
			    "fill=\"%s\">%s</text>\n", big.x1 + 5, cy, RED, buf);
		else if (big.x0 - 5 - tw >= PLOT_X0)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\" "
			    "text-anchor=\"end\" fill=\"%s\">%s</text>\n", big.x0 - 5, cy, RED, buf);
		else if (big.x1 - big.x0 >= tw + 10)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" font-weight=\"bold\" "
			    "fill=\"#ffffff\">%s</text>\n", big.x0 + 5, cy, buf);
	}
	if (tl->queries == 0)
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" text-anchor=\"middle\" "
		    "fill=\"#999999\">no queries</text>\n", PLOT_X0 + PLOT_W / 2,
		    PLOT_Y0 + LANE_H / 2 + 5);
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
	    "stroke=\"#bbbbbb\"/>\n", PLOT_X0, PLOT_Y0, PLOT_W, g.y1 - PLOT_Y0);

	/* Axis title and legend. */
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"middle\" "
	    "fill=\"#444444\">", PLOT_X0 + PLOT_W / 2, g.y1 + 34);
	if (!have_time) {
		fputs("seconds", f);
	} else {
		fputs(s->have_fault ? "seconds since the fault (" : "seconds since the first query (",
		    f);
		utc(f, g.origin);
		fputs(")", f);
	}
	fputs("</text>\n", f);
	legend(f, tl, legend_y, fault, marks);
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}

int
probe_svg_records(FILE *f, const struct probe_rec *r, size_t n,
    const struct probe_sum_conf *conf, const struct probe_svg_opts *o)
{
	struct probe_sum s;
	struct probe_tl tl;

	probe_sum_init(&s, conf);
	probe_tl_init(&tl);
	for (size_t i = 0; i < n; i++)
		probe_tl_add_sum(&tl, &s, &r[i]);
	probe_sum_finish(&s);
	int rc = probe_svg_write(f, &tl, &s, o);
	probe_tl_free(&tl);
	probe_sum_free(&s);
	return rc;
}
