/*
 * fuzz_dnsmsg.c - libFuzzer target for src/dnsmsg: the header, the
 * question and every name of arbitrary bytes read as a message, and the
 * bytes read as a name in presentation form.
 *
 * Properties: nothing reads past the input (ASan); a name read is a valid
 * uncompressed wire name of at most 255 octets, and it survives the round
 * trip through presentation form; a question parsed lies inside the
 * input.  tests/fuzz/replay.c runs the stored corpus
 * (tests/fuzz/corpus/dnsmsg) in the ordinary test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

/* A valid wire name reads back equal from its text. */
static void
round_trip(const uint8_t *name, int len)
{
	char text[DNSMSG_NAME_STRLEN];
	uint8_t again[DNSMSG_NAME_MAX];

	check(len >= 1 && len <= DNSMSG_NAME_MAX);
	check(dnsmsg_name_wire_len(name, (size_t)len) == len);
	dnsmsg_name_to_text(name, text);
	check(strlen(text) < sizeof(text));
	check(dnsmsg_name_from_text(again, text, NULL) == len);
	check(memcmp(again, name, (size_t)len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t root[1] = { 0 };
	uint8_t name[DNSMSG_NAME_MAX];
	char text[1024];
	struct dnsmsg_hdr h;
	struct dnsmsg_question q;
	size_t pos, off;
	int n;

	if (dnsmsg_hdr_parse(data, size, &h) == DNSMSG_OK) {
		check(size >= DNSMSG_HDR_LEN);
		pos = DNSMSG_HDR_LEN;
		if (dnsmsg_question_parse(data, size, &pos, &q) == DNSMSG_OK) {
			check(q.qname == data + DNSMSG_HDR_LEN);
			check(pos == DNSMSG_HDR_LEN + q.qname_len + 4u && pos <= size);
			round_trip(q.qname, q.qname_len);
		}
	} else {
		check(size < DNSMSG_HDR_LEN);
	}
	/* A name at every offset, compressed or not. */
	for (off = 0; off < size && off < 512; off++) {
		pos = off;
		n = dnsmsg_name_read(data, size, &pos, name);
		if (n < 0) {
			check(n > -DNSMSG_E_COUNT && pos == off);
			continue;
		}
		check(pos > off && pos <= size);
		round_trip(name, n);
	}
	/* The bytes as text. */
	if (size < sizeof(text)) {
		memcpy(text, data, size);
		text[size] = '\0';
		n = dnsmsg_name_from_text(name, text, root);
		if (n >= 0)
			round_trip(name, n);
	}
	return 0;
}
