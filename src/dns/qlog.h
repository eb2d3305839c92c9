/*
 * qlog.h - one line of riposte-dns's sampled query log (`query-log`),
 * made from the answer we send: the question it echoes and its rcode, so
 * the line says what the client got.
 *
 *	2026-12-07T01:02:03.456Z 192.0.2.7#53124 udp www.example.com. IN A NOERROR 61
 *
 * time (UTC, the worker loop's cached time), client address#port,
 * transport, QNAME (presentation format: every byte outside printable
 * ASCII escaped as \DDD, so a query cannot forge lines), class, type,
 * rcode, answer size in bytes.
 */
#ifndef RIPOSTE_DNS_QLOG_H
#define RIPOSTE_DNS_QLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Longest line: time, [v6]#port, transport, a fully escaped name, the rest. */
#define DNS_QLOG_LINE_MAX 1280

/*
 * The line, '\n'-terminated, into buf (cap >= DNS_QLOG_LINE_MAX); its
 * length, or 0 when resp[0..len) holds no whole header and question
 * (nothing to log).  peer: AF_INET or AF_INET6, else "?" is written.
 */
size_t dns_qlog_line(char *buf, size_t cap, double now, const struct sockaddr *peer,
    bool tcp, const uint8_t *resp, size_t len);

#endif
