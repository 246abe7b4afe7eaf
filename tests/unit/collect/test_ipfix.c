// SPDX-License-Identifier: MIT
// IPFIX decoder tests (RFC 7011) on hand-built messages: enterprise and variable-length
// fields, withdrawal, options with sampling and system init time, sequence counting and
// lying lengths.
#include "../../../src/base/err.h"
#include "../../../src/collect/ipfix.h"
#include "pktbuf.h"
#include "record_sink.h"
#include "test.h"

#define EXPORT_SECS 1790000000u

static struct source *src(struct decoder_fixture *fx)
{
    return source_get(&fx->st, &fx->exporter, 10, 5);
}

static void header(struct pktbuf *p, uint32_t seq)
{
    p->n = 0;
    pb_u16(p, 10);
    pb_u16(p, 0); /* length, patched by finish() */
    pb_u32(p, EXPORT_SECS);
    pb_u32(p, seq);
    pb_u32(p, 5); /* observation domain */
}

static int finish_and_feed(struct decoder_fixture *fx, struct pktbuf *p)
{
    pb_patch16(p, 2, (uint16_t)p->n);
    return ipfix_decode(&fx->st, &fx->exporter, p->b, p->n, &fx->sink);
}

static size_t set_begin(struct pktbuf *p, uint16_t id)
{
    size_t at = p->n;
    pb_u16(p, id);
    pb_u16(p, 0);
    return at;
}

static void set_end(struct pktbuf *p, size_t at)
{
    pb_patch16(p, at + 2, (uint16_t)(p->n - at));
}

static void field(struct pktbuf *p, uint16_t ie, uint16_t len)
{
    pb_u16(p, ie);
    pb_u16(p, len);
}

/* Template 256: IPv6 src/dst, enterprise field (PEN 9, 4 bytes), interfaceName (82,
 * variable length), octetDeltaCount(8), packetDeltaCount(8), flowStart/EndMilliseconds. */
static void template_256(struct pktbuf *p)
{
    size_t at = set_begin(p, 2);
    pb_u16(p, 256);
    pb_u16(p, 8);
    field(p, 27, 16);
    field(p, 28, 16);
    field(p, 0x8000 | 100, 4);
    pb_u32(p, 9);
    field(p, 82, 0xffff);
    field(p, 1, 8);
    field(p, 2, 8);
    field(p, 152, 8);
    field(p, 153, 8);
    set_end(p, at);
}

static void record_256(struct pktbuf *p, size_t name_len, uint64_t bytes)
{
    static const uint8_t s6[16] = {0xfd, 0, 0, 1, [15] = 1};
    static const uint8_t d6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 5, [15] = 7};
    pb_bytes(p, s6, 16);
    pb_bytes(p, d6, 16);
    pb_u32(p, 0xdeadbeef); /* enterprise field: skipped */
    if (name_len < 255) {
        pb_u8(p, (uint8_t)name_len);
    } else {
        pb_u8(p, 255); /* RFC 7011 §7: three-byte length form */
        pb_u16(p, (uint16_t)name_len);
    }
    for (size_t i = 0; i < name_len; i++)
        pb_u8(p, 'x');
    pb_u64(p, bytes);
    pb_u64(p, 7);
    pb_u64(p, EXPORT_SECS * 1000ULL - 60000);
    pb_u64(p, EXPORT_SECS * 1000ULL - 1234);
}

static void test_varlen_and_enterprise(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 16, "2001:db8::9");
    struct pktbuf p;
    header(&p, 0);
    template_256(&p);
    size_t at = set_begin(&p, 256);
    record_256(&p, 3, 1500);
    record_256(&p, 300, 1ULL << 40);
    set_end(&p, at);
    ASSERT_EQ_INT(finish_and_feed(&fx, &p), 2);
    const struct flow *f = &fx.rs.flows[0];
    char text[ADDR_STR_LEN];
    ASSERT_STREQ(addr_format(&f->src, text), "fd00:1::1");
    ASSERT_STREQ(addr_format(&f->dst, text), "2001:db8:5::7");
    ASSERT_EQ_U64(f->bytes, 1500);
    ASSERT_EQ_U64(f->packets, 7);
    ASSERT_EQ_U64(f->start_ms, EXPORT_SECS * 1000ULL - 60000);
    ASSERT_EQ_U64(f->end_ms, EXPORT_SECS * 1000ULL - 1234);
    ASSERT_EQ_U64(fx.rs.flows[1].bytes, 1ULL << 40);
    ASSERT_EQ_U64(f->domain, 5);
    source_table_deinit(&fx.st);
}

static void test_withdrawal(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 16, "2001:db8::9");
    struct pktbuf p;
    header(&p, 0);
    template_256(&p);
    finish_and_feed(&fx, &p);
    ASSERT_TRUE(tmpl_find(&src(&fx)->templates, 256) != NULL);
    /* RFC 7011 §8.1: template id 256 with field count 0 withdraws it */
    header(&p, 0);
    size_t at = set_begin(&p, 2);
    pb_u16(&p, 256);
    pb_u16(&p, 0);
    set_end(&p, at);
    at = set_begin(&p, 256);
    record_256(&p, 1, 10);
    set_end(&p, at);
    ASSERT_EQ_INT(finish_and_feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx)->c.drop_set_no_template, 1);
    /* template id 2 with count 0 withdraws every template, but not options templates */
    header(&p, 0);
    template_256(&p);
    at = set_begin(&p, 3);
    pb_u16(&p, 300);
    pb_u16(&p, 2);
    pb_u16(&p, 1);
    field(&p, 143, 4);
    field(&p, 34, 4);
    set_end(&p, at);
    at = set_begin(&p, 2);
    pb_u16(&p, 2);
    pb_u16(&p, 0);
    set_end(&p, at);
    finish_and_feed(&fx, &p);
    ASSERT_EQ_U64(src(&fx)->templates.n, 1);
    ASSERT_TRUE(tmpl_find(&src(&fx)->templates, 300) != NULL);
    /* id 3 in an options template set withdraws the options templates */
    header(&p, 0);
    at = set_begin(&p, 3);
    pb_u16(&p, 3);
    pb_u16(&p, 0);
    set_end(&p, at);
    finish_and_feed(&fx, &p);
    ASSERT_EQ_U64(src(&fx)->templates.n, 0);
    source_table_deinit(&fx.st);
}

static void test_options_sampling_and_uptime(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 16, "2001:db8::9");
    struct pktbuf p;
    header(&p, 0);
    /* options template 300: scope meteringProcessId(143); samplingPacketInterval(305),
     * samplingPacketSpace(306) = 1 in 1+99, systemInitTimeMilliseconds(160) */
    size_t at = set_begin(&p, 3);
    pb_u16(&p, 300);
    pb_u16(&p, 4);
    pb_u16(&p, 1);
    field(&p, 143, 4);
    field(&p, 305, 4);
    field(&p, 306, 4);
    field(&p, 160, 8);
    set_end(&p, at);
    /* template 257: src4, dst4, octets(4), flowStart/EndSysUpTime (22/21) */
    at = set_begin(&p, 2);
    pb_u16(&p, 257);
    pb_u16(&p, 5);
    field(&p, 8, 4);
    field(&p, 12, 4);
    field(&p, 1, 4);
    field(&p, 22, 4);
    field(&p, 21, 4);
    set_end(&p, at);
    at = set_begin(&p, 300);
    pb_u32(&p, 1);
    pb_u32(&p, 1);
    pb_u32(&p, 99);
    pb_u64(&p, 1789990000000ULL); /* exporter booted at this ms */
    set_end(&p, at);
    at = set_begin(&p, 257);
    pb_u32(&p, 0x0a000001);
    pb_u32(&p, 0x08080808);
    pb_u32(&p, 640);
    pb_u32(&p, 5000);
    pb_u32(&p, 9000);
    set_end(&p, at);
    ASSERT_EQ_INT(finish_and_feed(&fx, &p), 1);
    const struct flow *f = &fx.rs.flows[0];
    ASSERT_EQ_U64(f->sampling, 100);
    ASSERT_EQ_U64(f->bytes, 640); /* the decoder reports; classify multiplies */
    ASSERT_EQ_U64(f->start_ms, 1789990005000ULL);
    ASSERT_EQ_U64(f->end_ms, 1789990009000ULL);
    /* sequence: 2 data records (one options, one flow) in message 0, so 2 is next */
    header(&p, 2);
    finish_and_feed(&fx, &p);
    ASSERT_EQ_U64(src(&fx)->c.seq_lost, 0);
    header(&p, 9);
    finish_and_feed(&fx, &p);
    ASSERT_EQ_U64(src(&fx)->c.seq_lost, 7);
    source_table_deinit(&fx.st);
}

static void test_lying_message(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 16, "2001:db8::9");
    struct pktbuf p;
    header(&p, 0);
    template_256(&p);
    pb_patch16(&p, 2, (uint16_t)(p.n + 1)); /* length beyond the datagram */
    ASSERT_EQ_INT(ipfix_decode(&fx.st, &fx.exporter, p.b, p.n, &fx.sink), ERR_MALFORMED);
    pb_patch16(&p, 2, 8); /* length below the header */
    ASSERT_EQ_INT(ipfix_decode(&fx.st, &fx.exporter, p.b, p.n, &fx.sink), ERR_MALFORMED);
    ASSERT_EQ_INT(ipfix_decode(&fx.st, &fx.exporter, p.b, 15, &fx.sink), ERR_TRUNCATED);
    /* a variable-length field whose length runs past the set */
    header(&p, 0);
    template_256(&p);
    size_t at = set_begin(&p, 256);
    record_256(&p, 2, 10);
    p.b[at + 4 + 36] = 200; /* the interfaceName length byte now says 200 */
    set_end(&p, at);
    ASSERT_EQ_INT(finish_and_feed(&fx, &p), 0);
    ASSERT_EQ_U64(src(&fx)->c.drop_rec_malformed, 1);
    /* an options template whose scope count exceeds its field count */
    header(&p, 0);
    at = set_begin(&p, 3);
    pb_u16(&p, 400);
    pb_u16(&p, 1);
    pb_u16(&p, 2);
    field(&p, 143, 4);
    set_end(&p, at);
    finish_and_feed(&fx, &p);
    ASSERT_EQ_U64(src(&fx)->c.drop_template_invalid, 1);
    source_table_deinit(&fx.st);
}

/* Fields the reader cannot use as numbers are skipped, not read as 0: an empty
 * variable-length flowEndSeconds must not bill the flow to 1970, an empty selectorId must
 * not make it look sampled, and a sampling space of 2^32 - 1 saturates. */
static void test_unreadable_numbers_skipped(void)
{
    struct decoder_fixture fx;
    decoder_fixture_init(&fx, 16, "2001:db8::9");
    struct pktbuf p;
    header(&p, 0);
    size_t at = set_begin(&p, 2);
    pb_u16(&p, 256);
    pb_u16(&p, 4);
    field(&p, 8, 4);
    field(&p, 1, 4);
    field(&p, 151, 0xffff); /* flowEndSeconds, variable length */
    field(&p, 302, 0xffff); /* selectorId, variable length */
    set_end(&p, at);
    at = set_begin(&p, 256);
    pb_u32(&p, 0x0a000001);
    pb_u32(&p, 1000);
    pb_u8(&p, 0); /* empty flowEndSeconds */
    pb_u8(&p, 0); /* empty selectorId */
    set_end(&p, at);
    ASSERT_EQ_INT(finish_and_feed(&fx, &p), 1);
    ASSERT_EQ_U64(fx.rs.flows[0].end_ms, EXPORT_SECS * 1000ULL);
    ASSERT_TRUE(!fx.rs.flows[0].sampled_no_rate);
    ASSERT_EQ_U64(src(&fx)->c.sampled_no_rate, 0);
    source_table_deinit(&fx.st);
}

int main(void)
{
    RUN(test_varlen_and_enterprise);
    RUN(test_withdrawal);
    RUN(test_options_sampling_and_uptime);
    RUN(test_lying_message);
    RUN(test_unreadable_numbers_skipped);
    return test_done();
}
