/*
 * tsig.c - TSIG (RFC 8945) with nettle's HMACs.  See tsig.h.
 *
 * What a MAC covers (RFC 8945 4.3):
 *
 *   request:             message, TSIG variables
 *   reply (first):       request MAC (size, MAC), message, TSIG variables
 *   reply (later, 5.3.1): previous MAC (size, MAC), the unsigned messages
 *                        since it, this message, TSIG timers
 *
 * "message" is the message as sent before the TSIG record was added: its
 * ID replaced by the record's Original ID, ARCOUNT without the TSIG
 * record (4.3.2).  TSIG variables (4.3.3): key name and algorithm name in
 * canonical form (lowercase, uncompressed), class ANY, TTL 0, Time Signed
 * (48 bits), Fudge, Error, Other Len, Other Data; timers: Time Signed and
 * Fudge only.
 */
#include "tsig.h"

#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../lib/cursor.h"

#define TSIG_HDR_LEN 12
#define TSIG_RR_FIXED 10    /* type, class, TTL, RDLENGTH */
#define TSIG_RDATA_FIXED 16 /* time 6, fudge 2, MAC size 2, original ID 2, error 2, other len 2 */

/* The HMAC state (outer, inner, running) lives in ctx->hmac, one third each. */
#define TSIG_HASH_CTX_MAX (sizeof(((struct dns_tsig_ctx *)0)->hmac) / 3)
_Static_assert(sizeof(struct sha512_ctx) <= TSIG_HASH_CTX_MAX,
    "dns_tsig_ctx.hmac too small for nettle's SHA-512 context");
_Static_assert(TSIG_HASH_CTX_MAX % alignof(max_align_t) == 0, "hash contexts misaligned");

struct tsig_alg {
	const char *name;        /* the config's name */
	const uint8_t *wire;     /* the algorithm name on the wire (RFC 8945 6) */
	const struct nettle_hash *hash;
};

#define W(...) (const uint8_t[]){ __VA_ARGS__ }
static const struct tsig_alg tsig_algs[DNS_TSIG_ALG_COUNT] = {
	[DNS_TSIG_HMAC_MD5] = { "hmac-md5",
	    W(8, 'h', 'm', 'a', 'c', '-', 'm', 'd', '5', 7, 's', 'i', 'g', '-', 'a', 'l', 'g',
	      3, 'r', 'e', 'g', 3, 'i', 'n', 't', 0), &nettle_md5 },
	[DNS_TSIG_HMAC_SHA1] = { "hmac-sha1",
	    W(9, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '1', 0), &nettle_sha1 },
	[DNS_TSIG_HMAC_SHA224] = { "hmac-sha224",
	    W(11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '2', '4', 0), &nettle_sha224 },
	[DNS_TSIG_HMAC_SHA256] = { "hmac-sha256",
	    W(11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '2', '5', '6', 0), &nettle_sha256 },
	[DNS_TSIG_HMAC_SHA384] = { "hmac-sha384",
	    W(11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '3', '8', '4', 0), &nettle_sha384 },
	[DNS_TSIG_HMAC_SHA512] = { "hmac-sha512",
	    W(11, 'h', 'm', 'a', 'c', '-', 's', 'h', 'a', '5', '1', '2', 0), &nettle_sha512 },
};
#undef W

const char *
dns_tsig_alg_name(int alg)
{
	return alg >= 0 && alg < DNS_TSIG_ALG_COUNT ? tsig_algs[alg].name : "?";
}

int
dns_tsig_alg_parse(const char *s)
{
	for (int i = 0; i < DNS_TSIG_ALG_COUNT; i++)
		if (strcasecmp(s, tsig_algs[i].name) == 0)
			return i;
	/* The wire name of HMAC-MD5, as BIND's configs spell it. */
	if (strcasecmp(s, "hmac-md5.sig-alg.reg.int") == 0 ||
	    strcasecmp(s, "hmac-md5.sig-alg.reg.int.") == 0)
		return DNS_TSIG_HMAC_MD5;
	return -1;
}

/* The algorithm a wire name stands for (any case), or -1. */
static int
tsig_alg_from_wire(const uint8_t *name)
{
	for (int i = 0; i < DNS_TSIG_ALG_COUNT; i++)
		if (dns_name_equal(name, tsig_algs[i].wire))
			return i;
	return -1;
}

const char *
dns_tsig_status_str(int status)
{
	static const char *const names[DNS_TSIG_STATUS_COUNT] = {
		[DNS_TSIG_OK] = "OK", [DNS_TSIG_NONE] = "unsigned",
		[DNS_TSIG_FORMERR] = "FORMERR", [DNS_TSIG_BADKEY] = "BADKEY",
		[DNS_TSIG_BADSIG] = "BADSIG", [DNS_TSIG_BADTIME] = "BADTIME",
		[DNS_TSIG_BADTRUNC] = "BADTRUNC", [DNS_TSIG_PEERERR] = "error from peer",
		[DNS_TSIG_UNSIGNED] = "unsigned reply",
	};

	return status >= 0 && status < DNS_TSIG_STATUS_COUNT ? names[status] : "?";
}

unsigned
dns_tsig_rcode(int status)
{
	switch (status) {
	case DNS_TSIG_OK:
	case DNS_TSIG_NONE:
		return 0;
	case DNS_TSIG_FORMERR:
		return 1;
	default:
		return DNS_RCODE_NOTAUTH;
	}
}

/* The TSIG error code a failed check puts in the reply (RFC 8945 5.2). */
static uint16_t
tsig_status_error(int status)
{
	switch (status) {
	case DNS_TSIG_BADKEY: return DNS_TSIG_ERR_BADKEY;
	case DNS_TSIG_BADSIG: return DNS_TSIG_ERR_BADSIG;
	case DNS_TSIG_BADTIME: return DNS_TSIG_ERR_BADTIME;
	case DNS_TSIG_BADTRUNC: return DNS_TSIG_ERR_BADTRUNC;
	default: return 0;
	}
}

/*
 * Strict base64 (RFC 4648 4): the alphabet, a length that is a multiple
 * of 4 and at most two '=' at the end.  nettle's decoder is lenient
 * (blanks, missing padding); a secret copied wrongly should not load.
 */
static bool
tsig_b64_valid(const char *s, size_t len)
{
	size_t pad = 0;

	if (len == 0 || len % 4 != 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return false;
	}
	return pad <= 2;
}

int
dns_tsig_key_parse(const char *name, const char *alg, const char *b64,
    struct dns_tsig_key *k, char *err, size_t errlen)
{
	static const uint8_t root[1] = { 0 };
	uint8_t wire[DNS_NAME_MAX], buf[BASE64_DECODE_LENGTH(DNS_TSIG_B64_MAX)];
	struct base64_decode_ctx b;
	size_t blen = strlen(b64), out = sizeof(buf);
	int len;

	memset(k, 0, sizeof(*k));
	/* Key names are absolute whether or not they end in a dot (as zone names). */
	if ((len = dns_name_from_text(wire, name, root)) < 0) {
		snprintf(err, errlen, "invalid key name '%s'", name);
		return -1;
	}
	k->name_len = (uint8_t)dns_name_lower(k->name_wire, wire);
	dns_name_to_text(k->name_wire, k->name);
	if ((k->alg = dns_tsig_alg_parse(alg)) < 0) {
		snprintf(err, errlen, "unknown algorithm '%s' (hmac-md5, hmac-sha1, hmac-sha224, "
		    "hmac-sha256, hmac-sha384 or hmac-sha512)", alg);
		return -1;
	}
	if (blen >= DNS_TSIG_B64_MAX || !tsig_b64_valid(b64, blen)) {
		snprintf(err, errlen, blen >= DNS_TSIG_B64_MAX ?
		    "secret longer than %d octets" : "secret is not valid base64",
		    DNS_TSIG_SECRET_MAX);
		return -1;
	}
	base64_decode_init(&b);
	if (!base64_decode_update(&b, &out, buf, blen, b64) || !base64_decode_final(&b) ||
	    out == 0) {
		snprintf(err, errlen, "secret is not valid base64");
		return -1;
	}
	if (out > DNS_TSIG_SECRET_MAX) {
		snprintf(err, errlen, "secret longer than %d octets", DNS_TSIG_SECRET_MAX);
		return -1;
	}
	memcpy(k->secret, buf, out);
	k->secret_len = out;
	return 0;
}

void
dns_tsig_key_b64(const struct dns_tsig_key *k, char out[DNS_TSIG_B64_MAX])
{
	size_t n = BASE64_ENCODE_RAW_LENGTH(k->secret_len);

	base64_encode_raw(out, k->secret_len, k->secret);
	out[n] = '\0';
}

void
dns_tsig_ctx_init(struct dns_tsig_ctx *ctx, const struct dns_tsig_key *key)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->key = key;
}

/* ---------------------------------------------------------------- HMAC */

static void *
tsig_outer(struct dns_tsig_ctx *ctx)
{
	return ctx->hmac;
}

static void *
tsig_inner(struct dns_tsig_ctx *ctx)
{
	return ctx->hmac + TSIG_HASH_CTX_MAX;
}

static void *
tsig_state(struct dns_tsig_ctx *ctx)
{
	return ctx->hmac + 2 * TSIG_HASH_CTX_MAX;
}

static const struct nettle_hash *
tsig_hash(const struct dns_tsig_ctx *ctx)
{
	return tsig_algs[ctx->key->alg].hash;
}

static void
tsig_update(struct dns_tsig_ctx *ctx, const void *data, size_t len)
{
	if (len == 0)
		return; /* data may be NULL (no Other Data) */
	hmac_update(tsig_state(ctx), tsig_hash(ctx), len, data);
}

static void
tsig_update_u16(struct dns_tsig_ctx *ctx, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	tsig_update(ctx, b, 2);
}

static void
tsig_update_u48(struct dns_tsig_ctx *ctx, uint64_t v)
{
	uint8_t b[6];

	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(v >> (8 * (5 - i)));
	tsig_update(ctx, b, 6);
}

/*
 * Open an HMAC with the key; when there is a previous MAC (the request's
 * for a reply, the last one of a stream), it goes first, with its size
 * (RFC 8945 4.3.1, 5.3.1).
 */
static void
tsig_begin(struct dns_tsig_ctx *ctx, bool prior)
{
	const struct dns_tsig_key *k = ctx->key;

	hmac_set_key(tsig_outer(ctx), tsig_inner(ctx), tsig_state(ctx), tsig_hash(ctx),
	    k->secret_len, k->secret);
	if (prior) {
		tsig_update_u16(ctx, ctx->mac_len);
		tsig_update(ctx, ctx->mac, ctx->mac_len);
	}
	ctx->running = true;
}

/*
 * A message without its TSIG record: msg[0..end) with the ID replaced by
 * orig_id and ARCOUNT by arcount (RFC 8945 4.3.2).
 */
static void
tsig_update_msg(struct dns_tsig_ctx *ctx, const uint8_t *msg, size_t end, uint16_t orig_id,
    uint16_t arcount)
{
	uint8_t hdr[TSIG_HDR_LEN];

	memcpy(hdr, msg, TSIG_HDR_LEN);
	hdr[0] = (uint8_t)(orig_id >> 8);
	hdr[1] = (uint8_t)orig_id;
	hdr[10] = (uint8_t)(arcount >> 8);
	hdr[11] = (uint8_t)arcount;
	tsig_update(ctx, hdr, TSIG_HDR_LEN);
	tsig_update(ctx, msg + TSIG_HDR_LEN, end - TSIG_HDR_LEN);
}

/* The TSIG variables (RFC 8945 4.3.3), or only the timers (5.3.1). */
static void
tsig_update_vars(struct dns_tsig_ctx *ctx, bool timers_only, const uint8_t *key_name,
    const uint8_t *alg_name, uint64_t time_signed, uint16_t fudge, uint16_t error,
    const uint8_t *other, uint16_t other_len)
{
	if (!timers_only) {
		uint8_t canon[DNS_NAME_MAX];
		size_t n = dns_name_lower(canon, key_name);
		tsig_update(ctx, canon, n);
		tsig_update_u16(ctx, DNS_TSIG_CLASS_ANY);
		tsig_update(ctx, (const uint8_t[4]){ 0, 0, 0, 0 }, 4); /* TTL */
		n = dns_name_lower(canon, alg_name);
		tsig_update(ctx, canon, n);
	}
	tsig_update_u48(ctx, time_signed);
	tsig_update_u16(ctx, fudge);
	if (!timers_only) {
		tsig_update_u16(ctx, error);
		tsig_update_u16(ctx, other_len);
		tsig_update(ctx, other, other_len);
	}
}

/* Close the HMAC: the full MAC in out, its length returned. */
static size_t
tsig_finish(struct dns_tsig_ctx *ctx, uint8_t out[DNS_TSIG_MAC_MAX])
{
	size_t n = tsig_hash(ctx)->digest_size;

	hmac_digest(tsig_outer(ctx), tsig_inner(ctx), tsig_state(ctx), tsig_hash(ctx), n, out);
	ctx->running = false;
	return n;
}

/* ---------------------------------------------------------------- reading */

/* Skip a possibly compressed name (RFC 1035 4.1.4); false when malformed. */
static bool
tsig_skip_name(const uint8_t *msg, size_t len, size_t *pos)
{
	uint8_t name[DNS_NAME_MAX];

	return dnsmsg_name_read(msg, len, pos, name) >= 0;
}

/* An uncompressed name at c's position (RFC 8945 4.2, RFC 3597 4): its start, or NULL. */
static const uint8_t *
tsig_plain_name(struct cursor *c, uint8_t *len)
{
	int n = dns_name_wire_len(c->buf + c->pos, cur_left(c));

	if (c->err || n < 0)
		return NULL;
	*len = (uint8_t)n;
	c->pos += (size_t)n;
	return c->buf + c->pos - n;
}

static uint64_t
cur_u48(struct cursor *c)
{
	uint64_t hi = cur_u16(c);

	return (hi << 32) | cur_u32(c);
}

int
dns_tsig_find(const uint8_t *msg, size_t len, struct dns_tsig_rr *rr)
{
	unsigned qd, an, ns, ar, total;
	size_t pos = TSIG_HDR_LEN, last = 0;
	bool tsig_seen = false;

	memset(rr, 0, sizeof(*rr));
	if (len < TSIG_HDR_LEN)
		return -1;
	qd = (unsigned)(msg[4] << 8 | msg[5]);
	an = (unsigned)(msg[6] << 8 | msg[7]);
	ns = (unsigned)(msg[8] << 8 | msg[9]);
	ar = (unsigned)(msg[10] << 8 | msg[11]);
	for (unsigned i = 0; i < qd; i++) {
		if (!tsig_skip_name(msg, len, &pos) || len - pos < 4)
			return -1;
		pos += 4;
	}
	/* Every record is walked: a TSIG anywhere but last is an error (5.2). */
	total = an + ns + ar;
	for (unsigned i = 0; i < total; i++) {
		size_t start = pos;
		uint16_t type, rdlen;
		if (!tsig_skip_name(msg, len, &pos) || len - pos < TSIG_RR_FIXED)
			return -1;
		type = (uint16_t)(msg[pos] << 8 | msg[pos + 1]);
		rdlen = (uint16_t)(msg[pos + 8] << 8 | msg[pos + 9]);
		pos += TSIG_RR_FIXED;
		if (len - pos < rdlen)
			return -1;
		pos += rdlen;
		if (type == DNS_TSIG_TYPE) {
			/* Only once, and only as the last record of the additional section (5.2). */
			if (tsig_seen || i != total - 1 || i < an + ns)
				return -1;
			tsig_seen = true;
			last = start;
		}
	}
	if (!tsig_seen)
		return 0;
	/* Nothing may follow the record: the MAC would not cover it. */
	if (pos != len)
		return -1;

	struct cursor c;
	cur_init(&c, msg, len);
	c.pos = last;
	rr->start = last;
	if ((rr->key_name = tsig_plain_name(&c, &rr->key_name_len)) == NULL)
		return -1;
	(void)cur_u16(&c); /* type, known */
	if (cur_u16(&c) != DNS_TSIG_CLASS_ANY || cur_u32(&c) != 0)
		return -1; /* RFC 8945 4.2: class ANY, TTL 0 */
	uint16_t rdlen = cur_u16(&c);
	struct cursor rd = cur_sub(&c, rdlen);
	if (rd.err || (rr->alg_name = tsig_plain_name(&rd, &rr->alg_name_len)) == NULL)
		return -1;
	rr->time_signed = cur_u48(&rd);
	rr->fudge = cur_u16(&rd);
	rr->mac_len = cur_u16(&rd);
	if (cur_left(&rd) < rr->mac_len)
		return -1;
	rr->mac = rd.buf + rd.pos;
	cur_skip(&rd, rr->mac_len);
	rr->orig_id = cur_u16(&rd);
	rr->error = cur_u16(&rd);
	rr->other_len = cur_u16(&rd);
	if (cur_left(&rd) != rr->other_len)
		return -1; /* short, or bytes after Other Data */
	rr->other = rd.buf + rd.pos;
	cur_skip(&rd, rr->other_len);
	if (rd.err || c.err)
		return -1;
	return 1;
}

/* ---------------------------------------------------------------- writing */

/*
 * Append the TSIG record to msg[0..*len) and count it in ARCOUNT: the
 * names as given, the MAC (mac_len 0: none), Original ID the message's.
 */
static int
tsig_append(uint8_t *msg, size_t *len, size_t cap, const uint8_t *key_name,
    const uint8_t *alg_name, uint64_t time_signed, uint16_t fudge, const uint8_t *mac,
    size_t mac_len, uint16_t error, const uint8_t *other, uint16_t other_len)
{
	size_t kl = (size_t)dns_name_wire_len(key_name, DNS_NAME_MAX);
	size_t al = (size_t)dns_name_wire_len(alg_name, DNS_NAME_MAX);
	size_t rdlen = al + TSIG_RDATA_FIXED + mac_len + other_len;
	uint16_t ar = (uint16_t)(msg[10] << 8 | msg[11]);
	struct wcursor w;

	if (ar == UINT16_MAX)
		return DNS_TSIG_E_NOSPACE;
	if (*len > cap || cap - *len < kl + TSIG_RR_FIXED + rdlen)
		return DNS_TSIG_E_NOSPACE;
	wcur_init(&w, msg + *len, cap - *len);
	wcur_bytes(&w, key_name, kl);
	wcur_u16(&w, DNS_TSIG_TYPE);
	wcur_u16(&w, DNS_TSIG_CLASS_ANY);
	wcur_u32(&w, 0);
	wcur_u16(&w, (uint16_t)rdlen);
	wcur_bytes(&w, alg_name, al);
	wcur_u16(&w, (uint16_t)(time_signed >> 32));
	wcur_u32(&w, (uint32_t)time_signed);
	wcur_u16(&w, fudge);
	wcur_u16(&w, (uint16_t)mac_len);
	if (mac_len > 0) /* an error reply's MAC is empty, and may be NULL */
		wcur_bytes(&w, mac, mac_len);
	wcur_bytes(&w, msg, 2); /* Original ID: the message's */
	wcur_u16(&w, error);
	wcur_u16(&w, other_len);
	if (other_len > 0)
		wcur_bytes(&w, other, other_len);
	if (w.err)
		return DNS_TSIG_E_NOSPACE;
	*len += w.pos;
	ar++;
	msg[10] = (uint8_t)(ar >> 8);
	msg[11] = (uint8_t)ar;
	return 0;
}

static uint16_t
msg_id(const uint8_t *msg)
{
	return (uint16_t)(msg[0] << 8 | msg[1]);
}

static uint16_t
msg_arcount(const uint8_t *msg)
{
	return (uint16_t)(msg[10] << 8 | msg[11]);
}

/* Time Signed is 48 bits (RFC 8945 4.2). */
static uint64_t
tsig_time(uint64_t now)
{
	return now & 0xffffffffffffULL;
}

int
dns_tsig_sign_query(struct dns_tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now)
{
	const struct dns_tsig_key *k = ctx->key;
	const uint8_t *alg;
	uint8_t mac[DNS_TSIG_MAC_MAX];
	size_t mac_len;
	int rc;

	if (*len < TSIG_HDR_LEN)
		return DNS_TSIG_E_MSG;
	if (k == NULL || k->alg < 0 || k->alg >= DNS_TSIG_ALG_COUNT)
		return DNS_TSIG_E_STATE;
	alg = tsig_algs[k->alg].wire;
	ctx->time_signed = tsig_time(now);
	ctx->fudge = DNS_TSIG_FUDGE;
	tsig_begin(ctx, false);
	tsig_update_msg(ctx, msg, *len, msg_id(msg), msg_arcount(msg));
	tsig_update_vars(ctx, false, k->name_wire, alg, ctx->time_signed, ctx->fudge, 0, NULL, 0);
	mac_len = tsig_finish(ctx, mac);
	rc = tsig_append(msg, len, cap, k->name_wire, alg, ctx->time_signed, ctx->fudge, mac,
	    mac_len, 0, NULL, 0);
	if (rc != 0)
		return rc;
	/* The request MAC, first in the reply's MAC (4.3.1). */
	memcpy(ctx->mac, mac, mac_len);
	ctx->mac_len = (uint16_t)mac_len;
	ctx->replies = 0;
	ctx->unsigned_run = 0;
	ctx->last_signed = false;
	return 0;
}

/*
 * The truncation rules (RFC 8945 5.2.2.1): longer than the hash, or
 * shorter than max(10, hash / 2) octets: FORMERR; any other truncation:
 * BADTRUNC (our policy, tsig.h); full length: OK.
 */
static int
tsig_check_mac_len(int alg, uint16_t mac_len)
{
	size_t full = tsig_algs[alg].hash->digest_size;
	size_t min = full / 2 > 10 ? full / 2 : 10;

	if (mac_len > full || mac_len < min)
		return DNS_TSIG_FORMERR;
	return mac_len < full ? DNS_TSIG_BADTRUNC : DNS_TSIG_OK;
}

/* |now - signed| <= fudge, both 48 bits (RFC 8945 5.2.3: the bounds are inside). */
static bool
tsig_time_ok(uint64_t now, uint64_t signed_at, uint16_t fudge)
{
	uint64_t t = tsig_time(now);
	uint64_t d = t > signed_at ? t - signed_at : signed_at - t;

	return d <= fudge;
}

/* Compare the first n octets in constant time (nettle's memeql_sec). */
static bool
tsig_mac_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	return memeql_sec(a, b, n) != 0;
}

int
dns_tsig_verify_query(struct dns_tsig_ctx *ctx, const struct dns_tsig_key *keys,
    size_t n_keys, const uint8_t *msg, size_t len, uint64_t now)
{
	struct dns_tsig_rr rr;
	uint8_t mac[DNS_TSIG_MAC_MAX];
	const struct dns_tsig_key *key = NULL;
	int alg, rc, trunc;

	dns_tsig_ctx_init(ctx, NULL);
	rc = dns_tsig_find(msg, len, &rr);
	if (rc == 0)
		return DNS_TSIG_NONE;
	if (rc < 0)
		return DNS_TSIG_FORMERR;
	/* Kept for the reply, which echoes them (5.3.2). */
	memcpy(ctx->key_name, rr.key_name, rr.key_name_len);
	ctx->key_name_len = rr.key_name_len;
	memcpy(ctx->alg_name, rr.alg_name, rr.alg_name_len);
	ctx->alg_name_len = rr.alg_name_len;
	ctx->time_signed = rr.time_signed;
	ctx->fudge = rr.fudge;

	/* 5.2.1: a key of that name and algorithm. */
	alg = tsig_alg_from_wire(rr.alg_name);
	for (size_t i = 0; i < n_keys && alg >= 0; i++)
		if (keys[i].alg == alg && dns_name_equal(keys[i].name_wire, rr.key_name)) {
			key = &keys[i];
			break;
		}
	if (key == NULL) {
		ctx->error = DNS_TSIG_ERR_BADKEY;
		return DNS_TSIG_BADKEY;
	}
	/* 5.2.2.1 before the MAC: sizes the RFC forbids are FORMERR. */
	if ((trunc = tsig_check_mac_len(alg, rr.mac_len)) == DNS_TSIG_FORMERR)
		return DNS_TSIG_FORMERR;

	/* 5.2.2: the MAC. */
	ctx->key = key;
	tsig_begin(ctx, false);
	tsig_update_msg(ctx, msg, rr.start, rr.orig_id, (uint16_t)(msg_arcount(msg) - 1));
	tsig_update_vars(ctx, false, rr.key_name, rr.alg_name, rr.time_signed, rr.fudge,
	    rr.error, rr.other, rr.other_len);
	tsig_finish(ctx, mac);
	if (!tsig_mac_equal(mac, rr.mac, rr.mac_len)) {
		ctx->key = NULL; /* not proven: the reply goes out unsigned */
		ctx->error = DNS_TSIG_ERR_BADSIG;
		return DNS_TSIG_BADSIG;
	}
	/* The reply's MAC starts with the request's, as sent (4.3.1). */
	memcpy(ctx->mac, rr.mac, rr.mac_len);
	ctx->mac_len = rr.mac_len;

	/* 5.2.3: the time, then 5.2.4: the truncation policy. */
	if (!tsig_time_ok(now, rr.time_signed, rr.fudge)) {
		ctx->error = DNS_TSIG_ERR_BADTIME;
		return DNS_TSIG_BADTIME;
	}
	if (trunc != DNS_TSIG_OK) {
		ctx->error = tsig_status_error(trunc);
		return trunc;
	}
	ctx->error = 0;
	return DNS_TSIG_OK;
}

int
dns_tsig_sign_reply(struct dns_tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now, uint16_t tsig_error)
{
	uint8_t mac[DNS_TSIG_MAC_MAX], other[6];
	uint16_t other_len = 0;
	uint64_t t = tsig_time(now);
	const uint8_t *key_name, *alg_name;
	size_t mac_len;
	int rc;

	if (*len < TSIG_HDR_LEN)
		return DNS_TSIG_E_MSG;
	if (tsig_error != 0) {
		/* 5.3.2: the RCODE of every TSIG error is NOTAUTH; it is under the MAC. */
		msg[3] = (uint8_t)((msg[3] & 0xf0) | DNS_RCODE_NOTAUTH);
	}
	if (tsig_error == DNS_TSIG_ERR_BADKEY || tsig_error == DNS_TSIG_ERR_BADSIG ||
	    (tsig_error != 0 && ctx->key == NULL)) {
		/* Unsigned: the request's names echoed, an empty MAC (5.3.2). */
		if (ctx->key_name_len == 0 || ctx->alg_name_len == 0)
			return DNS_TSIG_E_STATE;
		return tsig_append(msg, len, cap, ctx->key_name, ctx->alg_name, t,
		    DNS_TSIG_FUDGE, NULL, 0, tsig_error, NULL, 0);
	}
	if (ctx->key == NULL || ctx->mac_len == 0)
		return DNS_TSIG_E_STATE;
	key_name = ctx->key->name_wire;
	alg_name = tsig_algs[ctx->key->alg].wire;
	if (tsig_error == DNS_TSIG_ERR_BADTIME) {
		/* 5.2.3: the request's Time Signed, our clock in Other Data. */
		for (int i = 0; i < 6; i++)
			other[i] = (uint8_t)(t >> (8 * (5 - i)));
		other_len = 6;
		t = ctx->time_signed;
	}
	/*
	 * The first reply: the request MAC and all variables; later ones the
	 * previous MAC (or the HMAC already running over unsigned messages)
	 * and the timers (5.3.1).
	 */
	if (!ctx->running)
		tsig_begin(ctx, true);
	tsig_update_msg(ctx, msg, *len, msg_id(msg), msg_arcount(msg));
	tsig_update_vars(ctx, ctx->replies > 0, key_name, alg_name, t, DNS_TSIG_FUDGE,
	    tsig_error, other, other_len);
	mac_len = tsig_finish(ctx, mac);
	rc = tsig_append(msg, len, cap, key_name, alg_name, t, DNS_TSIG_FUDGE, mac, mac_len,
	    tsig_error, other, other_len);
	if (rc != 0)
		return rc;
	memcpy(ctx->mac, mac, mac_len);
	ctx->mac_len = (uint16_t)mac_len;
	ctx->replies++;
	ctx->unsigned_run = 0;
	return 0;
}

int
dns_tsig_reply_unsigned(struct dns_tsig_ctx *ctx, const uint8_t *msg, size_t len)
{
	if (ctx->key == NULL || ctx->mac_len == 0 || ctx->replies == 0 ||
	    ctx->unsigned_run >= DNS_TSIG_UNSIGNED_MAX)
		return DNS_TSIG_E_STATE;
	if (!ctx->running)
		tsig_begin(ctx, true);
	tsig_update(ctx, msg, len);
	ctx->unsigned_run++;
	ctx->replies++;
	return 0;
}

int
dns_tsig_verify_reply(struct dns_tsig_ctx *ctx, const uint8_t *msg, size_t len,
    uint64_t now)
{
	struct dns_tsig_rr rr;
	uint8_t mac[DNS_TSIG_MAC_MAX];
	const struct dns_tsig_key *k = ctx->key;
	bool first = ctx->replies == 0;
	int rc, trunc;

	if (k == NULL || ctx->mac_len == 0)
		return DNS_TSIG_UNSIGNED; /* no signed request to answer */
	rc = dns_tsig_find(msg, len, &rr);
	if (rc < 0)
		return DNS_TSIG_FORMERR;
	if (rc == 0) {
		/*
		 * 5.3.1: the first reply is signed; later ones may come
		 * unsigned, at most 99 in a row, each covered by the next MAC.
		 */
		if (first || ctx->unsigned_run >= DNS_TSIG_UNSIGNED_MAX)
			return DNS_TSIG_UNSIGNED;
		if (!ctx->running)
			tsig_begin(ctx, true);
		tsig_update(ctx, msg, len);
		ctx->unsigned_run++;
		ctx->replies++;
		ctx->last_signed = false;
		return DNS_TSIG_NONE;
	}
	/* 5.4.1: the key we asked with. */
	if (!dns_name_equal(rr.key_name, k->name_wire) ||
	    tsig_alg_from_wire(rr.alg_name) != k->alg)
		return DNS_TSIG_BADKEY;
	if (rr.error != 0 && rr.mac_len == 0) {
		/* BADKEY/BADSIG come unsigned (5.3.2): nothing to verify. */
		ctx->error = rr.error;
		return DNS_TSIG_PEERERR;
	}
	if ((trunc = tsig_check_mac_len(k->alg, rr.mac_len)) == DNS_TSIG_FORMERR)
		return DNS_TSIG_FORMERR;
	if (!ctx->running)
		tsig_begin(ctx, true);
	tsig_update_msg(ctx, msg, rr.start, rr.orig_id, (uint16_t)(msg_arcount(msg) - 1));
	tsig_update_vars(ctx, !first, rr.key_name, rr.alg_name, rr.time_signed, rr.fudge,
	    rr.error, rr.other, rr.other_len);
	tsig_finish(ctx, mac);
	if (!tsig_mac_equal(mac, rr.mac, rr.mac_len))
		return DNS_TSIG_BADSIG;
	memcpy(ctx->mac, rr.mac, rr.mac_len);
	ctx->mac_len = rr.mac_len;
	ctx->replies++;
	ctx->unsigned_run = 0;
	ctx->last_signed = true;
	if (rr.error != 0) {
		/* A signed error: BADTIME with the server's clock (5.2.3), BADTRUNC. */
		ctx->error = rr.error;
		if (rr.error == DNS_TSIG_ERR_BADTIME && rr.other_len == 6) {
			ctx->peer_time = 0;
			for (int i = 0; i < 6; i++)
				ctx->peer_time = ctx->peer_time << 8 | rr.other[i];
		}
		return DNS_TSIG_PEERERR;
	}
	if (!tsig_time_ok(now, rr.time_signed, rr.fudge))
		return DNS_TSIG_BADTIME;
	if (trunc != DNS_TSIG_OK)
		return trunc;
	return DNS_TSIG_OK;
}

int
dns_tsig_verify_end(const struct dns_tsig_ctx *ctx)
{
	return ctx->last_signed ? DNS_TSIG_OK : DNS_TSIG_UNSIGNED;
}
