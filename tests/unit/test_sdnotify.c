/*
 * test_sdnotify.c - lib/sdnotify.c: the sd_notify(3) datagrams to a path and
 * to an abstract socket, the refusals of a bad $NOTIFY_SOCKET, and
 * $WATCHDOG_USEC / $WATCHDOG_PID.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/sdnotify.h"

/* A datagram socket bound to name ("@x": abstract); its fd. */
static int
bind_dgram(const char *name)
{
	struct sockaddr_un sa;
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, name, len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa,
	    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)), 0);
	return fd;
}

static void
recv_str(int fd, char *buf, size_t cap)
{
	ssize_t n = recv(fd, buf, cap - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
}

static void
test_no_manager(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_enabled(), 0);
	assert_int_equal(sdnotify_send("READY=1"), 0);
	assert_int_equal(sdnotify_reloading(), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	assert_int_equal(sdnotify_enabled(), 0);
	assert_int_equal(sdnotify_send("READY=1"), 0);
}

static void
test_path(void **state)
{
	char path[64], buf[256];
	int fd;

	snprintf(path, sizeof(path), "/tmp/riposte-test-notify.%d", (int)getpid());
	unlink(path);
	fd = bind_dgram(path);
	setenv("NOTIFY_SOCKET", path, 1);
	assert_int_equal(sdnotify_enabled(), 1);
	assert_int_equal(sdnotify_send("READY=1\nSTATUS=x"), 0);
	recv_str(fd, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\nSTATUS=x");
	assert_int_equal(sdnotify_reloading(), 0);
	recv_str(fd, buf, sizeof(buf));
	assert_int_equal(strncmp(buf, "RELOADING=1\nMONOTONIC_USEC=", 27), 0);
	assert_true(strtoull(buf + 27, NULL, 10) > 0);
	close(fd);
	unlink(path);
	/* Nobody listens any more: an error, not a crash or a hang. */
	assert_int_equal(sdnotify_send("WATCHDOG=1"), -1);
}

static void
test_abstract(void **state)
{
	char name[64], buf[64];
	int fd;

	snprintf(name, sizeof(name), "@riposte-test-notify-%d", (int)getpid());
	fd = bind_dgram(name);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify_send("STOPPING=1"), 0);
	recv_str(fd, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1");
	close(fd);
}

static void
test_bad_socket(void **state)
{
	char longpath[200];

	setenv("NOTIFY_SOCKET", "relative/notify", 1);
	errno = 0;
	assert_int_equal(sdnotify_send("READY=1"), -1);
	assert_int_equal(errno, EINVAL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	setenv("NOTIFY_SOCKET", longpath, 1);
	errno = 0;
	assert_int_equal(sdnotify_send("READY=1"), -1);
	assert_int_equal(errno, EINVAL);
	unsetenv("NOTIFY_SOCKET");
}

static void
test_watchdog(void **state)
{
	char pid[32];

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(sdnotify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(sdnotify_watchdog_usec(), 30000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_watchdog_usec(), 30000000);
	/* Meant for another process: not ours to ping. */
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(sdnotify_watchdog_usec(), 0);
	setenv("WATCHDOG_PID", "12x", 1);
	assert_int_equal(sdnotify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_PID");
	static const char *const bad[] = { "", "-5", "x", "10s", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("WATCHDOG_USEC", bad[i], 1);
		assert_int_equal(sdnotify_watchdog_usec(), 0);
	}
	unsetenv("WATCHDOG_USEC");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_manager),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_abstract),
		cmocka_unit_test(test_bad_socket),
		cmocka_unit_test(test_watchdog),
	};

	return cmocka_run_group_tests_name("sdnotify", tests, NULL, NULL);
}
