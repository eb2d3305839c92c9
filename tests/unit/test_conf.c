/*
 * test_conf.c - tests of the ripd.conf parser (src/rip/conf.c): the seed's
 * ripd.conf and zebra.conf, every statement with its canonical print and
 * its warning, every error with its exact "name:line: message", context
 * fallback, comments, CRLF, limits, and print -> parse -> print round trips
 * over the embedded configs and every .conf file in tests/conf.
 *
 * Example files are found under $RIPOSTE_SRCDIR, or else relative to
 * __FILE__ (the compiler's path to this file, relative to where it ran:
 * the source root or a meson build directory).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "riposted/conf.h"

#define NAME "t.conf"

/* Warnings go to this file so tests can assert on them. */
static char warn_path[] = "/tmp/test_conf_warn_XXXXXX";

static void
warn_reset(void)
{
	assert_int_equal(truncate(warn_path, 0), 0);
}

static char *
warn_read(void)
{
	FILE *f = fopen(warn_path, "r");
	char *buf = calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, 65535, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
assert_warned(const char *what)
{
	char *w = warn_read();
	if (strstr(w, what) == NULL)
		fail_msg("warning '%s' not logged; log has:\n%s", what, w);
	free(w);
}

static int
count_lines(const char *s)
{
	int n = 0;
	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static const char *
srcdir(void)
{
	static char buf[4096];
	const char *env = getenv("RIPOSTE_SRCDIR");
	const char *file = __FILE__;
	const char *tail = "tests/unit/test_conf.c";
	size_t len = strlen(file), tlen = strlen(tail);

	if (env != NULL && env[0] != '\0')
		return env;
	if (len <= tlen || strcmp(&file[len - tlen], tail) != 0 || len - tlen >= sizeof(buf))
		return ".";
	memcpy(buf, file, len - tlen);
	buf[len - tlen] = '\0';
	return buf;
}

static void
conf_path(char *out, size_t len, const char *file)
{
	snprintf(out, len, "%s/tests/conf/%s", srcdir(), file);
}

static void
parse_ok(const char *text, size_t len, struct riposted_conf *c)
{
	char err[512] = "";
	if (riposted_conf_parse_buf(NAME, text, len, c, err, sizeof(err)) != 0)
		fail_msg("parse failed: %s\n--- input:\n%s", err, text);
}

static char *
print_str(const struct riposted_conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	riposted_conf_print(f, c);
	fclose(f);
	return buf;
}

static void
assert_conf_equal(const struct riposted_conf *a, const struct riposted_conf *b)
{
	size_t i;

	assert_string_equal(a->hostname, b->hostname);
	assert_int_equal(a->log_dest, b->log_dest);
	assert_string_equal(a->log_path, b->log_path);
	assert_int_equal(a->n_metrics, b->n_metrics);
	for (i = 0; i < a->n_metrics; i++)
		assert_true(prom_listen_equal(&a->metrics[i], &b->metrics[i]));
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->rip.router_rip, b->rip.router_rip);
	assert_int_equal(a->rip.version, b->rip.version);
	assert_int_equal(a->rip.n_networks, b->rip.n_networks);
	for (i = 0; i < a->rip.n_networks; i++) {
		assert_int_equal(a->rip.networks[i].is_ifname, b->rip.networks[i].is_ifname);
		assert_string_equal(a->rip.networks[i].ifname, b->rip.networks[i].ifname);
		assert_int_equal(a->rip.networks[i].prefix.addr, b->rip.networks[i].prefix.addr);
		assert_int_equal(a->rip.networks[i].prefix.len, b->rip.networks[i].prefix.len);
	}
	assert_int_equal(a->rip.n_neighbors, b->rip.n_neighbors);
	for (i = 0; i < a->rip.n_neighbors; i++)
		assert_int_equal(a->rip.neighbors[i], b->rip.neighbors[i]);
	assert_int_equal(a->rip.passive_default, b->rip.passive_default);
	assert_int_equal(a->rip.n_passive, b->rip.n_passive);
	for (i = 0; i < a->rip.n_passive; i++)
		assert_string_equal(a->rip.passive[i], b->rip.passive[i]);
	assert_int_equal(a->rip.n_nopassive, b->rip.n_nopassive);
	for (i = 0; i < a->rip.n_nopassive; i++)
		assert_string_equal(a->rip.nopassive[i], b->rip.nopassive[i]);
	for (i = 0; i < RIP_REDIST_COUNT; i++) {
		assert_int_equal(a->rip.redist[i].enabled, b->rip.redist[i].enabled);
		assert_int_equal(a->rip.redist[i].metric, b->rip.redist[i].metric);
	}
	assert_int_equal(a->rip.default_originate, b->rip.default_originate);
	assert_int_equal(a->rip.default_metric, b->rip.default_metric);
	assert_int_equal(a->rip.t_update, b->rip.t_update);
	assert_int_equal(a->rip.t_timeout, b->rip.t_timeout);
	assert_int_equal(a->rip.t_garbage, b->rip.t_garbage);
	assert_int_equal(a->rip.allow_ecmp, b->rip.allow_ecmp);
	assert_int_equal(a->rip.n_ifaces, b->rip.n_ifaces);
	for (i = 0; i < a->rip.n_ifaces; i++) {
		assert_string_equal(a->rip.ifaces[i].name, b->rip.ifaces[i].name);
		assert_int_equal(a->rip.ifaces[i].split_horizon, b->rip.ifaces[i].split_horizon);
		assert_int_equal(a->rip.ifaces[i].send_version, b->rip.ifaces[i].send_version);
		assert_int_equal(a->rip.ifaces[i].recv_version, b->rip.ifaces[i].recv_version);
		assert_int_equal(a->rip.ifaces[i].bfd, b->rip.ifaces[i].bfd);
		assert_int_equal(a->rip.ifaces[i].auth_mode, b->rip.ifaces[i].auth_mode);
		assert_int_equal(a->rip.ifaces[i].md5_auth_len, b->rip.ifaces[i].md5_auth_len);
		assert_string_equal(a->rip.ifaces[i].auth_string, b->rip.ifaces[i].auth_string);
		assert_string_equal(a->rip.ifaces[i].auth_keychain, b->rip.ifaces[i].auth_keychain);
	}
	/* Key chains: the daemon's, and RIP's copy of them. */
	for (int copy = 0; copy < 2; copy++) {
		const struct keychain_set *x = copy ? &a->rip.keychains : &a->keychains;
		const struct keychain_set *y = copy ? &b->rip.keychains : &b->keychains;
		assert_int_equal(x->n, y->n);
		for (i = 0; i < x->n; i++) {
			assert_string_equal(x->chains[i].name, y->chains[i].name);
			assert_int_equal(x->chains[i].n_keys, y->chains[i].n_keys);
			for (size_t k = 0; k < x->chains[i].n_keys; k++) {
				const struct keychain_key *p = &x->chains[i].keys[k];
				const struct keychain_key *q = &y->chains[i].keys[k];
				assert_int_equal(p->id, q->id);
				assert_string_equal(p->secret, q->secret);
				assert_int_equal(p->algo, q->algo);
				assert_int_equal(p->accept.start, q->accept.start);
				assert_int_equal(p->accept.end, q->accept.end);
				assert_int_equal(p->send.start, q->send.start);
				assert_int_equal(p->send.end, q->send.end);
			}
		}
	}
	assert_int_equal(a->n_bfd_ifaces, b->n_bfd_ifaces);
	for (i = 0; i < a->n_bfd_ifaces; i++) {
		assert_string_equal(a->bfd_ifaces[i].name, b->bfd_ifaces[i].name);
		assert_int_equal(a->bfd_ifaces[i].interval_ms, b->bfd_ifaces[i].interval_ms);
		assert_int_equal(a->bfd_ifaces[i].mult, b->bfd_ifaces[i].mult);
		assert_int_equal(a->bfd_ifaces[i].auth.type, b->bfd_ifaces[i].auth.type);
		assert_string_equal(a->bfd_ifaces[i].auth.keychain, b->bfd_ifaces[i].auth.keychain);
	}
	assert_int_equal(a->n_services, b->n_services);
	for (i = 0; i < a->n_services; i++) {
		const struct service_conf *x = &a->services[i], *y = &b->services[i];
		assert_string_equal(x->svc.name, y->svc.name);
		assert_string_equal(x->ifname, y->ifname);
		assert_int_equal(x->n_addrs, y->n_addrs);
		assert_memory_equal(x->addrs, y->addrs, x->n_addrs * sizeof(x->addrs[0]));
		assert_int_equal(x->svc.rise, y->svc.rise);
		assert_int_equal(x->svc.fall, y->svc.fall);
		assert_int_equal(x->svc.interval, y->svc.interval);
		assert_int_equal(x->svc.timeout, y->svc.timeout);
		assert_int_equal(x->svc.drain_time, y->svc.drain_time);
		assert_int_equal(x->fast_interval, y->fast_interval);
		assert_int_equal(x->metric, y->metric);
		assert_int_equal(x->keep_address, y->keep_address);
		assert_int_equal(x->svc.n_checks, y->svc.n_checks);
		for (unsigned c = 0; c < x->svc.n_checks; c++)
			assert_string_equal(x->svc.check_names[c], y->svc.check_names[c]);
	}
}

/* print -> parse -> print: same text, equal structs, and no warnings. */
static void
assert_round_trip(const struct riposted_conf *c)
{
	struct riposted_conf c2;
	char *p1 = print_str(c), *p2, *w;

	warn_reset();
	parse_ok(p1, strlen(p1), &c2);
	w = warn_read();
	if (w[0] != '\0')
		fail_msg("canonical text gave warnings:\n%s\n--- text:\n%s", w, p1);
	free(w);
	assert_conf_equal(c, &c2);
	p2 = print_str(&c2);
	assert_string_equal(p1, p2);
	free(p1);
	free(p2);
	riposted_conf_free(&c2);
}

#define RIP_HEAD "router rip\n version 2\n"
#define RIP_TAIL " default-metric 1\n timers basic 30 180 120\n allow-ecmp\n!\n"

/*
 * Every statement: the input, its canonical print, and the warning it must
 * log (NULL: it must log none).
 */
static const struct stmt_case {
	const char *in;
	const char *out;
	const char *warn;
} stmt_cases[] = {
	/* top level */
	{ "hostname r1", "hostname r1\n!\n", NULL },
	{ "hostname r1\nno hostname", "", NULL },
	{ "log stdout", "log stdout\n!\n", NULL },
	{ "log stdout debugging", "log stdout debugging\n!\n", NULL },
	{ "log stdout informational", "log stdout\n!\n", NULL },
	{ "log stdout emergencies", "log stdout errors\n!\n", NULL },
	{ "log syslog", "log syslog\n!\n", NULL },
	{ "log syslog warnings", "log syslog warnings\n!\n", NULL },
	{ "log syslog notice", "log syslog notifications\n!\n", NULL },
	{ "log file /var/log/riposted.log", "log file /var/log/riposted.log\n!\n", NULL },
	{ "log file /tmp/r.log errors", "log file /tmp/r.log errors\n!\n", NULL },
	{ "log file /tmp/r.log\nlog stdout", "log stdout\n!\n",
	    NAME ":2: only one log destination is supported: 'log stdout' replaces the earlier one" },
	{ "router rip", RIP_HEAD RIP_TAIL, NULL },
	{ "interface eth0", "interface eth0\n!\n", NULL },
	{ "interface lo:0", "interface lo\n!\n",
	    NAME ":1: 'lo:0' is an address label, not an interface: using interface 'lo'" },
	{ "exit", "", NULL },
	{ "end", "", NAME ":1: 'end' is not used by riposted, ignored" },
	/* privileges (the names are looked up by riposted_conf_resolve, below) */
	{ "user nobody", "user nobody\n!\n", NULL },
	{ "user nobody\nuser daemon", "user daemon\n!\n", NULL },
	{ "check-user daemon", "check-user daemon\n!\n", NULL },
	{ "control-group adm", "control-group adm\n!\n", NULL },
	{ "control-readonly-group daemon", "control-readonly-group daemon\n!\n", NULL },
	{ "control-mode 0666", "control-mode 0666\n!\n", NULL },
	{ "control-mode 600", "control-mode 0600\n!\n", NULL },
	{ "control-mode 0660", "", NULL },
	/* metrics listen: port 9475 unless given, repeatable */
	{ "metrics listen 127.0.0.1", "metrics listen 127.0.0.1@9475\n!\n", NULL },
	{ "metrics listen [::1]@20001\nmetrics listen 0.0.0.0",
	    "metrics listen [::1]@20001\nmetrics listen 0.0.0.0@9475\n!\n", NULL },
	{ "control-mode 0", "control-mode 0000\n!\n", NULL },
	{ "hostname r1\nuser nobody\ncheck-user nobody\ncontrol-group adm\ncontrol-mode 0666\n"
	  "control-readonly-group daemon",
	    "hostname r1\nuser nobody\ncheck-user nobody\ncontrol-group adm\ncontrol-mode 0666\n"
	    "control-readonly-group daemon\n!\n", NULL },
	{ "password zebra", "", NAME ":1: 'password' is not used by riposted, ignored" },
	{ "password 8 AbCdEf", "", NAME ":1: 'password' is not used by riposted, ignored" },
	{ "enable password zebra", "",
	    NAME ":1: 'enable password' is not used by riposted, ignored" },
	{ "line vty", "", NAME ":1: 'line vty' is not used by riposted, ignored" },
	{ "line vty\n exec-timeout 0 0", "",
	    NAME ":2: line vty: 'exec-timeout' is not used by riposted, ignored" },
	{ "service password-encryption", "",
	    NAME ":1: 'service password-encryption' is not used by riposted, ignored" },
	{ "service advanced-vty", "",
	    NAME ":1: 'service advanced-vty' is not used by riposted, ignored" },
	{ "service integrated-vtysh-config", "",
	    NAME ":1: 'service integrated-vtysh-config' is not used by riposted, ignored" },
	{ "frr version 8.4.4", "", NAME ":1: 'frr version' is not used by riposted, ignored" },
	{ "frr defaults traditional", "",
	    NAME ":1: 'frr defaults' is not used by riposted, ignored" },
	{ "debug rip events", "", NAME ":1: 'debug' is not used by riposted, ignored" },
	{ "debug rip packet send detail", "", NAME ":1: 'debug' is not used by riposted, ignored" },
	{ "log timestamp precision 3", "",
	    NAME ":1: 'log timestamp precision' is not used by riposted, ignored" },
	{ "log commands", "", NAME ":1: 'log commands' is not used by riposted, ignored" },
	{ "log facility local7", "", NAME ":1: 'log facility' is not used by riposted, ignored" },
	{ "log record-priority", "",
	    NAME ":1: 'log record-priority' is not used by riposted, ignored" },
	{ "ip forwarding", "", NAME ":1: 'ip forwarding' is not used by riposted, ignored" },
	{ "no ip forwarding", "", NAME ":1: 'no ip forwarding' is not used by riposted, ignored" },
	{ "ipv6 forwarding", "", NAME ":1: 'ipv6 forwarding' is not used by riposted, ignored" },
	{ "no ipv6 forwarding", "",
	    NAME ":1: 'no ipv6 forwarding' is not used by riposted, ignored" },

	/* router rip */
	{ "router rip\n version 2", RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n no version", RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n no version 1", RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n network 10.128.0.0/16", RIP_HEAD " network 10.128.0.0/16\n" RIP_TAIL,
	    NULL },
	{ "router rip\n network 0.0.0.0/0", RIP_HEAD " network 0.0.0.0/0\n" RIP_TAIL, NULL },
	{ "router rip\n network 10.128.5.2/24", RIP_HEAD " network 10.128.5.0/24\n" RIP_TAIL,
	    NAME ":2: network 10.128.5.2/24 has host bits set: using 10.128.5.0/24" },
	{ "router rip\n network eth1", RIP_HEAD " network eth1\n" RIP_TAIL, NULL },
	{ "router rip\n network lo:0", RIP_HEAD " network lo\n" RIP_TAIL,
	    NAME ":2: 'lo:0' is an address label, not an interface: using interface 'lo'" },
	{ "router rip\n network eth1\n network 10.0.0.0/8\n network eth1\n network 10.0.0.0/8",
	    RIP_HEAD " network eth1\n network 10.0.0.0/8\n" RIP_TAIL, NULL },
	{ "router rip\n network eth1\n network 10.0.0.0/8\n no network eth1",
	    RIP_HEAD " network 10.0.0.0/8\n" RIP_TAIL, NULL },
	{ "router rip\n network 10.0.0.0/8\n no network 10.0.0.0/8", RIP_HEAD RIP_TAIL, NULL },
	/* Removals and additions across the growth steps of the arrays. */
	{ "router rip\n network a\n network b\n network c\n network d\n network e\n no network a\n"
	  " no network c\n no network b\n network f\n network g\n network h\n network i\n"
	  " no network i\n network j",
	    RIP_HEAD " network d\n network e\n network f\n network g\n network h\n network j\n"
	    RIP_TAIL, NULL },
	{ "router rip\n no network 10.0.0.0/8", RIP_HEAD RIP_TAIL,
	    NAME ":2: no network 10.0.0.0/8: not configured" },
	{ "router rip\n neighbor 10.128.8.2", RIP_HEAD " neighbor 10.128.8.2\n" RIP_TAIL, NULL },
	{ "router rip\n neighbor 10.0.0.1\n neighbor 10.0.0.2\n neighbor 10.0.0.1",
	    RIP_HEAD " neighbor 10.0.0.1\n neighbor 10.0.0.2\n" RIP_TAIL, NULL },
	{ "router rip\n neighbor 10.0.0.1\n neighbor 10.0.0.2\n no neighbor 10.0.0.1",
	    RIP_HEAD " neighbor 10.0.0.2\n" RIP_TAIL, NULL },
	{ "router rip\n no neighbor 10.0.0.1", RIP_HEAD RIP_TAIL,
	    NAME ":2: no neighbor 10.0.0.1: not configured" },
	{ "router rip\n passive-interface eth0\n passive-interface eth0",
	    RIP_HEAD " passive-interface eth0\n" RIP_TAIL, NULL },
	{ "router rip\n passive-interface default",
	    RIP_HEAD " passive-interface default\n" RIP_TAIL, NULL },
	{ "router rip\n passive-interface default\n no passive-interface default",
	    RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n passive-interface default\n no passive-interface eth1",
	    RIP_HEAD " passive-interface default\n no passive-interface eth1\n" RIP_TAIL, NULL },
	{ "router rip\n passive-interface eth1\n no passive-interface eth1",
	    RIP_HEAD " no passive-interface eth1\n" RIP_TAIL, NULL },
	{ "router rip\n no passive-interface eth1\n passive-interface eth1",
	    RIP_HEAD " passive-interface eth1\n" RIP_TAIL, NULL },
	{ "router rip\n redistribute connected", RIP_HEAD " redistribute connected\n" RIP_TAIL,
	    NULL },
	{ "router rip\n redistribute static metric 3",
	    RIP_HEAD " redistribute static metric 3\n" RIP_TAIL, NULL },
	{ "router rip\n redistribute kernel metric 0", RIP_HEAD " redistribute kernel\n" RIP_TAIL,
	    NULL },
	{ "router rip\n redistribute kernel\n redistribute connected metric 16",
	    RIP_HEAD " redistribute connected metric 16\n redistribute kernel\n" RIP_TAIL, NULL },
	{ "router rip\n redistribute static metric 3\n no redistribute static",
	    RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n redistribute static\n no redistribute static metric 3",
	    RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n default-information originate",
	    RIP_HEAD " default-information originate\n" RIP_TAIL, NULL },
	{ "router rip\n default-information originate\n no default-information originate",
	    RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n default-metric 16",
	    RIP_HEAD " default-metric 16\n timers basic 30 180 120\n allow-ecmp\n!\n", NULL },
	{ "router rip\n default-metric 5\n no default-metric", RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n default-metric 5\n no default-metric 5", RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n timers basic 5 15 10",
	    RIP_HEAD " default-metric 1\n timers basic 5 15 10\n allow-ecmp\n!\n", NULL },
	{ "router rip\n timers basic 1 2147483 2147483",
	    RIP_HEAD " default-metric 1\n timers basic 1 2147483 2147483\n allow-ecmp\n!\n", NULL },
	{ "router rip\n timers basic 5 15 10\n no timers basic", RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n timers basic 5 15 10\n no timers basic 5 15 10", RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n allow-ecmp", RIP_HEAD RIP_TAIL, NULL },
	{ "router rip\n allow-ecmp 4", RIP_HEAD RIP_TAIL,
	    NAME ":2: allow-ecmp 4: the path limit is ignored, riposted installs every "
	    "equal-cost path" },
	{ "router rip\n no allow-ecmp",
	    RIP_HEAD " default-metric 1\n timers basic 30 180 120\n no allow-ecmp\n!\n", NULL },
	{ "router rip\n no allow-ecmp\n allow-ecmp", RIP_HEAD RIP_TAIL, NULL },

	/* interface */
	{ "interface eth0\n ip rip split-horizon", "interface eth0\n ip rip split-horizon\n!\n",
	    NULL },
	{ "interface eth0\n ip rip split-horizon\n ip rip split-horizon poisoned-reverse",
	    "interface eth0\n!\n", NULL },
	{ "interface eth0\n no ip rip split-horizon",
	    "interface eth0\n no ip rip split-horizon\n!\n", NULL },
	{ "interface eth0\n no ip rip split-horizon poisoned-reverse",
	    "interface eth0\n ip rip split-horizon\n!\n", NULL },
	{ "interface eth0\n ip rip send version 2\n ip rip receive version 2",
	    "interface eth0\n!\n", NULL },
	{ "interface eth0\n no ip rip send version\n no ip rip receive version 2",
	    "interface eth0\n!\n", NULL },
	{ "interface eth0\n ip address 10.0.0.1/24", "interface eth0\n!\n",
	    NAME ":2: 'ip address' is not used by riposted, ignored" },
	{ "interface eth0\n ipv6 address 2001:db8::1/64", "interface eth0\n!\n",
	    NAME ":2: 'ipv6 address' is not used by riposted, ignored" },
	{ "interface eth0\n description to r1, via the rack switch", "interface eth0\n!\n",
	    NAME ":2: 'description' is not used by riposted, ignored" },
	{ "interface eth0\n link-detect", "interface eth0\n!\n",
	    NAME ":2: 'link-detect' is not used by riposted, ignored" },
	{ "interface eth0\n no link-detect", "interface eth0\n!\n",
	    NAME ":2: 'no link-detect' is not used by riposted, ignored" },
	{ "interface eth0\n ipv6 nd ra-interval 10", "interface eth0\n!\n",
	    NAME ":2: 'ipv6 nd' is not used by riposted, ignored" },
	{ "interface eth0\n no ipv6 nd suppress-ra", "interface eth0\n!\n",
	    NAME ":2: 'no ipv6 nd' is not used by riposted, ignored" },
	{ "interface eth0\n multicast", "interface eth0\n!\n",
	    NAME ":2: 'multicast' is not used by riposted, ignored" },
	{ "interface eth0\n no multicast", "interface eth0\n!\n",
	    NAME ":2: 'no multicast' is not used by riposted, ignored" },
	{ "interface eth0\n no shutdown", "interface eth0\n!\n",
	    NAME ":2: 'no shutdown' is not used by riposted, ignored" },
	{ "interface eth0\n ip rip bfd", "interface eth0\n ip rip bfd\n!\n", NULL },
	{ "interface eth0\n ip rip bfd\n no ip rip bfd", "interface eth0\n!\n", NULL },
	{ "interface eth0\n ip rip bfd\n bfd interval 100 multiplier 3",
	    "interface eth0\n ip rip bfd\n bfd interval 100 multiplier 3\n!\n", NULL },
	{ "interface eth0\n bfd multiplier 5", "interface eth0\n bfd interval 300 multiplier 5\n!\n",
	    NULL },
	/* The example, then an unindented `interface` that ends the block. */
	{ "service dns\n address 10.128.224.2/32\n interface lo\n"
	    " check dns 127.0.0.1 test.home A expect rcode NOERROR\n check tcp 127.0.0.1:53\n"
	    " check exec /usr/local/bin/my-check --quick\n check process /run/riposte-dns.pid\n"
	    " interval 200ms\n timeout 300ms\n rise 3\n fall 2\n metric 1\n drain-time 2s\n"
	    "!\ninterface eth1\n ip rip bfd",
	    "interface eth1\n ip rip bfd\n!\n"
	    "service dns\n address 10.128.224.2/32\n interface lo\n"
	    " check dns 127.0.0.1 test.home A\n check tcp 127.0.0.1:53\n"
	    " check exec /usr/local/bin/my-check --quick\n check process /run/riposte-dns.pid\n"
	    " interval 200ms\n timeout 300ms\n rise 3\n fall 2\n metric 1\n drain-time 2s\n!\n",
	    NULL },
	/* A node fed by a hidden primary: the zone check, max-lag printed always with a primary. */
	{ "service dns\n address 10.128.224.2\n check zone 127.0.0.1 home. primary 10.128.9.1"
	    " max-lag 3s\n check zone 127.0.0.1@5300 example.org primary 192.0.2.1@5353"
	    " primary [2001:db8::1]\n check zone ::1 home",
	    "service dns\n address 10.128.224.2/32\n interface lo\n"
	    " check zone 127.0.0.1 home primary 10.128.9.1 max-lag 3s\n"
	    " check zone 127.0.0.1@5300 example.org primary 192.0.2.1@5353 primary 2001:db8::1"
	    " max-lag 5m\n check zone ::1 home\n"
	    " interval 1s\n timeout 500ms\n rise 3\n fall 2\n metric 1\n drain-time 10s\n!\n",
	    NULL },
	/* Defaults, two addresses, a backup metric, keep-address, bare address = /32. */
	{ "service web\n address 192.0.2.80\n address 198.51.100.0/24\n"
	    " check tcp 127.0.0.1:80\n metric 5\n keep-address",
	    "service web\n address 192.0.2.80/32\n address 198.51.100.0/24\n interface lo\n"
	    " check tcp 127.0.0.1:80\n interval 1s\n timeout 500ms\n rise 3\n fall 2\n"
	    " metric 5\n drain-time 10s\n keep-address\n!\n", NULL },
	{ "service web\n address 192.0.2.80\n check tcp 127.0.0.1:80\n fast-interval 100ms",
	    "service web\n address 192.0.2.80/32\n interface lo\n check tcp 127.0.0.1:80\n"
	    " interval 1s\n fast-interval 100ms\n timeout 500ms\n rise 3\n fall 2\n metric 1\n"
	    " drain-time 10s\n!\n", NULL },
	{ "service web\n address 192.0.2.80\n check tcp 127.0.0.1:80\n keep-address\n"
	    " no keep-address\n interval 2m\n drain-time 0s",
	    "service web\n address 192.0.2.80/32\n interface lo\n check tcp 127.0.0.1:80\n"
	    " interval 2m\n timeout 500ms\n rise 3\n fall 2\n metric 1\n drain-time 0s\n!\n",
	    NULL },
	{ "interface eth0\n ip rip split-horizon\ninterface eth1\ninterface eth0",
	    "interface eth0\n ip rip split-horizon\n!\ninterface eth1\n!\n", NULL },
	/* authentication: FRR's default auth-length is old-ripd; secrets are printed */
	{ "interface eth1\n ip rip authentication mode md5\n ip rip authentication string s3",
	    "interface eth1\n ip rip authentication mode md5 auth-length old-ripd\n"
	    " ip rip authentication string s3\n!\n", NULL },
	{ "interface eth1\n ip rip authentication mode md5 auth-length rfc\n"
	    " ip rip authentication string 1234567890123456",
	    "interface eth1\n ip rip authentication mode md5 auth-length rfc\n"
	    " ip rip authentication string 1234567890123456\n!\n", NULL },
	{ "interface eth1\n ip rip authentication string pw\n ip rip authentication mode text",
	    "interface eth1\n ip rip authentication mode text\n"
	    " ip rip authentication string pw\n!\n", NULL },
	{ "interface eth1\n ip rip authentication mode text\n ip rip authentication string pw\n"
	    " no ip rip authentication mode\n no ip rip authentication string",
	    "interface eth1\n!\n", NULL },
	/* FRR's written form: `exit` after each key and chain; both date orders */
	{ "key chain anycast\n key 1\n  key-string s3cret\n"
	    "  cryptographic-algorithm hmac-sha-256\n"
	    "  accept-lifetime 00:00:00 Jan 1 2026 infinite\n"
	    "  send-lifetime 00:00:00 1 january 2026 duration 86400\n exit\n"
	    " key 2\n  key-string other\n  send-lifetime 12:30:05 Mar 31 2026 01:02:03 Apr 1 2026\n"
	    " exit\nexit\n!\ninterface eth1\n ip rip authentication mode md5 auth-length rfc\n"
	    " ip rip authentication key-chain anycast",
	    "key chain anycast\n key 1\n  key-string s3cret\n"
	    "  cryptographic-algorithm hmac-sha-256\n"
	    "  accept-lifetime 00:00:00 Jan 1 2026 infinite\n"
	    "  send-lifetime 00:00:00 Jan 1 2026 00:00:00 Jan 2 2026\n"
	    " key 2\n  key-string other\n  send-lifetime 12:30:05 Mar 31 2026 01:02:03 Apr 1 2026\n"
	    "!\ninterface eth1\n ip rip authentication mode md5 auth-length rfc\n"
	    " ip rip authentication key-chain anycast\n!\n", NULL },
	/* a chain right after another chain's key (not the key's `key`) */
	{ "key chain a\n key 1\n  key-string x\nkey chain b\n key 2\n  key-string y\n"
	    " key 3\n  key-string z\n",
	    "key chain a\n key 1\n  key-string x\n!\nkey chain b\n key 2\n  key-string y\n"
	    " key 3\n  key-string z\n!\n", NULL },
	/* keys sorted by id; `key N` again edits it; `no` forms */
	{ "key chain k\n key 9\n  key-string nine\n key 3\n  key-string three\n"
	    "  cryptographic-algorithm md5\n  no cryptographic-algorithm\n"
	    "  accept-lifetime 00:00:00 Jan 1 2026 infinite\n  no accept-lifetime\n"
	    " key 9\n  key-string nine2\n key 5\n  key-string five\n no key 5",
	    "key chain k\n key 3\n  key-string three\n key 9\n  key-string nine2\n!\n", NULL },
	/* BFD authentication (RFC 5880 6.7) with a key chain, every type */
	{ "key chain bfdk\n key 1\n  key-string 01234567890123456789\n"
	    "interface eth1\n ip rip bfd\n bfd authentication meticulous-keyed-sha1 key-chain bfdk",
	    "key chain bfdk\n key 1\n  key-string 01234567890123456789\n!\n"
	    "interface eth1\n ip rip bfd\n"
	    " bfd authentication meticulous-keyed-sha1 key-chain bfdk\n!\n", NULL },
	{ "key chain k\n key 1\n  key-string x\ninterface eth1\n bfd authentication keyed-sha1 key-chain k",
	    "key chain k\n key 1\n  key-string x\n!\n"
	    "interface eth1\n bfd authentication keyed-sha1 key-chain k\n!\n", NULL },
	{ "key chain k\n key 1\n  key-string x\ninterface eth1\n bfd authentication keyed-md5 key-chain k\n"
	    " bfd interval 100 multiplier 5",
	    "key chain k\n key 1\n  key-string x\n!\n"
	    "interface eth1\n bfd interval 100 multiplier 5\n bfd authentication keyed-md5 key-chain k\n!\n",
	    NULL },
	{ "key chain k\n key 1\n  key-string 0123456789abcdef\n"
	    "interface eth1\n bfd authentication meticulous-keyed-md5 key-chain k",
	    "key chain k\n key 1\n  key-string 0123456789abcdef\n!\n"
	    "interface eth1\n bfd authentication meticulous-keyed-md5 key-chain k\n!\n", NULL },
	{ "key chain k\n key 1\n  key-string x\ninterface eth1\n bfd authentication simple key-chain k",
	    "key chain k\n key 1\n  key-string x\n!\n"
	    "interface eth1\n bfd authentication simple key-chain k\n!\n", NULL },
	/* the last one wins; `no` removes it */
	{ "key chain k\n key 1\n  key-string x\ninterface eth1\n bfd authentication simple key-chain k\n"
	    " bfd authentication keyed-md5 key-chain k",
	    "key chain k\n key 1\n  key-string x\n!\n"
	    "interface eth1\n bfd authentication keyed-md5 key-chain k\n!\n", NULL },
	{ "key chain k\n key 1\n  key-string x\ninterface eth1\n bfd authentication simple key-chain k\n"
	    " no bfd authentication",
	    "key chain k\n key 1\n  key-string x\n!\ninterface eth1\n!\n", NULL },
	/* a key of RIP's longer than BFD can use is fine in a chain BFD does not name */
	{ "key chain rip\n key 1\n  key-string 012345678901234567890123456789\n"
	    "key chain bfd\n key 1\n  key-string short\n"
	    "interface eth1\n bfd authentication keyed-sha1 key-chain bfd",
	    "key chain rip\n key 1\n  key-string 012345678901234567890123456789\n!\n"
	    "key chain bfd\n key 1\n  key-string short\n!\n"
	    "interface eth1\n bfd authentication keyed-sha1 key-chain bfd\n!\n", NULL },
};

static void
test_statements(void **state)
{
	for (size_t i = 0; i < sizeof(stmt_cases) / sizeof(stmt_cases[0]); i++) {
		const struct stmt_case *tc = &stmt_cases[i];
		struct riposted_conf c;
		char *out, *w;

		warn_reset();
		parse_ok(tc->in, strlen(tc->in), &c);
		out = print_str(&c);
		if (strcmp(out, tc->out) != 0)
			fail_msg("case %zu '%s':\nexpected:\n%s\ngot:\n%s", i, tc->in, tc->out, out);
		w = warn_read();
		if (tc->warn == NULL && w[0] != '\0')
			fail_msg("case %zu '%s': unexpected warning:\n%s", i, tc->in, w);
		if (tc->warn != NULL && strstr(w, tc->warn) == NULL)
			fail_msg("case %zu '%s': expected warning '%s', log has:\n%s", i, tc->in,
			    tc->warn, w);
		free(w);
		assert_round_trip(&c);
		free(out);
		riposted_conf_free(&c);
	}
}

/* Every error, with its exact message.  The conf is left empty and freeable. */
static const struct err_case {
	const char *in;
	const char *err;
} err_cases[] = {
	/* unknown statements, and statements in the wrong context */
	{ "foo", NAME ":1: unknown statement 'foo'" },
	{ "hostname r1\nfoo bar  baz", NAME ":2: unknown statement 'foo bar baz'" },
	{ "no router rip", NAME ":1: unknown statement 'no router rip'" },
	{ "router rip\n foo", NAME ":2: in router rip: unknown statement 'foo'" },
	{ "interface eth1\n ip rip foo", NAME ":2: in interface eth1: unknown statement 'ip rip foo'" },
	{ "interface eth1\n ip rip", NAME ":2: in interface eth1: unknown statement 'ip rip'" },
	{ "network 10.0.0.0/8", NAME ":1: 'network' is only valid under 'router rip'" },
	{ "router rip\nexit\n network 10.0.0.0/8",
	    NAME ":3: 'network' is only valid under 'router rip'" },
	{ "router rip\n ip rip split-horizon",
	    NAME ":2: 'ip rip split-horizon' is only valid under 'interface IFNAME'" },
	{ "interface eth0\n timers basic 5 15 10",
	    NAME ":2: 'timers basic' is only valid under 'router rip'" },
	{ "Hostname r1", NAME ":1: unknown statement 'Hostname r1'" },
	{ "hostnam r1", NAME ":1: unknown statement 'hostnam r1'" },
	{ "x1234567890 x1234567890 x1234567890 x1234567890 x1234567890 x1234567890 x1234567890 "
	  "x1234567890 x1234567890",
	    NAME ":1: unknown statement 'x1234567890 x1234567890 x1234567890 x1234567890 "
	    "x1234567890 x1234567890 x1234567890 x1234567...'" },
	/* argument counts */
	{ "hostname", NAME ":1: hostname: missing argument (usage: hostname NAME)" },
	{ "hostname a b", NAME ":1: hostname: too many arguments (usage: hostname NAME)" },
	/* No quotes in riposted's dialect (riposte-dns's has them): two words. */
	{ "hostname \"a b\"", NAME ":1: hostname: too many arguments (usage: hostname NAME)" },
	{ "interface", NAME ":1: interface: missing argument (usage: interface IFNAME)" },
	{ "interface eth0 eth1", NAME ":1: interface: too many arguments (usage: interface IFNAME)" },
	{ "log file", NAME ":1: log file: missing argument (usage: log file PATH [LEVEL])" },
	{ "log stdout debugging now",
	    NAME ":1: log stdout: too many arguments (usage: log stdout [LEVEL])" },
	{ "router rip on", NAME ":1: router rip: too many arguments (usage: router rip)" },
	{ "exit now", NAME ":1: exit: too many arguments (usage: exit)" },
	{ "router rip\n default-metric",
	    NAME ":2: default-metric: missing argument (usage: default-metric <1-16>)" },
	{ "router rip\n default-metric 1 2",
	    NAME ":2: default-metric: too many arguments (usage: default-metric <1-16>)" },
	{ "router rip\n timers basic 30 180",
	    NAME ":2: timers basic: missing argument (usage: timers basic UPDATE TIMEOUT GARBAGE "
	    "(seconds, 1-2147483 each))" },
	{ "router rip\n network",
	    NAME ":2: network: missing argument (usage: network A.B.C.D/M|IFNAME)" },
	{ "router rip\n network eth0 eth1",
	    NAME ":2: network: too many arguments (usage: network A.B.C.D/M|IFNAME)" },
	{ "router rip\n neighbor", NAME ":2: neighbor: missing argument (usage: neighbor A.B.C.D)" },
	{ "router rip\n redistribute",
	    NAME ":2: redistribute: missing argument (usage: redistribute connected|static|kernel "
	    "[metric <0-16>])" },
	{ "router rip\n redistribute connected metric",
	    NAME ":2: redistribute: missing metric value (usage: redistribute connected|static|"
	    "kernel [metric <0-16>])" },
	{ "router rip\n redistribute connected foo",
	    NAME ":2: redistribute: unexpected 'foo' (usage: redistribute connected|static|kernel "
	    "[metric <0-16>])" },
	{ "router rip\n default-information originate always",
	    NAME ":2: default-information originate: too many arguments (usage: "
	    "default-information originate)" },
	{ "router rip\n default-information",
	    NAME ":2: in router rip: unknown statement 'default-information'" },
	{ "interface eth0\n ip rip send version",
	    NAME ":2: ip rip send version: missing argument (usage: ip rip send version 2)" },
	{ "interface eth0\n ip rip split-horizon simple",
	    NAME ":2: ip rip split-horizon: too many arguments (usage: ip rip split-horizon)" },
	/* numbers and ranges */
	{ "router rip\n default-metric 17", NAME ":2: default-metric 17 out of range 1..16" },
	{ "router rip\n default-metric 0", NAME ":2: default-metric 0 out of range 1..16" },
	{ "router rip\n default-metric abc", NAME ":2: default-metric: 'abc' is not a number" },
	{ "router rip\n default-metric -1", NAME ":2: default-metric: '-1' is not a number" },
	{ "router rip\n default-metric 0x10", NAME ":2: default-metric: '0x10' is not a number" },
	{ "router rip\n default-metric 99999999999999999999999",
	    NAME ":2: default-metric 99999999999999999999999 out of range 1..16" },
	{ "router rip\n default-metric 4294967297",
	    NAME ":2: default-metric 4294967297 out of range 1..16" },
	{ "router rip\n timers basic 0 180 120",
	    NAME ":2: timers basic update 0 out of range 1..2147483" },
	{ "router rip\n timers basic 30 2147484 120",
	    NAME ":2: timers basic timeout 2147484 out of range 1..2147483" },
	{ "router rip\n timers basic 30 180 0",
	    NAME ":2: timers basic garbage 0 out of range 1..2147483" },
	{ "router rip\n redistribute connected metric 17",
	    NAME ":2: redistribute metric 17 out of range 0..16" },
	{ "router rip\n allow-ecmp 0", NAME ":2: allow-ecmp 0 out of range 1..65535" },
	{ "router rip\n version 3", NAME ":2: version 3 out of range 1..2" },
	{ "router rip\n version two", NAME ":2: version: 'two' is not a number" },
	/* addresses and names */
	{ "router rip\n network 10.0.0.300/8",
	    NAME ":2: network: invalid prefix '10.0.0.300/8' (A.B.C.D/M expected)" },
	{ "router rip\n network 10.0.0.0/33",
	    NAME ":2: network: invalid prefix '10.0.0.0/33' (A.B.C.D/M expected)" },
	{ "router rip\n network 10.0.0.1",
	    NAME ":2: network: invalid prefix '10.0.0.1' (A.B.C.D/M expected)" },
	{ "router rip\n network 10.0.0.0/",
	    NAME ":2: network: invalid prefix '10.0.0.0/' (A.B.C.D/M expected)" },
	{ "router rip\n network 1:0", NAME ":2: network: invalid prefix or interface name '1:0'" },
	{ "router rip\n network :0", NAME ":2: invalid interface name ':0'" },
	{ "router rip\n network abcdefghijklmnop",
	    NAME ":2: interface name 'abcdefghijklmnop' too long (max 15 characters)" },
	{ "router rip\n neighbor 10.0.0", NAME ":2: neighbor: invalid address '10.0.0' (A.B.C.D "
	    "expected)" },
	{ "router rip\n neighbor 224.0.0.9", NAME ":2: neighbor 224.0.0.9 is not a unicast address" },
	{ "router rip\n neighbor 0.0.0.0", NAME ":2: neighbor 0.0.0.0 is not a unicast address" },
	{ "router rip\n passive-interface default:0",
	    NAME ":2: passive-interface: invalid interface name 'default:0'" },
	{ "router rip\n passive-interface a/b", NAME ":2: invalid interface name 'a/b'" },
	{ "interface abcdefghijklmnop",
	    NAME ":1: interface name 'abcdefghijklmnop' too long (max 15 characters)" },
	{ "interface ..", NAME ":1: invalid interface name '..'" },
	{ "interface eth\x01", NAME ":1: invalid interface name 'eth?'" },
	{ "hostname 1234567890123456789012345678901234567890123456789012345678901234",
	    NAME ":1: hostname too long (max 63 characters)" },
	{ "hostname a\x7f", NAME ":1: invalid hostname 'a?'" },
	{ "log stdout loud", NAME ":1: log stdout: unknown level 'loud' (errors, warnings, "
	    "notifications, informational or debugging)" },
	{ "log file /tmp/\x01", NAME ":1: log file: invalid path '/tmp/?'" },
	/* RIPv1, VRFs and unsupported features */
	{ "router rip\n version 1", NAME ":2: RIPv1 is not supported" },
	{ "interface eth0\n ip rip send version 1", NAME ":2: RIPv1 is not supported" },
	{ "interface eth0\n ip rip receive version 1 2", NAME ":2: RIPv1 is not supported" },
	{ "interface eth0\n ip rip receive version 2 1", NAME ":2: RIPv1 is not supported" },
	{ "interface eth0\n ip rip send version 3",
	    NAME ":2: ip rip send version: '3' is not a RIP version (usage: ip rip send version 2)" },
	{ "interface eth0 vrf red", NAME ":1: VRFs are not supported" },
	{ "router rip vrf red", NAME ":1: VRFs are not supported" },
	{ "vrf red", NAME ":1: VRFs are not supported" },
	{ "router rip\n offset-list 1 in 2 eth0", NAME ":2: 'offset-list' is not supported by riposted" },
	{ "router rip\n distance 120", NAME ":2: 'distance' is not supported by riposted" },
	{ "router rip\n distribute-list 1 in eth0",
	    NAME ":2: 'distribute-list' is not supported by riposted" },
	{ "router rip\n route 10.0.0.0/8", NAME ":2: 'route' is not supported by riposted" },
	{ "router rip\n redistribute bgp", NAME ":2: 'redistribute bgp' is not supported by riposted" },
	{ "router rip\n redistribute ospf metric 2",
	    NAME ":2: 'redistribute ospf' is not supported by riposted" },
	{ "router rip\n redistribute connected route-map RM",
	    NAME ":2: 'route-map' is not supported by riposted" },
	{ "router rip\n redistribute foo",
	    NAME ":2: redistribute: unknown route source 'foo' (connected, static or kernel)" },
	{ "route-map RM permit 10", NAME ":1: 'route-map' is not supported by riposted" },
	{ "router rip\nroute-map RM permit 10", NAME ":2: 'route-map' is not supported by riposted" },
	/* BFD authentication (bfd/conf.c) */
	{ "interface eth0\n bfd authentication md5 key-chain k",
	    NAME ":2: bfd authentication: unknown type 'md5' (simple, keyed-md5, "
	    "meticulous-keyed-md5, keyed-sha1 or meticulous-keyed-sha1)" },
	{ "interface eth0\n bfd authentication none key-chain k",
	    NAME ":2: bfd authentication: unknown type 'none' (simple, keyed-md5, "
	    "meticulous-keyed-md5, keyed-sha1 or meticulous-keyed-sha1)" },
	{ "interface eth0\n bfd authentication keyed-sha1 key-string k",
	    NAME ":2: bfd authentication: expected 'key-chain NAME' (usage: bfd authentication "
	    "TYPE key-chain NAME)" },
	{ "interface eth0\n bfd authentication keyed-sha1",
	    NAME ":2: bfd authentication: missing argument (usage: bfd authentication TYPE "
	    "key-chain NAME)" },
	{ "interface eth0\n bfd authentication keyed-sha1 key-chain nope",
	    NAME ":2: interface eth0: key chain 'nope' is not defined" },
	{ "key chain k\n key 1\n  key-string x\n key 4\n  key-string 012345678901234567890\n"
	    "interface eth0\n ip rip bfd\n bfd authentication meticulous-keyed-sha1 key-chain k",
	    NAME ":8: interface eth0: bfd authentication meticulous-keyed-sha1: key 4 of key chain "
	    "'k' is longer than 20 characters" },
	{ "key chain k\n key 1\n  key-string 01234567890123456\n"
	    "interface eth0\n bfd authentication keyed-md5 key-chain k",
	    NAME ":5: interface eth0: bfd authentication keyed-md5: key 1 of key chain "
	    "'k' is longer than 16 characters" },
	{ "key chain k\n key 1\n  key-string 01234567890123456\n"
	    "interface eth0\n bfd authentication simple key-chain k",
	    NAME ":5: interface eth0: bfd authentication simple: key 1 of key chain "
	    "'k' is longer than 16 characters" },
	{ "bfd authentication simple key-chain k",
	    NAME ":1: 'bfd authentication' is only valid under 'interface IFNAME'" },
	/* key chains (lib/keychain.c) */
	{ "key chain k\n key 1", NAME ":2: key chain k key 1: no key-string" },
	{ "key chain k\n key 1\n  key-string a\n key 2\n!\n",
	    NAME ":4: key chain k key 2: no key-string" },
	{ "key chain k\n key 2147483648", NAME ":2: key 2147483648 out of range 0..2147483647" },
	{ "key chain k\n key x", NAME ":2: key: 'x' is not a number" },
	{ "key chain", NAME ":1: key chain: missing argument (usage: key chain NAME)" },
	{ "key chain "
	    "k234567890123456789012345678901234567890123456789012345678901234",
	    NAME ":1: key chain name too long (max 63 characters)" },
	{ "key 1", NAME ":1: 'key' is only valid under 'key chain NAME'" },
	{ "key-string x", NAME ":1: 'key-string' is only valid under 'key N'" },
	{ "key chain k\n key-string x", NAME ":2: 'key-string' is only valid under 'key N'" },
	{ "key chain k\n key 1\n  foo",
	    NAME ":3: in key chain k key 1: unknown statement 'foo'" },
	{ "key chain k\n key 1\n  key-string "
	    "x2345678901234567890123456789012345678901234567890123456789012345678901234567890"
	    "1234567890123456789012345678901234567890123456789",
	    NAME ":3: key-string too long (max 128 characters)" },
	{ "key chain k\n key 1\n  cryptographic-algorithm sha256",
	    NAME ":3: cryptographic-algorithm: unknown algorithm 'sha256' (md5, hmac-sha-1, "
	    "hmac-sha-256, hmac-sha-384 or hmac-sha-512)" },
	{ "key chain k\n key 1\n  accept-lifetime 00:00:00 Jan 1 2026",
	    NAME ":3: accept-lifetime: missing argument (usage: accept-lifetime HH:MM:SS MONTH "
	    "DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|duration SECONDS)" },
	{ "key chain k\n key 1\n  send-lifetime 25:00:00 Jan 1 2026 infinite",
	    NAME ":3: send-lifetime: '25:00:00' is not a time (HH:MM:SS) (usage: send-lifetime "
	    "HH:MM:SS MONTH DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|duration SECONDS)" },
	{ "key chain k\n key 1\n  send-lifetime 00:00:00 Foo 1 2026 infinite",
	    NAME ":3: send-lifetime: no month in 'Foo 1' (Jan..Dec) (usage: send-lifetime "
	    "HH:MM:SS MONTH DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|duration SECONDS)" },
	{ "key chain k\n key 1\n  send-lifetime 00:00:00 Feb 29 2026 infinite",
	    NAME ":3: send-lifetime: day '29' out of range 1..28 for February 2026 (usage: "
	    "send-lifetime HH:MM:SS MONTH DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|duration "
	    "SECONDS)" },
	{ "key chain k\n key 1\n  accept-lifetime 00:00:00 Jan 1 1969 infinite",
	    NAME ":3: accept-lifetime: year '1969' out of range 1970..2105 (usage: "
	    "accept-lifetime HH:MM:SS MONTH DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|duration "
	    "SECONDS)" },
	{ "key chain k\n key 1\n  accept-lifetime 00:00:00 Jan 2 2026 00:00:00 Jan 1 2026",
	    NAME ":3: accept-lifetime: the lifetime ends before it starts (usage: "
	    "accept-lifetime HH:MM:SS MONTH DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|duration "
	    "SECONDS)" },
	{ "key chain k\n key 1\n  accept-lifetime 00:00:00 Jan 2 2026 duration 0",
	    NAME ":3: accept-lifetime: duration '0' out of range 1..2147483646 (usage: "
	    "accept-lifetime HH:MM:SS MONTH DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|duration "
	    "SECONDS)" },
	{ "key chain k\n key 1\n  accept-lifetime 00:00:00 Jan 2 2026 forever",
	    NAME ":3: accept-lifetime: the end is a date, 'infinite' or 'duration SECONDS' "
	    "(usage: accept-lifetime HH:MM:SS MONTH DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|"
	    "duration SECONDS)" },
	{ "access-list 1 permit any", NAME ":1: 'access-list' is not supported by riposted" },
	{ "ip prefix-list p seq 5 permit any",
	    NAME ":1: 'ip prefix-list' is not supported by riposted" },
	{ "ip route 10.0.0.0/8 10.1.1.1", NAME ":1: 'ip route' is not supported by riposted" },
	{ "router ospf", NAME ":1: 'router ospf' is not supported by riposted" },
	{ "router ripng", NAME ":1: 'router ripng' is not supported by riposted" },
	/* ip rip authentication (rip/conf.c) */
	{ "interface eth0\n ip rip authentication mode md5",
	    NAME ":2: interface eth0: ip rip authentication mode md5 needs 'ip rip "
	    "authentication string' or 'key-chain'" },
	{ "interface eth0\n ip rip authentication mode text\n!\nhostname r1",
	    NAME ":2: interface eth0: ip rip authentication mode text needs 'ip rip "
	    "authentication string' or 'key-chain'" },
	{ "interface eth0\n ip rip authentication mode sha",
	    NAME ":2: ip rip authentication mode: unknown mode 'sha' (md5 or text)" },
	{ "interface eth0\n ip rip authentication mode md5 auth-length 16",
	    NAME ":2: ip rip authentication mode md5 auth-length: '16' is neither rfc nor "
	    "old-ripd" },
	{ "interface eth0\n ip rip authentication mode md5 auth-length",
	    NAME ":2: ip rip authentication mode: expected 'auth-length rfc|old-ripd' (usage: "
	    "ip rip authentication mode md5 [auth-length rfc|old-ripd]|text)" },
	{ "interface eth0\n ip rip authentication mode text rfc",
	    NAME ":2: ip rip authentication mode: too many arguments (usage: ip rip "
	    "authentication mode md5 [auth-length rfc|old-ripd]|text)" },
	{ "interface eth0\n ip rip authentication string 12345678901234567",
	    NAME ":2: ip rip authentication string: longer than 16 characters" },
	{ "interface eth0\n ip rip authentication mode md5\n ip rip authentication key-chain k",
	    NAME ":3: interface eth0: key chain 'k' is not defined" },
	{ "key chain k\n key 1\n  key-string a\ninterface eth0\n"
	    " ip rip authentication mode md5\n ip rip authentication key-chain k\n"
	    " ip rip authentication string b",
	    NAME ":7: interface eth0: both an authentication string and a key-chain; use one" },
	{ "interface eth0\n ip rip v2-broadcast",
	    NAME ":2: 'ip rip v2-broadcast' is not supported by riposted" },
	{ "interface eth0\n ip rip bfd profile fast",
	    NAME ":2: 'ip rip bfd profile': BFD profiles are not supported; use 'bfd interval MS "
	    "multiplier N' in the interface block" },
	{ "interface eth0\n bfd interval 5", NAME ":2: bfd interval 5 out of range 10..60000" },
	{ "interface eth0\n bfd interval 100 multiplier 0",
	    NAME ":2: bfd multiplier 0 out of range 1..255" },
	{ "interface eth0\n bfd interval 100 multiplier",
	    NAME ":2: bfd: missing value (usage: bfd interval MS multiplier N)" },
	{ "interface eth0\n bfd speed 100",
	    NAME ":2: bfd: expected 'interval' or 'multiplier' (usage: bfd interval MS multiplier N)" },
	/* services */
	{ "service dns\n check tcp 127.0.0.1:53",
	    NAME ":1: service dns: no address (add 'address A.B.C.D/32')" },
	{ "hostname s1\nservice dns\n address 10.128.224.2/32",
	    NAME ":2: service dns: no check (add e.g. 'check tcp 127.0.0.1:53')" },
	{ "service dns\n address 10.128.224.2/33",
	    NAME ":2: address: '10.128.224.2/33' is not an IPv4 prefix (A.B.C.D/M or A.B.C.D)" },
	{ "service dns\n address 127.0.0.2/32", NAME ":2: address: 127.0.0.2/32 cannot be announced" },
	{ "service dns\n address 10.1.1.1\n address 10.1.1.1/32",
	    NAME ":3: address 10.1.1.1/32 given twice" },
	{ "service dns\n address 10.1.1.1\n check tcp 127.0.0.1:53\nservice dns",
	    NAME ":4: service dns is defined twice" },
	{ "service d/ns", NAME ":1: service name 'd/ns': use letters, digits, '-', '_' and '.'" },
	{ "service dns\n interval 200", NAME ":2: interval: '200' needs a unit: ms, s or m "
	    "(e.g. 200ms, 2s)" },
	{ "service dns\n timeout -1s", NAME ":2: timeout: '-1s' is not a duration (e.g. 200ms, 2s, 1m)" },
	{ "service dns\n timeout 1h", NAME ":2: timeout: '1h': unknown unit (ms, s or m)" },
	{ "service dns\n timeout 1.5s", NAME ":2: timeout: '1.5s' is not a duration (e.g. 200ms, 2s, 1m)" },
	{ "service dns\n drain-time 1441m", NAME ":2: drain-time: '1441m' is longer than a day" },
	{ "service dns\n rise 0", NAME ":2: rise 0 out of range 1..100" },
	{ "service dns\n fast-interval 5ms", NAME ":2: fast-interval 5ms below 10ms" },
	{ "service dns\n address 10.1.1.1\n check tcp 127.0.0.1:53\n interval 1s\n"
	    " fast-interval 2s", NAME ":1: service dns: fast-interval longer than interval" },
	{ "service dns\n fall 101", NAME ":2: fall 101 out of range 1..100" },
	{ "service dns\n metric 16", NAME ":2: metric 16 out of range 1..15" },
	{ "service dns\n address 10.1.1.1\n check tcp 127.0.0.1:53\n interval 5ms",
	    NAME ":1: service dns: interval not in 10ms..1h" },
	{ "service a\n address 10.1.1.1\n check tcp 127.0.0.1:53\n"
	    "service b\n address 10.1.1.1\n check tcp 127.0.0.1:53",
	    NAME ":4: service b: address 10.1.1.1/32 is also in service a" },
	{ "service dns\n network 10.0.0.0/8",
	    NAME ":2: 'network' is only valid under 'router rip'" },
	{ "service dns\n bogus", NAME ":2: in service dns: unknown statement 'bogus'" },
	{ "service dns\n address 10.1.1.1\n check zone 127.0.0.1 home max-lag 3s",
	    NAME ":3: check zone: max-lag without a primary to compare with" },
	{ "service dns\n address 10.1.1.1\n check zone 127.0.0.1 home primary 10.0.0.1 primary",
	    NAME ":3: check zone: missing ADDRESS[@PORT] after 'primary'" },
	{ "service dns\n address 10.1.1.1\n check zone 127.0.0.1 home primary 10.0.0.1@0",
	    NAME ":3: check zone: bad port '0' in '10.0.0.1@0' (1..65535)" },
	{ "service dns\n address 10.1.1.1\n check zone 127.0.0.1",
	    NAME ":3: check zone: missing ZONE (zone ADDRESS[@PORT] ZONE "
	    "[primary ADDRESS[@PORT]]... [max-lag DURATION] [expire-margin DURATION])" },
	{ "service dns\n check", NAME ":2: check: missing argument (usage: check dns|zone|tcp|exec|process ...)" },
	{ "interface eth0\n shutdown",
	    NAME ":2: 'shutdown' is not supported by riposted: use 'ip link set eth0 down'" },
	/* privileges */
	{ "user", NAME ":1: user: missing argument (usage: user NAME)" },
	{ "user a b", NAME ":1: user: too many arguments (usage: user NAME)" },
	{ "user a/b", NAME ":1: user: invalid user name 'a/b'" },
	{ "user -x", NAME ":1: user: invalid user name '-x'" },
	{ "check-user abcdefghijklmnopqrstuvwxyz012345",
	    NAME ":1: check-user: invalid user name 'abcdefghijklmnopqrstuvwxyz012345'" },
	{ "control-group a:b", NAME ":1: control-group: invalid group name 'a:b'" },
	{ "control-readonly-group a,b", NAME ":1: control-readonly-group: invalid group name 'a,b'" },
	{ "control-mode 0888", NAME ":1: control-mode: '0888' is not an octal mode 0..0777 (e.g. 0660)" },
	{ "control-mode 1777", NAME ":1: control-mode: '1777' is not an octal mode 0..0777 (e.g. 0660)" },
	{ "control-mode 06600", NAME ":1: control-mode: '06600' is not an octal mode 0..0777 (e.g. 0660)" },
	{ "control-mode rw", NAME ":1: control-mode: 'rw' is not an octal mode 0..0777 (e.g. 0660)" },
	{ "control-mode -1", NAME ":1: control-mode: '-1' is not an octal mode 0..0777 (e.g. 0660)" },
	{ "control-mode", NAME ":1: control-mode: missing argument (usage: control-mode MODE)" },
	{ "metrics listen", NAME ":1: metrics listen: missing argument (usage: metrics listen "
	    "ADDRESS[@PORT])" },
	{ "metrics listen localhost@9475", NAME ":1: metrics listen: 'localhost@9475' is not "
	    "ADDRESS[@PORT] (IPv4, or IPv6 in [brackets]; port 1..65535)" },
	{ "metrics listen 127.0.0.1@65536", NAME ":1: metrics listen: '127.0.0.1@65536' is not "
	    "ADDRESS[@PORT] (IPv4, or IPv6 in [brackets]; port 1..65535)" },
	{ "metrics listen ::1@80\nmetrics listen [::1]@80",
	    NAME ":2: metrics listen [::1]@80: given twice (line 1)" },
	{ "metrics listen ::1@1\nmetrics listen ::1@2\nmetrics listen ::1@3\nmetrics listen ::1@4\n"
	    "metrics listen ::1@5", NAME ":5: metrics listen: at most 4 addresses" },
	{ "metrics", NAME ":1: unknown statement 'metrics'" },
	/* line numbers count comments, blank lines and CRLF lines */
	{ "! comment\n\n# another\r\nhostname r1\r\n\r\n bogus\r\n", NAME ":6: unknown statement 'bogus'" },
};

static void
test_errors(void **state)
{
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *tc = &err_cases[i];
		struct riposted_conf c;
		char err[512] = "";

		if (riposted_conf_parse_buf(NAME, tc->in, strlen(tc->in), &c, err, sizeof(err)) != -1)
			fail_msg("case %zu '%s': parsed, expected '%s'", i, tc->in, tc->err);
		if (strcmp(err, tc->err) != 0)
			fail_msg("case %zu '%s':\nexpected: %s\ngot:      %s", i, tc->in, tc->err, err);
		/* Rejected whole: nothing of the file is left. */
		assert_false(c.rip.router_rip);
		assert_int_equal(c.rip.n_networks, 0);
		assert_int_equal(c.rip.n_ifaces, 0);
		assert_string_equal(c.hostname, "");
		riposted_conf_free(&c);
		riposted_conf_free(&c);
	}
}

static void
test_limits(void **state)
{
	struct riposted_conf c;
	char err[512];
	char *buf = malloc(4096);
	size_t n;

	assert_non_null(buf);

	/* A 1024-byte line is fine, 1025 is not; the '\n' and a '\r' do not count. */
	memset(buf, 'x', 1024);
	buf[0] = '!';
	memcpy(buf + 1024, "\r\n", 2);
	assert_int_equal(riposted_conf_parse_buf(NAME, buf, 1026, &c, err, sizeof(err)), 0);
	riposted_conf_free(&c);
	buf[1024] = 'x';
	assert_int_equal(riposted_conf_parse_buf(NAME, buf, 1025, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: line too long (max 1024 bytes)");
	memcpy(buf, "hostname r1\n", 12);
	memset(buf + 12, ' ', 2000);
	assert_int_equal(riposted_conf_parse_buf(NAME, buf, 2012, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":2: line too long (max 1024 bytes)");
	assert_string_equal(c.hostname, "");

	/* 64 words are fine, 65 are not. */
	n = (size_t)snprintf(buf, 4096, "interface eth0\n description");
	for (int i = 0; i < 63; i++)
		n += (size_t)snprintf(buf + n, 4096 - n, " w");
	warn_reset();
	assert_int_equal(riposted_conf_parse_buf(NAME, buf, n, &c, err, sizeof(err)), 0);
	riposted_conf_free(&c);
	n += (size_t)snprintf(buf + n, 4096 - n, " w");
	assert_int_equal(riposted_conf_parse_buf(NAME, buf, n, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":2: too many words (max 64)");

	/* NUL bytes, wherever they are, and with an explicit length. */
	assert_int_equal(riposted_conf_parse_buf(NAME, "hostname a\0b\n", 13, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: NUL byte in line");
	assert_int_equal(riposted_conf_parse_buf(NAME, "hostname a\n! x\n\0", 16, &c, err,
	    sizeof(err)), -1);
	assert_string_equal(err, NAME ":3: NUL byte in line");
	assert_int_equal(riposted_conf_parse_buf(NAME, "! \0\n", 4, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: NUL byte in line");

	/* Not NUL-terminated: the parser must stop at len (ASan checks the read). */
	memcpy(buf, "hostname abc", 12);
	char *exact = malloc(12);
	assert_non_null(exact);
	memcpy(exact, buf, 12);
	assert_int_equal(riposted_conf_parse_buf(NAME, exact, 8, &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: hostname: missing argument (usage: hostname NAME)");
	assert_int_equal(riposted_conf_parse_buf(NAME, exact, 12, &c, err, sizeof(err)), 0);
	assert_string_equal(c.hostname, "abc");
	riposted_conf_free(&c);
	free(exact);

	/* Empty input, NULL buffer, no error buffer, no name. */
	assert_int_equal(riposted_conf_parse_buf(NAME, "", 0, &c, err, sizeof(err)), 0);
	assert_false(c.rip.router_rip);
	riposted_conf_free(&c);
	assert_int_equal(riposted_conf_parse_buf(NAME, NULL, 10, &c, err, sizeof(err)), 0);
	riposted_conf_free(&c);
	assert_int_equal(riposted_conf_parse_buf(NAME, "bogus", 5, &c, NULL, 0), -1);
	riposted_conf_free(&c);
	assert_int_equal(riposted_conf_parse_buf(NULL, "bogus", 5, &c, err, sizeof(err)), -1);
	assert_string_equal(err, "-:1: unknown statement 'bogus'");
	/* A short error buffer truncates, still terminated. */
	assert_int_equal(riposted_conf_parse_buf(NAME, "bogus", 5, &c, err, 8), -1);
	assert_string_equal(err, "t.conf:");
	free(buf);
}

/* Every list is capped, so a huge file cannot make the duplicate checks quadratic for long. */
static void
test_list_limits(void **state)
{
	static const struct {
		const char *head;
		const char *fmt;
		const char *err;
	} lists[] = {
		/* Formats take (i / 256, i % 256): names and addresses stay distinct. */
		{ "router rip\n", " network e%u.%u\n", "too many network statements (max 1024)" },
		{ "router rip\n", " neighbor 10.%u.%u.1\n", "too many neighbor statements (max 1024)" },
		{ "router rip\n", " passive-interface e%u.%u\n",
		    "too many passive-interface statements (max 1024)" },
		{ "router rip\n", " no passive-interface e%u.%u\n",
		    "too many passive-interface statements (max 1024)" },
		{ "", "interface e%u.%u\n", "too many interface blocks (max 1024)" },
	};
	size_t cap = 1025 * 40 + 64;
	char *buf = malloc(cap), err[512], want[512];
	struct riposted_conf c;

	assert_non_null(buf);
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++) {
		size_t n = (size_t)snprintf(buf, cap, "%s", lists[l].head);
		for (unsigned i = 0; i < 1024; i++)
			n += (size_t)snprintf(buf + n, cap - n, lists[l].fmt, i / 256, i % 256);
		assert_int_equal(riposted_conf_parse_buf(NAME, buf, n, &c, err, sizeof(err)), 0);
		riposted_conf_free(&c);
		n += (size_t)snprintf(buf + n, cap - n, lists[l].fmt, 1024u / 256, 1024u % 256);
		assert_int_equal(riposted_conf_parse_buf(NAME, buf, n, &c, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), NAME ":%d: %s", 1025 + (lists[l].head[0] != '\0'),
		    lists[l].err);
		assert_string_equal(err, want);
		riposted_conf_free(&c);
	}
	free(buf);

	/* log_path holds 255 bytes. */
	char line[512];
	memset(line, 0, sizeof(line));
	memcpy(line, "log file /", 10);
	memset(line + 10, 'p', 254);
	assert_int_equal(riposted_conf_parse_buf(NAME, line, strlen(line), &c, err, sizeof(err)), 0);
	assert_int_equal(strlen(c.log_path), 255);
	riposted_conf_free(&c);
	line[264] = 'p';
	assert_int_equal(riposted_conf_parse_buf(NAME, line, strlen(line), &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":1: log file: path too long (max 255 bytes)");
	riposted_conf_free(&c);
}

static void
test_defaults(void **state)
{
	struct riposted_conf c;
	struct rip_conf_iface ifc;

	riposted_conf_init(&c);
	assert_string_equal(c.hostname, "");
	assert_int_equal(c.log_dest, LOG_DEST_STDERR);
	assert_int_equal(c.log_level, LOG_LVL_INFO);
	assert_false(c.rip.router_rip);
	assert_int_equal(c.rip.version, 2);
	assert_int_equal(c.rip.default_metric, 1);
	assert_int_equal(c.rip.t_update, 30);
	assert_int_equal(c.rip.t_timeout, 180);
	assert_int_equal(c.rip.t_garbage, 120);
	assert_true(c.rip.allow_ecmp);
	assert_false(c.rip.default_originate);
	for (int i = 0; i < RIP_REDIST_COUNT; i++)
		assert_false(c.rip.redist[i].enabled);
	ifc = rip_conf_iface_get(&c.rip, "eth0");
	assert_string_equal(ifc.name, "eth0");
	assert_int_equal(ifc.split_horizon, RIP_SH_POISONED);
	assert_int_equal(ifc.send_version, 2);
	assert_int_equal(ifc.recv_version, 2);
	/* An overlong name is cut, not overrun. */
	ifc = rip_conf_iface_get(&c.rip, "abcdefghijklmnopqrstuvwxyz");
	assert_string_equal(ifc.name, "abcdefghijklmno");
	riposted_conf_free(&c);
}

static void
test_seed_ripd(void **state)
{
	char path[4096], err[512] = "";
	struct riposted_conf c;
	char *out;

	conf_path(path, sizeof(path), "seed-ripd.conf");
	warn_reset();
	if (riposted_conf_parse_file(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.hostname, "xenial1");
	assert_int_equal(c.log_dest, LOG_DEST_STDOUT);
	assert_int_equal(c.log_level, LOG_LVL_INFO);
	assert_true(c.rip.router_rip);
	assert_int_equal(c.rip.version, 2);
	assert_int_equal(c.rip.n_networks, 3);
	assert_false(c.rip.networks[0].is_ifname);
	assert_int_equal(c.rip.networks[0].prefix.addr, 0x0a800000);
	assert_int_equal(c.rip.networks[0].prefix.len, 16);
	assert_true(c.rip.networks[1].is_ifname);
	assert_string_equal(c.rip.networks[1].ifname, "lo");
	assert_true(c.rip.networks[2].is_ifname);
	assert_string_equal(c.rip.networks[2].ifname, "eth1");
	assert_int_equal(c.rip.n_neighbors, 0);
	assert_int_equal(c.rip.n_ifaces, 0);
	assert_true(c.rip.allow_ecmp);
	assert_warned("seed-ripd.conf:2: 'password' is not used by riposted, ignored");
	assert_warned("seed-ripd.conf:7: 'lo:0' is an address label, not an interface: "
	    "using interface 'lo'");

	/* The seed's anycast address on lo:0, and the servers' eth1. */
	assert_true(rip_conf_network_match(&c.rip, "lo", 0x0a80e002));
	assert_true(rip_conf_network_match(&c.rip, "eth1", 0x0a800502));
	assert_true(rip_conf_network_match(&c.rip, "eth7", 0x0a800901));
	assert_false(rip_conf_network_match(&c.rip, "eth7", 0xc0a80101));
	assert_false(rip_conf_is_passive(&c.rip, "eth1"));

	out = print_str(&c);
	assert_string_equal(out, "hostname xenial1\nlog stdout\n!\n"
	    "router rip\n version 2\n network 10.128.0.0/16\n network lo\n network eth1\n"
	    " default-metric 1\n timers basic 30 180 120\n allow-ecmp\n!\n");
	free(out);
	assert_round_trip(&c);
	riposted_conf_free(&c);
}

static void
test_seed_zebra(void **state)
{
	char path[4096], err[512] = "";
	struct riposted_conf c;
	char *w;

	conf_path(path, sizeof(path), "seed-zebra.conf");
	warn_reset();
	if (riposted_conf_parse_file(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.hostname, "xenial1");
	assert_false(c.rip.router_rip);
	assert_int_equal(c.rip.n_ifaces, 2);
	assert_string_equal(c.rip.ifaces[0].name, "lo");
	assert_string_equal(c.rip.ifaces[1].name, "eth1");
	assert_int_equal(c.rip.ifaces[1].split_horizon, RIP_SH_POISONED);
	assert_warned("seed-zebra.conf:2: 'password' is not used by riposted, ignored");
	assert_warned("seed-zebra.conf:3: 'enable password' is not used by riposted, ignored");
	assert_warned("seed-zebra.conf:5: 'lo:0' is an address label, not an interface: "
	    "using interface 'lo'");
	assert_warned("seed-zebra.conf:6: 'ip address' is not used by riposted, ignored");
	assert_warned("seed-zebra.conf:8: 'ip address' is not used by riposted, ignored");
	assert_warned("seed-zebra.conf:9: 'line vty' is not used by riposted, ignored");
	w = warn_read();
	assert_int_equal(count_lines(w), 6);
	free(w);
	assert_round_trip(&c);
	riposted_conf_free(&c);
}

static void
test_fallback(void **state)
{
	const char *text =
	    "router rip\n"
	    " network 10.128.0.0/16\n"
	    "interface eth1\n"
	    " ip rip split-horizon\n"
	    "log stdout\n"
	    "router rip\n"
	    " network eth0\n"
	    "interface eth2\n"
	    "no ip forwarding\n"
	    "interface eth2\n"
	    " no ip rip split-horizon\n"
	    "line vty\n"
	    " exec-timeout 0 0\n"
	    " login\n"
	    " hostname r9\n"
	    "router rip\n"
	    " exit\n"
	    "exit\n"
	    "interface eth1\n"
	    " end\n";
	struct riposted_conf c;

	warn_reset();
	parse_ok(text, strlen(text), &c);
	assert_true(c.rip.router_rip);
	assert_int_equal(c.rip.n_networks, 2);
	assert_int_equal(c.rip.networks[0].prefix.addr, 0x0a800000);
	assert_string_equal(c.rip.networks[1].ifname, "eth0");
	assert_int_equal(c.log_dest, LOG_DEST_STDOUT);
	assert_string_equal(c.hostname, "r9");
	assert_int_equal(c.rip.n_ifaces, 2);
	assert_int_equal(rip_conf_iface_get(&c.rip, "eth1").split_horizon, RIP_SH_SIMPLE);
	assert_int_equal(rip_conf_iface_get(&c.rip, "eth2").split_horizon, RIP_SH_NONE);
	assert_int_equal(rip_conf_iface_get(&c.rip, "eth9").split_horizon, RIP_SH_POISONED);
	riposted_conf_free(&c);
}

static void
test_vty_fallback(void **state)
{
	struct riposted_conf c;
	char err[256];
	const char *t = "line vty\n login\n hostname a\n login\n";

	warn_reset();
	assert_int_equal(riposted_conf_parse_buf(NAME, t, strlen(t), &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":4: unknown statement 'login'");
	assert_warned(NAME ":2: line vty: 'login' is not used by riposted, ignored");
	riposted_conf_free(&c);
}

static void
test_comments(void **state)
{
	const char *text =
	    "! a comment\n"
	    "# another\n"
	    "   ! indented comment\n"
	    "\t# tab, then comment\n"
	    "hostname r1 ! trailing comment\n"
	    "router rip # and a hash one\n"
	    " network 10.0.0.0/8!\n";
	const char *text2 =
	    "hostname a!b#c\n"
	    "router rip\n"
	    " network eth0 #comment\n"
	    " neighbor 10.0.0.2 !\n"
	    "!\n"
	    "\t\tinterface\teth0\t\n"
	    "    no   ip   rip    split-horizon   \n";
	struct riposted_conf c;
	char err[256];

	/* '!' inside a word is part of it: '10.0.0.0/8!' is no prefix and no name. */
	assert_int_equal(riposted_conf_parse_buf(NAME, text, strlen(text), &c, err, sizeof(err)), -1);
	assert_string_equal(err, NAME ":7: invalid interface name '10.0.0.0/8!'");
	riposted_conf_free(&c);

	warn_reset();
	parse_ok(text2, strlen(text2), &c);
	assert_string_equal(c.hostname, "a!b#c");
	assert_int_equal(c.rip.n_networks, 1);
	assert_string_equal(c.rip.networks[0].ifname, "eth0");
	assert_int_equal(c.rip.n_neighbors, 1);
	assert_int_equal(c.rip.neighbors[0], 0x0a000002);
	assert_int_equal(rip_conf_iface_get(&c.rip, "eth0").split_horizon, RIP_SH_NONE);
	assert_round_trip(&c);
	riposted_conf_free(&c);
}

static void
test_crlf(void **state)
{
	const char *crlf = "hostname r1\r\nrouter rip\r\n network eth0\r\n timers basic 5 15 10\r\n";
	const char *lf = "hostname r1\nrouter rip\n network eth0\n timers basic 5 15 10\n";
	struct riposted_conf a, b;

	parse_ok(crlf, strlen(crlf), &a);
	parse_ok(lf, strlen(lf), &b);
	assert_conf_equal(&a, &b);
	assert_string_equal(a.hostname, "r1");
	assert_string_equal(a.rip.networks[0].ifname, "eth0");
	assert_int_equal(a.rip.t_garbage, 10);
	riposted_conf_free(&a);
	riposted_conf_free(&b);
	/* No final newline, or a final lone '\r'. */
	parse_ok("hostname r2\r", 12, &a);
	assert_string_equal(a.hostname, "r2");
	riposted_conf_free(&a);
}

static void
test_helpers(void **state)
{
	const char *text =
	    "router rip\n"
	    " network 10.128.5.0/24\n"
	    " network lo\n"
	    " passive-interface eth0\n"
	    "interface eth1\n"
	    " ip rip split-horizon\n";
	const char *text2 =
	    "router rip\n"
	    " passive-interface default\n"
	    " no passive-interface eth1\n"
	    " passive-interface eth2\n";
	struct riposted_conf c;
	struct rip_conf_iface ifc;

	parse_ok(text, strlen(text), &c);
	assert_true(rip_conf_network_match(&c.rip, "eth1", 0x0a800502));
	assert_true(rip_conf_network_match(&c.rip, "eth1", 0x0a8005ff));
	assert_false(rip_conf_network_match(&c.rip, "eth1", 0x0a800602));
	assert_true(rip_conf_network_match(&c.rip, "lo", 0x0a80e002));
	assert_true(rip_conf_network_match(&c.rip, "lo", 0x7f000001));
	assert_false(rip_conf_network_match(&c.rip, "lo0", 0x7f000001));
	assert_true(rip_conf_is_passive(&c.rip, "eth0"));
	assert_false(rip_conf_is_passive(&c.rip, "eth1"));
	ifc = rip_conf_iface_get(&c.rip, "eth1");
	assert_string_equal(ifc.name, "eth1");
	assert_int_equal(ifc.split_horizon, RIP_SH_SIMPLE);
	ifc = rip_conf_iface_get(&c.rip, "eth3");
	assert_string_equal(ifc.name, "eth3");
	assert_int_equal(ifc.split_horizon, RIP_SH_POISONED);
	riposted_conf_free(&c);

	parse_ok(text2, strlen(text2), &c);
	assert_true(rip_conf_is_passive(&c.rip, "eth0"));
	assert_false(rip_conf_is_passive(&c.rip, "eth1"));
	assert_true(rip_conf_is_passive(&c.rip, "eth2"));
	assert_int_equal(c.rip.n_passive, 1);
	assert_int_equal(c.rip.n_nopassive, 1);
	assert_false(rip_conf_network_match(&c.rip, "eth0", 0x0a000001));
	riposted_conf_free(&c);
}

/* riposted_conf_resolve: the names on this host and the exec checks' programs. */
static const struct resolve_case {
	const char *in;
	const char *err; /* NULL: resolves */
} resolve_cases[] = {
	{ "user no-such-user-riposte", NAME ":1: user no-such-user-riposte: no such user" },
	{ "hostname a\ncheck-user no-such-user-riposte",
	    NAME ":2: check-user no-such-user-riposte: no such user" },
	{ "control-group no-such-group-riposte",
	    NAME ":1: control-group no-such-group-riposte: no such group" },
	{ "control-readonly-group no-such-group-riposte",
	    NAME ":1: control-readonly-group no-such-group-riposte: no such group" },
	{ "user root\ncheck-user root\ncontrol-group root\ncontrol-readonly-group root", NULL },
	/* A missing check user matters only with an exec check. */
	{ "service web\n address 192.0.2.80\n check tcp 127.0.0.1:80", NULL },
};

static void
test_resolve(void **state)
{
	for (size_t i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]); i++) {
		const struct resolve_case *tc = &resolve_cases[i];
		struct riposted_conf c;
		char err[512] = "";

		assert_int_equal(riposted_conf_parse_buf(NAME, tc->in, strlen(tc->in), &c, err,
		    sizeof(err)), 0);
		int rc = riposted_conf_resolve(NAME, &c, err, sizeof(err));
		if (tc->err == NULL && rc != 0)
			fail_msg("case %zu '%s': %s", i, tc->in, err);
		if (tc->err != NULL && (rc != -1 || strcmp(err, tc->err) != 0))
			fail_msg("case %zu '%s':\nexpected: %s\ngot:      %s", i, tc->in, tc->err,
			    rc == 0 ? "(resolved)" : err);
		riposted_conf_free(&c);
	}

	/* Resolved: the ids, and every exec check runs as the check user. */
	struct riposted_conf c;
	char err[512];
	const char *in = "user root\ncheck-user root\ncontrol-readonly-group root\n"
	    "service web\n address 192.0.2.80\n check tcp 127.0.0.1:80\n check exec /bin/true";
	assert_int_equal(riposted_conf_parse_buf(NAME, in, strlen(in), &c, err, sizeof(err)), 0);
	assert_false(c.services[0].checks[1].run_as);
	assert_int_equal(riposted_conf_resolve(NAME, &c, err, sizeof(err)), 0);
	assert_int_equal(c.uid, 0);
	assert_int_equal(c.check_uid, 0);
	assert_int_equal(c.control_ro_gid, 0);
	assert_int_equal(c.control_gid, (gid_t)-1);
	assert_false(c.services[0].checks[0].run_as);	/* tcp */
	assert_true(c.services[0].checks[1].run_as);
	assert_int_equal(c.services[0].checks[1].run_uid, 0);
	assert_int_equal(c.services[0].checks[1].run_gid, 0);
	riposted_conf_free(&c);
}

/* An exec check whose program others may change is refused, at the check's line. */
static void
test_resolve_script_security(void **state)
{
	char dir[] = "/tmp/test_conf_sec_XXXXXX", prog[64], in[512], want[1024], err[1024];
	struct riposted_conf c;
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(prog, sizeof(prog), "%s/check.sh", dir);
	fd = open(prog, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	assert_true(fd >= 0);
	close(fd);
	snprintf(in, sizeof(in), "check-user root\n!\nservice web\n address 192.0.2.80\n"
	    " check tcp 127.0.0.1:80\n check exec %s --flag\n", prog);
	assert_int_equal(riposted_conf_parse_buf(NAME, in, strlen(in), &c, err, sizeof(err)), 0);
	assert_int_equal(riposted_conf_resolve(NAME, &c, err, sizeof(err)), 0);
	riposted_conf_free(&c);

	assert_int_equal(chmod(prog, 0777), 0);
	assert_int_equal(riposted_conf_parse_buf(NAME, in, strlen(in), &c, err, sizeof(err)), 0);
	assert_int_equal(riposted_conf_resolve(NAME, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), NAME ":6: service web: check exec %s: not safe to run as "
	    "root: %s is writable by others (mode 0777)", prog, prog);
	assert_string_equal(err, want);
	riposted_conf_free(&c);

	/* The same through the file: --check, the start and reloads read it so. */
	char path[128];
	snprintf(path, sizeof(path), "%s/r.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(in, f);
	fclose(f);
	assert_int_equal(riposted_conf_parse_file(path, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:6: service web: check exec %s: not safe to run as "
	    "root: %s is writable by others (mode 0777)", path, prog, prog);
	assert_string_equal(err, want);
	assert_int_equal(c.n_services, 0);	/* rejected whole */
	riposted_conf_free(&c);
	assert_int_equal(chmod(prog, 0755), 0);
	assert_int_equal(riposted_conf_parse_file(path, &c, err, sizeof(err)), 0);
	riposted_conf_free(&c);
	unlink(path);
	unlink(prog);
	rmdir(dir);
}

static void
test_file_errors(void **state)
{
	struct riposted_conf c;
	char err[512], path[] = "/tmp/test_conf_big_XXXXXX";
	int fd;
	FILE *f;

	assert_int_equal(riposted_conf_parse_file("/nonexistent/ripd.conf", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/ripd.conf: cannot read: No such file or directory");
	riposted_conf_free(&c);
	assert_int_equal(riposted_conf_parse_file("/tmp", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "/tmp: cannot read: Is a directory");
	riposted_conf_free(&c);

	/* Exactly 4 MiB of comment lines loads; one byte more does not. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (int i = 0; i < 4 * 1024 * 1024 / 64; i++)
		fprintf(f, "!%62s\n", "");
	fflush(f);
	assert_int_equal(riposted_conf_parse_file(path, &c, err, sizeof(err)), 0);
	riposted_conf_free(&c);
	fputc('\n', f);
	fclose(f);
	assert_int_equal(riposted_conf_parse_file(path, &c, err, sizeof(err)), -1);
	char want[600];
	snprintf(want, sizeof(want), "%s: file too large (max 4194304 bytes)", path);
	assert_string_equal(err, want);
	riposted_conf_free(&c);
	unlink(path);

	/* Errors inside a file carry its path. */
	char path2[] = "/tmp/test_conf_bad_XXXXXX";
	fd = mkstemp(path2);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "router rip\n version 1\n", 22), 22);
	close(fd);
	assert_int_equal(riposted_conf_parse_file(path2, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:2: RIPv1 is not supported", path2);
	assert_string_equal(err, want);
	riposted_conf_free(&c);
	unlink(path2);
}

/* A config with every statement that stores something, in odd order. */
static const char *const full_conf =
    "interface eth2\n"
    " no ip rip split-horizon\n"
    "router rip\n"
    " allow-ecmp 8\n"
    " timers basic 3 18 12\n"
    " default-metric 3\n"
    " default-information originate\n"
    " redistribute kernel metric 5\n"
    " redistribute static\n"
    " redistribute connected metric 2\n"
    " no passive-interface eth3\n"
    " passive-interface eth4\n"
    " passive-interface default\n"
    " neighbor 10.128.8.2\n"
    " neighbor 10.128.8.3\n"
    " network eth1\n"
    " network 10.128.0.0/16\n"
    " version 2\n"
    "log file /var/log/riposted.log debugging\n"
    "hostname full\n"
    "interface eth1\n"
    " ip rip split-horizon\n";

static void
test_round_trip_embedded(void **state)
{
	const char *texts[] = { full_conf, "", "router rip\n no allow-ecmp\n",
		"log syslog errors\n", "interface lo\n" };
	struct riposted_conf c;
	char *out;

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		warn_reset();
		parse_ok(texts[i], strlen(texts[i]), &c);
		assert_round_trip(&c);
		riposted_conf_free(&c);
	}
	parse_ok(full_conf, strlen(full_conf), &c);
	out = print_str(&c);
	assert_string_equal(out,
	    "hostname full\n"
	    "log file /var/log/riposted.log debugging\n"
	    "!\n"
	    "router rip\n"
	    " version 2\n"
	    " network eth1\n"
	    " network 10.128.0.0/16\n"
	    " neighbor 10.128.8.2\n"
	    " neighbor 10.128.8.3\n"
	    " passive-interface default\n"
	    " passive-interface eth4\n"
	    " no passive-interface eth3\n"
	    " redistribute connected metric 2\n"
	    " redistribute static\n"
	    " redistribute kernel metric 5\n"
	    " default-information originate\n"
	    " default-metric 3\n"
	    " timers basic 3 18 12\n"
	    " allow-ecmp\n"
	    "!\n"
	    "interface eth2\n"
	    " no ip rip split-horizon\n"
	    "!\n"
	    "interface eth1\n"
	    " ip rip split-horizon\n"
	    "!\n");
	free(out);
	riposted_conf_free(&c);
}

/* Every example config loads and round-trips. */
static void
test_round_trip_files(void **state)
{
	char dir[4096], path[4096 + 256], err[512];
	struct dirent *de;
	unsigned n = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/conf", srcdir());
	d = opendir(dir);
	if (d == NULL)
		fail_msg("cannot open %s (set RIPOSTE_SRCDIR)", dir);
	while ((de = readdir(d)) != NULL) {
		struct riposted_conf c;
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 5, ".conf") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (riposted_conf_parse_file(path, &c, err, sizeof(err)) != 0)
			fail_msg("%s", err);
		assert_round_trip(&c);
		riposted_conf_free(&c);
		n++;
	}
	closedir(d);
	assert_true(n >= 6);
}

/* Specific values of the example files that the round trip cannot see. */
static void
test_example_values(void **state)
{
	char path[4096], err[512];
	struct riposted_conf c;

	conf_path(path, sizeof(path), "frr-running.conf");
	if (riposted_conf_parse_file(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.hostname, "r2");
	assert_int_equal(c.log_dest, LOG_DEST_SYSLOG);
	assert_true(c.rip.passive_default);
	assert_false(rip_conf_is_passive(&c.rip, "eth0"));
	assert_true(rip_conf_is_passive(&c.rip, "eth9"));
	assert_int_equal(c.rip.t_update, 10);
	assert_int_equal(c.rip.n_ifaces, 2);
	riposted_conf_free(&c);

	conf_path(path, sizeof(path), "crlf.conf");
	if (riposted_conf_parse_file(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.hostname, "crlf");
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	assert_int_equal(rip_conf_iface_get(&c.rip, "eth0").split_horizon, RIP_SH_NONE);
	riposted_conf_free(&c);

	conf_path(path, sizeof(path), "router.conf");
	if (riposted_conf_parse_file(path, &c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.log_dest, LOG_DEST_FILE);
	assert_string_equal(c.log_path, "/var/log/riposted.log");
	assert_int_equal(c.log_level, LOG_LVL_NOTICE);
	assert_true(c.rip.redist[RIP_REDIST_KERNEL].enabled);
	assert_int_equal(c.rip.redist[RIP_REDIST_KERNEL].metric, 3);
	assert_false(c.rip.redist[RIP_REDIST_CONNECTED].enabled);
	assert_false(c.rip.allow_ecmp);
	assert_true(rip_conf_is_passive(&c.rip, "eth0"));
	riposted_conf_free(&c);
}

static int
group_setup(void **state)
{
	int fd = mkstemp(warn_path);
	if (fd < 0)
		return -1;
	close(fd);
	if (log_configure(LOG_DEST_FILE, warn_path, LOG_LVL_WARN) != 0)
		return -1;
	return 0;
}

static int
group_teardown(void **state)
{
	log_configure(LOG_DEST_STDERR, NULL, LOG_LVL_INFO);
	unlink(warn_path);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_seed_ripd),
		cmocka_unit_test(test_seed_zebra),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_list_limits),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_vty_fallback),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_crlf),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_script_security),
		cmocka_unit_test(test_round_trip_embedded),
		cmocka_unit_test(test_round_trip_files),
		cmocka_unit_test(test_example_values),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
