/*
 * conf.h - riposte-dns's configuration file.
 *
 * Line-oriented: one statement per line, words separated by blanks, '#'
 * at the start of a word starts a comment, a word may be "quoted" (with
 * \" and \\ inside); lib/conf.c's lexer reads it.  One keyword table in
 * conf.c: the numbers' ranges and defaults are its schema rows (the listen
 * default is set in dnsconf_parse_buf() when no `listen` was given);
 * every statement but listen, zone, key and rrl-whitelist is given at most once; the
 * `zone NAME ...` lines of one NAME add up to one zone; errors are
 * "file:line: message".  dnsconf_print() writes the canonical form, which
 * parses back to an equal configuration.
 *
 *	listen ADDRESS[@PORT]       repeatable; ADDRESS is IPv4, IPv6 (maybe in
 *	                            [brackets]) or * (0.0.0.0 and ::); port 53
 *	zone NAME file PATH         RFC 1035 zone file
 *	zone NAME hosts PATH        riposte hosts input (forward + reverse zones)
 *	zone NAME secondary ADDRESS[@PORT] [key KEY]
 *	                            repeatable: a primary to transfer NAME from
 *	                            (RFC 5936, RFC 1995), tried in order; makes
 *	                            NAME a secondary zone, whose `zone NAME file
 *	                            PATH` is then required: the kept copy
 *	zone NAME allow-transfer PREFIX [key KEY]
 *	                            repeatable: AXFR/IXFR allowed from PREFIX
 *	                            (signed with KEY when given, RFC 8945)
 *	zone NAME notify ADDRESS[@PORT] [key KEY]
 *	                            repeatable: NOTIFY (RFC 1996) on a new serial
 *	key NAME ALGORITHM SECRET   repeatable, unique names, defined before use:
 *	                            a TSIG key (RFC 8945), ALGORITHM hmac-md5|
 *	                            hmac-sha1|hmac-sha224|hmac-sha256|hmac-sha384|
 *	                            hmac-sha512, SECRET base64 (keymgr -t,
 *	                            tsig-keygen)
 *	identity TEXT               NSID (RFC 5001), CHAOS id.server/hostname.bind
 *	version TEXT|hide           CHAOS version.bind
 *	user NAME                   drop privileges after binding
 *	pidfile PATH
 *	workers N                   worker threads, each with its own sockets
 *	tcp-clients N               open TCP connections (RFC 7766 6.2.2)
 *	tcp-idle-timeout DURATION   RFC 7766 6.2.3; DURATION: N[ms|s|m], N alone
 *	                            is seconds; 1ms..60m
 *	tcp-io-timeout DURATION     a query must arrive whole within it once its
 *	                            first byte came; 1ms..60s
 *	tcp-clients-per-ip N|off    open TCP connections per IPv4 address or
 *	                            IPv6 /64
 *	udp-size N                  EDNS UDP payload size we announce (RFC 6891)
 *	rrl-rate N                  UDP responses per second per bucket (rrl.h); 0: off
 *	rrl-slip N                  every Nth limited answer sent with TC=1; 0: never
 *	rrl-ipv4-prefix N           client prefix length of a bucket, 8..32
 *	rrl-ipv6-prefix N           the same for IPv6, 16..128
 *	rrl-whitelist PREFIX        repeatable; never rate limited
 *	control PATH|none           the control socket (ripostectl -s PATH)
 *	log stderr|syslog [LEVEL]   where the log goes (default stderr: the
 *	log file PATH [LEVEL]       journal under systemd; syslog when not in
 *	                            the foreground) and the lowest level kept
 *	                            (errors, warnings, notifications,
 *	                            informational (default), debugging);
 *	                            SIGUSR1 reopens the file
 *	query-log PATH|syslog [sample N]
 *	                            one line per Nth query (default every
 *	                            one), written by the workers (qlog.h);
 *	                            SIGUSR1 and reloads reopen the file
 *	xfr-max-records N|unlimited records one transfer in (AXFR, or IXFR's
 *	                            sequences) may carry; more aborts it
 *	xfr-max-size SIZE|unlimited the same for their size as uncompressed
 *	                            wire; SIZE: N[k|m|g] (1024s), N alone bytes
 *	xfr-timeout DURATION        a transfer in or out must end within it (1s..24h)
 *	metrics listen ADDRESS[@PORT]
 *	                            repeatable (PROM_LISTEN_MAX): Prometheus's
 *	                            listener (README, Metrics); port 9476; off
 *	                            without one
 *
 * Relative paths are taken from the config file's directory.
 */
#ifndef RIPOSTE_DNS_CONF_H
#define RIPOSTE_DNS_CONF_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/log.h"
#include "lib/paths.h"
#include "lib/prom.h"
#include "name.h"
#include "rrl.h"
#include "tsig.h"

#define RIPOSTE_DNS_VERSION "0.1.0"
#define DNSCONF_DEFAULT_PATH RIPOSTE_PATH_DNS_CONF
#define DNSCONF_CONTROL_DEFAULT RIPOSTE_PATH_DNS_SOCK
/* The metrics listener's port when `metrics listen` gives none (README, Metrics). */
#define DNSCONF_METRICS_PORT 9476
/* TXT character-strings are at most 255 bytes (RFC 1035 3.3). */
#define DNSCONF_TEXT_MAX 255
#define DNSCONF_USER_MAX 32

enum dnsconf_zone_kind {
	DNSCONF_ZONE_FILE,  /* RFC 1035 zone file */
	DNSCONF_ZONE_HOSTS, /* hosts input: forward zone and its reverse zones */
	DNSCONF_ZONE_SECONDARY, /* transferred from primaries; path: the kept copy */
};

/* A primary of a secondary zone, or a NOTIFY target. */
struct dnsconf_remote {
	struct sockaddr_storage sa; /* address and port */
	socklen_t salen;
	int key;        /* index in dnsconf.keys, -1: none */
	unsigned line;
};

/* One allow-transfer row: a client prefix, and the key it must sign with. */
struct dnsconf_acl {
	struct dns_rrl_prefix prefix;
	int key;        /* index in dnsconf.keys, -1: none (unsigned allowed) */
	unsigned line;
};

struct dnsconf_listen {
	int family; /* AF_INET or AF_INET6 */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;
	uint16_t port;
	bool wildcard;  /* 0.0.0.0 or ::, served with IP_PKTINFO / IPV6_RECVPKTINFO */
	unsigned line;  /* 0: the default */
};

struct dnsconf_zone {
	char *name;     /* presentation, lowercase, ends in '.' */
	uint8_t apex[DNS_NAME_MAX]; /* lowercase wire */
	enum dnsconf_zone_kind kind;
	char *path;     /* resolved against the config file's directory */
	unsigned line;  /* the first `zone NAME` line */
	unsigned path_line; /* the file or hosts line */
	struct dnsconf_remote *primaries; /* in the order tried */
	size_t n_primaries;
	struct dnsconf_acl *xfr_acl;
	size_t n_xfr_acl;
	struct dnsconf_remote *notify;
	size_t n_notify;
};

struct dnsconf {
	struct dnsconf_listen *listen;
	size_t n_listen;
	struct dnsconf_zone *zones;
	size_t n_zones;
	struct dns_tsig_key *keys;           /* `key`, in the order given */
	size_t n_keys;
	unsigned *key_lines;                 /* where each key was defined (messages) */
	char identity[DNSCONF_TEXT_MAX + 1]; /* default: the host name */
	char version[DNSCONF_TEXT_MAX + 1];  /* default: "riposte-dns VERSION" */
	bool version_hide;                   /* version.bind answers REFUSED */
	char user[DNSCONF_USER_MAX + 1];     /* "": keep the user we run as */
	char *pidfile;                       /* NULL: none */
	unsigned workers;                    /* 0: one per CPU we may run on */
	unsigned tcp_clients;                /* for the whole server */
	unsigned tcp_idle_ms;
	unsigned tcp_io_ms;                  /* per-message receive deadline */
	unsigned tcp_per_ip;                 /* 0: no limit */
	uint16_t udp_size;
	unsigned rrl_rate;                   /* 0: no response rate limiting */
	unsigned rrl_slip;
	unsigned rrl_v4_prefix, rrl_v6_prefix;
	struct dns_rrl_prefix *rrl_whitelist;
	size_t n_rrl_whitelist;
	char *control;                       /* NULL: the default (dnsconf_control()) */
	bool control_off;                    /* `control none` */
	enum log_dest log_dest;              /* `log`: stderr (default), syslog or file */
	enum log_level log_level;            /* default informational */
	char *log_path;                      /* `log file PATH`, else NULL */
	char *qlog_path;                     /* `query-log PATH`, else NULL */
	bool qlog_syslog;                    /* `query-log syslog` */
	unsigned qlog_sample;                /* every Nth query; 0: no query log */
	struct prom_listen metrics[PROM_LISTEN_MAX]; /* `metrics listen` */
	size_t n_metrics;
	unsigned xfr_max_records;            /* per transfer in; 0: no limit */
	uint64_t xfr_max_size;               /* bytes of records per transfer in; 0: no limit */
	unsigned xfr_timeout_ms;             /* a transfer in must end within it */
};

/* Defaults in one place (the listen default is applied by the parser). */
void dnsconf_init(struct dnsconf *conf);
/* The keyword table of riposte-dns.conf: for the man page test (tests/man). */
struct conf_table;
const struct conf_table *dnsconf_table_get(void);
/* Free and re-initialise (so freeing twice is harmless). */
void dnsconf_free(struct dnsconf *conf);

/*
 * Parse `len` bytes named `name` (for messages).  Relative paths are joined
 * to `basedir` (NULL: kept as they are).  0, or -1 with "name:line: message"
 * in err and *conf left initialised and empty.  When no `listen` was
 * given, conf->listen holds the default: 0.0.0.0@53 and ::@53.
 */
int dnsconf_parse_buf(const char *name, const char *basedir, const char *buf, size_t len,
    struct dnsconf *conf, char *err, size_t errlen);
/* Read and parse a file; paths relative to the file's directory. */
int dnsconf_parse_file(const char *path, struct dnsconf *conf, char *err, size_t errlen);

/* The control socket's path, or NULL for `control none`. */
const char *dnsconf_control(const struct dnsconf *conf);

/* The canonical text (--print); parses back (basedir NULL) to an equal config. */
void dnsconf_print(FILE *out, const struct dnsconf *conf);

/* "192.0.2.1@53", "[2001:db8::1]@53" (also for a struct dnsconf_remote) */
#define DNSCONF_LISTEN_STRLEN 56
const char *dnsconf_listen_str(const struct dnsconf_listen *l, char out[DNSCONF_LISTEN_STRLEN]);
const char *dnsconf_remote_str(const struct dnsconf_remote *r, char out[DNSCONF_LISTEN_STRLEN]);
/* The same for any address and port (a peer, a primary): "192.0.2.1@53", "[::1]@53". */
const char *dnsconf_sockaddr_str(const struct sockaddr_storage *sa,
    char out[DNSCONF_LISTEN_STRLEN]);

#endif
