/*
 * tsig.h - TSIG, secret key transaction authentication for DNS (RFC 8945),
 * for zone transfers, NOTIFY and the SOA queries of a secondary.
 *
 * Pure: bytes, a key and the current time in, a decision out; no sockets,
 * clock, globals or logging.  The HMACs are nettle's: HMAC-MD5
 * (hmac-md5.sig-alg.reg.int.), HMAC-SHA1, -SHA224, -SHA256, -SHA384 and
 * -SHA512 (RFC 8945 6, the algorithms a server MUST/MAY implement).
 *
 * One struct dns_tsig_ctx follows one exchange: a request and its reply,
 * or its stream of replies (an AXFR or IXFR over TCP, RFC 8945 5.3.1).
 *
 *   client:  dns_tsig_ctx_init(ctx, key)
 *            dns_tsig_sign_query()           request goes out
 *            dns_tsig_verify_reply() ...     for each reply message
 *            dns_tsig_verify_end()           the stream ended: was it signed last?
 *   server:  dns_tsig_ctx_init(ctx, NULL)
 *            dns_tsig_verify_query()         a request came in
 *            dns_tsig_sign_reply() ...       for each reply message
 *
 * Every message is read with bounds checks; the TSIG record must be the
 * last record of the additional section, the only one, class ANY, TTL 0
 * (RFC 8945 4.2, 5.2); anything else is FORMERR.
 *
 * Local policy on MAC truncation (RFC 8945 5.2.2.1): we never truncate,
 * and we accept only full-length MACs.  A MAC longer than the hash's
 * output, or shorter than max(10, output / 2) octets, is FORMERR as the
 * RFC requires; a truncated MAC that the RFC would allow is still refused
 * with BADTRUNC (22), which 5.2.2.1 lets a receiver do when its policy
 * asks for more octets.  Secrets are at least as long as the MAC here in
 * practice (keymgr, tsig-keygen), so a full MAC is no burden, and a
 * truncated MAC is weaker for no gain over TCP.
 *
 * Not done (RFC 8945 5.2.3 SHOULD): a server-side cache of the last Time
 * Signed per key to refuse replays inside the fudge window.
 */
#ifndef RIPOSTE_DNS_TSIG_H
#define RIPOSTE_DNS_TSIG_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "name.h"

#define DNS_TSIG_TYPE 250       /* RFC 8945 4.2 */
#define DNS_TSIG_CLASS_ANY 255  /* RFC 8945 4.2: class ANY, TTL 0 */
#define DNS_TSIG_FUDGE 300      /* seconds; RFC 8945 10: 300 recommended */
#define DNS_TSIG_SECRET_MAX 128 /* octets: one HMAC-SHA512 block (RFC 2104 2) */
#define DNS_TSIG_MAC_MAX 64     /* HMAC-SHA512's output */
#define DNS_TSIG_UNSIGNED_MAX 99 /* RFC 8945 5.3.1: unsigned messages in a row */
/*
 * Room a signature takes at most: key name and algorithm name (255 each),
 * type, class, TTL, RDLENGTH, time 6, fudge 2, MAC size 2, MAC, original
 * ID 2, error 2, other len 2, other data 6 (BADTIME's server time).
 */
#define DNS_TSIG_RR_MAX (DNS_NAME_MAX + 10 + DNS_NAME_MAX + 16 + DNS_TSIG_MAC_MAX + 6)

/* The RCODE of a TSIG error reply (RFC 8945 5.3.2, RFC 6895 2.3). */
#define DNS_RCODE_NOTAUTH 9
/* The TSIG record's Error field (RFC 8945 3, 5.2). */
enum {
	DNS_TSIG_ERR_BADSIG = 16,
	DNS_TSIG_ERR_BADKEY = 17,
	DNS_TSIG_ERR_BADTIME = 18,
	DNS_TSIG_ERR_BADTRUNC = 22,
};

enum dns_tsig_alg {
	DNS_TSIG_HMAC_MD5,
	DNS_TSIG_HMAC_SHA1,
	DNS_TSIG_HMAC_SHA224,
	DNS_TSIG_HMAC_SHA256,
	DNS_TSIG_HMAC_SHA384,
	DNS_TSIG_HMAC_SHA512,
	DNS_TSIG_ALG_COUNT,
};

/* A shared secret (the `key` statement of riposte-dns.conf). */
struct dns_tsig_key {
	char name[DNS_NAME_STRLEN];    /* presentation, lowercase, ends in '.' */
	uint8_t name_wire[DNS_NAME_MAX]; /* lowercase (canonical, RFC 8945 4.3.3) */
	uint8_t name_len;
	int alg;                       /* enum dns_tsig_alg */
	uint8_t secret[DNS_TSIG_SECRET_MAX];
	size_t secret_len;
};

/*
 * What verifying a message found (the verify functions return it).  The
 * first group maps onto the reply a server sends (dns_tsig_rcode()).
 */
enum dns_tsig_status {
	DNS_TSIG_OK = 0,      /* signed, and the MAC, key and time are right */
	DNS_TSIG_NONE,        /* no TSIG record: an unsigned message */
	DNS_TSIG_FORMERR,     /* a TSIG record that cannot be read, or misplaced (5.2) */
	DNS_TSIG_BADKEY,      /* key name or algorithm not ours (5.2.1) */
	DNS_TSIG_BADSIG,      /* MAC wrong (5.2.2) */
	DNS_TSIG_BADTIME,     /* time signed outside now +- fudge (5.2.3) */
	DNS_TSIG_BADTRUNC,    /* truncated MAC refused by our policy (5.2.2.1) */
	/* Client side only (dns_tsig_verify_reply/end): */
	DNS_TSIG_PEERERR,     /* the reply says the server refused us: ctx->error */
	DNS_TSIG_UNSIGNED,    /* a reply that had to be signed was not (5.3.1) */
	DNS_TSIG_STATUS_COUNT,
};

/* Why a signing call failed (negative returns of the sign functions). */
enum dns_tsig_sign_err {
	DNS_TSIG_E_NOSPACE = -1, /* the record does not fit in cap */
	DNS_TSIG_E_MSG = -2,     /* the message to sign is shorter than a header */
	DNS_TSIG_E_STATE = -3,   /* no key in the context, or a state that cannot sign */
};

/*
 * One exchange.  Fields are read by callers where documented; the rest is
 * this module's.  Plain memory: may be copied until the first call, never
 * after (the HMAC state lives inside).
 */
struct dns_tsig_ctx {
	const struct dns_tsig_key *key; /* client: the key; server: set when found */
	uint16_t error;     /* after verify: the TSIG error for our reply (server)
	                       or the one the peer sent (client, PEERERR) */
	uint64_t peer_time; /* client, peer's BADTIME: the server's clock (5.3.2) */
	/* this module's: */
	uint8_t mac[DNS_TSIG_MAC_MAX];  /* the last MAC of the chain (4.3.1, 5.3.1) */
	uint16_t mac_len;
	uint64_t time_signed;           /* server: the request's Time Signed (BADTIME reply) */
	uint16_t fudge;
	uint8_t key_name[DNS_NAME_MAX]; /* server, for error replies: as the request named them */
	uint8_t key_name_len;
	uint8_t alg_name[DNS_NAME_MAX];
	uint8_t alg_name_len;
	unsigned replies;               /* reply messages seen or sent so far */
	unsigned unsigned_run;          /* unsigned replies since the last signed */
	bool last_signed;               /* client: was the last reply signed? */
	bool running;                   /* an HMAC over unsigned replies is open */
	alignas(max_align_t) uint8_t hmac[3 * 256]; /* nettle's outer, inner, state */
};

/* The names of an algorithm: "hmac-sha256", and its wire name's text "hmac-sha256.". */
const char *dns_tsig_alg_name(int alg);
/* "hmac-md5" ... "hmac-sha512" (case-insensitive; also "hmac-md5.sig-alg.reg.int"): alg or -1. */
int dns_tsig_alg_parse(const char *s);
/* "OK", "BADSIG", ... for logs. */
const char *dns_tsig_status_str(int status);
/* The RCODE of the reply to a query that verified with `status`:
 * NOERROR for OK and NONE, FORMERR, else NOTAUTH (RFC 8945 5.2). */
unsigned dns_tsig_rcode(int status);

/*
 * A key from its three config words: NAME (a DNS name, stored lowercase),
 * ALGORITHM (dns_tsig_alg_parse()), SECRET (base64, RFC 4648 4, what
 * `keymgr -t` and `tsig-keygen` print; 1..DNS_TSIG_SECRET_MAX octets).
 * 0, or -1 with a message in err.
 */
int dns_tsig_key_parse(const char *name, const char *alg, const char *b64,
    struct dns_tsig_key *k, char *err, size_t errlen);
/* The secret in base64, for dnsconf_print(); out must hold 4 * ceil(len / 3) + 1. */
#define DNS_TSIG_B64_MAX (4 * ((DNS_TSIG_SECRET_MAX + 2) / 3) + 1)
void dns_tsig_key_b64(const struct dns_tsig_key *k, char out[DNS_TSIG_B64_MAX]);

/* Start an exchange: a client with the key it signs with, a server with NULL. */
void dns_tsig_ctx_init(struct dns_tsig_ctx *ctx, const struct dns_tsig_key *key);

/*
 * The TSIG record of a message, where one is (RFC 8945 4.2, 5.2): the last
 * record of the additional section.  dns_tsig_find() walks the whole
 * message (compressed owners allowed before the TSIG, never inside it).
 */
struct dns_tsig_rr {
	size_t start;          /* offset of the record's owner name */
	const uint8_t *key_name; /* into the message: uncompressed wire */
	uint8_t key_name_len;
	const uint8_t *alg_name;
	uint8_t alg_name_len;
	uint64_t time_signed;  /* 48 bits */
	uint16_t fudge;
	const uint8_t *mac;
	uint16_t mac_len;
	uint16_t orig_id;
	uint16_t error;
	const uint8_t *other;
	uint16_t other_len;
};
/*
 * 1 and *rr filled when the message ends in a TSIG record; 0 when it has
 * none; -1 (FORMERR) when the message cannot be walked, a TSIG record is
 * not the last record, there are two, or the last is malformed (class not
 * ANY, TTL not 0, RDATA not exactly its fields, compressed names).
 */
int dns_tsig_find(const uint8_t *msg, size_t len, struct dns_tsig_rr *rr);

/*
 * Client: sign a request (RFC 8945 4.3.1, 4.3.3): appends a TSIG record
 * to msg[0..*len) (ARCOUNT + 1, *len grows), capacity cap, time signed
 * `now` (seconds since 1970), fudge DNS_TSIG_FUDGE.  The MAC is kept in
 * ctx for the reply.  0 or a negative enum dns_tsig_sign_err.
 */
int dns_tsig_sign_query(struct dns_tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now);

/*
 * Server: check a request against `keys` (RFC 8945 5.2, its order: key,
 * MAC, time, truncation).  Returns an enum dns_tsig_status; ctx->key is
 * the key on OK (and on BADTIME and BADTRUNC, whose replies are signed),
 * ctx->error the TSIG error to put in the reply (0 on OK).  On FORMERR
 * the reply is a plain FORMERR without TSIG.
 */
int dns_tsig_verify_query(struct dns_tsig_ctx *ctx, const struct dns_tsig_key *keys,
    size_t n_keys, const uint8_t *msg, size_t len, uint64_t now);

/*
 * Server: sign a reply to a verified request (RFC 8945 4.3.1: the request
 * MAC first), and each later message of a reply stream in turn (5.3.1:
 * the previous MAC, this message, the timers).  tsig_error != 0 makes an
 * error reply (5.3.2): the header's RCODE is set to NOTAUTH; BADKEY and
 * BADSIG go out with an empty MAC (unsigned, the request's key and
 * algorithm names echoed), BADTIME and BADTRUNC signed, BADTIME with the
 * request's Time Signed and our clock in Other Data.  Pass ctx->error
 * from dns_tsig_verify_query().  0 or a negative enum dns_tsig_sign_err.
 */
int dns_tsig_sign_reply(struct dns_tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
    uint64_t now, uint16_t tsig_error);

/*
 * Server: send this reply message of a stream unsigned (RFC 8945 5.3.1
 * allows up to 99 in a row between signed ones; the first and the last
 * must be signed): it is folded into the next signed message's MAC.
 * 0, or DNS_TSIG_E_STATE when it must be signed (the first message, or
 * 99 unsigned already).
 */
int dns_tsig_reply_unsigned(struct dns_tsig_ctx *ctx, const uint8_t *msg, size_t len);

/*
 * Client: check one reply message to our signed request, in stream order
 * (RFC 8945 5.3.1).  The first must be signed; later ones may be
 * unsigned (NONE: accepted, folded into the next MAC), at most
 * DNS_TSIG_UNSIGNED_MAX in a row (then UNSIGNED).  A reply carrying a
 * TSIG error gives PEERERR with ctx->error (and ctx->peer_time for a
 * signed BADTIME); a BADKEY/BADSIG reply is not signed and proves
 * nothing about its sender (5.3.2), treat it as a failed exchange.
 */
int dns_tsig_verify_reply(struct dns_tsig_ctx *ctx, const uint8_t *msg, size_t len,
    uint64_t now);
/*
 * Client: the stream ended (the last reply was read): DNS_TSIG_OK when the
 * last message was signed, DNS_TSIG_UNSIGNED if not (RFC 8945 5.3.1).
 */
int dns_tsig_verify_end(const struct dns_tsig_ctx *ctx);

#endif
