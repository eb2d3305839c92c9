/*
 * sdnotify.h - the service manager's readiness protocol (sd_notify(3)):
 * datagrams of "KEY=VALUE\n" lines to the unix socket named by
 * $NOTIFY_SOCKET, which systemd sets for a Type=notify unit.  Without
 * $NOTIFY_SOCKET every call does nothing and returns 0, so a daemon calls
 * them unconditionally.
 *
 *	sdnotify_send("READY=1")          serving
 *	sdnotify_reloading()              "RELOADING=1" + MONOTONIC_USEC (systemd
 *	                                  253+ wants the time; older ones ignore it)
 *	sdnotify_send("READY=1")          after the reload, whatever its outcome
 *	sdnotify_send("STOPPING=1")       at shutdown
 *	sdnotify_watchdog_usec()          WatchdogSec= in µs (0: none); ping with
 *	sdnotify_send("WATCHDOG=1")       at half of it
 *
 * Our own ~60 lines rather than libsystemd's sd_notify(): the protocol is
 * documented as stable (sd_notify(3), "Notes"; systemd's NOTIFY_SOCKET
 * interface portability promise), it keeps the fuzz, sanitizer and clang
 * builds free of another library, and a non-systemd supervisor (s6,
 * runit's sd_notify shims, the tests) speaks the same datagrams.
 */
#ifndef RIPOSTE_SDNOTIFY_H
#define RIPOSTE_SDNOTIFY_H

#include <stdint.h>

/* Send state (no trailing newline needed).  0: sent or no manager; -1: errno. */
int sdnotify_send(const char *state);
/* "RELOADING=1\nMONOTONIC_USEC=<CLOCK_MONOTONIC now>". */
int sdnotify_reloading(void);
/*
 * $WATCHDOG_USEC when $WATCHDOG_PID is unset or ours, else 0: the pings
 * are due every half of it.
 */
uint64_t sdnotify_watchdog_usec(void);
/* Whether a service manager listens ($NOTIFY_SOCKET set). */
int sdnotify_enabled(void);

#endif
