/*
 * check.h - the health checks of a service: dns, zone, tcp, exec and
 * process.
 *
 * Configuration (one `check` line in a `service` block of riposted.conf;
 * check_conf_parse() takes the rest of the line after "check", as
 * written.  Words are separated by blanks; an unquoted word starting with
 * `#` or `!` starts a comment, as everywhere in riposted.conf):
 *
 *	check dns ADDRESS[@PORT] NAME [TYPE] [expect rcode RCODE|any]
 *		A UDP query for NAME/TYPE (default A) to ADDRESS (port 53).
 *		Passes when a reply with our id, QR set and our question
 *		comes back within the timeout and its rcode is RCODE
 *		(default NOERROR; `any`: every rcode passes, the server
 *		answered).  TYPE: A, AAAA, NS, SOA, MX, TXT, CNAME, PTR, SRV,
 *		ANY or TYPEnnn.  ADDRESS is IPv4 or IPv6 (brackets optional:
 *		[::1]@5353).
 *	check zone ADDRESS[@PORT] ZONE [primary ADDRESS[@PORT]]...
 *	    [max-lag DURATION] [expire-margin DURATION]
 *		The freshness of a secondary zone, in DNS alone (any server:
 *		riposte-dns, NSD, Knot, BIND).  A UDP SOA query for ZONE to
 *		ADDRESS (port 53); it fails on a timeout, an rcode other than
 *		NOERROR (SERVFAIL is what an expired secondary answers, RFC
 *		1035 3.3.13), a reply without AA (the server does not hold
 *		the zone: RFC 1035 4.1.1), or no SOA of ZONE in the answer.
 *		With primaries (up to CHECK_ZONE_PRIMARIES, each its own
 *		socket, queried in parallel within the same timeout) the SOA
 *		serials are compared (RFC 1982 serial arithmetic) and the check
 *		fails once the served serial has lacked a version that a
 *		primary has shown for DURATION or longer (default
 *		CHECK_ZONE_MAX_LAG, 5 minutes: long enough for a full AXFR of
 *		a large zone after a NOTIFY, short against the hours of a
 *		usual SOA refresh; 0 fails on any lag seen).  The lag counts
 *		from when the oldest primary serial newer than the served one
 *		was first seen, so a zone that changes faster than it
 *		transfers is not called stale while it keeps up; the state is
 *		kept between runs (a new check, e.g. after a reload that
 *		changes the service's checks, starts afresh).  A primary that
 *		does not answer (or answers without an SOA) neither fails the
 *		check nor resets the lag: the last serial it showed still
 *		counts, so a node that missed a change stays stale while the
 *		hidden primary is down, and nodes stay in while they serve
 *		what the primaries last showed.
 *		With primaries the check also withdraws the node BEFORE its
 *		copy expires (an expired secondary answers SERVFAIL, and every
 *		query that reaches it between the expiry and the withdrawal
 *		fails).  The server's copy expires EXPIRE after its last
 *		successful refresh (RFC 1034 4.3.5, RFC 1035 3.3.13; the
 *		timers of the SOA it serves), and it refreshes every REFRESH
 *		while a primary answers, so its last success is at most
 *		REFRESH older than the last time a primary showed the check
 *		the very serial the server serves (same host, same path: the
 *		server's SOA query got the same answer, "up to date").  The
 *		check fails once no primary has shown the served serial for
 *		longer than EXPIRE - REFRESH - margin ("confirmed" below;
 *		counted from the check's first run until a primary has
 *		answered, so a fresh node is not withdrawn at once).  The
 *		margin (`expire-margin DURATION`) defaults to the larger of
 *		EXPIRE / 10 and twice the service's reaction time, interval +
 *		fall x max(fast-interval, timeout): the time from the first
 *		failing run to the withdrawal, doubled for runs held up by a
 *		busy host and the routers' switch (check_set_reaction()).
 *		Limits: a server restarted while the primaries were silent, or
 *		a primary back for less than RETRY before the expiry, can
 *		expire before the check says so; then SERVFAIL is the signal,
 *		as it is without `primary` words.  Reasons: "rcode SERVFAIL",
 *		"no AA", "no SOA for home. in the answer", "zone home.: serial
 *		5 behind 7 (primary 192.0.2.1) for 312 s", "zone home.:
 *		primaries silent for 6.5 s, the copy may expire in 1.5 s (SOA
 *		refresh 2 s, expire 10 s, margin 1.6 s)", "zone home.: no
 *		primary has shown serial 5 for ... (same tail)".
 *	check tcp ADDRESS:PORT | [IPV6]:PORT
 *		A non-blocking connect; passes when it completes in time.
 *	check exec PATH [ARG...]
 *		Runs PATH (absolute; no shell) with its arguments, stdin,
 *		stdout and stderr on /dev/null, in its own process group.
 *		Passes on exit status 0; killed (SIGKILL to the group) when it
 *		exceeds the timeout, which fails.  PATH and ARGs are quoted
 *		like a shell's words, without expansions: "..." keeps blanks
 *		and everything else, except that \" and \\ stand for " and \;
 *		'...' keeps everything up to the next '; outside quotes \X
 *		stands for X; adjacent pieces make one word (a"b c"'d' is
 *		`ab cd`); "" is an empty argument.  An unterminated quote or
 *		a backslash at the end is an error.  Up to 32 words, 511
 *		characters (words plus one separator each).  The canonical
 *		form quotes only what needs it: /bin/sh -c 'exit 3'.  It runs
 *		as run_uid/run_gid (below), with no capabilities, no new
 *		privileges and PATH=CHECK_EXEC_PATH as its only environment.
 *	check process PIDFILE
 *		Reads the pid from PIDFILE (absolute) and watches the process
 *		through a pidfd: its exit is reported at once (CHECK_DIED),
 *		not at the next interval.  A run passes while the process is
 *		alive; a run re-reads PIDFILE, so a restarted service (new
 *		pid) is watched again.
 *
 * Runtime: check_run() starts one probe and returns at once; the result
 * comes back through the callback from the event loop, exactly once per
 * run (pass, fail or timeout).  A run started while the previous one is
 * still in flight is not started; the callback is not called for it
 * (counted in check->skipped).  Nothing here blocks the loop.
 *
 * Reason strings are short and say what failed, e.g. "timeout 300 ms",
 * "rcode SERVFAIL, expected NOERROR", "no AA", "connection refused", "exit status 2",
 * "killed after timeout 300 ms", "cannot read /run/x.pid: No such file or
 * directory", "pid 1234 exited".
 */
#ifndef RIPOSTE_HEALTH_CHECK_H
#define RIPOSTE_HEALTH_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include "lib/clock.h"

struct ev_loop;

#define CHECK_QNAME_MAX		256	/* presentation form, no trailing dot needed */
#define CHECK_CMD_MAX		512	/* exec: the words, each with its NUL */
#define CHECK_PATH_MAX		256
#define CHECK_MAX_ARGS		32
#define CHECK_ZONE_PRIMARIES	4	/* `primary` words of a zone check */
#define CHECK_ZONE_MAX_LAG	(300 * RTIME_SEC)	/* default max-lag */
/* Primary serials remembered per zone check, each with when it was first seen. */
#define CHECK_ZONE_HISTORY	16

enum check_kind {
	CHECK_DNS,
	CHECK_ZONE,
	CHECK_TCP,
	CHECK_EXEC,
	CHECK_PROCESS,
};

/* An IPv4 or IPv6 address and port (smaller than a sockaddr_storage). */
struct check_addr {
	union {
		struct sockaddr		sa;
		struct sockaddr_in	sin;
		struct sockaddr_in6	sin6;
	}			 u;
	socklen_t		 len;
};

struct check_conf {
	enum check_kind		 kind;
	/* dns, zone (the server), tcp */
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	/* dns; zone: ZONE */
	char			 qname[CHECK_QNAME_MAX];
	uint16_t		 qtype;
	int			 expect_rcode;	/* 0..15, or -1 for any */
	/* zone */
	struct check_addr	 primaries[CHECK_ZONE_PRIMARIES];
	unsigned		 n_primaries;
	rtime_t			 max_lag;
	rtime_t			 expire_margin;	/* -1: derived (check_zone_margin()) */
	/* exec: argc words (unquoted), each ending in a NUL, one after another */
	char			 args[CHECK_CMD_MAX];
	unsigned		 argc;
	/* process */
	char			 path[CHECK_PATH_MAX];
	/*
	 * exec: who runs it, set by the daemon (riposted's check-user):
	 * the program runs as run_uid/run_gid, without capabilities, with
	 * no_new_privs and an environment of PATH=CHECK_EXEC_PATH alone.
	 * run_as false (unit tests): as we are, otherwise the same.
	 */
	bool			 run_as;
	uid_t			 run_uid;
	gid_t			 run_gid;
};

/* The exec check's whole environment. */
#define CHECK_EXEC_PATH		"/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * Parse the words after "check" (e.g. "dns 127.0.0.1 test.home A expect
 * rcode NOERROR").  Returns 0, or -1 with a message in err ("unknown check
 * type 'x' (dns, zone, tcp, exec, process)", "'1.2.3' is not an address", ...).
 */
int		 check_conf_parse(const char *args, struct check_conf *c, char *err,
		    size_t errlen);
/*
 * The canonical words after "check"; check_conf_parse() reads them back
 * equal.  They are never longer than CHECK_FORMAT_MAX characters (a parse
 * that would make them longer is refused), so ` check WORDS` always fits
 * a riposted.conf line.
 */
#define CHECK_FORMAT_MAX	1000
void		 check_conf_format(const struct check_conf *c, char *buf, size_t len);
/*
 * The exec check's argv: pointers into c->args, NULL-terminated, at most
 * CHECK_MAX_ARGS words.  Returns the count (0 for another kind).
 */
unsigned	 check_conf_argv(const struct check_conf *c,
		    const char *argv[CHECK_MAX_ARGS + 1]);
/* "192.0.2.1", "192.0.2.1@5300", "[2001:db8::1]@5300" (port 53 left out). */
void		 check_addr_fmt(const struct check_addr *a, char *buf, size_t len);
/* Same as the format: the name used in logs and in `show services`. */
#define check_conf_name check_conf_format

/*
 * The pure part of the dns check, for tests and the fuzz target: is this
 * reply (untrusted bytes) the answer to our query?  Returns 1 pass, 0 fail
 * with a reason ("rcode SERVFAIL, expected NOERROR"), -1 not our reply
 * (wrong id, not a response, other question, malformed: ignore it and keep
 * waiting, like a resolver does).
 */
int		 check_dns_reply(const uint8_t *buf, size_t len, uint16_t id,
		    const char *qname, uint16_t qtype, int expect_rcode,
		    char *reason, size_t reasonlen);
/* Write the query; returns its length or 0 if it does not fit / bad name. */
size_t		 check_dns_query(uint8_t *buf, size_t len, uint16_t id, const char *qname,
		    uint16_t qtype);

/*
 * The pure parts of the zone check.  check_zone_reply(): is this reply
 * (untrusted bytes) the answer to our SOA query for `zone`, and what serial
 * does it carry?  1 with *serial, 0 fail with a reason ("rcode SERVFAIL",
 * "no AA", "no SOA for home. in the answer", "malformed answer"), -1 not
 * our reply (as check_dns_reply()).  The query is check_dns_query() with
 * type SOA.
 */
int		 check_zone_reply(const uint8_t *buf, size_t len, uint16_t id,
		    const char *zone, uint32_t *serial, char *reason, size_t reasonlen);
/* The five numbers of an SOA (RFC 1035 3.3.13), in seconds but the serial. */
struct check_zone_soa {
	uint32_t	 serial, refresh, retry, expire, minimum;
};
/* check_zone_reply() with the SOA's timers too. */
int		 check_zone_reply_soa(const uint8_t *buf, size_t len, uint16_t id,
		    const char *zone, struct check_zone_soa *soa, char *reason,
		    size_t reasonlen);
/* RFC 1982 3.2: is a before b?  Neither when they are 2^31 apart (undefined). */
bool		 check_serial_lt(uint32_t a, uint32_t b);

/*
 * The lag of a zone check, kept between runs: the serial each primary last
 * showed, and the primary serials newer than the served one with when each
 * was first seen (oldest first; at most CHECK_ZONE_HISTORY, the newest
 * entry takes a newer serial when full, which can only make the lag look
 * longer by the time between the two newest serials).
 */
struct check_zone_lag {
	uint32_t	 known[CHECK_ZONE_PRIMARIES];	/* last serial shown per primary */
	bool		 have[CHECK_ZONE_PRIMARIES];
	struct {
		uint32_t serial;
		rtime_t	 seen;
		unsigned primary;	/* which one showed it first */
	}		 hist[CHECK_ZONE_HISTORY];
	unsigned	 n_hist;
	/*
	 * The expiry: when a primary last showed the served serial (or the
	 * first run, until one has); started once the first run is in.
	 */
	bool		 started;
	rtime_t		 confirmed;
};
/*
 * One run's result: the served serial, and for each primary whether it
 * answered (answered[i]) and with which serial, at `now`.  Returns 1 pass,
 * 0 fail with the reason ("zone home.: serial 5 behind 7 (primary
 * 192.0.2.1) for 312 s").  Pure: the clock is the caller's.
 */
int		 check_zone_lag_update(struct check_zone_lag *lag, const struct check_conf *c,
		    uint32_t served, const bool *answered, const uint32_t *serials,
		    rtime_t now, char *reason, size_t reasonlen);

/*
 * The expiry margin of a zone check: its expire-margin, or the larger of
 * EXPIRE / 10 and 2 x react (the service's time from a first failing run
 * to the withdrawal, check_set_reaction()).
 */
rtime_t		 check_zone_margin(const struct check_conf *c, uint32_t expire,
		    rtime_t react);
/*
 * One run's expiry verdict, after check_zone_lag_update(): the served SOA,
 * what the primaries answered (answered[i], serials[i]).  Returns 1 pass,
 * 0 fail with the reason ("zone home.: primaries silent for 6.5 s, the
 * copy may expire in 1.5 s (SOA refresh 2 s, expire 10 s, margin 1.6 s)").
 * Always 1 without primaries.  Pure: the clock is the caller's.
 */
int		 check_zone_expiry_update(struct check_zone_lag *lag,
		    const struct check_conf *c, const struct check_zone_soa *served,
		    const bool *answered, const uint32_t *serials, rtime_t react,
		    rtime_t now, char *reason, size_t reasonlen);

enum check_result {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_DIED,	/* process check only: the watched process exited */
};

/* reason is never NULL: "" on a pass, the why of a fail or a death. */
typedef void (*check_result_fn)(void *arg, unsigned idx, enum check_result result,
    rtime_t latency, const char *reason);

struct check;

/*
 * A check bound to an event loop.  idx is passed back to the callback
 * (the check's index in its service).  timeout bounds every run.
 * Returns NULL on allocation failure.
 */
struct check	*check_new(struct ev_loop *loop, const struct check_conf *c, unsigned idx,
		    rtime_t timeout, check_result_fn cb, void *arg);
void		 check_run(struct check *);
bool		 check_busy(const struct check *);
/* Runs that were not started because the previous one was still in flight. */
uint64_t	 check_skipped(const struct check *);
/*
 * How long the service takes from this check's first failing run to the
 * withdrawal (riposted: interval + fall x max(fast-interval, timeout)); the
 * zone check's default expire-margin is twice that at least.  Until it is
 * set, the check's timeout.
 */
void		 check_set_reaction(struct check *, rtime_t react);
/* Stops any run in flight (killing an exec child) without calling back. */
void		 check_free(struct check *);

#endif
