/*
 * prom.h - the Prometheus exposition writer: text format 0.0.4, or
 * OpenMetrics 1.0 when the scraper asks for it (Accept), over a FILE *.
 * Pure: it formats what the daemon hands it, and the HTTP listener
 * (src/metrics/) serves the result.
 *
 * A metric family is opened with prom_family() (name, type, help) and its
 * samples follow with prom_u64(), prom_f64() or prom_hist(); the labels are
 * name/value pairs ending in NULL:
 *
 *	prom_family(w, "riposte_rip_updates_sent", PROM_COUNTER, "RIP updates sent");
 *	prom_u64(w, "", n, "kind", "periodic", NULL);
 *
 * A counter is given without "_total": the writer appends it to the
 * samples, and to the HELP and TYPE lines in the 0.0.4 format (where they
 * name the sample), not in OpenMetrics (where they name the family).
 * Label values are escaped (\\, \", \n; the format's only escapes), so
 * they may be anything the daemon holds: service names, interface names.
 * Names are checked against [a-zA-Z_:][a-zA-Z0-9_:]* (labels: no ':');
 * a bad name, more than PROM_LABELS_MAX labels or a sample with no family
 * open sets the sticky w->err and nothing more is written: prom_end() says
 * whether the page is whole.
 */
#ifndef RIPOSTE_PROM_H
#define RIPOSTE_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define PROM_NAME_MAX 128
#define PROM_LABELS_MAX 8
#define PROM_HIST_MAX 16	/* bucket bounds, not counting +Inf */

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define PROM_OM_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"

enum prom_type {
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_HISTOGRAM,
};

struct prom_w {
	FILE *f;
	bool openmetrics;
	bool err;				/* sticky: misuse, nothing written since */
	bool open;				/* a family is open */
	enum prom_type type;
	char family[PROM_NAME_MAX];
};

/*
 * A histogram kept by the code that observes (one per check, say):
 * cumulative on output, per bucket here.  bounds: ascending upper bounds
 * (le), static storage; +Inf is implied.
 */
struct prom_hist {
	const double *bounds;
	unsigned n;
	uint64_t counts[PROM_HIST_MAX + 1];	/* [n]: above the last bound */
	uint64_t count;
	double sum;
};

void	prom_hist_init(struct prom_hist *h, const double *bounds, unsigned n);
/* v in the first bucket whose bound is >= v (the "le" rule); NaN is ignored. */
void	prom_hist_observe(struct prom_hist *h, double v);

void	prom_init(struct prom_w *w, FILE *f, bool openmetrics);
void	prom_family(struct prom_w *w, const char *name, enum prom_type type, const char *help);
/*
 * One sample of the open family; suffix is appended to the family's name
 * ("" for the family's own sample; a counter gets "_total" after it).
 */
void	prom_u64(struct prom_w *w, const char *suffix, uint64_t v, ...)
	    __attribute__((sentinel));
void	prom_f64(struct prom_w *w, const char *suffix, double v, ...)
	    __attribute__((sentinel));
/* A histogram family's _bucket, _sum and _count samples for one label set. */
void	prom_hist(struct prom_w *w, const struct prom_hist *h, ...) __attribute__((sentinel));
/* "# EOF" in OpenMetrics; 0, or -1 when the writer was misused or the stream failed. */
int	prom_end(struct prom_w *w);

/* Whether the scraper's Accept header asks for OpenMetrics (NULL: no). */
bool	prom_accepts_openmetrics(const char *accept);

/*
 * A listen address "ADDRESS[@PORT]": IPv4, IPv6 (in [brackets] when a port
 * follows is clearest; else the last '@' starts the port), port 1..65535,
 * def_port when none is given.  0, or -1 (bad address or port).
 */
struct prom_listen {
	struct sockaddr_storage sa;
	socklen_t salen;
	unsigned line;	/* in the config file, for messages */
};
/* `metrics listen` lines per daemon (an IPv4 and an IPv6 address, say) */
#define PROM_LISTEN_MAX 4
#define PROM_LISTEN_STRLEN 56
int	prom_listen_parse(const char *s, uint16_t def_port, struct prom_listen *out);
/* "127.0.0.1@9475", "[::1]@9476" */
const char *prom_listen_str(const struct prom_listen *l, char out[PROM_LISTEN_STRLEN]);
/* "http://127.0.0.1:9475/metrics", "http://[::1]:9476/metrics" (for the logs) */
#define PROM_URL_STRLEN 80
const char *prom_listen_url(const struct prom_listen *l, char out[PROM_URL_STRLEN]);
bool	prom_listen_equal(const struct prom_listen *a, const struct prom_listen *b);
/*
 * One `metrics listen WORD` line of a config (line `line`) into the set
 * l[0..*n): parsed with def_port, refused when given twice or beyond
 * PROM_LISTEN_MAX.  0, or -1 with the message ("metrics listen: ...") in
 * err.  The daemons' config parsers share it.
 */
int	prom_listen_add(struct prom_listen l[PROM_LISTEN_MAX], size_t *n, const char *word,
    uint16_t def_port, unsigned line, char *err, size_t errlen);

#endif
