/*
 * xfr.c - AXFR (RFC 5936) and IXFR (RFC 1995) reply streams in, a zone
 * out.  xfr.h says what is accepted; this file says how.
 *
 * AXFR and AXFR-style IXFR records go straight into a zone builder.  An
 * incremental IXFR is kept as a delta against the old zone: one entry per
 * record (owner, type, rdata) that the sequences touched, saying whether
 * it is in the zone at this point of the sequences and with which TTL.
 * An entry starts as the old zone has the record (one lookup), so a
 * deletion is checked when it comes and "every deletion must exist"
 * holds at each step, and the sequences compose in order.  At the end the
 * old zone is walked once into a builder, leaving out every record that
 * has an entry, and the entries whose records are present follow.
 */
#include "xfr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/cursor.h"
#include "wire.h"

/* Where an incremental stream is (RFC 1995 4). */
enum xfr_state {
	X_FIRST,      /* nothing yet: the first record must be the SOA */
	X_SECOND,     /* IXFR: the record after the first SOA decides the form */
	X_AXFR,       /* records up to the closing SOA */
	X_DEL,        /* IXFR: deletions of one sequence */
	X_ADD,        /* IXFR: additions of one sequence */
	X_DONE,
	X_ERROR,
};

/*
 * One record the difference sequences touched: whether it is in the zone
 * at this point of the sequences, and with which TTL (the old zone's until
 * an addition sets it).  Every record with an entry comes from the entry
 * when the zone is built, none from the old zone.
 */
struct xfr_ent {
	uint32_t hash;
	uint32_t off;       /* owner (lowercase wire) then rdata, in the arena */
	uint32_t ttl;
	uint16_t type;
	uint16_t rdlen;
	uint8_t owner_len;
	bool present;
};

struct dns_xfr {
	uint8_t apex[DNS_NAME_MAX];
	size_t apex_len;
	uint16_t qtype, id;
	const struct dns_zone *old;
	uint32_t old_serial;
	enum xfr_state state;
	enum dns_xfr_kind kind;
	bool have_serial;
	uint32_t serial;       /* the first SOA's: the server's version */
	uint32_t cur;          /* IXFR: the version the sequences reached */
	uint8_t *soa;          /* the first SOA's rdata (uncompressed), to match the last */
	uint16_t soa_len;
	uint32_t soa_ttl;
	size_t messages, records;
	uint64_t size;         /* the records taken, as uncompressed wire */
	size_t max_records;    /* limits (0: none) */
	uint64_t max_size;
	bool over_limit;
	int rcode;
	char err[256];
	struct dns_zone_builder *b;  /* AXFR */
	/* IXFR delta */
	struct xfr_ent *ents;
	size_t n_ents, cap_ents;
	uint32_t *slots;       /* index + 1 into ents; 0 empty */
	size_t mask;
	uint8_t *arena;
	size_t arena_len, arena_cap;
	uint8_t rd[DNS_XFR_RDATA_MAX]; /* one record's rdata, decompressed */
};

/* ------------------------------------------------------------- helpers */

bool
dns_serial_gt(uint32_t a, uint32_t b)
{
	/* RFC 1982 3.2: i1 > i2 when the difference is in (0, 2^31). */
	return a != b && (uint32_t)(a - b) < 0x80000000u;
}

/* The offset of the 20 bytes of numbers after MNAME and RNAME, or -1. */
static int
soa_numbers(const uint8_t *rd, size_t len)
{
	int n1 = dns_name_wire_len(rd, len), n2;

	if (n1 < 0)
		return -1;
	n2 = dns_name_wire_len(rd + n1, len - (size_t)n1);
	if (n2 < 0 || (size_t)n1 + (size_t)n2 + 20 != len)
		return -1;
	return n1 + n2;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool
dns_soa_rdata_serial(const uint8_t *rd, size_t len, uint32_t *serial)
{
	int o = soa_numbers(rd, len);

	if (o < 0)
		return false;
	*serial = get32(rd + o);
	return true;
}

bool
dns_soa_rdata_timers(const uint8_t *rd, size_t len, uint32_t t[4])
{
	int o = soa_numbers(rd, len);

	if (o < 0)
		return false;
	for (int i = 0; i < 4; i++)
		t[i] = get32(rd + o + 4 + 4 * i);
	return true;
}

bool
dns_zone_serial(const struct dns_zone *zone, uint32_t *serial)
{
	const struct dns_rrset *soa = zone != NULL ? dns_zone_soa(zone) : NULL;
	size_t len;

	if (soa == NULL || soa->count < 1 || soa->rdata_len < 2)
		return false;
	len = (size_t)soa->rdata[0] << 8 | soa->rdata[1];
	if (len > soa->rdata_len - 2)
		return false;
	return dns_soa_rdata_serial(soa->rdata + 2, len, serial);
}

/* A name at *pos, which must end within end; appended at out[*o]. */
static bool
rd_name(const uint8_t *msg, size_t len, size_t *pos, size_t end, uint8_t *out, size_t *o)
{
	uint8_t name[DNS_NAME_MAX];
	size_t p = *pos;
	int n;

	/* Reading stops at the rdata's end: a name may not run into the next record. */
	n = dns_wire_name_read(msg, end, &p, name);
	if (n < 0 || *o + (size_t)n > DNS_XFR_RDATA_MAX)
		return false;
	memcpy(out + *o, name, (size_t)n);
	*o += (size_t)n;
	*pos = p;
	return true;
}

static bool
rd_copy(const uint8_t *msg, size_t *pos, size_t end, size_t n, uint8_t *out, size_t *o)
{
	if (end - *pos < n || *o + n > DNS_XFR_RDATA_MAX)
		return false;
	memcpy(out + *o, msg + *pos, n);
	*o += n;
	*pos += n;
	return true;
}

int
dns_xfr_rdata(const uint8_t *msg, size_t len, size_t off, uint16_t rdlen, uint16_t type,
    uint8_t *out)
{
	size_t pos = off, end = off + rdlen, o = 0;
	/* Layout: fixed bytes before the names, the names, then what follows is copied. */
	size_t fixed = 0;
	int names = 0;

	if (off > len || len - off < rdlen)
		return -1;
	switch (type) {
	case DNS_T_NS: case 3 /* MD */: case 4 /* MF */: case DNS_T_CNAME: case 7 /* MB */:
	case 8 /* MG */: case 9 /* MR */: case DNS_T_PTR: case DNS_T_DNAME:
		names = 1;
		break;
	case DNS_T_SOA:
	case 14 /* MINFO */: case 17 /* RP */:
		names = 2;
		break;
	case DNS_T_MX: case 18 /* AFSDB */: case 21 /* RT */: case 36 /* KX */:
		fixed = 2;
		names = 1;
		break;
	case 26 /* PX */:
		fixed = 2;
		names = 2;
		break;
	case DNS_T_SRV:
		fixed = 6;
		names = 1;
		break;
	case 35 /* NAPTR: order, preference, flags, services, regexp, replacement */:
		fixed = 4;
		if (!rd_copy(msg, &pos, end, fixed, out, &o))
			return -1;
		for (int i = 0; i < 3; i++) {
			if (pos >= end || !rd_copy(msg, &pos, end, 1u + msg[pos], out, &o))
				return -1;
		}
		if (!rd_name(msg, len, &pos, end, out, &o) || pos != end)
			return -1;
		return (int)o;
	default:
		memcpy(out, msg + off, rdlen);
		return rdlen;
	}
	if (!rd_copy(msg, &pos, end, fixed, out, &o))
		return -1;
	for (int i = 0; i < names; i++)
		if (!rd_name(msg, len, &pos, end, out, &o))
			return -1;
	/* SOA: the five numbers; the others end with their names. */
	if (!rd_copy(msg, &pos, end, end - pos, out, &o))
		return -1;
	if (type == DNS_T_SOA && soa_numbers(out, o) < 0)
		return -1;
	return (int)o;
}

static int __attribute__((format(printf, 2, 3)))
fail(struct dns_xfr *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->err, sizeof(x->err), fmt, ap);
	va_end(ap);
	x->state = X_ERROR;
	return DNS_XFR_ERROR;
}

/* ------------------------------------------------------------ the delta */

static uint32_t
ent_hash(const uint8_t *owner, size_t olen, uint16_t type, const uint8_t *rd, size_t rdlen)
{
	/* FNV-1a: the input is the primary's, which we chose to trust with the zone. */
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < olen; i++)
		h = (h ^ owner[i]) * 16777619u;
	h = (h ^ (type >> 8)) * 16777619u;
	h = (h ^ (type & 0xff)) * 16777619u;
	for (size_t i = 0; i < rdlen; i++)
		h = (h ^ rd[i]) * 16777619u;
	return h;
}

static bool
ent_is(const struct dns_xfr *x, const struct xfr_ent *e, uint32_t h, const uint8_t *owner,
    size_t olen, uint16_t type, const uint8_t *rd, size_t rdlen)
{
	const uint8_t *p = x->arena + e->off;

	return e->hash == h && e->type == type && e->owner_len == olen && e->rdlen == rdlen &&
	    memcmp(p, owner, olen) == 0 && memcmp(p + olen, rd, rdlen) == 0;
}

static bool
delta_grow(struct dns_xfr *x)
{
	size_t nslots = x->slots != NULL ? (x->mask + 1) * 2 : 1024;
	uint32_t *s;

	if (nslots > UINT32_MAX)
		return false;
	if ((s = calloc(nslots, sizeof(*s))) == NULL)
		return false;
	for (size_t k = 0; k < x->n_ents; k++) {
		size_t i = x->ents[k].hash & (nslots - 1);
		while (s[i] != 0)
			i = (i + 1) & (nslots - 1);
		s[i] = (uint32_t)(k + 1);
	}
	free(x->slots);
	x->slots = s;
	x->mask = nslots - 1;
	return true;
}

/* The entry of this record, or a new one (not present) when `make`; NULL: none, or no memory. */
static struct xfr_ent *
delta_get(struct dns_xfr *x, const uint8_t *owner, size_t olen, uint16_t type,
    const uint8_t *rd, size_t rdlen, bool make)
{
	uint32_t h = ent_hash(owner, olen, type, rd, rdlen);
	size_t i;

	if (x->slots != NULL) {
		for (i = h & x->mask; x->slots[i] != 0; i = (i + 1) & x->mask) {
			struct xfr_ent *e = &x->ents[x->slots[i] - 1];
			if (ent_is(x, e, h, owner, olen, type, rd, rdlen))
				return e;
		}
	}
	if (!make)
		return NULL;
	if ((x->slots == NULL || (x->n_ents + 1) * 2 > x->mask + 1) && !delta_grow(x))
		return NULL;
	if (x->n_ents == x->cap_ents) {
		size_t cap = x->cap_ents ? x->cap_ents * 2 : 256;
		struct xfr_ent *e;
		if (cap >= UINT32_MAX || (e = realloc(x->ents, cap * sizeof(*e))) == NULL)
			return NULL;
		x->ents = e;
		x->cap_ents = cap;
	}
	if (x->arena_cap - x->arena_len < olen + rdlen) {
		size_t cap = x->arena_cap ? x->arena_cap : 65536;
		while (cap - x->arena_len < olen + rdlen)
			cap *= 2;
		if (cap > UINT32_MAX)
			return NULL;
		uint8_t *a = realloc(x->arena, cap);
		if (a == NULL)
			return NULL;
		x->arena = a;
		x->arena_cap = cap;
	}
	struct xfr_ent *e = &x->ents[x->n_ents];
	e->hash = h;
	e->off = (uint32_t)x->arena_len;
	e->ttl = 0;
	e->type = type;
	e->rdlen = (uint16_t)rdlen;
	e->owner_len = (uint8_t)olen;
	e->present = false;
	memcpy(x->arena + x->arena_len, owner, olen);
	memcpy(x->arena + x->arena_len + olen, rd, rdlen);
	x->arena_len += olen + rdlen;
	x->n_ents++;
	for (i = h & x->mask; x->slots[i] != 0; i = (i + 1) & x->mask)
		;
	x->slots[i] = (uint32_t)x->n_ents;
	return e;
}

/* Is the record in the old zone (exact rdata bytes)?  Its TTL then. */
static bool
old_has(const struct dns_zone *z, const uint8_t *owner, uint16_t type, const uint8_t *rd,
    size_t rdlen, uint32_t *ttl)
{
	const struct dns_node *n = dns_zone_lookup(z, owner);
	const struct dns_rrset *rs;
	struct cursor c;

	if (n == NULL || (rs = dns_node_rrset(n, type)) == NULL)
		return false;
	cur_init(&c, rs->rdata, rs->rdata_len);
	for (uint16_t k = 0; k < rs->count; k++) {
		uint16_t l = cur_u16(&c);
		struct cursor r = cur_sub(&c, l);
		if (c.err)
			return false;
		if (l == rdlen && memcmp(r.buf, rd, rdlen) == 0) {
			*ttl = rs->ttl;
			return true;
		}
	}
	return false;
}

/* The entry of a record, made on first use with what the old zone says of it. */
static struct xfr_ent *
delta_ent(struct dns_xfr *x, const uint8_t *owner, size_t olen, uint16_t type,
    const uint8_t *rd, size_t rdlen)
{
	struct xfr_ent *e = delta_get(x, owner, olen, type, rd, rdlen, false);
	uint32_t ttl = 0;
	bool in_old;

	if (e != NULL)
		return e;
	in_old = old_has(x->old, owner, type, rd, rdlen, &ttl);
	if ((e = delta_get(x, owner, olen, type, rd, rdlen, true)) == NULL)
		return NULL;
	e->present = in_old;
	e->ttl = ttl;
	return e;
}

/*
 * An IXFR record is checked as it comes, as the builder would check it: a
 * record outside the zone, of a meta-type (OPT, TSIG, AXFR, ANY...) or
 * with malformed rdata ends the stream now, not after the delta grew.
 */
static int
ixfr_check(struct dns_xfr *x, const uint8_t *owner, uint16_t type, const uint8_t *rd,
    size_t rdlen)
{
	int r = dns_zone_record_check(x->apex, owner, type, rd, (uint16_t)rdlen);
	char text[DNS_NAME_STRLEN], tb[DNS_TYPE_STRLEN];

	if (r != DNS_ZB_OK)
		return fail(x, "IXFR record %s %s: %s", dns_name_to_text(owner, text),
		    dns_type_name(type, tb), dns_zone_builder_strerror(r));
	return DNS_XFR_MORE;
}

static int
ixfr_delete(struct dns_xfr *x, const uint8_t *owner, size_t olen, uint16_t type,
    const uint8_t *rd, size_t rdlen)
{
	struct xfr_ent *e;
	char text[DNS_NAME_STRLEN], tb[DNS_TYPE_STRLEN];

	if (ixfr_check(x, owner, type, rd, rdlen) != DNS_XFR_MORE)
		return DNS_XFR_ERROR;
	e = delta_ent(x, owner, olen, type, rd, rdlen);
	if (e == NULL)
		return fail(x, "out of memory");
	if (!e->present)
		return fail(x, "IXFR deletes %s %s, which the zone at serial %u does not have",
		    dns_name_to_text(owner, text), dns_type_name(type, tb), x->cur);
	e->present = false;
	return DNS_XFR_MORE;
}

static int
ixfr_add(struct dns_xfr *x, const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
    const uint8_t *rd, size_t rdlen)
{
	struct xfr_ent *e;

	if (ixfr_check(x, owner, type, rd, rdlen) != DNS_XFR_MORE)
		return DNS_XFR_ERROR;
	if ((e = delta_ent(x, owner, olen, type, rd, rdlen)) == NULL)
		return fail(x, "out of memory");
	/* Adding a record that is there already leaves one, with the new TTL. */
	e->present = true;
	e->ttl = ttl;
	return DNS_XFR_MORE;
}

/* ------------------------------------------------------------- records */

static int
axfr_add(struct dns_xfr *x, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rd, size_t rdlen)
{
	int r = dns_zone_builder_add(x->b, owner, type, ttl, rd, (uint16_t)rdlen);
	char text[DNS_NAME_STRLEN], tb[DNS_TYPE_STRLEN];

	if (r != DNS_ZB_OK)
		return fail(x, "record %s %s: %s", dns_name_to_text(owner, text),
		    dns_type_name(type, tb), dns_zone_builder_strerror(r));
	return DNS_XFR_MORE;
}

static int
start_axfr(struct dns_xfr *x)
{
	if ((x->b = dns_zone_builder_new(x->apex)) == NULL)
		return fail(x, "out of memory");
	x->kind = DNS_XFR_IN_AXFR;
	x->state = X_AXFR;
	return axfr_add(x, x->apex, DNS_T_SOA, x->soa_ttl, x->soa, x->soa_len);
}

/* One answer record, owner lowercased, rdata decompressed. */
static int
take(struct dns_xfr *x, const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
    const uint8_t *rd, size_t rdlen)
{
	bool soa = type == DNS_T_SOA && olen == x->apex_len && memcmp(owner, x->apex, olen) == 0;
	uint32_t serial = 0;
	char text[DNS_NAME_STRLEN];

	if (soa && !dns_soa_rdata_serial(rd, rdlen, &serial))
		return fail(x, "malformed SOA");
	switch (x->state) {
	case X_FIRST:
		/* RFC 5936 2.2, RFC 1995 4: the stream starts with the zone's SOA. */
		if (!soa)
			return fail(x, "the first record is not the SOA of %s",
			    dns_name_to_text(x->apex, text));
		if ((x->soa = malloc(rdlen)) == NULL)
			return fail(x, "out of memory");
		memcpy(x->soa, rd, rdlen);
		x->soa_len = (uint16_t)rdlen;
		x->soa_ttl = ttl;
		x->serial = serial;
		x->have_serial = true;
		if (x->qtype == DNS_T_AXFR)
			return start_axfr(x);
		x->state = X_SECOND;
		return DNS_XFR_MORE;
	case X_SECOND:
		if (!soa || serial == x->serial) {
			/* Not a difference sequence: the whole zone (RFC 1995 4). */
			int r = start_axfr(x);
			if (r != DNS_XFR_MORE)
				return r;
			return take(x, owner, olen, type, ttl, rd, rdlen);
		}
		if (serial != x->old_serial)
			return fail(x, "IXFR differences start at serial %u, ours is %u", serial,
			    x->old_serial);
		x->kind = DNS_XFR_IN_INCREMENTAL;
		x->cur = serial;
		x->state = X_DEL;
		return ixfr_delete(x, owner, olen, type, rd, rdlen);
	case X_AXFR:
		if (soa) {
			/* RFC 5936 2.2: the last record is the first SOA again. */
			if (rdlen != x->soa_len || memcmp(rd, x->soa, rdlen) != 0)
				return fail(x, "the closing SOA (serial %u) differs from the first "
				    "(serial %u)", serial, x->serial);
			x->state = X_DONE;
			return DNS_XFR_DONE;
		}
		return axfr_add(x, owner, type, ttl, rd, rdlen);
	case X_DEL:
		if (soa) {
			/* The new version's SOA starts the additions. */
			if (!dns_serial_gt(serial, x->cur))
				return fail(x, "IXFR sequence from serial %u to %u goes backwards",
				    x->cur, serial);
			/*
			 * Nor past the server's version: the sequences climb from
			 * ours to its (RFC 1995 4), so a chain that overshoots or
			 * wraps around the serial space (RFC 1982) never ends
			 * right; this bounds the chain by the serials between.
			 */
			if (dns_serial_gt(serial, x->serial))
				return fail(x, "IXFR sequence from serial %u to %u goes past the "
				    "server's serial %u", x->cur, serial, x->serial);
			x->cur = serial;
			x->state = X_ADD;
			return ixfr_add(x, owner, olen, type, ttl, rd, rdlen);
		}
		return ixfr_delete(x, owner, olen, type, rd, rdlen);
	case X_ADD:
		if (soa) {
			if (x->cur == x->serial) {
				/* RFC 1995 4: the server's SOA closes the stream. */
				if (serial != x->serial)
					return fail(x, "IXFR ends with serial %u, not %u", serial,
					    x->serial);
				x->state = X_DONE;
				return DNS_XFR_DONE;
			}
			if (serial != x->cur)
				return fail(x, "IXFR sequence starts at serial %u after reaching %u",
				    serial, x->cur);
			x->state = X_DEL;
			return ixfr_delete(x, owner, olen, type, rd, rdlen);
		}
		return ixfr_add(x, owner, olen, type, ttl, rd, rdlen);
	default:
		return fail(x, "records after the end of the transfer");
	}
}

/* ------------------------------------------------------------- the API */

struct dns_xfr *
dns_xfr_new(const uint8_t *apex, uint16_t qtype, uint16_t id, const struct dns_zone *old)
{
	struct dns_xfr *x;
	int n = dns_name_wire_len(apex, DNS_NAME_MAX);

	if (n < 0 || (qtype != DNS_T_AXFR && qtype != DNS_T_IXFR))
		return NULL;
	if (qtype == DNS_T_IXFR && (old == NULL || !dns_name_equal(dns_zone_apex(old), apex)))
		return NULL;
	if ((x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->apex_len = dns_name_lower(x->apex, apex);
	x->qtype = qtype;
	x->id = id;
	x->old = old;
	if (qtype == DNS_T_IXFR && !dns_zone_serial(old, &x->old_serial)) {
		free(x);
		return NULL;
	}
	x->state = X_FIRST;
	return x;
}

void
dns_xfr_free(struct dns_xfr *x)
{
	if (x == NULL)
		return;
	dns_zone_builder_free(x->b);
	free(x->soa);
	free(x->ents);
	free(x->slots);
	free(x->arena);
	free(x);
}

const char *
dns_xfr_error(const struct dns_xfr *x)
{
	return x->err;
}

int
dns_xfr_rcode(const struct dns_xfr *x)
{
	return x->rcode;
}

enum dns_xfr_kind
dns_xfr_kind(const struct dns_xfr *x)
{
	return x->kind;
}

bool
dns_xfr_serial(const struct dns_xfr *x, uint32_t *serial)
{
	if (x->have_serial)
		*serial = x->serial;
	return x->have_serial;
}

size_t
dns_xfr_messages(const struct dns_xfr *x)
{
	return x->messages;
}

size_t
dns_xfr_records(const struct dns_xfr *x)
{
	return x->records;
}

uint64_t
dns_xfr_size(const struct dns_xfr *x)
{
	return x->size;
}

void
dns_xfr_set_limits(struct dns_xfr *x, size_t max_records, uint64_t max_size)
{
	x->max_records = max_records;
	x->max_size = max_size;
}

bool
dns_xfr_over_limit(const struct dns_xfr *x)
{
	return x->over_limit;
}

/* One more answer record of this uncompressed wire size: within the limits? */
static int
count(struct dns_xfr *x, size_t wire)
{
	x->records++;
	x->size += wire;
	if (x->max_records != 0 && x->records > x->max_records) {
		fail(x, "aborted: more than %zu records (xfr-max-records)", x->max_records);
		x->over_limit = true;
		return DNS_XFR_ERROR;
	}
	if (x->max_size != 0 && x->size > x->max_size) {
		fail(x, "aborted: more than %llu bytes of records (xfr-max-size)",
		    (unsigned long long)x->max_size);
		x->over_limit = true;
		return DNS_XFR_ERROR;
	}
	return DNS_XFR_MORE;
}

int
dns_xfr_feed(struct dns_xfr *x, const uint8_t *msg, size_t len)
{
	struct dns_msg m;
	struct dns_rr_iter it;
	struct dns_rr rr;
	char text[DNS_NAME_STRLEN], rc[DNSMSG_RCODE_STRLEN];
	int r, perr;

	if (x->state == X_ERROR)
		return DNS_XFR_ERROR;
	if (x->state == X_DONE)
		return fail(x, "a message after the end of the transfer");
	perr = dns_wire_parse(msg, len, &m);
	if (perr == DNS_WIRE_SHORT)
		return fail(x, "message shorter than a header");
	/* RFC 5936 2.2.1: every message carries the query's id. */
	if (m.id != x->id)
		return fail(x, "message id %u, the query's is %u", m.id, x->id);
	if (!(m.flags & DNS_F_QR) || DNS_F_OPCODE(m.flags) != DNS_OPCODE_QUERY)
		return fail(x, "not a reply to a query (QR %d, opcode %u)",
		    !!(m.flags & DNS_F_QR), DNS_F_OPCODE(m.flags));
	if (perr != DNS_WIRE_OK)
		return fail(x, "malformed message: %s", dns_wire_err_str(perr));
	/* TCP carries whole messages: TC has no business there (RFC 5936 2.2.1). */
	if (m.flags & DNS_F_TC)
		return fail(x, "TC set on a transfer message");
	if (DNS_F_RCODE(m.flags) != DNS_RCODE_NOERROR) {
		x->rcode = DNS_F_RCODE(m.flags);
		return fail(x, "%s", dnsmsg_rcode_name((unsigned)x->rcode, rc));
	}
	/*
	 * RFC 5936 2.2.1: the first message repeats the question; later ones
	 * may (QDCOUNT 0 or 1), and when they do it is the same question.
	 */
	if (m.qdcount > 1 || (m.qdcount == 0 && x->messages == 0))
		return fail(x, "%u questions", m.qdcount);
	if (m.qdcount == 1 && (m.qclass != DNS_C_IN || m.qtype != x->qtype ||
	    !dns_name_equal(m.qname, x->apex)))
		return fail(x, "the question is not the query's (%s type %u class %u)",
		    dns_name_to_text(m.qname, text), m.qtype, m.qclass);
	x->messages++;
	if (m.ancount == 0 && x->messages == 1)
		return fail(x, "empty reply");

	/*
	 * RFC 1995 4: the server's SOA alone: it has no newer version for us.
	 * A first message with only a newer SOA is not that (the RFC has no
	 * such reply): it is a stream of one record per message, as BIND's
	 * one-answer format sends, read on as any other.
	 */
	if (x->qtype == DNS_T_IXFR && x->messages == 1 && m.ancount == 1) {
		uint32_t serial;
		dns_wire_rr_begin(&it, msg, len, &m);
		if ((r = dns_wire_rr_next(&it, &rr)) <= 0)
			return fail(x, "malformed message: %s", dns_wire_err_str(r));
		uint8_t lc[DNS_NAME_MAX];
		size_t olen = dns_name_lower(lc, rr.owner);
		int n = dns_xfr_rdata(msg, len, rr.rdata_off, rr.rdlen, rr.type, x->rd);
		if (rr.type != DNS_T_SOA || rr.rclass != DNS_C_IN || olen != x->apex_len ||
		    memcmp(lc, x->apex, olen) != 0 || n < 0 ||
		    !dns_soa_rdata_serial(x->rd, (size_t)n, &serial))
			return fail(x, "the first record is not the SOA of %s",
			    dns_name_to_text(x->apex, text));
		if (!dns_serial_gt(serial, x->old_serial)) {
			if (count(x, olen + 10 + (size_t)n) != DNS_XFR_MORE)
				return DNS_XFR_ERROR;
			x->serial = serial;
			x->have_serial = true;
			x->kind = DNS_XFR_IN_SOA_ONLY;
			x->state = X_DONE;
			return DNS_XFR_DONE;
		}
	}

	dns_wire_rr_begin(&it, msg, len, &m);
	for (uint16_t i = 0; i < m.ancount; i++) {
		uint8_t lc[DNS_NAME_MAX];
		size_t olen;
		int n;

		if ((r = dns_wire_rr_next(&it, &rr)) <= 0)
			return fail(x, "malformed message: %s", dns_wire_err_str(r));
		if (x->state == X_DONE)
			return fail(x, "records after the closing SOA");
		if (rr.rclass != DNS_C_IN)
			return fail(x, "record of class %u", rr.rclass);
		olen = dns_name_lower(lc, rr.owner);
		if ((n = dns_xfr_rdata(msg, len, rr.rdata_off, rr.rdlen, rr.type, x->rd)) < 0)
			return fail(x, "record %s type %u: malformed rdata",
			    dns_name_to_text(lc, text), rr.type);
		/* Owner, type, class, TTL, RDLENGTH, rdata: RFC 1035 4.1.3 without compression. */
		if (count(x, olen + 10 + (size_t)n) != DNS_XFR_MORE)
			return DNS_XFR_ERROR;
		r = take(x, lc, olen, rr.type, rr.ttl, x->rd, (size_t)n);
		if (r == DNS_XFR_ERROR)
			return r;
	}
	return x->state == X_DONE ? DNS_XFR_DONE : DNS_XFR_MORE;
}

/* ------------------------------------------------------------ building */

struct xfr_walk {
	struct dns_xfr *x;
	struct dns_zone_builder *b;
	int rc;
};

static void
walk_old(void *ctx, const struct dns_node *node)
{
	struct xfr_walk *w = ctx;

	for (uint16_t i = 0; i < node->n_rrsets && w->rc == 0; i++) {
		const struct dns_rrset *rs = &node->rrsets[i];
		struct cursor c;
		cur_init(&c, rs->rdata, rs->rdata_len);
		for (uint16_t k = 0; k < rs->count && w->rc == 0; k++) {
			uint16_t l = cur_u16(&c);
			struct cursor r = cur_sub(&c, l);
			const struct xfr_ent *e;
			if (c.err) {
				w->rc = DNS_ZB_RDATA;
				break;
			}
			/* A record the sequences touched comes from its entry, if present. */
			e = delta_get(w->x, node->name, node->name_len, rs->type, r.buf, l, false);
			if (e != NULL)
				continue;
			w->rc = dns_zone_builder_add(w->b, node->name, rs->type, rs->ttl, r.buf, l);
		}
	}
}

struct dns_zone *
dns_xfr_finish(struct dns_xfr *x, char *err, size_t errlen)
{
	struct dns_zone *z;
	struct xfr_walk w;

	if (errlen > 0)
		err[0] = '\0';
	if (x->state != X_DONE || (x->kind != DNS_XFR_IN_AXFR && x->kind != DNS_XFR_IN_INCREMENTAL)) {
		snprintf(err, errlen, "no zone: the transfer is not complete");
		return NULL;
	}
	if (x->kind == DNS_XFR_IN_AXFR) {
		z = dns_zone_builder_finish(x->b, err, errlen);
		dns_zone_builder_free(x->b);
		x->b = NULL;
		x->state = X_ERROR;
		return z;
	}
	if ((w.b = dns_zone_builder_new(x->apex)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	dns_zone_builder_reserve(w.b, dns_zone_rr_count(x->old) + x->n_ents);
	w.x = x;
	w.rc = 0;
	dns_zone_walk(x->old, walk_old, &w);
	for (size_t i = 0; i < x->n_ents && w.rc == 0; i++) {
		const struct xfr_ent *e = &x->ents[i];
		const uint8_t *p = x->arena + e->off;
		if (e->present)
			w.rc = dns_zone_builder_add(w.b, p, e->type, e->ttl, p + e->owner_len,
			    e->rdlen);
	}
	x->state = X_ERROR;
	if (w.rc != 0) {
		snprintf(err, errlen, "applying the IXFR: %s", dns_zone_builder_strerror(w.rc));
		dns_zone_builder_free(w.b);
		return NULL;
	}
	z = dns_zone_builder_finish(w.b, err, errlen);
	dns_zone_builder_free(w.b);
	return z;
}
