// SPDX-License-Identifier: MIT
// The collector's pulse: at -v, one line a minute saying what it received and stored, so
// a running collector is visibly alive (and a silent router visibly silent).
#ifndef FT_ACTIVITY_H
#define FT_ACTIVITY_H

#include "flusher.h"

#include <stdint.h>

struct activity {
    uint64_t since_ms;      /* monotonic start of the minute being tallied; 0 = not started */
    uint64_t records;       /* flow records decoded (per-exporter "records") */
    uint64_t other;         /* log lines and captured flows */
    uint64_t drops;         /* every drop_* counter and kernel drops */
    size_t max_exporters;   /* the most exporter streams that sent in one flush interval */
    uint64_t flushes_start; /* the flusher's n_flushes at the start of the minute */
    uint64_t keys_start;    /* and its written_keys */
};

#define ACTIVITY_PERIOD_MS 60000

/* Tallies a batch's counters, before it is handed over. */
void activity_add_batch(struct activity *a, const struct flush_batch *b);

/* Logs the minute's line (info level) once a minute has passed since the last one, and
 * starts the next. now_ms: monotonic. */
void activity_tick(struct activity *a, struct flusher *fl, uint64_t now_ms);

#endif
