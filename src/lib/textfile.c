/*
 * textfile.c - whole-file reads with a cap, and file:line messages.
 */
#include "textfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
textfile_read(const char *path, size_t max, char **bufp, size_t *lenp, char *err, size_t errlen)
{
	FILE *f;
	char *buf;
	size_t len = 0;
	int saved;

	*bufp = NULL;
	*lenp = 0;
	if ((f = fopen(path, "rb")) == NULL)
		goto fail_errno;
	/* One byte more than the cap tells "too large" from "exactly the cap". */
	if ((buf = malloc(max + 2)) == NULL) {
		fclose(f);
		goto fail_errno;
	}
	while (len <= max) {
		size_t r = fread(buf + len, 1, max + 1 - len, f);
		if (r == 0)
			break;
		len += r;
	}
	if (ferror(f)) {
		saved = errno != 0 ? errno : EIO;
		free(buf);
		fclose(f);
		errno = saved;
		goto fail_errno;
	}
	fclose(f);
	if (len > max) {
		free(buf);
		errno = EFBIG;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: file too large (max %zu bytes)", path, max);
		return -1;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;

fail_errno:
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
	return -1;
}

void
textfile_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

int
textfile_vfail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt,
    va_list ap)
{
	char msg[512];

	if (err == NULL || errlen == 0)
		return -1;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(err, errlen, "%s:%u: %s", name, line, msg);
	textfile_sanitize(err);
	return -1;
}

int
textfile_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}
