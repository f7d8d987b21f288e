/* cursor: bounds-checked big-endian reads over captured packet bytes */
#ifndef FLOWAUDIT_CURSOR_H
#define FLOWAUDIT_CURSOR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/*
 * A read position inside len captured bytes. Invariant: off <= len.
 * Reads take an offset relative to off. A layer first checks
 * cursor_need() and returns its own named error; the readers check again
 * and yield 0 rather than ever touching a byte past len.
 */
struct cursor {
	const uint8_t *p;
	uint32_t len;
	uint32_t off;
};

static inline struct cursor cursor_make(const uint8_t *p, uint32_t len)
{
	/* A NULL frame becomes an empty one, so pointer arithmetic stays defined. */
	struct cursor c = { p ? p : (const uint8_t *)"", p ? len : 0, 0 };

	return c;
}

static inline uint32_t cursor_left(const struct cursor *c)
{
	return c->len - c->off;
}

/* True if n bytes from the current position are present. */
static inline bool cursor_need(const struct cursor *c, uint32_t n)
{
	return cursor_left(c) >= n;
}

/* True if the n bytes at relative offset at are present (overflow-safe). */
static inline bool cursor_has(const struct cursor *c, uint32_t at, uint32_t n)
{
	uint32_t left = cursor_left(c);

	return at <= left && n <= left - at;
}

static inline const uint8_t *cursor_ptr(const struct cursor *c)
{
	return c->p + c->off;
}

static inline uint8_t rd_u8(const struct cursor *c, uint32_t at)
{
	if (!cursor_has(c, at, 1))
		return 0;
	return c->p[c->off + at];
}

static inline uint16_t rd_be16(const struct cursor *c, uint32_t at)
{
	const uint8_t *b;

	if (!cursor_has(c, at, 2))
		return 0;
	b = c->p + c->off + at;
	return (uint16_t)((unsigned)b[0] << 8 | (unsigned)b[1]);
}

static inline uint32_t rd_be32(const struct cursor *c, uint32_t at)
{
	const uint8_t *b;

	if (!cursor_has(c, at, 4))
		return 0;
	b = c->p + c->off + at;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Little-endian 16 bits: the radio headers (radiotap, PPI, the 802.11 frame control); a missing byte reads 0. */
static inline uint16_t rd_le16(const struct cursor *c, uint32_t at)
{
	return (uint16_t)(rd_u8(c, at) | (unsigned)rd_u8(c, at + 1) << 8);
}

/* Little-endian, only for DLT_NULL's host-order family field. */
static inline uint32_t rd_le32(const struct cursor *c, uint32_t at)
{
	const uint8_t *b;

	if (!cursor_has(c, at, 4))
		return 0;
	b = c->p + c->off + at;
	return (uint32_t)b[3] << 24 | (uint32_t)b[2] << 16 |
	       (uint32_t)b[1] << 8 | (uint32_t)b[0];
}

/* Copy n bytes at relative offset at into dst; false (dst untouched) if absent. */
static inline bool cursor_copy(const struct cursor *c, uint32_t at, void *dst, uint32_t n)
{
	if (!cursor_has(c, at, n))
		return false;
	memcpy(dst, c->p + c->off + at, n);
	return true;
}

/* Advance n bytes; false (position unchanged) if fewer remain. */
static inline bool cursor_skip(struct cursor *c, uint32_t n)
{
	if (!cursor_need(c, n))
		return false;
	c->off += n;
	return true;
}

/* A new cursor over the bytes from the current position, at most max_len of them. */
static inline struct cursor cursor_sub(const struct cursor *c, uint32_t max_len)
{
	uint32_t left = cursor_left(c);
	struct cursor s = { c->p + c->off, left < max_len ? left : max_len, 0 };

	return s;
}

#endif
