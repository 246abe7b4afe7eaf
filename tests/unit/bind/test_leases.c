// SPDX-License-Identifier: MIT
// Tests of the DHCP lease file parsers: the sample files in tests/data/leases (ISC IPv4
// and IPv6, Kea lease4 and lease6) against records written out by hand (times from
// `date -u -d 'YYYY/MM/DD HH:MM:SS' +%s`), the date and identifier forms, format
// detection, malformed input with its exact file:line message in strict and lenient
// mode, and the file reader's errors and size limit.
#include "../../../src/bind/leases.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define DATA "tests/data/leases/" /* tests run from the top of the tree */
#define REC_MAX 32

struct rec {
    struct lease v[REC_MAX];
    size_t n; /* calls, even past REC_MAX */
};

static void rec_emit(void *ctx, const struct lease *l)
{
    struct rec *r = ctx;
    if (r->n < REC_MAX)
        r->v[r->n] = *l;
    r->n++;
}

struct want {
    const char *ip;
    unsigned prefix_len;
    const char *mac; /* NULL: has_mac false */
    uint64_t start_s, end_s;
    bool is_active;
};

static const char *mac_str(const uint8_t *m, char *buf)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buf;
}

static void check_leases(const char *name, const struct rec *r, const struct want *w, size_t n)
{
    if (r->n != n)
        TEST_FAIL("%s: %zu leases, expected %zu", name, r->n, n);
    for (size_t i = 0; i < n && i < r->n && i < REC_MAX; i++) {
        const struct lease *l = &r->v[i];
        struct ip_addr ip;
        char got[ADDR_STR_LEN], mac[18];
        if (addr_parse(w[i].ip, &ip) != 0 || !addr_eq(&l->ip, &ip))
            TEST_FAIL("%s #%zu: ip %s, expected %s", name, i, addr_format(&l->ip, got), w[i].ip);
        if (l->prefix_len != w[i].prefix_len)
            TEST_FAIL("%s #%zu: prefix_len %u, expected %u", name, i, l->prefix_len,
                      w[i].prefix_len);
        if (l->has_mac != (w[i].mac != NULL) ||
            (w[i].mac && strcmp(mac_str(l->mac, mac), w[i].mac) != 0))
            TEST_FAIL("%s #%zu: mac %s, expected %s", name, i,
                      l->has_mac ? mac_str(l->mac, mac) : "none", w[i].mac ? w[i].mac : "none");
        if (l->start_ms != w[i].start_s * 1000 || l->end_ms != w[i].end_s * 1000)
            TEST_FAIL("%s #%zu: [%" PRIu64 ", %" PRIu64 ") ms, expected [%" PRIu64 "000, %" PRIu64
                      "000)",
                      name, i, l->start_ms, l->end_ms, w[i].start_s, w[i].end_s);
        if (l->is_active != w[i].is_active)
            TEST_FAIL("%s #%zu: is_active %d, expected %d", name, i, l->is_active, w[i].is_active);
    }
}

/* Parses a sample file strictly; it must have no error and exactly these leases. */
static void check_file(const char *path, const struct want *w, size_t n)
{
    struct rec r = {0};
    struct lease_counters c;
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(leases_parse_file(path, false, rec_emit, &r, &c, errbuf), 0);
    ASSERT_STREQ(errbuf, "");
    ASSERT_EQ_U64(c.leases, n);
    ASSERT_EQ_U64(c.skipped, 0);
    check_leases(path, &r, w, n);
}

static void test_isc4_file(void)
{
    static const struct want w[] = {
        /* expired: dhcpd records it as free, with the times it had */
        {"10.1.0.11", 128, "00:16:3e:aa:bb:cc", 1794895200, 1794938400, false},
        {"10.1.0.20", 128, "00:16:3e:20:20:20", 1794700800, 0, true}, /* ends never */
        /* 10.1.0.10: granted, renewed twice, then expired */
        {"10.1.0.10", 128, "00:16:3e:11:22:33", 1794988800, 1795032000, true},
        {"10.1.0.10", 128, "00:16:3e:11:22:33", 1795010400, 1795053600, true},
        {"10.1.0.10", 128, "00:16:3e:11:22:33", 1795051800, 1795095000, true},
        /* released at 11:42:17: ends is the release time */
        {"10.1.0.12", 128, "00:16:3e:0a:0b:0c", 1795079700, 1795088537, false},
        {"10.1.0.10", 128, "00:16:3e:11:22:33", 1795051800, 1795095000, false},
        {"10.1.0.30", 128, NULL, 1795168800, 1795212000, true}, /* no hardware */
    };
    check_file(DATA "isc4.leases", w, sizeof w / sizeof w[0]);
}

static void test_isc6_file(void)
{
    static const struct want w[] = {
        /* DUID-LLT of 00:16:3e:44:55:66 */
        {"2001:db8:1::1a", 128, "00:16:3e:44:55:66", 1794988800, 1795032000, true},
        {"2001:db8:100::", 56, "00:16:3e:44:55:66", 1794988800, 1795032000, true},
        /* DUID-EN: no MAC; two addresses in one IA */
        {"2001:db8:1::2b", 128, NULL, 1794830400, 1794832200, false},
        {"2001:db8:1::2c", 128, NULL, 1794830400, 1794832200, true},
        /* ia-ta, DUID-LL, no ends: cltt + max-life */
        {"2001:db8:1:0:8a3:1ff:fe22:3", 128, "00:16:3e:77:88:99", 1795168800, 1795176000, true},
        {"2001:db8:100::", 56, "00:16:3e:44:55:66", 1795051800, 1795079700, false}, /* released */
    };
    check_file(DATA "isc6.leases", w, sizeof w / sizeof w[0]);
}

static void test_kea4_file(void)
{
    static const struct want w[] = {
        {"10.2.0.10", 128, "00:16:3e:11:22:33", 1794988800, 1794992400, true},
        {"10.2.0.11", 128, "00:16:3e:aa:bb:cc", 1794985200, 1794988800, true},
        {"10.2.0.10", 128, "00:16:3e:11:22:33", 1794990600, 1794994200, true},  /* renewed */
        {"10.2.0.12", 128, NULL, 1794700800, 1794787200, false},                /* declined */
        {"10.2.0.13", 128, "00:16:3e:0a:0b:0c", 1794895200, 1794898800, false}, /* reclaimed */
        /* deleted: Kea appends the lease with valid_lifetime 0 */
        {"10.2.0.10", 128, "00:16:3e:11:22:33", 1794996000, 1794996000, false},
        {"10.2.0.20", 128, "00:16:3e:20:20:20", 1794700800, 0, true}, /* infinite */
    };
    check_file(DATA "kea4.csv", w, sizeof w / sizeof w[0]);
}

static void test_kea6_file(void)
{
    static const struct want w[] = {
        {"2001:db8:2::10", 128, "00:16:3e:44:55:66", 1794988800, 1794992800, true},
        /* no hwaddr: the MAC of the DUID-LL */
        {"2001:db8:2::11", 128, "00:16:3e:77:88:99", 1794988800, 1794992800, true},
        {"2001:db8:2::12", 128, NULL, 1794830400, 1794832200, true},               /* DUID-EN */
        {"2001:db8:200::", 56, "00:16:3e:44:55:66", 1794988800, 1794996000, true}, /* IA_PD */
        {"2001:db8:2::13", 128, "00:16:3e:44:55:66", 1794895200, 1794899200, false},
        {"2001:db8:2::8a3:1ff:fe22:3", 128, "00:16:3e:77:88:99", 1795168800, 1795176000, true},
    };
    check_file(DATA "kea6.csv", w, sizeof w / sizeof w[0]);
}

/* Forms of dates, addresses and identifiers, one lease per text. */
static void test_isc_forms(void)
{
    static const struct {
        const char *text;
        struct want w;
    } cases[] = {
        /* db-time-format local: epoch seconds, the comment is local time and ignored */
        {"lease 10.0.0.1 {\n  starts epoch 1795168800; # Fri Nov 20 11:00:00 2026\n"
         "  ends epoch 1795212000; # Fri Nov 20 23:00:00 2026\n  binding state active;\n}\n",
         {"10.0.0.1", 128, NULL, 1795168800, 1795212000, true}},
        /* leap day, the end of a year; dhcpd 3 wrote MAC octets without leading zeros */
        {"lease 10.0.0.2 {\n  starts 4 2024/02/29 12:00:00;\n  ends 4 2026/12/31 23:59:59;\n"
         "  hardware ethernet 0:16:3e:a:b:c;\n}\n",
         {"10.0.0.2", 128, "00:16:3e:0a:0b:0c", 1709208000, 1798761599, true}},
        /* a pool address never handed out: no times, free */
        {"lease 10.0.0.3 {\n  binding state free;\n}\n", {"10.0.0.3", 128, NULL, 0, 0, false}},
        {"lease 10.0.0.4 {\n  starts 1 2000/03/01 00:00:00;\n  binding state bootp;\n"
         "  hardware token-ring 00:16:3e:11:22:33;\n}\n",
         {"10.0.0.4", 128, NULL, 951868800, 0, true}},
        {"lease 10.0.0.5 {\n  starts 3 2026/11/18 08:00:00;\n  ends 3 2026/11/18 20:00:00;\n"
         "  abandoned;\n  uid 01:00:16:3e:11:22:33;\n}\n",
         {"10.0.0.5", 128, NULL, 1794988800, 1795032000, false}},
        /* lease-id-format hex, underscore spelling, infinite lifetime */
        {"lease-id-format hex;\nia_na 01:00:00:00:00:03:00:01:00:16:3e:77:88:99 {\n"
         "  cltt 3 2026/11/18 08:00:00;\n  iaaddr 2001:db8::5 {\n    max-life 4294967295;\n"
         "  }\n}\n",
         {"2001:db8::5", 128, "00:16:3e:77:88:99", 1794988800, 0, true}},
        /* no cltt: the start is ends - max-life */
        {"ia-pd \"\\001\\000\\000\\000\\000\\003\\000\\001\\000\\026>w\\210\\231\" {\n"
         "  iaprefix 2001:db8:ff00::/40 {\n    binding state active;\n    max-life 600;\n"
         "    ends 3 2026/11/18 08:10:00;\n  }\n}\n",
         {"2001:db8:ff00::", 40, "00:16:3e:77:88:99", 1794988800, 1794989400, true}},
        /* a DUID-LLT whose hardware is not Ethernet gives no MAC */
        {"ia-na \"\\001\\000\\000\\000\\000\\001\\000\\006,\\2234\\022\\000\\026>DUf\" {\n"
         "  cltt 3 2026/11/18 08:00:00;\n  iaaddr 2001:db8::6 {\n    ends never;\n  }\n}\n",
         {"2001:db8::6", 128, NULL, 1794988800, 0, true}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct rec r = {0};
        struct lease_counters c;
        char errbuf[ERR_BUF_LEN], name[32];
        int rc = leases_parse_isc(cases[i].text, strlen(cases[i].text), "forms.leases", false,
                                  rec_emit, &r, &c, errbuf);
        snprintf(name, sizeof name, "case %zu", i);
        if (rc != 0)
            TEST_FAIL("%s: %s", name, errbuf);
        check_leases(name, &r, &cases[i].w, 1);
    }
}

static void test_detect(void)
{
    static const char kea[] = "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,"
                              "fqdn_fwd,fqdn_rev,hostname,state,user_context\r\n"
                              "10.2.0.10,00:16:3e:11:22:33,,3600,1794992400,1,0,0,,0,\r\n"
                              "\r\n";
    static const char isc[] = "lease 10.2.0.10 {\n  starts 3 2026/11/18 08:00:00;\n"
                              "  ends 3 2026/11/18 09:00:00;\n"
                              "  hardware ethernet 00:16:3e:11:22:33;\n}";
    /* Both say the same: one active lease of an hour. CRLF and a blank last line are
     * fine, as is a Kea schema (1.x) without pool_id, and a file without a final
     * newline. */
    static const struct want w = {"10.2.0.10", 128,        "00:16:3e:11:22:33",
                                  1794988800,  1794992400, true};
    const char *texts[] = {kea, isc};
    for (size_t i = 0; i < 2; i++) {
        struct rec r = {0};
        struct lease_counters c;
        char errbuf[ERR_BUF_LEN];
        ASSERT_EQ_INT(
            leases_parse(texts[i], strlen(texts[i]), "x", false, rec_emit, &r, &c, errbuf), 0);
        ASSERT_STREQ(errbuf, "");
        check_leases(i ? "isc" : "kea", &r, &w, 1);
    }
    /* An empty file, one of comments and a lone header have no leases. */
    const char *empty[] = {"", "# nothing yet\n", "address,hwaddr,valid_lifetime,expire\n"};
    for (size_t i = 0; i < 3; i++) {
        struct rec r = {0};
        struct lease_counters c;
        char errbuf[ERR_BUF_LEN];
        ASSERT_EQ_INT(
            leases_parse(empty[i], strlen(empty[i]), "x", false, rec_emit, &r, &c, errbuf), 0);
        ASSERT_EQ_U64(r.n, 0);
        ASSERT_EQ_U64(c.leases, 0);
    }
}

#define GOOD4                                                                                      \
    "lease 10.9.0.1 {\n  starts 3 2026/11/18 08:00:00;\n  ends 3 2026/11/18 20:00:00;\n}\n"
#define IA_OPEN "ia-na \"\\001\\000\\000\\000\" {\n  cltt 3 2026/11/18 08:00:00;\n"
#define KEA4_HEAD                                                                                  \
    "address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,"   \
    "user_context,pool_id\n"
#define KEA4_ROW "10.2.0.10,00:16:3e:11:22:33,,3600,1794992400,1,0,0,,0,,0\n"
#define KEA6_HEAD                                                                                  \
    "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,"       \
    "fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id\n"
#define KEA6_ROW                                                                                   \
    "2001:db8:2::10,00:03:00:01:00:16:3e:77:88:99,4000,1794992800,1,3000,0,1,128,0,0,,,0,,,,0\n"

/* Each text has one error. Strictly: ERR_MALFORMED, exactly this message, and the leases
 * before the error emitted. Leniently: 0, the same message, the bad block or row skipped
 * and counted, and every good lease emitted. */
static void test_malformed(void)
{
    static const struct {
        const char *text;
        const char *want;
        uint64_t n_strict, n_lenient, n_skipped;
    } cases[] = {
        /* ISC: a block never closed, then another lease (a file cut and appended to) */
        {GOOD4 "lease 10.9.0.2 {\n  starts 3 2026/11/18 08:00:00;\n" GOOD4,
         "bad:7: expected '}' closing 'lease' of line 5, got 'lease'", 1, 2, 1},
        /* a block cut by the end of the file, as read while dhcpd appends */
        {GOOD4 "lease 10.9.0.2 {\n  starts 3 2026/11/18 08:00:00;\n",
         "bad:7: expected '}' closing 'lease' of line 5, got end of file", 1, 1, 1},
        {GOOD4 "lease 10.9.0.2 {\n  starts 3 2026/11/18 08:00:00;\n  ends 3 2026/11/",
         "bad:7: expected a date (W YYYY/MM/DD HH:MM:SS), got '2026/11/'", 1, 1, 1},
        {"lease 10.9.0.2 {\n  starts 3 2026/02/30 08:00:00;\n}\n" GOOD4,
         "bad:2: expected a date (W YYYY/MM/DD HH:MM:SS), got '2026/02/30'", 0, 1, 1},
        {"lease 10.9.0.2 {\n  starts 3 2026/11/18 24:00:00;\n}\n" GOOD4,
         "bad:2: expected a date (W YYYY/MM/DD HH:MM:SS), got '24:00:00'", 0, 1, 1},
        {"lease 10.9.0.2 {\n  ends 7 2026/11/18 08:00:00;\n}\n" GOOD4,
         "bad:2: expected a date (W YYYY/MM/DD HH:MM:SS), got '7'", 0, 1, 1},
        {"lease 10.9.0.2 {\n  starts never;\n}\n" GOOD4,
         "bad:2: expected a date (W YYYY/MM/DD HH:MM:SS), got 'never'", 0, 1, 1},
        {"lease 10.9.0.2 {\n  starts epoch 17x;\n}\n" GOOD4,
         "bad:2: expected seconds since the epoch, got '17x'", 0, 1, 1},
        {"lease 10.9.0.256 {\n  starts 3 2026/11/18 08:00:00;\n}\n" GOOD4,
         "bad:1: expected an IPv4 address, got '10.9.0.256'", 0, 1, 1},
        {"lease 2001:db8::1 {\n}\n" GOOD4, "bad:1: expected an IPv4 address, got '2001:db8::1'", 0,
         1, 1},
        {"lease 10.9.0.2 {\n  hardware ethernet 00:16:3e:11:22;\n}\n" GOOD4,
         "bad:2: expected a MAC address (6 hex octets separated by ':'), got '00:16:3e:11:22'", 0,
         1, 1},
        {"lease 10.9.0.2 {\n  hardware ethernet 00:16:3e:11:22:zz;\n}\n" GOOD4,
         "bad:2: expected a MAC address (6 hex octets separated by ':'), got '00:16:3e:11:22:zz'",
         0, 1, 1},
        {"lease 10.9.0.2 {\n  hardware ethernet 00:16:3e:11:22:33:44;\n}\n" GOOD4,
         "bad:2: expected a MAC address (6 hex octets separated by ':'), got "
         "'00:16:3e:11:22:33:44'",
         0, 1, 1},
        {"lease 10.9.0.2 {\n  binding state active\n  hardware ethernet "
         "00:16:3e:11:22:33;\n}\n" GOOD4,
         "bad:3: expected ';', got 'hardware'", 0, 1, 1},
        {"lease 10.9.0.2 {\n  binding state bogus;\n}\n" GOOD4,
         "bad:2: expected a binding state (active, free, expired, released, ...), got 'bogus'", 0,
         1, 1},
        {"lease 10.9.0.2 {\n  starts 3 2026/11/18 20:00:00;\n  ends 3 2026/11/18 "
         "08:00:00;\n}\n" GOOD4,
         "bad:3: expected 'ends' no earlier than 'starts', got '3 2026/11/18 08:00:00'", 0, 1, 1},
        {"lease 10.9.0.2 {\n  client-hostname \"abc;\n}\n" GOOD4,
         "bad:2: expected ';', got an unterminated string", 0, 1, 1},
        {GOOD4 "}\n" GOOD4, "bad:5: expected a declaration, got '}'", 1, 2, 1},
        {"\x01\n" GOOD4, "bad:1: expected a declaration, got '\\x01'", 0, 1, 1},
        {"authoring-byte-order little-endian\n" GOOD4, "bad:2: expected ';', got 'lease'", 0, 1, 1},
        /* ISC IPv6 */
        {IA_OPEN "  iaaddr 10.0.0.1 {\n    max-life 600;\n  }\n}\n" GOOD4,
         "bad:3: expected an IPv6 address, got '10.0.0.1'", 0, 1, 1},
        {IA_OPEN "  iaprefix 2001:db8:100:: {\n    max-life 600;\n  }\n}\n" GOOD4,
         "bad:3: expected an IPv6 prefix (ADDR/LEN), got '2001:db8:100::'", 0, 1, 1},
        {IA_OPEN "  iaaddr 2001:db8::1 {\n    max-life forever;\n  }\n}\n" GOOD4,
         "bad:4: expected a lifetime in seconds, got 'forever'", 0, 1, 1},
        {IA_OPEN "  iaaddr 2001:db8::1 {\n    binding state active;\n  }\n}\n" GOOD4,
         "bad:5: expected 'ends' or 'max-life' in 'iaaddr' of line 3, got '}'", 0, 1, 1},
        {"ia-na \"x\" {\n  iaaddr 2001:db8::1 {\n    max-life 600;\n  }\n}\n" GOOD4,
         "bad:5: expected 'cltt' in 'ia-na' of line 1, got '}'", 0, 1, 1},
        {IA_OPEN "  iaaddr 2001:db8::1 {\n    ends 2 2026/11/17 08:00:00;\n  }\n}\n" GOOD4,
         "bad:4: expected 'ends' no earlier than 'cltt', got '2 2026/11/17 08:00:00'", 0, 1, 1},
        {IA_OPEN "  iaaddr 2001:db8::1 {\n    max-life 600;\n  }\n" GOOD4,
         "bad:6: expected '}' closing 'ia-na' of line 1, got 'lease'", 0, 1, 1},
        /* Kea */
        {KEA4_HEAD KEA4_ROW "10.2.0.11,00:16:3e:aa:bb:cc,,3600,1794992400,1,0,0,,0,0\n" KEA4_ROW,
         "bad:3: expected 12 columns, got 11", 1, 2, 1},
        {KEA4_HEAD KEA4_ROW "10.2.0.11,00:16:3e:aa", "bad:3: expected 12 columns, got 2", 1, 1, 1},
        {KEA4_HEAD "10.2.0.11,00:16:3e:aa:bb:cc,,36OO,1794992400,1,0,0,,0,,0\n" KEA4_ROW,
         "bad:2: expected an unsigned integer up to 4294967295 for valid_lifetime, got '36OO'", 0,
         1, 1},
        {KEA4_HEAD "10.2.0.11,00:16:3e:aa:bb:cc,,4294967296,1794992400,1,0,0,,0,,0\n" KEA4_ROW,
         "bad:2: expected an unsigned integer up to 4294967295 for valid_lifetime, got "
         "'4294967296'",
         0, 1, 1},
        {KEA4_HEAD "10.2.0.11,00:16:3e:aa:bb:cc,,3600,-5,1,0,0,,0,,0\n" KEA4_ROW,
         "bad:2: expected an unsigned integer up to 253402300799 for expire, got '-5'", 0, 1, 1},
        {KEA4_HEAD "10.2.0.11,00:16:3e:aa:bb:cc,,3600,1794992400,1,0,0,,x,,0\n" KEA4_ROW,
         "bad:2: expected an unsigned integer up to 4294967295 for state, got 'x'", 0, 1, 1},
        {KEA4_HEAD "10.2.0.300,00:16:3e:aa:bb:cc,,3600,1794992400,1,0,0,,0,,0\n" KEA4_ROW,
         "bad:2: expected an IPv4 address, got '10.2.0.300'", 0, 1, 1},
        {KEA4_HEAD "10.2.0.11,00:16:3e:11:22:zz,,3600,1794992400,1,0,0,,0,,0\n" KEA4_ROW,
         "bad:2: expected hex octets separated by ':' for hwaddr, got '00:16:3e:11:22:zz'", 0, 1,
         1},
        {KEA4_HEAD "10.2.0.11,00:16:3e:aa:bb:cc,,3600,100,1,0,0,,0,,0\n" KEA4_ROW,
         "bad:2: expected an expire no smaller than valid_lifetime 3600, got '100'", 0, 1, 1},
        {KEA6_HEAD "10.2.0.11,00:03:00:01:00:16:3e:77:88:99,4000,1794992800,1,3000,0,1,128,0,0,,,0,"
                   ",,,0\n" KEA6_ROW,
         "bad:2: expected an IPv6 address, got '10.2.0.11'", 0, 1, 1},
        {KEA6_HEAD
         "2001:db8:2::11,00:03:00:01:xx,4000,1794992800,1,3000,0,1,128,0,0,,,0,,,,0\n" KEA6_ROW,
         "bad:2: expected hex octets separated by ':' for duid, got '00:03:00:01:xx'", 0, 1, 1},
        {KEA6_HEAD "2001:db8:2::11,00:03:00:01:00:16:3e:77:88:99,4000,1794992800,1,3000,3,1,128,0,"
                   "0,,,0,,,,0\n" KEA6_ROW,
         "bad:2: expected 0, 1 or 2 for lease_type, got '3'", 0, 1, 1},
        {KEA6_HEAD "2001:db8:200::,00:03:00:01:00:16:3e:77:88:99,4000,1794992800,1,3000,2,1,0,0,0,"
                   ",,0,,,,0\n" KEA6_ROW,
         "bad:2: expected 1 to 128 for prefix_len, got '0'", 0, 1, 1},
        {KEA6_HEAD "2001:db8:200::1,00:03:00:01:00:16:3e:77:88:99,4000,1794992800,1,3000,2,1,56,0,"
                   "0,,,0,,,,0\n" KEA6_ROW,
         "bad:2: expected a prefix with no bits set past /56, got '2001:db8:200::1'", 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *text = cases[i].text;
        for (int lenient = 0; lenient <= 1; lenient++) {
            struct rec r = {0};
            struct lease_counters c;
            char errbuf[ERR_BUF_LEN];
            int rc = leases_parse(text, strlen(text), "bad", lenient, rec_emit, &r, &c, errbuf);
            uint64_t want_n = lenient ? cases[i].n_lenient : cases[i].n_strict;
            if (rc != (lenient ? 0 : ERR_MALFORMED))
                TEST_FAIL("case %zu%s: rc %d", i, lenient ? " lenient" : "", rc);
            if (strcmp(errbuf, cases[i].want) != 0)
                TEST_FAIL("case %zu%s: error \"%s\", expected \"%s\"", i, lenient ? " lenient" : "",
                          errbuf, cases[i].want);
            if (r.n != want_n || c.leases != want_n)
                TEST_FAIL("case %zu%s: %zu leases (counted %" PRIu64 "), expected %" PRIu64, i,
                          lenient ? " lenient" : "", r.n, c.leases, want_n);
            if (c.skipped != (lenient ? cases[i].n_skipped : 0))
                TEST_FAIL("case %zu%s: %" PRIu64 " skipped", i, lenient ? " lenient" : "",
                          c.skipped);
        }
    }
}

/* Leniently, every bad block is counted, the first error is the one reported, and the
 * good leases around them all come out; the lease after a bad one is not lost. */
static void test_lenient(void)
{
    static const char isc[] =
        GOOD4 "lease 10.9.0.2 {\n  starts 3 2026/13/18 08:00:00;\n}\n" GOOD4
              "lease 10.9.0.3 {\n  hardware ethernet 1:2:3;\n}\n" GOOD4 "lease 10.9.0.4 {\n";
    struct rec r = {0};
    struct lease_counters c;
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(leases_parse_isc(isc, strlen(isc), "f", true, rec_emit, &r, &c, errbuf), 0);
    ASSERT_EQ_U64(c.leases, 3);
    ASSERT_EQ_U64(r.n, 3);
    ASSERT_EQ_U64(c.skipped, 3);
    ASSERT_STREQ(errbuf, "f:6: expected a date (W YYYY/MM/DD HH:MM:SS), got '2026/13/18'");

    static const char kea[] = KEA4_HEAD KEA4_ROW "x\n" KEA4_ROW "10.2.0.11,,,1,0,1,0,0,,0,,0\n";
    memset(&r, 0, sizeof r);
    ASSERT_EQ_INT(leases_parse_kea(kea, strlen(kea), "k", true, rec_emit, &r, &c, errbuf), 0);
    ASSERT_EQ_U64(c.leases, 2);
    ASSERT_EQ_U64(c.skipped, 2);
    ASSERT_STREQ(errbuf, "k:3: expected 12 columns, got 1");

    /* A header that lacks a column is fatal even leniently: no row can be read. */
    static const char head[] = "address,hwaddr,valid_lifetime\n" KEA4_ROW;
    for (int lenient = 0; lenient <= 1; lenient++) {
        memset(&r, 0, sizeof r);
        ASSERT_EQ_INT(leases_parse(head, strlen(head), "k", lenient, rec_emit, &r, &c, errbuf),
                      ERR_MALFORMED);
        ASSERT_STREQ(errbuf, "k:1: expected a column 'expire' in the lease4 header, got "
                             "'address,hwaddr,valid_lifetime'");
        ASSERT_EQ_U64(r.n, 0);
    }
}

static void test_file_errors(void)
{
    char path[64], want[ERR_BUF_LEN], errbuf[ERR_BUF_LEN];
    struct rec r = {0};
    struct lease_counters c;
    snprintf(path, sizeof path, "/tmp/flowtally-test-leases-%d", (int)getpid());

    unlink(path);
    ASSERT_EQ_INT(leases_parse_file(path, true, rec_emit, &r, &c, errbuf), -ENOENT);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    ASSERT_STREQ(errbuf, want);

    /* Messages name the file by its path. */
    FILE *f = fopen(path, "w");
    fputs(GOOD4 "lease 10.9.0.2 {\n  starts 3 2026/11/18 08:00:00;\n", f);
    fclose(f);
    ASSERT_EQ_INT(leases_parse_file(path, false, rec_emit, &r, &c, errbuf), ERR_MALFORMED);
    snprintf(want, sizeof want, "%s:7: expected '}' closing 'lease' of line 5, got end of file",
             path);
    ASSERT_STREQ(errbuf, want);
    ASSERT_EQ_U64(c.leases, 1);

    /* Past 256 MB (a sparse file: nothing is written or read). */
    int fd = open(path, O_WRONLY | O_TRUNC);
    ASSERT_TRUE(fd >= 0 && ftruncate(fd, (off_t)LEASES_FILE_MAX + 1) == 0);
    close(fd);
    r.n = 0;
    ASSERT_EQ_INT(leases_parse_file(path, true, rec_emit, &r, &c, errbuf), ERR_LIMIT);
    snprintf(want, sizeof want, "%s: larger than 256 MB", path);
    ASSERT_STREQ(errbuf, want);
    ASSERT_EQ_U64(r.n, 0);
    unlink(path);
}

int main(void)
{
    RUN(test_isc4_file);
    RUN(test_isc6_file);
    RUN(test_kea4_file);
    RUN(test_kea6_file);
    RUN(test_isc_forms);
    RUN(test_detect);
    RUN(test_malformed);
    RUN(test_lenient);
    RUN(test_file_errors);
    return test_done();
}
