// SPDX-License-Identifier: MIT
// Tests of the "did you mean" search: distances worked by hand, and which candidate (if
// any) a typo gets among the real command names.
#include "../../../src/base/suggest.h"
#include "test.h"

#include <stdint.h>

static void test_distance(void)
{
    static const struct {
        const char *a, *b;
        size_t d;
    } cases[] = {
        {"", "", 0},
        {"plan", "plan", 0},
        {"", "abc", 3},
        {"plan", "plna", 1},     /* swapped neighbours: one edit */
        {"report", "reprot", 1}, /* the same inside the word */
        {"usage", "usge", 1},    /* one deleted */
        {"bill", "billl", 1},    /* one inserted */
        {"stats", "state", 1},   /* one changed */
        {"kitten", "sitting", 3},
        {"ca", "abc", 3}, /* optimal string alignment: no edit of a swapped pair */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t got = suggest_distance(cases[i].a, cases[i].b);
        if (got != cases[i].d)
            TEST_FAIL("case %zu: '%s'/'%s' = %zu, expected %zu", i, cases[i].a, cases[i].b, got,
                      cases[i].d);
        ASSERT_EQ_U64(suggest_distance(cases[i].b, cases[i].a), cases[i].d);
    }
    char long_word[SUGGEST_MAX_LEN + 2];
    memset(long_word, 'a', sizeof long_word - 1);
    long_word[sizeof long_word - 1] = '\0';
    ASSERT_EQ_U64(suggest_distance(long_word, "a"), SIZE_MAX);
}

static void test_best(void)
{
    static const char *const commands[] = {
        "run",  "web",  "user",  "report", "usage",  "stats",      "bill",     "alerts",
        "mail", "plan", "quota", "bind",   "unbind", "subscriber", "register", "import"};
    static const struct {
        const char *word, *want; /* want NULL: no suggestion */
    } cases[] = {
        {"reprot", "report"},
        {"usge", "usage"},
        {"subscribers", "subscriber"},
        {"subscr", "subscriber"}, /* the start of one command alone */
        {"regsiter", "register"},
        {"biil", "bill"},
        {"plan", NULL}, /* a command itself: nothing to suggest */
        {"frobnicate", NULL},
        {"xyz", NULL},
        {"bin", "bind"}, /* "bin" is 1 from bind, 2 from bill */
        {"bil", "bill"},
        {"bild", NULL},    /* 1 from bind and 1 from bill: a tie says nothing */
        {"sats", "stats"}, /* one deleted */
        {"bogus", NULL},   /* 5 characters: only 1 edit is a typo, and no command is that close */
        {"un", "run"},     /* run 1; unbind is 4 and "un" too short to be taken as its start */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct suggest s;
        suggest_init(&s, cases[i].word);
        for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
            suggest_add(&s, commands[c]);
        const char *got = suggest_best(&s);
        if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want) != 0))
            TEST_FAIL("'%s' suggests '%s', expected '%s'", cases[i].word, got ? got : "(none)",
                      cases[i].want ? cases[i].want : "(none)");
    }
}

int main(void)
{
    RUN(test_distance);
    RUN(test_best);
    return test_done();
}
