/*
 * cursor.h - the one bounded reader (and writer) for untrusted bytes.
 *
 * A cursor has a sticky error: once a read would pass the end, every later
 * read returns zero and cur->err stays set, so a decoder can read a whole
 * record and check the error once.  Multi-byte reads convert from network
 * byte order.  Never cast packet memory to a struct: read through these.
 */
#ifndef RIPOSTE_CURSOR_H
#define RIPOSTE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct cursor {
	const uint8_t *buf;
	size_t len;
	size_t pos;
	bool err;
};

static inline void
cur_init(struct cursor *c, const uint8_t *buf, size_t len)
{
	c->buf = buf;
	c->len = len;
	c->pos = 0;
	c->err = false;
}

static inline size_t
cur_left(const struct cursor *c)
{
	return c->err ? 0 : c->len - c->pos;
}

static inline bool
cur_need(struct cursor *c, size_t n)
{
	if (c->err || c->len - c->pos < n) {
		c->err = true;
		return false;
	}
	return true;
}

static inline uint8_t
cur_u8(struct cursor *c)
{
	if (!cur_need(c, 1))
		return 0;
	return c->buf[c->pos++];
}

static inline uint16_t
cur_u16(struct cursor *c)
{
	if (!cur_need(c, 2))
		return 0;
	uint16_t v = (uint16_t)((c->buf[c->pos] << 8) | c->buf[c->pos + 1]);
	c->pos += 2;
	return v;
}

static inline uint32_t
cur_u32(struct cursor *c)
{
	if (!cur_need(c, 4))
		return 0;
	uint32_t v = ((uint32_t)c->buf[c->pos] << 24) | ((uint32_t)c->buf[c->pos + 1] << 16) |
	    ((uint32_t)c->buf[c->pos + 2] << 8) | (uint32_t)c->buf[c->pos + 3];
	c->pos += 4;
	return v;
}

static inline void
cur_bytes(struct cursor *c, void *dst, size_t n)
{
	if (!cur_need(c, n)) {
		memset(dst, 0, n);
		return;
	}
	memcpy(dst, c->buf + c->pos, n);
	c->pos += n;
}

static inline void
cur_skip(struct cursor *c, size_t n)
{
	if (cur_need(c, n))
		c->pos += n;
}

/* A sub-cursor over the next n bytes (for a length-prefixed region); the parent skips them. */
static inline struct cursor
cur_sub(struct cursor *c, size_t n)
{
	struct cursor s;
	if (!cur_need(c, n)) {
		cur_init(&s, NULL, 0);
		s.err = true;
		return s;
	}
	cur_init(&s, c->buf + c->pos, n);
	c->pos += n;
	return s;
}

/* Writer with the same sticky-error rule: writes past cap set err and write nothing. */
struct wcursor {
	uint8_t *buf;
	size_t cap;
	size_t pos;
	bool err;
};

static inline void
wcur_init(struct wcursor *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->pos = 0;
	w->err = false;
}

static inline bool
wcur_need(struct wcursor *w, size_t n)
{
	if (w->err || w->cap - w->pos < n) {
		w->err = true;
		return false;
	}
	return true;
}

static inline void
wcur_u8(struct wcursor *w, uint8_t v)
{
	if (wcur_need(w, 1))
		w->buf[w->pos++] = v;
}

static inline void
wcur_u16(struct wcursor *w, uint16_t v)
{
	if (!wcur_need(w, 2))
		return;
	w->buf[w->pos++] = (uint8_t)(v >> 8);
	w->buf[w->pos++] = (uint8_t)v;
}

static inline void
wcur_u32(struct wcursor *w, uint32_t v)
{
	if (!wcur_need(w, 4))
		return;
	w->buf[w->pos++] = (uint8_t)(v >> 24);
	w->buf[w->pos++] = (uint8_t)(v >> 16);
	w->buf[w->pos++] = (uint8_t)(v >> 8);
	w->buf[w->pos++] = (uint8_t)v;
}

static inline void
wcur_bytes(struct wcursor *w, const void *src, size_t n)
{
	if (!wcur_need(w, n))
		return;
	memcpy(w->buf + w->pos, src, n);
	w->pos += n;
}

#endif
