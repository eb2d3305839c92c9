/*
 * test_dns_load.c - tests of the loaders and the exporter (src/dns/load.c):
 * zone files through libzscanner (RFC 1035 5, RFC 3597 generic types,
 * $INCLUDE with its depth limit), every error as "path:line: message";
 * the hosts input (docs/hosts-input.md): the seed's example, IPv6, every
 * directive and every error; export -> reload round trips, and the
 * exported files checked by kzonecheck, nsd-checkzone or knotc when they
 * are installed.  With RIPOSTE_DNS_BENCH=1 a generated 1M-record zone is
 * loaded and its time and memory printed.
 *
 * Example files are under $RIPOSTE_SRCDIR/tests/dns/zones (default ".").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include "dns/dnssec_check.h"
#include "dns/load.h"

static char tmpdir[] = "/tmp/test_dns_load_XXXXXX";

static const char *
zones_path(const char *file)
{
	static char buf[4][4096];
	static unsigned next;
	const char *src = getenv("RIPOSTE_SRCDIR");
	char *out = buf[next++ % 4];
	snprintf(out, 4096, "%s/tests/dns/zones/%s", src ? src : ".", file);
	return out;
}

static const uint8_t *
N(const char *text)
{
	static uint8_t ring[8][DNS_NAME_MAX];
	static unsigned next;
	uint8_t *out = ring[next++ % 8];
	assert_true(dns_name_from_text(out, text, NULL) > 0);
	return out;
}

static const struct dns_rrset *
rrset(const struct dns_zoneset *set, const char *name, uint16_t type)
{
	const struct dns_zone *z = dns_zoneset_find(set, N(name));
	if (z == NULL)
		return NULL;
	const struct dns_node *n = dns_zone_lookup(z, N(name));
	return n ? dns_node_rrset(n, type) : NULL;
}

static const struct dns_rrset *
zrrset(const struct dns_zone *z, const char *name, uint16_t type)
{
	const struct dns_node *n = dns_zone_lookup(z, N(name));
	return n ? dns_node_rrset(n, type) : NULL;
}

/* The i-th record of an RRset. */
static const uint8_t *
rdata(const struct dns_rrset *set, unsigned i, size_t *len)
{
	const uint8_t *p = set->rdata;
	assert_true(i < set->count);
	for (;; i--) {
		size_t l = (size_t)p[0] << 8 | p[1];
		if (i == 0) {
			*len = l;
			return p + 2;
		}
		p += 2 + l;
	}
}

/* Does the RRset hold this record? */
static bool
has(const struct dns_rrset *set, const void *rd, size_t len)
{
	for (unsigned i = 0; set != NULL && i < set->count; i++) {
		size_t l;
		const uint8_t *p = rdata(set, i, &l);
		if (l == len && memcmp(p, rd, len) == 0)
			return true;
	}
	return false;
}

static bool
has_name(const struct dns_rrset *set, const char *name)
{
	const uint8_t *n = N(name);
	return has(set, n, (size_t)dns_name_wire_len(n, DNS_NAME_MAX));
}

static bool
has_addr(const struct dns_rrset *set, const char *text)
{
	uint8_t a[16];
	if (inet_pton(AF_INET, text, a) == 1)
		return has(set, a, 4);
	assert_int_equal(inet_pton(AF_INET6, text, a), 1);
	return has(set, a, 16);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An SOA as text: "mname rname serial refresh retry expire minimum". */
static const char *
soa_text(const struct dns_rrset *soa, char out[1024])
{
	char m[DNS_NAME_STRLEN], r[DNS_NAME_STRLEN];
	size_t len;
	const uint8_t *p = rdata(soa, 0, &len);
	int ml = dns_name_wire_len(p, len);
	int rl = dns_name_wire_len(p + ml, len - (size_t)ml);
	const uint8_t *t = p + ml + rl;
	snprintf(out, 1024, "%s %s %u %u %u %u %u", dns_name_to_text(p, m),
	    dns_name_to_text(p + ml, r), be32(t), be32(t + 4), be32(t + 8), be32(t + 12),
	    be32(t + 16));
	return out;
}

/* ------------------------------------------------- records, for comparing */

struct recs {
	char **v;
	size_t n, cap;
};

static void
recs_collect(void *ctx, const struct dns_node *node)
{
	struct recs *r = ctx;
	char name[DNS_NAME_STRLEN];
	dns_name_to_text(node->name, name);
	for (uint16_t i = 0; i < node->n_rrsets; i++) {
		const struct dns_rrset *set = &node->rrsets[i];
		for (unsigned k = 0; k < set->count; k++) {
			size_t len;
			const uint8_t *p = rdata(set, k, &len);
			char *s = malloc(strlen(name) + 40 + 2 * len);
			int o = sprintf(s, "%s %u %u ", name, set->type, set->ttl);
			for (size_t j = 0; j < len; j++)
				o += sprintf(s + o, "%02x", p[j]);
			if (r->n == r->cap) {
				r->cap = r->cap ? 2 * r->cap : 64;
				r->v = realloc(r->v, r->cap * sizeof(*r->v));
			}
			r->v[r->n++] = s;
		}
	}
}

static int
strp_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct recs
recs_of(const struct dns_zone *z)
{
	struct recs r = { NULL, 0, 0 };
	dns_zone_walk(z, recs_collect, &r);
	qsort(r.v, r.n, sizeof(*r.v), strp_cmp);
	return r;
}

static void
recs_free(struct recs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
}

static void
assert_same_records(const struct dns_zone *a, const struct dns_zone *b)
{
	struct recs ra = recs_of(a), rb = recs_of(b);
	for (size_t i = 0; i < ra.n && i < rb.n; i++)
		if (strcmp(ra.v[i], rb.v[i]) != 0)
			fail_msg("record %zu differs:\n  %s\n  %s", i, ra.v[i], rb.v[i]);
	assert_int_equal(ra.n, rb.n);
	assert_int_equal(ra.n, dns_zone_rr_count(a));
	assert_int_equal(dns_zone_node_count(a), dns_zone_node_count(b));
	recs_free(&ra);
	recs_free(&rb);
}

/* ------------------------------------------------- the standard checkers */

static bool
have_tool(const char *name, char *path, size_t len)
{
	const char *env = getenv("PATH");
	char dirs[8192];
	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin:/usr/bin:/bin", env ? env : "");
	for (char *save, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(path, len, "%s/%s", d, name);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

static void
run_ok(const char *cmd)
{
	char out[8192];
	size_t n = 0;
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	while (n < sizeof(out) - 1 && fgets(out + n, (int)(sizeof(out) - n), p) != NULL)
		n += strlen(out + n);
	out[n] = '\0';
	int rc = pclose(p);
	if (rc != 0)
		fail_msg("'%s' failed (%d):\n%s", cmd, rc, out);
}

/*
 * Every installed checker must accept the exported file: kzonecheck (Knot
 * 3.3+), nsd-checkzone, knotc zone-check (Knot with a throwaway config).
 * Returns how many ran.
 */
static int
check_zone_file(const char *origin, const char *dir)
{
	char tool[4096], cmd[16384], file[4096], conf[4096];
	char name[DNS_NAME_STRLEN];
	int ran = 0;

	snprintf(name, sizeof(name), "%s", origin);
	name[strlen(name) - 1] = '\0';
	snprintf(file, sizeof(file), "%s/%s.zone", dir, name);
	if (have_tool("kzonecheck", tool, sizeof(tool))) {
		snprintf(cmd, sizeof(cmd), "'%s' -o '%s' '%s' 2>&1", tool, origin, file);
		run_ok(cmd);
		ran++;
	}
	if (have_tool("nsd-checkzone", tool, sizeof(tool))) {
		snprintf(cmd, sizeof(cmd), "'%s' '%s' '%s' 2>&1", tool, origin, file);
		run_ok(cmd);
		ran++;
	}
	if (have_tool("knotc", tool, sizeof(tool))) {
		snprintf(conf, sizeof(conf), "%s/knot.conf", tmpdir);
		FILE *f = fopen(conf, "w");
		assert_non_null(f);
		fprintf(f, "server:\n    rundir: \"%s\"\ndatabase:\n    storage: \"%s\"\n"
		    "zone:\n  - domain: \"%s\"\n    file: \"%s\"\n", tmpdir, tmpdir, origin, file);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "'%s' -c '%s' zone-check '%s' 2>&1", tool, conf, origin);
		run_ok(cmd);
		ran++;
	}
	return ran;
}

/* Export, check with the standard tools, reload, compare. */
static void
round_trip(const struct dns_zone *z)
{
	char err[4096], origin[DNS_NAME_STRLEN], name[DNS_NAME_STRLEN], path[8192];

	dns_name_to_text(dns_zone_apex(z), origin);
	if (dns_export_zone(z, tmpdir, err, sizeof(err)) != 0)
		fail_msg("export: %s", err);
	snprintf(name, sizeof(name), "%s", origin);
	name[strlen(name) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/%s.zone", tmpdir, name);
	struct dns_zone *again = dns_load_zonefile(path, origin, err, sizeof(err));
	if (again == NULL)
		fail_msg("reload: %s", err);
	assert_string_equal(err, "");
	assert_same_records(z, again);
	dns_zone_free(again);
	int ran = check_zone_file(origin, tmpdir);
	static bool said;
	if (!said) {
		char tool[4096];
		printf("# exported zones checked by %d tool(s):%s%s%s\n", ran,
		    have_tool("kzonecheck", tool, sizeof(tool)) ? " kzonecheck" : "",
		    have_tool("nsd-checkzone", tool, sizeof(tool)) ? " nsd-checkzone" : "",
		    have_tool("knotc", tool, sizeof(tool)) ? " knotc" : "");
		said = true;
	}
	unlink(path);
}

/* ------------------------------------------------------------ zone files */

static void
test_zonefile_example(void **state)
{
	char err[1024], t[1024];
	struct dns_zone *z = dns_load_zonefile(zones_path("example.zone"), "example.", err,
	    sizeof(err));
	if (z == NULL)
		fail_msg("%s", err);
	assert_string_equal(err, "");
	assert_int_equal(dns_zone_rr_count(z), 30);
	assert_string_equal(soa_text(dns_zone_soa(z), t),
	    "ns1.example. hostmaster.example. 2024010101 7200 1800 1209600 300");
	assert_int_equal(dns_zone_soa(z)->ttl, 3600);
	assert_true(has_name(zrrset(z, "example.", DNS_T_NS), "ns2.other.net."));
	assert_true(has(zrrset(z, "example.", DNS_T_MX), "\0\12\4mail\7example", 16));
	assert_true(has(zrrset(z, "example.", 65534), "\12\13\14\15", 4));
	assert_int_equal(zrrset(z, "mail.example.", DNS_T_A)->ttl, 300);
	assert_true(has_addr(zrrset(z, "ns1.example.", DNS_T_AAAA), "2001:db8::1"));
	assert_int_equal(zrrset(z, "web.example.", DNS_T_A)->count, 2);
	assert_true(has_name(zrrset(z, "www.example.", DNS_T_CNAME), "web.example."));
	assert_true(has(zrrset(z, "info.example.", DNS_T_TXT),
	    "\14first string\26second \"quoted\" string\21tab\tand\\backslash", 54));
	assert_true(has(zrrset(z, "_sip._udp.example.", DNS_T_SRV),
	    "\0\12\0\74\23\304\3sip\7example", 19));
	assert_int_equal(dns_zone_lookup(z, N("sub.example."))->flags, DNS_NODE_DELEGATION);
	assert_int_equal(dns_zone_lookup(z, N("ns.sub.example."))->flags, DNS_NODE_GLUE);
	assert_int_equal(dns_zone_lookup(z, N("wild.example."))->flags, DNS_NODE_WILDCARD);
	assert_int_equal(dns_zone_lookup(z, N("b.c.example."))->n_rrsets, 0);
	assert_non_null(zrrset(z, "sub.example.", DNS_T_DS));
	assert_non_null(zrrset(z, "alias.example.", DNS_T_DNAME));
	assert_int_equal(zrrset(z, "nul.example.", 10)->rdata_len, 2);
	round_trip(z);
	dns_zone_free(z);
}

static void
test_zonefile_include(void **state)
{
	char err[1024];
	struct dns_zone *z = dns_load_zonefile(zones_path("include.zone"), "inc.example.", err,
	    sizeof(err));
	if (z == NULL)
		fail_msg("%s", err);
	assert_true(has_addr(zrrset(z, "a.hosts.inc.example.", DNS_T_A), "192.0.2.10"));
	assert_true(has_addr(zrrset(z, "b.hosts.inc.example.", DNS_T_A), "192.0.2.11"));
	assert_true(has_addr(zrrset(z, "after.inc.example.", DNS_T_A), "192.0.2.2"));
	assert_int_equal(dns_zone_rr_count(z), 6);
	dns_zone_free(z);
}

static void
expect_file_error(const char *file, const char *origin, const char *suffix)
{
	char err[1024], expect[8192];
	struct dns_zone *z = dns_load_zonefile(file, origin, err, sizeof(err));
	if (z != NULL) {
		dns_zone_free(z);
		fail_msg("%s loaded, expected an error", file);
	}
	snprintf(expect, sizeof(expect), "%s", suffix);
	assert_string_equal(err, expect);
}

static void
test_zonefile_file_errors(void **state)
{
	char expect[8192];

	snprintf(expect, sizeof(expect), "%s:6: invalid address character",
	    zones_path("bad-syntax.zone"));
	expect_file_error(zones_path("bad-syntax.zone"), "example.", expect);

	/* An error in an included file names that file. */
	char *inc = realpath(zones_path("include/bad.zone"), NULL);
	assert_non_null(inc);
	snprintf(expect, sizeof(expect), "%s:2: invalid IPv4 address", inc);
	free(inc);
	expect_file_error(zones_path("include-bad.zone"), "inc.example.", expect);

	/* A file that includes itself stops at the depth limit. */
	char err[1024];
	assert_null(dns_load_zonefile(zones_path("loop.zone"), "loop.example.", err, sizeof(err)));
	assert_non_null(strstr(err, "loop.zone:3: $INCLUDE nested deeper than 8 files"));

	expect_file_error("/nonexistent/x.zone", "example.", "/nonexistent/x.zone: No such file "
	    "or directory");
	snprintf(expect, sizeof(expect), "%s: example.: no SOA at the zone apex\n"
	    "%s: example.: no NS at the zone apex", "/dev/null", "/dev/null");
	expect_file_error("/dev/null", "example.", expect);
	expect_file_error("/", "example.", "/: invalid file");
	snprintf(expect, sizeof(expect), "%s: bad zone name 'exa..mple.'",
	    zones_path("example.zone"));
	expect_file_error(zones_path("example.zone"), "exa..mple.", expect);
}

static const char soa_ns[] = "$ORIGIN example.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\n";

static void
expect_buf(const char *body, const char *origin, const char *expect)
{
	char buf[8192], err[1024];
	snprintf(buf, sizeof(buf), "%s%s", soa_ns, body);
	struct dns_zone *z = dns_load_zonefile_buf("t.zone", buf, strlen(buf), origin, err,
	    sizeof(err));
	if (z != NULL) {
		dns_zone_free(z);
		fail_msg("loaded, expected '%s'", expect);
	}
	assert_string_equal(err, expect);
}

static void
test_zonefile_errors(void **state)
{
	expect_buf("www A 192.0.2.1.5\n", "example.", "t.zone:4: invalid IPv4 address");
	expect_buf("\nwww A 192.0.2.1\nwww.other. A 192.0.2.1\n", "example.",
	    "t.zone:6: www.other. is outside the zone example.");
	expect_buf("x CH A 192.0.2.1\n", "example.", "t.zone:4: unsupported record type");
	expect_buf("x A \\# 3 010203\n", "example.", "t.zone:4: malformed A rdata (3 bytes)");
	expect_buf("x NS \\# 2 0100\n", "example.", "t.zone:4: malformed NS rdata (2 bytes)");
	expect_buf("x TYPE41 \\# 0\n", "example.", "t.zone:4: type OPT cannot be zone data");
	expect_buf("x TYPE255 \\# 0\n", "example.", "t.zone:4: type ANY cannot be zone data");
	expect_buf("$INCLUDE /etc/hostname\n", "example.",
	    "t.zone:4: $INCLUDE is not allowed in this input");
	expect_buf("x BOGUS 1\n", "example.", "t.zone:4: invalid number");
	expect_buf("x CLASS1 A 192.0.2.1\n", "example.", "t.zone:4: unsupported record type");
	expect_buf("x A ( 192.0.2.1\n", "example.", "t.zone:5: unclosed last multiline block");
	expect_buf("x TXT \"abc\n", "example.", "t.zone:4: invalid text character");
	expect_buf("www CNAME x\nwww A 192.0.2.1\n", "example.",
	    "t.zone: www.example.: CNAME and other data (RFC 2181 10.1)");
	expect_buf("", "example2.", "t.zone:2: example. is outside the zone example2.");
	expect_buf("", "bad..origin.", "t.zone: bad zone name 'bad..origin.'");

	/* Warnings come back with a zone that loaded. */
	char err[1024];
	const char *w = "$ORIGIN example.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nx 60 A 192.0.2.1\n"
	    "x 70 A 192.0.2.2\n";
	struct dns_zone *z = dns_load_zonefile_buf("w.zone", w, strlen(w), "example.", err,
	    sizeof(err));
	assert_non_null(z);
	assert_string_equal(err, "w.zone: warning: x.example. A: TTLs differ (60 to 70), using 60 "
	    "(RFC 2181 5.2)");
	dns_zone_free(z);

	/* Empty input, and an input that is not NUL-terminated. */
	assert_null(dns_load_zonefile_buf("e.zone", "", 0, "example.", err, sizeof(err)));
	assert_string_equal(err, "e.zone: example.: no SOA at the zone apex\n"
	    "e.zone: example.: no NS at the zone apex");
	char nt[] = { '@', ' ', 'N', 'S', ' ', 'n', 's', 'X' };
	assert_null(dns_load_zonefile_buf("n.zone", nt, 7, "example.", err, sizeof(err)));
	assert_string_equal(err, "n.zone: example.: no SOA at the zone apex");
}

static void
test_zonefile_default_ttl_and_origin(void **state)
{
	char err[1024];
	/* No $ORIGIN, no $TTL: the zone's name and 3600. */
	const char *in = "@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";
	struct dns_zone *z = dns_load_zonefile_buf("d.zone", in, strlen(in), "example", err,
	    sizeof(err));
	assert_non_null(z);
	assert_int_equal(zrrset(z, "ns.example.", DNS_T_A)->ttl, 3600);
	assert_true(has_name(zrrset(z, "example.", DNS_T_NS), "ns.example."));
	dns_zone_free(z);
}

/* ------------------------------------------------------------ hosts input */

static int
hosts(const char *text, const char *origin, struct dns_zoneset *set, char *err, size_t errlen)
{
	return dns_load_hosts_buf("h.hosts", text, strlen(text), origin, set, err, errlen);
}

static struct dns_zoneset *
hosts_ok(const char *text, const char *origin)
{
	char err[1024];
	struct dns_zoneset *set = dns_zoneset_new();
	if (hosts(text, origin, set, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(err, "");
	return set;
}

static void
test_hosts_seed_example(void **state)
{
	char err[1024], t[1024], expect[256];
	struct dns_zoneset *set = dns_zoneset_new();
	struct stat st;
	const char *path = zones_path("home.hosts");

	if (dns_load_hosts(path, "home.", set, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(err, "");
	assert_int_equal(stat(path, &st), 0);
	/* The forward zone and the $REVERSE zone. */
	assert_int_equal(dns_zoneset_count(set), 2);
	const struct dns_zone *home = dns_zoneset_get(set, 0);
	assert_true(dns_name_equal(dns_zone_apex(home), N("home.")));
	snprintf(expect, sizeof(expect), "ns.home. hostmaster.home. %u 86400 7200 3600000 3600",
	    (uint32_t)st.st_mtime);
	assert_string_equal(soa_text(dns_zone_soa(home), t), expect);
	assert_int_equal(dns_zone_soa(home)->ttl, 3600);
	assert_true(has_name(rrset(set, "home.", DNS_T_NS), "ns.home."));
	assert_true(has(rrset(set, "home.", DNS_T_MX), "\0\12\4mail\4home", 13));
	assert_true(has_addr(rrset(set, "test.home.", DNS_T_A), "10.128.1.1"));
	assert_true(has_addr(rrset(set, "ns.home.", DNS_T_A), "10.128.224.2"));
	assert_true(has_addr(rrset(set, "xenial1.home.", DNS_T_A), "10.128.5.2"));
	assert_true(has_addr(rrset(set, "mail.home.", DNS_T_A), "10.128.5.2"));
	assert_true(has_name(rrset(set, "dns.home.", DNS_T_CNAME), "ns.home."));
	assert_true(has_name(rrset(set, "gw5.home.", DNS_T_CNAME), "router1.home."));
	assert_null(rrset(set, "dns.home.", DNS_T_A));
	/* PTRs: the first name of each address only. */
	assert_true(has_name(rrset(set, "2.224.128.10.in-addr.arpa.", DNS_T_PTR), "ns.home."));
	assert_true(has_name(rrset(set, "1.1.128.10.in-addr.arpa.", DNS_T_PTR), "test.home."));
	const struct dns_rrset *ptr = rrset(set, "2.5.128.10.in-addr.arpa.", DNS_T_PTR);
	assert_int_equal(ptr->count, 1);
	assert_true(has_name(ptr, "xenial1.home."));
	/* The reverse zone carries the same SOA and NS. */
	const struct dns_zone *rev = dns_zoneset_find(set, N("2.5.128.10.in-addr.arpa."));
	assert_true(dns_name_equal(dns_zone_apex(rev), N("128.10.in-addr.arpa.")));
	assert_ptr_equal(dns_zoneset_get(set, 1), rev);
	assert_string_equal(soa_text(dns_zone_soa(rev), t), expect);
	assert_true(has_name(rrset(set, "128.10.in-addr.arpa.", DNS_T_NS), "ns.home."));
	assert_ptr_equal(dns_zoneset_find(set, N("9.9.128.10.in-addr.arpa.")), rev);
	assert_null(dns_zoneset_find(set, N("129.10.in-addr.arpa.")));
	assert_int_equal(dns_zone_rr_count(rev), 2 + 8); /* 9 lines, 8 addresses */
	for (size_t i = 0; i < dns_zoneset_count(set); i++)
		round_trip(dns_zoneset_get(set, i));
	dns_zoneset_free(set);
}

static void
test_hosts_serial_is_mtime(void **state)
{
	char path[4096], err[1024], t[1024];
	struct utimbuf ut = { 1700000000, 1700000000 };
	struct dns_zoneset *set = dns_zoneset_new();

	snprintf(path, sizeof(path), "%s/m.hosts", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("$NS ns\n10.0.0.1 ns\n", f);
	fclose(f);
	assert_int_equal(utime(path, &ut), 0);
	assert_int_equal(dns_load_hosts(path, "m.example.", set, err, sizeof(err)), 0);
	assert_string_equal(soa_text(dns_zone_soa(dns_zoneset_get(set, 0)), t),
	    "ns.m.example. hostmaster.m.example. 1700000000 86400 7200 3600000 3600");
	dns_zoneset_free(set);
	unlink(path);

	set = dns_zoneset_new();
	assert_int_equal(dns_load_hosts("/nonexistent.hosts", "x.", set, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent.hosts: No such file or directory");
	assert_int_equal(dns_load_hosts("/tmp", "x.", set, err, sizeof(err)), -1);
	assert_string_equal(err, "/tmp: not a regular file");
	dns_zoneset_free(set);
}

static void
test_hosts_dual(void **state)
{
	char err[1024], t[1024];
	struct dns_zoneset *set = dns_zoneset_new();

	/* No origin from the configuration: $ORIGIN names the zone. */
	if (dns_load_hosts(zones_path("dual.hosts"), NULL, set, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(dns_zoneset_count(set), 3);
	const struct dns_zone *fw = dns_zoneset_get(set, 0);
	assert_true(dns_name_equal(dns_zone_apex(fw), N("lab.example.")));
	assert_string_equal(soa_text(dns_zone_soa(fw), t),
	    "ns1.lab.example. admin.lab.example. 2024060101 7200 1800 1209600 300");
	assert_int_equal(dns_zone_soa(fw)->ttl, 600);
	const struct dns_rrset *ns = rrset(set, "lab.example.", DNS_T_NS);
	assert_int_equal(ns->count, 3);
	assert_true(has_name(ns, "ns.provider.example.net."));
	assert_int_equal(rrset(set, "lab.example.", DNS_T_MX)->count, 2);
	assert_true(has(rrset(set, "lab.example.", DNS_T_MX),
	    "\0\24\2mx\10provider\7example\3net", 27));
	assert_true(has_addr(rrset(set, "ns1.lab.example.", DNS_T_AAAA), "2001:db8:1:224::2"));
	const struct dns_rrset *www = rrset(set, "www.lab.example.", DNS_T_A);
	assert_int_equal(www->count, 2);
	assert_true(has_addr(www, "10.128.9.10"));
	assert_int_equal(www->ttl, 600);
	assert_true(has_name(rrset(set, "portal.lab.example.", DNS_T_CNAME), "www.lab.example."));
	assert_int_equal(rrset(set, "web.lab.example.", DNS_T_CNAME)->count, 1);
	/* $REVERSE: one /16 and one /48. */
	const struct dns_zone *r4 = dns_zoneset_find(set, N("9.9.128.10.in-addr.arpa."));
	assert_true(dns_name_equal(dns_zone_apex(r4), N("128.10.in-addr.arpa.")));
	assert_true(has_name(rrset(set, "9.9.128.10.in-addr.arpa.", DNS_T_PTR), "www.lab.example."));
	assert_true(has_name(rrset(set, "10.9.128.10.in-addr.arpa.", DNS_T_PTR),
	    "www.lab.example."));
	assert_int_equal(rrset(set, "128.10.in-addr.arpa.", DNS_T_SOA)->ttl, 600);
	assert_true(has_name(rrset(set,
	    "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.2.2.0.1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", DNS_T_PTR),
	    "ns1.lab.example."));
	const struct dns_zone *r6 = dns_zoneset_get(set, 2);
	assert_true(dns_name_equal(dns_zone_apex(r6), N("1.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")));
	for (size_t i = 0; i < dns_zoneset_count(set); i++)
		round_trip(dns_zoneset_get(set, i));
	dns_zoneset_free(set);
}

static void
test_hosts_defaults(void **state)
{
	char t[1024];
	struct dns_zoneset *set = hosts_ok("$NS ns\n10.0.0.1 ns\n2001:db8:aa:bb:1::1 ns\n"
	    "10.0.0.2 h1\n10.0.1.2 h2\n", "Example.");
	/* Default TTL 3600, contact hostmaster.<origin>, zones per /24 and /64. */
	assert_int_equal(dns_zoneset_count(set), 4);
	const struct dns_zone *fw = dns_zoneset_get(set, 0);
	assert_true(dns_name_equal(dns_zone_apex(fw), N("example.")));
	assert_int_equal(dns_zone_soa(fw)->ttl, 3600);
	assert_non_null(strstr(soa_text(dns_zone_soa(fw), t), "ns.example. hostmaster.example. "));
	assert_int_equal(rrset(set, "h1.example.", DNS_T_A)->ttl, 3600);
	assert_true(dns_name_equal(dns_zone_apex(dns_zoneset_get(set, 1)),
	    N("0.0.10.in-addr.arpa.")));
	assert_true(dns_name_equal(dns_zone_apex(dns_zoneset_get(set, 2)),
	    N("b.b.0.0.a.a.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")));
	assert_true(dns_name_equal(dns_zone_apex(dns_zoneset_get(set, 3)),
	    N("1.0.10.in-addr.arpa.")));
	assert_true(has_name(rrset(set,
	    "1.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.b.b.0.0.a.a.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", DNS_T_PTR),
	    "ns.example."));
	dns_zoneset_free(set);
}

static void
test_hosts_directives(void **state)
{
	char t[1024];
	struct dns_zoneset *set;

	/* $SOA contact forms, serial, timers; names absolute or relative. */
	set = hosts_ok("$SOA john.doe@Example.COM 42\n$NS ns\n10.0.0.1 ns\n", "home.");
	assert_string_equal(soa_text(dns_zone_soa(dns_zoneset_get(set, 0)), t),
	    "ns.home. john\\.doe.example.com. 42 86400 7200 3600000 3600");
	dns_zoneset_free(set);
	set = hosts_ok("$SOA admin 1 2 3 4 5\n$NS ns\n10.0.0.1 ns\n", "home.");
	assert_string_equal(soa_text(dns_zone_soa(dns_zoneset_get(set, 0)), t),
	    "ns.home. admin.home. 1 2 3 4 5");
	dns_zoneset_free(set);
	set = hosts_ok("$soa dns-admin.other.net. 4294967295\n$ns ns.other.net.\n", "home.");
	assert_string_equal(soa_text(dns_zone_soa(dns_zoneset_get(set, 0)), t),
	    "ns.other.net. dns-admin.other.net. 4294967295 86400 7200 3600000 3600");
	/* No addresses: only the forward zone. */
	assert_int_equal(dns_zoneset_count(set), 1);
	dns_zoneset_free(set);

	/* $TTL for every record of every zone; $ORIGIN equal to the configuration's. */
	set = hosts_ok("$ORIGIN HOME\n$TTL 0\n$NS ns\n10.0.0.1 ns alias\n", "home.");
	assert_int_equal(rrset(set, "home.", DNS_T_SOA)->ttl, 0);
	assert_int_equal(rrset(set, "home.", DNS_T_NS)->ttl, 0);
	assert_int_equal(rrset(set, "alias.home.", DNS_T_CNAME)->ttl, 0);
	assert_int_equal(rrset(set, "1.0.0.10.in-addr.arpa.", DNS_T_PTR)->ttl, 0);
	assert_int_equal(rrset(set, "0.0.10.in-addr.arpa.", DNS_T_SOA)->ttl, 0);
	dns_zoneset_free(set);

	/* $MX with an outside name and one inside; names at the apex ("@"). */
	set = hosts_ok("$NS ns\n$MX 0 @\n$MX 65535 mx.other.\n10.0.0.1 ns\n10.0.0.9 @\n", "h.");
	assert_int_equal(rrset(set, "h.", DNS_T_MX)->count, 2);
	assert_true(has(rrset(set, "h.", DNS_T_MX), "\0\0\1h", 5));
	assert_true(has_addr(rrset(set, "h.", DNS_T_A), "10.0.0.9"));
	assert_true(has_name(rrset(set, "9.0.0.10.in-addr.arpa.", DNS_T_PTR), "h."));
	dns_zoneset_free(set);

	/* $REVERSE: an empty zone exists; none makes no reverse zones. */
	set = hosts_ok("$NS ns\n$REVERSE 10.0.0.0/8 192.168.0.0/24 fd00::/8\n10.1.2.3 ns\n", "h.");
	assert_int_equal(dns_zoneset_count(set), 4);
	assert_non_null(rrset(set, "0.168.192.in-addr.arpa.", DNS_T_SOA));
	assert_non_null(rrset(set, "d.f.ip6.arpa.", DNS_T_SOA));
	assert_true(has_name(rrset(set, "3.2.1.10.in-addr.arpa.", DNS_T_PTR), "ns.h."));
	dns_zoneset_free(set);
	set = hosts_ok("$NS ns\n$REVERSE NONE\n10.1.2.3 ns\n", "h.");
	assert_int_equal(dns_zoneset_count(set), 1);
	dns_zoneset_free(set);
	/* $REVERSE for one family, the default for the other. */
	set = hosts_ok("$NS ns\n$REVERSE 2001:db8::/32\n10.1.2.3 ns\n2001:db8::1 ns\n", "h.");
	assert_int_equal(dns_zoneset_count(set), 3);
	assert_non_null(rrset(set, "8.b.d.0.1.0.0.2.ip6.arpa.", DNS_T_SOA));
	assert_non_null(rrset(set, "2.1.10.in-addr.arpa.", DNS_T_SOA));
	dns_zoneset_free(set);
}

static void
test_hosts_lines(void **state)
{
	struct dns_zoneset *set;

	/* Comments anywhere, CRLF, tabs, absolute names, PTR to the first name only. */
	set = hosts_ok("# c\r\n$NS ns # name server\r\n\r\n  \t\n10.0.0.1\tns\t# x\r\n"
	    "10.0.0.5 b.h. c\n10.0.0.5 a\n10.0.0.5 b\n10.0.0.6 a d\n", "h.");
	assert_true(has_name(rrset(set, "5.0.0.10.in-addr.arpa.", DNS_T_PTR), "b.h."));
	assert_int_equal(rrset(set, "5.0.0.10.in-addr.arpa.", DNS_T_PTR)->count, 1);
	assert_true(has_name(rrset(set, "6.0.0.10.in-addr.arpa.", DNS_T_PTR), "a.h."));
	assert_int_equal(rrset(set, "a.h.", DNS_T_A)->count, 2);
	assert_int_equal(rrset(set, "b.h.", DNS_T_A)->count, 1);
	assert_true(has_name(rrset(set, "c.h.", DNS_T_CNAME), "b.h."));
	assert_true(has_name(rrset(set, "d.h.", DNS_T_CNAME), "a.h."));
	dns_zoneset_free(set);

	/* Deep names, underscores, digits, ENTs; a last line without newline. */
	set = hosts_ok("$NS ns\n10.0.0.1 ns\n10.0.0.2 _srv.x-1.deep\n10.0.0.3 9a", "h.");
	assert_non_null(rrset(set, "_srv.x-1.deep.h.", DNS_T_A));
	assert_non_null(rrset(set, "9a.h.", DNS_T_A));
	const struct dns_zone *z = dns_zoneset_get(set, 0);
	assert_int_equal(dns_zone_lookup(z, N("deep.h."))->n_rrsets, 0);
	dns_zoneset_free(set);
}

static void
test_hosts_errors(void **state)
{
	static const struct {
		const char *in, *origin, *err;
	} cases[] = {
		/* Addresses and names. */
		{ "$NS ns\n10.0.0.256 ns\n", "h.", "h.hosts:2: bad address '10.0.0.256'" },
		{ "$NS ns\n10.0.0 ns\n", "h.", "h.hosts:2: bad address '10.0.0'" },
		{ "$NS ns\n2001:db8::1::2 ns\n", "h.", "h.hosts:2: bad IPv6 address '2001:db8::1::2'" },
		{ "$NS ns\nfe80::1%eth0 ns\n", "h.", "h.hosts:2: bad IPv6 address 'fe80::1%eth0'" },
		{ "$NS ns\nns 10.0.0.1\n", "h.", "h.hosts:2: bad address 'ns'" },
		{ "$NS ns\n10.0.0.1\n", "h.", "h.hosts:2: address 10.0.0.1 without a name" },
		{ "$NS ns\n10.0.0.1 a!b\n", "h.",
		  "h.hosts:2: bad name 'a!b': character '!' is not allowed in a host name" },
		{ "$NS ns\n10.0.0.1 a\tb\\.c\n", "h.",
		  "h.hosts:2: bad alias 'b\\.c': character '\\' is not allowed in a host name" },
		{ "$NS ns\n10.0.0.1 a\xc3\xa9\n", "h.",
		  "h.hosts:2: bad name 'a?\?': byte 0xc3 is not allowed in a host name" },
		{ "$NS ns\n10.0.0.1 a..b\n", "h.", "h.hosts:2: bad name 'a..b': empty label" },
		{ "$NS ns\n10.0.0.1 .a\n", "h.", "h.hosts:2: bad name '.a': empty label" },
		{ "$NS ns\n10.0.0.1 "
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", "h.",
		  "h.hosts:2: bad name 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': "
		  "label longer than 63 bytes" },
		{ "$NS ns\n10.0.0.1 x.other.\n", "h.",
		  "h.hosts:2: name x.other. is outside the zone h." },
		{ "$NS ns\n10.0.0.1 a x.other.\n", "h.",
		  "h.hosts:2: alias x.other. is outside the zone h." },
		/* Aliases. */
		{ "$NS ns\n10.0.0.1 a b\n10.0.0.2 b\n", "h.",
		  "h.hosts:3: name b.h. is already an alias (line 2)" },
		{ "$NS ns\n10.0.0.1 a\n10.0.0.2 b a\n", "h.",
		  "h.hosts:3: alias a.h. is already a name (line 2)" },
		{ "$NS ns\n10.0.0.1 a c\n10.0.0.2 b C\n", "h.",
		  "h.hosts:3: alias c.h. already stands for a.h. (line 2)" },
		{ "$NS ns\n10.0.0.1 a h.\n", "h.",
		  "h.hosts:2: alias h. is the zone apex, where a CNAME cannot be (RFC 2181 10.1)" },
		{ "$NS ns\n10.0.0.1 a @\n", "h.",
		  "h.hosts:2: bad alias '@': character '@' is not allowed in a host name" },
		{ "$NS ns\n10.0.0.1 a A\n", "h.", "h.hosts:2: alias a.h. is the name of its own line" },
		/* Name servers and mail exchangers. */
		{ "10.0.0.1 a\n", "h.", "h.hosts: no $NS: at least one name server is needed" },
		{ "$NS ns\n$NS ns2\n10.0.0.1 ns\n", "h.", "h.hosts:2: name server ns2.h. has no address line" },
		{ "$NS ns ns.h.\n10.0.0.1 ns\n", "h.",
		  "h.hosts:1: name server ns.h. listed twice (line 1)" },
		{ "$NS dns\n10.0.0.1 ns dns\n", "h.",
		  "h.hosts:1: name server dns.h. is an alias (line 2), it must be a name (RFC 2181 10.3)" },
		{ "$NS ns\n$MX 10 mail\n10.0.0.1 ns\n", "h.",
		  "h.hosts:2: mail exchanger mail.h. has no address line" },
		{ "$NS ns\n$MX 10 m\n10.0.0.1 ns m\n", "h.",
		  "h.hosts:2: mail exchanger m.h. is an alias (line 3), it must be a name (RFC 2181 10.3)" },
		{ "$NS ns\n$MX 65536 m\n", "h.", "h.hosts:2: bad $MX preference '65536': 0 to 65535" },
		{ "$NS ns\n$MX -1 m\n", "h.", "h.hosts:2: bad $MX preference '-1': 0 to 65535" },
		{ "$NS ns\n$MX m\n", "h.", "h.hosts:2: usage: $MX PREFERENCE NAME" },
		{ "$NS ns\n$MX 1 m\n$MX 2 m\n", "h.", "h.hosts:3: mail exchanger m.h. listed twice (line 2)" },
		{ "$NS\n", "h.", "h.hosts:1: usage: $NS NAME..." },
		{ "$NS a_b!\n", "h.",
		  "h.hosts:1: bad name server 'a_b!': character '!' is not allowed in a host name" },
		/* $TTL, $SOA. */
		{ "$TTL 2147483648\n", "h.", "h.hosts:1: bad $TTL '2147483648': seconds from 0 to 2147483647" },
		{ "$TTL 1h\n", "h.", "h.hosts:1: bad $TTL '1h': seconds from 0 to 2147483647" },
		{ "$TTL 1\n$TTL 2\n", "h.", "h.hosts:2: $TTL given twice (line 1)" },
		{ "$SOA a\n$SOA b\n", "h.", "h.hosts:2: $SOA given twice (line 1)" },
		{ "$SOA a 1 2\n", "h.", "h.hosts:1: $SOA takes CONTACT [SERIAL [REFRESH RETRY EXPIRE MINIMUM]]" },
		{ "$SOA a 1 2 3 4 5 6\n", "h.", "h.hosts:1: usage: $SOA CONTACT [SERIAL [REFRESH RETRY EXPIRE MINIMUM]]" },
		{ "$SOA a 4294967296\n", "h.", "h.hosts:1: bad $SOA serial '4294967296': 0 to 4294967295" },
		{ "$SOA a 1 2 3 2147483648 5\n", "h.", "h.hosts:1: bad $SOA expire '2147483648': 0 to 2147483647" },
		{ "$SOA @home\n", "h.", "h.hosts:1: bad $SOA contact '@home': want user@domain or a name" },
		{ "$SOA a@\n", "h.", "h.hosts:1: bad $SOA contact 'a@': want user@domain or a name" },
		{ "$SOA a@b@c\n", "h.", "h.hosts:1: bad $SOA contact 'a@b@c': want user@domain or a name" },
		{ "$SOA a@b..c\n", "h.", "h.hosts:1: bad $SOA contact 'a@b..c': bad domain" },
		{ "$SOA a@b/c\n", "h.", "h.hosts:1: bad $SOA contact 'a@b/c': bad domain" },
		{ "$SOA a..b\n", "h.", "h.hosts:1: bad $SOA contact 'a..b'" },
		/* $ORIGIN. */
		{ "$ORIGIN other.\n", "h.",
		  "h.hosts:1: $ORIGIN other. differs from the zone name h. of the configuration" },
		{ "$TTL 5\n$ORIGIN h.\n", "h.", "h.hosts:2: $ORIGIN must come before every other line" },
		{ "$ORIGIN h.\n$ORIGIN h.\n", "h.", "h.hosts:2: $ORIGIN given twice (line 1)" },
		{ "$ORIGIN a..b\n", NULL, "h.hosts:1: bad $ORIGIN 'a..b'" },
		{ "$NS ns\n", NULL,
		  "h.hosts:1: no zone name: $ORIGIN must come first when the configuration gives none" },
		{ "", NULL, "h.hosts: no zone name: give $ORIGIN or the zone's name in the configuration" },
		{ "", "a..b", "h.hosts: bad zone name 'a..b'" },
		/* $REVERSE. */
		{ "$REVERSE 10.0.0.0/12\n", "h.",
		  "h.hosts:1: bad $REVERSE prefix '10.0.0.0/12': the length must be a multiple of 8 from 8 to 24" },
		{ "$REVERSE 10.0.0.0/32\n", "h.",
		  "h.hosts:1: bad $REVERSE prefix '10.0.0.0/32': the length must be a multiple of 8 from 8 to 24" },
		{ "$REVERSE 2001:db8::/33\n", "h.",
		  "h.hosts:1: bad $REVERSE prefix '2001:db8::/33': the length must be a multiple of 4 from 4 to 124" },
		{ "$REVERSE 10.1.0.0/8\n", "h.",
		  "h.hosts:1: bad $REVERSE prefix '10.1.0.0/8': bits set after the first 8" },
		{ "$REVERSE 2001:db8::/16\n", "h.",
		  "h.hosts:1: bad $REVERSE prefix '2001:db8::/16': bits set after the first 16" },
		{ "$REVERSE 10.0.0.0\n", "h.",
		  "h.hosts:1: bad $REVERSE prefix '10.0.0.0': want ADDRESS/LENGTH or none" },
		{ "$REVERSE 10.0.0.0/x\n", "h.",
		  "h.hosts:1: bad $REVERSE prefix '10.0.0.0/x': the length must be a multiple of 8 from 8 to 24" },
		{ "$REVERSE 10.0.0.300/8\n", "h.", "h.hosts:1: bad address '10.0.0.300'" },
		{ "$REVERSE 10.0.0.0/8\n$REVERSE 10.1.0.0/16\n", "h.",
		  "h.hosts:2: $REVERSE 10.1.0.0/16 overlaps 10.0.0.0/8 (line 1)" },
		{ "$REVERSE 10.1.0.0/16 10.0.0.0/8\n", "h.",
		  "h.hosts:1: $REVERSE 10.0.0.0/8 overlaps 10.1.0.0/16 (line 1)" },
		{ "$REVERSE 2001:db8::/32 2001:db8::/32\n", "h.",
		  "h.hosts:1: $REVERSE 2001:db8::/32 overlaps 2001:db8::/32 (line 1)" },
		{ "$REVERSE none\n$REVERSE 10.0.0.0/8\n", "h.",
		  "h.hosts:2: $REVERSE prefix after $REVERSE none (line 1)" },
		{ "$REVERSE 10.0.0.0/8\n$REVERSE none\n", "h.",
		  "h.hosts:2: $REVERSE none after $REVERSE prefixes (line 1)" },
		{ "$NS ns\n$REVERSE 10.0.0.0/8\n10.0.0.1 ns\n11.0.0.1 a\n", "h.",
		  "h.hosts:4: address 11.0.0.1 is outside every $REVERSE prefix of its family" },
		{ "$NS ns\n$REVERSE 2001:db8::/32\n10.0.0.1 ns\n2001:db9::1 a\n", "h.",
		  "h.hosts:4: address 2001:db9::1 is outside every $REVERSE prefix of its family" },
		{ "$NS ns.h.\n$REVERSE 10.128.0.0/16\n10.128.0.1 ns.h.\n", "128.10.in-addr.arpa.",
		  "h.hosts:3: name ns.h. is outside the zone 128.10.in-addr.arpa." },
		{ "$NS ns\n$REVERSE 10.128.0.0/16\n10.128.0.1 ns\n", "128.10.in-addr.arpa.",
		  "h.hosts: the reverse zone 128.10.in-addr.arpa. is the forward zone" },
		/* Lines. */
		{ "$NS ns\n$FOO x\n", "h.",
		  "h.hosts:2: unknown directive $FOO (known: $ORIGIN $TTL $NS $MX $SOA $REVERSE)" },
		{ "$TTL\n", "h.", "h.hosts:1: usage: $TTL SECONDS" },
		{ "$ORIGIN\n", "h.", "h.hosts:1: usage: $ORIGIN NAME" },
		{ "$REVERSE\n", "h.", "h.hosts:1: usage: $REVERSE PREFIX... | none" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[1024];
		struct dns_zoneset *set = dns_zoneset_new();
		int rc = hosts(cases[i].in, cases[i].origin, set, err, sizeof(err));
		if (rc == 0 || strcmp(err, cases[i].err) != 0)
			fail_msg("case %zu (%s): rc %d\n got:    %s\n wanted: %s", i, cases[i].in, rc,
			    rc == 0 ? "(loaded)" : err, cases[i].err);
		assert_int_equal(dns_zoneset_count(set), 0);
		dns_zoneset_free(set);
	}
}

static void
test_hosts_limits(void **state)
{
	char *buf = malloc(20000);
	/* Not only assert_non_null: gcc must see that buf is not NULL below. */
	if (buf == NULL)
		abort();
	char err[1024];
	struct dns_zoneset *set = dns_zoneset_new();

	/* A NUL byte, a long line, too many words. */
	assert_int_equal(dns_load_hosts_buf("n.hosts", "$NS ns\n10.0.0.1 n\0s\n", 20, "h.", set,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "n.hosts:2: NUL byte");
	memset(buf, 'a', 5000);
	memcpy(buf, "10.0.0.1 ", 9);
	buf[5000] = '\0';
	assert_int_equal(hosts(buf, "h.", set, err, sizeof(err)), -1);
	assert_string_equal(err, "h.hosts:1: line longer than 4095 bytes");
	strcpy(buf, "10.0.0.1 n");
	for (int i = 0; i < 256; i++)
		sprintf(buf + strlen(buf), " a%d", i);
	assert_int_equal(hosts(buf, "h.", set, err, sizeof(err)), -1);
	assert_string_equal(err, "h.hosts:1: more than 256 words");
	/* Long words are cut in messages. */
	char xs[101];
	memset(xs, 'x', 100);
	xs[100] = '\0';
	snprintf(buf, 20000, "$NS ns\n10.0.0.1 %s!\n", xs);
	assert_int_equal(hosts(buf, "h.", set, err, sizeof(err)), -1);
	assert_string_equal(err, "h.hosts:2: bad name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...': label longer than 63 bytes");
	/* A name longer than 255 bytes. */
	strcpy(buf, "$NS ns\n10.0.0.1 ");
	for (int i = 0; i < 5; i++)
		strcat(buf, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.");
	strcat(buf, "\n");
	assert_int_equal(hosts(buf, "h.", set, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "h.hosts:2: bad name 'aaaa"));
	assert_non_null(strstr(err, "...': longer than 255 bytes"));
	/* A small err buffer is cut, not overrun. */
	char small[12];
	assert_int_equal(hosts("$NS ns\n", "h.", set, small, sizeof(small)), -1);
	assert_string_equal(small, "h.hosts:1: ");
	assert_int_equal(dns_zoneset_count(set), 0);
	dns_zoneset_free(set);
	free(buf);
}

static void
test_hosts_all_or_nothing(void **state)
{
	char err[1024];
	struct dns_zoneset *set = dns_zoneset_new();
	const char *in = "$NS ns\n10.0.0.1 ns\n10.0.1.1 a\n";

	assert_int_equal(hosts(in, "h.", set, err, sizeof(err)), 0);
	assert_int_equal(dns_zoneset_count(set), 3);
	/* Another hosts input with a reverse zone already loaded: nothing is added. */
	assert_int_equal(hosts("$NS ns\n10.0.5.1 ns\n10.0.1.2 b\n", "other.", set, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "h.hosts: zone 1.0.10.in-addr.arpa. is already loaded");
	assert_int_equal(dns_zoneset_count(set), 3);
	assert_null(dns_zoneset_find(set, N("other.")));
	assert_int_equal(hosts(in, "h.", set, err, sizeof(err)), -1);
	assert_string_equal(err, "h.hosts: zone h. is already loaded");
	dns_zoneset_free(set);
}

/* ---------------------------------------------------------------- export */

static void
test_export_forms(void **state)
{
	char err[1024], path[8192], line[512];
	const char *in =
	    "$ORIGIN ex.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"
	    "a\\.b TXT \"x\" \"\" \"\\255\\\"\"\n"
	    "sp\\032ace AAAA ::ffff:192.0.2.1\n"
	    "k TYPE65400 \\# 40 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F2021222324252627\n";
	struct dns_zone *z = dns_load_zonefile_buf("f.zone", in, strlen(in), "ex.", err,
	    sizeof(err));
	assert_non_null(z);
	assert_int_equal(dns_export_zone(z, tmpdir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/ex.zone", tmpdir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static const char *expect[] = {
		"; zone ex., written by riposte-dns\n",
		"$ORIGIN ex.\n",
		"$TTL 3600\n",
		"ex.\t3600\tIN\tSOA\tns.ex. hm.ex. 1 2 3 4 5\n",
		"ex.\t3600\tIN\tNS\tns.ex.\n",
		"a\\046b.ex.\t3600\tIN\tTXT\t\"x\" \"\" \"\\255\\\"\"\n",
		"k.ex.\t3600\tIN\tTYPE65400\t\\# 40 000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F 2021222324252627\n",
		"ns.ex.\t3600\tIN\tA\t192.0.2.1\n",
		"sp\\032ace.ex.\t3600\tIN\tAAAA\t::ffff:192.0.2.1\n",
	};
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		assert_non_null(fgets(line, sizeof(line), f));
		assert_string_equal(line, expect[i]);
	}
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	round_trip(z);
	dns_zone_free(z);
}

/* Rdata that does not parse as its type is written in the generic form. */
static void
test_export_generic_fallback(void **state)
{
	char err[1024];
	uint8_t apex[] = "\2ex";
	struct dns_zone_builder *b = dns_zone_builder_new(apex);
	const uint8_t soa[] = "\2ns\0\2hm\0\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5";
	assert_int_equal(dns_zone_builder_add(b, apex, DNS_T_SOA, 60, soa, sizeof(soa) - 1), 0);
	assert_int_equal(dns_zone_builder_add(b, apex, DNS_T_NS, 60, (const uint8_t *)"\2ns\0", 4),
	    0);
	/*
	 * A TXT whose string runs past the end.  (An empty TXT is written as
	 * "\# 0" too, but zscanner refuses that for TXT, so no zone file can
	 * make one.)
	 */
	assert_int_equal(dns_zone_builder_add(b, apex, DNS_T_TXT, 60, (const uint8_t *)"\5ab", 3), 0);
	struct dns_zone *z = dns_zone_builder_finish(b, err, sizeof(err));
	dns_zone_builder_free(b);
	assert_non_null(z);
	/* nsd-checkzone and knot refuse a malformed TXT even in generic form: reload only. */
	assert_int_equal(dns_export_zone(z, tmpdir, err, sizeof(err)), 0);
	char path[8192];
	snprintf(path, sizeof(path), "%s/ex.zone", tmpdir);
	struct dns_zone *again = dns_load_zonefile(path, "ex.", err, sizeof(err));
	if (again == NULL)
		fail_msg("%s", err);
	assert_same_records(z, again);
	dns_zone_free(again);
	dns_zone_free(z);
}

static void
test_export_names(void **state)
{
	char err[1024], path[8192];
	struct stat st;
	const char *in = "@ SOA a. b. 1 2 3 4 5\n@ NS a.\n";
	struct dns_zone *z = dns_load_zonefile_buf("r.zone", in, strlen(in), ".", err, sizeof(err));
	assert_non_null(z);
	assert_int_equal(dns_export_zone(z, tmpdir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/root.zone", tmpdir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	struct dns_zone *again = dns_load_zonefile(path, ".", err, sizeof(err));
	assert_non_null(again);
	assert_same_records(z, again);
	dns_zone_free(again);
	dns_zone_free(z);

	/* A '/' in a zone name does not make a path. */
	z = dns_load_zonefile_buf("s.zone", in, strlen(in), "a/b.", err, sizeof(err));
	assert_non_null(z);
	assert_int_equal(dns_export_zone(z, tmpdir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/a\\047b.zone", tmpdir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(dns_export_zone(z, "/nonexistent", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/a\\047b.zone."));
	assert_non_null(strstr(err, ": No such file or directory"));
	dns_zone_free(z);
}

/* ------------------------------------------------------- 1M-record bench */

static long
status_kb(const char *file, const char *key)
{
	char line[256];
	long v = -1;
	FILE *f = fopen(file, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			v = atol(line + strlen(key));
	fclose(f);
	return v;
}

static double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The benchmark's 1M zone (bench-dns.sh -n 1000000: host%d A records and a
 * few special names), generated here, loaded, timed and measured.  Only
 * with RIPOSTE_DNS_BENCH=1: it takes seconds, and the numbers matter only
 * on a quiet machine.
 */
static void
test_bench_1m(void **state)
{
	const char *env = getenv("RIPOSTE_DNS_BENCH");
	char path[8192], err[1024];

	if (env == NULL || strcmp(env, "1") != 0) {
		skip();
		return;
	}
	snprintf(path, sizeof(path), "%s/bench.zone", tmpdir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("$ORIGIN home.\n$TTL 3600\n@ SOA ns1.home. hostmaster.home. 1 3600 900 604800 300\n"
	    "@ NS ns1.home.\n@ NS ns2.home.\n@ MX 10 mail.home.\n"
	    "ns1 A 10.128.255.1\nns2 A 10.128.255.2\nmail A 10.128.255.3\n"
	    "alias CNAME www\nwww CNAME web\nweb CNAME host1\n*.wild A 10.128.255.250\n"
	    "sub NS ns1.sub\nns1.sub A 10.128.255.241\n", f);
	for (int i = 0; i < 1000000; i++)
		fprintf(f, "host%d\tA\t10.128.%d.%d\n", i, (i / 256) % 256, i % 256);
	fclose(f);

	long before = status_kb("/proc/self/smaps_rollup", "Pss:");
	double t0 = now();
	struct dns_zone *z = dns_load_zonefile(path, "home.", err, sizeof(err));
	double t1 = now();
	if (z == NULL)
		fail_msg("%s", err);
	long pss = status_kb("/proc/self/smaps_rollup", "Pss:");
	long rss = status_kb("/proc/self/smaps_rollup", "Rss:");
	long hwm = status_kb("/proc/self/status", "VmHWM:");
	printf("# 1M zone: %zu records, %zu nodes, loaded in %.2f s; PSS %ld MB (+%ld MB), "
	    "RSS %ld MB, peak RSS %ld MB\n", dns_zone_rr_count(z), dns_zone_node_count(z),
	    t1 - t0, pss / 1024, (pss - before) / 1024, rss / 1024, hwm / 1024);
	assert_non_null(dns_zone_lookup(z, N("host999999.home.")));
	dns_zone_free(z);
	unlink(path);
}

static int
setup(void **state)
{
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	char path[8192];
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || de->d_name[1] == '.'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		unlink(path);
	}
	if (d != NULL)
		closedir(d);
	rmdir(tmpdir);
	return 0;
}

/*
 * RFC 5155 Appendix A: salt aabbccdd, 12 iterations; H(example) =
 * 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom, H(a.example) = 35mthgpg...,
 * H(x.example) = b4um86eg... .  The hashes are made at load (nettle) and
 * each node knows its NSEC3; NSEC owners are kept in canonical order.
 */
static void
test_dnssec_index(void **state)
{
	static const char text[] =
	    "$ORIGIN example.\n$TTL 3600\n"
	    "@ SOA ns hostmaster 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\na A 192.0.2.2\n"
	    "@ DNSKEY 257 3 13 AAAA\n"
	    "@ NSEC3PARAM 1 0 12 aabbccdd\n"
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NSEC3 1 1 12 aabbccdd 35mthgpgcu1qg68fab165klnsnk3dpvl NS SOA\n"
	    "35mthgpgcu1qg68fab165klnsnk3dpvl NSEC3 1 1 12 aabbccdd 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A\n"
	    "@ NSEC a A NS SOA\nZ.a NSEC ns A\nns NSEC @ A\n";
	char err[1024];
	uint8_t name[DNS_NAME_MAX], h[DNS_NSEC3_HASH_MAX], h0[DNS_NSEC3_HASH_MAX];
	char t[DNS_NAME_STRLEN];
	bool match;
	(void)state;

	struct dns_zone *z = dns_load_zonefile_buf("n3", text, strlen(text), "example.", err,
	    sizeof(err));
	if (z == NULL)
		fail_msg("%s", err);
	assert_true(dns_zone_signed(z));
	assert_true(dns_zone_nsec3(z));
	const struct dns_node *apex = dns_zone_apex_node(z);
	assert_non_null(apex->nsec3);
	assert_string_equal(dns_name_to_text(apex->nsec3->name, t),
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.");
	dns_name_from_text(name, "a.example.", NULL);
	const struct dns_node *a = dns_zone_lookup(z, name);
	assert_non_null(a);
	assert_non_null(a->nsec3);
	assert_string_equal(dns_name_to_text(a->nsec3->name, t),
	    "35mthgpgcu1qg68fab165klnsnk3dpvl.example.");
	dns_name_from_text(name, "ns.example.", NULL);
	assert_null(dns_zone_lookup(z, name)->nsec3); /* no NSEC3 for it in this zone */
	/* x.example (b4um...) is after 35mt...: covered by it; example's own matches */
	dns_name_from_text(name, "x.example.", NULL);
	assert_true(dns_zone_nsec3_hash(z, name, h));
	assert_ptr_equal(dns_zone_nsec3_find(z, h, &match), a->nsec3);
	assert_false(match);
	assert_true(dns_zone_nsec3_hash(z, apex->name, h0));
	assert_ptr_equal(dns_zone_nsec3_find(z, h0, &match), apex->nsec3);
	assert_true(match);
	memset(h, 0, sizeof(h)); /* before the first hash: the last one covers it (wraps) */
	assert_ptr_equal(dns_zone_nsec3_find(z, h, &match), a->nsec3);

	/* NSEC: canonical order @ < Z.a (as z.a) < ns; a name matches or is covered */
	static const char *const cases[][2] = {
		{ "example.", "example." }, { "a.example.", "example." },
		{ "z.a.example.", "z.a.example." }, { "zz.a.example.", "z.a.example." },
		{ "b.example.", "z.a.example." }, { "ns.example.", "ns.example." },
		{ "zzz.example.", "ns.example." }, { "*.example.", "example." },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dns_name_from_text(name, cases[i][0], NULL);
		const struct dns_node *n = dns_zone_nsec_find(z, name);
		assert_non_null(n);
		if (strcmp(dns_name_to_text(n->name, t), cases[i][1]) != 0)
			fail_msg("NSEC for %s: %s, not %s", cases[i][0], t, cases[i][1]);
	}
	dns_zone_free(z);
}

/* ------------------------------------------------------ DNSSEC checks */

/* The signed fixtures' RRSIGs are valid from 20200101000000 to 20500101000000. */
#define T2020 ((time_t)1577836800)
#define T2030 ((time_t)1893456000)
#define T2050 ((time_t)2524608000)

/*
 * A signed fixture loaded with every line starting with one of `drop`
 * removed and, in each kept line, `from` replaced by `to` (once; NULL: none).
 */
static struct dns_zone *
load_signed(const char *file, const char *origin, const char *const *drop, const char *from,
    const char *to)
{
	char line[4096], err[2048];
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	FILE *f = fopen(zones_path(file), "r");
	struct dns_zone *z;

	assert_non_null(f);
	assert_non_null(buf);
	while (fgets(line, sizeof(line), f) != NULL) {
		bool skip = false;
		char out[4096 + 256], *at;
		for (size_t i = 0; drop != NULL && drop[i] != NULL; i++)
			skip |= strncmp(line, drop[i], strlen(drop[i])) == 0;
		if (skip)
			continue;
		if (from != NULL && (at = strstr(line, from)) != NULL)
			snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - line), line, to,
			    at + strlen(from));
		else
			snprintf(out, sizeof(out), "%s", line);
		assert_true(len + strlen(out) < cap);
		memcpy(buf + len, out, strlen(out));
		len += strlen(out);
	}
	fclose(f);
	z = dns_load_zonefile_buf(file, buf, len, origin, err, sizeof(err));
	free(buf);
	if (z == NULL)
		fail_msg("%s", err);
	return z;
}

struct chk_out {
	char text[8192]; /* "E message\n" or "W message\n" each */
	unsigned calls;
};

static void
chk_collect(void *ctx, bool error, const char *msg)
{
	struct chk_out *o = ctx;
	size_t l = strlen(o->text);

	o->calls++;
	snprintf(o->text + l, sizeof(o->text) - l, "%c %s\n", error ? 'E' : 'W', msg);
}

static struct dns_check_count
check_zone(const struct dns_zone *z, time_t now, unsigned max, struct chk_out *o)
{
	memset(o, 0, sizeof(*o));
	return dns_zone_dnssec_check(z, now, DNS_CHECK_EXPIRY_WARN, max, chk_collect, o);
}

/* Zones signed by ldns-signzone (NSEC; NSEC3; NSEC3 opt-out) are clean, and so is an unsigned one. */
static void
test_dnssec_check_good(void **state)
{
	static const char *const files[][2] = {
		{ "signed-nsec.zone", "nsec.test." }, { "signed-nsec3.zone", "nsec3.test." },
		{ "signed-optout.zone", "optout.test." }, { "example.zone", "example." },
	};
	struct chk_out o;
	(void)state;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct dns_zone *z = load_signed(files[i][0], files[i][1], NULL, NULL, NULL);
		struct dns_check_count c = check_zone(z, T2030, 100, &o);
		if (c.errors != 0 || c.warnings != 0 || o.calls != 0)
			fail_msg("%s: %u errors, %u warnings:\n%s", files[i][0], c.errors,
			    c.warnings, o.text);
		assert_int_equal(dns_zone_signed(z), i < 3);
		dns_zone_free(z);
	}
}

/* RFC 4034 4.1.1: a removed NSEC leaves its name uncovered and the chain broken. */
static void
test_dnssec_check_nsec_chain(void **state)
{
	static const char *const drop[] = { "mail.nsec.test.\t300\tIN\tNSEC", NULL };
	struct chk_out o;
	(void)state;

	struct dns_zone *z = load_signed("signed-nsec.zone", "nsec.test.", drop, NULL, NULL);
	struct dns_check_count c = check_zone(z, T2030, 100, &o);
	assert_int_equal(c.errors, 2);
	assert_int_equal(c.warnings, 0);
	assert_string_equal(o.text,
	    "E NSEC chain: mail.nsec.test. has no NSEC\n"
	    "E NSEC chain: the NSEC of a.b.ent.nsec.test. points to mail.nsec.test., but the "
	    "next NSEC owner is ns1.nsec.test.\n");
	dns_zone_free(z);

	/* the last NSEC must point back to the apex */
	z = load_signed("signed-nsec.zone", "nsec.test.", NULL,
	    "NSEC\tnsec.test. A AAAA", "NSEC\tzzz.nsec.test. A AAAA");
	c = check_zone(z, T2030, 100, &o);
	assert_int_equal(c.errors, 1);
	assert_string_equal(o.text, "E NSEC chain: the NSEC of www.nsec.test. points to "
	    "zzz.nsec.test., but the next NSEC owner is nsec.test.\n");
	dns_zone_free(z);

	/* RFC 4034 4.1.2: the bitmap lists the name's types, no more, no fewer */
	z = load_signed("signed-nsec.zone", "nsec.test.", NULL, "NSEC\tns1.nsec.test. A RRSIG",
	    "NSEC\tns1.nsec.test. A TXT RRSIG");
	c = check_zone(z, T2030, 100, &o);
	assert_int_equal(c.errors, 1);
	assert_string_equal(o.text, "E NSEC of mail.nsec.test.: its type bitmap lists 4 types, "
	    "the name has 3\n");
	dns_zone_free(z);
}

/* RFC 4034 3.1.5: validity periods, in serial number arithmetic. */
static void
test_dnssec_check_rrsig_times(void **state)
{
	struct chk_out o;
	struct dns_check_count c;
	char line[256];
	unsigned sigs = 0;
	FILE *f = fopen(zones_path("signed-nsec.zone"), "r");
	(void)state;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		sigs += strstr(line, "\tRRSIG\t") != NULL;
	fclose(f);
	assert_true(sigs > 10);

	struct dns_zone *z = load_signed("signed-nsec.zone", "nsec.test.", NULL, NULL, NULL);
	/* a day after expiry: every RRSIG, warned about, shown up to `max` */
	c = check_zone(z, T2050 + 86400 + 60, 3, &o);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.warnings, sigs);
	assert_int_equal(o.calls, 3);
	assert_int_equal(strncmp(o.text, "W RRSIG of ", 11), 0); /* walk order: any owner */
	assert_non_null(strstr(o.text, ") expired at 20500101000000 UTC, 1 days ago\n"));
	/* within the warning period */
	c = check_zone(z, T2050 - 2 * 86400, 100, &o);
	assert_int_equal(c.warnings, sigs);
	assert_non_null(strstr(o.text, ") expires at 20500101000000 UTC, in 48 hours\n"));
	/* just outside it: nothing */
	c = check_zone(z, T2050 - DNS_CHECK_EXPIRY_WARN, 100, &o);
	assert_int_equal(c.warnings, 0);
	/* before the inception */
	c = check_zone(z, T2020 - 3600, 100, &o);
	assert_int_equal(c.warnings, sigs);
	assert_non_null(strstr(o.text, ") is not valid before 20200101000000 UTC\n"));
	dns_zone_free(z);

	/* RFC 4035 2.2: an authoritative RRset without its RRSIG */
	static const char *const drop[] = { "www.nsec.test.\t3600\tIN\tRRSIG\tAAAA", NULL };
	z = load_signed("signed-nsec.zone", "nsec.test.", drop, NULL, NULL);
	c = check_zone(z, T2030, 100, &o);
	assert_int_equal(c.errors, 1);
	assert_string_equal(o.text, "E www.nsec.test. AAAA has no RRSIG\n");
	dns_zone_free(z);
}

/* RFC 5155 4 and 7.1: the NSEC3PARAM and a closed chain of every name's hash. */
static void
test_dnssec_check_nsec3(void **state)
{
	struct chk_out o;
	struct dns_check_count c;
	(void)state;

	static const char *const noparam[] = { "nsec3.test.\t3600\tIN\tNSEC3PARAM", NULL };
	struct dns_zone *z = load_signed("signed-nsec3.zone", "nsec3.test.", noparam, NULL, NULL);
	assert_false(dns_zone_nsec3(z));
	c = check_zone(z, T2030, 100, &o);
	assert_int_equal(c.errors, 1);
	assert_string_equal(o.text, "E NSEC3 records but no NSEC3PARAM at the apex: no NSEC3 "
	    "proofs are served (RFC 5155 4)\n");
	dns_zone_free(z);

	/* an NSEC3 (and its RRSIG) removed: a name without one, the chain broken */
	static const char *const drop[] = { "alfr1rk2hd7nbsb81um41odkffv2rf30.", NULL };
	z = load_signed("signed-nsec3.zone", "nsec3.test.", drop, NULL, NULL);
	c = check_zone(z, T2030, 100, &o);
	assert_int_equal(c.errors, 2);
	assert_non_null(strstr(o.text, " has no NSEC3 (with the NSEC3PARAM's hash)\n"));
	assert_non_null(strstr(o.text, "E NSEC3 chain: the NSEC3 of "
	    "67tsr1u52p4hscnapkgdb7bck4gfc140.nsec3.test. points to "
	    "alfr1rk2hd7nbsb81um41odkffv2rf30, but the next NSEC3 owner hash is "
	    "esvbnd128cc4sa2fstef6f08mnj8lsdq\n"));
	dns_zone_free(z);

	/* an NSEC3 with another salt than the NSEC3PARAM's */
	z = load_signed("signed-nsec3.zone", "nsec3.test.", NULL, "NSEC3\t1 0 0 0aa1  knpg",
	    "NSEC3\t1 0 0 0aa2  knpg");
	c = check_zone(z, T2030, 100, &o);
	assert_true(c.errors >= 1);
	assert_non_null(strstr(o.text, "E NSEC3 of esvbnd128cc4sa2fstef6f08mnj8lsdq.nsec3.test.: "
	    "hash algorithm, iterations or salt differ from the NSEC3PARAM's\n"));
	dns_zone_free(z);
}

/* DNSSEC records without a DNSKEY: served unsigned, which is worth a warning. */
static void
test_dnssec_check_no_dnskey(void **state)
{
	static const char *const drop[] = { "nsec.test.\t3600\tIN\tDNSKEY", NULL };
	struct chk_out o;
	(void)state;

	struct dns_zone *z = load_signed("signed-nsec.zone", "nsec.test.", drop, NULL, NULL);
	assert_false(dns_zone_signed(z));
	struct dns_check_count c = check_zone(z, T2030, 100, &o);
	assert_int_equal(c.errors, 0);
	assert_int_equal(c.warnings, 1);
	assert_string_equal(o.text, "W RRSIG, NSEC or NSEC3 records but no DNSKEY at the apex: "
	    "served as an unsigned zone\n");
	dns_zone_free(z);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zonefile_example),
		cmocka_unit_test(test_zonefile_include),
		cmocka_unit_test(test_zonefile_file_errors),
		cmocka_unit_test(test_zonefile_errors),
		cmocka_unit_test(test_zonefile_default_ttl_and_origin),
		cmocka_unit_test(test_hosts_seed_example),
		cmocka_unit_test(test_hosts_serial_is_mtime),
		cmocka_unit_test(test_hosts_dual),
		cmocka_unit_test(test_hosts_defaults),
		cmocka_unit_test(test_hosts_directives),
		cmocka_unit_test(test_hosts_lines),
		cmocka_unit_test(test_hosts_errors),
		cmocka_unit_test(test_hosts_limits),
		cmocka_unit_test(test_hosts_all_or_nothing),
		cmocka_unit_test(test_export_forms),
		cmocka_unit_test(test_export_generic_fallback),
		cmocka_unit_test(test_export_names),
		cmocka_unit_test(test_bench_1m),
		cmocka_unit_test(test_dnssec_index),
		cmocka_unit_test(test_dnssec_check_good),
		cmocka_unit_test(test_dnssec_check_nsec_chain),
		cmocka_unit_test(test_dnssec_check_rrsig_times),
		cmocka_unit_test(test_dnssec_check_nsec3),
		cmocka_unit_test(test_dnssec_check_no_dnskey),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
