/*
 * fuzz_packet.c - libFuzzer target for the RIPv2 codec (src/rip/packet.c).
 *
 * Decodes the input and, when it decodes, checks that what the decoder
 * hands out lies inside the input, reads and validates every entry, and
 * asks the RFC 2453 3.9.1 whole-table question.  Then a property test:
 * every entry that passes rip_rte_check() is encoded again (with and without
 * a reserved authentication slot) and decoded again, and any field that
 * differs is a bug (abort()); so is a decoded datagram over RFC 2453's
 * limits (25 entries, the auth entry included; 512 octets unless a keyed
 * authentication trailer follows), or an encoded one over them that decodes.  No allocation, so nothing can leak.
 * tests/fuzz/replay.c runs the stored corpus through this in `meson test`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rip/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int cond)
{
	if (!cond)
		abort();
}

static int
rte_equal(const struct rip_rte *a, const struct rip_rte *b)
{
	return a->afi == b->afi && a->tag == b->tag && a->addr == b->addr &&
	    a->mask == b->mask && a->nexthop == b->nexthop && a->metric == b->metric;
}

/* Whether p..p+n lies inside data..data+size, without forming out-of-range pointers. */
static int
inside(const uint8_t *data, size_t size, const uint8_t *p, size_t n)
{
	uintptr_t lo = (uintptr_t)data, at = (uintptr_t)p;

	return at >= lo && at - lo <= size && n <= size - (at - lo);
}

/*
 * Encode `n` good entries, decode the result and compare field by field.
 * `reserve` bytes of zeros after the header decode as one AFI 0 entry.
 * More than RIP_MAX_RTE entries in all (the encoder does not mind) must be
 * refused as too long (RFC 2453 4).
 */
static void
round_trip(uint8_t command, const struct rip_rte *rtes, size_t n, size_t reserve)
{
	uint8_t buf[RIP_PKT_MAX + RIP_RTE_LEN];
	struct rip_packet pkt;
	struct rip_rte rte;
	size_t len, skip = reserve / RIP_RTE_LEN;

	len = rip_packet_encode(buf, sizeof(buf), command, rtes, n, reserve);
	check(len == RIP_HDR_LEN + reserve + n * RIP_RTE_LEN);
	/* One byte less must be refused, not written short. */
	check(rip_packet_encode(buf, len - 1, command, rtes, n, reserve) == 0);
	len = rip_packet_encode(buf, sizeof(buf), command, rtes, n, reserve);

	if (n + skip > RIP_MAX_RTE) {
		check(rip_packet_decode(buf, len, &pkt) == RIP_PKT_TOO_LONG);
		check(pkt.rtes == NULL && pkt.nrte == 0);
		return;
	}
	check(rip_packet_decode(buf, len, &pkt) == RIP_PKT_OK);
	check(pkt.command == command);
	check(pkt.version == RIP_VERSION);
	check(!pkt.has_auth);
	check(pkt.nrte == n + skip);
	for (size_t i = 0; i < skip; i++) {
		rip_packet_rte(&pkt, i, &rte);
		check(rte.afi == 0 && rte.addr == 0 && rte.metric == 0);
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t a = 0, b = 0;
		rip_packet_rte(&pkt, skip + i, &rte);
		check(rte_equal(&rte, &rtes[i]));
		check(rip_rte_check(&rte, &a) == RIP_RTE_OK);
		check(rip_rte_check(&rtes[i], &b) == RIP_RTE_OK);
		check(a == b);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rip_packet pkt;
	struct rip_rte rte, good[RIP_MAX_RTE];
	size_t ngood = 0;
	int err;

	err = rip_packet_decode(data, size, &pkt);
	check(rip_pkt_err_str(err) != NULL);
	if (err != RIP_PKT_OK) {
		check(err < 0 && err > -RIP_PKT_ERR_COUNT);
		check(pkt.rtes == NULL && pkt.nrte == 0);
		/* Nothing longer than the longest valid datagram gets any further. */
		if (size > RIP_PKT_RX_MAX)
			check(err == RIP_PKT_TOO_LONG);
		return 0;
	}

	/* RFC 2453 3.6 / 4 / 4.1: 25 entries with any auth entry, 512 octets but a trailer. */
	check(pkt.nrte + (pkt.has_auth ? 1 : 0) <= RIP_MAX_RTE);
	check(size <= RIP_DGRAM_MAX || (pkt.has_auth && pkt.auth.type == RIP_AUTH_CRYPTO));
	check(size <= RIP_PKT_RX_MAX);

	/* Everything handed out points into the input. */
	check(size >= RIP_HDR_LEN);
	check(pkt.command == RIP_CMD_REQUEST || pkt.command == RIP_CMD_RESPONSE);
	check(pkt.version != 0);
	check(pkt.nrte <= (size - RIP_HDR_LEN) / RIP_RTE_LEN);
	check(pkt.nrte == 0 || inside(data, size, pkt.rtes, pkt.nrte * RIP_RTE_LEN));
	if (pkt.has_auth && pkt.auth.type == RIP_AUTH_CRYPTO) {
		check(pkt.auth.trailer != NULL);
		check(inside(data, size, pkt.auth.trailer, pkt.auth.trailer_len));
		check(pkt.auth.trailer == data + pkt.auth.pkt_len);
		check(pkt.auth.trailer_len == 4 + 16 || pkt.auth.trailer_len == 4 + 20);
		check(pkt.auth.auth_len == 16 || pkt.auth.auth_len == 20);
	} else
		check(pkt.auth.trailer == NULL);

	(void)rip_request_is_whole_table(&pkt);

	for (size_t i = 0; i < pkt.nrte; i++) {
		uint8_t plen = 0;
		rip_packet_rte(&pkt, i, &rte);
		check(rte.afi != RIP_AF_AUTH);
		err = rip_rte_check(&rte, &plen);
		check(rip_rte_err_str(err) != NULL);
		if (err != RIP_RTE_OK) {
			check(err < 0 && err > -RIP_RTE_ERR_COUNT);
			continue;
		}
		check(plen <= 32);
		check(rte.metric >= 1 && rte.metric <= RIP_INFINITY);
		good[ngood++] = rte;
		if (ngood == RIP_MAX_RTE) {
			round_trip(pkt.command, good, ngood, 0);
			round_trip(pkt.command, good, ngood, RIP_RTE_LEN);
			ngood = 0;
		}
	}
	if (ngood > 0) {
		round_trip(pkt.command, good, ngood, 0);
		round_trip(pkt.command, good, ngood, RIP_RTE_LEN);
	}
	return 0;
}
