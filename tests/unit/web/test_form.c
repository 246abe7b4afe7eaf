// SPDX-License-Identifier: MIT
// Tests of the request parsers: form fields and query strings, the Cookie header and the
// request target, with hostile inputs next to ordinary ones. Expected results written by
// hand.
#include "../../../src/base/err.h"
#include "../../../src/base/html.h"
#include "../../../src/web/form.h"
#include "test.h"

#include <stdlib.h>

/* The fields of f as "name=value|name=value", for comparing with one string. */
static void describe(const struct form *f, char *out, size_t size)
{
    size_t w = 0;
    out[0] = '\0';
    for (size_t i = 0; i < f->n && w < size; i++)
        w += (size_t)snprintf(out + w, size - w, "%s%s=%s", i ? "|" : "", f->fields[i].name,
                              f->fields[i].value);
}

static void test_parse(void)
{
    static const struct {
        const char *in;
        size_t len;       /* 0: strlen(in) */
        const char *want; /* the fields, or the error message */
        int rc;
    } cases[] = {
        {"", 0, "", 0},
        {"a=1&b=2", 0, "a=1|b=2", 0},
        {"user=alice+smith&note=caf%C3%A9%21", 0, "user=alice smith|note=caf\xc3\xa9!", 0},
        {"a", 0, "a=", 0},
        {"a=&b", 0, "a=|b=", 0},
        {"a=1&&b=2&", 0, "a=1|b=2", 0},
        {"&", 0, "", 0},
        {"&&&", 0, "", 0},
        {"a=b=c", 0, "a=b=c", 0},
        {"%61=%2B", 0, "a=+", 0},
        {"a=%3d%3D", 0, "a===", 0},
        {"q=%26x%3D1", 0, "q=&x=1", 0},
        {"t=line1%0D%0Aline2", 0, "t=line1\r\nline2", 0},
        {"a=%2", 0, "bad %-escape at byte 2 (expected % and two hex digits)", ERR_MALFORMED},
        {"a=%zz", 0, "bad %-escape at byte 2 (expected % and two hex digits)", ERR_MALFORMED},
        {"a=%4g", 0, "bad %-escape at byte 2 (expected % and two hex digits)", ERR_MALFORMED},
        {"x=1&a=%", 0, "bad %-escape at byte 6 (expected % and two hex digits)", ERR_MALFORMED},
        {"x=1&%%=1", 0, "bad %-escape at byte 4 (expected % and two hex digits)", ERR_MALFORMED},
        {"a=%00", 0, "field 1: NUL byte in the value", ERR_MALFORMED},
        {"a=1&b%00=1", 0, "field 2: NUL byte in the name", ERR_MALFORMED},
        {"a=\0", 3, "field 1: NUL byte in the value", ERR_MALFORMED},
        {"a=%C0%AF", 0, "field 1: the value is not valid UTF-8", ERR_MALFORMED},
        {"a=%ff", 0, "field 1: the value is not valid UTF-8", ERR_MALFORMED},
        {"a=\xc3", 0, "field 1: the value is not valid UTF-8", ERR_MALFORMED},
        {"%ED%A0%80=1", 0, "field 1: the name is not valid UTF-8", ERR_MALFORMED},
        {"=x", 0, "field 1 has no name", ERR_MALFORMED},
        {"a=1&=", 0, "field 2 has no name", ERR_MALFORMED},
        {"a=1&a=2", 0, "field 2 repeats the name of field 1 (\"a\")", ERR_MALFORMED},
        {"a=1&a", 0, "field 2 repeats the name of field 1 (\"a\")", ERR_MALFORMED},
        {"user=a&x=1&user=b", 0, "field 3 repeats the name of field 1 (\"user\")", ERR_MALFORMED},
        {"user=a&%75ser=b", 0, "field 2 repeats the name of field 1 (\"user\")", ERR_MALFORMED},
        /* names that may not be quoted into a log line are not */
        {"a+b=1&a%20b=2", 0, "field 2 repeats the name of field 1", ERR_MALFORMED},
        {"a%0A=1&a%0a=2", 0, "field 2 repeats the name of field 1", ERR_MALFORMED},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct form f;
        char err[ERR_BUF_LEN], got[256];
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
        int rc = form_parse(&f, cases[i].in, len, err);
        ASSERT_EQ_INT(rc, cases[i].rc);
        if (rc == 0) {
            describe(&f, got, sizeof got);
            ASSERT_STREQ(got, cases[i].want);
            ASSERT_STREQ(err, "");
        } else {
            ASSERT_STREQ(err, cases[i].want);
            ASSERT_EQ_U64(f.n, 0);
            ASSERT_TRUE(f.buf == NULL);
        }
        ASSERT_TRUE(f.n > 0 || f.buf == NULL);
        form_free(&f);
        ASSERT_TRUE(f.n == 0 && f.buf == NULL);
        form_free(&f); /* twice is harmless */
    }
}

/* 64 one-letter names without '=': the input that needs the most buffer per input byte. */
static void test_field_cap(void)
{
    static const char names[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    char in[2 * FORM_MAX_FIELDS + 8];
    size_t w = 0;
    for (size_t i = 0; i < FORM_MAX_FIELDS; i++) {
        if (i)
            in[w++] = '&';
        in[w++] = names[i];
    }
    struct form f;
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(form_parse(&f, in, w, err), 0);
    ASSERT_EQ_U64(f.n, FORM_MAX_FIELDS);
    ASSERT_STREQ(f.fields[63].name, "-");
    ASSERT_STREQ(f.fields[63].value, "");
    ASSERT_STREQ(form_get(&f, "Z"), "");
    form_free(&f);

    memcpy(in + w, "&x=1", 4); /* the 65th field */
    ASSERT_EQ_INT(form_parse(&f, in, w + 4, err), ERR_MALFORMED);
    ASSERT_STREQ(err, "more than 64 fields");
    ASSERT_EQ_INT(form_parse(&f, in, w + 1, err), 0); /* a trailing '&' is no field */
    ASSERT_EQ_U64(f.n, FORM_MAX_FIELDS);
    form_free(&f);
}

static void test_get(void)
{
    struct form f;
    char err[ERR_BUF_LEN];
    const char *in = "user=alice&pass=&remember";
    ASSERT_EQ_INT(form_parse(&f, in, strlen(in), err), 0);
    ASSERT_STREQ(form_get(&f, "user"), "alice");
    ASSERT_STREQ(form_get(&f, "pass"), "");
    ASSERT_STREQ(form_get(&f, "remember"), "");
    ASSERT_TRUE(form_get(&f, "User") == NULL);
    ASSERT_TRUE(form_get(&f, "use") == NULL);
    ASSERT_TRUE(form_get(&f, "") == NULL);
    form_free(&f);
    ASSERT_TRUE(form_get(&f, "user") == NULL);
}

/* What html_url_component() writes, form_parse() reads back. */
static void test_url_round_trip(void)
{
    static const char *const values[] = {
        "alice", "a b+c&d=e%f", "caf\xc3\xa9 \xf0\x9f\x98\x80", "~-._", "x\r\ny", "",
    };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char *enc = NULL;
        size_t enc_len = 0;
        FILE *out = open_memstream(&enc, &enc_len);
        fputs("k=", out);
        html_url_component(out, values[i]);
        fclose(out);
        struct form f;
        char err[ERR_BUF_LEN];
        ASSERT_EQ_INT(form_parse(&f, enc, enc_len, err), 0);
        ASSERT_STREQ(form_get(&f, "k"), values[i]);
        form_free(&f);
        free(enc);
    }
}

static void test_cookie(void)
{
    static const struct {
        const char *header, *name;
        size_t size; /* 0: 64 */
        int rc;
        const char *want;
    } cases[] = {
        {"sid=abc", "sid", 0, 1, "abc"},
        {"theme=dark; sid=abc123; lang=en", "sid", 0, 1, "abc123"},
        {"theme=dark; lang=en", "sid", 0, 0, ""},
        {"", "sid", 0, 0, ""},
        {"sid=a; sid=b", "sid", 0, ERR_MALFORMED, ""},
        {"sid=a;sid=b", "sid", 0, ERR_MALFORMED, ""},
        {"sid=a; x=1; sid=a", "sid", 0, ERR_MALFORMED, ""}, /* even with the same value */
        {"sid=a; sid", "sid", 0, 1, "a"},                   /* a nameless cookie "sid" */
        {"SID=x; sid=y", "sid", 0, 1, "y"},                 /* names are case-sensitive */
        {"xsid=1; sidx=2; sid_=3", "sid", 0, 0, ""},
        {"sid", "sid", 0, 0, ""},
        {"sid=", "sid", 0, 1, ""},
        {"sid=\"quoted\"", "sid", 0, 1, "quoted"},
        {"sid=\"\"", "sid", 0, 1, ""},
        {"sid=\"abc", "sid", 0, ERR_MALFORMED, ""},
        {"sid=a\"b", "sid", 0, ERR_MALFORMED, ""},
        {"sid=a b", "sid", 0, ERR_MALFORMED, ""},
        {"sid=a,b", "sid", 0, ERR_MALFORMED, ""},
        {"sid=a\\b", "sid", 0, ERR_MALFORMED, ""},
        {"sid=caf\xc3\xa9", "sid", 0, ERR_MALFORMED, ""},
        {"other=a b \"c\"; sid=ok", "sid", 0, 1, "ok"}, /* not ours, not checked */
        {"  sid = ok  ;", "sid", 0, 1, "ok"},
        {"sid=ok;\tfoo=1", "sid", 0, 1, "ok"},
        {"a=1;;sid=2;", "sid", 0, 1, "2"},
        {"sid=ok\r\nSet-Cookie: x=1", "sid", 0, ERR_MALFORMED, ""},
        {"x=\x01; sid=ok", "sid", 0, ERR_MALFORMED, ""},
        {"sid=ok; x=\x7f", "sid", 0, ERR_MALFORMED, ""},
        {"sid=0123456789", "sid", 10, ERR_MALFORMED, ""},
        {"sid=0123456789", "sid", 11, 1, "0123456789"},
        {"sid=a=b", "sid", 0, 1, "a=b"},
        {"csrf=t0k3n; sid=s", "csrf", 0, 1, "t0k3n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        memset(out, 'X', sizeof out);
        size_t size = cases[i].size ? cases[i].size : sizeof out;
        int rc = form_cookie(cases[i].header, cases[i].name, out, size);
        if (rc != cases[i].rc)
            TEST_FAIL("case %zu (%s): got %d", i, cases[i].header, rc);
        ASSERT_STREQ(out, cases[i].want);
    }
}

static void test_split_target(void)
{
    static const struct {
        const char *target;
        int rc;
        const char *path, *query;
    } cases[] = {
        {"/", 0, "/", ""},
        {"/usage", 0, "/usage", ""},
        {"/usage?month=2025-06", 0, "/usage", "month=2025-06"},
        {"/usage?month=2025%2D06", 0, "/usage", "month=2025%2D06"}, /* query not decoded */
        {"/a%20b?x", 0, "/a b", "x"},
        {"/a+b", 0, "/a+b", ""},
        {"/account/al%C3%A9", 0, "/account/al\xc3\xa9", ""},
        {"/a?b?c", 0, "/a", "b?c"},
        {"/?", 0, "/", ""},
        {"/a/", 0, "/a/", ""},
        {"/a%2Fb", 0, "/a/b", ""},
        {"/a%3Fb", 0, "/a?b", ""},
        {"/...", 0, "/...", ""},
        {"/.well-known/x", 0, "/.well-known/x", ""},
        {"/a..b/c.", 0, "/a..b/c.", ""},
        {"/ok?../../etc/passwd", 0, "/ok", "../../etc/passwd"},
        {"usage", ERR_MALFORMED, "", NULL},
        {"", ERR_MALFORMED, "", NULL},
        {"*", ERR_MALFORMED, "", NULL},
        {"http://example.org/", ERR_MALFORMED, "", NULL},
        {"?x=1", ERR_MALFORMED, "", NULL},
        {"/..%2f", ERR_MALFORMED, "", NULL},
        {"/..%2fetc/passwd", ERR_MALFORMED, "", NULL},
        {"/%2e%2e/", ERR_MALFORMED, "", NULL},
        {"/%2E%2E", ERR_MALFORMED, "", NULL},
        {"/..", ERR_MALFORMED, "", NULL},
        {"/a/..", ERR_MALFORMED, "", NULL},
        {"/a/..?x", ERR_MALFORMED, "", NULL},
        {"/a/.", ERR_MALFORMED, "", NULL},
        {"/.", ERR_MALFORMED, "", NULL},
        {"/a/./b", ERR_MALFORMED, "", NULL},
        {"/a/%2e/b", ERR_MALFORMED, "", NULL},
        {"//evil.example/", ERR_MALFORMED, "", NULL},
        {"/a//b", ERR_MALFORMED, "", NULL},
        {"/a%2F%2Fb", ERR_MALFORMED, "", NULL},
        {"/a%2F/b", ERR_MALFORMED, "", NULL},
        {"/a%5c..%5cb", ERR_MALFORMED, "", NULL},
        {"/a\\b", ERR_MALFORMED, "", NULL},
        {"/a%00", ERR_MALFORMED, "", NULL},
        {"/a%0d%0aSet-Cookie:x", ERR_MALFORMED, "", NULL},
        {"/a%7F", ERR_MALFORMED, "", NULL},
        {"/a%C0%AF", ERR_MALFORMED, "", NULL},
        {"/a%C0%AE%C0%AE/", ERR_MALFORMED, "", NULL},
        {"/a%ff", ERR_MALFORMED, "", NULL},
        {"/a\xff", ERR_MALFORMED, "", NULL},
        {"/a%2", ERR_MALFORMED, "", NULL},
        {"/a%zz", ERR_MALFORMED, "", NULL},
        {"/a%", ERR_MALFORMED, "", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[64];
        const char *query = "unset";
        int rc = form_split_target(cases[i].target, path, sizeof path, &query);
        if (rc != cases[i].rc)
            TEST_FAIL("case %zu (%s): got %d", i, cases[i].target, rc);
        ASSERT_STREQ(path, cases[i].path);
        if (cases[i].query) {
            ASSERT_STREQ(query, cases[i].query);
            /* a pointer into the target, not a copy */
            const char *t = cases[i].target;
            ASSERT_TRUE(query >= t && query <= t + strlen(t));
        } else {
            ASSERT_TRUE(query == NULL);
        }
    }
}

static void test_split_target_size(void)
{
    char path[16];
    const char *query;
    ASSERT_EQ_INT(form_split_target("/abcdefgh", path, 9, &query), ERR_MALFORMED);
    ASSERT_STREQ(path, "");
    ASSERT_EQ_INT(form_split_target("/abcdefgh", path, 10, &query), 0);
    ASSERT_STREQ(path, "/abcdefgh");
    /* the decoded path is what must fit */
    ASSERT_EQ_INT(form_split_target("/%61%61?q", path, 4, &query), 0);
    ASSERT_STREQ(path, "/aa");
    ASSERT_STREQ(query, "q");
    ASSERT_EQ_INT(form_split_target("/", path, 1, &query), ERR_MALFORMED);
}

int main(void)
{
    RUN(test_parse);
    RUN(test_field_cap);
    RUN(test_get);
    RUN(test_url_round_trip);
    RUN(test_cookie);
    RUN(test_split_target);
    RUN(test_split_target_size);
    return test_done();
}
