// SPDX-License-Identifier: MIT
// The store's conformance suite: what each flush saw of each exporter (migration 13's
// exporter_seen and 14's bytes: seen_add, seen_prune, seen_read), with results worked out
// by hand.
// conformance.h says how every case gets a store of its own on every engine.
#include "conformance.h"

/* A row as a line; its bytes only when there are some (the pruning cases have none). */
static void seen_line(void *ctx, const struct seen_row *r)
{
    char bytes[40] = "";
    if (r->bytes)
        snprintf(bytes, sizeof bytes, " bytes %llu", (unsigned long long)r->bytes);
    lines_add(ctx, "%s @%llu i=%llu %llu/%llu lost %llu/%llu dropped %llu%s", r->exporter,
              (unsigned long long)r->at_ms, (unsigned long long)r->interval_ms,
              (unsigned long long)r->packets, (unsigned long long)r->records,
              (unsigned long long)r->lost, (unsigned long long)r->lost_datagrams,
              (unsigned long long)r->dropped, bytes);
}

static void seen_bytes(struct store *s, const char *exporter, uint64_t at_ms, uint64_t interval_ms,
                       uint64_t packets, uint64_t records, uint64_t lost, uint64_t lost_datagrams,
                       uint64_t dropped, uint64_t bytes)
{
    struct seen_row r = {exporter, at_ms,          interval_ms, packets, records,
                         lost,     lost_datagrams, dropped,     bytes};
    ASSERT_EQ_INT(s->ops->seen_add(s, &r), 0);
}

static void seen(struct store *s, const char *exporter, uint64_t at_ms, uint64_t interval_ms,
                 uint64_t packets, uint64_t records, uint64_t lost, uint64_t lost_datagrams,
                 uint64_t dropped)
{
    seen_bytes(s, exporter, at_ms, interval_ms, packets, records, lost, lost_datagrams, dropped, 0);
}

static void read_seen(struct store *s, uint64_t since_ms, struct lines *l)
{
    memset(l, 0, sizeof *l);
    ASSERT_EQ_INT(s->ops->seen_read(s, since_ms, seen_line, l), 0);
}

/* Rows of a flush, a second row of one key adding up, a rollback, and reads: everything
 * since a time, with each exporter's latest row whatever its time; by exporter as bytes
 * ("*" first, "10." before "192.", IPv6 text after), then time. */
static void test_seen_rows(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    seen_bytes(s, "192.0.2.1", 1000, 1000, 10, 100, 1, 0, 2, 150000);
    seen_bytes(s, "2001:db8::1", 1000, 1000, 4, 40, 0, 3, 0, 60000);
    seen_bytes(s, "*", 1000, 1000, 14, 140, 1, 3, 2, 210000);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    /* the same exporter and time again (another collector): counts add, the longer
     * interval stays; outside a transaction, its own */
    seen_bytes(s, "192.0.2.1", 1000, 1500, 1, 5000000000ull, 1, 1, 1, 9000000000000ull);
    seen(s, "2001:db8::1", 1000, 500, 1, 1, 0, 0, 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    seen_bytes(s, "192.0.2.1", 2000, 1000, 9, 9, 9, 9, 9, 9);
    s->ops->rollback(s);
    seen_bytes(s, "192.0.2.1", 3000, 2000, 7, 70, 0, 0, 0, 70000);
    seen(s, "10.0.0.1", 500, 500, 1, 2, 0, 0, 0);
    store_close(s);

    struct store *r = open_store(true);
    if (!r)
        return;
    static const char *const all[] = {
        "* @1000 i=1000 14/140 lost 1/3 dropped 2 bytes 210000",
        "10.0.0.1 @500 i=500 1/2 lost 0/0 dropped 0",
        "192.0.2.1 @1000 i=1500 11/5000000100 lost 2/1 dropped 3 bytes 9000000150000",
        "192.0.2.1 @3000 i=2000 7/70 lost 0/0 dropped 0 bytes 70000",
        "2001:db8::1 @1000 i=1000 5/41 lost 0/3 dropped 0 bytes 60000",
    };
    struct lines l;
    read_seen(r, 0, &l);
    EXPECT_LINES(l, all);
    /* since 2000: the row at 3000, and every other exporter's latest */
    static const char *const since_2000[] = {
        "* @1000 i=1000 14/140 lost 1/3 dropped 2 bytes 210000",
        "10.0.0.1 @500 i=500 1/2 lost 0/0 dropped 0",
        "192.0.2.1 @3000 i=2000 7/70 lost 0/0 dropped 0 bytes 70000",
        "2001:db8::1 @1000 i=1000 5/41 lost 0/3 dropped 0 bytes 60000",
    };
    read_seen(r, 2000, &l);
    EXPECT_LINES(l, since_2000);
    /* since exactly 1000: the rows at 1000 are in */
    read_seen(r, 1000, &l);
    EXPECT_LINES(l, all);
    store_close(r);
}

/* Pruning: the oldest rows first, at most as many as asked, never an exporter's latest
 * row, inside the caller's transaction. */
static void test_seen_prune(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    seen(s, "192.0.2.1", 100, 100, 1, 1, 0, 0, 0);
    seen(s, "192.0.2.1", 200, 100, 2, 2, 0, 0, 0);
    seen(s, "192.0.2.1", 300, 100, 3, 3, 0, 0, 0);
    seen(s, "192.0.2.2", 150, 100, 4, 4, 0, 0, 0); /* its only row: its latest */
    seen(s, "192.0.2.3", 50, 50, 5, 5, 0, 0, 0);   /* likewise, the oldest row of all */
    seen(s, "*", 110, 100, 6, 6, 0, 0, 0);
    seen(s, "*", 300, 100, 7, 7, 0, 0, 0);
    int n = -1;
    ASSERT_EQ_INT(s->ops->seen_prune(s, 250, 0, &n), 0); /* none asked: none */
    ASSERT_EQ_INT(n, 0);
    /* before 250 and not the latest: 192.0.2.1 @100, * @110, 192.0.2.1 @200; two go */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->seen_prune(s, 250, 2, &n), 0);
    ASSERT_EQ_INT(n, 2);
    s->ops->rollback(s); /* back */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->seen_prune(s, 250, 2, &n), 0);
    ASSERT_EQ_INT(n, 2);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    static const char *const after_two[] = {
        "* @300 i=100 7/7 lost 0/0 dropped 0",
        "192.0.2.1 @200 i=100 2/2 lost 0/0 dropped 0",
        "192.0.2.1 @300 i=100 3/3 lost 0/0 dropped 0",
        "192.0.2.2 @150 i=100 4/4 lost 0/0 dropped 0",
        "192.0.2.3 @50 i=50 5/5 lost 0/0 dropped 0",
    };
    struct lines l;
    read_seen(s, 0, &l);
    EXPECT_LINES(l, after_two);
    ASSERT_EQ_INT(s->ops->seen_prune(s, 250, 10, &n), 0);
    ASSERT_EQ_INT(n, 1);
    ASSERT_EQ_INT(s->ops->seen_prune(s, 250, 10, NULL), 0); /* nothing left before 250 */
    /* however late: each exporter's latest row stays */
    ASSERT_EQ_INT(s->ops->seen_prune(s, UINT64_MAX, 10, &n), 0);
    ASSERT_EQ_INT(n, 0);
    static const char *const latest[] = {
        "* @300 i=100 7/7 lost 0/0 dropped 0",
        "192.0.2.1 @300 i=100 3/3 lost 0/0 dropped 0",
        "192.0.2.2 @150 i=100 4/4 lost 0/0 dropped 0",
        "192.0.2.3 @50 i=50 5/5 lost 0/0 dropped 0",
    };
    read_seen(s, 0, &l);
    EXPECT_LINES(l, latest);
    store_close(s);
}

static const struct conformance_case cases[] = {
    CONFORMANCE_CASE(test_seen_rows),
    CONFORMANCE_CASE(test_seen_prune),
};

int main(void)
{
    return conformance_main(cases, N(cases));
}
