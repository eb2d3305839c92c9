/*
 * conf.c - the configuration of the health checks: the words of a `check`
 * line (check_conf_parse() and its canonical form, check_conf_format();
 * the syntax is in check.h).  Pure: no sockets, no loop.  The names,
 * types and rcodes of the dns check are src/dnsmsg's.
 *
 * The check parsing keeps to functions with the check_ prefix (and static
 * helpers), so the service block's configuration can join this file.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dnsmsg/dnsmsg.h"
#include "health/check.h"

#define CHECK_LINE_MAX		1024
/* "exec" or the kind, and the words of a dns, tcp or process check, and one to see more. */
#define CHECK_WORDS_MAX		8

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static int	 check_err(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
check_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Digits only, no sign, at most `max`; -1 otherwise. */
static long
parse_uint(const char *s, long max)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

static int
parse_port(const char *s, uint16_t *port)
{
	long v;

	if ((v = parse_uint(s, 65535)) < 1)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* Fill sa from a numeric address; af 0 tries both families. */
static int
set_addr(struct check_conf *c, const char *host, int af, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&c->sa;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&c->sa;

	memset(&c->sa, 0, sizeof(c->sa));
	if (af != AF_INET6 && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		c->salen = sizeof(*sin);
		return 0;
	}
	memset(&c->sa, 0, sizeof(c->sa));
	if (af != AF_INET && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		c->salen = sizeof(*sin6);
		return 0;
	}
	memset(&c->sa, 0, sizeof(c->sa));
	return -1;
}

/* ADDRESS[@PORT], [IPV6][@PORT] */
static int
parse_dns_addr(char *s, struct check_conf *c, char *err, size_t errlen)
{
	char word[CHECK_LINE_MAX];
	char *host = s, *port = NULL, *p;
	uint16_t pn = 53;
	int af = 0;

	snprintf(word, sizeof(word), "%s", s);
	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL)
			return check_err(err, errlen,
			    "check dns: missing ']' in '%s'", word);
		if (p[1] != '\0' && p[1] != '@')
			return check_err(err, errlen,
			    "check dns: unexpected '%s' after ']' in '%s'",
			    p + 1, word);
		*p = '\0';
		host = s + 1;
		if (p[1] == '@')
			port = p + 2;
		af = AF_INET6;
	} else if ((p = strrchr(s, '@')) != NULL) {
		*p = '\0';
		port = p + 1;
	}
	if (port != NULL && parse_port(port, &pn) == -1)
		return check_err(err, errlen,
		    "check dns: bad port '%s' in '%s' (1..65535)", port, word);
	if (set_addr(c, host, af, pn) == -1)
		return check_err(err, errlen, af == AF_INET6 ?
		    "check dns: '%s' is not an IPv6 address" :
		    "check dns: '%s' is not an IPv4 or IPv6 address", host);
	return 0;
}

/* ADDRESS:PORT, [IPV6]:PORT */
static int
parse_tcp_addr(char *s, struct check_conf *c, char *err, size_t errlen)
{
	char word[CHECK_LINE_MAX];
	char *host = s, *p;
	uint16_t pn;
	int af = AF_INET;

	snprintf(word, sizeof(word), "%s", s);
	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL)
			return check_err(err, errlen,
			    "check tcp: missing ']' in '%s'", word);
		if (p[1] == '\0')
			return check_err(err, errlen,
			    "check tcp: missing port in '%s' ([IPV6]:PORT)", word);
		if (p[1] != ':')
			return check_err(err, errlen,
			    "check tcp: unexpected '%s' after ']' in '%s'",
			    p + 1, word);
		*p = '\0';
		host = s + 1;
		p++;
		af = AF_INET6;
	} else if ((p = strchr(s, ':')) == NULL) {
		return check_err(err, errlen,
		    "check tcp: missing port in '%s' (ADDRESS:PORT)", word);
	} else if (strchr(p + 1, ':') != NULL) {
		/* "::1:53" cannot be split; brackets say where the port is. */
		return check_err(err, errlen,
		    "check tcp: IPv6 address in '%s' needs brackets ([IPV6]:PORT)",
		    word);
	}
	*p = '\0';
	if (parse_port(p + 1, &pn) == -1)
		return check_err(err, errlen,
		    "check tcp: bad port '%s' in '%s' (1..65535)", p + 1, word);
	if (set_addr(c, host, af, pn) == -1)
		return check_err(err, errlen, af == AF_INET6 ?
		    "check tcp: '%s' is not an IPv6 address" :
		    "check tcp: '%s' is not an IPv4 address", host);
	return 0;
}

/*
 * A domain name in presentation form without escapes: labels of 1..63
 * printable characters, at most 253 characters without the trailing dot
 * (255 octets on the wire, RFC 1035 2.3.4).  Stored without the dot, except
 * the root ".".  Escapes are refused here (not by dnsmsg) so that the name
 * reads the same in the config, the logs and on the wire.
 */
static int
parse_qname(const char *s, char *out, char *err, size_t errlen)
{
	static const uint8_t root[1] = { 0 };
	uint8_t wire[DNSMSG_NAME_MAX];
	const char *why = NULL;
	size_t len = strlen(s), i;
	int n;

	for (i = 0; i < len && why == NULL; i++) {
		if (s[i] == '\\')
			why = "escapes are not supported";
		else if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			why = "unprintable character";
	}
	if (why == NULL && (n = dnsmsg_name_from_text(wire, s, root)) < 0) {
		switch (n) {
		case DNSMSG_E_LABEL_LONG:
			why = "label longer than 63 characters";
			break;
		case DNSMSG_E_NAME_LONG:
			why = "longer than 253 characters";
			break;
		default:
			why = "empty label";
			break;
		}
	}
	if (why != NULL)
		return check_err(err, errlen,
		    "check dns: '%s' is not a domain name (%s)", s, why);
	if (strcmp(s, ".") != 0 && s[len - 1] == '.')
		len--;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* A mnemonic or TYPEnnn (RFC 3597 5), not TYPE0. */
static int
parse_qtype(const char *s, uint16_t *type)
{
	uint16_t v;

	if (dnsmsg_type_parse(s, &v) != 0 || v == 0)
		return -1;
	*type = v;
	return 0;
}

/*
 * A mnemonic, RCODEnnn or a number, up to 15: no EDNS is sent, so the
 * reply's rcode is the header's 4 bits (RFC 6891 6.1.3).
 */
static int
parse_rcode(const char *s, int *rcode)
{
	unsigned v;
	long n;

	if (strcasecmp(s, "any") == 0) {
		*rcode = -1;
		return 0;
	}
	if (dnsmsg_rcode_parse(s, &v) == 0) {
		if (v > 15)
			return -1;
		*rcode = (int)v;
		return 0;
	}
	if ((n = parse_uint(s, 15)) < 0)
		return -1;
	*rcode = (int)n;
	return 0;
}

/* "any", or the rcode's name (dnsmsg's table). */
static void
fmt_rcode(char *buf, size_t len, int rcode)
{
	char tmp[DNSMSG_RCODE_STRLEN];

	if (rcode < 0)
		snprintf(buf, len, "any");
	else
		snprintf(buf, len, "%s", dnsmsg_rcode_name((unsigned)rcode, tmp));
}

#define DNS_USAGE	"dns ADDRESS[@PORT] NAME [TYPE] [expect rcode RCODE|any]"

static int
parse_dns(char **w, size_t n, struct check_conf *c, char *err, size_t errlen)
{
	size_t i = 3;

	if (n < 2)
		return check_err(err, errlen, "check dns: missing ADDRESS (%s)",
		    DNS_USAGE);
	if (parse_dns_addr(w[1], c, err, errlen) == -1)
		return -1;
	if (n < 3)
		return check_err(err, errlen, "check dns: missing NAME (%s)",
		    DNS_USAGE);
	if (parse_qname(w[2], c->qname, err, errlen) == -1)
		return -1;
	c->qtype = DNSMSG_T_A;
	c->expect_rcode = DNSMSG_RCODE_NOERROR;
	if (i < n && strcmp(w[i], "expect") != 0) {
		if (parse_qtype(w[i], &c->qtype) == -1)
			return check_err(err, errlen, "check dns: unknown type '%s' "
			    "(A, AAAA, NS, SOA, MX, TXT, CNAME, PTR, SRV, ANY or "
			    "TYPEnnn)", w[i]);
		i++;
	}
	if (i < n) {
		if (strcmp(w[i], "expect") != 0)
			return check_err(err, errlen, "check dns: unexpected '%s' "
			    "after TYPE (expect rcode RCODE|any)", w[i]);
		if (i + 1 >= n || strcmp(w[i + 1], "rcode") != 0)
			return check_err(err, errlen, "check dns: 'expect' must be "
			    "followed by 'rcode RCODE|any'");
		if (i + 2 >= n)
			return check_err(err, errlen,
			    "check dns: missing RCODE after 'expect rcode'");
		if (parse_rcode(w[i + 2], &c->expect_rcode) == -1)
			return check_err(err, errlen, "check dns: unknown rcode "
			    "'%s' (NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, "
			    "REFUSED, 0..15 or any)", w[i + 2]);
		i += 3;
	}
	if (i < n)
		return check_err(err, errlen,
		    "check dns: unexpected '%s' after the rcode", w[i]);
	return 0;
}

static int
parse_tcp(char **w, size_t n, struct check_conf *c, char *err, size_t errlen)
{
	if (n < 2)
		return check_err(err, errlen,
		    "check tcp: missing ADDRESS:PORT (tcp ADDRESS:PORT or "
		    "tcp [IPV6]:PORT)");
	if (parse_tcp_addr(w[1], c, err, errlen) == -1)
		return -1;
	if (n > 2)
		return check_err(err, errlen,
		    "check tcp: unexpected '%s' after ADDRESS:PORT", w[2]);
	return 0;
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\v' || ch == '\f';
}

/*
 * The exec words, shell-like (check.h): blanks separate words outside
 * quotes; "..." keeps all but \" and \\; '...' keeps all; \X outside
 * quotes is X; an unquoted # or ! at the start of a word is a comment.
 * The words go into out one after another, each with its NUL (out has
 * room for all of s: unquoting never lengthens); *outlen is what they
 * take.  Returns the number of words, or -1 with the message.
 */
static int
exec_split(const char *s, char *out, size_t *outlen, char *err, size_t errlen)
{
	size_t o = 0;
	int n = 0;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0' || *s == '#' || *s == '!')
			break;
		/* One word: pieces until an unquoted blank. */
		while (*s != '\0' && !is_blank(*s)) {
			if (*s == '\'') {
				for (s++; *s != '\'' && *s != '\0'; s++)
					out[o++] = *s;
				if (*s == '\0')
					return check_err(err, errlen,
					    "check exec: unterminated single quote");
				s++;
			} else if (*s == '"') {
				for (s++; *s != '"' && *s != '\0'; s++) {
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					out[o++] = *s;
				}
				if (*s == '\0')
					return check_err(err, errlen,
					    "check exec: unterminated double quote");
				s++;
			} else if (*s == '\\') {
				if (s[1] == '\0')
					return check_err(err, errlen,
					    "check exec: backslash at the end of the line");
				out[o++] = s[1];
				s += 2;
			} else {
				out[o++] = *s++;
			}
		}
		out[o++] = '\0';
		n++;
	}
	*outlen = o;
	return n;
}

static int
parse_exec(const char *rest, struct check_conf *c, char *err, size_t errlen)
{
	char words[CHECK_LINE_MAX];
	size_t len = 0;
	int n;

	if ((n = exec_split(rest, words, &len, err, errlen)) == -1)
		return -1;
	if (n == 0)
		return check_err(err, errlen,
		    "check exec: missing PATH (exec /ABS/PATH [ARG...])");
	if (words[0] != '/')
		return check_err(err, errlen,
		    "check exec: '%s' is not an absolute path", words);
	if (n > CHECK_MAX_ARGS)
		return check_err(err, errlen,
		    "check exec: more than %d words (PATH and ARGs)",
		    CHECK_MAX_ARGS);
	/* The words and one separator each: a NUL here, a blank when written. */
	if (len > sizeof(c->args))
		return check_err(err, errlen,
		    "check exec: command longer than %d characters",
		    CHECK_CMD_MAX - 1);
	memcpy(c->args, words, len);
	c->argc = (unsigned)n;
	return 0;
}

unsigned
check_conf_argv(const struct check_conf *c, const char *argv[CHECK_MAX_ARGS + 1])
{
	const char *p = c->args;
	unsigned i;

	if (c->kind != CHECK_EXEC) {
		argv[0] = NULL;
		return 0;
	}
	for (i = 0; i < c->argc && i < CHECK_MAX_ARGS; i++) {
		argv[i] = p;
		p += strlen(p) + 1;
	}
	argv[i] = NULL;
	return i;
}

static int
parse_process(char **w, size_t n, struct check_conf *c, char *err,
    size_t errlen)
{
	if (n < 2)
		return check_err(err, errlen,
		    "check process: missing PIDFILE (process /ABS/PIDFILE)");
	if (w[1][0] != '/')
		return check_err(err, errlen,
		    "check process: '%s' is not an absolute path", w[1]);
	if (strlen(w[1]) >= sizeof(c->path))
		return check_err(err, errlen,
		    "check process: path longer than %d characters",
		    CHECK_PATH_MAX - 1);
	if (n > 2)
		return check_err(err, errlen,
		    "check process: unexpected '%s' after PIDFILE", w[2]);
	snprintf(c->path, sizeof(c->path), "%s", w[1]);
	return 0;
}

/*
 * The words of a dns, tcp or process check (blanks only, no quoting), up
 * to a comment; *more when there were more than fit.
 */
static size_t
split_words(char *p, char **w, size_t max, bool *more)
{
	size_t n = 0;

	*more = false;
	for (;;) {
		while (is_blank(*p))
			*p++ = '\0';
		if (*p == '\0' || *p == '#' || *p == '!')
			break;
		if (n < max)
			w[n++] = p;
		else
			*more = true;
		while (*p != '\0' && !is_blank(*p))
			p++;
	}
	*p = '\0';
	return n;
}

int
check_conf_parse(const char *args, struct check_conf *c, char *err,
    size_t errlen)
{
	char line[CHECK_LINE_MAX], fmt[CHECK_LINE_MAX + 1], *w[CHECK_WORDS_MAX], *p;
	struct check_conf nc;
	size_t n;
	bool more;
	int rc;

	if (args == NULL)
		args = "";
	if (strlen(args) >= sizeof(line))
		return check_err(err, errlen,
		    "check: longer than %d characters", CHECK_LINE_MAX - 1);
	snprintf(line, sizeof(line), "%s", args);
	/* The kind is the first word; how the rest splits depends on it. */
	for (p = line; is_blank(*p); p++)
		;
	if (*p == '\0' || *p == '#' || *p == '!')
		return check_err(err, errlen,
		    "missing check type (dns, tcp, exec, process)");

	/* Zeroed, so that two parses of the same words compare equal. */
	memset(&nc, 0, sizeof(nc));
	if (strncmp(p, "exec", 4) == 0 && (p[4] == '\0' || is_blank(p[4]))) {
		nc.kind = CHECK_EXEC;
		rc = parse_exec(p + 4, &nc, err, errlen);
		if (rc == 0) {
			/* Quoting may lengthen the words: they must fit a line again. */
			check_conf_format(&nc, fmt, sizeof(fmt));
			if (strlen(fmt) > CHECK_FORMAT_MAX)
				rc = check_err(err, errlen, "check exec: longer than %d "
				    "characters when written back quoted",
				    CHECK_FORMAT_MAX);
		}
		goto done;
	}
	n = split_words(p, w, NITEMS(w), &more);
	if (strcmp(w[0], "dns") == 0) {
		nc.kind = CHECK_DNS;
		rc = parse_dns(w, n, &nc, err, errlen);
	} else if (strcmp(w[0], "tcp") == 0) {
		nc.kind = CHECK_TCP;
		rc = parse_tcp(w, n, &nc, err, errlen);
	} else if (strcmp(w[0], "process") == 0) {
		nc.kind = CHECK_PROCESS;
		rc = parse_process(w, n, &nc, err, errlen);
	} else {
		rc = check_err(err, errlen,
		    "unknown check type '%s' (dns, tcp, exec, process)", w[0]);
	}
done:
	if (rc == -1)
		return -1;
	memcpy(c, &nc, sizeof(*c));
	return 0;
}

/* The address, and the port when `port` (IPv6 then in brackets). */
static void
fmt_addr(char *buf, size_t len, const struct check_conf *c, bool with_port,
    char sep)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&c->sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&c->sa;
	char a[INET6_ADDRSTRLEN];

	if (c->sa.ss_family == AF_INET) {
		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		if (with_port)
			snprintf(buf, len, "%s%c%u", a, sep, ntohs(sin->sin_port));
		else
			snprintf(buf, len, "%s", a);
	} else if (c->sa.ss_family == AF_INET6) {
		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		if (with_port)
			snprintf(buf, len, "[%s]%c%u", a, sep,
			    ntohs(sin6->sin6_port));
		else
			snprintf(buf, len, "%s", a);
	} else {
		snprintf(buf, len, "?");
	}
}

static uint16_t
conf_port(const struct check_conf *c)
{
	if (c->sa.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&c->sa)->sin_port);
	if (c->sa.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&c->sa)->sin6_port);
	return 0;
}

/* Does the word need quotes to read back as one word, as it is? */
static bool
word_plain(const char *s)
{
	if (*s == '\0' || *s == '#' || *s == '!')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("/._-+=:,@%^~", *s) != NULL))
			return false;
	return true;
}

/* Append to buf[*o..len), cut (always terminated) when it does not fit. */
static void
put_ch(char *buf, size_t len, size_t *o, char ch)
{
	if (*o + 1 < len) {
		buf[(*o)++] = ch;
		buf[*o] = '\0';
	}
}

/* The word quoted so that exec_split() gives it back: plain, '...' or "...". */
static void
put_word(char *buf, size_t len, size_t *o, const char *s)
{
	if (word_plain(s)) {
		for (; *s != '\0'; s++)
			put_ch(buf, len, o, *s);
	} else if (strchr(s, '\'') == NULL) {
		put_ch(buf, len, o, '\'');
		for (; *s != '\0'; s++)
			put_ch(buf, len, o, *s);
		put_ch(buf, len, o, '\'');
	} else {
		put_ch(buf, len, o, '"');
		for (; *s != '\0'; s++) {
			if (*s == '"' || *s == '\\')
				put_ch(buf, len, o, '\\');
			put_ch(buf, len, o, *s);
		}
		put_ch(buf, len, o, '"');
	}
}

void
check_conf_format(const struct check_conf *c, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 16], type[DNSMSG_TYPE_STRLEN], rcode[16];
	const char *argv[CHECK_MAX_ARGS + 1];
	size_t o;

	if (len == 0)
		return;
	switch (c->kind) {
	case CHECK_DNS:
		fmt_addr(addr, sizeof(addr), c, conf_port(c) != 53, '@');
		fmt_rcode(rcode, sizeof(rcode), c->expect_rcode);
		snprintf(buf, len, "dns %s %s %s%s%s", addr, c->qname,
		    dnsmsg_type_name(c->qtype, type),
		    c->expect_rcode != DNSMSG_RCODE_NOERROR ? " expect rcode " : "",
		    c->expect_rcode != DNSMSG_RCODE_NOERROR ? rcode : "");
		return;
	case CHECK_TCP:
		fmt_addr(addr, sizeof(addr), c, true, ':');
		snprintf(buf, len, "tcp %s", addr);
		return;
	case CHECK_EXEC:
		snprintf(buf, len, "exec");
		o = strlen(buf);
		check_conf_argv(c, argv);
		for (unsigned i = 0; argv[i] != NULL; i++) {
			put_ch(buf, len, &o, ' ');
			put_word(buf, len, &o, argv[i]);
		}
		return;
	case CHECK_PROCESS:
		snprintf(buf, len, "process %s", c->path);
		return;
	}
	snprintf(buf, len, "unknown");
}
