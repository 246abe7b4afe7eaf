// SPDX-License-Identifier: MIT
// The portal's logins in PostgreSQL: users, their sessions and failed logins, with the same
// statements and meaning as users_sqlite.c. Every statement is prepared on its first use on
// a connection and kept, with every value a parameter. Removing a user removes its
// sessions, and removing a subscriber its users, through the schema's foreign keys (ON
// DELETE CASCADE, migration 9).
#include "store.h"

#include "../base/err.h"
#include "pgsql_private.h"
#include "rows.h"

#include <stdio.h>
#include <string.h>

/* A user's columns, with the account a customer sees ("" for none). */
#define USER_COLS "u.id, u.login, u.role, coalesce(s.account, ''), u.password, u.created_ms"
#define USER_JOIN "LEFT JOIN subscribers s ON s.id = u.subscriber_id"

static const struct pgsql_stmt user_insert = {
    "user_insert", "titti",
    "INSERT INTO users (role, subscriber_id, password, login, created_ms)"
    " VALUES ($1, $2, $3, $4, $5)"};
static const struct pgsql_stmt user_update = {
    "user_update", "titt",
    "UPDATE users SET role = $1, subscriber_id = $2, password = $3 WHERE login = $4"};
static const struct pgsql_stmt user_get = {
    "user_get", "t", "SELECT " USER_COLS " FROM users u " USER_JOIN " WHERE u.login = $1"};
static const struct pgsql_stmt user_list = {
    "user_list", "", "SELECT " USER_COLS " FROM users u " USER_JOIN " ORDER BY u.login"};
static const struct pgsql_stmt user_remove = {"user_remove", "t",
                                              "DELETE FROM users WHERE login = $1"};
static const struct pgsql_stmt user_set_password = {"user_set_password", "it",
                                                    "UPDATE users SET password = $2 WHERE id = $1"};
/* A session of a user that does not exist inserts nothing (ERR_NOT_FOUND), rather than fail
 * on the foreign key as if something were taken. */
static const struct pgsql_stmt session_put = {
    "session_put", "titii",
    "INSERT INTO sessions (id_hash, user_id, csrf, created_ms, seen_ms)"
    " SELECT $1, id, $3, $4, $5 FROM users WHERE id = $2"};
static const struct pgsql_stmt session_get = {
    "session_get", "t",
    "SELECT se.id_hash, se.user_id, se.csrf, se.created_ms, se.seen_ms, " USER_COLS
    " FROM sessions se JOIN users u ON u.id = se.user_id " USER_JOIN " WHERE se.id_hash = $1"};
/* Two requests of one session may finish out of order: the later time stays. */
static const struct pgsql_stmt session_touch = {
    "session_touch", "ti",
    "UPDATE sessions SET seen_ms = greatest(seen_ms, $2) WHERE id_hash = $1"};
static const struct pgsql_stmt session_remove = {"session_remove", "t",
                                                 "DELETE FROM sessions WHERE id_hash = $1"};
static const struct pgsql_stmt session_remove_user = {"session_remove_user", "i",
                                                      "DELETE FROM sessions WHERE user_id = $1"};
static const struct pgsql_stmt session_expire = {
    "session_expire", "ii", "DELETE FROM sessions WHERE seen_ms < $1 OR created_ms < $2"};
/* Inside a transaction, a get takes the key until the transaction ends, so a get and a put
 * there count every failure (store.h). A lock on the key rather than on its row: a key
 * without a row yet has nothing to lock. It is in the two-number space of advisory locks,
 * apart from the migration's lock (one number, migrate_pgsql.c); the first number says
 * "failed logins" ("fl" in ASCII), the second is the key's hash (another key with the
 * same hash only waits needlessly). Outside a transaction it is released at once. */
static const struct pgsql_stmt failure_lock = {"failure_lock", "t",
                                               "SELECT pg_advisory_xact_lock(26220, hashtext($1))"};
static const struct pgsql_stmt failure_get = {
    "failure_get", "t",
    "SELECT key, failures, first_ms, last_ms FROM login_failures WHERE key = $1"};
static const struct pgsql_stmt failure_put = {
    "failure_put", "tiii",
    "INSERT INTO login_failures (key, failures, first_ms, last_ms) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,"
    " first_ms = excluded.first_ms, last_ms = excluded.last_ms"};
static const struct pgsql_stmt failure_clear = {"failure_clear", "t",
                                                "DELETE FROM login_failures WHERE key = $1"};
static const struct pgsql_stmt failure_expire = {"failure_expire", "i",
                                                 "DELETE FROM login_failures WHERE last_ms < $1"};

static const struct pgsql_stmt reset_expire = {"reset_expire", "i",
                                               "DELETE FROM password_resets WHERE expires_ms < $1"};
/* As session_put: a link of a user that does not exist inserts nothing (ERR_NOT_FOUND). */
static const struct pgsql_stmt reset_put = {
    "reset_put", "tiii",
    "INSERT INTO password_resets (token_hash, user_id, created_ms, expires_ms, used_ms)"
    " SELECT $1, id, $3, $4, 0 FROM users WHERE id = $2"};
static const struct pgsql_stmt reset_get = {
    "reset_get", "ti",
    "SELECT " USER_COLS " FROM password_resets r JOIN users u ON u.id = r.user_id " USER_JOIN
    " WHERE r.token_hash = $1 AND r.used_ms = 0 AND r.expires_ms > $2"};
/* One statement decides, and reads the user with it. Of two takes at once the second
 * waits for the first's row lock, then evaluates the WHERE again (READ COMMITTED) and finds
 * the link used. A used link keeps a time above 0 even if the clock said 0. */
static const struct pgsql_stmt reset_take = {
    "reset_take", "ti",
    "WITH taken AS (UPDATE password_resets SET used_ms = greatest($2, 1)"
    " WHERE token_hash = $1 AND used_ms = 0 AND expires_ms > $2 RETURNING user_id)"
    " SELECT " USER_COLS " FROM taken JOIN users u ON u.id = taken.user_id " USER_JOIN};

static void copy_text(char *dst, size_t size, const PGresult *r, int row, int col)
{
    snprintf(dst, size, "%s", PQgetvalue(r, row, col));
}

/* Runs a read of at most one row. Returns the result (caller frees with PQclear()) with
 * *rc 0, or NULL with *rc ERR_NOT_FOUND (no row) or a code of store_pgsql_run(). */
static PGresult *read_one(struct store *s, const struct pgsql_stmt *st, const char *const *params,
                          int *rc)
{
    PGresult *r = store_pgsql_run(s, st, params, rc);
    if (r && PQntuples(r) != 1) {
        PQclear(r);
        *rc = ERR_NOT_FOUND;
        return NULL;
    }
    return r;
}

/* ---- users ---- */

/* A user from USER_COLS, starting at column col. */
static void read_user(const PGresult *r, int i, int col, struct user *u)
{
    memset(u, 0, sizeof *u);
    u->id = pgsql_get_int(r, i, col);
    copy_text(u->login, sizeof u->login, r, i, col + 1);
    copy_text(u->role, sizeof u->role, r, i, col + 2);
    copy_text(u->account, sizeof u->account, r, i, col + 3);
    copy_text(u->password, sizeof u->password, r, i, col + 4);
    u->created_ms = (uint64_t)pgsql_get_int(r, i, col + 5);
}

int users_pgsql_user_save(struct store *s, const struct user *u, bool insert, char *errbuf)
{
    struct subscriber sub = {0};
    int rc = rows_user_subscriber(s, u, &sub, errbuf);
    if (rc != 0)
        return rc;
    char id[PGSQL_INT_LEN], created[PGSQL_INT_LEN];
    const char *params[] = {u->role, u->account[0] ? pgsql_int(id, sub.id) : NULL, u->password,
                            u->login, pgsql_int(created, rows_time(u->created_ms))};
    int n;
    rc = store_pgsql_write(s, insert ? &user_insert : &user_update, params, &n, errbuf);
    return rows_user_saved(u, rc, n, errbuf);
}

int users_pgsql_user_get(struct store *s, const char *login, struct user *out)
{
    const char *params[] = {login};
    int rc;
    PGresult *r = read_one(s, &user_get, params, &rc);
    if (!r)
        return rc;
    read_user(r, 0, 0, out);
    PQclear(r);
    return 0;
}

int users_pgsql_user_list(struct store *s, store_user_fn *fn, void *ctx)
{
    int rc;
    PGresult *r = store_pgsql_run(s, &user_list, NULL, &rc);
    if (!r)
        return rc;
    struct user u;
    for (int i = 0; i < PQntuples(r); i++) {
        read_user(r, i, 0, &u);
        fn(ctx, &u);
    }
    PQclear(r);
    return 0;
}

int users_pgsql_user_remove(struct store *s, const char *login, char *errbuf)
{
    const char *params[] = {login};
    int n;
    int rc = store_pgsql_write(s, &user_remove, params, &n, errbuf);
    if (rc == 0 && n == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no user '%s'", login);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

int users_pgsql_user_set_password(struct store *s, int64_t user_id, const char *password)
{
    if (!rows_fits(password, sizeof((struct user *)0)->password))
        return ERR_MALFORMED;
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, user_id), password};
    int n;
    int rc = store_pgsql_write(s, &user_set_password, params, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

/* ---- sessions ---- */

int users_pgsql_session_put(struct store *s, const struct session_row *r)
{
    int rc = rows_session_check(r, NULL);
    if (rc != 0)
        return rc;
    char id[PGSQL_INT_LEN], created[PGSQL_INT_LEN], seen[PGSQL_INT_LEN];
    const char *params[] = {r->id_hash, pgsql_int(id, r->user_id), r->csrf,
                            pgsql_int(created, rows_time(r->created_ms)),
                            pgsql_int(seen, rows_time(r->seen_ms))};
    int n;
    rc = store_pgsql_write(s, &session_put, params, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int users_pgsql_session_get(struct store *s, const char *id_hash, struct session_row *out,
                            struct user *user_out)
{
    const char *params[] = {id_hash};
    int rc;
    PGresult *r = read_one(s, &session_get, params, &rc);
    if (!r)
        return rc;
    memset(out, 0, sizeof *out);
    copy_text(out->id_hash, sizeof out->id_hash, r, 0, 0);
    out->user_id = pgsql_get_int(r, 0, 1);
    copy_text(out->csrf, sizeof out->csrf, r, 0, 2);
    out->created_ms = (uint64_t)pgsql_get_int(r, 0, 3);
    out->seen_ms = (uint64_t)pgsql_get_int(r, 0, 4);
    if (user_out)
        read_user(r, 0, 5, user_out);
    PQclear(r);
    return 0;
}

int users_pgsql_session_touch(struct store *s, const char *id_hash, uint64_t seen_ms)
{
    char seen[PGSQL_INT_LEN];
    const char *params[] = {id_hash, pgsql_int(seen, rows_time(seen_ms))};
    int n;
    int rc = store_pgsql_write(s, &session_touch, params, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int users_pgsql_session_remove(struct store *s, const char *id_hash)
{
    const char *params[] = {id_hash};
    return store_pgsql_write(s, &session_remove, params, NULL, NULL);
}

int users_pgsql_session_remove_user(struct store *s, int64_t user_id, int *n_removed)
{
    char id[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(id, user_id)};
    return store_pgsql_write(s, &session_remove_user, params, n_removed, NULL);
}

int users_pgsql_session_expire(struct store *s, uint64_t seen_before_ms, uint64_t created_before_ms,
                               int *n_removed)
{
    char seen[PGSQL_INT_LEN], created[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(seen, rows_time(seen_before_ms)),
                            pgsql_int(created, rows_time(created_before_ms))};
    return store_pgsql_write(s, &session_expire, params, n_removed, NULL);
}

/* ---- failed logins ---- */

int users_pgsql_login_failure_get(struct store *s, const char *key, struct login_failure_row *out)
{
    const char *params[] = {key};
    int rc;
    if (store_pgsql_in_transaction(s)) {
        PGresult *lock = store_pgsql_run(s, &failure_lock, params, &rc);
        if (!lock)
            return rc;
        PQclear(lock);
    }
    PGresult *r = read_one(s, &failure_get, params, &rc);
    if (!r)
        return rc;
    memset(out, 0, sizeof *out);
    copy_text(out->key, sizeof out->key, r, 0, 0);
    out->failures = pgsql_get_int(r, 0, 1);
    out->first_ms = (uint64_t)pgsql_get_int(r, 0, 2);
    out->last_ms = (uint64_t)pgsql_get_int(r, 0, 3);
    PQclear(r);
    return 0;
}

int users_pgsql_login_failure_put(struct store *s, const struct login_failure_row *r)
{
    int rc = rows_login_failure_check(r, NULL);
    if (rc != 0)
        return rc;
    char failures[PGSQL_INT_LEN], first[PGSQL_INT_LEN], last[PGSQL_INT_LEN];
    const char *params[] = {r->key, pgsql_int(failures, r->failures),
                            pgsql_int(first, rows_time(r->first_ms)),
                            pgsql_int(last, rows_time(r->last_ms))};
    return store_pgsql_write(s, &failure_put, params, NULL, NULL);
}

int users_pgsql_login_failure_clear(struct store *s, const char *key)
{
    const char *params[] = {key};
    return store_pgsql_write(s, &failure_clear, params, NULL, NULL);
}

int users_pgsql_login_failure_expire(struct store *s, uint64_t last_before_ms, int *n_removed)
{
    char last[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(last, rows_time(last_before_ms))};
    return store_pgsql_write(s, &failure_expire, params, n_removed, NULL);
}

/* ---- password reset links ---- */

int users_pgsql_reset_put(struct store *s, const struct reset_row *r)
{
    if (!rows_fits(r->token_hash, sizeof r->token_hash))
        return ERR_MALFORMED;
    char id[PGSQL_INT_LEN], created[PGSQL_INT_LEN], expires[PGSQL_INT_LEN];
    const char *expire_params[] = {pgsql_int(created, rows_time(r->created_ms))};
    int rc = store_pgsql_write(s, &reset_expire, expire_params, NULL, NULL);
    if (rc != 0)
        return rc;
    const char *params[] = {r->token_hash, pgsql_int(id, r->user_id), created,
                            pgsql_int(expires, rows_time(r->expires_ms))};
    int n;
    rc = store_pgsql_write(s, &reset_put, params, &n, NULL);
    return rc == 0 && n == 0 ? ERR_NOT_FOUND : rc;
}

int users_pgsql_reset_get(struct store *s, const char *token_hash, uint64_t now_ms,
                          struct user *user)
{
    char now[PGSQL_INT_LEN];
    const char *params[] = {token_hash, pgsql_int(now, rows_time(now_ms))};
    int rc;
    PGresult *r = read_one(s, &reset_get, params, &rc);
    if (!r)
        return rc;
    read_user(r, 0, 0, user);
    PQclear(r);
    return 0;
}

int users_pgsql_reset_take(struct store *s, const char *token_hash, uint64_t now_ms,
                           struct user *user)
{
    char now[PGSQL_INT_LEN];
    const char *params[] = {token_hash, pgsql_int(now, rows_time(now_ms))};
    int rc;
    PGresult *r = read_one(s, &reset_take, params, &rc);
    if (!r)
        return rc;
    read_user(r, 0, 0, user);
    PQclear(r);
    return 0;
}
