/*
 * svcconf.c - what a reload changes in a service, and the drained-services
 * state file (see svcconf.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "health/svcconf.h"

static bool
svcd_check_equal(const struct service_conf *a, unsigned i,
    const struct service_conf *b, unsigned j)
{
	return memcmp(&a->checks[i], &b->checks[j], sizeof(a->checks[i])) == 0 &&
	    strcmp(a->svc.check_names[i], b->svc.check_names[j]) == 0;
}

static bool
svcd_addr_in(struct prefix4 p, const struct service_conf *c)
{
	for (size_t i = 0; i < c->n_addrs; i++)
		if (prefix4_equal(p, c->addrs[i]))
			return true;
	return false;
}

unsigned
svcd_conf_diff(const struct service_conf *o, const struct service_conf *n)
{
	unsigned d = 0;

	if (o->svc.interval != n->svc.interval || o->fast_interval != n->fast_interval)
		d |= SVCD_DIFF_INTERVAL;
	if (o->svc.timeout != n->svc.timeout)
		d |= SVCD_DIFF_TIMEOUT;
	if (o->svc.n_checks != n->svc.n_checks)
		d |= SVCD_DIFF_CHECKS;
	for (unsigned i = 0; i < o->svc.n_checks && i < n->svc.n_checks; i++)
		if (!svcd_check_equal(o, i, n, i))
			d |= SVCD_DIFF_CHECKS;
	if (o->svc.rise != n->svc.rise || o->svc.fall != n->svc.fall)
		d |= SVCD_DIFF_RISEFALL;
	if (o->metric != n->metric)
		d |= SVCD_DIFF_METRIC;
	if (o->svc.drain_time != n->svc.drain_time)
		d |= SVCD_DIFF_DRAIN;
	if (o->keep_address != n->keep_address)
		d |= SVCD_DIFF_KEEP;
	/* Sets: the config has no duplicate address in a service. */
	if (o->n_addrs != n->n_addrs)
		d |= SVCD_DIFF_ADDRS;
	for (size_t i = 0; i < o->n_addrs; i++)
		if (!svcd_addr_in(o->addrs[i], n))
			d |= SVCD_DIFF_ADDRS;
	if (strcmp(o->ifname, n->ifname) != 0)
		d |= SVCD_DIFF_IFACE;
	return d;
}

const char *
svcd_diff_describe(unsigned diff, char *buf, size_t len)
{
	static const char *const names[] = {
		"interval", "timeout", "checks", "rise/fall", "metric", "drain-time",
		"keep-address", "addresses", "interface",
	};
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(diff & (1u << i)))
			continue;
		int w = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	if (off == 0)
		snprintf(buf, len, "nothing");
	return buf;
}

void
svcd_check_map(const struct service_conf *o, const struct service_conf *n,
    int map[SVC_MAX_CHECKS])
{
	bool used[SVC_MAX_CHECKS] = { false };

	for (unsigned j = 0; j < SVC_MAX_CHECKS; j++)
		map[j] = -1;
	for (unsigned j = 0; j < n->svc.n_checks && j < SVC_MAX_CHECKS; j++)
		for (unsigned i = 0; i < o->svc.n_checks && i < SVC_MAX_CHECKS; i++)
			if (!used[i] && svcd_check_equal(o, i, n, j)) {
				used[i] = true;
				map[j] = (int)i;
				break;
			}
}

/* ------------------------------------------------------------ state file */

bool
drainfile_name_ok(const char *name, size_t len)
{
	if (len == 0 || len >= SVC_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '-' && c != '_' && c != '.')
			return false;
	}
	return true;
}

/* One line (without its newline): "drained NAME", a comment or blank. */
static bool
drainfile_line(const char *l, size_t len, unsigned lineno, drainfile_entry_fn entry,
    drainfile_warn_fn warn, void *arg)
{
	static const char kw[] = "drained ";
	char name[SVC_NAME_MAX];

	while (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\t' || l[len - 1] == '\r'))
		len--;
	if (len == 0 || l[0] == '#')
		return false;
	if (len > DRAINFILE_LINE_MAX) {
		warn(arg, lineno, "line too long");
		return false;
	}
	if (len < sizeof(kw) - 1 || memcmp(l, kw, sizeof(kw) - 1) != 0) {
		warn(arg, lineno, "not 'drained NAME'");
		return false;
	}
	l += sizeof(kw) - 1;
	len -= sizeof(kw) - 1;
	if (!drainfile_name_ok(l, len)) {
		warn(arg, lineno, "not a service name");
		return false;
	}
	memcpy(name, l, len);
	name[len] = '\0';
	entry(arg, name);
	return true;
}

size_t
drainfile_parse(const char *buf, size_t len, drainfile_entry_fn entry, drainfile_warn_fn warn,
    void *arg)
{
	size_t n = 0, off = 0;
	unsigned lineno = 0;

	if (len > DRAINFILE_MAX) {
		warn(arg, 0, "file too large, ignored");
		return 0;
	}
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t l = nl != NULL ? (size_t)(nl - (buf + off)) : len - off;
		lineno++;
		if (memchr(buf + off, '\0', l) != NULL)
			warn(arg, lineno, "NUL byte");
		else if (drainfile_line(buf + off, l, lineno, entry, warn, arg))
			n++;
		off += l + 1;
	}
	return n;
}

int
drainfile_read(const char *path, char **bufp, size_t *lenp, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	char *buf;
	size_t len = 0;

	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(e));
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if ((buf = malloc(DRAINFILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, DRAINFILE_MAX + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > DRAINFILE_MAX) {
			snprintf(err, errlen, "%s: larger than %d bytes", path, DRAINFILE_MAX);
			free(buf);
			close(fd);
			errno = EFBIG;
			return -1;
		}
	}
	close(fd);
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

int
drainfile_write(const char *path, const char *const *names, size_t n)
{
	char tmp[4096];
	FILE *f;
	int fd, e;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT) {
		/* The default directory (/run/riposte) is on a tmpfs: make it once. */
		char dir[4096];
		const char *slash = strrchr(path, '/');
		if (slash != NULL && slash != path && (size_t)(slash - path) < sizeof(dir)) {
			memcpy(dir, path, (size_t)(slash - path));
			dir[slash - path] = '\0';
			if (mkdir(dir, 0755) == 0 || errno == EEXIST)
				fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				    O_CLOEXEC, 0644);
			else
				errno = ENOENT;
		}
	}
	if (fd < 0)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	fputs("# riposted: drained services (ripostectl undrain NAME puts one back)\n", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "drained %s\n", names[i]);
	if (fflush(f) != 0 || fsync(fd) != 0) {
		e = errno;
		fclose(f);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

int
drainfile_path(char *buf, size_t len, const char *pidfile, const char *def_dir)
{
	int w;

	if (pidfile == NULL || pidfile[0] == '\0') {
		w = snprintf(buf, len, "%s/riposted.drained", def_dir);
	} else {
		size_t l = strlen(pidfile);
		if (l > 4 && strcmp(pidfile + l - 4, ".pid") == 0)
			l -= 4;
		w = snprintf(buf, len, "%.*s.drained", (int)l, pidfile);
	}
	return w < 0 || (size_t)w >= len ? -1 : 0;
}
