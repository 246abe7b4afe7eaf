// SPDX-License-Identifier: MIT
// Open-addressing table of usage rows. Load factor stays at or below 1/2 so probe chains
// are short; growth rehashes into a doubled array.
//
// The slot array is mapped directly, with transparent huge pages asked for, and its pages
// are faulted in when it is made: new tables by the main thread (at start and at a flush),
// a doubled array all at once when a table grows. Faulting thousands of fresh pages one
// flow at a time stalled the receive loop for tens of milliseconds after a flush, long
// enough to overflow a socket buffer at a few million records per second. Emptied tables
// come back from the store thread and are reused at their size.
#include "counters.h"

#include "../base/err.h"
#include "../base/hash.h"
#include "../base/xalloc.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static struct counters_slot *slots_alloc(size_t cap)
{
    size_t size = cap * sizeof(struct counters_slot);
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "flowtally: out of memory (%zu bytes for an aggregation table)\n", size);
        abort();
    }
    madvise(p, size, MADV_HUGEPAGE); /* a hint: fewer TLB misses on random probes */
    volatile char *page = p;
    for (size_t off = 0; off < size; off += 4096)
        page[off] = 0; /* fault every page in now, not on the hot path */
    return p;
}

static void slots_free(struct counters_slot *slots, size_t cap)
{
    if (slots)
        munmap(slots, cap * sizeof *slots);
}

static uint64_t key_hash(const struct usage_key *k)
{
    uint64_t rest = (uint64_t)k->bucket_s << 32 ^ k->subscriber;
    uint64_t small = (uint64_t)k->class_id << 24 ^ (uint64_t)k->app_id << 8 ^ k->dir;
    return hash_mix64(addr_hi(&k->host) ^ hash_mix64(addr_lo(&k->host) ^ hash_mix64(rest ^ small)));
}

static bool key_eq(const struct usage_key *a, const struct usage_key *b)
{
    return a->bucket_s == b->bucket_s && a->subscriber == b->subscriber &&
           a->class_id == b->class_id && a->app_id == b->app_id && a->dir == b->dir &&
           addr_eq(&a->host, &b->host);
}

static size_t capacity_for(size_t keys)
{
    size_t cap = 16;
    while (cap < keys * 2)
        cap *= 2;
    return cap;
}

struct counters_table *counters_new(size_t initial_keys, size_t max_keys)
{
    struct counters_table *t = xcalloc(1, sizeof *t);
    t->cap = capacity_for(initial_keys);
    t->max_keys = max_keys;
    t->slots = slots_alloc(t->cap);
    return t;
}

void counters_free(struct counters_table *t)
{
    if (!t)
        return;
    slots_free(t->slots, t->cap);
    free(t);
}

static struct counters_slot *probe(struct counters_slot *slots, size_t cap,
                                   const struct usage_key *key)
{
    size_t i = key_hash(key) & (cap - 1);
    while (slots[i].used && !key_eq(&slots[i].row.key, key))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(struct counters_table *t)
{
    size_t cap = t->cap * 2;
    struct counters_slot *slots = slots_alloc(cap);
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].used)
            *probe(slots, cap, &t->slots[i].row.key) = t->slots[i];
    slots_free(t->slots, t->cap);
    t->slots = slots;
    t->cap = cap;
}

int counters_add(struct counters_table *t, const struct usage_key *key,
                 const struct usage_counts *counts)
{
    struct counters_slot *s = probe(t->slots, t->cap, key);
    if (!s->used) {
        if (t->n >= t->max_keys)
            return ERR_LIMIT;
        if ((t->n + 1) * 2 > t->cap) {
            grow(t);
            s = probe(t->slots, t->cap, key);
        }
        s->used = true;
        s->row.key = *key;
        s->row.counts = (struct usage_counts){0};
        t->n++;
    }
    s->row.counts.bytes += counts->bytes;
    s->row.counts.packets += counts->packets;
    s->row.counts.flows += counts->flows;
    return 0;
}

void counters_merge(struct counters_table *dst, const struct counters_table *src)
{
    size_t max = dst->max_keys;
    dst->max_keys = SIZE_MAX;
    size_t pos = 0;
    const struct usage_row *row;
    while ((row = counters_next(src, &pos)))
        counters_add(dst, &row->key, &row->counts);
    dst->max_keys = max;
}

const struct usage_counts *counters_find(const struct counters_table *t,
                                         const struct usage_key *key)
{
    const struct counters_slot *s = probe(t->slots, t->cap, key);
    return s->used ? &s->row.counts : NULL;
}

void counters_clear(struct counters_table *t)
{
    if (t->n == 0)
        return; /* every used slot is counted in n: nothing to wipe */
    memset(t->slots, 0, t->cap * sizeof *t->slots);
    t->n = 0;
}

const struct usage_row *counters_next(const struct counters_table *t, size_t *pos)
{
    while (*pos < t->cap) {
        const struct counters_slot *s = &t->slots[(*pos)++];
        if (s->used)
            return &s->row;
    }
    return NULL;
}
