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

/* One row of usage summed per host and direction over a period. */
typedef void store_host_usage_fn(void *ctx, const char *host, enum flow_dir dir,
                                 const struct usage_counts *counts);
/* One collector counter, summed over all flushes. */
typedef void store_stat_fn(void *ctx, const struct stat_row *row);

struct store_ops {
    int (*begin)(struct store *s);
    int (*add_usage)(struct store *s, const struct usage_row *row);
    int (*add_stat)(struct store *s, const struct stat_row *row);
    int (*commit)(struct store *s);
    void (*rollback)(struct store *s);
    int (*read_host_usage)(struct store *s, uint64_t from_ms, uint64_t to_ms,
                           store_host_usage_fn *fn, void *ctx);
    int (*read_stats)(struct store *s, store_stat_fn *fn, void *ctx);
    void (*close)(struct store *s);
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
