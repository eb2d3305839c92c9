/*
 * auth.h - RIPv2 authentication: simple password (RFC 2453 4.1), keyed
 * MD5 (RFC 2082, RFC 4822 with Keyed-MD5) and HMAC-SHA-1/256/384/512
 * (RFC 4822), signing and verifying, and RFC 4822's sequence numbers.
 *
 * Pure functions over (buf, len, keys, now): no sockets, no clock (`now`
 * is wall-clock seconds, what key lifetimes are written in), no logging
 * (secrets are never written anywhere from here).  The codec (packet.c)
 * has already located and bounded the authentication entry and trailer;
 * this module decides whether they are right.
 *
 * The algorithm of a keyed packet comes from the key, as in FRR: a key
 * chain's key with `cryptographic-algorithm hmac-sha-256` signs with
 * HMAC-SHA-256, a key without one (or an `ip rip authentication string`)
 * with keyed MD5.  Comparisons of secrets and digests are constant-time.
 */
#ifndef RIPOSTE_RIP_AUTH_H
#define RIPOSTE_RIP_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/keychain.h"
#include "conf.h"
#include "packet.h"

/* What an interface authenticates with, resolved from its configuration. */
struct rip_auth_conf {
	enum rip_auth_mode mode;
	uint8_t md5_auth_len;		/* MD5's Auth Data Len when sending: 16 or 20 */
	const char *string;		/* ip rip authentication string, or NULL */
	const struct keychain *chain;	/* ip rip authentication key-chain, or NULL */
};

/* Why a packet failed authentication, negative. */
enum rip_auth_err {
	RIP_AUTH_OK = 0,
	RIP_AUTH_ERR_MISSING = -1,	/* no authentication entry */
	RIP_AUTH_ERR_TYPE = -2,		/* another type than the interface's mode */
	RIP_AUTH_ERR_KEY = -3,		/* no key with that id accepted now (unknown, expired) */
	RIP_AUTH_ERR_FAIL = -4,		/* wrong password or digest */
};

/* The longest trailer: 4 octets and a HMAC-SHA-512 digest. */
#define RIP_AUTH_DIGEST_MAX 64

/*
 * Verify a decoded packet (rip_packet_decode() said RIP_PKT_OK on buf, len)
 * against the interface's authentication at wall-clock `now`.  A keyed
 * packet is tried with every accepted key whose id matches (key N is sent
 * as N mod 256, as FRR does); on success *key_id and *seqno say which key
 * and which sequence number, for rip_auth_seq_check().
 */
int rip_auth_verify(const uint8_t *buf, size_t len, const struct rip_packet *pkt,
    const struct rip_auth_conf *ac, int64_t now, uint8_t *key_id, uint32_t *seqno);

/*
 * Sign a packet that rip_packet_encode() wrote with an auth_reserve of
 * RIP_RTE_LEN: fill in the authentication entry and, for keyed modes,
 * append the trailer.  Returns the new length, or 0 when no key may send
 * now or the trailer does not fit in cap.
 */
size_t rip_auth_sign(uint8_t *buf, size_t len, size_t cap, const struct rip_auth_conf *ac,
    int64_t now, uint32_t seqno);

/*
 * RFC 4822 3.2.2: a neighbour's sequence numbers, per key id, must not
 * decrease (equal is accepted: "non-decreasing").  A few slots per
 * neighbour; the least recently used one is reused for a new key id.
 */
#define RIP_AUTH_SEQ_SLOTS 8
struct rip_auth_seq {
	bool used;
	uint8_t key_id;
	uint32_t seqno;
	uint64_t stamp;	/* for least recently used */
};
/* Whether seqno may be accepted from this neighbour with this key. */
bool rip_auth_seq_ok(const struct rip_auth_seq tab[RIP_AUTH_SEQ_SLOTS], uint8_t key_id,
    uint32_t seqno);
/* Remember an accepted (authenticated) seqno; `stamp` grows with each call. */
void rip_auth_seq_update(struct rip_auth_seq tab[RIP_AUTH_SEQ_SLOTS], uint8_t key_id,
    uint32_t seqno, uint64_t stamp);

#endif
