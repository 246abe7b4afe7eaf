// SPDX-License-Identifier: MIT
// Alerts, the outgoing mail queue and the enforcement hook's rows in SQLite, with the same
// statements and meaning as alert_pgsql.c. Each call prepares its statements and finalizes
// them; every value is a bound parameter. SQLite has one writer at a time (BEGIN
// IMMEDIATE), and that is what keeps these right with several connections on one file: a
// level fired in a write transaction meets any other connection's committed alert on the
// unique key (DO NOTHING: no error, the caller's transaction goes on), and a claim reads
// the due messages and marks them in one write transaction, so no other claim can take
// them in between.
#include "store.h"

#include "../base/err.h"
#include "../base/xalloc.h"
#include "rows.h"
#include "sqlite_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALERT_SELECT                                                                               \
    "SELECT a.id, a.subscriber_id, coalesce(s.account, ''), a.cycle, a.cycle_start_ms, a.level,"   \
    " a.used_bytes, a.quota_bytes, a.fired_ms, coalesce(a.mail_id, 0) FROM alerts a"               \
    " LEFT JOIN subscribers s ON s.id = a.subscriber_id"
#define MAIL_COLS                                                                                  \
    "id, event, kind, message_id, to_addr, subject, state, tries, created_ms, next_try_ms,"        \
    " sent_ms, lease_ms, last_error"
#define ENFORCE_SELECT                                                                             \
    "SELECT e.subscriber_id, s.account, e.state, e.addresses, e.done, e.tries, e.changed_ms,"      \
    " e.next_try_ms, e.last_error FROM enforcement e JOIN subscribers s ON s.id = e.subscriber_id"

/* A subscriber that does not exist inserts nothing, as a level that fired already: which
 * of the two it was, subscriber_exists tells. */
static const char alert_insert[] =
    "INSERT INTO alerts (subscriber_id, cycle, cycle_start_ms, level, used_bytes, quota_bytes,"
    " fired_ms) SELECT id, ?2, ?3, ?4, ?5, ?6, ?7 FROM subscribers WHERE id = ?1"
    " ON CONFLICT (subscriber_id, cycle_start_ms, level) DO NOTHING";
static const char subscriber_exists[] = "SELECT 1 FROM subscribers WHERE id = ?1";
static const char alert_mail[] = "UPDATE alerts SET mail_id = ?2 WHERE id = ?1";
static const char alert_drop[] = "DELETE FROM alerts WHERE id = ?1";
static const char alert_rearm[] = "DELETE FROM alerts WHERE subscriber_id = ?1"
                                  " AND cycle_start_ms = ?2 AND level = ?3";
/* One subscriber's (its unique key), one cycle's (alerts_cycle) or all. */
static const char alert_list_subscriber[] =
    ALERT_SELECT " WHERE a.subscriber_id = ?1 AND (?2 IS NULL OR a.cycle = ?2)"
                 " ORDER BY a.fired_ms, a.id";
static const char alert_list_cycle[] = ALERT_SELECT " WHERE a.cycle = ?2 ORDER BY a.fired_ms, a.id";
static const char alert_list_all[] = ALERT_SELECT " ORDER BY a.fired_ms, a.id";
static const char mail_insert[] =
    "INSERT INTO mail (event, kind, message_id, to_addr, subject, body, state, tries,"
    " created_ms, next_try_ms, sent_ms, lease_ms, last_error)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'queued', 0, ?7, ?8, 0, 0, '')"
    " ON CONFLICT (event) DO NOTHING";
/* The state term lets the planner read mail_state for both states, not every message. */
static const char mail_due[] =
    "SELECT " MAIL_COLS ", body FROM mail WHERE state IN ('queued', 'sending')"
    " AND ((state = 'queued' AND next_try_ms <= ?1) OR (state = 'sending' AND lease_ms <= ?1))"
    " ORDER BY next_try_ms, id LIMIT ?2";
static const char mail_take[] = "UPDATE mail SET state = 'sending', lease_ms = ?2,"
                                " tries = tries + 1 WHERE id = ?1";
/* A password reset's link opens the account until it expires: once sent, its text goes. */
static const char mail_update[] = "UPDATE mail SET state = ?2, next_try_ms = ?3, sent_ms = ?4,"
                                  " last_error = ?5, lease_ms = 0, body = CASE WHEN ?2 = 'sent'"
                                  " AND kind = 'reset' THEN '' ELSE body END WHERE id = ?1";
static const char mail_list_state[] = "SELECT " MAIL_COLS " FROM mail WHERE state = ?1 ORDER BY id";
static const char mail_list_all[] = "SELECT " MAIL_COLS " FROM mail ORDER BY id";
static const char mail_retry[] =
    "UPDATE mail SET state = 'queued', next_try_ms = min(next_try_ms, ?1)"
    " WHERE state = 'failed' OR (state = 'queued' AND next_try_ms > ?1)";
static const char enforce_get[] = ENFORCE_SELECT " WHERE e.subscriber_id = ?1";
/* A subscriber that does not exist inserts nothing (ERR_NOT_FOUND). */
static const char enforce_put[] =
    "INSERT INTO enforcement (subscriber_id, state, addresses, done, tries, changed_ms,"
    " next_try_ms, last_error) SELECT id, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM subscribers"
    " WHERE id = ?1 ON CONFLICT (subscriber_id) DO UPDATE SET state = excluded.state,"
    " addresses = excluded.addresses, done = excluded.done, tries = excluded.tries,"
    " changed_ms = excluded.changed_ms, next_try_ms = excluded.next_try_ms,"
    " last_error = excluded.last_error";
static const char enforce_due[] =
    ENFORCE_SELECT " WHERE e.done = 0 AND e.next_try_ms <= ?1 ORDER BY e.subscriber_id";
static const char enforce_all[] = ENFORCE_SELECT " ORDER BY e.subscriber_id";

/* Ends a read loop and finalizes: 0 when every row was read, else ERR_STORE. */
static int finish_read(struct store *s, sqlite3_stmt *st, int step)
{
    if (step != SQLITE_DONE)
        store_sqlite_note_error(s);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : ERR_STORE;
}

/* Steps a write (bound by the caller) and finalizes it. OUT: *n (may be NULL), the rows it
 * changed. Returns store_sqlite_write_result()'s code. */
static int run_write(struct store *s, sqlite3_stmt *st, int *n, char *errbuf)
{
    int rc = store_sqlite_write_result(s, sqlite3_step(st), errbuf);
    if (n)
        *n = rc == 0 ? sqlite3_changes(store_sqlite_db(s)) : 0;
    sqlite3_finalize(st);
    return rc;
}

/* Runs sql with an id as ?1 and a number as ?2 (unless the SQL has no ?2). */
static int write_ids(struct store *s, const char *sql, int64_t id, int64_t other)
{
    sqlite3_stmt *st = sqlite_prepare(s, sql);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_bind_parameter_count(st) > 1)
        sqlite3_bind_int64(st, 2, other);
    return run_write(s, st, NULL, NULL);
}

/* ---- the mail queue ---- */

/* Inserts a queued message. OUT: *id. Returns 0, ERR_EXISTS (its event is taken: nothing
 * written) or the write's code, with errbuf. */
static int enqueue(struct store *s, const struct mail_row *m, int64_t *id, char *errbuf)
{
    sqlite3_stmt *st = sqlite_prepare(s, mail_insert);
    if (!st)
        return ERR_STORE;
    const char *text[] = {m->event, m->kind, m->message_id, m->to_addr, m->subject, m->body};
    for (int i = 0; i < 6; i++)
        sqlite_bind_text(st, 1 + i, text[i]);
    sqlite3_bind_int64(st, 7, rows_time(m->created_ms));
    sqlite3_bind_int64(st, 8, rows_time(m->next_try_ms));
    int n;
    int rc = run_write(s, st, &n, errbuf);
    *id = sqlite3_last_insert_rowid(store_sqlite_db(s));
    if (rc == 0 && n == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "a message for event '%s' is in the queue already", m->event);
        rc = ERR_EXISTS;
    }
    return rc;
}

int alert_sqlite_mail_enqueue(struct store *s, struct mail_row *m, char *errbuf)
{
    errbuf[0] = '\0';
    int rc = rows_mail_check(m, errbuf);
    int64_t id;
    if (rc == 0)
        rc = enqueue(s, m, &id, errbuf);
    if (rc == 0)
        m->id = id;
    return rc;
}

/* A row of MAIL_COLS (body not read). */
static void read_mail(sqlite3_stmt *st, struct mail_row *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    sqlite_copy_text(m->event, sizeof m->event, st, 1);
    sqlite_copy_text(m->kind, sizeof m->kind, st, 2);
    sqlite_copy_text(m->message_id, sizeof m->message_id, st, 3);
    sqlite_copy_text(m->to_addr, sizeof m->to_addr, st, 4);
    sqlite_copy_text(m->subject, sizeof m->subject, st, 5);
    sqlite_copy_text(m->state, sizeof m->state, st, 6);
    m->tries = sqlite3_column_int(st, 7);
    m->created_ms = (uint64_t)sqlite3_column_int64(st, 8);
    m->next_try_ms = (uint64_t)sqlite3_column_int64(st, 9);
    m->sent_ms = (uint64_t)sqlite3_column_int64(st, 10);
    m->lease_ms = (uint64_t)sqlite3_column_int64(st, 11);
    sqlite_copy_text(m->last_error, sizeof m->last_error, st, 12);
}

/* Messages a claim took, held until its transaction has ended. */
struct claimed {
    struct mail_row *rows; /* owned, with each body */
    size_t n, cap;
};

static void claimed_free(struct claimed *c)
{
    for (size_t i = 0; i < c->n; i++)
        free((char *)c->rows[i].body);
    free(c->rows);
}

/* Reads up to max due messages into *c, then marks each claimed (as they are in *c too).
 * In the caller's write transaction. */
static int claim(struct store *s, uint64_t now_ms, uint64_t lease_until_ms, int max,
                 struct claimed *c)
{
    sqlite3_stmt *st = sqlite_prepare(s, mail_due);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, rows_time(now_ms));
    sqlite3_bind_int(st, 2, max);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (c->n == c->cap) {
            c->cap = c->cap ? 2 * c->cap : 16;
            c->rows = xrealloc(c->rows, c->cap * sizeof *c->rows);
        }
        struct mail_row *m = &c->rows[c->n++];
        read_mail(st, m);
        const unsigned char *body = sqlite3_column_text(st, 13); /* NOT NULL */
        size_t len = (size_t)sqlite3_column_bytes(st, 13);
        char *copy = xmalloc(len + 1);
        if (len)
            memcpy(copy, body, len);
        copy[len] = '\0';
        m->body = copy;
    }
    int rc = finish_read(s, st, step);
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        struct mail_row *m = &c->rows[i];
        rc = write_ids(s, mail_take, m->id, rows_time(lease_until_ms));
        snprintf(m->state, sizeof m->state, "sending");
        m->lease_ms = lease_until_ms;
        m->tries++;
    }
    return rc;
}

int alert_sqlite_mail_claim(struct store *s, uint64_t now_ms, uint64_t lease_until_ms, int max,
                            store_mail_fn *fn, void *ctx)
{
    if (max <= 0)
        return 0;
    /* outside a transaction: one of its own, ended before a message is handed over */
    bool is_own = sqlite3_get_autocommit(store_sqlite_db(s));
    int rc = is_own ? s->ops->begin(s) : 0;
    if (rc != 0)
        return rc;
    struct claimed c = {0};
    rc = claim(s, now_ms, lease_until_ms, max, &c);
    if (is_own && rc == 0)
        rc = s->ops->commit(s);
    if (is_own && rc != 0)
        s->ops->rollback(s);
    for (size_t i = 0; rc == 0 && i < c.n; i++)
        fn(ctx, &c.rows[i]);
    claimed_free(&c);
    return rc;
}

int alert_sqlite_mail_update(struct store *s, int64_t id, const char *state, uint64_t next_try_ms,
                             uint64_t sent_ms, const char *last_error)
{
    if (!rows_mail_outcome(state))
        return ERR_MALFORMED;
    char err[sizeof((struct mail_row *)0)->last_error];
    sqlite3_stmt *st = sqlite_prepare(s, mail_update);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    sqlite_bind_text(st, 2, state);
    sqlite3_bind_int64(st, 3, rows_time(next_try_ms));
    sqlite3_bind_int64(st, 4, rows_time(sent_ms));
    sqlite_bind_text(st, 5, rows_diagnostic(last_error, err, sizeof err));
    int n;
    int rc = run_write(s, st, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int alert_sqlite_mail_list(struct store *s, const char *state, store_mail_fn *fn, void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, state ? mail_list_state : mail_list_all);
    if (!st)
        return ERR_STORE;
    if (state)
        sqlite_bind_text(st, 1, state);
    struct mail_row m;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_mail(st, &m);
        fn(ctx, &m);
    }
    return finish_read(s, st, step);
}

int alert_sqlite_mail_retry_all(struct store *s, uint64_t now_ms, int *n)
{
    *n = 0;
    sqlite3_stmt *st = sqlite_prepare(s, mail_retry);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, rows_time(now_ms));
    return run_write(s, st, n, NULL);
}

/* ---- alerts ---- */

/* An alert_fire's arguments, for store_transaction(). */
struct fire {
    struct alert_row *a;
    struct mail_row *m;
    char *errbuf;
};

/* Why an alert was not inserted: no such subscriber, or the level fired already. */
static int fire_refused(struct store *s, const struct alert_row *a, char *errbuf)
{
    sqlite3_stmt *st = sqlite_prepare(s, subscriber_exists);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, a->subscriber_id);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return finish_read(s, st, step);
    sqlite3_finalize(st);
    if (step == SQLITE_DONE) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber with id %lld", (long long)a->subscriber_id);
        return ERR_NOT_FOUND;
    }
    snprintf(errbuf, ERR_BUF_LEN, "level %s fired already in the cycle from %llu", a->level,
             (unsigned long long)a->cycle_start_ms);
    return ERR_EXISTS;
}

static int fire(struct store *s, void *ctx)
{
    struct fire *w = ctx;
    const struct alert_row *a = w->a;
    sqlite3_stmt *st = sqlite_prepare(s, alert_insert);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, a->subscriber_id);
    sqlite_bind_text(st, 2, a->cycle);
    sqlite3_bind_int64(st, 3, rows_time(a->cycle_start_ms));
    sqlite_bind_text(st, 4, a->level);
    sqlite3_bind_int64(st, 5, rows_time(a->used_bytes));
    sqlite3_bind_int64(st, 6, rows_time(a->quota_bytes));
    sqlite3_bind_int64(st, 7, rows_time(a->fired_ms));
    int n;
    int rc = run_write(s, st, &n, w->errbuf);
    if (rc == 0 && n == 0)
        return fire_refused(s, a, w->errbuf);
    int64_t id = sqlite3_last_insert_rowid(store_sqlite_db(s)), mail_id = 0;
    if (rc == 0 && w->m) {
        rc = enqueue(s, w->m, &mail_id, w->errbuf);
        if (rc == 0)
            rc = write_ids(s, alert_mail, id, mail_id);
        else if (rc == ERR_EXISTS && write_ids(s, alert_drop, id, 0) != 0)
            rc = ERR_STORE; /* both or neither */
    }
    if (rc != 0)
        return rc;
    w->a->id = id;
    w->a->mail_id = mail_id;
    if (w->m)
        w->m->id = mail_id;
    return 0;
}

int alert_sqlite_fire(struct store *s, struct alert_row *a, struct mail_row *m, char *errbuf)
{
    errbuf[0] = '\0';
    int rc = rows_alert_check(a, errbuf);
    if (rc == 0 && m)
        rc = rows_mail_check(m, errbuf);
    if (rc != 0)
        return rc;
    struct fire w = {a, m, errbuf};
    if (sqlite3_get_autocommit(store_sqlite_db(s)))
        rc = store_transaction(s, fire, &w);
    else
        rc = fire(s, &w);
    if (rc != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
    return rc;
}

int alert_sqlite_list(struct store *s, int64_t subscriber_id, const char *cycle, store_alert_fn *fn,
                      void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, subscriber_id >= 0 ? alert_list_subscriber
                                         : cycle            ? alert_list_cycle
                                                            : alert_list_all);
    if (!st)
        return ERR_STORE;
    if (subscriber_id >= 0)
        sqlite3_bind_int64(st, 1, subscriber_id);
    if (cycle)
        sqlite_bind_text(st, 2, cycle);
    struct alert_row a;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&a, 0, sizeof a);
        a.id = sqlite3_column_int64(st, 0);
        a.subscriber_id = sqlite3_column_int64(st, 1);
        sqlite_copy_text(a.account, sizeof a.account, st, 2);
        sqlite_copy_text(a.cycle, sizeof a.cycle, st, 3);
        a.cycle_start_ms = (uint64_t)sqlite3_column_int64(st, 4);
        sqlite_copy_text(a.level, sizeof a.level, st, 5);
        a.used_bytes = (uint64_t)sqlite3_column_int64(st, 6);
        a.quota_bytes = (uint64_t)sqlite3_column_int64(st, 7);
        a.fired_ms = (uint64_t)sqlite3_column_int64(st, 8);
        a.mail_id = sqlite3_column_int64(st, 9);
        fn(ctx, &a);
    }
    return finish_read(s, st, step);
}

int alert_sqlite_rearm(struct store *s, int64_t subscriber_id, uint64_t cycle_start_ms,
                       const char *level)
{
    sqlite3_stmt *st = sqlite_prepare(s, alert_rearm);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, subscriber_id);
    sqlite3_bind_int64(st, 2, rows_time(cycle_start_ms));
    sqlite_bind_text(st, 3, level);
    return run_write(s, st, NULL, NULL);
}

/* ---- enforcement ---- */

static void read_enforce(sqlite3_stmt *st, struct enforce_row *e)
{
    memset(e, 0, sizeof *e);
    e->subscriber_id = sqlite3_column_int64(st, 0);
    sqlite_copy_text(e->account, sizeof e->account, st, 1);
    sqlite_copy_text(e->state, sizeof e->state, st, 2);
    sqlite_copy_text(e->addresses, sizeof e->addresses, st, 3);
    e->is_done = sqlite3_column_int(st, 4) != 0;
    e->tries = sqlite3_column_int(st, 5);
    e->changed_ms = (uint64_t)sqlite3_column_int64(st, 6);
    e->next_try_ms = (uint64_t)sqlite3_column_int64(st, 7);
    sqlite_copy_text(e->last_error, sizeof e->last_error, st, 8);
}

int alert_sqlite_enforce_get(struct store *s, int64_t subscriber_id, struct enforce_row *out)
{
    sqlite3_stmt *st = sqlite_prepare(s, enforce_get);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, subscriber_id);
    int step = sqlite3_step(st);
    if (step != SQLITE_ROW)
        return finish_read(s, st, step) ? ERR_STORE : ERR_NOT_FOUND;
    read_enforce(st, out);
    sqlite3_finalize(st);
    return 0;
}

int alert_sqlite_enforce_put(struct store *s, const struct enforce_row *e)
{
    int rc = rows_enforce_check(e, NULL);
    if (rc != 0)
        return rc;
    char err[sizeof e->last_error];
    sqlite3_stmt *st = sqlite_prepare(s, enforce_put);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, e->subscriber_id);
    sqlite_bind_text(st, 2, e->state);
    sqlite_bind_text(st, 3, e->addresses);
    sqlite3_bind_int(st, 4, e->is_done);
    sqlite3_bind_int(st, 5, e->tries);
    sqlite3_bind_int64(st, 6, rows_time(e->changed_ms));
    sqlite3_bind_int64(st, 7, rows_time(e->next_try_ms));
    sqlite_bind_text(st, 8, rows_diagnostic(e->last_error, err, sizeof err));
    int n;
    rc = run_write(s, st, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int alert_sqlite_enforce_list(struct store *s, uint64_t now_ms, store_enforce_fn *fn, void *ctx)
{
    bool is_all = now_ms == UINT64_MAX;
    sqlite3_stmt *st = sqlite_prepare(s, is_all ? enforce_all : enforce_due);
    if (!st)
        return ERR_STORE;
    if (!is_all)
        sqlite3_bind_int64(st, 1, rows_time(now_ms));
    struct enforce_row e;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_enforce(st, &e);
        fn(ctx, &e);
    }
    return finish_read(s, st, step);
}

/* The usage's key starts with the bucket: a range of it, the subscribers of each row. */
static const char usage_subscribers[] = "SELECT DISTINCT subscriber_id FROM usage"
                                        " WHERE bucket >= ?1 AND subscriber_id <> 0"
                                        " ORDER BY subscriber_id";

int alert_sqlite_usage_subscribers(struct store *s, uint64_t since_ms,
                                   void (*fn)(void *ctx, int64_t subscriber_id), void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, usage_subscribers);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1,
                       (sqlite3_int64)((since_ms + 999) / 1000)); /* buckets start on seconds */
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(st, 0));
    return finish_read(s, st, step);
}
