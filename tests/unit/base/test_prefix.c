// SPDX-License-Identifier: MIT
// Tests of base/prefix.c and base/addr.c: parsing, and longest-prefix match against a table
// of expected answers worked out by hand.
#include "../../../src/base/err.h"
#include "../../../src/base/prefix.h"
#include "test.h"

#include <stdlib.h>

static void test_prefix_parse(void)
{
    static const struct {
        const char *text;
        int rc;
        unsigned len;
    } cases[] = {
        {"10.0.0.0/8", 0, 104},
        {"192.168.1.7", 0, 128},
        {"0.0.0.0/0", 0, 96},
        {"fd00::/8", 0, 8},
        {"2001:db8::/32", 0, 32},
        {"::/0", 0, 0},
        {"10.1.2.3/8", ERR_MALFORMED, 0}, /* host bits set */
        {"10.0.0.0/33", ERR_MALFORMED, 0},
        {"10.0.0.0/", ERR_MALFORMED, 0},
        {"10.0.0.0/8x", ERR_MALFORMED, 0},
        {"300.0.0.0/8", ERR_MALFORMED, 0},
        {"", ERR_MALFORMED, 0},
        {"fd00::/129", ERR_MALFORMED, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ip_addr a;
        unsigned len = 0;
        int rc = prefix_parse(cases[i].text, &a, &len);
        ASSERT_EQ_INT(rc, cases[i].rc);
        if (rc == 0)
            ASSERT_EQ_INT(len, cases[i].len);
    }
}

static void test_addr_format(void)
{
    struct ip_addr a;
    char buf[ADDR_STR_LEN];
    ASSERT_EQ_INT(addr_parse("10.1.0.255", &a), 0);
    ASSERT_TRUE(addr_is_v4(&a));
    ASSERT_STREQ(addr_format(&a, buf), "10.1.0.255");
    ASSERT_EQ_INT(addr_parse("2001:DB8::1", &a), 0);
    ASSERT_TRUE(!addr_is_v4(&a));
    ASSERT_STREQ(addr_format(&a, buf), "2001:db8::1");
    a = addr_from_v4(0xc0a80101);
    ASSERT_STREQ(addr_format(&a, buf), "192.168.1.1");
}

static struct prefix_trie *build(const char *const *prefixes, size_t n)
{
    struct prefix_trie *t = prefix_trie_new();
    for (size_t i = 0; i < n; i++) {
        struct ip_addr a;
        unsigned len;
        if (prefix_parse(prefixes[i], &a, &len) != 0)
            abort();
        prefix_trie_insert(t, &a, len, (uint32_t)i);
    }
    return t;
}

static void test_longest_match(void)
{
    /* Nested and sibling prefixes, inserted in an order that forces edge splits. */
    static const char *const prefixes[] = {
        "10.1.2.0/24",   /* 0 */ "10.0.0.0/8",      /* 1 */ "10.1.0.0/16", /* 2 */
        "10.1.2.128/25", /* 3 */ "192.168.0.0/16",  /* 4 */ "fd00::/8",    /* 5 */
        "fd00:1::/32",   /* 6 */ "2001:db8:5::/48", /* 7 */ "10.1.2.129",  /* 8: a /32 */
        "11.0.0.0/8",                                                      /* 9 */
    };
    static const struct {
        const char *addr;
        int want; /* index of the longest match, -1 for none */
    } cases[] = {
        {"10.9.9.9", 1},        {"10.1.9.9", 2},       {"10.1.2.1", 0},
        {"10.1.2.200", 3},      {"10.1.2.129", 8},     {"10.1.2.130", 3},
        {"192.168.255.1", 4},   {"192.169.0.1", -1},   {"11.255.0.1", 9},
        {"12.0.0.1", -1},       {"9.255.255.255", -1}, {"fd00::1", 5},
        {"fd00:1::77", 6},      {"fd00:2::1", 5},      {"fe80::1", -1},
        {"2001:db8:5:1::9", 7}, {"2001:db8:6::1", -1}, {"::ffff:10.1.2.1", 0},
    };
    struct prefix_trie *t = build(prefixes, sizeof prefixes / sizeof prefixes[0]);
    ASSERT_EQ_U64(prefix_trie_count(t), sizeof prefixes / sizeof prefixes[0]);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ip_addr a;
        uint32_t v = 999;
        ASSERT_EQ_INT(addr_parse(cases[i].addr, &a), 0);
        bool found = prefix_trie_lookup(t, &a, &v);
        if (cases[i].want < 0) {
            if (found)
                TEST_FAIL("%s: expected no match, got prefix %u", cases[i].addr, v);
        } else if (!found || v != (uint32_t)cases[i].want) {
            TEST_FAIL("%s: expected prefix %d, got %s%u", cases[i].addr, cases[i].want,
                      found ? "" : "none ", found ? v : 0);
        }
    }
    prefix_trie_free(t);
}

static void test_default_route_and_replace(void)
{
    static const char *const prefixes[] = {"0.0.0.0/0", "::/0", "10.0.0.0/8", "10.0.0.0/8"};
    struct prefix_trie *t = build(prefixes, 4);
    uint32_t v = 0;
    struct ip_addr a;
    addr_parse("1.2.3.4", &a);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 0);
    addr_parse("2001::1", &a);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 1);
    addr_parse("10.2.3.4", &a);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 3); /* the second insert of 10/8 replaced the first */
    ASSERT_EQ_U64(prefix_trie_count(t), 3);
    prefix_trie_free(t);
}

/* Cross-check against a linear scan over random prefixes and addresses. min_len: shortest
 * IPv4 prefix made. indexed: look up through the /16 index (prefix_trie_index), with one
 * more prefix inserted after indexing when insert_after (that drops the index). */
static void check_random(unsigned min_len, bool indexed, bool insert_after)
{
    enum { N_PREFIX = 300, N_ADDR = 3000 };
    struct ip_addr pa[N_PREFIX];
    unsigned pl[N_PREFIX];
    uint64_t seed = 42;
    struct prefix_trie *t = prefix_trie_new();
    for (int i = 0; i < N_PREFIX; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t v4 = (uint32_t)(seed >> 32) & 0x0f0fffff; /* clustered so prefixes nest */
        unsigned len = min_len + (unsigned)(seed >> 20) % (33 - min_len);
        if (indexed && insert_after && i == N_PREFIX - 1)
            prefix_trie_index(t); /* the last insert below drops it */
        v4 &= len ? ~0u << (32 - len) : 0u;
        pa[i] = addr_from_v4(v4);
        pl[i] = 96 + len;
        prefix_trie_insert(t, &pa[i], pl[i], (uint32_t)i);
    }
    if (indexed && !insert_after)
        prefix_trie_index(t);
    for (int k = 0; k < N_ADDR; k++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        struct ip_addr a = addr_from_v4((uint32_t)(seed >> 32) & 0x0f0fffff);
        int best = -1;
        for (int i = 0; i < N_PREFIX; i++) {
            uint32_t mask = pl[i] == 96 ? 0 : ~0u << (128 - pl[i]);
            uint32_t x = (uint32_t)addr_lo(&a), p = (uint32_t)addr_lo(&pa[i]);
            if ((x & mask) == (p & mask) && (best < 0 || pl[i] >= pl[best]))
                best = i; /* later duplicates replace earlier ones, as in the trie */
        }
        uint32_t v;
        bool found = prefix_trie_lookup(t, &a, &v);
        if (found != (best >= 0) || (found && v != (uint32_t)best))
            TEST_FAIL("address %d: trie says %d, scan says %d", k, found ? (int)v : -1, best);
    }
    prefix_trie_free(t);
}

static void test_random_against_linear_scan(void)
{
    check_random(8, false, false);
    check_random(0, false, false);
}

/* The /16 index gives the same answers: blocks answered at once (prefixes of /16 or
 * shorter), blocks holding longer prefixes, and a trie changed after indexing. */
static void test_random_indexed(void)
{
    check_random(8, true, false);
    check_random(0, true, false);
    check_random(14, true, false);
    check_random(8, true, true);
}

/* An IPv6 address is never answered from the IPv4 index. */
static void test_index_ipv6(void)
{
    struct prefix_trie *t = prefix_trie_new();
    struct ip_addr a;
    unsigned len;
    ASSERT_EQ_INT(prefix_parse("10.0.0.0/8", &a, &len), 0);
    prefix_trie_insert(t, &a, len, 1);
    ASSERT_EQ_INT(prefix_parse("::/0", &a, &len), 0);
    prefix_trie_insert(t, &a, len, 2);
    prefix_trie_index(t);
    uint32_t v = 0;
    ASSERT_EQ_INT(addr_parse("10.1.2.3", &a), 0);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 1);
    ASSERT_EQ_INT(addr_parse("11.1.2.3", &a), 0);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 2);
    ASSERT_EQ_INT(addr_parse("::a01:203", &a), 0); /* 10.1.2.3's bits, but IPv4-compatible */
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 2);
    prefix_trie_free(t);
}

int main(void)
{
    RUN(test_prefix_parse);
    RUN(test_addr_format);
    RUN(test_longest_match);
    RUN(test_default_route_and_replace);
    RUN(test_random_against_linear_scan);
    RUN(test_random_indexed);
    RUN(test_index_ipv6);
    return test_done();
}
