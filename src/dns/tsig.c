/*
 * tsig.c - TSIG (RFC 8945) with nettle's HMACs.  See tsig.h.
 *
 * This first version holds the API only: every verification says FORMERR
 * and nothing is signed yet.
 */
#include "tsig.h"

#include <nettle/base64.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *
dns_tsig_alg_name(int alg)
{
	static const char *const names[DNS_TSIG_ALG_COUNT] = {
		"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384",
		"hmac-sha512",
	};

	return alg >= 0 && alg < DNS_TSIG_ALG_COUNT ? names[alg] : "?";
}

int
dns_tsig_alg_parse(const char *s)
{
	for (int i = 0; i < DNS_TSIG_ALG_COUNT; i++)
		if (strcasecmp(s, dns_tsig_alg_name(i)) == 0)
			return i;
	return -1;
}

const char *
dns_tsig_status_str(int status)
{
	return "FORMERR";
}

unsigned
dns_tsig_rcode(int status)
{
	return status == DNS_TSIG_OK || status == DNS_TSIG_NONE ? 0 : 1;
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

int
dns_tsig_find(const uint8_t *msg, size_t len, struct dns_tsig_rr *rr)
{
	return -1;
}

int
dns_tsig_sign_query(struct dns_tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now)
{
	return DNS_TSIG_E_STATE;
}

int
dns_tsig_verify_query(struct dns_tsig_ctx *ctx, const struct dns_tsig_key *keys,
    size_t n_keys, const uint8_t *msg, size_t len, uint64_t now)
{
	return DNS_TSIG_FORMERR;
}

int
dns_tsig_sign_reply(struct dns_tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now, uint16_t tsig_error)
{
	return DNS_TSIG_E_STATE;
}

int
dns_tsig_verify_reply(struct dns_tsig_ctx *ctx, const uint8_t *msg, size_t len,
    uint64_t now)
{
	return DNS_TSIG_FORMERR;
}

int
dns_tsig_verify_end(const struct dns_tsig_ctx *ctx)
{
	return DNS_TSIG_UNSIGNED;
}
