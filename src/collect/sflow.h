// SPDX-License-Identifier: MIT
// sFlow version 5 decoder (sflow.org, "sFlow Version 5", 2004, sflow_version_5.txt).
// Push-style, no I/O: each flow sample becomes one struct flow (a single sampled packet
// that the classifier multiplies by the sampling rate), each generic interface counters
// record goes to an optional counter sink.
//
// Sources. sFlow samples are numbered per data source, so the source table holds one
// source per (agent address, sub-agent id, data source id), under version
// SFLOW_SOURCE_VERSION (105: sFlow's own datagram version, 5, would mix its streams up with
// NetFlow v5 ones). The agent address is the one in the datagram header, not the address
// the datagram came from. Its domain (also flow.domain of the flows it emits) is the data
// source's ifIndex when the sub-agent id is 0, the source is an interface (type 0) and the
// index is below 2^31, which is what switches send and what an operator wants to read in
// `flowtally stats`; any other combination is 2^31 | a 31-bit hash of (sub-agent id, type,
// index). Only flow samples (and malformed counter samples, to count them) create sources:
// a switch polls counters on every port. A switch sampling every port is one source per
// port, so max_exporters must allow for them.
//
// Counters of an sFlow source (names of source.h):
//   packets             datagrams that carried flow samples of the source
//   records             flows emitted (one per flow sample with an IP packet)
//   bytes               the sampled packets' IP lengths times the sample's sampling rate
//   seq_lost            flow samples lost: gaps in the sample sequence number plus the
//                       increase of the sample's `drops` (packets the agent could not
//                       sample for lack of resources)
//   seq_reset           the sample sequence went backwards (agent restart)
//   drop_rec_malformed  samples dropped because a record inside lies (a record length
//                       beyond its sample, a header longer than its record, an IP length
//                       that cannot be) or a counter record shorter than its format
//   sampled_no_rate     flow samples with a sampling rate of 0, counted 1:1
// Flow samples whose packet is not IP (ARP, LLDP, spanning tree) are read and not counted.
#ifndef FT_SFLOW_H
#define FT_SFLOW_H

#include "../base/addr.h"
#include "../flow/flow.h"
#include "source.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SFLOW_VERSION 5          /* the datagram's version field */
#define SFLOW_SOURCE_VERSION 105 /* `version` of sFlow sources in the source table */

/* One generic interface counters record (sFlow v5 counter_data enterprise 0, format 1,
 * RFC 2233 ifTable/ifXTable names). Counters are as the agent sent them: the 64-bit
 * octet counters and the 32-bit packet counters wrap independently, so a consumer takes
 * deltas field by field. */
struct sflow_if_counters {
    struct ip_addr exporter; /* address the datagram came from */
    struct ip_addr agent;    /* agent address of the datagram header */
    uint32_t sub_agent_id;   /* sub-agent id of the datagram header */
    uint32_t source_type;    /* data source type: 0 ifIndex, 1 VLAN, 2 entity */
    uint32_t source_index;   /* data source index */
    uint64_t time_ms;        /* now_ms given to sflow_decode() */
    uint32_t uptime_ms;      /* agent uptime of the datagram header */
    uint32_t if_index;       /* ifIndex */
    uint32_t if_type;        /* ifType (IANAifType, 6 = ethernetCsmacd) */
    uint64_t speed_bps;      /* ifSpeed, bits per second */
    uint32_t direction;      /* 0 unknown, 1 full-duplex, 2 half-duplex, 3 in, 4 out */
    uint32_t status;         /* bit 0 ifAdminStatus up, bit 1 ifOperStatus up */
    uint64_t in_octets;      /* ifInOctets */
    uint32_t in_ucast_pkts;  /* ifInUcastPkts */
    uint32_t in_mcast_pkts;  /* ifInMulticastPkts */
    uint32_t in_bcast_pkts;  /* ifInBroadcastPkts */
    uint32_t in_discards;    /* ifInDiscards */
    uint32_t in_errors;      /* ifInErrors */
    uint32_t in_unknown;     /* ifInUnknownProtos */
    uint64_t out_octets;     /* ifOutOctets */
    uint32_t out_ucast_pkts; /* ifOutUcastPkts */
    uint32_t out_mcast_pkts; /* ifOutMulticastPkts */
    uint32_t out_bcast_pkts; /* ifOutBroadcastPkts */
    uint32_t out_discards;   /* ifOutDiscards */
    uint32_t out_errors;     /* ifOutErrors */
    uint32_t promiscuous;    /* ifPromiscuousMode: 1 true, 2 false */
};

/* Receives interface counters. The record is borrowed for the duration of the call. */
typedef void sflow_counters_emit_fn(void *ctx, const struct sflow_if_counters *c);

struct sflow_counter_sink {
    sflow_counters_emit_fn *emit;
    void *ctx;
};

/* Decodes one sFlow v5 datagram from `exporter`, received at now_ms (ms since the epoch,
 * UTC: the datagram carries only the agent's uptime, so every flow starts and ends then).
 * Emits one flow per flow sample (compact or expanded) whose sampled packet is IP, with
 * packets = 1, bytes = the packet's IP length and sampling = the sample's rate, into
 * `sink`; and each generic interface counters record of a counter sample (compact or
 * expanded) into `counters`, which may be NULL. Other sample and record formats, and other
 * enterprises, are skipped by their lengths.
 *
 * The datagram's framing (sample count, each sample's length and fixed fields) is checked
 * before anything is emitted: a lie there drops the whole datagram. A record that lies
 * inside a well-framed sample drops that sample only (drop_rec_malformed).
 *
 * Returns the number of flows emitted, or, dropping the whole datagram: ERR_TRUNCATED when
 * it is shorter than its header, ERR_UNSUPPORTED when the version is not 5, ERR_MALFORMED
 * for an agent address type other than 0 (unknown: the exporter's address is used), 1 and
 * 2, a sample count or sample length running past the datagram, or a sample shorter than
 * its fixed fields; ERR_LIMIT when the source table is full and no flow sample of the
 * datagram could be kept (samples refused at the cap are counted in the table's n_refused;
 * counters are emitted all the same). Thread: the receive loop's only. */
int sflow_decode(struct source_table *sources, const struct ip_addr *exporter, const uint8_t *pkt,
                 size_t len, uint64_t now_ms, const struct flow_sink *sink,
                 const struct sflow_counter_sink *counters);

#endif
