// SPDX-License-Identifier: MIT
// Tests of the once-a-minute activity line: tallied from the counters each flush hands
// over, logged at info level once 60 s have passed (time is a parameter), and only then.
#include "../../../src/base/log.h"
#include "../../../src/daemon/activity.h"
#include "test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What the logger wrote to stderr since the last call (stderr is a temporary file here). */
static void take_log(char *buf, size_t size)
{
    fflush(stderr);
    long end = ftell(stderr);
    rewind(stderr);
    size_t n = fread(buf, 1, end > 0 && (size_t)end < size ? (size_t)end : size - 1, stderr);
    buf[n] = '\0';
    if (ftruncate(fileno(stderr), 0) != 0)
        buf[0] = '\0';
    rewind(stderr);
}

static void test_minute_line(void)
{
    struct flusher fl;
    memset(&fl, 0, sizeof fl);
    pthread_mutex_init(&fl.lock, NULL);
    struct activity a = {0};
    struct flush_batch b = {0};
    char log[2048];
    log_threshold = LOG_LEVEL_INFO;
    activity_tick(&a, &fl, 1000); /* starts the minute */
    /* Two exporters send in one interval, one in the next: at most two at once. */
    flush_batch_add_stat(&b, "192.0.2.1", 9, 0, "records", 700);
    flush_batch_add_stat(&b, "192.0.2.2", 10, 0, "records", 300);
    flush_batch_add_stat(&b, "*", 0, 0, "log_lines", 5);
    flush_batch_add_stat(&b, "*", 0, 0, "drop_pkt_short", 2);
    flush_batch_add_stat(&b, "*", 0, 0, "kernel_drops", 1);
    flush_batch_add_stat(&b, "*", 0, 0, "flows", 1000); /* not records: not summed */
    activity_add_batch(&a, &b);
    b.n_stats = 0;
    flush_batch_add_stat(&b, "192.0.2.1", 9, 0, "records", 50);
    activity_add_batch(&a, &b);
    fl.n_flushes = 12;
    fl.written_keys = 3456;
    take_log(log, sizeof log);
    activity_tick(&a, &fl, 60999); /* 59.999 s: not yet */
    take_log(log, sizeof log);
    ASSERT_STREQ(log, "");
    activity_tick(&a, &fl, 61000);
    take_log(log, sizeof log);
    ASSERT_TRUE(strstr(log, "info: last 60 s: 1050 flow records from 2 exporter streams, 5 log "
                            "lines and captured flows, 3 dropped; 12 flushes stored 3456 keys\n") !=
                NULL);
    /* The next minute starts from zero and from the flusher's figures then. */
    fl.n_flushes = 13;
    fl.written_keys = 3500;
    activity_tick(&a, &fl, 121000);
    take_log(log, sizeof log);
    ASSERT_TRUE(strstr(log, "last 60 s: 0 flow records from 0 exporter streams, 0 log lines and "
                            "captured flows, 0 dropped; 1 flushes stored 44 keys\n") != NULL);
    flush_batch_deinit(&b);
    pthread_mutex_destroy(&fl.lock);
}

int main(void)
{
    FILE *f = tmpfile();
    if (!f || dup2(fileno(f), STDERR_FILENO) < 0)
        return 1;
    RUN(test_minute_line);
    return test_done();
}
