// SPDX-License-Identifier: MIT
// PostgreSQL backend (libpq), for several collectors and many readers on one database.
// Statements are prepared once per connection with bound parameters. A flush's usage rows
// are not sent one statement each: add_usage() keeps them (stage_pgsql.c), and before the
// commit or any other statement of the transaction they go, sorted, by COPY into a
// temporary staging table and from there into usage with one INSERT ... SELECT ... GROUP
// BY ... ON CONFLICT DO UPDATE. Counters are kept too and written in key order, so two
// collectors updating the same rows take their locks in the same order and never deadlock.
#include "store.h"

#include "../base/err.h"
#include "../base/xalloc.h"
#include "migrate_pgsql.h"
#include "pgsql_private.h"
#include "usage_sql.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_TAG "store"
#include "../base/log.h"

/* Type OIDs of the parameters (fixed in every PostgreSQL release: pg_type.dat). */
#define PGSQL_OID_INT8 20
#define PGSQL_OID_TEXT 25

#define PGSQL_MAX_PREPARED 128     /* statements kept prepared per connection */
#define PGSQL_MAX_PARAMS 24        /* parameters of a statement (a document: 20) */
#define PGSQL_COPY_PIECE (1 << 20) /* COPY text is sent in pieces of about this size */

/* ---- statements ---- */

#define USAGE_KEY "bucket, subscriber_id, host, dir, class, app"
#define USAGE_ADD                                                                                  \
    " ON CONFLICT (" USAGE_KEY ") DO UPDATE SET bytes = usage.bytes + excluded.bytes,"             \
    " packets = usage.packets + excluded.packets, flows = usage.flows + excluded.flows"

/* The staging table lives as long as the connection; what a transaction put there is gone
 * at its end whatever happens (ON COMMIT DELETE ROWS; a rollback takes it too), and within
 * one it is emptied after each upsert (TRUNCATE: no dead rows to scan past). */
static const char stage_create[] =
    "CREATE TEMP TABLE IF NOT EXISTS flowtally_usage_stage (bucket BIGINT, subscriber_id BIGINT,"
    " host TEXT COLLATE \"C\", dir TEXT COLLATE \"C\", class TEXT COLLATE \"C\","
    " app TEXT COLLATE \"C\", bytes BIGINT, packets BIGINT, flows BIGINT) ON COMMIT DELETE ROWS";
static const char stage_copy[] = "COPY pg_temp.flowtally_usage_stage FROM STDIN";
static const char stage_empty[] = "TRUNCATE pg_temp.flowtally_usage_stage";
static const struct pgsql_stmt stmt_usage_one = {
    "usage_one", "iittttiii",
    "INSERT INTO usage (" USAGE_KEY ", bytes, packets, flows)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)" USAGE_ADD};
/* The stage holds one row per key (stage_pgsql_sort: one statement may not update a row
 * twice), in key order, and a scan of a temporary table returns its rows in the order COPY
 * wrote them (a temporary table is never scanned in step with another backend's scan, the
 * only thing that would start it elsewhere). So every collector locks the rows it updates
 * in the same order, and two of them counting the same keys wait for each other rather
 * than deadlock; and the server neither sorts nor groups: a third of the upsert's time at
 * 100,000 keys, when it did. */
static const struct pgsql_stmt stmt_usage_staged = {
    "usage_staged", "",
    "INSERT INTO usage (" USAGE_KEY ", bytes, packets, flows)"
    " SELECT " USAGE_KEY ", bytes, packets, flows FROM pg_temp.flowtally_usage_stage" USAGE_ADD};
static const struct pgsql_stmt stmt_stat_add = {
    "stat_add", "tiiti",
    "INSERT INTO collector_stats (exporter, version, domain, counter, value)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (exporter, version, domain, counter)"
    " DO UPDATE SET value = collector_stats.value + excluded.value"};
static const struct pgsql_stmt stmt_stats_read = {
    "stats_read", "",
    "SELECT exporter, version, domain, counter, value FROM collector_stats"
    " ORDER BY exporter, version, domain, counter"};
static const struct pgsql_stmt stmt_log_position_set = {
    "log_position_set", "tii",
    "INSERT INTO log_positions (path, inode, \"offset\") VALUES ($1, $2, $3)"
    " ON CONFLICT (path) DO UPDATE SET inode = excluded.inode, \"offset\" = excluded.\"offset\""};
static const struct pgsql_stmt stmt_log_position_get = {
    "log_position_get", "t", "SELECT inode, \"offset\" FROM log_positions WHERE path = $1"};
static const struct pgsql_stmt stmt_interface_set = {
    "interface_set", "tiiiiiiiiii",
    "INSERT INTO interfaces (agent, if_index, time_ms, speed_bps, status, in_octets,"
    " out_octets, in_errors, out_errors, in_discards, out_discards)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    " ON CONFLICT (agent, if_index) DO UPDATE SET time_ms = excluded.time_ms,"
    " speed_bps = excluded.speed_bps, status = excluded.status,"
    " in_octets = excluded.in_octets, out_octets = excluded.out_octets,"
    " in_errors = excluded.in_errors, out_errors = excluded.out_errors,"
    " in_discards = excluded.in_discards, out_discards = excluded.out_discards"};
static const struct pgsql_stmt stmt_interfaces_read = {
    "interfaces_read", "",
    "SELECT agent, if_index, time_ms, speed_bps, status, in_octets, out_octets, in_errors,"
    " out_errors, in_discards, out_discards FROM interfaces ORDER BY agent, if_index"};
static const struct pgsql_stmt stmt_collector_started = {
    "collector_started", "i",
    "INSERT INTO meta (key, value) VALUES ('collector_started_ms', $1)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"};
/* The usage version: a key/value row of meta, no migration (missing, it reads 0). Moved as
 * the last write before COMMIT: the row's lock is then held by a transaction that waits for
 * nothing more, so collectors flushing at once queue on it for a moment, never deadlock. */
static const struct pgsql_stmt stmt_usage_version_move = {
    "usage_version_move", "",
    "INSERT INTO meta (key, value) VALUES ('usage_version', 1)"
    " ON CONFLICT (key) DO UPDATE SET value = meta.value + 1"};
static const struct pgsql_stmt stmt_usage_version = {
    "usage_version", "",
    "SELECT coalesce((SELECT value FROM meta WHERE key = 'usage_version'), 0)"};

/* ---- the connection ---- */

/* A counter increase waiting for the end of the transaction. */
struct pending_stat {
    char *exporter, *name; /* owned */
    uint8_t version;
    uint32_t domain;
    uint64_t value;
};

struct store_pgsql {
    struct store base;
    PGconn *conn;
    bool readonly;
    char *name;                         /* owned: the URI with its password masked */
    struct uri_pgsql_secrets secrets;   /* never to be printed */
    char *prepared[PGSQL_MAX_PREPARED]; /* owned: names prepared on this connection */
    size_t n_prepared;
    struct pgsql_stage stage;   /* usage rows added in this transaction, not yet sent */
    bool has_stage;             /* the staging table exists on this connection */
    bool stage_is_new;          /* ... made by the open transaction */
    bool usage_unversioned;     /* the open transaction added usage; the version has not
                                 * moved in it yet */
    struct pending_stat *stats; /* owned: counters added in this transaction */
    size_t n_stats, cap_stats;
    bool is_sent;       /* store_pgsql_send() sent a statement; its result is not read yet */
    PGresult *received; /* owned: that result, read for a statement that had to run, or NULL */
    int received_rc;    /* ... and its code */
    char err[512];      /* what the last failure said */
    char state[6];      /* its SQLSTATE, "" if none */
};

static const struct store_ops pgsql_ops;

static struct store_pgsql *pg(struct store *base)
{
    assert(base->ops == &pgsql_ops);
    return (struct store_pgsql *)base;
}

/* One line: libpq's messages end in a newline, add hints on tab-indented lines and carry
 * the severity ("FATAL:  ") that a log line says already. */
static void one_line(char *msg, bool first_only)
{
    char *nl = first_only ? strchr(msg, '\n') : NULL;
    if (nl)
        *nl = '\0';
    char *o = msg;
    for (const char *c = msg; *c; c++) {
        if (strncmp(c, "FATAL:  ", 8) == 0 || strncmp(c, "ERROR:  ", 8) == 0)
            c += 8;
        bool space = *c == ' ' || *c == '\n' || *c == '\t';
        if (!*c)
            break;
        if (space && (o == msg || o[-1] == ' '))
            continue;
        *o++ = space ? ' ' : *c;
    }
    while (o > msg && o[-1] == ' ')
        o--;
    *o = '\0';
}

/* Keeps what the server (or libpq) said about the last failure, for last_error(). */
static void note(struct store_pgsql *p, const PGresult *r)
{
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(p->state, sizeof p->state, "%s", state ? state : "");
    snprintf(p->err, sizeof p->err, "%s", msg ? msg : PQerrorMessage(p->conn));
    one_line(p->err, true);
    uri_pgsql_scrub(&p->secrets, p->err, sizeof p->err);
    if (!p->err[0])
        snprintf(p->err, sizeof p->err, "unknown PostgreSQL error");
    log_debug("%s: %s", p->name, p->err);
}

/* Server notices (a NOTICE from CREATE ... IF NOT EXISTS) go to the debug log, not to
 * stderr as libpq's default would print them. */
static void notice(void *arg, const char *message)
{
    struct store_pgsql *p = arg;
    char msg[ERR_BUF_LEN];
    snprintf(msg, sizeof msg, "%s", message);
    one_line(msg, false);
    uri_pgsql_scrub(&p->secrets, msg, sizeof msg);
    log_debug("%s: %s", p->name, msg);
}

/* ---- running statements ---- */

static void forget_prepared(struct store_pgsql *p)
{
    for (size_t i = 0; i < p->n_prepared; i++)
        free(p->prepared[i]);
    p->n_prepared = 0;
}

/* The parameters' types, from st->types. Returns how many. */
static int param_types(const struct pgsql_stmt *st, Oid types[PGSQL_MAX_PARAMS])
{
    int n = (int)strlen(st->types);
    assert(n <= PGSQL_MAX_PARAMS);
    for (int i = 0; i < n; i++)
        types[i] = st->types[i] == 'i' ? PGSQL_OID_INT8 : PGSQL_OID_TEXT;
    return n;
}

/* Prepares st unless it is already. Returns 0, 1 when no more statements can be kept (run it
 * unprepared), or ERR_STORE. */
static int prepare(struct store_pgsql *p, const struct pgsql_stmt *st)
{
    for (size_t i = 0; i < p->n_prepared; i++)
        if (strcmp(p->prepared[i], st->name) == 0)
            return 0;
    if (p->n_prepared == PGSQL_MAX_PREPARED)
        return 1;
    Oid types[PGSQL_MAX_PARAMS];
    int n = param_types(st, types);
    PGresult *r = PQprepare(p->conn, st->name, st->sql, n, types);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : ERR_STORE;
    if (rc != 0)
        note(p, r);
    else
        p->prepared[p->n_prepared++] = xstrdup(st->name);
    PQclear(r);
    return rc;
}

/* Gives r when it says the statement ran (*rc 0), else frees it and gives NULL with *rc
 * as store_pgsql_run() documents. */
static PGresult *checked(struct store_pgsql *p, PGresult *r, int *rc)
{
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
        *rc = 0;
        return r;
    }
    note(p, r);
    /* A taken name or a row still referred to is ERR_EXISTS (23505 unique, 23503 foreign
     * key); a value the schema refuses (23514 check, 23502 not null) ERR_MALFORMED. */
    const char *state = p->state;
    if (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0)
        *rc = ERR_EXISTS;
    else
        *rc = strncmp(state, "23", 2) == 0 ? ERR_MALFORMED : ERR_STORE;
    PQclear(r);
    return NULL;
}

/* Reads the result of what store_pgsql_send() sent, if it is not read yet, and keeps it for
 * store_pgsql_receive(): the connection is free again for another statement. */
static void settle(struct store_pgsql *p)
{
    if (!p->is_sent)
        return;
    p->is_sent = false;
    PGresult *r = PQgetResult(p->conn), *more;
    while ((more = PQgetResult(p->conn))) /* none after one statement's; read to the end */
        PQclear(more);
    p->received = checked(p, r, &p->received_rc);
}

/* Runs st without sending what is buffered first. See store_pgsql_run(). */
static PGresult *run(struct store_pgsql *p, const struct pgsql_stmt *st, const char *const *params,
                     int *rc)
{
    settle(p);
    int n = (int)strlen(st->types);
    PGresult *r = NULL;
    *rc = prepare(p, st);
    if (*rc == 0) {
        r = PQexecPrepared(p->conn, st->name, n, params, NULL, NULL, 0);
    } else if (*rc == 1) {
        Oid types[PGSQL_MAX_PARAMS];
        param_types(st, types);
        r = PQexecParams(p->conn, st->sql, n, types, params, NULL, NULL, 0);
    } else {
        return NULL;
    }
    return checked(p, r, rc);
}

/* Runs a statement whose result holds no rows worth reading. */
static int run_write(struct store_pgsql *p, const struct pgsql_stmt *st, const char *const *params)
{
    int rc;
    PQclear(run(p, st, params, &rc));
    return rc;
}

/* Runs constant SQL without parameters (transaction control, the staging table). */
static int exec_plain(struct store_pgsql *p, const char *sql)
{
    settle(p);
    PGresult *r = PQexec(p->conn, sql);
    ExecStatusType status = PQresultStatus(r);
    int rc = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? 0 : ERR_STORE;
    if (rc != 0)
        note(p, r);
    PQclear(r);
    return rc;
}

/* ---- the usage stage ---- */

/* Moves the staged rows into the staging table (made on first use on the connection), in
 * key order, with COPY. */
static int stage_send(struct store_pgsql *p)
{
    if (!p->has_stage) {
        if (exec_plain(p, stage_create) != 0)
            return ERR_STORE;
        p->has_stage = true;
        p->stage_is_new = true;
    }
    stage_pgsql_sort(&p->stage);
    PGresult *r = PQexec(p->conn, stage_copy);
    bool copying = PQresultStatus(r) == PGRES_COPY_IN;
    if (!copying)
        note(p, r);
    PQclear(r);
    if (!copying)
        return ERR_STORE;
    int rc = 0;
    const char *text;
    size_t len;
    while (rc == 0 && (text = stage_pgsql_piece(&p->stage, PGSQL_COPY_PIECE, &len)))
        if (PQputCopyData(p->conn, text, (int)len) != 1)
            rc = ERR_STORE;
    if (PQputCopyEnd(p->conn, rc == 0 ? NULL : "flowtally: sending rows failed") != 1)
        rc = ERR_STORE;
    if (rc != 0)
        note(p, NULL);
    while ((r = PQgetResult(p->conn))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            note(p, r);
            rc = ERR_STORE;
        }
        PQclear(r);
    }
    return rc;
}

/* Counters in key order, as collector_stats sorts them. */
static int cmp_stat(const void *a, const void *b)
{
    const struct pending_stat *x = a, *y = b;
    int c = strcmp(x->exporter, y->exporter);
    if (c == 0)
        c = (x->version > y->version) - (x->version < y->version);
    if (c == 0)
        c = (x->domain > y->domain) - (x->domain < y->domain);
    return c ? c : strcmp(x->name, y->name);
}

static void drop_pending(struct store_pgsql *p)
{
    for (size_t i = 0; i < p->n_stats; i++) {
        free(p->stats[i].exporter);
        free(p->stats[i].name);
    }
    p->n_stats = 0;
    stage_pgsql_clear(&p->stage);
}

static int stat_write(struct store_pgsql *p, const char *exporter, uint8_t version, uint32_t domain,
                      const char *name, uint64_t value)
{
    char v[PGSQL_INT_LEN], d[PGSQL_INT_LEN], n[PGSQL_INT_LEN];
    const char *params[] = {exporter, pgsql_int(v, version), pgsql_int(d, domain), name,
                            pgsql_int(n, (int64_t)value)};
    return run_write(p, &stmt_stat_add, params);
}

/* Sends what add_usage and add_stat buffered: the staged rows into usage, the counters in
 * key order (a counter added twice as one row). Forgets them, sent or not. */
static int send_pending(struct store_pgsql *p)
{
    settle(p);
    int rc = 0;
    if (p->stage.n_rows) {
        rc = stage_send(p);
        if (rc == 0)
            rc = run_write(p, &stmt_usage_staged, NULL);
        if (rc == 0)
            rc = exec_plain(p, stage_empty);
        stage_pgsql_clear(&p->stage);
    }
    if (rc == 0 && p->n_stats > 1)
        qsort(p->stats, p->n_stats, sizeof *p->stats, cmp_stat);
    for (size_t i = 0; rc == 0 && i < p->n_stats; i++) {
        struct pending_stat *s = &p->stats[i];
        while (i + 1 < p->n_stats && cmp_stat(s, &p->stats[i + 1]) == 0)
            s->value += p->stats[++i].value; /* the same counter twice: one row, the sum */
        rc = stat_write(p, s->exporter, s->version, s->domain, s->name, s->value);
    }
    if (rc != 0 || p->n_stats)
        drop_pending(p);
    return rc;
}

PGresult *store_pgsql_run(struct store *base, const struct pgsql_stmt *st,
                          const char *const *params, int *rc)
{
    struct store_pgsql *p = pg(base);
    *rc = send_pending(p);
    return *rc == 0 ? run(p, st, params, rc) : NULL;
}

int store_pgsql_write(struct store *s, const struct pgsql_stmt *st, const char *const *params,
                      int *n_rows, char *errbuf)
{
    int rc;
    PGresult *r = store_pgsql_run(s, st, params, &rc);
    if (n_rows)
        *n_rows = r ? atoi(PQcmdTuples(r)) : 0;
    PQclear(r);
    if (rc != 0 && errbuf)
        snprintf(errbuf, ERR_BUF_LEN, "%s", store_pgsql_error(s));
    return rc;
}

int store_pgsql_exec(struct store *base, const char *sql)
{
    struct store_pgsql *p = pg(base);
    int rc = send_pending(p);
    return rc == 0 ? exec_plain(p, sql) : rc;
}

int store_pgsql_send(struct store *base, const struct pgsql_stmt *st, const char *const *params,
                     bool is_binary)
{
    struct store_pgsql *p = pg(base);
    assert(!p->received);
    int rc = send_pending(p);
    if (rc == 0)
        rc = prepare(p, st);
    if (rc < 0)
        return rc;
    int n = (int)strlen(st->types), format = is_binary ? 1 : 0, sent;
    if (rc == 0) {
        sent = PQsendQueryPrepared(p->conn, st->name, n, params, NULL, NULL, format);
    } else {
        Oid types[PGSQL_MAX_PARAMS];
        param_types(st, types);
        sent = PQsendQueryParams(p->conn, st->sql, n, types, params, NULL, NULL, format);
    }
    if (!sent) {
        note(p, NULL);
        return ERR_STORE;
    }
    p->is_sent = true;
    return 0;
}

PGresult *store_pgsql_receive(struct store *base, int *rc)
{
    struct store_pgsql *p = pg(base);
    assert(p->is_sent || p->received || p->received_rc);
    settle(p);
    PGresult *r = p->received;
    *rc = p->received_rc;
    p->received = NULL;
    p->received_rc = 0;
    return r;
}

bool store_pgsql_in_transaction(struct store *base)
{
    return PQtransactionStatus(pg(base)->conn) != PQTRANS_IDLE &&
           PQtransactionStatus(pg(base)->conn) != PQTRANS_UNKNOWN;
}

const char *store_pgsql_error(struct store *base)
{
    return pg(base)->err;
}

/* ---- transactions ---- */

/* One snapshot for a page's reads, so its figures agree while collectors write:
 * REPEATABLE READ takes the snapshot at the first statement and keeps it; READ ONLY makes
 * a write by mistake fail rather than hold row locks for a page. Two round trips more
 * than reading without. */
/* Opens a transaction with begin_sql, refused when one is open (or the connection lost). */
static int open_transaction(struct store_pgsql *p, const char *begin_sql)
{
    p->err[0] = '\0';
    if (PQtransactionStatus(p->conn) != PQTRANS_IDLE) {
        snprintf(p->err, sizeof p->err, "%s",
                 PQstatus(p->conn) == CONNECTION_OK ? "a transaction is open already"
                                                    : "the connection is lost");
        return ERR_STORE;
    }
    return exec_plain(p, begin_sql);
}

/* Rolls back the open transaction, if any, keeping what the failure before it said. */
static void roll_back(struct store_pgsql *p)
{
    PGTransactionStatusType t = PQtransactionStatus(p->conn);
    if (t == PQTRANS_INTRANS || t == PQTRANS_INERROR) {
        char keep[sizeof p->err];
        memcpy(keep, p->err, sizeof keep); /* the failure, not the rollback, is the news */
        (void)exec_plain(p, "ROLLBACK");
        memcpy(p->err, keep, sizeof keep);
    }
}

static int pq_read_begin(struct store *base)
{
    return open_transaction(pg(base), "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
}

static void pq_read_end(struct store *base)
{
    roll_back(pg(base)); /* nothing was written: nothing to keep */
}

static int pq_begin(struct store *base)
{
    struct store_pgsql *p = pg(base);
    int rc = open_transaction(p, "BEGIN");
    if (rc == 0) /* not before: refused, the open transaction keeps its own */
        p->usage_unversioned = false;
    return rc;
}

static int pq_commit(struct store *base)
{
    struct store_pgsql *p = pg(base);
    int rc = send_pending(p);
    if (rc == 0 && p->usage_unversioned && PQtransactionStatus(p->conn) == PQTRANS_INTRANS) {
        rc = run_write(p, &stmt_usage_version_move, NULL);
        p->usage_unversioned = rc != 0; /* moved, in the transaction: not again */
    }
    if (rc != 0)
        return rc;
    PGresult *r = PQexec(p->conn, "COMMIT");
    /* COMMIT of a transaction a failed statement aborted answers "ROLLBACK", not an error */
    if (PQresultStatus(r) != PGRES_COMMAND_OK || strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK && !p->err[0])
            snprintf(p->err, sizeof p->err,
                     "the transaction was rolled back: a statement in "
                     "it failed");
        else if (PQresultStatus(r) != PGRES_COMMAND_OK)
            note(p, r);
        rc = ERR_STORE;
    }
    PQclear(r);
    if (rc == 0)
        p->stage_is_new = false;
    return rc;
}

static void pq_rollback(struct store *base)
{
    struct store_pgsql *p = pg(base);
    settle(p);
    drop_pending(p);
    p->usage_unversioned = false;
    if (p->stage_is_new) /* the staging table went with the transaction that made it */
        p->has_stage = false;
    p->stage_is_new = false;
    roll_back(p);
}

static const char *pq_last_error(struct store *base)
{
    return pg(base)->err;
}

static int pq_batch(struct store *base, store_work_fn *fn, void *ctx)
{
    return admin_pgsql_batch(base, fn, ctx);
}

/* ---- the flush ---- */

static int pq_add_usage(struct store *base, const struct usage_row *row, const char *class_name,
                        const char *app_name)
{
    struct store_pgsql *p = pg(base);
    if (!store_pgsql_in_transaction(base)) {
        /* A write of its own: no stage to fill, and a transaction of its own, so the
         * version moves with it. */
        int rc = pq_begin(base);
        char host[ADDR_STR_LEN];
        addr_format(&row->key.host, host);
        char b[PGSQL_INT_LEN], s[PGSQL_INT_LEN], by[PGSQL_INT_LEN], pk[PGSQL_INT_LEN],
            fl[PGSQL_INT_LEN];
        const char *params[] = {pgsql_int(b, row->key.bucket_s),
                                pgsql_int(s, row->key.subscriber),
                                host,
                                flow_dir_name((enum flow_dir)row->key.dir),
                                class_name,
                                app_name,
                                pgsql_int(by, (int64_t)row->counts.bytes),
                                pgsql_int(pk, (int64_t)row->counts.packets),
                                pgsql_int(fl, (int64_t)row->counts.flows)};
        if (rc == 0)
            rc = run_write(p, &stmt_usage_one, params);
        p->usage_unversioned = rc == 0;
        if (rc == 0)
            rc = pq_commit(base);
        if (rc != 0)
            pq_rollback(base);
        return rc;
    }
    stage_pgsql_add(&p->stage, row, class_name, app_name);
    p->usage_unversioned = true;
    return 0;
}

static int pq_add_stat(struct store *base, const struct stat_row *row)
{
    struct store_pgsql *p = pg(base);
    if (!store_pgsql_in_transaction(base))
        return stat_write(p, row->exporter, row->version, row->domain, row->name, row->value);
    if (p->n_stats == p->cap_stats) {
        p->cap_stats = p->cap_stats ? 2 * p->cap_stats : 64;
        p->stats = xrealloc(p->stats, p->cap_stats * sizeof *p->stats);
    }
    p->stats[p->n_stats++] = (struct pending_stat){.exporter = xstrdup(row->exporter),
                                                   .name = xstrdup(row->name),
                                                   .version = row->version,
                                                   .domain = row->domain,
                                                   .value = row->value};
    return 0;
}

static int pq_set_log_position(struct store *base, const char *path, uint64_t inode,
                               uint64_t offset)
{
    char i[PGSQL_INT_LEN], o[PGSQL_INT_LEN];
    const char *params[] = {path, pgsql_int(i, (int64_t)inode), pgsql_int(o, (int64_t)offset)};
    int rc;
    PQclear(store_pgsql_run(base, &stmt_log_position_set, params, &rc));
    return rc;
}

static int pq_get_log_position(struct store *base, const char *path, uint64_t *inode,
                               uint64_t *offset)
{
    const char *params[] = {path};
    int rc;
    PGresult *r = store_pgsql_run(base, &stmt_log_position_get, params, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : ERR_NOT_FOUND;
    if (rc == 0) {
        *inode = (uint64_t)pgsql_get_int(r, 0, 0);
        *offset = (uint64_t)pgsql_get_int(r, 0, 1);
    }
    PQclear(r);
    return rc;
}

static int pq_set_interface(struct store *base, const struct iface_row *row)
{
    const uint64_t v[] = {row->time_ms,    row->speed_bps,   row->status,
                          row->in_octets,  row->out_octets,  row->in_errors,
                          row->out_errors, row->in_discards, row->out_discards};
    char text[10][PGSQL_INT_LEN];
    const char *params[11] = {row->agent, pgsql_int(text[0], row->if_index)};
    for (int i = 0; i < 9; i++) /* counters above 2^63 do not exist in SNMP; cap anyway */
        params[2 + i] = pgsql_int(text[1 + i], v[i] > INT64_MAX ? INT64_MAX : (int64_t)v[i]);
    int rc;
    PQclear(store_pgsql_run(base, &stmt_interface_set, params, &rc));
    return rc;
}

static int pq_read_interfaces(struct store *base, store_iface_fn *fn, void *ctx)
{
    int rc;
    PGresult *r = store_pgsql_run(base, &stmt_interfaces_read, NULL, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        struct iface_row row = {
            .agent = PQgetvalue(r, i, 0),
            .if_index = (uint32_t)pgsql_get_int(r, i, 1),
            .time_ms = (uint64_t)pgsql_get_int(r, i, 2),
            .speed_bps = (uint64_t)pgsql_get_int(r, i, 3),
            .status = (uint32_t)pgsql_get_int(r, i, 4),
            .in_octets = (uint64_t)pgsql_get_int(r, i, 5),
            .out_octets = (uint64_t)pgsql_get_int(r, i, 6),
            .in_errors = (uint64_t)pgsql_get_int(r, i, 7),
            .out_errors = (uint64_t)pgsql_get_int(r, i, 8),
            .in_discards = (uint64_t)pgsql_get_int(r, i, 9),
            .out_discards = (uint64_t)pgsql_get_int(r, i, 10),
        };
        fn(ctx, &row);
    }
    PQclear(r);
    return 0;
}

static int pq_read_stats(struct store *base, store_stat_fn *fn, void *ctx)
{
    int rc;
    PGresult *r = store_pgsql_run(base, &stmt_stats_read, NULL, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        struct stat_row row = {
            .exporter = PQgetvalue(r, i, 0),
            .version = (uint8_t)pgsql_get_int(r, i, 1),
            .domain = (uint32_t)pgsql_get_int(r, i, 2),
            .name = PQgetvalue(r, i, 3),
            .value = (uint64_t)pgsql_get_int(r, i, 4),
        };
        fn(ctx, &row);
    }
    PQclear(r);
    return 0;
}

static int64_t pq_usage_version(struct store *base)
{
    int rc;
    PGresult *r = store_pgsql_run(base, &stmt_usage_version, NULL, &rc);
    int64_t v = r && PQntuples(r) == 1 ? pgsql_get_int(r, 0, 0) : ERR_STORE;
    PQclear(r);
    return v;
}

/* ---- reading usage ---- */

static int pq_read_usage(struct store *base, const struct usage_query *q, store_usage_fn *fn,
                         void *ctx)
{
    unsigned group = usage_sql_group(q->group);
    char sql[USAGE_SQL_LEN], name[32];
    bool one_subscriber = q->subscriber_id >= 0;
    usage_sql_read(group, one_subscriber, '$', sql, sizeof sql);
    snprintf(name, sizeof name, "usage_read_%u%s", group, one_subscriber ? "_one" : "");
    /* $3 typed though the SQL of every subscriber leaves it out: the parameters stay alike */
    const struct pgsql_stmt st = {name, "iiii", sql};
    int64_t from_s, to_s;
    usage_sql_bounds(q, &from_s, &to_s);
    char from[PGSQL_INT_LEN], to[PGSQL_INT_LEN], sub[PGSQL_INT_LEN], off[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(from, from_s), pgsql_int(to, to_s),
                            pgsql_int(sub, q->subscriber_id), pgsql_int(off, q->utc_offset_s)};
    int rc;
    PGresult *r = store_pgsql_run(base, &st, params, &rc);
    if (!r)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        bool has_period = !PQgetisnull(r, i, 5) || !PQgetisnull(r, i, 6);
        struct usage_result row = {
            .subscriber_id = pgsql_get_int(r, i, 0),
            .account = pgsql_get_text(r, i, 1),
            .host = pgsql_get_text(r, i, 2),
            .class_name = pgsql_get_text(r, i, 3),
            .app = pgsql_get_text(r, i, 4),
            .period = has_period ? pgsql_get_int(r, i, PQgetisnull(r, i, 5) ? 6 : 5) : 0,
            .dir = usage_sql_dir(PQgetvalue(r, i, 7)),
            .counts = {(uint64_t)pgsql_get_int(r, i, 8), (uint64_t)pgsql_get_int(r, i, 9),
                       (uint64_t)pgsql_get_int(r, i, 10)},
        };
        fn(ctx, &row);
    }
    PQclear(r);
    return 0;
}

/* ---- the collector ---- */

static int pq_claim_collector(struct store *base, char *errbuf)
{
    struct store_pgsql *p = pg(base);
    char now[PGSQL_INT_LEN];
    const char *params[] = {pgsql_int(now, (int64_t)time(NULL) * 1000)};
    /* A real write: a role without the right to write, a read-only replica or a database
     * set read-only shows now, not at every flush. Several collectors may share the
     * database (each counts its own exporters), so nothing here excludes another. */
    int rc;
    PQclear(store_pgsql_run(base, &stmt_collector_started, params, &rc));
    if (rc == 0)
        return 0;
    if (strcmp(p->state, "55P03") == 0) { /* a lock timeout: the flushes will wait */
        log_warn("%s: %s at start; the flushes wait for it and retry", p->name, p->err);
        return 0;
    }
    snprintf(errbuf, ERR_BUF_LEN, "%s: cannot write: %s", p->name, p->err);
    return ERR_STORE;
}

/* What every connection sets once: lock waits bounded like SQLite's busy timeout (a flush
 * that waits longer fails, keeps its rows and is tried again), and readers that cannot
 * write by mistake. */
static int session_setup(struct store_pgsql *p)
{
    PQsetNoticeProcessor(p->conn, notice, p);
    if (exec_plain(p, "SET lock_timeout = '10s'") != 0)
        return ERR_STORE;
    /* a reader never writes; a writer's staging table keeps a flush in memory */
    return exec_plain(p, p->readonly ? "SET default_transaction_read_only = on"
                                     : "SET temp_buffers = '32MB'");
}

static int pq_verify(struct store *base, char *msg)
{
    struct store_pgsql *p = pg(base);
    msg[0] = '\0';
    if (PQstatus(p->conn) == CONNECTION_OK)
        return 0;
    /* The server restarted, or the network dropped the connection (a statement failed
     * saying so): connect again. What the connection held (prepared statements, the
     * staging table) went with it; the flusher still holds the batch. */
    forget_prepared(p);
    drop_pending(p);
    p->has_stage = p->stage_is_new = p->usage_unversioned = false;
    PQreset(p->conn);
    if (PQstatus(p->conn) != CONNECTION_OK) {
        note(p, NULL);
        snprintf(msg, ERR_BUF_LEN,
                 "%s: the connection was lost and connecting again failed: %s; the counts are "
                 "kept in memory",
                 p->name, p->err);
        return ERR_STORE;
    }
    /* The database may have been dropped and made again meanwhile: only the same schema
     * takes this batch. */
    char why[ERR_BUF_LEN] = "";
    if (session_setup(p) != 0)
        snprintf(why, sizeof why, "%s", p->err);
    else
        (void)migrate_pgsql_check(p->conn, why);
    if (why[0]) {
        snprintf(msg, ERR_BUF_LEN, "%s: connected again, but: %.900s", p->name, why);
        uri_pgsql_scrub(&p->secrets, msg, ERR_BUF_LEN);
        return ERR_STORE;
    }
    snprintf(msg, ERR_BUF_LEN, "%s: the connection to the server was lost; connected again",
             p->name);
    return 1;
}

/* ---- opening and closing ---- */

static void pq_close(struct store *base)
{
    struct store_pgsql *p = pg(base);
    drop_pending(p);
    forget_prepared(p);
    PQclear(p->received);
    PQfinish(p->conn);
    free(p->stats);
    stage_pgsql_deinit(&p->stage);
    uri_pgsql_secrets_deinit(&p->secrets);
    free(p->name);
    free(p);
}

static const struct store_ops pgsql_ops = {
    .engine = "postgresql",
    .begin = pq_begin,
    .commit = pq_commit,
    .rollback = pq_rollback,
    .read_begin = pq_read_begin,
    .read_end = pq_read_end,
    .last_error = pq_last_error,
    .batch = pq_batch,
    .in_transaction = store_pgsql_in_transaction,
    .claim_collector = pq_claim_collector,
    .verify = pq_verify,
    .add_usage = pq_add_usage,
    .read_usage = pq_read_usage,
    .usage_version = pq_usage_version,
    .add_stat = pq_add_stat,
    .read_stats = pq_read_stats,
    .set_interface = pq_set_interface,
    .read_interfaces = pq_read_interfaces,
    .set_log_position = pq_set_log_position,
    .get_log_position = pq_get_log_position,
    .seen_add = seen_pgsql_add,
    .seen_prune = seen_pgsql_prune,
    .seen_read = seen_pgsql_read,
    .plan_save = admin_pgsql_plan_save,
    .plan_get = admin_pgsql_plan_get,
    .plan_list = admin_pgsql_plan_list,
    .plan_remove = admin_pgsql_plan_remove,
    .subscriber_save = admin_pgsql_subscriber_save,
    .subscriber_get = admin_pgsql_subscriber_get,
    .subscriber_get_id = admin_pgsql_subscriber_get_id,
    .subscriber_list = admin_pgsql_subscriber_list,
    .subscriber_remove = admin_pgsql_subscriber_remove,
    .binding_open_of = admin_pgsql_binding_open_of,
    .binding_close = admin_pgsql_binding_close,
    .binding_insert = admin_pgsql_binding_insert,
    .binding_is_open = admin_pgsql_binding_is_open,
    .binding_list = admin_pgsql_binding_list,
    .lease_put = admin_pgsql_lease_put,
    .lease_list = admin_pgsql_lease_list,
    .lease_at = admin_pgsql_lease_at,
    .bindings_version = admin_pgsql_bindings_version,
    .classes_write = admin_pgsql_classes_write,
    .class_list = admin_pgsql_class_list,
    .classes_known = admin_pgsql_classes_known,
    .user_save = users_pgsql_user_save,
    .user_get = users_pgsql_user_get,
    .user_list = users_pgsql_user_list,
    .user_remove = users_pgsql_user_remove,
    .user_set_password = users_pgsql_user_set_password,
    .session_put = users_pgsql_session_put,
    .session_get = users_pgsql_session_get,
    .session_touch = users_pgsql_session_touch,
    .session_remove = users_pgsql_session_remove,
    .session_remove_user = users_pgsql_session_remove_user,
    .session_expire = users_pgsql_session_expire,
    .login_failure_get = users_pgsql_login_failure_get,
    .login_failure_put = users_pgsql_login_failure_put,
    .login_failure_clear = users_pgsql_login_failure_clear,
    .login_failure_expire = users_pgsql_login_failure_expire,
    .reset_put = users_pgsql_reset_put,
    .reset_take = users_pgsql_reset_take,
    .reset_get = users_pgsql_reset_get,
    .scan_usage = billing_pgsql_scan_usage,
    .plan_history = billing_pgsql_plan_history,
    .topup_add = billing_pgsql_topup_add,
    .topup_list = billing_pgsql_topup_list,
    .invoice_issue = billing_pgsql_invoice_issue,
    .invoice_list = billing_pgsql_invoice_list,
    .invoice_get = billing_pgsql_invoice_get,
    .invoice_lines = billing_pgsql_invoice_lines,
    .invoice_lines_of_cycle = billing_pgsql_invoice_lines_of_cycle,
    .invoice_usage_list = billing_pgsql_invoice_usage_list,
    .invoice_unmailed = billing_pgsql_invoice_unmailed,
    .meta_get = billing_pgsql_meta_get,
    .meta_set = billing_pgsql_meta_set,
    .alert_fire = alert_pgsql_fire,
    .alert_list = alert_pgsql_list,
    .alert_rearm = alert_pgsql_rearm,
    .mail_enqueue = alert_pgsql_mail_enqueue,
    .mail_claim = alert_pgsql_mail_claim,
    .mail_update = alert_pgsql_mail_update,
    .mail_list = alert_pgsql_mail_list,
    .mail_retry_all = alert_pgsql_mail_retry_all,
    .enforce_get = alert_pgsql_enforce_get,
    .enforce_put = alert_pgsql_enforce_put,
    .enforce_list = alert_pgsql_enforce_list,
    .usage_subscribers = alert_pgsql_usage_subscribers,
    .close = pq_close,
};

struct store *store_pgsql_open(const char *uri, bool readonly, char *errbuf)
{
    struct store_pgsql *p = xcalloc(1, sizeof *p);
    p->base.ops = &pgsql_ops;
    p->readonly = readonly;
    char name[ERR_BUF_LEN / 2];
    uri_mask_password(uri, name, sizeof name);
    p->name = xstrdup(name);
    uri_pgsql_secrets_init(&p->secrets, uri);
    stage_pgsql_init(&p->stage);
    /* Ours come first: what the URI says (its own connect_timeout, say) wins over them. */
    const char *const keys[] = {"fallback_application_name", "connect_timeout", "client_encoding",
                                "dbname", NULL};
    const char *const values[] = {"flowtally", "10", "UTF8", uri, NULL};
    p->conn = PQconnectdbParams(keys, values, 1);
    char why[ERR_BUF_LEN];
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        snprintf(why, sizeof why, "%s", p->conn ? PQerrorMessage(p->conn) : "out of memory");
        one_line(why, false);
        snprintf(errbuf, ERR_BUF_LEN, "%s: cannot connect: %.800s", p->name, why);
        goto fail;
    }
    why[0] = '\0';
    if (session_setup(p) != 0)
        snprintf(why, sizeof why, "%s", p->err);
    else if (readonly)
        (void)migrate_pgsql_check(p->conn, why);
    else
        (void)migrate_pgsql(p->conn, why);
    if (why[0]) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %.800s", p->name, why);
        goto fail;
    }
    return &p->base;
fail:
    uri_pgsql_scrub(&p->secrets, errbuf, ERR_BUF_LEN);
    pq_close(&p->base);
    return NULL;
}
