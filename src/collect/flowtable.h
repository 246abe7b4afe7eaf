// SPDX-License-Identifier: MIT
// The packet capture probe's flow table: turns decoded packets (struct pkt_info) into flows
// the way a NetFlow exporter does, one direction per flow, keyed by (src, dst, src port,
// dst port, protocol, VLAN). Flows leave through a flow_sink as ordinary struct flow records
// (exporter :: or a given local address, sampling 1), so nothing after collect/ knows they
// came from packets. Fixed size: no allocation after flowtable_new().
#ifndef FT_FLOWTABLE_H
#define FT_FLOWTABLE_H

#include "../base/addr.h"
#include "../flow/flow.h"
#include "decode_pkt.h"

#include <stddef.h>
#include <stdint.h>

#define FLOWTABLE_IDLE_MS_DEFAULT 15000u      /* a flow with no packet for this long ends */
#define FLOWTABLE_ACTIVE_MS_DEFAULT 60000u    /* a flow is exported this long after it began */
#define FLOWTABLE_FIN_LINGER_MS_DEFAULT 2000u /* a TCP flow ends this long after FIN or RST */
#define FLOWTABLE_MAX_FLOWS_LIMIT 0x40000000u /* largest max_flows (indices are 32-bit) */

/* Counters; the X-macro gives the struct fields and the names shown by `flowtally stats`.
 * flows_exported = expired_idle + expired_active + expired_tcp + expired_early + flushed. */
#define FLOWTABLE_COUNTERS(X)                                                                      \
    X(packets)        /* IP packets counted into flows */                                          \
    X(non_ip)         /* packets without an IP header (ARP, LLDP...), not counted */               \
    X(flows_exported) /* flows handed to the sink, for any reason */                               \
    X(expired_idle)   /* ended: no packet for idle_ms */                                           \
    X(expired_active) /* ended: active_ms after the first packet; the traffic continues */         \
    X(expired_tcp)    /* ended: fin_linger_ms after a FIN or RST (or at once, linger 0) */         \
    X(expired_early)  /* ended early: the table was full and this was the least recently seen */   \
    X(flushed)        /* ended by flowtable_flush_all() */

struct flowtable_counters {
#define X(name) uint64_t name;
    FLOWTABLE_COUNTERS(X)
#undef X
};

struct flowtable; /* opaque */

/* Returns a new, empty table holding at most max_flows flows (1..FLOWTABLE_MAX_FLOWS_LIMIT),
 * with every slot allocated now; caller frees with flowtable_free(). A flow ends when it has
 * seen no packet for idle_ms, active_ms after its first packet (the traffic continues as a
 * new flow), fin_linger_ms (default FLOWTABLE_FIN_LINGER_MS_DEFAULT) after a TCP FIN or RST,
 * or early when a new flow needs its slot. idle_ms and active_ms are > 0. Aborts on OOM. */
struct flowtable *flowtable_new(size_t max_flows, uint32_t idle_ms, uint32_t active_ms);
void flowtable_free(struct flowtable *ft);

/* Sets the address emitted as every flow's exporter (default ::, the unspecified address). */
void flowtable_set_exporter(struct flowtable *ft, const struct ip_addr *exporter);

/* Sets how long a TCP flow stays open after its first FIN or RST, to take the segments that
 * follow in the same direction (the last ACK of the close, retransmissions) instead of
 * starting a new flow of them. 0 exports the flow as soon as the FIN/RST packet is counted.
 * A SYN without ACK in a closing flow (the tuple reused) ends it at once in any case. */
void flowtable_set_fin_linger(struct flowtable *ft, uint32_t fin_linger_ms);

/* Counts one decoded packet, seen at ts_ms (ms since the epoch, UTC), into its flow: IP-layer
 * bytes (info->ip_len), one packet, TCP flags OR-ed, first/last time, the MACs of the first
 * packet that had them. Non-IP packets (info->is_ip false) are only counted in non_ip. Flows
 * that this packet ends (active timeout reached, a stale flow not yet expired, linger 0 FIN,
 * the table full) are emitted to sink before the call returns. info is borrowed. */
void flowtable_add(struct flowtable *ft, const struct pkt_info *info, uint64_t ts_ms,
                   const struct flow_sink *sink);

/* Emits every flow whose idle, active or FIN/RST linger time has passed at now_ms. Costs
 * O(flows emitted + 1). Call it with the packet time when reading a file and with the wall
 * clock on a live capture (also when no packet arrives). */
void flowtable_expire(struct flowtable *ft, uint64_t now_ms, const struct flow_sink *sink);

/* Emits every flow still open (least recently seen first) and leaves the table empty. For
 * the end of a file and for shutdown. */
void flowtable_flush_all(struct flowtable *ft, const struct flow_sink *sink);

/* Flows open now. */
size_t flowtable_count(const struct flowtable *ft);

/* The counters since flowtable_new(). Borrowed; valid until flowtable_free(). */
const struct flowtable_counters *flowtable_counters(const struct flowtable *ft);

#endif
