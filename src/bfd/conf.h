/*
 * conf.h - BFD's per-interface settings in riposted.conf: the statements
 * `bfd interval MS multiplier N` and `bfd authentication TYPE key-chain
 * NAME` inside an `interface` block (whether BFD runs with the RIP
 * neighbours of that interface is RIP's `ip rip bfd`).
 * The top-level grammar (riposted/conf.c) feeds the interface block this
 * table beside RIP's.
 */
#ifndef RIPOSTE_BFD_CONF_H
#define RIPOSTE_BFD_CONF_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>

#include "bfd/auth.h"
#include "lib/conf.h"
#include "lib/keychain.h"

struct bfd_iface_conf {
	char name[IFNAMSIZ];
	uint32_t interval_ms;	/* desired min tx = required min rx */
	uint8_t mult;		/* detect multiplier */
	struct bfd_auth_conf auth;	/* RFC 5880 6.7 (none) */
	unsigned auth_line;	/* where it was set, for bfd_conf_auth_validate() */
};

extern const struct conf_table bfd_conf_iface_table;

/* The defaults (bfd/session.h) for interface `name`. */
struct bfd_iface_conf bfd_iface_conf_default(const char *name);
/* The settings for `name` from the list, or the defaults. */
struct bfd_iface_conf bfd_iface_conf_get(const struct bfd_iface_conf *list, size_t n,
    const char *name);
/*
 * After parsing, with the key chains: every `bfd authentication` names a
 * chain that exists, and the chain's keys fit the type (at most 16
 * characters for simple and MD5, 20 for SHA1: RFC 5880 4.2-4.4 pad keys,
 * they do not hash them).  0, or -1 with the error set.
 */
int bfd_conf_auth_validate(struct conf_parser *p, const struct bfd_iface_conf *list, size_t n,
    const struct keychain_set *chains);
/* The block's BFD statements in canonical form (nothing when all are defaults). */
void bfd_iface_conf_print(FILE *out, const struct bfd_iface_conf *c);

#endif
