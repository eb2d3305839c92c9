/*
 * wire.c - DNS message parsing and composition: the header and question
 * (RFC 1035 4.1.1-4.1.2), resource records (RFC 1035 4.1.3), name
 * compression (RFC 1035 4.1.4; which rdata names may be compressed:
 * RFC 3597 4, not DNAME's: RFC 6672 2.1), the EDNS0 OPT record (RFC 6891
 * 6.1) with the NSID option (RFC 5001), and TSIG's place (RFC 8945 5.1).
 *
 * The header, the question and names (decompression included) are
 * src/dnsmsg's, as for the dns check and riposte-probe.  What stays here
 * is riposte-dns's own: the record walk with EDNS0 and TSIG, and the
 * writer, which compresses against the names already in the reply and
 * writes record sets all or nothing so a reply can be truncated cleanly;
 * the others only ever write an uncompressed query.  Every byte of a
 * message we receive is read through struct cursor; the writer goes
 * through struct wcursor, whose sticky error turns "does not fit" into
 * one check per record set.
 */
#include "wire.h"

#include <string.h>

static const char *const wire_err_names[DNS_WIRE_ERR_COUNT] = {
	"ok",
	"shorter than a header",
	"bad question name",
	"question truncated",
	"bad record owner name",
	"record truncated",
	"OPT outside the additional section",
	"more than one OPT",
	"OPT owner not the root",
	"bad EDNS option",
	"TSIG not the last record",
	"no space",
	"section order",
};

const char *
dns_wire_err_str(int err)
{
	if (err > 0 || err <= -DNS_WIRE_ERR_COUNT)
		return "unknown";
	return wire_err_names[-err];
}

static inline uint8_t
lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
}

/* Reading. */

int
dns_wire_name_read(const uint8_t *msg, size_t len, size_t *pos, uint8_t out[DNS_NAME_MAX])
{
	int n = dnsmsg_name_read(msg, len, pos, out);

	return n < 0 ? -1 : n;
}

void
dns_wire_rr_begin(struct dns_rr_iter *it, const uint8_t *buf, size_t len,
    const struct dns_msg *m)
{
	it->msg = buf;
	it->len = len;
	it->pos = m->records;
	it->left[DNS_SEC_QUESTION] = 0;
	it->left[DNS_SEC_ANSWER] = m->ancount;
	it->left[DNS_SEC_AUTHORITY] = m->nscount;
	it->left[DNS_SEC_ADDITIONAL] = m->arcount;
	it->section = DNS_SEC_ANSWER;
	it->lazy = false;
}

/*
 * Step over the name at *pos without following its pointer: labels up to
 * the root or a pointer, which must point before itself (RFC 1035 4.1.4:
 * to a prior occurrence).  1: the name is the root itself, 0: another
 * name, -1: malformed.
 */
static int
name_skip(const uint8_t *msg, size_t len, size_t *pos)
{
	size_t p = *pos, total = 0;

	for (;;) {
		uint8_t l;

		if (p >= len)
			return -1;
		l = msg[p];
		if ((l & 0xc0) == 0xc0) {
			if (len - p < 2 || (((size_t)(l & 0x3f) << 8) | msg[p + 1]) >= p)
				return -1;
			*pos = p + 2;
			return 0;
		}
		if (l > 63 || len - p - 1 < l || (total += 1 + (size_t)l) > DNS_NAME_MAX)
			return -1;
		p += 1 + (size_t)l;
		if (l == 0) {
			int root = p - *pos == 1;
			*pos = p;
			return root;
		}
	}
}

int
dns_wire_rr_next(struct dns_rr_iter *it, struct dns_rr *rr)
{
	struct cursor c;
	size_t pos;
	int n;

	while (it->section <= DNS_SEC_ADDITIONAL && it->left[it->section] == 0)
		it->section++;
	if (it->section > DNS_SEC_ADDITIONAL)
		return 0;
	it->left[it->section]--;
	rr->section = it->section;

	pos = it->pos;
	if (it->lazy) {
		n = name_skip(it->msg, it->len, &pos);
		if (n > 0)
			rr->owner[0] = 0;
		/* The OPT's owner is checked (RFC 6891 6.1.2), even a pointer to the root. */
		if (n == 0 && pos + 2 <= it->len &&
		    (it->msg[pos] << 8 | it->msg[pos + 1]) == DNS_T_OPT) {
			pos = it->pos;
			n = dns_wire_name_read(it->msg, it->len, &pos, rr->owner);
		}
	} else {
		n = dns_wire_name_read(it->msg, it->len, &pos, rr->owner);
	}
	if (n < 0) {
		it->section = DNS_SEC_ADDITIONAL + 1;
		return DNS_WIRE_RRNAME;
	}
	rr->owner_len = (uint8_t)n;

	/* RFC 1035 4.1.3: TYPE, CLASS, TTL, RDLENGTH, RDATA. */
	cur_init(&c, it->msg + pos, it->len - pos);
	rr->type = cur_u16(&c);
	rr->rclass = cur_u16(&c);
	rr->ttl = cur_u32(&c);
	rr->rdlen = cur_u16(&c);
	rr->rdata_off = pos + c.pos;
	rr->rdata = it->msg + rr->rdata_off;
	cur_skip(&c, rr->rdlen);
	if (c.err) {
		it->section = DNS_SEC_ADDITIONAL + 1;
		return DNS_WIRE_RRTRUNC;
	}
	it->pos = pos + c.pos;
	return 1;
}

/* RFC 6891 6.1.2: the OPT rdata is a sequence of {code, length, data}. */
static int
parse_opt(struct dns_msg *m, const struct dns_rr *rr)
{
	struct cursor c;

	if (rr->section != DNS_SEC_ADDITIONAL)
		return DNS_WIRE_OPT_SECTION;
	if (m->edns)
		return DNS_WIRE_OPT_DUP;
	if (rr->owner_len != 1)
		return DNS_WIRE_OPT_OWNER;
	/* RFC 6891 6.1.3: the TTL carries the extended RCODE, version and flags. */
	m->edns_udp = rr->rclass;
	m->edns_ext_rcode = (uint8_t)(rr->ttl >> 24);
	m->edns_version = (uint8_t)(rr->ttl >> 16);
	m->edns_flags = (uint16_t)rr->ttl;
	m->edns = true;

	cur_init(&c, rr->rdata, rr->rdlen);
	while (cur_left(&c) > 0) {
		uint16_t code = cur_u16(&c);
		uint16_t olen = cur_u16(&c);
		struct cursor data = cur_sub(&c, olen);
		if (c.err)
			return DNS_WIRE_OPT_OPTION;
		if (code == DNS_OPT_NSID) {
			/* RFC 5001 2.1: empty in a query; the payload in a reply. */
			m->nsid = true;
			m->nsid_data = data.buf;
			m->nsid_len = olen;
		}
	}
	return DNS_WIRE_OK;
}

int
dns_wire_parse(const uint8_t *buf, size_t len, struct dns_msg *m)
{
	struct dnsmsg_hdr h;
	struct dnsmsg_question q;
	size_t pos;
	struct dns_rr_iter it;
	struct dns_rr rr;
	int r;

	memset(m, 0, sizeof(*m));
	if (dnsmsg_hdr_parse(buf, len, &h) != DNSMSG_OK)
		return DNS_WIRE_SHORT;
	m->id = h.id;
	m->flags = h.flags;
	m->qdcount = h.qdcount;
	m->ancount = h.ancount;
	m->nscount = h.nscount;
	m->arcount = h.arcount;

	/* RFC 1035 4.1.2; question names are uncompressed (dnsmsg.h says why). */
	pos = DNS_HDR_LEN;
	for (unsigned i = 0; i < m->qdcount; i++) {
		r = dnsmsg_question_parse(buf, len, &pos, &q);
		if (r == DNSMSG_E_TRUNC)
			return DNS_WIRE_QTRUNC;
		if (r != DNSMSG_OK)
			return DNS_WIRE_QNAME;
		if (i == 0) {
			m->qname = q.qname;
			m->qname_len = q.qname_len;
			m->qtype = q.qtype;
			m->qclass = q.qclass;
			m->question_end = pos;
		}
	}
	m->records = pos;
	m->end = pos;

	dns_wire_rr_begin(&it, buf, len, m);
	it.lazy = true;
	while ((r = dns_wire_rr_next(&it, &rr)) > 0) {
		if (m->tsig)
			return DNS_WIRE_TSIG_LAST;
		if (rr.type == DNS_T_OPT) {
			r = parse_opt(m, &rr);
			if (r != DNS_WIRE_OK)
				return r;
		} else if (rr.type == DNS_WIRE_TSIG) {
			/* RFC 8945 5.1: the last record of the additional section. */
			if (rr.section != DNS_SEC_ADDITIONAL)
				return DNS_WIRE_TSIG_LAST;
			m->tsig = true;
		}
	}
	if (r < 0)
		return r;
	m->end = it.pos;
	return DNS_WIRE_OK;
}

/* Writing. */

void
dns_wire_init(struct dns_writer *wr, uint8_t *buf, size_t limit)
{
	wcur_init(&wr->w, buf, limit);
	wr->reserve = 0;
	wr->section = DNS_SEC_QUESTION;
	memset(wr->count, 0, sizeof(wr->count));
	wr->ncomp = 0;
}

int
dns_wire_header(struct dns_writer *wr, uint16_t id, uint16_t flags)
{
	struct dnsmsg_hdr h = { .id = id, .flags = flags };

	if (!wcur_need(&wr->w, DNS_HDR_LEN))
		return DNS_WIRE_NOSPACE;
	(void)dnsmsg_hdr_write(wr->w.buf + wr->w.pos, DNS_HDR_LEN, &h);
	wr->w.pos += DNS_HDR_LEN;
	return DNS_WIRE_OK;
}

uint16_t
dns_wire_flags(const struct dns_writer *wr)
{
	if (wr->w.pos < 4)
		return 0;
	return (uint16_t)((wr->w.buf[2] << 8) | wr->w.buf[3]);
}

void
dns_wire_set_flags(struct dns_writer *wr, uint16_t flags)
{
	if (wr->w.pos < 4)
		return;
	wr->w.buf[2] = (uint8_t)(flags >> 8);
	wr->w.buf[3] = (uint8_t)flags;
}

void
dns_wire_mark(const struct dns_writer *wr, struct dns_wire_mark *mk)
{
	mk->pos = wr->w.pos;
	mk->section = wr->section;
	memcpy(mk->count, wr->count, sizeof(mk->count));
	mk->ncomp = wr->ncomp;
}

void
dns_wire_rollback(struct dns_writer *wr, const struct dns_wire_mark *mk)
{
	wr->w.pos = mk->pos;
	wr->w.err = false;
	wr->section = mk->section;
	memcpy(wr->count, mk->count, sizeof(wr->count));
	wr->ncomp = mk->ncomp;
}

int
dns_wire_reserve(struct dns_writer *wr, size_t n)
{
	if (wr->w.err || wr->w.cap - wr->w.pos < n)
		return DNS_WIRE_NOSPACE;
	wr->w.cap -= n;
	wr->reserve += n;
	return DNS_WIRE_OK;
}

void
dns_wire_unreserve(struct dns_writer *wr, size_t n)
{
	if (n > wr->reserve)
		n = wr->reserve;
	wr->w.cap += n;
	wr->reserve -= n;
}

/*
 * Does the name at msg[off] (written by us: pointers only go backwards)
 * equal `name`, ignoring ASCII case (RFC 4343)?  Both have the same number
 * of labels, so comparing label by label ends with both at the root.
 */
static bool
comp_equal(const uint8_t *msg, size_t off, const uint8_t *name)
{
	for (;;) {
		uint8_t l = msg[off];
		if ((l & 0xc0) == 0xc0) {
			off = ((size_t)(l & 0x3f) << 8) | msg[off + 1];
			continue;
		}
		if (l != *name)
			return false;
		if (l == 0)
			return true;
		for (uint8_t k = 1; k <= l; k++)
			if (lower(msg[off + k]) != lower(name[k]))
				return false;
		off += 1 + (size_t)l;
		name += 1 + l;
	}
}

static int
comp_find(const struct dns_writer *wr, const uint8_t *suffix, unsigned labels)
{
	for (unsigned i = 0; i < wr->ncomp; i++)
		if (wr->comp_labels[i] == labels && comp_equal(wr->w.buf, wr->comp_off[i], suffix))
			return wr->comp_off[i];
	return -1;
}

/*
 * Write an uncompressed wire name, replacing its longest suffix already in
 * the message by a pointer (RFC 1035 4.1.4), and remember where each label
 * written out in full starts, as a target for later names.  Pointers hold
 * 14 bits, so only targets below 0x4000 are remembered.
 */
static void
put_name(struct dns_writer *wr, const uint8_t *name)
{
	unsigned labels = dns_name_labels(name), k;
	const uint8_t *p = name;
	size_t start = wr->w.pos, off;
	int ptr = -1;

	for (k = labels; k > 0; k--) {
		ptr = comp_find(wr, p, k);
		if (ptr >= 0)
			break;
		p += 1 + *p;
	}
	if (ptr >= 0) {
		wcur_bytes(&wr->w, name, (size_t)(p - name));
		wcur_u16(&wr->w, (uint16_t)(0xc000 | ptr));
	} else {
		wcur_bytes(&wr->w, name, (size_t)(p - name) + 1);
	}
	if (wr->w.err)
		return;
	off = start;
	for (const uint8_t *q = name; q < p; q += 1 + *q, labels--) {
		if (wr->ncomp >= DNS_COMP_MAX || off > 0x3fff)
			break;
		wr->comp_off[wr->ncomp] = (uint16_t)off;
		wr->comp_labels[wr->ncomp] = (uint8_t)labels;
		wr->ncomp++;
		off += 1 + (size_t)*q;
	}
}

/*
 * Rdata, with the names of the RFC 1035 types compressed (RFC 3597 4).
 * Rdata that does not have the layout of its type (a zone may carry
 * anything in RFC 3597 generic form) is copied as it is.
 */
static void
put_rdata(struct dns_writer *wr, uint16_t type, const uint8_t *rd, uint16_t len)
{
	int n1, n2;

	switch (type) {
	case DNS_T_NS:
	case DNS_T_CNAME:
	case DNS_T_PTR:
		if (dns_name_wire_len(rd, len) == (int)len) {
			put_name(wr, rd);
			return;
		}
		break;
	case DNS_T_MX:
		if (len > 2 && dns_name_wire_len(rd + 2, len - 2u) == (int)len - 2) {
			wcur_bytes(&wr->w, rd, 2);
			put_name(wr, rd + 2);
			return;
		}
		break;
	case DNS_T_SOA:
		n1 = dns_name_wire_len(rd, len);
		if (n1 < 0)
			break;
		n2 = dns_name_wire_len(rd + n1, len - (size_t)n1);
		if (n2 < 0 || (size_t)n1 + (size_t)n2 + 20 != len)
			break;
		put_name(wr, rd);
		put_name(wr, rd + n1);
		wcur_bytes(&wr->w, rd + n1 + n2, 20);
		return;
	default:
		break;
	}
	wcur_bytes(&wr->w, rd, len);
}

/* The fixed part and rdata of a record whose owner is already written. */
static void
put_rr_body(struct dns_writer *wr, uint16_t type, uint16_t rclass, uint32_t ttl,
    const uint8_t *rdata, uint16_t rdlen)
{
	size_t lenpos, start;

	wcur_u16(&wr->w, type);
	wcur_u16(&wr->w, rclass);
	wcur_u32(&wr->w, ttl);
	lenpos = wr->w.pos;
	wcur_u16(&wr->w, 0);
	start = wr->w.pos;
	put_rdata(wr, type, rdata, rdlen);
	if (wr->w.err)
		return;
	/* Compression only shortens, so this fits in 16 bits. */
	size_t n = wr->w.pos - start;
	wr->w.buf[lenpos] = (uint8_t)(n >> 8);
	wr->w.buf[lenpos + 1] = (uint8_t)n;
}

int
dns_wire_question(struct dns_writer *wr, const uint8_t *qname, uint16_t qtype,
    uint16_t qclass)
{
	struct dns_wire_mark mk;

	if (wr->section != DNS_SEC_QUESTION)
		return DNS_WIRE_ORDER;
	dns_wire_mark(wr, &mk);
	/* Nothing precedes it, so it goes out as sent: case kept (RFC 4343 4.1). */
	put_name(wr, qname);
	wcur_u16(&wr->w, qtype);
	wcur_u16(&wr->w, qclass);
	if (wr->w.err) {
		dns_wire_rollback(wr, &mk);
		return DNS_WIRE_NOSPACE;
	}
	wr->count[DNS_SEC_QUESTION]++;
	return DNS_WIRE_OK;
}

int
dns_wire_rr(struct dns_writer *wr, enum dns_section sec, const uint8_t *owner,
    uint16_t type, uint16_t rclass, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	struct dns_wire_mark mk;

	if (sec < wr->section || sec == DNS_SEC_QUESTION || sec > DNS_SEC_ADDITIONAL)
		return DNS_WIRE_ORDER;
	dns_wire_mark(wr, &mk);
	put_name(wr, owner);
	put_rr_body(wr, type, rclass, ttl, rdata, rdlen);
	if (wr->w.err) {
		dns_wire_rollback(wr, &mk);
		return DNS_WIRE_NOSPACE;
	}
	wr->section = sec;
	wr->count[sec]++;
	return DNS_WIRE_OK;
}

int
dns_wire_rrset(struct dns_writer *wr, enum dns_section sec, const uint8_t *owner,
    uint16_t rclass, const struct dns_rrset *rrset, uint32_t ttl)
{
	struct dns_wire_mark mk;
	struct cursor c;
	size_t opos = 0, oend = 0;

	if (sec < wr->section || sec == DNS_SEC_QUESTION || sec > DNS_SEC_ADDITIONAL)
		return DNS_WIRE_ORDER;
	if (rrset->count == 0)
		return DNS_WIRE_OK;
	dns_wire_mark(wr, &mk);
	cur_init(&c, rrset->rdata, rrset->rdata_len);
	for (uint16_t i = 0; i < rrset->count; i++) {
		uint16_t rdlen = cur_u16(&c);
		const uint8_t *rd = c.buf + c.pos;
		cur_skip(&c, rdlen);
		if (c.err) {
			dns_wire_rollback(wr, &mk);
			return DNS_WIRE_RRTRUNC;
		}
		if (i == 0) {
			opos = wr->w.pos;
			put_name(wr, owner);
			oend = wr->w.pos;
		} else if (oend - opos <= 2 || opos > 0x3fff) {
			/* The first owner was the root or one pointer: the same again. */
			if (wcur_need(&wr->w, oend - opos)) {
				memmove(wr->w.buf + wr->w.pos, wr->w.buf + opos, oend - opos);
				wr->w.pos += oend - opos;
			}
		} else {
			wcur_u16(&wr->w, (uint16_t)(0xc000 | opos));
		}
		put_rr_body(wr, rrset->type, rclass, ttl, rd, rdlen);
		if (wr->w.err) {
			dns_wire_rollback(wr, &mk);
			return DNS_WIRE_NOSPACE;
		}
	}
	wr->section = sec;
	wr->count[sec] += rrset->count;
	return DNS_WIRE_OK;
}

size_t
dns_wire_opt_size(bool nsid, uint16_t nsid_len)
{
	return DNS_OPT_FIXED + (nsid ? 4 + (size_t)nsid_len : 0);
}

int
dns_wire_opt(struct dns_writer *wr, uint16_t udp_size, uint8_t ext_rcode, uint8_t version,
    uint16_t edns_flags, const uint8_t *nsid, uint16_t nsid_len)
{
	struct dns_wire_mark mk;

	if (wr->section > DNS_SEC_ADDITIONAL)
		return DNS_WIRE_ORDER;
	if (nsid != NULL && nsid_len > 0xffff - 4)
		return DNS_WIRE_NOSPACE;
	dns_wire_mark(wr, &mk);
	/* RFC 6891 6.1.2: root owner, TYPE 41, CLASS = payload size, TTL = extended fields. */
	wcur_u8(&wr->w, 0);
	wcur_u16(&wr->w, DNS_T_OPT);
	wcur_u16(&wr->w, udp_size);
	wcur_u8(&wr->w, ext_rcode);
	wcur_u8(&wr->w, version);
	wcur_u16(&wr->w, edns_flags);
	if (nsid != NULL) {
		wcur_u16(&wr->w, (uint16_t)(4 + nsid_len));
		wcur_u16(&wr->w, DNS_OPT_NSID);
		wcur_u16(&wr->w, nsid_len);
		wcur_bytes(&wr->w, nsid, nsid_len);
	} else {
		wcur_u16(&wr->w, 0);
	}
	if (wr->w.err) {
		dns_wire_rollback(wr, &mk);
		return DNS_WIRE_NOSPACE;
	}
	wr->section = DNS_SEC_ADDITIONAL;
	wr->count[DNS_SEC_ADDITIONAL]++;
	return DNS_WIRE_OK;
}

size_t
dns_wire_finish(struct dns_writer *wr)
{
	struct dnsmsg_hdr h;

	if (dnsmsg_hdr_parse(wr->w.buf, wr->w.pos, &h) != DNSMSG_OK)
		return 0;
	h.qdcount = wr->count[DNS_SEC_QUESTION];
	h.ancount = wr->count[DNS_SEC_ANSWER];
	h.nscount = wr->count[DNS_SEC_AUTHORITY];
	h.arcount = wr->count[DNS_SEC_ADDITIONAL];
	(void)dnsmsg_hdr_write(wr->w.buf, DNS_HDR_LEN, &h);
	return wr->w.pos;
}
