/*
 * status.c - riposted's control commands (ripostectl): the command table,
 * `show status`, and the commands that act (drain, undrain, reload).  The
 * tables of the modules are printed by the modules (rip/show.c, bfd/bfd.c,
 * health/services.c); this file only dispatches and adds the daemon's own
 * figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bfd/bfd.h"
#include "health/services.h"
#include "lib/json.h"
#include "netlink/kr.h"
#include "rip/io.h"
#include "rip/proto.h"
#include "rip/show.h"
#include "riposted/daemon.h"

static int
ctl_show_routes(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	struct prefix4 within = { 0, 0 };
	if (req->argc == 1 && prefix4_parse(req->argv[0], &within, true, true) != 0) {
		fprintf(out, "'%s' is not a prefix (A.B.C.D/M or A.B.C.D)\n", req->argv[0]);
		return CTL_USAGE;
	}
	rip_show_routes_within(d->eng, out, req->json, clock_mono_now(), within);
	return 0;
}

static int
ctl_show_interfaces(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	rip_show_interfaces(d->eng, out, req->json);
	return 0;
}

static int
ctl_show_neighbors(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	rip_show_neighbors(d->eng, out, req->json, clock_mono_now());
	return 0;
}

static int
ctl_show_status(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	const struct rip_engine *e = d->eng;
	struct kr_stats ks;
	struct rip_io_stats is;
	uint64_t bad = 0, badr = 0;
	rtime_t now = clock_mono_now();

	kr_get_stats(d->kr, &ks);
	rip_io_get_stats(d->io, &is);
	for (int i = 0; i < RIP_DROP_COUNT; i++)
		bad += e->drops[i];
	for (int i = 0; i < RIP_RTE_DROP_COUNT; i++)
		badr += e->rte_drops[i];
	long long next_update = (long long)((e->next_periodic - now) / RTIME_MS);
	if (!req->json) {
		fprintf(out, "riposted %s, hostname %s, up %llds\n", RIPOSTED_VERSION,
		    d->conf.hostname[0] ? d->conf.hostname : "-",
		    (long long)((now - d->started) / RTIME_SEC));
		fprintf(out, "timers: update %us, timeout %us, garbage %us; next update in %lld ms\n",
		    e->conf.t_update, e->conf.t_timeout, e->conf.t_garbage, next_update);
		fprintf(out, "routes: %zu (%zu paths), ECMP %s\n", e->rib.n_routes, e->rib.n_paths,
		    e->conf.allow_ecmp ? "on" : "off");
		fprintf(out, "limits: %zu of max-routes %u learned", e->rib.n_rip_routes,
		    e->conf.max_routes);
		if (e->conf.max_routes_neighbor != 0)
			fprintf(out, ", %u per neighbour", e->conf.max_routes_neighbor);
		fprintf(out, "; dropped at max-routes %llu, per-neighbor %llu, paths per prefix "
		    "%llu\n", (unsigned long long)e->limit_drops[RIP_LIMIT_ROUTES],
		    (unsigned long long)e->limit_drops[RIP_LIMIT_NEIGHBOR],
		    (unsigned long long)e->limit_drops[RIP_LIMIT_PATHS]);
		fprintf(out, "neighbours: %zu, %llu expired; requests over the rate limit %llu, "
		    "TTL not 255 %llu\n", e->n_neighbors,
		    (unsigned long long)e->neighbors_expired,
		    (unsigned long long)e->drops[RIP_DROP_REQ_RATE],
		    (unsigned long long)e->drops[RIP_DROP_TTL]);
		fprintf(out, "received: %llu packets (%llu requests, %llu responses), %llu dropped, "
		    "%llu route entries rejected\n", (unsigned long long)e->rx_packets,
		    (unsigned long long)e->rx_requests, (unsigned long long)e->rx_responses,
		    (unsigned long long)bad, (unsigned long long)badr);
		fprintf(out, "sent: %llu packets, %llu periodic, %llu triggered and %llu urgent "
		    "updates, %zu queued, %llu not sent (no valid key)\n",
		    (unsigned long long)is.tx_packets,
		    (unsigned long long)e->tx_periodic, (unsigned long long)e->tx_triggered,
		    (unsigned long long)e->tx_urgent, is.tx_queued,
		    (unsigned long long)e->tx_no_key);
		fprintf(out, "answers to requests: %zu queued, %llu dropped (queue full), their "
		    "socket full %llu times; updates dropped (queue full) %llu\n",
		    is.tx_replies_queued, (unsigned long long)is.tx_reply_drops,
		    (unsigned long long)is.tx_reply_full, (unsigned long long)is.tx_queue_drops);
		fprintf(out, "services: %zu; BFD %s\n", svcd_count(d->svcd),
		    d->bfd != NULL ? "on" : "off");
		fprintf(out, "kernel: %llu routes changed, %llu deleted, %llu errors, %llu resyncs\n",
		    (unsigned long long)ks.routes_changed, (unsigned long long)ks.routes_deleted,
		    (unsigned long long)ks.errors, (unsigned long long)ks.resyncs);
		fprintf(out, "config: %s, %llu reloads, %llu failed\n", d->conf_path,
		    (unsigned long long)d->reloads, (unsigned long long)d->reload_failures);
		return 0;
	}
	struct json_w w;
	json_init(&w, out);
	json_obj_begin(&w);
	json_key(&w, "version"); json_str(&w, RIPOSTED_VERSION);
	json_key(&w, "hostname"); json_str(&w, d->conf.hostname);
	/* Every time field in milliseconds, named *_ms; the timers are configured in seconds. */
	json_key(&w, "uptime_ms"); json_int(&w, (now - d->started) / RTIME_MS);
	json_key(&w, "routes"); json_uint(&w, e->rib.n_routes);
	json_key(&w, "paths"); json_uint(&w, e->rib.n_paths);
	json_key(&w, "ecmp"); json_bool(&w, e->conf.allow_ecmp);
	json_key(&w, "timers");
	json_obj_begin(&w);
	json_key(&w, "update_ms"); json_uint(&w, (uint64_t)e->conf.t_update * 1000);
	json_key(&w, "timeout_ms"); json_uint(&w, (uint64_t)e->conf.t_timeout * 1000);
	json_key(&w, "garbage_ms"); json_uint(&w, (uint64_t)e->conf.t_garbage * 1000);
	json_key(&w, "next_update_ms"); json_int(&w, next_update);
	json_obj_end(&w);
	json_key(&w, "rx_packets"); json_uint(&w, e->rx_packets);
	json_key(&w, "rx_requests"); json_uint(&w, e->rx_requests);
	json_key(&w, "rx_responses"); json_uint(&w, e->rx_responses);
	json_key(&w, "bad_packets"); json_uint(&w, bad);
	json_key(&w, "bad_routes"); json_uint(&w, badr);
	/*
	 * Per reason, every sender together: what was dropped before its
	 * sender became a neighbour (or after it expired) is only here.
	 */
	json_key(&w, "drops");
	json_obj_begin(&w);
	for (int i = 0; i < RIP_DROP_COUNT; i++) {
		json_key(&w, rip_drop_name((enum rip_drop)i));
		json_uint(&w, e->drops[i]);
	}
	json_obj_end(&w);
	json_key(&w, "route_drops");
	json_obj_begin(&w);
	for (int i = 0; i < RIP_RTE_DROP_COUNT; i++) {
		json_key(&w, rip_rte_drop_name((unsigned)i));
		json_uint(&w, e->rte_drops[i]);
	}
	json_obj_end(&w);
	json_key(&w, "tx_packets"); json_uint(&w, is.tx_packets);
	json_key(&w, "tx_errors"); json_uint(&w, is.tx_errors);
	json_key(&w, "tx_queued"); json_uint(&w, is.tx_queued);
	json_key(&w, "tx_queue_drops"); json_uint(&w, is.tx_queue_drops);
	json_key(&w, "tx_replies_queued"); json_uint(&w, is.tx_replies_queued);
	json_key(&w, "tx_reply_drops"); json_uint(&w, is.tx_reply_drops);
	json_key(&w, "tx_reply_full"); json_uint(&w, is.tx_reply_full);
	json_key(&w, "limits");
	json_obj_begin(&w);
	json_key(&w, "max_routes"); json_uint(&w, e->conf.max_routes);
	json_key(&w, "max_routes_per_neighbor"); json_uint(&w, e->conf.max_routes_neighbor);
	json_key(&w, "max_paths"); json_uint(&w, RIP_MAX_PATHS);
	json_key(&w, "learned_routes"); json_uint(&w, e->rib.n_rip_routes);
	json_key(&w, "dropped_max_routes"); json_uint(&w, e->limit_drops[RIP_LIMIT_ROUTES]);
	json_key(&w, "dropped_per_neighbor"); json_uint(&w, e->limit_drops[RIP_LIMIT_NEIGHBOR]);
	json_key(&w, "dropped_paths"); json_uint(&w, e->limit_drops[RIP_LIMIT_PATHS]);
	json_obj_end(&w);
	json_key(&w, "neighbors"); json_uint(&w, e->n_neighbors);
	json_key(&w, "neighbors_expired"); json_uint(&w, e->neighbors_expired);
	json_key(&w, "requests_rate_limited"); json_uint(&w, e->drops[RIP_DROP_REQ_RATE]);
	json_key(&w, "ttl_drops"); json_uint(&w, e->drops[RIP_DROP_TTL]);
	json_key(&w, "periodic_updates"); json_uint(&w, e->tx_periodic);
	json_key(&w, "triggered_updates"); json_uint(&w, e->tx_triggered);
	json_key(&w, "urgent_updates"); json_uint(&w, e->tx_urgent);
	json_key(&w, "tx_no_key"); json_uint(&w, e->tx_no_key);
	json_key(&w, "services"); json_uint(&w, svcd_count(d->svcd));
	json_key(&w, "bfd"); json_bool(&w, d->bfd != NULL);
	json_key(&w, "route_changes"); json_uint(&w, e->route_changes);
	json_key(&w, "kernel");
	json_obj_begin(&w);
	json_key(&w, "routes_changed"); json_uint(&w, ks.routes_changed);
	json_key(&w, "routes_deleted"); json_uint(&w, ks.routes_deleted);
	json_key(&w, "errors"); json_uint(&w, ks.errors);
	json_key(&w, "resyncs"); json_uint(&w, ks.resyncs);
	json_obj_end(&w);
	json_key(&w, "reloads"); json_uint(&w, d->reloads);
	json_key(&w, "reload_failures"); json_uint(&w, d->reload_failures);
	json_obj_end(&w);
	return json_end(&w);
}

static int
ctl_show_services(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	return svcd_show(d->svcd, out, req->json, req->argc == 1 ? req->argv[0] : NULL,
	    clock_mono_now());
}

/*
 * With --json the reply is the service's state after the command:
 *   {"service":"dns","action":"drain","changed":true,"from":"up",
 *    "state":"draining","announced":false,"metric":14,"configured_metric":1,
 *    "address_present":true,"drain_time_ms":2000,"rise":3,"message":"..."}
 * "changed" is false when there was nothing to do (already draining, ...).
 * An unknown service is an error (CTL_ERR), as JSON from ctl_dispatch().
 */
static int
ctl_drain_or_undrain(struct daemon *d, const struct ctl_request *req, FILE *out,
    bool undrain)
{
	const char *name = req->argv[0];
	struct svcd_info before, after;
	char *msg = NULL;
	size_t msg_len = 0;
	FILE *m;
	int rc;

	if (d->terminating) {
		fputs("riposted is stopping; every service is draining\n", out);
		return CTL_ERR;
	}
	if (!req->json)
		return svcd_drain(d->svcd, name, undrain, out) == 0 ? CTL_OK : CTL_ERR;
	if (!svcd_info(d->svcd, name, &before)) {
		fprintf(out, "no service '%s'\n", name);
		return CTL_ERR;
	}
	/* The text line goes into the reply as its "message". */
	if ((m = open_memstream(&msg, &msg_len)) == NULL) {
		fputs("out of memory\n", out);
		return CTL_ERR;
	}
	rc = svcd_drain(d->svcd, name, undrain, m);
	if (fclose(m) != 0 || msg == NULL) {
		free(msg);
		fputs("out of memory\n", out);
		return CTL_ERR;
	}
	if (rc != 0 || !svcd_info(d->svcd, name, &after)) {
		fwrite(msg, 1, msg_len, out);
		free(msg);
		return CTL_ERR;
	}
	while (msg_len > 0 && msg[msg_len - 1] == '\n')
		msg[--msg_len] = '\0';

	struct json_w w;
	json_init(&w, out);
	json_obj_begin(&w);
	json_key(&w, "service"); json_str(&w, name);
	json_key(&w, "action"); json_str(&w, undrain ? "undrain" : "drain");
	json_key(&w, "changed"); json_bool(&w, before.state != after.state);
	json_key(&w, "from"); json_str(&w, svc_state_name(before.state));
	json_key(&w, "state"); json_str(&w, svc_state_name(after.state));
	json_key(&w, "announced"); json_bool(&w, after.announced);
	json_key(&w, "metric");
	if (after.metric != 0)
		json_uint(&w, after.metric);
	else
		json_null(&w);
	json_key(&w, "configured_metric"); json_uint(&w, after.configured_metric);
	json_key(&w, "address_present"); json_bool(&w, after.address_present);
	json_key(&w, "drain_time_ms"); json_int(&w, after.drain_time / RTIME_MS);
	json_key(&w, "rise"); json_uint(&w, after.rise);
	json_key(&w, "message"); json_str(&w, msg);
	json_obj_end(&w);
	free(msg);
	return json_end(&w) == 0 ? CTL_OK : CTL_ERR;
}

static int
ctl_drain(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	return ctl_drain_or_undrain(d, req, out, false);
}

static int
ctl_undrain(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	return ctl_drain_or_undrain(d, req, out, true);
}

static int
ctl_show_bfd(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	if (d->bfd == NULL) {
		if (req->json)
			fputs("{\"sessions\":[]}\n", out);
		else
			fputs("BFD is off: no interface has 'ip rip bfd'\n", out);
		return 0;
	}
	bfd_mgr_show(d->bfd, out, req->json, clock_mono_now());
	return 0;
}

/* Synchronous: the answer is the result, or the file:line error and the old config stays. */
static int
ctl_reload(void *ctx, const struct ctl_request *req, FILE *out)
{
	struct daemon *d = ctx;
	char err[512];

	if (d->terminating) {
		fputs("riposted is stopping; not reloading\n", out);
		return -1;
	}
	if (daemon_reload(d, err, sizeof(err)) != 0) {
		fprintf(out, "reload failed, the running configuration stays: %s\n", err);
		return -1;
	}
	if (!req->json) {
		fprintf(out, "configuration reloaded from %s\n", d->conf_path);
		return 0;
	}
	struct json_w w;
	json_init(&w, out);
	json_obj_begin(&w);
	json_key(&w, "reloaded"); json_bool(&w, true);
	json_key(&w, "config"); json_str(&w, d->conf_path);
	json_key(&w, "reloads"); json_uint(&w, d->reloads);
	json_obj_end(&w);
	return json_end(&w);
}

/* CTL_CMD_READONLY: a member of control-readonly-group may run it (ctl.h). */
const struct ctl_command daemon_ctl_commands[] = {
	{ "show routes", "[PREFIX]", "the RIP table: every path, active or alternate (within PREFIX)",
	    0, 1, ctl_show_routes, CTL_CMD_READONLY },
	{ "show interfaces", NULL, "interfaces, addresses and RIP state", 0, 0, ctl_show_interfaces,
	    CTL_CMD_READONLY },
	{ "show neighbors", NULL, "neighbours, last heard, drops per reason", 0, 0, ctl_show_neighbors,
	    CTL_CMD_READONLY },
	{ "show status", NULL, "timers, counters, kernel and config state", 0, 0, ctl_show_status,
	    CTL_CMD_READONLY },
	{ "show services", "[NAME]", "services: state, each check's last result and latency",
	    0, 1, ctl_show_services, CTL_CMD_READONLY },
	{ "show bfd", NULL, "BFD sessions: peer, state, timers", 0, 0, ctl_show_bfd,
	    CTL_CMD_READONLY },
	{ "drain", "SERVICE", "withdraw the service, keep its address answering for drain-time",
	    1, 1, ctl_drain, 0 },
	{ "undrain", "SERVICE", "end a drain: announced again after rise passed rounds",
	    1, 1, ctl_undrain, 0 },
	{ "reload", NULL, "read the configuration file again and apply it (like SIGHUP)",
	    0, 0, ctl_reload, 0 },
};

const size_t daemon_n_ctl_commands = sizeof(daemon_ctl_commands) / sizeof(daemon_ctl_commands[0]);
