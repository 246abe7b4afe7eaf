// SPDX-License-Identifier: MIT
// Open addressing with linear probing, keyed by subscriber id, never more than half full.
// Nothing is removed from the middle of a probe run: a dropped entry keeps its slot
// (is_valid false) until a sweep rebuilds the table, so lookups stay simple.
#include "tally.h"

#include "../base/hash.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct tally {
    struct tally_entry *slots; /* owned; cap of them */
    size_t cap, n;             /* cap a power of two; n slots taken */
    size_t max;                /* entries allowed */
};

struct tally *tally_new(size_t max_entries)
{
    struct tally *t = xcalloc(1, sizeof *t);
    t->max = max_entries;
    t->cap = 1024;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    return t;
}

void tally_free(struct tally *t)
{
    if (!t)
        return;
    free(t->slots);
    free(t);
}

static struct tally_entry *find_slot(struct tally_entry *slots, size_t cap, uint32_t id)
{
    size_t i = (size_t)hash_mix64(id) & (cap - 1);
    while (slots[i].subscriber != 0 && slots[i].subscriber != id)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

struct tally_entry *tally_get(struct tally *t, uint32_t subscriber)
{
    struct tally_entry *e = find_slot(t->slots, t->cap, subscriber);
    return e->subscriber == subscriber && e->is_valid ? e : NULL;
}

/* Moves the valid entries whose cycle has not ended by now_ms into a table of cap slots. */
static void rebuild(struct tally *t, size_t cap, uint64_t now_ms)
{
    struct tally_entry *slots = xcalloc(cap, sizeof *slots);
    size_t n = 0;
    for (size_t i = 0; i < t->cap; i++) {
        const struct tally_entry *e = &t->slots[i];
        if (e->subscriber == 0 || !e->is_valid || e->cycle_end_ms <= now_ms)
            continue;
        *find_slot(slots, cap, e->subscriber) = *e;
        n++;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    t->n = n;
}

struct tally_entry *tally_put(struct tally *t, uint32_t subscriber)
{
    struct tally_entry *e = find_slot(t->slots, t->cap, subscriber);
    if (e->subscriber == 0) {
        if (t->n >= t->max)
            return NULL;
        if (2 * (t->n + 1) > t->cap) {
            rebuild(t, 2 * t->cap, 0);
            e = find_slot(t->slots, t->cap, subscriber);
        }
        t->n++;
    }
    *e = (struct tally_entry){.subscriber = subscriber, .is_valid = true};
    return e;
}

void tally_drop(struct tally *t, uint32_t subscriber)
{
    struct tally_entry *e = find_slot(t->slots, t->cap, subscriber);
    if (e->subscriber == subscriber)
        e->is_valid = false;
}

void tally_clear(struct tally *t)
{
    memset(t->slots, 0, t->cap * sizeof *t->slots);
    t->n = 0;
}

size_t tally_sweep(struct tally *t, uint64_t now_ms)
{
    size_t cap = t->cap;
    rebuild(t, cap, now_ms);
    while (cap > 1024 && 8 * t->n < cap) /* shrink when mostly empty */
        cap /= 2;
    if (cap != t->cap)
        rebuild(t, cap, now_ms);
    return t->n;
}

size_t tally_count(const struct tally *t)
{
    return t->n;
}

uint64_t tally_threshold(const struct level *l, bool unlimited, uint64_t quota_bytes)
{
    if (!l->is_percent)
        return l->bytes;
    if (unlimited || quota_bytes == 0)
        return TALLY_NEVER;
    /* the least used with used * 100 >= percent * quota: a ceiling division */
    unsigned __int128 need = ((unsigned __int128)l->percent * quota_bytes + 99) / 100;
    return need >= TALLY_NEVER ? TALLY_NEVER : (uint64_t)need;
}
