// SPDX-License-Identifier: MIT
// Tests of the rendered-parts cache: a part is given back only under its key and at its
// version, a newer version replaces it and an older one never does, and the least recently
// used part is the one dropped when the cache is full.
#include "../../../src/web/fragments.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

/* What fragments_get() writes for key at version, or NULL on a miss. */
static char *get(struct fragments *f, const char *key, int64_t version)
{
    char *text = NULL;
    size_t len;
    FILE *out = open_memstream(&text, &len);
    bool hit = fragments_get(f, key, version, out);
    fclose(out);
    if (!hit) {
        ASSERT_EQ_INT(len, 0); /* a miss writes nothing */
        free(text);
        return NULL;
    }
    return text;
}

static void put(struct fragments *f, const char *key, int64_t version, const char *text)
{
    fragments_put(f, key, version, text, strlen(text));
}

/* want NULL: a miss. what says which case failed. */
static void check(struct fragments *f, const char *key, int64_t version, const char *want,
                  const char *what)
{
    char *got = get(f, key, version);
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
        TEST_FAIL("%s: got %s, want %s", what, got ? got : "(miss)", want ? want : "(miss)");
    free(got);
}

static void test_key_and_version(void)
{
    struct fragments *f = fragments_new(4);
    check(f, "a", 1, NULL, "empty");
    put(f, "a", 1, "<p>one</p>");
    check(f, "a", 1, "<p>one</p>", "same key, same version");
    check(f, "a", 2, NULL, "the usage moved: a miss");
    check(f, "b", 1, NULL, "another key");
    check(f, "a ", 1, NULL, "keys compare whole");
    put(f, "a", 2, "<p>two</p>");
    check(f, "a", 2, "<p>two</p>", "replaced at the newer version");
    check(f, "a", 1, NULL, "the older is gone");
    put(f, "a", 1, "<p>stale</p>"); /* drawn from an older version, kept after a newer one */
    check(f, "a", 2, "<p>two</p>", "an older version never replaces a newer one");
    put(f, "e", 0, ""); /* an empty part is a part */
    char *empty = get(f, "e", 0);
    ASSERT_TRUE(empty != NULL);
    ASSERT_STREQ(empty ? empty : "(miss)", "");
    free(empty);
    fragments_free(f);
}

static void test_least_recently_used_dropped(void)
{
    struct fragments *f = fragments_new(3);
    put(f, "a", 1, "A");
    put(f, "b", 1, "B");
    put(f, "c", 1, "C");
    check(f, "a", 1, "A", "a used again: b is now the oldest");
    put(f, "d", 1, "D");
    check(f, "b", 1, NULL, "b dropped for d");
    check(f, "a", 1, "A", "a kept");
    check(f, "c", 1, "C", "c kept");
    check(f, "d", 1, "D", "d kept");
    fragments_free(f);
}

static void test_null_cache(void)
{
    ASSERT_TRUE(!fragments_get(NULL, "a", 1, stdout));
    fragments_put(NULL, "a", 1, "x", 1); /* nothing, no crash */
    fragments_free(NULL);
}

int main(void)
{
    RUN(test_key_and_version);
    RUN(test_least_recently_used_dropped);
    RUN(test_null_cache);
    return test_done();
}
