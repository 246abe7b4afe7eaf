// SPDX-License-Identifier: MIT
// Alerts, the outgoing mail queue and the enforcement hook's rows in PostgreSQL, with the
// same meaning as alert_sqlite.c. Statements are prepared on first use on a connection and
// kept, every value a parameter. Several collectors may write one database at once, and
// nothing here may end the caller's transaction by failing where another connection was
// first:
// - an alert and its message go in with INSERT ... ON CONFLICT DO NOTHING, never a unique
//   violation. Two connections firing one level meet on the alerts' unique key: the second
//   waits there until the first's transaction ends, then inserts nothing (it committed) and
//   says ERR_EXISTS, or inserts (it rolled back);
// - a claim locks the due messages it takes (FOR UPDATE SKIP LOCKED) and marks them in the
//   same statement: another claim at the same time skips those rows rather than wait for
//   them, and takes the next ones.
#include "store.h"

#include "../base/err.h"
#include "pgsql_private.h"
#include "rows.h"

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
static const struct pgsql_stmt alert_insert = {
    "alert_insert", "ititiii",
    "INSERT INTO alerts (subscriber_id, cycle, cycle_start_ms, level, used_bytes, quota_bytes,"
    " fired_ms) SELECT id, $2, $3, $4, $5, $6, $7 FROM subscribers WHERE id = $1"
    " ON CONFLICT (subscriber_id, cycle_start_ms, level) DO NOTHING RETURNING id"};
static const struct pgsql_stmt subscriber_exists = {"subscriber_exists", "i",
                                                    "SELECT 1 FROM subscribers WHERE id = $1"};
static const struct pgsql_stmt alert_mail = {"alert_mail", "ii",
                                             "UPDATE alerts SET mail_id = $2 WHERE id = $1"};
static const struct pgsql_stmt alert_drop = {"alert_drop", "i", "DELETE FROM alerts WHERE id = $1"};
static const struct pgsql_stmt alert_rearm = {
    "alert_rearm", "iit",
    "DELETE FROM alerts WHERE subscriber_id = $1 AND cycle_start_ms = $2 AND level = $3"};
/* One subscriber's (its unique key), one cycle's (alerts_cycle) or all. */
static const struct pgsql_stmt alert_list_subscriber = {
    "alert_list_subscriber", "it",
    ALERT_SELECT " WHERE a.subscriber_id = $1 AND ($2::text IS NULL OR a.cycle = $2)"
                 " ORDER BY a.fired_ms, a.id"};
static const struct pgsql_stmt alert_list_cycle = {
    "alert_list_cycle", "it", ALERT_SELECT " WHERE a.cycle = $2 ORDER BY a.fired_ms, a.id"};
static const struct pgsql_stmt alert_list_all = {"alert_list_all", "it",
                                                 ALERT_SELECT " ORDER BY a.fired_ms, a.id"};
static const struct pgsql_stmt mail_insert = {
    "mail_insert", "ttttttii",
    "INSERT INTO mail (event, kind, message_id, to_addr, subject, body, state, tries,"
    " created_ms, next_try_ms, sent_ms, lease_ms, last_error)"
    " VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $8, 0, 0, '')"
    " ON CONFLICT (event) DO NOTHING RETURNING id"};
/* Locks up to $3 due messages in the order they are due (read through mail_state: the
 * queued and the sending, not every message sent), skipping those another claim holds,
 * and marks them; READ COMMITTED checks each row's condition again as it locks it, so one
 * that a claim committed meanwhile is left out. Rows come back from an UPDATE in no
 * order: they are sorted after. */
static const struct pgsql_stmt mail_claim = {
    "mail_claim", "iii",
    "WITH due AS (SELECT id FROM mail WHERE state IN ('queued', 'sending')"
    " AND ((state = 'queued' AND next_try_ms <= $1) OR (state = 'sending' AND lease_ms <= $1))"
    " ORDER BY next_try_ms, id LIMIT $3 FOR UPDATE SKIP LOCKED),"
    " claimed AS (UPDATE mail m SET state = 'sending', lease_ms = $2, tries = m.tries + 1"
    " FROM due WHERE m.id = due.id RETURNING m.*)"
    " SELECT " MAIL_COLS ", body FROM claimed ORDER BY next_try_ms, id"};
static const struct pgsql_stmt mail_update = {
    "mail_update", "itiit",
    "UPDATE mail SET state = $2, next_try_ms = $3, sent_ms = $4, last_error = $5,"
    " lease_ms = 0, body = CASE WHEN $2 = 'sent' AND kind = 'reset' THEN '' ELSE body END"
    " WHERE id = $1"}; /* a reset's link opens the account until it expires: once sent, it goes */
static const struct pgsql_stmt mail_list_state = {
    "mail_list_state", "t", "SELECT " MAIL_COLS " FROM mail WHERE state = $1 ORDER BY id"};
static const struct pgsql_stmt mail_list_all = {"mail_list_all", "",
                                                "SELECT " MAIL_COLS " FROM mail ORDER BY id"};
static const struct pgsql_stmt mail_retry = {
    "mail_retry", "i",
    "UPDATE mail SET state = 'queued', next_try_ms = least(next_try_ms, $1)"
    " WHERE state = 'failed' OR (state = 'queued' AND next_try_ms > $1)"};
static const struct pgsql_stmt enforce_get = {"enforce_get", "i",
                                              ENFORCE_SELECT " WHERE e.subscriber_id = $1"};
/* A subscriber that does not exist inserts nothing (ERR_NOT_FOUND), rather than fail on the
 * foreign key (which would end the caller's transaction). */
static const struct pgsql_stmt enforce_put = {
    "enforce_put", "ittiiiit",
    "INSERT INTO enforcement (subscriber_id, state, addresses, done, tries, changed_ms,"
    " next_try_ms, last_error) SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM subscribers"
    " WHERE id = $1 ON CONFLICT (subscriber_id) DO UPDATE SET state = excluded.state,"
    " addresses = excluded.addresses, done = excluded.done, tries = excluded.tries,"
    " changed_ms = excluded.changed_ms, next_try_ms = excluded.next_try_ms,"
    " last_error = excluded.last_error"};
static const struct pgsql_stmt enforce_due = {
    "enforce_due", "i",
    ENFORCE_SELECT " WHERE e.done = 0 AND e.next_try_ms <= $1 ORDER BY e.subscriber_id"};
static const struct pgsql_stmt enforce_all = {"enforce_all", "",
                                              ENFORCE_SELECT " ORDER BY e.subscriber_id"};

static void copy_text(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, row, col));
}

/* Runs a statement that returns at most one row of one bigint (RETURNING id). OUT: *value,
 * *found. Returns 0 or a code of store_pgsql_run(). */
static int run_id(struct store *s, const struct pgsql_stmt *st, const char *const *params,
                  int64_t *value, bool *found)
{
    int rc;
    PGresult *r = store_pgsql_run(s, st, params, &rc);
    if (!r)
        return rc;
    *found = PQntuples(r) == 1;
    *value = *found ? pgsql_get_int(r, 0, 0) : 0;
    PQclear(r);
    return 0;
}

/* Runs st with two ids ($1, and $2 unless st has one parameter). */
static int write_ids(struct store *s, const struct pgsql_stmt *st, int64_t id, int64_t other)
{
    char a[PGSQL_INT_LEN], b[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(a, id), pgsql_int(b, other)};
    return store_pgsql_write(s, st, params, NULL, NULL);
}

/* ---- the mail queue ---- */

/* Inserts a queued message. OUT: *id. Returns 0, ERR_EXISTS (its event is taken: nothing
 * written) or the write's code, with errbuf. */
static int enqueue(struct store *s, const struct mail_row *m, int64_t *id, char *errbuf)
{
    char created[PGSQL_INT_LEN], next[PGSQL_INT_LEN];
    const char *params[] = {m->event,
                            m->kind,
                            m->message_id,
                            m->to_addr,
                            m->subject,
                            m->body,
                            pgsql_int(created, rows_time(m->created_ms)),
                            pgsql_int(next, rows_time(m->next_try_ms))};
    bool found;
    int rc = run_id(s, &mail_insert, params, id, &found);
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "%s", store_pgsql_error(s));
    else if (!found) {
        snprintf(errbuf, ERR_BUF_LEN, "a message for event '%s' is in the queue already", m->event);
        rc = ERR_EXISTS;
    }
    return rc;
}

int alert_pgsql_mail_enqueue(struct store *s, struct mail_row *m, char *errbuf)
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
static void read_mail(const PGresult *r, int i, struct mail_row *m)
{
    memset(m, 0, sizeof *m);
    m->id = pgsql_get_int(r, i, 0);
    copy_text(m->event, sizeof m->event, r, i, 1);
    copy_text(m->kind, sizeof m->kind, r, i, 2);
    copy_text(m->message_id, sizeof m->message_id, r, i, 3);
    copy_text(m->to_addr, sizeof m->to_addr, r, i, 4);
    copy_text(m->subject, sizeof m->subject, r, i, 5);
    copy_text(m->state, sizeof m->state, r, i, 6);
    m->tries = (int)pgsql_get_int(r, i, 7);
    m->created_ms = (uint64_t)pgsql_get_int(r, i, 8);
    m->next_try_ms = (uint64_t)pgsql_get_int(r, i, 9);
    m->sent_ms = (uint64_t)pgsql_get_int(r, i, 10);
    m->lease_ms = (uint64_t)pgsql_get_int(r, i, 11);
    copy_text(m->last_error, sizeof m->last_error, r, i, 12);
}

/* One statement: outside a transaction it has committed when the rows are handed over. */
int alert_pgsql_mail_claim(struct store *s, uint64_t now_ms, uint64_t lease_until_ms, int max,
                           store_mail_fn *fn, void *ctx)
{
    if (max <= 0)
        return 0;
    char now[PGSQL_INT_LEN], until[PGSQL_INT_LEN], limit[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(now, rows_time(now_ms)),
                            pgsql_int(until, rows_time(lease_until_ms)), pgsql_int(limit, max)};
    int rc;
    PGresult *r = store_pgsql_run(s, &mail_claim, params, &rc);
    if (!r)
        return rc;
    struct mail_row m;
    for (int i = 0; i < PQntuples(r); i++) {
        read_mail(r, i, &m);
        m.body = PQgetvalue(r, i, 13);
        fn(ctx, &m);
    }
    PQclear(r);
    return 0;
}

int alert_pgsql_mail_update(struct store *s, int64_t id, const char *state, uint64_t next_try_ms,
                            uint64_t sent_ms, const char *last_error)
{
    if (!rows_mail_outcome(state))
        return ERR_MALFORMED;
    char err[sizeof((struct mail_row *)0)->last_error];
    char i[PGSQL_INT_LEN], next[PGSQL_INT_LEN], sent[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(i, id), state, pgsql_int(next, rows_time(next_try_ms)),
                            pgsql_int(sent, rows_time(sent_ms)),
                            rows_diagnostic(last_error, err, sizeof err)};
    int n;
    int rc = store_pgsql_write(s, &mail_update, params, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int alert_pgsql_mail_list(struct store *s, const char *state, store_mail_fn *fn, void *ctx)
{
    const char *params[] = {state};
    int rc;
    PGresult *r =
        store_pgsql_run(s, state ? &mail_list_state : &mail_list_all, state ? params : NULL, &rc);
    if (!r)
        return rc;
    struct mail_row m;
    for (int i = 0; i < PQntuples(r); i++) {
        read_mail(r, i, &m);
        fn(ctx, &m);
    }
    PQclear(r);
    return 0;
}

int alert_pgsql_mail_retry_all(struct store *s, uint64_t now_ms, int *n)
{
    char now[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(now, rows_time(now_ms))};
    return store_pgsql_write(s, &mail_retry, params, n, NULL);
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
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, a->subscriber_id)};
    int64_t one;
    bool found;
    int rc = run_id(s, &subscriber_exists, params, &one, &found);
    if (rc != 0)
        return rc;
    if (!found) {
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
    char sub[PGSQL_INT_LEN], start[PGSQL_INT_LEN], used[PGSQL_INT_LEN], quota[PGSQL_INT_LEN],
        fired[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(sub, a->subscriber_id),
                            a->cycle,
                            pgsql_int(start, rows_time(a->cycle_start_ms)),
                            a->level,
                            pgsql_int(used, rows_time(a->used_bytes)),
                            pgsql_int(quota, rows_time(a->quota_bytes)),
                            pgsql_int(fired, rows_time(a->fired_ms))};
    int64_t id, mail_id = 0;
    bool found;
    int rc = run_id(s, &alert_insert, params, &id, &found);
    if (rc == 0 && !found)
        return fire_refused(s, a, w->errbuf);
    if (rc == 0 && w->m) {
        rc = enqueue(s, w->m, &mail_id, w->errbuf);
        if (rc == 0)
            rc = write_ids(s, &alert_mail, id, mail_id);
        else if (rc == ERR_EXISTS && write_ids(s, &alert_drop, id, 0) != 0)
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

int alert_pgsql_fire(struct store *s, struct alert_row *a, struct mail_row *m, char *errbuf)
{
    errbuf[0] = '\0';
    int rc = rows_alert_check(a, errbuf);
    if (rc == 0 && m)
        rc = rows_mail_check(m, errbuf);
    if (rc != 0)
        return rc;
    struct fire w = {a, m, errbuf};
    if (store_pgsql_in_transaction(s))
        rc = fire(s, &w);
    else
        rc = store_transaction(s, fire, &w);
    if (rc != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s", store_pgsql_error(s));
    return rc;
}

int alert_pgsql_list(struct store *s, int64_t subscriber_id, const char *cycle, store_alert_fn *fn,
                     void *ctx)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, subscriber_id), cycle};
    const struct pgsql_stmt *st = subscriber_id >= 0 ? &alert_list_subscriber
                                  : cycle            ? &alert_list_cycle
                                                     : &alert_list_all;
    int rc;
    PGresult *r = store_pgsql_run(s, st, params, &rc);
    if (!r)
        return rc;
    struct alert_row a;
    for (int i = 0; i < PQntuples(r); i++) {
        memset(&a, 0, sizeof a);
        a.id = pgsql_get_int(r, i, 0);
        a.subscriber_id = pgsql_get_int(r, i, 1);
        copy_text(a.account, sizeof a.account, r, i, 2);
        copy_text(a.cycle, sizeof a.cycle, r, i, 3);
        a.cycle_start_ms = (uint64_t)pgsql_get_int(r, i, 4);
        copy_text(a.level, sizeof a.level, r, i, 5);
        a.used_bytes = (uint64_t)pgsql_get_int(r, i, 6);
        a.quota_bytes = (uint64_t)pgsql_get_int(r, i, 7);
        a.fired_ms = (uint64_t)pgsql_get_int(r, i, 8);
        a.mail_id = pgsql_get_int(r, i, 9);
        fn(ctx, &a);
    }
    PQclear(r);
    return 0;
}

int alert_pgsql_rearm(struct store *s, int64_t subscriber_id, uint64_t cycle_start_ms,
                      const char *level)
{
    char id[PGSQL_INT_LEN], start[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, subscriber_id),
                            pgsql_int(start, rows_time(cycle_start_ms)), level};
    return store_pgsql_write(s, &alert_rearm, params, NULL, NULL);
}

/* ---- enforcement ---- */

static void read_enforce(const PGresult *r, int i, struct enforce_row *e)
{
    memset(e, 0, sizeof *e);
    e->subscriber_id = pgsql_get_int(r, i, 0);
    copy_text(e->account, sizeof e->account, r, i, 1);
    copy_text(e->state, sizeof e->state, r, i, 2);
    copy_text(e->addresses, sizeof e->addresses, r, i, 3);
    e->is_done = pgsql_get_int(r, i, 4) != 0;
    e->tries = (int)pgsql_get_int(r, i, 5);
    e->changed_ms = (uint64_t)pgsql_get_int(r, i, 6);
    e->next_try_ms = (uint64_t)pgsql_get_int(r, i, 7);
    copy_text(e->last_error, sizeof e->last_error, r, i, 8);
}

int alert_pgsql_enforce_get(struct store *s, int64_t subscriber_id, struct enforce_row *out)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, subscriber_id)};
    int rc;
    PGresult *r = store_pgsql_run(s, &enforce_get, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0)
        read_enforce(r, 0, out);
    PQclear(r);
    return rc;
}

int alert_pgsql_enforce_put(struct store *s, const struct enforce_row *e)
{
    int rc = rows_enforce_check(e, NULL);
    if (rc != 0)
        return rc;
    char err[sizeof e->last_error];
    char id[PGSQL_INT_LEN], done[PGSQL_INT_LEN], tries[PGSQL_INT_LEN], changed[PGSQL_INT_LEN],
        next[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, e->subscriber_id),
                            e->state,
                            e->addresses,
                            pgsql_int(done, e->is_done),
                            pgsql_int(tries, e->tries),
                            pgsql_int(changed, rows_time(e->changed_ms)),
                            pgsql_int(next, rows_time(e->next_try_ms)),
                            rows_diagnostic(e->last_error, err, sizeof err)};
    int n;
    rc = store_pgsql_write(s, &enforce_put, params, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int alert_pgsql_enforce_list(struct store *s, uint64_t now_ms, store_enforce_fn *fn, void *ctx)
{
    bool is_all = now_ms == UINT64_MAX;
    char now[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(now, rows_time(now_ms))};
    int rc;
    PGresult *r =
        store_pgsql_run(s, is_all ? &enforce_all : &enforce_due, is_all ? NULL : params, &rc);
    if (!r)
        return rc;
    struct enforce_row e;
    for (int i = 0; i < PQntuples(r); i++) {
        read_enforce(r, i, &e);
        fn(ctx, &e);
    }
    PQclear(r);
    return 0;
}

static const struct pgsql_stmt usage_subscribers = {
    "usage_subscribers", "i",
    "SELECT DISTINCT subscriber_id FROM usage WHERE bucket >= $1 AND subscriber_id <> 0"
    " ORDER BY subscriber_id"};

int alert_pgsql_usage_subscribers(struct store *s, uint64_t since_ms,
                                  void (*fn)(void *ctx, int64_t subscriber_id), void *ctx)
{
    char since[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(since, (int64_t)((since_ms + 999) / 1000))};
    int rc;
    PGresult *r = store_pgsql_run(s, &usage_subscribers, params, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++)
        fn(ctx, strtoll(PQgetvalue(r, i, 0), NULL, 10));
    PQclear(r);
    return 0;
}
