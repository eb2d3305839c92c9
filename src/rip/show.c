/*
 * show.c - routes, interfaces and neighbours of the RIP engine as text or
 * JSON.  Routes are sorted by prefix so the output is stable and diffable.
 * In JSON every time field is in milliseconds and its name ends in _ms, as
 * in every other `--json` reply of riposted.
 */
#include "show.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/json.h"
#include "../lib/prom.h"

static int
show_route_cmp(const void *a, const void *b)
{
	const struct rip_route *ra = *(const struct rip_route *const *)a;
	const struct rip_route *rb = *(const struct rip_route *const *)b;
	if (ra->prefix.addr != rb->prefix.addr)
		return ra->prefix.addr < rb->prefix.addr ? -1 : 1;
	return (int)ra->prefix.len - (int)rb->prefix.len;
}

static const char *
show_ifname(const struct rip_engine *eng, unsigned ifindex)
{
	struct rip_iface *ifp = rip_iface_by_index(eng, ifindex);
	return ifp != NULL ? ifp->name : "-";
}

static long long
show_age(rtime_t now, rtime_t since)
{
	return (long long)((now - since) / RTIME_SEC);
}

static long long
show_ms(rtime_t t)
{
	return (long long)(t / RTIME_MS);
}

static const char *
show_path_state(const struct rip_path *p)
{
	if (p->active)
		return "active";
	if (p->metric >= RIP_INFINITY)
		return "inactive";
	return "alternate";
}

static void
show_path(const struct rip_engine *eng, const struct rip_route *r, const struct rip_path *p,
    FILE *out, bool json, bool *first, rtime_t now)
{
	char pfx[PFX4_STRLEN], nh[IP4_STRLEN];
	prefix4_ntop(r->prefix, pfx);
	if (p != NULL && p->origin == RIP_ORIGIN_RIP)
		ip4_ntop(p->nexthop, nh);
	else
		strcpy(nh, "-");
	const char *ifname = p != NULL && p->ifindex != 0 ? show_ifname(eng, p->ifindex) : "-";
	const char *origin = p != NULL ? rip_origin_name(p->origin) : "rip";
	unsigned metric = p != NULL ? p->metric : r->metric;
	const char *state = p != NULL ? show_path_state(p) : "garbage";
	long long age = show_age(now, p != NULL ? p->since : r->since);
	uint16_t tag = p != NULL ? p->tag : r->tag;

	if (!json) {
		fprintf(out, "%-18s %6u  %-15s %-12s %-9s %6llds  %s\n", pfx, metric, nh, ifname,
		    origin, age, state);
		return;
	}
	fprintf(out, "%s\n  {\"prefix\":\"%s\",\"metric\":%u,\"nexthop\":", *first ? "" : ",", pfx,
	    metric);
	*first = false;
	if (strcmp(nh, "-") == 0)
		fputs("null", out);
	else
		fprintf(out, "\"%s\"", nh);
	fputs(",\"interface\":", out);
	if (strcmp(ifname, "-") == 0)
		fputs("null", out);
	else
		json_string(out, ifname);
	fprintf(out, ",\"origin\":\"%s\",\"age_ms\":%lld,\"state\":\"%s\",\"tag\":%u", origin,
	    show_ms(now - (p != NULL ? p->since : r->since)), state, tag);
	if (p != NULL && p->origin == RIP_ORIGIN_RIP) {
		char from[IP4_STRLEN];
		fprintf(out, ",\"from\":\"%s\",\"advertised_metric\":%u,\"expires_in_ms\":%lld",
		    ip4_ntop(p->from, from), p->adv_metric, show_ms(p->expires - now));
	}
	fprintf(out, ",\"installed\":%s}", r->installed && p != NULL && p->active ? "true" : "false");
}

void
rip_show_routes(const struct rip_engine *eng, FILE *out, bool json, rtime_t now)
{
	struct prefix4 all = { 0, 0 };
	rip_show_routes_within(eng, out, json, now, all);
}

void
rip_show_routes_within(const struct rip_engine *eng, FILE *out, bool json, rtime_t now,
    struct prefix4 within)
{
	struct rib_iter it;
	size_t n = 0;
	struct rip_route **v = malloc((eng->rib.n_routes + 1) * sizeof(*v));
	bool first = true;

	if (v == NULL) {
		fputs("out of memory\n", out);
		return;
	}
	for (struct rip_route *r = rib_first(&eng->rib, &it); r != NULL; r = rib_next(&eng->rib, &it))
		if (r->prefix.len >= within.len && prefix4_contains(within, r->prefix.addr))
			v[n++] = r;
	qsort(v, n, sizeof(*v), show_route_cmp);
	if (json)
		fputs("{\"routes\":[", out);
	else
		fprintf(out, "%-18s %6s  %-15s %-12s %-9s %7s  %s\n", "Prefix", "Metric", "Next hop",
		    "Interface", "Origin", "Age", "State");
	for (size_t i = 0; i < n; i++) {
		const struct rip_route *r = v[i];
		bool any = false;
		/* Active paths first, then alternates. */
		for (int pass = 0; pass < 2; pass++) {
			for (const struct rip_path *p = r->paths; p != NULL; p = p->next) {
				if (p->active != (pass == 0) || p->metric >= RIP_INFINITY)
					continue;
				show_path(eng, r, p, out, json, &first, now);
				any = true;
			}
		}
		if (!any && r->gc_deadline != RTIME_NEVER)
			show_path(eng, r, NULL, out, json, &first, now);
	}
	if (json)
		fputs("\n]}\n", out);
	else
		fprintf(out, "%zu of %zu routes shown; %zu paths in all\n", n, eng->rib.n_routes,
		    eng->rib.n_paths);
	free(v);
}

static const char *
show_sh_name(enum rip_split_horizon sh)
{
	return sh == RIP_SH_POISONED ? "poisoned-reverse" : sh == RIP_SH_SIMPLE ? "simple" : "off";
}

void
rip_show_interfaces(const struct rip_engine *eng, FILE *out, bool json)
{
	bool first = true;
	if (json)
		fputs("{\"interfaces\":[", out);
	else
		fprintf(out, "%-12s %5s %-4s %-7s %-7s %-16s %s\n", "Interface", "Index", "Up",
		    "RIP", "Passive", "Split horizon", "Addresses");
	for (const struct rip_iface *ifp = eng->ifaces; ifp != NULL; ifp = ifp->next) {
		char a[PFX4_STRLEN + 1];
		if (json) {
			fprintf(out, "%s\n  {\"name\":", first ? "" : ",");
			json_string(out, ifp->name);
			fprintf(out, ",\"ifindex\":%u,\"up\":%s,\"enabled\":%s,\"passive\":%s,"
			    "\"loopback\":%s,\"split_horizon\":\"%s\",\"updates_sent\":%llu,"
			    "\"packets_sent\":%llu,\"addresses\":[",
			    ifp->ifindex, ifp->up ? "true" : "false", ifp->enabled ? "true" : "false",
			    ifp->passive ? "true" : "false", ifp->loopback ? "true" : "false",
			    show_sh_name(ifp->conf.split_horizon),
			    (unsigned long long)ifp->sent_updates,
			    (unsigned long long)ifp->sent_packets);
			for (size_t i = 0; i < ifp->n_addr; i++) {
				struct prefix4 p = { ifp->addr[i], ifp->addr_pfx[i].len };
				fprintf(out, "%s\"%s\"", i ? "," : "", prefix4_ntop(p, a));
			}
			fputs("]}", out);
			first = false;
			continue;
		}
		fprintf(out, "%-12s %5u %-4s %-7s %-7s %-16s", ifp->name, ifp->ifindex,
		    ifp->up ? "up" : "down", ifp->enabled ? "on" : "off", ifp->passive ? "yes" : "no",
		    show_sh_name(ifp->conf.split_horizon));
		for (size_t i = 0; i < ifp->n_addr; i++) {
			struct prefix4 p = { ifp->addr[i], ifp->addr_pfx[i].len };
			fprintf(out, " %s", prefix4_ntop(p, a));
		}
		fputc('\n', out);
	}
	if (json)
		fputs("\n]}\n", out);
}

static void
show_counters_json(FILE *out, const uint64_t *v, size_t n, const char *(*name)(unsigned))
{
	bool first = true;
	fputc('{', out);
	for (size_t i = 0; i < n; i++) {
		if (v[i] == 0)
			continue;
		fprintf(out, "%s", first ? "" : ",");
		json_string(out, name((unsigned)i));
		fprintf(out, ":%llu", (unsigned long long)v[i]);
		first = false;
	}
	fputc('}', out);
}

static const char *
show_drop_name(unsigned i)
{
	return rip_drop_name((enum rip_drop)i);
}

static const char *
show_limit_name(unsigned i)
{
	return rip_limit_name((enum rip_limit)i);
}

static void
show_counters_text(FILE *out, const char *what, const uint64_t *v, size_t n,
    const char *(*name)(unsigned))
{
	for (size_t i = 0; i < n; i++)
		if (v[i] != 0)
			fprintf(out, "    %s %s: %llu\n", what, name((unsigned)i),
			    (unsigned long long)v[i]);
}

static void
show_neighbor(const struct rip_engine *eng, const struct rip_neighbor *n, const char *addr,
    FILE *out, bool json, bool *first, rtime_t now)
{
	if (json) {
		fprintf(out, "%s\n  {\"address\":\"%s\",\"interface\":", *first ? "" : ",", addr);
		json_string(out, show_ifname(eng, n->ifindex));
		fprintf(out, ",\"last_heard_ago_ms\":%lld,\"packets\":%llu,\"routes\":%llu,"
		    "\"routes_held\":%zu,\"bad_packets\":", show_ms(now - n->last_heard),
		    (unsigned long long)n->packets, (unsigned long long)n->routes, n->n_paths);
		show_counters_json(out, n->bad_packets, RIP_DROP_COUNT, show_drop_name);
		fputs(",\"bad_routes\":", out);
		show_counters_json(out, n->bad_routes, RIP_RTE_DROP_COUNT, rip_rte_drop_name);
		fputs(",\"limit_drops\":", out);
		show_counters_json(out, n->limit_drops, RIP_LIMIT_COUNT, show_limit_name);
		fputc('}', out);
		*first = false;
		return;
	}
	fprintf(out, "%-15s %-12s %6llds ago  %llu packets, %llu routes, %zu held\n", addr,
	    show_ifname(eng, n->ifindex), show_age(now, n->last_heard),
	    (unsigned long long)n->packets, (unsigned long long)n->routes, n->n_paths);
	show_counters_text(out, "dropped packets", n->bad_packets, RIP_DROP_COUNT, show_drop_name);
	show_counters_text(out, "rejected routes", n->bad_routes, RIP_RTE_DROP_COUNT,
	    rip_rte_drop_name);
	show_counters_text(out, "dropped routes", n->limit_drops, RIP_LIMIT_COUNT, show_limit_name);
}

void
rip_show_neighbors(const struct rip_engine *eng, FILE *out, bool json, rtime_t now)
{
	bool first = true;
	char a[IP4_STRLEN];
	if (json)
		fputs("{\"neighbors\":[", out);
	else
		fprintf(out, "%-15s %-12s %-12s %s\n", "Neighbor", "Interface", "Last heard",
		    "Received");
	for (const struct rip_neighbor *n = eng->neighbors; n != NULL; n = n->next)
		show_neighbor(eng, n, ip4_ntop(n->addr, a), out, json, &first, now);
	if (eng->overflow.packets > 0)
		show_neighbor(eng, &eng->overflow, "others", out, json, &first, now);
	if (json) {
		fputs("\n],\"dropped_packets\":", out);
		show_counters_json(out, eng->drops, RIP_DROP_COUNT, show_drop_name);
		fputs(",\"rejected_routes\":", out);
		show_counters_json(out, eng->rte_drops, RIP_RTE_DROP_COUNT, rip_rte_drop_name);
		fputs(",\"limit_drops\":", out);
		show_counters_json(out, eng->limit_drops, RIP_LIMIT_COUNT, show_limit_name);
		fprintf(out, ",\"expired\":%llu}\n", (unsigned long long)eng->neighbors_expired);
	} else {
		fputs("All sources:\n", out);
		show_counters_text(out, "dropped packets", eng->drops, RIP_DROP_COUNT, show_drop_name);
		show_counters_text(out, "rejected routes", eng->rte_drops, RIP_RTE_DROP_COUNT,
		    rip_rte_drop_name);
		show_counters_text(out, "dropped routes", eng->limit_drops, RIP_LIMIT_COUNT,
		    show_limit_name);
		fprintf(out, "    neighbours expired: %llu\n",
		    (unsigned long long)eng->neighbors_expired);
	}
}

/*
 * Prometheus: the routes by the origin of their best path, the
 * neighbours, what was sent and received, and every drop by reason, in
 * total and per neighbour ("others": the senders past the neighbour
 * table's limit).  Per neighbour only the reasons that happened, so a
 * router with many neighbours does not export a grid of zeros.
 */
static void
rip_metrics_neighbor_drops(const struct rip_engine *eng, struct prom_w *w,
    size_t (*pick)(const struct rip_neighbor *, const uint64_t **), const char *(*name)(unsigned))
{
	char a[IP4_STRLEN];
	const uint64_t *c;

	for (const struct rip_neighbor *n = eng->neighbors; ; n = n->next) {
		const struct rip_neighbor *nb = n != NULL ? n : &eng->overflow;
		size_t cnt = pick(nb, &c);
		const char *label = n != NULL ? ip4_ntop(nb->addr, a) : "others";
		for (size_t i = 0; i < cnt; i++)
			if (c[i] != 0)
				prom_u64(w, "", c[i], "neighbor", label, "interface",
				    n != NULL ? show_ifname(eng, nb->ifindex) : "-", "reason", name((unsigned)i),
				    NULL);
		if (n == NULL)
			break;
	}
}

static size_t
pick_packets(const struct rip_neighbor *n, const uint64_t **c)
{
	*c = n->bad_packets;
	return RIP_DROP_COUNT;
}

static size_t
pick_routes(const struct rip_neighbor *n, const uint64_t **c)
{
	*c = n->bad_routes;
	return RIP_RTE_DROP_COUNT;
}

static size_t
pick_limits(const struct rip_neighbor *n, const uint64_t **c)
{
	*c = n->limit_drops;
	return RIP_LIMIT_COUNT;
}

void
rip_metrics(const struct rip_engine *eng, struct prom_w *w, rtime_t now)
{
	size_t routes[RIP_ORIGIN_COUNT] = { 0 }, paths[RIP_ORIGIN_COUNT] = { 0 }, garbage = 0;
	char a[IP4_STRLEN];

	for (size_t b = 0; b < eng->rib.n_buckets; b++)
		for (const struct rip_route *r = eng->rib.buckets[b]; r != NULL; r = r->hnext) {
			const struct rip_path *best = NULL;
			for (const struct rip_path *p = r->paths; p != NULL; p = p->next) {
				if (p->origin < RIP_ORIGIN_COUNT)
					paths[p->origin]++;
				if (p->active && best == NULL)
					best = p;
			}
			if (best == NULL || r->metric >= RIP_INFINITY || best->origin >= RIP_ORIGIN_COUNT)
				garbage++;
			else
				routes[best->origin]++;
		}
	prom_family(w, "riposte_rip_routes", PROM_GAUGE,
	    "Valid routes in the RIP table, by the origin of their best path.");
	for (int o = 0; o < RIP_ORIGIN_COUNT; o++)
		prom_u64(w, "", routes[o], "origin", rip_origin_name((enum rip_origin)o), NULL);
	prom_family(w, "riposte_rip_routes_garbage", PROM_GAUGE,
	    "Routes withdrawn (metric 16) and waiting for garbage collection (RFC 2453 3.8).");
	prom_u64(w, "", garbage, NULL);
	prom_family(w, "riposte_rip_paths", PROM_GAUGE,
	    "Paths held (active and alternates), by origin.");
	for (int o = 0; o < RIP_ORIGIN_COUNT; o++)
		prom_u64(w, "", paths[o], "origin", rip_origin_name((enum rip_origin)o), NULL);
	prom_family(w, "riposte_rip_route_changes", PROM_COUNTER,
	    "Changes of a route's best path or metric.");
	prom_u64(w, "", eng->route_changes, NULL);

	prom_family(w, "riposte_rip_neighbors", PROM_GAUGE, "RIP neighbours heard from.");
	prom_u64(w, "", eng->n_neighbors, NULL);
	prom_family(w, "riposte_rip_neighbors_expired", PROM_COUNTER,
	    "Neighbours forgotten after the timeout without a word.");
	prom_u64(w, "", eng->neighbors_expired, NULL);
	prom_family(w, "riposte_rip_neighbor_last_heard_seconds", PROM_GAUGE,
	    "Seconds since the neighbour's last accepted packet.");
	for (const struct rip_neighbor *n = eng->neighbors; n != NULL; n = n->next)
		prom_f64(w, "", (double)(now - n->last_heard) / 1e6, "neighbor",
		    ip4_ntop(n->addr, a), "interface", show_ifname(eng, n->ifindex), NULL);
	prom_family(w, "riposte_rip_neighbor_paths", PROM_GAUGE,
	    "The neighbour's offers held in the RIP table.");
	for (const struct rip_neighbor *n = eng->neighbors; n != NULL; n = n->next)
		prom_u64(w, "", n->n_paths, "neighbor", ip4_ntop(n->addr, a), "interface",
		    show_ifname(eng, n->ifindex), NULL);
	prom_family(w, "riposte_rip_neighbor_packets", PROM_COUNTER,
	    "Packets accepted from the neighbour.");
	for (const struct rip_neighbor *n = eng->neighbors; n != NULL; n = n->next)
		prom_u64(w, "", n->packets, "neighbor", ip4_ntop(n->addr, a), "interface",
		    show_ifname(eng, n->ifindex), NULL);

	prom_family(w, "riposte_rip_packets_received", PROM_COUNTER,
	    "RIP packets received and accepted, by command.");
	prom_u64(w, "", eng->rx_requests, "command", "request", NULL);
	prom_u64(w, "", eng->rx_responses, "command", "response", NULL);
	prom_family(w, "riposte_rip_updates_sent", PROM_COUNTER,
	    "Updates sent, by kind (periodic, triggered, urgent: a service or BFD change).");
	prom_u64(w, "", eng->tx_periodic, "kind", "periodic", NULL);
	prom_u64(w, "", eng->tx_triggered, "kind", "triggered", NULL);
	prom_u64(w, "", eng->tx_urgent, "kind", "urgent", NULL);
	prom_family(w, "riposte_rip_not_sent_no_key", PROM_COUNTER,
	    "Datagrams not sent because no key of the chain may send now.");
	prom_u64(w, "", eng->tx_no_key, NULL);

	prom_family(w, "riposte_rip_packet_drops", PROM_COUNTER,
	    "RIP packets dropped, by reason, every sender together.");
	for (unsigned i = 0; i < RIP_DROP_COUNT; i++)
		prom_u64(w, "", eng->drops[i], "reason", show_drop_name(i), NULL);
	prom_family(w, "riposte_rip_neighbor_packet_drops", PROM_COUNTER,
	    "RIP packets dropped, by neighbour and reason (reasons that happened).");
	rip_metrics_neighbor_drops(eng, w, pick_packets, show_drop_name);
	prom_family(w, "riposte_rip_route_rejections", PROM_COUNTER,
	    "Route entries rejected, by reason, every sender together.");
	for (unsigned i = 0; i < RIP_RTE_DROP_COUNT; i++)
		prom_u64(w, "", eng->rte_drops[i], "reason", rip_rte_drop_name(i), NULL);
	prom_family(w, "riposte_rip_neighbor_route_rejections", PROM_COUNTER,
	    "Route entries rejected, by neighbour and reason (reasons that happened).");
	rip_metrics_neighbor_drops(eng, w, pick_routes, rip_rte_drop_name);
	prom_family(w, "riposte_rip_limit_drops", PROM_COUNTER,
	    "Offers dropped at a limit (max-routes, per-neighbor, paths per prefix).");
	for (unsigned i = 0; i < RIP_LIMIT_COUNT; i++)
		prom_u64(w, "", eng->limit_drops[i], "reason", show_limit_name(i), NULL);
	prom_family(w, "riposte_rip_neighbor_limit_drops", PROM_COUNTER,
	    "Offers dropped at a limit, by neighbour (limits that were hit).");
	rip_metrics_neighbor_drops(eng, w, pick_limits, show_limit_name);
}
