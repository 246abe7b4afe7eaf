// SPDX-License-Identifier: MIT
// SQLite backend: one file in WAL mode so readers (report, web) never block the writer.
// Every statement is prepared once per connection with bound parameters; each flush is one
// transaction of additive upserts (INSERT ... ON CONFLICT DO UPDATE, SQLite >= 3.24).
#include "store.h"

#include "../base/err.h"
#include "../base/xalloc.h"
#include "migrate_sqlite.h"
#include "sqlite_private.h"

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
    STMT_SET_LOG_POSITION,
    STMT_SET_INTERFACE,
    STMT_READ_INTERFACES,
    STMT_GET_LOG_POSITION,
    STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_UPSERT_USAGE] =
        "INSERT INTO usage (bucket, subscriber_id, host, dir, class, app, bytes, packets, flows)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
        " ON CONFLICT (bucket, subscriber_id, host, dir, class, app) DO UPDATE SET"
        " bytes = bytes + excluded.bytes, packets = packets + excluded.packets,"
        " flows = flows + excluded.flows",
    [STMT_UPSERT_STAT] = "INSERT INTO collector_stats (exporter, version, domain, counter, value)"
                         " VALUES (?1, ?2, ?3, ?4, ?5)"
                         " ON CONFLICT (exporter, version, domain, counter) DO UPDATE SET"
                         " value = value + excluded.value",
    [STMT_SET_LOG_POSITION] = "INSERT INTO log_positions (path, inode, offset) VALUES (?1, ?2, ?3)"
                              " ON CONFLICT (path) DO UPDATE SET inode = excluded.inode,"
                              " offset = excluded.offset",
    [STMT_SET_INTERFACE] = "INSERT OR REPLACE INTO interfaces (agent, if_index, time_ms, speed_bps,"
                           " status, in_octets, out_octets, in_errors, out_errors, in_discards,"
                           " out_discards) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [STMT_READ_INTERFACES] = "SELECT agent, if_index, time_ms, speed_bps, status, in_octets,"
                             " out_octets, in_errors, out_errors, in_discards, out_discards"
                             " FROM interfaces ORDER BY agent, if_index",
    [STMT_GET_LOG_POSITION] = "SELECT inode, offset FROM log_positions WHERE path = ?1",
    [STMT_READ_STATS] = "SELECT exporter, version, domain, counter, value FROM collector_stats"
                        " ORDER BY exporter, version, domain, counter",
};

struct store_sqlite {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT]; /* prepared on first use */
};

sqlite3 *store_sqlite_db(struct store *base)
{
    return ((struct store_sqlite *)base)->db;
}

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

static int sq_add_usage(struct store *base, const struct usage_row *row, const char *class_name,
                        const char *app_name)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_UPSERT_USAGE);
    if (!st)
        return ERR_STORE;
    char host[ADDR_STR_LEN];
    addr_format(&row->key.host, host);
    sqlite3_bind_int64(st, 1, row->key.bucket_s);
    sqlite3_bind_int64(st, 2, row->key.subscriber);
    sqlite3_bind_text(st, 3, host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, flow_dir_name(row->key.dir), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, class_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, app_name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)row->counts.bytes);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)row->counts.packets);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)row->counts.flows);
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

static int sq_set_log_position(struct store *base, const char *path, uint64_t inode,
                               uint64_t offset)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_SET_LOG_POSITION);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)inode);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)offset);
    return stmt_run(s, st);
}

static int sq_set_interface(struct store *base, const struct iface_row *r)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_SET_INTERFACE);
    if (!st)
        return ERR_STORE;
    const uint64_t v[] = {r->time_ms,    r->speed_bps,   r->status,
                          r->in_octets,  r->out_octets,  r->in_errors,
                          r->out_errors, r->in_discards, r->out_discards};
    sqlite3_bind_text(st, 1, r->agent, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, r->if_index);
    for (int i = 0; i < 9; i++) /* counters above 2^63 do not exist in SNMP; cap anyway */
        sqlite3_bind_int64(st, 3 + i, v[i] > INT64_MAX ? INT64_MAX : (sqlite3_int64)v[i]);
    return stmt_run(s, st);
}

static int sq_read_interfaces(struct store *base,
                              void (*fn)(void *ctx, const struct iface_row *row), void *ctx)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_READ_INTERFACES);
    if (!st)
        return ERR_STORE;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct iface_row r = {
            .agent = (const char *)sqlite3_column_text(st, 0),
            .if_index = (uint32_t)sqlite3_column_int64(st, 1),
            .time_ms = (uint64_t)sqlite3_column_int64(st, 2),
            .speed_bps = (uint64_t)sqlite3_column_int64(st, 3),
            .status = (uint32_t)sqlite3_column_int64(st, 4),
            .in_octets = (uint64_t)sqlite3_column_int64(st, 5),
            .out_octets = (uint64_t)sqlite3_column_int64(st, 6),
            .in_errors = (uint64_t)sqlite3_column_int64(st, 7),
            .out_errors = (uint64_t)sqlite3_column_int64(st, 8),
            .in_discards = (uint64_t)sqlite3_column_int64(st, 9),
            .out_discards = (uint64_t)sqlite3_column_int64(st, 10),
        };
        fn(ctx, &r);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ERR_STORE;
}

static int sq_get_log_position(struct store *base, const char *path, uint64_t *inode,
                               uint64_t *offset)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_GET_LOG_POSITION);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_TRANSIENT);
    int rc = ERR_NOT_FOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *inode = (uint64_t)sqlite3_column_int64(st, 0);
        *offset = (uint64_t)sqlite3_column_int64(st, 1);
        rc = 0;
    }
    sqlite3_reset(st);
    return rc;
}

static enum flow_dir dir_from_name(const char *name)
{
    for (int d = 0; d < FLOW_DIR_COUNT; d++)
        if (name && strcmp(name, flow_dir_name((enum flow_dir)d)) == 0)
            return (enum flow_dir)d;
    return FLOW_DIR_TRANSIT;
}

/* The grouping columns of a usage read. Each is a fixed SQL fragment chosen by a bit of the
 * query, never text from outside; the values are bound parameters. */
static const struct {
    unsigned bit;
    const char *select; /* expression when grouped */
} group_cols[] = {
    {USAGE_BY_SUBSCRIBER, "u.subscriber_id"},
    {USAGE_BY_SUBSCRIBER, "s.account"},
    {USAGE_BY_HOST, "u.host"},
    {USAGE_BY_CLASS, "u.class"},
    {USAGE_BY_APP, "u.app"},
    {USAGE_BY_DAY, "date(u.bucket, 'unixepoch', 'localtime')"},
    {USAGE_BY_HOUR, "strftime('%Y-%m-%d %H:00', u.bucket, 'unixepoch', 'localtime')"},
};

#define N_GROUP_COLS (sizeof group_cols / sizeof group_cols[0])

static void build_usage_sql(unsigned group, char *sql, size_t size)
{
    size_t n = (size_t)snprintf(sql, size, "SELECT ");
    for (size_t i = 0; i < N_GROUP_COLS; i++) {
        n += (size_t)snprintf(sql + n, size - n, "%s, ",
                              group & group_cols[i].bit ? group_cols[i].select : "NULL");
    }
    n += (size_t)snprintf(sql + n, size - n,
                          "u.dir, sum(u.bytes), sum(u.packets), sum(u.flows)"
                          " FROM usage u LEFT JOIN subscribers s ON s.id = u.subscriber_id"
                          " WHERE u.bucket >= ?1 AND u.bucket < ?2"
                          " AND (?3 < 0 OR u.subscriber_id = ?3) GROUP BY ");
    for (int pass = 0; pass < 2; pass++) {
        /* The same columns order the rows, so the rows of one key arrive together. */
        for (size_t i = 0; i < N_GROUP_COLS; i++)
            if (group & group_cols[i].bit)
                n += (size_t)snprintf(sql + n, size - n, "%zu, ", i + 1);
        n += (size_t)snprintf(sql + n, size - n, pass == 0 ? "u.dir ORDER BY " : "u.dir");
    }
}

static const char *column_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

static int sq_read_usage(struct store *base, const struct usage_query *q, store_usage_fn *fn,
                         void *ctx)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    char sql[1024];
    sqlite3_stmt *st;
    unsigned group = q->group;
    if ((group & USAGE_BY_DAY) && (group & USAGE_BY_HOUR))
        group &= ~(unsigned)USAGE_BY_DAY; /* the hour names its day already */
    build_usage_sql(group, sql, sizeof sql);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        log_error("preparing usage read: %s", sqlite3_errmsg(s->db));
        return ERR_STORE;
    }
    uint64_t to_s = q->to_ms / 1000;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)(q->from_ms / 1000));
    sqlite3_bind_int64(st, 2, to_s > INT64_MAX ? INT64_MAX : (sqlite3_int64)to_s);
    sqlite3_bind_int64(st, 3, q->subscriber_id);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *period = column_text(st, 5) ? column_text(st, 5) : column_text(st, 6);
        struct usage_result r = {
            .subscriber_id = sqlite3_column_int64(st, 0),
            .account = column_text(st, 1),
            .host = column_text(st, 2),
            .class_name = column_text(st, 3),
            .app = column_text(st, 4),
            .period = period,
            .dir = dir_from_name(column_text(st, 7)),
            .counts = {(uint64_t)sqlite3_column_int64(st, 8), (uint64_t)sqlite3_column_int64(st, 9),
                       (uint64_t)sqlite3_column_int64(st, 10)},
        };
        fn(ctx, &r);
    }
    sqlite3_finalize(st);
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
    .set_log_position = sq_set_log_position,
    .get_log_position = sq_get_log_position,
    .set_interface = sq_set_interface,
    .read_interfaces = sq_read_interfaces,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .read_usage = sq_read_usage,
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
