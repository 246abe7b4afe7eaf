// SPDX-License-Identifier: MIT
// Tests of configuration: defaults, file parsing with file:line errors, command-line
// precedence, value validation, and the tries built from list keys.
#include "../../../src/config/config.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char path[64];

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_defaults(void)
{
    struct config c;
    config_init(&c);
    ASSERT_STREQ(c.db, "flowtally.db");
    ASSERT_STREQ(c.netflow, "0.0.0.0:2055,[::]:2055");
    ASSERT_EQ_INT(c.bucket, 300);
    ASSERT_EQ_INT(c.flush, 5);
    struct prefix_trie *t = config_prefix_trie(c.local_nets);
    ASSERT_EQ_U64(prefix_trie_count(t), 4);
    prefix_trie_free(t);
    ASSERT_TRUE(config_prefix_trie(c.exporters) == NULL); /* empty: accept all */
    config_deinit(&c);
}

static void test_file_errors(void)
{
    static const struct {
        const char *text;
        const char *want; /* substring of the error */
    } cases[] = {
        {"db = x.db\nflsh = 5\n", ":2: unknown key 'flsh' (did you mean 'flush'?)"},
        {"# comment\n\nbucket = 7\n", ":3: bucket = '7': expected an integer from 60 to 86400"},
        {"bucket = 420\n", "must divide a day"},
        {"flush = five\n", ":1: flush = 'five'"},
        {"local_nets = 10.0.0.0/8, 10.1.2.3/8\n", ":1: local_nets: bad item '10.1.2.3/8'"},
        {"netflow = 0.0.0.0\n", ":1: netflow: bad item '0.0.0.0'"},
        {"sampling = 192.0.2.1=0\n", ":1: sampling: bad item '192.0.2.1=0'"},
        {"just words\n", ":1: expected 'key = value'"},
        {"db =\n", ":1: db: expected a non-empty value"},
        {"timezone = Europe/Nowhere\n",
         ":1: timezone = 'Europe/Nowhere': expected an IANA zone name found in"},
        {"timezone = Europe\n", ":1: timezone = 'Europe': expected an IANA zone"}, /* a folder */
        {"timezone = zone.tab\n", ":1: timezone = 'zone.tab': expected an IANA zone"},
        {"timezone = ../../../etc/localtime\n", "expected a zone name without '..'"},
        {"timezone = Europe/../Europe/Berlin\n", "expected a zone name without '..'"},
        {"timezone = /etc/localtime\n", ":1: timezone = '/etc/localtime': expected an IANA"},
        {"timezone = CET+\n", ":1: timezone = 'CET+': expected an IANA"},     /* no offset */
        {"timezone = C1\n", ":1: timezone = 'C1': expected an IANA"},         /* name too short */
        {"timezone = CET-1 CEST\n", ":1: timezone = 'CET-1 CEST': expected"}, /* a blank */
        {"currency = eur\n", ":1: currency = 'eur': expected an ISO 4217 code of three capital"},
        {"currency = EURO\n", ":1: currency = 'EURO': expected an ISO 4217 code"},
        {"currency = EU\n", ":1: currency = 'EU': expected an ISO 4217 code"},
        {"currency =\n", ":1: currency = '': expected an ISO 4217 code"},
        {"tax_rate = 100.000001\n",
         ":1: tax_rate = '100.000001': expected a percent from 0 to 100"},
        {"tax_rate = -1\n", ":1: tax_rate = '-1': expected a percent"},
        {"tax_rate = 8.1234567\n", ":1: tax_rate = '8.1234567': expected a percent"},
        {"tax_rate = 8,1\n", ":1: tax_rate = '8,1': expected a percent"},
        {"tax_rate = 8.1%\n", ":1: tax_rate = '8.1%': expected a percent"},
        {"tax_rate =\n", ":1: tax_rate = '': expected a percent"},
        {"billing_unit = gb\n", ":1: billing_unit = 'gb': expected GB (10^9 bytes) or GiB"},
        {"billing_unit = MB\n", ":1: billing_unit = 'MB': expected GB"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(cases[i].text);
        struct config c;
        char errbuf[ERR_BUF_LEN] = "";
        config_init(&c);
        char *argv[] = {"-c", path};
        int rc = config_from_args(&c, 2, argv, errbuf);
        ASSERT_TRUE(rc != 0);
        if (!strstr(errbuf, cases[i].want))
            TEST_FAIL("case %zu: error '%s' lacks '%s'", i, errbuf, cases[i].want);
        config_deinit(&c);
    }
}

static void test_precedence(void)
{
    write_file("db = from-file.db\nbucket = 600 # ten minutes\nflush = 2\n");
    struct config c;
    char errbuf[ERR_BUF_LEN];
    config_init(&c);
    char *argv[] = {"--flush", "9", "-c", path, "--local-nets=fd00::/8", "-v"};
    ASSERT_EQ_INT(config_from_args(&c, 6, argv, errbuf), 0);
    ASSERT_STREQ(c.db, "from-file.db");
    ASSERT_EQ_INT(c.bucket, 600);
    ASSERT_EQ_INT(c.flush, 9); /* the command line wins, wherever it stands */
    ASSERT_STREQ(c.local_nets, "fd00::/8");
    ASSERT_EQ_INT(c.verbosity, 1);
    config_deinit(&c);
    config_init(&c);
    char *bad[] = {"--bogus", "1"};
    ASSERT_TRUE(config_from_args(&c, 2, bad, errbuf) != 0);
    ASSERT_STREQ(errbuf, "command line: unknown option '--bogus' (see flowtally run --help)");
    config_deinit(&c);
    /* a key close to a known one: the known one, as an option */
    config_init(&c);
    char *typo[] = {"--local-net", "10.0.0.0/8"};
    ASSERT_TRUE(config_from_args(&c, 2, typo, errbuf) != 0);
    ASSERT_STREQ(errbuf,
                 "command line: unknown option '--local-net' (did you mean '--local-nets'?)");
    config_deinit(&c);
}

/* The billing keys: their defaults, the values they take, and what the code reads. */
static void test_billing_keys(void)
{
    struct config c;
    char errbuf[ERR_BUF_LEN];
    int64_t micro = -1;
    config_init(&c);
    ASSERT_STREQ(c.timezone, "");
    ASSERT_STREQ(c.currency, "EUR");
    ASSERT_STREQ(c.billing_unit, "GB");
    ASSERT_STREQ(c.operator_address, "");
    ASSERT_EQ_INT(config_tax_rate_micro(&c, &micro), 0);
    ASSERT_EQ_INT(micro, 0);
    ASSERT_EQ_U64(config_billing_unit_bytes(&c), 1000000000ULL);
    static const char *const zones[] = {"Europe/Berlin",
                                        "America/Argentina/Buenos_Aires",
                                        "Etc/GMT+1",
                                        "UTC",
                                        "CET-1CEST,M3.5.0,M10.5.0/3",
                                        "UTC0",
                                        "<+03>-3",
                                        "EST5EDT",
                                        ""};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
        if (config_set(&c, "timezone", zones[i], "test", errbuf) != 0)
            TEST_FAIL("timezone '%s' refused: %s", zones[i], errbuf);
    static const struct {
        const char *text;
        int64_t micro; /* millionths of a percent */
    } rates[] = {{"8.1", 8100000},      {"100", 100000000}, {"0.000001", 1},
                 {"7.654321", 7654321}, {"19", 19000000},   {"0", 0}};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        ASSERT_EQ_INT(config_set(&c, "tax_rate", rates[i].text, "test", errbuf), 0);
        ASSERT_EQ_INT(config_tax_rate_micro(&c, &micro), 0);
        ASSERT_EQ_INT(micro, rates[i].micro);
    }
    ASSERT_EQ_INT(config_set(&c, "billing_unit", "GiB", "test", errbuf), 0);
    ASSERT_EQ_U64(config_billing_unit_bytes(&c), 1073741824ULL);
    ASSERT_EQ_INT(config_set(&c, "currency", "CHF", "test", errbuf), 0);
    ASSERT_EQ_INT(
        config_set(&c, "operator_address", "Example Net | 1 Main St | 8000 Zurich", "test", errbuf),
        0);
    config_deinit(&c);
}

/* config_apply_timezone() sets TZ for the process; empty leaves the environment's. */
static void test_apply_timezone(void)
{
    struct config c;
    char errbuf[ERR_BUF_LEN];
    config_init(&c);
    setenv("TZ", "UTC", 1);
    tzset();
    ASSERT_EQ_INT(config_apply_timezone(&c, errbuf), 0); /* empty: nothing changes */
    ASSERT_STREQ(getenv("TZ"), "UTC");
    ASSERT_EQ_INT(config_set(&c, "timezone", "Europe/Berlin", "test", errbuf), 0);
    ASSERT_EQ_INT(config_apply_timezone(&c, errbuf), 0);
    ASSERT_STREQ(getenv("TZ"), "Europe/Berlin");
    time_t t = 1735732800; /* 2025-01-01 12:00 UTC: 13:00 CET */
    struct tm tm;
    localtime_r(&t, &tm);
    ASSERT_EQ_INT(tm.tm_hour, 13);
    t = 1751371200; /* 2025-07-01 12:00 UTC: 14:00 CEST */
    localtime_r(&t, &tm);
    ASSERT_EQ_INT(tm.tm_hour, 14);
    setenv("TZ", "UTC", 1);
    tzset();
    config_deinit(&c);
}

static void test_rates_trie(void)
{
    struct prefix_trie *t = config_rates_trie("192.0.2.1=100, 2001:db8::/32=512");
    struct ip_addr a;
    uint32_t v = 0;
    addr_parse("192.0.2.1", &a);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 100);
    addr_parse("2001:db8:1::1", &a);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 512);
    addr_parse("192.0.2.2", &a);
    ASSERT_TRUE(!prefix_trie_lookup(t, &a, &v));
    prefix_trie_free(t);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/flowtally-test-config-%d.conf", (int)getpid());
    RUN(test_defaults);
    RUN(test_file_errors);
    RUN(test_precedence);
    RUN(test_rates_trie);
    RUN(test_billing_keys);
    RUN(test_apply_timezone);
    unlink(path);
    return test_done();
}
