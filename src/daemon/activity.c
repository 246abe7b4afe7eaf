// SPDX-License-Identifier: MIT
// The once-a-minute activity line, tallied from the counters each flush hands over.
#include "activity.h"

#include <string.h>

#define LOG_TAG "run"
#include "../base/log.h"

void activity_add_batch(struct activity *a, const struct flush_batch *b)
{
    size_t exporters = 0;
    for (size_t i = 0; i < b->n_stats; i++) {
        const struct flush_stat *s = &b->stats[i];
        if (strcmp(s->name, "records") == 0) {
            a->records += s->value;
            exporters++; /* one "records" row per exporter stream that sent */
        } else if (strcmp(s->name, "log_lines") == 0 ||
                   strcmp(s->name, "probe_flows_exported") == 0) {
            a->other += s->value;
        } else if (strncmp(s->name, "drop_", 5) == 0 || strcmp(s->name, "kernel_drops") == 0) {
            a->drops += s->value;
        }
    }
    if (exporters > a->max_exporters)
        a->max_exporters = exporters;
}

void activity_tick(struct activity *a, struct flusher *fl, uint64_t now_ms)
{
    pthread_mutex_lock(&fl->lock);
    uint64_t flushes = fl->n_flushes, keys = fl->written_keys;
    pthread_mutex_unlock(&fl->lock);
    if (!a->since_ms) {
        *a = (struct activity){.since_ms = now_ms, .flushes_start = flushes, .keys_start = keys};
        return;
    }
    if (now_ms - a->since_ms < ACTIVITY_PERIOD_MS)
        return;
    log_info("last %llu s: %llu flow records from %zu exporter streams, %llu log lines and "
             "captured flows, %llu dropped; %llu flushes stored %llu keys",
             (unsigned long long)((now_ms - a->since_ms) / 1000), (unsigned long long)a->records,
             a->max_exporters, (unsigned long long)a->other, (unsigned long long)a->drops,
             (unsigned long long)(flushes - a->flushes_start),
             (unsigned long long)(keys - a->keys_start));
    *a = (struct activity){.since_ms = now_ms, .flushes_start = flushes, .keys_start = keys};
}
