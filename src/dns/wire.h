/*
 * wire.h - the DNS message codec of riposte-dns (RFC 1035 4.1, RFC 6891
 * EDNS0, RFC 5001 NSID, RFC 3597 4 for which rdata names may be compressed).
 *
 * Reading is pure: dns_wire_parse() checks the framing of a whole message
 * (queries and replies alike) and hands out the header, the first question
 * (pointing into the caller's buffer, original case) and the EDNS0 OPT
 * record; dns_wire_rr_next() walks the records of a parsed message.
 * Writing goes through struct dns_writer: header, question, records with
 * name compression against the names already in the message, and the OPT
 * record, each record set all or nothing so that a reply that does not fit
 * can be truncated cleanly.  No allocation, no globals: both sides are
 * reentrant and run on the answer path of every worker.
 */
#ifndef RIPOSTE_DNS_WIRE_H
#define RIPOSTE_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/cursor.h"
#include "name.h"
#include "zone.h"

#define DNS_HDR_LEN DNSMSG_HDR_LEN
#define DNS_UDP_MIN 512     /* RFC 1035 4.2.1; also the floor for EDNS sizes, RFC 6891 6.2.5 */
#define DNS_TCP_MAX 65535   /* RFC 1035 4.2.2: two-byte length prefix */
#define DNS_OPT_FIXED 11    /* OPT RR without options: root owner, type, class, TTL, RDLENGTH */
#define DNS_OPT_NSID 3      /* RFC 5001 2.3 */
#define DNS_EDNS_DO 0x8000  /* RFC 3225 3: DNSSEC OK, in the OPT TTL's flags half */
#define DNS_WIRE_TSIG 250   /* RFC 8945: must be the last record when present */
#define DNS_COMP_MAX 64     /* compression targets remembered per message */

/* Header flags: the second 16-bit word (RFC 1035 4.1.1, RFC 4035 for AD/CD). */
#define DNS_F_QR 0x8000
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_F_RD 0x0100
#define DNS_F_RA 0x0080
#define DNS_F_AD 0x0020
#define DNS_F_CD 0x0010
#define DNS_F_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_F_RCODE(f) ((f) & 0xf)

enum { DNS_OPCODE_QUERY = 0, DNS_OPCODE_NOTIFY = 4, DNS_OPCODE_UPDATE = 5 };
enum {
	DNS_RCODE_NOERROR = 0, DNS_RCODE_FORMERR = 1, DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3, DNS_RCODE_NOTIMP = 4, DNS_RCODE_REFUSED = 5,
	DNS_RCODE_YXDOMAIN = 6,
	DNS_RCODE_BADVERS = 16, /* RFC 6891 9: extended, upper 8 bits in the OPT */
};

/* Sections, in message order. */
enum dns_section {
	DNS_SEC_QUESTION = 0, DNS_SEC_ANSWER = 1, DNS_SEC_AUTHORITY = 2, DNS_SEC_ADDITIONAL = 3,
};

/* Why a message was rejected (STYLE: every rejection named); 0 is fine. */
enum dns_wire_err {
	DNS_WIRE_OK = 0,
	DNS_WIRE_SHORT = -1,       /* shorter than the 12-byte header */
	DNS_WIRE_QNAME = -2,       /* question name malformed, compressed or past the end */
	DNS_WIRE_QTRUNC = -3,      /* question type/class past the end */
	DNS_WIRE_RRNAME = -4,      /* record owner malformed (bad pointer, loop, > 255) */
	DNS_WIRE_RRTRUNC = -5,     /* record header or rdata past the end */
	DNS_WIRE_OPT_SECTION = -6, /* OPT outside the additional section (RFC 6891 6.1.1) */
	DNS_WIRE_OPT_DUP = -7,     /* more than one OPT (RFC 6891 6.1.1) */
	DNS_WIRE_OPT_OWNER = -8,   /* OPT owner not the root (RFC 6891 6.1.2) */
	DNS_WIRE_OPT_OPTION = -9,  /* an option runs past the OPT rdata (RFC 6891 6.1.2) */
	DNS_WIRE_TSIG_LAST = -10,  /* TSIG not the last record (RFC 8945 5.1) */
	DNS_WIRE_NOSPACE = -11,    /* writer: does not fit in the limit */
	DNS_WIRE_ORDER = -12,      /* writer: record for a section already closed */
	DNS_WIRE_ERR_COUNT = 13,
};

const char *dns_wire_err_str(int err);

/* A parsed message: only pointers into the caller's buffer and scalars. */
struct dns_msg {
	uint16_t id;
	uint16_t flags;
	uint16_t qdcount, ancount, nscount, arcount;
	/* The first question; qname is NULL when there is none. */
	const uint8_t *qname; /* into the buffer: uncompressed, case as sent */
	uint8_t qname_len;
	uint16_t qtype, qclass;
	size_t question_end;  /* offset just past the first question */
	size_t records;       /* offset of the first answer record (past every question) */
	/* EDNS0, RFC 6891 6.1.2-6.1.3 */
	bool edns;
	uint8_t edns_ext_rcode;
	uint8_t edns_version;
	uint16_t edns_udp;    /* the sender's payload size, as sent */
	uint16_t edns_flags;  /* DNS_EDNS_DO */
	bool nsid;            /* an NSID option was present (RFC 5001 2.1) */
	const uint8_t *nsid_data; /* its payload (empty in queries) */
	uint16_t nsid_len;
	bool tsig;            /* a TSIG record was present (last) */
	size_t end;           /* bytes covered by the counted sections */
};

/*
 * Parse the framing of a whole message: header, every question (names
 * must be uncompressed: the question is the first name of a message, so a
 * pointer can only point into the header or forwards), every record
 * (owners may be compressed; pointers must point backwards), and the OPT
 * record.  Bytes after the last counted record are ignored (m->end says
 * where the message ended).  Returns 0 or a negative enum dns_wire_err;
 * on an error, the fields parsed before it are valid (m->qname, m->edns).
 */
int dns_wire_parse(const uint8_t *buf, size_t len, struct dns_msg *m);

/*
 * Read a possibly compressed name at *pos in msg[0..len) into out
 * (uncompressed, case kept) and advance *pos past it.  Every pointer must
 * point before the previous one (RFC 1035 4.1.4: to a prior occurrence),
 * which also rules out loops, and at most 127 pointers are followed
 * (dnsmsg_name_read()).  Returns the name's length or -1.
 */
int dns_wire_name_read(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[DNS_NAME_MAX]);

/* One record of a parsed message. */
struct dns_rr {
	enum dns_section section;
	uint8_t owner[DNS_NAME_MAX];
	uint8_t owner_len;
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata_off;     /* offset of the rdata in the message */
	const uint8_t *rdata;
};

struct dns_rr_iter {
	const uint8_t *msg;
	size_t len, pos;
	uint16_t left[4];
	enum dns_section section;
	/*
	 * Skip owner names instead of reading them (rr->owner_len 0), but
	 * for the OPT's: a query's parse needs no other owner, and reading
	 * 5000 owners of 127 pointers each costs milliseconds per message.
	 */
	bool lazy;
};

/* Walk the answer, authority and additional records of a parsed message. */
void dns_wire_rr_begin(struct dns_rr_iter *it, const uint8_t *buf, size_t len,
    const struct dns_msg *m);
/* 1 and *rr filled, 0 at the end, or a negative enum dns_wire_err. */
int dns_wire_rr_next(struct dns_rr_iter *it, struct dns_rr *rr);

/*
 * Writer.  `limit` is the most the message may take; dns_wire_reserve()
 * sets bytes aside (for the OPT record) that records may not use.
 * Compression: every name written (question, owners, and the names inside
 * NS, CNAME, PTR, MX and SOA rdata: RFC 1035 types, RFC 3597 4) is
 * compressed against the names already in the message and remembered as a
 * target.  Other rdata, DNAME's included (RFC 6672 2.1), is copied as is.
 */
struct dns_writer {
	struct wcursor w;     /* w.cap: the limit less the reserve */
	size_t reserve;
	enum dns_section section;
	uint16_t count[4];
	unsigned ncomp;
	uint16_t comp_off[DNS_COMP_MAX];
	uint8_t comp_labels[DNS_COMP_MAX];
};

/* A point to roll back to: undoes records written after it. */
struct dns_wire_mark {
	size_t pos;
	enum dns_section section;
	uint16_t count[4];
	unsigned ncomp;
};

void dns_wire_init(struct dns_writer *wr, uint8_t *buf, size_t limit);
/* The header with counts of zero (dns_wire_finish fills them in). */
int dns_wire_header(struct dns_writer *wr, uint16_t id, uint16_t flags);
uint16_t dns_wire_flags(const struct dns_writer *wr);
void dns_wire_set_flags(struct dns_writer *wr, uint16_t flags);
/* The question, copied as it is (qname: uncompressed wire, any case). */
int dns_wire_question(struct dns_writer *wr, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass);
/* One record; owner: uncompressed wire. */
int dns_wire_rr(struct dns_writer *wr, enum dns_section sec, const uint8_t *owner,
    uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen);
/* Every record of an RRset with one TTL, or none of them (DNS_WIRE_NOSPACE). */
int dns_wire_rrset(struct dns_writer *wr, enum dns_section sec, const uint8_t *owner,
    uint16_t rclass, const struct dns_rrset *rrset, uint32_t ttl);
/* Bytes an OPT record takes, with an NSID option of nsid_len bytes or without. */
size_t dns_wire_opt_size(bool nsid, uint16_t nsid_len);
/*
 * The OPT record (RFC 6891 6.1.2-6.1.3) in the additional section; nsid
 * NULL: no NSID option, else one with nsid_len bytes (0: a request).
 */
int dns_wire_opt(struct dns_writer *wr, uint16_t udp_size, uint8_t ext_rcode,
    uint8_t version, uint16_t edns_flags, const uint8_t *nsid, uint16_t nsid_len);
/* Set n bytes aside (0 or DNS_WIRE_NOSPACE), or give them back. */
int dns_wire_reserve(struct dns_writer *wr, size_t n);
void dns_wire_unreserve(struct dns_writer *wr, size_t n);
void dns_wire_mark(const struct dns_writer *wr, struct dns_wire_mark *mk);
void dns_wire_rollback(struct dns_writer *wr, const struct dns_wire_mark *mk);
/* Write the section counts into the header; the message length. */
size_t dns_wire_finish(struct dns_writer *wr);

#endif
