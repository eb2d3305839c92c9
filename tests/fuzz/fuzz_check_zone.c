/*
 * fuzz_check_zone.c - libFuzzer target for the zone health check
 * (src/health/check_zone.c): the SOA reply reader, which reads whatever
 * comes back to the check's sockets from the server and the primaries, and
 * the lag that the serials it reads drive.
 *
 * Properties: the reader never reads past the input (ASan), returns -1, 0
 * or 1, gives a reason exactly when it fails, sets the serial only when it
 * passes and only for a message with our id and QR set.  The input, read
 * again as a sequence of runs (served serial, two primaries' serials or
 * silence, time steps) for the lag: the history stays within its bound,
 * its serials strictly increase (RFC 1982) and are all newer than the
 * served one and not newer than the last, its times never decrease, and a failed run's reason names the
 * zone; the expiry on the same runs (SOA refresh and expire from the step
 * bytes) keeps its confirmation time between the first run and now, never
 * going back, and never fails a run in which a primary showed the served
 * serial.  tests/fuzz/replay.c runs the stored corpus (tests/fuzz/corpus/
 * check_zone) in the ordinary test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "health/check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The seeds are replies to this query: home./SOA, id 0x1234. */
#define FUZZ_ID		0x1234
#define FUZZ_ZONE	"home"

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
reply(const uint8_t *data, size_t size)
{
	char reason[128];
	uint32_t serial = 0xa5a5a5a5u;
	int r;

	memset(reason, 'x', sizeof(reason));
	r = check_zone_reply(data, size, FUZZ_ID, FUZZ_ZONE, &serial, reason,
	    sizeof(reason));
	check(r == -1 || r == 0 || r == 1);
	check(memchr(reason, '\0', sizeof(reason)) != NULL);
	check((r == 0) == (reason[0] != '\0'));
	check(r == 1 || serial == 0xa5a5a5a5u);
	if (r == -1)
		return;
	check(size >= 12 && data[0] == FUZZ_ID >> 8 && data[1] == (FUZZ_ID & 0xff));
	check(data[2] & 0x80);
	/* A pass needs NOERROR and AA. */
	check(r != 1 || ((data[3] & 0x0f) == 0 && (data[2] & 0x04)));
	/* Without room for a reason the answer is the same. */
	check(check_zone_reply(data, size, FUZZ_ID, FUZZ_ZONE, &serial, NULL, 0) == r);
	/* And with the timers, the same verdict and serial. */
	{
		struct check_zone_soa soa;

		check(check_zone_reply_soa(data, size, FUZZ_ID, FUZZ_ZONE, &soa, NULL, 0) == r);
		check(r != 1 || soa.serial == serial);
	}
}

static uint32_t
u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 14 bytes per run: served, primary 0, primary 1 (0xffffffff 0xff.. silent), ms step. */
static void
lag(const uint8_t *data, size_t size)
{
	static struct check_conf c;
	static int parsed;
	struct check_zone_lag st;
	char reason[256], err[128];
	rtime_t now = 1000 * RTIME_SEC;

	if (!parsed) {
		check(check_conf_parse("zone 127.0.0.1 home primary 192.0.2.1 "
		    "primary 192.0.2.2 max-lag 3s", &c, err, sizeof(err)) == 0);
		parsed = 1;
	}
	memset(&st, 0, sizeof(st));
	for (; size >= 14; data += 14, size -= 14) {
		uint32_t served = u32(data), s[CHECK_ZONE_PRIMARIES] = { u32(data + 4), u32(data + 8) };
		bool ans[CHECK_ZONE_PRIMARIES] = { s[0] != 0xffffffffu, s[1] != 0xffffffffu };
		int r;

		now += (rtime_t)(data[12] << 8 | data[13]) * RTIME_MS;
		memset(reason, 'x', sizeof(reason));
		r = check_zone_lag_update(&st, &c, served, ans, s, now, reason, sizeof(reason));
		check(r == 0 || r == 1);
		check(memchr(reason, '\0', sizeof(reason)) != NULL);
		check((r == 0) == (reason[0] != '\0'));
		check(r == 1 || strncmp(reason, "zone home.: serial ", 19) == 0);
		check(st.n_hist <= CHECK_ZONE_HISTORY);
		check(r == 1 || st.n_hist > 0);
		/* The expiry, on the same runs: SOA refresh and expire from the step bytes. */
		{
			struct check_zone_soa soa = { served, data[12], 1, data[13], 0 };
			rtime_t before = st.confirmed;
			bool was = st.started;

			memset(reason, 'x', sizeof(reason));
			r = check_zone_expiry_update(&st, &c, &soa, ans, s, 800 * RTIME_MS, now,
			    reason, sizeof(reason));
			check(r == 0 || r == 1);
			check(memchr(reason, '\0', sizeof(reason)) != NULL);
			check((r == 0) == (reason[0] != '\0'));
			check(r == 1 || strncmp(reason, "zone home.: ", 12) == 0);
			check(st.started && st.confirmed <= now);
			check(!was || st.confirmed >= before);
			/* A primary that showed the served serial passes the run. */
			check(r == 1 || !((ans[0] && s[0] == served) || (ans[1] && s[1] == served)));
		}
		for (unsigned i = 0; i < st.n_hist; i++) {
			check(check_serial_lt(served, st.hist[i].serial));
			check(i + 1 == st.n_hist ||
			    check_serial_lt(st.hist[i].serial, st.hist[st.n_hist - 1].serial));
			check(st.hist[i].seen <= now);
			check(st.hist[i].primary < c.n_primaries);
			if (i > 0) {
				check(check_serial_lt(st.hist[i - 1].serial, st.hist[i].serial));
				check(st.hist[i - 1].seen <= st.hist[i].seen);
			}
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	reply(data, size);
	lag(data, size);
	return 0;
}
