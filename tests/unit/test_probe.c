/*
 * test_probe.c - riposte-probe's pure parts: the query it builds, the
 * reply parser (NSID as text and hex, the CH TXT fallback, A mode,
 * extended rcodes, and every named rejection: truncation, looping and
 * forward compression pointers, a question that is not ours), the window
 * (ids, wrong ids, duplicates, late replies, line order), the summary
 * arithmetic from recorded CSV text (takeover, outage, runs to the end, no
 * fault, no switch, late replies) and the CSV reader's FILE:LINE errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/csv.h"
#include "probe/reply.h"
#include "probe/summary.h"
#include "probe/window.h"

/* ------------------------------------------------------------ a reply builder */

struct msg {
	uint8_t b[1024];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
put8(struct msg *m, uint8_t v)
{
	put(m, &v, 1);
}

static void
put16(struct msg *m, uint16_t v)
{
	put8(m, (uint8_t)(v >> 8));
	put8(m, (uint8_t)v);
}

static void
put32(struct msg *m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}

#define ID_SERVER "\002id\006server"   /* 11 bytes with the root label's 0 */
#define QR_AA 0x8400

/* Header and the question id.server CH TXT. */
static void
reply_start(struct msg *m, uint16_t id, uint16_t flags, uint16_t an, uint16_t ar)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, 1);
	put16(m, an);
	put16(m, 0);
	put16(m, ar);
	put(m, ID_SERVER, sizeof(ID_SERVER));
	put16(m, PROBE_T_TXT);
	put16(m, PROBE_C_CH);
}

/* An answer record whose owner points at the question name (offset 12). */
static void
rr_ptr(struct msg *m, uint16_t type, uint16_t rclass, const void *rd, uint16_t rdlen)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, rclass);
	put32(m, 0);
	put16(m, rdlen);
	put(m, rd, rdlen);
}

/* OPT with an NSID option of len bytes (nsid NULL: no option), ext rcode. */
static void
opt(struct msg *m, const void *nsid, uint16_t len, uint8_t ext_rcode)
{
	put8(m, 0);
	put16(m, PROBE_T_OPT);
	put16(m, 1232);
	put32(m, (uint32_t)ext_rcode << 24);
	put16(m, nsid != NULL ? (uint16_t)(4 + len) : 0);
	if (nsid != NULL) {
		put16(m, PROBE_OPT_NSID);
		put16(m, len);
		put(m, nsid, len);
	}
}

static struct probe_qspec
qspec(const char *name, const char *type, const char *cls, enum probe_ident ident)
{
	struct probe_qspec q;
	const char *why = NULL;

	assert_int_equal(probe_qspec_init(&q, name, type, cls, ident, &why), 0);
	return q;
}

static int
parse(const struct msg *m, enum probe_ident ident, struct probe_reply *r)
{
	struct probe_qspec q = qspec("id.server", "TXT", NULL, ident);

	return probe_reply_parse(m->b, m->n, &q, r);
}

/* ------------------------------------------------------------ query */

static void
test_query_build(void **state)
{
	static const uint8_t want[] = {
		0xbe, 0xef, 0x00, 0x00, 0, 1, 0, 0, 0, 0, 0, 1,
		2, 'i', 'd', 6, 's', 'e', 'r', 'v', 'e', 'r', 0, 0, 16, 0, 3,
		0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 4, 0, 3, 0, 0,
	};
	struct probe_qspec q = qspec("id.server", "TXT", NULL, PROBE_ID_NSID);
	uint8_t buf[PROBE_QUERY_MAX];

	(void)state;
	int n = probe_query_build(&q, 0xbeef, buf, sizeof(buf));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	/* Without NSID: the OPT without options. */
	q = qspec("id.server", "TXT", NULL, PROBE_ID_CHAOS);
	n = probe_query_build(&q, 0xbeef, buf, sizeof(buf));
	assert_int_equal(n, sizeof(want) - 4);
	assert_int_equal(buf[n - 1], 0);
	/* Too small a buffer is an error, not an overflow. */
	assert_int_equal(probe_query_build(&q, 1, buf, 20), -1);
}

static void
test_qspec(void **state)
{
	struct probe_qspec q;
	const char *why = NULL;

	(void)state;
	q = qspec("id.server", "TXT", NULL, PROBE_ID_NSID);
	assert_int_equal(q.qclass, PROBE_C_CH);
	assert_int_equal(q.qtype, PROBE_T_TXT);
	q = qspec("HOSTNAME.BIND.", "txt", NULL, PROBE_ID_NSID);
	assert_int_equal(q.qclass, PROBE_C_CH);
	assert_int_equal(q.qname_len, 15);
	q = qspec("www.example.com", "A", NULL, PROBE_ID_A);
	assert_int_equal(q.qclass, PROBE_C_IN);
	assert_int_equal(q.qtype, PROBE_T_A);
	q = qspec("id.server", "TYPE65", "CLASS3", PROBE_ID_NSID);
	assert_int_equal(q.qtype, 65);
	assert_int_equal(q.qclass, 3);
	q = qspec(".", "SOA", "IN", PROBE_ID_NSID);
	assert_int_equal(q.qname_len, 1);
	assert_int_equal(probe_qspec_init(&q, "a..b", "A", NULL, PROBE_ID_NSID, &why), -1);
	assert_string_equal(why, "empty label in the name");
	assert_int_equal(probe_qspec_init(&q, "x", "BOGUS", NULL, PROBE_ID_NSID, &why), -1);
	assert_int_equal(probe_qspec_init(&q, "x", "A", "XX", PROBE_ID_NSID, &why), -1);
	assert_int_equal(probe_qspec_init(&q, "x", "70000", NULL, PROBE_ID_NSID, &why), -1);
	char label[80];
	memset(label, 'a', 64);
	label[64] = '\0';
	assert_int_equal(probe_qspec_init(&q, label, "A", NULL, PROBE_ID_NSID, &why), -1);
	assert_string_equal(why, "label longer than 63 bytes");
}

/* ------------------------------------------------------------ replies */

static void
test_nsid_ascii(void **state)
{
	struct msg m;
	struct probe_reply r;

	(void)state;
	reply_start(&m, 0x1234, QR_AA, 1, 1);
	rr_ptr(&m, PROBE_T_TXT, PROBE_C_CH, "\002tx", 3);
	opt(&m, "s1", 2, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_int_equal(r.id, 0x1234);
	assert_int_equal(r.rcode, 0);
	assert_true(r.edns);
	assert_string_equal(r.node, "s1");   /* NSID wins over the TXT */
	/* --identify chaos looks at the TXT only. */
	assert_int_equal(parse(&m, PROBE_ID_CHAOS, &r), PROBE_REPLY_OK);
	assert_string_equal(r.node, "tx");
	/* --identify a: no A record, no node, still a reply. */
	assert_int_equal(parse(&m, PROBE_ID_A, &r), PROBE_REPLY_OK);
	assert_string_equal(r.node, "");
}

static void
test_nsid_hex(void **state)
{
	struct msg m;
	struct probe_reply r;
	char node[PROBE_NODE_MAX];
	uint8_t big[200];

	(void)state;
	reply_start(&m, 1, QR_AA, 0, 1);
	opt(&m, "\x00\xff\x61", 3, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_string_equal(r.node, "00ff61");
	/* A comma or a quote would break the CSV: hex. */
	reply_start(&m, 1, QR_AA, 0, 1);
	opt(&m, "a,b", 3, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_string_equal(r.node, "612c62");
	probe_node_text((const uint8_t *)"say \"hi\"", 8, node);
	assert_string_equal(node, "7361792022686922");
	/* Long ones are cut: 127 characters as is, 63 bytes in hex. */
	memset(big, 'x', sizeof(big));
	probe_node_text(big, sizeof(big), node);
	assert_int_equal(strlen(node), PROBE_NODE_MAX - 1);
	big[0] = 0;
	probe_node_text(big, sizeof(big), node);
	assert_int_equal(strlen(node), 126);
	assert_memory_equal(node, "0078", 4);
}

/* No NSID (none, or empty): the TXT data of the CH TXT answer names the node. */
static void
test_chaos_fallback(void **state)
{
	struct msg m;
	struct probe_reply r;

	(void)state;
	/* No OPT at all; two character-strings, joined. */
	reply_start(&m, 7, QR_AA, 1, 0);
	rr_ptr(&m, PROBE_T_TXT, PROBE_C_CH, "\003ns-\001b", 6);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_false(r.edns);
	assert_string_equal(r.node, "ns-b");
	/* An empty NSID option is a request, not a name. */
	reply_start(&m, 7, QR_AA, 1, 1);
	rr_ptr(&m, PROBE_T_TXT, PROBE_C_CH, "\002s2", 3);
	opt(&m, "", 0, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_string_equal(r.node, "s2");
	/* An IN TXT is not an identity. */
	reply_start(&m, 7, QR_AA, 1, 0);
	rr_ptr(&m, PROBE_T_TXT, PROBE_C_IN, "\002s2", 3);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_string_equal(r.node, "");
	/* REFUSED without any answer: a reply, with its rcode, naming nobody. */
	reply_start(&m, 7, 0x8000 | 5, 0, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_int_equal(r.rcode, 5);
	assert_string_equal(r.node, "");
}

static void
test_a_mode(void **state)
{
	struct probe_qspec q = qspec("www.Example.com", "A", NULL, PROBE_ID_A);
	struct probe_reply r;
	struct msg m = { .n = 0 };

	(void)state;
	put16(&m, 99);
	put16(&m, QR_AA);
	put16(&m, 1);
	put16(&m, 3);
	put16(&m, 0);
	put16(&m, 0);
	put(&m, "\003WWW\007example\003com", 17);   /* another case: same name */
	put16(&m, PROBE_T_A);
	put16(&m, PROBE_C_IN);
	/* www CNAME web.example.com, then web A, then another A: the first A counts. */
	put16(&m, 0xc00c);
	put16(&m, 5);
	put16(&m, PROBE_C_IN);
	put32(&m, 60);
	put16(&m, 6);
	size_t web = m.n;
	put(&m, "\003web\xc0\x10", 6);   /* web + pointer to example.com */
	put16(&m, (uint16_t)(0xc000 | web));
	put16(&m, PROBE_T_A);
	put16(&m, PROBE_C_IN);
	put32(&m, 60);
	put16(&m, 4);
	put(&m, "\xc0\x00\x02\x07", 4);
	rr_ptr(&m, PROBE_T_A, PROBE_C_IN, "\xc0\x00\x02\x08", 4);
	assert_int_equal(probe_reply_parse(m.b, m.n, &q, &r), PROBE_REPLY_OK);
	assert_int_equal(r.id, 99);
	assert_string_equal(r.node, "192.0.2.7");
}

static void
test_ext_rcode(void **state)
{
	struct msg m;
	struct probe_reply r;
	char buf[PROBE_RCODE_STRLEN];
	unsigned v;

	(void)state;
	reply_start(&m, 1, 0x8000, 0, 1);
	opt(&m, NULL, 0, 1);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_int_equal(r.rcode, 16);
	assert_string_equal(probe_rcode_name(r.rcode, buf), "BADVERS");
	assert_string_equal(probe_rcode_name(2, buf), "SERVFAIL");
	assert_string_equal(probe_rcode_name(12, buf), "RCODE12");
	assert_int_equal(probe_rcode_parse("nxdomain", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(probe_rcode_parse("RCODE12", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(probe_rcode_parse("5", &v), 0);
	assert_int_equal(v, 5);
	assert_int_equal(probe_rcode_parse("RCODE4096", &v), -1);
	assert_int_equal(probe_rcode_parse("FOO", &v), -1);
	/* The TC bit is reported. */
	reply_start(&m, 1, 0x8000 | 0x0200, 0, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
	assert_true(r.tc);
}

/* Every rejection, by name. */
static void
test_bad_replies(void **state)
{
	struct msg m;
	struct probe_reply r;
	struct probe_qspec q;

	(void)state;
	reply_start(&m, 1, QR_AA, 0, 0);
	assert_int_equal(probe_reply_parse(m.b, 11, &q, &r), PROBE_REPLY_SHORT);
	/* A query (our own echoed back) is not a reply. */
	reply_start(&m, 1, 0x0000, 0, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_NOT_QR);
	reply_start(&m, 1, 0x8000 | (4 << 11), 0, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OPCODE);
	reply_start(&m, 1, QR_AA, 0, 0);
	m.b[5] = 0;
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_QDCOUNT);
	/* The question cut short, in the name and in type/class. */
	reply_start(&m, 1, QR_AA, 0, 0);
	m.n = 16;
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_QNAME);
	reply_start(&m, 1, QR_AA, 0, 0);
	m.n -= 1;
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_QNAME);
	/* Another question: name, type, class. */
	reply_start(&m, 1, QR_AA, 0, 0);
	m.b[13] = 'x';
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_QUESTION);
	reply_start(&m, 1, QR_AA, 0, 0);
	q = qspec("id.server", "A", "CH", PROBE_ID_NSID);
	assert_int_equal(probe_reply_parse(m.b, m.n, &q, &r), PROBE_REPLY_QUESTION);
	q = qspec("id.server", "TXT", "IN", PROBE_ID_NSID);
	assert_int_equal(probe_reply_parse(m.b, m.n, &q, &r), PROBE_REPLY_QUESTION);
	/* A record cut in its header, and in its rdata. */
	reply_start(&m, 1, QR_AA, 1, 0);
	rr_ptr(&m, PROBE_T_TXT, PROBE_C_CH, "\002s1", 3);
	size_t full = m.n;
	m.n = full - 5;
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRTRUNC);
	m.n = full - 1;
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRTRUNC);
	/* More records counted than present. */
	reply_start(&m, 1, QR_AA, 2, 0);
	rr_ptr(&m, PROBE_T_TXT, PROBE_C_CH, "\002s1", 3);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRNAME);
	/* TXT whose character-string runs past its rdata; A of 5 bytes. */
	reply_start(&m, 1, QR_AA, 1, 0);
	rr_ptr(&m, PROBE_T_TXT, PROBE_C_CH, "\005s1", 3);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RDATA);
	reply_start(&m, 1, QR_AA, 1, 0);
	rr_ptr(&m, PROBE_T_A, PROBE_C_IN, "\x01\x02\x03\x04\x05", 5);
	assert_int_equal(parse(&m, PROBE_ID_A, &r), PROBE_REPLY_RDATA);
	/* OPT: owner not the root; an option past the OPT's rdata. */
	reply_start(&m, 1, QR_AA, 0, 1);
	put16(&m, 0xc00c);
	put16(&m, PROBE_T_OPT);
	put16(&m, 1232);
	put32(&m, 0);
	put16(&m, 0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OPT);
	reply_start(&m, 1, QR_AA, 0, 1);
	put8(&m, 0);
	put16(&m, PROBE_T_OPT);
	put16(&m, 1232);
	put32(&m, 0);
	put16(&m, 6);
	put16(&m, PROBE_OPT_NSID);
	put16(&m, 3);   /* 3 bytes announced, 2 present */
	put(&m, "s1", 2);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OPT);
	assert_string_equal(probe_reply_err_str(PROBE_REPLY_OPT), "OPT record malformed");
	assert_string_equal(probe_reply_err_str(-99), "unknown error");
}

/* Compression pointers: loops, forward pointers, names over 255 bytes, cut pointers. */
static void
test_bad_compression(void **state)
{
	struct msg m;
	struct probe_reply r;
	size_t at;

	(void)state;
	/* An owner that points at itself. */
	reply_start(&m, 1, QR_AA, 1, 0);
	at = m.n;
	put16(&m, (uint16_t)(0xc000 | at));
	put(&m, "\x00\x10\x00\x03\x00\x00\x00\x00\x00\x00", 10);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRNAME);
	/* Two labels, then a pointer back to the first: a loop through earlier bytes. */
	reply_start(&m, 1, QR_AA, 1, 0);
	at = m.n;
	put(&m, "\001a\001b", 4);
	put16(&m, (uint16_t)(0xc000 | at));
	put(&m, "\x00\x10\x00\x03\x00\x00\x00\x00\x00\x00", 10);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRNAME);
	/* A -> B -> A: the second record's owner points at the first's, which points forward. */
	reply_start(&m, 1, QR_AA, 2, 0);
	size_t first = m.n;
	put16(&m, (uint16_t)(0xc000 | (first + 12)));   /* forward */
	put(&m, "\x00\x10\x00\x03\x00\x00\x00\x00\x00\x00", 10);
	put16(&m, (uint16_t)(0xc000 | first));
	put(&m, "\x00\x10\x00\x03\x00\x00\x00\x00\x00\x00", 10);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRNAME);
	/* A pointer cut after its first byte. */
	reply_start(&m, 1, QR_AA, 1, 0);
	put8(&m, 0xc0);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRNAME);
	/* The extended label types (0x40, 0x80) are not names. */
	reply_start(&m, 1, QR_AA, 1, 0);
	put8(&m, 0x41);
	put(&m, "\x00\x00\x10\x00\x03\x00\x00\x00\x00\x00\x00", 11);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRNAME);
	/*
	 * A chain of pointers, each name one label longer, past 255 bytes: the
	 * labels sit in the rdata of an IN TXT record (never read as names),
	 * the second record's owner points at the last of them.
	 */
	reply_start(&m, 1, QR_AA, 2, 0);
	put16(&m, 0xc00c);
	put16(&m, PROBE_T_TXT);
	put16(&m, PROBE_C_IN);
	put32(&m, 0);
	put16(&m, 1 + 5 * 66);
	size_t prev = m.n;
	put8(&m, 0);
	for (int i = 0; i < 5; i++) {
		size_t here = m.n;
		put8(&m, 63);
		for (int k = 0; k < 63; k++)
			put8(&m, 'a');
		put16(&m, (uint16_t)(0xc000 | prev));
		prev = here;
	}
	put16(&m, (uint16_t)(0xc000 | prev));
	put(&m, "\x00\x10\x00\x03\x00\x00\x00\x00\x00\x00", 10);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_RRNAME);
	reply_start(&m, 1, QR_AA, 1, 0);
	put16(&m, 0xc00c);   /* a good pointer, for contrast */
	put(&m, "\x00\x10\x00\x03\x00\x00\x00\x00\x00\x00", 10);
	assert_int_equal(parse(&m, PROBE_ID_NSID, &r), PROBE_REPLY_OK);
}

/* ------------------------------------------------------------ window */

static struct probe_reply
rep_for(uint16_t id, unsigned rcode, const char *node)
{
	struct probe_reply r;

	memset(&r, 0, sizeof(r));
	r.id = id;
	r.rcode = rcode;
	snprintf(r.node, sizeof(r.node), "%s", node);
	return r;
}

static void
test_window(void **state)
{
	struct probe_win w;
	struct probe_rec rec;
	struct probe_reply r;
	uint16_t ids[20];

	(void)state;
	assert_int_equal(probe_win_init(&w, 15, 0, 500000), -1);
	assert_int_equal(probe_win_init(&w, 16, 0xfff8, 500000), 0);
	/* Ids count up from the base and wrap. */
	for (int i = 0; i < 16; i++)
		ids[i] = probe_win_send(&w, 1000 + i * 1000, 1764133200000000LL + i * 1000);
	assert_int_equal(ids[0], 0xfff8);
	assert_int_equal(ids[8], 0x0000);
	assert_int_equal(ids[15], 0x0007);
	assert_true(probe_win_full(&w));
	assert_int_equal(w.inflight, 16);

	/* Seq 1 answered: its line waits for seq 0. */
	r = rep_for(ids[1], 0, "s1");
	assert_int_equal(probe_win_reply(&w, &r, 2000 + 150), PROBE_WIN_MATCHED);
	assert_int_equal(probe_win_pop(&w, &rec), 0);
	/* A wrong id: no query of ours. */
	r = rep_for(0x1234, 0, "s1");
	assert_int_equal(probe_win_reply(&w, &r, 2200), PROBE_WIN_UNMATCHED);
	assert_int_equal(w.unmatched, 1);
	/* The same reply twice. */
	r = rep_for(ids[1], 0, "s1");
	assert_int_equal(probe_win_reply(&w, &r, 2300), PROBE_WIN_DUPLICATE);
	/* Seq 0 answered: lines 0 and 1 come out, in order. */
	r = rep_for(ids[0], 2, "s2");
	assert_int_equal(probe_win_reply(&w, &r, 1000 + 400), PROBE_WIN_MATCHED);
	assert_int_equal(probe_win_pop(&w, &rec), 1);
	assert_int_equal(rec.seq, 0);
	assert_int_equal(rec.rcode, 2);
	assert_int_equal(rec.rtt_us, 400);
	assert_int_equal(rec.recv_us, 1764133200000000LL + 400);
	assert_string_equal(rec.node, "s2");
	assert_int_equal(probe_win_pop(&w, &rec), 1);
	assert_int_equal(rec.seq, 1);
	assert_string_equal(rec.node, "s1");
	assert_int_equal(probe_win_pop(&w, &rec), 0);
	assert_false(probe_win_full(&w));

	/* Seq 2 times out at sent + 500 ms, not a microsecond before. */
	assert_int_equal(probe_win_deadline(&w), 3000 + 500000);
	probe_win_expire(&w, 3000 + 499999);
	assert_int_equal(probe_win_pop(&w, &rec), 0);
	probe_win_expire(&w, 3000 + 500000);
	assert_int_equal(probe_win_pop(&w, &rec), 1);
	assert_int_equal(rec.seq, 2);
	assert_int_equal(rec.rcode, PROBE_RCODE_TIMEOUT);
	assert_string_equal(rec.node, "");
	assert_int_equal(probe_win_deadline(&w), 4000 + 500000);
	/* Its reply now is late, once; a second copy is a duplicate. */
	r = rep_for(ids[2], 0, "s1");
	assert_int_equal(probe_win_reply(&w, &r, 600000), PROBE_WIN_LATE);
	assert_int_equal(probe_win_reply(&w, &r, 600001), PROBE_WIN_DUPLICATE);
	assert_int_equal(w.late, 1);
	/* A reply past the timeout that comes before we looked is late too. */
	r = rep_for(ids[3], 0, "s1");
	assert_int_equal(probe_win_reply(&w, &r, 4000 + 500000), PROBE_WIN_LATE);
	assert_int_equal(w.late, 2);
	assert_int_equal(probe_win_pop(&w, &rec), 1);
	assert_int_equal(rec.rcode, PROBE_RCODE_TIMEOUT);

	/* Stop now: everything in flight is written as a timeout. */
	probe_win_abandon(&w);
	assert_int_equal(w.inflight, 0);
	for (uint64_t seq = 4; seq < 16; seq++) {
		assert_int_equal(probe_win_pop(&w, &rec), 1);
		assert_int_equal(rec.seq, seq);
		assert_int_equal(rec.rcode, PROBE_RCODE_TIMEOUT);
	}
	assert_int_equal(probe_win_deadline(&w), INT64_MAX);
	/* Slot reuse: seq 16 takes seq 0's slot; seq 0's id is a stranger now... */
	uint16_t id16 = probe_win_send(&w, 20000000, 1764133300000000LL);
	assert_int_equal(id16, 0x0008);
	r = rep_for(ids[0], 0, "s1");
	assert_int_equal(probe_win_reply(&w, &r, 20000001), PROBE_WIN_UNMATCHED);
	r = rep_for(id16, 0, "s3");
	assert_int_equal(probe_win_reply(&w, &r, 20000100), PROBE_WIN_MATCHED);
	assert_int_equal(probe_win_pop(&w, &rec), 1);
	assert_int_equal(rec.seq, 16);
	assert_int_equal(rec.rtt_us, 100);
	probe_win_free(&w);
}

/* ------------------------------------------------------------ CSV and summary */

#define T0 1764133200000000LL

static int
add_cb(void *arg, const struct probe_rec *r, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	assert_int_equal(probe_sum_add(arg, r), 0);
	return 0;
}

/* Summarise CSV text; 0, or -1 with the reader's message in err. */
static int
summarise(const char *csv, const struct probe_sum_conf *conf, struct probe_sum *s, char *err,
    size_t errlen)
{
	FILE *f = fmemopen((void *)csv, strlen(csv), "r");
	int rc;

	assert_non_null(f);
	probe_sum_init(s, conf);
	rc = probe_csv_read(f, "t.csv", add_cb, s, err, errlen);
	fclose(f);
	probe_sum_finish(s);
	return rc;
}

static char *
json_of(const struct probe_sum *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	probe_sum_json(f, s);
	fclose(f);
	return buf;
}

static char *
text_of(const struct probe_sum *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	probe_sum_text(f, s);
	fclose(f);
	return buf;
}

/*
 * 1000/s from T0 = 1764133200.000000: s1 answers 0-4, 5-7 time out, s2
 * answers 8-9.  The fault at T0 + 4.5 ms.
 */
static const char csv_takeover[] =
	"seq,sent_us,recv_us,rtt_us,node,rcode\n"
	"0,1764133200000000,1764133200000100,100,s1,NOERROR\n"
	"1,1764133200001000,1764133200001100,100,s1,NOERROR\n"
	"2,1764133200002000,1764133200002100,100,s1,NOERROR\n"
	"3,1764133200003000,1764133200003100,100,s1,NOERROR\n"
	"4,1764133200004000,1764133200004100,100,s1,NOERROR\n"
	"5,1764133200005000,,,,timeout\n"
	"6,1764133200006000,,,,timeout\n"
	"7,1764133200007000,,,,timeout\n"
	"8,1764133200008000,1764133200008200,200,s2,NOERROR\n"
	"9,1764133200009000,1764133200009200,200,s2,NOERROR\n";

static void
test_sum_takeover(void **state)
{
	struct probe_sum_conf conf = { .fault = true, .fault_us = T0 + 4500 };
	struct probe_sum s;
	char err[256];

	(void)state;
	assert_int_equal(summarise(csv_takeover, &conf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.queries, 10);
	assert_int_equal(s.answered, 7);
	assert_int_equal(s.failed, 3);
	assert_int_equal(s.failed_after_fault, 3);
	assert_string_equal(s.before, "s1");
	assert_true(s.have_takeover);
	assert_int_equal(s.takeover_recv_us - s.fault_us, 3700);
	assert_int_equal(s.outage_us, 3000);
	assert_int_equal(s.longest_outage_us, 3000);
	assert_int_equal(s.interval_us, 1000);
	char *j = json_of(&s);
	assert_string_equal(j,
	    "{\"queries\":10,\"answered\":7,\"failed\":3,\"late\":0,\"timeouts\":3,"
	    "\"unidentified\":0,\"nodes\":{\"s1\":5,\"s2\":2},\"first_node\":\"s1\","
	    "\"last_node\":\"s2\",\"fault_us\":1764133200004500,\"before\":\"s1\","
	    "\"takeover_ms\":3.7,\"takeover_node\":\"s2\",\"outage_ms\":3.0,"
	    "\"failed_after_fault\":3,\"longest_outage_ms\":3.0,\"interval_us\":1000,"
	    "\"switch_count\":1,\"switches\":[{\"at_us\":1764133200008200,\"from\":\"s1\","
	    "\"to\":\"s2\"}]}\n");
	free(j);
	char *t = text_of(&s);
	assert_non_null(strstr(t, "fault at 1764133200.004500: before s1, takeover 3.7 ms by s2, "
	    "outage 3.0 ms, 3 failed after the fault\n"));
	assert_non_null(strstr(t, "  switch at 1764133200.008200: s1 -> s2\n"));
	assert_non_null(strstr(t, "nodes: s1 5 s2 2\n"));
	free(t);
	probe_sum_free(&s);

	/* The same fault, relative to the first query. */
	conf.fault_relative = true;
	conf.fault_us = 4500;
	assert_int_equal(summarise(csv_takeover, &conf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.fault_us, T0 + 4500);
	assert_int_equal(s.takeover_recv_us - s.fault_us, 3700);
	probe_sum_free(&s);

	/* A fault exactly at a send time: that query is after the fault. */
	conf.fault_relative = false;
	conf.fault_us = T0 + 5000;
	assert_int_equal(summarise(csv_takeover, &conf, &s, err, sizeof(err)), 0);
	assert_string_equal(s.before, "s1");
	assert_int_equal(s.takeover_recv_us - s.fault_us, 3200);
	assert_int_equal(s.outage_us, 3000);
	probe_sum_free(&s);

	/* The same from records directly (no CSV). */
	struct probe_rec recs[3] = {
		{ .seq = 0, .sent_us = T0, .recv_us = T0 + 50, .rtt_us = 50, .node = "a" },
		{ .seq = 1, .sent_us = T0 + 10000, .rcode = PROBE_RCODE_TIMEOUT },
		{ .seq = 2, .sent_us = T0 + 20000, .recv_us = T0 + 20070, .rtt_us = 70, .node = "b" },
	};
	conf.fault_us = T0 + 5000;
	assert_int_equal(probe_sum_records(&s, &conf, recs, 3), 0);
	assert_int_equal(s.takeover_recv_us - s.fault_us, 15070);
	assert_int_equal(s.outage_us, 10000);
	probe_sum_free(&s);
}

/* The outage lasts to the end: to the last send plus one interval. */
static void
test_sum_run_to_end(void **state)
{
	static const char csv[] =
	    "seq,sent_us,recv_us,rtt_us,node,rcode\r\n"
	    "# a comment, and CRLF lines\r\n"
	    "0,1764133200000000,1764133200000100,100,s1,NOERROR\r\n"
	    "1,1764133200001000,1764133200001100,100,s1,NOERROR\r\n"
	    "2,1764133200002000,,,,timeout\r\n"
	    "3,1764133200003000,1764133200003300,300,s1,SERVFAIL\r\n"
	    "4,1764133200004000,,,,timeout\r\n";
	struct probe_sum_conf conf = { .fault = true, .fault_us = T0 + 1500 };
	struct probe_sum s;
	char err[256];

	(void)state;
	assert_int_equal(summarise(csv, &conf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.queries, 5);
	assert_int_equal(s.answered, 3);    /* SERVFAIL is an answer ... */
	assert_int_equal(s.failed, 3);      /* ... and a failure */
	assert_int_equal(s.nodes[0].count, 3);
	assert_string_equal(s.last_node, "s1");
	assert_false(s.have_takeover);
	assert_int_equal(s.interval_us, 1000);
	assert_int_equal(s.outage_us, 4000 + 1000 - 2000);
	assert_int_equal(s.longest_outage_us, 3000);
	char *j = json_of(&s);
	assert_non_null(strstr(j, "\"takeover_ms\":null,\"takeover_node\":null,\"outage_ms\":3.0,"
	    "\"failed_after_fault\":3,"));
	free(j);
	probe_sum_free(&s);

	/* The interval can be given (the rate of the run) instead of inferred. */
	conf.interval_us = 250;
	assert_int_equal(summarise(csv, &conf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.outage_us, 4000 + 250 - 2000);
	probe_sum_free(&s);

	/* --expect-rcode SERVFAIL: then 3 is the success that ends the first run. */
	conf.interval_us = 0;
	conf.expect_rcode = 2;
	assert_int_equal(summarise(csv, &conf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.failed, 4);
	assert_int_equal(s.outage_us, 1000);          /* 2 until 3; 4 alone, to the end */
	assert_int_equal(s.longest_outage_us, 3000);  /* 0, 1 and 2 failed, until 3 */
	probe_sum_free(&s);
}

/* No fault time: no before/takeover/outage, but the longest outage. */
static void
test_sum_no_fault(void **state)
{
	struct probe_sum_conf conf = { 0 };
	struct probe_sum s;
	char err[256];

	(void)state;
	assert_int_equal(summarise(csv_takeover, &conf, &s, err, sizeof(err)), 0);
	assert_false(s.have_fault);
	char *j = json_of(&s);
	assert_non_null(strstr(j, "\"fault_us\":null,\"before\":null,\"takeover_ms\":null,"
	    "\"takeover_node\":null,\"outage_ms\":null,\"failed_after_fault\":null,"
	    "\"longest_outage_ms\":3.0,"));
	free(j);
	char *t = text_of(&s);
	assert_null(strstr(t, "fault"));
	assert_non_null(strstr(t, "longest outage 3.0 ms (interval 1000 us)\n"));
	free(t);
	probe_sum_free(&s);

	/* An empty run: all zero, nodes empty, nulls. */
	assert_int_equal(summarise(PROBE_CSV_HEADER "\n", &conf, &s, err, sizeof(err)), 0);
	j = json_of(&s);
	assert_string_equal(j,
	    "{\"queries\":0,\"answered\":0,\"failed\":0,\"late\":0,\"timeouts\":0,"
	    "\"unidentified\":0,\"nodes\":{},\"first_node\":null,\"last_node\":null,"
	    "\"fault_us\":null,\"before\":null,\"takeover_ms\":null,\"takeover_node\":null,"
	    "\"outage_ms\":null,\"failed_after_fault\":null,\"longest_outage_ms\":0.0,"
	    "\"interval_us\":0,\"switch_count\":0,\"switches\":[]}\n");
	free(j);
	probe_sum_free(&s);
}

/* The node that answered before answers again after the outage: no takeover. */
static void
test_sum_no_switch(void **state)
{
	static const char csv[] =
	    "seq,sent_us,recv_us,rtt_us,node,rcode\n"
	    "0,1764133200000000,1764133200000100,100,s1,NOERROR\n"
	    "1,1764133200010000,,,,timeout\n"
	    "2,1764133200020000,,,,timeout\n"
	    "3,1764133200030000,1764133200030100,100,s1,NOERROR\n"
	    "4,1764133200040000,1764133200040100,100,,NOERROR\n";
	struct probe_sum_conf conf = { .fault = true, .fault_us = T0 + 5000 };
	struct probe_sum s;
	char err[256];

	(void)state;
	assert_int_equal(summarise(csv, &conf, &s, err, sizeof(err)), 0);
	assert_string_equal(s.before, "s1");
	assert_false(s.have_takeover);      /* an unnamed answer is no takeover either */
	assert_int_equal(s.outage_us, 20000);
	assert_int_equal(s.switch_count, 0);
	assert_int_equal(s.unidentified, 1);
	assert_int_equal(s.answered, 3);
	char *t = text_of(&s);
	assert_non_null(strstr(t, "before s1, no takeover, outage 20.0 ms"));
	free(t);
	probe_sum_free(&s);

	/* No success before the fault: no `before`, the first named answer is the takeover. */
	conf.fault_us = T0 - 1;
	assert_int_equal(summarise(csv, &conf, &s, err, sizeof(err)), 0);
	assert_false(s.have_before);
	assert_true(s.have_takeover);
	assert_string_equal(s.takeover_node, "s1");
	assert_int_equal(s.takeover_recv_us - s.fault_us, 101);
	probe_sum_free(&s);
}

/* Answers at or after the timeout are late: failed, not answered. */
static void
test_sum_late(void **state)
{
	static const char csv[] =
	    "seq,sent_us,recv_us,rtt_us,node,rcode\n"
	    "0,1764133200000000,1764133200000100,100,s1,NOERROR\n"
	    "1,1764133200001000,1764133200601000,600000,s1,NOERROR\n"
	    "2,1764133200002000,1764133200502000,500000,s2,NOERROR\n"
	    "3,1764133200003000,1764133200003100,100,s2,NOERROR\n";
	struct probe_sum_conf conf = { .timeout_us = 500000 };
	struct probe_sum s;
	char err[256];

	(void)state;
	assert_int_equal(summarise(csv, &conf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.late, 2);
	assert_int_equal(s.timeouts, 2);
	assert_int_equal(s.failed, 2);
	assert_int_equal(s.answered, 2);
	assert_int_equal(s.longest_outage_us, 2000);
	assert_int_equal(s.switch_count, 1);
	char *t = text_of(&s);
	assert_non_null(strstr(t, "queries 4, answered 2, failed 2 (2 without a reply in time, "
	    "2 of them late), unidentified 0\n"));
	free(t);
	probe_sum_free(&s);
	/* Without a timeout they are plain answers. */
	conf.timeout_us = 0;
	assert_int_equal(summarise(csv, &conf, &s, err, sizeof(err)), 0);
	assert_int_equal(s.late, 0);
	assert_int_equal(s.failed, 0);
	probe_sum_free(&s);
}

static void
test_ms_str(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(probe_ms_str(0, b), "0.0");
	assert_string_equal(probe_ms_str(149, b), "0.1");
	assert_string_equal(probe_ms_str(150, b), "0.2");
	assert_string_equal(probe_ms_str(3650, b), "3.7");
	assert_string_equal(probe_ms_str(1234567, b), "1234.6");
	assert_string_equal(probe_ms_str(-2500, b), "-2.5");
}

/* Format, parse back. */
static void
test_csv_roundtrip(void **state)
{
	struct probe_rec r = { .seq = 42, .sent_us = T0, .recv_us = T0 + 125, .rtt_us = 125,
	    .rcode = 3, .node = "ns 1.example" }, back;
	char line[PROBE_CSV_LINE_MAX];
	const char *why;

	(void)state;
	assert_int_equal(probe_csv_format(&r, line, sizeof(line)), 63);
	assert_string_equal(line, "42,1764133200000000,1764133200000125,125,ns 1.example,NXDOMAIN\n");
	line[strlen(line) - 1] = '\0';
	assert_int_equal(probe_csv_parse_line(line, &back, &why), 0);
	assert_int_equal(back.seq, 42);
	assert_int_equal(back.rcode, 3);
	assert_string_equal(back.node, "ns 1.example");
	r.rcode = PROBE_RCODE_TIMEOUT;
	assert_int_equal(probe_csv_format(&r, line, sizeof(line)), 31);
	assert_string_equal(line, "42,1764133200000000,,,,timeout\n");
	assert_int_equal(probe_csv_format(&r, line, 10), -1);
}

static const struct {
	const char *csv;
	const char *err;
} csv_errors[] = {
	{ "", "t.csv:1: no header line: empty file?" },
	{ "# only a comment\n", "t.csv:2: no header line: empty file?" },
	{ "seq,sent\n", "t.csv:1: not a riposte-probe CSV: the first line must be "
	    PROBE_CSV_HEADER },
	{ PROBE_CSV_HEADER "\n0,1,2,1,s1\n",
	    "t.csv:2: fewer than 6 fields (want seq,sent_us,recv_us,rtt_us,node,rcode)" },
	{ PROBE_CSV_HEADER "\n0,1,2,1,s1,NOERROR,x\n",
	    "t.csv:2: more than 6 fields (want seq,sent_us,recv_us,rtt_us,node,rcode)" },
	{ PROBE_CSV_HEADER "\nx,1,2,1,s1,NOERROR\n", "t.csv:2: seq: not a number" },
	{ PROBE_CSV_HEADER "\n0,-1,2,1,s1,NOERROR\n",
	    "t.csv:2: sent_us: not a number of microseconds" },
	{ PROBE_CSV_HEADER "\n0,1,,,s1,NOERROR\n", "t.csv:2: recv_us: not a number of "
	    "microseconds (only a timeout leaves it empty)" },
	{ PROBE_CSV_HEADER "\n0,1,2,,s1,NOERROR\n", "t.csv:2: rtt_us: not a number of "
	    "microseconds (only a timeout leaves it empty)" },
	{ PROBE_CSV_HEADER "\n0,1,2,1,s1,timeout\n",
	    "t.csv:2: a timeout has no recv_us, rtt_us or node" },
	{ PROBE_CSV_HEADER "\n0,1,2,1,s1,NOPE\n",
	    "t.csv:2: rcode: want a name (NOERROR, SERVFAIL, ...), RCODEn or timeout" },
	{ PROBE_CSV_HEADER "\n0,1,2,1,s1,\n",
	    "t.csv:2: rcode: want a name (NOERROR, SERVFAIL, ...), RCODEn or timeout" },
	{ PROBE_CSV_HEADER "\n0,5,2,1,s1,NOERROR\n", "t.csv:2: recv_us before sent_us" },
	{ PROBE_CSV_HEADER "\n0,1,2,1,s\x01,NOERROR\n",
	    "t.csv:2: node: control byte, non-ASCII byte or double quote" },
	{ PROBE_CSV_HEADER "\n0,1,2,1,\"s1\",NOERROR\n",
	    "t.csv:2: node: control byte, non-ASCII byte or double quote" },
	{ PROBE_CSV_HEADER "\n\n", "t.csv:2: empty line" },
	{ PROBE_CSV_HEADER "\n# fine\n5,1,2,1,s1,NOERROR\n5,1,2,1,s1,NOERROR\n",
	    "t.csv:4: seq 5 after 5: lines must be in seq order" },
	{ PROBE_CSV_HEADER "\n7,1,2,1,s1,NOERROR\n3,1,2,1,s1,NOERROR\n",
	    "t.csv:3: seq 3 after 7: lines must be in seq order" },
	{ PROBE_CSV_HEADER "\n0,12345678901234567890,,,,timeout\n",
	    "t.csv:2: sent_us: not a number of microseconds" },
};

static void
test_csv_errors(void **state)
{
	struct probe_sum_conf conf = { 0 };
	struct probe_sum s;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(csv_errors) / sizeof(csv_errors[0]); i++) {
		err[0] = '\0';
		assert_int_equal(summarise(csv_errors[i].csv, &conf, &s, err, sizeof(err)), -1);
		if (strcmp(err, csv_errors[i].err) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, err, csv_errors[i].err);
		probe_sum_free(&s);
	}

	/* A NUL byte, and a line longer than the reader takes. */
	static const char nul[] = PROBE_CSV_HEADER "\n0,1,2,1,s\0,NOERROR\n";
	FILE *f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	probe_sum_init(&s, &conf);
	assert_int_equal(probe_csv_read(f, "t.csv", add_cb, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "t.csv:2: NUL byte in the line");
	fclose(f);
	probe_sum_free(&s);
	static char long_csv[2000];
	snprintf(long_csv, sizeof(long_csv), "%s\n0,1,2,1,", PROBE_CSV_HEADER);
	size_t n = strlen(long_csv);
	memset(long_csv + n, 'x', 1000);
	strcpy(long_csv + n + 1000, ",NOERROR\n");
	assert_int_equal(summarise(long_csv, &conf, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "t.csv:2: line longer than 512 bytes");
	probe_sum_free(&s);
	/* A node just too long for a record. */
	snprintf(long_csv, sizeof(long_csv), "%s\n0,1,2,1,", PROBE_CSV_HEADER);
	n = strlen(long_csv);
	memset(long_csv + n, 'x', 128);
	strcpy(long_csv + n + 128, ",NOERROR\n");
	assert_int_equal(summarise(long_csv, &conf, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "t.csv:2: node longer than 127 characters");
	probe_sum_free(&s);
	/* The last line without its newline is fine. */
	assert_int_equal(summarise(PROBE_CSV_HEADER "\n0,1,2,1,s1,NOERROR", &conf, &s, err,
	    sizeof(err)), 0);
	assert_int_equal(s.queries, 1);
	probe_sum_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_build),
		cmocka_unit_test(test_qspec),
		cmocka_unit_test(test_nsid_ascii),
		cmocka_unit_test(test_nsid_hex),
		cmocka_unit_test(test_chaos_fallback),
		cmocka_unit_test(test_a_mode),
		cmocka_unit_test(test_ext_rcode),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_bad_compression),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_sum_takeover),
		cmocka_unit_test(test_sum_run_to_end),
		cmocka_unit_test(test_sum_no_fault),
		cmocka_unit_test(test_sum_no_switch),
		cmocka_unit_test(test_sum_late),
		cmocka_unit_test(test_ms_str),
		cmocka_unit_test(test_csv_roundtrip),
		cmocka_unit_test(test_csv_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
