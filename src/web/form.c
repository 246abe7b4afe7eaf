// SPDX-License-Identifier: MIT
// Form fields, cookies and request targets, parsed from the bytes a client sent. Every
// parser here reads input an attacker writes, so each one decodes into a bounded buffer,
// checks what it decoded (NUL, UTF-8) before anyone sees it, and refuses input that could be
// read two ways rather than choosing a reading. tests/fuzz/fuzz_form.c fuzzes all three.
#include "form.h"

#include "../base/err.h"
#include "../base/units.h"
#include "../base/utf8.h"
#include "../base/xalloc.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum decode_result { DECODE_OK, DECODE_BAD_ESCAPE, DECODE_TOO_LONG };

/* Percent-decodes s[0..n) into out (cap bytes; no NUL is added); '+' becomes a space when
 * plus_is_space (forms, not paths: RFC 3986 gives '+' no meaning in a path). OUT: *out_len;
 * *bad, the offset of a '%' not followed by two hex digits. */
static enum decode_result decode(const char *s, size_t n, bool plus_is_space, char *out, size_t cap,
                                 size_t *out_len, size_t *bad)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            int hi = i + 2 < n ? units_hex_value(s[i + 1]) : -1;
            int lo = i + 2 < n ? units_hex_value(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                *bad = i;
                return DECODE_BAD_ESCAPE;
            }
            c = (char)(hi << 4 | lo);
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (w == cap)
            return DECODE_TOO_LONG;
        out[w++] = c;
    }
    *out_len = w;
    return DECODE_OK;
}

/* ---- forms ---------------------------------------------------------------------------- */

/* A field's name as an error message may quote it: only short printable ASCII, since the
 * message may end up in a log and the name is the client's. */
static const char *quotable(const char *name)
{
    size_t n = strlen(name);
    if (n > 32)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (name[i] < 0x21 || name[i] > 0x7e || name[i] == '"')
            return NULL;
    return name;
}

/* Decodes one part (the name or the value) of field number k (from 1) at input offset at,
 * into *w, NUL-terminated, and moves *w past it. Returns 0 or ERR_MALFORMED with errbuf. */
static int decode_part(const char *s, size_t n, size_t at, size_t k, const char *part, char **w,
                       char *errbuf)
{
    size_t len = 0, bad = 0;
    /* The caller's buffer has room for every byte of the input, see form_parse(). */
    if (decode(s, n, true, *w, n, &len, &bad) != DECODE_OK) {
        snprintf(errbuf, ERR_BUF_LEN, "bad %%-escape at byte %zu (expected %% and two hex digits)",
                 at + bad);
        return ERR_MALFORMED;
    }
    if (memchr(*w, '\0', len)) {
        snprintf(errbuf, ERR_BUF_LEN, "field %zu: NUL byte in the %s", k, part);
        return ERR_MALFORMED;
    }
    if (!utf8_valid(*w, len, NULL)) {
        snprintf(errbuf, ERR_BUF_LEN, "field %zu: the %s is not valid UTF-8", k, part);
        return ERR_MALFORMED;
    }
    (*w)[len] = '\0';
    *w += len + 1;
    return 0;
}

/* Adds the field data[start..end) to f, decoding it into *w. */
static int add_field(struct form *f, const char *data, size_t start, size_t end, char **w,
                     char *errbuf)
{
    size_t k = f->n + 1;
    if (f->n == FORM_MAX_FIELDS) {
        snprintf(errbuf, ERR_BUF_LEN, "more than %d fields", FORM_MAX_FIELDS);
        return ERR_MALFORMED;
    }
    const char *eq = memchr(data + start, '=', end - start);
    size_t name_end = eq ? (size_t)(eq - data) : end;
    if (name_end == start) {
        snprintf(errbuf, ERR_BUF_LEN, "field %zu has no name", k);
        return ERR_MALFORMED;
    }
    char *name = *w;
    int rc = decode_part(data + start, name_end - start, start, k, "name", w, errbuf);
    if (rc < 0)
        return rc;
    char *value = *w;
    if (eq)
        rc = decode_part(eq + 1, end - name_end - 1, name_end + 1, k, "value", w, errbuf);
    else
        *(*w)++ = '\0';
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->fields[i].name, name) == 0) {
            const char *q = quotable(name);
            snprintf(errbuf, ERR_BUF_LEN, "field %zu repeats the name of field %zu%s%s%s", k, i + 1,
                     q ? " (\"" : "", q ? q : "", q ? "\")" : "");
            return ERR_MALFORMED;
        }
    }
    f->fields[f->n++] = (struct form_field){.name = name, .value = value};
    return 0;
}

int form_parse(struct form *f, const char *data, size_t len, char *errbuf)
{
    assert(f && (data || len == 0) && errbuf);
    memset(f, 0, sizeof *f);
    errbuf[0] = '\0';
    if (len == 0)
        return 0;
    /* Decoding never lengthens a part, and a field adds at most two NULs (for a name
     * without '=' and its empty value), so this is enough for FORM_MAX_FIELDS fields. */
    f->buf = xmalloc(len + 2 * FORM_MAX_FIELDS);
    char *w = f->buf;
    for (size_t start = 0; start < len;) {
        const char *amp = memchr(data + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - data) : len;
        if (end > start) {
            int rc = add_field(f, data, start, end, &w, errbuf);
            if (rc < 0) {
                form_free(f);
                return rc;
            }
        }
        start = end + 1;
    }
    if (f->n == 0)
        form_free(f); /* only empty pieces: keep the promise that buf is NULL */
    return 0;
}

const char *form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

void form_free(struct form *f)
{
    free(f->buf);
    f->buf = NULL;
    f->n = 0;
}

/* ---- cookies -------------------------------------------------------------------------- */

/* C0 or DEL: never in a header value (RFC 9110 §5.5) nor in a path we route. */
static bool is_ctl(char c)
{
    return (unsigned char)c < 0x20 || c == 0x7f;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* RFC 6265 §4.1.1 cookie-octet: visible ASCII but '"', ',', ';' and '\\'. */
static bool is_cookie_octet(char c)
{
    return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

/* Copies the value v[0..n) of the cookie we want into out, or refuses it. */
static int copy_cookie_value(const char *v, size_t n, char *out, size_t size)
{
    if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
        v++;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_cookie_octet(v[i]))
            return ERR_MALFORMED;
    if (n >= size)
        return ERR_MALFORMED;
    memcpy(out, v, n);
    out[n] = '\0';
    return 1;
}

int form_cookie(const char *header, const char *name, char *out, size_t size)
{
    assert(header && name && name[0] && !strpbrk(name, "=; \t") && out && size > 0);
    out[0] = '\0';
    for (const char *p = header; *p; p++)
        if (is_ctl(*p) && *p != '\t')
            return ERR_MALFORMED;
    size_t name_len = strlen(name);
    int found = 0;
    for (const char *p = header;;) {
        const char *semi = strchr(p, ';');
        const char *end = semi ? semi : p + strlen(p);
        const char *s = p, *e = end;
        while (s < e && is_ows(*s))
            s++;
        while (e > s && is_ows(e[-1]))
            e--;
        /* A piece without '=' is a cookie with an empty name (RFC 6265bis), never ours. */
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (eq) {
            const char *ne = eq;
            while (ne > s && is_ows(ne[-1]))
                ne--;
            if ((size_t)(ne - s) == name_len && memcmp(s, name, name_len) == 0) {
                const char *v = eq + 1;
                while (v < e && is_ows(*v))
                    v++;
                int rc = found ? ERR_MALFORMED : copy_cookie_value(v, (size_t)(e - v), out, size);
                if (rc < 0) {
                    out[0] = '\0';
                    return rc;
                }
                found = 1;
            }
        }
        if (!semi)
            return found;
        p = semi + 1;
    }
}

/* ---- request targets ------------------------------------------------------------------ */

/* Whether the decoded path p[0..n) (starting with '/') has a segment a file system or a
 * proxy would read differently from its bytes: "." or "..", or an empty one before another
 * '/' ("//"). A final empty segment ("/a/") is a path of its own and allowed. */
static bool has_dot_or_empty_segment(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '/')
            continue;
        const char *seg = p + i + 1;
        const char *slash = memchr(seg, '/', n - i - 1);
        size_t len = slash ? (size_t)(slash - seg) : n - i - 1;
        if ((len == 0 && slash) || (len == 1 && seg[0] == '.') ||
            (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return true;
    }
    return false;
}

int form_split_target(const char *target, char *path, size_t path_size, const char **query)
{
    assert(target && path && path_size > 0 && query);
    path[0] = '\0';
    *query = NULL;
    if (target[0] != '/')
        return ERR_MALFORMED;
    const char *q = strchr(target, '?');
    size_t n = q ? (size_t)(q - target) : strlen(target);
    size_t len = 0, bad = 0;
    /* Room for the NUL is kept back from the decoder. */
    if (decode(target, n, false, path, path_size - 1, &len, &bad) != DECODE_OK)
        goto malformed;
    for (size_t i = 0; i < len; i++)
        if (is_ctl(path[i]) || path[i] == '\\')
            goto malformed;
    if (!utf8_valid(path, len, NULL) || has_dot_or_empty_segment(path, len))
        goto malformed;
    path[len] = '\0';
    *query = q ? q + 1 : target + n;
    return 0;
malformed:
    path[0] = '\0';
    return ERR_MALFORMED;
}
