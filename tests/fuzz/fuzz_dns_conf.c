/*
 * fuzz_dns_conf.c - libFuzzer target for riposte-dns's config parser
 * (src/dns/conf.c).
 *
 * Arbitrary bytes go to dnsconf_parse_buf().  A rejected input must leave
 * a terminated "fuzz:LINE: ..." error and an empty config.  An accepted
 * one must survive the round trip: its canonical print parses again and
 * prints the same text; anything else is a bug and aborts.  Built with
 * replay.c, the stored corpus (tests/fuzz/corpus/dns_conf) runs in the
 * ordinary test command.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
fuzz_print(const struct dnsconf *conf, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	dnsconf_print(f, conf);
	if (fclose(f) != 0)
		abort();
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsconf conf, again;
	char err[512];
	char *p1, *p2;
	size_t l1, l2;

	if (dnsconf_parse_buf("fuzz", NULL, (const char *)data, size, &conf, err,
	    sizeof(err)) != 0) {
		if (strncmp(err, "fuzz:", 5) != 0 || memchr(err, '\0', sizeof(err)) == NULL ||
		    conf.n_zones != 0 || conf.n_listen != 0 || conf.pidfile != NULL ||
		    conf.n_keys != 0)
			abort();
		dnsconf_free(&conf);
		return 0;
	}
	if (conf.n_listen == 0)
		abort(); /* the default is always there */
	p1 = fuzz_print(&conf, &l1);
	if (dnsconf_parse_buf("print", NULL, p1, l1, &again, err, sizeof(err)) != 0) {
		fprintf(stderr, "canonical text does not parse: %s\n%s", err, p1);
		abort();
	}
	p2 = fuzz_print(&again, &l2);
	if (l1 != l2 || memcmp(p1, p2, l1) != 0) {
		fprintf(stderr, "round trip differs:\n%s---\n%s", p1, p2);
		abort();
	}
	free(p1);
	free(p2);
	dnsconf_free(&again);
	dnsconf_free(&conf);
	return 0;
}
