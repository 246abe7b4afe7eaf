// SPDX-License-Identifier: MIT
// Flush time of the store: N distinct keys (hosts, one bucket, both directions) written the
// way the daemon's store thread writes a flush (one transaction of additive upserts), into a
// fresh SQLite store (every key new) and then again (every key an update). Prints
// "RESULT keys=N insert_ms=X update_ms=Y".
#include "../../src/aggregate/counters.h"
#include "../../src/base/err.h"
#include "../../src/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double flush(struct store *st, const struct counters_table *t)
{
    double t0 = mono_ms();
    size_t pos = 0;
    const struct usage_row *row;
    int rc = st->ops->begin(st);
    while (rc == 0 && (row = counters_next(t, &pos)))
        rc = st->ops->add_usage(st, row, "default", "other");
    if (rc == 0)
        rc = st->ops->commit(st);
    if (rc != 0) {
        fprintf(stderr, "flushtime: the store refused the flush\n");
        exit(1);
    }
    return mono_ms() - t0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: bench_flushtime KEYS DB\n", stderr);
        return 2;
    }
    size_t keys = (size_t)strtoul(argv[1], NULL, 10);
    struct counters_table *t = counters_new(keys, keys + 1);
    for (size_t i = 0; i < keys; i++) {
        struct usage_key k = {.host = addr_from_v4(0x0a000000 + (uint32_t)(i / 2)),
                              .bucket_s = 1790000000 - 1790000000 % 300,
                              .dir = i % 2 ? FLOW_DIR_OUT : FLOW_DIR_IN};
        struct usage_counts c = {.bytes = 1500 + i, .packets = 1, .flows = 1};
        counters_add(t, &k, &c);
    }
    char errbuf[ERR_BUF_LEN];
    struct store *st = store_open(argv[2], false, errbuf);
    if (!st) {
        fprintf(stderr, "flushtime: %s\n", errbuf);
        return 1;
    }
    double insert_ms = flush(st, t), update_ms = flush(st, t);
    store_close(st);
    counters_free(t);
    printf("RESULT keys=%zu insert_ms=%.1f update_ms=%.1f\n", keys, insert_ms, update_ms);
    return 0;
}
