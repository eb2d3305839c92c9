/*
 * fuzz_bfd.c - libFuzzer target for the BFD codec and session core
 * (src/bfd/packet.c, src/bfd/session.c; RFC 5880).
 *
 * Four properties.  (1) The whole input is decoded; a packet that passes
 * is encoded again and decoded again, and any field that differs is a bug
 * (abort()); one with an authentication section is verified against a
 * fixed key chain, and one that verifies must be exactly what signing its
 * mandatory section with that key gives (auth.c, RFC 5880 6.7).  (2) The
 * input is also read as a conversation: records of one time-step byte
 * followed by a 24-byte packet are fed to one session on a fake clock, so
 * the fuzzer drives the state machine through timeouts, polls and admin
 * changes.  (3) Whatever the session builds must itself pass the decoder:
 * we never send a packet a peer would have to drop.  (4) The same input as
 * a conversation of an authenticating session (the type from the first
 * byte): records of a step byte, a length byte and that many bytes, or,
 * with bit 0x40 of the step, a packet signed by a well-keyed peer session
 * (so the fuzzer reaches Up and the replay window), whose bytes the record
 * may then damage; what the session sends must verify with the peer's keys.
 * No allocation, so nothing can leak.  tests/fuzz/replay.c runs the stored
 * corpus through this in the ordinary test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bfd/auth.h"
#include "bfd/packet.h"
#include "bfd/session.h"
#include "lib/keychain.h"

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
	/* The encoder leaves the A bit to bfd_auth_sign(). */
	check(q.version == p->version && q.diag == p->diag && q.state == p->state &&
	    q.flags == (p->flags & ~BFD_F_AUTH) && q.detect_mult == p->detect_mult &&
	    q.length == BFD_PKT_LEN && q.my_discr == p->my_discr &&
	    q.your_discr == p->your_discr && q.desired_min_tx == p->desired_min_tx &&
	    q.required_min_rx == p->required_min_rx &&
	    q.required_min_echo_rx == p->required_min_echo_rx);
}

/*
 * The fixed key chain, sorted by id as the parser keeps it: key 1, key 7
 * (valid until 1000 s after the epoch; at FUZZ_WALL it is the one that
 * sends), key 20 (the longest SHA1 takes; MD5 and simple cannot use it),
 * key 263 (sent as 7, so id 7 has two candidates).  The corpus signs with
 * these.
 */
static struct keychain_key fuzz_keys[] = {
	{ .id = 1, .secret = "fuzz-key", .accept = { 0, KEYCHAIN_INFINITE },
	  .send = { 0, KEYCHAIN_INFINITE } },
	{ .id = 7, .secret = "seven", .accept = { 0, 1000 }, .send = { 0, 1000 } },
	{ .id = 20, .secret = "01234567890123456789", .accept = { 0, KEYCHAIN_INFINITE },
	  .send = { 0, 0 } },
	{ .id = 263, .secret = "0123456789abcdef", .accept = { 0, KEYCHAIN_INFINITE },
	  .send = { 0, 0 } },
};
static const struct keychain fuzz_chain = {
	.name = "fuzz", .keys = fuzz_keys, .n_keys = sizeof(fuzz_keys) / sizeof(fuzz_keys[0]),
};
#define FUZZ_WALL 500

/* (1): an authenticated packet that verifies is its own signature. */
static void
check_auth(const uint8_t *data, const struct bfd_pkt *p)
{
	uint8_t buf[BFD_PKT_MAX];
	struct bfd_pkt q = *p;

	for (int t = BFD_AUTH_NONE; t <= BFD_AUTH_MET_KEYED_SHA1; t++) {
		int r = bfd_auth_verify(t, &fuzz_chain, FUZZ_WALL, p, data);

		check(r <= 0 && r > -BFD_ERR_COUNT);
		if (r != BFD_OK || t == BFD_AUTH_NONE)
			continue;
		check(p->auth_type == t && (p->flags & BFD_F_AUTH));
		/* Reserved is digested but ours is always zero: nothing to compare. */
		if (t != BFD_AUTH_SIMPLE && data[BFD_PKT_LEN + 3] != 0)
			continue;
		/* Which key matched is not told; one of those with the id signs alike. */
		for (size_t k = 0; k < fuzz_chain.n_keys; k++) {
			const struct keychain_key *key = &fuzz_keys[k];
			int n;

			if ((key->id & 0xff) != p->auth_key_id)
				continue;
			q.flags &= (uint8_t)~BFD_F_AUTH;
			check(bfd_pkt_encode(&q, buf, sizeof(buf)) == BFD_PKT_LEN);
			n = bfd_auth_sign(t, key, p->auth_seq, buf, sizeof(buf));
			if (n == p->length && memcmp(buf, data, (size_t)n) == 0)
				return;
		}
		abort();
	}
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

/* (4): an authenticating session `s` and its well-keyed peer. */
static void
auth_conversation(const uint8_t *data, size_t size)
{
	struct bfd_session s, peer;
	uint32_t seed = 7, pseed = 11;
	enum bfd_auth_type type = (enum bfd_auth_type)(data[0] % 5 + 1);
	struct bfd_cfg cfg = {
		.desired_min_tx = 50000, .required_min_rx = 50000, .detect_mult = 3,
		.auth = { type, &fuzz_chain }, .rnd = fuzz_rnd, .rnd_arg = &seed,
	};
	rtime_t now = 0;
	size_t off = 1;

	bfd_session_init(&s, &cfg, FUZZ_DISCR, now);
	cfg.rnd_arg = &pseed;
	bfd_session_init(&peer, &cfg, FUZZ_DISCR + 1, now);
	while (off + 2 <= size) {
		uint8_t step = data[off], len = data[off + 1];
		uint8_t buf[BFD_PKT_MAX + 8], out[BFD_PKT_MAX];
		struct bfd_pkt p;
		size_t n;
		int r;

		off += 2;
		now += (rtime_t)(step & 0x3f) * 10 * RTIME_MS;
		if (bfd_session_timer(&s, now) & BFD_SEND) {
			int m = bfd_session_build(&s, out, sizeof(out), FUZZ_WALL);

			/* Key 7 may send at FUZZ_WALL: never unsigned, always verifies. */
			check(m > BFD_PKT_LEN);
			check(bfd_pkt_decode(out, (size_t)m, &p) == BFD_OK);
			check(bfd_auth_verify(type, &fuzz_chain, FUZZ_WALL, &p, out) == BFD_OK);
			(void)bfd_session_receive(&peer, &p, out, FUZZ_WALL, now);
		}
		(void)bfd_session_timer(&peer, now);
		if (step & 0x40) {
			/* The peer's next packet, with the record's bytes XORed in. */
			int m = bfd_session_build(&peer, buf, BFD_PKT_MAX, FUZZ_WALL);

			check(m > BFD_PKT_LEN);
			n = (size_t)m;
			for (size_t i = 0; i < len && off + i < size; i++)
				buf[i % n] ^= data[off + i];
		} else {
			n = len < sizeof(buf) ? len : sizeof(buf);
			if (off + n > size)
				n = size - off;
			memcpy(buf, data + off, n);
		}
		off += len;
		if (bfd_pkt_decode(buf, n, &p) != BFD_OK)
			continue;
		r = bfd_session_receive(&s, &p, buf, FUZZ_WALL, now);
		check(r == 0 || r == 1 || (r < 0 && r > -BFD_ERR_COUNT));
		check(s.state <= BFD_STATE_UP);
	}
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

	if (bfd_pkt_decode(data, size, &p) == BFD_OK) {
		roundtrip(&p);
		if (p.flags & BFD_F_AUTH)
			check_auth(data, &p);
	}

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
		/* Unauthenticated session: an A bit is refused (RFC 5880 6.8.6). */
		check(r == 0 || r == 1 || r == BFD_ERR_DISCR_MISMATCH || r == BFD_ERR_AUTH);
		check(s.state <= BFD_STATE_UP);
		check(bfd_session_next_deadline(&s) >= now ||
		    bfd_session_next_deadline(&s) == s.tx_deadline);
		check_built(&s);
	}
	if (size > 0)
		auth_conversation(data, size);
	return 0;
}
