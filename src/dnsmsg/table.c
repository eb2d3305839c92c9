/*
 * table.c - the one table each of RR type, class and rcode mnemonics of
 * riposte (zone files, the dns check's config, riposte-probe's options and
 * CSV), and dnsmsg_strerror().  See dnsmsg.h.
 */
#include "dnsmsg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const err_names[DNSMSG_E_COUNT] = {
	[0] = "ok",
	[-DNSMSG_E_SHORT] = "shorter than a DNS header",
	[-DNSMSG_E_TRUNC] = "field past the end",
	[-DNSMSG_E_NAME_TRUNC] = "name past the end",
	[-DNSMSG_E_LABEL_LONG] = "label longer than 63 bytes",
	[-DNSMSG_E_NAME_LONG] = "name longer than 255 bytes",
	[-DNSMSG_E_LABEL_TYPE] = "unknown label type",
	[-DNSMSG_E_POINTER] = "compression pointer not to a prior name",
	[-DNSMSG_E_HOPS] = "more than 127 compression pointers",
	[-DNSMSG_E_COMPRESSED] = "compressed where it may not be",
	[-DNSMSG_E_EMPTY] = "empty name",
	[-DNSMSG_E_EMPTY_LABEL] = "empty label in the name",
	[-DNSMSG_E_ESCAPE] = "bad escape in the name",
	[-DNSMSG_E_RELATIVE] = "relative name without an origin",
	[-DNSMSG_E_NOSPACE] = "no space",
	[-DNSMSG_E_UNKNOWN] = "unknown mnemonic",
};

const char *
dnsmsg_strerror(int err)
{
	if (err > 0 || err <= -DNSMSG_E_COUNT)
		return "unknown error";
	return err_names[-err];
}

struct mnemonic {
	uint16_t value;
	const char *name;
};

/* IANA's RR TYPE registry, the types riposte has a name for. */
static const struct mnemonic types[] = {
	{ 1, "A" }, { 2, "NS" }, { 5, "CNAME" }, { 6, "SOA" }, { 10, "NULL" },
	{ 11, "WKS" }, { 12, "PTR" }, { 13, "HINFO" }, { 14, "MINFO" }, { 15, "MX" },
	{ 16, "TXT" }, { 17, "RP" }, { 18, "AFSDB" }, { 24, "SIG" }, { 25, "KEY" },
	{ 28, "AAAA" }, { 29, "LOC" }, { 33, "SRV" }, { 35, "NAPTR" }, { 36, "KX" },
	{ 37, "CERT" }, { 39, "DNAME" }, { 41, "OPT" }, { 42, "APL" }, { 43, "DS" },
	{ 44, "SSHFP" }, { 45, "IPSECKEY" }, { 46, "RRSIG" }, { 47, "NSEC" },
	{ 48, "DNSKEY" }, { 49, "DHCID" }, { 50, "NSEC3" }, { 51, "NSEC3PARAM" },
	{ 52, "TLSA" }, { 53, "SMIMEA" }, { 59, "CDS" }, { 60, "CDNSKEY" },
	{ 61, "OPENPGPKEY" }, { 62, "CSYNC" }, { 63, "ZONEMD" }, { 64, "SVCB" },
	{ 65, "HTTPS" }, { 99, "SPF" }, { 104, "NID" }, { 105, "L32" }, { 106, "L64" },
	{ 107, "LP" }, { 108, "EUI48" }, { 109, "EUI64" }, { 249, "TKEY" },
	{ 250, "TSIG" }, { 251, "IXFR" }, { 252, "AXFR" }, { 255, "ANY" },
	{ 256, "URI" }, { 257, "CAA" },
};

/* RFC 1035 3.2.4, RFC 2136 (NONE). */
static const struct mnemonic classes[] = {
	{ 1, "IN" }, { 3, "CH" }, { 4, "HS" }, { 254, "NONE" }, { 255, "ANY" },
};

/* RFC 6895 2.3; 16 is BADVERS in OPT and BADSIG in TSIG (RFC 8945). */
static const struct mnemonic rcodes[] = {
	{ 0, "NOERROR" }, { 1, "FORMERR" }, { 2, "SERVFAIL" }, { 3, "NXDOMAIN" },
	{ 4, "NOTIMP" }, { 5, "REFUSED" }, { 6, "YXDOMAIN" }, { 7, "YXRRSET" },
	{ 8, "NXRRSET" }, { 9, "NOTAUTH" }, { 10, "NOTZONE" }, { 11, "DSOTYPENI" },
	{ 16, "BADVERS" }, { 17, "BADKEY" }, { 18, "BADTIME" }, { 19, "BADMODE" },
	{ 20, "BADNAME" }, { 21, "BADALG" }, { 22, "BADTRUNC" }, { 23, "BADCOOKIE" },
	{ 16, "BADSIG" },	/* parsed only: the name of 16 is the first one */
};

static const char *
mn_name(const struct mnemonic *t, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return NULL;
}

/* Digits only, no sign, at most max: 0, or -1. */
static int
mn_number(const char *s, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* A mnemonic of t, or PREFIXnnn up to max (RFC 3597 5). */
static int
mn_parse(const struct mnemonic *t, size_t n, const char *prefix, unsigned max,
    const char *s, unsigned *out)
{
	size_t pl = strlen(prefix);

	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s, t[i].name) == 0) {
			*out = t[i].value;
			return 0;
		}
	if (strncasecmp(s, prefix, pl) != 0 || mn_number(s + pl, max, out) != 0)
		return DNSMSG_E_UNKNOWN;
	return 0;
}

const char *
dnsmsg_type_name(uint16_t type, char buf[DNSMSG_TYPE_STRLEN])
{
	const char *s = mn_name(types, NITEMS(types), type);

	if (s != NULL)
		return s;
	snprintf(buf, DNSMSG_TYPE_STRLEN, "TYPE%u", type);
	return buf;
}

int
dnsmsg_type_parse(const char *s, uint16_t *type)
{
	unsigned v;

	if (mn_parse(types, NITEMS(types), "TYPE", 65535, s, &v) != 0)
		return DNSMSG_E_UNKNOWN;
	*type = (uint16_t)v;
	return 0;
}

const char *
dnsmsg_class_name(uint16_t rclass, char buf[DNSMSG_CLASS_STRLEN])
{
	const char *s = mn_name(classes, NITEMS(classes), rclass);

	if (s != NULL)
		return s;
	snprintf(buf, DNSMSG_CLASS_STRLEN, "CLASS%u", rclass);
	return buf;
}

int
dnsmsg_class_parse(const char *s, uint16_t *rclass)
{
	unsigned v;

	if (mn_parse(classes, NITEMS(classes), "CLASS", 65535, s, &v) != 0)
		return DNSMSG_E_UNKNOWN;
	*rclass = (uint16_t)v;
	return 0;
}

const char *
dnsmsg_rcode_name(unsigned rcode, char buf[DNSMSG_RCODE_STRLEN])
{
	const char *s = mn_name(rcodes, NITEMS(rcodes), rcode);

	if (s != NULL)
		return s;
	snprintf(buf, DNSMSG_RCODE_STRLEN, "RCODE%u", rcode & DNSMSG_RCODE_MAX);
	return buf;
}

int
dnsmsg_rcode_parse(const char *s, unsigned *rcode)
{
	return mn_parse(rcodes, NITEMS(rcodes), "RCODE", DNSMSG_RCODE_MAX, s, rcode) == 0 ?
	    0 : DNSMSG_E_UNKNOWN;
}
