// SPDX-License-Identifier: MIT
// The passwords of a PostgreSQL URI scrubbed from whatever libpq or the server says (libpq
// quotes the piece of a URI it cannot parse, which may be part of a password); the --db
// text itself is masked by base/uri.c.
#include "pgsql_private.h"

#include "../base/units.h"
#include "../base/uri.h"
#include "../base/xalloc.h"

#include <string.h>

/* A new string: text (n bytes) with its %XX escapes decoded, as libpq reads a URI. */
static char *percent_decoded(const char *text, size_t n)
{
    char *out = xmalloc(n + 1), *o = out;
    for (size_t i = 0; i < n; i++) {
        int hi = i + 2 < n && text[i] == '%' ? units_hex_value(text[i + 1]) : -1;
        int lo = hi >= 0 ? units_hex_value(text[i + 2]) : -1;
        if (lo >= 0) {
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = text[i];
        }
    }
    *o = '\0';
    return out;
}

void uri_pgsql_secrets_init(struct uri_pgsql_secrets *s, const char *uri)
{
    size_t at[URI_PGSQL_MAX_SECRETS / 2], len[URI_PGSQL_MAX_SECRETS / 2];
    size_t n = uri_secret_spans(uri, at, len, URI_PGSQL_MAX_SECRETS / 2);
    s->n = 0;
    for (size_t k = 0; k < n; k++) {
        if (len[k] == 0)
            continue;
        char *raw = xmalloc(len[k] + 1);
        memcpy(raw, uri + at[k], len[k]);
        raw[len[k]] = '\0';
        s->text[s->n++] = raw;
        s->text[s->n++] = percent_decoded(uri + at[k], len[k]);
    }
}

void uri_pgsql_secrets_deinit(struct uri_pgsql_secrets *s)
{
    for (size_t k = 0; k < s->n; k++)
        free(s->text[k]);
    s->n = 0;
}

/* Whether text (n bytes) is part of a password. */
static bool is_secret_piece(const struct uri_pgsql_secrets *s, const char *text, size_t n)
{
    for (size_t k = 0; k < s->n; k++) {
        size_t len = strlen(s->text[k]);
        for (size_t i = 0; n && i + n <= len; i++)
            if (memcmp(s->text[k] + i, text, n) == 0)
                return true;
    }
    return false;
}

void uri_pgsql_scrub(const struct uri_pgsql_secrets *s, char *msg, size_t size)
{
    char out[ERR_BUF_LEN];
    size_t o = 0;
    if (s->n == 0)
        return;
    for (const char *c = msg; *c && o + 6 < sizeof out;) {
        size_t hit = 0;
        for (size_t k = 0; k < s->n && !hit; k++)
            if (strncmp(c, s->text[k], strlen(s->text[k])) == 0)
                hit = strlen(s->text[k]);
        const char *close = *c == '"' ? strchr(c + 1, '"') : NULL;
        if (!hit && close && close > c + 1 && is_secret_piece(s, c + 1, (size_t)(close - c - 1))) {
            memcpy(out + o, "\"***\"", 5);
            o += 5;
            c = close + 1;
        } else if (hit) {
            memcpy(out + o, "***", 3);
            o += 3;
            c += hit;
        } else {
            out[o++] = *c++;
        }
    }
    out[o] = '\0';
    snprintf(msg, size, "%s", out);
}
