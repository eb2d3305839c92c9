/*
 * packet.h - RIPv2 packet codec (RFC 2453 4, RFC 4822 for the auth layout).
 *
 * Pure functions over (buf, len): no sockets, clock, globals or logging.
 * Decoding is in two steps so the engine can validate in the order of
 * RFC 2453 3.9.2: rip_packet_decode() checks the header and framing, and
 * rip_packet_rte() + rip_rte_check() take each route entry in turn.
 * Addresses in struct rip_rte are host byte order.
 */
#ifndef RIPOSTE_RIP_PACKET_H
#define RIPOSTE_RIP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RIP_PORT 520
#define RIP_GROUP 0xe0000009u /* 224.0.0.9, host order */
#define RIP_HDR_LEN 4
#define RIP_RTE_LEN 20
#define RIP_MAX_RTE 25 /* RFC 2453 4: 512-byte datagrams; an auth entry takes one slot (4.1) */
#define RIP_PKT_MAX (RIP_HDR_LEN + RIP_MAX_RTE * RIP_RTE_LEN) /* 504 */
#define RIP_DGRAM_MAX 512 /* RFC 2453 3.6 / 4: "The maximum datagram size is 512 octets" */
/*
 * The RFC 4822 / RFC 2082 authentication trailer follows the entries, and
 * the 512 octets are for header and entries (RFC 4822 2 counts its "RIPv2
 * Packet Length" up to the trailer): the trailer is bounded on its own, 4
 * bytes of trailer header plus at most 64 bytes of authentication data
 * (HMAC-SHA-512, RFC 4822 2.5).  So the longest datagram that can be valid
 * is RIP_PKT_RX_MAX (572: an authentication entry, 24 route entries and a
 * 68-byte trailer); receive buffers must be larger than that to tell an
 * oversize datagram from a legal one, and send buffers as large.
 */
#define RIP_AUTH_TRAILER_MAX (4 + 64)
#define RIP_PKT_RX_MAX (RIP_PKT_MAX + RIP_AUTH_TRAILER_MAX)
#define RIP_INFINITY 16
#define RIP_AF_INET 2
#define RIP_AF_AUTH 0xffff
#define RIP_VERSION 2

enum rip_cmd {
	RIP_CMD_REQUEST = 1,
	RIP_CMD_RESPONSE = 2,
};

/* Authentication types (RFC 2453 4.1, RFC 2082, RFC 4822). */
enum rip_auth_type {
	RIP_AUTH_NONE = 0,
	RIP_AUTH_SIMPLE = 2,
	RIP_AUTH_CRYPTO = 3,
};

struct rip_rte {
	uint16_t afi;
	uint16_t tag;
	uint32_t addr;    /* host order */
	uint32_t mask;    /* host order */
	uint32_t nexthop; /* host order, 0 = via the sender */
	uint32_t metric;
};

/*
 * Authentication as found on the wire: located and bounded here, verified
 * by auth.c (the engine drops a packet with an authentication entry on an
 * interface without authentication as "authentication not configured",
 * RFC 2453 4.1).  Simple password (type 2): the 16 bytes in `password`.
 * Keyed (type 3, RFC 4822 2): the fields of the first entry plus the
 * trailer located by `pkt_len` (the offset where the trailer starts).
 */
struct rip_auth {
	uint16_t type;
	uint8_t password[16];
	uint16_t pkt_len;   /* RFC 4822: offset of the authentication trailer */
	uint8_t key_id;
	uint8_t auth_len;   /* auth data length: 16, 20 (MD5: FRR's old-ripd; HMAC-SHA-1),
	                     * 32, 48, 64 (HMAC-SHA-256/384/512, RFC 4822) */
	uint32_t seqno;
	const uint8_t *trailer; /* points into the buffer; NULL when absent */
	size_t trailer_len;
};

struct rip_packet {
	uint8_t command;
	uint8_t version;
	bool has_auth;
	struct rip_auth auth;
	const uint8_t *rtes; /* first route entry after any auth entry (points into buf) */
	size_t nrte;         /* number of 20-byte route entries at rtes */
};

/* Packet-level errors, negative; each has a name for logs and counters. */
enum rip_pkt_err {
	RIP_PKT_OK = 0,
	RIP_PKT_SHORT = -1,        /* shorter than a header */
	RIP_PKT_BAD_LENGTH = -2,   /* body not a multiple of 20 bytes */
	RIP_PKT_BAD_COMMAND = -3,  /* command neither request nor response */
	RIP_PKT_BAD_VERSION = -4,  /* version 0 (RFC 2453 3.9.2 / 4: ignore); 1 is returned as OK */
	RIP_PKT_BAD_MBZ = -5,      /* header must-be-zero field set (version 1) */
	RIP_PKT_BAD_AUTH = -6,     /* malformed authentication entry or trailer */
	RIP_PKT_TOO_LONG = -7,     /* over 512 octets, or more than 25 entries (auth entry included) */
};
#define RIP_PKT_ERR_COUNT 8
/* "packet too short", "length not header + n*20", ... never NULL. */
const char *rip_pkt_err_str(int err);

/*
 * Check the length, the header and the framing, locate the route entries and
 * any authentication entry (only allowed as the first entry, RFC 2453 4.1).
 * RFC 2453 3.6 / 4: header + entries (an authentication entry counts as
 * one, 4.1) is at most 25 entries, 504 octets, in a datagram of at most
 * 512; a longer datagram is RIP_PKT_TOO_LONG, whatever else is wrong with
 * it.  Only a keyed-authentication trailer may make a datagram longer than
 * 512 octets (up to RIP_PKT_RX_MAX).
 * A version-1 packet decodes (the engine decides whether it accepts it);
 * for version 1 the header mbz field must be zero, for version 2 it is
 * ignored (RFC 2453 4 calls it "unused").  Returns RIP_PKT_OK or an error.
 */
int rip_packet_decode(const uint8_t *buf, size_t len, struct rip_packet *out);

/* Entry i (0 <= i < pkt->nrte) in host order. */
void rip_packet_rte(const struct rip_packet *pkt, size_t i, struct rip_rte *out);

/* Route-entry validation errors (RFC 2453 3.9.2), negative. */
enum rip_rte_err {
	RIP_RTE_OK = 0,
	RIP_RTE_BAD_AFI = -1,      /* address family not 2 (AF_INET) */
	RIP_RTE_BAD_METRIC = -2,   /* metric 0 or > 16 */
	RIP_RTE_BAD_PREFIX = -3,   /* multicast, class E, loopback, link-local, 0/8 (except default) */
	RIP_RTE_BAD_MASK = -4,     /* non-contiguous mask, or host bits set */
	RIP_RTE_BAD_NEXTHOP = -5,  /* next hop multicast/loopback/class E (entry is ignored) */
};
#define RIP_RTE_ERR_COUNT 6
const char *rip_rte_err_str(int err);

/*
 * Validate one response entry.  A default route is 0.0.0.0/0 exactly.  A
 * mask of 0 on a non-zero address is a host-less v1-style entry: invalid in
 * RIPv2 here (RIP_RTE_BAD_MASK).  On RIP_RTE_OK *len_out is the prefix length.
 */
int rip_rte_check(const struct rip_rte *rte, uint8_t *len_out);

/*
 * RFC 2453 3.9.1: a request for the whole table is exactly one entry with
 * AFI 0 and metric 16.
 */
bool rip_request_is_whole_table(const struct rip_packet *pkt);

/*
 * Encode a packet of `n` entries into buf (cap bytes).  Writes a header
 * (version 2, mbz 0) and the entries; returns the number of bytes, or 0 if it
 * does not fit.  `auth_reserve` bytes are left free after the header for an
 * authentication entry that rip_auth_sign() (auth.h) fills in (0 for none).
 */
size_t rip_packet_encode(uint8_t *buf, size_t cap, uint8_t command,
    const struct rip_rte *rtes, size_t n, size_t auth_reserve);

#endif
