// SPDX-License-Identifier: MIT
// Billing cycle arithmetic, table-driven, in two time zones (UTC and one with daylight
// saving), with the expected bounds worked out by hand with `TZ=... date -d`.
#include "../../../src/base/err.h"
#include "../../../src/billing/cycles.h"
#include "test.h"

#include <stdlib.h>
#include <time.h>

static void test_utc(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
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
}

static void test_daylight_saving(void)
{
    /* Europe/Berlin: 2026-03-29 clocks go forward; a cycle from 03-01 to 04-01 local is one
     * hour shorter than 31 days. */
    setenv("TZ", "Europe/Berlin", 1);
    tzset();
    struct cycle c;
    cycle_of_month(1, 2026, 3, &c);
    ASSERT_EQ_U64(c.start_ms, 1772319600000ULL); /* 2026-03-01 00:00 +01:00 */
    ASSERT_EQ_U64(c.end_ms, 1774994400000ULL);   /* 2026-04-01 00:00 +02:00 */
    ASSERT_EQ_U64(c.end_ms - c.start_ms, (31 * 24 - 1) * 3600000ULL);
    setenv("TZ", "UTC", 1);
    tzset();
}

int main(void)
{
    RUN(test_utc);
    RUN(test_daylight_saving);
    return test_done();
}
