/*
 * name.c - DNS wire names: validation, case folding, comparison and the
 * presentation format (RFC 1035 3.1 and 5.1, RFC 4343).
 */
#include "name.h"

#include <stdio.h>
#include <string.h>

static inline uint8_t
dns_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

int
dns_name_wire_len(const uint8_t *buf, size_t len)
{
	size_t pos = 0;
	for (;;) {
		if (pos >= len)
			return -1;
		uint8_t l = buf[pos];
		if (l == 0)
			break;
		if (l > DNS_LABEL_MAX) /* 0xC0 pointers and the reserved 0x40/0x80 forms */
			return -1;
		pos += 1 + (size_t)l;
		if (pos >= DNS_NAME_MAX)
			return -1;
	}
	return (int)pos + 1;
}

unsigned
dns_name_labels(const uint8_t *name)
{
	unsigned n = 0;
	while (*name != 0) {
		name += 1 + *name;
		n++;
	}
	return n;
}

size_t
dns_name_lower(uint8_t *dst, const uint8_t *src)
{
	size_t i = 0;
	for (;;) {
		uint8_t l = src[i];
		dst[i++] = l;
		if (l == 0)
			return i;
		for (uint8_t k = 0; k < l; k++, i++)
			dst[i] = dns_lower(src[i]);
	}
}

bool
dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		uint8_t l = *a;
		if (l == 0)
			return true;
		a++;
		b++;
		for (uint8_t k = 0; k < l; k++)
			if (dns_lower(a[k]) != dns_lower(b[k]))
				return false;
		a += l;
		b += l;
	}
}

const uint8_t *
dns_name_skip(const uint8_t *name, unsigned n)
{
	while (n-- > 0 && *name != 0)
		name += 1 + *name;
	return name;
}

bool
dns_name_is_subdomain(const uint8_t *name, const uint8_t *zone)
{
	unsigned ln = dns_name_labels(name), lz = dns_name_labels(zone);
	if (ln < lz)
		return false;
	return dns_name_equal(dns_name_skip(name, ln - lz), zone);
}

int
dns_name_from_text(uint8_t out[DNS_NAME_MAX], const char *text, const uint8_t *origin)
{
	size_t pos = 0, label = 0; /* label: offset of the current length byte */
	const char *p = text;

	if (strcmp(text, "@") == 0) {
		if (origin == NULL)
			return -1;
		int n = dns_name_wire_len(origin, DNS_NAME_MAX);
		if (n < 0)
			return -1;
		memcpy(out, origin, (size_t)n);
		return n;
	}
	if (strcmp(text, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	if (*p == '\0' || *p == '.')
		return -1;
	out[pos++] = 0;
	for (; *p != '\0'; p++) {
		unsigned c = (unsigned char)*p;
		if (c == '.') {
			if (pos - label - 1 == 0)
				return -1; /* empty label */
			if (p[1] == '\0') {
				/* Absolute name. */
				if (pos + 1 > DNS_NAME_MAX)
					return -1;
				out[pos++] = 0;
				return (int)pos;
			}
			label = pos;
			if (pos + 1 > DNS_NAME_MAX)
				return -1;
			out[pos++] = 0;
			continue;
		}
		if (c == '\\') {
			if (p[1] >= '0' && p[1] <= '9') {
				if (!(p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9'))
					return -1;
				c = (unsigned)((p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0'));
				if (c > 255)
					return -1;
				p += 3;
			} else if (p[1] != '\0') {
				c = (unsigned char)p[1];
				p++;
			} else {
				return -1;
			}
		}
		if (pos - label - 1 >= DNS_LABEL_MAX || pos + 1 >= DNS_NAME_MAX)
			return -1;
		out[pos++] = (uint8_t)c;
		out[label] = (uint8_t)(pos - label - 1);
	}
	/* Relative name: append the origin. */
	if (origin == NULL)
		return -1;
	int n = dns_name_wire_len(origin, DNS_NAME_MAX);
	if (n < 0 || pos + (size_t)n > DNS_NAME_MAX)
		return -1;
	memcpy(out + pos, origin, (size_t)n);
	return (int)pos + n;
}

const char *
dns_name_to_text(const uint8_t *name, char out[DNS_NAME_STRLEN])
{
	size_t o = 0;
	if (*name == 0) {
		strcpy(out, ".");
		return out;
	}
	while (*name != 0) {
		uint8_t l = *name++;
		for (uint8_t k = 0; k < l; k++) {
			uint8_t c = name[k];
			if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' ||
			    c == '@' || c == '$') {
				out[o++] = '\\';
				out[o++] = (char)c;
			} else if (c <= 0x20 || c >= 0x7f) {
				o += (size_t)snprintf(out + o, 5, "\\%03u", c);
			} else {
				out[o++] = (char)c;
			}
		}
		out[o++] = '.';
		name += l;
	}
	out[o] = '\0';
	return out;
}
