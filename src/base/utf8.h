// SPDX-License-Identifier: MIT
// UTF-8 as RFC 3629 defines it: one decoder, used to check names and notes when an operator
// types them (admin/) and by the JSON writer, which must turn whatever bytes the store holds
// into valid UTF-8. Overlong forms, surrogates (U+D800..U+DFFF) and anything above U+10FFFF
// are invalid.
#ifndef FT_UTF8_H
#define FT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What utf8_decode() sets for a sequence that is not valid. */
#define UTF8_INVALID 0xffffffffu

/* Decodes the sequence at p[0..n), n >= 1. OUT: *cp, the code point, or UTF8_INVALID when
 * the bytes there are not valid UTF-8. Returns the bytes consumed, always >= 1: for an
 * invalid sequence, its maximal subpart (the longest prefix of a valid sequence; 1 for a
 * byte that cannot start one), which is what Unicode §3.9 recommends replacing with one
 * U+FFFD. */
size_t utf8_decode(const char *p, size_t n, uint32_t *cp);

/* Whether s[0..n) is valid UTF-8. OUT: *bad (may be NULL), the offset of the first invalid
 * sequence when it is not. */
bool utf8_valid(const char *s, size_t n, size_t *bad);

/* Whether cp is a control character: C0 (U+0000..U+001F), DEL or C1 (U+0080..U+009F). */
bool utf8_is_control(uint32_t cp);

/* Whether the NUL-terminated s is text fit to store and print: valid UTF-8 without control
 * characters. When it is not, writes the reason into why (why_size bytes), e.g. "not valid
 * UTF-8 (byte 0xff at offset 3)" or "control character U+0009 at offset 5" (offsets in
 * bytes, from 0). */
bool utf8_is_text(const char *s, char *why, size_t why_size);

#endif
