// SPDX-License-Identifier: MIT
// The closest known word to a typed one, by edit distance.
#include "suggest.h"

#include <stdint.h>
#include <string.h>

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

size_t suggest_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > SUGGEST_MAX_LEN || nb > SUGGEST_MAX_LEN)
        return SIZE_MAX;
    /* d[i][j]: the distance between a's first i and b's first j characters */
    size_t d[SUGGEST_MAX_LEN + 1][SUGGEST_MAX_LEN + 1];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1; /* "reprot": two neighbours swapped */
        }
    return d[na][nb];
}

void suggest_init(struct suggest *s, const char *word)
{
    *s = (struct suggest){.word = word, .best_d = SIZE_MAX};
}

/* How many edits a word of len characters may be from a candidate to be taken for a typo of
 * it: few for short words, where one edit turns any word into many others. */
static size_t max_edits(size_t len)
{
    return len <= 5 ? 1 : len <= 10 ? 2 : 3;
}

void suggest_add(struct suggest *s, const char *candidate)
{
    size_t len = strlen(s->word);
    size_t d = suggest_distance(s->word, candidate);
    if (d == 0 || (d > max_edits(len) && !(len >= 3 && strncmp(s->word, candidate, len) == 0)))
        return; /* the word itself (nothing to suggest), or too far to be a typo */
    if (d > max_edits(len))
        d = max_edits(len); /* a start of it: as close as the farthest typo */
    if (d < s->best_d) {
        s->best = candidate;
        s->best_d = d;
        s->is_tie = false;
    } else if (d == s->best_d && strcmp(candidate, s->best) != 0)
        s->is_tie = true;
}

const char *suggest_best(const struct suggest *s)
{
    return s->is_tie ? NULL : s->best;
}
