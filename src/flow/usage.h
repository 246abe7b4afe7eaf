// SPDX-License-Identifier: MIT
// Aggregated usage: what the aggregation stage hands to the store at each flush. A row is
// the sum of the flows of one local host (and the subscriber it belonged to at the time),
// in one time bucket, direction, traffic class and application.
#ifndef FT_USAGE_H
#define FT_USAGE_H

#include "../base/addr.h"

#include <stdint.h>

enum flow_dir {
    FLOW_DIR_IN,       /* remote -> local: download */
    FLOW_DIR_OUT,      /* local -> remote: upload */
    FLOW_DIR_INTERNAL, /* local -> local, kept under the sending host */
    FLOW_DIR_TRANSIT,  /* remote -> remote, kept under the source address */
    FLOW_DIR_COUNT
};

/* Names as stored and printed: "in", "out", "internal", "transit". */
static inline const char *flow_dir_name(enum flow_dir d)
{
    static const char *const names[FLOW_DIR_COUNT] = {"in", "out", "internal", "transit"};
    return (unsigned)d < FLOW_DIR_COUNT ? names[d] : "?";
}

#define USAGE_UNASSIGNED 0 /* subscriber id of traffic no binding claims */

struct usage_key {
    struct ip_addr host; /* the local host (or source address for transit) */
    uint32_t bucket_s;   /* start of the time bucket, unix seconds UTC */
    uint32_t subscriber; /* subscriber id, USAGE_UNASSIGNED if none */
    uint16_t class_id;   /* traffic class, an id of the class name table */
    uint16_t app_id;     /* application, an id of the application name table */
    uint8_t dir;         /* enum flow_dir */
};

struct usage_counts {
    uint64_t bytes, packets, flows;
};

static inline void usage_counts_add(struct usage_counts *to, const struct usage_counts *c)
{
    to->bytes += c->bytes;
    to->packets += c->packets;
    to->flows += c->flows;
}

struct usage_row {
    struct usage_key key;
    struct usage_counts counts;
};

/* One classified flow on its way to aggregation: counts already renormalised for
 * sampling, attributed to one host and direction. */
struct usage_delta {
    struct ip_addr host; /* the local host (or source address for transit) */
    uint64_t time_ms;    /* the flow's end time: it counts in that bucket */
    uint32_t subscriber; /* USAGE_UNASSIGNED if none */
    uint16_t class_id, app_id;
    uint8_t dir; /* enum flow_dir */
    struct usage_counts counts;
};

/* Receives classified flows. The delta is borrowed for the duration of the call. */
typedef void usage_emit_fn(void *ctx, const struct usage_delta *d);

struct usage_sink {
    usage_emit_fn *emit;
    void *ctx;
};

#endif
