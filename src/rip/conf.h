/*
 * conf.h - riposted's configuration: the FRR/Quagga ripd.conf dialect.
 *
 * One keyword table in conf.c, defaults in rip_conf_init(), errors as
 * "file:line: message".  Statements of zebra/FRR that do not concern us
 * (password, enable password, line vty, ip address under interface, ...)
 * are accepted with a warning; anything else is an error and the whole file
 * is rejected.  rip_conf_print() writes the canonical form, which parses back
 * to an equal configuration (round-trip tests).
 */
#ifndef RIPOSTE_RIP_CONF_H
#define RIPOSTE_RIP_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../health/check.h"
#include "../health/service.h"
#include "../lib/addr.h"
#include "../lib/log.h"

enum rip_split_horizon {
	RIP_SH_POISONED = 0, /* default: split horizon with poisoned reverse */
	RIP_SH_SIMPLE,       /* ip rip split-horizon */
	RIP_SH_NONE,         /* no ip rip split-horizon */
};

/* One `network` statement: a prefix, or an interface name. */
struct rip_conf_network {
	bool is_ifname;
	char ifname[IFNAMSIZ];
	struct prefix4 prefix;
};

/* One `interface IFNAME` block. */
struct rip_conf_iface {
	char name[IFNAMSIZ];
	enum rip_split_horizon split_horizon;
	uint8_t send_version; /* 2 (only 2 is supported) */
	uint8_t recv_version; /* 2 */
	/* ip rip bfd; bfd interval MS multiplier N (defaults 300 ms x 3, bfd/bfd.h) */
	bool bfd;
	uint32_t bfd_interval_ms;
	uint8_t bfd_mult;
};

#define RIP_SVC_MAX_ADDRS 16
#define RIP_SVC_DEFAULT_IFNAME "lo"

/*
 * One `service NAME` block: the addresses riposted adds to `ifname` and
 * announces while every check passes.  The state machine's settings (rise,
 * fall, interval, timeout, drain-time, check names) are in `svc`.
 */
struct rip_conf_service {
	struct svc_config svc;
	struct check_conf checks[SVC_MAX_CHECKS];
	struct prefix4 addrs[RIP_SVC_MAX_ADDRS];
	size_t n_addrs;
	char ifname[IFNAMSIZ];
	rtime_t fast_interval; /* between rounds while changing state; 0: interval / 4 */
	uint8_t metric;      /* 1..15, default 1; above 1 makes a backup */
	bool keep_address;   /* keep the address when withdrawn for failing checks */
	unsigned line;       /* where the block starts, for messages */
};

enum rip_redist_kind {
	RIP_REDIST_CONNECTED = 0,
	RIP_REDIST_STATIC,   /* kernel routes with protocol "static" (ip route add ... proto static) */
	RIP_REDIST_KERNEL,   /* other kernel routes: protocol boot / kernel */
	RIP_REDIST_COUNT,
};

struct rip_conf_redist {
	bool enabled;
	uint8_t metric; /* 0 = default-metric */
};

struct rip_conf {
	char hostname[64];

	/* log */
	enum log_dest log_dest;
	char log_path[256];
	enum log_level log_level;

	bool router_rip; /* a `router rip` block was present */
	uint8_t version; /* 2 */

	struct rip_conf_network *networks;
	size_t n_networks;
	uint32_t *neighbors; /* host order; unicast updates go to these too */
	size_t n_neighbors;

	bool passive_default;   /* passive-interface default */
	char (*passive)[IFNAMSIZ];   /* passive-interface IFNAME */
	size_t n_passive;
	char (*nopassive)[IFNAMSIZ]; /* no passive-interface IFNAME (with default) */
	size_t n_nopassive;

	struct rip_conf_redist redist[RIP_REDIST_COUNT];
	bool default_originate;
	uint8_t default_metric; /* 1..16, default 1 */

	/* timers basic UPDATE TIMEOUT GARBAGE, seconds; defaults 30 180 120 */
	uint32_t t_update;
	uint32_t t_timeout;
	uint32_t t_garbage;

	bool allow_ecmp; /* default on (FRR's default is off; ours differs on purpose) */

	struct rip_conf_iface *ifaces;
	size_t n_ifaces;

	struct rip_conf_service *services;
	size_t n_services;
};

/* Defaults in one place. */
void rip_conf_init(struct rip_conf *conf);
void rip_conf_free(struct rip_conf *conf);

/*
 * Parse `len` bytes of config text named `name` (for messages).  On error
 * returns -1 and writes "name:line: message" into err; *conf is then left
 * initialised but empty (call rip_conf_free).  Warnings go to log_warnx as
 * "name:line: ...".
 */
int rip_conf_parse_buf(const char *name, const char *buf, size_t len,
    struct rip_conf *conf, char *err, size_t errlen);
/* Read the file and parse it; errors as above, plus "PATH: cannot read: strerror". */
int rip_conf_parse_file(const char *path, struct rip_conf *conf, char *err, size_t errlen);

/* The canonical config text (what --print shows); parses back to an equal config. */
void rip_conf_print(FILE *out, const struct rip_conf *conf);

/* Per-interface settings for `name`: the matching `interface` block or the defaults. */
struct rip_conf_iface rip_conf_iface_get(const struct rip_conf *conf, const char *name);

/* The interval between check rounds while a service is changing state (fast-interval). */
rtime_t rip_conf_service_fast_interval(const struct rip_conf_service *sv);

/* The service named `name`, or NULL. */
const struct rip_conf_service *rip_conf_service_find(const struct rip_conf *conf,
    const char *name);

/* Is the interface `name` with this address covered by a `network` statement? */
bool rip_conf_network_match(const struct rip_conf *conf, const char *ifname, uint32_t addr);
/* Is the interface passive (no updates sent; still receives)? */
bool rip_conf_is_passive(const struct rip_conf *conf, const char *ifname);

#endif
