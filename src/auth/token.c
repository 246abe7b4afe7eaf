// SPDX-License-Identifier: MIT
// Tokens are 32 bytes from getrandom(2), which blocks only until the kernel's pool is first
// seeded and, for requests of at most 256 bytes, never returns fewer bytes than asked
// (getrandom(2), "Interruption by a signal handler"): one call, retried on EINTR. SHA-256
// comes from GnuTLS (gnutls_hash_fast), the library this folder links for it. The encoder is
// base64url as RFC 4648 §5 defines it, without the padding §3.2 allows to omit.
#include "token.h"

#define LOG_TAG "token"
#include "../base/log.h"

#include <assert.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define TOKEN_BYTES 32 /* random bytes in a token: 256 bits */

_Static_assert(TOKEN_LEN == (TOKEN_BYTES * 8 + 5) / 6, "TOKEN_LEN is base64 of TOKEN_BYTES");

/* RFC 4648 §5, Table 2: the URL and filename safe alphabet. */
static const char token_alphabet[65] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Writes ceil(n * 8 / 6) characters and a NUL to out: each 6 bits, most significant first;
 * the last group's missing bits are zero (RFC 4648 §3.5, canonical encoding). */
static void token_base64url(const uint8_t *in, size_t n, char *out)
{
    uint32_t bits = 0;
    unsigned n_bits = 0;
    for (size_t i = 0; i < n; i++) {
        bits = bits << 8 | in[i];
        n_bits += 8;
        while (n_bits >= 6) {
            n_bits -= 6;
            *out++ = token_alphabet[bits >> n_bits & 63];
        }
    }
    if (n_bits > 0)
        *out++ = token_alphabet[bits << (6 - n_bits) & 63];
    *out = '\0';
}

/* Fills buf with n <= 256 bytes from the OS. Returns 0 or -errno. */
static int token_random(uint8_t *buf, size_t n)
{
    ssize_t got;
    do
        got = getrandom(buf, n, 0);
    while (got < 0 && errno == EINTR);
    if (got < 0)
        return -errno;
    return (size_t)got == n ? 0 : -EIO; /* cannot happen for n <= 256: refuse, never zeros */
}

int token_new(char *out)
{
    uint8_t raw[TOKEN_BYTES];
    out[0] = '\0';
    int rc = token_random(raw, sizeof raw);
    if (rc == 0)
        token_base64url(raw, sizeof raw, out);
    explicit_bzero(raw, sizeof raw);
    return rc;
}

void token_hash(const char *s, char *out)
{
    static const char hex[] = "0123456789abcdef";
    uint8_t digest[32];
    int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, s, strlen(s), digest);
    if (rc < 0) {
        /* A constant here would let every token resume the session stored under it. */
        log_error("GnuTLS refuses SHA-256 (%s): this session cannot be used", gnutls_strerror(rc));
        if (token_random(digest, sizeof digest) != 0) {
            log_error("and the OS gives no random bytes: stopping");
            abort();
        }
    }
    for (size_t i = 0; i < sizeof digest; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[TOKEN_HASH_LEN] = '\0';
}

/* Reads every byte of a once, whatever it finds: the branches depend on the lengths only, and
 * the bytes meet only in the OR of their differences. The empty asm hides diff from the
 * optimiser, which could otherwise leave the loop at the first difference (the result would
 * be the same, the time not). */
bool token_equal(const char *a, const char *b)
{
    assert(a && b);
    size_t n_a = strlen(a), n_b = strlen(b);
    unsigned diff = n_a != n_b;
    for (size_t i = 0; i < n_a; i++) {
        diff |= (unsigned char)a[i] ^ (unsigned char)(i < n_b ? b[i] : 0);
        __asm__("" : "+r"(diff));
    }
    return diff == 0;
}

bool token_is_wellformed(const char *s)
{
    if (!s)
        return false;
    size_t n = 0;
    const char *c = NULL;
    for (; s[n] != '\0' && n <= TOKEN_LEN; n++)
        if (!(c = memchr(token_alphabet, s[n], 64)))
            return false;
    /* 43 characters hold 258 bits for 256: the last one's 2 low bits are padding. */
    return n == TOKEN_LEN && (c - token_alphabet) % 4 == 0;
}
