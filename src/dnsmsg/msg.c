/*
 * msg.c - the DNS header and question codec (RFC 1035 4.1.1-4.1.2).  See
 * dnsmsg.h.  Every byte read goes through the bounded cursor.
 */
#include "dnsmsg.h"

#include <string.h>

#include "lib/cursor.h"

int
dnsmsg_hdr_parse(const uint8_t *buf, size_t len, struct dnsmsg_hdr *h)
{
	struct cursor c;

	memset(h, 0, sizeof(*h));
	if (len < DNSMSG_HDR_LEN)
		return DNSMSG_E_SHORT;
	cur_init(&c, buf, len);
	h->id = cur_u16(&c);
	h->flags = cur_u16(&c);
	h->qdcount = cur_u16(&c);
	h->ancount = cur_u16(&c);
	h->nscount = cur_u16(&c);
	h->arcount = cur_u16(&c);
	return DNSMSG_OK;
}

int
dnsmsg_hdr_write(uint8_t *buf, size_t cap, const struct dnsmsg_hdr *h)
{
	struct wcursor w;

	wcur_init(&w, buf, cap);
	wcur_u16(&w, h->id);
	wcur_u16(&w, h->flags);
	wcur_u16(&w, h->qdcount);
	wcur_u16(&w, h->ancount);
	wcur_u16(&w, h->nscount);
	wcur_u16(&w, h->arcount);
	return w.err ? DNSMSG_E_NOSPACE : DNSMSG_HDR_LEN;
}

int
dnsmsg_question_parse(const uint8_t *buf, size_t len, size_t *pos,
    struct dnsmsg_question *q)
{
	struct cursor c;
	int n;

	memset(q, 0, sizeof(*q));
	if (*pos > len)
		return DNSMSG_E_NAME_TRUNC;
	if ((n = dnsmsg_name_wire_len(buf + *pos, len - *pos)) < 0)
		return n;
	cur_init(&c, buf, len);
	c.pos = *pos + (size_t)n;
	q->qname = buf + *pos;
	q->qname_len = (uint8_t)n;
	q->qtype = cur_u16(&c);
	q->qclass = cur_u16(&c);
	if (c.err)
		return DNSMSG_E_TRUNC;
	*pos = c.pos;
	return DNSMSG_OK;
}

int
dnsmsg_question_write(uint8_t *buf, size_t cap, size_t *pos, const uint8_t *qname,
    uint16_t qtype, uint16_t qclass)
{
	struct wcursor w;
	int n;

	if ((n = dnsmsg_name_wire_len(qname, DNSMSG_NAME_MAX)) < 0)
		return n;
	if (*pos > cap)
		return DNSMSG_E_NOSPACE;
	wcur_init(&w, buf + *pos, cap - *pos);
	wcur_bytes(&w, qname, (size_t)n);
	wcur_u16(&w, qtype);
	wcur_u16(&w, qclass);
	if (w.err)
		return DNSMSG_E_NOSPACE;
	*pos += w.pos;
	return DNSMSG_OK;
}

int
dnsmsg_query_build(uint8_t *buf, size_t cap, uint16_t id, uint16_t flags,
    const uint8_t *qname, uint16_t qtype, uint16_t qclass)
{
	struct dnsmsg_hdr h = { .id = id, .flags = flags, .qdcount = 1 };
	size_t pos = DNSMSG_HDR_LEN;
	int r;

	if ((r = dnsmsg_hdr_write(buf, cap, &h)) < 0)
		return r;
	if ((r = dnsmsg_question_write(buf, cap, &pos, qname, qtype, qclass)) < 0)
		return r;
	return (int)pos;
}
