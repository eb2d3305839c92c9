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

#include "answer.h"
#include "conf.h"
#include "zone.h"

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
};

/*
 * Load every zone of conf into a new generation.  A statement that fails
 * keeps, when `old` has it, the zones it produced in `old` (copied, since
 * a zone belongs to one set); without, it is missing from the result.
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
void dns_gen_free(struct dns_gen *gen);

struct dns_server;

/* Totals over all workers (read after dns_server_stop, or racy while running). */
struct dns_server_stats {
	struct dns_answer_stats answer;
	uint64_t udp_in, udp_out, udp_dropped, udp_send_errors;
	uint64_t tcp_accepted, tcp_refused, tcp_closed_idle, tcp_evicted;
	uint64_t rrl_limited, rrl_slipped; /* UDP answers rate limited (slipped: sent TC=1) */
	uint64_t tcp_evicted_busy;   /* in the middle of a query or with unread answers */
	uint64_t tcp_io_timeouts;    /* a query not whole within tcp-io-timeout */
	uint64_t tcp_refused_per_ip; /* over tcp-clients-per-ip */
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
 */
void dns_server_publish(struct dns_server *srv, struct dns_gen *gen);
/* The generation being served (main thread; valid until the next publish). */
const struct dns_gen *dns_server_gen(const struct dns_server *srv);
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
