// SPDX-License-Identifier: MIT
// Tests of what counts as local: the configured networks plus every bound or leased
// prefix they do not hold (ended bindings too, MACs not at all), merged where they make up
// a shorter prefix; prefixes added one by one as RADIUS does; and the directions and
// subscribers the classifier then gives. Expected values written out by hand per prefix,
// address and flow.
#include "../../../src/classify/classify.h"
#include "../../../src/classify/localnets.h"
#include "test.h"

#include <stdlib.h>

#define T0 1790000000000ULL /* a reference time, ms */
#define MIN 60000ULL

/* flowtally's default local_nets */
static const char *const defaults[] = {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"};

static void parse_prefix(const char *text, struct ip_addr *a, unsigned *len)
{
    if (prefix_parse(text, a, len) != 0)
        abort();
}

static struct localnets *nets_of(const char *const *prefixes, size_t n)
{
    struct localnets *nets = localnets_new();
    for (size_t i = 0; i < n; i++) {
        struct ip_addr a;
        unsigned len;
        parse_prefix(prefixes[i], &a, &len);
        localnets_add(nets, &a, len);
    }
    return nets;
}

static void bind(struct subscriber_map *m, const char *text, uint64_t start, uint64_t end,
                 uint32_t sub)
{
    struct ip_addr a;
    unsigned len;
    parse_prefix(text, &a, &len);
    submap_add_prefix(m, &a, len, start, end, sub);
}

static void lease(struct subscriber_map *m, const char *text, const uint8_t mac[6])
{
    struct ip_addr a;
    unsigned len;
    parse_prefix(text, &a, &len);
    submap_add_lease(m, &a, len, mac, T0, T0 + 60 * MIN);
}

static bool is_local(const struct prefix_trie *t, const char *addr)
{
    struct ip_addr a;
    uint32_t unused;
    if (addr_parse(addr, &a) != 0)
        abort();
    return prefix_trie_lookup(t, &a, &unused);
}

static void test_build(void)
{
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x44};
    struct localnets *nets = nets_of(defaults, 4);
    struct subscriber_map *m = submap_new();
    bind(m, "10.0.0.1", T0, SUBMAP_OPEN, 1);           /* inside 10/8: nothing to add */
    bind(m, "2001:db8:1200::/56", T0, SUBMAP_OPEN, 2); /* added (the README's bob) */
    bind(m, "198.51.100.7", T0, T0 + 10 * MIN, 3);     /* added; ended, all the same */
    bind(m, "203.0.113.0/24", T0, SUBMAP_OPEN, 4);     /* added */
    bind(m, "203.0.113.9", T0, SUBMAP_OPEN, 5);        /* inside the bound /24 */
    bind(m, "10.0.0.0/7", T0, SUBMAP_OPEN, 6);         /* wider than 10/8: added */
    submap_add_mac(m, mac, T0, SUBMAP_OPEN, 1);        /* no address */
    lease(m, "100.64.0.5", mac);                       /* added */
    lease(m, "192.168.1.9", mac);                      /* inside 192.168/16 */
    lease(m, "198.51.100.7", mac);                     /* bound already */
    lease(m, "2001:db8:77::/48", mac);                 /* a delegated prefix: added */
    size_t added = 99;
    struct prefix_trie *t = localnets_build(nets, m, &added);
    ASSERT_EQ_U64(added, 6);
    ASSERT_EQ_U64(prefix_trie_count(t), 4 + 6);
    static const struct {
        const char *addr;
        bool local;
    } cases[] = {
        {"10.1.2.3", true},
        {"11.0.0.1", true}, /* 10.0.0.0/7 */
        {"12.0.0.1", false},
        {"172.31.255.255", true},
        {"172.32.0.0", false},
        {"198.51.100.7", true},
        {"198.51.100.6", false},
        {"198.51.100.8", false},
        {"203.0.113.0", true},
        {"203.0.113.255", true},
        {"203.0.114.1", false},
        {"100.64.0.5", true},
        {"100.64.0.4", false},
        {"192.168.1.9", true},
        {"8.8.8.8", false},
        {"2001:db8:1200::1", true},
        {"2001:db8:1200:ff::1", true},
        {"2001:db8:1201::1", false},
        {"2001:db8:11ff:ffff::1", false},
        {"2001:db8:77:ab::1", true},
        {"fd00:1::5", true},
        {"2001:db8:5::1", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (is_local(t, cases[i].addr) != cases[i].local)
            TEST_FAIL("%s: local %d, expected %d", cases[i].addr, !cases[i].local, cases[i].local);
    prefix_trie_free(t);

    /* no map (before the first one is loaded), and no configured networks at all */
    t = localnets_build(nets, NULL, &added);
    ASSERT_EQ_U64(added, 0);
    ASSERT_EQ_U64(prefix_trie_count(t), 4);
    ASSERT_TRUE(!is_local(t, "198.51.100.7"));
    prefix_trie_free(t);
    struct localnets *none = localnets_new();
    t = localnets_build(none, m, &added);
    /* the /56, /24 and /7 (listed first), 198.51.100.7, the /48, 100.64.0.5 and
     * 192.168.1.9; 10.0.0.1 lies in the bound /7 and 203.0.113.9 in the /24 */
    ASSERT_EQ_U64(added, 7);
    ASSERT_EQ_U64(prefix_trie_count(t), 7);
    ASSERT_TRUE(is_local(t, "10.0.0.1") && is_local(t, "192.168.1.9"));
    ASSERT_TRUE(!is_local(t, "172.16.0.1") && !is_local(t, "192.168.1.8"));
    prefix_trie_free(t);
    localnets_free(none);
    submap_free(m);
    localnets_free(nets);
}

/* Bound prefixes outside local_nets are merged where they make up a shorter prefix. */
static void test_aggregate(void)
{
    static const struct {
        const char *bound; /* bound prefixes, comma-separated */
        const char *want;  /* the prefixes they add, comma-separated */
    } cases[] = {
        {"198.51.100.4,198.51.100.5,198.51.100.6,198.51.100.7", "198.51.100.4/30"},
        {"198.51.100.7,198.51.100.6,198.51.100.5,198.51.100.4", "198.51.100.4/30"},
        {"198.51.100.1,198.51.100.2", "198.51.100.1/32,198.51.100.2/32"}, /* not halves */
        {"198.51.100.2/31,198.51.100.4/31", "198.51.100.2/31,198.51.100.4/31"},
        {"198.51.100.0/25,198.51.100.128/25,198.51.100.77", "198.51.100.0/24"},
        {"198.51.100.128/25,198.51.100.0/26,198.51.100.64/26", "198.51.100.0/24"}, /* cascade */
        {"198.51.100.9,198.51.100.9,198.51.100.0/28", "198.51.100.0/28"},
        {"10.1.0.0/16,11.0.0.0/8", "11.0.0.0/8"}, /* its other half 10/8 is configured */
        {"2001:db8:1200::/56,2001:db8:1200:100::/56", "2001:db8:1200::/55"},
        {"2001:db8:1200::/56,2001:db8:1200:1::/64", "2001:db8:1200::/56"},
        {"", ""},
    };
    struct localnets *nets = nets_of(defaults, 4);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct subscriber_map *m = submap_new();
        char list[256], *save = NULL;
        snprintf(list, sizeof list, "%s", cases[i].bound);
        for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save))
            bind(m, p, T0, SUBMAP_OPEN, 1);
        size_t added, n_want = 0;
        struct prefix_trie *t = localnets_build(nets, m, &added);
        snprintf(list, sizeof list, "%s", cases[i].want);
        for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
            struct ip_addr a;
            unsigned len;
            uint32_t value;
            parse_prefix(p, &a, &len);
            if (!prefix_trie_find(t, &a, len, &value))
                TEST_FAIL("case %zu: %s not in the trie", i, p);
            n_want++;
        }
        if (added != n_want || prefix_trie_count(t) != 4 + n_want)
            TEST_FAIL("case %zu (%s): %zu prefixes added, %zu in all; expected %zu", i,
                      cases[i].bound, added, prefix_trie_count(t), n_want);
        prefix_trie_free(t);
        submap_free(m);
    }
    /* a pool whose every address was bound at some time is one prefix */
    struct subscriber_map *m = submap_new();
    for (uint32_t i = 0; i < 512; i++) {
        struct ip_addr a = addr_from_v4(0xcb007000u + (i * 211) % 512); /* 203.0.112.0/23 */
        submap_add_prefix(m, &a, 128, T0, T0 + MIN, i + 1);
    }
    size_t added;
    struct prefix_trie *t = localnets_build(nets, m, &added);
    ASSERT_EQ_U64(added, 1);
    ASSERT_TRUE(is_local(t, "203.0.112.0") && is_local(t, "203.0.113.255"));
    ASSERT_TRUE(!is_local(t, "203.0.111.255") && !is_local(t, "203.0.114.0"));
    prefix_trie_free(t);
    submap_free(m);
    localnets_free(nets);
}

/* One prefix at a time, as a RADIUS Start adds it to the running trie. */
static void test_extend(void)
{
    struct localnets *nets = nets_of(defaults, 4);
    struct prefix_trie *t = localnets_build(nets, NULL, NULL);
    static const struct {
        const char *prefix;
        bool added;
    } steps[] = {
        {"10.9.9.9", false},       /* configured */
        {"198.51.100.9", true},    /* a public address */
        {"198.51.100.9", false},   /* the same again (an Interim-Update) */
        {"198.51.100.0/24", true}, /* wider than what is there */
        {"198.51.100.10", false},  /* inside it */
        {"2001:db8:ab00::/56", true}, {"2001:db8:ab00:1::/64", false}, {"fd00:9::/64", false},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        struct ip_addr a;
        unsigned len;
        parse_prefix(steps[i].prefix, &a, &len);
        bool added = localnets_extend(t, &a, len);
        if (added != steps[i].added)
            TEST_FAIL("%s: added %d, expected %d", steps[i].prefix, added, steps[i].added);
        prefix_trie_index(t);
    }
    ASSERT_EQ_U64(prefix_trie_count(t), 4 + 3);
    ASSERT_TRUE(is_local(t, "198.51.100.200") && is_local(t, "2001:db8:ab00:ff::1"));
    ASSERT_TRUE(!is_local(t, "198.51.101.1") && !is_local(t, "2001:db8:ab01::1"));
    prefix_trie_free(t);
    localnets_free(nets);
}

struct capture {
    struct usage_delta d;
    size_t n;
};

static void capture_emit(void *ctx, const struct usage_delta *d)
{
    struct capture *c = ctx;
    c->d = *d;
    c->n++;
}

/* Direction and subscriber with the default local_nets and bindings outside them. */
static void test_direction(void)
{
    struct localnets *nets = nets_of(defaults, 4);
    struct subscriber_map *m = submap_new();
    bind(m, "2001:db8:1200::/56", T0, SUBMAP_OPEN, 2); /* bob */
    bind(m, "198.51.100.7", T0, T0 + 10 * MIN, 3);     /* carol, until T0 + 10 min */
    bind(m, "10.0.0.1", T0, SUBMAP_OPEN, 4);           /* dave, inside local_nets */
    struct prefix_trie *t = localnets_build(nets, m, NULL);
    struct capture cap = {0};
    struct classifier c;
    classifier_init(&c, t, NULL, (struct usage_sink){capture_emit, &cap});
    c.subscribers = m;
    static const struct {
        const char *src, *dst;
        uint64_t t;
        const char *host;
        enum flow_dir dir;
        uint32_t sub;
    } cases[] = {
        {"2001:db8:5::1", "2001:db8:1200::10", T0 + MIN, "2001:db8:1200::10", FLOW_DIR_IN, 2},
        {"2001:db8:1200:ff::1", "2001:db8:5::1", T0 + MIN, "2001:db8:1200:ff::1", FLOW_DIR_OUT, 2},
        {"2001:db8:1200::10", "fd00:1::5", T0 + MIN, "2001:db8:1200::10", FLOW_DIR_INTERNAL, 2},
        {"2001:db8:1201::1", "2001:db8:5::1", T0 + MIN, "2001:db8:1201::1", FLOW_DIR_TRANSIT, 0},
        {"198.18.0.1", "198.51.100.7", T0 + MIN, "198.51.100.7", FLOW_DIR_IN, 3},
        {"198.51.100.7", "198.18.0.1", T0 + MIN, "198.51.100.7", FLOW_DIR_OUT, 3},
        /* after carol's binding ended: still local, now unassigned */
        {"198.51.100.7", "198.18.0.1", T0 + 20 * MIN, "198.51.100.7", FLOW_DIR_OUT, 0},
        {"198.18.0.1", "198.51.100.7", T0 - MIN, "198.51.100.7", FLOW_DIR_IN, 0}, /* before */
        {"198.51.100.8", "198.18.0.1", T0 + MIN, "198.51.100.8", FLOW_DIR_TRANSIT, 0},
        {"10.0.0.1", "198.51.100.7", T0 + MIN, "10.0.0.1", FLOW_DIR_INTERNAL, 4},
        {"198.51.100.7", "10.0.0.1", T0 + MIN, "198.51.100.7", FLOW_DIR_INTERNAL, 3},
        {"198.18.0.1", "10.0.0.1", T0 + MIN, "10.0.0.1", FLOW_DIR_IN, 4},
        {"198.18.0.1", "198.18.0.2", T0 + MIN, "198.18.0.1", FLOW_DIR_TRANSIT, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct flow f = {.bytes = 100, .packets = 1, .end_ms = cases[i].t};
        addr_parse(cases[i].src, &f.src);
        addr_parse(cases[i].dst, &f.dst);
        addr_parse("192.0.2.1", &f.exporter);
        cap.n = 0;
        classifier_emit(&c, &f);
        char text[ADDR_STR_LEN];
        ASSERT_EQ_U64(cap.n, 1);
        addr_format(&cap.d.host, text);
        if (strcmp(text, cases[i].host) != 0 || cap.d.dir != cases[i].dir ||
            cap.d.subscriber != cases[i].sub)
            TEST_FAIL("%s -> %s: host %s dir %d subscriber %u, expected %s %d %u", cases[i].src,
                      cases[i].dst, text, cap.d.dir, cap.d.subscriber, cases[i].host, cases[i].dir,
                      cases[i].sub);
    }
    /* the configured networks alone (the old behaviour): bob's traffic was transit */
    struct prefix_trie *old = localnets_build(nets, NULL, NULL);
    c.local_nets = old;
    struct flow f = {.bytes = 100, .packets = 1, .end_ms = T0 + MIN};
    addr_parse("2001:db8:5::1", &f.src);
    addr_parse("2001:db8:1200::10", &f.dst);
    classifier_emit(&c, &f);
    ASSERT_EQ_INT(cap.d.dir, FLOW_DIR_TRANSIT);
    ASSERT_EQ_U64(cap.d.subscriber, 0);
    prefix_trie_free(old);
    prefix_trie_free(t);
    submap_free(m);
    localnets_free(nets);
}

int main(void)
{
    RUN(test_build);
    RUN(test_aggregate);
    RUN(test_extend);
    RUN(test_direction);
    return test_done();
}
