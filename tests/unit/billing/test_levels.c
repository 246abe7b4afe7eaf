// SPDX-License-Identifier: MIT
// Alert levels: parsing, every refusal with its message, and crossing at the exact byte.
#include "../../../src/billing/levels.h"
#include "../../../src/base/err.h"
#include "test.h"

static void test_parse(void)
{
    struct levels ls;
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(levels_parse(" 80, 100%,10GB ,50", &ls, err), 0);
    ASSERT_EQ_INT(ls.n, 4);
    ASSERT_STREQ(ls.l[0].name, "80%");
    ASSERT_EQ_U64(ls.l[0].percent, 80);
    ASSERT_STREQ(ls.l[1].name, "100%");
    ASSERT_STREQ(ls.l[2].name, "10GB");
    ASSERT_EQ_U64(ls.l[2].bytes, 10000000000ull);
    ASSERT_TRUE(!ls.l[2].is_percent);
    ASSERT_EQ_INT(levels_parse("", &ls, err), 0);
    ASSERT_EQ_INT(ls.n, 0);
    ASSERT_EQ_INT(levels_parse("0", &ls, err), ERR_MALFORMED);
    ASSERT_STREQ(err, "alert level '0': expected a percent from 1 to 1000");
    ASSERT_EQ_INT(levels_parse("1001%", &ls, err), ERR_MALFORMED);
    ASSERT_EQ_INT(levels_parse("80,80%", &ls, err), ERR_MALFORMED);
    ASSERT_STREQ(err, "alert level '80%' given twice");
    ASSERT_EQ_INT(levels_parse("lots", &ls, err), ERR_MALFORMED);
    ASSERT_STREQ(err, "alert level 'lots': expected a percent of the quota (80 or 80%) or a size "
                      "(10GB, 500MiB)");
    ASSERT_EQ_INT(levels_parse("1,2,3,4,5,6,7,8,9", &ls, err), ERR_MALFORMED);
    ASSERT_EQ_INT(levels_parse("%", &ls, err), ERR_MALFORMED);
    ASSERT_EQ_INT(levels_parse("-5", &ls, err), ERR_MALFORMED);
}

/* A 15 GB quota: 80% is reached at exactly 12,000,000,000 bytes, not a byte before. */
static void test_crossing(void)
{
    struct levels ls;
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(levels_parse("80,100,10GB", &ls, err), 0);
    struct quota_usage u = {.plan = {.quota_bytes = 15000000000ull}};
    u.used_bytes = 11999999999ull;
    ASSERT_TRUE(!levels_is_crossed(&ls.l[0], &u));
    ASSERT_TRUE(levels_is_crossed(&ls.l[2], &u));
    u.used_bytes = 12000000000ull;
    ASSERT_TRUE(levels_is_crossed(&ls.l[0], &u));
    ASSERT_TRUE(!levels_is_crossed(&ls.l[1], &u));
    u.used_bytes = 15000000000ull;
    ASSERT_TRUE(levels_is_crossed(&ls.l[1], &u));
    u.plan.unlimited = true; /* no quota: only the size level */
    ASSERT_TRUE(!levels_is_crossed(&ls.l[0], &u));
    ASSERT_TRUE(levels_is_crossed(&ls.l[2], &u));
}

int main(void)
{
    RUN(test_parse);
    RUN(test_crossing);
    return test_done();
}
