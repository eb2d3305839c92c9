/*
 * reply.h - riposte-probe's DNS codec: the query it sends and the reply it
 * reads (RFC 1035 4.1, RFC 6891 EDNS0, RFC 5001 NSID, RFC 4892 id.server).
 *
 * Pure functions over (buf, len): no sockets, clock or globals.  The reply
 * parser reads untrusted bytes through the bounded cursor and src/dnsmsg
 * only; it checks the header (QR, opcode), that the question is ours (its
 * name uncompressed, as the first name of a message), every record's
 * framing (owner names may be compressed: each pointer must point before
 * the previous one, which rules out loops, at most 127 pointers, and a
 * name stays within 255 bytes), and it picks out the extended rcode and
 * what names the node that answered (the NSID option, the TXT data of a
 * CH TXT answer or the first A record).  Matching the id against the
 * queries in flight is window.c's.
 */
#ifndef RIPOSTE_PROBE_REPLY_H
#define RIPOSTE_PROBE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_NAME_MAX 255     /* a wire name, RFC 1035 3.1 */
#define PROBE_NODE_MAX 128     /* a node's text with its NUL: longer ones are cut */
#define PROBE_EDNS_UDP 1232    /* our advertised EDNS payload size */
#define PROBE_QUERY_MAX 512    /* room for any query we build */
#define PROBE_RCODE_STRLEN 16  /* "BADCOOKIE", "RCODE4095" */

#define PROBE_T_A 1
#define PROBE_T_TXT 16
#define PROBE_T_OPT 41
#define PROBE_C_IN 1
#define PROBE_C_CH 3
#define PROBE_OPT_NSID 3

/* How the node that answered is named (--identify). */
enum probe_ident {
	PROBE_ID_NSID = 0, /* the NSID option; else the TXT of a CH TXT answer */
	PROBE_ID_CHAOS,    /* the TXT of a CH TXT answer only */
	PROBE_ID_A,        /* the first A record of the answer section */
};

/* What we ask: built once from the options. */
struct probe_qspec {
	uint8_t qname[PROBE_NAME_MAX]; /* uncompressed wire form */
	size_t qname_len;
	uint16_t qtype, qclass;
	enum probe_ident ident;        /* PROBE_ID_NSID adds an empty NSID option */
};

/* Why a reply was not taken (STYLE: every rejection named); 0 is fine. */
enum probe_reply_err {
	PROBE_REPLY_OK = 0,
	PROBE_REPLY_SHORT = -1,     /* shorter than the 12-byte header */
	PROBE_REPLY_NOT_QR = -2,    /* QR bit clear: a query, not a reply */
	PROBE_REPLY_OPCODE = -3,    /* opcode is not QUERY */
	PROBE_REPLY_QDCOUNT = -4,   /* not exactly one question */
	PROBE_REPLY_QNAME = -5,     /* question name malformed or past the end */
	PROBE_REPLY_QUESTION = -6,  /* the question is not the one we asked */
	PROBE_REPLY_RRNAME = -7,    /* record owner malformed: bad pointer, loop, > 255 */
	PROBE_REPLY_RRTRUNC = -8,   /* record header or rdata past the end */
	PROBE_REPLY_OPT = -9,       /* OPT malformed: owner not root, option past its rdata */
	PROBE_REPLY_RDATA = -10,    /* TXT or A rdata malformed */
	PROBE_REPLY_ERR_COUNT = 11,
};

const char *probe_reply_err_str(int err);

struct probe_reply {
	uint16_t id;
	uint16_t flags;
	bool tc;
	unsigned rcode;               /* 12 bits: header rcode + OPT extended rcode << 4 */
	bool edns;
	char node[PROBE_NODE_MAX];    /* "" when the reply does not name its node */
};

/*
 * Text to qspec: qname ("id.server", trailing dot optional, "." the root;
 * labels of 1..63 bytes, 255 in all, escapes \. and \DDD as in a zone
 * file), qtype (A, TXT, ..., TYPEn or a number), qclass (IN, CH, HS,
 * NONE, ANY, CLASSn, a number; NULL: CH for
 * id.server and hostname.bind, IN otherwise).  0, or -1 with *why set.
 */
int probe_qspec_init(struct probe_qspec *q, const char *qname, const char *qtype,
    const char *qclass, enum probe_ident ident, const char **why);

/* Build the query with this id into buf; its length, or -1 when cap is too small. */
int probe_query_build(const struct probe_qspec *q, uint16_t id, uint8_t *buf, size_t cap);

/* Parse a reply to q; 0 and *out filled, or a negative enum probe_reply_err. */
int probe_reply_parse(const uint8_t *buf, size_t len, const struct probe_qspec *q,
    struct probe_reply *out);

/*
 * A node's text from raw bytes: printable ASCII (space to '~') without ','
 * and '"' is kept as it is, anything else becomes lowercase hex; cut to
 * PROBE_NODE_MAX - 1 characters.  Empty input gives "".
 */
void probe_node_text(const uint8_t *data, size_t len, char out[PROBE_NODE_MAX]);

/* "NOERROR", "SERVFAIL", ... or "RCODE<n>". */
const char *probe_rcode_name(unsigned rcode, char buf[PROBE_RCODE_STRLEN]);
/* The reverse, also for "RCODE<n>" and plain numbers; 0 or -1. */
int probe_rcode_parse(const char *s, unsigned *out);

#endif
