// SPDX-License-Identifier: MIT
// Tests of quantity parsing: byte sizes, money, MAC addresses (answers worked by hand).
#include "../../../src/base/err.h"
#include "../../../src/base/units.h"
#include "test.h"

#include <errno.h>

static void test_bytes(void)
{
    static const struct {
        const char *text;
        int rc;
        uint64_t bytes;
    } cases[] = {
        {"15GB", 0, 15000000000ULL},
        {"15 GB", 0, 15000000000ULL},
        {"20gb", 0, 20000000000ULL},
        {"1.5TB", 0, 1500000000000ULL},
        {"500", 0, 500},
        {"1KiB", 0, 1024},
        {"2 GiB", 0, 2147483648ULL},
        {"0.5kB", 0, 500},
        {"1.5B", ERR_MALFORMED, 0},
        {"0.0001kB", ERR_MALFORMED, 0},
        {"GB", ERR_MALFORMED, 0},
        {"15 XB", ERR_MALFORMED, 0},
        {"-1GB", ERR_MALFORMED, 0},
        {"1.5 XiB", ERR_MALFORMED, 0},
        {"0.000000001GiB", ERR_MALFORMED, 0}, /* 1.073741824 bytes */
        /* 1.5 x 2^40 = 1099511627776 + 549755813888; the fraction times 2^40 passes 2^64 */
        {"1.5TiB", 0, 1649267441664ULL},
        {"0.25KiB", 0, 256},
        {"0.5PB", 0, 500000000000000ULL},
        {"1PiB", 0, 1125899906842624ULL},    /* 2^50 */
        {"1EB", 0, 1000000000000000000ULL},  /* 10^18 */
        {"7EiB", 0, 8070450532247928832ULL}, /* 7 x 2^60 */
        /* The store's limit, INT64_MAX = 2^63 - 1, and everything past it. */
        {"9223372036854775807", 0, 9223372036854775807ULL},
        {"9223372036854775807 B", 0, 9223372036854775807ULL},
        {"9.223372036EB", 0, 9223372036000000000ULL},
        {"9223372036854775808", -ERANGE, 0},  /* 2^63: stored, it read back negative */
        {"8EiB", -ERANGE, 0},                 /* 2^63 again */
        {"8589934592GiB", -ERANGE, 0},        /* 2^33 x 2^30 = 2^63 */
        {"9.223372037EB", -ERANGE, 0},        /* 9223372037000000000 */
        {"18446744073709551615", -ERANGE, 0}, /* 2^64 - 1 */
        {"18446744073709551616", -ERANGE, 0}, /* 2^64 */
        {"99999999999TB", -ERANGE, 0},        /* 9.9999999999 x 10^22 */
        {"10000000000EB", -ERANGE, 0},        /* 10^28: overflow in the multiplication */
        {"123456789012345678901234567890", -ERANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t b = 0;
        int rc = units_parse_bytes(cases[i].text, &b);
        if (rc != cases[i].rc || (rc == 0 && b != cases[i].bytes))
            TEST_FAIL("'%s': rc %d bytes %llu", cases[i].text, rc, (unsigned long long)b);
    }
}

static void test_money(void)
{
    static const struct {
        const char *text;
        int rc;
        int64_t micro;
        const char *back;
    } cases[] = {
        {"25", 0, 25000000, "25.00"},
        {"25.00", 0, 25000000, "25.00"},
        {"0.5", 0, 500000, "0.50"},
        {"0.000001", 0, 1, "0.000001"},
        {"2.125", 0, 2125000, "2.125"},
        {"1.2.3", ERR_MALFORMED, 0, NULL},
        {"0.0000001", ERR_MALFORMED, 0, NULL},
        {"", ERR_MALFORMED, 0, NULL},
        {"-", ERR_MALFORMED, 0, NULL},
        {"+1", ERR_MALFORMED, 0, NULL},
        {"--1", ERR_MALFORMED, 0, NULL},
        /* No price is negative. */
        {"-1", -ERANGE, 0, NULL},
        {"-0.01", -ERANGE, 0, NULL},
        /* Millionths up to INT64_MAX = 9223372036854775807: 9223372036854.775807. */
        {"9223372036854.775807", 0, INT64_MAX, "9223372036854.775807"},
        {"9223372036854", 0, 9223372036854000000, "9223372036854.00"},
        {"9223372036854.775808", -ERANGE, 0, NULL},
        {"9223372036855", -ERANGE, 0, NULL},
        {"18446744073709.551616", -ERANGE, 0, NULL}, /* 2^64 millionths */
        {"99999999999999999999999", -ERANGE, 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t m = -7;
        int rc = units_parse_money(cases[i].text, &m);
        ASSERT_EQ_INT(rc, cases[i].rc);
        if (rc == 0) {
            char buf[32];
            ASSERT_EQ_INT(m, cases[i].micro);
            ASSERT_STREQ(units_format_money(m, buf), cases[i].back);
        }
    }
}

static void test_rate(void)
{
    static const struct {
        const char *text;
        int rc;
        uint64_t bps;
    } cases[] = {
        {"100Mbps", 0, 100000000ULL},
        {"100 Mbps", 0, 100000000ULL},
        {"100mbps", 0, 100000000ULL},
        {"100MBPS", 0, 100000000ULL},
        {"1.5Gbps", 0, 1500000000ULL},
        {"2.5 kbps", 0, 2500},
        {"64kbps", 0, 64000},
        {"0Mbps", 0, 0},
        {"1bps", 0, 1},
        {"0.001kbps", 0, 1},
        {"0.000000001Gbps", 0, 1},
        {"0.123456789Gbps", 0, 123456789ULL},
        {"10Gbps", 0, 10000000000ULL},
        {"1.5bps", ERR_MALFORMED, 0},           /* half a bit per second */
        {"0.0001kbps", ERR_MALFORMED, 0},       /* a tenth of one */
        {"0.0000000001Gbps", ERR_MALFORMED, 0}, /* ten decimals: more than any unit holds */
        {"100", ERR_MALFORMED, 0},              /* no unit: bps or Mbps? */
        {"Mbps", ERR_MALFORMED, 0},
        {"100 MB", ERR_MALFORMED, 0}, /* a size, not a rate */
        {"100Mbit", ERR_MALFORMED, 0},
        {"100Tbps", ERR_MALFORMED, 0},
        {"-1Mbps", ERR_MALFORMED, 0},
        {"1.Mbps", ERR_MALFORMED, 0},
        {".5Mbps", ERR_MALFORMED, 0},
        {"1e3bps", ERR_MALFORMED, 0},
        {"", ERR_MALFORMED, 0},
        /* the store's limit, INT64_MAX bps, and past it however many digits */
        {"9223372036854775807bps", 0, 9223372036854775807ULL},
        {"9223372036854775808bps", -ERANGE, 0},
        {"9223372036.854775807Gbps", 0, 9223372036854775807ULL},
        {"9223372037Gbps", -ERANGE, 0},
        {"99999999999999999999999999Gbps", -ERANGE, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t bps = 7;
        int rc = units_parse_rate(cases[i].text, &bps);
        if (rc != cases[i].rc)
            TEST_FAIL("'%s': rc %d, expected %d", cases[i].text, rc, cases[i].rc);
        else if (rc == 0 && bps != cases[i].bps)
            TEST_FAIL("'%s': %llu bps, expected %llu", cases[i].text, (unsigned long long)bps,
                      (unsigned long long)cases[i].bps);
    }
}

static void test_mac(void)
{
    uint8_t mac[6];
    char buf[18];
    ASSERT_EQ_INT(units_parse_mac("00:1A:2b:3c:4D:5e", mac), 0);
    ASSERT_STREQ(units_format_mac(mac, buf), "00:1a:2b:3c:4d:5e");
    ASSERT_EQ_INT(units_parse_mac("00-1a-2b-3c-4d-5e", mac), 0);
    ASSERT_EQ_INT(units_parse_mac("001a.2b3c.4d5e", mac), 0);
    ASSERT_STREQ(units_format_mac(mac, buf), "00:1a:2b:3c:4d:5e");
    ASSERT_EQ_INT(units_parse_mac("00:1a:2b:3c:4d", mac), ERR_MALFORMED);
    ASSERT_EQ_INT(units_parse_mac("00:1a:2b:3c:4d:5e:6f", mac), ERR_MALFORMED);
    ASSERT_EQ_INT(units_parse_mac("00:1a-2b:3c:4d:5e", mac), ERR_MALFORMED);
    ASSERT_EQ_INT(units_parse_mac("0:1a:2b:3c:4d:5e", mac), ERR_MALFORMED);
    ASSERT_EQ_INT(units_parse_mac("zz:1a:2b:3c:4d:5e", mac), ERR_MALFORMED);
}

int main(void)
{
    RUN(test_bytes);
    RUN(test_money);
    RUN(test_rate);
    RUN(test_mac);
    return test_done();
}
