/*
 * conf.c - the `service NAME` block of riposted.conf (conf.h): its keyword
 * table, defaults, validation and canonical print.
 */
#include "health/conf.h"

#include <stdlib.h>
#include <string.h>

static int
h_address(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct service_conf *sv = target;
	struct prefix4 pfx;

	if (prefix4_parse(argv[0], &pfx, true, false) != 0)
		return conf_err(p, "address: '%s' is not an IPv4 prefix (A.B.C.D/M or A.B.C.D)",
	    argv[0]);
	if (ip4_is_martian(pfx.addr) || pfx.len == 0)
		return conf_err(p, "address: %s cannot be announced", argv[0]);
	for (size_t i = 0; i < sv->n_addrs; i++)
		if (prefix4_equal(sv->addrs[i], pfx))
			return conf_err(p, "address %s given twice", argv[0]);
	if (sv->n_addrs == SERVICE_MAX_ADDRS)
		return conf_err(p, "too many addresses in service %s (max %d)", sv->svc.name,
	    SERVICE_MAX_ADDRS);
	sv->addrs[sv->n_addrs++] = pfx;
	return 0;
}

static void
p_address(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct service_conf *sv = target;
	char buf[PFX4_STRLEN];

	for (size_t a = 0; a < sv->n_addrs; a++)
		fprintf(out, "%s%s %s\n", indent, kw->words, prefix4_ntop(sv->addrs[a], buf));
}

static int
h_check(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct service_conf *sv = target;
	char args[CONF_LINE_MAX + 1], msg[256];
	size_t len = 0;
	unsigned i = sv->svc.n_checks;

	if (i == SVC_MAX_CHECKS)
		return conf_err(p, "too many checks in service %s (max %d)", sv->svc.name,
	    SVC_MAX_CHECKS);
	for (int a = 0; a < argc; a++) {
		size_t l = strlen(argv[a]);
		if (len + l + 2 > sizeof(args))
			return conf_err(p, "check: line too long");
		if (a > 0)
			args[len++] = ' ';
		memcpy(args + len, argv[a], l);
		len += l;
	}
	args[len] = '\0';
	if (check_conf_parse(args, &sv->checks[i], msg, sizeof(msg)) != 0)
		return conf_err(p, "%s", msg);
	check_conf_format(&sv->checks[i], sv->svc.check_names[i], SVC_CHECK_NAME_MAX);
	sv->svc.n_checks++;
	return 0;
}

static void
p_check(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct service_conf *sv = target;

	/* The full words: check_names are cut to fit the logs. */
	for (unsigned c = 0; c < sv->svc.n_checks; c++) {
		char words[CONF_LINE_MAX + 1];
		check_conf_format(&sv->checks[c], words, sizeof(words));
		fprintf(out, "%s%s %s\n", indent, kw->words, words);
	}
}

/* In --print order.  The ranges that depend on each other are service_conf_validate's. */
static const struct conf_kw service_kw[] = {
	CONF_KW_HP("address", 1, 1, h_address, p_address, 0, "address A.B.C.D/M"),
	CONF_KW_IFNAME("interface", struct service_conf, ifname, "interface IFNAME"),
	CONF_KW_HP("check", 1, CONF_ARGS_ANY, h_check, p_check, 0,
	    "check dns|tcp|exec|process ..."),
	CONF_KW_NUM("interval", CONF_T_DURATION, struct service_conf, svc.interval,
	    0, CONF_DURATION_MAX, SVC_DEFAULT_INTERVAL, "interval DURATION"),
	CONF_KW_NUM("fast-interval", CONF_T_DURATION, struct service_conf, fast_interval,
	    SERVICE_MIN_FAST_INTERVAL, CONF_DURATION_MAX, 0, "fast-interval DURATION"),
	CONF_KW_NUM("timeout", CONF_T_DURATION, struct service_conf, svc.timeout,
	    0, CONF_DURATION_MAX, SVC_DEFAULT_TIMEOUT, "timeout DURATION"),
	CONF_KW_NUM("rise", CONF_T_UNSIGNED, struct service_conf, svc.rise, 1, 100,
	    SVC_DEFAULT_RISE, "rise N"),
	CONF_KW_NUM("fall", CONF_T_UNSIGNED, struct service_conf, svc.fall, 1, 100,
	    SVC_DEFAULT_FALL, "fall N"),
	/* 16 is unreachable: a service announced with it would be a withdrawal. */
	CONF_KW_NUM("metric", CONF_T_UINT8, struct service_conf, metric, 1, 15,
	    SERVICE_DEFAULT_METRIC, "metric <1-15>"),
	CONF_KW_NUM("drain-time", CONF_T_DURATION, struct service_conf, svc.drain_time,
	    0, CONF_DURATION_MAX, SVC_DEFAULT_DRAIN_TIME, "drain-time DURATION"),
	CONF_KW_FLAG("keep-address", CONF_T_FLAG_ON, struct service_conf, keep_address,
	    false, "keep-address"),
	CONF_KW_FLAG("no keep-address", CONF_T_FLAG_OFF, struct service_conf,
	    keep_address, false, "no keep-address"),
};

const struct conf_table service_conf_table = {
	"service NAME", service_kw, sizeof(service_kw) / sizeof(service_kw[0]), NULL,
};

const struct service_conf *
service_conf_find(const struct service_conf *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].svc.name, name) == 0)
			return &list[i];
	return NULL;
}

struct service_conf *
service_conf_add(struct conf_parser *p, struct service_conf **list, size_t *n, const char *name)
{
	struct service_conf *svcs, *sv;
	size_t len = strlen(name);

	if (len >= SVC_NAME_MAX) {
		conf_err(p, "service name '%s' too long (max %d characters)", name,
	    SVC_NAME_MAX - 1);
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
	    !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.') {
			conf_err(p, "service name '%s': use letters, digits, '-', '_' and '.'",
			    name);
			return NULL;
		}
	}
	if (service_conf_find(*list, *n, name) != NULL) {
		conf_err(p, "service %s is defined twice", name);
		return NULL;
	}
	svcs = conf_grow(p, *list, *n, sizeof(*svcs), "services");
	if (svcs == NULL)
		return NULL;
	*list = svcs;
	sv = &svcs[*n];
	memset(sv, 0, sizeof(*sv));
	conf_table_defaults(&service_conf_table, sv);
	svc_config_defaults(&sv->svc);
	memcpy(sv->svc.name, name, len + 1);
	memcpy(sv->ifname, SERVICE_DEFAULT_IFNAME, sizeof(SERVICE_DEFAULT_IFNAME));
	sv->line = p->line;
	(*n)++;
	return sv;
}

int
service_conf_validate(struct conf_parser *p, const struct service_conf *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct service_conf *sv = &list[i];
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
				for (size_t b = 0; b < list[j].n_addrs; b++)
					if (prefix4_equal(sv->addrs[a], list[j].addrs[b]))
						return conf_err(p, "service %s: address %s is "
						    "also in service %s", sv->svc.name,
						    prefix4_ntop(sv->addrs[a], pbuf),
						    list[j].svc.name);
	}
	return 0;
}

void
service_conf_print(FILE *out, const struct service_conf *sv)
{
	fprintf(out, "service %s\n", sv->svc.name);
	conf_table_print(out, &service_conf_table, sv, " ");
	fputs("!\n", out);
}

rtime_t
service_conf_fast_interval(const struct service_conf *sv)
{
	rtime_t f;

	if (sv->fast_interval != 0)
		return sv->fast_interval;
	f = sv->svc.interval / 4;
	if (f >= SERVICE_MIN_FAST_INTERVAL)
		return f;
	return sv->svc.interval < SERVICE_MIN_FAST_INTERVAL ? sv->svc.interval :
	    SERVICE_MIN_FAST_INTERVAL;
}
