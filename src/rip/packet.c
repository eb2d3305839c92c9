/*
 * packet.c - RIPv2 packet codec: header and framing (RFC 2453 3.6, 4, 5),
 * the authentication entry (RFC 2453 4.1 simple password, RFC 4822 2 /
 * RFC 2082 keyed), route-entry validation (RFC 2453 3.9.2, 4.3, 4.4) and
 * the encoder.
 *
 * Every byte of a packet is read through struct cursor and written through
 * struct wcursor; nothing here casts packet memory to a struct.
 *
 * Authentication: the codec locates the authentication entry (first entry
 * only, RFC 2453 4.1), bounds it and any RFC 4822 trailer, and counts the
 * entry as one of the 25 a datagram may carry.  auth.c verifies what
 * struct rip_auth hands out.
 */
#include "packet.h"

#include <string.h>

#include "../lib/addr.h"
#include "../lib/cursor.h"

#define RIP_AUTH_TRAILER_TYPE 0x0001
#define RIP_AUTH_PASSWD_LEN 16
#define RIP_AUTH_MD5_LEN 16  /* RFC 2082 */
#define RIP_AUTH_LEN_ALT 20  /* FRR/Quagga, BIRD: 16 + the trailer header; HMAC-SHA-1 */

const char *
rip_pkt_err_str(int err)
{
	switch (err) {
	case RIP_PKT_OK:
		return "ok";
	case RIP_PKT_SHORT:
		return "packet too short";
	case RIP_PKT_BAD_LENGTH:
		return "length not 4+20n";
	case RIP_PKT_BAD_COMMAND:
		return "bad command";
	case RIP_PKT_BAD_VERSION:
		return "bad version";
	case RIP_PKT_BAD_MBZ:
		return "must-be-zero field set";
	case RIP_PKT_BAD_AUTH:
		return "malformed authentication";
	case RIP_PKT_TOO_LONG:
		return "longer than 512 octets";
	}
	return "unknown";
}

const char *
rip_rte_err_str(int err)
{
	switch (err) {
	case RIP_RTE_OK:
		return "ok";
	case RIP_RTE_BAD_AFI:
		return "bad address family";
	case RIP_RTE_BAD_METRIC:
		return "metric out of range";
	case RIP_RTE_BAD_PREFIX:
		return "martian prefix";
	case RIP_RTE_BAD_MASK:
		return "bad mask";
	case RIP_RTE_BAD_NEXTHOP:
		return "bad next hop";
	}
	return "unknown";
}

/* Where the cursor stands, for handing out pointers into the buffer. */
static const uint8_t *
cur_here(const struct cursor *c)
{
	return c->buf + c->pos;
}

/* One 20-byte entry in the RFC 2453 3.6 / 4 layout. */
static void
rte_read(struct cursor *c, struct rip_rte *rte)
{
	rte->afi = cur_u16(c);
	rte->tag = cur_u16(c);
	rte->addr = cur_u32(c);
	rte->mask = cur_u32(c);
	rte->nexthop = cur_u32(c);
	rte->metric = cur_u32(c);
}

static void
rte_write(struct wcursor *w, const struct rip_rte *rte)
{
	wcur_u16(w, rte->afi);
	wcur_u16(w, rte->tag);
	wcur_u32(w, rte->addr);
	wcur_u32(w, rte->mask);
	wcur_u32(w, rte->nexthop);
	wcur_u32(w, rte->metric);
}

/*
 * RFC 4822 2 (and RFC 2082 3.1): the first entry carries the offset of the
 * authentication trailer ("RIPv2 Packet Length"), a key id, the length of
 * the authentication data and a sequence number.  `c` stands after the
 * 0xFFFF and the type; `rest` covers everything after the auth entry.
 *
 * The trailer is 0xFFFF 0x0001 and the authentication data, and it must end
 * the datagram exactly.  The Auth Data Len field has two readings in the
 * field (BIRD's packets.c says so too): RFC 2082 and RFC 4822 count only the
 * data (16 for keyed MD5, 20 for HMAC-SHA1), while Quagga/FRR ("auth-length
 * old-ripd", their default) and BIRD's keyed MD5 send 20 for a 16-byte
 * digest, counting the 4-byte trailer header.  So with auth_len 20 a 16- or
 * a 20-byte data field is accepted; HMAC-SHA-256/384/512 (RFC 4822 2.5)
 * send 32, 48 or 64.  Which one the key's algorithm needs is auth.c's to
 * decide.  The two reserved words are not checked: they carry
 * nothing, and refusing a packet over them would only cost interoperability.
 */
static int
auth_crypto_read(struct cursor *c, struct cursor *rest, struct rip_auth *auth,
    struct cursor *entries)
{
	size_t body, data_len;

	auth->pkt_len = cur_u16(c);
	auth->key_id = cur_u8(c);
	auth->auth_len = cur_u8(c);
	auth->seqno = cur_u32(c);
	if (c->err)
		return RIP_PKT_BAD_AUTH;

	switch (auth->auth_len) {
	case RIP_AUTH_MD5_LEN:
	case RIP_AUTH_LEN_ALT:
	case 32:	/* HMAC-SHA-256 */
	case 48:	/* HMAC-SHA-384 */
	case 64:	/* HMAC-SHA-512 */
		break;
	default:
		return RIP_PKT_BAD_AUTH;
	}

	/*
	 * The trailer offset must frame header + auth entry + n entries, and
	 * those entries must be there (a pkt_len past the end fails cur_sub).
	 */
	if (auth->pkt_len < RIP_HDR_LEN + RIP_RTE_LEN ||
	    (auth->pkt_len - RIP_HDR_LEN) % RIP_RTE_LEN != 0)
		return RIP_PKT_BAD_AUTH;
	/*
	 * RFC 2453 4 / 4.1: the auth entry and at most 24 route entries.
	 * rip_packet_too_long() already bounds the datagram so that this
	 * cannot fail today; it states the rule where the offset is read.
	 */
	if (auth->pkt_len > RIP_PKT_MAX)
		return RIP_PKT_TOO_LONG;
	body = (size_t)auth->pkt_len - RIP_HDR_LEN - RIP_RTE_LEN;
	*entries = cur_sub(rest, body);
	if (entries->err)
		return RIP_PKT_BAD_AUTH;

	/* What is left of the datagram is the trailer. */
	const uint8_t *start = cur_here(rest);
	size_t tr_len = cur_left(rest);
	uint16_t magic = cur_u16(rest);
	uint16_t type = cur_u16(rest);
	if (rest->err || magic != RIP_AF_AUTH || type != RIP_AUTH_TRAILER_TYPE)
		return RIP_PKT_BAD_AUTH;
	data_len = cur_left(rest);
	if (data_len != auth->auth_len &&
	    !(auth->auth_len == RIP_AUTH_LEN_ALT && data_len == RIP_AUTH_MD5_LEN))
		return RIP_PKT_BAD_AUTH;

	/* trailer points at the 0xFFFF at offset pkt_len; data follows 4 bytes on. */
	auth->trailer = start;
	auth->trailer_len = tr_len;
	return RIP_PKT_OK;
}

/*
 * RFC 2453 3.6 / 4: a datagram is at most 512 octets, 25 entries, and an
 * authentication entry takes one of them (4.1: 24 route entries follow
 * it).  Checked first, so an oversize datagram is counted as that whatever
 * else is wrong with it:
 *   - longer than 25 entries plus the longest trailer: valid in no layout;
 *   - otherwise longer than 512 octets, and no keyed authentication entry
 *     first: without a trailer the whole datagram is header and entries
 *     (more than 25 entries is at least 524 octets, so this catches it);
 *   - with one (RFC 4822 2), the 512 octets are for header and entries,
 *     the trailer is bounded on its own (Auth Data Len, 16 to 64), and
 *     auth_crypto_read() checks that the part before it fits.
 * 505 to 512 octets without a trailer is not too long, just not 4 + 20n.
 */
static bool
rip_packet_too_long(const uint8_t *buf, size_t len)
{
	struct cursor c;
	uint16_t afi, type;

	if (len > RIP_PKT_RX_MAX)
		return true;
	if (len <= RIP_DGRAM_MAX)
		return false;
	cur_init(&c, buf, len);
	cur_skip(&c, RIP_HDR_LEN);
	afi = cur_u16(&c);
	type = cur_u16(&c);
	return c.err || afi != RIP_AF_AUTH || type != RIP_AUTH_CRYPTO;
}

int
rip_packet_decode(const uint8_t *buf, size_t len, struct rip_packet *out)
{
	struct cursor c, entries;
	const uint8_t *rtes;
	size_t nrte;
	uint16_t mbz;
	int err;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < RIP_HDR_LEN)
		return RIP_PKT_SHORT;
	if (rip_packet_too_long(buf, len))
		return RIP_PKT_TOO_LONG;

	cur_init(&c, buf, len);
	out->command = cur_u8(&c);
	out->version = cur_u8(&c);
	mbz = cur_u16(&c);

	/* RFC 2453 3.6: only Request (1) and Response (2) are defined. */
	if (out->command != RIP_CMD_REQUEST && out->command != RIP_CMD_RESPONSE)
		return RIP_PKT_BAD_COMMAND;
	/*
	 * RFC 2453 5 (after RFC 1058 3.4): version 0 is discarded, version 1
	 * is discarded if a must-be-zero field is set, and higher versions
	 * are not discarded for a set MBZ field; they are processed as
	 * version 2 and out->version keeps what was sent.
	 */
	if (out->version == 0)
		return RIP_PKT_BAD_VERSION;
	if (out->version == 1 && mbz != 0)
		return RIP_PKT_BAD_MBZ;

	/*
	 * RFC 2453 4.1: an AFI of 0xFFFF in the first entry means the rest of
	 * that entry is authentication.  It is recognised whatever the
	 * version: no RIPv1 speaker sends that AFI, and one framing path is
	 * easier to trust than two.
	 */
	struct cursor peek = c;
	if (cur_left(&c) >= RIP_RTE_LEN && cur_u16(&peek) == RIP_AF_AUTH) {
		struct cursor ae = cur_sub(&c, RIP_RTE_LEN);
		cur_skip(&ae, 2);
		out->has_auth = true;
		out->auth.type = cur_u16(&ae);
		switch (out->auth.type) {
		case RIP_AUTH_SIMPLE:
			cur_bytes(&ae, out->auth.password, RIP_AUTH_PASSWD_LEN);
			if (ae.err)
				return RIP_PKT_BAD_AUTH;
			entries = cur_sub(&c, cur_left(&c));
			break;
		case RIP_AUTH_CRYPTO:
			err = auth_crypto_read(&ae, &c, &out->auth, &entries);
			if (err != RIP_PKT_OK)
				return err;
			break;
		default:
			/*
			 * Without a known layout we cannot even tell where
			 * the entries end (a trailer may follow), so an
			 * unknown type is malformed at this layer.
			 */
			return RIP_PKT_BAD_AUTH;
		}
	} else {
		entries = cur_sub(&c, cur_left(&c));
	}

	/* RFC 2453 3.6: a header and whole 20-byte entries, nothing else. */
	if (entries.err || cur_left(&entries) % RIP_RTE_LEN != 0)
		return RIP_PKT_BAD_LENGTH;
	rtes = cur_here(&entries);
	nrte = cur_left(&entries) / RIP_RTE_LEN;

	/*
	 * RFC 2453 4.1: the authentication entry is only valid as the first
	 * entry; one anywhere else means a broken or hostile sender.
	 */
	while (cur_left(&entries) >= RIP_RTE_LEN) {
		struct cursor e = cur_sub(&entries, RIP_RTE_LEN);
		if (cur_u16(&e) == RIP_AF_AUTH)
			return RIP_PKT_BAD_AUTH;
	}

	/* Only a packet that passed every check hands out its entries. */
	out->rtes = rtes;
	out->nrte = nrte;
	return RIP_PKT_OK;
}

void
rip_packet_rte(const struct rip_packet *pkt, size_t i, struct rip_rte *out)
{
	struct cursor c;

	memset(out, 0, sizeof(*out));
	if (pkt->rtes == NULL || i >= pkt->nrte)
		return;
	cur_init(&c, pkt->rtes, pkt->nrte * RIP_RTE_LEN);
	cur_skip(&c, i * RIP_RTE_LEN);
	rte_read(&c, out);
}

/*
 * Validate one response entry.  RFC 2453 3.9.2 asks whether the
 * destination is valid and the metric within 1..16 and says to ignore the
 * entry if any check fails; it does not rank the failures.  We check in
 * this order, so the counter an entry lands in is well defined:
 *   1. AFI is 2, AF_INET (RFC 2453 3.6; other families are not ours);
 *   2. metric 1..16 (RFC 2453 3.9.2);
 *   3. the subnet mask is contiguous and the address has no host bits
 *      outside it (RFC 2453 4.3);
 *   4. the destination is not martian: not 0/8 except the default route
 *      0.0.0.0/0, not 127/8, not multicast or class E, not the limited
 *      broadcast (RFC 2453 3.9.2 "not net 0 or 127");
 *   5. the next hop is 0.0.0.0 or usable (RFC 2453 4.4).  A bad next hop
 *      is reported, but RFC 2453 4.4 has the engine use the sender
 *      instead (as if 0.0.0.0) rather than drop the route.
 */
int
rip_rte_check(const struct rip_rte *rte, uint8_t *len_out)
{
	int plen;

	if (rte->afi != RIP_AF_INET)
		return RIP_RTE_BAD_AFI;
	if (rte->metric < 1 || rte->metric > RIP_INFINITY)
		return RIP_RTE_BAD_METRIC;

	/*
	 * A zero mask on a non-zero address (a v1-style entry) fails the
	 * host-bit test: RIPv2 always carries the mask.
	 */
	plen = ip4_mask_len(rte->mask);
	if (plen < 0 || (rte->addr & ~rte->mask) != 0)
		return RIP_RTE_BAD_MASK;

	if (!(rte->addr == 0 && plen == 0)) {
		/* 255.255.255.255 is named for itself, in case martian ever changes. */
		if (rte->addr == 0xffffffffu || ip4_is_martian(rte->addr))
			return RIP_RTE_BAD_PREFIX;
	}

	if (rte->nexthop != 0 &&
	    (rte->nexthop == 0xffffffffu || ip4_is_martian(rte->nexthop)))
		return RIP_RTE_BAD_NEXTHOP;

	if (len_out != NULL)
		*len_out = (uint8_t)plen;
	return RIP_RTE_OK;
}

/*
 * RFC 2453 3.9.1: "If there is exactly one entry in the request, and it
 * has an address family identifier of zero and a metric of infinity
 * (i.e., 16), then this is a request to send the entire routing table."
 * The authentication entry is not a route entry and is not counted.
 */
bool
rip_request_is_whole_table(const struct rip_packet *pkt)
{
	struct rip_rte rte;

	if (pkt->command != RIP_CMD_REQUEST || pkt->nrte != 1)
		return false;
	rip_packet_rte(pkt, 0, &rte);
	return rte.afi == 0 && rte.metric == RIP_INFINITY;
}

/*
 * RFC 2453 3.6 / 4: command, version 2, two zero bytes, then room for an
 * authentication entry (zeros: rip_auth_sign() fills it in), then the entries.  Whether `n`
 * respects the 25-entry limit is the caller's business; we only refuse
 * what does not fit in `cap`.
 */
size_t
rip_packet_encode(uint8_t *buf, size_t cap, uint8_t command,
    const struct rip_rte *rtes, size_t n, size_t auth_reserve)
{
	struct wcursor w;
	size_t room;

	/* Size it first, without overflow, so a huge n or reserve cannot spin. */
	if (buf == NULL || cap < RIP_HDR_LEN)
		return 0;
	room = cap - RIP_HDR_LEN;
	if (auth_reserve > room)
		return 0;
	room -= auth_reserve;
	if (n > room / RIP_RTE_LEN)
		return 0;
	if (n > 0 && rtes == NULL)
		return 0;

	wcur_init(&w, buf, cap);
	wcur_u8(&w, command);
	wcur_u8(&w, RIP_VERSION);
	wcur_u16(&w, 0);
	for (size_t i = 0; i < auth_reserve; i++)
		wcur_u8(&w, 0);
	for (size_t i = 0; i < n; i++)
		rte_write(&w, &rtes[i]);
	return w.err ? 0 : w.pos;
}
