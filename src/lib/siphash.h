/*
 * siphash.h - SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012): a keyed 64-bit hash for hash tables whose keys a
 * peer chooses (the RIB's prefixes, request sources), so that no one who
 * does not know the key can aim many keys at one bucket.
 *
 * Written here because the project's crypto library (nettle 3.8 in Debian
 * 12) has no SipHash, and a hash table key does not justify a second crypto
 * library; tests/unit/test_siphash.c checks it against the reference vectors.
 */
#ifndef RIPOSTE_SIPHASH_H
#define RIPOSTE_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

struct siphash_key {
	uint64_t k0, k1;
};

/* The key from 16 octets, read little-endian as the reference does. */
struct siphash_key siphash_key_from_bytes(const uint8_t key[SIPHASH_KEY_LEN]);
/* SipHash-2-4 of buf[0..len). */
uint64_t siphash24(const struct siphash_key *key, const void *buf, size_t len);

#endif
