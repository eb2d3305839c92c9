/*
 * secondary_notify.c - the pure half of secondary.h: the table of
 * secondary zones and their primaries that each generation carries, and
 * the answer to a NOTIFY (RFC 1996) that a worker gives from it.  The
 * engine (secondary.c) runs in the main thread on libev; this file has no
 * sockets, clock or globals, so the unit tests and the fuzzer reach it.
 */
#include "secondary.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"
#include "xfr.h"

struct dns_sec_table *
dns_sec_table_new(const struct dnsconf *conf)
{
	struct dns_sec_table *t = calloc(1, sizeof(*t));
	size_t n = 0;

	if (t == NULL)
		return NULL;
	for (size_t i = 0; i < conf->n_zones; i++)
		n += conf->zones[i].kind == DNSCONF_ZONE_SECONDARY;
	if (n > 0 && (t->zones = calloc(n, sizeof(*t->zones))) == NULL)
		goto fail;
	for (size_t i = 0; i < conf->n_zones; i++) {
		const struct dnsconf_zone *z = &conf->zones[i];
		struct dns_sec_entry *e;
		if (z->kind != DNSCONF_ZONE_SECONDARY)
			continue;
		e = &t->zones[t->n++];
		memcpy(e->apex, z->apex, sizeof(e->apex));
		if (z->n_primaries > 0 &&
		    (e->primaries = calloc(z->n_primaries, sizeof(*e->primaries))) == NULL)
			goto fail;
		e->n_primaries = z->n_primaries;
		for (size_t k = 0; k < z->n_primaries; k++) {
			const struct dnsconf_remote *r = &z->primaries[k];
			struct dns_sec_primary *p = &e->primaries[k];
			memcpy(&p->sa, &r->sa, sizeof(p->sa));
			p->salen = r->salen;
			if (r->key >= 0 && (size_t)r->key < conf->n_keys) {
				p->has_key = true;
				p->key = conf->keys[r->key];
			}
		}
	}
	return t;
fail:
	dns_sec_table_free(t);
	return NULL;
}

struct dns_sec_table *
dns_sec_table_dup(const struct dns_sec_table *t)
{
	struct dns_sec_table *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	if (t->n > 0 && (c->zones = calloc(t->n, sizeof(*c->zones))) == NULL)
		goto fail;
	for (size_t i = 0; i < t->n; i++) {
		const struct dns_sec_entry *e = &t->zones[i];
		struct dns_sec_entry *d = &c->zones[c->n++];
		memcpy(d->apex, e->apex, sizeof(d->apex));
		if (e->n_primaries > 0 &&
		    (d->primaries = malloc(e->n_primaries * sizeof(*d->primaries))) == NULL)
			goto fail;
		if (e->n_primaries > 0)
			memcpy(d->primaries, e->primaries, e->n_primaries * sizeof(*d->primaries));
		d->n_primaries = e->n_primaries;
	}
	return c;
fail:
	dns_sec_table_free(c);
	return NULL;
}

void
dns_sec_table_free(struct dns_sec_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (t->zones[i].primaries != NULL)
			explicit_bzero(t->zones[i].primaries,
			    t->zones[i].n_primaries * sizeof(*t->zones[i].primaries));
		free(t->zones[i].primaries);
	}
	free(t->zones);
	free(t);
}

/* The UDP payload size our NOTIFY answers state: riposte-dns's default udp-size. */
#define DNS_NOTIFY_UDP_SIZE 1232

/* Same address (the port of a NOTIFY's source is any: RFC 1996 does not fix it). */
static bool
same_host(const struct sockaddr *a, const struct sockaddr_storage *b)
{
	if (a->sa_family != b->ss_family)
		return false;
	if (a->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		    &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return false;
}

/* A reply: header, the question, nothing else (RFC 1996 4.7). */
static size_t
reply(const struct dns_msg *m, uint8_t *resp, size_t cap, int rcode, bool question)
{
	struct dns_writer wr;

	dns_wire_init(&wr, resp, cap);
	if (dns_wire_header(&wr, m->id, (uint16_t)(DNS_F_QR | (DNS_OPCODE_NOTIFY << 11) |
	    (rcode == DNS_RCODE_NOERROR ? DNS_F_AA : 0) | (rcode & 0xf))) != DNS_WIRE_OK)
		return 0;
	if (question && m->qname != NULL)
		(void)dns_wire_question(&wr, m->qname, m->qtype, m->qclass);
	/* RFC 6891 7: a query with an OPT gets one back (as every other answer of ours). */
	if (m->edns && dns_wire_opt(&wr, DNS_NOTIFY_UDP_SIZE, 0, 0, 0, NULL, 0) != DNS_WIRE_OK)
		return 0;
	return dns_wire_finish(&wr);
}

size_t
dns_notify_answer(const struct dns_sec_table *t, const struct sockaddr *peer,
    const uint8_t *req, size_t len, uint8_t *resp, size_t cap, uint64_t now,
    struct dns_notify_event *ev, bool *post)
{
	struct dns_msg m;
	const struct dns_sec_entry *e = NULL;
	struct dns_tsig_key keys[8];
	size_t n_keys = 0, n;
	bool from_primary = false, unkeyed = false;
	uint8_t lc[DNS_NAME_MAX];
	int perr;

	*post = false;
	memset(ev, 0, sizeof(*ev));
	/* RFC 1035 4.1.1: never answer a response, nor what has no header. */
	if (len < DNS_HDR_LEN || (req[2] & 0x80) != 0 || cap < DNS_HDR_LEN)
		return 0;
	perr = dns_wire_parse(req, len, &m);
	if (perr != DNS_WIRE_OK)
		return reply(&m, resp, cap, DNS_RCODE_FORMERR, false);
	/* RFC 1996 3.7: one question, QTYPE SOA, for the zone's apex. */
	if (m.qdcount != 1 || m.qclass != DNS_C_IN)
		return reply(&m, resp, cap, DNS_RCODE_FORMERR, m.qdcount == 1);
	dns_name_lower(lc, m.qname);
	for (size_t i = 0; t != NULL && i < t->n && e == NULL; i++)
		if (dns_name_equal(t->zones[i].apex, lc))
			e = &t->zones[i];
	/*
	 * Not the apex of a zone we are a secondary of: NOTAUTH, as Knot and
	 * BIND answer (RFC 1996 says nothing), and no one is told.
	 */
	if (e == NULL)
		return reply(&m, resp, cap, DNS_RCODE_NOTAUTH, true);
	if (m.qtype != DNS_T_SOA)
		return reply(&m, resp, cap, DNS_RCODE_FORMERR, true);

	memcpy(ev->apex, lc, sizeof(ev->apex));
	memcpy(&ev->peer, peer, peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in));
	ev->peer_len = peer->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	*post = true;
	for (size_t k = 0; k < e->n_primaries; k++) {
		if (!same_host(peer, &e->primaries[k].sa))
			continue;
		from_primary = true;
		if (!e->primaries[k].has_key)
			unkeyed = true;
		else if (n_keys < sizeof(keys) / sizeof(keys[0]))
			keys[n_keys++] = e->primaries[k].key;
	}
	if (!from_primary) {
		snprintf(ev->why, sizeof(ev->why), "not from a primary");
		return reply(&m, resp, cap, DNS_RCODE_REFUSED, true);
	}
	/*
	 * A primary with a key must sign (RFC 8945 5.2); one without may, but
	 * its signature is not checked (we have no key for it): it is the
	 * address that we trust there.
	 */
	if (n_keys > 0 && !(unkeyed && !m.tsig)) {
		struct dns_tsig_ctx ctx;
		int st;

		dns_tsig_ctx_init(&ctx, NULL);
		/* ctx.key points into keys: they are wiped once the reply is signed. */
		st = dns_tsig_verify_query(&ctx, keys, n_keys, req, len, now);
		if (st == DNS_TSIG_NONE) {
			explicit_bzero(keys, sizeof(keys));
			snprintf(ev->why, sizeof(ev->why), "not signed (the primary has a key)");
			return reply(&m, resp, cap, DNS_RCODE_REFUSED, true);
		}
		if (st != DNS_TSIG_OK) {
			snprintf(ev->why, sizeof(ev->why), "TSIG %s", dns_tsig_status_str(st));
			n = reply(&m, resp, cap, (int)dns_tsig_rcode((int)st), true);
			/* BADKEY, BADSIG go out unsigned with the error, BADTIME signed (5.3.2). */
			if (st != DNS_TSIG_FORMERR && n > 0 &&
			    dns_tsig_sign_reply(&ctx, resp, &n, cap, now, ctx.error) != 0)
				n = 0;
			explicit_bzero(keys, sizeof(keys));
			explicit_bzero(&ctx, sizeof(ctx));
			return n;
		}
		n = reply(&m, resp, cap, DNS_RCODE_NOERROR, true);
		if (n > 0 && dns_tsig_sign_reply(&ctx, resp, &n, cap, now, 0) != 0)
			n = 0;
		explicit_bzero(&ctx, sizeof(ctx));
	} else {
		n = reply(&m, resp, cap, DNS_RCODE_NOERROR, true);
	}
	explicit_bzero(keys, sizeof(keys));
	ev->accepted = true;

	/* RFC 1996 3.7: the answer section may carry the new SOA: a hint only. */
	if (m.ancount > 0) {
		struct dns_rr_iter it;
		struct dns_rr rr;
		uint8_t owner[DNS_NAME_MAX], rd[DNS_XFR_RDATA_MAX];
		int rl;

		dns_wire_rr_begin(&it, req, len, &m);
		if (dns_wire_rr_next(&it, &rr) > 0 && rr.section == DNS_SEC_ANSWER &&
		    rr.type == DNS_T_SOA && rr.rclass == DNS_C_IN &&
		    (dns_name_lower(owner, rr.owner), dns_name_equal(owner, lc)) &&
		    (rl = dns_xfr_rdata(req, len, rr.rdata_off, rr.rdlen, DNS_T_SOA, rd)) > 0 &&
		    dns_soa_rdata_serial(rd, (size_t)rl, &ev->serial))
			ev->has_serial = true;
	}
	return n;
}
