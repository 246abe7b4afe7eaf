// SPDX-License-Identifier: MIT
// Cycle arithmetic on local calendar dates with mktime(), which also settles daylight
// saving: a cycle starts at local midnight whatever the UTC offset that day. The calendar
// itself (month lengths, leap years) is computed here, not left to mktime's normalising,
// which would carry an anchor of 31 in February into March.
#include "cycles.h"

#include "../base/err.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

static int clamp_anchor(int anchor_day)
{
    return anchor_day < CYCLE_ANCHOR_MIN   ? CYCLE_ANCHOR_MIN
           : anchor_day > CYCLE_ANCHOR_MAX ? CYCLE_ANCHOR_MAX
                                           : anchor_day;
}

/* Carries a month outside 1..12 into the neighbouring years. */
static void normalise_month(int *year, int *month)
{
    int m0 = *month - 1; /* 0-based, possibly negative */
    int carry = m0 >= 0 ? m0 / 12 : -((11 - m0) / 12);
    *year += carry;
    *month = m0 - carry * 12 + 1;
}

int cycle_start_day(int anchor_day, int year, int month)
{
    normalise_month(&year, &month);
    int last = days_in_month(year, month);
    int day = clamp_anchor(anchor_day);
    return day < last ? day : last;
}

/* 00:00 local time of a real date (month 1..12, day within it). Where midnight does not
 * exist (a zone that moves its clocks at 00:00), mktime gives the first instant after the
 * gap, which is where that day begins. */
static uint64_t local_midnight_ms(int year, int month, int day)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_isdst = -1; /* the zone's rule for that date decides, not ours */
    time_t t = mktime(&tm);
    return t < 0 ? 0 : (uint64_t)t * 1000;
}

void cycle_of_month(int anchor_day, int year, int month, struct cycle *out)
{
    normalise_month(&year, &month);
    int next_year = year, next_month = month + 1;
    normalise_month(&next_year, &next_month);
    out->year = year;
    out->month = month;
    out->start_ms = local_midnight_ms(year, month, cycle_start_day(anchor_day, year, month));
    out->end_ms = local_midnight_ms(next_year, next_month,
                                    cycle_start_day(anchor_day, next_year, next_month));
}

void cycle_at(int anchor_day, uint64_t t_ms, int offset, struct cycle *out)
{
    time_t t = (time_t)(t_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    int year = tm.tm_year + 1900, month = tm.tm_mon + 1;
    /* The cycle holding t started in t's local month or in the one before: a cycle
     * starting in a month starts within it, so the next one starts after t's month. */
    cycle_of_month(anchor_day, year, month, out);
    if (out->start_ms > t_ms)
        month--;
    cycle_of_month(anchor_day, year, month + offset, out);
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
