/*
 * fuzz_rip_auth.c - libFuzzer target for RIP authentication (src/rip/auth.c)
 * behind the codec (src/rip/packet.c).
 *
 * The first octet picks the interface's authentication (text or keyed, a
 * string or a key chain of four keys with every algorithm and overlapping
 * lifetimes, auth-length rfc or old-ripd), the next two the time within
 * those lifetimes; the rest is a datagram.  Whatever decodes is verified
 * (which must not crash or read outside it).  Then a property: the
 * datagram's entries signed with that configuration verify, and for keyed
 * modes the same datagram with any one bit flipped does not (the digest
 * covers every octet).  Anything else is a bug (abort()).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rip/auth.h"
#include "rip/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1767225600LL	/* 2026-01-01 */

static void
check(int cond)
{
	if (!cond)
		abort();
}

static struct keychain_key keys[4];
static struct keychain chain = { .name = "k", .keys = keys, .n_keys = 4 };

static void
keys_init(void)
{
	static const char *const secrets[4] = { "s3cret", "another-key-of-40-octets-0123456789abcd",
		"k", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdefXY" };
	static const enum keychain_algo algos[4] = { KEYCHAIN_ALGO_NONE, KEYCHAIN_ALGO_HMAC_SHA1,
		KEYCHAIN_ALGO_HMAC_SHA256, KEYCHAIN_ALGO_HMAC_SHA512 };

	for (int i = 0; i < 4; i++) {
		memset(&keys[i], 0, sizeof(keys[i]));
		keys[i].id = (uint32_t)i + (i == 3 ? 256 : 0);	/* 259: sent as 3 */
		strcpy(keys[i].secret, secrets[i]);
		keys[i].algo = algos[i];
		/* Overlapping: key i from T0 + 100 i to T0 + 100 i + 150. */
		keys[i].accept.start = keys[i].send.start = T0 + 100 * i;
		keys[i].accept.end = keys[i].send.end = T0 + 100 * i + 150;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rip_auth_conf ac;
	struct rip_packet pkt, pkt2;
	struct rip_rte rtes[RIP_MAX_RTE];
	uint8_t buf[RIP_PKT_RX_MAX], kid;
	uint32_t seq;
	int64_t now;
	size_t len, n;

	if (size < 3)
		return 0;
	if (chain.keys[0].secret[0] == '\0')
		keys_init();
	memset(&ac, 0, sizeof(ac));
	ac.mode = (data[0] & 1) ? RIP_AUTH_MODE_MD5 : RIP_AUTH_MODE_TEXT;
	ac.md5_auth_len = (data[0] & 2) ? 20 : 16;
	if (data[0] & 4)
		ac.string = "str1ng";
	else
		ac.chain = &chain;
	now = T0 - 50 + ((data[1] << 8 | data[2]) % 600);
	data += 3;
	size -= 3;

	if (rip_packet_decode(data, size, &pkt) != RIP_PKT_OK)
		return 0;
	int rc = rip_auth_verify(data, size, &pkt, &ac, now, &kid, &seq);
	check(rc <= 0 && rc >= RIP_AUTH_ERR_FAIL);
	check(rc != RIP_AUTH_ERR_MISSING || !pkt.has_auth);

	/* Sign the entries again: it verifies; one bit flipped (keyed) does not. */
	n = pkt.nrte < RIP_MAX_RTE - 1 ? pkt.nrte : RIP_MAX_RTE - 1;
	for (size_t i = 0; i < n; i++)
		rip_packet_rte(&pkt, i, &rtes[i]);
	len = rip_packet_encode(buf, sizeof(buf), RIP_CMD_RESPONSE, rtes, n, RIP_RTE_LEN);
	check(len > 0);
	len = rip_auth_sign(buf, len, sizeof(buf), &ac, now, (uint32_t)size);
	if (len == 0) {
		/* Only when no key may send now. */
		check(ac.chain != NULL && keychain_key_send(&chain, now) == NULL);
		return 0;
	}
	check(len <= RIP_PKT_RX_MAX);
	check(rip_packet_decode(buf, len, &pkt2) == RIP_PKT_OK);
	check(rip_auth_verify(buf, len, &pkt2, &ac, now, &kid, &seq) == RIP_AUTH_OK);
	check(ac.mode != RIP_AUTH_MODE_MD5 || seq == (uint32_t)size);
	if (ac.mode == RIP_AUTH_MODE_MD5 && size > 0) {
		size_t bit = data[0] % (len * 8);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (rip_packet_decode(buf, len, &pkt2) == RIP_PKT_OK)
			check(rip_auth_verify(buf, len, &pkt2, &ac, now, &kid, &seq) != RIP_AUTH_OK);
	}
	return 0;
}
