// SPDX-License-Identifier: MIT
// Shorthands for the store's operations (store.h), so call sites read
// store_plan_get(s, ...) rather than s->ops->plan_get(s, ...), the operations written once
// over the engines (bindings.c, rows.c), and the portal's read cache (readcache.c).
// Included through store.h.
#ifndef FT_STORE_CALLS_H
#define FT_STORE_CALLS_H

#include "store.h"

/* ---- shorthands for the operations above, for readable call sites ---- */

static inline int store_admin_batch(struct store *s, store_work_fn *fn, void *ctx)
{
    return s->ops->batch(s, fn, ctx);
}
static inline int store_plan_save(struct store *s, const struct plan *p, bool insert, char *errbuf)
{
    return s->ops->plan_save(s, p, insert, errbuf);
}
static inline int store_plan_get(struct store *s, const char *name, struct plan *out)
{
    return s->ops->plan_get(s, name, out);
}
static inline int store_plan_list(struct store *s, store_plan_fn *fn, void *ctx)
{
    return s->ops->plan_list(s, fn, ctx);
}
static inline int store_plan_remove(struct store *s, const char *name, char *errbuf)
{
    return s->ops->plan_remove(s, name, errbuf);
}
static inline int store_subscriber_save(struct store *s, const struct subscriber *sub, bool insert,
                                        char *errbuf)
{
    return s->ops->subscriber_save(s, sub, insert, errbuf);
}
static inline int store_subscriber_get(struct store *s, const char *account, struct subscriber *out)
{
    return s->ops->subscriber_get(s, account, out);
}
static inline int store_subscriber_get_id(struct store *s, int64_t id, struct subscriber *out)
{
    return s->ops->subscriber_get_id(s, id, out);
}
static inline int store_subscriber_list(struct store *s, store_subscriber_fn *fn, void *ctx)
{
    return s->ops->subscriber_list(s, fn, ctx);
}
static inline int store_subscriber_remove(struct store *s, const char *account, char *errbuf)
{
    return s->ops->subscriber_remove(s, account, errbuf);
}
/* Binds value (a normalised prefix or MAC text) to the account from start to end. Open
 * bindings of the same value end at `start`, so an address moves from one subscriber to
 * the next without overlap; one that starts at or after `start` is deleted (it never
 * applied). Open-ended (end 0) while the account holds an open binding of value already:
 * nothing changes and it returns STORE_BINDING_HELD. One transaction (or part of the one
 * open). Returns 0, STORE_BINDING_HELD, or a negative code with errbuf (ERR_NOT_FOUND: no
 * such account). (store/bindings.c: the same rules on every engine.) */
int store_binding_add(struct store *s, const char *account, const char *kind, const char *value,
                      uint64_t start_ms, uint64_t end_ms, const char *source, const char *session,
                      char *errbuf);
/* Ends the open bindings of value (or of a RADIUS session, when session is non-NULL) at
 * at_ms; those that start at or after at_ms are deleted, so no binding is ever left ending
 * where it starts. OUT: *n_ended (may be NULL), both kinds. One transaction (or part of the
 * one open). */
int store_binding_end(struct store *s, const char *value, const char *session, uint64_t at_ms,
                      int *n_ended);
static inline int store_binding_is_open(struct store *s, const char *value, int64_t subscriber_id)
{
    return s->ops->binding_is_open(s, value, subscriber_id);
}
static inline int store_binding_list(struct store *s, const char *account, store_binding_fn *fn,
                                     void *ctx)
{
    return s->ops->binding_list(s, account, fn, ctx);
}
static inline int store_lease_put(struct store *s, const struct lease_row *l)
{
    return s->ops->lease_put(s, l);
}
static inline int store_lease_list(struct store *s, store_lease_fn *fn, void *ctx)
{
    return s->ops->lease_list(s, fn, ctx);
}
static inline int64_t store_bindings_version(struct store *s)
{
    return s->ops->bindings_version(s);
}
static inline int64_t store_usage_version(struct store *s)
{
    return s->ops->usage_version(s);
}
static inline int store_classes_write(struct store *s, const struct class_row *rows, size_t n,
                                      uint64_t now_ms)
{
    return s->ops->classes_write(s, rows, n, now_ms);
}
static inline int store_class_list(struct store *s, store_class_fn *fn, void *ctx)
{
    return s->ops->class_list(s, fn, ctx);
}
static inline int store_lease_at(struct store *s, const char *ip, uint64_t at_ms,
                                 struct lease_row *out)
{
    return s->ops->lease_at(s, ip, at_ms, out);
}
static inline int store_user_save(struct store *s, const struct user *u, bool insert, char *errbuf)
{
    return s->ops->user_save(s, u, insert, errbuf);
}
static inline int store_user_get(struct store *s, const char *login, struct user *out)
{
    return s->ops->user_get(s, login, out);
}
static inline int store_user_list(struct store *s, store_user_fn *fn, void *ctx)
{
    return s->ops->user_list(s, fn, ctx);
}
static inline int store_user_remove(struct store *s, const char *login, char *errbuf)
{
    return s->ops->user_remove(s, login, errbuf);
}
static inline int store_user_set_password(struct store *s, int64_t user_id, const char *password)
{
    return s->ops->user_set_password(s, user_id, password);
}
static inline int store_session_put(struct store *s, const struct session_row *r)
{
    return s->ops->session_put(s, r);
}
static inline int store_session_get(struct store *s, const char *id_hash, struct session_row *out,
                                    struct user *user_out)
{
    return s->ops->session_get(s, id_hash, out, user_out);
}
static inline int store_session_touch(struct store *s, const char *id_hash, uint64_t seen_ms)
{
    return s->ops->session_touch(s, id_hash, seen_ms);
}
static inline int store_session_remove(struct store *s, const char *id_hash)
{
    return s->ops->session_remove(s, id_hash);
}
static inline int store_session_remove_user(struct store *s, int64_t user_id, int *n_removed)
{
    return s->ops->session_remove_user(s, user_id, n_removed);
}
static inline int store_session_expire(struct store *s, uint64_t seen_before_ms,
                                       uint64_t created_before_ms, int *n_removed)
{
    return s->ops->session_expire(s, seen_before_ms, created_before_ms, n_removed);
}
static inline int store_login_failure_get(struct store *s, const char *key,
                                          struct login_failure_row *out)
{
    return s->ops->login_failure_get(s, key, out);
}
static inline int store_login_failure_put(struct store *s, const struct login_failure_row *r)
{
    return s->ops->login_failure_put(s, r);
}
static inline int store_login_failure_clear(struct store *s, const char *key)
{
    return s->ops->login_failure_clear(s, key);
}
static inline int store_login_failure_expire(struct store *s, uint64_t last_before_ms,
                                             int *n_removed)
{
    return s->ops->login_failure_expire(s, last_before_ms, n_removed);
}
static inline int store_reset_put(struct store *s, const struct reset_row *r)
{
    return s->ops->reset_put(s, r);
}
static inline int store_reset_get(struct store *s, const char *token_hash, uint64_t now_ms,
                                  struct user *user)
{
    return s->ops->reset_get(s, token_hash, now_ms, user);
}
static inline int store_reset_take(struct store *s, const char *token_hash, uint64_t now_ms,
                                   struct user *user)
{
    return s->ops->reset_take(s, token_hash, now_ms, user);
}
static inline int store_scan_usage(struct store *s, const struct usage_query *q, store_usage_fn *fn,
                                   void *ctx)
{
    return s->ops->scan_usage(s, q, fn, ctx);
}
static inline int store_plan_history(struct store *s, int64_t subscriber_id, store_plan_step_fn *fn,
                                     void *ctx)
{
    return s->ops->plan_history(s, subscriber_id, fn, ctx);
}
static inline int store_topup_add(struct store *s, const struct topup_row *t, char *errbuf)
{
    return s->ops->topup_add(s, t, errbuf);
}
static inline int store_topup_list(struct store *s, int64_t subscriber_id, uint64_t from_ms,
                                   uint64_t to_ms, store_topup_fn *fn, void *ctx)
{
    return s->ops->topup_list(s, subscriber_id, from_ms, to_ms, fn, ctx);
}
static inline int store_invoice_issue(struct store *s, struct invoice_row *inv,
                                      const struct invoice_line *lines, size_t n_lines,
                                      const struct invoice_usage *usage, size_t n_usage,
                                      char *errbuf)
{
    return s->ops->invoice_issue(s, inv, lines, n_lines, usage, n_usage, errbuf);
}
static inline int store_invoice_list(struct store *s, const struct invoice_query *q,
                                     store_invoice_fn *fn, void *ctx)
{
    return s->ops->invoice_list(s, q, fn, ctx);
}
static inline int store_invoice_get(struct store *s, const char *kind, int64_t number,
                                    struct invoice_row *out)
{
    return s->ops->invoice_get(s, kind, number, out);
}
static inline int store_invoice_lines(struct store *s, int64_t invoice_id,
                                      store_invoice_line_fn *fn, void *ctx)
{
    return s->ops->invoice_lines(s, invoice_id, fn, ctx);
}
static inline int store_invoice_lines_of_cycle(struct store *s, int64_t subscriber_id,
                                               const char *cycle, store_invoice_line_fn *fn,
                                               void *ctx)
{
    return s->ops->invoice_lines_of_cycle(s, subscriber_id, cycle, fn, ctx);
}
static inline int store_invoice_usage_list(struct store *s, int64_t subscriber_id,
                                           store_invoice_usage_fn *fn, void *ctx)
{
    return s->ops->invoice_usage_list(s, subscriber_id, fn, ctx);
}
static inline int store_invoice_unmailed(struct store *s, uint64_t since_ms, store_invoice_fn *fn,
                                         void *ctx)
{
    return s->ops->invoice_unmailed(s, since_ms, fn, ctx);
}
static inline int store_meta_get(struct store *s, const char *key, int64_t *value)
{
    return s->ops->meta_get(s, key, value);
}
static inline int store_meta_set(struct store *s, const char *key, int64_t value)
{
    return s->ops->meta_set(s, key, value);
}
static inline int store_alert_fire(struct store *s, struct alert_row *a, struct mail_row *m,
                                   char *errbuf)
{
    return s->ops->alert_fire(s, a, m, errbuf);
}
static inline int store_alert_list(struct store *s, int64_t subscriber_id, const char *cycle,
                                   store_alert_fn *fn, void *ctx)
{
    return s->ops->alert_list(s, subscriber_id, cycle, fn, ctx);
}
static inline int store_alert_rearm(struct store *s, int64_t subscriber_id, uint64_t cycle_start_ms,
                                    const char *level)
{
    return s->ops->alert_rearm(s, subscriber_id, cycle_start_ms, level);
}
static inline int store_mail_enqueue(struct store *s, struct mail_row *m, char *errbuf)
{
    return s->ops->mail_enqueue(s, m, errbuf);
}
static inline int store_mail_claim(struct store *s, uint64_t now_ms, uint64_t lease_until_ms,
                                   int max, store_mail_fn *fn, void *ctx)
{
    return s->ops->mail_claim(s, now_ms, lease_until_ms, max, fn, ctx);
}
static inline int store_mail_update(struct store *s, int64_t id, const char *state,
                                    uint64_t next_try_ms, uint64_t sent_ms, const char *last_error)
{
    return s->ops->mail_update(s, id, state, next_try_ms, sent_ms, last_error);
}
static inline int store_mail_list(struct store *s, const char *state, store_mail_fn *fn, void *ctx)
{
    return s->ops->mail_list(s, state, fn, ctx);
}
static inline int store_mail_retry_all(struct store *s, uint64_t now_ms, int *n)
{
    return s->ops->mail_retry_all(s, now_ms, n);
}
static inline int store_enforce_get(struct store *s, int64_t subscriber_id, struct enforce_row *out)
{
    return s->ops->enforce_get(s, subscriber_id, out);
}
static inline int store_enforce_put(struct store *s, const struct enforce_row *e)
{
    return s->ops->enforce_put(s, e);
}
static inline int store_enforce_list(struct store *s, uint64_t now_ms, store_enforce_fn *fn,
                                     void *ctx)
{
    return s->ops->enforce_list(s, now_ms, fn, ctx);
}
static inline int store_usage_subscribers(struct store *s, uint64_t since_ms,
                                          void (*fn)(void *ctx, int64_t subscriber_id), void *ctx)
{
    return s->ops->usage_subscribers(s, since_ms, fn, ctx);
}
/* Whether readers may compute quotas: 0, or ERR_NOT_FOUND with errbuf saying why (the
 * store holds usage in named classes but no class list), or another negative code. */
int store_classes_check(struct store *s, char *errbuf);

/* ---- the portal's read cache (readcache.c) ---- */

/* A cache of usage reads, shared by several stores open on one database (the portal's
 * connections, one per thread). Usage changes only when a flush commits, and every such
 * commit moves the store's usage_version on: a read asked again while the version has not
 * moved has the answer it had, so the cache hands that back instead of reading again, and
 * the answer is exact, not nearly fresh. Engine-agnostic: it sits in front of
 * ops->read_usage and keeps the rows the engine gave, in the order it gave them. */

struct store_read_cache;

/* A cache holding the answers of at most max_reads reads (the least recently used go
 * first). Thread-safe. Returns it; free with store_read_cache_free() after every store
 * using it is closed or detached. */
struct store_read_cache *store_read_cache_new(size_t max_reads);
void store_read_cache_free(struct store_read_cache *c);

/* Reads through the cache: fn gets exactly the rows s->ops->read_usage would give now, in
 * its order, from memory when the same query was answered at the current usage_version.
 * Without a cache (c NULL), or when the version cannot be read, it reads the store. Returns
 * as read_usage. Several threads may call it at once, each with its own store. */
int store_read_cache_usage(struct store_read_cache *c, struct store *s, const struct usage_query *q,
                           store_usage_fn *fn, void *ctx);

/* Hits, misses (reads that went to the store), for tests and the benchmark. */
void store_read_cache_counts(struct store_read_cache *c, uint64_t *hits, uint64_t *misses);

/* Usage as ops->read_usage reads it, through the store's read cache when it has one. */
static inline int store_read_usage(struct store *s, const struct usage_query *q, store_usage_fn *fn,
                                   void *ctx)
{
    return store_read_cache_usage(s->read_cache, s, q, fn, ctx);
}

#endif
