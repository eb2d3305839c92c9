/*
 * addr.c - IPv4 address and prefix parsing and formatting.
 */
#include "addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ip4_mask_len(uint32_t mask)
{
	unsigned len = 0;
	while (len < 32 && (mask & (0x80000000u >> len)))
		len++;
	return mask == ip4_mask(len) ? (int)len : -1;
}

int
ip4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

int
prefix4_parse(const char *s, struct prefix4 *out, bool allow_bare, bool mask_host)
{
	char buf[PFX4_STRLEN + 4];
	const char *slash = strchr(s, '/');
	unsigned long len = 32;
	size_t alen;

	if (slash == NULL) {
		if (!allow_bare)
			return -1;
		alen = strlen(s);
	} else {
		char *end;
		alen = (size_t)(slash - s);
		/* One or two digits: "/008" or "/+8" is not a prefix length. */
		if (slash[1] < '0' || slash[1] > '9' || strlen(slash + 1) > 2)
			return -1;
		len = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || len > 32)
			return -1;
	}
	if (alen >= sizeof(buf))
		return -1;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	uint32_t a;
	if (ip4_parse(buf, &a) != 0)
		return -1;
	if ((a & ~ip4_mask((unsigned)len)) != 0) {
		if (!mask_host)
			return -1;
		a &= ip4_mask((unsigned)len);
	}
	out->addr = a;
	out->len = (uint8_t)len;
	return 0;
}

const char *
ip4_ntop(uint32_t addr, char buf[IP4_STRLEN])
{
	snprintf(buf, IP4_STRLEN, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff,
	    (addr >> 8) & 0xff, addr & 0xff);
	return buf;
}

const char *
prefix4_ntop(struct prefix4 p, char buf[PFX4_STRLEN])
{
	snprintf(buf, PFX4_STRLEN, "%u.%u.%u.%u/%u", p.addr >> 24, (p.addr >> 16) & 0xff,
	    (p.addr >> 8) & 0xff, p.addr & 0xff, p.len);
	return buf;
}

bool
ip4_is_martian(uint32_t addr)
{
	uint8_t first = (uint8_t)(addr >> 24);
	/* RFC 3927 2.7: link-local 169.254/16 is never forwarded, so never routed. */
	if ((addr & 0xffff0000u) == 0xa9fe0000u)
		return true;
	return first == 0 || first == 127 || first >= 224;
}
