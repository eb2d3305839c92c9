/*
 * test_bfd.c - unit tests for the BFD codec and session core
 * (src/bfd/packet.c, src/bfd/session.c; RFC 5880, RFC 5881).
 *
 * Codec vectors are byte arrays written out field by field, not produced
 * by the encoder under test.  Session tests run on a fake clock (plain
 * rtime_t values) with an injected random source, so jitter bounds can be
 * checked at both extremes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "bfd/packet.h"
#include "bfd/session.h"

#define B32(v) (uint8_t)(((uint32_t)(v) >> 24) & 0xff), \
	(uint8_t)(((uint32_t)(v) >> 16) & 0xff), \
	(uint8_t)(((uint32_t)(v) >> 8) & 0xff), (uint8_t)((uint32_t)(v) & 0xff)
/* RFC 5880 4.1 mandatory section. */
#define PKT(vers, diag, sta, flags, mult, len, my, your, tx, rx, echo) \
	(uint8_t)(((vers) << 5) | (diag)), (uint8_t)(((sta) << 6) | (flags)), \
	(mult), (len), B32(my), B32(your), B32(tx), B32(rx), B32(echo)

#define MS (RTIME_MS)

static const uint8_t good_up[] = {
	PKT(1, 0, 3, 0, 3, 24, 0x11223344, 0x55667788, 100000, 100000, 0),
};

static void
test_decode_good(void **state)
{
	struct bfd_pkt p;

	assert_int_equal(bfd_pkt_decode(good_up, sizeof(good_up), &p), BFD_OK);
	assert_int_equal(p.version, 1);
	assert_int_equal(p.diag, 0);
	assert_int_equal(p.state, BFD_STATE_UP);
	assert_int_equal(p.flags, 0);
	assert_int_equal(p.detect_mult, 3);
	assert_int_equal(p.length, 24);
	assert_int_equal(p.my_discr, 0x11223344);
	assert_int_equal(p.your_discr, 0x55667788);
	assert_int_equal(p.desired_min_tx, 100000);
	assert_int_equal(p.required_min_rx, 100000);
	assert_int_equal(p.required_min_echo_rx, 0);

	/* Down with your discr 0, Poll, diag 3, trailing bytes past Length. */
	static const uint8_t down[] = {
		PKT(1, 3, 1, BFD_F_POLL, 5, 24, 7, 0, 1000000, 50000, 1), 0xaa, 0xbb,
	};
	assert_int_equal(bfd_pkt_decode(down, sizeof(down), &p), BFD_OK);
	assert_int_equal(p.diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(p.state, BFD_STATE_DOWN);
	assert_int_equal(p.flags, BFD_F_POLL);
	assert_int_equal(p.detect_mult, 5);
	assert_int_equal(p.your_discr, 0);
	assert_int_equal(p.required_min_echo_rx, 1);
}

struct bad_vec {
	const char *name;
	uint8_t buf[32];
	size_t len;
	int err;
};

static const struct bad_vec bad_vecs[] = {
	{ "version 0", { PKT(0, 0, 3, 0, 3, 24, 1, 2, 1, 1, 0) }, 24, BFD_ERR_VERSION },
	{ "version 2", { PKT(2, 0, 3, 0, 3, 24, 1, 2, 1, 1, 0) }, 24, BFD_ERR_VERSION },
	{ "version 7 one byte", { 0xe0 }, 1, BFD_ERR_VERSION },
	{ "length 23", { PKT(1, 0, 3, 0, 3, 23, 1, 2, 1, 1, 0) }, 24, BFD_ERR_LENGTH_SHORT },
	{ "length 0", { PKT(1, 0, 3, 0, 3, 0, 1, 2, 1, 1, 0) }, 24, BFD_ERR_LENGTH_SHORT },
	{ "auth length 24", { PKT(1, 0, 3, BFD_F_AUTH, 3, 24, 1, 2, 1, 1, 0) }, 24,
	    BFD_ERR_LENGTH_SHORT },
	{ "auth length 25", { PKT(1, 0, 3, BFD_F_AUTH, 3, 25, 1, 2, 1, 1, 0), 0 }, 25,
	    BFD_ERR_LENGTH_SHORT },
	{ "auth length 26", { PKT(1, 0, 3, BFD_F_AUTH, 3, 26, 1, 2, 1, 1, 0), 1, 2 }, 26,
	    BFD_ERR_AUTH },
	{ "length 25 > 24", { PKT(1, 0, 3, 0, 3, 25, 1, 2, 1, 1, 0) }, 24, BFD_ERR_LENGTH_LONG },
	{ "length 255", { PKT(1, 0, 3, 0, 3, 255, 1, 2, 1, 1, 0) }, 24, BFD_ERR_LENGTH_LONG },
	{ "mult 0", { PKT(1, 0, 3, 0, 0, 24, 1, 2, 1, 1, 0) }, 24, BFD_ERR_DETECT_MULT },
	{ "multipoint", { PKT(1, 0, 3, BFD_F_MULTI, 3, 24, 1, 2, 1, 1, 0) }, 24,
	    BFD_ERR_MULTIPOINT },
	{ "my discr 0", { PKT(1, 0, 3, 0, 3, 24, 0, 2, 1, 1, 0) }, 24, BFD_ERR_MY_DISCR },
	{ "your 0 in up", { PKT(1, 0, 3, 0, 3, 24, 1, 0, 1, 1, 0) }, 24, BFD_ERR_YOUR_DISCR },
	{ "your 0 in init", { PKT(1, 0, 2, 0, 3, 24, 1, 0, 1, 1, 0) }, 24, BFD_ERR_YOUR_DISCR },
	/* Order: version is judged before everything else. */
	{ "version before mult", { PKT(3, 0, 3, 0, 0, 0, 0, 0, 1, 1, 0) }, 24, BFD_ERR_VERSION },
	/* Order: mult before multipoint before my discr. */
	{ "mult before multi", { PKT(1, 0, 3, BFD_F_MULTI, 0, 24, 0, 0, 1, 1, 0) }, 24,
	    BFD_ERR_DETECT_MULT },
	{ "multi before discr", { PKT(1, 0, 3, BFD_F_MULTI, 3, 24, 0, 0, 1, 1, 0) }, 24,
	    BFD_ERR_MULTIPOINT },
};

static void
test_decode_bad(void **state)
{
	struct bfd_pkt p;
	size_t i;

	for (i = 0; i < sizeof(bad_vecs) / sizeof(bad_vecs[0]); i++) {
		int r = bfd_pkt_decode(bad_vecs[i].buf, bad_vecs[i].len, &p);

		if (r != bad_vecs[i].err)
			fail_msg("%s: got %s, want %s", bad_vecs[i].name,
			    bfd_err_str(r), bfd_err_str(bad_vecs[i].err));
		assert_string_not_equal(bfd_err_str(r), "unknown error");
	}
	/* Down and AdminDown may carry your discr 0. */
	static const uint8_t admin[] = { PKT(1, 7, 0, 0, 3, 24, 1, 0, 1, 1, 0) };
	assert_int_equal(bfd_pkt_decode(admin, sizeof(admin), &p), BFD_OK);
}

static void
test_decode_truncated(void **state)
{
	struct bfd_pkt p;
	uint8_t buf[sizeof(good_up)];
	size_t n;

	/* A copy of exactly n bytes, so ASan sees any read past the end. */
	for (n = 0; n < sizeof(good_up); n++) {
		uint8_t *cut = test_malloc(n ? n : 1);

		memcpy(cut, good_up, n);
		int r = bfd_pkt_decode(n ? cut : NULL, n, &p);
		assert_int_not_equal(r, BFD_OK);
		assert_true(r == BFD_ERR_TRUNCATED || r == BFD_ERR_LENGTH_LONG);
		test_free(cut);
	}
	memcpy(buf, good_up, sizeof(buf));
	assert_int_equal(bfd_pkt_decode(buf, sizeof(buf), &p), BFD_OK);
}

static void
test_encode(void **state)
{
	struct bfd_pkt p, q;
	uint8_t buf[64];
	size_t n;

	assert_int_equal(bfd_pkt_decode(good_up, sizeof(good_up), &p), BFD_OK);
	assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), 24);
	assert_memory_equal(buf, good_up, 24);
	for (n = 0; n < 24; n++)
		assert_int_equal(bfd_pkt_encode(&p, buf, n), BFD_ERR_BUFFER);
	/* The encoder never claims authentication it does not send. */
	p.flags |= BFD_F_AUTH | BFD_F_FINAL;
	assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), 24);
	assert_int_equal(bfd_pkt_decode(buf, 24, &q), BFD_OK);
	assert_int_equal(q.flags, BFD_F_FINAL);
	p.state = 4;
	assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), BFD_ERR_STATE);
}

static void
test_names(void **state)
{
	assert_string_equal(bfd_state_name(BFD_STATE_ADMINDOWN), "admindown");
	assert_string_equal(bfd_state_name(BFD_STATE_DOWN), "down");
	assert_string_equal(bfd_state_name(BFD_STATE_INIT), "init");
	assert_string_equal(bfd_state_name(BFD_STATE_UP), "up");
	assert_string_equal(bfd_state_name(9), "unknown");
	assert_string_equal(bfd_diag_name(BFD_DIAG_TIME_EXPIRED),
	    "control detection time expired");
	assert_string_equal(bfd_diag_name(42), "unknown");
	for (int e = 0; e > -BFD_ERR_COUNT; e--)
		assert_string_not_equal(bfd_err_str(e), "unknown error");
}

/* Session helpers. */

struct fake_rand {
	uint32_t v;
};

static uint32_t
fake_rnd(void *arg)
{
	return ((struct fake_rand *)arg)->v;
}

#define LOCAL 0x1000
#define REMOTE 0x2000

static void
mk(struct bfd_session *s, struct fake_rand *fr, uint8_t mult)
{
	struct bfd_cfg cfg = {
		.desired_min_tx = 100 * MS, .required_min_rx = 100 * MS,
		.detect_mult = mult, .rnd = fake_rnd, .rnd_arg = fr,
	};

	bfd_session_init(s, &cfg, LOCAL, 0);
}

static int
rx(struct bfd_session *s, int state, uint8_t flags, uint32_t your, rtime_t now)
{
	struct bfd_pkt p = {
		.version = 1, .state = (uint8_t)state, .flags = flags, .detect_mult = 3,
		.length = 24, .my_discr = REMOTE, .your_discr = your,
		.desired_min_tx = 100 * MS, .required_min_rx = 100 * MS,
	};

	return bfd_session_input(s, &p, now);
}

static void
bring_up(struct bfd_session *s, rtime_t now)
{
	assert_int_equal(rx(s, BFD_STATE_INIT, 0, LOCAL, now), 1);
	assert_int_equal(s->state, BFD_STATE_UP);
}

static void
test_fsm(void **state)
{
	struct fake_rand fr = { 0 };
	struct bfd_session s;

	/* Down + rx Down -> Init; Init + rx Up -> Up. */
	mk(&s, &fr, 3);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	assert_int_equal(rx(&s, BFD_STATE_DOWN, 0, 0, 0), 1);
	assert_int_equal(s.state, BFD_STATE_INIT);
	assert_int_equal(s.remote_discr, REMOTE);
	assert_int_equal(rx(&s, BFD_STATE_DOWN, 0, LOCAL, 1), 0);
	assert_int_equal(s.state, BFD_STATE_INIT);
	assert_int_equal(rx(&s, BFD_STATE_UP, 0, LOCAL, 2), 1);
	assert_int_equal(s.state, BFD_STATE_UP);
	assert_int_equal(s.local_diag, BFD_DIAG_NONE);

	/* Up + rx Up, Init: stay. */
	assert_int_equal(rx(&s, BFD_STATE_UP, 0, LOCAL, 3), 0);
	assert_int_equal(rx(&s, BFD_STATE_INIT, 0, LOCAL, 3), 0);
	assert_int_equal(s.state, BFD_STATE_UP);

	/* Up + rx Down -> Down, diag 3. */
	assert_int_equal(rx(&s, BFD_STATE_DOWN, 0, LOCAL, 4), 1);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	assert_int_equal(s.local_diag, BFD_DIAG_NEIGHBOR_DOWN);

	/* Down + rx Init -> Up; Down + rx Up: stay Down. */
	mk(&s, &fr, 3);
	assert_int_equal(rx(&s, BFD_STATE_UP, 0, LOCAL, 0), 0);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	bring_up(&s, 1);

	/* Init + rx AdminDown -> Down diag 3. */
	mk(&s, &fr, 3);
	rx(&s, BFD_STATE_DOWN, 0, 0, 0);
	assert_int_equal(s.state, BFD_STATE_INIT);
	assert_int_equal(rx(&s, BFD_STATE_ADMINDOWN, 0, 0, 1), 1);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	assert_int_equal(s.local_diag, BFD_DIAG_NEIGHBOR_DOWN);

	/* A packet for another session is dropped and changes nothing. */
	mk(&s, &fr, 3);
	assert_int_equal(rx(&s, BFD_STATE_DOWN, 0, LOCAL + 1, 0), BFD_ERR_DISCR_MISMATCH);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	assert_int_equal(s.remote_discr, 0);
}

static void
test_admin(void **state)
{
	struct fake_rand fr = { 0 };
	struct bfd_session s;
	struct bfd_pkt p;
	uint8_t buf[24];

	mk(&s, &fr, 3);
	bring_up(&s, 0);
	assert_int_equal(bfd_session_admin(&s, true, 10), 1);
	assert_int_equal(s.state, BFD_STATE_ADMINDOWN);
	assert_int_equal(s.local_diag, BFD_DIAG_ADMIN_DOWN);
	assert_int_equal(bfd_session_admin(&s, true, 10), 0);
	/* It is announced at once, as AdminDown with diag 7. */
	assert_true(bfd_session_timer(&s, 10) & BFD_SEND);
	assert_int_equal(bfd_session_build(&s, buf, sizeof(buf)), 24);
	assert_int_equal(bfd_pkt_decode(buf, sizeof(buf), &p), BFD_OK);
	assert_int_equal(p.state, BFD_STATE_ADMINDOWN);
	assert_int_equal(p.diag, BFD_DIAG_ADMIN_DOWN);
	/* Received packets and timeouts do not move AdminDown. */
	assert_int_equal(rx(&s, BFD_STATE_INIT, 0, LOCAL, 20), 0);
	assert_int_equal(rx(&s, BFD_STATE_DOWN, 0, LOCAL, 20), 0);
	assert_false(bfd_session_timer(&s, 100 * RTIME_SEC) & BFD_CHANGED);
	assert_int_equal(s.state, BFD_STATE_ADMINDOWN);
	/* Back to Down, then up the ordinary way. */
	assert_int_equal(bfd_session_admin(&s, false, 30), 1);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	bring_up(&s, 40);

	/* Starting administratively down. */
	struct bfd_cfg cfg = { .desired_min_tx = 100 * MS, .required_min_rx = 100 * MS,
	    .detect_mult = 3, .admin_down = true };
	bfd_session_init(&s, &cfg, LOCAL, 0);
	assert_int_equal(s.state, BFD_STATE_ADMINDOWN);
	assert_int_equal(rx(&s, BFD_STATE_DOWN, 0, 0, 1), 0);
	assert_int_equal(s.state, BFD_STATE_ADMINDOWN);
}

static void
test_detection(void **state)
{
	struct fake_rand fr = { 0 };
	struct bfd_session s;
	rtime_t t0 = 5 * RTIME_SEC;

	mk(&s, &fr, 3);
	bring_up(&s, t0 - 10 * MS);
	/* The peer's Up packet advertises 100 ms x 3. */
	assert_int_equal(rx(&s, BFD_STATE_UP, 0, LOCAL, t0), 0);
	assert_int_equal(s.detect_time, 300 * MS);
	assert_true(bfd_session_next_deadline(&s) <= t0 + 300 * MS);
	assert_false(bfd_session_timer(&s, t0 + 300 * MS - 1) & BFD_CHANGED);
	assert_int_equal(s.state, BFD_STATE_UP);
	assert_true(bfd_session_timer(&s, t0 + 300 * MS) & BFD_CHANGED);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	assert_int_equal(s.local_diag, BFD_DIAG_TIME_EXPIRED);
	assert_int_equal(s.remote_discr, 0);
	/* Down is slow again: 6.8.3 asks for >= 1 s while not Up. */
	assert_int_equal(s.desired_min_tx, BFD_SLOW_TX);

	/* Init times out the same way. */
	mk(&s, &fr, 3);
	rx(&s, BFD_STATE_DOWN, 0, 0, 0);
	assert_int_equal(s.state, BFD_STATE_INIT);
	assert_true(bfd_session_timer(&s, 300 * MS) & BFD_CHANGED);
	assert_int_equal(s.local_diag, BFD_DIAG_TIME_EXPIRED);
}

static void
check_jitter(uint8_t mult, rtime_t lo, rtime_t hi)
{
	struct fake_rand fr = { 0 };
	struct bfd_session s;
	rtime_t now = RTIME_SEC;
	uint32_t vals[] = { 0, 1, 12345, 24999, 25000, 0x7fffffff, 0xffffffff };
	size_t i;

	mk(&s, &fr, mult);
	bring_up(&s, now);
	rx(&s, BFD_STATE_UP, BFD_F_FINAL, LOCAL, now);
	assert_false(s.poll_active);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		fr.v = vals[i];
		now = bfd_session_next_deadline(&s);
		rx(&s, BFD_STATE_UP, 0, LOCAL, now);
		assert_true(bfd_session_timer(&s, now) & BFD_SEND);
		rtime_t d = s.tx_deadline - now;
		if (d < lo || d > hi)
			fail_msg("mult %u rnd %u: interval %lld", mult, vals[i], (long long)d);
	}
}

static void
test_jitter(void **state)
{
	check_jitter(3, 75 * MS, 100 * MS);
	check_jitter(1, 75 * MS, 90 * MS);
}

static void
test_poll_final(void **state)
{
	struct fake_rand fr = { 0 };
	struct bfd_session s;
	struct bfd_pkt p;
	uint8_t buf[24];

	mk(&s, &fr, 3);
	bring_up(&s, 0);
	/* Going Up lowered our tx from 1 s to 100 ms: a poll is running. */
	assert_true(s.poll_active);
	assert_true(bfd_session_timer(&s, 0) & BFD_SEND);
	bfd_session_build(&s, buf, sizeof(buf));
	bfd_pkt_decode(buf, sizeof(buf), &p);
	assert_int_equal(p.flags, BFD_F_POLL);
	assert_int_equal(p.desired_min_tx, 100 * MS);
	/* The peer's Final ends it. */
	rx(&s, BFD_STATE_UP, BFD_F_FINAL, LOCAL, 1);
	assert_false(s.poll_active);

	/* Peer polls: we answer with a Final at once, and only once. */
	rx(&s, BFD_STATE_UP, BFD_F_POLL, LOCAL, 50 * MS);
	assert_int_equal(bfd_session_next_deadline(&s), 50 * MS);
	assert_true(bfd_session_timer(&s, 50 * MS) & BFD_SEND);
	bfd_session_build(&s, buf, sizeof(buf));
	bfd_pkt_decode(buf, sizeof(buf), &p);
	assert_int_equal(p.flags, BFD_F_FINAL);
	bfd_session_build(&s, buf, sizeof(buf));
	bfd_pkt_decode(buf, sizeof(buf), &p);
	assert_int_equal(p.flags, 0);

	/* Slowing rx in Up: the faster old value stays for detection until Final. */
	bfd_session_set_timers(&s, 100 * MS, 300 * MS, 3, 60 * MS);
	assert_true(s.poll_active);
	assert_int_equal(s.required_min_rx, 300 * MS);
	assert_int_equal(s.rx_used, 300 * MS);
	/* Speeding rx back up: detection keeps the slow value until Final. */
	bfd_session_set_timers(&s, 100 * MS, 50 * MS, 3, 70 * MS);
	assert_int_equal(s.rx_used, 300 * MS);
	rx(&s, BFD_STATE_UP, BFD_F_FINAL, LOCAL, 80 * MS);
	assert_int_equal(s.rx_used, 50 * MS);
	assert_int_equal(s.detect_time, 300 * MS);	/* 3 x max(50, peer 100) */
}

/* Two sessions wired back to back through their encoded packets. */
struct link {
	struct bfd_session *from, *to;
	bool up;		/* carries packets */
};

static void
pump(struct link *l, rtime_t now, int *changes)
{
	uint8_t buf[64];
	struct bfd_pkt p;
	int r = bfd_session_timer(l->from, now);

	if (r & BFD_CHANGED)
		changes[0]++;
	if (!(r & BFD_SEND))
		return;
	int n = bfd_session_build(l->from, buf, sizeof(buf));
	assert_int_equal(n, 24);
	if (!l->up)
		return;
	assert_int_equal(bfd_pkt_decode(buf, (size_t)n, &p), BFD_OK);
	if (bfd_session_input(l->to, &p, now) == 1)
		changes[1]++;
}

static void
test_two_sessions(void **state)
{
	struct bfd_session a, b;
	struct bfd_cfg cfg = { .desired_min_tx = 100 * MS, .required_min_rx = 100 * MS,
	    .detect_mult = 3 };
	struct link ab = { &a, &b, true }, ba = { &b, &a, true };
	int changes[2] = { 0, 0 };
	rtime_t now, cut = 0, down_a = 0, down_b = 0;

	bfd_session_init(&a, &cfg, 0xa, 0);
	bfd_session_init(&b, &cfg, 0xb, 3 * MS);
	for (now = 0; now < 10 * RTIME_SEC; now += MS) {
		pump(&ab, now, changes);
		pump(&ba, now, changes);
		if (now == 2 * RTIME_SEC) {
			assert_int_equal(a.state, BFD_STATE_UP);
			assert_int_equal(b.state, BFD_STATE_UP);
			assert_false(a.poll_active);
			assert_false(b.poll_active);
			assert_int_equal(a.remote_discr, 0xb);
			assert_int_equal(b.remote_discr, 0xa);
			assert_int_equal(a.detect_time, 300 * MS);
			/* b falls silent (host died). */
			ba.up = false;
			cut = now;
		}
		if (cut && !down_a && a.state == BFD_STATE_DOWN)
			down_a = now;
		if (cut && !down_b && b.state == BFD_STATE_DOWN)
			down_b = now;
		if (down_a && down_b)
			break;
	}
	assert_true(down_a > cut);
	/* Last packet from b came at most one tx interval before the cut. */
	assert_true(down_a - cut <= 300 * MS);
	assert_true(down_a - cut >= 300 * MS - 100 * MS);
	assert_int_equal(a.local_diag, BFD_DIAG_TIME_EXPIRED);
	/* a tells b at once; b went down because its neighbour said so. */
	assert_int_equal(down_b, down_a);
	assert_int_equal(b.local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_true(changes[0] + changes[1] >= 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_good),
		cmocka_unit_test(test_decode_bad),
		cmocka_unit_test(test_decode_truncated),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_fsm),
		cmocka_unit_test(test_admin),
		cmocka_unit_test(test_detection),
		cmocka_unit_test(test_jitter),
		cmocka_unit_test(test_poll_final),
		cmocka_unit_test(test_two_sessions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
