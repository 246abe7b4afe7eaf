// SPDX-License-Identifier: MIT
// The administrative part of the store: plans, subscribers, bindings of addresses and MACs
// to subscribers over time, and DHCP leases. Used by the CLI's admin commands (and later
// the web) through admin/, and by the daemon to load its bindings. Every function takes a
// store opened for writing (or reading, for the read functions) and binds every value as
// an SQL parameter. Times are ms since the epoch UTC; an end of 0 means open-ended.
#ifndef FT_ADMIN_STORE_H
#define FT_ADMIN_STORE_H

#include "store.h"

#include <stdbool.h>
#include <stdint.h>

struct plan {
    int64_t id;
    char name[64];
    bool unlimited;
    uint64_t quota_bytes; /* per cycle, when not unlimited */
    char quota_dirs[8];   /* in, out or both: what counts toward the quota */
    int64_t price_micro;  /* monthly price, millionths of the currency */
    int64_t overage_micro_per_gb;
    char speed[64]; /* a label, e.g. "1.6 Mbps symmetrical" */
    int anchor_day; /* day of the month a cycle starts, 1..28 */
};

struct subscriber {
    int64_t id;
    char account[64]; /* unique; what people type */
    char name[128];
    char email[128];
    char plan[64];   /* plan name, "" for none */
    char status[16]; /* active, suspended, closed */
    char notes[256];
};

struct binding_row {
    int64_t id;
    int64_t subscriber_id;
    char account[64];
    char kind[8];   /* prefix or mac */
    char value[64]; /* "10.1.2.3/32", "2001:db8:1200::/56", "aa:bb:cc:dd:ee:ff" */
    uint64_t start_ms, end_ms;
    char source[16];   /* static, register, radius */
    char session[128]; /* RADIUS Acct-Session-Id */
};

struct lease_row {
    char ip[64];
    char mac[18];
    uint64_t start_ms, end_ms;
};

typedef void store_plan_fn(void *ctx, const struct plan *p);
typedef void store_subscriber_fn(void *ctx, const struct subscriber *s);
typedef void store_binding_fn(void *ctx, const struct binding_row *b);
typedef void store_lease_fn(void *ctx, const struct lease_row *l);

/* Inserts (insert) or updates by name. Returns 0, ERR_EXISTS, ERR_NOT_FOUND or ERR_STORE,
 * with a message in errbuf. */
int store_plan_save(struct store *s, const struct plan *p, bool insert, char *errbuf);
int store_plan_get(struct store *s, const char *name, struct plan *out);
int store_plan_list(struct store *s, store_plan_fn *fn, void *ctx);
/* Refuses (ERR_EXISTS) while subscribers are on the plan. */
int store_plan_remove(struct store *s, const char *name, char *errbuf);

/* Inserts or updates by account; the plan is named, "" for none. */
int store_subscriber_save(struct store *s, const struct subscriber *sub, bool insert, char *errbuf);
int store_subscriber_get(struct store *s, const char *account, struct subscriber *out);
int store_subscriber_list(struct store *s, store_subscriber_fn *fn, void *ctx);
/* Removes the subscriber and its bindings; its usage rows stay, shown as removed. */
int store_subscriber_remove(struct store *s, const char *account, char *errbuf);

/* store_binding_add() changed nothing: the account holds an open binding of the value
 * already (errbuf says since when). Not an error. */
#define STORE_BINDING_HELD 1

/* Binds value (a normalised prefix or MAC text) to the account from start to end. Open
 * bindings of the same value end at `start`, so an address moves from one subscriber to
 * the next without overlap; one that starts at or after `start` is deleted (it never
 * applied). Open-ended (end 0) while the account holds an open binding of value already:
 * nothing changes and it returns STORE_BINDING_HELD. One transaction (or part of the one
 * open). Returns 0, STORE_BINDING_HELD, or a negative code, with a message in errbuf. */
int store_binding_add(struct store *s, const char *account, const char *kind, const char *value,
                      uint64_t start_ms, uint64_t end_ms, const char *source, const char *session,
                      char *errbuf);
/* Ends the open bindings of value (or of a RADIUS session, when session is non-NULL) at
 * at_ms; those that start at or after at_ms are deleted, so no binding is ever left ending
 * where it starts. OUT: *n_ended, both kinds. */
int store_binding_end(struct store *s, const char *value, const char *session, uint64_t at_ms,
                      int *n_ended);
/* Returns 1 if an open binding of value is held by the subscriber, 0 if not, or a negative
 * code. */
int store_binding_is_open(struct store *s, const char *value, int64_t subscriber_id);

/* Lists bindings (of one account, or all when account is NULL), ordered by value, start. */
int store_binding_list(struct store *s, const char *account, store_binding_fn *fn, void *ctx);

/* Records a lease (replacing one with the same ip and start: a renewal updates its end). */
int store_lease_put(struct store *s, const struct lease_row *l);
int store_lease_list(struct store *s, store_lease_fn *fn, void *ctx);

struct class_row {
    char name[33];
    int64_t price_micro_per_gb;
    bool counts_toward_quota;
    bool is_current; /* in the list the daemon loaded last (read side only) */
};

typedef void store_class_fn(void *ctx, const struct class_row *c);

/* Stores the daemon's class list, within the caller's transaction (the daemon writes it
 * in the flush that carries the first usage counted with it, so no usage is ever stored
 * without its list). Classes of earlier lists are kept, marked not current: usage counted
 * in them keeps their price and quota rule. */
int store_classes_write(struct store *s, const struct class_row *rows, size_t n, uint64_t now_ms);
/* Every class ever stored, current or not, by name. */
int store_class_list(struct store *s, store_class_fn *fn, void *ctx);
/* Whether readers may compute quotas: 0, or ERR_NOT_FOUND (message in errbuf) when the
 * store holds usage in named classes but no class list was ever stored. */
int store_classes_check(struct store *s, char *errbuf);

/* A number that changes whenever bindings or leases change (for the daemon's reload). */
int64_t store_bindings_version(struct store *s);

/* Runs fn inside one transaction: BEGIN, fn, COMMIT (ROLLBACK if fn fails). */
int store_transaction(struct store *s, int (*fn)(struct store *s, void *ctx), void *ctx);

/* As store_transaction(), for many administrative writes (a file of subscribers or
 * bindings): while fn runs, the functions above reuse their prepared statements instead of
 * preparing one per call. Only on the calling thread and only for s; other threads and
 * stores are unaffected. */
int store_admin_batch(struct store *s, int (*fn)(struct store *s, void *ctx), void *ctx);

#endif
