/*
 * dnssec_check.h - what a server can check cheaply in a pre-signed zone
 * before serving it: the NSEC chain, the NSEC3 chain and its NSEC3PARAM,
 * an RRSIG over every authoritative RRset and their validity periods, and
 * a DNSKEY at the apex of a zone with DNSSEC records.  Nothing is
 * verified cryptographically: that is the validator's job.  Used by
 * `riposte-dns --check` and logged at every load.
 */
#ifndef RIPOSTE_DNS_DNSSEC_CHECK_H
#define RIPOSTE_DNS_DNSSEC_CHECK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "zone.h"

/* Warn about an RRSIG that expires within this many seconds. */
#define DNS_CHECK_EXPIRY_WARN (7 * 86400)

/*
 * An error: the zone cannot be served correctly as signed (a validator
 * would reject a proof or an answer); a warning: it can, for now.
 */
struct dns_check_count {
	unsigned errors, warnings;
};

typedef void dns_check_fn(void *ctx, bool error, const char *msg);

/*
 * Check `zone` at time `now` and call fn once per problem, for the first
 * `max` of them (the rest are only counted); messages name the owner and
 * type concerned and have no final newline.  An unsigned zone without any
 * DNSSEC record gives nothing.  Returns the counts of all problems.
 */
struct dns_check_count dns_zone_dnssec_check(const struct dns_zone *zone, time_t now,
    uint32_t expiry_warn, unsigned max, dns_check_fn *fn, void *ctx);

#endif
