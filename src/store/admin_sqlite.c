// SPDX-License-Identifier: MIT
// The administrative tables in SQLite, always with bound parameters. Every statement is
// prepared once per connection and reused (sqlite_stmt()): a portal page reads a plan and a
// subscriber per request, and a file of 100,000 subscribers or bindings goes in through
// store_admin_batch() as one transaction in about a second.
#include "store.h"

#include "../base/err.h"
#include "rows.h"
#include "sqlite_private.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define LOG_TAG "store"
#include "../base/log.h"

#define PLAN_COLS                                                                                  \
    "id, name, quota_bytes, quota_dirs, price_micro, overage_micro_per_gb, speed, anchor_day,"     \
    " burstable, commit_bps, price_micro_per_mbps, burst_dirs, alert_levels"

#define SUBSCRIBER_SELECT                                                                          \
    "SELECT s.id, s.account, s.name, s.email, coalesce(p.name, ''), s.status, s.notes,"            \
    " s.alert_levels FROM subscribers s LEFT JOIN plans p ON p.id = s.plan_id"

enum admin_stmt {
    ST_PLAN_INSERT,
    ST_PLAN_UPDATE,
    ST_PLAN_GET,
    ST_PLAN_LIST,
    ST_PLAN_REMOVE,
    ST_PLAN_USE,
    ST_SUBSCRIBER_INSERT,
    ST_SUBSCRIBER_UPDATE,
    ST_SUBSCRIBER_GET,
    ST_SUBSCRIBER_GET_ID,
    ST_SUBSCRIBER_LIST,
    ST_SUBSCRIBER_REMOVE,
    ST_SUBSCRIBER_PLAN,
    ST_HISTORY_CUT,
    ST_HISTORY_ADD,
    ST_BINDING_DROP_VALUE,
    ST_BINDING_DROP_SESSION,
    ST_BINDING_END_VALUE,
    ST_BINDING_END_SESSION,
    ST_BINDING_OPEN_OF,
    ST_BINDING_INSERT,
    ST_BINDING_IS_OPEN,
    ST_BINDING_LIST,
    ST_LEASE_PUT,
    ST_LEASE_LIST,
    ST_LEASE_AT,
    ST_CLASSES_RETIRE,
    ST_CLASS_UPSERT,
    ST_CLASSES_MARK,
    ST_CLASSES_CHECK,
    ST_CLASS_LIST,
    ST_BINDINGS_VERSION,
    ST_COUNT
};

static const char *const admin_sql[ST_COUNT] = {
    [ST_PLAN_INSERT] = "INSERT INTO plans (quota_bytes, quota_dirs, price_micro,"
                       " overage_micro_per_gb, speed, anchor_day, name, burstable, commit_bps,"
                       " price_micro_per_mbps, burst_dirs, alert_levels)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [ST_PLAN_UPDATE] = "UPDATE plans SET quota_bytes = ?1, quota_dirs = ?2, price_micro = ?3,"
                       " overage_micro_per_gb = ?4, speed = ?5, anchor_day = ?6,"
                       " burstable = ?8, commit_bps = ?9, price_micro_per_mbps = ?10,"
                       " burst_dirs = ?11, alert_levels = ?12 WHERE name = ?7",
    [ST_PLAN_GET] = "SELECT " PLAN_COLS " FROM plans WHERE name = ?1",
    [ST_PLAN_LIST] = "SELECT " PLAN_COLS " FROM plans ORDER BY name",
    [ST_PLAN_REMOVE] = "DELETE FROM plans WHERE name = ?1",
    /* Who holds the plan now, and whose history names it (a bill of any cycle may need
     * it): either keeps it. */
    [ST_PLAN_USE] = "SELECT (SELECT count(*) FROM subscribers WHERE plan_id = p.id),"
                    " (SELECT count(DISTINCT subscriber_id) FROM plan_history"
                    " WHERE plan_id = p.id) FROM plans p WHERE p.name = ?1",
    /* Never an id given before (migration 8): a removed subscriber's usage stays its own. */
    [ST_SUBSCRIBER_INSERT] = "INSERT INTO subscribers (id, name, email, plan_id, status, notes,"
                             " alert_levels, account) SELECT value + 1, ?1, ?2, ?3, ?4, ?5, ?7,"
                             " ?6 FROM meta WHERE key = 'subscribers_last_id'",
    [ST_SUBSCRIBER_UPDATE] = "UPDATE subscribers SET name = ?1, email = ?2, plan_id = ?3,"
                             " status = ?4, notes = ?5, alert_levels = ?7 WHERE account = ?6",
    [ST_SUBSCRIBER_GET] = SUBSCRIBER_SELECT " WHERE s.account = ?1",
    [ST_SUBSCRIBER_GET_ID] = SUBSCRIBER_SELECT " WHERE s.id = ?1",
    [ST_SUBSCRIBER_LIST] = SUBSCRIBER_SELECT " ORDER BY s.account",
    [ST_SUBSCRIBER_REMOVE] = "DELETE FROM subscribers WHERE account = ?1",
    [ST_SUBSCRIBER_PLAN] = "SELECT plan_id FROM subscribers WHERE account = ?1",
    [ST_HISTORY_CUT] = "DELETE FROM plan_history WHERE start_ms >= ?2 AND subscriber_id ="
                       " (SELECT id FROM subscribers WHERE account = ?1)",
    [ST_HISTORY_ADD] = "INSERT INTO plan_history (subscriber_id, plan_id, start_ms)"
                       " SELECT id, ?2, ?3 FROM subscribers WHERE account = ?1",
    /* An open binding that starts at or after ?1 would end before it started: it never
     * applied, so it goes rather than stay as a zero-length row. The rest end at ?1. */
    [ST_BINDING_DROP_VALUE] = "DELETE FROM bindings"
                              " WHERE end_ms IS NULL AND value = ?2 AND start_ms >= ?1",
    [ST_BINDING_DROP_SESSION] = "DELETE FROM bindings"
                                " WHERE end_ms IS NULL AND session = ?2 AND start_ms >= ?1",
    [ST_BINDING_END_VALUE] = "UPDATE bindings SET end_ms = ?1"
                             " WHERE end_ms IS NULL AND value = ?2 AND start_ms < ?1",
    [ST_BINDING_END_SESSION] = "UPDATE bindings SET end_ms = ?1"
                               " WHERE end_ms IS NULL AND session = ?2 AND start_ms < ?1",
    [ST_BINDING_OPEN_OF] = "SELECT subscriber_id, start_ms FROM bindings"
                           " WHERE value = ?1 AND end_ms IS NULL",
    [ST_BINDING_INSERT] = "INSERT INTO bindings (subscriber_id, kind, value, start_ms, end_ms,"
                          " source, session) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_BINDING_IS_OPEN] = "SELECT 1 FROM bindings WHERE value = ?1 AND subscriber_id = ?2"
                           " AND end_ms IS NULL LIMIT 1",
    [ST_BINDING_LIST] = "SELECT b.id, b.subscriber_id, s.account, b.kind, b.value, b.start_ms,"
                        " coalesce(b.end_ms, 0), b.source, coalesce(b.session, '')"
                        " FROM bindings b JOIN subscribers s ON s.id = b.subscriber_id"
                        " WHERE ?1 IS NULL OR s.account = ?1 ORDER BY b.value, b.start_ms, b.id",
    [ST_LEASE_PUT] = "INSERT INTO leases (ip, mac, start_ms, end_ms) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (ip, start_ms)"
                     " DO UPDATE SET mac = excluded.mac, end_ms = excluded.end_ms",
    [ST_LEASE_LIST] = "SELECT ip, mac, start_ms, coalesce(end_ms, 0) FROM leases"
                      " ORDER BY ip, start_ms",
    [ST_LEASE_AT] = "SELECT ip, mac, start_ms, coalesce(end_ms, 0) FROM leases"
                    " WHERE ip = ?1 AND start_ms <= ?2 AND (end_ms IS NULL OR end_ms > ?2)"
                    " ORDER BY start_ms DESC LIMIT 1",
    [ST_CLASSES_RETIRE] = "UPDATE classes SET current = 0",
    [ST_CLASS_UPSERT] = "INSERT INTO classes (name, price_micro_per_gb, counts_toward_quota,"
                        " current) VALUES (?1, ?2, ?3, 1) ON CONFLICT (name) DO UPDATE SET"
                        " price_micro_per_gb = excluded.price_micro_per_gb,"
                        " counts_toward_quota = excluded.counts_toward_quota, current = 1",
    [ST_CLASSES_MARK] = "INSERT INTO meta (key, value) VALUES ('classes_stored_ms', ?1)"
                        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    /* Usage in a named class with no class list ever stored: a reader cannot know which
     * classes count toward quota. (The marker test comes first and is a key lookup.) */
    [ST_CLASSES_CHECK] = "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'classes_stored_ms')"
                         " OR NOT EXISTS (SELECT 1 FROM usage WHERE class <> 'default')",
    [ST_CLASS_LIST] = "SELECT name, price_micro_per_gb, counts_toward_quota, current"
                      " FROM classes ORDER BY name",
    [ST_BINDINGS_VERSION] = "SELECT value FROM meta WHERE key = 'bindings_version'",
};

/* The statement for id, ready for binding, kept prepared by the connection (sqlite_stmt()).
 * Hand it back with release(). NULL (logged) if it cannot be prepared. */
static sqlite3_stmt *stmt(struct store *s, enum admin_stmt id)
{
    return sqlite_stmt(s, admin_sql[id]);
}

static void release(struct store *s, sqlite3_stmt *st)
{
    sqlite_stmt_release(s, st);
}

static void bind_time(sqlite3_stmt *st, int i, uint64_t ms)
{
    if (ms == 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, (sqlite3_int64)ms);
}

/* Steps a write to completion and releases it. Returns store_sqlite_write_result()'s code;
 * what SQLite said goes to errbuf (may be NULL) and last_error(). */
static int finish_write(struct store *s, sqlite3_stmt *st, char *errbuf)
{
    if (!st)
        return ERR_STORE;
    int rc = store_sqlite_write_result(s, sqlite3_step(st), errbuf);
    release(s, st);
    return rc;
}

/* Ends a read loop: 0 when every row was read, else ERR_STORE with what SQLite said. */
static int finish_read(struct store *s, sqlite3_stmt *st, int step)
{
    if (step != SQLITE_DONE)
        store_sqlite_note_error(s);
    release(s, st);
    return step == SQLITE_DONE ? 0 : ERR_STORE;
}

static int changes(struct store *s)
{
    return sqlite3_changes(store_sqlite_db(s));
}

int admin_sqlite_batch(struct store *s, store_work_fn *fn, void *ctx)
{
    /* Inside the caller's transaction (or batch) fn is part of it (store.h's conventions).
     * The statements stay prepared across the batch's lines by themselves (stmt()). */
    if (!sqlite3_get_autocommit(store_sqlite_db(s)))
        return fn(s, ctx);
    return store_transaction(s, fn, ctx);
}

/* ---- plans ---- */

static void read_plan(sqlite3_stmt *st, struct plan *p)
{
    memset(p, 0, sizeof *p);
    p->id = sqlite3_column_int64(st, 0);
    sqlite_copy_text(p->name, sizeof p->name, st, 1);
    p->unlimited = sqlite3_column_type(st, 2) == SQLITE_NULL;
    p->quota_bytes = (uint64_t)sqlite3_column_int64(st, 2);
    sqlite_copy_text(p->quota_dirs, sizeof p->quota_dirs, st, 3);
    p->price_micro = sqlite3_column_int64(st, 4);
    p->overage_micro_per_gb = sqlite3_column_int64(st, 5);
    sqlite_copy_text(p->speed, sizeof p->speed, st, 6);
    p->anchor_day = sqlite3_column_int(st, 7);
    p->burstable = sqlite3_column_int(st, 8) != 0;
    p->commit_bps = (uint64_t)sqlite3_column_int64(st, 9);
    p->price_micro_per_mbps = sqlite3_column_int64(st, 10);
    sqlite_copy_text(p->burst_dirs, sizeof p->burst_dirs, st, 11);
    sqlite_copy_text(p->alert_levels, sizeof p->alert_levels, st, 12);
}

int admin_sqlite_plan_save(struct store *s, const struct plan *p, bool insert, char *errbuf)
{
    int rc = rows_plan_check(p, errbuf);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = stmt(s, insert ? ST_PLAN_INSERT : ST_PLAN_UPDATE);
    if (!st)
        return ERR_STORE;
    if (p->unlimited)
        sqlite3_bind_null(st, 1);
    else
        sqlite3_bind_int64(st, 1, (sqlite3_int64)p->quota_bytes);
    sqlite_bind_text(st, 2, p->quota_dirs);
    sqlite3_bind_int64(st, 3, p->price_micro);
    sqlite3_bind_int64(st, 4, p->overage_micro_per_gb);
    sqlite_bind_text(st, 5, p->speed);
    sqlite3_bind_int(st, 6, p->anchor_day);
    sqlite_bind_text(st, 7, p->name);
    sqlite3_bind_int(st, 8, p->burstable);
    sqlite3_bind_int64(st, 9, rows_time(p->commit_bps));
    sqlite3_bind_int64(st, 10, p->price_micro_per_mbps);
    sqlite_bind_text(st, 11, p->burst_dirs);
    sqlite_bind_text(st, 12, p->alert_levels);
    rc = finish_write(s, st, errbuf);
    if (rc == ERR_EXISTS)
        snprintf(errbuf, ERR_BUF_LEN, "a plan named '%s' exists already", p->name);
    if (rc == 0 && !insert && changes(s) == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s'", p->name);
        return ERR_NOT_FOUND;
    }
    return rc;
}

int admin_sqlite_plan_get(struct store *s, const char *name, struct plan *out)
{
    sqlite3_stmt *st = stmt(s, ST_PLAN_GET);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, name);
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        read_plan(st, out);
    release(s, st);
    return rc;
}

int admin_sqlite_plan_list(struct store *s, store_plan_fn *fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_PLAN_LIST);
    if (!st)
        return ERR_STORE;
    struct plan p;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_plan(st, &p);
        fn(ctx, &p);
    }
    return finish_read(s, st, step);
}

/* OUT: *n_current, the subscribers on plan `name` now, and *n_history, those whose plan
 * history names it (both 0 when there is no such plan). Returns 0 or ERR_STORE. */
static int plan_use(struct store *s, const char *name, int64_t *n_current, int64_t *n_history)
{
    sqlite3_stmt *st = stmt(s, ST_PLAN_USE);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, name);
    *n_current = *n_history = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *n_current = sqlite3_column_int64(st, 0);
        *n_history = sqlite3_column_int64(st, 1);
        step = SQLITE_DONE;
    }
    return finish_read(s, st, step);
}

int admin_sqlite_plan_remove(struct store *s, const char *name, char *errbuf)
{
    int64_t n_current, n_history;
    int rc = plan_use(s, name, &n_current, &n_history);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
        return rc;
    }
    if ((rc = rows_plan_in_use(name, n_current, n_history, errbuf)) != 0)
        return rc;
    sqlite3_stmt *st = stmt(s, ST_PLAN_REMOVE);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, name);
    rc = finish_write(s, st, errbuf);
    if (rc == ERR_EXISTS) /* taken since it was counted */
        snprintf(errbuf, ERR_BUF_LEN, "plan '%s' has subscribers; move them first", name);
    else if (rc == 0 && changes(s) == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s'", name);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

/* ---- subscribers ---- */

static void read_subscriber(sqlite3_stmt *st, struct subscriber *sub)
{
    memset(sub, 0, sizeof *sub);
    sub->id = sqlite3_column_int64(st, 0);
    sqlite_copy_text(sub->account, sizeof sub->account, st, 1);
    sqlite_copy_text(sub->name, sizeof sub->name, st, 2);
    sqlite_copy_text(sub->email, sizeof sub->email, st, 3);
    sqlite_copy_text(sub->plan, sizeof sub->plan, st, 4);
    sqlite_copy_text(sub->status, sizeof sub->status, st, 5);
    sqlite_copy_text(sub->notes, sizeof sub->notes, st, 6);
    sqlite_copy_text(sub->alert_levels, sizeof sub->alert_levels, st, 7);
}

/* A subscriber_save: the row and its plan history, written together. */
struct subscriber_write {
    const struct subscriber *sub;
    bool insert;
    int64_t plan_id; /* the plan saved, -1 for none */
    char *errbuf;
};

/* OUT: *plan_id, the plan the subscriber of `account` holds now (-1 for none). Returns 0,
 * ERR_NOT_FOUND or ERR_STORE. */
static int plan_now(struct store *s, const char *account, int64_t *plan_id)
{
    sqlite3_stmt *st = stmt(s, ST_SUBSCRIBER_PLAN);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, account);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *plan_id = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
        release(s, st);
        return 0;
    }
    int rc = finish_read(s, st, step);
    return rc == 0 ? ERR_NOT_FOUND : rc;
}

/* The plan history from w->sub->plan_from_ms on: the steps starting then or later go (an
 * update's change replaces what was planned after it), and one starts there. */
static int history_from(struct store *s, const struct subscriber_write *w)
{
    int64_t from = rows_time(w->sub->plan_from_ms);
    sqlite3_stmt *st;
    if (!w->insert) { /* a new subscriber has no steps yet */
        if (!(st = stmt(s, ST_HISTORY_CUT)))
            return ERR_STORE;
        sqlite_bind_text(st, 1, w->sub->account);
        sqlite3_bind_int64(st, 2, from);
        int rc = finish_write(s, st, w->errbuf);
        if (rc != 0)
            return rc;
    }
    if (!(st = stmt(s, ST_HISTORY_ADD)))
        return ERR_STORE;
    sqlite_bind_text(st, 1, w->sub->account);
    if (w->plan_id >= 0)
        sqlite3_bind_int64(st, 2, w->plan_id);
    sqlite3_bind_int64(st, 3, from);
    return finish_write(s, st, w->errbuf);
}

static int subscriber_write(struct store *s, void *ctx)
{
    struct subscriber_write *w = ctx;
    const struct subscriber *sub = w->sub;
    int64_t old_plan = -1;
    if (!w->insert) {
        int rc = plan_now(s, sub->account, &old_plan);
        if (rc == ERR_NOT_FOUND)
            snprintf(w->errbuf, ERR_BUF_LEN, "no subscriber '%s'", sub->account);
        if (rc != 0)
            return rc;
    }
    sqlite3_stmt *st = stmt(s, w->insert ? ST_SUBSCRIBER_INSERT : ST_SUBSCRIBER_UPDATE);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, sub->name);
    sqlite_bind_text(st, 2, sub->email);
    if (w->plan_id >= 0)
        sqlite3_bind_int64(st, 3, w->plan_id);
    sqlite_bind_text(st, 4, sub->status);
    sqlite_bind_text(st, 5, sub->notes);
    sqlite_bind_text(st, 6, sub->account);
    sqlite_bind_text(st, 7, sub->alert_levels);
    int rc = finish_write(s, st, w->errbuf);
    if (rc == ERR_EXISTS)
        snprintf(w->errbuf, ERR_BUF_LEN, "account '%s' exists already", sub->account);
    /* the history follows a new subscriber's plan and a change; the same plan leaves it */
    if (rc == 0 && (w->insert || old_plan != w->plan_id))
        rc = history_from(s, w);
    return rc;
}

int admin_sqlite_subscriber_save(struct store *s, const struct subscriber *sub, bool insert,
                                 char *errbuf)
{
    errbuf[0] = '\0';
    int rc = rows_subscriber_check(sub, errbuf);
    if (rc != 0)
        return rc;
    struct plan p;
    if (sub->plan[0] && store_plan_get(s, sub->plan, &p) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s' (see flowtally plan list)", sub->plan);
        return ERR_NOT_FOUND;
    }
    struct subscriber_write w = {sub, insert, sub->plan[0] ? p.id : -1, errbuf};
    /* a write of its own is one transaction, the row and its history */
    if (sqlite3_get_autocommit(store_sqlite_db(s)))
        rc = store_transaction(s, subscriber_write, &w);
    else
        rc = subscriber_write(s, &w);
    if (rc != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
    return rc;
}

int admin_sqlite_subscriber_get(struct store *s, const char *account, struct subscriber *out)
{
    sqlite3_stmt *st = stmt(s, ST_SUBSCRIBER_GET);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, account);
    int rc = sqlite3_step(st) == SQLITE_ROW ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        read_subscriber(st, out);
    release(s, st);
    return rc;
}

int admin_sqlite_subscriber_get_id(struct store *s, int64_t id, struct subscriber *out)
{
    sqlite3_stmt *st = stmt(s, ST_SUBSCRIBER_GET_ID);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, id);
    int step = sqlite3_step(st);
    int rc = step == SQLITE_ROW ? 0 : ERR_NOT_FOUND;
    if (step != SQLITE_ROW && step != SQLITE_DONE) {
        store_sqlite_note_error(s);
        rc = ERR_STORE;
    }
    if (rc == 0)
        read_subscriber(st, out);
    release(s, st);
    return rc;
}

int admin_sqlite_subscriber_list(struct store *s, store_subscriber_fn *fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_SUBSCRIBER_LIST);
    if (!st)
        return ERR_STORE;
    struct subscriber sub;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_subscriber(st, &sub);
        fn(ctx, &sub);
    }
    return finish_read(s, st, step);
}

int admin_sqlite_subscriber_remove(struct store *s, const char *account, char *errbuf)
{
    sqlite3_stmt *st = stmt(s, ST_SUBSCRIBER_REMOVE);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, account);
    int rc = finish_write(s, st, errbuf);
    if (rc == 0 && changes(s) == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

/* ---- bindings and leases ---- */

/* Runs one of the statements that end the open bindings of a value or a session at ?1,
 * adding the rows it changed to *n. */
static int close_step(struct store *s, enum admin_stmt id, const char *what, uint64_t at_ms, int *n)
{
    sqlite3_stmt *st = stmt(s, id);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)at_ms);
    sqlite_bind_text(st, 2, what);
    int rc = finish_write(s, st, NULL);
    *n += rc == 0 ? changes(s) : 0;
    return rc;
}

int admin_sqlite_binding_close(struct store *s, const char *value, const char *session,
                               uint64_t at_ms, int *n)
{
    const char *what = session ? session : value;
    int rc =
        close_step(s, session ? ST_BINDING_DROP_SESSION : ST_BINDING_DROP_VALUE, what, at_ms, n);
    return rc ? rc
              : close_step(s, session ? ST_BINDING_END_SESSION : ST_BINDING_END_VALUE, what, at_ms,
                           n);
}

int admin_sqlite_binding_open_of(struct store *s, const char *value,
                                 void (*fn)(void *ctx, int64_t subscriber_id, uint64_t start_ms),
                                 void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_BINDING_OPEN_OF);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, value);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(st, 0), (uint64_t)sqlite3_column_int64(st, 1));
    return finish_read(s, st, step);
}

int admin_sqlite_binding_insert(struct store *s, int64_t subscriber_id, const char *kind,
                                const char *value, uint64_t start_ms, uint64_t end_ms,
                                const char *source, const char *session, char *errbuf)
{
    sqlite3_stmt *st = stmt(s, ST_BINDING_INSERT);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, subscriber_id);
    sqlite_bind_text(st, 2, kind);
    sqlite_bind_text(st, 3, value);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)start_ms);
    bind_time(st, 5, end_ms);
    sqlite_bind_text(st, 6, source);
    if (session)
        sqlite_bind_text(st, 7, session);
    return finish_write(s, st, errbuf);
}

int admin_sqlite_binding_is_open(struct store *s, const char *value, int64_t subscriber_id)
{
    sqlite3_stmt *st = stmt(s, ST_BINDING_IS_OPEN);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, value);
    sqlite3_bind_int64(st, 2, subscriber_id);
    int rc = sqlite3_step(st);
    release(s, st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : ERR_STORE;
}

int admin_sqlite_binding_list(struct store *s, const char *account, store_binding_fn *fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_BINDING_LIST);
    if (!st)
        return ERR_STORE;
    if (account)
        sqlite_bind_text(st, 1, account);
    struct binding_row b;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&b, 0, sizeof b);
        b.id = sqlite3_column_int64(st, 0);
        b.subscriber_id = sqlite3_column_int64(st, 1);
        sqlite_copy_text(b.account, sizeof b.account, st, 2);
        sqlite_copy_text(b.kind, sizeof b.kind, st, 3);
        sqlite_copy_text(b.value, sizeof b.value, st, 4);
        b.start_ms = (uint64_t)sqlite3_column_int64(st, 5);
        b.end_ms = (uint64_t)sqlite3_column_int64(st, 6);
        sqlite_copy_text(b.source, sizeof b.source, st, 7);
        sqlite_copy_text(b.session, sizeof b.session, st, 8);
        fn(ctx, &b);
    }
    return finish_read(s, st, step);
}

int admin_sqlite_lease_put(struct store *s, const struct lease_row *l)
{
    sqlite3_stmt *st = stmt(s, ST_LEASE_PUT);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, l->ip);
    sqlite_bind_text(st, 2, l->mac);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)l->start_ms);
    bind_time(st, 4, l->end_ms);
    return finish_write(s, st, NULL);
}

static void read_lease(sqlite3_stmt *st, struct lease_row *l)
{
    sqlite_copy_text(l->ip, sizeof l->ip, st, 0);
    sqlite_copy_text(l->mac, sizeof l->mac, st, 1);
    l->start_ms = (uint64_t)sqlite3_column_int64(st, 2);
    l->end_ms = (uint64_t)sqlite3_column_int64(st, 3);
}

int admin_sqlite_lease_list(struct store *s, store_lease_fn *fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_LEASE_LIST);
    if (!st)
        return ERR_STORE;
    struct lease_row l;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_lease(st, &l);
        fn(ctx, &l);
    }
    return finish_read(s, st, step);
}

int admin_sqlite_lease_at(struct store *s, const char *ip, uint64_t at_ms, struct lease_row *out)
{
    sqlite3_stmt *st = stmt(s, ST_LEASE_AT);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, ip);
    sqlite3_bind_int64(st, 2, rows_time(at_ms));
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        read_lease(st, out);
        release(s, st);
        return 0;
    }
    int rc = finish_read(s, st, step);
    return rc == 0 ? ERR_NOT_FOUND : rc;
}

int admin_sqlite_classes_write(struct store *s, const struct class_row *rows, size_t n,
                               uint64_t now_ms)
{
    int rc = finish_write(s, stmt(s, ST_CLASSES_RETIRE), NULL);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = stmt(s, ST_CLASS_UPSERT);
        if (!st)
            return ERR_STORE;
        sqlite_bind_text(st, 1, rows[i].name);
        sqlite3_bind_int64(st, 2, rows[i].price_micro_per_gb);
        sqlite3_bind_int(st, 3, rows[i].counts_toward_quota);
        rc = finish_write(s, st, NULL);
    }
    sqlite3_stmt *st = rc == 0 ? stmt(s, ST_CLASSES_MARK) : NULL;
    if (st) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)now_ms);
        rc = finish_write(s, st, NULL);
    }
    return rc;
}

int admin_sqlite_classes_known(struct store *s)
{
    sqlite3_stmt *st = stmt(s, ST_CLASSES_CHECK);
    if (!st)
        return ERR_STORE;
    int step = sqlite3_step(st);
    bool ok = step == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
    release(s, st);
    if (step != SQLITE_ROW)
        return ERR_STORE;
    return ok;
}

int admin_sqlite_class_list(struct store *s, store_class_fn *fn, void *ctx)
{
    sqlite3_stmt *st = stmt(s, ST_CLASS_LIST);
    if (!st)
        return ERR_STORE;
    struct class_row c;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite_copy_text(c.name, sizeof c.name, st, 0);
        c.price_micro_per_gb = sqlite3_column_int64(st, 1);
        c.counts_toward_quota = sqlite3_column_int(st, 2) != 0;
        c.is_current = sqlite3_column_int(st, 3) != 0;
        fn(ctx, &c);
    }
    return finish_read(s, st, step);
}

int64_t admin_sqlite_bindings_version(struct store *s)
{
    sqlite3_stmt *st = stmt(s, ST_BINDINGS_VERSION);
    int64_t v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st)
        release(s, st);
    return v;
}
