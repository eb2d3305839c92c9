/*
 * fuzz_dns_zonefile.c - libFuzzer target for zone file loading through
 * libzscanner and for the exporter (src/dns/load.c).
 *
 * Arbitrary bytes are a zone file for "example." (dns_load_zonefile_buf,
 * where $INCLUDE is refused).  A failure must say why; a zone that loads
 * must be sound (one SOA at the apex, every walked node found by lookup,
 * RRsets sorted with consistent rdata lengths), and must survive the round
 * trip: exported as a standard zone file (RFC 1035 5, RFC 3597 generic
 * types) and loaded again, it has the same nodes, flags, RRsets, TTLs and
 * rdata; the DNSSEC checks (dnssec_check.c) read its RRSIG, NSEC and
 * NSEC3 rdata whatever it holds, call back at most `max` times with a
 * message and count every problem.  Anything else aborts.  Built with replay.c, the stored corpus
 * (tests/fuzz/corpus/dns_zonefile) runs in the ordinary test command.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/dnssec_check.h"
#include "dns/load.h"
#include "fuzz_dns_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_walk {
	const struct dns_zone *zone;
	const struct dns_zone *other; /* the reloaded zone, or NULL */
	size_t nodes, rrs;
};

struct fuzz_sec {
	unsigned calls;
};

static void
fuzz_sec_msg(void *ctx, bool error, const char *msg)
{
	(void)error;
	if (msg[0] == '\0' || strchr(msg, '\n') != NULL)
		abort();
	((struct fuzz_sec *)ctx)->calls++;
}

static void
fuzz_check_node(void *ctx, const struct dns_node *n)
{
	struct fuzz_walk *w = ctx;

	if (dns_zone_lookup(w->zone, n->name) != n ||
	    dns_name_wire_len(n->name, n->name_len) != n->name_len ||
	    dns_name_labels(n->name) != n->labels ||
	    !dns_name_is_subdomain(n->name, dns_zone_apex(w->zone)))
		abort();
	for (uint16_t i = 0; i < n->n_rrsets; i++) {
		const struct dns_rrset *s = &n->rrsets[i];
		size_t len = 0;
		if (s->count == 0 || (i > 0 && n->rrsets[i - 1].type >= s->type))
			abort();
		for (uint16_t k = 0; k < s->count; k++) {
			if (len + 2 > s->rdata_len)
				abort();
			len += 2 + ((size_t)s->rdata[len] << 8 | s->rdata[len + 1]);
		}
		if (len != s->rdata_len || dns_node_rrset(n, s->type) != s)
			abort();
		w->rrs += s->count;
	}
	w->nodes++;
	if (w->other == NULL)
		return;
	fuzz_dns_node_same(w->other, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[2048], path[256];
	struct dns_zone *z = dns_load_zonefile_buf("fuzz.zone", (const char *)data, size,
	    "example.", err, sizeof(err));

	if (z == NULL) {
		if (strncmp(err, "fuzz.zone", 9) != 0)
			abort();
		return 0;
	}
	const struct dns_rrset *soa = dns_zone_soa(z);
	if (soa == NULL || soa->count != 1 ||
	    dns_zone_lookup(z, dns_zone_apex(z)) != dns_zone_apex_node(z))
		abort();
	struct fuzz_walk w = { z, NULL, 0, 0 };
	dns_zone_walk(z, fuzz_check_node, &w);
	if (w.nodes != dns_zone_node_count(z) || w.rrs != dns_zone_rr_count(z))
		abort();

	/* 2030-01-01, then a time where serial arithmetic wraps */
	for (int t = 0; t < 2; t++) {
		struct fuzz_sec sec = { 0 };
		struct dns_check_count c = dns_zone_dnssec_check(z, t ? (time_t)0x80000001 :
		    (time_t)1893456000, DNS_CHECK_EXPIRY_WARN, 4, fuzz_sec_msg, &sec);
		if (sec.calls > 4 || sec.calls != (c.errors + c.warnings < 4 ?
		    c.errors + c.warnings : 4))
			abort();
	}

	if (dns_export_zone(z, fuzz_dns_dir("fuzz_dns_zonefile"), err, sizeof(err)) != 0) {
		fprintf(stderr, "export: %s\n", err);
		abort();
	}
	snprintf(path, sizeof(path), "%s/example.zone", fuzz_dns_dir("fuzz_dns_zonefile"));
	struct dns_zone *again = dns_load_zonefile(path, "example.", err, sizeof(err));
	if (again == NULL) {
		fprintf(stderr, "reload: %s\n", err);
		abort();
	}
	if (dns_zone_rr_count(again) != dns_zone_rr_count(z) ||
	    dns_zone_node_count(again) != dns_zone_node_count(z))
		abort();
	struct fuzz_walk w2 = { z, again, 0, 0 };
	dns_zone_walk(z, fuzz_check_node, &w2);
	dns_zone_free(again);
	dns_zone_free(z);
	unlink(path);
	return 0;
}
