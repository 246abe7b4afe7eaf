// SPDX-License-Identifier: MIT
// Quoting for messages.
#include "quote.h"

#include <stdio.h>
#include <string.h>

const char *quote_input(char *out, const char *p, size_t n, size_t shown)
{
    size_t o = 0, size = QUOTE_LEN(shown);
    out[o++] = '\'';
    for (size_t i = 0; i < n && i < shown; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch < 0x20 || ch >= 0x7f)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", ch);
        else
            out[o++] = (char)ch;
    }
    if (n > shown) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o++] = '\'';
    out[o] = '\0';
    return out;
}
