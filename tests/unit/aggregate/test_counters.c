// SPDX-License-Identifier: MIT
// Tests of the aggregation table and bucketing: sums per key, growth, the key cap, reuse
// after clear, and bucket boundaries (a flow counts in the bucket of its end time).
#include "../../../src/aggregate/aggregate.h"
#include "../../../src/base/err.h"
#include "test.h"

static struct usage_key key(uint32_t v4, uint32_t bucket_s, enum flow_dir dir)
{
    return (struct usage_key){.host = addr_from_v4(v4), .bucket_s = bucket_s, .dir = dir};
}

static void test_sums_and_growth(void)
{
    struct counters_table *t = counters_new(4, 100000);
    /* 5000 hosts x 2 directions, each added 3 times: forces several doublings */
    for (int round = 0; round < 3; round++)
        for (uint32_t h = 0; h < 5000; h++)
            for (int d = 0; d < 2; d++) {
                struct usage_key k = key(0x0a000000 + h, 600, d);
                struct usage_counts c = {.bytes = h + 1, .packets = 1, .flows = 1};
                ASSERT_EQ_INT(counters_add(t, &k, &c), 0);
            }
    ASSERT_EQ_U64(t->n, 10000);
    struct usage_key k = key(0x0a000000 + 41, 600, FLOW_DIR_OUT);
    const struct usage_counts *c = counters_find(t, &k);
    ASSERT_TRUE(c != NULL);
    if (c) {
        ASSERT_EQ_U64(c->bytes, 3 * 42);
        ASSERT_EQ_U64(c->packets, 3);
        ASSERT_EQ_U64(c->flows, 3);
    }
    k.bucket_s = 900; /* same host and direction, other bucket: a different key */
    ASSERT_TRUE(counters_find(t, &k) == NULL);
    uint64_t sum = 0, rows = 0;
    size_t pos = 0;
    for (const struct usage_row *r; (r = counters_next(t, &pos));) {
        sum += r->counts.bytes;
        rows++;
    }
    ASSERT_EQ_U64(rows, 10000);
    ASSERT_EQ_U64(sum, 2ULL * 3 * (5000ULL * 5001 / 2));
    counters_clear(t);
    ASSERT_EQ_U64(t->n, 0);
    pos = 0;
    ASSERT_TRUE(counters_next(t, &pos) == NULL);
    counters_free(t);
}

static void test_key_cap(void)
{
    struct counters_table *t = counters_new(4, 3);
    struct usage_counts c = {.bytes = 10, .packets = 1, .flows = 1};
    for (uint32_t h = 0; h < 3; h++) {
        struct usage_key k = key(h, 0, FLOW_DIR_IN);
        ASSERT_EQ_INT(counters_add(t, &k, &c), 0);
    }
    struct usage_key extra = key(99, 0, FLOW_DIR_IN);
    ASSERT_EQ_INT(counters_add(t, &extra, &c), ERR_LIMIT);
    struct usage_key old = key(1, 0, FLOW_DIR_IN); /* existing keys still add */
    ASSERT_EQ_INT(counters_add(t, &old, &c), 0);
    ASSERT_EQ_U64(counters_find(t, &old)->bytes, 20);
    counters_free(t);
}

/* Two lanes' tables merged: shared keys add up, keys of either are kept, and the merge
 * may pass the destination's key cap (the keys were counted within a cap already). */
static void test_merge(void)
{
    struct counters_table *a = counters_new(4, 3), *b = counters_new(4, 3);
    struct usage_counts c = {.bytes = 100, .packets = 2, .flows = 1};
    for (uint32_t h = 1; h <= 3; h++) { /* a: hosts 1 2 3; b: hosts 2 3 4 */
        struct usage_key ka = key(h, 0, FLOW_DIR_IN), kb = key(h + 1, 0, FLOW_DIR_IN);
        ASSERT_EQ_INT(counters_add(a, &ka, &c), 0);
        ASSERT_EQ_INT(counters_add(b, &kb, &c), 0);
    }
    counters_merge(a, b);
    ASSERT_EQ_U64(a->n, 4);
    ASSERT_EQ_U64(b->n, 3); /* the source is left as it was */
    uint64_t want_bytes[] = {0, 100, 200, 200, 100};
    for (uint32_t h = 1; h <= 4; h++) {
        struct usage_key k = key(h, 0, FLOW_DIR_IN);
        const struct usage_counts *got = counters_find(a, &k);
        ASSERT_TRUE(got != NULL);
        if (got) {
            ASSERT_EQ_U64(got->bytes, want_bytes[h]);
            ASSERT_EQ_U64(got->packets, want_bytes[h] / 50);
            ASSERT_EQ_U64(got->flows, want_bytes[h] / 100);
        }
    }
    struct usage_key k5 = key(5, 0, FLOW_DIR_IN); /* the cap holds again after the merge */
    ASSERT_EQ_INT(counters_add(a, &k5, &c), ERR_LIMIT);
    counters_free(a);
    counters_free(b);
}

struct bucket_case {
    uint64_t end_ms, want_bucket_ms;
};

static void test_buckets(void)
{
    static const struct bucket_case cases[] = {
        {1790000000000ULL, 1789999800000ULL}, /* 1790000000 s = 1789999800 + 200 */
        {1789999800000ULL, 1789999800000ULL}, /* exactly on a boundary */
        {1790000099999ULL, 1790000099999ULL - 299999},
        {1790000100000ULL, 1790000100000ULL}, /* the next bucket starts here */
        {299999, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ASSERT_EQ_U64(aggregate_bucket(cases[i].end_ms, 300000), cases[i].want_bucket_ms);
}

static void test_aggregator_emit(void)
{
    struct aggregator a;
    aggregator_init(&a, counters_new(16, 2), 300000);
    struct usage_delta d = {.host = addr_from_v4(0x0a000001),
                            .time_ms = 1790000000123ULL,
                            .dir = FLOW_DIR_IN,
                            .counts = {1500, 1, 1}};
    aggregator_emit(&a, &d);
    d.time_ms += 1000;
    aggregator_emit(&a, &d);
    d.dir = FLOW_DIR_OUT;
    aggregator_emit(&a, &d);
    d.subscriber = 7; /* same host, bucket and direction, another subscriber: a third key */
    aggregator_emit(&a, &d);
    ASSERT_EQ_U64(a.c.drop_keys, 1);
    struct usage_key k = key(0x0a000001, 1789999800, FLOW_DIR_IN);
    ASSERT_EQ_U64(counters_find(a.table, &k)->bytes, 3000);
    struct counters_table *full = aggregator_swap(&a, counters_new(16, 2));
    ASSERT_EQ_U64(full->n, 2);
    ASSERT_EQ_U64(a.table->n, 0);
    counters_free(full);
    aggregator_deinit(&a);
}

int main(void)
{
    RUN(test_sums_and_growth);
    RUN(test_key_cap);
    RUN(test_merge);
    RUN(test_buckets);
    RUN(test_aggregator_emit);
    return test_done();
}
