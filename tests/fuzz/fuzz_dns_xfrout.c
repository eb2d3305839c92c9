/*
 * fuzz_dns_xfrout.c - libFuzzer target for the transfer queries riposte-dns
 * reads from the network: src/dns/xfrout.c (dns_xfr_qtype, the AXFR/IXFR
 * stream with its request parsing, the client's SOA in an IXFR's authority
 * section, TSIG verification, the policy; UDP IXFR; signed ordinary
 * queries; NOTIFY replies) over a fixed zone with a journal of two
 * differences.
 *
 * The first input byte picks the peer (admitted unsigned, admitted with
 * the key only, outside every row) and the transport; the rest is the
 * query.  Every message of a stream must parse to its end with wire.c's
 * parser, carry QR and the query's id, fit 65535 bytes (UDP: the client's
 * size or 512), and a stream must end within a bound.  Anything else is a
 * bug: abort().  tests/fuzz/replay.c runs the stored corpus in the tests.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "dns/wire.h"
#include "dns/xfrout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_zoneset *zones;
static struct dns_journal *journal;
static struct dns_xfr_policy *pol;
static const struct dns_answer_conf aconf = { .identity = "fuzz", .version = NULL,
	.max_udp = 1232 };

static void
check(int cond)
{
	if (!cond)
		abort();
}

static const uint8_t *
N(const char *text)
{
	static uint8_t ring[4][DNS_NAME_MAX];
	static unsigned next;
	uint8_t *out = ring[next++ % 4];
	check(dns_name_from_text(out, text, NULL) > 0);
	return out;
}

static struct dns_zone *
version(uint32_t serial, unsigned hosts)
{
	struct dns_zone_builder *b = dns_zone_builder_new(N("ex."));
	uint8_t soa[128], *p = soa;
	const uint8_t *ns = N("ns.ex.");
	size_t nl = (size_t)dns_name_wire_len(ns, DNS_NAME_MAX);
	char owner[32], err[256];
	uint8_t sig[40] = { 0, 1, 13, 2, 0, 0, 1, 44 };

	memcpy(p, ns, nl);
	p += nl;
	memcpy(p, ns, nl);
	p += nl;
	uint32_t v[5] = { serial, 3600, 600, 86400, 300 };
	for (int i = 0; i < 5; i++, p += 4) {
		p[0] = (uint8_t)(v[i] >> 24);
		p[1] = (uint8_t)(v[i] >> 16);
		p[2] = (uint8_t)(v[i] >> 8);
		p[3] = (uint8_t)v[i];
	}
	check(dns_zone_builder_add(b, N("ex."), DNS_T_SOA, 3600, soa, (uint16_t)(p - soa)) == 0);
	check(dns_zone_builder_add(b, N("ex."), DNS_T_NS, 3600, ns, (uint16_t)nl) == 0);
	check(dns_zone_builder_add(b, N("ns.ex."), DNS_T_A, 300, (const uint8_t *)"\x0a\0\0\1",
	    4) == 0);
	/* An RRSIG of the A, for the per-record TTL (dns_rrsig_ttl). */
	check(dns_zone_builder_add(b, N("ns.ex."), DNS_T_RRSIG, 300, sig, sizeof(sig)) == 0);
	for (unsigned i = 0; i < hosts; i++) {
		uint8_t ip[4] = { 10, 1, (uint8_t)(i >> 8), (uint8_t)i };
		snprintf(owner, sizeof(owner), "h%u.ex.", i);
		check(dns_zone_builder_add(b, N(owner), DNS_T_A, 60, ip, 4) == 0);
	}
	struct dns_zone *z = dns_zone_builder_finish(b, err, sizeof(err));
	dns_zone_builder_free(b);
	check(z != NULL);
	return z;
}

static struct dns_journal *
journal_of(void *ctx, const uint8_t *apex)
{
	(void)apex;
	return ctx;
}

static void
setup(void)
{
	struct dns_zone *z1 = version(1, 50), *z2 = version(2, 60), *z3 = version(3, 3000);
	struct dns_diff *d;
	char err[128];

	journal = dns_journal_new(1 << 20);
	check(dns_diff_compute(z1, z2, &d) == DNS_DIFF_OK);
	dns_journal_add(journal, d);
	check(dns_diff_compute(z2, z3, &d) == DNS_DIFF_OK);
	dns_journal_add(journal, d);
	dns_zone_free(z1);
	dns_zone_free(z2);
	zones = dns_zoneset_new();
	check(dns_zoneset_add(zones, z3) == 0);

	pol = calloc(1, sizeof(*pol));
	pol->keys = calloc(1, sizeof(*pol->keys));
	pol->n_keys = 1;
	check(dns_tsig_key_parse("xfr", "hmac-sha256", "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0",
	    &pol->keys[0], err, sizeof(err)) == 0);
	pol->zones = calloc(1, sizeof(*pol->zones));
	pol->n_zones = 1;
	memcpy(pol->zones[0].apex, N("ex."), 4);
	pol->zones[0].acl = calloc(2, sizeof(*pol->zones[0].acl));
	pol->zones[0].n_acl = 2;
	pol->zones[0].acl[0].prefix = (struct dns_rrl_prefix){ AF_INET, { 127 }, 8 };
	pol->zones[0].acl[0].key = -1;
	pol->zones[0].acl[1].prefix = (struct dns_rrl_prefix){ AF_INET, { 10 }, 8 };
	pol->zones[0].acl[1].key = 0;
}

static void
check_msg(const uint8_t *m, size_t len, const uint8_t *q, size_t limit)
{
	struct dns_msg pm;
	struct dns_rr_iter it;
	struct dns_rr rr;
	int rc;

	check(len >= DNS_HDR_LEN && len <= limit);
	check(dns_wire_parse(m, len, &pm) == DNS_WIRE_OK);
	check(pm.end == len);
	check((pm.flags & DNS_F_QR) != 0);
	check(pm.id == (uint16_t)(q[0] << 8 | q[1]));
	dns_wire_rr_begin(&it, m, len, &pm);
	while ((rc = dns_wire_rr_next(&it, &rr)) == 1)
		;
	check(rc == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *buf;
	struct sockaddr_in peer = { .sin_family = AF_INET };
	struct dns_xfr_out x;
	struct dns_answer_stats st = { 0 };
	enum dns_xfr_result r;
	const char *addrs[3] = { "127.0.0.1", "10.0.0.1", "192.0.2.1" };
	size_t len;
	unsigned n = 0;

	if (zones == NULL) {
		setup();
		buf = malloc(DNS_TCP_MAX);
	}
	if (size < 1)
		return 0;
	inet_pton(AF_INET, addrs[data[0] % 3], &peer.sin_addr);
	bool udp = (data[0] & 4) != 0;
	data++;
	size--;

	(void)dns_xfr_qtype(data, size);
	/* As a reply to our NOTIFY (its id is the input's own, so the checks go on). */
	if (size >= 2) {
		int rc = dns_xfr_notify_reply(data, size, (uint16_t)(data[0] << 8 | data[1]), N("ex."));
		check(rc >= -1 && rc <= 15);
	}
	if (dns_xfr_out_start(&x, zones, pol, journal_of, journal, data, size,
	    (struct sockaddr *)&peer, udp, 1000) == 0) {
		while ((len = dns_xfr_out_next(&x, buf, DNS_TCP_MAX, 1000)) > 0) {
			check_msg(buf, len, data, DNS_TCP_MAX);
			/* 3000 hosts fit in a few messages; a stream that goes on is a loop. */
			check(++n < 64);
		}
		dns_xfr_out_done(&x);
	}
	len = dns_xfr_udp(zones, pol, data, size, (struct sockaddr *)&peer, buf, 4096, 1000, 1232,
	    &r);
	if (len > 0)
		check_msg(buf, len, data, 4096);
	if (size <= DNS_TCP_MAX) {
		len = dns_xfr_answer_tsig(&aconf, zones, pol, data, size, buf, DNS_TCP_MAX, !udp,
		    1000, &st);
		if (len > 0)
			check_msg(buf, len, data, DNS_TCP_MAX);
	}
	return 0;
}
