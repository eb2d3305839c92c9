/*
 * test_dns_tsig.c - TSIG (RFC 8945, src/dns/tsig.c): known answers from
 * Knot's kdig, both sides of an exchange, reply streams (5.3.1), error
 * replies (5.3.2), and bad input (misplaced, doubled, truncated records,
 * wrong MAC, key, time).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/tsig.h"
#include "dnsmsg/dnsmsg.h"

/*
 * Queries signed by kdig 3.2.6 (Knot DNS), captured from a UDP socket:
 *   kdig -y ALG:Transfer.Key.:SECRET @127.0.0.1 -p PORT +notcp SOA Example.COM.
 * (kdig sends the names lowercase).  Each verifies at its own Time Signed.
 */
static const struct {
	const char *alg, *secret, *hex;
} kdig[] = {
	{ "hmac-md5", "cmlwb3N0ZS1tZDUta2V5",
	    "368c01200001000000000001076578616d706c6503636f6d0000060001087472616e7366"
	    "6572036b65790000fa00ff00000000003a08686d61632d6d6435077369672d616c670372"
	    "656703696e740000006b15ffd3012c00109df28b240a4c64ccc674cacab842a44b368c00"
	    "000000" },
	{ "hmac-sha1", "cmlwb3N0ZS1zaGExLWtleQ==",
	    "704a01200001000000000001076578616d706c6503636f6d0000060001087472616e7366"
	    "6572036b65790000fa00ff00000000002f09686d61632d736861310000006b15ffd4012c"
	    "001407de2d2d1407b70ffe10e33c7e4922228c053a86704a00000000" },
	{ "hmac-sha224", "cmlwb3N0ZS1zaGEyMjQta2V5MDEyMzQ1Njc4OQ==",
	    "dee801200001000000000001076578616d706c6503636f6d0000060001087472616e7366"
	    "6572036b65790000fa00ff0000000000390b686d61632d7368613232340000006b15ffd5"
	    "012c001c1cb815947ed4337a27b9cb31c4f387c93f9fc9eecce6133993adf3c6dee80000"
	    "0000" },
	{ "hmac-sha256", "cmlwb3N0ZS1zaGEyNTYta2V5LTAxMjM0NTY3ODlhYmNkZWY=",
	    "d31301200001000000000001076578616d706c6503636f6d0000060001087472616e7366"
	    "6572036b65790000fa00ff00000000003d0b686d61632d7368613235360000006b15ffd6"
	    "012c002040d9415a0dce8e0ec46d47a7022c8d0c7f3812596848601d9b3c2d5e882aae60"
	    "d31300000000" },
	{ "hmac-sha384", "cmlwb3N0ZS1zaGEzODQta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm",
	    "9cc501200001000000000001076578616d706c6503636f6d0000060001087472616e7366"
	    "6572036b65790000fa00ff00000000004d0b686d61632d7368613338340000006b15ffd7"
	    "012c00307eee3951396724817be097405e4de3cbababd7ffbf04ec7fdf8a77f5a8b7e182"
	    "89a9dcae1f3ce57167dbc05a1c8d5f519cc500000000" },
	{ "hmac-sha512", "cmlwb3N0ZS1zaGE1MTIta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg==",
	    "19c101200001000000000001076578616d706c6503636f6d0000060001087472616e7366"
	    "6572036b65790000fa00ff00000000005d0b686d61632d7368613531320000006b15ffd8"
	    "012c0040ce2a35b7c931b2ac7e8b99492e0f5aac40a5d060e81666b6e7a2e869d6cefc11"
	    "fc601bab13b8e0e9d1a583f948129200cfbb56e263d3b0c5e9ea2c0f5e22671a19c10000"
	    "0000" },
	/* kdig +nsid ... TXT WWW.Example.COM.: an OPT record before the TSIG. */
	{ "hmac-sha256", "cmlwb3N0ZS1zaGEyNTYta2V5LTAxMjM0NTY3ODlhYmNkZWY=",
	    "ccc60120000100000000000203777777076578616d706c6503636f6d0000100001000029"
	    "100000000000000400030000087472616e73666572036b65790000fa00ff00000000003d"
	    "0b686d61632d7368613235360000006b15ffdd012c00200a20879399fa7047ba9217930e"
	    "c714fa984fdb349cf9c7e54713d702813fe6a8ccc600000000" },
};
#define N_KDIG (sizeof(kdig) / sizeof(kdig[0]))

#define KEY_NAME "Transfer.Key."

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;

	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void
key_ok(const char *name, const char *alg, const char *b64, struct dns_tsig_key *k)
{
	char err[256];

	if (dns_tsig_key_parse(name, alg, b64, k, err, sizeof(err)) != 0)
		fail_msg("key %s %s %s: %s", name, alg, b64, err);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A kdig vector: its bytes, its key, its TSIG record. */
struct vec {
	uint8_t msg[1024];
	size_t len;
	struct dns_tsig_key key;
	struct dns_tsig_rr rr;
	uint64_t t;
};

static void
vec_load(size_t i, struct vec *v)
{
	v->len = unhex(kdig[i].hex, v->msg, sizeof(v->msg));
	key_ok(KEY_NAME, kdig[i].alg, kdig[i].secret, &v->key);
	assert_int_equal(dns_tsig_find(v->msg, v->len, &v->rr), 1);
	v->t = v->rr.time_signed;
}

static int
verify(const struct vec *v, const uint8_t *msg, size_t len, uint64_t now)
{
	struct dns_tsig_ctx ctx;

	return dns_tsig_verify_query(&ctx, &v->key, 1, msg, len, now);
}

/* ---- keys ---- */

static void
test_key_parse(void **state)
{
	struct dns_tsig_key k;
	char err[256], b64[DNS_TSIG_B64_MAX];
	static const uint8_t wire[] = { 8, 't', 'r', 'a', 'n', 's', 'f', 'e', 'r', 3, 'k', 'e', 'y', 0 };

	key_ok("Transfer.KEY", "HMAC-SHA256", "YWJjZA==", &k);
	assert_string_equal(k.name, "transfer.key.");
	assert_memory_equal(k.name_wire, wire, sizeof(wire));
	assert_int_equal(k.name_len, sizeof(wire));
	assert_int_equal(k.alg, DNS_TSIG_HMAC_SHA256);
	assert_int_equal(k.secret_len, 4);
	assert_memory_equal(k.secret, "abcd", 4);
	dns_tsig_key_b64(&k, b64);
	assert_string_equal(b64, "YWJjZA==");
	key_ok("k", "hmac-md5.sig-alg.reg.int", "YQ==", &k);
	assert_int_equal(k.alg, DNS_TSIG_HMAC_MD5);
	for (int a = 0; a < DNS_TSIG_ALG_COUNT; a++)
		assert_int_equal(dns_tsig_alg_parse(dns_tsig_alg_name(a)), a);
	assert_int_equal(dns_tsig_alg_parse("hmac-sha3"), -1);
	assert_int_equal(dns_tsig_key_parse("k", "hmac-sha1", "YQ", &k, err, sizeof(err)), -1);
	assert_string_equal(err, "secret is not valid base64");
	assert_int_equal(dns_tsig_key_parse("k", "hmac-sha1", "YQ= =", &k, err, sizeof(err)), -1);
	assert_int_equal(dns_tsig_key_parse("k", "hmac-sha1", "", &k, err, sizeof(err)), -1);
	assert_int_equal(dns_tsig_key_parse("a..b", "hmac-sha1", "YQ==", &k, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid key name 'a..b'");
	assert_int_equal(dns_tsig_key_parse("k", "md5", "YQ==", &k, err, sizeof(err)), -1);
	assert_int_equal(dns_tsig_rcode(DNS_TSIG_OK), 0);
	assert_int_equal(dns_tsig_rcode(DNS_TSIG_NONE), 0);
	assert_int_equal(dns_tsig_rcode(DNS_TSIG_FORMERR), 1);
	assert_int_equal(dns_tsig_rcode(DNS_TSIG_BADSIG), DNS_RCODE_NOTAUTH);
	assert_string_equal(dns_tsig_status_str(DNS_TSIG_BADTIME), "BADTIME");
}

/* ---- known answers: kdig's signatures verify, and fail where they must ---- */

static void
test_kdig_vectors(void **state)
{
	for (size_t i = 0; i < N_KDIG; i++) {
		struct vec v;
		struct dns_tsig_ctx ctx;
		struct dns_tsig_key keys[3];
		uint8_t m[1024];

		vec_load(i, &v);
		assert_int_equal(v.rr.fudge, 300);
		assert_int_equal(v.rr.error, 0);
		assert_int_equal(v.rr.mac_len, v.key.alg == DNS_TSIG_HMAC_MD5 ? 16 :
		    v.key.alg == DNS_TSIG_HMAC_SHA1 ? 20 : v.key.alg == DNS_TSIG_HMAC_SHA224 ? 28 :
		    v.key.alg == DNS_TSIG_HMAC_SHA256 ? 32 : v.key.alg == DNS_TSIG_HMAC_SHA384 ? 48 :
		    64);

		/* Found among other keys; ctx says which, and the reply owes no error. */
		key_ok("other", kdig[i].alg, "YWJj", &keys[0]);
		key_ok(KEY_NAME, kdig[i].alg, kdig[i].secret, &keys[1]);
		key_ok("third.", "hmac-sha512", "YWJj", &keys[2]);
		assert_int_equal(dns_tsig_verify_query(&ctx, keys, 3, v.msg, v.len, v.t), DNS_TSIG_OK);
		assert_ptr_equal(ctx.key, &keys[1]);
		assert_int_equal(ctx.error, 0);

		/* Time: the fudge's bounds are inside (RFC 8945 5.2.3). */
		assert_int_equal(verify(&v, v.msg, v.len, v.t + 300), DNS_TSIG_OK);
		assert_int_equal(verify(&v, v.msg, v.len, v.t - 300), DNS_TSIG_OK);
		assert_int_equal(dns_tsig_verify_query(&ctx, &v.key, 1, v.msg, v.len, v.t + 301),
		    DNS_TSIG_BADTIME);
		assert_int_equal(ctx.error, DNS_TSIG_ERR_BADTIME);
		assert_non_null(ctx.key); /* the BADTIME reply is signed */
		assert_int_equal(verify(&v, v.msg, v.len, v.t - 301), DNS_TSIG_BADTIME);

		/* Another secret: BADSIG, no key for the reply. */
		struct dns_tsig_key wrong;
		key_ok(KEY_NAME, kdig[i].alg, "d3Jvbmc=", &wrong);
		assert_int_equal(dns_tsig_verify_query(&ctx, &wrong, 1, v.msg, v.len, v.t),
		    DNS_TSIG_BADSIG);
		assert_null(ctx.key);
		assert_int_equal(ctx.error, DNS_TSIG_ERR_BADSIG);
		/* Another name, or the name with another algorithm: BADKEY. */
		key_ok("transfer.key2.", kdig[i].alg, kdig[i].secret, &wrong);
		assert_int_equal(dns_tsig_verify_query(&ctx, &wrong, 1, v.msg, v.len, v.t),
		    DNS_TSIG_BADKEY);
		assert_int_equal(ctx.error, DNS_TSIG_ERR_BADKEY);
		key_ok(KEY_NAME, v.key.alg == DNS_TSIG_HMAC_SHA1 ? "hmac-sha256" : "hmac-sha1",
		    kdig[i].secret, &wrong);
		assert_int_equal(verify(&v, v.msg, v.len, v.t), DNS_TSIG_OK);
		assert_int_equal(dns_tsig_verify_query(&ctx, &wrong, 1, v.msg, v.len, v.t),
		    DNS_TSIG_BADKEY);
		assert_int_equal(dns_tsig_verify_query(&ctx, NULL, 0, v.msg, v.len, v.t),
		    DNS_TSIG_BADKEY);

		/* Every byte before the record and every MAC byte is covered. */
		for (size_t b = 0; b < v.len; b++) {
			size_t mac_at = (size_t)(v.rr.mac - v.msg);
			bool covered = b < v.rr.start || (b >= mac_at && b < mac_at + v.rr.mac_len);
			if (!covered || (b < 2))
				continue; /* the ID is replaced by Original ID (4.3.2) */
			memcpy(m, v.msg, v.len);
			m[b] ^= 0x01;
			int rc = verify(&v, m, v.len, v.t);
			/* A changed count may hide the record: then the message is unsigned. */
			if (rc == DNS_TSIG_NONE && b >= 4 && b < 12)
				continue;
			if (rc != DNS_TSIG_BADSIG && rc != DNS_TSIG_FORMERR)
				fail_msg("vector %zu: flipping byte %zu gives %s", i, b,
				    dns_tsig_status_str(rc));
		}
		/* The header's ID may change on the way (a forwarder): Original ID counts. */
		memcpy(m, v.msg, v.len);
		put16(m, (uint16_t)(get16(m) + 1));
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_OK);
		/* ...and Original ID is under the MAC. */
		memcpy(m, v.msg, v.len);
		uint8_t *oid = m + (v.rr.mac - v.msg) + v.rr.mac_len;
		put16(oid, (uint16_t)(get16(oid) + 1));
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_BADSIG);
		/* Names compare case-insensitively and enter the MAC lowercase (4.3.3). */
		memcpy(m, v.msg, v.len);
		size_t alg_at = (size_t)(v.rr.alg_name - v.msg);
		for (size_t b = 0; b < v.len; b++)
			if (((b >= v.rr.start && b < v.rr.start + v.rr.key_name_len) ||
			    (b >= alg_at && b < alg_at + v.rr.alg_name_len)) &&
			    m[b] >= 'a' && m[b] <= 'z')
				m[b] = (uint8_t)(m[b] - 'a' + 'A');
		assert_memory_not_equal(m, v.msg, v.len);
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_OK);
	}
}

/* ---- bad input ---- */

/* Rebuild a vector's TSIG record with another MAC size (the MAC's first n octets). */
static size_t
with_mac_len(const struct vec *v, uint16_t n, uint8_t *out)
{
	size_t mac_at = (size_t)(v->rr.mac - v->msg), len = 0;
	uint8_t mac[256] = { 0 };

	memcpy(mac, v->rr.mac, v->rr.mac_len);
	memcpy(out, v->msg, mac_at - 2);
	len = mac_at - 2;
	put16(out + len, n);
	len += 2;
	memcpy(out + len, mac, n);
	len += n;
	memcpy(out + len, v->rr.mac + v->rr.mac_len, 6); /* orig id, error, other len 0 */
	len += 6;
	/* RDLENGTH */
	size_t rdlen_at = v->rr.start + v->rr.key_name_len + 8;
	put16(out + rdlen_at, (uint16_t)(get16(v->msg + rdlen_at) - v->rr.mac_len + n));
	return len;
}

static void
test_bad_input(void **state)
{
	for (size_t i = 0; i < N_KDIG; i++) {
		struct vec v;
		struct dns_tsig_rr rr;
		uint8_t m[1200];
		size_t len, full;

		vec_load(i, &v);
		full = v.rr.mac_len;

		/* Cut anywhere: never read past the end, always FORMERR. */
		for (size_t cut = 0; cut < v.len; cut++) {
			memcpy(m, v.msg, cut);
			assert_int_equal(verify(&v, m, cut, v.t), DNS_TSIG_FORMERR);
			assert_int_equal(dns_tsig_find(m, cut, &rr), -1);
		}
		/* A byte after the record: not covered by the MAC, refused. */
		memcpy(m, v.msg, v.len);
		m[v.len] = 0;
		assert_int_equal(verify(&v, m, v.len + 1, v.t), DNS_TSIG_FORMERR);

		/* Two TSIG records. */
		memcpy(m, v.msg, v.len);
		memcpy(m + v.len, v.msg + v.rr.start, v.len - v.rr.start);
		put16(m + 10, (uint16_t)(get16(m + 10) + 1));
		assert_int_equal(verify(&v, m, v.len + v.len - v.rr.start, v.t), DNS_TSIG_FORMERR);
		/* TSIG not last: an OPT record after it. */
		static const uint8_t opt[] = { 0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0 };
		memcpy(m, v.msg, v.len);
		memcpy(m + v.len, opt, sizeof(opt));
		put16(m + 10, (uint16_t)(get16(m + 10) + 1));
		assert_int_equal(verify(&v, m, v.len + sizeof(opt), v.t), DNS_TSIG_FORMERR);
		/* TSIG in the answer section. */
		memcpy(m, v.msg, v.len);
		if (get16(m + 10) == 1) {
			put16(m + 6, 1);
			put16(m + 10, 0);
			assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_FORMERR);
		}
		/* Class not ANY, TTL not 0. */
		size_t fixed = v.rr.start + v.rr.key_name_len;
		memcpy(m, v.msg, v.len);
		put16(m + fixed + 2, 1);
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_FORMERR);
		memcpy(m, v.msg, v.len);
		m[fixed + 7] = 1;
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_FORMERR);
		/* RDLENGTH one short or one long; Other Len past the end. */
		memcpy(m, v.msg, v.len);
		put16(m + fixed + 8, (uint16_t)(get16(m + fixed + 8) - 1));
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_FORMERR);
		memcpy(m, v.msg, v.len);
		put16(m + fixed + 8, (uint16_t)(get16(m + fixed + 8) + 1));
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_FORMERR);
		memcpy(m, v.msg, v.len);
		put16(m + v.len - 2, 1);
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_FORMERR);
		/* MAC size past the RDATA. */
		memcpy(m, v.msg, v.len);
		put16((uint8_t *)m + (v.rr.mac - v.msg) - 2, 0xffff);
		assert_int_equal(verify(&v, m, v.len, v.t), DNS_TSIG_FORMERR);
		/* A compressed owner (a pointer to the question's name). */
		if (get16(v.msg + 10) == 1) {
			memcpy(m, v.msg, v.rr.start);
			len = v.rr.start;
			m[len++] = 0xc0; /* a pointer to the question's name */
			m[len++] = 12;
			memcpy(m + len, v.msg + v.rr.start + v.rr.key_name_len,
			    v.len - v.rr.start - v.rr.key_name_len);
			len += v.len - v.rr.start - v.rr.key_name_len;
			assert_int_equal(verify(&v, m, len, v.t), DNS_TSIG_FORMERR);
		}

		/* MAC truncation (RFC 8945 5.2.2.1) and our policy (full MACs only). */
		size_t min = full / 2 > 10 ? full / 2 : 10;
		len = with_mac_len(&v, (uint16_t)full, m);
		assert_int_equal(len, v.len);
		assert_memory_equal(m, v.msg, v.len);
		len = with_mac_len(&v, (uint16_t)min, m);
		if (min < full) {
			struct dns_tsig_ctx ctx;
			assert_int_equal(dns_tsig_verify_query(&ctx, &v.key, 1, m, len, v.t),
			    DNS_TSIG_BADTRUNC);
			assert_int_equal(ctx.error, DNS_TSIG_ERR_BADTRUNC);
			assert_non_null(ctx.key);
			/* A wrong truncated MAC is still BADSIG, checked first. */
			m[(v.rr.mac - v.msg)] ^= 1;
			assert_int_equal(verify(&v, m, len, v.t), DNS_TSIG_BADSIG);
		}
		len = with_mac_len(&v, (uint16_t)(min - 1), m);
		assert_int_equal(verify(&v, m, len, v.t), DNS_TSIG_FORMERR);
		len = with_mac_len(&v, (uint16_t)(full + 1), m);
		assert_int_equal(verify(&v, m, len, v.t), DNS_TSIG_FORMERR);
		len = with_mac_len(&v, 0, m);
		assert_int_equal(verify(&v, m, len, v.t), DNS_TSIG_FORMERR);
	}

	/* No TSIG: unsigned, and not FORMERR. */
	uint8_t q[512];
	static const uint8_t qname[] = { 1, 'a', 0 };
	int n = dnsmsg_query_build(q, sizeof(q), 7, 0, qname, 6, 1);
	struct dns_tsig_ctx ctx;
	struct dns_tsig_rr rr;
	assert_true(n > 0);
	assert_int_equal(dns_tsig_find(q, (size_t)n, &rr), 0);
	assert_int_equal(dns_tsig_verify_query(&ctx, NULL, 0, q, (size_t)n, 0), DNS_TSIG_NONE);
	assert_int_equal(dns_tsig_verify_query(&ctx, NULL, 0, q, 3, 0), DNS_TSIG_FORMERR);
}

/* ---- both sides with our code ---- */

#define T0 1796600000ULL

static const uint8_t qname[] = { 4, 'h', 'o', 'm', 'e', 0 };

static size_t
query(uint8_t *buf, size_t cap, uint16_t id)
{
	int n = dnsmsg_query_build(buf, cap, id, 0, qname, 252, 1);

	assert_true(n > 0);
	return (size_t)n;
}

/* A reply to buf's query: QR, AA, with `n` bytes of "answer" after the question. */
static size_t
reply(uint8_t *buf, size_t qlen, uint8_t fill)
{
	/* The query without its TSIG: the question only. */
	size_t len = 12 + sizeof(qname) + 4;

	(void)qlen;
	buf[2] = 0x84;
	buf[3] = 0;
	put16(buf + 10, 0);
	/* An A record for the apex, its last octet `fill`. */
	static const uint8_t a[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 0 };
	memcpy(buf + len, a, sizeof(a));
	buf[len + sizeof(a) - 1] = fill;
	len += sizeof(a);
	put16(buf + 6, 1);
	return len;
}

static void
test_roundtrip(void **state)
{
	for (int alg = 0; alg < DNS_TSIG_ALG_COUNT; alg++) {
		struct dns_tsig_key k;
		struct dns_tsig_ctx cli, srv;
		uint8_t q[1024], r[1024];
		size_t qlen, rlen;

		key_ok("Transfer.Key", dns_tsig_alg_name(alg), "c2VjcmV0LWtleS1ieXRlcw==", &k);
		dns_tsig_ctx_init(&cli, &k);
		qlen = query(q, sizeof(q), 0x1234);
		/* No room: nothing changes. */
		size_t short_len = qlen;
		assert_int_equal(dns_tsig_sign_query(&cli, q, &short_len, qlen + 40, T0),
		    DNS_TSIG_E_NOSPACE);
		assert_int_equal(short_len, qlen);
		assert_int_equal(get16(q + 10), 0);
		assert_int_equal(dns_tsig_sign_query(&cli, q, &qlen, sizeof(q), T0), 0);
		assert_int_equal(get16(q + 10), 1);
		assert_int_equal(dns_tsig_verify_query(&srv, &k, 1, q, qlen, T0 + 5), DNS_TSIG_OK);

		/* One reply. */
		memcpy(r, q, qlen);
		rlen = reply(r, qlen, 1);
		assert_int_equal(dns_tsig_sign_reply(&srv, r, &rlen, sizeof(r), T0 + 5, 0), 0);
		assert_int_equal(dns_tsig_verify_end(&cli), DNS_TSIG_UNSIGNED);
		assert_int_equal(dns_tsig_verify_reply(&cli, r, rlen, T0 + 10), DNS_TSIG_OK);
		assert_int_equal(dns_tsig_verify_end(&cli), DNS_TSIG_OK);

		/* A reply that another request's MAC would not match. */
		struct dns_tsig_ctx cli2;
		uint8_t q2[1024];
		size_t q2len = query(q2, sizeof(q2), 0x1234);
		dns_tsig_ctx_init(&cli2, &k);
		assert_int_equal(dns_tsig_sign_query(&cli2, q2, &q2len, sizeof(q2), T0 + 1), 0);
		assert_int_equal(dns_tsig_verify_reply(&cli2, r, rlen, T0 + 10), DNS_TSIG_BADSIG);
		/* A reply outside the fudge, a reply signed with another key name. */
		dns_tsig_ctx_init(&cli2, &k);
		q2len = query(q2, sizeof(q2), 0x1234);
		assert_int_equal(dns_tsig_sign_query(&cli2, q2, &q2len, sizeof(q2), T0), 0);
		assert_int_equal(dns_tsig_verify_reply(&cli2, r, rlen, T0 + 400), DNS_TSIG_BADTIME);
		struct dns_tsig_key other;
		key_ok("other.key", dns_tsig_alg_name(alg), "c2VjcmV0LWtleS1ieXRlcw==", &other);
		dns_tsig_ctx_init(&cli2, &other);
		q2len = query(q2, sizeof(q2), 0x1234);
		assert_int_equal(dns_tsig_sign_query(&cli2, q2, &q2len, sizeof(q2), T0), 0);
		assert_int_equal(dns_tsig_verify_reply(&cli2, r, rlen, T0), DNS_TSIG_BADKEY);
		/* An unsigned first reply. */
		dns_tsig_ctx_init(&cli2, &k);
		q2len = query(q2, sizeof(q2), 0x1234);
		assert_int_equal(dns_tsig_sign_query(&cli2, q2, &q2len, sizeof(q2), T0), 0);
		memcpy(r, q2, q2len);
		rlen = reply(r, q2len, 1);
		assert_int_equal(dns_tsig_verify_reply(&cli2, r, rlen, T0), DNS_TSIG_UNSIGNED);
	}
}

/*
 * A stream (RFC 8945 5.3.1): `n` messages, signed where sign[i], each
 * verified by the client in order; returns the first status that is not
 * OK/NONE (or OK), and verify_end's in *end.
 */
static int
stream(const struct dns_tsig_key *k, const bool *sign, size_t n, int tamper, int *end)
{
	struct dns_tsig_ctx cli, srv;
	uint8_t q[1024], r[1024];
	size_t qlen, rlen;

	dns_tsig_ctx_init(&cli, k);
	qlen = query(q, sizeof(q), 77);
	assert_int_equal(dns_tsig_sign_query(&cli, q, &qlen, sizeof(q), T0), 0);
	assert_int_equal(dns_tsig_verify_query(&srv, k, 1, q, qlen, T0), DNS_TSIG_OK);
	for (size_t i = 0; i < n; i++) {
		int rc;
		memcpy(r, q, qlen);
		rlen = reply(r, qlen, (uint8_t)i);
		if (sign[i])
			assert_int_equal(dns_tsig_sign_reply(&srv, r, &rlen, sizeof(r), T0, 0), 0);
		else
			assert_int_equal(dns_tsig_reply_unsigned(&srv, r, rlen), 0);
		if ((int)i == tamper)
			r[rlen - (sign[i] ? 80 : 1)] ^= 0x40;
		rc = dns_tsig_verify_reply(&cli, r, rlen, T0 + 1);
		if (rc != (sign[i] ? DNS_TSIG_OK : DNS_TSIG_NONE)) {
			*end = dns_tsig_verify_end(&cli);
			return rc;
		}
	}
	*end = dns_tsig_verify_end(&cli);
	return DNS_TSIG_OK;
}

static void
test_stream(void **state)
{
	struct dns_tsig_key k;
	bool sign[120];
	int end;

	key_ok("xfr", "hmac-sha256", "c2VjcmV0LWtleS1ieXRlcw==", &k);
	/* Every message signed. */
	for (size_t i = 0; i < 5; i++)
		sign[i] = true;
	assert_int_equal(stream(&k, sign, 5, -1, &end), DNS_TSIG_OK);
	assert_int_equal(end, DNS_TSIG_OK);
	/* Unsigned ones in between: folded into the next MAC. */
	sign[1] = sign[2] = false;
	assert_int_equal(stream(&k, sign, 5, -1, &end), DNS_TSIG_OK);
	assert_int_equal(end, DNS_TSIG_OK);
	/* ...and covered by it: an unsigned message changed fails the next signed one. */
	assert_int_equal(stream(&k, sign, 5, 2, &end), DNS_TSIG_BADSIG);
	/* A signed one changed. */
	assert_int_equal(stream(&k, sign, 5, 3, &end), DNS_TSIG_BADSIG);
	/* The last one unsigned: the stream is not proven (verify_end). */
	sign[4] = false;
	assert_int_equal(stream(&k, sign, 5, -1, &end), DNS_TSIG_OK);
	assert_int_equal(end, DNS_TSIG_UNSIGNED);
	/* 99 unsigned in a row are allowed, a 100th is not. */
	sign[0] = true;
	for (size_t i = 1; i < 100; i++)
		sign[i] = false;
	sign[100] = true;
	assert_int_equal(stream(&k, sign, 101, -1, &end), DNS_TSIG_OK);
	assert_int_equal(end, DNS_TSIG_OK);

	struct dns_tsig_ctx cli, srv;
	uint8_t q[1024], r[1024];
	size_t qlen, rlen;
	dns_tsig_ctx_init(&cli, &k);
	qlen = query(q, sizeof(q), 77);
	assert_int_equal(dns_tsig_sign_query(&cli, q, &qlen, sizeof(q), T0), 0);
	assert_int_equal(dns_tsig_verify_query(&srv, &k, 1, q, qlen, T0), DNS_TSIG_OK);
	memcpy(r, q, qlen);
	rlen = reply(r, qlen, 0);
	/* The server must sign the first message. */
	assert_int_equal(dns_tsig_reply_unsigned(&srv, r, rlen), DNS_TSIG_E_STATE);
	assert_int_equal(dns_tsig_sign_reply(&srv, r, &rlen, sizeof(r), T0, 0), 0);
	assert_int_equal(dns_tsig_verify_reply(&cli, r, rlen, T0), DNS_TSIG_OK);
	for (size_t i = 0; i < 99; i++) {
		memcpy(r, q, qlen);
		rlen = reply(r, qlen, 1);
		assert_int_equal(dns_tsig_reply_unsigned(&srv, r, rlen), 0);
		assert_int_equal(dns_tsig_verify_reply(&cli, r, rlen, T0), DNS_TSIG_NONE);
	}
	assert_int_equal(dns_tsig_reply_unsigned(&srv, r, rlen), DNS_TSIG_E_STATE);
	assert_int_equal(dns_tsig_verify_reply(&cli, r, rlen, T0), DNS_TSIG_UNSIGNED);
}

/* ---- error replies (RFC 8945 5.3.2) ---- */

static void
test_error_replies(void **state)
{
	struct dns_tsig_key k, wrong;
	struct dns_tsig_ctx cli, srv;
	struct dns_tsig_rr rr;
	uint8_t q[1024], r[1024];
	size_t qlen, rlen;

	key_ok("xfr", "hmac-sha384", "c2VjcmV0LWtleS1ieXRlcw==", &k);

	/* BADKEY: the server has no such key; unsigned reply, names echoed. */
	key_ok("unknown", "hmac-sha384", "c2VjcmV0LWtleS1ieXRlcw==", &wrong);
	dns_tsig_ctx_init(&cli, &k);
	qlen = query(q, sizeof(q), 9);
	assert_int_equal(dns_tsig_sign_query(&cli, q, &qlen, sizeof(q), T0), 0);
	assert_int_equal(dns_tsig_verify_query(&srv, &wrong, 1, q, qlen, T0), DNS_TSIG_BADKEY);
	memcpy(r, q, qlen);
	rlen = reply(r, qlen, 0);
	assert_int_equal(dns_tsig_sign_reply(&srv, r, &rlen, sizeof(r), T0, srv.error), 0);
	assert_int_equal(r[3] & 0xf, DNS_RCODE_NOTAUTH);
	assert_int_equal(dns_tsig_find(r, rlen, &rr), 1);
	assert_int_equal(rr.mac_len, 0);
	assert_int_equal(rr.error, DNS_TSIG_ERR_BADKEY);
	assert_int_equal(rr.key_name_len, 5);
	assert_memory_equal(rr.key_name, "\3xfr", 5);
	assert_int_equal(dns_tsig_verify_reply(&cli, r, rlen, T0), DNS_TSIG_PEERERR);
	assert_int_equal(cli.error, DNS_TSIG_ERR_BADKEY);
	assert_int_equal(dns_tsig_verify_end(&cli), DNS_TSIG_UNSIGNED);

	/* BADSIG: the same, with the error BADSIG. */
	key_ok("xfr", "hmac-sha384", "b3RoZXI=", &wrong);
	dns_tsig_ctx_init(&cli, &k);
	qlen = query(q, sizeof(q), 9);
	assert_int_equal(dns_tsig_sign_query(&cli, q, &qlen, sizeof(q), T0), 0);
	assert_int_equal(dns_tsig_verify_query(&srv, &wrong, 1, q, qlen, T0), DNS_TSIG_BADSIG);
	memcpy(r, q, qlen);
	rlen = reply(r, qlen, 0);
	assert_int_equal(dns_tsig_sign_reply(&srv, r, &rlen, sizeof(r), T0, srv.error), 0);
	assert_int_equal(dns_tsig_find(r, rlen, &rr), 1);
	assert_int_equal(rr.mac_len, 0);
	assert_int_equal(dns_tsig_verify_reply(&cli, r, rlen, T0), DNS_TSIG_PEERERR);
	assert_int_equal(cli.error, DNS_TSIG_ERR_BADSIG);

	/* BADTIME: signed, the request's time, the server's clock in Other Data. */
	dns_tsig_ctx_init(&cli, &k);
	qlen = query(q, sizeof(q), 9);
	assert_int_equal(dns_tsig_sign_query(&cli, q, &qlen, sizeof(q), T0), 0);
	assert_int_equal(dns_tsig_verify_query(&srv, &k, 1, q, qlen, T0 + 1000), DNS_TSIG_BADTIME);
	memcpy(r, q, qlen);
	rlen = reply(r, qlen, 0);
	assert_int_equal(dns_tsig_sign_reply(&srv, r, &rlen, sizeof(r), T0 + 1000, srv.error), 0);
	assert_int_equal(r[3] & 0xf, DNS_RCODE_NOTAUTH);
	assert_int_equal(dns_tsig_find(r, rlen, &rr), 1);
	assert_int_equal(rr.mac_len, 48);
	assert_int_equal(rr.time_signed, T0);
	assert_int_equal(rr.other_len, 6);
	assert_int_equal(dns_tsig_verify_reply(&cli, r, rlen, T0), DNS_TSIG_PEERERR);
	assert_int_equal(cli.error, DNS_TSIG_ERR_BADTIME);
	assert_int_equal(cli.peer_time, T0 + 1000);
	/* Its MAC is checked: a changed BADTIME reply is BADSIG. */
	dns_tsig_ctx_init(&cli, &k);
	qlen = query(q, sizeof(q), 9);
	assert_int_equal(dns_tsig_sign_query(&cli, q, &qlen, sizeof(q), T0), 0);
	assert_int_equal(dns_tsig_verify_query(&srv, &k, 1, q, qlen, T0 + 1000), DNS_TSIG_BADTIME);
	memcpy(r, q, qlen);
	rlen = reply(r, qlen, 0);
	assert_int_equal(dns_tsig_sign_reply(&srv, r, &rlen, sizeof(r), T0 + 1000, srv.error), 0);
	r[rlen - 1] ^= 1;
	assert_int_equal(dns_tsig_verify_reply(&cli, r, rlen, T0), DNS_TSIG_BADSIG);

	/* 48-bit time: beyond 2^32 s. */
	dns_tsig_ctx_init(&cli, &k);
	qlen = query(q, sizeof(q), 9);
	assert_int_equal(dns_tsig_sign_query(&cli, q, &qlen, sizeof(q), 0x100000005ULL), 0);
	assert_int_equal(dns_tsig_find(q, qlen, &rr), 1);
	assert_int_equal(rr.time_signed, 0x100000005ULL);
	assert_int_equal(dns_tsig_verify_query(&srv, &k, 1, q, qlen, 0x100000005ULL), DNS_TSIG_OK);
	assert_int_equal(dns_tsig_verify_query(&srv, &k, 1, q, qlen, 5), DNS_TSIG_BADTIME);

	/* A server context that verified nothing cannot sign. */
	dns_tsig_ctx_init(&srv, NULL);
	rlen = reply(r, qlen, 0);
	assert_int_equal(dns_tsig_sign_reply(&srv, r, &rlen, sizeof(r), T0, 0), DNS_TSIG_E_STATE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_kdig_vectors),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_error_replies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
