// SPDX-License-Identifier: MIT
// The store thread. The receive loop hands it one batch at a time (the full aggregation
// tables of every lane plus the counter increases since the last batch); it writes the
// batch in one transaction (additive upserts: a key counted by two lanes adds up) and hands
// the emptied tables back for reuse. If the write fails the batch is kept and
// retried, and the loop keeps counting into its own table meanwhile: nothing counted is lost.
#ifndef FT_FLUSHER_H
#define FT_FLUSHER_H

#include "../aggregate/counters.h"
#include "../base/addr.h"
#include "../base/intern.h"
#include "../bind/bind.h"
#include "../bind/leasefile.h"
#include "../flow/stats.h"
#include "../classify/subscribers.h"
#include "../store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flush_stat {
    char exporter[ADDR_STR_LEN]; /* address text, or "*" */
    uint8_t version;
    uint32_t domain;
    const char *name; /* static counter name */
    uint64_t value;
};

/* How far a followed log was read when the batch's table was taken: stored with it. */
struct log_position {
    char path[256];
    uint64_t inode, offset;
};

/* The latest counters of an interface, as an sFlow agent reported them. */
struct flush_iface {
    char agent[ADDR_STR_LEN];
    struct iface_row row; /* row.agent points at agent once written */
};

#define FLUSH_MAX_IFACES 16384 /* interface reports kept per flush interval */
#define FLUSH_MAX_TABLES 33    /* the main thread's lane and up to 32 receive workers */

/* What a set of tables holds: for a flush's log line, and for what a stop could not store. */
struct flush_totals {
    uint64_t keys, bytes, packets, flows; /* flows: flow records (and log lines) counted */
};

/* Adds a table's rows to t. */
void flush_totals_add(struct flush_totals *t, const struct counters_table *table);

struct flush_batch {
    struct counters_table *tables[FLUSH_MAX_TABLES]; /* owned while in the batch */
    size_t n_tables;                                 /* 0: no batch */
    struct flush_iface *ifaces; /* owned; n_ifaces entries, the later the newer */
    size_t n_ifaces, cap_ifaces;
    uint64_t ifaces_dropped;        /* reports past FLUSH_MAX_IFACES */
    struct log_position *positions; /* owned; n_positions entries */
    size_t n_positions, cap_positions;
    struct flush_stat *stats; /* owned; n_stats entries */
    size_t n_stats, cap_stats;
};

/* A flush's usage of one subscriber in one bucket, direction and class (hosts and
 * applications summed). */
struct flush_moved {
    uint32_t subscriber; /* never USAGE_UNASSIGNED */
    uint32_t bucket_s;
    uint16_t class_id; /* an id of the flusher's class names */
    uint8_t dir;       /* enum flow_dir */
    uint64_t bytes;
};

/* rows[0..n): what a flush just committed, by subscriber, bucket, class, direction, each
 * key once; classes names their class ids (stable: names are never moved). Borrowed for
 * the call. */
typedef void flush_moved_fn(void *ctx, const struct flush_moved *rows, size_t n,
                            const struct intern *classes);

struct flusher {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;          /* signalled on a new batch, a retry or stop */
    pthread_cond_t done;          /* signalled when a batch finished */
    struct store *store;          /* borrowed; used only by the thread */
    const struct intern *classes; /* borrowed: names of the class ids in the tables */
    const struct intern *apps;    /* borrowed: names of the application ids */
    struct flush_batch batch;     /* pending or being written; no tables when idle */
    struct counters_table *spares[FLUSH_MAX_TABLES]; /* emptied tables for the loop to take */
    size_t n_spares;
    int64_t bindings_version;       /* of the store when the map was last loaded */
    struct subscriber_map *new_map; /* loaded, not yet taken by the loop; owned */
    int map_ready_fd;         /* eventfd, readable when a map waits: the main thread polls it */
    struct leasefile leases;  /* the DHCP lease file followed, if any */
    struct bind_event *binds; /* queued binding events (RADIUS, mapping lines); owned */
    size_t n_binds, cap_binds;
    uint64_t binds_dropped;       /* events lost because the queue was full */
    uint64_t binds_seq;           /* last event recorded in the store */
    uint64_t map_seq;             /* last event the loaded map includes */
    struct class_row *class_rows; /* to store with the next batch, or NULL; owned */
    size_t n_class_rows;
    bool stop;
    bool retry;          /* ask the thread to try a failed batch again */
    bool last_failed;    /* the last write of the pending batch failed */
    uint64_t n_attempts; /* writes tried, successful or not */
    uint64_t n_flushes, n_failures;
    uint64_t last_ms;      /* duration of the last successful write */
    uint64_t written_keys; /* keys written by every successful flush */
    uint64_t seen_ms;      /* wall clock of the last successful write (or the start): the
                            * next one's counters were gathered since (seen.h) */
    /* While the store fails: since when (monotonic ms; 0 = it does not), how often, and
     * when the last "still failing" line was logged. */
    uint64_t failing_since_ms, failing_attempts, failing_logged_ms;
    /* Told, after each flush that stored usage, what it stored of subscribers (the alerts
     * evaluate them, and count what moved); set before flusher_start(), called on the
     * store thread. */
    flush_moved_fn *on_flushed;
    void *on_flushed_ctx;
    struct flush_moved *flushed; /* the subscribers' rows of the batch being written; owned */
    size_t n_flushed, cap_flushed;
};

/* Starts the thread. `classes` and `apps` name the ids in the tables it will write; they
 * must outlive the flusher. leases_path (may be NULL) is a DHCP lease file imported now
 * and again whenever it changes. Returns 0 or -errno. */
int flusher_start(struct flusher *fl, struct store *store, const struct intern *classes,
                  const struct intern *apps, const char *leases_path);

/* Stops the thread after the pending batch is written (or failed). Frees what it owns. */
void flusher_stop(struct flusher *fl);

/* True if a new batch can be handed over now (the previous one is written). */
bool flusher_idle(struct flusher *fl);

/* Returns a written table, emptied, for reuse (caller owns it), or NULL. */
struct counters_table *flusher_take_spare(struct flusher *fl);

/* Hands a batch over; the flusher takes ownership of its tables and stats (batch is
 * reset, keeping a stats array for reuse). Only call when flusher_idle(). */
void flusher_submit(struct flusher *fl, struct flush_batch *batch);

/* Asks the thread to retry a failed batch. */
void flusher_poke(struct flusher *fl);

/* Hands the loaded class list to be stored with the next batch (copied). */
void flusher_set_classes(struct flusher *fl, const struct class_row *rows, size_t n);

/* Returns a subscriber map loaded since the last call because bindings changed (caller
 * owns it), or NULL. OUT: *map_seq, the last binding event (binder.h) the map includes.
 * Empties map_ready_fd. */
struct subscriber_map *flusher_take_map(struct flusher *fl, uint64_t *map_seq);

/* Queues a binding event, applied to the running map already, to be recorded in the store
 * with bind_record() (copied). Past BINDER_RECENT waiting events it is dropped and counted:
 * the running map still has it; only the record is lost. */
void flusher_queue_binding(struct flusher *fl, const struct bind_event *e);

/* Follows the lease file, then loads the subscriber map if bindings changed since the last
 * load (or always, with force). Thread: the flusher's own (flusher_start() makes the first
 * load). */
void flusher_check_bindings(struct flusher *fl, bool force);

/* Has the pending batch written now (retried, if its last write failed) and waits for
 * that attempt. Returns true when nothing is pending any more (also when nothing was). */
bool flusher_write(struct flusher *fl);

/* What the pending batch holds (nothing when idle). */
void flusher_pending_totals(struct flusher *fl, struct flush_totals *t);

/* Appends one counter increase to a batch (zero values are skipped). */
void flush_batch_add_stat(struct flush_batch *b, const char *exporter, uint8_t version,
                          uint32_t domain, const char *name, uint64_t value);
void flush_batch_add_position(struct flush_batch *b, const char *path, uint64_t inode,
                              uint64_t offset);
/* Appends an interface report (dropped and counted past FLUSH_MAX_IFACES). */
void flush_batch_add_iface(struct flush_batch *b, const char *agent, const struct iface_row *r);
void flush_batch_deinit(struct flush_batch *b);

#endif
