// SPDX-License-Identifier: MIT
// Seeds a store with usage as the collector writes it, for the portal's benchmark
// (tools/bench/portal.sh): rows of (300 s bucket, subscriber, host, direction, class,
// application) with additive bytes, packets and flows, written through the store's
// interface (begin, add_usage, commit) bucket after bucket, every subscriber's rows of a
// bucket together, as a flush writes them. The subscribers, their plans and the bindings
// naming their hosts are in the store already (the CLI's imports); this adds the usage:
//  - BIG_ACCOUNT: BIG_DAYS days up to NOW, about 9 rows per bucket (in and out of up to 7
//    class x application pairs, each present in a bucket with its own chance, fewer at
//    night; ~250 GB a month);
//  - every other subscriber with a binding: OTHER_DAYS days up to NOW, about 3.5 rows per
//    bucket (up to 4 pairs, with lower chances; 50-100 GB a month each).
// Classes: international (the default, counts toward quota), national (counts) and free
// (does not); stored as the daemon's class list. Applications: HTTPS, QUIC, HTTP, DNS,
// other. Deterministic (a fixed seed). Prints
// "RESULT rows=N big_rows=N other_rows=N buckets=N seconds=S rows_per_s=R".
#include "../../src/base/addr.h"
#include "../../src/base/err.h"
#include "../../src/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUCKET_S 300
#define BATCH_ROWS 200000 /* rows per transaction */

struct pair {
    const char *class_name, *app;
    double chance; /* of being present in a bucket at the evening peak */
    double weight; /* share of the bucket's bytes */
};

/* A heavy household: ~6 pairs at the evening peak, ~9 rows per bucket over a day. */
static const struct pair big_pairs[] = {
    {"international", "HTTPS", 1.00, 40}, {"international", "QUIC", 0.95, 25},
    {"national", "HTTPS", 0.85, 10},      {"national", "DNS", 1.00, 0.2},
    {"free", "HTTP", 0.45, 15},           {"international", "other", 0.80, 3},
    {"free", "other", 0.60, 5},
};
/* An ordinary one: ~2 pairs at the evening peak, ~3.5 rows per bucket over a day. */
static const struct pair other_pairs[] = {
    {"international", "HTTPS", 1.00, 60},
    {"national", "DNS", 0.50, 0.3},
    {"international", "QUIC", 0.35, 30},
    {"national", "HTTPS", 0.20, 10},
};

struct sub {
    int64_t id;
    char account[64];
    struct ip_addr host;
    int has_host;
};

struct subs {
    struct sub *v;
    size_t n, cap;
};

static void on_subscriber(void *ctx, const struct subscriber *s)
{
    struct subs *ss = ctx;
    if (ss->n == ss->cap) {
        ss->cap = ss->cap ? ss->cap * 2 : 1024;
        ss->v = realloc(ss->v, ss->cap * sizeof *ss->v);
        if (!ss->v)
            exit(1);
    }
    struct sub *x = &ss->v[ss->n++];
    memset(x, 0, sizeof *x);
    x->id = s->id;
    snprintf(x->account, sizeof x->account, "%s", s->account);
}

static void on_binding(void *ctx, const struct binding_row *b)
{
    struct subs *ss = ctx;
    if (strcmp(b->kind, "prefix") != 0 || b->end_ms)
        return;
    char text[64];
    snprintf(text, sizeof text, "%s", b->value);
    char *slash = strchr(text, '/');
    if (slash)
        *slash = '\0';
    for (size_t i = 0; i < ss->n; i++) {
        if (ss->v[i].id == b->subscriber_id && !ss->v[i].has_host &&
            addr_parse(text, &ss->v[i].host) == 0)
            ss->v[i].has_host = 1;
    }
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void) /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double unit(void)
{
    return (double)(rng() >> 11) / 9007199254740992.0;
}

/* Activity by hour of the day (UTC here): 0.15 at 04:00, 1 at 21:00. */
static double diurnal(uint32_t bucket_s)
{
    static const double by_hour[24] = {0.55, 0.40, 0.25, 0.18, 0.15, 0.17, 0.25, 0.40,
                                       0.50, 0.55, 0.55, 0.58, 0.62, 0.60, 0.58, 0.60,
                                       0.65, 0.72, 0.82, 0.92, 0.98, 1.00, 0.92, 0.75};
    return by_hour[(bucket_s % 86400) / 3600];
}

struct writer {
    struct store *st;
    size_t in_tx, rows;
};

static void put(struct writer *w, const struct sub *s, uint32_t bucket, const char *class_name,
                const char *app, enum flow_dir dir, uint64_t bytes)
{
    if (w->in_tx == 0 && w->st->ops->begin(w->st) != 0) {
        fprintf(stderr, "seedusage: begin: %s\n", w->st->ops->last_error(w->st));
        exit(1);
    }
    struct usage_row r = {
        .key = {.host = s->host,
                .bucket_s = bucket,
                .subscriber = (uint32_t)s->id,
                .dir = (uint8_t)dir},
        .counts = {.bytes = bytes, .packets = bytes / 1100 + 1, .flows = 1 + rng() % 40}};
    if (w->st->ops->add_usage(w->st, &r, class_name, app) != 0) {
        fprintf(stderr, "seedusage: add_usage: %s\n", w->st->ops->last_error(w->st));
        exit(1);
    }
    w->rows++;
    if (++w->in_tx == BATCH_ROWS) {
        if (w->st->ops->commit(w->st) != 0) {
            fprintf(stderr, "seedusage: commit: %s\n", w->st->ops->last_error(w->st));
            exit(1);
        }
        w->in_tx = 0;
    }
}

/* One subscriber's rows of one bucket. bytes_unit: download bytes per unit of weight at
 * the peak. */
static void bucket_rows(struct writer *w, const struct sub *s, uint32_t bucket,
                        const struct pair *pairs, size_t n_pairs, double bytes_unit)
{
    double d = diurnal(bucket);
    for (size_t i = 0; i < n_pairs; i++) {
        /* the main pair is always there (something is always talking); the rest come and
         * go with the hour */
        double chance = i == 0 ? 1.0 : pairs[i].chance * (0.35 + 0.65 * d);
        if (unit() >= chance)
            continue;
        double in = pairs[i].weight * bytes_unit * d * (0.3 + 1.4 * unit());
        double out = in * (0.05 + 0.15 * unit());
        put(w, s, bucket, pairs[i].class_name, pairs[i].app, FLOW_DIR_IN, (uint64_t)in + 64);
        put(w, s, bucket, pairs[i].class_name, pairs[i].app, FLOW_DIR_OUT, (uint64_t)out + 64);
    }
}

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fputs("usage: bench_seedusage DB NOW_S BIG_ACCOUNT BIG_DAYS OTHER_DAYS\n", stderr);
        return 2;
    }
    const char *db = argv[1], *big_account = argv[3];
    uint32_t now = (uint32_t)strtoul(argv[2], NULL, 10);
    uint32_t big_days = (uint32_t)strtoul(argv[4], NULL, 10);
    uint32_t other_days = (uint32_t)strtoul(argv[5], NULL, 10);
    char errbuf[ERR_BUF_LEN];
    struct store *st = store_open(db, false, errbuf);
    if (!st) {
        fprintf(stderr, "seedusage: %s\n", errbuf);
        return 1;
    }
    struct subs ss = {0};
    if (store_subscriber_list(st, on_subscriber, &ss) != 0 ||
        store_binding_list(st, NULL, on_binding, &ss) != 0) {
        fprintf(stderr, "seedusage: cannot read subscribers: %s\n", st->ops->last_error(st));
        return 1;
    }
    const struct sub *big = NULL;
    size_t n_others = 0;
    for (size_t i = 0; i < ss.n; i++) {
        if (!ss.v[i].has_host)
            continue;
        if (strcmp(ss.v[i].account, big_account) == 0)
            big = &ss.v[i];
        else
            n_others++;
    }
    if (!big) {
        fprintf(stderr, "seedusage: no subscriber %s with a bound host\n", big_account);
        return 1;
    }

    double t0 = mono_s();
    /* the class list the usage is counted with, as the daemon's first flush stores it */
    static const struct class_row classes[] = {
        {.name = "free", .price_micro_per_gb = 0, .counts_toward_quota = false},
        {.name = "national", .price_micro_per_gb = 500000, .counts_toward_quota = true},
        {.name = "international", .price_micro_per_gb = 2000000, .counts_toward_quota = true},
    };
    struct writer w = {.st = st};
    uint32_t last = now - now % BUCKET_S;
    uint32_t big_from = last - (big_days * 288 - 1) * BUCKET_S;
    uint32_t other_from = last - (other_days * 288 - 1) * BUCKET_S;
    size_t big_rows = 0, buckets = 0;
    if (st->ops->begin(st) != 0 ||
        store_classes_write(st, classes, sizeof classes / sizeof classes[0],
                            (uint64_t)big_from * 1000) != 0 ||
        st->ops->commit(st) != 0) {
        fprintf(stderr, "seedusage: cannot store the class list: %s\n", st->ops->last_error(st));
        return 1;
    }
    for (uint32_t b = big_from; b <= last; b += BUCKET_S, buckets++) {
        size_t before = w.rows;
        /* ~250 GB a month, in and out */
        bucket_rows(&w, big, b, big_pairs, sizeof big_pairs / sizeof big_pairs[0], 620000.0);
        big_rows += w.rows - before;
        if (b < other_from)
            continue;
        for (size_t i = 0; i < ss.n; i++) {
            if (&ss.v[i] == big || !ss.v[i].has_host)
                continue;
            /* 50-100 GB a month each */
            bucket_rows(&w, &ss.v[i], b, other_pairs, sizeof other_pairs / sizeof other_pairs[0],
                        (double)(150000 + (ss.v[i].id * 7919) % 150000));
        }
    }
    if (w.in_tx && st->ops->commit(st) != 0) {
        fprintf(stderr, "seedusage: commit: %s\n", st->ops->last_error(st));
        return 1;
    }
    double secs = mono_s() - t0;
    store_close(st);
    printf("RESULT rows=%zu big_rows=%zu other_rows=%zu others=%zu buckets=%zu seconds=%.1f "
           "rows_per_s=%.0f\n",
           w.rows, big_rows, w.rows - big_rows, n_others, buckets, secs, (double)w.rows / secs);
    free(ss.v);
    return 0;
}
