/*
 * xfrout.c - AXFR (RFC 5936) and IXFR (RFC 1995) replies as a stream of
 * messages, the transfer policy, and UDP IXFR; see xfrout.h.
 *
 * The stream is record by record (an RRset may be split over two
 * messages: RFC 5936 2.2 lets the records of a transfer go in any
 * grouping), so every message is filled up to 65535 bytes less what its
 * OPT and TSIG records need.  A record that does not fit even in an empty
 * message (64 KiB of rdata beside a long question) ends the stream: the
 * client sees a transfer without its closing SOA and retries, which is
 * better than a message we cannot build.
 */
#include "xfrout.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "conf.h"
#include "wire.h"

/* Compression targets kept past the question's (dns_xfr_out_next). */
#define XFR_COMP_RECENT 12

enum {
	P_END,
	P_ERROR,      /* one message: header, question, rcode */
	P_FIRST_SOA,
	P_NODES,      /* AXFR and AXFR-style IXFR: every record but the apex SOA */
	P_DIFF,       /* IXFR: the differences of the chain */
	P_LAST_SOA,
};

const char *
dns_xfr_result_str(int r)
{
	static const char *const names[DNS_XFR_RESULT_COUNT] = {
		[DNS_XFR_AXFR] = "AXFR",
		[DNS_XFR_IXFR] = "IXFR",
		[DNS_XFR_IXFR_AXFR] = "IXFR answered AXFR-style",
		[DNS_XFR_IXFR_CURRENT] = "IXFR, client current",
		[DNS_XFR_UDP_SOA] = "IXFR over UDP, SOA only",
		[DNS_XFR_REFUSED] = "refused",
		[DNS_XFR_NOTAUTH] = "not authoritative",
		[DNS_XFR_TSIG] = "TSIG failed",
		[DNS_XFR_FORMERR] = "malformed",
	};
	return r >= 0 && r < DNS_XFR_RESULT_COUNT ? names[r] : "?";
}

/* ------------------------------------------------------------ policy */

void
dns_xfr_policy_free(struct dns_xfr_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n_zones; i++) {
		free(p->zones[i].acl);
		free(p->zones[i].notify);
	}
	free(p->zones);
	free(p->keys);
	free(p);
}

struct dns_xfr_policy *
dns_xfr_policy_new(const struct dnsconf *conf)
{
	struct dns_xfr_policy *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	/* Copies: the generation outlives the configuration it was built from. */
	if (conf->n_keys > 0) {
		if ((p->keys = malloc(conf->n_keys * sizeof(*p->keys))) == NULL)
			goto fail;
		memcpy(p->keys, conf->keys, conf->n_keys * sizeof(*p->keys));
		p->n_keys = conf->n_keys;
	}
	if (conf->n_zones > 0 && (p->zones = calloc(conf->n_zones, sizeof(*p->zones))) == NULL)
		goto fail;
	for (size_t i = 0; i < conf->n_zones; i++) {
		const struct dnsconf_zone *cz = &conf->zones[i];
		struct dns_xfr_zone *z = &p->zones[p->n_zones];
		if (cz->n_xfr_acl == 0 && cz->n_notify == 0)
			continue;
		p->n_zones++;
		memcpy(z->apex, cz->apex, sizeof(z->apex));
		if (cz->n_xfr_acl > 0) {
			if ((z->acl = calloc(cz->n_xfr_acl, sizeof(*z->acl))) == NULL)
				goto fail;
			for (size_t k = 0; k < cz->n_xfr_acl; k++) {
				z->acl[k].prefix = cz->xfr_acl[k].prefix;
				z->acl[k].key = cz->xfr_acl[k].key;
			}
			z->n_acl = cz->n_xfr_acl;
		}
		if (cz->n_notify > 0) {
			if ((z->notify = calloc(cz->n_notify, sizeof(*z->notify))) == NULL)
				goto fail;
			for (size_t k = 0; k < cz->n_notify; k++) {
				z->notify[k].sa = cz->notify[k].sa;
				z->notify[k].salen = cz->notify[k].salen;
				z->notify[k].key = cz->notify[k].key;
			}
			z->n_notify = cz->n_notify;
		}
	}
	return p;
fail:
	dns_xfr_policy_free(p);
	return NULL;
}

struct dns_xfr_policy *
dns_xfr_policy_dup(const struct dns_xfr_policy *p)
{
	struct dns_xfr_policy *n = calloc(1, sizeof(*n));

	if (n == NULL)
		return NULL;
	if (p->n_keys > 0) {
		if ((n->keys = malloc(p->n_keys * sizeof(*n->keys))) == NULL)
			goto fail;
		memcpy(n->keys, p->keys, p->n_keys * sizeof(*n->keys));
		n->n_keys = p->n_keys;
	}
	if (p->n_zones > 0 && (n->zones = calloc(p->n_zones, sizeof(*n->zones))) == NULL)
		goto fail;
	for (size_t i = 0; i < p->n_zones; i++, n->n_zones++) {
		const struct dns_xfr_zone *a = &p->zones[i];
		struct dns_xfr_zone *b = &n->zones[i];
		memcpy(b->apex, a->apex, sizeof(b->apex));
		if (a->n_acl > 0) {
			if ((b->acl = malloc(a->n_acl * sizeof(*b->acl))) == NULL)
				goto fail;
			memcpy(b->acl, a->acl, a->n_acl * sizeof(*b->acl));
			b->n_acl = a->n_acl;
		}
		if (a->n_notify > 0) {
			if ((b->notify = malloc(a->n_notify * sizeof(*b->notify))) == NULL)
				goto fail;
			memcpy(b->notify, a->notify, a->n_notify * sizeof(*b->notify));
			b->n_notify = a->n_notify;
		}
	}
	return n;
fail:
	/* The entries were zeroed: free them all, the one being filled included. */
	n->n_zones = n->zones != NULL ? p->n_zones : 0;
	dns_xfr_policy_free(n);
	return NULL;
}

const struct dns_xfr_zone *
dns_xfr_policy_zone(const struct dns_xfr_policy *p, const uint8_t *apex)
{
	for (size_t i = 0; p != NULL && i < p->n_zones; i++)
		if (dns_name_equal(p->zones[i].apex, apex))
			return &p->zones[i];
	return NULL;
}

bool
dns_xfr_allowed(const struct dns_xfr_policy *p, const struct dns_xfr_zone *z,
    const struct sockaddr *peer, const struct dns_tsig_key *key)
{
	const uint8_t *addr;
	int family;

	if (z == NULL || peer == NULL)
		return false;
	if (peer->sa_family == AF_INET) {
		family = AF_INET;
		addr = (const uint8_t *)&((const struct sockaddr_in *)(const void *)peer)->sin_addr;
	} else if (peer->sa_family == AF_INET6) {
		family = AF_INET6;
		addr = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)peer)->sin6_addr;
	} else {
		return false;
	}
	for (size_t i = 0; i < z->n_acl; i++) {
		const struct dns_xfr_rule *r = &z->acl[i];
		if (!dns_rrl_prefix_match(&r->prefix, family, addr))
			continue;
		/* A row with a key admits only messages signed with that key. */
		if (r->key < 0 || (key != NULL && (size_t)r->key < p->n_keys &&
		    key == &p->keys[r->key]))
			return true;
	}
	return false;
}

/* ------------------------------------------------------- NOTIFY out */

size_t
dns_xfr_notify_build(uint8_t *buf, size_t cap, uint16_t id, const struct dns_zone *zone)
{
	struct dns_writer wr;
	const struct dns_rrset *soa = dns_zone_soa(zone);

	if (soa == NULL)
		return 0;
	dns_wire_init(&wr, buf, cap);
	/* RFC 1996 3.7: opcode NOTIFY, AA, QNAME the zone, QTYPE SOA; the SOA may be in the answer. */
	if (dns_wire_header(&wr, id, (uint16_t)(DNS_OPCODE_NOTIFY << 11 | DNS_F_AA)) != 0 ||
	    dns_wire_question(&wr, dns_zone_apex(zone), DNS_T_SOA, DNS_C_IN) != 0 ||
	    dns_wire_rrset(&wr, DNS_SEC_ANSWER, dns_zone_apex(zone), DNS_C_IN, soa, soa->ttl) != 0)
		return 0;
	return dns_wire_finish(&wr);
}

int
dns_xfr_notify_reply(const uint8_t *msg, size_t len, uint16_t id, const uint8_t *apex)
{
	struct dns_msg m;

	if (dns_wire_parse(msg, len, &m) != DNS_WIRE_OK)
		return -1;
	if (m.id != id || (m.flags & DNS_F_QR) == 0 ||
	    DNS_F_OPCODE(m.flags) != DNS_OPCODE_NOTIFY)
		return -1;
	/* RFC 1996 4.7: the reply echoes the question; NSD and Knot do. Accept none too. */
	if (m.qname != NULL && (!dns_name_equal(m.qname, apex) || m.qtype != DNS_T_SOA))
		return -1;
	return DNS_F_RCODE(m.flags);
}

/* ------------------------------------------------------------ queries */

uint16_t
dns_xfr_qtype(const uint8_t *msg, size_t len)
{
	size_t pos = DNS_HDR_LEN;
	uint16_t flags, qtype;

	if (len < DNS_HDR_LEN)
		return 0;
	flags = (uint16_t)(msg[2] << 8 | msg[3]);
	if ((flags & DNS_F_QR) != 0 || DNS_F_OPCODE(flags) != DNS_OPCODE_QUERY ||
	    (msg[4] == 0 && msg[5] == 0))
		return 0;
	/* The question's name: uncompressed labels (RFC 1035 4.1.4: nothing precedes it). */
	while (pos < len && msg[pos] != 0) {
		if ((msg[pos] & 0xc0) != 0)
			return 0;
		pos += 1 + (size_t)msg[pos];
	}
	if (pos + 3 > len)
		return 0;
	qtype = (uint16_t)(msg[pos + 1] << 8 | msg[pos + 2]);
	return qtype == DNS_T_AXFR || qtype == DNS_T_IXFR ? qtype : 0;
}

/* The serial of the SOA in the query's authority section (RFC 1995 3). */
static bool
client_serial(const uint8_t *msg, size_t len, const struct dns_msg *m, uint32_t *serial)
{
	struct dns_rr_iter it;
	struct dns_rr rr;
	uint8_t tmp[DNS_NAME_MAX];

	dns_wire_rr_begin(&it, msg, len, m);
	while (dns_wire_rr_next(&it, &rr) == 1) {
		size_t pos, end;
		if (rr.section != DNS_SEC_AUTHORITY || rr.type != DNS_T_SOA)
			continue;
		/* The names in its rdata may be compressed (RFC 3597 4: SOA is an RFC 1035 type). */
		pos = rr.rdata_off;
		end = rr.rdata_off + rr.rdlen;
		if (dns_wire_name_read(msg, end, &pos, tmp) < 0 ||
		    dns_wire_name_read(msg, end, &pos, tmp) < 0 || end - pos != 20)
			return false;
		*serial = (uint32_t)msg[pos] << 24 | (uint32_t)msg[pos + 1] << 16 |
		    (uint32_t)msg[pos + 2] << 8 | msg[pos + 3];
		return true;
	}
	return false;
}

static void
set_error(struct dns_xfr_out *x, enum dns_xfr_result r, uint8_t rcode)
{
	x->result = r;
	x->rcode = rcode;
	x->phase = P_ERROR;
	x->zone = NULL;
}

int
dns_xfr_out_start(struct dns_xfr_out *x, const struct dns_zoneset *zones,
    const struct dns_xfr_policy *pol, dns_xfr_journal_fn journal, void *jctx,
    const uint8_t *msg, size_t len, const struct sockaddr *peer, bool udp, uint64_t now)
{
	struct dns_msg m;
	uint8_t lc[DNS_NAME_MAX];
	const struct dns_zone *z;
	const struct dns_xfr_zone *zp;
	const struct dns_tsig_key *key = NULL;
	int rc;

	memset(x, 0, sizeof(*x));
	x->udp = udp;
	x->edns_size = 1232;
	if (len < DNS_HDR_LEN || (msg[2] & 0x80) != 0)
		return -1;
	x->id = (uint16_t)(msg[0] << 8 | msg[1]);
	x->flags = (uint16_t)(msg[2] << 8 | msg[3]);
	rc = dns_wire_parse(msg, len, &m);
	if (m.qname != NULL) {
		memcpy(x->qname, m.qname, m.qname_len);
		x->qtype = m.qtype;
		x->qclass = m.qclass;
	}
	if (rc != DNS_WIRE_OK || m.qdcount != 1 || m.qname == NULL) {
		/* Echo the question only when there was exactly one and it parsed (as answer.c). */
		if (m.qdcount != 1)
			x->qname[0] = 0, x->qtype = 0;
		set_error(x, DNS_XFR_FORMERR, DNS_RCODE_FORMERR);
		return 0;
	}
	x->edns = m.edns;
	if (m.tsig) {
		int st;
		dns_tsig_ctx_init(&x->tctx, NULL);
		st = dns_tsig_verify_query(&x->tctx, pol != NULL ? pol->keys : NULL,
		    pol != NULL ? pol->n_keys : 0, msg, len, now);
		if (st == DNS_TSIG_FORMERR) {
			set_error(x, DNS_XFR_FORMERR, DNS_RCODE_FORMERR);
			return 0;
		}
		/* RFC 8945 5.2: errors answered with the TSIG error (dns_tsig_sign_reply()). */
		x->tsig = true;
		if (st != DNS_TSIG_OK) {
			x->tsig_error = x->tctx.error;
			set_error(x, DNS_XFR_TSIG, DNS_RCODE_NOTAUTH);
			return 0;
		}
		key = x->tctx.key;
	}
	dns_name_lower(lc, m.qname);
	z = dns_zoneset_find(zones, lc);
	if (z == NULL || !dns_name_equal(dns_zone_apex(z), lc) || m.qclass != DNS_C_IN ||
	    !dns_zone_serial(z, &x->serial)) {
		set_error(x, DNS_XFR_NOTAUTH, DNS_RCODE_NOTAUTH);
		return 0;
	}
	if (udp && m.qtype == DNS_T_AXFR) {
		/* RFC 5936 4.2: AXFR is a TCP-only query. */
		set_error(x, DNS_XFR_REFUSED, DNS_RCODE_REFUSED);
		return 0;
	}
	zp = dns_xfr_policy_zone(pol, lc);
	if (!dns_xfr_allowed(pol, zp, peer, key)) {
		set_error(x, DNS_XFR_REFUSED, DNS_RCODE_REFUSED);
		return 0;
	}
	x->zone = z;
	x->phase = P_FIRST_SOA;
	if (m.qtype == DNS_T_AXFR) {
		x->result = DNS_XFR_AXFR;
		return 0;
	}
	if (!client_serial(msg, len, &m, &x->client_serial)) {
		/* RFC 1995 3: the authority section carries the client's SOA. */
		set_error(x, DNS_XFR_FORMERR, DNS_RCODE_FORMERR);
		return 0;
	}
	if (udp || !dns_serial_gt(x->serial, x->client_serial)) {
		/* RFC 1995 2: current (or newer) client: our SOA alone; 4: over UDP likewise. */
		x->result = udp ? DNS_XFR_UDP_SOA : DNS_XFR_IXFR_CURRENT;
		x->phase = P_LAST_SOA;
		return 0;
	}
	struct dns_journal *j = journal != NULL ? journal(jctx, lc) : NULL;
	size_t first;
	if (j != NULL && dns_journal_find(j, x->client_serial, x->serial, &first)) {
		size_t n = dns_journal_count(j) - first;
		if ((x->chain = malloc(n * sizeof(*x->chain))) != NULL) {
			for (size_t i = 0; i < n; i++) {
				x->chain[i] = dns_journal_at(j, first + i);
				dns_diff_ref(x->chain[i]);
			}
			x->n_chain = n;
			x->result = DNS_XFR_IXFR;
			return 0;
		}
	}
	x->result = DNS_XFR_IXFR_AXFR;
	return 0;
}

void
dns_xfr_out_done(struct dns_xfr_out *x)
{
	for (size_t i = 0; i < x->n_chain; i++)
		dns_diff_unref(x->chain[i]);
	free(x->chain);
	x->chain = NULL;
	x->n_chain = 0;
	x->phase = P_END;
}

/* ------------------------------------------------------------ stream */

struct rec {
	const uint8_t *owner;
	uint16_t type;
	uint32_t ttl;
	const uint8_t *rdata;
	uint16_t rdlen;
};

static void
soa_rec(const struct dns_xfr_out *x, struct rec *r)
{
	const struct dns_rrset *soa = dns_zone_soa(x->zone);

	r->owner = dns_zone_apex(x->zone);
	r->type = DNS_T_SOA;
	r->ttl = soa->ttl;
	r->rdlen = (uint16_t)(soa->rdata[0] << 8 | soa->rdata[1]);
	r->rdata = soa->rdata + 2;
}

/* The next record of the zone walk, without consuming it; false at the end. */
static bool
node_rec(struct dns_xfr_out *x, struct rec *r)
{
	for (;;) {
		if (x->node == NULL || x->rrset >= x->node->n_rrsets) {
			if ((x->node = dns_zone_iter_next(x->zone, &x->it)) == NULL)
				return false;
			x->rrset = 0;
			x->rec = 0;
			x->rec_off = 0;
			continue;
		}
		const struct dns_rrset *rs = &x->node->rrsets[x->rrset];
		if (x->rec >= rs->count || (rs->type == DNS_T_SOA &&
		    x->node == dns_zone_apex_node(x->zone)) || x->rec_off + 2 > rs->rdata_len) {
			/* Done with it, or the apex SOA (sent first and last), or not as stored. */
			x->rrset++;
			x->rec = 0;
			x->rec_off = 0;
			continue;
		}
		const uint8_t *p = rs->rdata + x->rec_off;
		r->owner = x->node->name;
		r->type = rs->type;
		r->rdlen = (uint16_t)(p[0] << 8 | p[1]);
		r->rdata = p + 2;
		/* What a query sees (answer.c): an RRSIG has its covered RRset's TTL. */
		r->ttl = rs->type == DNS_T_RRSIG && x->rec_off + 2 + r->rdlen <= rs->rdata_len ?
		    dns_rrsig_ttl(x->node, r->rdata, r->rdlen, rs->ttl) : rs->ttl;
		if (x->rec_off + 2 + r->rdlen > rs->rdata_len) {
			x->rrset++;
			continue;
		}
		return true;
	}
}

static void
node_advance(struct dns_xfr_out *x, const struct rec *r)
{
	x->rec_off += 2 + (size_t)r->rdlen;
	x->rec++;
}

static bool
diff_rec(struct dns_xfr_out *x, struct rec *r)
{
	while (x->at < x->n_chain) {
		const struct dns_diff *d = x->chain[x->at];
		struct dns_diff_rr rr;
		size_t pos = x->dpos;
		if (dns_diff_rr_next(d, &pos, d->len, &rr)) {
			r->owner = rr.owner;
			r->type = rr.type;
			r->ttl = rr.ttl;
			r->rdata = rr.rdata;
			r->rdlen = rr.rdlen;
			return true;
		}
		x->at++;
		x->dpos = 0;
	}
	return false;
}

static void
diff_advance(struct dns_xfr_out *x, const struct rec *r)
{
	size_t olen = (size_t)dns_name_wire_len(r->owner, DNS_NAME_MAX);

	x->dpos += 1 + olen + 8 + r->rdlen;
}

/* The record the stream is at, moving through the phases; false at the end. */
static bool
stream_rec(struct dns_xfr_out *x, struct rec *r)
{
	for (;;) {
		switch (x->phase) {
		case P_FIRST_SOA:
		case P_LAST_SOA:
			soa_rec(x, r);
			return true;
		case P_NODES:
			if (node_rec(x, r))
				return true;
			x->phase = P_LAST_SOA;
			break;
		case P_DIFF:
			if (diff_rec(x, r))
				return true;
			x->phase = P_LAST_SOA;
			break;
		default:
			return false;
		}
	}
}

static void
stream_advance(struct dns_xfr_out *x, const struct rec *r)
{
	x->records++;
	switch (x->phase) {
	case P_FIRST_SOA:
		x->phase = x->result == DNS_XFR_IXFR ? P_DIFF : P_NODES;
		break;
	case P_LAST_SOA:
		x->phase = P_END;
		break;
	case P_NODES:
		node_advance(x, r);
		break;
	case P_DIFF:
		diff_advance(x, r);
		break;
	default:
		break;
	}
}

size_t
dns_xfr_out_next(struct dns_xfr_out *x, uint8_t *buf, size_t cap, uint64_t now)
{
	struct dns_writer wr;
	size_t limit = cap < DNS_TCP_MAX ? cap : DNS_TCP_MAX, len, opt = 0, tsig = 0;
	uint16_t flags;
	unsigned n = 0;
	struct rec r;

	if (x->phase == P_END)
		return 0;
	dns_wire_init(&wr, buf, limit);
	/* QR, opcode QUERY, RD copied (RFC 1035 4.1.1); AA on data from our zone. */
	flags = (uint16_t)(DNS_F_QR | (x->flags & DNS_F_RD) | x->rcode);
	if (x->phase != P_ERROR)
		flags |= DNS_F_AA;
	if (dns_wire_header(&wr, x->id, flags) != DNS_WIRE_OK)
		return 0;
	/* RFC 5936 2.2.1: the question in every message, as the query had it. */
	if (x->qname[0] != 0 || x->qtype != 0) {
		if (dns_wire_question(&wr, x->qname, x->qtype, x->qclass) != DNS_WIRE_OK)
			return 0;
	}
	if (x->edns)
		opt = dns_wire_opt_size(false, 0);
	/* This key's TSIG, not the largest there is: a signed UDP reply has 512 bytes. */
	if (x->tsig)
		tsig = 10u + x->tctx.key_name_len + x->tctx.alg_name_len + 16u + DNS_TSIG_MAC_MAX + 6u;
	if (dns_wire_reserve(&wr, opt + tsig) != DNS_WIRE_OK)
		return 0;
	if (x->phase == P_ERROR) {
		x->phase = P_END;
	} else {
		/*
		 * Compression targets: the writer remembers the first 64 names of
		 * a message and scans them for every name written, which in a
		 * transfer (thousands of owners, each seen once) is most of the
		 * time spent.  Only the question's and the last few records'
		 * are kept: owners still point into the apex, and the records of
		 * one owner at its first.
		 */
		unsigned nq = wr.ncomp;
		while (stream_rec(x, &r)) {
			if (wr.ncomp > nq + XFR_COMP_RECENT)
				wr.ncomp = nq;
			if (dns_wire_rr(&wr, DNS_SEC_ANSWER, r.owner, r.type, DNS_C_IN, r.ttl,
			    r.rdata, r.rdlen) != DNS_WIRE_OK)
				break;
			stream_advance(x, &r);
			n++;
		}
		if (n == 0) {
			/* Not even one record fits: we cannot go on (see the top). */
			x->phase = P_END;
			return 0;
		}
	}
	dns_wire_unreserve(&wr, opt + tsig);
	/* RFC 6891 7: an OPT in the reply when the query had one. */
	if (x->edns && dns_wire_opt(&wr, x->edns_size, 0, 0, 0, NULL, 0) != DNS_WIRE_OK)
		return 0;
	len = dns_wire_finish(&wr);
	if (x->tsig && dns_tsig_sign_reply(&x->tctx, buf, &len, limit, now, x->tsig_error) != 0)
		return 0;
	x->messages++;
	return len;
}

size_t
dns_xfr_udp(const struct dns_zoneset *zones, const struct dns_xfr_policy *pol,
    const uint8_t *msg, size_t len, const struct sockaddr *peer, uint8_t *resp, size_t cap,
    uint64_t now, uint16_t edns_size, enum dns_xfr_result *result)
{
	struct dns_xfr_out x;
	size_t n, limit = DNS_UDP_MIN;
	struct dns_msg m;

	if (dns_xfr_out_start(&x, zones, pol, NULL, NULL, msg, len, peer, true, now) != 0)
		return 0;
	*result = x.result;
	if (edns_size != 0)
		x.edns_size = edns_size;
	/* RFC 6891 6.2.3-6.2.5: the client's payload size, at least 512. */
	if (dns_wire_parse(msg, len, &m) == DNS_WIRE_OK && m.edns && m.edns_udp > DNS_UDP_MIN)
		limit = m.edns_udp;
	if (limit > cap)
		limit = cap;
	n = dns_xfr_out_next(&x, resp, limit, now);
	dns_xfr_out_done(&x);
	return n;
}

size_t
dns_xfr_answer_tsig(const struct dns_answer_conf *conf, const struct dns_zoneset *zones,
    const struct dns_xfr_policy *pol, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
    bool tcp, uint64_t now, struct dns_answer_stats *stats)
{
	struct dns_tsig_ctx ctx;
	struct dns_tsig_rr rr;
	uint8_t q[DNS_TCP_MAX];
	size_t out;
	int st;

	if (len < DNS_HDR_LEN || len > sizeof(q) || cap < DNS_HDR_LEN + DNS_TSIG_RR_MAX)
		return 0;
	dns_tsig_ctx_init(&ctx, NULL);
	st = dns_tsig_verify_query(&ctx, pol != NULL ? pol->keys : NULL,
	    pol != NULL ? pol->n_keys : 0, req, len, now);
	if (st == DNS_TSIG_OK && dns_tsig_find(req, len, &rr) == 1 && rr.start >= DNS_HDR_LEN) {
		/* The query without its TSIG (the last record): ARCOUNT one less. */
		uint16_t ar;
		memcpy(q, req, rr.start);
		ar = (uint16_t)(q[10] << 8 | q[11]);
		if (ar == 0)
			return 0;
		ar--;
		q[10] = (uint8_t)(ar >> 8);
		q[11] = (uint8_t)ar;
		/* Its own counters: the caller counted the query once already. */
		struct dns_answer_stats one = { 0 };
		out = dns_answer(conf, zones, q, rr.start, resp, cap - DNS_TSIG_RR_MAX, tcp, &one);
		stats->dropped += one.dropped;
		stats->noerror += one.noerror;
		stats->nxdomain += one.nxdomain;
		stats->refused += one.refused;
		stats->formerr += one.formerr;
		stats->notimp += one.notimp;
		stats->servfail += one.servfail;
		stats->truncated += one.truncated;
		if (out == 0)
			return 0;
		if (!tcp) {
			/*
			 * dns_answer() filled the client's UDP size without the
			 * TSIG: when the signed reply would not fit, it goes out
			 * truncated (header and question, TC=1), still signed, and
			 * the client asks again over TCP (RFC 8945 5.3, RFC 1035 4.2.1).
			 */
			struct dns_msg m;
			size_t limit = DNS_UDP_MIN, sig = 10u + ctx.key_name_len + ctx.alg_name_len +
			    16u + DNS_TSIG_MAC_MAX;
			if (dns_wire_parse(q, rr.start, &m) == DNS_WIRE_OK && m.edns &&
			    m.edns_udp > DNS_UDP_MIN)
				limit = m.edns_udp < conf->max_udp ? m.edns_udp : conf->max_udp;
			if (limit < DNS_UDP_MIN)
				limit = DNS_UDP_MIN;
			if (out + sig > limit) {
				struct dns_writer wr;
				dns_wire_init(&wr, resp, cap);
				if (dns_wire_header(&wr, m.id, (uint16_t)(DNS_F_QR | DNS_F_AA | DNS_F_TC |
				    (m.flags & (0xf << 11 | DNS_F_RD)))) != 0 || m.qname == NULL ||
				    dns_wire_question(&wr, m.qname, m.qtype, m.qclass) != 0)
					return 0;
				out = dns_wire_finish(&wr);
				stats->truncated++;
			}
		}
		if (dns_tsig_sign_reply(&ctx, resp, &out, cap, now, 0) != 0)
			return 0;
		return out;
	}
	if (st == DNS_TSIG_OK || st == DNS_TSIG_NONE || st == DNS_TSIG_FORMERR) {
		/* dns_answer()'s REFUSED stands for what cannot be read. */
		struct dns_msg m;
		struct dns_writer wr;
		(void)dns_wire_parse(req, len, &m);
		dns_wire_init(&wr, resp, cap);
		if (dns_wire_header(&wr, (uint16_t)(req[0] << 8 | req[1]), (uint16_t)(DNS_F_QR |
		    ((req[2] << 8 | req[3]) & (0xf << 11 | DNS_F_RD)) | DNS_RCODE_FORMERR)) != 0)
			return 0;
		if (m.qname != NULL && m.qdcount == 1)
			(void)dns_wire_question(&wr, m.qname, m.qtype, m.qclass);
		stats->formerr++;
		return dns_wire_finish(&wr);
	}
	/* RFC 8945 5.3.2: NOTAUTH, the TSIG error in a TSIG record (signed for BADTIME). */
	{
		struct dns_msg m;
		struct dns_writer wr;
		(void)dns_wire_parse(req, len, &m);
		dns_wire_init(&wr, resp, cap);
		if (dns_wire_header(&wr, (uint16_t)(req[0] << 8 | req[1]), (uint16_t)(DNS_F_QR |
		    ((req[2] << 8 | req[3]) & (0xf << 11 | DNS_F_RD)))) != 0)
			return 0;
		if (m.qname != NULL && m.qdcount == 1)
			(void)dns_wire_question(&wr, m.qname, m.qtype, m.qclass);
		out = dns_wire_finish(&wr);
		if (dns_tsig_sign_reply(&ctx, resp, &out, cap, now, ctx.error) != 0)
			return 0;
		stats->refused++;
		return out;
	}
}
