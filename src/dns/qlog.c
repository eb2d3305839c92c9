/*
 * qlog.c - the query log's line (qlog.h).  Reads the answer we built; its
 * question is the client's, so every length is checked as for any
 * message (dnsmsg's codec) and the name is escaped.
 */
#include "qlog.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dnsmsg/dnsmsg.h"

size_t
dns_qlog_line(char *buf, size_t cap, double now, const struct sockaddr *peer, bool tcp,
    const uint8_t *resp, size_t len)
{
	struct dnsmsg_hdr h;
	struct dnsmsg_question q;
	uint8_t name[DNSMSG_NAME_MAX];
	char ntext[DNSMSG_NAME_STRLEN], type[DNSMSG_TYPE_STRLEN], cls[DNSMSG_CLASS_STRLEN];
	char rcode[DNSMSG_RCODE_STRLEN], addr[INET6_ADDRSTRLEN], tbuf[32];
	size_t pos = DNSMSG_HDR_LEN;
	unsigned port = 0;
	struct tm tm;
	time_t sec;
	int n;

	if (cap < DNS_QLOG_LINE_MAX || dnsmsg_hdr_parse(resp, len, &h) != 0 || h.qdcount != 1 ||
	    dnsmsg_question_parse(resp, len, &pos, &q) != 0)
		return 0;
	/* qname_len is a uint8_t: at most 255 = DNSMSG_NAME_MAX, name's size. */
	memcpy(name, q.qname, q.qname_len);
	snprintf(addr, sizeof(addr), "?");
	if (peer != NULL && peer->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)peer;
		inet_ntop(AF_INET, &a->sin_addr, addr, sizeof(addr));
		port = ntohs(a->sin_port);
	} else if (peer != NULL && peer->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)peer;
		inet_ntop(AF_INET6, &a->sin6_addr, addr, sizeof(addr));
		port = ntohs(a->sin6_port);
	}
	sec = (time_t)now;
	if (gmtime_r(&sec, &tm) == NULL)
		return 0;
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	/* The rcode's low 4 bits: an extended rcode would need the OPT record. */
	n = snprintf(buf, cap, "%s.%03dZ %s#%u %s %s %s %s %s %zu\n", tbuf,
	    (int)((now - (double)sec) * 1000.) % 1000, addr, port, tcp ? "tcp" : "udp",
	    dnsmsg_name_to_text(name, ntext), dnsmsg_class_name(q.qclass, cls),
	    dnsmsg_type_name(q.qtype, type), dnsmsg_rcode_name(h.flags & 0xf, rcode), len);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}
