// SPDX-License-Identifier: MIT
// Tests of the read side's parsing and formatting: times (UTC), formats, byte units.
#include "../../../src/report/report.h"
#include "test.h"

#include <errno.h>

static void test_parse_time(void)
{
    static const struct {
        const char *text;
        int rc;
        uint64_t ms;
    } cases[] = {
        {"1790000000", 0, 1790000000000ULL},
        {"2026-11-23", 0, 1795392000000ULL},
        {"2026-11-23T10:05", 0, 1795392000000ULL + 36300000},
        {"2026-11-23T10:05:09Z", 0, 1795392000000ULL + 36309000},
        {"2026-11-23 10:05:09", 0, 1795392000000ULL + 36309000},
        {"1970-01-01", 0, 0},
        {"2024-02-29", 0, 1709164800000ULL},
        /* 2000 is a leap year (divisible by 400): 946684800 (2000-01-01) + 59 days. */
        {"2000-02-29", 0, 951782400000ULL},
        /* 2026-11-23 less 268 days (1 + 245 from March to October, + 22 in November). */
        {"2026-02-28", 0, 1772236800000ULL},
        {"2026-11-23T23:59:59", 0, 1795392000000ULL + 86399000},
        {"2026-9-1", 0, 1788220800000ULL}, /* 2026-11-23 less 83 days */
        {"9999-12-31T23:59:59Z", 0, 253402300799000ULL},
        {"253402300799", 0, 253402300799000ULL},
        /* The right shape, but no such day or time: timegm() would have moved them. */
        {"2026-02-30", -ERANGE, 0}, /* was taken as 2026-03-02 */
        {"2026-02-29", -ERANGE, 0},
        {"2025-02-29", -ERANGE, 0},
        {"2100-02-29", -ERANGE, 0}, /* divisible by 100, not by 400 */
        {"2026-04-31", -ERANGE, 0},
        {"2026-11-31", -ERANGE, 0},
        {"2026-13-01", -ERANGE, 0},
        {"2026-00-10", -ERANGE, 0},
        {"2026-11-00", -ERANGE, 0},
        {"2026-11-23T24:00", -ERANGE, 0},
        {"2026-11-23T25:00", -ERANGE, 0},
        {"2026-11-23T10:60", -ERANGE, 0},
        {"2026-11-23T23:59:60", -ERANGE, 0}, /* no leap seconds in unix time */
        {"1969-12-31", -ERANGE, 0},
        {"253402300800", -ERANGE, 0}, /* 10000-01-01 */
        {"99999999999999999999999", -ERANGE, 0},
        /* Not the shape at all. */
        {"2026-11-23X", ERR_MALFORMED, 0},
        {"2026-11-23T10:05Zx", ERR_MALFORMED, 0},
        {"2026-11-23Z ", ERR_MALFORMED, 0},
        {"2026-11-23T-1:30", ERR_MALFORMED, 0},
        {"2026-11-23T 1:30", ERR_MALFORMED, 0},
        {"2026-11-23T10", ERR_MALFORMED, 0},
        {"2026-11-23T10:05:", ERR_MALFORMED, 0},
        {"2026-+1-23", ERR_MALFORMED, 0},
        {"2026-11-123", ERR_MALFORMED, 0},
        {"26-11-23", ERR_MALFORMED, 0},
        {"yesterday", ERR_MALFORMED, 0},
        {"12abc", ERR_MALFORMED, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t ms = 0;
        int rc = report_parse_time(cases[i].text, &ms);
        if (rc != cases[i].rc)
            TEST_FAIL("'%s': rc %d, expected %d", cases[i].text, rc, cases[i].rc);
        else if (rc == 0)
            ASSERT_EQ_U64(ms, cases[i].ms);
    }
}

static void test_human_bytes(void)
{
    static const struct {
        uint64_t bytes;
        const char *text;
    } cases[] = {
        {0, "0 B"},
        {999, "999 B"},
        {1000, "1.0 kB"},
        {1999, "1.9 kB"},
        {15000000000ULL, "15.0 GB"},
        {999999999, "999.9 MB"},
        {18446744073709551615ULL, "18.4 EB"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        ASSERT_STREQ(report_human_bytes(cases[i].bytes, buf), cases[i].text);
    }
}

static void test_parse_format(void)
{
    enum report_format f;
    ASSERT_EQ_INT(report_parse_format("csv", &f), 0);
    ASSERT_EQ_INT(f, REPORT_CSV);
    ASSERT_EQ_INT(report_parse_format("json", &f), 0);
    ASSERT_EQ_INT(f, REPORT_JSON);
    ASSERT_EQ_INT(report_parse_format("xml", &f), ERR_MALFORMED);
}

int main(void)
{
    RUN(test_parse_time);
    RUN(test_human_bytes);
    RUN(test_parse_format);
    return test_done();
}
