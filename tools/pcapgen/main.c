// SPDX-License-Identifier: MIT
// pcapgen: writes a deterministic pcap of conversations between local and
// remote hosts plus the exact per-local-host totals an exporter replaying
// it (e.g. softflowd -r) must yield, for flowtally's interop tests. See
// usage() for the options; the same arguments always give the same files.

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"
#include "plan.h"
#include "tally.h"
#include "writer.h"

#define MAX_SESSIONS 100000
#define DEFAULT_START 1790000000u
// Keep the last timestamp (start + 10 min spread + session length) in
// the 32-bit seconds field of classic pcap.
#define MAX_START (UINT32_MAX - 3600u)

struct options {
    struct plan_config plan;
    uint32_t start;
    const char *out;
    const char *expect;
    const char *expect_v4;
};

static void usage(FILE *f)
{
    fputs("usage: pcapgen [--seed N] [--sessions N] [--hosts N] "
          "[--remotes N] [--ipv6]\n"
          "               [--start UNIX_SECONDS] --out FILE.pcap "
          "--expect FILE.csv\n"
          "               [--expect-v4 FILE.csv]\n"
          "defaults: --seed 1 --sessions 40 (max 100000) --hosts 8 "
          "--remotes 20 (max 254)\n"
          "          --start 1790000000; --ipv6 makes half the sessions "
          "IPv6\n"
          "--expect gets per-local-host totals of all traffic, "
          "--expect-v4 of IPv4 only;\n"
          "stdout gets 'packets N bytes N sessions N' (IP-layer bytes)."
          "\n",
          f);
}

// Strict decimal parse: the whole argument must be a number in range.
static int parse_num(const char *name, const char *arg, uint64_t min, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' || v < min || v > max) {
        fprintf(stderr,
                "pcapgen: bad value for --%s: '%s' "
                "(%" PRIu64 "..%" PRIu64 ")\n",
                name, arg, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_opt(int c, const char *arg, struct options *o)
{
    uint64_t v = 0;

    switch (c) {
    case 's': return parse_num("seed", arg, 0, UINT64_MAX, &o->plan.seed);
    case 'n':
        if (parse_num("sessions", arg, 0, MAX_SESSIONS, &v) != 0)
            return -1;
        o->plan.sessions = (unsigned)v;
        return 0;
    case 'h':
    case 'r':
        if (parse_num(c == 'h' ? "hosts" : "remotes", arg, 1, HOSTS_MAX, &v) != 0)
            return -1;
        *(c == 'h' ? &o->plan.hosts : &o->plan.remotes) = (unsigned)v;
        return 0;
    case 't':
        if (parse_num("start", arg, 0, MAX_START, &v) != 0)
            return -1;
        o->start = (uint32_t)v;
        return 0;
    case '6': o->plan.ipv6 = 1; return 0;
    case 'o': o->out = arg; return 0;
    case 'e': o->expect = arg; return 0;
    case '4': o->expect_v4 = arg; return 0;
    }
    return -1;
}

// Returns 0 to run, 1 when --help was asked for, -1 on a usage error.
static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = {
        {"seed", required_argument, NULL, 's'},
        {"sessions", required_argument, NULL, 'n'},
        {"hosts", required_argument, NULL, 'h'},
        {"remotes", required_argument, NULL, 'r'},
        {"ipv6", no_argument, NULL, '6'},
        {"start", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},
        {"expect", required_argument, NULL, 'e'},
        {"expect-v4", required_argument, NULL, '4'},
        {"help", no_argument, NULL, 'H'},
        {NULL, 0, NULL, 0},
    };
    int c;

    // Only long options exist; short letters are internal ids.
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        if (c == 'H')
            return 1;
        if (c == '?' || parse_opt(c, optarg, o) != 0)
            return -1;
    }
    if (optind != argc) {
        fprintf(stderr, "pcapgen: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (o->out == NULL || o->expect == NULL) {
        fputs("pcapgen: --out and --expect are required\n", stderr);
        return -1;
    }
    return 0;
}

static int write_outputs(const struct options *o, const struct tally *t)
{
    if (tally_write_csv(t, o->expect, 1) != 0) {
        fprintf(stderr, "pcapgen: %s: %s\n", o->expect, strerror(errno));
        return -1;
    }
    if (o->expect_v4 != NULL && tally_write_csv(t, o->expect_v4, 0) != 0) {
        fprintf(stderr, "pcapgen: %s: %s\n", o->expect_v4, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = {
        .plan = {.seed = 1, .sessions = 40, .hosts = 8, .remotes = 20, .ipv6 = 0},
        .start = DEFAULT_START,
    };
    static struct tally t; // large; keep it off the stack
    struct plan p;
    const char *err;
    int rc = 1;

    switch (parse_args(argc, argv, &o)) {
    case 0: break;
    case 1: usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
    err = plan_build(&o.plan, &p);
    if (err != NULL) {
        fprintf(stderr, "pcapgen: %s\n", err);
        return 1;
    }
    err = write_capture(&p, o.start, o.out, &t);
    if (err != NULL)
        fprintf(stderr, "pcapgen: %s: %s (%s)\n", o.out, err, strerror(errno));
    else if (write_outputs(&o, &t) == 0)
        rc = 0;
    if (rc == 0)
        printf("packets %" PRIu64 " bytes %" PRIu64 " sessions %zu\n", t.packets, t.bytes,
               p.n_sessions);
    plan_free(&p);
    return rc;
}
