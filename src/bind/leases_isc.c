// SPDX-License-Identifier: MIT
// ISC dhcpd's dhcpd.leases (dhcpd.leases(5)): a small lexer (words, quoted strings, braces,
// semicolons, # comments) and a recursive-descent parser that knows the statements we need
// and skips any other statement or braced block whole. Tokens point into the caller's text.
#include "leases_internal.h"

#include "../base/err.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
                                                  : leases_quote(shown, t->p, t->len);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return leases_fail(&ps->rep, t->line, got, "%s", what);
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
        if (last.kind != ISC_WORD || !leases_parse_uint(last.p, last.len, MAX_SECONDS, &d->s))
            return isc_fail(ps, &last, "seconds since the epoch");
    } else {
        if (t.kind != ISC_WORD || t.len != 1 || t.p[0] < '0' || t.p[0] > '6')
            return isc_fail(ps, &t, ISC_DATE_WHAT);
        struct isc_tok ymd = isc_next(&ps->lx);
        uint64_t day, time;
        if (ymd.kind != ISC_WORD || !leases_parse_ymd(ymd.p, ymd.len, &day))
            return isc_fail(ps, &ymd, ISC_DATE_WHAT);
        last = isc_next(&ps->lx);
        if (last.kind != ISC_WORD || !leases_parse_hms(last.p, last.len, &time))
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
    if (t.kind != ISC_WORD || !leases_copy_text(text, sizeof text, t.p, t.len) ||
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
                if (hw.kind != ISC_WORD || leases_hex_octets(hw.p, hw.len, l.mac, 6) != 6)
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
        return leases_fail(&ps->rep, ends.line, leases_quote(shown, ends.p, ends.len),
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
        if (t.kind != ISC_WORD || !leases_copy_text(text, sizeof text, t.p, t.len) ||
            !strchr(text, '/') || prefix_parse(text, &a->l.ip, &a->l.prefix_len) != 0 ||
            addr_is_v4(&a->l.ip) || a->l.prefix_len == 0)
            return isc_fail(ps, &t, "an IPv6 prefix (ADDR/LEN)");
    } else {
        if (t.kind != ISC_WORD || !leases_copy_text(text, sizeof text, t.p, t.len) ||
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
            if (n.kind != ISC_WORD || !leases_parse_uint(n.p, n.len, UINT32_MAX, &a->max_life))
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
        return leases_hex_octets(t->p, t->len, out, cap);
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
    bool has_mac = id_len > 4 && leases_duid_mac(id + 4, (size_t)id_len - 4, mac);
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
            return leases_fail(&ps->rep, a->ends.line, leases_quote(shown, a->ends.p, a->ends.len),
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
