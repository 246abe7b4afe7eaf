// SPDX-License-Identifier: MIT
// The store: the one interface through which every other stage reads and writes what
// flowtally keeps (usage in time buckets, collector counters, what each flush saw of each
// exporter, interface health, followed logs' positions, plans, subscribers, bindings,
// leases, traffic classes, the portal's
// users, sessions, failed logins and password reset links, bills, alerts, the outgoing mail
// queue and what the enforcement hook did). One backend per database engine implements
// struct store_ops; only src/store/ includes an engine's header or sees a backend's type.
// store_open() picks the engine from the --db text.
//
// Conventions for every operation below, unless its comment says otherwise:
// - Return: 0, or a negative code (base/err.h): ERR_STORE when the engine failed (what it
//   said is in last_error()), ERR_NOT_FOUND, ERR_EXISTS, ERR_MALFORMED as documented.
// - errbuf, where taken, is caller-owned, ERR_BUF_LEN bytes, and holds a message for a
//   person when the call fails.
// - Transaction: a write outside begin()/commit() is its own transaction; inside, it is
//   part of the caller's. Reads see what is committed (and the caller's own transaction).
//   After a write fails inside a transaction, the caller rolls back: engines differ on
//   what a later write or commit would do (SQLite goes on, PostgreSQL refuses).
// - Rows come in the order each operation names; text sorts by bytes ("Business" before
//   "basic"), and the directions of one usage key in name order (in, internal, out,
//   transit).
// - Strings in rows handed to a callback are borrowed for the duration of the call; rows
//   returned through OUT parameters are copied into caller-owned structs.
// - Threads: a struct store is used by one thread at a time (the daemon's store thread;
//   a CLI command; a web request holds its own). Several stores may be open at once on
//   the same database, in one process or several.
// - Times are ms since the epoch, UTC; bucket starts in usage are seconds, UTC. An end
//   time of 0 means open-ended.
// - Text in a row given to a write must end (NUL) within its array; a write given one that
//   does not is refused with ERR_MALFORMED and stores nothing, rather than cut short.
#ifndef FT_STORE_H
#define FT_STORE_H

#include "../flow/stats.h"
#include "../flow/usage.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

/* ---- rows ---- */

/* What a usage read groups by; direction is always a key. */
enum usage_group {
    USAGE_BY_SUBSCRIBER = 1 << 0,
    USAGE_BY_HOST = 1 << 1,
    USAGE_BY_CLASS = 1 << 2,
    USAGE_BY_APP = 1 << 3,
    USAGE_BY_DAY = 1 << 4,  /* period = (bucket + utc_offset_s) / 86400: a local day */
    USAGE_BY_HOUR = 1 << 5, /* period = (bucket + utc_offset_s) / 3600: a local hour */
};

/* Local time never enters the store: an engine only adds a fixed offset and divides
 * (integers, the same in every engine). The caller (report/) splits a period at the time
 * zone's changes of offset and names the days and hours. */
struct usage_query {
    uint64_t from_ms, to_ms; /* buckets starting in [from, to) */
    unsigned group;          /* enum usage_group bits; DAY and HOUR: HOUR wins */
    int64_t subscriber_id;   /* only this subscriber (0: unassigned), or -1 for all */
    int32_t utc_offset_s;    /* DAY/HOUR: local time minus UTC throughout [from, to) */
};

/* One row of a usage read: the grouped keys (NULL / 0 when not grouped) and the sums. */
struct usage_result {
    int64_t subscriber_id; /* 0 = unassigned */
    const char *account;   /* NULL if unassigned, removed or not grouped */
    const char *host, *class_name, *app;
    int64_t period; /* DAY/HOUR: the local day or hour number, as above; else 0 */
    enum flow_dir dir;
    struct usage_counts counts;
};

struct plan {
    int64_t id;
    char name[64];
    bool unlimited;
    uint64_t quota_bytes; /* per cycle, when not unlimited */
    char quota_dirs[8];   /* in, out or both: what counts toward the quota */
    int64_t price_micro;  /* monthly price, millionths of the currency */
    int64_t overage_micro_per_gb;
    char speed[64]; /* a label, e.g. "1.6 Mbps symmetrical" */
    int anchor_day; /* day of the month a cycle starts, 1..31 (a shorter month: its last) */
    /* Burstable (95th percentile) billing: the monthly price plus, per Mbps the cycle's
     * 95th percentile rate is above commit_bps, price_micro_per_mbps. */
    bool burstable;
    uint64_t commit_bps;
    int64_t price_micro_per_mbps;
    char burst_dirs[8];    /* in, out or max (the greater of the two percentiles); "" when
                            * not burstable */
    char alert_levels[64]; /* the plan's alert levels ("80,100", "10GB"; checked above the
                            * store); "" = the configured default */
};

struct subscriber {
    int64_t id;
    char account[64]; /* unique; what people type */
    char name[128];
    char email[128];
    char plan[64];   /* plan name, "" for none */
    char status[16]; /* active, suspended, closed */
    char notes[256];
    char alert_levels[64]; /* the customer's own alert levels ("50,90", "10GB"; checked
                            * above the store); "" for none */
    uint64_t plan_from_ms; /* subscriber_save only (never read back): when the plan it
                            * saves took effect; see plan_history */
};

/* One step of a subscriber's plan history: from start_ms it held plan ("" = none) until the
 * next step's start. Before its first step a subscriber held no plan. */
struct plan_step {
    int64_t subscriber_id;
    char plan[64];
    uint64_t start_ms;
};

/* Bytes bought on top of a cycle's quota (`flowtally quota add`). */
struct topup_row {
    int64_t id; /* given by the store */
    int64_t subscriber_id;
    uint64_t at_ms; /* when it was bought: it adds to the quota of the cycle holding it */
    uint64_t bytes;
    int64_t price_micro; /* what it costs, millionths of the currency (0: free) */
};

/* An issued billing document: an invoice for a cycle, or a credit or debit note that
 * corrects one. Never changed once issued (the engines refuse an UPDATE or DELETE). */
struct invoice_row {
    int64_t id;        /* given by the store; lines and settled usage name it */
    char kind[8];      /* invoice, credit, debit */
    int64_t number;    /* given by the store: 1, 2, ... per kind, never reused */
    int64_t refers_to; /* a note: the id of the invoice it corrects; else 0 */
    int64_t subscriber_id;
    char account[64]; /* as they were when issued */
    char name[128];
    char plan[64]; /* the plan held at the cycle's end ("" none) */
    char cycle[8]; /* "YYYY-MM": the local month the billed cycle starts in */
    uint64_t cycle_start_ms, cycle_end_ms;
    uint64_t used_bytes;  /* counted toward the quota in the cycle */
    uint64_t quota_bytes; /* the cycle's quota: prorated plan quotas plus top-ups */
    bool unlimited;
    int64_t subtotal_cents, tax_cents, total_cents;
    int64_t tax_rate_micro; /* percent, in millionths (8.1% = 8100000) */
    char currency[4];       /* ISO 4217 code */
    char unit[4];           /* GB (10^9 bytes) or GiB (2^30) */
    uint64_t issued_ms;
};

/* One line of a document, with its amount already rounded to cents. */
struct invoice_line {
    int64_t invoice_id;
    int seq;             /* 1, 2, ... in the document */
    char kind[12];       /* plan, topup, usage, burst */
    char class_name[33]; /* usage: the traffic class; else "" */
    char cycle[8];       /* the cycle it bills: the document's, or an earlier one (late flows) */
    uint64_t bytes;      /* usage: the bytes charged */
    char quantity[32];   /* decimal text: GB, share of the cycle, Mbps, 1 */
    int64_t unit_price_micro;
    int64_t amount_cents;
    char text[128]; /* what a person reads */
};

/* Usage a document settled: the bytes of a class in a cycle it billed. What a cycle's
 * documents settled, against what the store holds now, is what arrived late. */
struct invoice_usage {
    int64_t invoice_id;
    char cycle[8];
    char class_name[33];
    uint64_t bytes;
};

/* Which documents invoice_list() gives. */
struct invoice_query {
    const char *cycle;     /* "YYYY-MM", or NULL for every cycle */
    int64_t subscriber_id; /* or -1 for all */
    const char *kind;      /* invoice, credit, debit, or NULL for every kind */
};

/* A level a subscriber's usage crossed in a cycle. Each (subscriber, cycle_start_ms, level) is
 * recorded at most once: the store remembers what fired across restarts and collectors.
 * History, like a document: a removed subscriber's alerts stay. */
struct alert_row {
    int64_t id; /* given by the store */
    int64_t subscriber_id;
    char account[64]; /* alert_list only: the subscriber's account ("" when removed) */
    char cycle[8];    /* "YYYY-MM": the local month the cycle starts in */
    uint64_t cycle_start_ms;
    char level[16];                   /* as configured: "80%", "100%", "10GB" */
    uint64_t used_bytes, quota_bytes; /* when it fired (quota 0: unlimited) */
    uint64_t fired_ms;
    int64_t mail_id; /* the message queued with it; 0 = none (no email address) */
};

/* A message in the store's outgoing queue: queued in the transaction that decides to send
 * it, claimed by one sender at a time, never dropped. */
struct mail_row {
    int64_t id;           /* given by the store */
    char event[128];      /* unique: what it is for ("alert:42:2026-03:80%",
                           * "report:2026-03-05"); a second message for one event is
                           * refused, for good (a level re-armed and firing again needs an
                           * event of its own: its fired_ms in it, say) */
    char kind[16];        /* alert, report, invoice, reset (not checked by the store) */
    char message_id[192]; /* its Message-ID header ("<...@host>"): a retry sends the same */
    char to_addr[256];    /* the envelope recipient(s), comma-separated */
    char subject[256];    /* for listings; the header in body is what is sent */
    const char *body;     /* the whole message (headers and MIME body, CRLF lines), any
                           * length, kept byte for byte: borrowed for the call, both ways */
    char state[8];        /* queued, sending, sent, failed */
    int tries;            /* attempts made */
    uint64_t created_ms, next_try_ms, sent_ms; /* sent_ms 0: not sent */
    uint64_t lease_ms;                         /* sending: the claim holds until then; else 0 */
    char last_error[256];                      /* what the last attempt said ("" none) */
};

/* What the enforcement hook last did, or must do, for one subscriber. The row goes with the
 * subscriber when it is removed. */
struct enforce_row {
    int64_t subscriber_id;
    char account[64];     /* read side only (enforce_get, enforce_list): its account */
    char state[8];        /* over, under: what the hook must make true */
    char addresses[1024]; /* the subscriber's addresses and prefixes it was run with (or is
                           * to be), space-separated */
    bool is_done;         /* the hook ran with this state and these addresses and succeeded */
    int tries;
    uint64_t changed_ms, next_try_ms;
    char last_error[256]; /* what the hook's last failure said ("" none) */
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

struct class_row {
    char name[33];
    int64_t price_micro_per_gb;
    bool counts_toward_quota;
    bool is_current; /* in the list the daemon loaded last (read side only) */
};

/* Someone who may log in to the portal. */
struct user {
    int64_t id;          /* given by the store; never reused */
    char login[128];     /* lowercase (the caller lowers it; the store compares bytes): an
                          * email address or a name */
    char role[16];       /* customer, staff, admin */
    char account[64];    /* the subscriber a customer sees; "" when none */
    char password[256];  /* crypt(3) text as stored, possibly with a Dovecot scheme prefix
                          * ("{SHA512-CRYPT}$6$..."); "" = none: LDAP only */
    uint64_t created_ms; /* when the user was made */
};

/* A logged-in browser. The token itself is never stored: only its hash. */
struct session_row {
    char id_hash[65]; /* hex SHA-256 of the session token */
    int64_t user_id;
    char csrf[65]; /* the session's anti-forgery token */
    uint64_t created_ms, seen_ms;
};

/* Failed logins counted under one key, to slow guessing down. */
struct login_failure_row {
    char key[200]; /* "user:alice@example.net", "addr:192.0.2.7", ... */
    int64_t failures;
    uint64_t first_ms, last_ms; /* the first and the latest failure counted */
};

/* A password reset link, by the hash of its token (the token itself is only in the mail).
 * Good once, until expires_ms. */
struct reset_row {
    char token_hash[65]; /* hex SHA-256 of the link's token */
    int64_t user_id;
    uint64_t created_ms, expires_ms; /* valid while now < expires_ms */
};

/* What one flush counted from one exporter address (its streams, every version and domain,
 * summed), or, under exporter "*", the flush itself: the sums of its exporters' rows, written
 * at every flush even when nothing came, so readers know when the collector last flushed
 * and how long its intervals are (`flowtally stats`). */
struct seen_row {
    const char *exporter;    /* address text, or "*"; borrowed */
    uint64_t at_ms;          /* when the flush was written */
    uint64_t interval_ms;    /* what the counts were gathered over: since the collector's
                              * previous write (or its start) */
    uint64_t packets;        /* datagrams decoded */
    uint64_t records;        /* flow records (sFlow: samples) emitted */
    uint64_t lost;           /* records missing by sequence number (v5, IPFIX), samples the
                              * sFlow agent dropped */
    uint64_t lost_datagrams; /* NetFlow v9: datagrams missing by sequence number */
    uint64_t dropped;        /* data sets and records dropped undecoded (no template,
                              * malformed) */
};

/* Row callbacks; rows and their strings are borrowed for the call. */
typedef void store_usage_fn(void *ctx, const struct usage_result *r);
typedef void store_stat_fn(void *ctx, const struct stat_row *row);
typedef void store_iface_fn(void *ctx, const struct iface_row *row);
typedef void store_plan_fn(void *ctx, const struct plan *p);
typedef void store_subscriber_fn(void *ctx, const struct subscriber *s);
typedef void store_binding_fn(void *ctx, const struct binding_row *b);
typedef void store_lease_fn(void *ctx, const struct lease_row *l);
typedef void store_class_fn(void *ctx, const struct class_row *c);
typedef void store_user_fn(void *ctx, const struct user *u);
typedef void store_plan_step_fn(void *ctx, const struct plan_step *p);
typedef void store_topup_fn(void *ctx, const struct topup_row *t);
typedef void store_invoice_fn(void *ctx, const struct invoice_row *inv);
typedef void store_invoice_line_fn(void *ctx, const struct invoice_line *l);
typedef void store_invoice_usage_fn(void *ctx, const struct invoice_usage *u);
typedef void store_alert_fn(void *ctx, const struct alert_row *a);
typedef void store_mail_fn(void *ctx, const struct mail_row *m);
typedef void store_enforce_fn(void *ctx, const struct enforce_row *e);
typedef void store_seen_fn(void *ctx, const struct seen_row *r);

/* A unit of work run inside one transaction (store_transaction(), store_admin_batch()). */
typedef int store_work_fn(struct store *s, void *ctx);

/* store_binding_add() changed nothing: the account holds an open binding of the value
 * already (errbuf says since when). Not an error. */
#define STORE_BINDING_HELD 1

/* ---- the operations ---- */

struct store_ops {
    const char *engine; /* "sqlite", "postgresql": for messages */

    /* -- transactions -- */

    /* Opens a write transaction (SQLite: BEGIN IMMEDIATE, waiting up to 10 s for another
     * writer's lock). Fails with ERR_STORE when the lock does not come. */
    int (*begin)(struct store *s);
    int (*commit)(struct store *s);
    /* Ends an open transaction without writing it; does nothing when none is open (a
     * BEGIN that failed leaves none). */
    void (*rollback)(struct store *s);
    /* Opens a snapshot for a series of reads, ended by read_end(): on SQLite a deferred
     * BEGIN, so that a page's dozen reads take the file's read lock once rather than a dozen
     * times (each take is several fcntl() calls) and agree with each other; on PostgreSQL
     * nothing (each read its own statement, as without). No writes and no other transaction
     * until read_end(), which is called only after a read_begin() that returned 0. Returns
     * 0, or ERR_STORE (also inside a transaction; then each read is as without). */
    int (*read_begin)(struct store *s);
    void (*read_end)(struct store *s);
    /* What the last failed operation said ("database is locked", "database or disk is
     * full", ...). Borrowed, valid until the next operation; "" when nothing failed. */
    const char *(*last_error)(struct store *s);
    /* Whether a transaction is open on this connection. */
    bool (*in_transaction)(struct store *s);
    /* Runs fn in one transaction with whatever the engine can keep ready between many
     * small writes (SQLite: prepared statements, on the calling thread only). Returns
     * fn's code, or the commit's. */
    int (*batch)(struct store *s, store_work_fn *fn, void *ctx);

    /* -- the collector -- */

    /* Makes this connection the store's collector: checks that the store can really be
     * written (a file opened read-only, or in a directory where its journal cannot be
     * made, is refused now rather than at every flush) and, where the engine allows only
     * one collector (SQLite: one file, one writer), refuses a second one. Returns 0, or
     * ERR_EXISTS (another collector) or ERR_STORE with the path and reason in errbuf.
     * Called once, before the store thread starts. */
    int (*claim_collector)(struct store *s, char *errbuf);
    /* Checks, before a flush, that what this connection writes is still what readers
     * will read. SQLite: if the file at the path was removed (with its -wal), the open
     * copy is written back to the path and writing goes on there (returns 1, msg says
     * so); if another file now sits at the path, nothing is written into it (its
     * subscribers need not be the ones counted) and ERR_STORE is returned with msg saying
     * why. Returns 0 when nothing changed. msg: ERR_BUF_LEN. Thread: the writer's. */
    int (*verify)(struct store *s, char *msg);

    /* -- usage, counters, interfaces, log positions: the flush -- */

    /* Adds a row's counts to its key (bucket, subscriber, host, direction, class, app):
     * additive, so keys counted by several lanes or flushes sum. Inside the flush's
     * transaction. */
    int (*add_usage)(struct store *s, const struct usage_row *row, const char *class_name,
                     const char *app_name);
    /* Reads usage grouped by q->group and direction, rows of one key together (ordered by
     * the key's columns, then direction). */
    int (*read_usage)(struct store *s, const struct usage_query *q, store_usage_fn *fn, void *ctx);
    /* Every stored usage row (one per key: bucket, subscriber, host, direction, class,
     * app) with a bucket in [q->from_ms, q->to_ms), of q->subscriber_id (-1: all), not
     * summed: in bucket order, the rows of one bucket and subscriber together (all
     * subscribers: by bucket, then subscriber id), and those by host, direction, class,
     * app. q->group and q->utc_offset_s are ignored; r->period is the bucket's start
     * (seconds), r->account NULL. For billing, which walks a month of every subscriber's
     * buckets in time order: it streams in the stored order without a sort and in bounded
     * memory on every engine (PostgreSQL: a cursor, read a chunk at a time, in the caller's
     * transaction, or else in a read-only one of its own that ends with the scan). fn may
     * use the store, but not start another scan on it. */
    int (*scan_usage)(struct store *s, const struct usage_query *q, store_usage_fn *fn, void *ctx);
    /* A number that changes whenever usage rows change: every commit of a transaction
     * that added usage (a flush, from any collector writing this store) moves it on, in
     * that transaction, so a reader never sees the new rows with the old number. A
     * rollback, or a transaction without usage, leaves it. Returns it (>= 0; 0 for a store
     * that never had usage added), or a negative code. Cheap: one indexed read. */
    int64_t (*usage_version)(struct store *s);
    /* Adds a counter increase to its (exporter, version, domain, counter). */
    int (*add_stat)(struct store *s, const struct stat_row *row);
    /* Every counter, summed over every flush, ordered by exporter, version, domain, name. */
    int (*read_stats)(struct store *s, store_stat_fn *fn, void *ctx);
    /* Records the latest counters of an interface (replacing the previous report). */
    int (*set_interface)(struct store *s, const struct iface_row *row);
    /* Every interface's latest counters, ordered by agent and ifIndex. */
    int (*read_interfaces)(struct store *s, store_iface_fn *fn, void *ctx);
    /* Records how far a followed log has been read (within the flush that counted it). */
    int (*set_log_position)(struct store *s, const char *path, uint64_t inode, uint64_t offset);
    /* OUT: the position stored for path. Returns 0 or ERR_NOT_FOUND. */
    int (*get_log_position)(struct store *s, const char *path, uint64_t *inode, uint64_t *offset);
    /* Records what a flush counted from one exporter (or, exporter "*", the flush itself),
     * within the flush. A second row of the same exporter and at_ms (two collectors
     * writing in the same millisecond) adds its counts to the first; the longer interval
     * stays. */
    int (*seen_add)(struct store *s, const struct seen_row *row);
    /* Removes up to max_rows rows written before before_ms, the oldest first, but never an
     * exporter's latest row: that one says when it was last seen, however long ago. OUT:
     * *n_removed (may be NULL). Within the flush, so the work each flush does is bounded. */
    int (*seen_prune)(struct store *s, uint64_t before_ms, int max_rows, int *n_removed);
    /* The rows written at or after since_ms, and each exporter's latest row whatever its
     * time; by exporter (as bytes: "*" first), then time. */
    int (*seen_read)(struct store *s, uint64_t since_ms, store_seen_fn *fn, void *ctx);

    /* -- plans -- */

    /* Inserts (insert) or updates by name. Returns 0, ERR_EXISTS (insert: the name is
     * taken), ERR_NOT_FOUND (update: no such plan) or ERR_STORE, with errbuf. */
    int (*plan_save)(struct store *s, const struct plan *p, bool insert, char *errbuf);
    /* OUT: *out. Returns 0 or ERR_NOT_FOUND. */
    int (*plan_get)(struct store *s, const char *name, struct plan *out);
    /* Every plan, by name. */
    int (*plan_list)(struct store *s, store_plan_fn *fn, void *ctx);
    /* Refuses (ERR_EXISTS) while subscribers are on the plan, or while a step of anyone's
     * plan history names it (the bills of the cycles it held need it; removing those
     * subscribers removes their history); ERR_NOT_FOUND if none. */
    int (*plan_remove)(struct store *s, const char *name, char *errbuf);

    /* -- subscribers -- */

    /* Inserts or updates by account; the plan is named ("" for none) and must exist
     * (ERR_NOT_FOUND). Otherwise as plan_save. The plan history (plan_history) follows:
     * an insert starts it with the plan from sub->plan_from_ms (0: from the beginning);
     * an update that changes the plan deletes the steps starting at or after
     * sub->plan_from_ms and adds one there; an update with the same plan leaves it. The row
     * and its history are written together (outside a transaction, in one of their own). */
    int (*subscriber_save)(struct store *s, const struct subscriber *sub, bool insert,
                           char *errbuf);
    int (*subscriber_get)(struct store *s, const char *account, struct subscriber *out);
    /* OUT: *out, the subscriber with that id. Returns 0 or ERR_NOT_FOUND. */
    int (*subscriber_get_id)(struct store *s, int64_t id, struct subscriber *out);
    /* Every subscriber, by account. */
    int (*subscriber_list)(struct store *s, store_subscriber_fn *fn, void *ctx);
    /* Removes the subscriber and what is its alone (bindings, plan history, top-ups, logins,
     * the enforcement row); its usage rows, documents and alerts stay, shown as removed. */
    int (*subscriber_remove)(struct store *s, const char *account, char *errbuf);

    /* -- bindings and leases: who held an address when -- */

    /* The primitives of the bindings' rules (store/bindings.c, the same for every engine,
     * which store_binding_add() and store_binding_end() below apply). All are part of
     * the caller's transaction. binding_open_of calls fn for each open binding of value;
     * binding_close ends the open bindings of value (or of a RADIUS session, when session
     * is non-NULL) at at_ms and deletes those that start at or after it, adding the rows
     * it changed to *n; binding_insert adds one row (end 0: open; session may be NULL). */
    int (*binding_open_of)(struct store *s, const char *value,
                           void (*fn)(void *ctx, int64_t subscriber_id, uint64_t start_ms),
                           void *ctx);
    int (*binding_close)(struct store *s, const char *value, const char *session, uint64_t at_ms,
                         int *n);
    int (*binding_insert)(struct store *s, int64_t subscriber_id, const char *kind,
                          const char *value, uint64_t start_ms, uint64_t end_ms, const char *source,
                          const char *session, char *errbuf);
    /* Returns 1 if an open binding of value is held by the subscriber, 0 if not, or a
     * negative code. */
    int (*binding_is_open)(struct store *s, const char *value, int64_t subscriber_id);
    /* Bindings of one account (or all, account NULL), ordered by value, start. */
    int (*binding_list)(struct store *s, const char *account, store_binding_fn *fn, void *ctx);
    /* Records a lease (replacing one with the same ip and start: a renewal updates its
     * end). */
    int (*lease_put)(struct store *s, const struct lease_row *l);
    /* Every lease, by ip and start. */
    int (*lease_list)(struct store *s, store_lease_fn *fn, void *ctx);
    /* OUT: *out, the lease of ip (the text lease_put stored) that holds at at_ms: start <=
     * at_ms < end, or start <= at_ms and open-ended (end 0). Of several, the latest start
     * wins (a lease given out again before the old one ran out). Returns 0 or
     * ERR_NOT_FOUND. */
    int (*lease_at)(struct store *s, const char *ip, uint64_t at_ms, struct lease_row *out);
    /* A number that changes whenever bindings or leases change (the daemon reloads its
     * map when it does). Returns it, or -1 when it cannot be read. */
    int64_t (*bindings_version)(struct store *s);

    /* -- traffic classes -- */

    /* Stores the daemon's class list, within the caller's transaction (the daemon writes
     * it in the flush that carries the first usage counted with it, so no usage is ever
     * stored without its list). Classes of earlier lists are kept, marked not current:
     * usage counted in them keeps their price and quota rule. */
    int (*classes_write)(struct store *s, const struct class_row *rows, size_t n, uint64_t now_ms);
    /* Every class ever stored, current or not, by name. */
    int (*class_list)(struct store *s, store_class_fn *fn, void *ctx);
    /* Whether readers know which classes count toward quota: 1, or 0 when the store holds
     * usage in named classes but no class list was ever stored; negative on error.
     * store_classes_check() below says so to a person. */
    int (*classes_known)(struct store *s);

    /* -- billing -- */

    /* The plan history of one subscriber (or of all, subscriber_id -1), as
     * subscriber_save wrote it, ordered by subscriber id, then start. */
    int (*plan_history)(struct store *s, int64_t subscriber_id, store_plan_step_fn *fn, void *ctx);
    /* Inserts a top-up (t->id ignored; ERR_NOT_FOUND: no such subscriber). */
    int (*topup_add)(struct store *s, const struct topup_row *t, char *errbuf);
    /* Top-ups of one subscriber (or all, -1) bought in [from_ms, to_ms) (UINT64_MAX: no
     * end), by subscriber id, then time, then id. A removed subscriber's go with it. */
    int (*topup_list)(struct store *s, int64_t subscriber_id, uint64_t from_ms, uint64_t to_ms,
                      store_topup_fn *fn, void *ctx);
    /* Issues a document within the caller's transaction (outside one, in one of its own):
     * gives it an id and the next number of its kind (written back into *inv; inv->id and
     * inv->number are ignored), and stores its lines and settled usage (their invoice_id is
     * set from it). At most one invoice per subscriber and cycle: ERR_EXISTS for a second
     * (notes: any number). ERR_NOT_FOUND: inv->refers_to is not 0 and names no document.
     * ERR_MALFORMED: a kind other than invoice, credit, debit, or text that does not fit
     * (the document's, a line's or a settled usage's). These three are found before
     * anything is written: the caller's transaction may go on, on every engine.
     * Numbers: a number given in a committed transaction is never given again (documents
     * are never removed); one given in a transaction rolled back was never issued, and is
     * the next one's. Another connection issuing a document of the same kind meanwhile
     * waits for this transaction to end (SQLite: one writer; PostgreSQL: the kind's
     * counter is locked until then), so keep it short. */
    int (*invoice_issue)(struct store *s, struct invoice_row *inv, const struct invoice_line *lines,
                         size_t n_lines, const struct invoice_usage *usage, size_t n_usage,
                         char *errbuf);
    /* Documents as q selects them, in the order they were issued (id). */
    int (*invoice_list)(struct store *s, const struct invoice_query *q, store_invoice_fn *fn,
                        void *ctx);
    /* OUT: *out, the document of kind numbered number. Returns 0 or ERR_NOT_FOUND. */
    int (*invoice_get)(struct store *s, const char *kind, int64_t number, struct invoice_row *out);
    /* The lines of one document, by seq. */
    int (*invoice_lines)(struct store *s, int64_t invoice_id, store_invoice_line_fn *fn, void *ctx);
    /* Every line of every document of one subscriber that bills `cycle`, by document id
     * and seq (what the cycle was billed so far, wherever). */
    int (*invoice_lines_of_cycle)(struct store *s, int64_t subscriber_id, const char *cycle,
                                  store_invoice_line_fn *fn, void *ctx);
    /* What one subscriber's documents settled (or every subscriber's, -1), by subscriber
     * id (of the document), cycle, class, document id. */
    int (*invoice_usage_list)(struct store *s, int64_t subscriber_id, store_invoice_usage_fn *fn,
                              void *ctx);
    /* Documents issued at or after since_ms (issued_ms) that no message in the mail queue
     * is for yet: none of event "invoice:" and the number as people read it ("invoice:42",
     * "invoice:C-3", "invoice:D-1"), whatever its state. In id order. */
    int (*invoice_unmailed)(struct store *s, uint64_t since_ms, store_invoice_fn *fn, void *ctx);

    /* -- alerts, the mail queue, enforcement -- */

    /* Records that a level fired (a->id, a->account and a->mail_id are not read) and queues
     * its message m (NULL: none; as mail_enqueue), both or neither, in the caller's
     * transaction or, outside one, in one of its own. Fills in a->id, a->mail_id (0 without
     * m) and m->id. ERR_EXISTS when the level fired already for that subscriber and
     * cycle_start_ms, or a message for m->event exists: then nothing is written, and the
     * caller's transaction can go on, on every engine. Two connections firing one level at
     * once give one alert: the second waits for the first's transaction to end (SQLite: the
     * write lock; PostgreSQL: the unique index) and then gets ERR_EXISTS (or records it, if
     * the first rolled back). ERR_NOT_FOUND: no such subscriber. ERR_MALFORMED: text that
     * does not fit, or a message mail_enqueue refuses. errbuf says why. */
    int (*alert_fire)(struct store *s, struct alert_row *a, struct mail_row *m, char *errbuf);
    /* Alerts of one subscriber (or all, -1) of cycle (NULL: every cycle), by fired_ms, id;
     * a removed subscriber's with account "". */
    int (*alert_list)(struct store *s, int64_t subscriber_id, const char *cycle, store_alert_fn *fn,
                      void *ctx);
    /* Forgets that a level fired in a cycle, so it can fire again (re-armed after a
     * top-up or a plan change lowered the usage's share); its message stays. Returns 0,
     * also when it had not fired. */
    int (*alert_rearm)(struct store *s, int64_t subscriber_id, uint64_t cycle_start_ms,
                       const char *level);
    /* Queues a message: state queued, tries 0, created_ms and next_try_ms as given, sent_ms
     * and lease_ms 0, last_error "" (m->id, state, tries, sent_ms, lease_ms and last_error
     * are not read). Fills in m->id. ERR_EXISTS: a message for its event exists (nothing
     * written; the caller's transaction can go on). ERR_MALFORMED: no body, text that does
     * not fit, or text or body that is not valid UTF-8. errbuf says why. */
    int (*mail_enqueue)(struct store *s, struct mail_row *m, char *errbuf);
    /* Claims up to max (<= 0: none) messages that are due: queued with next_try_ms <=
     * now_ms, or sending with lease_ms <= now_ms (a sender that died mid-send), the
     * earliest next_try_ms first (then id). Marks them sending until lease_until_ms, tries
     * + 1, and calls fn with each as claimed (body included), in that order. A message is
     * never in two claims whose leases both hold, with any number of senders on one
     * database (SQLite: one writer at a time; PostgreSQL: rows another claim holds are
     * skipped, not waited for). Outside a transaction the claim is committed before fn is
     * called, so a slow send holds no lock; inside the caller's, fn is called in it. */
    int (*mail_claim)(struct store *s, uint64_t now_ms, uint64_t lease_until_ms, int max,
                      store_mail_fn *fn, void *ctx);
    /* Records what a send came to: state sent, queued (a retry at next_try_ms) or failed
     * (another state: ERR_MALFORMED), next_try_ms and sent_ms as given, the lease ended
     * (lease_ms 0), tries kept. last_error (NULL: "") is a diagnostic, of any length and
     * bytes: what fits of it is kept (up to 255 bytes, cut at a character's end), each
     * invalid UTF-8 sequence as '?'. A message of kind "reset" that becomes sent loses its
     * body: the link in it would open the account until it expires. ERR_NOT_FOUND: no
     * message with that id. */
    int (*mail_update)(struct store *s, int64_t id, const char *state, uint64_t next_try_ms,
                       uint64_t sent_ms, const char *last_error);
    /* Messages, by id; of one state (NULL: all); body NULL (a listing). */
    int (*mail_list)(struct store *s, const char *state, store_mail_fn *fn, void *ctx);
    /* Makes every failed message, and every queued one not due yet, queued and due at
     * now_ms (next_try_ms the earlier of its own and now_ms; tries and last_error kept), for
     * `flowtally mail retry`. OUT: *n, how many it changed. */
    int (*mail_retry_all)(struct store *s, uint64_t now_ms, int *n);
    /* OUT: *out, the subscriber's enforcement row, account included. Returns 0 or
     * ERR_NOT_FOUND. */
    int (*enforce_get)(struct store *s, int64_t subscriber_id, struct enforce_row *out);
    /* Inserts or replaces the subscriber's row (e->account is not read). ERR_NOT_FOUND: no
     * such subscriber. ERR_MALFORMED: a state other than over and under, or text that does
     * not fit. last_error is a diagnostic: invalid UTF-8 in it is kept as '?'. A removed
     * subscriber's row goes with it, and the hook is not run for it again: lifting "over"
     * for its addresses is then up to whoever removes it. */
    int (*enforce_put)(struct store *s, const struct enforce_row *e);
    /* Rows not done whose next_try_ms <= now_ms, or, when now_ms is UINT64_MAX, every row
     * (done or not: a listing); by subscriber id, account included. */
    int (*enforce_list)(struct store *s, uint64_t now_ms, store_enforce_fn *fn, void *ctx);
    /* The subscribers with usage in buckets from since_ms on (unassigned usage left out), by
     * id, each once: whom the alert thread evaluates at its start. */
    int (*usage_subscribers)(struct store *s, uint64_t since_ms,
                             void (*fn)(void *ctx, int64_t subscriber_id), void *ctx);

    /* -- small named numbers (meta): "bucket_seconds" the collector's bucket width; "demo"
     * 1 and "demo_history_end_s" in the store `flowtally run --demo` made (demo/demo.c) --
     * Keys the store keeps itself, not to be set: usage_version, bindings_version,
     * classes_stored_ms, collector_started_ms, subscribers_last_id, last_number_<kind>. */

    /* OUT: *value. Returns 0 or ERR_NOT_FOUND. */
    int (*meta_get)(struct store *s, const char *key, int64_t *value);
    /* Sets (inserts or replaces) a key's value. */
    int (*meta_set)(struct store *s, const char *key, int64_t value);

    /* -- users: who may log in to the portal -- */

    /* Inserts (insert) or updates by login. An insert stores login, role, account,
     * password and created_ms (u->id is ignored: the store gives one); an update sets role,
     * account and password, and keeps id and created_ms. account "" is no subscriber; a
     * named one must exist (ERR_NOT_FOUND, errbuf names it). Returns 0, ERR_EXISTS (insert:
     * the login is taken), ERR_NOT_FOUND (update: no such login; or the account),
     * ERR_MALFORMED (a role other than customer, staff, admin, or text that does not fit its
     * array) or ERR_STORE, with errbuf. */
    int (*user_save)(struct store *s, const struct user *u, bool insert, char *errbuf);
    /* OUT: *out. Returns 0 or ERR_NOT_FOUND. */
    int (*user_get)(struct store *s, const char *login, struct user *out);
    /* Every user, by login. */
    int (*user_list)(struct store *s, store_user_fn *fn, void *ctx);
    /* Removes the user and its sessions. Returns 0 or ERR_NOT_FOUND, with errbuf. (Removing
     * a subscriber removes its users, and theirs, likewise.) */
    int (*user_remove)(struct store *s, const char *login, char *errbuf);
    /* Replaces the password text of a user (by id, as a session names it). Returns 0,
     * ERR_NOT_FOUND, or ERR_MALFORMED when it does not fit struct user's password. */
    int (*user_set_password)(struct store *s, int64_t user_id, const char *password);

    /* -- sessions: logged-in browsers, by the hash of their token -- */

    /* Inserts a session. Returns 0, ERR_EXISTS (the hash is taken), ERR_NOT_FOUND (no user
     * r->user_id) or ERR_MALFORMED (text that does not fit). */
    int (*session_put)(struct store *s, const struct session_row *r);
    /* OUT: *out, and *user_out (may be NULL) the session's user, read together in one
     * statement. Returns 0 or ERR_NOT_FOUND. */
    int (*session_get)(struct store *s, const char *id_hash, struct session_row *out,
                       struct user *user_out);
    /* Records that the session was seen at seen_ms; it never moves back (an earlier time
     * than the one stored leaves it). Returns 0 or ERR_NOT_FOUND. */
    int (*session_touch)(struct store *s, const char *id_hash, uint64_t seen_ms);
    /* Removes one session. Returns 0, also when there was none. */
    int (*session_remove)(struct store *s, const char *id_hash);
    /* Removes every session of a user (logging out everywhere). OUT: *n_removed (may be
     * NULL). Returns 0, also when there were none. */
    int (*session_remove_user)(struct store *s, int64_t user_id, int *n_removed);
    /* Removes the sessions last seen before seen_before_ms, and those created before
     * created_before_ms; one seen (or created) exactly at the limit is kept. 0 leaves
     * that limit out; UINT64_MAX takes every session. OUT: *n_removed (may be NULL). */
    int (*session_expire)(struct store *s, uint64_t seen_before_ms, uint64_t created_before_ms,
                          int *n_removed);

    /* -- failed logins, counted per key -- */

    /* OUT: *out. Returns 0 or ERR_NOT_FOUND. Inside begin()/commit() the key is then this
     * transaction's until it ends (SQLite: a write transaction has the store to itself;
     * PostgreSQL: a lock on the key), so a get and a put in one transaction count every
     * failure even when several come at once; another connection's get of the key waits.
     * Outside a transaction, a get then a put may lose a count to a concurrent one. */
    int (*login_failure_get)(struct store *s, const char *key, struct login_failure_row *out);
    /* Inserts the row, or replaces the one with its key. Returns 0, or ERR_MALFORMED (a
     * key that does not fit). */
    int (*login_failure_put)(struct store *s, const struct login_failure_row *r);
    /* Forgets a key's failures. Returns 0, also when there were none. */
    int (*login_failure_clear)(struct store *s, const char *key);
    /* Forgets the keys whose last failure is before last_before_ms (one exactly at it is
     * kept; UINT64_MAX: every key). OUT: *n_removed (may be NULL). */
    int (*login_failure_expire)(struct store *s, uint64_t last_before_ms, int *n_removed);

    /* -- password reset links, by the hash of their token -- */

    /* Inserts a link (not used yet), first removing every link that expired before
     * r->created_ms (used or not: the table holds only what may still be asked for).
     * Returns 0, ERR_EXISTS (the hash is taken), ERR_NOT_FOUND (no user r->user_id) or
     * ERR_MALFORMED (a hash that does not fit). */
    int (*reset_put)(struct store *s, const struct reset_row *r);
    /* OUT: *user, the user of a link that reset_take() would take at now_ms, without taking
     * it (the form a link opens). Returns 0, or ERR_NOT_FOUND as reset_take(). */
    int (*reset_get)(struct store *s, const char *token_hash, uint64_t now_ms, struct user *user);
    /* Uses a link: marks it used at now_ms if it is unused and now_ms < expires_ms, in one
     * statement, so of two takes at once (any connections) exactly one succeeds. OUT:
     * *user, the link's user. Returns 0, or ERR_NOT_FOUND for a hash that is unknown, used
     * or expired (the same for all three), and when the user was removed. */
    int (*reset_take)(struct store *s, const char *token_hash, uint64_t now_ms, struct user *user);

    /* Closes the connection and frees the store. */
    void (*close)(struct store *s);
};

/* The handle every backend's store begins with. Backends cast it back to their own type
 * only after checking ops is theirs, so a store of one engine is never read as another. */
struct store {
    const struct store_ops *ops;
    struct store_read_cache *read_cache; /* NULL, or one the owner attached (readcache.c) */
};

/* Opens the store named by db: a path means a SQLite file. A writer (readonly false)
 * creates it if needed and migrates its schema forward, in one transaction that other
 * processes starting at the same time wait for; a reader requires an existing store of
 * this binary's schema version. A newer schema is refused. Returns a new store (caller
 * closes with store_close()), or NULL with a message in errbuf (ERR_BUF_LEN). */
struct store *store_open(const char *db, bool readonly, char *errbuf);

static inline void store_close(struct store *s)
{
    if (s)
        s->ops->close(s);
}

/* Runs fn inside one transaction: begin, fn, commit (rollback if fn or commit fails).
 * Returns fn's code (or the commit's). */
int store_transaction(struct store *s, store_work_fn *fn, void *ctx);

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

/* SQLite backend constructor, used by store_open(). */
struct store *store_sqlite_open(const char *path, bool readonly, char *errbuf);

#endif
