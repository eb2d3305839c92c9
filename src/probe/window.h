/*
 * window.h - the queries of a probe run between send and CSV line: ids,
 * matching replies, timeouts and the order of the lines.
 *
 * A ring of slots indexed by seq.  Query seq gets the DNS id
 * (id_base + seq) mod 65536; since fewer than `cap` (<= 65536) queries are
 * ever between the oldest unwritten one and the newest, the ids of the
 * queries in flight are unique, and a reply's id leads straight to its slot.
 * A slot stays readable after its line was written until seq + cap reuses
 * it, so a reply that comes after its query timed out is recognised as late
 * (and counted once) rather than as a stranger.
 *
 * Every query has one timeout, so queries time out in seq order; lines are
 * handed out in seq order too, each as soon as its query and every earlier
 * one is answered or timed out.
 *
 * Pure: the caller passes the clocks (mono: monotonic µs for rtt and
 * timeouts, real: CLOCK_REALTIME µs for the CSV).
 */
#ifndef RIPOSTE_PROBE_WINDOW_H
#define RIPOSTE_PROBE_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "csv.h"
#include "reply.h"

#define PROBE_WIN_MAX 65536  /* 16-bit ids */

enum probe_slot_state {
	PROBE_SLOT_FREE = 0,
	PROBE_SLOT_INFLIGHT,
	PROBE_SLOT_DONE,     /* answered or timed out, line not written yet */
	PROBE_SLOT_WRITTEN,
};

struct probe_slot {
	struct probe_rec rec;
	int64_t sent_mono;
	uint8_t state;
	bool timed_out;
	bool late_seen;
};

struct probe_win {
	struct probe_slot *slot;
	size_t mask;              /* cap - 1 */
	uint64_t next;            /* the next seq to send */
	uint64_t head;            /* the oldest seq whose line is not written */
	uint64_t tcur;            /* no query before it is in flight */
	uint16_t id_base;
	int64_t timeout_us;
	uint64_t inflight;
	uint64_t late, unmatched, duplicate;
};

/* What probe_win_reply() made of a reply. */
enum probe_win_match {
	PROBE_WIN_MATCHED = 0,  /* answered a query in flight, in time */
	PROBE_WIN_LATE,         /* for a query that timed out (counted once per query) */
	PROBE_WIN_UNMATCHED,    /* no query of ours has this id */
	PROBE_WIN_DUPLICATE,    /* for a query already answered, or a second late one */
};

/* cap: a power of two, 16..PROBE_WIN_MAX.  0, or -1 (bad cap, out of memory). */
int probe_win_init(struct probe_win *w, size_t cap, uint16_t id_base, int64_t timeout_us);
void probe_win_free(struct probe_win *w);

/* True when the next query has no slot yet: wait for the oldest line. */
bool probe_win_full(const struct probe_win *w);
/* The id query w->next would get. */
uint16_t probe_win_next_id(const struct probe_win *w);
/* Record the query w->next as sent; its id.  Only when !probe_win_full(). */
uint16_t probe_win_send(struct probe_win *w, int64_t mono, int64_t real);

/* A parsed reply (its question already checked against ours). */
enum probe_win_match probe_win_reply(struct probe_win *w, const struct probe_reply *r,
    int64_t mono);
/* Time out every query in flight for timeout_us or longer. */
void probe_win_expire(struct probe_win *w, int64_t mono);
/* Time out every query in flight now (stopping without waiting). */
void probe_win_abandon(struct probe_win *w);
/* The monotonic time of the next timeout, or INT64_MAX when nothing is in flight. */
int64_t probe_win_deadline(struct probe_win *w);
/* The next line in seq order, when it is complete: 1 and *out, else 0. */
int probe_win_pop(struct probe_win *w, struct probe_rec *out);

#endif
