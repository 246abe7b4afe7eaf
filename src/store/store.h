// SPDX-License-Identifier: MIT
// The store: where aggregated usage and collector counters end up. An interface with one
// backend per database (SQLite now, PostgreSQL later); the daemon writes through it one
// transaction per flush, and report/ reads through its read functions. Only this folder
// includes a database library's header.
#ifndef FT_STORE_H
#define FT_STORE_H

#include "../flow/stats.h"
#include "../flow/usage.h"

#include <stdbool.h>
#include <stdint.h>

struct store;

/* What a usage read groups by; direction is always a key. */
enum usage_group {
    USAGE_BY_SUBSCRIBER = 1 << 0,
    USAGE_BY_HOST = 1 << 1,
    USAGE_BY_CLASS = 1 << 2,
    USAGE_BY_APP = 1 << 3,
    USAGE_BY_DAY = 1 << 4,  /* local date, YYYY-MM-DD */
    USAGE_BY_HOUR = 1 << 5, /* local hour, YYYY-MM-DD HH:00 */
};

struct usage_query {
    uint64_t from_ms, to_ms; /* buckets starting in [from, to) */
    unsigned group;          /* enum usage_group bits */
    int64_t subscriber_id;   /* only this subscriber, or -1 for all */
};

/* One row of a usage read: the grouped keys (NULL / 0 when not grouped) and the sums. */
struct usage_result {
    int64_t subscriber_id; /* 0 = unassigned */
    const char *account;   /* NULL if unassigned or not grouped */
    const char *host, *class_name, *app, *period;
    enum flow_dir dir;
    struct usage_counts counts;
};

/* Receives one usage row; strings are borrowed for the duration of the call. */
typedef void store_usage_fn(void *ctx, const struct usage_result *r);
/* One collector counter, summed over all flushes. */
typedef void store_stat_fn(void *ctx, const struct stat_row *row);

struct store_ops {
    int (*begin)(struct store *s);
    int (*add_usage)(struct store *s, const struct usage_row *row, const char *class_name,
                     const char *app_name);
    int (*add_stat)(struct store *s, const struct stat_row *row);
    /* Records how far a followed log has been read (within the flush transaction). */
    int (*set_log_position)(struct store *s, const char *path, uint64_t inode, uint64_t offset);
    /* Records the latest counters of an interface (within the flush transaction). */
    int (*set_interface)(struct store *s, const struct iface_row *row);
    /* Reads every interface's latest counters. */
    int (*read_interfaces)(struct store *s, void (*fn)(void *ctx, const struct iface_row *row),
                           void *ctx);
    /* Reads it back: 0 with the position, or ERR_NOT_FOUND. */
    int (*get_log_position)(struct store *s, const char *path, uint64_t *inode, uint64_t *offset);
    int (*commit)(struct store *s);
    /* Ends an open transaction without writing it; does nothing when none is open (a
     * BEGIN that failed leaves none). */
    void (*rollback)(struct store *s);
    int (*read_usage)(struct store *s, const struct usage_query *q, store_usage_fn *fn, void *ctx);
    int (*read_stats)(struct store *s, store_stat_fn *fn, void *ctx);
    void (*close)(struct store *s);

    /* What the last failed operation of this connection said ("database is locked",
     * "database or disk is full", ...), for the caller's message. Borrowed; valid until
     * the next operation. "" when nothing failed. */
    const char *(*last_error)(struct store *s);

    /* Makes this connection the store's collector: checks that the store can really be
     * written (a file opened read-only, or in a directory where its journal cannot be
     * made, is refused now rather than at every flush) and, where the engine allows only
     * one collector (SQLite: one file, one writer), refuses a second one. Returns 0, or
     * ERR_EXISTS (another collector) or ERR_STORE with the path and reason in errbuf.
     * Called once, before the store thread starts. */
    int (*claim_collector)(struct store *s, char *errbuf);

    /* Checks, before a flush, that what this connection writes is still what readers
     * will read. SQLite: if the file at the path was removed (with its -wal), the open
     * copy is written back to the path and writing goes on there (returns 1, msg says
     * so); if another file now sits at the path, nothing is written into it (its
     * subscribers need not be the ones counted) and ERR_STORE is returned with msg saying
     * why. Returns 0 when nothing changed. msg: ERR_BUF_LEN. Thread: the writer's. */
    int (*verify)(struct store *s, char *msg);
};

struct store {
    const struct store_ops *ops;
};

/* Opens the store at `path` (a SQLite file). A writer creates the file and migrates the
 * schema forward; a reader (`readonly`) requires an existing store. Returns a new store
 * (caller closes with store_close()), or NULL with a message in errbuf (ERR_BUF_LEN). */
struct store *store_open(const char *path, bool readonly, char *errbuf);

static inline void store_close(struct store *s)
{
    if (s)
        s->ops->close(s);
}

/* SQLite backend constructor, used by store_open(). */
struct store *store_sqlite_open(const char *path, bool readonly, char *errbuf);

#endif
