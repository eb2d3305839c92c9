/*
 * conf.c - the configuration of health-checked services (conf.h): the
 * words of a `check` line (check_conf_parse() and its canonical form,
 * check_conf_format(); the syntax is in check.h), and the `service NAME`
 * block of riposted.conf: its keyword table, defaults, validation and
 * canonical print.  Pure: no sockets, no loop.  The names, types and
 * rcodes of the dns check are src/dnsmsg's.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnsmsg/dnsmsg.h"
#include "lib/textfile.h"
#include "health/check.h"
#include "health/conf.h"

#define CHECK_LINE_MAX		1024
/*
 * The words of a dns, zone, tcp or process check: "zone", ADDRESS, ZONE,
 * the primaries, max-lag and expire-margin, each with its value, and one
 * to see more.
 */
#define CHECK_WORDS_MAX		(3 + 2 * CHECK_ZONE_PRIMARIES + 2 + 2 + 1)

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

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

/* Fill ss from a numeric address; af 0 tries both families. */
static int
set_sa(struct sockaddr_storage *ss, socklen_t *salen, const char *host, int af,
    uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (af != AF_INET6 && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		*salen = sizeof(*sin);
		return 0;
	}
	memset(ss, 0, sizeof(*ss));
	if (af != AF_INET && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		*salen = sizeof(*sin6);
		return 0;
	}
	memset(ss, 0, sizeof(*ss));
	return -1;
}

static int
set_addr(struct check_conf *c, const char *host, int af, uint16_t port)
{
	return set_sa(&c->sa, &c->salen, host, af, port);
}

/* ADDRESS[@PORT], [IPV6][@PORT]; `what` starts the messages ("check dns"). */
static int
parse_dns_addr(char *s, const char *what, struct sockaddr_storage *ss,
    socklen_t *salen, char *err, size_t errlen)
{
	char word[CHECK_LINE_MAX];
	char *host = s, *port = NULL, *p;
	uint16_t pn = 53;
	int af = 0;

	snprintf(word, sizeof(word), "%s", s);
	if (*s == '[') {
		if ((p = strchr(s, ']')) == NULL)
			return textfile_err(err, errlen,
			    "%s: missing ']' in '%s'", what, word);
		if (p[1] != '\0' && p[1] != '@')
			return textfile_err(err, errlen,
			    "%s: unexpected '%s' after ']' in '%s'",
			    what, p + 1, word);
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
		return textfile_err(err, errlen,
		    "%s: bad port '%s' in '%s' (1..65535)", what, port, word);
	if (set_sa(ss, salen, host, af, pn) == -1)
		return textfile_err(err, errlen, af == AF_INET6 ?
		    "%s: '%s' is not an IPv6 address" :
		    "%s: '%s' is not an IPv4 or IPv6 address", what, host);
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
			return textfile_err(err, errlen,
			    "check tcp: missing ']' in '%s'", word);
		if (p[1] == '\0')
			return textfile_err(err, errlen,
			    "check tcp: missing port in '%s' ([IPV6]:PORT)", word);
		if (p[1] != ':')
			return textfile_err(err, errlen,
			    "check tcp: unexpected '%s' after ']' in '%s'",
			    p + 1, word);
		*p = '\0';
		host = s + 1;
		p++;
		af = AF_INET6;
	} else if ((p = strchr(s, ':')) == NULL) {
		return textfile_err(err, errlen,
		    "check tcp: missing port in '%s' (ADDRESS:PORT)", word);
	} else if (strchr(p + 1, ':') != NULL) {
		/* "::1:53" cannot be split; brackets say where the port is. */
		return textfile_err(err, errlen,
		    "check tcp: IPv6 address in '%s' needs brackets ([IPV6]:PORT)",
		    word);
	}
	*p = '\0';
	if (parse_port(p + 1, &pn) == -1)
		return textfile_err(err, errlen,
		    "check tcp: bad port '%s' in '%s' (1..65535)", p + 1, word);
	if (set_addr(c, host, af, pn) == -1)
		return textfile_err(err, errlen, af == AF_INET6 ?
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
parse_qname(const char *s, const char *what, char *out, char *err, size_t errlen)
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
		return textfile_err(err, errlen,
		    "%s: '%s' is not a domain name (%s)", what, s, why);
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
		return textfile_err(err, errlen, "check dns: missing ADDRESS (%s)",
		    DNS_USAGE);
	if (parse_dns_addr(w[1], "check dns", &c->sa, &c->salen, err, errlen) == -1)
		return -1;
	if (n < 3)
		return textfile_err(err, errlen, "check dns: missing NAME (%s)",
		    DNS_USAGE);
	if (parse_qname(w[2], "check dns", c->qname, err, errlen) == -1)
		return -1;
	c->qtype = DNSMSG_T_A;
	c->expect_rcode = DNSMSG_RCODE_NOERROR;
	if (i < n && strcmp(w[i], "expect") != 0) {
		if (parse_qtype(w[i], &c->qtype) == -1)
			return textfile_err(err, errlen, "check dns: unknown type '%s' "
			    "(A, AAAA, NS, SOA, MX, TXT, CNAME, PTR, SRV, ANY or "
			    "TYPEnnn)", w[i]);
		i++;
	}
	if (i < n) {
		if (strcmp(w[i], "expect") != 0)
			return textfile_err(err, errlen, "check dns: unexpected '%s' "
			    "after TYPE (expect rcode RCODE|any)", w[i]);
		if (i + 1 >= n || strcmp(w[i + 1], "rcode") != 0)
			return textfile_err(err, errlen, "check dns: 'expect' must be "
			    "followed by 'rcode RCODE|any'");
		if (i + 2 >= n)
			return textfile_err(err, errlen,
			    "check dns: missing RCODE after 'expect rcode'");
		if (parse_rcode(w[i + 2], &c->expect_rcode) == -1)
			return textfile_err(err, errlen, "check dns: unknown rcode "
			    "'%s' (NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, "
			    "REFUSED, 0..15 or any)", w[i + 2]);
		i += 3;
	}
	if (i < n)
		return textfile_err(err, errlen,
		    "check dns: unexpected '%s' after the rcode", w[i]);
	return 0;
}

#define ZONE_USAGE	"zone ADDRESS[@PORT] ZONE [primary ADDRESS[@PORT]]... " \
			"[max-lag DURATION] [expire-margin DURATION]"

static bool
sa_equal(const struct sockaddr *a, const struct sockaddr *b, socklen_t len)
{
	return memcmp(a, b, len) == 0;
}

static int
parse_zone(char **w, size_t n, bool more, struct check_conf *c, char *err,
    size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char word[CHECK_LINE_MAX];
	bool lag_set = false, margin_set = false;
	size_t i;

	if (n < 2)
		return textfile_err(err, errlen, "check zone: missing ADDRESS (%s)",
		    ZONE_USAGE);
	if (parse_dns_addr(w[1], "check zone", &c->sa, &c->salen, err, errlen) == -1)
		return -1;
	if (n < 3)
		return textfile_err(err, errlen, "check zone: missing ZONE (%s)",
		    ZONE_USAGE);
	if (parse_qname(w[2], "check zone", c->qname, err, errlen) == -1)
		return -1;
	c->qtype = DNSMSG_T_SOA;
	c->expect_rcode = DNSMSG_RCODE_NOERROR;
	c->max_lag = CHECK_ZONE_MAX_LAG;
	c->expire_margin = -1;
	if (more)
		return textfile_err(err, errlen, "check zone: too many words (%s, "
		    "up to %d primaries)", ZONE_USAGE, CHECK_ZONE_PRIMARIES);
	for (i = 3; i < n; i += 2) {
		if (strcmp(w[i], "primary") != 0 && strcmp(w[i], "max-lag") != 0 &&
		    strcmp(w[i], "expire-margin") != 0)
			return textfile_err(err, errlen, "check zone: unexpected '%s' "
			    "after ZONE (primary ADDRESS[@PORT], max-lag DURATION, "
			    "expire-margin DURATION)", w[i]);
		if (i + 1 >= n)
			return textfile_err(err, errlen, "check zone: missing %s after "
			    "'%s'", w[i][0] == 'p' ? "ADDRESS[@PORT]" : "DURATION",
			    w[i]);
		if (strcmp(w[i], "max-lag") == 0) {
			if (lag_set)
				return textfile_err(err, errlen,
				    "check zone: max-lag given twice");
			if (conf_duration_parse(w[i + 1], &c->max_lag) != 0)
				return textfile_err(err, errlen, "check zone: bad "
				    "max-lag '%s' (e.g. 500ms, 30s, 5m; at most 1 day)",
				    w[i + 1]);
			lag_set = true;
			continue;
		}
		if (strcmp(w[i], "expire-margin") == 0) {
			if (margin_set)
				return textfile_err(err, errlen,
				    "check zone: expire-margin given twice");
			if (conf_duration_parse(w[i + 1], &c->expire_margin) != 0)
				return textfile_err(err, errlen, "check zone: bad "
				    "expire-margin '%s' (e.g. 500ms, 30s, 5m; at most 1 day)",
				    w[i + 1]);
			margin_set = true;
			continue;
		}
		if (c->n_primaries == CHECK_ZONE_PRIMARIES)
			return textfile_err(err, errlen,
			    "check zone: more than %d primaries", CHECK_ZONE_PRIMARIES);
		snprintf(word, sizeof(word), "%s", w[i + 1]);
		if (parse_dns_addr(w[i + 1], "check zone", &ss, &sslen, err,
		    errlen) == -1)
			return -1;
		for (unsigned k = 0; k < c->n_primaries; k++)
			if (sa_equal(&c->primaries[k].u.sa, (struct sockaddr *)&ss, sslen))
				return textfile_err(err, errlen, "check zone: "
				    "primary %s given twice", word);
		memcpy(&c->primaries[c->n_primaries].u, &ss, sslen);
		c->primaries[c->n_primaries].len = sslen;
		c->n_primaries++;
	}
	if (lag_set && c->n_primaries == 0)
		return textfile_err(err, errlen,
		    "check zone: max-lag without a primary to compare with");
	/* Without primaries there is no silence to measure (check.h). */
	if (margin_set && c->n_primaries == 0)
		return textfile_err(err, errlen,
		    "check zone: expire-margin without a primary to hear from");
	return 0;
}

static int
parse_tcp(char **w, size_t n, struct check_conf *c, char *err, size_t errlen)
{
	if (n < 2)
		return textfile_err(err, errlen,
		    "check tcp: missing ADDRESS:PORT (tcp ADDRESS:PORT or "
		    "tcp [IPV6]:PORT)");
	if (parse_tcp_addr(w[1], c, err, errlen) == -1)
		return -1;
	if (n > 2)
		return textfile_err(err, errlen,
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
					return textfile_err(err, errlen,
					    "check exec: unterminated single quote");
				s++;
			} else if (*s == '"') {
				for (s++; *s != '"' && *s != '\0'; s++) {
					if (*s == '\\' && (s[1] == '"' || s[1] == '\\'))
						s++;
					out[o++] = *s;
				}
				if (*s == '\0')
					return textfile_err(err, errlen,
					    "check exec: unterminated double quote");
				s++;
			} else if (*s == '\\') {
				if (s[1] == '\0')
					return textfile_err(err, errlen,
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
		return textfile_err(err, errlen,
		    "check exec: missing PATH (exec /ABS/PATH [ARG...])");
	if (words[0] != '/')
		return textfile_err(err, errlen,
		    "check exec: '%s' is not an absolute path", words);
	if (n > CHECK_MAX_ARGS)
		return textfile_err(err, errlen,
		    "check exec: more than %d words (PATH and ARGs)",
		    CHECK_MAX_ARGS);
	/* The words and one separator each: a NUL here, a blank when written. */
	if (len > sizeof(c->args))
		return textfile_err(err, errlen,
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
		return textfile_err(err, errlen,
		    "check process: missing PIDFILE (process /ABS/PIDFILE)");
	if (w[1][0] != '/')
		return textfile_err(err, errlen,
		    "check process: '%s' is not an absolute path", w[1]);
	if (strlen(w[1]) >= sizeof(c->path))
		return textfile_err(err, errlen,
		    "check process: path longer than %d characters",
		    CHECK_PATH_MAX - 1);
	if (n > 2)
		return textfile_err(err, errlen,
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
		return textfile_err(err, errlen,
		    "check: longer than %d characters", CHECK_LINE_MAX - 1);
	snprintf(line, sizeof(line), "%s", args);
	/* The kind is the first word; how the rest splits depends on it. */
	for (p = line; is_blank(*p); p++)
		;
	if (*p == '\0' || *p == '#' || *p == '!')
		return textfile_err(err, errlen,
		    "missing check type (dns, zone, tcp, exec, process)");

	/* Zeroed, so that two parses of the same words compare equal. */
	memset(&nc, 0, sizeof(nc));
	if (strncmp(p, "exec", 4) == 0 && (p[4] == '\0' || is_blank(p[4]))) {
		nc.kind = CHECK_EXEC;
		rc = parse_exec(p + 4, &nc, err, errlen);
		if (rc == 0) {
			/* Quoting may lengthen the words: they must fit a line again. */
			check_conf_format(&nc, fmt, sizeof(fmt));
			if (strlen(fmt) > CHECK_FORMAT_MAX)
				rc = textfile_err(err, errlen, "check exec: longer than %d "
				    "characters when written back quoted",
				    CHECK_FORMAT_MAX);
		}
		goto done;
	}
	n = split_words(p, w, NITEMS(w), &more);
	if (strcmp(w[0], "dns") == 0) {
		nc.kind = CHECK_DNS;
		rc = parse_dns(w, n, &nc, err, errlen);
	} else if (strcmp(w[0], "zone") == 0) {
		nc.kind = CHECK_ZONE;
		rc = parse_zone(w, n, more, &nc, err, errlen);
	} else if (strcmp(w[0], "tcp") == 0) {
		nc.kind = CHECK_TCP;
		rc = parse_tcp(w, n, &nc, err, errlen);
	} else if (strcmp(w[0], "process") == 0) {
		nc.kind = CHECK_PROCESS;
		rc = parse_process(w, n, &nc, err, errlen);
	} else {
		rc = textfile_err(err, errlen,
		    "unknown check type '%s' (dns, zone, tcp, exec, process)", w[0]);
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

void
check_addr_fmt(const struct check_addr *a, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	if (a->u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->u.sin.sin_addr, s, sizeof(s));
		if (ntohs(a->u.sin.sin_port) != 53)
			snprintf(buf, len, "%s@%u", s, ntohs(a->u.sin.sin_port));
		else
			snprintf(buf, len, "%s", s);
	} else if (a->u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->u.sin6.sin6_addr, s, sizeof(s));
		if (ntohs(a->u.sin6.sin6_port) != 53)
			snprintf(buf, len, "[%s]@%u", s, ntohs(a->u.sin6.sin6_port));
		else
			snprintf(buf, len, "%s", s);
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
	char addr[INET6_ADDRSTRLEN + 16], type[DNSMSG_TYPE_STRLEN], rcode[16], lag[32];
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
	case CHECK_ZONE:
		fmt_addr(addr, sizeof(addr), c, conf_port(c) != 53, '@');
		snprintf(buf, len, "zone %s %s", addr, c->qname);
		for (unsigned i = 0; i < c->n_primaries; i++) {
			check_addr_fmt(&c->primaries[i], addr, sizeof(addr));
			o = strlen(buf);
			snprintf(buf + o, len - o, " primary %s", addr);
		}
		if (c->n_primaries > 0) {
			o = strlen(buf);
			snprintf(buf + o, len - o, " max-lag %s",
			    conf_duration_fmt(c->max_lag, lag, sizeof(lag)));
		}
		if (c->n_primaries > 0 && c->expire_margin >= 0) {
			o = strlen(buf);
			snprintf(buf + o, len - o, " expire-margin %s",
			    conf_duration_fmt(c->expire_margin, lag, sizeof(lag)));
		}
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

/* ------------------------------------------------------ service blocks */

static int
h_address(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct service_conf *sv = target;
	struct prefix4 pfx;

	if (prefix4_parse(argv[0], &pfx, true, false) != 0)
		return conf_err(p, "address: '%s' is not an IPv4 prefix (A.B.C.D/M or A.B.C.D)",
	    argv[0]);
	if (ip4_is_martian(pfx.addr) || pfx.len == 0)
		return conf_err(p, "address: %s cannot be announced", argv[0]);
	for (size_t i = 0; i < sv->n_addrs; i++)
		if (prefix4_equal(sv->addrs[i], pfx))
			return conf_err(p, "address %s given twice", argv[0]);
	if (sv->n_addrs == SERVICE_MAX_ADDRS)
		return conf_err(p, "too many addresses in service %s (max %d)", sv->svc.name,
	    SERVICE_MAX_ADDRS);
	sv->addrs[sv->n_addrs++] = pfx;
	return 0;
}

static void
p_address(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct service_conf *sv = target;
	char buf[PFX4_STRLEN];

	for (size_t a = 0; a < sv->n_addrs; a++)
		fprintf(out, "%s%s %s\n", indent, kw->words, prefix4_ntop(sv->addrs[a], buf));
}

static int
h_check(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct service_conf *sv = target;
	char msg[256];
	unsigned i = sv->svc.n_checks;

	if (i == SVC_MAX_CHECKS)
		return conf_err(p, "too many checks in service %s (max %d)", sv->svc.name,
		    SVC_MAX_CHECKS);
	/*
	 * The words as written, not as the lexer split them: an exec check's
	 * arguments are quoted like a shell's (check.h), and "a  b" keeps its
	 * two blanks.
	 */
	if (check_conf_parse(conf_raw_from(p, argv[0]), &sv->checks[i], msg, sizeof(msg)) != 0)
		return conf_err(p, "%s", msg);
	check_conf_format(&sv->checks[i], sv->svc.check_names[i], SVC_CHECK_NAME_MAX);
	sv->check_lines[i] = p->line;
	sv->svc.n_checks++;
	return 0;
}

static void
p_check(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct service_conf *sv = target;

	/* The full words: check_names are cut to fit the logs. */
	for (unsigned c = 0; c < sv->svc.n_checks; c++) {
		char words[CHECK_FORMAT_MAX + 1];
		check_conf_format(&sv->checks[c], words, sizeof(words));
		fprintf(out, "%s%s %s\n", indent, kw->words, words);
	}
}

/* In --print order.  The ranges that depend on each other are service_conf_validate's. */
static const struct conf_kw service_kw[] = {
	CONF_KW_HP("address", 1, 1, h_address, p_address, 0, "address A.B.C.D/M"),
	CONF_KW_IFNAME("interface", struct service_conf, ifname, "interface IFNAME"),
	CONF_KW_HP("check", 1, CONF_ARGS_ANY, h_check, p_check, 0,
	    "check dns|zone|tcp|exec|process ..."),
	CONF_KW_NUM("interval", CONF_T_DURATION, struct service_conf, svc.interval,
	    0, CONF_DURATION_MAX, SVC_DEFAULT_INTERVAL, "interval DURATION"),
	CONF_KW_NUM("fast-interval", CONF_T_DURATION, struct service_conf, fast_interval,
	    SERVICE_MIN_FAST_INTERVAL, CONF_DURATION_MAX, 0, "fast-interval DURATION"),
	CONF_KW_NUM("timeout", CONF_T_DURATION, struct service_conf, svc.timeout,
	    0, CONF_DURATION_MAX, SVC_DEFAULT_TIMEOUT, "timeout DURATION"),
	CONF_KW_NUM("rise", CONF_T_UNSIGNED, struct service_conf, svc.rise, 1, 100,
	    SVC_DEFAULT_RISE, "rise N"),
	CONF_KW_NUM("fall", CONF_T_UNSIGNED, struct service_conf, svc.fall, 1, 100,
	    SVC_DEFAULT_FALL, "fall N"),
	/* 16 is unreachable: a service announced with it would be a withdrawal. */
	CONF_KW_NUM("metric", CONF_T_UINT8, struct service_conf, metric, 1, 15,
	    SERVICE_DEFAULT_METRIC, "metric <1-15>"),
	CONF_KW_NUM("drain-time", CONF_T_DURATION, struct service_conf, svc.drain_time,
	    0, CONF_DURATION_MAX, SVC_DEFAULT_DRAIN_TIME, "drain-time DURATION"),
	CONF_KW_FLAG("keep-address", CONF_T_FLAG_ON, struct service_conf, keep_address,
	    false, "keep-address"),
	CONF_KW_FLAG("no keep-address", CONF_T_FLAG_OFF, struct service_conf,
	    keep_address, false, "no keep-address"),
};

const struct conf_table service_conf_table = {
	"service NAME", service_kw, sizeof(service_kw) / sizeof(service_kw[0]), NULL,
};

const struct service_conf *
service_conf_find(const struct service_conf *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].svc.name, name) == 0)
			return &list[i];
	return NULL;
}

struct service_conf *
service_conf_add(struct conf_parser *p, struct service_conf **list, size_t *n, const char *name)
{
	struct service_conf *svcs, *sv;
	size_t len = strlen(name);

	if (len >= SVC_NAME_MAX) {
		conf_err(p, "service name '%s' too long (max %d characters)", name,
	    SVC_NAME_MAX - 1);
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
	    !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.') {
			conf_err(p, "service name '%s': use letters, digits, '-', '_' and '.'",
			    name);
			return NULL;
		}
	}
	if (service_conf_find(*list, *n, name) != NULL) {
		conf_err(p, "service %s is defined twice", name);
		return NULL;
	}
	svcs = conf_grow(p, *list, *n, sizeof(*svcs), "services");
	if (svcs == NULL)
		return NULL;
	*list = svcs;
	sv = &svcs[*n];
	memset(sv, 0, sizeof(*sv));
	conf_table_defaults(&service_conf_table, sv);
	svc_config_defaults(&sv->svc);
	memcpy(sv->svc.name, name, len + 1);
	memcpy(sv->ifname, SERVICE_DEFAULT_IFNAME, sizeof(SERVICE_DEFAULT_IFNAME));
	sv->line = p->line;
	(*n)++;
	return sv;
}

int
service_conf_validate(struct conf_parser *p, const struct service_conf *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct service_conf *sv = &list[i];
		const char *why = NULL;
		char pbuf[PFX4_STRLEN];

		p->line = sv->line;
		if (sv->n_addrs == 0)
			return conf_err(p, "service %s: no address (add 'address A.B.C.D/32')",
			    sv->svc.name);
		if (sv->svc.n_checks == 0)
			return conf_err(p, "service %s: no check (add e.g. 'check tcp "
			    "127.0.0.1:53')", sv->svc.name);
		if (svc_config_validate(&sv->svc, &why) != 0)
			return conf_err(p, "service %s: %s", sv->svc.name, why);
		if (sv->fast_interval > sv->svc.interval)
			return conf_err(p, "service %s: fast-interval longer than interval",
			    sv->svc.name);
		for (size_t j = 0; j < i; j++)
			for (size_t a = 0; a < sv->n_addrs; a++)
				for (size_t b = 0; b < list[j].n_addrs; b++)
					if (prefix4_equal(sv->addrs[a], list[j].addrs[b]))
						return conf_err(p, "service %s: address %s is "
						    "also in service %s", sv->svc.name,
						    prefix4_ntop(sv->addrs[a], pbuf),
						    list[j].svc.name);
	}
	return 0;
}

void
service_conf_print(FILE *out, const struct service_conf *sv)
{
	fprintf(out, "service %s\n", sv->svc.name);
	conf_table_print(out, &service_conf_table, sv, " ");
	fputs("!\n", out);
}

rtime_t
service_conf_fast_interval(const struct service_conf *sv)
{
	rtime_t f;

	if (sv->fast_interval != 0)
		return sv->fast_interval;
	f = sv->svc.interval / 4;
	if (f >= SERVICE_MIN_FAST_INTERVAL)
		return f;
	return sv->svc.interval < SERVICE_MIN_FAST_INTERVAL ? sv->svc.interval :
	    SERVICE_MIN_FAST_INTERVAL;
}
