/*
 * addr.h - IPv4 addresses and prefixes.  Inside riposte every IPv4 address
 * is a uint32_t in host byte order; conversion happens at the edges (codec,
 * sockets, netlink).
 */
#ifndef RIPOSTE_ADDR_H
#define RIPOSTE_ADDR_H

#include <stdbool.h>
#include <stdint.h>

#define IP4_STRLEN 16  /* "255.255.255.255" + NUL */
#define PFX4_STRLEN 20 /* "255.255.255.255/32" + NUL, and room for a bad length */

struct prefix4 {
	uint32_t addr; /* host byte order, host bits zero */
	uint8_t len;   /* 0..32 */
};

static inline uint32_t
ip4_mask(unsigned len)
{
	return len == 0 ? 0 : len >= 32 ? 0xffffffffu : ~((1u << (32 - len)) - 1);
}

/* Prefix length of a contiguous mask, or -1 when the mask has holes. */
int ip4_mask_len(uint32_t mask);

static inline bool
prefix4_contains(struct prefix4 p, uint32_t addr)
{
	return (addr & ip4_mask(p.len)) == p.addr;
}

static inline bool
prefix4_equal(struct prefix4 a, struct prefix4 b)
{
	return a.addr == b.addr && a.len == b.len;
}

/* "a.b.c.d" -> host order; 0 or -1. */
int ip4_parse(const char *s, uint32_t *out);
/* "a.b.c.d/len" (len required unless allow_bare, then /32); host bits are an error unless mask_host. */
int prefix4_parse(const char *s, struct prefix4 *out, bool allow_bare, bool mask_host);
const char *ip4_ntop(uint32_t addr, char buf[IP4_STRLEN]);
const char *prefix4_ntop(struct prefix4 p, char buf[PFX4_STRLEN]);

/* Classes RIP must not carry (RFC 2453 3.9.2): multicast, class E, loopback, 0/8 except
 * default, and link-local 169.254/16 (RFC 3927 2.7). */
bool ip4_is_martian(uint32_t addr);

#endif
