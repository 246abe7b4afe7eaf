// SPDX-License-Identifier: MIT
// Tests of the demo's rules (src/demo/world.c: figures worked out by hand from demo.h's
// text) and of its live IPFIX messages (src/demo/feed.c: lengths from RFC 7011's layout,
// read back byte by byte).
#include "../../../src/demo/demo.h"
#include "test.h"

#include <string.h>

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

/* One data set's records (RFC 7011: src, dst, ports 2 + 2, protocol 1, flags 2, then bytes,
 * packets, start, end, 8 each): the local side a subscriber's, the remote side not, ending
 * at now. IPv4 records: 55 bytes, the local 10.20.0.i; IPv6: 79, the local
 * 2001:db8:20:<i>00::1 of a subscriber with a /56 (i % 6 == 0). */
static uint32_t check_records(const uint8_t *set, uint64_t now, bool v6)
{
    size_t addr = v6 ? 16 : 4, rec_len = 2 * addr + 47; /* then two interfaces of 4 */
    size_t len = wire_load_u16(set + 2), n = (len - 4) / rec_len;
    ASSERT_TRUE(len - 4 - n * rec_len < 4); /* padding only */
    static const uint8_t prefix6[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20};
    for (size_t r = 0; r < n; r++) {
        const uint8_t *rec = set + 4 + r * rec_len, *src = rec, *dst = rec + addr;
        if (v6) {
            bool src_local = memcmp(src, prefix6, 6) == 0;
            const uint8_t *local = src_local ? src : dst, *remote = src_local ? dst : src;
            ASSERT_TRUE(memcmp(local, prefix6, 6) == 0 && local[6] >= 6 && local[6] <= 240 &&
                        local[6] % 6 == 0 && local[7] == 0 && local[15] == 1);
            /* a class's prefix in demo.c's files (free 2001:db8:f0::/48, national
             * 2001:db8:ff00::/40), or international's 2001:2::/48 */
            static const uint8_t free6[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0xf0};
            static const uint8_t national5[5] = {0x20, 0x01, 0x0d, 0xb8, 0xff};
            static const uint8_t international6[6] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00};
            ASSERT_TRUE(memcmp(remote, free6, 6) == 0 || memcmp(remote, national5, 5) == 0 ||
                        memcmp(remote, international6, 6) == 0);
        } else {
            uint32_t s = wire_load_u32(src), d = wire_load_u32(dst);
            uint32_t local = (s >> 8) == 0x0a1400 ? s : d, remote = local == s ? d : s;
            ASSERT_TRUE((local >> 8) == 0x0a1400 && (local & 0xff) >= 1 && (local & 0xff) <= 240);
            /* free 192.0.2.0/24, national 198.51.100.0/24, international 198.18.0.0/15 */
            ASSERT_TRUE((remote >> 8) == 0xc00002 || (remote >> 8) == 0xc63364 ||
                        (remote >> 17) == (0xc612u >> 1));
        }
        const uint8_t *counts = rec + 2 * addr + 7;
        ASSERT_EQ_U64(load_u64(counts + 24), now);
        ASSERT_TRUE(load_u64(counts + 16) <= now && load_u64(counts + 16) >= now - 60000);
        ASSERT_EQ_U64(load_u64(counts + 8), load_u64(counts) / 1200 + 1);
    }
    return (uint32_t)n;
}

static void test_feed(void)
{
    struct feed f;
    struct wire_buf w;
    uint64_t now = 1790000000123ULL;
    uint32_t n4 = 0, n6 = 0;
    feed_init(&f);
    for (int m = 0; m < 20; m++) { /* templates in the first; 200 flows, some over IPv6 */
        feed_build(&f, now, 10, &w);
        ASSERT_EQ_U64(wire_load_u16(w.data), 10);
        ASSERT_EQ_U64(wire_load_u16(w.data + 2), w.len);
        ASSERT_EQ_U64(wire_load_u32(w.data + 4), 1790000000);
        ASSERT_EQ_U64(wire_load_u32(w.data + 8), (uint64_t)m * 10); /* data records before */
        ASSERT_EQ_U64(wire_load_u32(w.data + 12), 1);               /* observation domain */
        size_t at = 16;
        if (m == 0) { /* a template set: one template of 12 fields per family, 4 + 2 x 52 */
            ASSERT_EQ_U64(wire_load_u16(w.data + at), 2);
            ASSERT_EQ_U64(wire_load_u16(w.data + at + 2), 108);
            ASSERT_EQ_U64(wire_load_u16(w.data + at + 4), 256);
            ASSERT_EQ_U64(wire_load_u16(w.data + at + 56), 258);
            at += 108;
        }
        uint32_t in_message = 0;
        while (at < w.len) {
            uint16_t id = wire_load_u16(w.data + at);
            ASSERT_TRUE(id == 256 || id == 258);
            uint32_t n = check_records(w.data + at, now, id == 258);
            in_message += n;
            *(id == 258 ? &n6 : &n4) += n;
            at += wire_load_u16(w.data + at + 2);
        }
        ASSERT_EQ_U64(at, w.len);
        ASSERT_EQ_U64(in_message, 10);
    }
    /* 40 of the 240 have a /56 and send half their flows over IPv6: about 1 in 12 */
    ASSERT_EQ_U64(n4 + n6, 200);
    ASSERT_TRUE(n6 >= 4 && n6 <= 40);
}

int main(void)
{
    RUN(test_subscribers);
    RUN(test_hours);
    RUN(test_feed);
    return test_done();
}
