/*
 * prom.c - the Prometheus exposition writer (prom.h).  The formats:
 * "Exposition formats" of the Prometheus documentation (text 0.0.4) and
 * the OpenMetrics 1.0 specification (label values and HELP escaped as
 * \\ \" \n; counters' families without _total; "# EOF" at the end).
 */
#include "prom.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
prom_hist_init(struct prom_hist *h, const double *bounds, unsigned n)
{
	memset(h, 0, sizeof(*h));
	h->bounds = bounds;
	h->n = n > PROM_HIST_MAX ? PROM_HIST_MAX : n;
}

void
prom_hist_observe(struct prom_hist *h, double v)
{
	unsigned i = 0;

	if (isnan(v))
		return;
	while (i < h->n && v > h->bounds[i])
		i++;
	h->counts[i]++;
	h->count++;
	h->sum += v;
}

void
prom_init(struct prom_w *w, FILE *f, bool openmetrics)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->openmetrics = openmetrics;
}

static bool
prom_name_ok(const char *s, bool colon)
{
	if (s == NULL || *s == '\0')
		return false;
	for (size_t i = 0; s[i] != '\0'; i++) {
		char c = s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		    (colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
		if (!ok)
			return false;
	}
	return true;
}

/* HELP text: \\ and newline escaped, and '"' too in OpenMetrics. */
static void
prom_help_text(const struct prom_w *w, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", w->f);
		else if (*s == '\n')
			fputs("\\n", w->f);
		else if (*s == '"' && w->openmetrics)
			fputs("\\\"", w->f);
		else
			fputc(*s, w->f);
	}
}

static void
prom_label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

void
prom_family(struct prom_w *w, const char *name, enum prom_type type, const char *help)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	const char *total;

	if (w->err)
		return;
	if (!prom_name_ok(name, true) || strlen(name) + sizeof("_total") > PROM_NAME_MAX ||
	    (unsigned)type > PROM_HISTOGRAM) {
		w->err = true;
		return;
	}
	memcpy(w->family, name, strlen(name) + 1);
	w->type = type;
	w->open = true;
	total = type == PROM_COUNTER && !w->openmetrics ? "_total" : "";
	fprintf(w->f, "# HELP %s%s ", name, total);
	prom_help_text(w, help != NULL ? help : "");
	fprintf(w->f, "\n# TYPE %s%s %s\n", name, total, types[type]);
}

/* Up to PROM_LABELS_MAX name/value pairs from ap, plus an optional le; false on misuse. */
struct prom_labels {
	const char *name[PROM_LABELS_MAX + 1];
	const char *value[PROM_LABELS_MAX + 1];
	unsigned n;
};

static bool
prom_labels_take(struct prom_labels *l, va_list ap)
{
	const char *k;

	l->n = 0;
	while ((k = va_arg(ap, const char *)) != NULL) {
		const char *v = va_arg(ap, const char *);
		/* "le" is the histogram's own label; "__" names are reserved. */
		if (l->n == PROM_LABELS_MAX || !prom_name_ok(k, false) || v == NULL ||
		    strncmp(k, "__", 2) == 0 || strcmp(k, "le") == 0)
			return false;
		l->name[l->n] = k;
		l->value[l->n++] = v;
	}
	return true;
}

static void
prom_labels_put(FILE *f, const struct prom_labels *l, const char *le)
{
	if (l->n == 0 && le == NULL)
		return;
	fputc('{', f);
	for (unsigned i = 0; i < l->n; i++) {
		fprintf(f, "%s%s=", i > 0 ? "," : "", l->name[i]);
		prom_label_value(f, l->value[i]);
	}
	if (le != NULL) {
		fprintf(f, "%sle=", l->n > 0 ? "," : "");
		prom_label_value(f, le);
	}
	fputc('}', f);
}

/* The shortest text that reads back as the same double; +Inf, -Inf, NaN by name. */
static void
prom_double(char *buf, size_t len, double v)
{
	if (isnan(v)) {
		snprintf(buf, len, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, len, "%sInf", v > 0 ? "+" : "-");
		return;
	}
	/* Whole numbers as integers ("10", not "1e+01"): bucket bounds read better. */
	if (v == (double)(long long)v && fabs(v) < 1e15) {
		snprintf(buf, len, "%lld", (long long)v);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

static bool
prom_sample_ok(struct prom_w *w, const char *suffix)
{
	if (w->err)
		return false;
	if (!w->open || suffix == NULL || (suffix[0] != '\0' && !prom_name_ok(suffix, true)) ||
	    strlen(w->family) + strlen(suffix) + sizeof("_total") > PROM_NAME_MAX) {
		w->err = true;
		return false;
	}
	return true;
}

static void
prom_sample(struct prom_w *w, const char *suffix, const char *value, va_list ap)
{
	struct prom_labels l;

	if (!prom_sample_ok(w, suffix))
		return;
	if (!prom_labels_take(&l, ap)) {
		w->err = true;
		return;
	}
	fprintf(w->f, "%s%s%s", w->family, suffix, w->type == PROM_COUNTER ? "_total" : "");
	prom_labels_put(w->f, &l, NULL);
	fprintf(w->f, " %s\n", value);
}

void
prom_u64(struct prom_w *w, const char *suffix, uint64_t v, ...)
{
	char buf[32];
	va_list ap;

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	va_start(ap, v);
	prom_sample(w, suffix, buf, ap);
	va_end(ap);
}

void
prom_f64(struct prom_w *w, const char *suffix, double v, ...)
{
	char buf[40];
	va_list ap;

	prom_double(buf, sizeof(buf), v);
	va_start(ap, v);
	prom_sample(w, suffix, buf, ap);
	va_end(ap);
}

void
prom_hist(struct prom_w *w, const struct prom_hist *h, ...)
{
	struct prom_labels l;
	char le[40], sum[40];
	uint64_t cum = 0;
	va_list ap;

	if (!prom_sample_ok(w, "") || w->type != PROM_HISTOGRAM) {
		w->err = true;
		return;
	}
	va_start(ap, h);
	bool ok = prom_labels_take(&l, ap);
	va_end(ap);
	if (!ok) {
		w->err = true;
		return;
	}
	for (unsigned i = 0; i <= h->n; i++) {
		cum += h->counts[i];
		if (i < h->n)
			prom_double(le, sizeof(le), h->bounds[i]);
		else
			snprintf(le, sizeof(le), "+Inf");
		fprintf(w->f, "%s_bucket", w->family);
		prom_labels_put(w->f, &l, le);
		fprintf(w->f, " %llu\n", (unsigned long long)cum);
	}
	prom_double(sum, sizeof(sum), h->sum);
	fprintf(w->f, "%s_sum", w->family);
	prom_labels_put(w->f, &l, NULL);
	fprintf(w->f, " %s\n%s_count", sum, w->family);
	prom_labels_put(w->f, &l, NULL);
	fprintf(w->f, " %llu\n", (unsigned long long)h->count);
}

int
prom_end(struct prom_w *w)
{
	if (!w->err && w->openmetrics)
		fputs("# EOF\n", w->f);
	if (fflush(w->f) != 0 || ferror(w->f))
		return -1;
	return w->err ? -1 : 0;
}

/*
 * Prometheus 2.x asks with "application/openmetrics-text;version=1.0.0,
 * application/openmetrics-text;version=0.0.1;q=0.75,
 * text/plain;version=0.0.4;q=0.5" and a catch-all at q=0.1, in its order of
 * preference; an OpenMetrics media range with q=0 is a refusal.
 */
bool
prom_accepts_openmetrics(const char *accept)
{
	static const char om[] = "application/openmetrics-text";
	const char *p = accept;

	if (accept == NULL)
		return false;
	while ((p = strstr(p, om)) != NULL) {
		const char *end = p + strcspn(p, ",");
		const char *q = p;
		bool refused = false;
		while ((q = strstr(q, "q=")) != NULL && q < end) {
			if (strtod(q + 2, NULL) <= 0.)
				refused = true;
			q += 2;
		}
		if (!refused)
			return true;
		p = end;
	}
	return false;
}

int
prom_listen_parse(const char *s, uint16_t def_port, struct prom_listen *out)
{
	char addr[INET6_ADDRSTRLEN + 2];
	const char *port = NULL, *a = s;
	size_t alen;
	unsigned long pv = def_port;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || (close[1] != '\0' && close[1] != '@'))
			return -1;
		a = s + 1;
		alen = (size_t)(close - a);
		if (close[1] == '@')
			port = close + 2;
	} else {
		const char *at = strrchr(s, '@');
		alen = at != NULL ? (size_t)(at - s) : strlen(s);
		if (at != NULL)
			port = at + 1;
	}
	if (alen == 0 || alen >= sizeof(addr))
		return -1;
	memcpy(addr, a, alen);
	addr[alen] = '\0';
	if (port != NULL) {
		char *end;
		if (port[0] < '0' || port[0] > '9' || strlen(port) > 5)
			return -1;
		pv = strtoul(port, &end, 10);
		if (*end != '\0' || pv == 0 || pv > 65535)
			return -1;
	}
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;
	if (s[0] != '[' && inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)pv);
		out->salen = sizeof(*v4);
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)pv);
		out->salen = sizeof(*v6);
	} else {
		return -1;
	}
	return 0;
}

const char *
prom_listen_str(const struct prom_listen *l, char out[PROM_LISTEN_STRLEN])
{
	char a[INET6_ADDRSTRLEN];

	if (l->sa.ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)&l->sa;
		inet_ntop(AF_INET, &v4->sin_addr, a, sizeof(a));
		snprintf(out, PROM_LISTEN_STRLEN, "%s@%u", a, ntohs(v4->sin_port));
	} else if (l->sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&l->sa;
		inet_ntop(AF_INET6, &v6->sin6_addr, a, sizeof(a));
		snprintf(out, PROM_LISTEN_STRLEN, "[%s]@%u", a, ntohs(v6->sin6_port));
	} else {
		snprintf(out, PROM_LISTEN_STRLEN, "-");
	}
	return out;
}

const char *
prom_listen_url(const struct prom_listen *l, char out[PROM_URL_STRLEN])
{
	char a[PROM_LISTEN_STRLEN];
	char *at;

	prom_listen_str(l, a);
	if ((at = strrchr(a, '@')) != NULL)
		*at = ':';
	snprintf(out, PROM_URL_STRLEN, "http://%s/metrics", a);
	return out;
}

bool
prom_listen_equal(const struct prom_listen *a, const struct prom_listen *b)
{
	char x[PROM_LISTEN_STRLEN], y[PROM_LISTEN_STRLEN];

	return strcmp(prom_listen_str(a, x), prom_listen_str(b, y)) == 0;
}

int
prom_listen_add(struct prom_listen l[PROM_LISTEN_MAX], size_t *n, const char *word,
    uint16_t def_port, unsigned line, char *err, size_t errlen)
{
	struct prom_listen x;
	char a[PROM_LISTEN_STRLEN];

	if (prom_listen_parse(word, def_port, &x) != 0) {
		snprintf(err, errlen, "metrics listen: '%s' is not ADDRESS[@PORT] (IPv4, or IPv6 "
		    "in [brackets]; port 1..65535)", word);
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		if (prom_listen_equal(&l[i], &x)) {
			snprintf(err, errlen, "metrics listen %s: given twice (line %u)",
			    prom_listen_str(&x, a), l[i].line);
			return -1;
		}
	if (*n == PROM_LISTEN_MAX) {
		snprintf(err, errlen, "metrics listen: at most %d addresses", PROM_LISTEN_MAX);
		return -1;
	}
	x.line = line;
	l[(*n)++] = x;
	return 0;
}
