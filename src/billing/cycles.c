// SPDX-License-Identifier: MIT
// Cycle arithmetic on local calendar dates with mktime(), which also settles daylight
// saving: a cycle starts at local midnight whatever the UTC offset that day.
#include "cycles.h"

#include "../base/err.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static uint64_t local_midnight_ms(int year, int month, int day)
{
    struct tm tm = {0};
    /* mktime normalises months outside 1..12 into neighbouring years */
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_isdst = -1;
    time_t t = mktime(&tm);
    return t < 0 ? 0 : (uint64_t)t * 1000;
}

void cycle_of_month(int anchor_day, int year, int month, struct cycle *out)
{
    int y = year + (month - 1) / 12, m = (month - 1) % 12 + 1;
    if (m < 1) {
        m += 12;
        y--;
    }
    out->year = y;
    out->month = m;
    out->start_ms = local_midnight_ms(y, m, anchor_day);
    out->end_ms = local_midnight_ms(y, m + 1, anchor_day);
}

void cycle_at(int anchor_day, uint64_t t_ms, int offset, struct cycle *out)
{
    time_t t = (time_t)(t_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    int year = tm.tm_year + 1900, month = tm.tm_mon + 1;
    cycle_of_month(anchor_day, year, month, out);
    if (out->start_ms > t_ms) /* before this month's anchor: the cycle began last month */
        month--;
    month += offset;
    while (month < 1) {
        month += 12;
        year--;
    }
    while (month > 12) {
        month -= 12;
        year++;
    }
    cycle_of_month(anchor_day, year, month, out);
}

int cycle_parse(const char *s, int anchor_day, uint64_t now_ms, struct cycle *out)
{
    int year, month, n = 0;
    if (strcmp(s, "current") == 0) {
        cycle_at(anchor_day, now_ms, 0, out);
        return 0;
    }
    if (strcmp(s, "previous") == 0) {
        cycle_at(anchor_day, now_ms, -1, out);
        return 0;
    }
    if (sscanf(s, "%4d-%2d%n", &year, &month, &n) == 2 && s[n] == '\0' && year >= 1970 &&
        month >= 1 && month <= 12) {
        cycle_of_month(anchor_day, year, month, out);
        return 0;
    }
    return ERR_MALFORMED;
}
