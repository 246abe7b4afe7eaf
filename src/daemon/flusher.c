// SPDX-License-Identifier: MIT
// The store thread's loop and the hand-over protocol (one slot, a mutex and two condition
// variables). The loop never waits on the store except at shutdown.
#include "flusher.h"

#include "../base/xalloc.h"
#include "../bind/bindings.h"
#include "../store/store.h"
#include "binder.h"
#include "seen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

#define LOG_TAG "flush"
#include "../base/log.h"

#define STORE_THREAD_NICE 10 /* about a tenth of a core when the receive workers want it all */

static uint64_t clock_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t mono_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

static uint64_t wall_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

/* Sums every lane's table into the fullest one, so that a key several lanes counted (an
 * address seen through several exporters) is written once. The others are emptied. */
static void merge_tables(struct flush_batch *b)
{
    if (b->n_tables < 2)
        return;
    size_t big = 0;
    for (size_t i = 1; i < b->n_tables; i++)
        if (b->tables[i]->n > b->tables[big]->n)
            big = i;
    struct counters_table *t = b->tables[big];
    b->tables[big] = b->tables[0];
    b->tables[0] = t;
    for (size_t i = 1; i < b->n_tables; i++) {
        counters_merge(t, b->tables[i]);
        counters_clear(b->tables[i]);
    }
}

static void totals_add_row(struct flush_totals *t, const struct usage_row *row)
{
    t->keys++;
    t->bytes += row->counts.bytes;
    t->packets += row->counts.packets;
    t->flows += row->counts.flows;
}

void flush_totals_add(struct flush_totals *t, const struct counters_table *table)
{
    size_t pos = 0;
    const struct usage_row *row;
    while ((row = counters_next(table, &pos)))
        totals_add_row(t, row);
}

/* Notes a row of a subscriber the batch has usage of. */
static void note_row(struct flusher *fl, const struct usage_row *row)
{
    if (row->key.subscriber == USAGE_UNASSIGNED || !fl->on_flushed)
        return;
    if (fl->n_flushed == fl->cap_flushed) {
        fl->cap_flushed = fl->cap_flushed ? 2 * fl->cap_flushed : 256;
        fl->flushed = xrealloc(fl->flushed, fl->cap_flushed * sizeof *fl->flushed);
    }
    fl->flushed[fl->n_flushed++] = (struct flush_moved){.subscriber = row->key.subscriber,
                                                        .bucket_s = row->key.bucket_s,
                                                        .class_id = row->key.class_id,
                                                        .dir = row->key.dir,
                                                        .bytes = row->counts.bytes};
}

static int by_key(const void *a, const void *b)
{
    const struct flush_moved *x = a, *y = b;
    if (x->subscriber != y->subscriber)
        return (x->subscriber > y->subscriber) - (x->subscriber < y->subscriber);
    if (x->bucket_s != y->bucket_s)
        return (x->bucket_s > y->bucket_s) - (x->bucket_s < y->bucket_s);
    if (x->class_id != y->class_id)
        return (x->class_id > y->class_id) - (x->class_id < y->class_id);
    return (x->dir > y->dir) - (x->dir < y->dir);
}

/* Tells on_flushed what the batch just written stored of subscribers, each key once. */
static void tell_flushed(struct flusher *fl)
{
    if (!fl->on_flushed || !fl->n_flushed)
        return;
    qsort(fl->flushed, fl->n_flushed, sizeof *fl->flushed, by_key);
    size_t n = 0;
    for (size_t i = 0; i < fl->n_flushed; i++)
        if (n && by_key(&fl->flushed[n - 1], &fl->flushed[i]) == 0)
            fl->flushed[n - 1].bytes += fl->flushed[i].bytes;
        else
            fl->flushed[n++] = fl->flushed[i];
    fl->on_flushed(fl->on_flushed_ctx, fl->flushed, n, fl->classes);
}

/* One transaction: the usage, the counters (their totals, and what this flush saw of each
 * exporter), interface reports, log positions and, when the daemon (re)loaded them, the
 * classes that usage was counted with. */
static int write_batch(struct flusher *fl, const struct flush_batch *b,
                       const struct class_row *classes, size_t n_classes,
                       struct flush_totals *written)
{
    struct store *st = fl->store;
    int rc = st->ops->begin(st);
    size_t pos = 0;
    fl->n_flushed = 0;
    const struct usage_row *row;
    if (rc == 0 && classes)
        rc = store_classes_write(st, classes, n_classes, wall_ms());
    for (size_t t = 0; rc == 0 && t < b->n_tables; t++)
        for (pos = 0; rc == 0 && (row = counters_next(b->tables[t], &pos));) {
            rc = st->ops->add_usage(st, row, intern_name(fl->classes, row->key.class_id),
                                    intern_name(fl->apps, row->key.app_id));
            totals_add_row(written, row);
            note_row(fl, row);
        }
    for (size_t i = 0; rc == 0 && i < b->n_stats; i++) {
        const struct flush_stat *fs = &b->stats[i];
        struct stat_row sr = {.exporter = fs->exporter,
                              .version = fs->version,
                              .domain = fs->domain,
                              .name = fs->name,
                              .value = fs->value};
        rc = st->ops->add_stat(st, &sr);
    }
    uint64_t at_ms = wall_ms();
    if (rc == 0)
        rc = seen_write(st, b->stats, b->n_stats, at_ms,
                        at_ms > fl->seen_ms ? at_ms - fl->seen_ms : 0);
    for (size_t i = 0; rc == 0 && i < b->n_ifaces; i++) {
        struct iface_row r = b->ifaces[i].row;
        r.agent = b->ifaces[i].agent;
        rc = st->ops->set_interface(st, &r);
    }
    for (size_t i = 0; rc == 0 && i < b->n_positions; i++) {
        const struct log_position *lp = &b->positions[i];
        rc = st->ops->set_log_position(st, lp->path, lp->inode, lp->offset);
    }
    if (rc == 0)
        rc = st->ops->commit(st);
    if (rc != 0)
        st->ops->rollback(st);
    else
        fl->seen_ms = at_ms;
    return rc;
}

/* Records the binding events the loop handed over. Called with the lock held; drops it
 * while writing. */
static void store_side_work(struct flusher *fl)
{
    struct bind_event *binds = fl->binds;
    size_t n_binds = fl->n_binds;
    char errbuf[ERR_BUF_LEN];
    fl->binds = NULL;
    fl->n_binds = fl->cap_binds = 0;
    pthread_mutex_unlock(&fl->lock);
    for (size_t i = 0; i < n_binds; i++)
        if (bind_record(fl->store, &binds[i], errbuf) < 0)
            log_warn("%s", errbuf);
    if (n_binds)
        fl->binds_seq = binds[n_binds - 1].seq;
    free(binds);
    pthread_mutex_lock(&fl->lock);
}

#define FAILING_LOG_MS 60000 /* while the store fails, one line a minute says it still does */

/* Says what a failed write met, once when the store starts failing and then once a minute,
 * with what waits in memory. tried_ms: when this attempt began. Called with the lock held. */
static void log_failure(struct flusher *fl, const char *why, const struct flush_totals *t,
                        uint64_t tried_ms)
{
    uint64_t now = mono_ms();
    fl->failing_attempts++;
    if (!fl->failing_since_ms) {
        fl->failing_since_ms = tried_ms; /* when the first failed attempt began */
        fl->failing_logged_ms = now;
        log_error("flush failed: %s; %llu keys (%llu bytes, %llu flow records) kept in memory "
                  "and retried at every flush; counting goes on",
                  why[0] ? why : "unknown store error", (unsigned long long)t->keys,
                  (unsigned long long)t->bytes, (unsigned long long)t->flows);
        return;
    }
    if (now - fl->failing_logged_ms < FAILING_LOG_MS)
        return;
    fl->failing_logged_ms = now;
    log_error("store still failing after %llu s and %llu attempts: %s; %llu keys (%llu bytes, "
              "%llu flow records) wait in memory, with what was counted since",
              (unsigned long long)((now - fl->failing_since_ms) / 1000),
              (unsigned long long)fl->failing_attempts, why[0] ? why : "unknown store error",
              (unsigned long long)t->keys, (unsigned long long)t->bytes,
              (unsigned long long)t->flows);
}

/* Says the store took a batch again after failures, and how much had waited. Lock held. */
static void log_recovery(struct flusher *fl, const struct flush_totals *t)
{
    if (!fl->failing_since_ms)
        return;
    log_notice("store writable again after %llu failed attempts over %llu s: wrote the %llu "
               "keys (%llu bytes, %llu flow records) that waited",
               (unsigned long long)fl->failing_attempts,
               (unsigned long long)((mono_ms() - fl->failing_since_ms) / 1000),
               (unsigned long long)t->keys, (unsigned long long)t->bytes,
               (unsigned long long)t->flows);
    fl->failing_since_ms = 0;
    fl->failing_attempts = 0;
}

/* Checks the store is still the one readers see, then writes the batch. OUT: *tot, what
 * the batch holds: counted as it is written, and counted in full after a failure (the
 * write may have stopped part way). Returns 0 or a negative code with what failed in why. */
static int verify_and_write(struct flusher *fl, const struct class_row *classes, size_t n_classes,
                            char *why, struct flush_totals *tot)
{
    struct store *st = fl->store;
    int rc = st->ops->verify(st, why);
    if (rc > 0)
        log_error("%s", why); /* repaired, but an operator must hear of it */
    if (rc >= 0 && (rc = write_batch(fl, &fl->batch, classes, n_classes, tot)) != 0)
        snprintf(why, ERR_BUF_LEN, "%s", st->ops->last_error(st));
    if (rc != 0) {
        *tot = (struct flush_totals){0};
        for (size_t i = 0; i < fl->batch.n_tables; i++)
            flush_totals_add(tot, fl->batch.tables[i]);
    }
    return rc;
}

static void batch_done(struct flusher *fl, uint64_t took_ms, size_t keys)
{
    for (size_t i = 0; i < fl->batch.n_tables; i++) {
        if (fl->n_spares < FLUSH_MAX_TABLES)
            fl->spares[fl->n_spares++] = fl->batch.tables[i];
        else
            counters_free(fl->batch.tables[i]);
    }
    fl->batch.n_tables = 0;
    fl->batch.n_stats = 0;
    fl->batch.n_positions = 0;
    fl->batch.n_ifaces = 0;
    fl->last_failed = false;
    fl->n_flushes++;
    fl->written_keys += keys;
    fl->last_ms = took_ms;
}

static void *flusher_main(void *arg)
{
    struct flusher *fl = arg;
    char why[ERR_BUF_LEN];
    /* The store can wait, a socket buffer cannot: on a busy machine a flush's tens of
     * milliseconds of SQLite must not take a receive worker's core. Best effort. */
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), STORE_THREAD_NICE) != 0)
        log_info("store thread priority unchanged: %s", strerror(errno));
    pthread_mutex_lock(&fl->lock);
    for (;;) {
        while (!fl->stop && (!fl->batch.n_tables || (fl->last_failed && !fl->retry)))
            pthread_cond_wait(&fl->wake, &fl->lock);
        if (fl->stop) /* the main thread has had written what could be (flusher_write) */
            break;
        fl->retry = false;
        store_side_work(fl); /* unlocks and locks again */
        /* The class list goes with this batch; a newer one handed over meanwhile wins. */
        struct class_row *classes = fl->class_rows;
        size_t n_classes = fl->n_class_rows;
        fl->class_rows = NULL;
        pthread_mutex_unlock(&fl->lock);
        uint64_t t0 = mono_ms();
        merge_tables(&fl->batch); /* on a retry this adds nothing: the others are empty */
        struct flush_totals tot = {0};
        int rc = verify_and_write(fl, classes, n_classes, why, &tot);
        uint64_t took = mono_ms() - t0;
        if (rc == 0) /* emptied outside the lock: the loop may be asking for a spare */
            for (size_t i = 0; i < fl->batch.n_tables; i++)
                counters_clear(fl->batch.tables[i]);
        pthread_mutex_lock(&fl->lock);
        fl->n_attempts++;
        if (rc != 0 && !fl->class_rows) {
            fl->class_rows = classes; /* not stored: retried with the batch */
            classes = NULL;
        }
        free(classes);
        if (rc == 0) {
            log_recovery(fl, &tot);
            batch_done(fl, took, (size_t)tot.keys);
            pthread_mutex_unlock(&fl->lock);
            tell_flushed(fl); /* the alerts' queue: never blocks for long */
            pthread_mutex_lock(&fl->lock);
        } else {
            fl->last_failed = true;
            fl->n_failures++;
            log_failure(fl, why, &tot, t0);
        }
        pthread_cond_broadcast(&fl->done);
        pthread_mutex_unlock(&fl->lock);
        flusher_check_bindings(fl, false);
        pthread_mutex_lock(&fl->lock);
    }
    pthread_mutex_unlock(&fl->lock);
    return NULL;
}

void flusher_queue_binding(struct flusher *fl, const struct bind_event *e)
{
    pthread_mutex_lock(&fl->lock);
    if (fl->n_binds == BINDER_RECENT) {
        fl->binds_dropped++; /* the loop still attributes by it; only the record is lost */
    } else {
        if (fl->n_binds == fl->cap_binds) {
            fl->cap_binds = fl->cap_binds ? fl->cap_binds * 2 : 16;
            fl->binds = xrealloc(fl->binds, fl->cap_binds * sizeof *fl->binds);
        }
        fl->binds[fl->n_binds++] = *e;
    }
    pthread_mutex_unlock(&fl->lock);
}

void flusher_check_bindings(struct flusher *fl, bool force)
{
    leasefile_follow(&fl->leases, fl->store);
    uint64_t seq = fl->binds_seq; /* what the store holds as we read it */
    int64_t version = store_bindings_version(fl->store);
    if (!force && version == fl->bindings_version)
        return;
    struct subscriber_map *m = bindings_load(fl->store);
    if (!m)
        return; /* keep the map we have; the next flush tries again */
    uint64_t n = submap_count(m);
    pthread_mutex_lock(&fl->lock);
    submap_free(fl->new_map); /* never taken: replaced by the newer one */
    fl->new_map = m;
    fl->map_seq = seq;
    fl->bindings_version = version;
    pthread_mutex_unlock(&fl->lock);
    uint64_t one = 1; /* the workers use the old map until the main thread installs this */
    if (write(fl->map_ready_fd, &one, sizeof one) < 0)
        log_warn("cannot signal a new subscriber map: %s", strerror(errno));
    log_info("loaded %llu bindings and leases", (unsigned long long)n);
}

void flusher_set_classes(struct flusher *fl, const struct class_row *rows, size_t n)
{
    struct class_row *copy = xmalloc((n ? n : 1) * sizeof *copy);
    memcpy(copy, rows, n * sizeof *copy);
    pthread_mutex_lock(&fl->lock);
    free(fl->class_rows);
    fl->class_rows = copy;
    fl->n_class_rows = n;
    pthread_mutex_unlock(&fl->lock);
}

struct subscriber_map *flusher_take_map(struct flusher *fl, uint64_t *map_seq)
{
    uint64_t v;
    if (read(fl->map_ready_fd, &v, sizeof v) < 0 && errno != EAGAIN)
        log_warn("new subscriber map signal: %s", strerror(errno));
    pthread_mutex_lock(&fl->lock);
    struct subscriber_map *m = fl->new_map;
    *map_seq = fl->map_seq;
    fl->new_map = NULL;
    pthread_mutex_unlock(&fl->lock);
    return m;
}

int flusher_start(struct flusher *fl, struct store *store, const struct intern *classes,
                  const struct intern *apps, const char *leases_path)
{
    *fl = (struct flusher){.store = store,
                           .classes = classes,
                           .apps = apps,
                           .on_flushed = fl->on_flushed, /* set before the start */
                           .on_flushed_ctx = fl->on_flushed_ctx,
                           .seen_ms = wall_ms()};
    leasefile_init(&fl->leases, leases_path);
    pthread_mutex_init(&fl->lock, NULL);
    pthread_cond_init(&fl->wake, NULL);
    pthread_cond_init(&fl->done, NULL);
    fl->map_ready_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    fl->bindings_version = -1;
    flusher_check_bindings(fl, true); /* the first map, before any flow arrives */
    int rc = pthread_create(&fl->thread, NULL, flusher_main, fl);
    return -rc;
}

void flusher_stop(struct flusher *fl)
{
    pthread_mutex_lock(&fl->lock);
    fl->stop = true;
    pthread_cond_broadcast(&fl->wake);
    pthread_mutex_unlock(&fl->lock);
    pthread_join(fl->thread, NULL);
    for (size_t i = 0; i < fl->batch.n_tables; i++)
        counters_free(fl->batch.tables[i]);
    for (size_t i = 0; i < fl->n_spares; i++)
        counters_free(fl->spares[i]);
    submap_free(fl->new_map);
    free(fl->class_rows);
    free(fl->binds);
    free(fl->flushed);
    flush_batch_deinit(&fl->batch);
    pthread_mutex_destroy(&fl->lock);
    pthread_cond_destroy(&fl->wake);
    pthread_cond_destroy(&fl->done);
    close(fl->map_ready_fd);
}

bool flusher_idle(struct flusher *fl)
{
    pthread_mutex_lock(&fl->lock);
    bool idle = fl->batch.n_tables == 0;
    pthread_mutex_unlock(&fl->lock);
    return idle;
}

struct counters_table *flusher_take_spare(struct flusher *fl)
{
    pthread_mutex_lock(&fl->lock);
    struct counters_table *spare = fl->n_spares ? fl->spares[--fl->n_spares] : NULL;
    pthread_mutex_unlock(&fl->lock);
    return spare;
}

void flusher_submit(struct flusher *fl, struct flush_batch *batch)
{
    pthread_mutex_lock(&fl->lock);
    struct flush_batch old = fl->batch; /* idle: no table, stats array kept for reuse */
    fl->batch = *batch;
    *batch = (struct flush_batch){.stats = old.stats,
                                  .cap_stats = old.cap_stats,
                                  .ifaces = old.ifaces,
                                  .cap_ifaces = old.cap_ifaces,
                                  .positions = old.positions,
                                  .cap_positions = old.cap_positions};
    pthread_cond_broadcast(&fl->wake);
    pthread_mutex_unlock(&fl->lock);
}

void flusher_poke(struct flusher *fl)
{
    pthread_mutex_lock(&fl->lock);
    fl->retry = true;
    pthread_cond_broadcast(&fl->wake);
    pthread_mutex_unlock(&fl->lock);
}

bool flusher_write(struct flusher *fl)
{
    pthread_mutex_lock(&fl->lock);
    uint64_t seen = fl->n_attempts;
    if (fl->last_failed) { /* else a batch just handed over is being (or about to be) tried */
        fl->retry = true;
        pthread_cond_broadcast(&fl->wake);
    }
    while (fl->batch.n_tables && fl->n_attempts == seen)
        pthread_cond_wait(&fl->done, &fl->lock);
    bool ok = fl->batch.n_tables == 0;
    pthread_mutex_unlock(&fl->lock);
    return ok;
}

void flusher_pending_totals(struct flusher *fl, struct flush_totals *t)
{
    pthread_mutex_lock(&fl->lock);
    for (size_t i = 0; i < fl->batch.n_tables; i++)
        flush_totals_add(t, fl->batch.tables[i]);
    pthread_mutex_unlock(&fl->lock);
}

void flush_batch_add_stat(struct flush_batch *b, const char *exporter, uint8_t version,
                          uint32_t domain, const char *name, uint64_t value)
{
    if (value == 0)
        return;
    if (b->n_stats == b->cap_stats) {
        b->cap_stats = b->cap_stats ? b->cap_stats * 2 : 64;
        b->stats = xrealloc(b->stats, b->cap_stats * sizeof *b->stats);
    }
    struct flush_stat *fs = &b->stats[b->n_stats++];
    snprintf(fs->exporter, sizeof fs->exporter, "%s", exporter);
    fs->version = version;
    fs->domain = domain;
    fs->name = name;
    fs->value = value;
}

void flush_batch_add_position(struct flush_batch *b, const char *path, uint64_t inode,
                              uint64_t offset)
{
    if (b->n_positions == b->cap_positions) {
        b->cap_positions = b->cap_positions ? b->cap_positions * 2 : 8;
        b->positions = xrealloc(b->positions, b->cap_positions * sizeof *b->positions);
    }
    struct log_position *lp = &b->positions[b->n_positions++];
    snprintf(lp->path, sizeof lp->path, "%s", path);
    lp->inode = inode;
    lp->offset = offset;
}

void flush_batch_add_iface(struct flush_batch *b, const char *agent, const struct iface_row *r)
{
    if (b->n_ifaces == FLUSH_MAX_IFACES) {
        b->ifaces_dropped++;
        return;
    }
    if (b->n_ifaces == b->cap_ifaces) {
        b->cap_ifaces = b->cap_ifaces ? b->cap_ifaces * 2 : 64;
        b->ifaces = xrealloc(b->ifaces, b->cap_ifaces * sizeof *b->ifaces);
    }
    struct flush_iface *fi = &b->ifaces[b->n_ifaces++];
    snprintf(fi->agent, sizeof fi->agent, "%s", agent);
    fi->row = *r;
    fi->row.agent = NULL;
}

void flush_batch_deinit(struct flush_batch *b)
{
    free(b->ifaces);
    b->ifaces = NULL;
    b->n_ifaces = b->cap_ifaces = 0;
    free(b->positions);
    b->positions = NULL;
    b->n_positions = b->cap_positions = 0;
    free(b->stats);
    b->stats = NULL;
    b->n_stats = b->cap_stats = 0;
}
