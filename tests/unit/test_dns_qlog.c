/*
 * test_dns_qlog.c - the query log's line (src/dns/qlog.c): the fields from
 * an answer for IPv4, IPv6 and TCP clients, a name that would break a line
 * escaped, and no line for what has no whole question.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dns/qlog.h"

/* An answer header (QR AA, rcode) and one question; its length. */
static size_t
answer(uint8_t *buf, const char *labels, uint16_t qtype, unsigned rcode, uint16_t qdcount)
{
	size_t n = 0, k;

	memset(buf, 0, 12);
	buf[2] = 0x84;
	buf[3] = (uint8_t)rcode;
	buf[5] = (uint8_t)qdcount;
	n = 12;
	/* labels: "3www7example3com" style, lengths as one digit */
	for (const char *s = labels; *s != '\0'; s += 1 + k) {
		k = (size_t)(*s - '0');
		buf[n++] = (uint8_t)k;
		memcpy(buf + n, s + 1, k);
		n += k;
	}
	buf[n++] = 0;
	buf[n++] = (uint8_t)(qtype >> 8);
	buf[n++] = (uint8_t)qtype;
	buf[n++] = 0;
	buf[n++] = 1;
	return n;
}

static void
test_line(void **state)
{
	uint8_t a[512];
	char line[DNS_QLOG_LINE_MAX];
	struct sockaddr_in v4 = { .sin_family = AF_INET, .sin_port = htons(53124) };
	struct sockaddr_in6 v6 = { .sin6_family = AF_INET6, .sin6_port = htons(1) };
	size_t len = answer(a, "3www7example3com", 1, 0, 1), n;

	inet_pton(AF_INET, "192.0.2.7", &v4.sin_addr);
	inet_pton(AF_INET6, "2001:db8::7", &v6.sin6_addr);
	/* 2026-12-07T01:02:03.456Z */
	n = dns_qlog_line(line, sizeof(line), 1796605323.456, (struct sockaddr *)&v4, false, a, len);
	assert_string_equal(line,
	    "2026-12-07T01:02:03.456Z 192.0.2.7#53124 udp www.example.com. IN A NOERROR 33\n");
	assert_int_equal(n, strlen(line));

	len = answer(a, "7example3com", 28, 3, 1);
	n = dns_qlog_line(line, sizeof(line), 1796605323.0, (struct sockaddr *)&v6, true, a, len);
	assert_string_equal(line,
	    "2026-12-07T01:02:03.000Z 2001:db8::7#1 tcp example.com. IN AAAA NXDOMAIN 29\n");

	/* A family we do not know: "?" */
	n = dns_qlog_line(line, sizeof(line), 0., NULL, false, a, len);
	assert_string_equal(line, "1970-01-01T00:00:00.000Z ?#0 udp example.com. IN AAAA NXDOMAIN 29\n");
}

static void
test_escaped(void **state)
{
	uint8_t a[64] = { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0,
		4, 'a', '\n', ' ', 0xff, 0, 0, 16, 0, 1 };
	char line[DNS_QLOG_LINE_MAX];
	size_t n = dns_qlog_line(line, sizeof(line), 0., NULL, false, a, 22);

	assert_true(n > 0);
	assert_string_equal(line,
	    "1970-01-01T00:00:00.000Z ?#0 udp a\\010\\032\\255. IN TXT NOERROR 22\n");
	assert_null(memchr(line, '\n', n - 1));
}

static void
test_none(void **state)
{
	uint8_t a[512];
	char line[DNS_QLOG_LINE_MAX], small[64];
	size_t len = answer(a, "1x", 1, 0, 1);

	/* Shorter than a header, a cut question, no question, a pointer as name. */
	assert_int_equal(dns_qlog_line(line, sizeof(line), 0., NULL, false, a, 11), 0);
	for (size_t cut = 12; cut < len; cut++)
		assert_int_equal(dns_qlog_line(line, sizeof(line), 0., NULL, false, a, cut), 0);
	len = answer(a, "1x", 1, 0, 0);
	assert_int_equal(dns_qlog_line(line, sizeof(line), 0., NULL, false, a, len), 0);
	uint8_t ptr[] = { 0, 0, 0x84, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1 };
	assert_int_equal(dns_qlog_line(line, sizeof(line), 0., NULL, false, ptr, sizeof(ptr)), 0);
	/* A buffer too small for the longest line is refused, not overrun. */
	len = answer(a, "1x", 1, 0, 1);
	assert_int_equal(dns_qlog_line(small, sizeof(small), 0., NULL, false, a, len), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line),
		cmocka_unit_test(test_escaped),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests_name("dns_qlog", tests, NULL, NULL);
}
