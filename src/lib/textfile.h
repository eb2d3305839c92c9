/*
 * textfile.h - what every parser of a text file in riposte needs around the
 * parsing itself: reading the whole file with a size cap, and messages of
 * the form "name:line: message" with the control bytes of quoted untrusted
 * words made harmless for logs.
 */
#ifndef RIPOSTE_TEXTFILE_H
#define RIPOSTE_TEXTFILE_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Read all of path (at most max bytes) into a malloc'd buffer with a NUL
 * after the last byte.  0; or -1 with "PATH: cannot read: strerror" or
 * "PATH: file too large (max N bytes)" in err (errno EFBIG).
 */
int textfile_read(const char *path, size_t max, char **buf, size_t *len, char *err,
    size_t errlen);

/* "name:line: message" into err (if any), control bytes replaced by '?'; returns -1. */
int textfile_vfail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt,
    va_list ap) __attribute__((format(printf, 5, 0)));

/*
 * A message into an error buffer of errlen bytes (err may be NULL, errlen
 * 0: then nothing is written); returns -1, so `return textfile_err(...)`.
 */
int textfile_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Replace control bytes (< 0x20, 0x7f) by '?'. */
void textfile_sanitize(char *s);

#endif
