/*
 * load.h - building zones from files: RFC 1035 zone files through
 * libzscanner (Knot DNS's parser), and riposte's hosts input, from which the
 * forward zone and the reverse zones (in-addr.arpa, ip6.arpa) are built.
 * And the other way: every zone written as a standard zone file.
 */
#ifndef RIPOSTE_DNS_LOAD_H
#define RIPOSTE_DNS_LOAD_H

#include <stddef.h>

#include "zone.h"

/*
 * Load a zone file for the zone `origin` (presentation format, e.g.
 * "example.com.") through libzscanner; $INCLUDE is followed (relative to
 * the including file, at most 8 deep).  Returns NULL with
 * "path:line: message" in err (or "path: message" for what concerns the
 * whole zone, one line each); on success err holds the warnings, "" if none.
 */
struct dns_zone *dns_load_zonefile(const char *path, const char *origin, char *err,
    size_t errlen);
/*
 * The same from memory (tests, fuzzing); name is used in messages and
 * $INCLUDE is refused.  On success err holds the warnings, "" if none.
 */
struct dns_zone *dns_load_zonefile_buf(const char *name, const char *buf, size_t len,
    const char *origin, char *err, size_t errlen);

/*
 * Load a hosts input (docs/hosts-input.md) for the forward zone `origin`
 * and add the forward zone and every reverse zone it implies to `set`.
 * 0, or -1 with "path:line: message" in err (then nothing was added).
 * origin may be NULL: then the input must name it with $ORIGIN.
 */
int dns_load_hosts(const char *path, const char *origin, struct dns_zoneset *set, char *err,
    size_t errlen);
/* The same from memory (tests, fuzzing); name is used in messages. */
int dns_load_hosts_buf(const char *name, const char *buf, size_t len, const char *origin,
    struct dns_zoneset *set, char *err, size_t errlen);

/*
 * Write the zone as DIR/<zone name without final dot>.zone (the root as
 * "root.zone"; a '/' in the name as \047), through a temporary file and a
 * rename.  0, or -1 with "path: message" in err.
 */
int dns_export_zone(const struct dns_zone *zone, const char *dir, char *err, size_t errlen);
/*
 * The same to the file `path` (a secondary's kept copy), through a
 * temporary file beside it, fsync and rename: the file is the old version
 * or the new one, never half of one, even after a crash.
 */
int dns_export_zone_path(const struct dns_zone *zone, const char *path, char *err,
    size_t errlen);

#endif
