// SPDX-License-Identifier: MIT
// Tests of the Prometheus text (src/report/metrics.c) through a store that serves rows
// written out here: every family whole with its HELP and TYPE lines, the counters regrouped
// by name though the store lists them by stream, label values escaped as the format asks
// (\\, \" and \n), a counter's name kept to [a-zA-Z0-9_], numbers as exact decimals. The
// expected text is written out by hand.
#include "../../../src/base/err.h"
#include "../../../src/report/metrics.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* One flush at 1010.000 s over 5 s: 127.0.0.1 sent 12 records, 3 datagrams, 6000 bytes,
 * lost 4 (4 of 16: 25.0%, 0.250), seen in that flush. */
static const struct seen_row seen[] = {
    {"*", 1010000, 5000, 0, 0, 0, 0, 0, 0},
    {"127.0.0.1", 1010000, 5000, 3, 12, 4, 0, 0, 6000},
};

static int fake_seen_read(struct store *s, uint64_t since_ms, store_seen_fn *fn, void *ctx)
{
    (void)s;
    (void)since_ms;
    for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
        fn(ctx, &seen[i]);
    return 0;
}

/* By stream, as the store lists them: the same name under two streams, apart. */
static int fake_read_stats(struct store *s, store_stat_fn *fn, void *ctx)
{
    (void)s;
    static const struct stat_row rows[] = {
        {"*", 0, 0, "datagrams", 3},         {"/var/log/a \"b\"\\c\nd", 0, 0, "log_usage", 7},
        {"127.0.0.1", 10, 1, "records", 12}, {"127.0.0.1", 10, 1, "seq-lost", 4},
        {"127.0.0.1", 9, 0, "records", 5},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        fn(ctx, &rows[i]);
    return 0;
}

static const char *fake_last_error(struct store *s)
{
    (void)s;
    return "";
}

static const struct store_ops fake_ops = {.engine = "fake",
                                          .seen_read = fake_seen_read,
                                          .read_stats = fake_read_stats,
                                          .last_error = fake_last_error};

static void test_text(void)
{
    struct store s = {.ops = &fake_ops};
    char errbuf[ERR_BUF_LEN], *text = NULL;
    size_t size;
    FILE *out = open_memstream(&text, &size);
    ASSERT_EQ_INT(metrics_write(&s, 1012000, out, errbuf), 0);
    fclose(out);
    /* 12 records in 5 s: 2.4/s; 6000 bytes: 1200.0/s; 3 datagrams: 0.6/s; seen 2 s ago */
    ASSERT_STREQ(
        text,
        "# HELP flowtally_last_flush_timestamp_seconds When the collector last wrote a flush.\n"
        "# TYPE flowtally_last_flush_timestamp_seconds gauge\n"
        "flowtally_last_flush_timestamp_seconds 1010.000\n"
        "# HELP flowtally_exporter_last_seen_timestamp_seconds When the latest flush that "
        "counted anything from the exporter was written.\n"
        "# TYPE flowtally_exporter_last_seen_timestamp_seconds gauge\n"
        "flowtally_exporter_last_seen_timestamp_seconds{exporter=\"127.0.0.1\"} 1010.000\n"
        "# HELP flowtally_exporter_records_per_second Flow records per second over the latest "
        "flush interval (0 when it saw none).\n"
        "# TYPE flowtally_exporter_records_per_second gauge\n"
        "flowtally_exporter_records_per_second{exporter=\"127.0.0.1\"} 2.4\n"
        "# HELP flowtally_exporter_bytes_per_second Bytes per second the records carried "
        "(times their sampling rate), latest interval.\n"
        "# TYPE flowtally_exporter_bytes_per_second gauge\n"
        "flowtally_exporter_bytes_per_second{exporter=\"127.0.0.1\"} 1200.0\n"
        "# HELP flowtally_exporter_datagrams_per_second Datagrams per second over the latest "
        "flush interval.\n"
        "# TYPE flowtally_exporter_datagrams_per_second gauge\n"
        "flowtally_exporter_datagrams_per_second{exporter=\"127.0.0.1\"} 0.6\n"
        "# HELP flowtally_exporter_loss_ratio The share of records (or NetFlow v9 datagrams) "
        "lost in the last hour, 0 to 1.\n"
        "# TYPE flowtally_exporter_loss_ratio gauge\n"
        "flowtally_exporter_loss_ratio{exporter=\"127.0.0.1\"} 0.250\n"
        "# HELP flowtally_exporter_silent 1 when the exporter has not been seen for longer "
        "than stats' silent-after, else 0.\n"
        "# TYPE flowtally_exporter_silent gauge\n"
        "flowtally_exporter_silent{exporter=\"127.0.0.1\"} 0\n"
        "# HELP flowtally_datagrams_total The collector's counter datagrams, summed over "
        "every flush (flowtally stats --counters).\n"
        "# TYPE flowtally_datagrams_total counter\n"
        "flowtally_datagrams_total{exporter=\"*\",version=\"0\",domain=\"0\"} 3\n"
        "# HELP flowtally_log_usage_total The collector's counter log_usage, summed over "
        "every flush (flowtally stats --counters).\n"
        "# TYPE flowtally_log_usage_total counter\n"
        "flowtally_log_usage_total{exporter=\"/var/log/a \\\"b\\\"\\\\c\\nd\",version=\"0\","
        "domain=\"0\"} 7\n"
        "# HELP flowtally_records_total The collector's counter records, summed over every "
        "flush (flowtally stats --counters).\n"
        "# TYPE flowtally_records_total counter\n"
        "flowtally_records_total{exporter=\"127.0.0.1\",version=\"9\",domain=\"0\"} 5\n"
        "flowtally_records_total{exporter=\"127.0.0.1\",version=\"10\",domain=\"1\"} 12\n"
        "# HELP flowtally_seq_lost_total The collector's counter seq-lost, summed over every "
        "flush (flowtally stats --counters).\n"
        "# TYPE flowtally_seq_lost_total counter\n"
        "flowtally_seq_lost_total{exporter=\"127.0.0.1\",version=\"10\",domain=\"1\"} 4\n");
    free(text);
}

int main(void)
{
    RUN(test_text);
    return test_done();
}
