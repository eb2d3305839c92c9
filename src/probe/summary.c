/*
 * summary.c - the summary of a probe run from its records.  See summary.h
 * for the definitions of before, takeover, outage and the interval.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/array.h"
#include "../lib/json.h"
#include "summary.h"

#define TEXT_SWITCHES 20  /* switches listed by the text form */

void
probe_sum_init(struct probe_sum *s, const struct probe_sum_conf *conf)
{
	memset(s, 0, sizeof(*s));
	s->conf = *conf;
	s->outage_us = -1;
	if (conf->fault && !conf->fault_relative) {
		s->have_fault = true;
		s->fault_us = conf->fault_us;
	}
}

void
probe_sum_free(struct probe_sum *s)
{
	free(s->nodes);
	free(s->switches);
	s->nodes = NULL;
	s->switches = NULL;
	s->n_nodes = s->cap_nodes = s->n_switches = s->cap_switches = 0;
}

static int
count_node(struct probe_sum *s, const char *node)
{
	/* The last node found is the likely one: most runs see one or two. */
	static const size_t none = (size_t)-1;
	size_t hit = none;

	for (size_t i = s->n_nodes; i-- > 0;) {
		if (strcmp(s->nodes[i].name, node) == 0) {
			hit = i;
			break;
		}
	}
	if (hit != none) {
		s->nodes[hit].count++;
		return 0;
	}
	if (s->n_nodes >= PROBE_NODES_MAX) {
		s->other_nodes++;
		return 0;
	}
	if (!array_grow((void **)&s->nodes, &s->cap_nodes, s->n_nodes + 1, sizeof(*s->nodes))) {
		s->oom = true;
		s->other_nodes++;
		return -1;
	}
	struct probe_node_count *n = &s->nodes[s->n_nodes++];
	snprintf(n->name, sizeof(n->name), "%s", node);
	n->count = 1;
	return 0;
}

static int
add_switch(struct probe_sum *s, int64_t at, const char *from, const char *to)
{
	s->switch_count++;
	if (s->n_switches >= PROBE_SWITCHES_MAX)
		return 0;
	if (!array_grow((void **)&s->switches, &s->cap_switches, s->n_switches + 1,
	    sizeof(*s->switches))) {
		s->oom = true;
		return -1;
	}
	struct probe_switch *w = &s->switches[s->n_switches++];
	w->at_us = at;
	snprintf(w->from, sizeof(w->from), "%s", from);
	snprintf(w->to, sizeof(w->to), "%s", to);
	return 0;
}

/* A failed or successful query for a run of failures; the longest closed run in *max. */
static void
run_step(bool *in_run, int64_t *start, int64_t *max, bool ok, int64_t sent)
{
	if (!ok) {
		if (!*in_run) {
			*in_run = true;
			*start = sent;
		}
		return;
	}
	if (*in_run && sent - *start > *max)
		*max = sent - *start;
	*in_run = false;
}

int
probe_sum_add(struct probe_sum *s, const struct probe_rec *r)
{
	int rc = 0;

	if (s->queries == 0) {
		s->first_sent_us = r->sent_us;
		if (s->conf.fault && s->conf.fault_relative) {
			s->have_fault = true;
			s->fault_us = r->sent_us + s->conf.fault_us;
		}
	}
	s->queries++;
	s->last_sent_us = r->sent_us;

	bool answered = r->rcode != PROBE_RCODE_TIMEOUT;
	if (answered && s->conf.timeout_us > 0 && r->rtt_us >= s->conf.timeout_us) {
		s->late++;
		answered = false;
	}
	if (!answered) {
		s->timeouts++;
	} else {
		s->answered++;
		if (r->node[0] == '\0')
			s->unidentified++;
		else if (count_node(s, r->node) != 0)
			rc = -1;
	}
	bool ok = answered && (unsigned)r->rcode == s->conf.expect_rcode;
	bool named = ok && r->node[0] != '\0';
	if (!ok)
		s->failed++;
	if (named) {
		if (s->first_node[0] == '\0')
			snprintf(s->first_node, sizeof(s->first_node), "%s", r->node);
		if (s->last_node[0] != '\0' && strcmp(s->last_node, r->node) != 0 &&
		    add_switch(s, r->recv_us, s->last_node, r->node) != 0)
			rc = -1;
		snprintf(s->last_node, sizeof(s->last_node), "%s", r->node);
	}
	run_step(&s->run_all, &s->run_all_start, &s->longest_outage_us, ok, r->sent_us);

	if (!s->have_fault)
		return rc;
	if (r->sent_us < s->fault_us) {
		if (named) {
			s->have_before = true;
			snprintf(s->before, sizeof(s->before), "%s", r->node);
		}
		return rc;
	}
	if (s->outage_us < 0)
		s->outage_us = 0;
	if (!ok)
		s->failed_after_fault++;
	run_step(&s->run_fault, &s->run_fault_start, &s->outage_us, ok, r->sent_us);
	if (named && (!s->have_before || strcmp(r->node, s->before) != 0) &&
	    (!s->have_takeover || r->recv_us < s->takeover_recv_us)) {
		s->have_takeover = true;
		s->takeover_recv_us = r->recv_us;
		snprintf(s->takeover_node, sizeof(s->takeover_node), "%s", r->node);
	}
	return rc;
}

void
probe_sum_finish(struct probe_sum *s)
{
	s->interval_us = s->conf.interval_us;
	if (s->interval_us <= 0)
		s->interval_us = s->queries > 1 ?
		    (s->last_sent_us - s->first_sent_us) / (int64_t)(s->queries - 1) : 0;
	/* A run that lasts to the end ends one interval after the last query. */
	int64_t end = s->last_sent_us + s->interval_us;
	if (s->run_all && end - s->run_all_start > s->longest_outage_us)
		s->longest_outage_us = end - s->run_all_start;
	if (s->run_fault && end - s->run_fault_start > s->outage_us)
		s->outage_us = end - s->run_fault_start;
	s->run_all = s->run_fault = false;
	if (s->have_fault && s->outage_us < 0)
		s->outage_us = 0;
}

int
probe_sum_records(struct probe_sum *s, const struct probe_sum_conf *conf,
    const struct probe_rec *r, size_t n)
{
	int rc = 0;

	probe_sum_init(s, conf);
	for (size_t i = 0; i < n; i++)
		if (probe_sum_add(s, &r[i]) != 0)
			rc = -1;
	probe_sum_finish(s);
	return rc;
}

const char *
probe_ms_str(int64_t us, char buf[32])
{
	/* Round half away from zero to tenths of a millisecond. */
	int64_t a = us < 0 ? -us : us, tenths = (a + 50) / 100;

	snprintf(buf, 32, "%s%" PRId64 ".%" PRId64, us < 0 ? "-" : "", tenths / 10, tenths % 10);
	return buf;
}

/* Seconds since the epoch with microseconds, the form of bash's $EPOCHREALTIME. */
static const char *
epoch_str(int64_t us, char buf[32])
{
	snprintf(buf, 32, "%" PRId64 ".%06" PRId64, us / 1000000, us % 1000000);
	return buf;
}

/* ---------------------------------------------------------------- JSON */

static void
str_or_null(struct json_w *w, bool have, const char *s)
{
	if (have)
		json_str(w, s);
	else
		json_null(w);
}

void
probe_sum_json(FILE *f, const struct probe_sum *s)
{
	struct json_w w;
	char ms[32];

	json_init(&w, f);
	json_obj_begin(&w);
	json_key(&w, "queries"); json_uint(&w, s->queries);
	json_key(&w, "answered"); json_uint(&w, s->answered);
	json_key(&w, "failed"); json_uint(&w, s->failed);
	json_key(&w, "late"); json_uint(&w, s->late);
	json_key(&w, "timeouts"); json_uint(&w, s->timeouts);
	json_key(&w, "unidentified"); json_uint(&w, s->unidentified);
	json_key(&w, "nodes");
	json_obj_begin(&w);
	for (size_t i = 0; i < s->n_nodes; i++) {
		json_key(&w, s->nodes[i].name);
		json_uint(&w, s->nodes[i].count);
	}
	json_obj_end(&w);
	if (s->other_nodes > 0) {
		json_key(&w, "other_nodes"); json_uint(&w, s->other_nodes);
	}
	json_key(&w, "first_node");
	str_or_null(&w, s->first_node[0] != '\0', s->first_node);
	json_key(&w, "last_node");
	str_or_null(&w, s->last_node[0] != '\0', s->last_node);
	json_key(&w, "fault_us");
	if (s->have_fault)
		json_int(&w, s->fault_us);
	else
		json_null(&w);
	json_key(&w, "before");
	str_or_null(&w, s->have_before, s->before);
	json_key(&w, "takeover_ms");
	if (s->have_takeover)
		json_number(&w, probe_ms_str(s->takeover_recv_us - s->fault_us, ms));
	else
		json_null(&w);
	json_key(&w, "takeover_node");
	str_or_null(&w, s->have_takeover, s->takeover_node);
	json_key(&w, "outage_ms");
	if (s->have_fault)
		json_number(&w, probe_ms_str(s->outage_us < 0 ? 0 : s->outage_us, ms));
	else
		json_null(&w);
	json_key(&w, "failed_after_fault");
	if (s->have_fault)
		json_uint(&w, s->failed_after_fault);
	else
		json_null(&w);
	json_key(&w, "longest_outage_ms");
	json_number(&w, probe_ms_str(s->longest_outage_us, ms));
	json_key(&w, "interval_us"); json_int(&w, s->interval_us);
	json_key(&w, "switch_count"); json_uint(&w, s->switch_count);
	json_key(&w, "switches");
	json_arr_begin(&w);
	for (size_t i = 0; i < s->n_switches; i++) {
		json_obj_begin(&w);
		json_key(&w, "at_us"); json_int(&w, s->switches[i].at_us);
		json_key(&w, "from"); json_str(&w, s->switches[i].from);
		json_key(&w, "to"); json_str(&w, s->switches[i].to);
		json_obj_end(&w);
	}
	json_arr_end(&w);
	json_obj_end(&w);
	json_end(&w);
}

/* ---------------------------------------------------------------- text */

void
probe_sum_text(FILE *f, const struct probe_sum *s)
{
	char ms[32], t[32];

	fprintf(f, "queries %" PRIu64 ", answered %" PRIu64 ", failed %" PRIu64 " (%" PRIu64
	    " without a reply in time, %" PRIu64 " of them late), unidentified %" PRIu64 "\n",
	    s->queries, s->answered, s->failed, s->timeouts, s->late, s->unidentified);
	fputs("nodes:", f);
	if (s->n_nodes == 0 && s->other_nodes == 0)
		fputs(" none", f);
	for (size_t i = 0; i < s->n_nodes; i++)
		fprintf(f, " %s %" PRIu64, s->nodes[i].name, s->nodes[i].count);
	if (s->other_nodes > 0)
		fprintf(f, " (others) %" PRIu64, s->other_nodes);
	fputc('\n', f);
	fprintf(f, "first node %s, last node %s, %" PRIu64 " switch%s\n",
	    s->first_node[0] ? s->first_node : "-", s->last_node[0] ? s->last_node : "-",
	    s->switch_count, s->switch_count == 1 ? "" : "es");
	for (size_t i = 0; i < s->n_switches && i < TEXT_SWITCHES; i++)
		fprintf(f, "  switch at %s: %s -> %s\n", epoch_str(s->switches[i].at_us, t),
		    s->switches[i].from, s->switches[i].to);
	if (s->switch_count > TEXT_SWITCHES)
		fprintf(f, "  ... and %" PRIu64 " more\n", s->switch_count - TEXT_SWITCHES);
	fprintf(f, "longest outage %s ms (interval %" PRId64 " us)\n",
	    probe_ms_str(s->longest_outage_us, ms), s->interval_us);
	if (s->conf.fault && !s->have_fault) {
		fputs("fault: no queries, so no fault time\n", f);
	} else if (s->have_fault) {
		fprintf(f, "fault at %s: before %s, ", epoch_str(s->fault_us, t),
		    s->have_before ? s->before : "-");
		if (s->have_takeover)
			fprintf(f, "takeover %s ms by %s", probe_ms_str(s->takeover_recv_us -
			    s->fault_us, ms), s->takeover_node);
		else
			fputs("no takeover", f);
		fprintf(f, ", outage %s ms, %" PRIu64 " failed after the fault\n",
		    probe_ms_str(s->outage_us < 0 ? 0 : s->outage_us, ms), s->failed_after_fault);
	}
	if (s->oom)
		fputs("(out of memory: the node and switch lists are incomplete)\n", f);
}
