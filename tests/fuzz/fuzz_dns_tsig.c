/*
 * fuzz_dns_tsig.c - libFuzzer target for src/dns/tsig.c (RFC 8945).
 *
 * The input is read three ways, with fixed keys (one per algorithm, and
 * the key of the stored kdig seeds) and a fixed clock:
 *
 *  1. as a request: dns_tsig_find() and dns_tsig_verify_query().  A found
 *     record must lie inside the input; the status must be a known one and
 *     the error owed to the client must match it; the reply (the input
 *     itself, as any message) must then be signable or out of space.
 *  2. as a stream of replies to a request we signed: the input cut into
 *     messages at 0xff 0xff 0xff 0xff markers, each to dns_tsig_verify_reply().
 *  3. signed by us: dns_tsig_sign_query() on a copy; when the signed copy
 *     is found to end in the record we appended (the input walked to its
 *     end) it must verify OK, and our signed reply to it must verify OK at
 *     the client.
 *
 * Anything else is a bug: abort().  tests/fuzz/replay.c runs the stored
 * corpus (tests/fuzz/corpus/dns_tsig: kdig-signed queries, a signed reply,
 * error replies, broken records) in the ordinary test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/tsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUF 70000
#define NOW 1796603825ULL /* the kdig seeds' Time Signed */

static void
check(int cond)
{
	if (!cond)
		abort();
}

static struct dns_tsig_key keys[DNS_TSIG_ALG_COUNT + 1];
static size_t n_keys;

static void
setup(void)
{
	char err[128];

	if (n_keys > 0)
		return;
	for (int a = 0; a < DNS_TSIG_ALG_COUNT; a++)
		check(dns_tsig_key_parse("k.", dns_tsig_alg_name(a), "c2VjcmV0LWtleS1ieXRlcw==",
		    &keys[n_keys++], err, sizeof(err)) == 0);
	/* The key of the stored kdig seeds (tests/unit/test_dns_tsig.c). */
	check(dns_tsig_key_parse("transfer.key.", "hmac-sha256",
	    "cmlwb3N0ZS1zaGEyNTYta2V5LTAxMjM0NTY3ODlhYmNkZWY=", &keys[n_keys++], err,
	    sizeof(err)) == 0);
}

static void
rr_inside(const uint8_t *data, size_t size, const struct dns_tsig_rr *rr)
{
	const uint8_t *end = data + size;

	check(rr->start >= 12 && rr->start < size);
	check(rr->key_name == data + rr->start);
	check(rr->key_name + rr->key_name_len <= end && rr->key_name_len > 0);
	check(rr->alg_name > rr->key_name && rr->alg_name + rr->alg_name_len <= end);
	check(rr->mac >= rr->alg_name && rr->mac + rr->mac_len <= end);
	check(rr->other + rr->other_len == end); /* nothing after the record */
	check(rr->time_signed <= 0xffffffffffffULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t m[BUF], q[512];
	struct dns_tsig_ctx srv, cli;
	struct dns_tsig_rr rr;
	size_t len;
	int rc, st;

	setup();
	if (size > 65535)
		return 0;

	/* 1. A request. */
	rc = dns_tsig_find(data, size, &rr);
	check(rc >= -1 && rc <= 1);
	if (rc == 1)
		rr_inside(data, size, &rr);
	st = dns_tsig_verify_query(&srv, keys, n_keys, data, size, NOW);
	check(st >= 0 && st < DNS_TSIG_STATUS_COUNT && st != DNS_TSIG_PEERERR &&
	    st != DNS_TSIG_UNSIGNED);
	check((rc == 0) == (st == DNS_TSIG_NONE));
	check(rc != -1 || st == DNS_TSIG_FORMERR);
	switch (st) {
	case DNS_TSIG_OK: check(srv.error == 0 && srv.key != NULL); break;
	case DNS_TSIG_BADKEY: check(srv.error == DNS_TSIG_ERR_BADKEY && srv.key == NULL); break;
	case DNS_TSIG_BADSIG: check(srv.error == DNS_TSIG_ERR_BADSIG && srv.key == NULL); break;
	case DNS_TSIG_BADTIME: check(srv.error == DNS_TSIG_ERR_BADTIME && srv.key != NULL); break;
	case DNS_TSIG_BADTRUNC: check(srv.error == DNS_TSIG_ERR_BADTRUNC && srv.key != NULL); break;
	default: break;
	}
	if (st != DNS_TSIG_NONE && st != DNS_TSIG_FORMERR && size >= 12) {
		memcpy(m, data, size);
		len = size;
		rc = dns_tsig_sign_reply(&srv, m, &len, BUF, NOW, srv.error);
		check(rc == 0 || rc == DNS_TSIG_E_NOSPACE);
		if (rc == 0)
			check(len > size && (m[3] & 0xf) == (st == DNS_TSIG_OK ? (data[3] & 0xf) :
			    DNS_RCODE_NOTAUTH));
	}

	/* 2. Replies to a query we signed, cut at 0xffffffff markers. */
	static const uint8_t qname[] = { 4, 'h', 'o', 'm', 'e', 0 };
	memset(q, 0, 12);
	q[0] = 0x12;
	q[5] = 1;
	memcpy(q + 12, qname, sizeof(qname));
	q[12 + sizeof(qname) + 1] = 252;
	q[12 + sizeof(qname) + 3] = 1;
	len = 12 + sizeof(qname) + 4;
	dns_tsig_ctx_init(&cli, &keys[size > 0 ? data[0] % n_keys : 0]);
	check(dns_tsig_sign_query(&cli, q, &len, sizeof(q), NOW) == 0);
	for (size_t at = 0; at < size;) {
		size_t end = at;
		while (end < size && !(size - end >= 4 && memcmp(data + end, "\xff\xff\xff\xff", 4) == 0))
			end++;
		st = dns_tsig_verify_reply(&cli, data + at, end - at, NOW);
		check(st >= 0 && st < DNS_TSIG_STATUS_COUNT);
		if (st != DNS_TSIG_OK && st != DNS_TSIG_NONE)
			break;
		at = end + 4;
	}
	st = dns_tsig_verify_end(&cli);
	check(st == DNS_TSIG_OK || st == DNS_TSIG_UNSIGNED);

	/* 3. Signed by us, it verifies, and so does our reply. */
	if (size >= 12) {
		const struct dns_tsig_key *k = &keys[data[size - 1] % n_keys];
		memcpy(m, data, size);
		len = size;
		dns_tsig_ctx_init(&cli, k);
		if (dns_tsig_sign_query(&cli, m, &len, BUF, NOW) != 0)
			return 0;
		if (dns_tsig_find(m, len, &rr) != 1 || rr.start != size)
			return 0; /* the input did not end where its counts did */
		check(dns_tsig_verify_query(&srv, keys, n_keys, m, len, NOW + 300) == DNS_TSIG_OK);
		check(srv.key == k);
		/* The reply: the request as it was before we signed it. */
		len = rr.start;
		m[10] = data[10];
		m[11] = data[11];
		if (dns_tsig_sign_reply(&srv, m, &len, BUF, NOW, 0) != 0)
			return 0;
		check(dns_tsig_verify_reply(&cli, m, len, NOW) == DNS_TSIG_OK);
		check(dns_tsig_verify_end(&cli) == DNS_TSIG_OK);
	}
	return 0;
}
