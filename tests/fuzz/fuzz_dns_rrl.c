/*
 * fuzz_dns_rrl.c - libFuzzer target for src/dns/rrl.c's readers of an
 * answer: dns_rrl_classify() (header, question, the answer section's RRs
 * and the first authority owner, compressed names included) and
 * dns_rrl_slip().  The answers are our own, but their names and sizes are
 * the querier's to shape.  The input is read as an answer: the class must
 * be a known one and its name a valid lowercase wire name; the table takes
 * the result; the slipped form must be no longer than the answer, and,
 * when it is longer than a header, carry TC=1 and empty answer, authority
 * and additional sections.  Anything else is a bug: abort().
 * tests/fuzz/replay.c runs the stored corpus through this in the test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "dns/rrl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_rrl *rrl;
	static rtime_t now;
	uint8_t name[DNS_NAME_MAX], buf[4096];
	struct sockaddr_in sa;
	enum dns_rrl_class cls;
	struct dnsmsg_hdr h;
	size_t len;
	int n;

	if (rrl == NULL) {
		static const uint8_t key[DNS_RRL_KEY_LEN] = "fuzz-rrl-key-016";
		struct dns_rrl_conf c = {
			.rate = 3, .slip = 2, .v4_prefix = 24, .v6_prefix = 56, .table_size = 64,
		};
		if ((rrl = dns_rrl_new(&c, key)) == NULL)
			abort();
	}
	if (size > sizeof(buf))
		return 0;
	cls = dns_rrl_classify(data, size, name);
	check(cls >= DNS_RRL_ANSWER && cls < DNS_RRL_N_CLASSES);
	n = dnsmsg_name_wire_len(name, sizeof(name));
	check(n > 0);
	for (int i = 0; i < n; i++)
		check(name[i] < 'A' || name[i] > 'Z'); /* label lengths are below 64 */
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	memcpy(&sa.sin_addr, data + (size >= 4 ? size - 4 : 0), size >= 4 ? 4 : 0);
	now += 1000;
	(void)dns_rrl_check(rrl, (const struct sockaddr *)&sa, cls, name, now);

	memcpy(buf, data, size);
	len = dns_rrl_slip(buf, size);
	check(len <= size);
	if (size >= 12) {
		check(dnsmsg_hdr_parse(buf, len, &h) == 0);
		check((h.flags & 0x0200) != 0);
		check(h.ancount == 0 && h.nscount == 0 && h.arcount == 0 && h.qdcount <= 1);
	}
	return 0;
}
