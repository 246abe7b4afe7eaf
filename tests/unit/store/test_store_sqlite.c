// SPDX-License-Identifier: MIT
// Tests of the SQLite store: additive upserts across flushes, reading per host and period,
// counters, reopening an existing store, and refusing files that are not stores.
#include "../../../src/base/err.h"
#include "../../../src/store/store.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[64];

struct host_sum {
    char host[ADDR_STR_LEN];
    struct usage_counts dir[FLOW_DIR_COUNT];
};

struct sums {
    struct host_sum h[8];
    size_t n;
};

static void collect(void *ctx, const struct usage_result *r)
{
    struct sums *s = ctx;
    const char *host = r->host;
    size_t i = 0;
    while (i < s->n && strcmp(s->h[i].host, host) != 0)
        i++;
    if (i == s->n && s->n < 8)
        snprintf(s->h[s->n++].host, ADDR_STR_LEN, "%s", host);
    if (i < 8)
        s->h[i].dir[r->dir] = r->counts;
}

static const struct host_sum *find(const struct sums *s, const char *host)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->h[i].host, host) == 0)
            return &s->h[i];
    return NULL;
}

static void put(struct store *st, const char *host, uint64_t bucket_s, enum flow_dir dir,
                uint64_t bytes)
{
    struct usage_row row = {.key = {.bucket_s = (uint32_t)bucket_s, .dir = dir},
                            .counts = {.bytes = bytes, .packets = 1, .flows = 1}};
    addr_parse(host, &row.key.host);
    ASSERT_EQ_INT(st->ops->add_usage(st, &row, "default", "other"), 0);
}

static void test_upserts_add_up(void)
{
    char errbuf[ERR_BUF_LEN];
    struct store *st = store_open(path, false, errbuf);
    ASSERT_TRUE(st != NULL);
    if (!st)
        return;
    for (int flush = 0; flush < 3; flush++) {
        ASSERT_EQ_INT(st->ops->begin(st), 0);
        put(st, "10.0.0.1", 1800, FLOW_DIR_IN, 1000);
        put(st, "10.0.0.1", 1800, FLOW_DIR_OUT, 10);
        put(st, "10.0.0.1", 2100, FLOW_DIR_IN, 5);
        put(st, "fd00::1", 2100, FLOW_DIR_INTERNAL, 7);
        struct stat_row sr = {"192.0.2.1", 9, 3, "records", 4};
        ASSERT_EQ_INT(st->ops->add_stat(st, &sr), 0);
        ASSERT_EQ_INT(st->ops->commit(st), 0);
    }
    /* a rolled-back flush leaves nothing behind */
    ASSERT_EQ_INT(st->ops->begin(st), 0);
    put(st, "10.0.0.1", 1800, FLOW_DIR_IN, 999999);
    st->ops->rollback(st);
    store_close(st);

    st = store_open(path, true, errbuf); /* a reader sees what the writer stored */
    ASSERT_TRUE(st != NULL);
    if (!st)
        return;
    struct sums all = {0};
    struct usage_query q = {.to_ms = UINT64_MAX, .group = USAGE_BY_HOST, .subscriber_id = -1};
    ASSERT_EQ_INT(st->ops->read_usage(st, &q, collect, &all), 0);
    ASSERT_EQ_U64(all.n, 2);
    const struct host_sum *h = find(&all, "10.0.0.1");
    ASSERT_TRUE(h != NULL);
    if (h) {
        ASSERT_EQ_U64(h->dir[FLOW_DIR_IN].bytes, 3 * 1005);
        ASSERT_EQ_U64(h->dir[FLOW_DIR_IN].flows, 6);
        ASSERT_EQ_U64(h->dir[FLOW_DIR_OUT].bytes, 30);
    }
    h = find(&all, "fd00::1");
    ASSERT_TRUE(h && h->dir[FLOW_DIR_INTERNAL].bytes == 21);
    /* the period [1800 s, 2100 s) holds only the first bucket */
    struct sums part = {0};
    q.from_ms = 1800000;
    q.to_ms = 2100000;
    ASSERT_EQ_INT(st->ops->read_usage(st, &q, collect, &part), 0);
    ASSERT_EQ_U64(part.n, 1);
    ASSERT_EQ_U64(part.h[0].dir[FLOW_DIR_IN].bytes, 3000);
    store_close(st);
}

static void count_stat(void *ctx, const struct stat_row *row)
{
    uint64_t *sum = ctx;
    if (strcmp(row->exporter, "192.0.2.1") == 0 && strcmp(row->name, "records") == 0 &&
        row->version == 9 && row->domain == 3)
        *sum += row->value;
}

static void test_stats_add_up(void)
{
    char errbuf[ERR_BUF_LEN];
    struct store *st = store_open(path, true, errbuf);
    ASSERT_TRUE(st != NULL);
    if (!st)
        return;
    uint64_t sum = 0;
    ASSERT_EQ_INT(st->ops->read_stats(st, count_stat, &sum), 0);
    ASSERT_EQ_U64(sum, 12);
    store_close(st);
}

static void test_refuses_non_stores(void)
{
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_TRUE(store_open("/nonexistent/dir/x.db", true, errbuf) == NULL);
    ASSERT_TRUE(strstr(errbuf, "/nonexistent/dir/x.db") != NULL);
    char other[80];
    snprintf(other, sizeof other, "%s.txt", path);
    FILE *f = fopen(other, "w");
    fputs("not a database, just text that is long enough to fill a header page......", f);
    fclose(f);
    ASSERT_TRUE(store_open(other, true, errbuf) == NULL);
    ASSERT_TRUE(store_open(other, false, errbuf) == NULL);
    unlink(other);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/flowtally-test-store-%d.db", (int)getpid());
    RUN(test_upserts_add_up);
    RUN(test_stats_add_up);
    RUN(test_refuses_non_stores);
    char p[96];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return test_done();
}
