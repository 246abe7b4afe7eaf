// SPDX-License-Identifier: MIT
// Tests of the UTF-8 decoder and checks: each row of RFC 3629's and Unicode's table of
// well-formed sequences at its edges, the ill-formed neighbours of each edge, and how many
// bytes an invalid sequence takes (its maximal subpart, Unicode §3.9). Answers worked by hand.
#include "../../../src/base/utf8.h"
#include "test.h"

static void test_decode(void)
{
    static const struct {
        const char *bytes;
        size_t n;
        size_t len;  /* bytes consumed */
        uint32_t cp; /* or UTF8_INVALID */
    } cases[] = {
        {"A", 1, 1, 0x41},
        {"\x7f", 1, 1, 0x7f},
        {"\xc2\x80", 2, 2, 0x80},
        {"\xdf\xbf", 2, 2, 0x7ff},
        {"\xe0\xa0\x80", 3, 3, 0x800},
        {"\xe2\x82\xac", 3, 3, 0x20ac}, /* euro sign */
        {"\xed\x9f\xbf", 3, 3, 0xd7ff}, /* last before the surrogates */
        {"\xee\x80\x80", 3, 3, 0xe000}, /* first after them */
        {"\xef\xbf\xbd", 3, 3, 0xfffd},
        {"\xef\xbf\xbf", 3, 3, 0xffff},
        {"\xf0\x90\x80\x80", 4, 4, 0x10000},
        {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
        {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
        /* ill-formed: the lengths are the maximal subparts */
        {"\x80", 1, 1, UTF8_INVALID},             /* lone continuation byte */
        {"\xbf\x80", 2, 1, UTF8_INVALID},         /* another */
        {"\xc0\x80", 2, 1, UTF8_INVALID},         /* overlong NUL: C0 never starts one */
        {"\xc1\xbf", 2, 1, UTF8_INVALID},         /* overlong DEL */
        {"\xe0\x9f\xbf", 3, 1, UTF8_INVALID},     /* overlong U+07FF */
        {"\xed\xa0\x80", 3, 1, UTF8_INVALID},     /* surrogate U+D800 */
        {"\xed\xbf\xbf", 3, 1, UTF8_INVALID},     /* surrogate U+DFFF */
        {"\xf0\x8f\xbf\xbf", 4, 1, UTF8_INVALID}, /* overlong U+FFFF */
        {"\xf4\x90\x80\x80", 4, 1, UTF8_INVALID}, /* U+110000 */
        {"\xf5\x80\x80\x80", 4, 1, UTF8_INVALID}, /* F5..FF never start one */
        {"\xff", 1, 1, UTF8_INVALID},
        {"\xc2", 1, 1, UTF8_INVALID},         /* cut short by the end */
        {"\xe2\x82", 2, 2, UTF8_INVALID},     /* cut short: both bytes are one subpart */
        {"\xf0\x9f\x98", 3, 3, UTF8_INVALID}, /* cut short */
        {"\xe2\x82"
         "A",
         3, 2, UTF8_INVALID},                     /* cut short by an ASCII byte */
        {"\xf0\x9f\x41\x80", 4, 2, UTF8_INVALID}, /* the A starts again */
        {"\xc2\xc2\x80", 3, 1, UTF8_INVALID},     /* a lead where a continuation must be */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t cp = 0;
        size_t len = utf8_decode(cases[i].bytes, cases[i].n, &cp);
        if (len != cases[i].len || cp != cases[i].cp)
            TEST_FAIL("case %zu: consumed %zu, cp 0x%x; expected %zu, 0x%x", i, len, (unsigned)cp,
                      cases[i].len, (unsigned)cases[i].cp);
    }
}

static void test_valid(void)
{
    static const struct {
        const char *s;
        bool valid;
        size_t bad; /* offset of the first invalid sequence */
    } cases[] = {
        {"", true, 0},
        {"alice", true, 0},
        {"Ren\xc3\xa9 M\xc3\xbcller", true, 0},
        {"\xe6\x9d\xb1\xe4\xba\xac", true, 0}, /* Tokyo */
        {"ab\xff", false, 2},
        {"abc\xc3", false, 3},
        {"\xc3\xa9\xed\xa0\x80x", false, 2},
        {"x\xc0\xaf", false, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t bad = 99;
        bool valid = utf8_valid(cases[i].s, strlen(cases[i].s), &bad);
        ASSERT_EQ_INT(valid, cases[i].valid);
        if (!cases[i].valid)
            ASSERT_EQ_U64(bad, cases[i].bad);
    }
    ASSERT_TRUE(utf8_valid("a\0b", 3, NULL)); /* NUL is U+0000, valid UTF-8 */
}

static void test_is_text(void)
{
    static const struct {
        const char *s;
        const char *why; /* NULL when it is text */
    } cases[] = {
        {"Alice Example", NULL},
        {"Mallory\",\"account\":\"alice", NULL},
        {"=HYPERLINK(\"x\")", NULL},
        {"\xc3\x89lodie \xf0\x9f\x98\x80", NULL},
        {"A\tB", "control character U+0009 at offset 1"},
        {"line\nbreak", "control character U+000A at offset 4"},
        {"\x1b[31m", "control character U+001B at offset 0"},
        {"del\x7f", "control character U+007F at offset 3"},
        {"c1\xc2\x85", "control character U+0085 at offset 2"},
        {"ab\xff", "not valid UTF-8 (byte 0xff at offset 2)"},
        {"abc\xed\xa0\x80", "not valid UTF-8 (byte 0xed at offset 3)"},
        {"\xc0\x80", "not valid UTF-8 (byte 0xc0 at offset 0)"},
        {"\xf4\x90\x80\x80", "not valid UTF-8 (byte 0xf4 at offset 0)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char why[96] = "";
        bool ok = utf8_is_text(cases[i].s, why, sizeof why);
        ASSERT_EQ_INT(ok, cases[i].why == NULL);
        if (cases[i].why)
            ASSERT_STREQ(why, cases[i].why);
    }
}

int main(void)
{
    RUN(test_decode);
    RUN(test_valid);
    RUN(test_is_text);
    return test_done();
}
