// SPDX-License-Identifier: MIT
// Text that may hold a secret, as it may be shown: a database URI with its password masked.
#ifndef FT_URI_H
#define FT_URI_H

#include <stddef.h>

/* Writes text to out (size bytes) as it may be shown in messages, logs and dumps: in a
 * postgresql:// or postgres:// URI every password (user:PASSWORD@, and the password and
 * sslpassword parameters) becomes ***; any other text is copied as it is. */
void uri_mask_password(const char *text, char *out, size_t size);

/* Where a postgresql:// or postgres:// URI's passwords are, as offsets and lengths in uri
 * (at most max): the text between user: and the last @ (libpq wants a literal @ or / in a
 * password percent-encoded, but people paste them as they are), and the values of the
 * password and sslpassword parameters. Returns how many; 0 for any other text. */
size_t uri_secret_spans(const char *uri, size_t at[], size_t len[], size_t max);

#endif
