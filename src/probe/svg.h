/*
 * svg.h - one picture of a probe run: an SVG timeline that opens in a
 * browser and reads at a glance.
 *
 * Time runs left to right in seconds since the first query, or since the
 * fault when there is one (negative before it); one lane per node that gave
 * a successful answer, in the order of their first answers, and at the
 * bottom the lane "lost": every failed query (no reply in time, late, or
 * another rcode than the expected one; the summary's verdict, see
 * summary.h) as a red tick, and the ticks of the outage after the fault
 * (without a fault: the biggest) labelled with their count.  The fault is
 * a dashed vertical line, each mark a dotted one with its label (a fault
 * or mark more than 10 days away from the queries is not drawn); a header
 * with the title and a line of the summary's own numbers (queries, failed,
 * takeover, outage); a legend.
 *
 * The file is self-contained SVG 1.1 (no script, no external font or
 * style), 1000 px wide with a viewBox, and stays small however long the
 * run: queries of one lane closer than a pixel are drawn as one rect.
 *
 * The timeline keeps no memory per query either: each lane is a list of
 * runs (first and last send time) that are merged as they come, with a gap
 * allowed that grows with the run but stays below half a pixel of the
 * final picture, so an hour at 5000/s needs at most a few thousand runs
 * per lane.
 * Text from the network (node names) and from the command line (title,
 * labels) is escaped for XML; bytes that are not UTF-8 or not allowed in
 * XML come out as U+FFFD.
 */
#ifndef RIPOSTE_PROBE_SVG_H
#define RIPOSTE_PROBE_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"
#include "summary.h"

#define PROBE_SVG_WIDTH 1000     /* px; the height follows from the lanes */
#define PROBE_SVG_LANES_MAX 16   /* node lanes; nodes after these share "(others)" */
#define PROBE_SVG_MARKS_MAX 64   /* --mark options taken */

/* A vertical line with a label: --mark T:LABEL. */
struct probe_svg_mark {
	bool relative;           /* at_us after the first query's sent_us (as --fault-at +SEC) */
	int64_t at_us;           /* else µs since the epoch */
	const char *label;       /* "" for none */
};

struct probe_svg_opts {
	const char *title;                   /* NULL or "": "riposte-probe timeline" */
	const struct probe_svg_mark *marks;  /* n_marks of them, in any order */
	size_t n_marks;
};

/* Queries of one lane sent from start_us to end_us, merged. */
struct probe_tl_run {
	int64_t start_us, end_us;  /* sent_us of the first and the last query */
	uint64_t count;
};

enum probe_tl_kind {
	PROBE_TL_NODE = 0,         /* the successful answers of one node */
	PROBE_TL_UNIDENTIFIED,     /* successful answers that name no node */
	PROBE_TL_OTHERS,           /* those of nodes past PROBE_SVG_LANES_MAX */
	PROBE_TL_LOST,             /* failed queries */
};

struct probe_tl_lane {
	enum probe_tl_kind kind;
	char name[PROBE_NODE_MAX]; /* the node, for PROBE_TL_NODE */
	uint64_t count;            /* queries in the lane */
	struct probe_tl_run *runs;
	size_t n_runs, cap_runs;
};

/* The timeline of a run, fed one record at a time in seq order. */
struct probe_tl {
	struct probe_tl_lane lanes[PROBE_SVG_LANES_MAX + 2];  /* by first appearance */
	size_t n_lanes;
	struct probe_tl_lane lost;
	uint64_t queries;
	int64_t first_us, last_us;   /* sent_us of the first and the last query */
	int64_t merge_us;            /* runs closer than this are merged now */
	size_t total_runs, limit;    /* merged again at more than `limit` runs */
	bool oom;                    /* out of memory: some queries are not drawn */
};

void probe_tl_init(struct probe_tl *tl);
void probe_tl_free(struct probe_tl *tl);
/* The next record, failed or not.  0, or -1 when out of memory (tl->oom). */
int probe_tl_add(struct probe_tl *tl, const struct probe_rec *r, bool failed);
/*
 * The next record into the summary s (probe_sum_add) and into tl with the
 * summary's verdict on it: what is drawn as lost is exactly what is
 * counted as failed.  0, or -1 when either ran out of memory.
 */
int probe_tl_add_sum(struct probe_tl *tl, struct probe_sum *s, const struct probe_rec *r);

/*
 * The SVG of the timeline tl and its finished summary s to f.  0, or -1
 * when writing failed (ferror(f)).
 */
int probe_svg_write(FILE *f, const struct probe_tl *tl, const struct probe_sum *s,
    const struct probe_svg_opts *o);

/* The same from an array of records: summary, timeline and SVG in one. */
int probe_svg_records(FILE *f, const struct probe_rec *r, size_t n,
    const struct probe_sum_conf *conf, const struct probe_svg_opts *o);

#endif
