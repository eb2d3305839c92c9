/*
 * bfd.h - riposted's BFD sessions on the wire: RFC 5881 single-hop IPv4,
 * asynchronous mode (RFC 5880), one session per (neighbour, interface).
 *
 * The protocol lives in session.c (pure); this module owns the sockets and
 * the timers:
 *  - one receive socket bound to UDP 3784 with IP_PKTINFO and IP_RECVTTL;
 *    packets whose TTL is not 255 are dropped and counted (RFC 5881 5,
 *    GTSM), as are packets that fail bfd_pkt_decode() (counted per reason)
 *    and packets for no session (RFC 5880 6.8.6: your discriminator unknown,
 *    or zero with a source we have no session for);
 *  - per session a send socket bound to the local address with a source
 *    port from 49152-65535 (RFC 5881 4), IP_TTL 255, SO_BINDTODEVICE on the
 *    interface so a packet to a neighbour leaves where the neighbour is;
 *  - a demultiplexer: your_discr when non-zero, else (source, ifindex)
 *    (RFC 5880 6.3);
 *  - local discriminators unique and non-zero, random start;
 *  - one ev_timer per session armed at bfd_session_next_deadline();
 *  - authentication (RFC 5880 6.7) per session, with the keys of a key
 *    chain: the manager keeps its own copy of the key chains
 *    (bfd_mgr_keychains()), a session names its chain; a packet that does
 *    not authenticate is dropped and counted per reason, and changes
 *    nothing; when no key may sign, nothing is sent (tx_no_key).
 *
 * State changes are reported through the callback, once per transition,
 * with the session's local diagnostic (why we went down) or, for a Down
 * caused by the peer, BFD_DIAG_NEIGHBOR_DOWN / the remote's diag.  The
 * caller decides what a Down means for routing (riposted: every route
 * learned from that neighbour is invalid at once, except when the peer
 * signalled AdminDown, RFC 5882 3.2).
 */
#ifndef RIPOSTE_BFD_BFD_H
#define RIPOSTE_BFD_BFD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "bfd/auth.h"
#include "bfd/packet.h"
#include "bfd/session.h"
#include "lib/clock.h"
#include "lib/keychain.h"

struct ev_loop;
struct bfd_mgr;

struct bfd_event {
	uint32_t	 peer;		/* host order */
	uint32_t	 local;		/* host order */
	unsigned	 ifindex;
	enum bfd_state	 from;
	enum bfd_state	 to;
	enum bfd_diag	 diag;		/* local diag after the change */
	enum bfd_state	 remote_state;	/* what the peer last said */
	enum bfd_diag	 remote_diag;
};

/*
 * Called after the packet that announces the change went out.  The callback
 * may call bfd_mgr_add/remove (also for the session it is told about), not
 * bfd_mgr_close.  bfd_mgr_remove/remove_iface/close report nothing: the
 * caller knows.
 */
typedef void (*bfd_event_fn)(void *arg, const struct bfd_event *ev);

/* Opens the receive socket on port (BFD_PORT; tests may pass another). NULL + errno on failure. */
struct bfd_mgr	*bfd_mgr_open(struct ev_loop *loop, uint16_t port, bfd_event_fn cb, void *arg);
/*
 * Sends AdminDown on every session (RFC 5880 6.8.16: the peer learns we
 * stop on purpose rather than detecting a failure), then closes everything.
 */
void		 bfd_mgr_close(struct bfd_mgr *);

/*
 * The key chains sessions may name (a deep copy; the sessions follow the
 * new copy by name).  Call it before bfd_mgr_add() names a chain, and again
 * after every reload.  0, or -1 (ENOMEM; the old copy stays).
 */
int		 bfd_mgr_keychains(struct bfd_mgr *, const struct keychain_set *set);
/*
 * Start a session with peer from local on ifindex, or change the timers
 * of the existing one (a poll sequence, RFC 5880 6.8.3) and its
 * authentication.  interval_us is both our desired min tx and required min
 * rx; auth NULL: none (a chain the manager does not have: nothing is sent
 * and nothing accepted).  Returns 0, -1 on error (errno; e.g. local
 * address not ours: EADDRNOTAVAIL).
 */
int		 bfd_mgr_add(struct bfd_mgr *, uint32_t peer, uint32_t local, unsigned ifindex,
		    uint32_t interval_us, uint8_t mult, const struct bfd_auth_conf *auth);
/* Stop a session: AdminDown is sent to the peer, then it is forgotten. */
void		 bfd_mgr_remove(struct bfd_mgr *, uint32_t peer, unsigned ifindex);
/* Remove every session on ifindex (interface gone or BFD turned off there). */
void		 bfd_mgr_remove_iface(struct bfd_mgr *, unsigned ifindex);
/* Is there a session with this peer, and what is its state? false if none. */
bool		 bfd_mgr_state(const struct bfd_mgr *, uint32_t peer, unsigned ifindex,
		    enum bfd_state *state);

struct bfd_mgr_stats {
	uint64_t	 rx_packets;
	uint64_t	 tx_packets;
	uint64_t	 tx_errors;
	uint64_t	 tx_no_key;		/* authentication on, no key may sign */
	uint64_t	 drop_ttl;		/* TTL not 255 (RFC 5881 5) */
	uint64_t	 drop_no_session;
	uint64_t	 drop_decode[BFD_ERR_COUNT];	/* index -err; authentication too */
	uint64_t	 sessions;
	uint64_t	 sessions_up;
};
void		 bfd_mgr_stats(const struct bfd_mgr *, struct bfd_mgr_stats *);

/* `ripostectl show bfd [--json]`: one line / object per session. */
void		 bfd_mgr_show(const struct bfd_mgr *, FILE *out, bool json, rtime_t now);
struct prom_w;
/* The sessions' families for the metrics page; NULL (BFD off): no sessions. */
void		 bfd_mgr_metrics(const struct bfd_mgr *, struct prom_w *w);

/* bfd_state_name() and bfd_diag_name() are in packet.h. */
/* A diagnostic as one token for logs and tables: "time-expired", "neighbor-down" ... */
const char	*bfd_diag_short(int diag);

#endif
