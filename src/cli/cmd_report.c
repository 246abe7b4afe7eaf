// SPDX-License-Identifier: MIT
// `flowtally report` and `flowtally stats`: argument parsing only; the work is in report/.
#include "cli.h"

#include "../report/report.h"

#include <stdio.h>
#include <string.h>

static void report_help(FILE *out)
{
    fprintf(out, "usage: flowtally report [--db PATH] --by host [--from TIME] [--to TIME]\n"
                 "                        [--format table|csv|json]\n"
                 "Usage per local host out of the store. TIME is unix seconds, YYYY-MM-DD or\n"
                 "YYYY-MM-DDTHH:MM[:SS], UTC; the period is [from, to) on bucket starts.\n"
                 "CSV columns: host,bytes_in,bytes_out,packets_in,packets_out,flows_in,flows_out,\n"
                 "bytes_internal,packets_internal,flows_internal,bytes_transit,packets_transit,\n"
                 "flows_transit. Table sizes are decimal (1 kB = 1000 B).\n");
}

static void stats_usage(FILE *out)
{
    fprintf(out, "usage: flowtally stats [--db PATH] [--format table|csv|json]\n"
                 "Collector counters per exporter stream (datagrams, records, drops by cause,\n"
                 "sequence losses), summed over every flush the daemon made.\n");
}

/* Parses the options shared by report and stats. Returns 0, 1 for --help, or 2 on error. */
static int parse_common(int argc, char **argv, struct report_query *q, const char **by,
                        void (*help)(FILE *))
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            help(stdout);
            return 1;
        }
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes_value =
            strcmp(a, "--db") == 0 || strcmp(a, "--format") == 0 ||
            (by && (strcmp(a, "--by") == 0 || strcmp(a, "--from") == 0 || strcmp(a, "--to") == 0));
        if (!takes_value) {
            fprintf(stderr, "flowtally: unexpected argument '%s'\n", a);
            help(stderr);
            return 2;
        }
        if (!v) {
            fprintf(stderr, "flowtally: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--db") == 0) {
            q->db = v;
        } else if (strcmp(a, "--format") == 0) {
            if (report_parse_format(v, &q->format) != 0) {
                fprintf(stderr, "flowtally: --format '%s': expected table, csv or json\n", v);
                return 2;
            }
        } else if (strcmp(a, "--by") == 0) {
            *by = v;
        } else if (report_parse_time(v, strcmp(a, "--from") == 0 ? &q->from_ms : &q->to_ms) != 0) {
            fprintf(stderr,
                    "flowtally: %s '%s': expected unix seconds, YYYY-MM-DD or "
                    "YYYY-MM-DDTHH:MM[:SS] (UTC)\n",
                    a, v);
            return 2;
        }
    }
    return 0;
}

int cmd_report(int argc, char **argv)
{
    struct report_query q = {.db = "flowtally.db", .format = REPORT_TABLE, .subscriber_id = -1};
    const char *by = "host";
    char errbuf[ERR_BUF_LEN];
    int rc = parse_common(argc, argv, &q, &by, report_help);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
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
    if (report_usage(&q, stdout, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        return 1;
    }
    return 0;
}

int cmd_stats(int argc, char **argv)
{
    struct report_query q = {.db = "flowtally.db", .format = REPORT_TABLE, .subscriber_id = -1};
    char errbuf[ERR_BUF_LEN];
    int rc = parse_common(argc, argv, &q, NULL, stats_usage);
    if (rc != 0)
        return rc == 1 ? 0 : 2;
    if (report_stats(&q, stdout, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        return 1;
    }
    return 0;
}
