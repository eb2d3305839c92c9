/*
 * auth.h - BFD authentication (RFC 5880 4.2-4.4, 6.7): simple password,
 * keyed MD5 and keyed SHA1, each also "meticulous", with the keys of a
 * key chain (lib/keychain.h).
 *
 * Pure functions: the caller passes the wall-clock time that key
 * lifetimes are judged by.  This module signs a packet and checks the
 * password or digest of one; the sequence numbers (6.7.3, 6.7.4) are state
 * of the session and live in session.c.
 *
 * Key ids: a key chain's `key N` is sent as N mod 256 (the field has one
 * byte, as in RIP); a received key id is tried against every accepted key
 * with that id.  Keys are used as written, zero-padded to the field: 16
 * bytes for the password and MD5, 20 for SHA1; a longer key can neither
 * sign nor verify (the configuration refuses it, bfd/conf.c).
 */
#ifndef RIPOSTE_BFD_AUTH_H
#define RIPOSTE_BFD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bfd/packet.h"
#include "lib/keychain.h"

/* An interface's setting: the type and the name of the key chain. */
struct bfd_auth_conf {
	enum bfd_auth_type type;		/* BFD_AUTH_NONE: no authentication */
	char keychain[KEYCHAIN_NAME_MAX + 1];
};

/* The config word ("meticulous-keyed-sha1"); "none" for BFD_AUTH_NONE. */
const char *bfd_auth_type_name(enum bfd_auth_type type);
/* The reverse; -1 when the word names no type. */
int	bfd_auth_type_parse(const char *word, enum bfd_auth_type *type);
/* 6.7.3, 6.7.4: the sequence number must grow with every packet. */
bool	bfd_auth_meticulous(enum bfd_auth_type type);
/* Whether the type carries a sequence number (the MD5 and SHA1 types). */
bool	bfd_auth_has_seq(enum bfd_auth_type type);
/* The longest key the type can use (16 or 20 bytes); 0 for none. */
size_t	bfd_auth_key_max(enum bfd_auth_type type);

/*
 * Appends the authentication section to the 24-byte mandatory section in
 * buf (bfd_pkt_encode()), sets the A bit and Length, and signs: the
 * password (6.7.2), or the digest over the whole packet with the key in
 * the digest field (6.7.3, 6.7.4).  seq is ignored by the simple password.
 * Returns the packet's length, BFD_ERR_BUFFER, or BFD_ERR_NO_KEY when the
 * key is too long for the type.
 */
int	bfd_auth_sign(enum bfd_auth_type type, const struct keychain_key *key, uint32_t seq,
	    uint8_t *buf, size_t cap);

/*
 * Checks the authentication of a decoded packet (p from bfd_pkt_decode()
 * over buf, so buf holds p->length bytes) against the keys of `chain` that
 * are accepted at `wall`: BFD_OK, BFD_ERR_AUTH (A bit, type NONE),
 * BFD_ERR_AUTH_MISSING, BFD_ERR_AUTH_TYPE, BFD_ERR_AUTH_KEY (no accepted
 * key has that id), BFD_ERR_AUTH_FAILED.  Passwords and digests are
 * compared in constant time, and every candidate key is tried.  The
 * sequence number is not judged here.
 */
int	bfd_auth_verify(enum bfd_auth_type type, const struct keychain *chain, int64_t wall,
	    const struct bfd_pkt *p, const uint8_t *buf);

#endif
