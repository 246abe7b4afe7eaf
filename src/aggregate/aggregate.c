// SPDX-License-Identifier: MIT
// Bucketing and the table hand-over.
#include "aggregate.h"

#include "../base/err.h"

#include <assert.h>

#define LOG_TAG "aggregate"
#include "../base/log.h"

void aggregator_init(struct aggregator *a, struct counters_table *table, uint64_t bucket_ms)
{
    assert(bucket_ms > 0);
    *a = (struct aggregator){.table = table, .bucket_ms = bucket_ms};
}

void aggregator_deinit(struct aggregator *a)
{
    counters_free(a->table);
    a->table = NULL;
}

void aggregator_emit(void *aggregator, const struct usage_delta *d)
{
    struct aggregator *a = aggregator;
    struct usage_key key = {.host = d->host,
                            .bucket_s =
                                (uint32_t)(aggregate_bucket(d->time_ms, a->bucket_ms) / 1000),
                            .subscriber = d->subscriber,
                            .class_id = d->class_id,
                            .app_id = d->app_id,
                            .dir = d->dir};
    if (counters_add(a->table, &key, &d->counts) == ERR_LIMIT) {
        a->c.drop_keys++;
        log_rl_warn("aggregation table full (max_keys = %zu): flows dropped and counted; "
                    "raise max_keys or lower flush",
                    a->table->max_keys);
    }
}

struct counters_table *aggregator_swap(struct aggregator *a, struct counters_table *fresh)
{
    struct counters_table *full = a->table;
    a->table = fresh;
    return full;
}
