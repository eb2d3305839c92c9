/*
 * conf.h - BFD's per-interface settings in riposted.conf: the statement
 * `bfd interval MS multiplier N` inside an `interface` block (whether BFD
 * runs with the RIP neighbours of that interface is RIP's `ip rip bfd`).
 * The top-level grammar (riposted/conf.c) feeds the interface block this
 * table beside RIP's.
 */
#ifndef RIPOSTE_BFD_CONF_H
#define RIPOSTE_BFD_CONF_H

#include <net/if.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/conf.h"

struct bfd_iface_conf {
	char name[IFNAMSIZ];
	uint32_t interval_ms;	/* desired min tx = required min rx */
	uint8_t mult;		/* detect multiplier */
};

extern const struct conf_table bfd_conf_iface_table;

/* The defaults (bfd/session.h) for interface `name`. */
struct bfd_iface_conf bfd_iface_conf_default(const char *name);
/* The settings for `name` from the list, or the defaults. */
struct bfd_iface_conf bfd_iface_conf_get(const struct bfd_iface_conf *list, size_t n,
    const char *name);
/* The block's BFD statements in canonical form (nothing when all are defaults). */
void bfd_iface_conf_print(FILE *out, const struct bfd_iface_conf *c);

#endif
