// SPDX-License-Identifier: MIT
// MD5 (RFC 1321), for the authenticators of RADIUS (RFC 2865 §3, RFC 2866 §3), which are
// defined with it. Not for anything that needs collision resistance. Incremental
// (init, update, final) and one-shot. No allocation, no global state: thread-safe.
#ifndef FT_MD5_H
#define FT_MD5_H

#include <stddef.h>
#include <stdint.h>

#define MD5_DIGEST_LEN 16 /* bytes */
#define MD5_BLOCK_LEN 64  /* bytes */

struct md5_ctx {
    uint32_t state[4];          /* A, B, C, D (RFC 1321 §3.3) */
    uint64_t n_bytes;           /* message bytes hashed so far */
    uint8_t buf[MD5_BLOCK_LEN]; /* the incomplete block */
    size_t n_buf;               /* bytes held in buf, < MD5_BLOCK_LEN */
};

/* Starts a digest in caller-owned storage. */
void md5_init(struct md5_ctx *m);

/* Appends len bytes (data may be NULL when len is 0). */
void md5_update(struct md5_ctx *m, const void *data, size_t len);

/* Ends the digest and writes it to OUT: out. The context must be re-initialised before
 * reuse. */
void md5_final(struct md5_ctx *m, uint8_t out[MD5_DIGEST_LEN]);

/* One-shot: OUT: out = MD5(data[0..len)). */
void md5_digest(const void *data, size_t len, uint8_t out[MD5_DIGEST_LEN]);

#endif
