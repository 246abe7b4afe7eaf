// SPDX-License-Identifier: MIT
// NetFlow v5 encoder (Cisco "NetFlow Export Datagram Format", version 5):
// a 24-byte header followed by up to 30 fixed 48-byte flow records. Also
// holds the sysUptime clock shared with the v9 encoder: the simulated
// exporter booted one hour before --start, and record times are expressed
// in milliseconds of uptime.
#include "flowgen.h"

// One hour of uptime before the first export keeps every flow start (at most
// 179 s before its export time) after boot, so uptime values never go
// negative.
#define BOOT_LEAD_SECS 3600u

uint64_t export_boot_secs(const struct gen_config *cfg)
{
    return cfg->start - BOOT_LEAD_SECS;
}

// Uptime is a 32-bit millisecond counter in both v5 and v9 (RFC 3954 §5.1);
// the record limit keeps random runs far below its 49.7-day wrap. A --flows
// file may span months: the counter wraps as a real router's does, and as
// each datagram is exported at its flows' end time, record ages stay 0.
uint32_t export_uptime_ms(const struct gen_config *cfg, uint64_t unix_ms)
{
    return (uint32_t)(unix_ms - export_boot_secs(cfg) * 1000);
}

// Header: version, count, sysUptime, unix_secs, unix_nsecs, flow_sequence,
// engine_type, engine_id, sampling_interval. The sampling field packs a
// 2-bit mode in the top bits (01 = deterministic) and a 14-bit interval.
static void v5_header(struct wire_buf *w, const struct gen_config *cfg,
                      const struct export_state *st, uint32_t n)
{
    uint16_t sampling = 0;

    if (cfg->sampling > 1)
        sampling = (uint16_t)((1u << 14) | cfg->sampling);
    wire_u16(w, 5);
    wire_u16(w, (uint16_t)n);
    wire_u32(w, export_uptime_ms(cfg, st->export_secs * 1000));
    wire_u32(w, (uint32_t)st->export_secs);
    wire_u32(w, 0);                        // unix_nsecs: export times are whole seconds
    wire_u32(w, (uint32_t)st->flows_sent); // flows before this datagram
    wire_u8(w, 0);                         // engine_type
    wire_u8(w, (uint8_t)cfg->domain);      // engine_id = --domain
    wire_u16(w, sampling);
}

// Record: srcaddr, dstaddr, nexthop, input, output, dPkts, dOctets, First,
// Last, srcport, dstport, pad1, tcp_flags, prot, tos, src_as, dst_as,
// src_mask, dst_mask, pad2 — 48 bytes.
static void v5_record(struct wire_buf *w, const struct gen_config *cfg, const struct flow_record *r)
{
    wire_u32(w, r->src_addr);
    wire_u32(w, r->dst_addr);
    wire_u32(w, 0); // nexthop
    wire_u16(w, r->input_if);
    wire_u16(w, r->output_if);
    // Both fit 32 bits: the random set stays below 1.5e6 bytes and --flows
    // splits bigger flows (flowfile_max_record_bytes).
    wire_u32(w, (uint32_t)r->packets);
    wire_u32(w, (uint32_t)r->bytes);
    wire_u32(w, export_uptime_ms(cfg, r->start_ms));
    wire_u32(w, export_uptime_ms(cfg, r->end_ms));
    wire_u16(w, r->src_port);
    wire_u16(w, r->dst_port);
    wire_u8(w, 0); // pad1
    wire_u8(w, r->tcp_flags);
    wire_u8(w, r->protocol);
    wire_u8(w, 0);  // tos
    wire_u16(w, 0); // src_as
    wire_u16(w, 0); // dst_as
    wire_u8(w, r->src_mask);
    wire_u8(w, r->dst_mask);
    wire_u16(w, 0); // pad2
}

void export_v5(struct wire_buf *w, const struct gen_config *cfg, struct export_state *st,
               const struct flow_record *recs, uint32_t n)
{
    wire_reset(w);
    v5_header(w, cfg, st, n);
    for (uint32_t i = 0; i < n; i++)
        v5_record(w, cfg, &recs[i]);
    st->flows_sent += n;
    st->datagram_index++;
}
