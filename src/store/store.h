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
//
// The rows are in store_rows.h, the shorthands for call sites in store_calls.h; both come
// with this header.
#ifndef FT_STORE_H
#define FT_STORE_H

#include "store_rows.h"

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
     * a REPEATABLE READ, READ ONLY transaction, for the agreement. No writes and no other
     * transaction
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

#include "store_calls.h"

/* SQLite backend constructor, used by store_open(). */
struct store *store_sqlite_open(const char *path, bool readonly, char *errbuf);

#endif
