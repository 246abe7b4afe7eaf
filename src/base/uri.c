// SPDX-License-Identifier: MIT
// Masking the passwords of database URIs (see uri.h).
#include "uri.h"

#include <stdio.h>
#include <string.h>

size_t uri_secret_spans(const char *uri, size_t at[], size_t len[], size_t max)
{
    const char *rest = NULL;
    if (strncmp(uri, "postgresql://", 13) == 0)
        rest = uri + 13;
    else if (strncmp(uri, "postgres://", 11) == 0)
        rest = uri + 11;
    if (!rest)
        return 0;
    size_t n = 0;
    const char *last_at = strrchr(rest, '@');
    const char *colon = last_at ? memchr(rest, ':', (size_t)(last_at - rest)) : NULL;
    if (colon && n < max) {
        at[n] = (size_t)(colon + 1 - uri);
        len[n++] = (size_t)(last_at - colon - 1);
    }
    const char *query = strchr(last_at ? last_at : rest, '?');
    while (query && *query && n < max) {
        query++;
        size_t item = strcspn(query, "&");
        const char *eq = memchr(query, '=', item);
        size_t key = eq ? (size_t)(eq - query) : 0;
        if (eq && ((key == 8 && strncmp(query, "password", 8) == 0) ||
                   (key == 11 && strncmp(query, "sslpassword", 11) == 0))) {
            at[n] = (size_t)(eq + 1 - uri);
            len[n++] = item - key - 1;
        }
        query += item;
    }
    return n;
}

void uri_mask_password(const char *uri, char *out, size_t size)
{
    size_t at[8], len[8];
    size_t n = uri_secret_spans(uri, at, len, 8), o = 0, i = 0;
    if (size == 0)
        return;
    for (size_t k = 0; k < n; k++) {
        o += (size_t)snprintf(out + o, size - o, "%.*s***", (int)(at[k] - i), uri + i);
        i = at[k] + len[k];
        if (o >= size)
            return;
    }
    snprintf(out + o, size - o, "%s", uri + i);
}
