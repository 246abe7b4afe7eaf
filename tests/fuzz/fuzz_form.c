// SPDX-License-Identifier: MIT
// libFuzzer target for the request parsers of web/form.c. The whole input is a form body
// (copied into an allocation of exactly its size); up to its first NUL it is also a Cookie
// header and a request target. Invariants:
// - form_parse() accepts exactly what a reference written here from form.h's rules accepts
//   (pieces split at '&', %XX and '+' decoded, refused: a bad escape, NUL, invalid UTF-8,
//   an empty name, a 65th field, a repeated name), with the same fields in the same order;
//   every field re-encoded with html_url_component() parses back to the same fields;
// - form_cookie(): a value found is only cookie-octets and appears in the header;
//   appending "; sid=fz" turns "absent" into "fz" and anything else into ERR_MALFORMED (a
//   second sid is cookie tossing); a smaller buffer changes only whether a value fits;
// - form_split_target(): a path is '/' then decoded bytes with no "//", "/./", "/../",
//   trailing "/." or "/..", '\\', control character or invalid UTF-8; the query is what
//   follows the first '?'; the path, re-encoded segment by segment, splits back to itself.
#include "../../src/base/err.h"
#include "../../src/base/html.h"
#include "../../src/base/units.h"
#include "../../src/base/utf8.h"
#include "../../src/web/form.h"
#include "fuzz.h"

/* ---- forms ------------------------------------------------------------------------------ */

struct ref_form {
    char *name[FORM_MAX_FIELDS], *value[FORM_MAX_FIELDS]; /* owned, NUL-terminated */
    size_t n;
};

/* %XX and '+' decoded from s[0..n) into a new string. Returns NULL where form.h says the
 * part must be refused: a bad escape, a NUL, invalid UTF-8. */
static char *ref_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        abort();
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            out[w++] = s[i] == '+' ? ' ' : s[i];
            continue;
        }
        if (n - i < 3 || units_hex_value(s[i + 1]) < 0 || units_hex_value(s[i + 2]) < 0) {
            free(out);
            return NULL;
        }
        out[w++] = (char)(units_hex_value(s[i + 1]) * 16 + units_hex_value(s[i + 2]));
        i += 2;
    }
    if (memchr(out, '\0', w) || !utf8_valid(out, w, NULL)) {
        free(out);
        return NULL;
    }
    out[w] = '\0';
    return out;
}

static void ref_free(struct ref_form *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->name[i]);
        free(r->value[i]);
    }
    r->n = 0;
}

/* Whether form.h's rules accept data[0..size); OUT: r, the fields when they do (the caller
 * frees them with ref_free() either way). */
static bool ref_parse(const char *data, size_t size, struct ref_form *r)
{
    r->n = 0;
    size_t start = 0;
    while (start < size) {
        size_t end = start;
        while (end < size && data[end] != '&')
            end++;
        if (end > start) {
            size_t eq = start;
            while (eq < end && data[eq] != '=')
                eq++;
            if (r->n == FORM_MAX_FIELDS || eq == start)
                return false;
            char *name = ref_decode(data + start, eq - start);
            char *value = eq < end ? ref_decode(data + eq + 1, end - eq - 1) : ref_decode("", 0);
            bool ok = name && value;
            for (size_t i = 0; ok && i < r->n; i++)
                ok = strcmp(r->name[i], name) != 0;
            if (!ok) {
                free(name);
                free(value);
                return false;
            }
            r->name[r->n] = name;
            r->value[r->n] = value;
            r->n++;
        }
        start = end + 1;
    }
    return true;
}

/* The form's fields as a form body again, every name and value percent-encoded. */
static char *reencode(const struct form *f, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    if (!out)
        abort();
    for (size_t i = 0; i < f->n; i++) {
        if (i)
            fputc('&', out);
        html_url_component(out, f->fields[i].name);
        fputc('=', out);
        html_url_component(out, f->fields[i].value);
    }
    fclose(out);
    for (size_t i = 0; i < *len; i++) /* only unreserved bytes, '=', '&' and %XX */
        FUZZ_CHECK(strchr("-._~=&%", text[i]) || (text[i] >= '0' && text[i] <= '9') ||
                   (text[i] >= 'A' && text[i] <= 'Z') || (text[i] >= 'a' && text[i] <= 'z'));
    return text;
}

static void check_form(const char *data, size_t size)
{
    struct form f;
    char err[ERR_BUF_LEN];
    int rc = form_parse(&f, data, size, err);
    struct ref_form r;
    bool accepted = ref_parse(data, size, &r);
    FUZZ_CHECK(accepted == (rc == 0));
    if (rc < 0) {
        FUZZ_CHECK(rc == ERR_MALFORMED && err[0] != '\0' && f.n == 0 && f.buf == NULL);
        ref_free(&r);
        return;
    }
    FUZZ_CHECK(f.n == r.n && (f.n == 0) == (f.buf == NULL));
    for (size_t i = 0; i < f.n; i++) {
        FUZZ_CHECK(strcmp(f.fields[i].name, r.name[i]) == 0);
        FUZZ_CHECK(strcmp(f.fields[i].value, r.value[i]) == 0);
        FUZZ_CHECK(form_get(&f, r.name[i]) == f.fields[i].value);
    }
    ref_free(&r);

    size_t len;
    char *again_text = reencode(&f, &len);
    struct form again;
    FUZZ_CHECK(form_parse(&again, again_text, len, err) == 0);
    FUZZ_CHECK(again.n == f.n);
    for (size_t i = 0; i < f.n; i++) {
        FUZZ_CHECK(strcmp(again.fields[i].name, f.fields[i].name) == 0);
        FUZZ_CHECK(strcmp(again.fields[i].value, f.fields[i].value) == 0);
    }
    form_free(&again);
    free(again_text);
    form_free(&f);
}

/* ---- cookies ---------------------------------------------------------------------------- */

static void check_cookie(const char *header)
{
    char out[64], small[4];
    int rc = form_cookie(header, "sid", out, sizeof out);
    FUZZ_CHECK(rc == 0 || rc == 1 || rc == ERR_MALFORMED);
    if (rc == 1) {
        for (const char *p = out; *p; p++)
            FUZZ_CHECK(*p > 0x20 && *p < 0x7f && !strchr("\",;\\", *p));
        FUZZ_CHECK(strstr(header, out) != NULL && strstr(header, "sid") != NULL);
    } else {
        FUZZ_CHECK(out[0] == '\0');
    }

    int rc_small = form_cookie(header, "sid", small, sizeof small);
    if (rc == 1)
        FUZZ_CHECK(strlen(out) < sizeof small ? rc_small == 1 && strcmp(small, out) == 0
                                              : rc_small == ERR_MALFORMED);
    else
        FUZZ_CHECK(rc_small == rc);

    size_t n = strlen(header);
    char *appended = malloc(n + sizeof "; sid=fz");
    if (!appended)
        abort();
    memcpy(appended, header, n);
    memcpy(appended + n, "; sid=fz", sizeof "; sid=fz");
    int rc2 = form_cookie(appended, "sid", out, sizeof out);
    FUZZ_CHECK(rc2 == (rc == 0 ? 1 : ERR_MALFORMED));
    FUZZ_CHECK(strcmp(out, rc == 0 ? "fz" : "") == 0);
    free(appended);
}

/* ---- request targets -------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), k = strlen(tail);
    return n >= k && memcmp(s + n - k, tail, k) == 0;
}

/* The path, each segment percent-encoded, split again: must give the path back. */
static void check_path_round_trip(const char *path)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out)
        abort();
    char *copy = strdup(path);
    if (!copy)
        abort();
    for (char *seg = copy + 1, *slash;; seg = slash + 1) {
        slash = strchr(seg, '/');
        if (slash)
            *slash = '\0';
        fputc('/', out);
        html_url_component(out, seg);
        if (!slash)
            break;
    }
    fclose(out);
    char again[128];
    const char *query;
    FUZZ_CHECK(form_split_target(text, again, sizeof again, &query) == 0);
    FUZZ_CHECK(strcmp(again, path) == 0 && *query == '\0');
    free(copy);
    free(text);
}

static void check_target(const char *target)
{
    char path[128], small[8];
    const char *query;
    int rc = form_split_target(target, path, sizeof path, &query);
    if (rc < 0) {
        FUZZ_CHECK(rc == ERR_MALFORMED && path[0] == '\0' && query == NULL);
        FUZZ_CHECK(form_split_target(target, small, sizeof small, &query) == ERR_MALFORMED);
        return;
    }
    FUZZ_CHECK(rc == 0 && path[0] == '/');
    FUZZ_CHECK(!strstr(path, "//") && !strstr(path, "/./") && !strstr(path, "/../"));
    FUZZ_CHECK(!ends_with(path, "/.") && !ends_with(path, "/.."));
    for (const char *p = path; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f && *p != '\\');
    FUZZ_CHECK(utf8_valid(path, strlen(path), NULL));

    const char *qm = strchr(target, '?');
    size_t raw_len = qm ? (size_t)(qm - target) : strlen(target);
    FUZZ_CHECK(query == (qm ? qm + 1 : target + raw_len));
    FUZZ_CHECK(strlen(path) <= raw_len);
    if (!memchr(target, '%', raw_len)) /* nothing to decode: the path is the raw bytes */
        FUZZ_CHECK(strlen(path) == raw_len && memcmp(path, target, raw_len) == 0);

    int rc_small = form_split_target(target, small, sizeof small, &query);
    FUZZ_CHECK(strlen(path) < sizeof small ? rc_small == 0 && strcmp(small, path) == 0
                                           : rc_small == ERR_MALFORMED);
    check_path_round_trip(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *body = calloc(1, size); /* exactly size bytes, so an over-read is an ASan report */
    if (!body)
        abort();
    if (size)
        memcpy(body, data, size);
    check_form(body, size);

    const uint8_t *nul = memchr(data, '\0', size);
    size_t n = nul ? (size_t)(nul - data) : size;
    char *str = malloc(n + 1);
    if (!str)
        abort();
    if (n)
        memcpy(str, data, n);
    str[n] = '\0';
    check_cookie(str);
    check_target(str);
    free(str);
    free(body);
    return 0;
}
