/*
 * conf.h - the configuration lexer and keyword tables that riposted's
 * modules (rip/, bfd/, health/, the top level in riposted/) and riposte-dns
 * share.
 *
 * The input is untrusted bytes with an explicit length.  Lines end at '\n'
 * (a trailing '\r' is dropped, so CRLF files load) and are split into words
 * on blanks; a comment character ('!' or '#') at the start of a word starts
 * a comment.  NUL bytes, lines over line_max bytes and more than words_max
 * words are errors.  Errors are "name:line: message"; parsing stops at the
 * first.
 *
 * The dialect is the parser's, set after conf_parser_init(): riposted's
 * (FRR's) is the default: 1024-byte lines, 64 words, '!' and '#' comments,
 * no quotes.  riposte-dns sets 4096 bytes, 16 words, '#' only, and
 * `quotes`: then a word may be "a quoted string" in which \" and \\ stand
 * for themselves; a quoted word is never a keyword (`version "hide"` is the
 * text hide), and conf_word_quoted() tells a handler which words were.
 *
 * Statements are looked up in keyword tables (struct conf_table): the
 * longest row whose fixed words begin the statement wins.  Each module owns
 * its tables and the struct they fill; the caller (a daemon's top-level
 * grammar) says which table is the top level and enters blocks:
 *
 *	conf_block_enter(p, "interface eth0", false);
 *	conf_block_add(p, &rip_conf_iface_table, rip_iface);
 *	conf_block_add(p, &bfd_conf_iface_table, bfd_iface);
 *
 * so one `interface` block feeds two modules, each through its own table
 * and its own struct.  A statement that the current block does not know is
 * tried at top level, which leaves the block: FRR's vtysh falls back to the
 * parent node the same way, which is why its files need no `exit`.  A block
 * entered with `indented_only` also ends at the first unindented line: a
 * `service` block shares words with the top level (`interface`), so its
 * statements must be indented.
 *
 * Rows are a schema where they can be: a type, the offset of the field in
 * the target struct, a range and a default (conf_table_defaults() applies
 * the defaults, conf_table_print() writes the canonical lines).  Rows
 * that need more (several values, lists, cross-checks) have a handler,
 * which gets the block's target; `value` is a constant that the row stands
 * for (an enum value), never a selector of the field to write.
 */
#ifndef RIPOSTE_LIB_CONF_H
#define RIPOSTE_LIB_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/clock.h"

/* riposted's limits, the default; a parser may set others up to the ceilings. */
#define CONF_LINE_MAX 1024
#define CONF_WORDS_MAX 64
/* The lexer's buffers: the most any parser may set. */
#define CONF_LINE_CEIL 4096
#define CONF_WORDS_CEIL 64
#define CONF_FILE_MAX (4u * 1024 * 1024)
/* Entries per list: bounds the linear duplicate checks (and the memory). */
#define CONF_LIST_MAX 1024
#define CONF_ARGS_ANY -1
/* Tables one block can feed (interface: RIP and BFD). */
#define CONF_BLOCK_PARTS 4
/* CONF_F_ONCE rows of the top level and the current block, together. */
#define CONF_ONCE_MAX 32

/* Largest duration conf_duration_parse() accepts: one day. */
#define CONF_DURATION_MAX (24LL * 3600 * RTIME_SEC)

struct conf_parser;
struct conf_kw;

typedef int conf_handler(struct conf_parser *p, const struct conf_kw *kw, void *target,
    int argc, char **argv);
/* Prints a handler row's statements for --print (conf_table_print calls it). */
typedef void conf_printer(FILE *out, const struct conf_kw *kw, const void *target,
    const char *indent);

enum conf_type {
	CONF_T_HANDLER = 0,	/* the row's handler does the work */
	CONF_T_UINT32,		/* uint32_t, decimal, min..max */
	CONF_T_UINT16,		/* uint16_t, decimal, min..max */
	CONF_T_UINT8,		/* uint8_t, decimal, min..max */
	CONF_T_UNSIGNED,	/* unsigned int, decimal, min..max */
	CONF_T_DURATION,	/* rtime_t from "200ms", "2s", "1m"; min..max in rtime_t */
	CONF_T_MSEC,		/* unsigned int in ms, from a duration; min..max in rtime_t */
	CONF_T_FLAG_ON,		/* bool := true (no argument) */
	CONF_T_FLAG_OFF,	/* bool := false: the `no` form of a CONF_T_FLAG_ON row */
	CONF_T_IFNAME,		/* char[IFNAMSIZ]: an interface name (a label "lo:0" -> "lo") */
};

/* Row flags. */
#define CONF_F_ONCE		0x1	/* "X: already set at line N" the second time
					   (per target: once per block) */
#define CONF_F_BARE_SECONDS	0x2	/* durations: a number without a unit is seconds */

struct conf_kw {
	const char *words;	/* fixed leading words, separated by one space */
	int min_args;		/* arguments after the fixed words */
	int max_args;		/* or CONF_ARGS_ANY */
	enum conf_type type;
	size_t offset;		/* of the field in the block's target (schema rows) */
	int64_t min, max;	/* range (schema rows) */
	int64_t def;		/* default (schema rows; flags: 0 or 1) */
	conf_handler *handler;	/* CONF_T_HANDLER rows */
	conf_printer *print;	/* CONF_T_HANDLER rows that --print shows */
	int value;		/* a constant the row stands for, for its handler */
	const char *help;	/* the usage, in messages */
	unsigned flags;		/* CONF_F_* */
	const char *zero;	/* numbers: an unquoted word for 0, outside min..max
				   ("workers auto"); printed for 0 */
};

/* Table rows, by kind.  `st` is the block's target struct. */
#define CONF_KW_H(w, amin, amax, fn, val, hlp) \
	{ .words = (w), .min_args = (amin), .max_args = (amax), .type = CONF_T_HANDLER, \
	  .handler = (fn), .value = (val), .help = (hlp) }
#define CONF_KW_HP(w, amin, amax, fn, pr, val, hlp) \
	{ .words = (w), .min_args = (amin), .max_args = (amax), .type = CONF_T_HANDLER, \
	  .handler = (fn), .print = (pr), .value = (val), .help = (hlp) }
#define CONF_KW_NUM(w, t, st, field, lo, hi, d, hlp) \
	{ .words = (w), .min_args = 1, .max_args = 1, .type = (t), \
	  .offset = offsetof(st, field), .min = (lo), .max = (hi), .def = (d), .help = (hlp) }
#define CONF_KW_FLAG(w, t, st, field, d, hlp) \
	{ .words = (w), .min_args = 0, .max_args = 0, .type = (t), \
	  .offset = offsetof(st, field), .def = (d), .help = (hlp) }
/* The same with flags (CONF_F_*). */
#define CONF_KW_HPF(w, amin, amax, fn, pr, fl, hlp) \
	{ .words = (w), .min_args = (amin), .max_args = (amax), .type = CONF_T_HANDLER, \
	  .handler = (fn), .print = (pr), .flags = (fl), .help = (hlp) }
#define CONF_KW_NUMF(w, t, st, field, lo, hi, d, fl, hlp) \
	{ .words = (w), .min_args = 1, .max_args = 1, .type = (t), \
	  .offset = offsetof(st, field), .min = (lo), .max = (hi), .def = (d), \
	  .flags = (fl), .help = (hlp) }
#define CONF_KW_IFNAME(w, st, field, hlp) \
	{ .words = (w), .min_args = 1, .max_args = 1, .type = CONF_T_IFNAME, \
	  .offset = offsetof(st, field), .help = (hlp) }

struct conf_table {
	const char *name;	/* the block, for messages: "router rip", "interface IFNAME" */
	const struct conf_kw *kw;
	size_t n;
	conf_handler *other;	/* what neither this table nor the top level knows */
};

struct conf_parser {
	const char *prog;	/* "riposted": says who ignores what */
	const char *name;	/* file name, for messages */
	unsigned line;
	char *err;
	size_t errlen;
	void *user;		/* the caller's whole configuration */

	const struct conf_table *top;
	void *top_target;
	/* Every block table, to say "'X' is only valid under 'Y'". */
	const struct conf_table *const *all;
	size_t n_all;

	/* The dialect (conf_parser_init sets riposted's; change before parsing). */
	size_t line_max;	/* bytes per line, at most CONF_LINE_CEIL */
	int words_max;		/* words per line, 1..CONF_WORDS_CEIL */
	const char *comments;	/* characters that start a comment at a word's start */
	bool quotes;		/* "quoted words" with \" and \\ */

	/* The line being parsed: as split into words, and as written. */
	const char *line_words;
	const char *line_raw;
	char *const *line_w;
	const bool *line_quoted;
	int line_n;

	/* Where each CONF_F_ONCE row was first used, by target. */
	struct conf_once {
		const struct conf_kw *kw;
		const void *target;
		unsigned line;
	} once[CONF_ONCE_MAX];
	size_t n_once;

	/* The current block; n_parts == 0 at top level. */
	char block_label[96];
	bool block_indented_only;
	size_t n_parts;
	const struct conf_table *parts[CONF_BLOCK_PARTS];
	void *targets[CONF_BLOCK_PARTS];
};

void	 conf_parser_init(struct conf_parser *p, const char *prog, const char *name,
	    const struct conf_table *top, void *top_target,
	    const struct conf_table *const *all, size_t n_all, char *err, size_t errlen);
/* Parse the whole buffer; 0, or -1 with the error in p->err. */
int	 conf_parse_buf(struct conf_parser *p, const char *buf, size_t len);
/* Read a configuration file of at most CONF_FILE_MAX bytes; "PATH: cannot read: ..." */
int	 conf_read_file(const char *path, char **buf, size_t *len, char *err, size_t errlen);

/* Enter a block (leaving the current one); then feed it tables. */
void	 conf_block_enter(struct conf_parser *p, const char *label, bool indented_only);
void	 conf_block_add(struct conf_parser *p, const struct conf_table *t, void *target);
void	 conf_block_leave(struct conf_parser *p);
bool	 conf_in_block(const struct conf_parser *p);

/* Messages: conf_err() returns -1 so a handler can `return conf_err(...)`. */
int	 conf_err(struct conf_parser *p, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	 conf_warn(struct conf_parser *p, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	 conf_usage(struct conf_parser *p, const struct conf_kw *kw, const char *what);
/* Handlers for rows of other daemons' dialects: a warning, or an error. */
conf_handler conf_h_ignore;
conf_handler conf_h_unsupported;

/*
 * The statement's text as written, from the word `word` (one of a handler's
 * argv) to the end of the line, comment included: for arguments with a
 * syntax of their own (a command line with quotes).
 */
const char *conf_raw_from(const struct conf_parser *p, const char *word);
/* Whether a handler's argument was "quoted" (only with p->quotes). */
bool	 conf_word_quoted(const struct conf_parser *p, const char *word);
/*
 * A word as a parser with quotes reads it back: bare when it can be,
 * else quoted with \" and \\ (always when `force`: "hide" as text).
 */
void	 conf_print_word(FILE *out, const char *s, bool force);
/* Its length as conf_print_word() prints it. */
size_t	 conf_word_len(const char *s, bool force);

/* Values, for handlers. */
int	 conf_uint(struct conf_parser *p, const char *word, const char *what, uint32_t min,
	    uint32_t max, uint32_t *out);
int	 conf_ifname(struct conf_parser *p, const char *word, char out[IFNAMSIZ]);
int	 conf_duration(struct conf_parser *p, const char *what, const char *word, rtime_t *out);
/* Room for element n of a list that doubles at powers of two, or NULL (error set). */
void	*conf_grow(struct conf_parser *p, void *arr, size_t n, size_t size, const char *what);

/*
 * "200ms", "2s", "1m" -> rtime_t.  0 or a negative conf_duration_err; the
 * value must be below CONF_DURATION_MAX.
 */
enum conf_duration_err {
	CONF_DUR_OK = 0,
	CONF_DUR_SYNTAX = -1,	/* not digits followed by a unit */
	CONF_DUR_UNIT = -2,	/* missing or unknown unit */
	CONF_DUR_RANGE = -3,	/* above CONF_DURATION_MAX */
};
int	 conf_duration_parse(const char *s, rtime_t *out);
/* The largest unit that states the duration exactly: "2s", "250ms", "1m". */
const char *conf_duration_fmt(rtime_t d, char *buf, size_t len);

/*
 * Schema rows: set every default.  Print in table order: numbers and
 * durations always (a duration 0 below its range means "unset" and is
 * left out), flags where they differ from the default, interface names
 * always, handler rows through their printer.
 */
void	 conf_table_defaults(const struct conf_table *t, void *target);
void	 conf_table_print(FILE *out, const struct conf_table *t, const void *target,
	    const char *indent);
/* A schema row's value (durations, CONF_T_MSEC too, in rtime_t), for tests and printers. */
int64_t	 conf_field_get(const struct conf_kw *kw, const void *target);

#endif
