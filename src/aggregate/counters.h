// SPDX-License-Identifier: MIT
// The aggregation table: sums of bytes, packets and flows keyed by (host, bucket,
// direction). Open addressing with linear probing in one flat array of 64-byte slots; keys
// compare as integers. The table grows by doubling up to max_keys; past that, additions are
// refused and counted, never allocated.
#ifndef FT_COUNTERS_H
#define FT_COUNTERS_H

#include "../flow/usage.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct counters_slot {
    struct usage_row row;
    bool used;
};

struct counters_table {
    struct counters_slot *slots; /* owned; cap entries */
    size_t cap;                  /* a power of two */
    size_t n;                    /* slots in use */
    size_t max_keys;             /* cap on n */
};

/* Returns a new table sized for `initial_keys`; caller frees with counters_free(). */
struct counters_table *counters_new(size_t initial_keys, size_t max_keys);
void counters_free(struct counters_table *t);

/* Adds counts under key. Returns 0, or ERR_LIMIT when the key is new and max_keys are
 * already held (nothing is added). */
int counters_add(struct counters_table *t, const struct usage_key *key,
                 const struct usage_counts *counts);

/* Adds every row of src into dst (src is left as it was). Rows that dst lacks are added
 * whatever its max_keys: they were counted within a cap already. */
void counters_merge(struct counters_table *dst, const struct counters_table *src);

/* Looks a key up. Returns its counts, or NULL. */
const struct usage_counts *counters_find(const struct counters_table *t,
                                         const struct usage_key *key);

/* Empties the table, keeping its memory for reuse. */
void counters_clear(struct counters_table *t);

/* Iterates the rows: start with *pos = 0; returns NULL at the end. */
const struct usage_row *counters_next(const struct counters_table *t, size_t *pos);

#endif
