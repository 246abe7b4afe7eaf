// SPDX-License-Identifier: MIT
// What billing reads and writes in SQLite, with the same statements and meaning as
// billing_pgsql.c: the stored usage rows in key order (scan_usage), plan histories,
// top-ups, issued documents with their lines and settled usage, and meta's named numbers.
// Each call prepares its statements and finalizes them (a document's lines share one);
// every value is a bound parameter. A document's number is the largest of its kind plus
// one, read and used inside the write transaction that stores it: SQLite has one writer at
// a time (BEGIN IMMEDIATE), and documents are never removed (migration 10's triggers), so
// a number committed once is never given again, and one given in a transaction that was
// rolled back was never issued.
#include "store.h"

#include "../base/err.h"
#include "rows.h"
#include "sqlite_private.h"
#include "usage_sql.h"

#include <stdio.h>
#include <string.h>

#define INVOICE_COLS                                                                               \
    "id, kind, number, coalesce(refers_to, 0), subscriber_id, account, name, plan, cycle,"         \
    " cycle_start_ms, cycle_end_ms, used_bytes, quota_bytes, unlimited, subtotal_cents,"           \
    " tax_cents, total_cents, tax_rate_micro, currency, unit, issued_ms"
#define LINE_COLS                                                                                  \
    "l.invoice_id, l.seq, l.kind, l.class, l.cycle, l.bytes, l.quantity, l.unit_price_micro,"      \
    " l.amount_cents, l.text"
#define HISTORY_SELECT                                                                             \
    "SELECT h.subscriber_id, coalesce(p.name, ''), h.start_ms FROM plan_history h"                 \
    " LEFT JOIN plans p ON p.id = h.plan_id"
#define TOPUP_SELECT "SELECT id, subscriber_id, at_ms, bytes, price_micro FROM topups"
#define USAGE_SETTLED_SELECT                                                                       \
    "SELECT u.invoice_id, u.cycle, u.class, u.bytes FROM invoices i"                               \
    " JOIN invoice_usage u ON u.invoice_id = i.id"

/* One subscriber's rows and every subscriber's have statements of their own: written
 * "?1 < 0 OR subscriber_id = ?1", the condition would keep SQLite off the index. */
static const char history_one[] = HISTORY_SELECT " WHERE h.subscriber_id = ?1 ORDER BY h.start_ms";
static const char history_all[] = HISTORY_SELECT " ORDER BY h.subscriber_id, h.start_ms";
/* A subscriber that does not exist inserts nothing (ERR_NOT_FOUND). */
static const char topup_insert[] = "INSERT INTO topups (subscriber_id, at_ms, bytes, price_micro)"
                                   " SELECT id, ?2, ?3, ?4 FROM subscribers WHERE id = ?1";
static const char topup_one[] = TOPUP_SELECT " WHERE subscriber_id = ?1 AND at_ms >= ?2"
                                             " AND at_ms < ?3 ORDER BY at_ms, id";
static const char topup_all[] =
    TOPUP_SELECT " WHERE at_ms >= ?2 AND at_ms < ?3 ORDER BY subscriber_id, at_ms, id";
static const char invoice_refers[] = "SELECT 1 FROM invoices WHERE id = ?1";
static const char invoice_of_cycle[] = "SELECT number FROM invoices WHERE kind = 'invoice'"
                                       " AND subscriber_id = ?1 AND cycle = ?2";
static const char invoice_next[] = "SELECT coalesce(max(number), 0) + 1 FROM invoices"
                                   " WHERE kind = ?1";
static const char invoice_insert[] =
    "INSERT INTO invoices (kind, number, refers_to, subscriber_id, account, name, plan, cycle,"
    " cycle_start_ms, cycle_end_ms, used_bytes, quota_bytes, unlimited, subtotal_cents,"
    " tax_cents, total_cents, tax_rate_micro, currency, unit, issued_ms) VALUES (?1, ?2, ?3, ?4,"
    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";
static const char line_insert[] =
    "INSERT INTO invoice_lines (invoice_id, seq, kind, class, cycle, bytes, quantity,"
    " unit_price_micro, amount_cents, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char settled_insert[] = "INSERT INTO invoice_usage (invoice_id, cycle, class, bytes)"
                                     " VALUES (?1, ?2, ?3, ?4)";
/* Which index serves a list: the subscriber's (subscriber_id, id), the cycle's (cycle, id),
 * or none; each walks its index in id order, so nothing is sorted. */
static const char invoice_list_subscriber[] =
    "SELECT " INVOICE_COLS " FROM invoices WHERE subscriber_id = ?2"
    " AND (?1 IS NULL OR cycle = ?1) AND (?3 IS NULL OR kind = ?3) ORDER BY id";
static const char invoice_list_cycle[] = "SELECT " INVOICE_COLS " FROM invoices WHERE cycle = ?1"
                                         " AND (?3 IS NULL OR kind = ?3) ORDER BY id";
static const char invoice_list_all[] = "SELECT " INVOICE_COLS " FROM invoices"
                                       " WHERE ?3 IS NULL OR kind = ?3 ORDER BY id";
static const char invoice_get[] = "SELECT " INVOICE_COLS " FROM invoices"
                                  " WHERE kind = ?1 AND number = ?2";
/* The mail event of a document is "invoice:" and its number as people read it ("42",
 * "C-3", "D-1": export_number()); the mail table's unique index on event finds it. The
 * mail table has a kind of its own: the document's columns are named with their table. */
static const char invoice_unmailed[] =
    "SELECT " INVOICE_COLS " FROM invoices i WHERE i.issued_ms >= ?1 AND NOT EXISTS"
    " (SELECT 1 FROM mail m WHERE m.event = 'invoice:' || CASE i.kind WHEN 'credit' THEN 'C-'"
    " WHEN 'debit' THEN 'D-' ELSE '' END || CAST(i.number AS TEXT)) ORDER BY i.id";
static const char lines_of[] = "SELECT " LINE_COLS " FROM invoice_lines l WHERE l.invoice_id = ?1"
                               " ORDER BY l.seq";
/* The subscriber's documents (invoices_subscriber, in id order), then each one's lines (its
 * primary key, in seq order), keeping those that bill the cycle: a subscriber has a
 * document or two a month, each a few lines. */
static const char lines_of_cycle[] = "SELECT " LINE_COLS " FROM invoices i"
                                     " JOIN invoice_lines l ON l.invoice_id = i.id"
                                     " WHERE i.subscriber_id = ?1 AND l.cycle = ?2"
                                     " ORDER BY i.id, l.seq";
static const char settled_one[] =
    USAGE_SETTLED_SELECT " WHERE i.subscriber_id = ?1 ORDER BY u.cycle, u.class, u.invoice_id";
static const char settled_all[] =
    USAGE_SETTLED_SELECT " ORDER BY i.subscriber_id, u.cycle, u.class, u.invoice_id";
static const char meta_get[] = "SELECT value FROM meta WHERE key = ?1";
static const char meta_set[] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                               " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

static const char *column_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

/* Ends a read loop and finalizes: 0 when every row was read, else ERR_STORE. */
static int finish_read(struct store *s, sqlite3_stmt *st, int step)
{
    if (step != SQLITE_DONE)
        store_sqlite_note_error(s);
    sqlite_stmt_release(s, st);
    return step == SQLITE_DONE ? 0 : ERR_STORE;
}

/* Steps a write; the statement stays (reset) for another row. Returns
 * store_sqlite_write_result()'s code. */
static int step_write(struct store *s, sqlite3_stmt *st, char *errbuf)
{
    int rc = store_sqlite_write_result(s, sqlite3_step(st), errbuf);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Steps a read of at most one row. OUT: *found. The statement is finalized unless a row
 * was found (the caller reads it, then finalizes). Returns 0 or ERR_STORE. */
static int read_one(struct store *s, sqlite3_stmt *st, bool *found)
{
    int step = sqlite3_step(st);
    *found = step == SQLITE_ROW;
    return *found ? 0 : finish_read(s, st, step);
}

/* ---- usage, as stored ---- */

int billing_sqlite_scan_usage(struct store *s, const struct usage_query *q, store_usage_fn *fn,
                              void *ctx)
{
    char sql[USAGE_SQL_LEN];
    bool one_subscriber = q->subscriber_id >= 0;
    usage_sql_scan(one_subscriber, q->is_rating, '?', sql, sizeof sql);
    sqlite3_stmt *st = sqlite_prepare(s, sql);
    if (!st)
        return ERR_STORE;
    int64_t from_s, to_s;
    usage_sql_bounds(q, &from_s, &to_s);
    sqlite3_bind_int64(st, 1, from_s);
    sqlite3_bind_int64(st, 2, to_s);
    if (one_subscriber)
        sqlite3_bind_int64(st, 3, q->subscriber_id);
    int step; /* a rating's rows (usage_sql.h: five columns), else every column's */
    while ((step = sqlite3_step(st)) == SQLITE_ROW && q->is_rating) {
        struct usage_result r = {
            .subscriber_id = sqlite3_column_int64(st, 0),
            .class_name = column_text(st, 1),
            .period = sqlite3_column_int64(st, 2),
            .dir = usage_sql_dir(column_text(st, 3)),
            .counts.bytes = (uint64_t)sqlite3_column_int64(st, 4),
        };
        fn(ctx, &r);
    }
    for (; step == SQLITE_ROW; step = sqlite3_step(st)) {
        struct usage_result r = {
            .subscriber_id = sqlite3_column_int64(st, 0),
            .host = column_text(st, 1),
            .class_name = column_text(st, 2),
            .app = column_text(st, 3),
            .period = sqlite3_column_int64(st, 4),
            .dir = usage_sql_dir(column_text(st, 5)),
            .counts = {(uint64_t)sqlite3_column_int64(st, 6), (uint64_t)sqlite3_column_int64(st, 7),
                       (uint64_t)sqlite3_column_int64(st, 8)},
        };
        fn(ctx, &r);
    }
    return finish_read(s, st, step);
}

/* ---- plan histories and top-ups ---- */

int billing_sqlite_plan_history(struct store *s, int64_t subscriber_id, store_plan_step_fn *fn,
                                void *ctx)
{
    /* kept prepared: every usage page reads a subscriber's plan history and top-ups */
    sqlite3_stmt *st = sqlite_stmt(s, subscriber_id >= 0 ? history_one : history_all);
    if (!st)
        return ERR_STORE;
    if (subscriber_id >= 0)
        sqlite3_bind_int64(st, 1, subscriber_id);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct plan_step p = {.subscriber_id = sqlite3_column_int64(st, 0),
                              .start_ms = (uint64_t)sqlite3_column_int64(st, 2)};
        sqlite_copy_text(p.plan, sizeof p.plan, st, 1);
        fn(ctx, &p);
    }
    return finish_read(s, st, step);
}

int billing_sqlite_topup_add(struct store *s, const struct topup_row *t, char *errbuf)
{
    sqlite3_stmt *st = sqlite_prepare(s, topup_insert);
    if (!st) {
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
        return ERR_STORE;
    }
    sqlite3_bind_int64(st, 1, t->subscriber_id);
    sqlite3_bind_int64(st, 2, rows_time(t->at_ms));
    sqlite3_bind_int64(st, 3, (sqlite3_int64)t->bytes);
    sqlite3_bind_int64(st, 4, t->price_micro);
    int rc = store_sqlite_write_result(s, sqlite3_step(st), errbuf);
    if (rc == 0 && sqlite3_changes(store_sqlite_db(s)) == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber with id %lld", (long long)t->subscriber_id);
        rc = ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return rc;
}

int billing_sqlite_topup_list(struct store *s, int64_t subscriber_id, uint64_t from_ms,
                              uint64_t to_ms, store_topup_fn *fn, void *ctx)
{
    sqlite3_stmt *st = sqlite_stmt(s, subscriber_id >= 0 ? topup_one : topup_all);
    if (!st)
        return ERR_STORE;
    if (subscriber_id >= 0)
        sqlite3_bind_int64(st, 1, subscriber_id);
    sqlite3_bind_int64(st, 2, rows_time(from_ms));
    sqlite3_bind_int64(st, 3, rows_time(to_ms));
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        struct topup_row t = {.id = sqlite3_column_int64(st, 0),
                              .subscriber_id = sqlite3_column_int64(st, 1),
                              .at_ms = (uint64_t)sqlite3_column_int64(st, 2),
                              .bytes = (uint64_t)sqlite3_column_int64(st, 3),
                              .price_micro = sqlite3_column_int64(st, 4)};
        fn(ctx, &t);
    }
    return finish_read(s, st, step);
}

/* ---- issuing a document ---- */

/* An invoice_issue's arguments, for store_transaction(). */
struct issue {
    struct invoice_row *inv;
    const struct invoice_line *lines;
    size_t n_lines;
    const struct invoice_usage *usage;
    size_t n_usage;
    char *errbuf;
};

/* Reads one integer of a statement of at most one row (bound by the caller), and finalizes
 * it. OUT: *value. Returns 0, ERR_NOT_FOUND (no row) or ERR_STORE. */
static int read_int(struct store *s, sqlite3_stmt *st, int64_t *value)
{
    bool found;
    int rc = read_one(s, st, &found);
    if (rc != 0)
        return rc;
    if (!found)
        return ERR_NOT_FOUND;
    *value = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

/* Before anything is written: the document a note refers to exists, and the subscriber has
 * no invoice of the cycle yet. Then OUT: *number, the next of the kind. */
static int issue_check(struct store *s, const struct invoice_row *inv, int64_t *number,
                       char *errbuf)
{
    int64_t v;
    sqlite3_stmt *st;
    int rc;
    if (inv->refers_to != 0) {
        if (!(st = sqlite_prepare(s, invoice_refers)))
            return ERR_STORE;
        sqlite3_bind_int64(st, 1, inv->refers_to);
        if ((rc = read_int(s, st, &v)) == ERR_NOT_FOUND)
            snprintf(errbuf, ERR_BUF_LEN, "no document with id %lld to refer to",
                     (long long)inv->refers_to);
        if (rc != 0)
            return rc;
    }
    if (strcmp(inv->kind, "invoice") == 0) {
        if (!(st = sqlite_prepare(s, invoice_of_cycle)))
            return ERR_STORE;
        sqlite3_bind_int64(st, 1, inv->subscriber_id);
        sqlite_bind_text(st, 2, inv->cycle);
        rc = read_int(s, st, &v);
        if (rc == 0)
            return rows_invoice_exists(inv, v, errbuf);
        if (rc != ERR_NOT_FOUND)
            return rc;
    }
    if (!(st = sqlite_prepare(s, invoice_next)))
        return ERR_STORE;
    sqlite_bind_text(st, 1, inv->kind);
    return read_int(s, st, number);
}

/* Inserts the document's row. OUT: *id. */
static int issue_row(struct store *s, const struct invoice_row *inv, int64_t number, int64_t *id,
                     char *errbuf)
{
    sqlite3_stmt *st = sqlite_prepare(s, invoice_insert);
    if (!st)
        return ERR_STORE;
    const char *text[] = {inv->account, inv->name, inv->plan, inv->cycle};
    const int64_t num[] = {rows_time(inv->cycle_start_ms),
                           rows_time(inv->cycle_end_ms),
                           (int64_t)inv->used_bytes,
                           (int64_t)inv->quota_bytes,
                           inv->unlimited,
                           inv->subtotal_cents,
                           inv->tax_cents,
                           inv->total_cents,
                           inv->tax_rate_micro};
    sqlite_bind_text(st, 1, inv->kind);
    sqlite3_bind_int64(st, 2, number);
    if (inv->refers_to != 0)
        sqlite3_bind_int64(st, 3, inv->refers_to);
    sqlite3_bind_int64(st, 4, inv->subscriber_id);
    for (int i = 0; i < 4; i++)
        sqlite_bind_text(st, 5 + i, text[i]);
    for (int i = 0; i < 9; i++)
        sqlite3_bind_int64(st, 9 + i, num[i]);
    sqlite_bind_text(st, 18, inv->currency);
    sqlite_bind_text(st, 19, inv->unit);
    sqlite3_bind_int64(st, 20, rows_time(inv->issued_ms));
    int rc = store_sqlite_write_result(s, sqlite3_step(st), errbuf);
    *id = sqlite3_last_insert_rowid(store_sqlite_db(s));
    sqlite3_finalize(st);
    return rc;
}

/* Inserts the document's lines and settled usage, under id. */
static int issue_parts(struct store *s, int64_t id, const struct issue *w)
{
    sqlite3_stmt *st = sqlite_prepare(s, line_insert);
    int rc = st ? 0 : ERR_STORE;
    for (size_t i = 0; rc == 0 && i < w->n_lines; i++) {
        const struct invoice_line *l = &w->lines[i];
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, l->seq);
        sqlite_bind_text(st, 3, l->kind);
        sqlite_bind_text(st, 4, l->class_name);
        sqlite_bind_text(st, 5, l->cycle);
        sqlite3_bind_int64(st, 6, (sqlite3_int64)l->bytes);
        sqlite_bind_text(st, 7, l->quantity);
        sqlite3_bind_int64(st, 8, l->unit_price_micro);
        sqlite3_bind_int64(st, 9, l->amount_cents);
        sqlite_bind_text(st, 10, l->text);
        rc = step_write(s, st, w->errbuf);
    }
    sqlite3_finalize(st);
    st = rc == 0 ? sqlite_prepare(s, settled_insert) : NULL;
    if (rc == 0 && !st)
        rc = ERR_STORE;
    for (size_t i = 0; rc == 0 && i < w->n_usage; i++) {
        sqlite3_bind_int64(st, 1, id);
        sqlite_bind_text(st, 2, w->usage[i].cycle);
        sqlite_bind_text(st, 3, w->usage[i].class_name);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)w->usage[i].bytes);
        rc = step_write(s, st, w->errbuf);
    }
    sqlite3_finalize(st);
    return rc;
}

static int issue(struct store *s, void *ctx)
{
    struct issue *w = ctx;
    int64_t number, id;
    int rc = issue_check(s, w->inv, &number, w->errbuf);
    if (rc == 0)
        rc = issue_row(s, w->inv, number, &id, w->errbuf);
    if (rc == 0)
        rc = issue_parts(s, id, w);
    if (rc == 0) {
        w->inv->id = id;
        w->inv->number = number;
    }
    return rc;
}

int billing_sqlite_invoice_issue(struct store *s, struct invoice_row *inv,
                                 const struct invoice_line *lines, size_t n_lines,
                                 const struct invoice_usage *usage, size_t n_usage, char *errbuf)
{
    errbuf[0] = '\0';
    int rc = rows_invoice_check(inv, lines, n_lines, usage, n_usage, errbuf);
    if (rc != 0)
        return rc;
    struct issue w = {inv, lines, n_lines, usage, n_usage, errbuf};
    /* a document is its row, lines and usage, all or nothing */
    if (sqlite3_get_autocommit(store_sqlite_db(s)))
        rc = store_transaction(s, issue, &w);
    else
        rc = issue(s, &w);
    if (rc != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
    return rc;
}

/* ---- reading documents ---- */

static void read_invoice(sqlite3_stmt *st, struct invoice_row *inv)
{
    memset(inv, 0, sizeof *inv);
    inv->id = sqlite3_column_int64(st, 0);
    sqlite_copy_text(inv->kind, sizeof inv->kind, st, 1);
    inv->number = sqlite3_column_int64(st, 2);
    inv->refers_to = sqlite3_column_int64(st, 3);
    inv->subscriber_id = sqlite3_column_int64(st, 4);
    sqlite_copy_text(inv->account, sizeof inv->account, st, 5);
    sqlite_copy_text(inv->name, sizeof inv->name, st, 6);
    sqlite_copy_text(inv->plan, sizeof inv->plan, st, 7);
    sqlite_copy_text(inv->cycle, sizeof inv->cycle, st, 8);
    inv->cycle_start_ms = (uint64_t)sqlite3_column_int64(st, 9);
    inv->cycle_end_ms = (uint64_t)sqlite3_column_int64(st, 10);
    inv->used_bytes = (uint64_t)sqlite3_column_int64(st, 11);
    inv->quota_bytes = (uint64_t)sqlite3_column_int64(st, 12);
    inv->unlimited = sqlite3_column_int(st, 13) != 0;
    inv->subtotal_cents = sqlite3_column_int64(st, 14);
    inv->tax_cents = sqlite3_column_int64(st, 15);
    inv->total_cents = sqlite3_column_int64(st, 16);
    inv->tax_rate_micro = sqlite3_column_int64(st, 17);
    sqlite_copy_text(inv->currency, sizeof inv->currency, st, 18);
    sqlite_copy_text(inv->unit, sizeof inv->unit, st, 19);
    inv->issued_ms = (uint64_t)sqlite3_column_int64(st, 20);
}

int billing_sqlite_invoice_list(struct store *s, const struct invoice_query *q,
                                store_invoice_fn *fn, void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, q->subscriber_id >= 0 ? invoice_list_subscriber
                                         : q->cycle            ? invoice_list_cycle
                                                               : invoice_list_all);
    if (!st)
        return ERR_STORE;
    if (q->cycle)
        sqlite_bind_text(st, 1, q->cycle);
    if (q->subscriber_id >= 0)
        sqlite3_bind_int64(st, 2, q->subscriber_id);
    if (q->kind)
        sqlite_bind_text(st, 3, q->kind);
    struct invoice_row inv;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_invoice(st, &inv);
        fn(ctx, &inv);
    }
    return finish_read(s, st, step);
}

int billing_sqlite_invoice_get(struct store *s, const char *kind, int64_t number,
                               struct invoice_row *out)
{
    sqlite3_stmt *st = sqlite_prepare(s, invoice_get);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, kind);
    sqlite3_bind_int64(st, 2, number);
    bool found;
    int rc = read_one(s, st, &found);
    if (rc != 0 || !found)
        return rc ? rc : ERR_NOT_FOUND;
    read_invoice(st, out);
    sqlite3_finalize(st);
    return 0;
}

int billing_sqlite_invoice_unmailed(struct store *s, uint64_t since_ms, store_invoice_fn *fn,
                                    void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, invoice_unmailed);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, (int64_t)since_ms);
    struct invoice_row inv;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_invoice(st, &inv);
        fn(ctx, &inv);
    }
    return finish_read(s, st, step);
}

/* Hands every row of st (LINE_COLS, bound) to fn. */
static int read_lines(struct store *s, sqlite3_stmt *st, store_invoice_line_fn *fn, void *ctx)
{
    struct invoice_line l;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&l, 0, sizeof l);
        l.invoice_id = sqlite3_column_int64(st, 0);
        l.seq = sqlite3_column_int(st, 1);
        sqlite_copy_text(l.kind, sizeof l.kind, st, 2);
        sqlite_copy_text(l.class_name, sizeof l.class_name, st, 3);
        sqlite_copy_text(l.cycle, sizeof l.cycle, st, 4);
        l.bytes = (uint64_t)sqlite3_column_int64(st, 5);
        sqlite_copy_text(l.quantity, sizeof l.quantity, st, 6);
        l.unit_price_micro = sqlite3_column_int64(st, 7);
        l.amount_cents = sqlite3_column_int64(st, 8);
        sqlite_copy_text(l.text, sizeof l.text, st, 9);
        fn(ctx, &l);
    }
    return finish_read(s, st, step);
}

int billing_sqlite_invoice_lines(struct store *s, int64_t invoice_id, store_invoice_line_fn *fn,
                                 void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, lines_of);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, invoice_id);
    return read_lines(s, st, fn, ctx);
}

int billing_sqlite_invoice_lines_of_cycle(struct store *s, int64_t subscriber_id, const char *cycle,
                                          store_invoice_line_fn *fn, void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, lines_of_cycle);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, subscriber_id);
    sqlite_bind_text(st, 2, cycle);
    return read_lines(s, st, fn, ctx);
}

int billing_sqlite_invoice_usage_list(struct store *s, int64_t subscriber_id,
                                      store_invoice_usage_fn *fn, void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, subscriber_id >= 0 ? settled_one : settled_all);
    if (!st)
        return ERR_STORE;
    if (subscriber_id >= 0)
        sqlite3_bind_int64(st, 1, subscriber_id);
    struct invoice_usage u;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&u, 0, sizeof u);
        u.invoice_id = sqlite3_column_int64(st, 0);
        sqlite_copy_text(u.cycle, sizeof u.cycle, st, 1);
        sqlite_copy_text(u.class_name, sizeof u.class_name, st, 2);
        u.bytes = (uint64_t)sqlite3_column_int64(st, 3);
        fn(ctx, &u);
    }
    return finish_read(s, st, step);
}

/* ---- meta ---- */

int billing_sqlite_meta_get(struct store *s, const char *key, int64_t *value)
{
    sqlite3_stmt *st = sqlite_prepare(s, meta_get);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, key);
    return read_int(s, st, value);
}

int billing_sqlite_meta_set(struct store *s, const char *key, int64_t value)
{
    sqlite3_stmt *st = sqlite_prepare(s, meta_set);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, key);
    sqlite3_bind_int64(st, 2, value);
    int rc = store_sqlite_write_result(s, sqlite3_step(st), NULL);
    sqlite3_finalize(st);
    return rc;
}
