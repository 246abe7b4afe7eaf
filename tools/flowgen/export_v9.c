// SPDX-License-Identifier: MIT
// NetFlow v9 encoder (RFC 3954). Each datagram is a 20-byte header followed
// by FlowSets: the template FlowSet (template 256 for IPv4 flows, 258 for
// IPv6, as the stream's families ask) in the first datagram and every
// FLOWGEN_TEMPLATE_REFRESH datagrams, with sampling also an options template
// (257) and its options data record, then a data FlowSet per family present.
// Times are sysUptime milliseconds, shared with v5.
#include "flowgen.h"

#define V9_TEMPLATE_FLOWSET 0       // RFC 3954 §5.2
#define V9_OPTIONS_FLOWSET 1        // RFC 3954 §6.1
#define V9_SCOPE_SYSTEM 1           // RFC 3954 §6.1 scope field types
#define V9_SAMPLING_DETERMINISTIC 1 // RFC 3954 §8 SAMPLING_ALGORITHM

// Field types from RFC 3954 §8. The order here is the record layout; the
// IPv6 template differs only in its first two.
static const struct sets_field v9_fields[] = {
    {8, 4},  // IPV4_SRC_ADDR
    {12, 4}, // IPV4_DST_ADDR
    {7, 2},  // L4_SRC_PORT
    {11, 2}, // L4_DST_PORT
    {4, 1},  // PROTOCOL
    {6, 1},  // TCP_FLAGS
    {1, 8},  // IN_BYTES, 64-bit counter
    {2, 4},  // IN_PKTS
    {22, 4}, // FIRST_SWITCHED, sysUptime ms
    {21, 4}, // LAST_SWITCHED, sysUptime ms
    {10, 2}, // INPUT_SNMP
    {14, 2}, // OUTPUT_SNMP
};
#define V9_FIELD_COUNT (sizeof(v9_fields) / sizeof(v9_fields[0]))

static const struct sets_field v9_v6_addrs[] = {
    {27, 16}, // IPV6_SRC_ADDR
    {28, 16}, // IPV6_DST_ADDR
};

// Header (RFC 3954 §5.1): version, count, sysUptime, UNIX secs, sequence
// number, source id. Count is patched later; the sequence number counts
// export packets, starting at 0.
static void v9_header(struct wire_buf *w, const struct gen_config *cfg,
                      const struct export_state *st)
{
    wire_u16(w, 9);
    wire_u16(w, 0); // count, patched by export_v9()
    wire_u32(w, export_uptime_ms(cfg, st->export_secs * 1000));
    wire_u32(w, (uint32_t)st->export_secs);
    wire_u32(w, (uint32_t)st->datagram_index);
    wire_u32(w, cfg->domain);
}

// Options Template FlowSet (RFC 3954 §6.1): scope System, then
// SAMPLING_INTERVAL(34) and SAMPLING_ALGORITHM(35); followed by the options
// data FlowSet (RFC 3954 §6.2) carrying the one options record.
static void v9_sampling_options(struct wire_buf *w, const struct gen_config *cfg)
{
    size_t start = w->len;

    wire_u16(w, V9_OPTIONS_FLOWSET);
    wire_u16(w, 0);
    wire_u16(w, FLOWGEN_OPTIONS_TEMPLATE_ID);
    wire_u16(w, 4); // option scope length in bytes: one field spec
    wire_u16(w, 8); // option length in bytes: two field specs
    wire_u16(w, V9_SCOPE_SYSTEM);
    wire_u16(w, 4);
    wire_u16(w, 34); // SAMPLING_INTERVAL
    wire_u16(w, 4);
    wire_u16(w, 35); // SAMPLING_ALGORITHM
    wire_u16(w, 1);
    sets_close(w, start);

    start = w->len;
    wire_u16(w, FLOWGEN_OPTIONS_TEMPLATE_ID);
    wire_u16(w, 0);
    wire_u32(w, cfg->domain); // the System scope: this exporter
    wire_u32(w, cfg->sampling);
    wire_u8(w, V9_SAMPLING_DETERMINISTIC);
    sets_close(w, start);
}

static void v9_record(struct wire_buf *w, const struct gen_config *cfg, const struct flow_record *r)
{
    sets_addresses(w, r);
    wire_u16(w, r->src_port);
    wire_u16(w, r->dst_port);
    wire_u8(w, r->protocol);
    wire_u8(w, r->tcp_flags);
    wire_u64(w, r->bytes);
    wire_u32(w, (uint32_t)r->packets); // fits: see flowfile_max_record_bytes
    wire_u32(w, export_uptime_ms(cfg, r->start_ms));
    wire_u32(w, export_uptime_ms(cfg, r->end_ms));
    wire_u16(w, r->input_if);
    wire_u16(w, r->output_if);
}

// A data FlowSet of the records of one family, if there are any.
static void v9_data_set(struct wire_buf *w, const struct gen_config *cfg,
                        const struct flow_record *recs, uint32_t n, bool v6)
{
    size_t start = w->len;
    uint32_t in_set = 0;

    for (uint32_t i = 0; i < n; i++)
        in_set += recs[i].is_v6 == v6;
    if (in_set == 0)
        return;
    wire_u16(w, v6 ? FLOWGEN_DATA_V6_TEMPLATE_ID : FLOWGEN_DATA_TEMPLATE_ID);
    wire_u16(w, 0);
    for (uint32_t i = 0; i < n; i++) {
        if (recs[i].is_v6 == v6)
            v9_record(w, cfg, &recs[i]);
    }
    sets_close(w, start);
}

// RFC 3954 §5.1: the header count is the total of template, options and
// data records in the packet, not only the flow records.
void export_v9(struct wire_buf *w, const struct gen_config *cfg, struct export_state *st,
               const struct flow_record *recs, uint32_t n)
{
    uint32_t count = n;

    wire_reset(w);
    v9_header(w, cfg, st);
    if (st->datagram_index % FLOWGEN_TEMPLATE_REFRESH == 0) {
        count += sets_template(w, V9_TEMPLATE_FLOWSET, v9_fields, V9_FIELD_COUNT, v9_v6_addrs,
                               st->families);
        if (cfg->sampling > 1) {
            v9_sampling_options(w, cfg);
            count += 2; // options template + options data record
        }
    }
    v9_data_set(w, cfg, recs, n, false);
    v9_data_set(w, cfg, recs, n, true);
    wire_patch_u16(w, 2, (uint16_t)count);
    st->flows_sent += n;
    st->datagram_index++;
}
