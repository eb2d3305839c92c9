/*
 * reply.c - the query riposte-probe sends and the parsing of its replies
 * (RFC 1035 4.1, RFC 6891 6.1, RFC 5001 2.3).  See reply.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../lib/cursor.h"
#include "reply.h"

#define DNS_HDR_LEN 12
#define F_QR 0x8000
#define F_TC 0x0200
#define F_OPCODE(f) (((f) >> 11) & 0xf)

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

/* "id.server" -> "\002id\006server\000"; 0 or -1. */
static int
name_from_text(const char *s, uint8_t out[PROBE_NAME_MAX], size_t *outlen, const char **why)
{
	size_t n = 0;

	if (strcmp(s, ".") == 0) {
		out[0] = 0;
		*outlen = 1;
		return 0;
	}
	while (*s != '\0') {
		const char *dot = strchr(s, '.');
		size_t l = dot != NULL ? (size_t)(dot - s) : strlen(s);
		if (l == 0) {
			*why = "empty label in the name";
			return -1;
		}
		if (l > 63) {
			*why = "label longer than 63 bytes";
			return -1;
		}
		if (n + 1 + l + 1 > PROBE_NAME_MAX) {
			*why = "name longer than 255 bytes";
			return -1;
		}
		out[n++] = (uint8_t)l;
		memcpy(out + n, s, l);
		n += l;
		s += l;
		if (*s == '.')
			s++;
	}
	if (n == 0) {
		*why = "empty name";
		return -1;
	}
	out[n++] = 0;
	*outlen = n;
	return 0;
}

static const struct { const char *name; uint16_t value; } qtypes[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 }, { "MX", 15 },
	{ "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 }, { "NAPTR", 35 }, { "DS", 43 },
	{ "DNSKEY", 48 }, { "HTTPS", 65 }, { "CAA", 257 }, { "ANY", 255 },
};
static const struct { const char *name; uint16_t value; } qclasses[] = {
	{ "IN", 1 }, { "CH", 3 }, { "HS", 4 }, { "ANY", 255 },
};

/* A decimal 0..65535, alone or after prefix ("TYPE", "CLASS"); 0 or -1. */
static int
parse_u16(const char *s, const char *prefix, uint16_t *out)
{
	size_t pl = strlen(prefix);
	char *end;

	if (strncasecmp(s, prefix, pl) == 0)
		s += pl;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || v > 65535)
		return -1;
	*out = (uint16_t)v;
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
	size_t i;

	memset(q, 0, sizeof(*q));
	q->ident = ident;
	if (name_from_text(qname, q->qname, &q->qname_len, why) != 0)
		return -1;
	for (i = 0; i < sizeof(qtypes) / sizeof(qtypes[0]); i++)
		if (strcasecmp(qtype, qtypes[i].name) == 0)
			break;
	if (i < sizeof(qtypes) / sizeof(qtypes[0]))
		q->qtype = qtypes[i].value;
	else if (parse_u16(qtype, "TYPE", &q->qtype) != 0) {
		*why = "unknown query type (A, TXT, ..., TYPEn or a number)";
		return -1;
	}
	if (qclass == NULL) {
		q->qclass = chaos_name(q->qname, q->qname_len) ? PROBE_C_CH : PROBE_C_IN;
		return 0;
	}
	for (i = 0; i < sizeof(qclasses) / sizeof(qclasses[0]); i++)
		if (strcasecmp(qclass, qclasses[i].name) == 0)
			break;
	if (i < sizeof(qclasses) / sizeof(qclasses[0]))
		q->qclass = qclasses[i].value;
	else if (parse_u16(qclass, "CLASS", &q->qclass) != 0) {
		*why = "unknown query class (IN, CH, HS, ANY, CLASSn or a number)";
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ query */

int
probe_query_build(const struct probe_qspec *q, uint16_t id, uint8_t *buf, size_t cap)
{
	struct wcursor w;
	bool nsid = q->ident == PROBE_ID_NSID;

	wcur_init(&w, buf, cap);
	wcur_u16(&w, id);
	wcur_u16(&w, 0);   /* a plain query: RD clear, we ask authoritative servers */
	wcur_u16(&w, 1);   /* QDCOUNT */
	wcur_u16(&w, 0);
	wcur_u16(&w, 0);
	wcur_u16(&w, 1);   /* ARCOUNT: the OPT */
	wcur_bytes(&w, q->qname, q->qname_len);
	wcur_u16(&w, q->qtype);
	wcur_u16(&w, q->qclass);
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

/*
 * Read the (possibly compressed) name at *pos into out, uncompressed, and
 * move *pos past it.  RFC 1035 4.1.4: a pointer points to a prior
 * occurrence; we require every pointer to point before the start of the
 * name and before the target of the previous pointer, so the targets
 * strictly decrease and a loop is impossible.  0 or -1.
 */
static int
name_read(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[PROBE_NAME_MAX],
    size_t *outlen)
{
	size_t p = *pos, n = 0, limit = *pos;
	bool jumped = false;

	for (;;) {
		if (p >= len)
			return -1;
		uint8_t c = msg[p];
		if ((c & 0xc0) == 0xc0) {
			if (len - p < 2)
				return -1;
			size_t target = ((size_t)(c & 0x3f) << 8) | msg[p + 1];
			if (target >= limit)
				return -1;
			if (!jumped)
				*pos = p + 2;
			jumped = true;
			limit = target;
			p = target;
			continue;
		}
		if ((c & 0xc0) != 0)   /* RFC 6891 5: extended label types are gone */
			return -1;
		if (c == 0) {
			out[n++] = 0;
			if (!jumped)
				*pos = p + 1;
			*outlen = n;
			return 0;
		}
		if (len - p - 1 < c || n + 1 + c + 1 > PROBE_NAME_MAX)
			return -1;
		memcpy(out + n, msg + p, 1 + (size_t)c);
		n += 1 + (size_t)c;
		p += 1 + (size_t)c;
	}
}

/* Wire names, ASCII case-insensitively (RFC 4343). */
static bool
name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		uint8_t x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (uint8_t)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (uint8_t)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

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
	size_t name_len, pos;
	const uint8_t *nsid = NULL, *txt = NULL, *a = NULL;
	size_t nsid_len = 0, txt_len = 0;
	struct cursor c;

	memset(out, 0, sizeof(*out));
	if (len < DNS_HDR_LEN)
		return PROBE_REPLY_SHORT;
	cur_init(&c, buf, len);
	out->id = cur_u16(&c);
	out->flags = cur_u16(&c);
	uint16_t qd = cur_u16(&c), an = cur_u16(&c), ns = cur_u16(&c), ar = cur_u16(&c);
	if (!(out->flags & F_QR))
		return PROBE_REPLY_NOT_QR;
	if (F_OPCODE(out->flags) != 0)
		return PROBE_REPLY_OPCODE;
	out->tc = (out->flags & F_TC) != 0;
	out->rcode = out->flags & 0xf;
	if (qd != 1)
		return PROBE_REPLY_QDCOUNT;

	/* RFC 1035 7.3: the question must be the one we asked. */
	pos = DNS_HDR_LEN;
	if (name_read(buf, len, &pos, name, &name_len) != 0 || len - pos < 4)
		return PROBE_REPLY_QNAME;
	c.pos = pos;
	uint16_t qtype = cur_u16(&c), qclass = cur_u16(&c);
	if (!name_equal(name, name_len, q->qname, q->qname_len) || qtype != q->qtype ||
	    qclass != q->qclass)
		return PROBE_REPLY_QUESTION;

	/* Every record, for its framing; the answer's TXT and A, the additional's OPT. */
	uint32_t total = (uint32_t)an + ns + ar;
	for (uint32_t i = 0; i < total; i++) {
		pos = c.pos;
		if (name_read(buf, len, &pos, name, &name_len) != 0)
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

/* RFC 6895 2.3 */
static const char *const rcode_names[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
	"YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE", "DSOTYPENI", NULL, NULL, NULL, NULL,
	"BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME", "BADALG", "BADTRUNC",
	"BADCOOKIE",
};
#define N_RCODE_NAMES (sizeof(rcode_names) / sizeof(rcode_names[0]))

const char *
probe_rcode_name(unsigned rcode, char buf[PROBE_RCODE_STRLEN])
{
	if (rcode < N_RCODE_NAMES && rcode_names[rcode] != NULL)
		return rcode_names[rcode];
	snprintf(buf, PROBE_RCODE_STRLEN, "RCODE%u", rcode & 0xfff);
	return buf;
}

int
probe_rcode_parse(const char *s, unsigned *out)
{
	uint16_t v;

	for (unsigned i = 0; i < N_RCODE_NAMES; i++) {
		if (rcode_names[i] != NULL && strcasecmp(s, rcode_names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	if (strcasecmp(s, "BADSIG") == 0) {   /* RFC 8945: 16 in TSIG */
		*out = 16;
		return 0;
	}
	if (parse_u16(s, "RCODE", &v) != 0 || v > 4095)
		return -1;
	*out = v;
	return 0;
}
