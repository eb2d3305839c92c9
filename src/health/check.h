/*
 * check.h - the health checks of a service: dns, tcp, exec and process.
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
 * "rcode SERVFAIL, expected NOERROR", "connection refused", "exit status 2",
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

#include "lib/clock.h"

struct ev_loop;

#define CHECK_QNAME_MAX		256	/* presentation form, no trailing dot needed */
#define CHECK_CMD_MAX		512	/* exec: the words, each with its NUL */
#define CHECK_PATH_MAX		256
#define CHECK_MAX_ARGS		32

enum check_kind {
	CHECK_DNS,
	CHECK_TCP,
	CHECK_EXEC,
	CHECK_PROCESS,
};

struct check_conf {
	enum check_kind		 kind;
	/* dns, tcp */
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	/* dns */
	char			 qname[CHECK_QNAME_MAX];
	uint16_t		 qtype;
	int			 expect_rcode;	/* 0..15, or -1 for any */
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
 * type 'x' (dns, tcp, exec, process)", "'1.2.3' is not an address", ...).
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
/* Stops any run in flight (killing an exec child) without calling back. */
void		 check_free(struct check *);

#endif
