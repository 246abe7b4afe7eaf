// SPDX-License-Identifier: MIT
// The conformance suite, the portal's read cache (store_read_usage() through a
// store_read_cache): shared by two connections, it answers a read again from memory until a
// flush commits usage on either, and what it answers is always exactly what the store would
// read now. Run on every engine (see conformance.h).
#include "conformance.h"

static int cached_read(struct store *s, int64_t subscriber, unsigned group, struct lines *out)
{
    struct usage_query q = {
        .from_ms = 0, .to_ms = ALL, .group = group, .subscriber_id = subscriber};
    memset(out, 0, sizeof *out);
    return store_read_usage(s, &q, usage_line, out);
}

static void flush_one(struct store *s, const char *account, uint64_t bytes)
{
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, T0, account, "10.0.0.1", FLOW_DIR_IN, "default", "WEB", bytes, 1, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
}

static void test_cache_answers_until_a_flush(void)
{
    struct store *w = open_store(false), *a = open_store(false), *b = open_store(false);
    if (!w || !a || !b)
        goto out;
    add_account(w, "alice");
    flush_one(w, "alice", 100);
    struct store_read_cache *c = store_read_cache_new(8);
    a->read_cache = b->read_cache = c;
    struct lines got;
    uint64_t hits, misses;
    const char *first[] = {"#alice alice - - - 0 in 100/1/1"};
    ASSERT_EQ_INT(cached_read(a, id_of("alice"), USAGE_BY_SUBSCRIBER, &got), 0);
    expect_lines(&got, first, N(first), "the first read", __LINE__);
    ASSERT_EQ_INT(cached_read(b, id_of("alice"), USAGE_BY_SUBSCRIBER, &got), 0);
    expect_lines(&got, first, N(first), "the same read on the other connection", __LINE__);
    store_read_cache_counts(c, &hits, &misses);
    ASSERT_EQ_U64(hits, 1);
    ASSERT_EQ_U64(misses, 1);
    /* a flush on a third connection: the next read is read again, and exact */
    flush_one(w, "alice", 23);
    const char *second[] = {"#alice alice - - - 0 in 123/2/2"};
    ASSERT_EQ_INT(cached_read(b, id_of("alice"), USAGE_BY_SUBSCRIBER, &got), 0);
    expect_lines(&got, second, N(second), "after a flush", __LINE__);
    ASSERT_EQ_INT(cached_read(a, id_of("alice"), USAGE_BY_SUBSCRIBER, &got), 0);
    expect_lines(&got, second, N(second), "after a flush, the other connection", __LINE__);
    store_read_cache_counts(c, &hits, &misses);
    ASSERT_EQ_U64(hits, 2);
    ASSERT_EQ_U64(misses, 2);
    /* a transaction rolled back, or one without usage, changes nothing */
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_usage(w, T0, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "WEB", 5, 1, 1);
    w->ops->rollback(w);
    ASSERT_EQ_INT(cached_read(a, id_of("alice"), USAGE_BY_SUBSCRIBER, &got), 0);
    expect_lines(&got, second, N(second), "after a rollback", __LINE__);
    store_read_cache_counts(c, &hits, &misses);
    ASSERT_EQ_U64(hits, 3);
    /* another query (another grouping) is a read of its own */
    const char *by_app[] = {"#0 - - - WEB 0 in 123/2/2"};
    ASSERT_EQ_INT(cached_read(a, id_of("alice"), USAGE_BY_APP, &got), 0);
    expect_lines(&got, by_app, N(by_app), "by application", __LINE__);
    store_read_cache_counts(c, &hits, &misses);
    ASSERT_EQ_U64(misses, 3);
    a->read_cache = b->read_cache = NULL;
    store_read_cache_free(c);
out:
    store_close(w);
    store_close(a);
    store_close(b);
}

static void test_cache_evicts_least_used(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    add_account(s, "carol");
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, T0, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "WEB", 1, 1, 1);
    add_usage(s, T0, "bob", "10.0.0.2", FLOW_DIR_IN, "default", "WEB", 2, 1, 1);
    add_usage(s, T0, "carol", "10.0.0.3", FLOW_DIR_OUT, "default", "WEB", 3, 1, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    struct store_read_cache *c = store_read_cache_new(2);
    s->read_cache = c;
    struct lines got;
    uint64_t hits, misses;
    ASSERT_EQ_INT(cached_read(s, id_of("alice"), USAGE_BY_SUBSCRIBER, &got), 0); /* miss */
    ASSERT_EQ_INT(cached_read(s, id_of("bob"), USAGE_BY_SUBSCRIBER, &got), 0);   /* miss */
    ASSERT_EQ_INT(cached_read(s, id_of("alice"), USAGE_BY_SUBSCRIBER, &got), 0); /* hit */
    ASSERT_EQ_INT(cached_read(s, id_of("carol"), USAGE_BY_SUBSCRIBER, &got), 0); /* miss: bob out */
    const char *carol[] = {"#carol carol - - - 0 out 3/1/1"};
    expect_lines(&got, carol, N(carol), "carol", __LINE__);
    ASSERT_EQ_INT(cached_read(s, id_of("alice"), USAGE_BY_SUBSCRIBER, &got), 0); /* hit */
    ASSERT_EQ_INT(cached_read(s, id_of("bob"), USAGE_BY_SUBSCRIBER, &got), 0);   /* miss */
    const char *bob[] = {"#bob bob - - - 0 in 2/1/1"};
    expect_lines(&got, bob, N(bob), "bob, read again", __LINE__);
    store_read_cache_counts(c, &hits, &misses);
    ASSERT_EQ_U64(hits, 2);
    ASSERT_EQ_U64(misses, 4);
    /* the unassigned (subscriber 0) and everyone (-1) are reads of their own */
    ASSERT_EQ_INT(cached_read(s, -1, USAGE_BY_SUBSCRIBER, &got), 0);
    ASSERT_EQ_U64(got.n, 3);
    ASSERT_EQ_INT(cached_read(s, 0, USAGE_BY_SUBSCRIBER, &got), 0);
    ASSERT_EQ_U64(got.n, 0);
    s->read_cache = NULL;
    store_read_cache_free(c);
    store_close(s);
}

static const struct conformance_case cases[] = {
    CONFORMANCE_CASE(test_cache_answers_until_a_flush),
    CONFORMANCE_CASE(test_cache_evicts_least_used),
};

int main(void)
{
    return conformance_main(cases, N(cases));
}
