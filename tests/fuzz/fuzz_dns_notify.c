/*
 * fuzz_dns_notify.c - libFuzzer target for NOTIFY receipt
 * (src/dns/secondary_notify.c, RFC 1996), what a worker does with any
 * datagram whose opcode is NOTIFY.
 *
 * Input: one byte choosing the source address (even: the unkeyed primary
 * of plain.test., odd: the keyed primary of keyed.test.), then the
 * message.  What must hold: no crash or read past the message (ASan), a
 * reply no longer than its buffer and carrying the query's id, opcode
 * NOTIFY and QR; an accepted NOTIFY is NOERROR for one of the table's
 * zones, from that zone's primary; the main thread is told only of the
 * table's zones.  Anything else is a bug: abort().
 * tests/fuzz/replay.c runs the stored corpus through this in the test command.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/secondary.h"
#include "dns/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dns_sec_primary prim[2];
static struct dns_sec_entry entries[2];
static struct dns_sec_table table = { entries, 2 };

static void
setup(void)
{
	char err[128];
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(53);
	inet_pton(AF_INET, "192.0.2.1", &a.sin_addr);
	memcpy(&prim[0].sa, &a, sizeof(a));
	prim[0].salen = sizeof(a);
	inet_pton(AF_INET, "192.0.2.2", &a.sin_addr);
	memcpy(&prim[1].sa, &a, sizeof(a));
	prim[1].salen = sizeof(a);
	prim[1].has_key = true;
	if (dns_tsig_key_parse("xfr.", "hmac-sha256", "c2VjcmV0IHNlY3JldCBzZWNyZXQ=", &prim[1].key,
	    err, sizeof(err)) != 0)
		abort();
	memcpy(entries[0].apex, "\005plain\004test", 12);
	entries[0].primaries = &prim[0];
	entries[0].n_primaries = 1;
	memcpy(entries[1].apex, "\005keyed\004test", 12);
	entries[1].primaries = &prim[1];
	entries[1].n_primaries = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	static uint8_t resp[4096];
	struct dns_notify_event ev;
	struct sockaddr_in peer;
	bool post;
	size_t n;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < 1)
		return 0;
	memset(&peer, 0, sizeof(peer));
	peer.sin_family = AF_INET;
	peer.sin_port = htons(40000);
	inet_pton(AF_INET, data[0] & 1 ? "192.0.2.2" : "192.0.2.1", &peer.sin_addr);
	/* Exactly the message, so that ASan sees a read past it. */
	uint8_t *m = malloc(size - 1 > 0 ? size - 1 : 1);
	if (m == NULL)
		abort();
	memcpy(m, data + 1, size - 1);
	n = dns_notify_answer(&table, (const struct sockaddr *)&peer, m, size - 1, resp,
	    sizeof(resp), 1765000000u, &ev, &post);
	if (n > sizeof(resp) || (n > 0 && n < DNS_HDR_LEN))
		abort();
	if (n > 0) {
		uint16_t flags = (uint16_t)(resp[2] << 8 | resp[3]);
		if (memcmp(resp, m, 2) != 0 || !(flags & DNS_F_QR) ||
		    DNS_F_OPCODE(flags) != DNS_OPCODE_NOTIFY)
			abort();
		if (ev.accepted && DNS_F_RCODE(flags) != DNS_RCODE_NOERROR)
			abort();
	}
	if (post) {
		const struct dns_sec_entry *e = NULL;
		for (size_t i = 0; i < table.n; i++)
			if (dns_name_equal(table.zones[i].apex, ev.apex))
				e = &table.zones[i];
		if (e == NULL)
			abort();
		if (ev.accepted && e != &entries[data[0] & 1])
			abort();
	} else if (ev.accepted) {
		abort();
	}
	free(m);
	return 0;
}
