// SPDX-License-Identifier: MIT
// Parsing and formatting helpers of the read side: times, formats, byte units. Local time
// never enters; every time here is UTC.
#include "report.h"

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

int report_parse_time(const char *s, uint64_t *ms)
{
    char *end;
    if (*s >= '0' && *s <= '9' && !strchr(s, '-')) {
        unsigned long long secs = strtoull(s, &end, 10);
        if (*end != '\0' || secs > 253402300799ULL) /* 9999-12-31 */
            return ERR_MALFORMED;
        *ms = secs * 1000;
        return 0;
    }
    struct tm tm = {0};
    int n = 0;
    int year, mon, day, hour = 0, min = 0, sec = 0;
    char tail[4] = "";
    int fields = sscanf(s, "%4d-%2d-%2d%n", &year, &mon, &day, &n);
    if (fields != 3)
        return ERR_MALFORMED;
    const char *rest = s + n;
    if (*rest == 'T' || *rest == ' ') {
        int m = 0;
        if (sscanf(rest + 1, "%2d:%2d%n", &hour, &min, &m) != 2)
            return ERR_MALFORMED;
        rest += 1 + m;
        if (*rest == ':') {
            if (sscanf(rest + 1, "%2d%n", &sec, &m) != 1)
                return ERR_MALFORMED;
            rest += 1 + m;
        }
    }
    if (sscanf(rest, "%3s", tail) == 1 && strcmp(tail, "Z") != 0)
        return ERR_MALFORMED;
    if (year < 1970 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
        sec > 60)
        return ERR_MALFORMED;
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    time_t t = timegm(&tm);
    if (t < 0)
        return ERR_MALFORMED;
    *ms = (uint64_t)t * 1000;
    return 0;
}

const char *report_human_bytes(uint64_t bytes, char *buf)
{
    static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    if (bytes < 1000) {
        snprintf(buf, 32, "%llu B", (unsigned long long)bytes);
        return buf;
    }
    /* Integer arithmetic to one decimal: exact for billing eyes, no float rounding drift. */
    uint64_t div = 1;
    size_t u = 0;
    while (bytes / div >= 1000 && u + 1 < sizeof units / sizeof units[0]) {
        div *= 1000;
        u++;
    }
    uint64_t tenths = (bytes % div) * 10 / div;
    snprintf(buf, 32, "%llu.%llu %s", (unsigned long long)(bytes / div), (unsigned long long)tenths,
             units[u]);
    return buf;
}
