/*
 * log.c - logging to stderr, stdout, syslog or a file, with levels and a
 * rate limiter for lines that a peer can trigger.
 */
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *log_ident = "riposte";
static enum log_dest log_dest = LOG_DEST_STDERR;
static enum log_level log_level = LOG_LVL_INFO;
static FILE *log_file;
static char log_path[4096];	/* of log_file, for log_reopen() */
/*
 * stderr/stdout lines: with "<N>" first (sd-daemon(3)) when the stream is
 * not a terminal, so that journald, and any supervisor's logger that reads
 * the prefix, files the line at its level; without the timestamp and our
 * name when the stream is the journal itself ($JOURNAL_STREAM names it),
 * which records both.
 */
static bool log_prefix, log_journal;
/*
 * riposte-dns's workers log (rate limited) while the main thread may
 * reopen the file: the file and the swap under one lock, never taken on a
 * path a packet can make hot (those lines are rate limited).
 */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

/* Is fd the stream $JOURNAL_STREAM ("DEV:INODE") names? */
static bool
log_fd_is_journal(int fd)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(fd, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static void
log_stream_setup(void)
{
	int fd = log_dest == LOG_DEST_STDOUT ? STDOUT_FILENO : STDERR_FILENO;

	log_journal = log_fd_is_journal(fd);
	log_prefix = log_journal || isatty(fd) == 0;
}

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
	log_stream_setup();
}

int
log_configure(enum log_dest dest, const char *path, enum log_level level)
{
	FILE *f = NULL;

	if (dest == LOG_DEST_FILE) {
		if (strlen(path) >= sizeof(log_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if ((f = fopen(path, "ae")) == NULL)
			return -1;
		setvbuf(f, NULL, _IOLBF, 0);
	}
	if (dest == LOG_DEST_SYSLOG)
		openlog(log_ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	pthread_mutex_lock(&log_mu);
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	if (f != NULL)
		snprintf(log_path, sizeof(log_path), "%s", path);
	else
		log_path[0] = '\0';
	log_dest = dest;
	log_level = level;
	log_stream_setup();
	pthread_mutex_unlock(&log_mu);
	return 0;
}

int
log_reopen(void)
{
	FILE *f;

	if (log_dest != LOG_DEST_FILE || log_path[0] == '\0')
		return 0;
	/* The new file first: when it cannot be opened, the old one stays. */
	if ((f = fopen(log_path, "ae")) == NULL)
		return -1;
	setvbuf(f, NULL, _IOLBF, 0);
	pthread_mutex_lock(&log_mu);
	if (log_file != NULL)
		fclose(log_file);
	log_file = f;
	pthread_mutex_unlock(&log_mu);
	return 0;
}

const char *
log_file_path(void)
{
	return log_dest == LOG_DEST_FILE ? log_path : NULL;
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

/* One line to out (stderr, stdout or the file), as log_vwrite() says; under log_mu. */
static void
log_line(FILE *out, enum log_level level, const char *msg, const char *suffix)
{
	bool stream = out != log_file;
	char pfx[8] = "";
	if (stream && log_prefix)
		snprintf(pfx, sizeof(pfx), "<%d>", (int)level);
	if (stream && log_journal) {
		/* journald stamps the time and knows who we are (SyslogIdentifier). */
		fprintf(out, "%s%s%s%s\n", pfx, msg, suffix != NULL ? ": " : "",
		    suffix != NULL ? suffix : "");
	} else {
		struct timespec ts;
		struct tm tm;
		char tbuf[32];
		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
		fprintf(out, "%s%s.%03ld %s: %s%s%s\n", pfx, tbuf, ts.tv_nsec / 1000000, log_ident,
		    msg, suffix != NULL ? ": " : "", suffix != NULL ? suffix : "");
	}
	fflush(out);
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
	} else {
		pthread_mutex_lock(&log_mu);
		log_line(log_dest == LOG_DEST_STDOUT ? stdout :
		    log_dest == LOG_DEST_FILE && log_file != NULL ? log_file : stderr, level, msg,
		    suffix);
		pthread_mutex_unlock(&log_mu);
	}
	/*
	 * Errors (why we exit, mostly) go to stderr as well when the log is
	 * elsewhere: the terminal of a start in the foreground, the journal
	 * under systemd (systemctl status shows it); after daemon() stderr
	 * is /dev/null.
	 */
	if (level == LOG_LVL_ERR && (log_dest == LOG_DEST_SYSLOG || log_dest == LOG_DEST_FILE)) {
		pthread_mutex_lock(&log_mu);
		log_line(stderr, level, msg, suffix);
		pthread_mutex_unlock(&log_mu);
	}
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
