/*
 * fuzz_dns_xfr.c - libFuzzer target for src/dns/xfr.c, the consumer of
 * AXFR (RFC 5936) and IXFR (RFC 1995) reply streams from a primary.
 *
 * Input: one byte choosing AXFR (bit 0 clear) or IXFR (set, against a
 * fixed old zone at serial 1) and the limits (bits 1-2: at most 4, 8 or
 * 12 records, bits 3-4: at most 512, 1024 or 2048 bytes; 0: none), then the stream as it comes over TCP: messages, each
 * with its 2-byte length (RFC 1035 4.2.2); a length past the end takes
 * what is left.  The query id is the first message's, so the fuzzer need
 * not guess it.  Messages are fed until the consumer says DONE or ERROR;
 * a DONE stream is built into a zone.  What must hold: no crash or read
 * past a message (ASan), DONE and ERROR are final, a built zone carries
 * the serial the stream announced, a limit exceeded is an error and
 * nothing done exceeds one.  Anything else is a bug: abort().
 * tests/fuzz/replay.c runs the stored corpus through this in the test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/load.h"
#include "dns/xfr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char old_text[] =
    "$ORIGIN example.\n"
    "@ 3600 IN SOA ns.example. host.example. 1 2 1 6 60\n"
    "@ 3600 IN NS ns.example.\n"
    "@ 300 IN MX 10 mail.example.\n"
    "ns 300 IN A 192.0.2.1\n"
    "mail 300 IN A 192.0.2.2\n"
    "www 300 IN A 192.0.2.10\n"
    "www 300 IN A 192.0.2.11\n"
    "*.wild 300 IN TXT \"x\"\n";

static const uint8_t apex[] = "\007example";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_zone *old;
	struct dns_xfr *x;
	size_t pos = 1;
	int r = DNS_XFR_MORE;
	char err[512];

	if (old == NULL &&
	    (old = dns_load_zonefile_buf("old", old_text, sizeof(old_text) - 1, "example.", err,
	    sizeof(err))) == NULL)
		abort();
	if (size < 1 + 2 + 2)
		return 0;
	uint16_t id = (uint16_t)(data[3] << 8 | data[4]);
	bool ixfr = data[0] & 1;
	size_t max_records = (size_t)(data[0] >> 1 & 3) * 4;
	uint64_t max_size = data[0] >> 3 & 3 ? (uint64_t)256 << (data[0] >> 3 & 3) : 0;
	if ((x = dns_xfr_new(apex, ixfr ? DNS_T_IXFR : DNS_T_AXFR, id, ixfr ? old : NULL)) == NULL)
		abort();
	dns_xfr_set_limits(x, max_records, max_size);
	while (pos + 2 <= size && r == DNS_XFR_MORE) {
		size_t len = (size_t)data[pos] << 8 | data[pos + 1];
		pos += 2;
		if (len > size - pos)
			len = size - pos;
		/* A copy of exactly the message, so that ASan sees a read past it. */
		uint8_t *m = malloc(len > 0 ? len : 1);
		if (m == NULL)
			abort();
		memcpy(m, data + pos, len);
		r = dns_xfr_feed(x, m, len);
		free(m);
		pos += len;
	}
	if (r == DNS_XFR_ERROR && (dns_xfr_error(x)[0] == '\0' ||
	    dns_xfr_feed(x, data, size) != DNS_XFR_ERROR))
		abort();
	/* Over a limit: an error, and it stopped at the first record past it. */
	if (dns_xfr_over_limit(x) && (r != DNS_XFR_ERROR ||
	    (max_records != 0 && dns_xfr_records(x) > max_records + 1)))
		abort();
	if (r != DNS_XFR_ERROR && ((max_records != 0 && dns_xfr_records(x) > max_records) ||
	    (max_size != 0 && dns_xfr_size(x) > max_size)))
		abort();
	if (r == DNS_XFR_DONE) {
		uint32_t announced, serial;
		enum dns_xfr_kind kind = dns_xfr_kind(x);
		if (!dns_xfr_serial(x, &announced))
			abort();
		struct dns_zone *z = dns_xfr_finish(x, err, sizeof(err));
		if (kind == DNS_XFR_IN_SOA_ONLY && z != NULL)
			abort();
		if (z != NULL && (!dns_zone_serial(z, &serial) || serial != announced))
			abort();
		dns_zone_free(z);
	}
	dns_xfr_free(x);
	return 0;
}
