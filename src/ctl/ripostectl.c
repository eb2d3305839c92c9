/*
 * ripostectl.c - the command-line client of riposted's control channel
 * (the protocol is in ctl.h): joins its arguments into one request line,
 * prints the framed reply, and maps the status to the exit code.
 *
 * The client knows nothing about the commands: matching, argument checks
 * and help live in the daemon, so an old ripostectl works with a newer
 * riposted.  It streams the body to stdout instead of holding it, because a
 * full routing table is megabytes.  No libev here: one request, one reply,
 * poll() for the timeout.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"

#define RCTL_EXIT_OK 0
#define RCTL_EXIT_ERR 1   /* the daemon answered ERR */
#define RCTL_EXIT_FAIL 2  /* usage, connection or protocol error */

#define RCTL_HDR_MAX 32   /* "ERR 18446744073709551615\n" fits */

static void
rctl_usage(FILE *f)
{
	fprintf(f,
	    "NAME\n"
	    "    ripostectl - control riposted, the riposte RIPv2 routing daemon\n"
	    "\n"
	    "SYNOPSIS\n"
	    "    ripostectl [-s SOCKET] [-t SECONDS] [-j] COMMAND [ARG...] [--json]\n"
	    "    ripostectl -h | --help\n"
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
	    "    -h, --help\n"
	    "        This text.\n"
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
	    "        Withdraw the service's routes now and keep its address, so the\n"
	    "        queries already on their way are answered; after its\n"
	    "        drain-time the service is 'drained'.\n"
	    "    undrain SERVICE\n"
	    "        End a drain: the service is announced again once its checks\n"
	    "        have passed 'rise' rounds.\n"
	    "    help [COMMAND]\n"
	    "        The list of commands that riposted itself offers; when it and\n"
	    "        this list differ, riposted is right.\n"
	    "\n"
	    "EXIT STATUS\n"
	    "    0   The command succeeded.\n"
	    "    1   riposted answered with an error (printed on standard error).\n"
	    "    2   Usage error, or riposted could not be reached, timed out or\n"
	    "        closed the connection before the reply was complete.\n"
	    "\n"
	    "EXAMPLES\n"
	    "    ripostectl show routes\n"
	    "    ripostectl sh ro 10.0.0.0/8 --json | jq .\n"
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

/* "OK 123" or "ERR 45" (without the LF): 0 or -1. */
static int
rctl_parse_status(const char *hdr, bool *ok, unsigned long long *len)
{
	const char *p;
	char *end;

	if (strncmp(hdr, "OK ", 3) == 0) {
		*ok = true;
		p = hdr + 3;
	} else if (strncmp(hdr, "ERR ", 4) == 0) {
		*ok = false;
		p = hdr + 4;
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

static int
rctl_fail(const char *what)
{
	fprintf(stderr, "ripostectl: %s\n", what);
	return RCTL_EXIT_FAIL;
}

/*
 * Read the status line and stream exactly the announced body to stdout (OK)
 * or stderr (ERR, behind "ripostectl: ").  Returns the exit code.
 */
static int
rctl_reply(int fd, double timeout, int timeout_ms)
{
	static char buf[65536];
	char hdr[RCTL_HDR_MAX + 1];
	size_t have = 0, hdr_len;
	unsigned long long left, total;
	bool ok, started = false;
	char last = '\n';
	FILE *dst;
	char *nl;

	for (;;) {
		ssize_t r = rctl_recv(fd, buf + have, sizeof(buf) - have, timeout_ms);
		if (r < 0) {
			if (errno == ETIMEDOUT) {
				fprintf(stderr, "ripostectl: no reply from riposted within %g s\n",
				    timeout);
				return RCTL_EXIT_FAIL;
			}
			fprintf(stderr, "ripostectl: read: %s\n", strerror(errno));
			return RCTL_EXIT_FAIL;
		}
		if (r == 0)
			return rctl_fail("riposted closed the connection without a reply");
		have += (size_t)r;
		nl = memchr(buf, '\n', have);
		if (nl != NULL)
			break;
		if (have > RCTL_HDR_MAX)
			return rctl_fail("malformed reply from riposted (no status line)");
	}
	hdr_len = (size_t)(nl - buf);
	if (hdr_len > RCTL_HDR_MAX)
		return rctl_fail("malformed reply from riposted (no status line)");
	memcpy(hdr, buf, hdr_len);
	hdr[hdr_len] = '\0';
	if (rctl_parse_status(hdr, &ok, &left) < 0)
		return rctl_fail("malformed reply from riposted (bad status line)");
	total = left;

	dst = ok ? stdout : stderr;
	/* Body bytes that came with the status line. */
	size_t pos = hdr_len + 1;
	for (;;) {
		size_t chunk = have - pos;
		if (chunk > left)
			chunk = (size_t)left;
		if (chunk > 0) {
			if (!ok && !started)
				fputs("ripostectl: ", stderr);
			started = true;
			fwrite(buf + pos, 1, chunk, dst);
			last = buf[pos + chunk - 1];
			left -= chunk;
		}
		if (left == 0)
			break;
		ssize_t r = rctl_recv(fd, buf, sizeof(buf), timeout_ms);
		if (r <= 0) {
			fflush(dst);
			/* Our message on a line of its own, not glued to the body. */
			if (started && last != '\n')
				fputc('\n', stderr);
			if (r < 0 && errno == ETIMEDOUT)
				fprintf(stderr, "ripostectl: riposted stopped sending for %g s, "
				    "reply incomplete\n", timeout);
			else
				fprintf(stderr, "ripostectl: riposted closed the connection, "
				    "reply incomplete (%llu of %llu bytes missing)\n", left, total);
			return RCTL_EXIT_FAIL;
		}
		have = (size_t)r;
		pos = 0;
	}
	if (!ok) {
		/* An ERR message must end its line, or the shell prompt follows it. */
		if (!started)
			fputs("ripostectl: riposted reported an error without a message\n", stderr);
		else if (last != '\n')
			fputc('\n', stderr);
	}
	if (fflush(dst) != 0 || ferror(dst)) {
		/* stderr is unbuffered and may be gone too: nothing better to do. */
		fprintf(stderr, "ripostectl: write error: %s\n", strerror(errno));
		return RCTL_EXIT_FAIL;
	}
	return ok ? RCTL_EXIT_OK : RCTL_EXIT_ERR;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CTL_DEFAULT_SOCKET;
	char line[CTL_MAX_LINE + 1];
	size_t len = 0;
	double timeout = 10;
	bool json = false;
	char *end;
	int ch, fd, rc;

	/* "+": stop at the command, so its arguments are never taken for options. */
	while ((ch = getopt_long(argc, argv, "+s:t:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			path = optarg;
			break;
		case 't':
			errno = 0;
			timeout = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(timeout > 0) ||
			    timeout > 86400) {
				fprintf(stderr, "ripostectl: bad timeout '%s' (seconds, > 0, "
				    "at most 86400)\n", optarg);
				return RCTL_EXIT_FAIL;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			rctl_usage(stdout);
			return RCTL_EXIT_OK;
		default:
			fprintf(stderr, "Try 'ripostectl --help'.\n");
			return RCTL_EXIT_FAIL;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		fprintf(stderr, "ripostectl: no command (try 'ripostectl help', or "
		    "'ripostectl --help' for the usage)\n");
		return RCTL_EXIT_FAIL;
	}

	/*
	 * One line: the words joined by single spaces.  A control character in
	 * an argument (a newline above all) would smuggle in a second request,
	 * so it is refused here rather than sent.
	 */
	for (int i = 0; i < argc + (json ? 1 : 0); i++) {
		const char *word = i < argc ? argv[i] : "--json";
		size_t wl = strlen(word), sep = len > 0 ? 1 : 0;

		for (size_t j = 0; j < wl; j++) {
			unsigned char c = (unsigned char)word[j];
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				fprintf(stderr, "ripostectl: control character 0x%02x in "
				    "argument %d\n", c, i + 1);
				return RCTL_EXIT_FAIL;
			}
		}
		/* +1: the final LF. */
		if (len + sep + wl + 1 > CTL_MAX_LINE) {
			fprintf(stderr, "ripostectl: command too long (at most %d bytes)\n",
			    CTL_MAX_LINE - 1);
			return RCTL_EXIT_FAIL;
		}
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
		fprintf(stderr, "ripostectl: cannot connect to %s: %s (%s)\n", path, strerror(e),
		    e == EACCES || e == EPERM ?
		    "run as root or as a member of the socket's group" :
		    "is riposted running? use -s SOCKET");
		return RCTL_EXIT_FAIL;
	}
	if (rctl_send(fd, line, len, timeout_ms) < 0) {
		fprintf(stderr, "ripostectl: cannot send to %s: %s\n", path, strerror(errno));
		close(fd);
		return RCTL_EXIT_FAIL;
	}
	rc = rctl_reply(fd, timeout, timeout_ms);
	close(fd);
	return rc;
}
