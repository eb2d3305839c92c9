/*
 * csv.h - riposte-probe's record of one query and its CSV form.
 *
 *   seq,sent_us,recv_us,rtt_us,node,rcode
 *   0,1764133200123456,1764133200123581,125,s1,NOERROR
 *   1,1764133200124456,,,,timeout
 *
 * sent_us and recv_us are CLOCK_REALTIME microseconds since the epoch (the
 * unit of bash's $EPOCHREALTIME without its dot), rtt_us = recv_us - sent_us
 * measured on the monotonic clock.  A query without a reply in time has
 * recv_us, rtt_us and node empty and rcode "timeout".  Nodes never contain
 * a comma or a double quote (reply.c writes such names as hex), so a line
 * splits on its commas.  Lines are in seq order.
 *
 * The reader is for --analyze: it takes the header, then records, and
 * rejects anything else with "FILE:LINE: message".  Lines starting with '#'
 * are comments; a trailing CR is ignored.
 */
#ifndef RIPOSTE_PROBE_CSV_H
#define RIPOSTE_PROBE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "reply.h"

#define PROBE_CSV_HEADER "seq,sent_us,recv_us,rtt_us,node,rcode"
#define PROBE_CSV_LINE_MAX 512       /* longest line the reader takes */
#define PROBE_RCODE_TIMEOUT (-1)

struct probe_rec {
	uint64_t seq;
	int64_t sent_us;              /* CLOCK_REALTIME, µs since the epoch */
	int64_t recv_us;              /* 0 when rcode is PROBE_RCODE_TIMEOUT */
	int64_t rtt_us;               /* 0 when rcode is PROBE_RCODE_TIMEOUT */
	int rcode;                    /* 0..4095, or PROBE_RCODE_TIMEOUT */
	char node[PROBE_NODE_MAX];    /* "" when unknown */
};

/* One line with its newline into buf; its length, or -1 when cap is too small. */
int probe_csv_format(const struct probe_rec *r, char *buf, size_t cap);

/*
 * Parse one line (without its newline; a trailing CR is ignored) as a
 * record.  0, or -1 with *why set to a message without the file and line.
 */
int probe_csv_parse_line(const char *line, struct probe_rec *out, const char **why);

/*
 * Read a whole CSV from f: the header first, comments skipped, every
 * record handed to cb in order (cb returns 0, or -1 to stop with `err`
 * left as it wrote it).  0, or -1 with "NAME:LINE: message" in err.
 */
int probe_csv_read(FILE *f, const char *name,
    int (*cb)(void *arg, const struct probe_rec *r, char *err, size_t errlen), void *arg,
    char *err, size_t errlen);

#endif
