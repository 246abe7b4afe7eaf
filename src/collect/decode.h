// SPDX-License-Identifier: MIT
// The entry of the collect stage for export datagrams: checks the exporter against the
// allow-list, sniffs the version (5, 9 or 10) and hands the datagram to its decoder. Owns
// the per-source state of all decoders and the collector-wide drop counters.
#ifndef FT_DECODE_H
#define FT_DECODE_H

#include "../base/prefix.h"
#include "../flow/flow.h"
#include "sflow.h"
#include "source.h"

#include <stddef.h>
#include <stdint.h>

/* Collector-wide counters; names as shown by `flowtally stats`. */
#define DECODE_COUNTERS(X)                                                                         \
    X(datagrams)          /* datagrams received */                                                 \
    X(bytes)              /* their UDP payload bytes */                                            \
    X(drop_pkt_short)     /* too short for the header they claim */                                \
    X(drop_pkt_version)   /* unknown version */                                                    \
    X(drop_pkt_malformed) /* header fields that lie (count, length) */                             \
    X(drop_pkt_denied)    /* exporter not in the allow-list */                                     \
    X(drop_pkt_sources)   /* source table full (max_exporters) */                                  \
    X(kernel_drops)       /* dropped by the kernel: socket buffer full (SO_RXQ_OVFL) */

struct decode_counters {
#define X(name) uint64_t name;
    DECODE_COUNTERS(X)
#undef X
};

struct decoder {
    struct source_table sources;
    const struct prefix_trie *allow;    /* borrowed; NULL = accept every exporter */
    const struct prefix_trie *sampling; /* borrowed; the config's sampling rates by exporter
                                         * (the classifier's), NULL = none */
    struct decode_counters c;
};

void decoder_init(struct decoder *d, size_t max_sources, size_t max_templates,
                  const struct prefix_trie *allow);
void decoder_deinit(struct decoder *d);

/* Decodes one datagram from `exporter`, emitting its flows into sink. Drops are counted,
 * never fatal. Returns the number of flows emitted. Thread: the receive loop's only. */
int decoder_feed(struct decoder *d, const struct ip_addr *exporter, const uint8_t *pkt, size_t len,
                 const struct flow_sink *sink);

/* Decodes one sFlow v5 datagram (its own port: no version sniffing), emitting flows into
 * sink and interface counters into counters (may be NULL). now_ms is the receive time:
 * sFlow carries no wall clock. Same counting and allow-list as decoder_feed(). */
int decoder_feed_sflow(struct decoder *d, const struct ip_addr *exporter, const uint8_t *pkt,
                       size_t len, uint64_t now_ms, const struct flow_sink *sink,
                       const struct sflow_counter_sink *counters);

#endif
