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
	DNS_T_IXFR = 251, DNS_T_AXFR = 252, DNS_T_ANY = 255,
};
enum { DNS_C_IN = 1, DNS_C_CH = 3, DNS_C_ANY = 255 };

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
	DNS_NODE_GLUE = 1 << 2,       /* at or below a zone cut: only served as glue */
};

struct dns_node {
	const uint8_t *name; /* lowercase wire */
	uint8_t name_len;
	uint8_t labels;
	uint8_t flags;
	uint16_t n_rrsets;   /* 0 for an empty non-terminal */
	const struct dns_rrset *rrsets; /* sorted by type */
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

/* Walk every node (export, tests); order is unspecified. */
void dns_zone_walk(const struct dns_zone *zone,
    void (*fn)(void *ctx, const struct dns_node *node), void *ctx);

void dns_zone_free(struct dns_zone *zone);

/*
 * Building.  Add records in any order; dns_zone_builder_finish() groups
 * them into RRsets (one TTL per RRset: the lowest wins, with a warning
 * through `err`), drops exact duplicates, creates empty non-terminals and
 * the node flags, and checks the zone: exactly one SOA at the apex, NS at
 * the apex, no records outside the zone, CNAME not beside other data
 * (RFC 1034 3.6.2, RFC 2181 10.1).  Errors and warnings are written to
 * `err` as "message" lines; finish returns NULL on an error.
 */
struct dns_zone_builder;
struct dns_zone_builder *dns_zone_builder_new(const uint8_t *apex);
/* owner: wire (any case, lowercased here); rdata: wire.  0, or -1 (out of zone, too big). */
int dns_zone_builder_add(struct dns_zone_builder *b, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, uint16_t rdata_len);
struct dns_zone *dns_zone_builder_finish(struct dns_zone_builder *b, char *err, size_t errlen);
void dns_zone_builder_free(struct dns_zone_builder *b);

/* A set of zones; the zone for a name is the one with the longest matching apex. */
struct dns_zoneset;
struct dns_zoneset *dns_zoneset_new(void);
/* Takes ownership; -1 if a zone with the same apex is already there. */
int dns_zoneset_add(struct dns_zoneset *set, struct dns_zone *zone);
const struct dns_zone *dns_zoneset_find(const struct dns_zoneset *set, const uint8_t *name_lc);
size_t dns_zoneset_count(const struct dns_zoneset *set);
const struct dns_zone *dns_zoneset_get(const struct dns_zoneset *set, size_t i);
void dns_zoneset_free(struct dns_zoneset *set);

#endif
