// SPDX-License-Identifier: MIT
// Local time for the read side. The store only adds a fixed offset to bucket starts and
// divides (so every engine gives the same answer); this file finds where the time zone's
// offset changes within a period, so a report can ask the store span by span, and names
// the local days and hours the store numbered.
#ifndef FT_PERIODS_H
#define FT_PERIODS_H

#include <stddef.h>
#include <stdint.h>

/* A part of a period throughout which local time is UTC plus utc_offset_s. */
struct offset_span {
    uint64_t from_ms, to_ms; /* [from, to) */
    int32_t utc_offset_s;
};

#define PERIODS_MAX_SPANS 512 /* two offset changes a year for 250 years */
#define PERIODS_HORIZON_MS (10ULL * 366 * 86400 * 1000) /* how far ahead of now to look */

/* Splits [from_ms, to_ms) into spans of one UTC offset each in the process's time zone
 * (TZ). Offset changes are looked for week by week up to `horizon_ms` (past it, the last
 * offset holds) and pinned to the second: zones change offset at most twice a year, never
 * twice within a week. OUT: spans (PERIODS_MAX_SPANS at most). Returns the count (>= 1). */
size_t periods_offset_spans(uint64_t from_ms, uint64_t to_ms, uint64_t horizon_ms,
                            struct offset_span *spans);

/* Names the local day (YYYY-MM-DD) or hour (YYYY-MM-DD HH:00) a store numbered as
 * (bucket + utc_offset) / 86400 or / 3600. buf: at least 20 bytes. Returns buf. */
const char *periods_day_name(int64_t day, char *buf);
const char *periods_hour_name(int64_t hour, char *buf);

#endif
