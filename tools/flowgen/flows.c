// SPDX-License-Identifier: MIT
// Synthesis of the flow records themselves, independent of any wire format:
// which local host talks to which remote, in which direction, how many bytes
// and packets, and when. It also owns the time model (export time advances
// one second per 1000 records) and the per-format limit on how many records
// fit one MTU-sized datagram.
#include "flowgen.h"

// Fixed sizes of the pieces the encoders emit, in bytes, used to derive the
// largest record count per datagram. export_v9.c / export_ipfix.c must stay
// in step; wire.c aborts if a datagram ever outgrows FLOWGEN_MAX_DGRAM.
#define V9_HEADER 20u    // RFC 3954 §5.1
#define IPFIX_HEADER 16u // RFC 7011 §3.1
#define TEMPLATE_SET 56u // set header + template header + 12 fields
#define OPTIONS_SETS 40u // options template set (24) + its data set (16)
#define SET_HEADER 4u
#define V9_RECORD 38u
#define IPFIX_RECORD 55u

uint64_t flows_export_secs(const struct gen_config *cfg, uint64_t first_rec)
{
    return cfg->start + first_rec / cfg->pace;
}

static void flows_time(struct prng *rng, uint64_t export_secs, struct flow_record *r)
{
    uint64_t end = export_secs - prng_range(rng, 0, 59);
    uint64_t start = end - prng_range(rng, 0, 120);

    r->start_ms = start * 1000;
    r->end_ms = end * 1000;
}

// The draw order below is part of the output contract: changing it changes
// every stream generated from a given seed.
void flows_make(const struct gen_config *cfg, struct prng *rng, uint64_t export_secs,
                struct flow_record *out)
{
    uint32_t host = (uint32_t)prng_range(rng, 0, cfg->hosts - 1);
    uint32_t remote = (uint32_t)prng_range(rng, 0, cfg->remotes - 1);
    uint32_t local_addr = cfg->local_base + 1 + host;
    uint32_t remote_addr = cfg->remote_base + 1 + remote;
    bool inbound = (prng_next(rng) & 1) != 0;
    bool tcp = (prng_next(rng) & 1) != 0;
    // ACK plus a random mix of FIN/SYN/RST/PSH.
    uint8_t flags = (uint8_t)(0x10 | (prng_next(rng) & 0x0f));

    out->host_index = host;
    out->inbound = inbound;
    out->src_addr = inbound ? remote_addr : local_addr;
    out->dst_addr = inbound ? local_addr : remote_addr;
    out->src_mask = inbound ? cfg->remote_len : cfg->local_len;
    out->dst_mask = inbound ? cfg->local_len : cfg->remote_len;
    out->input_if = inbound ? FLOWGEN_IF_UPLINK : FLOWGEN_IF_LAN;
    out->output_if = inbound ? FLOWGEN_IF_LAN : FLOWGEN_IF_UPLINK;
    out->protocol = tcp ? FLOWGEN_TCP : FLOWGEN_UDP;
    out->tcp_flags = tcp ? flags : 0;
    out->src_port = (uint16_t)prng_range(rng, 1, 65535);
    out->dst_port = (uint16_t)prng_range(rng, 1, 65535);
    if (cfg->remote_port) // drawn all the same, so the rest of the stream is unchanged
        *(inbound ? &out->src_port : &out->dst_port) = cfg->remote_port;
    out->packets = prng_range(rng, 1, 1000);
    out->bytes = prng_range(rng, 40ull * out->packets, 1500ull * out->packets);
    flows_time(rng, export_secs, out);
}

static uint32_t pad4(uint32_t n)
{
    return (n + 3u) & ~3u;
}

// Largest record count whose worst-case datagram (a template refresh, plus
// the options template and options data when sampling) fits the MTU.
uint32_t flows_max_per_datagram(enum flowgen_proto proto, uint32_t sampling)
{
    uint32_t fixed, rec, n;

    if (proto == PROTO_V5)
        return 30; // Cisco v5 format: at most 30 records per packet
    fixed = (proto == PROTO_V9 ? V9_HEADER : IPFIX_HEADER) + TEMPLATE_SET +
            (sampling > 1 ? OPTIONS_SETS : 0);
    rec = proto == PROTO_V9 ? V9_RECORD : IPFIX_RECORD;
    n = (FLOWGEN_MAX_DGRAM - fixed) / rec;
    while (n > 0 && fixed + pad4(SET_HEADER + n * rec) > FLOWGEN_MAX_DGRAM)
        n--;
    return n;
}

// 30 everywhere except IPFIX, whose 55-byte records only fit 24 per
// datagram once the template and options sets ride along.
uint32_t flows_default_per_datagram(enum flowgen_proto proto)
{
    return proto == PROTO_IPFIX ? 24 : 30;
}
