// SPDX-License-Identifier: MIT
// The store's conformance suite, part two: the flush's writes and their reads (usage
// grouped every way, in local days and hours, filtered; counters, interfaces, log
// positions).
// conformance.h says how every case gets a store of its own on every engine.
#include "conformance.h"

/* Thirteen rows, two of them the same key (they sum), each other pair apart in at least
 * one key column; alice and bob must be known subscribers. */
static void load_usage(struct store *s)
{
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 1000, 10, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 500, 5, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_OUT, "default", "web", 200, 2, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "dns", 40, 1, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "night", "web", 7, 1, 1);
    add_usage(s, B1, "alice", "10.0.0.2", FLOW_DIR_IN, "default", "web", 30, 3, 1);
    add_usage(s, B1, "bob", "10.0.0.1", FLOW_DIR_IN, "default", "web", 11, 1, 1);
    add_usage(s, B2, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 2000, 20, 2);
    add_usage(s, B3, "bob", "10.0.0.3", FLOW_DIR_IN, "default", "web", 300, 3, 1);
    add_usage(s, B4, "bob", "10.0.0.3", FLOW_DIR_OUT, "default", "web", 400, 4, 1);
    add_usage(s, B2, NULL, "198.51.100.7", FLOW_DIR_TRANSIT, "default", "other", 9, 1, 1);
    add_usage(s, B2, NULL, "10.0.0.9", FLOW_DIR_INTERNAL, "default", "other", 5, 1, 1);
    add_usage(s, B2, "bob", "2001:db8::1", FLOW_DIR_IN, "default", "web", 60, 1, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
}

static struct store *usage_store(void)
{
    struct store *s = open_store(false);
    if (!s)
        return NULL;
    add_account(s, "alice");
    add_account(s, "bob");
    load_usage(s);
    return s;
}

/* ================================ the cases ================================ */

/* The same key sums, inside a flush, across flushes and outside one; a key that differs in
 * any one column is a row of its own. */
static void test_usage_additive(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    const char *odd = "a\\b\tc'd\"e"; /* an app name COPY or quoting could mangle */
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 100, 1, 1);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 200, 2, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 300, 3, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 4294967296u, 4294967296u,
              1);
    add_usage(s, T0 + 300, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    struct usage_row row = {.key = {.bucket_s = T0, .subscriber = 5, .dir = FLOW_DIR_IN},
                            .counts = {1, 1, 1}};
    ASSERT_EQ_INT(addr_parse("10.1.1.1", &row.key.host), 0);
    ASSERT_EQ_INT(s->ops->add_usage(s, &row, "default", "other"), 0);
    add_usage(s, T0, NULL, "10.1.1.2", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_OUT, "default", "other", 1, 1, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "night", "other", 1, 1, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "web", 1, 1, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", odd, 2, 2, 2);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", odd, 3, 3, 3);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    store_close(s);

    static const char *const first_bucket[] = {
        "#0 - 10.1.1.1 default a\\b\tc'd\"e 0 in 5/5/5",
        "#0 - 10.1.1.1 default other 0 in 4294967896/4294967302/4",
        "#0 - 10.1.1.1 default other 0 out 1/1/1",
        "#0 - 10.1.1.1 default web 0 in 1/1/1",
        "#0 - 10.1.1.1 night other 0 in 1/1/1",
        "#0 - 10.1.1.2 default other 0 in 1/1/1",
        "#5 - 10.1.1.1 default other 0 in 1/1/1",
    };
    static const char *const second_bucket[] = {"#0 - 10.1.1.1 default other 0 in 1/1/1"};
    const unsigned key = USAGE_BY_SUBSCRIBER | USAGE_BY_HOST | USAGE_BY_CLASS | USAGE_BY_APP;
    struct store *r = open_store(true); /* what a reader sees, after the writer closed */
    if (!r)
        return;
    struct lines l;
    ASSERT_EQ_INT(read_usage(r, key, 0, -1, T0 * 1000ull, (T0 + 300) * 1000ull, &l), 0);
    EXPECT_LINES(l, first_bucket);
    ASSERT_EQ_INT(read_usage(r, key, 0, -1, (T0 + 300) * 1000ull, ALL, &l), 0);
    EXPECT_LINES(l, second_bucket);
    store_close(r);
}

static void test_usage_groups(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    static const char *const by_dir[] = {
        "#0 - - - - 0 in 3948/45/10",
        "#0 - - - - 0 internal 5/1/1",
        "#0 - - - - 0 out 600/6/2",
        "#0 - - - - 0 transit 9/1/1",
    };
    read_all(s, 0, 0, &l);
    EXPECT_LINES(l, by_dir);

    static const char *const by_subscriber[] = {
        "#0 - - - - 0 internal 5/1/1",       "#0 - - - - 0 transit 9/1/1",
        "#alice alice - - - 0 in 3577/40/7", "#alice alice - - - 0 out 200/2/1",
        "#bob bob - - - 0 in 371/5/3",       "#bob bob - - - 0 out 400/4/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER, 0, &l);
    EXPECT_LINES(l, by_subscriber);

    static const char *const by_host[] = {
        "#0 - 10.0.0.1 - - 0 in 3558/38/7",      "#0 - 10.0.0.1 - - 0 out 200/2/1",
        "#0 - 10.0.0.2 - - 0 in 30/3/1",         "#0 - 10.0.0.3 - - 0 in 300/3/1",
        "#0 - 10.0.0.3 - - 0 out 400/4/1",       "#0 - 10.0.0.9 - - 0 internal 5/1/1",
        "#0 - 198.51.100.7 - - 0 transit 9/1/1", "#0 - 2001:db8::1 - - 0 in 60/1/1",
    };
    read_all(s, USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, by_host);

    static const char *const by_class[] = {
        "#0 - - default - 0 in 3941/44/9", "#0 - - default - 0 internal 5/1/1",
        "#0 - - default - 0 out 600/6/2",  "#0 - - default - 0 transit 9/1/1",
        "#0 - - night - 0 in 7/1/1",
    };
    read_all(s, USAGE_BY_CLASS, 0, &l);
    EXPECT_LINES(l, by_class);

    static const char *const by_app[] = {
        "#0 - - - dns 0 in 40/1/1",       "#0 - - - other 0 internal 5/1/1",
        "#0 - - - other 0 transit 9/1/1", "#0 - - - web 0 in 3908/44/9",
        "#0 - - - web 0 out 600/6/2",
    };
    read_all(s, USAGE_BY_APP, 0, &l);
    EXPECT_LINES(l, by_app);

    static const char *const by_key[] = {
        "#0 - 10.0.0.9 default other 0 internal 5/1/1",
        "#0 - 198.51.100.7 default other 0 transit 9/1/1",
        "#alice alice 10.0.0.1 default dns 0 in 40/1/1",
        "#alice alice 10.0.0.1 default web 0 in 3500/35/4",
        "#alice alice 10.0.0.1 default web 0 out 200/2/1",
        "#alice alice 10.0.0.1 night web 0 in 7/1/1",
        "#alice alice 10.0.0.2 default web 0 in 30/3/1",
        "#bob bob 10.0.0.1 default web 0 in 11/1/1",
        "#bob bob 10.0.0.3 default web 0 in 300/3/1",
        "#bob bob 10.0.0.3 default web 0 out 400/4/1",
        "#bob bob 2001:db8::1 default web 0 in 60/1/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER | USAGE_BY_HOST | USAGE_BY_CLASS | USAGE_BY_APP, 0, &l);
    EXPECT_LINES(l, by_key);

    static const char *const by_subscriber_host[] = {
        "#0 - 10.0.0.9 - - 0 internal 5/1/1",       "#0 - 198.51.100.7 - - 0 transit 9/1/1",
        "#alice alice 10.0.0.1 - - 0 in 3547/37/6", "#alice alice 10.0.0.1 - - 0 out 200/2/1",
        "#alice alice 10.0.0.2 - - 0 in 30/3/1",    "#bob bob 10.0.0.1 - - 0 in 11/1/1",
        "#bob bob 10.0.0.3 - - 0 in 300/3/1",       "#bob bob 10.0.0.3 - - 0 out 400/4/1",
        "#bob bob 2001:db8::1 - - 0 in 60/1/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER | USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, by_subscriber_host);

    static const char *const by_class_app[] = {
        "#0 - - default dns 0 in 40/1/1",       "#0 - - default other 0 internal 5/1/1",
        "#0 - - default other 0 transit 9/1/1", "#0 - - default web 0 in 3901/43/8",
        "#0 - - default web 0 out 600/6/2",     "#0 - - night web 0 in 7/1/1",
    };
    read_all(s, USAGE_BY_CLASS | USAGE_BY_APP, 0, &l);
    EXPECT_LINES(l, by_class_app);
    store_close(s);
}

static void test_usage_days(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    /* UTC: B1, B2 and B3 are day 20000, B4 day 20001 */
    static const char *const day_utc[] = {
        "#0 - - - - 20000 in 3948/45/10", "#0 - - - - 20000 internal 5/1/1",
        "#0 - - - - 20000 out 200/2/1",   "#0 - - - - 20000 transit 9/1/1",
        "#0 - - - - 20001 out 400/4/1",
    };
    read_all(s, USAGE_BY_DAY, 0, &l);
    EXPECT_LINES(l, day_utc);
    /* +01:00: 23:30 UTC (B3) is 00:30 of the next day */
    static const char *const day_east[] = {
        "#0 - - - - 20000 in 3648/42/9", "#0 - - - - 20000 internal 5/1/1",
        "#0 - - - - 20000 out 200/2/1",  "#0 - - - - 20000 transit 9/1/1",
        "#0 - - - - 20001 in 300/3/1",   "#0 - - - - 20001 out 400/4/1",
    };
    read_all(s, USAGE_BY_DAY, 3600, &l);
    EXPECT_LINES(l, day_east);
    /* +00:30: B3 falls on local midnight exactly, the first second of day 20001 */
    read_all(s, USAGE_BY_DAY, 1800, &l);
    EXPECT_LINES(l, day_east);
    /* -05:00: B1 and B2 (00:05 and 01:00 UTC) are the evening before; B4 (02:00 UTC of
     * 20001) is 21:00 of day 20000 */
    static const char *const day_west[] = {
        "#0 - - - - 19999 in 3648/42/9", "#0 - - - - 19999 internal 5/1/1",
        "#0 - - - - 19999 out 200/2/1",  "#0 - - - - 19999 transit 9/1/1",
        "#0 - - - - 20000 in 300/3/1",   "#0 - - - - 20000 out 400/4/1",
    };
    read_all(s, USAGE_BY_DAY, -18000, &l);
    EXPECT_LINES(l, day_west);

    static const char *const subscriber_day[] = {
        "#0 - - - - 20000 internal 5/1/1",       "#0 - - - - 20000 transit 9/1/1",
        "#alice alice - - - 20000 in 3577/40/7", "#alice alice - - - 20000 out 200/2/1",
        "#bob bob - - - 20000 in 371/5/3",       "#bob bob - - - 20001 out 400/4/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER | USAGE_BY_DAY, 0, &l);
    EXPECT_LINES(l, subscriber_day);

    static const char *const app_day_east[] = {
        "#0 - - - dns 20000 in 40/1/1",       "#0 - - - other 20000 internal 5/1/1",
        "#0 - - - other 20000 transit 9/1/1", "#0 - - - web 20000 in 3608/41/8",
        "#0 - - - web 20000 out 200/2/1",     "#0 - - - web 20001 in 300/3/1",
        "#0 - - - web 20001 out 400/4/1",
    };
    read_all(s, USAGE_BY_APP | USAGE_BY_DAY, 3600, &l);
    EXPECT_LINES(l, app_day_east);

    store_close(s);
}

static void test_usage_hours(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    static const char *const hour_utc[] = {
        "#0 - - - - 480000 in 1588/21/6",  "#0 - - - - 480000 out 200/2/1",
        "#0 - - - - 480001 in 2060/21/3",  "#0 - - - - 480001 internal 5/1/1",
        "#0 - - - - 480001 transit 9/1/1", "#0 - - - - 480023 in 300/3/1",
        "#0 - - - - 480026 out 400/4/1",
    };
    read_all(s, USAGE_BY_HOUR, 0, &l);
    EXPECT_LINES(l, hour_utc);
    /* DAY and HOUR: the hour wins; +01:00 moves every bucket one hour on */
    static const char *const hour_east[] = {
        "#0 - - - - 480001 in 1588/21/6",  "#0 - - - - 480001 out 200/2/1",
        "#0 - - - - 480002 in 2060/21/3",  "#0 - - - - 480002 internal 5/1/1",
        "#0 - - - - 480002 transit 9/1/1", "#0 - - - - 480024 in 300/3/1",
        "#0 - - - - 480027 out 400/4/1",
    };
    read_all(s, USAGE_BY_DAY | USAGE_BY_HOUR, 3600, &l);
    EXPECT_LINES(l, hour_east);
    /* +00:30: 00:05 and 01:00 stay in their hours (00:35, 01:30), 23:30 becomes 00:00 */
    static const char *const hour_half[] = {
        "#0 - - - - 480000 in 1588/21/6",  "#0 - - - - 480000 out 200/2/1",
        "#0 - - - - 480001 in 2060/21/3",  "#0 - - - - 480001 internal 5/1/1",
        "#0 - - - - 480001 transit 9/1/1", "#0 - - - - 480024 in 300/3/1",
        "#0 - - - - 480026 out 400/4/1",
    };
    read_all(s, USAGE_BY_HOUR, 1800, &l);
    EXPECT_LINES(l, hour_half);
    static const char *const hour_west[] = {
        "#0 - - - - 479995 in 1588/21/6",  "#0 - - - - 479995 out 200/2/1",
        "#0 - - - - 479996 in 2060/21/3",  "#0 - - - - 479996 internal 5/1/1",
        "#0 - - - - 479996 transit 9/1/1", "#0 - - - - 480018 in 300/3/1",
        "#0 - - - - 480021 out 400/4/1",
    };
    read_all(s, USAGE_BY_HOUR, -18000, &l);
    EXPECT_LINES(l, hour_west);

    static const char *const host_hour_bob[] = {
        "#0 - 10.0.0.1 - - 480000 in 11/1/1",
        "#0 - 10.0.0.3 - - 480023 in 300/3/1",
        "#0 - 10.0.0.3 - - 480026 out 400/4/1",
        "#0 - 2001:db8::1 - - 480001 in 60/1/1",
    };
    ASSERT_EQ_INT(read_usage(s, USAGE_BY_HOST | USAGE_BY_HOUR, 0, id_of("bob"), 0, ALL, &l), 0);
    EXPECT_LINES(l, host_hour_bob);
    store_close(s);
}

static void test_usage_filters(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    static const char *const bob_by_host[] = {
        "#0 - 10.0.0.1 - - 0 in 11/1/1",
        "#0 - 10.0.0.3 - - 0 in 300/3/1",
        "#0 - 10.0.0.3 - - 0 out 400/4/1",
        "#0 - 2001:db8::1 - - 0 in 60/1/1",
    };
    ASSERT_EQ_INT(read_usage(s, USAGE_BY_HOST, 0, id_of("bob"), 0, ALL, &l), 0);
    EXPECT_LINES(l, bob_by_host);
    static const char *const unassigned[] = {
        "#0 - - - - 0 internal 5/1/1",
        "#0 - - - - 0 transit 9/1/1",
    };
    ASSERT_EQ_INT(read_usage(s, 0, 0, USAGE_UNASSIGNED, 0, ALL, &l), 0);
    EXPECT_LINES(l, unassigned);
    ASSERT_EQ_INT(read_usage(s, 0, 0, 999999, 0, ALL, &l), 0);
    EXPECT_NO_LINES(l);

    /* [from, to) on bucket starts, in ms */
    static const char *const only_b1[] = {"#0 - - - - 0 in 1588/21/6", "#0 - - - - 0 out 200/2/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B1 * 1000ull, B2 * 1000ull, &l), 0);
    EXPECT_LINES(l, only_b1);
    static const char *const only_b2[] = {
        "#0 - - - - 0 in 2060/21/3",
        "#0 - - - - 0 internal 5/1/1",
        "#0 - - - - 0 transit 9/1/1",
    };
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B2 * 1000ull, B3 * 1000ull, &l), 0);
    EXPECT_LINES(l, only_b2);
    static const char *const only_b3[] = {"#0 - - - - 0 in 300/3/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B3 * 1000ull, B4 * 1000ull, &l), 0);
    EXPECT_LINES(l, only_b3);
    static const char *const b3_b4[] = {"#0 - - - - 0 in 300/3/1", "#0 - - - - 0 out 400/4/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B3 * 1000ull, (B4 + 1) * 1000ull, &l), 0);
    EXPECT_LINES(l, b3_b4);
    static const char *const only_b4[] = {"#0 - - - - 0 out 400/4/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B4 * 1000ull, ALL, &l), 0);
    EXPECT_LINES(l, only_b4);
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B3 * 1000ull, B3 * 1000ull, &l), 0);
    EXPECT_NO_LINES(l);
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, 0, B1 * 1000ull, &l), 0);
    EXPECT_NO_LINES(l);
    /* a subscriber and a period together */
    static const char *const alice_late[] = {"#0 - 10.0.0.1 - - 0 in 2000/20/2"};
    ASSERT_EQ_INT(read_usage(s, USAGE_BY_HOST, 0, id_of("alice"), B2 * 1000ull, ALL, &l), 0);
    EXPECT_LINES(l, alice_late);
    store_close(s);
}

/* The subscriber filter, each kind of value, grouped and not, over all time and over a
 * period: all (-1), the unassigned (0), one subscriber, one without usage. A read of one
 * subscriber has SQL of its own (so the index on subscriber serves it): each must give
 * exactly the rows of the read of all that are its own. */
static void test_usage_subscriber_filter(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    static const char *const all[] = {
        "#0 - - - - 0 internal 5/1/1",       "#0 - - - - 0 transit 9/1/1",
        "#alice alice - - - 0 in 3577/40/7", "#alice alice - - - 0 out 200/2/1",
        "#bob bob - - - 0 in 371/5/3",       "#bob bob - - - 0 out 400/4/1",
    };
    static const char *const all_b2[] = {
        "#0 - - - - 0 internal 5/1/1",
        "#0 - - - - 0 transit 9/1/1",
        "#alice alice - - - 0 in 2000/20/2",
        "#bob bob - - - 0 in 60/1/1",
    };
    static const char *const unassigned[] = {"#0 - - - - 0 internal 5/1/1",
                                             "#0 - - - - 0 transit 9/1/1"};
    static const char *const alice[] = {"#alice alice - - - 0 in 3577/40/7",
                                        "#alice alice - - - 0 out 200/2/1"};
    static const char *const alice_b2[] = {"#alice alice - - - 0 in 2000/20/2"};
    static const char *const bob[] = {"#bob bob - - - 0 in 371/5/3",
                                      "#bob bob - - - 0 out 400/4/1"};
    static const char *const bob_b2[] = {"#bob bob - - - 0 in 60/1/1"};
    static const char *const bob_ungrouped[] = {"#0 - - - - 0 in 371/5/3",
                                                "#0 - - - - 0 out 400/4/1"};
    const struct {
        const char *who; /* an account, "" for the unassigned, NULL for all */
        unsigned group;
        uint64_t from, to;
        const char *const *want;
        size_t n_want;
    } rows[] = {
        {NULL, USAGE_BY_SUBSCRIBER, 0, ALL, all, N(all)},
        {NULL, USAGE_BY_SUBSCRIBER, B2 * 1000ull, B3 * 1000ull, all_b2, N(all_b2)},
        {"", USAGE_BY_SUBSCRIBER, 0, ALL, unassigned, N(unassigned)},
        {"", USAGE_BY_SUBSCRIBER, B2 * 1000ull, B3 * 1000ull, unassigned, N(unassigned)},
        {"", USAGE_BY_SUBSCRIBER, B3 * 1000ull, ALL, NULL, 0},
        {"alice", USAGE_BY_SUBSCRIBER, 0, ALL, alice, N(alice)},
        {"alice", USAGE_BY_SUBSCRIBER, B2 * 1000ull, B3 * 1000ull, alice_b2, N(alice_b2)},
        {"alice", USAGE_BY_SUBSCRIBER, B3 * 1000ull, ALL, NULL, 0},
        {"bob", USAGE_BY_SUBSCRIBER, 0, ALL, bob, N(bob)},
        {"bob", USAGE_BY_SUBSCRIBER, B2 * 1000ull, B3 * 1000ull, bob_b2, N(bob_b2)},
        {"bob", 0, 0, ALL, bob_ungrouped, N(bob_ungrouped)},
        {"carol", USAGE_BY_SUBSCRIBER, 0, ALL, NULL, 0}, /* no usage, subscriber or not */
    };
    add_account(s, "carol");
    for (size_t i = 0; i < N(rows); i++) {
        int64_t id = !rows[i].who ? -1 : rows[i].who[0] ? id_of(rows[i].who) : USAGE_UNASSIGNED;
        struct lines l;
        ASSERT_EQ_INT(read_usage(s, rows[i].group, 0, id, rows[i].from, rows[i].to, &l), 0);
        char what[64];
        snprintf(what, sizeof what, "row %zu (%s)", i, rows[i].who ? rows[i].who : "all");
        expect_lines(&l, rows[i].want, rows[i].n_want, what, __LINE__);
    }
    store_close(s);
}

/* Bounds that are not whole seconds: a bucket starting at B3 s = B3 * 1000 ms is before
 * from = B3 * 1000 + 1 and is not read; B4 * 1000 ms is before to = B4 * 1000 + 1 and is. */
static void test_usage_ms_bounds(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    static const char *const only_b4[] = {"#0 - - - - 0 out 400/4/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B3 * 1000ull + 1, B4 * 1000ull + 1, &l), 0);
    EXPECT_LINES(l, only_b4);
    store_close(s);
}

static void test_usage_of_removed_subscriber(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    char errbuf[ERR_BUF_LEN] = "";
    add_binding(s, "bob", "prefix", "10.0.0.3/32", 1000, 0, "static", NULL, 0);
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), 0);
    struct lines l;
    static const char *const by_subscriber[] = {
        "#0 - - - - 0 internal 5/1/1",       "#0 - - - - 0 transit 9/1/1",
        "#alice alice - - - 0 in 3577/40/7", "#alice alice - - - 0 out 200/2/1",
        "#bob - - - - 0 in 371/5/3",         "#bob - - - - 0 out 400/4/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER, 0, &l);
    EXPECT_LINES(l, by_subscriber);
    static const char *const bob_by_day[] = {
        "#bob - - - - 20000 in 371/5/3",
        "#bob - - - - 20001 out 400/4/1",
    };
    ASSERT_EQ_INT(read_usage(s, USAGE_BY_SUBSCRIBER | USAGE_BY_DAY, 0, id_of("bob"), 0, ALL, &l),
                  0);
    EXPECT_LINES(l, bob_by_day);
    list_bindings(s, NULL, &l);
    EXPECT_NO_LINES(l);
    store_close(s);
}

struct id_list {
    int64_t id[8];
    size_t n;
};

static void note_id(void *ctx, int64_t id)
{
    struct id_list *l = ctx;
    if (l->n < 8)
        l->id[l->n] = id;
    l->n++;
}

/* The subscribers with usage from a bucket on (the alert thread's catch-up at start): each
 * once, by id, unassigned usage left out. alice has rows in B1 and B2, bob in B1, B2, B3
 * and B4, nobody's (unassigned) in B2. */
static void test_usage_subscribers(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct subscriber alice, bob;
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &alice), 0);
    ASSERT_EQ_INT(store_subscriber_get(s, "bob", &bob), 0);
    ASSERT_TRUE(alice.id < bob.id); /* added first */
    struct id_list l = {0};
    ASSERT_EQ_INT(store_usage_subscribers(s, (uint64_t)T0 * 1000, note_id, &l), 0);
    ASSERT_EQ_INT(l.n, 2);
    ASSERT_TRUE(l.id[0] == alice.id && l.id[1] == bob.id);
    l.n = 0;
    ASSERT_EQ_INT(store_usage_subscribers(s, (uint64_t)B2 * 1000 + 1, note_id, &l), 0);
    ASSERT_EQ_INT(l.n, 1); /* from just past B2's start: B3 and B4, bob's */
    ASSERT_TRUE(l.id[0] == bob.id);
    l.n = 0;
    ASSERT_EQ_INT(store_usage_subscribers(s, ((uint64_t)B4 + 300) * 1000, note_id, &l), 0);
    ASSERT_EQ_INT(l.n, 0);
    store_close(s);
}

static void test_stats(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_stat(s, "192.0.2.1", 9, 3, "records", 4); /* a write of its own */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_stat(s, "192.0.2.1", 9, 3, "records", 4);
    add_stat(s, "192.0.2.1", 9, 3, "dropped", 1);
    add_stat(s, "192.0.2.1", 9, 10, "records", 5);
    add_stat(s, "192.0.2.1", 5, 0, "records", 2);
    add_stat(s, "*", 0, 0, "flows", 7);
    add_stat(s, "192.0.2.1", 9, 3, "records", 5000000000ull);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_stat(s, "*", 0, 0, "flows", 1000);
    s->ops->rollback(s);
    store_close(s);

    static const char *const want[] = {
        "* 0 0 flows 7",
        "192.0.2.1 5 0 records 2",
        "192.0.2.1 9 3 dropped 1",
        "192.0.2.1 9 3 records 5000000008",
        "192.0.2.1 9 10 records 5",
    };
    struct store *r = open_store(true);
    struct lines l = {0};
    if (r)
        ASSERT_EQ_INT(r->ops->read_stats(r, stat_line, &l), 0);
    EXPECT_LINES(l, want);
    store_close(r);
}

static void test_interfaces(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    struct iface_row a = {"192.0.2.1", 10, 1000, 1000000000, 3, 100, 200, 1, 2, 3, 4};
    struct iface_row b = {"192.0.2.1", 2, 1500, 100000000, 1, 10, 20, 0, 0, 0, 0};
    struct iface_row a2 = {"192.0.2.1", 10, 2000, 10000000000ull, 2, 5000000000ull, 300, 5,
                           6,           7,  8};
    struct iface_row c = {"192.0.2.7", 1, 1800, 0, 0, 0, 0, 0, 0, 0, 0};
    ASSERT_EQ_INT(s->ops->set_interface(s, &a), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->set_interface(s, &b), 0);
    ASSERT_EQ_INT(s->ops->set_interface(s, &c), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->set_interface(s, &a2), 0); /* replaces a */
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    static const char *const want[] = {
        "192.0.2.1 2 t=1500 speed=100000000 status=1 10/20 err 0/0 disc 0/0",
        "192.0.2.1 10 t=2000 speed=10000000000 status=2 5000000000/300 err 5/6 disc 7/8",
        "192.0.2.7 1 t=1800 speed=0 status=0 0/0 err 0/0 disc 0/0",
    };
    struct lines l = {0};
    ASSERT_EQ_INT(s->ops->read_interfaces(s, iface_line, &l), 0);
    EXPECT_LINES(l, want);
    store_close(s);
}

static void test_log_positions(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    const char *squid = "/var/log/squid/access.log", *other = "/var/log/other.log";
    uint64_t inode = 0, offset = 0;
    ASSERT_EQ_INT(s->ops->get_log_position(s, squid, &inode, &offset), ERR_NOT_FOUND);
    ASSERT_EQ_INT(s->ops->set_log_position(s, squid, 1234, 5678), 0);
    ASSERT_EQ_INT(s->ops->get_log_position(s, squid, &inode, &offset), 0);
    ASSERT_EQ_U64(inode, 1234);
    ASSERT_EQ_U64(offset, 5678);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->set_log_position(s, squid, 1234, 9999), 0); /* replaces */
    ASSERT_EQ_INT(s->ops->set_log_position(s, other, 1099511627776ull, 2), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(s->ops->get_log_position(s, squid, &inode, &offset), 0);
    ASSERT_EQ_U64(inode, 1234);
    ASSERT_EQ_U64(offset, 9999);
    ASSERT_EQ_INT(s->ops->set_log_position(s, squid, 4321, 10), 0); /* rotated: a new inode */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->set_log_position(s, squid, 4321, 99), 0);
    s->ops->rollback(s);
    store_close(s);
    struct store *r = open_store(true);
    if (!r)
        return;
    ASSERT_EQ_INT(r->ops->get_log_position(r, squid, &inode, &offset), 0);
    ASSERT_EQ_U64(inode, 4321);
    ASSERT_EQ_U64(offset, 10);
    ASSERT_EQ_INT(r->ops->get_log_position(r, other, &inode, &offset), 0);
    ASSERT_EQ_U64(inode, 1099511627776ull);
    ASSERT_EQ_U64(offset, 2);
    ASSERT_EQ_INT(r->ops->get_log_position(r, "/var/log/none", &inode, &offset), ERR_NOT_FOUND);
    store_close(r);
}

static const struct conformance_case cases[] = {
    CONFORMANCE_CASE(test_usage_additive),
    CONFORMANCE_CASE(test_usage_groups),
    CONFORMANCE_CASE(test_usage_days),
    CONFORMANCE_CASE(test_usage_hours),
    CONFORMANCE_CASE(test_usage_filters),
    CONFORMANCE_CASE(test_usage_ms_bounds),
    CONFORMANCE_CASE(test_usage_subscriber_filter),
    CONFORMANCE_CASE(test_usage_of_removed_subscriber),
    CONFORMANCE_CASE(test_stats),
    CONFORMANCE_CASE(test_usage_subscribers),
    CONFORMANCE_CASE(test_interfaces),
    CONFORMANCE_CASE(test_log_positions),
};

int main(void)
{
    return conformance_main(cases, N(cases));
}
