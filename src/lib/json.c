/*
 * json.c - the tiny JSON writer: string escaping (RFC 8259 section 7) and
 * comma bookkeeping for nested objects and arrays.
 */
#include "json.h"

#include <inttypes.h>
#include <string.h>

void
json_string_n(FILE *f, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	putc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/*
			 * RFC 8259 requires escaping below 0x20 only; DEL is
			 * escaped too because it is a control character that
			 * terminals and log viewers do not show.
			 */
			if (c < 0x20 || c == 0x7f) {
				fputs("\\u00", f);
				putc(hex[c >> 4], f);
				putc(hex[c & 0xf], f);
			} else
				putc(c, f);
			break;
		}
	}
	putc('"', f);
}

void
json_string(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		json_string_n(f, s, strlen(s));
}

void
json_init(struct json_w *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/*
 * Called before every value and every key (is_key): writes the comma that
 * separates it from its predecessor.  Returns false when the writer is, or
 * now goes, in error.
 */
static bool
json_sep(struct json_w *w, bool is_key)
{
	bool in_obj = w->depth > 0 && w->in_obj[w->depth - 1];

	if (w->err)
		return false;
	if (w->after_key) {
		if (is_key) {
			w->err = true;
			return false;
		}
		w->after_key = false;
		return true;
	}
	if (in_obj != is_key) {
		w->err = true;
		return false;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth - 1])
			putc(',', w->f);
		w->first[w->depth - 1] = false;
	}
	return true;
}

static void
json_open(struct json_w *w, bool obj)
{
	if (!json_sep(w, false))
		return;
	if (w->depth >= JSON_MAX_DEPTH) {
		w->err = true;
		return;
	}
	putc(obj ? '{' : '[', w->f);
	w->first[w->depth] = true;
	w->in_obj[w->depth] = obj;
	w->depth++;
}

static void
json_close(struct json_w *w, bool obj)
{
	/* A key without its value would leave invalid JSON behind. */
	if (w->err || w->depth == 0 || w->after_key || w->in_obj[w->depth - 1] != obj) {
		w->err = true;
		return;
	}
	w->depth--;
	putc(obj ? '}' : ']', w->f);
}

void
json_obj_begin(struct json_w *w)
{
	json_open(w, true);
}

void
json_obj_end(struct json_w *w)
{
	json_close(w, true);
}

void
json_arr_begin(struct json_w *w)
{
	json_open(w, false);
}

void
json_arr_end(struct json_w *w)
{
	json_close(w, false);
}

void
json_key(struct json_w *w, const char *key)
{
	if (key == NULL)
		w->err = true;
	if (!json_sep(w, true))
		return;
	json_string(w->f, key);
	putc(':', w->f);
	w->after_key = true;
}

void
json_str(struct json_w *w, const char *s)
{
	if (json_sep(w, false))
		json_string(w->f, s);
}

void
json_int(struct json_w *w, int64_t v)
{
	if (json_sep(w, false))
		fprintf(w->f, "%" PRId64, v);
}

void
json_uint(struct json_w *w, uint64_t v)
{
	if (json_sep(w, false))
		fprintf(w->f, "%" PRIu64, v);
}

void
json_number(struct json_w *w, const char *literal)
{
	if (json_sep(w, false))
		fputs(literal, w->f);
}

void
json_bool(struct json_w *w, bool v)
{
	if (json_sep(w, false))
		fputs(v ? "true" : "false", w->f);
}

void
json_null(struct json_w *w)
{
	if (json_sep(w, false))
		fputs("null", w->f);
}

int
json_end(struct json_w *w)
{
	if (w->err || w->depth != 0 || w->after_key)
		return -1;
	putc('\n', w->f);
	return 0;
}
