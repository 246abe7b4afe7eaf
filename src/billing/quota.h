// SPDX-License-Identifier: MIT
// A subscriber's usage in a billing cycle against its plan's quota, in integers: only in
// and out count (the plan says which), only classes that count toward quota (as the
// daemon stored them); percentages in hundredths, truncated; the projection is usage so
// far times the cycle's length over the time elapsed.
#ifndef FT_QUOTA_H
#define FT_QUOTA_H

#include "../store/store.h"
#include "cycles.h"

#include <stdbool.h>
#include <stdint.h>

struct quota_usage {
    struct subscriber sub;
    struct plan plan;     /* unlimited, anchor 1, both directions when the subscriber has none;
                           * its quota_bytes includes the cycle's top-ups */
    uint64_t topup_bytes; /* bought on top of the plan's quota in this cycle */
    bool has_plan;
    struct cycle cycle;
    uint64_t at_ms;               /* the moment the figures are for */
    uint64_t used_bytes;          /* counted toward the quota */
    uint64_t bytes_in, bytes_out; /* everything, counted or not */
};

/* Computes sub's usage in `cycle`, or when cycle is NULL in the cycle of its plan holding
 * at_ms. Returns 0, ERR_NOT_FOUND when the store has usage but not the class list it was
 * counted with (store_classes_check()), or ERR_STORE. */
int quota_usage_compute(struct store *s, const struct subscriber *sub, uint64_t at_ms,
                        const struct cycle *cycle, struct quota_usage *out);

/* The bytes that count toward the quota by the cycle's end at the rate so far. */
uint64_t quota_usage_projected(const struct quota_usage *u);

/* Hundredths of a percent of the quota used (0 when unlimited). */
uint64_t quota_percent_x100(const struct quota_usage *u);

/* What is left of the quota (0 when unlimited or used up). */
uint64_t quota_remaining(const struct quota_usage *u);

/* Whether usage passed the quota. */
bool quota_is_over(const struct quota_usage *u);

#endif
