/*
 * keychain.h - key chains in the FRR/Cisco dialect: the `key chain NAME`
 * block, its `key N` blocks, and the lifetime logic that says which key is
 * used to send and which keys are accepted at a given wall-clock time.
 *
 *	key chain anycast
 *	 key 1
 *	  key-string s3cret
 *	  cryptographic-algorithm hmac-sha-256
 *	  accept-lifetime 00:00:00 Jan 1 2026 infinite
 *	  send-lifetime 00:00:00 Jan 1 2026 duration 86400
 *
 * The module knows nothing of the protocols that use the keys (RIP today,
 * BFD later): it owns the keys, their lifetimes and algorithms, and answers
 * "which key now".  Times are wall-clock seconds since the epoch, passed in
 * by the caller (the protocol cores never read the clock); the dates in
 * the file are UTC.  Secrets are kept as written: --print shows them (the
 * printed text is the configuration), nothing here logs them.
 */
#ifndef RIPOSTE_LIB_KEYCHAIN_H
#define RIPOSTE_LIB_KEYCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/conf.h"

#define KEYCHAIN_NAME_MAX 63
#define KEYCHAIN_SECRET_MAX 128
#define KEYCHAIN_ID_MAX 2147483647u	/* FRR's range for `key N` */
#define KEYCHAIN_INFINITE INT64_MAX	/* a lifetime without an end */

/* `cryptographic-algorithm`, in FRR's words; NONE when the key has none. */
enum keychain_algo {
	KEYCHAIN_ALGO_NONE = 0,
	KEYCHAIN_ALGO_MD5,
	KEYCHAIN_ALGO_HMAC_SHA1,
	KEYCHAIN_ALGO_HMAC_SHA256,
	KEYCHAIN_ALGO_HMAC_SHA384,
	KEYCHAIN_ALGO_HMAC_SHA512,
};

/* Valid from start to end, both included (as FRR); the default is always. */
struct keychain_lifetime {
	int64_t start;
	int64_t end;	/* KEYCHAIN_INFINITE: no end */
};

struct keychain_key {
	uint32_t id;
	char secret[KEYCHAIN_SECRET_MAX + 1];	/* empty: no key-string */
	enum keychain_algo algo;
	struct keychain_lifetime accept;
	struct keychain_lifetime send;
	unsigned line;	/* where `key N` was, for errors found after parsing */
};

struct keychain {
	char name[KEYCHAIN_NAME_MAX + 1];
	struct keychain_key *keys;	/* sorted by id */
	size_t n_keys;
	unsigned line;
};

struct keychain_set {
	struct keychain *chains;
	size_t n;
};

void	 keychain_set_free(struct keychain_set *set);
/* A deep copy into *dst (which is overwritten); -1 when out of memory. */
int	 keychain_set_dup(struct keychain_set *dst, const struct keychain_set *src);
const struct keychain *keychain_find(const struct keychain_set *set, const char *name);

bool	 keychain_lifetime_valid(const struct keychain_lifetime *lt, int64_t now);
/*
 * The key to send with at `now`: among the keys with a secret whose send
 * lifetime covers now, the newest (latest start; the highest id on a tie),
 * so a new key takes over when its lifetime begins while the old one is
 * still accepted.  NULL when none is valid.
 */
const struct keychain_key *keychain_key_send(const struct keychain *chain, int64_t now);
/* Whether `key` may be accepted at `now` (it has a secret and its accept lifetime covers now). */
bool	 keychain_key_accepts(const struct keychain_key *key, int64_t now);

const char *keychain_algo_name(enum keychain_algo algo);

/*
 * FRR's lifetime arguments: START END where START is HH:MM:SS MONTH DAY
 * YEAR or HH:MM:SS DAY MONTH YEAR and END is another such date,
 * `infinite`, or `duration SECONDS`.  0, or -1 with a message in err.
 */
int	 keychain_lifetime_parse(int argc, char **argv, struct keychain_lifetime *out,
	    char *err, size_t errlen);
/* "00:00:00 Jan 1 2026 infinite": the canonical form, which parses back. */
void	 keychain_lifetime_print(FILE *out, const struct keychain_lifetime *lt);

/*
 * The configuration: the daemon's top-level `key chain NAME` row calls
 * keychain_conf_enter(), which enters the block (keychain_conf_table,
 * target: the chain); its `key N` row enters keychain_key_conf_table
 * (target: the key).  `exit` in a key block goes back to the chain, as in
 * FRR's vtysh, so FRR's written configs load.
 */
extern const struct conf_table keychain_conf_table;
extern const struct conf_table keychain_key_conf_table;
int	 keychain_conf_enter(struct conf_parser *p, struct keychain_set *set, const char *name);
/* After parsing: every key has a key-string.  0, or -1 with the error set. */
int	 keychain_conf_validate(struct conf_parser *p, const struct keychain_set *set);
void	 keychain_conf_print(FILE *out, const struct keychain_set *set);

#endif
