// SPDX-License-Identifier: MIT
// Passwords of portal users: the customers log in with the mailbox password they already
// have, so a stored hash is whatever their mail system keeps (a crypt(3) string, or one of
// Dovecot's "{SCHEME}" forms), and a password set or changed here is hashed with yescrypt.
// The one file that includes libxcrypt's crypt.h. Every function is thread-safe.
#ifndef FT_PASSWORD_H
#define FT_PASSWORD_H

#include <stdbool.h>

#define PASSWORD_HASH_MAX 256 /* a stored hash fits in this, with its NUL */
#define PASSWORD_LEN_MIN 8    /* bytes, for a new password (password_check_new) */
#define PASSWORD_LEN_MAX 511  /* bytes: libxcrypt hashes no longer passphrase */

/* Verifies a password against a stored hash: a crypt(3) string (yescrypt $y$, md5crypt $1$,
 * sha256crypt $5$, sha512crypt $6$, bcrypt $2a$/$2b$/$2y$, and whatever else libxcrypt
 * verifies: descrypt, gost-yescrypt $gy$, scrypt $7$, $2x$, sha1crypt, sunmd5, NT $3$), or
 * one of Dovecot's prefixed forms {MD5-CRYPT}, {SHA256-CRYPT}, {SHA512-CRYPT}, {BLF-CRYPT}
 * (each only with its own kind of crypt string) or {CRYPT} (any), the prefix in any case.
 * Not {ARGON2I}/{ARGON2ID}: libxcrypt has no Argon2. Not {PLAIN} or other non-crypt forms.
 * stored NULL (an unknown user), "" (no local password) or anything else it cannot verify
 * (a locked "!..." or "*", an unknown scheme, no checksum, a bcrypt cost above 15 or SHA
 * crypt rounds above 10,000,000, which would hold the thread for seconds to days; yescrypt's
 * and scrypt's parameters are not bounded) still costs the work of a real check, against a
 * yescrypt setting at password_hash()'s cost computed once, and returns 0: an unknown user
 * costs what a wrong password of a yescrypt user does. The computed hash is compared with
 * the stored one in time that does not depend on where they differ. password (not NULL)
 * longer than PASSWORD_LEN_MAX bytes never matches. Allocates its 32 KB of crypt_rn()
 * scratch per call. Returns 1 on a match, 0 otherwise. */
int password_verify(const char *stored, const char *password);

/* Whether a stored hash (that just verified) should be replaced by password_hash()'s: true
 * for anything but yescrypt at the current default cost (the same parameters as a new
 * hash, so a costlier one is replaced too), including every Dovecot-prefixed form. */
bool password_needs_upgrade(const char *stored);

/* Hashes a new password (not NULL) with yescrypt at libxcrypt's default cost and a random
 * salt from the OS (crypt_gensalt_rn("$y$", 0, NULL, ...)). OUT: out, PASSWORD_HASH_MAX
 * bytes, the hash NUL-terminated. Returns 0, or a negative code with a message in errbuf
 * (ERR_BUF_LEN bytes): -ERANGE for a password longer than PASSWORD_LEN_MAX, -errno when
 * libxcrypt fails (no entropy). */
int password_hash(const char *password, char *out, char *errbuf);

/* Whether a hash given by an operator (`user add --password-hash HASH`, an import line, a
 * postfixadmin export) is one password_verify() can match: a known prefix holding its kind
 * of crypt string at a cost password_verify() accepts, which libxcrypt accepts and which
 * has a checksum of the right length and alphabet. Writes into errbuf (ERR_BUF_LEN bytes)
 * the scheme when it is (e.g. "sha512crypt in {SHA512-CRYPT}, replaced by yescrypt at the
 * next login"), the reason when not (e.g. "no checksum after the salt"). Costs one hash
 * computation at the hash's own cost, as a login does. */
bool password_hash_is_known(const char *stored, char *errbuf);

/* The name of the scheme of a stored password, for lists ("yescrypt", "bcrypt",
 * "sha512crypt", "md5crypt", ...; a Dovecot prefix names its inner scheme; "none" for "",
 * "unknown" for text no scheme starts like). Reads the prefix only: no hash is computed.
 * Returns a static string. */
const char *password_scheme_name(const char *stored);

/* Whether password (NUL-terminated) is acceptable as a new one: PASSWORD_LEN_MIN to
 * PASSWORD_LEN_MAX bytes of valid UTF-8 without control characters. A caller holding a
 * length (a form field) must first refuse a NUL before it, which this cannot see. Returns
 * 0, or ERR_MALFORMED with the reason in errbuf (ERR_BUF_LEN bytes). */
int password_check_new(const char *password, char *errbuf);

#endif
