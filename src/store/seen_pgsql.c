// SPDX-License-Identifier: MIT
// What each flush counted from each exporter (migration 13's exporter_seen, 14's bytes) in
// PostgreSQL, with the same statements and meaning as seen_sqlite.c, always with bound
// parameters, each prepared once per connection (store_pgsql_run()).
#include "store.h"

#include "../base/err.h"
#include "pgsql_private.h"
#include "rows.h"

/* Two collectors writing one row in the same millisecond: the counts add up. */
static const struct pgsql_stmt seen_add = {
    "seen_add", "tiiiiiiii",
    "INSERT INTO exporter_seen AS e (exporter, at_ms, interval_ms, packets, records, lost,"
    " lost_datagrams, dropped, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " ON CONFLICT (exporter, at_ms) DO UPDATE SET"
    " interval_ms = greatest(e.interval_ms, excluded.interval_ms),"
    " packets = e.packets + excluded.packets, records = e.records + excluded.records,"
    " bytes = e.bytes + excluded.bytes,"
    " lost = e.lost + excluded.lost,"
    " lost_datagrams = e.lost_datagrams + excluded.lost_datagrams,"
    " dropped = e.dropped + excluded.dropped"};
/* The oldest rows first, through the index on time; an exporter's latest row is never
 * one (the primary key finds it). */
static const struct pgsql_stmt seen_prune = {
    "seen_prune", "ii",
    "DELETE FROM exporter_seen WHERE (exporter, at_ms) IN (SELECT exporter, at_ms"
    " FROM exporter_seen s WHERE at_ms < $1 AND at_ms < (SELECT max(at_ms)"
    " FROM exporter_seen m WHERE m.exporter = s.exporter) ORDER BY at_ms LIMIT $2)"};
static const struct pgsql_stmt seen_read = {
    "seen_read", "i",
    "SELECT exporter, at_ms, interval_ms, packets, records, lost, lost_datagrams, dropped,"
    " bytes FROM exporter_seen s WHERE at_ms >= $1 OR at_ms = (SELECT max(at_ms)"
    " FROM exporter_seen m WHERE m.exporter = s.exporter) ORDER BY exporter, at_ms"};

/* A count as the engines store it: signed 64 bits (none reaches 2^63; capped anyway). */
static const char *count(char *buf, uint64_t v)
{
    return pgsql_int(buf, v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

int seen_pgsql_add(struct store *s, const struct seen_row *r)
{
    char v[8][PGSQL_INT_LEN];
    const char *params[] = {r->exporter,
                            pgsql_int(v[0], rows_time(r->at_ms)),
                            pgsql_int(v[1], rows_time(r->interval_ms)),
                            count(v[2], r->packets),
                            count(v[3], r->records),
                            count(v[4], r->lost),
                            count(v[5], r->lost_datagrams),
                            count(v[6], r->dropped),
                            count(v[7], r->bytes)};
    return store_pgsql_write(s, &seen_add, params, NULL, NULL);
}

int seen_pgsql_prune(struct store *s, uint64_t before_ms, int max_rows, int *n_removed)
{
    if (n_removed)
        *n_removed = 0;
    if (max_rows <= 0)
        return 0;
    char before[PGSQL_INT_LEN], max[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(before, rows_time(before_ms)), pgsql_int(max, max_rows)};
    return store_pgsql_write(s, &seen_prune, params, n_removed, NULL);
}

int seen_pgsql_read(struct store *s, uint64_t since_ms, store_seen_fn *fn, void *ctx)
{
    char since[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(since, rows_time(since_ms))};
    int rc;
    PGresult *r = store_pgsql_run(s, &seen_read, params, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        struct seen_row row = {.exporter = PQgetvalue(r, i, 0),
                               .at_ms = (uint64_t)pgsql_get_int(r, i, 1),
                               .interval_ms = (uint64_t)pgsql_get_int(r, i, 2),
                               .packets = (uint64_t)pgsql_get_int(r, i, 3),
                               .records = (uint64_t)pgsql_get_int(r, i, 4),
                               .lost = (uint64_t)pgsql_get_int(r, i, 5),
                               .lost_datagrams = (uint64_t)pgsql_get_int(r, i, 6),
                               .dropped = (uint64_t)pgsql_get_int(r, i, 7),
                               .bytes = (uint64_t)pgsql_get_int(r, i, 8)};
        fn(ctx, &row);
    }
    PQclear(r);
    return 0;
}
