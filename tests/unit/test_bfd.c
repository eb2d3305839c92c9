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

#include "bfd/auth.h"
#include "bfd/packet.h"
#include "bfd/session.h"
#include "lib/keychain.h"

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
	uint8_t buf[56];
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
	/* A simple password's Auth Len is 3 + 1..16 (RFC 5880 4.2): 2 is malformed. */
	{ "auth length 26", { PKT(1, 0, 3, BFD_F_AUTH, 3, 26, 1, 2, 1, 1, 0), 1, 2 }, 26,
	    BFD_ERR_AUTH_LEN },
	{ "auth len beyond length", { PKT(1, 0, 3, BFD_F_AUTH, 3, 28, 1, 2, 1, 1, 0), 1, 5, 1, 'x' },
	    28, BFD_ERR_AUTH_LEN },
	{ "auth len short of length", { PKT(1, 0, 3, BFD_F_AUTH, 3, 29, 1, 2, 1, 1, 0), 1, 4, 1, 'x' },
	    29, BFD_ERR_AUTH_LEN },
	{ "simple password 0 bytes", { PKT(1, 0, 3, BFD_F_AUTH, 3, 27, 1, 2, 1, 1, 0), 1, 3, 1 },
	    27, BFD_ERR_AUTH_LEN },
	{ "md5 auth len 28", { PKT(1, 0, 3, BFD_F_AUTH, 3, 52, 1, 2, 1, 1, 0), 2, 28 }, 52,
	    BFD_ERR_AUTH_LEN },
	{ "sha1 auth len 24", { PKT(1, 0, 3, BFD_F_AUTH, 3, 48, 1, 2, 1, 1, 0), 5, 24 }, 48,
	    BFD_ERR_AUTH_LEN },
	{ "simple 17 bytes", { PKT(1, 0, 3, BFD_F_AUTH, 3, 44, 1, 2, 1, 1, 0), 1, 20 }, 44,
	    BFD_ERR_AUTH_LEN },
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
	assert_int_equal(bfd_session_build(&s, buf, sizeof(buf), 0), 24);
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
	bfd_session_build(&s, buf, sizeof(buf), 0);
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
	bfd_session_build(&s, buf, sizeof(buf), 0);
	bfd_pkt_decode(buf, sizeof(buf), &p);
	assert_int_equal(p.flags, BFD_F_FINAL);
	bfd_session_build(&s, buf, sizeof(buf), 0);
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
	int n = bfd_session_build(l->from, buf, sizeof(buf), 0);
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


/* ------------------------------------------------ authentication (RFC 5880 6.7) */

/*
 * Vectors from Python's hashlib, not from the code under test: the packet
 * below (Up, A bit, mult 3, discriminators 0x11223344/0x55667788, 100 ms),
 * key id 7, sequence number 0x01020304, key "s3cret":
 *	body = mandatory + bytes([type, alen, 7, 0]) + struct.pack('>I', seq)
 *	digest = hashlib.md5|sha1(body + key.ljust(16|20, b'\0')).digest()
 */
#define AUTH_MAND(len) PKT(1, 0, 3, BFD_F_AUTH, 3, len, 0x11223344, 0x55667788, 100000, \
	100000, 0)

struct auth_vec {
	enum bfd_auth_type type;
	const char *key;
	uint8_t pkt[BFD_PKT_MAX];
	size_t len;
};

static const struct auth_vec auth_vecs[] = {
	{ BFD_AUTH_SIMPLE, "s3cret", { AUTH_MAND(33),
	    0x01, 0x09, 0x07, 0x73, 0x33, 0x63, 0x72, 0x65, 0x74 }, 33 },
	{ BFD_AUTH_KEYED_MD5, "s3cret", { AUTH_MAND(48),
	    0x02, 0x18, 0x07, 0x00, 0x01, 0x02, 0x03, 0x04, 0x56, 0xd1, 0x48, 0x26, 0x08, 0x76,
	    0xf3, 0x81, 0x11, 0xf5, 0xb2, 0x42, 0x69, 0xee, 0xa6, 0x1b }, 48 },
	{ BFD_AUTH_MET_KEYED_MD5, "s3cret", { AUTH_MAND(48),
	    0x03, 0x18, 0x07, 0x00, 0x01, 0x02, 0x03, 0x04, 0x35, 0x41, 0x58, 0xd8, 0xa9, 0x65,
	    0x82, 0x35, 0x36, 0x01, 0xef, 0xa9, 0x45, 0x9b, 0x9f, 0x51 }, 48 },
	{ BFD_AUTH_KEYED_SHA1, "s3cret", { AUTH_MAND(52),
	    0x04, 0x1c, 0x07, 0x00, 0x01, 0x02, 0x03, 0x04, 0xae, 0x0c, 0xb0, 0x11, 0x68, 0x89,
	    0xc8, 0x20, 0x6c, 0x5e, 0xdb, 0xd2, 0xf5, 0xae, 0x32, 0xb6, 0xab, 0x48, 0x8c, 0x1a },
	    52 },
	{ BFD_AUTH_MET_KEYED_SHA1, "s3cret", { AUTH_MAND(52),
	    0x05, 0x1c, 0x07, 0x00, 0x01, 0x02, 0x03, 0x04, 0x27, 0x99, 0x8c, 0xa4, 0x66, 0xb3,
	    0xfc, 0x66, 0x37, 0xd2, 0xd5, 0x6a, 0xfc, 0x69, 0x7b, 0x0e, 0x3f, 0xda, 0x06, 0x73 },
	    52 },
	/* Keys of the field's full length: no padding. */
	{ BFD_AUTH_KEYED_MD5, "abcdefghijklmnop", { AUTH_MAND(48),
	    0x02, 0x18, 0x07, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x48, 0xc4, 0x06, 0x82, 0xb0,
	    0x00, 0xb5, 0xa4, 0x23, 0x1a, 0x8d, 0x3d, 0xe9, 0x0f, 0x1b }, 48 },
	{ BFD_AUTH_KEYED_SHA1, "abcdefghijklmnopqrst", { AUTH_MAND(52),
	    0x04, 0x1c, 0x07, 0x00, 0x01, 0x02, 0x03, 0x04, 0x00, 0x4b, 0x1d, 0x4e, 0x12, 0x2d,
	    0x86, 0x32, 0x94, 0xa6, 0x25, 0x53, 0x1a, 0xd9, 0xb7, 0x45, 0xa9, 0x98, 0x72, 0x86 },
	    52 },
};

#define WALL 1767225600		/* 2026-01-01 00:00:00 UTC */

/* A chain of up to four keys, each valid always unless changed. */
struct test_chain {
	struct keychain chain;
	struct keychain_key keys[4];
};

static void
chain_init(struct test_chain *tc, size_t n, const uint32_t *ids, const char *const *secrets)
{
	memset(tc, 0, sizeof(*tc));
	snprintf(tc->chain.name, sizeof(tc->chain.name), "t");
	tc->chain.keys = tc->keys;
	tc->chain.n_keys = n;
	for (size_t i = 0; i < n; i++) {
		tc->keys[i].id = ids[i];
		snprintf(tc->keys[i].secret, sizeof(tc->keys[i].secret), "%s", secrets[i]);
		tc->keys[i].accept.start = tc->keys[i].send.start = 0;
		tc->keys[i].accept.end = tc->keys[i].send.end = KEYCHAIN_INFINITE;
	}
}

static void
test_auth_vectors(void **state)
{
	for (size_t i = 0; i < sizeof(auth_vecs) / sizeof(auth_vecs[0]); i++) {
		const struct auth_vec *v = &auth_vecs[i];
		struct test_chain tc;
		uint32_t id = 7;
		uint8_t buf[BFD_PKT_MAX];
		struct bfd_pkt p;
		int n;

		chain_init(&tc, 1, &id, &v->key);
		/* Signing the mandatory section gives the vector byte for byte. */
		memcpy(buf, v->pkt, BFD_PKT_LEN);
		buf[1] &= (uint8_t)~BFD_F_AUTH;
		buf[3] = BFD_PKT_LEN;
		n = bfd_auth_sign(v->type, &tc.keys[0], 0x01020304, buf, sizeof(buf));
		assert_int_equal(n, (int)v->len);
		assert_memory_equal(buf, v->pkt, v->len);
		/* Too small a buffer is an error, not an overrun. */
		memcpy(buf, v->pkt, BFD_PKT_LEN);
		assert_int_equal(bfd_auth_sign(v->type, &tc.keys[0], 1, buf, v->len - 1),
		    BFD_ERR_BUFFER);

		assert_int_equal(bfd_pkt_decode(v->pkt, v->len, &p), BFD_OK);
		assert_int_equal(p.auth_type, v->type);
		assert_int_equal(p.auth_len, v->len - BFD_PKT_LEN);
		assert_int_equal(p.auth_key_id, 7);
		assert_int_equal(p.auth_seq, v->type == BFD_AUTH_SIMPLE ? 0 : 0x01020304);
		assert_int_equal(bfd_auth_verify(v->type, &tc.chain, WALL, &p, v->pkt), BFD_OK);
	}
	/* Names and their parser agree. */
	for (int t = BFD_AUTH_NONE; t <= BFD_AUTH_MET_KEYED_SHA1; t++) {
		enum bfd_auth_type back;

		assert_int_equal(bfd_auth_type_parse(bfd_auth_type_name(t), &back), 0);
		assert_int_equal(back, t);
	}
	assert_int_equal(bfd_auth_type_parse("sha1", &(enum bfd_auth_type){ 0 }), -1);
}

/* Whether a packet is refused by a session that would take the original. */
static bool
refused(const struct bfd_session *s0, const uint8_t *buf, size_t len,
    const struct test_chain *tc)
{
	struct bfd_session s = *s0;
	struct bfd_pkt p;
	int r;

	(void)tc;
	if (bfd_pkt_decode(buf, len, &p) != BFD_OK)
		return true;
	r = bfd_session_receive(&s, &p, buf, WALL, 10 * MS);
	if (r >= 0)
		return false;
	/* A refused packet changes nothing at all. */
	assert_memory_equal(&s, s0, sizeof(s));
	return true;
}

/* The session of the vectors: local discr 0x55667788, authenticating with tc. */
static void
auth_session(struct bfd_session *s, enum bfd_auth_type type, const struct test_chain *tc)
{
	struct bfd_cfg cfg = { .desired_min_tx = 100 * MS, .required_min_rx = 100 * MS,
	    .detect_mult = 3, .auth = { type, &tc->chain } };

	bfd_session_init(s, &cfg, 0x55667788, 0);
}

static void
test_auth_bitflips(void **state)
{
	for (size_t i = 0; i < sizeof(auth_vecs) / sizeof(auth_vecs[0]); i++) {
		const struct auth_vec *v = &auth_vecs[i];
		struct test_chain tc;
		struct bfd_session s;
		uint32_t id = 7;
		uint8_t buf[BFD_PKT_MAX];
		/* The password protects only itself; digests the whole packet. */
		size_t from = v->type == BFD_AUTH_SIMPLE ? BFD_PKT_LEN : 0;

		chain_init(&tc, 1, &id, &v->key);
		auth_session(&s, v->type, &tc);
		assert_false(refused(&s, v->pkt, v->len, &tc));
		for (size_t bit = from * 8; bit < v->len * 8; bit++) {
			memcpy(buf, v->pkt, v->len);
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			if (!refused(&s, buf, v->len, &tc))
				fail_msg("type %d: flipping bit %zu was accepted", v->type, bit);
		}
		/* The A bit and Length are refused for the password too. */
		memcpy(buf, v->pkt, v->len);
		buf[1] ^= BFD_F_AUTH;
		assert_true(refused(&s, buf, v->len, &tc));
		memcpy(buf, v->pkt, v->len);
		buf[3]--;
		assert_true(refused(&s, buf, v->len, &tc));
		/* Truncated by a byte: refused. */
		assert_true(refused(&s, v->pkt, v->len - 1, &tc));
	}
}

static void
test_auth_refusals(void **state)
{
	const struct auth_vec *sha = &auth_vecs[4];	/* meticulous keyed SHA1 */
	const struct auth_vec *md5 = &auth_vecs[1];	/* keyed MD5 */
	const char *secrets[] = { "s3cret", "other" };
	struct test_chain tc;
	struct bfd_session s;
	struct bfd_pkt p;
	uint32_t ids[2] = { 7, 8 };
	uint8_t plain[] = { PKT(1, 0, 1, 0, 3, 24, 0x11223344, 0x55667788, 100000, 100000, 0) };

	assert_int_equal(bfd_pkt_decode(sha->pkt, sha->len, &p), BFD_OK);

	/* Wrong key id: no key 7 in the chain. */
	ids[0] = 9;
	chain_init(&tc, 1, ids, secrets);
	auth_session(&s, BFD_AUTH_MET_KEYED_SHA1, &tc);
	assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), BFD_ERR_AUTH_KEY);
	/* Key 263 is sent as 263 mod 256 = 7, as RIP does. */
	ids[0] = 263;
	chain_init(&tc, 1, ids, secrets);
	auth_session(&s, BFD_AUTH_MET_KEYED_SHA1, &tc);
	assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), 0);

	/* Wrong secret for key 7. */
	ids[0] = 7;
	chain_init(&tc, 1, ids, &secrets[1]);
	auth_session(&s, BFD_AUTH_MET_KEYED_SHA1, &tc);
	assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), BFD_ERR_AUTH_FAILED);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	assert_int_equal(s.remote_discr, 0);
	/* Two keys with id 7, the right one second: tried too. */
	{
		const char *two[] = { "other", "s3cret" };
		uint32_t same[] = { 7, 7 };

		chain_init(&tc, 2, same, two);
		auth_session(&s, BFD_AUTH_MET_KEYED_SHA1, &tc);
		assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), 0);
	}

	/* The right key outside its accept lifetime: no valid key. */
	chain_init(&tc, 1, ids, secrets);
	tc.keys[0].accept.start = WALL + 1;
	auth_session(&s, BFD_AUTH_MET_KEYED_SHA1, &tc);
	assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), BFD_ERR_AUTH_KEY);
	tc.keys[0].accept.start = 0;
	tc.keys[0].accept.end = WALL - 1;
	assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), BFD_ERR_AUTH_KEY);

	/* Another type than ours; SHA1 where MD5 is configured and back. */
	chain_init(&tc, 1, ids, secrets);
	auth_session(&s, BFD_AUTH_KEYED_SHA1, &tc);
	assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), BFD_ERR_AUTH_TYPE);
	auth_session(&s, BFD_AUTH_MET_KEYED_MD5, &tc);
	assert_int_equal(bfd_pkt_decode(md5->pkt, md5->len, &p), BFD_OK);
	assert_int_equal(bfd_session_receive(&s, &p, md5->pkt, WALL, 0), BFD_ERR_AUTH_TYPE);

	/* 6.8.6: no A bit while authentication is on; an A bit while it is off. */
	auth_session(&s, BFD_AUTH_MET_KEYED_SHA1, &tc);
	assert_int_equal(bfd_pkt_decode(plain, sizeof(plain), &p), BFD_OK);
	assert_int_equal(bfd_session_receive(&s, &p, plain, WALL, 0), BFD_ERR_AUTH_MISSING);
	assert_int_equal(bfd_session_input(&s, &p, 0), BFD_ERR_AUTH_MISSING);
	assert_int_equal(s.state, BFD_STATE_DOWN);
	auth_session(&s, BFD_AUTH_NONE, &tc);
	assert_int_equal(bfd_pkt_decode(sha->pkt, sha->len, &p), BFD_OK);
	assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), BFD_ERR_AUTH);
	/* Without the packet's bytes an authenticated packet cannot be judged. */
	auth_session(&s, BFD_AUTH_MET_KEYED_SHA1, &tc);
	assert_int_equal(bfd_session_input(&s, &p, 0), BFD_ERR_AUTH_FAILED);
	/* No chain at all (a name the manager does not have): nothing accepted. */
	{
		struct bfd_cfg cfg = { .desired_min_tx = 100 * MS, .required_min_rx = 100 * MS,
		    .detect_mult = 3, .auth = { BFD_AUTH_MET_KEYED_SHA1, NULL } };
		uint8_t buf[BFD_PKT_MAX];

		bfd_session_init(&s, &cfg, 0x55667788, 0);
		assert_int_equal(bfd_session_receive(&s, &p, sha->pkt, WALL, 0), BFD_ERR_AUTH_KEY);
		assert_int_equal(bfd_session_build(&s, buf, sizeof(buf), WALL), BFD_ERR_NO_KEY);
	}
	for (int e = BFD_ERR_AUTH_LEN; e >= BFD_ERR_NO_KEY; e--)
		assert_string_not_equal(bfd_err_str(e), "unknown error");
}

/* Packet n of a peer: Up, your discr ours, sequence number seq, signed. */
static size_t
peer_pkt(enum bfd_auth_type type, const struct keychain_key *key, uint32_t seq, uint8_t mult,
    uint8_t *buf)
{
	struct bfd_pkt p = { .version = 1, .state = BFD_STATE_INIT, .detect_mult = mult,
	    .my_discr = 0x11223344, .your_discr = 0x55667788, .desired_min_tx = 100000,
	    .required_min_rx = 100000 };
	int n;

	assert_int_equal(bfd_pkt_encode(&p, buf, BFD_PKT_MAX), BFD_PKT_LEN);
	n = bfd_auth_sign(type, key, seq, buf, BFD_PKT_MAX);
	assert_true(n > 0);
	return (size_t)n;
}

static int
rx_seq(struct bfd_session *s, const struct test_chain *tc, uint32_t seq, uint8_t mult,
    rtime_t now)
{
	uint8_t buf[BFD_PKT_MAX];
	struct bfd_pkt p;
	size_t n = peer_pkt(s->auth.type, &tc->keys[0], seq, mult, buf);

	assert_int_equal(bfd_pkt_decode(buf, n, &p), BFD_OK);
	return bfd_session_receive(s, &p, buf, WALL, now);
}

/* RFC 5880 6.7.3, 6.7.4: the replay window. */
static void
test_auth_seq(void **state)
{
	const char *secret = "s3cret";
	uint32_t id = 7;
	struct test_chain tc;
	struct bfd_session s;
	rtime_t t = 0;

	chain_init(&tc, 1, &id, &secret);

	/* Meticulous: strictly greater, at most 3 x Detect Mult (3) ahead. */
	auth_session(&s, BFD_AUTH_MET_KEYED_SHA1, &tc);
	assert_true(rx_seq(&s, &tc, 1000, 3, t += MS) >= 0);	/* first: taken as is */
	assert_true(s.auth_seq_known);
	assert_int_equal(rx_seq(&s, &tc, 1000, 3, t += MS), BFD_ERR_AUTH_SEQ);	/* replay */
	assert_int_equal(rx_seq(&s, &tc, 999, 3, t += MS), BFD_ERR_AUTH_SEQ);	/* older */
	assert_true(rx_seq(&s, &tc, 1001, 3, t += MS) >= 0);
	assert_true(rx_seq(&s, &tc, 1010, 3, t += MS) >= 0);	/* + 9: the edge */
	assert_int_equal(rx_seq(&s, &tc, 1020, 3, t += MS), BFD_ERR_AUTH_SEQ);	/* + 10 */
	assert_int_equal(rx_seq(&s, &tc, 1010 - 0x80000000u, 3, t += MS), BFD_ERR_AUTH_SEQ);
	assert_int_equal(s.rcv_auth_seq, 1010);
	/* 32-bit circular space. */
	auth_session(&s, BFD_AUTH_MET_KEYED_MD5, &tc);
	assert_true(rx_seq(&s, &tc, 0xfffffffeu, 3, t += MS) >= 0);
	assert_true(rx_seq(&s, &tc, 2, 3, t += MS) >= 0);
	assert_int_equal(rx_seq(&s, &tc, 0xffffffffu, 3, t += MS), BFD_ERR_AUTH_SEQ);

	/* Keyed: the same number again is fine, older is not. */
	auth_session(&s, BFD_AUTH_KEYED_SHA1, &tc);
	assert_true(rx_seq(&s, &tc, 50, 3, t += MS) >= 0);
	assert_true(rx_seq(&s, &tc, 50, 3, t += MS) >= 0);
	assert_int_equal(rx_seq(&s, &tc, 49, 3, t += MS), BFD_ERR_AUTH_SEQ);
	assert_true(rx_seq(&s, &tc, 59, 3, t += MS) >= 0);
	assert_int_equal(rx_seq(&s, &tc, 69, 3, t += MS), BFD_ERR_AUTH_SEQ);
	/* The window is the packet's Detect Mult x 3: 10 -> 30 ahead. */
	assert_true(rx_seq(&s, &tc, 89, 10, t += MS) >= 0);

	/*
	 * 6.8.1: after two detection times without a packet the number is
	 * forgotten, so a restarted peer (a new random start) is taken again.
	 */
	assert_int_equal(s.detect_time, 10 * 100 * MS);
	assert_int_equal(rx_seq(&s, &tc, 5000, 10, t + 2 * s.detect_time - 1), BFD_ERR_AUTH_SEQ);
	assert_true(rx_seq(&s, &tc, 5000, 10, t + 2 * s.detect_time) >= 0);
	assert_int_equal(s.rcv_auth_seq, 5000);
	/* A failed packet refreshes nothing: the clock runs from the last good one. */
	t += 2 * s.detect_time;
	assert_int_equal(rx_seq(&s, &tc, 4000, 10, t + s.detect_time), BFD_ERR_AUTH_SEQ);
	assert_true(rx_seq(&s, &tc, 4000, 10, t + 2 * s.detect_time) >= 0);
}

/* Our sequence number: random start (6.8.1), one more every packet. */
static uint32_t
fixed_rnd(void *arg)
{
	return *(uint32_t *)arg;
}

static void
test_auth_xmit(void **state)
{
	const char *secrets[] = { "old-key", "new-key" };
	uint32_t ids[] = { 1, 2 }, r = 0xfffffffeu;
	struct test_chain tc;
	struct bfd_session s;
	struct bfd_cfg cfg = { .desired_min_tx = 100 * MS, .required_min_rx = 100 * MS,
	    .detect_mult = 3, .rnd = fixed_rnd, .rnd_arg = &r };
	uint8_t buf[BFD_PKT_MAX];
	struct bfd_pkt p;

	chain_init(&tc, 2, ids, secrets);
	/* Key 2 may send from WALL on: before, key 1 signs; after, key 2. */
	tc.keys[1].send.start = WALL;
	cfg.auth = (struct bfd_auth_cfg){ BFD_AUTH_MET_KEYED_MD5, &tc.chain };
	bfd_session_init(&s, &cfg, 0x1234, 0);
	assert_int_equal(s.xmit_auth_seq, 0xfffffffeu);
	for (uint32_t i = 0; i < 4; i++) {
		int n = bfd_session_build(&s, buf, sizeof(buf), i < 2 ? WALL - 1 : WALL);

		assert_int_equal(n, BFD_PKT_LEN + BFD_AUTH_MD5_LEN);
		assert_int_equal(bfd_pkt_decode(buf, (size_t)n, &p), BFD_OK);
		assert_int_equal(p.auth_type, BFD_AUTH_MET_KEYED_MD5);
		assert_int_equal(p.auth_seq, 0xfffffffeu + i);
		assert_int_equal(p.auth_key_id, i < 2 ? 1 : 2);
		assert_int_equal(bfd_auth_verify(BFD_AUTH_MET_KEYED_MD5, &tc.chain, WALL, &p, buf),
		    BFD_OK);
	}
	/* No key may send: nothing is built, the number does not move. */
	tc.keys[0].send.end = tc.keys[1].send.end = WALL;
	assert_int_equal(bfd_session_build(&s, buf, sizeof(buf), WALL + 1), BFD_ERR_NO_KEY);
	assert_int_equal(s.xmit_auth_seq, 2);
	/* A key too long for the type never signs (the config refuses it). */
	tc.keys[0].send.end = tc.keys[1].send.end = KEYCHAIN_INFINITE;
	snprintf(tc.keys[1].secret, sizeof(tc.keys[1].secret), "%s", "0123456789abcdefX");
	assert_int_equal(bfd_session_build(&s, buf, sizeof(buf), WALL), BFD_ERR_NO_KEY);
	/* Switching authentication off sends plain packets again. */
	bfd_session_set_auth(&s, &(struct bfd_auth_cfg){ BFD_AUTH_NONE, NULL });
	assert_int_equal(bfd_session_build(&s, buf, sizeof(buf), WALL), BFD_PKT_LEN);
}

/* Two authenticating sessions over a fake wire, with a spoofer beside them. */
static int
pump_auth(struct bfd_session *from, struct bfd_session *to, rtime_t now, bool deliver)
{
	uint8_t buf[BFD_PKT_MAX];
	struct bfd_pkt p;
	int n;

	if (!(bfd_session_timer(from, now) & BFD_SEND))
		return 0;
	n = bfd_session_build(from, buf, sizeof(buf), WALL);
	assert_true(n > 0);
	if (!deliver)
		return 0;
	assert_int_equal(bfd_pkt_decode(buf, (size_t)n, &p), BFD_OK);
	return bfd_session_receive(to, &p, buf, WALL, now);
}

static void
test_auth_two_sessions(void **state)
{
	const char *right = "s3cret", *wrong = "s3cres";
	uint32_t id = 1;
	struct test_chain ka, kb;
	struct bfd_session a, b;
	struct bfd_cfg cfg = { .desired_min_tx = 100 * MS, .required_min_rx = 100 * MS,
	    .detect_mult = 3 };
	rtime_t now;
	int drops = 0;

	for (int type = BFD_AUTH_SIMPLE; type <= BFD_AUTH_MET_KEYED_SHA1; type++) {
		chain_init(&ka, 1, &id, &right);
		chain_init(&kb, 1, &id, &right);
		cfg.auth = (struct bfd_auth_cfg){ type, &ka.chain };
		bfd_session_init(&a, &cfg, 0xa, 0);
		cfg.auth.chain = &kb.chain;
		bfd_session_init(&b, &cfg, 0xb, 3 * MS);
		for (now = 0; now < 3 * RTIME_SEC; now += MS) {
			assert_true(pump_auth(&a, &b, now, true) >= 0);
			assert_true(pump_auth(&b, &a, now, true) >= 0);
		}
		assert_int_equal(a.state, BFD_STATE_UP);
		assert_int_equal(b.state, BFD_STATE_UP);

		/*
		 * A spoofed Down with the right discriminators and no
		 * authentication, then with a forged one: a stays Up, and
		 * keeps its detection deadline.
		 */
		{
			struct bfd_pkt p = { .version = 1, .state = BFD_STATE_DOWN,
			    .diag = BFD_DIAG_ADMIN_DOWN, .detect_mult = 3, .my_discr = 0xb,
			    .your_discr = 0xa, .desired_min_tx = 1000000,
			    .required_min_rx = 1000000 };
			struct keychain_key forged = { .id = 1 };
			uint8_t buf[BFD_PKT_MAX];
			rtime_t dl = a.detect_deadline;
			int n;

			snprintf(forged.secret, sizeof(forged.secret), "%s", wrong);
			assert_int_equal(bfd_pkt_encode(&p, buf, sizeof(buf)), BFD_PKT_LEN);
			assert_int_equal(bfd_pkt_decode(buf, BFD_PKT_LEN, &p), BFD_OK);
			assert_int_equal(bfd_session_receive(&a, &p, buf, WALL, now),
			    BFD_ERR_AUTH_MISSING);
			n = bfd_auth_sign(type, &forged, b.xmit_auth_seq, buf, sizeof(buf));
			assert_int_equal(bfd_pkt_decode(buf, (size_t)n, &p), BFD_OK);
			assert_int_equal(bfd_session_receive(&a, &p, buf, WALL, now),
			    BFD_ERR_AUTH_FAILED);
			assert_int_equal(a.state, BFD_STATE_UP);
			assert_int_equal(a.detect_deadline, dl);
		}

		/* b's key changes under it: a drops all of b's packets, goes Down, stays. */
		snprintf(kb.keys[0].secret, sizeof(kb.keys[0].secret), "%s", wrong);
		for (; now < 8 * RTIME_SEC; now += MS) {
			if (pump_auth(&b, &a, now, true) < 0)
				drops++;
			/* a's packets fail at b as well */
			(void)pump_auth(&a, &b, now, true);
			assert_true(a.state != BFD_STATE_UP || now < 6 * RTIME_SEC);
			if (now > 4 * RTIME_SEC)
				assert_true(b.state != BFD_STATE_UP);
		}
		assert_int_equal(a.state, BFD_STATE_DOWN);
		assert_int_equal(a.local_diag, BFD_DIAG_TIME_EXPIRED);
		assert_int_equal(b.state, BFD_STATE_DOWN);
		/* The right key again: up within a few seconds. */
		snprintf(kb.keys[0].secret, sizeof(kb.keys[0].secret), "%s", right);
		for (; now < 12 * RTIME_SEC; now += MS) {
			assert_true(pump_auth(&a, &b, now, true) >= 0);
			assert_true(pump_auth(&b, &a, now, true) >= 0);
		}
		assert_int_equal(a.state, BFD_STATE_UP);
		assert_int_equal(b.state, BFD_STATE_UP);
	}
	assert_true(drops > 0);
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
		cmocka_unit_test(test_auth_vectors),
		cmocka_unit_test(test_auth_bitflips),
		cmocka_unit_test(test_auth_refusals),
		cmocka_unit_test(test_auth_seq),
		cmocka_unit_test(test_auth_xmit),
		cmocka_unit_test(test_auth_two_sessions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
