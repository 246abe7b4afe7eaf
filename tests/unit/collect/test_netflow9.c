// SPDX-License-Identifier: MIT
// NetFlow v9 decoder tests (RFC 3954) on hand-built datagrams: templates, options with the
// sampling interval, refresh, data before template, lying lengths, sequence gaps.
#include "../../../src/base/err.h"
#include "../../../src/collect/netflow9.h"
#include "pktbuf.h"
#include "record_sink.h"
#include "test.h"

#define EXPORT_SECS 1790000000u
#define UPTIME_MS 7200000u

static struct source *src(struct decoder_fixture *fx)
{
    return source_get(&fx->st, &fx->exporter, 9, 77);
}

static int feed(struct decoder_fixture *fx, const struct pktbuf *p)
{
    return netflow9_decode(&fx->st, &fx->exporter, p->b, p->n, &fx->sink);
}

static void header(struct pktbuf *p, uint32_t seq)
{
    p->n = 0;
    pb_u16(p, 9);
    pb_u16(p, 0); /* count: not used by the decoder */
    pb_u32(p, UPTIME_MS);
    pb_u32(p, EXPORT_SECS);
    pb_u32(p, seq);
    pb_u32(p, 77); /* source id */
}

/* Template 256: src4, dst4, sport, dport, proto, bytes(4), pkts(4), first, last, in, out,
 * src mac: 4+4+2+2+1+4+4+4+4+2+2+6 = 39 bytes per record. */
static void template_256(struct pktbuf *p)
{
    static const uint16_t fields[][2] = {{8, 4}, {12, 4}, {7, 2},  {11, 2}, {4, 1},  {1, 4},
                                         {2, 4}, {22, 4}, {21, 4}, {10, 2}, {14, 2}, {56, 6}};
    size_t n = sizeof fields / sizeof fields[0];
    pb_u16(p, 0);
    pb_u16(p, (uint16_t)(4 + 4 + n * 4));
    pb_u16(p, 256);
    pb_u16(p, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        pb_u16(p, fields[i][0]);
        pb_u16(p, fields[i][1]);
    }
}

static void record_256(struct pktbuf *p, uint32_t src4, uint32_t dst4, uint32_t bytes,
                       uint32_t pkts)
{
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x01};
    pb_u32(p, src4);
    pb_u32(p, dst4);
    pb_u16(p, 40000);
    pb_u16(p, 80);
    pb_u8(p, 6);
    pb_u32(p, bytes);
    pb_u32(p, pkts);
    pb_u32(p, UPTIME_MS - 30000); /* first: 30 s before export */
    pb_u32(p, UPTIME_MS - 2000);  /* last: 2 s before export */
    pb_u16(p, 5);
    pb_u16(p, 6);
    pb_bytes(p, mac, 6);
}

/* A data set of n records of template 256, padded to 4 bytes (RFC 3954 §5.3). */
static void data_256(struct pktbuf *p, int n, uint32_t bytes)
{
    size_t start = p->n;
    pb_u16(p, 256);
    pb_u16(p, 0);
    for (int i = 0; i < n; i++)
        record_256(p, 0x0a000001 + (uint32_t)i, 0xc6336401, bytes + (uint32_t)i, 3);
    while ((p->n - start) % 4)
        pb_u8(p, 0);
    pb_patch16(p, start + 2, (uint16_t)(p->n - start));
}

static void test_template_then_data(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header(&p, 10);
    template_256(&p);
    data_256(&p, 2, 1000);
    ASSERT_EQ_INT(feed(&fx, &p), 2);
    ASSERT_EQ_U64(fx.rs.n, 2);
    const struct flow *f = &fx.rs.flows[1];
    struct ip_addr want = addr_from_v4(0x0a000002);
    ASSERT_TRUE(addr_eq(&f->src, &want));
    ASSERT_EQ_U64(f->bytes, 1001);
    ASSERT_EQ_U64(f->packets, 3);
    ASSERT_EQ_U64(f->src_port, 40000);
    ASSERT_EQ_U64(f->dst_port, 80);
    ASSERT_EQ_U64(f->protocol, 6);
    ASSERT_EQ_U64(f->in_if, 5);
    ASSERT_EQ_U64(f->out_if, 6);
    ASSERT_TRUE(f->has_mac);
    ASSERT_EQ_U64(f->src_mac[5], 1);
    ASSERT_EQ_U64(f->start_ms, EXPORT_SECS * 1000ULL - 30000);
    ASSERT_EQ_U64(f->end_ms, EXPORT_SECS * 1000ULL - 2000);
    ASSERT_EQ_U64(f->sampling, 0);
    ASSERT_EQ_U64(f->domain, 77);
    ASSERT_EQ_U64(src(&fx)->c.records, 2);
    source_table_deinit(&fx.st);
}

static void test_data_before_template_is_dropped(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header(&p, 1);
    data_256(&p, 3, 500);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx)->c.drop_set_no_template, 1);
    header(&p, 2);
    template_256(&p);
    data_256(&p, 1, 500);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    source_table_deinit(&fx.st);
}

static void test_options_sampling_and_refresh(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header(&p, 1);
    /* options template 257: scope System (1, 4 bytes); SAMPLING_INTERVAL(34, 4),
     * SAMPLING_ALGORITHM(35, 1) (RFC 3954 §6.1) */
    pb_u16(&p, 1);
    pb_u16(&p, 4 + 6 + 4 + 8 + 2);
    pb_u16(&p, 257);
    pb_u16(&p, 4);
    pb_u16(&p, 8);
    pb_u16(&p, 1);
    pb_u16(&p, 4);
    pb_u16(&p, 34);
    pb_u16(&p, 4);
    pb_u16(&p, 35);
    pb_u16(&p, 1);
    pb_u16(&p, 0); /* padding */
    /* options data: scope value, interval 1000, algorithm 2; padded to 12 */
    pb_u16(&p, 257);
    pb_u16(&p, 4 + 12);
    pb_u32(&p, 0);
    pb_u32(&p, 1000);
    pb_u8(&p, 2);
    pb_u8(&p, 0);
    pb_u8(&p, 0);
    pb_u8(&p, 0);
    template_256(&p);
    data_256(&p, 1, 64);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].sampling, 1000);
    ASSERT_EQ_U64(src(&fx)->c.options_records, 1);

    /* refresh template 256 with fewer fields: bytes(8) then dst4 only */
    header(&p, 2);
    pb_u16(&p, 0);
    pb_u16(&p, 16);
    pb_u16(&p, 256);
    pb_u16(&p, 2);
    pb_u16(&p, 1);
    pb_u16(&p, 8);
    pb_u16(&p, 12);
    pb_u16(&p, 4);
    pb_u16(&p, 256);
    pb_u16(&p, 4 + 12);
    pb_u64(&p, 0x100000000ULL); /* a 64-bit counter above 2^32 */
    pb_u32(&p, 0x0a000009);
    fx.rs.n = 0;
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].bytes, 0x100000000ULL);
    struct ip_addr want = addr_from_v4(0x0a000009);
    ASSERT_TRUE(addr_eq(&fx.rs.flows[0].dst, &want));
    /* no time fields: the flow ends at export time */
    ASSERT_EQ_U64(fx.rs.flows[0].end_ms, EXPORT_SECS * 1000ULL);
    source_table_deinit(&fx.st);
}

static void test_lying_lengths(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    /* a set length running past the datagram: the set and the rest are dropped */
    header(&p, 1);
    template_256(&p);
    size_t at = p.n;
    data_256(&p, 1, 100);
    pb_patch16(&p, at + 2, 2000);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx)->c.drop_set_malformed, 1);
    /* a set length below the set header */
    header(&p, 2);
    pb_u16(&p, 256);
    pb_u16(&p, 2);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx)->c.drop_set_malformed, 2);
    /* template with a zero-length field, and one with zero fields */
    header(&p, 3);
    pb_u16(&p, 0);
    pb_u16(&p, 4 + 4 + 8);
    pb_u16(&p, 300);
    pb_u16(&p, 2);
    pb_u16(&p, 8);
    pb_u16(&p, 4);
    pb_u16(&p, 1);
    pb_u16(&p, 0);
    pb_u16(&p, 0);
    pb_u16(&p, 8);
    pb_u16(&p, 301);
    pb_u16(&p, 0);
    ASSERT_EQ_INT(feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx)->c.drop_template_invalid, 2);
    ASSERT_TRUE(tmpl_find(&src(&fx)->templates, 300) == NULL);
    /* a truncated header */
    ASSERT_EQ_INT(netflow9_decode(&fx.st, &fx.exporter, p.b, 19, &fx.sink), ERR_TRUNCATED);
    /* the template learnt first still works */
    header(&p, 4);
    data_256(&p, 2, 100);
    ASSERT_EQ_INT(feed(&fx, &p), 2);
    source_table_deinit(&fx.st);
}

static void test_template_cap_and_sequence(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1"); /* max 4 templates per source */
    struct pktbuf p;
    header(&p, 100);
    pb_u16(&p, 0);
    pb_u16(&p, 4 + 6 * 8);
    for (uint16_t id = 256; id < 262; id++) {
        pb_u16(&p, id);
        pb_u16(&p, 1);
        pb_u16(&p, 1);
        pb_u16(&p, 4);
    }
    feed(&fx, &p);
    ASSERT_EQ_U64(src(&fx)->templates.n, 4);
    ASSERT_EQ_U64(src(&fx)->c.drop_template_limit, 2);
    header(&p, 101);
    feed(&fx, &p);
    header(&p, 105); /* 102..104 missing: v9 counts datagrams */
    feed(&fx, &p);
    ASSERT_EQ_U64(src(&fx)->c.seq_lost, 3);
    ASSERT_EQ_U64(src(&fx)->c.packets, 3);
    source_table_deinit(&fx.st);
}

static void test_sampler_id_without_rate(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 4, "192.0.2.1");
    struct pktbuf p;
    header(&p, 1);
    /* template 256: bytes(4), FLOW_SAMPLER_ID(48, 1) and no options giving its rate */
    pb_u16(&p, 0);
    pb_u16(&p, 16);
    pb_u16(&p, 256);
    pb_u16(&p, 2);
    pb_u16(&p, 1);
    pb_u16(&p, 4);
    pb_u16(&p, 48);
    pb_u16(&p, 1);
    pb_u16(&p, 256);
    pb_u16(&p, 4 + 8);
    pb_u32(&p, 1500);
    pb_u8(&p, 3);
    pb_u8(&p, 0);
    pb_u8(&p, 0);
    pb_u8(&p, 0);
    ASSERT_EQ_INT(feed(&fx, &p), 1);
    ASSERT_TRUE(fx.rs.flows[0].sampled_no_rate);
    ASSERT_EQ_U64(src(&fx)->c.sampled_no_rate, 1);
    source_table_deinit(&fx.st);
}

int main(void)
{
    RUN(test_template_then_data);
    RUN(test_data_before_template_is_dropped);
    RUN(test_options_sampling_and_refresh);
    RUN(test_lying_lengths);
    RUN(test_template_cap_and_sequence);
    RUN(test_sampler_id_without_rate);
    return test_done();
}
