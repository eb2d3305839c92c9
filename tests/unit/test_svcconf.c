/*
 * test_svcconf.c - what a reload changes in a service (table-driven, from
 * config text through the real parser), the check map, and the drained-
 * services state file: parsing bad input, the atomic write read back, the
 * path next to the pidfile.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "health/svcconf.h"
#include "riposted/conf.h"

#define BASE \
	"service dns\n" \
	" address 10.128.224.2/32\n" \
	" check dns 127.0.0.1 test.home A\n" \
	" check process /run/dns.pid\n" \
	" interval 200ms\n" \
	" rise 3\n" \
	" fall 2\n"

static void
parse(const char *text, struct riposted_conf *c)
{
	char err[512];

	riposted_conf_init(c);
	if (riposted_conf_parse_buf("test.conf", text, strlen(text), c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c->n_services, 1);
}

static void
test_diff_table(void **state)
{
	static const struct {
		const char *label;
		const char *new;
		unsigned diff;
	} t[] = {
		{ "same", BASE, 0 },
		{ "moved in the file", "!\n!\n" BASE, 0 },
		{ "rise", BASE " rise 4\n", SVCD_DIFF_RISEFALL },
		{ "fall", BASE " fall 3\n", SVCD_DIFF_RISEFALL },
		{ "interval", BASE " interval 300ms\n", SVCD_DIFF_INTERVAL },
		{ "fast-interval", BASE " fast-interval 20ms\n", SVCD_DIFF_INTERVAL },
		{ "timeout", BASE " timeout 100ms\n", SVCD_DIFF_TIMEOUT },
		{ "metric", BASE " metric 2\n", SVCD_DIFF_METRIC },
		{ "drain-time", BASE " drain-time 3s\n", SVCD_DIFF_DRAIN },
		{ "keep-address", BASE " keep-address\n", SVCD_DIFF_KEEP },
		{ "check added", BASE " check exec /bin/true\n", SVCD_DIFF_CHECKS },
		{ "check removed", "service dns\n address 10.128.224.2/32\n"
		    " check dns 127.0.0.1 test.home A\n interval 200ms\n", SVCD_DIFF_CHECKS },
		{ "check changed", "service dns\n address 10.128.224.2/32\n"
		    " check dns 127.0.0.1 test.home AAAA\n check process /run/dns.pid\n"
		    " interval 200ms\n", SVCD_DIFF_CHECKS },
		{ "checks swapped", "service dns\n address 10.128.224.2/32\n"
		    " check process /run/dns.pid\n check dns 127.0.0.1 test.home A\n"
		    " interval 200ms\n", SVCD_DIFF_CHECKS },
		{ "address added", BASE " address 10.128.224.3/32\n", SVCD_DIFF_ADDRS },
		{ "address changed", "service dns\n address 10.128.224.3/32\n"
		    " check dns 127.0.0.1 test.home A\n check process /run/dns.pid\n"
		    " interval 200ms\n", SVCD_DIFF_ADDRS },
		{ "interface", BASE " interface eth1\n", SVCD_DIFF_IFACE },
		{ "several", BASE " metric 3\n rise 5\n interface eth1\n",
		    SVCD_DIFF_METRIC | SVCD_DIFF_RISEFALL | SVCD_DIFF_IFACE },
	};
	struct riposted_conf a, b, a2, b2;

	(void)state;
	parse(BASE, &a);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		parse(t[i].new, &b);
		unsigned d = svcd_conf_diff(&a.services[0], &b.services[0]);
		if (d != t[i].diff)
			fail_msg("%s: diff %#x, expected %#x", t[i].label, d, t[i].diff);
		/* Symmetric. */
		assert_int_equal(svcd_conf_diff(&b.services[0], &a.services[0]), d);
		/* Only the address set and the interface move the addresses. */
		assert_int_equal((d & SVCD_DIFF_MOVE) != 0,
		    (t[i].diff & (SVCD_DIFF_ADDRS | SVCD_DIFF_IFACE)) != 0);
		riposted_conf_free(&b);
	}
	/* The order of the addresses does not count. */
	parse(BASE " address 10.128.224.3/32\n", &a2);
	parse("service dns\n address 10.128.224.3/32\n address 10.128.224.2/32\n"
	    " check dns 127.0.0.1 test.home A\n check process /run/dns.pid\n interval 200ms\n",
	    &b2);
	assert_int_equal(svcd_conf_diff(&a2.services[0], &b2.services[0]), 0);
	riposted_conf_free(&a2);
	riposted_conf_free(&b2);
	riposted_conf_free(&a);
}

/* A zone check is the same check only with the same server, zone, primaries and max-lag. */
static void
test_diff_zone(void **state)
{
#define ZBASE "service dns\n address 10.128.224.2/32\n check zone 127.0.0.1 home " \
	"primary 10.128.9.1 primary 10.128.9.2 max-lag 3s\n"
	static const struct {
		const char *new;
		unsigned diff;
	} t[] = {
		{ ZBASE, 0 },
		{ "service dns\n address 10.128.224.2/32\n check zone 127.0.0.1@53 home. "
		    "primary 10.128.9.1@53 primary 10.128.9.2 max-lag 3000ms\n", 0 },
		{ "service dns\n address 10.128.224.2/32\n check zone 127.0.0.1 home "
		    "primary 10.128.9.1 primary 10.128.9.2 max-lag 4s\n", SVCD_DIFF_CHECKS },
		{ "service dns\n address 10.128.224.2/32\n check zone 127.0.0.1 home "
		    "primary 10.128.9.2 primary 10.128.9.1 max-lag 3s\n", SVCD_DIFF_CHECKS },
		{ "service dns\n address 10.128.224.2/32\n check zone 127.0.0.1 home "
		    "primary 10.128.9.1 max-lag 3s\n", SVCD_DIFF_CHECKS },
		{ "service dns\n address 10.128.224.2/32\n check zone 127.0.0.1 home "
		    "primary 10.128.9.1 primary 10.128.9.2@5300 max-lag 3s\n", SVCD_DIFF_CHECKS },
		{ "service dns\n address 10.128.224.2/32\n check zone 127.0.0.1 home.arpa "
		    "primary 10.128.9.1 primary 10.128.9.2 max-lag 3s\n", SVCD_DIFF_CHECKS },
		{ "service dns\n address 10.128.224.2/32\n check dns 127.0.0.1 home SOA\n",
		    SVCD_DIFF_CHECKS },
	};
	struct riposted_conf a, b;

	(void)state;
	parse(ZBASE, &a);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		parse(t[i].new, &b);
		if (svcd_conf_diff(&a.services[0], &b.services[0]) != t[i].diff)
			fail_msg("'%s': diff %#x, expected %#x", t[i].new,
			    svcd_conf_diff(&a.services[0], &b.services[0]), t[i].diff);
		riposted_conf_free(&b);
	}
	riposted_conf_free(&a);
#undef ZBASE
}

static void
test_diff_describe(void **state)
{
	char buf[128];

	(void)state;
	assert_string_equal(svcd_diff_describe(0, buf, sizeof(buf)), "nothing");
	assert_string_equal(svcd_diff_describe(SVCD_DIFF_RISEFALL | SVCD_DIFF_METRIC, buf,
	    sizeof(buf)), "rise/fall, metric");
	assert_string_equal(svcd_diff_describe(SVCD_DIFF_ADDRS | SVCD_DIFF_IFACE, buf,
	    sizeof(buf)), "addresses, interface");
	/* Truncation stays a string. */
	svcd_diff_describe(0x1ff, buf, 12);
	assert_true(strlen(buf) < 12);
}

static void
test_check_map(void **state)
{
	struct riposted_conf a, b;
	int map[SVC_MAX_CHECKS];

	(void)state;
	parse(BASE, &a);
	parse("service dns\n address 10.128.224.2/32\n check exec /bin/true\n"
	    " check process /run/dns.pid\n check dns 127.0.0.1 test.home A\n", &b);
	svcd_check_map(&a.services[0], &b.services[0], map);
	assert_int_equal(map[0], -1);
	assert_int_equal(map[1], 1);
	assert_int_equal(map[2], 0);
	assert_int_equal(map[3], -1);
	riposted_conf_free(&a);
	riposted_conf_free(&b);
}

/* ------------------------------------------------------------ state file */

struct collect {
	char names[8][SVC_NAME_MAX];
	size_t n;
	unsigned warn_lines[8];
	size_t n_warn;
};

static void
collect_entry(void *arg, const char *name)
{
	struct collect *c = arg;
	if (c->n < 8)
		snprintf(c->names[c->n++], SVC_NAME_MAX, "%s", name);
}

static void
collect_warn(void *arg, unsigned line, const char *msg)
{
	struct collect *c = arg;
	(void)msg;
	if (c->n_warn < 8)
		c->warn_lines[c->n_warn++] = line;
}

static void
test_drainfile_parse(void **state)
{
	static const struct {
		const char *in;
		size_t len;		/* 0: strlen */
		const char *names;	/* space separated */
		unsigned warns;
	} t[] = {
		{ "", 0, "", 0 },
		{ "# comment\n\ndrained dns\n", 0, "dns", 0 },
		{ "drained dns\ndrained web-1.x_y", 0, "dns web-1.x_y", 0 },
		{ "drained dns \r\n", 0, "dns", 0 },
		{ "drained\n", 0, "", 1 },
		{ "drained \n", 0, "", 1 },
		{ "undrained dns\n", 0, "", 1 },
		{ "drained a b\n", 0, "", 1 },
		{ "drained ../etc\n", 0, "", 1 },
		{ "drained d\x1b[2Jns\n", 0, "", 1 },
		{ "drained dns\0x\ndrained ok\n", 24, "ok", 1 },
		{ "drained aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 0,
		    "", 1 },
		{ "bogus\ndrained dns\nbogus\n", 0, "dns", 2 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct collect c = { .n = 0 };
		char got[512] = "";
		size_t len = t[i].len ? t[i].len : strlen(t[i].in);
		size_t n = drainfile_parse(t[i].in, len, collect_entry, collect_warn, &c);
		assert_int_equal(n, c.n);
		for (size_t k = 0; k < c.n; k++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s",
			    k ? " " : "", c.names[k]);
		if (strcmp(got, t[i].names) != 0 || c.n_warn != t[i].warns)
			fail_msg("case %zu: names '%s' (want '%s'), %zu warnings (want %u)", i,
			    got, t[i].names, c.n_warn, t[i].warns);
	}
}

static void
test_drainfile_parse_long(void **state)
{
	struct collect c = { .n = 0 };
	char *buf = malloc(DRAINFILE_MAX + 2);

	(void)state;
	assert_non_null(buf);
	/* One huge line: a warning, no entry, no overrun. */
	memset(buf, 'x', DRAINFILE_MAX);
	assert_int_equal(drainfile_parse(buf, DRAINFILE_MAX, collect_entry, collect_warn, &c),
	    0);
	assert_int_equal(c.n_warn, 1);
	/* Above the cap: ignored as a whole. */
	c.n_warn = 0;
	assert_int_equal(drainfile_parse(buf, DRAINFILE_MAX + 1, collect_entry, collect_warn,
	    &c), 0);
	assert_int_equal(c.n_warn, 1);
	assert_int_equal(c.warn_lines[0], 0);
	free(buf);
}

static void
test_drainfile_roundtrip(void **state)
{
	char dir[] = "/tmp/test_svcconf.XXXXXX", path[200], link_path[256], err[512];
	const char *names[] = { "dns", "web" };
	char *buf;
	size_t len;
	struct collect c = { .n = 0 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/riposted.drained", dir);
	/* No file yet. */
	assert_int_equal(drainfile_read(path, &buf, &len, err, sizeof(err)), 1);
	/* The missing directory is made. */
	assert_int_equal(drainfile_write(path, names, 2), 0);
	assert_int_equal(drainfile_read(path, &buf, &len, err, sizeof(err)), 0);
	assert_int_equal(drainfile_parse(buf, len, collect_entry, collect_warn, &c), 2);
	assert_string_equal(c.names[0], "dns");
	assert_string_equal(c.names[1], "web");
	assert_int_equal(c.n_warn, 0);
	free(buf);
	/* Rewritten with fewer names; no temp file left behind. */
	assert_int_equal(drainfile_write(path, names, 0), 0);
	assert_int_equal(drainfile_read(path, &buf, &len, err, sizeof(err)), 0);
	c.n = 0;
	assert_int_equal(drainfile_parse(buf, len, collect_entry, collect_warn, &c), 0);
	free(buf);
	snprintf(link_path, sizeof(link_path), "%s.tmp", path);
	assert_int_equal(access(link_path, F_OK), -1);
	/* A symlink as the temp file is not followed. */
	assert_int_equal(symlink("/tmp/test_svcconf-victim", link_path), 0);
	assert_int_equal(drainfile_write(path, names, 1), -1);
	assert_int_equal(access("/tmp/test_svcconf-victim", F_OK), -1);
	unlink(link_path);
	/* Nor as the file itself. */
	unlink(path);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	assert_int_equal(drainfile_read(path, &buf, &len, err, sizeof(err)), -1);
	unlink(path);
	/* A directory is not a state file. */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(drainfile_read(path, &buf, &len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	rmdir(path);
	snprintf(link_path, sizeof(link_path), "%s/sub", dir);
	rmdir(link_path);
	rmdir(dir);
}

static void
test_drainfile_path(void **state)
{
	char buf[64];

	(void)state;
	assert_int_equal(drainfile_path(buf, sizeof(buf), "/run/riposte/riposted.pid",
	    "/run/riposte"), 0);
	assert_string_equal(buf, "/run/riposte/riposted.drained");
	assert_int_equal(drainfile_path(buf, sizeof(buf), "/tmp/s1.lock", "/x"), 0);
	assert_string_equal(buf, "/tmp/s1.lock.drained");
	assert_int_equal(drainfile_path(buf, sizeof(buf), NULL, "/run/riposte"), 0);
	assert_string_equal(buf, "/run/riposte/riposted.drained");
	assert_int_equal(drainfile_path(buf, 10, NULL, "/run/riposte"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_table),
		cmocka_unit_test(test_diff_zone),
		cmocka_unit_test(test_diff_describe),
		cmocka_unit_test(test_check_map),
		cmocka_unit_test(test_drainfile_parse),
		cmocka_unit_test(test_drainfile_parse_long),
		cmocka_unit_test(test_drainfile_roundtrip),
		cmocka_unit_test(test_drainfile_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
