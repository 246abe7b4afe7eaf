// SPDX-License-Identifier: MIT
// MD5 written from the description in RFC 1321 §3: the message is padded to 56 bytes
// modulo 64, its bit length appended little-endian, and each 64-byte block mixed into the
// 128-bit state in four rounds of sixteen steps. Words are read little-endian byte by byte,
// so the code does not depend on the host's byte order or alignment.
#include "md5.h"

#include <assert.h>
#include <string.h>

/* RFC 1321 §3.4: T[i] = floor(2^32 * abs(sin(i + 1))), i in 0..63. */
static const uint32_t md5_t[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* Left-rotation amounts, four per round (RFC 1321 §3.4). */
static const uint8_t md5_shift[4][4] = {
    {7, 12, 17, 22},
    {5, 9, 14, 20},
    {4, 11, 16, 23},
    {6, 10, 15, 21},
};

static uint32_t rotl(uint32_t x, unsigned n)
{
    return x << n | x >> (32 - n);
}

static void md5_block(uint32_t state[4], const uint8_t block[MD5_BLOCK_LEN])
{
    uint32_t x[16];
    for (int i = 0; i < 16; i++) {
        const uint8_t *p = block + 4 * i;
        x[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (unsigned i = 0; i < 64; i++) {
        unsigned round = i / 16, k;
        uint32_t f;
        switch (round) {
        case 0: /* F(X,Y,Z) = XY v not(X) Z */
            f = (b & c) | (~b & d);
            k = i;
            break;
        case 1: /* G(X,Y,Z) = XZ v Y not(Z) */
            f = (b & d) | (c & ~d);
            k = (5 * i + 1) % 16;
            break;
        case 2: /* H(X,Y,Z) = X xor Y xor Z */
            f = b ^ c ^ d;
            k = (3 * i + 5) % 16;
            break;
        default: /* I(X,Y,Z) = Y xor (X v not(Z)) */
            f = c ^ (b | ~d);
            k = (7 * i) % 16;
            break;
        }
        /* a = b + ((a + f + X[k] + T[i]) <<< s), then the registers rotate (a, b, c, d) =
         * (d, a', b, c), which is the RFC's sequence of steps with renamed variables. */
        uint32_t next = b + rotl(a + f + x[k] + md5_t[i], md5_shift[round][i % 4]);
        a = d;
        d = c;
        c = b;
        b = next;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

void md5_init(struct md5_ctx *m)
{
    assert(m);
    /* RFC 1321 §3.3: word A = 01 23 45 67 (low-order byte first), and so on. */
    m->state[0] = 0x67452301;
    m->state[1] = 0xefcdab89;
    m->state[2] = 0x98badcfe;
    m->state[3] = 0x10325476;
    m->n_bytes = 0;
    m->n_buf = 0;
}

void md5_update(struct md5_ctx *m, const void *data, size_t len)
{
    assert(m && (data || len == 0));
    if (len == 0)
        return; /* data may be NULL, which memcpy must not see even for 0 bytes */
    const uint8_t *p = data;
    m->n_bytes += len;
    if (m->n_buf > 0) {
        size_t take = MD5_BLOCK_LEN - m->n_buf;
        if (take > len)
            take = len;
        memcpy(m->buf + m->n_buf, p, take);
        m->n_buf += take;
        p += take;
        len -= take;
        if (m->n_buf < MD5_BLOCK_LEN)
            return;
        md5_block(m->state, m->buf);
        m->n_buf = 0;
    }
    for (; len >= MD5_BLOCK_LEN; p += MD5_BLOCK_LEN, len -= MD5_BLOCK_LEN)
        md5_block(m->state, p);
    if (len > 0)
        memcpy(m->buf, p, len);
    m->n_buf = len;
}

void md5_final(struct md5_ctx *m, uint8_t out[MD5_DIGEST_LEN])
{
    assert(m && out);
    /* RFC 1321 §3.1-3.2: a 1 bit, zeros up to 56 mod 64 bytes, then the message length in
     * bits, 64 bits little-endian (modulo 2^64). */
    uint64_t n_bits = m->n_bytes * 8;
    static const uint8_t pad[MD5_BLOCK_LEN] = {0x80};
    size_t pad_len = m->n_buf < 56 ? 56 - m->n_buf : 120 - m->n_buf;
    md5_update(m, pad, pad_len);
    uint8_t len_le[8];
    for (int i = 0; i < 8; i++)
        len_le[i] = (uint8_t)(n_bits >> (8 * i));
    md5_update(m, len_le, 8);
    assert(m->n_buf == 0);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (uint8_t)(m->state[i] >> (8 * j));
}

void md5_digest(const void *data, size_t len, uint8_t out[MD5_DIGEST_LEN])
{
    struct md5_ctx m;
    md5_init(&m);
    md5_update(&m, data, len);
    md5_final(&m, out);
}
