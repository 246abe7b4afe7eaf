// SPDX-License-Identifier: MIT
// "Did you mean ...?" for a mistyped command, option or configuration key: the one known
// word closest to what was typed, when it is close enough to be a typo of it. Used by the
// command line (cli/) and the configuration parser (config/).
#ifndef FT_SUGGEST_H
#define FT_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

/* The search for the closest candidate: caller-owned, filled by suggest_init(). */
struct suggest {
    const char *word; /* borrowed: what was typed */
    const char *best; /* borrowed: the closest candidate so far, or NULL */
    size_t best_d;    /* its distance */
    bool is_tie;      /* another candidate is as close: no single suggestion */
};

/* Starts a search for the candidate closest to word. */
void suggest_init(struct suggest *s, const char *word);

/* Considers one candidate (borrowed: it must outlive the search). */
void suggest_add(struct suggest *s, const char *candidate);

/* The one candidate close enough to word to be a likely typo of it, or NULL: none is, or two
 * are equally close. Close enough: at most 1 edit for words of up to 5 characters ("bogus"
 * is 2 from "logs": no typo of it), 2 up to 10, 3 beyond (an edit inserts, deletes or
 * changes one character, or swaps two neighbours), or word is the start (3 characters or
 * more) of that candidate alone. */
const char *suggest_best(const struct suggest *s);

/* The edit distance between a and b (optimal string alignment: insertions, deletions,
 * substitutions and swaps of neighbours cost 1). Words longer than SUGGEST_MAX_LEN count as
 * far from everything (SIZE_MAX). */
#define SUGGEST_MAX_LEN 64
size_t suggest_distance(const char *a, const char *b);

#endif
