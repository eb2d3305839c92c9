/*
 * fuzz_conf.c - libFuzzer target for the ripd.conf parser.
 *
 * Arbitrary bytes go to riposted_conf_parse_buf().  Whatever parses must survive
 * the round trip: its canonical print parses again, without error, and
 * prints the same text; anything else is a bug and aborts.  Built with
 * replay.c, the stored corpus (tests/fuzz/corpus/conf) runs in the ordinary
 * test command.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "riposted/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
fuzz_print(const struct riposted_conf *conf, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (f == NULL)
		abort();
	riposted_conf_print(f, conf);
	if (fclose(f) != 0)
		abort();
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct riposted_conf conf, again;
	char err[512];
	char *p1, *p2;
	size_t l1, l2;

	/* Warnings are expected by the thousand; errors are returned, not logged. */
	log_set_level(LOG_LVL_ERR);

	if (riposted_conf_parse_buf("fuzz", (const char *)data, size, &conf, err, sizeof(err)) != 0) {
		/* The error must be a terminated "fuzz:LINE: ..." and the conf empty. */
		if (strncmp(err, "fuzz:", 5) != 0 || conf.rip.n_networks != 0 || conf.rip.n_ifaces != 0 ||
		    conf.n_services != 0 || conf.n_bfd_ifaces != 0)
			abort();
		riposted_conf_free(&conf);
		return 0;
	}
	p1 = fuzz_print(&conf, &l1);
	if (riposted_conf_parse_buf("print", p1, l1, &again, err, sizeof(err)) != 0) {
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
	riposted_conf_free(&again);
	riposted_conf_free(&conf);
	return 0;
}
