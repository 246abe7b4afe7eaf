// SPDX-License-Identifier: MIT
// A bounded big-endian byte reader for parsing packets. Every read past `end` returns 0 and
// sets the sticky `err` flag, so a parser reads straight down and checks once at the end of a
// record instead of before every field. Never cast packet buffers to structs.
#ifndef FT_RD_H
#define FT_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
    const uint8_t *p;   /* next byte to read; borrowed */
    const uint8_t *end; /* one past the last readable byte */
    bool err;           /* set once a read went past end; stays set */
};

static inline struct rd rd_make(const uint8_t *p, size_t len)
{
    return (struct rd){.p = p, .end = p + len, .err = false};
}

static inline size_t rd_left(const struct rd *r)
{
    return (size_t)(r->end - r->p);
}

static inline bool rd_need(struct rd *r, size_t n)
{
    if (r->err || rd_left(r) < n) {
        r->err = true;
        r->p = r->end;
        return false;
    }
    return true;
}

static inline uint8_t rd_u8(struct rd *r)
{
    if (!rd_need(r, 1))
        return 0;
    return *r->p++;
}

static inline uint16_t rd_u16(struct rd *r)
{
    if (!rd_need(r, 2))
        return 0;
    uint16_t v = (uint16_t)(r->p[0] << 8 | r->p[1]);
    r->p += 2;
    return v;
}

static inline uint32_t rd_u32(struct rd *r)
{
    if (!rd_need(r, 4))
        return 0;
    uint32_t v =
        (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
    r->p += 4;
    return v;
}

/* Reads an unsigned big-endian integer of 1 to 8 bytes (reduced-size encoding, RFC 7011
 * §6.2). Lengths above 8 read as an error. */
static inline uint64_t rd_uint(struct rd *r, size_t n)
{
    if (n == 0 || n > 8) {
        r->err = true;
        return 0;
    }
    if (!rd_need(r, n))
        return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | r->p[i];
    r->p += n;
    return v;
}

static inline uint64_t rd_u64(struct rd *r)
{
    return rd_uint(r, 8);
}

/* Returns a pointer to the next n bytes and skips them, or NULL (and err) if fewer remain. */
static inline const uint8_t *rd_bytes(struct rd *r, size_t n)
{
    if (!rd_need(r, n))
        return NULL;
    const uint8_t *p = r->p;
    r->p += n;
    return p;
}

static inline void rd_skip(struct rd *r, size_t n)
{
    (void)rd_bytes(r, n);
}

/* Splits off a sub-reader over the next n bytes and advances past them. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
    const uint8_t *p = rd_bytes(r, n);
    if (!p)
        return (struct rd){.p = r->end, .end = r->end, .err = true};
    return rd_make(p, n);
}

#endif
