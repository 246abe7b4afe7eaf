// SPDX-License-Identifier: MIT
// Big-endian ("network byte order") writer for building one datagram in a
// fixed MTU-sized buffer, plus the matching readers. All three export
// formats are big-endian on the wire (Cisco v5 format, RFC 3954 §5,
// RFC 7011 §3). Overflowing the buffer is a programming error, because
// record counts are validated against the MTU before any datagram is built.
#include "gen.h"

#include <assert.h>
#include <string.h>

static void wire_need(const struct wire_buf *w, size_t n)
{
    assert(n <= sizeof(w->data) - w->len);
}

void wire_reset(struct wire_buf *w)
{
    w->len = 0;
}

void wire_u8(struct wire_buf *w, uint8_t v)
{
    wire_need(w, 1);
    w->data[w->len++] = v;
}

void wire_u16(struct wire_buf *w, uint16_t v)
{
    wire_need(w, 2);
    w->data[w->len++] = (uint8_t)(v >> 8);
    w->data[w->len++] = (uint8_t)v;
}

void wire_u32(struct wire_buf *w, uint32_t v)
{
    wire_u16(w, (uint16_t)(v >> 16));
    wire_u16(w, (uint16_t)v);
}

void wire_u64(struct wire_buf *w, uint64_t v)
{
    wire_u32(w, (uint32_t)(v >> 32));
    wire_u32(w, (uint32_t)v);
}

// Bytes already in network order (IPv6 addresses).
void wire_bytes(struct wire_buf *w, const uint8_t *p, size_t n)
{
    wire_need(w, n);
    memcpy(w->data + w->len, p, n);
    w->len += n;
}

// Zero-pad to the next multiple of four: RFC 3954 §5.3 asks FlowSets to
// start 4-byte aligned, and RFC 7011 §3.3.1 allows the same set padding.
void wire_pad4(struct wire_buf *w)
{
    while (w->len % 4 != 0)
        wire_u8(w, 0);
}

// Length fields are only known once a set is complete, so they are written
// as a placeholder first and patched afterwards.
void wire_patch_u16(struct wire_buf *w, size_t at, uint16_t v)
{
    assert(at + 2 <= w->len);
    wire_store_u16(w->data + at, v);
}

void wire_store_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

uint16_t wire_load_u16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t wire_load_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
