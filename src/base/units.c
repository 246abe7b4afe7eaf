// SPDX-License-Identifier: MIT
// Quantity parsing with exact integer arithmetic and overflow checks.
#include "units.h"

#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Reads digits [. digits] into an integer part and up to max_frac fraction digits scaled
 * to 10^max_frac. Returns the number of characters read, or 0 on error. */
static size_t read_decimal(const char *s, unsigned max_frac, uint64_t *whole, uint64_t *frac)
{
    const char *p = s;
    *whole = 0;
    *frac = 0;
    if (!isdigit((unsigned char)*p))
        return 0;
    /* Too many digits saturate rather than fail, so the caller can say "too large" (every
     * caller's limit is below UINT64_MAX) instead of "not a number". */
    for (; isdigit((unsigned char)*p); p++) {
        if (*whole > (UINT64_MAX - 9) / 10)
            *whole = UINT64_MAX;
        else
            *whole = *whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        p++;
        unsigned n = 0;
        if (!isdigit((unsigned char)*p))
            return 0;
        for (; isdigit((unsigned char)*p); p++, n++) {
            if (n == max_frac)
                return 0; /* more precision than the unit can hold */
            *frac = *frac * 10 + (uint64_t)(*p - '0');
        }
        for (; n < max_frac; n++)
            *frac *= 10;
    }
    return (size_t)(p - s);
}

int units_parse_bytes(const char *s, uint64_t *out)
{
    static const struct {
        const char *name;
        uint64_t factor;
    } units[] = {{"", 1},
                 {"b", 1},
                 {"kb", 1000ULL},
                 {"mb", 1000000ULL},
                 {"gb", 1000000000ULL},
                 {"tb", 1000000000000ULL},
                 {"pb", 1000000000000000ULL},
                 {"eb", 1000000000000000000ULL},
                 {"kib", 1ULL << 10},
                 {"mib", 1ULL << 20},
                 {"gib", 1ULL << 30},
                 {"tib", 1ULL << 40},
                 {"pib", 1ULL << 50},
                 {"eib", 1ULL << 60}};
    uint64_t whole, frac;
    size_t n = read_decimal(s, 9, &whole, &frac); /* fraction in billionths */
    if (n == 0)
        return ERR_MALFORMED;
    const char *unit = s + n;
    while (*unit == ' ')
        unit++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(unit, units[i].name) != 0)
            continue;
        /* In 128 bits neither product can wrap (both factors are below 2^64), so the range
         * check below sees the true value: 1.5TiB is 5e8 billionths times 2^40, past 2^64. */
        unsigned __int128 f = units[i].factor;
        unsigned __int128 frac_billionths = frac * f;
        if (frac_billionths % 1000000000U != 0)
            return ERR_MALFORMED; /* a fraction of a byte */
        unsigned __int128 total = whole * f + frac_billionths / 1000000000U;
        if (total > UNITS_BYTES_MAX)
            return -ERANGE;
        *out = (uint64_t)total;
        return 0;
    }
    return ERR_MALFORMED;
}

int units_parse_rate(const char *s, uint64_t *bps)
{
    static const struct {
        const char *name;
        uint64_t factor;
    } units[] = {{"bps", 1}, {"kbps", 1000ULL}, {"mbps", 1000000ULL}, {"gbps", 1000000000ULL}};
    uint64_t whole, frac;
    size_t n = read_decimal(s, 9, &whole, &frac); /* fraction in billionths */
    if (n == 0)
        return ERR_MALFORMED;
    const char *unit = s + n;
    while (*unit == ' ')
        unit++;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcasecmp(unit, units[i].name) != 0)
            continue;
        /* 128 bits, as in units_parse_bytes(): neither product wraps */
        unsigned __int128 f = units[i].factor;
        unsigned __int128 frac_billionths = frac * f;
        if (frac_billionths % 1000000000U != 0)
            return ERR_MALFORMED; /* a fraction of a bit per second */
        unsigned __int128 total = whole * f + frac_billionths / 1000000000U;
        if (total > UNITS_BPS_MAX)
            return -ERANGE;
        *bps = (uint64_t)total;
        return 0;
    }
    return ERR_MALFORMED;
}

int units_parse_money(const char *s, int64_t *micro)
{
    uint64_t whole, frac;
    bool is_negative = *s == '-';
    size_t n = read_decimal(s + is_negative, 6, &whole, &frac);
    if (n == 0 || s[is_negative + n] != '\0')
        return ERR_MALFORMED;
    /* A price or an overage rate is never negative (a credit is not a price), and its
     * millionths must fit the store's signed 64-bit integer. */
    if (is_negative || whole > ((uint64_t)INT64_MAX - frac) / UNITS_MICRO)
        return -ERANGE;
    *micro = (int64_t)(whole * UNITS_MICRO + frac);
    return 0;
}

const char *units_format_money(int64_t micro, char *buf)
{
    const char *sign = micro < 0 ? "-" : "";
    uint64_t m = micro < 0 ? (uint64_t)0 - (uint64_t)micro : (uint64_t)micro;
    uint64_t frac = m % UNITS_MICRO;
    int digits = 6; /* trailing zeros beyond the cents are dropped */
    while (digits > 2 && frac % 10 == 0) {
        frac /= 10;
        digits--;
    }
    char frac_text[8];
    snprintf(frac_text, sizeof frac_text, "%06llu", (unsigned long long)(m % UNITS_MICRO));
    frac_text[digits] = '\0';
    snprintf(buf, 32, "%s%llu.%s", sign, (unsigned long long)(m / UNITS_MICRO), frac_text);
    return buf;
}

const char *units_format_cents(int64_t cents, char *buf)
{
    uint64_t c = cents < 0 ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
    snprintf(buf, 32, "%s%llu.%02llu", cents < 0 ? "-" : "", (unsigned long long)(c / 100),
             (unsigned long long)(c % 100));
    return buf;
}

int units_hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int units_parse_mac(const char *s, uint8_t mac[6])
{
    int n = 0;
    int nibbles = 0;
    char sep = 0;
    for (const char *p = s; *p; p++) {
        int v = units_hex_value(*p);
        if (v >= 0) {
            if (n == 6)
                return ERR_MALFORMED;
            mac[n] = (uint8_t)(nibbles == 0 ? v << 4 : mac[n] | v);
            if (++nibbles == 2) {
                nibbles = 0;
                n++;
            }
            continue;
        }
        /* one separator style throughout, only between bytes */
        if ((*p != ':' && *p != '-' && *p != '.') || nibbles != 0 || n == 0 || (sep && *p != sep))
            return ERR_MALFORMED;
        sep = *p;
    }
    return n == 6 && nibbles == 0 ? 0 : ERR_MALFORMED;
}

const char *units_format_mac(const uint8_t mac[6], char *buf)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
    return buf;
}

const char *units_format_bytes(uint64_t bytes, char *buf)
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
