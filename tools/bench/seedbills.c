// SPDX-License-Identifier: MIT
// The billing benchmark's helper (tools/bench/bills.sh), two commands:
//
//   bench_seedbills seed DB FROM_S TO_S [MAX_S]
//     Seeds a month of usage as the collector writes it, through the store's interface
//     (begin, add_usage, commit; 200,000 rows a transaction): 300 s buckets from FROM_S up
//     to TO_S, bucket after bucket, every subscriber's rows of a bucket together; with
//     MAX_S, it stops at the first day's end past MAX_S seconds of seeding. The
//     subscribers and the bindings naming their hosts are in the store already (the CLI's
//     imports); each one with a bound host is active in a third of the buckets (a hash of
//     its id and the bucket: deterministic, the same whatever the order or the count), with
//     2 or 3 classes in an active bucket (international always; national, free or both),
//     in and out, one application: ~5 rows an active bucket, ~8-24 GB of counted bytes a
//     month (the level is the subscriber's own), so about half pass a 15 GB quota. The
//     class list (international the default and counting, national counting at 0.50/GB,
//     free not counting at 0) is stored first, as the daemon's first flush does. Prints
//     "RESULT rows=N subscribers=N buckets=N days=D active=N seconds=S rows_per_s=R"
//     (days: whole days seeded, fewer than asked when MAX_S cut it short).
//
//   bench_seedbills time OUT CMD [ARG...]
//     Runs CMD (its stdout and stderr are the caller's), waits for it and writes to OUT
//     "wall_s=S user_s=S sys_s=S maxrss_kb=K status=N" (wait4's rusage: the command's
//     own, not this wrapper's); exits with CMD's status.
#include "../../src/base/addr.h"
#include "../../src/base/err.h"
#include "../../src/store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUCKET_S 300
#define BATCH_ROWS 200000 /* rows per transaction */

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- time ---- */

static int run_timed(const char *out, char **argv)
{
    double t0 = mono_s();
    pid_t pid = fork();
    if (pid < 0) {
        perror("seedbills: fork");
        return 1;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        perror("seedbills: exec");
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("seedbills: wait4");
        return 1;
    }
    double wall = mono_s() - t0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(out, "w");
    if (!f) {
        perror(out);
        return 1;
    }
    fprintf(f, "wall_s=%.3f user_s=%.3f sys_s=%.3f maxrss_kb=%ld status=%d\n", wall,
            (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
            (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6, ru.ru_maxrss, code);
    fclose(f);
    return code;
}

/* ---- seed ---- */

struct sub {
    int64_t id;
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
    ss->v[ss->n++] = (struct sub){.id = s->id};
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
    for (size_t i = 0; i < ss->n; i++) /* subscribers come by id: a binary search */
        if (ss->v[i].id == b->subscriber_id && !ss->v[i].has_host &&
            addr_parse(text, &ss->v[i].host) == 0)
            ss->v[i].has_host = 1;
}

static uint64_t mix(uint64_t z) /* splitmix64's finalizer */
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct writer {
    struct store *st;
    size_t in_tx, rows;
};

static void fail(struct store *st, const char *what)
{
    fprintf(stderr, "seedbills: %s: %s\n", what, st->ops->last_error(st));
    exit(1);
}

static void put(struct writer *w, const struct sub *s, uint32_t bucket, const char *class_name,
                enum flow_dir dir, uint64_t bytes, uint64_t h)
{
    if (w->in_tx == 0 && w->st->ops->begin(w->st) != 0)
        fail(w->st, "begin");
    struct usage_row r = {
        .key = {.host = s->host,
                .bucket_s = bucket,
                .subscriber = (uint32_t)s->id,
                .dir = (uint8_t)dir},
        .counts = {.bytes = bytes, .packets = bytes / 1100 + 1, .flows = 1 + h % 20}};
    if (w->st->ops->add_usage(w->st, &r, class_name, "HTTPS") != 0)
        fail(w->st, "add_usage");
    w->rows++;
    if (++w->in_tx == BATCH_ROWS) {
        if (w->st->ops->commit(w->st) != 0)
            fail(w->st, "commit");
        w->in_tx = 0;
    }
}

/* One subscriber's rows of one bucket; returns whether it was active. */
static int bucket_rows(struct writer *w, const struct sub *s, uint32_t bucket)
{
    uint64_t h = mix((uint64_t)s->id * 0x100000001b3ULL ^ bucket);
    if (h % 3 != 0)
        return 0;
    /* the subscriber's level: 2-6 MB of international download an active bucket */
    double level = 2e6 + (double)(mix((uint64_t)s->id) % 4000001);
    double jitter = 0.5 + (double)((h >> 8) % 1001) / 1000.0; /* 0.5-1.5 */
    double in = level * jitter;
    unsigned extra = (unsigned)((h >> 20) % 4); /* 0: both, 1: national, 2: free, 3: both */
    put(w, s, bucket, "international", FLOW_DIR_IN, (uint64_t)in, h);
    put(w, s, bucket, "international", FLOW_DIR_OUT, (uint64_t)(in * 0.1), h >> 5);
    if (extra != 2) {
        put(w, s, bucket, "national", FLOW_DIR_IN, (uint64_t)(in * 0.3), h >> 10);
        put(w, s, bucket, "national", FLOW_DIR_OUT, (uint64_t)(in * 0.03), h >> 15);
    }
    if (extra != 1) {
        put(w, s, bucket, "free", FLOW_DIR_IN, (uint64_t)(in * 0.2), h >> 25);
        put(w, s, bucket, "free", FLOW_DIR_OUT, (uint64_t)(in * 0.02), h >> 30);
    }
    return 1;
}

static int seed(const char *db, uint32_t from, uint32_t to, double max_s)
{
    char errbuf[ERR_BUF_LEN];
    struct store *st = store_open(db, false, errbuf);
    if (!st) {
        fprintf(stderr, "seedbills: %s\n", errbuf);
        return 1;
    }
    struct subs ss = {0};
    if (store_subscriber_list(st, on_subscriber, &ss) != 0 ||
        store_binding_list(st, NULL, on_binding, &ss) != 0)
        fail(st, "reading subscribers");
    size_t n_subs = 0;
    for (size_t i = 0; i < ss.n; i++)
        n_subs += (size_t)ss.v[i].has_host;

    double t0 = mono_s();
    static const struct class_row classes[] = {
        {.name = "free", .price_micro_per_gb = 0, .counts_toward_quota = false},
        {.name = "international", .price_micro_per_gb = 0, .counts_toward_quota = true},
        {.name = "national", .price_micro_per_gb = 500000, .counts_toward_quota = true},
    };
    if (st->ops->begin(st) != 0 ||
        store_classes_write(st, classes, sizeof classes / sizeof classes[0],
                            (uint64_t)from * 1000) != 0 ||
        st->ops->commit(st) != 0)
        fail(st, "storing the class list");
    struct writer w = {.st = st};
    size_t buckets = 0, active = 0;
    for (uint32_t b = from - from % BUCKET_S; b < to; b += BUCKET_S, buckets++) {
        if (max_s > 0 && buckets % 288 == 0 && buckets && mono_s() - t0 > max_s)
            break; /* out of time: whole days only */
        for (size_t i = 0; i < ss.n; i++)
            if (ss.v[i].has_host)
                active += (size_t)bucket_rows(&w, &ss.v[i], b);
    }
    if (w.in_tx && st->ops->commit(st) != 0)
        fail(st, "commit");
    double secs = mono_s() - t0;
    store_close(st);
    printf("RESULT rows=%zu subscribers=%zu buckets=%zu days=%zu active=%zu seconds=%.1f "
           "rows_per_s=%.0f\n",
           w.rows, n_subs, buckets, buckets / 288, active, secs, (double)w.rows / secs);
    free(ss.v);
    return 0;
}

int main(int argc, char **argv)
{
    if ((argc == 5 || argc == 6) && strcmp(argv[1], "seed") == 0)
        return seed(argv[2], (uint32_t)strtoul(argv[3], NULL, 10),
                    (uint32_t)strtoul(argv[4], NULL, 10), argc == 6 ? strtod(argv[5], NULL) : 0);
    if (argc >= 4 && strcmp(argv[1], "time") == 0)
        return run_timed(argv[2], argv + 3);
    fputs("usage: bench_seedbills seed DB FROM_S TO_S [MAX_S]\n"
          "       bench_seedbills time OUT CMD [ARG...]\n",
          stderr);
    return 2;
}
