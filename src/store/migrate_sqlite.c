// SPDX-License-Identifier: MIT
// The schema, as an ordered list of migrations. Migration N takes a store from schema
// version N-1 to N; they only ever move forward, and all that a store needs run in one
// write transaction with the version bump, the version read inside it: a crash leaves the
// old or the new schema, never half of one, and a second process starting on the same new
// file waits for the first (busy timeout) and then finds the schema made.
#include "migrate_sqlite.h"

#include "../base/err.h"
#include "schema.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

static const char *const migrations[] = {
    /* 1: per-host usage in time buckets, and collector counters. */
    "CREATE TABLE schema_version (version INTEGER NOT NULL);"
    "INSERT INTO schema_version VALUES (0);"
    "CREATE TABLE usage_host ("
    "  bucket  INTEGER NOT NULL," /* bucket start, unix seconds UTC */
    "  host    TEXT NOT NULL,"    /* local host address as text */
    "  dir     TEXT NOT NULL,"    /* in, out, internal, transit */
    "  bytes   INTEGER NOT NULL,"
    "  packets INTEGER NOT NULL,"
    "  flows   INTEGER NOT NULL,"
    "  PRIMARY KEY (bucket, host, dir)) WITHOUT ROWID;"
    "CREATE TABLE collector_stats ("
    "  exporter TEXT NOT NULL," /* exporter address, or * for collector-wide counters */
    "  version  INTEGER NOT NULL,"
    "  domain   INTEGER NOT NULL,"
    "  counter  TEXT NOT NULL,"
    "  value    INTEGER NOT NULL,"
    "  PRIMARY KEY (exporter, version, domain, counter)) WITHOUT ROWID;",

    /* 2: subscribers, plans, bindings over time, leases; usage keyed by subscriber, class
     * and application. Existing per-host usage moves over as unassigned, default class. */
    "CREATE TABLE plans ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  quota_bytes INTEGER," /* NULL = unlimited */
    "  quota_dirs TEXT NOT NULL DEFAULT 'both' CHECK (quota_dirs IN ('in', 'out', 'both')),"
    "  price_micro INTEGER NOT NULL DEFAULT 0," /* monthly price, millionths of the currency */
    "  overage_micro_per_gb INTEGER NOT NULL DEFAULT 0,"
    "  speed TEXT NOT NULL DEFAULT '',"
    "  anchor_day INTEGER NOT NULL DEFAULT 1 CHECK (anchor_day BETWEEN 1 AND 28));"
    "CREATE TABLE subscribers ("
    "  id INTEGER PRIMARY KEY,"
    "  account TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  email TEXT NOT NULL DEFAULT '',"
    "  plan_id INTEGER REFERENCES plans (id),"
    "  status TEXT NOT NULL DEFAULT 'active'"
    "    CHECK (status IN ('active', 'suspended', 'closed')),"
    "  notes TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE bindings ("
    "  id INTEGER PRIMARY KEY,"
    "  subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('prefix', 'mac')),"
    "  value TEXT NOT NULL," /* prefix as 10.1.2.0/24, or MAC aa:bb:.. */
    "  start_ms INTEGER NOT NULL,"
    "  end_ms INTEGER,"                        /* NULL = open-ended */
    "  source TEXT NOT NULL DEFAULT 'static'," /* static, register, radius */
    "  session TEXT);"                         /* RADIUS Acct-Session-Id */
    "CREATE INDEX bindings_value ON bindings (value);"
    "CREATE TABLE leases ("
    "  ip TEXT NOT NULL,"
    "  mac TEXT NOT NULL,"
    "  start_ms INTEGER NOT NULL,"
    "  end_ms INTEGER,"
    "  PRIMARY KEY (ip, start_ms)) WITHOUT ROWID;"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    "INSERT INTO meta VALUES ('bindings_version', 0);"
    "CREATE TRIGGER bindings_ins AFTER INSERT ON bindings BEGIN"
    "  UPDATE meta SET value = value + 1 WHERE key = 'bindings_version'; END;"
    "CREATE TRIGGER bindings_upd AFTER UPDATE ON bindings BEGIN"
    "  UPDATE meta SET value = value + 1 WHERE key = 'bindings_version'; END;"
    "CREATE TRIGGER bindings_del AFTER DELETE ON bindings BEGIN"
    "  UPDATE meta SET value = value + 1 WHERE key = 'bindings_version'; END;"
    "CREATE TRIGGER leases_ins AFTER INSERT ON leases BEGIN"
    "  UPDATE meta SET value = value + 1 WHERE key = 'bindings_version'; END;"
    "CREATE TRIGGER leases_upd AFTER UPDATE ON leases BEGIN"
    "  UPDATE meta SET value = value + 1 WHERE key = 'bindings_version'; END;"
    "CREATE TABLE usage ("
    "  bucket INTEGER NOT NULL,"
    "  subscriber_id INTEGER NOT NULL," /* 0 = unassigned */
    "  host TEXT NOT NULL,"
    "  dir TEXT NOT NULL,"
    "  class TEXT NOT NULL,"
    "  app TEXT NOT NULL,"
    "  bytes INTEGER NOT NULL,"
    "  packets INTEGER NOT NULL,"
    "  flows INTEGER NOT NULL,"
    "  PRIMARY KEY (bucket, subscriber_id, host, dir, class, app)) WITHOUT ROWID;"
    "CREATE INDEX usage_subscriber ON usage (subscriber_id, bucket);"
    "INSERT INTO usage SELECT bucket, 0, host, dir, 'default', 'other', bytes, packets, flows"
    "  FROM usage_host;"
    "DROP TABLE usage_host;",

    /* 3: traffic classes as the daemon last loaded them, so readers know prices and which
     * classes count toward quotas. */
    "CREATE TABLE classes ("
    "  name TEXT PRIMARY KEY,"
    "  price_micro_per_gb INTEGER NOT NULL,"
    "  counts_toward_quota INTEGER NOT NULL) WITHOUT ROWID;",

    /* 4: how far each followed log has been counted, written in the same transaction as
     * the usage of its lines, so a restart neither counts a line twice nor skips one. */
    "CREATE TABLE log_positions ("
    "  path TEXT PRIMARY KEY,"
    "  inode INTEGER NOT NULL,"
    "  offset INTEGER NOT NULL) WITHOUT ROWID;",

    /* 5: the latest interface counters sFlow agents reported (exporter health). */
    "CREATE TABLE interfaces ("
    "  agent TEXT NOT NULL,"
    "  if_index INTEGER NOT NULL,"
    "  time_ms INTEGER NOT NULL,"
    "  speed_bps INTEGER NOT NULL,"
    "  status INTEGER NOT NULL," /* bit 0 admin up, bit 1 oper up */
    "  in_octets INTEGER NOT NULL,"
    "  out_octets INTEGER NOT NULL,"
    "  in_errors INTEGER NOT NULL,"
    "  out_errors INTEGER NOT NULL,"
    "  in_discards INTEGER NOT NULL,"
    "  out_discards INTEGER NOT NULL,"
    "  PRIMARY KEY (agent, if_index)) WITHOUT ROWID;",

    /* 6: a class list is never dropped, only marked no longer current, so usage counted
     * in a class that a later list left out keeps its price and quota rule; and a marker
     * that a class list was stored at all. Readers refuse to compute quotas from a store
     * that holds usage in named classes but no class list (a daemon whose list was never
     * stored), rather than count every class toward quota. */
    "ALTER TABLE classes ADD COLUMN current INTEGER NOT NULL DEFAULT 1;"
    "INSERT INTO meta (key, value) SELECT 'classes_stored_ms', 0"
    "  WHERE EXISTS (SELECT 1 FROM classes)"
    "     OR NOT EXISTS (SELECT 1 FROM usage WHERE class <> 'default');",

    /* 7: migration 6 also marked stores that held no class list and no named-class usage
     * yet, every new store among them, as if a list had been stored; usage counted later
     * in named classes would then pass the readers' check without its list. The marker is
     * only set by a stored list from now on (the check needs none for default-only
     * usage). */
    ("DELETE FROM meta WHERE key = 'classes_stored_ms' AND value = 0"
     "  AND NOT EXISTS (SELECT 1 FROM classes);"),

    /* 8: subscriber ids are never reused. SQLite gives a new row the largest id plus one,
     * so after the newest subscriber was removed the next one took its id, and with it
     * the removed one's usage. The highest id ever given (or still in usage) is kept, and
     * a new subscriber gets the one after it (admin_sqlite.c). */
    ("INSERT INTO meta (key, value) SELECT 'subscribers_last_id', max(coalesce("
     "  (SELECT max(id) FROM subscribers), 0), coalesce((SELECT max(subscriber_id) FROM usage), "
     "0));"
     "CREATE TRIGGER subscribers_last_id AFTER INSERT ON subscribers BEGIN"
     "  UPDATE meta SET value = max(value, NEW.id) WHERE key = 'subscribers_last_id'; END;"),

    /* 9: the portal's logins. A user is staff, an admin or a customer (who sees one
     * subscriber's account); removing the subscriber removes its logins, and removing a
     * user its sessions (foreign keys: migrate_once() turns them on for every writer). User
     * ids are never reused (AUTOINCREMENT), so an id a web request holds never names
     * another user. A session is kept under the hash of its token, never the token. Failed
     * logins are counted per key ("user:NAME", "addr:IP") to slow guessing down. A
     * customer's own alert levels ("50,90", "10GB"; checked above the store). */
    "CREATE TABLE users ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  login TEXT NOT NULL UNIQUE," /* lowercase, compared as bytes */
    "  role TEXT NOT NULL CHECK (role IN ('customer', 'staff', 'admin')),"
    "  subscriber_id INTEGER REFERENCES subscribers (id) ON DELETE CASCADE,"
    "  password TEXT NOT NULL DEFAULT ''," /* crypt(3) text; '' = none (LDAP only) */
    "  created_ms INTEGER NOT NULL);"
    "CREATE INDEX users_subscriber ON users (subscriber_id);"
    "CREATE TABLE sessions ("
    "  id_hash TEXT PRIMARY KEY," /* hex SHA-256 of the cookie's token */
    "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    "  csrf TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  seen_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX sessions_user ON sessions (user_id);"
    "CREATE TABLE login_failures ("
    "  key TEXT PRIMARY KEY,"
    "  failures INTEGER NOT NULL,"
    "  first_ms INTEGER NOT NULL,"
    "  last_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "ALTER TABLE subscribers ADD COLUMN alert_levels TEXT NOT NULL DEFAULT '';",

    /* 10: billing. Plans: a cycle may start on any day of the month (29..31: on a shorter
     * month's last), and burstable (95th percentile) pricing. SQLite cannot change a CHECK
     * in place: the table is made again, copied, dropped and the copy renamed (the order
     * of https://sqlite.org/lang_altertable.html, with foreign keys off around it:
     * migrate_once()), keeping every plan's id. Each subscriber's plan history, starting
     * with the plan held now, from the beginning; top-ups of a cycle's quota (ids never
     * reused). Issued documents (invoices, credit and debit notes) with their lines and
     * the usage they settled: no foreign key to subscribers (a removed subscriber's
     * documents stay), numbered per kind, at most one invoice per subscriber and cycle,
     * and never changed nor removed once written (triggers refuse it). */
    "CREATE TABLE plans_new ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  quota_bytes INTEGER,"
    "  quota_dirs TEXT NOT NULL DEFAULT 'both' CHECK (quota_dirs IN ('in', 'out', 'both')),"
    "  price_micro INTEGER NOT NULL DEFAULT 0,"
    "  overage_micro_per_gb INTEGER NOT NULL DEFAULT 0,"
    "  speed TEXT NOT NULL DEFAULT '',"
    "  anchor_day INTEGER NOT NULL DEFAULT 1 CHECK (anchor_day BETWEEN 1 AND 31),"
    "  burstable INTEGER NOT NULL DEFAULT 0 CHECK (burstable IN (0, 1)),"
    "  commit_bps INTEGER NOT NULL DEFAULT 0,"
    "  price_micro_per_mbps INTEGER NOT NULL DEFAULT 0,"
    "  burst_dirs TEXT NOT NULL DEFAULT '' CHECK (burst_dirs IN ('', 'in', 'out', 'max')));"
    "INSERT INTO plans_new (id, name, quota_bytes, quota_dirs, price_micro,"
    "  overage_micro_per_gb, speed, anchor_day) SELECT id, name, quota_bytes, quota_dirs,"
    "  price_micro, overage_micro_per_gb, speed, anchor_day FROM plans;"
    "DROP TABLE plans;"
    "ALTER TABLE plans_new RENAME TO plans;"
    "CREATE TABLE plan_history ("
    "  subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,"
    "  plan_id INTEGER REFERENCES plans (id)," /* NULL = no plan */
    "  start_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (subscriber_id, start_ms)) WITHOUT ROWID;"
    "CREATE INDEX plan_history_plan ON plan_history (plan_id);"
    "INSERT INTO plan_history (subscriber_id, plan_id, start_ms)"
    "  SELECT id, plan_id, 0 FROM subscribers;"
    "CREATE TABLE topups ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  subscriber_id INTEGER NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,"
    "  at_ms INTEGER NOT NULL,"
    "  bytes INTEGER NOT NULL,"
    "  price_micro INTEGER NOT NULL);"
    "CREATE INDEX topups_subscriber ON topups (subscriber_id, at_ms);"
    "CREATE TABLE invoices ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  kind TEXT NOT NULL CHECK (kind IN ('invoice', 'credit', 'debit')),"
    "  number INTEGER NOT NULL,"
    "  refers_to INTEGER REFERENCES invoices (id)," /* a note's invoice; NULL = none */
    "  subscriber_id INTEGER NOT NULL,"
    "  account TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  plan TEXT NOT NULL,"
    "  cycle TEXT NOT NULL," /* YYYY-MM */
    "  cycle_start_ms INTEGER NOT NULL,"
    "  cycle_end_ms INTEGER NOT NULL,"
    "  used_bytes INTEGER NOT NULL,"
    "  quota_bytes INTEGER NOT NULL,"
    "  unlimited INTEGER NOT NULL CHECK (unlimited IN (0, 1)),"
    "  subtotal_cents INTEGER NOT NULL,"
    "  tax_cents INTEGER NOT NULL,"
    "  total_cents INTEGER NOT NULL,"
    "  tax_rate_micro INTEGER NOT NULL,"
    "  currency TEXT NOT NULL,"
    "  unit TEXT NOT NULL,"
    "  issued_ms INTEGER NOT NULL,"
    "  UNIQUE (kind, number));"
    "CREATE UNIQUE INDEX invoices_one_per_cycle ON invoices (subscriber_id, cycle)"
    "  WHERE kind = 'invoice';"
    "CREATE INDEX invoices_subscriber ON invoices (subscriber_id, id);"
    "CREATE INDEX invoices_cycle ON invoices (cycle, id);"
    "CREATE TABLE invoice_lines ("
    "  invoice_id INTEGER NOT NULL REFERENCES invoices (id),"
    "  seq INTEGER NOT NULL,"
    "  kind TEXT NOT NULL,"  /* plan, topup, usage, burst */
    "  class TEXT NOT NULL," /* usage: the traffic class; else '' */
    "  cycle TEXT NOT NULL," /* the cycle the line bills */
    "  bytes INTEGER NOT NULL,"
    "  quantity TEXT NOT NULL,"
    "  unit_price_micro INTEGER NOT NULL,"
    "  amount_cents INTEGER NOT NULL,"
    "  text TEXT NOT NULL,"
    "  PRIMARY KEY (invoice_id, seq)) WITHOUT ROWID;"
    "CREATE TABLE invoice_usage ("
    "  invoice_id INTEGER NOT NULL REFERENCES invoices (id),"
    "  cycle TEXT NOT NULL,"
    "  class TEXT NOT NULL,"
    "  bytes INTEGER NOT NULL,"
    "  PRIMARY KEY (invoice_id, cycle, class)) WITHOUT ROWID;"
    "CREATE TRIGGER invoices_no_update BEFORE UPDATE ON invoices BEGIN"
    "  SELECT RAISE(ABORT, 'an issued invoice never changes'); END;"
    "CREATE TRIGGER invoices_no_delete BEFORE DELETE ON invoices BEGIN"
    "  SELECT RAISE(ABORT, 'an issued invoice never changes'); END;"
    "CREATE TRIGGER invoice_lines_no_update BEFORE UPDATE ON invoice_lines BEGIN"
    "  SELECT RAISE(ABORT, 'an issued invoice never changes'); END;"
    "CREATE TRIGGER invoice_lines_no_delete BEFORE DELETE ON invoice_lines BEGIN"
    "  SELECT RAISE(ABORT, 'an issued invoice never changes'); END;"
    "CREATE TRIGGER invoice_usage_no_update BEFORE UPDATE ON invoice_usage BEGIN"
    "  SELECT RAISE(ABORT, 'an issued invoice never changes'); END;"
    "CREATE TRIGGER invoice_usage_no_delete BEFORE DELETE ON invoice_usage BEGIN"
    "  SELECT RAISE(ABORT, 'an issued invoice never changes'); END;",

    /* 11: alerts, the outgoing mail queue and the enforcement hook. A plan's own alert
     * levels ('' = the configured default). The mail queue keeps every message, sent or
     * not (ids never reused), one per event, with an index by state that a claim (queued
     * and sending) and a listing read, so neither walks the messages sent. An alert is
     * recorded once per subscriber, cycle and level (the unique key two collectors meet
     * on), with the message queued with it; alerts are history, like documents: no
     * foreign key to subscribers, a removed subscriber's stay. What the enforcement hook
     * last did for a subscriber is one row that goes with the subscriber; the rows still
     * to run have an index of their own. */
    "ALTER TABLE plans ADD COLUMN alert_levels TEXT NOT NULL DEFAULT '';"
    "CREATE TABLE mail ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  event TEXT NOT NULL UNIQUE,"
    "  kind TEXT NOT NULL,"
    "  message_id TEXT NOT NULL,"
    "  to_addr TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  body TEXT NOT NULL," /* the whole message, byte for byte */
    "  state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed')),"
    "  tries INTEGER NOT NULL,"
    "  created_ms INTEGER NOT NULL,"
    "  next_try_ms INTEGER NOT NULL,"
    "  sent_ms INTEGER NOT NULL,"  /* 0 = not sent */
    "  lease_ms INTEGER NOT NULL," /* sending: the claim holds until then; else 0 */
    "  last_error TEXT NOT NULL);"
    "CREATE INDEX mail_state ON mail (state, id);"
    "CREATE TABLE alerts ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  subscriber_id INTEGER NOT NULL,"
    "  cycle TEXT NOT NULL," /* YYYY-MM */
    "  cycle_start_ms INTEGER NOT NULL,"
    "  level TEXT NOT NULL,"
    "  used_bytes INTEGER NOT NULL,"
    "  quota_bytes INTEGER NOT NULL,"
    "  fired_ms INTEGER NOT NULL,"
    "  mail_id INTEGER REFERENCES mail (id) ON DELETE SET NULL," /* NULL = none */
    "  UNIQUE (subscriber_id, cycle_start_ms, level));"
    "CREATE INDEX alerts_cycle ON alerts (cycle);"
    "CREATE TABLE enforcement ("
    "  subscriber_id INTEGER PRIMARY KEY REFERENCES subscribers (id) ON DELETE CASCADE,"
    "  state TEXT NOT NULL CHECK (state IN ('over', 'under')),"
    "  addresses TEXT NOT NULL,"
    "  done INTEGER NOT NULL CHECK (done IN (0, 1)),"
    "  tries INTEGER NOT NULL,"
    "  changed_ms INTEGER NOT NULL,"
    "  next_try_ms INTEGER NOT NULL,"
    "  last_error TEXT NOT NULL);"
    "CREATE INDEX enforcement_due ON enforcement (next_try_ms) WHERE done = 0;",

    /* 12: password reset links. Only the hash of a link's token is kept, with its user
     * (removing the user removes its links), when it was made, when it stops working, and
     * when it was used (0 = not yet): a link works once. The index by expiry serves the
     * clean-up each new link does. */
    "CREATE TABLE password_resets ("
    "  token_hash TEXT PRIMARY KEY," /* hex SHA-256 of the link's token */
    "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
    "  created_ms INTEGER NOT NULL,"
    "  expires_ms INTEGER NOT NULL,"
    "  used_ms INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE INDEX password_resets_user ON password_resets (user_id);"
    "CREATE INDEX password_resets_expiry ON password_resets (expires_ms);",

    /* 13: what each flush counted from each exporter, for `flowtally stats` to say whether
     * a router is healthy (when it was last seen, its rates, its losses): one row per
     * exporter address per flush that saw it, and one under '*' per flush, the flush itself.
     * The flusher keeps about two hours (by the index on time), and each exporter's latest
     * row for good. The totals in collector_stats stay as they were. */
    "CREATE TABLE exporter_seen ("
    "  exporter TEXT NOT NULL," /* address text, or * for the flush itself */
    "  at_ms INTEGER NOT NULL," /* when the flush was written */
    "  interval_ms INTEGER NOT NULL,"
    "  packets INTEGER NOT NULL,"
    "  records INTEGER NOT NULL,"
    "  lost INTEGER NOT NULL,"           /* records missing by sequence number */
    "  lost_datagrams INTEGER NOT NULL," /* NetFlow v9: datagrams missing */
    "  dropped INTEGER NOT NULL,"
    "  PRIMARY KEY (exporter, at_ms)) WITHOUT ROWID;"
    "CREATE INDEX exporter_seen_at ON exporter_seen (at_ms);",

    /* 14: the bytes each flush counted from each exporter (its records' bytes times their
     * sampling rate), for `flowtally stats`'s bytes per second. Rows written before it
     * say 0: they show as no bytes, not as a guess. */
    "ALTER TABLE exporter_seen ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;",
};

#define N_MIGRATIONS (int)(sizeof migrations / sizeof migrations[0])

static int schema_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int version = 0;
    if (sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &st, NULL) != SQLITE_OK)
        return 0; /* no table yet: an empty or new file */
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return version;
}

static int set_version(sqlite3 *db, int version, char *errbuf)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "UPDATE schema_version SET version = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(st, 1, version);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    if (rc != SQLITE_OK)
        snprintf(errbuf, ERR_BUF_LEN, "%s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : ERR_STORE;
}

/* Returns 0, -EBUSY when the file was busy (worth starting again), or ERR_STORE. */
static int exec(sqlite3 *db, const char *sql, char *errbuf)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    snprintf(errbuf, ERR_BUF_LEN, "%s", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return (sqlite3_errcode(db) & 0xff) == SQLITE_BUSY ? -EBUSY : ERR_STORE;
}

/* Ends a migration that failed with rc, keeping rc (the rollback resets SQLite's code). */
static int abandon(sqlite3 *db, int rc)
{
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Whether the foreign keys hold everywhere: PRAGMA foreign_key_check gives a row for each
 * one that does not. Returns 0, or ERR_STORE with errbuf naming the first. */
static int foreign_keys_hold(sqlite3 *db, char *errbuf)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) {
        snprintf(errbuf, ERR_BUF_LEN, "%s", sqlite3_errmsg(db));
        return ERR_STORE;
    }
    int step = sqlite3_step(st);
    int rc = step == SQLITE_DONE ? 0 : ERR_STORE;
    if (step == SQLITE_ROW) {
        const unsigned char *table = sqlite3_column_text(st, 0);
        const unsigned char *parent = sqlite3_column_text(st, 2);
        snprintf(errbuf, ERR_BUF_LEN,
                 "the migration left a row of %s naming a row of %s that is not there",
                 table ? (const char *)table : "?", parent ? (const char *)parent : "?");
    } else if (step != SQLITE_DONE) {
        snprintf(errbuf, ERR_BUF_LEN, "%s", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* Runs the migrations the file needs in one write transaction. Foreign keys are off while
 * it runs: a migration that makes a table again (10: plans) drops the old one, which with
 * them on would delete its rows first, failing on every subscriber that names one (and
 * SQLite ignores the pragma inside a transaction, so it is set around it). Instead the keys
 * are checked, all of them, before the commit. */
static int migrate_versions(sqlite3 *db, char *errbuf)
{
    int rc;
    if ((rc = exec(db, "BEGIN IMMEDIATE", errbuf)) != 0)
        return rc;
    int version = schema_version(db); /* again, now that no one else can be migrating */
    if (schema_check(version, N_MIGRATIONS, false, errbuf) != 0)
        return abandon(db, ERR_STORE);
    for (int v = version; v < N_MIGRATIONS; v++) {
        if ((rc = exec(db, migrations[v], errbuf)) != 0 ||
            (rc = set_version(db, v + 1, errbuf)) != 0)
            return abandon(db, rc);
    }
    if ((rc = foreign_keys_hold(db, errbuf)) != 0)
        return abandon(db, rc);
    if ((rc = exec(db, "COMMIT", errbuf)) != 0)
        return abandon(db, rc);
    return 0;
}

static int migrate_once(sqlite3 *db, char *errbuf)
{
    int rc = exec(db,
                  "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                  " PRAGMA foreign_keys = ON;",
                  errbuf);
    if (rc != 0)
        return rc;
    if (schema_version(db) == N_MIGRATIONS)
        return 0; /* the usual case: no write lock taken */
    if ((rc = exec(db, "PRAGMA foreign_keys = OFF", errbuf)) != 0)
        return rc;
    rc = migrate_versions(db, errbuf);
    /* on again whatever happened: every writer relies on them (ON DELETE CASCADE) */
    char on_err[ERR_BUF_LEN];
    int on = exec(db, "PRAGMA foreign_keys = ON", on_err);
    if (rc == 0 && on != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s", on_err);
        rc = on;
    }
    return rc;
}

#define MIGRATE_BUSY_MS 10000 /* as long as a busy timeout: then "database is locked" */
#define MIGRATE_RETRY_MS 20

/* SQLite does not always wait (busy handler) where two connections meet on a new file: a
 * journal-mode change, or a read that finds the other one turning the file into WAL, can
 * fail at once with SQLITE_BUSY (deadlock avoidance). Nothing was changed then: start
 * again, for as long as a busy timeout would have waited. */
int migrate_sqlite(sqlite3 *db, char *errbuf)
{
    for (int waited = 0;; waited += MIGRATE_RETRY_MS) {
        int rc = migrate_once(db, errbuf);
        if (rc != -EBUSY || waited >= MIGRATE_BUSY_MS)
            return rc == 0 ? 0 : ERR_STORE;
        struct timespec ts = {0, MIGRATE_RETRY_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
}

int migrate_sqlite_check(sqlite3 *db, char *errbuf)
{
    return schema_check(schema_version(db), N_MIGRATIONS, true, errbuf);
}
