/*
 * show.h - what `ripostectl show ...` prints about the RIP engine, as text
 * for people and as JSON for scripts.  Pure: reads the engine, writes to a
 * FILE, so tests can check it.
 */
#ifndef RIPOSTE_RIP_SHOW_H
#define RIPOSTE_RIP_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "proto.h"

void rip_show_routes(const struct rip_engine *eng, FILE *out, bool json, rtime_t now);
/* Only the routes equal to or inside `within`. */
void rip_show_routes_within(const struct rip_engine *eng, FILE *out, bool json, rtime_t now,
    struct prefix4 within);
void rip_show_interfaces(const struct rip_engine *eng, FILE *out, bool json);
void rip_show_neighbors(const struct rip_engine *eng, FILE *out, bool json, rtime_t now);

struct prom_w;
/* The engine's families for the metrics page (README, Metrics). */
void rip_metrics(const struct rip_engine *eng, struct prom_w *w, rtime_t now);

#endif
