/*
 * packet.c - BFD control packet codec (RFC 5880 4.1, 6.8.6).
 *
 * Decoding reads every byte through the bounded cursor and then validates
 * in the order of RFC 5880 6.8.6, so each dropped packet has exactly one
 * named reason.  The checks that need a session (discriminator lookup)
 * are left to session.c; the one that only needs the packet itself (Your
 * Discriminator zero outside Down/AdminDown) is done here, and so is the
 * shape of the authentication section (its length against its type and
 * the packet's Length); whether it authenticates needs the session's keys
 * (auth.c, session.c).
 */
#include "bfd/packet.h"

#include "lib/cursor.h"

/*
 * RFC 5880 4.2-4.4: the authentication section starts right after the
 * mandatory section and ends where Length says (Length >= 26 is checked
 * already, and Length <= what arrived).  Its length must be the one of its
 * type: 3 + a 1-16 byte password, 24 for MD5, 28 for SHA1 (6.7.2-6.7.4:
 * anything else is discarded).  An unknown type is left to the session,
 * which refuses any type but its own.
 */
static int
bfd_pkt_decode_auth(const uint8_t *buf, struct bfd_pkt *p)
{
	const uint8_t *a = buf + BFD_PKT_LEN;

	p->auth_type = a[0];
	p->auth_len = a[1];
	if (p->auth_len < 2 || BFD_PKT_LEN + p->auth_len != p->length)
		return BFD_ERR_AUTH_LEN;
	switch (p->auth_type) {
	case BFD_AUTH_SIMPLE:
		if (p->auth_len < 3 + 1 || p->auth_len > 3 + BFD_AUTH_SIMPLE_MAX)
			return BFD_ERR_AUTH_LEN;
		break;
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_MET_KEYED_MD5:
		if (p->auth_len != BFD_AUTH_MD5_LEN)
			return BFD_ERR_AUTH_LEN;
		break;
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_MET_KEYED_SHA1:
		if (p->auth_len != BFD_AUTH_SHA1_LEN)
			return BFD_ERR_AUTH_LEN;
		break;
	default:
		return BFD_OK;
	}
	p->auth_key_id = a[2];
	/* a[3] is Reserved: zero when sent, ignored on receipt (but digested). */
	if (p->auth_type != BFD_AUTH_SIMPLE)
		p->auth_seq = (uint32_t)a[4] << 24 | (uint32_t)a[5] << 16 |
		    (uint32_t)a[6] << 8 | a[7];
	return BFD_OK;
}

int
bfd_pkt_decode(const uint8_t *buf, size_t len, struct bfd_pkt *p)
{
	struct cursor c;
	uint8_t b0, b1;

	memset(p, 0, sizeof(*p));
	cur_init(&c, buf, len);
	b0 = cur_u8(&c);
	b1 = cur_u8(&c);
	p->detect_mult = cur_u8(&c);
	p->length = cur_u8(&c);
	/* Without the Length byte nothing below can be judged. */
	if (c.err)
		return len >= 1 && (b0 >> 5) != BFD_VERSION ?
		    BFD_ERR_VERSION : BFD_ERR_TRUNCATED;
	p->version = b0 >> 5;
	p->diag = b0 & 0x1f;
	p->state = b1 >> 6;
	p->flags = b1 & 0x3f;
	p->my_discr = cur_u32(&c);
	p->your_discr = cur_u32(&c);
	p->desired_min_tx = cur_u32(&c);
	p->required_min_rx = cur_u32(&c);
	p->required_min_echo_rx = cur_u32(&c);

	/* RFC 5880 6.8.6, in order. */
	if (p->version != BFD_VERSION)
		return BFD_ERR_VERSION;
	if (p->length < BFD_PKT_LEN ||
	    ((p->flags & BFD_F_AUTH) && p->length < BFD_PKT_AUTH_MIN))
		return BFD_ERR_LENGTH_SHORT;
	/* Also catches a short datagram: Length >= 24 > what arrived. */
	if (p->length > len)
		return BFD_ERR_LENGTH_LONG;
	if (c.err)
		return BFD_ERR_TRUNCATED;	/* unreachable given the above */
	if (p->detect_mult == 0)
		return BFD_ERR_DETECT_MULT;
	if (p->flags & BFD_F_MULTI)
		return BFD_ERR_MULTIPOINT;
	if (p->my_discr == 0)
		return BFD_ERR_MY_DISCR;
	if (p->your_discr == 0 && p->state != BFD_STATE_DOWN &&
	    p->state != BFD_STATE_ADMINDOWN)
		return BFD_ERR_YOUR_DISCR;
	if (p->flags & BFD_F_AUTH)
		return bfd_pkt_decode_auth(buf, p);
	return BFD_OK;
}

/*
 * Always writes the 24-byte mandatory section with Length 24 and the A
 * bit clear: bfd_auth_sign() (auth.h) sets both when it appends the
 * authentication section.  Returns bytes written or an error.
 */
int
bfd_pkt_encode(const struct bfd_pkt *p, uint8_t *buf, size_t len)
{
	struct wcursor w;

	if (p->state > BFD_STATE_UP)
		return BFD_ERR_STATE;
	wcur_init(&w, buf, len);
	wcur_u8(&w, (uint8_t)((BFD_VERSION << 5) | (p->diag & 0x1f)));
	wcur_u8(&w, (uint8_t)((p->state << 6) | (p->flags & 0x3f & ~BFD_F_AUTH)));
	wcur_u8(&w, p->detect_mult);
	wcur_u8(&w, BFD_PKT_LEN);
	wcur_u32(&w, p->my_discr);
	wcur_u32(&w, p->your_discr);
	wcur_u32(&w, p->desired_min_tx);
	wcur_u32(&w, p->required_min_rx);
	wcur_u32(&w, p->required_min_echo_rx);
	if (w.err)
		return BFD_ERR_BUFFER;
	return (int)w.pos;
}

const char *
bfd_err_str(int err)
{
	switch (err) {
	case BFD_OK: return "ok";
	case BFD_ERR_TRUNCATED: return "truncated";
	case BFD_ERR_VERSION: return "version not 1";
	case BFD_ERR_LENGTH_SHORT: return "length too short";
	case BFD_ERR_LENGTH_LONG: return "length beyond datagram";
	case BFD_ERR_DETECT_MULT: return "detect mult zero";
	case BFD_ERR_MULTIPOINT: return "multipoint bit set";
	case BFD_ERR_MY_DISCR: return "my discriminator zero";
	case BFD_ERR_YOUR_DISCR: return "your discriminator zero outside down";
	case BFD_ERR_AUTH: return "authentication not configured";
	case BFD_ERR_BUFFER: return "buffer too small";
	case BFD_ERR_DISCR_MISMATCH: return "your discriminator unknown";
	case BFD_ERR_STATE: return "bad state";
	case BFD_ERR_AUTH_LEN: return "bad authentication length";
	case BFD_ERR_AUTH_MISSING: return "authentication missing";
	case BFD_ERR_AUTH_TYPE: return "wrong authentication type";
	case BFD_ERR_AUTH_KEY: return "no valid key";
	case BFD_ERR_AUTH_FAILED: return "authentication failed";
	case BFD_ERR_AUTH_SEQ: return "sequence number out of window";
	case BFD_ERR_NO_KEY: return "no key to sign with";
	}
	return "unknown error";
}

const char *
bfd_state_name(int state)
{
	switch (state) {
	case BFD_STATE_ADMINDOWN: return "admindown";
	case BFD_STATE_DOWN: return "down";
	case BFD_STATE_INIT: return "init";
	case BFD_STATE_UP: return "up";
	}
	return "unknown";
}

const char *
bfd_diag_name(int diag)
{
	static const char *const names[] = {
		"none", "control detection time expired", "echo function failed",
		"neighbor signaled session down", "forwarding plane reset",
		"path down", "concatenated path down", "administratively down",
		"reverse concatenated path down",
	};

	if (diag >= 0 && (size_t)diag < sizeof(names) / sizeof(names[0]))
		return names[diag];
	return "unknown";
}
