// SPDX-License-Identifier: MIT
// sFlow v5 decoder tests on hand-built datagrams (sflow_version_5.txt §5), each expected
// field written out: sampled Ethernet/VLAN/IPv4 and IPv6 headers, expanded samples, the
// sampled_ipv4/ipv6 records, interface counters, sequence gaps and drops, truncated
// headers, lying sample and record lengths, unknown formats, the source cap.
#include "../../../src/base/err.h"
#include "../../../src/collect/sflow.h"
#include "pktbuf.h"
#include "record_sink.h"
#include "test.h"

#define NOW_MS 1790000000123ULL
#define UPTIME_MS 3600000u
#define AGENT 0xc0000281u /* 192.0.2.129 */

static const uint8_t mac_dst[6] = {0x02, 0, 0, 0, 0, 0x02}, mac_src[6] = {0x02, 0, 0, 0, 0, 0x01};

/* ---- datagram builders -------------------------------------------------------------- */

static void patch32(struct pktbuf *p, size_t at, uint32_t v)
{
    pb_patch16(p, at, (uint16_t)(v >> 16));
    pb_patch16(p, at + 2, (uint16_t)v);
}

/* Datagram header with an IPv4 agent; the sample count is patched by end_datagram(). */
static void header4(struct pktbuf *p, uint32_t sub_agent, uint32_t seq)
{
    p->n = 0;
    pb_u32(p, 5);
    pb_u32(p, 1);
    pb_u32(p, AGENT);
    pb_u32(p, sub_agent);
    pb_u32(p, seq);
    pb_u32(p, UPTIME_MS);
    pb_u32(p, 0);
}

/* Same with the agent 2001:db8::81. */
static void header6(struct pktbuf *p, uint32_t seq)
{
    static const uint8_t agent[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x81};
    p->n = 0;
    pb_u32(p, 5);
    pb_u32(p, 2);
    pb_bytes(p, agent, 16);
    pb_u32(p, 0);
    pb_u32(p, seq);
    pb_u32(p, UPTIME_MS);
    pb_u32(p, 0);
}

/* Sample count: the last word of the header, 4 bytes before the first sample. */
static size_t count_at(const struct pktbuf *p)
{
    uint32_t addr_type = (uint32_t)p->b[7];
    return addr_type == 2 ? 36 : 24;
}

static void bump_count(struct pktbuf *p)
{
    size_t at = count_at(p);
    uint32_t n = (uint32_t)p->b[at] << 24 | (uint32_t)p->b[at + 1] << 16 |
                 (uint32_t)p->b[at + 2] << 8 | p->b[at + 3];
    patch32(p, at, n + 1);
}

/* Starts a sample or a record (data_format, then a length patched by end()). */
static size_t begin(struct pktbuf *p, uint32_t format)
{
    pb_u32(p, format);
    pb_u32(p, 0);
    return p->n;
}

static void end(struct pktbuf *p, size_t start)
{
    patch32(p, start - 4, (uint32_t)(p->n - start));
}

static size_t begin_sample(struct pktbuf *p, uint32_t format)
{
    bump_count(p);
    return begin(p, format);
}

/* flow_sample (compact) fixed fields. */
static void flow_head(struct pktbuf *p, uint32_t seq, uint32_t source_id, uint32_t rate,
                      uint32_t drops, uint32_t in, uint32_t out, uint32_t n_records)
{
    pb_u32(p, seq);
    pb_u32(p, source_id);
    pb_u32(p, rate);
    pb_u32(p, seq * rate); /* sample_pool */
    pb_u32(p, drops);
    pb_u32(p, in);
    pb_u32(p, out);
    pb_u32(p, n_records);
}

/* sampled_header record around `n` header bytes, padded to 4. */
static void header_rec(struct pktbuf *p, uint32_t proto, uint32_t frame_len, uint32_t stripped,
                       const uint8_t *h, size_t n)
{
    size_t r = begin(p, 1);
    pb_u32(p, proto);
    pb_u32(p, frame_len);
    pb_u32(p, stripped);
    pb_u32(p, (uint32_t)n);
    pb_bytes(p, h, n);
    while (p->n % 4)
        pb_u8(p, 0);
    end(p, r);
}

static void switch_rec(struct pktbuf *p, uint32_t src_vlan, uint32_t dst_vlan)
{
    size_t r = begin(p, 1001);
    pb_u32(p, src_vlan);
    pb_u32(p, 0);
    pb_u32(p, dst_vlan);
    pb_u32(p, 0);
    end(p, r);
}

/* ---- sampled frames ----------------------------------------------------------------- */

/* Ethernet, 802.1Q VLAN 20, IPv4 10.1.0.5:51000 -> 198.51.100.7:443 TCP ACK|PSH, total
 * length `ip_len`; only the first `cap` bytes are kept. */
static size_t frame_vlan_ipv4_tcp(uint8_t *out, uint16_t ip_len, size_t cap)
{
    struct pktbuf *f = &(struct pktbuf){.n = 0};
    pb_bytes(f, mac_dst, 6);
    pb_bytes(f, mac_src, 6);
    pb_u16(f, 0x8100);
    pb_u16(f, 20);
    pb_u16(f, 0x0800);
    pb_u32(f, 0x45000000 | ip_len);
    pb_u32(f, 0x00004000);
    pb_u32(f, 0x40060000);
    pb_u32(f, 0x0a010005);
    pb_u32(f, 0xc6336407);
    pb_u16(f, 51000);
    pb_u16(f, 443);
    pb_u32(f, 1);
    pb_u32(f, 2);
    pb_u16(f, 0x5018);
    pb_u16(f, 1000);
    pb_u32(f, 0);
    while (f->n < cap)
        pb_u8(f, 0xee); /* payload */
    size_t n = f->n < cap ? f->n : cap;
    memcpy(out, f->b, n);
    return n;
}

/* Raw IPv6 fd00:1::8:40000 -> 2001:db8::53:53 UDP behind a hop-by-hop header, payload
 * length 100. */
static size_t frame_ipv6_hbh_udp(uint8_t *out)
{
    static const uint8_t src[16] = {0xfd, 0, 0, 1, [15] = 8};
    static const uint8_t dst[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0, [15] = 0x53};
    struct pktbuf *f = &(struct pktbuf){.n = 0};
    pb_u32(f, 0x60000000);
    pb_u16(f, 100);
    pb_u8(f, 0); /* hop-by-hop */
    pb_u8(f, 64);
    pb_bytes(f, src, 16);
    pb_bytes(f, dst, 16);
    pb_u8(f, 17);
    pb_u8(f, 0);
    pb_u32(f, 0x01040000); /* PadN */
    pb_u16(f, 0);
    pb_u16(f, 40000);
    pb_u16(f, 53);
    pb_u16(f, 92);
    pb_u16(f, 0);
    memcpy(out, f->b, f->n);
    return f->n;
}

/* ---- fixture ------------------------------------------------------------------------ */

struct counter_sink {
    struct sflow_if_counters c[8];
    size_t n;
};

static void counter_emit(void *ctx, const struct sflow_if_counters *c)
{
    struct counter_sink *cs = ctx;
    if (cs->n < 8)
        cs->c[cs->n] = *c;
    cs->n++;
}

static struct counter_sink csink;
static const struct sflow_counter_sink counters = {counter_emit, &csink};

static int feed(struct decoder_fixture *fx, const struct pktbuf *p)
{
    return sflow_decode(&fx->st, &fx->exporter, p->b, p->n, NOW_MS, &fx->sink, &counters);
}

static struct source *src(struct decoder_fixture *fx, uint32_t domain)
{
    struct ip_addr agent = addr_from_v4(AGENT);
    return source_get(&fx->st, &agent, SFLOW_SOURCE_VERSION, domain);
}

/* One compact flow sample from source 0:3 with a 128-byte sampled header of the VLAN TCP
 * frame, 1400 bytes of IP. */
static void tcp_sample(struct pktbuf *p, uint32_t seq, uint32_t drops)
{
    uint8_t h[256];
    size_t n = frame_vlan_ipv4_tcp(h, 1400, 128);
    size_t s = begin_sample(p, 1);
    flow_head(p, seq, 3, 512, drops, 3, 7, 2);
    header_rec(p, 1, 1400 + 18 + 4, 4, h, n);
    switch_rec(p, 20, 20);
    end(p, s);
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_ethernet_vlan_ipv4_tcp(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header4(&p, 0, 1);
    tcp_sample(&p, 100, 0);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.n, 1);
    const struct flow *f = &fx.rs.flows[0];
    ASSERT_TRUE(addr_eq(&f->exporter, &fx.exporter));
    ASSERT_EQ_U64(f->domain, 3);
    ASSERT_EQ_U64(f->sampling, 512);
    ASSERT_TRUE(!f->sampled_no_rate);
    ASSERT_EQ_U64(f->start_ms, NOW_MS);
    ASSERT_EQ_U64(f->end_ms, NOW_MS);
    struct ip_addr want_src = addr_from_v4(0x0a010005), want_dst = addr_from_v4(0xc6336407);
    ASSERT_TRUE(addr_eq(&f->src, &want_src));
    ASSERT_TRUE(addr_eq(&f->dst, &want_dst));
    ASSERT_EQ_U64(f->src_port, 51000);
    ASSERT_EQ_U64(f->dst_port, 443);
    ASSERT_EQ_U64(f->protocol, 6);
    ASSERT_EQ_U64(f->tcp_flags, 0x18);
    ASSERT_EQ_U64(f->bytes, 1400); /* from the IP header, not the 128 bytes captured */
    ASSERT_EQ_U64(f->packets, 1);  /* the classifier multiplies by the rate */
    ASSERT_EQ_U64(f->in_if, 3);
    ASSERT_EQ_U64(f->out_if, 7);
    ASSERT_TRUE(f->has_mac);
    ASSERT_MEMEQ(f->src_mac, mac_src, 6);
    ASSERT_MEMEQ(f->dst_mac, mac_dst, 6);
    struct source *s = src(&fx, 3);
    ASSERT_EQ_U64(s->c.packets, 1);
    ASSERT_EQ_U64(s->c.records, 1);
    ASSERT_EQ_U64(s->c.flow_bytes, 1400 * 512); /* the packet's IP length times the rate */
    ASSERT_EQ_U64(s->c.seq_lost, 0);
    ASSERT_EQ_U64(fx.st.n, 1);
    source_table_deinit(&fx.st);
}

static void test_ipv6_udp_extension_header(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "2001:db8::1");
    struct pktbuf p;
    header6(&p, 1);
    uint8_t h[128];
    size_t n = frame_ipv6_hbh_udp(h);
    size_t s = begin_sample(&p, 1);
    /* source 0:9, rate 1000; input 9, output "multiple interfaces" (format 2): unknown */
    flow_head(&p, 7, 9, 1000, 0, 9, 2u << 30 | 3, 1);
    header_rec(&p, 12, 140, 0, h, n);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    const struct flow *f = &fx.rs.flows[0];
    struct ip_addr want_src, want_dst, agent;
    addr_parse("fd00:1::8", &want_src);
    addr_parse("2001:db8::53", &want_dst);
    addr_parse("2001:db8::81", &agent);
    ASSERT_TRUE(addr_eq(&f->src, &want_src));
    ASSERT_TRUE(addr_eq(&f->dst, &want_dst));
    ASSERT_EQ_U64(f->protocol, 17);
    ASSERT_EQ_U64(f->src_port, 40000);
    ASSERT_EQ_U64(f->dst_port, 53);
    ASSERT_EQ_U64(f->bytes, 140);
    ASSERT_EQ_U64(f->sampling, 1000);
    ASSERT_EQ_U64(f->in_if, 9);
    ASSERT_EQ_U64(f->out_if, 0);
    ASSERT_TRUE(!f->has_mac);
    ASSERT_EQ_U64(f->domain, 9);
    /* the source is the agent of the header, not the datagram's sender */
    ASSERT_EQ_U64(source_get(&fx.st, &agent, SFLOW_SOURCE_VERSION, 9)->c.records, 1);
    ASSERT_EQ_U64(fx.st.n, 1);
    source_table_deinit(&fx.st);
}

/* An expanded flow sample (format 3) whose interface index needs 32 bits, carrying a
 * sampled_ipv4 record instead of a header, and one with sampled_ipv6 + sampled_ethernet. */
static void test_expanded_flow_sample(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header4(&p, 0, 2);
    size_t s = begin_sample(&p, 3);
    pb_u32(&p, 41);         /* sequence */
    pb_u32(&p, 0);          /* source type: ifIndex */
    pb_u32(&p, 0x1a000005); /* source index */
    pb_u32(&p, 2048);       /* rate */
    pb_u32(&p, 41 * 2048);  /* pool */
    pb_u32(&p, 0);          /* drops */
    pb_u32(&p, 0);          /* input: format 0, ifIndex 0x1a000005 */
    pb_u32(&p, 0x1a000005);
    pb_u32(&p, 0); /* output: format 0, 0x3fffffff = the device itself */
    pb_u32(&p, 0x3fffffff);
    pb_u32(&p, 1);
    size_t r = begin(&p, 3); /* sampled_ipv4 */
    pb_u32(&p, 576);         /* length */
    pb_u32(&p, 17);          /* protocol */
    pb_u32(&p, 0x0a000063);  /* 10.0.0.99 */
    pb_u32(&p, 0x08080808);  /* 8.8.8.8 */
    pb_u32(&p, 33333);
    pb_u32(&p, 53);
    pb_u32(&p, 0);
    pb_u32(&p, 0); /* tos */
    end(&p, r);
    end(&p, s);

    s = begin_sample(&p, 3);
    pb_u32(&p, 42);
    pb_u32(&p, 0);
    pb_u32(&p, 0x1a000005);
    pb_u32(&p, 2048);
    pb_u32(&p, 42 * 2048);
    pb_u32(&p, 0);
    pb_u32(&p, 0);
    pb_u32(&p, 0x1a000005);
    pb_u32(&p, 0);
    pb_u32(&p, 12);
    pb_u32(&p, 2);
    r = begin(&p, 2); /* sampled_ethernet: length, src, dst (6 bytes + 2 of padding), type */
    pb_u32(&p, 1518);
    pb_bytes(&p, mac_src, 6);
    pb_u16(&p, 0);
    pb_bytes(&p, mac_dst, 6);
    pb_u16(&p, 0);
    pb_u32(&p, 0x86dd);
    end(&p, r);
    r = begin(&p, 4); /* sampled_ipv6 */
    static const uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    static const uint8_t b[16] = {0xfd, 0, 0, 1, [15] = 2};
    pb_u32(&p, 1500);
    pb_u32(&p, 6);
    pb_bytes(&p, a, 16);
    pb_bytes(&p, b, 16);
    pb_u32(&p, 443);
    pb_u32(&p, 50123);
    pb_u32(&p, 0x10);
    pb_u32(&p, 0); /* priority */
    end(&p, r);
    end(&p, s);

    ASSERT_EQ_INT(feed(&fx, &p), 2);
    const struct flow *f = &fx.rs.flows[0];
    struct ip_addr want_src = addr_from_v4(0x0a000063), want_dst = addr_from_v4(0x08080808);
    ASSERT_TRUE(addr_eq(&f->src, &want_src));
    ASSERT_TRUE(addr_eq(&f->dst, &want_dst));
    ASSERT_EQ_U64(f->protocol, 17);
    ASSERT_EQ_U64(f->src_port, 33333);
    ASSERT_EQ_U64(f->dst_port, 53);
    ASSERT_EQ_U64(f->bytes, 576);
    ASSERT_EQ_U64(f->packets, 1);
    ASSERT_EQ_U64(f->sampling, 2048);
    ASSERT_EQ_U64(f->in_if, 0x1a000005);
    ASSERT_EQ_U64(f->out_if, 0);
    ASSERT_EQ_U64(f->domain, 0x1a000005);
    ASSERT_TRUE(!f->has_mac);

    f = &fx.rs.flows[1];
    struct ip_addr want6_src = addr_from_v6(a), want6_dst = addr_from_v6(b);
    ASSERT_TRUE(addr_eq(&f->src, &want6_src));
    ASSERT_TRUE(addr_eq(&f->dst, &want6_dst));
    ASSERT_EQ_U64(f->protocol, 6);
    ASSERT_EQ_U64(f->src_port, 443);
    ASSERT_EQ_U64(f->dst_port, 50123);
    ASSERT_EQ_U64(f->tcp_flags, 0x10);
    ASSERT_EQ_U64(f->bytes, 1500);
    ASSERT_EQ_U64(f->out_if, 12);
    ASSERT_TRUE(f->has_mac);
    ASSERT_MEMEQ(f->src_mac, mac_src, 6);
    ASSERT_MEMEQ(f->dst_mac, mac_dst, 6);
    struct source *src_ = src(&fx, 0x1a000005);
    ASSERT_EQ_U64(src_->c.records, 2);
    ASSERT_EQ_U64(src_->c.packets, 1); /* two samples, one datagram */
    source_table_deinit(&fx.st);
}

/* if_counters: every field a different value, so a field read from the wrong place shows. */
static void if_counters_rec(struct pktbuf *p, uint32_t if_index)
{
    size_t r = begin(p, 1);
    pb_u32(p, if_index);
    pb_u32(p, 6);                 /* ethernetCsmacd */
    pb_u64(p, 10000000000ULL);    /* 10 Gbit/s */
    pb_u32(p, 1);                 /* full-duplex */
    pb_u32(p, 3);                 /* admin and oper up */
    pb_u64(p, 0x123456789abULL);  /* in octets */
    pb_u32(p, 1001);              /* in unicast */
    pb_u32(p, 1002);              /* in multicast */
    pb_u32(p, 1003);              /* in broadcast */
    pb_u32(p, 1004);              /* in discards */
    pb_u32(p, 1005);              /* in errors */
    pb_u32(p, 1006);              /* in unknown protos */
    pb_u64(p, 0xfedcba987654ULL); /* out octets */
    pb_u32(p, 2001);
    pb_u32(p, 2002);
    pb_u32(p, 2003);
    pb_u32(p, 2004);
    pb_u32(p, 2005);
    pb_u32(p, 2);
    end(p, r);
}

static void test_counter_samples(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    csink.n = 0;
    struct pktbuf p;
    header4(&p, 0, 3);
    size_t s = begin_sample(&p, 2); /* compact counters_sample, source 0:5 */
    pb_u32(&p, 17);
    pb_u32(&p, 5);
    pb_u32(&p, 2);
    size_t r = begin(&p, 2); /* ethernet_counters: skipped by its length */
    for (int i = 0; i < 13; i++)
        pb_u32(&p, 0xdead);
    end(&p, r);
    if_counters_rec(&p, 5);
    end(&p, s);
    s = begin_sample(&p, 4); /* expanded, source 0:0x1a000001 */
    pb_u32(&p, 18);
    pb_u32(&p, 0);
    pb_u32(&p, 0x1a000001);
    pb_u32(&p, 1);
    if_counters_rec(&p, 0x1a000001);
    end(&p, s);
    s = begin_sample(&p, 2); /* compact, source 1:100 (a VLAN) */
    pb_u32(&p, 20);
    pb_u32(&p, 1u << 24 | 100);
    pb_u32(&p, 1);
    if_counters_rec(&p, 100);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(fx.rs.n, 0);
    ASSERT_EQ_U64(csink.n, 3);
    const struct sflow_if_counters *c = &csink.c[0];
    struct ip_addr agent = addr_from_v4(AGENT);
    ASSERT_TRUE(addr_eq(&c->exporter, &fx.exporter));
    ASSERT_TRUE(addr_eq(&c->agent, &agent));
    ASSERT_EQ_U64(c->sub_agent_id, 0);
    ASSERT_EQ_U64(c->source_type, 0);
    ASSERT_EQ_U64(c->source_index, 5);
    ASSERT_EQ_U64(c->time_ms, NOW_MS);
    ASSERT_EQ_U64(c->uptime_ms, UPTIME_MS);
    ASSERT_EQ_U64(c->if_index, 5);
    ASSERT_EQ_U64(c->if_type, 6);
    ASSERT_EQ_U64(c->speed_bps, 10000000000ULL);
    ASSERT_EQ_U64(c->direction, 1);
    ASSERT_EQ_U64(c->status, 3);
    ASSERT_EQ_U64(c->in_octets, 0x123456789abULL);
    ASSERT_EQ_U64(c->in_ucast_pkts, 1001);
    ASSERT_EQ_U64(c->in_mcast_pkts, 1002);
    ASSERT_EQ_U64(c->in_bcast_pkts, 1003);
    ASSERT_EQ_U64(c->in_discards, 1004);
    ASSERT_EQ_U64(c->in_errors, 1005);
    ASSERT_EQ_U64(c->in_unknown, 1006);
    ASSERT_EQ_U64(c->out_octets, 0xfedcba987654ULL);
    ASSERT_EQ_U64(c->out_ucast_pkts, 2001);
    ASSERT_EQ_U64(c->out_mcast_pkts, 2002);
    ASSERT_EQ_U64(c->out_bcast_pkts, 2003);
    ASSERT_EQ_U64(c->out_discards, 2004);
    ASSERT_EQ_U64(c->out_errors, 2005);
    ASSERT_EQ_U64(c->promiscuous, 2);
    ASSERT_EQ_U64(csink.c[1].source_index, 0x1a000001);
    ASSERT_EQ_U64(csink.c[1].if_index, 0x1a000001);
    ASSERT_EQ_U64(csink.c[2].source_type, 1);
    ASSERT_EQ_U64(csink.c[2].source_index, 100);
    ASSERT_EQ_U64(fx.st.n, 0); /* counters create no source */

    /* Without a counter sink the samples are read and nothing is emitted. */
    csink.n = 0;
    ASSERT_EQ_INT(sflow_decode(&fx.st, &fx.exporter, p.b, p.n, NOW_MS, &fx.sink, NULL), 0);
    ASSERT_EQ_U64(csink.n, 0);

    /* An if_counters record shorter than its 88 bytes is counted on its source. */
    header4(&p, 0, 4);
    s = begin_sample(&p, 2);
    pb_u32(&p, 19);
    pb_u32(&p, 5);
    pb_u32(&p, 1);
    r = begin(&p, 1);
    for (int i = 0; i < 21; i++)
        pb_u32(&p, 1);
    end(&p, r);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(csink.n, 0);
    ASSERT_EQ_U64(src(&fx, 5)->c.drop_rec_malformed, 1);
    source_table_deinit(&fx.st);
}

static void test_sequence_gap_and_drops(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header4(&p, 0, 1);
    tcp_sample(&p, 10, 7);
    tcp_sample(&p, 11, 7);
    ASSERT_EQ_INT(feed(&fx, &p), 2);
    header4(&p, 0, 2);
    tcp_sample(&p, 15, 9); /* 12..14 missing; the agent dropped 2 more */
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    struct source *s = src(&fx, 3);
    ASSERT_EQ_U64(s->c.seq_lost, 3 + 2);
    ASSERT_EQ_U64(s->c.seq_reset, 0);
    ASSERT_EQ_U64(s->c.packets, 2);
    ASSERT_EQ_U64(s->c.records, 3);
    /* the agent restarts: the sequence and drops start again */
    header4(&p, 0, 1);
    tcp_sample(&p, 1, 0);
    feed(&fx, &p);
    header4(&p, 0, 2);
    tcp_sample(&p, 2, 1);
    feed(&fx, &p);
    s = src(&fx, 3);
    ASSERT_EQ_U64(s->c.seq_reset, 1);
    ASSERT_EQ_U64(s->c.seq_lost, 3 + 2 + 1);
    source_table_deinit(&fx.st);
}

static void test_truncated_header(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    uint8_t h[256];
    /* Cut inside TCP after the ports: a flow with ports and no flags. */
    header4(&p, 0, 1);
    size_t n = frame_vlan_ipv4_tcp(h, 1000, 18 + 20 + 4);
    size_t s = begin_sample(&p, 1);
    flow_head(&p, 1, 3, 100, 0, 3, 7, 1);
    header_rec(&p, 1, 1000 + 18 + 4, 4, h, n);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].bytes, 1000);
    ASSERT_EQ_U64(fx.rs.flows[0].dst_port, 443);
    ASSERT_EQ_U64(fx.rs.flows[0].tcp_flags, 0);

    /* Cut inside the IPv4 header: nothing to bill, nothing counted as malformed. */
    header4(&p, 0, 2);
    n = frame_vlan_ipv4_tcp(h, 1000, 18 + 10);
    s = begin_sample(&p, 1);
    flow_head(&p, 2, 3, 100, 0, 3, 7, 1);
    header_rec(&p, 1, 1000 + 18 + 4, 4, h, n);
    end(&p, s);
    fx.rs.n = 0;
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx, 3)->c.drop_rec_malformed, 0);

    /* The same with a sampled_ipv4 record: the addresses come from it. */
    header4(&p, 0, 3);
    s = begin_sample(&p, 1);
    flow_head(&p, 3, 3, 100, 0, 3, 7, 2);
    header_rec(&p, 1, 1000 + 18 + 4, 4, h, n);
    size_t r = begin(&p, 3);
    pb_u32(&p, 1000);
    pb_u32(&p, 6);
    pb_u32(&p, 0x0a010005);
    pb_u32(&p, 0xc6336407);
    pb_u32(&p, 51000);
    pb_u32(&p, 443);
    pb_u32(&p, 0x18);
    pb_u32(&p, 0);
    end(&p, r);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].bytes, 1000);
    ASSERT_EQ_U64(fx.rs.flows[0].tcp_flags, 0x18);
    ASSERT_TRUE(fx.rs.flows[0].has_mac); /* the header's Ethernet part was read */

    /* A datagram cut inside its header. */
    header4(&p, 0, 4);
    ASSERT_EQ_INT(sflow_decode(&fx.st, &fx.exporter, p.b, 27, NOW_MS, &fx.sink, NULL),
                  ERR_TRUNCATED);
    ASSERT_EQ_INT(sflow_decode(&fx.st, &fx.exporter, p.b, 3, NOW_MS, &fx.sink, NULL),
                  ERR_TRUNCATED);
    source_table_deinit(&fx.st);
}

/* The IP header cannot give the length (TSO captures carry total length 0): §5 frame_length
 * minus stripped minus the link header. */
static void test_frame_length_fallback(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    uint8_t h[256];
    header4(&p, 0, 1);
    size_t n = frame_vlan_ipv4_tcp(h, 0, 128);
    size_t s = begin_sample(&p, 1);
    flow_head(&p, 1, 3, 1, 0, 3, 7, 1);
    header_rec(&p, 1, 9000 + 18 + 4, 4, h, n);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].bytes, 9000);

    /* Behind PPPoE (8 bytes after Ethernet) the link header is 22 bytes. */
    uint8_t pppoe[128] = {0};
    memcpy(pppoe, mac_dst, 6);
    memcpy(pppoe + 6, mac_src, 6);
    /* EtherType, PPPoE ver/type, code, session, length, PPP IPv4; IPv4 with total length 0 */
    static const uint8_t rest[] = {0x88, 0x64, 0x11, 0x00, 0x00, 0x42, 0x05, 0xc2, 0x00, 0x21,
                                   0x45, 0x00, 0x00, 0x00, 0,    0,    0x40, 0x00, 64,   6,
                                   0,    0,    10,   1,    0,    5,    198,  51,   100,  7};
    memcpy(pppoe + 12, rest, sizeof rest);
    header4(&p, 0, 2);
    s = begin_sample(&p, 1);
    flow_head(&p, 2, 3, 1, 0, 3, 7, 1);
    header_rec(&p, 1, 1480 + 22 + 4, 4, pppoe, 64);
    end(&p, s);
    fx.rs.n = 0;
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].bytes, 1480);

    /* ... and a frame_length too small for the headers is a lie. */
    header4(&p, 0, 3);
    s = begin_sample(&p, 1);
    flow_head(&p, 3, 3, 1, 0, 3, 7, 1);
    header_rec(&p, 1, 30, 4, h, n);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx, 3)->c.drop_rec_malformed, 1);
    source_table_deinit(&fx.st);
}

/* A sample length that runs past the datagram, or that is below the sample's own fixed
 * fields, or a sample count the datagram cannot hold: the whole datagram is dropped, the
 * valid sample before it included. */
static void test_sample_length_lying(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header4(&p, 0, 1);
    tcp_sample(&p, 1, 0);
    size_t good_end = p.n;
    tcp_sample(&p, 2, 0);
    patch32(&p, good_end + 4, (uint32_t)(p.n - good_end - 8 + 4));
    ASSERT_EQ_INT(feed(&fx, &p), ERR_MALFORMED);
    patch32(&p, good_end + 4, 0xfffffff8u);
    ASSERT_EQ_INT(feed(&fx, &p), ERR_MALFORMED);
    patch32(&p, good_end + 4, 28); /* a flow sample needs 32 */
    ASSERT_EQ_INT(feed(&fx, &p), ERR_MALFORMED);
    ASSERT_EQ_U64(fx.rs.n, 0);
    ASSERT_EQ_U64(fx.st.n, 0);

    header4(&p, 0, 2);
    tcp_sample(&p, 3, 0);
    patch32(&p, count_at(&p), 2);
    ASSERT_EQ_INT(feed(&fx, &p), ERR_MALFORMED);
    patch32(&p, count_at(&p), 0xffffffffu);
    ASSERT_EQ_INT(feed(&fx, &p), ERR_MALFORMED);
    ASSERT_EQ_U64(fx.rs.n, 0);
    /* bytes after the last announced sample are ignored */
    patch32(&p, count_at(&p), 0);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    source_table_deinit(&fx.st);
}

/* A record that runs past its sample, or a sampled header longer than its record, drops
 * that sample only, counted on its source. */
static void test_record_length_beyond_sample(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header4(&p, 0, 1);
    size_t s = begin_sample(&p, 1);
    flow_head(&p, 1, 4, 10, 0, 4, 5, 1);
    size_t r = begin(&p, 1001);
    pb_u32(&p, 1);
    pb_u32(&p, 0);
    end(&p, r);
    patch32(&p, r - 4, 1000); /* the record claims 1000 bytes */
    end(&p, s);
    tcp_sample(&p, 1, 0);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].domain, 3);
    ASSERT_EQ_U64(src(&fx, 4)->c.drop_rec_malformed, 1);
    ASSERT_EQ_U64(src(&fx, 4)->c.records, 0);

    /* header length 200 in a record of 16 + 128 */
    header4(&p, 0, 2);
    size_t at = p.n;
    tcp_sample(&p, 2, 0);
    patch32(&p, at + 8 + 32 + 8 + 12, 200);
    fx.rs.n = 0;
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx, 3)->c.drop_rec_malformed, 1);

    /* extended_switch shorter than its 16 bytes */
    header4(&p, 0, 3);
    s = begin_sample(&p, 1);
    flow_head(&p, 2, 4, 10, 0, 4, 5, 1);
    r = begin(&p, 1001);
    pb_u32(&p, 1);
    end(&p, r);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx, 4)->c.drop_rec_malformed, 2);

    /* a record count larger than the records present */
    header4(&p, 0, 4);
    s = begin_sample(&p, 1);
    flow_head(&p, 3, 4, 10, 0, 4, 5, 2);
    switch_rec(&p, 1, 1);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx, 4)->c.drop_rec_malformed, 3);
    source_table_deinit(&fx.st);
}

static void test_unknown_formats_skipped(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header4(&p, 0, 1);
    size_t s = begin_sample(&p, 5); /* discarded_packet (a later extension) */
    for (int i = 0; i < 10; i++)
        pb_u32(&p, 0xffffffff);
    end(&p, s);
    s = begin_sample(&p, 4413u << 12 | 1); /* another enterprise's sample */
    pb_u32(&p, 1);
    end(&p, s);
    s = begin_sample(&p, 7); /* an empty sample of an unknown format */
    end(&p, s);

    uint8_t h[256];
    size_t n = frame_vlan_ipv4_tcp(h, 1400, 128);
    s = begin_sample(&p, 1);
    flow_head(&p, 1, 3, 512, 0, 3, 7, 5);
    size_t r = begin(&p, 1002); /* extended_router, IPv4 next hop */
    pb_u32(&p, 1);
    pb_u32(&p, 0xc0000201);
    pb_u32(&p, 24);
    pb_u32(&p, 16);
    end(&p, r);
    r = begin(&p, 4413u << 12 | 1); /* an enterprise record */
    pb_u32(&p, 0x01020304);
    end(&p, r);
    r = begin(&p, 1234); /* an unknown standard record, empty */
    end(&p, r);
    header_rec(&p, 1, 1400 + 18 + 4, 4, h, n);
    uint8_t h2[128];
    size_t n2 = frame_vlan_ipv4_tcp(h2, 700, 64);
    header_rec(&p, 1, 700 + 18 + 4, 4, h2, n2); /* a second header: the first one counts */
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].bytes, 1400);
    ASSERT_EQ_U64(fx.rs.flows[0].dst_port, 443);
    ASSERT_EQ_U64(src(&fx, 3)->c.drop_rec_malformed, 0);

    /* A header of a protocol we do not read (FDDI), and an ARP frame: no flow, no error. */
    header4(&p, 0, 2);
    s = begin_sample(&p, 1);
    flow_head(&p, 2, 3, 512, 0, 3, 7, 1);
    header_rec(&p, 4, 100, 4, h, 64);
    end(&p, s);
    uint8_t arp[42] = {0};
    memcpy(arp, mac_dst, 6);
    memcpy(arp + 6, mac_src, 6);
    arp[12] = 0x08;
    arp[13] = 0x06;
    s = begin_sample(&p, 1);
    flow_head(&p, 3, 3, 512, 0, 3, 7, 1);
    header_rec(&p, 1, 64, 4, arp, sizeof arp);
    end(&p, s);
    fx.rs.n = 0;
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx, 3)->c.drop_rec_malformed, 0);
    ASSERT_EQ_U64(src(&fx, 3)->c.seq_lost, 0);
    source_table_deinit(&fx.st);
}

static void test_header_errors(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header4(&p, 0, 1);
    tcp_sample(&p, 1, 0);
    patch32(&p, 0, 4); /* sFlow v4 */
    ASSERT_EQ_INT(feed(&fx, &p), ERR_UNSUPPORTED);
    patch32(&p, 0, 5);
    patch32(&p, 4, 3); /* agent address type 3 */
    ASSERT_EQ_INT(feed(&fx, &p), ERR_MALFORMED);
    header6(&p, 1);
    ASSERT_EQ_INT(sflow_decode(&fx.st, &fx.exporter, p.b, 20, NOW_MS, &fx.sink, NULL),
                  ERR_TRUNCATED);
    ASSERT_EQ_INT(sflow_decode(&fx.st, &fx.exporter, p.b, p.n, NOW_MS, &fx.sink, NULL), 0);
    ASSERT_EQ_U64(fx.rs.n, 0);

    /* Agent address type 0 (unknown): the datagram's sender stands in for it. */
    p.n = 0;
    pb_u32(&p, 5);
    pb_u32(&p, 0);
    pb_u32(&p, 0);
    pb_u32(&p, 1);
    pb_u32(&p, UPTIME_MS);
    pb_u32(&p, 0);
    tcp_sample(&p, 1, 0);
    patch32(&p, 20, 1);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(source_get(&fx.st, &fx.exporter, SFLOW_SOURCE_VERSION, 3)->c.records, 1);
    source_table_deinit(&fx.st);
}

/* Rate 0 is counted 1:1 and flagged; a sub-agent id other than 0 gives a hashed domain
 * with the top bit set, the same for every sample of the source. */
static void test_rate_zero_and_domains(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    uint8_t h[256];
    size_t n = frame_vlan_ipv4_tcp(h, 100, 128);
    header4(&p, 1402, 1);
    for (uint32_t i = 0; i < 2; i++) {
        size_t s = begin_sample(&p, 1);
        flow_head(&p, 1 + i, 3, 0, 0, 3, 7, 1);
        header_rec(&p, 1, 100 + 18 + 4, 4, h, n);
        end(&p, s);
    }
    ASSERT_EQ_INT(feed(&fx, &p), 2);
    const struct flow *f = &fx.rs.flows[0];
    ASSERT_EQ_U64(f->sampling, 0);
    ASSERT_TRUE(f->sampled_no_rate);
    ASSERT_TRUE(f->domain & 0x80000000u);
    ASSERT_EQ_U64(fx.rs.flows[1].domain, f->domain);
    ASSERT_EQ_U64(fx.st.n, 1);
    struct source *s = src(&fx, f->domain);
    ASSERT_EQ_U64(s->c.sampled_no_rate, 2);
    ASSERT_EQ_U64(s->c.seq_lost, 0);

    /* VLAN 100 as a data source (type 1), compact then expanded: one source. */
    header4(&p, 0, 2);
    size_t at = begin_sample(&p, 1);
    flow_head(&p, 1, 1u << 24 | 100, 10, 0, 3, 7, 1);
    header_rec(&p, 1, 100 + 18 + 4, 4, h, n);
    end(&p, at);
    at = begin_sample(&p, 3);
    pb_u32(&p, 2);
    pb_u32(&p, 1);
    pb_u32(&p, 100);
    pb_u32(&p, 10);
    pb_u32(&p, 20);
    pb_u32(&p, 0);
    for (int i = 0; i < 4; i++)
        pb_u32(&p, 0);
    pb_u32(&p, 1);
    header_rec(&p, 1, 100 + 18 + 4, 4, h, n);
    end(&p, at);
    fx.rs.n = 0;
    ASSERT_EQ_INT(feed(&fx, &p), 2);
    ASSERT_TRUE(fx.rs.flows[0].domain & 0x80000000u);
    ASSERT_EQ_U64(fx.rs.flows[1].domain, fx.rs.flows[0].domain);
    ASSERT_EQ_U64(fx.st.n, 2);
    ASSERT_EQ_U64(src(&fx, fx.rs.flows[0].domain)->c.records, 2);
    ASSERT_EQ_U64(src(&fx, fx.rs.flows[0].domain)->c.seq_lost, 0);
    source_table_deinit(&fx.st);
}

/* At the source cap, samples of new sources are refused and counted; a datagram with
 * nothing but refused flow samples is ERR_LIMIT. */
static void test_source_cap(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    source_table_deinit(&fx.st);
    source_table_init(&fx.st, 1, 4);
    struct pktbuf p;
    header4(&p, 0, 1);
    tcp_sample(&p, 1, 0);
    size_t s = begin_sample(&p, 1);
    flow_head(&p, 1, 4, 10, 0, 4, 5, 0);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.st.n_refused, 1);
    header4(&p, 0, 2);
    s = begin_sample(&p, 1);
    flow_head(&p, 2, 4, 10, 0, 4, 5, 0);
    end(&p, s);
    ASSERT_EQ_INT(feed(&fx, &p), ERR_LIMIT);
    ASSERT_EQ_U64(fx.st.n, 1);
    source_table_deinit(&fx.st);
}

int main(void)
{
    RUN(test_ethernet_vlan_ipv4_tcp);
    RUN(test_ipv6_udp_extension_header);
    RUN(test_expanded_flow_sample);
    RUN(test_counter_samples);
    RUN(test_sequence_gap_and_drops);
    RUN(test_truncated_header);
    RUN(test_frame_length_fallback);
    RUN(test_sample_length_lying);
    RUN(test_record_length_beyond_sample);
    RUN(test_unknown_formats_skipped);
    RUN(test_header_errors);
    RUN(test_rate_zero_and_domains);
    RUN(test_source_cap);
    return test_done();
}
