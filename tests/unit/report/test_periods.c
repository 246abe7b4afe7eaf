// SPDX-License-Identifier: MIT
// Tests of the read side's local time: a period split where the zone's offset changes
// (instants from the zone rules, converted with date(1) by hand), and the names of the
// days and hours a store numbers.
#include "../../../src/report/periods.h"
#include "test.h"

#include <stdlib.h>
#include <time.h>

#define MS(s) ((uint64_t)(s)*1000)

static void test_spans_berlin(void)
{
    static struct offset_span spans[PERIODS_MAX_SPANS];
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    /* 2026-03-01 .. 2026-11-01: CEST from 2026-03-29T01:00Z, CET again from 2026-10-25T01:00Z */
    size_t n = periods_offset_spans(MS(1772323200), MS(1793491200), MS(1793491200), spans);
    ASSERT_EQ_U64(n, 3);
    ASSERT_EQ_U64(spans[0].from_ms, MS(1772323200));
    ASSERT_EQ_U64(spans[0].to_ms, MS(1774746000));
    ASSERT_EQ_INT(spans[0].utc_offset_s, 3600);
    ASSERT_EQ_U64(spans[1].from_ms, MS(1774746000));
    ASSERT_EQ_U64(spans[1].to_ms, MS(1792890000));
    ASSERT_EQ_INT(spans[1].utc_offset_s, 7200);
    ASSERT_EQ_U64(spans[2].from_ms, MS(1792890000));
    ASSERT_EQ_U64(spans[2].to_ms, MS(1793491200));
    ASSERT_EQ_INT(spans[2].utc_offset_s, 3600);
    /* Past the horizon the last offset holds to the end of the period. */
    n = periods_offset_spans(MS(1772323200), UINT64_MAX, MS(1774000000), spans);
    ASSERT_EQ_U64(n, 1);
    ASSERT_EQ_U64(spans[0].to_ms, UINT64_MAX);
    ASSERT_EQ_INT(spans[0].utc_offset_s, 3600);
}

static void test_spans_half_hour_and_utc(void)
{
    static struct offset_span spans[PERIODS_MAX_SPANS];
    /* Lord Howe Island moves by 30 minutes: +11:00 from 2026-04-05T02:00 local (+11),
     * i.e. 2026-04-04T15:00Z, to +10:30. */
    setenv("TZ", "Australia/Lord_Howe", 1);
    tzset();
    size_t n = periods_offset_spans(MS(1774000000), MS(1776000000), MS(1776000000), spans);
    ASSERT_EQ_U64(n, 2);
    ASSERT_EQ_U64(spans[0].to_ms, MS(1775314800));
    ASSERT_EQ_INT(spans[0].utc_offset_s, 39600);
    ASSERT_EQ_INT(spans[1].utc_offset_s, 37800);
    setenv("TZ", "UTC", 1);
    tzset();
    n = periods_offset_spans(0, UINT64_MAX, MS(1800000000), spans);
    ASSERT_EQ_U64(n, 1);
    ASSERT_EQ_INT(spans[0].utc_offset_s, 0);
}

static void test_names(void)
{
    char buf[20];
    /* 1774746000 + 7200 (CEST) = 1774753200 = 2026-03-29T03:00 local: day 20541, hour 492987 */
    ASSERT_STREQ(periods_day_name(1774753200 / 86400, buf), "2026-03-29");
    ASSERT_STREQ(periods_hour_name(1774753200 / 3600, buf), "2026-03-29 03:00");
    ASSERT_STREQ(periods_day_name(0, buf), "1970-01-01");
    ASSERT_STREQ(periods_hour_name(23, buf), "1970-01-01 23:00");
}

int main(void)
{
    RUN(test_spans_berlin);
    RUN(test_spans_half_hour_and_utc);
    RUN(test_names);
    return test_done();
}
