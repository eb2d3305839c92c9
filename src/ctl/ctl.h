/*
 * ctl.h - the control channel of riposted (the daemon end of ripostectl),
 * in the manner of ripctl, birdc and knotc: a command table with a help line
 * per command, framed replies, and --json for every command.
 *
 * Wire protocol, over a unix stream socket (CTL_DEFAULT_SOCKET):
 *
 *   request  = WORD *( SP / HTAB WORD ) LF        at most CTL_MAX_LINE bytes,
 *                                                 the LF included
 *   reply    = STATUS SP LEN LF BODY              LEN decimal, BODY exactly
 *                                                 LEN bytes, any content
 *   STATUS   = "OK"                               the command ran
 *            / "ERR"                              the command ran and failed
 *                                                 (no such service, ...)
 *            / "USAGE"                            the request is not a valid
 *                                                 command: unknown, ambiguous,
 *                                                 incomplete, wrong arguments
 *
 * Words are separated by spaces or tabs; there is no quoting.  A CR before
 * the LF is ignored (nc -C, telnet).  Other bytes below 0x20, and 0x7f, make
 * the request an error; bytes >= 0x80 are allowed.  The word "--json" (or
 * "-j") anywhere in the request asks for a JSON body instead of text; it is
 * removed before the command is matched.  Command words match by unique
 * prefix ("sh ro" is "show routes").  "help" is built in and lists the
 * commands.
 *
 * An OK body is the command's output (JSON with --json).  An ERR or USAGE
 * body is a human-readable message ending in LF, or with --json the object
 * {"error":"MESSAGE"} and a LF, so that a script that asked for JSON always
 * gets JSON.  ripostectl exits 0, 1 and 2 for OK, ERR and USAGE: the split
 * lets a script tell a typo from a failure.  A client may send
 * several requests on one connection; the replies come back in order.  The
 * server reads the next request only after the previous reply has been
 * written, so a client that pipelines requests must keep reading.  A request
 * longer than CTL_MAX_LINE gets an ERR reply and the connection is closed;
 * so is the connection of a client beyond CTL_MAX_CLIENTS, and one that
 * stays idle (no request, no reply progress) for CTL_IDLE_TIMEOUT seconds.
 * At end of input a last request without its LF is still answered.
 *
 * The parsing and dispatching (ctl_request_parse, ctl_command_find,
 * ctl_dispatch) are pure: no sockets, no clock, no globals, so the tests
 * and the fuzzer call them directly.  The server is libev glue around them.
 */
#ifndef RIPOSTE_CTL_H
#define RIPOSTE_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/paths.h"

#define CTL_MAX_LINE 1024
#define CTL_MAX_ARGS 16
#define CTL_DEFAULT_SOCKET RIPOSTE_PATH_RIPOSTED_SOCK
#define CTL_MAX_CLIENTS 64
#define CTL_IDLE_TIMEOUT 60.0 /* seconds */

/*
 * Who may do what.  The server reads every client's credentials
 * (SO_PEERCRED, and its supplementary groups through SO_PEERGROUPS) when
 * it connects:
 *
 *	full		root, and members of the full group (the socket file's
 *			group: riposted's control-group, root's group by default)
 *	read-only	members of the read-only group (control-readonly-group):
 *			the commands flagged CTL_CMD_READONLY and help
 *	none		anybody else (the socket's mode may let them connect):
 *			one ERR "permission denied" and the connection is closed
 *
 * The socket file's permissions (0660 by default) are the first gate; this
 * is the second, and the only one that tells read-only from full.
 */
enum ctl_access {
	CTL_ACCESS_NONE,
	CTL_ACCESS_READONLY,
	CTL_ACCESS_FULL,
};

struct ctl_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	enum ctl_access access;
};

/* (gid_t)-1 where a group is not configured. */
#define CTL_NO_GROUP ((gid_t)-1)

/*
 * The access of a client with uid, primary gid and supplementary groups
 * (n of them); pure.
 */
enum ctl_access ctl_access_of(uid_t uid, gid_t gid, const gid_t *groups, size_t n,
    gid_t full_group, gid_t readonly_group);
const char *ctl_access_name(enum ctl_access a);

/*
 * The words of a request; after ctl_command_find() only the arguments that
 * follow the command words.  argv[argc] and later are NULL.
 */
struct ctl_request {
	int argc;
	char *argv[CTL_MAX_ARGS];
	bool json; /* "--json" or "-j" was given */
	const struct ctl_peer *peer; /* who asked (server); NULL: full access */
};

/* What ctl_dispatch() and a handler return; the reply's status word. */
#define CTL_OK 0
#define CTL_ERR (-1)   /* the command ran and failed */
#define CTL_USAGE (-2) /* not a valid request: a bad or missing argument */

struct ctl_command {
	const char *words; /* "show routes": matched word by word, unique prefixes allowed */
	const char *args;  /* usage of the arguments, e.g. "[PREFIX]", or NULL */
	const char *help;  /* one line */
	int min_args, max_args;
	/*
	 * CTL_OK; CTL_ERR (any other non-zero value too) or CTL_USAGE with a
	 * message, as text, written to out: ctl_dispatch() turns it into JSON
	 * when the request asked for JSON.
	 */
	int (*fn)(void *ctx, const struct ctl_request *req, FILE *out);
	/* CTL_CMD_READONLY: it only reads, a read-only client may run it. */
	unsigned flags;
};

#define CTL_CMD_READONLY 0x1

/*
 * Split a request line into words.  len bytes of line are parsed (a trailing
 * LF or CRLF is allowed) and line must have room for len + 1 bytes: words
 * are NUL-terminated in place.  Pure and bounded.  Returns 0, or -1 with a
 * message in err: empty request, too long, control character, too many
 * words.
 */
int ctl_request_parse(char *line, size_t len, struct ctl_request *req, char *err,
    size_t errlen);

/*
 * Find the command for req->argv: per word an exact match, else a unique
 * prefix; when a table has both "show" and "show routes", the longer match
 * wins and an unmatched word is an argument of the shorter.  On success the
 * command words are consumed (req->argv shifted) so that the handler sees
 * only its arguments, whose count has been checked.  The built-in "help"
 * takes part in the matching unless the table has its own; it is returned as
 * a command whose fn is NULL, which ctl_dispatch() runs.  Returns NULL with
 * a message in err: "unknown command 'shoe'", "ambiguous command 's': show,
 * stop", "incomplete command 'show': ...", argument counts.
 */
const struct ctl_command *ctl_command_find(const struct ctl_command *table, size_t n,
    struct ctl_request *req, char *err, size_t errlen);

/*
 * Run one raw request line (with or without its LF): parse, find, and call
 * the handler with an open_memstream() buffer.  Returns the status, CTL_OK,
 * CTL_ERR or CTL_USAGE (parse and matching errors, "help" without a match,
 * a handler's CTL_USAGE), and the reply body in *body (malloc'd, the caller
 * frees it) and *body_len.  An error body is {"error":"..."} when the line
 * has the word --json or -j, even when it could not be parsed.  Only when
 * memory runs out is *body NULL with *body_len 0 (and the status CTL_ERR).
 * Pure apart from calling the handler.
 */
int ctl_dispatch(const struct ctl_command *table, size_t n, void *ctx, const char *line,
    size_t len, char **body, size_t *body_len);

/*
 * ctl_dispatch() for a client: with peer NULL it is ctl_dispatch(); else
 * a command without CTL_CMD_READONLY is refused (ERR "permission denied:
 * ...") unless peer->access is full, and one that runs is logged with the
 * peer's uid, gid and pid (info; these change riposted's state).
 */
int ctl_dispatch_peer(const struct ctl_command *table, size_t n, void *ctx,
    const struct ctl_peer *peer, const char *line, size_t len, char **body, size_t *body_len);

/* The status word of a reply: "OK", "ERR" or "USAGE". */
const char *ctl_status_word(int status);

struct ctl_server;
struct ev_loop;

/*
 * Listen on a unix stream socket at path, mode 0660, and serve requests from
 * the table with ctx in loop.  Handlers run inside the loop: they must not
 * block, and must not call ctl_server_stop() (ev_break() and stop after
 * ev_run() returns).  A stale socket file (nobody answers) is
 * removed; if a live daemon answers on it, fail with EADDRINUSE; if path is
 * something other than a socket, fail with EEXIST.  Returns NULL with errno
 * set on failure.
 */
struct ctl_server *ctl_server_start(struct ev_loop *loop, const char *path,
    const struct ctl_command *table, size_t n, void *ctx);
/*
 * Who may connect: the socket file's mode (CTL_SOCKET_MODE) and group
 * (CTL_NO_GROUP: the creator's), which is also the full group, and the
 * read-only group (see enum ctl_access).
 */
#define CTL_SOCKET_MODE 0660
struct ctl_server_opts {
	mode_t mode;
	gid_t group;
	gid_t readonly_group;
};
struct ctl_server *ctl_server_start_opts(struct ev_loop *loop, const char *path,
    const struct ctl_command *table, size_t n, void *ctx, const struct ctl_server_opts *opts);
/* A new read-only group (a reload); the file's mode and group stay as made. */
void ctl_server_set_readonly_group(struct ctl_server *srv, gid_t gid);
/* Close all clients and the socket, and unlink the path if it is still ours. */
void ctl_server_stop(struct ctl_server *srv);

#endif
