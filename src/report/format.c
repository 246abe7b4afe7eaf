// SPDX-License-Identifier: MIT
// Parsing and formatting helpers of the read side: times, formats, byte units. Local time
// never enters; every time here is UTC.
#include "report.h"

#include "../base/units.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int report_parse_format(const char *s, enum report_format *out)
{
    if (strcmp(s, "table") == 0)
        *out = REPORT_TABLE;
    else if (strcmp(s, "csv") == 0)
        *out = REPORT_CSV;
    else if (strcmp(s, "json") == 0)
        *out = REPORT_JSON;
    else
        return ERR_MALFORMED;
    return 0;
}

/* Reads min to max decimal digits at *p (no sign, no blanks, which sscanf would allow) and
 * moves *p past them. */
static bool read_digits(const char **p, int min, int max, int *out)
{
    int n = 0, v = 0;
    for (; n < max && (*p)[n] >= '0' && (*p)[n] <= '9'; n++)
        v = v * 10 + ((*p)[n] - '0');
    if (n < min)
        return false;
    *p += n;
    *out = v;
    return true;
}

int report_parse_time(const char *s, uint64_t *ms)
{
    char *end;
    if (*s >= '0' && *s <= '9' && !strchr(s, '-')) {
        unsigned long long secs = strtoull(s, &end, 10);
        if (*end != '\0')
            return ERR_MALFORMED;
        if (secs > 253402300799ULL) /* 9999-12-31T23:59:59Z */
            return -ERANGE;
        *ms = secs * 1000;
        return 0;
    }
    const char *p = s;
    int year, mon, day, hour = 0, min = 0, sec = 0;
    if (!read_digits(&p, 4, 4, &year) || *p++ != '-' || !read_digits(&p, 1, 2, &mon) ||
        *p++ != '-' || !read_digits(&p, 1, 2, &day))
        return ERR_MALFORMED;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (!read_digits(&p, 1, 2, &hour) || *p++ != ':' || !read_digits(&p, 1, 2, &min))
            return ERR_MALFORMED;
        if (*p == ':') {
            p++;
            if (!read_digits(&p, 1, 2, &sec))
                return ERR_MALFORMED;
        }
    }
    if (*p == 'Z')
        p++;
    if (*p != '\0')
        return ERR_MALFORMED;
    /* timegm() normalises what it is given, in place: February 30 becomes March 2, 24:00
     * the next day. The time is real exactly when every field comes back as it was given.
     * That refuses :60 too, which is right: unix time has no leap seconds, so a 60th second
     * could only be the next minute's first. */
    struct tm tm = {.tm_year = year - 1900,
                    .tm_mon = mon - 1,
                    .tm_mday = day,
                    .tm_hour = hour,
                    .tm_min = min,
                    .tm_sec = sec};
    time_t t = timegm(&tm);
    if (year < 1970 || t < 0 || tm.tm_year != year - 1900 || tm.tm_mon != mon - 1 ||
        tm.tm_mday != day || tm.tm_hour != hour || tm.tm_min != min || tm.tm_sec != sec)
        return -ERANGE;
    *ms = (uint64_t)t * 1000;
    return 0;
}

const char *report_human_bytes(uint64_t bytes, char *buf)
{
    return units_format_bytes(bytes, buf);
}
