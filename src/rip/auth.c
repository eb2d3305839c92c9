/*
 * auth.c - RIPv2 authentication (auth.h): the simple password of RFC 2453
 * 4.1, keyed MD5 (RFC 2082; RFC 4822 2.2 and 2.5 with Keyed-MD5) and
 * HMAC-SHA (RFC 4822 2.5), signing and verifying, and the per-neighbour,
 * per-key sequence numbers of RFC 4822 3.2.2.
 *
 * Digests come from nettle; secrets and digests are compared with
 * nettle's memeql_sec (constant time), and every key is tried the same way
 * whether an earlier one matched or not.
 */
#include "auth.h"

#include <string.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include "../lib/cursor.h"

#define RIP_AUTH_PASSWD_LEN 16
#define RIP_AUTH_MD5_KEY_LEN 16		/* RFC 2082 3.2.1: the key, zero-padded to 16 */
#define RIP_AUTH_TRAILER_HDR 4		/* 0xFFFF 0x0001 */
#define RIP_AUTH_APAD 0x878FE1F3u	/* RFC 4822 2.5 */

/* What a key signs with: keyed MD5 unless its algorithm says HMAC-SHA. */
static enum keychain_algo
auth_algo(enum keychain_algo a)
{
	return a == KEYCHAIN_ALGO_NONE ? KEYCHAIN_ALGO_MD5 : a;
}

static size_t
auth_digest_len(enum keychain_algo a)
{
	switch (auth_algo(a)) {
	case KEYCHAIN_ALGO_HMAC_SHA1:
		return SHA1_DIGEST_SIZE;
	case KEYCHAIN_ALGO_HMAC_SHA256:
		return SHA256_DIGEST_SIZE;
	case KEYCHAIN_ALGO_HMAC_SHA384:
		return SHA384_DIGEST_SIZE;
	case KEYCHAIN_ALGO_HMAC_SHA512:
		return SHA512_DIGEST_SIZE;
	default:
		return MD5_DIGEST_SIZE;
	}
}

/* A secret as the 16-octet field it is sent in: truncated or zero-padded. */
static void
auth_pad16(const char *secret, uint8_t out[16])
{
	size_t len = strnlen(secret, 16);

	memset(out, 0, 16);
	memcpy(out, secret, len);
}

/*
 * RFC 4822 2.5: Ko is the key when it is L octets (L the digest length),
 * H(key) when longer, the key zero-padded to L when shorter; then HMAC
 * with Ko.  (Zero-padding to L changes nothing in HMAC, which pads to the
 * block; hashing a key longer than L but not than the block does.)
 */
#define HMAC_CASE(ALG, alg, DLEN) \
	do { \
		struct hmac_##alg##_ctx hc; \
		struct alg##_ctx kc; \
		uint8_t ko[DLEN]; \
		size_t klen = strlen(secret); \
		if (klen > (DLEN)) { \
			alg##_init(&kc); \
			alg##_update(&kc, klen, (const uint8_t *)secret); \
			alg##_digest(&kc, (DLEN), ko); \
			klen = (DLEN); \
		} else { \
			memcpy(ko, secret, klen); \
		} \
		hmac_##alg##_set_key(&hc, klen, ko); \
		hmac_##alg##_update(&hc, len, buf); \
		hmac_##alg##_digest(&hc, (DLEN), out); \
		explicit_bzero(ko, sizeof(ko)); \
		explicit_bzero(&hc, sizeof(hc)); \
	} while (0)

/*
 * The authentication data for buf[0..len), whose last dlen octets are the
 * data field: keyed MD5 (RFC 2082 3.2.1: the key in the field, MD5 over
 * the whole packet) or HMAC (RFC 4822 2.5: Apad in the field).  buf is
 * changed (the field is filled in); `out` gets the digest.
 */
static void
auth_compute(enum keychain_algo algo, const char *secret, uint8_t *buf, size_t len,
    size_t dlen, uint8_t *out)
{
	uint8_t *field = buf + len - dlen;

	if (auth_algo(algo) == KEYCHAIN_ALGO_MD5) {
		struct md5_ctx mc;
		auth_pad16(secret, field);
		md5_init(&mc);
		md5_update(&mc, len, buf);
		md5_digest(&mc, MD5_DIGEST_SIZE, out);
		explicit_bzero(field, dlen);
		return;
	}
	for (size_t i = 0; i + 4 <= dlen; i += 4) {
		field[i] = RIP_AUTH_APAD >> 24;
		field[i + 1] = (RIP_AUTH_APAD >> 16) & 0xff;
		field[i + 2] = (RIP_AUTH_APAD >> 8) & 0xff;
		field[i + 3] = RIP_AUTH_APAD & 0xff;
	}
	switch (auth_algo(algo)) {
	case KEYCHAIN_ALGO_HMAC_SHA1:
		HMAC_CASE(SHA1, sha1, SHA1_DIGEST_SIZE);
		break;
	case KEYCHAIN_ALGO_HMAC_SHA256:
		HMAC_CASE(SHA256, sha256, SHA256_DIGEST_SIZE);
		break;
	case KEYCHAIN_ALGO_HMAC_SHA384:
		HMAC_CASE(SHA384, sha384, SHA384_DIGEST_SIZE);
		break;
	default:
		HMAC_CASE(SHA512, sha512, SHA512_DIGEST_SIZE);
		break;
	}
}

/* --------------------------------------------------------------- verify */

static int
auth_verify_simple(const struct rip_packet *pkt, const struct rip_auth_conf *ac, int64_t now)
{
	uint8_t want[RIP_AUTH_PASSWD_LEN];
	bool any = false, ok = false;

	if (ac->string != NULL && ac->string[0] != '\0') {
		auth_pad16(ac->string, want);
		ok = memeql_sec(want, pkt->auth.password, sizeof(want));
		explicit_bzero(want, sizeof(want));
		return ok ? RIP_AUTH_OK : RIP_AUTH_ERR_FAIL;
	}
	if (ac->chain == NULL)
		return RIP_AUTH_ERR_KEY;
	/* No key id in a simple password: every accepted key is a candidate. */
	for (size_t i = 0; i < ac->chain->n_keys; i++) {
		const struct keychain_key *k = &ac->chain->keys[i];
		if (!keychain_key_accepts(k, now))
			continue;
		any = true;
		auth_pad16(k->secret, want);
		ok |= memeql_sec(want, pkt->auth.password, sizeof(want));
	}
	explicit_bzero(want, sizeof(want));
	if (!any)
		return RIP_AUTH_ERR_KEY;
	return ok ? RIP_AUTH_OK : RIP_AUTH_ERR_FAIL;
}

/* One key against the packet: the data length must be its algorithm's. */
static bool
auth_verify_key(const uint8_t *buf, const struct rip_packet *pkt, enum keychain_algo algo,
    const char *secret)
{
	uint8_t copy[RIP_PKT_RX_MAX], digest[RIP_AUTH_DIGEST_MAX];
	size_t dlen = pkt->auth.trailer_len - RIP_AUTH_TRAILER_HDR;
	size_t len = (size_t)(pkt->auth.trailer - buf) + pkt->auth.trailer_len;
	bool ok;

	if (dlen != auth_digest_len(algo) || len > sizeof(copy))
		return false;
	/* RFC 4822 2.5: Auth Data Len is the digest's length for HMAC. */
	if (auth_algo(algo) != KEYCHAIN_ALGO_MD5 && pkt->auth.auth_len != dlen)
		return false;
	memcpy(copy, buf, len);
	auth_compute(algo, secret, copy, len, dlen, digest);
	ok = memeql_sec(digest, pkt->auth.trailer + RIP_AUTH_TRAILER_HDR, dlen);
	explicit_bzero(digest, sizeof(digest));
	return ok;
}

static int
auth_verify_keyed(const uint8_t *buf, const struct rip_packet *pkt,
    const struct rip_auth_conf *ac, int64_t now)
{
	bool any = false, ok = false;

	if (pkt->auth.trailer == NULL)
		return RIP_AUTH_ERR_FAIL;
	if (ac->string != NULL && ac->string[0] != '\0')
		/* A single key (FRR sends it as key id 1 and checks no id). */
		return auth_verify_key(buf, pkt, KEYCHAIN_ALGO_MD5, ac->string) ?
		    RIP_AUTH_OK : RIP_AUTH_ERR_FAIL;
	if (ac->chain == NULL)
		return RIP_AUTH_ERR_KEY;
	/* RFC 4822 5: every key valid now for that id is accepted (rollover). */
	for (size_t i = 0; i < ac->chain->n_keys; i++) {
		const struct keychain_key *k = &ac->chain->keys[i];
		if ((k->id & 0xff) != pkt->auth.key_id || !keychain_key_accepts(k, now))
			continue;
		any = true;
		ok |= auth_verify_key(buf, pkt, k->algo, k->secret);
	}
	if (!any)
		return RIP_AUTH_ERR_KEY;
	return ok ? RIP_AUTH_OK : RIP_AUTH_ERR_FAIL;
}

int
rip_auth_verify(const uint8_t *buf, size_t len, const struct rip_packet *pkt,
    const struct rip_auth_conf *ac, int64_t now, uint8_t *key_id, uint32_t *seqno)
{
	int rc;

	if (!pkt->has_auth)
		return RIP_AUTH_ERR_MISSING;
	/* The codec pointed the trailer into this very buffer. */
	if (pkt->auth.trailer != NULL && (pkt->auth.trailer < buf ||
	    (size_t)(pkt->auth.trailer - buf) + pkt->auth.trailer_len > len))
		return RIP_AUTH_ERR_FAIL;
	switch (ac->mode) {
	case RIP_AUTH_MODE_TEXT:
		if (pkt->auth.type != RIP_AUTH_SIMPLE)
			return RIP_AUTH_ERR_TYPE;
		rc = auth_verify_simple(pkt, ac, now);
		break;
	case RIP_AUTH_MODE_MD5:
		if (pkt->auth.type != RIP_AUTH_CRYPTO)
			return RIP_AUTH_ERR_TYPE;
		rc = auth_verify_keyed(buf, pkt, ac, now);
		break;
	default:
		return RIP_AUTH_ERR_TYPE;
	}
	if (rc == RIP_AUTH_OK) {
		*key_id = pkt->auth.key_id;
		*seqno = pkt->auth.seqno;
	}
	return rc;
}

/* ----------------------------------------------------------------- sign */

size_t
rip_auth_sign(uint8_t *buf, size_t len, size_t cap, const struct rip_auth_conf *ac,
    int64_t now, uint32_t seqno)
{
	const struct keychain_key *key = NULL;
	const char *secret;
	enum keychain_algo algo = KEYCHAIN_ALGO_MD5;
	uint8_t key_id = 1, digest[RIP_AUTH_DIGEST_MAX], pw[RIP_AUTH_PASSWD_LEN];
	struct wcursor w;
	size_t dlen, total;

	if (buf == NULL || len < RIP_HDR_LEN + RIP_RTE_LEN || len > cap)
		return 0;
	if (ac->string != NULL && ac->string[0] != '\0') {
		secret = ac->string;
	} else if (ac->chain != NULL && (key = keychain_key_send(ac->chain, now)) != NULL) {
		secret = key->secret;
		key_id = (uint8_t)(key->id & 0xff);	/* as FRR: key N is N mod 256 */
		algo = auth_algo(key->algo);
	} else {
		return 0;
	}

	/* The authentication entry takes the first entry's place (RFC 2453 4.1). */
	wcur_init(&w, buf + RIP_HDR_LEN, RIP_RTE_LEN);
	wcur_u16(&w, RIP_AF_AUTH);
	if (ac->mode == RIP_AUTH_MODE_TEXT) {
		wcur_u16(&w, RIP_AUTH_SIMPLE);
		auth_pad16(secret, pw);
		wcur_bytes(&w, pw, sizeof(pw));
		explicit_bzero(pw, sizeof(pw));
		return w.err ? 0 : len;
	}
	if (ac->mode != RIP_AUTH_MODE_MD5)
		return 0;

	dlen = auth_digest_len(algo);
	total = len + RIP_AUTH_TRAILER_HDR + dlen;
	if (total > cap || len > UINT16_MAX)
		return 0;
	/* RFC 4822 2.2: offset of the trailer, key id, Auth Data Len, sequence number. */
	wcur_u16(&w, RIP_AUTH_CRYPTO);
	wcur_u16(&w, (uint16_t)len);
	wcur_u8(&w, key_id);
	/* Keyed MD5's length is the interface's auth-length; HMAC's is the digest's. */
	wcur_u8(&w, algo == KEYCHAIN_ALGO_MD5 ? ac->md5_auth_len : (uint8_t)dlen);
	wcur_u32(&w, seqno);
	wcur_u32(&w, 0);
	wcur_u32(&w, 0);
	if (w.err)
		return 0;
	buf[len] = 0xff;
	buf[len + 1] = 0xff;
	buf[len + 2] = 0x00;
	buf[len + 3] = 0x01;
	auth_compute(algo, secret, buf, total, dlen, digest);
	memcpy(buf + total - dlen, digest, dlen);
	explicit_bzero(digest, sizeof(digest));
	return total;
}

/* ------------------------------------------------------ sequence numbers */

bool
rip_auth_seq_ok(const struct rip_auth_seq tab[RIP_AUTH_SEQ_SLOTS], uint8_t key_id,
    uint32_t seqno)
{
	for (size_t i = 0; i < RIP_AUTH_SEQ_SLOTS; i++)
		if (tab[i].used && tab[i].key_id == key_id)
			return seqno >= tab[i].seqno;
	return true;
}

void
rip_auth_seq_update(struct rip_auth_seq tab[RIP_AUTH_SEQ_SLOTS], uint8_t key_id,
    uint32_t seqno, uint64_t stamp)
{
	size_t slot = RIP_AUTH_SEQ_SLOTS;

	for (size_t i = 0; i < RIP_AUTH_SEQ_SLOTS; i++)
		if (tab[i].used && tab[i].key_id == key_id)
			slot = i;
	if (slot < RIP_AUTH_SEQ_SLOTS) {
		if (seqno > tab[slot].seqno)
			tab[slot].seqno = seqno;
	} else {
		/* A new key id: a free slot, or the least recently used one. */
		slot = 0;
		for (size_t i = 0; i < RIP_AUTH_SEQ_SLOTS; i++) {
			if (!tab[i].used) {
				slot = i;
				break;
			}
			if (tab[i].stamp < tab[slot].stamp)
				slot = i;
		}
		tab[slot].used = true;
		tab[slot].key_id = key_id;
		tab[slot].seqno = seqno;
	}
	tab[slot].stamp = stamp;
}
