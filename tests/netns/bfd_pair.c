/*
 * bfd_pair.c - one BFD session on real sockets, for tests/netns/t_bfd.sh.
 *
 *	bfd_pair PEER LOCAL IFNAME INTERVAL_MS MULT [PORT [AUTH KEY-ID SECRET]]
 *
 * With AUTH (simple, keyed-md5, meticulous-keyed-md5, keyed-sha1,
 * meticulous-keyed-sha1) the session authenticates (RFC 5880 6.7) with one
 * key, KEY-ID and SECRET, in a key chain of its own.
 *
 * Prints one line per state change on stdout, with the wall-clock time in
 * milliseconds since the epoch (comparable with the test's $EPOCHREALTIME):
 *
 *	1732600000123 up diag=none remote=up remote_diag=none
 *	1732600000456 down diag=time-expired remote=down remote_diag=none
 *
 * SIGUSR1 prints a "stats ..." line, then `show bfd` as text (lines starting
 * with "# ") and as JSON (one line starting with '{').  SIGUSR2 toggles the
 * interval between INTERVAL_MS and twice that on the running session (a
 * poll sequence, RFC 5880 6.8.3) and prints "MS timers N".  SIGTERM/SIGINT
 * close the manager (AdminDown goes out), print the stats and exit 0.
 */
#include <errno.h>
#include <ev.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bfd/bfd.h"
#include "lib/addr.h"
#include "lib/log.h"

static struct bfd_mgr *mgr;
static uint32_t peer, local, ival_us;
static unsigned ifindex;
static uint8_t mult;
static bool slow;
static struct bfd_auth_conf auth;

static long long
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_event(void *arg, const struct bfd_event *ev)
{
	(void)arg;
	printf("%lld %s diag=%s remote=%s remote_diag=%s\n", wall_ms(), bfd_state_name(ev->to),
	    bfd_diag_short(ev->diag), bfd_state_name(ev->remote_state),
	    bfd_diag_short(ev->remote_diag));
	fflush(stdout);
}

static void
print_stats(void)
{
	struct bfd_mgr_stats st;
	unsigned long long dec = 0;

	bfd_mgr_stats(mgr, &st);
	for (int i = 0; i < BFD_ERR_COUNT; i++)
		dec += st.drop_decode[i];
	printf("%lld stats rx=%llu tx=%llu tx_errors=%llu drop_ttl=%llu drop_no_session=%llu"
	    " drop_decode=%llu sessions=%llu up=%llu\n", wall_ms(),
	    (unsigned long long)st.rx_packets, (unsigned long long)st.tx_packets,
	    (unsigned long long)st.tx_errors, (unsigned long long)st.drop_ttl,
	    (unsigned long long)st.drop_no_session, dec, (unsigned long long)st.sessions,
	    (unsigned long long)st.sessions_up);
	fflush(stdout);
}

static void
on_usr1(struct ev_loop *loop, ev_signal *w, int revents)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *f;

	(void)loop;
	(void)w;
	(void)revents;
	print_stats();
	f = open_memstream(&buf, &len);
	if (f == NULL)
		return;
	bfd_mgr_show(mgr, f, false, clock_mono_now());
	fclose(f);
	for (line = strtok_r(buf, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	free(buf);
	bfd_mgr_show(mgr, stdout, true, clock_mono_now());
	fflush(stdout);
}

static void
on_usr2(struct ev_loop *loop, ev_signal *w, int revents)
{
	uint32_t iv;

	(void)loop;
	(void)w;
	(void)revents;
	slow = !slow;
	iv = slow ? 2 * ival_us : ival_us;
	if (bfd_mgr_add(mgr, peer, local, ifindex, iv, mult, &auth) < 0)
		printf("%lld timers error %s\n", wall_ms(), strerror(errno));
	else
		printf("%lld timers %u\n", wall_ms(), (unsigned)(iv / 1000));
	fflush(stdout);
}

static void
on_term(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bfd_pair PEER LOCAL IFNAME INTERVAL_MS MULT "
	    "[PORT [AUTH KEY-ID SECRET]]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct ev_loop *loop = ev_default_loop(0);
	ev_signal sig_term, sig_int, sig_usr1, sig_usr2;
	long ival, lmult, port = BFD_PORT;
	struct keychain_key key;
	struct keychain chain = { .name = "pair", .keys = &key, .n_keys = 1 };
	struct keychain_set chains = { .chains = &chain, .n = 1 };

	if (argc != 6 && argc != 7 && argc != 10)
		usage();
	if (argc == 10) {
		long id = strtol(argv[8], NULL, 10);

		memset(&key, 0, sizeof(key));
		if (bfd_auth_type_parse(argv[7], &auth.type) != 0 || id < 0 || id > 255 ||
		    strlen(argv[9]) == 0 || strlen(argv[9]) > KEYCHAIN_SECRET_MAX)
			usage();
		key.id = (uint32_t)id;
		memcpy(key.secret, argv[9], strlen(argv[9]));
		/* Always valid: from the epoch on. */
		key.accept.start = key.send.start = 0;
		key.accept.end = key.send.end = KEYCHAIN_INFINITE;
		memcpy(auth.keychain, chain.name, strlen(chain.name));
	}
	if (ip4_parse(argv[1], &peer) < 0 || ip4_parse(argv[2], &local) < 0)
		usage();
	ifindex = if_nametoindex(argv[3]);
	if (ifindex == 0) {
		fprintf(stderr, "bfd_pair: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	ival = strtol(argv[4], NULL, 10);
	lmult = strtol(argv[5], NULL, 10);
	if (argc >= 7)
		port = strtol(argv[6], NULL, 10);
	if (ival < BFD_MIN_INTERVAL_MS || ival > BFD_MAX_INTERVAL_MS || lmult < 1 || lmult > 255 ||
	    port < 1 || port > 65535)
		usage();
	ival_us = (uint32_t)ival * 1000;
	mult = (uint8_t)lmult;
	log_init("bfd_pair");
	setvbuf(stdout, NULL, _IOLBF, 0);

	mgr = bfd_mgr_open(loop, (uint16_t)port, on_event, NULL);
	if (mgr == NULL) {
		fprintf(stderr, "bfd_pair: bfd_mgr_open: %s\n", strerror(errno));
		return 1;
	}
	if (bfd_mgr_keychains(mgr, &chains) < 0) {
		fprintf(stderr, "bfd_pair: bfd_mgr_keychains: %s\n", strerror(errno));
		bfd_mgr_close(mgr);
		return 1;
	}
	if (bfd_mgr_add(mgr, peer, local, ifindex, ival_us, mult, &auth) < 0) {
		fprintf(stderr, "bfd_pair: bfd_mgr_add: %s\n", strerror(errno));
		bfd_mgr_close(mgr);
		return 1;
	}
	/* Idempotent when nothing changed. */
	if (bfd_mgr_add(mgr, peer, local, ifindex, ival_us, mult, &auth) < 0) {
		fprintf(stderr, "bfd_pair: bfd_mgr_add again: %s\n", strerror(errno));
		bfd_mgr_close(mgr);
		return 1;
	}
	printf("%lld start\n", wall_ms());
	ev_signal_init(&sig_term, on_term, SIGTERM);
	ev_signal_init(&sig_int, on_term, SIGINT);
	ev_signal_init(&sig_usr1, on_usr1, SIGUSR1);
	ev_signal_start(loop, &sig_term);
	ev_signal_start(loop, &sig_int);
	ev_signal_init(&sig_usr2, on_usr2, SIGUSR2);
	ev_signal_start(loop, &sig_usr1);
	ev_signal_start(loop, &sig_usr2);
	ev_run(loop, 0);

	print_stats();
	bfd_mgr_close(mgr);
	printf("%lld exit\n", wall_ms());
	ev_loop_destroy(loop);
	return 0;
}
