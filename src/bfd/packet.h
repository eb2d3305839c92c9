/*
 * packet.h - BFD control packet codec (RFC 5880 4.1, 6.8.6; RFC 5881 4).
 *
 * Pure functions over (buf, len): no sockets, clock, globals or logging.
 * The decoder reads the mandatory section and, with the A bit, the header
 * of the authentication section (RFC 5880 4.2-4.4: type, length, key id,
 * sequence number) and checks that its length fits the type and the
 * packet; whether it authenticates is for bfd/auth.c, with the session's
 * keys.  The encoder writes the mandatory section only; bfd/auth.c appends
 * the authentication section.  Intervals are microseconds, exactly as on
 * the wire.
 */
#ifndef RIPOSTE_BFD_PACKET_H
#define RIPOSTE_BFD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define BFD_PORT 3784		/* RFC 5881 4: single-hop control packets */
#define BFD_VERSION 1
#define BFD_PKT_LEN 24		/* mandatory section */
#define BFD_PKT_AUTH_MIN 26	/* mandatory section + smallest auth section */
#define BFD_PKT_MAX 52		/* mandatory section + keyed SHA1's (RFC 5880 4.4) */

/* RFC 5880 4.1: the State field; the values are the wire encoding. */
enum bfd_state {
	BFD_STATE_ADMINDOWN = 0,
	BFD_STATE_DOWN = 1,
	BFD_STATE_INIT = 2,
	BFD_STATE_UP = 3,
};

/* RFC 5880 4.1: the Diagnostic field. */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_TIME_EXPIRED = 1,
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,
	BFD_DIAG_FWD_RESET = 4,
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT_DOWN = 6,
	BFD_DIAG_ADMIN_DOWN = 7,
	BFD_DIAG_REV_CONCAT_DOWN = 8,
};

/* RFC 5880 4.1: Auth Type; the values are the wire encoding. */
enum bfd_auth_type {
	BFD_AUTH_NONE = 0,		/* reserved on the wire; ours: not configured */
	BFD_AUTH_SIMPLE = 1,		/* 4.2 */
	BFD_AUTH_KEYED_MD5 = 2,		/* 4.3 */
	BFD_AUTH_MET_KEYED_MD5 = 3,
	BFD_AUTH_KEYED_SHA1 = 4,	/* 4.4 */
	BFD_AUTH_MET_KEYED_SHA1 = 5,
};
#define BFD_AUTH_SIMPLE_MAX 16		/* 4.2: password of 1 to 16 bytes */
#define BFD_AUTH_MD5_LEN 24		/* 4.3: Auth Len of both MD5 types */
#define BFD_AUTH_SHA1_LEN 28		/* 4.4: Auth Len of both SHA1 types */

/* Flag bits as they sit in the low six bits of the second byte. */
#define BFD_F_POLL 0x20
#define BFD_F_FINAL 0x10
#define BFD_F_CPI 0x08
#define BFD_F_AUTH 0x04
#define BFD_F_DEMAND 0x02
#define BFD_F_MULTI 0x01

struct bfd_pkt {
	uint8_t version;
	uint8_t diag;
	uint8_t state;		/* enum bfd_state */
	uint8_t flags;		/* BFD_F_* */
	uint8_t detect_mult;
	uint8_t length;
	uint32_t my_discr;
	uint32_t your_discr;
	uint32_t desired_min_tx;	/* microseconds */
	uint32_t required_min_rx;
	uint32_t required_min_echo_rx;
	/* The authentication section's header, with BFD_F_AUTH (RFC 5880 4.2-4.4). */
	uint8_t auth_type;	/* enum bfd_auth_type (bfd/auth.h) */
	uint8_t auth_len;
	uint8_t auth_key_id;
	uint32_t auth_seq;	/* keyed MD5 and SHA1 types only */
};

/* Rejections, in the order RFC 5880 6.8.6 checks them. */
enum bfd_err {
	BFD_OK = 0,
	BFD_ERR_TRUNCATED = -1,
	BFD_ERR_VERSION = -2,
	BFD_ERR_LENGTH_SHORT = -3,
	BFD_ERR_LENGTH_LONG = -4,
	BFD_ERR_DETECT_MULT = -5,
	BFD_ERR_MULTIPOINT = -6,
	BFD_ERR_MY_DISCR = -7,
	BFD_ERR_YOUR_DISCR = -8,
	BFD_ERR_AUTH = -9,		/* session: A bit, none configured (6.8.6) */
	BFD_ERR_BUFFER = -10,		/* encode: output buffer too small */
	BFD_ERR_DISCR_MISMATCH = -11,	/* session: your discr is not ours */
	BFD_ERR_STATE = -12,		/* encode: state field out of range */
	BFD_ERR_AUTH_LEN = -13,		/* Auth Len wrong for its type or the packet */
	BFD_ERR_AUTH_MISSING = -14,	/* session: no A bit, authentication configured */
	BFD_ERR_AUTH_TYPE = -15,	/* session: another Auth Type than ours */
	BFD_ERR_AUTH_KEY = -16,		/* session: no accepted key with that key id */
	BFD_ERR_AUTH_FAILED = -17,	/* session: wrong password or digest */
	BFD_ERR_AUTH_SEQ = -18,		/* session: sequence number outside the window */
	BFD_ERR_NO_KEY = -19,		/* build: no key may sign now */
};
#define BFD_ERR_COUNT 20		/* for per-reason counters: index -err */

int bfd_pkt_decode(const uint8_t *buf, size_t len, struct bfd_pkt *p);
int bfd_pkt_encode(const struct bfd_pkt *p, uint8_t *buf, size_t len);
const char *bfd_err_str(int err);
const char *bfd_state_name(int state);
const char *bfd_diag_name(int diag);

#endif
