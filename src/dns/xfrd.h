/*
 * xfrd.h - transfers out and NOTIFY out in the main thread's loop.
 *
 * The workers hand each TCP transfer query over (server.h,
 * dns_server_set_xfr); here it becomes a connection of our own, answered
 * by xfrout.c's stream one message at a time, each generated only when
 * the socket has taken the previous one, a few per loop turn, so a
 * 1M-record zone streams while the loop goes on serving the control
 * socket, signals, NOTIFY and other transfers.  The generation a transfer
 * reads is held (dns_gen_hold) until it ends, so a reload meanwhile does
 * not free the zone under it.  When the transfer is sent we shut our side
 * down and read the client's until it closes (a close with unread input
 * would reset the connection and could lose the end of the transfer).
 *
 * At every publish (dns_xfrd_published) the zones with `allow-transfer`
 * rows get the difference from their previous version in their journal
 * (journal.h), and the zones whose serial is new are NOTIFYed (notify.h).
 */
#ifndef RIPOSTE_DNS_XFRD_H
#define RIPOSTE_DNS_XFRD_H

#include <stdint.h>

#include "notify.h"
#include "server.h"
#include "xfrout.h"

/* Transfers out at once; more are closed at once (the client retries later). */
#define DNS_XFRD_MAX 64
/* A transfer that moves no byte for this long is dropped (seconds). */
#define DNS_XFRD_STALL 30.0
/* Journal bytes per zone (differences kept for IXFR, oldest dropped first). */
#define DNS_XFRD_JOURNAL_MAX ((size_t)64 << 20)

struct dns_xfrd;

struct dns_xfrd_stats {
	uint64_t result[DNS_XFR_RESULT_COUNT]; /* transfer queries by how they were answered */
	uint64_t completed, aborted, over_limit;
	uint64_t records, messages, bytes;
	uint64_t diffs, journal_resets;      /* differences journaled; journals started again */
	unsigned active;
	struct dns_notify_stats notify;
};

/* conf: its first `listen` address of each family that is not a wildcard is where NOTIFYs come from. */
struct dns_xfrd *dns_xfrd_new(struct ev_loop *loop, struct dns_server *srv,
    const struct dnsconf *conf);
/* xfr-timeout from conf, for the transfers that start from now on (start, reload). */
void dns_xfrd_reconf(struct dns_xfrd *xd, const struct dnsconf *conf);
/* dns_server_set_xfr()'s callback (ctx: the dns_xfrd). */
void dns_xfrd_handoff(void *ctx, struct dns_xfr_handoff *h);
/*
 * Main thread, before `new` is published in place of `old` (NULL at
 * start): journals and NOTIFY.  Both generations are only read.
 */
void dns_xfrd_published(struct dns_xfrd *xd, const struct dns_gen *old,
    const struct dns_gen *new);
void dns_xfrd_stats(const struct dns_xfrd *xd, struct dns_xfrd_stats *st);
/* Close every transfer (releasing their generations) and stop NOTIFY. */
void dns_xfrd_free(struct dns_xfrd *xd);

#endif
