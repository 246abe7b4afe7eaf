// SPDX-License-Identifier: MIT
// What counts toward each subscriber's quota in its current cycle, kept in memory by the
// alert thread so that a flush's moved subscribers need not be read back from the store
// one month of rows at a time (evaluate.c decides when memory will do and when the store
// must be read). A table of entries keyed by subscriber id; an entry holds the figure read
// from the store at its last exact read, what this collector's flushes added since, and
// what the figure depends on (cycle, plan, top-ups, levels, classes, addresses), so a
// change of any of them is seen and the entry seeded again. Bounded: at most max entries,
// and an entry whose cycle ended goes at the next sweep.
#ifndef FT_TALLY_H
#define FT_TALLY_H

#include "../billing/levels.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TALLY_NEVER UINT64_MAX /* a threshold no usage reaches (a percent of no quota) */

struct tally_entry {
    uint32_t subscriber; /* 0: a free slot */
    bool is_valid;       /* false: dropped (a subscriber removed); the slot waits a sweep */
    uint64_t ident;      /* hash of what the figures depend on (evaluate.c) */
    uint64_t cycle_start_ms, cycle_end_ms;
    uint8_t dirs;         /* bit per enum flow_dir that counts toward the quota */
    uint64_t exact_bytes; /* counted toward the quota at the last exact read */
    uint64_t own_bytes;   /* added by this collector's flushes since (may count a flush
                           * the exact read already had: never less than the truth's own) */
    uint64_t exact_ms;    /* when the last exact read was */
    size_t n_levels;
    uint64_t threshold[LEVELS_MAX]; /* the least counted bytes that cross each level */
    uint8_t fired;              /* bit i: level i fired in this cycle, as of the last exact read */
    uint64_t enforce_threshold; /* likewise for the enforcement level */
    bool is_over;               /* over the enforcement level at the last exact read */
};

struct tally;

/* A table of at most max_entries entries. Returns it; free with tally_free(). */
struct tally *tally_new(size_t max_entries);
void tally_free(struct tally *t);

/* The entry of a subscriber, or NULL (none, or dropped). Borrowed until the next
 * tally_put() or tally_sweep(). */
struct tally_entry *tally_get(struct tally *t, uint32_t subscriber);

/* The subscriber's entry, made (zeroed but for the id) when it has none; NULL when the
 * table is full. Borrowed as tally_get's. */
struct tally_entry *tally_put(struct tally *t, uint32_t subscriber);

/* Drops the subscriber's entry, if any: its next evaluation reads the store. */
void tally_drop(struct tally *t, uint32_t subscriber);

/* Drops every entry (the class list changed, deltas were lost). */
void tally_clear(struct tally *t);

/* Removes dropped entries and those whose cycle ended by now_ms. Returns how many stay. */
size_t tally_sweep(struct tally *t, uint64_t now_ms);

/* Entries held (dropped ones included until a sweep). */
size_t tally_count(const struct tally *t);

/* The least counted bytes that cross level l of a cycle whose quota (top-ups included) is
 * quota_bytes (unlimited: no quota), as levels_is_crossed() decides; TALLY_NEVER when none
 * does. */
uint64_t tally_threshold(const struct level *l, bool unlimited, uint64_t quota_bytes);

#endif
