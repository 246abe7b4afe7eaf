// SPDX-License-Identifier: MIT
// Offset spans of the local time zone, and names of local days and hours.
#include "periods.h"

#include <stdio.h>
#include <time.h>

#define WEEK_S (7 * 86400)

static int32_t offset_at(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return (int32_t)tm.tm_gmtoff;
}

/* The first second in (lo, hi] whose offset differs from lo's: offset_at(lo) differs from
 * offset_at(hi). */
static int64_t change_between(int64_t lo, int64_t hi)
{
    int32_t before = offset_at(lo);
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (offset_at(mid) == before)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

size_t periods_offset_spans(uint64_t from_ms, uint64_t to_ms, uint64_t horizon_ms,
                            struct offset_span *spans)
{
    int64_t from = (int64_t)(from_ms / 1000);
    int64_t end =
        to_ms / 1000 < horizon_ms / 1000 ? (int64_t)(to_ms / 1000) : (int64_t)(horizon_ms / 1000);
    size_t n = 0;
    spans[0] = (struct offset_span){from_ms, to_ms, offset_at(from)};
    for (int64_t t = from; t < end && n + 1 < PERIODS_MAX_SPANS;) {
        int64_t next = t + WEEK_S < end ? t + WEEK_S : end;
        if (offset_at(next) != spans[n].utc_offset_s) {
            int64_t at = change_between(t, next);
            spans[n].to_ms = (uint64_t)at * 1000;
            n++;
            spans[n] = (struct offset_span){(uint64_t)at * 1000, to_ms, offset_at(at)};
            t = at;
        } else {
            t = next;
        }
    }
    return n + 1;
}

static struct tm utc(int64_t seconds)
{
    time_t t = (time_t)seconds;
    struct tm tm;
    gmtime_r(&t, &tm); /* the offset is in the number already */
    return tm;
}

const char *periods_day_name(int64_t day, char *buf)
{
    struct tm tm = utc(day * 86400);
    strftime(buf, 20, "%Y-%m-%d", &tm);
    return buf;
}

const char *periods_hour_name(int64_t hour, char *buf)
{
    struct tm tm = utc(hour * 3600);
    strftime(buf, 20, "%Y-%m-%d %H:00", &tm);
    return buf;
}
