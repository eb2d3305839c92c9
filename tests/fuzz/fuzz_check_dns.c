/*
 * fuzz_check_dns.c - libFuzzer target for the reply matcher of the dns
 * health check (check_dns_reply() in src/health/check_dns.c), which reads
 * whatever comes back to the check's socket.
 *
 * Properties: the matcher never reads past the input (ASan), returns -1,
 * 0 or 1, gives a reason exactly when it fails, and only ever accepts a
 * message that carries our id with QR set.  tests/fuzz/replay.c runs the
 * stored corpus (tests/fuzz/corpus/check_dns) in the ordinary test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seeds are replies to this query. */
#define FUZZ_ID		0x1234
#define FUZZ_QNAME	"test.home"
#define FUZZ_QTYPE	1

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
one(const uint8_t *data, size_t size, int expect_rcode)
{
	char reason[128];
	int r;

	memset(reason, 'x', sizeof(reason));
	r = check_dns_reply(data, size, FUZZ_ID, FUZZ_QNAME, FUZZ_QTYPE,
	    expect_rcode, reason, sizeof(reason));
	check(r == -1 || r == 0 || r == 1);
	check(memchr(reason, '\0', sizeof(reason)) != NULL);
	check((r == 0) == (reason[0] != '\0'));
	if (r == -1)
		return;
	check(size >= 12 && data[0] == FUZZ_ID >> 8 && data[1] == (FUZZ_ID & 0xff));
	check(data[2] & 0x80);
	/* `any` accepts every reply that is ours. */
	check(expect_rcode != -1 || r == 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, 0);
	one(data, size, 2);
	one(data, size, -1);
	return 0;
}
