// SPDX-License-Identifier: MIT
// What each flush counted from each exporter (migration 13's exporter_seen, 14's bytes) in
// SQLite, with the same statements and meaning as seen_pgsql.c, always with bound
// parameters. The flusher adds a row per exporter and prunes in every flush, so those two
// keep their statements prepared (sqlite_stmt()); `flowtally stats` reads once.
#include "store.h"

#include "../base/err.h"
#include "rows.h"
#include "sqlite_private.h"

/* Two collectors writing one row in the same millisecond: the counts add up. */
static const char seen_add[] =
    "INSERT INTO exporter_seen (exporter, at_ms, interval_ms, packets, records, lost,"
    " lost_datagrams, dropped, bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (exporter, at_ms) DO UPDATE SET"
    " interval_ms = max(interval_ms, excluded.interval_ms),"
    " packets = packets + excluded.packets, records = records + excluded.records,"
    " bytes = bytes + excluded.bytes,"
    " lost = lost + excluded.lost, lost_datagrams = lost_datagrams + excluded.lost_datagrams,"
    " dropped = dropped + excluded.dropped";
/* The oldest rows first, through the index on time; an exporter's latest row is never
 * one (the primary key finds it). */
static const char seen_prune[] =
    "DELETE FROM exporter_seen WHERE (exporter, at_ms) IN (SELECT exporter, at_ms"
    " FROM exporter_seen s WHERE at_ms < ?1 AND at_ms < (SELECT max(at_ms)"
    " FROM exporter_seen m WHERE m.exporter = s.exporter) ORDER BY at_ms LIMIT ?2)";
static const char seen_read[] =
    "SELECT exporter, at_ms, interval_ms, packets, records, lost, lost_datagrams, dropped,"
    " bytes FROM exporter_seen s WHERE at_ms >= ?1 OR at_ms = (SELECT max(at_ms)"
    " FROM exporter_seen m WHERE m.exporter = s.exporter) ORDER BY exporter, at_ms";

/* A count as the engines store it: signed 64 bits (none reaches 2^63; capped anyway). */
static sqlite3_int64 count(uint64_t v)
{
    return v > INT64_MAX ? INT64_MAX : (sqlite3_int64)v;
}

int seen_sqlite_add(struct store *s, const struct seen_row *r)
{
    sqlite3_stmt *st = sqlite_stmt(s, seen_add);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, r->exporter);
    sqlite3_bind_int64(st, 2, rows_time(r->at_ms));
    sqlite3_bind_int64(st, 3, rows_time(r->interval_ms));
    sqlite3_bind_int64(st, 4, count(r->packets));
    sqlite3_bind_int64(st, 5, count(r->records));
    sqlite3_bind_int64(st, 6, count(r->lost));
    sqlite3_bind_int64(st, 7, count(r->lost_datagrams));
    sqlite3_bind_int64(st, 8, count(r->dropped));
    sqlite3_bind_int64(st, 9, count(r->bytes));
    int rc = store_sqlite_write_result(s, sqlite3_step(st), NULL);
    sqlite_stmt_release(s, st);
    return rc;
}

int seen_sqlite_prune(struct store *s, uint64_t before_ms, int max_rows, int *n_removed)
{
    if (n_removed)
        *n_removed = 0;
    if (max_rows <= 0)
        return 0;
    sqlite3_stmt *st = sqlite_stmt(s, seen_prune);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, rows_time(before_ms));
    sqlite3_bind_int(st, 2, max_rows);
    int rc = store_sqlite_write_result(s, sqlite3_step(st), NULL);
    if (rc == 0 && n_removed)
        *n_removed = sqlite3_changes(store_sqlite_db(s));
    sqlite_stmt_release(s, st);
    return rc;
}

int seen_sqlite_read(struct store *s, uint64_t since_ms, store_seen_fn *fn, void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, seen_read);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, rows_time(since_ms));
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *exporter = sqlite3_column_text(st, 0);
        struct seen_row r = {.exporter = exporter ? (const char *)exporter : "",
                             .at_ms = (uint64_t)sqlite3_column_int64(st, 1),
                             .interval_ms = (uint64_t)sqlite3_column_int64(st, 2),
                             .packets = (uint64_t)sqlite3_column_int64(st, 3),
                             .records = (uint64_t)sqlite3_column_int64(st, 4),
                             .lost = (uint64_t)sqlite3_column_int64(st, 5),
                             .lost_datagrams = (uint64_t)sqlite3_column_int64(st, 6),
                             .dropped = (uint64_t)sqlite3_column_int64(st, 7),
                             .bytes = (uint64_t)sqlite3_column_int64(st, 8)};
        fn(ctx, &r);
    }
    int rc = step == SQLITE_DONE ? 0 : ERR_STORE;
    if (rc != 0)
        store_sqlite_note_error(s);
    sqlite3_finalize(st);
    return rc;
}
