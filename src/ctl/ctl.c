/*
 * ctl.c - the control channel: request parsing and command matching (pure,
 * fuzzed), the built-in help, and the libev server on a unix socket.  The
 * wire protocol is described in ctl.h.
 *
 * The server never blocks: sockets are non-blocking, a client's reply is
 * queued and written as the socket drains (replies can be megabytes: a full
 * routing table), and the next request of a client is read only when its
 * previous reply is out, so a client that sends and never reads costs at
 * most one reply and one line of memory.
 */
#include "ctl.h"
#include "lib/textfile.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <ev.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lib/json.h"
#include "../lib/log.h"

#define CTL_MAX_ACCEPT 16      /* connections accepted per wakeup */
#define CTL_ACCEPT_PAUSE 1.0   /* seconds without accept() after EMFILE & co */

/*
 * "help" is matched like any command so that it can be abbreviated; fn is
 * NULL because it needs the table, which only ctl_dispatch() has.
 */
static const struct ctl_command ctl_help_cmd = {
	"help", "[COMMAND]", "list the commands, or those that start with COMMAND",
	0, CTL_MAX_ARGS, NULL, CTL_CMD_READONLY,
};

/* Append to err at *off; truncates silently, like snprintf. */
static void __attribute__((format(printf, 4, 5)))
ctl_errcat(char *err, size_t errlen, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (err == NULL || *off + 1 >= errlen)
		return;
	va_start(ap, fmt);
	r = vsnprintf(err + *off, errlen - *off, fmt, ap);
	va_end(ap);
	if (r > 0)
		*off = *off + (size_t)r < errlen ? *off + (size_t)r : errlen - 1;
}

int
ctl_request_parse(char *line, size_t len, struct ctl_request *req, char *err, size_t errlen)
{
	size_t i = 0;

	memset(req, 0, sizeof(*req));
	if (len > CTL_MAX_LINE) {
		textfile_err(err, errlen, "request too long (at most %d bytes)", CTL_MAX_LINE);
		return -1;
	}
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';

	/* Reject the whole line before touching it: no half-parsed requests. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			textfile_err(err, errlen, "control character 0x%02x at byte %zu of the request",
			    c, i + 1);
			return -1;
		}
	}

	i = 0;
	while (i < len) {
		if (line[i] == ' ' || line[i] == '\t') {
			line[i++] = '\0';
			continue;
		}
		char *word = &line[i];
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (i < len)
			line[i++] = '\0';
		if (strcmp(word, "--json") == 0 || strcmp(word, "-j") == 0) {
			req->json = true;
			continue;
		}
		if (req->argc == CTL_MAX_ARGS) {
			textfile_err(err, errlen, "too many words in the request (at most %d)",
			    CTL_MAX_ARGS);
			return -1;
		}
		req->argv[req->argc++] = word;
	}
	if (req->argc == 0) {
		textfile_err(err, errlen, "empty request (try 'help')");
		return -1;
	}
	return 0;
}

/* Word idx of a command's words ("show routes"): start and length, or false. */
static bool
ctl_word(const char *words, int idx, const char **w, size_t *wlen)
{
	const char *p = words;

	for (int i = 0;; i++) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return false;
		const char *start = p;
		while (*p != '\0' && *p != ' ')
			p++;
		if (i == idx) {
			*w = start;
			*wlen = (size_t)(p - start);
			return true;
		}
	}
}

static int
ctl_nwords(const char *words)
{
	const char *w;
	size_t wl;
	int n = 0;

	while (ctl_word(words, n, &w, &wl))
		n++;
	return n;
}

/* Entry i of the table, with the built-in help as entry n unless the table has one. */
static const struct ctl_command *
ctl_entry(const struct ctl_command *table, size_t n, size_t i, bool own_help)
{
	if (i < n)
		return &table[i];
	return own_help ? NULL : &ctl_help_cmd;
}

/* Does the command start with the words chosen so far? */
static bool
ctl_candidate(const struct ctl_command *cmd, int k, const char *const *chosen,
    const size_t *chosen_len)
{
	const char *w;
	size_t wl;

	for (int j = 0; j < k; j++) {
		if (!ctl_word(cmd->words, j, &w, &wl) || wl != chosen_len[j] ||
		    memcmp(w, chosen[j], wl) != 0)
			return false;
	}
	return true;
}

/*
 * The alternatives for an ambiguous or incomplete command: the distinct
 * words at level k (that start with typed) of the candidates, each after
 * the words chosen so far, in table order.
 */
static void
ctl_list_alternatives(const struct ctl_command *table, size_t n, bool own_help, int k,
    const char *const *chosen, const size_t *chosen_len, const char *typed, char *err,
    size_t errlen, size_t *off)
{
	size_t tlen = strlen(typed);
	bool any = false;

	for (size_t i = 0; i <= n; i++) {
		const struct ctl_command *cmd = ctl_entry(table, n, i, own_help);
		const char *w, *w2;
		size_t wl, wl2;
		bool dup = false;

		if (cmd == NULL || !ctl_candidate(cmd, k, chosen, chosen_len) ||
		    !ctl_word(cmd->words, k, &w, &wl) || wl < tlen || memcmp(w, typed, tlen) != 0)
			continue;
		for (size_t j = 0; j < i && !dup; j++) {
			const struct ctl_command *prev = ctl_entry(table, n, j, own_help);
			dup = prev != NULL && ctl_candidate(prev, k, chosen, chosen_len) &&
			    ctl_word(prev->words, k, &w2, &wl2) && wl2 == wl &&
			    memcmp(w, w2, wl) == 0;
		}
		if (dup)
			continue;
		ctl_errcat(err, errlen, off, "%s", any ? ", " : "");
		for (int j = 0; j < k; j++)
			ctl_errcat(err, errlen, off, "%.*s ", (int)chosen_len[j], chosen[j]);
		ctl_errcat(err, errlen, off, "%.*s", (int)wl, w);
		any = true;
	}
}

/* "'sh ro'": the first nwords words the user typed, for messages. */
static void
ctl_typed(const struct ctl_request *req, int nwords, char *err, size_t errlen, size_t *off)
{
	ctl_errcat(err, errlen, off, "'");
	for (int j = 0; j < nwords && j < req->argc; j++)
		ctl_errcat(err, errlen, off, "%s%s", j > 0 ? " " : "", req->argv[j]);
	ctl_errcat(err, errlen, off, "'");
}

const struct ctl_command *
ctl_command_find(const struct ctl_command *table, size_t n, struct ctl_request *req,
    char *err, size_t errlen)
{
	const char *chosen[CTL_MAX_ARGS];
	size_t chosen_len[CTL_MAX_ARGS];
	const struct ctl_command *found = NULL;
	bool own_help = false;
	size_t off = 0;
	int k;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].words, "help") == 0)
			own_help = true;
	if (req->argc <= 0 || req->argc > CTL_MAX_ARGS) {
		textfile_err(err, errlen, "empty request (try 'help')");
		return NULL;
	}

	/*
	 * Level by level: at level k the candidates are the commands whose
	 * first k words were chosen.  An exact match beats prefixes (so that
	 * "show" stays reachable next to "showx"); a command whose words are
	 * all chosen ("complete") takes the rest of the request as arguments
	 * when no longer command matches.
	 */
	for (k = 0;; k++) {
		const struct ctl_command *complete = NULL;
		const char *match = NULL;
		size_t mlen = 0;
		int nmatch = 0;
		bool exact = false;

		for (size_t i = 0; i <= n && k > 0 && complete == NULL; i++) {
			const struct ctl_command *cmd = ctl_entry(table, n, i, own_help);
			if (cmd != NULL && ctl_candidate(cmd, k, chosen, chosen_len) &&
			    ctl_nwords(cmd->words) == k)
				complete = cmd;
		}
		if (k == req->argc) {
			if (complete != NULL) {
				found = complete;
				break;
			}
			ctl_errcat(err, errlen, &off, "incomplete command ");
			ctl_typed(req, k, err, errlen, &off);
			ctl_errcat(err, errlen, &off, ": ");
			ctl_list_alternatives(table, n, own_help, k, chosen, chosen_len, "", err,
			    errlen, &off);
			return NULL;
		}

		const char *arg = req->argv[k];
		size_t alen = strlen(arg);
		for (size_t i = 0; i <= n && !exact; i++) {
			const struct ctl_command *cmd = ctl_entry(table, n, i, own_help);
			const char *w;
			size_t wl;

			if (cmd == NULL || !ctl_candidate(cmd, k, chosen, chosen_len) ||
			    !ctl_word(cmd->words, k, &w, &wl) || wl < alen ||
			    memcmp(w, arg, alen) != 0)
				continue;
			exact = wl == alen;
			if (exact || nmatch == 0) {
				match = w;
				mlen = wl;
				nmatch = 1;
			} else if (wl != mlen || memcmp(w, match, wl) != 0)
				nmatch = 2;
		}
		if (exact || nmatch == 1) {
			chosen[k] = match;
			chosen_len[k] = mlen;
			continue;
		}
		if (nmatch == 0 && complete != NULL) {
			found = complete;
			break;
		}
		if (nmatch == 0) {
			ctl_errcat(err, errlen, &off, "unknown command ");
			ctl_typed(req, k + 1, err, errlen, &off);
			return NULL;
		}
		ctl_errcat(err, errlen, &off, "ambiguous command ");
		ctl_typed(req, k + 1, err, errlen, &off);
		ctl_errcat(err, errlen, &off, ": ");
		ctl_list_alternatives(table, n, own_help, k, chosen, chosen_len, arg, err, errlen,
		    &off);
		return NULL;
	}

	/* Consume the command words: the handler sees its arguments only. */
	memmove(&req->argv[0], &req->argv[k], (size_t)(req->argc - k) * sizeof(req->argv[0]));
	for (int j = req->argc - k; j < req->argc; j++)
		req->argv[j] = NULL;
	req->argc -= k;

	if (req->argc < found->min_args || req->argc > found->max_args) {
		const char *what = req->argc < found->min_args ? "missing argument" :
		    found->max_args == 0 ? "no arguments allowed" : "too many arguments";
		textfile_err(err, errlen, "%s for '%s' (usage: %s%s%s)", what, found->words,
		    found->words, found->args != NULL ? " " : "",
		    found->args != NULL ? found->args : "");
		return NULL;
	}
	return found;
}

/* Does the command match the help filter (typed prefixes word by word)? */
static bool
ctl_help_match(const struct ctl_command *cmd, const struct ctl_request *req)
{
	for (int i = 0; i < req->argc; i++) {
		const char *w;
		size_t wl, alen = strlen(req->argv[i]);

		if (!ctl_word(cmd->words, i, &w, &wl) || wl < alen ||
		    memcmp(w, req->argv[i], alen) != 0)
			return false;
	}
	return true;
}

static int
ctl_help(const struct ctl_command *table, size_t n, const struct ctl_request *req, FILE *out)
{
	bool own_help = false;
	size_t width = 0, shown = 0;
	struct json_w jw;

	json_init(&jw, out);
	for (size_t i = 0; i < n; i++)
		if (strcmp(table[i].words, "help") == 0)
			own_help = true;
	for (size_t i = 0; i <= n; i++) {
		const struct ctl_command *cmd = ctl_entry(table, n, i, own_help);
		if (cmd == NULL || !ctl_help_match(cmd, req))
			continue;
		size_t w = strlen(cmd->words) + (cmd->args != NULL ? 1 + strlen(cmd->args) : 0);
		if (w > width)
			width = w;
		shown++;
	}
	if (shown == 0) {
		fprintf(out, "no command starts with '");
		for (int i = 0; i < req->argc; i++)
			fprintf(out, "%s%s", i > 0 ? " " : "", req->argv[i]);
		fprintf(out, "' (try 'help')\n");
		return CTL_USAGE;
	}

	if (req->json) {
		json_obj_begin(&jw);
		json_key(&jw, "commands");
		json_arr_begin(&jw);
	}
	for (size_t i = 0; i <= n; i++) {
		const struct ctl_command *cmd = ctl_entry(table, n, i, own_help);
		if (cmd == NULL || !ctl_help_match(cmd, req))
			continue;
		if (req->json) {
			json_obj_begin(&jw);
			json_key(&jw, "command");
			json_str(&jw, cmd->words);
			json_key(&jw, "args");
			json_str(&jw, cmd->args);
			json_key(&jw, "help");
			json_str(&jw, cmd->help);
			json_obj_end(&jw);
			continue;
		}
		int used = fprintf(out, "%s%s%s", cmd->words, cmd->args != NULL ? " " : "",
		    cmd->args != NULL ? cmd->args : "");
		fprintf(out, "%*s  %s\n", used > 0 ? (int)width - used : 0, "",
		    cmd->help != NULL ? cmd->help : "");
	}
	if (req->json) {
		json_arr_end(&jw);
		json_obj_end(&jw);
		return json_end(&jw);
	}
	fprintf(out, "\nWords may be abbreviated to a unique prefix (\"sh ro\"); "
	    "--json gives JSON output.\n");
	return 0;
}

const char *
ctl_status_word(int status)
{
	return status == CTL_OK ? "OK" : status == CTL_USAGE ? "USAGE" : "ERR";
}

/*
 * Does the line have the word --json or -j?  Looked for without the parser,
 * so that a request the parser refuses (a control character, too long, too
 * many words) still gets its error as JSON.
 */
static bool
ctl_wants_json(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r' ||
		    line[i] == '\n'))
			i++;
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' &&
		    line[i] != '\n')
			i++;
		if ((i - start == 6 && memcmp(line + start, "--json", 6) == 0) ||
		    (i - start == 2 && memcmp(line + start, "-j", 2) == 0))
			return true;
	}
	return false;
}

/*
 * Replace the text message in *body by {"error":"MESSAGE"}, without its
 * final LF.  Returns 0, or -1 when memory runs out (the body is unchanged).
 */
static int
ctl_json_error(char **body, size_t *body_len)
{
	char *buf = NULL;
	size_t len = 0, mlen = *body_len;
	FILE *f;
	int bad;

	while (mlen > 0 && ((*body)[mlen - 1] == '\n' || (*body)[mlen - 1] == '\r'))
		mlen--;
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return -1;
	fputs("{\"error\":", f);
	json_string_n(f, *body, mlen);
	fputs("}\n", f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		free(buf);
		return -1;
	}
	free(*body);
	*body = buf;
	*body_len = len;
	return 0;
}

static bool
ctl_in_group(gid_t want, gid_t gid, const gid_t *groups, size_t n)
{
	if (want == CTL_NO_GROUP)
		return false;
	if (gid == want)
		return true;
	for (size_t i = 0; i < n; i++)
		if (groups[i] == want)
			return true;
	return false;
}

enum ctl_access
ctl_access_of(uid_t uid, gid_t gid, const gid_t *groups, size_t n, gid_t full_group,
    gid_t readonly_group)
{
	if (uid == 0 || ctl_in_group(full_group, gid, groups, n))
		return CTL_ACCESS_FULL;
	if (ctl_in_group(readonly_group, gid, groups, n))
		return CTL_ACCESS_READONLY;
	return CTL_ACCESS_NONE;
}

const char *
ctl_access_name(enum ctl_access a)
{
	return a == CTL_ACCESS_FULL ? "full" : a == CTL_ACCESS_READONLY ? "read-only" : "none";
}

int
ctl_dispatch(const struct ctl_command *table, size_t n, void *ctx, const char *line,
    size_t len, char **body, size_t *body_len)
{
	return ctl_dispatch_peer(table, n, ctx, NULL, line, len, body, body_len);
}

/* "drain dns": the command's words and its arguments, for the log. */
static void
ctl_log_command(const struct ctl_peer *peer, const struct ctl_command *cmd,
    const struct ctl_request *req)
{
	char args[256] = "";
	size_t off = 0;

	for (int i = 0; i < req->argc; i++)
		ctl_errcat(args, sizeof(args), &off, " %s", req->argv[i]);
	log_info("ctl: %s%s by uid %u gid %u pid %ld", cmd->words, args, (unsigned)peer->uid,
	    (unsigned)peer->gid, (long)peer->pid);
}

int
ctl_dispatch_peer(const struct ctl_command *table, size_t n, void *ctx,
    const struct ctl_peer *peer, const char *line, size_t len, char **body, size_t *body_len)
{
	char buf[CTL_MAX_LINE + 1];
	char err[256];
	struct ctl_request req;
	const struct ctl_command *cmd;
	FILE *out;
	int rc, bad;
	bool json = ctl_wants_json(line, len);

	*body = NULL;
	*body_len = 0;
	out = open_memstream(body, body_len);
	if (out == NULL)
		return CTL_ERR;

	/* Parse a copy: the caller's line stays const, and has no room for a NUL. */
	if (len > CTL_MAX_LINE) {
		textfile_err(err, sizeof(err), "request too long (at most %d bytes)", CTL_MAX_LINE);
		cmd = NULL;
	} else {
		memcpy(buf, line, len);
		if (ctl_request_parse(buf, len, &req, err, sizeof(err)) < 0)
			cmd = NULL;
		else
			cmd = ctl_command_find(table, n, &req, err, sizeof(err));
	}

	if (cmd != NULL)
		req.peer = peer;
	if (cmd == NULL) {
		fprintf(out, "%s\n", err);
		rc = CTL_USAGE;
	} else if (peer != NULL && !(cmd->flags & CTL_CMD_READONLY) &&
	    peer->access != CTL_ACCESS_FULL) {
		/* The command exists (so a typo still says USAGE), but not for this client. */
		fprintf(out, "permission denied: '%s' needs full access (uid %u has %s access: "
		    "root and the control group's members have full access)\n", cmd->words,
		    (unsigned)peer->uid, ctl_access_name(peer->access));
		log_info("ctl: %s refused to uid %u gid %u pid %ld (%s access)", cmd->words,
		    (unsigned)peer->uid, (unsigned)peer->gid, (long)peer->pid,
		    ctl_access_name(peer->access));
		rc = CTL_ERR;
	} else if (cmd->fn == NULL)
		rc = ctl_help(table, n, &req, out);
	else {
		if (peer != NULL && !(cmd->flags & CTL_CMD_READONLY))
			ctl_log_command(peer, cmd, &req);
		rc = cmd->fn(ctx, &req, out);
	}
	if (rc != CTL_OK && rc != CTL_USAGE)
		rc = CTL_ERR;

	/* An ERR without a word of explanation helps nobody. */
	if (rc != CTL_OK && fflush(out) == 0 && *body_len == 0)
		fprintf(out, "'%s' failed\n", cmd != NULL ? cmd->words : "request");

	bad = ferror(out);
	if (fclose(out) != 0 || bad) {
		/* Out of memory: a partial body must not pass for a whole one. */
		free(*body);
		*body = strdup("out of memory\n");
		*body_len = *body != NULL ? strlen(*body) : 0;
		rc = CTL_ERR;
	}
	if (rc != CTL_OK && json && *body != NULL && ctl_json_error(body, body_len) < 0) {
		free(*body);
		*body = strdup("{\"error\":\"out of memory\"}\n");
		*body_len = *body != NULL ? strlen(*body) : 0;
		rc = CTL_ERR;
	}
	return rc;
}

/*
 * The server.
 */

struct ctl_reply {
	struct ctl_reply *next;
	char hdr[32];          /* "OK 123\n" */
	size_t hdr_len;
	char *body;
	size_t body_len;
	size_t off;            /* bytes of hdr and then body already sent */
};

struct ctl_client {
	struct ctl_client *prev, *next;
	struct ctl_server *srv;
	int fd;
	ev_io io;
	ev_timer idle;
	struct ctl_reply *q_head, *q_tail;
	char in[CTL_MAX_LINE];
	size_t in_len;
	bool eof;     /* the client has sent all it will send */
	bool closing; /* close once the queue is written */
	struct ctl_peer peer;
};

struct ctl_server {
	struct ev_loop *loop;
	int fd;
	ev_io accept_io;
	ev_timer accept_pause;
	char *path;
	dev_t dev;  /* of the socket file we made, so that stop unlinks only ours */
	ino_t ino;
	const struct ctl_command *table;
	size_t n;
	void *ctx;
	struct ctl_client *clients;
	unsigned nclients;
	struct log_ratelimit rl;
	gid_t full_group, readonly_group;
};

static int64_t
ctl_now_us(struct ctl_server *srv)
{
	return (int64_t)(ev_now(srv->loop) * 1e6);
}

static void
ctl_client_close(struct ctl_client *c)
{
	struct ctl_server *srv = c->srv;

	ev_io_stop(srv->loop, &c->io);
	ev_timer_stop(srv->loop, &c->idle);
	close(c->fd);
	while (c->q_head != NULL) {
		struct ctl_reply *r = c->q_head;
		c->q_head = r->next;
		free(r->body);
		free(r);
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->nclients--;
	free(c);
}

/* Queue a reply; takes body.  Returns -1 when memory runs out. */
static int
ctl_client_enqueue(struct ctl_client *c, int status, char *body, size_t body_len)
{
	struct ctl_reply *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		free(body);
		return -1;
	}
	r->hdr_len = (size_t)snprintf(r->hdr, sizeof(r->hdr), "%s %zu\n",
	    ctl_status_word(status), body != NULL ? body_len : 0);
	r->body = body;
	r->body_len = body != NULL ? body_len : 0;
	if (c->q_tail != NULL)
		c->q_tail->next = r;
	else
		c->q_head = r;
	c->q_tail = r;
	return 0;
}

/* Write what the socket takes.  Returns -1 when the client is gone. */
static int
ctl_client_flush(struct ctl_client *c)
{
	while (c->q_head != NULL) {
		struct ctl_reply *r = c->q_head;
		struct iovec iov[2];
		struct msghdr msg;
		size_t boff = r->off > r->hdr_len ? r->off - r->hdr_len : 0;
		int niov = 0;

		if (r->off < r->hdr_len) {
			iov[niov].iov_base = r->hdr + r->off;
			iov[niov++].iov_len = r->hdr_len - r->off;
		}
		if (boff < r->body_len) {
			iov[niov].iov_base = r->body + boff;
			iov[niov++].iov_len = r->body_len - boff;
		}
		if (niov > 0) {
			memset(&msg, 0, sizeof(msg));
			msg.msg_iov = iov;
			msg.msg_iovlen = (size_t)niov;
			/* MSG_NOSIGNAL: a client that went away must not kill the daemon. */
			ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return 0;
				log_debug("ctl: client %d: write: %s", c->fd, strerror(errno));
				return -1;
			}
			r->off += (size_t)w;
			ev_timer_again(c->srv->loop, &c->idle);
			if (r->off < r->hdr_len + r->body_len)
				continue;
		}
		c->q_head = r->next;
		if (c->q_head == NULL)
			c->q_tail = NULL;
		free(r->body);
		free(r);
	}
	return 0;
}

/* Answer one request line; on lack of memory the connection is closed. */
static void
ctl_client_request(struct ctl_client *c, const char *line, size_t len)
{
	struct ctl_server *srv = c->srv;
	char *body;
	size_t body_len;
	int status;

	status = ctl_dispatch_peer(srv->table, srv->n, srv->ctx, &c->peer, line, len, &body,
	    &body_len);
	if (ctl_client_enqueue(c, status, body, body_len) < 0) {
		log_rl(&srv->rl, ctl_now_us(srv), LOG_LVL_WARN,
		    "ctl: out of memory, closing a control connection");
		c->closing = true;
	}
}

/*
 * A reply the server makes itself (not from the table): a fixed message,
 * as JSON when the start of the request asked for it.
 */
static void
ctl_client_error(struct ctl_client *c, int status, const char *msg, bool json)
{
	char *body = strdup(msg);
	size_t len = body != NULL ? strlen(body) : 0;

	if (body != NULL && json && ctl_json_error(&body, &len) < 0) {
		free(body);
		body = NULL;
	}
	if (body == NULL || ctl_client_enqueue(c, status, body, len) < 0)
		c->closing = true;
}

/* Listen for what the client's state needs: one of reading or writing. */
static void
ctl_client_watch(struct ctl_client *c)
{
	int want = c->q_head != NULL ? EV_WRITE : !c->eof && !c->closing ? EV_READ : 0;

	if ((c->io.events & (EV_READ | EV_WRITE)) == want && ev_is_active(&c->io) == (want != 0))
		return;
	ev_io_stop(c->srv->loop, &c->io);
	ev_io_modify(&c->io, want);
	if (want != 0)
		ev_io_start(c->srv->loop, &c->io);
}

/*
 * Make all the progress possible without blocking: write the queue; when it
 * is empty answer the next complete line in the input.  Closes (and frees)
 * the client when it is done or gone.
 */
static void
ctl_client_pump(struct ctl_client *c)
{
	for (;;) {
		if (c->q_head != NULL) {
			if (ctl_client_flush(c) < 0) {
				ctl_client_close(c);
				return;
			}
			if (c->q_head != NULL)
				break;
		}
		if (c->closing) {
			ctl_client_close(c);
			return;
		}
		char *nl = memchr(c->in, '\n', c->in_len);
		if (nl != NULL) {
			size_t len = (size_t)(nl - c->in) + 1;
			ctl_client_request(c, c->in, len);
			memmove(c->in, c->in + len, c->in_len - len);
			c->in_len -= len;
			continue;
		}
		if (c->in_len == sizeof(c->in)) {
			/* Resynchronising inside an endless line is guesswork: hang up. */
			char msg[64];
			snprintf(msg, sizeof(msg), "request too long (at most %d bytes)\n",
			    CTL_MAX_LINE);
			ctl_client_error(c, CTL_USAGE, msg, ctl_wants_json(c->in, c->in_len));
			c->closing = true;
			continue;
		}
		if (c->eof) {
			/* `printf 'show status' | nc -U` sends no LF: answer anyway. */
			if (c->in_len > 0)
				ctl_client_request(c, c->in, c->in_len);
			c->in_len = 0;
			c->closing = true;
			continue;
		}
		break;
	}
	ctl_client_watch(c);
}

static void
ctl_client_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;

	if ((revents & EV_READ) && c->in_len < sizeof(c->in)) {
		ssize_t r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
		    MSG_DONTWAIT);
		if (r > 0) {
			c->in_len += (size_t)r;
			ev_timer_again(loop, &c->idle);
		} else if (r == 0)
			c->eof = true;
		else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			log_debug("ctl: client %d: read: %s", c->fd, strerror(errno));
			ctl_client_close(c);
			return;
		}
	}
	ctl_client_pump(c);
}

static void
ctl_client_idle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_client *c = w->data;

	log_debug("ctl: client %d idle for %.0f s, closing", c->fd, CTL_IDLE_TIMEOUT);
	ctl_client_close(c);
}

/* Best effort: the socket is new, so a short reply fits in its buffer. */
static void
ctl_reject(int fd, const char *msg)
{
	char buf[128];
	int len;

	len = snprintf(buf, sizeof(buf), "ERR %zu\n%s", strlen(msg), msg);
	if (len > 0 && (size_t)len < sizeof(buf))
		(void)send(fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

/*
 * The client's credentials and what they allow.  The supplementary groups
 * come from SO_PEERGROUPS (Linux 4.13); without it only the primary group
 * counts.  -1 when the kernel says nothing (then the client is refused).
 */
static int
ctl_peer_get(struct ctl_server *srv, int fd, struct ctl_peer *peer)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	gid_t groups[256];
	socklen_t glen = sizeof(groups);
	size_t ng = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred))
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == 0)
		ng = glen / sizeof(groups[0]);
	peer->pid = cred.pid;
	peer->uid = cred.uid;
	peer->gid = cred.gid;
	peer->access = ctl_access_of(cred.uid, cred.gid, groups, ng, srv->full_group,
	    srv->readonly_group);
	return 0;
}

static void
ctl_client_new(struct ctl_server *srv, int fd)
{
	struct ctl_client *c;
	struct ctl_peer peer;

	memset(&peer, 0, sizeof(peer));
	if (ctl_peer_get(srv, fd, &peer) != 0) {
		log_rl(&srv->rl, ctl_now_us(srv), LOG_LVL_WARN, "ctl: no credentials of a client: %s",
		    strerror(errno));
		ctl_reject(fd, "permission denied: no credentials\n");
		return;
	}
	if (peer.access == CTL_ACCESS_NONE) {
		log_rl(&srv->rl, ctl_now_us(srv), LOG_LVL_INFO, "ctl: refused uid %u gid %u "
			    "pid %ld: not root, not in the control group or the read-only group",
			    (unsigned)peer.uid, (unsigned)peer.gid, (long)peer.pid);
		ctl_reject(fd, "permission denied: not root, not in riposted's control group or "
		    "read-only group\n");
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ctl_reject(fd, "out of memory\n");
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->peer = peer;
	ev_io_init(&c->io, ctl_client_io_cb, fd, EV_READ);
	c->io.data = c;
	ev_init(&c->idle, ctl_client_idle_cb);
	c->idle.repeat = CTL_IDLE_TIMEOUT;
	c->idle.data = c;
	c->next = srv->clients;
	if (srv->clients != NULL)
		srv->clients->prev = c;
	srv->clients = c;
	srv->nclients++;
	ev_io_start(srv->loop, &c->io);
	ev_timer_again(srv->loop, &c->idle);
	log_debug("ctl: client %d connected: uid %u gid %u pid %ld, %s access", fd,
	    (unsigned)peer.uid, (unsigned)peer.gid, (long)peer.pid, ctl_access_name(peer.access));
}

static void
ctl_accept_pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_server *srv = w->data;

	ev_io_start(loop, &srv->accept_io);
}

static void
ctl_accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *srv = w->data;

	/* Bounded, so that a connection flood cannot starve the RIP timers. */
	for (int i = 0; i < CTL_MAX_ACCEPT; i++) {
		int fd = accept4(srv->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			log_rl(&srv->rl, ctl_now_us(srv), LOG_LVL_WARN, "ctl: accept: %s",
			    strerror(errno));
			/*
			 * Out of descriptors or memory: the listening socket
			 * stays readable, so without a pause the loop would spin.
			 */
			ev_io_stop(loop, &srv->accept_io);
			ev_timer_set(&srv->accept_pause, CTL_ACCEPT_PAUSE, 0.);
			ev_timer_start(loop, &srv->accept_pause);
			return;
		}
		if (srv->nclients >= CTL_MAX_CLIENTS) {
			log_rl(&srv->rl, ctl_now_us(srv), LOG_LVL_WARN,
			    "ctl: too many control connections, rejecting one");
			ctl_reject(fd, "too many control connections\n");
			continue;
		}
		ctl_client_new(srv, fd);
	}
}

static int
ctl_sockaddr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * A socket file left by a daemon that died is in the way of bind(); one that
 * a running daemon answers on must not be stolen, and a file that is not a
 * socket is a configuration mistake we must not delete.
 */
static int
ctl_remove_stale(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc, saved;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	saved = errno;
	close(fd);
	/* EAGAIN: a full backlog, so somebody is listening. */
	if (rc == 0 || saved == EAGAIN || saved == EINPROGRESS) {
		errno = EADDRINUSE;
		return -1;
	}
	if (saved != ECONNREFUSED) {
		errno = saved;
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	log_info("ctl: removed stale socket %s", path);
	return 0;
}

struct ctl_server *
ctl_server_start(struct ev_loop *loop, const char *path, const struct ctl_command *table,
    size_t n, void *ctx)
{
	static const struct ctl_server_opts defaults = {
		CTL_SOCKET_MODE, CTL_NO_GROUP, CTL_NO_GROUP,
	};

	return ctl_server_start_opts(loop, path, table, n, ctx, &defaults);
}

void
ctl_server_set_readonly_group(struct ctl_server *srv, gid_t gid)
{
	srv->readonly_group = gid;
}

struct ctl_server *
ctl_server_start_opts(struct ev_loop *loop, const char *path, const struct ctl_command *table,
    size_t n, void *ctx, const struct ctl_server_opts *opts)
{
	struct ctl_server *srv;
	struct sockaddr_un sa;
	struct stat st;
	mode_t old_mask;
	int rc, saved;

	if (ctl_sockaddr(path, &sa) < 0 || ctl_remove_stale(path, &sa) < 0)
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	srv->path = strdup(path);
	srv->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (srv->path == NULL || srv->fd < 0)
		goto fail;

	/*
	 * bind() creates the file with 0777 & ~umask; a umask makes it the
	 * mode from the start, where a chmod() afterwards would leave a
	 * window.  The group follows before listen(): until then nobody can
	 * connect, and the creator's group is the narrower one anyway.
	 */
	old_mask = umask(~opts->mode & 0777);
	rc = bind(srv->fd, (const struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc < 0)
		goto fail;
	if ((opts->group != CTL_NO_GROUP && chown(path, (uid_t)-1, opts->group) < 0) ||
	    stat(path, &st) < 0 || listen(srv->fd, SOMAXCONN) < 0) {
		saved = errno;
		unlink(path);
		errno = saved;
		goto fail;
	}
	srv->dev = st.st_dev;
	srv->ino = st.st_ino;
	/* Full access follows the file: its group (root's when none was configured). */
	srv->full_group = st.st_gid;
	srv->readonly_group = opts->readonly_group;
	srv->loop = loop;
	srv->table = table;
	srv->n = n;
	srv->ctx = ctx;
	srv->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(5);
	ev_io_init(&srv->accept_io, ctl_accept_cb, srv->fd, EV_READ);
	srv->accept_io.data = srv;
	ev_init(&srv->accept_pause, ctl_accept_pause_cb);
	srv->accept_pause.data = srv;
	ev_io_start(loop, &srv->accept_io);
	return srv;

fail:
	saved = errno;
	if (srv->fd >= 0)
		close(srv->fd);
	free(srv->path);
	free(srv);
	errno = saved;
	return NULL;
}

void
ctl_server_stop(struct ctl_server *srv)
{
	struct stat st;

	if (srv == NULL)
		return;
	for (struct ctl_client *c = srv->clients, *next; c != NULL; c = next) {
		next = c->next;
		ctl_client_close(c);
	}
	ev_io_stop(srv->loop, &srv->accept_io);
	ev_timer_stop(srv->loop, &srv->accept_pause);
	close(srv->fd);
	/* A second daemon may have taken the path over: leave its socket alone. */
	if (stat(srv->path, &st) == 0 && st.st_dev == srv->dev && st.st_ino == srv->ino)
		unlink(srv->path);
	free(srv->path);
	free(srv);
}
