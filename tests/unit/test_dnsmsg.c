/*
 * test_dnsmsg.c - the DNS message library: names in both forms against
 * vectors and every refusal (truncated, label > 63, name > 255, pointer
 * loops and forward pointers, the 127-pointer limit), the type, class and
 * rcode tables, and the header and question codec.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "dnsmsg/dnsmsg.h"

static const uint8_t root[1] = { 0 };

static void
test_name_text(void **state)
{
	static const struct {
		const char *text;
		const uint8_t *origin;
		const char *wire;
		int len;
	} v[] = {
		{ "www.Example.com.", NULL, "\003www\007Example\003com", 17 },
		{ "www.example.com", root, "\003www\007example\003com", 17 },
		{ "www", (const uint8_t *)"\007example\003com", "\003www\007example\003com", 17 },
		{ "@", (const uint8_t *)"\003com", "\003com", 5 },
		{ ".", NULL, "", 1 },
		{ "a\\.b.", NULL, "\003a.b", 5 },
		{ "\\065\\\\.", NULL, "\002A\\", 4 },
		{ "a\\ b.", NULL, "\003a b", 5 },
	};
	static const struct {
		const char *text;
		const uint8_t *origin;
		int err;
	} bad[] = {
		{ "", root, DNSMSG_E_EMPTY },
		{ "a..b", root, DNSMSG_E_EMPTY_LABEL },
		{ ".a", root, DNSMSG_E_EMPTY_LABEL },
		{ "..", root, DNSMSG_E_EMPTY_LABEL },
		{ "a\\", root, DNSMSG_E_ESCAPE },
		{ "a\\25", root, DNSMSG_E_ESCAPE },
		{ "a\\256", root, DNSMSG_E_ESCAPE },
		{ "a", NULL, DNSMSG_E_RELATIVE },
		{ "@", NULL, DNSMSG_E_RELATIVE },
	};
	uint8_t out[DNSMSG_NAME_MAX];
	char text[DNSMSG_NAME_STRLEN], name[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(dnsmsg_name_from_text(out, v[i].text, v[i].origin), v[i].len);
		assert_memory_equal(out, v[i].wire, (size_t)v[i].len);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dnsmsg_name_from_text(out, bad[i].text, bad[i].origin),
		    bad[i].err);

	/* Labels of 63 and 64. */
	memset(name, 'a', 64);
	name[63] = '\0';
	assert_int_equal(dnsmsg_name_from_text(out, name, root), 65);
	name[63] = 'a';
	name[64] = '\0';
	assert_int_equal(dnsmsg_name_from_text(out, name, root), DNSMSG_E_LABEL_LONG);
	/* 253 characters are 255 octets; 254 are too many. */
	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	assert_int_equal(dnsmsg_name_from_text(out, name, root), 255);
	name[253] = '.';
	name[254] = '\0';
	assert_int_equal(dnsmsg_name_from_text(out, name, NULL), 255);
	name[253] = 'a';
	assert_int_equal(dnsmsg_name_from_text(out, name, root), DNSMSG_E_NAME_LONG);
	/* A relative name that only the origin makes too long. */
	name[191] = '\0';
	assert_int_equal(dnsmsg_name_from_text(out, name, (const uint8_t *)"\077"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
	    DNSMSG_E_NAME_LONG);

	/* To text: escapes where a zone file needs them. */
	assert_string_equal(dnsmsg_name_to_text((const uint8_t *)"\003a.b\002c\001", text),
	    "a\\.b.c\\001.");
	assert_string_equal(dnsmsg_name_to_text(root, text), ".");
	assert_int_equal(dnsmsg_name_from_text(out, "a\\.b.c\\001.", NULL), 8);
	assert_memory_equal(out, "\003a.b\002c\001", 8);
}

static void
test_name_wire(void **state)
{
	uint8_t big[300], low[DNSMSG_NAME_MAX];
	size_t i;

	(void)state;
	assert_int_equal(dnsmsg_name_wire_len((const uint8_t *)"\001a\000", 3), 3);
	assert_int_equal(dnsmsg_name_wire_len(root, 1), 1);
	assert_int_equal(dnsmsg_name_wire_len((const uint8_t *)"\001a", 2), DNSMSG_E_NAME_TRUNC);
	assert_int_equal(dnsmsg_name_wire_len((const uint8_t *)"\003ab", 3), DNSMSG_E_NAME_TRUNC);
	assert_int_equal(dnsmsg_name_wire_len(root, 0), DNSMSG_E_NAME_TRUNC);
	assert_int_equal(dnsmsg_name_wire_len((const uint8_t *)"\xc0\x0c", 2), DNSMSG_E_COMPRESSED);
	/* A length byte of 64 is the retired 0x40 label type. */
	assert_int_equal(dnsmsg_name_wire_len((const uint8_t *)"\x40", 1), DNSMSG_E_LABEL_TYPE);
	assert_int_equal(dnsmsg_name_wire_len((const uint8_t *)"\x80", 1), DNSMSG_E_LABEL_TYPE);
	/* 4 labels of 63: 257 octets with the root; 3 of 63 and one of 61: 255. */
	memset(big, 'a', sizeof(big));
	for (i = 0; i < 4; i++)
		big[i * 64] = 63;
	big[256] = 0;
	assert_int_equal(dnsmsg_name_wire_len(big, sizeof(big)), DNSMSG_E_NAME_LONG);
	big[192] = 61;
	big[254] = 0;
	assert_int_equal(dnsmsg_name_wire_len(big, sizeof(big)), 255);

	assert_int_equal(dnsmsg_name_labels((const uint8_t *)"\001a\002bc"), 2);
	assert_int_equal(dnsmsg_name_lower(low, (const uint8_t *)"\002aB\001C"), 6);
	assert_memory_equal(low, "\002ab\001c", 6);
	assert_true(dnsmsg_name_equal((const uint8_t *)"\002aB", (const uint8_t *)"\002Ab"));
	assert_false(dnsmsg_name_equal((const uint8_t *)"\002aB", (const uint8_t *)"\001a"));
	assert_true(dnsmsg_name_is_subdomain((const uint8_t *)"\001x\002aB",
	    (const uint8_t *)"\002ab"));
	assert_false(dnsmsg_name_is_subdomain((const uint8_t *)"\002ab",
	    (const uint8_t *)"\001x\002ab"));
}

/*
 * A chain of `hops` pointers: "\001a\0" at 0, then a pointer at 3, 5, ...
 * each to the one before; returns the offset of the last.
 */
static size_t
chain(uint8_t *m, unsigned hops)
{
	size_t prev = 0, at = 3;

	memcpy(m, "\001a", 3);
	for (unsigned i = 0; i < hops; i++, at += 2) {
		m[at] = (uint8_t)(0xc0 | prev >> 8);
		m[at + 1] = (uint8_t)prev;
		prev = at;
	}
	return prev;
}

static void
test_name_read(void **state)
{
	/* A reply: header, question www.example.com, an answer owner pointing at it. */
	static const uint8_t msg[] = {
		0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0,
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0, 1, 0, 1,
		3, 'f', 'o', 'o', 0xc0, 16,
	};
	uint8_t m[400], out[DNSMSG_NAME_MAX];
	size_t pos, last;

	(void)state;
	pos = 12;
	assert_int_equal(dnsmsg_name_read(msg, sizeof(msg), &pos, out), 17);
	assert_int_equal(pos, 29);
	pos = 33;
	assert_int_equal(dnsmsg_name_read(msg, sizeof(msg), &pos, out), 17);
	assert_memory_equal(out, "\003foo\007example\003com", 17);
	assert_int_equal(pos, sizeof(msg));
	/* Cut inside the pointer, inside a label. */
	pos = 33;
	assert_int_equal(dnsmsg_name_read(msg, sizeof(msg) - 1, &pos, out), DNSMSG_E_NAME_TRUNC);
	pos = 12;
	assert_int_equal(dnsmsg_name_read(msg, 20, &pos, out), DNSMSG_E_NAME_TRUNC);
	pos = sizeof(msg);
	assert_int_equal(dnsmsg_name_read(msg, sizeof(msg), &pos, out), DNSMSG_E_NAME_TRUNC);

	/* A pointer to itself, a loop of two, a forward pointer. */
	memset(m, 0, sizeof(m));
	m[12] = 0xc0;
	m[13] = 12;
	pos = 12;
	assert_int_equal(dnsmsg_name_read(m, 14, &pos, out), DNSMSG_E_POINTER);
	m[14] = 0xc0;
	m[15] = 16;
	m[16] = 0xc0;
	m[17] = 14;
	pos = 16;
	assert_int_equal(dnsmsg_name_read(m, 18, &pos, out), DNSMSG_E_POINTER);
	pos = 14;
	assert_int_equal(dnsmsg_name_read(m, 18, &pos, out), DNSMSG_E_POINTER);
	/* Retired label types. */
	m[20] = 0x41;
	pos = 20;
	assert_int_equal(dnsmsg_name_read(m, 30, &pos, out), DNSMSG_E_LABEL_TYPE);

	/* 127 pointers are followed, the 128th is refused. */
	memset(m, 0, sizeof(m));
	last = chain(m, 127);
	pos = last;
	assert_int_equal(dnsmsg_name_read(m, last + 2, &pos, out), 3);
	assert_memory_equal(out, "\001a", 3);
	assert_int_equal(pos, last + 2);
	last = chain(m, 128);
	pos = last;
	assert_int_equal(dnsmsg_name_read(m, last + 2, &pos, out), DNSMSG_E_HOPS);

	/* Labels through pointers still stop at 255 octets. */
	memset(m, 0, sizeof(m));
	m[0] = 63;
	memset(m + 1, 'a', 63);
	m[64] = 0;
	for (size_t at = 65, k = 0; k < 4; k++, at += 66) {
		m[at] = 63;
		memset(m + at + 1, 'b', 63);
		m[at + 64] = 0xc0;
		m[at + 65] = (uint8_t)(k == 0 ? 0 : at - 66);
	}
	/* At 0: 65 octets; at 65: 64 more (129); at 131: 193; at 197: 257. */
	pos = 65 + 66;
	assert_int_equal(dnsmsg_name_read(m, 65 + 4 * 66, &pos, out), 193);
	pos = 65 + 2 * 66;
	assert_int_equal(dnsmsg_name_read(m, 65 + 4 * 66, &pos, out), DNSMSG_E_NAME_LONG);
}

static void
test_tables(void **state)
{
	char buf[DNSMSG_RCODE_STRLEN];
	uint16_t t;
	unsigned r;

	(void)state;
	assert_string_equal(dnsmsg_type_name(1, buf), "A");
	assert_string_equal(dnsmsg_type_name(28, buf), "AAAA");
	assert_string_equal(dnsmsg_type_name(257, buf), "CAA");
	assert_string_equal(dnsmsg_type_name(65534, buf), "TYPE65534");
	assert_int_equal(dnsmsg_type_parse("aaaa", &t), 0);
	assert_int_equal(t, 28);
	assert_int_equal(dnsmsg_type_parse("TYPE65535", &t), 0);
	assert_int_equal(t, 65535);
	assert_int_equal(dnsmsg_type_parse("type0", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(dnsmsg_type_parse("TYPE65536", &t), DNSMSG_E_UNKNOWN);
	assert_int_equal(dnsmsg_type_parse("TYPE", &t), DNSMSG_E_UNKNOWN);
	assert_int_equal(dnsmsg_type_parse("TYPE-1", &t), DNSMSG_E_UNKNOWN);
	assert_int_equal(dnsmsg_type_parse("28", &t), DNSMSG_E_UNKNOWN);
	assert_int_equal(dnsmsg_type_parse("BOGUS", &t), DNSMSG_E_UNKNOWN);

	assert_string_equal(dnsmsg_class_name(3, buf), "CH");
	assert_string_equal(dnsmsg_class_name(2, buf), "CLASS2");
	assert_int_equal(dnsmsg_class_parse("in", &t), 0);
	assert_int_equal(t, 1);
	assert_int_equal(dnsmsg_class_parse("CLASS3", &t), 0);
	assert_int_equal(t, 3);
	assert_int_equal(dnsmsg_class_parse("XX", &t), DNSMSG_E_UNKNOWN);

	assert_string_equal(dnsmsg_rcode_name(0, buf), "NOERROR");
	assert_string_equal(dnsmsg_rcode_name(2, buf), "SERVFAIL");
	assert_string_equal(dnsmsg_rcode_name(3, buf), "NXDOMAIN");
	assert_string_equal(dnsmsg_rcode_name(16, buf), "BADVERS");
	assert_string_equal(dnsmsg_rcode_name(12, buf), "RCODE12");
	assert_string_equal(dnsmsg_rcode_name(4095, buf), "RCODE4095");
	assert_int_equal(dnsmsg_rcode_parse("nxdomain", &r), 0);
	assert_int_equal(r, 3);
	assert_int_equal(dnsmsg_rcode_parse("BADSIG", &r), 0);
	assert_int_equal(r, 16);
	assert_int_equal(dnsmsg_rcode_parse("RCODE4095", &r), 0);
	assert_int_equal(r, 4095);
	assert_int_equal(dnsmsg_rcode_parse("RCODE4096", &r), DNSMSG_E_UNKNOWN);
	assert_int_equal(dnsmsg_rcode_parse("5", &r), DNSMSG_E_UNKNOWN);

	assert_string_equal(dnsmsg_strerror(DNSMSG_E_HOPS), "more than 127 compression pointers");
	assert_string_equal(dnsmsg_strerror(1), "unknown error");
	assert_string_equal(dnsmsg_strerror(-DNSMSG_E_COUNT), "unknown error");
}

static void
test_header_question(void **state)
{
	static const uint8_t want[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		4, 't', 'e', 's', 't', 4, 'h', 'o', 'm', 'e', 0, 0, 28, 0, 1,
	};
	uint8_t buf[64], name[DNSMSG_NAME_MAX];
	struct dnsmsg_hdr h;
	struct dnsmsg_question q;
	size_t pos;

	(void)state;
	assert_int_equal(dnsmsg_name_from_text(name, "test.home", root), 11);
	assert_int_equal(dnsmsg_query_build(buf, sizeof(buf), 0x1234, DNSMSG_F_RD, name, 28,
	    DNSMSG_C_IN), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(dnsmsg_query_build(buf, sizeof(want), 0x1234, 0, name, 28, 1),
	    sizeof(want));
	assert_int_equal(dnsmsg_query_build(buf, sizeof(want) - 1, 0x1234, 0, name, 28, 1),
	    DNSMSG_E_NOSPACE);
	assert_int_equal(dnsmsg_query_build(buf, 11, 0x1234, 0, name, 28, 1), DNSMSG_E_NOSPACE);

	assert_int_equal(dnsmsg_hdr_parse(want, sizeof(want), &h), 0);
	assert_int_equal(h.id, 0x1234);
	assert_int_equal(h.flags, DNSMSG_F_RD);
	assert_int_equal(h.qdcount, 1);
	assert_int_equal(h.arcount, 0);
	/* A truncated header. */
	assert_int_equal(dnsmsg_hdr_parse(want, 11, &h), DNSMSG_E_SHORT);
	assert_int_equal(dnsmsg_hdr_parse(want, 0, &h), DNSMSG_E_SHORT);

	pos = DNSMSG_HDR_LEN;
	assert_int_equal(dnsmsg_question_parse(want, sizeof(want), &pos, &q), 0);
	assert_int_equal(pos, sizeof(want));
	assert_int_equal(q.qname_len, 11);
	assert_ptr_equal(q.qname, want + 12);
	assert_int_equal(q.qtype, 28);
	assert_int_equal(q.qclass, 1);
	/* Type or class cut: TRUNC; the name cut: NAME_TRUNC; pos unmoved. */
	for (size_t cut = 23; cut < sizeof(want); cut++) {
		pos = DNSMSG_HDR_LEN;
		assert_int_equal(dnsmsg_question_parse(want, cut, &pos, &q), DNSMSG_E_TRUNC);
		assert_int_equal(pos, DNSMSG_HDR_LEN);
	}
	pos = DNSMSG_HDR_LEN;
	assert_int_equal(dnsmsg_question_parse(want, 20, &pos, &q), DNSMSG_E_NAME_TRUNC);
	pos = 100;
	assert_int_equal(dnsmsg_question_parse(want, sizeof(want), &pos, &q), DNSMSG_E_NAME_TRUNC);
	/* A compressed question name (it could only point into the header). */
	memcpy(buf, want, 12);
	buf[12] = 0xc0;
	buf[13] = 4;
	memcpy(buf + 14, "\0\1\0\1", 4);
	pos = DNSMSG_HDR_LEN;
	assert_int_equal(dnsmsg_question_parse(buf, 18, &pos, &q), DNSMSG_E_COMPRESSED);
	/* A question name longer than 63 per label on the wire. */
	buf[12] = 64;
	pos = DNSMSG_HDR_LEN;
	assert_int_equal(dnsmsg_question_parse(buf, 18, &pos, &q), DNSMSG_E_LABEL_TYPE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_text),
		cmocka_unit_test(test_name_wire),
		cmocka_unit_test(test_name_read),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_header_question),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
