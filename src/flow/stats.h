// SPDX-License-Identifier: MIT
// A collector counter on its way to the store: the increase of one named counter of one
// source (or of the whole collector, exporter "*") since the previous flush.
#ifndef FT_STATS_H
#define FT_STATS_H

#include <stdint.h>

struct stat_row {
    const char *exporter; /* address text, or "*" for collector-wide counters; borrowed */
    uint8_t version;      /* 5, 9, 10, or 0 for collector-wide */
    uint32_t domain;      /* source id / observation domain / v5 engine */
    const char *name;     /* counter name, e.g. "records"; borrowed */
    uint64_t value;       /* increase since the last flush */
};

/* The latest counters of one interface of an sFlow agent. */
struct iface_row {
    const char *agent; /* address text; borrowed */
    uint32_t if_index;
    uint64_t time_ms, speed_bps;
    uint32_t status; /* bit 0 admin up, bit 1 oper up */
    uint64_t in_octets, out_octets;
    uint64_t in_errors, out_errors, in_discards, out_discards;
};

#endif
