/*
 * name.c - DNS names: wire validation, case folding, comparison, the
 * presentation format (RFC 1035 3.1 and 5.1, RFC 4343) and reading a
 * compressed name out of a message (RFC 1035 4.1.4).  See dnsmsg.h.
 */
#include "dnsmsg.h"

#include <stdio.h>
#include <string.h>

static inline uint8_t
name_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

int
dnsmsg_name_wire_len(const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	for (;;) {
		if (pos >= len)
			return DNSMSG_E_NAME_TRUNC;
		uint8_t l = buf[pos];
		if (l == 0)
			break;
		if ((l & 0xc0) == 0xc0)
			return DNSMSG_E_COMPRESSED;
		if (l > DNSMSG_LABEL_MAX) /* the reserved 0x40 and 0x80 forms */
			return DNSMSG_E_LABEL_TYPE;
		pos += 1 + (size_t)l;
		/* The root label still has to fit within the 255. */
		if (pos >= DNSMSG_NAME_MAX)
			return DNSMSG_E_NAME_LONG;
	}
	return (int)pos + 1;
}

unsigned
dnsmsg_name_labels(const uint8_t *name)
{
	unsigned n = 0;

	while (*name != 0) {
		name += 1 + *name;
		n++;
	}
	return n;
}

size_t
dnsmsg_name_lower(uint8_t *dst, const uint8_t *src)
{
	size_t i = 0;

	for (;;) {
		uint8_t l = src[i];
		dst[i++] = l;
		if (l == 0)
			return i;
		for (uint8_t k = 0; k < l; k++, i++)
			dst[i] = name_lower(src[i]);
	}
}

bool
dnsmsg_name_equal(const uint8_t *a, const uint8_t *b)
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
			if (name_lower(a[k]) != name_lower(b[k]))
				return false;
		a += l;
		b += l;
	}
}

const uint8_t *
dnsmsg_name_skip(const uint8_t *name, unsigned n)
{
	while (n-- > 0 && *name != 0)
		name += 1 + *name;
	return name;
}

bool
dnsmsg_name_is_subdomain(const uint8_t *name, const uint8_t *zone)
{
	unsigned ln = dnsmsg_name_labels(name), lz = dnsmsg_name_labels(zone);

	if (ln < lz)
		return false;
	return dnsmsg_name_equal(dnsmsg_name_skip(name, ln - lz), zone);
}

/* The origin appended at out[pos]; the total length or an error. */
static int
name_append_origin(uint8_t out[DNSMSG_NAME_MAX], size_t pos, const uint8_t *origin)
{
	int n;

	if (origin == NULL)
		return DNSMSG_E_RELATIVE;
	if ((n = dnsmsg_name_wire_len(origin, DNSMSG_NAME_MAX)) < 0)
		return n;
	if (pos + (size_t)n > DNSMSG_NAME_MAX)
		return DNSMSG_E_NAME_LONG;
	memcpy(out + pos, origin, (size_t)n);
	return (int)pos + n;
}

int
dnsmsg_name_from_text(uint8_t out[DNSMSG_NAME_MAX], const char *text, const uint8_t *origin)
{
	size_t pos = 0, label = 0; /* label: offset of the current length byte */
	const char *p = text;

	if (strcmp(text, "@") == 0)
		return name_append_origin(out, 0, origin);
	if (strcmp(text, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	if (*p == '\0')
		return DNSMSG_E_EMPTY;
	if (*p == '.')
		return DNSMSG_E_EMPTY_LABEL;
	out[pos++] = 0;
	for (; *p != '\0'; p++) {
		unsigned c = (unsigned char)*p;
		if (c == '.') {
			if (pos - label - 1 == 0)
				return DNSMSG_E_EMPTY_LABEL;
			if (pos + 1 > DNSMSG_NAME_MAX)
				return DNSMSG_E_NAME_LONG;
			if (p[1] == '\0') {
				/* Absolute name. */
				out[pos++] = 0;
				return (int)pos;
			}
			label = pos;
			out[pos++] = 0;
			continue;
		}
		if (c == '\\') {
			if (p[1] >= '0' && p[1] <= '9') {
				if (!(p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9'))
					return DNSMSG_E_ESCAPE;
				c = (unsigned)((p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0'));
				if (c > 255)
					return DNSMSG_E_ESCAPE;
				p += 3;
			} else if (p[1] != '\0') {
				c = (unsigned char)p[1];
				p++;
			} else {
				return DNSMSG_E_ESCAPE;
			}
		}
		if (pos - label - 1 >= DNSMSG_LABEL_MAX)
			return DNSMSG_E_LABEL_LONG;
		if (pos + 1 >= DNSMSG_NAME_MAX)
			return DNSMSG_E_NAME_LONG;
		out[pos++] = (uint8_t)c;
		out[label] = (uint8_t)(pos - label - 1);
	}
	/* Relative name: append the origin. */
	return name_append_origin(out, pos, origin);
}

const char *
dnsmsg_name_to_text(const uint8_t *name, char out[DNSMSG_NAME_STRLEN])
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

int
dnsmsg_name_read(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[DNSMSG_NAME_MAX])
{
	size_t p = *pos, o = 0, bound = *pos, after = 0;
	unsigned hops = 0;

	for (;;) {
		if (p >= len)
			return DNSMSG_E_NAME_TRUNC;
		uint8_t l = msg[p];
		if ((l & 0xc0) == 0xc0) {
			if (len - p < 2)
				return DNSMSG_E_NAME_TRUNC;
			size_t target = ((size_t)(l & 0x3f) << 8) | msg[p + 1];
			/*
			 * RFC 1035 4.1.4: a pointer refers to a prior
			 * occurrence.  Requiring each target to lie before
			 * the previous one (the first: before this name)
			 * makes the targets strictly decrease: no loop.
			 */
			if (target >= bound)
				return DNSMSG_E_POINTER;
			if (++hops > DNSMSG_HOPS_MAX)
				return DNSMSG_E_HOPS;
			if (hops == 1)
				after = p + 2;
			bound = target;
			p = target;
			continue;
		}
		if (l > DNSMSG_LABEL_MAX) /* 0x40 and 0x80: RFC 6891 5 retired them */
			return DNSMSG_E_LABEL_TYPE;
		if (o + 1 + l > DNSMSG_NAME_MAX)
			return DNSMSG_E_NAME_LONG;
		if (len - p - 1 < l)
			return DNSMSG_E_NAME_TRUNC;
		out[o++] = l;
		if (l == 0) {
			p++;
			break;
		}
		memcpy(out + o, msg + p + 1, l);
		o += l;
		p += 1 + (size_t)l;
	}
	*pos = hops > 0 ? after : p;
	return (int)o;
}
