// SPDX-License-Identifier: MIT
// Tests of classification: direction by local networks (IPv4 and IPv6), sampling
// renormalisation and its precedence, and refusal of implausible counts.
#include "../../../src/base/prefix.h"
#include "../../../src/classify/classify.h"
#include "test.h"

#include <stdlib.h>

struct capture {
    struct usage_delta d[8];
    size_t n;
};

static void capture_emit(void *ctx, const struct usage_delta *d)
{
    struct capture *c = ctx;
    if (c->n < 8)
        c->d[c->n] = *d;
    c->n++;
}

static struct prefix_trie *trie_of(const char *const *prefixes, size_t n, const uint32_t *values)
{
    struct prefix_trie *t = prefix_trie_new();
    for (size_t i = 0; i < n; i++) {
        struct ip_addr a;
        unsigned len;
        if (prefix_parse(prefixes[i], &a, &len) != 0)
            abort();
        prefix_trie_insert(t, &a, len, values ? values[i] : 0);
    }
    return t;
}

static struct flow flow_of(const char *src, const char *dst, uint64_t bytes, uint32_t sampling)
{
    struct flow f = {.bytes = bytes, .packets = 2, .end_ms = 5000, .sampling = sampling};
    addr_parse(src, &f.src);
    addr_parse(dst, &f.dst);
    addr_parse("192.0.2.1", &f.exporter);
    return f;
}

static void test_directions(void)
{
    static const char *const local[] = {"10.0.0.0/8", "fd00::/8"};
    struct prefix_trie *t = trie_of(local, 2, NULL);
    struct capture cap = {0};
    struct classifier c;
    classifier_init(&c, t, NULL, (struct usage_sink){capture_emit, &cap});
    static const struct {
        const char *src, *dst, *host;
        enum flow_dir dir;
    } cases[] = {
        {"198.51.100.1", "10.1.1.1", "10.1.1.1", FLOW_DIR_IN},
        {"10.1.1.1", "198.51.100.1", "10.1.1.1", FLOW_DIR_OUT},
        {"10.1.1.1", "10.2.2.2", "10.1.1.1", FLOW_DIR_INTERNAL},
        {"198.51.100.1", "203.0.113.9", "198.51.100.1", FLOW_DIR_TRANSIT},
        {"2001:db8::1", "fd00:1::5", "fd00:1::5", FLOW_DIR_IN},
        {"fd00:1::5", "2001:db8::1", "fd00:1::5", FLOW_DIR_OUT},
        {"11.0.0.1", "9.255.255.255", "11.0.0.1", FLOW_DIR_TRANSIT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cap.n = 0;
        struct flow f = flow_of(cases[i].src, cases[i].dst, 100, 0);
        classifier_emit(&c, &f);
        char text[ADDR_STR_LEN];
        ASSERT_EQ_U64(cap.n, 1);
        ASSERT_STREQ(addr_format(&cap.d[0].host, text), cases[i].host);
        ASSERT_EQ_INT(cap.d[0].dir, cases[i].dir);
        ASSERT_EQ_U64(cap.d[0].counts.bytes, 100);
        ASSERT_EQ_U64(cap.d[0].time_ms, 5000);
    }
    ASSERT_EQ_U64(c.c.flows, 7);
    prefix_trie_free(t);
}

static void test_sampling(void)
{
    static const char *const local[] = {"10.0.0.0/8"};
    static const char *const overrides[] = {"192.0.2.0/24"};
    static const uint32_t rates[] = {50};
    struct prefix_trie *t = trie_of(local, 1, NULL);
    struct prefix_trie *s = trie_of(overrides, 1, rates);
    struct capture cap = {0};
    struct classifier c;
    classifier_init(&c, t, NULL, (struct usage_sink){capture_emit, &cap});
    struct flow f = flow_of("10.0.0.1", "8.8.8.8", 1000, 100);
    classifier_emit(&c, &f); /* the exporter's own rate */
    ASSERT_EQ_U64(cap.d[0].counts.bytes, 100000);
    ASSERT_EQ_U64(cap.d[0].counts.packets, 200);
    ASSERT_EQ_U64(cap.d[0].counts.flows, 1);
    c.sampling = s; /* the configuration overrides it */
    classifier_emit(&c, &f);
    ASSERT_EQ_U64(cap.d[1].counts.bytes, 50000);
    f.sampling = 0;
    f.sampled_no_rate = true;
    c.sampling = NULL; /* unknown rate: counted 1:1 and counted as such */
    classifier_emit(&c, &f);
    ASSERT_EQ_U64(cap.d[2].counts.bytes, 1000);
    ASSERT_EQ_U64(c.c.flows_rate_unknown, 1);
    ASSERT_EQ_U64(c.c.flows_renormalised, 2);
    f = flow_of("10.0.0.1", "8.8.8.8", 1ULL << 45, 100); /* 2^45 x 100 > 2^50 */
    classifier_emit(&c, &f);
    ASSERT_EQ_U64(cap.n, 3);
    ASSERT_EQ_U64(c.c.drop_implausible, 1);
    prefix_trie_free(t);
    prefix_trie_free(s);
}

int main(void)
{
    RUN(test_directions);
    RUN(test_sampling);
    return test_done();
}
