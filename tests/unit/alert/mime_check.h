// SPDX-License-Identifier: MIT
// A reader of what mime_build() writes, written apart from it, for the unit test and the
// fuzz target: it checks the rules every message must keep (CRLF only, no line over 998
// bytes, header lines within 78 characters unless one unbreakable token, encoded-words of
// at most 75, encoded body lines of at most 76, a boundary that no part holds) and decodes
// the headers (unfolding, RFC 2047 B and Q words) and the parts (quoted-printable) back, to
// compare with the input. mime_check() returns 0, or -1 with the first broken rule in why.
#ifndef FT_MIME_CHECK_H
#define FT_MIME_CHECK_H

#include "../../../src/alert/mime.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mc_buf {
    char *p;
    size_t len, cap;
};

static void mc_add(struct mc_buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static int mc_fail(char *why, size_t why_n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int mc_fail(char *why, size_t why_n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_n, fmt, ap);
    va_end(ap);
    return -1;
}

static int mc_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static int mc_b64(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Base64 of s[0..n) (a multiple of 4, '=' padding) into out. Returns 0 or -1. */
static int mc_base64_decode(const char *s, size_t n, struct mc_buf *out)
{
    if (n % 4)
        return -1;
    for (size_t i = 0; i < n; i += 4) {
        int v[4], pad = 0;
        for (int k = 0; k < 4; k++) {
            if (s[i + k] == '=' && i + 4 == n && k >= 2) {
                v[k] = 0;
                pad++;
            } else if (pad || (v[k] = mc_b64((unsigned char)s[i + k])) < 0) {
                return -1;
            }
        }
        char o[3] = {(char)(v[0] << 2 | v[1] >> 4), (char)(v[1] << 4 | v[2] >> 2),
                     (char)(v[2] << 6 | v[3])};
        mc_add(out, o, (size_t)(3 - pad));
    }
    return 0;
}

/* Quoted-printable of s[0..n) (CRLF lines) into out: "=XX", soft breaks, hard breaks kept
 * as CRLF. Refuses what an encoder must not write: a lower-case or broken escape, a bare
 * CR or LF, trailing space, a byte outside printable ASCII, a line over 76. */
static int mc_qp_decode(const char *s, size_t n, struct mc_buf *out, char *why, size_t why_n)
{
    size_t line_start = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n') {
            if (c != '\r' || i + 1 >= n || s[i + 1] != '\n')
                return mc_fail(why, why_n, "QP: bare CR or LF at %zu", i);
            if (i - line_start > 76)
                return mc_fail(why, why_n, "QP: a line of %zu", i - line_start);
            if (i > line_start && (s[i - 1] == ' ' || s[i - 1] == '\t'))
                return mc_fail(why, why_n, "QP: trailing whitespace at %zu", i);
            mc_add(out, "\r\n", 2);
            i += 2;
            line_start = i;
        } else if (c == '=') {
            if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') { /* soft break */
                if (i + 1 - line_start > 76)
                    return mc_fail(why, why_n, "QP: a line of %zu", i + 1 - line_start);
                i += 3;
                line_start = i;
                continue;
            }
            int hi = i + 2 < n ? mc_hex((unsigned char)s[i + 1]) : -1;
            int lo = i + 2 < n ? mc_hex((unsigned char)s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (s[i + 1] >= 'a' || s[i + 2] >= 'a'))
                return mc_fail(why, why_n, "QP: a broken escape at %zu", i);
            char o = (char)(hi << 4 | lo);
            mc_add(out, &o, 1);
            i += 3;
        } else if ((c >= 33 && c <= 126) || c == ' ' || c == '\t') {
            mc_add(out, (const char *)&c, 1);
            i++;
        } else {
            return mc_fail(why, why_n, "QP: byte 0x%02x at %zu", c, i);
        }
    }
    if (n - line_start > 76)
        return mc_fail(why, why_n, "QP: a last line of %zu", n - line_start);
    if (n > line_start && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        return mc_fail(why, why_n, "QP: trailing whitespace at the end");
    return 0;
}

/* One encoded-word at s (up to n): "=?charset?B|Q?text?=". Returns its length, or 0. */
static size_t mc_word(const char *s, size_t n, struct mc_buf *out)
{
    if (n < 8 || s[0] != '=' || s[1] != '?')
        return 0;
    const char *q1 = memchr(s + 2, '?', n - 2);
    if (!q1 || q1 + 3 >= s + n || q1[2] != '?')
        return 0;
    const char *text = q1 + 3, *end = text;
    while (end + 1 < s + n && !(end[0] == '?' && end[1] == '='))
        end++;
    if (end + 1 >= s + n)
        return 0;
    size_t len = (size_t)(end + 2 - s);
    if (len > 75)
        return 0;
    struct mc_buf d = {0};
    int rc = 0;
    if (q1[1] == 'B' || q1[1] == 'b') {
        rc = mc_base64_decode(text, (size_t)(end - text), &d);
    } else if (q1[1] == 'Q' || q1[1] == 'q') {
        for (const char *p = text; p < end && rc == 0; p++) {
            if (*p == '_') {
                mc_add(&d, " ", 1);
            } else if (*p == '=' && p + 2 < end && mc_hex(p[1]) >= 0 && mc_hex(p[2]) >= 0) {
                char o = (char)(mc_hex(p[1]) << 4 | mc_hex(p[2]));
                mc_add(&d, &o, 1);
                p += 2;
            } else if (*p == '=' || *p == ' ') {
                rc = -1;
            } else {
                mc_add(&d, p, 1);
            }
        }
    } else {
        rc = -1;
    }
    if (rc == 0)
        mc_add(out, d.p ? d.p : "", d.len);
    free(d.p);
    return rc == 0 ? len : 0;
}

/* An unstructured header value (unfolded) decoded: encoded-words become their text, and
 * the whitespace between two adjacent ones goes (RFC 2047 §6.2). */
static void mc_decode_text(const char *s, size_t n, struct mc_buf *out)
{
    bool last_was_word = false;
    size_t i = 0;
    while (i < n) {
        size_t ws = i;
        while (ws < n && (s[ws] == ' ' || s[ws] == '\t'))
            ws++;
        struct mc_buf w = {0};
        size_t wl = ws > i || i == 0 ? mc_word(s + ws, n - ws, &w) : 0;
        if (wl && (ws + wl == n || s[ws + wl] == ' ' || s[ws + wl] == '\t')) {
            if (!last_was_word)
                mc_add(out, s + i, ws - i);
            mc_add(out, w.p ? w.p : "", w.len);
            last_was_word = true;
            i = ws + wl;
        } else {
            size_t e = ws;
            while (e < n && s[e] != ' ' && s[e] != '\t')
                e++;
            mc_add(out, s + i, e - i);
            last_was_word = false;
            i = e;
        }
        free(w.p);
    }
}

struct mc_header {
    char name[32];
    struct mc_buf value; /* unfolded, the space after the colon dropped */
};

/* The header's lines: each CRLF-ended, at most 78 characters unless it is one token
 * (no space after the header's name or the continuation's leading space). Fills h with up
 * to max headers; *n their number; *body where the body starts. */
static int mc_headers(const char *msg, size_t len, struct mc_header *h, size_t max, size_t *n,
                      size_t *body, char *why, size_t why_n)
{
    *n = 0;
    size_t i = 0;
    for (;;) {
        const char *eol = NULL;
        for (size_t k = i; k + 1 < len; k++)
            if (msg[k] == '\r' && msg[k + 1] == '\n') {
                eol = msg + k;
                break;
            }
        if (!eol)
            return mc_fail(why, why_n, "the header does not end");
        size_t ll = (size_t)(eol - (msg + i));
        if (ll == 0) {
            *body = i + 2;
            return 0;
        }
        const char *line = msg + i;
        if (ll > 78) {
            const char *colon = line[0] == ' ' ? line : memchr(line, ':', ll);
            size_t from = colon ? (size_t)(colon - line) + 2 : ll;
            if (!colon || from > ll || memchr(line + from, ' ', ll - from))
                return mc_fail(why, why_n, "header line of %zu at %zu: %.*s", ll, i, (int)ll, line);
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (*n == 0)
                return mc_fail(why, why_n, "a continuation first");
            mc_add(&h[*n - 1].value, line, ll);
        } else {
            const char *colon = memchr(line, ':', ll);
            if (!colon || *n == max || (size_t)(colon - line) >= sizeof h->name)
                return mc_fail(why, why_n, "not a header line at %zu", i);
            struct mc_header *x = &h[(*n)++];
            memcpy(x->name, line, (size_t)(colon - line));
            x->name[colon - line] = '\0';
            x->value = (struct mc_buf){0};
            size_t v = (size_t)(colon - line) + 1;
            if (v < ll && line[v] == ' ')
                v++;
            mc_add(&x->value, line + v, ll - v);
        }
        i += ll + 2;
    }
}

static const char *mc_get(struct mc_header *h, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(h[i].name, name) == 0)
            return h[i].value.p ? h[i].value.p : "";
    return NULL;
}

/* The input text as the message must carry it: LF alone becomes CRLF. */
static void mc_crlf(const char *s, struct mc_buf *out)
{
    mc_add(out, "", 0);
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
            mc_add(out, "\r", 1);
        mc_add(out, s + i, 1);
    }
}

/* A mailbox header back into name and address; compares with want_name, want_addr. */
static int mc_mailbox(const char *v, const char *want_name, const char *want_addr, char *why,
                      size_t why_n)
{
    struct mc_buf name = {0};
    const char *addr = v;
    size_t addr_n = strlen(v);
    int rc = 0;
    if (want_name[0]) {
        const char *lt = strrchr(v, '<');
        if (!lt || lt == v || lt[-1] != ' ' || v[strlen(v) - 1] != '>') {
            rc = mc_fail(why, why_n, "mailbox without <addr>: %s", v);
            goto out;
        }
        addr = lt + 1;
        addr_n = strlen(addr) - 1;
        size_t nn = (size_t)(lt - 1 - v);
        if (v[0] == '"') {
            if (nn < 2 || v[nn - 1] != '"') {
                rc = mc_fail(why, why_n, "an unclosed quoted name: %s", v);
                goto out;
            }
            for (size_t i = 1; i + 1 < nn; i++) {
                if (v[i] == '\\')
                    i++;
                mc_add(&name, v + i, 1);
            }
        } else {
            for (size_t i = 0; i < nn; i++)
                if ((unsigned char)v[i] < 0x21 && v[i] != ' ')
                    rc = mc_fail(why, why_n, "a raw control byte in a name");
            mc_decode_text(v, nn, &name);
        }
        if (rc == 0 && strcmp(name.p ? name.p : "", want_name) != 0)
            rc = mc_fail(why, why_n, "name decoded as \"%s\", not \"%s\"", name.p, want_name);
    }
    if (rc == 0 && (addr_n != strlen(want_addr) || memcmp(addr, want_addr, addr_n) != 0))
        rc = mc_fail(why, why_n, "address \"%.*s\", not \"%s\"", (int)addr_n, addr, want_addr);
out:
    free(name.p);
    return rc;
}

/* A part's header and QP body: compares with want (the input text). */
static int mc_part(const char *s, size_t n, const char *type, const char *want, char *why,
                   size_t why_n)
{
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "Content-Type: %s; charset=UTF-8\r\nContent-Transfer-Encoding: "
                      "quoted-printable\r\n\r\n",
                      type);
    if (n < (size_t)hl || memcmp(s, head, (size_t)hl) != 0)
        return mc_fail(why, why_n, "the %s part's header", type);
    struct mc_buf got = {0}, exp = {0};
    int rc = mc_qp_decode(s + hl, n - (size_t)hl, &got, why, why_n);
    mc_crlf(want, &exp);
    if (rc == 0 && (got.len != exp.len || memcmp(got.p ? got.p : "", exp.p, exp.len) != 0))
        rc = mc_fail(why, why_n, "the %s part decodes to other text (%zu bytes, not %zu)", type,
                     got.len, exp.len);
    free(got.p);
    free(exp.p);
    return rc;
}

/* The body: a text/plain part, or multipart/alternative of text/plain and text/html. */
static int mc_body(const char *ctype, const char *body, size_t n, const struct mime_message *m,
                   char *why, size_t why_n)
{
    if (!m->html) {
        if (strcmp(ctype, "text/plain; charset=UTF-8") != 0)
            return mc_fail(why, why_n, "Content-Type %s", ctype);
        struct mc_buf got = {0}, exp = {0};
        int rc = mc_qp_decode(body, n, &got, why, why_n);
        mc_crlf(m->text, &exp);
        if (rc == 0 && (got.len != exp.len || memcmp(got.p ? got.p : "", exp.p, exp.len)))
            rc = mc_fail(why, why_n, "the text decodes to other text");
        free(got.p);
        free(exp.p);
        return rc;
    }
    static const char pre[] = "multipart/alternative; boundary=\"";
    size_t bl = strlen(ctype) - (sizeof pre - 1) - 1;
    if (strncmp(ctype, pre, sizeof pre - 1) != 0 || ctype[strlen(ctype) - 1] != '"' || bl < 1 ||
        bl > 70)
        return mc_fail(why, why_n, "Content-Type %s", ctype);
    char delim[80];
    snprintf(delim, sizeof delim, "--%.*s", (int)bl, ctype + sizeof pre - 1);
    size_t dl = strlen(delim);
    /* body = delim CRLF text CRLF delim CRLF html CRLF delim "--" CRLF, and no other line
     * starting with the delimiter */
    if (n < dl + 2 || memcmp(body, delim, dl) != 0 || memcmp(body + dl, "\r\n", 2) != 0)
        return mc_fail(why, why_n, "the body does not start with the boundary");
    const char *p1 = body + dl + 2;
    const char *end = body + n;
    const char *hits[3];
    int n_hits = 0;
    for (const char *p = p1; p + dl + 2 <= end; p++)
        if (p[0] == '\r' && p[1] == '\n' && memcmp(p + 2, delim, dl) == 0) {
            if (n_hits == 2)
                return mc_fail(why, why_n, "the boundary occurs in a part");
            hits[n_hits++] = p;
        }
    if (n_hits != 2)
        return mc_fail(why, why_n, "%d delimiters, not 3", n_hits + 1);
    const char *p2 = hits[0] + 2 + dl;
    if (end - p2 < 2 || memcmp(p2, "\r\n", 2) != 0)
        return mc_fail(why, why_n, "the second delimiter line");
    p2 += 2;
    const char *close = hits[1] + 2 + dl;
    if (end - close != 4 || memcmp(close, "--\r\n", 4) != 0)
        return mc_fail(why, why_n, "the close delimiter");
    if (memmem(p1, (size_t)(hits[0] - p1), delim + 2, dl - 2) ||
        memmem(p2, (size_t)(hits[1] - p2), delim + 2, dl - 2))
        return mc_fail(why, why_n, "the boundary occurs in a part");
    int rc = mc_part(p1, (size_t)(hits[0] - p1), "text/plain", m->text, why, why_n);
    if (rc == 0)
        rc = mc_part(p2, (size_t)(hits[1] - p2), "text/html", m->html, why, why_n);
    return rc;
}

/* Every rule, and the decoded message against m. */
static int mime_check(const char *msg, size_t len, const struct mime_message *m, char *why,
                      size_t why_n)
{
    if (strlen(msg) != len)
        return mc_fail(why, why_n, "a NUL inside, or len wrong");
    size_t line_start = 0;
    for (size_t i = 0; i < len; i++) {
        if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
            return mc_fail(why, why_n, "bare LF at %zu", i);
        if (msg[i] == '\r' && (i + 1 == len || msg[i + 1] != '\n'))
            return mc_fail(why, why_n, "bare CR at %zu", i);
        if (msg[i] == '\n') {
            if (i - 1 - line_start > 998)
                return mc_fail(why, why_n, "a line of %zu bytes", i - 1 - line_start);
            line_start = i + 1;
        }
    }
    if (line_start != len)
        return mc_fail(why, why_n, "the last line has no CRLF");
    struct mc_header h[16];
    size_t n = 0, body = 0;
    int rc = mc_headers(msg, len, h, 16, &n, &body, why, why_n);
    if (rc == 0) {
        static const char *const names[] = {"Date",       "From",         "To",          "Subject",
                                            "Message-ID", "MIME-Version", "Content-Type"};
        for (size_t i = 0; i < 7 && rc == 0; i++)
            if (i >= n || strcmp(h[i].name, names[i]) != 0)
                rc = mc_fail(why, why_n, "header %zu is not %s", i, names[i]);
        if (rc == 0 && n == 8 && strcmp(h[7].name, "Content-Transfer-Encoding") == 0 &&
            (m->html || strcmp(h[7].value.p, "quoted-printable") != 0))
            rc = mc_fail(why, why_n, "Content-Transfer-Encoding: %s", h[7].value.p);
        if (rc == 0 && n != (m->html ? 7u : 8u))
            rc = mc_fail(why, why_n, "%zu headers", n);
    }
    if (rc == 0) {
        const char *subject = mc_get(h, n, "Subject");
        struct mc_buf s = {0};
        mc_decode_text(subject, strlen(subject), &s);
        if (strcmp(s.p ? s.p : "", m->subject) != 0)
            rc = mc_fail(why, why_n, "subject decoded as \"%s\", not \"%s\"", s.p, m->subject);
        free(s.p);
    }
    if (rc == 0)
        rc = mc_mailbox(mc_get(h, n, "From"), m->from_name ? m->from_name : "", m->from_addr, why,
                        why_n);
    if (rc == 0)
        rc = mc_mailbox(mc_get(h, n, "To"), m->to_name ? m->to_name : "", m->to_addr, why, why_n);
    if (rc == 0 && strcmp(mc_get(h, n, "Message-ID"), m->message_id) != 0)
        rc = mc_fail(why, why_n, "Message-ID %s", mc_get(h, n, "Message-ID"));
    if (rc == 0 && strcmp(mc_get(h, n, "MIME-Version"), "1.0") != 0)
        rc = mc_fail(why, why_n, "MIME-Version");
    if (rc == 0)
        rc = mc_body(mc_get(h, n, "Content-Type"), msg + body, len - body, m, why, why_n);
    for (size_t i = 0; i < n; i++)
        free(h[i].value.p);
    return rc;
}

#endif
