/*
 * auth.c - BFD authentication (auth.h; RFC 5880 4.2-4.4, 6.7.2-6.7.4).
 *
 * Keyed MD5 and keyed SHA1 are not HMACs: the key, zero-padded to the
 * digest's length, is written where the digest goes, the hash is taken
 * over the whole packet, and the result replaces the key.  Digests come
 * from nettle; passwords and digests are compared with memeql_sec
 * (constant time).
 */
#include "bfd/auth.h"

#include <string.h>

#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/sha1.h>

#define BFD_AUTH_HDR 3		/* Auth Type, Auth Len, Auth Key ID */
#define BFD_AUTH_DIGEST_OFF 8	/* + Reserved and the Sequence Number */

static const char *const type_names[] = {
	[BFD_AUTH_NONE] = "none",
	[BFD_AUTH_SIMPLE] = "simple",
	[BFD_AUTH_KEYED_MD5] = "keyed-md5",
	[BFD_AUTH_MET_KEYED_MD5] = "meticulous-keyed-md5",
	[BFD_AUTH_KEYED_SHA1] = "keyed-sha1",
	[BFD_AUTH_MET_KEYED_SHA1] = "meticulous-keyed-sha1",
};

const char *
bfd_auth_type_name(enum bfd_auth_type type)
{
	if ((size_t)type < sizeof(type_names) / sizeof(type_names[0]))
		return type_names[type];
	return "unknown";
}

int
bfd_auth_type_parse(const char *word, enum bfd_auth_type *type)
{
	for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (strcmp(word, type_names[i]) == 0) {
			*type = (enum bfd_auth_type)i;
			return 0;
		}
	return -1;
}

bool
bfd_auth_meticulous(enum bfd_auth_type type)
{
	return type == BFD_AUTH_MET_KEYED_MD5 || type == BFD_AUTH_MET_KEYED_SHA1;
}

bool
bfd_auth_has_seq(enum bfd_auth_type type)
{
	return type >= BFD_AUTH_KEYED_MD5 && type <= BFD_AUTH_MET_KEYED_SHA1;
}

static bool
is_sha1(enum bfd_auth_type type)
{
	return type == BFD_AUTH_KEYED_SHA1 || type == BFD_AUTH_MET_KEYED_SHA1;
}

size_t
bfd_auth_key_max(enum bfd_auth_type type)
{
	switch (type) {
	case BFD_AUTH_SIMPLE:
		return BFD_AUTH_SIMPLE_MAX;
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_MET_KEYED_MD5:
		return MD5_DIGEST_SIZE;
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_MET_KEYED_SHA1:
		return SHA1_DIGEST_SIZE;
	default:
		return 0;
	}
}

static size_t
auth_len(enum bfd_auth_type type, size_t keylen)
{
	if (type == BFD_AUTH_SIMPLE)
		return BFD_AUTH_HDR + keylen;
	return is_sha1(type) ? BFD_AUTH_SHA1_LEN : BFD_AUTH_MD5_LEN;
}

/*
 * 6.7.3, 6.7.4: the digest of pkt[0..len) with the key, zero-padded to the
 * digest's length, in the digest field.  pkt is changed (the field).
 */
static void
auth_digest(enum bfd_auth_type type, const char *secret, uint8_t *pkt, size_t len,
    uint8_t *out)
{
	uint8_t *field = pkt + BFD_PKT_LEN + BFD_AUTH_DIGEST_OFF;
	size_t dlen = is_sha1(type) ? SHA1_DIGEST_SIZE : MD5_DIGEST_SIZE;

	memset(field, 0, dlen);
	memcpy(field, secret, strnlen(secret, dlen));
	if (is_sha1(type)) {
		struct sha1_ctx c;
		sha1_init(&c);
		sha1_update(&c, len, pkt);
		sha1_digest(&c, SHA1_DIGEST_SIZE, out);
	} else {
		struct md5_ctx c;
		md5_init(&c);
		md5_update(&c, len, pkt);
		md5_digest(&c, MD5_DIGEST_SIZE, out);
	}
}

int
bfd_auth_sign(enum bfd_auth_type type, const struct keychain_key *key, uint32_t seq,
    uint8_t *buf, size_t cap)
{
	size_t klen = strlen(key->secret), alen, len;
	uint8_t *a = buf + BFD_PKT_LEN;

	if (type == BFD_AUTH_NONE || klen == 0 || klen > bfd_auth_key_max(type))
		return BFD_ERR_NO_KEY;
	alen = auth_len(type, klen);
	len = BFD_PKT_LEN + alen;
	if (cap < len)
		return BFD_ERR_BUFFER;
	buf[1] |= BFD_F_AUTH;
	buf[3] = (uint8_t)len;
	a[0] = (uint8_t)type;
	a[1] = (uint8_t)alen;
	a[2] = (uint8_t)(key->id & 0xff);
	if (type == BFD_AUTH_SIMPLE) {
		memcpy(a + BFD_AUTH_HDR, key->secret, klen);
		return (int)len;
	}
	a[3] = 0;
	a[4] = (uint8_t)(seq >> 24);
	a[5] = (uint8_t)(seq >> 16);
	a[6] = (uint8_t)(seq >> 8);
	a[7] = (uint8_t)seq;
	{
		uint8_t d[SHA1_DIGEST_SIZE];
		size_t dlen = is_sha1(type) ? SHA1_DIGEST_SIZE : MD5_DIGEST_SIZE;

		auth_digest(type, key->secret, buf, len, d);
		memcpy(a + BFD_AUTH_DIGEST_OFF, d, dlen);
	}
	return (int)len;
}

/* One key against the packet: 1 when it authenticates. */
static int
auth_check_key(enum bfd_auth_type type, const char *secret, const struct bfd_pkt *p,
    const uint8_t *buf)
{
	size_t klen = strlen(secret);
	const uint8_t *a = buf + BFD_PKT_LEN;
	int ok;

	if (type == BFD_AUTH_SIMPLE) {
		uint8_t want[BFD_AUTH_SIMPLE_MAX], got[BFD_AUTH_SIMPLE_MAX];
		size_t plen = (size_t)p->auth_len - BFD_AUTH_HDR;

		/* Both padded to the field's maximum, so the compare takes one time. */
		memset(want, 0, sizeof(want));
		memset(got, 0, sizeof(got));
		memcpy(want, secret, klen);
		memcpy(got, a + BFD_AUTH_HDR, plen);
		ok = memeql_sec(want, got, sizeof(want)) & (plen == klen);
		explicit_bzero(want, sizeof(want));
		return ok;
	}
	{
		uint8_t pkt[BFD_PKT_MAX], d[SHA1_DIGEST_SIZE];
		size_t dlen = is_sha1(type) ? SHA1_DIGEST_SIZE : MD5_DIGEST_SIZE;

		memcpy(pkt, buf, p->length);
		auth_digest(type, secret, pkt, p->length, d);
		ok = memeql_sec(d, a + BFD_AUTH_DIGEST_OFF, dlen);
		explicit_bzero(pkt, sizeof(pkt));
		return ok;
	}
}

int
bfd_auth_verify(enum bfd_auth_type type, const struct keychain *chain, int64_t wall,
    const struct bfd_pkt *p, const uint8_t *buf)
{
	int candidates = 0, ok = 0;

	/* RFC 5880 6.8.6: the A bit must say what the session does. */
	if (type == BFD_AUTH_NONE)
		return (p->flags & BFD_F_AUTH) ? BFD_ERR_AUTH : BFD_OK;
	if (!(p->flags & BFD_F_AUTH))
		return BFD_ERR_AUTH_MISSING;
	if (p->auth_type != type)
		return BFD_ERR_AUTH_TYPE;
	/* The decoder checked the length against the type; be sure anyway. */
	if (buf == NULL || p->length != BFD_PKT_LEN + p->auth_len || p->length > BFD_PKT_MAX)
		return BFD_ERR_AUTH_FAILED;
	if (chain == NULL)
		return BFD_ERR_AUTH_KEY;
	for (size_t i = 0; i < chain->n_keys; i++) {
		const struct keychain_key *k = &chain->keys[i];
		size_t klen = strlen(k->secret);

		if ((k->id & 0xff) != p->auth_key_id || !keychain_key_accepts(k, wall) ||
		    klen > bfd_auth_key_max(type))
			continue;
		candidates++;
		ok |= auth_check_key(type, k->secret, p, buf);
	}
	if (candidates == 0)
		return BFD_ERR_AUTH_KEY;
	return ok ? BFD_OK : BFD_ERR_AUTH_FAILED;
}
