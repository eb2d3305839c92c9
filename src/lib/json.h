/*
 * json.h - a tiny JSON writer over a FILE *, for the `--json` output of the
 * control channel.
 *
 * json_string() writes one escaped string literal (RFC 8259 section 7).
 * struct json_w tracks nesting so that the commas come out right: call
 * json_key() before every value inside an object, and nothing before a
 * value inside an array.  Misuse (nesting deeper than JSON_MAX_DEPTH, an end
 * without a begin or of the wrong kind, a value without its key in an object,
 * a key in an array) is not undefined behaviour: it sets the sticky w->err
 * and the writer stops writing, so a handler checks json_end() once.
 *
 * Output is compact (no spaces): it is for programs, humans have the text
 * form.
 */
#ifndef RIPOSTE_JSON_H
#define RIPOSTE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

/*
 * A string literal with its quotes.  '"', '\\' and the control characters
 * (bytes < 0x20 and 0x7f) are escaped, \b \f \n \r \t in their short forms
 * and the others as \u00XX; bytes >= 0x80 are passed through, so UTF-8 stays
 * UTF-8.  A NULL string is written as null.
 */
void json_string(FILE *f, const char *s);
/* The same for len bytes that need not be NUL-terminated (a NUL is \u0000). */
void json_string_n(FILE *f, const char *s, size_t len);

struct json_w {
	FILE *f;
	int depth;                   /* open objects and arrays */
	bool first[JSON_MAX_DEPTH];  /* no value written yet at this depth */
	bool in_obj[JSON_MAX_DEPTH]; /* this depth is an object, not an array */
	bool after_key;              /* a key was written: the value needs no comma */
	bool err;                    /* sticky: misuse, nothing written since */
};

void json_init(struct json_w *w, FILE *f);
void json_obj_begin(struct json_w *w);
void json_obj_end(struct json_w *w);
void json_arr_begin(struct json_w *w);
void json_arr_end(struct json_w *w);
void json_key(struct json_w *w, const char *key);
void json_str(struct json_w *w, const char *s);
void json_int(struct json_w *w, int64_t v);
void json_uint(struct json_w *w, uint64_t v);
/* A number the caller formatted (e.g. "24.6"); it is written as it is. */
void json_number(struct json_w *w, const char *literal);
void json_bool(struct json_w *w, bool v);
void json_null(struct json_w *w);
/*
 * Finish a document: writes the final newline.  Returns 0, or -1 when the
 * writer was misused or the document is not closed (depth != 0).
 */
int json_end(struct json_w *w);

#endif
