/*
 * name.h - DNS names in wire format (RFC 1035 3.1): a sequence of labels,
 * each a length byte (1..63) and its bytes, ending in the zero-length root
 * label.  At most 255 bytes in all.  Inside riposte-dns names are kept in
 * wire format; lookups use the lowercased form (RFC 4343: ASCII case
 * insensitive, other bytes compared as they are).
 */
#ifndef RIPOSTE_DNS_NAME_H
#define RIPOSTE_DNS_NAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX 255
#define DNS_LABEL_MAX 63
#define DNS_NAME_STRLEN (4 * DNS_NAME_MAX + 2) /* every byte escaped as \DDD, plus NUL */

/*
 * Validate an uncompressed wire name in buf[0..len): returns its length
 * (including the root label) or -1 when it is malformed, longer than 255
 * bytes, or runs past len.  Compression pointers are not allowed here.
 */
int dns_name_wire_len(const uint8_t *buf, size_t len);

/* Number of labels, not counting the root (".": 0, "a.b.": 2). */
unsigned dns_name_labels(const uint8_t *name);

/* Copy a wire name, lowercasing A-Z; returns its length. */
size_t dns_name_lower(uint8_t *dst, const uint8_t *src);

/* Equal ignoring ASCII case (RFC 4343). */
bool dns_name_equal(const uint8_t *a, const uint8_t *b);

/* Is `name` equal to or below `zone` (ASCII case-insensitive)? */
bool dns_name_is_subdomain(const uint8_t *name, const uint8_t *zone);

/* Skip `n` leading labels; returns a pointer into name (n <= labels). */
const uint8_t *dns_name_skip(const uint8_t *name, unsigned n);

/*
 * Presentation format to wire (RFC 1035 5.1): "a.b.", escapes \. and \DDD.
 * A name without a final dot is relative to `origin` (wire; NULL: error).
 * "@" is the origin.  Returns the wire length, or -1.
 */
int dns_name_from_text(uint8_t out[DNS_NAME_MAX], const char *text, const uint8_t *origin);

/* Wire to presentation format, with escapes; always ends in "." ("." for the root). */
const char *dns_name_to_text(const uint8_t *name, char out[DNS_NAME_STRLEN]);

#endif
