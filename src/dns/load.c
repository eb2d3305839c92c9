/*
 * load.c - zones from files, and zones to files.
 *
 * Zone files (RFC 1035 5, RFC 2308 4 $TTL, RFC 3597 unknown types) are
 * parsed by libzscanner, Knot DNS's parser: we drive it record by record
 * and put each record into a zone builder as wire rdata.  $INCLUDE is
 * followed here rather than inside zscanner, so it has a depth limit (a
 * file that includes itself is an error, not a stack overflow) and can be
 * refused for input that is not a file.
 *
 * The hosts input (docs/hosts-input.md) replaces the seed's Perl script and
 * its dns-input-file: lines "ADDRESS NAME [ALIAS...]" and a few $
 * directives.  It is parsed in one pass into tables, checked as a whole
 * (name servers and mail exchangers need address lines, RFC 2181 10.3;
 * aliases never clash with names, RFC 2181 10.1), and then becomes the
 * forward zone and the reverse zones (RFC 1035 3.5 in-addr.arpa, RFC 3596
 * 2.5 ip6.arpa).
 *
 * Export writes a zone in presentation format that BIND, NSD and Knot
 * load: absolute owners, explicit TTL and class on every line, the RFC
 * 1035 forms for the common types and the RFC 3597 generic form for all
 * others, so no type is ever written in a syntax a reader may not know.
 */
#include "../lib/array.h"
#include "load.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libzscanner/error.h>
#include <libzscanner/scanner.h>

#define LOAD_INCLUDE_DEPTH 8
#define LOAD_DEFAULT_TTL 3600
#define NONE UINT32_MAX

static void __attribute__((format(printf, 3, 4)))
load_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * The builder's lines (errors or warnings), each prefixed with the input's
 * name, so every line of a --check report says which file it is about.
 */
static void
load_prefix_lines(char *err, size_t errlen, const char *name, const char *lines)
{
	size_t o = 0;

	if (errlen == 0)
		return;
	err[0] = '\0';
	while (*lines != '\0' && o + 1 < errlen) {
		const char *nl = strchr(lines, '\n');
		size_t l = nl ? (size_t)(nl - lines) : strlen(lines);
		int n = snprintf(err + o, errlen - o, "%s%s: %.*s", o ? "\n" : "", name,
		    (int)l, lines);
		if (n < 0)
			break;
		o += (size_t)n;
		if (o >= errlen) {
			o = errlen - 1;
			break;
		}
		lines += l + (nl ? 1 : 0);
	}
	err[o] = '\0';
}

/* Finish a builder; on both paths err holds name-prefixed lines. */
static struct dns_zone *
load_finish(struct dns_zone_builder *b, const char *name, char *err, size_t errlen)
{
	char msgs[4096];
	struct dns_zone *z = dns_zone_builder_finish(b, msgs, sizeof(msgs));

	dns_zone_builder_free(b);
	load_prefix_lines(err, errlen, name, msgs);
	return z;
}

static int
load_origin(uint8_t out[DNS_NAME_MAX], const char *origin)
{
	static const uint8_t root[1] = { 0 };
	return dns_name_from_text(out, origin, root);
}

/* ------------------------------------------------------------ zone files */

struct zf_ctx {
	struct dns_zone_builder *b;
	uint8_t apex[DNS_NAME_MAX];
	const char *name;	/* of the top input, for buffers */
	bool allow_include;
	char *err;
	size_t errlen;
};

static const char *
zf_where(const zs_scanner_t *s, const struct zf_ctx *c)
{
	return s->file.name != NULL ? s->file.name : c->name;
}

static int
zf_record(zs_scanner_t *s, struct zf_ctx *c)
{
	char t1[DNS_NAME_STRLEN], t2[DNS_NAME_STRLEN], ty[DNS_TYPE_STRLEN];
	unsigned long line = (unsigned long)s->line_counter;

	if (s->r_class != DNS_C_IN) {
		load_err(c->err, c->errlen, "%s:%lu: class %u: only IN is served", zf_where(s, c),
		    line, s->r_class);
		return -1;
	}
	int r = dns_zone_builder_add(c->b, s->r_owner, s->r_type, s->r_ttl, s->r_data,
	    (uint16_t)s->r_data_length);
	switch (r) {
	case DNS_ZB_OK:
		return 0;
	case DNS_ZB_OUTSIDE:
		load_err(c->err, c->errlen, "%s:%lu: %s is outside the zone %s", zf_where(s, c),
		    line, dns_name_to_text(s->r_owner, t1), dns_name_to_text(c->apex, t2));
		break;
	case DNS_ZB_TYPE:
		load_err(c->err, c->errlen, "%s:%lu: type %s cannot be zone data", zf_where(s, c),
		    line, dns_type_name(s->r_type, ty));
		break;
	case DNS_ZB_RDATA:
		load_err(c->err, c->errlen, "%s:%lu: malformed %s rdata (%u bytes)",
		    zf_where(s, c), line, dns_type_name(s->r_type, ty), s->r_data_length);
		break;
	default:
		load_err(c->err, c->errlen, "%s:%lu: %s", zf_where(s, c), line,
		    dns_zone_builder_strerror(r));
		break;
	}
	return -1;
}

static int zf_parse(zs_scanner_t *s, struct zf_ctx *c, int depth);

static int
zf_include(zs_scanner_t *s, struct zf_ctx *c, int depth)
{
	unsigned long line = (unsigned long)s->line_counter;
	zs_scanner_t *sub;
	int ret = -1;

	if (!c->allow_include) {
		load_err(c->err, c->errlen, "%s:%lu: $INCLUDE is not allowed in this input",
		    zf_where(s, c), line);
		return -1;
	}
	if (depth >= LOAD_INCLUDE_DEPTH) {
		load_err(c->err, c->errlen, "%s:%lu: $INCLUDE nested deeper than %d files",
		    zf_where(s, c), line, LOAD_INCLUDE_DEPTH);
		return -1;
	}
	if ((sub = malloc(sizeof(*sub))) == NULL) {
		load_err(c->err, c->errlen, "%s:%lu: out of memory", zf_where(s, c), line);
		return -1;
	}
	/* zscanner made the name absolute (relative to the including file) and
	 * put the origin for the included file into s->buffer. */
	if (zs_init(sub, (const char *)s->buffer, DNS_C_IN, s->default_ttl) != 0) {
		load_err(c->err, c->errlen, "%s:%lu: $INCLUDE: %s", zf_where(s, c), line,
		    zs_strerror(sub->error.code));
		goto out;
	}
	errno = 0;
	if (zs_set_input_file(sub, s->include_filename) != 0) {
		load_err(c->err, c->errlen, "%s:%lu: $INCLUDE %s: %s", zf_where(s, c), line,
		    s->include_filename, errno ? strerror(errno) : zs_strerror(sub->error.code));
		goto out;
	}
	ret = zf_parse(sub, c, depth + 1);
out:
	zs_deinit(sub);
	free(sub);
	return ret;
}

static int
zf_parse(zs_scanner_t *s, struct zf_ctx *c, int depth)
{
	for (;;) {
		if (zs_parse_record(s) != 0) {
			load_err(c->err, c->errlen, "%s:%lu: %s", zf_where(s, c),
			    (unsigned long)s->line_counter, zs_strerror(s->error.code));
			return -1;
		}
		switch (s->state) {
		case ZS_STATE_DATA:
			if (zf_record(s, c) != 0)
				return -1;
			break;
		case ZS_STATE_ERROR:
			/* The first error ends the load: a zone is served whole or not at all. */
			load_err(c->err, c->errlen, "%s:%lu: %s", zf_where(s, c),
			    (unsigned long)s->line_counter, zs_strerror(s->error.code));
			return -1;
		case ZS_STATE_INCLUDE:
			if (zf_include(s, c, depth) != 0)
				return -1;
			break;
		case ZS_STATE_EOF:
		case ZS_STATE_STOP:
			return 0;
		default:
			break;
		}
	}
}

static struct dns_zone *
zf_load(const char *path, bool from_buf, const char *buf, size_t len, const char *origin,
    char *err, size_t errlen)
{
	struct zf_ctx c = { .name = path, .allow_include = !from_buf, .err = err,
	    .errlen = errlen };
	zs_scanner_t *s;
	struct dns_zone *z = NULL;

	if (errlen > 0)
		err[0] = '\0';
	if (load_origin(c.apex, origin) < 0) {
		load_err(err, errlen, "%s: bad zone name '%s'", path, origin);
		return NULL;
	}
	if ((s = malloc(sizeof(*s))) == NULL) {
		load_err(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	/* RFC 1035 5.1 leaves the default TTL to us; BIND and Knot use 3600 too. */
	if (zs_init(s, origin, DNS_C_IN, LOAD_DEFAULT_TTL) != 0) {
		load_err(err, errlen, "%s: zone name %s: %s", path, origin,
		    zs_strerror(s->error.code));
		free(s);
		return NULL;
	}
	errno = 0;
	if (from_buf)
		(void)zs_set_input_string(s, len ? buf : "", len);
	else if (zs_set_input_file(s, path) != 0) {
		load_err(err, errlen, "%s: %s", path,
		    errno ? strerror(errno) : zs_strerror(s->error.code));
		goto out;
	}
	if ((c.b = dns_zone_builder_new(c.apex)) == NULL) {
		load_err(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/* A record line is rarely shorter than 20 bytes. */
	dns_zone_builder_reserve(c.b, (size_t)(s->input.end - s->input.start) / 20);
	if (zf_parse(s, &c, 0) != 0) {
		dns_zone_builder_free(c.b);
		goto out;
	}
	z = load_finish(c.b, path, err, errlen);
out:
	zs_deinit(s);
	free(s);
	return z;
}

struct dns_zone *
dns_load_zonefile(const char *path, const char *origin, char *err, size_t errlen)
{
	return zf_load(path, false, NULL, 0, origin, err, errlen);
}

struct dns_zone *
dns_load_zonefile_buf(const char *name, const char *buf, size_t len, const char *origin,
    char *err, size_t errlen)
{
	return zf_load(name, true, buf, len, origin, err, errlen);
}

/* ------------------------------------------------------------ hosts input */

#define HOSTS_LINE_MAX 4096
#define HOSTS_WORDS_MAX 256
#define HOSTS_PREFIX_MAX 256
#define HOSTS_FILE_MAX (1024u * 1024 * 1024)

/*
 * SOA timers when $SOA does not give them.  Every server of a riposte
 * service loads the same file, so refresh/retry/expire only matter to a
 * secondary someone adds later: RIPE-203's values.  The minimum is the
 * negative-caching TTL (RFC 2308 4), one hour as RFC 2308 5 suggests.
 */
#define HOSTS_REFRESH 86400
#define HOSTS_RETRY 7200
#define HOSTS_EXPIRE 3600000
#define HOSTS_MINIMUM 3600

enum { HN_HOST = 1, HN_ALIAS };

/* An entry of a table keyed by bytes in the arena (a wire name or an address). */
struct hosts_ent {
	uint32_t off;
	uint32_t hash;
	uint32_t line;
	uint32_t val;	/* alias: its host's entry; reverse zone: its prefix or NONE */
	uint8_t len;
	uint8_t kind;
};

struct hosts_tab {
	struct hosts_ent *ents;
	size_t n, cap;
	uint32_t *slots;
	uint32_t mask;
};

/* The address of a host line. */
struct hosts_addr {
	uint32_t name;	/* entry in names */
	uint32_t line;
	uint32_t zone;	/* reverse zone of its PTR, NONE: no PTR */
	uint8_t family;
	uint8_t addr[16];
};

/* A name server ($NS) or mail exchanger ($MX). */
struct hosts_ref {
	uint32_t off;
	uint32_t line;
	uint16_t pref;
	uint8_t len;
};

struct hosts_prefix {
	uint32_t line;
	uint32_t zone;
	uint8_t family;
	uint8_t plen;
	uint8_t addr[16];
};

struct hosts {
	const char *path;
	char *err;
	size_t errlen;
	uint32_t line;
	uint8_t origin[DNS_NAME_MAX];
	size_t origin_len;
	bool have_origin;
	uint32_t origin_line;	/* of $ORIGIN, 0: from the configuration */
	bool data_seen;
	uint32_t ttl, ttl_line;
	uint8_t contact[DNS_NAME_MAX];
	size_t contact_len;
	uint32_t soa_line;
	uint32_t serial, refresh, retry, expire, minimum;
	uint32_t reverse_none_line;
	uint8_t *arena;
	size_t arena_len, arena_cap;
	struct hosts_tab names, addrs, rzones;
	struct hosts_addr *lines;
	size_t n_lines, cap_lines;
	struct hosts_ref *ns, *mx;
	size_t n_ns, cap_ns, n_mx, cap_mx;
	uint32_t *aliases;
	size_t n_aliases, cap_aliases;
	struct hosts_prefix *pfx;
	size_t n_pfx, cap_pfx;
};

static int __attribute__((format(printf, 2, 3)))
hosts_err(struct hosts *h, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (h->errlen == 0)
		return -1;
	if (h->line > 0)
		n = snprintf(h->err, h->errlen, "%s:%u: ", h->path, h->line);
	else
		n = snprintf(h->err, h->errlen, "%s: ", h->path);
	if (n < 0 || (size_t)n >= h->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(h->err + n, h->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int
hosts_nomem(struct hosts *h)
{
	return hosts_err(h, "out of memory");
}

/* Words of the input in messages: at most 80 bytes, unprintable bytes as '?'. */
static const char *
hosts_quote(const char *word, char out[84])
{
	size_t i = 0;
	for (; word[i] != '\0' && i < 80; i++)
		out[i] = word[i] > 0x20 && word[i] < 0x7f ? word[i] : '?';
	if (word[i] != '\0') {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* FNV-1a: only the loader uses these tables, once per line. */
static uint32_t
hosts_hash(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static uint32_t
hosts_find(const struct hosts *h, const struct hosts_tab *t, const uint8_t *key, size_t len)
{
	if (t->n == 0)
		return NONE;
	uint32_t hash = hosts_hash(key, len);
	for (uint32_t i = hash & t->mask; t->slots[i] != NONE; i = (i + 1) & t->mask) {
		const struct hosts_ent *e = &t->ents[t->slots[i]];
		if (e->hash == hash && e->len == len && memcmp(h->arena + e->off, key, len) == 0)
			return t->slots[i];
	}
	return NONE;
}

/* A new entry (the caller has checked that the key is not there), or NONE. */
static uint32_t
hosts_add(struct hosts *h, struct hosts_tab *t, const uint8_t *key, size_t len, uint8_t kind,
    uint32_t val)
{
	if (t->n >= UINT32_MAX / 4 ||
	    !array_grow((void **)&t->ents, &t->cap, t->n + 1, sizeof(*t->ents)) ||
	    !array_grow((void **)&h->arena, &h->arena_cap, h->arena_len + len, 1))
		return NONE;
	if ((t->n + 1) * 2 > (size_t)t->mask + 1 || t->slots == NULL) {
		uint32_t nslots = t->slots ? (t->mask + 1) * 2 : 64;
		uint32_t *s = malloc((size_t)nslots * sizeof(*s));
		if (s == NULL)
			return NONE;
		memset(s, 0xff, (size_t)nslots * sizeof(*s));
		for (size_t k = 0; k < t->n; k++) {
			uint32_t i = t->ents[k].hash & (nslots - 1);
			while (s[i] != NONE)
				i = (i + 1) & (nslots - 1);
			s[i] = (uint32_t)k;
		}
		free(t->slots);
		t->slots = s;
		t->mask = nslots - 1;
	}
	struct hosts_ent *e = &t->ents[t->n];
	e->off = (uint32_t)h->arena_len;
	e->len = (uint8_t)len;
	e->hash = hosts_hash(key, len);
	e->line = h->line;
	e->kind = kind;
	e->val = val;
	memcpy(h->arena + h->arena_len, key, len);
	h->arena_len += len;
	uint32_t i = e->hash & t->mask;
	while (t->slots[i] != NONE)
		i = (i + 1) & t->mask;
	t->slots[i] = (uint32_t)t->n;
	return (uint32_t)t->n++;
}

static const uint8_t *
hosts_key(const struct hosts *h, const struct hosts_tab *t, uint32_t i)
{
	return h->arena + t->ents[i].off;
}

static bool
hosts_number(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/*
 * A host name: labels of letters, digits, '-' and '_' (RFC 952 and RFC
 * 1123 2.1 host names, plus the '_' of service names), relative to the
 * origin unless it ends in a dot; "@" is the origin where allowed.
 */
static int
hosts_name(struct hosts *h, const char *text, uint8_t out[DNS_NAME_MAX], const char *what,
    bool at_ok)
{
	char q[84];
	size_t label = 0;

	if (strcmp(text, "@") == 0 && at_ok) {
		memcpy(out, h->origin, h->origin_len);
		return (int)h->origin_len;
	}
	for (const char *p = text; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '.') {
			if (label == 0)
				return hosts_err(h, "bad %s '%s': empty label", what,
				    hosts_quote(text, q));
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			if (c > 0x20 && c < 0x7f)
				return hosts_err(h, "bad %s '%s': character '%c' is not allowed "
				    "in a host name", what, hosts_quote(text, q), c);
			return hosts_err(h, "bad %s '%s': byte 0x%02x is not allowed in a host "
			    "name", what, hosts_quote(text, q), c);
		}
		if (++label > DNS_LABEL_MAX)
			return hosts_err(h, "bad %s '%s': label longer than %d bytes", what,
			    hosts_quote(text, q), DNS_LABEL_MAX);
	}
	int n = dns_name_from_text(out, text, h->origin);
	if (n < 0)
		return hosts_err(h, "bad %s '%s': longer than %d bytes", what,
		    hosts_quote(text, q), DNS_NAME_MAX);
	/* Host names are case-insensitive (RFC 4343): one spelling in tables and zones. */
	dns_name_lower(out, out);
	return n;
}

/* In the forward zone: at or below the origin. */
static bool
hosts_in_zone(const struct hosts *h, const uint8_t *name)
{
	return dns_name_is_subdomain(name, h->origin);
}

static int
hosts_need_origin(struct hosts *h)
{
	h->data_seen = true;
	if (!h->have_origin)
		return hosts_err(h, "no zone name: $ORIGIN must come first when the "
		    "configuration gives none");
	return 0;
}

static int
hosts_address(struct hosts *h, const char *text, uint8_t *family, uint8_t addr[16])
{
	char q[84];
	if (strchr(text, ':') != NULL) {
		*family = 6;
		if (inet_pton(AF_INET6, text, addr) == 1)
			return 0;
		return hosts_err(h, "bad IPv6 address '%s'", hosts_quote(text, q));
	}
	*family = 4;
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1)
		return 0;
	return hosts_err(h, "bad address '%s'", hosts_quote(text, q));
}

static const char *
hosts_addr_text(uint8_t family, const uint8_t *addr, char out[INET6_ADDRSTRLEN])
{
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, out, INET6_ADDRSTRLEN);
}

/*
 * The reverse name of the first `bits` bits of an address: RFC 1035 3.5
 * (octets, in-addr.arpa) or RFC 3596 2.5 (nibbles, ip6.arpa); a whole
 * address gives the PTR owner, a prefix its zone's apex.
 */
static size_t
hosts_reverse_name(uint8_t out[DNS_NAME_MAX], uint8_t family, const uint8_t *addr, unsigned bits)
{
	static const uint8_t v4[] = "\7in-addr\4arpa";
	static const uint8_t v6[] = "\3ip6\4arpa";
	size_t o = 0;

	if (family == 4) {
		for (unsigned i = bits / 8; i-- > 0;) {
			int n = snprintf((char *)out + o + 1, 4, "%u", addr[i]);
			out[o] = (uint8_t)n;
			o += 1 + (size_t)n;
		}
		memcpy(out + o, v4, sizeof(v4));
		return o + sizeof(v4);
	}
	for (unsigned i = bits / 4; i-- > 0;) {
		unsigned nib = i % 2 ? addr[i / 2] & 0xf : addr[i / 2] >> 4;
		out[o++] = 1;
		out[o++] = (uint8_t)"0123456789abcdef"[nib];
	}
	memcpy(out + o, v6, sizeof(v6));
	return o + sizeof(v6);
}

/* ADDRESS NAME [ALIAS...] */
static int
hosts_host_line(struct hosts *h, int argc, char **argv)
{
	char q[84], t1[DNS_NAME_STRLEN], t2[DNS_NAME_STRLEN];
	uint8_t name[DNS_NAME_MAX], alias[DNS_NAME_MAX];
	struct hosts_addr a = { .line = h->line, .zone = NONE };
	int len;

	if (hosts_need_origin(h) != 0 || hosts_address(h, argv[0], &a.family, a.addr) != 0)
		return -1;
	if (argc < 2)
		return hosts_err(h, "address %s without a name", hosts_quote(argv[0], q));
	if ((len = hosts_name(h, argv[1], name, "name", true)) < 0)
		return -1;
	if (!hosts_in_zone(h, name))
		return hosts_err(h, "name %s is outside the zone %s", dns_name_to_text(name, t1),
		    dns_name_to_text(h->origin, t2));
	a.name = hosts_find(h, &h->names, name, (size_t)len);
	if (a.name != NONE && h->names.ents[a.name].kind == HN_ALIAS)
		return hosts_err(h, "name %s is already an alias (line %u)",
		    dns_name_to_text(name, t1), h->names.ents[a.name].line);
	if (a.name == NONE &&
	    (a.name = hosts_add(h, &h->names, name, (size_t)len, HN_HOST, NONE)) == NONE)
		return hosts_nomem(h);
	if (!array_grow((void **)&h->lines, &h->cap_lines, h->n_lines + 1, sizeof(*h->lines)))
		return hosts_nomem(h);
	h->lines[h->n_lines++] = a;

	for (int i = 2; i < argc; i++) {
		int alen = hosts_name(h, argv[i], alias, "alias", false);
		if (alen < 0)
			return -1;
		dns_name_to_text(alias, t1);
		if (!hosts_in_zone(h, alias))
			return hosts_err(h, "alias %s is outside the zone %s", t1,
			    dns_name_to_text(h->origin, t2));
		if (dns_name_equal(alias, h->origin))
			return hosts_err(h, "alias %s is the zone apex, where a CNAME cannot be "
			    "(RFC 2181 10.1)", t1);
		if (dns_name_equal(alias, name))
			return hosts_err(h, "alias %s is the name of its own line", t1);
		uint32_t e = hosts_find(h, &h->names, alias, (size_t)alen);
		if (e != NONE && h->names.ents[e].kind == HN_HOST)
			return hosts_err(h, "alias %s is already a name (line %u)", t1,
			    h->names.ents[e].line);
		if (e != NONE && h->names.ents[e].val != a.name)
			return hosts_err(h, "alias %s already stands for %s (line %u)", t1,
			    dns_name_to_text(hosts_key(h, &h->names, h->names.ents[e].val), t2),
			    h->names.ents[e].line);
		if (e != NONE)
			continue; /* the same alias again, e.g. on the IPv6 line of a host */
		if ((e = hosts_add(h, &h->names, alias, (size_t)alen, HN_ALIAS, a.name)) == NONE ||
		    !array_grow((void **)&h->aliases, &h->cap_aliases, h->n_aliases + 1,
		    sizeof(*h->aliases)))
			return hosts_nomem(h);
		h->aliases[h->n_aliases++] = e;
	}
	return 0;
}

static int
hosts_d_origin(struct hosts *h, int argc, char **argv)
{
	char q[84], t1[DNS_NAME_STRLEN], t2[DNS_NAME_STRLEN];
	uint8_t o[DNS_NAME_MAX];
	int len;

	if (h->origin_line > 0)
		return hosts_err(h, "$ORIGIN given twice (line %u)", h->origin_line);
	if (h->data_seen)
		return hosts_err(h, "$ORIGIN must come before every other line");
	/* The origin is absolute, with or without its final dot. */
	if ((len = load_origin(o, argv[1])) < 0 || strchr(argv[1], '\\') != NULL ||
	    strstr(argv[1], "..") != NULL)
		return hosts_err(h, "bad $ORIGIN '%s'", hosts_quote(argv[1], q));
	if (h->have_origin && !dns_name_equal(o, h->origin))
		return hosts_err(h, "$ORIGIN %s differs from the zone name %s of the "
		    "configuration", dns_name_to_text(o, t1), dns_name_to_text(h->origin, t2));
	h->origin_len = dns_name_lower(h->origin, o);
	h->have_origin = true;
	h->origin_line = h->line;
	return 0;
}

static int
hosts_d_ttl(struct hosts *h, int argc, char **argv)
{
	char q[84];

	h->data_seen = true;
	if (h->ttl_line > 0)
		return hosts_err(h, "$TTL given twice (line %u)", h->ttl_line);
	/* RFC 2181 8: a TTL is 0 to 2^31 - 1 seconds. */
	if (!hosts_number(argv[1], INT32_MAX, &h->ttl))
		return hosts_err(h, "bad $TTL '%s': seconds from 0 to %d", hosts_quote(argv[1], q),
		    INT32_MAX);
	h->ttl_line = h->line;
	return 0;
}

/* A name server or mail exchanger, listed once. */
static int
hosts_ref_add(struct hosts *h, struct hosts_ref **list, size_t *n, size_t *cap,
    const char *text, const char *what, uint16_t pref)
{
	char t1[DNS_NAME_STRLEN];
	uint8_t name[DNS_NAME_MAX];
	int len = hosts_name(h, text, name, what, true);

	if (len < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if ((*list)[i].len == len &&
		    dns_name_equal(h->arena + (*list)[i].off, name))
			return hosts_err(h, "%s %s listed twice (line %u)", what,
			    dns_name_to_text(name, t1), (*list)[i].line);
	if (*n >= HOSTS_PREFIX_MAX)
		return hosts_err(h, "too many %ss (at most %d)", what, HOSTS_PREFIX_MAX);
	if (!array_grow((void **)list, cap, *n + 1, sizeof(**list)) ||
	    !array_grow((void **)&h->arena, &h->arena_cap, h->arena_len + (size_t)len, 1))
		return hosts_nomem(h);
	struct hosts_ref *r = &(*list)[(*n)++];
	r->off = (uint32_t)h->arena_len;
	r->len = (uint8_t)len;
	r->line = h->line;
	r->pref = pref;
	dns_name_lower(h->arena + h->arena_len, name);
	h->arena_len += (size_t)len;
	return 0;
}

static int
hosts_d_ns(struct hosts *h, int argc, char **argv)
{
	if (hosts_need_origin(h) != 0)
		return -1;
	for (int i = 1; i < argc; i++)
		if (hosts_ref_add(h, &h->ns, &h->n_ns, &h->cap_ns, argv[i], "name server", 0) != 0)
			return -1;
	return 0;
}

static int
hosts_d_mx(struct hosts *h, int argc, char **argv)
{
	char q[84];
	uint32_t pref;

	if (hosts_need_origin(h) != 0)
		return -1;
	if (!hosts_number(argv[1], UINT16_MAX, &pref))
		return hosts_err(h, "bad $MX preference '%s': 0 to %u", hosts_quote(argv[1], q),
		    UINT16_MAX);
	return hosts_ref_add(h, &h->mx, &h->n_mx, &h->cap_mx, argv[2], "mail exchanger",
	    (uint16_t)pref);
}

/*
 * The SOA's RNAME (RFC 1035 3.3.13): "hostmaster@home" as a mail address
 * (the local part becomes one label, dots and all; the domain is absolute),
 * or a name as in a zone file ("hostmaster.home.", relative to the origin
 * without its final dot).
 */
static int
hosts_contact(struct hosts *h, const char *text)
{
	char q[84];
	const char *at = strchr(text, '@');
	uint8_t dom[DNS_NAME_MAX];

	if (at == NULL) {
		int len = dns_name_from_text(h->contact, text, h->origin);
		if (len < 0 || strcmp(text, "@") == 0)
			return hosts_err(h, "bad $SOA contact '%s'", hosts_quote(text, q));
		h->contact_len = (size_t)len;
		return 0;
	}
	size_t local = (size_t)(at - text);
	const char *d = at + 1;
	if (local == 0 || local > DNS_LABEL_MAX || *d == '\0' || strchr(d, '@') != NULL)
		return hosts_err(h, "bad $SOA contact '%s': want user@domain or a name",
		    hosts_quote(text, q));
	for (const char *p = d; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.'))
			return hosts_err(h, "bad $SOA contact '%s': bad domain",
			    hosts_quote(text, q));
	int dl = load_origin(dom, d);
	if (dl < 0 || strstr(d, "..") != NULL || *d == '.' || 1 + local + (size_t)dl > DNS_NAME_MAX)
		return hosts_err(h, "bad $SOA contact '%s': bad domain", hosts_quote(text, q));
	/* The local part keeps its case (RFC 5321 2.4), the domain does not need it. */
	dns_name_lower(dom, dom);
	h->contact[0] = (uint8_t)local;
	memcpy(h->contact + 1, text, local);
	memcpy(h->contact + 1 + local, dom, (size_t)dl);
	h->contact_len = 1 + local + (size_t)dl;
	return 0;
}

static int
hosts_d_soa(struct hosts *h, int argc, char **argv)
{
	static const char *what[] = { "serial", "refresh", "retry", "expire", "minimum" };
	uint32_t *val[] = { &h->serial, &h->refresh, &h->retry, &h->expire, &h->minimum };
	char q[84];

	if (hosts_need_origin(h) != 0)
		return -1;
	if (h->soa_line > 0)
		return hosts_err(h, "$SOA given twice (line %u)", h->soa_line);
	if (argc != 2 && argc != 3 && argc != 7)
		return hosts_err(h, "$SOA takes CONTACT [SERIAL [REFRESH RETRY EXPIRE MINIMUM]]");
	if (hosts_contact(h, argv[1]) != 0)
		return -1;
	for (int i = 2; i < argc; i++) {
		/* RFC 1982 serials are 32 bits; the timers are TTL-like (RFC 2181 8). */
		uint32_t max = i == 2 ? UINT32_MAX : INT32_MAX;
		if (!hosts_number(argv[i], max, val[i - 2]))
			return hosts_err(h, "bad $SOA %s '%s': 0 to %u", what[i - 2],
			    hosts_quote(argv[i], q), max);
	}
	h->soa_line = h->line;
	return 0;
}

static bool
hosts_prefix_contains(const struct hosts_prefix *p, uint8_t family, const uint8_t *addr,
    unsigned plen)
{
	if (p->family != family || plen < p->plen)
		return false;
	unsigned bytes = p->plen / 8;
	if (memcmp(p->addr, addr, bytes) != 0)
		return false;
	if (p->plen % 8 != 0 && (p->addr[bytes] & 0xf0) != (addr[bytes] & 0xf0))
		return false;
	return true;
}

/*
 * $REVERSE 10.128.0.0/16 ...: reverse zones on octet (IPv4) or nibble
 * (IPv6) boundaries, where a zone cut in in-addr.arpa / ip6.arpa can be
 * (RFC 2317 covers the others, with CNAMEs we do not make).
 */
static int
hosts_d_reverse(struct hosts *h, int argc, char **argv)
{
	char q[84], t1[INET6_ADDRSTRLEN];

	h->data_seen = true;
	if (argc == 2 && strcasecmp(argv[1], "none") == 0) {
		if (h->n_pfx > 0)
			return hosts_err(h, "$REVERSE none after $REVERSE prefixes (line %u)",
			    h->pfx[0].line);
		h->reverse_none_line = h->line;
		return 0;
	}
	if (h->reverse_none_line > 0)
		return hosts_err(h, "$REVERSE prefix after $REVERSE none (line %u)",
		    h->reverse_none_line);
	for (int i = 1; i < argc; i++) {
		struct hosts_prefix p = { .line = h->line, .zone = NONE };
		char buf[INET6_ADDRSTRLEN + 8];
		char *slash;
		uint32_t plen;

		if (strlen(argv[i]) >= sizeof(buf) || (slash = strchr(argv[i], '/')) == NULL)
			return hosts_err(h, "bad $REVERSE prefix '%s': want ADDRESS/LENGTH or none",
			    hosts_quote(argv[i], q));
		memcpy(buf, argv[i], (size_t)(slash - argv[i]));
		buf[slash - argv[i]] = '\0';
		if (hosts_address(h, buf, &p.family, p.addr) != 0)
			return -1;
		unsigned max = p.family == 4 ? 24 : 124, step = p.family == 4 ? 8 : 4;
		if (!hosts_number(slash + 1, 128, &plen) || plen == 0 || plen > max ||
		    plen % step != 0)
			return hosts_err(h, "bad $REVERSE prefix '%s': the length must be a "
			    "multiple of %u from %u to %u", hosts_quote(argv[i], q), step, step,
			    max);
		p.plen = (uint8_t)plen;
		for (unsigned b = plen; b < 128; b++)
			if (p.addr[b / 8] & (0x80 >> (b % 8)))
				return hosts_err(h, "bad $REVERSE prefix '%s': bits set after the "
				    "first %u", hosts_quote(argv[i], q), plen);
		for (size_t k = 0; k < h->n_pfx; k++) {
			const struct hosts_prefix *o = &h->pfx[k];
			if (hosts_prefix_contains(o, p.family, p.addr, p.plen) ||
			    hosts_prefix_contains(&p, o->family, o->addr, o->plen))
				return hosts_err(h, "$REVERSE %s overlaps %s/%u (line %u)",
				    hosts_quote(argv[i], q), hosts_addr_text(o->family, o->addr, t1),
				    o->plen, o->line);
		}
		if (h->n_pfx >= HOSTS_PREFIX_MAX)
			return hosts_err(h, "more than %d $REVERSE prefixes", HOSTS_PREFIX_MAX);
		if (!array_grow((void **)&h->pfx, &h->cap_pfx, h->n_pfx + 1, sizeof(*h->pfx)))
			return hosts_nomem(h);
		h->pfx[h->n_pfx++] = p;
	}
	return 0;
}

static const struct hosts_directive {
	const char *name;
	int min_args, max_args;
	int (*fn)(struct hosts *, int, char **);
	const char *usage;
} hosts_directives[] = {
	{ "$ORIGIN", 1, 1, hosts_d_origin, "$ORIGIN NAME" },
	{ "$TTL", 1, 1, hosts_d_ttl, "$TTL SECONDS" },
	{ "$NS", 1, HOSTS_WORDS_MAX, hosts_d_ns, "$NS NAME..." },
	{ "$MX", 2, 2, hosts_d_mx, "$MX PREFERENCE NAME" },
	{ "$SOA", 1, 6, hosts_d_soa, "$SOA CONTACT [SERIAL [REFRESH RETRY EXPIRE MINIMUM]]" },
	{ "$REVERSE", 1, HOSTS_WORDS_MAX, hosts_d_reverse, "$REVERSE PREFIX... | none" },
};

static int
hosts_directive(struct hosts *h, int argc, char **argv)
{
	char q[84];

	for (size_t i = 0; i < sizeof(hosts_directives) / sizeof(hosts_directives[0]); i++) {
		const struct hosts_directive *d = &hosts_directives[i];
		if (strcasecmp(argv[0], d->name) != 0)
			continue;
		if (argc - 1 < d->min_args || argc - 1 > d->max_args)
			return hosts_err(h, "usage: %s", d->usage);
		return d->fn(h, argc, argv);
	}
	return hosts_err(h, "unknown directive %s (known: $ORIGIN $TTL $NS $MX $SOA $REVERSE)",
	    hosts_quote(argv[0], q));
}

static int
hosts_parse(struct hosts *h, const char *buf, size_t len)
{
	char line[HOSTS_LINE_MAX];
	char *argv[HOSTS_WORDS_MAX + 1];
	size_t pos = 0;

	while (pos < len) {
		const char *start = buf + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - start) : len - pos;
		int argc = 0;

		pos += l + (nl ? 1 : 0);
		h->line++;
		if (memchr(start, '\0', l) != NULL)
			return hosts_err(h, "NUL byte");
		if (l >= sizeof(line))
			return hosts_err(h, "line longer than %zu bytes", sizeof(line) - 1);
		memcpy(line, start, l);
		line[l] = '\0';
		/* hosts(5): from '#' to the end of the line is a comment. */
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		for (char *p = line;;) {
			p += strspn(p, " \t\r\v\f");
			if (*p == '\0')
				break;
			if (argc >= HOSTS_WORDS_MAX + 1)
				return hosts_err(h, "more than %d words", HOSTS_WORDS_MAX);
			argv[argc++] = p;
			p += strcspn(p, " \t\r\v\f");
			if (*p != '\0')
				*p++ = '\0';
		}
		if (argc == 0)
			continue;
		if ((argv[0][0] == '$' ? hosts_directive(h, argc, argv) :
		    hosts_host_line(h, argc, argv)) != 0)
			return -1;
	}
	return 0;
}

/*
 * After the last line: what needs the whole file.  Name servers and mail
 * exchangers inside the zone need an address line and must not be aliases
 * (RFC 2181 10.3); every address gets its reverse zone.
 */
static int
hosts_check(struct hosts *h)
{
	char t1[DNS_NAME_STRLEN], a1[INET6_ADDRSTRLEN];
	const struct { struct hosts_ref *list; size_t n; const char *what; } refs[] = {
		{ h->ns, h->n_ns, "name server" },
		{ h->mx, h->n_mx, "mail exchanger" },
	};

	h->line = 0;
	if (!h->have_origin)
		return hosts_err(h, "no zone name: give $ORIGIN or the zone's name in the "
		    "configuration");
	if (h->n_ns == 0)
		return hosts_err(h, "no $NS: at least one name server is needed");
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < refs[k].n; i++) {
			const struct hosts_ref *r = &refs[k].list[i];
			const uint8_t *name = h->arena + r->off;
			if (!hosts_in_zone(h, name))
				continue;
			uint32_t e = hosts_find(h, &h->names, name, r->len);
			h->line = r->line;
			if (e == NONE)
				return hosts_err(h, "%s %s has no address line", refs[k].what,
				    dns_name_to_text(name, t1));
			if (h->names.ents[e].kind == HN_ALIAS)
				return hosts_err(h, "%s %s is an alias (line %u), it must be a "
				    "name (RFC 2181 10.3)", refs[k].what, dns_name_to_text(name, t1),
				    h->names.ents[e].line);
		}
	}
	h->line = 0;
	if (h->contact_len == 0) {
		static const uint8_t hm[] = "\12hostmaster";
		if (sizeof(hm) - 1 + h->origin_len > DNS_NAME_MAX)
			return hosts_err(h, "no $SOA, and hostmaster.%s is too long for a contact",
			    dns_name_to_text(h->origin, t1));
		memcpy(h->contact, hm, sizeof(hm) - 1);
		memcpy(h->contact + sizeof(hm) - 1, h->origin, h->origin_len);
		h->contact_len = sizeof(hm) - 1 + h->origin_len;
	}
	if (h->reverse_none_line > 0)
		return 0;

	/* The zones $REVERSE asked for exist even when no address falls in them. */
	for (size_t i = 0; i < h->n_pfx; i++) {
		uint8_t apex[DNS_NAME_MAX];
		size_t len = hosts_reverse_name(apex, h->pfx[i].family, h->pfx[i].addr,
		    h->pfx[i].plen);
		h->line = h->pfx[i].line;
		if ((h->pfx[i].zone = hosts_add(h, &h->rzones, apex, len, 0, (uint32_t)i)) == NONE)
			return hosts_nomem(h);
	}
	bool have4 = false, have6 = false;
	for (size_t i = 0; i < h->n_pfx; i++) {
		have4 |= h->pfx[i].family == 4;
		have6 |= h->pfx[i].family == 6;
	}
	/* A PTR for the first name of each address only: one answer per address. */
	for (size_t i = 0; i < h->n_lines; i++) {
		struct hosts_addr *a = &h->lines[i];
		uint8_t key[17], apex[DNS_NAME_MAX];
		size_t klen = a->family == 4 ? 5 : 17;

		h->line = a->line;
		key[0] = a->family;
		memcpy(key + 1, a->addr, klen - 1);
		if (hosts_find(h, &h->addrs, key, klen) != NONE)
			continue;
		if (hosts_add(h, &h->addrs, key, klen, 0, 0) == NONE)
			return hosts_nomem(h);
		if ((a->family == 4 && have4) || (a->family == 6 && have6)) {
			for (size_t k = 0; k < h->n_pfx && a->zone == NONE; k++)
				if (hosts_prefix_contains(&h->pfx[k], a->family, a->addr,
				    a->family == 4 ? 32 : 128))
					a->zone = h->pfx[k].zone;
			if (a->zone == NONE)
				return hosts_err(h, "address %s is outside every $REVERSE prefix "
				    "of its family", hosts_addr_text(a->family, a->addr, a1));
			continue;
		}
		/* By default one zone per IPv4 /24 and per IPv6 /64. */
		size_t len = hosts_reverse_name(apex, a->family, a->addr, a->family == 4 ? 24 : 64);
		a->zone = hosts_find(h, &h->rzones, apex, len);
		if (a->zone == NONE &&
		    (a->zone = hosts_add(h, &h->rzones, apex, len, 0, NONE)) == NONE)
			return hosts_nomem(h);
	}
	h->line = 0;
	return 0;
}

/* Add a record the loader made itself: anything but OK is a bug or no memory. */
static int
hosts_put(struct hosts *h, struct dns_zone_builder *b, const uint8_t *owner, uint16_t type,
    const uint8_t *rdata, size_t len)
{
	char t1[DNS_NAME_STRLEN], ty[DNS_TYPE_STRLEN];
	int r = dns_zone_builder_add(b, owner, type, h->ttl, rdata, (uint16_t)len);
	if (r != DNS_ZB_OK)
		return hosts_err(h, "%s %s: %s", dns_name_to_text(owner, t1),
		    dns_type_name(type, ty), dns_zone_builder_strerror(r));
	return 0;
}

static void
hosts_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* SOA and NS at the apex: the same for the forward and every reverse zone. */
static struct dns_zone_builder *
hosts_builder(struct hosts *h, const uint8_t *apex)
{
	uint8_t soa[2 * DNS_NAME_MAX + 20];
	size_t o = 0;
	struct dns_zone_builder *b = dns_zone_builder_new(apex);

	if (b == NULL) {
		hosts_nomem(h);
		return NULL;
	}
	/* RFC 1035 3.3.13: MNAME is the primary: the first name server. */
	memcpy(soa, h->arena + h->ns[0].off, h->ns[0].len);
	o = h->ns[0].len;
	memcpy(soa + o, h->contact, h->contact_len);
	o += h->contact_len;
	hosts_be32(soa + o, h->serial);
	hosts_be32(soa + o + 4, h->refresh);
	hosts_be32(soa + o + 8, h->retry);
	hosts_be32(soa + o + 12, h->expire);
	hosts_be32(soa + o + 16, h->minimum);
	o += 20;
	if (hosts_put(h, b, apex, DNS_T_SOA, soa, o) != 0)
		goto fail;
	for (size_t i = 0; i < h->n_ns; i++)
		if (hosts_put(h, b, apex, DNS_T_NS, h->arena + h->ns[i].off, h->ns[i].len) != 0)
			goto fail;
	return b;
fail:
	dns_zone_builder_free(b);
	return NULL;
}

/*
 * Build every zone, then add them all or none: a hosts input whose zones
 * are half in the set would answer for names it does not describe.
 */
static int
hosts_build(struct hosts *h, struct dns_zoneset *set)
{
	char t1[DNS_NAME_STRLEN];
	size_t nz = 1 + h->rzones.n, built = 0;
	struct dns_zone_builder **b = calloc(nz, sizeof(*b));
	struct dns_zone **z = calloc(nz, sizeof(*z));
	int ret = -1;

	if (b == NULL || z == NULL) {
		hosts_nomem(h);
		goto out;
	}
	if ((b[0] = hosts_builder(h, h->origin)) == NULL)
		goto out;
	for (size_t i = 0; i < h->n_mx; i++) {
		uint8_t mx[2 + DNS_NAME_MAX];
		mx[0] = (uint8_t)(h->mx[i].pref >> 8);
		mx[1] = (uint8_t)h->mx[i].pref;
		memcpy(mx + 2, h->arena + h->mx[i].off, h->mx[i].len);
		if (hosts_put(h, b[0], h->origin, DNS_T_MX, mx, 2 + (size_t)h->mx[i].len) != 0)
			goto out;
	}
	for (size_t i = 0; i < h->n_lines; i++) {
		const struct hosts_addr *a = &h->lines[i];
		const uint8_t *name = hosts_key(h, &h->names, a->name);
		h->line = a->line;
		if (hosts_put(h, b[0], name, a->family == 4 ? DNS_T_A : DNS_T_AAAA, a->addr,
		    a->family == 4 ? 4 : 16) != 0)
			goto out;
	}
	for (size_t i = 0; i < h->n_aliases; i++) {
		const struct hosts_ent *e = &h->names.ents[h->aliases[i]];
		const struct hosts_ent *t = &h->names.ents[e->val];
		h->line = e->line;
		if (hosts_put(h, b[0], h->arena + e->off, DNS_T_CNAME, h->arena + t->off,
		    t->len) != 0)
			goto out;
	}
	h->line = 0;
	for (size_t i = 0; i < h->rzones.n; i++) {
		const uint8_t *apex = hosts_key(h, &h->rzones, (uint32_t)i);
		if (dns_name_equal(apex, h->origin)) {
			hosts_err(h, "the reverse zone %s is the forward zone",
			    dns_name_to_text(apex, t1));
			goto out;
		}
		if ((b[1 + i] = hosts_builder(h, apex)) == NULL)
			goto out;
	}
	for (size_t i = 0; i < h->n_lines; i++) {
		const struct hosts_addr *a = &h->lines[i];
		uint8_t owner[DNS_NAME_MAX];
		if (a->zone == NONE)
			continue;
		hosts_reverse_name(owner, a->family, a->addr, a->family == 4 ? 32 : 128);
		h->line = a->line;
		const struct hosts_ent *n = &h->names.ents[a->name];
		if (hosts_put(h, b[1 + a->zone], owner, DNS_T_PTR, h->arena + n->off, n->len) != 0)
			goto out;
	}
	h->line = 0;
	for (; built < nz; built++) {
		char msgs[2048];
		z[built] = dns_zone_builder_finish(b[built], msgs, sizeof(msgs));
		dns_zone_builder_free(b[built]);
		b[built] = NULL;
		if (z[built] == NULL) {
			load_prefix_lines(h->err, h->errlen, h->path, msgs);
			goto out;
		}
	}
	for (size_t i = 0; i < nz; i++) {
		const uint8_t *apex = dns_zone_apex(z[i]);
		const struct dns_zone *old = dns_zoneset_find(set, apex);
		if (old != NULL && dns_name_equal(dns_zone_apex(old), apex)) {
			hosts_err(h, "zone %s is already loaded", dns_name_to_text(apex, t1));
			goto out;
		}
	}
	for (size_t i = 0; i < nz; i++) {
		if (dns_zoneset_add(set, z[i]) != 0) {
			/* Only without memory: the earlier zones stay, the rest go. */
			hosts_nomem(h);
			goto out;
		}
		z[i] = NULL;
	}
	ret = 0;
out:
	for (size_t i = 0; b != NULL && i < nz; i++)
		dns_zone_builder_free(b[i]);
	for (size_t i = 0; z != NULL && i < nz; i++)
		dns_zone_free(z[i]);
	free(b);
	free(z);
	return ret;
}

static void
hosts_free(struct hosts *h)
{
	struct hosts_tab *t[] = { &h->names, &h->addrs, &h->rzones };
	for (size_t i = 0; i < 3; i++) {
		free(t[i]->ents);
		free(t[i]->slots);
	}
	free(h->arena);
	free(h->lines);
	free(h->ns);
	free(h->mx);
	free(h->aliases);
	free(h->pfx);
}

static int
hosts_load(const char *name, const char *buf, size_t len, const char *origin, uint32_t serial,
    struct dns_zoneset *set, char *err, size_t errlen)
{
	struct hosts h = {
		.path = name, .err = err, .errlen = errlen, .ttl = LOAD_DEFAULT_TTL,
		.serial = serial, .refresh = HOSTS_REFRESH, .retry = HOSTS_RETRY,
		.expire = HOSTS_EXPIRE, .minimum = HOSTS_MINIMUM,
	};
	int ret = -1;

	if (errlen > 0)
		err[0] = '\0';
	if (origin != NULL) {
		int l = load_origin(h.origin, origin);
		if (l < 0) {
			hosts_err(&h, "bad zone name '%s'", origin);
			return -1;
		}
		h.origin_len = dns_name_lower(h.origin, h.origin);
		h.have_origin = true;
	}
	if (hosts_parse(&h, buf, len) == 0 && hosts_check(&h) == 0 && hosts_build(&h, set) == 0)
		ret = 0;
	hosts_free(&h);
	return ret;
}

int
dns_load_hosts_buf(const char *name, const char *buf, size_t len, const char *origin,
    struct dns_zoneset *set, char *err, size_t errlen)
{
	/* No file, no mtime: now is when this data was made. */
	return hosts_load(name, buf, len, origin, (uint32_t)time(NULL), set, err, errlen);
}

int
dns_load_hosts(const char *path, const char *origin, struct dns_zoneset *set, char *err,
    size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, ret = -1;

	if (errlen > 0)
		err[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		load_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		load_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		load_err(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if ((uint64_t)st.st_size > HOSTS_FILE_MAX) {
		load_err(err, errlen, "%s: larger than %u bytes", path, HOSTS_FILE_MAX);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		load_err(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			load_err(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	/*
	 * The serial is the file's modification time: every edit raises it
	 * (RFC 1982 arithmetic holds until 2106), with nothing to remember.
	 */
	ret = hosts_load(path, buf, len, origin, (uint32_t)st.st_mtime, set, err, errlen);
out:
	free(buf);
	close(fd);
	return ret;
}

/* ---------------------------------------------------------------- export */

static int
export_qcmp(const void *a, const void *b)
{
	const struct dns_node *x = *(const struct dns_node *const *)a;
	const struct dns_node *y = *(const struct dns_node *const *)b;
	return dns_name_canon_cmp(x->name, y->name);
}

struct export_walk {
	const struct dns_node **nodes;
	size_t n;
};

static void
export_collect(void *ctx, const struct dns_node *node)
{
	struct export_walk *w = ctx;
	if (node->n_rrsets > 0)
		w->nodes[w->n++] = node;
}

/*
 * A name for the zone file: only the bytes every reader takes bare stay
 * bare (zscanner refuses even '~' unescaped), all others are \DDD (RFC
 * 1035 5.1); '*' stays bare, as the wildcard label must.
 */
static const char *
export_name_text(const uint8_t *name, char out[DNS_NAME_STRLEN])
{
	size_t o = 0;

	if (*name == 0)
		return strcpy(out, ".");
	for (; *name != 0; name += 1 + *name) {
		for (uint8_t k = 1; k <= *name; k++) {
			uint8_t c = name[k];
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '*' || c == '/') {
				out[o++] = (char)c;
			} else {
				snprintf(out + o, 5, "\\%03u", c);
				o += 4;
			}
		}
		out[o++] = '.';
	}
	out[o] = '\0';
	return out;
}

/* A name inside rdata, or NULL when it does not fit. */
static const uint8_t *
export_name(const uint8_t *rd, size_t len, size_t *off)
{
	if (*off >= len)
		return NULL;
	int n = dns_name_wire_len(rd + *off, len - *off);
	if (n < 0)
		return NULL;
	const uint8_t *name = rd + *off;
	*off += (size_t)n;
	return name;
}

static uint32_t
export_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* RFC 1035 5.1 <character-string>: quoted, '"' and '\' escaped, others as \DDD. */
static void
export_string(FILE *f, const uint8_t *p, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\%c", p[i]);
		else if (p[i] < 0x20 || p[i] >= 0x7f)
			fprintf(f, "\\%03u", p[i]);
		else
			fputc(p[i], f);
	}
	fputc('"', f);
}

/*
 * The rdata of one record in its usual presentation form, or false when
 * the type is not one we write that way or the rdata does not parse: then
 * the caller writes the generic form, which every reader takes.
 */
static bool
export_rdata_text(FILE *f, uint16_t type, const uint8_t *rd, size_t len)
{
	char t1[DNS_NAME_STRLEN], t2[DNS_NAME_STRLEN], a[INET6_ADDRSTRLEN];
	const uint8_t *n1, *n2;
	size_t off = 0;

	switch (type) {
	case DNS_T_A:
	case DNS_T_AAAA:
		if (len != (type == DNS_T_A ? 4u : 16u))
			return false;
		fprintf(f, "%s\t%s", type == DNS_T_A ? "A" : "AAAA",
		    inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, rd, a, sizeof(a)));
		return true;
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		if ((n1 = export_name(rd, len, &off)) == NULL || off != len)
			return false;
		fprintf(f, "%s\t%s", type == DNS_T_NS ? "NS" : type == DNS_T_PTR ? "PTR" : "CNAME",
		    export_name_text(n1, t1));
		return true;
	case DNS_T_MX:
		off = 2;
		if (len < 2 || (n1 = export_name(rd, len, &off)) == NULL || off != len)
			return false;
		fprintf(f, "MX\t%u %s", (unsigned)rd[0] << 8 | rd[1], export_name_text(n1, t1));
		return true;
	case DNS_T_SRV:
		off = 6;
		if (len < 6 || (n1 = export_name(rd, len, &off)) == NULL || off != len)
			return false;
		fprintf(f, "SRV\t%u %u %u %s", (unsigned)rd[0] << 8 | rd[1],
		    (unsigned)rd[2] << 8 | rd[3], (unsigned)rd[4] << 8 | rd[5],
		    export_name_text(n1, t1));
		return true;
	case DNS_T_SOA:
		if ((n1 = export_name(rd, len, &off)) == NULL ||
		    (n2 = export_name(rd, len, &off)) == NULL || len - off != 20)
			return false;
		fprintf(f, "SOA\t%s %s %u %u %u %u %u", export_name_text(n1, t1),
		    export_name_text(n2, t2), export_be32(rd + off), export_be32(rd + off + 4),
		    export_be32(rd + off + 8), export_be32(rd + off + 12),
		    export_be32(rd + off + 16));
		return true;
	case DNS_T_TXT:
		/* One or more strings filling the rdata exactly (RFC 1035 3.3.14). */
		if (len == 0)
			return false;
		for (off = 0; off < len; off += 1 + (size_t)rd[off])
			if (off + 1 + rd[off] > len)
				return false;
		fputs("TXT\t", f);
		for (off = 0; off < len; off += 1 + (size_t)rd[off]) {
			if (off > 0)
				fputc(' ', f);
			export_string(f, rd + off + 1, rd[off]);
		}
		return true;
	}
	return false;
}

/* RFC 3597 5: TYPEnnn \# length hex, the hex in words of 32 bytes. */
static void
export_rdata_generic(FILE *f, uint16_t type, const uint8_t *rd, size_t len)
{
	fprintf(f, "TYPE%u\t\\# %zu", type, len);
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%s%02X", i % 32 == 0 ? " " : "", rd[i]);
}

static void
export_rrset(FILE *f, const char *owner, const struct dns_rrset *set)
{
	const uint8_t *p = set->rdata;
	for (uint16_t i = 0; i < set->count; i++) {
		size_t len = (size_t)p[0] << 8 | p[1];
		fprintf(f, "%s\t%u\tIN\t", owner, set->ttl);
		if (!export_rdata_text(f, set->type, p + 2, len))
			export_rdata_generic(f, set->type, p + 2, len);
		fputc('\n', f);
		p += 2 + len;
	}
}

/* The file name: the zone's name in presentation form, '/' escaped as in it. */
static void
export_file_name(const uint8_t *apex, char *out, size_t outlen)
{
	char t[DNS_NAME_STRLEN];
	size_t o = 0;

	dns_name_to_text(apex, t);
	if (strcmp(t, ".") == 0)
		strcpy(t, "root.");
	t[strlen(t) - 1] = '\0';
	for (const char *p = t; *p != '\0' && o + 5 < outlen; p++) {
		if (*p == '/') {
			memcpy(out + o, "\\047", 4);
			o += 4;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

int
dns_export_zone(const struct dns_zone *zone, const char *dir, char *err, size_t errlen)
{
	char fname[4 * DNS_NAME_STRLEN], path[8192];

	if (errlen > 0)
		err[0] = '\0';
	export_file_name(dns_zone_apex(zone), fname, sizeof(fname));
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.zone", dir, fname) >= sizeof(path)) {
		load_err(err, errlen, "%s: directory name too long", dir);
		return -1;
	}
	return dns_export_zone_path(zone, path, err, errlen);
}

int
dns_export_zone_path(const struct dns_zone *zone, const char *path, char *err, size_t errlen)
{
	char tmp[8192 + 16];
	char owner[DNS_NAME_STRLEN], apex_text[DNS_NAME_STRLEN];
	struct export_walk w = { NULL, 0 };
	FILE *f = NULL;
	int fd = -1, ret = -1;

	if (errlen > 0)
		err[0] = '\0';
	if (!dns_zone_available(zone) || dns_zone_soa(zone) == NULL) {
		load_err(err, errlen, "%s: the zone has no data", path);
		return -1;
	}
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp)) {
		load_err(err, errlen, "%s: path too long", path);
		return -1;
	}
	/* Written beside its final name and renamed: a reader sees all or nothing. */
	if ((fd = mkstemp(tmp)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		load_err(err, errlen, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		if (fd >= 0)
			unlink(tmp);
		return -1;
	}
	(void)fchmod(fd, 0644);
	if ((w.nodes = malloc((dns_zone_node_count(zone) + 1) * sizeof(*w.nodes))) == NULL) {
		load_err(err, errlen, "%s: out of memory", path);
		goto out;
	}
	dns_zone_walk(zone, export_collect, &w);
	qsort(w.nodes, w.n, sizeof(*w.nodes), export_qcmp);

	const struct dns_node *apex = dns_zone_apex_node(zone);
	const struct dns_rrset *soa = dns_zone_soa(zone);
	export_name_text(dns_zone_apex(zone), apex_text);
	fprintf(f, "; zone %s, written by riposte-dns\n", apex_text);
	fprintf(f, "$ORIGIN %s\n$TTL %u\n", apex_text, soa->ttl);
	/* RFC 1035 5.2: the SOA first. */
	export_rrset(f, apex_text, soa);
	for (size_t i = 0; i < w.n; i++) {
		const struct dns_node *n = w.nodes[i];
		export_name_text(n->name, owner);
		for (uint16_t k = 0; k < n->n_rrsets; k++)
			if (!(n == apex && n->rrsets[k].type == DNS_T_SOA))
				export_rrset(f, owner, &n->rrsets[k]);
	}
	if (fflush(f) != 0 || ferror(f) || fsync(fd) != 0) {
		load_err(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		load_err(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(w.nodes);
	if (fclose(f) != 0 && ret == 0) {
		load_err(err, errlen, "%s: %s", path, strerror(errno));
		ret = -1;
	}
	if (ret != 0)
		unlink(tmp);
	return ret;
}
