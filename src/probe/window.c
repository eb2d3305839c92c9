/*
 * window.c - ids, reply matching, timeouts and line order of the queries
 * of a probe run.  See window.h.
 */
#include <stdlib.h>
#include <string.h>

#include "window.h"

int
probe_win_init(struct probe_win *w, size_t cap, uint16_t id_base, int64_t timeout_us)
{
	memset(w, 0, sizeof(*w));
	if (cap < 16 || cap > PROBE_WIN_MAX || (cap & (cap - 1)) != 0)
		return -1;
	if ((w->slot = calloc(cap, sizeof(*w->slot))) == NULL)
		return -1;
	w->mask = cap - 1;
	w->id_base = id_base;
	w->timeout_us = timeout_us;
	return 0;
}

void
probe_win_free(struct probe_win *w)
{
	free(w->slot);
	w->slot = NULL;
}

bool
probe_win_full(const struct probe_win *w)
{
	return w->next - w->head > w->mask;
}

uint16_t
probe_win_next_id(const struct probe_win *w)
{
	return (uint16_t)(w->id_base + w->next);
}

uint16_t
probe_win_send(struct probe_win *w, int64_t mono, int64_t real)
{
	struct probe_slot *s = &w->slot[w->next & w->mask];

	memset(s, 0, sizeof(*s));
	s->rec.seq = w->next;
	s->rec.sent_us = real;
	s->sent_mono = mono;
	s->state = PROBE_SLOT_INFLIGHT;
	w->inflight++;
	return (uint16_t)(w->id_base + w->next++);
}

static void
time_out(struct probe_win *w, struct probe_slot *s)
{
	s->state = PROBE_SLOT_DONE;
	s->timed_out = true;
	s->rec.rcode = PROBE_RCODE_TIMEOUT;
	s->rec.recv_us = s->rec.rtt_us = 0;
	s->rec.node[0] = '\0';
	w->inflight--;
}

enum probe_win_match
probe_win_reply(struct probe_win *w, const struct probe_reply *r, int64_t mono)
{
	uint16_t low = (uint16_t)(r->id - w->id_base);
	struct probe_slot *s = &w->slot[low & w->mask];

	/* Never sent, or the slot holds another query now. */
	if (s->state == PROBE_SLOT_FREE || (uint16_t)s->rec.seq != low) {
		w->unmatched++;
		return PROBE_WIN_UNMATCHED;
	}
	if (s->state == PROBE_SLOT_INFLIGHT) {
		int64_t rtt = mono - s->sent_mono;
		if (rtt >= w->timeout_us) {
			/* Its timeout passed; we just had not looked yet. */
			time_out(w, s);
			s->late_seen = true;
			w->late++;
			return PROBE_WIN_LATE;
		}
		s->state = PROBE_SLOT_DONE;
		s->rec.rtt_us = rtt < 0 ? 0 : rtt;
		s->rec.recv_us = s->rec.sent_us + s->rec.rtt_us;
		s->rec.rcode = (int)r->rcode;
		memcpy(s->rec.node, r->node, sizeof(s->rec.node));
		s->rec.node[sizeof(s->rec.node) - 1] = '\0';
		w->inflight--;
		return PROBE_WIN_MATCHED;
	}
	if (s->timed_out && !s->late_seen) {
		s->late_seen = true;
		w->late++;
		return PROBE_WIN_LATE;
	}
	w->duplicate++;
	return PROBE_WIN_DUPLICATE;
}

void
probe_win_expire(struct probe_win *w, int64_t mono)
{
	for (; w->tcur < w->next; w->tcur++) {
		struct probe_slot *s = &w->slot[w->tcur & w->mask];
		if (s->state != PROBE_SLOT_INFLIGHT)
			continue;
		if (mono - s->sent_mono < w->timeout_us)
			break;
		time_out(w, s);
	}
}

void
probe_win_abandon(struct probe_win *w)
{
	for (; w->tcur < w->next; w->tcur++) {
		struct probe_slot *s = &w->slot[w->tcur & w->mask];
		if (s->state == PROBE_SLOT_INFLIGHT)
			time_out(w, s);
	}
}

int64_t
probe_win_deadline(struct probe_win *w)
{
	for (; w->tcur < w->next; w->tcur++) {
		struct probe_slot *s = &w->slot[w->tcur & w->mask];
		if (s->state == PROBE_SLOT_INFLIGHT)
			return s->sent_mono + w->timeout_us;
	}
	return INT64_MAX;
}

int
probe_win_pop(struct probe_win *w, struct probe_rec *out)
{
	if (w->head == w->next)
		return 0;
	struct probe_slot *s = &w->slot[w->head & w->mask];
	if (s->state != PROBE_SLOT_DONE)
		return 0;
	*out = s->rec;
	s->state = PROBE_SLOT_WRITTEN;
	w->head++;
	return 1;
}
