// SPDX-License-Identifier: MIT
// Entry point of flowgen: dispatches to the write, send and stats
// subcommands and handles --help. Each subcommand parses its own options;
// see cli.c for the usage text and the exit status conventions (0 ok,
// 1 runtime failure, 2 bad arguments).
#include "flowgen.h"

#include <string.h>

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd) {
        cli_usage(stderr);
        return FLOWGEN_EXIT_USAGE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        cli_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "write") == 0)
        return cmd_write(argc - 1, argv + 1);
    if (strcmp(cmd, "send") == 0)
        return cmd_send(argc - 1, argv + 1);
    if (strcmp(cmd, "stats") == 0)
        return cmd_stats(argc - 1, argv + 1);
    if (strcmp(cmd, "mangle") == 0)
        return cmd_mangle(argc - 1, argv + 1);
    cli_fail(cmd, "a subcommand: write, send, stats or mangle", NULL);
}
