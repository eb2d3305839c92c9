/*
 * test_dns_conf.c - tests of riposte-dns's config parser (src/dns/conf.c):
 * the defaults, every statement, every error with its exact
 * "name:line: message", the lexer (comments, quotes, CRLF, limits), paths
 * relative to the config file's directory, and print -> parse -> print
 * round trips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/conf.h"

#define NAME "t.conf"

static void
parse_ok(const char *text, struct dnsconf *c)
{
	char err[512] = "";

	if (dnsconf_parse_buf(NAME, NULL, text, strlen(text), c, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s\n--- input:\n%s", err, text);
}

static char *
print_str(const struct dnsconf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	dnsconf_print(f, c);
	fclose(f);
	return buf;
}

static const char *
listen_str(const struct dnsconf *c, size_t i)
{
	static char buf[DNSCONF_LISTEN_STRLEN];

	assert_true(i < c->n_listen);
	return dnsconf_listen_str(&c->listen[i], buf);
}

/* ---- defaults ---- */

static void
test_defaults(void **state)
{
	struct dnsconf c;
	char host[DNSCONF_TEXT_MAX + 1] = "";

	parse_ok("", &c);
	assert_int_equal(c.n_listen, 2);
	assert_string_equal(listen_str(&c, 0), "0.0.0.0@53");
	assert_string_equal(listen_str(&c, 1), "[::]@53");
	assert_true(c.listen[0].wildcard);
	assert_true(c.listen[1].wildcard);
	assert_int_equal(c.listen[0].line, 0);
	assert_int_equal(c.n_zones, 0);
	assert_int_equal(gethostname(host, sizeof(host) - 1), 0);
	assert_string_equal(c.identity, host);
	assert_string_equal(c.version, "riposte-dns " RIPOSTE_DNS_VERSION);
	assert_false(c.version_hide);
	assert_string_equal(c.user, "");
	assert_null(c.pidfile);
	assert_int_equal(c.workers, 0);
	assert_int_equal(c.tcp_clients, 256);
	assert_int_equal(c.tcp_idle_ms, 10000);
	assert_int_equal(c.tcp_io_ms, 500);
	assert_int_equal(c.tcp_per_ip, 16);
	assert_int_equal(c.udp_size, 1232);
	/* Response rate limiting is on, at NSD's numbers (README: why). */
	assert_int_equal(c.rrl_rate, 200);
	assert_int_equal(c.rrl_slip, 2);
	assert_int_equal(c.rrl_v4_prefix, 24);
	assert_int_equal(c.rrl_v6_prefix, 56);
	assert_int_equal(c.n_rrl_whitelist, 0);
	assert_string_equal(dnsconf_control(&c), DNSCONF_CONTROL_DEFAULT);
	/* Transfers in are bounded by default (conf.c says why these numbers). */
	assert_int_equal(c.xfr_max_records, 10000000);
	assert_true(c.xfr_max_size == (uint64_t)1 << 30);
	assert_int_equal(c.xfr_timeout_ms, 600000);
	dnsconf_free(&c);
	/* Freeing twice is harmless. */
	dnsconf_free(&c);
}

/* Comments and blank lines only: still the defaults. */
static void
test_comments(void **state)
{
	struct dnsconf c;

	parse_ok("# a comment\n\n   \t\n   # indented\nworkers 3 # trailing\n", &c);
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.n_listen, 2);
	dnsconf_free(&c);
}

/* ---- every statement ---- */

static void
test_listen(void **state)
{
	struct dnsconf c;

	parse_ok("listen 127.0.0.1\n"
	    "listen 192.0.2.1@5353\n"
	    "listen ::1\n"
	    "listen [2001:db8::53]@53000\n"
	    "listen 2001:db8::1@54\n"
	    "listen [fe80::1]\n"
	    "listen 0.0.0.0@1053\n"
	    "listen *@2053\n", &c);
	assert_int_equal(c.n_listen, 9);
	assert_string_equal(listen_str(&c, 0), "127.0.0.1@53");
	assert_string_equal(listen_str(&c, 1), "192.0.2.1@5353");
	assert_string_equal(listen_str(&c, 2), "[::1]@53");
	assert_string_equal(listen_str(&c, 3), "[2001:db8::53]@53000");
	assert_string_equal(listen_str(&c, 4), "[2001:db8::1]@54");
	assert_string_equal(listen_str(&c, 5), "[fe80::1]@53");
	assert_string_equal(listen_str(&c, 6), "0.0.0.0@1053");
	assert_string_equal(listen_str(&c, 7), "0.0.0.0@2053");
	assert_string_equal(listen_str(&c, 8), "[::]@2053");
	assert_int_equal(c.listen[0].family, AF_INET);
	assert_int_equal(c.listen[2].family, AF_INET6);
	assert_false(c.listen[0].wildcard);
	assert_false(c.listen[3].wildcard);
	assert_true(c.listen[6].wildcard);
	assert_true(c.listen[7].wildcard);
	assert_true(c.listen[8].wildcard);
	assert_int_equal(c.listen[1].line, 2);
	assert_int_equal(c.listen[8].line, 8);
	dnsconf_free(&c);

	/* Listening on anything replaces the default. */
	parse_ok("listen [::]\n", &c);
	assert_int_equal(c.n_listen, 1);
	assert_string_equal(listen_str(&c, 0), "[::]@53");
	assert_true(c.listen[0].wildcard);
	dnsconf_free(&c);
}

/* metrics listen: repeatable, port 9476 unless given; bad ones refused with their line. */
static void
test_metrics_listen(void **state)
{
	static const struct { const char *text, *err; } bad[] = {
		{ "metrics listen localhost\n", "t.conf:1: metrics listen: 'localhost' is not "
		  "ADDRESS[@PORT] (IPv4, or IPv6 in [brackets]; port 1..65535)" },
		{ "metrics listen 127.0.0.1@0\n", "t.conf:1: metrics listen: '127.0.0.1@0' is not "
		  "ADDRESS[@PORT] (IPv4, or IPv6 in [brackets]; port 1..65535)" },
		{ "metrics listen 127.0.0.1\nmetrics listen 127.0.0.1@9476\n",
		  "t.conf:2: metrics listen 127.0.0.1@9476: given twice (line 1)" },
		{ "metrics listen 127.0.0.1@1\nmetrics listen 127.0.0.1@2\nmetrics listen ::1\n"
		  "metrics listen 127.0.0.1@3\nmetrics listen 127.0.0.1@4\n",
		  "t.conf:5: metrics listen: at most 4 addresses" },
		{ "metrics listen\n", NULL },
		{ "metrics listen 127.0.0.1 x\n", NULL },
	};
	struct dnsconf c;
	char *p;

	parse_ok("listen 127.0.0.1@5353\n", &c);
	assert_int_equal(c.n_metrics, 0);	/* off by default */
	dnsconf_free(&c);
	parse_ok("metrics listen 127.0.0.1\nmetrics listen [::1]@20001\n", &c);
	assert_int_equal(c.n_metrics, 2);
	assert_int_equal(c.metrics[1].line, 2);
	p = print_str(&c);
	assert_non_null(strstr(p, "metrics listen 127.0.0.1@9476\nmetrics listen [::1]@20001\n"));
	dnsconf_free(&c);
	parse_ok(p, &c);	/* the printed form parses back */
	assert_int_equal(c.n_metrics, 2);
	free(p);
	dnsconf_free(&c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[512] = "";
		int rc = dnsconf_parse_buf(NAME, NULL, bad[i].text, strlen(bad[i].text), &c, err,
		    sizeof(err));
		if (rc != -1 || (bad[i].err != NULL && strcmp(err, bad[i].err) != 0))
			fail_msg("input %zu: %s\nwant: %s\ngot (%d): %s", i, bad[i].text,
			    bad[i].err != NULL ? bad[i].err : "an error", rc, err);
		assert_int_equal(c.n_metrics, 0);
		dnsconf_free(&c);
	}
}

static void
test_zone(void **state)
{
	struct dnsconf c;
	static const uint8_t apex[] = { 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };

	parse_ok("zone Example.COM file example.com.zone\n"
	    "zone example.net. hosts /etc/riposte/hosts\n"
	    "zone . file root.zone\n"
	    "zone 2.0.192.in-addr.arpa file \"dir with space/rev.zone\"\n", &c);
	assert_int_equal(c.n_zones, 4);
	assert_string_equal(c.zones[0].name, "example.com.");
	assert_memory_equal(c.zones[0].apex, apex, sizeof(apex));
	assert_int_equal(c.zones[0].kind, DNSCONF_ZONE_FILE);
	assert_string_equal(c.zones[0].path, "example.com.zone");
	assert_int_equal(c.zones[0].line, 1);
	assert_string_equal(c.zones[1].name, "example.net.");
	assert_int_equal(c.zones[1].kind, DNSCONF_ZONE_HOSTS);
	assert_string_equal(c.zones[1].path, "/etc/riposte/hosts");
	assert_string_equal(c.zones[2].name, ".");
	assert_int_equal(c.zones[2].apex[0], 0);
	assert_string_equal(c.zones[3].name, "2.0.192.in-addr.arpa.");
	assert_string_equal(c.zones[3].path, "dir with space/rev.zone");
	assert_int_equal(c.zones[3].line, 4);
	dnsconf_free(&c);
}

/* Relative paths are taken from the config file's directory, absolute ones are kept. */
static void
test_zone_basedir(void **state)
{
	const char *text = "zone a file a.zone\nzone b hosts /abs/b.hosts\npidfile run/x.pid\n";
	struct dnsconf c;
	char err[512];

	assert_int_equal(dnsconf_parse_buf(NAME, "/etc/riposte", text, strlen(text), &c, err,
	    sizeof(err)), 0);
	assert_string_equal(c.zones[0].path, "/etc/riposte/a.zone");
	assert_string_equal(c.zones[1].path, "/abs/b.hosts");
	assert_string_equal(c.pidfile, "/etc/riposte/run/x.pid");
	dnsconf_free(&c);
}

static void
test_parse_file(void **state)
{
	char dir[] = "/tmp/test_dns_conf_XXXXXX";
	char path[256], err[512];
	struct dnsconf c;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/riposte-dns.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("zone example.com file zones/example.com.zone\nworkers 0x\n", f);
	fclose(f);
	/* Errors name the file as it was given. */
	assert_int_equal(dnsconf_parse_file(path, &c, err, sizeof(err)), -1);
	char want[512];
	snprintf(want, sizeof(want), "%s:2: workers: '0x' is not a number", path);
	assert_string_equal(err, want);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("zone example.com file zones/example.com.zone\n", f);
	fclose(f);
	assert_int_equal(dnsconf_parse_file(path, &c, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/zones/example.com.zone", dir);
	assert_string_equal(c.zones[0].path, want);
	dnsconf_free(&c);
	unlink(path);

	assert_int_equal(dnsconf_parse_file(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot read: No such file or directory", path);
	assert_string_equal(err, want);
	assert_int_equal(dnsconf_parse_file(dir, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: cannot read: Is a directory", dir);
	assert_string_equal(err, want);
	rmdir(dir);
}

static void
test_identity_version(void **state)
{
	struct dnsconf c;

	parse_ok("identity ns1.example.net\nversion \"my server 1.0\"\n", &c);
	assert_string_equal(c.identity, "ns1.example.net");
	assert_string_equal(c.version, "my server 1.0");
	assert_false(c.version_hide);
	dnsconf_free(&c);

	parse_ok("identity \"node \\\"a\\\" \\\\ b\"\nversion hide\n", &c);
	assert_string_equal(c.identity, "node \"a\" \\ b");
	assert_true(c.version_hide);
	dnsconf_free(&c);

	/* Quoted, hide is just a word. */
	parse_ok("version \"hide\"\n", &c);
	assert_false(c.version_hide);
	assert_string_equal(c.version, "hide");
	dnsconf_free(&c);

	/* 255 bytes is the TXT limit, and allowed. */
	char line[300];
	memset(line, 'x', sizeof(line));
	memcpy(line, "identity ", 9);
	line[9 + 255] = '\n';
	line[9 + 256] = '\0';
	parse_ok(line, &c);
	assert_int_equal(strlen(c.identity), 255);
	dnsconf_free(&c);
}

static void
test_numbers(void **state)
{
	struct dnsconf c;

	parse_ok("user nobody\npidfile /run/riposte-dns.pid\nworkers 4\ntcp-clients 1000\n"
	    "tcp-idle-timeout 250ms\nudp-size 4096\n", &c);
	assert_string_equal(c.user, "nobody");
	assert_string_equal(c.pidfile, "/run/riposte-dns.pid");
	assert_int_equal(c.workers, 4);
	assert_int_equal(c.tcp_clients, 1000);
	assert_int_equal(c.tcp_idle_ms, 250);
	assert_int_equal(c.udp_size, 4096);
	dnsconf_free(&c);

	/* Transfer-in limits: sizes in powers of 1024, "unlimited" is 0. */
	parse_ok("xfr-max-records 5000\nxfr-max-size 64k\nxfr-timeout 3\n", &c);
	assert_int_equal(c.xfr_max_records, 5000);
	assert_true(c.xfr_max_size == 65536);
	assert_int_equal(c.xfr_timeout_ms, 3000);
	dnsconf_free(&c);
	parse_ok("xfr-max-records unlimited\nxfr-max-size unlimited\nxfr-timeout 2m\n", &c);
	assert_int_equal(c.xfr_max_records, 0);
	assert_true(c.xfr_max_size == 0);
	assert_int_equal(c.xfr_timeout_ms, 120000);
	dnsconf_free(&c);
	parse_ok("xfr-max-size 2G\n", &c);
	assert_true(c.xfr_max_size == (uint64_t)2 << 30);
	dnsconf_free(&c);
	parse_ok("xfr-max-size 1t\n", &c);
	assert_true(c.xfr_max_size == (uint64_t)1 << 40);
	dnsconf_free(&c);
	parse_ok("xfr-max-size 1500\n", &c);
	assert_true(c.xfr_max_size == 1500);
	dnsconf_free(&c);

	/*
	 * `user root` is a name like any other here; riposte-dns.c keeps root
	 * for it, and without `user` (c.user "") gives root up for riposte-dns
	 * or nobody (tests/netns/t_privs.sh runs both).
	 */
	parse_ok("user root\n", &c);
	assert_string_equal(c.user, "root");
	dnsconf_free(&c);

	/* RRL: 0 is off, slip 0 never slips; whitelist prefixes of both families. */
	parse_ok("rrl-rate 0\nrrl-slip 0\nrrl-ipv4-prefix 32\nrrl-ipv6-prefix 128\n"
	    "rrl-whitelist 127.0.0.2\nrrl-whitelist 10.0.0.0/8\nrrl-whitelist 2001:db8::/32\n"
	    "rrl-whitelist ::/0\n", &c);
	assert_int_equal(c.rrl_rate, 0);
	assert_int_equal(c.rrl_slip, 0);
	assert_int_equal(c.rrl_v4_prefix, 32);
	assert_int_equal(c.rrl_v6_prefix, 128);
	assert_int_equal(c.n_rrl_whitelist, 4);
	assert_int_equal(c.rrl_whitelist[0].family, AF_INET);
	assert_int_equal(c.rrl_whitelist[0].len, 32);
	assert_memory_equal(c.rrl_whitelist[0].addr, "\x7f\0\0\x02", 4);
	assert_int_equal(c.rrl_whitelist[1].len, 8);
	assert_int_equal(c.rrl_whitelist[2].family, AF_INET6);
	assert_int_equal(c.rrl_whitelist[2].len, 32);
	assert_int_equal(c.rrl_whitelist[3].len, 0);
	dnsconf_free(&c);
	assert_int_equal(c.n_rrl_whitelist, 0);
	assert_null(c.rrl_whitelist);
	parse_ok("rrl-rate 1000000\nrrl-slip 100\nrrl-ipv4-prefix 8\nrrl-ipv6-prefix 16\n", &c);
	assert_int_equal(c.rrl_rate, 1000000);
	assert_int_equal(c.rrl_slip, 100);
	dnsconf_free(&c);

	static const struct {
		const char *text;
		unsigned ms;
	} durations[] = {
		{ "tcp-idle-timeout 3", 3000 },
		{ "tcp-idle-timeout 3s", 3000 },
		{ "tcp-idle-timeout 2m", 120000 },
		{ "tcp-idle-timeout 1ms", 1 },
		{ "tcp-idle-timeout 60m", 3600000 },
		{ "tcp-idle-timeout 007s", 7000 },
	};
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		parse_ok(durations[i].text, &c);
		assert_int_equal(c.tcp_idle_ms, durations[i].ms);
		dnsconf_free(&c);
	}

	parse_ok("workers auto\nudp-size 512\ntcp-clients 1\n", &c);
	assert_int_equal(c.workers, 0);
	assert_int_equal(c.udp_size, 512);
	assert_int_equal(c.tcp_clients, 1);
	dnsconf_free(&c);

	parse_ok("tcp-io-timeout 2s\ntcp-clients-per-ip 4\n", &c);
	assert_int_equal(c.tcp_io_ms, 2000);
	assert_int_equal(c.tcp_per_ip, 4);
	dnsconf_free(&c);
	parse_ok("tcp-io-timeout 1ms\ntcp-clients-per-ip off\n", &c);
	assert_int_equal(c.tcp_io_ms, 1);
	assert_int_equal(c.tcp_per_ip, 0);
	dnsconf_free(&c);
	parse_ok("tcp-io-timeout 60\ntcp-clients-per-ip 65536\n", &c);
	assert_int_equal(c.tcp_io_ms, 60000);
	assert_int_equal(c.tcp_per_ip, 65536);
	dnsconf_free(&c);
}

/* CRLF line ends, a last line without a newline, tabs between words. */
static void
test_lexer(void **state)
{
	struct dnsconf c;

	parse_ok("workers\t2\r\nzone a file \"x y.zone\"\r\nudp-size 1400", &c);
	assert_int_equal(c.workers, 2);
	assert_string_equal(c.zones[0].path, "x y.zone");
	assert_int_equal(c.udp_size, 1400);
	dnsconf_free(&c);

	/* A '#' inside a word or quotes is part of it. */
	parse_ok("identity a#b\nversion \"# not a comment\"\n", &c);
	assert_string_equal(c.identity, "a#b");
	assert_string_equal(c.version, "# not a comment");
	dnsconf_free(&c);

	/* '!' starts no comment; vertical tab and form feed are blanks, as in riposted's. */
	parse_ok("identity !x\nworkers\v\f3\f\n", &c);
	assert_string_equal(c.identity, "!x");
	assert_int_equal(c.workers, 3);
	dnsconf_free(&c);
}

/* The limits: 4096 bytes and 16 words are still a line. */
static void
test_limits(void **state)
{
	char line[4096 + 2], err[512];
	struct dnsconf c;

	memset(line, ' ', sizeof(line));
	memcpy(line, "workers 7", 9);
	line[4095] = '#';
	line[4096] = '\n';
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, line, 4097, &c, err, sizeof(err)), 0);
	assert_int_equal(c.workers, 7);
	dnsconf_free(&c);
	line[4096] = '#';
	line[4097] = '\n';
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, line, 4098, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: line too long (max 4096 bytes)");

	/* Sixteen words reach the statement, which has too many of them. */
	const char *w16 = "zone a b c d e f g h i j k l m n o\n";
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, w16, strlen(w16), &c, err, sizeof(err)),
	    -1);
	assert_string_equal(err,
	    NAME ":1: zone: too many arguments (usage: zone NAME file|hosts PATH | secondary|notify ADDRESS[@PORT] [key KEY] | " \
	    "allow-transfer PREFIX [key KEY])");
}

/* ---- errors: exact text, and the config left empty ---- */

#define ZU "(usage: zone NAME file|hosts PATH | secondary|notify ADDRESS[@PORT] [key KEY] | " \
	"allow-transfer PREFIX [key KEY])"
/* 129 octets of secret: one too many. */
#define LONG_B64 "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB" \
	"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
#define LONGER_B64 LONG_B64 "QUFBQUFB"

static const struct {
	const char *text;
	const char *err;
} errors[] = {
	{ "rrl-rate 1000001\n", NAME ":1: rrl-rate 1000001 out of range 0..1000000" },
	{ "rrl-rate -1\n", NAME ":1: rrl-rate: '-1' is not a number" },
	{ "rrl-rate 5\nrrl-rate 5\n", NAME ":2: rrl-rate: already set at line 1" },
	{ "rrl-slip 101\n", NAME ":1: rrl-slip 101 out of range 0..100" },
	{ "rrl-ipv4-prefix 7\n", NAME ":1: rrl-ipv4-prefix 7 out of range 8..32" },
	{ "rrl-ipv4-prefix 33\n", NAME ":1: rrl-ipv4-prefix 33 out of range 8..32" },
	{ "rrl-ipv6-prefix 15\n", NAME ":1: rrl-ipv6-prefix 15 out of range 16..128" },
	{ "rrl-ipv6-prefix 129\n", NAME ":1: rrl-ipv6-prefix 129 out of range 16..128" },
	{ "rrl-whitelist\n", NAME ":1: rrl-whitelist: missing argument (usage: rrl-whitelist PREFIX)" },
	{ "rrl-whitelist a b\n",
	  NAME ":1: rrl-whitelist: too many arguments (usage: rrl-whitelist PREFIX)" },
	{ "rrl-whitelist example.com\n",
	  NAME ":1: rrl-whitelist: invalid address 'example.com' (IPv4 or IPv6 prefix)" },
	{ "rrl-whitelist 10.0.0.0/33\n",
	  NAME ":1: rrl-whitelist prefix length 33 out of range 0..32" },
	{ "rrl-whitelist ::/129\n", NAME ":1: rrl-whitelist prefix length 129 out of range 0..128" },
	{ "rrl-whitelist 10.0.0.0/\n", NAME ":1: rrl-whitelist prefix length: '' is not a number" },
	{ "rrl-whitelist 10.0.0.1/8\n", NAME ":1: rrl-whitelist: 10.0.0.1/8 has host bits set" },
	{ "rrl-whitelist 2001:db8::1/64\n",
	  NAME ":1: rrl-whitelist: 2001:db8::1/64 has host bits set" },
	{ "rrl-whitelist 10.0.0.0/8\nrrl-whitelist 10.0.0.0/8\n",
	  NAME ":2: rrl-whitelist: 10.0.0.0/8 given twice" },
	{ "frobnicate 1\n", NAME ":1: unknown statement 'frobnicate 1'" },
	/* A quoted word is text, never a keyword: the message shows the quotes. */
	{ "\"workers\" 1\n", NAME ":1: unknown statement '\"workers\" 1'" },
	{ "# ok\nworkers\n", NAME ":2: workers: missing argument (usage: workers N|auto)" },
	{ "workers 1 2\n", NAME ":1: workers: too many arguments (usage: workers N|auto)" },
	{ "workers 2\nworkers 3\n", NAME ":2: workers: already set at line 1" },
	{ "workers 0\n", NAME ":1: workers 0 out of range 1..1024" },
	{ "workers 1025\n", NAME ":1: workers 1025 out of range 1..1024" },
	{ "workers -1\n", NAME ":1: workers: '-1' is not a number" },
	{ "workers 99999999999999999999\n",
	  NAME ":1: workers 99999999999999999999 out of range 1..1024" },
	{ "tcp-clients 0\n", NAME ":1: tcp-clients 0 out of range 1..65536" },
	{ "tcp-clients many\n", NAME ":1: tcp-clients: 'many' is not a number" },
	{ "tcp-idle-timeout 0\n", NAME ":1: tcp-idle-timeout 0 below 1ms" },
	{ "tcp-idle-timeout 0ms\n", NAME ":1: tcp-idle-timeout 0ms below 1ms" },
	{ "tcp-idle-timeout 61m\n", NAME ":1: tcp-idle-timeout 61m above 60m" },
	{ "tcp-idle-timeout 3601\n", NAME ":1: tcp-idle-timeout 3601 above 60m" },
	{ "tcp-idle-timeout 5h\n",
	  NAME ":1: tcp-idle-timeout: '5h': unknown unit (ms, s or m)" },
	{ "tcp-idle-timeout s\n",
	  NAME ":1: tcp-idle-timeout: 's' is not a duration (e.g. 200ms, 2s, 1m)" },
	{ "tcp-idle-timeout 1.5s\n",
	  NAME ":1: tcp-idle-timeout: '1.5s' is not a duration (e.g. 200ms, 2s, 1m)" },
	{ "tcp-idle-timeout -1\n",
	  NAME ":1: tcp-idle-timeout: '-1' is not a duration (e.g. 200ms, 2s, 1m)" },
	{ "tcp-idle-timeout 99999999999999999999\n",
	  NAME ":1: tcp-idle-timeout: '99999999999999999999' is longer than a day" },
	{ "tcp-io-timeout 0\n", NAME ":1: tcp-io-timeout 0 below 1ms" },
	{ "tcp-io-timeout 61s\n", NAME ":1: tcp-io-timeout 61s above 1m" },
	{ "tcp-io-timeout 1m1s\n",
	  NAME ":1: tcp-io-timeout: '1m1s' is not a duration (e.g. 200ms, 2s, 1m)" },
	{ "tcp-io-timeout\n",
	  NAME ":1: tcp-io-timeout: missing argument (usage: tcp-io-timeout N[ms|s|m])" },
	{ "tcp-io-timeout 1s\ntcp-io-timeout 1s\n",
	  NAME ":2: tcp-io-timeout: already set at line 1" },
	{ "tcp-clients-per-ip 0\n", NAME ":1: tcp-clients-per-ip 0 out of range 1..65536" },
	{ "xfr-max-records 0\n", NAME ":1: xfr-max-records 0 out of range 1..4000000000" },
	{ "xfr-max-records 4000000001\n",
	  NAME ":1: xfr-max-records 4000000001 out of range 1..4000000000" },
	{ "xfr-max-records \"unlimited\"\n",
	  NAME ":1: xfr-max-records: 'unlimited' is not a number" },
	{ "xfr-max-records 1\nxfr-max-records 2\n",
	  NAME ":2: xfr-max-records: already set at line 1" },
	{ "xfr-max-size 1023\n", NAME ":1: xfr-max-size 1023 below 1k" },
	{ "xfr-max-size 0\n", NAME ":1: xfr-max-size 0 below 1k" },
	{ "xfr-max-size 1025g\n", NAME ":1: xfr-max-size 1025g above 1t" },
	{ "xfr-max-size 2t\n", NAME ":1: xfr-max-size 2t above 1t" },
	{ "xfr-max-size 99999999999999999999999k\n",
	  NAME ":1: xfr-max-size 99999999999999999999999k above 1t" },
	{ "xfr-max-size 1x\n",
	  NAME ":1: xfr-max-size: '1x' is not a size (e.g. 65536, 512m, 2g) or unlimited" },
	{ "xfr-max-size m\n",
	  NAME ":1: xfr-max-size: 'm' is not a size (e.g. 65536, 512m, 2g) or unlimited" },
	{ "xfr-max-size 1mb\n",
	  NAME ":1: xfr-max-size: '1mb' is not a size (e.g. 65536, 512m, 2g) or unlimited" },
	{ "xfr-max-size -1\n",
	  NAME ":1: xfr-max-size: '-1' is not a size (e.g. 65536, 512m, 2g) or unlimited" },
	{ "xfr-max-size \"unlimited\"\n",
	  NAME ":1: xfr-max-size: 'unlimited' is not a size (e.g. 65536, 512m, 2g) or unlimited" },
	{ "xfr-max-size 1g\nxfr-max-size 1g\n", NAME ":2: xfr-max-size: already set at line 1" },
	{ "xfr-max-size\n",
	  NAME ":1: xfr-max-size: missing argument (usage: xfr-max-size N[k|m|g]|unlimited)" },
	{ "xfr-timeout 999ms\n", NAME ":1: xfr-timeout 999ms below 1s" },
	{ "xfr-timeout 1441m\n", NAME ":1: xfr-timeout: '1441m' is longer than a day" },
	{ "xfr-timeout 0\n", NAME ":1: xfr-timeout 0 below 1s" },
	{ "xfr-timeout 1s\nxfr-timeout 1s\n", NAME ":2: xfr-timeout: already set at line 1" },
	{ "tcp-clients-per-ip 65537\n",
	  NAME ":1: tcp-clients-per-ip 65537 out of range 1..65536" },
	{ "tcp-clients-per-ip \"off\"\n", NAME ":1: tcp-clients-per-ip: 'off' is not a number" },
	{ "control\n", NAME ":1: control: missing argument (usage: control PATH|none)" },
	{ "control a\ncontrol b\n", NAME ":2: control: already set at line 1" },
	{ "control /" "0123456789012345678901234567890123456789012345678901234567890123456789"
	  "0123456789012345678901234567890123456789\n",
	  NAME ":1: control: path longer than 107 bytes (a unix socket's limit)" },
	{ "tcp-clients-per-ip many\n", NAME ":1: tcp-clients-per-ip: 'many' is not a number" },
	{ "tcp-clients-per-ip 1\ntcp-clients-per-ip 1\n",
	  NAME ":2: tcp-clients-per-ip: already set at line 1" },
	/* Quoted, auto is just a word. */
	{ "workers \"auto\"\n", NAME ":1: workers: 'auto' is not a number" },
	/* Every statement but listen and zone is given once. */
	{ "identity a\nidentity a\n", NAME ":2: identity: already set at line 1" },
	{ "user a\n\nuser b\n", NAME ":3: user: already set at line 1" },
	{ "pidfile a\npidfile a\n", NAME ":2: pidfile: already set at line 1" },
	{ "workers auto\nworkers auto\n", NAME ":2: workers: already set at line 1" },
	{ "tcp-clients 1\ntcp-clients 2\n", NAME ":2: tcp-clients: already set at line 1" },
	{ "tcp-idle-timeout 1s\ntcp-idle-timeout 1s\n",
	  NAME ":2: tcp-idle-timeout: already set at line 1" },
	{ "udp-size 512\nudp-size 512\n", NAME ":2: udp-size: already set at line 1" },
	/* '!' is no comment here (it is in riposted's FRR-style files). */
	{ "workers 1 ! two\n", NAME ":1: workers: too many arguments (usage: workers N|auto)" },
	{ "udp-size 511\n", NAME ":1: udp-size 511 out of range 512..4096" },
	{ "udp-size 4097\n", NAME ":1: udp-size 4097 out of range 512..4096" },
	{ "listen 1.2.3\n", NAME ":1: listen: invalid address '1.2.3' (IPv4, IPv6 or *)" },
	{ "listen example.com\n",
	  NAME ":1: listen: invalid address 'example.com' (IPv4, IPv6 or *)" },
	{ "listen [1.2.3.4]\n", NAME ":1: listen: invalid address '1.2.3.4' (IPv4, IPv6 or *)" },
	{ "listen [::1\n", NAME ":1: listen: missing ']' in '[::1'" },
	{ "listen [::1]53\n",
	  NAME ":1: listen: unexpected '53' after ']' (usage: listen ADDRESS[@PORT])" },
	{ "listen 127.0.0.1@0\n", NAME ":1: listen port 0 out of range 1..65535" },
	{ "listen 127.0.0.1@65536\n", NAME ":1: listen port 65536 out of range 1..65535" },
	{ "listen 127.0.0.1@\n", NAME ":1: listen port: '' is not a number" },
	{ "listen 127.0.0.1@dns\n", NAME ":1: listen port: 'dns' is not a number" },
	{ "listen ::1\nlisten [::1]@53\n", NAME ":2: listen: [::1]@53 given twice (first at line 1)" },
	{ "listen 0.0.0.0\nlisten *\n", NAME ":2: listen: 0.0.0.0@53 given twice (first at line 1)" },
	{ "listen\n", NAME ":1: listen: missing argument (usage: listen ADDRESS[@PORT])" },
	{ "zone a file\n", NAME ":1: zone: missing argument (usage: zone NAME file|hosts PATH | secondary|notify ADDRESS[@PORT] [key KEY] | " \
	  "allow-transfer PREFIX [key KEY])" },
	{ "zone a file b c\n", NAME ":1: zone: too many arguments (usage: zone NAME file|hosts PATH | secondary|notify ADDRESS[@PORT] [key KEY] | " \
	  "allow-transfer PREFIX [key KEY])" },
	{ "zone a hosts b c d\n", NAME ":1: zone: too many arguments (usage: zone NAME file|hosts PATH | secondary|notify ADDRESS[@PORT] [key KEY] | " \
	  "allow-transfer PREFIX [key KEY])" },
	{ "zone a b c d\n", NAME ":1: zone: expected file, hosts, secondary, allow-transfer or "
	  "notify after the name (usage: zone NAME file|hosts PATH | secondary|notify ADDRESS[@PORT] [key KEY] | " \
	  "allow-transfer PREFIX [key KEY])" },
	{ "zone a zonefile x\n", NAME ":1: zone: expected file, hosts, secondary, allow-transfer or "
	  "notify after the name (usage: zone NAME file|hosts PATH | secondary|notify ADDRESS[@PORT] [key KEY] | " \
	  "allow-transfer PREFIX [key KEY])" },
	{ "zone a \"file\" x\n", NAME ":1: zone: expected file, hosts, secondary, allow-transfer or "
	  "notify after the name (usage: zone NAME file|hosts PATH | secondary|notify ADDRESS[@PORT] [key KEY] | " \
	  "allow-transfer PREFIX [key KEY])" },
	{ "zone a..b file x\n", NAME ":1: zone: invalid name 'a..b'" },
	{ "zone a file \"\"\n", NAME ":1: zone: empty path" },
	{ "zone a file x\nzone A. hosts y\n", NAME ":2: zone a.: already defined at line 1" },
	/* Keys and the transfer rows of a zone (issue 12). */
	{ "key k hmac-sha256\n",
	  NAME ":1: key: missing argument (usage: key NAME ALGORITHM SECRET)" },
	{ "key k hmac-sha256 YWJj x\n",
	  NAME ":1: key: too many arguments (usage: key NAME ALGORITHM SECRET)" },
	{ "key a..b hmac-sha256 YWJj\n", NAME ":1: key a..b: invalid key name 'a..b'" },
	{ "key k hmac-sha3 YWJj\n", NAME ":1: key k: unknown algorithm 'hmac-sha3' (hmac-md5, "
	  "hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512)" },
	{ "key k hmac-sha256 YWJ\n", NAME ":1: key k: secret is not valid base64" },
	{ "key k hmac-sha256 YW=j\n", NAME ":1: key k: secret is not valid base64" },
	{ "key k hmac-sha256 Y*Jj\n", NAME ":1: key k: secret is not valid base64" },
	{ "key k hmac-sha256 ====\n", NAME ":1: key k: secret is not valid base64" },
	{ "key k hmac-sha256 \"\"\n", NAME ":1: key k: secret is not valid base64" },
	{ "key k hmac-sha256 " LONG_B64 "\n", NAME ":1: key k: secret longer than 128 octets" },
	{ "key k hmac-sha256 " LONGER_B64 "\n", NAME ":1: key k: secret longer than 128 octets" },
	{ "key k hmac-sha256 YWJj\nkey K. hmac-md5 YWJj\n",
	  NAME ":2: key k.: already defined at line 1" },
	{ "zone a secondary 192.0.2.1\n",
	  NAME ":1: zone a.: a secondary zone needs `zone a. file PATH`, where its copy is kept" },
	{ "zone a notify 192.0.2.1\nzone b file b\n",
	  NAME ":1: zone a.: no source (`zone a. file|hosts PATH` or `zone a. secondary ADDRESS`)" },
	{ "zone a allow-transfer ::1\n",
	  NAME ":1: zone a.: no source (`zone a. file|hosts PATH` or `zone a. secondary ADDRESS`)" },
	{ "zone a hosts h\nzone a secondary 192.0.2.1\n",
	  NAME ":2: zone a.: a hosts input cannot be a secondary zone (hosts at line 1)" },
	{ "zone a secondary 192.0.2.1\nzone a hosts h\n",
	  NAME ":2: zone a.: a hosts input cannot be a secondary zone (secondary at line 1)" },
	{ "zone a secondary 192.0.2.1\nzone a file f\nzone a file g\n",
	  NAME ":3: zone a.: already defined at line 2" },
	{ "zone a secondary 192.0.2.1 key k\n",
	  NAME ":1: zone a.: unknown key 'k' (define it with `key` first)" },
	{ "zone a file f\nzone a allow-transfer ::1 key k\nkey k hmac-md5 YWJj\n",
	  NAME ":2: zone a.: unknown key 'k' (define it with `key` first)" },
	{ "key k hmac-md5 YWJj\nzone a secondary 192.0.2.1 k\n",
	  NAME ":2: zone: expected 'key KEY' after the address " ZU },
	{ "key k hmac-md5 YWJj\nzone a secondary 192.0.2.1 \"key\" k\n",
	  NAME ":2: zone: expected 'key KEY' after the address " ZU },
	{ "zone a secondary 192.0.2.1 key\n",
	  NAME ":1: zone: expected 'key KEY' after the address " ZU },
	{ "zone a secondary example.com\n",
	  NAME ":1: zone secondary: invalid address 'example.com' (IPv4 or IPv6)" },
	{ "zone a secondary [192.0.2.1]\n",
	  NAME ":1: zone secondary: invalid address '192.0.2.1' (IPv4 or IPv6)" },
	{ "zone a secondary 192.0.2.1@0\n", NAME ":1: zone secondary port 0 out of range 1..65535" },
	{ "zone a notify [::1\n", NAME ":1: zone notify: missing ']' in '[::1'" },
	{ "zone a notify [::1]x\n", NAME ":1: zone notify: unexpected 'x' after ']' " ZU },
	{ "zone a file f\nzone a secondary 192.0.2.1\nzone a secondary 192.0.2.1@53\n",
	  NAME ":3: zone a.: secondary 192.0.2.1@53 given twice (first at line 2)" },
	{ "zone a file f\nzone a notify ::1@54\nzone a notify [::1]@54\n",
	  NAME ":3: zone a.: notify [::1]@54 given twice (first at line 2)" },
	{ "zone a allow-transfer 10.0.0.1/8\n",
	  NAME ":1: zone allow-transfer: 10.0.0.1/8 has host bits set" },
	{ "zone a allow-transfer any\n",
	  NAME ":1: zone allow-transfer: invalid address 'any' (IPv4 or IPv6 prefix)" },
	{ "zone a allow-transfer ::/129\n",
	  NAME ":1: zone allow-transfer prefix length 129 out of range 0..128" },
	{ "zone a file f\nzone a allow-transfer 10.0.0.0/8\nzone a allow-transfer 10.0.0.0/8\n",
	  NAME ":3: zone a.: allow-transfer 10.0.0.0/8 given twice (first at line 2)" },
	{ "identity \"\"\n", NAME ":1: identity: empty text" },
	{ "identity \"a\tb\"\n", NAME ":1: identity: only printable ASCII is allowed" },
	{ "identity \xc3\xa9t\xc3\xa9\n", NAME ":1: identity: only printable ASCII is allowed" },
	{ "version \"\"\n", NAME ":1: version: empty text" },
	{ "version a b\n", NAME ":1: version: too many arguments (usage: version TEXT|hide)" },
	{ "version hide\nversion x\n", NAME ":2: version: already set at line 1" },
	{ "user no/body\n", NAME ":1: user: invalid user name 'no/body'" },
	{ "user -x\n", NAME ":1: user: invalid user name '-x'" },
	{ "user abcdefghijklmnopqrstuvwxyz0123456\n",
	  NAME ":1: user: invalid user name 'abcdefghijklmnopqrstuvwxyz0123456'" },
	{ "pidfile \"\"\n", NAME ":1: pidfile: empty path" },
	{ "identity \"open\n", NAME ":1: missing closing quote" },
	{ "identity \"a\"b\n", NAME ":1: text after closing quote" },
	{ "identity \"a\\nb\"\n", NAME ":1: invalid escape in quoted text (only \\\" and \\\\)" },
	{ "a b c d e f g h i j k l m n o p q\n", NAME ":1: too many words (max 16)" },
	{ "workers 1\n\nudp-size 1\n", NAME ":3: udp-size 1 out of range 512..4096" },
	/* Control bytes in a quoted word never reach the message. */
	{ "frob\x01nicate\n", NAME ":1: unknown statement 'frob?nicate'" },
};

static void
test_errors(void **state)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct dnsconf c;
		char err[512] = "";
		int rc = dnsconf_parse_buf(NAME, NULL, errors[i].text, strlen(errors[i].text), &c,
		    err, sizeof(err));
		if (rc != -1 || strcmp(err, errors[i].err) != 0)
			fail_msg("input %zu: %s\nwant: %s\ngot (%d): %s", i, errors[i].text,
			    errors[i].err, rc, err);
		/* Rejected whole: nothing of it is left. */
		assert_int_equal(c.n_zones, 0);
		assert_int_equal(c.n_listen, 0);
		assert_int_equal(c.n_keys, 0);
		assert_null(c.keys);
		assert_null(c.pidfile);
		dnsconf_free(&c);
	}
}

/* Errors that need bytes strlen() cannot carry, or long lines. */
static void
test_errors_binary(void **state)
{
	struct dnsconf c;
	char err[512];
	static const char nul[] = "workers 1\nwork\0ers 2\n";
	/* Static, not malloc'd: gcc -O2 with ASan warned of a zero-size object. */
	static char big[5000];

	assert_int_equal(dnsconf_parse_buf(NAME, NULL, nul, sizeof(nul) - 1, &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, NAME ":2: NUL byte in line");

	memset(big, 'a', 5000);
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, big, 5000, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: line too long (max 4096 bytes)");

	/*
	 * A line that fits but whose canonical form would not: --print must
	 * write a file that loads.  "zone a file a###...": 12 + n bytes in,
	 * "zone a. file \"a###...\"" 15 + n bytes out.
	 */
	memcpy(big, "zone a file ", 12);
	memset(big + 12, '#', 4084);
	big[12] = 'a';
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, big, 4096 - 3, &c, err, sizeof(err)), 0);
	assert_int_equal(strlen(c.zones[0].path), 4081);
	dnsconf_free(&c);
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, big, 4096 - 2, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: zone: longer than a line (max 4096 bytes) as printed");
	/* Octets of a name print as \DDD. */
	memcpy(big, "zone \xff file ", 12);
	memset(big + 12, 'p', 4096 - 12);
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, big, 4096, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: zone: longer than a line (max 4096 bytes) as printed");
	memcpy(big, "pidfile ", 8);
	memset(big + 8, '#', 4088);
	big[8] = 'a';
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, big, 4096, &c, err, sizeof(err)), -1);
	assert_string_equal(err,
	    NAME ":1: pidfile: longer than a line (max 4096 bytes) as printed");
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, big, 4094, &c, err, sizeof(err)), 0);
	dnsconf_free(&c);

	/* A short error buffer still gets a terminated, truncated message. */
	char small[12];
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, "bogus\n", 6, &c, small, sizeof(small)),
	    -1);
	assert_string_equal(small, NAME ":1: u");
}

static void
test_listen_limit(void **state)
{
	char text[64 * 32 + 64];
	size_t len = 0;
	struct dnsconf c;
	char err[512];

	for (int i = 0; i < 65; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "listen 127.0.0.1@%d\n",
		    1000 + i);
	assert_int_equal(dnsconf_parse_buf(NAME, NULL, text, len, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":65: listen: too many addresses (max 64)");
}

/* ---- log (issue 13) ---- */

static void
parse_err(const char *text, const char *want)
{
	struct dnsconf c;
	char err[512] = "";
	int rc = dnsconf_parse_buf(NAME, NULL, text, strlen(text), &c, err, sizeof(err));

	if (rc != -1 || strcmp(err, want) != 0)
		fail_msg("input: %s\nwant: %s\ngot (%d): %s", text, want, rc, err);
	assert_null(c.log_path);
	dnsconf_free(&c);
}

static void
test_log(void **state)
{
	struct dnsconf c;
	char err[512];

	parse_ok("", &c);
	assert_int_equal(c.log_dest, LOG_DEST_STDERR);
	assert_int_equal(c.log_level, LOG_LVL_INFO);
	assert_null(c.log_path);
	dnsconf_free(&c);

	parse_ok("log syslog warnings\n", &c);
	assert_int_equal(c.log_dest, LOG_DEST_SYSLOG);
	assert_int_equal(c.log_level, LOG_LVL_WARN);
	dnsconf_free(&c);

	/* Relative to the config's directory, as every path. */
	assert_int_equal(dnsconf_parse_buf(NAME, "/etc/riposte", "log file dns.log debug\n", 23,
	    &c, err, sizeof(err)), 0);
	assert_int_equal(c.log_dest, LOG_DEST_FILE);
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	assert_string_equal(c.log_path, "/etc/riposte/dns.log");
	dnsconf_free(&c);

	parse_ok("log file /var/log/x.log\n", &c);
	assert_int_equal(c.log_level, LOG_LVL_INFO);
	assert_string_equal(c.log_path, "/var/log/x.log");
	dnsconf_free(&c);

	parse_err("log\n", NAME ":1: log: missing argument (usage: log stderr|syslog [LEVEL] | "
	    "log file PATH [LEVEL])");
	parse_err("log stdout\n", NAME ":1: log: 'stdout' is not stderr, syslog or file PATH");
	parse_err("log file\n", NAME ":1: log file: the path is missing");
	parse_err("log syslog loud\n", NAME ":1: log: unknown level 'loud' (errors, warnings, "
	    "notifications, informational or debugging)");
	parse_err("log syslog info extra\n", NAME ":1: log: too many words");
	parse_err("log file /x info extra\n", NAME ":1: log: too many arguments (usage: log "
	    "stderr|syslog [LEVEL] | log file PATH [LEVEL])");
	parse_err("log file \"a\tb\"\n", NAME ":1: log file: control character in path");
	parse_err("log syslog\nlog stderr\n", NAME ":2: log: already set at line 1");
}

static void
test_query_log(void **state)
{
	struct dnsconf c;
	char err[512];

	parse_ok("", &c);
	assert_int_equal(c.qlog_sample, 0);
	assert_null(c.qlog_path);
	dnsconf_free(&c);

	parse_ok("query-log syslog\n", &c);
	assert_true(c.qlog_syslog);
	assert_int_equal(c.qlog_sample, 1);
	assert_null(c.qlog_path);
	dnsconf_free(&c);

	assert_int_equal(dnsconf_parse_buf(NAME, "/var/log", "query-log q.log sample 100\n", 27,
	    &c, err, sizeof(err)), 0);
	assert_false(c.qlog_syslog);
	assert_int_equal(c.qlog_sample, 100);
	assert_string_equal(c.qlog_path, "/var/log/q.log");
	dnsconf_free(&c);

	parse_err("query-log /q sample\n", NAME ":1: query-log: expected 'sample N' after the "
	    "destination");
	parse_err("query-log /q every 2\n", NAME ":1: query-log: expected 'sample N' after the "
	    "destination");
	parse_err("query-log /q sample 0\n", NAME ":1: query-log: sample 0: not a number "
	    "1..1000000000");
	parse_err("query-log /q sample -1\n", NAME ":1: query-log: sample -1: not a number "
	    "1..1000000000");
	parse_err("query-log /q sample 5x\n", NAME ":1: query-log: sample 5x: not a number "
	    "1..1000000000");
	parse_err("query-log /q sample 1000000001\n", NAME ":1: query-log: sample 1000000001: "
	    "not a number 1..1000000000");
	parse_err("query-log syslog\nquery-log /q\n", NAME ":2: query-log: already set at line 1");
}

/* ---- print ---- */

static void
test_print(void **state)
{
	struct dnsconf c;
	char *p;

	parse_ok("listen ::1@5353\nlisten 127.0.0.1@5353\nzone Example.com. hosts \"my hosts\"\n"
	    "identity \"ns 1\"\nversion \"hide\"\nuser nobody\npidfile /run/x.pid\nworkers 2\n"
	    "tcp-clients 10\ntcp-idle-timeout 1500ms\ntcp-io-timeout 2s\ntcp-clients-per-ip off\n"
	    "udp-size 1400\nrrl-whitelist ::1\nrrl-rate 50\nrrl-whitelist 192.0.2.0/24\nrrl-slip 1\n"
	    "control none\n", &c);
	p = print_str(&c);
	assert_string_equal(p,
	    "listen [::1]@5353\n"
	    "listen 127.0.0.1@5353\n"
	    "zone example.com. hosts \"my hosts\"\n"
	    "identity \"ns 1\"\n"
	    "version \"hide\"\n"
	    "user nobody\n"
	    "pidfile /run/x.pid\n"
	    "workers 2\n"
	    "tcp-clients 10\n"
	    "tcp-idle-timeout 1500ms\n"
	    "tcp-io-timeout 2s\n"
	    "tcp-clients-per-ip off\n"
	    "udp-size 1400\n"
	    "rrl-rate 50\n"
	    "rrl-slip 1\n"
	    "rrl-ipv4-prefix 24\n"
	    "rrl-ipv6-prefix 56\n"
	    "rrl-whitelist ::1/128\n"
	    "rrl-whitelist 192.0.2.0/24\n"
	    "control none\n"
	    "log stderr informational\n"
	    "xfr-max-records 10000000\n"
	    "xfr-max-size 1g\n"
	    "xfr-timeout 10m\n");
	free(p);
	dnsconf_free(&c);

	/* Whole minutes print as minutes; '!' and blanks are quoted. */
	parse_ok("tcp-idle-timeout 120\nidentity \"!a b\"\nversion x!\n", &c);
	p = print_str(&c);
	assert_non_null(strstr(p, "tcp-idle-timeout 2m\n"));
	assert_non_null(strstr(p, "identity \"!a b\"\n"));
	assert_non_null(strstr(p, "version \"x!\"\n"));
	free(p);
	dnsconf_free(&c);

	parse_ok("version hide\nidentity x\n", &c);
	p = print_str(&c);
	assert_string_equal(p,
	    "listen 0.0.0.0@53\n"
	    "listen [::]@53\n"
	    "identity x\n"
	    "version hide\n"
	    "workers auto\n"
	    "tcp-clients 256\n"
	    "tcp-idle-timeout 10s\n"
	    "tcp-io-timeout 500ms\n"
	    "tcp-clients-per-ip 16\n"
	    "udp-size 1232\n"
	    "rrl-rate 200\n"
	    "rrl-slip 2\n"
	    "rrl-ipv4-prefix 24\n"
	    "rrl-ipv6-prefix 56\n"
	    "control " DNSCONF_CONTROL_DEFAULT "\n"
	    "log stderr informational\n"
	    "xfr-max-records 10000000\n"
	    "xfr-max-size 1g\n"
	    "xfr-timeout 10m\n");
	free(p);
	dnsconf_free(&c);
}

/* ---- keys, secondaries, allow-transfer, notify (issue 12) ---- */

static const char *
remote_str(const struct dnsconf_remote *r)
{
	static char buf[DNSCONF_LISTEN_STRLEN];

	return dnsconf_remote_str(r, buf);
}

static void
test_xfr(void **state)
{
	struct dnsconf c;
	static const uint8_t k1[] = { 8, 't', 'r', 'a', 'n', 's', 'f', 'e', 'r', 0 };
	char text[64];

	parse_ok("key Transfer hmac-sha256 c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=\n"
	    "key k2. HMAC-MD5 YWJj\n"
	    "zone home secondary 192.0.2.1@5300 key transfer.\n"
	    "zone other file other.zone\n"
	    "zone HOME. secondary 2001:db8::1 key K2\n"
	    "zone home file home.zone\n"
	    "zone home allow-transfer 10.0.0.0/8 key TRANSFER\n"
	    "zone home allow-transfer ::1\n"
	    "zone home notify [::1]@5301\n"
	    "zone other allow-transfer 0.0.0.0/0\n"
	    "zone other notify 127.0.0.1@53 key k2\n"
	    "zone h hosts h.hosts\n"
	    "zone h notify 127.0.0.2\n", &c);
	assert_int_equal(c.n_keys, 2);
	assert_string_equal(c.keys[0].name, "transfer.");
	assert_memory_equal(c.keys[0].name_wire, k1, sizeof(k1));
	assert_int_equal(c.keys[0].name_len, sizeof(k1));
	assert_int_equal(c.keys[0].alg, DNS_TSIG_HMAC_SHA256);
	assert_int_equal(c.keys[0].secret_len, 32);
	assert_memory_equal(c.keys[0].secret, "secretsecretsecretsecretsecret12", 32);
	assert_int_equal(c.keys[1].alg, DNS_TSIG_HMAC_MD5);
	assert_int_equal(c.keys[1].secret_len, 3);
	assert_memory_equal(c.keys[1].secret, "abc", 3);

	/* Lines of one zone add up, whichever comes first; zones keep their first line's order. */
	assert_int_equal(c.n_zones, 3);
	const struct dnsconf_zone *z = &c.zones[0];
	assert_string_equal(z->name, "home.");
	assert_int_equal(z->kind, DNSCONF_ZONE_SECONDARY);
	assert_string_equal(z->path, "home.zone");
	assert_int_equal(z->line, 3);
	assert_int_equal(z->n_primaries, 2);
	assert_string_equal(remote_str(&z->primaries[0]), "192.0.2.1@5300");
	assert_int_equal(z->primaries[0].salen, sizeof(struct sockaddr_in));
	assert_int_equal(z->primaries[0].key, 0);
	assert_int_equal(z->primaries[0].line, 3);
	assert_string_equal(remote_str(&z->primaries[1]), "[2001:db8::1]@53");
	assert_int_equal(z->primaries[1].salen, sizeof(struct sockaddr_in6));
	assert_int_equal(z->primaries[1].key, 1);
	assert_int_equal(z->n_xfr_acl, 2);
	assert_int_equal(z->xfr_acl[0].prefix.family, AF_INET);
	assert_int_equal(z->xfr_acl[0].prefix.len, 8);
	assert_int_equal(z->xfr_acl[0].prefix.addr[0], 10);
	assert_int_equal(z->xfr_acl[0].key, 0);
	assert_int_equal(z->xfr_acl[1].prefix.family, AF_INET6);
	assert_int_equal(z->xfr_acl[1].prefix.len, 128);
	assert_int_equal(z->xfr_acl[1].key, -1);
	assert_int_equal(z->xfr_acl[1].line, 8);
	assert_int_equal(z->n_notify, 1);
	assert_string_equal(remote_str(&z->notify[0]), "[::1]@5301");
	assert_int_equal(z->notify[0].key, -1);

	z = &c.zones[1];
	assert_string_equal(z->name, "other.");
	assert_int_equal(z->kind, DNSCONF_ZONE_FILE);
	assert_int_equal(z->n_primaries, 0);
	assert_int_equal(z->n_xfr_acl, 1);
	assert_int_equal(z->xfr_acl[0].prefix.len, 0);
	assert_int_equal(z->n_notify, 1);
	assert_int_equal(z->notify[0].key, 1);
	z = &c.zones[2];
	assert_int_equal(z->kind, DNSCONF_ZONE_HOSTS);
	assert_int_equal(z->n_notify, 1);
	struct sockaddr_in sin;
	memcpy(&sin, &z->notify[0].sa, sizeof(sin));
	assert_int_equal(ntohs(sin.sin_port), 53);
	assert_string_equal(inet_ntop(AF_INET, &sin.sin_addr, text, sizeof(text)), "127.0.0.2");
	dnsconf_free(&c);
	/* Freed and re-initialised: a second free is harmless. */
	assert_null(c.keys);
	assert_int_equal(c.n_keys, 0);
	dnsconf_free(&c);

	/* A secondary zone whose file line came first. */
	parse_ok("zone s file s.zone\nzone s secondary 192.0.2.53\n", &c);
	assert_int_equal(c.zones[0].kind, DNSCONF_ZONE_SECONDARY);
	assert_int_equal(c.n_zones, 1);
	dnsconf_free(&c);

	/* Every algorithm's name, and a 64-octet secret (keymgr -t for hmac-sha512). */
	static const char *const algs[] = { "hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256",
		"hmac-sha384", "hmac-sha512" };
	for (size_t i = 0; i < 6; i++) {
		char text2[256];
		snprintf(text2, sizeof(text2), "key k %s QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"
		    "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQQ==\n", algs[i]);
		parse_ok(text2, &c);
		assert_int_equal(c.keys[0].alg, (int)i);
		assert_int_equal(c.keys[0].secret_len, 64);
		dnsconf_free(&c);
	}
}

static void
test_print_xfr(void **state)
{
	struct dnsconf c;
	char *p;

	parse_ok("key K hmac-sha512 YWJj\nzone b notify 192.0.2.7@5353 key k\n"
	    "zone a file a\nzone b secondary ::1\nzone b allow-transfer 2001:db8::/32 key k.\n"
	    "zone b file \"my b\"\nkey \"#\" hmac-md5 YWJjZA==\nzone a secondary 127.0.0.1 key \"#\"\n",
	    &c);
	p = print_str(&c);
	assert_non_null(strstr(p,
	    "listen [::]@53\n"
	    "key k. hmac-sha512 YWJj\n"
	    "key \"#.\" hmac-md5 YWJjZA==\n"
	    "zone b. file \"my b\"\n"
	    "zone b. secondary [::1]@53\n"
	    "zone b. allow-transfer 2001:db8::/32 key k.\n"
	    "zone b. notify 192.0.2.7@5353 key k.\n"
	    "zone a. file a\n"
	    "zone a. secondary 127.0.0.1@53 key \"#.\"\n"
	    "identity "));
	free(p);
	dnsconf_free(&c);
}

static void
roundtrip(const char *text)
{
	struct dnsconf a, b;
	char *p1, *p2;

	parse_ok(text, &a);
	p1 = print_str(&a);
	parse_ok(p1, &b);
	p2 = print_str(&b);
	assert_string_equal(p1, p2);
	assert_int_equal(a.n_listen, b.n_listen);
	assert_int_equal(a.n_zones, b.n_zones);
	assert_int_equal(a.n_rrl_whitelist, b.n_rrl_whitelist);
	assert_int_equal(a.rrl_rate, b.rrl_rate);
	assert_int_equal(a.xfr_max_records, b.xfr_max_records);
	assert_true(a.xfr_max_size == b.xfr_max_size);
	assert_int_equal(a.xfr_timeout_ms, b.xfr_timeout_ms);
	assert_int_equal(a.n_keys, b.n_keys);
	for (size_t i = 0; i < a.n_keys; i++) {
		assert_string_equal(a.keys[i].name, b.keys[i].name);
		assert_int_equal(a.keys[i].alg, b.keys[i].alg);
		assert_int_equal(a.keys[i].secret_len, b.keys[i].secret_len);
		assert_memory_equal(a.keys[i].secret, b.keys[i].secret, a.keys[i].secret_len);
	}
	for (size_t i = 0; i < a.n_zones; i++) {
		assert_int_equal(a.zones[i].kind, b.zones[i].kind);
		assert_int_equal(a.zones[i].n_primaries, b.zones[i].n_primaries);
		assert_int_equal(a.zones[i].n_xfr_acl, b.zones[i].n_xfr_acl);
		assert_int_equal(a.zones[i].n_notify, b.zones[i].n_notify);
	}
	assert_int_equal(a.log_dest, b.log_dest);
	assert_int_equal(a.log_level, b.log_level);
	assert_int_equal(a.qlog_sample, b.qlog_sample);
	assert_int_equal(a.qlog_syslog, b.qlog_syslog);
	assert_true((a.qlog_path == NULL) == (b.qlog_path == NULL));
	if (a.qlog_path != NULL)
		assert_string_equal(a.qlog_path, b.qlog_path);
	assert_true((a.log_path == NULL) == (b.log_path == NULL));
	if (a.log_path != NULL)
		assert_string_equal(a.log_path, b.log_path);
	free(p1);
	free(p2);
	dnsconf_free(&a);
	dnsconf_free(&b);
}

static void
test_roundtrip(void **state)
{
	static const char *const texts[] = {
		"",
		"listen *@53\nzone . file root.zone\n",
		"zone \"#x\" file \"a\\\\b\\\"c\"\nidentity \"#\"\nversion \"a \\\"b\\\"\"\n",
		"zone a\\.b.example file x\nzone \\# file y\n",
		"tcp-idle-timeout 90s\nworkers auto\n",
		"tcp-idle-timeout 1m\nuser a.b-c_d\n",
		"rrl-rate 0\nrrl-slip 0\nrrl-whitelist 10.1.0.0/16\nrrl-whitelist ::/0\n",
		"tcp-io-timeout 250ms\ntcp-clients-per-ip off\n",
		"tcp-io-timeout 60s\ntcp-clients-per-ip 3\n",
		"xfr-max-records unlimited\nxfr-max-size unlimited\nxfr-timeout 1s\n",
		"xfr-max-records 1\nxfr-max-size 1k\nxfr-timeout 1440m\n",
		"xfr-max-records 4000000000\nxfr-max-size 1t\nxfr-timeout 90\n",
		"xfr-max-size 1025\n",
		"xfr-max-size 3072k\n",
		"xfr-max-size 1536m\n",
		"control \"none\"\n",
		"control none\n",
		"control /tmp/x.sock\n",
		"log syslog\n",
		"log file /var/log/x.log debugging\n",
		"log file \"a b\" errors\n",
		"log stderr warnings\n",
		"query-log syslog\n",
		"query-log /var/log/q.log sample 1000\n",
		"query-log \"a b\" sample 1\n",
		/* Parenthesized: clang's -Wstring-concatenation takes a split one for a missing comma. */
		("key k hmac-sha256 c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=\n"
		"zone a secondary 192.0.2.1@5300 key k\nzone a file a\nzone a notify ::1\n"
		"zone a allow-transfer 0.0.0.0/0\nzone a allow-transfer ::/0 key k\n"),
		("key \"a b\" hmac-sha1 YQ==\nzone \\# hosts h\nzone \\# allow-transfer 10.0.0.0/8 key "
		"\"a b\"\n"),
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		roundtrip(texts[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_metrics_listen),
		cmocka_unit_test(test_zone),
		cmocka_unit_test(test_zone_basedir),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_identity_version),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_lexer),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_errors_binary),
		cmocka_unit_test(test_listen_limit),
		cmocka_unit_test(test_log),
		cmocka_unit_test(test_query_log),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_xfr),
		cmocka_unit_test(test_print_xfr),
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests_name("dns_conf", tests, NULL, NULL);
}
