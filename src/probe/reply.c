/*
 * reply.c - the query riposte-probe sends and the parsing of its replies
 * (RFC 1035 4.1, RFC 6891 6.1, RFC 5001 2.3).  See reply.h.  Names, the
 * type, class and rcode mnemonics, the header and the question are
 * src/dnsmsg's; what is riposte-probe's own is the OPT it adds and what
 * it picks out of a reply.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/cursor.h"
#include "dnsmsg/dnsmsg.h"
#include "reply.h"


static const char *const reply_err_names[PROBE_REPLY_ERR_COUNT] = {
	[0] = "ok",
	[-PROBE_REPLY_SHORT] = "shorter than a DNS header",
	[-PROBE_REPLY_NOT_QR] = "QR bit clear",
	[-PROBE_REPLY_OPCODE] = "opcode not QUERY",
	[-PROBE_REPLY_QDCOUNT] = "not exactly one question",
	[-PROBE_REPLY_QNAME] = "question malformed",
	[-PROBE_REPLY_QUESTION] = "question not ours",
	[-PROBE_REPLY_RRNAME] = "record owner malformed",
	[-PROBE_REPLY_RRTRUNC] = "record past the end",
	[-PROBE_REPLY_OPT] = "OPT record malformed",
	[-PROBE_REPLY_RDATA] = "TXT or A rdata malformed",
};

const char *
probe_reply_err_str(int err)
{
	if (err > 0 || err <= -PROBE_REPLY_ERR_COUNT)
		return "unknown error";
	return reply_err_names[-err];
}

/* ------------------------------------------------------------ names, types */

/* A plain decimal 0..max (riposte-probe also takes numbers for mnemonics); 0 or -1. */
static int
parse_number(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* id.server and hostname.bind are asked in CHAOS (RFC 4892 2). */
static bool
chaos_name(const uint8_t *wire, size_t len)
{
	static const char id_server[] = "\002id\006server";
	static const char hostname_bind[] = "\010hostname\004bind";

	return (len == sizeof(id_server) && strncasecmp((const char *)wire, id_server, len) == 0) ||
	    (len == sizeof(hostname_bind) &&
	    strncasecmp((const char *)wire, hostname_bind, len) == 0);
}

int
probe_qspec_init(struct probe_qspec *q, const char *qname, const char *qtype,
    const char *qclass, enum probe_ident ident, const char **why)
{
	static const uint8_t root[1] = { 0 };
	unsigned long v;
	int n;

	memset(q, 0, sizeof(*q));
	q->ident = ident;
	/* Relative to the root: "id.server" and "id.server." are the same name. */
	if ((n = dnsmsg_name_from_text(q->qname, qname, root)) < 0) {
		*why = dnsmsg_strerror(n);
		return -1;
	}
	q->qname_len = (size_t)n;
	if (dnsmsg_type_parse(qtype, &q->qtype) != 0) {
		if (parse_number(qtype, 65535, &v) != 0) {
			*why = "unknown query type (A, TXT, ..., TYPEn or a number)";
			return -1;
		}
		q->qtype = (uint16_t)v;
	}
	if (qclass == NULL) {
		q->qclass = chaos_name(q->qname, q->qname_len) ? PROBE_C_CH : PROBE_C_IN;
		return 0;
	}
	if (dnsmsg_class_parse(qclass, &q->qclass) != 0) {
		if (parse_number(qclass, 65535, &v) != 0) {
			*why = "unknown query class (IN, CH, HS, ANY, CLASSn or a number)";
			return -1;
		}
		q->qclass = (uint16_t)v;
	}
	return 0;
}

/* ------------------------------------------------------------------ query */

int
probe_query_build(const struct probe_qspec *q, uint16_t id, uint8_t *buf, size_t cap)
{
	struct wcursor w;
	bool nsid = q->ident == PROBE_ID_NSID;

	/* A plain query: RD clear, we ask authoritative servers; the OPT follows. */
	struct dnsmsg_hdr h = { .id = id, .qdcount = 1, .arcount = 1 };
	size_t pos = DNSMSG_HDR_LEN;

	if (dnsmsg_hdr_write(buf, cap, &h) < 0 ||
	    dnsmsg_question_write(buf, cap, &pos, q->qname, q->qtype, q->qclass) != 0)
		return -1;
	wcur_init(&w, buf, cap);
	w.pos = pos;
	/* RFC 6891 6.1.2: root owner, type OPT, CLASS = payload size, TTL = flags 0. */
	wcur_u8(&w, 0);
	wcur_u16(&w, PROBE_T_OPT);
	wcur_u16(&w, PROBE_EDNS_UDP);
	wcur_u32(&w, 0);
	wcur_u16(&w, nsid ? 4 : 0);
	if (nsid) {
		/* RFC 5001 2.1: a request is the option with an empty payload. */
		wcur_u16(&w, PROBE_OPT_NSID);
		wcur_u16(&w, 0);
	}
	return w.err ? -1 : (int)w.pos;
}

/* ------------------------------------------------------------------ reply */

static bool
node_char_ok(uint8_t c)
{
	return c >= 0x20 && c <= 0x7e && c != ',' && c != '"';
}

/* data[0..len) as is when `plain`, else as hex; cut to fit. */
static void
node_format(const uint8_t *data, size_t len, bool plain, char out[PROBE_NODE_MAX])
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (plain) {
		n = len < PROBE_NODE_MAX - 1 ? len : PROBE_NODE_MAX - 1;
		memcpy(out, data, n);
	} else {
		for (size_t i = 0; i < len && n + 2 < PROBE_NODE_MAX; i++) {
			out[n++] = hex[data[i] >> 4];
			out[n++] = hex[data[i] & 0xf];
		}
	}
	out[n] = '\0';
}

void
probe_node_text(const uint8_t *data, size_t len, char out[PROBE_NODE_MAX])
{
	bool plain = true;

	for (size_t i = 0; i < len && plain; i++)
		plain = node_char_ok(data[i]);
	node_format(data, len, plain, out);
}

/*
 * TXT rdata (RFC 1035 3.3.14): character-strings that fill it exactly,
 * joined.  The node is decided on all of them; only the first bytes are kept.
 */
static int
txt_node(const uint8_t *rd, size_t rdlen, char out[PROBE_NODE_MAX])
{
	uint8_t text[PROBE_NODE_MAX];
	size_t n = 0;
	bool plain = true;
	struct cursor c;

	cur_init(&c, rd, rdlen);
	while (cur_left(&c) > 0) {
		uint8_t l = cur_u8(&c);
		struct cursor s = cur_sub(&c, l);
		if (c.err)
			return -1;
		for (size_t i = 0; i < l; i++) {
			uint8_t b = s.buf[i];
			plain = plain && node_char_ok(b);
			if (n < sizeof(text))
				text[n++] = b;
		}
	}
	node_format(text, n, plain, out);
	return 0;
}

int
probe_reply_parse(const uint8_t *buf, size_t len, const struct probe_qspec *q,
    struct probe_reply *out)
{
	uint8_t name[PROBE_NAME_MAX];
	int name_len;
	size_t pos;
	const uint8_t *nsid = NULL, *txt = NULL, *a = NULL;
	size_t nsid_len = 0, txt_len = 0;
	struct dnsmsg_hdr h;
	struct dnsmsg_question qu;
	struct cursor c;

	memset(out, 0, sizeof(*out));
	if (dnsmsg_hdr_parse(buf, len, &h) != DNSMSG_OK)
		return PROBE_REPLY_SHORT;
	out->id = h.id;
	out->flags = h.flags;
	uint16_t an = h.ancount, ns = h.nscount, ar = h.arcount;
	if (!(out->flags & DNSMSG_F_QR))
		return PROBE_REPLY_NOT_QR;
	if (DNSMSG_F_OPCODE(out->flags) != 0)
		return PROBE_REPLY_OPCODE;
	out->tc = (out->flags & DNSMSG_F_TC) != 0;
	out->rcode = DNSMSG_F_RCODE(out->flags);
	if (h.qdcount != 1)
		return PROBE_REPLY_QDCOUNT;

	/* RFC 1035 7.3: the question must be the one we asked. */
	pos = DNSMSG_HDR_LEN;
	if (dnsmsg_question_parse(buf, len, &pos, &qu) != DNSMSG_OK)
		return PROBE_REPLY_QNAME;
	if (!dnsmsg_name_equal(qu.qname, q->qname) || qu.qtype != q->qtype ||
	    qu.qclass != q->qclass)
		return PROBE_REPLY_QUESTION;
	cur_init(&c, buf, len);
	c.pos = pos;

	/* Every record, for its framing; the answer's TXT and A, the additional's OPT. */
	uint32_t total = (uint32_t)an + ns + ar;
	for (uint32_t i = 0; i < total; i++) {
		pos = c.pos;
		if ((name_len = dnsmsg_name_read(buf, len, &pos, name)) < 0)
			return PROBE_REPLY_RRNAME;
		c.pos = pos;
		uint16_t type = cur_u16(&c), rclass = cur_u16(&c);
		uint32_t ttl = cur_u32(&c);
		uint16_t rdlen = cur_u16(&c);
		struct cursor rd = cur_sub(&c, rdlen);
		if (c.err)
			return PROBE_REPLY_RRTRUNC;
		if (i < an) {
			if (type == PROBE_T_TXT && rclass == PROBE_C_CH && txt == NULL) {
				txt = rd.buf;
				txt_len = rdlen;
			} else if (type == PROBE_T_A && rclass == PROBE_C_IN && a == NULL) {
				if (rdlen != 4)
					return PROBE_REPLY_RDATA;
				a = rd.buf;
			}
		} else if (i >= (uint32_t)an + ns && type == PROBE_T_OPT && !out->edns) {
			/* RFC 6891 6.1.2-6.1.3: root owner, extended rcode in the TTL. */
			if (name_len != 1)
				return PROBE_REPLY_OPT;
			out->edns = true;
			out->rcode |= (ttl >> 24) << 4;
			while (cur_left(&rd) > 0) {
				uint16_t code = cur_u16(&rd), olen = cur_u16(&rd);
				struct cursor o = cur_sub(&rd, olen);
				if (rd.err)
					return PROBE_REPLY_OPT;
				if (code == PROBE_OPT_NSID && nsid == NULL) {
					nsid = o.buf;
					nsid_len = olen;
				}
			}
		}
	}

	if (q->ident == PROBE_ID_A) {
		if (a != NULL)
			snprintf(out->node, sizeof(out->node), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else if (q->ident == PROBE_ID_NSID && nsid != NULL && nsid_len > 0) {
		probe_node_text(nsid, nsid_len, out->node);
	} else if (txt != NULL && txt_node(txt, txt_len, out->node) != 0) {
		/* chaos, or nsid without an NSID: the CH TXT answer names the node. */
		return PROBE_REPLY_RDATA;
	}
	return PROBE_REPLY_OK;
}

/* ------------------------------------------------------------------ rcodes */

/* The names are src/dnsmsg's one table; riposte-probe also takes plain numbers. */
const char *
probe_rcode_name(unsigned rcode, char buf[PROBE_RCODE_STRLEN])
{
	return dnsmsg_rcode_name(rcode, buf);
}

int
probe_rcode_parse(const char *s, unsigned *out)
{
	unsigned long v;

	if (dnsmsg_rcode_parse(s, out) == 0)
		return 0;
	if (parse_number(s, DNSMSG_RCODE_MAX, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}
