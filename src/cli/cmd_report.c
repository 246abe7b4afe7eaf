// SPDX-License-Identifier: MIT
// `flowtally report` and `flowtally stats`: argument parsing only; the work is in report/.
#include "cli.h"

#include "../report/report.h"
#include "../report/usage.h"
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
    fprintf(out, "usage: flowtally stats [--db PATH] [--format table|csv|json] [--interfaces]\n"
                 "Collector counters per exporter stream (datagrams, records, drops by cause,\n"
                 "sequence losses), summed over every flush the daemon made. --interfaces:\n"
                 "the latest interface counters sFlow agents reported (exporter health).\n");
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Resolves --subscriber and --cycle into an id and a period. */
static int subscriber_period(struct report_query *q, const char *account, const char *cycle,
                             char *errbuf)
{
    struct store *s = store_open(q->db, true, errbuf);
    if (!s)
        return ERR_STORE;
    struct subscriber sub = {.id = -1};
    struct plan plan = {.anchor_day = 1};
    int rc = 0;
    if (account) {
        rc = store_subscriber_get(s, account, &sub);
        if (rc != 0)
            snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        else if (sub.plan[0])
            store_plan_get(s, sub.plan, &plan);
    }
    store_close(s);
    q->subscriber_id = sub.id;
    struct cycle c;
    if (rc == 0 && cycle) {
        if (cycle_parse(cycle, plan.anchor_day, args_now_ms(), &c) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "--cycle '%s': expected current, previous or YYYY-MM",
                     cycle);
            return ERR_MALFORMED;
        }
        q->from_ms = c.start_ms;
        q->to_ms = c.end_ms;
    }
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
    if (args_parse(argc, argv, o, N(o), pos, 0) < 0) {
        report_help(stderr);
        return 2;
    }
    if (args_get(o, N(o), "help")) {
        report_help(stdout);
        return 0;
    }
    struct report_query q = {.db = "flowtally.db", .format = REPORT_TABLE, .subscriber_id = -1};
    const char *by = args_get(o, N(o), "by") ? args_get(o, N(o), "by") : "host";
    char errbuf[ERR_BUF_LEN];
    uint64_t at = args_now_ms();
    q.db = args_db(o, N(o));
    if (!args_format(args_get(o, N(o), "format"), &q.format) ||
        !args_time("from", args_get(o, N(o), "from"), q.from_ms, &q.from_ms) ||
        !args_time("to", args_get(o, N(o), "to"), q.to_ms, &q.to_ms) ||
        !args_time("at", args_get(o, N(o), "at"), at, &at))
        return 2;
    if (report_parse_group(by, &q.group) != 0) {
        fprintf(stderr,
                "flowtally: --by '%s': expected a comma-separated list of subscriber, "
                "host, class, app, day, hour\n",
                by);
        return 2;
    }
    if (q.to_ms && q.to_ms <= q.from_ms) {
        fprintf(stderr, "flowtally: --to must be after --from\n");
        return 2;
    }
    int rc;
    if (args_get(o, N(o), "over-quota"))
        rc = report_over_quota(q.db, at, q.format, stdout, errbuf);
    else {
        rc = 0;
        if (args_get(o, N(o), "subscriber") || args_get(o, N(o), "cycle"))
            rc = subscriber_period(&q, args_get(o, N(o), "subscriber"), args_get(o, N(o), "cycle"),
                                   errbuf);
        if (rc == 0)
            rc = report_usage(&q, stdout, errbuf);
    }
    if (rc != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        return 1;
    }
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
    if (n != 1 || args_get(o, N(o), "help")) {
        fprintf(n == 1 ? stdout : stderr,
                "usage: flowtally usage ACCOUNT [--cycle current|previous|YYYY-MM] [--at TIME]\n"
                "                       [--format table|json] [--db PATH]\n"
                "This cycle's usage against the plan's quota: used, percentage, remaining,\n"
                "projected by the cycle's end at the rate so far, per class and application.\n");
        return n == 1 ? 0 : 2;
    }
    enum report_format f = REPORT_TABLE;
    uint64_t at = args_now_ms();
    char errbuf[ERR_BUF_LEN];
    if (!args_format(args_get(o, N(o), "format"), &f) ||
        !args_time("at", args_get(o, N(o), "at"), at, &at))
        return 2;
    if (report_account_usage(args_db(o, N(o)), pos[0], at, args_get(o, N(o), "cycle"), f, stdout,
                             errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        return 1;
    }
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    struct arg_opt o[] = {{.name = "db"},
                          {.name = "format"},
                          {.name = "interfaces", .is_flag = true},
                          {.name = "help", .is_flag = true}};
    const char *pos[1];
    if (args_parse(argc, argv, o, N(o), pos, 0) < 0) {
        stats_usage(stderr);
        return 2;
    }
    if (args_get(o, N(o), "help")) {
        stats_usage(stdout);
        return 0;
    }
    struct report_query q = {.db = "flowtally.db", .format = REPORT_TABLE, .subscriber_id = -1};
    char errbuf[ERR_BUF_LEN];
    q.db = args_db(o, N(o));
    if (!args_format(args_get(o, N(o), "format"), &q.format))
        return 2;
    int (*show)(const struct report_query *, FILE *, char *) =
        args_get(o, N(o), "interfaces") ? report_interfaces : report_stats;
    if (show(&q, stdout, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        return 1;
    }
    return 0;
}
