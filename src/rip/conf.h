/*
 * conf.h - RIP's configuration: the `router rip` block and the RIP
 * statements of `interface` blocks, in the FRR/Quagga ripd.conf dialect.
 *
 * The keyword tables are rip_conf_router_table and rip_conf_iface_table
 * (conf.c); the top-level grammar that enters those blocks, and every
 * statement that is not RIP's (hostname, log, services, BFD timers), is
 * riposted/conf.c's.  Defaults live in rip_conf_init() and
 * rip_conf_iface_default(); rip_conf_print_router() and
 * rip_conf_iface_print() write the canonical form.
 */
#ifndef RIPOSTE_RIP_CONF_H
#define RIPOSTE_RIP_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/addr.h"
#include "lib/conf.h"
#include "lib/keychain.h"

enum rip_split_horizon {
	RIP_SH_POISONED = 0, /* default: split horizon with poisoned reverse */
	RIP_SH_SIMPLE,       /* ip rip split-horizon */
	RIP_SH_NONE,         /* no ip rip split-horizon */
};

/* ip rip authentication mode (RFC 2453 4.1, RFC 2082, RFC 4822). */
enum rip_auth_mode {
	RIP_AUTH_MODE_NONE = 0,
	RIP_AUTH_MODE_TEXT,	/* simple password (RFC 2453 4.1) */
	RIP_AUTH_MODE_MD5,	/* keyed: MD5, or HMAC-SHA as the key's algorithm says */
};

#define RIP_AUTH_STRING_MAX 16	/* the simple password's field; FRR's limit */
#define RIP_AUTH_LEN_RFC 16	/* auth-length rfc: the digest's length (RFC 2082) */
#define RIP_AUTH_LEN_OLD 20	/* auth-length old-ripd: FRR's default */

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
	/* ip rip bfd: the routes of this interface's neighbours follow their BFD
	 * sessions (the session timers are BFD's own settings, bfd/conf.h) */
	bool bfd;
	/* ip rip authentication mode|string|key-chain */
	enum rip_auth_mode auth_mode;
	uint8_t md5_auth_len;	/* MD5's Auth Data Len when sending: 16 or 20 (20) */
	char auth_string[RIP_AUTH_STRING_MAX + 1];
	char auth_keychain[KEYCHAIN_NAME_MAX + 1];
	unsigned auth_line;	/* the last authentication statement, for errors */
	/* ip rip ttl-security: send with TTL 255, accept only TTL 255 (GTSM, RFC 5082) */
	bool ttl_security;
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

	/*
	 * max-routes N: prefixes learned from neighbours (default
	 * RIP_CONF_MAX_ROUTES); max-routes N per-neighbor: the offers one
	 * neighbour may have in the RIB (0, the default: only the overall limit).
	 */
	uint32_t max_routes;
	uint32_t max_routes_neighbor;

	struct rip_conf_iface *ifaces;
	size_t n_ifaces;

	/*
	 * Prefixes that health-checked services announce (rip_engine_service):
	 * never announced as connected routes, only while their service is up.
	 * Filled by the daemon from its service configuration.
	 */
	struct prefix4 *service_prefixes;
	size_t n_service_prefixes;

	/*
	 * The key chains that `ip rip authentication key-chain` names: a copy
	 * of the daemon's (riposted/conf.c fills it), owned by this struct so
	 * the engine has the keys for as long as it has the configuration.
	 */
	struct keychain_set keychains;
};

#define RIP_CONF_MAX_ROUTES 100000

/* Defaults in one place. */
void rip_conf_init(struct rip_conf *conf);
struct rip_conf_iface rip_conf_iface_default(const char *name);
void rip_conf_free(struct rip_conf *conf);

/* The statements of `router rip` (target: struct rip_conf). */
extern const struct conf_table rip_conf_router_table;
/* RIP's statements in an `interface` block (target: struct rip_conf_iface). */
extern const struct conf_table rip_conf_iface_table;

/* The block of interface `name`, added with the defaults if new; NULL and the error set. */
struct rip_conf_iface *rip_conf_iface_add(struct conf_parser *p, struct rip_conf *conf,
    const char *name);
/* A service's prefix (see service_prefixes); -1 when out of memory. */
int rip_conf_service_prefix_add(struct rip_conf *conf, struct prefix4 prefix);

/*
 * After parsing, with the daemon's key chains: every key-chain named by an
 * interface exists, a mode has a secret (string or key chain) and not both.
 * 0, or -1 with the error set at the interface's authentication line.
 */
int rip_conf_auth_validate(struct conf_parser *p, const struct rip_conf *conf,
    const struct keychain_set *chains);

/* Canonical form: the `router rip` block (nothing without one); an interface's RIP lines. */
void rip_conf_print_router(FILE *out, const struct rip_conf *conf);
void rip_conf_iface_print(FILE *out, const struct rip_conf_iface *ifc);

/* Per-interface settings for `name`: the matching `interface` block or the defaults. */
struct rip_conf_iface rip_conf_iface_get(const struct rip_conf *conf, const char *name);

/* Is the interface `name` with this address covered by a `network` statement? */
bool rip_conf_network_match(const struct rip_conf *conf, const char *ifname, uint32_t addr);
/* Is the interface passive (no updates sent; still receives)? */
bool rip_conf_is_passive(const struct rip_conf *conf, const char *ifname);

#endif
