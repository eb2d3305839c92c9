/*
 * csv.c - the CSV form of riposte-probe's records: writing one line and
 * reading a whole file back for --analyze.  See csv.h.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../lib/textfile.h"
#include "csv.h"

#define N_FIELDS 6

int
probe_csv_format(const struct probe_rec *r, char *buf, size_t cap)
{
	char rc[PROBE_RCODE_STRLEN];
	int n;

	if (r->rcode == PROBE_RCODE_TIMEOUT)
		n = snprintf(buf, cap, "%" PRIu64 ",%" PRId64 ",,,,timeout\n", r->seq, r->sent_us);
	else
		n = snprintf(buf, cap, "%" PRIu64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%s,%s\n",
		    r->seq, r->sent_us, r->recv_us, r->rtt_us, r->node,
		    probe_rcode_name((unsigned)r->rcode, rc));
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

/* A decimal without sign, at most 18 digits (so it fits an int64_t); 0 or -1. */
static int
parse_num(const char *s, size_t len, int64_t *out)
{
	int64_t v = 0;

	if (len == 0 || len > 18)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int
probe_csv_parse_line(const char *line, struct probe_rec *out, const char **why)
{
	const char *f[N_FIELDS];
	size_t flen[N_FIELDS], n = 0, len = strlen(line);
	const char *p = line;
	int64_t v;

	memset(out, 0, sizeof(*out));
	if (len > 0 && line[len - 1] == '\r')
		len--;
	for (;;) {
		const char *comma = memchr(p, ',', len - (size_t)(p - line));
		const char *end = comma != NULL ? comma : line + len;
		if (n == N_FIELDS) {
			*why = "more than 6 fields (want seq,sent_us,recv_us,rtt_us,node,rcode)";
			return -1;
		}
		f[n] = p;
		flen[n++] = (size_t)(end - p);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	if (n != N_FIELDS) {
		*why = "fewer than 6 fields (want seq,sent_us,recv_us,rtt_us,node,rcode)";
		return -1;
	}
	if (parse_num(f[0], flen[0], &v) != 0) {
		*why = "seq: not a number";
		return -1;
	}
	out->seq = (uint64_t)v;
	if (parse_num(f[1], flen[1], &out->sent_us) != 0) {
		*why = "sent_us: not a number of microseconds";
		return -1;
	}
	if (flen[5] == 7 && memcmp(f[5], "timeout", 7) == 0) {
		out->rcode = PROBE_RCODE_TIMEOUT;
		if (flen[2] != 0 || flen[3] != 0 || flen[4] != 0) {
			*why = "a timeout has no recv_us, rtt_us or node";
			return -1;
		}
		return 0;
	}
	char rc[PROBE_RCODE_STRLEN];
	unsigned rcode;
	if (flen[5] == 0 || flen[5] >= sizeof(rc)) {
		*why = "rcode: want a name (NOERROR, SERVFAIL, ...), RCODEn or timeout";
		return -1;
	}
	memcpy(rc, f[5], flen[5]);
	rc[flen[5]] = '\0';
	if (probe_rcode_parse(rc, &rcode) != 0) {
		*why = "rcode: want a name (NOERROR, SERVFAIL, ...), RCODEn or timeout";
		return -1;
	}
	out->rcode = (int)rcode;
	if (parse_num(f[2], flen[2], &out->recv_us) != 0) {
		*why = "recv_us: not a number of microseconds (only a timeout leaves it empty)";
		return -1;
	}
	if (parse_num(f[3], flen[3], &out->rtt_us) != 0) {
		*why = "rtt_us: not a number of microseconds (only a timeout leaves it empty)";
		return -1;
	}
	if (out->recv_us < out->sent_us) {
		*why = "recv_us before sent_us";
		return -1;
	}
	if (flen[4] >= PROBE_NODE_MAX) {
		*why = "node longer than 127 characters";
		return -1;
	}
	for (size_t i = 0; i < flen[4]; i++) {
		unsigned char c = (unsigned char)f[4][i];
		if (c < 0x20 || c > 0x7e || c == '"') {
			*why = "node: control byte, non-ASCII byte or double quote";
			return -1;
		}
	}
	memcpy(out->node, f[4], flen[4]);
	out->node[flen[4]] = '\0';
	return 0;
}

static int
fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int
fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	textfile_vfail(err, errlen, name, line, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * The next line into buf (without its newline, NUL-terminated): 1, or 0
 * at the end of the file.  *toolong / *nul when it was longer than the
 * buffer or held a NUL byte (the rest of the line is consumed).
 */
static int
read_line(FILE *f, char *buf, size_t cap, bool *toolong, bool *nul)
{
	size_t n = 0;
	int c;

	*toolong = *nul = false;
	while ((c = getc(f)) != EOF && c != '\n') {
		if (c == '\0')
			*nul = true;
		if (n + 1 < cap)
			buf[n++] = (char)c;
		else
			*toolong = true;
	}
	buf[n] = '\0';
	return c == EOF && n == 0 && !*toolong && !*nul ? 0 : 1;
}

int
probe_csv_read(FILE *f, const char *name,
    int (*cb)(void *arg, const struct probe_rec *r, char *err, size_t errlen), void *arg,
    char *err, size_t errlen)
{
	char buf[PROBE_CSV_LINE_MAX + 1];
	struct probe_rec r;
	uint64_t prev = 0;
	unsigned line = 0;
	bool header = false, have_prev = false, toolong, nul;
	const char *why;

	while (read_line(f, buf, sizeof(buf), &toolong, &nul) == 1) {
		line++;
		if (toolong)
			return fail(err, errlen, name, line, "line longer than %d bytes",
			    PROBE_CSV_LINE_MAX);
		if (nul)
			return fail(err, errlen, name, line, "NUL byte in the line");
		size_t len = strlen(buf);
		if (len > 0 && buf[len - 1] == '\r')
			buf[--len] = '\0';
		if (buf[0] == '#')
			continue;
		if (!header) {
			if (strcmp(buf, PROBE_CSV_HEADER) != 0)
				return fail(err, errlen, name, line,
				    "not a riposte-probe CSV: the first line must be %s",
				    PROBE_CSV_HEADER);
			header = true;
			continue;
		}
		if (len == 0)
			return fail(err, errlen, name, line, "empty line");
		if (probe_csv_parse_line(buf, &r, &why) != 0)
			return fail(err, errlen, name, line, "%s", why);
		if (have_prev && r.seq <= prev)
			return fail(err, errlen, name, line,
			    "seq %" PRIu64 " after %" PRIu64 ": lines must be in seq order", r.seq,
			    prev);
		prev = r.seq;
		have_prev = true;
		if (cb(arg, &r, err, errlen) != 0)
			return -1;
	}
	if (ferror(f))
		return fail(err, errlen, name, line + 1, "read error");
	if (!header)
		return fail(err, errlen, name, line + 1, "no header line: empty file?");
	return 0;
}
