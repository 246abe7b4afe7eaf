// SPDX-License-Identifier: MIT
// Tests of the exporters' health view (src/report/health.c): the verdict rules, the rate
// and loss arithmetic (tenths, rounded half up), address order, and what health_read()
// makes of a store's flush rows (the last hour, the latest flush, what the hour covers),
// through a store whose seen_read serves rows written out here. Every expected figure is
// worked out by hand in the comment beside it.
#include "../../../src/report/health.h"
#include "test.h"

#include <stdlib.h>

static void test_rate(void)
{
    static const struct {
        uint64_t count, ms, want_x10;
    } cases[] = {
        {200, 2000, 1000}, /* 100/s */
        {1, 3000, 3},      /* 0.333/s: 3.33 tenths */
        {1, 6000, 2},      /* 0.1667/s: 1.67 tenths, up */
        {1, 20000, 1},     /* 0.05/s: half a tenth, rounded up */
        {1, 20001, 0},     /* just under half a tenth */
        {5, 0, 0},         /* no time covered: no rate */
        {0, 5000, 0},
        {18000000000000000000ULL, 100000000, 1800000000000000ULL}, /* no overflow */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ASSERT_EQ_U64(health_rate_x10(cases[i].count, cases[i].ms), cases[i].want_x10);
}

static void test_loss(void)
{
    static const struct {
        struct health_counts c; /* packets, records, lost, lost_datagrams, dropped, bytes */
        uint64_t want_x10;
        bool losing;
    } cases[] = {
        {{0, 0, 0, 0, 0, 0}, 0, false},     /* nothing seen: nothing lost */
        {{10, 100, 0, 0, 0, 0}, 0, false},  /* zero is 0 */
        {{1, 99, 1, 0, 0, 0}, 10, false},   /* 1 of 100: exactly 1%, not over */
        {{1, 98, 2, 0, 0, 0}, 20, true},    /* 2 of 100 */
        {{1, 98, 1, 0, 1, 0}, 20, true},    /* a dropped set counts as a record lost */
        {{1, 14, 1, 0, 0, 0}, 67, true},    /* 1 of 15: 6.667% */
        {{1, 999, 1, 0, 0, 0}, 1, false},   /* 1 of 1000: 0.1% */
        {{1, 1999, 1, 0, 0, 0}, 1, false},  /* 1 of 2000: 0.05%, rounded up to 0.1 */
        {{0, 0, 1, 0, 0, 0}, 1000, true},   /* all of it */
        {{99, 990, 0, 1, 0, 0}, 10, false}, /* v9: 1 datagram of 100 */
        {{98, 980, 0, 2, 0, 0}, 20, true},  /* v9: 2 of 100 */
        {{98, 96, 4, 2, 0, 0}, 40, true},   /* the larger share: 4 of 100 records, 2 of 100 */
        {{96, 98, 2, 4, 0, 0}, 40, true},   /* ... 4 of 100 datagrams */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool losing = !cases[i].losing;
        ASSERT_EQ_U64(health_loss_x10(&cases[i].c, &losing), cases[i].want_x10);
        ASSERT_EQ_INT(losing, cases[i].losing);
    }
}

static void test_verdict(void)
{
    static const struct {
        uint64_t unseen_ms, silent_after_ms, interval_ms;
        struct health_counts hour;
        enum health_verdict want;
    } cases[] = {
        {0, 300000, 5000, {10, 100, 0, 0, 0, 0}, HEALTH_OK},
        {300000, 300000, 5000, {10, 100, 0, 0, 0, 0}, HEALTH_OK},     /* exactly the limit */
        {300001, 300000, 5000, {10, 100, 0, 0, 0, 0}, HEALTH_SILENT}, /* past it */
        {300001, 300000, 5000, {0, 0, 0, 0, 0, 0}, HEALTH_SILENT},    /* nothing in the hour */
        /* a long flush interval: three of them (600 s) before silent */
        {500000, 300000, 200000, {1, 1, 0, 0, 0, 0}, HEALTH_OK},
        {600000, 300000, 200000, {1, 1, 0, 0, 0, 0}, HEALTH_OK},
        {600001, 300000, 200000, {1, 1, 0, 0, 0, 0}, HEALTH_SILENT},
        {2000, 1000, 100, {1, 1, 0, 0, 0, 0}, HEALTH_SILENT}, /* --silent-after 1 */
        {1000, 1000, 100, {1, 1, 0, 0, 0, 0}, HEALTH_OK},
        {0, 300000, 5000, {1, 98, 2, 0, 0, 0}, HEALTH_LOSING},
        {0, 300000, 5000, {1, 99, 1, 0, 0, 0}, HEALTH_OK},
        {0, 300000, 5000, {98, 980, 0, 2, 0, 0}, HEALTH_LOSING},
        {300001, 300000, 5000, {1, 50, 50, 0, 0, 0}, HEALTH_SILENT}, /* silent says more */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct health h = {.now_ms = 10000000,
                           .silent_after_ms = cases[i].silent_after_ms,
                           .flush_interval_ms = cases[i].interval_ms};
        struct health_exporter e = {.last_ms = h.now_ms - cases[i].unseen_ms,
                                    .hour = cases[i].hour};
        ASSERT_EQ_INT(health_judge(&h, &e), cases[i].want);
    }
    /* a last seen time after now (another collector's clock): not silent */
    struct health h = {.now_ms = 1000, .silent_after_ms = 1000};
    struct health_exporter e = {.last_ms = 5000};
    ASSERT_EQ_INT(health_judge(&h, &e), HEALTH_OK);
    ASSERT_EQ_U64(health_silent_ms(300000, 5000), 300000);
    ASSERT_EQ_U64(health_silent_ms(300000, 100001), 300003);
}

static void test_order(void)
{
    static const char *const texts[] = {
        "::1", "127.0.0.10", "zz", "127.0.0.2", "2001:db8::1", "10.0.0.1", "9.255.255.255", "aa"};
    static const char *const want[] = {"9.255.255.255", "10.0.0.1",    "127.0.0.2", "127.0.0.10",
                                       "::1",           "2001:db8::1", "aa",        "zz"};
    enum { N = sizeof texts / sizeof texts[0] };
    struct health_exporter e[N];
    for (size_t i = 0; i < N; i++) {
        e[i] = (struct health_exporter){0};
        snprintf(e[i].exporter, sizeof e[i].exporter, "%s", texts[i]);
        e[i].is_addr = addr_parse(texts[i], &e[i].addr) == 0;
    }
    qsort(e, N, sizeof e[0], health_compare);
    for (size_t i = 0; i < N; i++)
        ASSERT_STREQ(e[i].exporter, want[i]);
}

static void test_parse_seconds(void)
{
    uint64_t ms = 7;
    ASSERT_EQ_INT(health_parse_seconds("1", &ms), 0);
    ASSERT_EQ_U64(ms, 1000);
    ASSERT_EQ_INT(health_parse_seconds("604800", &ms), 0);
    ASSERT_EQ_U64(ms, 604800000);
    static const char *const bad[] = {"", "0", "604801", "-5", "5s", " 5", "1.5", "99999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms = 7;
        ASSERT_EQ_INT(health_parse_seconds(bad[i], &ms), ERR_MALFORMED);
        ASSERT_EQ_U64(ms, 7);
    }
}

/* ---- health_read() over a store that serves these rows ---- */

/* By exporter (as bytes), then time, as every engine gives them. */
static const struct seen_row rows[] = {
    /* exporter, at, interval, packets, records, lost, lost_datagrams, dropped, bytes */
    {"*", 1000000, 5000, 3, 30, 0, 0, 0, 3000},
    {"*", 1005000, 5000, 5, 50, 0, 0, 0, 5000},
    {"*", 1010000, 5000, 12, 114, 1, 0, 0, 17001},
    {"10.0.0.1", 1010000, 5000, 2, 14, 1, 0, 0, 7000},
    {"127.0.0.10", 1000000, 5000, 3, 30, 0, 0, 0, 3000},
    {"127.0.0.2", 1005000, 5000, 5, 50, 0, 0, 0, 5000},
    {"127.0.0.2", 1010000, 5000, 10, 100, 0, 0, 0, 10001},
    /* after the `now` of the first cases: left out */
    {"127.0.0.2", 1013000, 3000, 9, 90, 0, 0, 0, 9000},
};

/* As the engines: the rows at or after since, and each exporter's latest whatever its time. */
static int fake_seen_read(struct store *s, uint64_t since_ms, store_seen_fn *fn, void *ctx)
{
    (void)s;
    size_t n = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < n; i++) {
        bool latest = i + 1 == n || strcmp(rows[i + 1].exporter, rows[i].exporter) != 0;
        if (rows[i].at_ms >= since_ms || latest)
            fn(ctx, &rows[i]);
    }
    return 0;
}

static const char *fake_last_error(struct store *s)
{
    (void)s;
    return "";
}

static const struct store_ops fake_ops = {
    .engine = "fake", .seen_read = fake_seen_read, .last_error = fake_last_error};

static void read_csv(uint64_t now_ms, uint64_t silent_after_ms, struct health *h, char **text)
{
    struct store s = {.ops = &fake_ops};
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(health_read(&s, now_ms, silent_after_ms, h, errbuf), 0);
    size_t size;
    FILE *out = open_memstream(text, &size);
    health_print(h, REPORT_CSV, out);
    fclose(out);
}

#define HEAD                                                                                       \
    "exporter,last_seen,last_seen_ago_s,records_per_s,records_per_s_1h,bytes_per_s,"               \
    "bytes_per_s_1h,datagrams_per_s,datagrams_per_s_1h,records_1h,bytes_1h,datagrams_1h,"          \
    "lost_1h,lost_datagrams_1h,dropped_1h,loss_percent_1h,verdict,silent_since\n"

static void test_read(void)
{
    struct health h;
    char *csv = NULL;
    /* Two seconds after the flush at 1010000 (the one at 1013000 is in the future). The hour
     * holds every row: the flushes cover 995000 (the first one's start) to 1010000, 15 s.
     * 10.0.0.1: 14 records and 2 datagrams in the last 5 s interval: 2.8/s and 0.4/s; over
     * 15 s 0.93/s and 0.13/s; 1 lost of 15: 6.7%, losing. 127.0.0.2: 100 and 10 in 5 s:
     * 20.0/s and 2.0/s; 150 and 15 in 15 s: 10.0/s and 1.0/s. 127.0.0.10: not in the last
     * flush (0.0/s); 30 and 3 in 15 s: 2.0/s and 0.2/s; last seen 12 s ago. Bytes:
     * 10.0.0.1 7000 in 5 s, 1400.0/s, in 15 s 466.67/s; 127.0.0.2 10001 in 5 s, 2000.2/s,
     * 15001 in 15 s, 1000.07/s; 127.0.0.10 3000 in 15 s, 200.0/s. */
    read_csv(1012000, 300000, &h, &csv);
    ASSERT_EQ_INT(h.has_flush, true);
    ASSERT_EQ_U64(h.last_flush_ms, 1010000);
    ASSERT_EQ_U64(h.flush_interval_ms, 5000);
    ASSERT_EQ_U64(h.hour_span_ms, 15000);
    ASSERT_STREQ(csv,
                 HEAD "10.0.0.1,1010,2,2.8,0.9,1400.0,466.7,0.4,0.1,14,7000,2,1,0,0,6.7,"
                      "losing,\n"
                      "127.0.0.2,1010,2,20.0,10.0,2000.2,1000.1,2.0,1.0,150,15001,15,0,0,0,"
                      "0.0,ok,\n"
                      "127.0.0.10,1000,12,0.0,2.0,0.0,200.0,0.0,0.2,30,3000,3,0,0,0,0.0,ok,\n");
    /* the line the table and the portal render: bytes/s in decimal units, the verdict */
    struct health_line l;
    health_line_of(&h, &h.ex[0], &l);
    ASSERT_STREQ(l.bytes_unit, "1.4 kB/s");
    ASSERT_STREQ(l.bytes_hour_unit, "466 B/s");
    ASSERT_STREQ(l.verdict_text, "losing 6.7%");
    ASSERT_STREQ(health_verdict_word(l.verdict), "losing");
    free(csv);
    health_free(&h);

    /* An hour after 1000000: that flush's rows are out of the hour. The flushes at 1005000
     * and 1010000 cover 1000000 to 1010000, 10 s. 127.0.0.2's row at 1013000 (written after
     * the latest flush row, as by another collector) is now in: its last interval 90 records
     * and 9 datagrams in 3 s, 30.0/s and 3.0/s; the hour 240 and 24 over 10 s, 24.0/s and
     * 2.4/s; bytes 9000 in 3 s, 3000.0/s, 24001 over 10 s, 2400.1/s (10.0.0.1: 700.0/s).
     * Everyone unseen for about an hour, past 300 s: silent since their last row. */
    read_csv(4600000, 300000, &h, &csv);
    ASSERT_EQ_U64(h.hour_span_ms, 10000);
    ASSERT_STREQ(csv,
                 HEAD "10.0.0.1,1010,3590,2.8,1.4,1400.0,700.0,0.4,0.2,14,7000,2,1,0,0,6.7,silent,"
                      "1010\n"
                      "127.0.0.2,1013,3587,30.0,24.0,3000.0,2400.1,3.0,2.4,240,24001,24,0,0,0,0.0,"
                      "silent,1013\n"
                      "127.0.0.10,1000,3600,0.0,0.0,0.0,0.0,0.0,0.0,0,0,0,0,0,0,0.0,silent,1000\n");
    free(csv);
    health_free(&h);

    /* Before any flush: no exporter, no flush. */
    read_csv(999000, 300000, &h, &csv);
    ASSERT_EQ_INT(h.has_flush, false);
    ASSERT_EQ_U64(h.n, 0);
    free(csv);
    health_free(&h);
}

int main(void)
{
    RUN(test_rate);
    RUN(test_loss);
    RUN(test_verdict);
    RUN(test_order);
    RUN(test_parse_seconds);
    RUN(test_read);
    return test_done();
}
