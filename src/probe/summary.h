/*
 * summary.h - what a run of riposte-probe measured, computed from its
 * records in seq order: by the probe at exit, and by --analyze from a CSV.
 *
 * Pure arithmetic over records fed one at a time (so an hour at 5000/s
 * needs no memory per query), then probe_sum_finish().  A query is
 * successful when it was answered in time with the expected rcode, failed
 * otherwise (timeout, late, other rcode).  Nodes are the non-empty node
 * names; a successful answer without one counts as "unidentified".
 *
 * Given a fault time T (µs since the epoch):
 *   before       the node of the last successful query sent before T
 *   takeover_ms  (earliest recv_us of a successful answer from a node other
 *                than `before`, among the queries sent at or after T) - T
 *   outage_ms    the longest run of consecutive failed queries sent at or
 *                after T, from the send time of its first query to the send
 *                time of the first successful query after it, or, when the
 *                run lasts to the end, to the last send time plus one interval
 * and over the whole run, longest_outage_ms the same way.  The interval is
 * the configured one, or else (last sent_us - first sent_us) / (queries - 1).
 */
#ifndef RIPOSTE_PROBE_SUMMARY_H
#define RIPOSTE_PROBE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"

#define PROBE_NODES_MAX 4096     /* distinct nodes counted by name; the rest as "other" */
#define PROBE_SWITCHES_MAX 1000  /* node switches listed (all are counted) */

struct probe_sum_conf {
	unsigned expect_rcode;   /* counted as success (default NOERROR) */
	bool fault;              /* a fault time is given: */
	bool fault_relative;     /* ... fault_us after the first query's sent_us */
	int64_t fault_us;        /* ... else µs since the epoch */
	int64_t timeout_us;      /* > 0: an answer with rtt_us >= this is late */
	int64_t interval_us;     /* the query interval; 0: from the records */
};

struct probe_node_count {
	char name[PROBE_NODE_MAX];
	uint64_t count;
};

struct probe_switch {
	int64_t at_us;           /* recv_us of the first answer from `to` */
	char from[PROBE_NODE_MAX];
	char to[PROBE_NODE_MAX];
};

struct probe_sum {
	struct probe_sum_conf conf;
	bool oom;                /* out of memory: node or switch lists incomplete */

	uint64_t queries, answered, failed, timeouts, late, unidentified;
	struct probe_node_count *nodes;  /* replies per node (any rcode), first seen first */
	size_t n_nodes, cap_nodes;
	uint64_t other_nodes;            /* replies from nodes past PROBE_NODES_MAX */
	char first_node[PROBE_NODE_MAX]; /* of successful answers; "" if none */
	char last_node[PROBE_NODE_MAX];
	struct probe_switch *switches;
	size_t n_switches, cap_switches;
	uint64_t switch_count;
	int64_t first_sent_us, last_sent_us;
	int64_t interval_us;             /* used for runs that last to the end */

	/* The fault. */
	int64_t fault_us;                /* resolved at the first record */
	bool have_fault;
	bool have_before;
	char before[PROBE_NODE_MAX];
	bool have_takeover;
	int64_t takeover_recv_us;
	char takeover_node[PROBE_NODE_MAX];
	uint64_t failed_after_fault;
	int64_t outage_us;               /* -1 when there is no fault */

	int64_t longest_outage_us;

	/* Runs of failures in progress (internal). */
	bool run_all, run_fault;
	int64_t run_all_start, run_fault_start;
};

void probe_sum_init(struct probe_sum *s, const struct probe_sum_conf *conf);
/* The next record, in seq order.  0, or -1 when out of memory (s->oom, counts go on). */
int probe_sum_add(struct probe_sum *s, const struct probe_rec *r);
/* Close the runs in progress: after the last record, before reading the results. */
void probe_sum_finish(struct probe_sum *s);
void probe_sum_free(struct probe_sum *s);
/* init, add each, finish. */
int probe_sum_records(struct probe_sum *s, const struct probe_sum_conf *conf,
    const struct probe_rec *r, size_t n);

/* Milliseconds with one decimal, for a duration in µs: "250.0". */
const char *probe_ms_str(int64_t us, char buf[32]);

/*
 * One JSON object and a newline: queries, answered, failed, late, nodes,
 * first_node, last_node, fault_us, before, takeover_ms, takeover_node,
 * outage_ms, failed_after_fault, longest_outage_ms, switches, and also
 * timeouts, unidentified, switch_count, interval_us.  Unknowns are null.
 */
void probe_sum_json(FILE *f, const struct probe_sum *s);
/* The same for people, a few lines. */
void probe_sum_text(FILE *f, const struct probe_sum *s);

#endif
