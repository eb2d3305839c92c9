/*
 * rrl.h - response rate limiting for riposte-dns's UDP answers, as NSD and
 * Knot do it (the technique of Vixie and Schryver's "DNS Response Rate
 * Limiting", 2012; RFC 8906 does not cover it, BCP 38 is what it stands in
 * for).  A source address can be forged over UDP, so an authoritative
 * server that answers every query is an amplifier aimed at the forged
 * address: small queries, large answers.  RRL bounds the answers per second
 * that one client prefix gets for one kind of answer about one name.
 *
 * One struct dns_rrl per worker thread (no locks): a fixed-size table of
 * token buckets, keyed by SipHash (keyed per table) of the client prefix
 * (/24, /56 by default), the response class and the name that class is
 * about.  A bucket holds at most `rate` tokens (one second of burst) and
 * refills at `rate` per second; an answer with no token is limited: dropped,
 * or every `slip`th one sent as a bare TC=1 answer so that a real client
 * retries over TCP, which proves its address (RFC 7766 5).  The table is a
 * fixed number of 4-way sets, so memory is bounded however many sources
 * there are; a new key takes an empty way or the least recently used one.
 *
 * Pure: no clock (the caller passes the time), no I/O; the classification
 * reads only the answer it is given.
 */
#ifndef RIPOSTE_DNS_RRL_H
#define RIPOSTE_DNS_RRL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "lib/clock.h"
#include "name.h"

/* What kind of answer it is: each has a bucket of its own. */
enum dns_rrl_class {
	DNS_RRL_ANSWER = 0,	/* NOERROR with answers: keyed by the qname */
	DNS_RRL_NXDOMAIN,	/* keyed by the zone (the SOA owner in authority) */
	DNS_RRL_NODATA,		/* NOERROR, empty, authoritative: keyed by the qname */
	DNS_RRL_REFERRAL,	/* NOERROR, empty, not authoritative: the delegation */
	DNS_RRL_ERROR,		/* any other rcode: one bucket per prefix, no name */
	DNS_RRL_N_CLASSES,
};

enum dns_rrl_action {
	DNS_RRL_PASS = 0,	/* send the answer */
	DNS_RRL_DROP,		/* limited: send nothing */
	DNS_RRL_SLIP,		/* limited: send the TC=1 form (dns_rrl_slip()) */
};

/* An address prefix (the whitelist). */
struct dns_rrl_prefix {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; host bits zero */
	uint8_t len;
};

struct dns_rrl_conf {
	unsigned rate;		/* responses per second per bucket; 0: off */
	unsigned slip;		/* every slip-th limited answer slips; 0: never */
	unsigned v4_prefix;	/* 1..32 */
	unsigned v6_prefix;	/* 1..128 */
	const struct dns_rrl_prefix *whitelist; /* never limited */
	size_t n_whitelist;
	size_t table_size;	/* buckets; rounded up to a power of two, at least 4 */
};

struct dns_rrl_stats {
	uint64_t passed, limited, slipped, whitelisted, evicted;
};

struct dns_rrl;

#define DNS_RRL_KEY_LEN 16

/* A table; NULL when out of memory.  The conf's whitelist is copied. */
struct dns_rrl *dns_rrl_new(const struct dns_rrl_conf *conf, const uint8_t key[DNS_RRL_KEY_LEN]);
void dns_rrl_free(struct dns_rrl *rrl);

/*
 * The class of the UDP answer resp[0..len) and the name it is keyed by
 * (lowercase wire, root for errors) in name.  Never fails: what cannot be
 * read is an error class.
 */
enum dns_rrl_class dns_rrl_classify(const uint8_t *resp, size_t len, uint8_t name[DNS_NAME_MAX]);

/*
 * Account one answer of class cls about name to the client sa at time now:
 * PASS, DROP or SLIP.  A whitelisted client always passes.
 */
enum dns_rrl_action dns_rrl_check(struct dns_rrl *rrl, const struct sockaddr *sa,
    enum dns_rrl_class cls, const uint8_t *name, rtime_t now);

/*
 * Turn the answer resp[0..len) into its slipped form in place: the header
 * with TC=1 and the question only (RFC 2181 9: a client that sees TC
 * retries over TCP).  Returns the new length.
 */
size_t dns_rrl_slip(uint8_t *resp, size_t len);

const struct dns_rrl_stats *dns_rrl_stats(const struct dns_rrl *rrl);
/* "answer", "nxdomain", "nodata", "referral", "error" */
const char *dns_rrl_class_name(enum dns_rrl_class cls);
/* Whether a (family, address) is inside the prefix. */
bool dns_rrl_prefix_match(const struct dns_rrl_prefix *p, int family, const uint8_t *addr);

#endif
