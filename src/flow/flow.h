// SPDX-License-Identifier: MIT
// The one record every stage speaks. Decoders in collect/ fill a struct flow and hand it to
// a flow_sink; nothing after collect/ knows which protocol a flow came from. Every protocol
// quirk (sampling, sysUptime arithmetic, templates) is resolved before the record leaves
// the decoder.
//
// Domain invariants: times are uint64 milliseconds since the epoch, UTC; byte and packet
// counters are uint64; there is no floating point in any counting path.
#ifndef FT_FLOW_H
#define FT_FLOW_H

#include "../base/addr.h"

#include <stdbool.h>
#include <stdint.h>

struct flow {
    struct ip_addr exporter; /* address the export datagram came from */
    uint32_t domain;         /* v9 source id / IPFIX observation domain; 0 for v5 */
    uint32_t sampling;       /* 1-in-N sampling the exporter reported, 0 = unknown */
    uint64_t start_ms;       /* first packet, ms since epoch UTC */
    uint64_t end_ms;         /* last packet, ms since epoch UTC */
    struct ip_addr src, dst; /* IPv4 mapped into IPv6 */
    uint16_t src_port, dst_port;
    uint8_t protocol;       /* IP protocol number */
    uint8_t tcp_flags;      /* cumulative OR of TCP flags */
    bool has_mac;           /* src_mac/dst_mac are valid */
    bool sampled_no_rate;   /* the record says it is sampled but no rate is known */
    uint64_t bytes;         /* IP-layer bytes as exported, before renormalisation */
    uint64_t packets;       /* packets as exported, before renormalisation */
    uint32_t in_if, out_if; /* SNMP ifIndex, 0 if unknown */
    uint8_t src_mac[6], dst_mac[6];
    const char *app_name; /* the application named from the packets themselves (nDPI in
                             the capture probe), or NULL; static, borrowed */
};

/* Receives decoded flows. The record is borrowed for the duration of the call; a sink that
 * keeps it copies it. */
typedef void flow_emit_fn(void *ctx, const struct flow *f);

struct flow_sink {
    flow_emit_fn *emit;
    void *ctx;
};

static inline void flow_sink_emit(const struct flow_sink *sink, const struct flow *f)
{
    sink->emit(sink->ctx, f);
}

#endif
