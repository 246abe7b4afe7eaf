// SPDX-License-Identifier: MIT
// The portal's logins in SQLite: users, their sessions and failed logins, with the same
// statements and meaning as users_pgsql.c, always with bound parameters. Each call prepares
// its statement and finalizes it: these run once per login or page view, not per flow.
// Removing a user removes its sessions, and removing a subscriber its users, through the
// schema's foreign keys (ON DELETE CASCADE, migration 9), which every writer's connection
// turns on (migrate_sqlite.c); a reader never writes.
#include "store.h"

#include "../base/err.h"
#include "rows.h"
#include "sqlite_private.h"

#include <stdio.h>
#include <string.h>

/* A user's columns, with the account a customer sees ("" for none). */
#define USER_COLS "u.id, u.login, u.role, coalesce(s.account, ''), u.password, u.created_ms"
#define USER_JOIN "LEFT JOIN subscribers s ON s.id = u.subscriber_id"

static const char user_insert[] = "INSERT INTO users (role, subscriber_id, password, login,"
                                  " created_ms) VALUES (?1, ?2, ?3, ?4, ?5)";
static const char user_update[] = "UPDATE users SET role = ?1, subscriber_id = ?2, password = ?3"
                                  " WHERE login = ?4";
static const char user_get[] = "SELECT " USER_COLS " FROM users u " USER_JOIN " WHERE u.login = ?1";
static const char user_list[] = "SELECT " USER_COLS " FROM users u " USER_JOIN " ORDER BY u.login";
static const char user_remove[] = "DELETE FROM users WHERE login = ?1";
static const char user_set_password[] = "UPDATE users SET password = ?2 WHERE id = ?1";
/* A session of a user that does not exist inserts nothing (ERR_NOT_FOUND), rather than fail
 * on the foreign key as if something were taken. */
static const char session_put[] = "INSERT INTO sessions (id_hash, user_id, csrf, created_ms,"
                                  " seen_ms) SELECT ?1, id, ?3, ?4, ?5 FROM users WHERE id = ?2";
static const char session_get[] =
    "SELECT se.id_hash, se.user_id, se.csrf, se.created_ms, se.seen_ms, " USER_COLS
    " FROM sessions se JOIN users u ON u.id = se.user_id " USER_JOIN " WHERE se.id_hash = ?1";
/* Two requests of one session may finish out of order: the later time stays. */
static const char session_touch[] = "UPDATE sessions SET seen_ms = max(seen_ms, ?2)"
                                    " WHERE id_hash = ?1";
static const char session_remove[] = "DELETE FROM sessions WHERE id_hash = ?1";
static const char session_remove_user[] = "DELETE FROM sessions WHERE user_id = ?1";
static const char session_expire[] = "DELETE FROM sessions WHERE seen_ms < ?1 OR created_ms < ?2";
static const char failure_get[] = "SELECT key, failures, first_ms, last_ms FROM login_failures"
                                  " WHERE key = ?1";
static const char failure_put[] =
    "INSERT INTO login_failures (key, failures, first_ms, last_ms) VALUES (?1, ?2, ?3, ?4)"
    " ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,"
    " first_ms = excluded.first_ms, last_ms = excluded.last_ms";
static const char failure_clear[] = "DELETE FROM login_failures WHERE key = ?1";
static const char failure_expire[] = "DELETE FROM login_failures WHERE last_ms < ?1";
static const char reset_expire[] = "DELETE FROM password_resets WHERE expires_ms < ?1";
/* As session_put: a link of a user that does not exist inserts nothing (ERR_NOT_FOUND). */
static const char reset_put[] =
    "INSERT INTO password_resets (token_hash, user_id, created_ms, expires_ms, used_ms)"
    " SELECT ?1, id, ?3, ?4, 0 FROM users WHERE id = ?2";
/* One statement decides: of two takes, the second finds the link used. A used link keeps
 * a time above 0 even if the clock said 0. */
static const char reset_take[] =
    "UPDATE password_resets SET used_ms = max(?2, 1)"
    " WHERE token_hash = ?1 AND used_ms = 0 AND expires_ms > ?2 RETURNING user_id";
static const char reset_get[] =
    "SELECT " USER_COLS " FROM password_resets r JOIN users u ON u.id = r.user_id " USER_JOIN
    " WHERE r.token_hash = ?1 AND r.used_ms = 0 AND r.expires_ms > ?2";
static const char user_get_id[] = "SELECT " USER_COLS " FROM users u " USER_JOIN " WHERE u.id = ?1";

/* Steps a write to completion and finalizes it. OUT: *n_changed (may be NULL), the rows it
 * changed. Returns store_sqlite_write_result()'s code. */
static int write_done(struct store *s, sqlite3_stmt *st, int *n_changed, char *errbuf)
{
    int rc = store_sqlite_write_result(s, sqlite3_step(st), errbuf);
    if (n_changed)
        *n_changed = rc == 0 ? sqlite3_changes(store_sqlite_db(s)) : 0;
    sqlite_stmt_release(s, st);
    return rc;
}

/* Runs a write of one key (text) and, with n_changed, counts what it changed. */
static int write_key(struct store *s, const char *sql, const char *key, int *n_changed)
{
    sqlite3_stmt *st = sqlite_prepare(s, sql);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, key);
    return write_done(s, st, n_changed, NULL);
}

/* Steps a read of one row: 0 with the row ready, or ERR_NOT_FOUND or ERR_STORE with the
 * statement finalized. */
static int read_one(struct store *s, sqlite3_stmt *st)
{
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        return 0;
    if (step != SQLITE_DONE)
        store_sqlite_note_error(s);
    sqlite_stmt_release(s, st);
    return step == SQLITE_DONE ? ERR_NOT_FOUND : ERR_STORE;
}

/* ---- users ---- */

/* A user from USER_COLS, starting at column col. */
static void read_user(sqlite3_stmt *st, int col, struct user *u)
{
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, col);
    sqlite_copy_text(u->login, sizeof u->login, st, col + 1);
    sqlite_copy_text(u->role, sizeof u->role, st, col + 2);
    sqlite_copy_text(u->account, sizeof u->account, st, col + 3);
    sqlite_copy_text(u->password, sizeof u->password, st, col + 4);
    u->created_ms = (uint64_t)sqlite3_column_int64(st, col + 5);
}

int users_sqlite_user_save(struct store *s, const struct user *u, bool insert, char *errbuf)
{
    struct subscriber sub = {0};
    int rc = rows_user_subscriber(s, u, &sub, errbuf);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sqlite_prepare(s, insert ? user_insert : user_update);
    if (!st) {
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
        return ERR_STORE;
    }
    sqlite_bind_text(st, 1, u->role);
    if (u->account[0])
        sqlite3_bind_int64(st, 2, sub.id);
    else
        sqlite3_bind_null(st, 2);
    sqlite_bind_text(st, 3, u->password);
    sqlite_bind_text(st, 4, u->login);
    if (insert)
        sqlite3_bind_int64(st, 5, rows_time(u->created_ms));
    int n;
    rc = write_done(s, st, &n, errbuf);
    return rows_user_saved(u, rc, n, errbuf);
}

int users_sqlite_user_get(struct store *s, const char *login, struct user *out)
{
    sqlite3_stmt *st = sqlite_prepare(s, user_get);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, login);
    int rc = read_one(s, st);
    if (rc == 0) {
        read_user(st, 0, out);
        sqlite3_finalize(st);
    }
    return rc;
}

int users_sqlite_user_list(struct store *s, store_user_fn *fn, void *ctx)
{
    sqlite3_stmt *st = sqlite_prepare(s, user_list);
    if (!st)
        return ERR_STORE;
    struct user u;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_user(st, 0, &u);
        fn(ctx, &u);
    }
    if (step != SQLITE_DONE)
        store_sqlite_note_error(s);
    sqlite3_finalize(st);
    return step == SQLITE_DONE ? 0 : ERR_STORE;
}

int users_sqlite_user_remove(struct store *s, const char *login, char *errbuf)
{
    int n;
    int rc = write_key(s, user_remove, login, &n);
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
    else if (n == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no user '%s'", login);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

int users_sqlite_user_set_password(struct store *s, int64_t user_id, const char *password)
{
    if (!rows_fits(password, sizeof((struct user *)0)->password))
        return ERR_MALFORMED;
    sqlite3_stmt *st = sqlite_prepare(s, user_set_password);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite_bind_text(st, 2, password);
    int n;
    int rc = write_done(s, st, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

/* ---- sessions ---- */

int users_sqlite_session_put(struct store *s, const struct session_row *r)
{
    int rc = rows_session_check(r, NULL);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sqlite_prepare(s, session_put);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, r->id_hash);
    sqlite3_bind_int64(st, 2, r->user_id);
    sqlite_bind_text(st, 3, r->csrf);
    sqlite3_bind_int64(st, 4, rows_time(r->created_ms));
    sqlite3_bind_int64(st, 5, rows_time(r->seen_ms));
    int n;
    rc = write_done(s, st, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int users_sqlite_session_get(struct store *s, const char *id_hash, struct session_row *out,
                             struct user *user_out)
{
    sqlite3_stmt *st = sqlite_stmt(s, session_get); /* every request of a logged-in user */
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, id_hash);
    int rc = read_one(s, st);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof *out);
    sqlite_copy_text(out->id_hash, sizeof out->id_hash, st, 0);
    out->user_id = sqlite3_column_int64(st, 1);
    sqlite_copy_text(out->csrf, sizeof out->csrf, st, 2);
    out->created_ms = (uint64_t)sqlite3_column_int64(st, 3);
    out->seen_ms = (uint64_t)sqlite3_column_int64(st, 4);
    if (user_out)
        read_user(st, 5, user_out);
    sqlite_stmt_release(s, st);
    return 0;
}

int users_sqlite_session_touch(struct store *s, const char *id_hash, uint64_t seen_ms)
{
    sqlite3_stmt *st = sqlite_stmt(s, session_touch);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, id_hash);
    sqlite3_bind_int64(st, 2, rows_time(seen_ms));
    int n;
    int rc = write_done(s, st, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int users_sqlite_session_remove(struct store *s, const char *id_hash)
{
    return write_key(s, session_remove, id_hash, NULL);
}

int users_sqlite_session_remove_user(struct store *s, int64_t user_id, int *n_removed)
{
    sqlite3_stmt *st = sqlite_prepare(s, session_remove_user);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, user_id);
    return write_done(s, st, n_removed, NULL);
}

int users_sqlite_session_expire(struct store *s, uint64_t seen_before_ms,
                                uint64_t created_before_ms, int *n_removed)
{
    sqlite3_stmt *st = sqlite_prepare(s, session_expire);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, rows_time(seen_before_ms));
    sqlite3_bind_int64(st, 2, rows_time(created_before_ms));
    return write_done(s, st, n_removed, NULL);
}

/* ---- failed logins ---- */

/* Inside a transaction the key is the transaction's already: begin() is BEGIN IMMEDIATE, so
 * no other connection writes until it ends (store.h, login_failure_get). */
int users_sqlite_login_failure_get(struct store *s, const char *key, struct login_failure_row *out)
{
    sqlite3_stmt *st = sqlite_prepare(s, failure_get);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, key);
    int rc = read_one(s, st);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof *out);
    sqlite_copy_text(out->key, sizeof out->key, st, 0);
    out->failures = sqlite3_column_int64(st, 1);
    out->first_ms = (uint64_t)sqlite3_column_int64(st, 2);
    out->last_ms = (uint64_t)sqlite3_column_int64(st, 3);
    sqlite3_finalize(st);
    return 0;
}

int users_sqlite_login_failure_put(struct store *s, const struct login_failure_row *r)
{
    int rc = rows_login_failure_check(r, NULL);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sqlite_prepare(s, failure_put);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, r->key);
    sqlite3_bind_int64(st, 2, r->failures);
    sqlite3_bind_int64(st, 3, rows_time(r->first_ms));
    sqlite3_bind_int64(st, 4, rows_time(r->last_ms));
    return write_done(s, st, NULL, NULL);
}

int users_sqlite_login_failure_clear(struct store *s, const char *key)
{
    return write_key(s, failure_clear, key, NULL);
}

int users_sqlite_login_failure_expire(struct store *s, uint64_t last_before_ms, int *n_removed)
{
    sqlite3_stmt *st = sqlite_prepare(s, failure_expire);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, rows_time(last_before_ms));
    return write_done(s, st, n_removed, NULL);
}

/* ---- password reset links ---- */

int users_sqlite_reset_put(struct store *s, const struct reset_row *r)
{
    if (!rows_fits(r->token_hash, sizeof r->token_hash))
        return ERR_MALFORMED;
    sqlite3_stmt *st = sqlite_prepare(s, reset_expire);
    if (!st)
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, rows_time(r->created_ms));
    int rc = write_done(s, st, NULL, NULL);
    if (rc != 0 || !(st = sqlite_prepare(s, reset_put)))
        return rc != 0 ? rc : ERR_STORE;
    sqlite_bind_text(st, 1, r->token_hash);
    sqlite3_bind_int64(st, 2, r->user_id);
    sqlite3_bind_int64(st, 3, rows_time(r->created_ms));
    sqlite3_bind_int64(st, 4, rows_time(r->expires_ms));
    int n;
    rc = write_done(s, st, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int users_sqlite_reset_get(struct store *s, const char *token_hash, uint64_t now_ms,
                           struct user *user)
{
    sqlite3_stmt *st = sqlite_prepare(s, reset_get);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, rows_time(now_ms));
    int rc = read_one(s, st);
    if (rc != 0)
        return rc;
    read_user(st, 0, user);
    sqlite3_finalize(st);
    return 0;
}

int users_sqlite_reset_take(struct store *s, const char *token_hash, uint64_t now_ms,
                            struct user *user)
{
    sqlite3_stmt *st = sqlite_prepare(s, reset_take);
    if (!st)
        return ERR_STORE;
    sqlite_bind_text(st, 1, token_hash);
    sqlite3_bind_int64(st, 2, rows_time(now_ms));
    int step = sqlite3_step(st);
    int64_t user_id = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    while (step == SQLITE_ROW) /* the one row; then the statement completes */
        step = sqlite3_step(st);
    int rc = store_sqlite_write_result(s, step, NULL);
    sqlite3_finalize(st);
    if (rc != 0)
        return rc;
    if (user_id == 0)
        return ERR_NOT_FOUND;
    if (!(st = sqlite_prepare(s, user_get_id)))
        return ERR_STORE;
    sqlite3_bind_int64(st, 1, user_id);
    if ((rc = read_one(s, st)) != 0)
        return rc;
    read_user(st, 0, user);
    sqlite3_finalize(st);
    return 0;
}
