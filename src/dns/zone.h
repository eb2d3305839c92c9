/*
 * zone.h - the authoritative database of riposte-dns.
 *
 * A zone is built once (by load.c from a zone file or a hosts input, or by
 * tests) and is then read-only: the answer path only reads it, without locks
 * and without allocating.  Reload builds a new zone set and swaps it in
 * whole (server.c), so a query never sees half a zone.
 *
 * Names are lowercase wire format.  Every name between a zone's apex and
 * each owner exists as a node, with no RRsets when it is an empty
 * non-terminal (RFC 4592 2.2.2), so "does this name exist" is one lookup.
 * Rdata is stored in wire form, uncompressed, as found in the zone; types
 * the server does not know are stored and served as they are (RFC 3597).
 */
#ifndef RIPOSTE_DNS_ZONE_H
#define RIPOSTE_DNS_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "name.h"

/* RR types and classes the server treats specially. */
enum {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6, DNS_T_PTR = 12,
	DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28, DNS_T_SRV = 33, DNS_T_DNAME = 39,
	DNS_T_OPT = 41, DNS_T_DS = 43, DNS_T_RRSIG = 46, DNS_T_NSEC = 47, DNS_T_DNSKEY = 48,
	DNS_T_NSEC3 = 50, DNS_T_NSEC3PARAM = 51,
	DNS_T_IXFR = 251, DNS_T_AXFR = 252, DNS_T_ANY = 255,
};
enum { DNS_C_IN = 1, DNS_C_CH = 3, DNS_C_ANY = 255 };

/* The mnemonic of a type ("A", "TYPE65534" per RFC 3597 5); buf is used for the latter. */
#define DNS_TYPE_STRLEN 12
const char *dns_type_name(uint16_t type, char buf[DNS_TYPE_STRLEN]);

/* One RRset: `count` records of one owner and type, with one TTL. */
struct dns_rrset {
	uint16_t type;
	uint16_t count;
	uint32_t ttl;
	/* count records, each a 2-byte big-endian length and that many bytes of rdata */
	const uint8_t *rdata;
	uint32_t rdata_len; /* bytes at rdata in all */
};

enum {
	DNS_NODE_DELEGATION = 1 << 0, /* NS RRset below the apex: a zone cut (RFC 1034 4.2.1) */
	DNS_NODE_WILDCARD = 1 << 1,   /* the node "*.<this name>" exists (RFC 4592) */
	DNS_NODE_GLUE = 1 << 2,       /* below a zone cut: only served as glue */
};

struct dns_node {
	const uint8_t *name; /* lowercase wire */
	uint8_t name_len;
	uint8_t labels;
	uint8_t flags;
	uint16_t n_rrsets;   /* 0 for an empty non-terminal */
	const struct dns_rrset *rrsets; /* sorted by type */
	/* The NSEC3 node whose hash is this name's (RFC 5155 7.2), hashed at load; or NULL. */
	const struct dns_node *nsec3;
};

struct dns_zone;

/* The zone's apex (lowercase wire) and its SOA (NULL never for a loaded zone). */
const uint8_t *dns_zone_apex(const struct dns_zone *zone);
const struct dns_node *dns_zone_apex_node(const struct dns_zone *zone);
const struct dns_rrset *dns_zone_soa(const struct dns_zone *zone);
size_t dns_zone_node_count(const struct dns_zone *zone);
size_t dns_zone_rr_count(const struct dns_zone *zone);

/* Exact lookup of a lowercase wire name; NULL if the name does not exist in the zone. */
const struct dns_node *dns_zone_lookup(const struct dns_zone *zone, const uint8_t *name_lc);
/* The RRset of this type at the node, or NULL. */
const struct dns_rrset *dns_node_rrset(const struct dns_node *node, uint16_t type);

/*
 * DNSSEC of pre-signed zones (RFC 4034, RFC 5155).  The zone is served as
 * signed: nothing is signed here, the RRSIG, NSEC and NSEC3 records come
 * from the zone file.
 */
#define DNS_NSEC3_HASH_MAX 20 /* SHA-1, RFC 5155 11: the only algorithm defined */
/* RFC 4034 6.1 canonical order of lowercase wire names: <0, 0, >0. */
int dns_name_canon_cmp(const uint8_t *a, const uint8_t *b);
/* The zone has a DNSKEY at its apex. */
bool dns_zone_signed(const struct dns_zone *zone);
/*
 * NSEC: the node owning an NSEC that matches or covers `name_lc` (RFC 4034
 * 4.1): the last NSEC owner at or before it in canonical order, the last of
 * all (whose NSEC wraps to the apex) when none is.  NULL without NSEC.
 */
const struct dns_node *dns_zone_nsec_find(const struct dns_zone *zone, const uint8_t *name_lc);
/* NSEC3: the zone has an NSEC3PARAM with a hash we know and NSEC3 records. */
bool dns_zone_nsec3(const struct dns_zone *zone);
/* The NSEC3 hash of a name with the zone's NSEC3PARAM (RFC 5155 5); false without one. */
bool dns_zone_nsec3_hash(const struct dns_zone *zone, const uint8_t *name_lc,
    uint8_t out[DNS_NSEC3_HASH_MAX]);
/*
 * The NSEC3 node that matches (*match true) or covers the hash: the last
 * NSEC3 owner hash at or before it, wrapping to the last.  NULL without NSEC3.
 */
const struct dns_node *dns_zone_nsec3_find(const struct dns_zone *zone,
    const uint8_t hash[DNS_NSEC3_HASH_MAX], bool *match);

/*
 * The DNSSEC indexes as built at load, for checks (dnssec_check.c): the NSEC
 * owners in canonical order, the NSEC3 owners in hash order (with their
 * hash, decoded from the owner), and the NSEC3PARAM the server uses (false
 * without one: then dns_zone_nsec3() is false too).
 */
size_t dns_zone_nsec_count(const struct dns_zone *zone);
const struct dns_node *dns_zone_nsec_at(const struct dns_zone *zone, size_t i);
size_t dns_zone_nsec3_count(const struct dns_zone *zone);
const struct dns_node *dns_zone_nsec3_at(const struct dns_zone *zone, size_t i,
    const uint8_t **hash);
bool dns_zone_nsec3_param(const struct dns_zone *zone, uint16_t *iterations,
    const uint8_t **salt, uint8_t *salt_len);

/* Walk every node (export, tests); order is unspecified. */
void dns_zone_walk(const struct dns_zone *zone,
    void (*fn)(void *ctx, const struct dns_node *node), void *ctx);

/*
 * Zones are shared, not copied: a zone kept across a reload or a transfer
 * of another zone is in both generations' sets.  dns_zone_ref() adds a
 * holder; dns_zone_free() drops one and frees the zone with the last.
 */
struct dns_zone *dns_zone_ref(const struct dns_zone *zone);

/*
 * The same walk, resumable (a zone transfer sends a message at a time):
 * zero the iterator, then each call gives the next node, NULL at the end.
 */
struct dns_zone_iter {
	size_t off, index;
};
const struct dns_node *dns_zone_iter_next(const struct dns_zone *zone, struct dns_zone_iter *it);

void dns_zone_free(struct dns_zone *zone);

/*
 * A zone we are authoritative for but have no data to serve: a secondary
 * that has expired (RFC 1035 3.3.13) or never transferred.  It has an apex
 * and nothing else (no node, no SOA), and the answer path answers every
 * name in it SERVFAIL rather than REFUSED or a parent zone's referral.
 */
struct dns_zone *dns_zone_new_unavailable(const uint8_t *apex);
bool dns_zone_available(const struct dns_zone *zone);

/*
 * Building.  Add records in any order; dns_zone_builder_finish() groups
 * them into RRsets (one TTL per RRset: the lowest wins, with a warning
 * through `err`), drops exact duplicates, creates empty non-terminals and
 * the node flags, and checks the zone: exactly one SOA at the apex, NS at
 * the apex, no records outside the zone, CNAME not beside other data
 * (RFC 1034 3.6.2, RFC 2181 10.1), one CNAME and one DNAME per owner.
 * Errors and warnings are written to `err` as "message" lines (at most ten,
 * then a count); finish returns NULL on an error, and on success leaves
 * the warnings in `err` ("" when there are none).
 *
 * Flags: DELEGATION on a node below the apex with NS that is not itself
 * below a cut (the topmost cut is the referral); GLUE on every node below
 * a cut; WILDCARD on the parent of every "*" node.
 */
struct dns_zone_builder;
struct dns_zone_builder *dns_zone_builder_new(const uint8_t *apex);
/* Results of dns_zone_builder_add. */
enum {
	DNS_ZB_OK = 0,
	DNS_ZB_OUTSIDE = -1, /* owner not at or below the apex */
	DNS_ZB_NAME = -2,    /* owner not a valid wire name */
	DNS_ZB_TYPE = -3,    /* 0, OPT or a meta-type (RFC 6895 3.1): never zone data */
	DNS_ZB_RDATA = -4,   /* A/AAAA of the wrong size, NS/CNAME/PTR/DNAME/MX/SRV/SOA malformed */
	DNS_ZB_NOMEM = -5,
	DNS_ZB_FULL = -6,    /* more than 4 GiB of rdata or 2^32 records */
};
/*
 * owner: wire (any case, lowercased here); rdata: wire.  DNS_ZB_OK or a
 * negative DNS_ZB_*; the record is not added then (after NOMEM or FULL,
 * finish fails).  Rdata of the types the answer path reads is checked.
 */
int dns_zone_builder_add(struct dns_zone_builder *b, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, uint16_t rdata_len);
const char *dns_zone_builder_strerror(int code);
/*
 * What dns_zone_builder_add() would say of this record for a zone at
 * `apex` (lowercase wire), without a builder: DNS_ZB_OK, OUTSIDE, NAME,
 * TYPE or RDATA.  For IXFR, whose records are checked as they come.
 */
int dns_zone_record_check(const uint8_t *apex, const uint8_t *owner, uint16_t type,
    const uint8_t *rdata, uint16_t rdata_len);
/* A hint: about `records` records will be added (the loader guesses from the file size). */
void dns_zone_builder_reserve(struct dns_zone_builder *b, size_t records);
struct dns_zone *dns_zone_builder_finish(struct dns_zone_builder *b, char *err, size_t errlen);
void dns_zone_builder_free(struct dns_zone_builder *b);

/* A set of zones; the zone for a name is the one with the longest matching apex. */
struct dns_zoneset;
struct dns_zoneset *dns_zoneset_new(void);
/* Takes ownership; -1 if a zone with the same apex is already there (then the caller keeps it). */
int dns_zoneset_add(struct dns_zoneset *set, struct dns_zone *zone);
const struct dns_zone *dns_zoneset_find(const struct dns_zoneset *set, const uint8_t *name_lc);
size_t dns_zoneset_count(const struct dns_zoneset *set);
const struct dns_zone *dns_zoneset_get(const struct dns_zoneset *set, size_t i);
void dns_zoneset_free(struct dns_zoneset *set);
/*
 * The per-zone query counters' slot of a zone (answer.h: dns_answer_stats.
 * zone), given by the server before the set is published; 0: none.
 */
void dns_zoneset_set_stat_slot(struct dns_zoneset *set, size_t i, unsigned slot);
unsigned dns_zone_stat_slot(const struct dns_zone *zone);

#endif
