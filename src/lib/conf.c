/*
 * conf.c - the configuration lexer, the keyword-table lookup and the
 * schema rows (conf.h says how the pieces fit).
 */
#include "lib/conf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "lib/log.h"
#include "lib/textfile.h"

void
conf_parser_init(struct conf_parser *p, const char *prog, const char *name,
    const struct conf_table *top,
    void *top_target, const struct conf_table *const *all, size_t n_all, char *err,
    size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->prog = prog;
	p->name = name != NULL ? name : "-";
	p->top = top;
	p->top_target = top_target;
	p->all = all;
	p->n_all = n_all;
	p->err = err;
	p->errlen = errlen;
	p->line_max = CONF_LINE_MAX;
	p->words_max = CONF_WORDS_MAX;
	p->comments = "!#";
	p->quotes = false;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

int
conf_err(struct conf_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	textfile_vfail(p->err, p->errlen, p->name, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

void
conf_warn(struct conf_parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	textfile_sanitize(msg);
	log_warnx("%s:%u: %s", p->name, p->line, msg);
}

int
conf_usage(struct conf_parser *p, const struct conf_kw *kw, const char *what)
{
	return conf_err(p, "%s: %s (usage: %s)", kw->words, what, kw->help);
}

int
conf_h_ignore(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	conf_warn(p, "'%s' is not used by %s, ignored", kw->words, p->prog);
	return 0;
}

int
conf_h_unsupported(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	return conf_err(p, "'%s' is not supported by %s", kw->words, p->prog);
}

/* ---------------------------------------------------------------- values */

/* A decimal number in range; no signs, no spaces, no hex. */
int
conf_uint(struct conf_parser *p, const char *word, const char *what, uint32_t min,
    uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	/* Words are never empty: the lexer splits on runs of blanks. */
	for (i = 0; word[i] != '\0'; i++) {
		if (word[i] < '0' || word[i] > '9')
			return conf_err(p, "%s: '%s' is not a number", what, word);
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(word[i] - '0');
	}
	if (i == 0)
		return conf_err(p, "%s: '' is not a number", what);
	if (v < min || v > max)
		return conf_err(p, "%s %s out of range %u..%u", what, word, min, max);
	*out = (uint32_t)v;
	return 0;
}

/*
 * An interface name as the kernel accepts it.  An address label ("lo:0",
 * what ifconfig aliases are) names an address, not an interface: we use
 * the interface it belongs to, and say so.
 */
int
conf_ifname(struct conf_parser *p, const char *word, char out[IFNAMSIZ])
{
	size_t len = strlen(word);
	size_t nlen = strcspn(word, ":");
	size_t i;

	if (len >= IFNAMSIZ)
		return conf_err(p, "interface name '%s' too long (max %d characters)",
		    word, IFNAMSIZ - 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)word[i];
		if (c < 0x21 || c > 0x7e || c == '/')
			return conf_err(p, "invalid interface name '%s'", word);
	}
	if (nlen == 0 || (nlen == 1 && word[0] == '.') ||
	    (nlen == 2 && word[0] == '.' && word[1] == '.'))
		return conf_err(p, "invalid interface name '%s'", word);
	memset(out, 0, IFNAMSIZ);
	memcpy(out, word, nlen);
	if (nlen < len)
		conf_warn(p, "'%s' is an address label, not an interface: using interface '%s'",
		    word, out);
	return 0;
}

/*
 * Strict: one or more ASCII digits, then exactly "ms", "s" or "m".  No sign,
 * no spaces, no fractions, no bare numbers (is "200" seconds or ms?).
 */
static int
conf_duration_parse_bare(const char *s, rtime_t bare, rtime_t *out)
{
	const char *c = s;
	rtime_t v = 0, mult;

	if (s == NULL || *c < '0' || *c > '9')
		return CONF_DUR_SYNTAX;
	for (; *c >= '0' && *c <= '9'; c++) {
		/* Cap before multiplying so the accumulator cannot overflow. */
		if (v > CONF_DURATION_MAX)
			return CONF_DUR_RANGE;
		v = v * 10 + (*c - '0');
	}
	if (strcmp(c, "ms") == 0)
		mult = RTIME_MS;
	else if (strcmp(c, "s") == 0)
		mult = RTIME_SEC;
	else if (strcmp(c, "m") == 0)
		mult = 60 * RTIME_SEC;
	else if (*c == '\0' && bare != 0)
		mult = bare;
	else
		return CONF_DUR_UNIT;
	if (v > CONF_DURATION_MAX / mult)
		return CONF_DUR_RANGE;
	*out = v * mult;
	return CONF_DUR_OK;
}

int
conf_duration_parse(const char *s, rtime_t *out)
{
	return conf_duration_parse_bare(s, 0, out);
}

const char *
conf_duration_fmt(rtime_t d, char *buf, size_t len)
{
	if (d % (60 * RTIME_SEC) == 0 && d != 0)
		snprintf(buf, len, "%lldm", (long long)(d / (60 * RTIME_SEC)));
	else if (d % RTIME_SEC == 0)
		snprintf(buf, len, "%llds", (long long)(d / RTIME_SEC));
	else
		snprintf(buf, len, "%lldms", (long long)(d / RTIME_MS));
	return buf;
}

/* bare: the unit of a number without one (riposte-dns: seconds); 0: none. */
static int
conf_duration_bare(struct conf_parser *p, const char *what, const char *word, rtime_t bare,
    rtime_t *out)
{
	int rc = conf_duration_parse_bare(word, bare, out);

	/* Where a bare number is fine, a unit is never missing, only wrong. */
	size_t len = strlen(word);
	if (rc == CONF_DUR_UNIT && bare == 0 && len > 0 && word[len - 1] >= '0' &&
	    word[len - 1] <= '9')
		return conf_err(p, "%s: '%s' needs a unit: ms, s or m (e.g. 200ms, 2s)", what,
		    word);
	if (rc == CONF_DUR_UNIT) {
		/* "5h", "2sec": digits and a word that is no unit; "1.5s" is no duration. */
		size_t d = strspn(word, "0123456789");
		bool letters = d > 0 && word[d] != '\0';
		for (size_t i = d; letters && word[i] != '\0'; i++)
			letters = (word[i] >= 'a' && word[i] <= 'z') || (word[i] >= 'A' && word[i] <= 'Z');
		if (letters)
			return conf_err(p, "%s: '%s': unknown unit (ms, s or m)", what, word);
	}
	if (rc == CONF_DUR_RANGE)
		return conf_err(p, "%s: '%s' is longer than a day", what, word);
	if (rc != CONF_DUR_OK)
		return conf_err(p, "%s: '%s' is not a duration (e.g. 200ms, 2s, 1m)", what, word);
	return 0;
}

int
conf_duration(struct conf_parser *p, const char *what, const char *word, rtime_t *out)
{
	return conf_duration_bare(p, what, word, 0, out);
}

/*
 * Room for element n, or NULL (and the error set) with arr untouched.  The
 * list keeps no capacity: it doubles whenever n reaches a power of two, so
 * it is always at least the next power of two, even after removals.
 */
void *
conf_grow(struct conf_parser *p, void *arr, size_t n, size_t size, const char *what)
{
	void *a;

	if (n >= CONF_LIST_MAX) {
		conf_err(p, "too many %s (max %d)", what, CONF_LIST_MAX);
		return NULL;
	}
	if (n != 0 && (n & (n - 1)) != 0)
		return arr;
	a = realloc(arr, (n != 0 ? 2 * n : 1) * size);
	if (a == NULL)
		conf_err(p, "out of memory");
	return a;
}

/* ---------------------------------------------------------- schema rows */

int64_t
conf_field_get(const struct conf_kw *kw, const void *target)
{
	const char *f = (const char *)target + kw->offset;

	switch (kw->type) {
	case CONF_T_UINT32: { uint32_t v; memcpy(&v, f, sizeof(v)); return v; }
	case CONF_T_UINT16: { uint16_t v; memcpy(&v, f, sizeof(v)); return v; }
	case CONF_T_UINT8: { uint8_t v; memcpy(&v, f, sizeof(v)); return v; }
	case CONF_T_UNSIGNED: { unsigned v; memcpy(&v, f, sizeof(v)); return v; }
	case CONF_T_DURATION: { rtime_t v; memcpy(&v, f, sizeof(v)); return v; }
	case CONF_T_MSEC: { unsigned v; memcpy(&v, f, sizeof(v)); return v * RTIME_MS; }
	case CONF_T_FLAG_ON:
	case CONF_T_FLAG_OFF: { bool v; memcpy(&v, f, sizeof(v)); return v; }
	default: return 0;
	}
}

static void
conf_field_set(const struct conf_kw *kw, void *target, int64_t v)
{
	char *f = (char *)target + kw->offset;

	switch (kw->type) {
	case CONF_T_UINT32: { uint32_t x = (uint32_t)v; memcpy(f, &x, sizeof(x)); break; }
	case CONF_T_UINT16: { uint16_t x = (uint16_t)v; memcpy(f, &x, sizeof(x)); break; }
	case CONF_T_UINT8: { uint8_t x = (uint8_t)v; memcpy(f, &x, sizeof(x)); break; }
	case CONF_T_UNSIGNED: { unsigned x = (unsigned)v; memcpy(f, &x, sizeof(x)); break; }
	case CONF_T_DURATION: { rtime_t x = v; memcpy(f, &x, sizeof(x)); break; }
	/* Durations parse in whole ms at least, and the range keeps them in an unsigned. */
	case CONF_T_MSEC: { unsigned x = (unsigned)(v / RTIME_MS); memcpy(f, &x, sizeof(x)); break; }
	case CONF_T_FLAG_ON:
	case CONF_T_FLAG_OFF: { bool x = v != 0; memcpy(f, &x, sizeof(x)); break; }
	default: break;
	}
}

static int
conf_schema_row(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	char lo[32], hi[32];
	uint32_t u;
	rtime_t d;

	switch (kw->type) {
	case CONF_T_UINT32:
	case CONF_T_UINT16:
	case CONF_T_UINT8:
	case CONF_T_UNSIGNED:
		if (kw->zero != NULL && strcmp(argv[0], kw->zero) == 0 &&
		    !conf_word_quoted(p, argv[0])) {
			conf_field_set(kw, target, 0);
			return 0;
		}
		if (conf_uint(p, argv[0], kw->words, (uint32_t)kw->min, (uint32_t)kw->max, &u) != 0)
			return -1;
		conf_field_set(kw, target, u);
		return 0;
	case CONF_T_DURATION:
	case CONF_T_MSEC:
		if (conf_duration_bare(p, kw->words, argv[0],
		    (kw->flags & CONF_F_BARE_SECONDS) ? RTIME_SEC : 0, &d) != 0)
			return -1;
		if (d < kw->min)
			return conf_err(p, "%s %s below %s", kw->words, argv[0],
			    conf_duration_fmt(kw->min, lo, sizeof(lo)));
		if (d > kw->max)
			return conf_err(p, "%s %s above %s", kw->words, argv[0],
			    conf_duration_fmt(kw->max, hi, sizeof(hi)));
		conf_field_set(kw, target, d);
		return 0;
	case CONF_T_FLAG_ON:
		conf_field_set(kw, target, 1);
		return 0;
	case CONF_T_FLAG_OFF:
		conf_field_set(kw, target, 0);
		return 0;
	case CONF_T_IFNAME:
		return conf_ifname(p, argv[0], (char *)target + kw->offset);
	case CONF_T_HANDLER:
		break;
	}
	return kw->handler(p, kw, target, argc, argv);
}

void
conf_table_defaults(const struct conf_table *t, void *target)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct conf_kw *kw = &t->kw[i];
		/* A flag's default belongs to its positive row; `no` rows only clear. */
		if (kw->type == CONF_T_HANDLER || kw->type == CONF_T_FLAG_OFF ||
		    kw->type == CONF_T_IFNAME)
			continue;
		conf_field_set(kw, target, kw->def);
	}
}

void
conf_table_print(FILE *out, const struct conf_table *t, const void *target, const char *indent)
{
	char buf[32];

	for (size_t i = 0; i < t->n; i++) {
		const struct conf_kw *kw = &t->kw[i];
		int64_t v;

		if (kw->type == CONF_T_HANDLER) {
			if (kw->print != NULL)
				kw->print(out, kw, target, indent);
			continue;
		}
		if (kw->type == CONF_T_IFNAME) {
			fprintf(out, "%s%s %s\n", indent, kw->words,
			    (const char *)target + kw->offset);
			continue;
		}
		v = conf_field_get(kw, target);
		switch (kw->type) {
		case CONF_T_FLAG_ON:
			if (v && !kw->def)
				fprintf(out, "%s%s\n", indent, kw->words);
			break;
		case CONF_T_FLAG_OFF:
			if (!v && kw->def)
				fprintf(out, "%s%s\n", indent, kw->words);
			break;
		case CONF_T_DURATION:
		case CONF_T_MSEC:
			/* 0 where 0 is not in range means "unset, derived" (fast-interval). */
			if (v == 0 && kw->min > 0)
				break;
			fprintf(out, "%s%s %s\n", indent, kw->words,
			    conf_duration_fmt(v, buf, sizeof(buf)));
			break;
		default:
			if (v == 0 && kw->zero != NULL)
				fprintf(out, "%s%s %s\n", indent, kw->words, kw->zero);
			else
				fprintf(out, "%s%s %lld\n", indent, kw->words, (long long)v);
			break;
		}
	}
}

/* ---------------------------------------------------------------- blocks */

void
conf_block_enter(struct conf_parser *p, const char *label, bool indented_only)
{
	conf_block_leave(p);
	snprintf(p->block_label, sizeof(p->block_label), "%s", label);
	p->block_indented_only = indented_only;
}

void
conf_block_add(struct conf_parser *p, const struct conf_table *t, void *target)
{
	if (p->n_parts == CONF_BLOCK_PARTS)
		abort();	/* a table wiring mistake, not input */
	p->parts[p->n_parts] = t;
	p->targets[p->n_parts] = target;
	p->n_parts++;
}

void
conf_block_leave(struct conf_parser *p)
{
	size_t k = 0;

	/* A block's CONF_F_ONCE rows are once per block: the next one starts afresh. */
	for (size_t i = 0; i < p->n_once; i++)
		if (p->once[i].target == p->top_target)
			p->once[k++] = p->once[i];
	p->n_once = k;
	p->n_parts = 0;
	p->block_label[0] = '\0';
	p->block_indented_only = false;
}

bool
conf_in_block(const struct conf_parser *p)
{
	return p->n_parts > 0;
}

/* ----------------------------------------------------------------- lexer */

/* How many words of `words` the statement begins with, or 0.  Quoted words are text. */
static int
conf_kw_match(const char *words, int n, char **w, const bool *q)
{
	const char *s = words;
	int i = 0;

	while (*s != '\0') {
		size_t l = strcspn(s, " ");
		if (i >= n || q[i] || strlen(w[i]) != l || memcmp(w[i], s, l) != 0)
			return 0;
		i++;
		s += l;
		if (*s == ' ')
			s++;
	}
	return i;
}

static const struct conf_kw *
conf_lookup(const struct conf_table *t, int n, char **w, const bool *q, int *used)
{
	const struct conf_kw *best = NULL;

	*used = 0;
	for (size_t i = 0; i < t->n; i++) {
		int m = conf_kw_match(t->kw[i].words, n, w, q);
		if (m > *used) {
			*used = m;
			best = &t->kw[i];
		}
	}
	return best;
}

static bool
conf_is_part(const struct conf_parser *p, const struct conf_table *t)
{
	for (size_t i = 0; i < p->n_parts; i++)
		if (p->parts[i] == t)
			return true;
	return false;
}

static int
conf_unknown(struct conf_parser *p, int n, char **w, const bool *q)
{
	char stmt[96];
	size_t len = 0;
	int used;

	/* The statement as read; a quoted word in its quotes, which is why it is no keyword. */
	stmt[0] = '\0';
	for (int i = 0; i < n && len < sizeof(stmt); i++) {
		int r = snprintf(stmt + len, sizeof(stmt) - len, q[i] ? "%s\"%s\"" : "%s%s",
		    i ? " " : "", w[i]);
		len += r > 0 ? (size_t)r : 0;
	}
	if (len >= sizeof(stmt))
		memcpy(stmt + sizeof(stmt) - 4, "...", 4);

	/* Known elsewhere: say where it belongs rather than "unknown". */
	for (size_t c = 0; c < p->n_all; c++) {
		const struct conf_kw *kw;
		if (p->all[c] == p->top || conf_is_part(p, p->all[c]))
			continue;
		if ((kw = conf_lookup(p->all[c], n, w, q, &used)) != NULL)
			return conf_err(p, "'%s' is only valid under '%s'", kw->words,
			    p->all[c]->name);
	}
	if (!conf_in_block(p))
		return conf_err(p, "unknown statement '%s'", stmt);
	return conf_err(p, "in %s: unknown statement '%s'", p->block_label, stmt);
}

/* A CONF_F_ONCE row: the first use is remembered, the second is an error. */
static int
conf_once(struct conf_parser *p, const struct conf_kw *kw, const void *target)
{
	for (size_t i = 0; i < p->n_once; i++)
		if (p->once[i].kw == kw && p->once[i].target == target)
			return conf_err(p, "%s: already set at line %u", kw->words,
			    p->once[i].line);
	/* Bounded by the tables' rows, not by the input (blocks drop theirs). */
	if (p->n_once == CONF_ONCE_MAX)
		abort();
	p->once[p->n_once++] = (struct conf_once){ .kw = kw, .target = target,
	    .line = p->line };
	return 0;
}

static int
conf_statement(struct conf_parser *p, int n, char **w, const bool *q, bool indented)
{
	const struct conf_kw *kw = NULL;
	void *target = p->top_target;
	int used = 0, argc;

	if (p->block_indented_only && !indented)
		conf_block_leave(p);
	for (size_t i = 0; i < p->n_parts; i++) {
		int u;
		const struct conf_kw *k = conf_lookup(p->parts[i], n, w, q, &u);
		if (k != NULL && u > used) {
			kw = k;
			used = u;
			target = p->targets[i];
		}
	}
	if (kw == NULL && conf_in_block(p)) {
		kw = conf_lookup(p->top, n, w, q, &used);
		if (kw != NULL) {
			conf_block_leave(p);
			target = p->top_target;
		} else {
			for (size_t i = 0; i < p->n_parts; i++)
				if (p->parts[i]->other != NULL)
					return p->parts[i]->other(p, NULL, p->targets[i], n, w);
		}
	} else if (kw == NULL) {
		kw = conf_lookup(p->top, n, w, q, &used);
	}
	if (kw == NULL)
		return conf_unknown(p, n, w, q);
	argc = n - used;
	if (argc < kw->min_args)
		return conf_usage(p, kw, "missing argument");
	if (kw->max_args != CONF_ARGS_ANY && argc > kw->max_args)
		return conf_usage(p, kw, "too many arguments");
	if ((kw->flags & CONF_F_ONCE) && conf_once(p, kw, target) != 0)
		return -1;
	return conf_schema_row(p, kw, target, argc, w + used);
}

static bool
conf_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * Split the line (NUL-terminated, modified in place) into words: runs of
 * non-blanks or, with p->quotes, "quoted strings", unescaped in place (the
 * text only shrinks, so every word still starts where it was written).
 * The number of words, or -1 with the error set.
 */
static int
conf_split(struct conf_parser *p, char *s, char **w, bool *q)
{
	int n = 0;

	for (;;) {
		char *out;

		while (conf_is_space(*s))
			s++;
		if (*s == '\0' || strchr(p->comments, *s) != NULL)
			return n;
		if (n == p->words_max)
			return conf_err(p, "too many words (max %d)", p->words_max);
		if (!p->quotes || *s != '"') {
			q[n] = false;
			w[n++] = s;
			while (*s != '\0' && !conf_is_space(*s))
				s++;
			if (*s != '\0')
				*s++ = '\0';
			continue;
		}
		out = ++s;
		q[n] = true;
		w[n++] = out;
		for (;;) {
			if (*s == '\0')
				return conf_err(p, "missing closing quote");
			if (*s == '"')
				break;
			if (*s == '\\') {
				if (s[1] != '"' && s[1] != '\\')
					return conf_err(p, "invalid escape in quoted text "
					    "(only \\\" and \\\\)");
				s++;
			}
			*out++ = *s++;
		}
		s++;
		if (*s != '\0' && !conf_is_space(*s))
			return conf_err(p, "text after closing quote");
		*out = '\0';
	}
}

/* One line of at most p->line_max bytes, no NUL, no '\n'. */
static int
conf_line(struct conf_parser *p, const char *line, size_t len)
{
	char buf[CONF_LINE_CEIL + 1];
	char raw[CONF_LINE_CEIL + 1];
	char *w[CONF_WORDS_CEIL];
	bool q[CONF_WORDS_CEIL];
	int n, rc = 0;

	memcpy(buf, line, len);
	buf[len] = '\0';
	memcpy(raw, line, len);
	raw[len] = '\0';
	p->line_words = buf;
	p->line_raw = raw;
	p->line_w = w;
	p->line_quoted = q;
	p->line_n = 0;
	n = conf_split(p, buf, w, q);
	if (n > 0) {
		p->line_n = n;
		rc = conf_statement(p, n, w, q, w[0] != buf);
	}
	p->line_words = p->line_raw = NULL;
	p->line_w = NULL;
	p->line_quoted = NULL;
	p->line_n = 0;
	return n < 0 ? -1 : rc;
}

const char *
conf_raw_from(const struct conf_parser *p, const char *word)
{
	/* A quoted word's text starts after its opening quote. */
	return p->line_raw + (word - p->line_words) - conf_word_quoted(p, word);
}

bool
conf_word_quoted(const struct conf_parser *p, const char *word)
{
	for (int i = 0; i < p->line_n; i++)
		if (p->line_w[i] == word)
			return p->line_quoted[i];
	return false;
}

/* Blanks, comment characters anywhere and the escapes need quotes. */
static bool
conf_word_bare(const char *s, bool force)
{
	return !force && s[0] != '\0' && strpbrk(s, " \t\r\v\f!#\"\\") == NULL;
}

size_t
conf_word_len(const char *s, bool force)
{
	size_t len = strlen(s);

	if (conf_word_bare(s, force))
		return len;
	for (const char *c = s; *c != '\0'; c++)
		len += *c == '"' || *c == '\\';
	return len + 2;
}

void
conf_print_word(FILE *out, const char *s, bool force)
{
	if (conf_word_bare(s, force)) {
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

int
conf_parse_buf(struct conf_parser *p, const char *buf, size_t len)
{
	size_t pos = 0;

	/* The dialect is the caller's wiring, not input. */
	if (p->line_max > CONF_LINE_CEIL || p->words_max < 1 ||
	    p->words_max > CONF_WORDS_CEIL || p->comments == NULL)
		abort();
	if (buf == NULL)
		len = 0;
	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - line) : len - pos;

		pos += llen + (nl != NULL);
		p->line++;
		if (memchr(line, '\0', llen) != NULL)
			return conf_err(p, "NUL byte in line");
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen > p->line_max)
			return conf_err(p, "line too long (max %zu bytes)", p->line_max);
		if (conf_line(p, line, llen) != 0)
			return -1;
	}
	return 0;
}

int
conf_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
	return textfile_read(path, CONF_FILE_MAX, buf, len, err, errlen);
}
