/*
 * conf.c - riposte-dns's config grammar and its canonical printer.
 *
 * The lexer, the keyword lookup, the schema rows and the messages are
 * lib/conf.c's, in riposte-dns's dialect: lines up to DNSCONF_LINE_MAX
 * bytes and DNSCONF_WORDS_MAX words, '#' comments, "quoted words" with \"
 * and \\.  This file owns the statements: one conf_table whose plain values
 * (workers, tcp-clients, tcp-idle-timeout, tcp-io-timeout, tcp-clients-per-ip,
 * udp-size, rrl-*) are schema rows with
 * their range and default, and whose other statements have handlers and
 * printers.  Every statement but listen, zone and rrl-whitelist may be given
 * once.  The
 * table's order is the printer's.  One error rejects the whole file.
 */
#include "conf.h"

#include "../lib/conf.h"
#include "../lib/textfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DNSCONF_LINE_MAX 4096
#define DNSCONF_WORDS_MAX 16
#define DNSCONF_LISTEN_MAX 64
#define DNSCONF_ZONES_MAX 65536
#define DNSCONF_PATH_MAX 4095
#define DNSCONF_REMOTES_MAX 64 /* primaries, notify targets per zone */

#define DNSCONF_DEFAULT_PORT 53

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* What the handlers need besides the struct they fill (p->user). */
struct dnsconf_ctx {
	const char *basedir;
};

static const struct conf_table dnsconf_table;

void
dnsconf_init(struct dnsconf *conf)
{
	memset(conf, 0, sizeof(*conf));
	if (gethostname(conf->identity, sizeof(conf->identity) - 1) != 0 ||
	    conf->identity[0] == '\0')
		snprintf(conf->identity, sizeof(conf->identity), "riposte-dns");
	for (char *s = conf->identity; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
	/* Knot and NSD answer version.bind by default; `version hide` refuses. */
	snprintf(conf->version, sizeof(conf->version), "riposte-dns %s", RIPOSTE_DNS_VERSION);
	conf->version_hide = false;
	conf->log_dest = LOG_DEST_STDERR;
	conf->log_level = LOG_LVL_INFO;
	/* workers, tcp-clients, tcp-idle-timeout, udp-size: the table's rows. */
	conf_table_defaults(&dnsconf_table, conf);
	/* xfr-max-size (a handler row): 1 GiB, see the table. */
	conf->xfr_max_size = (uint64_t)1 << 30;
}

const char *
dnsconf_control(const struct dnsconf *conf)
{
	if (conf->control_off)
		return NULL;
	return conf->control != NULL ? conf->control : DNSCONF_CONTROL_DEFAULT;
}

void
dnsconf_free(struct dnsconf *conf)
{
	if (conf == NULL)
		return;
	for (size_t i = 0; i < conf->n_zones; i++) {
		free(conf->zones[i].name);
		free(conf->zones[i].path);
		free(conf->zones[i].primaries);
		free(conf->zones[i].xfr_acl);
		free(conf->zones[i].notify);
	}
	free(conf->zones);
	/* The secrets do not stay in freed memory. */
	if (conf->keys != NULL)
		explicit_bzero(conf->keys, conf->n_keys * sizeof(*conf->keys));
	free(conf->keys);
	free(conf->key_lines);
	free(conf->listen);
	free(conf->pidfile);
	free(conf->rrl_whitelist);
	free(conf->control);
	free(conf->log_path);
	free(conf->qlog_path);
	dnsconf_init(conf);
}

/* Printable ASCII and blanks only: TXT, NSID and log lines stay readable. */
static int
dnsconf_text(struct conf_parser *p, const char *what, const char *word, char *out,
    size_t cap)
{
	size_t len = strlen(word);

	if (len == 0)
		return conf_err(p, "%s: empty text", what);
	if (len >= cap)
		return conf_err(p, "%s: longer than %zu bytes", what, cap - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)word[i] < 0x20 || (unsigned char)word[i] > 0x7e)
			return conf_err(p, "%s: only printable ASCII is allowed", what);
	memcpy(out, word, len + 1);
	return 0;
}

/* A path, joined to the config file's directory when relative. */
static int
dnsconf_path(struct conf_parser *p, const char *what, const char *word, char **out)
{
	const char *basedir = ((const struct dnsconf_ctx *)p->user)->basedir;
	size_t len = strlen(word);
	char *s;

	if (len == 0)
		return conf_err(p, "%s: empty path", what);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)word[i] < 0x20 || (unsigned char)word[i] == 0x7f)
			return conf_err(p, "%s: control character in path", what);
	if (word[0] == '/' || basedir == NULL) {
		s = strdup(word);
	} else {
		size_t blen = strlen(basedir);
		s = malloc(blen + 1 + len + 1);
		if (s != NULL) {
			memcpy(s, basedir, blen);
			s[blen] = '/';
			memcpy(s + blen + 1, word, len + 1);
		}
	}
	if (s == NULL)
		return conf_err(p, "out of memory");
	if (strlen(s) > DNSCONF_PATH_MAX) {
		free(s);
		return conf_err(p, "%s: path longer than %d bytes", what, DNSCONF_PATH_MAX);
	}
	*out = s;
	return 0;
}

const char *
dnsconf_listen_str(const struct dnsconf_listen *l, char out[DNSCONF_LISTEN_STRLEN])
{
	char a[INET6_ADDRSTRLEN];

	if (l->family == AF_INET) {
		inet_ntop(AF_INET, &l->addr.v4, a, sizeof(a));
		snprintf(out, DNSCONF_LISTEN_STRLEN, "%s@%u", a, l->port);
	} else {
		inet_ntop(AF_INET6, &l->addr.v6, a, sizeof(a));
		snprintf(out, DNSCONF_LISTEN_STRLEN, "[%s]@%u", a, l->port);
	}
	return out;
}

const char *
dnsconf_sockaddr_str(const struct sockaddr_storage *sa, char out[DNSCONF_LISTEN_STRLEN])
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(out, DNSCONF_LISTEN_STRLEN, "%s@%u", a, ntohs(sin->sin_port));
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(out, DNSCONF_LISTEN_STRLEN, "[%s]@%u", a, ntohs(sin6->sin6_port));
	} else {
		snprintf(out, DNSCONF_LISTEN_STRLEN, "?");
	}
	return out;
}

const char *
dnsconf_remote_str(const struct dnsconf_remote *r, char out[DNSCONF_LISTEN_STRLEN])
{
	return dnsconf_sockaddr_str(&r->sa, out);
}

static bool
dnsconf_listen_equal(const struct dnsconf_listen *a, const struct dnsconf_listen *b)
{
	if (a->family != b->family || a->port != b->port)
		return false;
	if (a->family == AF_INET)
		return a->addr.v4.s_addr == b->addr.v4.s_addr;
	return memcmp(&a->addr.v6, &b->addr.v6, sizeof(a->addr.v6)) == 0;
}

static int
dnsconf_listen_add(struct conf_parser *p, struct dnsconf *conf, const struct dnsconf_listen *l)
{
	struct dnsconf_listen *a;
	char buf[DNSCONF_LISTEN_STRLEN];

	for (size_t i = 0; i < conf->n_listen; i++)
		if (dnsconf_listen_equal(&conf->listen[i], l))
			return conf_err(p, "listen: %s given twice (first at line %u)",
			    dnsconf_listen_str(l, buf), conf->listen[i].line);
	if (conf->n_listen >= DNSCONF_LISTEN_MAX)
		return conf_err(p, "listen: too many addresses (max %d)", DNSCONF_LISTEN_MAX);
	a = realloc(conf->listen, (conf->n_listen + 1) * sizeof(*a));
	if (a == NULL)
		return conf_err(p, "out of memory");
	a[conf->n_listen++] = *l;
	conf->listen = a;
	return 0;
}

/* The default: every address, IPv4 and IPv6, port 53. */
static int
dnsconf_listen_default(struct dnsconf *conf)
{
	static const struct dnsconf_listen def[] = {
		{ .family = AF_INET, .addr.v4 = { 0 }, .port = DNSCONF_DEFAULT_PORT,
		  .wildcard = true },
		{ .family = AF_INET6, .addr.v6 = IN6ADDR_ANY_INIT, .port = DNSCONF_DEFAULT_PORT,
		  .wildcard = true },
	};

	conf->listen = malloc(sizeof(def));
	if (conf->listen == NULL)
		return -1;
	memcpy(conf->listen, def, sizeof(def));
	conf->n_listen = nitems(def);
	return 0;
}

/* ---- statements ---- */

/*
 * A statement's canonical line must fit in a line, or --print would write
 * a file that does not load: names print with \DDD escapes and paths
 * with quotes, and relative paths grow by the config's directory.
 */
static int
dnsconf_fits(struct conf_parser *p, const char *what, size_t len)
{
	if (len > DNSCONF_LINE_MAX)
		return conf_err(p, "%s: longer than a line (max %d bytes) as printed", what,
		    DNSCONF_LINE_MAX);
	return 0;
}

/*
 * Split ADDRESS[@PORT] in place: "[v6]@port", "[v6]", "v4@port", "v6@port"
 * (the last '@'), or an address alone; *port is 53 unless given.
 */
static int
dnsconf_split_port(struct conf_parser *p, const char *what, const char *usage, char *w,
    char **addr, bool *bracket, uint32_t *port)
{
	char *pw = NULL, name[64];

	*bracket = false;
	*port = DNSCONF_DEFAULT_PORT;
	if (w[0] == '[') {
		char *close = strchr(w, ']');
		if (close == NULL)
			return conf_err(p, "%s: missing ']' in '%s'", what, w);
		if (close[1] != '\0' && close[1] != '@')
			return conf_err(p, "%s: unexpected '%s' after ']' (usage: %s)", what,
			    close + 1, usage);
		if (close[1] == '@')
			pw = close + 2;
		*close = '\0';
		*addr = w + 1;
		*bracket = true;
	} else {
		char *at = strrchr(w, '@');
		*addr = w;
		if (at != NULL) {
			*at = '\0';
			pw = at + 1;
		}
	}
	snprintf(name, sizeof(name), "%s port", what);
	if (pw != NULL && conf_uint(p, pw, name, 1, 65535, port) != 0)
		return -1;
	return 0;
}

/* ADDRESS[@PORT]: IPv4, IPv6 with or without [brackets], or "*" for both wildcards. */
static int
h_listen(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct dnsconf *conf = target;
	char *w = argv[0], *addr;
	struct dnsconf_listen l;
	uint32_t pv = DNSCONF_DEFAULT_PORT;
	bool bracket = false;

	if (dnsconf_split_port(p, "listen", kw->help, w, &addr, &bracket, &pv) != 0)
		return -1;

	memset(&l, 0, sizeof(l));
	l.port = (uint16_t)pv;
	l.line = p->line;
	l.wildcard = true;
	if (!bracket && strcmp(addr, "*") == 0) {
		l.family = AF_INET;
		if (dnsconf_listen_add(p, conf, &l) != 0)
			return -1;
		l.family = AF_INET6;
		l.addr.v6 = in6addr_any;
		return dnsconf_listen_add(p, conf, &l);
	}
	if (!bracket && inet_pton(AF_INET, addr, &l.addr.v4) == 1) {
		l.family = AF_INET;
		l.wildcard = l.addr.v4.s_addr == htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET6, addr, &l.addr.v6) == 1) {
		l.family = AF_INET6;
		l.wildcard = IN6_IS_ADDR_UNSPECIFIED(&l.addr.v6);
	} else {
		return conf_err(p, "listen: invalid address '%s' (IPv4, IPv6 or *)", addr);
	}
	return dnsconf_listen_add(p, conf, &l);
}

static void
p_listen(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;
	char buf[DNSCONF_LISTEN_STRLEN];

	for (size_t i = 0; i < conf->n_listen; i++)
		fprintf(out, "%slisten %s\n", indent, dnsconf_listen_str(&conf->listen[i], buf));
}

/* A prefix's text: "192.0.2.0/24", "2001:db8::/32"; an address alone is a host. */
static void
dnsconf_prefix_str(const struct dns_rrl_prefix *p, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(out, len, "%s/%u", a, p->len);
}

static bool
dnsconf_prefix_equal(const struct dns_rrl_prefix *a, const struct dns_rrl_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* ADDRESS[/LEN], IPv4 or IPv6, with no host bits set (the word is cut at '/'). */
static int
dnsconf_prefix_parse(struct conf_parser *p, const char *what, char *w,
    struct dns_rrl_prefix *px)
{
	char *slash = strchr(w, '/');
	char text[INET6_ADDRSTRLEN + 8], name[64];
	uint32_t len;

	memset(px, 0, sizeof(*px));
	if (slash != NULL)
		*slash = '\0';
	if (inet_pton(AF_INET, w, px->addr) == 1)
		px->family = AF_INET;
	else if (inet_pton(AF_INET6, w, px->addr) == 1)
		px->family = AF_INET6;
	else
		return conf_err(p, "%s: invalid address '%s' (IPv4 or IPv6 prefix)", what, w);
	len = px->family == AF_INET ? 32 : 128;
	snprintf(name, sizeof(name), "%s prefix length", what);
	if (slash != NULL && conf_uint(p, slash + 1, name, 0, len, &len) != 0)
		return -1;
	px->len = (uint8_t)len;
	for (unsigned bit = len; bit < (px->family == AF_INET ? 32u : 128u); bit++) {
		if ((px->addr[bit / 8] & (0x80 >> (bit % 8))) != 0) {
			dnsconf_prefix_str(px, text, sizeof(text));
			return conf_err(p, "%s: %s has host bits set", what, text);
		}
	}
	return 0;
}

/* The key called `name` (a DNS name, any case, dot or not): its index, or -1. */
static int
dnsconf_key_find(const struct dnsconf *conf, const char *name)
{
	static const uint8_t root[1] = { 0 };
	uint8_t wire[DNS_NAME_MAX];

	if (dns_name_from_text(wire, name, root) < 0)
		return -1;
	for (size_t i = 0; i < conf->n_keys; i++)
		if (dns_name_equal(conf->keys[i].name_wire, wire))
			return (int)i;
	return -1;
}

/*
 * key NAME ALGORITHM SECRET.  Names are unique (compared as DNS names) and
 * a key is defined before a zone line names it, so the printer's order
 * (keys first) is also the order a reader needs.
 */
static int
h_key(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct dnsconf *conf = target;
	struct dns_tsig_key k, *a;
	char err[256];
	int dup;

	if (dns_tsig_key_parse(argv[0], argv[1], argv[2], &k, err, sizeof(err)) != 0) {
		explicit_bzero(&k, sizeof(k));
		return conf_err(p, "key %s: %s", argv[0], err);
	}
	if ((dup = dnsconf_key_find(conf, k.name)) >= 0) {
		explicit_bzero(&k, sizeof(k));
		return conf_err(p, "key %s: already defined at line %u", conf->keys[dup].name,
		    conf->key_lines[dup]);
	}
	if (conf->n_keys >= CONF_LIST_MAX)
		return conf_err(p, "key: too many keys (max %d)", CONF_LIST_MAX);
	if (dnsconf_fits(p, "key", strlen("key ") + conf_word_len(k.name, false) + 40 +
	    DNS_TSIG_B64_MAX) != 0)
		return -1;
	a = realloc(conf->keys, (conf->n_keys + 1) * sizeof(*a));
	if (a == NULL) {
		explicit_bzero(&k, sizeof(k));
		return conf_err(p, "out of memory");
	}
	conf->keys = a;
	unsigned *l = realloc(conf->key_lines, (conf->n_keys + 1) * sizeof(*l));
	if (l == NULL) {
		explicit_bzero(&k, sizeof(k));
		return conf_err(p, "out of memory");
	}
	conf->key_lines = l;
	l[conf->n_keys] = p->line;
	a[conf->n_keys++] = k;
	explicit_bzero(&k, sizeof(k));
	return 0;
}

static void
p_key(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;
	char b64[DNS_TSIG_B64_MAX];

	for (size_t i = 0; i < conf->n_keys; i++) {
		const struct dns_tsig_key *k = &conf->keys[i];
		fprintf(out, "%skey ", indent);
		conf_print_word(out, k->name, false);
		dns_tsig_key_b64(k, b64);
		fprintf(out, " %s %s\n", dns_tsig_alg_name(k->alg), b64);
		explicit_bzero(b64, sizeof(b64));
	}
}

/* The zone called `apex`, made (empty, no source yet) when this is its first line. */
static struct dnsconf_zone *
dnsconf_zone_get(struct conf_parser *p, struct dnsconf *conf, const uint8_t *apex,
    const char *text)
{
	struct dnsconf_zone *a;

	for (size_t i = 0; i < conf->n_zones; i++)
		if (dns_name_equal(conf->zones[i].apex, apex))
			return &conf->zones[i];
	if (conf->n_zones >= DNSCONF_ZONES_MAX) {
		conf_err(p, "zone: too many zones (max %d)", DNSCONF_ZONES_MAX);
		return NULL;
	}
	a = realloc(conf->zones, (conf->n_zones + 1) * sizeof(*a));
	if (a == NULL) {
		conf_err(p, "out of memory");
		return NULL;
	}
	conf->zones = a;
	a = &conf->zones[conf->n_zones];
	memset(a, 0, sizeof(*a));
	if ((a->name = strdup(text)) == NULL) {
		conf_err(p, "out of memory");
		return NULL;
	}
	memcpy(a->apex, apex, dns_name_wire_len(apex, DNS_NAME_MAX));
	a->kind = DNSCONF_ZONE_FILE;
	a->line = p->line;
	conf->n_zones++;
	return a;
}

/* The optional "key KEY" at argv[0..argc): -1 for none, or the key's index. */
static int
dnsconf_zone_key(struct conf_parser *p, const struct conf_kw *kw, const struct dnsconf *conf,
    const char *text, int argc, char **argv, int *key)
{
	*key = -1;
	if (argc == 0)
		return 0;
	if (argc != 2 || conf_word_quoted(p, argv[0]) || strcmp(argv[0], "key") != 0)
		return conf_usage(p, kw, "expected 'key KEY' after the address");
	if ((*key = dnsconf_key_find(conf, argv[1])) < 0)
		return conf_err(p, "zone %s: unknown key '%s' (define it with `key` first)", text,
		    argv[1]);
	return 0;
}

static bool
dnsconf_sa_equal(const struct dnsconf_remote *a, const struct dnsconf_remote *b)
{
	return a->salen == b->salen && memcmp(&a->sa, &b->sa, a->salen) == 0;
}

/* zone NAME secondary|notify ADDRESS[@PORT] [key KEY] */
static int
dnsconf_zone_remote(struct conf_parser *p, const struct conf_kw *kw, struct dnsconf *conf,
    struct dnsconf_zone *z, const char *what, int argc, char **argv)
{
	bool secondary = strcmp(what, "secondary") == 0;
	struct dnsconf_remote r, **list = secondary ? &z->primaries : &z->notify;
	size_t *n = secondary ? &z->n_primaries : &z->n_notify;
	char *addr, buf[DNSCONF_LISTEN_STRLEN], name[32];
	uint32_t port;
	bool bracket;

	memset(&r, 0, sizeof(r));
	r.line = p->line;
	snprintf(name, sizeof(name), "zone %s", what);
	if (dnsconf_split_port(p, name, kw->help, argv[0], &addr, &bracket, &port) != 0)
		return -1;
	if (!bracket && inet_pton(AF_INET, addr, &((struct sockaddr_in *)&r.sa)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&r.sa;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		r.salen = sizeof(*sin);
	} else if (inet_pton(AF_INET6, addr, &((struct sockaddr_in6 *)&r.sa)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&r.sa;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		r.salen = sizeof(*sin6);
	} else {
		return conf_err(p, "zone %s: invalid address '%s' (IPv4 or IPv6)", what, addr);
	}
	if (dnsconf_zone_key(p, kw, conf, z->name, argc - 1, argv + 1, &r.key) != 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (dnsconf_sa_equal(&(*list)[i], &r))
			return conf_err(p, "zone %s: %s %s given twice (first at line %u)", z->name,
			    what, dnsconf_remote_str(&r, buf), (*list)[i].line);
	if (*n >= DNSCONF_REMOTES_MAX)
		return conf_err(p, "zone %s: too many %s addresses (max %d)", z->name, what,
		    DNSCONF_REMOTES_MAX);
	struct dnsconf_remote *a = realloc(*list, (*n + 1) * sizeof(*a));
	if (a == NULL)
		return conf_err(p, "out of memory");
	a[(*n)++] = r;
	*list = a;
	return 0;
}

/* zone NAME allow-transfer PREFIX [key KEY] */
static int
dnsconf_zone_acl(struct conf_parser *p, const struct conf_kw *kw, struct dnsconf *conf,
    struct dnsconf_zone *z, int argc, char **argv)
{
	struct dnsconf_acl acl, *a;
	char text[INET6_ADDRSTRLEN + 8];

	memset(&acl, 0, sizeof(acl));
	acl.line = p->line;
	if (dnsconf_prefix_parse(p, "zone allow-transfer", argv[0], &acl.prefix) != 0)
		return -1;
	if (dnsconf_zone_key(p, kw, conf, z->name, argc - 1, argv + 1, &acl.key) != 0)
		return -1;
	for (size_t i = 0; i < z->n_xfr_acl; i++) {
		if (dnsconf_prefix_equal(&z->xfr_acl[i].prefix, &acl.prefix)) {
			dnsconf_prefix_str(&acl.prefix, text, sizeof(text));
			return conf_err(p, "zone %s: allow-transfer %s given twice (first at line %u)",
			    z->name, text, z->xfr_acl[i].line);
		}
	}
	if (z->n_xfr_acl >= CONF_LIST_MAX)
		return conf_err(p, "zone %s: too many allow-transfer prefixes (max %d)", z->name,
		    CONF_LIST_MAX);
	a = realloc(z->xfr_acl, (z->n_xfr_acl + 1) * sizeof(*a));
	if (a == NULL)
		return conf_err(p, "out of memory");
	a[z->n_xfr_acl++] = acl;
	z->xfr_acl = a;
	return 0;
}

/*
 * zone NAME file|hosts PATH, zone NAME secondary|notify ADDRESS[@PORT] [key
 * KEY], zone NAME allow-transfer PREFIX [key KEY].  The lines of one NAME
 * add up to one zone (dnsconf_check() then asks that it has a source).
 */
static int
h_zone(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	static const uint8_t root[1] = { 0 };
	struct dnsconf *conf = target;
	struct dnsconf_zone *z;
	uint8_t wire[DNS_NAME_MAX], apex[DNS_NAME_MAX];
	char text[DNS_NAME_STRLEN], *path;
	const char *what = argv[1];
	bool source;

	/* Zone names are absolute whether or not they end in a dot. */
	if (dns_name_from_text(wire, argv[0], root) < 0)
		return conf_err(p, "zone: invalid name '%s'", argv[0]);
	dns_name_lower(apex, wire);
	dns_name_to_text(apex, text);
	source = strcmp(what, "file") == 0 || strcmp(what, "hosts") == 0;
	if (conf_word_quoted(p, what) || (!source && strcmp(what, "secondary") != 0 &&
	    strcmp(what, "notify") != 0 && strcmp(what, "allow-transfer") != 0))
		return conf_usage(p, kw,
		    "expected file, hosts, secondary, allow-transfer or notify after the name");
	if (source && argc != 3)
		return conf_usage(p, kw, argc < 3 ? "missing argument" : "too many arguments");
	if ((z = dnsconf_zone_get(p, conf, apex, text)) == NULL)
		return -1;
	if (!source) {
		if (strcmp(what, "allow-transfer") == 0)
			return dnsconf_zone_acl(p, kw, conf, z, argc - 2, argv + 2);
		if (strcmp(what, "secondary") == 0) {
			if (z->path != NULL && z->kind == DNSCONF_ZONE_HOSTS)
				return conf_err(p, "zone %s: a hosts input cannot be a secondary "
				    "zone (hosts at line %u)", text, z->path_line);
			z->kind = DNSCONF_ZONE_SECONDARY;
		}
		return dnsconf_zone_remote(p, kw, conf, z, what, argc - 2, argv + 2);
	}
	if (z->path != NULL)
		return conf_err(p, "zone %s: already defined at line %u", text, z->path_line);
	if (strcmp(what, "hosts") == 0) {
		if (z->kind == DNSCONF_ZONE_SECONDARY)
			return conf_err(p, "zone %s: a hosts input cannot be a secondary zone "
			    "(secondary at line %u)", text, z->primaries[0].line);
		z->kind = DNSCONF_ZONE_HOSTS;
	}
	if (dnsconf_path(p, "zone", argv[2], &path) != 0)
		return -1;
	if (dnsconf_fits(p, "zone", strlen("zone ") + conf_word_len(text, false) +
	    strlen(what) + 2 + conf_word_len(path, false)) != 0) {
		free(path);
		return -1;
	}
	z->path = path;
	z->path_line = p->line;
	return 0;
}

/*
 * After the last line: every zone has a source, and a secondary zone the
 * file where its copy is kept (read at start, so a restart serves at once).
 */
static int
dnsconf_check(struct conf_parser *p, struct dnsconf *conf)
{
	for (size_t i = 0; i < conf->n_zones; i++) {
		const struct dnsconf_zone *z = &conf->zones[i];
		if (z->path != NULL)
			continue;
		p->line = z->line;
		if (z->kind == DNSCONF_ZONE_SECONDARY)
			return conf_err(p, "zone %s: a secondary zone needs `zone %s file PATH`, "
			    "where its copy is kept", z->name, z->name);
		return conf_err(p, "zone %s: no source (`zone %s file|hosts PATH` or "
		    "`zone %s secondary ADDRESS`)", z->name, z->name, z->name);
	}
	return 0;
}

static void
p_remote(FILE *out, const char *indent, const struct dnsconf *conf,
    const struct dnsconf_zone *z, const char *what, const struct dnsconf_remote *r)
{
	char buf[DNSCONF_LISTEN_STRLEN];

	fprintf(out, "%szone ", indent);
	conf_print_word(out, z->name, false);
	fprintf(out, " %s %s", what, dnsconf_remote_str(r, buf));
	if (r->key >= 0) {
		fputs(" key ", out);
		conf_print_word(out, conf->keys[r->key].name, false);
	}
	fputc('\n', out);
}

/* Each zone's lines together: its source, primaries, allow-transfer, notify. */
static void
p_zone(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;
	char text[INET6_ADDRSTRLEN + 8];

	for (size_t i = 0; i < conf->n_zones; i++) {
		const struct dnsconf_zone *z = &conf->zones[i];
		fprintf(out, "%szone ", indent);
		conf_print_word(out, z->name, false);
		fprintf(out, " %s ", z->kind == DNSCONF_ZONE_HOSTS ? "hosts" : "file");
		conf_print_word(out, z->path, false);
		fputc('\n', out);
		for (size_t k = 0; k < z->n_primaries; k++)
			p_remote(out, indent, conf, z, "secondary", &z->primaries[k]);
		for (size_t k = 0; k < z->n_xfr_acl; k++) {
			fprintf(out, "%szone ", indent);
			conf_print_word(out, z->name, false);
			dnsconf_prefix_str(&z->xfr_acl[k].prefix, text, sizeof(text));
			fprintf(out, " allow-transfer %s", text);
			if (z->xfr_acl[k].key >= 0) {
				fputs(" key ", out);
				conf_print_word(out, conf->keys[z->xfr_acl[k].key].name, false);
			}
			fputc('\n', out);
		}
		for (size_t k = 0; k < z->n_notify; k++)
			p_remote(out, indent, conf, z, "notify", &z->notify[k]);
	}
}

static int
h_identity(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct dnsconf *conf = target;

	return dnsconf_text(p, "identity", argv[0], conf->identity, sizeof(conf->identity));
}

static void
p_identity(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;

	fprintf(out, "%sidentity ", indent);
	conf_print_word(out, conf->identity, false);
	fputc('\n', out);
}

static int
h_version(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct dnsconf *conf = target;

	/* `version "hide"` is the text hide; the bare word hides. */
	if (!conf_word_quoted(p, argv[0]) && strcmp(argv[0], "hide") == 0) {
		conf->version_hide = true;
		conf->version[0] = '\0';
		return 0;
	}
	conf->version_hide = false;
	return dnsconf_text(p, "version", argv[0], conf->version, sizeof(conf->version));
}

static void
p_version(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;

	fprintf(out, "%sversion ", indent);
	if (conf->version_hide)
		fputs("hide", out);
	else
		conf_print_word(out, conf->version, strcmp(conf->version, "hide") == 0);
	fputc('\n', out);
}

/* POSIX portable user names, which is what useradd accepts by default. */
static int
h_user(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct dnsconf *conf = target;
	const char *w = argv[0];
	size_t len = strlen(w);

	if (len == 0 || len > DNSCONF_USER_MAX || w[0] == '-' ||
	    strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len)
		return conf_err(p, "user: invalid user name '%s'", w);
	memcpy(conf->user, w, len + 1);
	return 0;
}

static void
p_user(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;

	if (conf->user[0] != '\0')
		fprintf(out, "%suser %s\n", indent, conf->user);
}

static int
h_pidfile(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct dnsconf *conf = target;

	if (dnsconf_path(p, "pidfile", argv[0], &conf->pidfile) != 0)
		return -1;
	return dnsconf_fits(p, "pidfile", strlen("pidfile ") +
	    conf_word_len(conf->pidfile, false));
}

/* metrics listen ADDRESS[@PORT]: repeatable, each address once. */
static int
h_metrics_listen(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct dnsconf *conf = target;
	char err[160];

	if (prom_listen_add(conf->metrics, &conf->n_metrics, argv[0], DNSCONF_METRICS_PORT, p->line, err,
	    sizeof(err)) != 0)
		return conf_err(p, "%s", err);
	return 0;
}

static void
p_metrics_listen(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;
	char a[PROM_LISTEN_STRLEN];

	for (size_t i = 0; i < conf->n_metrics; i++)
		fprintf(out, "%smetrics listen %s\n", indent, prom_listen_str(&conf->metrics[i], a));
}

static void
p_pidfile(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;

	if (conf->pidfile == NULL)
		return;
	fprintf(out, "%spidfile ", indent);
	conf_print_word(out, conf->pidfile, false);
	fputc('\n', out);
}

/* log stderr|syslog [LEVEL], log file PATH [LEVEL] */
static int
h_log(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct dnsconf *conf = target;
	enum log_level level = LOG_LVL_INFO;
	enum log_dest dest;
	char *path = NULL;
	int n = 1;

	if (strcmp(argv[0], "stderr") == 0)
		dest = LOG_DEST_STDERR;
	else if (strcmp(argv[0], "syslog") == 0)
		dest = LOG_DEST_SYSLOG;
	else if (strcmp(argv[0], "file") == 0)
		dest = LOG_DEST_FILE;
	else
		return conf_err(p, "log: '%s' is not stderr, syslog or file PATH", argv[0]);
	if (dest == LOG_DEST_FILE) {
		if (argc < 2)
			return conf_err(p, "log file: the path is missing");
		if (dnsconf_path(p, "log file", argv[1], &path) != 0)
			return -1;
		if (dnsconf_fits(p, "log file", strlen("log file ") +
		    conf_word_len(path, false) + strlen(" informational")) != 0) {
			free(path);
			return -1;
		}
		n = 2;
	}
	if (argc > n + 1 || (argc == n + 1 && log_level_parse(argv[n], &level) != 0)) {
		free(path);
		if (argc > n + 1)
			return conf_err(p, "log: too many words");
		return conf_err(p, "log: unknown level '%s' (errors, warnings, notifications, "
		    "informational or debugging)", argv[n]);
	}
	free(conf->log_path);
	conf->log_path = path;
	conf->log_dest = dest;
	conf->log_level = level;
	return 0;
}

static void
p_log(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;

	if (conf->log_dest == LOG_DEST_FILE) {
		fprintf(out, "%slog file ", indent);
		conf_print_word(out, conf->log_path, false);
	} else {
		fprintf(out, "%slog %s", indent, conf->log_dest == LOG_DEST_SYSLOG ? "syslog" :
		    "stderr");
	}
	fprintf(out, " %s\n", log_level_name(conf->log_level));
}

/* query-log PATH|syslog [sample N] */
static int
h_qlog(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct dnsconf *conf = target;
	unsigned long n = 1;
	char *path = NULL, *end;

	if (argc == 2 || (argc == 3 && strcmp(argv[1], "sample") != 0))
		return conf_err(p, "query-log: expected 'sample N' after the destination");
	if (argc == 3) {
		if (argv[2][0] < '0' || argv[2][0] > '9' ||
		    (n = strtoul(argv[2], &end, 10)) < 1 || n > 1000000000 || *end != '\0')
			return conf_err(p, "query-log: sample %s: not a number 1..1000000000", argv[2]);
	}
	if (strcmp(argv[0], "syslog") != 0) {
		if (dnsconf_path(p, "query-log", argv[0], &path) != 0)
			return -1;
		if (dnsconf_fits(p, "query-log", strlen("query-log  sample 1000000000") +
		    conf_word_len(path, false)) != 0) {
			free(path);
			return -1;
		}
	}
	free(conf->qlog_path);
	conf->qlog_path = path;
	conf->qlog_syslog = path == NULL;
	conf->qlog_sample = (unsigned)n;
	return 0;
}

static void
p_qlog(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;

	if (conf->qlog_sample == 0)
		return;
	fprintf(out, "%squery-log ", indent);
	if (conf->qlog_path != NULL)
		conf_print_word(out, conf->qlog_path, false);
	else
		fputs("syslog", out);
	fprintf(out, " sample %u\n", conf->qlog_sample);
}

/* ADDRESS[/LEN], IPv4 or IPv6, with no host bits set. */
static int
h_rrl_whitelist(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct dnsconf *conf = target;
	struct dns_rrl_prefix px, *a;
	char text[INET6_ADDRSTRLEN + 8];

	if (dnsconf_prefix_parse(p, "rrl-whitelist", argv[0], &px) != 0)
		return -1;
	for (size_t i = 0; i < conf->n_rrl_whitelist; i++) {
		const struct dns_rrl_prefix *o = &conf->rrl_whitelist[i];
		if (dnsconf_prefix_equal(o, &px)) {
			dnsconf_prefix_str(&px, text, sizeof(text));
			return conf_err(p, "rrl-whitelist: %s given twice", text);
		}
	}
	if (conf->n_rrl_whitelist >= CONF_LIST_MAX)
		return conf_err(p, "rrl-whitelist: too many prefixes (max %d)", CONF_LIST_MAX);
	a = realloc(conf->rrl_whitelist, (conf->n_rrl_whitelist + 1) * sizeof(*a));
	if (a == NULL)
		return conf_err(p, "out of memory");
	a[conf->n_rrl_whitelist++] = px;
	conf->rrl_whitelist = a;
	return 0;
}

static void
p_rrl_whitelist(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;
	char text[INET6_ADDRSTRLEN + 8];

	for (size_t i = 0; i < conf->n_rrl_whitelist; i++) {
		dnsconf_prefix_str(&conf->rrl_whitelist[i], text, sizeof(text));
		fprintf(out, "%srrl-whitelist %s\n", indent, text);
	}
}

/* PATH, or the bare word none: no control socket. */
static int
h_control(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct dnsconf *conf = target;
	char *path;

	if (!conf_word_quoted(p, argv[0]) && strcmp(argv[0], "none") == 0) {
		free(conf->control);
		conf->control = NULL;
		conf->control_off = true;
		return 0;
	}
	if (dnsconf_path(p, "control", argv[0], &path) != 0)
		return -1;
	/* sun_path holds 107 bytes and the NUL. */
	if (strlen(path) > 107) {
		free(path);
		return conf_err(p, "control: path longer than 107 bytes (a unix socket's limit)");
	}
	free(conf->control);
	conf->control = path;
	conf->control_off = false;
	return 0;
}

static void
p_control(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;
	const char *path = dnsconf_control(conf);

	fprintf(out, "%scontrol ", indent);
	if (path == NULL)
		fputs("none", out);
	else
		conf_print_word(out, path, strcmp(path, "none") == 0);
	fputc('\n', out);
}

/*
 * In the printer's order.  RFC 7766 6.2.3 leaves the TCP numbers to us:
 * NSD and Knot allow a few hundred connections and close idle ones after
 * ~10 s, and so do we; the idle timeout goes from a test's 1 ms to an hour.
 * udp-size: RFC 6891 6.2.5, below 512 means 512 and above 4096 only
 * fragments; the default is the DNS Flag Day 2020 size, no IP
 * fragmentation on common paths.
 *
 * rrl-*: response rate limiting (rrl.h), on by default at NSD's numbers,
 * 200 answers per second per bucket with every 2nd limited answer slipped
 * (README: why); a bucket is a /24 or a /56, a class and a name.
 */
/*
 * xfr-max-size: N[k|m|g] (powers of 1024) or N bytes, 1k..1t, or
 * "unlimited" (0).  Printed in the largest unit that divides it.
 */
#define DNSCONF_XFR_SIZE_MIN ((uint64_t)1 << 10)
#define DNSCONF_XFR_SIZE_MAX ((uint64_t)1 << 40)

static int
h_xfr_max_size(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct dnsconf *conf = target;
	const char *w = argv[0];
	unsigned long long n = 0;
	unsigned shift = 0;
	size_t i = 0;

	if (!conf_word_quoted(p, w) && strcmp(w, "unlimited") == 0) {
		conf->xfr_max_size = 0;
		return 0;
	}
	/* Saturating: a longer number is too large, not malformed. */
	for (; w[i] >= '0' && w[i] <= '9'; i++)
		if (n <= DNSCONF_XFR_SIZE_MAX)
			n = n * 10 + (unsigned)(w[i] - '0');
	if (i > 0 && w[i] != '\0' && w[i + 1] == '\0') {
		switch (w[i]) {
		case 'k': case 'K': shift = 10; i++; break;
		case 'm': case 'M': shift = 20; i++; break;
		case 'g': case 'G': shift = 30; i++; break;
		case 't': case 'T': shift = 40; i++; break;
		}
	}
	if (i == 0 || w[i] != '\0')
		return conf_err(p, "xfr-max-size: '%s' is not a size (e.g. 65536, 512m, 2g) "
		    "or unlimited", w);
	if (n > DNSCONF_XFR_SIZE_MAX >> shift || (n << shift) > DNSCONF_XFR_SIZE_MAX)
		return conf_err(p, "xfr-max-size %s above 1t", w);
	if ((n << shift) < DNSCONF_XFR_SIZE_MIN)
		return conf_err(p, "xfr-max-size %s below 1k", w);
	conf->xfr_max_size = (uint64_t)n << shift;
	return 0;
}

static void
p_xfr_max_size(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct dnsconf *conf = target;
	uint64_t v = conf->xfr_max_size;
	int u = -1;

	if (v == 0) {
		fprintf(out, "%sxfr-max-size unlimited\n", indent);
		return;
	}
	while (u < 2 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		fprintf(out, "%sxfr-max-size %llu\n", indent, (unsigned long long)v);
	else
		fprintf(out, "%sxfr-max-size %llu%c\n", indent, (unsigned long long)v,
		    "kmg"[u]);
}

static const struct conf_kw dnsconf_kws[] = {
	CONF_KW_HPF("listen", 1, 1, h_listen, p_listen, 0, "listen ADDRESS[@PORT]"),
	CONF_KW_HPF("key", 3, 3, h_key, p_key, 0, "key NAME ALGORITHM SECRET"),
	CONF_KW_HPF("zone", 3, 5, h_zone, p_zone, 0, "zone NAME file|hosts PATH | "
	    "secondary|notify ADDRESS[@PORT] [key KEY] | allow-transfer PREFIX [key KEY]"),
	CONF_KW_HPF("identity", 1, 1, h_identity, p_identity, CONF_F_ONCE, "identity TEXT"),
	CONF_KW_HPF("version", 1, 1, h_version, p_version, CONF_F_ONCE, "version TEXT|hide"),
	CONF_KW_HPF("user", 1, 1, h_user, p_user, CONF_F_ONCE, "user NAME"),
	CONF_KW_HPF("pidfile", 1, 1, h_pidfile, p_pidfile, CONF_F_ONCE, "pidfile PATH"),
	/* 0, "auto": one worker per CPU we may run on. */
	{ .words = "workers", .min_args = 1, .max_args = 1, .type = CONF_T_UNSIGNED,
	  .offset = offsetof(struct dnsconf, workers), .min = 1, .max = 1024, .def = 0,
	  .zero = "auto", .flags = CONF_F_ONCE, .help = "workers N|auto" },
	CONF_KW_NUMF("tcp-clients", CONF_T_UNSIGNED, struct dnsconf, tcp_clients, 1, 65536, 256,
	    CONF_F_ONCE, "tcp-clients N"),
	CONF_KW_NUMF("tcp-idle-timeout", CONF_T_MSEC, struct dnsconf, tcp_idle_ms, RTIME_MS,
	    3600 * RTIME_SEC, 10 * RTIME_SEC, CONF_F_ONCE | CONF_F_BARE_SECONDS,
	    "tcp-idle-timeout N[ms|s|m]"),
	/*
	 * A query must arrive whole within this once its first byte came: a
	 * client that trickles bytes cannot keep a slot (Knot's tcp-io-timeout,
	 * 500 ms by default as there).
	 */
	CONF_KW_NUMF("tcp-io-timeout", CONF_T_MSEC, struct dnsconf, tcp_io_ms, RTIME_MS,
	    60 * RTIME_SEC, 500 * RTIME_MS, CONF_F_ONCE | CONF_F_BARE_SECONDS,
	    "tcp-io-timeout N[ms|s|m]"),
	/* One host may not take every slot; "off": no limit. */
	{ .words = "tcp-clients-per-ip", .min_args = 1, .max_args = 1, .type = CONF_T_UNSIGNED,
	  .offset = offsetof(struct dnsconf, tcp_per_ip), .min = 1, .max = 65536, .def = 16,
	  .zero = "off", .flags = CONF_F_ONCE, .help = "tcp-clients-per-ip N|off" },
	CONF_KW_NUMF("udp-size", CONF_T_UINT16, struct dnsconf, udp_size, 512, 4096, 1232,
	    CONF_F_ONCE, "udp-size N"),
	CONF_KW_NUMF("rrl-rate", CONF_T_UNSIGNED, struct dnsconf, rrl_rate, 0, 1000000, 200,
	    CONF_F_ONCE, "rrl-rate N"),
	CONF_KW_NUMF("rrl-slip", CONF_T_UNSIGNED, struct dnsconf, rrl_slip, 0, 100, 2,
	    CONF_F_ONCE, "rrl-slip N"),
	CONF_KW_NUMF("rrl-ipv4-prefix", CONF_T_UNSIGNED, struct dnsconf, rrl_v4_prefix, 8, 32, 24,
	    CONF_F_ONCE, "rrl-ipv4-prefix N"),
	CONF_KW_NUMF("rrl-ipv6-prefix", CONF_T_UNSIGNED, struct dnsconf, rrl_v6_prefix, 16, 128,
	    56, CONF_F_ONCE, "rrl-ipv6-prefix N"),
	CONF_KW_HPF("rrl-whitelist", 1, 1, h_rrl_whitelist, p_rrl_whitelist, 0,
	    "rrl-whitelist PREFIX"),
	CONF_KW_HPF("control", 1, 1, h_control, p_control, CONF_F_ONCE, "control PATH|none"),
	CONF_KW_HPF("log", 1, 3, h_log, p_log, CONF_F_ONCE,
	    "log stderr|syslog [LEVEL] | log file PATH [LEVEL]"),
	CONF_KW_HPF("query-log", 1, 3, h_qlog, p_qlog, CONF_F_ONCE,
	    "query-log PATH|syslog [sample N]"),
	CONF_KW_HPF("metrics listen", 1, 1, h_metrics_listen, p_metrics_listen, 0,
	    "metrics listen ADDRESS[@PORT]"),
	/*
	 * Transfers in (secondary.c): what one transfer may bring and how long
	 * it may take, so a broken or hostile primary, or anyone writing into
	 * an unsigned transfer's TCP stream, cannot make us allocate without
	 * bound or hold the exchange forever (BIND's max-records and
	 * max-transfer-time-in, Knot's zone-max-size, NSD's size-limit-xfr).
	 * The defaults leave room for zones ten times the 1M-record zone the
	 * README measures (24 MB on the wire, about 40 MB uncompressed) and
	 * for its transfer two hundred times the second it takes.
	 */
	{ .words = "xfr-max-records", .min_args = 1, .max_args = 1, .type = CONF_T_UNSIGNED,
	  .offset = offsetof(struct dnsconf, xfr_max_records), .min = 1, .max = 4000000000,
	  .def = 10000000, .zero = "unlimited", .flags = CONF_F_ONCE,
	  .help = "xfr-max-records N|unlimited" },
	CONF_KW_HPF("xfr-max-size", 1, 1, h_xfr_max_size, p_xfr_max_size, CONF_F_ONCE,
	    "xfr-max-size N[k|m|g]|unlimited"),
	CONF_KW_NUMF("xfr-timeout", CONF_T_MSEC, struct dnsconf, xfr_timeout_ms, RTIME_SEC,
	    24 * 3600 * RTIME_SEC, 10 * 60 * RTIME_SEC, CONF_F_ONCE | CONF_F_BARE_SECONDS,
	    "xfr-timeout N[ms|s|m]"),
};

static const struct conf_table dnsconf_table = {
	.name = "riposte-dns", .kw = dnsconf_kws, .n = nitems(dnsconf_kws),
};

const struct conf_table *
dnsconf_table_get(void)
{
	return &dnsconf_table;
}

int
dnsconf_parse_buf(const char *name, const char *basedir, const char *buf, size_t len,
    struct dnsconf *conf, char *err, size_t errlen)
{
	struct dnsconf_ctx ctx = { .basedir = basedir };
	struct conf_parser p;

	dnsconf_init(conf);
	conf_parser_init(&p, "riposte-dns", name, &dnsconf_table, conf, NULL, 0, err, errlen);
	p.user = &ctx;
	p.line_max = DNSCONF_LINE_MAX;
	p.words_max = DNSCONF_WORDS_MAX;
	p.comments = "#";
	p.quotes = true;
	if (conf_parse_buf(&p, buf, len) != 0 || dnsconf_check(&p, conf) != 0)
		goto fail;
	if (conf->n_listen == 0 && dnsconf_listen_default(conf) != 0) {
		conf_err(&p, "out of memory");
		goto fail;
	}
	return 0;
fail:
	dnsconf_free(conf);
	return -1;
}

int
dnsconf_parse_file(const char *path, struct dnsconf *conf, char *err, size_t errlen)
{
	char *buf = NULL, *real = NULL, *slash;
	size_t len = 0;
	int rc = -1;

	dnsconf_init(conf);
	/* Absolute, so zone paths still work after daemon() changed to "/". */
	if ((real = realpath(path, NULL)) == NULL) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (textfile_read(real, CONF_FILE_MAX, &buf, &len, NULL, 0) != 0) {
		/* The message names the path as the user gave it. */
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: file too large (max %u bytes)", path,
			    CONF_FILE_MAX);
		else
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	slash = strrchr(real, '/');
	if (slash == real)
		slash[1] = '\0'; /* a file in "/": the directory is "/" */
	else
		*slash = '\0';
	rc = dnsconf_parse_buf(path, real, buf, len, conf, err, errlen);
out:
	free(buf);
	free(real);
	return rc;
}

/* ---- printer ---- */

void
dnsconf_print(FILE *out, const struct dnsconf *conf)
{
	conf_table_print(out, &dnsconf_table, conf, "");
}
