// SPDX-License-Identifier: MIT
// Tests of the IPFIX encoder (src/gen/export_ipfix.c) against messages written out by hand
// from RFC 7011's layout (§3.1 header, §3.4.1 template records, §3.3.2 set ids) and the
// IANA element ids: an IPv4 stream's message is what it always was, a stream of both
// families carries both templates in one set and a data set per family, and a message
// without a template refresh carries only data.
#include "../../../src/gen/gen.h"
#include "test.h"

#include <string.h>

// The hex digits of s (blanks skipped) as bytes into out; returns the count.
static size_t unhex(const char *s, uint8_t *out)
{
    size_t n = 0;
    int hi = -1;

    for (; *s; s++) {
        int v;

        if (*s == ' ' || *s == '\n')
            continue;
        v = *s <= '9' ? *s - '0' : *s - 'a' + 10;
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n;
}

// One flow of 1000 bytes, 3 packets, 1790000000.000 .. 1790000001.500, TCP 1234 -> 443
// flags 0x1b, interfaces 1 -> 2.
static struct flow_record record(void)
{
    return (struct flow_record){.src_port = 1234,
                                .dst_port = 443,
                                .protocol = 6,
                                .tcp_flags = 0x1b,
                                .input_if = 1,
                                .output_if = 2,
                                .packets = 3,
                                .bytes = 1000,
                                .start_ms = 1790000000000ull,
                                .end_ms = 1790000001500ull};
}

// The fields after the addresses: ports, protocol, flags (2 bytes), octets, packets, start,
// end (8 bytes each), interfaces (4 each).
#define REST                                                                                       \
    "04d2 01bb 06 001b 00000000000003e8 0000000000000003 000001a0c4506c00 000001a0c45071dc "       \
    "00000001 00000002 "
// The fields of a template after the addresses: 7 2, 11 2, 4 1, 6 2, 1 8, 2 8, 152 8,
// 153 8, 10 4, 14 4.
#define TMPL_REST                                                                                  \
    "0007 0002 000b 0002 0004 0001 0006 0002 0001 0008 0002 0008 0098 0008 0099 0008 000a 0004 "   \
    "000e 0004 "

static void test_ipv4_only(void)
{
    struct export_state st = {.export_secs = 1790000002};
    struct flow_record r = record();
    struct wire_buf w;
    uint8_t want[256];
    size_t n;

    r.src_addr = 0x0a000001; // 10.0.0.1
    r.dst_addr = 0xc6120001; // 198.18.0.1
    export_ipfix(&w, 7, 1, &st, &r, 1);
    // 16 header + 56 template set + 4 set header + 55 record + 1 padding = 132
    n = unhex("000a 0084 6ab1 3b82 00000000 00000007 "
              "0002 0038 0100 000c 0008 0004 000c 0004 " TMPL_REST
              "0100 003c 0a000001 c6120001 " REST "00",
              want);
    ASSERT_EQ_U64(w.len, n);
    ASSERT_MEMEQ(w.data, want, n);
}

static void test_both_families(void)
{
    struct export_state st = {.export_secs = 1790000002, .families = EXPORT_BOTH};
    struct flow_record r[2] = {record(), record()};
    struct wire_buf w;
    uint8_t want[512];
    size_t n;

    // The IPv6 record first: the data sets still go IPv4, then IPv6.
    r[0].is_v6 = true;
    memcpy(r[0].src_v6, "\x20\x01\x0d\xb8\x12\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10", 16);
    memcpy(r[0].dst_v6, "\x20\x01\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
    r[1].src_addr = 0x0a000001;
    r[1].dst_addr = 0xc6120001;
    export_ipfix(&w, 7, 1, &st, r, 2);
    // 16 header; template set 4 + 52 + 52 = 108; IPv4 set 4 + 55 + 1 = 60; IPv6 set 4 + 79
    // + 1 = 84: 268 bytes.
    n = unhex("000a 010c 6ab1 3b82 00000000 00000007 "
              "0002 006c 0100 000c 0008 0004 000c 0004 " TMPL_REST
              "0102 000c 001b 0010 001c 0010 " TMPL_REST "0100 003c 0a000001 c6120001 " REST "00 "
              "0102 0054 20010db8120000000000000000000010 20010002000000000000000000000001 " REST
              "00",
              want);
    ASSERT_EQ_U64(w.len, n);
    ASSERT_MEMEQ(w.data, want, n);
    ASSERT_EQ_U64(st.data_records, 2);

    // The next message: no templates (refresh every 20), sequence number 2, only the IPv6
    // data set for an IPv6 record.
    export_ipfix(&w, 7, 1, &st, r, 1);
    n = unhex("000a 0064 6ab1 3b82 00000002 00000007 "
              "0102 0054 20010db8120000000000000000000010 20010002000000000000000000000001 " REST
              "00",
              want);
    ASSERT_EQ_U64(w.len, n);
    ASSERT_MEMEQ(w.data, want, n);
}

static void test_ipv6_only(void)
{
    struct export_state st = {.export_secs = 1790000002, .families = EXPORT_V6};
    struct flow_record r = record();
    struct wire_buf w;

    r.is_v6 = true;
    export_ipfix(&w, 7, 1, &st, &r, 1);
    // 16 header, template set 4 + 52 (template 258 only), data set 84
    ASSERT_EQ_U64(w.len, 16 + 56 + 84);
    ASSERT_EQ_U64(wire_load_u16(w.data + 16), 2);
    ASSERT_EQ_U64(wire_load_u16(w.data + 20), FLOWGEN_DATA_V6_TEMPLATE_ID);
    ASSERT_EQ_U64(wire_load_u16(w.data + 72), FLOWGEN_DATA_V6_TEMPLATE_ID);
}

int main(void)
{
    RUN(test_ipv4_only);
    RUN(test_both_families);
    RUN(test_ipv6_only);
    return test_done();
}
