// SPDX-License-Identifier: MIT
// Longest-prefix match over IPv4 and IPv6 (one 128-bit space, IPv4 mapped): a
// path-compressed binary trie whose nodes live in one array, so building is a few
// allocations and lookup follows at most one node per distinct branching bit.
// Used for local networks now, and for subscriber and class prefix lists later.
#ifndef FT_PREFIX_H
#define FT_PREFIX_H

#include "addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prefix_trie;

/* Returns a new empty trie; caller frees with prefix_trie_free(). */
struct prefix_trie *prefix_trie_new(void);
void prefix_trie_free(struct prefix_trie *t);

/* Maps prefix (addr, len in the 128-bit space) to value, replacing an equal prefix's value.
 * Bits of addr below len are ignored. */
void prefix_trie_insert(struct prefix_trie *t, const struct ip_addr *addr, unsigned len,
                        uint32_t value);

/* Finds the longest prefix containing addr. Returns true and sets *value if one exists. */
bool prefix_trie_lookup(const struct prefix_trie *t, const struct ip_addr *addr, uint32_t *value);

/* Indexes the IPv4 space by /16 so that a lookup starts at the right depth, and answers
 * at once where no prefix longer than /16 lies inside the /16 (512 KiB). For tries read on
 * the hot path; an insert drops the index (call again after the last insert). */
void prefix_trie_index(struct prefix_trie *t);

/* Finds exactly the prefix (addr, len). Returns true and sets *value if stored. */
bool prefix_trie_find(const struct prefix_trie *t, const struct ip_addr *addr, unsigned len,
                      uint32_t *value);

/* Collects the values of every prefix containing addr, shortest first, up to max. Returns
 * how many were found (at most max). */
size_t prefix_trie_matches(const struct prefix_trie *t, const struct ip_addr *addr,
                           uint32_t *values, size_t max);

/* Number of prefixes stored. */
size_t prefix_trie_count(const struct prefix_trie *t);

#endif
