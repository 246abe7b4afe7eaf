// SPDX-License-Identifier: MIT
// Billing cycle arithmetic, table-driven, in two time zones (UTC and one with daylight
// saving). The expected bounds are written as UTC instants worked out by hand from the
// local dates (Europe/Berlin: CET = UTC+1; CEST = UTC+2 from the last Sunday of March,
// 2024-03-31 and 2025-03-30, at 02:00), and turned into milliseconds here by a calendar
// formula of the test's own, not by mktime, which the code under test uses.
#include "../../../src/base/err.h"
#include "../../../src/billing/cycles.h"
#include "test.h"

#include <stdlib.h>
#include <time.h>

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

/* Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "YYYY-MM-DDTHH:MMZ" as ms since the epoch. */
static uint64_t utc(const char *iso)
{
    int y, mo, d, h, mi;
    if (sscanf(iso, "%d-%d-%dT%d:%dZ", &y, &mo, &d, &h, &mi) != 5)
        abort(); /* a typo in a table below */
    return (uint64_t)((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60) * 1000);
}

static void test_utc(void)
{
    set_tz("UTC");
    static const struct {
        int anchor;
        uint64_t t;
        int offset;
        uint64_t start, end;
    } cases[] = {
        /* 2026-11-23 12:00 UTC, anchor 1: November */
        {1, 1795435200000ULL, 0, 1793491200000ULL, 1796083200000ULL},
        /* anchor 25: the cycle began 2026-10-25 */
        {25, 1795435200000ULL, 0, 1792886400000ULL, 1795564800000ULL},
        /* exactly at the anchor instant: the new cycle */
        {25, 1795564800000ULL, 0, 1795564800000ULL, 1798156800000ULL},
        /* previous, across a year: 2026-01-10, anchor 15 -> 2025-11-15..2025-12-15 */
        {15, 1768046400000ULL, -1, 1763164800000ULL, 1765756800000ULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cycle c;
        cycle_at(cases[i].anchor, cases[i].t, cases[i].offset, &c);
        ASSERT_EQ_U64(c.start_ms, cases[i].start);
        ASSERT_EQ_U64(c.end_ms, cases[i].end);
    }
    struct cycle c;
    ASSERT_EQ_INT(cycle_parse("2026-02", 1, 0, &c), 0);
    ASSERT_EQ_U64(c.start_ms, 1769904000000ULL); /* 2026-02-01 */
    ASSERT_EQ_U64(c.end_ms, 1772323200000ULL);   /* 2026-03-01 */
    ASSERT_EQ_INT(cycle_parse("2026-13", 1, 0, &c), ERR_MALFORMED);
    ASSERT_EQ_INT(cycle_parse("soon", 1, 0, &c), ERR_MALFORMED);
    /* anchor 31 in UTC: 2024-12-31 .. 2025-01-31, across the year */
    ASSERT_EQ_INT(cycle_parse("2024-12", 31, 0, &c), 0);
    ASSERT_EQ_U64(c.start_ms, utc("2024-12-31T00:00Z"));
    ASSERT_EQ_U64(c.end_ms, utc("2025-01-31T00:00Z"));
    ASSERT_EQ_INT(c.year, 2024);
    ASSERT_EQ_INT(c.month, 12);
}

/* The cycle starting in each month, Europe/Berlin: anchors 1, 15, 29, 30 and 31 around
 * February of a leap year (2024) and of a common one (2025). */
static void test_anchor_days(void)
{
    set_tz("Europe/Berlin");
    static const struct {
        int anchor, year, month;
        const char *start, *end; /* local date, then its UTC instant */
    } cases[] = {
        /* anchor 1: Feb 1 00:00 CET .. Mar 1 00:00 CET */
        {1, 2024, 2, "2024-01-31T23:00Z", "2024-02-29T23:00Z"},
        {1, 2025, 2, "2025-01-31T23:00Z", "2025-02-28T23:00Z"},
        /* anchor 15: Feb 15 .. Mar 15, both CET */
        {15, 2024, 2, "2024-02-14T23:00Z", "2024-03-14T23:00Z"},
        {15, 2025, 2, "2025-02-14T23:00Z", "2025-03-14T23:00Z"},
        /* anchor 29: 2024 has Feb 29; 2025 starts on Feb 28, its last day; both end
         * Mar 29, still CET */
        {29, 2024, 1, "2024-01-28T23:00Z", "2024-02-28T23:00Z"},
        {29, 2024, 2, "2024-02-28T23:00Z", "2024-03-28T23:00Z"},
        {29, 2025, 1, "2025-01-28T23:00Z", "2025-02-27T23:00Z"},
        {29, 2025, 2, "2025-02-27T23:00Z", "2025-03-28T23:00Z"},
        /* anchor 30: Jan 30 .. Feb 29 (2024) or Feb 28 (2025) .. Mar 30 00:00, which is
         * CET in both years (2025's change is at 02:00 that day) */
        {30, 2024, 1, "2024-01-29T23:00Z", "2024-02-28T23:00Z"},
        {30, 2024, 2, "2024-02-28T23:00Z", "2024-03-29T23:00Z"},
        {30, 2025, 1, "2025-01-29T23:00Z", "2025-02-27T23:00Z"},
        {30, 2025, 2, "2025-02-27T23:00Z", "2025-03-29T23:00Z"},
        /* anchor 31: Jan 31 .. Feb 29 / 28 .. Mar 31 00:00 (2024: CET, the change comes
         * at 02:00 that day; 2025: CEST since Mar 30) .. Apr 30 (April has 30 days) */
        {31, 2024, 1, "2024-01-30T23:00Z", "2024-02-28T23:00Z"},
        {31, 2024, 2, "2024-02-28T23:00Z", "2024-03-30T23:00Z"},
        {31, 2024, 3, "2024-03-30T23:00Z", "2024-04-29T22:00Z"},
        {31, 2025, 1, "2025-01-30T23:00Z", "2025-02-27T23:00Z"},
        {31, 2025, 2, "2025-02-27T23:00Z", "2025-03-30T22:00Z"},
        {31, 2025, 3, "2025-03-30T22:00Z", "2025-04-29T22:00Z"},
        /* months outside 1..12 carry into the neighbouring years: 2024-13 is 2025-01 */
        {31, 2024, 13, "2025-01-30T23:00Z", "2025-02-27T23:00Z"},
        {31, 2025, 0, "2024-12-30T23:00Z", "2025-01-30T23:00Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cycle c;
        cycle_of_month(cases[i].anchor, cases[i].year, cases[i].month, &c);
        if (c.start_ms != utc(cases[i].start) || c.end_ms != utc(cases[i].end))
            TEST_FAIL("case %zu: anchor %d, %d-%02d: got [%llu, %llu), expected [%s, %s)", i,
                      cases[i].anchor, cases[i].year, cases[i].month,
                      (unsigned long long)c.start_ms, (unsigned long long)c.end_ms, cases[i].start,
                      cases[i].end);
    }
    ASSERT_EQ_INT(cycle_start_day(31, 2024, 2), 29);
    ASSERT_EQ_INT(cycle_start_day(31, 2025, 2), 28);
    ASSERT_EQ_INT(cycle_start_day(30, 2100, 2), 28); /* 2100: divisible by 100, not leap */
    ASSERT_EQ_INT(cycle_start_day(30, 2000, 2), 29); /* 2000: divisible by 400, leap */
    ASSERT_EQ_INT(cycle_start_day(31, 2025, 4), 30);
    ASSERT_EQ_INT(cycle_start_day(15, 2025, 4), 15);
    set_tz("UTC");
}

/* cycle_at() finds the cycle holding t when the anchor falls on a month's last day: just
 * before a start, at it, and inside; with offsets across the short month. */
static void test_cycle_at_short_months(void)
{
    set_tz("Europe/Berlin");
    static const struct {
        int anchor;
        const char *t;
        int offset;
        const char *start, *end;
        int year, month; /* the local month the cycle starts in */
    } cases[] = {
        /* anchor 30, 2025-02-27 23:59 local: still January's cycle (Jan 30 .. Feb 28) */
        {30, "2025-02-27T22:59Z", 0, "2025-01-29T23:00Z", "2025-02-27T23:00Z", 2025, 1},
        /* 2025-02-28 00:00 local: February's, from its last day */
        {30, "2025-02-27T23:00Z", 0, "2025-02-27T23:00Z", "2025-03-29T23:00Z", 2025, 2},
        /* 2025-03-15: February's still; it ends Mar 30 */
        {30, "2025-03-15T12:00Z", 0, "2025-02-27T23:00Z", "2025-03-29T23:00Z", 2025, 2},
        /* anchor 31, 2024-02-15: January's cycle (Jan 31 .. Feb 29) */
        {31, "2024-02-15T12:00Z", 0, "2024-01-30T23:00Z", "2024-02-28T23:00Z", 2024, 1},
        /* 2024-02-29 12:00: February's (Feb 29 .. Mar 31) */
        {31, "2024-02-29T11:00Z", 0, "2024-02-28T23:00Z", "2024-03-30T23:00Z", 2024, 2},
        /* 2025-03-30 23:59:59 CEST is 21:59:59Z: February's; 22:00Z is March's */
        {31, "2025-03-30T21:59Z", 0, "2025-02-27T23:00Z", "2025-03-30T22:00Z", 2025, 2},
        {31, "2025-03-30T22:00Z", 0, "2025-03-30T22:00Z", "2025-04-29T22:00Z", 2025, 3},
        /* 2024-03-10, anchor 31: the cycle before is January's, the one after March's */
        {31, "2024-03-10T12:00Z", -1, "2024-01-30T23:00Z", "2024-02-28T23:00Z", 2024, 1},
        {31, "2024-03-10T12:00Z", 1, "2024-03-30T23:00Z", "2024-04-29T22:00Z", 2024, 3},
        /* across a year: 2025-01-05, anchor 31 is December's cycle; 13 on is 2025-12's */
        {31, "2025-01-05T12:00Z", 0, "2024-12-30T23:00Z", "2025-01-30T23:00Z", 2024, 12},
        {31, "2025-01-05T12:00Z", 12, "2025-12-30T23:00Z", "2026-01-30T23:00Z", 2025, 12},
        /* anchor 29, 2025-02-28 00:00 local: February's cycle starts there */
        {29, "2025-02-27T23:00Z", 0, "2025-02-27T23:00Z", "2025-03-28T23:00Z", 2025, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct cycle c;
        cycle_at(cases[i].anchor, utc(cases[i].t), cases[i].offset, &c);
        if (c.start_ms != utc(cases[i].start) || c.end_ms != utc(cases[i].end) ||
            c.year != cases[i].year || c.month != cases[i].month)
            TEST_FAIL("case %zu: anchor %d at %s %+d: got %d-%02d [%llu, %llu), expected "
                      "%d-%02d [%s, %s)",
                      i, cases[i].anchor, cases[i].t, cases[i].offset, c.year, c.month,
                      (unsigned long long)c.start_ms, (unsigned long long)c.end_ms, cases[i].year,
                      cases[i].month, cases[i].start, cases[i].end);
    }
    set_tz("UTC");
}

static void test_daylight_saving(void)
{
    /* Europe/Berlin: 2026-03-29 clocks go forward; a cycle from 03-01 to 04-01 local is one
     * hour shorter than 31 days. */
    set_tz("Europe/Berlin");
    struct cycle c;
    cycle_of_month(1, 2026, 3, &c);
    ASSERT_EQ_U64(c.start_ms, 1772319600000ULL); /* 2026-03-01 00:00 +01:00 */
    ASSERT_EQ_U64(c.end_ms, 1774994400000ULL);   /* 2026-04-01 00:00 +02:00 */
    ASSERT_EQ_U64(c.end_ms - c.start_ms, (31 * 24 - 1) * 3600000ULL);
    /* 2025: clocks go forward on 03-30, inside March's cycle. */
    cycle_of_month(1, 2025, 3, &c);
    ASSERT_EQ_U64(c.start_ms, utc("2025-02-28T23:00Z")); /* 2025-03-01 00:00 CET */
    ASSERT_EQ_U64(c.end_ms, utc("2025-03-31T22:00Z"));   /* 2025-04-01 00:00 CEST */
    ASSERT_EQ_U64(c.end_ms - c.start_ms, (31 * 24 - 1) * 3600000ULL);
    /* found from an instant on either side of the change */
    struct cycle before, after;
    cycle_at(1, utc("2025-03-30T00:59Z"), 0, &before); /* 01:59 CET */
    cycle_at(1, utc("2025-03-30T01:00Z"), 0, &after);  /* 03:00 CEST */
    ASSERT_EQ_U64(before.start_ms, c.start_ms);
    ASSERT_EQ_U64(after.end_ms, c.end_ms);
    /* and back in October: 2025-10-26, a cycle one hour longer than 31 days */
    cycle_of_month(1, 2025, 10, &c);
    ASSERT_EQ_U64(c.start_ms, utc("2025-09-30T22:00Z")); /* 2025-10-01 00:00 CEST */
    ASSERT_EQ_U64(c.end_ms, utc("2025-10-31T23:00Z"));   /* 2025-11-01 00:00 CET */
    ASSERT_EQ_U64(c.end_ms - c.start_ms, (31 * 24 + 1) * 3600000ULL);
    set_tz("UTC");
}

int main(void)
{
    RUN(test_utc);
    RUN(test_anchor_days);
    RUN(test_cycle_at_short_months);
    RUN(test_daylight_saving);
    return test_done();
}
