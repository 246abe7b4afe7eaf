// SPDX-License-Identifier: MIT
// Tests of the HTML escaping writers: the five escaped characters, U+FFFD for invalid UTF-8
// and control characters, and percent-encoding of URL components. Expected output written
// by hand.
#include "../../../src/base/html.h"
#include "test.h"

#include <stdlib.h>

/* Runs fn on s into a memory stream; returns the text (caller frees). */
static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    fn(f, s);
    fclose(f);
    return text;
}

#define FFFD "\xef\xbf\xbd"

static const struct {
    const char *in, *want;
} escape_cases[] = {
    {"", ""},
    {"alice", "alice"},
    {"<script>alert('x')</script>", "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
    {"a & b \"c\"", "a &amp; b &quot;c&quot;"},
    {"&amp;", "&amp;amp;"},
    {"\" onmouseover=\"x", "&quot; onmouseover=&quot;x"},
    {"' autofocus onfocus='x", "&#39; autofocus onfocus=&#39;x"},
    {"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
    {"\x01\x1b[31m", FFFD FFFD "[31m"},
    {"del\x7f c1\xc2\x85", "del" FFFD " c1" FFFD},
    {"\xc2\xa0nbsp", "\xc2\xa0nbsp"},
    {"Ren\xc3\xa9 \xf0\x9f\x98\x80", "Ren\xc3\xa9 \xf0\x9f\x98\x80"},
    {"ab\xff", "ab" FFFD},
    {"\xc0\xaf<", FFFD FFFD "&lt;"},
    {"\xed\xa0\x80", FFFD FFFD FFFD},
    {"\xe2\x82<", FFFD "&lt;"},
    {"\xf0\x9f\x98", FFFD},
};

static void test_text(void)
{
    for (size_t i = 0; i < sizeof escape_cases / sizeof escape_cases[0]; i++) {
        char *got = capture(html_text, escape_cases[i].in);
        ASSERT_STREQ(got, escape_cases[i].want);
        free(got);
    }
}

static void test_attr(void)
{
    for (size_t i = 0; i < sizeof escape_cases / sizeof escape_cases[0]; i++) {
        char *got = capture(html_attr, escape_cases[i].in);
        ASSERT_STREQ(got, escape_cases[i].want);
        free(got);
    }
}

static void test_url_component(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"alice", "alice"},
        {"-._~AZaz09", "-._~AZaz09"},
        {"a b+c&d=e/f?g#h%", "a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25"},
        {"<\"'>", "%3C%22%27%3E"},
        {"..", ".."},
        {"caf\xc3\xa9", "caf%C3%A9"},
        {"\xff\x01\x7f", "%FF%01%7F"},
        {"javascript:x", "javascript%3Ax"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = capture(html_url_component, cases[i].in);
        ASSERT_STREQ(got, cases[i].want);
        free(got);
    }
}

int main(void)
{
    RUN(test_text);
    RUN(test_attr);
    RUN(test_url_component);
    return test_done();
}
