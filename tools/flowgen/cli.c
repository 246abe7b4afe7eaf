// SPDX-License-Identifier: MIT
// Command-line handling shared by the subcommands: the usage text, a small
// "--name VALUE" / "--name=VALUE" option parser and strict converters for
// numbers and IPv4 or IPv6 prefixes. Any malformed argument ends the program with a
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
          "                [--remote PREFIX] [--start UNIX_SECONDS|now|now-SECONDS]\n"
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
          "  remotes 1000, local 10.0.0.0/8, remote 198.18.0.0/15\n"
          "  (2001:2::/48 with an IPv6 --local), start 1790000000,\n"
          "  per-packet 30 (v5, v9) or 24 (ipfix), for IPv6 22 (v9,\n"
          "  21 sampled) or 17 (ipfix), sampling 1, domain 1, pace 1000\n"
          "  (records per second of export time; flows end up to 59 s\n"
          "  before their export).\n"
          "write --local/--remote: host i is the prefix's address + 1 + i.\n"
          "  IPv4 (LEN 1..30) or IPv6 (LEN 1..126, in 2000::/3 or\n"
          "  fc00::/7), both of one family; IPv6 needs v9 or ipfix (a\n"
          "  second data template, 258: source/destinationIPv6Address).\n"
          "write --start now: the last datagram is exported at the\n"
          "  current second (when write runs), the first\n"
          "  (records-1)/per-packet*per-packet/pace seconds before, so\n"
          "  every flow ends in [now - records/pace - 59 s, now];\n"
          "  now-SECONDS: the same, SECONDS earlier.\n"
          "write --flows: the flows of FLOWS.csv instead of random ones\n"
          "  (--seed, --records, --hosts, --remotes, --local, --remote,\n"
          "  --start, --sampling, --remote-port, --pace are refused).\n"
          "  One flow a line: end_unix_seconds,local_ip,remote_ip,\n"
          "  bytes_in,bytes_out (IPv4 or, not for v5, IPv6: one family\n"
          "  a line, both in a file; end in [86400, 4294967295],\n"
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
          "  by --sampling), IPv4 then IPv6, each ascending, as flowtally\n"
          "  report prints them (IPv6 in RFC 5952 form).\n"
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

// "A.B.C.D/LEN" (LEN 1..30) or "X:X::/LEN" (LEN 1..126), with the host bits
// zero: at least two host bits, as a prefix needs room for base + 1 .. base +
// count below its last address. A prefix with stray host bits is almost
// always a typo, so it is refused rather than silently masked.
void cli_prefix(const char *name, const char *value, struct prefix *out)
{
    const char *want = "an IPv4 prefix A.B.C.D/LEN (LEN 1..30) or an IPv6 prefix X:X::/LEN "
                       "(LEN 1..126), host bits 0";
    char text[INET6_ADDRSTRLEN];
    const char *slash = strchr(value, '/');
    struct addr host;
    uint64_t bits;

    if (!slash || (size_t)(slash - value) >= sizeof(text))
        cli_fail(name, want, value);
    memcpy(text, value, (size_t)(slash - value));
    text[slash - value] = '\0';
    if (!addr_parse(text, &out->base))
        cli_fail(name, want, value);
    bits = 0;
    for (const char *c = slash + 1; *c; c++) {
        if (*c < '0' || *c > '9' || c - slash > (out->base.is_v6 ? 3 : 2))
            cli_fail(name, want, value);
        bits = bits * 10 + (uint64_t)(*c - '0');
    }
    if (bits < 1 || bits > (out->base.is_v6 ? 126u : 30u))
        cli_fail(name, want, value);
    out->len = (uint8_t)bits;
    // Host bits are 0 when the address, with them cleared, is itself.
    host = (struct addr){.is_v6 = out->base.is_v6};
    for (uint64_t b = 0; b < bits; b++)
        host.b[b / 8] |= (uint8_t)(out->base.b[b / 8] & (0x80u >> (b % 8)));
    if (memcmp(host.b, out->base.b, sizeof(host.b)) != 0)
        cli_fail(name, want, value);
}
