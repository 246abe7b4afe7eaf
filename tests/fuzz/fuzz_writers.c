// SPDX-License-Identifier: MIT
// libFuzzer target for the output writers (base/json.c, base/csv.c) and the UTF-8 checks
// (base/utf8.c). The input is a list of cells separated by NUL bytes, each copied into an
// allocation of exactly its size. They are written as JSON, as strings and as member
// names: {"cells":[\n"c0",\n"c1"],"keys":{"c0":0,"c1":1}}, and as one CSV row (every
// third cell always quoted, then the input's size as a number when it is odd, so that a
// row of one empty cell is reached too), each into a memory stream. Invariants:
// - the JSON is the document above, parsed strictly (RFC 8259): valid UTF-8, no raw
//   control character (C0, DEL, C1) anywhere, and every string decodes back to its cell
//   when the cell is valid UTF-8, else to valid UTF-8 holding U+FFFD;
// - the CSV parses strictly (RFC 4180, LF line ends) into one record with one field per
//   cell: the cell itself, or "'" and the cell, quoted, when the cell starts like a formula
//   (= + - @ TAB CR); no text field starts like a formula; the number is unquoted;
// - utf8_valid() and utf8_is_text() agree with a reference written differently here
//   (decode by bit patterns, then range checks).
#include "../../src/base/csv.h"
#include "../../src/base/json.h"
#include "../../src/base/units.h"
#include "../../src/base/utf8.h"
#include "fuzz.h"

struct cell {
    char *s; /* owned, NUL-terminated, exactly len + 1 bytes */
    size_t len;
};

/* ---- reference UTF-8 ---------------------------------------------------------------- */

static bool ref_utf8_valid(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = s[i];
        size_t len;
        uint32_t cp, min;
        if (b < 0x80) {
            i++;
            continue;
        }
        if ((b & 0xe0) == 0xc0)
            len = 2, cp = b & 0x1f, min = 0x80;
        else if ((b & 0xf0) == 0xe0)
            len = 3, cp = b & 0x0f, min = 0x800;
        else if ((b & 0xf8) == 0xf0)
            len = 4, cp = b & 0x07, min = 0x10000;
        else
            return false;
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += len;
    }
    return true;
}

/* In valid UTF-8: a C0 byte, DEL, or C2 80..C2 9F (U+0080..U+009F). */
static bool ref_has_control(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] == 0x7f || (s[i] == 0xc2 && i + 1 < n && s[i + 1] <= 0x9f))
            return true;
    return false;
}

static void check_utf8(const struct cell *c)
{
    const uint8_t *u = (const uint8_t *)c->s;
    bool valid = ref_utf8_valid(u, c->len);
    size_t bad = SIZE_MAX;
    FUZZ_CHECK(utf8_valid(c->s, c->len, &bad) == valid);
    if (!valid) /* the first invalid sequence starts where the valid prefix ends */
        FUZZ_CHECK(bad < c->len && ref_utf8_valid(u, bad));
    char why[96];
    FUZZ_CHECK(utf8_is_text(c->s, why, sizeof why) == (valid && !ref_has_control(u, c->len)));
}

/* ---- JSON ----------------------------------------------------------------------------- */

struct reader {
    const uint8_t *p, *end;
};

static void expect(struct reader *r, const char *lit)
{
    size_t n = strlen(lit);
    FUZZ_CHECK((size_t)(r->end - r->p) >= n && memcmp(r->p, lit, n) == 0);
    r->p += n;
}

static unsigned hex4(struct reader *r)
{
    unsigned v = 0;
    FUZZ_CHECK(r->end - r->p >= 4);
    for (int i = 0; i < 4; i++) {
        int d = units_hex_value((char)*r->p++);
        FUZZ_CHECK(d >= 0);
        v = v << 4 | (unsigned)d;
    }
    return v;
}

static size_t put_utf8(uint8_t *out, uint32_t cp)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xc0 | cp >> 6);
        out[1] = (uint8_t)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (uint8_t)(0xe0 | cp >> 12);
        out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (uint8_t)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (uint8_t)(0xf0 | cp >> 18);
    out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (uint8_t)(0x80 | (cp & 0x3f));
    return 4;
}

/* Parses a JSON string (RFC 8259 §7) into out (room for 4 bytes per input byte). */
static size_t parse_string(struct reader *r, uint8_t *out)
{
    size_t n = 0;
    expect(r, "\"");
    for (;;) {
        FUZZ_CHECK(r->p < r->end);
        uint8_t b = *r->p++;
        FUZZ_CHECK(b >= 0x20); /* raw control characters are not allowed in strings */
        if (b == '"')
            return n;
        if (b != '\\') {
            out[n++] = b;
            continue;
        }
        FUZZ_CHECK(r->p < r->end);
        uint8_t e = *r->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        FUZZ_CHECK(e != '\0' && (simple || e == 'u'));
        if (e != 'u') {
            out[n++] = (uint8_t) "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        uint32_t cp = hex4(r);
        FUZZ_CHECK(cp < 0xdc00 || cp > 0xdfff); /* no lone low surrogate */
        if (cp >= 0xd800 && cp <= 0xdbff) {
            expect(r, "\\u");
            uint32_t lo = hex4(r);
            FUZZ_CHECK(lo >= 0xdc00 && lo <= 0xdfff);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        n += put_utf8(out + n, cp);
    }
}

static void check_decoded(const struct cell *c, const uint8_t *got, size_t n)
{
    if (ref_utf8_valid((const uint8_t *)c->s, c->len)) {
        FUZZ_CHECK(n == c->len && memcmp(got, c->s, n) == 0);
        return;
    }
    FUZZ_CHECK(ref_utf8_valid(got, n) && memmem(got, n, "\xef\xbf\xbd", 3) != NULL);
}

static void check_json(const uint8_t *doc, size_t size, const struct cell *cells, size_t n)
{
    /* Valid UTF-8, and no raw control character but the newlines between rows. */
    FUZZ_CHECK(ref_utf8_valid(doc, size));
    for (size_t i = 0; i < size; i++)
        FUZZ_CHECK(doc[i] >= 0x20 ? doc[i] != 0x7f
                                  : (doc[i] == '\n' && i > 0 && strchr("[,", doc[i - 1])));
    for (size_t i = 0; i + 1 < size; i++)
        FUZZ_CHECK(doc[i] != 0xc2 || doc[i + 1] > 0x9f);
    size_t max = 0;
    for (size_t i = 0; i < n; i++)
        max = cells[i].len > max ? cells[i].len : max;
    uint8_t *buf = malloc(4 * max + 4);
    if (!buf)
        abort();
    struct reader r = {doc, doc + size};
    expect(&r, "{\"cells\":[");
    for (size_t i = 0; i < n; i++) {
        expect(&r, i ? ",\n" : "\n");
        size_t len = parse_string(&r, buf);
        check_decoded(&cells[i], buf, len);
    }
    expect(&r, "],\"keys\":{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            expect(&r, ",");
        size_t len = parse_string(&r, buf);
        check_decoded(&cells[i], buf, len);
        char num[24];
        snprintf(num, sizeof num, ":%zu", i);
        expect(&r, num);
    }
    expect(&r, "}}");
    FUZZ_CHECK(r.p == r.end);
    free(buf);
}

/* ---- CSV ------------------------------------------------------------------------------ */

static bool starts_formula(const char *s, size_t len)
{
    return len > 0 && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/* Parses one field (RFC 4180 §2) into out; returns its length. OUT: *quoted. */
static size_t parse_field(struct reader *r, uint8_t *out, bool *quoted)
{
    size_t n = 0;
    *quoted = r->p < r->end && *r->p == '"';
    if (!*quoted) {
        while (r->p < r->end && *r->p != ',' && *r->p != '\n') {
            FUZZ_CHECK(*r->p != '"' && *r->p != '\r');
            out[n++] = *r->p++;
        }
        return n;
    }
    r->p++;
    for (;;) {
        FUZZ_CHECK(r->p < r->end);
        if (*r->p == '"') {
            if (r->end - r->p >= 2 && r->p[1] == '"') {
                out[n++] = '"';
                r->p += 2;
                continue;
            }
            r->p++;
            FUZZ_CHECK(r->p < r->end && (*r->p == ',' || *r->p == '\n'));
            return n;
        }
        out[n++] = *r->p++;
    }
}

static void check_csv(const uint8_t *doc, size_t size, const struct cell *cells, size_t n,
                      size_t number)
{
    uint8_t *buf = malloc(size + 1);
    if (!buf)
        abort();
    struct reader r = {doc, doc + size};
    size_t i = 0;
    for (;; i++) {
        bool quoted;
        size_t len = parse_field(&r, buf, &quoted);
        FUZZ_CHECK(r.p < r.end); /* the record ends with LF */
        if (i < n) {
            const struct cell *c = &cells[i];
            bool formula = starts_formula(c->s, c->len);
            FUZZ_CHECK(!starts_formula((const char *)buf, len));
            FUZZ_CHECK(len == c->len + formula);
            FUZZ_CHECK(memcmp(buf + formula, c->s, c->len) == 0);
            FUZZ_CHECK(!formula || (quoted && buf[0] == '\''));
            FUZZ_CHECK(quoted || i % 3 != 2);
        } else {
            char num[24];
            FUZZ_CHECK(i == n && number != SIZE_MAX && !quoted);
            snprintf(num, sizeof num, "%zu", number);
            FUZZ_CHECK(len == strlen(num) && memcmp(buf, num, len) == 0);
        }
        if (*r.p++ == '\n')
            break;
    }
    FUZZ_CHECK(i + 1 == n + (number != SIZE_MAX));
    FUZZ_CHECK(r.p == r.end);
    free(buf);
}

/* ---- driver --------------------------------------------------------------------------- */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\0';
    struct cell *cells = calloc(n, sizeof *cells);
    if (!cells)
        abort();
    const uint8_t *p = data, *end = data + size;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *nul = memchr(p, '\0', (size_t)(end - p));
        cells[i].len = (size_t)((nul ? nul : end) - p);
        cells[i].s = malloc(cells[i].len + 1);
        if (!cells[i].s)
            abort();
        if (cells[i].len)
            memcpy(cells[i].s, p, cells[i].len);
        cells[i].s[cells[i].len] = '\0';
        p += cells[i].len + 1;
        check_utf8(&cells[i]);
    }

    char *doc = NULL;
    size_t doc_len = 0;
    FILE *f = open_memstream(&doc, &doc_len);
    if (!f)
        abort();
    struct json j;
    json_init(&j, f);
    json_object_begin(&j);
    json_key(&j, "cells");
    json_rows_begin(&j);
    for (size_t i = 0; i < n; i++)
        json_str(&j, cells[i].s);
    json_array_end(&j);
    json_key(&j, "keys");
    json_object_begin(&j);
    for (size_t i = 0; i < n; i++)
        json_member_u64(&j, cells[i].s, i);
    json_object_end(&j);
    json_object_end(&j);
    fclose(f);
    check_json((const uint8_t *)doc, doc_len, cells, n);
    free(doc);

    f = open_memstream(&doc, &doc_len);
    if (!f)
        abort();
    struct csv c;
    csv_init(&c, f);
    for (size_t i = 0; i < n; i++)
        (i % 3 == 2 ? csv_text_quoted : csv_text)(&c, cells[i].s);
    size_t number = size % 2 ? size : SIZE_MAX;
    if (number != SIZE_MAX)
        csv_u64(&c, number);
    csv_end_row(&c);
    fclose(f);
    check_csv((const uint8_t *)doc, doc_len, cells, n, number);
    free(doc);

    for (size_t i = 0; i < n; i++)
        free(cells[i].s);
    free(cells);
    return 0;
}
