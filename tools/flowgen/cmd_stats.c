// SPDX-License-Identifier: MIT
// `flowgen stats`: loads and validates a .dgrams file and prints its
// datagram and flow record counts as `datagrams N records N`, which lets a
// test check what it is about to send without any protocol decoding.
#include "flowgen.h"

enum { OPT_IN, OPT_COUNT };

int cmd_stats(int argc, char **argv)
{
    struct cli_option o[OPT_COUNT] = {{"in", NULL}};
    struct dgram_file f;

    cli_parse(argc, argv, o, OPT_COUNT);
    if (!o[OPT_IN].value)
        cli_fail("--in", "FILE.dgrams (required)", NULL);
    if (dgram_load(o[OPT_IN].value, &f) != 0)
        return FLOWGEN_EXIT_RUNTIME;
    printf("datagrams %zu records %llu\n", f.count, (unsigned long long)f.records);
    dgram_unload(&f);
    return 0;
}
