// SPDX-License-Identifier: MIT
// UTF-8 decoding by the table of well-formed byte sequences (Unicode §3.9, Table 3-7).
// Checking the second byte's range per lead byte rules out overlong forms, surrogates and
// code points above U+10FFFF without decoding first, and gives the maximal subpart of an
// invalid sequence for free: it ends at the first byte outside its range.
#include "utf8.h"

#include <stdio.h>
#include <string.h>

size_t utf8_decode(const char *p, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)p;
    unsigned char lead = s[0];
    size_t len;
    unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
    if (lead < 0x80) {
        *cp = lead;
        return 1;
    }
    if (lead >= 0xc2 && lead <= 0xdf)
        len = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
        len = 3;
        if (lead == 0xe0)
            lo = 0xa0; /* below: overlong */
        else if (lead == 0xed)
            hi = 0x9f; /* above: surrogates */
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        len = 4;
        if (lead == 0xf0)
            lo = 0x90; /* below: overlong */
        else if (lead == 0xf4)
            hi = 0x8f; /* above: past U+10FFFF */
    } else {
        *cp = UTF8_INVALID; /* a continuation byte, C0, C1 (overlong) or F5..FF */
        return 1;
    }
    uint32_t c = lead & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = UTF8_INVALID;
            return i;
        }
        c = c << 6 | (s[i] & 0x3f);
        lo = 0x80;
        hi = 0xbf;
    }
    *cp = c;
    return len;
}

bool utf8_valid(const char *s, size_t n, size_t *bad)
{
    size_t len;
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp;
        len = utf8_decode(s + i, n - i, &cp);
        if (cp == UTF8_INVALID) {
            if (bad)
                *bad = i;
            return false;
        }
    }
    return true;
}

bool utf8_is_control(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

bool utf8_is_text(const char *s, char *why, size_t why_size)
{
    size_t n = strlen(s), len;
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp;
        len = utf8_decode(s + i, n - i, &cp);
        if (cp == UTF8_INVALID) {
            snprintf(why, why_size, "not valid UTF-8 (byte 0x%02x at offset %zu)",
                     (unsigned char)s[i], i);
            return false;
        }
        if (utf8_is_control(cp)) {
            snprintf(why, why_size, "control character U+%04X at offset %zu", (unsigned)cp, i);
            return false;
        }
    }
    return true;
}
