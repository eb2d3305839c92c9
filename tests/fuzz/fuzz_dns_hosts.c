/*
 * fuzz_dns_hosts.c - libFuzzer target for the hosts input loader
 * (src/dns/load.c, docs/hosts-input.md).
 *
 * Arbitrary bytes go to dns_load_hosts_buf() for the zone "home.".  A
 * failure must say why, as "fuzz.hosts..." text.  Whatever loads must be
 * sound zones: each apex has one SOA and NS, every node walked is found by
 * lookup and belongs to its zone in the set (RFC 1034 4.3.2 step 2), its
 * RRsets are sorted with consistent rdata lengths, and the zone survives
 * export and reload as a standard zone file with the same records.
 * Anything else aborts.  Built with replay.c, the stored corpus
 * (tests/fuzz/corpus/dns_hosts) runs in the ordinary test command.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/load.h"
#include "fuzz_dns_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_walk {
	const struct dns_zoneset *set;
	const struct dns_zone *zone;
	size_t nodes, rrs;
};

static void
fuzz_check_node(void *ctx, const struct dns_node *n)
{
	struct fuzz_walk *w = ctx;

	if (dns_zone_lookup(w->zone, n->name) != n || dns_zoneset_find(w->set, n->name) != w->zone)
		abort();
	if (dns_name_wire_len(n->name, n->name_len) != n->name_len ||
	    dns_name_labels(n->name) != n->labels ||
	    !dns_name_is_subdomain(n->name, dns_zone_apex(w->zone)))
		abort();
	for (uint16_t i = 0; i < n->n_rrsets; i++) {
		const struct dns_rrset *s = &n->rrsets[i];
		const uint8_t *p = s->rdata;
		size_t len = 0;
		if (s->count == 0 || (i > 0 && n->rrsets[i - 1].type >= s->type))
			abort();
		for (uint16_t k = 0; k < s->count; k++) {
			size_t l = (size_t)p[len] << 8 | p[len + 1];
			len += 2 + l;
			if (len > s->rdata_len)
				abort();
		}
		if (len != s->rdata_len || dns_node_rrset(n, s->type) != s)
			abort();
		w->rrs += s->count;
	}
	w->nodes++;
}

/* The same records, node by node: both zones come from the same builder. */
static void
fuzz_same(const struct dns_zone *a, const struct dns_zone *b)
{
	if (dns_zone_rr_count(a) != dns_zone_rr_count(b) ||
	    dns_zone_node_count(a) != dns_zone_node_count(b))
		abort();
}

struct fuzz_cmp {
	const struct dns_zone *other;
};

static void
fuzz_cmp_node(void *ctx, const struct dns_node *n)
{
	const struct fuzz_cmp *c = ctx;
	fuzz_dns_node_same(c->other, n);
}

static void
fuzz_round_trip(const struct dns_zone *z)
{
	char err[2048], origin[DNS_NAME_STRLEN], path[256];

	if (dns_export_zone(z, fuzz_dns_dir("fuzz_dns_hosts"), err, sizeof(err)) != 0) {
		fprintf(stderr, "export: %s\n", err);
		abort();
	}
	dns_name_to_text(dns_zone_apex(z), origin);
	snprintf(path, sizeof(path), "%s/%.*s.zone", fuzz_dns_dir("fuzz_dns_hosts"), (int)strlen(origin) - 1, origin);
	struct dns_zone *again = dns_load_zonefile(path, origin, err, sizeof(err));
	if (again == NULL) {
		fprintf(stderr, "reload: %s\n", err);
		abort();
	}
	fuzz_same(z, again);
	struct fuzz_cmp c = { again };
	dns_zone_walk(z, fuzz_cmp_node, &c);
	dns_zone_free(again);
	unlink(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct dns_zoneset *set = dns_zoneset_new();

	if (set == NULL)
		abort();
	if (dns_load_hosts_buf("fuzz.hosts", (const char *)data, size, "home.", set, err,
	    sizeof(err)) != 0) {
		if (strncmp(err, "fuzz.hosts", 10) != 0 || dns_zoneset_count(set) != 0)
			abort();
		dns_zoneset_free(set);
		return 0;
	}
	if (dns_zoneset_count(set) == 0)
		abort();
	for (size_t i = 0; i < dns_zoneset_count(set); i++) {
		const struct dns_zone *z = dns_zoneset_get(set, i);
		const struct dns_node *apex = dns_zone_apex_node(z);
		const struct dns_rrset *soa = dns_zone_soa(z);
		struct fuzz_walk w = { set, z, 0, 0 };

		if (apex == NULL || soa == NULL || soa->count != 1 ||
		    dns_node_rrset(apex, DNS_T_SOA) != soa || dns_node_rrset(apex, DNS_T_NS) == NULL ||
		    dns_zone_lookup(z, dns_zone_apex(z)) != apex)
			abort();
		dns_zone_walk(z, fuzz_check_node, &w);
		if (w.nodes != dns_zone_node_count(z) || w.rrs != dns_zone_rr_count(z))
			abort();
		fuzz_round_trip(z);
	}
	dns_zoneset_free(set);
	return 0;
}
