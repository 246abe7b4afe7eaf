// SPDX-License-Identifier: MIT
// DHCP lease files: the helpers both parsers share (file:line errors, numbers, hex octets,
// DUIDs, dates), the choice of format by content, and reading a file whole. The formats
// themselves are in leases_isc.c and leases_kea.c. Nothing is allocated while parsing.
#include "leases_internal.h"

#include "../base/units.h"
#include "../base/quote.h"
#include "../base/err.h"
#include "../base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- shared helpers ----------------------------------------------------------------- */

/* Writes "FILE:LINE: expected WHAT, got GOT" unless an error is already there. Returns
 * ERR_MALFORMED, so parsers can `return leases_fail(...)`. */
int leases_fail(struct report *r, size_t line, const char *got, const char *fmt, ...)
{
    if (r->has_error)
        return ERR_MALFORMED;
    r->has_error = true;
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->errbuf, ERR_BUF_LEN, "%s:%zu: expected %s, got %s", r->filename, line, what, got);
    return ERR_MALFORMED;
}

/* Quotes input for a message (base/quote.h). out holds SHOWN_LEN bytes. */
const char *leases_quote(char *out, const char *p, size_t n)
{
    return quote_input(out, p, n, SHOWN_MAX);
}

/* Copies n bytes of input into a C string. False if they do not fit in cap (with the NUL)
 * or contain a NUL, which would cut the text short and hide what follows. */
bool leases_copy_text(char *dst, size_t cap, const char *p, size_t n)
{
    if (n >= cap || memchr(p, '\0', n))
        return false;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return true;
}

/* Parses n decimal digits (nothing else) no greater than max. */
bool leases_parse_uint(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    if (n == 0 || n > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        unsigned d = (unsigned)(p[i] - '0');
        if (d > max || v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Parses hex octets separated by ':' ("0:16:3e:a:b:c" or "00:16:3e:0a:0b:0c"; dhcpd
 * versions differ in the leading zero). Returns the number of octets, or -1 if the text is
 * anything else or holds more than cap octets. */
int leases_hex_octets(const char *p, size_t n, uint8_t *out, size_t cap)
{
    size_t count = 0, i = 0;
    if (n == 0)
        return -1;
    for (;;) {
        int hi = i < n ? units_hex_value(p[i]) : -1;
        if (hi < 0 || count == cap)
            return -1;
        i++;
        int lo = i < n ? units_hex_value(p[i]) : -1;
        if (lo >= 0) {
            out[count++] = (uint8_t)(hi << 4 | lo);
            i++;
        } else {
            out[count++] = (uint8_t)hi;
        }
        if (i == n)
            return (int)count;
        if (p[i] != ':')
            return -1;
        i++;
    }
}

/* RFC 8415 §11.2 (DUID-LLT: type 1, hardware type, time, address) and §11.4 (DUID-LL:
 * type 3, hardware type, address). Only hardware type 1 (Ethernet) has a MAC. */
bool leases_duid_mac(const uint8_t *duid, size_t n, uint8_t mac[6])
{
    if (n < 4)
        return false;
    unsigned type = (unsigned)duid[0] << 8 | duid[1];
    unsigned hw_type = (unsigned)duid[2] << 8 | duid[3];
    size_t off = type == 1 ? 8 : type == 3 ? 4 : 0;
    if (off == 0 || hw_type != 1 || n != off + 6)
        return false;
    memcpy(mac, duid + off, 6);
    return true;
}

static bool is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Leap years in 1..y-1. */
static unsigned leaps_before(unsigned y)
{
    y--;
    return y / 4 - y / 100 + y / 400;
}

/* Seconds since 1970-01-01 00:00:00 UTC of a valid date and time (year >= 1970). */
static uint64_t utc_seconds(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                            unsigned s)
{
    uint64_t days = 365ULL * (y - 1970) + leaps_before(y) - leaps_before(1970);
    for (unsigned m = 1; m < mo; m++)
        days += days_in_month(y, m);
    days += d - 1;
    return ((days * 24 + h) * 60 + mi) * 60 + s;
}

/* Reads `min`..`max` digits at *p (not past end) into *out and moves *p past them. */
static bool take_digits(const char **p, const char *end, unsigned min, unsigned max, unsigned *out)
{
    unsigned v = 0, n = 0;
    while (*p < end && **p >= '0' && **p <= '9' && n < max) {
        v = v * 10 + (unsigned)(**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n >= min && !(*p < end && **p >= '0' && **p <= '9');
}

/* "YYYY/MM/DD" (months and days of one or two digits) as seconds at midnight UTC. */
bool leases_parse_ymd(const char *p, size_t n, uint64_t *out)
{
    const char *end = p + n;
    unsigned y, m, d;
    if (!take_digits(&p, end, 4, 4, &y) || p == end || *p++ != '/' ||
        !take_digits(&p, end, 1, 2, &m) || p == end || *p++ != '/' ||
        !take_digits(&p, end, 1, 2, &d) || p != end)
        return false;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return false;
    *out = utc_seconds(y, m, d, 0, 0, 0);
    return true;
}

/* "HH:MM:SS" as seconds since midnight. dhcpd never writes a leap second. */
bool leases_parse_hms(const char *p, size_t n, uint64_t *out)
{
    const char *end = p + n;
    unsigned h, m, s;
    if (!take_digits(&p, end, 1, 2, &h) || p == end || *p++ != ':' ||
        !take_digits(&p, end, 1, 2, &m) || p == end || *p++ != ':' ||
        !take_digits(&p, end, 1, 2, &s) || p != end)
        return false;
    if (h > 23 || m > 59 || s > 59)
        return false;
    *out = (uint64_t)h * 3600 + m * 60 + s;
    return true;
}

/* ---- format choice and files -------------------------------------------------------- */

int leases_parse(const char *text, size_t len, const char *filename, bool lenient,
                 lease_emit_fn *emit, void *ctx, struct lease_counters *c, char *errbuf)
{
    static const char kea_start[] = "address,";
    if (len >= sizeof kea_start - 1 && memcmp(text, kea_start, sizeof kea_start - 1) == 0)
        return leases_parse_kea(text, len, filename, lenient, emit, ctx, c, errbuf);
    return leases_parse_isc(text, len, filename, lenient, emit, ctx, c, errbuf);
}

int leases_parse_file(const char *path, bool lenient, lease_emit_fn *emit, void *ctx,
                      struct lease_counters *c, char *errbuf)
{
    assert(path && emit && c && errbuf);
    *c = (struct lease_counters){0};
    errbuf[0] = '\0';
    char *buf = NULL;
    int rc = 0, fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", path, strerror(-rc));
        goto out;
    }
    /* A regular file is read in one allocation of its size plus the byte that shows it
     * did not grow; a pipe or a file that grows while read is read in doubling steps. */
    size_t cap = 64 * 1024, n = 0;
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size <= LEASES_FILE_MAX)
        cap = (size_t)st.st_size + 1;
    else if (S_ISREG(st.st_mode))
        goto too_big;
    buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > LEASES_FILE_MAX)
                goto too_big;
            cap = cap * 2 > LEASES_FILE_MAX + 1 ? LEASES_FILE_MAX + 1 : cap * 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -errno;
            snprintf(errbuf, ERR_BUF_LEN, "%s: %s", path, strerror(-rc));
            goto out;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > LEASES_FILE_MAX)
        goto too_big;
    rc = leases_parse(buf, n, path, lenient, emit, ctx, c, errbuf);
    goto out;
too_big:
    rc = ERR_LIMIT;
    snprintf(errbuf, ERR_BUF_LEN, "%s: larger than %zu MB", path, LEASES_FILE_MAX >> 20);
out:
    free(buf);
    if (fd >= 0)
        close(fd);
    return rc;
}
