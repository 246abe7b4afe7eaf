// SPDX-License-Identifier: MIT
// The read model shared by the CLI (and later the web API): usage and collector counters out
// of the store, as a human table, CSV or JSON. CSV and JSON carry exact integers.
#ifndef FT_REPORT_H
#define FT_REPORT_H

#include "../base/err.h"

#include <stdint.h>
#include <stdio.h>

enum report_format { REPORT_TABLE, REPORT_CSV, REPORT_JSON };

struct report_query {
    const char *db;          /* store path */
    uint64_t from_ms, to_ms; /* period [from, to) by bucket start; to 0 = no end */
    enum report_format format;
    unsigned group;        /* enum usage_group bits (store.h); 0 = by host */
    int64_t subscriber_id; /* only this subscriber, or -1 */
};

/* One row per key of q->group: in/out/internal/transit bytes, packets and flows. Returns 0,
 * or a negative code with a message in errbuf. */
int report_usage(const struct report_query *q, FILE *out, char *errbuf);

/* Parses a --by list ("subscriber,class", "host", "day") into usage_group bits. Returns 0
 * or ERR_MALFORMED. */
int report_parse_group(const char *s, unsigned *group);

/* Collector counters per exporter stream, summed over every flush. */
int report_stats(const struct report_query *q, FILE *out, char *errbuf);

/* The latest counters of every interface sFlow agents reported (exporter health). */
int report_interfaces(const struct report_query *q, FILE *out, char *errbuf);

/* Parses a format name. Returns 0 or ERR_MALFORMED. */
int report_parse_format(const char *s, enum report_format *out);

/* Parses a time: unix seconds, YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS][Z], all UTC. Returns 0,
 * ERR_MALFORMED, or -ERANGE for a time in that form that does not exist (2026-02-30,
 * 24:00, :60: no leap seconds) or lies outside 1970..9999. */
int report_parse_time(const char *s, uint64_t *ms);

/* Formats a byte count with a decimal unit ("1.5 GB"); buf holds 32 bytes. */
const char *report_human_bytes(uint64_t bytes, char *buf);

#endif
