/*
 * conf.c - RIP's part of riposted.conf, in the FRR/Quagga ripd.conf
 * dialect: the `router rip` block and the RIP statements of an `interface`
 * block (their keyword tables), and their canonical print.  The lexer and
 * the table lookup are lib/conf.c's; the top-level grammar that enters
 * these blocks is riposted/conf.c's.  Numeric ranges are the rip_range
 * constants below; defaults live in rip_conf_init() and
 * rip_conf_iface_default() only.
 */
#include "rip/conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

struct rip_range {
	const char *what;
	uint32_t min;
	uint32_t max;
};

/*
 * Timers: FRR's `timers basic` takes 5..2147483647 s for each (Quagga the
 * same).  Our floor is 1 s, so that tests and our own fast-timer peers can
 * run faster; our ceiling keeps every timer in milliseconds below 2^31.
 */
static const struct rip_range range_version = { "version", 1, 2 };
static const struct rip_range range_default_metric = { "default-metric", 1, 16 };
static const struct rip_range range_redist_metric = { "redistribute metric", 0, 16 };
static const struct rip_range range_update = { "timers basic update", 1, 2147483 };
static const struct rip_range range_timeout = { "timers basic timeout", 1, 2147483 };
static const struct rip_range range_garbage = { "timers basic garbage", 1, 2147483 };
static const struct rip_range range_ecmp = { "allow-ecmp", 1, 65535 };
/* Ten million routes is ~1.5 GB; beyond that the limit protects nothing. */
static const struct rip_range range_max_routes = { "max-routes", 1, 10000000 };

static int
rip_uint(struct conf_parser *p, const char *word, const struct rip_range *r, uint32_t *out)
{
	return conf_uint(p, word, r->what, r->min, r->max, out);
}

void
rip_conf_init(struct rip_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->version = 2;
	conf->default_metric = 1;
	conf->t_update = 30;	/* RFC 2453 3.8 */
	conf->t_timeout = 180;
	conf->t_garbage = 120;
	conf->allow_ecmp = true;
	conf->max_routes = RIP_CONF_MAX_ROUTES;
	conf->max_routes_neighbor = 0;
}

struct rip_conf_iface
rip_conf_iface_default(const char *name)
{
	struct rip_conf_iface ifc;
	size_t len = strnlen(name, IFNAMSIZ - 1);

	memset(&ifc, 0, sizeof(ifc));
	memcpy(ifc.name, name, len);
	ifc.split_horizon = RIP_SH_POISONED;
	ifc.send_version = 2;
	ifc.recv_version = 2;
	ifc.md5_auth_len = RIP_AUTH_LEN_OLD;	/* FRR's default (auth-length old-ripd) */
	return ifc;
}

void
rip_conf_free(struct rip_conf *conf)
{
	if (conf == NULL)
		return;
	free(conf->networks);
	free(conf->neighbors);
	free(conf->passive);
	free(conf->nopassive);
	/* Authentication strings do not outlive the configuration in freed memory. */
	if (conf->ifaces != NULL)
		explicit_bzero(conf->ifaces, conf->n_ifaces * sizeof(*conf->ifaces));
	free(conf->ifaces);
	free(conf->service_prefixes);
	keychain_set_free(&conf->keychains);
	/* Leave it usable: freeing twice or parsing into it again is fine. */
	rip_conf_init(conf);
}

static bool
conf_network_equal(const struct rip_conf_network *a, const struct rip_conf_network *b)
{
	if (a->is_ifname != b->is_ifname)
		return false;
	if (a->is_ifname)
		return strcmp(a->ifname, b->ifname) == 0;
	return prefix4_equal(a->prefix, b->prefix);
}

static ssize_t
conf_name_find(char (*list)[IFNAMSIZ], size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return (ssize_t)i;
	return -1;
}

static int
conf_name_add(struct conf_parser *p, char (**list)[IFNAMSIZ], size_t *n, const char *name)
{
	char (*l)[IFNAMSIZ];

	if (conf_name_find(*list, *n, name) >= 0)
		return 0;
	l = conf_grow(p, *list, *n, sizeof(**list), "passive-interface statements");
	if (l == NULL)
		return -1;
	memset(l[*n], 0, IFNAMSIZ);
	memcpy(l[*n], name, strlen(name));
	*list = l;
	(*n)++;
	return 0;
}

static void
conf_name_del(char (*list)[IFNAMSIZ], size_t *n, const char *name)
{
	ssize_t i = conf_name_find(list, *n, name);

	if (i < 0)
		return;
	memmove(list[i], list[i + 1], (*n - (size_t)i - 1) * IFNAMSIZ);
	(*n)--;
}

/* ---- router rip ---- */

static int
h_version(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	struct rip_conf def;
	uint32_t v = 0;

	if (argc > 0 && rip_uint(p, argv[0], &range_version, &v) != 0)
		return -1;
	/* `no version [N]` restores the default. */
	if (kw->value != 0) {
		rip_conf_init(&def);
		v = def.version;
	}
	if (v == 1)
		return conf_err(p, "RIPv1 is not supported");
	conf->version = (uint8_t)v;
	return 0;
}

static int
h_network(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	struct rip_conf_network net, *nets;
	const char *w = argv[0];
	char buf[PFX4_STRLEN];
	bool del = kw->value != 0;
	size_t i;

	memset(&net, 0, sizeof(net));
	/* FRR's grammar is <A.B.C.D/M|WORD>; what looks like an address is one. */
	if (strspn(w, "0123456789./") == strlen(w)) {
		if (prefix4_parse(w, &net.prefix, false, false) != 0) {
			if (prefix4_parse(w, &net.prefix, false, true) != 0)
				return conf_err(p, "network: invalid prefix '%s' "
				    "(A.B.C.D/M expected)", w);
			if (!del)
				conf_warn(p, "network %s has host bits set: using %s", w,
				    prefix4_ntop(net.prefix, buf));
		}
	} else {
		net.is_ifname = true;
		if (conf_ifname(p, w, net.ifname) != 0)
			return -1;
		/* "1:0" would print as `network 1`, which reads back as a prefix. */
		if (strspn(net.ifname, "0123456789.") == strlen(net.ifname))
			return conf_err(p, "network: invalid prefix or interface name '%s'", w);
	}
	for (i = 0; i < conf->n_networks; i++)
		if (conf_network_equal(&conf->networks[i], &net))
			break;
	if (del) {
		if (i == conf->n_networks) {
			conf_warn(p, "no network %s: not configured", w);
			return 0;
		}
		memmove(&conf->networks[i], &conf->networks[i + 1],
		    (conf->n_networks - i - 1) * sizeof(net));
		conf->n_networks--;
		return 0;
	}
	if (i < conf->n_networks)
		return 0;
	nets = conf_grow(p, conf->networks, conf->n_networks, sizeof(net),
	    "network statements");
	if (nets == NULL)
		return -1;
	nets[conf->n_networks++] = net;
	conf->networks = nets;
	return 0;
}

static int
h_neighbor(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	uint32_t a, *nb;
	size_t i;

	if (ip4_parse(argv[0], &a) != 0)
		return conf_err(p, "neighbor: invalid address '%s' (A.B.C.D expected)",
		    argv[0]);
	if (ip4_is_martian(a))
		return conf_err(p, "neighbor %s is not a unicast address", argv[0]);
	for (i = 0; i < conf->n_neighbors; i++)
		if (conf->neighbors[i] == a)
			break;
	if (kw->value != 0) {
		if (i == conf->n_neighbors) {
			conf_warn(p, "no neighbor %s: not configured", argv[0]);
			return 0;
		}
		memmove(&conf->neighbors[i], &conf->neighbors[i + 1],
		    (conf->n_neighbors - i - 1) * sizeof(a));
		conf->n_neighbors--;
		return 0;
	}
	if (i < conf->n_neighbors)
		return 0;
	nb = conf_grow(p, conf->neighbors, conf->n_neighbors, sizeof(a), "neighbor statements");
	if (nb == NULL)
		return -1;
	nb[conf->n_neighbors++] = a;
	conf->neighbors = nb;
	return 0;
}

/*
 * FRR keeps one list whose meaning flips with `passive-interface default`;
 * we keep both lists, disjoint, so the order of statements does not matter:
 * passive if listed passive, or by default unless listed non-passive.
 */
static int
h_passive(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	char name[IFNAMSIZ];
	bool no = kw->value != 0;

	if (strcmp(argv[0], "default") == 0) {
		conf->passive_default = !no;
		return 0;
	}
	if (conf_ifname(p, argv[0], name) != 0)
		return -1;
	/* "default:0" would print as the keyword. */
	if (strcmp(name, "default") == 0)
		return conf_err(p, "%s: invalid interface name '%s'", kw->words, argv[0]);
	if (no) {
		conf_name_del(conf->passive, &conf->n_passive, name);
		return conf_name_add(p, &conf->nopassive, &conf->n_nopassive, name);
	}
	conf_name_del(conf->nopassive, &conf->n_nopassive, name);
	return conf_name_add(p, &conf->passive, &conf->n_passive, name);
}

static const struct {
	const char *name;
	enum rip_redist_kind kind;
} redist_sources[] = {
	{ "connected", RIP_REDIST_CONNECTED },
	{ "static", RIP_REDIST_STATIC },
	{ "kernel", RIP_REDIST_KERNEL },
};

/* The rest of what FRR's ripd can redistribute. */
static const char *const redist_other[] = {
	"babel", "bgp", "eigrp", "isis", "nhrp", "openfabric", "ospf", "sharp", "table", "vnc",
};

static const char *
redist_name(enum rip_redist_kind kind)
{
	for (size_t i = 0; i < nitems(redist_sources); i++)
		if (redist_sources[i].kind == kind)
			return redist_sources[i].name;
	return "?";
}

static int
h_redistribute(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	struct rip_conf_redist *rd = NULL;
	uint32_t metric = 0;
	size_t i;

	for (i = 0; i < nitems(redist_sources); i++)
		if (strcmp(argv[0], redist_sources[i].name) == 0)
			rd = &conf->redist[redist_sources[i].kind];
	if (rd == NULL) {
		for (i = 0; i < nitems(redist_other); i++)
			if (strcmp(argv[0], redist_other[i]) == 0)
				return conf_err(p, "'redistribute %s' is not supported "
				    "by riposted", argv[0]);
		return conf_err(p, "redistribute: unknown route source '%s' (connected, static "
		    "or kernel)", argv[0]);
	}
	for (int a = 1; a < argc; a++) {
		if (strcmp(argv[a], "metric") == 0) {
			if (a + 1 >= argc)
				return conf_usage(p, kw, "missing metric value");
			if (rip_uint(p, argv[++a], &range_redist_metric, &metric) != 0)
				return -1;
		} else if (strcmp(argv[a], "route-map") == 0) {
			return conf_err(p, "'route-map' is not supported by riposted");
		} else {
			return conf_err(p, "%s: unexpected '%s' (usage: %s)", kw->words,
			    argv[a], kw->help);
		}
	}
	if (kw->value != 0) {
		rd->enabled = false;
		rd->metric = 0;
	} else {
		rd->enabled = true;
		rd->metric = (uint8_t)metric;
	}
	return 0;
}

static int
h_default_information(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	conf->default_originate = kw->value == 0;
	return 0;
}

static int
h_default_metric(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	uint32_t v;

	if (rip_uint(p, argv[0], &range_default_metric, &v) != 0)
		return -1;
	conf->default_metric = (uint8_t)v;
	return 0;
}

static int
h_no_default_metric(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	struct rip_conf def;

	rip_conf_init(&def);
	conf->default_metric = def.default_metric;
	return 0;
}

static int
h_timers(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	uint32_t u, t, g;

	if (rip_uint(p, argv[0], &range_update, &u) != 0 ||
	    rip_uint(p, argv[1], &range_timeout, &t) != 0 ||
	    rip_uint(p, argv[2], &range_garbage, &g) != 0)
		return -1;
	conf->t_update = u;
	conf->t_timeout = t;
	conf->t_garbage = g;
	return 0;
}

static int
h_no_timers(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	struct rip_conf def;

	rip_conf_init(&def);
	conf->t_update = def.t_update;
	conf->t_timeout = def.t_timeout;
	conf->t_garbage = def.t_garbage;
	return 0;
}

static int
h_allow_ecmp(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	uint32_t n;

	if (argc > 0) {
		if (rip_uint(p, argv[0], &range_ecmp, &n) != 0)
			return -1;
		if (kw->value == 0)
			conf_warn(p, "allow-ecmp %s: the path limit is ignored, riposted "
			    "installs every equal-cost path", argv[0]);
	}
	conf->allow_ecmp = kw->value == 0;
	return 0;
}

/* max-routes N [per-neighbor], no max-routes [N] [per-neighbor] */
static int
h_max_routes(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf *conf = target;
	bool no = kw->value != 0, per_neighbor = false;
	uint32_t n = 0;
	int a = 0;

	if (a < argc && strcmp(argv[a], "per-neighbor") != 0) {
		if (rip_uint(p, argv[a], &range_max_routes, &n) != 0)
			return -1;
		a++;
	} else if (!no) {
		return conf_usage(p, kw, "missing the number of routes");
	}
	if (a < argc) {
		if (strcmp(argv[a], "per-neighbor") != 0)
			return conf_err(p, "%s: unexpected '%s' (usage: %s)", kw->words, argv[a],
			    kw->help);
		per_neighbor = true;
	}
	if (no) {
		struct rip_conf def;
		rip_conf_init(&def);
		n = per_neighbor ? def.max_routes_neighbor : def.max_routes;
	}
	if (per_neighbor)
		conf->max_routes_neighbor = n;
	else
		conf->max_routes = n;
	return 0;
}

/* ---- interface ---- */

static int
h_split_horizon(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf_iface *ifc = target;
	ifc->split_horizon = (enum rip_split_horizon)kw->value;
	return 0;
}

/* ip rip send|receive version: FRR takes 1, 2, "1 2" or "2 1". */
static int
h_rip_version(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf_iface *ifc = target;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "1") == 0)
			return conf_err(p, "RIPv1 is not supported");
		if (strcmp(argv[i], "2") != 0)
			return conf_err(p, "%s: '%s' is not a RIP version (usage: %s)",
			    kw->words, argv[i], kw->help);
	}
	/* The `no` forms, without arguments, restore the default: also 2. */
	if (kw->value == 0)
		ifc->send_version = 2;
	else
		ifc->recv_version = 2;
	return 0;
}

static int
h_rip_bfd(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf_iface *ifc = target;
	if (argc > 0)
		return conf_err(p, "'ip rip bfd %s': BFD profiles are not supported; use "
		    "'bfd interval MS multiplier N' in the interface block", argv[0]);
	ifc->bfd = kw->value == 0;
	return 0;
}

/*
 * FRR's `ip rip authentication ...` (value: what the row sets):
 *   mode md5 [auth-length rfc|old-ripd] | mode text   (and `no ... mode`)
 *   string PASSWORD                                     (and `no ... string`)
 *   key-chain NAME                                      (and `no ... key-chain`)
 * Whether a mode has its secret is checked after the whole file
 * (rip_conf_auth_validate): FRR takes the statements in any order.
 */
enum { AUTH_ROW_MODE, AUTH_ROW_NO_MODE, AUTH_ROW_STRING, AUTH_ROW_NO_STRING,
	AUTH_ROW_KEYCHAIN, AUTH_ROW_NO_KEYCHAIN };

static int
h_auth(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct rip_conf_iface *ifc = target;
	size_t len;

	ifc->auth_line = p->line;
	switch (kw->value) {
	case AUTH_ROW_MODE:
		if (strcmp(argv[0], "text") == 0) {
			if (argc > 1)
				return conf_usage(p, kw, "too many arguments");
			ifc->auth_mode = RIP_AUTH_MODE_TEXT;
			return 0;
		}
		if (strcmp(argv[0], "md5") != 0)
			return conf_err(p, "%s: unknown mode '%s' (md5 or text)", kw->words,
			    argv[0]);
		ifc->md5_auth_len = RIP_AUTH_LEN_OLD;
		if (argc == 2 || (argc == 3 && strcmp(argv[1], "auth-length") != 0))
			return conf_usage(p, kw, "expected 'auth-length rfc|old-ripd'");
		if (argc == 3) {
			if (strcmp(argv[2], "rfc") == 0)
				ifc->md5_auth_len = RIP_AUTH_LEN_RFC;
			else if (strcmp(argv[2], "old-ripd") != 0)
				return conf_err(p, "%s md5 auth-length: '%s' is neither rfc nor "
				    "old-ripd", kw->words, argv[2]);
		}
		ifc->auth_mode = RIP_AUTH_MODE_MD5;
		return 0;
	case AUTH_ROW_NO_MODE:
		ifc->auth_mode = RIP_AUTH_MODE_NONE;
		ifc->md5_auth_len = RIP_AUTH_LEN_OLD;
		return 0;
	case AUTH_ROW_STRING:
		len = strlen(argv[0]);
		/* RFC 2453 4.1: the password field is 16 octets. */
		if (len > RIP_AUTH_STRING_MAX)
			return conf_err(p, "%s: longer than %d characters", kw->words,
			    RIP_AUTH_STRING_MAX);
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)argv[0][i] < 0x21 || (unsigned char)argv[0][i] > 0x7e)
				return conf_err(p, "%s: only printable ASCII characters",
				    kw->words);
		explicit_bzero(ifc->auth_string, sizeof(ifc->auth_string));
		memcpy(ifc->auth_string, argv[0], len);
		return 0;
	case AUTH_ROW_NO_STRING:
		explicit_bzero(ifc->auth_string, sizeof(ifc->auth_string));
		return 0;
	case AUTH_ROW_KEYCHAIN:
		len = strlen(argv[0]);
		if (len > KEYCHAIN_NAME_MAX)
			return conf_err(p, "%s: name too long (max %d characters)", kw->words,
			    KEYCHAIN_NAME_MAX);
		memset(ifc->auth_keychain, 0, sizeof(ifc->auth_keychain));
		memcpy(ifc->auth_keychain, argv[0], len);
		return 0;
	case AUTH_ROW_NO_KEYCHAIN:
		memset(ifc->auth_keychain, 0, sizeof(ifc->auth_keychain));
		return 0;
	}
	return 0;
}

int
rip_conf_auth_validate(struct conf_parser *p, const struct rip_conf *conf,
    const struct keychain_set *chains)
{
	for (size_t i = 0; i < conf->n_ifaces; i++) {
		const struct rip_conf_iface *ifc = &conf->ifaces[i];
		bool str = ifc->auth_string[0] != '\0', kc = ifc->auth_keychain[0] != '\0';

		if (!str && !kc && ifc->auth_mode == RIP_AUTH_MODE_NONE)
			continue;
		p->line = ifc->auth_line;
		/* FRR refuses the second of the two the same way. */
		if (str && kc)
			return conf_err(p, "interface %s: both an authentication string and a "
			    "key-chain; use one", ifc->name);
		if (kc && keychain_find(chains, ifc->auth_keychain) == NULL)
			return conf_err(p, "interface %s: key chain '%s' is not defined",
			    ifc->name, ifc->auth_keychain);
		if (ifc->auth_mode != RIP_AUTH_MODE_NONE && !str && !kc)
			return conf_err(p, "interface %s: ip rip authentication mode %s needs "
			    "'ip rip authentication string' or 'key-chain'", ifc->name,
			    ifc->auth_mode == RIP_AUTH_MODE_TEXT ? "text" : "md5");
	}
	return 0;
}

/* ip rip ttl-security: BIRD's `ttl security`; FRR's ripd has none. */
static int
h_ttl_security(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct rip_conf_iface *ifc = target;
	ifc->ttl_security = kw->value == 0;
	return 0;
}

/* ---- the tables ---- */

static void
p_router(FILE *out, const struct conf_kw *kw, const void *target, const char *indent);
static void
p_iface(FILE *out, const struct conf_kw *kw, const void *target, const char *indent);

static const struct conf_kw kw_rip[] = {
	CONF_KW_HP("version", 1, 1, h_version, p_router, 0, "version 2"),
	CONF_KW_H("no version", 0, 1, h_version, 1, "no version [2]"),
	CONF_KW_H("network", 1, 1, h_network, 0, "network A.B.C.D/M|IFNAME"),
	CONF_KW_H("no network", 1, 1, h_network, 1, "no network A.B.C.D/M|IFNAME"),
	CONF_KW_H("neighbor", 1, 1, h_neighbor, 0, "neighbor A.B.C.D"),
	CONF_KW_H("no neighbor", 1, 1, h_neighbor, 1, "no neighbor A.B.C.D"),
	CONF_KW_H("passive-interface", 1, 1, h_passive, 0, "passive-interface IFNAME|default"),
	CONF_KW_H("no passive-interface", 1, 1, h_passive, 1,
	    "no passive-interface IFNAME|default"),
	CONF_KW_H("redistribute", 1, 3, h_redistribute, 0,
	    "redistribute connected|static|kernel [metric <0-16>]"),
	CONF_KW_H("no redistribute", 1, 3, h_redistribute, 1,
	    "no redistribute connected|static|kernel [metric <0-16>]"),
	CONF_KW_H("default-information originate", 0, 0, h_default_information, 0,
	    "default-information originate"),
	CONF_KW_H("no default-information originate", 0, 0, h_default_information, 1,
	    "no default-information originate"),
	CONF_KW_H("default-metric", 1, 1, h_default_metric, 0, "default-metric <1-16>"),
	CONF_KW_H("no default-metric", 0, 1, h_no_default_metric, 0,
	    "no default-metric [<1-16>]"),
	CONF_KW_H("timers basic", 3, 3, h_timers, 0,
	    "timers basic UPDATE TIMEOUT GARBAGE (seconds, 1-2147483 each)"),
	CONF_KW_H("no timers basic", 0, 3, h_no_timers, 0,
	    "no timers basic [UPDATE TIMEOUT GARBAGE]"),
	CONF_KW_H("allow-ecmp", 0, 1, h_allow_ecmp, 0, "allow-ecmp [N]"),
	CONF_KW_H("no allow-ecmp", 0, 1, h_allow_ecmp, 1, "no allow-ecmp [N]"),
	CONF_KW_H("distance", 0, CONF_ARGS_ANY, conf_h_unsupported, 0, "distance ..."),
	CONF_KW_H("offset-list", 0, CONF_ARGS_ANY, conf_h_unsupported, 0, "offset-list ..."),
	CONF_KW_H("distribute-list", 0, CONF_ARGS_ANY, conf_h_unsupported, 0,
	    "distribute-list ..."),
	CONF_KW_H("route", 0, CONF_ARGS_ANY, conf_h_unsupported, 0, "route A.B.C.D/M"),
	CONF_KW_H("max-routes", 1, 2, h_max_routes, 0, "max-routes N [per-neighbor]"),
	CONF_KW_H("no max-routes", 0, 2, h_max_routes, 1, "no max-routes [N] [per-neighbor]"),
};

const struct conf_table rip_conf_router_table = {
	"router rip", kw_rip, nitems(kw_rip), NULL,
};

static const struct conf_kw kw_iface[] = {
	CONF_KW_HP("ip rip split-horizon", 0, 0, h_split_horizon, p_iface, RIP_SH_SIMPLE,
	    "ip rip split-horizon"),
	CONF_KW_H("ip rip split-horizon poisoned-reverse", 0, 0, h_split_horizon,
	    RIP_SH_POISONED, "ip rip split-horizon poisoned-reverse"),
	CONF_KW_H("no ip rip split-horizon", 0, 0, h_split_horizon, RIP_SH_NONE,
	    "no ip rip split-horizon"),
	/* FRR: turns poisoned reverse off and leaves simple split horizon on. */
	CONF_KW_H("no ip rip split-horizon poisoned-reverse", 0, 0, h_split_horizon,
	    RIP_SH_SIMPLE, "no ip rip split-horizon poisoned-reverse"),
	CONF_KW_H("ip rip send version", 1, 2, h_rip_version, 0, "ip rip send version 2"),
	CONF_KW_H("ip rip receive version", 1, 2, h_rip_version, 1, "ip rip receive version 2"),
	CONF_KW_H("no ip rip send version", 0, 2, h_rip_version, 0,
	    "no ip rip send version [2]"),
	CONF_KW_H("no ip rip receive version", 0, 2, h_rip_version, 1,
	    "no ip rip receive version [2]"),
	CONF_KW_H("ip rip authentication mode", 1, 3, h_auth, AUTH_ROW_MODE,
	    "ip rip authentication mode md5 [auth-length rfc|old-ripd]|text"),
	CONF_KW_H("no ip rip authentication mode", 0, 3, h_auth, AUTH_ROW_NO_MODE,
	    "no ip rip authentication mode [md5|text ...]"),
	CONF_KW_H("ip rip authentication string", 1, 1, h_auth, AUTH_ROW_STRING,
	    "ip rip authentication string PASSWORD"),
	CONF_KW_H("no ip rip authentication string", 0, 1, h_auth, AUTH_ROW_NO_STRING,
	    "no ip rip authentication string [PASSWORD]"),
	CONF_KW_H("ip rip authentication key-chain", 1, 1, h_auth, AUTH_ROW_KEYCHAIN,
	    "ip rip authentication key-chain NAME"),
	CONF_KW_H("no ip rip authentication key-chain", 0, 1, h_auth, AUTH_ROW_NO_KEYCHAIN,
	    "no ip rip authentication key-chain [NAME]"),
	CONF_KW_H("ip rip v2-broadcast", 0, 0, conf_h_unsupported, 0, "ip rip v2-broadcast"),
	CONF_KW_H("ip rip bfd", 0, CONF_ARGS_ANY, h_rip_bfd, 0, "ip rip bfd"),
	CONF_KW_H("no ip rip bfd", 0, 0, h_rip_bfd, 1, "no ip rip bfd"),
	CONF_KW_H("ip rip ttl-security", 0, 0, h_ttl_security, 0, "ip rip ttl-security"),
	CONF_KW_H("no ip rip ttl-security", 0, 0, h_ttl_security, 1, "no ip rip ttl-security"),
};

const struct conf_table rip_conf_iface_table = {
	"interface IFNAME", kw_iface, nitems(kw_iface), NULL,
};

/* The whole router rip block, printed through its first row. */
static void
p_router(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct rip_conf *conf = target;
	char buf[PFX4_STRLEN];
	size_t i;

	fprintf(out, "%sversion %u\n", indent, conf->version);
	for (i = 0; i < conf->n_networks; i++) {
		const struct rip_conf_network *n = &conf->networks[i];
		fprintf(out, "%snetwork %s\n", indent,
		    n->is_ifname ? n->ifname : prefix4_ntop(n->prefix, buf));
	}
	for (i = 0; i < conf->n_neighbors; i++)
		fprintf(out, "%sneighbor %s\n", indent, ip4_ntop(conf->neighbors[i], buf));
	if (conf->passive_default)
		fprintf(out, "%spassive-interface default\n", indent);
	for (i = 0; i < conf->n_passive; i++)
		fprintf(out, "%spassive-interface %s\n", indent, conf->passive[i]);
	for (i = 0; i < conf->n_nopassive; i++)
		fprintf(out, "%sno passive-interface %s\n", indent, conf->nopassive[i]);
	for (i = 0; i < RIP_REDIST_COUNT; i++) {
		if (!conf->redist[i].enabled)
			continue;
		fprintf(out, "%sredistribute %s", indent, redist_name((enum rip_redist_kind)i));
		if (conf->redist[i].metric != 0)
			fprintf(out, " metric %u", conf->redist[i].metric);
		fputc('\n', out);
	}
	if (conf->default_originate)
		fprintf(out, "%sdefault-information originate\n", indent);
	fprintf(out, "%sdefault-metric %u\n", indent, conf->default_metric);
	fprintf(out, "%stimers basic %u %u %u\n", indent, conf->t_update, conf->t_timeout,
	    conf->t_garbage);
	fprintf(out, "%s%sallow-ecmp\n", indent, conf->allow_ecmp ? "" : "no ");
	if (conf->max_routes != RIP_CONF_MAX_ROUTES)
		fprintf(out, "%smax-routes %u\n", indent, conf->max_routes);
	if (conf->max_routes_neighbor != 0)
		fprintf(out, "%smax-routes %u per-neighbor\n", indent, conf->max_routes_neighbor);
}

static void
p_iface(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct rip_conf_iface *ifc = target;

	if (ifc->split_horizon == RIP_SH_SIMPLE)
		fprintf(out, "%sip rip split-horizon\n", indent);
	else if (ifc->split_horizon == RIP_SH_NONE)
		fprintf(out, "%sno ip rip split-horizon\n", indent);
	if (ifc->bfd)
		fprintf(out, "%sip rip bfd\n", indent);
	if (ifc->auth_mode == RIP_AUTH_MODE_TEXT)
		fprintf(out, "%sip rip authentication mode text\n", indent);
	else if (ifc->auth_mode == RIP_AUTH_MODE_MD5)
		fprintf(out, "%sip rip authentication mode md5 auth-length %s\n", indent,
		    ifc->md5_auth_len == RIP_AUTH_LEN_RFC ? "rfc" : "old-ripd");
	/* The configuration, secrets included: --print is a config file. */
	if (ifc->auth_string[0] != '\0')
		fprintf(out, "%sip rip authentication string %s\n", indent, ifc->auth_string);
	if (ifc->auth_keychain[0] != '\0')
		fprintf(out, "%sip rip authentication key-chain %s\n", indent,
		    ifc->auth_keychain);
	if (ifc->ttl_security)
		fprintf(out, "%sip rip ttl-security\n", indent);
}

void
rip_conf_print_router(FILE *out, const struct rip_conf *conf)
{
	if (!conf->router_rip)
		return;
	fputs("router rip\n", out);
	conf_table_print(out, &rip_conf_router_table, conf, " ");
	fputs("!\n", out);
}

void
rip_conf_iface_print(FILE *out, const struct rip_conf_iface *ifc)
{
	conf_table_print(out, &rip_conf_iface_table, ifc, " ");
}

struct rip_conf_iface *
rip_conf_iface_add(struct conf_parser *p, struct rip_conf *conf, const char *name)
{
	struct rip_conf_iface *ifs;
	size_t i;

	for (i = 0; i < conf->n_ifaces; i++)
		if (strcmp(conf->ifaces[i].name, name) == 0)
			return &conf->ifaces[i];
	ifs = conf_grow(p, conf->ifaces, conf->n_ifaces, sizeof(*ifs), "interface blocks");
	if (ifs == NULL)
		return NULL;
	ifs[i] = rip_conf_iface_default(name);
	conf->ifaces = ifs;
	conf->n_ifaces++;
	return &ifs[i];
}

int
rip_conf_service_prefix_add(struct rip_conf *conf, struct prefix4 prefix)
{
	struct prefix4 *a;
	size_t n = conf->n_service_prefixes;

	a = realloc(conf->service_prefixes, (n + 1) * sizeof(*a));
	if (a == NULL)
		return -1;
	a[n] = prefix;
	conf->service_prefixes = a;
	conf->n_service_prefixes = n + 1;
	return 0;
}

struct rip_conf_iface
rip_conf_iface_get(const struct rip_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_ifaces; i++)
		if (strcmp(conf->ifaces[i].name, name) == 0)
			return conf->ifaces[i];
	return rip_conf_iface_default(name);
}

bool
rip_conf_network_match(const struct rip_conf *conf, const char *ifname, uint32_t addr)
{
	for (size_t i = 0; i < conf->n_networks; i++) {
		const struct rip_conf_network *n = &conf->networks[i];
		if (n->is_ifname ? ifname != NULL && strcmp(n->ifname, ifname) == 0 :
		    prefix4_contains(n->prefix, addr))
			return true;
	}
	return false;
}

bool
rip_conf_is_passive(const struct rip_conf *conf, const char *ifname)
{
	if (conf_name_find(conf->passive, conf->n_passive, ifname) >= 0)
		return true;
	return conf->passive_default &&
	    conf_name_find(conf->nopassive, conf->n_nopassive, ifname) < 0;
}
