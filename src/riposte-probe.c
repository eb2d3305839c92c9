/*
 * riposte-probe.c - the measuring client of failover tests: options, the
 * run (probe/run.c) and its summary, and --analyze of a recorded CSV
 * (probe/csv.c, probe/summary.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/csv.h"
#include "probe/reply.h"
#include "probe/run.h"
#include "probe/summary.h"
#include "probe/svg.h"

#define RIPOSTE_PROBE_VERSION "0.1.0"
#define RATE_MAX 100000.0
#define INFLIGHT_MAX 60000.0   /* 16-bit ids, with room for the lines waiting */

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: riposte-probe [options] ADDRESS[@PORT]\n"
	    "       riposte-probe --analyze FILE.csv [--fault-at T] [--json]\n"
	    "                     [-e R] [-t MS] [-r N]\n"
	    "                     [--svg OUT.svg [--title TEXT] [--mark T:LABEL]...]\n"
	    "\n"
	    "riposte-probe measures DNS failover.  It sends one query to ADDRESS (IPv4 or\n"
	    "IPv6, port 53 unless @PORT; [::1]@5353 or ::1@5353) at a fixed rate until\n"
	    "stopped, names the node that answered each one, writes one CSV line per query\n"
	    "and prints a summary at exit: how many were answered, by which nodes, when the\n"
	    "answering node switched, and how long the longest outage lasted.  Given the\n"
	    "time of a fault it also tells which node answered before, how long until\n"
	    "another node took over, and how long the outage after the fault lasted.\n"
	    "--analyze computes the same summary from a CSV recorded earlier.\n"
	    "\n"
	    "Options:\n"
	    "  -r, --rate N          queries per second (default 100, up to 100000; decimals\n"
	    "                        allowed).  Query n is due at start + n/N: a late\n"
	    "                        wake-up sends what it owes in one batch (sendmmsg), so\n"
	    "                        the rate does not drift; more than 1 s behind (the\n"
	    "                        process was stopped), the schedule restarts from now\n"
	    "  -d, --duration SEC    send for SEC seconds (decimals allowed: 1.5), that is\n"
	    "                        ceil(SEC x N) queries, then wait for the last replies;\n"
	    "                        default: until SIGINT or SIGTERM\n"
	    "  -t, --timeout MS      a query without a reply after MS milliseconds has\n"
	    "                        failed (default 500); a reply after that is counted as\n"
	    "                        late and otherwise ignored.  N x MS/1000 must stay\n"
	    "                        below 60000 (16-bit DNS ids of the queries in flight)\n"
	    "  -q, --qname NAME      the name asked (default id.server)\n"
	    "  -T, --qtype TYPE      A, AAAA, TXT, SOA, ..., TYPEn or a number (default TXT)\n"
	    "  -C, --qclass CLASS    IN, CH, HS, ANY, CLASSn or a number (default CH for\n"
	    "                        id.server and hostname.bind, else IN)\n"
	    "  -i, --identify HOW    how the answering node is named:\n"
	    "                          nsid   the EDNS NSID option of the reply (RFC 5001;\n"
	    "                                 the query asks for it), or when there is none\n"
	    "                                 the TXT data of a CH TXT answer (default)\n"
	    "                          chaos  the TXT data of a CH TXT answer only\n"
	    "                          a      the address of the first A record in the answer\n"
	    "                        Printable ASCII is kept as it is; a name with a control\n"
	    "                        or non-ASCII byte, a comma or a double quote is written\n"
	    "                        in hex; names are cut to 127 characters\n"
	    "  -o, --csv FILE        write the CSV to FILE (\"-\": standard output); it is\n"
	    "                        flushed at most 100 ms after each line, so a test can\n"
	    "                        read it while the probe runs (default: no CSV)\n"
	    "  -e, --expect-rcode R  the rcode of a successful answer (default NOERROR)\n"
	    "  -b, --bind ADDRESS[@PORT]  the source address (and port) of the queries\n"
	    "      --fault-at T      the time of the fault: seconds since the epoch with a\n"
	    "                        decimal point (bash's $EPOCHREALTIME), an integer of\n"
	    "                        microseconds since the epoch (>= 10^12), or +SEC after\n"
	    "                        the first query; adds before, takeover and outage to\n"
	    "                        the summary\n"
	    "      --json            the summary as one JSON object on standard output\n"
	    "      --analyze FILE    read a CSV (\"-\": standard input) instead of probing;\n"
	    "                        with it, -t MS counts answers with rtt_us >= MS ms as\n"
	    "                        late failures, and -r N sets the interval of a run of\n"
	    "                        failures that lasts to the end (default: the mean\n"
	    "                        interval of the file)\n"
	    "      --svg FILE        with --analyze, also draw the run as an SVG timeline\n"
	    "                        into FILE (\"-\": standard output, and the summary goes\n"
	    "                        to standard error): time across in seconds since the\n"
	    "                        first query, or since the fault (negative before it);\n"
	    "                        one lane per node with its successful answers, and the\n"
	    "                        lane \"lost\" with the failed queries in red; the fault\n"
	    "                        as a dashed line; the title and the summary on top.\n"
	    "                        Self-contained (no script, font or style from\n"
	    "                        elsewhere), 1000 px wide and scalable, and small: the\n"
	    "                        queries of a lane closer than a pixel make one bar\n"
	    "      --title TEXT      the title of the SVG (default: riposte-probe FILE)\n"
	    "      --mark T:LABEL    a dotted line at time T labelled LABEL in the SVG; T as\n"
	    "                        for --fault-at (+SEC: after the first query); up to 64\n"
	    "  -V, --version         print the version and exit\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "The query: id unique among the queries in flight, RD clear, one question and\n"
	    "an EDNS0 OPT record (UDP payload size 1232, with an empty NSID option under\n"
	    "--identify nsid), from one UDP socket connected to ADDRESS.  A reply counts\n"
	    "when its id is one in flight, QR is set and it echoes the question.\n"
	    "\n"
	    "CSV: the header, then one line per query in seq order, written as soon as the\n"
	    "query and every earlier one was answered or timed out:\n"
	    "  seq,sent_us,recv_us,rtt_us,node,rcode\n"
	    "  0,1764133200123456,1764133200123581,125,s1,NOERROR\n"
	    "  1,1764133200124456,,,,timeout\n"
	    "sent_us is the CLOCK_REALTIME time of sending in microseconds since the epoch\n"
	    "(never decreasing), rtt_us is measured on the monotonic clock, and recv_us is\n"
	    "sent_us + rtt_us.  rcode is a name (NOERROR, SERVFAIL, NXDOMAIN, REFUSED, ...,\n"
	    "RCODEn), with the EDNS extended bits.  A query without a reply in time has\n"
	    "recv_us, rtt_us and node empty and rcode \"timeout\"; a reply that comes after\n"
	    "that is not written, only counted as late in the summary.\n"
	    "\n"
	    "Summary: a query has failed when it had no reply in time or its rcode is not\n"
	    "the expected one.  nodes counts the replies of each node (any rcode;\n"
	    "unidentified: replies that name none); first_node, last_node and the\n"
	    "switches are those of successful answers.  With a fault time T:\n"
	    "  before       the node of the last successful query sent before T\n"
	    "  takeover_ms  from T to the earliest reception of a successful answer from\n"
	    "               another node than `before`, among the queries sent at or after\n"
	    "               T (null when no other node answered)\n"
	    "  outage_ms    the longest run of consecutive failed queries sent at or after\n"
	    "               T: from the sending of its first query to the sending of the\n"
	    "               first successful one after it (one interval after the last\n"
	    "               query when the run lasts to the end)\n"
	    "longest_outage_ms is the same over the whole run.  The text form goes to\n"
	    "standard output (standard error under -o -).  --json writes one object with\n"
	    "the keys queries, answered, failed, late, timeouts, unidentified, nodes\n"
	    "(node: replies), first_node, last_node, fault_us, before, takeover_ms,\n"
	    "takeover_node, outage_ms, failed_after_fault, longest_outage_ms, interval_us,\n"
	    "switch_count and switches (the first 1000: {\"at_us\", \"from\", \"to\"}); what is\n"
	    "unknown is null.  Under -o - the JSON follows the CSV on standard output.\n"
	    "\n"
	    "Signals: the first SIGINT or SIGTERM stops sending and waits for the replies\n"
	    "of the queries in flight (at most the timeout); a second one stops at once.\n"
	    "\n"
	    "Exit status: 0 when the run or the analysis completed (whatever it measured),\n"
	    "1 on a usage error, a socket or file error, or a CSV line --analyze rejects\n"
	    "(reported as FILE:LINE: message).\n"
	    "\n"
	    "Examples:\n"
	    "  riposte-probe -r 1000 -d 10 -o run.csv 10.128.224.2\n"
	    "  riposte-probe --analyze run.csv --fault-at 1764133205.250000 --json\n"
	    "  riposte-probe --analyze run.csv --fault-at +5 --svg run.svg \\\n"
	    "                --title 'kill s1' --mark +7.5:s1-restarted\n");
}

static int
fail_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "riposte-probe: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (riposte-probe --help)\n");
	return 1;
}

/* A positive decimal number ("1.5"); 0 or -1. */
static int
parse_positive(const char *s, double max, double *out)
{
	char *end;

	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > max)
		return -1;
	*out = v;
	return 0;
}

/*
 * --fault-at: "1764133205.25" (seconds with a dot), "1764133205250000"
 * (µs, >= 10^12), "1764133205" (seconds) or "+2.5" (after the first query).
 */
static int
parse_fault(const char *s, struct probe_sum_conf *c)
{
	int64_t sec = 0, frac = 0, scale = 1000000;
	bool rel = false, dot = false;
	size_t digits = 0;

	if (*s == '+') {
		rel = true;
		s++;
	}
	for (; *s != '\0'; s++) {
		if (*s == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9' || digits >= 18)
			return -1;
		digits++;
		if (!dot) {
			sec = sec * 10 + (*s - '0');
		} else if (scale > 1) {
			scale /= 10;
			frac += (*s - '0') * scale;
		}
	}
	if (digits == 0)
		return -1;
	c->fault = true;
	c->fault_relative = rel;
	if (!dot && !rel && sec >= 1000000000000LL)
		c->fault_us = sec;
	else if (sec > INT64_MAX / 1000000 - 1)
		return -1;
	else
		c->fault_us = sec * 1000000 + frac;
	return 0;
}

/* "192.0.2.1", "192.0.2.1@53", "::1", "::1@53", "[::1]@53"; 0 or -1. */
static int
parse_addr(const char *s, uint16_t default_port, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[64];
	const char *at = strrchr(s, '@');
	size_t hl = at != NULL ? (size_t)(at - s) : strlen(s);
	unsigned long port = default_port;

	if (at != NULL) {
		char *end;
		errno = 0;
		port = strtoul(at + 1, &end, 10);
		if (at[1] == '\0' || *end != '\0' || errno != 0 || port > 65535)
			return -1;
	}
	if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
		s++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*sin6);
		return 0;
	}
	return -1;
}

/* --analyze: the summary, and with --svg the timeline too. */
struct analysis {
	struct probe_sum sum;
	struct probe_tl tl;
	bool svg;
};

static int
analyze_cb(void *arg, const struct probe_rec *r, char *err, size_t errlen)
{
	struct analysis *a = arg;

	/* Out of memory only shortens the lists: s->oom and tl->oom say so. */
	if (a->svg)
		probe_tl_add_sum(&a->tl, &a->sum, r);
	else
		probe_sum_add(&a->sum, r);
	return 0;
}

/* The SVG into path ("-": standard output); 0 or 1. */
static int
write_svg(const char *path, struct analysis *a, const struct probe_svg_opts *so)
{
	bool out = strcmp(path, "-") == 0;
	FILE *f = out ? stdout : fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "riposte-probe: --svg %s: %s\n", path, strerror(errno));
		return 1;
	}
	int rc = probe_svg_write(f, &a->tl, &a->sum, so);
	if (out ? fflush(f) != 0 : fclose(f) != 0)
		rc = -1;
	if (rc != 0) {
		fprintf(stderr, "riposte-probe: --svg %s: %s\n", path, strerror(errno));
		if (!out)
			unlink(path);
		return 1;
	}
	return 0;
}

static int
do_analyze(const char *path, const struct probe_sum_conf *sc, bool json, const char *svg,
    struct probe_svg_opts *so)
{
	struct analysis a = { .svg = svg != NULL };
	char err[640], title[PATH_MAX + 32];
	const char *name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	int rc, status = 0;

	if (f == NULL) {
		fprintf(stderr, "riposte-probe: %s: %s\n", path, strerror(errno));
		return 1;
	}
	probe_sum_init(&a.sum, sc);
	probe_tl_init(&a.tl);
	rc = probe_csv_read(f, name, analyze_cb, &a, err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		status = 1;
		goto out;
	}
	probe_sum_finish(&a.sum);
	if (svg != NULL) {
		if (so->title == NULL) {
			snprintf(title, sizeof(title), "riposte-probe %s", name);
			so->title = title;
		}
		status = write_svg(svg, &a, so);
	}
	FILE *sumf = svg != NULL && strcmp(svg, "-") == 0 ? stderr : stdout;
	if (json)
		probe_sum_json(sumf, &a.sum);
	else
		probe_sum_text(sumf, &a.sum);
	if (fflush(sumf) != 0)
		status = 1;
out:
	probe_tl_free(&a.tl);
	probe_sum_free(&a.sum);
	return status;
}

/* --mark T:LABEL (or T alone), T as --fault-at takes it; 0 or -1. */
static int
parse_mark(char *s, struct probe_svg_mark *m)
{
	struct probe_sum_conf c = { .expect_rcode = 0 };
	char t[64];
	const char *colon = strchr(s, ':');
	size_t len = colon != NULL ? (size_t)(colon - s) : strlen(s);

	if (len >= sizeof(t))
		return -1;
	memcpy(t, s, len);
	t[len] = '\0';
	if (parse_fault(t, &c) != 0)
		return -1;
	m->relative = c.fault_relative;
	m->at_us = c.fault_us;
	m->label = colon != NULL ? colon + 1 : "";
	return 0;
}

static const char *
ident_name(enum probe_ident i)
{
	return i == PROBE_ID_NSID ? "nsid" : i == PROBE_ID_CHAOS ? "chaos" : "a";
}

int
main(int argc, char **argv)
{
	enum { OPT_FAULT = 256, OPT_JSON, OPT_ANALYZE, OPT_SVG, OPT_TITLE, OPT_MARK };
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "qname", required_argument, NULL, 'q' },
		{ "qtype", required_argument, NULL, 'T' },
		{ "qclass", required_argument, NULL, 'C' },
		{ "identify", required_argument, NULL, 'i' },
		{ "csv", required_argument, NULL, 'o' },
		{ "expect-rcode", required_argument, NULL, 'e' },
		{ "bind", required_argument, NULL, 'b' },
		{ "fault-at", required_argument, NULL, OPT_FAULT },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "analyze", required_argument, NULL, OPT_ANALYZE },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "mark", required_argument, NULL, OPT_MARK },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *qname = "id.server", *qtype = "TXT", *qclass = NULL, *csv_path = NULL;
	const char *analyze = NULL, *bind_addr = NULL, *why, *svg = NULL;
	static struct probe_svg_mark marks[PROBE_SVG_MARKS_MAX];
	struct probe_svg_opts so = { .marks = marks };
	enum probe_ident ident = PROBE_ID_NSID;
	struct probe_sum_conf sc = { .expect_rcode = 0 };
	struct probe_run_conf rc;
	double rate = 100, duration = 0, timeout_ms = 500;
	bool json = false, rate_set = false, timeout_set = false, run_only = false;
	int ch;

	memset(&rc, 0, sizeof(rc));
	while ((ch = getopt_long(argc, argv, "r:d:t:q:T:C:i:o:e:b:Vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'r':
			if (parse_positive(optarg, RATE_MAX, &rate) != 0)
				return fail_usage("--rate: '%s' is not a rate in (0, 100000]", optarg);
			rate_set = true;
			break;
		case 'd':
			if (parse_positive(optarg, 1e9, &duration) != 0)
				return fail_usage("--duration: '%s' is not a positive number of seconds",
				    optarg);
			run_only = true;
			break;
		case 't':
			if (parse_positive(optarg, 3600000, &timeout_ms) != 0 || timeout_ms < 1)
				return fail_usage("--timeout: '%s' is not milliseconds in [1, 3600000]",
				    optarg);
			timeout_set = true;
			break;
		case 'q': qname = optarg; run_only = true; break;
		case 'T': qtype = optarg; run_only = true; break;
		case 'C': qclass = optarg; run_only = true; break;
		case 'i':
			if (strcmp(optarg, "nsid") == 0)
				ident = PROBE_ID_NSID;
			else if (strcmp(optarg, "chaos") == 0)
				ident = PROBE_ID_CHAOS;
			else if (strcmp(optarg, "a") == 0)
				ident = PROBE_ID_A;
			else
				return fail_usage("--identify: '%s' is not nsid, chaos or a", optarg);
			run_only = true;
			break;
		case 'o': csv_path = optarg; run_only = true; break;
		case 'e':
			if (probe_rcode_parse(optarg, &sc.expect_rcode) != 0)
				return fail_usage("--expect-rcode: '%s' is not an rcode (NOERROR, "
				    "NXDOMAIN, ..., RCODEn)", optarg);
			break;
		case 'b': bind_addr = optarg; run_only = true; break;
		case OPT_FAULT:
			if (parse_fault(optarg, &sc) != 0)
				return fail_usage("--fault-at: '%s' is not a time (1764133205.25, "
				    "1764133205250000 or +2.5)", optarg);
			break;
		case OPT_JSON: json = true; break;
		case OPT_ANALYZE: analyze = optarg; break;
		case OPT_SVG: svg = optarg; break;
		case OPT_TITLE: so.title = optarg; break;
		case OPT_MARK:
			if (so.n_marks == PROBE_SVG_MARKS_MAX)
				return fail_usage("--mark: more than 64 ('%s')", optarg);
			if (parse_mark(optarg, &marks[so.n_marks]) != 0)
				return fail_usage("--mark: '%s' is not T:LABEL with T a time "
				    "(1764133205.25, 1764133205250000 or +2.5)", optarg);
			so.n_marks++;
			break;
		case 'V': printf("riposte-probe %s\n", RIPOSTE_PROBE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}

	if (svg == NULL && (so.title != NULL || so.n_marks > 0))
		return fail_usage("%s", "--title and --mark go with --svg");
	if (svg != NULL && analyze == NULL)
		return fail_usage("%s", "--svg goes with --analyze");
	if (analyze != NULL) {
		if (optind != argc)
			return fail_usage("--analyze takes no ADDRESS ('%s')", argv[optind]);
		if (run_only)
			return fail_usage("%s", "--analyze goes with --fault-at, --json, "
			    "--svg, --title, --mark, -e, -t and -r only");
		if (timeout_set)
			sc.timeout_us = (int64_t)(timeout_ms * 1000);
		if (rate_set)
			sc.interval_us = (int64_t)(1e6 / rate);
		return do_analyze(analyze, &sc, json, svg, &so);
	}

	if (optind + 1 != argc) {
		if (optind == argc)
			fprintf(stderr, "riposte-probe: no ADDRESS to probe\n");
		else
			fprintf(stderr, "riposte-probe: unexpected argument '%s'\n", argv[optind + 1]);
		usage(stderr);
		return 1;
	}
	const char *target = argv[optind];
	if (parse_addr(target, 53, &rc.dst, &rc.dst_len) != 0)
		return fail_usage("'%s' is not ADDRESS[@PORT] (192.0.2.1, 192.0.2.1@5353, "
		    "[2001:db8::1]@5353)", target);
	if (bind_addr != NULL) {
		if (parse_addr(bind_addr, 0, &rc.src, &rc.src_len) != 0)
			return fail_usage("--bind: '%s' is not ADDRESS[@PORT]", bind_addr);
		if (rc.src.ss_family != rc.dst.ss_family)
			return fail_usage("--bind: '%s' is not of the target's address family",
			    bind_addr);
	}
	if (probe_qspec_init(&rc.q, qname, qtype, qclass, ident, &why) != 0) {
		fprintf(stderr, "riposte-probe: --qname/--qtype/--qclass: %s\n", why);
		return 1;
	}
	if (rate * timeout_ms / 1000 > INFLIGHT_MAX) {
		fprintf(stderr, "riposte-probe: --rate %g with --timeout %g ms means up to %.0f "
		    "queries in flight, more than 16-bit ids allow (%.0f): lower one of them\n",
		    rate, timeout_ms, rate * timeout_ms / 1000, INFLIGHT_MAX);
		return 1;
	}
	rc.rate = rate;
	rc.duration_us = (int64_t)(duration * 1e6);
	if (duration > 0 && rc.duration_us == 0)
		rc.duration_us = 1;   /* below a microsecond: one query, not forever */
	rc.timeout_us = (int64_t)(timeout_ms * 1000);
	sc.timeout_us = rc.timeout_us;
	sc.interval_us = (int64_t)(1e6 / rate);

	signal(SIGPIPE, SIG_IGN);
	bool csv_stdout = csv_path != NULL && strcmp(csv_path, "-") == 0;
	if (csv_stdout) {
		rc.csv = stdout;
	} else if (csv_path != NULL && (rc.csv = fopen(csv_path, "w")) == NULL) {
		fprintf(stderr, "riposte-probe: %s: %s\n", csv_path, strerror(errno));
		return 1;
	}
	if (rc.csv != NULL) {
		setvbuf(rc.csv, NULL, _IOFBF, 1 << 16);
		if (fputs(PROBE_CSV_HEADER "\n", rc.csv) == EOF || fflush(rc.csv) != 0) {
			fprintf(stderr, "riposte-probe: %s: %s\n", csv_path, strerror(errno));
			return 1;
		}
	}

	struct probe_sum sum;
	struct probe_run_stats st;
	probe_sum_init(&sum, &sc);
	int ran = probe_run(&rc, &sum, &st), status = ran == 0 ? 0 : 1;
	if (rc.csv != NULL && !csv_stdout && fclose(rc.csv) != 0 && status == 0) {
		fprintf(stderr, "riposte-probe: %s: %s\n", csv_path, strerror(errno));
		status = 1;
	}

	if (ran < 0) {
		/* Nothing ran: no summary. */
	} else if (json) {
		probe_sum_json(stdout, &sum);
	} else {
		FILE *out = csv_stdout ? stderr : stdout;
		char ms[32], cls[16];
		snprintf(cls, sizeof(cls), rc.q.qclass == PROBE_C_CH ? "CH" :
		    rc.q.qclass == PROBE_C_IN ? "IN" : "CLASS%u", rc.q.qclass);
		fprintf(out, "riposte-probe %s: %s %s %s, %g/s, timeout %g ms, identify %s: "
		    "%" PRIu64 " queries sent in %s ms\n", target, qname, cls, qtype, rate,
		    timeout_ms, ident_name(ident), st.sent, probe_ms_str(st.elapsed_us, ms));
		probe_sum_text(out, &sum);
		if (st.malformed + st.wrong_question + st.unmatched + st.duplicate > 0)
			fprintf(out, "replies ignored: %" PRIu64 " malformed, %" PRIu64 " to another "
			    "question, %" PRIu64 " with an unknown id, %" PRIu64 " duplicates\n",
			    st.malformed, st.wrong_question, st.unmatched, st.duplicate);
		if (st.send_errors + st.icmp_errors + st.slips > 0)
			fprintf(out, "socket: %" PRIu64 " sends failed%s%s%s, %" PRIu64 " ICMP errors, "
			    "schedule restarted %" PRIu64 " times\n", st.send_errors,
			    st.send_errors ? " (last: " : "",
			    st.send_errors ? strerror(st.last_send_errno) : "",
			    st.send_errors ? ")" : "", st.icmp_errors, st.slips);
	}
	probe_sum_free(&sum);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
