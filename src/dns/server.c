/*
 * server.c - riposte-dns's workers: UDP and TCP sockets, batched I/O, the
 * zone generations that SIGHUP swaps, and their safe reclamation.
 *
 * Workers.  N threads, each with its own libev loop and, for every listen
 * address, its own UDP and TCP socket bound with SO_REUSEPORT, so the
 * kernel spreads queries over the workers and no two workers share a
 * socket, a buffer or a counter (each worker's hot data is its own,
 * cache-line aligned allocation).
 *
 * UDP (RFC 1035 4.2.1).  A readable socket is drained with recvmmsg() in
 * batches of DNS_UDP_BATCH, each query answered by dns_answer() into a
 * per-worker arena, and the batch sent with one sendmmsg().  Nothing on
 * this path allocates, locks or reads the clock.  Wildcard sockets (0.0.0.0
 * and ::, the latter IPV6_V6ONLY) ask for IP_PKTINFO / IPV6_RECVPKTINFO
 * (RFC 3542 6.1) and every answer carries the address its query came to as
 * its source (ipi_spec_dst / ipi6_addr).  That is what lets an address
 * added to the host after start, after privileges were dropped, be served
 * at once: no socket per address, no rescan, no restart.
 *
 * TCP (RFC 7766).  Per worker a SO_REUSEPORT listening socket per address,
 * non-blocking connections from a pool of tcp-clients / workers, 2-byte
 * length framing (RFC 1035 4.2.2), pipelined queries answered in the order
 * they came (RFC 7766 6.2.1.1), answers of one read written together, an
 * idle timeout (RFC 7766 6.2.3: closed when no byte moved either way for
 * tcp-idle-timeout).  RFC 7766 6.2.2 asks servers to protect their slots
 * from clients that hold them; ours are protected four ways:
 * - a message deadline (tcp-io-timeout): a query must arrive whole within
 *   it once its first byte came, so a client that trickles one byte every
 *   few seconds loses its slot after tcp-io-timeout, not tcp-idle-timeout;
 * - at the connection limit the least recently active idle connection
 *   makes room, and when none is idle the least recently active busy one
 *   (in the middle of a message, or with answers it does not read) if it
 *   is older than DNS_TCP_GRACE: slow clients never keep a new one out;
 * - tcp-clients-per-ip: connections per IPv4 address or IPv6 /64, counted
 *   for the whole server in a table of counters indexed by a keyed hash;
 * - a client that does not read its answers is not read from either once
 *   its unsent answers reach DNS_TCP_BACKLOG_MAX (what it costs us is
 *   bounded), and is closed by the idle timeout if it never reads again.
 *
 * Generations and reload.  The main thread publishes a new struct dns_gen
 * with an atomic exchange; a worker loads the pointer (acquire) at the
 * start of each batch and drops it before its loop blocks again.  The old
 * generation is freed after every worker has been seen offline (blocked in
 * its loop) or online in a later epoch: quiescent-state-based reclamation.
 * The epoch is stored once per loop turn, in ev_check and ev_prepare
 * callbacks, not per packet.  A transfer out runs in the main thread for
 * as long as the client reads, so it holds its generation with a plain
 * count (main thread only): the publish that replaces a held generation
 * leaves its freeing to the last release.
 *
 * Transfers (xfrout.h, xfrd.h).  A TCP query of type AXFR or IXFR is
 * handed, with its connection and the answers still owed on it, to the
 * main thread through a mutex-protected list and an ev_async; the worker
 * then forgets the connection (its slot and its per-source count are
 * free again, the descriptor is not closed).  Over UDP, transfer queries
 * are answered here from the generation's policy (dns_xfr_udp), and
 * TSIG-signed queries, which dns_answer() refuses, are answered signed
 * when the key is ours (dns_xfr_answer_tsig).
 *
 * Response rate limiting (rrl.h).  Each UDP answer is classified and
 * accounted in the worker's own bucket table, at the loop's cached time
 * (ev_now: no clock read per packet); a limited answer is dropped or sent
 * as TC=1 (slipped).  A resolver spreads its queries over random source
 * ports (RFC 5452 9.2) and so over every worker, so each worker allows
 * rrl-rate / workers (rounded up): together, rrl-rate.  TCP is not limited.
 */
#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../lib/log.h"
#include "../lib/siphash.h"
#include "load.h"
#include "qlog.h"
#include "rrl.h"
#include "secondary.h"
#include "wire.h"
#include "xfrout.h"

#define DNS_UDP_BATCH 64
/* Batches per wakeup before the loop turns (TCP, other sockets, epochs). */
#define DNS_UDP_ROUNDS 8
/* Longer datagrams arrive with MSG_TRUNC and are dropped. */
#define DNS_UDP_IN_MAX 4096
/* dns_answer() needs this much room for a UDP answer (answer.h). */
#define DNS_UDP_OUT_MAX 4096
/* Enough for either control message, and aligned for struct cmsghdr. */
#define DNS_CTL_SPACE 64
#define DNS_TCP_MSG_MAX 65535
/* Answers to the queries of one read go out in one send() when they fit. */
#define DNS_TCP_STAGE (4 * (2 + DNS_TCP_MSG_MAX))
/* Most queries are tens of bytes; a longer one gets a buffer of its own. */
#define DNS_TCP_IN_SMALL 2048
/*
 * Unsent answers per connection (with the answers staged but not yet
 * handed to the socket) before we stop reading its queries: a client that
 * pipelines and never reads costs at most this plus one answer, on top of
 * the kernel's socket buffers.
 */
#define DNS_TCP_BACKLOG_MAX (64 * 1024)
/* The unsent-answer buffer grows in steps of this, and shrinks once drained. */
#define DNS_TCP_OUT_STEP (16 * 1024)
#define DNS_TCP_ACCEPT_BATCH 64
/*
 * A busy connection younger than this is not evicted: clients that
 * reconnect the moment they are evicted would otherwise evict each other
 * in a ring, and with them a new client before its query is read.
 */
#define DNS_TCP_GRACE 0.1
#define DNS_TCP_LISTEN_BACKLOG 1024
#define DNS_TCP_FASTOPEN_QLEN 256
/* Kernel receive buffer per UDP socket: room for bursts (capped by rmem_max). */
#define DNS_UDP_RCVBUF (4 * 1024 * 1024)

#define DNS_CACHELINE 64
/* RRL buckets per worker (32 bytes each): NSD has a million for the server. */
#define DNS_RRL_TABLE 32768

union dns_sa {
	struct sockaddr sa;
	struct sockaddr_in v4;
	struct sockaddr_in6 v6;
};

struct dns_worker;

/* One socket of one worker. */
struct dns_sock {
	struct dns_worker *wk;
	ev_io io;
	int fd;
	bool udp;
	bool pktinfo;
};

struct dns_tcp_conn {
	struct dns_tcp_conn *prev, *next; /* activity order, oldest first; free list */
	struct dns_worker *wk;
	ev_io io;
	ev_timer idle;
	ev_timer deadline;   /* tcp-io-timeout: the message being received must end */
	int fd;
	uint32_t ip_slot;    /* its counter in dns_server.ip_count (with tcp_per_ip) */
	bool eof;            /* the client closed its side: answer what came, then close */
	bool answered;       /* a query came whole: with nothing pending, it is idle */
	union dns_sa peer;   /* the client, for the query log */
	ev_tstamp accepted;
	uint8_t *in;         /* in_small, or a buffer for one long query */
	size_t in_len, in_cap;
	uint8_t *out;        /* answers the socket did not take yet */
	size_t out_off, out_len, out_cap;
	uint8_t in_small[DNS_TCP_IN_SMALL];
};

struct dns_worker {
	/* Written by this worker once per loop turn, read by the reclaimer. */
	alignas(DNS_CACHELINE) _Atomic uint64_t epoch;
	/* Loop turns ended (dns_prepare_cb), read by the watchdog check. */
	_Atomic uint64_t turns;
	uint64_t turns_seen;  /* main thread: turns at the last dns_server_workers_alive() */

	alignas(DNS_CACHELINE) struct dns_server *srv;
	unsigned id;
	bool running;
	pthread_t thread;
	struct ev_loop *loop;
	ev_async stop;
	ev_prepare prepare;
	ev_check check;
	ev_timer accept_pause;
	struct dns_sock *socks;
	size_t n_socks;

	/* UDP batch: slot i of rmsg reads into rbuf + i * DNS_UDP_IN_MAX. */
	struct mmsghdr rmsg[DNS_UDP_BATCH];
	struct mmsghdr smsg[DNS_UDP_BATCH];
	struct iovec riov[DNS_UDP_BATCH];
	struct iovec siov[DNS_UDP_BATCH];
	union dns_sa peer[DNS_UDP_BATCH];
	alignas(8) uint8_t rctl[DNS_UDP_BATCH][DNS_CTL_SPACE];
	alignas(8) uint8_t sctl[DNS_UDP_BATCH][DNS_CTL_SPACE];
	uint8_t *rbuf;
	uint8_t *sbuf; /* answers packed one after the other */

	/* TCP */
	struct dns_tcp_conn *pool;
	struct dns_tcp_conn *free_conns;
	struct dns_tcp_conn *lru_head, *lru_tail;
	unsigned n_conns, max_conns;
	uint8_t *stage;
	size_t stage_len;

	struct dns_answer_stats stats;
	uint64_t udp_in, udp_out, udp_dropped, udp_send_errors;
	uint64_t tcp_accepted, tcp_refused, tcp_closed_idle, tcp_evicted;
	uint64_t tcp_evicted_busy, tcp_io_timeouts, tcp_refused_per_ip;
	uint64_t notify_in, notify_refused, notify_dropped;
	uint64_t xfr_handed, xfr_udp;
	struct log_ratelimit rl_udp, rl_tcp;

	/* Response rate limiting of UDP answers; NULL: off. */
	struct dns_rrl *rrl;
	uint64_t rrl_limited, rrl_slipped;
	int64_t rrl_log_us;
	struct log_ratelimit rl_rrl;

	unsigned qlog_count;  /* answers since the last one logged */
	struct log_ratelimit rl_qlog;
};

struct dns_server {
	/* Read by every worker, written only by reloads: a line of its own. */
	alignas(DNS_CACHELINE) _Atomic(struct dns_gen *) gen;
	_Atomic uint64_t seq;

	alignas(DNS_CACHELINE) struct dns_worker **workers;
	unsigned n_workers;
	struct dnsconf_listen *listen;
	size_t n_listen;
	double tcp_idle;
	double tcp_io;
	unsigned tcp_clients;
	/* tcp-clients-per-ip: open connections per source, by keyed hash. */
	unsigned tcp_per_ip;
	_Atomic uint32_t *ip_count;
	uint32_t ip_mask;
	struct siphash_key ip_key;
	bool started;
	/* NOTIFY events for the main thread (dns_server_on_notify). */
	struct dns_notify_q *nq;
	/* Transfer queries for the main thread (dns_server_set_xfr). */
	dns_server_xfr_fn xfr_fn;
	void *xfr_ctx;
	struct ev_loop *xfr_loop;
	ev_async xfr_async;
	pthread_mutex_t xfr_lock;
	struct dns_xfr_handoff *xfr_head, **xfr_tail;
	/*
	 * The query log: its descriptor (-1: none; O_APPEND, each line one
	 * write(2), so the workers share it without a lock), syslog instead,
	 * and every how many answers of a worker one is logged (0: off).
	 * Swapped by dns_server_query_log(); the old descriptor is closed
	 * once no worker can still be writing to it (QSBR, as generations).
	 */
	_Atomic int qlog_fd;
	_Atomic bool qlog_syslog;
	_Atomic unsigned qlog_sample;
	/*
	 * Main thread only: the apex of each per-zone counter slot (answer.h
	 * DNS_ZONE_STATS), given out in the order zones first appear and kept
	 * when a zone goes, so a slot's count always belongs to one name.
	 * Slot 0 is "no zone of ours".
	 */
	uint8_t (*zone_slot)[DNS_NAME_MAX];
	unsigned n_zone_slots;
};

/* ------------------------------------------------------------ generations */

static double
dns_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
dns_ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;

	return x < y ? -1 : x > y;
}

static int
dns_src_add_apex(struct dns_gen_source *src, const uint8_t *apex)
{
	uint8_t (*a)[DNS_NAME_MAX] = realloc(src->apex, (src->n_zones + 1) * sizeof(*a));

	if (a == NULL)
		return -1;
	memset(a[src->n_zones], 0, DNS_NAME_MAX);
	dns_name_lower(a[src->n_zones], apex);
	src->apex = a;
	src->n_zones++;
	return 0;
}

/* Load a hosts input into set and note which zones it added. */
static int
dns_gen_load_hosts(struct dns_gen *gen, const struct dnsconf_zone *z, struct dns_gen_source *src)
{
	size_t before = dns_zoneset_count(gen->zones), after;
	const struct dns_zone **old = NULL;

	if (before > 0 && (old = malloc(before * sizeof(*old))) == NULL) {
		snprintf(src->err, sizeof(src->err), "out of memory");
		return -1;
	}
	for (size_t i = 0; i < before; i++)
		old[i] = dns_zoneset_get(gen->zones, i);
	if (before > 0)
		qsort(old, before, sizeof(*old), dns_ptr_cmp);
	if (dns_load_hosts(z->path, z->name, gen->zones, src->err, sizeof(src->err)) != 0) {
		free(old);
		return -1;
	}
	after = dns_zoneset_count(gen->zones);
	for (size_t i = 0; i < after; i++) {
		const struct dns_zone *zz = dns_zoneset_get(gen->zones, i);
		if (before > 0 && bsearch(&zz, old, before, sizeof(*old), dns_ptr_cmp) != NULL)
			continue;
		if (dns_src_add_apex(src, dns_zone_apex(zz)) != 0) {
			free(old);
			snprintf(src->err, sizeof(src->err), "out of memory");
			return -1;
		}
	}
	free(old);
	return 0;
}

/* The failed statement's zones from the previous generation, copied into gen. */
static void
dns_gen_keep(struct dns_gen *gen, const struct dns_gen *old, struct dns_gen_source *src)
{
	const struct dns_gen_source *os = NULL;

	for (size_t j = 0; old != NULL && j < old->n_src; j++)
		if (strcmp(old->src[j].name, src->name) == 0)
			os = &old->src[j];
	if (os == NULL)
		return;
	for (size_t k = 0; k < os->n_zones; k++) {
		const struct dns_zone *oz = dns_zoneset_find(old->zones, os->apex[k]);
		struct dns_zone *nz;
		if (oz == NULL || !dns_name_equal(dns_zone_apex(oz), os->apex[k]))
			continue;
		/* Zones are immutable: both generations hold the same one (zone.h). */
		nz = dns_zone_ref(oz);
		if (dns_zoneset_add(gen->zones, nz) != 0) {
			/* Another statement loaded this apex now: the new data wins. */
			dns_zone_free(nz);
			continue;
		}
		if (dns_src_add_apex(src, os->apex[k]) != 0)
			continue;
		src->records += dns_zone_rr_count(nz);
		src->kept = true;
	}
	if (src->kept)
		src->loaded = os->loaded;
}

static struct dns_gen *dns_gen_build(const struct dnsconf *conf, const struct dns_gen *old,
    const char *only);

struct dns_gen *
dns_gen_load(const struct dnsconf *conf, const struct dns_gen *old)
{
	return dns_gen_build(conf, old, NULL);
}

struct dns_gen *
dns_gen_load_one(const struct dnsconf *conf, const struct dns_gen *old, const char *name)
{
	for (size_t i = 0; i < conf->n_zones; i++)
		if (strcmp(conf->zones[i].name, name) == 0)
			return dns_gen_build(conf, old, name);
	errno = ENOENT;
	return NULL;
}

struct dns_gen *
dns_gen_replace(const struct dns_gen *old, const char *name, struct dns_zone *zone,
    time_t loaded, const char *err)
{
	const uint8_t *apex = dns_zone_apex(zone);
	struct dns_gen *gen;
	size_t which = old->n_src;

	for (size_t i = 0; i < old->n_src; i++)
		if (strcmp(old->src[i].name, name) == 0)
			which = i;
	if (which == old->n_src) {
		errno = ENOENT;
		return NULL;
	}
	if ((gen = calloc(1, sizeof(*gen))) == NULL)
		return NULL;
	if ((gen->zones = dns_zoneset_new()) == NULL ||
	    (gen->src = calloc(old->n_src, sizeof(*gen->src))) == NULL)
		goto fail;
	memcpy(gen->identity, old->identity, sizeof(gen->identity));
	memcpy(gen->version, old->version, sizeof(gen->version));
	gen->aconf = old->aconf;
	gen->aconf.identity = gen->identity;
	gen->aconf.version = old->aconf.version != NULL ? gen->version : NULL;
	gen->failed = old->failed;
	if (old->secondaries != NULL && (gen->secondaries = dns_sec_table_dup(old->secondaries)) == NULL)
		goto fail;
	/* Who may transfer and whom to NOTIFY does not change with a transfer in. */
	if (old->xfr != NULL && (gen->xfr = dns_xfr_policy_dup(old->xfr)) == NULL)
		goto fail;
	/* Every other zone is shared with old (zones are immutable). */
	for (size_t i = 0; i < dns_zoneset_count(old->zones); i++) {
		const struct dns_zone *z = dns_zoneset_get(old->zones, i);
		struct dns_zone *r;
		if (dns_name_equal(dns_zone_apex(z), apex))
			continue;
		r = dns_zone_ref(z);
		if (dns_zoneset_add(gen->zones, r) != 0) {
			dns_zone_free(r);
			goto fail;
		}
	}
	for (size_t i = 0; i < old->n_src; i++) {
		const struct dns_gen_source *os = &old->src[i];
		struct dns_gen_source *src = &gen->src[i];
		*src = *os;
		src->name = src->path = NULL;
		src->apex = NULL;
		gen->n_src++;
		if ((src->name = strdup(os->name)) == NULL || (src->path = strdup(os->path)) == NULL ||
		    (os->n_zones > 0 && (src->apex = malloc(os->n_zones * sizeof(*src->apex))) == NULL))
			goto fail;
		if (os->n_zones > 0)
			memcpy(src->apex, os->apex, os->n_zones * sizeof(*src->apex));
		if (i != which) {
			gen->records += src->records;
			continue;
		}
		src->n_zones = 0;
		if (dns_src_add_apex(src, apex) != 0)
			goto fail;
		src->ok = dns_zone_available(zone);
		src->kept = false;
		src->records = dns_zone_rr_count(zone);
		src->loaded = loaded;
		snprintf(src->err, sizeof(src->err), "%s", err != NULL ? err : "");
		gen->records += src->records;
	}
	if (dns_zoneset_add(gen->zones, zone) != 0)
		goto fail;
	return gen;
fail:
	dns_gen_free(gen);
	return NULL;
}

/* A statement that `only` leaves alone: its zones and its record, from old. */
static void
dns_gen_carry(struct dns_gen *gen, const struct dns_gen *old, struct dns_gen_source *src)
{
	const struct dns_gen_source *os = NULL;

	for (size_t j = 0; old != NULL && j < old->n_src; j++)
		if (strcmp(old->src[j].name, src->name) == 0)
			os = &old->src[j];
	dns_gen_keep(gen, old, src);
	if (os == NULL) {
		snprintf(src->err, sizeof(src->err), "not loaded yet (reload every zone)");
		gen->failed++;
		return;
	}
	src->ok = os->ok;
	src->kept = os->kept;
	src->ms = os->ms;
	memcpy(src->err, os->err, sizeof(src->err));
	/* A secondary without data is waiting for a transfer, not failed. */
	if (!os->ok && os->kind != DNSCONF_ZONE_SECONDARY)
		gen->failed++;
}

/*
 * A secondary zone's statement: the version the previous generation
 * served (a reload keeps it: the secondary engine decides when it
 * changes), else its kept copy, else nothing yet: an unavailable zone,
 * answered SERVFAIL until the first transfer.  None of these is a failure
 * of the statement: a secondary needs no file to start.
 */
static int
dns_gen_secondary(struct dns_gen *gen, const struct dns_gen *old, const struct dnsconf_zone *z,
    struct dns_gen_source *src)
{
	const struct dns_gen_source *os = NULL;
	struct dns_zone *zone = NULL;
	struct stat st;

	for (size_t j = 0; old != NULL && j < old->n_src; j++)
		if (strcmp(old->src[j].name, z->name) == 0 && old->src[j].kind == z->kind)
			os = &old->src[j];
	if (os != NULL && os->n_zones == 1) {
		const struct dns_zone *oz = dns_zoneset_find(old->zones, os->apex[0]);
		if (oz != NULL && dns_name_equal(dns_zone_apex(oz), z->apex)) {
			zone = dns_zone_ref(oz);
			src->ok = os->ok;
			src->loaded = os->loaded;
			memcpy(src->err, os->err, sizeof(src->err));
		}
	}
	if (zone == NULL && stat(z->path, &st) == 0) {
		zone = dns_load_zonefile(z->path, z->name, src->err, sizeof(src->err));
		if (zone != NULL) {
			src->ok = true;
			src->err[0] = '\0';
			src->loaded = st.st_mtime;
		}
	} else if (zone == NULL) {
		snprintf(src->err, sizeof(src->err), "no copy yet (%s: %s): waiting for the first "
		    "transfer", z->path, strerror(errno));
	}
	if (zone == NULL && (zone = dns_zone_new_unavailable(z->apex)) == NULL)
		return -1;
	if (dns_zoneset_add(gen->zones, zone) != 0) {
		snprintf(src->err, sizeof(src->err), "%s: zone %s is already served", z->path,
		    z->name);
		src->ok = false;
		dns_zone_free(zone);
		return -1;
	}
	if (dns_src_add_apex(src, z->apex) != 0)
		return -1;
	src->records = dns_zone_rr_count(zone);
	return 0;
}

static struct dns_gen *
dns_gen_build(const struct dnsconf *conf, const struct dns_gen *old, const char *only)
{
	struct dns_gen *gen = calloc(1, sizeof(*gen));

	if (gen == NULL)
		return NULL;
	if ((gen->zones = dns_zoneset_new()) == NULL ||
	    (conf->n_zones > 0 && (gen->src = calloc(conf->n_zones, sizeof(*gen->src))) == NULL)) {
		dns_gen_free(gen);
		return NULL;
	}
	if ((gen->xfr = dns_xfr_policy_new(conf)) == NULL) {
		dns_gen_free(gen);
		return NULL;
	}
	memcpy(gen->identity, conf->identity, sizeof(gen->identity));
	memcpy(gen->version, conf->version, sizeof(gen->version));
	gen->aconf.identity = gen->identity;
	gen->aconf.version = conf->version_hide ? NULL : gen->version;
	gen->aconf.max_udp = conf->udp_size;
	if ((gen->secondaries = dns_sec_table_new(conf)) == NULL) {
		dns_gen_free(gen);
		return NULL;
	}

	for (size_t i = 0; i < conf->n_zones; i++) {
		const struct dnsconf_zone *z = &conf->zones[i];
		struct dns_gen_source *src = &gen->src[i];
		double t0 = dns_mono_ms();
		int rc = -1;

		gen->n_src++;
		src->kind = z->kind;
		if ((src->name = strdup(z->name)) == NULL || (src->path = strdup(z->path)) == NULL) {
			dns_gen_free(gen);
			return NULL;
		}
		if (only != NULL && strcmp(z->name, only) != 0) {
			dns_gen_carry(gen, old, src);
			gen->records += src->records;
			continue;
		}
		if (z->kind == DNSCONF_ZONE_SECONDARY) {
			if (dns_gen_secondary(gen, old, z, src) != 0)
				gen->failed++;
			src->ms = dns_mono_ms() - t0;
			gen->records += src->records;
			continue;
		}
		if (z->kind == DNSCONF_ZONE_FILE) {
			struct dns_zone *zone = dns_load_zonefile(z->path, z->name, src->err,
			    sizeof(src->err));
			if (zone != NULL && dns_zoneset_add(gen->zones, zone) != 0) {
				snprintf(src->err, sizeof(src->err), "%s: zone %s is already served "
				    "(a hosts input made it)", z->path, z->name);
				dns_zone_free(zone);
			} else if (zone != NULL) {
				rc = dns_src_add_apex(src, dns_zone_apex(zone));
				if (rc != 0)
					snprintf(src->err, sizeof(src->err), "out of memory");
			}
		} else {
			rc = dns_gen_load_hosts(gen, z, src);
		}
		src->ms = dns_mono_ms() - t0;
		if (rc == 0) {
			src->ok = true;
			src->err[0] = '\0';
			src->loaded = time(NULL);
			for (size_t k = 0; k < src->n_zones; k++) {
				const struct dns_zone *zz = dns_zoneset_find(gen->zones, src->apex[k]);
				if (zz != NULL)
					src->records += dns_zone_rr_count(zz);
			}
		} else {
			/* What a failed load left (a builder's warnings) is not ours to serve. */
			free(src->apex);
			src->apex = NULL;
			src->n_zones = 0;
			gen->failed++;
			dns_gen_keep(gen, old, src);
		}
		gen->records += src->records;
	}
	return gen;
}

void
dns_gen_free(struct dns_gen *gen)
{
	if (gen == NULL)
		return;
	dns_zoneset_free(gen->zones);
	dns_sec_table_free(gen->secondaries);
	dns_xfr_policy_free(gen->xfr);
	for (size_t i = 0; i < gen->n_src; i++) {
		free(gen->src[i].name);
		free(gen->src[i].path);
		free(gen->src[i].apex);
	}
	free(gen->src);
	free(gen);
}

void
dns_gen_hold(struct dns_gen *gen)
{
	gen->holds++;
}

void
dns_gen_release(struct dns_gen *gen)
{
	if (gen != NULL && --gen->holds == 0 && gen->retired)
		dns_gen_free(gen);
}

/* ---------------------------------------------------------------- sockets */

static int
dns_setopt(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

static socklen_t
dns_sockaddr(const struct dnsconf_listen *l, union dns_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	if (l->family == AF_INET) {
		sa->v4.sin_family = AF_INET;
		sa->v4.sin_port = htons(l->port);
		sa->v4.sin_addr = l->addr.v4;
		return sizeof(sa->v4);
	}
	sa->v6.sin6_family = AF_INET6;
	sa->v6.sin6_port = htons(l->port);
	sa->v6.sin6_addr = l->addr.v6;
	return sizeof(sa->v6);
}

/* One socket for one worker; -1 with errno set and what failed logged. */
static int
dns_bind(const struct dnsconf_listen *l, bool udp, bool quiet)
{
	char buf[DNSCONF_LISTEN_STRLEN];
	const char *proto = udp ? "UDP" : "TCP";
	const char *what;
	union dns_sa sa;
	socklen_t salen = dns_sockaddr(l, &sa);
	int fd, saved;
	bool v6 = l->family == AF_INET6;

	fd = socket(l->family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		what = "socket";
		goto fail;
	}
	what = "SO_REUSEPORT";
	if (dns_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0 ||
	    dns_setopt(fd, SOL_SOCKET, SO_REUSEPORT, 1) < 0)
		goto fail;
	/* IPv4 has its own socket: no v4-mapped addresses on the IPv6 one. */
	what = "IPV6_V6ONLY";
	if (v6 && dns_setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) < 0)
		goto fail;
	/* A named address may be configured after we start (an anycast address on lo). */
	what = "IP_FREEBIND";
	if (!l->wildcard && dns_setopt(fd, IPPROTO_IP, IP_FREEBIND, 1) < 0)
		goto fail;
	if (udp && l->wildcard) {
		/* RFC 3542 6.1: the destination address of each query, for its answer's source. */
		what = v6 ? "IPV6_RECVPKTINFO" : "IP_PKTINFO";
		if (dns_setopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
		    v6 ? IPV6_RECVPKTINFO : IP_PKTINFO, 1) < 0)
			goto fail;
	}
	if (udp) {
		(void)dns_setopt(fd, SOL_SOCKET, SO_RCVBUF, DNS_UDP_RCVBUF);
	} else {
		/* Answers are written whole; Nagle would only delay pipelined ones. */
		(void)dns_setopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
		/* RFC 7766 7: TCP Fast Open where the kernel allows it. */
		(void)dns_setopt(fd, IPPROTO_TCP, TCP_FASTOPEN, DNS_TCP_FASTOPEN_QLEN);
	}
	what = "bind";
	if (bind(fd, &sa.sa, salen) < 0)
		goto fail;
	what = "listen";
	if (!udp && listen(fd, DNS_TCP_LISTEN_BACKLOG) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	if (!quiet)
		log_warnx("cannot listen on %s (%s): %s: %s", dnsconf_listen_str(l, buf), proto,
		    what, strerror(saved));
	if (fd >= 0)
		close(fd);
	errno = saved;
	return -1;
}

/*
 * SO_REUSEPORT lets our workers share a port, and would as well let a
 * second riposte-dns (same user) share it and silently take half of the
 * queries.  A TCP bind without SO_REUSEPORT fails while any socket listens
 * on the address and port, so one is tried first: a port that is taken
 * is an error, as it would be without SO_REUSEPORT.
 */
static int
dns_bind_probe(const struct dnsconf_listen *l)
{
	char buf[DNSCONF_LISTEN_STRLEN];
	union dns_sa sa;
	socklen_t salen = dns_sockaddr(l, &sa);
	int fd, rc = 0;

	if ((fd = socket(l->family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0; /* the real bind reports it */
	(void)dns_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (l->family == AF_INET6)
		(void)dns_setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
	if (!l->wildcard)
		(void)dns_setopt(fd, IPPROTO_IP, IP_FREEBIND, 1);
	if (bind(fd, &sa.sa, salen) < 0 && errno == EADDRINUSE) {
		log_warnx("cannot listen on %s: another process serves this address and port",
		    dnsconf_listen_str(l, buf));
		rc = -1;
	}
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------- UDP */

/* The control message of the answer: the query's local address as its source. */
static socklen_t
dns_udp_reply_ctl(struct msghdr *in, uint8_t *out)
{
	struct msghdr o;
	struct cmsghdr *cm, *oc;

	memset(&o, 0, sizeof(o));
	o.msg_control = out;
	o.msg_controllen = DNS_CTL_SPACE;
	oc = CMSG_FIRSTHDR(&o);
	for (cm = CMSG_FIRSTHDR(in); cm != NULL; cm = CMSG_NXTHDR(in, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			/*
			 * ipi_spec_dst is the local address the kernel matched
			 * (the destination itself for unicast); ifindex 0 lets
			 * the routing table pick the way back.
			 */
			pi.ipi_ifindex = 0;
			pi.ipi_addr.s_addr = 0;
			oc->cmsg_level = IPPROTO_IP;
			oc->cmsg_type = IP_PKTINFO;
			oc->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(oc), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			/* RFC 3542 6.1: a link-local source needs its interface. */
			if (!IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				pi.ipi6_ifindex = 0;
			oc->cmsg_level = IPPROTO_IPV6;
			oc->cmsg_type = IPV6_PKTINFO;
			oc->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(oc), &pi, sizeof(pi));
			return CMSG_SPACE(sizeof(pi));
		}
	}
	return 0;
}

static void
dns_udp_send(struct dns_worker *wk, struct dns_sock *s, unsigned n)
{
	unsigned sent = 0;

	while (sent < n) {
		int r = sendmmsg(s->fd, wk->smsg + sent, n - sent, MSG_DONTWAIT);
		if (r > 0) {
			sent += (unsigned)r;
			wk->udp_out += (uint64_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)) {
			/* The socket buffer is full: what did not fit is lost, as on the wire. */
			wk->udp_dropped += n - sent;
			return;
		}
		/* This one answer cannot go (an unroutable client): skip it. */
		wk->udp_send_errors++;
		log_rl(&wk->rl_udp, (int64_t)(ev_now(wk->loop) * 1e6), LOG_LVL_WARN,
		    "worker %u: UDP send: %s", wk->id, strerror(errno));
		sent++;
	}
}

/* Account the answer resp[0..len) to its client: its length to send, or 0 for none. */
static size_t
dns_udp_rrl(struct dns_worker *wk, const union dns_sa *peer, uint8_t *resp, size_t len)
{
	uint8_t name[DNS_NAME_MAX];
	enum dns_rrl_class cls = dns_rrl_classify(resp, len, name);
	int64_t now = (int64_t)(ev_now(wk->loop) * 1e6);
	enum dns_rrl_action act = dns_rrl_check(wk->rrl, &peer->sa, cls, name, now);
	char addr[INET6_ADDRSTRLEN], text[DNS_NAME_STRLEN];

	if (act == DNS_RRL_PASS)
		return len;
	wk->rrl_limited++;
	/* Formatting costs more than the answer: a line a second at most. */
	if (now - wk->rrl_log_us < 1000000 && wk->rrl_log_us != 0)
		goto out;
	wk->rrl_log_us = now;
	inet_ntop(peer->sa.sa_family, peer->sa.sa_family == AF_INET ?
	    (const void *)&peer->v4.sin_addr : (const void *)&peer->v6.sin6_addr, addr,
	    sizeof(addr));
	log_rl(&wk->rl_rrl, now, LOG_LVL_INFO, "worker %u: rate limiting answers to %s "
	    "(%s about %s; %llu limited by this worker)", wk->id, addr,
	    dns_rrl_class_name(cls), dns_name_to_text(name, text),
	    (unsigned long long)wk->rrl_limited);
out:
	if (act == DNS_RRL_DROP)
		return 0;
	wk->rrl_slipped++;
	return dns_rrl_slip(resp, len);
}

/* ------------------------------------------------------------ NOTIFY in */

/* NOTIFY events on their way to the main thread. */
#define DNS_NOTIFY_Q 64
struct dns_notify_q {
	pthread_mutex_t lock;
	struct dns_notify_event ev[DNS_NOTIFY_Q];
	unsigned n;
	struct ev_loop *loop;   /* the main thread's */
	ev_async async;
	void (*cb)(void *ctx, const struct dns_notify_event *ev);
	void *ctx;
};

static void
dns_notify_async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct dns_notify_q *q = w->data;
	struct dns_notify_event ev[DNS_NOTIFY_Q];
	unsigned n;

	pthread_mutex_lock(&q->lock);
	n = q->n;
	memcpy(ev, q->ev, n * sizeof(ev[0]));
	q->n = 0;
	pthread_mutex_unlock(&q->lock);
	for (unsigned i = 0; i < n; i++)
		q->cb(q->ctx, &ev[i]);
}

void
dns_server_on_notify(struct dns_server *srv, struct ev_loop *loop,
    void (*cb)(void *ctx, const struct dns_notify_event *ev), void *ctx)
{
	struct dns_notify_q *q = calloc(1, sizeof(*q));

	if (q == NULL) {
		log_warnx("out of memory: NOTIFY will be answered NOTIMP");
		return;
	}
	pthread_mutex_init(&q->lock, NULL);
	q->loop = loop;
	q->cb = cb;
	q->ctx = ctx;
	ev_async_init(&q->async, dns_notify_async_cb);
	q->async.data = q;
	ev_async_start(loop, &q->async);
	srv->nq = q;
}

/*
 * A worker answers a NOTIFY (RFC 1996) from the generation's table and
 * tells the main thread, which starts the refresh; the queue is bounded
 * (a flood of NOTIFY costs a counter, not memory), the refresh is once
 * per zone anyway.
 */
static size_t
dns_notify_in(struct dns_worker *wk, const struct dns_gen *gen, const union dns_sa *peer,
    const uint8_t *req, size_t len, uint8_t *resp, size_t cap)
{
	struct dns_notify_q *q = wk->srv->nq;
	struct dns_notify_event ev;
	bool post;
	size_t n;

	n = dns_notify_answer(gen->secondaries, &peer->sa, req, len, resp, cap,
	    (uint64_t)ev_now(wk->loop), &ev, &post);
	wk->notify_in++;
	if (!ev.accepted)
		wk->notify_refused++;
	if (!post)
		return n;
	pthread_mutex_lock(&q->lock);
	if (q->n < DNS_NOTIFY_Q)
		q->ev[q->n++] = ev;
	else
		wk->notify_dropped++;
	pthread_mutex_unlock(&q->lock);
	ev_async_send(q->loop, &q->async);
	return n;
}

/* A NOTIFY request (opcode 4, QR 0) to a secondary: not a query for dns_answer(). */
static bool
dns_is_notify(const struct dns_worker *wk, const uint8_t *req, size_t len)
{
	return wk->srv->nq != NULL && len >= DNS_HDR_LEN && (req[2] & 0x80) == 0 &&
	    ((req[2] >> 3) & 0xf) == DNS_OPCODE_NOTIFY;
}

/* The same over TCP (Knot sends NOTIFY over TCP): the peer is asked of the socket. */
static size_t
dns_tcp_notify(struct dns_tcp_conn *c, const struct dns_gen *gen, const uint8_t *req,
    size_t len, uint8_t *resp, size_t cap)
{
	union dns_sa peer;
	socklen_t pl = sizeof(peer);

	if (getpeername(c->fd, &peer.sa, &pl) != 0)
		return 0;
	return dns_notify_in(c->wk, gen, &peer, req, len, resp, cap);
}

/*
 * A query that is not a transfer, over UDP or TCP.  dns_answer() holds no
 * keys and answers a TSIG-signed query REFUSED; when this generation has
 * keys (a secondary's SOA refresh is signed) such a query is answered
 * again by dns_xfr_answer_tsig(), signed or NOTAUTH, and counted once.
 * Signed queries are rare: the clock is read only for them.
 */
static size_t
dns_worker_answer(struct dns_worker *wk, const struct dns_gen *gen, const uint8_t *q,
    size_t qlen, uint8_t *out, size_t cap, bool tcp)
{
	uint64_t tsig = wk->stats.tsig;
	size_t len = dns_answer(&gen->aconf, gen->zones, q, qlen, out, cap, tcp, &wk->stats);

	if (wk->stats.tsig != tsig && gen->xfr != NULL && gen->xfr->n_keys > 0) {
		wk->stats.refused--;
		len = dns_xfr_answer_tsig(&gen->aconf, gen->zones, gen->xfr, q, qlen, out, cap,
		    tcp, (uint64_t)time(NULL), &wk->stats);
	}
	return len;
}

/*
 * One UDP query: transfer queries (RFC 1995 4, RFC 5936 4.2) by the
 * transfer policy, the rest by dns_answer().
 */
static size_t
dns_udp_answer(struct dns_worker *wk, const struct dns_gen *gen, const uint8_t *q, size_t qlen,
    const union dns_sa *peer, uint8_t *out)
{
	enum dns_xfr_result r;
	size_t len;

	if (dns_xfr_qtype(q, qlen) == 0)
		return dns_worker_answer(wk, gen, q, qlen, out, DNS_UDP_OUT_MAX, false);
	/* Rare: the clock for TSIG is read only here. */
	len = dns_xfr_udp(gen->zones, gen->xfr, q, qlen, &peer->sa, out, DNS_UDP_OUT_MAX,
	    (uint64_t)time(NULL), gen->aconf.max_udp, &r);
	wk->xfr_udp++;
	wk->stats.queries++;
	if (len == 0)
		wk->stats.dropped++;
	else if (r == DNS_XFR_UDP_SOA)
		wk->stats.noerror++;
	else if (r == DNS_XFR_FORMERR)
		wk->stats.formerr++;
	else
		wk->stats.refused++;
	return len;
}

/*
 * Every qlog_sample-th answer of this worker, one line: formatted here,
 * then one write(2) with O_APPEND (atomic for a regular file: the lines
 * of several workers never mix) or one syslog(3) call (glibc's own lock,
 * taken once per sampled answer only).  Nothing is locked when the line
 * is not due, which is the hot path.
 */
static void
dns_qlog(struct dns_worker *wk, const union dns_sa *peer, bool tcp, const uint8_t *resp,
    size_t len)
{
	unsigned sample = atomic_load_explicit(&wk->srv->qlog_sample, memory_order_relaxed);
	char line[DNS_QLOG_LINE_MAX];
	size_t n;
	int fd;

	if (sample == 0 || ++wk->qlog_count < sample)
		return;
	wk->qlog_count = 0;
	n = dns_qlog_line(line, sizeof(line), ev_now(wk->loop), &peer->sa, tcp, resp, len);
	if (n == 0)
		return;
	if (atomic_load_explicit(&wk->srv->qlog_syslog, memory_order_relaxed)) {
		syslog(LOG_INFO, "%.*s", (int)(n - 1), line);
		return;
	}
	fd = atomic_load_explicit(&wk->srv->qlog_fd, memory_order_acquire);
	if (fd >= 0 && write(fd, line, n) != (ssize_t)n)
		log_rl(&wk->rl_qlog, (int64_t)(ev_now(wk->loop) * 1e6), LOG_LVL_WARN,
		    "worker %u: query log: %s", wk->id, strerror(errno));
}

static void
dns_udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dns_sock *s = w->data;
	struct dns_worker *wk = s->wk;
	const struct dns_gen *gen = atomic_load_explicit(&wk->srv->gen, memory_order_acquire);
	socklen_t ctl = s->pktinfo ? DNS_CTL_SPACE : 0;

	for (int round = 0; round < DNS_UDP_ROUNDS; round++) {
		unsigned m = 0;
		size_t off = 0;
		int n;

		for (int i = 0; i < DNS_UDP_BATCH; i++) {
			wk->rmsg[i].msg_hdr.msg_namelen = sizeof(wk->peer[i]);
			wk->rmsg[i].msg_hdr.msg_controllen = ctl;
		}
		n = recvmmsg(s->fd, wk->rmsg, DNS_UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_rl(&wk->rl_udp, (int64_t)(ev_now(loop) * 1e6), LOG_LVL_WARN,
				    "worker %u: UDP receive: %s", wk->id, strerror(errno));
			return;
		}
		wk->udp_in += (uint64_t)n;
		for (int i = 0; i < n; i++) {
			struct msghdr *h = &wk->rmsg[i].msg_hdr;
			struct msghdr *o = &wk->smsg[m].msg_hdr;
			size_t len;

			if ((h->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0) {
				wk->udp_dropped++;
				continue;
			}
			const uint8_t *req = wk->rbuf + (size_t)i * DNS_UDP_IN_MAX;
			size_t qlen = wk->rmsg[i].msg_len;
			bool notify = dns_is_notify(wk, req, qlen);
			if (notify)
				len = dns_notify_in(wk, gen, &wk->peer[i], req, qlen, wk->sbuf + off,
				    DNS_UDP_OUT_MAX);
			else
				len = dns_udp_answer(wk, gen, req, qlen, &wk->peer[i], wk->sbuf + off);
			if (len == 0)
				continue;
			/* Before rate limiting: the line says what we answered, not what RRL let out. */
			if (!notify)
				dns_qlog(wk, &wk->peer[i], false, wk->sbuf + off, len);
			if (wk->rrl != NULL && !notify && (len = dns_udp_rrl(wk, &wk->peer[i],
			    wk->sbuf + off, len)) == 0)
				continue;
			o->msg_name = &wk->peer[i];
			o->msg_namelen = h->msg_namelen;
			wk->siov[m].iov_base = wk->sbuf + off;
			wk->siov[m].iov_len = len;
			o->msg_controllen = 0;
			o->msg_control = NULL;
			if (s->pktinfo) {
				o->msg_controllen = dns_udp_reply_ctl(h, wk->sctl[m]);
				/* Without the query's address, an answer from another one is useless. */
				if (o->msg_controllen == 0) {
					wk->udp_dropped++;
					continue;
				}
				o->msg_control = wk->sctl[m];
			}
			m++;
			off += len;
		}
		if (m > 0)
			dns_udp_send(wk, s, m);
		if (n < DNS_UDP_BATCH)
			return;
	}
}

/* ------------------------------------------------------------------- TCP */

static void dns_tcp_close(struct dns_tcp_conn *c);
static int dns_tcp_handoff(struct dns_tcp_conn *c, size_t pos, size_t mlen);

static void
dns_lru_unlink(struct dns_worker *wk, struct dns_tcp_conn *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		wk->lru_head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		wk->lru_tail = c->prev;
	c->prev = c->next = NULL;
}

static void
dns_lru_append(struct dns_worker *wk, struct dns_tcp_conn *c)
{
	c->next = NULL;
	c->prev = wk->lru_tail;
	if (wk->lru_tail != NULL)
		wk->lru_tail->next = c;
	else
		wk->lru_head = c;
	wk->lru_tail = c;
}

static size_t
dns_tcp_backlog(const struct dns_tcp_conn *c)
{
	return c->out_len - c->out_off;
}

/* Watch for what the connection waits for: queries, room for answers, or both. */
static void
dns_tcp_watch(struct dns_tcp_conn *c)
{
	int ev = 0;

	if (!c->eof && dns_tcp_backlog(c) < DNS_TCP_BACKLOG_MAX)
		ev |= EV_READ;
	if (dns_tcp_backlog(c) > 0)
		ev |= EV_WRITE;
	if ((c->io.events & (EV_READ | EV_WRITE)) == ev && ev_is_active(&c->io))
		return;
	ev_io_stop(c->wk->loop, &c->io);
	ev_io_set(&c->io, c->fd, ev);
	if (ev != 0)
		ev_io_start(c->wk->loop, &c->io);
}

static int
dns_tcp_queue(struct dns_tcp_conn *c, const uint8_t *data, size_t len)
{
	size_t left = dns_tcp_backlog(c);

	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, left);
		c->out_off = 0;
		c->out_len = left;
	}
	if (c->out_len + len > c->out_cap) {
		/* In steps, not doubling: the backlog's bound is the buffer's. */
		size_t cap = (c->out_len + len + DNS_TCP_OUT_STEP - 1) / DNS_TCP_OUT_STEP *
		    DNS_TCP_OUT_STEP;
		uint8_t *n;
		if ((n = realloc(c->out, cap)) == NULL)
			return -1;
		c->out = n;
		c->out_cap = cap;
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return 0;
}

/* Send now what the socket takes, keep the rest in order behind the backlog. */
static int
dns_tcp_send(struct dns_tcp_conn *c, const uint8_t *data, size_t len)
{
	ssize_t w = 0;

	if (dns_tcp_backlog(c) == 0) {
		do
			w = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		while (w < 0 && errno == EINTR);
		if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (w < 0)
			w = 0;
	}
	if ((size_t)w < len)
		return dns_tcp_queue(c, data + w, len - (size_t)w);
	return 0;
}

static int
dns_tcp_flush_stage(struct dns_tcp_conn *c)
{
	struct dns_worker *wk = c->wk;
	int rc = 0;

	if (wk->stage_len > 0)
		rc = dns_tcp_send(c, wk->stage, wk->stage_len);
	wk->stage_len = 0;
	return rc;
}

/*
 * Answer every complete query in the input buffer, in order (RFC 7766
 * 6.2.1.1 allows any order; ours is the client's).  -1: close; 1: the
 * connection was handed to the main thread and is no longer ours.
 */
static int
dns_tcp_process(struct dns_tcp_conn *c)
{
	struct dns_worker *wk = c->wk;
	const struct dns_gen *gen = atomic_load_explicit(&wk->srv->gen, memory_order_acquire);
	size_t pos = 0;

	wk->stage_len = 0;
	while (c->in_len - pos >= 2 && dns_tcp_backlog(c) < DNS_TCP_BACKLOG_MAX) {
		size_t mlen = (size_t)c->in[pos] << 8 | c->in[pos + 1];
		size_t len;

		/* RFC 1035 4.2.2: no DNS message is empty; this is not a DNS client. */
		if (mlen == 0)
			return -1;
		if (c->in_len - pos - 2 < mlen)
			break;
		/*
		 * Staged answers count: they are the backlog's as soon as the
		 * socket is full.  At the bound, hand them to the socket and
		 * go on only if it took enough (else the write event resumes
		 * us; stopping with an empty backlog would stall the queries).
		 */
		if (DNS_TCP_STAGE - wk->stage_len < 2 + DNS_TCP_MSG_MAX ||
		    dns_tcp_backlog(c) + wk->stage_len >= DNS_TCP_BACKLOG_MAX) {
			if (dns_tcp_flush_stage(c) != 0)
				return -1;
			if (dns_tcp_backlog(c) >= DNS_TCP_BACKLOG_MAX)
				break;
		}
		if (dns_is_notify(wk, c->in + pos + 2, mlen))
			len = dns_tcp_notify(c, gen, c->in + pos + 2, mlen,
			    wk->stage + wk->stage_len + 2, DNS_TCP_MSG_MAX);
		else if (wk->srv->xfr_fn != NULL && dns_xfr_qtype(c->in + pos + 2, mlen) != 0)
			/* A transfer goes to the main thread, with the connection (dns_server_set_xfr). */
			return dns_tcp_handoff(c, pos, mlen);
		else
			len = dns_worker_answer(wk, gen, c->in + pos + 2, mlen,
			    wk->stage + wk->stage_len + 2, DNS_TCP_MSG_MAX, true);
		pos += 2 + mlen;
		c->answered = true;
		if (len == 0)
			continue;
		dns_qlog(wk, &c->peer, true, wk->stage + wk->stage_len + 2, len);
		wk->stage[wk->stage_len] = (uint8_t)(len >> 8);
		wk->stage[wk->stage_len + 1] = (uint8_t)len;
		wk->stage_len += 2 + len;
	}
	if (dns_tcp_flush_stage(c) != 0)
		return -1;
	if (pos > 0) {
		memmove(c->in, c->in + pos, c->in_len - pos);
		c->in_len -= pos;
	}
	/*
	 * The message deadline: it starts with a message's first byte and
	 * ends with its last.  Only the front message is ever partial, so
	 * one timer per connection does.
	 */
	if (c->in_len == 0)
		ev_timer_stop(wk->loop, &c->deadline);
	else if (pos > 0 || !ev_is_active(&c->deadline)) {
		ev_timer_stop(wk->loop, &c->deadline);
		ev_timer_set(&c->deadline, wk->srv->tcp_io, 0.);
		ev_timer_start(wk->loop, &c->deadline);
	}
	/* A query longer than the buffer: give this connection one that fits it. */
	if (c->in_len >= 2) {
		size_t need = 2 + ((size_t)c->in[0] << 8 | c->in[1]);
		if (need > c->in_cap) {
			uint8_t *big = malloc(2 + DNS_TCP_MSG_MAX);
			if (big == NULL)
				return -1;
			memcpy(big, c->in, c->in_len);
			c->in = big;
			c->in_cap = 2 + DNS_TCP_MSG_MAX;
		}
	} else if (c->in != c->in_small) {
		memcpy(c->in_small, c->in, c->in_len);
		free(c->in);
		c->in = c->in_small;
		c->in_cap = sizeof(c->in_small);
	}
	return 0;
}

static int
dns_tcp_read(struct dns_tcp_conn *c)
{
	struct dns_worker *wk = c->wk;

	for (int round = 0; round < 4 && dns_tcp_backlog(c) < DNS_TCP_BACKLOG_MAX; round++) {
		size_t space = c->in_cap - c->in_len;
		ssize_t r;

		/* Full of queries that wait behind the backlog: read on when it drains. */
		if (space == 0)
			return 0;
		r = recv(c->fd, c->in + c->in_len, space, MSG_DONTWAIT);

		if (r == 0) {
			c->eof = true;
			return 0;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->in_len += (size_t)r;
		/* Activity: the idle timeout starts again, and this is the newest connection. */
		ev_timer_again(wk->loop, &c->idle);
		if (wk->lru_tail != c) {
			dns_lru_unlink(wk, c);
			dns_lru_append(wk, c);
		}
		int rc = dns_tcp_process(c);
		if (rc != 0)
			return rc;
		if ((size_t)r < space)
			return 0;
	}
	return 0;
}

static int
dns_tcp_write(struct dns_tcp_conn *c)
{
	while (dns_tcp_backlog(c) > 0) {
		ssize_t w = send(c->fd, c->out + c->out_off, dns_tcp_backlog(c),
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->out_off += (size_t)w;
		/* The client reads: not idle, even if it asks nothing new. */
		ev_timer_again(c->wk->loop, &c->idle);
	}
	c->out_off = c->out_len = 0;
	/* A burst's buffer is not kept for the connection's life. */
	if (c->out_cap > DNS_TCP_OUT_STEP) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	/* Queries that waited behind the backlog. */
	return dns_tcp_process(c);
}

static void
dns_tcp_conn_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dns_tcp_conn *c = w->data;
	int rc;

	if ((revents & EV_WRITE) != 0 && (rc = dns_tcp_write(c)) != 0) {
		if (rc < 0)
			dns_tcp_close(c);
		return;
	}
	if ((revents & EV_READ) != 0 && (rc = dns_tcp_read(c)) != 0) {
		if (rc < 0)
			dns_tcp_close(c);
		return;
	}
	/* RFC 7766 6.2.3: the client closed; everything it asked is answered. */
	if (c->eof && dns_tcp_backlog(c) == 0) {
		dns_tcp_close(c);
		return;
	}
	dns_tcp_watch(c);
}

static void
dns_tcp_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dns_tcp_conn *c = w->data;

	c->wk->tcp_closed_idle++;
	dns_tcp_close(c);
}

/*
 * tcp-io-timeout: the front message is still partial.  A complete one that
 * waits for the client to read its answers is not late: the backlog
 * holds it, and the idle timeout closes a client that never reads.
 */
static void
dns_tcp_io_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dns_tcp_conn *c = w->data;

	if (c->in_len >= 2 && c->in_len >= 2 + ((size_t)c->in[0] << 8 | c->in[1]))
		return;
	c->wk->tcp_io_timeouts++;
	dns_tcp_close(c);
}

/* The slot back to the pool; the descriptor is closed, or no longer ours (handed off). */
static void
dns_tcp_release(struct dns_tcp_conn *c, bool close_fd)
{
	struct dns_worker *wk = c->wk;
	struct dns_server *srv = wk->srv;

	ev_io_stop(wk->loop, &c->io);
	ev_timer_stop(wk->loop, &c->idle);
	ev_timer_stop(wk->loop, &c->deadline);
	if (srv->ip_count != NULL)
		atomic_fetch_sub_explicit(&srv->ip_count[c->ip_slot], 1, memory_order_relaxed);
	if (close_fd)
		close(c->fd);
	c->fd = -1;
	if (c->in != c->in_small)
		free(c->in);
	free(c->out);
	dns_lru_unlink(wk, c);
	c->next = wk->free_conns;
	wk->free_conns = c;
	wk->n_conns--;
}

static void
dns_tcp_close(struct dns_tcp_conn *c)
{
	dns_tcp_release(c, true);
}

/*
 * The query at c->in + pos (mlen bytes) is a transfer: hand the connection
 * to the main thread with it, and with the answers to earlier queries that
 * the socket has not taken (they go out first, in order).  Whatever the
 * client sent after the transfer query is dropped: RFC 5936 4.1 lets the
 * server close the connection after a transfer, and xfrd.c does.  The
 * connection leaves the worker's slots and its per-source count: a
 * transfer is the main thread's to bound.  1, or -1 (out of memory: close).
 */
static int
dns_tcp_handoff(struct dns_tcp_conn *c, size_t pos, size_t mlen)
{
	struct dns_worker *wk = c->wk;
	struct dns_server *srv = wk->srv;
	struct dns_xfr_handoff *h;
	size_t pend;
	uint8_t *p;

	/* The staged answers join the backlog without a send: one copy of what is owed. */
	if (wk->stage_len > 0 && dns_tcp_queue(c, wk->stage, wk->stage_len) != 0)
		return -1;
	wk->stage_len = 0;
	pend = dns_tcp_backlog(c);
	if ((h = malloc(sizeof(*h) + mlen + pend)) == NULL)
		return -1;
	memset(h, 0, sizeof(*h));
	p = (uint8_t *)(h + 1);
	memcpy(p, c->in + pos + 2, mlen);
	h->msg = p;
	h->len = mlen;
	if (pend > 0)
		memcpy(p + mlen, c->out + c->out_off, pend);
	h->pending = p + mlen;
	h->pending_len = pend;
	h->peer_len = sizeof(h->peer);
	if (getpeername(c->fd, (struct sockaddr *)&h->peer, &h->peer_len) != 0) {
		free(h);
		return -1;
	}
	h->fd = c->fd;
	wk->xfr_handed++;
	dns_tcp_release(c, false);
	pthread_mutex_lock(&srv->xfr_lock);
	*srv->xfr_tail = h;
	srv->xfr_tail = &h->next;
	pthread_mutex_unlock(&srv->xfr_lock);
	ev_async_send(srv->xfr_loop, &srv->xfr_async);
	return 1;
}

/*
 * RFC 7766 6.2.2: at the limit, the least recently active idle connection
 * goes; when none is idle, the least recently active of the busy ones: the
 * one that has been slowest to send the rest of its query or to read its
 * answers, if it is older than DNS_TCP_GRACE.  Slots held by slow or
 * stalled clients are then no reason to refuse a new one; only a burst of
 * connections all younger than the grace is.
 */
static bool
dns_tcp_evict(struct dns_worker *wk)
{
	/*
	 * A connection that has not sent a query yet is not idle: it was
	 * accepted in this batch, its query not read yet.
	 */
	for (struct dns_tcp_conn *c = wk->lru_head; c != NULL; c = c->next) {
		if (c->answered && c->in_len == 0 && dns_tcp_backlog(c) == 0) {
			wk->tcp_evicted++;
			dns_tcp_close(c);
			return true;
		}
	}
	for (struct dns_tcp_conn *c = wk->lru_head; c != NULL; c = c->next) {
		if (ev_now(wk->loop) - c->accepted >= DNS_TCP_GRACE) {
			wk->tcp_evicted_busy++;
			dns_tcp_close(c);
			return true;
		}
	}
	return false;
}

/*
 * The source's counter: an IPv4 address, or an IPv6 /64 (a host has a
 * /64, and a client with many addresses in it is one client).  v4-mapped
 * addresses do not occur: IPv6 sockets are IPV6_V6ONLY.
 */
static uint32_t
dns_ip_slot(const struct dns_server *srv, const union dns_sa *sa)
{
	uint8_t key[9];
	size_t len;

	if (sa->sa.sa_family == AF_INET6) {
		key[0] = 6;
		memcpy(key + 1, &sa->v6.sin6_addr, 8);
		len = 9;
	} else {
		key[0] = 4;
		memcpy(key + 1, &sa->v4.sin_addr, 4);
		len = 5;
	}
	return (uint32_t)siphash24(&srv->ip_key, key, len) & srv->ip_mask;
}

static void
dns_accept_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct dns_worker *wk = w->data;

	for (size_t i = 0; i < wk->n_socks; i++)
		if (!wk->socks[i].udp)
			ev_io_start(loop, &wk->socks[i].io);
}

static void
dns_tcp_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct dns_sock *s = w->data;
	struct dns_worker *wk = s->wk;

	for (int i = 0; i < DNS_TCP_ACCEPT_BATCH; i++) {
		struct dns_tcp_conn *c;
		struct dns_server *srv = wk->srv;
		union dns_sa peer;
		socklen_t plen = sizeof(peer);
		uint32_t slot = 0;
		int fd = accept4(s->fd, &peer.sa, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			log_rl(&wk->rl_tcp, (int64_t)(ev_now(loop) * 1e6), LOG_LVL_WARN,
			    "worker %u: TCP accept: %s; pausing accepts for 100 ms", wk->id,
			    strerror(errno));
			/* Out of descriptors or memory: the socket stays readable, so back off. */
			for (size_t k = 0; k < wk->n_socks; k++)
				if (!wk->socks[k].udp)
					ev_io_stop(loop, &wk->socks[k].io);
			ev_timer_set(&wk->accept_pause, 0.1, 0.);
			ev_timer_start(loop, &wk->accept_pause);
			return;
		}
		/* Before any eviction: a refused client must not cost another its slot. */
		if (srv->ip_count != NULL) {
			slot = dns_ip_slot(srv, &peer);
			if (atomic_fetch_add_explicit(&srv->ip_count[slot], 1,
			    memory_order_relaxed) >= srv->tcp_per_ip) {
				atomic_fetch_sub_explicit(&srv->ip_count[slot], 1,
				    memory_order_relaxed);
				wk->tcp_refused_per_ip++;
				close(fd);
				continue;
			}
		}
		if (wk->free_conns == NULL && !dns_tcp_evict(wk)) {
			if (srv->ip_count != NULL)
				atomic_fetch_sub_explicit(&srv->ip_count[slot], 1,
				    memory_order_relaxed);
			wk->tcp_refused++;
			close(fd);
			continue;
		}
		c = wk->free_conns;
		wk->free_conns = c->next;
		wk->n_conns++;
		wk->tcp_accepted++;
		c->wk = wk;
		c->fd = fd;
		c->ip_slot = slot;
		c->peer = peer;
		c->eof = false;
		c->answered = false;
		c->accepted = ev_now(loop);
		c->in = c->in_small;
		c->in_len = 0;
		c->in_cap = sizeof(c->in_small);
		c->out = NULL;
		c->out_off = c->out_len = c->out_cap = 0;
		dns_lru_append(wk, c);
		ev_io_init(&c->io, dns_tcp_conn_cb, fd, EV_READ);
		c->io.data = c;
		ev_io_start(loop, &c->io);
		ev_init(&c->idle, dns_tcp_idle_cb);
		c->idle.repeat = wk->srv->tcp_idle;
		c->idle.data = c;
		ev_timer_again(loop, &c->idle);
		ev_init(&c->deadline, dns_tcp_io_cb);
		c->deadline.data = c;
	}
}

/* ---------------------------------------------------------------- workers */

/* QSBR: offline before the loop blocks; no generation is held from here on. */
static void
dns_prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct dns_worker *wk = w->data;

	atomic_store_explicit(&wk->turns, atomic_load_explicit(&wk->turns,
	    memory_order_relaxed) + 1, memory_order_relaxed);
	atomic_store_explicit(&wk->epoch, 0, memory_order_release);
}

/*
 * Online again, in the current epoch, before any callback of this turn
 * loads the generation.  seq_cst, so that a reclaimer which saw us offline
 * is sure we load its new generation (store -> load ordering).
 */
static void
dns_check_cb(struct ev_loop *loop, ev_check *w, int revents)
{
	struct dns_worker *wk = w->data;

	atomic_store(&wk->epoch, atomic_load(&wk->srv->seq));
}

static void
dns_stop_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void *
dns_worker_main(void *arg)
{
	struct dns_worker *wk = arg;
	char name[16];

	snprintf(name, sizeof(name), "dns-worker-%u", wk->id);
	pthread_setname_np(pthread_self(), name);
	ev_run(wk->loop, 0);
	atomic_store(&wk->epoch, 0);
	return NULL;
}

static void
dns_worker_free(struct dns_worker *wk)
{
	if (wk == NULL)
		return;
	if (wk->loop != NULL) {
		for (unsigned i = 0; wk->pool != NULL && i < wk->max_conns; i++)
			if (wk->pool[i].fd >= 0)
				dns_tcp_close(&wk->pool[i]);
		ev_loop_destroy(wk->loop);
	}
	for (size_t i = 0; i < wk->n_socks; i++)
		if (wk->socks[i].fd >= 0)
			close(wk->socks[i].fd);
	free(wk->socks);
	free(wk->pool);
	free(wk->rbuf);
	free(wk->sbuf);
	free(wk->stage);
	dns_rrl_free(wk->rrl);
	free(wk);
}

static struct dns_worker *
dns_worker_new(struct dns_server *srv, unsigned id)
{
	size_t size = (sizeof(struct dns_worker) + DNS_CACHELINE - 1) & ~(size_t)(DNS_CACHELINE - 1);
	struct dns_worker *wk = aligned_alloc(DNS_CACHELINE, size);

	if (wk == NULL)
		return NULL;
	memset(wk, 0, size);
	atomic_init(&wk->epoch, 0);
	atomic_init(&wk->turns, 0);
	wk->rl_qlog = (struct log_ratelimit)LOG_RATELIMIT_INIT(3);
	wk->srv = srv;
	wk->id = id;
	wk->rl_udp = (struct log_ratelimit)LOG_RATELIMIT_INIT(5);
	wk->rl_tcp = (struct log_ratelimit)LOG_RATELIMIT_INIT(5);
	wk->rl_rrl = (struct log_ratelimit)LOG_RATELIMIT_INIT(5);
	if ((wk->socks = calloc(2 * srv->n_listen, sizeof(*wk->socks))) == NULL)
		goto fail;
	for (size_t i = 0; i < 2 * srv->n_listen; i++)
		wk->socks[i].fd = -1;
	wk->n_socks = 2 * srv->n_listen;
	for (size_t i = 0; i < srv->n_listen; i++) {
		struct dns_sock *u = &wk->socks[2 * i], *t = &wk->socks[2 * i + 1];
		u->wk = t->wk = wk;
		u->udp = true;
		u->pktinfo = srv->listen[i].wildcard;
		if ((u->fd = dns_bind(&srv->listen[i], true, false)) < 0 ||
		    (t->fd = dns_bind(&srv->listen[i], false, false)) < 0)
			goto fail;
	}
	return wk;
fail:
	dns_worker_free(wk);
	return NULL;
}

/* Buffers, loop and watchers; done before the thread starts, so errors are reported. */
static int
dns_worker_setup(struct dns_worker *wk, unsigned max_conns)
{
	wk->rbuf = malloc((size_t)DNS_UDP_BATCH * DNS_UDP_IN_MAX);
	wk->sbuf = malloc((size_t)DNS_UDP_BATCH * DNS_UDP_OUT_MAX);
	wk->stage = malloc(DNS_TCP_STAGE);
	wk->pool = calloc(max_conns, sizeof(*wk->pool));
	wk->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
	if (wk->rbuf == NULL || wk->sbuf == NULL || wk->stage == NULL || wk->pool == NULL ||
	    wk->loop == NULL)
		return -1;
	wk->max_conns = max_conns;
	for (unsigned i = max_conns; i-- > 0;) {
		wk->pool[i].fd = -1;
		wk->pool[i].next = wk->free_conns;
		wk->free_conns = &wk->pool[i];
	}
	for (int i = 0; i < DNS_UDP_BATCH; i++) {
		struct msghdr *h = &wk->rmsg[i].msg_hdr;
		wk->riov[i].iov_base = wk->rbuf + (size_t)i * DNS_UDP_IN_MAX;
		wk->riov[i].iov_len = DNS_UDP_IN_MAX;
		h->msg_name = &wk->peer[i];
		h->msg_iov = &wk->riov[i];
		h->msg_iovlen = 1;
		h->msg_control = wk->rctl[i];
		wk->smsg[i].msg_hdr.msg_iov = &wk->siov[i];
		wk->smsg[i].msg_hdr.msg_iovlen = 1;
	}
	for (size_t i = 0; i < wk->n_socks; i++) {
		struct dns_sock *s = &wk->socks[i];
		ev_io_init(&s->io, s->udp ? dns_udp_cb : dns_tcp_accept_cb, s->fd, EV_READ);
		s->io.data = s;
		ev_io_start(wk->loop, &s->io);
	}
	ev_async_init(&wk->stop, dns_stop_cb);
	ev_async_start(wk->loop, &wk->stop);
	ev_prepare_init(&wk->prepare, dns_prepare_cb);
	wk->prepare.data = wk;
	ev_set_priority(&wk->prepare, EV_MINPRI);
	ev_prepare_start(wk->loop, &wk->prepare);
	/* First in every turn: the epoch is current before any callback reads the generation. */
	ev_check_init(&wk->check, dns_check_cb);
	wk->check.data = wk;
	ev_set_priority(&wk->check, EV_MAXPRI);
	ev_check_start(wk->loop, &wk->check);
	ev_init(&wk->accept_pause, dns_accept_pause_cb);
	wk->accept_pause.data = wk;
	return 0;
}

/* ------------------------------------------------------------------ server */

static unsigned
dns_cpu_count(void)
{
	cpu_set_t set;

	/* The CPUs we may run on (taskset, cgroups' cpusets), not all there are. */
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* Each worker's RRL table, with a key of its own (siphash.h: unguessable buckets). */
static int
dns_server_rrl(struct dns_server *srv, const struct dnsconf *conf)
{
	struct dns_rrl_conf rc = {
		.rate = (conf->rrl_rate + srv->n_workers - 1) / srv->n_workers,
		.slip = conf->rrl_slip,
		.v4_prefix = conf->rrl_v4_prefix,
		.v6_prefix = conf->rrl_v6_prefix,
		.whitelist = conf->rrl_whitelist,
		.n_whitelist = conf->n_rrl_whitelist,
		.table_size = DNS_RRL_TABLE,
	};
	uint8_t key[DNS_RRL_KEY_LEN];

	for (unsigned i = 0; i < srv->n_workers; i++) {
		if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key)) {
			log_warnx("cannot get random bytes for the rate limiter: %s", strerror(errno));
			return -1;
		}
		if ((srv->workers[i]->rrl = dns_rrl_new(&rc, key)) == NULL) {
			log_warnx("out of memory");
			return -1;
		}
	}
	return 0;
}

/*
 * The per-source counters: 4 per connection slot (at least 1024), so that
 * two sources rarely share one; the hash is keyed with random bytes, so no
 * client can choose sources that share its neighbour's.
 */
static int
dns_ip_table_new(struct dns_server *srv)
{
	uint8_t key[SIPHASH_KEY_LEN];
	size_t n = 1024;

	while (n < 4 * (size_t)srv->tcp_clients)
		n *= 2;
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		return -1;
	srv->ip_key = siphash_key_from_bytes(key);
	if ((srv->ip_count = calloc(n, sizeof(*srv->ip_count))) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		atomic_init(&srv->ip_count[i], 0);
	srv->ip_mask = (uint32_t)(n - 1);
	return 0;
}

struct dns_server *
dns_server_new(const struct dnsconf *conf)
{
	size_t size = (sizeof(struct dns_server) + DNS_CACHELINE - 1) & ~(size_t)(DNS_CACHELINE - 1);
	struct dns_server *srv = aligned_alloc(DNS_CACHELINE, size);

	if (srv == NULL) {
		log_warnx("out of memory");
		return NULL;
	}
	memset(srv, 0, size);
	atomic_init(&srv->gen, NULL);
	atomic_init(&srv->seq, 1);
	atomic_init(&srv->qlog_fd, -1);
	atomic_init(&srv->qlog_syslog, false);
	atomic_init(&srv->qlog_sample, 0);
	srv->n_workers = conf->workers != 0 ? conf->workers : dns_cpu_count();
	srv->tcp_idle = (double)conf->tcp_idle_ms / 1000.;
	srv->tcp_clients = conf->tcp_clients;
	srv->tcp_io = (double)conf->tcp_io_ms / 1000.;
	srv->tcp_per_ip = conf->tcp_per_ip;
	if (srv->tcp_per_ip > 0 && dns_ip_table_new(srv) != 0) {
		log_warnx("out of memory");
		goto fail;
	}
	if ((srv->listen = calloc(conf->n_listen, sizeof(*srv->listen))) == NULL ||
	    (srv->workers = calloc(srv->n_workers, sizeof(*srv->workers))) == NULL) {
		log_warnx("out of memory");
		goto fail;
	}
	/*
	 * The default listens on IPv6 too; a host without IPv6 still gets
	 * IPv4.  An address the config names must work.
	 */
	for (size_t i = 0; i < conf->n_listen; i++) {
		const struct dnsconf_listen *l = &conf->listen[i];
		if (l->line == 0 && l->family == AF_INET6) {
			int fd = dns_bind(l, true, true);
			if (fd < 0 && (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
				log_warnx("IPv6 is not available (%s): listening on IPv4 only",
				    strerror(errno));
				continue;
			}
			if (fd >= 0)
				close(fd);
		}
		if (dns_bind_probe(l) != 0)
			goto fail;
		srv->listen[srv->n_listen++] = *l;
	}
	for (unsigned i = 0; i < srv->n_workers; i++)
		if ((srv->workers[i] = dns_worker_new(srv, i)) == NULL)
			goto fail;
	if (conf->rrl_rate > 0 && dns_server_rrl(srv, conf) != 0)
		goto fail;
	return srv;
fail:
	dns_server_free(srv);
	return NULL;
}

unsigned
dns_server_workers(const struct dns_server *srv)
{
	return srv->n_workers;
}

/* Give every zone of gen its counter slot, before the workers can see gen. */
static void
dns_server_slots(struct dns_server *srv, struct dns_gen *gen)
{
	size_t n = dns_zoneset_count(gen->zones);

	if (srv->zone_slot == NULL &&
	    (srv->zone_slot = calloc(DNS_ZONE_STATS, sizeof(*srv->zone_slot))) == NULL)
		return;	/* every zone stays in slot 0 */
	if (srv->n_zone_slots == 0)
		srv->n_zone_slots = 1;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *apex = dns_zone_apex(dns_zoneset_get(gen->zones, i));
		unsigned k;
		for (k = 1; k < srv->n_zone_slots; k++)
			if (dns_name_equal(srv->zone_slot[k], apex))
				break;
		if (k == srv->n_zone_slots) {
			if (k == DNS_ZONE_STATS) {
				k = 0;	/* past the table: counted with "not ours" */
			} else {
				(void)dns_name_lower(srv->zone_slot[k], apex);
				srv->n_zone_slots++;
			}
		}
		dns_zoneset_set_stat_slot(gen->zones, i, k);
	}
}

unsigned
dns_server_zone_slots(const struct dns_server *srv, const uint8_t (**apex)[DNS_NAME_MAX])
{
	*apex = srv->zone_slot;
	return srv->zone_slot != NULL ? srv->n_zone_slots : 0;
}

int
dns_server_start(struct dns_server *srv, struct dns_gen *gen)
{
	/* tcp-clients is for the server; SO_REUSEPORT spreads connections evenly. */
	unsigned per = (srv->tcp_clients + srv->n_workers - 1) / srv->n_workers;
	sigset_t block, old;

	dns_server_slots(srv, gen);
	atomic_store(&srv->gen, gen);
	for (unsigned i = 0; i < srv->n_workers; i++) {
		if (dns_worker_setup(srv->workers[i], per > 0 ? per : 1) != 0) {
			log_warnx("worker %u: out of memory", i);
			return -1;
		}
	}
	/* Signals are the main thread's: workers never run a handler. */
	sigfillset(&block);
	sigdelset(&block, SIGSEGV);
	sigdelset(&block, SIGBUS);
	sigdelset(&block, SIGFPE);
	sigdelset(&block, SIGILL);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (unsigned i = 0; i < srv->n_workers; i++) {
		struct dns_worker *wk = srv->workers[i];
		int rc = pthread_create(&wk->thread, NULL, dns_worker_main, wk);
		if (rc != 0) {
			pthread_sigmask(SIG_SETMASK, &old, NULL);
			log_warnx("worker %u: cannot start a thread: %s", i, strerror(rc));
			return -1;
		}
		wk->running = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	srv->started = true;
	return 0;
}

/* Wait until every worker has been offline or began a loop turn after this call. */
static void
dns_server_synchronize(struct dns_server *srv)
{
	uint64_t target = atomic_fetch_add(&srv->seq, 1) + 1;
	struct timespec pause = { 0, 200 * 1000 };
	double t0 = dns_mono_ms();
	bool warned = false;

	for (unsigned i = 0; i < srv->n_workers; i++) {
		struct dns_worker *wk = srv->workers[i];
		uint64_t e;
		if (wk == NULL || !wk->running)
			continue;
		/* 0: blocked in its loop (or stopped); >= target: a turn began after the swap. */
		while ((e = atomic_load(&wk->epoch)) != 0 && e < target) {
			nanosleep(&pause, NULL);
			if (!warned && dns_mono_ms() - t0 > 5000) {
				log_warnx("reload: worker %u has not finished a loop turn for 5 s; "
				    "the previous zones stay in memory until it does", i);
				warned = true;
			}
		}
	}
}

void
dns_server_publish(struct dns_server *srv, struct dns_gen *gen)
{
	struct dns_gen *old;

	/* Per-zone counter slots before any worker can count into them. */
	dns_server_slots(srv, gen);
	old = atomic_exchange(&srv->gen, gen);

	dns_server_synchronize(srv);
	/* No worker reads it any more; a transfer out still may (dns_gen_hold). */
	if (old != NULL && old->holds > 0)
		old->retired = true;
	else
		dns_gen_free(old);
}

void
dns_server_query_log(struct dns_server *srv, int fd, bool to_syslog, unsigned sample)
{
	int old;

	atomic_store(&srv->qlog_syslog, to_syslog);
	atomic_store(&srv->qlog_sample, sample);
	old = atomic_exchange(&srv->qlog_fd, fd);
	if (old < 0 || old == fd)
		return;
	/* A worker may have loaded the old descriptor for a write that is not done yet. */
	dns_server_synchronize(srv);
	close(old);
}

/*
 * A worker is alive when it is blocked in its loop (offline: epoch 0,
 * waiting for packets costs nothing) or has ended a loop turn since the
 * last call; one that stays online within a single turn from one call to
 * the next (a loop, a lock, a bug) is stuck, and the service manager's
 * watchdog should restart us rather than have us answer from fewer
 * workers while the reloads wait for it forever.
 */
bool
dns_server_workers_alive(struct dns_server *srv, unsigned *stuck)
{
	bool alive = true;

	for (unsigned i = 0; i < srv->n_workers; i++) {
		struct dns_worker *wk = srv->workers[i];
		if (wk == NULL || !wk->running)
			continue;
		uint64_t t = atomic_load_explicit(&wk->turns, memory_order_relaxed);
		bool online = atomic_load(&wk->epoch) != 0;
		if (online && t == wk->turns_seen) {
			if (alive && stuck != NULL)
				*stuck = i;
			alive = false;
		}
		wk->turns_seen = t;
	}
	return alive;
}

const struct dns_gen *
dns_server_gen(const struct dns_server *srv)
{
	return atomic_load_explicit(&srv->gen, memory_order_relaxed);
}

struct dns_gen *
dns_server_gen_hold(struct dns_server *srv)
{
	struct dns_gen *gen = atomic_load_explicit(&srv->gen, memory_order_relaxed);

	dns_gen_hold(gen);
	return gen;
}

/* Main thread: the transfer queries the workers handed over. */
static void
dns_xfr_async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
	struct dns_server *srv = w->data;
	struct dns_xfr_handoff *h;

	pthread_mutex_lock(&srv->xfr_lock);
	h = srv->xfr_head;
	srv->xfr_head = NULL;
	srv->xfr_tail = &srv->xfr_head;
	pthread_mutex_unlock(&srv->xfr_lock);
	while (h != NULL) {
		struct dns_xfr_handoff *next = h->next;
		h->next = NULL;
		srv->xfr_fn(srv->xfr_ctx, h);
		h = next;
	}
}

int
dns_server_set_xfr(struct dns_server *srv, struct ev_loop *loop, dns_server_xfr_fn fn,
    void *ctx)
{
	if (srv->started || srv->xfr_fn != NULL)
		return -1;
	if (pthread_mutex_init(&srv->xfr_lock, NULL) != 0)
		return -1;
	srv->xfr_head = NULL;
	srv->xfr_tail = &srv->xfr_head;
	srv->xfr_loop = loop;
	srv->xfr_ctx = ctx;
	ev_async_init(&srv->xfr_async, dns_xfr_async_cb);
	srv->xfr_async.data = srv;
	ev_async_start(loop, &srv->xfr_async);
	srv->xfr_fn = fn;
	return 0;
}

void
dns_server_stop(struct dns_server *srv)
{
	for (unsigned i = 0; i < srv->n_workers; i++) {
		struct dns_worker *wk = srv->workers[i];
		if (wk != NULL && wk->running)
			ev_async_send(wk->loop, &wk->stop);
	}
	for (unsigned i = 0; i < srv->n_workers; i++) {
		struct dns_worker *wk = srv->workers[i];
		if (wk != NULL && wk->running) {
			pthread_join(wk->thread, NULL);
			wk->running = false;
		}
	}
}

void
dns_server_stats(const struct dns_server *srv, struct dns_server_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < srv->n_workers; i++) {
		const struct dns_worker *wk = srv->workers[i];
		const struct dns_answer_stats *a;
		if (wk == NULL)
			continue;
		a = &wk->stats;
		st->answer.queries += a->queries;
		st->answer.dropped += a->dropped;
		st->answer.noerror += a->noerror;
		st->answer.nxdomain += a->nxdomain;
		st->answer.refused += a->refused;
		st->answer.formerr += a->formerr;
		st->answer.notimp += a->notimp;
		st->answer.servfail += a->servfail;
		st->answer.truncated += a->truncated;
		st->answer.edns += a->edns;
		st->answer.nsid += a->nsid;
		st->answer.chaos += a->chaos;
		st->answer.udp += a->udp;
		st->answer.tcp += a->tcp;
		for (unsigned k = 0; k < DNS_QTYPE_STATS; k++)
			st->answer.qtype[k] += a->qtype[k];
		for (unsigned k = 0; k < DNS_ZONE_STATS; k++)
			st->answer.zone[k] += a->zone[k];
		st->udp_in += wk->udp_in;
		st->udp_out += wk->udp_out;
		st->udp_dropped += wk->udp_dropped;
		st->udp_send_errors += wk->udp_send_errors;
		st->tcp_accepted += wk->tcp_accepted;
		st->tcp_refused += wk->tcp_refused;
		st->tcp_closed_idle += wk->tcp_closed_idle;
		st->tcp_evicted += wk->tcp_evicted;
		st->rrl_limited += wk->rrl_limited;
		st->rrl_slipped += wk->rrl_slipped;
		st->tcp_evicted_busy += wk->tcp_evicted_busy;
		st->tcp_io_timeouts += wk->tcp_io_timeouts;
		st->tcp_refused_per_ip += wk->tcp_refused_per_ip;
		st->notify_in += wk->notify_in;
		st->notify_refused += wk->notify_refused;
		st->notify_dropped += wk->notify_dropped;
		st->xfr_handed += wk->xfr_handed;
		st->xfr_udp += wk->xfr_udp;
	}
}

void
dns_server_worker_stats(const struct dns_server *srv, unsigned i, uint64_t *queries,
    uint64_t *answers)
{
	const struct dns_worker *wk = i < srv->n_workers ? srv->workers[i] : NULL;

	*queries = *answers = 0;
	if (wk == NULL)
		return;
	*queries = wk->stats.queries;
	*answers = wk->stats.queries - wk->stats.dropped;
}

void
dns_server_tcp_slots(const struct dns_server *srv, unsigned *used, unsigned *max)
{
	*used = *max = 0;
	for (unsigned i = 0; i < srv->n_workers; i++) {
		const struct dns_worker *wk = srv->workers[i];
		if (wk == NULL)
			continue;
		*used += wk->n_conns;
		*max += wk->max_conns;
	}
}

void
dns_server_free(struct dns_server *srv)
{
	if (srv == NULL)
		return;
	dns_server_stop(srv);
	for (unsigned i = 0; srv->workers != NULL && i < srv->n_workers; i++)
		dns_worker_free(srv->workers[i]);
	free(srv->workers);
	free(srv->listen);
	free((void *)srv->ip_count);
	if (srv->xfr_fn != NULL) {
		/* Hand-offs nobody took: the workers are stopped, so none can come. */
		ev_async_stop(srv->xfr_loop, &srv->xfr_async);
		for (struct dns_xfr_handoff *h = srv->xfr_head, *n; h != NULL; h = n) {
			n = h->next;
			close(h->fd);
			free(h);
		}
		pthread_mutex_destroy(&srv->xfr_lock);
	}
	free(srv->zone_slot);
	dns_gen_free(atomic_load(&srv->gen));
	if (srv->nq != NULL) {
		ev_async_stop(srv->nq->loop, &srv->nq->async);
		pthread_mutex_destroy(&srv->nq->lock);
		free(srv->nq);
	}
	if (atomic_load(&srv->qlog_fd) >= 0)
		close(atomic_load(&srv->qlog_fd));
	free(srv);
}
