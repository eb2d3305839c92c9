/*
 * fuzz_bfd.c - libFuzzer target for the BFD codec and session core
 * (src/bfd/packet.c, src/bfd/session.c; RFC 5880).
 *
 * Three properties.  (1) The whole input is decoded; a packet that passes
 * is encoded again and decoded again, and any field that differs is a bug
 * (abort()).  (2) The input is also read as a conversation: records of one
 * time-step byte followed by a 24-byte packet are fed to one session on a
 * fake clock, so the fuzzer drives the state machine through timeouts,
 * polls and admin changes.  (3) Whatever the session builds must itself
 * pass the decoder: we never send a packet a peer would have to drop.
 * No allocation, so nothing can leak.  tests/fuzz/replay.c runs the stored
 * corpus through this in the ordinary test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bfd/packet.h"
#include "bfd/session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Discriminator the session answers to; seeds carry it as Your Discr. */
#define FUZZ_DISCR 0x01020304u

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
roundtrip(const struct bfd_pkt *p)
{
	uint8_t buf[BFD_PKT_LEN];
	struct bfd_pkt q;

	check(bfd_pkt_encode(p, buf, sizeof(buf)) == BFD_PKT_LEN);
	check(bfd_pkt_decode(buf, sizeof(buf), &q) == BFD_OK);
	check(q.version == p->version && q.diag == p->diag && q.state == p->state &&
	    q.flags == p->flags && q.detect_mult == p->detect_mult &&
	    q.length == BFD_PKT_LEN && q.my_discr == p->my_discr &&
	    q.your_discr == p->your_discr && q.desired_min_tx == p->desired_min_tx &&
	    q.required_min_rx == p->required_min_rx &&
	    q.required_min_echo_rx == p->required_min_echo_rx);
}

static uint32_t
fuzz_rnd(void *arg)
{
	uint32_t *x = arg;

	*x = *x * 1103515245u + 12345u;
	return *x;
}

/* Our own packet must be one a peer accepts (RFC 5880 6.8.6 / 6.8.7). */
static void
check_built(struct bfd_session *s)
{
	uint8_t buf[BFD_PKT_LEN];
	struct bfd_pkt p;

	check(bfd_session_build(s, buf, sizeof(buf), 0) == BFD_PKT_LEN);
	check(bfd_pkt_decode(buf, sizeof(buf), &p) == BFD_OK);
	check(!((p.flags & BFD_F_POLL) && (p.flags & BFD_F_FINAL)));
	check(p.state == s->state);
	/* 6.8.3: no faster than 1 s while not Up. */
	check(p.state == BFD_STATE_UP || p.desired_min_tx >= BFD_SLOW_TX);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bfd_pkt p;
	struct bfd_session s;
	uint32_t seed = 1;
	struct bfd_cfg cfg = {
		.desired_min_tx = 50000, .required_min_rx = 50000, .detect_mult = 3,
		.rnd = fuzz_rnd, .rnd_arg = &seed,
	};
	rtime_t now = 0;
	size_t off;

	if (bfd_pkt_decode(data, size, &p) == BFD_OK)
		roundtrip(&p);

	bfd_session_init(&s, &cfg, FUZZ_DISCR, now);
	for (off = 0; off + 1 + BFD_PKT_LEN <= size; off += 1 + BFD_PKT_LEN) {
		uint8_t step = data[off];
		int r;

		/* The step byte: low 7 bits are milliseconds, 0xff is an admin toggle. */
		if (step == 0xff) {
			bfd_session_admin(&s, s.state != BFD_STATE_ADMINDOWN, now);
			continue;
		}
		now += (rtime_t)(step & 0x7f) * 10 * RTIME_MS;
		if (step & 0x80)
			bfd_session_set_timers(&s, 10000u * (step & 0x0f) + 10000u,
			    10000u * (step >> 4 & 0x07) + 10000u, 3, now);
		r = bfd_session_timer(&s, now);
		if (r & BFD_SEND)
			check_built(&s);
		if (bfd_pkt_decode(data + off + 1, BFD_PKT_LEN, &p) != BFD_OK)
			continue;
		roundtrip(&p);
		r = bfd_session_input(&s, &p, now);
		check(r == 0 || r == 1 || r == BFD_ERR_DISCR_MISMATCH);
		check(s.state <= BFD_STATE_UP);
		check(bfd_session_next_deadline(&s) >= now ||
		    bfd_session_next_deadline(&s) == s.tx_deadline);
		check_built(&s);
	}
	return 0;
}
