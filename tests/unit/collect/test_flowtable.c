// SPDX-License-Identifier: MIT
// Flow table tests on packets built here (no pcap): a TCP connection closed with FIN, idle
// expiry at exactly the timeout, the active timeout splitting a long flow, the cap giving up
// the least recently seen flow first, VLANs keeping flows apart, and exact sums.
#include "../../../src/collect/flowtable.h"
#include "record_sink.h"
#include "test.h"

#define T0 1790000000000ull /* ms: 2026-09-21 */
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

static struct ip_addr ip(const char *s)
{
    struct ip_addr a;
    if (addr_parse(s, &a) != 0)
        TEST_FAIL("bad address %s", s);
    return a;
}

static struct pkt_info pkt(const char *src, const char *dst, uint16_t sport, uint16_t dport,
                           uint8_t proto, uint32_t ip_len, uint8_t flags)
{
    struct pkt_info p = {.is_ip = true, .protocol = proto, .tcp_flags = flags};
    p.src = ip(src);
    p.dst = ip(dst);
    p.src_port = sport;
    p.dst_port = dport;
    p.ip_len = ip_len;
    return p;
}

static void add(struct flowtable *ft, struct pkt_info p, uint64_t ts, const struct flow_sink *s)
{
    flowtable_add(ft, &p, ts, s);
}

static bool flow_is(const struct flow *f, const char *src, uint16_t sport, const char *dst,
                    uint16_t dport)
{
    struct ip_addr s = ip(src), d = ip(dst);
    return addr_eq(&f->src, &s) && addr_eq(&f->dst, &d) && f->src_port == sport &&
           f->dst_port == dport;
}

/* The client (10.0.0.1:40000) fetches 1000 + 2800 bytes from 198.51.100.7:443 and closes
 * first, like pcapgen's sessions: FIN, the server's ACK and FIN, the client's last ACK.
 * Every segment's IP length is written out; the client's last ACK arrives after its FIN. */
static void tcp_session(struct flowtable *ft, const struct flow_sink *s)
{
    const char *c = "10.0.0.1", *v = "198.51.100.7";
    add(ft, pkt(c, v, 40000, 443, 6, 60, SYN), T0, s);
    add(ft, pkt(v, c, 443, 40000, 6, 60, SYN | ACK), T0 + 20, s);
    add(ft, pkt(c, v, 40000, 443, 6, 52, ACK), T0 + 40, s);
    add(ft, pkt(c, v, 40000, 443, 6, 552, ACK | PSH), T0 + 41, s);
    add(ft, pkt(c, v, 40000, 443, 6, 552, ACK | PSH), T0 + 42, s);
    add(ft, pkt(v, c, 443, 40000, 6, 1452, ACK), T0 + 60, s);
    add(ft, pkt(v, c, 443, 40000, 6, 1452, ACK | PSH), T0 + 61, s);
    add(ft, pkt(c, v, 40000, 443, 6, 52, ACK), T0 + 80, s);
    add(ft, pkt(c, v, 40000, 443, 6, 52, FIN | ACK), T0 + 100, s);
    add(ft, pkt(v, c, 443, 40000, 6, 52, ACK), T0 + 120, s);
    add(ft, pkt(v, c, 443, 40000, 6, 52, FIN | ACK), T0 + 121, s);
    add(ft, pkt(c, v, 40000, 443, 6, 52, ACK), T0 + 140, s);
}

static void test_tcp_fin_ends_flow_after_linger(void)
{
    struct record_sink rs = {.n = 0};
    struct flow_sink s = record_sink_of(&rs);
    struct flowtable *ft = flowtable_new(16, 15000, 60000);
    tcp_session(ft, &s);
    ASSERT_EQ_U64(rs.n, 0); /* both directions closing, lingering for the last segments */
    ASSERT_EQ_U64(flowtable_count(ft), 2);
    flowtable_expire(ft, T0 + 100 + FLOWTABLE_FIN_LINGER_MS_DEFAULT - 1, &s);
    ASSERT_EQ_U64(rs.n, 0);
    flowtable_expire(ft, T0 + 100 + FLOWTABLE_FIN_LINGER_MS_DEFAULT, &s);
    ASSERT_EQ_U64(rs.n, 1);
    flowtable_expire(ft, T0 + 121 + FLOWTABLE_FIN_LINGER_MS_DEFAULT, &s);
    ASSERT_EQ_U64(rs.n, 2);
    ASSERT_EQ_U64(flowtable_count(ft), 0);

    const struct flow *cli = &rs.flows[0], *srv = &rs.flows[1];
    ASSERT_TRUE(flow_is(cli, "10.0.0.1", 40000, "198.51.100.7", 443));
    ASSERT_EQ_U64(cli->packets, 7);
    ASSERT_EQ_U64(cli->bytes, 60 + 52 + 552 + 552 + 52 + 52 + 52); /* 1372 */
    ASSERT_EQ_U64(cli->bytes, 1372);
    ASSERT_EQ_U64(cli->start_ms, T0);
    ASSERT_EQ_U64(cli->end_ms, T0 + 140); /* the last ACK, after the FIN, is in the flow */
    ASSERT_EQ_U64(cli->tcp_flags, SYN | ACK | PSH | FIN);
    ASSERT_EQ_U64(cli->protocol, 6);
    ASSERT_TRUE(flow_is(srv, "198.51.100.7", 443, "10.0.0.1", 40000));
    ASSERT_EQ_U64(srv->packets, 5);
    ASSERT_EQ_U64(srv->bytes, 60 + 1452 + 1452 + 52 + 52); /* 3068 */
    ASSERT_EQ_U64(srv->bytes, 3068);
    ASSERT_EQ_U64(srv->start_ms, T0 + 20);
    ASSERT_EQ_U64(srv->end_ms, T0 + 121);
    ASSERT_EQ_U64(srv->tcp_flags, SYN | ACK | PSH | FIN);

    const struct flowtable_counters *c = flowtable_counters(ft);
    ASSERT_EQ_U64(c->packets, 12);
    ASSERT_EQ_U64(c->flows_exported, 2);
    ASSERT_EQ_U64(c->expired_tcp, 2);
    ASSERT_EQ_U64(c->expired_idle + c->expired_active + c->expired_early + c->flushed, 0);
    flowtable_free(ft);
}

/* Linger 0: the flow goes out as soon as the FIN is counted; the client's last ACK then
 * starts a flow of its own (what a router's NetFlow does). */
static void test_tcp_fin_linger_zero_exports_at_once(void)
{
    struct record_sink rs = {.n = 0};
    struct flow_sink s = record_sink_of(&rs);
    struct flowtable *ft = flowtable_new(16, 15000, 60000);
    flowtable_set_fin_linger(ft, 0);
    tcp_session(ft, &s);
    ASSERT_EQ_U64(rs.n, 2);
    ASSERT_TRUE(flow_is(&rs.flows[0], "10.0.0.1", 40000, "198.51.100.7", 443));
    ASSERT_EQ_U64(rs.flows[0].packets, 6);
    ASSERT_EQ_U64(rs.flows[0].bytes, 1320);
    ASSERT_EQ_U64(rs.flows[0].end_ms, T0 + 100);
    ASSERT_TRUE(flow_is(&rs.flows[1], "198.51.100.7", 443, "10.0.0.1", 40000));
    ASSERT_EQ_U64(rs.flows[1].bytes, 3068);
    ASSERT_EQ_U64(flowtable_count(ft), 1);
    flowtable_flush_all(ft, &s);
    ASSERT_EQ_U64(rs.n, 3);
    ASSERT_EQ_U64(rs.flows[2].packets, 1);
    ASSERT_EQ_U64(rs.flows[2].bytes, 52);
    ASSERT_EQ_U64(rs.flows[2].start_ms, T0 + 140);
    ASSERT_EQ_U64(flowtable_counters(ft)->expired_tcp, 2);
    ASSERT_EQ_U64(flowtable_counters(ft)->flushed, 1);
    flowtable_free(ft);
}

/* An RST ends the flow like a FIN; a SYN reusing the tuple of a closing flow starts a new
 * one at once instead of joining the old connection's flow. */
static void test_rst_and_reused_tuple(void)
{
    struct record_sink rs = {.n = 0};
    struct flow_sink s = record_sink_of(&rs);
    struct flowtable *ft = flowtable_new(16, 15000, 60000);
    add(ft, pkt("10.0.0.1", "192.0.2.1", 5000, 80, 6, 60, SYN), T0, &s);
    add(ft, pkt("10.0.0.1", "192.0.2.1", 5000, 80, 6, 40, RST), T0 + 10, &s);
    add(ft, pkt("10.0.0.1", "192.0.2.1", 5000, 80, 6, 60, SYN), T0 + 500, &s);
    ASSERT_EQ_U64(rs.n, 1);
    ASSERT_EQ_U64(rs.flows[0].packets, 2);
    ASSERT_EQ_U64(rs.flows[0].bytes, 100);
    ASSERT_EQ_U64(rs.flows[0].tcp_flags, SYN | RST);
    ASSERT_EQ_U64(flowtable_counters(ft)->expired_tcp, 1);
    flowtable_flush_all(ft, &s);
    ASSERT_EQ_U64(rs.n, 2);
    ASSERT_EQ_U64(rs.flows[1].packets, 1);
    ASSERT_EQ_U64(rs.flows[1].start_ms, T0 + 500);
    flowtable_free(ft);
}

/* Idle timeout at exactly 15 s after the last packet: not at 14.999 s, at 15.000 s. */
static void test_idle_expiry_at_exactly_15s(void)
{
    struct record_sink rs = {.n = 0};
    struct flow_sink s = record_sink_of(&rs);
    struct flowtable *ft = flowtable_new(16, FLOWTABLE_IDLE_MS_DEFAULT, 60000);
    add(ft, pkt("10.0.0.2", "192.0.2.53", 33000, 53, 17, 71, 0), T0, &s);
    add(ft, pkt("10.0.0.2", "192.0.2.53", 33000, 53, 17, 75, 0), T0 + 3000, &s);
    flowtable_expire(ft, T0 + 3000 + 14999, &s);
    ASSERT_EQ_U64(rs.n, 0);
    flowtable_expire(ft, T0 + 3000 + 15000, &s);
    ASSERT_EQ_U64(rs.n, 1);
    ASSERT_EQ_U64(rs.flows[0].packets, 2);
    ASSERT_EQ_U64(rs.flows[0].bytes, 146);
    ASSERT_EQ_U64(rs.flows[0].start_ms, T0);
    ASSERT_EQ_U64(rs.flows[0].end_ms, T0 + 3000);
    ASSERT_EQ_U64(rs.flows[0].tcp_flags, 0);
    ASSERT_EQ_U64(flowtable_counters(ft)->expired_idle, 1);
    ASSERT_EQ_U64(flowtable_count(ft), 0);

    /* Without an expire call in between, a packet exactly 15 s after the last one starts
     * a new flow, and the old one goes out as idle. */
    add(ft, pkt("10.0.0.2", "192.0.2.53", 33000, 53, 17, 80, 0), T0 + 100000, &s);
    add(ft, pkt("10.0.0.2", "192.0.2.53", 33000, 53, 17, 90, 0), T0 + 114999, &s);
    ASSERT_EQ_U64(rs.n, 1);
    add(ft, pkt("10.0.0.2", "192.0.2.53", 33000, 53, 17, 99, 0), T0 + 129999, &s);
    ASSERT_EQ_U64(rs.n, 2);
    ASSERT_EQ_U64(rs.flows[1].packets, 2);
    ASSERT_EQ_U64(rs.flows[1].bytes, 170);
    ASSERT_EQ_U64(flowtable_counters(ft)->expired_idle, 2);
    flowtable_flush_all(ft, &s);
    ASSERT_EQ_U64(rs.flows[2].bytes, 99);
    flowtable_free(ft);
}

/* A packet every 5 s for 130 s (27 packets of 1000 bytes), expire called at every packet
 * time: the active timeout cuts the flow at 60 s and 120 s after it began. */
static void test_active_timeout_splits_long_flow(void)
{
    struct record_sink rs = {.n = 0};
    struct flow_sink s = record_sink_of(&rs);
    struct flowtable *ft = flowtable_new(16, 15000, FLOWTABLE_ACTIVE_MS_DEFAULT);
    for (uint64_t t = 0; t <= 130000; t += 5000) {
        flowtable_expire(ft, T0 + t, &s);
        add(ft, pkt("fd00::1", "2001:db8::1", 6000, 6001, 17, 1000, 0), T0 + t, &s);
    }
    flowtable_flush_all(ft, &s);
    ASSERT_EQ_U64(rs.n, 3);
    ASSERT_EQ_U64(rs.flows[0].start_ms, T0);
    ASSERT_EQ_U64(rs.flows[0].end_ms, T0 + 55000);
    ASSERT_EQ_U64(rs.flows[0].packets, 12);
    ASSERT_EQ_U64(rs.flows[0].bytes, 12000);
    ASSERT_EQ_U64(rs.flows[1].start_ms, T0 + 60000);
    ASSERT_EQ_U64(rs.flows[1].end_ms, T0 + 115000);
    ASSERT_EQ_U64(rs.flows[1].packets, 12);
    ASSERT_EQ_U64(rs.flows[2].start_ms, T0 + 120000);
    ASSERT_EQ_U64(rs.flows[2].end_ms, T0 + 130000);
    ASSERT_EQ_U64(rs.flows[2].packets, 3);
    ASSERT_EQ_U64(rs.flows[0].bytes + rs.flows[1].bytes + rs.flows[2].bytes, 27000);
    const struct flowtable_counters *c = flowtable_counters(ft);
    ASSERT_EQ_U64(c->expired_active, 2);
    ASSERT_EQ_U64(c->flushed, 1);
    ASSERT_EQ_U64(c->expired_idle, 0);

    /* The same with no expire calls: the packet at 60 s itself ends the first flow. */
    struct record_sink rs2 = {.n = 0};
    struct flow_sink s2 = record_sink_of(&rs2);
    for (uint64_t t = 0; t <= 60000; t += 5000)
        add(ft, pkt("fd00::1", "2001:db8::1", 6000, 6001, 17, 1000, 0), T0 + 200000 + t, &s2);
    ASSERT_EQ_U64(rs2.n, 1);
    ASSERT_EQ_U64(rs2.flows[0].packets, 12);
    ASSERT_EQ_U64(rs2.flows[0].end_ms, T0 + 255000);
    ASSERT_EQ_U64(flowtable_count(ft), 1);
    flowtable_free(ft);
}

/* max_flows 3: a fourth flow takes the slot of the least recently seen one, which is not
 * the first created once that has seen a newer packet. */
static void test_cap_expires_least_recently_seen_first(void)
{
    struct record_sink rs = {.n = 0};
    struct flow_sink s = record_sink_of(&rs);
    struct flowtable *ft = flowtable_new(3, 15000, 60000);
    add(ft, pkt("10.0.0.1", "192.0.2.1", 1, 1, 17, 100, 0), T0 + 1, &s); /* A */
    add(ft, pkt("10.0.0.1", "192.0.2.2", 1, 1, 17, 200, 0), T0 + 2, &s); /* B */
    add(ft, pkt("10.0.0.1", "192.0.2.3", 1, 1, 17, 300, 0), T0 + 3, &s); /* C */
    add(ft, pkt("10.0.0.1", "192.0.2.1", 1, 1, 17, 101, 0), T0 + 4, &s); /* A again */
    ASSERT_EQ_U64(rs.n, 0);
    add(ft, pkt("10.0.0.1", "192.0.2.4", 1, 1, 17, 400, 0), T0 + 5, &s); /* D: B goes */
    ASSERT_EQ_U64(rs.n, 1);
    ASSERT_TRUE(flow_is(&rs.flows[0], "10.0.0.1", 1, "192.0.2.2", 1));
    ASSERT_EQ_U64(rs.flows[0].bytes, 200);
    add(ft, pkt("10.0.0.1", "192.0.2.5", 1, 1, 17, 500, 0), T0 + 6, &s); /* E: C goes */
    ASSERT_EQ_U64(rs.n, 2);
    ASSERT_TRUE(flow_is(&rs.flows[1], "10.0.0.1", 1, "192.0.2.3", 1));
    ASSERT_EQ_U64(flowtable_count(ft), 3);
    ASSERT_EQ_U64(flowtable_counters(ft)->expired_early, 2);
    flowtable_flush_all(ft, &s); /* A, D, E: least recently seen first */
    ASSERT_EQ_U64(rs.n, 5);
    ASSERT_TRUE(flow_is(&rs.flows[2], "10.0.0.1", 1, "192.0.2.1", 1));
    ASSERT_EQ_U64(rs.flows[2].bytes, 201);
    ASSERT_EQ_U64(rs.flows[2].packets, 2);
    ASSERT_TRUE(flow_is(&rs.flows[3], "10.0.0.1", 1, "192.0.2.4", 1));
    ASSERT_TRUE(flow_is(&rs.flows[4], "10.0.0.1", 1, "192.0.2.5", 1));
    ASSERT_EQ_U64(flowtable_counters(ft)->flows_exported, 5);

    /* The oldest flow was due anyway: it is counted as idle, not early. */
    add(ft, pkt("10.0.0.1", "192.0.2.6", 1, 1, 17, 1, 0), T0 + 100, &s);
    add(ft, pkt("10.0.0.1", "192.0.2.7", 1, 1, 17, 1, 0), T0 + 200, &s);
    add(ft, pkt("10.0.0.1", "192.0.2.8", 1, 1, 17, 1, 0), T0 + 300, &s);
    add(ft, pkt("10.0.0.1", "192.0.2.9", 1, 1, 17, 1, 0), T0 + 15100, &s);
    ASSERT_EQ_U64(flowtable_counters(ft)->expired_idle, 1);
    ASSERT_EQ_U64(flowtable_counters(ft)->expired_early, 2);
    flowtable_free(ft);
}

/* The same 5-tuple on VLANs 0, 10 and 20 is three flows. */
static void test_vlan_separates_flows(void)
{
    struct record_sink rs = {.n = 0};
    struct flow_sink s = record_sink_of(&rs);
    struct flowtable *ft = flowtable_new(16, 15000, 60000);
    static const uint16_t vlans[] = {0, 10, 20, 10, 0, 10};
    static const uint32_t lens[] = {100, 110, 120, 130, 140, 150};
    for (size_t i = 0; i < 6; i++) {
        struct pkt_info p = pkt("10.9.0.1", "203.0.113.9", 7000, 443, 17, lens[i], 0);
        p.vlan = vlans[i];
        flowtable_add(ft, &p, T0 + i, &s);
    }
    ASSERT_EQ_U64(flowtable_count(ft), 3);
    flowtable_flush_all(ft, &s); /* least recently seen first: VLAN 20, 0, 10 */
    ASSERT_EQ_U64(rs.n, 3);
    ASSERT_EQ_U64(rs.flows[0].bytes, 120);
    ASSERT_EQ_U64(rs.flows[0].packets, 1);
    ASSERT_EQ_U64(rs.flows[1].bytes, 100 + 140);
    ASSERT_EQ_U64(rs.flows[1].packets, 2);
    ASSERT_EQ_U64(rs.flows[2].bytes, 110 + 130 + 150);
    ASSERT_EQ_U64(rs.flows[2].packets, 3);
    flowtable_free(ft);
}

/* Every field of an emitted record, with the MACs of the first packet and a set exporter. */
static void test_record_fields(void)
{
    struct record_sink rs = {.n = 0};
    struct flow_sink s = record_sink_of(&rs);
    struct flowtable *ft = flowtable_new(4, 15000, 60000);
    struct ip_addr me = ip("192.0.2.250");
    flowtable_set_exporter(ft, &me);
    static const uint8_t a[6] = {0x02, 0, 0, 0, 0, 0x0a}, b[6] = {0x02, 0, 0, 0, 0, 0x0b};
    struct pkt_info p = pkt("fd00:1::5", "2001:db8:5::e", 0, 128 << 8, 58, 104, 0);
    flowtable_add(ft, &p, T0, &s); /* no MAC on the first packet (raw IP) */
    memcpy(p.src_mac, a, 6);
    memcpy(p.dst_mac, b, 6);
    p.has_mac = true;
    flowtable_add(ft, &p, T0 + 1000, &s);
    p.src_mac[5] = 0xff; /* later MACs do not replace the first */
    flowtable_add(ft, &p, T0 + 2000, &s);
    struct pkt_info arp = {.is_ip = false};
    flowtable_add(ft, &arp, T0 + 2500, &s);
    flowtable_flush_all(ft, &s);
    ASSERT_EQ_U64(rs.n, 1);
    const struct flow *f = &rs.flows[0];
    ASSERT_TRUE(addr_eq(&f->exporter, &me));
    ASSERT_EQ_U64(f->domain, 0);
    ASSERT_EQ_U64(f->sampling, 1);
    ASSERT_TRUE(!f->sampled_no_rate);
    ASSERT_TRUE(flow_is(f, "fd00:1::5", 0, "2001:db8:5::e", 128 << 8));
    ASSERT_EQ_U64(f->protocol, 58);
    ASSERT_EQ_U64(f->bytes, 312);
    ASSERT_EQ_U64(f->packets, 3);
    ASSERT_EQ_U64(f->start_ms, T0);
    ASSERT_EQ_U64(f->end_ms, T0 + 2000);
    ASSERT_EQ_U64(f->in_if, 0);
    ASSERT_EQ_U64(f->out_if, 0);
    ASSERT_TRUE(f->has_mac);
    ASSERT_MEMEQ(f->src_mac, a, 6);
    ASSERT_MEMEQ(f->dst_mac, b, 6);
    ASSERT_EQ_U64(flowtable_counters(ft)->non_ip, 1);
    ASSERT_EQ_U64(flowtable_counters(ft)->packets, 3);
    flowtable_free(ft);

    /* The default exporter is ::. */
    ft = flowtable_new(4, 15000, 60000);
    add(ft, pkt("10.0.0.1", "10.0.0.2", 1, 2, 17, 28, 0), T0, &s);
    flowtable_flush_all(ft, &s);
    struct ip_addr any = ip("::");
    ASSERT_TRUE(addr_eq(&rs.flows[1].exporter, &any));
    ASSERT_TRUE(!rs.flows[1].has_mac);
    flowtable_free(ft);
}

/* A sink that sums what it receives per source port (each key below has its own). */
struct sum_sink {
    uint64_t bytes[256], packets[256], flows;
};

static void sum_emit(void *ctx, const struct flow *f)
{
    struct sum_sink *ss = ctx;
    ss->bytes[f->src_port & 255] += f->bytes;
    ss->packets[f->src_port & 255] += f->packets;
    ss->flows++;
}

/* 20000 packets, 1 ms apart, into a table of 64 with short timeouts: first over 200 keys
 * (the table stays full and gives up flows early), then over 20 (the others go idle, the
 * rest hit the active timeout). The index fills, wraps and shifts entries back on every
 * removal. Nothing may be lost or double counted: per key, what comes out went in. */
static void test_churn_keeps_every_byte(void)
{
    struct sum_sink ss;
    memset(&ss, 0, sizeof ss);
    struct flow_sink s = {sum_emit, &ss};
    uint64_t want_bytes[256] = {0}, want_packets[256] = {0};
    struct flowtable *ft = flowtable_new(64, 400, 1000);
    uint32_t x = 12345;
    for (uint64_t i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        uint16_t key = (uint16_t)((x >> 16) % (i < 10000 ? 200 : 20));
        uint32_t len = 20 + (x >> 8) % 1480;
        struct pkt_info p = pkt("10.0.0.1", "192.0.2.1", key, 9, 17, len, 0);
        p.src.b[13] = (uint8_t)(key * 7); /* spread keys over addresses too */
        flowtable_add(ft, &p, T0 + i, &s);
        want_bytes[key] += len;
        want_packets[key]++;
        if (i % 7 == 0)
            flowtable_expire(ft, T0 + i, &s);
        ASSERT_TRUE(flowtable_count(ft) <= 64);
    }
    flowtable_flush_all(ft, &s);
    ASSERT_EQ_U64(flowtable_count(ft), 0);
    for (size_t k = 0; k < 256; k++) {
        ASSERT_EQ_U64(ss.bytes[k], want_bytes[k]);
        ASSERT_EQ_U64(ss.packets[k], want_packets[k]);
    }
    const struct flowtable_counters *c = flowtable_counters(ft);
    ASSERT_EQ_U64(c->packets, 20000);
    ASSERT_EQ_U64(c->flows_exported, ss.flows);
    ASSERT_EQ_U64(c->expired_idle + c->expired_active + c->expired_tcp + c->expired_early +
                      c->flushed,
                  c->flows_exported);
    ASSERT_TRUE(c->expired_early > 0);
    ASSERT_TRUE(c->expired_idle > 0);
    ASSERT_TRUE(c->expired_active > 0);
    flowtable_free(ft);
    flowtable_free(NULL);
}

int main(void)
{
    RUN(test_tcp_fin_ends_flow_after_linger);
    RUN(test_tcp_fin_linger_zero_exports_at_once);
    RUN(test_rst_and_reused_tuple);
    RUN(test_idle_expiry_at_exactly_15s);
    RUN(test_active_timeout_splits_long_flow);
    RUN(test_cap_expires_least_recently_seen_first);
    RUN(test_vlan_separates_flows);
    RUN(test_record_fields);
    RUN(test_churn_keeps_every_byte);
    return test_done();
}
