// SPDX-License-Identifier: MIT
// Per-exporter decoder state. A source is one (exporter address, protocol version,
// observation domain / source id / v5 engine) stream: it owns its templates, its sequence
// tracking, what its options records said about sampling and uptime, and its counters.
// The table is owned by the receive loop's thread and capped, so spoofed exporters cannot
// grow it without bound.
#ifndef FT_SOURCE_H
#define FT_SOURCE_H

#include "../base/addr.h"
#include "../flow/flow.h"
#include "templates.h"

#include <stdbool.h>
#include <stdint.h>

/* Counters kept per source; the X-macro gives the struct fields and the names shown by
 * `flowtally stats`. Units are in the names: pkt = datagrams, set = flowsets, rec = records. */
#define SOURCE_COUNTERS(X)                                                                         \
    X(packets)               /* datagrams decoded from this source */                              \
    X(records)               /* flow records emitted */                                            \
    X(flow_bytes)            /* their bytes times the sampling rate (source_count_record) */       \
    X(options_records)       /* options data records read (sampling, uptime) */                    \
    X(seq_lost)              /* v5/IPFIX: records, v9: datagrams missing by sequence */            \
    X(seq_reset)             /* sequence went backwards: restart or reordering */                  \
    X(drop_set_no_template)  /* data set whose template is unknown (dropped, not held) */          \
    X(drop_set_malformed)    /* set too short or running past the datagram */                      \
    X(drop_template_invalid) /* template with zero/huge lengths or too many fields */              \
    X(drop_template_limit)   /* template refused: per-source template cap reached */               \
    X(drop_rec_malformed)    /* record whose variable-length field overruns its set */             \
    X(sampled_no_rate)       /* records said sampled, no rate known: counted 1:1, warned */

struct source_counters {
#define X(name) uint64_t name;
    SOURCE_COUNTERS(X)
#undef X
};

#define SOURCE_MAX_SAMPLERS 16

struct sampler_rate {
    uint32_t id;   /* sampler / selector id from options data */
    uint32_t rate; /* 1-in-N */
};

struct source {
    struct ip_addr exporter;
    uint32_t domain; /* v9 source id, IPFIX domain, v5 engine type<<8|id */
    uint8_t version; /* 5, 9 or 10 */
    bool in_use;
    bool seq_valid;         /* seq_next holds a prediction */
    uint32_t seq_next;      /* sequence number expected in the next datagram */
    uint32_t seq_last;      /* sequence number of the last datagram */
    uint64_t sys_init_ms;   /* IPFIX systemInitTimeMilliseconds from options, 0 = unknown */
    uint32_t sampling;      /* 1-in-N from options data without a sampler id, 0 = unknown */
    uint32_t rate_override; /* 1-in-N the config sets for the exporter the datagram being
                             * decoded came from (`sampling`), 0 = none: source_get() copies
                             * the table's, for source_count_record() */
    uint32_t n_samplers;
    struct sampler_rate samplers[SOURCE_MAX_SAMPLERS];
    struct tmpl_table templates;
    struct source_counters c;
};

struct source_table {
    struct source *slots;   /* owned; open addressing, capacity a power of two */
    size_t cap;             /* slots allocated */
    size_t n;               /* slots in use */
    size_t max_sources;     /* cap on n */
    size_t max_templates;   /* per source */
    uint64_t n_refused;     /* sources refused at the cap */
    uint32_t rate_override; /* the config's rate for the datagram being decoded, 0 = none:
                             * set by decode.c before each datagram */
};

void source_table_init(struct source_table *t, size_t max_sources, size_t max_templates);
void source_table_deinit(struct source_table *t);

/* Finds or creates the source for (exporter, version, domain), handing it the table's
 * rate_override. Returns NULL when the table is full (counted in n_refused). The pointer
 * is valid until the next call. */
struct source *source_get(struct source_table *t, const struct ip_addr *exporter, uint8_t version,
                          uint32_t domain);

/* Checks a datagram's sequence number against the prediction and predicts the next one
 * (`advance` = what the sequence grows by for this datagram). */
void source_check_seq(struct source *s, uint32_t seq, uint32_t advance);

/* Validates and stores a template, counting it as invalid or over the cap. Takes ownership
 * of `t` (from tmpl_new()). */
void source_add_template(struct source *s, struct tmpl *t);

/* No single flow record carries a petabyte: the classifier refuses counts above this
 * (after renormalisation) as corrupt or hostile, and so does source_count_record(). */
#define SOURCE_MAX_COUNT (1ULL << 50)

/* Counts a flow record f the source emits: records, and bytes as the classifier will count
 * them before it attributes them, f->bytes times the sampling rate: the config's for the
 * exporter (s->rate_override), else the record's, else 1. A record the classifier refuses
 * as implausible adds no bytes. No lock, no lookup: the receive loop's thread owns s. */
static inline void source_count_record(struct source *s, const struct flow *f)
{
    uint64_t rate = s->rate_override ? s->rate_override : f->sampling ? f->sampling : 1;
    uint64_t bytes, packets; /* multiplied, not divided: two divisions cost v9 12% */
    s->c.records++;
    if (!__builtin_mul_overflow(f->bytes, rate, &bytes) && bytes <= SOURCE_MAX_COUNT &&
        !__builtin_mul_overflow(f->packets, rate, &packets) && packets <= SOURCE_MAX_COUNT)
        s->c.flow_bytes += bytes;
}

/* Returns the sampling rate for a sampler id from options data, or 0 if unknown. */
uint32_t source_sampler_rate(const struct source *s, uint32_t sampler_id);
void source_set_sampler_rate(struct source *s, uint32_t sampler_id, uint32_t rate);

#endif
