/*
 * fuzz_probe_csv.c - libFuzzer target for riposte-probe's CSV reader
 * (src/probe/csv.c), what `riposte-probe --analyze` reads.
 *
 * The input is a whole file.  Whatever the reader accepts must format back
 * to a line that parses to the same record (the reader and the writer
 * agree), and a rejection must come with a "fuzz:LINE: message" error.
 * tests/fuzz/replay.c runs the stored corpus in the ordinary test command.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
fuzz_record(void *arg, const struct probe_rec *r, char *err, size_t errlen)
{
	char line[PROBE_CSV_LINE_MAX + 64];
	struct probe_rec again;
	const char *why = NULL;
	int len;

	(void)arg;
	(void)err;
	(void)errlen;
	if (strnlen(r->node, PROBE_NODE_MAX) >= PROBE_NODE_MAX)
		abort();
	len = probe_csv_format(r, line, sizeof(line));
	if (len <= 0 || line[len - 1] != '\n')
		abort();
	line[len - 1] = '\0';
	memset(&again, 0, sizeof(again));
	if (probe_csv_parse_line(line, &again, &why) != 0)
		abort();
	if (again.seq != r->seq || again.sent_us != r->sent_us || again.recv_us != r->recv_us ||
	    again.rtt_us != r->rtt_us || again.rcode != r->rcode || strcmp(again.node, r->node) != 0)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	FILE *f;

	if (size == 0)
		return 0;
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	if (f == NULL)
		return 0;
	err[0] = '\0';
	if (probe_csv_read(f, "fuzz", fuzz_record, NULL, err, sizeof(err)) != 0 &&
	    strncmp(err, "fuzz:", 5) != 0)
		abort();
	fclose(f);
	return 0;
}
