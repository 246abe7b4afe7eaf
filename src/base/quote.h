// SPDX-License-Identifier: MIT
// Quoting outside input for error messages: 'text', bytes outside printable ASCII as
// \xNN, cut after a number of bytes with "...", so a message never carries control
// characters or unbounded input.
#ifndef FT_QUOTE_H
#define FT_QUOTE_H

#include <stddef.h>

/* The buffer quote_input() needs to show up to `shown` bytes of input. */
#define QUOTE_LEN(shown) ((shown)*4 + 8)

/* Writes p[0..n) quoted into out (QUOTE_LEN(shown) bytes), at most `shown` bytes of it.
 * Returns out. */
const char *quote_input(char *out, const char *p, size_t n, size_t shown);

#endif
