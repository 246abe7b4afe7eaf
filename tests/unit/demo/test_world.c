// SPDX-License-Identifier: MIT
// Tests of the demo's rules (src/demo/world.c: figures worked out by hand from demo.h's
// text) and of its live IPFIX messages (src/demo/feed.c: lengths from RFC 7011's layout,
// read back byte by byte).
#include "../../../src/demo/demo.h"
#include "test.h"

static void test_subscribers(void)
{
    static const struct {
        int i;
        const char *account, *name, *plan, *ipv6, *mac;
        uint32_t ipv4;
        bool by_lease, is_heavy;
    } cases[] = {
        {1, "ana.costa", "Ana Costa", "basic", "", "02:00:5e:14:00:01", 0x0a140001, false, false},
        /* 7 % 10 = 7: pro; 7 % 7 = 0: heavy; the demo's printed customer */
        {7, "gus.costa", "Gus Costa", "pro", "", "02:00:5e:14:00:07", 0x0a140007, false, true},
        /* 12: lena (the 12th first name); 12 % 6 = 0: a /56; 12 % 4 = 0: by lease */
        {12, "lena.costa", "Lena Costa", "basic", "2001:db8:20:c00::/56", "02:00:5e:14:00:0c",
         0x0a14000c, true, false},
        /* 29: (29 - 1) % 24 = 4, eva; (29 - 1) / 24 = 1, diallo; 29 % 10 = 9: premium */
        {29, "eva.diallo", "Eva Diallo", "premium", "", "02:00:5e:14:00:1d", 0x0a14001d, false,
         false},
        {240, "zoe.lund", "Zoe Lund", "basic", "2001:db8:20:f000::/56", "02:00:5e:14:00:f0",
         0x0a1400f0, true, false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct world_sub w;
        world_sub(cases[k].i, &w);
        ASSERT_STREQ(w.account, cases[k].account);
        ASSERT_STREQ(w.name, cases[k].name);
        ASSERT_STREQ(w.plan, cases[k].plan);
        ASSERT_STREQ(w.ipv6, cases[k].ipv6);
        ASSERT_EQ_INT(w.has_ipv6, cases[k].ipv6[0] != '\0');
        ASSERT_STREQ(w.mac, cases[k].mac);
        ASSERT_EQ_U64(w.ipv4, cases[k].ipv4);
        ASSERT_EQ_INT(w.by_lease, cases[k].by_lease);
        ASSERT_EQ_INT(w.is_heavy, cases[k].is_heavy);
    }
}

static void test_hours(void)
{
    static const struct {
        int i;
        uint64_t h;
        bool active;
        const char *class_name, *app, *host;
        uint64_t bytes_in, bytes_out, packets_in, packets_out, flows;
    } cases[] = {
        /* (1 + 2) % 3 = 0; pair 3 / 3 % 8 = 1; (20 + 37) * 100000 * profile[2] = 1 */
        {1, 2, true, "international", "QUIC", "10.20.0.1", 5700000, 570000, 4751, 5701, 3},
        {1, 3, false, NULL, NULL, NULL, 0, 0, 0, 0, 0},
        /* 27 / 3 % 8 = 1; 20 + 259 % 61 = 35; profile[20] = 10; heavy: x 12 */
        {7, 20, true, "international", "QUIC", "10.20.0.7", 420000000, 42000000, 350001, 420001, 1},
        /* 15 / 3 % 8 = 5; 20 + 444 % 61 = 37; profile[3] = 1; an odd hour: the /56's ::1 */
        {12, 3, true, "international", "other", "2001:db8:20:c00::1", 3700000, 370000, 3084, 3701,
         4},
        /* unix hour 497222 (1790000000 / 3600): 240 + 497222 = 497462, % 3 = 2: idle */
        {240, 497222, false, NULL, NULL, NULL, 0, 0, 0, 0, 0},
        /* 497463 % 3 = 0; 497463 / 3 % 8 = 165821 % 8 = 5; 20 + 8880 % 61 = 55; 497223 % 24
         * = 15: profile 5; 497223 % 5 = 3: 4 flows; an odd hour: the /56's ::1 */
        {240, 497223, true, "international", "other", "2001:db8:20:f000::1", 27500000, 2750000,
         22917, 27501, 4},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct world_hour wh;
        bool active = world_hour(cases[k].i, cases[k].h, &wh);
        ASSERT_EQ_INT(active, cases[k].active);
        if (!active || !cases[k].active)
            continue;
        ASSERT_STREQ(wh.class_name, cases[k].class_name);
        ASSERT_STREQ(wh.app, cases[k].app);
        ASSERT_STREQ(wh.host, cases[k].host);
        ASSERT_EQ_U64(wh.bytes_in, cases[k].bytes_in);
        ASSERT_EQ_U64(wh.bytes_out, cases[k].bytes_out);
        ASSERT_EQ_U64(wh.packets_in, cases[k].packets_in);
        ASSERT_EQ_U64(wh.packets_out, cases[k].packets_out);
        ASSERT_EQ_U64(wh.flows, cases[k].flows);
    }
}

static uint64_t load_u64(const uint8_t *p)
{
    return (uint64_t)wire_load_u32(p) << 32 | wire_load_u32(p + 4);
}

static void test_feed(void)
{
    struct feed f;
    struct wire_buf w;
    uint64_t now = 1790000000123ULL;
    feed_init(&f);
    feed_build(&f, now, 20, &w);
    /* RFC 7011: header 16; template set 4 + 4 + 12 fields x 4 = 56; data set 4 + 20 x 55 */
    ASSERT_EQ_U64(w.len, 16 + 56 + 4 + 20 * 55);
    ASSERT_EQ_U64(wire_load_u16(w.data), 10);
    ASSERT_EQ_U64(wire_load_u16(w.data + 2), w.len);
    ASSERT_EQ_U64(wire_load_u32(w.data + 4), 1790000000);
    ASSERT_EQ_U64(wire_load_u32(w.data + 8), 0);  /* no data record before */
    ASSERT_EQ_U64(wire_load_u32(w.data + 12), 1); /* observation domain */
    ASSERT_EQ_U64(wire_load_u16(w.data + 16), 2); /* the template set */
    ASSERT_EQ_U64(wire_load_u16(w.data + 72), 256);
    for (int r = 0; r < 20; r++) {
        const uint8_t *rec = w.data + 76 + r * 55;
        uint32_t src = wire_load_u32(rec), dst = wire_load_u32(rec + 4);
        uint32_t local = (src >> 8) == 0x0a1400 ? src : dst;
        uint32_t remote = local == src ? dst : src;
        ASSERT_TRUE((local >> 8) == 0x0a1400 && (local & 0xff) >= 1 && (local & 0xff) <= 240);
        ASSERT_TRUE((remote >> 8) != 0x0a1400);
        /* src 4, dst 4, ports 2 + 2, protocol 1, flags 2, then bytes, packets, start, end */
        ASSERT_EQ_U64(load_u64(rec + 39), now);
        ASSERT_TRUE(load_u64(rec + 31) <= now && load_u64(rec + 31) >= now - 60000);
        ASSERT_EQ_U64(load_u64(rec + 23), load_u64(rec + 15) / 1200 + 1);
    }
    feed_build(&f, now + 100, 20, &w);
    ASSERT_EQ_U64(w.len, 16 + 4 + 20 * 55); /* no template: every 20th message */
    ASSERT_EQ_U64(wire_load_u32(w.data + 8), 20);
}

int main(void)
{
    RUN(test_subscribers);
    RUN(test_hours);
    RUN(test_feed);
    return test_done();
}
