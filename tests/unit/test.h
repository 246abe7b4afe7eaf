// SPDX-License-Identifier: MIT
// A tiny TAP test harness. Each test binary defines test functions and runs them with
// RUN(fn) from main(), then returns test_done(). Assertions print both operands and mark
// the running test as failed; the test continues so one run shows every mismatch.
#ifndef FT_TEST_H
#define FT_TEST_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int test_n_run, test_n_failed;
static bool test_current_failed;

#define TEST_FAIL(...)                                                                             \
    do {                                                                                           \
        printf("#   %s:%d: ", __FILE__, __LINE__);                                                 \
        printf(__VA_ARGS__);                                                                       \
        printf("\n");                                                                              \
        test_current_failed = true;                                                                \
    } while (0)

#define ASSERT_TRUE(cond)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            TEST_FAIL("expected true: %s", #cond);                                                 \
    } while (0)

#define ASSERT_EQ_U64(got, want)                                                                   \
    do {                                                                                           \
        uint64_t got_ = (uint64_t)(got), want_ = (uint64_t)(want);                                 \
        if (got_ != want_)                                                                         \
            TEST_FAIL("%s == %" PRIu64 ", expected %s == %" PRIu64, #got, got_, #want, want_);     \
    } while (0)

#define ASSERT_EQ_INT(got, want)                                                                   \
    do {                                                                                           \
        long long got_ = (long long)(got), want_ = (long long)(want);                              \
        if (got_ != want_)                                                                         \
            TEST_FAIL("%s == %lld, expected %lld", #got, got_, want_);                             \
    } while (0)

#define ASSERT_STREQ(got, want)                                                                    \
    do {                                                                                           \
        const char *got_ = (got), *want_ = (want);                                                 \
        if (!got_ || !want_ || strcmp(got_, want_) != 0)                                           \
            TEST_FAIL("%s == \"%s\", expected \"%s\"", #got, got_ ? got_ : "(null)",               \
                      want_ ? want_ : "(null)");                                                   \
    } while (0)

#define ASSERT_MEMEQ(got, want, n)                                                                 \
    do {                                                                                           \
        if (memcmp((got), (want), (n)) != 0)                                                       \
            TEST_FAIL("%s differs from %s in its first %zu bytes", #got, #want, (size_t)(n));      \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        test_current_failed = false;                                                               \
        fn();                                                                                      \
        test_n_run++;                                                                              \
        if (test_current_failed)                                                                   \
            test_n_failed++;                                                                       \
        printf("%s %d - %s\n", test_current_failed ? "not ok" : "ok", test_n_run, #fn);            \
    } while (0)

static inline int test_done(void)
{
    printf("1..%d\n", test_n_run);
    return test_n_failed ? 1 : 0;
}

#endif
