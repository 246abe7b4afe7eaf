// SPDX-License-Identifier: MIT
// What billing reads and writes in PostgreSQL, with the same meaning as billing_sqlite.c:
// the stored usage rows in key order (scan_usage), plan histories, top-ups, issued
// documents with their lines and settled usage, and meta's named numbers. Statements are
// prepared on first use on a connection and kept, every value a parameter.
// Two things differ from SQLite. A scan reads a month of every subscriber's buckets, more
// than a PGresult should hold: it goes through a cursor, a chunk at a time, inside the
// caller's transaction or a read-only one of its own, the next chunk on its way while the
// caller has this one. And several connections may issue documents at once: each kind's
// numbers come from a counter row in meta that an issuer locks first and holds to its
// commit, so issuers of one kind queue on it, each then seeing what the one before
// committed (READ COMMITTED: every statement a new snapshot).
#include "store.h"

#include "../base/err.h"
#include "pgsql_private.h"
#include "rows.h"
#include "usage_sql.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

/* Rows a scan fetches at a time: about 1 MB of results (two chunks held at once: the one
 * handed over and the next), and a round trip per 10,000 rows. */
#define SCAN_CHUNK "10000"
#define SCAN_ROWS 10000
#define SCAN_CURSOR "flowtally_scan"

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

static const struct pgsql_stmt scan_fetch = {"scan_fetch", "",
                                             "FETCH " SCAN_CHUNK " FROM " SCAN_CURSOR};
/* One subscriber's rows and every subscriber's have statements of their own, so that each
 * plan uses its index (see usage_sql.c). */
static const struct pgsql_stmt history_one = {
    "history_one", "i", HISTORY_SELECT " WHERE h.subscriber_id = $1 ORDER BY h.start_ms"};
static const struct pgsql_stmt history_all = {
    "history_all", "", HISTORY_SELECT " ORDER BY h.subscriber_id, h.start_ms"};
/* A subscriber that does not exist inserts nothing (ERR_NOT_FOUND), rather than fail on the
 * foreign key (which would end the caller's transaction). */
static const struct pgsql_stmt topup_insert = {
    "topup_insert", "iiii",
    "INSERT INTO topups (subscriber_id, at_ms, bytes, price_micro)"
    " SELECT id, $2, $3, $4 FROM subscribers WHERE id = $1"};
static const struct pgsql_stmt topup_one = {
    "topup_one", "iii",
    TOPUP_SELECT " WHERE subscriber_id = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, id"};
static const struct pgsql_stmt topup_all = {
    "topup_all", "iii",
    TOPUP_SELECT " WHERE at_ms >= $2 AND at_ms < $3 ORDER BY subscriber_id, at_ms, id"};
/* The kind's counter, locked until the transaction ends (made the first time: an insert
 * another issuer meets waits for this one's end just the same). */
static const struct pgsql_stmt number_lock = {
    "number_lock", "t",
    "INSERT INTO meta (key, value) VALUES ($1, 0)"
    " ON CONFLICT (key) DO UPDATE SET value = meta.value"};
/* The next number: the counter's, or past the largest issued should meta have lost count. */
static const struct pgsql_stmt number_next = {
    "number_next", "tt",
    "UPDATE meta SET value = greatest(value, (SELECT coalesce(max(number), 0) FROM invoices"
    " WHERE kind = $2)) + 1 WHERE key = $1 RETURNING value"};
static const struct pgsql_stmt invoice_refers = {"invoice_refers", "i",
                                                 "SELECT 1 FROM invoices WHERE id = $1"};
static const struct pgsql_stmt invoice_of_cycle = {
    "invoice_of_cycle", "it",
    "SELECT number FROM invoices WHERE kind = 'invoice' AND subscriber_id = $1 AND cycle = $2"};
static const struct pgsql_stmt invoice_insert = {
    "invoice_insert", "tiiittttiiiiiiiiitti",
    "INSERT INTO invoices (kind, number, refers_to, subscriber_id, account, name, plan, cycle,"
    " cycle_start_ms, cycle_end_ms, used_bytes, quota_bytes, unlimited, subtotal_cents,"
    " tax_cents, total_cents, tax_rate_micro, currency, unit, issued_ms) VALUES ($1, $2, $3,"
    " $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)"
    " RETURNING id"};
static const struct pgsql_stmt line_insert = {
    "line_insert", "iitttitiit",
    "INSERT INTO invoice_lines (invoice_id, seq, kind, class, cycle, bytes, quantity,"
    " unit_price_micro, amount_cents, text) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
static const struct pgsql_stmt settled_insert = {
    "settled_insert", "itti",
    "INSERT INTO invoice_usage (invoice_id, cycle, class, bytes) VALUES ($1, $2, $3, $4)"};
/* Which index serves a list: the subscriber's (subscriber_id, id), the cycle's (cycle, id),
 * or the primary key; each in id order. */
static const struct pgsql_stmt invoice_list_subscriber = {
    "invoice_list_subscriber", "tit",
    "SELECT " INVOICE_COLS " FROM invoices WHERE subscriber_id = $2"
    " AND ($1::text IS NULL OR cycle = $1) AND ($3::text IS NULL OR kind = $3) ORDER BY id"};
static const struct pgsql_stmt invoice_list_cycle = {
    "invoice_list_cycle", "tit",
    "SELECT " INVOICE_COLS " FROM invoices WHERE cycle = $1"
    " AND ($3::text IS NULL OR kind = $3) ORDER BY id"};
static const struct pgsql_stmt invoice_list_all = {
    "invoice_list_all", "tit",
    "SELECT " INVOICE_COLS " FROM invoices WHERE $3::text IS NULL OR kind = $3 ORDER BY id"};
static const struct pgsql_stmt invoice_get = {
    "invoice_get", "ti", "SELECT " INVOICE_COLS " FROM invoices WHERE kind = $1 AND number = $2"};
/* The mail event of a document is "invoice:" and its number as people read it ("42",
 * "C-3", "D-1": export_number()); the mail table's unique index on event finds it. The
 * mail table has a kind of its own: the document's columns are named with their table. */
static const struct pgsql_stmt invoice_unmailed = {
    "invoice_unmailed", "i",
    "SELECT " INVOICE_COLS " FROM invoices i WHERE i.issued_ms >= $1 AND NOT EXISTS"
    " (SELECT 1 FROM mail m WHERE m.event = 'invoice:' || CASE i.kind WHEN 'credit' THEN 'C-'"
    " WHEN 'debit' THEN 'D-' ELSE '' END || CAST(i.number AS text)) ORDER BY i.id"};
static const struct pgsql_stmt lines_of = {
    "lines_of", "i",
    "SELECT " LINE_COLS " FROM invoice_lines l WHERE l.invoice_id = $1 ORDER BY l.seq"};
static const struct pgsql_stmt lines_of_cycle = {
    "lines_of_cycle", "it",
    "SELECT " LINE_COLS " FROM invoices i JOIN invoice_lines l ON l.invoice_id = i.id"
    " WHERE i.subscriber_id = $1 AND l.cycle = $2 ORDER BY i.id, l.seq"};
static const struct pgsql_stmt settled_one = {
    "settled_one", "i",
    USAGE_SETTLED_SELECT " WHERE i.subscriber_id = $1 ORDER BY u.cycle, u.class, u.invoice_id"};
static const struct pgsql_stmt settled_all = {
    "settled_all", "",
    USAGE_SETTLED_SELECT " ORDER BY i.subscriber_id, u.cycle, u.class, u.invoice_id"};
static const struct pgsql_stmt meta_get = {"meta_get", "t",
                                           "SELECT value FROM meta WHERE key = $1"};
static const struct pgsql_stmt meta_set = {
    "meta_set", "ti",
    "INSERT INTO meta (key, value) VALUES ($1, $2)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"};

static void copy_text(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, row, col));
}

/* ---- usage, as stored ---- */

/* The scan's columns that are bigint (the others are text), as usage_sql_scan() orders
 * them, of every row and of a rating's; and that type's OID (fixed in every PostgreSQL
 * release: pg_type.dat). */
#define SCAN_INT_COLS 0x1d1u  /* 0, 4, 6, 7, 8 of 9 */
#define SCAN_RATING_INT 0x15u /* 0, 2, 4 of 5 */
#define SCAN_OID_INT8 20

/* Whether r holds the scan's columns in binary format, each bigint one an int8 (8 bytes). */
static bool scan_is_binary(const PGresult *r, bool is_rating)
{
    unsigned ints = is_rating ? SCAN_RATING_INT : SCAN_INT_COLS;
    if (PQnfields(r) != (is_rating ? 5 : 9))
        return false;
    for (int c = 0; c < PQnfields(r); c++)
        if (PQfformat(r, c) != 1 || ((ints >> c & 1) && PQftype(r, c) != SCAN_OID_INT8))
            return false;
    return true;
}

/* A bigint of a binary result: 8 bytes, big-endian (0 when NULL, as pgsql_get_int()). */
static int64_t scan_int(const PGresult *r, int row, int col)
{
    if (PQgetlength(r, row, col) != 8)
        return 0;
    const unsigned char *b = (const unsigned char *)PQgetvalue(r, row, col);
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return (int64_t)v;
}

/* Hands r's rows to fn. */
static void scan_rows(const PGresult *r, bool is_rating, store_usage_fn *fn, void *ctx)
{
    for (int i = 0; is_rating && i < PQntuples(r); i++) {
        struct usage_result row = {
            .subscriber_id = scan_int(r, i, 0),
            .class_name = pgsql_get_text(r, i, 1),
            .period = scan_int(r, i, 2),
            .dir = usage_sql_dir(PQgetvalue(r, i, 3)),
            .counts.bytes = (uint64_t)scan_int(r, i, 4),
        };
        fn(ctx, &row);
    }
    for (int i = 0; !is_rating && i < PQntuples(r); i++) {
        struct usage_result row = {
            .subscriber_id = scan_int(r, i, 0),
            .host = pgsql_get_text(r, i, 1),
            .class_name = pgsql_get_text(r, i, 2),
            .app = pgsql_get_text(r, i, 3),
            .period = scan_int(r, i, 4),
            .dir = usage_sql_dir(PQgetvalue(r, i, 5)),
            .counts = {(uint64_t)scan_int(r, i, 6), (uint64_t)scan_int(r, i, 7),
                       (uint64_t)scan_int(r, i, 8)},
        };
        fn(ctx, &row);
    }
}

/* Declares the cursor over the rows q selects, and hands them to fn a chunk at a time. The
 * next chunk's FETCH is sent before fn gets this one's rows, so the server reads and sends
 * them meanwhile: server and client work at once, where each waited for the other (a
 * month's close was a quarter faster for this alone: README, part 6). Values come in
 * binary: no number printed by the server to be parsed here again. */
static int scan(struct store *s, const struct usage_query *q, store_usage_fn *fn, void *ctx)
{
    static const char declare[] = "DECLARE " SCAN_CURSOR " NO SCROLL CURSOR FOR ";
    char sql[sizeof declare + USAGE_SQL_LEN];
    bool one_subscriber = q->subscriber_id >= 0;
    memcpy(sql, declare, sizeof declare);
    usage_sql_scan(one_subscriber, q->is_rating, '$', sql + strlen(declare), USAGE_SQL_LEN);
    static const char *const names[2][2] = {{"scan_all", "scan_all_rating"},
                                            {"scan_one", "scan_one_rating"}};
    /* $3 typed though the SQL of every subscriber leaves it out: the parameters stay alike */
    const struct pgsql_stmt st = {names[one_subscriber][q->is_rating], "iii", sql};
    int64_t from_s, to_s;
    usage_sql_bounds(q, &from_s, &to_s);
    char from[PGSQL_INT_LEN], to[PGSQL_INT_LEN], sub[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(from, from_s), pgsql_int(to, to_s),
                            pgsql_int(sub, q->subscriber_id)};
    int rc = store_pgsql_write(s, &st, params, NULL, NULL);
    if (rc == 0)
        rc = store_pgsql_send(s, &scan_fetch, NULL, true);
    for (int n = SCAN_ROWS; rc == 0 && n == SCAN_ROWS;) {
        PGresult *r = store_pgsql_receive(s, &rc);
        if (!r)
            break;
        /* asked for in binary, of the schema's types (a value of another length reads 0) */
        assert(scan_is_binary(r, q->is_rating));
        /* fewer rows than asked for: the last chunk */
        if ((n = PQntuples(r)) == SCAN_ROWS)
            rc = store_pgsql_send(s, &scan_fetch, NULL, true);
        if (rc == 0)
            scan_rows(r, q->is_rating, fn, ctx);
        PQclear(r);
    }
    /* the name is free again for the next scan of this transaction */
    return rc == 0 ? store_pgsql_exec(s, "CLOSE " SCAN_CURSOR) : rc;
}

/* A cursor lives in a transaction: the caller's, or one of its own, read-only, which ends
 * with the scan. libpq 15 has no chunked rows mode, and without a cursor a query's result
 * comes whole into memory (or, in single-row mode, a PGresult per row, with the connection
 * busy until the last). */
int billing_pgsql_scan_usage(struct store *s, const struct usage_query *q, store_usage_fn *fn,
                             void *ctx)
{
    if (store_pgsql_in_transaction(s))
        return scan(s, q, fn, ctx);
    int rc = store_pgsql_exec(s, "BEGIN READ ONLY");
    if (rc != 0)
        return rc;
    rc = scan(s, q, fn, ctx);
    if (rc == 0)
        rc = s->ops->commit(s);
    if (rc != 0)
        s->ops->rollback(s);
    return rc;
}

/* ---- plan histories and top-ups ---- */

int billing_pgsql_plan_history(struct store *s, int64_t subscriber_id, store_plan_step_fn *fn,
                               void *ctx)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, subscriber_id)};
    int rc;
    PGresult *r = store_pgsql_run(s, subscriber_id >= 0 ? &history_one : &history_all,
                                  subscriber_id >= 0 ? params : NULL, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        struct plan_step p = {.subscriber_id = pgsql_get_int(r, i, 0),
                              .start_ms = (uint64_t)pgsql_get_int(r, i, 2)};
        copy_text(p.plan, sizeof p.plan, r, i, 1);
        fn(ctx, &p);
    }
    PQclear(r);
    return 0;
}

int billing_pgsql_topup_add(struct store *s, const struct topup_row *t, char *errbuf)
{
    char id[PGSQL_INT_LEN], at[PGSQL_INT_LEN], bytes[PGSQL_INT_LEN], price[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, t->subscriber_id), pgsql_int(at, rows_time(t->at_ms)),
                            pgsql_int(bytes, (int64_t)t->bytes), pgsql_int(price, t->price_micro)};
    int n;
    int rc = store_pgsql_write(s, &topup_insert, params, &n, errbuf);
    if (rc == 0 && n == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber with id %lld", (long long)t->subscriber_id);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

int billing_pgsql_topup_list(struct store *s, int64_t subscriber_id, uint64_t from_ms,
                             uint64_t to_ms, store_topup_fn *fn, void *ctx)
{
    char id[PGSQL_INT_LEN], from[PGSQL_INT_LEN], to[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, subscriber_id), pgsql_int(from, rows_time(from_ms)),
                            pgsql_int(to, rows_time(to_ms))};
    int rc;
    PGresult *r = store_pgsql_run(s, subscriber_id >= 0 ? &topup_one : &topup_all, params, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        struct topup_row t = {.id = pgsql_get_int(r, i, 0),
                              .subscriber_id = pgsql_get_int(r, i, 1),
                              .at_ms = (uint64_t)pgsql_get_int(r, i, 2),
                              .bytes = (uint64_t)pgsql_get_int(r, i, 3),
                              .price_micro = pgsql_get_int(r, i, 4)};
        fn(ctx, &t);
    }
    PQclear(r);
    return 0;
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

/* Runs a read of at most one row and gives its first column. OUT: *value. Returns 0,
 * ERR_NOT_FOUND (no row) or a code of store_pgsql_run(). */
static int read_int(struct store *s, const struct pgsql_stmt *st, const char *const *params,
                    int64_t *value)
{
    int rc;
    PGresult *r = store_pgsql_run(s, st, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        *value = pgsql_get_int(r, 0, 0);
    PQclear(r);
    return rc;
}

/* Takes the kind's counter; then, before anything is written, the document a note refers
 * to exists, and the subscriber has no invoice of the cycle yet (read after the counter's
 * lock: an issuer that got it before this one has committed its invoice by now, so this
 * one sees it here rather than fail on the unique index, which would end the caller's
 * transaction). OUT: *number, the next of the kind. */
static int issue_check(struct store *s, const struct invoice_row *inv, int64_t *number,
                       char *errbuf)
{
    char key[32], id[PGSQL_INT_LEN];
    snprintf(key, sizeof key, "last_number_%s", inv->kind);
    const char *lock[] = {key};
    int rc = store_pgsql_write(s, &number_lock, lock, NULL, errbuf);
    int64_t v;
    if (rc == 0 && inv->refers_to != 0) {
        const char *refers[] = {pgsql_int(id, inv->refers_to)};
        if ((rc = read_int(s, &invoice_refers, refers, &v)) == ERR_NOT_FOUND)
            snprintf(errbuf, ERR_BUF_LEN, "no document with id %lld to refer to",
                     (long long)inv->refers_to);
    }
    if (rc == 0 && strcmp(inv->kind, "invoice") == 0) {
        const char *of_cycle[] = {pgsql_int(id, inv->subscriber_id), inv->cycle};
        rc = read_int(s, &invoice_of_cycle, of_cycle, &v);
        if (rc == 0)
            return rows_invoice_exists(inv, v, errbuf);
        if (rc == ERR_NOT_FOUND)
            rc = 0;
    }
    const char *next[] = {key, inv->kind};
    return rc ? rc : read_int(s, &number_next, next, number);
}

/* Inserts the document's row. OUT: *id. */
static int issue_row(struct store *s, const struct invoice_row *inv, int64_t number, int64_t *id,
                     char *errbuf)
{
    const int64_t num[] = {number,
                           inv->refers_to,
                           inv->subscriber_id,
                           rows_time(inv->cycle_start_ms),
                           rows_time(inv->cycle_end_ms),
                           (int64_t)inv->used_bytes,
                           (int64_t)inv->quota_bytes,
                           inv->unlimited,
                           inv->subtotal_cents,
                           inv->tax_cents,
                           inv->total_cents,
                           inv->tax_rate_micro,
                           rows_time(inv->issued_ms)};
    char text[13][PGSQL_INT_LEN];
    for (int i = 0; i < 13; i++)
        pgsql_int(text[i], num[i]);
    const char *params[] = {inv->kind, text[0],      inv->refers_to ? text[1] : NULL,
                            text[2],   inv->account, inv->name,
                            inv->plan, inv->cycle,   text[3],
                            text[4],   text[5],      text[6],
                            text[7],   text[8],      text[9],
                            text[10],  text[11],     inv->currency,
                            inv->unit, text[12]};
    int rc;
    PGresult *r = store_pgsql_run(s, &invoice_insert, params, &rc);
    if (!r) {
        snprintf(errbuf, ERR_BUF_LEN, "%s", store_pgsql_error(s));
        return rc;
    }
    *id = pgsql_get_int(r, 0, 0);
    PQclear(r);
    return 0;
}

/* Inserts the document's lines and settled usage, under id. */
static int issue_parts(struct store *s, int64_t id, const struct issue *w)
{
    char inv[PGSQL_INT_LEN], seq[PGSQL_INT_LEN], bytes[PGSQL_INT_LEN], price[PGSQL_INT_LEN],
        amount[PGSQL_INT_LEN];
    pgsql_int(inv, id);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < w->n_lines; i++) {
        const struct invoice_line *l = &w->lines[i];
        const char *params[] = {inv,
                                pgsql_int(seq, l->seq),
                                l->kind,
                                l->class_name,
                                l->cycle,
                                pgsql_int(bytes, (int64_t)l->bytes),
                                l->quantity,
                                pgsql_int(price, l->unit_price_micro),
                                pgsql_int(amount, l->amount_cents),
                                l->text};
        rc = store_pgsql_write(s, &line_insert, params, NULL, w->errbuf);
    }
    for (size_t i = 0; rc == 0 && i < w->n_usage; i++) {
        const struct invoice_usage *u = &w->usage[i];
        const char *params[] = {inv, u->cycle, u->class_name, pgsql_int(bytes, (int64_t)u->bytes)};
        rc = store_pgsql_write(s, &settled_insert, params, NULL, w->errbuf);
    }
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

int billing_pgsql_invoice_issue(struct store *s, struct invoice_row *inv,
                                const struct invoice_line *lines, size_t n_lines,
                                const struct invoice_usage *usage, size_t n_usage, char *errbuf)
{
    errbuf[0] = '\0';
    int rc = rows_invoice_check(inv, lines, n_lines, usage, n_usage, errbuf);
    if (rc != 0)
        return rc;
    struct issue w = {inv, lines, n_lines, usage, n_usage, errbuf};
    /* a document is its row, lines and usage, all or nothing */
    if (store_pgsql_in_transaction(s))
        rc = issue(s, &w);
    else
        rc = store_transaction(s, issue, &w);
    if (rc != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s", store_pgsql_error(s));
    return rc;
}

/* ---- reading documents ---- */

static void read_invoice(const PGresult *r, int i, struct invoice_row *inv)
{
    memset(inv, 0, sizeof *inv);
    inv->id = pgsql_get_int(r, i, 0);
    copy_text(inv->kind, sizeof inv->kind, r, i, 1);
    inv->number = pgsql_get_int(r, i, 2);
    inv->refers_to = pgsql_get_int(r, i, 3);
    inv->subscriber_id = pgsql_get_int(r, i, 4);
    copy_text(inv->account, sizeof inv->account, r, i, 5);
    copy_text(inv->name, sizeof inv->name, r, i, 6);
    copy_text(inv->plan, sizeof inv->plan, r, i, 7);
    copy_text(inv->cycle, sizeof inv->cycle, r, i, 8);
    inv->cycle_start_ms = (uint64_t)pgsql_get_int(r, i, 9);
    inv->cycle_end_ms = (uint64_t)pgsql_get_int(r, i, 10);
    inv->used_bytes = (uint64_t)pgsql_get_int(r, i, 11);
    inv->quota_bytes = (uint64_t)pgsql_get_int(r, i, 12);
    inv->unlimited = pgsql_get_int(r, i, 13) != 0;
    inv->subtotal_cents = pgsql_get_int(r, i, 14);
    inv->tax_cents = pgsql_get_int(r, i, 15);
    inv->total_cents = pgsql_get_int(r, i, 16);
    inv->tax_rate_micro = pgsql_get_int(r, i, 17);
    copy_text(inv->currency, sizeof inv->currency, r, i, 18);
    copy_text(inv->unit, sizeof inv->unit, r, i, 19);
    inv->issued_ms = (uint64_t)pgsql_get_int(r, i, 20);
}

int billing_pgsql_invoice_list(struct store *s, const struct invoice_query *q, store_invoice_fn *fn,
                               void *ctx)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {q->cycle, pgsql_int(id, q->subscriber_id), q->kind};
    const struct pgsql_stmt *st = q->subscriber_id >= 0 ? &invoice_list_subscriber
                                  : q->cycle            ? &invoice_list_cycle
                                                        : &invoice_list_all;
    int rc;
    PGresult *r = store_pgsql_run(s, st, params, &rc);
    if (!r)
        return rc;
    struct invoice_row inv;
    for (int i = 0; i < PQntuples(r); i++) {
        read_invoice(r, i, &inv);
        fn(ctx, &inv);
    }
    PQclear(r);
    return 0;
}

int billing_pgsql_invoice_unmailed(struct store *s, uint64_t since_ms, store_invoice_fn *fn,
                                   void *ctx)
{
    char since[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(since, (int64_t)since_ms)};
    int rc;
    PGresult *r = store_pgsql_run(s, &invoice_unmailed, params, &rc);
    if (!r)
        return rc;
    struct invoice_row inv;
    for (int k = 0; k < PQntuples(r); k++) {
        read_invoice(r, k, &inv);
        fn(ctx, &inv);
    }
    PQclear(r);
    return 0;
}

int billing_pgsql_invoice_get(struct store *s, const char *kind, int64_t number,
                              struct invoice_row *out)
{
    char n[PGSQL_INT_LEN];
    const char *params[] = {kind, pgsql_int(n, number)};
    int rc;
    PGresult *r = store_pgsql_run(s, &invoice_get, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        read_invoice(r, 0, out);
    PQclear(r);
    return rc;
}

/* Runs st (LINE_COLS) and hands every row to fn. */
static int read_lines(struct store *s, const struct pgsql_stmt *st, const char *const *params,
                      store_invoice_line_fn *fn, void *ctx)
{
    int rc;
    PGresult *r = store_pgsql_run(s, st, params, &rc);
    if (!r)
        return rc;
    struct invoice_line l;
    for (int i = 0; i < PQntuples(r); i++) {
        memset(&l, 0, sizeof l);
        l.invoice_id = pgsql_get_int(r, i, 0);
        l.seq = (int)pgsql_get_int(r, i, 1);
        copy_text(l.kind, sizeof l.kind, r, i, 2);
        copy_text(l.class_name, sizeof l.class_name, r, i, 3);
        copy_text(l.cycle, sizeof l.cycle, r, i, 4);
        l.bytes = (uint64_t)pgsql_get_int(r, i, 5);
        copy_text(l.quantity, sizeof l.quantity, r, i, 6);
        l.unit_price_micro = pgsql_get_int(r, i, 7);
        l.amount_cents = pgsql_get_int(r, i, 8);
        copy_text(l.text, sizeof l.text, r, i, 9);
        fn(ctx, &l);
    }
    PQclear(r);
    return 0;
}

int billing_pgsql_invoice_lines(struct store *s, int64_t invoice_id, store_invoice_line_fn *fn,
                                void *ctx)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, invoice_id)};
    return read_lines(s, &lines_of, params, fn, ctx);
}

int billing_pgsql_invoice_lines_of_cycle(struct store *s, int64_t subscriber_id, const char *cycle,
                                         store_invoice_line_fn *fn, void *ctx)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, subscriber_id), cycle};
    return read_lines(s, &lines_of_cycle, params, fn, ctx);
}

int billing_pgsql_invoice_usage_list(struct store *s, int64_t subscriber_id,
                                     store_invoice_usage_fn *fn, void *ctx)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, subscriber_id)};
    int rc;
    PGresult *r = store_pgsql_run(s, subscriber_id >= 0 ? &settled_one : &settled_all,
                                  subscriber_id >= 0 ? params : NULL, &rc);
    if (!r)
        return rc;
    struct invoice_usage u;
    for (int i = 0; i < PQntuples(r); i++) {
        memset(&u, 0, sizeof u);
        u.invoice_id = pgsql_get_int(r, i, 0);
        copy_text(u.cycle, sizeof u.cycle, r, i, 1);
        copy_text(u.class_name, sizeof u.class_name, r, i, 2);
        u.bytes = (uint64_t)pgsql_get_int(r, i, 3);
        fn(ctx, &u);
    }
    PQclear(r);
    return 0;
}

/* ---- meta ---- */

int billing_pgsql_meta_get(struct store *s, const char *key, int64_t *value)
{
    const char *params[] = {key};
    return read_int(s, &meta_get, params, value);
}

int billing_pgsql_meta_set(struct store *s, const char *key, int64_t value)
{
    char v[PGSQL_INT_LEN];
    const char *params[] = {key, pgsql_int(v, value)};
    return store_pgsql_write(s, &meta_set, params, NULL, NULL);
}
