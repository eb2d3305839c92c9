/*
 * keychain.c - key chains (keychain.h): the `key chain` and `key N`
 * blocks in FRR's dialect, lifetimes, and the choice of the key to send
 * with and the keys to accept (RFC 4822 5: several keys valid at once for
 * a rollover; the newest valid one sends).
 */
#include "lib/keychain.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define KEYCHAIN_YEAR_MIN 1970
#define KEYCHAIN_YEAR_MAX 2105	/* seconds still fit RIP's 32-bit sequence numbers */
#define KEYCHAIN_DURATION_MAX 2147483646	/* FRR's range */
#define KEYCHAIN_NEVER INT64_MIN	/* start of a lifetime that was not configured */

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};

static const struct {
	const char *name;
	enum keychain_algo algo;
} algo_names[] = {
	{ "md5", KEYCHAIN_ALGO_MD5 },
	{ "hmac-sha-1", KEYCHAIN_ALGO_HMAC_SHA1 },
	{ "hmac-sha-256", KEYCHAIN_ALGO_HMAC_SHA256 },
	{ "hmac-sha-384", KEYCHAIN_ALGO_HMAC_SHA384 },
	{ "hmac-sha-512", KEYCHAIN_ALGO_HMAC_SHA512 },
};

const char *
keychain_algo_name(enum keychain_algo algo)
{
	for (size_t i = 0; i < nitems(algo_names); i++)
		if (algo_names[i].algo == algo)
			return algo_names[i].name;
	return "none";
}

/* ------------------------------------------------------------- the set */

static void
keychain_free_one(struct keychain *c)
{
	/* The secrets do not outlive the configuration in freed memory. */
	if (c->keys != NULL)
		explicit_bzero(c->keys, c->n_keys * sizeof(*c->keys));
	free(c->keys);
	c->keys = NULL;
	c->n_keys = 0;
}

void
keychain_set_free(struct keychain_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n; i++)
		keychain_free_one(&set->chains[i]);
	free(set->chains);
	set->chains = NULL;
	set->n = 0;
}

int
keychain_set_dup(struct keychain_set *dst, const struct keychain_set *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src->n == 0)
		return 0;
	if ((dst->chains = calloc(src->n, sizeof(*dst->chains))) == NULL)
		return -1;
	for (size_t i = 0; i < src->n; i++) {
		const struct keychain *s = &src->chains[i];
		struct keychain *d = &dst->chains[i];

		*d = *s;
		d->keys = NULL;
		d->n_keys = 0;
		dst->n = i + 1;
		if (s->n_keys == 0)
			continue;
		if ((d->keys = malloc(s->n_keys * sizeof(*d->keys))) == NULL) {
			keychain_set_free(dst);
			return -1;
		}
		memcpy(d->keys, s->keys, s->n_keys * sizeof(*d->keys));
		d->n_keys = s->n_keys;
	}
	return 0;
}

const struct keychain *
keychain_find(const struct keychain_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->chains[i].name, name) == 0)
			return &set->chains[i];
	return NULL;
}

/* ------------------------------------------------------------ lifetimes */

bool
keychain_lifetime_valid(const struct keychain_lifetime *lt, int64_t now)
{
	if (lt->start == KEYCHAIN_NEVER)
		return true;
	return lt->start <= now && (lt->end == KEYCHAIN_INFINITE || now <= lt->end);
}

bool
keychain_key_accepts(const struct keychain_key *key, int64_t now)
{
	return key->secret[0] != '\0' && keychain_lifetime_valid(&key->accept, now);
}

const struct keychain_key *
keychain_key_send(const struct keychain *chain, int64_t now)
{
	const struct keychain_key *best = NULL;

	for (size_t i = 0; i < chain->n_keys; i++) {
		const struct keychain_key *k = &chain->keys[i];
		if (k->secret[0] == '\0' || !keychain_lifetime_valid(&k->send, now))
			continue;
		/* Keys are sorted by id: a later one with the same start is higher. */
		if (best == NULL || k->send.start >= best->send.start)
			best = k;
	}
	return best;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int *year, unsigned *month, unsigned *day)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = (int)((int64_t)yoe + era * 400 + (*month <= 2));
}

static unsigned
days_in_month(int year, unsigned month)
{
	static const unsigned d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : d[month - 1];
}

/* A decimal number of at most 10 digits, within min..max. */
static bool
parse_num(const char *s, int64_t min, int64_t max, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* "Jan", "january", "JANUARY": the three-letter abbreviation or the whole name. */
static unsigned
parse_month(const char *s)
{
	size_t len = strlen(s);

	for (unsigned i = 0; i < 12; i++)
		if ((len == 3 || len == strlen(month_names[i])) &&
		    strncasecmp(s, month_names[i], len) == 0)
			return i + 1;
	return 0;
}

/* HH:MM:SS MONTH DAY YEAR or HH:MM:SS DAY MONTH YEAR (argv[0..3]). */
static int
parse_date(char **argv, int64_t *out, char *err, size_t errlen)
{
	int64_t h, mi, s, day, year;
	unsigned month;
	const char *t = argv[0], *dayw;
	char hh[3], mm[3], ss[3];

	if (strlen(t) != 8 || t[2] != ':' || t[5] != ':') {
		snprintf(err, errlen, "'%s' is not a time (HH:MM:SS)", t);
		return -1;
	}
	memcpy(hh, t, 2), hh[2] = '\0';
	memcpy(mm, t + 3, 2), mm[2] = '\0';
	memcpy(ss, t + 6, 2), ss[2] = '\0';
	if (!parse_num(hh, 0, 23, &h) || !parse_num(mm, 0, 59, &mi) ||
	    !parse_num(ss, 0, 59, &s)) {
		snprintf(err, errlen, "'%s' is not a time (HH:MM:SS)", t);
		return -1;
	}
	if ((month = parse_month(argv[1])) != 0) {
		dayw = argv[2];
	} else if ((month = parse_month(argv[2])) != 0) {
		dayw = argv[1];
	} else {
		snprintf(err, errlen, "no month in '%s %s' (Jan..Dec)", argv[1], argv[2]);
		return -1;
	}
	if (!parse_num(argv[3], KEYCHAIN_YEAR_MIN, KEYCHAIN_YEAR_MAX, &year)) {
		snprintf(err, errlen, "year '%s' out of range %d..%d", argv[3],
		    KEYCHAIN_YEAR_MIN, KEYCHAIN_YEAR_MAX);
		return -1;
	}
	if (!parse_num(dayw, 1, days_in_month((int)year, month), &day)) {
		snprintf(err, errlen, "day '%s' out of range 1..%u for %s %d", dayw,
		    days_in_month((int)year, month), month_names[month - 1], (int)year);
		return -1;
	}
	*out = days_from_civil(year, month, (unsigned)day) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}

int
keychain_lifetime_parse(int argc, char **argv, struct keychain_lifetime *out, char *err,
    size_t errlen)
{
	int64_t start, end, dur;

	if (argc < 5) {
		snprintf(err, errlen, "missing argument");
		return -1;
	}
	if (parse_date(argv, &start, err, errlen) != 0)
		return -1;
	argc -= 4;
	argv += 4;
	if (strcmp(argv[0], "infinite") == 0 && argc == 1) {
		end = KEYCHAIN_INFINITE;
	} else if (strcmp(argv[0], "duration") == 0 && argc == 2) {
		if (!parse_num(argv[1], 1, KEYCHAIN_DURATION_MAX, &dur)) {
			snprintf(err, errlen, "duration '%s' out of range 1..%d", argv[1],
			    KEYCHAIN_DURATION_MAX);
			return -1;
		}
		end = start + dur;
	} else if (argc == 4) {
		if (parse_date(argv, &end, err, errlen) != 0)
			return -1;
		if (end < start) {
			snprintf(err, errlen, "the lifetime ends before it starts");
			return -1;
		}
	} else {
		snprintf(err, errlen, "the end is a date, 'infinite' or 'duration SECONDS'");
		return -1;
	}
	out->start = start;
	out->end = end;
	return 0;
}

static void
print_date(FILE *out, int64_t t)
{
	int64_t days = t / 86400, sec = t % 86400;
	int year;
	unsigned month, day;

	if (sec < 0) {
		sec += 86400;
		days--;
	}
	civil_from_days(days, &year, &month, &day);
	fprintf(out, "%02d:%02d:%02d %.3s %u %d", (int)(sec / 3600), (int)(sec / 60 % 60),
	    (int)(sec % 60), month_names[month - 1], day, year);
}

void
keychain_lifetime_print(FILE *out, const struct keychain_lifetime *lt)
{
	print_date(out, lt->start);
	fputc(' ', out);
	if (lt->end == KEYCHAIN_INFINITE)
		fputs("infinite", out);
	else
		print_date(out, lt->end);
}

/* -------------------------------------------------------- configuration */

static void
keychain_key_default(struct keychain_key *k, uint32_t id, unsigned line)
{
	memset(k, 0, sizeof(*k));
	k->id = id;
	k->accept.start = k->send.start = KEYCHAIN_NEVER;
	k->accept.end = k->send.end = KEYCHAIN_INFINITE;
	k->line = line;
}

/*
 * A key chain's blocks also carry the set, so that `key chain OTHER` right
 * after a key's statements starts the next chain: inside the block, `key`
 * (one word, the chain's next key) would otherwise win over the top
 * level's `key chain`, which is only tried for what no part knows.
 */
static int h_next_chain(struct conf_parser *p, const struct conf_kw *kw, void *target,
    int argc, char **argv);
static const struct conf_kw kw_set[] = {
	CONF_KW_H("key chain", 1, 1, h_next_chain, 0, "key chain NAME"),
};
static const struct conf_table keychain_set_table = {
	"top level", kw_set, sizeof(kw_set) / sizeof(kw_set[0]), NULL,
};

static void *
keychain_part(struct conf_parser *p, const struct conf_table *t)
{
	for (size_t i = 0; i < p->n_parts; i++)
		if (p->parts[i] == t)
			return p->targets[i];
	return NULL;
}

static int
h_next_chain(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	return keychain_conf_enter(p, target, argv[0]);
}

/* The chain's block; with key != NULL, that key's block inside it. */
static void
keychain_enter_block(struct conf_parser *p, struct keychain_set *set, struct keychain *c,
    struct keychain_key *key)
{
	char label[sizeof(p->block_label)];

	if (key != NULL)
		snprintf(label, sizeof(label), "key chain %s key %u", c->name, key->id);
	else
		snprintf(label, sizeof(label), "key chain %s", c->name);
	conf_block_enter(p, label, false);
	if (key != NULL)
		conf_block_add(p, &keychain_key_conf_table, key);
	/* `key M` right after a key's statements is the chain's next key. */
	conf_block_add(p, &keychain_conf_table, c);
	conf_block_add(p, &keychain_set_table, set);
}

int
keychain_conf_enter(struct conf_parser *p, struct keychain_set *set, const char *name)
{
	struct keychain *c = (struct keychain *)keychain_find(set, name), *list;
	size_t len = strlen(name);

	if (len > KEYCHAIN_NAME_MAX)
		return conf_err(p, "key chain name too long (max %d characters)",
		    KEYCHAIN_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x21 || (unsigned char)name[i] > 0x7e)
			return conf_err(p, "invalid key chain name '%s'", name);
	if (c == NULL) {
		list = conf_grow(p, set->chains, set->n, sizeof(*list), "key chains");
		if (list == NULL)
			return -1;
		set->chains = list;
		c = &list[set->n++];
		memset(c, 0, sizeof(*c));
		memcpy(c->name, name, len + 1);
		c->line = p->line;
	}
	keychain_enter_block(p, set, c, NULL);
	return 0;
}

static int
h_key(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct keychain *c = target;
	struct keychain_set *set = keychain_part(p, &keychain_set_table);
	struct keychain_key *list, *k = NULL;
	uint32_t id;
	size_t i;

	if (conf_uint(p, argv[0], "key", 0, KEYCHAIN_ID_MAX, &id) != 0)
		return -1;
	for (i = 0; i < c->n_keys && c->keys[i].id < id; i++)
		;
	if (i < c->n_keys && c->keys[i].id == id) {
		k = &c->keys[i];
	} else {
		list = conf_grow(p, c->keys, c->n_keys, sizeof(*list), "keys");
		if (list == NULL)
			return -1;
		c->keys = list;
		memmove(&list[i + 1], &list[i], (c->n_keys - i) * sizeof(*list));
		c->n_keys++;
		k = &list[i];
		keychain_key_default(k, id, p->line);
	}
	keychain_enter_block(p, set, c, k);
	return 0;
}

static int
h_no_key(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct keychain *c = target;
	uint32_t id;

	if (conf_uint(p, argv[0], "no key", 0, KEYCHAIN_ID_MAX, &id) != 0)
		return -1;
	for (size_t i = 0; i < c->n_keys; i++) {
		if (c->keys[i].id != id)
			continue;
		explicit_bzero(&c->keys[i], sizeof(c->keys[i]));
		memmove(&c->keys[i], &c->keys[i + 1], (c->n_keys - i - 1) * sizeof(c->keys[0]));
		c->n_keys--;
		break;
	}
	/* A key block we were in may be gone: back to the chain. */
	keychain_enter_block(p, keychain_part(p, &keychain_set_table), c, NULL);
	return 0;
}

static int
h_key_exit(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	/* FRR's vtysh: `exit` from a key goes back to its chain. */
	keychain_enter_block(p, keychain_part(p, &keychain_set_table),
	    keychain_part(p, &keychain_conf_table), NULL);
	return 0;
}

static int
h_key_string(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct keychain_key *k = target;
	size_t len;

	if (kw->value != 0) {
		explicit_bzero(k->secret, sizeof(k->secret));
		return 0;
	}
	len = strlen(argv[0]);
	if (len > KEYCHAIN_SECRET_MAX)
		return conf_err(p, "key-string too long (max %d characters)", KEYCHAIN_SECRET_MAX);
	/* Printable: --print must write it back as one word. (Never echo it.) */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)argv[0][i] < 0x21 || (unsigned char)argv[0][i] > 0x7e)
			return conf_err(p, "key-string: only printable ASCII characters");
	explicit_bzero(k->secret, sizeof(k->secret));
	memcpy(k->secret, argv[0], len);
	return 0;
}

static int
h_algo(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc, char **argv)
{
	struct keychain_key *k = target;

	if (kw->value != 0) {
		k->algo = KEYCHAIN_ALGO_NONE;
		return 0;
	}
	for (size_t i = 0; i < nitems(algo_names); i++) {
		if (strcmp(argv[0], algo_names[i].name) == 0) {
			k->algo = algo_names[i].algo;
			return 0;
		}
	}
	return conf_err(p, "cryptographic-algorithm: unknown algorithm '%s' (md5, hmac-sha-1, "
	    "hmac-sha-256, hmac-sha-384 or hmac-sha-512)", argv[0]);
}

/* value: 0 accept, 1 send; +2 for the `no` form. */
static int
h_lifetime(struct conf_parser *p, const struct conf_kw *kw, void *target, int argc,
    char **argv)
{
	struct keychain_key *k = target;
	struct keychain_lifetime *lt = (kw->value & 1) ? &k->send : &k->accept;
	char err[128];

	if (kw->value & 2) {
		lt->start = KEYCHAIN_NEVER;
		lt->end = KEYCHAIN_INFINITE;
		return 0;
	}
	if (keychain_lifetime_parse(argc, argv, lt, err, sizeof(err)) != 0)
		return conf_usage(p, kw, err);
	return 0;
}

static void
p_key(FILE *out, const struct conf_kw *kw, const void *target, const char *indent)
{
	const struct keychain_key *k = target;

	if (k->secret[0] != '\0')
		fprintf(out, "%skey-string %s\n", indent, k->secret);
	if (k->algo != KEYCHAIN_ALGO_NONE)
		fprintf(out, "%scryptographic-algorithm %s\n", indent, keychain_algo_name(k->algo));
	if (k->accept.start != KEYCHAIN_NEVER) {
		fprintf(out, "%saccept-lifetime ", indent);
		keychain_lifetime_print(out, &k->accept);
		fputc('\n', out);
	}
	if (k->send.start != KEYCHAIN_NEVER) {
		fprintf(out, "%ssend-lifetime ", indent);
		keychain_lifetime_print(out, &k->send);
		fputc('\n', out);
	}
}

#define LIFETIME_HELP(w) w " HH:MM:SS MONTH DAY YEAR HH:MM:SS MONTH DAY YEAR|infinite|" \
	"duration SECONDS"

static const struct conf_kw kw_chain[] = {
	CONF_KW_H("key", 1, 1, h_key, 0, "key <0-2147483647>"),
	CONF_KW_H("no key", 1, 1, h_no_key, 0, "no key <0-2147483647>"),
};

const struct conf_table keychain_conf_table = {
	"key chain NAME", kw_chain, nitems(kw_chain), NULL,
};

static const struct conf_kw kw_key[] = {
	CONF_KW_HP("key-string", 1, 1, h_key_string, p_key, 0, "key-string SECRET"),
	CONF_KW_H("no key-string", 0, 1, h_key_string, 1, "no key-string [SECRET]"),
	CONF_KW_H("cryptographic-algorithm", 1, 1, h_algo, 0,
	    "cryptographic-algorithm md5|hmac-sha-1|hmac-sha-256|hmac-sha-384|hmac-sha-512"),
	CONF_KW_H("no cryptographic-algorithm", 0, 1, h_algo, 1,
	    "no cryptographic-algorithm [ALGORITHM]"),
	CONF_KW_H("accept-lifetime", 5, 8, h_lifetime, 0, LIFETIME_HELP("accept-lifetime")),
	CONF_KW_H("send-lifetime", 5, 8, h_lifetime, 1, LIFETIME_HELP("send-lifetime")),
	CONF_KW_H("no accept-lifetime", 0, CONF_ARGS_ANY, h_lifetime, 2, "no accept-lifetime"),
	CONF_KW_H("no send-lifetime", 0, CONF_ARGS_ANY, h_lifetime, 3, "no send-lifetime"),
	CONF_KW_H("exit", 0, 0, h_key_exit, 0, "exit"),
};

const struct conf_table keychain_key_conf_table = {
	"key N", kw_key, nitems(kw_key), NULL,
};

int
keychain_conf_validate(struct conf_parser *p, const struct keychain_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct keychain *c = &set->chains[i];
		for (size_t j = 0; j < c->n_keys; j++) {
			if (c->keys[j].secret[0] != '\0')
				continue;
			p->line = c->keys[j].line;
			return conf_err(p, "key chain %s key %u: no key-string", c->name,
			    c->keys[j].id);
		}
	}
	return 0;
}

void
keychain_conf_print(FILE *out, const struct keychain_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct keychain *c = &set->chains[i];
		fprintf(out, "key chain %s\n", c->name);
		for (size_t j = 0; j < c->n_keys; j++) {
			fprintf(out, " key %u\n", c->keys[j].id);
			conf_table_print(out, &keychain_key_conf_table, &c->keys[j], "  ");
		}
		fputs("!\n", out);
	}
}
