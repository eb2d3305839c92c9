/*
 * conf.c - the riposte-dns config parser and its canonical printer.
 *
 * The input is untrusted bytes with an explicit length.  Lines end at '\n'
 * (a trailing '\r' is dropped, so CRLF files load); a NUL byte, a line over
 * DNSCONF_LINE_MAX bytes or more than DNSCONF_WORDS_MAX words is an error.
 * Each line is copied into a bounded buffer and split into words in place:
 * a word is a run of non-blanks, or "a quoted string" in which \" and \\
 * stand for themselves.  '#' at the start of an unquoted word starts a
 * comment.
 *
 * Statements are rows of one keyword table: the keyword, how many
 * arguments, whether it may repeat, the handler and the usage text that
 * error messages quote.  Numeric ranges are the dnsconf_range constants
 * below; every default is set in dnsconf_init() (and the listen default in
 * dnsconf_listen_default()).  One error rejects the whole file.
 */
#include "conf.h"

#include "../lib/textfile.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DNSCONF_LINE_MAX 4096
#define DNSCONF_WORDS_MAX 16
#define DNSCONF_FILE_MAX (4u * 1024 * 1024)
#define DNSCONF_LISTEN_MAX 64
#define DNSCONF_ZONES_MAX 65536
#define DNSCONF_PATH_MAX 4095

#define DNSCONF_DEFAULT_PORT 53
/*
 * RFC 7766 6.2.3 leaves the numbers to us.  NSD and Knot allow a few
 * hundred connections and close idle ones after ~10 s; so do we.
 */
#define DNSCONF_DEFAULT_TCP_CLIENTS 256
#define DNSCONF_DEFAULT_TCP_IDLE_MS 10000
/* The DNS Flag Day 2020 size: no IP fragmentation on common paths. */
#define DNSCONF_DEFAULT_UDP_SIZE 1232

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

struct dnsconf_word {
	char *s;
	bool quoted;
};

struct dnsconf_parser {
	const char *name;
	const char *basedir;
	unsigned line;
	struct dnsconf *conf;
	unsigned *seen; /* line of the first use of each keyword, 0: unused */
	char *err;
	size_t errlen;
};

struct dnsconf_kw;
typedef int dnsconf_handler(struct dnsconf_parser *, const struct dnsconf_kw *, int,
    struct dnsconf_word *);

struct dnsconf_kw {
	const char *name;
	int min_args;
	int max_args;
	bool repeat;
	dnsconf_handler *handler;
	const char *usage;
};

struct dnsconf_range {
	const char *what;
	uint32_t min;
	uint32_t max;
};

static const struct dnsconf_range range_workers = { "workers", 1, 1024 };
static const struct dnsconf_range range_tcp_clients = { "tcp-clients", 1, 65536 };
/* From a test's 1 ms to an hour; RFC 7766 6.2.3 suggests seconds. */
static const struct dnsconf_range range_tcp_idle = { "tcp-idle-timeout", 1, 3600000 };
/* RFC 6891 6.2.5: below 512 means 512; above 4096 only fragments. */
static const struct dnsconf_range range_udp_size = { "udp-size", 512, 4096 };
static const struct dnsconf_range range_port = { "listen port", 1, 65535 };

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
	conf->workers = 0; /* one per CPU */
	conf->tcp_clients = DNSCONF_DEFAULT_TCP_CLIENTS;
	conf->tcp_idle_ms = DNSCONF_DEFAULT_TCP_IDLE_MS;
	conf->udp_size = DNSCONF_DEFAULT_UDP_SIZE;
}

void
dnsconf_free(struct dnsconf *conf)
{
	if (conf == NULL)
		return;
	for (size_t i = 0; i < conf->n_zones; i++) {
		free(conf->zones[i].name);
		free(conf->zones[i].path);
	}
	free(conf->zones);
	free(conf->listen);
	free(conf->pidfile);
	dnsconf_init(conf);
}

static int
dnsconf_err(struct dnsconf_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
dnsconf_err(struct dnsconf_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	textfile_vfail(p->err, p->errlen, p->name, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

static int
dnsconf_usage(struct dnsconf_parser *p, const struct dnsconf_kw *kw, const char *what)
{
	return dnsconf_err(p, "%s: %s (usage: %s)", kw->name, what, kw->usage);
}

/* A decimal number; no sign, no blanks, no hex.  0, or -1 when not a number. */
static int
dnsconf_digits(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	/* Saturated: anything above UINT32_MAX is out of every range. */
	*out = v > UINT32_MAX ? (uint64_t)UINT32_MAX + 1 : v;
	return 0;
}

static int
dnsconf_uint(struct dnsconf_parser *p, const char *word, const struct dnsconf_range *r,
    uint32_t *out)
{
	uint64_t v;

	if (dnsconf_digits(word, strlen(word), &v) != 0)
		return dnsconf_err(p, "%s: '%s' is not a number", r->what, word);
	if (v < r->min || v > r->max)
		return dnsconf_err(p, "%s: %s out of range %u..%u", r->what, word, r->min,
		    r->max);
	*out = (uint32_t)v;
	return 0;
}

/* N, Nms, Ns or Nm, in milliseconds; a bare number is seconds. */
static int
dnsconf_duration(struct dnsconf_parser *p, const char *word, const struct dnsconf_range *r,
    uint32_t *out_ms)
{
	size_t n = strspn(word, "0123456789");
	const char *unit = word + n;
	uint64_t v, mult;

	if (strcmp(unit, "ms") == 0)
		mult = 1;
	else if (strcmp(unit, "s") == 0 || *unit == '\0')
		mult = 1000;
	else if (strcmp(unit, "m") == 0)
		mult = 60000;
	else
		mult = 0;
	if (mult == 0 || dnsconf_digits(word, n, &v) != 0)
		return dnsconf_err(p, "%s: invalid duration '%s' (N followed by ms, s or m)",
		    r->what, word);
	v *= mult;
	if (v < r->min || v > r->max)
		return dnsconf_err(p, "%s: %s out of range %ums..%us", r->what, word, r->min,
		    r->max / 1000);
	*out_ms = (uint32_t)v;
	return 0;
}

/* Printable ASCII and blanks only: TXT, NSID and log lines stay readable. */
static int
dnsconf_text(struct dnsconf_parser *p, const char *what, const char *word, char *out,
    size_t cap)
{
	size_t len = strlen(word);

	if (len == 0)
		return dnsconf_err(p, "%s: empty text", what);
	if (len >= cap)
		return dnsconf_err(p, "%s: longer than %zu bytes", what, cap - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)word[i] < 0x20 || (unsigned char)word[i] > 0x7e)
			return dnsconf_err(p, "%s: only printable ASCII is allowed", what);
	memcpy(out, word, len + 1);
	return 0;
}

/* A path, joined to the config file's directory when relative. */
static int
dnsconf_path(struct dnsconf_parser *p, const char *what, const char *word, char **out)
{
	size_t len = strlen(word);
	char *s;

	if (len == 0)
		return dnsconf_err(p, "%s: empty path", what);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)word[i] < 0x20 || (unsigned char)word[i] == 0x7f)
			return dnsconf_err(p, "%s: control character in path", what);
	if (word[0] == '/' || p->basedir == NULL) {
		s = strdup(word);
	} else {
		size_t blen = strlen(p->basedir);
		s = malloc(blen + 1 + len + 1);
		if (s != NULL) {
			memcpy(s, p->basedir, blen);
			s[blen] = '/';
			memcpy(s + blen + 1, word, len + 1);
		}
	}
	if (s == NULL)
		return dnsconf_err(p, "out of memory");
	if (strlen(s) > DNSCONF_PATH_MAX) {
		free(s);
		return dnsconf_err(p, "%s: path longer than %d bytes", what, DNSCONF_PATH_MAX);
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
dnsconf_listen_add(struct dnsconf_parser *p, const struct dnsconf_listen *l)
{
	struct dnsconf *conf = p->conf;
	struct dnsconf_listen *a;
	char buf[DNSCONF_LISTEN_STRLEN];

	for (size_t i = 0; i < conf->n_listen; i++)
		if (dnsconf_listen_equal(&conf->listen[i], l))
			return dnsconf_err(p, "listen: %s given twice (first at line %u)",
			    dnsconf_listen_str(l, buf), conf->listen[i].line);
	if (conf->n_listen >= DNSCONF_LISTEN_MAX)
		return dnsconf_err(p, "listen: too many addresses (max %d)", DNSCONF_LISTEN_MAX);
	a = realloc(conf->listen, (conf->n_listen + 1) * sizeof(*a));
	if (a == NULL)
		return dnsconf_err(p, "out of memory");
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

/* ADDRESS[@PORT]: IPv4, IPv6 with or without [brackets], or "*" for both wildcards. */
static int
h_listen(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	char *w = argv[0].s, *addr, *port = NULL;
	struct dnsconf_listen l;
	uint32_t pv = DNSCONF_DEFAULT_PORT;
	bool bracket = false;

	if (w[0] == '[') {
		char *close = strchr(w, ']');
		if (close == NULL)
			return dnsconf_err(p, "listen: missing ']' in '%s'", w);
		if (close[1] != '\0' && close[1] != '@')
			return dnsconf_err(p, "listen: unexpected '%s' after ']' (usage: %s)",
			    close + 1, kw->usage);
		if (close[1] == '@')
			port = close + 2;
		*close = '\0';
		addr = w + 1;
		bracket = true;
	} else {
		char *at = strrchr(w, '@');
		addr = w;
		if (at != NULL) {
			*at = '\0';
			port = at + 1;
		}
	}
	if (port != NULL && dnsconf_uint(p, port, &range_port, &pv) != 0)
		return -1;

	memset(&l, 0, sizeof(l));
	l.port = (uint16_t)pv;
	l.line = p->line;
	l.wildcard = true;
	if (!bracket && strcmp(addr, "*") == 0) {
		l.family = AF_INET;
		if (dnsconf_listen_add(p, &l) != 0)
			return -1;
		l.family = AF_INET6;
		l.addr.v6 = in6addr_any;
		return dnsconf_listen_add(p, &l);
	}
	if (!bracket && inet_pton(AF_INET, addr, &l.addr.v4) == 1) {
		l.family = AF_INET;
		l.wildcard = l.addr.v4.s_addr == htonl(INADDR_ANY);
	} else if (inet_pton(AF_INET6, addr, &l.addr.v6) == 1) {
		l.family = AF_INET6;
		l.wildcard = IN6_IS_ADDR_UNSPECIFIED(&l.addr.v6);
	} else {
		return dnsconf_err(p, "listen: invalid address '%s' (IPv4, IPv6 or *)", addr);
	}
	return dnsconf_listen_add(p, &l);
}

static int
h_zone(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	static const uint8_t root[1] = { 0 };
	struct dnsconf *conf = p->conf;
	struct dnsconf_zone z, *a;
	uint8_t wire[DNS_NAME_MAX];
	char text[DNS_NAME_STRLEN];
	int len;

	memset(&z, 0, sizeof(z));
	/* Zone names are absolute whether or not they end in a dot. */
	len = dns_name_from_text(wire, argv[0].s, root);
	if (len < 0)
		return dnsconf_err(p, "zone: invalid name '%s'", argv[0].s);
	dns_name_lower(z.apex, wire);
	dns_name_to_text(z.apex, text);
	if (strcmp(argv[1].s, "file") == 0)
		z.kind = DNSCONF_ZONE_FILE;
	else if (strcmp(argv[1].s, "hosts") == 0)
		z.kind = DNSCONF_ZONE_HOSTS;
	else
		return dnsconf_usage(p, kw, "the source must be 'file' or 'hosts'");
	for (size_t i = 0; i < conf->n_zones; i++)
		if (dns_name_equal(conf->zones[i].apex, z.apex))
			return dnsconf_err(p, "zone %s: already defined at line %u", text,
			    conf->zones[i].line);
	if (conf->n_zones >= DNSCONF_ZONES_MAX)
		return dnsconf_err(p, "zone: too many zones (max %d)", DNSCONF_ZONES_MAX);
	z.line = p->line;
	if (dnsconf_path(p, "zone", argv[2].s, &z.path) != 0)
		return -1;
	if ((z.name = strdup(text)) == NULL) {
		free(z.path);
		return dnsconf_err(p, "out of memory");
	}
	a = realloc(conf->zones, (conf->n_zones + 1) * sizeof(*a));
	if (a == NULL) {
		free(z.name);
		free(z.path);
		return dnsconf_err(p, "out of memory");
	}
	a[conf->n_zones++] = z;
	conf->zones = a;
	return 0;
}

static int
h_identity(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	return dnsconf_text(p, "identity", argv[0].s, p->conf->identity,
	    sizeof(p->conf->identity));
}

static int
h_version(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	/* `version "hide"` is the text hide; the bare word hides. */
	if (!argv[0].quoted && strcmp(argv[0].s, "hide") == 0) {
		p->conf->version_hide = true;
		p->conf->version[0] = '\0';
		return 0;
	}
	p->conf->version_hide = false;
	return dnsconf_text(p, "version", argv[0].s, p->conf->version,
	    sizeof(p->conf->version));
}

/* POSIX portable user names, which is what useradd accepts by default. */
static int
h_user(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	const char *w = argv[0].s;
	size_t len = strlen(w);

	if (len == 0 || len > DNSCONF_USER_MAX || w[0] == '-' ||
	    strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != len)
		return dnsconf_err(p, "user: invalid user name '%s'", w);
	memcpy(p->conf->user, w, len + 1);
	return 0;
}

static int
h_pidfile(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	return dnsconf_path(p, "pidfile", argv[0].s, &p->conf->pidfile);
}

static int
h_workers(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	uint32_t v = 0;

	if (!argv[0].quoted && strcmp(argv[0].s, "auto") == 0) {
		p->conf->workers = 0;
		return 0;
	}
	if (dnsconf_uint(p, argv[0].s, &range_workers, &v) != 0)
		return -1;
	p->conf->workers = v;
	return 0;
}

static int
h_tcp_clients(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	uint32_t v = 0;

	if (dnsconf_uint(p, argv[0].s, &range_tcp_clients, &v) != 0)
		return -1;
	p->conf->tcp_clients = v;
	return 0;
}

static int
h_tcp_idle(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	uint32_t v = 0;

	if (dnsconf_duration(p, argv[0].s, &range_tcp_idle, &v) != 0)
		return -1;
	p->conf->tcp_idle_ms = v;
	return 0;
}

static int
h_udp_size(struct dnsconf_parser *p, const struct dnsconf_kw *kw, int argc,
    struct dnsconf_word *argv)
{
	uint32_t v = 0;

	if (dnsconf_uint(p, argv[0].s, &range_udp_size, &v) != 0)
		return -1;
	p->conf->udp_size = (uint16_t)v;
	return 0;
}

static const struct dnsconf_kw dnsconf_kws[] = {
	{ "listen", 1, 1, true, h_listen, "listen ADDRESS[@PORT]" },
	{ "zone", 3, 3, true, h_zone, "zone NAME file|hosts PATH" },
	{ "identity", 1, 1, false, h_identity, "identity TEXT" },
	{ "version", 1, 1, false, h_version, "version TEXT|hide" },
	{ "user", 1, 1, false, h_user, "user NAME" },
	{ "pidfile", 1, 1, false, h_pidfile, "pidfile PATH" },
	{ "workers", 1, 1, false, h_workers, "workers N|auto" },
	{ "tcp-clients", 1, 1, false, h_tcp_clients, "tcp-clients N" },
	{ "tcp-idle-timeout", 1, 1, false, h_tcp_idle, "tcp-idle-timeout N[ms|s|m]" },
	{ "udp-size", 1, 1, false, h_udp_size, "udp-size N" },
};

/* ---- lexer ---- */

/*
 * Split line (NUL-terminated, modified in place) into words.  Returns the
 * number of words, or -1 with the error set.
 */
static int
dnsconf_split(struct dnsconf_parser *p, char *line, struct dnsconf_word *w)
{
	char *s = line;
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			return n;
		if (n == DNSCONF_WORDS_MAX)
			return dnsconf_err(p, "too many words (max %d)", DNSCONF_WORDS_MAX);
		if (*s != '"') {
			w[n].s = s;
			w[n].quoted = false;
			n++;
			while (*s != '\0' && *s != ' ' && *s != '\t')
				s++;
			if (*s != '\0')
				*s++ = '\0';
			continue;
		}
		/* Quoted: unescape in place; the text only shrinks. */
		char *out = ++s;
		w[n].s = out;
		w[n].quoted = true;
		n++;
		for (;;) {
			if (*s == '\0')
				return dnsconf_err(p, "missing closing quote");
			if (*s == '"')
				break;
			if (*s == '\\') {
				if (s[1] != '"' && s[1] != '\\')
					return dnsconf_err(p, "invalid escape in quoted text "
					    "(only \\\" and \\\\)");
				s++;
			}
			*out++ = *s++;
		}
		s++;
		if (*s != '\0' && *s != ' ' && *s != '\t')
			return dnsconf_err(p, "text after closing quote");
		*out = '\0';
	}
}

static int
dnsconf_statement(struct dnsconf_parser *p, char *line)
{
	struct dnsconf_word w[DNSCONF_WORDS_MAX];
	const struct dnsconf_kw *kw = NULL;
	size_t k;
	int n;

	if ((n = dnsconf_split(p, line, w)) <= 0)
		return n;
	for (k = 0; k < nitems(dnsconf_kws); k++) {
		if (strcmp(w[0].s, dnsconf_kws[k].name) == 0 && !w[0].quoted) {
			kw = &dnsconf_kws[k];
			break;
		}
	}
	if (kw == NULL)
		return dnsconf_err(p, "unknown statement '%s'", w[0].s);
	if (n - 1 < kw->min_args || n - 1 > kw->max_args)
		return dnsconf_usage(p, kw, n - 1 < kw->min_args ? "missing argument" :
		    "too many arguments");
	if (!kw->repeat && p->seen[k] != 0)
		return dnsconf_err(p, "%s: already set at line %u", kw->name, p->seen[k]);
	if (p->seen[k] == 0)
		p->seen[k] = p->line;
	return kw->handler(p, kw, n - 1, w + 1);
}

int
dnsconf_parse_buf(const char *name, const char *basedir, const char *buf, size_t len,
    struct dnsconf *conf, char *err, size_t errlen)
{
	unsigned seen[nitems(dnsconf_kws)];
	struct dnsconf_parser p;
	char line[DNSCONF_LINE_MAX + 1];
	size_t pos = 0;

	dnsconf_init(conf);
	memset(seen, 0, sizeof(seen));
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.basedir = basedir;
	p.conf = conf;
	p.seen = seen;
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';

	while (pos < len) {
		const char *start = buf + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - start) : len - pos;

		pos += llen + (nl != NULL);
		p.line++;
		if (llen > 0 && start[llen - 1] == '\r')
			llen--;
		if (llen > DNSCONF_LINE_MAX) {
			dnsconf_err(&p, "line too long (max %d bytes)", DNSCONF_LINE_MAX);
			goto fail;
		}
		if (memchr(start, '\0', llen) != NULL) {
			dnsconf_err(&p, "NUL byte in line");
			goto fail;
		}
		memcpy(line, start, llen);
		line[llen] = '\0';
		if (dnsconf_statement(&p, line) != 0)
			goto fail;
	}
	if (conf->n_listen == 0 && dnsconf_listen_default(conf) != 0) {
		dnsconf_err(&p, "out of memory");
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
	if (textfile_read(real, DNSCONF_FILE_MAX, &buf, &len, NULL, 0) != 0) {
		/* The message names the path as the user gave it. */
		if (errno == EFBIG)
			snprintf(err, errlen, "%s: file too large (max %u bytes)", path,
			    DNSCONF_FILE_MAX);
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

static void
dnsconf_print_word(FILE *out, const char *s, bool force_quote)
{
	if (!force_quote && s[0] != '\0' && strpbrk(s, " \t#\"\\") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void
dnsconf_print(FILE *out, const struct dnsconf *conf)
{
	char buf[DNSCONF_LISTEN_STRLEN];

	for (size_t i = 0; i < conf->n_listen; i++)
		fprintf(out, "listen %s\n", dnsconf_listen_str(&conf->listen[i], buf));
	for (size_t i = 0; i < conf->n_zones; i++) {
		const struct dnsconf_zone *z = &conf->zones[i];
		fputs("zone ", out);
		dnsconf_print_word(out, z->name, false);
		fprintf(out, " %s ", z->kind == DNSCONF_ZONE_FILE ? "file" : "hosts");
		dnsconf_print_word(out, z->path, false);
		fputc('\n', out);
	}
	fputs("identity ", out);
	dnsconf_print_word(out, conf->identity, false);
	fputc('\n', out);
	if (conf->version_hide) {
		fputs("version hide\n", out);
	} else {
		fputs("version ", out);
		dnsconf_print_word(out, conf->version, strcmp(conf->version, "hide") == 0);
		fputc('\n', out);
	}
	if (conf->user[0] != '\0')
		fprintf(out, "user %s\n", conf->user);
	if (conf->pidfile != NULL) {
		fputs("pidfile ", out);
		dnsconf_print_word(out, conf->pidfile, false);
		fputc('\n', out);
	}
	if (conf->workers == 0)
		fputs("workers auto\n", out);
	else
		fprintf(out, "workers %u\n", conf->workers);
	fprintf(out, "tcp-clients %u\n", conf->tcp_clients);
	if (conf->tcp_idle_ms % 1000 == 0)
		fprintf(out, "tcp-idle-timeout %us\n", conf->tcp_idle_ms / 1000);
	else
		fprintf(out, "tcp-idle-timeout %ums\n", conf->tcp_idle_ms);
	fprintf(out, "udp-size %u\n", conf->udp_size);
}
