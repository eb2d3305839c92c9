/*
 * fuzz_dns_qlog.c - libFuzzer target for the query log's line
 * (src/dns/qlog.c).  The first byte picks the client's family, port and
 * transport; the rest is the answer the line is made from.  A line, when
 * there is one, must be a single line of printable ASCII ending in '\n'
 * and fit its buffer: a query's name cannot forge or break log lines.
 * Anything else aborts.  Built with replay.c, the stored corpus
 * (tests/fuzz/corpus/dns_qlog) runs in the ordinary test command.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/qlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[DNS_QLOG_LINE_MAX];
	struct sockaddr_in6 v6;
	struct sockaddr_in v4;
	const struct sockaddr *peer;
	size_t n;

	if (size < 1)
		return 0;
	memset(&v4, 0, sizeof(v4));
	memset(&v6, 0, sizeof(v6));
	v4.sin_family = AF_INET;
	v4.sin_port = htons((uint16_t)(data[0] * 251));
	v4.sin_addr.s_addr = htonl(0xc0000200u | data[0]);
	v6.sin6_family = AF_INET6;
	v6.sin6_port = v4.sin_port;
	memset(&v6.sin6_addr, data[0], sizeof(v6.sin6_addr));
	peer = (data[0] & 3) == 0 ? (const struct sockaddr *)&v4 :
	    (data[0] & 3) == 1 ? (const struct sockaddr *)&v6 : NULL;
	n = dns_qlog_line(line, sizeof(line), 1.7e9 + data[0], peer, data[0] & 4, data + 1,
	    size - 1);
	if (n == 0)
		return 0;
	if (n >= sizeof(line) || line[n - 1] != '\n' || strlen(line) != n)
		abort();
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			abort();
	return 0;
}
