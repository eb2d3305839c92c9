/*
 * fuzz_dns_common.h - what the zone-loading fuzz targets share: a
 * per-process scratch directory for exports, and the check that a node
 * came back from export + reload exactly as it was.
 */
#ifndef RIPOSTE_FUZZ_DNS_COMMON_H
#define RIPOSTE_FUZZ_DNS_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/zone.h"

/* abort() unless `other` has node n with the same flags and RRsets. */
static inline void
fuzz_dns_node_same(const struct dns_zone *other, const struct dns_node *n)
{
	const struct dns_node *m = dns_zone_lookup(other, n->name);
	if (m == NULL || m->n_rrsets != n->n_rrsets || m->flags != n->flags)
		abort();
	for (uint16_t i = 0; i < n->n_rrsets; i++) {
		const struct dns_rrset *x = &n->rrsets[i], *y = &m->rrsets[i];
		if (x->type != y->type || x->ttl != y->ttl || x->count != y->count ||
		    x->rdata_len != y->rdata_len || memcmp(x->rdata, y->rdata, x->rdata_len) != 0)
			abort();
	}
}

/* A scratch directory made once per process, in /dev/shm when it can be. */
static inline const char *
fuzz_dns_dir(const char *name)
{
	static char dir[96];
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "%s/%s.XXXXXX",
		    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", name);
		if (mkdtemp(dir) == NULL)
			abort();
	}
	return dir;
}

#endif
