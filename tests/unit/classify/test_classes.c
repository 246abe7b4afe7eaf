// SPDX-License-Identifier: MIT
// Tests of traffic classes: the shipped example, longest-prefix matching across classes
// (IPv4 and IPv6), windows (edges, wrapping, precedence over unwindowed classes, ties), the
// built-in default, price parsing, local time (offsets, DST switches on the hour and on the
// half hour), and every load error with its exact file:line message.
#include "../../../src/classify/classes.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

/* 2026-11-01T00:00:00Z, a Sunday; times below are this plus a local time of day. */
#define DAY_MS 1793491200000ULL
#define AT(h, m, s, ms) (DAY_MS + (((h)*60ULL + (m)) * 60 + (s)) * 1000 + (ms))

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void remove_file(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

/* Writes c.conf and loads it. */
static struct class_table *load_text(const char *text, char *errbuf)
{
    char path[256];
    write_file("c.conf", text);
    snprintf(path, sizeof path, "%s/c.conf", dir);
    return classes_load(path, errbuf);
}

/* want with every '@' replaced by the test directory. */
static const char *expand(const char *want, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *p = want; *p && n + 1 < size; p++) {
        if (*p == '@')
            n += (size_t)snprintf(buf + n, size - n, "%s", dir);
        else
            buf[n++] = *p;
    }
    buf[n < size ? n : size - 1] = '\0';
    return buf;
}

static struct ip_addr ip(const char *s)
{
    struct ip_addr a = {{0}};
    if (addr_parse(s, &a) != 0)
        TEST_FAIL("bad address in test: %s", s);
    return a;
}

static void test_example(void)
{
    char errbuf[ERR_BUF_LEN] = "";
    struct class_table *t = classes_load("etc/classes.conf", errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    ASSERT_EQ_U64(classes_count(t), 4);
    static const struct {
        const char *name;
        uint64_t price;
        bool quota, window, is_default;
    } want[] = {
        {"free", 0, false, false, false},
        {"national", 500000, true, false, false},
        {"night", 0, false, true, false},
        {"international", 2000000, true, false, true},
    };
    for (uint16_t i = 0; i < 4; i++) {
        const struct class_info *c = classes_get(t, i);
        ASSERT_STREQ(c->name, want[i].name);
        ASSERT_EQ_U64(c->price_micro_per_gb, want[i].price);
        ASSERT_EQ_INT(c->counts_toward_quota, want[i].quota);
        ASSERT_EQ_INT(c->has_window, want[i].window);
        ASSERT_EQ_INT(c->is_default, want[i].is_default);
        ASSERT_EQ_INT(c->is_builtin, false);
    }
    ASSERT_EQ_INT(classes_get(t, 2)->window_start_min, 0);
    ASSERT_EQ_INT(classes_get(t, 2)->window_end_min, 360);
    ASSERT_EQ_INT(classes_default(t), 3);
    static const struct {
        const char *addr;
        uint64_t time_ms;
        const char *want;
    } cases[] = {
        {"192.0.2.77", AT(12, 0, 0, 0), "free"},
        {"198.51.100.53", AT(12, 0, 0, 0), "free"}, /* host route inside national's /24 */
        {"198.51.100.54", AT(12, 0, 0, 0), "national"},
        {"203.0.113.9", AT(12, 0, 0, 0), "national"}, /* line with routing-table fields */
        {"2001:db8:f::1", AT(12, 0, 0, 0), "free"},   /* /48 inside national's /32 */
        {"2001:db8:e::1", AT(12, 0, 0, 0), "national"},
        {"2001:db9::1", AT(12, 0, 0, 0), "international"},
        {"8.8.8.8", AT(12, 0, 0, 0), "international"},
        {"8.8.8.8", AT(3, 0, 0, 0), "night"},
        {"192.0.2.77", AT(3, 0, 0, 0), "night"},
        {"2001:db8:e::1", AT(5, 59, 59, 999), "night"},
        {"2001:db8:e::1", AT(6, 0, 0, 0), "national"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ip_addr a = ip(cases[i].addr);
        const char *got = classes_name(t, classes_match_offset(t, &a, cases[i].time_ms, 0));
        if (strcmp(got, cases[i].want) != 0)
            TEST_FAIL("case %zu: %s -> %s, expected %s", i, cases[i].addr, got, cases[i].want);
    }
    classes_free(t);
}

static void test_longest_prefix(void)
{
    write_file("a.txt", "10.0.0.0/8\n2001:db8::/32\n0.0.0.0/0 # all IPv4, shorter than all\n");
    write_file("b.txt", "\n# routing-table export, CRLF\r\n"
                        "10.1.0.0/16 via 192.0.2.1 dev eth0 proto bgp\r\n"
                        "\t2001:db8:1::/48   [bgp/170] 2d via fe80::1\r\n");
    write_file("c.txt", "10.1.2.0/24\n10.1.2.3\n2001:db8:1:2::/64\n2001:db8:1:2::5\n"
                        "10.1.2.0/24 # listed twice in one class: harmless\n");
    write_file("d.txt", "10.1.2.4/32\n::/0 # every address, IPv4 included (mapped)\n");
    char errbuf[ERR_BUF_LEN] = "";
    struct class_table *t = load_text("a 1 yes a.txt\n"
                                      "b 2 yes b.txt\n"
                                      "c 3 yes c.txt\n"
                                      "z 9 yes default\n",
                                      errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    static const struct {
        const char *addr, *want;
    } cases[] = {
        {"10.2.0.1", "a"},
        {"10.1.9.9", "b"},
        {"10.1.2.9", "c"},
        {"10.1.2.3", "c"},
        {"10.255.255.255", "a"},
        {"11.0.0.1", "a"},
        {"2001:db8:2::1", "a"},
        {"2001:db8:1:3::1", "b"},
        {"2001:db8:1:2::9", "c"},
        {"2001:db8:1:2::5", "c"},
        {"2001:db9::1", "z"},
        {"::a00:1", "z"}, /* ::10.0.0.1 */
        {"::", "z"},
        {"ffff::1", "z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ip_addr a = ip(cases[i].addr);
        const char *got = classes_name(t, classes_match_offset(t, &a, AT(12, 0, 0, 0), 0));
        if (strcmp(got, cases[i].want) != 0)
            TEST_FAIL("case %zu: %s -> %s, expected %s", i, cases[i].addr, got, cases[i].want);
    }
    classes_free(t);

    /* ::/0 covers mapped IPv4 too: only a longer prefix keeps IPv4 out of class d. */
    t = load_text("d 0 no d.txt\nother 1 yes default\n", errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    struct ip_addr v4 = ip("192.0.2.1"), v6 = ip("2001:db8::1"), host = ip("10.1.2.4");
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &v4, 0, 0)), "d");
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &v6, 0, 0)), "d");
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &host, 0, 0)), "d");
    classes_free(t);
}

static void test_windows(void)
{
    write_file("late.txt", "10.0.0.0/8\n");
    write_file("peak.txt", "10.1.0.0/16\n");
    write_file("promo.txt", "10.1.0.0/16\n");
    write_file("nat.txt", "10.0.0.0/8\n10.1.1.0/24\n192.0.2.0/24\n");
    char errbuf[ERR_BUF_LEN] = "";
    struct class_table *t = load_text("night    0    no  -          00:00-06:00\n"
                                      "late     0.1  yes late.txt   22:00-02:00\n"
                                      "peak     3    yes peak.txt   18:00-22:00\n"
                                      "promo    0    no  promo.txt  20:00-23:00\n"
                                      "national 0.5  yes nat.txt\n"
                                      "intl     2    yes default\n",
                                      errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    ASSERT_EQ_INT(classes_get(t, 1)->window_start_min, 1320);
    ASSERT_EQ_INT(classes_get(t, 1)->window_end_min, 120);
    static const struct {
        uint64_t time_ms;
        int32_t offset_s;
        const char *addr, *want;
    } cases[] = {
        /* night: 00:00 inclusive, 06:00 exclusive, every address */
        {AT(0, 0, 0, 0), 0, "192.0.2.1", "night"},
        {AT(5, 59, 59, 999), 0, "192.0.2.1", "night"},
        {AT(6, 0, 0, 0), 0, "192.0.2.1", "national"},
        {AT(6, 0, 0, 0), 0, "8.8.8.8", "intl"},
        {AT(5, 59, 0, 0), 0, "2001:db8::1", "night"},
        {AT(23, 59, 59, 999), 0, "8.8.8.8", "intl"}, /* late is open but lacks 8.8.8.8 */
        /* late wraps midnight: a windowed prefix beats night's match-all */
        {AT(22, 0, 0, 0) - 1, 0, "10.9.9.9", "national"}, /* 21:59:59.999, peak lacks it */
        {AT(22, 0, 0, 0), 0, "10.9.9.9", "late"},
        {AT(0, 0, 0, 0), 0, "10.9.9.9", "late"},
        {AT(1, 59, 59, 999), 0, "10.9.9.9", "late"},
        {AT(2, 0, 0, 0), 0, "10.9.9.9", "night"},
        /* an open windowed class beats a longer unwindowed prefix (10.1.1.0/24) */
        {AT(12, 0, 0, 0), 0, "10.1.1.1", "national"},
        {AT(17, 59, 59, 999), 0, "10.1.1.1", "national"},
        {AT(18, 0, 0, 0), 0, "10.1.1.1", "peak"},
        {AT(18, 0, 0, 0), 0, "10.2.0.1", "national"},
        /* peak and promo both open with /16: the earlier class wins the tie */
        {AT(21, 0, 0, 0), 0, "10.1.1.1", "peak"},
        {AT(21, 59, 59, 999), 0, "10.1.1.1", "peak"},
        /* 22:00: peak closed; promo's /16 beats late's /8 */
        {AT(22, 0, 0, 0), 0, "10.1.1.1", "promo"},
        {AT(22, 59, 59, 999), 0, "10.1.1.1", "promo"},
        {AT(23, 0, 0, 0), 0, "10.1.1.1", "late"},
        /* offsets: local = UTC + offset */
        {AT(23, 0, 0, 0), 3600, "192.0.2.1", "night"},      /* 00:00 CET */
        {AT(5, 0, 0, 0), 3600, "192.0.2.1", "national"},    /* 06:00 CET */
        {AT(5, 0, 0, 0), -18000, "192.0.2.1", "night"},     /* 00:00 EST */
        {AT(11, 0, 0, 0), -18000, "192.0.2.1", "national"}, /* 06:00 EST */
        {AT(0, 0, 0, 0), 19800, "192.0.2.1", "night"},      /* 05:30 IST */
        {AT(0, 30, 0, 0), 19800, "192.0.2.1", "national"},  /* 06:00 IST */
        {0, 0, "192.0.2.1", "night"},                       /* the epoch, 00:00 UTC */
        {0, -60, "192.0.2.1", "national"},                  /* 23:59 the day before */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ip_addr a = ip(cases[i].addr);
        const char *got =
            classes_name(t, classes_match_offset(t, &a, cases[i].time_ms, cases[i].offset_s));
        if (strcmp(got, cases[i].want) != 0)
            TEST_FAIL("case %zu: %s at minute %u -> %s, expected %s", i, cases[i].addr,
                      (unsigned)classes_local_minute(cases[i].time_ms, cases[i].offset_s), got,
                      cases[i].want);
    }
    classes_free(t);

    /* 00:00-24:00 is always open; 22:00-00:00 ends at midnight. */
    t = load_text("always 0 no - 00:00-24:00\nevening 0 no - 22:00-00:00\n", errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    struct ip_addr a = ip("192.0.2.1");
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, AT(0, 0, 0, 0), 0)), "always");
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, AT(23, 59, 0, 0), 0)), "always");
    classes_free(t);
    t = load_text("evening 0 no - 22:00-00:00\n", errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, AT(21, 59, 0, 0), 0)), "default");
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, AT(22, 0, 0, 0), 0)), "evening");
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, AT(23, 59, 0, 0), 0)), "evening");
    ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, AT(0, 0, 0, 0), 0)), "default");
    classes_free(t);
}

static void test_builtin_default(void)
{
    char errbuf[ERR_BUF_LEN] = "";
    write_file("p.txt", "192.0.2.0/24\n");
    struct class_table *t = load_text("# no default here\n\nlocal 0.25 no p.txt\n", errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    ASSERT_EQ_U64(classes_count(t), 2);
    ASSERT_EQ_INT(classes_default(t), 1);
    const struct class_info *d = classes_get(t, 1);
    ASSERT_STREQ(d->name, "default");
    ASSERT_EQ_U64(d->price_micro_per_gb, 0);
    ASSERT_TRUE(d->counts_toward_quota && d->is_default && d->is_builtin && !d->has_window);
    ASSERT_TRUE(!classes_get(t, 0)->is_default);
    struct ip_addr in = ip("192.0.2.9"), out = ip("198.51.100.1");
    ASSERT_EQ_INT(classes_match_offset(t, &in, 0, 0), 0);
    ASSERT_EQ_INT(classes_match_offset(t, &out, 0, 0), 1);
    ASSERT_EQ_INT(classes_find(t, "local"), 0);
    ASSERT_EQ_INT(classes_find(t, "default"), 1);
    ASSERT_EQ_INT(classes_find(t, "nope"), CLASSES_NO_ID);
    ASSERT_TRUE(classes_get(t, 2) == NULL);
    ASSERT_STREQ(classes_name(t, 2), "?");
    classes_free(t);

    t = load_text("", errbuf); /* an empty file: the built-in default alone */
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    ASSERT_EQ_U64(classes_count(t), 1);
    ASSERT_EQ_INT(classes_match_offset(t, &in, 0, 0), 0);
    classes_free(t);
}

static void test_paths(void)
{
    char sub[128], abs_file[256], text[512], errbuf[ERR_BUF_LEN] = "";
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0700);
    write_file("sub/rel.txt", "192.0.2.0/24\n");
    write_file("abs.txt", "198.51.100.0/24\n");
    snprintf(abs_file, sizeof abs_file, "%s/abs.txt", dir);
    snprintf(text, sizeof text, "rel 1 yes sub/rel.txt\nabs 2 yes %s\n", abs_file);
    struct class_table *t = load_text(text, errbuf);
    ASSERT_STREQ(errbuf, "");
    if (t) {
        struct ip_addr a = ip("192.0.2.1"), b = ip("198.51.100.1");
        ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, 0, 0)), "rel");
        ASSERT_STREQ(classes_name(t, classes_match_offset(t, &b, 0, 0)), "abs");
        classes_free(t);
    }
    /* A classes file named without a directory: prefix files relative to the cwd. */
    char cwd[512];
    if (getcwd(cwd, sizeof cwd) && chdir(dir) == 0) {
        t = classes_load("c.conf", errbuf);
        ASSERT_STREQ(errbuf, "");
        ASSERT_TRUE(t != NULL);
        classes_free(t);
        ASSERT_EQ_INT(chdir(cwd), 0);
    }
    remove_file("sub/rel.txt");
    rmdir(sub);
    remove_file("abs.txt");
}

static void test_prices(void)
{
    static const struct {
        const char *price;
        uint64_t want; /* UINT64_MAX: refused */
    } cases[] = {
        {"0", 0},
        {"0.5", 500000},
        {"0.50", 500000},
        {"2", 2000000},
        {"2.00", 2000000},
        {"0.000001", 1},
        {"12.345678", 12345678},
        {"007.1", 7100000},
        {"999999.999999", 999999999999ULL},
        {"1.2.3", UINT64_MAX},
        {"-1", UINT64_MAX},
        {"+1", UINT64_MAX},
        {"0.0000001", UINT64_MAX}, /* 7 decimals */
        {"1.0000000", UINT64_MAX},
        {".5", UINT64_MAX},
        {"5.", UINT64_MAX},
        {"1e3", UINT64_MAX},
        {"1,5", UINT64_MAX},
        {"1000000", UINT64_MAX},
        {"0x10", UINT64_MAX},
        {"nan", UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[128], want[ERR_BUF_LEN], tmpl[256], errbuf[ERR_BUF_LEN] = "";
        snprintf(text, sizeof text, "# price\nc %s no default\n", cases[i].price);
        struct class_table *t = load_text(text, errbuf);
        if (cases[i].want == UINT64_MAX) {
            snprintf(tmpl, sizeof tmpl,
                     "@/c.conf:2: expected a price per GB from 0 to 999999.999999 with at "
                     "most 6 decimals, got '%s'",
                     cases[i].price);
            ASSERT_TRUE(t == NULL);
            ASSERT_STREQ(errbuf, expand(tmpl, want, sizeof want));
        } else if (!t) {
            TEST_FAIL("case %zu: '%s' refused: %s", i, cases[i].price, errbuf);
        } else {
            ASSERT_EQ_U64(classes_get(t, 0)->price_micro_per_gb, cases[i].want);
        }
        classes_free(t);
    }
}

static void test_errors(void)
{
    write_file("a.txt", "10.0.0.0/8\n");
    write_file("dup.txt", "# also here\n10.0.0.0/8\n");
    write_file("bad.txt", "192.0.2.0/24\n\n10.1.2.3/8 # host bits\n");
    write_file("bad2.txt", "300.1.1.1\n");
    write_file("bad3.txt", "# ok\nfd00::/129\n");
    write_file("bad4.txt", "10.0.0.0/33 via x\n");
    write_file("bad5.txt", "2001:db8::/32\nnot-a-prefix\n");
    static const struct {
        const char *text, *want; /* '@' stands for the test directory */
    } cases[] = {
        {"Free 0 no default\n",
         "@/c.conf:1: expected a class name of 1 to 32 characters a-z 0-9 _ -, got 'Free'"},
        {"\n\na.b 0 no default\n",
         "@/c.conf:3: expected a class name of 1 to 32 characters a-z 0-9 _ -, got 'a.b'"},
        {"abcdefghijklmnopqrstuvwxyz0123456 0 no default\n",
         "@/c.conf:1: expected a class name of 1 to 32 characters a-z 0-9 _ -, got "
         "'abcdefghijklmnopqrstuvwxyz0123456'"},
        {"a 0 no a.txt\n# x\na 1 yes default\n",
         "@/c.conf:3: expected a new class name, got 'a' (also at line 1)"},
        {"  a 0 no   # short\n",
         "@/c.conf:1: expected 4 or 5 fields (name price_per_gb quota prefixes [window]), "
         "got 3 in 'a 0 no'"},
        {"a 0 no - 00:00-01:00 extra\n",
         "@/c.conf:1: expected 4 or 5 fields (name price_per_gb quota prefixes [window]), "
         "got 6 in 'a 0 no - 00:00-01:00 extra'"},
        {"a 0 maybe default\n", "@/c.conf:1: expected quota 'yes' or 'no', got 'maybe'"},
        {"a 0 Yes default\n", "@/c.conf:1: expected quota 'yes' or 'no', got 'Yes'"},
        {"a 0 no - 25:00-06:00\n",
         "@/c.conf:1: expected a window HH:MM-HH:MM in local time (00:00 to 24:00, start "
         "before 24:00, end not equal to start), got '25:00-06:00'"},
        {"a 0 no - 22:00-22:00\n",
         "@/c.conf:1: expected a window HH:MM-HH:MM in local time (00:00 to 24:00, start "
         "before 24:00, end not equal to start), got '22:00-22:00'"},
        {"a 0 no - 24:00-06:00\n",
         "@/c.conf:1: expected a window HH:MM-HH:MM in local time (00:00 to 24:00, start "
         "before 24:00, end not equal to start), got '24:00-06:00'"},
        {"a 0 no - 6:00-07:00\n",
         "@/c.conf:1: expected a window HH:MM-HH:MM in local time (00:00 to 24:00, start "
         "before 24:00, end not equal to start), got '6:00-07:00'"},
        {"a 0 no - 06:00-07:60\n",
         "@/c.conf:1: expected a window HH:MM-HH:MM in local time (00:00 to 24:00, start "
         "before 24:00, end not equal to start), got '06:00-07:60'"},
        {"a 0 no - 06:00-24:01\n",
         "@/c.conf:1: expected a window HH:MM-HH:MM in local time (00:00 to 24:00, start "
         "before 24:00, end not equal to start), got '06:00-24:01'"},
        {"a 0 no - 06:00/07:00\n",
         "@/c.conf:1: expected a window HH:MM-HH:MM in local time (00:00 to 24:00, start "
         "before 24:00, end not equal to start), got '06:00/07:00'"},
        {"a 0 no default\nb 1 yes a.txt\nc 2 yes default\n",
         "@/c.conf:3: expected one default class, got a second one (the first is 'a' at line "
         "1)"},
        {"a 0 no default 00:00-06:00\n",
         "@/c.conf:1: expected no window on the default class, got '00:00-06:00'"},
        {"a 0 no -\n",
         "@/c.conf:1: expected a window for a class without prefixes ('-'), got none"},
        {"default 0 no a.txt\n",
         "@/c.conf:1: expected prefixes 'default' on the class named 'default' (the name is "
         "reserved for the default class), got 'a.txt'"},
        {"a 0 no a.txt\nb 0 no nope.txt\n",
         "@/c.conf:2: expected a readable prefix file, got '@/nope.txt' (No such file or "
         "directory)"},
        {"a 0 no bad.txt\n",
         "@/bad.txt:3: expected an IPv4/IPv6 prefix such as 192.0.2.0/24 (no host bits set) "
         "or an address, got '10.1.2.3/8'"},
        {"a 0 no bad2.txt 01:00-02:00\n",
         "@/bad2.txt:1: expected an IPv4/IPv6 prefix such as 192.0.2.0/24 (no host bits set) "
         "or an address, got '300.1.1.1'"},
        {"a 0 no bad3.txt\n",
         "@/bad3.txt:2: expected an IPv4/IPv6 prefix such as 192.0.2.0/24 (no host bits set) "
         "or an address, got 'fd00::/129'"},
        {"a 0 no bad4.txt\n",
         "@/bad4.txt:1: expected an IPv4/IPv6 prefix such as 192.0.2.0/24 (no host bits set) "
         "or an address, got '10.0.0.0/33'"},
        {"a 0 no a.txt\nb 0 no bad5.txt\n",
         "@/bad5.txt:2: expected an IPv4/IPv6 prefix such as 192.0.2.0/24 (no host bits set) "
         "or an address, got 'not-a-prefix'"},
        {"a 0 no a.txt\nb 1 yes dup.txt\n",
         "@/dup.txt:2: expected each prefix in one class only, got '10.0.0.0/8' in class 'b' "
         "(also in class 'a', @/a.txt:1)"},
        {"a 0 no a.txt\nb 1 yes a.txt\n",
         "@/a.txt:1: expected each prefix in one class only, got '10.0.0.0/8' in class 'b' "
         "(also in class 'a', @/a.txt:1)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[ERR_BUF_LEN], errbuf[ERR_BUF_LEN] = "";
        struct class_table *t = load_text(cases[i].text, errbuf);
        ASSERT_TRUE(t == NULL);
        expand(cases[i].want, want, sizeof want);
        if (strcmp(errbuf, want) != 0)
            TEST_FAIL("case %zu:\n#     got      '%s'\n#     expected '%s'", i, errbuf, want);
        classes_free(t);
    }

    /* The same prefix in a windowed and an unwindowed class is the point of windows. */
    char errbuf[ERR_BUF_LEN] = "";
    struct class_table *t = load_text("a 0 no a.txt\nb 0 no a.txt 00:00-06:00\n", errbuf);
    ASSERT_STREQ(errbuf, "");
    classes_free(t);

    char want[ERR_BUF_LEN];
    t = classes_load(expand("@/none.conf", want, sizeof want), errbuf);
    ASSERT_TRUE(t == NULL);
    ASSERT_STREQ(errbuf, expand("@/none.conf: expected a readable classes file (No such file or "
                                "directory)",
                                want, sizeof want));

    FILE *f = fopen(expand("@/c.conf", want, sizeof want), "w");
    fwrite("a 0 no default\nb\0 1 yes a.txt\n", 1, 30, f);
    fclose(f);
    t = classes_load(want, errbuf);
    ASSERT_TRUE(t == NULL);
    ASSERT_STREQ(errbuf,
                 expand("@/c.conf:2: expected a line of text, got a NUL byte", want, sizeof want));
    classes_free(t);

    /* Lines of 4095 bytes fit, 4096 do not; a directory is not a prefix file. */
    char line[4200];
    memset(line, '#', 4095);
    snprintf(line + 4095, sizeof line - 4095, "\n10.0.0.0/8\n#");
    write_file("long.txt", line);
    t = load_text("a 0 no long.txt\n", errbuf);
    ASSERT_STREQ(errbuf, "");
    ASSERT_TRUE(t != NULL);
    classes_free(t);
    memset(line, '#', 4096);
    snprintf(line + 4096, sizeof line - 4096, "\n");
    char text[4300];
    snprintf(text, sizeof text, "a 0 no -  01:00-02:00\n%sb 0 no - 02:00-03:00\n", line);
    t = load_text(text, errbuf);
    ASSERT_TRUE(t == NULL);
    ASSERT_STREQ(errbuf, expand("@/c.conf:2: expected a line of at most 4095 bytes, got a longer "
                                "one",
                                want, sizeof want));
    classes_free(t);
    char sub[128];
    mkdir(expand("@/dir.txt", sub, sizeof sub), 0700);
    t = load_text("a 0 no long.txt\nb 0 no dir.txt\n", errbuf);
    ASSERT_TRUE(t == NULL);
    ASSERT_STREQ(errbuf, expand("@/c.conf:2: expected a readable prefix file, got '@/dir.txt' (Is "
                                "a directory)",
                                want, sizeof want));
    classes_free(t);
    rmdir(sub);
    t = classes_load(dir, errbuf);
    ASSERT_TRUE(t == NULL);
    ASSERT_STREQ(errbuf,
                 expand("@: expected a readable classes file (Is a directory)", want, sizeof want));
}

/* One more class than fits, with and without a default of the file's own. */
static void test_class_cap(void)
{
    size_t size = (CLASSES_MAX + 1) * 32;
    char *text = malloc(size), want[ERR_BUF_LEN], errbuf[ERR_BUF_LEN] = "";
    size_t n = 0;
    for (int i = 0; i < CLASSES_MAX; i++)
        n += (size_t)snprintf(text + n, size - n, "c%d 0 no - 00:00-01:00\n", i);
    struct class_table *t = load_text(text, errbuf); /* 256 + the built-in default */
    ASSERT_TRUE(t == NULL);
    ASSERT_STREQ(errbuf, expand("@/c.conf:256: expected at most 256 classes with the built-in "
                                "default, got more",
                                want, sizeof want));
    n += (size_t)snprintf(text + n, size - n, "last 0 no default\n");
    t = load_text(text, errbuf);
    ASSERT_TRUE(t == NULL);
    ASSERT_STREQ(errbuf,
                 expand("@/c.conf:257: expected at most 256 classes, got more", want, sizeof want));
    /* 255 windowed classes and a default: exactly the cap. */
    n = 0;
    for (int i = 0; i < CLASSES_MAX - 1; i++)
        n += (size_t)snprintf(text + n, size - n, "c%d 0 no - 00:00-01:00\n", i);
    snprintf(text + n, size - n, "last 0 no default\n");
    t = load_text(text, errbuf);
    ASSERT_TRUE(t != NULL);
    if (t) {
        ASSERT_EQ_U64(classes_count(t), CLASSES_MAX);
        struct ip_addr a = ip("192.0.2.1");
        ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, AT(0, 30, 0, 0), 0)), "c0");
        ASSERT_STREQ(classes_name(t, classes_match_offset(t, &a, AT(1, 0, 0, 0), 0)), "last");
    }
    classes_free(t);
    free(text);
}

static void test_local_minute(void)
{
    static const struct {
        uint64_t time_ms;
        int32_t offset_s;
        unsigned want;
    } cases[] = {
        {0, 0, 0},
        {59999, 0, 0},
        {60000, 0, 1},
        {AT(23, 59, 59, 999), 0, 1439},
        {AT(0, 0, 0, 0), -1, 1439},
        {0, -60, 1439},
        {0, -86400 - 60, 1439},
        {AT(22, 30, 0, 0), 5400, 0},   /* +01:30 */
        {AT(12, 0, 0, 0), 50400, 120}, /* +14:00: 02:00 the next day */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ASSERT_EQ_U64(classes_local_minute(cases[i].time_ms, cases[i].offset_s), cases[i].want);
}

static void test_utc_offset(void)
{
    /* POSIX TZ rules, so the test needs no tzdata. Each case is a different UTC hour from
     * the ones before it, as the per-hour cache would keep an earlier zone's answer. */
    static const struct {
        const char *tz;
        uint64_t time_s;
        int32_t want;
    } cases[] = {
        {"UTC0", 1768478400, 0},
        {"CET-1CEST,M3.5.0,M10.5.0/3", 1768478400 + 3600, 3600}, /* January */
        {"CET-1CEST,M3.5.0,M10.5.0/3", 1784154600, 7200},        /* July */
        {"CET-1CEST,M3.5.0,M10.5.0/3", 1774746000 - 1, 3600},    /* 2026-03-29 00:59:59Z */
        {"CET-1CEST,M3.5.0,M10.5.0/3", 1774746000, 7200},        /* 01:00Z: CEST */
        {"CET-1CEST,M3.5.0,M10.5.0/3", 1792890000 - 1, 7200},    /* 2026-10-25 00:59:59Z */
        {"CET-1CEST,M3.5.0,M10.5.0/3", 1792890000, 3600},        /* 01:00Z: CET again */
        {"CET-1CEST,M3.5.0,M10.5.0/3", 1792890000 + 1800, 3600},
        /* Lord Howe Island: +10:30, +11:00 in summer, switching at 02:00 local standard
         * time, 15:30 UTC: the hour 15:00-16:00 UTC holds two offsets. */
        {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791039600 - 1, 37800},
        {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791039600, 37800},
        {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791039600 + 1799, 37800},
        {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791039600 + 1800, 39600},
        {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791039600 + 3599, 39600},
        {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791039600 + 1799, 37800}, /* cached hour */
        {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 1791039600 + 3600, 39600},
    };
    const char *saved = getenv("TZ");
    char *old = saved ? strdup(saved) : NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("TZ", cases[i].tz, 1);
        int32_t got = classes_utc_offset(cases[i].time_s * 1000 + 999);
        if (got != cases[i].want)
            TEST_FAIL("case %zu: offset %d, expected %d", i, (int)got, (int)cases[i].want);
    }

    /* classes_match() uses the process zone: 22:30Z on 2026-07-15 is 00:30 CEST. */
    setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
    char errbuf[ERR_BUF_LEN] = "";
    struct class_table *t = load_text("night 0 no - 00:00-06:00\n", errbuf);
    ASSERT_STREQ(errbuf, "");
    if (t) {
        struct ip_addr a = ip("192.0.2.1");
        ASSERT_STREQ(classes_name(t, classes_match(t, &a, 1784154600ULL * 1000)), "night");
        ASSERT_STREQ(classes_name(t, classes_match(t, &a, 1784154600ULL * 1000 - 3600001)),
                     "default"); /* 23:29:59.999 CEST */
        classes_free(t);
    }
    if (old)
        setenv("TZ", old, 1);
    else
        unsetenv("TZ");
    free(old);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/flowtally-test-classes-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_example);
    RUN(test_longest_prefix);
    RUN(test_windows);
    RUN(test_builtin_default);
    RUN(test_paths);
    RUN(test_prices);
    RUN(test_errors);
    RUN(test_class_cap);
    RUN(test_local_minute);
    RUN(test_utc_offset);
    static const char *const files[] = {
        "c.conf",   "a.txt",     "b.txt",    "c.txt",    "d.txt",    "late.txt",
        "peak.txt", "promo.txt", "nat.txt",  "p.txt",    "dup.txt",  "bad.txt",
        "bad2.txt", "bad3.txt",  "bad4.txt", "bad5.txt", "long.txt",
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        remove_file(files[i]);
    rmdir(dir);
    return test_done();
}
