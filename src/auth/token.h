// SPDX-License-Identifier: MIT
// Session and CSRF tokens for the portal: random strings from the OS's CSPRNG, the SHA-256
// the store keeps in place of a session token (so a copy of the database logs no one in),
// and the checks a request makes before it trusts one. The one file that includes GnuTLS.
// No global state: every function is thread-safe.
#ifndef FT_TOKEN_H
#define FT_TOKEN_H

#include <stdbool.h>

#define TOKEN_LEN 43      /* base64url (RFC 4648 §5, no padding) of 32 random bytes */
#define TOKEN_HASH_LEN 64 /* hex SHA-256 */

/* A new random token: 32 bytes from the OS CSPRNG (getrandom(2)), base64url without padding.
 * OUT: out, TOKEN_LEN + 1 bytes, the token NUL-terminated (left empty on failure). Returns 0,
 * or a negative errno when the OS gives no random bytes (-ENOSYS: a kernel before 3.17). */
int token_new(char *out);

/* Lowercase hex SHA-256 of the NUL-terminated s (what the store keeps in place of a session
 * token). OUT: out, TOKEN_HASH_LEN + 1 bytes. Should GnuTLS ever refuse (a FIPS library in
 * its error state), out is random hex instead, logged as an error: it matches nothing, so a
 * login stores a session no one can resume and a request finds none (failing closed, never
 * one value for every token); without random bytes either, the process aborts. */
void token_hash(const char *s, char *out);

/* Whether a and b (neither NULL) are equal strings, in time that depends only on their
 * lengths, not on where they differ (for CSRF tokens and password hashes). */
bool token_equal(const char *a, const char *b);

/* Whether s is TOKEN_LEN base64url characters that token_new() could have written (the last
 * carries 4 bits, so its 2 low bits are 0). NULL is not. Checked before any store lookup. */
bool token_is_wellformed(const char *s);

#endif
