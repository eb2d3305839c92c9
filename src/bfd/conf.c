/*
 * conf.c - `bfd interval MS multiplier N` in an interface block (conf.h).
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

static const struct conf_kw bfd_iface_kw[] = {
	CONF_KW_HP("bfd", 2, 4, h_bfd_timers, p_bfd_timers, 0, "bfd interval MS multiplier N"),
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

void
bfd_iface_conf_print(FILE *out, const struct bfd_iface_conf *c)
{
	conf_table_print(out, &bfd_conf_iface_table, c, " ");
}
