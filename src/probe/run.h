/*
 * run.h - the measuring loop of riposte-probe: one connected UDP socket,
 * queries on an absolute schedule (query seq is due at start + seq /
 * rate, so a late wake-up sends the queries it owes in one sendmmsg batch
 * instead of drifting), replies read in batches with recvmmsg, each
 * matched by window.c, and one CSV line per query in seq order, flushed at
 * least every 100 ms.
 *
 * The first SIGINT or SIGTERM stops sending and waits for the queries in
 * flight (at most the timeout); a second one stops at once, and the
 * queries still in flight are written as timeouts.
 */
#ifndef RIPOSTE_PROBE_RUN_H
#define RIPOSTE_PROBE_RUN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "reply.h"
#include "summary.h"

struct probe_run_conf {
	struct sockaddr_storage dst;
	socklen_t dst_len;
	struct sockaddr_storage src;  /* --bind */
	socklen_t src_len;            /* 0: let the kernel choose */
	double rate;                  /* queries per second */
	int64_t duration_us;          /* 0: until a signal */
	int64_t timeout_us;
	struct probe_qspec q;
	FILE *csv;                    /* NULL: no CSV */
};

struct probe_run_stats {
	uint64_t sent;
	uint64_t send_errors;     /* datagrams the kernel refused (they count as timeouts) */
	uint64_t malformed;       /* replies the parser rejected */
	uint64_t wrong_question;  /* replies to another question */
	uint64_t unmatched;       /* no query of ours has the id */
	uint64_t duplicate;
	uint64_t late;
	uint64_t icmp_errors;     /* ICMP errors reported on the socket (port unreachable) */
	uint64_t slips;           /* times the schedule was restarted after a stall > 1 s */
	int64_t elapsed_us;
	int last_send_errno;
};

/*
 * Run until the duration is over or a signal comes; every record goes to
 * the CSV and to sum (initialised by the caller; finished here).  0; 1
 * when the CSV could not be written (the run stopped there, the summary
 * holds what was measured); -1 when nothing ran (socket set-up, memory).
 * Messages go to stderr.
 */
int probe_run(const struct probe_run_conf *conf, struct probe_sum *sum,
    struct probe_run_stats *st);

#endif
