/*
 * fuzz_prom.c - libFuzzer target for what the metrics code reads or
 * writes of untrusted text (lib/prom.h): the scraper's Accept header
 * (prom_accepts_openmetrics), a `metrics listen` address
 * (prom_listen_parse: what parses must print and parse back the same), and
 * the escaping of label values and HELP text: whatever the bytes, a family
 * with one sample is exactly three lines (HELP, TYPE, the sample), so a
 * service named with a newline or a quote cannot forge a series.  Built
 * with replay.c, the stored corpus (tests/fuzz/corpus/prom) runs in the
 * ordinary test command.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/prom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *buf = NULL;
	struct prom_listen l, m;
	char a[PROM_LISTEN_STRLEN];
	size_t len = 0, lines = 0;
	struct prom_w w;
	FILE *f;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)prom_accepts_openmetrics(s);
	if (prom_listen_parse(s, 9475, &l) == 0) {
		if (prom_listen_parse(prom_listen_str(&l, a), 1, &m) != 0 ||
		    !prom_listen_equal(&l, &m))
			abort();
	}
	for (int om = 0; om < 2; om++) {
		if ((f = open_memstream(&buf, &len)) == NULL)
			break;
		prom_init(&w, f, om);
		prom_family(&w, "riposte_fuzz", PROM_COUNTER, s);
		prom_u64(&w, "", 1, "service", s, "check", s, NULL);
		if (prom_end(&w) != 0)
			abort();
		fclose(f);
		for (size_t i = 0; i < len; i++)
			lines += buf[i] == '\n';
		/* HELP, TYPE, the sample, and # EOF in OpenMetrics. */
		if (lines != (om ? 4u : 3u) || len == 0 || buf[len - 1] != '\n')
			abort();
		free(buf);
		buf = NULL;
		lines = 0;
	}
	free(s);
	return 0;
}
