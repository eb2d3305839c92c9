/*
 * name.h - DNS names in wire format (RFC 1035 3.1) as riposte-dns uses
 * them: a sequence of labels, each a length byte (1..63) and its bytes,
 * ending in the zero-length root label, at most 255 bytes in all.  Inside
 * riposte-dns names are kept in wire format; lookups use the lowercased
 * form (RFC 4343: ASCII case insensitive, other bytes compared as they are).
 *
 * The code is src/dnsmsg's (one name codec for the whole project); these
 * are riposte-dns's names for it, with its convention of -1 for any error.
 */
#ifndef RIPOSTE_DNS_NAME_H
#define RIPOSTE_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnsmsg/dnsmsg.h"

#define DNS_NAME_MAX DNSMSG_NAME_MAX
#define DNS_LABEL_MAX DNSMSG_LABEL_MAX
#define DNS_NAME_STRLEN DNSMSG_NAME_STRLEN

/*
 * Validate an uncompressed wire name in buf[0..len): returns its length
 * (including the root label) or -1 when it is malformed, longer than 255
 * bytes, or runs past len.  Compression pointers are not allowed here.
 */
static inline int
dns_name_wire_len(const uint8_t *buf, size_t len)
{
	int n = dnsmsg_name_wire_len(buf, len);

	return n < 0 ? -1 : n;
}

/* Number of labels, not counting the root (".": 0, "a.b.": 2). */
static inline unsigned
dns_name_labels(const uint8_t *name)
{
	return dnsmsg_name_labels(name);
}

/* Copy a wire name, lowercasing A-Z; returns its length. */
static inline size_t
dns_name_lower(uint8_t *dst, const uint8_t *src)
{
	return dnsmsg_name_lower(dst, src);
}

/* Equal ignoring ASCII case (RFC 4343). */
static inline bool
dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	return dnsmsg_name_equal(a, b);
}

/* Is `name` equal to or below `zone` (ASCII case-insensitive)? */
static inline bool
dns_name_is_subdomain(const uint8_t *name, const uint8_t *zone)
{
	return dnsmsg_name_is_subdomain(name, zone);
}

/* Skip `n` leading labels; returns a pointer into name (n <= labels). */
static inline const uint8_t *
dns_name_skip(const uint8_t *name, unsigned n)
{
	return dnsmsg_name_skip(name, n);
}

/*
 * Presentation format to wire (RFC 1035 5.1): "a.b.", escapes \. and \DDD.
 * A name without a final dot is relative to `origin` (wire; NULL: error).
 * "@" is the origin.  Returns the wire length, or -1.
 */
static inline int
dns_name_from_text(uint8_t out[DNS_NAME_MAX], const char *text, const uint8_t *origin)
{
	int n = dnsmsg_name_from_text(out, text, origin);

	return n < 0 ? -1 : n;
}

/* Wire to presentation format, with escapes; always ends in "." ("." for the root). */
static inline const char *
dns_name_to_text(const uint8_t *name, char out[DNS_NAME_STRLEN])
{
	return dnsmsg_name_to_text(name, out);
}

#endif
