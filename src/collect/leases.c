// SPDX-License-Identifier: MIT
// DHCP lease file parsers. ISC's dhcpd.leases is read by a small lexer (words, quoted
// strings, braces, semicolons, # comments) and a recursive-descent parser that knows the
// statements we need and skips any other statement or braced block whole. Kea's CSV is
// split into lines and at commas, and its columns are found by header name. Nothing is
// allocated: tokens and fields point into the caller's text.
#include "leases.h"

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

#define MAX_SECONDS 253402300799ULL   /* 9999-12-31 23:59:59 UTC: the last 4-digit year */
#define LIFETIME_INFINITE 0xffffffffu /* RFC 8415 §7.7, and Kea's infinite valid lifetime */
#define SHOWN_MAX 48                  /* bytes of input quoted in a message */
#define SHOWN_LEN QUOTE_LEN(SHOWN_MAX)
#define DUID_MAX 130  /* RFC 8415 §11.1: a 2-byte type and up to 128 bytes */
#define HWADDR_MAX 20 /* the longest link-layer address DHCP carries (InfiniBand) */

/* ---- shared helpers ----------------------------------------------------------------- */

struct report {
    const char *filename; /* borrowed */
    char *errbuf;         /* caller's, ERR_BUF_LEN bytes */
    bool has_error;       /* errbuf holds the first error; later ones are not written */
};

/* Writes "FILE:LINE: expected WHAT, got GOT" unless an error is already there. Returns
 * ERR_MALFORMED, so parsers can `return report_fail(...)`. */
__attribute__((format(printf, 4, 5))) static int report_fail(struct report *r, size_t line,
                                                             const char *got, const char *fmt, ...)
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
static const char *quote(char *out, const char *p, size_t n)
{
    return quote_input(out, p, n, SHOWN_MAX);
}

/* Copies n bytes of input into a C string. False if they do not fit in cap (with the NUL)
 * or contain a NUL, which would cut the text short and hide what follows. */
static bool copy_text(char *dst, size_t cap, const char *p, size_t n)
{
    if (n >= cap || memchr(p, '\0', n))
        return false;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return true;
}

/* Parses n decimal digits (nothing else) no greater than max. */
static bool parse_uint(const char *p, size_t n, uint64_t max, uint64_t *out)
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

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Parses hex octets separated by ':' ("0:16:3e:a:b:c" or "00:16:3e:0a:0b:0c"; dhcpd
 * versions differ in the leading zero). Returns the number of octets, or -1 if the text is
 * anything else or holds more than cap octets. */
static int parse_hex_octets(const char *p, size_t n, uint8_t *out, size_t cap)
{
    size_t count = 0, i = 0;
    if (n == 0)
        return -1;
    for (;;) {
        int hi = i < n ? hex_digit(p[i]) : -1;
        if (hi < 0 || count == cap)
            return -1;
        i++;
        int lo = i < n ? hex_digit(p[i]) : -1;
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
static bool duid_mac(const uint8_t *duid, size_t n, uint8_t mac[6])
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
static bool parse_ymd(const char *p, size_t n, uint64_t *out)
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
static bool parse_hms(const char *p, size_t n, uint64_t *out)
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

/* ---- ISC dhcpd.leases: lexer -------------------------------------------------------- */

enum isc_tok_kind {
    ISC_EOF,
    ISC_WORD,   /* a run of anything but blanks, controls and the characters {};"# */
    ISC_STRING, /* "..." with backslash escapes; p and len include the quotes */
    ISC_LBRACE,
    ISC_RBRACE,
    ISC_SEMI,
    ISC_BAD_STRING, /* a string the line ends in: dhcpd escapes newlines in strings */
    ISC_BAD_BYTE,   /* a control character outside a string */
};

struct isc_tok {
    enum isc_tok_kind kind;
    const char *p; /* into the text */
    size_t len;
    size_t line;
    bool is_line_start; /* first token on its line */
};

struct isc_lexer {
    const char *p, *end;
    size_t line;
    bool at_line_start;
    size_t depth; /* braces open among the tokens consumed so far */
    struct isc_tok peeked;
    bool has_peeked;
};

static bool isc_is_delim(unsigned char ch)
{
    return ch <= 0x20 || ch == 0x7f || ch == '{' || ch == '}' || ch == ';' || ch == '"' ||
           ch == '#';
}

static struct isc_tok isc_scan(struct isc_lexer *lx)
{
    for (;;) {
        while (lx->p < lx->end && (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r' ||
                                   *lx->p == '\f' || *lx->p == '\v'))
            lx->p++;
        if (lx->p < lx->end && *lx->p == '\n') {
            lx->p++;
            lx->line++;
            lx->at_line_start = true;
        } else if (lx->p < lx->end && *lx->p == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
        } else {
            break;
        }
    }
    struct isc_tok t = {.p = lx->p, .line = lx->line, .is_line_start = lx->at_line_start};
    if (lx->p == lx->end) {
        t.kind = ISC_EOF;
        return t;
    }
    lx->at_line_start = false;
    unsigned char ch = (unsigned char)*lx->p;
    const char *q = lx->p + 1;
    switch (ch) {
    case '{': t.kind = ISC_LBRACE; break;
    case '}': t.kind = ISC_RBRACE; break;
    case ';': t.kind = ISC_SEMI; break;
    case '"':
        while (q < lx->end && *q != '"' && *q != '\n') {
            if (*q == '\\' && q + 1 < lx->end && q[1] != '\n')
                q++;
            q++;
        }
        if (q < lx->end && *q == '"') {
            t.kind = ISC_STRING;
            q++;
        } else {
            t.kind = ISC_BAD_STRING; /* the newline is left for the next scan to count */
        }
        break;
    default:
        if (ch < 0x20 || ch == 0x7f) {
            t.kind = ISC_BAD_BYTE;
            break;
        }
        t.kind = ISC_WORD;
        while (q < lx->end && !isc_is_delim((unsigned char)*q))
            q++;
        break;
    }
    t.len = (size_t)(q - lx->p);
    lx->p = q;
    return t;
}

static struct isc_tok isc_peek(struct isc_lexer *lx)
{
    if (!lx->has_peeked) {
        lx->peeked = isc_scan(lx);
        lx->has_peeked = true;
    }
    return lx->peeked;
}

static struct isc_tok isc_next(struct isc_lexer *lx)
{
    struct isc_tok t = isc_peek(lx);
    lx->has_peeked = false;
    if (t.kind == ISC_LBRACE)
        lx->depth++;
    else if (t.kind == ISC_RBRACE && lx->depth > 0)
        lx->depth--;
    return t;
}

static bool isc_is(const struct isc_tok *t, const char *word)
{
    size_t n = strlen(word);
    return t->kind == ISC_WORD && t->len == n && memcmp(t->p, word, n) == 0;
}

/* The statements that only appear at the top level, first on their line as dhcpd writes
 * them. Met inside a block, they mean the block was never closed (a file cut short, then
 * appended to). */
static bool isc_is_top_keyword(const struct isc_tok *t)
{
    static const char *const words[] = {
        "lease", "ia-na", "ia_na",    "ia-ta",       "ia_ta",
        "ia-pd", "ia_pd", "failover", "server-duid", "authoring-byte-order",
    };
    if (t->kind != ISC_WORD || !t->is_line_start)
        return false;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (isc_is(t, words[i]))
            return true;
    return false;
}

static bool isc_is_ia_keyword(const struct isc_tok *t)
{
    return isc_is(t, "ia-na") || isc_is(t, "ia_na") || isc_is(t, "ia-ta") || isc_is(t, "ia_ta") ||
           isc_is(t, "ia-pd") || isc_is(t, "ia_pd");
}

/* ---- ISC dhcpd.leases: parser ------------------------------------------------------- */

struct isc_parser {
    struct isc_lexer lx;
    struct report rep;
};

/* A date as read, with where it was for messages. */
struct isc_date {
    uint64_t s;    /* seconds since the epoch; 0 for never */
    bool is_never; /* `never` */
    size_t line;   /* of its first token */
    const char *p; /* its text, from the first token to the last */
    size_t len;
};

#define ISC_DATE_WHAT "a date (W YYYY/MM/DD HH:MM:SS)"
#define ISC_IA_MAX_ADDRS 32 /* iaaddr/iaprefix per IA; an IA holds a few at most */

__attribute__((format(printf, 3, 4))) static int
isc_fail(struct isc_parser *ps, const struct isc_tok *t, const char *fmt, ...)
{
    char shown[SHOWN_LEN], what[256];
    const char *got = t->kind == ISC_EOF          ? "end of file"
                      : t->kind == ISC_BAD_STRING ? "an unterminated string"
                                                  : quote(shown, t->p, t->len);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return report_fail(&ps->rep, t->line, got, "%s", what);
}

static int isc_expect_semi(struct isc_parser *ps)
{
    struct isc_tok t = isc_next(&ps->lx);
    return t.kind == ISC_SEMI ? 0 : isc_fail(ps, &t, "';'");
}

/* Skips a statement we have no use for, `first` being its first token (consumed): tokens
 * up to ';', or a braced block (on events { ... }, failover peer ... state { ... },
 * host ... { ... }) up to its closing brace, whichever ends it first. */
static int isc_skip_statement(struct isc_parser *ps, const struct isc_tok *first)
{
    struct isc_tok t = *first;
    size_t depth = 0;
    for (;;) {
        switch (t.kind) {
        case ISC_SEMI:
            if (depth == 0)
                return 0;
            break;
        case ISC_LBRACE: depth++; break;
        case ISC_RBRACE:
            if (depth == 0)
                return isc_fail(ps, &t, "';'");
            if (--depth == 0)
                return 0;
            break;
        case ISC_EOF:
        case ISC_BAD_STRING:
        case ISC_BAD_BYTE: return isc_fail(ps, &t, depth ? "'}'" : "';'");
        case ISC_WORD:
        case ISC_STRING: break;
        }
        struct isc_tok next = isc_peek(&ps->lx);
        if (isc_is_top_keyword(&next))
            return isc_fail(ps, &next, depth ? "'}'" : "';'");
        t = isc_next(&ps->lx);
    }
}

/* Reads the first token of the next statement in a block that `kw` opened. Returns 1 at
 * the closing brace, 0 with the token in *t, or ERR_MALFORMED when the block is never
 * closed (the end of the file, or a top-level statement, comes first). */
static int isc_block_next(struct isc_parser *ps, const struct isc_tok *kw, struct isc_tok *t)
{
    struct isc_tok next = isc_peek(&ps->lx);
    if (next.kind == ISC_EOF || isc_is_top_keyword(&next))
        return isc_fail(ps, &next, "'}' closing '%.*s' of line %zu", (int)kw->len, kw->p, kw->line);
    *t = isc_next(&ps->lx);
    return t->kind == ISC_RBRACE;
}

static int isc_expect_lbrace(struct isc_parser *ps)
{
    struct isc_tok t = isc_next(&ps->lx);
    return t.kind == ISC_LBRACE ? 0 : isc_fail(ps, &t, "'{'");
}

/* The rest of `starts`, `ends` or `cltt`: a date and ';'. dhcpd.leases(5): the weekday
 * (0-6) is for humans and ignored; `epoch N` is unix time whatever the comment says. */
static int isc_date(struct isc_parser *ps, bool is_never_ok, struct isc_date *d)
{
    struct isc_tok t = isc_next(&ps->lx), last = t;
    *d = (struct isc_date){.line = t.line, .p = t.p};
    if (is_never_ok && isc_is(&t, "never")) {
        d->is_never = true;
    } else if (isc_is(&t, "epoch")) {
        last = isc_next(&ps->lx);
        if (last.kind != ISC_WORD || !parse_uint(last.p, last.len, MAX_SECONDS, &d->s))
            return isc_fail(ps, &last, "seconds since the epoch");
    } else {
        if (t.kind != ISC_WORD || t.len != 1 || t.p[0] < '0' || t.p[0] > '6')
            return isc_fail(ps, &t, ISC_DATE_WHAT);
        struct isc_tok ymd = isc_next(&ps->lx);
        uint64_t day, time;
        if (ymd.kind != ISC_WORD || !parse_ymd(ymd.p, ymd.len, &day))
            return isc_fail(ps, &ymd, ISC_DATE_WHAT);
        last = isc_next(&ps->lx);
        if (last.kind != ISC_WORD || !parse_hms(last.p, last.len, &time))
            return isc_fail(ps, &last, ISC_DATE_WHAT);
        d->s = day + time;
    }
    d->len = (size_t)(last.p + last.len - t.p);
    return isc_expect_semi(ps);
}

/* The rest of `binding state STATE;`. */
static int isc_binding_state(struct isc_parser *ps, bool *is_active)
{
    static const char *const inactive[] = {"free",  "expired", "released", "abandoned",
                                           "reset", "backup",  "reserved"};
    struct isc_tok t = isc_next(&ps->lx);
    if (!isc_is(&t, "state"))
        return isc_fail(ps, &t, "'state'");
    t = isc_next(&ps->lx);
    if (isc_is(&t, "active") || isc_is(&t, "bootp")) {
        *is_active = true;
        return isc_expect_semi(ps);
    }
    for (size_t i = 0; i < sizeof inactive / sizeof inactive[0]; i++) {
        if (isc_is(&t, inactive[i])) {
            *is_active = false;
            return isc_expect_semi(ps);
        }
    }
    return isc_fail(ps, &t, "a binding state (active, free, expired, released, ...)");
}

/* `lease ADDR { ... }`, `kw` being `lease`. Emits the lease when the block closes. */
static int isc_lease4(struct isc_parser *ps, const struct isc_tok *kw, lease_emit_fn *emit,
                      void *ctx, struct lease_counters *c)
{
    struct lease l = {.prefix_len = 128, .is_active = true};
    struct isc_tok t = isc_next(&ps->lx);
    char text[ADDR_STR_LEN];
    if (t.kind != ISC_WORD || !copy_text(text, sizeof text, t.p, t.len) ||
        addr_parse(text, &l.ip) != 0 || !addr_is_v4(&l.ip))
        return isc_fail(ps, &t, "an IPv4 address");
    int rc = isc_expect_lbrace(ps);
    if (rc != 0)
        return rc;
    struct isc_date starts = {0}, ends = {0};
    bool has_starts = false, has_ends = false;
    while ((rc = isc_block_next(ps, kw, &t)) == 0) {
        if (isc_is(&t, "starts")) {
            rc = isc_date(ps, false, &starts);
            has_starts = true;
        } else if (isc_is(&t, "ends")) {
            rc = isc_date(ps, true, &ends);
            has_ends = true;
        } else if (isc_is(&t, "binding")) {
            rc = isc_binding_state(ps, &l.is_active);
        } else if (isc_is(&t, "abandoned")) { /* dhcpd 2 */
            l.is_active = false;
            rc = isc_expect_semi(ps);
        } else if (isc_is(&t, "hardware")) {
            struct isc_tok type = isc_next(&ps->lx), hw;
            if (type.kind != ISC_WORD)
                return isc_fail(ps, &type, "a hardware type");
            hw = isc_next(&ps->lx);
            if (isc_is(&type, "ethernet")) {
                if (hw.kind != ISC_WORD || parse_hex_octets(hw.p, hw.len, l.mac, 6) != 6)
                    return isc_fail(ps, &hw, "a MAC address (6 hex octets separated by ':')");
                l.has_mac = true;
            } else if (hw.kind != ISC_WORD) { /* token-ring, fddi, ...: not a MAC we bind */
                return isc_fail(ps, &hw, "a hardware address");
            }
            rc = isc_expect_semi(ps);
        } else {
            rc = isc_skip_statement(ps, &t);
        }
        if (rc != 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (has_starts && has_ends && !ends.is_never && ends.s < starts.s) {
        char shown[SHOWN_LEN];
        return report_fail(&ps->rep, ends.line, quote(shown, ends.p, ends.len),
                           "'ends' no earlier than 'starts'");
    }
    l.start_ms = has_starts ? starts.s * 1000 : 0;
    l.end_ms = has_ends && !ends.is_never ? ends.s * 1000 : 0;
    emit(ctx, &l);
    c->leases++;
    return 0;
}

/* One address or prefix of an IA, kept until the IA closes. */
struct isc_iaaddr {
    struct lease l; /* ip, prefix_len and is_active set; times and MAC not yet */
    struct isc_date ends;
    bool has_ends;
    uint64_t max_life; /* seconds; LIFETIME_INFINITE for ever */
    bool has_max_life;
};

/* `iaaddr ADDR { ... }` or `iaprefix ADDR/LEN { ... }`, `kw` being that keyword. */
static int isc_iaaddr(struct isc_parser *ps, const struct isc_tok *kw, struct isc_iaaddr *a)
{
    *a = (struct isc_iaaddr){.l = {.prefix_len = 128, .is_active = true}};
    struct isc_tok t = isc_next(&ps->lx);
    char text[ADDR_STR_LEN + 8];
    if (isc_is(kw, "iaprefix")) {
        if (t.kind != ISC_WORD || !copy_text(text, sizeof text, t.p, t.len) || !strchr(text, '/') ||
            prefix_parse(text, &a->l.ip, &a->l.prefix_len) != 0 || addr_is_v4(&a->l.ip) ||
            a->l.prefix_len == 0)
            return isc_fail(ps, &t, "an IPv6 prefix (ADDR/LEN)");
    } else {
        if (t.kind != ISC_WORD || !copy_text(text, sizeof text, t.p, t.len) ||
            addr_parse(text, &a->l.ip) != 0 || addr_is_v4(&a->l.ip))
            return isc_fail(ps, &t, "an IPv6 address");
    }
    int rc = isc_expect_lbrace(ps);
    if (rc != 0)
        return rc;
    while ((rc = isc_block_next(ps, kw, &t)) == 0) {
        if (isc_is(&t, "binding")) {
            rc = isc_binding_state(ps, &a->l.is_active);
        } else if (isc_is(&t, "ends")) {
            rc = isc_date(ps, true, &a->ends);
            a->has_ends = true;
        } else if (isc_is(&t, "max-life")) {
            struct isc_tok n = isc_next(&ps->lx);
            if (n.kind != ISC_WORD || !parse_uint(n.p, n.len, UINT32_MAX, &a->max_life))
                return isc_fail(ps, &n, "a lifetime in seconds");
            a->has_max_life = true;
            rc = isc_expect_semi(ps);
        } else {
            rc = isc_skip_statement(ps, &t);
        }
        if (rc != 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!a->has_ends && !a->has_max_life)
        return isc_fail(ps, &t, "'ends' or 'max-life' in '%.*s' of line %zu", (int)kw->len, kw->p,
                        kw->line);
    return 0;
}

/* Decodes an IAID_DUID as dhcpd writes it (dhcpd.leases(5)): a quoted string with octal
 * escapes for non-printable bytes, or hex octets separated by ':' (lease-id-format hex).
 * Returns the byte count, or -1 for anything else: the value is opaque to us, and only
 * used to find a MAC. */
static int isc_ia_id(const struct isc_tok *t, uint8_t *out, size_t cap)
{
    if (t->kind == ISC_WORD)
        return parse_hex_octets(t->p, t->len, out, cap);
    if (t->kind != ISC_STRING)
        return -1;
    size_t n = 0;
    const char *p = t->p + 1, *end = t->p + t->len - 1;
    while (p < end) {
        unsigned v = (unsigned char)*p++;
        if (v == '\\' && p < end) {
            if (*p >= '0' && *p <= '7') {
                v = 0;
                for (int i = 0; i < 3 && p < end && *p >= '0' && *p <= '7'; i++)
                    v = v * 8 + (unsigned)(*p++ - '0');
                if (v > 0xff)
                    return -1;
            } else {
                v = (unsigned char)*p++;
            }
        }
        if (n == cap)
            return -1;
        out[n++] = (uint8_t)v;
    }
    return (int)n;
}

/* `ia-na ID { ... }` (and ia-ta, ia-pd), `kw` being that keyword. Emits every address or
 * prefix of the IA when its block closes, so a malformed IA emits none. */
static int isc_ia(struct isc_parser *ps, const struct isc_tok *kw, lease_emit_fn *emit, void *ctx,
                  struct lease_counters *c)
{
    struct isc_tok t = isc_next(&ps->lx);
    if (t.kind != ISC_WORD && t.kind != ISC_STRING)
        return isc_fail(ps, &t, "an IAID and DUID");
    uint8_t id[4 + DUID_MAX], mac[6];
    int id_len = isc_ia_id(&t, id, sizeof id);
    bool has_mac = id_len > 4 && duid_mac(id + 4, (size_t)id_len - 4, mac);
    int rc = isc_expect_lbrace(ps);
    if (rc != 0)
        return rc;
    struct isc_iaaddr addrs[ISC_IA_MAX_ADDRS];
    size_t n = 0;
    struct isc_date cltt = {0};
    bool has_cltt = false;
    while ((rc = isc_block_next(ps, kw, &t)) == 0) {
        if (isc_is(&t, "cltt")) {
            rc = isc_date(ps, false, &cltt);
            has_cltt = true;
        } else if (isc_is(&t, "iaaddr") || isc_is(&t, "iaprefix")) {
            if (n == ISC_IA_MAX_ADDRS)
                return isc_fail(ps, &t, "at most %d addresses in one IA", ISC_IA_MAX_ADDRS);
            rc = isc_iaaddr(ps, &t, &addrs[n++]);
        } else {
            rc = isc_skip_statement(ps, &t);
        }
        if (rc != 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        struct isc_iaaddr *a = &addrs[i];
        uint64_t start, end;
        bool is_max_finite = a->has_max_life && a->max_life != LIFETIME_INFINITE;
        if (has_cltt)
            start = cltt.s;
        else if (a->has_ends && !a->ends.is_never && is_max_finite && a->ends.s >= a->max_life)
            start = a->ends.s - a->max_life;
        else
            return isc_fail(ps, &t, "'cltt' in '%.*s' of line %zu", (int)kw->len, kw->p, kw->line);
        if (a->has_ends)
            end = a->ends.is_never ? 0 : a->ends.s;
        else
            end = is_max_finite ? start + a->max_life : 0;
        if (end != 0 && end < start) {
            char shown[SHOWN_LEN];
            return report_fail(&ps->rep, a->ends.line, quote(shown, a->ends.p, a->ends.len),
                               "'ends' no earlier than 'cltt'");
        }
        a->l.start_ms = start * 1000;
        a->l.end_ms = end * 1000;
        if (has_mac) {
            memcpy(a->l.mac, mac, 6);
            a->l.has_mac = true;
        }
    }
    for (size_t i = 0; i < n; i++) {
        emit(ctx, &addrs[i].l);
        c->leases++;
    }
    return 0;
}

/* After an error, skips the rest of the declaration it happened in: up to the brace that
 * closes it, or up to the next top-level statement if it was never closed. */
static void isc_recover(struct isc_parser *ps)
{
    while (ps->lx.depth > 0) {
        struct isc_tok t = isc_peek(&ps->lx);
        if (t.kind == ISC_EOF)
            return;
        if (isc_is_top_keyword(&t)) {
            ps->lx.depth = 0;
            return;
        }
        isc_next(&ps->lx);
    }
}

int leases_parse_isc(const char *text, size_t len, const char *filename, bool lenient,
                     lease_emit_fn *emit, void *ctx, struct lease_counters *c, char *errbuf)
{
    assert((text || len == 0) && filename && emit && c && errbuf);
    *c = (struct lease_counters){0};
    errbuf[0] = '\0';
    struct isc_parser ps = {
        .lx = {.p = text, .end = text + len, .line = 1, .at_line_start = true},
        .rep = {.filename = filename, .errbuf = errbuf},
    };
    for (;;) {
        struct isc_tok t = isc_next(&ps.lx);
        int rc;
        if (t.kind == ISC_EOF)
            return 0;
        if (isc_is(&t, "lease"))
            rc = isc_lease4(&ps, &t, emit, ctx, c);
        else if (isc_is_ia_keyword(&t))
            rc = isc_ia(&ps, &t, emit, ctx, c);
        else if (t.kind == ISC_SEMI)
            rc = 0;
        else if (t.kind == ISC_RBRACE || t.kind == ISC_BAD_STRING || t.kind == ISC_BAD_BYTE)
            rc = isc_fail(&ps, &t, "a declaration");
        else
            rc = isc_skip_statement(&ps, &t);
        if (rc == 0)
            continue;
        if (!lenient)
            return rc;
        c->skipped++;
        isc_recover(&ps);
    }
}

/* ---- Kea memfile CSV ---------------------------------------------------------------- */

#define KEA_MAX_COLUMNS 64 /* Kea 2.x writes 12 (lease4) and 18 (lease6) */

enum kea_col {
    KEA_ADDRESS,
    KEA_HWADDR,
    KEA_VALID_LIFETIME,
    KEA_EXPIRE,
    KEA_STATE,
    KEA_DUID,
    KEA_LEASE_TYPE,
    KEA_PREFIX_LEN,
    KEA_N_COLS,
};

static const char *const kea_col_names[KEA_N_COLS] = {
    "address", "hwaddr", "valid_lifetime", "expire", "state", "duid", "lease_type", "prefix_len",
};

struct kea_field {
    const char *p; /* into the text */
    size_t len;
};

struct kea_parser {
    struct report rep;
    bool is_v6;          /* lease6: the header has lease_type */
    size_t n_cols;       /* in the header, so in every row */
    int col[KEA_N_COLS]; /* index of each column we read; -1 when absent */
};

/* Splits a line at commas into f (KEA_MAX_COLUMNS entries). Returns the number of fields,
 * which may be more than were stored. */
static size_t kea_split(const char *p, size_t n, struct kea_field *f)
{
    size_t count = 0;
    const char *end = p + n;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if (count < KEA_MAX_COLUMNS)
            f[count] = (struct kea_field){p, (size_t)(stop - p)};
        count++;
        if (!comma)
            return count;
        p = comma + 1;
    }
}

static int kea_header(struct kea_parser *ps, const char *p, size_t n)
{
    struct kea_field f[KEA_MAX_COLUMNS];
    char shown[SHOWN_LEN];
    size_t count = kea_split(p, n, f);
    if (count > KEA_MAX_COLUMNS)
        return report_fail(&ps->rep, 1, quote(shown, p, n), "at most %d columns", KEA_MAX_COLUMNS);
    ps->n_cols = count;
    for (int k = 0; k < KEA_N_COLS; k++) {
        ps->col[k] = -1;
        for (size_t i = 0; i < count && ps->col[k] < 0; i++)
            if (f[i].len == strlen(kea_col_names[k]) &&
                memcmp(f[i].p, kea_col_names[k], f[i].len) == 0)
                ps->col[k] = (int)i;
    }
    ps->is_v6 = ps->col[KEA_LEASE_TYPE] >= 0;
    static const enum kea_col need4[] = {KEA_ADDRESS, KEA_HWADDR, KEA_VALID_LIFETIME, KEA_EXPIRE};
    static const enum kea_col need6[] = {KEA_ADDRESS, KEA_DUID, KEA_VALID_LIFETIME, KEA_EXPIRE,
                                         KEA_PREFIX_LEN};
    const enum kea_col *need = ps->is_v6 ? need6 : need4;
    size_t n_need = ps->is_v6 ? sizeof need6 / sizeof need6[0] : sizeof need4 / sizeof need4[0];
    for (size_t i = 0; i < n_need; i++)
        if (ps->col[need[i]] < 0)
            return report_fail(&ps->rep, 1, quote(shown, p, n), "a column '%s' in the %s header",
                               kea_col_names[need[i]], ps->is_v6 ? "lease6" : "lease4");
    return 0;
}

/* Parses an unsigned integer column no greater than max. */
static int kea_uint(struct kea_parser *ps, size_t line, const struct kea_field *f, enum kea_col k,
                    uint64_t max, uint64_t *out)
{
    char shown[SHOWN_LEN];
    if (parse_uint(f->p, f->len, max, out))
        return 0;
    return report_fail(&ps->rep, line, quote(shown, f->p, f->len),
                       "an unsigned integer up to %llu for %s", (unsigned long long)max,
                       kea_col_names[k]);
}

static int kea_row(struct kea_parser *ps, size_t line, const char *p, size_t n, struct lease *l)
{
    struct kea_field f[KEA_MAX_COLUMNS];
    char shown[SHOWN_LEN], text[ADDR_STR_LEN + 8];
    size_t count = kea_split(p, n, f);
    if (count != ps->n_cols) {
        char got[32];
        snprintf(got, sizeof got, "%zu", count);
        return report_fail(&ps->rep, line, got, "%zu columns", ps->n_cols);
    }
    *l = (struct lease){.prefix_len = 128};

    const struct kea_field *a = &f[ps->col[KEA_ADDRESS]];
    if (!copy_text(text, ADDR_STR_LEN, a->p, a->len) || addr_parse(text, &l->ip) != 0 ||
        addr_is_v4(&l->ip) == ps->is_v6)
        return report_fail(&ps->rep, line, quote(shown, a->p, a->len), "an %s address",
                           ps->is_v6 ? "IPv6" : "IPv4");

    uint64_t valid, expire, state = 0;
    int rc =
        kea_uint(ps, line, &f[ps->col[KEA_VALID_LIFETIME]], KEA_VALID_LIFETIME, UINT32_MAX, &valid);
    if (rc == 0)
        rc = kea_uint(ps, line, &f[ps->col[KEA_EXPIRE]], KEA_EXPIRE, MAX_SECONDS, &expire);
    if (rc == 0 && ps->col[KEA_STATE] >= 0)
        rc = kea_uint(ps, line, &f[ps->col[KEA_STATE]], KEA_STATE, UINT32_MAX, &state);
    if (rc != 0)
        return rc;
    if (expire < valid) {
        const struct kea_field *e = &f[ps->col[KEA_EXPIRE]];
        return report_fail(&ps->rep, line, quote(shown, e->p, e->len),
                           "an expire no smaller than valid_lifetime %llu",
                           (unsigned long long)valid);
    }

    /* Kea writes hardware addresses and DUIDs as hex octets separated by ':'. */
    if (ps->col[KEA_HWADDR] >= 0) {
        const struct kea_field *h = &f[ps->col[KEA_HWADDR]];
        uint8_t hw[HWADDR_MAX];
        int hw_len = h->len ? parse_hex_octets(h->p, h->len, hw, sizeof hw) : 0;
        if (hw_len < 0)
            return report_fail(&ps->rep, line, quote(shown, h->p, h->len),
                               "hex octets separated by ':' for hwaddr");
        if (hw_len == 6) {
            memcpy(l->mac, hw, 6);
            l->has_mac = true;
        }
    }
    if (ps->is_v6) {
        const struct kea_field *d = &f[ps->col[KEA_DUID]];
        uint8_t duid[DUID_MAX];
        int duid_len = parse_hex_octets(d->p, d->len, duid, sizeof duid);
        if (duid_len < 0)
            return report_fail(&ps->rep, line, quote(shown, d->p, d->len),
                               "hex octets separated by ':' for duid");
        if (!l->has_mac)
            l->has_mac = duid_mac(duid, (size_t)duid_len, l->mac);

        uint64_t type, plen;
        const struct kea_field *t = &f[ps->col[KEA_LEASE_TYPE]];
        if (!parse_uint(t->p, t->len, 2, &type)) /* 0 IA_NA, 1 IA_TA, 2 IA_PD */
            return report_fail(&ps->rep, line, quote(shown, t->p, t->len),
                               "0, 1 or 2 for lease_type");
        if (type == 2) {
            const struct kea_field *pl = &f[ps->col[KEA_PREFIX_LEN]];
            struct ip_addr check;
            unsigned bits;
            if (!parse_uint(pl->p, pl->len, 128, &plen) || plen == 0)
                return report_fail(&ps->rep, line, quote(shown, pl->p, pl->len),
                                   "1 to 128 for prefix_len");
            snprintf(text + a->len, sizeof text - a->len, "/%u", (unsigned)plen);
            if (prefix_parse(text, &check, &bits) != 0)
                return report_fail(&ps->rep, line, quote(shown, a->p, a->len),
                                   "a prefix with no bits set past /%u", (unsigned)plen);
            l->prefix_len = bits;
        }
    }
    l->is_active = state == 0 && valid != 0;
    l->start_ms = (expire - valid) * 1000;
    l->end_ms = valid == LIFETIME_INFINITE ? 0 : expire * 1000;
    return 0;
}

int leases_parse_kea(const char *text, size_t len, const char *filename, bool lenient,
                     lease_emit_fn *emit, void *ctx, struct lease_counters *c, char *errbuf)
{
    assert((text || len == 0) && filename && emit && c && errbuf);
    *c = (struct lease_counters){0};
    errbuf[0] = '\0';
    struct kea_parser ps = {.rep = {.filename = filename, .errbuf = errbuf}};
    const char *p = text, *end = text + len;
    for (size_t line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (line == 1) {
            int rc = kea_header(&ps, p, n);
            if (rc != 0)
                return rc;
        } else if (n > 0) {
            struct lease l;
            int rc = kea_row(&ps, line, p, n, &l);
            if (rc == 0) {
                emit(ctx, &l);
                c->leases++;
            } else if (!lenient) {
                return rc;
            } else {
                c->skipped++;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
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
