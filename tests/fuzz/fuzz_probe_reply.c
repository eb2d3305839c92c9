/*
 * fuzz_probe_reply.c - libFuzzer target for riposte-probe's reply parser
 * and the window that matches replies (src/probe/reply.c,
 * src/probe/window.c).
 *
 * The input is a reply as it comes off the socket.  (1) It is parsed
 * against each of the three ways of naming a node, for id.server CH TXT
 * and for an IN A question; whatever passes must hold a node that a CSV
 * line can carry (no comma, no control byte, NUL-terminated, at most
 * PROBE_NODE_MAX - 1 characters) and an rcode of 12 bits.  (2) A reply
 * that passes is fed to a window with a few queries in flight, on a fake
 * clock: the counts must add up and the line that comes out must format
 * and parse back to itself.  (3) The query we build for the question must
 * itself parse as far as its QR bit.  No leaks: the one allocation is
 * freed.  tests/fuzz/replay.c runs the stored corpus in the ordinary
 * test command.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe/csv.h"
#include "probe/reply.h"
#include "probe/window.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static void
check_node(const char *node)
{
	size_t n = strnlen(node, PROBE_NODE_MAX);

	check(n < PROBE_NODE_MAX);
	for (size_t i = 0; i < n; i++)
		check(node[i] >= 0x20 && node[i] <= 0x7e && node[i] != ',' && node[i] != '"');
}

/* A matched reply goes through the window and the CSV and comes back the same. */
static void
window_round(const struct probe_reply *rep)
{
	struct probe_win w;
	struct probe_rec rec, back;
	char line[PROBE_CSV_LINE_MAX];
	const char *why;
	int64_t mono = 1000;

	if (probe_win_init(&w, 16, (uint16_t)(rep->id - 3), 500000) != 0)
		return;
	for (int i = 0; i < 8; i++)
		probe_win_send(&w, mono, 1764133200000000LL + i * 1000);
	enum probe_win_match m = probe_win_reply(&w, rep, mono + 125);
	check(m == PROBE_WIN_MATCHED);
	check(probe_win_reply(&w, rep, mono + 130) == PROBE_WIN_DUPLICATE);
	probe_win_expire(&w, mono + 500000);
	check(w.inflight == 0);
	for (int i = 0; i < 8; i++) {
		check(probe_win_pop(&w, &rec) == 1);
		check(rec.seq == (uint64_t)i);
		check(probe_csv_format(&rec, line, sizeof(line)) > 0);
		line[strlen(line) - 1] = '\0';
		check(probe_csv_parse_line(line, &back, &why) == 0);
		check(back.seq == rec.seq && back.sent_us == rec.sent_us &&
		    back.rcode == rec.rcode && back.rtt_us == rec.rtt_us &&
		    back.recv_us == rec.recv_us && strcmp(back.node, rec.node) == 0);
		if (i == 3)
			check(rec.rcode == (int)rep->rcode && strcmp(rec.node, rep->node) == 0);
		else
			check(rec.rcode == PROBE_RCODE_TIMEOUT);
	}
	check(probe_win_pop(&w, &rec) == 0);
	probe_win_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum probe_ident modes[] = { PROBE_ID_NSID, PROBE_ID_CHAOS, PROBE_ID_A };
	struct probe_qspec q[2];
	struct probe_reply rep;
	uint8_t query[PROBE_QUERY_MAX];
	const char *why;
	bool windowed = false;

	for (size_t m = 0; m < 3; m++) {
		check(probe_qspec_init(&q[0], "id.server", "TXT", NULL, modes[m], &why) == 0);
		check(probe_qspec_init(&q[1], "www.example.com", "A", "IN", modes[m], &why) == 0);
		for (int k = 0; k < 2; k++) {
			int len = probe_query_build(&q[k], 0x1234, query, sizeof(query));
			check(len > 0);
			check(probe_reply_parse(query, (size_t)len, &q[k], &rep) ==
			    PROBE_REPLY_NOT_QR);
			int rc = probe_reply_parse(data, size, &q[k], &rep);
			check(rc <= 0 && rc > -PROBE_REPLY_ERR_COUNT);
			check(probe_reply_err_str(rc) != NULL);
			if (rc != PROBE_REPLY_OK)
				continue;
			check(rep.rcode <= 0xfff);
			check_node(rep.node);
			if (!windowed) {
				window_round(&rep);
				windowed = true;
			}
		}
	}
	return 0;
}
