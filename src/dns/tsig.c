/*
 * tsig.c - TSIG (RFC 8945) with nettle's HMACs.  See tsig.h.
 *
 * This first version holds the API only: every verification says FORMERR
 * and nothing is signed yet.
 */
#include "tsig.h"

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

int
dns_tsig_key_parse(const char *name, const char *alg, const char *b64,
    struct dns_tsig_key *k, char *err, size_t errlen)
{
	snprintf(err, errlen, "key: not implemented yet");
	return -1;
}

void
dns_tsig_key_b64(const struct dns_tsig_key *k, char out[DNS_TSIG_B64_MAX])
{
	out[0] = '\0';
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
