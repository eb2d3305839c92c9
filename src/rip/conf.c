/*
 * conf.c - the ripd.conf parser (FRR/Quagga dialect) and its canonical
 * printer.
 *
 * The input is untrusted bytes with an explicit length.  Lines end at '\n'
 * (a trailing '\r' is dropped, so CRLF files load), are copied into a
 * bounded buffer and split into words; '!' or '#' at the start of a word
 * starts a comment.  NUL bytes, lines over CONF_LINE_MAX bytes and more than
 * CONF_WORDS_MAX words are errors.
 *
 * Each context (top level, router rip, interface, line vty) has a keyword
 * table; the longest row whose words begin the statement wins.  A statement
 * the current context does not know is tried at top level, which leaves the
 * context: FRR's vtysh falls back to the parent node the same way, which is
 * why its files need no `exit`.  Adding a statement is one table row;
 * adding a context is one enum value, one table and one conf_ctxs row.
 * Numeric ranges are the conf_range constants below; defaults live in
 * rip_conf_init() only.
 */
#include "conf.h"

#include "../bfd/bfd.h"
#include "../lib/textfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define CONF_LINE_MAX 1024
#define CONF_WORDS_MAX 64
#define CONF_FILE_MAX (4u * 1024 * 1024)
/* Entries per list: bounds the linear duplicate checks (and the memory). */
#define CONF_LIST_MAX 1024
#define CONF_ARGS_ANY -1

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

enum conf_ctx {
	CTX_TOP,
	CTX_RIP,
	CTX_IFACE,
	CTX_VTY,
	CTX_SERVICE,
	CTX_COUNT,
};

struct conf_parser {
	const char *name;
	unsigned line;
	struct rip_conf *conf;
	enum conf_ctx ctx;
	size_t iface;	/* index into conf->ifaces while in CTX_IFACE */
	size_t svc;	/* index into conf->services while in CTX_SERVICE */
	bool log_seen;
	char *err;
	size_t errlen;
	/* The line as read and its copy that the words point into (h_svc_check). */
	const char *line_raw;
	const char *line_words;
	size_t line_len;
};

struct conf_kw;
typedef int conf_handler(struct conf_parser *, const struct conf_kw *, int, char **);

struct conf_kw {
	const char *words;	/* fixed leading words, separated by one space */
	int min_args;		/* arguments after the fixed words */
	int max_args;		/* or CONF_ARGS_ANY */
	conf_handler *handler;
	int data;		/* for shared handlers: destination, kind, ... */
	const char *help;
};

struct conf_ctx_def {
	const char *name;	/* for messages */
	const struct conf_kw *kw;
	size_t n;
	conf_handler *other;	/* what neither this context nor top level knows */
};

struct conf_range {
	const char *what;
	uint32_t min;
	uint32_t max;
};

/*
 * Timers: FRR's `timers basic` takes 5..2147483647 s for each (Quagga the
 * same).  Our floor is 1 s, so that tests and our own fast-timer peers can
 * run faster; our ceiling keeps every timer in milliseconds below 2^31.
 */
static const struct conf_range range_version = { "version", 1, 2 };
static const struct conf_range range_default_metric = { "default-metric", 1, 16 };
static const struct conf_range range_redist_metric = { "redistribute metric", 0, 16 };
static const struct conf_range range_update = { "timers basic update", 1, 2147483 };
static const struct conf_range range_timeout = { "timers basic timeout", 1, 2147483 };
static const struct conf_range range_garbage = { "timers basic garbage", 1, 2147483 };
static const struct conf_range range_ecmp = { "allow-ecmp", 1, 65535 };
static const struct conf_range range_bfd_interval = { "bfd interval", BFD_MIN_INTERVAL_MS,
    BFD_MAX_INTERVAL_MS };
static const struct conf_range range_bfd_mult = { "bfd multiplier", 1, 255 };
static const struct conf_range range_rise = { "rise", 1, 100 };
static const struct conf_range range_fall = { "fall", 1, 100 };
/* 16 is unreachable: a service announced with it would be a withdrawal. */
static const struct conf_range range_svc_metric = { "metric", 1, 15 };

void
rip_conf_init(struct rip_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->log_dest = LOG_DEST_STDERR;
	/* FRR's default for `log stdout` is debugging; ours is quieter. */
	conf->log_level = LOG_LVL_INFO;
	conf->version = 2;
	conf->default_metric = 1;
	conf->t_update = 30;	/* RFC 2453 3.8 */
	conf->t_timeout = 180;
	conf->t_garbage = 120;
	conf->allow_ecmp = true;
}

static struct rip_conf_iface
conf_iface_default(const char *name)
{
	struct rip_conf_iface ifc;
	size_t len = strnlen(name, IFNAMSIZ - 1);

	memset(&ifc, 0, sizeof(ifc));
	memcpy(ifc.name, name, len);
	ifc.split_horizon = RIP_SH_POISONED;
	ifc.send_version = 2;
	ifc.recv_version = 2;
	ifc.bfd_interval_ms = BFD_DEFAULT_INTERVAL_MS;
	ifc.bfd_mult = BFD_DEFAULT_MULT;
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
	free(conf->ifaces);
	free(conf->services);
	/* Leave it usable: freeing twice or parsing into it again is fine. */
	rip_conf_init(conf);
}

static int
conf_err(struct conf_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
conf_err(struct conf_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	textfile_vfail(p->err, p->errlen, p->name, p->line, fmt, ap);
	va_end(ap);
	return -1;
}

static void
conf_warn(struct conf_parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
conf_warn(struct conf_parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	textfile_sanitize(msg);
	log_warnx("%s:%u: %s", p->name, p->line, msg);
}

static int
conf_usage(struct conf_parser *p, const struct conf_kw *kw, const char *what)
{
	return conf_err(p, "%s: %s (usage: %s)", kw->words, what, kw->help);
}

/* A decimal number in range; no signs, no spaces, no hex. */
static int
conf_uint(struct conf_parser *p, const char *word, const struct conf_range *r,
    uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	/* Words are never empty: the lexer splits on runs of blanks. */
	for (i = 0; word[i] != '\0'; i++) {
		if (word[i] < '0' || word[i] > '9')
			return conf_err(p, "%s: '%s' is not a number", r->what, word);
		if (v <= UINT32_MAX)
			v = v * 10 + (uint64_t)(word[i] - '0');
	}
	if (v < r->min || v > r->max)
		return conf_err(p, "%s %s out of range %u..%u", r->what, word, r->min, r->max);
	*out = (uint32_t)v;
	return 0;
}

/*
 * An interface name as the kernel accepts it.  An address label ("lo:0",
 * what ifconfig aliases are) names an address, not an interface: we use
 * the interface it belongs to, and say so.
 */
static int
conf_ifname(struct conf_parser *p, const char *word, char out[IFNAMSIZ])
{
	size_t len = strlen(word);
	size_t nlen = strcspn(word, ":");
	size_t i;

	if (len >= IFNAMSIZ)
		return conf_err(p, "interface name '%s' too long (max %d characters)",
		    word, IFNAMSIZ - 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)word[i];
		if (c < 0x21 || c > 0x7e || c == '/')
			return conf_err(p, "invalid interface name '%s'", word);
	}
	if (nlen == 0 || (nlen == 1 && word[0] == '.') ||
	    (nlen == 2 && word[0] == '.' && word[1] == '.'))
		return conf_err(p, "invalid interface name '%s'", word);
	memcpy(out, word, nlen);
	out[nlen] = '\0';
	if (nlen < len)
		conf_warn(p, "'%s' is an address label, not an interface: using interface '%s'",
		    word, out);
	return 0;
}

/*
 * Room for element n, or NULL (and the error set) with arr untouched.  The
 * struct keeps no capacity: it doubles whenever n reaches a power of two,
 * so it is always at least the next power of two, even after removals.
 */
static void *
conf_grow(struct conf_parser *p, void *arr, size_t n, size_t size, const char *what)
{
	void *a;

	if (n >= CONF_LIST_MAX) {
		conf_err(p, "too many %s (max %d)", what, CONF_LIST_MAX);
		return NULL;
	}
	if (n != 0 && (n & (n - 1)) != 0)
		return arr;
	a = realloc(arr, (n != 0 ? 2 * n : 1) * size);
	if (a == NULL)
		conf_err(p, "out of memory");
	return a;
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

/* ---- top level ---- */

static int
h_ignore(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	conf_warn(p, "'%s' is not used by riposted, ignored", kw->words);
	return 0;
}

static int
h_unsupported(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	return conf_err(p, "'%s' is not supported by riposted", kw->words);
}

static int
h_vrf(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	return conf_err(p, "VRFs are not supported");
}

static int
h_exit(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	/* Found at top level, so the context is already left. */
	return 0;
}

static int
h_hostname(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	size_t len = strlen(argv[0]);

	if (len >= sizeof(p->conf->hostname))
		return conf_err(p, "hostname too long (max %zu characters)",
		    sizeof(p->conf->hostname) - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)argv[0][i] < 0x21 || (unsigned char)argv[0][i] > 0x7e)
			return conf_err(p, "invalid hostname '%s'", argv[0]);
	memcpy(p->conf->hostname, argv[0], len + 1);
	return 0;
}

static int
h_no_hostname(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	memset(p->conf->hostname, 0, sizeof(p->conf->hostname));
	return 0;
}

static int
h_log(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf *conf = p->conf, def;
	enum log_dest dest = (enum log_dest)kw->data;
	enum log_level level;
	const char *path = NULL;

	/* Without a level: the default, not what an earlier `log` set. */
	rip_conf_init(&def);
	level = def.log_level;

	if (dest == LOG_DEST_FILE) {
		path = argv[0];
		argv++;
		argc--;
		if (strlen(path) >= sizeof(conf->log_path))
			return conf_err(p, "log file: path too long (max %zu bytes)",
			    sizeof(conf->log_path) - 1);
		for (const char *s = path; *s != '\0'; s++)
			if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
				return conf_err(p, "log file: invalid path '%s'", path);
	}
	if (argc > 0 && log_level_parse(argv[0], &level) != 0)
		return conf_err(p, "%s: unknown level '%s' (errors, warnings, notifications, "
		    "informational or debugging)", kw->words, argv[0]);
	/* FRR logs to several places at once; we have one destination. */
	if (p->log_seen)
		conf_warn(p, "only one log destination is supported: "
		    "'%s' replaces the earlier one", kw->words);
	p->log_seen = true;
	memset(conf->log_path, 0, sizeof(conf->log_path));
	if (path != NULL)
		memcpy(conf->log_path, path, strlen(path));
	conf->log_dest = dest;
	conf->log_level = level;
	return 0;
}

static int
h_router_rip(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "vrf") == 0)
		return conf_err(p, "VRFs are not supported");
	if (argc > 0)
		return conf_usage(p, kw, "too many arguments");
	p->conf->router_rip = true;
	p->ctx = CTX_RIP;
	return 0;
}

static int
h_router_other(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	return conf_err(p, "'router %s' is not supported by riposted", argv[0]);
}

static int
h_interface(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf *conf = p->conf;
	struct rip_conf_iface *ifs;
	char name[IFNAMSIZ];
	size_t i;

	if (argc > 1 && strcmp(argv[1], "vrf") == 0)
		return conf_err(p, "VRFs are not supported");
	if (argc > 1)
		return conf_usage(p, kw, "too many arguments");
	if (conf_ifname(p, argv[0], name) != 0)
		return -1;
	for (i = 0; i < conf->n_ifaces; i++)
		if (strcmp(conf->ifaces[i].name, name) == 0)
			break;
	if (i == conf->n_ifaces) {
		ifs = conf_grow(p, conf->ifaces, conf->n_ifaces, sizeof(*ifs),
		    "interface blocks");
		if (ifs == NULL)
			return -1;
		ifs[i] = conf_iface_default(name);
		conf->ifaces = ifs;
		conf->n_ifaces++;
	}
	p->ctx = CTX_IFACE;
	p->iface = i;
	return 0;
}

static int
h_line_vty(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	conf_warn(p, "'line vty' is not used by riposted, ignored");
	p->ctx = CTX_VTY;
	return 0;
}

/* Whatever is inside `line vty` (exec-timeout, access-class, login ...). */
static int
h_vty_other(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	conf_warn(p, "line vty: '%s' is not used by riposted, ignored", argv[0]);
	return 0;
}

/* ---- router rip ---- */

static int
h_version(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf def;
	uint32_t v = 0;

	if (argc > 0 && conf_uint(p, argv[0], &range_version, &v) != 0)
		return -1;
	/* `no version [N]` restores the default. */
	if (kw->data != 0) {
		rip_conf_init(&def);
		v = def.version;
	}
	if (v == 1)
		return conf_err(p, "RIPv1 is not supported");
	p->conf->version = (uint8_t)v;
	return 0;
}

static int
h_network(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf *conf = p->conf;
	struct rip_conf_network net, *nets;
	const char *w = argv[0];
	char buf[PFX4_STRLEN];
	bool del = kw->data != 0;
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
h_neighbor(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf *conf = p->conf;
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
	if (kw->data != 0) {
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
h_passive(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf *conf = p->conf;
	char name[IFNAMSIZ];
	bool no = kw->data != 0;

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
h_redistribute(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf_redist *rd = NULL;
	uint32_t metric = 0;
	size_t i;

	for (i = 0; i < nitems(redist_sources); i++)
		if (strcmp(argv[0], redist_sources[i].name) == 0)
			rd = &p->conf->redist[redist_sources[i].kind];
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
			if (conf_uint(p, argv[++a], &range_redist_metric, &metric) != 0)
				return -1;
		} else if (strcmp(argv[a], "route-map") == 0) {
			return conf_err(p, "'route-map' is not supported by riposted");
		} else {
			return conf_err(p, "%s: unexpected '%s' (usage: %s)", kw->words,
			    argv[a], kw->help);
		}
	}
	if (kw->data != 0) {
		rd->enabled = false;
		rd->metric = 0;
	} else {
		rd->enabled = true;
		rd->metric = (uint8_t)metric;
	}
	return 0;
}

static int
h_default_information(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	p->conf->default_originate = kw->data == 0;
	return 0;
}

static int
h_default_metric(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	uint32_t v;

	if (conf_uint(p, argv[0], &range_default_metric, &v) != 0)
		return -1;
	p->conf->default_metric = (uint8_t)v;
	return 0;
}

static int
h_no_default_metric(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf def;

	rip_conf_init(&def);
	p->conf->default_metric = def.default_metric;
	return 0;
}

static int
h_timers(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	uint32_t u, t, g;

	if (conf_uint(p, argv[0], &range_update, &u) != 0 ||
	    conf_uint(p, argv[1], &range_timeout, &t) != 0 ||
	    conf_uint(p, argv[2], &range_garbage, &g) != 0)
		return -1;
	p->conf->t_update = u;
	p->conf->t_timeout = t;
	p->conf->t_garbage = g;
	return 0;
}

static int
h_no_timers(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf def;

	rip_conf_init(&def);
	p->conf->t_update = def.t_update;
	p->conf->t_timeout = def.t_timeout;
	p->conf->t_garbage = def.t_garbage;
	return 0;
}

static int
h_allow_ecmp(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	uint32_t n;

	if (argc > 0) {
		if (conf_uint(p, argv[0], &range_ecmp, &n) != 0)
			return -1;
		if (kw->data == 0)
			conf_warn(p, "allow-ecmp %s: the path limit is ignored, riposted "
			    "installs every equal-cost path", argv[0]);
	}
	p->conf->allow_ecmp = kw->data == 0;
	return 0;
}

/* ---- interface ---- */

static struct rip_conf_iface *
conf_cur_iface(struct conf_parser *p)
{
	return &p->conf->ifaces[p->iface];
}

static int
h_split_horizon(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	conf_cur_iface(p)->split_horizon = (enum rip_split_horizon)kw->data;
	return 0;
}

/* ip rip send|receive version: FRR takes 1, 2, "1 2" or "2 1". */
static int
h_rip_version(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf_iface *ifc = conf_cur_iface(p);

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "1") == 0)
			return conf_err(p, "RIPv1 is not supported");
		if (strcmp(argv[i], "2") != 0)
			return conf_err(p, "%s: '%s' is not a RIP version (usage: %s)",
			    kw->words, argv[i], kw->help);
	}
	/* The `no` forms, without arguments, restore the default: also 2. */
	if (kw->data == 0)
		ifc->send_version = 2;
	else
		ifc->recv_version = 2;
	return 0;
}

static int
h_shutdown(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	return conf_err(p, "'shutdown' is not supported by riposted: use 'ip link set %s down'",
	    conf_cur_iface(p)->name);
}

static int
h_rip_bfd(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	if (argc > 0)
		return conf_err(p, "'ip rip bfd %s': BFD profiles are not supported; use "
		    "'bfd interval MS multiplier N' in the interface block", argv[0]);
	conf_cur_iface(p)->bfd = kw->data == 0;
	return 0;
}

/* bfd interval MS [multiplier N] | bfd multiplier N */
static int
h_bfd_timers(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf_iface *ifc = conf_cur_iface(p);
	uint32_t v;

	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return conf_usage(p, kw, "missing value");
		if (strcmp(argv[i], "interval") == 0) {
			if (conf_uint(p, argv[i + 1], &range_bfd_interval, &v) != 0)
				return -1;
			ifc->bfd_interval_ms = v;
		} else if (strcmp(argv[i], "multiplier") == 0) {
			if (conf_uint(p, argv[i + 1], &range_bfd_mult, &v) != 0)
				return -1;
			ifc->bfd_mult = (uint8_t)v;
		} else {
			return conf_usage(p, kw, "expected 'interval' or 'multiplier'");
		}
	}
	return 0;
}

/* ---- service ---- */

static struct rip_conf_service *
conf_cur_svc(struct conf_parser *p)
{
	return &p->conf->services[p->svc];
}

static int
h_service(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf *conf = p->conf;
	struct rip_conf_service *svcs, *sv;
	size_t len = strlen(argv[0]);

	if (len >= SVC_NAME_MAX)
		return conf_err(p, "service name '%s' too long (max %d characters)", argv[0],
		    SVC_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)argv[0][i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.')
			return conf_err(p, "service name '%s': use letters, digits, '-', '_' "
			    "and '.'", argv[0]);
	}
	if (rip_conf_service_find(conf, argv[0]) != NULL)
		return conf_err(p, "service %s is defined twice", argv[0]);
	svcs = conf_grow(p, conf->services, conf->n_services, sizeof(*svcs), "services");
	if (svcs == NULL)
		return -1;
	conf->services = svcs;
	sv = &svcs[conf->n_services];
	memset(sv, 0, sizeof(*sv));
	svc_config_defaults(&sv->svc);
	memcpy(sv->svc.name, argv[0], len + 1);
	memcpy(sv->ifname, RIP_SVC_DEFAULT_IFNAME, sizeof(RIP_SVC_DEFAULT_IFNAME));
	sv->metric = 1;
	sv->line = p->line;
	p->svc = conf->n_services++;
	p->ctx = CTX_SERVICE;
	return 0;
}

static int
h_svc_address(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf_service *sv = conf_cur_svc(p);
	struct prefix4 pfx;

	if (prefix4_parse(argv[0], &pfx, true, false) != 0)
		return conf_err(p, "address: '%s' is not an IPv4 prefix (A.B.C.D/M or A.B.C.D)",
		    argv[0]);
	if (ip4_is_martian(pfx.addr) || pfx.len == 0)
		return conf_err(p, "address: %s cannot be announced", argv[0]);
	for (size_t i = 0; i < sv->n_addrs; i++)
		if (prefix4_equal(sv->addrs[i], pfx))
			return conf_err(p, "address %s given twice", argv[0]);
	if (sv->n_addrs == RIP_SVC_MAX_ADDRS)
		return conf_err(p, "too many addresses in service %s (max %d)", sv->svc.name,
		    RIP_SVC_MAX_ADDRS);
	sv->addrs[sv->n_addrs++] = pfx;
	return 0;
}

static int
h_svc_interface(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	return conf_ifname(p, argv[0], conf_cur_svc(p)->ifname);
}

static int
h_svc_check(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf_service *sv = conf_cur_svc(p);
	char args[CONF_LINE_MAX + 1], msg[256];
	size_t off = (size_t)(argv[0] - p->line_words);
	unsigned i = sv->svc.n_checks;

	if (i == SVC_MAX_CHECKS)
		return conf_err(p, "too many checks in service %s (max %d)", sv->svc.name,
		    SVC_MAX_CHECKS);
	/*
	 * The rest of the line as written, not the words joined again: exec
	 * arguments may be quoted (check.h), and check_conf_parse() splits
	 * them and skips a comment itself.
	 */
	memcpy(args, p->line_raw + off, p->line_len - off);
	args[p->line_len - off] = '\0';
	if (check_conf_parse(args, &sv->checks[i], msg, sizeof(msg)) != 0)
		return conf_err(p, "%s", msg);
	check_conf_format(&sv->checks[i], sv->svc.check_names[i], SVC_CHECK_NAME_MAX);
	sv->svc.n_checks++;
	return 0;
}

static int
h_svc_duration(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf_service *sv = conf_cur_svc(p);
	rtime_t v;
	int rc = svc_duration_parse(argv[0], &v);

	if (rc == SVC_E_UNIT)
		return conf_err(p, "%s: '%s' needs a unit: ms, s or m (e.g. 200ms, 2s)",
		    kw->words, argv[0]);
	if (rc != SVC_OK)
		return conf_err(p, "%s: '%s' is not a duration (e.g. 200ms, 2s, 1m)", kw->words,
		    argv[0]);
	switch (kw->data) {
	case 0: sv->svc.interval = v; break;
	case 1: sv->svc.timeout = v; break;
	case 2: sv->svc.drain_time = v; break;
	default:
		if (v < 10 * RTIME_MS)
			return conf_err(p, "fast-interval %s below 10ms", argv[0]);
		sv->fast_interval = v;
		break;
	}
	return 0;
}

static int
h_svc_number(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	struct rip_conf_service *sv = conf_cur_svc(p);
	static const struct conf_range *const ranges[] = {
		&range_rise, &range_fall, &range_svc_metric,
	};
	uint32_t v;

	if (conf_uint(p, argv[0], ranges[kw->data], &v) != 0)
		return -1;
	switch (kw->data) {
	case 0: sv->svc.rise = v; break;
	case 1: sv->svc.fall = v; break;
	default: sv->metric = (uint8_t)v; break;
	}
	return 0;
}

static int
h_svc_keep(struct conf_parser *p, const struct conf_kw *kw, int argc, char **argv)
{
	conf_cur_svc(p)->keep_address = kw->data == 0;
	return 0;
}

/* What cannot be checked line by line: run at the end of the file. */
static int
conf_services_validate(struct conf_parser *p)
{
	struct rip_conf *conf = p->conf;

	for (size_t i = 0; i < conf->n_services; i++) {
		struct rip_conf_service *sv = &conf->services[i];
		const char *why = NULL;
		char pbuf[PFX4_STRLEN];

		p->line = sv->line;
		if (sv->n_addrs == 0)
			return conf_err(p, "service %s: no address (add 'address A.B.C.D/32')",
			    sv->svc.name);
		if (sv->svc.n_checks == 0)
			return conf_err(p, "service %s: no check (add e.g. 'check tcp "
			    "127.0.0.1:53')", sv->svc.name);
		if (svc_config_validate(&sv->svc, &why) != 0)
			return conf_err(p, "service %s: %s", sv->svc.name, why);
		if (sv->fast_interval > sv->svc.interval)
			return conf_err(p, "service %s: fast-interval longer than interval",
			    sv->svc.name);
		for (size_t j = 0; j < i; j++)
			for (size_t a = 0; a < sv->n_addrs; a++)
				for (size_t b = 0; b < conf->services[j].n_addrs; b++)
					if (prefix4_equal(sv->addrs[a], conf->services[j].addrs[b]))
						return conf_err(p, "service %s: address %s is "
						    "also in service %s", sv->svc.name,
						    prefix4_ntop(sv->addrs[a], pbuf),
						    conf->services[j].svc.name);
	}
	return 0;
}

/* ---- the tables ---- */

static const struct conf_kw kw_top[] = {
	{ "hostname", 1, 1, h_hostname, 0, "hostname NAME" },
	{ "no hostname", 0, 1, h_no_hostname, 0, "no hostname [NAME]" },
	{ "log stdout", 0, 1, h_log, LOG_DEST_STDOUT, "log stdout [LEVEL]" },
	{ "log syslog", 0, 1, h_log, LOG_DEST_SYSLOG, "log syslog [LEVEL]" },
	{ "log file", 1, 2, h_log, LOG_DEST_FILE, "log file PATH [LEVEL]" },
	{ "router rip", 0, 2, h_router_rip, 0, "router rip" },
	{ "router", 1, CONF_ARGS_ANY, h_router_other, 0, "router rip" },
	{ "interface", 1, 3, h_interface, 0, "interface IFNAME" },
	{ "exit", 0, 0, h_exit, 0, "exit" },
	{ "end", 0, 0, h_ignore, 0, "end" },
	{ "line vty", 0, 0, h_line_vty, 0, "line vty" },
	{ "password", 1, 2, h_ignore, 0, "password [8] PASSWORD" },
	{ "enable password", 1, 2, h_ignore, 0, "enable password [8] PASSWORD" },
	{ "service password-encryption", 0, 0, h_ignore, 0, "service password-encryption" },
	{ "service advanced-vty", 0, 0, h_ignore, 0, "service advanced-vty" },
	{ "service", 1, 1, h_service, 0, "service NAME" },
	{ "service integrated-vtysh-config", 0, 0, h_ignore, 0,
	    "service integrated-vtysh-config" },
	{ "frr version", 1, CONF_ARGS_ANY, h_ignore, 0, "frr version VERSION" },
	{ "frr defaults", 1, 1, h_ignore, 0, "frr defaults PROFILE" },
	{ "debug", 1, CONF_ARGS_ANY, h_ignore, 0, "debug rip ..." },
	{ "log timestamp precision", 1, 1, h_ignore, 0, "log timestamp precision N" },
	{ "log commands", 0, 0, h_ignore, 0, "log commands" },
	{ "log facility", 1, 1, h_ignore, 0, "log facility FACILITY" },
	{ "log record-priority", 0, 0, h_ignore, 0, "log record-priority" },
	{ "ip forwarding", 0, 0, h_ignore, 0, "ip forwarding" },
	{ "no ip forwarding", 0, 0, h_ignore, 0, "no ip forwarding" },
	{ "ipv6 forwarding", 0, 0, h_ignore, 0, "ipv6 forwarding" },
	{ "no ipv6 forwarding", 0, 0, h_ignore, 0, "no ipv6 forwarding" },
	{ "vrf", 0, CONF_ARGS_ANY, h_vrf, 0, "vrf NAME" },
	{ "route-map", 0, CONF_ARGS_ANY, h_unsupported, 0, "route-map NAME ..." },
	{ "key chain", 0, CONF_ARGS_ANY, h_unsupported, 0, "key chain NAME" },
	{ "access-list", 0, CONF_ARGS_ANY, h_unsupported, 0, "access-list ..." },
	{ "ip prefix-list", 0, CONF_ARGS_ANY, h_unsupported, 0, "ip prefix-list ..." },
	{ "ip route", 0, CONF_ARGS_ANY, h_unsupported, 0, "ip route ..." },
};

static const struct conf_kw kw_rip[] = {
	{ "version", 1, 1, h_version, 0, "version 2" },
	{ "no version", 0, 1, h_version, 1, "no version [2]" },
	{ "network", 1, 1, h_network, 0, "network A.B.C.D/M|IFNAME" },
	{ "no network", 1, 1, h_network, 1, "no network A.B.C.D/M|IFNAME" },
	{ "neighbor", 1, 1, h_neighbor, 0, "neighbor A.B.C.D" },
	{ "no neighbor", 1, 1, h_neighbor, 1, "no neighbor A.B.C.D" },
	{ "passive-interface", 1, 1, h_passive, 0, "passive-interface IFNAME|default" },
	{ "no passive-interface", 1, 1, h_passive, 1, "no passive-interface IFNAME|default" },
	{ "redistribute", 1, 3, h_redistribute, 0,
	    "redistribute connected|static|kernel [metric <0-16>]" },
	{ "no redistribute", 1, 3, h_redistribute, 1,
	    "no redistribute connected|static|kernel [metric <0-16>]" },
	{ "default-information originate", 0, 0, h_default_information, 0,
	    "default-information originate" },
	{ "no default-information originate", 0, 0, h_default_information, 1,
	    "no default-information originate" },
	{ "default-metric", 1, 1, h_default_metric, 0, "default-metric <1-16>" },
	{ "no default-metric", 0, 1, h_no_default_metric, 0, "no default-metric [<1-16>]" },
	{ "timers basic", 3, 3, h_timers, 0,
	    "timers basic UPDATE TIMEOUT GARBAGE (seconds, 1-2147483 each)" },
	{ "no timers basic", 0, 3, h_no_timers, 0, "no timers basic [UPDATE TIMEOUT GARBAGE]" },
	{ "allow-ecmp", 0, 1, h_allow_ecmp, 0, "allow-ecmp [N]" },
	{ "no allow-ecmp", 0, 1, h_allow_ecmp, 1, "no allow-ecmp [N]" },
	{ "distance", 0, CONF_ARGS_ANY, h_unsupported, 0, "distance ..." },
	{ "offset-list", 0, CONF_ARGS_ANY, h_unsupported, 0, "offset-list ..." },
	{ "distribute-list", 0, CONF_ARGS_ANY, h_unsupported, 0, "distribute-list ..." },
	{ "route", 0, CONF_ARGS_ANY, h_unsupported, 0, "route A.B.C.D/M" },
};

static const struct conf_kw kw_iface[] = {
	{ "ip rip split-horizon", 0, 0, h_split_horizon, RIP_SH_SIMPLE,
	    "ip rip split-horizon" },
	{ "ip rip split-horizon poisoned-reverse", 0, 0, h_split_horizon, RIP_SH_POISONED,
	    "ip rip split-horizon poisoned-reverse" },
	{ "no ip rip split-horizon", 0, 0, h_split_horizon, RIP_SH_NONE,
	    "no ip rip split-horizon" },
	/* FRR: turns poisoned reverse off and leaves simple split horizon on. */
	{ "no ip rip split-horizon poisoned-reverse", 0, 0, h_split_horizon, RIP_SH_SIMPLE,
	    "no ip rip split-horizon poisoned-reverse" },
	{ "ip rip send version", 1, 2, h_rip_version, 0, "ip rip send version 2" },
	{ "ip rip receive version", 1, 2, h_rip_version, 1, "ip rip receive version 2" },
	{ "no ip rip send version", 0, 2, h_rip_version, 0, "no ip rip send version [2]" },
	{ "no ip rip receive version", 0, 2, h_rip_version, 1,
	    "no ip rip receive version [2]" },
	{ "ip rip authentication", 0, CONF_ARGS_ANY, h_unsupported, 0,
	    "ip rip authentication ..." },
	{ "ip rip v2-broadcast", 0, 0, h_unsupported, 0, "ip rip v2-broadcast" },
	{ "ip rip bfd", 0, CONF_ARGS_ANY, h_rip_bfd, 0, "ip rip bfd" },
	{ "no ip rip bfd", 0, 0, h_rip_bfd, 1, "no ip rip bfd" },
	{ "bfd", 2, 4, h_bfd_timers, 0, "bfd interval MS multiplier N" },
	{ "ip address", 1, CONF_ARGS_ANY, h_ignore, 0, "ip address A.B.C.D/M" },
	{ "ipv6 address", 1, CONF_ARGS_ANY, h_ignore, 0, "ipv6 address X:X::X:X/M" },
	{ "description", 0, CONF_ARGS_ANY, h_ignore, 0, "description TEXT" },
	{ "link-detect", 0, 0, h_ignore, 0, "link-detect" },
	{ "no link-detect", 0, 0, h_ignore, 0, "no link-detect" },
	{ "ipv6 nd", 1, CONF_ARGS_ANY, h_ignore, 0, "ipv6 nd ..." },
	{ "no ipv6 nd", 1, CONF_ARGS_ANY, h_ignore, 0, "no ipv6 nd ..." },
	{ "multicast", 0, 0, h_ignore, 0, "multicast" },
	{ "no multicast", 0, 0, h_ignore, 0, "no multicast" },
	{ "shutdown", 0, 0, h_shutdown, 0, "shutdown" },
	{ "no shutdown", 0, 0, h_ignore, 0, "no shutdown" },
};

static const struct conf_kw kw_service[] = {
	{ "address", 1, 1, h_svc_address, 0, "address A.B.C.D/M" },
	{ "interface", 1, 1, h_svc_interface, 0, "interface IFNAME" },
	{ "check", 1, CONF_ARGS_ANY, h_svc_check, 0,
	    "check dns|tcp|exec|process ..." },
	{ "interval", 1, 1, h_svc_duration, 0, "interval DURATION" },
	{ "timeout", 1, 1, h_svc_duration, 1, "timeout DURATION" },
	{ "drain-time", 1, 1, h_svc_duration, 2, "drain-time DURATION" },
	{ "fast-interval", 1, 1, h_svc_duration, 3, "fast-interval DURATION" },
	{ "rise", 1, 1, h_svc_number, 0, "rise N" },
	{ "fall", 1, 1, h_svc_number, 1, "fall N" },
	{ "metric", 1, 1, h_svc_number, 2, "metric <1-15>" },
	{ "keep-address", 0, 0, h_svc_keep, 0, "keep-address" },
	{ "no keep-address", 0, 0, h_svc_keep, 1, "no keep-address" },
};

static const struct conf_ctx_def conf_ctxs[CTX_COUNT] = {
	[CTX_TOP] = { "top level", kw_top, nitems(kw_top), NULL },
	[CTX_RIP] = { "router rip", kw_rip, nitems(kw_rip), NULL },
	[CTX_IFACE] = { "interface IFNAME", kw_iface, nitems(kw_iface), NULL },
	[CTX_VTY] = { "line vty", NULL, 0, h_vty_other },
	[CTX_SERVICE] = { "service NAME", kw_service, nitems(kw_service), NULL },
};

/* How many words of `words` the statement begins with, or 0. */
static int
conf_kw_match(const char *words, int n, char **w)
{
	const char *s = words;
	int i = 0;

	while (*s != '\0') {
		size_t l = strcspn(s, " ");
		if (i >= n || strlen(w[i]) != l || memcmp(w[i], s, l) != 0)
			return 0;
		i++;
		s += l;
		if (*s == ' ')
			s++;
	}
	return i;
}

static const struct conf_kw *
conf_lookup(const struct conf_ctx_def *c, int n, char **w, int *used)
{
	const struct conf_kw *best = NULL;

	*used = 0;
	for (size_t i = 0; i < c->n; i++) {
		int m = conf_kw_match(c->kw[i].words, n, w);
		if (m > *used) {
			*used = m;
			best = &c->kw[i];
		}
	}
	return best;
}

static int
conf_unknown(struct conf_parser *p, int n, char **w)
{
	char stmt[96];
	size_t len = 0;
	int used;

	stmt[0] = '\0';
	for (int i = 0; i < n && len < sizeof(stmt); i++) {
		int r = snprintf(stmt + len, sizeof(stmt) - len, "%s%s", i ? " " : "", w[i]);
		len += r > 0 ? (size_t)r : 0;
	}
	if (len >= sizeof(stmt))
		memcpy(stmt + sizeof(stmt) - 4, "...", 4);

	/* Known elsewhere: say where it belongs rather than "unknown". */
	for (int c = 0; c < CTX_COUNT; c++) {
		const struct conf_kw *kw;
		if (c == CTX_TOP || c == (int)p->ctx)
			continue;
		if ((kw = conf_lookup(&conf_ctxs[c], n, w, &used)) != NULL)
			return conf_err(p, "'%s' is only valid under '%s'", kw->words,
			    conf_ctxs[c].name);
	}
	switch (p->ctx) {
	case CTX_TOP:
		return conf_err(p, "unknown statement '%s'", stmt);
	case CTX_IFACE:
		return conf_err(p, "in interface %s: unknown statement '%s'",
		    conf_cur_iface(p)->name, stmt);
	case CTX_SERVICE:
		return conf_err(p, "in service %s: unknown statement '%s'",
		    conf_cur_svc(p)->svc.name, stmt);
	default:
		return conf_err(p, "in %s: unknown statement '%s'", conf_ctxs[p->ctx].name,
		    stmt);
	}
}

static int
conf_statement(struct conf_parser *p, int n, char **w, bool indented)
{
	const struct conf_ctx_def *c;
	const struct conf_kw *kw;
	int used, argc;

	/*
	 * A service block shares words with the top level (`interface`), so
	 * its statements are indented and an unindented line ends it, the
	 * way every FRR config is written.
	 */
	if (p->ctx == CTX_SERVICE && !indented)
		p->ctx = CTX_TOP;
	c = &conf_ctxs[p->ctx];

	kw = conf_lookup(c, n, w, &used);
	if (kw == NULL && p->ctx != CTX_TOP) {
		kw = conf_lookup(&conf_ctxs[CTX_TOP], n, w, &used);
		if (kw != NULL)
			p->ctx = CTX_TOP;
		else if (c->other != NULL)
			return c->other(p, NULL, n, w);
	}
	if (kw == NULL)
		return conf_unknown(p, n, w);
	argc = n - used;
	if (argc < kw->min_args)
		return conf_usage(p, kw, "missing argument");
	if (kw->max_args != CONF_ARGS_ANY && argc > kw->max_args)
		return conf_usage(p, kw, "too many arguments");
	return kw->handler(p, kw, argc, w + used);
}

static bool
conf_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* One line of at most CONF_LINE_MAX bytes, no NUL, no '\n'. */
static int
conf_line(struct conf_parser *p, const char *line, size_t len)
{
	char buf[CONF_LINE_MAX + 1];
	char *w[CONF_WORDS_MAX];
	char *s = buf;
	int n = 0;

	memcpy(buf, line, len);
	buf[len] = '\0';
	for (;;) {
		while (conf_is_space(*s))
			s++;
		if (*s == '\0' || *s == '!' || *s == '#')
			break;
		if (n == CONF_WORDS_MAX)
			return conf_err(p, "too many words (max %d)", CONF_WORDS_MAX);
		w[n++] = s;
		while (*s != '\0' && !conf_is_space(*s))
			s++;
		if (*s != '\0')
			*s++ = '\0';
	}
	if (n == 0)
		return 0;
	p->line_raw = line;
	p->line_words = buf;
	p->line_len = len;
	return conf_statement(p, n, w, w[0] != buf);
}

/*
 * rip_conf_parse_buf() initialises *conf itself (anything in it before is
 * overwritten, not freed), so a reload can parse into a fresh struct and
 * swap only on success.
 */
int
rip_conf_parse_buf(const char *name, const char *buf, size_t len,
    struct rip_conf *conf, char *err, size_t errlen)
{
	struct conf_parser p;
	size_t pos = 0;

	memset(&p, 0, sizeof(p));
	p.name = name != NULL ? name : "-";
	p.conf = conf;
	p.ctx = CTX_TOP;
	p.err = err;
	p.errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	rip_conf_init(conf);
	if (buf == NULL)
		len = 0;

	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - line) : len - pos;

		pos += llen + (nl != NULL);
		p.line++;
		if (memchr(line, '\0', llen) != NULL) {
			conf_err(&p, "NUL byte in input");
			goto fail;
		}
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen > CONF_LINE_MAX) {
			conf_err(&p, "line too long (max %d bytes)", CONF_LINE_MAX);
			goto fail;
		}
		if (conf_line(&p, line, llen) != 0)
			goto fail;
	}
	if (conf_services_validate(&p) != 0)
		goto fail;
	return 0;
fail:
	rip_conf_free(conf);
	return -1;
}

int
rip_conf_parse_file(const char *path, struct rip_conf *conf, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	rip_conf_init(conf);
	if (textfile_read(path, CONF_FILE_MAX, &buf, &len, err, errlen) != 0)
		return -1;
	rc = rip_conf_parse_buf(path, buf, len, conf, err, errlen);
	free(buf);
	return rc;
}

/* The largest unit that states the duration exactly. */
static const char *
conf_duration(rtime_t d, char *buf, size_t len)
{
	if (d % (60 * RTIME_SEC) == 0 && d != 0)
		snprintf(buf, len, "%lldm", (long long)(d / (60 * RTIME_SEC)));
	else if (d % RTIME_SEC == 0)
		snprintf(buf, len, "%llds", (long long)(d / RTIME_SEC));
	else
		snprintf(buf, len, "%lldms", (long long)(d / RTIME_MS));
	return buf;
}

void
rip_conf_print(FILE *out, const struct rip_conf *conf)
{
	char buf[PFX4_STRLEN];
	bool head = false;
	size_t i;

	if (conf->hostname[0] != '\0') {
		fprintf(out, "hostname %s\n", conf->hostname);
		head = true;
	}
	if (conf->log_dest != LOG_DEST_STDERR) {
		switch (conf->log_dest) {
		case LOG_DEST_STDOUT:
			fputs("log stdout", out);
			break;
		case LOG_DEST_SYSLOG:
			fputs("log syslog", out);
			break;
		default:
			fprintf(out, "log file %s", conf->log_path);
			break;
		}
		/* Informational is the default, and what `log stdout` alone means. */
		if (conf->log_level != LOG_LVL_INFO)
			fprintf(out, " %s", log_level_name(conf->log_level));
		fputc('\n', out);
		head = true;
	}
	if (head)
		fputs("!\n", out);

	if (conf->router_rip) {
		fputs("router rip\n", out);
		fprintf(out, " version %u\n", conf->version);
		for (i = 0; i < conf->n_networks; i++) {
			const struct rip_conf_network *n = &conf->networks[i];
			fprintf(out, " network %s\n",
			    n->is_ifname ? n->ifname : prefix4_ntop(n->prefix, buf));
		}
		for (i = 0; i < conf->n_neighbors; i++)
			fprintf(out, " neighbor %s\n", ip4_ntop(conf->neighbors[i], buf));
		if (conf->passive_default)
			fputs(" passive-interface default\n", out);
		for (i = 0; i < conf->n_passive; i++)
			fprintf(out, " passive-interface %s\n", conf->passive[i]);
		for (i = 0; i < conf->n_nopassive; i++)
			fprintf(out, " no passive-interface %s\n", conf->nopassive[i]);
		for (i = 0; i < RIP_REDIST_COUNT; i++) {
			if (!conf->redist[i].enabled)
				continue;
			fprintf(out, " redistribute %s", redist_name((enum rip_redist_kind)i));
			if (conf->redist[i].metric != 0)
				fprintf(out, " metric %u", conf->redist[i].metric);
			fputc('\n', out);
		}
		if (conf->default_originate)
			fputs(" default-information originate\n", out);
		fprintf(out, " default-metric %u\n", conf->default_metric);
		fprintf(out, " timers basic %u %u %u\n", conf->t_update, conf->t_timeout,
		    conf->t_garbage);
		fputs(conf->allow_ecmp ? " allow-ecmp\n" : " no allow-ecmp\n", out);
		fputs("!\n", out);
	}

	for (i = 0; i < conf->n_ifaces; i++) {
		const struct rip_conf_iface *ifc = &conf->ifaces[i];
		fprintf(out, "interface %s\n", ifc->name);
		if (ifc->split_horizon == RIP_SH_SIMPLE)
			fputs(" ip rip split-horizon\n", out);
		else if (ifc->split_horizon == RIP_SH_NONE)
			fputs(" no ip rip split-horizon\n", out);
		if (ifc->bfd)
			fputs(" ip rip bfd\n", out);
		if (ifc->bfd_interval_ms != BFD_DEFAULT_INTERVAL_MS ||
		    ifc->bfd_mult != BFD_DEFAULT_MULT)
			fprintf(out, " bfd interval %u multiplier %u\n", ifc->bfd_interval_ms,
			    ifc->bfd_mult);
		fputs("!\n", out);
	}

	for (i = 0; i < conf->n_services; i++) {
		const struct rip_conf_service *sv = &conf->services[i];
		char d[32];
		fprintf(out, "service %s\n", sv->svc.name);
		for (size_t a = 0; a < sv->n_addrs; a++)
			fprintf(out, " address %s\n", prefix4_ntop(sv->addrs[a], buf));
		fprintf(out, " interface %s\n", sv->ifname);
		/* The full words: check_names are cut to fit the logs. */
		for (unsigned c = 0; c < sv->svc.n_checks; c++) {
			char words[CONF_LINE_MAX + 1];
			check_conf_format(&sv->checks[c], words, sizeof(words));
			fprintf(out, " check %s\n", words);
		}
		fprintf(out, " interval %s\n", conf_duration(sv->svc.interval, d, sizeof(d)));
		if (sv->fast_interval != 0)
			fprintf(out, " fast-interval %s\n",
			    conf_duration(sv->fast_interval, d, sizeof(d)));
		fprintf(out, " timeout %s\n", conf_duration(sv->svc.timeout, d, sizeof(d)));
		fprintf(out, " rise %u\n fall %u\n metric %u\n", sv->svc.rise, sv->svc.fall,
		    sv->metric);
		fprintf(out, " drain-time %s\n", conf_duration(sv->svc.drain_time, d, sizeof(d)));
		if (sv->keep_address)
			fputs(" keep-address\n", out);
		fputs("!\n", out);
	}
}

rtime_t
rip_conf_service_fast_interval(const struct rip_conf_service *sv)
{
	rtime_t f;

	if (sv->fast_interval != 0)
		return sv->fast_interval;
	f = sv->svc.interval / 4;
	return f < 10 * RTIME_MS ? (sv->svc.interval < 10 * RTIME_MS ? sv->svc.interval :
	    10 * RTIME_MS) : f;
}

const struct rip_conf_service *
rip_conf_service_find(const struct rip_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_services; i++)
		if (strcmp(conf->services[i].svc.name, name) == 0)
			return &conf->services[i];
	return NULL;
}

struct rip_conf_iface
rip_conf_iface_get(const struct rip_conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_ifaces; i++)
		if (strcmp(conf->ifaces[i].name, name) == 0)
			return conf->ifaces[i];
	return conf_iface_default(name);
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
