// SPDX-License-Identifier: MIT
// Billing cycles: a plan's cycle starts at 00:00 local time on its anchor day (1..28) of
// each month and ends where the next one starts. Local time lives here, on the read side
// only; the store holds UTC.
#ifndef FT_CYCLES_H
#define FT_CYCLES_H

#include <stdint.h>

struct cycle {
    uint64_t start_ms, end_ms; /* [start, end), ms since epoch UTC */
    int year, month;           /* local year and month the cycle starts in */
};

/* The cycle holding t, moved by `offset` cycles (0 = that cycle, -1 = the one before). */
void cycle_at(int anchor_day, uint64_t t_ms, int offset, struct cycle *out);

/* The cycle that starts in the given local year and month (month 1..12). */
void cycle_of_month(int anchor_day, int year, int month, struct cycle *out);

/* Parses "current", "previous" or "YYYY-MM" relative to now_ms. Returns 0 or ERR_MALFORMED. */
int cycle_parse(const char *s, int anchor_day, uint64_t now_ms, struct cycle *out);

#endif
