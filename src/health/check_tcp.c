/*
 * check_tcp.c - the tcp check: a non-blocking connect per run; it passes
 * when the socket becomes writable without an error (the RFC 793
 * handshake completed) within the timeout.
 */
#include <sys/socket.h>

#include <errno.h>
#include <unistd.h>

#include "health/check_impl.h"

static void
tcp_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct check *ck = w->data;
	char why[CHECK_REASON_MAX];
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(ck->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err == 0) {
		check_finish(ck, CHECK_PASS, "");
		return;
	}
	check_errno_reason(why, sizeof(why), "", err);
	check_finish(ck, CHECK_FAIL, why);
}

void
check_tcp_start(struct check *ck)
{
	ck->fd = socket(ck->conf.sa.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ck->fd == -1) {
		check_decide_errno(ck, "socket: ", errno);
		return;
	}
	if (connect(ck->fd, (const struct sockaddr *)&ck->conf.sa,
	    ck->conf.salen) == 0) {
		check_decide(ck, CHECK_PASS, "");
		return;
	}
	if (errno != EINPROGRESS) {
		check_decide_errno(ck, "", errno);
		return;
	}
	/* RFC 793 handshake done (or refused) when the socket is writable. */
	ev_io_init(&ck->io, tcp_write_cb, ck->fd, EV_WRITE);
	ck->io.data = ck;
	ev_io_start(ck->loop, &ck->io);
	check_timer_start(ck, ck->timeout);
}

