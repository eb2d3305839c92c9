/*
 * check.c - the health checks of a service (see check.h for the config
 * syntax and the contract): the config words, the DNS wire code of the dns
 * check (RFC 1035 4.1), and the four probes on the event loop.
 *
 * Every probe is one struct check with one timer and one io watcher.  A
 * result known inside check_run() (a socket error, the process check) is
 * not delivered from there: it goes through the timer at 0 s, so the
 * callback always comes from the loop and may free the check or start the
 * next run.  The callback is the last thing a handler does, for the same
 * reason.
 *
 * The exec check does not fork the command directly.  libev's default loop
 * (the daemon's) installs a SIGCHLD handler that reaps every child with
 * waitpid(-1), so the exit status of a command we forked could be stolen
 * before we read it.  We clone a small monitor instead, with no exit signal
 * ("clone child": waitpid(-1) without __WALL never sees it, and nobody but
 * us can reap it, so its pid cannot be reused under our pidfd).  The monitor
 * makes its own process group, puts stdio on /dev/null, closes the other
 * fds, vforks and execs the command, waits for it and writes its status to
 * a pipe.  A timeout SIGKILLs the whole group.
 */
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ev.h>

#include "health/check.h"
#include "lib/cursor.h"

#define CHECK_LINE_MAX		1024
/* "exec", PATH and up to CHECK_MAX_ARGS - 1 ARGs, and one to see more. */
#define CHECK_WORDS_MAX		(CHECK_MAX_ARGS + 2)
#define CHECK_REASON_MAX	1024	/* room for a whole command line */
#define CHECK_DNS_BUF		4096	/* replies are cut here: we read the header and question only */
#define CHECK_DNS_READS		16	/* datagrams per wakeup, so a flood cannot hold the loop */
#define CHECK_PIDFILE_MAX	64
/* After SIGKILL, how long the run waits for the exit before reporting. */
#define CHECK_KILL_GRACE	(100 * RTIME_MS)
/* How long check_free() waits for a killed exec monitor to exit. */
#define CHECK_FREE_WAIT_MS	100

#define DNS_HDR_LEN		12
#define DNS_FLAG_QR		0x8000
#define DNS_CLASS_IN		1
#define DNS_TYPE_A		1
#define DNS_RCODE_NOERROR	0
#define DNS_NAME_WIRE_MAX	255

/* The monitor's report on the pipe: { kind, value }. */
enum exec_msg {
	EXEC_MSG_STATUS = 1,	/* value: wait status of the command */
	EXEC_MSG_EXEC,		/* value: errno of execv() */
	EXEC_MSG_START,		/* value: errno of the monitor's set-up */
};

struct check {
	struct ev_loop		*loop;
	struct check_conf	 conf;
	unsigned		 idx;
	rtime_t			 timeout;
	check_result_fn		 cb;
	void			*arg;

	bool			 busy;
	uint64_t		 skipped;
	rtime_t			 started;
	ev_timer		 timer;
	/* A result decided in check_run(), delivered by the timer at 0 s. */
	bool			 decided;
	enum check_result	 dresult;
	char			 dreason[CHECK_REASON_MAX];

	/* dns, tcp: the socket; exec: the monitor's pidfd. */
	ev_io			 io;
	int			 fd;
	uint16_t		 id;

	/* exec */
	pid_t			 child;		/* the monitor, until reaped */
	int			 msgfd;		/* read end of its report pipe */
	bool			 kill_sent;
	char			 argbuf[CHECK_CMD_MAX];
	char			*argv[CHECK_MAX_ARGS + 1];

	/* process: the watched pid and its pidfd (in watch.fd) */
	ev_io			 watch;
	pid_t			 wpid;
};

static const struct {
	const char	*name;
	uint16_t	 type;
} dns_types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 },
	{ "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 }, { "ANY", 255 },
};

/* RFC 1035 4.1.1 and RFC 2136 2.2 numbering. */
static const char *const dns_rcodes[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
};

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

/* ASCII only: DNS names compare case-insensitively in ASCII (RFC 4343). */
static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch;
}

static bool
strieq(const char *a, const char *b)
{
	for (; *a != '\0' && lower((unsigned char)*a) == lower((unsigned char)*b); a++, b++)
		;
	return *a == '\0' && *b == '\0';
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
 * the root ".".
 */
static int
parse_qname(const char *s, char *out, char *err, size_t errlen)
{
	const char *why = NULL;
	size_t len = strlen(s), i, label = 0;

	if (strcmp(s, ".") == 0) {
		snprintf(out, CHECK_QNAME_MAX, ".");
		return 0;
	}
	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len > 253)
		why = "longer than 253 characters";
	for (i = 0; i < len && why == NULL; i++) {
		if (s[i] == '.') {
			if (label == 0)
				why = "empty label";
			label = 0;
		} else if (s[i] == '\\') {
			why = "escapes are not supported";
		} else if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) {
			why = "unprintable character";
		} else if (++label > 63) {
			why = "label longer than 63 characters";
		}
	}
	if (why == NULL && label == 0)
		why = "empty label";
	if (why != NULL)
		return check_err(err, errlen,
		    "check dns: '%s' is not a domain name (%s)", s, why);
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

static int
parse_qtype(const char *s, uint16_t *type)
{
	size_t i;
	long v;

	for (i = 0; i < NITEMS(dns_types); i++)
		if (strieq(s, dns_types[i].name)) {
			*type = dns_types[i].type;
			return 0;
		}
	/* RFC 3597 5: TYPEnnn. */
	if (strncasecmp(s, "TYPE", 4) != 0 || (v = parse_uint(s + 4, 65535)) < 1)
		return -1;
	*type = (uint16_t)v;
	return 0;
}

static int
parse_rcode(const char *s, int *rcode)
{
	size_t i;
	long v;

	if (strieq(s, "any")) {
		*rcode = -1;
		return 0;
	}
	for (i = 0; i < NITEMS(dns_rcodes); i++)
		if (strieq(s, dns_rcodes[i])) {
			*rcode = (int)i;
			return 0;
		}
	if ((v = parse_uint(s, 15)) < 0)
		return -1;
	*rcode = (int)v;
	return 0;
}

static void
fmt_qtype(char *buf, size_t len, uint16_t type)
{
	size_t i;

	for (i = 0; i < NITEMS(dns_types); i++)
		if (dns_types[i].type == type) {
			snprintf(buf, len, "%s", dns_types[i].name);
			return;
		}
	snprintf(buf, len, "TYPE%u", type);
}

static void
fmt_rcode(char *buf, size_t len, int rcode)
{
	if (rcode < 0)
		snprintf(buf, len, "any");
	else if ((size_t)rcode < NITEMS(dns_rcodes))
		snprintf(buf, len, "%s", dns_rcodes[rcode]);
	else
		snprintf(buf, len, "%d", rcode);
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
	c->qtype = DNS_TYPE_A;
	c->expect_rcode = DNS_RCODE_NOERROR;
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

static int
parse_exec(char **w, size_t n, bool more, struct check_conf *c, char *err,
    size_t errlen)
{
	size_t i, len = 0, l;

	if (n < 2)
		return check_err(err, errlen,
		    "check exec: missing PATH (exec /ABS/PATH [ARG...])");
	if (w[1][0] != '/')
		return check_err(err, errlen,
		    "check exec: '%s' is not an absolute path", w[1]);
	if (more || n - 1 > CHECK_MAX_ARGS)
		return check_err(err, errlen,
		    "check exec: more than %d words (PATH and ARGs)",
		    CHECK_MAX_ARGS);
	/* The words joined by one space: there is no quoting to keep. */
	for (i = 1; i < n; i++) {
		l = strlen(w[i]);
		if (len + (i > 1) + l >= sizeof(c->cmd))
			return check_err(err, errlen,
			    "check exec: command longer than %d characters",
			    CHECK_CMD_MAX - 1);
		if (i > 1)
			c->cmd[len++] = ' ';
		memcpy(c->cmd + len, w[i], l);
		len += l;
	}
	c->cmd[len] = '\0';
	return 0;
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

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\v' || ch == '\f';
}

int
check_conf_parse(const char *args, struct check_conf *c, char *err,
    size_t errlen)
{
	char line[CHECK_LINE_MAX], *w[CHECK_WORDS_MAX], *p;
	struct check_conf nc;
	size_t n = 0;
	bool more = false;
	int rc;

	if (args == NULL)
		args = "";
	if (strlen(args) >= sizeof(line))
		return check_err(err, errlen,
		    "check: longer than %d characters", CHECK_LINE_MAX - 1);
	snprintf(line, sizeof(line), "%s", args);
	for (p = line; *p != '\0';) {
		while (is_blank(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (n < NITEMS(w))
			w[n++] = p;
		else
			more = true;
		while (*p != '\0' && !is_blank(*p))
			p++;
	}
	if (n == 0)
		return check_err(err, errlen,
		    "missing check type (dns, tcp, exec, process)");

	/* Zeroed, so that two parses of the same words compare equal. */
	memset(&nc, 0, sizeof(nc));
	if (strcmp(w[0], "dns") == 0) {
		nc.kind = CHECK_DNS;
		rc = parse_dns(w, n, &nc, err, errlen);
	} else if (strcmp(w[0], "tcp") == 0) {
		nc.kind = CHECK_TCP;
		rc = parse_tcp(w, n, &nc, err, errlen);
	} else if (strcmp(w[0], "exec") == 0) {
		nc.kind = CHECK_EXEC;
		rc = parse_exec(w, n, more, &nc, err, errlen);
	} else if (strcmp(w[0], "process") == 0) {
		nc.kind = CHECK_PROCESS;
		rc = parse_process(w, n, &nc, err, errlen);
	} else {
		rc = check_err(err, errlen,
		    "unknown check type '%s' (dns, tcp, exec, process)", w[0]);
	}
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

void
check_conf_format(const struct check_conf *c, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN + 16], type[16], rcode[16];

	if (len == 0)
		return;
	switch (c->kind) {
	case CHECK_DNS:
		fmt_addr(addr, sizeof(addr), c, conf_port(c) != 53, '@');
		fmt_qtype(type, sizeof(type), c->qtype);
		fmt_rcode(rcode, sizeof(rcode), c->expect_rcode);
		snprintf(buf, len, "dns %s %s %s%s%s", addr, c->qname, type,
		    c->expect_rcode != DNS_RCODE_NOERROR ? " expect rcode " : "",
		    c->expect_rcode != DNS_RCODE_NOERROR ? rcode : "");
		return;
	case CHECK_TCP:
		fmt_addr(addr, sizeof(addr), c, true, ':');
		snprintf(buf, len, "tcp %s", addr);
		return;
	case CHECK_EXEC:
		snprintf(buf, len, "exec %s", c->cmd);
		return;
	case CHECK_PROCESS:
		snprintf(buf, len, "process %s", c->path);
		return;
	}
	snprintf(buf, len, "unknown");
}

/*
 * RFC 1035 3.1: presentation name (as parse_qname() accepts it, trailing
 * dot optional) to uncompressed wire form.  Returns the length or 0.
 */
static size_t
dns_name_wire(const char *name, uint8_t *out, size_t cap)
{
	size_t len = strlen(name), pos = 0, start = 0, i;

	/* "" is no name; "." is the root. */
	if (len == 0)
		return 0;
	if (name[len - 1] == '.')
		len--;
	if (len > 0) {
		for (i = 0; i <= len; i++) {
			if (i < len && name[i] != '.')
				continue;
			if (i == start || i - start > 63 ||
			    pos + 1 + (i - start) + 1 > cap ||
			    pos + 1 + (i - start) + 1 > DNS_NAME_WIRE_MAX)
				return 0;
			out[pos++] = (uint8_t)(i - start);
			memcpy(out + pos, name + start, i - start);
			pos += i - start;
			start = i + 1;
		}
	}
	if (pos + 1 > cap)
		return 0;
	out[pos++] = 0;
	return pos;
}

size_t
check_dns_query(uint8_t *buf, size_t len, uint16_t id, const char *qname,
    uint16_t qtype)
{
	uint8_t name[DNS_NAME_WIRE_MAX];
	struct wcursor w;
	size_t nlen;

	if ((nlen = dns_name_wire(qname, name, sizeof(name))) == 0)
		return 0;
	wcur_init(&w, buf, len);
	/* RFC 1035 4.1.1: opcode QUERY, RD clear (we ask the server itself). */
	wcur_u16(&w, id);
	wcur_u16(&w, 0);
	wcur_u16(&w, 1);	/* QDCOUNT */
	wcur_u16(&w, 0);
	wcur_u16(&w, 0);
	wcur_u16(&w, 0);
	wcur_bytes(&w, name, nlen);
	wcur_u16(&w, qtype);
	wcur_u16(&w, DNS_CLASS_IN);
	return w.err ? 0 : w.pos;
}

int
check_dns_reply(const uint8_t *buf, size_t len, uint16_t id, const char *qname,
    uint16_t qtype, int expect_rcode, char *reason, size_t reasonlen)
{
	uint8_t want[DNS_NAME_WIRE_MAX];
	char got_s[16], want_s[16];
	struct cursor cur;
	size_t wlen, i, k;
	uint16_t rid, flags, qd;
	unsigned l, rcode;

	if (reason != NULL && reasonlen > 0)
		reason[0] = '\0';
	if ((wlen = dns_name_wire(qname, want, sizeof(want))) == 0)
		return -1;
	cur_init(&cur, buf, len);
	rid = cur_u16(&cur);
	flags = cur_u16(&cur);
	qd = cur_u16(&cur);
	cur_skip(&cur, 6);	/* ANCOUNT, NSCOUNT, ARCOUNT: not needed */
	if (cur.err || rid != id || !(flags & DNS_FLAG_QR) ||
	    (flags >> 11 & 0xf) != 0 || qd != 1)
		return -1;

	/*
	 * The question must be ours (RFC 5452 9.1).  It comes first in the
	 * message, so a compression pointer could only point into the header:
	 * not a reply we sent a query for.  Matching the length octets against
	 * ours rejects pointers and extended label types on the way.
	 */
	for (i = 0; i < wlen;) {
		l = cur_u8(&cur);
		if (cur.err || l != want[i])
			return -1;
		i++;
		for (k = 0; k < l; k++)
			if (lower(cur_u8(&cur)) != lower(want[i + k]) || cur.err)
				return -1;
		i += l;
	}
	if (cur_u16(&cur) != qtype || cur_u16(&cur) != DNS_CLASS_IN || cur.err)
		return -1;

	/*
	 * TC only means the answer did not fit; the server answered, and that
	 * is what the check asks.  No EDNS was sent, so the rcode is 4 bits.
	 */
	rcode = flags & 0xf;
	if (expect_rcode < 0 || rcode == (unsigned)expect_rcode)
		return 1;
	if (reason != NULL && reasonlen > 0) {
		fmt_rcode(got_s, sizeof(got_s), (int)rcode);
		fmt_rcode(want_s, sizeof(want_s), expect_rcode);
		snprintf(reason, reasonlen, "rcode %s, expected %s", got_s, want_s);
	}
	return 0;
}

/*
 * Runtime.
 */

static int
pidfd_open_(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* strerror() as the start of a reason: "connection refused". */
static void
errno_reason(char *buf, size_t len, const char *prefix, int err)
{
	snprintf(buf, len, "%s%s", prefix, strerror(err));
	if (prefix[0] == '\0' && buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)lower(buf[0]);
}

static void
fmt_timeout(char *buf, size_t len, const char *prefix, rtime_t t)
{
	if (t % RTIME_MS == 0)
		snprintf(buf, len, "%s%lld ms", prefix, (long long)(t / RTIME_MS));
	else
		snprintf(buf, len, "%s%lld us", prefix, (long long)t);
}

static void
close_fd(int *fd)
{
	if (*fd != -1) {
		close(*fd);
		*fd = -1;
	}
}

/* The probe's socket or pidfd; the exec pidfd only once the monitor is reaped. */
static void
probe_close(struct check *ck)
{
	if (ck->conf.kind == CHECK_EXEC && ck->child > 0)
		return;
	ev_io_stop(ck->loop, &ck->io);
	close_fd(&ck->fd);
	close_fd(&ck->msgfd);
}

/* End the run and call back; the check may be gone when this returns. */
static void
check_finish(struct check *ck, enum check_result result, const char *reason)
{
	char why[CHECK_REASON_MAX];
	rtime_t latency;

	latency = clock_mono_now() - ck->started;
	snprintf(why, sizeof(why), "%s", reason != NULL ? reason : "");
	ev_timer_stop(ck->loop, &ck->timer);
	probe_close(ck);
	ck->busy = false;
	ck->decided = false;
	ck->cb(ck->arg, ck->idx, result, latency, why);
}

/* A result known now, delivered from the loop. */
static void
check_decide(struct check *ck, enum check_result result, const char *reason)
{
	ck->decided = true;
	ck->dresult = result;
	snprintf(ck->dreason, sizeof(ck->dreason), "%s", reason);
	ev_timer_stop(ck->loop, &ck->timer);
	ev_timer_set(&ck->timer, 0., 0.);
	ev_timer_start(ck->loop, &ck->timer);
}

static void
check_decide_errno(struct check *ck, const char *prefix, int err)
{
	char why[CHECK_REASON_MAX];

	errno_reason(why, sizeof(why), prefix, err);
	check_decide(ck, CHECK_FAIL, why);
}

static void
timer_start(struct check *ck, rtime_t after)
{
	ev_timer_stop(ck->loop, &ck->timer);
	ev_timer_set(&ck->timer, (ev_tstamp)after / RTIME_SEC, 0.);
	ev_timer_start(ck->loop, &ck->timer);
}

/*
 * dns
 */

static void
dns_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];
	uint8_t buf[CHECK_DNS_BUF];
	ssize_t n;
	int i, r;

	for (i = 0; i < CHECK_DNS_READS; i++) {
		if ((n = recv(ck->fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* ICMP port unreachable, on a connected socket. */
			errno_reason(why, sizeof(why), "", errno);
			check_finish(ck, CHECK_FAIL, why);
			return;
		}
		r = check_dns_reply(buf, (size_t)n, ck->id, ck->conf.qname,
		    ck->conf.qtype, ck->conf.expect_rcode, why, sizeof(why));
		if (r == -1)
			continue;	/* not ours: keep waiting */
		check_finish(ck, r == 1 ? CHECK_PASS : CHECK_FAIL, why);
		return;
	}
}

static void
dns_start(struct check *ck)
{
	uint8_t q[12 + DNS_NAME_WIRE_MAX + 4];
	size_t qlen;
	ssize_t n;

	ck->fd = socket(ck->conf.sa.ss_family,
	    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ck->fd == -1) {
		check_decide_errno(ck, "socket: ", errno);
		return;
	}
	/* Connected: only the server's replies, and ICMP errors as errno. */
	if (connect(ck->fd, (const struct sockaddr *)&ck->conf.sa,
	    ck->conf.salen) == -1) {
		check_decide_errno(ck, "", errno);
		return;
	}
	ck->id = (uint16_t)arc4random();
	qlen = check_dns_query(q, sizeof(q), ck->id, ck->conf.qname,
	    ck->conf.qtype);
	if (qlen == 0) {
		check_decide(ck, CHECK_FAIL, "cannot build the query");
		return;
	}
	if ((n = send(ck->fd, q, qlen, 0)) != (ssize_t)qlen) {
		check_decide_errno(ck, "", n == -1 ? errno : EMSGSIZE);
		return;
	}
	ev_io_init(&ck->io, dns_read_cb, ck->fd, EV_READ);
	ck->io.data = ck;
	ev_io_start(ck->loop, &ck->io);
	timer_start(ck, ck->timeout);
}

/*
 * tcp
 */

static void
tcp_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(ck->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0) {
		check_finish(ck, CHECK_PASS, "");
		return;
	}
	errno_reason(why, sizeof(why), "", err);
	check_finish(ck, CHECK_FAIL, why);
}

static void
tcp_start(struct check *ck)
{
	ck->fd = socket(ck->conf.sa.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ck->fd == -1) {
		check_decide_errno(ck, "socket: ", errno);
		return;
	}
	if (connect(ck->fd, (const struct sockaddr *)&ck->conf.sa,
	    ck->conf.salen) == 0) {
		check_decide(ck, CHECK_PASS, "");
		return;
	}
	if (errno != EINPROGRESS) {
		check_decide_errno(ck, "", errno);
		return;
	}
	/* RFC 793 handshake done (or refused) when the socket is writable. */
	ev_io_init(&ck->io, tcp_write_cb, ck->fd, EV_WRITE);
	ck->io.data = ck;
	ev_io_start(ck->loop, &ck->io);
	timer_start(ck, ck->timeout);
}

/*
 * exec
 */

/* Set by the vfork child, which shares the monitor's memory. */
static volatile int exec_errno;

/*
 * Run the command and wait for it; 0 with its wait status, or -1.  A
 * function of its own so that nothing of the caller lives across vfork().
 */
static int __attribute__((noinline))
exec_vfork(char *const argv[], int *status)
{
	pid_t pid;

	exec_errno = 0;
	if ((pid = vfork()) == -1)
		return -1;
	if (pid == 0) {
		execv(argv[0], argv);
		exec_errno = errno;
		_exit(127);
	}
	while (waitpid(pid, status, 0) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* The monitor's last word; if the pipe is gone, nobody is listening. */
static void
exec_report(int wfd, int kind, int value)
{
	int msg[2] = { kind, value };
	ssize_t n;

	n = write(wfd, msg, sizeof(msg));
	(void)n;
}

/*
 * The monitor, in the cloned child: only async-signal-safe calls from
 * here on.  Never returns.
 */
static void __attribute__((noreturn))
exec_monitor(char *const argv[], int wfd)
{
	struct sigaction sa;
	sigset_t none;
	int fd, sig, status;

	/* Its own group, so a timeout kills whatever the command started. */
	if (setpgid(0, 0) == -1)
		goto fail;
	/* Nothing of the daemon's signal set-up may reach the command. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		goto fail;
	/* Keep the report pipe clear of 0-2, then stdio on /dev/null. */
	if (wfd <= 2 && (wfd = fcntl(wfd, F_DUPFD_CLOEXEC, 3)) == -1)
		_exit(127);
	if ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		goto fail;
	if (dup2(fd, 0) == -1 || dup2(fd, 1) == -1 || dup2(fd, 2) == -1)
		goto fail;
	if (wfd > 3)
		(void)close_range(3, (unsigned)wfd - 1, 0);
	(void)close_range((unsigned)wfd + 1, ~0U, 0);

	if (exec_vfork(argv, &status) == -1)
		goto fail;
	if (exec_errno != 0)
		exec_report(wfd, EXEC_MSG_EXEC, exec_errno);
	else
		exec_report(wfd, EXEC_MSG_STATUS, status);
	_exit(0);
fail:
	exec_report(wfd, EXEC_MSG_START, errno);
	_exit(127);
}

/* The reason of a finished run: the monitor's report, else its own status. */
static enum check_result
exec_result(struct check *ck, int mstatus, char *why, size_t len)
{
	char prefix[CHECK_CMD_MAX + 32];
	int msg[2];
	ssize_t n;

	n = read(ck->msgfd, msg, sizeof(msg));
	if (ck->kill_sent) {
		fmt_timeout(why, len, "killed after timeout ", ck->timeout);
		return CHECK_FAIL;
	}
	if (n == (ssize_t)sizeof(msg) && msg[0] == EXEC_MSG_STATUS) {
		if (WIFEXITED(msg[1]) && WEXITSTATUS(msg[1]) == 0) {
			snprintf(why, len, "%s", "");
			return CHECK_PASS;
		}
		if (WIFEXITED(msg[1]))
			snprintf(why, len, "exit status %d", WEXITSTATUS(msg[1]));
		else if (WIFSIGNALED(msg[1]))
			snprintf(why, len, "killed by signal %d", WTERMSIG(msg[1]));
		else
			snprintf(why, len, "wait status %#x", (unsigned)msg[1]);
		return CHECK_FAIL;
	}
	if (n == (ssize_t)sizeof(msg) &&
	    (msg[0] == EXEC_MSG_EXEC || msg[0] == EXEC_MSG_START)) {
		snprintf(prefix, sizeof(prefix), "cannot %s %s: ",
		    msg[0] == EXEC_MSG_EXEC ? "execute" : "start", ck->argv[0]);
		errno_reason(why, len, prefix, msg[1]);
		return CHECK_FAIL;
	}
	/* No report: the group was killed by someone else. */
	if (mstatus != -1 && WIFSIGNALED(mstatus))
		snprintf(why, len, "killed by signal %d", WTERMSIG(mstatus));
	else
		snprintf(why, len, "no exit status");
	return CHECK_FAIL;
}

/* Reap the monitor if it has exited; its wait status, or -1 if not yet. */
static int
exec_reap(struct check *ck, bool *reaped)
{
	int status = -1;
	pid_t r;

	*reaped = false;
	if (ck->child <= 0)
		return -1;
	/* __WALL: the monitor is a clone child with no exit signal. */
	r = waitpid(ck->child, &status, WNOHANG | __WALL);
	if (r == 0 || (r == -1 && errno == EINTR))
		return -1;
	/* Gone, or (ECHILD) not ours to reap after all: stop watching. */
	*reaped = true;
	ck->child = 0;
	return r > 0 ? status : -1;
}

static void
exec_exit_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];
	enum check_result result;
	bool reaped;
	int status;

	status = exec_reap(ck, &reaped);
	if (!reaped)
		return;
	if (!ck->busy) {
		/* A run already reported after SIGKILL: just clean up. */
		probe_close(ck);
		return;
	}
	result = exec_result(ck, status, why, sizeof(why));
	check_finish(ck, result, why);
}

static void
exec_kill(struct check *ck)
{
	if (ck->child <= 0)
		return;
	(void)kill(-ck->child, SIGKILL);
	/* In case the group was not made yet. */
	(void)kill(ck->child, SIGKILL);
	ck->kill_sent = true;
}

static void
exec_start(struct check *ck)
{
	char why[CHECK_REASON_MAX];
	int p[2], pidfd, e;
	size_t n = 0;
	char *s, *save = NULL;
	pid_t pid;
	bool reaped;

	/* The monitor of a run killed earlier may still be exiting. */
	if (ck->child > 0) {
		(void)exec_reap(ck, &reaped);
		if (!reaped) {
			exec_kill(ck);
			snprintf(why, sizeof(why),
			    "previous run (pid %d) still running after SIGKILL",
			    (int)ck->child);
			check_decide(ck, CHECK_FAIL, why);
			return;
		}
		probe_close(ck);
	}
	ck->kill_sent = false;

	/* Built here: the child may not allocate. */
	snprintf(ck->argbuf, sizeof(ck->argbuf), "%s", ck->conf.cmd);
	for (s = strtok_r(ck->argbuf, " ", &save);
	    s != NULL && n < CHECK_MAX_ARGS; s = strtok_r(NULL, " ", &save))
		ck->argv[n++] = s;
	ck->argv[n] = NULL;
	if (n == 0) {
		check_decide(ck, CHECK_FAIL, "empty command");
		return;
	}

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		check_decide_errno(ck, "pipe: ", errno);
		return;
	}
	/*
	 * clone() with no exit signal (see the top of the file).  All
	 * arguments zero, so their order, which differs between
	 * architectures, does not matter.
	 */
	pid = (pid_t)syscall(SYS_clone, 0UL, 0UL, 0UL, 0UL, 0UL);
	e = errno;
	if (pid == 0) {
		close(p[0]);
		exec_monitor(ck->argv, p[1]);
	}
	close(p[1]);
	if (pid == -1) {
		close(p[0]);
		snprintf(why, sizeof(why), "cannot start %s: ", ck->argv[0]);
		check_decide_errno(ck, why, e);
		return;
	}
	/* Also here, so that a kill right after the clone reaches the group. */
	(void)setpgid(pid, pid);
	ck->child = pid;
	ck->msgfd = p[0];
	/* Race-free: only we can reap a clone child, so the pid stays ours. */
	if ((pidfd = pidfd_open_(pid)) == -1) {
		snprintf(why, sizeof(why), "pidfd_open pid %d: %s", (int)pid,
		    strerror(errno));
		/* Rare (kernel < 5.3): a fresh child, so SIGKILL is quick. */
		exec_kill(ck);
		(void)waitpid(pid, NULL, __WALL);
		ck->child = 0;
		ck->kill_sent = false;
		probe_close(ck);
		check_decide(ck, CHECK_FAIL, why);
		return;
	}
	ck->fd = pidfd;
	ev_io_init(&ck->io, exec_exit_cb, pidfd, EV_READ);
	ck->io.data = ck;
	ev_io_start(ck->loop, &ck->io);
	timer_start(ck, ck->timeout);
}

/*
 * process
 */

static void
process_unwatch(struct check *ck)
{
	ev_io_stop(ck->loop, &ck->watch);
	if (ck->watch.fd != -1)
		close(ck->watch.fd);
	ev_io_set(&ck->watch, -1, EV_READ);
	ck->wpid = 0;
}

static void
process_died_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[64];

	snprintf(why, sizeof(why), "pid %d exited", (int)ck->wpid);
	process_unwatch(ck);
	/* Last: the callback may free the check. */
	ck->cb(ck->arg, ck->idx, CHECK_DIED, 0, why);
}

/* A positive decimal pid, surrounded by optional white space. */
static pid_t
pidfile_read(const char *path, char *why, size_t len)
{
	char buf[CHECK_PIDFILE_MAX], *p;
	ssize_t n;
	long pid = 0;
	int fd, e;

	/* O_NONBLOCK: a FIFO in its place must not block the loop. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) == -1) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	e = errno;
	close(fd);
	if (n == -1) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(e));
		return -1;
	}
	buf[n] = '\0';
	for (p = buf; is_blank(*p); p++)
		;
	if (*p < '0' || *p > '9')
		goto bad;
	for (; *p >= '0' && *p <= '9'; p++) {
		pid = pid * 10 + (*p - '0');
		if (pid > INT_MAX)
			goto bad;
	}
	for (; is_blank(*p); p++)
		;
	if (*p != '\0' || pid < 1 || (size_t)n == sizeof(buf) - 1)
		goto bad;
	return (pid_t)pid;
bad:
	snprintf(why, len, "bad pid file %s", path);
	return -1;
}

static void
process_start(struct check *ck)
{
	char why[CHECK_REASON_MAX];
	struct pollfd pfd;
	pid_t pid;
	int fd;

	if ((pid = pidfile_read(ck->conf.path, why, sizeof(why))) == -1) {
		check_decide(ck, CHECK_FAIL, why);
		return;
	}
	if (pid != ck->wpid || ck->watch.fd == -1) {
		/* A new pid: the service was restarted. */
		process_unwatch(ck);
		if ((fd = pidfd_open_(pid)) == -1) {
			if (errno == ESRCH)
				snprintf(why, sizeof(why), "pid %d is not running",
				    (int)pid);
			else
				snprintf(why, sizeof(why), "pidfd_open pid %d: %s",
				    (int)pid, strerror(errno));
			check_decide(ck, CHECK_FAIL, why);
			return;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) != 0) {
			/* A zombie: dead already, nothing to watch. */
			close(fd);
			snprintf(why, sizeof(why), "pid %d is not running",
			    (int)pid);
			check_decide(ck, CHECK_FAIL, why);
			return;
		}
		ck->wpid = pid;
		ev_io_set(&ck->watch, fd, EV_READ);
		ev_io_start(ck->loop, &ck->watch);
	} else {
		/* Exited, and the loop has not told us yet: the watcher will. */
		pfd.fd = ck->watch.fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) != 0) {
			snprintf(why, sizeof(why), "pid %d is not running",
			    (int)pid);
			check_decide(ck, CHECK_FAIL, why);
			return;
		}
	}
	check_decide(ck, CHECK_PASS, "");
}

/*
 * The check.
 */

static void
check_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];

	if (ck->decided) {
		check_finish(ck, ck->dresult, ck->dreason);
		return;
	}
	if (!ck->busy)
		return;
	if (ck->conf.kind == CHECK_EXEC) {
		if (!ck->kill_sent) {
			exec_kill(ck);
			/* Report when it is gone (exec_exit_cb), or after the grace. */
			timer_start(ck, CHECK_KILL_GRACE);
			return;
		}
		/* Not dead yet (stuck in the kernel?): report now, reap later. */
		fmt_timeout(why, sizeof(why), "killed after timeout ", ck->timeout);
		check_finish(ck, CHECK_FAIL, why);
		return;
	}
	fmt_timeout(why, sizeof(why), "timeout ", ck->timeout);
	check_finish(ck, CHECK_FAIL, why);
}

struct check *
check_new(struct ev_loop *loop, const struct check_conf *c, unsigned idx,
    rtime_t timeout, check_result_fn cb, void *arg)
{
	struct check *ck;

	if ((ck = calloc(1, sizeof(*ck))) == NULL)
		return NULL;
	ck->loop = loop;
	ck->conf = *c;
	ck->idx = idx;
	ck->timeout = timeout;
	ck->cb = cb;
	ck->arg = arg;
	ck->fd = -1;
	ck->msgfd = -1;
	ev_timer_init(&ck->timer, check_timer_cb, 0., 0.);
	ck->timer.data = ck;
	ev_io_init(&ck->io, dns_read_cb, -1, EV_READ);
	ck->io.data = ck;
	ev_io_init(&ck->watch, process_died_cb, -1, EV_READ);
	ck->watch.data = ck;
	return ck;
}

void
check_run(struct check *ck)
{
	if (ck->busy) {
		ck->skipped++;
		return;
	}
	ck->busy = true;
	ck->decided = false;
	/* The loop's clock may be stale; the timeout counts from now. */
	ev_now_update(ck->loop);
	ck->started = clock_mono_now();
	switch (ck->conf.kind) {
	case CHECK_DNS:
		dns_start(ck);
		return;
	case CHECK_TCP:
		tcp_start(ck);
		return;
	case CHECK_EXEC:
		exec_start(ck);
		return;
	case CHECK_PROCESS:
		process_start(ck);
		return;
	}
	check_decide(ck, CHECK_FAIL, "unknown check type");
}

bool
check_busy(const struct check *ck)
{
	return ck->busy;
}

uint64_t
check_skipped(const struct check *ck)
{
	return ck->skipped;
}

void
check_free(struct check *ck)
{
	struct pollfd pfd;
	bool reaped;

	if (ck == NULL)
		return;
	ev_timer_stop(ck->loop, &ck->timer);
	if (ck->child > 0) {
		exec_kill(ck);
		/*
		 * SIGKILL takes effect at once unless the process is stuck in
		 * the kernel; wait a little for it rather than leave a zombie,
		 * but never long (this runs on reload and shutdown).
		 */
		pfd.fd = ck->fd;
		pfd.events = POLLIN;
		if (ck->fd != -1)
			(void)poll(&pfd, 1, CHECK_FREE_WAIT_MS);
		(void)exec_reap(ck, &reaped);
		ck->child = 0;
	}
	probe_close(ck);
	process_unwatch(ck);
	free(ck);
}
