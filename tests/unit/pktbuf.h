// SPDX-License-Identifier: MIT
// A byte writer for building packets in tests: big-endian integers appended to a fixed
// buffer, with a way to patch a length field once the rest is written.
#ifndef FT_PKTBUF_H
#define FT_PKTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct pktbuf {
    uint8_t b[65536];
    size_t n;
};

static inline void pb_u8(struct pktbuf *p, uint8_t v)
{
    p->b[p->n++] = v;
}

static inline void pb_u16(struct pktbuf *p, uint16_t v)
{
    pb_u8(p, (uint8_t)(v >> 8));
    pb_u8(p, (uint8_t)v);
}

static inline void pb_u32(struct pktbuf *p, uint32_t v)
{
    pb_u16(p, (uint16_t)(v >> 16));
    pb_u16(p, (uint16_t)v);
}

static inline void pb_u64(struct pktbuf *p, uint64_t v)
{
    pb_u32(p, (uint32_t)(v >> 32));
    pb_u32(p, (uint32_t)v);
}

static inline void pb_bytes(struct pktbuf *p, const void *v, size_t n)
{
    memcpy(p->b + p->n, v, n);
    p->n += n;
}

/* Writes v as a big-endian u16 at offset at (to fill in a length afterwards). */
static inline void pb_patch16(struct pktbuf *p, size_t at, uint16_t v)
{
    p->b[at] = (uint8_t)(v >> 8);
    p->b[at + 1] = (uint8_t)v;
}

#endif
