/*
 * xfrout.h - zone transfers out: who may transfer which zone (the
 * `allow-transfer` rows, with their TSIG keys), and the replies to AXFR
 * (RFC 5936) and IXFR (RFC 1995) queries as a stream of messages.
 *
 * Pure: a query, the zone set, the policy, the zone's journal and the time
 * in; messages out, one at a time, so the caller (xfrd.c, in the main
 * thread's loop) generates the next one only when the socket can take it
 * and a 1M-record zone streams without holding up anything else.  No
 * sockets, no clock, no globals; the workers call dns_xfr_udp() directly.
 *
 * Every message carries the query's id and question, AA set, as many
 * records as fit in 65535 bytes with name compression (wire.h), and a
 * TSIG (RFC 8945 5.3.1: each message signed, in turn) when the query was
 * signed.  Decisions, in order:
 *   - a query that does not parse, or an IXFR without the client's SOA in
 *     its authority section (RFC 1995 3): FORMERR;
 *   - a TSIG that does not verify: NOTAUTH with the TSIG error (RFC 8945
 *     5.3.2: BADKEY and BADSIG unsigned, BADTIME signed), FORMERR for a
 *     malformed TSIG;
 *   - a name that is not the apex of a zone we serve, or a class other
 *     than IN: NOTAUTH (RFC 5936 2.2.1);
 *   - a client no `allow-transfer` row of the zone admits (the address in
 *     the prefix, and the row's key used to sign when the row names one):
 *     REFUSED (RFC 5936 2.2.1, 4.1);
 *   - AXFR: SOA, every other record, SOA (RFC 5936 2.2);
 *   - IXFR (RFC 1995 4): the client's serial is ours or newer: our SOA
 *     alone; the journal has a chain from it: the differences; else an
 *     AXFR-style reply (SOA, everything, SOA);
 *   - over UDP (dns_xfr_udp): AXFR REFUSED; IXFR from an admitted client
 *     our SOA alone (RFC 1995 2, 4: the client then uses TCP).
 */
#ifndef RIPOSTE_DNS_XFROUT_H
#define RIPOSTE_DNS_XFROUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "journal.h"
#include "rrl.h"
#include "tsig.h"
#include "zone.h"

/* One `allow-transfer PREFIX [key KEY]` row. */
struct dns_xfr_rule {
	struct dns_rrl_prefix prefix;
	int key; /* index in dns_xfr_policy.keys; -1: no key asked for */
};

/* One `notify ADDR[@PORT] [key KEY]` row. */
struct dns_xfr_target {
	struct sockaddr_storage sa;
	socklen_t salen;
	int key; /* index in dns_xfr_policy.keys; -1: unsigned */
};

struct dns_xfr_zone {
	uint8_t apex[DNS_NAME_MAX]; /* lowercase wire */
	struct dns_xfr_rule *acl;
	size_t n_acl;
	struct dns_xfr_target *notify;
	size_t n_notify;
};

/*
 * What a generation allows: built from the configuration with the
 * generation (server.c), read by the workers (UDP IXFR) and the main
 * thread, immutable; freed with its generation.
 */
struct dns_xfr_policy {
	struct dns_tsig_key *keys;
	size_t n_keys;
	struct dns_xfr_zone *zones;
	size_t n_zones;
};

struct dnsconf;
/* From the `key`, `allow-transfer` and `notify` rows; NULL: out of memory. */
struct dns_xfr_policy *dns_xfr_policy_new(const struct dnsconf *conf);
void dns_xfr_policy_free(struct dns_xfr_policy *p);
/* A copy (a generation made from another keeps its policy); NULL: out of memory. */
struct dns_xfr_policy *dns_xfr_policy_dup(const struct dns_xfr_policy *p);
/* The rows of the zone with this apex (lowercase wire), or NULL. */
const struct dns_xfr_zone *dns_xfr_policy_zone(const struct dns_xfr_policy *p,
    const uint8_t *apex);
/* Does a row admit this peer, signed with `key` (NULL: unsigned)? */
bool dns_xfr_allowed(const struct dns_xfr_policy *p, const struct dns_xfr_zone *z,
    const struct sockaddr *peer, const struct dns_tsig_key *key);

/*
 * NOTIFY out (notify.h): the NOTIFY for `zone` (RFC 1996 3.7: its SOA in
 * the answer section, AA set, question apex SOA IN) into buf: its length,
 * 0 when it does not fit; and whether msg[0..len) is a reply to our NOTIFY
 * `id` about `apex`: -1 no (ignore it), else its rcode.
 */
size_t dns_xfr_notify_build(uint8_t *buf, size_t cap, uint16_t id, const struct dns_zone *zone);
int dns_xfr_notify_reply(const uint8_t *msg, size_t len, uint16_t id, const uint8_t *apex);

/*
 * Is msg[0..len) a transfer query (opcode QUERY, QR clear, a question of
 * type AXFR or IXFR)?  Cheap: the header and the question only, for the
 * workers to pick these out before dns_answer().  The qtype or 0.
 */
uint16_t dns_xfr_qtype(const uint8_t *msg, size_t len);

/* How a transfer query was answered (counters, logs). */
enum dns_xfr_result {
	DNS_XFR_AXFR,          /* a full transfer */
	DNS_XFR_IXFR,          /* incremental, from the journal */
	DNS_XFR_IXFR_AXFR,     /* IXFR answered AXFR-style: the serial is not in the journal */
	DNS_XFR_IXFR_CURRENT,  /* IXFR: the client is current, our SOA alone */
	DNS_XFR_UDP_SOA,       /* IXFR over UDP: our SOA alone */
	DNS_XFR_REFUSED,       /* not admitted; AXFR over UDP */
	DNS_XFR_NOTAUTH,       /* not a zone of ours */
	DNS_XFR_TSIG,          /* TSIG did not verify: NOTAUTH with its error */
	DNS_XFR_FORMERR,
	DNS_XFR_RESULT_COUNT,
};
const char *dns_xfr_result_str(int r);

/* Where the journal of a zone is (the caller's table); NULL: none. */
typedef struct dns_journal *(*dns_xfr_journal_fn)(void *ctx, const uint8_t *apex);

/* One outgoing reply stream.  Plain memory; owned by its caller. */
struct dns_xfr_out {
	enum dns_xfr_result result;
	const struct dns_zone *zone;      /* NULL for a one-message error */
	uint32_t serial;                  /* ours */
	uint32_t client_serial;           /* IXFR: the client's */
	uint16_t id, qtype, qclass, flags;
	uint8_t qname[DNS_NAME_MAX];      /* as the query had it */
	uint8_t rcode;
	bool udp;
	bool edns;                        /* the query had an OPT: so does every message */
	uint16_t edns_size;               /* the payload size our OPT states (default 1232) */
	bool tsig;                        /* the query was signed: sign every message */
	uint16_t tsig_error;              /* an error reply's TSIG error */
	struct dns_tsig_ctx tctx;
	/* where the stream is */
	int phase;
	unsigned messages;
	size_t records;                   /* records sent so far */
	struct dns_zone_iter it;
	const struct dns_node *node;
	uint16_t rrset, rec;              /* next RRset of node, next record in it */
	size_t rec_off;                   /* that record's offset in the RRset's rdata */
	struct dns_diff **chain;          /* IXFR: the differences, referenced */
	size_t n_chain, at;               /* and the one being sent */
	size_t dpos;                      /* the next record's offset in it */
};

/*
 * Start the reply to the transfer query msg[0..len) from `peer`, at `now`
 * (seconds since 1970, for TSIG).  Fills *x (its result says what the
 * stream will be) and returns 0; -1 when the query must be dropped (too
 * short to answer, QR set).  The zone set must stay alive until
 * dns_xfr_out_done(); the differences are referenced.
 */
int dns_xfr_out_start(struct dns_xfr_out *x, const struct dns_zoneset *zones,
    const struct dns_xfr_policy *pol, dns_xfr_journal_fn journal, void *jctx,
    const uint8_t *msg, size_t len, const struct sockaddr *peer, bool udp, uint64_t now);
/*
 * The next message into buf (cap bytes, at least 65535 over TCP): its
 * length, or 0 at the end of the stream (or when a record cannot fit in
 * any message: the stream ends early, x->result unchanged).
 */
size_t dns_xfr_out_next(struct dns_xfr_out *x, uint8_t *buf, size_t cap, uint64_t now);
/* Release what the stream holds (the differences' references). */
void dns_xfr_out_done(struct dns_xfr_out *x);

/*
 * A transfer query over UDP, answered in one message (a worker's answer
 * path; no journal); edns_size: the udp-size we state in an OPT (0: 1232).
 * The reply's length, 0 to drop.
 */
size_t dns_xfr_udp(const struct dns_zoneset *zones, const struct dns_xfr_policy *pol,
    const uint8_t *msg, size_t len, const struct sockaddr *peer, uint8_t *resp, size_t cap,
    uint64_t now, uint16_t edns_size, enum dns_xfr_result *result);

/*
 * A query that dns_answer() refused for its TSIG (stats->tsig counts
 * those), such as a secondary's signed SOA query (RFC 1034 4.3.5, RFC 8945):
 * verified against the policy's keys, answered by dns_answer() without the
 * TSIG record, and the reply signed (RFC 8945 5.3); a TSIG that does not
 * verify gets NOTAUTH with its TSIG error (5.3.2), a malformed one FORMERR.
 * The reply's length, 0 to drop.  resp: cap bytes, as dns_answer() needs.
 */
struct dns_answer_conf;
struct dns_answer_stats;
size_t dns_xfr_answer_tsig(const struct dns_answer_conf *conf, const struct dns_zoneset *zones,
    const struct dns_xfr_policy *pol, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
    bool tcp, uint64_t now, struct dns_answer_stats *stats);

#endif
