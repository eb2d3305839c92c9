/*
 * log.h - the one logging API of riposte.
 *
 * log_warn() appends strerror(errno); log_warnx() does not.  fatal() and
 * fatalx() are for start-up errors and broken invariants only, never for
 * anything a peer sends.  Lines a peer can trigger go through a
 * struct log_ratelimit so a flood cannot flood the log.
 */
#ifndef RIPOSTE_LOG_H
#define RIPOSTE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARN = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

enum log_dest {
	LOG_DEST_STDERR,
	LOG_DEST_STDOUT,
	LOG_DEST_SYSLOG,
	LOG_DEST_FILE,
};

/* Start logging to stderr at INFO; the daemon reconfigures after reading its config. */
void log_init(const char *ident);
/* Returns 0, or -1 with errno set when the file cannot be opened (old destination kept). */
int log_configure(enum log_dest dest, const char *path, enum log_level level);
/*
 * Open the log file again under its name (after logrotate moved it: the
 * daemons' SIGUSR1).  0, also when not logging to a file; -1 with errno
 * when it cannot be opened (the old file stays in use).
 */
int log_reopen(void);
/* The log file's path, NULL when not logging to a file. */
const char *log_file_path(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* "errors", "warnings", "notifications", "informational", "debugging" (FRR names) and short forms. */
int log_level_parse(const char *word, enum log_level *out);
const char *log_level_name(enum log_level level);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * At most `burst` lines per 10 s window per limiter; the first line of the
 * next window says how many were suppressed.
 */
struct log_ratelimit {
	int64_t window_start_us;
	unsigned burst;
	unsigned count;
	unsigned suppressed;
};
#define LOG_RATELIMIT_INIT(b) { 0, (b), 0, 0 }
void log_rl(struct log_ratelimit *rl, int64_t now_us, enum log_level level,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
