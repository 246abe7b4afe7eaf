// SPDX-License-Identifier: MIT
// Tests of the log parsers and the log follower: Squid access.log lines (a GET with user
// and peer, CONNECT, denied, memory hits, named clients and peers, aborted, ICP, escaped
// users, logged headers), plain usage and mapping lines ('-' fields, ISO 8601 times and
// zones), malformed lines with their exact messages, the sample files in tests/data/logs,
// and the follower on files in a fresh /tmp directory: lines appended byte by byte,
// rotation by rename (with the writer still on the old file), copytruncate, over-long
// lines, and restarts from a stored position (same file, rotated or truncated meanwhile).
// Times from `date -u -d '2026-09-01T12:00:00Z' +%s`.
#include "../../../src/collect/logs.h"
#include "../../../src/base/err.h"
#include "../../../src/base/units.h"
#include "test.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define DATA "tests/data/logs/" /* tests run from the top of the tree */
#define REC_MAX 64
#define SEEN_MAX 64

struct rec {
    struct log_usage u[REC_MAX];
    size_t n_u; /* calls, even past REC_MAX */
    struct log_mapping m[REC_MAX];
    size_t n_m;
    unsigned seen[SEEN_MAX]; /* follower tests: times each bytes_in value was seen */
};

static void rec_usage(void *ctx, const struct log_usage *u)
{
    struct rec *r = ctx;
    if (r->n_u < REC_MAX)
        r->u[r->n_u] = *u;
    r->n_u++;
    if (u->bytes_in < SEEN_MAX)
        r->seen[u->bytes_in]++;
}

static void rec_mapping(void *ctx, const struct log_mapping *m)
{
    struct rec *r = ctx;
    if (r->n_m < REC_MAX)
        r->m[r->n_m] = *m;
    r->n_m++;
}

/* ---- expected records --------------------------------------------------------------- */

struct want_usage {
    uint64_t time_ms;
    const char *user;
    const char *mac;    /* NULL: none */
    const char *local;  /* NULL: none */
    const char *remote; /* NULL: none */
    uint64_t bytes_in, bytes_out;
};

struct want_mapping {
    uint64_t time_ms;
    const char *user;
    const char *mac; /* NULL: none */
    const char *ip;
};

static void check_addr(const char *name, const char *which, bool has, const struct ip_addr *a,
                       const char *want)
{
    struct ip_addr w;
    char got[ADDR_STR_LEN];
    if (has != (want != NULL) || (want && (addr_parse(want, &w) != 0 || !addr_eq(a, &w))))
        TEST_FAIL("%s: %s %s, expected %s", name, which, has ? addr_format(a, got) : "none",
                  want ? want : "none");
}

static void check_mac(const char *name, bool has, const uint8_t *mac, const char *want)
{
    char got[18];
    if (has != (want != NULL) || (want && strcmp(units_format_mac(mac, got), want) != 0))
        TEST_FAIL("%s: mac %s, expected %s", name, has ? units_format_mac(mac, got) : "none",
                  want ? want : "none");
    if (!has) {
        static const uint8_t zero[6];
        ASSERT_MEMEQ(mac, zero, 6);
    }
}

static void check_usage(const char *name, const struct log_usage *u, const struct want_usage *w)
{
    if (u->time_ms != w->time_ms)
        TEST_FAIL("%s: time_ms %" PRIu64 ", expected %" PRIu64, name, u->time_ms, w->time_ms);
    if (strcmp(u->user, w->user) != 0)
        TEST_FAIL("%s: user \"%s\", expected \"%s\"", name, u->user, w->user);
    check_mac(name, u->has_mac, u->mac, w->mac);
    check_addr(name, "local", u->has_local, &u->local, w->local);
    check_addr(name, "remote", u->has_remote, &u->remote, w->remote);
    if (u->bytes_in != w->bytes_in || u->bytes_out != w->bytes_out)
        TEST_FAIL("%s: bytes %" PRIu64 "/%" PRIu64 ", expected %" PRIu64 "/%" PRIu64, name,
                  u->bytes_in, u->bytes_out, w->bytes_in, w->bytes_out);
}

static void check_mapping(const char *name, const struct log_mapping *m,
                          const struct want_mapping *w)
{
    if (m->time_ms != w->time_ms)
        TEST_FAIL("%s: time_ms %" PRIu64 ", expected %" PRIu64, name, m->time_ms, w->time_ms);
    if (strcmp(m->user, w->user) != 0)
        TEST_FAIL("%s: user \"%s\", expected \"%s\"", name, m->user, w->user);
    check_mac(name, m->has_mac, m->mac, w->mac);
    check_addr(name, "ip", true, &m->ip, w->ip);
}

/* ---- single lines ------------------------------------------------------------------- */

struct line_case {
    const char *line;
    int rc;                /* enum logs_line, or ERR_MALFORMED */
    struct want_usage u;   /* when rc is LOGS_LINE_USAGE */
    struct want_mapping m; /* when rc is LOGS_LINE_MAPPING */
    const char *why;       /* when rc is ERR_MALFORMED */
};

static void run_cases(enum log_format fmt, const struct line_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct line_case *k = &cases[i];
        struct log_usage u;
        struct log_mapping m;
        char why[LOGS_WHY_LEN], name[64];
        snprintf(name, sizeof name, "%s case %zu", logs_format_name(fmt), i);
        int rc = logs_parse_line(fmt, k->line, strlen(k->line), &u, &m, why, sizeof why);
        if (rc != k->rc) {
            TEST_FAIL("%s: returned %d, expected %d (%s)", name, rc, k->rc, why);
            continue;
        }
        if (rc == LOGS_LINE_USAGE)
            check_usage(name, &u, &k->u);
        if (rc == LOGS_LINE_MAPPING)
            check_mapping(name, &m, &k->m);
        if (rc == ERR_MALFORMED && strcmp(why, k->why) != 0)
            TEST_FAIL("%s: why \"%s\", expected \"%s\"", name, why, k->why);
        if (rc >= 0 && why[0] != '\0')
            TEST_FAIL("%s: why \"%s\" for a good line", name, why);
    }
}

static void test_format_names(void)
{
    enum log_format fmt;
    ASSERT_EQ_INT(logs_format_parse("squid", &fmt), 0);
    ASSERT_EQ_INT(fmt, LOG_SQUID);
    ASSERT_EQ_INT(logs_format_parse("plain", &fmt), 0);
    ASSERT_EQ_INT(fmt, LOG_PLAIN);
    ASSERT_EQ_INT(logs_format_parse("mapping", &fmt), 0);
    ASSERT_EQ_INT(fmt, LOG_MAPPING);
    ASSERT_EQ_INT(logs_format_parse("Squid", &fmt), ERR_MALFORMED);
    ASSERT_EQ_INT(logs_format_parse("", &fmt), ERR_MALFORMED);
    ASSERT_STREQ(logs_format_name(LOG_MAPPING), "mapping");
}

static void test_squid_lines(void)
{
    static const struct line_case cases[] = {
        /* a GET by an authenticated user, forwarded to the origin server */
        {.line = "1790000000.123    145 10.1.0.5 TCP_MISS/200 5120 GET http://example.com/ alice "
                 "HIER_DIRECT/203.0.113.5 text/html",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000000123, "alice", NULL, "10.1.0.5", "203.0.113.5", 5120, 0}},
        /* CONNECT: the whole tunnel's bytes to the client, an IPv6 server */
        {.line =
             "1790000001.500  60000 10.1.0.6 TCP_TUNNEL/200 1048576 CONNECT example.org:443 bob "
             "HIER_DIRECT/2001:db8::5 -",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000001500, "bob", NULL, "10.1.0.6", "2001:db8::5", 1048576, 0}},
        /* Squid 3.x logged tunnels as misses; an IPv6 client */
        {.line =
             "1790000001.000    900 2001:db8:100::7 TCP_MISS/200 4400 CONNECT example.org:443 - "
             "DIRECT/[2001:db8::6] -",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000001000, "", NULL, "2001:db8:100::7", "2001:db8::6", 4400, 0}},
        {.line = "1790000002.007      0 10.1.0.7 TCP_DENIED/403 3890 GET http://blocked.example/ - "
                 "HIER_NONE/- text/html",
         .rc = LOGS_LINE_DENIED},
        {.line = "1790000002.007      0 10.1.0.7 TCP_DENIED/407 4120 GET http://example.com/ - "
                 "HIER_NONE/- text/html",
         .rc = LOGS_LINE_DENIED},
        /* denied by http_reply_access: the server was contacted, the client got an error */
        {.line =
             "1790000002.100     30 10.1.0.7 TCP_DENIED_REPLY/403 3500 GET http://example.com/x - "
             "HIER_DIRECT/203.0.113.5 text/html",
         .rc = LOGS_LINE_DENIED},
        {.line =
             "1790000002.200      0 10.1.0.7 TCP_CF_DENIED_ABORTED/403 0 GET http://example.com/ - "
             "HIER_NONE/- -",
         .rc = LOGS_LINE_DENIED},
        /* from the memory cache: no peer, remote unknown */
        {.line =
             "1790000003.250      1 10.1.0.5 TCP_MEM_HIT/200 12800 GET http://example.com/logo.png "
             "alice HIER_NONE/- image/png",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000003250, "alice", NULL, "10.1.0.5", NULL, 12800, 0}},
        /* log_fqdn on: the client is a name */
        {.line = "1790000004.000     12 client7.lan TCP_MISS/304 350 GET http://example.net/ - "
                 "HIER_DIRECT/198.51.100.7 -",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000004000, "", NULL, NULL, "198.51.100.7", 350, 0}},
        /* a parent cache by name; TIMEOUT_ prefix; escaped user (é, a backslash) */
        {.line = "1790000005.010     40 10.1.0.5 TCP_MISS/200 410 GET http://example.com/a.css "
                 "jos%c3%a9 TIMEOUT_FIRSTUP_PARENT/parent.isp.example text/css",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000005010, "jos\xc3\xa9", NULL, "10.1.0.5", NULL, 410, 0}},
        {.line = "1790000005.020     40 10.1.0.5 TCP_MISS/200 411 GET http://example.com/ "
                 "EXAMPLE\\\\j%2Fdoe%zz FIRSTUP_PARENT/192.0.2.8 text/css",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000005020, "EXAMPLE\\j/doe%zz", NULL, "10.1.0.5", "192.0.2.8", 411, 0}},
        /* aborted and timed-out transfers still moved their bytes */
        {.line =
             "1790000006.400   2200 10.1.0.6 TCP_MISS_ABORTED/200 81920 GET http://video.example/a "
             "bob HIER_DIRECT/203.0.113.9 video/mp4",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000006400, "bob", NULL, "10.1.0.6", "203.0.113.9", 81920, 0}},
        {.line = "1790000006.500   9000 10.1.0.6 TCP_MISS_TIMEDOUT/200 100 GET http://example.com/ "
                 "- HIER_DIRECT/203.0.113.9 -",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000006500, "", NULL, "10.1.0.6", "203.0.113.9", 100, 0}},
        /* nothing moved, or a cache peer's query */
        {.line = "1790000007.001      5 10.1.0.9 NONE_NONE/000 0 CONNECT 203.0.113.10:443 - "
                 "HIER_NONE/- "
                 "-",
         .rc = LOGS_LINE_IGNORED},
        {.line = "1790000007.002      5 10.1.0.9 TCP_MISS_ABORTED/000 0 GET http://example.com/ - "
                 "HIER_DIRECT/203.0.113.10 -",
         .rc = LOGS_LINE_IGNORED},
        {.line = "1790000007.003      0 10.2.0.1 UDP_HIT/000 80 ICP_QUERY http://example.com/ - "
                 "HIER_NONE/- -",
         .rc = LOGS_LINE_IGNORED},
        /* log_mime_hdrs; no fraction; leading blanks; CRLF */
        {.line =
             "1790000008 5 10.1.0.5 TCP_MISS/200 700 GET http://example.com/ carol "
             "HIER_DIRECT/203.0.113.5 text/html [Host: example.com\\r\\n] [HTTP/1.1 200 OK\\r\\n]",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000008000, "carol", NULL, "10.1.0.5", "203.0.113.5", 700, 0}},
        {.line = "  1790000008.5\t-1\t10.1.0.5 TCP_HIT/200 1 GET http://e/ - HIER_NONE/- -\r",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000008500, "", NULL, "10.1.0.5", NULL, 1, 0}},
        {.line = "", .rc = LOGS_LINE_COMMENT},
        {.line = " \t\r", .rc = LOGS_LINE_COMMENT},
        {.line = "# squid -k rotate", .rc = LOGS_LINE_COMMENT},
        /* malformed, each field in turn */
        {.line = "1790000009.000     20 10.1.0.5 TCP_MISS/200 800 GET",
         .rc = ERR_MALFORMED,
         .why = "expected a URL, got end of line"},
        {.line = "1790000009.000",
         .rc = ERR_MALFORMED,
         .why = "expected an elapsed time in milliseconds, got end of line"},
        {.line =
             "17900x0010.000 5 10.1.0.5 TCP_MISS/200 800 GET http://e/ - HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a unix time such as 1790000000.123, got '17900x0010.000'"},
        {.line = "1790000010. 5 10.1.0.5 TCP_MISS/200 800 GET http://e/ - HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a unix time such as 1790000000.123, got '1790000010.'"},
        {.line =
             "1790000011.000 5 10.1.0.5 TCP_MISS/200 12k GET http://e/ - HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a byte count, got '12k'"},
        {.line =
             "1790000011.000 5 10.1.0.5 TCP_MISS/200 -1 GET http://e/ - HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a byte count, got '-1'"},
        {.line = "1790000011.000 5 10.1.0.5 TCP_MISS/200 1125899906842625 GET http://e/ - "
                 "HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a byte count of at most 1125899906842624, got '1125899906842625'"},
        {.line = "1790000011.000 x 10.1.0.5 TCP_MISS/200 1 GET http://e/ - HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected an elapsed time in milliseconds, got 'x'"},
        {.line = "1790000014.000 5 10.1.0.5 TCP_MISS 700 GET http://e/ - HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a result code and status such as TCP_MISS/200, got 'TCP_MISS'"},
        {.line =
             "1790000014.000 5 10.1.0.5 tcp_miss/200 700 GET http://e/ - HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a result code and status such as TCP_MISS/200, got 'tcp_miss/200'"},
        {.line =
             "1790000014.000 5 10.1.0.5 TCP_MISS/2000 700 GET http://e/ - HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a result code and status such as TCP_MISS/200, got 'TCP_MISS/2000'"},
        {.line = "1790000015.000 5 10.1.0.5 TCP_MISS/200 700 GET http://e/ - HIER_DIRECT -",
         .rc = ERR_MALFORMED,
         .why = "expected a hierarchy code and peer such as HIER_DIRECT/203.0.113.5, got "
                "'HIER_DIRECT'"},
        {.line = "1790000015.000 5 10.1.0.5 TCP_MISS/200 700 GET http://e/ - HIER_DIRECT/192.0.2.1",
         .rc = ERR_MALFORMED,
         .why = "expected a content type, got end of line"},
        /* a user name with a space: Squid leaves it unencoded, the fields shift */
        {.line = "1790000016.000 5 10.1.0.5 TCP_MISS/200 700 GET http://e/ john doe "
                 "HIER_DIRECT/192.0.2.1 -",
         .rc = ERR_MALFORMED,
         .why = "expected a hierarchy code and peer such as HIER_DIRECT/203.0.113.5, got 'doe'"},
        {.line =
             "1790000016.000 5 10.1.0.5 TCP_MISS/200 700 GET http://e/ a%01b HIER_DIRECT/192.0.2.1 "
             "-",
         .rc = ERR_MALFORMED,
         .why =
             "expected a user name (at most 253 bytes, no control characters) or '-', got 'a%01b'"},
        {.line =
             "1790000017.000 5 10.1.0.5 TCP_MISS/200 700 GET http://e/ - HIER_DIRECT/192.0.2.1 - x",
         .rc = ERR_MALFORMED,
         .why = "expected the end of the line or logged headers in brackets, got 'x'"},
        {.line = "1790000017.000 5 10.1.0.5 TCP_MISS/200 7\x01 GET",
         .rc = ERR_MALFORMED,
         .why = "expected a byte count, got '7\\x01'"},
    };
    run_cases(LOG_SQUID, cases, sizeof cases / sizeof cases[0]);
}

static void test_plain_lines(void)
{
    static const struct line_case cases[] = {
        {.line = "1790000000 alice 00:16:3e:11:22:33 10.1.0.5 203.0.113.5 5000 1200",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000000000, "alice", "00:16:3e:11:22:33", "10.1.0.5", "203.0.113.5", 5000, 1200}},
        {.line = "2026-09-01T12:00:00Z bob - 10.1.0.6 - 70000 3000",
         .rc = LOGS_LINE_USAGE,
         .u = {1788264000000, "bob", NULL, "10.1.0.6", NULL, 70000, 3000}},
        /* no zone is UTC; a fraction is truncated to milliseconds */
        {.line = "2026-09-01T12:00:05.2509 - 00-16-3E-AA-BB-CC - 2001:db8::1 100 0",
         .rc = LOGS_LINE_USAGE,
         .u = {1788264005250, "", "00:16:3e:aa:bb:cc", NULL, "2001:db8::1", 100, 0}},
        {.line = "2026-09-01T14:00:00+02:00\tcarol\t0016.3eaa.bbcc\t10.1.0.8\t198.51.100.1\t-\t42",
         .rc = LOGS_LINE_USAGE,
         .u = {1788264000000, "carol", "00:16:3e:aa:bb:cc", "10.1.0.8", "198.51.100.1", 0, 42}},
        /* a negative offset crosses midnight backwards; a leap day */
        {.line = "2026-01-01T00:30:00+01:00 dave - 10.1.0.9 - 1 2",
         .rc = LOGS_LINE_USAGE,
         .u = {1767223800000, "dave", NULL, "10.1.0.9", NULL, 1, 2}},
        {.line = "2024-02-29T23:59:59.9Z dave - 10.1.0.9 - 1 2",
         .rc = LOGS_LINE_USAGE,
         .u = {1709251199900, "dave", NULL, "10.1.0.9", NULL, 1, 2}},
        {.line = "1790000001.5 - - 10.1.0.7 - 0 0", .rc = LOGS_LINE_IGNORED},
        {.line = "1790000001.5 - - 10.1.0.7 - - -", .rc = LOGS_LINE_IGNORED},
        {.line = "1790000001.123456789 erin - - - 3 -",
         .rc = LOGS_LINE_USAGE,
         .u = {1790000001123, "erin", NULL, NULL, NULL, 3, 0}},
        {.line = "\t# a comment", .rc = LOGS_LINE_COMMENT},
        {.line = "2026-02-30T00:00:00Z alice - 10.1.0.5 - 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a unix time or an ISO 8601 time such as 2026-09-01T12:00:00Z, got "
                "'2026-02-30T00:00:00Z'"},
        {.line = "2026-09-01 12:00:00 alice - 10.1.0.5 - 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a unix time or an ISO 8601 time such as 2026-09-01T12:00:00Z, got "
                "'2026-09-01'"},
        {.line = "1969-12-31T23:59:59Z alice - 10.1.0.5 - 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a unix time or an ISO 8601 time such as 2026-09-01T12:00:00Z, got "
                "'1969-12-31T23:59:59Z'"},
        {.line = "1970-01-01T00:30:00+01:00 alice - 10.1.0.5 - 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a unix time or an ISO 8601 time such as 2026-09-01T12:00:00Z, got "
                "'1970-01-01T00:30:00+01:00'"},
        {.line = "- alice - 10.1.0.5 - 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a unix time or an ISO 8601 time such as 2026-09-01T12:00:00Z, got '-'"},
        {.line = "253402300800 alice - 10.1.0.5 - 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a unix time or an ISO 8601 time such as 2026-09-01T12:00:00Z, got "
                "'253402300800'"},
        {.line = "1790000002 - - - 203.0.113.5 10 10",
         .rc = ERR_MALFORMED,
         .why = "expected a user, a MAC or a local address, got none"},
        {.line = "1790000003 dave zz:16:3e:11:22:33 10.1.0.9 - 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a MAC address or '-', got 'zz:16:3e:11:22:33'"},
        {.line = "1790000003 dave - 10.1.0.300 - 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a local IP address or '-', got '10.1.0.300'"},
        {.line = "1790000003 dave - 10.1.0.3 example.com 1 1",
         .rc = ERR_MALFORMED,
         .why = "expected a remote IP address or '-', got 'example.com'"},
        {.line = "1790000003 dave - 10.1.0.3 - 1.5 1",
         .rc = ERR_MALFORMED,
         .why = "expected a byte count or '-' for bytes_in, got '1.5'"},
        {.line = "1790000003 dave - 10.1.0.3 - 1 99999999999999999999",
         .rc = ERR_MALFORMED,
         .why = "expected a byte count or '-' for bytes_out, got '99999999999999999999'"},
        {.line = "1790000003 dave - 10.1.0.3 - 1 18446744073709551615",
         .rc = ERR_MALFORMED,
         .why = "expected a byte count of at most 1125899906842624 for bytes_out, got "
                "'18446744073709551615'"},
        {.line = "1790000003 dave - 10.1.0.3 - 1",
         .rc = ERR_MALFORMED,
         .why = "expected a byte count or '-' for bytes_out, got end of line"},
        {.line = "1790000004 erin - 10.1.0.10 - 1 1 extra",
         .rc = ERR_MALFORMED,
         .why = "expected the end of the line, got 'extra'"},
    };
    run_cases(LOG_PLAIN, cases, sizeof cases / sizeof cases[0]);
}

static void test_mapping_lines(void)
{
    static const struct line_case cases[] = {
        {.line = "1790000000 alice 00:16:3e:11:22:33 10.1.0.5",
         .rc = LOGS_LINE_MAPPING,
         .m = {1790000000000, "alice", "00:16:3e:11:22:33", "10.1.0.5"}},
        /* CRLF line ending: the line is passed without its '\n' */
        {.line = "2026-09-01T12:00:00Z bob - 2001:db8:1::6\r",
         .rc = LOGS_LINE_MAPPING,
         .m = {1788264000000, "bob", NULL, "2001:db8:1::6"}},
        {.line = "1790000100.750 - 00:16:3e:aa:bb:cc 10.1.0.7",
         .rc = LOGS_LINE_MAPPING,
         .m = {1790000100750, "", "00:16:3e:aa:bb:cc", "10.1.0.7"}},
        /* nobody holds the address from then on */
        {.line = "1790000200 - - 10.1.0.5",
         .rc = LOGS_LINE_MAPPING,
         .m = {1790000200000, "", NULL, "10.1.0.5"}},
        {.line = "1790000300 eve - not-an-ip",
         .rc = ERR_MALFORMED,
         .why = "expected an IP address, got 'not-an-ip'"},
        {.line = "1790000300 eve -",
         .rc = ERR_MALFORMED,
         .why = "expected an IP address, got end of line"},
        {.line = "1790000300 eve - -",
         .rc = ERR_MALFORMED,
         .why = "expected an IP address, got '-'"},
        {.line = "1790000400 eve - 10.1.0.9 extra",
         .rc = ERR_MALFORMED,
         .why = "expected the end of the line, got 'extra'"},
    };
    run_cases(LOG_MAPPING, cases, sizeof cases / sizeof cases[0]);
}

/* A user name of 253 bytes fits BINDING_NAME_MAX with its NUL; 254 does not. */
static void test_user_length(void)
{
    char line[600], why[LOGS_WHY_LEN];
    struct log_usage u;
    for (int n = 253; n <= 254; n++) {
        int len =
            snprintf(line, sizeof line, "1790000000 %.*s - - - 1 1", n,
                     "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
                     "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
                     "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
                     "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu");
        int rc = logs_parse_line(LOG_PLAIN, line, (size_t)len, &u, NULL, why, sizeof why);
        ASSERT_EQ_INT(rc, n == 253 ? LOGS_LINE_USAGE : ERR_MALFORMED);
        if (rc == LOGS_LINE_USAGE)
            ASSERT_EQ_U64(strlen(u.user), 253);
    }
}

/* ---- sample files ------------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf = malloc(1 << 16);
    *len = 0;
    if (!fp || !buf) {
        TEST_FAIL("cannot read %s", path);
        if (fp)
            fclose(fp);
        return buf;
    }
    *len = fread(buf, 1, (1 << 16) - 1, fp);
    fclose(fp);
    return buf;
}

static void check_counters(const char *name, const struct log_counters *c,
                           const struct log_counters *w)
{
    if (memcmp(c, w, sizeof *c) != 0)
        TEST_FAIL("%s: counters lines %" PRIu64 " usage %" PRIu64 " mappings %" PRIu64
                  " denied %" PRIu64 " ignored %" PRIu64 " comments %" PRIu64 " malformed %" PRIu64
                  " rotations %" PRIu64 " truncations %" PRIu64 ", expected %" PRIu64 " %" PRIu64
                  " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                  " %" PRIu64,
                  name, c->lines, c->usage, c->mappings, c->denied, c->ignored, c->comments,
                  c->malformed, c->rotations, c->truncations, w->lines, w->usage, w->mappings,
                  w->denied, w->ignored, w->comments, w->malformed, w->rotations, w->truncations);
}

static void test_squid_file(void)
{
    static const struct want_usage w[] = {
        {1790000000123, "alice", NULL, "10.1.0.5", "203.0.113.5", 5120, 0},
        {1790000001500, "bob", NULL, "10.1.0.6", "2001:db8::5", 1048576, 0},
        {1790000003250, "alice", NULL, "10.1.0.5", NULL, 12800, 0},
        {1790000004000, "", NULL, NULL, "198.51.100.7", 350, 0},
        {1790000006400, "bob", NULL, "10.1.0.6", "203.0.113.9", 81920, 0},
        {1790000008100, "jos\xc3\xa9", NULL, "10.1.0.5", NULL, 410, 0},
        {1790000012000, "carol", NULL, "10.1.0.5", "203.0.113.5", 700, 0},
    };
    size_t len;
    char *text = read_file(DATA "access.log", &len), errbuf[ERR_BUF_LEN];
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    uint64_t bad =
        logs_parse(LOG_SQUID, text, len, DATA "access.log", rec_usage, rec_mapping, r, &c, errbuf);
    ASSERT_EQ_U64(bad, 4);
    /* Four malformed lines, the first three shown. */
    ASSERT_STREQ(errbuf,
                 DATA "access.log:10: expected a URL, got end of line\n" DATA
                      "access.log:11: expected a unix time such as 1790000000.123, got "
                      "'17900x0010.000'\n" DATA "access.log:12: expected a byte count, got '12k'");
    check_counters(
        "access.log", &c,
        &(struct log_counters){.lines = 16, .usage = 7, .denied = 3, .ignored = 2, .malformed = 4});
    ASSERT_EQ_U64(r->n_u, 7);
    ASSERT_EQ_U64(r->n_m, 0);
    for (size_t i = 0; i < 7 && i < r->n_u; i++) {
        char name[32];
        snprintf(name, sizeof name, "access.log #%zu", i);
        check_usage(name, &r->u[i], &w[i]);
    }
    free(r);
    free(text);
}

static void test_plain_file(void)
{
    static const struct want_usage w[] = {
        {1790000000000, "alice", "00:16:3e:11:22:33", "10.1.0.5", "203.0.113.5", 5000, 1200},
        {1788264000000, "bob", NULL, "10.1.0.6", NULL, 70000, 3000},
        {1788264005250, "", "00:16:3e:aa:bb:cc", NULL, "2001:db8::1", 100, 0},
        {1788264000000, "carol", "00:16:3e:aa:bb:cc", "10.1.0.8", "198.51.100.1", 0, 42},
    };
    size_t len;
    char *text = read_file(DATA "usage.log", &len), errbuf[ERR_BUF_LEN];
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    ASSERT_EQ_U64(logs_parse(LOG_PLAIN, text, len, "usage.log", rec_usage, NULL, r, &c, errbuf), 4);
    ASSERT_STREQ(errbuf, "usage.log:8: expected a unix time or an ISO 8601 time such as "
                         "2026-09-01T12:00:00Z, got '2026-02-30T00:00:00Z'\n"
                         "usage.log:9: expected a user, a MAC or a local address, got none\n"
                         "usage.log:10: expected a MAC address or '-', got 'zz:16:3e:11:22:33'");
    check_counters("usage.log", &c,
                   &(struct log_counters){
                       .lines = 11, .usage = 4, .ignored = 1, .comments = 2, .malformed = 4});
    ASSERT_EQ_U64(r->n_u, 4);
    for (size_t i = 0; i < 4 && i < r->n_u; i++) {
        char name[32];
        snprintf(name, sizeof name, "usage.log #%zu", i);
        check_usage(name, &r->u[i], &w[i]);
    }
    free(r);
    free(text);
}

static void test_mapping_file(void)
{
    static const struct want_mapping w[] = {
        {1790000000000, "alice", "00:16:3e:11:22:33", "10.1.0.5"},
        {1788264000000, "bob", NULL, "2001:db8:1::6"},
        {1790000100750, "", "00:16:3e:aa:bb:cc", "10.1.0.7"},
        {1790000200000, "", NULL, "10.1.0.5"},
    };
    size_t len;
    char *text = read_file(DATA "mapping.log", &len), errbuf[ERR_BUF_LEN];
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {.lines = 100}; /* added to, not reset */
    ASSERT_EQ_U64(
        logs_parse(LOG_MAPPING, text, len, "mapping.log", NULL, rec_mapping, r, &c, errbuf), 2);
    ASSERT_STREQ(errbuf, "mapping.log:6: expected an IP address, got 'not-an-ip'\n"
                         "mapping.log:7: expected the end of the line, got 'extra'");
    check_counters(
        "mapping.log", &c,
        &(struct log_counters){.lines = 107, .mappings = 4, .comments = 1, .malformed = 2});
    ASSERT_EQ_U64(r->n_m, 4);
    for (size_t i = 0; i < 4 && i < r->n_m; i++) {
        char name[32];
        snprintf(name, sizeof name, "mapping.log #%zu", i);
        check_mapping(name, &r->m[i], &w[i]);
    }
    free(r);
    free(text);
}

/* The last line needs no newline; an empty text has no lines; the line count follows
 * every newline, blank lines included. */
static void test_buffer_edges(void)
{
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    char errbuf[ERR_BUF_LEN];
    const char text[] = "1790000000 a - - - 1 0\n\n\nbad\n1790000000 b - - - 2 0";
    ASSERT_EQ_U64(logs_parse(LOG_PLAIN, text, sizeof text - 1, "t", rec_usage, NULL, r, &c, errbuf),
                  1);
    ASSERT_STREQ(errbuf, "t:4: expected a unix time or an ISO 8601 time such as "
                         "2026-09-01T12:00:00Z, got 'bad'");
    check_counters("edges", &c,
                   &(struct log_counters){.lines = 5, .usage = 2, .comments = 2, .malformed = 1});
    c = (struct log_counters){0};
    ASSERT_EQ_U64(logs_parse(LOG_PLAIN, NULL, 0, "t", rec_usage, NULL, r, &c, errbuf), 0);
    ASSERT_EQ_U64(c.lines, 0);
    ASSERT_STREQ(errbuf, "");
    free(r);
}

/* ---- the follower ------------------------------------------------------------------- */

static char tmp_dir[64];

static void path_in_tmp(char *out, size_t size, const char *name)
{
    int n = snprintf(out, size, "%s/%s", tmp_dir, name);
    if (n < 0 || (size_t)n >= size)
        TEST_FAIL("path %s/%s does not fit %zu bytes", tmp_dir, name, size);
}

/* Appends text to path, creating it; returns false on error. */
static bool append(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    size_t n = strlen(text);
    bool ok = fd >= 0 && write(fd, text, n) == (ssize_t)n;
    if (fd >= 0)
        close(fd);
    if (!ok)
        TEST_FAIL("cannot append to %s", path);
    return ok;
}

static void fd_write(int fd, const char *text)
{
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n)
        TEST_FAIL("write failed");
}

/* A plain usage line whose bytes_in, n, identifies it; users of varying length make the
 * lines differ in length. */
static const char *usage_line(unsigned n)
{
    static char buf[96];
    snprintf(buf, sizeof buf, "1790000000 user%.*s - 10.0.0.1 - %u 0\n", (int)(n % 7), "xxxxxxx",
             n);
    return buf;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static uint64_t file_inode(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Each of lines first..last was seen exactly once, and no other. */
static void check_seen(const char *name, const struct rec *r, unsigned first, unsigned last)
{
    for (unsigned n = 0; n < SEEN_MAX; n++) {
        unsigned want = n >= first && n <= last ? 1 : 0;
        if (r->seen[n] != want)
            TEST_FAIL("%s: line %u seen %u times, expected %u", name, n, r->seen[n], want);
    }
}

static int poll_plain(struct log_follower *f, struct rec *r, struct log_counters *c, char *errbuf)
{
    return logfollow_poll(f, LOG_PLAIN, rec_usage, NULL, r, c, errbuf);
}

/* A file written one byte at a time, polled after every byte: each line once, when its
 * newline arrives, and the stored offset always at a line start. */
static void test_follow_bytewise(void)
{
    char path[128], errbuf[ERR_BUF_LEN];
    path_in_tmp(path, sizeof path, "bytewise.log");
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    struct log_follower *f = logfollow_open(path, 0, 0);
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0); /* no file yet: waits */
    uint64_t inode, offset;
    logfollow_position(f, &inode, &offset);
    ASSERT_EQ_U64(inode, 0);
    ASSERT_EQ_U64(offset, 0);
    char text[512] = "";
    for (unsigned n = 1; n <= 3; n++)
        strcat(text, usage_line(n));
    uint64_t line_end[3], at = 0;
    for (unsigned i = 0, k = 0; text[i]; i++)
        if (text[i] == '\n')
            line_end[k++] = i + 1;
    for (size_t i = 0; text[i]; i++) {
        char one[2] = {text[i], '\0'};
        append(path, one);
        ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
        ASSERT_STREQ(errbuf, "");
        if (text[i] == '\n')
            at++;
        ASSERT_EQ_U64(c.usage, at);
        logfollow_position(f, &inode, &offset);
        ASSERT_EQ_U64(offset, at ? line_end[at - 1] : 0);
    }
    ASSERT_EQ_U64(inode, file_inode(path));
    check_seen("bytewise", r, 1, 3);
    check_counters("bytewise", &c, &(struct log_counters){.lines = 3, .usage = 3});
    logfollow_close(f);
    free(r);
}

/* Rotation by rename: the writer keeps writing to the renamed file until it reopens, and
 * logrotate creates the new file empty first. Every line is counted once. */
static void test_follow_rename(void)
{
    char path[128], old[128], errbuf[ERR_BUF_LEN];
    path_in_tmp(path, sizeof path, "rename.log");
    path_in_tmp(old, sizeof old, "rename.log.1");
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    int w = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644); /* the writer */
    fd_write(w, usage_line(1));
    fd_write(w, usage_line(2));
    struct log_follower *f = logfollow_open(path, 0, 0);
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    ASSERT_EQ_U64(c.usage, 2);
    uint64_t old_inode = file_inode(path);

    fd_write(w, usage_line(3));
    ASSERT_EQ_INT(rename(path, old), 0);
    fd_write(w, usage_line(4));                     /* the writer has not reopened yet */
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0); /* no file at the path: old one read */
    ASSERT_EQ_U64(c.usage, 4);
    append(path, ""); /* logrotate "create": empty */
    fd_write(w, usage_line(5));
    fd_write(w, "1790000000 partial - 10.0.0.1 - 6"); /* the rest comes before it reopens */
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    ASSERT_EQ_U64(c.usage, 5);
    ASSERT_EQ_U64(c.rotations, 0);
    uint64_t inode, offset;
    logfollow_position(f, &inode, &offset);
    ASSERT_EQ_U64(inode, old_inode);

    fd_write(w, " 0\n");
    close(w);
    w = open(path, O_WRONLY | O_APPEND | O_CLOEXEC); /* reopened */
    fd_write(w, usage_line(7));
    fd_write(w, usage_line(8));
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    ASSERT_STREQ(errbuf, "");
    check_seen("rename", r, 1, 8);
    ASSERT_EQ_U64(c.rotations, 1);
    logfollow_position(f, &inode, &offset);
    ASSERT_EQ_U64(inode, file_inode(path));
    ASSERT_EQ_U64(offset, file_size(path));

    fd_write(w, usage_line(9));
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    check_seen("rename", r, 1, 9);
    check_counters("rename", &c, &(struct log_counters){.lines = 9, .usage = 9, .rotations = 1});
    close(w);
    logfollow_close(f);
    unlink(old);
    free(r);
}

/* The old file ends in a partial line when the writer moves on: that line is malformed,
 * reported with its line number in the old file. Squid lines this time. */
static void test_follow_rename_partial(void)
{
    char path[128], old[128], errbuf[ERR_BUF_LEN], want[512];
    path_in_tmp(path, sizeof path, "partial.log");
    path_in_tmp(old, sizeof old, "partial.log.1");
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    append(path, "1790000000.123 5 10.1.0.5 TCP_MISS/200 11 GET http://e/ - HIER_DIRECT/"
                 "192.0.2.1 -\n1790000000.124 5 10.1.0.5 TCP_MISS/200 12 GET http://e/");
    struct log_follower *f = logfollow_open(path, 0, 0);
    ASSERT_EQ_INT(logfollow_poll(f, LOG_SQUID, rec_usage, NULL, r, &c, errbuf), 0);
    ASSERT_EQ_U64(c.usage, 1);
    ASSERT_EQ_INT(rename(path, old), 0);
    append(path, "1790000000.200 5 10.1.0.5 TCP_MISS/200 13 GET http://e/ - HIER_NONE/- -\n");
    ASSERT_EQ_INT(logfollow_poll(f, LOG_SQUID, rec_usage, NULL, r, &c, errbuf), 0);
    snprintf(want, sizeof want,
             "%s:2: expected a newline before the file was rotated, got '1790000000.124 5 "
             "10.1.0.5 TCP_MISS/200 1...'",
             path);
    ASSERT_STREQ(errbuf, want);
    ASSERT_EQ_U64(r->n_u, 2);
    ASSERT_EQ_U64(r->u[1].bytes_in, 13);
    check_counters("partial", &c,
                   &(struct log_counters){.lines = 3, .usage = 2, .malformed = 1, .rotations = 1});
    logfollow_close(f);
    unlink(old);
    free(r);
}

/* copytruncate: the file is cut to 0 and written again, shorter than our offset, then
 * cut again and written past it. */
static void test_follow_copytruncate(void)
{
    char path[128], errbuf[ERR_BUF_LEN], want[256];
    path_in_tmp(path, sizeof path, "truncate.log");
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    for (unsigned n = 1; n <= 3; n++)
        append(path, usage_line(n));
    struct log_follower *f = logfollow_open(path, 0, 0);
    append(path, "1790000000 cut"); /* partial, and cut by the truncation */
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    ASSERT_EQ_INT(truncate(path, 0), 0);
    append(path, usage_line(4));
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    snprintf(want, sizeof want,
             "%s:4: expected a newline before the file was truncated, got '1790000000 cut'", path);
    ASSERT_STREQ(errbuf, want);
    check_seen("copytruncate", r, 1, 4);
    ASSERT_EQ_U64(c.truncations, 1);

    /* Refilled past the offset before we looked: line 5 is longer than line 4, so the byte
     * before our offset is no longer a newline. */
    ASSERT_EQ_INT(truncate(path, 0), 0);
    for (unsigned n = 5; n <= 7; n++)
        append(path, usage_line(n));
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    check_seen("copytruncate", r, 1, 7);
    check_counters(
        "copytruncate", &c,
        &(struct log_counters){.lines = 8, .usage = 7, .malformed = 1, .truncations = 2});
    uint64_t inode, offset;
    logfollow_position(f, &inode, &offset);
    ASSERT_EQ_U64(offset, file_size(path));
    logfollow_close(f);
    free(r);
}

/* A restart: a new follower given the stored position reads only what came after it, and
 * numbers lines from the start of the file in its messages. */
static void test_follow_resume(void)
{
    char path[128], errbuf[ERR_BUF_LEN], want[256];
    path_in_tmp(path, sizeof path, "resume.log");
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    for (unsigned n = 1; n <= 3; n++)
        append(path, usage_line(n));
    append(path, "1790000000 user - 10.0.0.1 - 4"); /* partial: not consumed */
    struct log_follower *f = logfollow_open(path, 0, 0);
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    uint64_t inode, offset;
    logfollow_position(f, &inode, &offset);
    logfollow_close(f);
    ASSERT_EQ_U64(inode, file_inode(path));
    ASSERT_EQ_U64(offset, file_size(path) - strlen("1790000000 user - 10.0.0.1 - 4"));

    append(path, " 0\n");
    append(path, usage_line(5));
    append(path, "1790000000 user - 10.0.0.1 - five 0\n");
    f = logfollow_open(path, inode, offset);
    uint64_t inode2, offset2;
    logfollow_position(f, &inode2, &offset2); /* before the first poll: as given */
    ASSERT_EQ_U64(inode2, inode);
    ASSERT_EQ_U64(offset2, offset);
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    snprintf(want, sizeof want, "%s:6: expected a byte count or '-' for bytes_in, got 'five'",
             path);
    ASSERT_STREQ(errbuf, want);
    check_seen("resume", r, 1, 5);
    check_counters("resume", &c, &(struct log_counters){.lines = 6, .usage = 5, .malformed = 1});
    logfollow_position(f, &inode2, &offset2);
    ASSERT_EQ_U64(inode2, inode);
    ASSERT_EQ_U64(offset2, file_size(path));
    logfollow_close(f);
    free(r);
}

/* Rotated while stopped: the stored inode is not the path's any more, so the new file is
 * read from 0; what was added to the old one after the stored offset is not read. */
static void test_follow_rotated_while_stopped(void)
{
    char path[128], old[128], errbuf[ERR_BUF_LEN];
    path_in_tmp(path, sizeof path, "stopped.log");
    path_in_tmp(old, sizeof old, "stopped.log.1");
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    append(path, usage_line(1));
    append(path, usage_line(2));
    struct log_follower *f = logfollow_open(path, 0, 0);
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    uint64_t inode, offset;
    logfollow_position(f, &inode, &offset);
    logfollow_close(f);

    append(path, usage_line(3)); /* lost: documented */
    ASSERT_EQ_INT(rename(path, old), 0);
    append(path, usage_line(4));
    append(path, usage_line(5));
    f = logfollow_open(path, inode, offset);
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    ASSERT_STREQ(errbuf, "");
    ASSERT_EQ_U64(r->seen[3], 0);
    r->seen[3] = 1;
    check_seen("stopped", r, 1, 5);
    check_counters("stopped", &c, &(struct log_counters){.lines = 4, .usage = 4, .rotations = 1});
    logfollow_close(f);

    /* Truncated while stopped: same inode, shorter than the stored offset. */
    inode = file_inode(path);
    offset = file_size(path);
    ASSERT_EQ_INT(truncate(path, 0), 0);
    append(path, usage_line(6));
    f = logfollow_open(path, inode, offset);
    ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
    check_seen("stopped", r, 1, 6);
    ASSERT_EQ_U64(c.truncations, 1);
    logfollow_close(f);
    unlink(old);
    free(r);
}

/* A line over LOGS_LINE_MAX bytes, arriving in pieces, is malformed and skipped to its
 * newline; one of exactly LOGS_LINE_MAX bytes is read. logs_parse agrees on both. */
static void test_follow_long_line(void)
{
    char path[128], errbuf[ERR_BUF_LEN], want[256];
    path_in_tmp(path, sizeof path, "long.log");
    struct rec *r = calloc(1, sizeof *r);
    struct log_counters c = {0};
    size_t max = LOGS_LINE_MAX;
    char *text = malloc(3 * max);
    /* line 1: normal; line 2: max + 1 bytes; line 3: exactly max bytes; line 4: normal */
    size_t n = (size_t)sprintf(text, "%s", usage_line(1));
    size_t long_start = n;
    n += (size_t)sprintf(text + n, "1790000000 user%-*s - 10.0.0.1 - 2 0\n", (int)(max - 31), "z");
    size_t long_len = n - 1 - long_start;
    size_t exact_start = n;
    n += (size_t)sprintf(text + n, "1790000000 user%-*s - 10.0.0.1 - 3 0\n", (int)(max - 32), "z");
    size_t exact_len = n - 1 - exact_start;
    n += (size_t)sprintf(text + n, "%s", usage_line(4));
    ASSERT_EQ_U64(long_len, max + 1);
    ASSERT_EQ_U64(exact_len, max);

    struct log_follower *f = logfollow_open(path, 0, 0);
    for (size_t at = 0; at < n; at += 20000) { /* 20000-byte pieces, a poll after each */
        size_t piece = n - at < 20000 ? n - at : 20000;
        char save = text[at + piece];
        text[at + piece] = '\0';
        append(path, text + at);
        text[at + piece] = save;
        ASSERT_EQ_INT(poll_plain(f, r, &c, errbuf), 0);
        if (errbuf[0] && strstr(errbuf, ":2: expected a line of at most 65536 bytes, got "
                                        "'1790000000 userz                        ...'") == NULL)
            TEST_FAIL("unexpected message: %s", errbuf);
    }
    ASSERT_EQ_U64(r->seen[2], 0);
    r->seen[2] = 1;
    check_seen("long", r, 1, 4);
    check_counters("long", &c, &(struct log_counters){.lines = 4, .usage = 3, .malformed = 1});
    uint64_t inode, offset;
    logfollow_position(f, &inode, &offset);
    ASSERT_EQ_U64(offset, n);
    logfollow_close(f);

    struct log_counters c2 = {0};
    ASSERT_EQ_U64(logs_parse(LOG_PLAIN, text, n, path, NULL, NULL, NULL, &c2, errbuf), 1);
    snprintf(want, sizeof want,
             "%s:2: expected a line of at most 65536 bytes, got '1790000000 userz"
             "                        ...'",
             path);
    ASSERT_STREQ(errbuf, want);
    check_counters("long buffer", &c2,
                   &(struct log_counters){.lines = 4, .usage = 3, .malformed = 1});
    free(text);
    free(r);
}

/* Not a regular file (a directory, a FIFO): an error with the path. */
static void test_follow_errors(void)
{
    char errbuf[ERR_BUF_LEN], want[256];
    struct log_counters c = {0};
    struct log_follower *f = logfollow_open(tmp_dir, 0, 0);
    ASSERT_EQ_INT(logfollow_poll(f, LOG_PLAIN, NULL, NULL, NULL, &c, errbuf), ERR_UNSUPPORTED);
    snprintf(want, sizeof want, "%s: not a regular file", tmp_dir);
    ASSERT_STREQ(errbuf, want);
    logfollow_close(f);
    logfollow_close(NULL);

    /* A FIFO is refused without waiting for a writer. */
    char fifo[128];
    path_in_tmp(fifo, sizeof fifo, "fifo.log");
    ASSERT_EQ_INT(mkfifo(fifo, 0600), 0);
    f = logfollow_open(fifo, 0, 0);
    ASSERT_EQ_INT(logfollow_poll(f, LOG_PLAIN, NULL, NULL, NULL, &c, errbuf), ERR_UNSUPPORTED);
    logfollow_close(f);

    /* Errors beyond LOGS_ERRORS_SHOWN are counted, not shown. */
    char path[128];
    path_in_tmp(path, sizeof path, "errors.log");
    for (int i = 0; i < 5; i++)
        append(path, "oops\n");
    f = logfollow_open(path, 0, 0);
    ASSERT_EQ_INT(logfollow_poll(f, LOG_MAPPING, NULL, NULL, NULL, &c, errbuf), 0);
    ASSERT_EQ_U64(c.malformed, 5);
    size_t lines = 1;
    for (const char *p = errbuf; (p = strchr(p, '\n')); p++)
        lines++;
    ASSERT_EQ_U64(lines, LOGS_ERRORS_SHOWN);
    logfollow_close(f);
}

/* Removes the files the tests left in tmp_dir, then the directory. */
static void remove_tmp_dir(void)
{
    DIR *d = opendir(tmp_dir);
    struct dirent *e;
    char path[128];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        path_in_tmp(path, sizeof path, e->d_name);
        unlink(path);
    }
    if (d)
        closedir(d);
    if (rmdir(tmp_dir) != 0)
        fprintf(stderr, "# could not remove %s\n", tmp_dir);
}

int main(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/test_logs.XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_format_names);
    RUN(test_squid_lines);
    RUN(test_plain_lines);
    RUN(test_mapping_lines);
    RUN(test_user_length);
    RUN(test_squid_file);
    RUN(test_plain_file);
    RUN(test_mapping_file);
    RUN(test_buffer_edges);
    RUN(test_follow_bytewise);
    RUN(test_follow_rename);
    RUN(test_follow_rename_partial);
    RUN(test_follow_copytruncate);
    RUN(test_follow_resume);
    RUN(test_follow_rotated_while_stopped);
    RUN(test_follow_long_line);
    RUN(test_follow_errors);
    remove_tmp_dir();
    return test_done();
}
