/*
 * conf.c - `bfd interval MS multiplier N` and `bfd authentication TYPE
 * key-chain NAME` in an interface block (conf.h).
 */
#include "bfd/conf.h"

#include <string.h>

#include "bfd/session.h"

/* bfd interval MS [multiplier N] | bfd multiplier N [interval MS] */
static int
h_bfd_timers(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct bfd_iface_conf *c = target;
	uint32_t v;

	for (int i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return conf_usage(p, kw, "missing value");
		if (strcmp(argv[i], "interval") == 0) {
			if (conf_uint(p, argv[i + 1], "bfd interval", BFD_MIN_INTERVAL_MS,
			    BFD_MAX_INTERVAL_MS, &v) != 0)
				return -1;
			c->interval_ms = v;
		} else if (strcmp(argv[i], "multiplier") == 0) {
			if (conf_uint(p, argv[i + 1], "bfd multiplier", 1, 255, &v) != 0)
				return -1;
			c->mult = (uint8_t)v;
		} else {
			return conf_usage(p, kw, "expected 'interval' or 'multiplier'");
		}
	}
	return 0;
}

static void
p_bfd_timers(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct bfd_iface_conf *c = target;

	if (c->interval_ms != BFD_DEFAULT_INTERVAL_MS || c->mult != BFD_DEFAULT_MULT)
		fprintf(out, "%sbfd interval %u multiplier %u\n", indent, c->interval_ms, c->mult);
}

/* bfd authentication TYPE key-chain NAME; no bfd authentication [...] */
static int
h_bfd_auth(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct bfd_iface_conf *c = target;
	enum bfd_auth_type type;

	c->auth_line = p->line;
	if (kw->value == 1) {
		memset(&c->auth, 0, sizeof(c->auth));
		return 0;
	}
	if (bfd_auth_type_parse(argv[0], &type) != 0 || type == BFD_AUTH_NONE)
		return conf_err(p, "%s: unknown type '%s' (simple, keyed-md5, "
		    "meticulous-keyed-md5, keyed-sha1 or meticulous-keyed-sha1)", kw->words,
		    argv[0]);
	if (argc != 3 || strcmp(argv[1], "key-chain") != 0)
		return conf_usage(p, kw, "expected 'key-chain NAME'");
	if (strlen(argv[2]) > KEYCHAIN_NAME_MAX)
		return conf_err(p, "%s: key chain name too long (max %d characters)", kw->words,
		    KEYCHAIN_NAME_MAX);
	c->auth.type = type;
	memset(c->auth.keychain, 0, sizeof(c->auth.keychain));
	memcpy(c->auth.keychain, argv[2], strlen(argv[2]));
	return 0;
}

static void
p_bfd_auth(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct bfd_iface_conf *c = target;

	if (c->auth.type != BFD_AUTH_NONE)
		fprintf(out, "%sbfd authentication %s key-chain %s\n", indent,
		    bfd_auth_type_name(c->auth.type), c->auth.keychain);
}

static const struct conf_kw bfd_iface_kw[] = {
	CONF_KW_HP("bfd", 2, 4, h_bfd_timers, p_bfd_timers, 0, "bfd interval MS multiplier N"),
	CONF_KW_HP("bfd authentication", 3, 3, h_bfd_auth, p_bfd_auth, 0,
	    "bfd authentication TYPE key-chain NAME"),
	CONF_KW_H("no bfd authentication", 0, 3, h_bfd_auth, 1,
	    "no bfd authentication"),
};

const struct conf_table bfd_conf_iface_table = {
	"interface IFNAME", bfd_iface_kw, sizeof(bfd_iface_kw) / sizeof(bfd_iface_kw[0]), NULL,
};

struct bfd_iface_conf
bfd_iface_conf_default(const char *name)
{
	struct bfd_iface_conf c;

	memset(&c, 0, sizeof(c));
	memcpy(c.name, name, strnlen(name, IFNAMSIZ - 1));
	c.interval_ms = BFD_DEFAULT_INTERVAL_MS;
	c.mult = BFD_DEFAULT_MULT;
	return c;
}

struct bfd_iface_conf
bfd_iface_conf_get(const struct bfd_iface_conf *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].name, name) == 0)
			return list[i];
	return bfd_iface_conf_default(name);
}

int
bfd_conf_auth_validate(struct conf_parser *p, const struct bfd_iface_conf *list, size_t n,
    const struct keychain_set *chains)
{
	for (size_t i = 0; i < n; i++) {
		const struct bfd_iface_conf *c = &list[i];
		const struct keychain *kc;
		size_t max = bfd_auth_key_max(c->auth.type);

		if (c->auth.type == BFD_AUTH_NONE)
			continue;
		p->line = c->auth_line;
		if ((kc = keychain_find(chains, c->auth.keychain)) == NULL)
			return conf_err(p, "interface %s: key chain '%s' is not defined", c->name,
			    c->auth.keychain);
		for (size_t k = 0; k < kc->n_keys; k++)
			if (strlen(kc->keys[k].secret) > max)
				return conf_err(p, "interface %s: bfd authentication %s: key %u of "
				    "key chain '%s' is longer than %zu characters", c->name,
				    bfd_auth_type_name(c->auth.type), kc->keys[k].id, kc->name, max);
	}
	return 0;
}

void
bfd_iface_conf_print(FILE *out, const struct bfd_iface_conf *c)
{
	conf_table_print(out, &bfd_conf_iface_table, c, " ");
}
