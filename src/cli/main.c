// SPDX-License-Identifier: MIT
// flowtally's entry point: picks the subcommand. `run` is the writer daemon; every other
// subcommand reads the store.
#include "../daemon/run.h"
#include "../daemon/webrun.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

#ifndef FLOWTALLY_VERSION
#define FLOWTALLY_VERSION "0.1.0"
#endif

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *doc;
};

static const struct command commands[] = {
    {"run", run_main, "receive flows and store usage (the daemon)"},
    {"web", webrun_main, "the customer portal and JSON API alone, beside a collector"},
    {"user", cmd_user, "portal logins: add, set, list, remove, import"},
    {"report", cmd_report, "usage by subscriber, host, class, app, day, hour; over quota"},
    {"usage", cmd_usage, "a subscriber's cycle against its quota"},
    {"stats", cmd_stats, "collector counters: datagrams, records, drops, sequence losses"},
    {"bill", cmd_bill, "invoices: close a month, preview, late usage, rerate, export, show"},
    {"alerts", cmd_alerts, "the alert log: levels crossed, per subscriber and cycle"},
    {"mail", cmd_mail, "the outgoing mail queue: list, retry"},
    {"plan", cmd_plan, "plans: add, set, list, remove, import"},
    {"subscriber", cmd_subscriber, "subscribers: add, set, list, show, remove, import"},
    {"quota", cmd_quota, "top-ups: bytes bought on top of a cycle's quota; add, list"},
    {"bind", cmd_bind, "tie an address, prefix or MAC to a subscriber from a time; import"},
    {"unbind", cmd_unbind, "end an address's, prefix's or MAC's binding"},
    {"register", cmd_register, "register a device's MAC to a subscriber"},
    {"import", cmd_import, "import DHCP leases (ISC dhcpd.leases, Kea CSV)"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: flowtally COMMAND [ARGS]   (flowtally COMMAND --help for more)\n\n"
            "Network usage accounting: NetFlow v5/v9 and IPFIX in; usage per subscriber, host,\n"
            "traffic class and application out, against each plan's quota.\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].doc);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("flowtally %s\n", FLOWTALLY_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "flowtally: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
