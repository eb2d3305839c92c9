/*
 * server.h - riposte-dns's serving machinery: the zone generations that
 * reload swaps, and the workers that answer UDP and TCP from them.
 *
 * A generation is everything the answer path reads: the zone set and the
 * answer settings (identity, version, EDNS size).  It is immutable once
 * published.  The main thread builds a new one on SIGHUP and publishes it
 * with one atomic pointer store; each worker reads the pointer when it
 * starts a batch.  The old generation is freed once every worker has
 * passed a quiescent point (QSBR), so no query ever sees half a zone and
 * the answer path takes no lock.
 */
#ifndef RIPOSTE_DNS_SERVER_H
#define RIPOSTE_DNS_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <sys/socket.h>

#include "answer.h"
#include "conf.h"
#include "zone.h"

struct dns_sec_table;
struct dns_notify_event;
struct ev_loop;

/* What happened to one `zone` statement when a generation was built. */
struct dns_gen_source {
	char *name;         /* the statement's zone, presentation format */
	enum dnsconf_zone_kind kind;
	char *path;
	bool ok;            /* loaded now */
	bool kept;          /* failed, and its previous version is served */
	char err[512];      /* why it failed: "path:line: message" */
	size_t n_zones;     /* zones it produced (hosts: forward and reverse) */
	uint8_t (*apex)[DNS_NAME_MAX]; /* their apexes, lowercase wire */
	size_t records;
	double ms;          /* load time */
	time_t loaded;      /* when what is served was loaded (0: never) */
};

struct dns_gen {
	struct dns_zoneset *zones;
	struct dns_answer_conf aconf; /* points into identity/version below */
	char identity[DNSCONF_TEXT_MAX + 1];
	char version[DNSCONF_TEXT_MAX + 1];
	/* Main thread only: what each statement gave, for logs and the next reload. */
	struct dns_gen_source *src;
	size_t n_src;
	unsigned failed;    /* statements that failed to load */
	size_t records;
	/* The secondary zones and their primaries, for NOTIFY (secondary.h). */
	struct dns_sec_table *secondaries;
	/* Who may transfer which zone, whom to NOTIFY (xfrout.h); read by workers too. */
	struct dns_xfr_policy *xfr;
	/*
	 * Main thread only: transfers out that read this generation
	 * (dns_gen_hold).  A publish frees the generation it replaces once
	 * no worker reads it and, after that, once the last hold is released.
	 */
	unsigned holds;
	bool retired;
};

/*
 * Load every zone of conf into a new generation.  A statement that fails
 * keeps, when `old` has it, the zones it produced in `old` (shared: zones
 * are immutable and reference counted, zone.h); without, it is missing
 * from the result.
 * Logs nothing: the caller reports from gen->src.  NULL: out of memory.
 */
struct dns_gen *dns_gen_load(const struct dnsconf *conf, const struct dns_gen *old);
/*
 * The same for one statement: the zone statement named `name` (as in
 * dns_gen_source.name) is loaded again and every other statement's zones
 * are copied from `old` with what old said of them.  NULL: out of memory,
 * or (errno ENOENT) no such statement in conf.
 */
struct dns_gen *dns_gen_load_one(const struct dnsconf *conf, const struct dns_gen *old,
    const char *name);
/*
 * A transfer's result: a generation like `old` (the same settings, every
 * other zone shared, every other statement's record copied) where the
 * zone of the statement `name` is `zone`, which the new generation takes
 * over (the caller's reference), and that statement's record says it was
 * loaded at `loaded`, with `err` ("" or NULL: none).  An unavailable zone
 * (dns_zone_new_unavailable) marks the statement's zone unserved.  NULL:
 * out of memory, or (errno ENOENT) no such statement; `zone` is the
 * caller's again then.
 */
struct dns_gen *dns_gen_replace(const struct dns_gen *old, const char *name,
    struct dns_zone *zone, time_t loaded, const char *err);
void dns_gen_free(struct dns_gen *gen);
/* Main thread: keep a generation alive across publishes (a transfer out reads it). */
void dns_gen_hold(struct dns_gen *gen);
void dns_gen_release(struct dns_gen *gen);

struct dns_server;
struct ev_loop;
struct dns_xfr_policy;

/* Totals over all workers (read after dns_server_stop, or racy while running). */
struct dns_server_stats {
	struct dns_answer_stats answer;
	uint64_t udp_in, udp_out, udp_dropped, udp_send_errors;
	uint64_t tcp_accepted, tcp_refused, tcp_closed_idle, tcp_evicted;
	uint64_t rrl_limited, rrl_slipped; /* UDP answers rate limited (slipped: sent TC=1) */
	uint64_t tcp_evicted_busy;   /* in the middle of a query or with unread answers */
	uint64_t tcp_io_timeouts;    /* a query not whole within tcp-io-timeout */
	uint64_t tcp_refused_per_ip; /* over tcp-clients-per-ip */
	uint64_t notify_in;          /* NOTIFY messages answered (RFC 1996) */
	uint64_t notify_refused;     /* ... not NOERROR */
	uint64_t notify_dropped;     /* accepted, but the main thread's queue was full */
	uint64_t xfr_handed;         /* TCP transfer queries handed to the main thread */
	uint64_t xfr_udp;            /* transfer queries over UDP (dns_xfr_udp) */
};

/*
 * Resolve the worker count (0: one per CPU this process may run on) and
 * bind every socket: per worker and per listen address one UDP and one TCP
 * socket with SO_REUSEPORT.  Needs the privileges for the ports; logs and
 * returns NULL on an error.
 */
struct dns_server *dns_server_new(const struct dnsconf *conf);
unsigned dns_server_workers(const struct dns_server *srv);
/* Hand over the first generation and start the worker threads.  0 or -1. */
int dns_server_start(struct dns_server *srv, struct dns_gen *gen);
/*
 * Main thread: publish gen and free the previous one once no worker can
 * still read it.  Blocks until then (one event loop turn of each worker).
 * A previous generation held by a transfer out (dns_gen_hold) is freed by
 * its last dns_gen_release instead.
 */
void dns_server_publish(struct dns_server *srv, struct dns_gen *gen);
/*
 * Main thread, for the watchdog (WatchdogSec=), called at a steady
 * interval: false when a worker has been inside one loop turn since the
 * previous call (its index in *stuck when not NULL); blocked waiting for
 * packets counts as alive.
 */
bool dns_server_workers_alive(struct dns_server *srv, unsigned *stuck);
/*
 * Main thread: the query log from now on: fd (O_APPEND; -1: none; the
 * server owns it) or syslog, one line per `sample` answers of a worker (0:
 * off).  The previous descriptor is closed once no worker can be writing
 * to it (blocks up to a loop turn of each worker, as publish).
 */
void dns_server_query_log(struct dns_server *srv, int fd, bool to_syslog, unsigned sample);
/* The generation being served (main thread; valid until the next publish). */
const struct dns_gen *dns_server_gen(const struct dns_server *srv);
/*
 * NOTIFY receipt (RFC 1996): workers answer a NOTIFY themselves
 * (dns_notify_answer() with the generation's table) and hand what the
 * main thread must hear of to `cb`, which runs in `loop` (the main
 * thread's): a bounded queue under a mutex, woken by an ev_async.  Call
 * before dns_server_start(); without it NOTIFY is answered NOTIMP.
 */
void dns_server_on_notify(struct dns_server *srv, struct ev_loop *loop,
    void (*cb)(void *ctx, const struct dns_notify_event *ev), void *ctx);
/* The same, held (dns_gen_release() when done). */
struct dns_gen *dns_server_gen_hold(struct dns_server *srv);

/*
 * Transfers out run in the main thread (xfrd.h): a worker that reads a
 * TCP query of type AXFR or IXFR hands the connection over and forgets it
 * (it neither closes nor counts it any more).  The hand-off carries what
 * the worker had: the query, the peer, and the answers to earlier queries
 * on the connection that the socket had not taken yet, which must go out
 * first.  The receiver owns the descriptor and frees the struct.
 */
struct dns_xfr_handoff {
	struct dns_xfr_handoff *next;
	int fd;
	struct sockaddr_storage peer;
	socklen_t peer_len;
	const uint8_t *msg;     /* the query, in this allocation */
	size_t len;
	const uint8_t *pending; /* unsent answers, length-prefixed, in this allocation */
	size_t pending_len;
};
typedef void (*dns_server_xfr_fn)(void *ctx, struct dns_xfr_handoff *h);
/* Before dns_server_start: hand transfer queries to fn, called in `loop` (the main thread's). */
int dns_server_set_xfr(struct dns_server *srv, struct ev_loop *loop, dns_server_xfr_fn fn,
    void *ctx);
/* Stop and join the workers, close the sockets. */
void dns_server_stop(struct dns_server *srv);
void dns_server_stats(const struct dns_server *srv, struct dns_server_stats *st);
/* Worker i's queries and the answers it made of them (racy while running). */
void dns_server_worker_stats(const struct dns_server *srv, unsigned i, uint64_t *queries,
    uint64_t *answers);
/*
 * Main thread: the zone names of the per-zone counters (dns_answer_stats.zone):
 * slot k counts the questions answered from zone (*apex)[k], k from 1 to the
 * result - 1; slot 0 those of no zone of ours.
 */
unsigned dns_server_zone_slots(const struct dns_server *srv,
    const uint8_t (**apex)[DNS_NAME_MAX]);
/* TCP connections open now and the slots for them (racy while running). */
void dns_server_tcp_slots(const struct dns_server *srv, unsigned *used, unsigned *max);
void dns_server_free(struct dns_server *srv);

#endif
