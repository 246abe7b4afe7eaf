// SPDX-License-Identifier: MIT
// `flowtally report` and `flowtally stats`: argument parsing only; the work is in report/.
#include "cli.h"

#include "../report/health.h"
#include "../report/metrics.h"
#include "../report/report.h"
#include "args.h"

#include <time.h>

#include <stdio.h>
#include <string.h>

static void report_help(FILE *out)
{
    fprintf(out,
            "usage: flowtally report [--db PATH] [--by KEYS] [--from TIME] [--to TIME]\n"
            "                        [--subscriber ACCOUNT] [--cycle current|previous|YYYY-MM]\n"
            "                        [--format table|csv|json]\n"
            "       flowtally report --over-quota [--at TIME] [--format ...] [--db PATH]\n"
            "KEYS: a comma-separated list of subscriber, host, class, app, day, hour (default\n"
            "host). TIME is unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS], UTC; the period\n"
            "is [from, to) on bucket starts. --cycle picks the subscriber's billing cycle (its\n"
            "plan's anchor day, local time). day and hour are local dates.\n"
            "CSV columns: the keys, then bytes_in,bytes_out,packets_in,packets_out,flows_in,\n"
            "flows_out,bytes_internal,packets_internal,flows_internal,bytes_transit,\n"
            "packets_transit,flows_transit. Table sizes are decimal (1 kB = 1000 B).\n");
}

static void stats_usage(FILE *out)
{
    fprintf(out,
            "usage: flowtally stats [--db PATH] [--format table|csv|json]\n"
            "                       [--silent-after SECONDS] [--at TIME]\n"
            "       flowtally stats --counters|--interfaces [--db PATH] [--format ...]\n"
            "       flowtally stats --prometheus [--db PATH] [--at TIME]\n"
            "Whether each exporter is healthy, one line each, addresses in order (IPv4, then\n"
            "IPv6): when a flush last saw it, records, bytes (times the sampling rate) and\n"
            "datagrams per second over the last flush interval and over the flushes of the\n"
            "last hour, records lost (by sequence number; NetFlow v9: datagrams) and dropped\n"
            "in that hour, and a verdict: ok, silent since TIME (unseen for --silent-after,\n"
            "default 300, or three flush intervals if longer), or losing N%% (over 1%% lost\n"
            "in the hour). --at: as if now were TIME (unix seconds or YYYY-MM-DDTHH:MM[:SS],\n"
            "UTC).\n"
            "CSV columns: exporter,last_seen,last_seen_ago_s,records_per_s,records_per_s_1h,\n"
            "bytes_per_s,bytes_per_s_1h,datagrams_per_s,datagrams_per_s_1h,records_1h,\n"
            "bytes_1h,datagrams_1h,lost_1h,lost_datagrams_1h,dropped_1h,loss_percent_1h,\n"
            "verdict,silent_since (times in unix seconds; rates per second to a tenth; the\n"
            "table's bytes/s in decimal units, 1 kB = 1000 B).\n"
            "--counters: every collector counter per exporter stream (datagrams, records,\n"
            "bytes, drops by cause, sequence losses), summed over every flush the daemon made.\n"
            "--interfaces: the latest interface counters sFlow agents reported.\n"
            "--prometheus: the health view's figures and every counter in Prometheus's text\n"
            "format, as the portal's /metrics serves them (for node_exporter's textfile\n"
            "collector).\n");
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Opens the store for reading; NULL after saying why. */
static struct store *open_store(const char *db)
{
    char errbuf[ERR_BUF_LEN];
    struct store *s = store_open(db, true, errbuf);
    if (!s)
        fprintf(stderr, "flowtally: %s\n", errbuf);
    else
        report_note_demo(s, stderr);
    return s;
}

/* `report` proper: the period the options select, read, printed. */
static int usage_report(struct store *s, struct report_query *q, const char *account,
                        const char *cycle, enum report_format f, char *errbuf)
{
    struct report_rows rows;
    int rc = report_scope(s, account, cycle, args_now_ms(), q, errbuf);
    if (rc == 0)
        rc = report_usage_rows(s, q, &rows, errbuf);
    if (rc != 0)
        return rc;
    report_print_usage(q, &rows, f, stdout);
    report_rows_free(&rows);
    return 0;
}

static int over_quota_report(struct store *s, uint64_t at, enum report_format f, char *errbuf)
{
    struct report_over_printer p;
    report_print_over_begin(&p, f, stdout);
    int rc = report_over_quota(s, at, report_print_over_row, &p, errbuf);
    report_print_over_end(&p);
    return rc;
}

int cmd_report(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "db"},
                          {.name = "by"},
                          {.name = "from"},
                          {.name = "to"},
                          {.name = "format"},
                          {.name = "subscriber"},
                          {.name = "cycle"},
                          {.name = "at"},
                          {.name = "over-quota", .is_flag = true},
                          {.name = "help", .is_flag = true}};
    const char *pos[1];
    if (args_parse(argc, argv, o, N(o), pos, 0) < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        report_help(stdout);
        return 0;
    }
    struct report_query q = {.subscriber_id = -1};
    enum report_format f = REPORT_TABLE;
    const char *by = args_get(o, N(o), "by") ? args_get(o, N(o), "by") : "host";
    char errbuf[ERR_BUF_LEN];
    uint64_t at = args_now_ms();
    if (!args_format(args_get(o, N(o), "format"), &f) ||
        !args_time("from", args_get(o, N(o), "from"), q.from_ms, &q.from_ms) ||
        !args_time("to", args_get(o, N(o), "to"), q.to_ms, &q.to_ms) ||
        !args_time("at", args_get(o, N(o), "at"), at, &at))
        return 2;
    if (report_parse_group(by, &q.group) != 0)
        return args_usage_error("--by '%s': expected a comma-separated list of subscriber, "
                                "host, class, app, day, hour",
                                by);
    if (q.to_ms && q.to_ms <= q.from_ms)
        return args_usage_error("--to must be after --from");
    struct store *s = open_store(args_db(o, N(o)));
    if (!s)
        return 1;
    int rc = args_get(o, N(o), "over-quota") ? over_quota_report(s, at, f, errbuf)
                                             : usage_report(s, &q, args_get(o, N(o), "subscriber"),
                                                            args_get(o, N(o), "cycle"), f, errbuf);
    return args_done(s, rc, errbuf);
}

/* The cycle's usage by one key, for the table of `usage ACCOUNT`. */
static int breakdown(struct store *s, const struct quota_usage *u, unsigned group,
                     const char *title, char *errbuf)
{
    struct report_query q = {.from_ms = u->cycle.start_ms,
                             .to_ms = u->cycle.end_ms,
                             .group = group,
                             .subscriber_id = u->sub.id};
    struct report_rows rows;
    int rc = report_usage_rows(s, &q, &rows, errbuf);
    if (rc != 0)
        return rc;
    printf("\n%s:\n", title);
    report_print_usage(&q, &rows, REPORT_TABLE, stdout);
    report_rows_free(&rows);
    return 0;
}

int cmd_usage(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "db"},
                          {.name = "at"},
                          {.name = "cycle"},
                          {.name = "format"},
                          {.name = "help", .is_flag = true}};
    const char *pos[1];
    int n = args_parse(argc, argv, o, N(o), pos, 1);
    if (n < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        printf("usage: flowtally usage ACCOUNT [--cycle current|previous|YYYY-MM] [--at TIME]\n"
               "                       [--format table|json] [--db PATH]\n"
               "This cycle's usage against the plan's quota: used, percentage, remaining,\n"
               "projected by the cycle's end at the rate so far, per class and application.\n");
        return 0;
    }
    if (n != 1)
        return args_usage_error("expected ACCOUNT");
    enum report_format f = REPORT_TABLE;
    uint64_t at = args_now_ms();
    char errbuf[ERR_BUF_LEN];
    if (!args_format(args_get(o, N(o), "format"), &f) ||
        !args_time("at", args_get(o, N(o), "at"), at, &at))
        return 2;
    struct store *s = open_store(args_db(o, N(o)));
    if (!s)
        return 1;
    struct quota_usage u;
    int rc = report_quota(s, pos[0], at, args_get(o, N(o), "cycle"), &u, errbuf);
    if (rc == 0)
        report_print_quota(&u, f, stdout);
    if (rc == 0 && f == REPORT_TABLE)
        rc = breakdown(s, &u, USAGE_BY_CLASS, "by class", errbuf);
    if (rc == 0 && f == REPORT_TABLE)
        rc = breakdown(s, &u, USAGE_BY_APP, "by application", errbuf);
    return args_done(s, rc, errbuf);
}

/* The default view: each exporter's health. */
static int health_report(struct store *s, uint64_t now_ms, uint64_t silent_after_ms,
                         enum report_format f, char *errbuf)
{
    struct health h;
    int rc = health_read(s, now_ms, silent_after_ms, &h, errbuf);
    if (rc != 0)
        return rc;
    health_print(&h, f, stdout);
    health_free(&h);
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "db"},
                          {.name = "format"},
                          {.name = "interfaces", .is_flag = true},
                          {.name = "counters", .is_flag = true},
                          {.name = "prometheus", .is_flag = true},
                          {.name = "silent-after"},
                          {.name = "at"},
                          {.name = "help", .is_flag = true}};
    const char *pos[1];
    if (args_parse(argc, argv, o, N(o), pos, 0) < 0)
        return 2;
    if (args_get(o, N(o), "help")) {
        stats_usage(stdout);
        return 0;
    }
    enum report_format f = REPORT_TABLE;
    char errbuf[ERR_BUF_LEN];
    uint64_t at = args_now_ms(), silent_after = HEALTH_SILENT_AFTER_MS;
    const char *silent = args_get(o, N(o), "silent-after");
    bool counters = args_get(o, N(o), "counters"), interfaces = args_get(o, N(o), "interfaces");
    if (!args_format(args_get(o, N(o), "format"), &f) ||
        !args_time("at", args_get(o, N(o), "at"), at, &at))
        return 2;
    if (silent && health_parse_seconds(silent, &silent_after) != 0)
        return args_usage_error("--silent-after '%s': expected whole seconds from 1 to 604800",
                                silent);
    bool prometheus = args_get(o, N(o), "prometheus");
    if (counters + interfaces + prometheus > 1)
        return args_usage_error("--counters, --interfaces and --prometheus: expected one of them");
    if (prometheus && (silent || args_get(o, N(o), "format")))
        return args_usage_error("--prometheus is a format of its own, with the default "
                                "--silent-after");
    if ((counters || interfaces) && (silent || args_get(o, N(o), "at")))
        return args_usage_error("--silent-after and --at go with the health view, not with "
                                "--counters or --interfaces");
    struct store *s = open_store(args_db(o, N(o)));
    if (!s)
        return 1;
    int rc = interfaces   ? report_print_interfaces(s, f, stdout, errbuf)
             : counters   ? report_print_stats(s, f, stdout, errbuf)
             : prometheus ? metrics_write(s, at, stdout, errbuf)
                          : health_report(s, at, silent_after, f, errbuf);
    return args_done(s, rc, errbuf);
}
