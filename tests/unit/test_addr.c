/*
 * test_addr.c - IPv4 address and prefix helpers: parsing, masks, formatting
 * and the martian classes RIP must not carry (RFC 2453 3.9.2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/addr.h"

static void
test_mask_len(void **state)
{
	(void)state;
	assert_int_equal(ip4_mask_len(0), 0);
	assert_int_equal(ip4_mask_len(0xffffffffu), 32);
	assert_int_equal(ip4_mask_len(0xffffff00u), 24);
	assert_int_equal(ip4_mask_len(0xff00ff00u), -1);
	assert_int_equal(ip4_mask_len(0x00ffffffu), -1);
	for (unsigned len = 0; len <= 32; len++)
		assert_int_equal(ip4_mask_len(ip4_mask(len)), (int)len);
}

static void
test_prefix_parse(void **state)
{
	struct prefix4 p;
	char buf[PFX4_STRLEN];
	(void)state;
	assert_int_equal(prefix4_parse("10.128.0.0/16", &p, false, false), 0);
	assert_int_equal(p.addr, 0x0a800000u);
	assert_int_equal(p.len, 16);
	assert_string_equal(prefix4_ntop(p, buf), "10.128.0.0/16");
	/* host bits: an error unless asked to mask them */
	assert_int_equal(prefix4_parse("10.128.5.2/16", &p, false, false), -1);
	assert_int_equal(prefix4_parse("10.128.5.2/16", &p, false, true), 0);
	assert_int_equal(p.addr, 0x0a800000u);
	/* bare addresses only when allowed */
	assert_int_equal(prefix4_parse("10.128.224.2", &p, false, false), -1);
	assert_int_equal(prefix4_parse("10.128.224.2", &p, true, false), 0);
	assert_int_equal(p.len, 32);
	static const char *const bad[] = {
		"", "/", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0/8",
		"1.2.3.4.5/32", "256.0.0.0/8", "a.b.c.d/8", "10.0.0.0/8/8",
		"10.0.0.0/00000000000000000000000000000000008",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(prefix4_parse(bad[i], &p, true, true), -1);
}

static void
test_martians(void **state)
{
	uint32_t a;
	(void)state;
	static const struct { const char *addr; bool martian; } v[] = {
		{ "0.0.0.0", true }, { "0.1.2.3", true }, { "127.0.0.1", true },
		{ "224.0.0.9", true }, { "239.255.255.255", true }, { "240.0.0.1", true },
		{ "255.255.255.255", true }, { "10.128.224.2", false }, { "1.0.0.0", false },
		{ "223.255.255.255", false }, { "126.255.255.255", false }, { "128.0.0.0", false },
		{ "169.254.0.1", true }, { "169.254.255.255", true }, { "169.253.255.255", false },
		{ "169.255.0.0", false },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(ip4_parse(v[i].addr, &a), 0);
		assert_int_equal(ip4_is_martian(a), v[i].martian);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_len),
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_martians),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
