// SPDX-License-Identifier: MIT
// Command-line handling shared by the subcommands: the usage text, a small
// "--name VALUE" / "--name=VALUE" option parser and strict converters for
// numbers and IPv4 prefixes. Any malformed argument ends the program with a
// message naming the argument and what was expected, and exit status 2, so
// test scripts fail loudly instead of generating an unintended stream.
#include "flowgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cli_usage(FILE *out)
{
    fputs("usage:\n"
          "  flowgen write --proto v5|v9|ipfix [--seed N] [--records N]\n"
          "                [--hosts N] [--remotes N] [--local PREFIX]\n"
          "                [--remote PREFIX] [--start UNIX_SECONDS]\n"
          "                [--per-packet N] [--sampling N] [--domain N]\n"
          "                [--remote-port N] [--pace RECORDS_PER_SEC]\n"
          "                --out FILE.dgrams --expect FILE.csv\n"
          "  flowgen write --proto v5|v9|ipfix --flows FLOWS.csv\n"
          "                [--per-packet N] [--domain N]\n"
          "                --out FILE.dgrams --expect FILE.csv\n"
          "  flowgen send  --in FILE.dgrams --to HOST:PORT\n"
          "                [--rate RECORDS_PER_SEC] [--loops N]\n"
          "                [--from LOOPBACK_ADDR] [--exporters K]\n"
          "  flowgen stats --in FILE.dgrams\n"
          "  flowgen mangle --in FILE.dgrams [--seed N] [--count N]\n"
          "                --out BAD.dgrams\n"
          "\n"
          "write defaults: seed 1, records 10000, hosts 100,\n"
          "  remotes 1000, local 10.0.0.0/8, remote 198.18.0.0/15,\n"
          "  start 1790000000, per-packet 30 (v5, v9) or 24 (ipfix),\n"
          "  sampling 1, domain 1, pace 1000 (records per second of\n"
          "  export time; flows end up to 59 s before their export).\n"
          "write --flows: the flows of FLOWS.csv instead of random ones\n"
          "  (--seed, --records, --hosts, --remotes, --local, --remote,\n"
          "  --start, --sampling, --remote-port, --pace are refused).\n"
          "  One flow a line: end_unix_seconds,local_ip,remote_ip,\n"
          "  bytes_in,bytes_out (IPv4; end in [86400, 4294967295],\n"
          "  bytes 0..2^48); blank and '#' lines skipped, an optional\n"
          "  first header line starting with \"end\". bytes_in is a TCP\n"
          "  flow remote:443 -> local:50000, bytes_out the reverse, none\n"
          "  when 0; both end exactly at end_unix_seconds, packets\n"
          "  max(1, bytes/1000). A flow too big for the format's counters\n"
          "  (v5: 2^32-1 bytes, v9: 2^32-1 packets) is split into records\n"
          "  of the same second (each counted in flows_in/out). Datagrams\n"
          "  go in time order, each exported at the end second of its\n"
          "  flows. local_ip must be in the collector's local networks\n"
          "  to count as a local host.\n"
          "send: HOST must be a loopback literal (127.0.0.0/8 or [::1]);\n"
          "  rate 0 (default) sends as fast as possible; each loop\n"
          "  replays the file unchanged, so sequence numbers repeat\n"
          "  per loop; a rate that would need over 600 s is refused,\n"
          "  and any run is stopped after 660 s. --exporters K sends\n"
          "  the file from each of K IPv4 loopback addresses (--from,\n"
          "  default 127.0.0.1, and the K-1 after it), batch by batch:\n"
          "  K exporters, K times the file's totals; the rate counts all.\n"
          "FILE.dgrams: per datagram a 4-byte big-endian length, a 4-byte\n"
          "  big-endian flow record count, then the datagram bytes.\n"
          "FILE.csv: host,bytes_in,bytes_out,packets_in,packets_out,\n"
          "  flows_in,flows_out per local host (bytes and packets scaled\n"
          "  by --sampling).\n"
          "exit status: 0 ok, 1 runtime failure, 2 bad arguments.\n",
          out);
}

_Noreturn void cli_fail(const char *arg, const char *expected, const char *got)
{
    if (got)
        fprintf(stderr, "flowgen: %s: expected %s, got '%s'\n", arg, expected, got);
    else
        fprintf(stderr, "flowgen: %s: expected %s\n", arg, expected);
    fputs("run 'flowgen --help' for usage\n", stderr);
    exit(FLOWGEN_EXIT_USAGE);
}

static struct cli_option *cli_find(struct cli_option *opts, size_t n_opts, const char *name,
                                   size_t name_len)
{
    for (size_t i = 0; i < n_opts; i++) {
        if (strlen(opts[i].name) == name_len && strncmp(opts[i].name, name, name_len) == 0)
            return &opts[i];
    }
    return NULL;
}

// argv[0] is the subcommand name; options follow. Only options listed in
// opts are accepted, and each at most once, so typos cannot pass silently.
void cli_parse(int argc, char **argv, struct cli_option *opts, size_t n_opts)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq;
        struct cli_option *opt;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cli_usage(stdout);
            exit(0);
        }
        if (strncmp(arg, "--", 2) != 0)
            cli_fail(arg, "an option starting with --", NULL);
        eq = strchr(arg + 2, '=');
        opt = cli_find(opts, n_opts, arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
        if (!opt)
            cli_fail(arg, "an option of this subcommand", NULL);
        if (opt->value)
            cli_fail(arg, "each option at most once", NULL);
        if (eq) {
            opt->value = eq + 1;
        } else {
            if (i + 1 >= argc)
                cli_fail(arg, "a value after it", NULL);
            opt->value = argv[++i];
        }
    }
}

const char *cli_get(const struct cli_option *opts, size_t n_opts, const char *name)
{
    for (size_t i = 0; i < n_opts; i++) {
        if (strcmp(opts[i].name, name) == 0)
            return opts[i].value;
    }
    return NULL;
}

// Strict decimal: no sign, no blanks, no suffix; strtoull alone would
// accept " -1" as a huge number.
uint64_t cli_u64(const char *name, const char *value, uint64_t lo, uint64_t hi)
{
    char expected[96];
    char *end = NULL;
    unsigned long long v;

    snprintf(expected, sizeof(expected), "a decimal integer in [%llu, %llu]",
             (unsigned long long)lo, (unsigned long long)hi);
    if (!value || value[0] < '0' || value[0] > '9')
        cli_fail(name, expected, value);
    errno = 0;
    v = strtoull(value, &end, 10);
    if (errno != 0 || *end != '\0' || v < lo || v > hi)
        cli_fail(name, expected, value);
    return (uint64_t)v;
}

// "A.B.C.D/LEN" with the host bits zero; a prefix with stray host bits is
// almost always a typo, so it is refused rather than silently masked.
void cli_prefix(const char *name, const char *value, uint32_t *base, uint8_t *len)
{
    const char *want = "an IPv4 prefix A.B.C.D/LEN (LEN 1..30, host bits 0)";
    char addr[INET_ADDRSTRLEN];
    const char *slash = strchr(value, '/');
    struct in_addr in;
    uint32_t mask;
    uint64_t bits;

    if (!slash || (size_t)(slash - value) >= sizeof(addr))
        cli_fail(name, want, value);
    memcpy(addr, value, (size_t)(slash - value));
    addr[slash - value] = '\0';
    if (inet_pton(AF_INET, addr, &in) != 1)
        cli_fail(name, want, value);
    bits = 0;
    for (const char *c = slash + 1; *c; c++) {
        if (*c < '0' || *c > '9' || c - slash > 2)
            cli_fail(name, want, value);
        bits = bits * 10 + (uint64_t)(*c - '0');
    }
    if (bits < 1 || bits > 30)
        cli_fail(name, want, value);
    mask = ~(uint32_t)0 << (32 - bits);
    *base = ntohl(in.s_addr);
    *len = (uint8_t)bits;
    if ((*base & ~mask) != 0)
        cli_fail(name, want, value);
}
