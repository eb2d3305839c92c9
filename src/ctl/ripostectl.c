/*
 * ripostectl.c - the command-line client of riposted's control channel
 * (the protocol is in ctl.h): joins its arguments into one request line,
 * prints the framed reply, and maps the status to the exit code.
 *
 * The client knows nothing about the commands: matching, argument checks
 * and help live in the daemon, so an old ripostectl works with a newer
 * riposted.  It streams an OK body to stdout instead of holding it, because
 * a full routing table is megabytes; an error body is short and is held, so
 * that with --json it can be checked to be JSON.  No libev here: one
 * request, one reply, poll() for the timeout.
 *
 * With --json every outcome is JSON on stdout, its own errors included
 * ({"error":"..."}), so a script that pipes it to jq never sees prose.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "lib/json.h"

#define RIPOSTECTL_VERSION "0.1.0"

/*
 * A usage error (2) is the caller's to fix: retrying does not help.  A
 * failure (1) is a command that could not be carried out: no such service,
 * riposted not running, no reply.
 */
#define RCTL_EXIT_OK 0
#define RCTL_EXIT_FAIL 1  /* ERR, or riposted not reached, timed out, hung up */
#define RCTL_EXIT_USAGE 2 /* bad options or arguments; USAGE from riposted */

#define RCTL_HDR_MAX 32   /* "USAGE 18446744073709551615\n" fits */
#define RCTL_ERR_MAX 4096 /* of an error body, the rest is cut off */

/* Set once, before any output: with --json errors are JSON on stdout. */
static bool rctl_json;

/*
 * Report one of our own errors: "ripostectl: MESSAGE" on stderr, or with
 * --json {"error":"MESSAGE"} on stdout.  Returns code, for `return rctl_error(...)`.
 */
static int __attribute__((format(printf, 2, 3)))
rctl_error(int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rctl_json) {
		fputs("{\"error\":", stdout);
		json_string(stdout, msg);
		fputs("}\n", stdout);
		fflush(stdout);
	} else
		fprintf(stderr, "ripostectl: %s\n", msg);
	return code;
}

static void
rctl_usage(FILE *f)
{
	fprintf(f,
	    "NAME\n"
	    "    ripostectl - control riposted, the riposte RIPv2 routing daemon\n"
	    "\n"
	    "SYNOPSIS\n"
	    "    ripostectl [-s SOCKET] [-t SECONDS] [-j] COMMAND [ARG...] [--json]\n"
	    "    ripostectl -h | --help | -V | --version\n"
	    "\n"
	    "DESCRIPTION\n"
	    "    ripostectl sends one command to riposted over its control socket and\n"
	    "    prints the reply on standard output, or the error message on standard\n"
	    "    error.  Command words may be abbreviated to a unique prefix:\n"
	    "    'ripostectl sh ro' is 'ripostectl show routes'.\n"
	    "\n"
	    "OPTIONS\n"
	    "    -s, --socket SOCKET\n"
	    "        The control socket of riposted (default %s).\n"
	    "    -t, --timeout SECONDS\n"
	    "        Give up when riposted sends nothing for SECONDS (default 10).\n"
	    "    -j, --json\n"
	    "        JSON output, for scripts.  May also be given after the command.\n"
	    "        Errors are JSON too, {\"error\":\"MESSAGE\"} on standard output;\n"
	    "        every time field is in milliseconds and its name ends in _ms.\n"
	    "    -h, --help\n"
	    "        This text.\n"
	    "    -V, --version\n"
	    "        Print the version of ripostectl and exit.\n"
	    "\n"
	    "COMMANDS\n"
	    "    show routes [PREFIX]\n"
	    "        The RIP routing table, or only the routes within PREFIX.\n"
	    "    show interfaces\n"
	    "        The interfaces RIP runs on, with their state and counters.\n"
	    "    show neighbors\n"
	    "        The RIP neighbors heard from, with the time of their last update.\n"
	    "    show status\n"
	    "        Daemon status: uptime, timers, and the count of every reason\n"
	    "        for which a packet or route was rejected.\n"
	    "    show services [NAME]\n"
	    "        Health-checked services: state (init, up, down, draining,\n"
	    "        drained), whether the address is announced, and each check's\n"
	    "        last result, reason and latency.\n"
	    "    show bfd\n"
	    "        BFD sessions with the RIP neighbours: state, remote state,\n"
	    "        diagnostic and negotiated timers.\n"
	    "    drain SERVICE\n"
	    "        Announce the service at the drain metric and keep its address,\n"
	    "        so the queries already on their way are answered; after its\n"
	    "        drain-time it is withdrawn and the service is 'drained'.\n"
	    "    undrain SERVICE\n"
	    "        End a drain: the service is announced again once its checks\n"
	    "        have passed 'rise' rounds.\n"
	    "    reload\n"
	    "        Read the configuration file again and apply it, like SIGHUP, and\n"
	    "        answer with the result: a bad file is refused with its\n"
	    "        file:line error (exit status 1) and the running configuration\n"
	    "        stays.\n"
	    "    help [COMMAND]\n"
	    "        The list of commands that riposted itself offers; when it and\n"
	    "        this list differ, riposted is right.\n"
	    "\n"
	    "EXIT STATUS\n"
	    "    0   The command succeeded.\n"
	    "    1   The command failed: riposted answered with an error (no such\n"
	    "        service, ...), or could not be reached (not running, no socket),\n"
	    "        timed out or closed the connection before the reply was complete.\n"
	    "    2   Usage error: a bad option, or a command riposted does not know,\n"
	    "        an ambiguous abbreviation, a missing or extra argument, a bad\n"
	    "        argument (a malformed prefix).\n"
	    "    The error is printed on standard error, or with --json as\n"
	    "    {\"error\":\"MESSAGE\"} on standard output.\n"
	    "\n"
	    "EXAMPLES\n"
	    "    ripostectl show routes\n"
	    "    ripostectl sh ro 10.0.0.0/8 --json | jq .\n"
	    "    ripostectl --json drain dns | jq -r .state\n"
	    "    ripostectl -s /run/riposted-lab.sock show neighbors\n"
	    "    ripostectl drain dns; sleep 2; ripostectl show services dns\n",
	    CTL_DEFAULT_SOCKET);
}

/* Wait for fd to become ready for events; -1 with errno ETIMEDOUT when not in time. */
static int
rctl_wait(int fd, short events, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	for (;;) {
		int r = poll(&pfd, 1, timeout_ms);
		if (r > 0)
			return 0;
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

static int
rctl_connect(const char *path, int timeout_ms)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/*
	 * A unix connect() blocks only while the daemon's backlog is full;
	 * SO_SNDTIMEO bounds that wait.  All later I/O is non-blocking with
	 * poll().
	 */
	struct timeval tv = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 };
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
		int saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

static int
rctl_send(int fd, const char *buf, size_t len, int timeout_ms)
{
	while (len > 0) {
		/* MSG_NOSIGNAL: a daemon that hangs up is an error message, not a signal. */
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (rctl_wait(fd, POLLOUT, timeout_ms) < 0)
				return -1;
			continue;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Read some bytes: >0, 0 at end of stream, -1 with errno (ETIMEDOUT). */
static ssize_t
rctl_recv(int fd, char *buf, size_t len, int timeout_ms)
{
	for (;;) {
		ssize_t r = recv(fd, buf, len, 0);
		if (r >= 0)
			return r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (rctl_wait(fd, POLLIN, timeout_ms) < 0)
			return -1;
	}
}

/* "OK 123", "ERR 45" or "USAGE 67" (without the LF): 0 or -1; *status is CTL_*. */
static int
rctl_parse_status(const char *hdr, int *status, unsigned long long *len)
{
	const char *p;
	char *end;

	if (strncmp(hdr, "OK ", 3) == 0) {
		*status = CTL_OK;
		p = hdr + 3;
	} else if (strncmp(hdr, "ERR ", 4) == 0) {
		*status = CTL_ERR;
		p = hdr + 4;
	} else if (strncmp(hdr, "USAGE ", 6) == 0) {
		*status = CTL_USAGE;
		p = hdr + 6;
	} else
		return -1;
	/* Digits only: strtoull would accept a sign or leading spaces. */
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	*len = strtoull(p, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

/*
 * An error reply's body, held in msg (len bytes; more were cut off when
 * cut): on stderr behind "ripostectl: ", or with --json on stdout, as it is
 * when riposted sent JSON, else wrapped in {"error":...} (an older daemon).
 */
static void
rctl_print_error(const char *msg, size_t len, bool cut)
{
	if (len == 0 && !cut) {
		msg = "riposted reported an error without a message";
		len = strlen(msg);
	}
	if (rctl_json) {
		if (!cut && len > 0 && msg[0] == '{') {
			fwrite(msg, 1, len, stdout);
			if (msg[len - 1] != '\n')
				fputc('\n', stdout);
			return;
		}
		while (len > 0 && msg[len - 1] == '\n')
			len--;
		fputs("{\"error\":", stdout);
		json_string_n(stdout, msg, len);
		fputs("}\n", stdout);
		return;
	}
	fputs("ripostectl: ", stderr);
	fwrite(msg, 1, len, stderr);
	if (cut)
		fputs(" [...]\n", stderr);
	/* An error must end its line, or the shell prompt follows it. */
	else if (msg[len - 1] != '\n')
		fputc('\n', stderr);
}

/*
 * Read the status line and the announced body: an OK body streamed to
 * stdout, an error body held and then printed (rctl_print_error).  Returns
 * the exit code.
 */
static int
rctl_reply(int fd, double timeout, int timeout_ms)
{
	static char buf[65536];
	static char err[RCTL_ERR_MAX];
	char hdr[RCTL_HDR_MAX + 1];
	size_t have = 0, hdr_len, err_len = 0;
	unsigned long long left, total;
	bool started = false, cut = false;
	char last = '\n';
	int status;
	char *nl;

	for (;;) {
		ssize_t r = rctl_recv(fd, buf + have, sizeof(buf) - have, timeout_ms);
		if (r < 0) {
			if (errno == ETIMEDOUT)
				return rctl_error(RCTL_EXIT_FAIL, "no reply from riposted within %g s",
				    timeout);
			return rctl_error(RCTL_EXIT_FAIL, "read: %s", strerror(errno));
		}
		if (r == 0)
			return rctl_error(RCTL_EXIT_FAIL,
			    "riposted closed the connection without a reply");
		have += (size_t)r;
		nl = memchr(buf, '\n', have);
		if (nl != NULL)
			break;
		if (have > RCTL_HDR_MAX)
			return rctl_error(RCTL_EXIT_FAIL,
			    "malformed reply from riposted (no status line)");
	}
	hdr_len = (size_t)(nl - buf);
	if (hdr_len > RCTL_HDR_MAX)
		return rctl_error(RCTL_EXIT_FAIL, "malformed reply from riposted (no status line)");
	memcpy(hdr, buf, hdr_len);
	hdr[hdr_len] = '\0';
	if (rctl_parse_status(hdr, &status, &left) < 0)
		return rctl_error(RCTL_EXIT_FAIL, "malformed reply from riposted (bad status line)");
	total = left;

	/* Body bytes that came with the status line. */
	size_t pos = hdr_len + 1;
	for (;;) {
		size_t chunk = have - pos;
		if (chunk > left)
			chunk = (size_t)left;
		if (chunk > 0 && status == CTL_OK) {
			started = true;
			fwrite(buf + pos, 1, chunk, stdout);
			last = buf[pos + chunk - 1];
		} else if (chunk > 0) {
			size_t keep = chunk < sizeof(err) - err_len ? chunk : sizeof(err) - err_len;
			memcpy(err + err_len, buf + pos, keep);
			err_len += keep;
			cut = cut || keep < chunk;
		}
		left -= chunk;
		if (left == 0)
			break;
		ssize_t r = rctl_recv(fd, buf, sizeof(buf), timeout_ms);
		if (r <= 0) {
			int saved = errno;
			fflush(stdout);
			/*
			 * Half a body is on stdout: our message goes to stderr,
			 * where it cannot be taken for the rest of the reply.
			 */
			if (started) {
				if (last != '\n')
					fputc('\n', stdout);
				fflush(stdout);
				if (r < 0 && saved == ETIMEDOUT)
					fprintf(stderr, "ripostectl: riposted stopped sending for "
					    "%g s, reply incomplete\n", timeout);
				else
					fprintf(stderr, "ripostectl: riposted closed the connection, "
					    "reply incomplete (%llu of %llu bytes missing)\n", left,
					    total);
				return RCTL_EXIT_FAIL;
			}
			if (r < 0 && saved == ETIMEDOUT)
				return rctl_error(RCTL_EXIT_FAIL, "riposted stopped sending for %g s, "
				    "reply incomplete", timeout);
			return rctl_error(RCTL_EXIT_FAIL, "riposted closed the connection, reply "
			    "incomplete (%llu of %llu bytes missing)", left, total);
		}
		have = (size_t)r;
		pos = 0;
	}
	if (status != CTL_OK)
		rctl_print_error(err, err_len, cut);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* stderr is unbuffered and may be gone too: nothing better to do. */
		fprintf(stderr, "ripostectl: write error: %s\n", strerror(errno));
		return RCTL_EXIT_FAIL;
	}
	return status == CTL_OK ? RCTL_EXIT_OK : status == CTL_USAGE ? RCTL_EXIT_USAGE :
	    RCTL_EXIT_FAIL;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_DEFAULT_SOCKET;
	char line[CTL_MAX_LINE + 1];
	size_t len = 0;
	double timeout = 10;
	char *end;
	int ch, fd, rc;

	/*
	 * --json anywhere, before the options are parsed: an error in an
	 * option before it (-t x --json) is JSON too.  After the command the
	 * word goes to riposted, which also takes it as --json.
	 */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)
			rctl_json = true;

	/*
	 * "+": stop at the command, so its arguments are never taken for
	 * options; ":": we word the errors ourselves (JSON with --json).
	 */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:s:t:jhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 't':
			errno = 0;
			timeout = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(timeout > 0) ||
			    timeout > 86400)
				return rctl_error(RCTL_EXIT_USAGE, "bad timeout '%s' (seconds, > 0, "
				    "at most 86400)", optarg);
			break;
		case 'j':
			rctl_json = true;
			break;
		case 'h':
			rctl_usage(stdout);
			return RCTL_EXIT_OK;
		case 'V':
			printf("ripostectl %s\n", RIPOSTECTL_VERSION);
			return RCTL_EXIT_OK;
		case ':':
			return rctl_error(RCTL_EXIT_USAGE, "option '%s' needs an argument (try "
			    "'ripostectl --help')", argv[optind - 1]);
		default:
			if (optopt != 0)
				return rctl_error(RCTL_EXIT_USAGE, "unknown option '-%c' (try "
				    "'ripostectl --help')", optopt);
			return rctl_error(RCTL_EXIT_USAGE, "unknown option '%s' (try "
			    "'ripostectl --help')", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return rctl_error(RCTL_EXIT_USAGE, "no command (try 'ripostectl help', or "
		    "'ripostectl --help' for the usage)");

	/*
	 * One line: the words joined by single spaces.  A control character in
	 * an argument (a newline above all) would smuggle in a second request,
	 * so it is refused here rather than sent.
	 */
	for (int i = 0; i < argc + (rctl_json ? 1 : 0); i++) {
		const char *word = i < argc ? argv[i] : "--json";
		size_t wl = strlen(word), sep = len > 0 ? 1 : 0;

		for (size_t j = 0; j < wl; j++) {
			unsigned char c = (unsigned char)word[j];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return rctl_error(RCTL_EXIT_USAGE, "control character 0x%02x in "
				    "argument %d", c, i + 1);
		}
		/* +1: the final LF. */
		if (len + sep + wl + 1 > CTL_MAX_LINE)
			return rctl_error(RCTL_EXIT_USAGE, "command too long (at most %d bytes)",
			    CTL_MAX_LINE - 1);
		if (sep > 0)
			line[len++] = ' ';
		memcpy(line + len, word, wl);
		len += wl;
	}
	line[len++] = '\n';

	int timeout_ms = (int)(timeout * 1000);
	if (timeout_ms == 0)
		timeout_ms = 1;
	fd = rctl_connect(path, timeout_ms);
	if (fd < 0) {
		int e = errno;
		return rctl_error(RCTL_EXIT_FAIL, "cannot connect to %s: %s (%s)", path,
		    strerror(e), e == EACCES || e == EPERM ?
		    "run as root or as a member of the socket's group" :
		    "is riposted running? use -s SOCKET");
	}
	if (rctl_send(fd, line, len, timeout_ms) < 0) {
		int e = errno;
		char c;
		/*
		 * riposted may have said why before it hung up (too many
		 * control connections): that reply beats our EPIPE.
		 */
		if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1) {
			rc = rctl_reply(fd, timeout, timeout_ms);
			close(fd);
			return rc;
		}
		rc = rctl_error(RCTL_EXIT_FAIL, "cannot send to %s: %s", path, strerror(e));
		close(fd);
		return rc;
	}
	rc = rctl_reply(fd, timeout, timeout_ms);
	close(fd);
	return rc;
}
