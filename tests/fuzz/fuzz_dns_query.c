/*
 * fuzz_dns_query.c - libFuzzer target for the query path of riposte-dns:
 * src/dns/wire.c (parsing, composition, compression) and src/dns/answer.c
 * (RFC 1034 4.3.2 and everything around it).
 *
 * A small fixed zone set is built once through the zone.h builder: SOA,
 * NS, A, AAAA, MX, TXT, SRV, an RFC 3597 unknown type, CNAME chains and a
 * loop, wildcards (one owning a CNAME), a delegation with glue and DS, a
 * DNAME and an RRset too big for 512 bytes, plus a second zone, and two
 * signed zones (dummy RRSIGs; an NSEC chain; NSEC3 with opt-out) so that
 * queries with DO reach the DNSSEC code (RFC 4035 3.1, RFC 5155 7.2).  Each
 * input is answered as a UDP query and as a TCP query, and each reply is
 * checked with wire.c's own parser: it must parse to its last byte, carry
 * QR, the query's id and opcode, the query's question byte for byte (when
 * it echoes one), fit the transport's limit (RFC 1035 4.2.1, RFC 6891
 * 6.2.5), hold only an OPT when truncated, and carry an OPT only when the
 * query had one.  Anything else is a bug: abort().
 * tests/fuzz/replay.c runs the stored corpus through this in the test command.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/answer.h"
#include "dns/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_zoneset *zones;
static const struct dns_answer_conf conf = {
	.identity = "fuzz-ns",
	.version = "riposte-dns fuzz",
	.max_udp = 1232,
};

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* Records in a terse text form; names relative to the zone unless they end in a dot. */
static void
add(struct dns_zone_builder *b, const uint8_t *origin, const char *owner, uint16_t type,
    const char *data)
{
	uint8_t own[DNS_NAME_MAX], rd[1024];
	char t1[256], t2[256];
	unsigned v[5];
	size_t o = 0;
	int n;

	check(dns_name_from_text(own, owner, origin) > 0);
	switch (type) {
	case DNS_T_A:
		check(sscanf(data, "%u.%u.%u.%u", &v[0], &v[1], &v[2], &v[3]) == 4);
		for (int i = 0; i < 4; i++)
			rd[o++] = (uint8_t)v[i];
		break;
	case DNS_T_AAAA:
		memset(rd, 0, 16);
		rd[0] = 0x20;
		rd[1] = 0x01;
		rd[2] = 0x0d;
		rd[3] = 0xb8;
		rd[15] = (uint8_t)atoi(data);
		o = 16;
		break;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_DNAME:
		n = dns_name_from_text(rd, data, origin);
		check(n > 0);
		o = (size_t)n;
		break;
	case DNS_T_MX:
		check(sscanf(data, "%u %255s", &v[0], t1) == 2);
		rd[o++] = (uint8_t)(v[0] >> 8);
		rd[o++] = (uint8_t)v[0];
		n = dns_name_from_text(rd + o, t1, origin);
		check(n > 0);
		o += (size_t)n;
		break;
	case DNS_T_SRV:
		check(sscanf(data, "%u %u %u %255s", &v[0], &v[1], &v[2], t1) == 4);
		for (int i = 0; i < 3; i++) {
			rd[o++] = (uint8_t)(v[i] >> 8);
			rd[o++] = (uint8_t)v[i];
		}
		n = dns_name_from_text(rd + o, t1, origin);
		check(n > 0);
		o += (size_t)n;
		break;
	case DNS_T_SOA:
		check(sscanf(data, "%255s %255s", t1, t2) == 2);
		n = dns_name_from_text(rd, t1, origin);
		check(n > 0);
		o = (size_t)n;
		n = dns_name_from_text(rd + o, t2, origin);
		check(n > 0);
		o += (size_t)n;
		/* serial 1, refresh 7200, retry 3600, expire 1209600, minimum 300 */
		memcpy(rd + o, "\0\0\0\1\0\0\034\040\0\0\016\020\0\022\165\0\0\0\001\054", 20);
		o += 20;
		break;
	default: /* TXT and anything else: one character-string, or bytes as given */
		if (type == DNS_T_TXT)
			rd[o++] = (uint8_t)strlen(data);
		memcpy(rd + o, data, strlen(data));
		o += strlen(data);
		break;
	}
	check(dns_zone_builder_add(b, own, type, 3600, rd, (uint16_t)o) == DNS_ZB_OK);
}

/* Rdata given as bytes (RRSIG, NSEC, NSEC3 hold zeros). */
static void
add_raw(struct dns_zone_builder *b, const uint8_t *origin, const char *owner, uint16_t type,
    const uint8_t *rd, size_t len)
{
	uint8_t own[DNS_NAME_MAX];

	check(dns_name_from_text(own, owner, origin) > 0);
	check(dns_zone_builder_add(b, own, type, 3600, rd, (uint16_t)len) == DNS_ZB_OK);
}

/* A dummy RRSIG over `type` (the server only reads Type Covered). */
static void
add_sig(struct dns_zone_builder *b, const uint8_t *origin, const char *owner, uint16_t type)
{
	uint8_t rd[18 + DNS_NAME_MAX + 3] = { (uint8_t)(type >> 8), (uint8_t)type, 13, 2, 0, 0, 0x0e, 0x10 };
	size_t o = 18;
	int n = dns_name_from_text(rd + o, "@", origin);

	check(n > 0);
	o += (size_t)n;
	memcpy(rd + o, "sig", 3);
	add_raw(b, origin, owner, DNS_T_RRSIG, rd, o + 3);
}

static void
finish(struct dns_zone_builder *b)
{
	char err[512];
	struct dns_zone *z = dns_zone_builder_finish(b, err, sizeof(err));
	if (z == NULL) {
		fprintf(stderr, "fuzz zone: %s\n", err);
		abort();
	}
	dns_zone_builder_free(b);
	check(dns_zoneset_add(zones, z) == 0);
}

static void
build_zones(void)
{
	uint8_t o[DNS_NAME_MAX];
	struct dns_zone_builder *b;
	char line[64];

	zones = dns_zoneset_new();
	check(zones != NULL);

	check(dns_name_from_text(o, "example.com.", NULL) > 0);
	b = dns_zone_builder_new(o);
	add(b, o, "@", DNS_T_SOA, "ns1 hostmaster");
	add(b, o, "@", DNS_T_NS, "ns1");
	add(b, o, "@", DNS_T_NS, "ns2");
	add(b, o, "@", DNS_T_MX, "10 mail");
	add(b, o, "@", DNS_T_A, "192.0.2.1");
	add(b, o, "ns1", DNS_T_A, "192.0.2.53");
	add(b, o, "ns1", DNS_T_AAAA, "53");
	add(b, o, "ns2", DNS_T_A, "192.0.2.54");
	add(b, o, "www", DNS_T_A, "192.0.2.80");
	add(b, o, "www", DNS_T_A, "192.0.2.81");
	add(b, o, "www", DNS_T_AAAA, "80");
	add(b, o, "mail", DNS_T_A, "192.0.2.25");
	add(b, o, "alias", DNS_T_CNAME, "www");
	add(b, o, "c1", DNS_T_CNAME, "c2");
	add(b, o, "c2", DNS_T_CNAME, "alias");
	add(b, o, "loop1", DNS_T_CNAME, "loop2");
	add(b, o, "loop2", DNS_T_CNAME, "loop1");
	add(b, o, "out", DNS_T_CNAME, "www.example.net.");
	add(b, o, "cross", DNS_T_CNAME, "host.example.org.");
	add(b, o, "*.wild", DNS_T_A, "192.0.2.99");
	add(b, o, "*.wild", DNS_T_TXT, "wild");
	add(b, o, "exists.wild", DNS_T_A, "192.0.2.100");
	add(b, o, "a.b.ent", DNS_T_A, "192.0.2.102");
	add(b, o, "*.wc", DNS_T_CNAME, "x.wc");
	add(b, o, "sub", DNS_T_NS, "ns.sub");
	add(b, o, "sub", DNS_T_NS, "ns.other.net.");
	add(b, o, "sub", DNS_T_DS, "\x30\x39\x08\x01\xaa\xbb\xcc\xdd");
	add(b, o, "ns.sub", DNS_T_A, "192.0.2.200");
	add(b, o, "ns.sub", DNS_T_AAAA, "200");
	add(b, o, "txt", DNS_T_TXT, "hello");
	add(b, o, "unk", 65280, "\xde\xad\xbe\xef");
	add(b, o, "_sip._udp", DNS_T_SRV, "0 5 5060 www");
	add(b, o, "dname", DNS_T_DNAME, "example.org.");
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "record %02d of a TXT set too big for 512", i);
		add(b, o, "big", DNS_T_TXT, line);
	}
	finish(b);

	/* NSEC: @ -> a -> *.w -> www -> @, a delegation without DS */
	static const char *const nsec[][2] = {
		{ "@", "a" }, { "a", "*.w" }, { "*.w", "sub" }, { "sub", "www" }, { "www", "@" },
	};
	check(dns_name_from_text(o, "sec.example.", NULL) > 0);
	b = dns_zone_builder_new(o);
	add(b, o, "@", DNS_T_SOA, "ns.example.com. hostmaster");
	add(b, o, "@", DNS_T_NS, "ns1.example.com.");
	add_raw(b, o, "@", DNS_T_DNSKEY, (const uint8_t *)"\1\1\3\15key", 7);
	add(b, o, "a", DNS_T_A, "192.0.2.1");
	add(b, o, "b.a", DNS_T_CNAME, "www");
	add(b, o, "*.w", DNS_T_A, "192.0.2.2");
	add(b, o, "sub", DNS_T_NS, "ns.sub");
	add(b, o, "ns.sub", DNS_T_A, "192.0.2.3");
	add(b, o, "www", DNS_T_A, "192.0.2.4");
	add(b, o, "www", DNS_T_MX, "10 a");
	static const struct { const char *owner; uint16_t type; } sigs[] = {
		{ "@", DNS_T_SOA }, { "@", DNS_T_NS }, { "@", DNS_T_DNSKEY }, { "a", DNS_T_A },
		{ "b.a", DNS_T_CNAME }, { "*.w", DNS_T_A }, { "www", DNS_T_A }, { "www", DNS_T_MX },
	};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		add_sig(b, o, sigs[i].owner, sigs[i].type);
	for (size_t i = 0; i < sizeof(nsec) / sizeof(nsec[0]); i++) {
		uint8_t rd[300];
		int n = dns_name_from_text(rd, nsec[i][1], o);
		check(n > 0);
		memcpy(rd + n, "\0\1\x40", 3);
		add_raw(b, o, nsec[i][0], DNS_T_NSEC, rd, (size_t)n + 3);
		add_sig(b, o, nsec[i][0], DNS_T_NSEC);
	}
	finish(b);

	/* NSEC3 (SHA-1, no salt, 1 iteration, opt-out) with made-up hashes spread over the space */
	check(dns_name_from_text(o, "n3.example.", NULL) > 0);
	b = dns_zone_builder_new(o);
	add(b, o, "@", DNS_T_SOA, "ns.example.com. hostmaster");
	add(b, o, "@", DNS_T_NS, "ns1.example.com.");
	add_raw(b, o, "@", DNS_T_DNSKEY, (const uint8_t *)"\1\1\3\15key", 7);
	add_raw(b, o, "@", DNS_T_NSEC3PARAM, (const uint8_t *)"\1\0\0\1\0", 5);
	add(b, o, "www", DNS_T_A, "192.0.2.4");
	add(b, o, "*.w", DNS_T_A, "192.0.2.2");
	add(b, o, "sub", DNS_T_NS, "ns.sub");
	add(b, o, "ns.sub", DNS_T_A, "192.0.2.3");
	add_sig(b, o, "@", DNS_T_SOA);
	add_sig(b, o, "www", DNS_T_A);
	static const char *const h3[] = {
		"0123456789abcdefghijklmnopqrstuv", "89abcdefghijklmnopqrstuv01234567",
		"ghijklmnopqrstuv0123456789abcdef", "nopqrstuv0123456789abcdefghijklm",
	};
	for (size_t i = 0; i < sizeof(h3) / sizeof(h3[0]); i++) {
		uint8_t rd[64] = { 1, 1, 0, 1, 0, 20 };
		memset(rd + 6, (int)(0x10 * (i + 1)), 20);
		memcpy(rd + 26, "\0\1\x40", 3);
		add_raw(b, o, h3[i], 50, rd, 29);
		add_sig(b, o, h3[i], 50);
	}
	finish(b);

	check(dns_name_from_text(o, "example.org.", NULL) > 0);
	b = dns_zone_builder_new(o);
	add(b, o, "@", DNS_T_SOA, "ns1.example.com. hostmaster.example.com.");
	add(b, o, "@", DNS_T_NS, "ns1.example.com.");
	add(b, o, "host", DNS_T_A, "198.51.100.1");
	add(b, o, "x", DNS_T_A, "198.51.100.2");
	finish(b);
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

/* Check one reply against the query it answers. */
static void
check_reply(const uint8_t *q, size_t qlen, const uint8_t *r, size_t rlen, bool tcp)
{
	struct dns_msg qm, m;
	struct dns_rr_iter it;
	struct dns_rr rr;
	int qerr, k;
	unsigned opts = 0, records = 0;

	if (qlen < DNS_HDR_LEN || (q[2] & 0x80) != 0) {
		check(rlen == 0); /* dropped on purpose */
		return;
	}
	check(rlen >= DNS_HDR_LEN);
	qerr = dns_wire_parse(q, qlen, &qm);
	check(dns_wire_parse(r, rlen, &m) == DNS_WIRE_OK);
	check(m.end == rlen);
	check(m.flags & DNS_F_QR);
	check(m.id == rd16(q));
	check(DNS_F_OPCODE(m.flags) == DNS_F_OPCODE(rd16(q + 2)));
	check(m.qdcount <= 1);
	/* A query our parser rejects gets FORMERR, whatever else it asks. */
	if (qerr != DNS_WIRE_OK)
		check(DNS_F_RCODE(m.flags) == DNS_RCODE_FORMERR && m.ancount == 0);
	if (m.qdcount == 1) {
		/* The question as asked: name (case and all), type, class. */
		check(qm.qname != NULL && qm.qdcount == 1);
		check(m.qname_len == qm.qname_len);
		check(memcmp(r + DNS_HDR_LEN, q + DNS_HDR_LEN, (size_t)qm.qname_len + 4) == 0);
	}
	if (!tcp) {
		size_t limit = DNS_UDP_MIN;
		if (qm.edns && qm.edns_udp > DNS_UDP_MIN)
			limit = qm.edns_udp < conf.max_udp ? qm.edns_udp : conf.max_udp;
		check(rlen <= limit);
	}
	/* An OPT only in reply to one (RFC 6891 7), and then version 0. */
	if (m.edns) {
		check(qm.edns);
		check(m.edns_version == 0);
		check(m.edns_udp == conf.max_udp);
	}
	dns_wire_rr_begin(&it, r, rlen, &m);
	while ((k = dns_wire_rr_next(&it, &rr)) == 1) {
		if (rr.type == DNS_T_OPT) {
			opts++;
			continue;
		}
		records++;
		/* Every record of ours is in the class asked for, or CH/IN. */
		check(rr.rclass == DNS_C_IN || rr.rclass == DNS_C_CH);
	}
	check(k == 0);
	check(opts <= 1);
	if (m.flags & DNS_F_TC)
		check(records == 0);
	if ((m.flags & 0xf) != DNS_RCODE_NOERROR && (m.flags & 0xf) != DNS_RCODE_NXDOMAIN &&
	    (m.flags & 0xf) != DNS_RCODE_YXDOMAIN)
		check(m.ancount == 0 && m.nscount == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[65535];
	static struct dns_answer_stats st;
	size_t len;

	if (zones == NULL)
		build_zones();
	len = dns_answer(&conf, zones, data, size, resp, sizeof(resp), false, &st);
	check_reply(data, size, resp, len, false);
	len = dns_answer(&conf, zones, data, size, resp, sizeof(resp), true, &st);
	check_reply(data, size, resp, len, true);
	return 0;
}
