// SPDX-License-Identifier: MIT
// Tests of the template language: rendering against a page written the way portal pages
// are (a struct, a lookup function, an array of rows), the parse errors with their exact
// lines, strict mode and the nesting cap. Expected output written by hand.
#include "../../../src/base/err.h"
#include "../../../src/base/template.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>

/* ---- a page ---------------------------------------------------------------------------- */

struct day {
    const char *date;
    unsigned long long bytes;
    bool is_weekend;
    const char *label;
};

struct page {
    const char *account, *note, *chart, *label;
    bool is_over;
    const struct day *days;
    size_t n_days;
};

static void day_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct day *d = ctx;
    if (strcmp(name, "date") == 0)
        template_set_str(v, d->date);
    else if (strcmp(name, "bytes") == 0)
        template_set_fmt(v, "%llu", d->bytes);
    else if (strcmp(name, "is_weekend") == 0)
        template_set_bool(v, d->is_weekend);
    else if (strcmp(name, "label") == 0 && d->label)
        template_set_str(v, d->label);
}

static void page_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct page *p = ctx;
    if (strcmp(name, "account") == 0)
        template_set_str(v, p->account);
    else if (strcmp(name, "note") == 0)
        template_set_str(v, p->note);
    else if (strcmp(name, "empty") == 0)
        template_set_str(v, "");
    else if (strcmp(name, "chart") == 0)
        template_set_str(v, p->chart);
    else if (strcmp(name, "label") == 0)
        template_set_str(v, p->label);
    else if (strcmp(name, "is_over") == 0)
        template_set_bool(v, p->is_over);
    else if (strcmp(name, "days") == 0)
        template_set_list(v, p->days, p->n_days, sizeof p->days[0], day_lookup);
    else if (strcmp(name, "none") == 0)
        template_set_list(v, NULL, 0, 0, NULL);
}

static const struct day days[] = {
    {"2025-06-06", 10, false, NULL},
    {"2025-06-07", 20000000000ULL, true, "sat<"},
};

static const struct page page = {
    .account = "Mallory <b>&",
    .note = NULL,
    .chart = "<svg class=\"c\"></svg>",
    .label = "outer",
    .is_over = true,
    .days = days,
    .n_days = 2,
};

/* Parses text as "t.html" (which must succeed) and renders it; returns the output (caller
 * frees). OUT: *rc, errbuf. */
static char *render(const char *text, unsigned flags, int *rc, char *errbuf)
{
    struct template *t = template_parse(text, strlen(text), "t.html", errbuf);
    if (!t) {
        TEST_FAIL("parse failed: %s", errbuf);
        *rc = -1;
        return NULL;
    }
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    *rc = template_render(t, page_lookup, &page, flags, f, errbuf);
    fclose(f);
    template_free(t);
    return out;
}

/* ---- tests ----------------------------------------------------------------------------- */

static void test_render(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"", ""},
        {"plain <b>text</b>\n", "plain <b>text</b>\n"},
        {"Hello {{account}}!", "Hello Mallory &lt;b&gt;&amp;!"},
        {"{{ account }}|{{\taccount\t}}", "Mallory &lt;b&gt;&amp;|Mallory &lt;b&gt;&amp;"},
        {"{{&chart}}", "<svg class=\"c\"></svg>"},
        {"{{& chart }}", "<svg class=\"c\"></svg>"},
        {"{{chart}}", "&lt;svg class=&quot;c&quot;&gt;&lt;/svg&gt;"},
        {"{{#is_over}}Over quota{{/is_over}}", "Over quota"},
        {"{{^is_over}}fine{{/is_over}}", ""},
        {"{{#days}}{{date}}={{bytes}};{{/days}}", "2025-06-06=10;2025-06-07=20000000000;"},
        /* an item's names first, then the page's */
        {"{{#days}}{{account}}:{{date}} {{/days}}",
         "Mallory &lt;b&gt;&amp;:2025-06-06 Mallory &lt;b&gt;&amp;:2025-06-07 "},
        {"{{#days}}{{label}},{{/days}}{{label}}", "outer,sat&lt;,outer"},
        {"{{#days}}{{#is_weekend}}W{{/is_weekend}}{{^is_weekend}}D{{/is_weekend}}{{/days}}", "DW"},
        {"{{#days}}{{#days}}{{date}}/{{/days}} {{/days}}",
         "2025-06-06/2025-06-07/ 2025-06-06/2025-06-07/ "},
        {"{{^days}}no days{{/days}}", ""},
        {"{{#none}}x{{/none}}{{^none}}empty{{/none}}", "empty"},
        {"[{{nope}}][{{&nope}}]", "[][]"},
        {"{{#nope}}x{{/nope}}{{^nope}}y{{/nope}}", "y"},
        {"{{#note}}Note: {{note}}{{/note}}[{{note}}]", "[]"}, /* NULL counts as "" */
        {"{{#empty}}x{{/empty}}{{^empty}}y{{/empty}}", "y"},
        {"{{#account}}yes{{/account}}{{^account}}no{{/account}}", "yes"},
        {"[{{is_over}}][{{days}}]", "[][]"},
        {"a{{! a comment }}b", "ab"},
        {"a{{! spans\nlines }}b", "ab"},
        {"a{{! {{x}} }}b", "a }}b"}, /* a comment ends at its first "}}" */
        {"{{! }} }}", " }}"},
        {"{ } }} {x}", "{ } }} {x}"},
        {"caf\xc3\xa9 {{account}}", "caf\xc3\xa9 Mallory &lt;b&gt;&amp;"},
        {"{{#a-b_9}}x{{/a-b_9}}", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[ERR_BUF_LEN];
        int rc;
        char *got = render(cases[i].text, 0, &rc, err);
        ASSERT_EQ_INT(rc, 0);
        if (got && strcmp(got, cases[i].want) != 0)
            TEST_FAIL("case %zu: %s\n#   got  \"%s\"\n#   want \"%s\"", i, cases[i].text, got,
                      cases[i].want);
        free(got);
    }
}

static void test_parse_errors(void)
{
    static const struct {
        const char *text, *want;
    } cases[] = {
        {"{{#a}}{{/b}}",
         "t.html:1: expected {{/a}} to close the section opened on line 1, found {{/b}}"},
        {"{{#a}}\n{{#b}}\n{{/a}}",
         "t.html:3: expected {{/b}} to close the section opened on line 2, found {{/a}}"},
        {"line1\n{{#a}}\nx\n",
         "t.html:2: expected {{/a}} to close the section opened here, found the end"},
        {"{{#a}}\n{{^b}}\n{{/b}}\n",
         "t.html:1: expected {{/a}} to close the section opened here, found the end"},
        {"{{#a}}\n{{#b}}\n", /* the innermost first */
         "t.html:2: expected {{/b}} to close the section opened here, found the end"},
        {"{{/a}}", "t.html:1: {{/a}} closes no section: expected {{#a}} or {{^a}} before it"},
        {"{{#a}}{{/a}}\n{{/a}}",
         "t.html:2: {{/a}} closes no section: expected {{#a}} or {{^a}} before it"},
        {"x\n{{name", "t.html:2: expected }} to close {{name"},
        {"{{name}", "t.html:1: expected }} to close {{name"},
        {"{{#a b}}", "t.html:1: expected }} to close {{#a"},
        {"{{a.b}}", "t.html:1: expected }} to close {{a"},
        {"{{ a\n}}", "t.html:1: expected }} to close {{a"},
        {"{{&a }x}}", "t.html:1: expected }} to close {{&a"},
        {"{{}}",
         "t.html:1: expected a name (letters, digits, '_', '-') or one of # ^ / & ! after {{"},
        {"\n\n{{{a}}}",
         "t.html:3: expected a name (letters, digits, '_', '-') or one of # ^ / & ! after {{"},
        {"{{>partial}}",
         "t.html:1: expected a name (letters, digits, '_', '-') or one of # ^ / & ! after {{"},
        {"{{=<% %>=}}",
         "t.html:1: expected a name (letters, digits, '_', '-') or one of # ^ / & ! after {{"},
        {"{{\n}}",
         "t.html:1: expected a name (letters, digits, '_', '-') or one of # ^ / & ! after {{"},
        {"{{",
         "t.html:1: expected a name (letters, digits, '_', '-') or one of # ^ / & ! after {{"},
        {"{{#}}", "t.html:1: expected a name (letters, digits, '_', '-') after {{#"},
        {"{{/ }}", "t.html:1: expected a name (letters, digits, '_', '-') after {{/"},
        {"{{^\xc3\xa9}}", "t.html:1: expected a name (letters, digits, '_', '-') after {{^"},
        {"a\n\n{{! unclosed\n}", "t.html:3: expected }} to close the comment {{! opened here"},
        {"{{! a\nb }}\n{{/x}}",
         "t.html:3: {{/x}} closes no section: expected {{#x}} or {{^x}} before it"},
        {"ok\n\xc0\xaf", "t.html:2: not valid UTF-8 (byte 0xc0)"},
        {"{{#a}}\n\n\xed\xa0\x80{{/a}}", "t.html:3: not valid UTF-8 (byte 0xed)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[ERR_BUF_LEN];
        struct template *t = template_parse(cases[i].text, strlen(cases[i].text), "t.html", err);
        ASSERT_TRUE(t == NULL);
        ASSERT_STREQ(err, cases[i].want);
        template_free(t);
    }
}

static void test_nul_and_size(void)
{
    char err[ERR_BUF_LEN];
    ASSERT_TRUE(template_parse("ab\ncd\0", 6, "t.html", err) == NULL);
    ASSERT_STREQ(err, "t.html:2: NUL byte in the text");

    size_t max = TEMPLATE_MAX_BYTES;
    char *big = malloc(max + 1);
    memset(big, 'x', max + 1);
    struct template *t = template_parse(big, max, "big.html", err);
    ASSERT_TRUE(t != NULL);
    template_free(t);
    ASSERT_TRUE(template_parse(big, max + 1, "big.html", err) == NULL);
    ASSERT_STREQ(err, "big.html: 1048577 bytes, more than the 1048576 a template may have");
    free(big);
    template_free(NULL);
}

/* Builds n nested sections of name, one per line, around "x". */
static char *nested(size_t n, const char *name)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "{{#%s}}\n", name);
    fputs("x", f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "{{/%s}}", name);
    fclose(f);
    return s;
}

/* A list of one item whose item is the same list again, so each level pushes a context. */
static void deep_lookup(const void *ctx, const char *name, struct template_value *v)
{
    if (strcmp(name, "l") == 0)
        template_set_list(v, ctx, 1, 1, deep_lookup);
}

static void test_depth(void)
{
    char err[ERR_BUF_LEN];
    char *text = nested(TEMPLATE_MAX_DEPTH, "l");
    struct template *t = template_parse(text, strlen(text), "t.html", err);
    ASSERT_TRUE(t != NULL);
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    ASSERT_EQ_INT(template_render(t, deep_lookup, "", TEMPLATE_STRICT, f, err), 0);
    fclose(f);
    ASSERT_STREQ(out, "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nx");
    free(out);
    template_free(t);
    free(text);

    text = nested(TEMPLATE_MAX_DEPTH + 1, "l");
    ASSERT_TRUE(template_parse(text, strlen(text), "t.html", err) == NULL);
    ASSERT_STREQ(err, "t.html:17: sections nested deeper than 16");
    free(text);
}

static void test_strict(void)
{
    static const struct {
        const char *text, *want_err, *want_out;
    } cases[] = {
        {"{{account}}{{#days}}{{date}}{{label}}{{/days}}{{^is_over}}{{/is_over}}", "",
         "Mallory &lt;b&gt;&amp;2025-06-06outer2025-06-07sat&lt;"},
        {"ab{{nope}}cd", "t.html:1: no value for {{nope}}", "ab"},
        {"a\n{{#days}}{{date}}{{missing}}{{/days}}", "t.html:2: no value for {{missing}}",
         "a\n2025-06-06"},
        {"{{is_over}}", "t.html:1: {{is_over}} is a bool, not a string", ""},
        {"{{&days}}", "t.html:1: {{&days}} is a list, not a string", ""},
        {"{{^nope}}x{{/nope}}", "t.html:1: no value for {{^nope}}", ""},
        {"{{#nope}}x{{/nope}}", "t.html:1: no value for {{#nope}}", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[ERR_BUF_LEN];
        int rc;
        char *got = render(cases[i].text, TEMPLATE_STRICT, &rc, err);
        ASSERT_EQ_INT(rc, cases[i].want_err[0] ? ERR_NOT_FOUND : 0);
        ASSERT_STREQ(err, cases[i].want_err);
        ASSERT_STREQ(got, cases[i].want_out);
        free(got);
    }
}

/* TEMPLATE_PLAIN: a mail's text part gets the value as it is, {{name}} like {{&name}}. */
static void test_plain(void)
{
    char err[ERR_BUF_LEN];
    int rc;
    char *out = render("{{account}}|{{&account}}", TEMPLATE_PLAIN, &rc, err);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_STREQ(out, "Mallory <b>&|Mallory <b>&");
    free(out);
    out = render("{{account}}", 0, &rc, err);
    ASSERT_STREQ(out, "Mallory &lt;b&gt;&amp;");
    free(out);
}

static void test_write_error(void)
{
    char err[ERR_BUF_LEN];
    struct template *t = template_parse("x{{account}}", 12, "t.html", err);
    FILE *f = fopen("/dev/null", "r"); /* every write fails */
    ASSERT_TRUE(f != NULL);
    ASSERT_EQ_INT(template_render(t, page_lookup, &page, 0, f, NULL), -EIO);
    fclose(f);
    template_free(t);
}

int main(void)
{
    RUN(test_render);
    RUN(test_parse_errors);
    RUN(test_nul_and_size);
    RUN(test_depth);
    RUN(test_strict);
    RUN(test_write_error);
    RUN(test_plain);
    return test_done();
}
