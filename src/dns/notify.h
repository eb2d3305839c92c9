/*
 * notify.h - NOTIFY out (RFC 1996): on every new serial of a zone, a
 * NOTIFY to each of its `notify` targets, over UDP from the main thread's
 * loop, TSIG-signed when the target has a key, retransmitted (RFC 1996
 * 3.6) until a reply with our id comes: at most DNS_NOTIFY_TRIES sends,
 * DNS_NOTIFY_FIRST seconds apart at first, the interval doubling.
 *
 * A newer serial for the same zone and target replaces a NOTIFY still
 * waiting for its reply.  A reply is taken when it comes from the target's
 * address and port, with our id, QR set and opcode NOTIFY, its question
 * the zone's apex, and (keyed targets) a TSIG that verifies; NOERROR ends
 * the exchange, another rcode ends it too (the target said no: sending
 * again will not change its mind), logged.
 */
#ifndef RIPOSTE_DNS_NOTIFY_H
#define RIPOSTE_DNS_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tsig.h"
#include "xfrout.h"
#include "zone.h"

#define DNS_NOTIFY_TRIES 6   /* the first send and 5 retransmissions */
#define DNS_NOTIFY_FIRST 2.0 /* seconds before the first retransmission */

/* The messages themselves are built and read in xfrout.c (pure, fuzzed). */
struct ev_loop;
struct dns_notify;

struct dns_notify_stats {
	uint64_t sent;        /* NOTIFY messages sent, retransmissions included */
	uint64_t retransmits;
	uint64_t acked;       /* NOERROR replies */
	uint64_t rejected;    /* other rcodes */
	uint64_t unanswered;  /* given up after DNS_NOTIFY_TRIES */
	uint64_t send_errors;
};

/*
 * src4, src6: the source address of NOTIFYs per family (a secondary checks
 * where a NOTIFY comes from: riposte-dns's own `listen` address rather
 * than whichever the route picks), port 0; NULL: the kernel's choice.
 */
struct dns_notify *dns_notify_new(struct ev_loop *loop, const struct sockaddr_in *src4,
    const struct sockaddr_in6 *src6);
/* NOTIFY every target of pz about zone's serial (keys: the policy's). */
void dns_notify_zone(struct dns_notify *n, const struct dns_zone *zone,
    const struct dns_xfr_zone *pz, const struct dns_tsig_key *keys, size_t n_keys);
void dns_notify_get_stats(const struct dns_notify *n, struct dns_notify_stats *st);
/* NOTIFYs still waiting for a reply. */
size_t dns_notify_pending(const struct dns_notify *n);
void dns_notify_free(struct dns_notify *n);

#endif
