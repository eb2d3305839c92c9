/*
 * fuzz_drainfile.c - libFuzzer target for the drained-services state file
 * parser (svcconf.h): arbitrary bytes to drainfile_parse().  Every entry it
 * reports must be a valid service name; every warning names a line inside
 * the input.  Built with replay.c, the stored corpus
 * (tests/fuzz/corpus/drainfile) runs in the ordinary test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/svcconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	size_t entries;
	unsigned lines;
};

static void
fz_entry(void *arg, const char *name)
{
	struct fz *f = arg;

	if (!drainfile_name_ok(name, strlen(name)))
		abort();
	f->entries++;
}

static void
fz_warn(void *arg, unsigned line, const char *msg)
{
	struct fz *f = arg;

	if (line > f->lines || msg == NULL || msg[0] == '\0')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = { 0, 1 };

	for (size_t i = 0; i < size; i++)
		if (data[i] == '\n')
			f.lines++;
	size_t n = drainfile_parse((const char *)data, size, fz_entry, fz_warn, &f);
	if (n != f.entries)
		abort();
	return 0;
}
