// SPDX-License-Identifier: MIT
// SQLite backend: one file in WAL mode so readers (report, web) never block the writer.
// Every statement is prepared once per connection with bound parameters; each flush is one
// transaction of additive upserts (INSERT ... ON CONFLICT DO UPDATE, SQLite >= 3.24).
#include "store.h"

#include "../base/err.h"
#include "../base/xalloc.h"
#include "migrate_sqlite.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "store"
#include "../base/log.h"

enum stmt_id {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_UPSERT_USAGE,
    STMT_UPSERT_STAT,
    STMT_READ_HOSTS,
    STMT_READ_STATS,
    STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_UPSERT_USAGE] = "INSERT INTO usage_host (bucket, host, dir, bytes, packets, flows)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                          " ON CONFLICT (bucket, host, dir) DO UPDATE SET"
                          " bytes = bytes + excluded.bytes, packets = packets + excluded.packets,"
                          " flows = flows + excluded.flows",
    [STMT_UPSERT_STAT] = "INSERT INTO collector_stats (exporter, version, domain, counter, value)"
                         " VALUES (?1, ?2, ?3, ?4, ?5)"
                         " ON CONFLICT (exporter, version, domain, counter) DO UPDATE SET"
                         " value = value + excluded.value",
    [STMT_READ_HOSTS] = "SELECT host, dir, sum(bytes), sum(packets), sum(flows) FROM usage_host"
                        " WHERE bucket >= ?1 AND bucket < ?2 GROUP BY host, dir",
    [STMT_READ_STATS] = "SELECT exporter, version, domain, counter, value FROM collector_stats"
                        " ORDER BY exporter, version, domain, counter",
};

struct store_sqlite {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT]; /* prepared on first use */
};

static sqlite3_stmt *stmt_get(struct store_sqlite *s, enum stmt_id id)
{
    if (!s->stmt[id] && sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                           &s->stmt[id], NULL) != SQLITE_OK) {
        log_error("preparing statement: %s", sqlite3_errmsg(s->db));
        return NULL;
    }
    sqlite3_reset(s->stmt[id]);
    sqlite3_clear_bindings(s->stmt[id]);
    return s->stmt[id];
}

/* Steps a write statement to completion. */
static int stmt_run(struct store_sqlite *s, sqlite3_stmt *st)
{
    if (!st)
        return ERR_STORE;
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("%s", sqlite3_errmsg(s->db));
        return ERR_STORE;
    }
    return 0;
}

static int sq_begin(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    return stmt_run(s, stmt_get(s, STMT_BEGIN));
}

static int sq_commit(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    return stmt_run(s, stmt_get(s, STMT_COMMIT));
}

static void sq_rollback(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    (void)stmt_run(s, stmt_get(s, STMT_ROLLBACK));
}

static int sq_add_usage(struct store *base, const struct usage_row *row)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_UPSERT_USAGE);
    if (!st)
        return ERR_STORE;
    char host[ADDR_STR_LEN];
    addr_format(&row->key.host, host);
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(row->key.bucket_ms / 1000));
    sqlite3_bind_text(st, 2, host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, flow_dir_name(row->key.dir), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)row->counts.bytes);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)row->counts.packets);
    sqlite3_bind_int64(st, 6, (sqlite3_int64)row->counts.flows);
    return stmt_run(s, st);
}

static int sq_add_stat(struct store *base, const struct stat_row *row)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_UPSERT_STAT);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, row->exporter, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, row->version);
    sqlite3_bind_int64(st, 3, row->domain);
    sqlite3_bind_text(st, 4, row->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)row->value);
    return stmt_run(s, st);
}

static enum flow_dir dir_from_name(const char *name)
{
    for (int d = 0; d < FLOW_DIR_COUNT; d++)
        if (name && strcmp(name, flow_dir_name((enum flow_dir)d)) == 0)
            return (enum flow_dir)d;
    return FLOW_DIR_TRANSIT;
}

static int sq_read_host_usage(struct store *base, uint64_t from_ms, uint64_t to_ms,
                              store_host_usage_fn *fn, void *ctx)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_READ_HOSTS);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(from_ms / 1000));
    sqlite3_bind_int64(st, 2, to_ms / 1000 > INT64_MAX ? INT64_MAX : (sqlite3_int64)(to_ms / 1000));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct usage_counts c = {(uint64_t)sqlite3_column_int64(st, 2),
                                 (uint64_t)sqlite3_column_int64(st, 3),
                                 (uint64_t)sqlite3_column_int64(st, 4)};
        fn(ctx, (const char *)sqlite3_column_text(st, 0),
           dir_from_name((const char *)sqlite3_column_text(st, 1)), &c);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("reading usage: %s", sqlite3_errmsg(s->db));
        return ERR_STORE;
    }
    return 0;
}

static int sq_read_stats(struct store *base, store_stat_fn *fn, void *ctx)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_READ_STATS);
    if (!st)
        return ERR_STORE;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct stat_row row = {
            .exporter = (const char *)sqlite3_column_text(st, 0),
            .version = (uint8_t)sqlite3_column_int(st, 1),
            .domain = (uint32_t)sqlite3_column_int64(st, 2),
            .name = (const char *)sqlite3_column_text(st, 3),
            .value = (uint64_t)sqlite3_column_int64(st, 4),
        };
        fn(ctx, &row);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ERR_STORE;
}

static void sq_close(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    sqlite3_close(s->db);
    free(s);
}

static const struct store_ops sqlite_ops = {
    .begin = sq_begin,
    .add_usage = sq_add_usage,
    .add_stat = sq_add_stat,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .read_host_usage = sq_read_host_usage,
    .read_stats = sq_read_stats,
    .close = sq_close,
};

struct store *store_sqlite_open(const char *path, bool readonly, char *errbuf)
{
    struct store_sqlite *s = xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s%s", path, sqlite3_errmsg(s->db),
                 readonly ? " (has `flowtally run` stored anything there yet?)" : "");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 10000);
    if (readonly) {
        if (migrate_sqlite_check(s->db, errbuf) != 0)
            goto fail;
    } else if (migrate_sqlite(s->db, errbuf) != 0) {
        goto fail;
    }
    return &s->base;
fail:
    sq_close(&s->base);
    return NULL;
}
