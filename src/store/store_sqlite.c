// SPDX-License-Identifier: MIT
// SQLite backend: one file in WAL mode so readers (report, web) never block the writer.
// Every statement is prepared once per connection with bound parameters; each flush is one
// transaction of additive upserts (INSERT ... ON CONFLICT DO UPDATE, SQLite >= 3.24).
#include "store.h"

#include "../base/err.h"
#include "../base/xalloc.h"
#include "migrate_sqlite.h"
#include "sqlite_private.h"
#include "usage_sql.h"

#include <assert.h>
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_TAG "store"
#include "../base/log.h"

enum stmt_id {
    STMT_BEGIN,
    STMT_COMMIT,
    STMT_ROLLBACK,
    STMT_READ_BEGIN,
    STMT_UPSERT_USAGE,
    STMT_UPSERT_STAT,
    STMT_READ_HOSTS,
    STMT_READ_STATS,
    STMT_SET_LOG_POSITION,
    STMT_SET_INTERFACE,
    STMT_READ_INTERFACES,
    STMT_GET_LOG_POSITION,
    STMT_COLLECTOR_STARTED,
    STMT_USAGE_VERSION_MOVE,
    STMT_USAGE_VERSION,
    STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
    [STMT_READ_BEGIN] = "BEGIN DEFERRED",
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
    [STMT_SET_INTERFACE] =
        "INSERT INTO interfaces (agent, if_index, time_ms, speed_bps, status,"
        " in_octets, out_octets, in_errors, out_errors, in_discards,"
        " out_discards) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        " ON CONFLICT (agent, if_index) DO UPDATE SET time_ms = excluded.time_ms,"
        " speed_bps = excluded.speed_bps, status = excluded.status,"
        " in_octets = excluded.in_octets, out_octets = excluded.out_octets,"
        " in_errors = excluded.in_errors, out_errors = excluded.out_errors,"
        " in_discards = excluded.in_discards, out_discards = excluded.out_discards",
    [STMT_READ_INTERFACES] = "SELECT agent, if_index, time_ms, speed_bps, status, in_octets,"
                             " out_octets, in_errors, out_errors, in_discards, out_discards"
                             " FROM interfaces ORDER BY agent, if_index",
    [STMT_GET_LOG_POSITION] = "SELECT inode, offset FROM log_positions WHERE path = ?1",
    [STMT_COLLECTOR_STARTED] = "INSERT INTO meta (key, value) VALUES ('collector_started_ms', ?1)"
                               " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    /* A key/value row, no migration: a store that never had usage added reads 0. */
    [STMT_USAGE_VERSION_MOVE] = "INSERT INTO meta (key, value) VALUES ('usage_version', 1)"
                                " ON CONFLICT (key) DO UPDATE SET value = value + 1",
    [STMT_USAGE_VERSION] = "SELECT coalesce((SELECT value FROM meta WHERE key = 'usage_version'),"
                           " 0)",
    [STMT_READ_STATS] = "SELECT exporter, version, domain, counter, value FROM collector_stats"
                        " ORDER BY exporter, version, domain, counter",
};

/* A statement kept prepared for the life of the connection (sqlite_stmt()). Preparing is
 * most of a small read's cost: a portal page runs a dozen of them. */
#define KEPT_MAX 128
struct kept_stmt {
    const char *sql; /* NULL: a free slot */
    sqlite3_stmt *st;
    bool in_use; /* handed out and not released yet */
};

struct store_sqlite {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *stmt[STMT_COUNT];  /* prepared on first use */
    struct sqlite_file file;         /* the path, and for the collector its identity and lock */
    char err[256];                   /* what the last failure said */
    bool usage_unversioned;          /* the open transaction added usage; the version has not
                                      * moved in it yet */
    struct kept_stmt kept[KEPT_MAX]; /* sqlite_stmt()'s, by the address of their SQL text */
};

static const struct store_ops sqlite_ops;

sqlite3 *store_sqlite_db(struct store *base)
{
    assert(base->ops == &sqlite_ops);
    return ((struct store_sqlite *)base)->db;
}

/* Keeps what SQLite said about the last failure, for the caller's message (a flush that
 * fails says why once, not once per statement). */
static void note_error(struct store_sqlite *s)
{
    snprintf(s->err, sizeof s->err, "%s", sqlite3_errmsg(s->db));
    log_debug("%s", s->err);
}

void store_sqlite_note_error(struct store *base)
{
    note_error((struct store_sqlite *)base);
}

int store_sqlite_write_result(struct store *base, int step, char *errbuf)
{
    assert(base->ops == &sqlite_ops);
    struct store_sqlite *s = (struct store_sqlite *)base;
    if (step == SQLITE_DONE)
        return 0;
    int code = sqlite3_extended_errcode(s->db);
    note_error(s);
    if (errbuf)
        snprintf(errbuf, ERR_BUF_LEN, "%s", sqlite3_errmsg(s->db));
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY ||
        code == SQLITE_CONSTRAINT_FOREIGNKEY)
        return ERR_EXISTS;
    return (code & 0xff) == SQLITE_CONSTRAINT ? ERR_MALFORMED : ERR_STORE;
}

static sqlite3_stmt *stmt_get(struct store_sqlite *s, enum stmt_id id)
{
    if (!s->stmt[id] && sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                           &s->stmt[id], NULL) != SQLITE_OK) {
        note_error(s);
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
    if (rc != SQLITE_DONE)
        note_error(s); /* before the reset, which may clear the message */
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : ERR_STORE;
}

static int sq_begin(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    s->err[0] = '\0';
    s->usage_unversioned = false;
    return stmt_run(s, stmt_get(s, STMT_BEGIN));
}

static int sq_commit(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    /* Once per transaction, in it: a reader sees the new rows and the new version together.
     * (A transaction SQLite already ended after a failure moves nothing.) */
    if (s->usage_unversioned && !sqlite3_get_autocommit(s->db)) {
        int rc = stmt_run(s, stmt_get(s, STMT_USAGE_VERSION_MOVE));
        if (rc != 0)
            return rc;
    }
    s->usage_unversioned = false;
    int rc = stmt_run(s, stmt_get(s, STMT_COMMIT));
    if (rc == 0 && s->file.known && !s->file.has_wal)
        sqlite_file_identify(&s->file); /* the -wal exists once something was written */
    return rc;
}

static void sq_rollback(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    s->usage_unversioned = false;
    /* A BEGIN that failed (the file locked) opened nothing: no "cannot rollback - no
     * transaction is active" for the operator to puzzle over. */
    if (!sqlite3_get_autocommit(s->db))
        (void)stmt_run(s, stmt_get(s, STMT_ROLLBACK));
}

static int sq_read_begin(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    if (!sqlite3_get_autocommit(s->db))
        return ERR_STORE; /* in the caller's transaction: its end is not ours to make */
    return stmt_run(s, stmt_get(s, STMT_READ_BEGIN));
}

static void sq_read_end(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    if (!sqlite3_get_autocommit(s->db) && stmt_run(s, stmt_get(s, STMT_COMMIT)) != 0)
        (void)stmt_run(s, stmt_get(s, STMT_ROLLBACK));
}

static int sq_add_usage(struct store *base, const struct usage_row *row, const char *class_name,
                        const char *app_name)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    if (sqlite3_get_autocommit(s->db)) {
        /* A write of its own: a transaction of its own, so the version moves with it. */
        int rc = sq_begin(base);
        if (rc == 0)
            rc = sq_add_usage(base, row, class_name, app_name);
        if (rc == 0)
            rc = sq_commit(base);
        if (rc != 0)
            sq_rollback(base);
        return rc;
    }
    s->usage_unversioned = true;
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

static const char *column_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

static int sq_read_usage(struct store *base, const struct usage_query *q, store_usage_fn *fn,
                         void *ctx)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    char sql[USAGE_SQL_LEN];
    sqlite3_stmt *st;
    unsigned group = usage_sql_group(q->group);
    usage_sql_read(group, q->subscriber_id >= 0, '?', sql, sizeof sql);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        note_error(s);
        return ERR_STORE;
    }
    int64_t from_s, to_s;
    usage_sql_bounds(q, &from_s, &to_s);
    sqlite3_bind_int64(st, 1, from_s);
    sqlite3_bind_int64(st, 2, to_s);
    sqlite3_bind_int64(st, 3, q->subscriber_id); /* not in the SQL of every subscriber */
    sqlite3_bind_int(st, 4, q->utc_offset_s);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int period_col = group & USAGE_BY_HOUR ? 6 : 5;
        struct usage_result r = {
            .subscriber_id = sqlite3_column_int64(st, 0),
            .account = column_text(st, 1),
            .host = column_text(st, 2),
            .class_name = column_text(st, 3),
            .app = column_text(st, 4),
            .period = sqlite3_column_int64(st, period_col),
            .dir = usage_sql_dir(column_text(st, 7)),
            .counts = {(uint64_t)sqlite3_column_int64(st, 8), (uint64_t)sqlite3_column_int64(st, 9),
                       (uint64_t)sqlite3_column_int64(st, 10)},
        };
        fn(ctx, &r);
    }
    if (rc != SQLITE_DONE)
        note_error(s);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : ERR_STORE;
}

static int64_t sq_usage_version(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    sqlite3_stmt *st = stmt_get(s, STMT_USAGE_VERSION);
    if (!st)
        return ERR_STORE;
    int64_t v = ERR_STORE;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        note_error(s);
    sqlite3_reset(st);
    return v;
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

static void finalize_all(struct store_sqlite *s)
{
    for (int i = 0; i < STMT_COUNT; i++) {
        sqlite3_finalize(s->stmt[i]);
        s->stmt[i] = NULL;
    }
    for (int i = 0; i < KEPT_MAX; i++)
        sqlite3_finalize(s->kept[i].st);
    memset(s->kept, 0, sizeof s->kept);
}

/* The slot of sql: open addressing on the text's address, probing on. NULL when the table
 * is full (the statement is then prepared and finalized each time). */
static struct kept_stmt *kept_slot(struct store_sqlite *s, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) * 0x9E3779B97F4A7C15ULL % KEPT_MAX;
    for (size_t i = 0; i < KEPT_MAX; i++) {
        struct kept_stmt *k = &s->kept[(h + i) % KEPT_MAX];
        if (!k->sql || k->sql == sql)
            return k;
    }
    return NULL;
}

sqlite3_stmt *sqlite_stmt(struct store *base, const char *sql)
{
    assert(base->ops == &sqlite_ops);
    struct store_sqlite *s = (struct store_sqlite *)base;
    struct kept_stmt *k = kept_slot(s, sql);
    if (!k || k->in_use) /* in use: a loop over its rows calls back into the store */
        return sqlite_prepare(base, sql);
    if (!k->st) {
        if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &k->st, NULL) !=
            SQLITE_OK) {
            note_error(s);
            sqlite3_finalize(k->st);
            k->st = NULL;
            return NULL;
        }
        k->sql = sql;
    }
    k->in_use = true;
    return k->st;
}

void sqlite_stmt_release(struct store *base, sqlite3_stmt *st)
{
    assert(base->ops == &sqlite_ops);
    struct store_sqlite *s = (struct store_sqlite *)base;
    if (!st)
        return;
    for (int i = 0; i < KEPT_MAX; i++) {
        if (s->kept[i].st == st) {
            sqlite3_reset(st);
            sqlite3_clear_bindings(st);
            s->kept[i].in_use = false;
            return;
        }
    }
    sqlite3_finalize(st);
}

static void sq_close(struct store *base)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    finalize_all(s);
    sqlite3_close(s->db);
    sqlite_file_deinit(&s->file);
    free(s);
}

static bool sq_in_transaction(struct store *base)
{
    return !sqlite3_get_autocommit(((struct store_sqlite *)base)->db);
}

static const char *sq_last_error(struct store *base)
{
    return ((struct store_sqlite *)base)->err;
}

static int sq_claim_collector(struct store *base, char *errbuf)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    const char *path = s->file.path;
    int rc = sqlite_file_lock(&s->file, errbuf);
    if (rc != 0)
        return rc;
    /* A real write, through the journal the flushes will use: a directory where the -wal
     * cannot be made, or a full disk, shows now. A lock another process holds (a backup,
     * an admin command) is not a reason to refuse: the flushes wait for it and retry. */
    sqlite3_stmt *st = stmt_get(s, STMT_COLLECTOR_STARTED);
    if (st)
        sqlite3_bind_int64(st, 1, (sqlite3_int64)time(NULL) * 1000);
    if (stmt_run(s, st) != 0) {
        int code = sqlite3_errcode(s->db);
        if (code != SQLITE_BUSY && code != SQLITE_LOCKED) {
            snprintf(errbuf, ERR_BUF_LEN, "%s: cannot write: %s", path, s->err);
            return ERR_STORE;
        }
        log_warn("%s: %s at start; the flushes wait for it and retry", path, s->err);
    }
    sqlite_file_identify(&s->file);
    return 0;
}

/* Writes the open copy back to the path after its files were removed, and goes on there. */
static int reopen_restored(struct store_sqlite *s, char *msg)
{
    sqlite3 *copy;
    finalize_all(s);
    if (sqlite_file_restore(&s->file, s->db, &copy, msg) != 0)
        return ERR_STORE;
    sqlite3_close(s->db);
    s->db = copy;
    sqlite3_busy_timeout(s->db, 10000);
    char errbuf[ERR_BUF_LEN];
    if (migrate_sqlite(s->db, errbuf) != 0 || sqlite_file_lock(&s->file, errbuf) != 0) {
        snprintf(msg, ERR_BUF_LEN, "the copy written back: %.900s", errbuf);
        return ERR_STORE;
    }
    sqlite_file_identify(&s->file);
    return 0;
}

static int sq_verify(struct store *base, char *msg)
{
    struct store_sqlite *s = (struct store_sqlite *)base;
    const char *path = s->file.path;
    msg[0] = '\0';
    switch (sqlite_file_check(&s->file)) {
    case SQLITE_FILE_SAME: return 0;
    case SQLITE_FILE_REPLACED:
        snprintf(msg, ERR_BUF_LEN,
                 "%s is no longer the file this collector opened: another file was put there. "
                 "Nothing is written into it (its subscribers need not be the ones counted); "
                 "the counts are kept in memory. Put the old file back, or restart `flowtally "
                 "run` to collect into the new one",
                 path);
        return ERR_STORE;
    case SQLITE_FILE_UNREADABLE:
        snprintf(msg, ERR_BUF_LEN, "cannot check %s: %s", path, strerror(errno));
        return ERR_STORE;
    case SQLITE_FILE_REMOVED: break;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (reopen_restored(s, msg) != 0)
        return ERR_STORE;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    snprintf(msg, ERR_BUF_LEN,
             "%s (or its -wal) was removed while flowtally was writing to it: wrote the copy "
             "still open back to %s (%lld bytes in %ld ms: plans, subscribers, bindings and all "
             "usage so far) and carry on there",
             path, path, (long long)s->file.db.st_size, ms);
    return 1;
}

static const struct store_ops sqlite_ops = {
    .engine = "sqlite",
    .batch = admin_sqlite_batch,
    .in_transaction = sq_in_transaction,
    .plan_save = admin_sqlite_plan_save,
    .plan_get = admin_sqlite_plan_get,
    .plan_list = admin_sqlite_plan_list,
    .plan_remove = admin_sqlite_plan_remove,
    .subscriber_save = admin_sqlite_subscriber_save,
    .subscriber_get = admin_sqlite_subscriber_get,
    .subscriber_get_id = admin_sqlite_subscriber_get_id,
    .subscriber_list = admin_sqlite_subscriber_list,
    .subscriber_remove = admin_sqlite_subscriber_remove,
    .binding_open_of = admin_sqlite_binding_open_of,
    .binding_close = admin_sqlite_binding_close,
    .binding_insert = admin_sqlite_binding_insert,
    .binding_is_open = admin_sqlite_binding_is_open,
    .binding_list = admin_sqlite_binding_list,
    .lease_put = admin_sqlite_lease_put,
    .lease_list = admin_sqlite_lease_list,
    .lease_at = admin_sqlite_lease_at,
    .bindings_version = admin_sqlite_bindings_version,
    .classes_write = admin_sqlite_classes_write,
    .class_list = admin_sqlite_class_list,
    .classes_known = admin_sqlite_classes_known,
    .user_save = users_sqlite_user_save,
    .user_get = users_sqlite_user_get,
    .user_list = users_sqlite_user_list,
    .user_remove = users_sqlite_user_remove,
    .user_set_password = users_sqlite_user_set_password,
    .session_put = users_sqlite_session_put,
    .session_get = users_sqlite_session_get,
    .session_touch = users_sqlite_session_touch,
    .session_remove = users_sqlite_session_remove,
    .session_remove_user = users_sqlite_session_remove_user,
    .session_expire = users_sqlite_session_expire,
    .login_failure_get = users_sqlite_login_failure_get,
    .login_failure_put = users_sqlite_login_failure_put,
    .login_failure_clear = users_sqlite_login_failure_clear,
    .login_failure_expire = users_sqlite_login_failure_expire,
    .reset_put = users_sqlite_reset_put,
    .reset_take = users_sqlite_reset_take,
    .reset_get = users_sqlite_reset_get,
    .scan_usage = billing_sqlite_scan_usage,
    .plan_history = billing_sqlite_plan_history,
    .topup_add = billing_sqlite_topup_add,
    .topup_list = billing_sqlite_topup_list,
    .invoice_issue = billing_sqlite_invoice_issue,
    .invoice_list = billing_sqlite_invoice_list,
    .invoice_get = billing_sqlite_invoice_get,
    .invoice_lines = billing_sqlite_invoice_lines,
    .invoice_lines_of_cycle = billing_sqlite_invoice_lines_of_cycle,
    .invoice_usage_list = billing_sqlite_invoice_usage_list,
    .invoice_unmailed = billing_sqlite_invoice_unmailed,
    .meta_get = billing_sqlite_meta_get,
    .meta_set = billing_sqlite_meta_set,
    .alert_fire = alert_sqlite_fire,
    .alert_list = alert_sqlite_list,
    .alert_rearm = alert_sqlite_rearm,
    .mail_enqueue = alert_sqlite_mail_enqueue,
    .mail_claim = alert_sqlite_mail_claim,
    .mail_update = alert_sqlite_mail_update,
    .mail_list = alert_sqlite_mail_list,
    .mail_retry_all = alert_sqlite_mail_retry_all,
    .enforce_get = alert_sqlite_enforce_get,
    .enforce_put = alert_sqlite_enforce_put,
    .enforce_list = alert_sqlite_enforce_list,
    .usage_subscribers = alert_sqlite_usage_subscribers,
    .begin = sq_begin,
    .add_usage = sq_add_usage,
    .add_stat = sq_add_stat,
    .set_log_position = sq_set_log_position,
    .get_log_position = sq_get_log_position,
    .set_interface = sq_set_interface,
    .read_interfaces = sq_read_interfaces,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .read_begin = sq_read_begin,
    .read_end = sq_read_end,
    .read_usage = sq_read_usage,
    .usage_version = sq_usage_version,
    .read_stats = sq_read_stats,
    .seen_add = seen_sqlite_add,
    .seen_prune = seen_sqlite_prune,
    .seen_read = seen_sqlite_read,
    .close = sq_close,
    .last_error = sq_last_error,
    .claim_collector = sq_claim_collector,
    .verify = sq_verify,
};

struct store *store_sqlite_open(const char *path, bool readonly, char *errbuf)
{
    struct store_sqlite *s = xcalloc(1, sizeof *s);
    s->base.ops = &sqlite_ops;
    sqlite_file_init(&s->file, path);
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s%s", path, sqlite3_errmsg(s->db),
                 readonly ? " (has `flowtally run` stored anything there yet?)" : "");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 10000);
    /* SQLite falls back to reading a file it may not write; a writer (the collector, an
     * admin command) would then fail at its first write, or worse, at every flush. */
    if (!readonly && sqlite3_db_readonly(s->db, "main") == 1) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "%s: the file is read-only for this user (uid %u); flowtally must be able to "
                 "write it (and its directory, for the -wal and -shm files)",
                 path, (unsigned)geteuid());
        goto fail;
    }
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
