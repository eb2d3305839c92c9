/*
 * conf.h - the configuration of health-checked services: one `service NAME`
 * block of riposted.conf, its keyword table (the top-level grammar in
 * riposted/conf.c enters the block and feeds it this table), validation
 * and the canonical print.  The checks' own words are check.h's
 * (check_conf_parse / check_conf_format).
 *
 *	service NAME
 *	 address A.B.C.D[/M]	(up to SERVICE_MAX_ADDRS; /32 when bare)
 *	 interface IFNAME	(default lo)
 *	 check dns|zone|tcp|exec|process ...
 *	 interval, fast-interval, timeout, drain-time DURATION
 *	 rise N, fall N, metric <1-15>, [no] keep-address
 *
 * Statements of a service block are indented; an unindented line ends the
 * block (the block shares `interface` with the top level).
 */
#ifndef RIPOSTE_HEALTH_CONF_H
#define RIPOSTE_HEALTH_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "health/check.h"
#include "health/service.h"
#include "lib/addr.h"
#include "lib/conf.h"

#define SERVICE_MAX_ADDRS 16
#define SERVICE_DEFAULT_IFNAME "lo"
#define SERVICE_DEFAULT_METRIC 1
/* fast-interval's floor, and the floor of the derived interval / 4. */
#define SERVICE_MIN_FAST_INTERVAL (10 * RTIME_MS)

/*
 * One `service NAME` block: the addresses riposted adds to `ifname` and
 * announces while every check passes.  The state machine's settings (rise,
 * fall, interval, timeout, drain-time, check names) are in `svc`.
 */
struct service_conf {
	struct svc_config svc;
	struct check_conf checks[SVC_MAX_CHECKS];
	struct prefix4 addrs[SERVICE_MAX_ADDRS];
	size_t n_addrs;
	char ifname[IFNAMSIZ];
	rtime_t fast_interval; /* between rounds while changing state; 0: interval / 4 */
	uint8_t metric;      /* 1..15, default 1; above 1 makes a backup */
	bool keep_address;   /* keep the address when withdrawn for failing checks */
	unsigned line;       /* where the block starts, for messages */
	unsigned check_lines[SVC_MAX_CHECKS]; /* where each check is, for messages */
};

/* The statements inside a service block. */
extern const struct conf_table service_conf_table;

/*
 * `service NAME`: a new block with the defaults, appended to *list; NULL
 * (and the error set in p) for a bad or duplicate name or too many.
 */
struct service_conf *service_conf_add(struct conf_parser *p, struct service_conf **list,
    size_t *n, const char *name);
/* What cannot be checked line by line: run at the end of the file. */
int service_conf_validate(struct conf_parser *p, const struct service_conf *list, size_t n);
/* The block in canonical form, "service NAME\n ...\n!\n". */
void service_conf_print(FILE *out, const struct service_conf *sv);

/* The interval between check rounds while a service is changing state (fast-interval). */
rtime_t service_conf_fast_interval(const struct service_conf *sv);
/* The service named `name`, or NULL. */
const struct service_conf *service_conf_find(const struct service_conf *list, size_t n,
    const char *name);

#endif
