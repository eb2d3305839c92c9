/*
 * rrl.c - response rate limiting: the classification of an answer, the
 * token-bucket table and the slipped (TC=1) form of an answer.  rrl.h says
 * what it is for; server.c calls it for UDP answers only (an answer over
 * TCP went to an address that completed a handshake).
 *
 * The classes and their keys follow what NSD and Knot document: answers
 * and NODATA are keyed by the qname; NXDOMAIN by the zone, so that random
 * names under one zone (each answered NXDOMAIN) share a bucket; referrals
 * by the delegation point, for the same reason; errors by the prefix
 * alone, since the name of a malformed query is the attacker's to choose.
 */
#include "rrl.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/siphash.h"

/* Tokens are fixed point: one answer costs DNS_RRL_ONE. */
#define DNS_RRL_ONE 1000000ULL
#define DNS_RRL_WAYS 4
/* RFC 1035 4.1.1 */
#define DNS_RRL_HDR 12
#define DNS_RRL_F_TC 0x0200
#define DNS_RRL_F_AA 0x0400

struct dns_rrl_bucket {
	uint64_t key;		/* 0: empty */
	uint64_t tokens;	/* DNS_RRL_ONE per answer */
	rtime_t stamp;		/* last refill */
	uint32_t limited;	/* limited answers, for the slip count */
};

struct dns_rrl {
	struct dns_rrl_conf conf;
	struct dns_rrl_prefix *whitelist;
	struct siphash_key key;
	size_t mask;		/* sets - 1 */
	struct dns_rrl_bucket *table;
	struct dns_rrl_stats stats;
};

struct dns_rrl *
dns_rrl_new(const struct dns_rrl_conf *conf, const uint8_t key[DNS_RRL_KEY_LEN])
{
	struct dns_rrl *rrl = calloc(1, sizeof(*rrl));
	size_t n = DNS_RRL_WAYS;

	if (rrl == NULL)
		return NULL;
	rrl->conf = *conf;
	while (n < conf->table_size && n < ((size_t)1 << 30))
		n <<= 1;
	rrl->mask = n / DNS_RRL_WAYS - 1;
	rrl->key = siphash_key_from_bytes(key);
	rrl->table = calloc(n, sizeof(*rrl->table));
	if (conf->n_whitelist > 0) {
		rrl->whitelist = calloc(conf->n_whitelist, sizeof(*rrl->whitelist));
		if (rrl->whitelist != NULL)
			memcpy(rrl->whitelist, conf->whitelist,
			    conf->n_whitelist * sizeof(*rrl->whitelist));
	}
	if (rrl->table == NULL || (conf->n_whitelist > 0 && rrl->whitelist == NULL)) {
		dns_rrl_free(rrl);
		return NULL;
	}
	rrl->conf.whitelist = rrl->whitelist;
	return rrl;
}

void
dns_rrl_free(struct dns_rrl *rrl)
{
	if (rrl == NULL)
		return;
	free(rrl->table);
	free(rrl->whitelist);
	free(rrl);
}

const struct dns_rrl_stats *
dns_rrl_stats(const struct dns_rrl *rrl)
{
	return &rrl->stats;
}

const char *
dns_rrl_class_name(enum dns_rrl_class cls)
{
	static const char *const names[DNS_RRL_N_CLASSES] = {
		"answer", "nxdomain", "nodata", "referral", "error",
	};

	return (unsigned)cls < DNS_RRL_N_CLASSES ? names[cls] : "?";
}

/* ---------------------------------------------------------- classification */

static uint16_t
dns_rrl_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Past one RR at *pos (RFC 1035 4.1.3); its owner in owner.  0 or -1. */
static int
dns_rrl_rr(const uint8_t *msg, size_t len, size_t *pos, uint8_t owner[DNS_NAME_MAX])
{
	if (dnsmsg_name_read(msg, len, pos, owner) < 0 || len - *pos < 10)
		return -1;
	*pos += 10 + (size_t)dns_rrl_u16(msg + *pos + 8);
	return *pos <= len ? 0 : -1;
}

enum dns_rrl_class
dns_rrl_classify(const uint8_t *resp, size_t len, uint8_t name[DNS_NAME_MAX])
{
	struct dnsmsg_hdr h;
	struct dnsmsg_question q;
	uint8_t owner[DNS_NAME_MAX];
	size_t pos = DNS_RRL_HDR;
	unsigned rcode;

	memset(name, 0, DNS_NAME_MAX); /* the root: errors have no name */
	if (dnsmsg_hdr_parse(resp, len, &h) != 0)
		return DNS_RRL_ERROR;
	rcode = h.flags & 0xf;
	if (rcode != DNSMSG_RCODE_NOERROR && rcode != DNSMSG_RCODE_NXDOMAIN)
		return DNS_RRL_ERROR;
	if (h.qdcount != 1 || dnsmsg_question_parse(resp, len, &pos, &q) != 0)
		return DNS_RRL_ERROR;
	dns_name_lower(name, q.qname);
	if (rcode == DNSMSG_RCODE_NOERROR && h.ancount > 0)
		return DNS_RRL_ANSWER;
	if (rcode == DNSMSG_RCODE_NOERROR && (h.flags & DNS_RRL_F_AA) != 0)
		return DNS_RRL_NODATA;
	/*
	 * NXDOMAIN (after a CNAME chain, maybe) and referrals are keyed by
	 * the first authority owner: the zone's SOA, or the delegation's NS.
	 */
	for (unsigned i = 0; i < h.ancount; i++)
		if (dns_rrl_rr(resp, len, &pos, owner) != 0)
			return rcode == DNSMSG_RCODE_NXDOMAIN ? DNS_RRL_NXDOMAIN : DNS_RRL_REFERRAL;
	if (h.nscount > 0 && dns_rrl_rr(resp, len, &pos, owner) == 0)
		dns_name_lower(name, owner);
	if (rcode == DNSMSG_RCODE_NXDOMAIN)
		return DNS_RRL_NXDOMAIN;
	/* Not authoritative and empty: a referral, or nothing we serve said so. */
	return h.nscount > 0 ? DNS_RRL_REFERRAL : DNS_RRL_NODATA;
}

/* ------------------------------------------------------------------ table */

bool
dns_rrl_prefix_match(const struct dns_rrl_prefix *p, int family, const uint8_t *addr)
{
	unsigned full = p->len / 8, rest = p->len % 8;

	if (p->family != family)
		return false;
	if (memcmp(p->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - rest));
	return (p->addr[full] & m) == (addr[full] & m);
}

/* The client's address bytes; 0 for a family we do not limit. */
static size_t
dns_rrl_addr(const struct sockaddr *sa, int *family, const uint8_t **addr)
{
	if (sa->sa_family == AF_INET) {
		*family = AF_INET;
		*addr = (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
		return 4;
	}
	if (sa->sa_family == AF_INET6) {
		*family = AF_INET6;
		*addr = (const uint8_t *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
		return 16;
	}
	return 0;
}

static struct dns_rrl_bucket *
dns_rrl_find(struct dns_rrl *rrl, uint64_t key, rtime_t now)
{
	struct dns_rrl_bucket *set = &rrl->table[(key & rrl->mask) * DNS_RRL_WAYS];
	struct dns_rrl_bucket *victim = &set[0];

	for (int i = 0; i < DNS_RRL_WAYS; i++) {
		if (set[i].key == key)
			return &set[i];
		/* An empty way first, else the least recently used one. */
		if (victim->key != 0 && (set[i].key == 0 || set[i].stamp < victim->stamp))
			victim = &set[i];
	}
	if (victim->key != 0)
		rrl->stats.evicted++;
	victim->key = key;
	victim->tokens = (uint64_t)rrl->conf.rate * DNS_RRL_ONE;
	victim->stamp = now;
	victim->limited = 0;
	return victim;
}

enum dns_rrl_action
dns_rrl_check(struct dns_rrl *rrl, const struct sockaddr *sa, enum dns_rrl_class cls,
    const uint8_t *name, rtime_t now)
{
	uint8_t buf[2 + 16 + DNS_NAME_MAX];
	const uint8_t *addr;
	struct dns_rrl_bucket *b;
	uint64_t key, cap;
	size_t alen, plen, n;
	int family;

	if (rrl->conf.rate == 0 || (alen = dns_rrl_addr(sa, &family, &addr)) == 0) {
		rrl->stats.passed++;
		return DNS_RRL_PASS;
	}
	for (size_t i = 0; i < rrl->conf.n_whitelist; i++) {
		if (dns_rrl_prefix_match(&rrl->conf.whitelist[i], family, addr)) {
			rrl->stats.whitelisted++;
			return DNS_RRL_PASS;
		}
	}
	/* family, class, the masked prefix, then the name (none for errors). */
	plen = family == AF_INET ? rrl->conf.v4_prefix : rrl->conf.v6_prefix;
	if (plen > alen * 8)
		plen = alen * 8;
	memset(buf, 0, sizeof(buf));
	buf[0] = (uint8_t)(family == AF_INET ? 4 : 6);
	buf[1] = (uint8_t)cls;
	memcpy(buf + 2, addr, plen / 8);
	if (plen % 8 != 0)
		buf[2 + plen / 8] = (uint8_t)(addr[plen / 8] & (0xff << (8 - plen % 8)));
	n = 2 + alen;
	if (cls != DNS_RRL_ERROR) {
		int nl = dns_name_wire_len(name, DNS_NAME_MAX);
		if (nl > 0) {
			memcpy(buf + n, name, (size_t)nl);
			n += (size_t)nl;
		}
	}
	key = siphash24(&rrl->key, buf, n);
	if (key == 0)
		key = 1;

	b = dns_rrl_find(rrl, key, now);
	cap = (uint64_t)rrl->conf.rate * DNS_RRL_ONE;
	if (now > b->stamp) {
		/* rate tokens per second = rate * DNS_RRL_ONE units per second. */
		uint64_t dt = (uint64_t)(now - b->stamp);
		uint64_t add = dt >= (uint64_t)RTIME_SEC ? cap :
		    dt * rrl->conf.rate * (DNS_RRL_ONE / RTIME_SEC);
		b->tokens = cap - b->tokens <= add ? cap : b->tokens + add;
		b->stamp = now;
	}
	if (b->tokens >= DNS_RRL_ONE) {
		b->tokens -= DNS_RRL_ONE;
		rrl->stats.passed++;
		return DNS_RRL_PASS;
	}
	b->limited++;
	rrl->stats.limited++;
	if (rrl->conf.slip != 0 && b->limited % rrl->conf.slip == 0) {
		rrl->stats.slipped++;
		return DNS_RRL_SLIP;
	}
	return DNS_RRL_DROP;
}

/* ------------------------------------------------------------------- slip */

size_t
dns_rrl_slip(uint8_t *resp, size_t len)
{
	struct dnsmsg_hdr h;
	struct dnsmsg_question q;
	size_t pos = DNS_RRL_HDR;

	if (dnsmsg_hdr_parse(resp, len, &h) != 0)
		return len;
	if (h.qdcount != 1 || dnsmsg_question_parse(resp, len, &pos, &q) != 0) {
		pos = DNS_RRL_HDR;
		h.qdcount = 0;
	}
	h.flags |= DNS_RRL_F_TC;
	h.ancount = h.nscount = h.arcount = 0;
	dnsmsg_hdr_write(resp, DNS_RRL_HDR, &h);
	return pos;
}
