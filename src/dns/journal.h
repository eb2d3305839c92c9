/*
 * journal.h - what changed between two versions of a zone, as IXFR sends
 * it (RFC 1995 2, 4): the old SOA and the records deleted, the new SOA and
 * the records added; and a journal of such differences per zone, bounded
 * in bytes, that says whether a client at serial X can be brought to the
 * current serial by incremental transfer.
 *
 * Pure: zones in, bytes out; no I/O, no clock, no globals.  The main
 * thread computes a difference at every publish (xfrout.c) and keeps it in
 * the zone's journal; a transfer in progress holds a reference to each
 * difference it sends, so a publish that drops the oldest ones from the
 * journal does not free them under it.
 *
 * Records are compared per owner and type as sets of rdata (RFC 2181 5:
 * an RRset is a set); an RRset whose TTL changed is deleted whole and
 * added whole, since IXFR has no other way to say "same data, new TTL".
 * Rdata is compared byte for byte as stored (a change of case in a name
 * inside rdata is a change).
 */
#ifndef RIPOSTE_DNS_JOURNAL_H
#define RIPOSTE_DNS_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfr.h"
#include "zone.h"

/*
 * One difference.  buf holds the deletions (the old SOA first), then the
 * additions from add_off on (the new SOA first), each record packed as:
 * owner length (1 byte), owner (lowercase wire), type (2), TTL (4), rdata
 * length (2), rdata; big-endian.  Class is IN, as every zone we serve.
 */
struct dns_diff {
	uint32_t from, to;   /* the old and the new serial */
	unsigned refs;       /* the journal's and each transfer's (main thread only) */
	size_t n_del, n_add; /* records, each SOA included */
	size_t add_off;      /* the additions' first byte in buf */
	size_t len;          /* bytes in buf */
	uint8_t *buf;
};

struct dns_diff_rr {
	const uint8_t *owner;
	uint16_t type;
	uint32_t ttl;
	uint16_t rdlen;
	const uint8_t *rdata;
};

/* Results of dns_diff_compute(). */
enum {
	DNS_DIFF_OK = 0,
	DNS_DIFF_SAME = 1,     /* same serial and same records: nothing to record */
	DNS_DIFF_NOSOA = -1,   /* a zone without a readable SOA serial */
	DNS_DIFF_APEX = -2,    /* not two versions of one zone */
	DNS_DIFF_SERIAL = -3,  /* the records changed but the serial did not increase (RFC 1982) */
	DNS_DIFF_NOMEM = -4,
};
const char *dns_diff_strerror(int code);

/*
 * The difference from `old` to `new` (same apex): DNS_DIFF_OK and *out (one
 * reference, the caller's), or another code and *out NULL.  A new serial
 * with the same records gives a difference of the two SOAs alone.
 */
int dns_diff_compute(const struct dns_zone *old, const struct dns_zone *new,
    struct dns_diff **out);
/* Walk the records of one part: from pos = 0 (deletions) or pos = d->add_off (additions). */
bool dns_diff_rr_next(const struct dns_diff *d, size_t *pos, size_t end, struct dns_diff_rr *rr);
void dns_diff_ref(struct dns_diff *d);
void dns_diff_unref(struct dns_diff *d);

/*
 * The TTL an RRSIG record goes out with: the zone keeps the RRSIGs of an
 * owner as one RRset, but each has the TTL of the RRset it covers (RFC 4034
 * 3), or its Original TTL when that RRset is not at the node (answer.c's
 * rule, so transfers carry what queries see).
 */
uint32_t dns_rrsig_ttl(const struct dns_node *node, const uint8_t *rd, uint16_t len,
    uint32_t dflt);

/* dns_zone_serial() and dns_serial_gt() (RFC 1982) are in xfr.h. */

/*
 * A zone's journal: differences that follow each other (each one's `from`
 * the previous one's `to`), at most max_bytes of them in all: adding one
 * drops the oldest until they fit; one larger than the bound alone clears
 * the journal and is not kept.
 */
struct dns_journal;
struct dns_journal *dns_journal_new(size_t max_bytes);
void dns_journal_free(struct dns_journal *j);
/*
 * Append a difference (takes the caller's reference).  One that does not
 * start where the last one ends (a reload with a serial jump, a zone
 * replaced whole) starts the journal again from it.
 */
void dns_journal_add(struct dns_journal *j, struct dns_diff *d);
void dns_journal_clear(struct dns_journal *j);
size_t dns_journal_count(const struct dns_journal *j);
size_t dns_journal_bytes(const struct dns_journal *j);
/* The i-th difference, oldest first. */
struct dns_diff *dns_journal_at(const struct dns_journal *j, size_t i);
/*
 * Is there a chain from `serial` to `current` (the serial served now)?
 * true and *first: the index of the difference starting at `serial`; the
 * chain is every difference from there to the last, whose `to` is current.
 */
bool dns_journal_find(const struct dns_journal *j, uint32_t serial, uint32_t current,
    size_t *first);

#endif
