// SPDX-License-Identifier: MIT
// Tests of attribution over time: bindings that change hands, longest prefix, IPv6
// delegated prefixes, leases through MAC registrations, the flow's own MAC, RADIUS-style
// ends. Expected subscribers written out per (address, time). The listing of every bound
// and leased prefix (for the local trie).
#include "../../../src/classify/subscribers.h"
#include "test.h"

#include <stdlib.h>

#define T0 1790000000000ULL /* a reference time, ms */
#define MIN 60000ULL

static void prefix(struct subscriber_map *m, const char *text, uint64_t start, uint64_t end,
                   uint32_t sub)
{
    struct ip_addr a;
    unsigned len;
    if (prefix_parse(text, &a, &len) != 0)
        abort();
    submap_add_prefix(m, &a, len, start, end, sub);
}

static uint32_t who(const struct subscriber_map *m, const char *addr, uint64_t t)
{
    struct ip_addr a;
    addr_parse(addr, &a);
    return submap_lookup(m, &a, NULL, t);
}

static void test_address_moves(void)
{
    struct subscriber_map *m = submap_new();
    /* 10.1.2.3 is alice's (1) until T0+10min, then bob's (2), open-ended */
    prefix(m, "10.1.2.3", T0, T0 + 10 * MIN, 1);
    prefix(m, "10.1.2.3", T0 + 10 * MIN, SUBMAP_OPEN, 2);
    prefix(m, "10.1.0.0/16", T0, SUBMAP_OPEN, 3); /* the building's block: carol */
    prefix(m, "2001:db8:1200::/56", T0, SUBMAP_OPEN, 4);
    prefix(m, "2001:db8:1200:ff::/64", T0 + 5 * MIN, T0 + 6 * MIN, 5);
    static const struct {
        const char *addr;
        uint64_t t;
        uint32_t want;
    } cases[] = {
        {"10.1.2.3", T0 - 1, 0}, /* before any binding */
        {"10.1.2.3", T0, 1},     /* start is inclusive */
        {"10.1.2.3", T0 + 10 * MIN - 1, 1},
        {"10.1.2.3", T0 + 10 * MIN, 2}, /* end is exclusive: bob from here */
        {"10.1.2.3", T0 + 1000 * MIN, 2},
        {"10.1.2.4", T0 + MIN, 3}, /* the /16 */
        {"10.2.0.1", T0 + MIN, 0},
        {"2001:db8:1200:1::9", T0 + MIN, 4},
        {"2001:db8:1200:ff::1", T0 + 5 * MIN, 5}, /* the /64 while it holds */
        {"2001:db8:1200:ff::1", T0 + 6 * MIN, 4}, /* then the /56 again */
        {"2001:db8:1300::1", T0 + MIN, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t got = who(m, cases[i].addr, cases[i].t);
        if (got != cases[i].want)
            TEST_FAIL("%s at T0%+lld ms: subscriber %u, expected %u", cases[i].addr,
                      (long long)(cases[i].t - T0), got, cases[i].want);
    }
    submap_free(m);
}

static void test_leases_and_macs(void)
{
    struct subscriber_map *m = submap_new();
    static const uint8_t phone[6] = {0x02, 0, 0, 0, 0, 0x11};
    static const uint8_t laptop[6] = {0x02, 0, 0, 0, 0, 0x22};
    submap_add_mac(m, phone, T0, SUBMAP_OPEN, 7);
    submap_add_mac(m, laptop, T0 + 30 * MIN, SUBMAP_OPEN, 8); /* registered later */
    struct ip_addr a;
    addr_parse("192.168.5.10", &a);
    submap_add_lease(m, &a, 128, phone, T0, T0 + 60 * MIN);
    submap_add_lease(m, &a, 128, laptop, T0 + 60 * MIN, T0 + 120 * MIN); /* reassigned */
    ASSERT_EQ_U64(who(m, "192.168.5.10", T0 + MIN), 7);
    ASSERT_EQ_U64(who(m, "192.168.5.10", T0 + 61 * MIN), 8);
    ASSERT_EQ_U64(who(m, "192.168.5.10", T0 + 121 * MIN), 0); /* lease expired */
    /* a flow that carries the laptop's MAC, from an address no lease covers */
    struct ip_addr other;
    addr_parse("192.168.5.99", &other);
    ASSERT_EQ_U64(submap_lookup(m, &other, laptop, T0 + 31 * MIN), 8);
    ASSERT_EQ_U64(submap_lookup(m, &other, laptop, T0 + 29 * MIN), 0); /* not yet registered */
    ASSERT_EQ_U64(submap_count(m), 4);
    submap_free(m);
}

static void test_end_open_binding(void)
{
    struct subscriber_map *m = submap_new();
    struct ip_addr a;
    addr_parse("100.64.0.9", &a);
    submap_add_prefix(m, &a, 128, T0, SUBMAP_OPEN, 9);
    ASSERT_TRUE(submap_end_prefix(m, &a, 128, 9, T0 + 5 * MIN));
    ASSERT_TRUE(!submap_end_prefix(m, &a, 128, 9, T0 + 6 * MIN)); /* nothing open now */
    ASSERT_EQ_U64(who(m, "100.64.0.9", T0 + 4 * MIN), 9);
    ASSERT_EQ_U64(who(m, "100.64.0.9", T0 + 5 * MIN), 0);
    submap_free(m);
}

struct listing {
    char text[16][ADDR_STR_LEN + 4];
    size_t n;
};

static void list_prefix(void *ctx, const struct ip_addr *a, unsigned len)
{
    struct listing *l = ctx;
    if (l->n < 16)
        prefix_format(a, len, l->text[l->n]);
    l->n++;
}

static int text_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Every bound prefix and leased address, ended ones too, once per set; MACs have none. */
static void test_each_prefix(void)
{
    struct subscriber_map *m = submap_new();
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x33};
    prefix(m, "10.1.2.3", T0, T0 + 10 * MIN, 1); /* ended */
    prefix(m, "10.1.2.3", T0 + 10 * MIN, SUBMAP_OPEN, 2);
    prefix(m, "2001:db8:1200::/56", T0, SUBMAP_OPEN, 4);
    prefix(m, "198.51.100.0/24", T0, T0 + MIN, 5);
    submap_add_mac(m, mac, T0, SUBMAP_OPEN, 6);
    struct ip_addr a;
    addr_parse("192.168.5.10", &a);
    submap_add_lease(m, &a, 128, mac, T0, T0 + 60 * MIN);
    submap_add_lease(m, &a, 128, mac, T0 + 60 * MIN, T0 + 120 * MIN); /* a renewal */
    addr_parse("198.51.100.7", &a);
    submap_add_lease(m, &a, 128, mac, T0, T0 + 60 * MIN); /* bound (its /24) and leased */
    static const char *const want[] = {"10.1.2.3/32", "192.168.5.10/32", "198.51.100.0/24",
                                       "198.51.100.7/32", "2001:db8:1200::/56"};
    struct listing got = {0};
    submap_each_prefix(m, list_prefix, &got);
    ASSERT_EQ_U64(got.n, sizeof want / sizeof want[0]);
    qsort(got.text, got.n < 16 ? got.n : 16, sizeof got.text[0], text_cmp);
    for (size_t i = 0; i < got.n && i < sizeof want / sizeof want[0]; i++)
        ASSERT_STREQ(got.text[i], want[i]);
    struct subscriber_map *empty = submap_new();
    got.n = 0;
    submap_each_prefix(empty, list_prefix, &got);
    ASSERT_EQ_U64(got.n, 0);
    submap_free(empty);
    submap_free(m);
}

int main(void)
{
    RUN(test_address_moves);
    RUN(test_leases_and_macs);
    RUN(test_end_open_binding);
    RUN(test_each_prefix);
    return test_done();
}
