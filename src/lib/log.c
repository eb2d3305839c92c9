/*
 * log.c - logging to stderr, stdout, syslog or a file, with levels and a
 * rate limiter for lines that a peer can trigger.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static const char *log_ident = "riposte";
static enum log_dest log_dest = LOG_DEST_STDERR;
static enum log_level log_level = LOG_LVL_INFO;
static FILE *log_file;

static const struct {
	const char *name;
	const char *alias;
	enum log_level level;
} log_levels[] = {
	{ "errors", "error", LOG_LVL_ERR },
	{ "warnings", "warning", LOG_LVL_WARN },
	{ "notifications", "notice", LOG_LVL_NOTICE },
	{ "informational", "info", LOG_LVL_INFO },
	{ "debugging", "debug", LOG_LVL_DEBUG },
};

void
log_init(const char *ident)
{
	log_ident = ident;
	log_dest = LOG_DEST_STDERR;
}

int
log_configure(enum log_dest dest, const char *path, enum log_level level)
{
	if (dest == LOG_DEST_FILE) {
		FILE *f = fopen(path, "a");
		if (f == NULL)
			return -1;
		setvbuf(f, NULL, _IOLBF, 0);
		if (log_file != NULL)
			fclose(log_file);
		log_file = f;
	} else if (log_file != NULL) {
		fclose(log_file);
		log_file = NULL;
	}
	if (dest == LOG_DEST_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_dest = dest;
	log_level = level;
	return 0;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

int
log_level_parse(const char *word, enum log_level *out)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++) {
		if (strcasecmp(word, log_levels[i].name) == 0 ||
		    strcasecmp(word, log_levels[i].alias) == 0) {
			*out = log_levels[i].level;
			return 0;
		}
	}
	/* FRR also knows emergencies, alerts and critical: all map to errors. */
	if (strcasecmp(word, "emergencies") == 0 || strcasecmp(word, "alerts") == 0 ||
	    strcasecmp(word, "critical") == 0) {
		*out = LOG_LVL_ERR;
		return 0;
	}
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	for (size_t i = 0; i < sizeof(log_levels) / sizeof(log_levels[0]); i++)
		if (log_levels[i].level == level)
			return log_levels[i].name;
	return "?";
}

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap, const char *suffix)
{
	char msg[1024];

	if (level > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_dest == LOG_DEST_SYSLOG) {
		if (suffix != NULL)
			syslog((int)level, "%s: %s", msg, suffix);
		else
			syslog((int)level, "%s", msg);
		return;
	}
	FILE *out = log_dest == LOG_DEST_STDOUT ? stdout :
	    log_dest == LOG_DEST_FILE && log_file != NULL ? log_file : stderr;
	struct timespec ts;
	struct tm tm;
	char tbuf[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
	if (suffix != NULL)
		fprintf(out, "%s.%03ld %s: %s: %s\n", tbuf, ts.tv_nsec / 1000000, log_ident,
		    msg, suffix);
	else
		fprintf(out, "%s.%03ld %s: %s\n", tbuf, ts.tv_nsec / 1000000, log_ident, msg);
	fflush(out);
}

#define LOG_FN(name, level)                              \
	void name(const char *fmt, ...)                  \
	{                                                \
		va_list ap;                              \
		va_start(ap, fmt);                       \
		log_vwrite(level, fmt, ap, NULL);        \
		va_end(ap);                              \
	}

LOG_FN(log_warnx, LOG_LVL_WARN)
LOG_FN(log_notice, LOG_LVL_NOTICE)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(level, fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(LOG_LVL_WARN, fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERR, fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

void
log_rl(struct log_ratelimit *rl, int64_t now_us, enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	if (now_us - rl->window_start_us >= 10 * 1000000LL) {
		if (rl->suppressed > 0)
			log_msg(level, "(%u similar messages suppressed)", rl->suppressed);
		rl->window_start_us = now_us;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count >= rl->burst) {
		rl->suppressed++;
		return;
	}
	rl->count++;
	va_start(ap, fmt);
	log_vwrite(level, fmt, ap, NULL);
	va_end(ap);
}
