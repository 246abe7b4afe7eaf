// SPDX-License-Identifier: MIT
// Alert levels: when a subscriber's usage in a cycle deserves a message. A list as people
// write it ("80,100", "50%,90%", "10GB", mixed) becomes levels that are each a share of the
// cycle's quota (top-ups included) or an amount of bytes; a level is crossed when the
// usage that counts toward the quota reaches it. Percent levels never cross without a
// quota (unlimited plans); byte levels do.
#ifndef FT_LEVELS_H
#define FT_LEVELS_H

#include "quota.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEVELS_MAX 8

struct level {
    char name[16]; /* canonical: "80%" or "10GB" as typed, which the store keys on */
    bool is_percent;
    uint64_t percent; /* 1..1000 */
    uint64_t bytes;
};

struct levels {
    struct level l[LEVELS_MAX];
    size_t n;
};

/* Parses a comma-separated list (blanks around items allowed; "" gives no levels). Returns
 * 0, or ERR_MALFORMED with errbuf naming the item and what was expected: a whole percent
 * 1..1000 with or without '%', or a size (units_parse_bytes: "10GB", "500MiB"); at most
 * LEVELS_MAX items, no item twice. */
int levels_parse(const char *text, struct levels *out, char *errbuf);

/* Whether u's counted usage reaches the level. */
bool levels_is_crossed(const struct level *l, const struct quota_usage *u);

#endif
