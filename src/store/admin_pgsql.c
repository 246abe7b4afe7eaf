// SPDX-License-Identifier: MIT
// The administrative tables in PostgreSQL: plans, subscribers, bindings over time, leases
// and traffic classes, with the same statements and the same meaning as admin_sqlite.c.
// Every statement is prepared on its first use on a connection and kept (a CLI command
// prepares the few it runs; a batch of 100,000 bindings prepares each once), with every
// value a parameter.
#include "store.h"

#include "../base/err.h"
#include "pgsql_private.h"
#include "rows.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define PLAN_COLS                                                                                  \
    "id, name, quota_bytes, quota_dirs, price_micro, overage_micro_per_gb, speed, anchor_day,"     \
    " burstable, commit_bps, price_micro_per_mbps, burst_dirs, alert_levels"

#define SUBSCRIBER_SELECT                                                                          \
    "SELECT s.id, s.account, s.name, s.email, coalesce(p.name, ''), s.status, s.notes,"            \
    " s.alert_levels FROM subscribers s LEFT JOIN plans p ON p.id = s.plan_id"

static const struct pgsql_stmt plan_insert = {
    "plan_insert", "itiititiiitt",
    "INSERT INTO plans (quota_bytes, quota_dirs, price_micro, overage_micro_per_gb, speed,"
    " anchor_day, name, burstable, commit_bps, price_micro_per_mbps, burst_dirs, alert_levels)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"};
static const struct pgsql_stmt plan_update = {
    "plan_update", "itiititiiitt",
    "UPDATE plans SET quota_bytes = $1, quota_dirs = $2, price_micro = $3,"
    " overage_micro_per_gb = $4, speed = $5, anchor_day = $6, burstable = $8,"
    " commit_bps = $9, price_micro_per_mbps = $10, burst_dirs = $11, alert_levels = $12"
    " WHERE name = $7"};
static const struct pgsql_stmt plan_get = {"plan_get", "t",
                                           "SELECT " PLAN_COLS " FROM plans WHERE name = $1"};
static const struct pgsql_stmt plan_list = {"plan_list", "",
                                            "SELECT " PLAN_COLS " FROM plans ORDER BY name"};
static const struct pgsql_stmt plan_remove = {"plan_remove", "t",
                                              "DELETE FROM plans WHERE name = $1"};
/* Who holds the plan now, and whose history names it (a bill of any cycle may need it):
 * either keeps it. */
static const struct pgsql_stmt plan_use = {
    "plan_use", "t",
    "SELECT (SELECT count(*) FROM subscribers WHERE plan_id = p.id),"
    " (SELECT count(DISTINCT subscriber_id) FROM plan_history WHERE plan_id = p.id)"
    " FROM plans p WHERE p.name = $1"};
static const struct pgsql_stmt subscriber_insert = {
    "subscriber_insert", "ttitttt",
    "INSERT INTO subscribers (name, email, plan_id, status, notes, account, alert_levels)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"};
static const struct pgsql_stmt subscriber_update = {
    "subscriber_update", "ttitttt",
    "UPDATE subscribers SET name = $1, email = $2, plan_id = $3, status = $4, notes = $5,"
    " alert_levels = $7 WHERE account = $6"};
static const struct pgsql_stmt subscriber_get = {"subscriber_get", "t",
                                                 SUBSCRIBER_SELECT " WHERE s.account = $1"};
static const struct pgsql_stmt subscriber_get_id = {"subscriber_get_id", "i",
                                                    SUBSCRIBER_SELECT " WHERE s.id = $1"};
static const struct pgsql_stmt subscriber_list = {"subscriber_list", "",
                                                  SUBSCRIBER_SELECT " ORDER BY s.account"};
static const struct pgsql_stmt subscriber_remove = {"subscriber_remove", "t",
                                                    "DELETE FROM subscribers WHERE account = $1"};
static const struct pgsql_stmt subscriber_plan = {
    "subscriber_plan", "t", "SELECT coalesce(plan_id, -1) FROM subscribers WHERE account = $1"};
static const struct pgsql_stmt history_cut = {
    "history_cut", "ti",
    "DELETE FROM plan_history WHERE start_ms >= $2 AND subscriber_id ="
    " (SELECT id FROM subscribers WHERE account = $1)"};
static const struct pgsql_stmt history_add = {
    "history_add", "tii",
    "INSERT INTO plan_history (subscriber_id, plan_id, start_ms)"
    " SELECT id, $2, $3 FROM subscribers WHERE account = $1"};
/* An open binding that starts at or after $1 would end before it started: it never
 * applied, so it goes rather than stay as a zero-length row. The rest end at $1. */
static const struct pgsql_stmt binding_drop_value = {
    "binding_drop_value", "it",
    "DELETE FROM bindings WHERE end_ms IS NULL AND value = $2 AND start_ms >= $1"};
static const struct pgsql_stmt binding_drop_session = {
    "binding_drop_session", "it",
    "DELETE FROM bindings WHERE end_ms IS NULL AND session = $2 AND start_ms >= $1"};
static const struct pgsql_stmt binding_end_value = {
    "binding_end_value", "it",
    "UPDATE bindings SET end_ms = $1 WHERE end_ms IS NULL AND value = $2 AND start_ms < $1"};
static const struct pgsql_stmt binding_end_session = {
    "binding_end_session", "it",
    "UPDATE bindings SET end_ms = $1 WHERE end_ms IS NULL AND session = $2 AND start_ms < $1"};
static const struct pgsql_stmt binding_open_of = {
    "binding_open_of", "t",
    "SELECT subscriber_id, start_ms FROM bindings WHERE value = $1 AND end_ms IS NULL"};
static const struct pgsql_stmt binding_insert = {
    "binding_insert", "ittiitt",
    "INSERT INTO bindings (subscriber_id, kind, value, start_ms, end_ms, source, session)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"};
static const struct pgsql_stmt binding_is_open = {
    "binding_is_open", "ti",
    "SELECT 1 FROM bindings WHERE value = $1 AND subscriber_id = $2 AND end_ms IS NULL"
    " LIMIT 1"};
static const struct pgsql_stmt binding_list = {
    "binding_list", "t",
    "SELECT b.id, b.subscriber_id, s.account, b.kind, b.value, b.start_ms,"
    " coalesce(b.end_ms, 0), b.source, coalesce(b.session, '')"
    " FROM bindings b JOIN subscribers s ON s.id = b.subscriber_id"
    " WHERE $1 IS NULL OR s.account = $1 ORDER BY b.value, b.start_ms, b.id"};
static const struct pgsql_stmt lease_put = {
    "lease_put", "ttii",
    "INSERT INTO leases (ip, mac, start_ms, end_ms) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (ip, start_ms) DO UPDATE SET mac = excluded.mac, end_ms = excluded.end_ms"};
static const struct pgsql_stmt lease_list = {
    "lease_list", "",
    "SELECT ip, mac, start_ms, coalesce(end_ms, 0) FROM leases ORDER BY ip, start_ms"};
static const struct pgsql_stmt lease_at = {
    "lease_at", "ti",
    "SELECT ip, mac, start_ms, coalesce(end_ms, 0) FROM leases WHERE ip = $1 AND start_ms <= $2"
    " AND (end_ms IS NULL OR end_ms > $2) ORDER BY start_ms DESC LIMIT 1"};
static const struct pgsql_stmt classes_retire = {"classes_retire", "",
                                                 "UPDATE classes SET current = 0"};
static const struct pgsql_stmt class_upsert = {
    "class_upsert", "tii",
    "INSERT INTO classes (name, price_micro_per_gb, counts_toward_quota, current)"
    " VALUES ($1, $2, $3, 1) ON CONFLICT (name) DO UPDATE SET"
    " price_micro_per_gb = excluded.price_micro_per_gb,"
    " counts_toward_quota = excluded.counts_toward_quota, current = 1"};
static const struct pgsql_stmt classes_mark = {
    "classes_mark", "i",
    "INSERT INTO meta (key, value) VALUES ('classes_stored_ms', $1)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"};
/* Usage in a named class with no class list ever stored: a reader cannot know which
 * classes count toward quota. (The marker test comes first and is a key lookup.) */
static const struct pgsql_stmt classes_check = {
    "classes_check", "",
    "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'classes_stored_ms')"
    " OR NOT EXISTS (SELECT 1 FROM usage WHERE class <> 'default')"};
static const struct pgsql_stmt class_list = {
    "class_list", "",
    "SELECT name, price_micro_per_gb, counts_toward_quota, current FROM classes ORDER BY name"};
static const struct pgsql_stmt bindings_version = {
    "bindings_version", "", "SELECT value FROM meta WHERE key = 'bindings_version'"};

static void copy_text(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, row, col));
}

/* A time parameter: 0 (open-ended) is NULL. */
static const char *param_time(char *buf, uint64_t ms)
{
    return ms == 0 ? NULL : pgsql_int(buf, (int64_t)ms);
}

int admin_pgsql_batch(struct store *s, store_work_fn *fn, void *ctx)
{
    /* Statements stay prepared on the connection anyway: a batch is a transaction. */
    if (store_pgsql_in_transaction(s))
        return fn(s, ctx);
    return store_transaction(s, fn, ctx);
}

/* ---- plans ---- */

static void read_plan(const PGresult *r, int i, struct plan *p)
{
    memset(p, 0, sizeof *p);
    p->id = pgsql_get_int(r, i, 0);
    copy_text(p->name, sizeof p->name, r, i, 1);
    p->unlimited = PQgetisnull(r, i, 2);
    p->quota_bytes = (uint64_t)pgsql_get_int(r, i, 2);
    copy_text(p->quota_dirs, sizeof p->quota_dirs, r, i, 3);
    p->price_micro = pgsql_get_int(r, i, 4);
    p->overage_micro_per_gb = pgsql_get_int(r, i, 5);
    copy_text(p->speed, sizeof p->speed, r, i, 6);
    p->anchor_day = (int)pgsql_get_int(r, i, 7);
    p->burstable = pgsql_get_int(r, i, 8) != 0;
    p->commit_bps = (uint64_t)pgsql_get_int(r, i, 9);
    p->price_micro_per_mbps = pgsql_get_int(r, i, 10);
    copy_text(p->burst_dirs, sizeof p->burst_dirs, r, i, 11);
    copy_text(p->alert_levels, sizeof p->alert_levels, r, i, 12);
}

int admin_pgsql_plan_save(struct store *s, const struct plan *p, bool insert, char *errbuf)
{
    int rc = rows_plan_check(p, errbuf);
    if (rc != 0)
        return rc;
    char quota[PGSQL_INT_LEN], price[PGSQL_INT_LEN], over[PGSQL_INT_LEN], anchor[PGSQL_INT_LEN],
        burst[PGSQL_INT_LEN], commit[PGSQL_INT_LEN], per_mbps[PGSQL_INT_LEN];
    const char *params[] = {p->unlimited ? NULL : pgsql_int(quota, (int64_t)p->quota_bytes),
                            p->quota_dirs,
                            pgsql_int(price, p->price_micro),
                            pgsql_int(over, p->overage_micro_per_gb),
                            p->speed,
                            pgsql_int(anchor, p->anchor_day),
                            p->name,
                            pgsql_int(burst, p->burstable),
                            pgsql_int(commit, rows_time(p->commit_bps)),
                            pgsql_int(per_mbps, p->price_micro_per_mbps),
                            p->burst_dirs,
                            p->alert_levels};
    int n;
    rc = store_pgsql_write(s, insert ? &plan_insert : &plan_update, params, &n, errbuf);
    if (rc == ERR_EXISTS)
        snprintf(errbuf, ERR_BUF_LEN, "a plan named '%s' exists already", p->name);
    if (rc == 0 && !insert && n == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s'", p->name);
        return ERR_NOT_FOUND;
    }
    return rc;
}

int admin_pgsql_plan_get(struct store *s, const char *name, struct plan *out)
{
    const char *params[] = {name};
    int rc;
    PGresult *r = store_pgsql_run(s, &plan_get, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        read_plan(r, 0, out);
    PQclear(r);
    return rc;
}

int admin_pgsql_plan_list(struct store *s, store_plan_fn *fn, void *ctx)
{
    int rc;
    PGresult *r = store_pgsql_run(s, &plan_list, NULL, &rc);
    if (!r)
        return rc;
    struct plan p;
    for (int i = 0; i < PQntuples(r); i++) {
        read_plan(r, i, &p);
        fn(ctx, &p);
    }
    PQclear(r);
    return 0;
}

int admin_pgsql_plan_remove(struct store *s, const char *name, char *errbuf)
{
    const char *params[] = {name};
    int rc;
    PGresult *r = store_pgsql_run(s, &plan_use, params, &rc);
    if (!r) {
        snprintf(errbuf, ERR_BUF_LEN, "%s", store_pgsql_error(s));
        return rc;
    }
    /* no row: no such plan, which the DELETE below finds too */
    if (PQntuples(r) == 1)
        rc = rows_plan_in_use(name, pgsql_get_int(r, 0, 0), pgsql_get_int(r, 0, 1), errbuf);
    PQclear(r);
    if (rc != 0)
        return rc;
    int n;
    rc = store_pgsql_write(s, &plan_remove, params, &n, errbuf);
    if (rc == ERR_EXISTS) /* taken since it was counted */
        snprintf(errbuf, ERR_BUF_LEN, "plan '%s' has subscribers; move them first", name);
    else if (rc == 0 && n == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s'", name);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

/* ---- subscribers ---- */

static void read_subscriber(const PGresult *r, int i, struct subscriber *sub)
{
    memset(sub, 0, sizeof *sub);
    sub->id = pgsql_get_int(r, i, 0);
    copy_text(sub->account, sizeof sub->account, r, i, 1);
    copy_text(sub->name, sizeof sub->name, r, i, 2);
    copy_text(sub->email, sizeof sub->email, r, i, 3);
    copy_text(sub->plan, sizeof sub->plan, r, i, 4);
    copy_text(sub->status, sizeof sub->status, r, i, 5);
    copy_text(sub->notes, sizeof sub->notes, r, i, 6);
    copy_text(sub->alert_levels, sizeof sub->alert_levels, r, i, 7);
}

/* A subscriber_save: the row and its plan history, written together. */
struct subscriber_write {
    const struct subscriber *sub;
    bool insert;
    int64_t plan_id; /* the plan saved, -1 for none */
    char *errbuf;
};

/* OUT: *plan_id, the plan the subscriber of `account` holds now (-1 for none). Returns 0,
 * ERR_NOT_FOUND or a code of store_pgsql_run(). */
static int plan_now(struct store *s, const char *account, int64_t *plan_id)
{
    const char *params[] = {account};
    int rc;
    PGresult *r = store_pgsql_run(s, &subscriber_plan, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        *plan_id = pgsql_get_int(r, 0, 0);
    PQclear(r);
    return rc;
}

/* The plan history from w->sub->plan_from_ms on: the steps starting then or later go (an
 * update's change replaces what was planned after it), and one starts there. */
static int history_from(struct store *s, const struct subscriber_write *w)
{
    char from[PGSQL_INT_LEN], plan[PGSQL_INT_LEN];
    pgsql_int(from, rows_time(w->sub->plan_from_ms));
    const char *cut[] = {w->sub->account, from};
    int rc = w->insert ? 0 : store_pgsql_write(s, &history_cut, cut, NULL, w->errbuf);
    const char *add[] = {w->sub->account, w->plan_id >= 0 ? pgsql_int(plan, w->plan_id) : NULL,
                         from};
    return rc ? rc : store_pgsql_write(s, &history_add, add, NULL, w->errbuf);
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
    char plan_id[PGSQL_INT_LEN];
    const char *plan = w->plan_id >= 0 ? pgsql_int(plan_id, w->plan_id) : NULL;
    const char *params[] = {sub->name,    sub->email,       plan, sub->status, sub->notes,
                            sub->account, sub->alert_levels};
    int rc = store_pgsql_write(s, w->insert ? &subscriber_insert : &subscriber_update, params, NULL,
                               w->errbuf);
    if (rc == ERR_EXISTS)
        snprintf(w->errbuf, ERR_BUF_LEN, "account '%s' exists already", sub->account);
    /* the history follows a new subscriber's plan and a change; the same plan leaves it */
    if (rc == 0 && (w->insert || old_plan != w->plan_id))
        rc = history_from(s, w);
    return rc;
}

int admin_pgsql_subscriber_save(struct store *s, const struct subscriber *sub, bool insert,
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
    if (store_pgsql_in_transaction(s))
        rc = subscriber_write(s, &w);
    else
        rc = store_transaction(s, subscriber_write, &w);
    if (rc != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s", store_pgsql_error(s));
    return rc;
}

int admin_pgsql_subscriber_get(struct store *s, const char *account, struct subscriber *out)
{
    const char *params[] = {account};
    int rc;
    PGresult *r = store_pgsql_run(s, &subscriber_get, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        read_subscriber(r, 0, out);
    PQclear(r);
    return rc;
}

int admin_pgsql_subscriber_get_id(struct store *s, int64_t id, struct subscriber *out)
{
    char text[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(text, id)};
    int rc;
    PGresult *r = store_pgsql_run(s, &subscriber_get_id, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        read_subscriber(r, 0, out);
    PQclear(r);
    return rc;
}

int admin_pgsql_subscriber_list(struct store *s, store_subscriber_fn *fn, void *ctx)
{
    int rc;
    PGresult *r = store_pgsql_run(s, &subscriber_list, NULL, &rc);
    if (!r)
        return rc;
    struct subscriber sub;
    for (int i = 0; i < PQntuples(r); i++) {
        read_subscriber(r, i, &sub);
        fn(ctx, &sub);
    }
    PQclear(r);
    return 0;
}

int admin_pgsql_subscriber_remove(struct store *s, const char *account, char *errbuf)
{
    const char *params[] = {account};
    int n;
    int rc = store_pgsql_write(s, &subscriber_remove, params, &n, errbuf);
    if (rc == 0 && n == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

/* ---- bindings and leases ---- */

/* Runs one of the statements that end the open bindings of a value or a session at $1,
 * adding the rows it changed to *n. */
static int close_step(struct store *s, const struct pgsql_stmt *st, const char *what,
                      uint64_t at_ms, int *n)
{
    char at[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(at, (int64_t)at_ms), what};
    int changed;
    int rc = store_pgsql_write(s, st, params, &changed, NULL);
    *n += rc == 0 ? changed : 0;
    return rc;
}

int admin_pgsql_binding_close(struct store *s, const char *value, const char *session,
                              uint64_t at_ms, int *n)
{
    const char *what = session ? session : value;
    int rc = close_step(s, session ? &binding_drop_session : &binding_drop_value, what, at_ms, n);
    return rc ? rc
              : close_step(s, session ? &binding_end_session : &binding_end_value, what, at_ms, n);
}

int admin_pgsql_binding_open_of(struct store *s, const char *value,
                                void (*fn)(void *ctx, int64_t subscriber_id, uint64_t start_ms),
                                void *ctx)
{
    const char *params[] = {value};
    int rc;
    PGresult *r = store_pgsql_run(s, &binding_open_of, params, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++)
        fn(ctx, pgsql_get_int(r, i, 0), (uint64_t)pgsql_get_int(r, i, 1));
    PQclear(r);
    return 0;
}

int admin_pgsql_binding_insert(struct store *s, int64_t subscriber_id, const char *kind,
                               const char *value, uint64_t start_ms, uint64_t end_ms,
                               const char *source, const char *session, char *errbuf)
{
    char id[PGSQL_INT_LEN], start[PGSQL_INT_LEN], end[PGSQL_INT_LEN];
    const char *params[] = {
        pgsql_int(id, subscriber_id), kind,   value,  pgsql_int(start, (int64_t)start_ms),
        param_time(end, end_ms),      source, session};
    return store_pgsql_write(s, &binding_insert, params, NULL, errbuf);
}

int admin_pgsql_binding_is_open(struct store *s, const char *value, int64_t subscriber_id)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {value, pgsql_int(id, subscriber_id)};
    int rc;
    PGresult *r = store_pgsql_run(s, &binding_is_open, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) > 0 ? 1 : 0;
    PQclear(r);
    return rc;
}

int admin_pgsql_binding_list(struct store *s, const char *account, store_binding_fn *fn, void *ctx)
{
    const char *params[] = {account};
    int rc;
    PGresult *r = store_pgsql_run(s, &binding_list, params, &rc);
    if (!r)
        return rc;
    struct binding_row b;
    for (int i = 0; i < PQntuples(r); i++) {
        memset(&b, 0, sizeof b);
        b.id = pgsql_get_int(r, i, 0);
        b.subscriber_id = pgsql_get_int(r, i, 1);
        copy_text(b.account, sizeof b.account, r, i, 2);
        copy_text(b.kind, sizeof b.kind, r, i, 3);
        copy_text(b.value, sizeof b.value, r, i, 4);
        b.start_ms = (uint64_t)pgsql_get_int(r, i, 5);
        b.end_ms = (uint64_t)pgsql_get_int(r, i, 6);
        copy_text(b.source, sizeof b.source, r, i, 7);
        copy_text(b.session, sizeof b.session, r, i, 8);
        fn(ctx, &b);
    }
    PQclear(r);
    return 0;
}

int admin_pgsql_lease_put(struct store *s, const struct lease_row *l)
{
    char start[PGSQL_INT_LEN], end[PGSQL_INT_LEN];
    const char *params[] = {l->ip, l->mac, pgsql_int(start, (int64_t)l->start_ms),
                            param_time(end, l->end_ms)};
    return store_pgsql_write(s, &lease_put, params, NULL, NULL);
}

static void read_lease(const PGresult *r, int i, struct lease_row *l)
{
    copy_text(l->ip, sizeof l->ip, r, i, 0);
    copy_text(l->mac, sizeof l->mac, r, i, 1);
    l->start_ms = (uint64_t)pgsql_get_int(r, i, 2);
    l->end_ms = (uint64_t)pgsql_get_int(r, i, 3);
}

int admin_pgsql_lease_list(struct store *s, store_lease_fn *fn, void *ctx)
{
    int rc;
    PGresult *r = store_pgsql_run(s, &lease_list, NULL, &rc);
    if (!r)
        return rc;
    struct lease_row l;
    for (int i = 0; i < PQntuples(r); i++) {
        read_lease(r, i, &l);
        fn(ctx, &l);
    }
    PQclear(r);
    return 0;
}

int admin_pgsql_lease_at(struct store *s, const char *ip, uint64_t at_ms, struct lease_row *out)
{
    char at[PGSQL_INT_LEN];
    const char *params[] = {ip, pgsql_int(at, rows_time(at_ms))};
    int rc;
    PGresult *r = store_pgsql_run(s, &lease_at, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        read_lease(r, 0, out);
    PQclear(r);
    return rc;
}

int64_t admin_pgsql_bindings_version(struct store *s)
{
    int rc;
    PGresult *r = store_pgsql_run(s, &bindings_version, NULL, &rc);
    int64_t v = r && PQntuples(r) == 1 ? pgsql_get_int(r, 0, 0) : -1;
    PQclear(r);
    return v;
}

/* ---- traffic classes ---- */

int admin_pgsql_classes_write(struct store *s, const struct class_row *rows, size_t n,
                              uint64_t now_ms)
{
    int rc = store_pgsql_write(s, &classes_retire, NULL, NULL, NULL);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char price[PGSQL_INT_LEN], counts[PGSQL_INT_LEN];
        const char *params[] = {rows[i].name, pgsql_int(price, rows[i].price_micro_per_gb),
                                pgsql_int(counts, rows[i].counts_toward_quota)};
        rc = store_pgsql_write(s, &class_upsert, params, NULL, NULL);
    }
    char now[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(now, (int64_t)now_ms)};
    return rc == 0 ? store_pgsql_write(s, &classes_mark, params, NULL, NULL) : rc;
}

int admin_pgsql_classes_known(struct store *s)
{
    int rc;
    PGresult *r = store_pgsql_run(s, &classes_check, NULL, &rc);
    if (!r)
        return rc;
    bool ok = PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return ok;
}

int admin_pgsql_class_list(struct store *s, store_class_fn *fn, void *ctx)
{
    int rc;
    PGresult *r = store_pgsql_run(s, &class_list, NULL, &rc);
    if (!r)
        return rc;
    struct class_row c;
    for (int i = 0; i < PQntuples(r); i++) {
        copy_text(c.name, sizeof c.name, r, i, 0);
        c.price_micro_per_gb = pgsql_get_int(r, i, 1);
        c.counts_toward_quota = pgsql_get_int(r, i, 2) != 0;
        c.is_current = pgsql_get_int(r, i, 3) != 0;
        fn(ctx, &c);
    }
    PQclear(r);
    return 0;
}
