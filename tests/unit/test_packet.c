/*
 * test_packet.c - unit tests for the RIPv2 codec (src/rip/packet.c).
 *
 * The vectors are byte arrays written out field by field with the macros
 * below, never produced by the encoder under test, so decode is checked
 * against RFC 2453 3.6 / 4.1 and RFC 4822 2 layouts, not against itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rip/packet.h"

#define B16(v) (uint8_t)(((v) >> 8) & 0xff), (uint8_t)((v) & 0xff)
#define B32(v) (uint8_t)(((uint32_t)(v) >> 24) & 0xff), \
	(uint8_t)(((uint32_t)(v) >> 16) & 0xff), \
	(uint8_t)(((uint32_t)(v) >> 8) & 0xff), (uint8_t)((uint32_t)(v) & 0xff)
#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	((uint32_t)(c) << 8) | (uint32_t)(d))

/* RFC 2453 3.6 header and entry. */
#define HDR(cmd, ver, mbz) (cmd), (ver), B16(mbz)
#define RTE(afi, tag, addr, mask, nh, metric) \
	B16(afi), B16(tag), B32(addr), B32(mask), B32(nh), B32(metric)
#define RTE_10 RTE(2, 0, IP(10, 0, 0, 0), IP(255, 0, 0, 0), 0, 1)
#define RTE_192 RTE(2, 7, IP(192, 0, 2, 0), IP(255, 255, 255, 0), IP(192, 0, 2, 1), 3)
#define RTE_WHOLE RTE(0, 0, 0, 0, 0, 16)

/* RFC 2453 4.1 simple password: 0xFFFF, type 2, 16 bytes. */
#define AUTH_SIMPLE B16(0xffff), B16(2), \
	's', 'e', 'c', 'r', 'e', 't', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
/* RFC 4822 2: 0xFFFF, type 3, trailer offset, key id, data len, seqno, 8 reserved. */
#define AUTH_KEYED(off, kid, alen, seq) B16(0xffff), B16(3), B16(off), (kid), \
	(alen), B32(seq), B32(0), B32(0)
#define TRAILER B16(0xffff), B16(1)
#define D4 0xd0, 0xd1, 0xd2, 0xd3
#define D16 D4, D4, D4, D4
#define D20 D16, D4

/* A byte array and its length, for the tables. */
#define BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

struct pkt_vec {
	const char *name;
	int err;
	uint8_t command;
	uint8_t version;
	size_t nrte;
	uint16_t auth_type; /* 0: no auth entry */
	const uint8_t *buf;
	size_t len;
};

static const struct pkt_vec pkt_vecs[] = {
	/* Well-formed packets. */
	{ "response 1 rte", RIP_PKT_OK, 2, 2, 1, 0, BYTES(HDR(2, 2, 0), RTE_10) },
	{ "response 2 rte", RIP_PKT_OK, 2, 2, 2, 0, BYTES(HDR(2, 2, 0), RTE_10, RTE_192) },
	{ "whole-table request", RIP_PKT_OK, 1, 2, 1, 0, BYTES(HDR(1, 2, 0), RTE_WHOLE) },
	{ "single-entry request", RIP_PKT_OK, 1, 2, 1, 0, BYTES(HDR(1, 2, 0), RTE_10) },
	{ "header only", RIP_PKT_OK, 2, 2, 0, 0, BYTES(HDR(2, 2, 0)) },
	{ "v1 response", RIP_PKT_OK, 2, 1, 1, 0, BYTES(HDR(2, 1, 0), RTE_10) },
	{ "v2 mbz set is ignored", RIP_PKT_OK, 2, 2, 1, 0, BYTES(HDR(2, 2, 0xbeef), RTE_10) },
	{ "v3 handled as v2", RIP_PKT_OK, 2, 3, 1, 0, BYTES(HDR(2, 3, 1), RTE_10) },
	{ "v255 handled as v2", RIP_PKT_OK, 2, 255, 1, 0, BYTES(HDR(2, 255, 0xffff), RTE_10) },

	/* Header errors, in the order they are checked. */
	{ "command 0", RIP_PKT_BAD_COMMAND, 0, 0, 0, 0, BYTES(HDR(0, 2, 0), RTE_10) },
	{ "command 3", RIP_PKT_BAD_COMMAND, 0, 0, 0, 0, BYTES(HDR(3, 2, 0), RTE_10) },
	{ "command 255", RIP_PKT_BAD_COMMAND, 0, 0, 0, 0, BYTES(HDR(255, 2, 0), RTE_10) },
	{ "command before version", RIP_PKT_BAD_COMMAND, 0, 0, 0, 0, BYTES(HDR(9, 0, 0)) },
	{ "command before length", RIP_PKT_BAD_COMMAND, 0, 0, 0, 0, BYTES(HDR(0, 2, 0), 1) },
	{ "version 0", RIP_PKT_BAD_VERSION, 0, 0, 0, 0, BYTES(HDR(2, 0, 0), RTE_10) },
	{ "v1 mbz set", RIP_PKT_BAD_MBZ, 0, 0, 0, 0, BYTES(HDR(2, 1, 1), RTE_10) },
	{ "v1 mbz 0x8000", RIP_PKT_BAD_MBZ, 0, 0, 0, 0, BYTES(HDR(1, 1, 0x8000)) },

	/* Framing: RFC 2453 3.6, header + n * 20. */
	{ "body 1", RIP_PKT_BAD_LENGTH, 0, 0, 0, 0, BYTES(HDR(2, 2, 0), 2) },
	{ "body 19", RIP_PKT_BAD_LENGTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), B16(2), B16(0), B32(0), B32(0), B32(0), 0, 0, 0) },
	{ "body 21", RIP_PKT_BAD_LENGTH, 0, 0, 0, 0, BYTES(HDR(2, 2, 0), RTE_10, 0) },
	{ "body 39", RIP_PKT_BAD_LENGTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), RTE_10, B16(2), B16(0), B32(0), B32(0), B32(0), 0, 0, 1) },
	{ "body 19 starting 0xffff", RIP_PKT_BAD_LENGTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), B16(0xffff), B16(2), B32(0), B32(0), B32(0), 0, 0, 0) },

	/* RFC 2453 4.1 simple password. */
	{ "simple auth first", RIP_PKT_OK, 2, 2, 1, 2, BYTES(HDR(2, 2, 0), AUTH_SIMPLE, RTE_10) },
	{ "simple auth only", RIP_PKT_OK, 2, 2, 0, 2, BYTES(HDR(2, 2, 0), AUTH_SIMPLE) },
	{ "simple auth + whole-table request", RIP_PKT_OK, 1, 2, 1, 2,
	    BYTES(HDR(1, 2, 0), AUTH_SIMPLE, RTE_WHOLE) },
	{ "simple auth second", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), RTE_10, AUTH_SIMPLE) },
	{ "simple auth last of 3", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), RTE_10, RTE_192, AUTH_SIMPLE) },
	{ "simple auth twice", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_SIMPLE, AUTH_SIMPLE) },
	{ "simple auth, body 20+21", RIP_PKT_BAD_LENGTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_SIMPLE, RTE_10, 0) },
	{ "auth type 1", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), B16(0xffff), B16(1), B32(0), B32(0), B32(0), B32(0), RTE_10) },
	{ "auth type 0", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), B16(0xffff), B16(0), B32(0), B32(0), B32(0), B32(0)) },

	/* RFC 4822 2 keyed: trailer at pkt_len = 4 + 20 + 20. */
	{ "keyed auth_len 16", RIP_PKT_OK, 2, 2, 1, 3,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10, TRAILER, D16) },
	{ "keyed auth_len 20, 20 bytes (RFC 4822 HMAC-SHA1)", RIP_PKT_OK, 2, 2, 1, 3,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 20, 7), RTE_10, TRAILER, D20) },
	{ "keyed auth_len 20, 16 bytes (FRR/Quagga/BIRD MD5)", RIP_PKT_OK, 2, 2, 1, 3,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 20, 7), RTE_10, TRAILER, D16) },
	{ "keyed auth_len 32 (RFC 4822 HMAC-SHA-256)", RIP_PKT_OK, 2, 2, 1, 3,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 32, 7), RTE_10, TRAILER, D16, D16) },
	{ "keyed auth_len 48 (RFC 4822 HMAC-SHA-384)", RIP_PKT_OK, 2, 2, 1, 3,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 48, 7), RTE_10, TRAILER, D16, D16, D16) },
	{ "keyed auth_len 64 (RFC 4822 HMAC-SHA-512)", RIP_PKT_OK, 2, 2, 1, 3,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 64, 7), RTE_10, TRAILER, D16, D16, D16, D16) },
	{ "keyed auth_len 32, 16 bytes", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 32, 7), RTE_10, TRAILER, D16) },
	{ "keyed auth_len 24 (no such digest)", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 24, 7), RTE_10, TRAILER, D20, D4) },
	{ "keyed 2 rte", RIP_PKT_OK, 2, 2, 2, 3,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(64, 9, 16, 1), RTE_10, RTE_192, TRAILER, D16) },
	{ "keyed no rte", RIP_PKT_OK, 2, 2, 0, 3,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(24, 1, 16, 7), TRAILER, D16) },
	{ "keyed whole-table request", RIP_PKT_OK, 1, 2, 1, 3,
	    BYTES(HDR(1, 2, 0), AUTH_KEYED(44, 1, 16, 0), RTE_WHOLE, TRAILER, D16) },
	{ "keyed reserved set is ignored", RIP_PKT_OK, 2, 2, 1, 3,
	    BYTES(HDR(2, 2, 0), B16(0xffff), B16(3), B16(44), 1, 16, B32(7), B32(1), B32(2),
	    RTE_10, TRAILER, D16) },
	{ "keyed trailer missing", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10) },
	{ "keyed trailer header only", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10, TRAILER) },
	{ "keyed trailer truncated 2", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10, 0xff) },
	{ "keyed trailer data short by 1", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10, TRAILER, D4, D4, D4, 1, 2, 3) },
	{ "keyed auth_len 20 data 19", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 20, 7), RTE_10, TRAILER, D16, 1, 2, 3) },
	{ "keyed auth_len 16 data 20", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10, TRAILER, D20) },
	{ "keyed trailing garbage", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10, TRAILER, D16, 0) },
	{ "keyed trailer type 2", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10, B16(0xffff), B16(2), D16) },
	{ "keyed trailer afi 0", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 16, 7), RTE_10, B16(0), B16(1), D16) },
	{ "keyed pkt_len past end", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(84, 1, 16, 7), RTE_10, TRAILER, D16) },
	{ "keyed pkt_len = len", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(64, 1, 16, 7), RTE_10, TRAILER, D16) },
	{ "keyed pkt_len 0xffff", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(0xffff, 1, 16, 7), RTE_10, TRAILER, D16) },
	{ "keyed pkt_len not 4+20n", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(45, 1, 16, 7), RTE_10, 0, TRAILER, D16) },
	{ "keyed pkt_len inside auth entry", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(4, 1, 16, 7), RTE_10, TRAILER, D16) },
	{ "keyed pkt_len 0", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(0, 1, 16, 7), RTE_10, TRAILER, D16) },
	{ "keyed auth_len 12", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 12, 7), RTE_10, TRAILER, D4, D4, D4) },
	{ "keyed auth_len 0", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 1, 0, 7), RTE_10, TRAILER) },
	{ "keyed auth entry among rtes", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(64, 1, 16, 7), RTE_10, AUTH_SIMPLE, TRAILER, D16) },
	{ "keyed second", RIP_PKT_BAD_AUTH, 0, 0, 0, 0,
	    BYTES(HDR(2, 2, 0), RTE_10, AUTH_KEYED(44, 1, 16, 7), TRAILER, D16) },
};

static void
test_decode_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(pkt_vecs) / sizeof(pkt_vecs[0]); i++) {
		const struct pkt_vec *v = &pkt_vecs[i];
		struct rip_packet pkt;
		int err = rip_packet_decode(v->buf, v->len, &pkt);

		if (err != v->err)
			fail_msg("%s: got %d (%s), want %d (%s)", v->name, err,
			    rip_pkt_err_str(err), v->err, rip_pkt_err_str(v->err));
		if (err != RIP_PKT_OK) {
			/* A failed decode hands out no entries. */
			if (pkt.rtes != NULL || pkt.nrte != 0)
				fail_msg("%s: entries left after an error", v->name);
			continue;
		}
		if (pkt.command != v->command || pkt.version != v->version)
			fail_msg("%s: command %u version %u", v->name, pkt.command, pkt.version);
		if (pkt.nrte != v->nrte)
			fail_msg("%s: nrte %zu, want %zu", v->name, pkt.nrte, v->nrte);
		if (pkt.has_auth != (v->auth_type != 0) ||
		    (pkt.has_auth && pkt.auth.type != v->auth_type))
			fail_msg("%s: auth %d type %u", v->name, pkt.has_auth, pkt.auth.type);
		/* The entries lie inside the buffer. */
		assert_true(pkt.rtes >= v->buf);
		assert_true(pkt.rtes + pkt.nrte * RIP_RTE_LEN <= v->buf + v->len);
	}
}

static void
test_truncated_header(void **state)
{
	static const uint8_t hdr[] = { HDR(2, 2, 0) };
	struct rip_packet pkt;

	(void)state;
	for (size_t len = 0; len < RIP_HDR_LEN; len++)
		assert_int_equal(rip_packet_decode(hdr, len, &pkt), RIP_PKT_SHORT);
	assert_int_equal(rip_packet_decode(NULL, 0, &pkt), RIP_PKT_SHORT);
	assert_int_equal(rip_packet_decode(hdr, RIP_HDR_LEN, &pkt), RIP_PKT_OK);
	assert_int_equal(pkt.nrte, 0);
}

static void
test_response_1rte_fields(void **state)
{
	static const uint8_t buf[] = { HDR(2, 2, 0), RTE_192 };
	struct rip_packet pkt;
	struct rip_rte rte;

	(void)state;
	assert_int_equal(rip_packet_decode(buf, sizeof(buf), &pkt), RIP_PKT_OK);
	assert_ptr_equal(pkt.rtes, buf + RIP_HDR_LEN);
	rip_packet_rte(&pkt, 0, &rte);
	assert_int_equal(rte.afi, 2);
	assert_int_equal(rte.tag, 7);
	assert_int_equal(rte.addr, IP(192, 0, 2, 0));
	assert_int_equal(rte.mask, IP(255, 255, 255, 0));
	assert_int_equal(rte.nexthop, IP(192, 0, 2, 1));
	assert_int_equal(rte.metric, 3);

	/* Past the last entry: zeros, no read. */
	memset(&rte, 0xaa, sizeof(rte));
	rip_packet_rte(&pkt, 1, &rte);
	assert_int_equal(rte.afi, 0);
	assert_int_equal(rte.addr, 0);
	assert_int_equal(rte.metric, 0);
	rip_packet_rte(&pkt, SIZE_MAX, &rte);
	assert_int_equal(rte.metric, 0);
}

/* Write n distinct entries by hand (not with the encoder under test). */
static size_t
build_response(uint8_t *buf, size_t n)
{
	size_t off = 0;

	buf[off++] = RIP_CMD_RESPONSE;
	buf[off++] = RIP_VERSION;
	buf[off++] = 0;
	buf[off++] = 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t e[] = { RTE(2, i, IP(10, i >> 8, i & 0xff, 0),
		    IP(255, 255, 255, 0), 0, 1 + i % 16) };
		memcpy(buf + off, e, sizeof(e));
		off += sizeof(e);
	}
	return off;
}

static void
check_built(const struct rip_packet *pkt, size_t n)
{
	struct rip_rte rte;

	assert_int_equal(pkt->nrte, n);
	for (size_t i = 0; i < n; i++) {
		uint8_t plen = 0;
		rip_packet_rte(pkt, i, &rte);
		assert_int_equal(rte.afi, 2);
		assert_int_equal(rte.tag, i);
		assert_int_equal(rte.addr, IP(10, i >> 8, i & 0xff, 0));
		assert_int_equal(rte.metric, 1 + i % 16);
		assert_int_equal(rip_rte_check(&rte, &plen), RIP_RTE_OK);
		assert_int_equal(plen, 24);
	}
}

static void
test_response_25(void **state)
{
	uint8_t buf[RIP_PKT_MAX];
	struct rip_packet pkt;
	size_t len = build_response(buf, RIP_MAX_RTE);

	(void)state;
	assert_int_equal(len, RIP_PKT_MAX);
	assert_int_equal(rip_packet_decode(buf, len, &pkt), RIP_PKT_OK);
	check_built(&pkt, RIP_MAX_RTE);
}

/*
 * RFC 2453 3.6 / 4: at most 25 entries, 512 octets; an authentication entry
 * is one of the 25 (4.1).  Anything longer is RIP_PKT_TOO_LONG, checked
 * before anything else (a 513-byte datagram is not "length not 4+20n", a
 * 26-entry request is not a whole-table request), and hands out nothing.
 * Only a keyed-authentication trailer may follow the 512 octets.
 */
static void
test_size_limit(void **state)
{
	static const uint8_t simple[] = { AUTH_SIMPLE };
	static const uint8_t keyed[] = { AUTH_KEYED(0, 1, 16, 7) };
	static const uint8_t keyed20[] = { AUTH_KEYED(0, 1, 20, 7) };
	static const uint8_t trailer16[] = { TRAILER, D16 };
	static const uint8_t trailer20[] = { TRAILER, D20 };
	static const uint8_t keyed64[] = { AUTH_KEYED(0, 1, 64, 7) };
	static const uint8_t trailer64[] = { TRAILER, D20, D20, D20, D4 };
	static const struct {
		const char *name;
		size_t nrte;           /* route entries after the header (and auth entry) */
		const uint8_t *auth;   /* first entry, or NULL */
		const uint8_t *trailer;
		size_t trailer_len;
		size_t extra;          /* stray bytes after everything */
		uint8_t command;
		int err;
	} v[] = {
		{ "25 entries", 25, NULL, NULL, 0, 0, RIP_CMD_RESPONSE, RIP_PKT_OK },
		{ "26 entries", 26, NULL, NULL, 0, 0, RIP_CMD_RESPONSE, RIP_PKT_TOO_LONG },
		{ "100 entries", 100, NULL, NULL, 0, 0, RIP_CMD_RESPONSE, RIP_PKT_TOO_LONG },
		{ "26-entry request", 26, NULL, NULL, 0, 0, RIP_CMD_REQUEST, RIP_PKT_TOO_LONG },
		{ "25 entries + 9 bytes (513)", 25, NULL, NULL, 0, 9, RIP_CMD_RESPONSE,
		    RIP_PKT_TOO_LONG },
		{ "25 entries + 8 bytes (512)", 25, NULL, NULL, 0, 8, RIP_CMD_RESPONSE,
		    RIP_PKT_BAD_LENGTH },
		{ "25 entries + 1 byte (505)", 25, NULL, NULL, 0, 1, RIP_CMD_RESPONSE,
		    RIP_PKT_BAD_LENGTH },
		{ "24 entries + 19 bytes (503)", 24, NULL, NULL, 0, 19, RIP_CMD_RESPONSE,
		    RIP_PKT_BAD_LENGTH },
		{ "simple auth + 24", 24, simple, NULL, 0, 0, RIP_CMD_RESPONSE, RIP_PKT_OK },
		{ "simple auth + 25", 25, simple, NULL, 0, 0, RIP_CMD_RESPONSE, RIP_PKT_TOO_LONG },
		/* The trailer is bounded on its own, beyond the 512 octets. */
		{ "keyed auth + 24 + 16-byte trailer (524)", 24, keyed, trailer16, 20, 0,
		    RIP_CMD_RESPONSE, RIP_PKT_OK },
		{ "keyed auth + 24 + 20-byte trailer (528)", 24, keyed20, trailer20, 24, 0,
		    RIP_CMD_RESPONSE, RIP_PKT_OK },
		{ "keyed auth + 25 + trailer (544)", 25, keyed, trailer16, 20, 0,
		    RIP_CMD_RESPONSE, RIP_PKT_TOO_LONG },
		/*
		 * 529 octets used to be too long (the longest trailer was 24);
		 * HMAC-SHA-512's is 68 (RFC 4822 2.5), so this length is legal
		 * and only the trailer's framing is wrong.
		 */
		{ "keyed auth + 24 + trailer + 1 byte (529)", 24, keyed20, trailer20, 24, 1,
		    RIP_CMD_RESPONSE, RIP_PKT_BAD_AUTH },
		{ "keyed auth + 24 + 64-byte trailer (572)", 24, keyed64, trailer64, 68, 0,
		    RIP_CMD_RESPONSE, RIP_PKT_OK },
		{ "keyed auth + 24 + 64-byte trailer + 1 byte (573)", 24, keyed64, trailer64, 68, 1,
		    RIP_CMD_RESPONSE, RIP_PKT_TOO_LONG },
		{ "keyed auth + 25, no trailer (524)", 25, keyed, NULL, 0, 0, RIP_CMD_RESPONSE,
		    RIP_PKT_TOO_LONG },
		{ "keyed auth_len 16 + 24, 20-byte data (528)", 24, keyed, trailer20, 24, 0,
		    RIP_CMD_RESPONSE, RIP_PKT_BAD_AUTH },
	};
	uint8_t buf[RIP_HDR_LEN + 101 * RIP_RTE_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct rip_packet pkt;
		size_t len = build_response(buf + (v[i].auth ? RIP_RTE_LEN : 0), v[i].nrte);
		buf[0] = v[i].command;
		if (v[i].auth != NULL) {
			memcpy(buf, buf + RIP_RTE_LEN, RIP_HDR_LEN);
			buf[0] = v[i].command;
			memcpy(buf + RIP_HDR_LEN, v[i].auth, RIP_RTE_LEN);
			len += RIP_RTE_LEN;
			if (v[i].auth != simple) {
				/* RFC 4822 2: the trailer's offset. */
				buf[RIP_HDR_LEN + 4] = (uint8_t)(len >> 8);
				buf[RIP_HDR_LEN + 5] = (uint8_t)len;
			}
		}
		if (v[i].trailer != NULL) {
			memcpy(buf + len, v[i].trailer, v[i].trailer_len);
			len += v[i].trailer_len;
		}
		memset(buf + len, 0, v[i].extra);
		len += v[i].extra;
		assert_true(len <= sizeof(buf));

		int err = rip_packet_decode(buf, len, &pkt);
		if (err != v[i].err)
			fail_msg("%s (%zu bytes): got %d (%s), want %d (%s)", v[i].name, len, err,
			    rip_pkt_err_str(err), v[i].err, rip_pkt_err_str(v[i].err));
		if (err != RIP_PKT_OK) {
			assert_null(pkt.rtes);
			assert_int_equal(pkt.nrte, 0);
			continue;
		}
		check_built(&pkt, v[i].nrte);
		assert_int_equal(pkt.has_auth, v[i].auth != NULL);
	}
}

static void
test_simple_auth_fields(void **state)
{
	static const uint8_t buf[] = { HDR(2, 2, 0), AUTH_SIMPLE, RTE_10 };
	struct rip_packet pkt;
	struct rip_rte rte;

	(void)state;
	assert_int_equal(rip_packet_decode(buf, sizeof(buf), &pkt), RIP_PKT_OK);
	assert_true(pkt.has_auth);
	assert_int_equal(pkt.auth.type, RIP_AUTH_SIMPLE);
	assert_memory_equal(pkt.auth.password, "secret\0\0\0\0\0\0\0\0\0\0", 16);
	assert_null(pkt.auth.trailer);
	assert_ptr_equal(pkt.rtes, buf + RIP_HDR_LEN + RIP_RTE_LEN);
	rip_packet_rte(&pkt, 0, &rte);
	assert_int_equal(rte.addr, IP(10, 0, 0, 0));
}

struct keyed_vec {
	const char *name;
	uint8_t auth_len;
	size_t data_len;
	const uint8_t *buf;
	size_t len;
};

static const struct keyed_vec keyed_vecs[] = {
	{ "RFC 2082 MD5", 16, 16,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 5, 16, 0x01020304), RTE_10, TRAILER, D16) },
	{ "RFC 4822 20-byte data", 20, 20,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 5, 20, 0x01020304), RTE_10, TRAILER, D20) },
	{ "FRR/Quagga auth_len 20, MD5", 20, 16,
	    BYTES(HDR(2, 2, 0), AUTH_KEYED(44, 5, 20, 0x01020304), RTE_10, TRAILER, D16) },
};

static void
test_keyed_auth_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(keyed_vecs) / sizeof(keyed_vecs[0]); i++) {
		const struct keyed_vec *v = &keyed_vecs[i];
		struct rip_packet pkt;
		struct rip_rte rte;

		print_message("keyed: %s\n", v->name);
		assert_int_equal(rip_packet_decode(v->buf, v->len, &pkt), RIP_PKT_OK);
		assert_true(pkt.has_auth);
		assert_int_equal(pkt.auth.type, RIP_AUTH_CRYPTO);
		assert_int_equal(pkt.auth.pkt_len, 44);
		assert_int_equal(pkt.auth.key_id, 5);
		assert_int_equal(pkt.auth.auth_len, v->auth_len);
		assert_int_equal(pkt.auth.seqno, 0x01020304);
		/* trailer: at offset pkt_len, 0xFFFF 0x0001 then the data. */
		assert_ptr_equal(pkt.auth.trailer, v->buf + 44);
		assert_int_equal(pkt.auth.trailer_len, 4 + v->data_len);
		assert_int_equal(pkt.auth.trailer[0], 0xff);
		assert_int_equal(pkt.auth.trailer[3], 0x01);
		assert_int_equal(pkt.auth.trailer[4], 0xd0);
		assert_ptr_equal(pkt.auth.trailer + pkt.auth.trailer_len, v->buf + v->len);
		assert_ptr_equal(pkt.rtes, v->buf + 24);
		assert_int_equal(pkt.nrte, 1);
		rip_packet_rte(&pkt, 0, &rte);
		assert_int_equal(rte.addr, IP(10, 0, 0, 0));
		assert_int_equal(rte.metric, 1);
	}
}

struct whole_vec {
	const char *name;
	bool whole;
	const uint8_t *buf;
	size_t len;
};

static const struct whole_vec whole_vecs[] = {
	{ "afi 0 metric 16", true, BYTES(HDR(1, 2, 0), RTE_WHOLE) },
	{ "with simple auth", true, BYTES(HDR(1, 2, 0), AUTH_SIMPLE, RTE_WHOLE) },
	{ "with keyed auth", true,
	    BYTES(HDR(1, 2, 0), AUTH_KEYED(44, 1, 16, 0), RTE_WHOLE, TRAILER, D16) },
	{ "v1", true, BYTES(HDR(1, 1, 0), RTE_WHOLE) },
	{ "single entry", false, BYTES(HDR(1, 2, 0), RTE_10) },
	{ "afi 2 metric 16", false, BYTES(HDR(1, 2, 0), RTE(2, 0, 0, 0, 0, 16)) },
	{ "afi 0 metric 15", false, BYTES(HDR(1, 2, 0), RTE(0, 0, 0, 0, 0, 15)) },
	{ "two entries", false, BYTES(HDR(1, 2, 0), RTE_WHOLE, RTE_WHOLE) },
	{ "no entry", false, BYTES(HDR(1, 2, 0)) },
	{ "a response", false, BYTES(HDR(2, 2, 0), RTE_WHOLE) },
};

static void
test_whole_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(whole_vecs) / sizeof(whole_vecs[0]); i++) {
		const struct whole_vec *v = &whole_vecs[i];
		struct rip_packet pkt;

		if (rip_packet_decode(v->buf, v->len, &pkt) != RIP_PKT_OK)
			fail_msg("%s: does not decode", v->name);
		if (rip_request_is_whole_table(&pkt) != v->whole)
			fail_msg("%s: whole table %d, want %d", v->name, !v->whole, v->whole);
	}
}

struct rte_vec {
	const char *name;
	struct rip_rte rte;
	int err;
	uint8_t len;
};

#define R(afi, addr, mask, nh, metric) { (afi), 0, (addr), (mask), (nh), (metric) }
#define M8 IP(255, 0, 0, 0)
#define M24 IP(255, 255, 255, 0)
#define M32 0xffffffffu

static const struct rte_vec rte_vecs[] = {
	{ "10/8 metric 1", R(2, IP(10, 0, 0, 0), M8, 0, 1), RIP_RTE_OK, 8 },
	{ "metric 16 (unreachable) is valid", R(2, IP(10, 0, 0, 0), M8, 0, 16), RIP_RTE_OK, 8 },
	{ "metric 0", R(2, IP(10, 0, 0, 0), M8, 0, 0), RIP_RTE_BAD_METRIC, 0 },
	{ "metric 17", R(2, IP(10, 0, 0, 0), M8, 0, 17), RIP_RTE_BAD_METRIC, 0 },
	{ "metric 0xffffffff", R(2, IP(10, 0, 0, 0), M8, 0, 0xffffffffu), RIP_RTE_BAD_METRIC, 0 },
	{ "afi 0", R(0, IP(10, 0, 0, 0), M8, 0, 1), RIP_RTE_BAD_AFI, 0 },
	{ "afi 1", R(1, IP(10, 0, 0, 0), M8, 0, 1), RIP_RTE_BAD_AFI, 0 },
	{ "afi 0xffff", R(0xffff, IP(10, 0, 0, 0), M8, 0, 1), RIP_RTE_BAD_AFI, 0 },
	{ "mask 255.0.255.0", R(2, IP(10, 0, 0, 0), IP(255, 0, 255, 0), 0, 1), RIP_RTE_BAD_MASK, 0 },
	{ "mask 0.0.0.255", R(2, 0, IP(0, 0, 0, 255), 0, 1), RIP_RTE_BAD_MASK, 0 },
	{ "10.0.0.1/24 host bits", R(2, IP(10, 0, 0, 1), M24, 0, 1), RIP_RTE_BAD_MASK, 0 },
	{ "10.0.0.0 mask 0 (v1 style)", R(2, IP(10, 0, 0, 0), 0, 0, 1), RIP_RTE_BAD_MASK, 0 },
	{ "0.0.0.0/0 default", R(2, 0, 0, 0, 1), RIP_RTE_OK, 0 },
	{ "0.0.0.0/8", R(2, 0, M8, 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "0.0.0.0/1", R(2, 0, IP(128, 0, 0, 0), 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "0.1.0.0/16", R(2, IP(0, 1, 0, 0), IP(255, 255, 0, 0), 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "127.0.0.0/8", R(2, IP(127, 0, 0, 0), M8, 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "127.0.0.1/32", R(2, IP(127, 0, 0, 1), M32, 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "224.0.0.0/4", R(2, IP(224, 0, 0, 0), IP(240, 0, 0, 0), 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "224.0.0.9/32", R(2, IP(224, 0, 0, 9), M32, 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "240.0.0.0/4", R(2, IP(240, 0, 0, 0), IP(240, 0, 0, 0), 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "255.255.255.255/32", R(2, M32, M32, 0, 1), RIP_RTE_BAD_PREFIX, 0 },
	{ "1.0.0.0/8", R(2, IP(1, 0, 0, 0), M8, 0, 1), RIP_RTE_OK, 8 },
	{ "126.0.0.0/8", R(2, IP(126, 0, 0, 0), M8, 0, 1), RIP_RTE_OK, 8 },
	{ "128.0.0.0/1", R(2, IP(128, 0, 0, 0), IP(128, 0, 0, 0), 0, 1), RIP_RTE_OK, 1 },
	{ "223.255.255.0/24", R(2, IP(223, 255, 255, 0), M24, 0, 1), RIP_RTE_OK, 24 },
	{ "192.0.2.1/32 host", R(2, IP(192, 0, 2, 1), M32, 0, 1), RIP_RTE_OK, 32 },
	{ "next hop 192.0.2.1", R(2, IP(10, 0, 0, 0), M8, IP(192, 0, 2, 1), 1), RIP_RTE_OK, 8 },
	{ "next hop 224.0.0.9", R(2, IP(10, 0, 0, 0), M8, IP(224, 0, 0, 9), 1),
	    RIP_RTE_BAD_NEXTHOP, 0 },
	{ "next hop 127.0.0.1", R(2, IP(10, 0, 0, 0), M8, IP(127, 0, 0, 1), 1),
	    RIP_RTE_BAD_NEXTHOP, 0 },
	{ "next hop 240.0.0.1", R(2, IP(10, 0, 0, 0), M8, IP(240, 0, 0, 1), 1),
	    RIP_RTE_BAD_NEXTHOP, 0 },
	{ "next hop 255.255.255.255", R(2, IP(10, 0, 0, 0), M8, M32, 1), RIP_RTE_BAD_NEXTHOP, 0 },
	{ "next hop 0.1.2.3", R(2, IP(10, 0, 0, 0), M8, IP(0, 1, 2, 3), 1), RIP_RTE_BAD_NEXTHOP, 0 },
	/* The order of the checks: AFI, metric, mask, prefix, next hop. */
	{ "bad afi before bad metric", R(7, IP(10, 0, 0, 0), M8, 0, 0), RIP_RTE_BAD_AFI, 0 },
	{ "bad metric before bad mask", R(2, IP(10, 0, 0, 1), M8, 0, 99), RIP_RTE_BAD_METRIC, 0 },
	{ "bad mask before martian", R(2, IP(127, 0, 0, 1), M8, 0, 1), RIP_RTE_BAD_MASK, 0 },
	{ "martian before bad next hop", R(2, IP(127, 0, 0, 0), M8, IP(224, 0, 0, 1), 1),
	    RIP_RTE_BAD_PREFIX, 0 },
};

static void
test_rte_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rte_vecs) / sizeof(rte_vecs[0]); i++) {
		const struct rte_vec *v = &rte_vecs[i];
		uint8_t len = 0xee;
		int err = rip_rte_check(&v->rte, &len);

		if (err != v->err)
			fail_msg("%s: got %d (%s), want %d (%s)", v->name, err,
			    rip_rte_err_str(err), v->err, rip_rte_err_str(v->err));
		if (err == RIP_RTE_OK && len != v->len)
			fail_msg("%s: length %u, want %u", v->name, len, v->len);
		if (err != RIP_RTE_OK && len != 0xee)
			fail_msg("%s: length written on error", v->name);
		/* len_out is optional. */
		assert_int_equal(rip_rte_check(&v->rte, NULL), v->err);
	}
}

static void
test_encode_bytes(void **state)
{
	static const uint8_t want[] = { HDR(2, 2, 0), RTE_192, RTE_10 };
	static const uint8_t want_auth[] = { HDR(1, 2, 0), B32(0), B32(0), B32(0), B32(0),
	    B32(0), RTE_WHOLE };
	struct rip_rte rtes[] = {
		R(2, IP(192, 0, 2, 0), M24, IP(192, 0, 2, 1), 3),
		R(2, IP(10, 0, 0, 0), M8, 0, 1),
	};
	const struct rip_rte whole = R(0, 0, 0, 0, 16);
	uint8_t buf[RIP_PKT_MAX];

	(void)state;
	rtes[0].tag = 7;
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(rip_packet_encode(buf, sizeof(buf), RIP_CMD_RESPONSE, rtes, 2, 0),
	    sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[sizeof(want)], 0x55);

	/* auth_reserve: 20 zero bytes after the header, entries after that. */
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(rip_packet_encode(buf, sizeof(buf), RIP_CMD_REQUEST, &whole, 1,
	    RIP_RTE_LEN), sizeof(want_auth));
	assert_memory_equal(buf, want_auth, sizeof(want_auth));

	/* No entries: a bare header. */
	assert_int_equal(rip_packet_encode(buf, sizeof(buf), RIP_CMD_REQUEST, NULL, 0, 0),
	    RIP_HDR_LEN);
}

static void
test_encode_too_small(void **state)
{
	struct rip_rte rtes[RIP_MAX_RTE];
	uint8_t buf[RIP_PKT_MAX + RIP_RTE_LEN];

	(void)state;
	for (size_t i = 0; i < RIP_MAX_RTE; i++)
		rtes[i] = (struct rip_rte)R(2, IP(10, i, 0, 0), IP(255, 255, 0, 0), 0, 1);

	/* Exactly the right size fits; one byte less does not, and nothing is written past cap. */
	assert_int_equal(rip_packet_encode(buf, RIP_PKT_MAX, 2, rtes, RIP_MAX_RTE, 0),
	    RIP_PKT_MAX);
	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(rip_packet_encode(buf, RIP_PKT_MAX - 1, 2, rtes, RIP_MAX_RTE, 0), 0);
	assert_int_equal(buf[RIP_PKT_MAX - 1], 0x55);
	assert_int_equal(rip_packet_encode(buf, RIP_PKT_MAX + RIP_RTE_LEN - 1, 2, rtes,
	    RIP_MAX_RTE, RIP_RTE_LEN), 0);
	assert_int_equal(rip_packet_encode(buf, RIP_PKT_MAX + RIP_RTE_LEN, 2, rtes,
	    RIP_MAX_RTE, RIP_RTE_LEN), RIP_PKT_MAX + RIP_RTE_LEN);

	/* Smaller than a header; absurd sizes must not overflow. */
	for (size_t cap = 0; cap < RIP_HDR_LEN; cap++)
		assert_int_equal(rip_packet_encode(buf, cap, 2, NULL, 0, 0), 0);
	assert_int_equal(rip_packet_encode(buf, sizeof(buf), 2, rtes, SIZE_MAX, 0), 0);
	assert_int_equal(rip_packet_encode(buf, sizeof(buf), 2, rtes, SIZE_MAX / RIP_RTE_LEN + 1,
	    0), 0);
	assert_int_equal(rip_packet_encode(buf, sizeof(buf), 2, rtes, 1, SIZE_MAX), 0);
	assert_int_equal(rip_packet_encode(buf, sizeof(buf), 2, rtes, 1, SIZE_MAX - 2), 0);
	assert_int_equal(rip_packet_encode(NULL, 0, 2, rtes, 1, 0), 0);
	assert_int_equal(rip_packet_encode(buf, sizeof(buf), 2, NULL, 1, 0), 0);
}

static void
test_round_trip(void **state)
{
	struct rip_rte in[RIP_MAX_RTE], out;
	uint8_t buf[RIP_PKT_MAX + RIP_RTE_LEN];
	struct rip_packet pkt;

	(void)state;
	for (size_t i = 0; i < RIP_MAX_RTE; i++) {
		in[i] = (struct rip_rte){
			.afi = RIP_AF_INET,
			.tag = (uint16_t)(0xfff0 + i),
			.addr = IP(172, 16 + i % 16, i, 0),
			.mask = M24,
			.nexthop = i % 2 ? IP(192, 0, 2, i) : 0,
			.metric = 1 + i % 16,
		};
	}
	for (size_t n = 0; n <= RIP_MAX_RTE; n++) {
		for (size_t reserve = 0; reserve <= RIP_RTE_LEN; reserve += RIP_RTE_LEN) {
			size_t len = rip_packet_encode(buf, sizeof(buf), RIP_CMD_RESPONSE, in, n,
			    reserve);
			assert_int_equal(len, RIP_HDR_LEN + reserve + n * RIP_RTE_LEN);
			/* The reserved slot is one of the 25 entries (RFC 2453 4.1). */
			if (n + reserve / RIP_RTE_LEN > RIP_MAX_RTE) {
				assert_int_equal(rip_packet_decode(buf, len, &pkt),
				    RIP_PKT_TOO_LONG);
				continue;
			}
			assert_int_equal(rip_packet_decode(buf, len, &pkt), RIP_PKT_OK);
			assert_int_equal(pkt.command, RIP_CMD_RESPONSE);
			assert_int_equal(pkt.version, RIP_VERSION);
			assert_false(pkt.has_auth);
			/* The reserved, still-zero auth slot reads as an AFI 0 entry. */
			assert_int_equal(pkt.nrte, n + reserve / RIP_RTE_LEN);
			for (size_t i = 0; i < n; i++) {
				rip_packet_rte(&pkt, i + reserve / RIP_RTE_LEN, &out);
				assert_memory_equal(&out, &in[i], sizeof(out));
				assert_int_equal(rip_rte_check(&out, NULL), RIP_RTE_OK);
			}
		}
	}
}

static void
test_err_str(void **state)
{
	(void)state;
	/* Every code has its own name; anything else is "unknown", never NULL. */
	for (int a = -(RIP_PKT_ERR_COUNT - 1); a <= 0; a++) {
		assert_non_null(rip_pkt_err_str(a));
		assert_string_not_equal(rip_pkt_err_str(a), "unknown");
		for (int b = a + 1; b <= 0; b++)
			assert_string_not_equal(rip_pkt_err_str(a), rip_pkt_err_str(b));
	}
	for (int a = -(RIP_RTE_ERR_COUNT - 1); a <= 0; a++) {
		assert_non_null(rip_rte_err_str(a));
		assert_string_not_equal(rip_rte_err_str(a), "unknown");
		for (int b = a + 1; b <= 0; b++)
			assert_string_not_equal(rip_rte_err_str(a), rip_rte_err_str(b));
	}
	assert_string_equal(rip_pkt_err_str(RIP_PKT_SHORT), "packet too short");
	assert_string_equal(rip_pkt_err_str(RIP_PKT_BAD_LENGTH), "length not 4+20n");
	assert_string_equal(rip_pkt_err_str(RIP_PKT_BAD_AUTH), "malformed authentication");
	assert_string_equal(rip_pkt_err_str(RIP_PKT_TOO_LONG), "longer than 512 octets");
	assert_string_equal(rip_rte_err_str(RIP_RTE_BAD_METRIC), "metric out of range");
	assert_string_equal(rip_rte_err_str(RIP_RTE_BAD_NEXTHOP), "bad next hop");
	assert_string_equal(rip_pkt_err_str(-RIP_PKT_ERR_COUNT), "unknown");
	assert_string_equal(rip_pkt_err_str(1), "unknown");
	assert_string_equal(rip_pkt_err_str(-1000), "unknown");
	assert_string_equal(rip_rte_err_str(-RIP_RTE_ERR_COUNT), "unknown");
	assert_string_equal(rip_rte_err_str(42), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_vectors),
		cmocka_unit_test(test_truncated_header),
		cmocka_unit_test(test_response_1rte_fields),
		cmocka_unit_test(test_response_25),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_simple_auth_fields),
		cmocka_unit_test(test_keyed_auth_fields),
		cmocka_unit_test(test_whole_table),
		cmocka_unit_test(test_rte_check),
		cmocka_unit_test(test_encode_bytes),
		cmocka_unit_test(test_encode_too_small),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_err_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
