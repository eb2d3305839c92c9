/*
 * test_check.c - the health checks: the config words (every error message,
 * and parse(format(c)) == c), the DNS wire code against crafted packets,
 * and the four probes on the daemon's kind of loop (EV_DEFAULT, with
 * libev's SIGCHLD reaper) against real local sockets, processes and pid
 * files.  Every loop run is bounded by a guard timer, so a bug fails a test
 * instead of hanging it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "health/check.h"
#include "riposted/conf.h"

/*
 * Config.
 */

static const struct {
	const char	*in;
	const char	*out;
} good[] = {
	{ "dns 127.0.0.1 test.home", "dns 127.0.0.1 test.home A" },
	{ "dns 127.0.0.1 test.home. a", "dns 127.0.0.1 test.home A" },
	{ "dns 127.0.0.1@5353 test.home AAAA", "dns 127.0.0.1@5353 test.home AAAA" },
	{ "dns 127.0.0.1@53 . NS", "dns 127.0.0.1 . NS" },
	{ "dns ::1 example.org SOA", "dns ::1 example.org SOA" },
	{ "dns [::1]@5353 example.org mx", "dns [::1]@5353 example.org MX" },
	{ "dns [::1] example.org", "dns ::1 example.org A" },
	{ "dns [::1]@53 example.org", "dns ::1 example.org A" },
	{ "dns ::1@5353 x", "dns [::1]@5353 x A" },
	{ "dns 2001:DB8::1 x", "dns 2001:db8::1 x A" },
	{ "dns ::ffff:10.0.0.1 x", "dns ::ffff:10.0.0.1 x A" },
	{ "dns 10.0.0.1 Test.Home cname", "dns 10.0.0.1 Test.Home CNAME" },
	{ "dns 10.0.0.1 1.0.0.10.in-addr.arpa PTR", "dns 10.0.0.1 1.0.0.10.in-addr.arpa PTR" },
	{ "dns 10.0.0.1 _dns._udp.x srv", "dns 10.0.0.1 _dns._udp.x SRV" },
	{ "dns 10.0.0.1 x txt", "dns 10.0.0.1 x TXT" },
	{ "dns 10.0.0.1 x any", "dns 10.0.0.1 x ANY" },
	{ "dns 10.0.0.1 x type1", "dns 10.0.0.1 x A" },
	{ "dns 10.0.0.1 x TYPE65", "dns 10.0.0.1 x HTTPS" },
	{ "dns 10.0.0.1 x TYPE65534", "dns 10.0.0.1 x TYPE65534" },
	{ "dns 10.0.0.1 x TYPE65535", "dns 10.0.0.1 x TYPE65535" },
	{ "dns 10.0.0.1 x TYPE65534 expect rcode any", "dns 10.0.0.1 x TYPE65534 expect rcode any" },
	{ "dns 10.0.0.1 x expect rcode ANY", "dns 10.0.0.1 x A expect rcode any" },
	{ "dns 10.0.0.1 x expect rcode nxdomain", "dns 10.0.0.1 x A expect rcode NXDOMAIN" },
	{ "dns 10.0.0.1 x TXT expect rcode 3", "dns 10.0.0.1 x TXT expect rcode NXDOMAIN" },
	/* One rcode table for the project (src/dnsmsg): 9 has a name there. */
	{ "dns 10.0.0.1 x A expect rcode 9", "dns 10.0.0.1 x A expect rcode NOTAUTH" },
	{ "dns 10.0.0.1 x A expect rcode notauth", "dns 10.0.0.1 x A expect rcode NOTAUTH" },
	{ "dns 10.0.0.1 x A expect rcode 15", "dns 10.0.0.1 x A expect rcode RCODE15" },
	{ "dns 10.0.0.1 x A expect rcode RCODE12", "dns 10.0.0.1 x A expect rcode RCODE12" },
	{ "dns 10.0.0.1 x CAA", "dns 10.0.0.1 x CAA" },
	{ "dns 10.0.0.1 x TYPE257", "dns 10.0.0.1 x CAA" },
	{ "dns 10.0.0.1 x A # a comment", "dns 10.0.0.1 x A" },
	{ "dns 10.0.0.1 x A expect rcode NOERROR", "dns 10.0.0.1 x A" },
	{ "dns 10.0.0.1 x A expect rcode 0", "dns 10.0.0.1 x A" },
	{ "dns 10.0.0.1 x A expect rcode formerr", "dns 10.0.0.1 x A expect rcode FORMERR" },
	{ "dns 10.0.0.1 x A expect rcode ServFail", "dns 10.0.0.1 x A expect rcode SERVFAIL" },
	{ "dns 10.0.0.1 x A expect rcode NOTIMP", "dns 10.0.0.1 x A expect rcode NOTIMP" },
	{ "dns 10.0.0.1 x A expect rcode REFUSED", "dns 10.0.0.1 x A expect rcode REFUSED" },
	{ "  dns\t10.0.0.1   x  \n", "dns 10.0.0.1 x A" },
	{ "tcp 127.0.0.1:53", "tcp 127.0.0.1:53" },
	{ "  tcp\t127.0.0.1:1  ", "tcp 127.0.0.1:1" },
	{ "tcp 127.0.0.1:65535", "tcp 127.0.0.1:65535" },
	{ "tcp [::1]:8080", "tcp [::1]:8080" },
	{ "tcp [::ffff:10.0.0.1]:80", "tcp [::ffff:10.0.0.1]:80" },
	{ "exec /bin/true", "exec /bin/true" },
	{ "exec   /usr/lib/check  -x\t--foo=bar ", "exec /usr/lib/check -x --foo=bar" },
	{ "exec /bin/sh -c \"exit 3\"", "exec /bin/sh -c 'exit 3'" },
	{ "exec /bin/sh -c 'exit 3' ! comment", "exec /bin/sh -c 'exit 3'" },
	{ "exec /bin/echo \"it's\" \"a \\\"b\\\" \\\\c\"", "exec /bin/echo \"it's\" 'a \"b\" \\c'" },
	{ "exec /bin/echo '' \"\" a\\ b '#x' \\!y", "exec /bin/echo '' '' 'a b' '#x' '!y'" },
	{ "process /run/nsd.pid", "process /run/nsd.pid" },
	{ "zone 127.0.0.1 home", "zone 127.0.0.1 home" },
	{ "zone 127.0.0.1@53 home.", "zone 127.0.0.1 home" },
	{ "zone [::1]@5300 Home.Arpa", "zone [::1]@5300 Home.Arpa" },
	{ "zone 127.0.0.1 . primary 192.0.2.1", "zone 127.0.0.1 . primary 192.0.2.1 max-lag 5m" },
	{ "zone 127.0.0.1@5300 home primary 192.0.2.1@53 max-lag 3s",
	    "zone 127.0.0.1@5300 home primary 192.0.2.1 max-lag 3s" },
	{ "zone 127.0.0.1 home max-lag 0s primary 192.0.2.1@5300",
	    "zone 127.0.0.1 home primary 192.0.2.1@5300 max-lag 0s" },
	/* expire-margin: printed when given (the default is derived), after max-lag. */
	{ "zone 127.0.0.1 home expire-margin 90s primary 192.0.2.1",
	    "zone 127.0.0.1 home primary 192.0.2.1 max-lag 5m expire-margin 90s" },
	{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin 0s max-lag 1m",
	    "zone 127.0.0.1 home primary 192.0.2.1 max-lag 1m expire-margin 0s" },
	{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin 1500ms",
	    "zone 127.0.0.1 home primary 192.0.2.1 max-lag 5m expire-margin 1500ms" },
	{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin 1440m",
	    "zone 127.0.0.1 home primary 192.0.2.1 max-lag 5m expire-margin 1440m" },
	{ "zone 127.0.0.1 home primary 192.0.2.1 primary [2001:db8::1]@5353 "
	    "primary 2001:db8::2 primary 192.0.2.1@54 max-lag 1500ms # four",
	    "zone 127.0.0.1 home primary 192.0.2.1 primary [2001:db8::1]@5353 "
	    "primary 2001:db8::2 primary 192.0.2.1@54 max-lag 1500ms" },
	{ "process\t/run/nsd.pid\n", "process /run/nsd.pid" },
};

static void
test_parse_good(void **state)
{
	struct check_conf c, c2;
	char err[256], buf[512], buf2[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err[0] = '\0';
		if (check_conf_parse(good[i].in, &c, err, sizeof(err)) != 0)
			fail_msg("'%s': %s", good[i].in, err);
		check_conf_format(&c, buf, sizeof(buf));
		assert_string_equal(buf, good[i].out);
		/* The canonical words read back to the same configuration. */
		memset(&c2, 0xa5, sizeof(c2));
		assert_int_equal(check_conf_parse(buf, &c2, err, sizeof(err)), 0);
		assert_memory_equal(&c, &c2, sizeof(c));
		check_conf_format(&c2, buf2, sizeof(buf2));
		assert_string_equal(buf, buf2);
	}
}

static void
test_parse_fields(void **state)
{
	struct check_conf c;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&c.sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&c.sa;
	char err[256];

	(void)state;
	assert_int_equal(check_conf_parse("dns 127.0.0.1 test.home.", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.kind, CHECK_DNS);
	assert_int_equal(c.sa.ss_family, AF_INET);
	assert_int_equal(c.salen, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(sin->sin_port), 53);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x7f000001);
	assert_string_equal(c.qname, "test.home");
	assert_int_equal(c.qtype, 1);
	assert_int_equal(c.expect_rcode, 0);

	assert_int_equal(check_conf_parse("dns [::1]@5353 . AAAA expect rcode any",
	    &c, err, sizeof(err)), 0);
	assert_int_equal(c.sa.ss_family, AF_INET6);
	assert_int_equal(c.salen, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(sin6->sin6_port), 5353);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	assert_string_equal(c.qname, ".");
	assert_int_equal(c.qtype, 28);
	assert_int_equal(c.expect_rcode, -1);

	assert_int_equal(check_conf_parse("tcp 10.1.2.3:8080", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.kind, CHECK_TCP);
	assert_int_equal(ntohs(sin->sin_port), 8080);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), 0x0a010203);

	assert_int_equal(check_conf_parse("exec /bin/sh -c exit", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.kind, CHECK_EXEC);
	assert_int_equal(c.argc, 3);
	assert_memory_equal(c.args, "/bin/sh\0-c\0exit\0", 16);

	assert_int_equal(check_conf_parse("process /run/nsd.pid", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.kind, CHECK_PROCESS);
	assert_string_equal(c.path, "/run/nsd.pid");
}

/* Names and commands at their limits. */
static void
test_parse_limits(void **state)
{
	struct check_conf c;
	char err[256], line[2048], name[300], buf[2048];
	size_t i;

	(void)state;
	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters. */
	memset(name, 'a', 253);
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	snprintf(line, sizeof(line), "dns 127.0.0.1 %s", name);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), 0);
	assert_string_equal(c.qname, name);
	snprintf(line, sizeof(line), "dns 127.0.0.1 %s.", name);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), 0);
	assert_string_equal(c.qname, name);
	check_conf_format(&c, buf, sizeof(buf));
	assert_int_equal(check_conf_parse(buf, &c, err, sizeof(err)), 0);

	/* 32 words: PATH and 31 ARGs. */
	snprintf(line, sizeof(line), "exec /bin/echo");
	for (i = 1; i < CHECK_MAX_ARGS; i++)
		strcat(line, " a");
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), 0);

	/* 511 characters. */
	memset(name, 'a', sizeof(name));
	snprintf(line, sizeof(line), "exec /%.255s %.254s", name, name);
	assert_int_equal(strlen(line), 5 + 511);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), 0);
	assert_int_equal(c.argc, 2);
	assert_int_equal(strlen(c.args), 256);
	assert_int_equal(strlen(c.args + 257), 254);

	/* 255 characters. */
	snprintf(line, sizeof(line), "process /%.254s", name);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), 0);
	assert_int_equal(strlen(c.path), 255);
}

/*
 * Exec words are quoted like a shell's (check.h): the words each input
 * gives, the errors, and parse(format(x)) == x.
 */
static void
test_exec_quoting(void **state)
{
	static const struct {
		const char	*in;
		const char	*argv[6];
	} v[] = {
		{ "exec /bin/sh -c \"exit 3\"", { "/bin/sh", "-c", "exit 3" } },
		{ "exec /bin/sh -c 'exit 3'", { "/bin/sh", "-c", "exit 3" } },
		{ "exec /bin/sh -c exit\\ 3", { "/bin/sh", "-c", "exit 3" } },
		{ "exec /bin/x \"a  b\"\t'c\td'", { "/bin/x", "a  b", "c\td" } },
		{ "exec /bin/x a\"b c\"'d'e", { "/bin/x", "ab cde" } },
		{ "exec /bin/x \"\" ''", { "/bin/x", "", "" } },
		{ "exec /bin/x \"a\\\"b\" \"c\\\\d\" \"e\\f\"", { "/bin/x", "a\"b", "c\\d", "e\\f" } },
		{ "exec /bin/x 'a\\b' 'say \"hi\"' \"it's\"", { "/bin/x", "a\\b", "say \"hi\"", "it's" } },
		{ "exec /bin/x \\'\\\"\\\\ \\#", { "/bin/x", "'\"\\", "#" } },
		{ "exec /bin/x '#not' \"!a comment\" # but this is", { "/bin/x", "#not", "!a comment" } },
		{ "exec /bin/x a#b c!d", { "/bin/x", "a#b", "c!d" } },
		{ "exec '/opt/my check/run' -v", { "/opt/my check/run", "-v" } },
		{ "exec /bin/x ! all comment", { "/bin/x" } },
	};
	static const struct {
		const char	*in;
		const char	*err;
	} bad[] = {
		{ "exec /bin/sh -c \"exit 3", "check exec: unterminated double quote" },
		{ "exec /bin/sh -c 'exit 3", "check exec: unterminated single quote" },
		{ "exec /bin/sh -c \"a\\\"", "check exec: unterminated double quote" },
		{ "exec /bin/sh -c x\\", "check exec: backslash at the end of the line" },
		{ "exec 'bin/x'", "check exec: 'bin/x' is not an absolute path" },
		{ "exec \"\"", "check exec: '' is not an absolute path" },
		{ "exec # /bin/x", "check exec: missing PATH (exec /ABS/PATH [ARG...])" },
	};
	struct check_conf c, c2;
	const char *argv[CHECK_MAX_ARGS + 1];
	char err[256], buf[1100], line[1100];
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (check_conf_parse(v[i].in, &c, err, sizeof(err)) != 0)
			fail_msg("'%s': %s", v[i].in, err);
		assert_int_equal(c.kind, CHECK_EXEC);
		for (k = 0; v[i].argv[k] != NULL; k++)
			;
		assert_int_equal(check_conf_argv(&c, argv), k);
		assert_int_equal(c.argc, k);
		for (k = 0; v[i].argv[k] != NULL; k++)
			assert_string_equal(argv[k], v[i].argv[k]);
		assert_null(argv[k]);
		/* Round trip: the canonical form reads back to the same words. */
		check_conf_format(&c, buf, sizeof(buf));
		memset(&c2, 0xa5, sizeof(c2));
		if (check_conf_parse(buf, &c2, err, sizeof(err)) != 0)
			fail_msg("'%s' -> '%s': %s", v[i].in, buf, err);
		assert_memory_equal(&c, &c2, sizeof(c));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (check_conf_parse(bad[i].in, &c, err, sizeof(err)) != -1)
			fail_msg("'%s' parsed", bad[i].in);
		assert_string_equal(err, bad[i].err);
	}
	/* Not an exec check: no argv. */
	assert_int_equal(check_conf_parse("tcp 127.0.0.1:1", &c, err, sizeof(err)), 0);
	assert_int_equal(check_conf_argv(&c, argv), 0);
	assert_null(argv[0]);

	/*
	 * Words short when quoted one way but long in the canonical form
	 * (every " escaped) are refused rather than written back longer
	 * than a line.
	 */
	snprintf(line, sizeof(line), "exec /bin/x '");
	for (i = 0; i < 500; i++)
		strcat(line, "\"");
	strcat(line, "'\\'");
	assert_int_equal(strlen(line), 13 + 500 + 3);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "check exec: longer than 1000 characters when "
	    "written back quoted");
}

/*
 * Through riposted.conf: the line lexer splits words before the check
 * sees them, so the check gets the rest of the line as written (quotes,
 * runs of blanks and a # inside quotes kept; a comment after them not).
 * The canonical print reads back to the same words.
 */
static void
test_exec_quoting_conf(void **state)
{
	static const char text[] =
	    "service dns\n"
	    " address 10.128.224.2/32\n"
	    " check exec /bin/sh -c \"echo  '#1' ; exit 3\"   # the comment\n"
	    " check exec /bin/x\t'a\tb' ! another\n";
	struct riposted_conf conf, again;
	const char *argv[CHECK_MAX_ARGS + 1];
	char err[512], *p = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	if (riposted_conf_parse_buf("t", text, strlen(text), &conf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(conf.n_services, 1);
	assert_int_equal(conf.services[0].svc.n_checks, 2);
	assert_int_equal(check_conf_argv(&conf.services[0].checks[0], argv), 3);
	assert_string_equal(argv[2], "echo  '#1' ; exit 3");
	assert_int_equal(check_conf_argv(&conf.services[0].checks[1], argv), 2);
	assert_string_equal(argv[1], "a\tb");
	assert_string_equal(conf.services[0].svc.check_names[0],
	    "exec /bin/sh -c \"echo  '#1' ; exit 3\"");

	assert_non_null(f = open_memstream(&p, &len));
	riposted_conf_print(f, &conf);
	assert_int_equal(fclose(f), 0);
	assert_non_null(strstr(p, " check exec /bin/sh -c \"echo  '#1' ; exit 3\"\n"));
	if (riposted_conf_parse_buf("print", p, len, &again, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_memory_equal(&again.services[0].checks[0], &conf.services[0].checks[0],
	    sizeof(struct check_conf));
	assert_memory_equal(&again.services[0].checks[1], &conf.services[0].checks[1],
	    sizeof(struct check_conf));
	free(p);
	riposted_conf_free(&again);
	riposted_conf_free(&conf);
}

static void
test_parse_bad(void **state)
{
	static const struct {
		const char	*in;
		const char	*err;
	} v[] = {
		{ "", "missing check type (dns, zone, tcp, exec, process)" },
		{ " \t ", "missing check type (dns, zone, tcp, exec, process)" },
		{ "foo", "unknown check type 'foo' (dns, zone, tcp, exec, process)" },
		{ "DNS 127.0.0.1 x", "unknown check type 'DNS' (dns, zone, tcp, exec, process)" },
		{ "zone", "check zone: missing ADDRESS (zone ADDRESS[@PORT] ZONE "
		    "[primary ADDRESS[@PORT]]... [max-lag DURATION] [expire-margin DURATION])" },
		{ "zone 127.0.0.1", "check zone: missing ZONE (zone ADDRESS[@PORT] ZONE "
		    "[primary ADDRESS[@PORT]]... [max-lag DURATION] [expire-margin DURATION])" },
		{ "zone x home", "check zone: 'x' is not an IPv4 or IPv6 address" },
		{ "zone 127.0.0.1@0 home", "check zone: bad port '0' in '127.0.0.1@0' (1..65535)" },
		{ "zone [::1 home", "check zone: missing ']' in '[::1'" },
		{ "zone 127.0.0.1 a..b", "check zone: 'a..b' is not a domain name (empty label)" },
		{ "zone 127.0.0.1 h\\x", "check zone: 'h\\x' is not a domain name "
		    "(escapes are not supported)" },
		{ "zone 127.0.0.1 home SOA", "check zone: unexpected 'SOA' after ZONE "
		    "(primary ADDRESS[@PORT], max-lag DURATION, "
		    "expire-margin DURATION)" },
		{ "zone 127.0.0.1 home primary", "check zone: missing ADDRESS[@PORT] after 'primary'" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 max-lag",
		    "check zone: missing DURATION after 'max-lag'" },
		{ "zone 127.0.0.1 home primary x", "check zone: 'x' is not an IPv4 or IPv6 address" },
		{ "zone 127.0.0.1 home primary 192.0.2.1@99999",
		    "check zone: bad port '99999' in '192.0.2.1@99999' (1..65535)" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 primary 192.0.2.1@53",
		    "check zone: primary 192.0.2.1@53 given twice" },
		{ "zone 127.0.0.1 home max-lag 3s", "check zone: max-lag without a primary to compare with" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 max-lag 3s max-lag 4s",
		    "check zone: max-lag given twice" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 max-lag 3x",
		    "check zone: bad max-lag '3x' (e.g. 500ms, 30s, 5m; at most 1 day)" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 max-lag -1s",
		    "check zone: bad max-lag '-1s' (e.g. 500ms, 30s, 5m; at most 1 day)" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 max-lag 2d",
		    "check zone: bad max-lag '2d' (e.g. 500ms, 30s, 5m; at most 1 day)" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 primary 192.0.2.2 primary 192.0.2.3 "
		    "primary 192.0.2.4 primary 192.0.2.5", "check zone: more than 4 primaries" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 primary 192.0.2.2 primary 192.0.2.3 "
		    "primary 192.0.2.4 max-lag 1s expire-margin 1s x", "check zone: unexpected "
		    "'x' after ZONE (primary ADDRESS[@PORT], max-lag DURATION, "
		    "expire-margin DURATION)" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 primary 192.0.2.2 primary 192.0.2.3 "
		    "primary 192.0.2.4 max-lag 1s expire-margin 1s x y", "check zone: too many "
		    "words (zone ADDRESS[@PORT] ZONE [primary ADDRESS[@PORT]]... [max-lag "
		    "DURATION] [expire-margin DURATION], up to 4 primaries)" },
		{ "zone 127.0.0.1 home expire-margin 3s",
		    "check zone: expire-margin without a primary to hear from" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin",
		    "check zone: missing DURATION after 'expire-margin'" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin 1s expire-margin 2s",
		    "check zone: expire-margin given twice" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin 3x",
		    "check zone: bad expire-margin '3x' (e.g. 500ms, 30s, 5m; at most 1 day)" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin -1s",
		    "check zone: bad expire-margin '-1s' (e.g. 500ms, 30s, 5m; at most 1 day)" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin 2d",
		    "check zone: bad expire-margin '2d' (e.g. 500ms, 30s, 5m; at most 1 day)" },
		{ "zone 127.0.0.1 home primary 192.0.2.1 expire-margin 1441m",
		    "check zone: bad expire-margin '1441m' (e.g. 500ms, 30s, 5m; at most 1 day)" },
		{ "dns", "check dns: missing ADDRESS (dns ADDRESS[@PORT] NAME [TYPE] "
		    "[expect rcode RCODE|any])" },
		{ "dns 127.0.0.1", "check dns: missing NAME (dns ADDRESS[@PORT] NAME "
		    "[TYPE] [expect rcode RCODE|any])" },
		{ "dns x test.home", "check dns: 'x' is not an IPv4 or IPv6 address" },
		{ "dns 1.2.3 test.home", "check dns: '1.2.3' is not an IPv4 or IPv6 address" },
		{ "dns localhost test.home", "check dns: 'localhost' is not an IPv4 or IPv6 address" },
		{ "dns @53 x", "check dns: '' is not an IPv4 or IPv6 address" },
		{ "dns 127.0.0.1:53 x", "check dns: '127.0.0.1:53' is not an IPv4 or IPv6 address" },
		{ "dns 127.0.0.1@ x", "check dns: bad port '' in '127.0.0.1@' (1..65535)" },
		{ "dns 127.0.0.1@0 x", "check dns: bad port '0' in '127.0.0.1@0' (1..65535)" },
		{ "dns 127.0.0.1@65536 x", "check dns: bad port '65536' in '127.0.0.1@65536' (1..65535)" },
		{ "dns 127.0.0.1@+53 x", "check dns: bad port '+53' in '127.0.0.1@+53' (1..65535)" },
		{ "dns 127.0.0.1@domain x", "check dns: bad port 'domain' in '127.0.0.1@domain' (1..65535)" },
		{ "dns [::1 x", "check dns: missing ']' in '[::1'" },
		{ "dns [::1]:53 x", "check dns: unexpected ':53' after ']' in '[::1]:53'" },
		{ "dns [127.0.0.1] x", "check dns: '127.0.0.1' is not an IPv6 address" },
		{ "dns [::1]@0 x", "check dns: bad port '0' in '[::1]@0' (1..65535)" },
		{ "dns 127.0.0.1 a..b", "check dns: 'a..b' is not a domain name (empty label)" },
		{ "dns 127.0.0.1 .a", "check dns: '.a' is not a domain name (empty label)" },
		{ "dns 127.0.0.1 ..", "check dns: '..' is not a domain name (empty label)" },
		{ "dns 127.0.0.1 a..", "check dns: 'a..' is not a domain name (empty label)" },
		{ "dns 127.0.0.1 a\\.b", "check dns: 'a\\.b' is not a domain name "
		    "(escapes are not supported)" },
		{ "dns 127.0.0.1 a\001b", "check dns: 'a\001b' is not a domain name "
		    "(unprintable character)" },
		{ "dns 127.0.0.1 caf\xc3\xa9", "check dns: 'caf\xc3\xa9' is not a domain name "
		    "(unprintable character)" },
		{ "dns 127.0.0.1 x BOGUS", "check dns: unknown type 'BOGUS' (A, AAAA, NS, "
		    "SOA, MX, TXT, CNAME, PTR, SRV, ANY or TYPEnnn)" },
		{ "dns 127.0.0.1 x TYPE0", "check dns: unknown type 'TYPE0' (A, AAAA, NS, "
		    "SOA, MX, TXT, CNAME, PTR, SRV, ANY or TYPEnnn)" },
		{ "dns 127.0.0.1 x TYPE65536", "check dns: unknown type 'TYPE65536' (A, AAAA, "
		    "NS, SOA, MX, TXT, CNAME, PTR, SRV, ANY or TYPEnnn)" },
		{ "dns 127.0.0.1 x TYPE", "check dns: unknown type 'TYPE' (A, AAAA, NS, "
		    "SOA, MX, TXT, CNAME, PTR, SRV, ANY or TYPEnnn)" },
		{ "dns 127.0.0.1 x TYPE1x", "check dns: unknown type 'TYPE1x' (A, AAAA, NS, "
		    "SOA, MX, TXT, CNAME, PTR, SRV, ANY or TYPEnnn)" },
		{ "dns 127.0.0.1 x A foo", "check dns: unexpected 'foo' after TYPE "
		    "(expect rcode RCODE|any)" },
		{ "dns 127.0.0.1 x A A", "check dns: unexpected 'A' after TYPE "
		    "(expect rcode RCODE|any)" },
		{ "dns 127.0.0.1 x A expect", "check dns: 'expect' must be followed by "
		    "'rcode RCODE|any'" },
		{ "dns 127.0.0.1 x expect status NOERROR", "check dns: 'expect' must be "
		    "followed by 'rcode RCODE|any'" },
		{ "dns 127.0.0.1 x A expect rcode", "check dns: missing RCODE after "
		    "'expect rcode'" },
		{ "dns 127.0.0.1 x A expect rcode BADVERS", "check dns: unknown rcode "
		    "'BADVERS' (NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, "
		    "0..15 or any)" },
		{ "dns 127.0.0.1 x A expect rcode 16", "check dns: unknown rcode '16' "
		    "(NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, 0..15 or any)" },
		{ "dns 127.0.0.1 x A expect rcode -1", "check dns: unknown rcode '-1' "
		    "(NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED, 0..15 or any)" },
		{ "dns 127.0.0.1 x A expect rcode NOERROR extra", "check dns: unexpected "
		    "'extra' after the rcode" },
		{ "tcp", "check tcp: missing ADDRESS:PORT (tcp ADDRESS:PORT or tcp "
		    "[IPV6]:PORT)" },
		{ "tcp 127.0.0.1", "check tcp: missing port in '127.0.0.1' (ADDRESS:PORT)" },
		{ "tcp [::1]", "check tcp: missing port in '[::1]' ([IPV6]:PORT)" },
		{ "tcp ::1:53", "check tcp: IPv6 address in '::1:53' needs brackets "
		    "([IPV6]:PORT)" },
		{ "tcp ::1", "check tcp: IPv6 address in '::1' needs brackets ([IPV6]:PORT)" },
		{ "tcp 127.0.0.1:", "check tcp: bad port '' in '127.0.0.1:' (1..65535)" },
		{ "tcp 127.0.0.1:0", "check tcp: bad port '0' in '127.0.0.1:0' (1..65535)" },
		{ "tcp 127.0.0.1:65536", "check tcp: bad port '65536' in '127.0.0.1:65536' "
		    "(1..65535)" },
		{ "tcp 127.0.0.1:http", "check tcp: bad port 'http' in '127.0.0.1:http' "
		    "(1..65535)" },
		{ "tcp localhost:53", "check tcp: 'localhost' is not an IPv4 address" },
		{ "tcp :53", "check tcp: '' is not an IPv4 address" },
		{ "tcp [127.0.0.1]:53", "check tcp: '127.0.0.1' is not an IPv6 address" },
		{ "tcp [::1]x53", "check tcp: unexpected 'x53' after ']' in '[::1]x53'" },
		{ "tcp [::1:53", "check tcp: missing ']' in '[::1:53'" },
		{ "tcp [::1]:0", "check tcp: bad port '0' in '[::1]:0' (1..65535)" },
		{ "tcp 127.0.0.1:53 extra", "check tcp: unexpected 'extra' after "
		    "ADDRESS:PORT" },
		{ "exec", "check exec: missing PATH (exec /ABS/PATH [ARG...])" },
		{ "exec true", "check exec: 'true' is not an absolute path" },
		{ "exec ./check.sh /x", "check exec: './check.sh' is not an absolute path" },
		{ "process", "check process: missing PIDFILE (process /ABS/PIDFILE)" },
		{ "process run/x.pid", "check process: 'run/x.pid' is not an absolute path" },
		{ "process /run/x.pid extra", "check process: unexpected 'extra' after "
		    "PIDFILE" },
	};
	struct check_conf c, saved;
	char err[512];
	size_t i;

	(void)state;
	memset(&saved, 0x5a, sizeof(saved));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memcpy(&c, &saved, sizeof(c));
		err[0] = '\0';
		if (check_conf_parse(v[i].in, &c, err, sizeof(err)) != -1)
			fail_msg("'%s' parsed", v[i].in);
		assert_string_equal(err, v[i].err);
		/* Untouched on error. */
		assert_memory_equal(&c, &saved, sizeof(c));
	}
	/* No room for the message is fine. */
	assert_int_equal(check_conf_parse("foo", &c, NULL, 0), -1);
	assert_int_equal(check_conf_parse(NULL, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "missing check type (dns, zone, tcp, exec, process)");
}

static void
test_parse_bad_limits(void **state)
{
	struct check_conf c;
	char err[512], line[4096], name[300];
	size_t i;

	(void)state;
	memset(name, 'a', sizeof(name));
	snprintf(line, sizeof(line), "dns 127.0.0.1 %.64s", name);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(label longer than 63 characters)"));
	assert_int_equal(strncmp(err, "check dns: 'aaaa", 16), 0);

	/* 254 characters. */
	name[63] = name[127] = name[191] = '.';
	snprintf(line, sizeof(line), "dns 127.0.0.1 %.254s", name);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "(longer than 253 characters)"));

	/* 33 words, and many more. */
	snprintf(line, sizeof(line), "exec /bin/echo");
	for (i = 1; i < CHECK_MAX_ARGS + 1; i++)
		strcat(line, " a");
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "check exec: more than 32 words (PATH and ARGs)");
	for (i = 0; i < 100; i++)
		strcat(line, " b");
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "check exec: more than 32 words (PATH and ARGs)");

	/* 512 characters. */
	memset(name, 'a', sizeof(name));
	snprintf(line, sizeof(line), "exec /%.255s %.255s", name, name);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "check exec: command longer than 511 characters");

	/* 256 characters. */
	snprintf(line, sizeof(line), "process /%.255s", name);
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "check process: path longer than 255 characters");

	memset(line, ' ', 1024);
	memcpy(line, "exec /x", 7);
	line[1024] = '\0';
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "check: longer than 1023 characters");
	line[1023] = '\0';
	assert_int_equal(check_conf_parse(line, &c, err, sizeof(err)), 0);
}

/*
 * DNS wire code.
 */

static const uint8_t query_test_home[] = {
	0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	4, 't', 'e', 's', 't', 4, 'h', 'o', 'm', 'e', 0,
	0x00, 0x01, 0x00, 0x01,
};

static void
test_dns_query(void **state)
{
	uint8_t buf[512], big[300];
	char name[300];

	(void)state;
	assert_int_equal(check_dns_query(buf, sizeof(buf), 0x1234, "test.home", 1),
	    sizeof(query_test_home));
	assert_memory_equal(buf, query_test_home, sizeof(query_test_home));
	assert_int_equal(check_dns_query(buf, sizeof(buf), 0x1234, "test.home.", 1),
	    sizeof(query_test_home));
	assert_memory_equal(buf, query_test_home, sizeof(query_test_home));
	/* Exactly big enough, and one short. */
	assert_int_equal(check_dns_query(buf, sizeof(query_test_home), 0x1234,
	    "test.home", 1), sizeof(query_test_home));
	assert_int_equal(check_dns_query(buf, sizeof(query_test_home) - 1, 0x1234,
	    "test.home", 1), 0);
	assert_int_equal(check_dns_query(buf, 5, 0x1234, "test.home", 1), 0);

	assert_int_equal(check_dns_query(buf, sizeof(buf), 0xbeef, ".", 2), 17);
	assert_int_equal(buf[12], 0);
	assert_int_equal(buf[13] << 8 | buf[14], 2);
	assert_int_equal(buf[0] << 8 | buf[1], 0xbeef);

	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, "", 1), 0);
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, "a..b", 1), 0);
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, ".a", 1), 0);
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, "..", 1), 0);
	memset(name, 'a', sizeof(name));
	name[64] = '\0';
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, name, 1), 0);
	name[63] = '\0';
	assert_int_equal(check_dns_query(buf, sizeof(buf), 1, name, 1), 12 + 65 + 4);
	/* 253 characters fit in 255 octets, 254 do not. */
	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	assert_int_equal(check_dns_query(big, sizeof(big), 1, name, 1), 12 + 255 + 4);
	name[253] = 'a';
	name[254] = '\0';
	assert_int_equal(check_dns_query(big, sizeof(big), 1, name, 1), 0);
}

/* Our query turned into a reply: QR set, the given rcode. */
static size_t
reply(uint8_t *buf, size_t cap, uint16_t id, const char *qname, uint16_t qtype,
    unsigned rcode)
{
	size_t len;

	len = check_dns_query(buf, cap, id, qname, qtype);
	assert_true(len > 0);
	buf[2] |= 0x80;
	buf[3] = (uint8_t)((buf[3] & 0xf0) | rcode);
	return len;
}

static int
match(const uint8_t *buf, size_t len, int expect, char *why)
{
	memset(why, 'x', 128);
	return check_dns_reply(buf, len, 0x1234, "test.home", 1, expect, why, 128);
}

static void
test_dns_reply(void **state)
{
	uint8_t buf[512];
	char why[128];
	size_t len, i;

	(void)state;
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	assert_int_equal(match(buf, len, 0, why), 1);
	assert_string_equal(why, "");
	assert_int_equal(match(buf, len, -1, why), 1);
	assert_int_equal(match(buf, len, 2, why), 0);
	assert_string_equal(why, "rcode NOERROR, expected SERVFAIL");
	/* Trailing sections do not matter. */
	memset(buf + len, 0xff, 64);
	assert_int_equal(match(buf, len + 64, 0, why), 1);
	/* Names compare case-insensitively (RFC 4343). */
	len = reply(buf, sizeof(buf), 0x1234, "TEST.hOmE", 1, 0);
	assert_int_equal(match(buf, len, 0, why), 1);
	assert_int_equal(check_dns_reply(buf, len, 0x1234, "test.home.", 1, 0,
	    why, sizeof(why)), 1);

	/* rcode mismatches. */
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 2);
	assert_int_equal(match(buf, len, 0, why), 0);
	assert_string_equal(why, "rcode SERVFAIL, expected NOERROR");
	assert_int_equal(match(buf, len, 2, why), 1);
	assert_int_equal(match(buf, len, -1, why), 1);
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 3);
	assert_int_equal(match(buf, len, 0, why), 0);
	assert_string_equal(why, "rcode NXDOMAIN, expected NOERROR");
	assert_int_equal(match(buf, len, 3, why), 1);
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 9);
	assert_int_equal(match(buf, len, 0, why), 0);
	assert_string_equal(why, "rcode NOTAUTH, expected NOERROR");
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 5);
	assert_int_equal(match(buf, len, 12, why), 0);
	assert_string_equal(why, "rcode REFUSED, expected RCODE12");
	/* A reason buffer is optional. */
	assert_int_equal(check_dns_reply(buf, len, 0x1234, "test.home", 1, 0,
	    NULL, 0), 0);

	/* TC: the server answered; the rcode decides. */
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	buf[2] |= 0x02;
	assert_int_equal(match(buf, len, 0, why), 1);
	buf[3] |= 2;
	assert_int_equal(match(buf, len, 0, why), 0);
	assert_string_equal(why, "rcode SERVFAIL, expected NOERROR");

	/* Not ours: wrong id, not a response, other opcode, other question count. */
	len = reply(buf, sizeof(buf), 0x1235, "test.home", 1, 0);
	assert_int_equal(match(buf, len, 0, why), -1);
	assert_string_equal(why, "");
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 2);
	buf[2] &= 0x7f;
	assert_int_equal(match(buf, len, 0, why), -1);
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	buf[2] |= 1 << 3;	/* opcode IQUERY */
	assert_int_equal(match(buf, len, 0, why), -1);
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	buf[5] = 0;
	assert_int_equal(match(buf, len, 0, why), -1);
	buf[5] = 2;
	assert_int_equal(match(buf, len, 0, why), -1);
	buf[4] = 1;
	buf[5] = 1;
	assert_int_equal(match(buf, len, 0, why), -1);

	/* Other question. */
	len = reply(buf, sizeof(buf), 0x1234, "test.homf", 1, 0);
	assert_int_equal(match(buf, len, 0, why), -1);
	len = reply(buf, sizeof(buf), 0x1234, "test.home.x", 1, 0);
	assert_int_equal(match(buf, len, 0, why), -1);
	len = reply(buf, sizeof(buf), 0x1234, "test", 1, 0);
	assert_int_equal(match(buf, len, 0, why), -1);
	len = reply(buf, sizeof(buf), 0x1234, "home", 1, 0);
	assert_int_equal(match(buf, len, 0, why), -1);
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 28, 0);
	assert_int_equal(match(buf, len, 0, why), -1);
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	buf[len - 1] = 3;	/* class CH */
	assert_int_equal(match(buf, len, 0, why), -1);
	/* A byte that lowercases to ours only in some locale, not ASCII. */
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	buf[13] = 't' + 0x80;
	assert_int_equal(match(buf, len, 0, why), -1);

	/* Short: every cut of a valid reply is not ours. */
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	for (i = 0; i < len; i++)
		assert_int_equal(match(buf, i, 0, why), -1);
	assert_int_equal(match(NULL, 0, 0, why), -1);

	/* A compressed question (a pointer to offset 12) is not ours. */
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	buf[12] = 0xc0;
	buf[13] = 12;
	memmove(buf + 14, buf + len - 4, 4);
	assert_int_equal(match(buf, 18, 0, why), -1);
	/* Pointer after the first label. */
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	buf[17] = 0xc0;
	buf[18] = 17;
	assert_int_equal(match(buf, len, 0, why), -1);
	/* Extended label type 01. */
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	buf[12] = 0x44;
	assert_int_equal(match(buf, len, 0, why), -1);

	/* A qname we could not have asked for matches nothing. */
	len = reply(buf, sizeof(buf), 0x1234, "test.home", 1, 0);
	assert_int_equal(check_dns_reply(buf, len, 0x1234, "a..b", 1, 0, why,
	    sizeof(why)), -1);
	/* The root. */
	len = reply(buf, sizeof(buf), 0x1234, ".", 2, 0);
	assert_int_equal(len, 17);
	assert_int_equal(check_dns_reply(buf, len, 0x1234, ".", 2, 0, why,
	    sizeof(why)), 1);
	assert_int_equal(match(buf, len, 0, why), -1);
}

/*
 * Runtime, on the default loop like the daemon's.
 */

static struct ev_loop *loop;
static char tmpdir[64];
static bool guard_fired;

struct result {
	int		 calls;		/* PASS and FAIL */
	int		 died;
	unsigned	 idx;
	enum check_result result;
	rtime_t		 latency;
	rtime_t		 at;
	char		 reason[256];
	/* Optional reentrancy: free or re-run the check from the callback. */
	struct check	*ck;
	bool		 free_in_cb;
	int		 rerun_in_cb;
};

static void
result_cb(void *arg, unsigned idx, enum check_result r, rtime_t latency,
    const char *reason)
{
	struct result *res = arg;

	assert_non_null(reason);
	if (r == CHECK_DIED)
		res->died++;
	else
		res->calls++;
	res->idx = idx;
	res->result = r;
	res->latency = latency;
	res->at = clock_mono_now();
	snprintf(res->reason, sizeof(res->reason), "%s", reason);
	if (res->ck != NULL && res->free_in_cb) {
		check_free(res->ck);
		res->ck = NULL;
	} else if (res->ck != NULL && res->rerun_in_cb > 0) {
		res->rerun_in_cb--;
		assert_false(check_busy(res->ck));
		check_run(res->ck);
		assert_true(check_busy(res->ck));
	}
}

static void
guard_cb(struct ev_loop *l, ev_timer *w, int revents)
{
	(void)l;
	(void)w;
	(void)revents;
	guard_fired = true;
}

/* Run the loop until *counter reaches want, at most max_ms. */
static void
run_until(const int *counter, int want, int max_ms)
{
	ev_timer guard;

	guard_fired = false;
	ev_now_update(loop);
	ev_timer_init(&guard, guard_cb, max_ms / 1000., 0.);
	ev_timer_start(loop, &guard);
	while (*counter < want && !guard_fired)
		ev_run(loop, EVRUN_ONCE);
	ev_timer_stop(loop, &guard);
}

static void
run_for(int ms)
{
	static const int never = 0;

	run_until(&never, 1, ms);
}

static struct check *
new_check(const char *words, rtime_t timeout, struct result *res)
{
	struct check_conf c;
	struct check *ck;
	char err[256];

	memset(res, 0, sizeof(*res));
	if (check_conf_parse(words, &c, err, sizeof(err)) != 0)
		fail_msg("'%s': %s", words, err);
	ck = check_new(loop, &c, 7, timeout, result_cb, res);
	assert_non_null(ck);
	assert_false(check_busy(ck));
	return ck;
}

/* One run to its result; the check is freed, and no second result came. */
static void
run_check(const char *words, rtime_t timeout, struct result *res)
{
	struct check *ck;

	ck = new_check(words, timeout, res);
	check_run(ck);
	assert_true(check_busy(ck));
	run_until(&res->calls, 1, 5000);
	assert_int_equal(res->calls, 1);
	assert_false(check_busy(ck));
	assert_int_equal(res->idx, 7);
	run_for(20);
	assert_int_equal(res->calls, 1);
	assert_int_equal(res->died, 0);
	assert_int_equal(check_skipped(ck), 0);
	check_free(ck);
}

static void
expect_pass(const char *words, rtime_t timeout)
{
	struct result res;

	run_check(words, timeout, &res);
	if (res.result != CHECK_PASS)
		fail_msg("%s: %s", words, res.reason);
	assert_string_equal(res.reason, "");
}

static void
expect_fail(const char *words, rtime_t timeout, const char *reason,
    struct result *res)
{
	run_check(words, timeout, res);
	assert_int_equal(res->result, CHECK_FAIL);
	assert_string_equal(res->reason, reason);
}

/* A UDP server on loopback that answers the way the test asks. */
enum resp_mode {
	RESP_NOERROR,
	RESP_SERVFAIL,
	RESP_WRONG_ID_FIRST,	/* a reply with another id, then ours */
	RESP_GARBAGE_FIRST,	/* five bytes of noise, then ours */
	RESP_NEVER,
};

struct responder {
	ev_io		 io;
	int		 fd;
	enum resp_mode	 mode;
	int		 queries;
	uint16_t	 port;
	uint8_t		 query[512];
	size_t		 qlen;
};

static void
responder_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct responder *r = w->data;
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	uint8_t buf[512];
	ssize_t n;

	(void)l;
	(void)revents;
	n = recvfrom(r->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
	    &fromlen);
	if (n <= 12)
		return;
	r->queries++;
	memcpy(r->query, buf, (size_t)n);
	r->qlen = (size_t)n;
	if (r->mode == RESP_NEVER)
		return;
	buf[2] |= 0x80;
	buf[3] = (uint8_t)((buf[3] & 0xf0) | (r->mode == RESP_SERVFAIL ? 2 : 0));
	if (r->mode == RESP_WRONG_ID_FIRST) {
		buf[1] ^= 1;
		sendto(r->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen);
		buf[1] ^= 1;
	} else if (r->mode == RESP_GARBAGE_FIRST) {
		sendto(r->fd, "hello", 5, 0, (struct sockaddr *)&from, fromlen);
	}
	sendto(r->fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fromlen);
}

/* Bind a socket of `type` to an ephemeral loopback port; -1 if not possible. */
static int
bind_loopback(int family, int type, uint16_t *port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;
	int fd;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	if ((fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET ? sin->sin_port : sin6->sin6_port);
	return fd;
}

static bool
responder_open(struct responder *r, int family, enum resp_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	if ((r->fd = bind_loopback(family, SOCK_DGRAM, &r->port)) == -1)
		return false;
	ev_io_init(&r->io, responder_cb, r->fd, EV_READ);
	r->io.data = r;
	ev_io_start(loop, &r->io);
	return true;
}

static void
responder_close(struct responder *r)
{
	ev_io_stop(loop, &r->io);
	close(r->fd);
}

static void
test_dns_pass(void **state)
{
	struct responder r;
	char words[128];

	(void)state;
	assert_true(responder_open(&r, AF_INET, RESP_NOERROR));
	snprintf(words, sizeof(words), "dns 127.0.0.1@%u test.home", r.port);
	expect_pass(words, 1000 * RTIME_MS);
	assert_int_equal(r.queries, 1);
	/* What we sent: one question, RD clear, no EDNS. */
	assert_int_equal(r.qlen, sizeof(query_test_home));
	assert_memory_equal(r.query + 2, query_test_home + 2,
	    sizeof(query_test_home) - 2);

	/* expect rcode SERVFAIL passes on SERVFAIL, and any on anything. */
	r.mode = RESP_SERVFAIL;
	snprintf(words, sizeof(words),
	    "dns 127.0.0.1@%u test.home expect rcode SERVFAIL", r.port);
	expect_pass(words, 1000 * RTIME_MS);
	snprintf(words, sizeof(words),
	    "dns 127.0.0.1@%u test.home AAAA expect rcode any", r.port);
	expect_pass(words, 1000 * RTIME_MS);
	assert_int_equal(r.query[r.qlen - 3], 28);
	responder_close(&r);
}

static void
test_dns_rcode(void **state)
{
	struct responder r;
	struct result res;
	char words[128];

	(void)state;
	assert_true(responder_open(&r, AF_INET, RESP_SERVFAIL));
	snprintf(words, sizeof(words), "dns 127.0.0.1@%u test.home", r.port);
	expect_fail(words, 1000 * RTIME_MS, "rcode SERVFAIL, expected NOERROR", &res);
	assert_true(res.latency < 500 * RTIME_MS);
	responder_close(&r);
}

static void
test_dns_not_ours(void **state)
{
	struct responder r;
	char words[128];

	(void)state;
	assert_true(responder_open(&r, AF_INET, RESP_WRONG_ID_FIRST));
	snprintf(words, sizeof(words), "dns 127.0.0.1@%u test.home", r.port);
	expect_pass(words, 1000 * RTIME_MS);
	r.mode = RESP_GARBAGE_FIRST;
	expect_pass(words, 1000 * RTIME_MS);
	assert_int_equal(r.queries, 2);
	responder_close(&r);
}

static void
test_dns_timeout(void **state)
{
	struct responder r;
	struct result res;
	char words[128];

	(void)state;
	assert_true(responder_open(&r, AF_INET, RESP_NEVER));
	snprintf(words, sizeof(words), "dns 127.0.0.1@%u test.home", r.port);
	expect_fail(words, 200 * RTIME_MS, "timeout 200 ms", &res);
	assert_true(res.latency >= 195 * RTIME_MS);
	assert_true(res.latency < 600 * RTIME_MS);
	assert_int_equal(r.queries, 1);
	responder_close(&r);
}

static void
test_dns_refused(void **state)
{
	struct result res;
	char words[128];
	uint16_t port;
	int fd;

	(void)state;
	/* A port that was just free: nothing listens there now. */
	assert_true((fd = bind_loopback(AF_INET, SOCK_DGRAM, &port)) != -1);
	close(fd);
	snprintf(words, sizeof(words), "dns 127.0.0.1@%u test.home", port);
	expect_fail(words, 2000 * RTIME_MS, "connection refused", &res);
	assert_true(res.latency < 100 * RTIME_MS);
}

static void
test_dns_ipv6(void **state)
{
	struct responder r;
	char words[128];

	(void)state;
	if (!responder_open(&r, AF_INET6, RESP_NOERROR))
		skip();
	snprintf(words, sizeof(words), "dns [::1]@%u test.home", r.port);
	expect_pass(words, 1000 * RTIME_MS);
	responder_close(&r);
}

/*
 * The zone check: the SOA reply reader against crafted packets, RFC 1982
 * serial arithmetic, the lag on a fake clock, and the probe against SOA
 * servers on loopback.
 */

/*
 * An answer to our SOA query for `zone`: QR, AA as asked, the rcode, and
 * with an SOA (owner compressed to the question, MNAME and RNAME
 * compressed too) when `serial` is not NULL.
 */
/* REFRESH RETRY EXPIRE MINIMUM of the SOAs that soa_reply() writes. */
static uint32_t soa_timers[4] = { 3600, 600, 1209600, 60 };

static size_t
soa_reply(uint8_t *buf, size_t cap, uint16_t id, const char *zone, unsigned rcode,
    bool aa, const uint32_t *serial)
{
	static const uint8_t rr[] = {
		0xc0, 0x0c, 0x00, 0x06, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10,
		0x00, 0x00,	/* rdlength, below */
		2, 'n', 's', 0xc0, 0x0c, 1, 'h', 0xc0, 0x0c,
	};
	size_t len, rd;

	len = check_dns_query(buf, cap, id, zone, 6);
	assert_true(len > 0);
	buf[2] |= 0x80 | (aa ? 0x04 : 0);
	buf[3] = (uint8_t)((buf[3] & 0xf0) | rcode);
	if (serial == NULL)
		return len;
	buf[7] = 1;
	assert_true(len + sizeof(rr) + 20 <= cap);
	memcpy(buf + len, rr, sizeof(rr));
	rd = len + 12;
	len += sizeof(rr);
	/* SERIAL, then REFRESH RETRY EXPIRE MINIMUM */
	buf[len++] = (uint8_t)(*serial >> 24);
	buf[len++] = (uint8_t)(*serial >> 16);
	buf[len++] = (uint8_t)(*serial >> 8);
	buf[len++] = (uint8_t)*serial;
	for (unsigned i = 0; i < 4; i++) {
		buf[len++] = (uint8_t)(soa_timers[i] >> 24);
		buf[len++] = (uint8_t)(soa_timers[i] >> 16);
		buf[len++] = (uint8_t)(soa_timers[i] >> 8);
		buf[len++] = (uint8_t)soa_timers[i];
	}
	buf[rd - 2] = (uint8_t)((len - rd) >> 8);
	buf[rd - 1] = (uint8_t)(len - rd);
	return len;
}

static int
zmatch(const uint8_t *buf, size_t len, uint32_t *serial, char *why)
{
	memset(why, 'x', 128);
	*serial = 0xdeadbeef;
	return check_zone_reply(buf, len, 0x1234, "home", serial, why, 128);
}

static void
test_zone_reply(void **state)
{
	uint8_t buf[512], big[600];
	uint32_t serial, s7 = 7, smax = 0xffffffffu;
	char why[128];
	size_t len, i, rd;

	(void)state;
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	assert_int_equal(zmatch(buf, len, &serial, why), 1);
	assert_int_equal(serial, 7);
	assert_string_equal(why, "");
	assert_int_equal(check_zone_reply(buf, len, 0x1234, "home.", &serial, NULL, 0), 1);
	assert_int_equal(check_zone_reply(buf, len, 0x1234, "HOME", &serial, NULL, 0), 1);
	{
		struct check_zone_soa soa;

		assert_int_equal(check_zone_reply_soa(buf, len, 0x1234, "home", &soa, why,
		    sizeof(why)), 1);
		assert_int_equal(soa.serial, 7);
		assert_int_equal(soa.refresh, 3600);
		assert_int_equal(soa.retry, 600);
		assert_int_equal(soa.expire, 1209600);
		assert_int_equal(soa.minimum, 60);
	}
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &smax);
	assert_int_equal(zmatch(buf, len, &serial, why), 1);
	assert_int_equal(serial, 0xffffffffu);

	/* Every cut of a good reply: never a serial, never a read past the end. */
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	for (i = 0; i < len; i++) {
		uint8_t *cut = malloc(i > 0 ? i : 1);
		int r;

		assert_non_null(cut);
		memcpy(cut, buf, i);
		r = zmatch(cut, i, &serial, why);
		assert_true(r == -1 || r == 0);
		assert_int_equal(r == 0, why[0] != '\0');
		free(cut);
	}
	/* A byte more after the SOA: another section's start, still ours. */
	buf[len] = 0;
	assert_int_equal(zmatch(buf, len + 1, &serial, why), 1);

	/* Not ours: id, QR, opcode, question. */
	len = soa_reply(buf, sizeof(buf), 0x1235, "home", 0, true, &s7);
	assert_int_equal(zmatch(buf, len, &serial, why), -1);
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[2] &= 0x7f;
	assert_int_equal(zmatch(buf, len, &serial, why), -1);
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[2] |= 0x20;		/* opcode 4, NOTIFY */
	assert_int_equal(zmatch(buf, len, &serial, why), -1);
	len = soa_reply(buf, sizeof(buf), 0x1234, "homf", 0, true, &s7);
	assert_int_equal(zmatch(buf, len, &serial, why), -1);
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[12 + 6 + 1] = 1;	/* qtype A */
	assert_int_equal(zmatch(buf, len, &serial, why), -1);
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[12 + 6 + 3] = 3;	/* qclass CH */
	assert_int_equal(zmatch(buf, len, &serial, why), -1);

	/* Ours, and failing: rcode first, then AA, then the SOA. */
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 2, true, NULL);
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "rcode SERVFAIL");
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 5, false, &s7);
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "rcode REFUSED");
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, false, &s7);
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "no AA");
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, NULL);
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "no SOA for home. in the answer");
	buf[2] |= 0x02;
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "no SOA for home. in the answer (truncated)");
	assert_int_equal(check_zone_reply(buf, len, 0x1234, "home", &serial, NULL, 0), 0);

	/* An SOA of another owner, or class, or a record of another type: skipped. */
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[12 + 6 + 4 + 1] = 0x11;	/* owner: the root, the end of the question name */
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "no SOA for home. in the answer");
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[12 + 6 + 4 + 5] = 3;	/* class CH */
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[12 + 6 + 4 + 3] = 2;	/* NS */
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	/* ... and the SOA after them is found: the NS first, then the SOA. */
	{
		size_t rrlen = len - 12 - 6 - 4;

		assert_true(len + rrlen <= sizeof(big));
		memcpy(big, buf, len);
		memcpy(big + len, buf + len - rrlen, rrlen);
		big[len + 3] = 6;
		big[7] = 2;
		assert_int_equal(zmatch(big, len + rrlen, &serial, why), 1);
		assert_int_equal(serial, 7);
	}

	/* Malformed: RDLENGTH past the end, one short, one long; a pointer forwards. */
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	rd = 12 + 6 + 4 + 12;
	buf[rd - 1] = (uint8_t)(buf[rd - 1] + 1);
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "malformed answer");
	buf[len] = 0;
	assert_int_equal(zmatch(buf, len + 1, &serial, why), 0);
	assert_string_equal(why, "malformed SOA");
	buf[rd - 1] = (uint8_t)(buf[rd - 1] - 2);
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "malformed SOA");
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[rd + 4] = 0x40;		/* MNAME's pointer: forwards */
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "malformed SOA");
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[12 + 6 + 4] = 0xc0;
	buf[12 + 6 + 5] = 0xff;		/* owner: a pointer past the end */
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "malformed answer");
	/* ANCOUNT larger than what is there. */
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, NULL);
	buf[7] = 0xff;
	buf[6] = 0xff;
	assert_int_equal(zmatch(buf, len, &serial, why), 0);
	assert_string_equal(why, "malformed answer");
	len = soa_reply(buf, sizeof(buf), 0x1234, "home", 0, true, &s7);
	buf[7] = 2;
	assert_int_equal(zmatch(buf, len, &serial, why), 1);
	/* A bad zone name is never a match. */
	assert_int_equal(check_zone_reply(buf, len, 0x1234, "a..b", &serial, why, 128), -1);
}

static void
test_serial_arith(void **state)
{
	(void)state;
	/* RFC 1982 3.2 */
	assert_true(check_serial_lt(1, 2));
	assert_false(check_serial_lt(2, 1));
	assert_false(check_serial_lt(5, 5));
	assert_true(check_serial_lt(0xffffffffu, 0));
	assert_true(check_serial_lt(0xffffffffu, 5));
	assert_false(check_serial_lt(5, 0xffffffffu));
	assert_true(check_serial_lt(0, 0x7fffffffu));
	assert_false(check_serial_lt(0x7fffffffu, 0));
	/* 2^31 apart: undefined, neither is before the other. */
	assert_false(check_serial_lt(0, 0x80000000u));
	assert_false(check_serial_lt(0x80000000u, 0));
	assert_true(check_serial_lt(1, 0x80000000u));
	assert_true(check_serial_lt(0x80000001u, 0));
}

/* One run of the lag: served, and what primaries 0 and 1 said (-1: silent). */
static int
lag_run(struct check_zone_lag *lag, const struct check_conf *c, uint32_t served,
    long long p0, long long p1, rtime_t now_ms, char *why)
{
	bool answered[CHECK_ZONE_PRIMARIES] = { p0 >= 0, p1 >= 0 };
	uint32_t serials[CHECK_ZONE_PRIMARIES] = { (uint32_t)p0, (uint32_t)p1 };

	memset(why, 'x', 128);
	return check_zone_lag_update(lag, c, served, answered, serials,
	    1000 * RTIME_SEC + now_ms * RTIME_MS, why, 128);
}

static void
test_zone_lag(void **state)
{
	struct check_zone_lag lag;
	struct check_conf c;
	char why[128], err[256];
	unsigned i;

	(void)state;
	assert_int_equal(check_conf_parse("zone 127.0.0.1 home primary 192.0.2.1 "
	    "primary 192.0.2.2@5300 max-lag 3s", &c, err, sizeof(err)), 0);
	memset(&lag, 0, sizeof(lag));
	/* No primary has answered yet: nothing to compare with. */
	assert_int_equal(lag_run(&lag, &c, 5, -1, -1, 0, why), 1);
	assert_string_equal(why, "");
	assert_int_equal(lag_run(&lag, &c, 5, 5, -1, 0, why), 1);
	assert_int_equal(lag.n_hist, 0);
	/* 7 appears at 1 s; stale from 4 s on. */
	assert_int_equal(lag_run(&lag, &c, 5, 7, -1, 1000, why), 1);
	assert_int_equal(lag.n_hist, 1);
	assert_int_equal(lag_run(&lag, &c, 5, 7, 5, 3999, why), 1);
	assert_int_equal(lag_run(&lag, &c, 5, 7, -1, 4000, why), 0);
	assert_string_equal(why, "zone home.: serial 5 behind 7 (primary 192.0.2.1) for 3.0 s");
	/* The primary falls silent: its 7 still counts, the lag goes on. */
	assert_int_equal(lag_run(&lag, &c, 5, -1, -1, 15500, why), 0);
	assert_string_equal(why, "zone home.: serial 5 behind 7 (primary 192.0.2.1) for 14 s");
	/* Caught up with 6 only: still lacks 7, seen first at 1 s. */
	assert_int_equal(lag_run(&lag, &c, 6, -1, -1, 16000, why), 0);
	assert_string_equal(why, "zone home.: serial 6 behind 7 (primary 192.0.2.1) for 15 s");
	assert_int_equal(lag_run(&lag, &c, 7, -1, -1, 16200, why), 1);
	assert_string_equal(why, "");
	assert_int_equal(lag.n_hist, 0);
	/* Ahead of the primaries (a transfer the check has not seen there yet). */
	assert_int_equal(lag_run(&lag, &c, 8, 7, 7, 16400, why), 1);

	/*
	 * A zone that changes every second and transfers in 1.5 s: always
	 * behind the newest, never lacking a version for 3 s.
	 */
	for (i = 0; i < 20; i++) {
		assert_int_equal(lag_run(&lag, &c, 8 + i, 8 + i + 1, 8 + i + 2,
		    20000 + i * 1000, why), 1);
		assert_int_equal(lag_run(&lag, &c, 8 + i, 8 + i + 2, -1,
		    20500 + i * 1000, why), 1);
	}
	/*
	 * The server stops following at 27: the lag counts from the oldest
	 * serial it lacks, 28, which the second primary showed at 38 s.
	 */
	assert_int_equal(lag_run(&lag, &c, 27, 30, -1, 40000, why), 1);
	assert_int_equal(lag_run(&lag, &c, 27, 31, 31, 40999, why), 1);
	assert_int_equal(lag_run(&lag, &c, 27, 31, 31, 41000, why), 0);
	assert_int_equal(lag_run(&lag, &c, 27, 31, 31, 42400, why), 0);
	assert_string_equal(why, "zone home.: serial 27 behind 31 (primary 192.0.2.1) for 4.4 s");
	/* The newest serial is the second primary's: it is named. */
	assert_int_equal(lag_run(&lag, &c, 27, 31, 32, 42600, why), 0);
	assert_string_equal(why, "zone home.: serial 27 behind 32 (primary 192.0.2.2@5300) for 4.6 s");

	/* Both primaries went back to 20 (restored): 28..32 exist nowhere now. */
	assert_int_equal(lag_run(&lag, &c, 27, 20, 20, 43000, why), 1);
	assert_int_equal(lag.n_hist, 0);

	/* Wrap-around (RFC 1982): 0xffffffff is before 2. */
	memset(&lag, 0, sizeof(lag));
	assert_int_equal(lag_run(&lag, &c, 0xffffffffu, 2, -1, 0, why), 1);
	assert_int_equal(lag_run(&lag, &c, 0xffffffffu, 2, -1, 3000, why), 0);
	assert_string_equal(why, "zone home.: serial 4294967295 behind 2 (primary 192.0.2.1) for 3.0 s");
	assert_int_equal(lag_run(&lag, &c, 3, 2, -1, 3100, why), 1);

	/* More new serials than the history holds: the oldest time is kept. */
	memset(&lag, 0, sizeof(lag));
	for (i = 0; i < 3 * CHECK_ZONE_HISTORY; i++)
		assert_int_equal(lag_run(&lag, &c, 1, 2 + i, -1, i * 10, why), 1);
	assert_int_equal(lag.n_hist, CHECK_ZONE_HISTORY);
	assert_int_equal(lag_run(&lag, &c, 1, 100, -1, 3000, why), 0);
	assert_string_equal(why, "zone home.: serial 1 behind 100 (primary 192.0.2.1) for 3.0 s");
	assert_int_equal(lag_run(&lag, &c, 100, -1, -1, 3000, why), 1);
	assert_int_equal(lag.n_hist, 0);

	/* max-lag 0: any lag fails, at once. */
	assert_int_equal(check_conf_parse("zone 127.0.0.1 home primary 192.0.2.1 max-lag 0s",
	    &c, err, sizeof(err)), 0);
	memset(&lag, 0, sizeof(lag));
	assert_int_equal(lag_run(&lag, &c, 5, 5, -1, 0, why), 1);
	assert_int_equal(lag_run(&lag, &c, 5, 6, -1, 10, why), 0);
	assert_string_equal(why, "zone home.: serial 5 behind 6 (primary 192.0.2.1) for 0.0 s");
	/* No primaries: the serial is not compared. */
	assert_int_equal(check_conf_parse("zone 127.0.0.1 home", &c, err, sizeof(err)), 0);
	memset(&lag, 0, sizeof(lag));
	assert_int_equal(lag_run(&lag, &c, 5, 6, 7, 10000, why), 1);
	assert_int_equal(lag.n_hist, 0);
}

/* One run of the expiry: the served SOA, primaries 0 and 1 (-1: silent), react 800 ms. */
static int
exp_run(struct check_zone_lag *lag, const struct check_conf *c, uint32_t served,
    uint32_t refresh, uint32_t expire, long long p0, long long p1, rtime_t now_ms, char *why)
{
	struct check_zone_soa soa = { served, refresh, 1, expire, 60 };
	bool answered[CHECK_ZONE_PRIMARIES] = { p0 >= 0, p1 >= 0 };
	uint32_t serials[CHECK_ZONE_PRIMARIES] = { (uint32_t)p0, (uint32_t)p1 };

	memset(why, 'x', 160);
	return check_zone_expiry_update(lag, c, &soa, answered, serials, 800 * RTIME_MS,
	    1000 * RTIME_SEC + now_ms * RTIME_MS, why, 160);
}

static void
test_zone_expiry(void **state)
{
	struct check_zone_lag lag;
	struct check_conf c;
	char why[160], err[256];

	(void)state;
	assert_int_equal(check_conf_parse("zone 127.0.0.1 home primary 192.0.2.1 "
	    "primary 192.0.2.2@5300", &c, err, sizeof(err)), 0);
	assert_int_equal(c.expire_margin, -1);
	/* The margin: 10 % of EXPIRE, or twice the reaction when that is more. */
	assert_int_equal(check_zone_margin(&c, 10, 800 * RTIME_MS), 1600 * RTIME_MS);
	assert_int_equal(check_zone_margin(&c, 100, 800 * RTIME_MS), 10 * RTIME_SEC);
	assert_int_equal(check_zone_margin(&c, 1209600, 2 * RTIME_SEC), 120960 * RTIME_SEC);
	assert_int_equal(check_zone_margin(&c, 0, 0), 0);

	/*
	 * SOA refresh 2 s, expire 10 s: the copy may expire 8 s after the
	 * last confirmation; margin 1.6 s, so the check fails past 6.4 s.
	 * The first run has heard nothing: silence counts from it.
	 */
	memset(&lag, 0, sizeof(lag));
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 0, why), 1);
	assert_string_equal(why, "");
	assert_true(lag.started);
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 6400, why), 1);
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 6401, why), 0);
	assert_string_equal(why, "zone home.: primaries silent for 6.4 s, the copy may expire "
	    "in 1.5 s (SOA refresh 2 s, expire 10 s, margin 1.6 s)");
	/* The second primary shows the served serial: confirmed, it starts over. */
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, 5, 7000, why), 1);
	assert_string_equal(why, "");
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 13400, why), 1);
	/* Answers with another serial do not confirm (newer: the lag's; older: doubtful). */
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, 6, 4, 13401, why), 0);
	assert_string_equal(why, "zone home.: no primary has shown serial 5 for 6.4 s, the copy "
	    "may expire in 1.5 s (SOA refresh 2 s, expire 10 s, margin 1.6 s)");
	/* Past the window: it may be gone already (SERVFAIL will say). */
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 16000, why), 0);
	assert_string_equal(why, "zone home.: primaries silent for 9.0 s, the copy may have "
	    "expired (SOA refresh 2 s, expire 10 s, margin 1.6 s)");
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, 5, -1, 16200, why), 1);

	/*
	 * EXPIRE changes with the served version: 1 h leaves a long window
	 * (margin 6 min); a new version with 10 s makes 100 s of silence
	 * fail at once.
	 */
	assert_int_equal(exp_run(&lag, &c, 6, 2, 3600, 6, 6, 20000, why), 1);
	assert_int_equal(exp_run(&lag, &c, 6, 2, 3600, -1, -1, 120000, why), 1);
	assert_int_equal(exp_run(&lag, &c, 6, 2, 3600, -1, -1, 20000 + 3238000, why), 1);
	assert_int_equal(exp_run(&lag, &c, 6, 2, 3600, -1, -1, 20000 + 3238001, why), 0);
	assert_string_equal(why, "zone home.: primaries silent for 3238 s, the copy may expire "
	    "in 359 s (SOA refresh 2 s, expire 3600 s, margin 360 s)");
	assert_int_equal(exp_run(&lag, &c, 7, 2, 3600, -1, -1, 120000, why), 1);
	assert_int_equal(exp_run(&lag, &c, 7, 2, 10, -1, -1, 120000, why), 0);
	assert_string_equal(why, "zone home.: primaries silent for 100 s, the copy may have "
	    "expired (SOA refresh 2 s, expire 10 s, margin 1.6 s)");
	/* A long REFRESH eats the window: refresh 9 s of 10 leaves 1 s < margin. */
	assert_int_equal(exp_run(&lag, &c, 7, 9, 10, 7, -1, 121000, why), 1);
	assert_int_equal(exp_run(&lag, &c, 7, 9, 10, -1, -1, 121200, why), 0);
	/* REFRESH longer than EXPIRE: only a confirming run passes. */
	assert_int_equal(exp_run(&lag, &c, 7, 20, 10, -1, 7, 122000, why), 1);
	assert_int_equal(exp_run(&lag, &c, 7, 20, 10, -1, -1, 122001, why), 0);

	/* An explicit margin: 0s fails only once the window is over. */
	assert_int_equal(check_conf_parse("zone 127.0.0.1 home primary 192.0.2.1 "
	    "expire-margin 0s", &c, err, sizeof(err)), 0);
	assert_int_equal(check_zone_margin(&c, 1209600, 2 * RTIME_SEC), 0);
	memset(&lag, 0, sizeof(lag));
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, 5, -1, 0, why), 1);
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 8000, why), 1);
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 8001, why), 0);
	assert_string_equal(why, "zone home.: primaries silent for 8.0 s, the copy may have "
	    "expired (SOA refresh 2 s, expire 10 s, margin 0.0 s)");
	assert_int_equal(check_conf_parse("zone 127.0.0.1 home primary 192.0.2.1 "
	    "expire-margin 3s", &c, err, sizeof(err)), 0);
	memset(&lag, 0, sizeof(lag));
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 0, why), 1);
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 5000, why), 1);
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 5001, why), 0);

	/* Without primaries: nothing to hear, SERVFAIL is the only signal. */
	assert_int_equal(check_conf_parse("zone 127.0.0.1 home", &c, err, sizeof(err)), 0);
	memset(&lag, 0, sizeof(lag));
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 0, why), 1);
	assert_int_equal(exp_run(&lag, &c, 5, 2, 10, -1, -1, 1000000, why), 1);
	assert_string_equal(why, "");
	assert_false(lag.started);
}

/* A UDP SOA server for home. on loopback. */
struct soa_server {
	ev_io		 io;
	int		 fd;
	uint16_t	 port;
	uint32_t	 serial;
	unsigned	 rcode;
	bool		 aa;
	bool		 silent;
	int		 queries;
};

static void
soa_server_cb(struct ev_loop *l, ev_io *w, int revents)
{
	struct soa_server *s = w->data;
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	uint8_t in[512], out[512];
	ssize_t n;
	size_t len;

	(void)l;
	(void)revents;
	n = recvfrom(s->fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fromlen);
	if (n <= 12)
		return;
	s->queries++;
	/* Our check asks for home./SOA: the query as we expect it. */
	len = check_dns_query(out, sizeof(out), (uint16_t)(in[0] << 8 | in[1]), "home", 6);
	assert_int_equal((size_t)n, len);
	assert_memory_equal(in + 2, out + 2, len - 2);
	if (s->silent)
		return;
	len = soa_reply(out, sizeof(out), (uint16_t)(in[0] << 8 | in[1]), "home",
	    s->rcode, s->aa, s->rcode == 0 ? &s->serial : NULL);
	sendto(s->fd, out, len, 0, (struct sockaddr *)&from, fromlen);
}

static bool
soa_server_open_af(struct soa_server *s, uint32_t serial, int family)
{
	memset(s, 0, sizeof(*s));
	s->serial = serial;
	s->aa = true;
	if ((s->fd = bind_loopback(family, SOCK_DGRAM, &s->port)) == -1)
		return false;
	ev_io_init(&s->io, soa_server_cb, s->fd, EV_READ);
	s->io.data = s;
	ev_io_start(loop, &s->io);
	return true;
}

static void
soa_server_open(struct soa_server *s, uint32_t serial)
{
	assert_true(soa_server_open_af(s, serial, AF_INET));
}

static void
soa_server_close(struct soa_server *s)
{
	ev_io_stop(loop, &s->io);
	close(s->fd);
}

/* One run of a kept check: its result, the reason in res. */
static enum check_result
zone_run(struct check *ck, struct result *res)
{
	int calls = res->calls;

	check_run(ck);
	run_until(&res->calls, calls + 1, 5000);
	assert_int_equal(res->calls, calls + 1);
	assert_false(check_busy(ck));
	return res->result;
}

static void
test_zone_probe(void **state)
{
	struct soa_server srv, pri;
	struct result res;
	struct check *ck;
	char words[256], want[256];
	uint16_t dead;
	int fd;

	(void)state;
	soa_server_open(&srv, 5);
	soa_server_open(&pri, 5);

	/* The server alone. */
	snprintf(words, sizeof(words), "zone 127.0.0.1@%u home", srv.port);
	expect_pass(words, 1000 * RTIME_MS);
	srv.rcode = 2;
	expect_fail(words, 1000 * RTIME_MS, "rcode SERVFAIL", &res);
	assert_true(res.latency < 500 * RTIME_MS);
	srv.rcode = 0;
	srv.aa = false;
	expect_fail(words, 1000 * RTIME_MS, "no AA", &res);
	srv.aa = true;
	srv.silent = true;
	expect_fail(words, 200 * RTIME_MS, "timeout 200 ms", &res);
	assert_true(res.latency >= 195 * RTIME_MS);
	srv.silent = false;
	/* A closed port: refused at once (ICMP). */
	fd = bind_loopback(AF_INET, SOCK_DGRAM, &dead);
	assert_true(fd != -1);
	close(fd);
	snprintf(words, sizeof(words), "zone 127.0.0.1@%u home", dead);
	expect_fail(words, 1000 * RTIME_MS, "connection refused", &res);

	/* With a primary, kept between runs, max-lag 300 ms. */
	snprintf(words, sizeof(words), "zone 127.0.0.1@%u home primary 127.0.0.1@%u "
	    "max-lag 300ms", srv.port, pri.port);
	ck = new_check(words, 200 * RTIME_MS, &res);
	assert_int_equal(zone_run(ck, &res), CHECK_PASS);
	assert_true(res.latency < 150 * RTIME_MS);	/* both answered: no wait */
	assert_int_equal(srv.queries, 5);
	assert_int_equal(pri.queries, 1);
	pri.serial = 7;
	assert_int_equal(zone_run(ck, &res), CHECK_PASS);	/* behind, not for long */
	run_for(320);
	assert_int_equal(zone_run(ck, &res), CHECK_FAIL);
	snprintf(want, sizeof(want), "zone home.: serial 5 behind 7 (primary 127.0.0.1@%u) for 0.",
	    pri.port);
	assert_int_equal(strncmp(res.reason, want, strlen(want)), 0);
	/* The primary falls silent: the run waits for it, and it is still 7 there. */
	pri.silent = true;
	assert_int_equal(zone_run(ck, &res), CHECK_FAIL);
	assert_true(res.latency >= 195 * RTIME_MS);
	assert_non_null(strstr(res.reason, "serial 5 behind 7"));
	/* A primary that answers SERVFAIL says nothing either. */
	pri.silent = false;
	pri.rcode = 2;
	assert_int_equal(zone_run(ck, &res), CHECK_FAIL);
	/* The server catches up. */
	srv.serial = 7;
	assert_int_equal(zone_run(ck, &res), CHECK_PASS);
	assert_string_equal(res.reason, "");
	/* The server fails while the primary is silent: its own reason. */
	pri.silent = true;
	srv.rcode = 2;
	assert_int_equal(zone_run(ck, &res), CHECK_FAIL);
	assert_string_equal(res.reason, "rcode SERVFAIL");
	assert_true(res.latency < 150 * RTIME_MS);
	assert_int_equal(check_skipped(ck), 0);
	check_free(ck);

	/* A primary we cannot reach (ICMP) does not hold the run up. */
	srv.rcode = 0;
	snprintf(words, sizeof(words), "zone 127.0.0.1@%u home primary 127.0.0.1@%u",
	    srv.port, dead);
	ck = new_check(words, 1000 * RTIME_MS, &res);
	assert_int_equal(zone_run(ck, &res), CHECK_PASS);
	assert_true(res.latency < 500 * RTIME_MS);
	/* Freed with a run in flight: no callback. */
	pri.silent = true;
	snprintf(words, sizeof(words), "zone 127.0.0.1@%u home primary 127.0.0.1@%u",
	    srv.port, pri.port);
	check_free(ck);
	ck = new_check(words, 1000 * RTIME_MS, &res);
	check_run(ck);
	run_for(50);
	assert_true(check_busy(ck));
	check_free(ck);
	run_for(50);
	assert_int_equal(res.calls, 0);
	soa_server_close(&srv);
	soa_server_close(&pri);
}

/*
 * The expiry through the probe: SOA refresh 0, expire 1 s, the service's
 * reaction 100 ms (margin 200 ms): a silent primary fails the check once
 * it has been silent for more than 800 ms, counted from the first run.
 */
static void
test_zone_probe_expiry(void **state)
{
	struct soa_server srv, pri;
	struct result res;
	struct check *ck;
	char words[256];
	rtime_t t0;
	int runs = 0;

	(void)state;
	soa_timers[0] = 0;
	soa_timers[2] = 1;
	soa_server_open(&srv, 5);
	soa_server_open(&pri, 5);
	pri.silent = true;
	snprintf(words, sizeof(words), "zone 127.0.0.1@%u home primary 127.0.0.1@%u",
	    srv.port, pri.port);
	ck = new_check(words, 100 * RTIME_MS, &res);
	check_set_reaction(ck, 100 * RTIME_MS);
	t0 = clock_mono_now();
	while (zone_run(ck, &res) == CHECK_PASS) {
		assert_true(++runs < 30);
		run_for(50);
	}
	/* Each run waits 100 ms for the primary: the first ends at 100 ms. */
	assert_true(clock_mono_now() - t0 >= 900 * RTIME_MS);
	assert_true(clock_mono_now() - t0 < 1500 * RTIME_MS);
	assert_non_null(strstr(res.reason, "zone home.: primaries silent for 0."));
	assert_non_null(strstr(res.reason, "(SOA refresh 0 s, expire 1 s, margin 0.2 s)"));
	/* The primary answers with the served serial: passes at once. */
	pri.silent = false;
	assert_int_equal(zone_run(ck, &res), CHECK_PASS);
	assert_string_equal(res.reason, "");
	/* It answers with another serial: the lag is fine (300 s), not the expiry. */
	pri.serial = 6;
	run_for(850);
	assert_int_equal(zone_run(ck, &res), CHECK_FAIL);
	assert_non_null(strstr(res.reason, "zone home.: no primary has shown serial 5 for 0."));
	check_free(ck);
	soa_server_close(&srv);
	soa_server_close(&pri);
	soa_timers[0] = 3600;
	soa_timers[2] = 1209600;
}

/* A server on IPv4, its primary on IPv6 (one socket each, of its family). */
static void
test_zone_ipv6(void **state)
{
	struct soa_server srv, pri;
	struct result res;
	struct check *ck;
	char words[256];

	(void)state;
	if (!soa_server_open_af(&pri, 9, AF_INET6))
		skip();
	soa_server_open(&srv, 8);
	snprintf(words, sizeof(words), "zone 127.0.0.1@%u home primary [::1]@%u max-lag 0s",
	    srv.port, pri.port);
	ck = new_check(words, 1000 * RTIME_MS, &res);
	assert_int_equal(zone_run(ck, &res), CHECK_FAIL);
	snprintf(words, sizeof(words), "zone home.: serial 8 behind 9 (primary [::1]@%u) for 0.0 s",
	    pri.port);
	assert_string_equal(res.reason, words);
	assert_int_equal(pri.queries, 1);
	srv.serial = 9;
	assert_int_equal(zone_run(ck, &res), CHECK_PASS);
	check_free(ck);
	/* And the other way round. */
	snprintf(words, sizeof(words), "zone [::1]@%u home primary 127.0.0.1@%u", pri.port,
	    srv.port);
	expect_pass(words, 1000 * RTIME_MS);
	soa_server_close(&srv);
	soa_server_close(&pri);
}

static void
test_tcp(void **state)
{
	struct result res;
	char words[128];
	uint16_t port;
	int fd;

	(void)state;
	assert_true((fd = bind_loopback(AF_INET, SOCK_STREAM, &port)) != -1);
	assert_int_equal(listen(fd, 8), 0);
	snprintf(words, sizeof(words), "tcp 127.0.0.1:%u", port);
	expect_pass(words, 1000 * RTIME_MS);
	close(fd);
	expect_fail(words, 1000 * RTIME_MS, "connection refused", &res);
	assert_true(res.latency < 100 * RTIME_MS);

	if ((fd = bind_loopback(AF_INET6, SOCK_STREAM, &port)) == -1)
		return;
	assert_int_equal(listen(fd, 8), 0);
	snprintf(words, sizeof(words), "tcp [::1]:%u", port);
	expect_pass(words, 1000 * RTIME_MS);
	close(fd);
	expect_fail(words, 1000 * RTIME_MS, "connection refused", &res);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_exec(void **state)
{
	struct result res;
	char words[512], path[128];

	(void)state;
	expect_pass("exec /bin/true", 1000 * RTIME_MS);
	expect_pass("exec /bin/sh -c exit", 1000 * RTIME_MS);
	expect_fail("exec /bin/false", 1000 * RTIME_MS, "exit status 1", &res);
	expect_fail("exec /bin/sh -c false", 1000 * RTIME_MS, "exit status 1", &res);
	/* Quoted words reach the program as they were parsed, not split again. */
	expect_fail("exec /bin/sh -c \"exit 3\"", 1000 * RTIME_MS, "exit status 3", &res);
	expect_fail("exec /bin/sh -c 'test \"$0\" = \"a  b\" && exit 4' 'a  b'",
	    1000 * RTIME_MS, "exit status 4", &res);
	expect_fail("exec /nonexistent/check", 1000 * RTIME_MS,
	    "cannot execute /nonexistent/check: No such file or directory", &res);
	assert_true(res.latency < 500 * RTIME_MS);

	snprintf(path, sizeof(path), "%s/noexec", tmpdir);
	write_file(path, "#!/bin/sh\nexit 0\n", 0644);
	snprintf(words, sizeof(words), "exec %s", path);
	snprintf(path, sizeof(path), "cannot execute %s/noexec: Permission denied",
	    tmpdir);
	expect_fail(words, 1000 * RTIME_MS, path, &res);

	snprintf(path, sizeof(path), "%s/status3", tmpdir);
	write_file(path, "#!/bin/sh\nexit $1\n", 0755);
	snprintf(words, sizeof(words), "exec %s 3", path);
	expect_fail(words, 1000 * RTIME_MS, "exit status 3", &res);

	snprintf(path, sizeof(path), "%s/term", tmpdir);
	write_file(path, "#!/bin/sh\nkill -TERM $$\nsleep 5\n", 0755);
	snprintf(words, sizeof(words), "exec %s", path);
	expect_fail(words, 2000 * RTIME_MS, "killed by signal 15", &res);
}

static void
test_exec_timeout(void **state)
{
	struct result res;
	char words[512], path[128];

	(void)state;
	expect_fail("exec /bin/sleep 5", 200 * RTIME_MS,
	    "killed after timeout 200 ms", &res);
	assert_true(res.latency >= 195 * RTIME_MS);
	assert_true(res.latency < 400 * RTIME_MS);

	/* The whole group goes: a shell waiting on its own child. */
	snprintf(path, sizeof(path), "%s/group", tmpdir);
	write_file(path, "#!/bin/sh\n/bin/sleep 5\n/bin/sleep 5\n", 0755);
	snprintf(words, sizeof(words), "exec %s", path);
	expect_fail(words, 200 * RTIME_MS, "killed after timeout 200 ms", &res);
	assert_true(res.latency < 400 * RTIME_MS);
}

/*
 * What the command inherits: stdio on /dev/null, no other fds, default
 * signal dispositions and mask, a process group of its own.
 */
static void
test_exec_environment(void **state)
{
	struct result res;
	char words[512], path[128];
	sigset_t set, old;
	int leak;

	(void)state;
	snprintf(path, sizeof(path), "%s/env", tmpdir);
	write_file(path,
	    "#!/bin/sh\n"
	    /*
	     * The shell's signal masks, read first and by builtins only: while
	     * dash waits for a child (grep, $(...)) it blocks SIGCHLD itself,
	     * so reading /proc/$$/status from a child raced with that wait and
	     * failed now and then (exit 14).
	     */
	    "while read -r k v; do case $k in SigBlk:) blk=$v;; SigIgn:) ign=$v;; esac;"
	    " done </proc/$$/status\n"
	    "[ \"$(readlink /proc/$$/fd/0)\" = /dev/null ] || exit 10\n"
	    "[ \"$(readlink /proc/$$/fd/1)\" = /dev/null ] || exit 11\n"
	    "[ \"$(readlink /proc/$$/fd/2)\" = /dev/null ] || exit 12\n"
	    "[ ! -e /proc/$$/fd/$1 ] || exit 13\n"
	    "case $blk in *[!0]*|'') exit 14;; esac\n"
	    "case $ign in *[!0]*|'') exit 15;; esac\n"
	    "[ \"$(cut -d' ' -f5 /proc/$$/stat)\" != \"$2\" ] || exit 16\n"
	    "exit 0\n", 0755);
	/* An fd without CLOEXEC, a blocked and an ignored signal. */
	assert_true((leak = open("/dev/zero", O_RDONLY)) >= 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
	assert_true(signal(SIGUSR2, SIG_IGN) != SIG_ERR);

	snprintf(words, sizeof(words), "exec %s %d %d", path, leak, (int)getpgrp());
	run_check(words, 2000 * RTIME_MS, &res);
	if (res.result != CHECK_PASS)
		fail_msg("%s: %s", words, res.reason);

	signal(SIGUSR2, SIG_DFL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(leak);
}

/*
 * libev's default loop reaps every child it is told about by SIGCHLD; the
 * exit status must still reach us, every time.
 */
static void
test_exec_many(void **state)
{
	struct result res;
	struct check *ck;
	int i;

	(void)state;
	ck = new_check("exec /bin/true", 1000 * RTIME_MS, &res);
	for (i = 0; i < 40; i++) {
		check_run(ck);
		run_until(&res.calls, i + 1, 2000);
		assert_int_equal(res.calls, i + 1);
		if (res.result != CHECK_PASS)
			fail_msg("run %d: %s", i, res.reason);
	}
	check_free(ck);
	ck = new_check("exec /bin/false", 1000 * RTIME_MS, &res);
	for (i = 0; i < 20; i++) {
		check_run(ck);
		run_until(&res.calls, i + 1, 2000);
		assert_int_equal(res.result, CHECK_FAIL);
		assert_string_equal(res.reason, "exit status 1");
	}
	check_free(ck);
}

static void
test_busy_skipped(void **state)
{
	struct result res;
	struct check *ck;

	(void)state;
	ck = new_check("exec /bin/sleep 5", 200 * RTIME_MS, &res);
	check_run(ck);
	assert_true(check_busy(ck));
	check_run(ck);
	check_run(ck);
	assert_int_equal(check_skipped(ck), 2);
	run_until(&res.calls, 1, 2000);
	run_for(300);
	assert_int_equal(res.calls, 1);
	assert_false(check_busy(ck));
	assert_string_equal(res.reason, "killed after timeout 200 ms");
	/* The next run starts afresh. */
	check_run(ck);
	assert_true(check_busy(ck));
	assert_int_equal(check_skipped(ck), 2);
	run_until(&res.calls, 2, 2000);
	assert_int_equal(res.calls, 2);
	check_free(ck);
}

static bool
pid_gone(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* A zombie is gone too; reaping an orphan is init's business. */
	return (p = strrchr(buf, ')')) != NULL && p[1] == ' ' && p[2] == 'Z';
}

static pid_t
read_pid(const char *path)
{
	FILE *f;
	int pid = -1;

	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fscanf(f, "%d", &pid) != 1)
		pid = -1;
	fclose(f);
	return pid;
}

/* Freed in flight: no callback, and the command is killed. */
static void
test_free_in_flight(void **state)
{
	struct responder r;
	struct result res;
	struct check *ck;
	char words[512], path[128], pidfile[128];
	pid_t pid = -1;
	int i;

	(void)state;
	snprintf(path, sizeof(path), "%s/pidsleep", tmpdir);
	snprintf(pidfile, sizeof(pidfile), "%s/pidsleep.pid", tmpdir);
	write_file(path, "#!/bin/sh\necho $$ > $1\nexec /bin/sleep 5\n", 0755);
	snprintf(words, sizeof(words), "exec %s %s", path, pidfile);
	ck = new_check(words, 5000 * RTIME_MS, &res);
	check_run(ck);
	for (i = 0; i < 100 && (pid = read_pid(pidfile)) <= 0; i++)
		run_for(10);
	assert_true(pid > 0);
	assert_false(pid_gone(pid));
	check_free(ck);
	for (i = 0; i < 100 && !pid_gone(pid); i++)
		run_for(10);
	assert_true(pid_gone(pid));
	run_for(50);
	assert_int_equal(res.calls, 0);

	assert_true(responder_open(&r, AF_INET, RESP_NEVER));
	snprintf(words, sizeof(words), "dns 127.0.0.1@%u test.home", r.port);
	ck = new_check(words, 100 * RTIME_MS, &res);
	check_run(ck);
	run_for(20);
	check_free(ck);
	run_for(200);
	assert_int_equal(res.calls, 0);
	responder_close(&r);

	/* Freed with a result pending. */
	ck = new_check("process /nonexistent.pid", 100 * RTIME_MS, &res);
	check_run(ck);
	check_free(ck);
	run_for(50);
	assert_int_equal(res.calls, 0);
	check_free(NULL);
}

/* The callback may free the check, or start its next run. */
static void
test_callback_reentry(void **state)
{
	struct result res;
	struct check *ck;
	char words[128];
	uint16_t port;
	int fd;

	(void)state;
	assert_true((fd = bind_loopback(AF_INET, SOCK_DGRAM, &port)) != -1);
	close(fd);
	snprintf(words, sizeof(words), "dns 127.0.0.1@%u test.home", port);
	ck = new_check(words, 1000 * RTIME_MS, &res);
	res.ck = ck;
	res.free_in_cb = true;
	check_run(ck);
	run_until(&res.calls, 1, 2000);
	assert_int_equal(res.calls, 1);
	assert_string_equal(res.reason, "connection refused");
	assert_null(res.ck);
	run_for(20);
	assert_int_equal(res.calls, 1);

	ck = new_check("exec /bin/true", 1000 * RTIME_MS, &res);
	res.ck = ck;
	res.rerun_in_cb = 3;
	check_run(ck);
	run_until(&res.calls, 4, 4000);
	assert_int_equal(res.calls, 4);
	assert_int_equal(res.result, CHECK_PASS);
	assert_false(check_busy(ck));
	check_free(ck);
}

/* A child that sleeps until killed. */
static pid_t
sleeper(void)
{
	pid_t pid;

	if ((pid = fork()) == 0) {
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	return pid;
}

static void
write_pid(const char *path, pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	write_file(path, buf, 0644);
}

static void
reap(pid_t pid)
{
	/* The default loop's SIGCHLD handler may have been first. */
	(void)waitpid(pid, NULL, 0);
}

static void
test_process(void **state)
{
	struct result res;
	struct check *ck;
	char words[256], pidfile[128], why[128];
	pid_t pid, pid2;
	rtime_t t0;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/svc.pid", tmpdir);
	snprintf(words, sizeof(words), "process %s", pidfile);
	pid = sleeper();
	write_pid(pidfile, pid);

	ck = new_check(words, 500 * RTIME_MS, &res);
	check_run(ck);
	assert_true(check_busy(ck));
	run_until(&res.calls, 1, 1000);
	assert_int_equal(res.calls, 1);
	assert_int_equal(res.result, CHECK_PASS);
	assert_string_equal(res.reason, "");
	assert_true(res.latency < 50 * RTIME_MS);
	assert_false(check_busy(ck));
	check_run(ck);
	run_until(&res.calls, 2, 1000);
	assert_int_equal(res.result, CHECK_PASS);

	/* Death is reported at once, without a run. */
	t0 = clock_mono_now();
	kill(pid, SIGKILL);
	run_until(&res.died, 1, 1000);
	assert_int_equal(res.died, 1);
	assert_int_equal(res.calls, 2);
	assert_int_equal(res.result, CHECK_DIED);
	assert_int_equal(res.idx, 7);
	assert_true(res.at - t0 < 100 * RTIME_MS);
	snprintf(why, sizeof(why), "pid %d exited", (int)pid);
	assert_string_equal(res.reason, why);
	run_for(50);
	assert_int_equal(res.died, 1);

	/* The pid file still names it: dead, zombie or reaped. */
	check_run(ck);
	run_until(&res.calls, 3, 1000);
	assert_int_equal(res.result, CHECK_FAIL);
	snprintf(why, sizeof(why), "pid %d is not running", (int)pid);
	assert_string_equal(res.reason, why);
	reap(pid);
	check_run(ck);
	run_until(&res.calls, 4, 1000);
	assert_int_equal(res.result, CHECK_FAIL);
	assert_string_equal(res.reason, why);
	assert_int_equal(res.died, 1);

	/* Restarted: the new pid is watched. */
	pid2 = sleeper();
	write_pid(pidfile, pid2);
	check_run(ck);
	run_until(&res.calls, 5, 1000);
	assert_int_equal(res.result, CHECK_PASS);
	kill(pid2, SIGTERM);
	run_until(&res.died, 2, 1000);
	assert_int_equal(res.died, 2);
	snprintf(why, sizeof(why), "pid %d exited", (int)pid2);
	assert_string_equal(res.reason, why);
	reap(pid2);

	/* Restarted again, then the check is freed: no more callbacks. */
	pid2 = sleeper();
	write_pid(pidfile, pid2);
	check_run(ck);
	run_until(&res.calls, 6, 1000);
	assert_int_equal(res.result, CHECK_PASS);
	check_free(ck);
	kill(pid2, SIGKILL);
	reap(pid2);
	run_for(50);
	assert_int_equal(res.died, 2);
	assert_int_equal(res.calls, 6);
}

/* A pid file that changes while the old process lives on. */
static void
test_process_switch(void **state)
{
	struct result res;
	struct check *ck;
	char words[256], pidfile[128], why[128];
	pid_t a, b;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/switch.pid", tmpdir);
	snprintf(words, sizeof(words), "process %s", pidfile);
	a = sleeper();
	b = sleeper();
	write_pid(pidfile, a);
	ck = new_check(words, 500 * RTIME_MS, &res);
	check_run(ck);
	run_until(&res.calls, 1, 1000);
	assert_int_equal(res.result, CHECK_PASS);
	write_pid(pidfile, b);
	check_run(ck);
	run_until(&res.calls, 2, 1000);
	assert_int_equal(res.result, CHECK_PASS);
	/* a is no longer watched. */
	kill(a, SIGKILL);
	reap(a);
	run_for(50);
	assert_int_equal(res.died, 0);
	kill(b, SIGKILL);
	run_until(&res.died, 1, 1000);
	snprintf(why, sizeof(why), "pid %d exited", (int)b);
	assert_string_equal(res.reason, why);
	reap(b);
	check_free(ck);
}

static void
test_process_bad(void **state)
{
	static const char *const garbage[] = {
		"", "\n", "abc\n", "12abc\n", "0\n", "-5\n", "+5\n", "42 43\n",
		"99999999999\n", "1.5\n",
		"1                                                                 \n",
	};
	struct result res;
	char words[256], pidfile[128], why[256];
	pid_t pid;
	size_t i;

	(void)state;
	snprintf(pidfile, sizeof(pidfile), "%s/nope.pid", tmpdir);
	snprintf(words, sizeof(words), "process %s", pidfile);
	snprintf(why, sizeof(why), "cannot read %s: No such file or directory",
	    pidfile);
	expect_fail(words, 500 * RTIME_MS, why, &res);

	snprintf(pidfile, sizeof(pidfile), "%s/bad.pid", tmpdir);
	snprintf(words, sizeof(words), "process %s", pidfile);
	snprintf(why, sizeof(why), "bad pid file %s", pidfile);
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		write_file(pidfile, garbage[i], 0644);
		expect_fail(words, 500 * RTIME_MS, why, &res);
	}
	/* A directory. */
	snprintf(words, sizeof(words), "process %s", tmpdir);
	snprintf(why, sizeof(why), "cannot read %s: Is a directory", tmpdir);
	expect_fail(words, 500 * RTIME_MS, why, &res);

	/* White space around the pid is fine; pid 1 is always there. */
	snprintf(words, sizeof(words), "process %s", pidfile);
	write_file(pidfile, " 1 \n", 0644);
	expect_pass(words, 500 * RTIME_MS);

	/* A pid nobody has. */
	if ((pid = fork()) == 0)
		_exit(0);
	assert_true(pid > 0);
	reap(pid);
	write_pid(pidfile, pid);
	snprintf(why, sizeof(why), "pid %d is not running", (int)pid);
	expect_fail(words, 500 * RTIME_MS, why, &res);
}

static int
setup(void **state)
{
	(void)state;
	loop = EV_DEFAULT;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_check.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_exec_quoting),
		cmocka_unit_test(test_exec_quoting_conf),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_bad_limits),
		cmocka_unit_test(test_dns_query),
		cmocka_unit_test(test_dns_reply),
		cmocka_unit_test(test_dns_pass),
		cmocka_unit_test(test_dns_rcode),
		cmocka_unit_test(test_dns_not_ours),
		cmocka_unit_test(test_dns_timeout),
		cmocka_unit_test(test_dns_refused),
		cmocka_unit_test(test_dns_ipv6),
		cmocka_unit_test(test_zone_reply),
		cmocka_unit_test(test_serial_arith),
		cmocka_unit_test(test_zone_lag),
		cmocka_unit_test(test_zone_expiry),
		cmocka_unit_test(test_zone_probe),
		cmocka_unit_test(test_zone_probe_expiry),
		cmocka_unit_test(test_zone_ipv6),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_exec_timeout),
		cmocka_unit_test(test_exec_environment),
		cmocka_unit_test(test_exec_many),
		cmocka_unit_test(test_busy_skipped),
		cmocka_unit_test(test_free_in_flight),
		cmocka_unit_test(test_callback_reentry),
		cmocka_unit_test(test_process),
		cmocka_unit_test(test_process_switch),
		cmocka_unit_test(test_process_bad),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
