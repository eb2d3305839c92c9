/*
 * xfr.h - the receiving side of zone transfers: a consumer of AXFR
 * (RFC 5936) and IXFR (RFC 1995) reply streams for one zone.
 *
 * Pure: no sockets, no clock.  The caller (secondary.c) sends the query,
 * reads each length-prefixed message (RFC 1035 4.2.2), checks its TSIG
 * (RFC 8945 5.3.1: the consumer ignores the additional section, TSIG and
 * OPT included) and feeds it here; dns_xfr_feed() says whether more is
 * expected, the stream is complete, or it is unusable and why.  Every byte
 * is read through the bounds-checked message codec (wire.h).  Once done,
 * dns_xfr_finish() builds the new zone with the zone builder:
 *
 *  - AXFR, and an IXFR answered AXFR-style (RFC 1995 4): every record
 *    between the first SOA and the last, which must be the same SOA;
 *  - IXFR, incremental: the difference sequences (SOA old, deletions, SOA
 *    new, additions; RFC 1995 4) applied in order to the old zone; each
 *    deletion must name a record that exists at that point of the
 *    sequence (in the old zone and not yet deleted, or added earlier),
 *    and the first sequence must start at the old zone's serial;
 *  - IXFR answered with the server's SOA alone, not newer than ours: we
 *    are up to date: no zone, DNS_XFR_IN_SOA_ONLY.  (A first message with a
 *    newer SOA alone starts a stream of one record per message.)
 *
 * Rdata names that senders may compress (RFC 3597 4: the RFC 1035 types,
 * and the SHOULD list: RP, AFSDB, RT, PX, SRV, NAPTR, KX; DNAME too, which
 * old senders compressed) are decompressed, so the zone holds rdata in the
 * uncompressed wire form the answer path expects; all other rdata (RRSIG,
 * NSEC, DNSKEY...) is kept byte for byte.
 */
#ifndef RIPOSTE_DNS_XFR_H
#define RIPOSTE_DNS_XFR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zone.h"

/* dns_xfr_feed() results. */
enum { DNS_XFR_MORE = 0, DNS_XFR_DONE = 1, DNS_XFR_ERROR = -1 };

/* What the stream turned out to be (valid once DONE). */
enum dns_xfr_kind {
	DNS_XFR_IN_NONE = 0,     /* not known yet */
	DNS_XFR_IN_AXFR,         /* a whole zone: AXFR, or IXFR answered AXFR-style */
	DNS_XFR_IN_INCREMENTAL,  /* IXFR difference sequences */
	DNS_XFR_IN_SOA_ONLY,     /* IXFR: the server's SOA only, not newer (RFC 1995 4) */
};

struct dns_xfr;

/*
 * A consumer for the reply to the query with this id.  qtype DNS_T_AXFR,
 * or DNS_T_IXFR with `old` the zone the query's SOA came from (its serial
 * is the base of the differences; NULL for IXFR is refused).  `old` must
 * stay alive until dns_xfr_finish() returns.  NULL: out of memory or a
 * bad argument.
 */
struct dns_xfr *dns_xfr_new(const uint8_t *apex, uint16_t qtype, uint16_t id,
    const struct dns_zone *old);
void dns_xfr_free(struct dns_xfr *x);

/*
 * The next message of the stream (without its TCP length prefix).
 * DNS_XFR_MORE, DNS_XFR_DONE (then feeding again is an error) or
 * DNS_XFR_ERROR with the reason in dns_xfr_error(); an error is final.
 */
int dns_xfr_feed(struct dns_xfr *x, const uint8_t *msg, size_t len);
const char *dns_xfr_error(const struct dns_xfr *x);
/* The RCODE of a reply that carried one (0 otherwise): NOTIMP, REFUSED... */
int dns_xfr_rcode(const struct dns_xfr *x);
enum dns_xfr_kind dns_xfr_kind(const struct dns_xfr *x);
/* The serial of the stream's first SOA (the server's); false before it came. */
bool dns_xfr_serial(const struct dns_xfr *x, uint32_t *serial);
/* Messages and answer records taken so far, and their size as uncompressed wire. */
size_t dns_xfr_messages(const struct dns_xfr *x);
size_t dns_xfr_records(const struct dns_xfr *x);
uint64_t dns_xfr_size(const struct dns_xfr *x);

/*
 * Limits of this transfer (0: none), checked at every answer record: how
 * many records the stream may carry, and their size in uncompressed wire
 * form (owner, type, class, TTL, length, rdata with names in full; how
 * Knot's zone-max-size counts, so compression cannot multiply what we
 * keep).  They bound what a primary, or anyone who can write into an
 * unsigned transfer's TCP stream, makes us hold: an AXFR's builder grows
 * with its records, an IXFR's delta with the records of its sequences.
 * Exceeding one is an error like any other (the stream is unusable),
 * with dns_xfr_over_limit() true so the caller can count it and tell it
 * apart.
 */
void dns_xfr_set_limits(struct dns_xfr *x, size_t max_records, uint64_t max_size);
bool dns_xfr_over_limit(const struct dns_xfr *x);

/*
 * Once DONE with AXFR or INCREMENTAL: the new zone (the caller owns it),
 * warnings of the builder in err ("" none); NULL with the reason in err.
 * Call it once.
 */
struct dns_zone *dns_xfr_finish(struct dns_xfr *x, char *err, size_t errlen);

/*
 * Rdata of `type` at msg[off..off+rdlen) with the names a sender may have
 * compressed read in full (see above), into out (DNS_XFR_RDATA_MAX).  Its
 * length, or -1 when such a name is malformed or the result is too long.
 */
#define DNS_XFR_RDATA_MAX 65535
int dns_xfr_rdata(const uint8_t *msg, size_t len, size_t off, uint16_t rdlen, uint16_t type,
    uint8_t *out);

/* RFC 1982 serial number arithmetic: a is newer than b (undefined pairs: false). */
bool dns_serial_gt(uint32_t a, uint32_t b);

/* The SOA serial of uncompressed SOA rdata (RFC 1035 3.3.13); false if malformed. */
bool dns_soa_rdata_serial(const uint8_t *rd, size_t len, uint32_t *serial);
/* Refresh, retry, expire, minimum after the serial (RFC 1035 3.3.13). */
bool dns_soa_rdata_timers(const uint8_t *rd, size_t len, uint32_t t[4]);
/* The serial of a zone's SOA. */
bool dns_zone_serial(const struct dns_zone *zone, uint32_t *serial);

#endif
