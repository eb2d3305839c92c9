/*
 * io.h - RIP's UDP socket: port 520, 224.0.0.9 membership per interface,
 * receive with IP_PKTINFO (the incoming interface and destination), and a
 * paced send queue so a large table never overruns a neighbour's socket
 * buffer (FRR's ripd has 41.6 kB and drops the rest of a burst).
 */
#ifndef RIPOSTE_RIP_IO_H
#define RIPOSTE_RIP_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct rip_io;

typedef void (*rip_io_input_fn)(void *ctx, unsigned ifindex, uint32_t src, uint16_t port,
    uint32_t dst, const uint8_t *buf, size_t len);
/* Called once before and once after each batch of packets read from the socket. */
typedef void (*rip_io_batch_fn)(void *ctx, bool begin);

struct rip_io_stats {
	uint64_t rx_packets;
	uint64_t rx_truncated;   /* longer than the buffer: handed on as oversize */
	uint64_t rx_no_pktinfo;  /* no incoming interface known: dropped here */
	uint64_t tx_packets;
	uint64_t tx_errors;
	uint64_t tx_queue_drops;
	size_t tx_queued;
};

/* Bind 0.0.0.0:port; NULL with errno on failure. */
struct rip_io *rip_io_open(struct ev_loop *loop, uint16_t port, rip_io_input_fn input,
    rip_io_batch_fn batch, void *ctx);
void rip_io_close(struct rip_io *io);
int rip_io_join(struct rip_io *io, unsigned ifindex, bool on);
/* Queue a datagram; it leaves at once when the pacing budget allows. */
void rip_io_send(struct rip_io *io, unsigned ifindex, uint32_t src, uint32_t dst, uint16_t port,
    const uint8_t *buf, size_t len);
/* Send everything queued now, ignoring the pace (shutdown); gives up after timeout_ms. */
void rip_io_flush(struct rip_io *io, unsigned timeout_ms);
void rip_io_get_stats(const struct rip_io *io, struct rip_io_stats *out);

#endif
