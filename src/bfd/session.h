/*
 * session.h - one BFD session: RFC 5880 asynchronous mode, RFC 5881
 * single-hop.  A pure core: the caller passes `now` (rtime_t, monotonic
 * microseconds), delivers decoded packets, asks for the next deadline and
 * sends what bfd_session_build() writes.  No sockets, no logging.
 *
 *	bfd_session_init()	  6.8.1 initial state
 *	bfd_session_receive()	  6.8.6 reception (after bfd_pkt_decode()), with
 *				  authentication (6.7) and its sequence numbers
 *	bfd_session_input()	  the same for a packet without its bytes (tests)
 *	bfd_session_timer()	  6.8.4 detection, 6.8.7 periodic transmission
 *	bfd_session_set_timers()  6.8.3 timer changes with a poll sequence
 */
#ifndef RIPOSTE_BFD_SESSION_H
#define RIPOSTE_BFD_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "bfd/packet.h"
#include "lib/clock.h"
#include "lib/keychain.h"

/* Returns a uniformly random 32-bit value; injectable for tests. */
typedef uint32_t (*bfd_rand_fn)(void *arg);

/* RFC 5880 6.7: how a session authenticates (bfd.AuthType and its keys). */
struct bfd_auth_cfg {
	enum bfd_auth_type type;	/* BFD_AUTH_NONE: none */
	const struct keychain *chain;	/* the caller's, must outlive its use; NULL: no keys */
};

struct bfd_cfg {
	uint32_t desired_min_tx;	/* microseconds */
	uint32_t required_min_rx;	/* microseconds */
	uint8_t detect_mult;
	bool admin_down;		/* start in AdminDown */
	struct bfd_auth_cfg auth;
	bfd_rand_fn rnd;		/* NULL: internal xorshift */
	void *rnd_arg;
};

/* Defaults a session gets when the config says only `ip rip bfd` (bfd/conf.c). */
#define BFD_DEFAULT_INTERVAL_MS	300
#define BFD_DEFAULT_MULT	3
#define BFD_MIN_INTERVAL_MS	10
#define BFD_MAX_INTERVAL_MS	60000

/* RFC 5880 6.8.3: slower than 1 s is required while the session is not Up. */
#define BFD_SLOW_TX (1 * RTIME_SEC)

struct bfd_session {
	/* RFC 5880 6.8.1 state variables */
	enum bfd_state state;
	enum bfd_state remote_state;
	uint32_t local_discr;
	uint32_t remote_discr;
	enum bfd_diag local_diag;
	uint32_t desired_min_tx;	/* advertised */
	uint32_t required_min_rx;	/* advertised */
	uint32_t remote_min_rx;
	uint32_t remote_desired_tx;
	uint8_t detect_mult;
	uint8_t remote_detect_mult;
	bool remote_demand;

	/* configuration */
	uint32_t cfg_tx;
	uint32_t cfg_rx;

	/*
	 * Values in effect while a poll sequence runs (6.8.3): a slower tx
	 * and a faster rx take effect only once the peer acknowledged.
	 */
	uint32_t tx_used;
	uint32_t rx_used;
	bool poll_active;
	bool send_final;

	rtime_t detect_time;
	rtime_t detect_deadline;
	rtime_t tx_deadline;

	/* RFC 5880 6.8.1 authentication variables (bfd.AuthType ...) */
	struct bfd_auth_cfg auth;
	uint32_t rcv_auth_seq;
	uint32_t xmit_auth_seq;
	bool auth_seq_known;
	rtime_t auth_last_rx;		/* last authenticated packet */

	bfd_rand_fn rnd;
	void *rnd_arg;
	uint32_t rnd_state;

	uint64_t transitions;
};

/* bfd_session_timer() result bits */
#define BFD_CHANGED 0x1		/* state changed */
#define BFD_SEND 0x2		/* call bfd_session_build() and send */

void bfd_session_init(struct bfd_session *s, const struct bfd_cfg *cfg,
    uint32_t local_discr, rtime_t now);
/*
 * RFC 5880 6.8.6: p decoded from buf (which holds p->length bytes); wall
 * is the wall-clock time key lifetimes are judged by.  1 when the state
 * changed, 0 when not, or a negative enum bfd_err when the packet is
 * dropped (then nothing in the session changed).
 */
int bfd_session_receive(struct bfd_session *s, const struct bfd_pkt *p, const uint8_t *buf,
    int64_t wall, rtime_t now);
/* The same without the packet's bytes: refused when authentication is on. */
int bfd_session_input(struct bfd_session *s, const struct bfd_pkt *p, rtime_t now);
int bfd_session_timer(struct bfd_session *s, rtime_t now);
rtime_t bfd_session_next_deadline(const struct bfd_session *s);
/*
 * The packet to send now, signed with the key of the chain that may send
 * at `wall`: its length, or BFD_ERR_NO_KEY (nothing may be sent: no key
 * is valid) or BFD_ERR_BUFFER.  buf: BFD_PKT_MAX bytes hold any packet.
 */
int bfd_session_build(struct bfd_session *s, uint8_t *buf, size_t len, int64_t wall);
/*
 * A new authentication setting (or the same after a reload: a new chain
 * pointer).  A new type forgets the peer's sequence number.
 */
void bfd_session_set_auth(struct bfd_session *s, const struct bfd_auth_cfg *auth);
int bfd_session_admin(struct bfd_session *s, bool down, rtime_t now);
void bfd_session_set_timers(struct bfd_session *s, uint32_t desired_min_tx,
    uint32_t required_min_rx, uint8_t detect_mult, rtime_t now);

#endif
