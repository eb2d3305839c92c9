/*
 * secondary.h - riposte-dns as a secondary: the zones it transfers from
 * primaries (RFC 1034 4.3.5, RFC 1035 3.3.13 and 4.2.2, RFC 1995 IXFR,
 * RFC 5936 AXFR, RFC 1996 NOTIFY, RFC 8945 TSIG).
 *
 * Two parts:
 *
 *  - what the workers need to answer a NOTIFY: a table of the secondary
 *    zones and their primaries (struct dns_sec_table, built from the
 *    configuration and held by each generation, so it changes with a
 *    reload like the zones) and dns_notify_answer(), pure: bytes, the
 *    table and the time in, the reply and an event for the main thread
 *    out;
 *
 *  - the engine (struct dns_secondary), which runs in the main thread's
 *    libev loop: per zone the refresh, retry and expire timers of the
 *    zone's SOA, an SOA query over UDP, then IXFR over TCP with our serial
 *    and AXFR when IXFR is refused or its reply is unusable, the primaries
 *    tried in order; every socket non-blocking, every step with a timeout,
 *    so the loop is never held.  A new version is handed to the daemon
 *    through ops->publish (riposte-dns.c builds and publishes a
 *    generation with it: queries see the old zone or the new one) and
 *    written to the zone's file through a temporary file and a rename; the
 *    file's mtime is the last successful refresh, so expiry survives a
 *    restart.  A transfer that fails or does not build keeps the old
 *    version.  Once `expire` passes without a successful refresh the zone
 *    is published unavailable (SERVFAIL, answer.c) until a refresh
 *    succeeds again.
 */
#ifndef RIPOSTE_DNS_SECONDARY_H
#define RIPOSTE_DNS_SECONDARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "conf.h"
#include "name.h"
#include "tsig.h"
#include "zone.h"

/* ------------------------------------------------------- NOTIFY receipt */

/* A primary of a secondary zone, with its key copied (the table outlives the conf). */
struct dns_sec_primary {
	struct sockaddr_storage sa;
	socklen_t salen;
	bool has_key;
	struct dns_tsig_key key;
};

struct dns_sec_entry {
	uint8_t apex[DNS_NAME_MAX]; /* lowercase wire */
	struct dns_sec_primary *primaries;
	size_t n_primaries;
};

struct dns_sec_table {
	struct dns_sec_entry *zones;
	size_t n;
};

/* The secondary zones of conf (none: an empty table).  NULL: out of memory. */
struct dns_sec_table *dns_sec_table_new(const struct dnsconf *conf);
struct dns_sec_table *dns_sec_table_dup(const struct dns_sec_table *t);
void dns_sec_table_free(struct dns_sec_table *t);

/* What a NOTIFY asked of the main thread. */
struct dns_notify_event {
	uint8_t apex[DNS_NAME_MAX];
	bool accepted;       /* false: refused (not a primary, TSIG failed) */
	bool has_serial;     /* the NOTIFY carried the SOA (RFC 1996 3.7) */
	uint32_t serial;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char why[64];        /* refused: why, for the log */
};

/*
 * Answer a NOTIFY (opcode 4) message from `peer` (RFC 1996 3.7-3.10):
 * NOERROR when the zone is a secondary here, the source address is one of
 * its primaries' and, when that primary has a key, the message is signed
 * with it (RFC 8945 5.2; the reply signed too); NOTAUTH when the name is
 * not the apex of a secondary zone here (as Knot and BIND), REFUSED when
 * the source is not a primary or a keyed primary did not sign, NOTAUTH
 * with the TSIG error for a bad signature, FORMERR when it is not a
 * NOTIFY for one SOA.  An OPT in the query gets one in the reply.  Returns the reply's length (0: no reply, a
 * response or shorter than a header).  *ev is filled and *post set when
 * the main thread should hear of it (a zone of ours, accepted or not).
 */
size_t dns_notify_answer(const struct dns_sec_table *t, const struct sockaddr *peer,
    const uint8_t *req, size_t len, uint8_t *resp, size_t cap, uint64_t now,
    struct dns_notify_event *ev, bool *post);

/* -------------------------------------------------------------- engine */

struct ev_loop;
struct dns_gen;
struct dns_secondary;

struct dns_secondary_ops {
	void *ctx;
	/*
	 * Serve `zone` (the callee takes the reference; an unavailable zone
	 * when it expired) for the statement `name`, loaded at `loaded`.
	 * 0, or -1 (out of memory: the zone was freed, the old one is served).
	 */
	int (*publish)(void *ctx, const char *name, struct dns_zone *zone, time_t loaded,
	    const char *err);
};

/*
 * The engine for conf's secondary zones, starting from what `gen` serves
 * (the kept copies dns_gen_load read); each zone's SOA query goes out at
 * once.  NULL: out of memory.
 */
struct dns_secondary *dns_secondary_new(struct ev_loop *loop, const struct dnsconf *conf,
    const struct dns_gen *gen, const struct dns_secondary_ops *ops);
/*
 * After a reload published `gen` for `conf`: zones added start, zones gone
 * stop, a zone whose primaries changed starts over (its data is served
 * until an AXFR from the new primaries replaces it, whatever their
 * serial); the others go on as they were.
 */
void dns_secondary_reconf(struct dns_secondary *sec, const struct dnsconf *conf,
    const struct dns_gen *gen);
/* A NOTIFY from the workers (main thread). */
void dns_secondary_notify(struct dns_secondary *sec, const struct dns_notify_event *ev);
/* Refresh the zone of this statement now (reload ZONE); false: not a secondary. */
bool dns_secondary_refresh(struct dns_secondary *sec, const char *name);
void dns_secondary_free(struct dns_secondary *sec);

/* What the control socket shows of one secondary zone. */
struct dns_secondary_info {
	const char *name;
	bool have_data, expired, busy;
	uint32_t serial;
	bool have_primary_serial;
	uint32_t primary_serial;
	double last_refresh_ago_ms;    /* < 0: never */
	double next_refresh_ms;        /* < 0: none scheduled (an exchange is running) */
	double expires_in_ms;          /* < 0: expired or no data */
	const struct dns_sec_primary *primaries;
	size_t n_primaries;
	uint64_t transfers, transfer_failures, ixfr, axfr, up_to_date, soa_queries;
	uint64_t over_limit;           /* transfers aborted at xfr-max-records/-size/-timeout */
	uint64_t soa_tcp;              /* SOA queries asked again over TCP (TC=1 on UDP) */
	uint64_t notify_received, notify_refused;
	const char *last_error;        /* "" none */
	const char *last_kind;         /* "IXFR", "AXFR", "" */
	double last_transfer_ms;
	size_t last_transfer_records;
};
size_t dns_secondary_count(const struct dns_secondary *sec);
bool dns_secondary_info(const struct dns_secondary *sec, size_t i, struct dns_secondary_info *out);
/* The info of the statement `name`; false: not a secondary. */
bool dns_secondary_find(const struct dns_secondary *sec, const char *name,
    struct dns_secondary_info *out);

#endif
