// SPDX-License-Identifier: MIT
// Billing cycles: a plan's cycle starts at 00:00 local time on its anchor day (1..31) of
// each month, or on the month's last day when the month is shorter (anchor 31: Jan 31,
// Feb 28 or 29, Mar 31, Apr 30), and ends where the next one starts. Local time is the
// process's (TZ from the environment; the daemon sets it from the timezone key) and lives
// here, on the read side only; the store holds UTC.
#ifndef FT_CYCLES_H
#define FT_CYCLES_H

#include <stdint.h>

#define CYCLE_ANCHOR_MIN 1
#define CYCLE_ANCHOR_MAX 31

struct cycle {
    uint64_t start_ms, end_ms; /* [start, end), ms since epoch UTC */
    int year, month;           /* local year and month the cycle starts in */
};

/* The cycle holding t, moved by `offset` cycles (0 = that cycle, -1 = the one before).
 * An anchor_day outside 1..31 is taken as the nearest of them. */
void cycle_at(int anchor_day, uint64_t t_ms, int offset, struct cycle *out);

/* The cycle that starts in the given local year and month (month 1..12; others are
 * carried into the neighbouring years). */
void cycle_of_month(int anchor_day, int year, int month, struct cycle *out);

/* The day of the month a cycle with anchor_day starts on in that year and month: the
 * anchor, or the month's last day when the month has fewer days. */
int cycle_start_day(int anchor_day, int year, int month);

/* Parses "current", "previous" or "YYYY-MM" relative to now_ms. Returns 0 or ERR_MALFORMED. */
int cycle_parse(const char *s, int anchor_day, uint64_t now_ms, struct cycle *out);

#endif
