// SPDX-License-Identifier: MIT
// Tests of the progress line: what it draws at given times (the clock is a parameter), how
// often, and that it draws nothing without a terminal. Lines worked by hand.
#include "../../../src/base/progress.h"
#include "test.h"

#include <stdlib.h>

/* What p drew into the memory stream so far. */
static const char *drawn(FILE *f, char **buf)
{
    fflush(f);
    return *buf;
}

static void test_line(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct progress p;
    progress_start(&p, f, "closing", "rows", 10000);
    progress_show(&p, 65536, 250, 12000); /* 2 s in, a quarter: 32768 rows/s, 6 s left */
    ASSERT_STREQ(drawn(f, &buf), "\rclosing:  25% read, 65536 rows, 32768 rows/s, 6 s left   ");
    progress_show(&p, 70000, 300, 12100); /* 100 ms later: not drawn again */
    ASSERT_EQ_U64(len, strlen("\rclosing:  25% read, 65536 rows, 32768 rows/s, 6 s left   "));
    progress_end(&p, 131072, 14000); /* 4 s in: 32768 rows/s, done */
    ASSERT_STREQ(drawn(f, &buf), "\rclosing:  25% read, 65536 rows, 32768 rows/s, 6 s left   "
                                 "\rclosing: 100% read, 131072 rows, 32768 rows/s, 0 s left   \n");
    fclose(f);
    free(buf);
}

static void test_unknown_share(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct progress p;
    progress_start(&p, f, "leases", "lines", 0);
    progress_show(&p, 3000, PROGRESS_UNKNOWN, 1500); /* 2000 lines/s, no share, no time left */
    ASSERT_STREQ(drawn(f, &buf), "\rleases: 3000 lines, 2000 lines/s   ");
    progress_show(&p, 6000, PROGRESS_UNKNOWN, 1750); /* 250 ms after: drawn again */
    ASSERT_STREQ(drawn(f, &buf), "\rleases: 3000 lines, 2000 lines/s   "
                                 "\rleases: 6000 lines, 3429 lines/s   ");
    fclose(f);
    free(buf);
}

static void test_silent(void)
{
    struct progress p;
    progress_start(&p, NULL, "closing", "rows", 0);
    progress_show(&p, 1, 1, 1000);
    progress_end(&p, 1, 2000);
    ASSERT_TRUE(!p.is_shown);
}

int main(void)
{
    RUN(test_line);
    RUN(test_unknown_share);
    RUN(test_silent);
    return test_done();
}
