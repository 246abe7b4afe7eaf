// SPDX-License-Identifier: MIT
// Shared between the PostgreSQL backend's files only: running a statement that is prepared
// once per connection, the transaction state and what the last failure said (store_pgsql.c),
// the URI's passwords, masked or scrubbed from messages (uri_pgsql.c), and the usage rows
// of a flush on their way to the staging table (stage_pgsql.c).
#ifndef FT_PGSQL_PRIVATE_H
#define FT_PGSQL_PRIVATE_H

#include "store.h"

#include "../base/err.h"
#include "../base/uri.h"

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A statement prepared on first use on a connection, and again after a reconnect. The SQL
 * is constant; every value goes in as a parameter. */
struct pgsql_stmt {
    const char *name;  /* unique among the backend's statements */
    const char *types; /* one letter per parameter, $1 first: i bigint, t text */
    const char *sql;
};

/* Text big enough for any int64 in decimal. */
#define PGSQL_INT_LEN 24

/* Runs st with its parameters (text; NULL is SQL NULL), after sending what add_usage and
 * add_stat buffered (so a statement never runs ahead of rows added before it). Returns the
 * result (caller frees with PQclear()), or NULL with *rc set: ERR_EXISTS when the write
 * met a taken name or a row still referred to (unique, foreign key), ERR_MALFORMED when the
 * schema refused a value (check, not null), else ERR_STORE; what the server said is then
 * in last_error(). s must be a PostgreSQL store (asserted). Thread: the store's. */
PGresult *store_pgsql_run(struct store *s, const struct pgsql_stmt *st, const char *const *params,
                          int *rc);

/* Runs a write with store_pgsql_run(). OUT: *n_rows (may be NULL), the rows it changed.
 * errbuf (may be NULL) gets what the server said when it fails. Returns 0 or a code of
 * store_pgsql_run(). */
int store_pgsql_write(struct store *s, const struct pgsql_stmt *st, const char *const *params,
                      int *n_rows, char *errbuf);

/* Runs constant SQL without parameters (transaction control, a cursor's CLOSE), after
 * sending what add_usage and add_stat buffered. Returns 0 or ERR_STORE (last_error() says
 * why). */
int store_pgsql_exec(struct store *s, const char *sql);

/* Sends st as store_pgsql_run() runs it, but returns without waiting for the result: the
 * server works on it while the caller does something else. is_binary: the result's values
 * in binary format (a bigint is 8 bytes, big-endian; text is its bytes), else text. The
 * caller then takes the result with store_pgsql_receive(), before sending another; a
 * statement run in between (any of this store's operations) first reads the result and
 * keeps it for store_pgsql_receive(). Returns 0, or a code of store_pgsql_run() (nothing
 * sent then). */
int store_pgsql_send(struct store *s, const struct pgsql_stmt *st, const char *const *params,
                     bool is_binary);

/* The result of what store_pgsql_send() sent, waiting for it if need be, as
 * store_pgsql_run() returns one. */
PGresult *store_pgsql_receive(struct store *s, int *rc);

/* Whether a transaction is open on the connection (begin() or a failed one not yet rolled
 * back). */
bool store_pgsql_in_transaction(struct store *s);

/* What the last failure said (as last_error()). Borrowed. */
const char *store_pgsql_error(struct store *s);

/* Opens the store named by a postgresql:// or postgres:// URI, as store_open() documents:
 * a writer migrates the schema forward, a reader requires this binary's version. Returns a
 * new store, or NULL with a message (the password masked) in errbuf. */
struct store *store_pgsql_open(const char *uri, bool readonly, char *errbuf);

/* The administrative operations (admin_pgsql.c), as struct store_ops documents them. */
int admin_pgsql_batch(struct store *s, store_work_fn *fn, void *ctx);
int admin_pgsql_plan_save(struct store *s, const struct plan *p, bool insert, char *errbuf);
int admin_pgsql_plan_get(struct store *s, const char *name, struct plan *out);
int admin_pgsql_plan_list(struct store *s, store_plan_fn *fn, void *ctx);
int admin_pgsql_plan_remove(struct store *s, const char *name, char *errbuf);
int admin_pgsql_subscriber_save(struct store *s, const struct subscriber *sub, bool insert,
                                char *errbuf);
int admin_pgsql_subscriber_get(struct store *s, const char *account, struct subscriber *out);
int admin_pgsql_subscriber_get_id(struct store *s, int64_t id, struct subscriber *out);
int admin_pgsql_subscriber_list(struct store *s, store_subscriber_fn *fn, void *ctx);
int admin_pgsql_subscriber_remove(struct store *s, const char *account, char *errbuf);
int admin_pgsql_binding_open_of(struct store *s, const char *value,
                                void (*fn)(void *ctx, int64_t subscriber_id, uint64_t start_ms),
                                void *ctx);
int admin_pgsql_binding_close(struct store *s, const char *value, const char *session,
                              uint64_t at_ms, int *n);
int admin_pgsql_binding_insert(struct store *s, int64_t subscriber_id, const char *kind,
                               const char *value, uint64_t start_ms, uint64_t end_ms,
                               const char *source, const char *session, char *errbuf);
int admin_pgsql_binding_is_open(struct store *s, const char *value, int64_t subscriber_id);
int admin_pgsql_binding_list(struct store *s, const char *account, store_binding_fn *fn, void *ctx);
int admin_pgsql_lease_put(struct store *s, const struct lease_row *l);
int admin_pgsql_lease_list(struct store *s, store_lease_fn *fn, void *ctx);
int admin_pgsql_lease_at(struct store *s, const char *ip, uint64_t at_ms, struct lease_row *out);
int64_t admin_pgsql_bindings_version(struct store *s);
int admin_pgsql_classes_write(struct store *s, const struct class_row *rows, size_t n,
                              uint64_t now_ms);
int admin_pgsql_class_list(struct store *s, store_class_fn *fn, void *ctx);
int admin_pgsql_classes_known(struct store *s);

/* What billing reads and writes (billing_pgsql.c), as struct store_ops documents it. */
int billing_pgsql_scan_usage(struct store *s, const struct usage_query *q, store_usage_fn *fn,
                             void *ctx);
int billing_pgsql_plan_history(struct store *s, int64_t subscriber_id, store_plan_step_fn *fn,
                               void *ctx);
int billing_pgsql_topup_add(struct store *s, const struct topup_row *t, char *errbuf);
int billing_pgsql_topup_list(struct store *s, int64_t subscriber_id, uint64_t from_ms,
                             uint64_t to_ms, store_topup_fn *fn, void *ctx);
int billing_pgsql_invoice_issue(struct store *s, struct invoice_row *inv,
                                const struct invoice_line *lines, size_t n_lines,
                                const struct invoice_usage *usage, size_t n_usage, char *errbuf);
int billing_pgsql_invoice_list(struct store *s, const struct invoice_query *q, store_invoice_fn *fn,
                               void *ctx);
int billing_pgsql_invoice_get(struct store *s, const char *kind, int64_t number,
                              struct invoice_row *out);
int billing_pgsql_invoice_lines(struct store *s, int64_t invoice_id, store_invoice_line_fn *fn,
                                void *ctx);
int billing_pgsql_invoice_lines_of_cycle(struct store *s, int64_t subscriber_id, const char *cycle,
                                         store_invoice_line_fn *fn, void *ctx);
int billing_pgsql_invoice_usage_list(struct store *s, int64_t subscriber_id,
                                     store_invoice_usage_fn *fn, void *ctx);
int billing_pgsql_invoice_unmailed(struct store *s, uint64_t since_ms, store_invoice_fn *fn,
                                   void *ctx);
int billing_pgsql_meta_get(struct store *s, const char *key, int64_t *value);
int billing_pgsql_meta_set(struct store *s, const char *key, int64_t value);

/* Alerts, the mail queue and enforcement (alert_pgsql.c), as struct store_ops documents them. */
int alert_pgsql_fire(struct store *s, struct alert_row *a, struct mail_row *m, char *errbuf);
int alert_pgsql_list(struct store *s, int64_t subscriber_id, const char *cycle, store_alert_fn *fn,
                     void *ctx);
int alert_pgsql_rearm(struct store *s, int64_t subscriber_id, uint64_t cycle_start_ms,
                      const char *level);
int alert_pgsql_mail_enqueue(struct store *s, struct mail_row *m, char *errbuf);
int alert_pgsql_mail_claim(struct store *s, uint64_t now_ms, uint64_t lease_until_ms, int max,
                           store_mail_fn *fn, void *ctx);
int alert_pgsql_mail_update(struct store *s, int64_t id, const char *state, uint64_t next_try_ms,
                            uint64_t sent_ms, const char *last_error);
int alert_pgsql_mail_list(struct store *s, const char *state, store_mail_fn *fn, void *ctx);
int alert_pgsql_mail_retry_all(struct store *s, uint64_t now_ms, int *n);
int alert_pgsql_enforce_get(struct store *s, int64_t subscriber_id, struct enforce_row *out);
int alert_pgsql_enforce_put(struct store *s, const struct enforce_row *e);
int alert_pgsql_enforce_list(struct store *s, uint64_t now_ms, store_enforce_fn *fn, void *ctx);
int alert_pgsql_usage_subscribers(struct store *s, uint64_t since_ms,
                                  void (*fn)(void *ctx, int64_t subscriber_id), void *ctx);

/* The portal's logins (users_pgsql.c), as struct store_ops documents them. */
int users_pgsql_user_save(struct store *s, const struct user *u, bool insert, char *errbuf);
int users_pgsql_user_get(struct store *s, const char *login, struct user *out);
int users_pgsql_user_list(struct store *s, store_user_fn *fn, void *ctx);
int users_pgsql_user_remove(struct store *s, const char *login, char *errbuf);
int users_pgsql_user_set_password(struct store *s, int64_t user_id, const char *password);
int users_pgsql_session_put(struct store *s, const struct session_row *r);
int users_pgsql_session_get(struct store *s, const char *id_hash, struct session_row *out,
                            struct user *user_out);
int users_pgsql_session_touch(struct store *s, const char *id_hash, uint64_t seen_ms);
int users_pgsql_session_remove(struct store *s, const char *id_hash);
int users_pgsql_session_remove_user(struct store *s, int64_t user_id, int *n_removed);
int users_pgsql_session_expire(struct store *s, uint64_t seen_before_ms, uint64_t created_before_ms,
                               int *n_removed);
int users_pgsql_login_failure_get(struct store *s, const char *key, struct login_failure_row *out);
int users_pgsql_login_failure_put(struct store *s, const struct login_failure_row *r);
int users_pgsql_login_failure_clear(struct store *s, const char *key);
int users_pgsql_login_failure_expire(struct store *s, uint64_t last_before_ms, int *n_removed);
int users_pgsql_reset_put(struct store *s, const struct reset_row *r);
int users_pgsql_reset_get(struct store *s, const char *token_hash, uint64_t now_ms,
                          struct user *user);
int users_pgsql_reset_take(struct store *s, const char *token_hash, uint64_t now_ms,
                           struct user *user);

/* What each flush counted from each exporter (seen_pgsql.c), as struct store_ops
 * documents it. */
int seen_pgsql_add(struct store *s, const struct seen_row *r);
int seen_pgsql_prune(struct store *s, uint64_t before_ms, int max_rows, int *n_removed);
int seen_pgsql_read(struct store *s, uint64_t since_ms, store_seen_fn *fn, void *ctx);

/* ---- the URI's secrets (uri_pgsql.c) ---- */

#define URI_PGSQL_MAX_SECRETS 8

/* The passwords of a URI, as written and percent-decoded. */
struct uri_pgsql_secrets {
    char *text[URI_PGSQL_MAX_SECRETS]; /* owned */
    size_t n;
};

/* The --db text as it may be shown is base/uri.h's uri_mask_password(). */
void uri_pgsql_secrets_init(struct uri_pgsql_secrets *s, const char *uri);
void uri_pgsql_secrets_deinit(struct uri_pgsql_secrets *s);
/* Replaces, in place, every password of s in msg (size bytes, at most ERR_BUF_LEN) and any
 * double-quoted piece of one (what libpq quotes when it cannot parse a URI) by ***. */
void uri_pgsql_scrub(const struct uri_pgsql_secrets *s, char *msg, size_t size);

/* ---- the usage rows of a flush (stage_pgsql.c) ---- */

struct stage_row {
    int64_t bucket, subscriber;
    const char *dir;               /* static: flow_dir_name() */
    const char *class_name, *app;  /* owned by the stage's names; NULL stays NULL */
    int64_t bytes, packets, flows; /* as stored: bigint */
    char host[ADDR_STR_LEN];
};

struct pgsql_stage {
    struct stage_row *rows; /* owned */
    size_t n_rows, cap_rows;
    char **names; /* owned: the class and application names of the rows */
    size_t n_names, cap_names;
    size_t last_class, last_app; /* names[] index each was found at last */
    size_t next;                 /* rows turned into COPY text so far */
    char *text;                  /* owned: the piece of COPY text last formatted */
    size_t text_cap;
};

void stage_pgsql_init(struct pgsql_stage *st);
void stage_pgsql_deinit(struct pgsql_stage *st);
/* Copies a row (and its names) into the stage. */
void stage_pgsql_add(struct pgsql_stage *st, const struct usage_row *row, const char *class_name,
                     const char *app_name);
/* Orders the rows by the usage key, as PostgreSQL orders it (text as bytes), and makes
 * rows of one key a single row of their sums. */
void stage_pgsql_sort(struct pgsql_stage *st);
/* Formats the next rows as COPY text (tab-separated, one line a row), about max bytes.
 * OUT: *len. Returns the text (borrowed until the next call), or NULL when every row has
 * been formatted. */
const char *stage_pgsql_piece(struct pgsql_stage *st, size_t max, size_t *len);
/* Forgets every row. */
void stage_pgsql_clear(struct pgsql_stage *st);

/* Formats v for a parameter. Returns buf (PGSQL_INT_LEN bytes). */
static inline const char *pgsql_int(char *buf, int64_t v)
{
    snprintf(buf, PGSQL_INT_LEN, "%lld", (long long)v);
    return buf;
}

/* A bigint column of a result row (0 when NULL). */
static inline int64_t pgsql_get_int(const PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* A text column of a result row, or NULL when it is NULL. Borrowed from r. */
static inline const char *pgsql_get_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

#endif
