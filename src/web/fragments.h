// SPDX-License-Identifier: MIT
// Parts of pages kept as rendered, shared by the portal's threads. A part is found by a key
// naming everything it was drawn from besides the usage (the subscriber, the cycle, the
// hour, the view) and is good only at the store's usage_version it was drawn at: a flush
// from any collector moves the version, and the next request draws the part again. The
// charts and tables of a cycle were most of a page's time; between flushes they are copied.
#ifndef FT_WEB_FRAGMENTS_H
#define FT_WEB_FRAGMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fragments;

/* At most max parts (at least 1), the least recently used one dropped for a new one. */
struct fragments *fragments_new(size_t max);
void fragments_free(struct fragments *f);

/* Writes the part kept under key at version to out: true; false when there is none (the
 * caller draws it, and keeps it with fragments_put()). f NULL: false. */
bool fragments_get(struct fragments *f, const char *key, int64_t version, FILE *out);
/* Keeps a copy of text[0..len) under key at version, replacing an older one. */
void fragments_put(struct fragments *f, const char *key, int64_t version, const char *text,
                   size_t len);

#endif
