// SPDX-License-Identifier: MIT
// The usage read cache: see store.h (store_read_cache_new()). An entry is one read's rows with
// their strings in one block, shared by reference: a thread replays it without the lock, and an
// entry evicted meanwhile is freed by whoever drops the last reference. One thread reads what
// is missing; the others asking for the same read meanwhile wait for its rows instead of all
// reading the store at once (after each flush, every page in flight misses together).
#include "store.h"

#include "../base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    struct usage_query q;
    int64_t version;
    struct usage_result *rows; /* owned; strings point into text */
    size_t n_rows;
    char *text;    /* owned */
    unsigned refs; /* the cache's own, plus one per replay in progress */
    uint64_t used; /* the cache's clock at the last hit: the least is evicted */
    enum { ENTRY_FILLING, ENTRY_READY, ENTRY_FAILED } state;
};

struct store_read_cache {
    pthread_mutex_t lock;
    pthread_cond_t filled; /* an entry left ENTRY_FILLING */
    struct entry **entries;
    size_t n, max;
    uint64_t clock, hits, misses;
};

struct store_read_cache *store_read_cache_new(size_t max_reads)
{
    struct store_read_cache *c = xcalloc(1, sizeof *c);
    c->max = max_reads ? max_reads : 1;
    c->entries = xcalloc(c->max, sizeof *c->entries);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->filled, NULL);
    return c;
}

static void entry_free(struct entry *e)
{
    free(e->rows);
    free(e->text);
    free(e);
}

/* Drops a reference (under the lock). */
static void entry_unref(struct entry *e)
{
    if (--e->refs == 0)
        entry_free(e);
}

void store_read_cache_free(struct store_read_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        entry_unref(c->entries[i]);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->filled);
    free(c->entries);
    free(c);
}

static bool same_query(const struct usage_query *a, const struct usage_query *b)
{
    return a->from_ms == b->from_ms && a->to_ms == b->to_ms && a->group == b->group &&
           a->subscriber_id == b->subscriber_id && a->utc_offset_s == b->utc_offset_s;
}

/* ---- filling an entry from a read ---- */

struct fill {
    struct usage_result *rows;
    size_t n, cap;
    char *text; /* the strings, each NUL-terminated, as offsets until the end */
    size_t len, text_cap;
};

/* Appends s to the text; returns its offset + 1 (0 stands for NULL). */
static uintptr_t keep(struct fill *f, const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s) + 1;
    if (f->len + n > f->text_cap) {
        f->text_cap = (f->len + n) * 2;
        f->text = xrealloc(f->text, f->text_cap);
    }
    memcpy(f->text + f->len, s, n);
    f->len += n;
    return f->len - n + 1;
}

static void collect(void *ctx, const struct usage_result *r)
{
    struct fill *f = ctx;
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 64;
        f->rows = xrealloc(f->rows, f->cap * sizeof *f->rows);
    }
    struct usage_result *k = &f->rows[f->n++];
    *k = *r;
    /* offsets for now: the text may still move */
    k->account = (const char *)keep(f, r->account);
    k->host = (const char *)keep(f, r->host);
    k->class_name = (const char *)keep(f, r->class_name);
    k->app = (const char *)keep(f, r->app);
}

static const char *pointer(char *text, const char *offset)
{
    uintptr_t o = (uintptr_t)offset;
    return o ? text + o - 1 : NULL;
}

/* Moves what a read collected into e. */
static void entry_fill(struct entry *e, struct fill *f)
{
    e->rows = f->rows;
    e->n_rows = f->n;
    e->text = f->text;
    for (size_t i = 0; i < e->n_rows; i++) {
        struct usage_result *r = &e->rows[i];
        r->account = pointer(e->text, r->account);
        r->host = pointer(e->text, r->host);
        r->class_name = pointer(e->text, r->class_name);
        r->app = pointer(e->text, r->app);
    }
}

/* ---- the cache ---- */

/* The entry for q at version, with a reference taken; NULL if none. Under the lock. */
static struct entry *find(struct store_read_cache *c, const struct usage_query *q, int64_t version)
{
    for (size_t i = 0; i < c->n; i++) {
        struct entry *e = c->entries[i];
        if (e->version == version && same_query(&e->q, q)) {
            e->refs++;
            e->used = ++c->clock;
            return e;
        }
    }
    return NULL;
}

/* Puts e in, in place of the entry of the same query (of an older version), or of the
 * least recently used one when full. Under the lock. */
static void insert(struct store_read_cache *c, struct entry *e)
{
    size_t slot = c->n;
    for (size_t i = 0; i < c->n && slot == c->n; i++)
        if (same_query(&c->entries[i]->q, &e->q))
            slot = i;
    if (slot == c->n && c->n == c->max) {
        slot = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->entries[i]->used < c->entries[slot]->used)
                slot = i;
    }
    if (slot < c->n)
        entry_unref(c->entries[slot]);
    else
        c->n++;
    e->refs++;
    e->used = ++c->clock;
    c->entries[slot] = e;
}

/* Takes e out of the cache (a read that failed: the next asks the store again), keeping
 * the cache's reference for the caller to drop. Returns whether it was in. Under the lock. */
static bool take_out(struct store_read_cache *c, struct entry *e)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->entries[i] == e) {
            c->entries[i] = c->entries[--c->n];
            return true;
        }
    }
    return false;
}

/* Reads what is missing into a new entry that the others asking meanwhile wait for.
 * Returns 0 with a reference on the entry, or the read's code. */
static int fill(struct store_read_cache *c, struct store *s, const struct usage_query *q,
                int64_t version, struct entry **out)
{
    struct entry *e = xcalloc(1, sizeof *e);
    e->q = *q;
    e->version = version;
    e->state = ENTRY_FILLING;
    e->refs = 1; /* this thread's */
    insert(c, e);
    pthread_mutex_unlock(&c->lock);
    struct fill f = {0};
    int rc = s->ops->read_usage(s, q, collect, &f);
    pthread_mutex_lock(&c->lock);
    if (rc == 0) {
        entry_fill(e, &f);
        e->state = ENTRY_READY;
        *out = e;
    } else {
        free(f.rows);
        free(f.text);
        e->state = ENTRY_FAILED;
        e->refs -= take_out(c, e) ? 2 : 1; /* the cache's, if it still had it, and ours */
        if (e->refs == 0)
            entry_free(e);
    }
    pthread_cond_broadcast(&c->filled);
    return rc;
}

int store_read_cache_usage(struct store_read_cache *c, struct store *s, const struct usage_query *q,
                           store_usage_fn *fn, void *ctx)
{
    /* The version first: rows read after it are at least as new as it says. */
    int64_t version = c ? s->ops->usage_version(s) : -1;
    if (version < 0)
        return s->ops->read_usage(s, q, fn, ctx);
    pthread_mutex_lock(&c->lock);
    struct entry *e = find(c, q, version);
    if (e) {
        c->hits++;
        while (e->state == ENTRY_FILLING)
            pthread_cond_wait(&c->filled, &c->lock);
        if (e->state == ENTRY_FAILED) { /* its reader failed: read for ourselves */
            entry_unref(e);
            pthread_mutex_unlock(&c->lock);
            return s->ops->read_usage(s, q, fn, ctx);
        }
    } else {
        c->misses++;
        int rc = fill(c, s, q, version, &e);
        if (rc != 0) {
            pthread_mutex_unlock(&c->lock);
            return rc;
        }
    }
    pthread_mutex_unlock(&c->lock);
    for (size_t i = 0; i < e->n_rows; i++)
        fn(ctx, &e->rows[i]);
    pthread_mutex_lock(&c->lock);
    entry_unref(e);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

void store_read_cache_counts(struct store_read_cache *c, uint64_t *hits, uint64_t *misses)
{
    pthread_mutex_lock(&c->lock);
    *hits = c->hits;
    *misses = c->misses;
    pthread_mutex_unlock(&c->lock);
}
