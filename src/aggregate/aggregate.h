// SPDX-License-Identifier: MIT
// The aggregate stage: sums classified flows into the current table, each flow in the time
// bucket of its end time (buckets aligned to UTC multiples of the width). At a flush the
// daemon swaps the full table for an empty one and hands the full one to the store; the
// table changes owner exactly once.
#ifndef FT_AGGREGATE_H
#define FT_AGGREGATE_H

#include "../flow/usage.h"
#include "counters.h"

#include <stdint.h>

#define AGGREGATE_COUNTERS(X)                                                                      \
    X(drop_keys) /* flows refused: max_keys distinct keys already held this interval */

struct aggregate_counters {
#define X(name) uint64_t name;
    AGGREGATE_COUNTERS(X)
#undef X
};

struct aggregator {
    struct counters_table *table; /* owned: the table being filled */
    uint64_t bucket_ms;           /* bucket width */
    struct aggregate_counters c;
};

/* Takes ownership of `table` (empty). */
void aggregator_init(struct aggregator *a, struct counters_table *table, uint64_t bucket_ms);
void aggregator_deinit(struct aggregator *a);

/* A usage_emit_fn: adds one classified flow. */
void aggregator_emit(void *aggregator, const struct usage_delta *d);

/* Swaps in `fresh` (empty; ownership taken) and returns the filled table (ownership given
 * to the caller). */
struct counters_table *aggregator_swap(struct aggregator *a, struct counters_table *fresh);

/* Start of the bucket holding time_ms. */
static inline uint64_t aggregate_bucket(uint64_t time_ms, uint64_t bucket_ms)
{
    return time_ms - time_ms % bucket_ms;
}

#endif
