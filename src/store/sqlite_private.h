// SPDX-License-Identifier: MIT
// Shared between the SQLite backend's files only: the connection behind a struct store,
// and the file it has open.
#ifndef FT_SQLITE_PRIVATE_H
#define FT_SQLITE_PRIVATE_H

#include "store.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

/* The connection of a store opened by store_sqlite_open(). Borrowed. s must be a SQLite
 * store (asserted: a store of another engine is never read as this one). */
sqlite3 *store_sqlite_db(struct store *s);

/* Keeps what SQLite last said as the store's last_error(). */
void store_sqlite_note_error(struct store *s);

/* The statement for sql, ready for binding; finalize it. NULL (last_error() says why) if it
 * cannot be prepared. For statements run now and then (the collector's keep theirs). */
static inline sqlite3_stmt *sqlite_prepare(struct store *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(store_sqlite_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        store_sqlite_note_error(s);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* The connection's kept statement for sql, ready for binding: prepared once and reused by
 * every later call with the same sql, which must be a string that lives as long as the
 * program (the statement is found by the text's address). While it is in use (a loop over
 * its rows calling back into the store), a fresh one. Hand it back with
 * sqlite_stmt_release(). NULL (last_error() says why) if it cannot be prepared. For
 * statements a request or a batch runs again and again. */
sqlite3_stmt *sqlite_stmt(struct store *s, const char *sql);
/* Resets and unbinds a statement from sqlite_stmt() for the next use (a fresh one is
 * finalized). NULL is ignored. */
void sqlite_stmt_release(struct store *s, sqlite3_stmt *st);

static inline void sqlite_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* A text column into a caller's array (cut to fit; "" for NULL). */
static inline void sqlite_copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

/* What a write returns after sqlite3_step() said step (call before the statement is reset):
 * 0 when it is done; else what SQLite said goes to last_error() and errbuf (may be NULL),
 * and the code is ERR_EXISTS for a taken name or a row still referred to (unique, primary
 * key, foreign key), ERR_MALFORMED for a value the schema refuses (CHECK, NOT NULL), or
 * ERR_STORE. */
int store_sqlite_write_result(struct store *s, int step, char *errbuf);

/* The administrative operations (admin_sqlite.c), as struct store_ops documents them. */
int admin_sqlite_batch(struct store *s, store_work_fn *fn, void *ctx);
int admin_sqlite_plan_save(struct store *s, const struct plan *p, bool insert, char *errbuf);
int admin_sqlite_plan_get(struct store *s, const char *name, struct plan *out);
int admin_sqlite_plan_list(struct store *s, store_plan_fn *fn, void *ctx);
int admin_sqlite_plan_remove(struct store *s, const char *name, char *errbuf);
int admin_sqlite_subscriber_save(struct store *s, const struct subscriber *sub, bool insert,
                                 char *errbuf);
int admin_sqlite_subscriber_get(struct store *s, const char *account, struct subscriber *out);
int admin_sqlite_subscriber_get_id(struct store *s, int64_t id, struct subscriber *out);
int admin_sqlite_subscriber_list(struct store *s, store_subscriber_fn *fn, void *ctx);
int admin_sqlite_subscriber_remove(struct store *s, const char *account, char *errbuf);
int admin_sqlite_binding_open_of(struct store *s, const char *value,
                                 void (*fn)(void *ctx, int64_t subscriber_id, uint64_t start_ms),
                                 void *ctx);
int admin_sqlite_binding_close(struct store *s, const char *value, const char *session,
                               uint64_t at_ms, int *n);
int admin_sqlite_binding_insert(struct store *s, int64_t subscriber_id, const char *kind,
                                const char *value, uint64_t start_ms, uint64_t end_ms,
                                const char *source, const char *session, char *errbuf);
int admin_sqlite_binding_is_open(struct store *s, const char *value, int64_t subscriber_id);
int admin_sqlite_binding_list(struct store *s, const char *account, store_binding_fn *fn,
                              void *ctx);
int admin_sqlite_lease_put(struct store *s, const struct lease_row *l);
int admin_sqlite_lease_list(struct store *s, store_lease_fn *fn, void *ctx);
int admin_sqlite_lease_at(struct store *s, const char *ip, uint64_t at_ms, struct lease_row *out);
int64_t admin_sqlite_bindings_version(struct store *s);
int admin_sqlite_classes_write(struct store *s, const struct class_row *rows, size_t n,
                               uint64_t now_ms);
int admin_sqlite_class_list(struct store *s, store_class_fn *fn, void *ctx);
int admin_sqlite_classes_known(struct store *s);

/* What billing reads and writes (billing_sqlite.c), as struct store_ops documents it. */
int billing_sqlite_scan_usage(struct store *s, const struct usage_query *q, store_usage_fn *fn,
                              void *ctx);
int billing_sqlite_plan_history(struct store *s, int64_t subscriber_id, store_plan_step_fn *fn,
                                void *ctx);
int billing_sqlite_topup_add(struct store *s, const struct topup_row *t, char *errbuf);
int billing_sqlite_topup_list(struct store *s, int64_t subscriber_id, uint64_t from_ms,
                              uint64_t to_ms, store_topup_fn *fn, void *ctx);
int billing_sqlite_invoice_issue(struct store *s, struct invoice_row *inv,
                                 const struct invoice_line *lines, size_t n_lines,
                                 const struct invoice_usage *usage, size_t n_usage, char *errbuf);
int billing_sqlite_invoice_list(struct store *s, const struct invoice_query *q,
                                store_invoice_fn *fn, void *ctx);
int billing_sqlite_invoice_get(struct store *s, const char *kind, int64_t number,
                               struct invoice_row *out);
int billing_sqlite_invoice_lines(struct store *s, int64_t invoice_id, store_invoice_line_fn *fn,
                                 void *ctx);
int billing_sqlite_invoice_lines_of_cycle(struct store *s, int64_t subscriber_id, const char *cycle,
                                          store_invoice_line_fn *fn, void *ctx);
int billing_sqlite_invoice_usage_list(struct store *s, int64_t subscriber_id,
                                      store_invoice_usage_fn *fn, void *ctx);
int billing_sqlite_invoice_unmailed(struct store *s, uint64_t since_ms, store_invoice_fn *fn,
                                    void *ctx);
int billing_sqlite_meta_get(struct store *s, const char *key, int64_t *value);
int billing_sqlite_meta_set(struct store *s, const char *key, int64_t value);

/* Alerts, the mail queue and enforcement (alert_sqlite.c), as struct store_ops documents them. */
int alert_sqlite_fire(struct store *s, struct alert_row *a, struct mail_row *m, char *errbuf);
int alert_sqlite_list(struct store *s, int64_t subscriber_id, const char *cycle, store_alert_fn *fn,
                      void *ctx);
int alert_sqlite_rearm(struct store *s, int64_t subscriber_id, uint64_t cycle_start_ms,
                       const char *level);
int alert_sqlite_mail_enqueue(struct store *s, struct mail_row *m, char *errbuf);
int alert_sqlite_mail_claim(struct store *s, uint64_t now_ms, uint64_t lease_until_ms, int max,
                            store_mail_fn *fn, void *ctx);
int alert_sqlite_mail_update(struct store *s, int64_t id, const char *state, uint64_t next_try_ms,
                             uint64_t sent_ms, const char *last_error);
int alert_sqlite_mail_list(struct store *s, const char *state, store_mail_fn *fn, void *ctx);
int alert_sqlite_mail_retry_all(struct store *s, uint64_t now_ms, int *n);
int alert_sqlite_enforce_get(struct store *s, int64_t subscriber_id, struct enforce_row *out);
int alert_sqlite_enforce_put(struct store *s, const struct enforce_row *e);
int alert_sqlite_enforce_list(struct store *s, uint64_t now_ms, store_enforce_fn *fn, void *ctx);
int alert_sqlite_usage_subscribers(struct store *s, uint64_t since_ms,
                                   void (*fn)(void *ctx, int64_t subscriber_id), void *ctx);

/* The portal's logins (users_sqlite.c), as struct store_ops documents them. */
int users_sqlite_user_save(struct store *s, const struct user *u, bool insert, char *errbuf);
int users_sqlite_user_get(struct store *s, const char *login, struct user *out);
int users_sqlite_user_list(struct store *s, store_user_fn *fn, void *ctx);
int users_sqlite_user_remove(struct store *s, const char *login, char *errbuf);
int users_sqlite_user_set_password(struct store *s, int64_t user_id, const char *password);
int users_sqlite_session_put(struct store *s, const struct session_row *r);
int users_sqlite_session_get(struct store *s, const char *id_hash, struct session_row *out,
                             struct user *user_out);
int users_sqlite_session_touch(struct store *s, const char *id_hash, uint64_t seen_ms);
int users_sqlite_session_remove(struct store *s, const char *id_hash);
int users_sqlite_session_remove_user(struct store *s, int64_t user_id, int *n_removed);
int users_sqlite_session_expire(struct store *s, uint64_t seen_before_ms,
                                uint64_t created_before_ms, int *n_removed);
int users_sqlite_login_failure_get(struct store *s, const char *key, struct login_failure_row *out);
int users_sqlite_login_failure_put(struct store *s, const struct login_failure_row *r);
int users_sqlite_login_failure_clear(struct store *s, const char *key);
int users_sqlite_login_failure_expire(struct store *s, uint64_t last_before_ms, int *n_removed);
int users_sqlite_reset_put(struct store *s, const struct reset_row *r);
int users_sqlite_reset_get(struct store *s, const char *token_hash, uint64_t now_ms,
                           struct user *user);
int users_sqlite_reset_take(struct store *s, const char *token_hash, uint64_t now_ms,
                            struct user *user);

/* What each flush counted from each exporter (seen_sqlite.c), as struct store_ops
 * documents it. */
int seen_sqlite_add(struct store *s, const struct seen_row *r);
int seen_sqlite_prune(struct store *s, uint64_t before_ms, int max_rows, int *n_removed);
int seen_sqlite_read(struct store *s, uint64_t since_ms, store_seen_fn *fn, void *ctx);

/* The store's file, as the collector opened it (sqlite_file.c). */
struct sqlite_file {
    char *path;      /* owned */
    bool known;      /* db holds the file's identity */
    struct stat db;  /* device and inode of the database file when identified */
    bool has_wal;    /* wal holds the -wal file's identity */
    struct stat wal; /* likewise of the -wal file */
    int lock_fd;     /* -1, or a descriptor of the database holding flock(LOCK_EX) */
};

enum sqlite_file_state {
    SQLITE_FILE_SAME,      /* the path is still the file we write (or it was never identified) */
    SQLITE_FILE_REMOVED,   /* no file at the path any more (or its -wal is gone) */
    SQLITE_FILE_REPLACED,  /* another file sits at the path */
    SQLITE_FILE_UNREADABLE /* stat() failed otherwise (permissions on the directory) */
};

void sqlite_file_init(struct sqlite_file *f, const char *path);
/* Closes the lock; call after the connection is closed. */
void sqlite_file_deinit(struct sqlite_file *f);
/* Records which files the path and its -wal name now. */
void sqlite_file_identify(struct sqlite_file *f);
enum sqlite_file_state sqlite_file_check(const struct sqlite_file *f);
/* Takes the collector's lock on the file at the path (flock, released by the kernel when
 * the process ends, so a crash leaves no stale lock). Returns 0, ERR_EXISTS when another
 * process holds it, or ERR_STORE; the message in errbuf. */
int sqlite_file_lock(struct sqlite_file *f, char *errbuf);
/* Writes the database `from` (whose files were removed) to a new file at the path and
 * opens it. OUT: *out, the new connection (caller owns). Returns 0 or ERR_STORE with msg. */
int sqlite_file_restore(struct sqlite_file *f, sqlite3 *from, sqlite3 **out, char *msg);

#endif
