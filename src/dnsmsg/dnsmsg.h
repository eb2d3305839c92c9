/*
 * dnsmsg.h - the one DNS message library of riposte, shared by riposte-dns
 * (src/dns), the dns health check (src/health) and riposte-probe
 * (src/probe).  It owns:
 *
 *   - names: presentation <-> wire form (RFC 1035 3.1 and 5.1, escapes
 *     \. and \DDD), validation of uncompressed wire names, case folding and
 *     comparison (RFC 4343: ASCII case-insensitive), and reading a
 *     compressed name out of a message (RFC 1035 4.1.4);
 *   - the tables of RR type, class and rcode mnemonics, one of each
 *     (RFC 6895 2.3 for rcodes, RFC 3597 5 for TYPEnnn and CLASSnnn);
 *   - the header and question codec (RFC 1035 4.1.1-4.1.2).
 *
 * Pure: no sockets, clock, globals or logging; every reader takes
 * (const uint8_t *buf, size_t len), checks bounds and returns a negative
 * enum dnsmsg_err rather than crashing on any input.
 */
#ifndef RIPOSTE_DNSMSG_H
#define RIPOSTE_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNSMSG_HDR_LEN 12
#define DNSMSG_NAME_MAX 255	/* wire octets, RFC 1035 3.1 */
#define DNSMSG_LABEL_MAX 63	/* RFC 1035 3.1 */
#define DNSMSG_NAME_STRLEN (4 * DNSMSG_NAME_MAX + 2) /* every byte as \DDD, plus NUL */
/*
 * Pointers followed while reading one name.  A 255-octet name has at most
 * 127 labels besides the root, so a sane encoder never needs more
 * pointers than that; the backwards-only rule already rules out loops,
 * this bounds the work on a long chain of pointers to pointers.
 */
#define DNSMSG_HOPS_MAX 127
#define DNSMSG_TYPE_STRLEN 12	/* "TYPE65535" */
#define DNSMSG_CLASS_STRLEN 12	/* "CLASS65535" */
#define DNSMSG_RCODE_STRLEN 16	/* "BADCOOKIE", "RCODE4095" */

/* Header flags: the second 16-bit word (RFC 1035 4.1.1). */
#define DNSMSG_F_QR 0x8000
#define DNSMSG_F_AA 0x0400
#define DNSMSG_F_TC 0x0200
#define DNSMSG_F_RD 0x0100
#define DNSMSG_F_RA 0x0080
#define DNSMSG_F_OPCODE(f) (((f) >> 11) & 0xf)
#define DNSMSG_F_RCODE(f) ((f) & 0xf)

/* Why an input was refused; 0 is fine. */
enum dnsmsg_err {
	DNSMSG_OK = 0,
	DNSMSG_E_SHORT = -1,       /* shorter than the 12-byte header */
	DNSMSG_E_TRUNC = -2,       /* a fixed field runs past the end */
	DNSMSG_E_NAME_TRUNC = -3,  /* a name runs past the end */
	DNSMSG_E_LABEL_LONG = -4,  /* a label longer than 63 bytes */
	DNSMSG_E_NAME_LONG = -5,   /* a name longer than 255 bytes */
	DNSMSG_E_LABEL_TYPE = -6,  /* 0x40/0x80 label types (retired, RFC 6891 5) */
	DNSMSG_E_POINTER = -7,     /* a pointer not to a prior occurrence (forward, loop) */
	DNSMSG_E_HOPS = -8,        /* more than DNSMSG_HOPS_MAX pointers */
	DNSMSG_E_COMPRESSED = -9,  /* a pointer where the name must be uncompressed */
	DNSMSG_E_EMPTY = -10,      /* text: no name at all */
	DNSMSG_E_EMPTY_LABEL = -11, /* text: "a..b", ".a" */
	DNSMSG_E_ESCAPE = -12,     /* text: a bad or unfinished \ escape */
	DNSMSG_E_RELATIVE = -13,   /* text: relative name and no origin */
	DNSMSG_E_NOSPACE = -14,    /* writer: does not fit */
	DNSMSG_E_UNKNOWN = -15,    /* tables: no such mnemonic */
	DNSMSG_E_COUNT = 16,
};

const char *dnsmsg_strerror(int err);

/* ---------------------------------------------------------------- names */

/*
 * Validate an uncompressed wire name in buf[0..len): its length (root
 * label included), or a negative enum dnsmsg_err (a pointer gives
 * DNSMSG_E_COMPRESSED).
 */
int dnsmsg_name_wire_len(const uint8_t *buf, size_t len);

/* The functions below take names already validated. */
/* Number of labels, not counting the root (".": 0, "a.b.": 2). */
unsigned dnsmsg_name_labels(const uint8_t *name);
/* Copy a wire name, lowercasing A-Z; returns its length. */
size_t dnsmsg_name_lower(uint8_t *dst, const uint8_t *src);
/* Equal ignoring ASCII case (RFC 4343). */
bool dnsmsg_name_equal(const uint8_t *a, const uint8_t *b);
/* Is `name` equal to or below `zone` (ASCII case-insensitive)? */
bool dnsmsg_name_is_subdomain(const uint8_t *name, const uint8_t *zone);
/* Skip `n` leading labels (stops at the root). */
const uint8_t *dnsmsg_name_skip(const uint8_t *name, unsigned n);

/*
 * Presentation to wire (RFC 1035 5.1): "a.b.", escapes \X and \DDD.  A
 * name without a final dot is relative to `origin` (wire; NULL: the error
 * DNSMSG_E_RELATIVE; the root makes every name absolute), "@" is the
 * origin.  Returns the wire length or a negative enum dnsmsg_err.
 */
int dnsmsg_name_from_text(uint8_t out[DNSMSG_NAME_MAX], const char *text,
    const uint8_t *origin);

/* Wire to presentation, with escapes; always ends in "." ("." for the root). */
const char *dnsmsg_name_to_text(const uint8_t *name, char out[DNSMSG_NAME_STRLEN]);

/*
 * Read a possibly compressed name at *pos in msg[0..len) into out
 * (uncompressed, case kept) and move *pos past it.  RFC 1035 4.1.4: a
 * pointer refers to a prior occurrence; every pointer must point before
 * the start of the name and before the previous pointer's target (which
 * rules out loops), and at most DNSMSG_HOPS_MAX pointers are followed.
 * Returns the name's length or a negative enum dnsmsg_err.
 */
int dnsmsg_name_read(const uint8_t *msg, size_t len, size_t *pos,
    uint8_t out[DNSMSG_NAME_MAX]);

/* ---------------------------------------------------------------- tables */

enum {
	DNSMSG_T_A = 1, DNSMSG_T_NS = 2, DNSMSG_T_CNAME = 5, DNSMSG_T_SOA = 6,
	DNSMSG_T_PTR = 12, DNSMSG_T_MX = 15, DNSMSG_T_TXT = 16, DNSMSG_T_AAAA = 28,
	DNSMSG_T_OPT = 41, DNSMSG_T_ANY = 255,
};
enum { DNSMSG_C_IN = 1, DNSMSG_C_CH = 3, DNSMSG_C_HS = 4, DNSMSG_C_ANY = 255 };
enum {
	DNSMSG_RCODE_NOERROR = 0, DNSMSG_RCODE_FORMERR = 1, DNSMSG_RCODE_SERVFAIL = 2,
	DNSMSG_RCODE_NXDOMAIN = 3, DNSMSG_RCODE_NOTIMP = 4, DNSMSG_RCODE_REFUSED = 5,
};
#define DNSMSG_RCODE_MAX 4095	/* 12 bits with the EDNS extension, RFC 6891 6.1.3 */

/* "AAAA", or "TYPE65534" (RFC 3597 5) in buf. */
const char *dnsmsg_type_name(uint16_t type, char buf[DNSMSG_TYPE_STRLEN]);
/* A mnemonic or TYPEnnn, case-insensitive: 0, or DNSMSG_E_UNKNOWN. */
int dnsmsg_type_parse(const char *s, uint16_t *type);
/* "IN", or "CLASS65534" (RFC 3597 5) in buf. */
const char *dnsmsg_class_name(uint16_t rclass, char buf[DNSMSG_CLASS_STRLEN]);
/* A mnemonic or CLASSnnn, case-insensitive: 0, or DNSMSG_E_UNKNOWN. */
int dnsmsg_class_parse(const char *s, uint16_t *rclass);
/* "SERVFAIL", or "RCODE12" in buf (12-bit rcodes). */
const char *dnsmsg_rcode_name(unsigned rcode, char buf[DNSMSG_RCODE_STRLEN]);
/* A mnemonic (and BADSIG, RFC 8945) or RCODEnnn up to 4095: 0, or DNSMSG_E_UNKNOWN. */
int dnsmsg_rcode_parse(const char *s, unsigned *rcode);

/* ---------------------------------------------------- header and question */

struct dnsmsg_hdr {
	uint16_t id, flags;
	uint16_t qdcount, ancount, nscount, arcount;
};

/* 0, or DNSMSG_E_SHORT. */
int dnsmsg_hdr_parse(const uint8_t *buf, size_t len, struct dnsmsg_hdr *h);
/* DNSMSG_HDR_LEN, or DNSMSG_E_NOSPACE. */
int dnsmsg_hdr_write(uint8_t *buf, size_t cap, const struct dnsmsg_hdr *h);

struct dnsmsg_question {
	const uint8_t *qname;	/* into the message: uncompressed, case as sent */
	uint8_t qname_len;
	uint16_t qtype, qclass;
};

/*
 * The question at *pos (RFC 1035 4.1.2); *pos moves past it.  The name
 * must be uncompressed: the first question's name is the first name of a
 * message, so a pointer in it could only point into the header or
 * forwards, never to a prior occurrence.  0, a name error, or
 * DNSMSG_E_TRUNC when the type or class runs past the end.
 */
int dnsmsg_question_parse(const uint8_t *buf, size_t len, size_t *pos,
    struct dnsmsg_question *q);
/* Write a question (qname: uncompressed wire) at *pos; 0 or an error. */
int dnsmsg_question_write(uint8_t *buf, size_t cap, size_t *pos, const uint8_t *qname,
    uint16_t qtype, uint16_t qclass);
/*
 * A query: header (QDCOUNT 1, the other counts 0) and one question.  Its
 * length, or a negative enum dnsmsg_err.
 */
int dnsmsg_query_build(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
    const uint8_t *qname, uint16_t qtype, uint16_t qclass);

#endif
