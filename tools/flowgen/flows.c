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
#define V9_HEADER 20u       // RFC 3954 §5.1
#define IPFIX_HEADER 16u    // RFC 7011 §3.1
#define SET_HEADER 4u       // set (FlowSet) id and length
#define TEMPLATE_RECORD 52u // template id, field count, 12 fields of 4 bytes
#define OPTIONS_SETS 40u    // options template set (24) + its data set (16)
// Records: the IPv6 ones carry two 16-byte addresses instead of two 4-byte ones.
#define V9_RECORD 38u    // 4+4+2+2+1+1+8+4+4+4+2+2
#define IPFIX_RECORD 55u // 4+4+2+2+1+2+8+8+8+8+4+4
#define V6_EXTRA 24u     // 2 x (16 - 4)

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
    struct addr local_addr, remote_addr;
    bool inbound = (prng_next(rng) & 1) != 0;
    bool tcp = (prng_next(rng) & 1) != 0;
    // ACK plus a random mix of FIN/SYN/RST/PSH.
    uint8_t flags = (uint8_t)(0x10 | (prng_next(rng) & 0x0f));

    addr_add(&cfg->local.base, 1 + (uint64_t)host, &local_addr);
    addr_add(&cfg->remote.base, 1 + (uint64_t)remote, &remote_addr);
    out->host_index = host;
    out->inbound = inbound;
    addr_put(out, inbound ? &remote_addr : &local_addr, inbound ? &local_addr : &remote_addr);
    out->src_mask = inbound ? cfg->remote.len : cfg->local.len;
    out->dst_mask = inbound ? cfg->local.len : cfg->remote.len;
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

// Bytes of a data set of n records of rec bytes each: none when n is 0.
static uint32_t data_set(uint32_t n, uint32_t rec)
{
    return n ? pad4(SET_HEADER + n * rec) : 0;
}

// Size of the largest datagram of n records: a template refresh (a template
// record per family), the options template and options data when sampling,
// and the records split between the two families' data sets in the worst way.
static uint32_t worst_datagram(enum flowgen_proto proto, uint32_t sampling,
                               enum export_families families, uint32_t n)
{
    uint32_t rec = proto == PROTO_V9 ? V9_RECORD : IPFIX_RECORD;
    uint32_t fixed = (proto == PROTO_V9 ? V9_HEADER : IPFIX_HEADER) + SET_HEADER +
                     TEMPLATE_RECORD * (families == EXPORT_BOTH ? 2 : 1) +
                     (sampling > 1 ? OPTIONS_SETS : 0);
    uint32_t worst = 0;

    for (uint32_t v6 = 0; v6 <= n; v6++) {
        uint32_t size;

        if ((families == EXPORT_V4 && v6 > 0) || (families == EXPORT_V6 && v6 < n))
            continue;
        size = fixed + data_set(n - v6, rec) + data_set(v6, rec + V6_EXTRA);
        if (size > worst)
            worst = size;
    }
    return worst;
}

// Largest record count whose worst-case datagram fits the MTU. v9 and IPFIX:
// IPv4 36 and 25 (35 and 24 with sampling), IPv6 22 and 17 (21 and 17), both
// families (--flows, unsampled) 21 and 17.
uint32_t flows_max_per_datagram(enum flowgen_proto proto, uint32_t sampling,
                                enum export_families families)
{
    uint32_t n = 0;

    if (proto == PROTO_V5)
        return 30; // Cisco v5 format: at most 30 records per packet
    while (worst_datagram(proto, sampling, families, n + 1) <= FLOWGEN_MAX_DGRAM)
        n++;
    return n;
}

// 30 for v5 and v9, 24 for IPFIX (whose 55-byte records only fit 24 per
// datagram once the template and options sets ride along), or fewer where
// the bigger IPv6 records do not fit as many.
uint32_t flows_default_per_datagram(enum flowgen_proto proto, uint32_t sampling,
                                    enum export_families families)
{
    uint32_t dflt = proto == PROTO_IPFIX ? 24 : 30;
    uint32_t max = flows_max_per_datagram(proto, sampling, families);

    return dflt < max ? dflt : max;
}
