// SPDX-License-Identifier: MIT
// HTML escaping. One function does the work for text and attributes: escaping both quotes
// as well as & < > makes a string safe in element content and in either kind of quoted
// attribute, so there is no second set of rules to keep in step.
#include "html.h"

#include "utf8.h"

#include <string.h>

/* Controls are replaced rather than escaped: HTML has no escape that makes C0 or C1 (or
 * DEL) conforming text, and a character reference to them is a parse error too. */
static void write_escaped(FILE *out, const char *s)
{
    size_t n = strlen(s), len;
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp;
        len = utf8_decode(s + i, n - i, &cp);
        switch (cp) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\t':
        case '\n':
        case '\r': fputc((int)cp, out); break;
        default:
            if (cp == UTF8_INVALID || utf8_is_control(cp))
                fputs("\xef\xbf\xbd", out);
            else
                fwrite(s + i, 1, len, out);
        }
    }
}

void html_text(FILE *out, const char *s)
{
    write_escaped(out, s);
}

void html_attr(FILE *out, const char *s)
{
    write_escaped(out, s);
}

void html_url_component(FILE *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            fputc(*p, out);
        } else {
            fputc('%', out);
            fputc(hex[*p >> 4], out);
            fputc(hex[*p & 0xf], out);
        }
    }
}
