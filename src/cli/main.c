// SPDX-License-Identifier: MIT
// flowtally's entry point: picks the subcommand. `run` is the writer daemon; every other
// subcommand reads the store.
#include "../base/suggest.h"
#include "../daemon/run.h"
#include "../daemon/webrun.h"
#include "args.h"
#include "cli.h"
#include "version.h"

#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *doc;
};

static const struct command commands[] = {
    {"run", cmd_run, "receive flows and store usage (the daemon)"},
    {"web", webrun_main, "the customer portal and JSON API alone, beside a collector"},
    {"user", cmd_user, "portal logins: add, set, list, remove, import"},
    {"report", cmd_report, "usage by subscriber, host, class, app, day, hour; over quota"},
    {"usage", cmd_usage, "a subscriber's cycle against its quota"},
    {"stats", cmd_stats, "exporters' health: last seen, rates, losses; --counters: every counter"},
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
            "usage: flowtally COMMAND [ARGS]   (flowtally COMMAND --help for more)\n"
            "       flowtally --version | --help\n\n"
            "Network usage accounting: usage per subscriber, host, traffic class and\n"
            "application, against each plan's quota; bills, alerts and a web portal.\n"
            "Sources: NetFlow v5/v9 and IPFIX (netflow), sFlow v5 (sflow), packets from an\n"
            "interface or a pcap file (capture, read), proxy logs (logs: squid, plain,\n"
            "mapping), RADIUS accounting (radius), DHCP leases (leases_file: ISC dhcpd.leases,\n"
            "Kea CSV).\n\nCommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-11s %s\n", commands[i].name, commands[i].doc);
    fprintf(out, "\nExit status: 0 done, 1 failed (store, file, network), 2 usage error.\n");
}

/* An unknown command: a usage error naming the closest command when it is close. */
static int unknown_command(const char *name)
{
    struct suggest sg;
    suggest_init(&sg, name);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        suggest_add(&sg, commands[i].name);
    if (suggest_best(&sg))
        return args_usage_error("unknown command '%s' (did you mean '%s'?)", name,
                                suggest_best(&sg));
    return args_usage_error("unknown command '%s'", name);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return args_usage_error("missing command");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        (strcmp(argv[1], "help") == 0 && argc == 2)) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
        return version_print(stdout);
    static char help_arg[] = "--help";
    char *help_argv[] = {help_arg, NULL};
    bool is_help = strcmp(argv[1], "help") == 0; /* `flowtally help plan`: plan --help */
    const char *name = argv[is_help ? 2 : 1];
    if (name[0] == '-')
        return args_usage_error("unknown option '%s'", name);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(name, commands[i].name) == 0) {
            args_set_command(commands[i].name);
            return is_help ? commands[i].fn(1, help_argv) : commands[i].fn(argc - 2, argv + 2);
        }
    return unknown_command(name);
}
