/*
 * conf.c - riposted.conf's top level (conf.h): hostname, log, the blocks,
 * and the statements of FRR and zebra that riposted accepts with a warning
 * or refuses with a reason.
 */
#include "riposted/conf.h"

#include <stdlib.h>
#include <string.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

void
riposted_conf_init(struct riposted_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->log_dest = LOG_DEST_STDERR;
	/* FRR's default for `log stdout` is debugging; ours is quieter. */
	conf->log_level = LOG_LVL_INFO;
	rip_conf_init(&conf->rip);
	conf->control_mode = RIPOSTED_CONTROL_MODE_DEFAULT;
	conf->uid = conf->check_uid = (uid_t)-1;
	conf->gid = conf->check_gid = conf->control_gid = conf->control_ro_gid = (gid_t)-1;
}

void
riposted_conf_free(struct riposted_conf *conf)
{
	if (conf == NULL)
		return;
	rip_conf_free(&conf->rip);
	free(conf->bfd_ifaces);
	free(conf->services);
	keychain_set_free(&conf->keychains);
	/* Leave it usable: freeing twice or parsing into it again is fine. */
	riposted_conf_init(conf);
}

/* ---- top level ---- */

static int
h_vrf(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	return conf_err(p, "VRFs are not supported");
}

static int
h_exit(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	/* Found at top level, so the block is already left. */
	return 0;
}

static int
h_hostname(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;
	size_t len = strlen(argv[0]);

	if (len >= sizeof(conf->hostname))
		return conf_err(p, "hostname too long (max %zu characters)",
		    sizeof(conf->hostname) - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)argv[0][i] < 0x21 || (unsigned char)argv[0][i] > 0x7e)
			return conf_err(p, "invalid hostname '%s'", argv[0]);
	memcpy(conf->hostname, argv[0], len + 1);
	return 0;
}

static int
h_no_hostname(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;

	memset(conf->hostname, 0, sizeof(conf->hostname));
	return 0;
}

/* Set by h_log: FRR logs to several places at once, we to one. */
static bool
log_seen(struct conf_parser *p, bool set)
{
	bool *seen = p->user;
	bool was = *seen;

	if (set)
		*seen = true;
	return was;
}

static int
h_log(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct riposted_conf *conf = target, def;
	enum log_dest dest = (enum log_dest)kw->value;
	enum log_level level;
	const char *path = NULL;

	/* Without a level: the default, not what an earlier `log` set. */
	riposted_conf_init(&def);
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
	if (log_seen(p, true))
		conf_warn(p, "only one log destination is supported: "
		    "'%s' replaces the earlier one", kw->words);
	memset(conf->log_path, 0, sizeof(conf->log_path));
	if (path != NULL)
		memcpy(conf->log_path, path, strlen(path));
	conf->log_dest = dest;
	conf->log_level = level;
	return 0;
}

static int
h_router_rip(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;

	if (argc > 0 && strcmp(argv[0], "vrf") == 0)
		return conf_err(p, "VRFs are not supported");
	if (argc > 0)
		return conf_usage(p, kw, "too many arguments");
	conf->rip.router_rip = true;
	conf_block_enter(p, "router rip", false);
	conf_block_add(p, &rip_conf_router_table, &conf->rip);
	return 0;
}

static int
h_router_other(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	return conf_err(p, "'router %s' is not supported by riposted", argv[0]);
}

/* The zebra statements of an interface block (target: the RIP block, for its name). */
static int
h_shutdown(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	const struct rip_conf_iface *ifc = target;

	return conf_err(p, "'shutdown' is not supported by riposted: use 'ip link set %s down'",
	    ifc->name);
}

static const struct conf_kw kw_zebra_iface[] = {
	CONF_KW_H("ip address", 1, CONF_ARGS_ANY, conf_h_ignore, 0, "ip address A.B.C.D/M"),
	CONF_KW_H("ipv6 address", 1, CONF_ARGS_ANY, conf_h_ignore, 0, "ipv6 address X:X::X:X/M"),
	CONF_KW_H("description", 0, CONF_ARGS_ANY, conf_h_ignore, 0, "description TEXT"),
	CONF_KW_H("link-detect", 0, 0, conf_h_ignore, 0, "link-detect"),
	CONF_KW_H("no link-detect", 0, 0, conf_h_ignore, 0, "no link-detect"),
	CONF_KW_H("ipv6 nd", 1, CONF_ARGS_ANY, conf_h_ignore, 0, "ipv6 nd ..."),
	CONF_KW_H("no ipv6 nd", 1, CONF_ARGS_ANY, conf_h_ignore, 0, "no ipv6 nd ..."),
	CONF_KW_H("multicast", 0, 0, conf_h_ignore, 0, "multicast"),
	CONF_KW_H("no multicast", 0, 0, conf_h_ignore, 0, "no multicast"),
	CONF_KW_H("shutdown", 0, 0, h_shutdown, 0, "shutdown"),
	CONF_KW_H("no shutdown", 0, 0, conf_h_ignore, 0, "no shutdown"),
};

static const struct conf_table zebra_iface_table = {
	"interface IFNAME", kw_zebra_iface, nitems(kw_zebra_iface), NULL,
};

static int
h_interface(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;
	struct rip_conf_iface *ifc;
	struct bfd_iface_conf *bfd = NULL, *list;
	char name[IFNAMSIZ], label[IFNAMSIZ + 16];

	if (argc > 1 && strcmp(argv[1], "vrf") == 0)
		return conf_err(p, "VRFs are not supported");
	if (argc > 1)
		return conf_usage(p, kw, "too many arguments");
	if (conf_ifname(p, argv[0], name) != 0)
		return -1;
	if ((ifc = rip_conf_iface_add(p, &conf->rip, name)) == NULL)
		return -1;
	for (size_t i = 0; i < conf->n_bfd_ifaces; i++)
		if (strcmp(conf->bfd_ifaces[i].name, name) == 0)
			bfd = &conf->bfd_ifaces[i];
	if (bfd == NULL) {
		list = conf_grow(p, conf->bfd_ifaces, conf->n_bfd_ifaces, sizeof(*list),
		    "interface blocks");
		if (list == NULL)
			return -1;
		conf->bfd_ifaces = list;
		bfd = &list[conf->n_bfd_ifaces++];
		*bfd = bfd_iface_conf_default(name);
	}
	snprintf(label, sizeof(label), "interface %s", name);
	conf_block_enter(p, label, false);
	conf_block_add(p, &rip_conf_iface_table, ifc);
	conf_block_add(p, &bfd_conf_iface_table, bfd);
	conf_block_add(p, &zebra_iface_table, ifc);
	return 0;
}

static int
h_service(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;
	struct service_conf *sv;
	char label[SVC_NAME_MAX + 16];

	if ((sv = service_conf_add(p, &conf->services, &conf->n_services, argv[0])) == NULL)
		return -1;
	snprintf(label, sizeof(label), "service %s", sv->svc.name);
	/*
	 * A service block shares words with the top level (`interface`), so
	 * its statements are indented and an unindented line ends it, the
	 * way every FRR config is written.
	 */
	conf_block_enter(p, label, true);
	conf_block_add(p, &service_conf_table, sv);
	return 0;
}

static int
h_key_chain(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;

	return keychain_conf_enter(p, &conf->keychains, argv[0]);
}

/* Whatever is inside `line vty` (exec-timeout, access-class, login ...). */
static int
h_vty_other(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	conf_warn(p, "line vty: '%s' is not used by riposted, ignored", argv[0]);
	return 0;
}

static const struct conf_table vty_table = { "line vty", NULL, 0, h_vty_other };

static int
h_line_vty(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	conf_warn(p, "'line vty' is not used by riposted, ignored");
	conf_block_enter(p, "line vty", false);
	conf_block_add(p, &vty_table, NULL);
	return 0;
}

/* user, check-user, control-group, control-readonly-group: a name, looked up later. */
static int
h_priv_name(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;
	char *name;
	unsigned *line;

	switch (kw->value) {
	case 0: name = conf->user; line = &conf->user_line; break;
	case 1: name = conf->check_user; line = &conf->check_user_line; break;
	case 2: name = conf->control_group; line = &conf->control_group_line; break;
	default: name = conf->control_ro_group; line = &conf->control_ro_group_line; break;
	}
	if (!privs_name_ok(argv[0]))
		return conf_err(p, "%s: invalid %s name '%s'", kw->words,
		    kw->value == 0 || kw->value == 1 ? "user" : "group", argv[0]);
	memcpy(name, argv[0], strlen(argv[0]) + 1);
	*line = p->line;
	return 0;
}

static int
h_control_mode(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;
	const char *s = argv[0];
	unsigned v = 0;
	size_t n = strlen(s);

	/* Permissions only: set-id and sticky bits mean nothing on a socket. */
	if (n == 0 || n > 4 || strspn(s, "01234567") != n ||
	    (v = (unsigned)strtoul(s, NULL, 8)) > 0777)
		return conf_err(p, "control-mode: '%s' is not an octal mode 0..0777 (e.g. 0660)", s);
	conf->control_mode = v;
	return 0;
}

/* metrics listen ADDRESS[@PORT]: repeatable, each address once. */
static int
h_metrics_listen(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct riposted_conf *conf = target;
	char err[160];

	if (prom_listen_add(conf->metrics, &conf->n_metrics, argv[0], RIPOSTED_METRICS_PORT, p->line, err,
	    sizeof(err)) != 0)
		return conf_err(p, "%s", err);
	return 0;
}

static const struct conf_kw kw_top[] = {
	CONF_KW_H("hostname", 1, 1, h_hostname, 0, "hostname NAME"),
	CONF_KW_H("no hostname", 0, 1, h_no_hostname, 0, "no hostname [NAME]"),
	CONF_KW_H("log stdout", 0, 1, h_log, LOG_DEST_STDOUT, "log stdout [LEVEL]"),
	CONF_KW_H("log syslog", 0, 1, h_log, LOG_DEST_SYSLOG, "log syslog [LEVEL]"),
	CONF_KW_H("log file", 1, 2, h_log, LOG_DEST_FILE, "log file PATH [LEVEL]"),
	CONF_KW_H("router rip", 0, 2, h_router_rip, 0, "router rip"),
	CONF_KW_H("router", 1, CONF_ARGS_ANY, h_router_other, 0, "router rip"),
	CONF_KW_H("interface", 1, 3, h_interface, 0, "interface IFNAME"),
	CONF_KW_H("exit", 0, 0, h_exit, 0, "exit"),
	CONF_KW_H("end", 0, 0, conf_h_ignore, 0, "end"),
	CONF_KW_H("line vty", 0, 0, h_line_vty, 0, "line vty"),
	CONF_KW_H("password", 1, 2, conf_h_ignore, 0, "password [8] PASSWORD"),
	CONF_KW_H("enable password", 1, 2, conf_h_ignore, 0, "enable password [8] PASSWORD"),
	CONF_KW_H("service password-encryption", 0, 0, conf_h_ignore, 0,
	    "service password-encryption"),
	CONF_KW_H("service advanced-vty", 0, 0, conf_h_ignore, 0, "service advanced-vty"),
	CONF_KW_H("service", 1, 1, h_service, 0, "service NAME"),
	CONF_KW_H("service integrated-vtysh-config", 0, 0, conf_h_ignore, 0,
	    "service integrated-vtysh-config"),
	CONF_KW_H("frr version", 1, CONF_ARGS_ANY, conf_h_ignore, 0, "frr version VERSION"),
	CONF_KW_H("frr defaults", 1, 1, conf_h_ignore, 0, "frr defaults PROFILE"),
	CONF_KW_H("debug", 1, CONF_ARGS_ANY, conf_h_ignore, 0, "debug rip ..."),
	CONF_KW_H("log timestamp precision", 1, 1, conf_h_ignore, 0,
	    "log timestamp precision N"),
	CONF_KW_H("log commands", 0, 0, conf_h_ignore, 0, "log commands"),
	CONF_KW_H("log facility", 1, 1, conf_h_ignore, 0, "log facility FACILITY"),
	CONF_KW_H("log record-priority", 0, 0, conf_h_ignore, 0, "log record-priority"),
	CONF_KW_H("ip forwarding", 0, 0, conf_h_ignore, 0, "ip forwarding"),
	CONF_KW_H("no ip forwarding", 0, 0, conf_h_ignore, 0, "no ip forwarding"),
	CONF_KW_H("ipv6 forwarding", 0, 0, conf_h_ignore, 0, "ipv6 forwarding"),
	CONF_KW_H("no ipv6 forwarding", 0, 0, conf_h_ignore, 0, "no ipv6 forwarding"),
	CONF_KW_H("vrf", 0, CONF_ARGS_ANY, h_vrf, 0, "vrf NAME"),
	CONF_KW_H("route-map", 0, CONF_ARGS_ANY, conf_h_unsupported, 0, "route-map NAME ..."),
	CONF_KW_H("key chain", 1, 1, h_key_chain, 0, "key chain NAME"),
	CONF_KW_H("access-list", 0, CONF_ARGS_ANY, conf_h_unsupported, 0, "access-list ..."),
	CONF_KW_H("ip prefix-list", 0, CONF_ARGS_ANY, conf_h_unsupported, 0,
	    "ip prefix-list ..."),
	CONF_KW_H("ip route", 0, CONF_ARGS_ANY, conf_h_unsupported, 0, "ip route ..."),
	CONF_KW_H("user", 1, 1, h_priv_name, 0, "user NAME"),
	CONF_KW_H("check-user", 1, 1, h_priv_name, 1, "check-user NAME"),
	CONF_KW_H("control-group", 1, 1, h_priv_name, 2, "control-group NAME"),
	CONF_KW_H("control-readonly-group", 1, 1, h_priv_name, 3, "control-readonly-group NAME"),
	CONF_KW_H("control-mode", 1, 1, h_control_mode, 0, "control-mode MODE"),
	CONF_KW_H("metrics listen", 1, 1, h_metrics_listen, 0, "metrics listen ADDRESS[@PORT]"),
};

static const struct conf_table top_table = { "top level", kw_top, nitems(kw_top), NULL };

/* Every block's table, for "'X' is only valid under 'Y'"; the top level is skipped. */
static const struct conf_table *const all_tables[] = {
	&top_table, &rip_conf_router_table, &rip_conf_iface_table, &bfd_conf_iface_table,
	&zebra_iface_table, &vty_table, &service_conf_table, &keychain_conf_table,
	&keychain_key_conf_table,
};

const struct conf_table *const *
riposted_conf_tables(size_t *n)
{
	*n = nitems(all_tables);
	return all_tables;
}

int
riposted_conf_parse_buf(const char *name, const char *buf, size_t len,
    struct riposted_conf *conf, char *err, size_t errlen)
{
	struct conf_parser p;
	bool log_seen_flag = false;

	riposted_conf_init(conf);
	conf_parser_init(&p, "riposted", name, &top_table, conf, all_tables, nitems(all_tables),
	    err, errlen);
	p.user = &log_seen_flag;
	if (conf_parse_buf(&p, buf, len) != 0 ||
	    service_conf_validate(&p, conf->services, conf->n_services) != 0 ||
	    keychain_conf_validate(&p, &conf->keychains) != 0 ||
	    rip_conf_auth_validate(&p, &conf->rip, &conf->keychains) != 0 ||
	    bfd_conf_auth_validate(&p, conf->bfd_ifaces, conf->n_bfd_ifaces,
	    &conf->keychains) != 0)
		goto fail;
	/* RIP owns its copy: the engine takes its configuration away (rip_engine_new). */
	if (keychain_set_dup(&conf->rip.keychains, &conf->keychains) != 0) {
		conf_err(&p, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < conf->n_services; i++)
		for (size_t a = 0; a < conf->services[i].n_addrs; a++)
			if (rip_conf_service_prefix_add(&conf->rip,
			    conf->services[i].addrs[a]) != 0) {
				conf_err(&p, "out of memory");
				goto fail;
			}
	return 0;
fail:
	riposted_conf_free(conf);
	return -1;
}

int
riposted_conf_parse_file(const char *path, struct riposted_conf *conf, char *err,
    size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	riposted_conf_init(conf);
	if (conf_read_file(path, &buf, &len, err, errlen) != 0)
		return -1;
	rc = riposted_conf_parse_buf(path, buf, len, conf, err, errlen);
	free(buf);
	if (rc == 0 && (rc = riposted_conf_resolve(path, conf, err, errlen)) != 0)
		riposted_conf_free(conf);
	return rc;
}

struct bfd_iface_conf
riposted_conf_bfd_iface(const struct riposted_conf *conf, const char *name)
{
	return bfd_iface_conf_get(conf->bfd_ifaces, conf->n_bfd_ifaces, name);
}

void
riposted_conf_print(FILE *out, const struct riposted_conf *conf)
{
	bool head = false;

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
	if (conf->user[0] != '\0')
		fprintf(out, "user %s\n", conf->user);
	if (conf->check_user[0] != '\0')
		fprintf(out, "check-user %s\n", conf->check_user);
	if (conf->control_group[0] != '\0')
		fprintf(out, "control-group %s\n", conf->control_group);
	if (conf->control_mode != RIPOSTED_CONTROL_MODE_DEFAULT)
		fprintf(out, "control-mode %04o\n", conf->control_mode);
	if (conf->control_ro_group[0] != '\0')
		fprintf(out, "control-readonly-group %s\n", conf->control_ro_group);
	for (size_t i = 0; i < conf->n_metrics; i++) {
		char a[PROM_LISTEN_STRLEN];
		fprintf(out, "metrics listen %s\n", prom_listen_str(&conf->metrics[i], a));
	}
	head = head || conf->n_metrics > 0 || conf->user[0] != '\0' || conf->check_user[0] != '\0' ||
	    conf->control_group[0] != '\0' || conf->control_ro_group[0] != '\0' ||
	    conf->control_mode != RIPOSTED_CONTROL_MODE_DEFAULT;
	if (head)
		fputs("!\n", out);

	keychain_conf_print(out, &conf->keychains);
	rip_conf_print_router(out, &conf->rip);
	for (size_t i = 0; i < conf->rip.n_ifaces; i++) {
		const struct rip_conf_iface *ifc = &conf->rip.ifaces[i];
		struct bfd_iface_conf bfd = riposted_conf_bfd_iface(conf, ifc->name);

		fprintf(out, "interface %s\n", ifc->name);
		rip_conf_iface_print(out, ifc);
		bfd_iface_conf_print(out, &bfd);
		fputs("!\n", out);
	}
	for (size_t i = 0; i < conf->n_services; i++)
		service_conf_print(out, &conf->services[i]);
}

/* ---- what the names and programs mean on this host ---- */

int
riposted_conf_resolve(const char *name, struct riposted_conf *conf, char *err,
    size_t errlen)
{
	const char *cu = conf->check_user[0] != '\0' ? conf->check_user :
	    RIPOSTED_CHECK_USER_DEFAULT;
	bool any_exec = false;
	char why[512];

	if (conf->user[0] != '\0' && privs_user(conf->user, &conf->uid, &conf->gid) != 0) {
		snprintf(err, errlen, "%s:%u: user %s: no such user", name, conf->user_line,
		    conf->user);
		return -1;
	}
	if (conf->control_group[0] != '\0' &&
	    privs_group(conf->control_group, &conf->control_gid) != 0) {
		snprintf(err, errlen, "%s:%u: control-group %s: no such group", name,
		    conf->control_group_line, conf->control_group);
		return -1;
	}
	if (conf->control_ro_group[0] != '\0' &&
	    privs_group(conf->control_ro_group, &conf->control_ro_gid) != 0) {
		snprintf(err, errlen, "%s:%u: control-readonly-group %s: no such group", name,
		    conf->control_ro_group_line, conf->control_ro_group);
		return -1;
	}
	if (conf->check_user[0] != '\0' &&
	    privs_user(conf->check_user, &conf->check_uid, &conf->check_gid) != 0) {
		snprintf(err, errlen, "%s:%u: check-user %s: no such user", name,
		    conf->check_user_line, conf->check_user);
		return -1;
	}
	for (size_t i = 0; i < conf->n_services; i++) {
		struct service_conf *s = &conf->services[i];
		for (unsigned k = 0; k < s->svc.n_checks; k++) {
			struct check_conf *c = &s->checks[k];
			if (c->kind != CHECK_EXEC)
				continue;
			/* The default user only matters, and must exist, with an exec check. */
			if (!any_exec && conf->check_user[0] == '\0' &&
			    privs_user(cu, &conf->check_uid, &conf->check_gid) != 0) {
				snprintf(err, errlen, "%s:%u: service %s: check exec runs as user %s, "
				    "and there is no such user: set check-user", name,
				    s->check_lines[k], s->svc.name, cu);
				return -1;
			}
			any_exec = true;
			c->run_as = true;
			c->run_uid = conf->check_uid;
			c->run_gid = conf->check_gid;
			/* c->args starts with the program, NUL-terminated. */
			if (privs_path_secure(c->args, conf->check_uid, why, sizeof(why)) != 0) {
				snprintf(err, errlen, "%s:%u: service %s: check exec %s: not safe to "
				    "run as %s: %s", name, s->check_lines[k], s->svc.name, c->args,
				    cu, why);
				return -1;
			}
		}
	}
	return 0;
}
