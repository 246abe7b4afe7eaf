// SPDX-License-Identifier: MIT
// Log line parsers: Squid's native access.log, the plain usage format and the plain
// mapping format. A line is split into blank-separated fields that point into the
// caller's text; the fields are read left to right and the first one that does not fit
// is named in the message ("expected X, got Y"). Nothing is allocated. The buffer-level
// parser and the follower (logfollow.c) both go through logs_feed_line, so a line is
// counted and reported the same way whichever reads it.
#include "logs.h"

#include "../base/quote.h"
#include "../base/err.h"
#include "../base/units.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_SECONDS 253402300799ULL /* 9999-12-31 23:59:59 UTC: the last 4-digit year */
#define MAX_FIELDS 12               /* Squid uses 10; the 11th only has to be looked at */
#define SHOWN_MAX 40                /* bytes of input quoted in a message */
#define SHOWN_LEN QUOTE_LEN(SHOWN_MAX)
#define ADDR_TEXT_MAX 64 /* longer fields are not addresses */
#define MAC_TEXT_MAX 32

struct field {
    const char *p; /* into the caller's line */
    size_t len;
};

struct line {
    struct field f[MAX_FIELDS];
    size_t n;  /* fields in the line; only the first MAX_FIELDS are stored */
    char *why; /* the caller's */
    size_t why_size;
};

/* ---- messages ----------------------------------------------------------------------- */

/* Quotes input for a message (base/quote.h). out holds SHOWN_LEN bytes. */
static const char *quote(char *out, const char *p, size_t n)
{
    return quote_input(out, p, n, SHOWN_MAX);
}

void logs_why(char *why, size_t why_size, const char *what, const char *text, size_t len)
{
    char shown[SHOWN_LEN];
    snprintf(why, why_size, "expected %s, got %s", what, quote(shown, text, len));
}

/* Writes "expected WHAT, got GOT" (f quoted, or "end of line" when f is NULL) and returns
 * ERR_MALFORMED, so parsers can `return fail(...)`. */
__attribute__((format(printf, 3, 4))) static int fail(struct line *ln, const struct field *f,
                                                      const char *fmt, ...)
{
    char what[128], shown[SHOWN_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(ln->why, ln->why_size, "expected %s, got %s", what,
             f ? quote(shown, f->p, f->len) : "end of line");
    return ERR_MALFORMED;
}

void logs_report(char *errbuf, const char *filename, uint64_t lineno, const char *why)
{
    if (!logs_report_has_room(errbuf))
        return;
    size_t n = strlen(errbuf);
    char num[24] = "?";
    if (lineno > 0)
        snprintf(num, sizeof num, "%" PRIu64, lineno);
    snprintf(errbuf + n, ERR_BUF_LEN - n, "%s%s:%s: %s", n ? "\n" : "", filename, num, why);
}

bool logs_report_has_room(const char *errbuf)
{
    if (errbuf[0] == '\0')
        return true;
    size_t n = 1;
    for (const char *p = errbuf; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    return n < LOGS_ERRORS_SHOWN;
}

/* ---- fields ------------------------------------------------------------------------- */

static bool is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

static void split(struct line *ln, const char *p, size_t len)
{
    const char *end = p + len;
    ln->n = 0;
    for (;;) {
        while (p < end && is_blank(*p))
            p++;
        if (p == end)
            return;
        const char *start = p;
        while (p < end && !is_blank(*p))
            p++;
        if (ln->n < MAX_FIELDS)
            ln->f[ln->n] = (struct field){start, (size_t)(p - start)};
        ln->n++;
    }
}

/* Field i, or NULL when the line has fewer. */
static const struct field *field(const struct line *ln, size_t i)
{
    assert(i < MAX_FIELDS);
    return i < ln->n ? &ln->f[i] : NULL;
}

static bool is_dash(const struct field *f)
{
    return f->len == 1 && f->p[0] == '-';
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Parses n decimal digits (nothing else) no greater than max. */
static bool parse_uint(const char *p, size_t n, uint64_t max, uint64_t *out)
{
    if (n == 0 || n > 20)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return false;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* Parses an IP address literal; brackets around it ("[2001:db8::1]") are allowed. */
static bool parse_ip(const struct field *f, struct ip_addr *out)
{
    const char *p = f->p;
    size_t n = f->len;
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    char text[ADDR_TEXT_MAX];
    struct ip_addr a;
    if (n == 0 || n >= sizeof text || memchr(p, '\0', n))
        return false;
    memcpy(text, p, n);
    text[n] = '\0';
    if (addr_parse(text, &a) != 0)
        return false;
    *out = a;
    return true;
}

static bool parse_mac(const struct field *f, uint8_t mac[6])
{
    char text[MAC_TEXT_MAX];
    uint8_t tmp[6];
    if (f->len >= sizeof text || memchr(f->p, '\0', f->len))
        return false;
    memcpy(text, f->p, f->len);
    text[f->len] = '\0';
    if (units_parse_mac(text, tmp) != 0)
        return false;
    memcpy(mac, tmp, 6);
    return true;
}

/* Copies a user name field into out (BINDING_NAME_MAX bytes); '-' is none (""). With
 * is_squid, Squid's escaping is undone: %XX is the byte XX and "\\" a backslash
 * (Format::QuoteUrlEncodeUsername). False for a name that does not fit or that holds a
 * control character once decoded. */
static bool parse_user(const struct field *f, bool is_squid, char out[BINDING_NAME_MAX])
{
    size_t o = 0;
    out[0] = '\0';
    if (is_dash(f))
        return true;
    for (size_t i = 0; i < f->len; i++) {
        unsigned char ch = (unsigned char)f->p[i];
        if (is_squid && ch == '%' && i + 2 < f->len && units_hex_value(f->p[i + 1]) >= 0 &&
            units_hex_value(f->p[i + 2]) >= 0) {
            ch = (unsigned char)(units_hex_value(f->p[i + 1]) << 4 | units_hex_value(f->p[i + 2]));
            i += 2;
        } else if (is_squid && ch == '\\' && i + 1 < f->len && f->p[i + 1] == '\\') {
            i++;
        }
        if (ch < 0x20 || ch == 0x7f || o + 1 >= BINDING_NAME_MAX)
            return false;
        out[o++] = (char)ch;
    }
    out[o] = '\0';
    return true;
}

/* ---- time --------------------------------------------------------------------------- */

static bool is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Seconds since the epoch of a valid UTC date and time, year >= 1970. */
static uint64_t utc_seconds(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                            unsigned s)
{
    uint64_t days = 0;
    for (unsigned year = 1970; year < y; year++)
        days += is_leap(year) ? 366 : 365;
    for (unsigned m = 1; m < mo; m++)
        days += days_in_month(y, m);
    days += d - 1;
    return ((days * 24 + h) * 60 + mi) * 60 + s;
}

/* 1 to 9 digits of a decimal fraction of a second, as milliseconds (truncated). */
static bool parse_fraction(const char *p, size_t n, uint64_t *ms)
{
    if (n < 1 || n > 9)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return false;
        if (i < 3)
            v = v * 10 + (uint64_t)(p[i] - '0');
    }
    for (size_t i = n; i < 3; i++)
        v *= 10;
    *ms = v;
    return true;
}

/* "SECONDS[.FRACTION]", unix time. */
static bool parse_unix_ms(const struct field *f, uint64_t *ms)
{
    const char *dot = memchr(f->p, '.', f->len);
    size_t n_int = dot ? (size_t)(dot - f->p) : f->len;
    uint64_t s, frac = 0;
    if (!parse_uint(f->p, n_int, MAX_SECONDS, &s))
        return false;
    if (dot && !parse_fraction(dot + 1, f->len - n_int - 1, &frac))
        return false;
    *ms = s * 1000 + frac;
    return true;
}

/* Reads exactly n digits at *p and moves past them. */
static bool take(const char **p, const char *end, size_t n, unsigned *out)
{
    unsigned v = 0;
    if ((size_t)(end - *p) < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit((*p)[i]))
            return false;
        v = v * 10 + (unsigned)((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return true;
}

static bool take_char(const char **p, const char *end, char ch)
{
    if (*p == end || **p != ch)
        return false;
    (*p)++;
    return true;
}

/* ISO 8601 "YYYY-MM-DDTHH:MM:SS[.FRACTION][Z|+HH:MM|-HH:MM]", UTC when no zone is given. */
static bool parse_iso_ms(const struct field *f, uint64_t *ms)
{
    const char *p = f->p, *end = f->p + f->len;
    unsigned y, mo, d, h, mi, s;
    if (!take(&p, end, 4, &y) || !take_char(&p, end, '-') || !take(&p, end, 2, &mo) ||
        !take_char(&p, end, '-') || !take(&p, end, 2, &d) || !take_char(&p, end, 'T') ||
        !take(&p, end, 2, &h) || !take_char(&p, end, ':') || !take(&p, end, 2, &mi) ||
        !take_char(&p, end, ':') || !take(&p, end, 2, &s))
        return false;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
        s > 59)
        return false;
    uint64_t frac = 0;
    if (take_char(&p, end, '.')) {
        const char *start = p;
        while (p < end && is_digit(*p))
            p++;
        if (!parse_fraction(start, (size_t)(p - start), &frac))
            return false;
    }
    int64_t offset_s = 0;
    if (p < end && (*p == '+' || *p == '-')) {
        int sign = *p++ == '-' ? -1 : 1;
        unsigned oh, om;
        if (!take(&p, end, 2, &oh) || !take_char(&p, end, ':') || !take(&p, end, 2, &om) ||
            oh > 23 || om > 59)
            return false;
        offset_s = sign * (int64_t)(oh * 3600 + om * 60);
    } else {
        take_char(&p, end, 'Z');
    }
    if (p != end)
        return false;
    /* Local time minus its offset is UTC: 00:30+01:00 is 23:30Z the day before. */
    int64_t t = (int64_t)utc_seconds(y, mo, d, h, mi, s) - offset_s;
    if (t < 0 || (uint64_t)t > MAX_SECONDS)
        return false;
    *ms = (uint64_t)t * 1000 + frac;
    return true;
}

static bool parse_timestamp(const struct field *f, uint64_t *ms)
{
    if (f->len > 4 && f->p[4] == '-')
        return parse_iso_ms(f, ms);
    return parse_unix_ms(f, ms);
}

#define TIMESTAMP_WHAT "a unix time or an ISO 8601 time such as 2026-09-01T12:00:00Z"

/* ---- Squid -------------------------------------------------------------------------- */

/* Squid's elapsed milliseconds. Unused, but checked: it places the fields that follow. */
static bool parse_elapsed(const struct field *f)
{
    uint64_t v;
    if (f->len > 1 && f->p[0] == '-') /* a clock stepped back during the request */
        return parse_uint(f->p + 1, f->len - 1, UINT64_MAX, &v);
    return parse_uint(f->p, f->len, UINT64_MAX, &v);
}

/* A byte count: digits, at most LOGS_BYTES_MAX; '-' (0) too when allow_dash. `name`
 * says which count, for the message (" for bytes_in"), or is "". */
static int parse_bytes(struct line *ln, const struct field *f, bool allow_dash, const char *name,
                       uint64_t *out)
{
    uint64_t any;
    *out = 0;
    if (f && allow_dash && is_dash(f))
        return 0;
    if (f && parse_uint(f->p, f->len, LOGS_BYTES_MAX, out))
        return 0;
    if (f && parse_uint(f->p, f->len, UINT64_MAX, &any))
        return fail(ln, f, "a byte count of at most %" PRIu64 "%s", LOGS_BYTES_MAX, name);
    return fail(ln, f, "a byte count%s%s", allow_dash ? " or '-'" : "", name);
}

/* True if the underscore-separated tags of a result code include `tag`. */
static bool has_tag(const char *p, size_t n, const char *tag)
{
    size_t tag_len = strlen(tag);
    for (size_t i = 0; i + tag_len <= n; i++) {
        bool starts = i == 0 || p[i - 1] == '_';
        bool ends = i + tag_len == n || p[i + tag_len] == '_';
        if (starts && ends && memcmp(p + i, tag, tag_len) == 0)
            return true;
    }
    return false;
}

/* "CODE/STATUS": CODE is Squid's result tags (LogTags::c_str(): TCP_MISS, NONE_NONE,
 * TCP_DENIED_REPLY, TCP_MISS_ABORTED, ...), STATUS the HTTP status, 000 for none. */
static bool parse_result(const struct field *f, size_t *code_len)
{
    const char *slash = memchr(f->p, '/', f->len);
    if (!slash || slash == f->p)
        return false;
    size_t n = (size_t)(slash - f->p);
    for (size_t i = 0; i < n; i++) {
        char ch = f->p[i];
        if (!(ch >= 'A' && ch <= 'Z') && !is_digit(ch) && ch != '_')
            return false;
    }
    uint64_t status;
    if (f->len - n - 1 > 3 || !parse_uint(slash + 1, f->len - n - 1, 999, &status))
        return false;
    *code_len = n;
    return true;
}

static int parse_squid(struct line *ln, struct log_usage *u)
{
    const struct field *f;
    *u = (struct log_usage){0};
    if (!(f = field(ln, 0)) || !parse_unix_ms(f, &u->time_ms))
        return fail(ln, f, "a unix time such as 1790000000.123");
    if (!(f = field(ln, 1)) || !parse_elapsed(f))
        return fail(ln, f, "an elapsed time in milliseconds");
    if (!(f = field(ln, 2)))
        return fail(ln, f, "a client address");
    u->has_local = parse_ip(f, &u->local); /* a name when log_fqdn is on */
    const struct field *result = field(ln, 3);
    size_t code_len;
    if (!result || !parse_result(result, &code_len))
        return fail(ln, result, "a result code and status such as TCP_MISS/200");
    if (parse_bytes(ln, field(ln, 4), false, "", &u->bytes_in) != 0)
        return ERR_MALFORMED;
    if (!field(ln, 5))
        return fail(ln, NULL, "a request method");
    if (!field(ln, 6))
        return fail(ln, NULL, "a URL");
    if (!(f = field(ln, 7)) || !parse_user(f, true, u->user))
        return fail(ln, f, "a user name (at most %d bytes, no control characters) or '-'",
                    BINDING_NAME_MAX - 1);
    /* "[TIMEOUT_]HIERARCHY_CODE/HOST": the host is "-" when nothing was forwarded, an IP
     * address, or a name (log_ip_on_direct off, or a cache peer's name). */
    f = field(ln, 8);
    const char *slash = f ? memchr(f->p, '/', f->len) : NULL;
    if (!slash || slash == f->p || slash + 1 == f->p + f->len)
        return fail(ln, f, "a hierarchy code and peer such as HIER_DIRECT/203.0.113.5");
    struct field host = {slash + 1, (size_t)(f->p + f->len - slash - 1)};
    u->has_remote = parse_ip(&host, &u->remote);
    if (!field(ln, 9))
        return fail(ln, NULL, "a content type");
    /* log_mime_hdrs appends " [request headers] [reply headers]", spaces unencoded. */
    if ((f = field(ln, 10)) && f->p[0] != '[')
        return fail(ln, f, "the end of the line or logged headers in brackets");

    if (has_tag(result->p, code_len, "DENIED"))
        return LOGS_LINE_DENIED;
    bool is_icp =
        code_len >= 4 && (memcmp(result->p, "UDP_", 4) == 0 || memcmp(result->p, "ICP_", 4) == 0);
    if (is_icp || u->bytes_in == 0)
        return LOGS_LINE_IGNORED;
    return LOGS_LINE_USAGE;
}

/* ---- plain formats ------------------------------------------------------------------ */

/* The "timestamp user mac" every plain line starts with. */
static int parse_plain_head(struct line *ln, uint64_t *time_ms, char user[BINDING_NAME_MAX],
                            bool *has_mac, uint8_t mac[6])
{
    const struct field *f;
    if (!(f = field(ln, 0)) || !parse_timestamp(f, time_ms))
        return fail(ln, f, TIMESTAMP_WHAT);
    if (!(f = field(ln, 1)) || !parse_user(f, false, user))
        return fail(ln, f, "a user name (at most %d bytes, no control characters) or '-'",
                    BINDING_NAME_MAX - 1);
    if (!(f = field(ln, 2)) || !(is_dash(f) || parse_mac(f, mac)))
        return fail(ln, f, "a MAC address or '-'");
    *has_mac = !is_dash(f);
    return 0;
}

static int parse_plain(struct line *ln, struct log_usage *u)
{
    const struct field *f;
    *u = (struct log_usage){0};
    if (parse_plain_head(ln, &u->time_ms, u->user, &u->has_mac, u->mac) != 0)
        return ERR_MALFORMED;
    if (!(f = field(ln, 3)) || !(is_dash(f) || parse_ip(f, &u->local)))
        return fail(ln, f, "a local IP address or '-'");
    u->has_local = !is_dash(f);
    if (!(f = field(ln, 4)) || !(is_dash(f) || parse_ip(f, &u->remote)))
        return fail(ln, f, "a remote IP address or '-'");
    u->has_remote = !is_dash(f);
    if (parse_bytes(ln, field(ln, 5), true, " for bytes_in", &u->bytes_in) != 0 ||
        parse_bytes(ln, field(ln, 6), true, " for bytes_out", &u->bytes_out) != 0)
        return ERR_MALFORMED;
    if ((f = field(ln, 7)))
        return fail(ln, f, "the end of the line");
    if (!u->user[0] && !u->has_mac && !u->has_local) {
        snprintf(ln->why, ln->why_size, "expected a user, a MAC or a local address, got none");
        return ERR_MALFORMED;
    }
    if (u->bytes_in == 0 && u->bytes_out == 0)
        return LOGS_LINE_IGNORED;
    return LOGS_LINE_USAGE;
}

static int parse_mapping(struct line *ln, struct log_mapping *m)
{
    const struct field *f;
    *m = (struct log_mapping){0};
    if (parse_plain_head(ln, &m->time_ms, m->user, &m->has_mac, m->mac) != 0)
        return ERR_MALFORMED;
    if (!(f = field(ln, 3)) || !parse_ip(f, &m->ip))
        return fail(ln, f, "an IP address");
    if ((f = field(ln, 4)))
        return fail(ln, f, "the end of the line");
    return LOGS_LINE_MAPPING;
}

/* ---- entry points ------------------------------------------------------------------- */

static const char *const format_names[] = {
    [LOG_SQUID] = "squid",
    [LOG_PLAIN] = "plain",
    [LOG_MAPPING] = "mapping",
};

int logs_format_parse(const char *s, enum log_format *out)
{
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        if (strcmp(s, format_names[i]) == 0) {
            *out = (enum log_format)i;
            return 0;
        }
    }
    return ERR_MALFORMED;
}

const char *logs_format_name(enum log_format fmt)
{
    assert((size_t)fmt < sizeof format_names / sizeof format_names[0]);
    return format_names[fmt];
}

int logs_parse_line(enum log_format fmt, const char *line, size_t len, struct log_usage *u_out,
                    struct log_mapping *m_out, char *why, size_t why_size)
{
    assert((line || len == 0) && why && why_size > 0);
    struct log_usage u_unused;
    struct log_mapping m_unused;
    struct line ln = {.why = why, .why_size = why_size};
    why[0] = '\0';
    if (len > 0 && line[len - 1] == '\r')
        len--;
    split(&ln, line, len);
    if (ln.n == 0 || ln.f[0].p[0] == '#')
        return LOGS_LINE_COMMENT;
    switch (fmt) {
    case LOG_SQUID: return parse_squid(&ln, u_out ? u_out : &u_unused);
    case LOG_PLAIN: return parse_plain(&ln, u_out ? u_out : &u_unused);
    case LOG_MAPPING: return parse_mapping(&ln, m_out ? m_out : &m_unused);
    }
    assert(!"unknown log format");
    return ERR_MALFORMED;
}

int logs_feed_line(enum log_format fmt, const char *line, size_t len, log_usage_fn *usage_fn,
                   log_mapping_fn *mapping_fn, void *ctx, struct log_counters *c, char *why,
                   size_t why_size)
{
    assert(c);
    struct log_usage u;
    struct log_mapping m;
    int rc;
    c->lines++;
    if (len > LOGS_LINE_MAX) {
        char what[64];
        snprintf(what, sizeof what, "a line of at most %d bytes", LOGS_LINE_MAX);
        logs_why(why, why_size, what, line, len);
        rc = ERR_MALFORMED;
    } else {
        rc = logs_parse_line(fmt, line, len, &u, &m, why, why_size);
    }
    switch (rc) {
    case LOGS_LINE_COMMENT: c->comments++; break;
    case LOGS_LINE_DENIED: c->denied++; break;
    case LOGS_LINE_IGNORED: c->ignored++; break;
    case LOGS_LINE_USAGE:
        c->usage++;
        if (usage_fn)
            usage_fn(ctx, &u);
        break;
    case LOGS_LINE_MAPPING:
        c->mappings++;
        if (mapping_fn)
            mapping_fn(ctx, &m);
        break;
    default: c->malformed++; break;
    }
    return rc;
}

uint64_t logs_parse(enum log_format fmt, const char *text, size_t len, const char *filename,
                    log_usage_fn *usage_fn, log_mapping_fn *mapping_fn, void *ctx,
                    struct log_counters *c, char *errbuf)
{
    assert((text || len == 0) && filename && c && errbuf);
    const char *p = text, *end = text + len;
    uint64_t n_bad = 0;
    errbuf[0] = '\0';
    for (uint64_t lineno = 1; p < end; lineno++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        char why[LOGS_WHY_LEN];
        if (logs_feed_line(fmt, p, (size_t)(stop - p), usage_fn, mapping_fn, ctx, c, why,
                           sizeof why) < 0) {
            n_bad++;
            logs_report(errbuf, filename, lineno, why);
        }
        p = nl ? nl + 1 : end;
    }
    return n_bad;
}
