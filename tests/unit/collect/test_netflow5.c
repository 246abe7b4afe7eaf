// SPDX-License-Identifier: MIT
// NetFlow v5 decoder tests on hand-built datagrams. Expected values are written out from
// the field values put into each datagram.
#include "../../../src/base/err.h"
#include "../../../src/collect/netflow5.h"
#include "pktbuf.h"
#include "record_sink.h"
#include "test.h"

#define EXPORT_SECS 1790000000u

static void v5_header(struct pktbuf *p, uint16_t count, uint32_t uptime, uint32_t seq,
                      uint16_t sampling)
{
    pb_u16(p, 5);
    pb_u16(p, count);
    pb_u32(p, uptime);
    pb_u32(p, EXPORT_SECS);
    pb_u32(p, 500000000); /* nsecs: export at .5 s */
    pb_u32(p, seq);
    pb_u8(p, 1); /* engine type */
    pb_u8(p, 2); /* engine id */
    pb_u16(p, sampling);
}

static void v5_record(struct pktbuf *p, uint32_t src, uint32_t dst, uint32_t pkts, uint32_t bytes,
                      uint32_t first, uint32_t last, uint16_t sport, uint16_t dport, uint8_t proto)
{
    pb_u32(p, src);
    pb_u32(p, dst);
    pb_u32(p, 0); /* nexthop */
    pb_u16(p, 3); /* input */
    pb_u16(p, 4); /* output */
    pb_u32(p, pkts);
    pb_u32(p, bytes);
    pb_u32(p, first);
    pb_u32(p, last);
    pb_u16(p, sport);
    pb_u16(p, dport);
    pb_u8(p, 0);    /* pad1 */
    pb_u8(p, 0x1b); /* tcp flags */
    pb_u8(p, proto);
    pb_u8(p, 0);  /* tos */
    pb_u32(p, 0); /* src_as, dst_as */
    pb_u16(p, 0); /* masks */
    pb_u16(p, 0); /* pad2 */
}

static void test_two_records(void)
{
    struct pktbuf p = {0};
    v5_header(&p, 2, 3600000, 100, 0x4000 | 100);
    v5_record(&p, 0x0a000001, 0xc6336407, 10, 5000, 3590000, 3599000, 12345, 443, 6);
    v5_record(&p, 0xc6336407, 0x0a000002, 1, 76, 3600000, 3600000, 53, 5353, 17);
    struct source_table st;
    source_table_init(&st, 8, 8);
    struct record_sink rs = {0};
    struct flow_sink sink = record_sink_of(&rs);
    struct ip_addr exporter = addr_from_v4(0x7f000001);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), 2);
    ASSERT_EQ_U64(rs.n, 2);
    const struct flow *f = &rs.flows[0];
    struct ip_addr want_src = addr_from_v4(0x0a000001), want_dst = addr_from_v4(0xc6336407);
    ASSERT_TRUE(addr_eq(&f->src, &want_src));
    ASSERT_TRUE(addr_eq(&f->dst, &want_dst));
    ASSERT_EQ_U64(f->bytes, 5000);
    ASSERT_EQ_U64(f->packets, 10);
    ASSERT_EQ_U64(f->src_port, 12345);
    ASSERT_EQ_U64(f->dst_port, 443);
    ASSERT_EQ_U64(f->protocol, 6);
    ASSERT_EQ_U64(f->tcp_flags, 0x1b);
    ASSERT_EQ_U64(f->in_if, 3);
    ASSERT_EQ_U64(f->out_if, 4);
    ASSERT_EQ_U64(f->sampling, 100);
    ASSERT_EQ_U64(f->domain, 0x0102);
    /* export 1790000000.5 s; first is 10 s before the header's uptime, last 1 s before */
    ASSERT_EQ_U64(f->start_ms, 1789999990500ULL);
    ASSERT_EQ_U64(f->end_ms, 1789999999500ULL);
    ASSERT_EQ_U64(rs.flows[1].end_ms, 1790000000500ULL);
    ASSERT_EQ_U64(rs.flows[1].bytes, 76);
    /* the stream's bytes: both records' times the header's 1-in-100 */
    ASSERT_EQ_U64(source_get(&st, &exporter, 5, 0x0102)->c.flow_bytes, (5000 + 76) * 100);
    source_table_deinit(&st);
}

/* source_count_record(): bytes times the rate (the config's, else the record's, else 1); a
 * record the classifier refuses as implausible counts as a record and adds no bytes. */
static void test_count_record(void)
{
    struct source s = {0};
    struct flow f = {.bytes = 1000, .packets = 2, .sampling = 0};
    source_count_record(&s, &f);
    f.sampling = 10;
    source_count_record(&s, &f);
    ASSERT_EQ_U64(s.c.flow_bytes, 1000 + 10000);
    f.bytes = (SOURCE_MAX_COUNT / 10) + 1;
    source_count_record(&s, &f);
    f.bytes = 1;
    f.packets = (SOURCE_MAX_COUNT / 10) + 1;
    source_count_record(&s, &f);
    ASSERT_EQ_U64(s.c.flow_bytes, 11000);
    f.bytes = SOURCE_MAX_COUNT / 10;
    f.packets = 1;
    source_count_record(&s, &f);
    ASSERT_EQ_U64(s.c.flow_bytes, 11000 + SOURCE_MAX_COUNT / 10 * 10);
    ASSERT_EQ_U64(s.c.records, 5);
    /* the config's rate wins over the record's */
    s = (struct source){.rate_override = 3};
    f = (struct flow){.bytes = 1000, .packets = 1, .sampling = 10};
    source_count_record(&s, &f);
    ASSERT_EQ_U64(s.c.flow_bytes, 3000);
}

/* The config's rate reaches the stream through the table, datagram by datagram. */
static void test_rate_override(void)
{
    struct source_table st;
    source_table_init(&st, 8, 8);
    struct record_sink rs = {0};
    struct flow_sink sink = record_sink_of(&rs);
    struct ip_addr exporter = addr_from_v4(0x7f000001);
    struct pktbuf p = {0};
    v5_header(&p, 1, 1000, 0, 0);
    v5_record(&p, 0x0a000001, 0x08080808, 1, 100, 1500, 1600, 1, 2, 17);
    st.rate_override = 7;
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), 1);
    st.rate_override = 0; /* a reload took it out */
    p.n = 0;
    v5_header(&p, 1, 2000, 1, 0);
    v5_record(&p, 0x0a000001, 0x08080808, 1, 100, 2500, 2600, 1, 2, 17);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), 1);
    ASSERT_EQ_U64(source_get(&st, &exporter, 5, 0x0102)->c.flow_bytes, 7 * 100 + 100);
    source_table_deinit(&st);
}

static void test_sequence_gap_and_wrap(void)
{
    struct source_table st;
    source_table_init(&st, 8, 8);
    struct record_sink rs = {0};
    struct flow_sink sink = record_sink_of(&rs);
    struct ip_addr exporter = addr_from_v4(0x7f000001);
    struct pktbuf p = {0};
    v5_header(&p, 1, 1000, 0xfffffffe, 0);
    /* last-switched just before the uptime counter wrapped: 296 + 1000 ms ago */
    v5_record(&p, 0x0a000001, 0x08080808, 1, 100, 4294967000u, 4294967000u, 1, 2, 17);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), 1);
    ASSERT_EQ_U64(rs.flows[0].end_ms, 1790000000500ULL - 1296);
    /* next expected sequence: 0xffffffff; send 2 instead (wrapped): 3 records lost */
    p.n = 0;
    v5_header(&p, 1, 2000, 2, 0);
    v5_record(&p, 0x0a000001, 0x08080808, 1, 100, 1500, 1600, 1, 2, 17);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), 1);
    struct source *s = source_get(&st, &exporter, 5, 0x0102);
    ASSERT_EQ_U64(s->c.seq_lost, 3);
    ASSERT_EQ_U64(s->c.seq_reset, 0);
    ASSERT_EQ_U64(s->c.records, 2);
    ASSERT_EQ_U64(s->c.packets, 2);
    /* going backwards is a reset, not a loss */
    p.n = 0;
    v5_header(&p, 1, 3000, 1, 0);
    v5_record(&p, 0x0a000001, 0x08080808, 1, 100, 2500, 2600, 1, 2, 17);
    netflow5_decode(&st, &exporter, p.b, p.n, &sink);
    ASSERT_EQ_U64(s->c.seq_lost, 3);
    ASSERT_EQ_U64(s->c.seq_reset, 1);
    source_table_deinit(&st);
}

static void test_bad_datagrams(void)
{
    struct source_table st;
    source_table_init(&st, 8, 8);
    struct record_sink rs = {0};
    struct flow_sink sink = record_sink_of(&rs);
    struct ip_addr exporter = addr_from_v4(0x7f000001);
    struct pktbuf p = {0};
    v5_header(&p, 2, 1000, 0, 0);
    v5_record(&p, 1, 2, 1, 100, 1, 1, 1, 2, 17); /* count says 2, one present */
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), ERR_TRUNCATED);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, 20, &sink), ERR_TRUNCATED);
    p.n = 0;
    v5_header(&p, 31, 1000, 0, 0);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), ERR_MALFORMED);
    p.n = 0;
    v5_header(&p, 0, 1000, 0, 0);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), ERR_MALFORMED);
    ASSERT_EQ_U64(rs.n, 0);
    source_table_deinit(&st);
}

static void test_sampled_without_rate(void)
{
    struct source_table st;
    source_table_init(&st, 8, 8);
    struct record_sink rs = {0};
    struct flow_sink sink = record_sink_of(&rs);
    struct ip_addr exporter = addr_from_v4(0x7f000001);
    struct pktbuf p = {0};
    v5_header(&p, 1, 1000, 0, 0x8000); /* mode 2, interval 0 */
    v5_record(&p, 1, 2, 1, 100, 1, 1, 1, 2, 17);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), 1);
    ASSERT_TRUE(rs.flows[0].sampled_no_rate);
    ASSERT_EQ_U64(rs.flows[0].sampling, 0);
    ASSERT_EQ_U64(source_get(&st, &exporter, 5, 0x0102)->c.sampled_no_rate, 1);
    source_table_deinit(&st);
}

/* An exporter without a clock (unix_secs 0) stamps records older than its export time:
 * they clamp to 0 instead of wrapping to the year 584 million. */
static void test_no_clock(void)
{
    struct source_table st;
    source_table_init(&st, 8, 8);
    struct record_sink rs = {0};
    struct flow_sink sink = record_sink_of(&rs);
    struct ip_addr exporter = addr_from_v4(0x7f000001);
    struct pktbuf p = {0};
    pb_u16(&p, 5);
    pb_u16(&p, 1);
    pb_u32(&p, 3600000); /* up one hour */
    pb_u32(&p, 0);       /* no wall clock */
    pb_u32(&p, 0);
    pb_u32(&p, 0);
    pb_u32(&p, 0);
    v5_record(&p, 1, 2, 1, 100, 1000, 2000, 1, 2, 17);
    ASSERT_EQ_INT(netflow5_decode(&st, &exporter, p.b, p.n, &sink), 1);
    ASSERT_EQ_U64(rs.flows[0].start_ms, 0);
    ASSERT_EQ_U64(rs.flows[0].end_ms, 0);
    source_table_deinit(&st);
}

int main(void)
{
    RUN(test_two_records);
    RUN(test_count_record);
    RUN(test_rate_override);
    RUN(test_sequence_gap_and_wrap);
    RUN(test_bad_datagrams);
    RUN(test_sampled_without_rate);
    RUN(test_no_clock);
    return test_done();
}
