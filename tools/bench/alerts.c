// SPDX-License-Identifier: MIT
// The alert benchmark's helper (tools/bench/alerts.sh): what the alert thread costs per
// flush when many subscribers move, before and after the evaluation kept usage in memory.
//
//   bench_alerts DB SUBSCRIBERS MOVING ROWS ROUNDS
//     Makes a SQLite store at DB (which must not exist): the plan Basic (15 GB, both
//     directions, anchor day 1), SUBSCRIBERS subscribers on it, the class list
//     (international, counting), and for MOVING of them (spread over the ids) ROWS usage
//     rows each, spread evenly over March 2025 (5 GB each: a third of the quota, far from
//     the 80% and 100% levels), written as the collector writes them (begin, add_usage,
//     commit; 200,000 rows a transaction). Then, from 2025-03-20 12:00 UTC, alert rounds in
//     which those MOVING subscribers move (active subscribers move at every flush), each
//     after a flush that wrote one row of 1 MB for each of them (not timed):
//       before: ROUNDS rounds of evaluate_subscriber() for each: the whole cycle read
//               from the store, as the alert thread did at every flush;
//       seed:   one round of evaluate_moved() with empty memory: the first round of a
//               cycle (and, for each subscriber, one every EVALUATE_STALE_MS);
//       after:  ROUNDS rounds of evaluate_moved() with memory seeded, 5 s apart (the
//               default flush).
//     Prints "RESULT subscribers=N moving=N rows=N rounds=N seed_rows_s=S before_ms=B
//     seed_ms=D after_ms=A after_reads=R" (ms per round, the median; rows: all seeded;
//     after_reads: cycles read from the store in the `after` rounds, 0 far from levels).
#include "../../src/alert/evaluate.h"
#include "../../src/base/addr.h"
#include "../../src/base/err.h"
#include "../../src/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAR_2025_S 1740787200u /* 2025-03-01T00:00:00Z */
#define MONTH_S (31u * 86400u)
#define NOW_MS ((MAR_2025_S + 19u * 86400u + 43200u) * 1000ull)
#define BATCH_ROWS 200000
#define PER_SUB_BYTES 5000000000ull
#define MAX_ROUNDS 50

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct make_subs {
    int n;
};

static int add_subscribers(struct store *s, void *ctx)
{
    const struct make_subs *m = ctx;
    char err[ERR_BUF_LEN];
    for (int i = 1; i <= m->n; i++) {
        struct subscriber sub = {.plan = "Basic", .status = "active"};
        snprintf(sub.account, sizeof sub.account, "sub%06d", i);
        int rc = store_subscriber_save(s, &sub, true, err);
        if (rc != 0) {
            fprintf(stderr, "bench_alerts: %s\n", err);
            return rc;
        }
    }
    return 0;
}

static int fail(struct store *s, const char *what)
{
    fprintf(stderr, "bench_alerts: %s: %s\n", what, s ? s->ops->last_error(s) : "");
    return 1;
}

/* Writes rows of usage in transactions of BATCH_ROWS for the moving subscribers ids. */
static int seed(struct store *s, const uint32_t *ids, int n_ids, int rows)
{
    struct usage_row row = {.key = {.dir = FLOW_DIR_IN}, .counts = {0, 1, 1}};
    uint64_t per_row = PER_SUB_BYTES / (uint64_t)rows;
    long n = 0;
    for (int r = 0; r < rows; r++) {
        row.key.bucket_s =
            MAR_2025_S + (uint32_t)((uint64_t)r * MONTH_S / (uint64_t)rows) / 300 * 300;
        for (int i = 0; i < n_ids; i++) {
            if (n % BATCH_ROWS == 0 && s->ops->begin(s) != 0)
                return fail(s, "begin");
            row.key.subscriber = ids[i];
            row.key.host = addr_from_v4(0x0a000000u + ids[i]); /* 10.0.0.0/8 */
            row.counts.bytes = per_row + (r == rows - 1 ? PER_SUB_BYTES % (uint64_t)rows : 0);
            if (s->ops->add_usage(s, &row, "international", "other") != 0)
                return fail(s, "add_usage");
            if (++n % BATCH_ROWS == 0 && s->ops->commit(s) != 0)
                return fail(s, "commit");
        }
    }
    if (n % BATCH_ROWS != 0 && s->ops->commit(s) != 0)
        return fail(s, "commit");
    return 0;
}

/* The flush before round k: one row of 1 MB for each subscriber moving in it. OUT: d, a
 * delta per moving subscriber. */
static int flush(struct store *s, const uint32_t *ids, int n, uint64_t at_ms,
                 struct evaluate_delta *d)
{
    if (s->ops->begin(s) != 0)
        return fail(s, "begin");
    for (int i = 0; i < n; i++) {
        struct usage_row row = {.key = {.bucket_s = (uint32_t)(at_ms / 1000 / 300 * 300),
                                        .subscriber = ids[i],
                                        .dir = FLOW_DIR_IN},
                                .counts = {1000000, 1, 1}};
        addr_parse("10.0.0.1", &row.key.host);
        if (s->ops->add_usage(s, &row, "international", "other") != 0)
            return fail(s, "add_usage");
        d[i] = (struct evaluate_delta){row.key.bucket_s, FLOW_DIR_IN, "international", 1000000};
    }
    return s->ops->commit(s) == 0 ? 0 : fail(s, "commit");
}

/* The subscribers that move: MOVING of them, spread over the ids 1..SUBSCRIBERS. */
static void moving_ids(int n_subs, int moving, uint32_t *ids)
{
    for (int i = 0; i < moving; i++)
        ids[i] = (uint32_t)((uint64_t)i * (uint64_t)n_subs / (uint64_t)moving + 1);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: bench_alerts DB SUBSCRIBERS MOVING ROWS ROUNDS\n");
        return 2;
    }
    int n_subs = atoi(argv[2]), moving = atoi(argv[3]), rows = atoi(argv[4]),
        rounds = atoi(argv[5]);
    if (n_subs < 1 || rows < 1 || moving < 1 || moving > n_subs || rounds < 1 ||
        rounds > MAX_ROUNDS) {
        fprintf(stderr, "bench_alerts: 1 <= MOVING <= SUBSCRIBERS, ROWS >= 1, 1 <= ROUNDS <= %d\n",
                MAX_ROUNDS);
        return 2;
    }
    setenv("TZ", "UTC", 1);
    tzset();
    char err[ERR_BUF_LEN];
    struct store *s = store_open(argv[1], false, err);
    if (!s) {
        fprintf(stderr, "bench_alerts: %s\n", err);
        return 1;
    }
    struct plan p = {
        .name = "Basic", .quota_bytes = 15000000000ull, .quota_dirs = "both", .anchor_day = 1};
    struct class_row cls = {.name = "international", .counts_toward_quota = true};
    struct make_subs ms = {n_subs};
    if (store_plan_save(s, &p, true, err) != 0 || s->ops->begin(s) != 0 ||
        store_classes_write(s, &cls, 1, 1000) != 0 || s->ops->commit(s) != 0 ||
        store_admin_batch(s, add_subscribers, &ms) != 0)
        return fail(s, "plan, classes, subscribers");
    uint32_t *ids = calloc((size_t)moving, sizeof *ids);
    moving_ids(n_subs, moving, ids);
    double t0 = mono_ms();
    if (seed(s, ids, moving, rows) != 0)
        return 1;
    double seed_s = (mono_ms() - t0) / 1e3;

    struct evaluate_config c = {0};
    if (levels_parse("80,100", &c.default_levels, err) != 0)
        return 1;
    struct evaluate_delta *d = calloc((size_t)moving, sizeof *d);
    double before[MAX_ROUNDS], after[MAX_ROUNDS], seed_ms = 0;
    struct evaluate_counts n = {0};
    int k = 0;
    /* before: the whole cycle of each, at every flush */
    for (int r = 0; r < rounds; r++, k++) {
        uint64_t now = NOW_MS + (uint64_t)k * 5000;
        if (flush(s, ids, moving, now, d) != 0)
            return 1;
        t0 = mono_ms();
        for (int i = 0; i < moving; i++)
            if (evaluate_subscriber(s, &c, ids[i], now, &n, err) != 0)
                return fail(s, err);
        before[r] = mono_ms() - t0;
    }
    /* seed: memory empty (r = -1); then after: memory seeded */
    struct evaluate_memory *m = evaluate_memory_new((size_t)n_subs);
    for (int r = -1; r < rounds; r++, k++) {
        uint64_t now = NOW_MS + (uint64_t)k * 5000;
        if (flush(s, ids, moving, now, d) != 0)
            return 1;
        if (r == 0)
            n = (struct evaluate_counts){0};
        t0 = mono_ms();
        if (evaluate_round_begin(s, m, err) != 0)
            return fail(s, err);
        for (int i = 0; i < moving; i++)
            if (evaluate_moved(s, &c, m, ids[i], &d[i], 1, now, &n, err) != 0)
                return fail(s, err);
        double took = mono_ms() - t0;
        if (r < 0)
            seed_ms = took;
        else
            after[r] = took;
    }
    printf("RESULT subscribers=%d moving=%d rows=%ld rounds=%d seed_rows_s=%.0f before_ms=%.1f "
           "seed_ms=%.1f after_ms=%.1f after_reads=%llu\n",
           n_subs, moving, (long)moving * rows, rounds, (double)moving * rows / seed_s,
           median(before, rounds), seed_ms, median(after, rounds), (unsigned long long)n.evaluated);
    evaluate_memory_free(m);
    free(ids);
    free(d);
    store_close(s);
    return 0;
}
