// SPDX-License-Identifier: MIT
// A subscriber's usage in its billing cycle against its plan's quota: what `flowtally
// usage ACCOUNT` prints and what `report --over-quota` lists. Only in and out count (the
// plan says which), and only classes that count toward quota.
#ifndef FT_REPORT_USAGE_H
#define FT_REPORT_USAGE_H

#include "../store/store.h"
#include "cycles.h"
#include "report.h"

struct quota_usage {
    struct subscriber sub;
    struct plan plan; /* zeroed (unlimited, anchor 1) when the subscriber has none */
    bool has_plan;
    struct cycle cycle;
    uint64_t at_ms;               /* the moment the figures are for */
    uint64_t used_bytes;          /* counted toward the quota */
    uint64_t bytes_in, bytes_out; /* everything, counted or not */
};

/* Computes the usage of sub in the cycle holding at_ms (moved by cycle_offset). */
int quota_usage_compute(struct store *s, const struct subscriber *sub, uint64_t at_ms,
                        const struct cycle *cycle, struct quota_usage *out);

/* The bytes that count toward a quota by the cycle's end at the rate so far. */
uint64_t quota_usage_projected(const struct quota_usage *u);

/* `flowtally usage ACCOUNT`: the cycle against quota, per class and per application. */
int report_account_usage(const char *db, const char *account, uint64_t at_ms,
                         const char *cycle_spec, enum report_format f, FILE *out, char *errbuf);

/* `flowtally report --over-quota`: subscribers over their quota in their current cycle. */
int report_over_quota(const char *db, uint64_t at_ms, enum report_format f, FILE *out,
                      char *errbuf);

#endif
