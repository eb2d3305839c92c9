/*
 * io.h - RIP's UDP socket: port 520, 224.0.0.9 membership per interface,
 * receive with IP_PKTINFO (the incoming interface and destination), and a
 * paced send queue so a large table never overruns a neighbour's socket
 * buffer (FRR's ripd has 41.6 kB and drops the rest of a burst).
 *
 * Two queues share the pace: our own updates, then answers to requests.
 * An answer leaves only when no update waits, so however many requests
 * arrive (each may ask for the whole table) our updates are not delayed;
 * the answer queue is the shorter one and drops (counted) when full.
 * Answers leave through a socket of their own (also port 520), so what the
 * kernel holds of them (ARP queues of forged sources) never fills the send
 * buffer our updates need.
 */
#ifndef RIPOSTE_RIP_IO_H
#define RIPOSTE_RIP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct rip_io;

/* ttl: the datagram's IP TTL (IP_RECVTTL), -1 when the kernel did not say. */
typedef void (*rip_io_input_fn)(void *ctx, unsigned ifindex, uint32_t src, uint16_t port,
    uint32_t dst, int ttl, const uint8_t *buf, size_t len);
/* Called once before and once after each batch of packets read from the socket. */
typedef void (*rip_io_batch_fn)(void *ctx, bool begin);

struct rip_io_stats {
	uint64_t rx_packets;
	uint64_t rx_truncated;   /* longer than the buffer: handed on as oversize */
	uint64_t rx_no_pktinfo;  /* no incoming interface known: dropped here */
	uint64_t tx_packets;
	uint64_t tx_errors;
	uint64_t tx_queue_drops;  /* updates dropped: their queue was full */
	uint64_t tx_reply_drops;  /* answers to requests dropped: their queue was full */
	uint64_t tx_reply_full;   /* times the answer socket's send buffer was full */
	size_t tx_queued;         /* updates waiting */
	size_t tx_replies_queued; /* answers waiting */
};

/* Flags of rip_io_send. */
#define RIP_IO_REPLY  0x1 /* an answer to a request: the second queue */
#define RIP_IO_TTL255 0x2 /* send with TTL 255 (GTSM, RFC 5082), unicast and multicast */

/* Bind 0.0.0.0:port; NULL with errno on failure. */
struct rip_io *rip_io_open(struct ev_loop *loop, uint16_t port, rip_io_input_fn input,
    rip_io_batch_fn batch, void *ctx);
void rip_io_close(struct rip_io *io);
int rip_io_join(struct rip_io *io, unsigned ifindex, bool on);
/* Queue a datagram (flags RIP_IO_*); it leaves at once when the pacing budget allows. */
void rip_io_send(struct rip_io *io, unsigned ifindex, uint32_t src, uint32_t dst, uint16_t port,
    const uint8_t *buf, size_t len, unsigned flags);
/* Send everything queued now, ignoring the pace (shutdown); gives up after timeout_ms. */
void rip_io_flush(struct rip_io *io, unsigned timeout_ms);
void rip_io_get_stats(const struct rip_io *io, struct rip_io_stats *out);

#endif
