/*
 * session.c - the state machine and timers of one BFD session
 * (RFC 5880 6.2, 6.8.1-6.8.7, 6.8.16; RFC 5881 single-hop).
 *
 * The state machine is the table below, the RFC 5880 6.2 diagram row by
 * row; anything not in the table leaves the state alone.  Timers are two
 * deadlines: detection (6.8.4), restarted by every accepted packet, and
 * transmission (6.8.7), jittered to 75-100% so that sessions started
 * together do not stay in lock step.
 *
 * Authentication (6.7): a packet is judged before it touches the session,
 * so a packet that fails changes nothing, not even the detection timer or
 * the peer's sequence number.  Our sequence number starts random (6.8.1)
 * and grows by one with every packet sent, which the meticulous types
 * require and the others allow.
 */
#include "bfd/session.h"

#include "bfd/auth.h"

#include <string.h>

enum bfd_event {
	BFD_EV_RX_ADMINDOWN,
	BFD_EV_RX_DOWN,
	BFD_EV_RX_INIT,
	BFD_EV_RX_UP,
	BFD_EV_TIMEOUT,
	BFD_EV_ADMIN_DOWN,
	BFD_EV_ADMIN_UP,
};

struct bfd_fsm {
	enum bfd_state state;
	enum bfd_event event;
	enum bfd_state next;
	enum bfd_diag diag;
	bool set_diag;
};

/* RFC 5880 6.2 and 6.8.6; 6.8.16 for the administrative events. */
static const struct bfd_fsm bfd_fsm[] = {
	{ BFD_STATE_DOWN, BFD_EV_RX_DOWN, BFD_STATE_INIT, 0, false },
	{ BFD_STATE_DOWN, BFD_EV_RX_INIT, BFD_STATE_UP, BFD_DIAG_NONE, true },
	{ BFD_STATE_INIT, BFD_EV_RX_ADMINDOWN, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN, true },
	{ BFD_STATE_INIT, BFD_EV_RX_INIT, BFD_STATE_UP, BFD_DIAG_NONE, true },
	{ BFD_STATE_INIT, BFD_EV_RX_UP, BFD_STATE_UP, BFD_DIAG_NONE, true },
	{ BFD_STATE_INIT, BFD_EV_TIMEOUT, BFD_STATE_DOWN, BFD_DIAG_TIME_EXPIRED, true },
	{ BFD_STATE_UP, BFD_EV_RX_ADMINDOWN, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN, true },
	{ BFD_STATE_UP, BFD_EV_RX_DOWN, BFD_STATE_DOWN, BFD_DIAG_NEIGHBOR_DOWN, true },
	{ BFD_STATE_UP, BFD_EV_TIMEOUT, BFD_STATE_DOWN, BFD_DIAG_TIME_EXPIRED, true },
	{ BFD_STATE_DOWN, BFD_EV_ADMIN_DOWN, BFD_STATE_ADMINDOWN, BFD_DIAG_ADMIN_DOWN, true },
	{ BFD_STATE_INIT, BFD_EV_ADMIN_DOWN, BFD_STATE_ADMINDOWN, BFD_DIAG_ADMIN_DOWN, true },
	{ BFD_STATE_UP, BFD_EV_ADMIN_DOWN, BFD_STATE_ADMINDOWN, BFD_DIAG_ADMIN_DOWN, true },
	{ BFD_STATE_ADMINDOWN, BFD_EV_ADMIN_UP, BFD_STATE_DOWN, BFD_DIAG_NONE, true },
};

static uint32_t
bfd_xorshift(void *arg)
{
	uint32_t *x = arg;

	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static rtime_t
bfd_max(rtime_t a, rtime_t b)
{
	return a > b ? a : b;
}

/* RFC 5880 6.8.4: remote Detect Mult x the agreed receive interval. */
static void
bfd_update_detect(struct bfd_session *s)
{
	s->detect_time = (rtime_t)s->remote_detect_mult *
	    bfd_max(s->rx_used, s->remote_desired_tx);
}

/*
 * RFC 5880 6.8.7: the interval is the larger of what we want and what the
 * peer can take, less 0-25% (10-25% when Detect Mult is 1, so that one
 * late packet cannot reach the peer's detection time).
 */
static rtime_t
bfd_tx_interval(struct bfd_session *s)
{
	rtime_t ival = bfd_max(s->tx_used, s->remote_min_rx);
	rtime_t lo = s->detect_mult == 1 ? ival / 10 : 0;
	rtime_t span = ival / 4 - lo;

	if (span > 0)
		ival -= (rtime_t)(s->rnd(s->rnd_arg) % (uint64_t)(span + 1));
	ival -= lo;
	/* Never zero: a zero interval would make the caller spin. */
	return ival > 0 ? ival : 1;
}

static void
bfd_schedule_tx(struct bfd_session *s, rtime_t now)
{
	/* 6.8.7: nothing periodic while the peer asks for no packets. */
	if (s->remote_min_rx == 0)
		s->tx_deadline = RTIME_NEVER;
	else
		s->tx_deadline = now + bfd_tx_interval(s);
}

/*
 * Sets the advertised intervals.  6.8.3: any change starts a poll
 * sequence; while it runs a larger tx and a smaller rx are not used yet,
 * because the peer may still be timing us by the old values.
 */
static void
bfd_advertise(struct bfd_session *s, uint32_t tx, uint32_t rx)
{
	if (tx == s->desired_min_tx && rx == s->required_min_rx)
		return;
	if (s->state == BFD_STATE_UP) {
		if (tx < s->tx_used)
			s->tx_used = tx;
		if (rx > s->rx_used)
			s->rx_used = rx;
	} else {
		s->tx_used = tx;
		s->rx_used = rx;
	}
	s->desired_min_tx = tx;
	s->required_min_rx = rx;
	s->poll_active = true;
	bfd_update_detect(s);
}

/* 6.8.3: at most one packet per second until the session is Up. */
static void
bfd_advertise_for_state(struct bfd_session *s)
{
	uint32_t tx = s->cfg_tx;

	if (s->state != BFD_STATE_UP && tx < BFD_SLOW_TX)
		tx = BFD_SLOW_TX;
	bfd_advertise(s, tx, s->cfg_rx);
}

static bool
bfd_fsm_run(struct bfd_session *s, enum bfd_event ev, rtime_t now)
{
	size_t i;

	for (i = 0; i < sizeof(bfd_fsm) / sizeof(bfd_fsm[0]); i++) {
		const struct bfd_fsm *t = &bfd_fsm[i];

		if (t->state != s->state || t->event != ev)
			continue;
		s->state = t->next;
		if (t->set_diag)
			s->local_diag = t->diag;
		s->transitions++;
		if (s->state != BFD_STATE_UP && s->state != BFD_STATE_INIT)
			s->detect_deadline = RTIME_NEVER;
		bfd_advertise_for_state(s);
		/* Tell the peer at once rather than at the next slow tick. */
		s->tx_deadline = now;
		return true;
	}
	return false;
}

void
bfd_session_init(struct bfd_session *s, const struct bfd_cfg *cfg,
    uint32_t local_discr, rtime_t now)
{
	memset(s, 0, sizeof(*s));
	s->state = cfg->admin_down ? BFD_STATE_ADMINDOWN : BFD_STATE_DOWN;
	s->remote_state = BFD_STATE_DOWN;
	s->local_discr = local_discr;
	s->local_diag = cfg->admin_down ? BFD_DIAG_ADMIN_DOWN : BFD_DIAG_NONE;
	s->cfg_tx = cfg->desired_min_tx;
	s->cfg_rx = cfg->required_min_rx;
	s->detect_mult = cfg->detect_mult ? cfg->detect_mult : 3;
	s->remote_min_rx = 1;	/* 6.8.1 */
	s->remote_detect_mult = 1;
	s->desired_min_tx = s->tx_used = s->cfg_tx < BFD_SLOW_TX ? BFD_SLOW_TX : s->cfg_tx;
	s->required_min_rx = s->rx_used = s->cfg_rx;
	s->rnd = cfg->rnd;
	s->rnd_arg = cfg->rnd_arg;
	if (s->rnd == NULL) {
		s->rnd_state = local_discr ? local_discr : 0x9e3779b9u;
		s->rnd = bfd_xorshift;
		s->rnd_arg = &s->rnd_state;
	}
	s->detect_deadline = RTIME_NEVER;
	s->tx_deadline = now;
	bfd_session_set_auth(s, &cfg->auth);
}

void
bfd_session_set_auth(struct bfd_session *s, const struct bfd_auth_cfg *auth)
{
	if (auth->type != s->auth.type) {
		s->auth_seq_known = false;
		/* 6.8.1: bfd.XmitAuthSeq starts at a random value. */
		if (auth->type != BFD_AUTH_NONE)
			s->xmit_auth_seq = s->rnd(s->rnd_arg);
	}
	s->auth = *auth;
}

/*
 * RFC 5880 6.7: the packet's authentication, then (6.7.3, 6.7.4) its
 * sequence number: keyed, within [last, last + 3 x Detect Mult]; meticulous,
 * within [last + 1, last + 3 x Detect Mult], in 32-bit circular space.  The
 * peer's number is forgotten after two detection times without an
 * authenticated packet (6.8.1), so a peer that restarted with a new random
 * number is taken again.  Nothing is changed unless the packet is good.
 */
static int
bfd_session_auth(struct bfd_session *s, const struct bfd_pkt *p, const uint8_t *buf,
    int64_t wall, rtime_t now)
{
	bool known = s->auth_seq_known;
	int r;

	if (buf == NULL && (s->auth.type != BFD_AUTH_NONE || (p->flags & BFD_F_AUTH)))
		return s->auth.type == BFD_AUTH_NONE ? BFD_ERR_AUTH :
		    (p->flags & BFD_F_AUTH) ? BFD_ERR_AUTH_FAILED : BFD_ERR_AUTH_MISSING;
	r = bfd_auth_verify(s->auth.type, s->auth.chain, wall, p, buf);
	if (r != BFD_OK || !bfd_auth_has_seq(s->auth.type))
		return r;
	if (known && now - s->auth_last_rx >= 2 * s->detect_time)
		known = false;
	if (known) {
		uint32_t d = p->auth_seq - s->rcv_auth_seq;
		uint32_t win = 3u * p->detect_mult;

		if (d > win || (d == 0 && bfd_auth_meticulous(s->auth.type)))
			return BFD_ERR_AUTH_SEQ;
	}
	s->rcv_auth_seq = p->auth_seq;
	s->auth_seq_known = true;
	s->auth_last_rx = now;
	return BFD_OK;
}

/* RFC 5880 6.8.6 after the codec's checks (session.h). */
int
bfd_session_receive(struct bfd_session *s, const struct bfd_pkt *p, const uint8_t *buf,
    int64_t wall, rtime_t now)
{
	static const enum bfd_event rx_ev[] = {
		BFD_EV_RX_ADMINDOWN, BFD_EV_RX_DOWN, BFD_EV_RX_INIT, BFD_EV_RX_UP,
	};
	bool changed = false;
	int r;

	if (p->your_discr != 0 && p->your_discr != s->local_discr)
		return BFD_ERR_DISCR_MISMATCH;
	if (p->state > BFD_STATE_UP)
		return BFD_ERR_STATE;
	if ((r = bfd_session_auth(s, p, buf, wall, now)) != BFD_OK)
		return r;

	s->remote_discr = p->my_discr;
	s->remote_state = p->state;
	s->remote_demand = (p->flags & BFD_F_DEMAND) != 0;
	s->remote_min_rx = p->required_min_rx;
	s->remote_desired_tx = p->desired_min_tx;
	s->remote_detect_mult = p->detect_mult;

	/* 6.5: a Final ends our poll; the held-back values take effect. */
	if ((p->flags & BFD_F_FINAL) && s->poll_active) {
		s->poll_active = false;
		s->tx_used = s->desired_min_tx;
		s->rx_used = s->required_min_rx;
	}
	bfd_update_detect(s);
	s->detect_deadline = now + s->detect_time;

	/* A peer that lowered its receive interval may now take more. */
	if (s->tx_deadline != RTIME_NEVER && s->tx_deadline > now &&
	    s->tx_deadline - now > bfd_max(s->tx_used, s->remote_min_rx))
		bfd_schedule_tx(s, now);
	else if (s->tx_deadline == RTIME_NEVER && s->remote_min_rx != 0)
		bfd_schedule_tx(s, now);

	if (s->state == BFD_STATE_ADMINDOWN)
		return 0;
	changed = bfd_fsm_run(s, rx_ev[p->state], now);

	/* 6.8.6: answer a Poll with a Final as soon as practicable. */
	if (p->flags & BFD_F_POLL) {
		s->send_final = true;
		s->tx_deadline = now;
	}
	return changed ? 1 : 0;
}

int
bfd_session_input(struct bfd_session *s, const struct bfd_pkt *p, rtime_t now)
{
	return bfd_session_receive(s, p, NULL, 0, now);
}

int
bfd_session_timer(struct bfd_session *s, rtime_t now)
{
	int r = 0;

	if ((s->state == BFD_STATE_INIT || s->state == BFD_STATE_UP) &&
	    now >= s->detect_deadline) {
		/* 6.8.1: a silent peer's discriminator is forgotten. */
		s->remote_discr = 0;
		s->remote_state = BFD_STATE_DOWN;
		if (bfd_fsm_run(s, BFD_EV_TIMEOUT, now))
			r |= BFD_CHANGED;
	}
	if (now >= s->tx_deadline) {
		r |= BFD_SEND;
		bfd_schedule_tx(s, now);
	}
	return r;
}

rtime_t
bfd_session_next_deadline(const struct bfd_session *s)
{
	rtime_t d = s->tx_deadline;

	if ((s->state == BFD_STATE_INIT || s->state == BFD_STATE_UP) &&
	    s->detect_deadline < d)
		d = s->detect_deadline;
	return d;
}

/* Writes the packet to send now; consumes a pending Final (session.h). */
int
bfd_session_build(struct bfd_session *s, uint8_t *buf, size_t len, int64_t wall)
{
	const struct keychain_key *key = NULL;
	struct bfd_pkt p;
	int n;

	if (s->auth.type != BFD_AUTH_NONE) {
		/* 6.7: never unauthenticated; no key, no packet. */
		if (s->auth.chain == NULL ||
		    (key = keychain_key_send(s->auth.chain, wall)) == NULL ||
		    strlen(key->secret) > bfd_auth_key_max(s->auth.type))
			return BFD_ERR_NO_KEY;
	}

	memset(&p, 0, sizeof(p));
	p.version = BFD_VERSION;
	p.diag = (uint8_t)s->local_diag;
	p.state = (uint8_t)s->state;
	/* 6.5: Poll and Final never together; the Final answers first. */
	if (s->send_final)
		p.flags |= BFD_F_FINAL;
	else if (s->poll_active)
		p.flags |= BFD_F_POLL;
	p.detect_mult = s->detect_mult;
	p.length = BFD_PKT_LEN;
	p.my_discr = s->local_discr;
	p.your_discr = s->remote_discr;
	p.desired_min_tx = s->desired_min_tx;
	p.required_min_rx = s->required_min_rx;
	p.required_min_echo_rx = 0;	/* no echo function */
	n = bfd_pkt_encode(&p, buf, len);
	if (n > 0 && key != NULL) {
		n = bfd_auth_sign(s->auth.type, key, s->xmit_auth_seq, buf, len);
		/* 6.7.3, 6.7.4: meticulous types need a new number every packet. */
		if (n > 0)
			s->xmit_auth_seq++;
	}
	if (n > 0)
		s->send_final = false;
	return n;
}

/* 6.8.16: administrative control.  Returns 1 when the state changed. */
int
bfd_session_admin(struct bfd_session *s, bool down, rtime_t now)
{
	if (down) {
		return bfd_fsm_run(s, BFD_EV_ADMIN_DOWN, now) ? 1 : 0;
	}
	return bfd_fsm_run(s, BFD_EV_ADMIN_UP, now) ? 1 : 0;
}

void
bfd_session_set_timers(struct bfd_session *s, uint32_t desired_min_tx,
    uint32_t required_min_rx, uint8_t detect_mult, rtime_t now)
{
	s->cfg_tx = desired_min_tx;
	s->cfg_rx = required_min_rx;
	if (detect_mult != 0)
		s->detect_mult = detect_mult;
	bfd_advertise_for_state(s);
	if (s->poll_active)
		s->tx_deadline = now;
}
