/*
 * answer.h - answering one DNS query from the zone set: RFC 1034 4.3.2 for
 * authoritative data, RFC 4592 wildcards, RFC 2308 negative answers,
 * RFC 8482 minimal ANY, RFC 6891 EDNS0, RFC 5001 NSID, CHAOS identity.
 *
 * Pure and allocation-free: bytes in, bytes out, so the server's workers
 * call it without locks and tests and the fuzzer call it directly.
 */
#ifndef RIPOSTE_DNS_ANSWER_H
#define RIPOSTE_DNS_ANSWER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone.h"

struct dns_answer_conf {
	const char *identity; /* NSID payload and CHAOS TXT id.server / hostname.bind */
	const char *version;  /* CHAOS TXT version.bind; NULL: hide (REFUSED) */
	uint16_t max_udp;     /* our EDNS UDP payload size (default 1232) */
};

/*
 * The query types counted one by one (dns_answer_stats.qtype); every other
 * type is counted as "other" (DNS_QTYPE_STATS - 1).
 */
#define DNS_QTYPE_STATS 24
/* Index of qtype in dns_answer_stats.qtype, and the name it is exported under. */
unsigned dns_stats_qtype(uint16_t qtype);
const char *dns_stats_qtype_name(unsigned idx);
/* Zones counted one by one (dns_zone_stat_slot(); slot 0: the queries of no zone of ours). */
#define DNS_ZONE_STATS 256

/* Counters a worker keeps (no atomics: one per worker, summed on demand). */
struct dns_answer_stats {
	uint64_t queries, dropped, noerror, nxdomain, refused, formerr, notimp, servfail;
	uint64_t truncated, edns, nsid, chaos;
	uint64_t tsig; /* TSIG-signed queries (REFUSED by dns_answer: dns_xfr_answer_tsig()) */
	uint64_t udp, tcp;                 /* queries by transport */
	uint64_t qtype[DNS_QTYPE_STATS];   /* questions by type (dns_stats_qtype) */
	uint64_t zone[DNS_ZONE_STATS];     /* questions by the zone that answered them */
};

/*
 * Answer the query in req[0..len) into resp (cap bytes, at least 65535 for
 * TCP, at least 4096 for UDP).  tcp: the reply may use 65535 bytes; UDP
 * replies are limited by the client's EDNS size (512 without EDNS) and set
 * TC=1 when the answer does not fit.  Returns the reply length, or 0 when
 * the query must be dropped (QR=1, shorter than a header, ...).
 */
size_t dns_answer(const struct dns_answer_conf *conf, const struct dns_zoneset *zones,
    const uint8_t *req, size_t len, uint8_t *resp, size_t cap, bool tcp,
    struct dns_answer_stats *stats);

#endif
