// SPDX-License-Identifier: MIT
// The store's conformance suite: every operation of struct store_ops, through store.h only,
// with results worked out by hand, run against every engine. It is several test binaries,
// one per area (test_conformance_*.c); this header is what they share: the engines, a store
// for each case, rows as text, small steps that assert they worked, and the runner.
// Each case gets a store of its own: a new SQLite file in a temporary directory (removed
// after the case) and, when FLOWTALLY_TEST_DB_URI names an empty PostgreSQL database, a
// schema of its own in it (all made with one psql call before a binary's first case and
// dropped with one after its last, named by the binary's process id and the case's index;
// the store is opened with search_path set to it in the URI's options), so no case sees
// another's rows. The suite needs psql for that only: it includes no engine's header.
// Rows are compared as text lines, in order: subscriber ids, which each engine assigns, are
// shown by the account they were given to ("#alice"), unassigned as "#0".
// Everything here is static (inline): each binary is one .c file that includes it once.
#ifndef FT_TEST_CONFORMANCE_H
#define FT_TEST_CONFORMANCE_H

#include "../../../src/base/err.h"
#include "../../../src/store/store.h"
#include "test.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define ALL UINT64_MAX /* to_ms of a read without an end */

/* ---- the engines and the store of the running case ---- */

struct engine {
    const char *name; /* as store_ops.engine says it */
    const char *uri;  /* PostgreSQL: the empty database; NULL for SQLite */
};

static char tmpdir[64];

static struct {
    const struct engine *e;
    char db[1200]; /* the --db text of this case's store */
} cur;

static inline bool is_sqlite(void)
{
    return cur.e->uri == NULL;
}

/* Runs one statement with psql on the engine's database; 0 or -1 (psql's stderr shown). */
static inline int psql(const char *sql)
{
    char err[128];
    snprintf(err, sizeof err, "%s/psql.err", tmpdir);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(null, 1);
        dup2(fd, 2);
        execlp("psql", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", cur.e->uri, "-c", sql,
               (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("# psql failed (%s) for: %s\n",
               WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "not installed?" : "see below",
               sql);
        FILE *f = fopen(err, "r");
        char line[512];
        while (f && fgets(line, sizeof line, f))
            printf("#   %s", line);
        if (f)
            fclose(f);
        return -1;
    }
    return 0;
}

/* Runs sql on this case's store with the engine's own client, as an operator could (psql on
 * the case's schema; the sqlite3 CLI on its file), bypassing the store. OUT: err (size
 * bytes), what the client said on stderr. Returns its exit status: 0 when the statement
 * worked, -1 when the client could not be run. */
static inline int raw_sql(const char *sql, char *err, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/raw.err", tmpdir);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(null, 1);
        dup2(fd, 2);
        if (is_sqlite())
            execlp("sqlite3", "sqlite3", "-bail", cur.db, sql, (char *)NULL);
        else
            execlp("psql", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", cur.db, "-c", sql,
                   (char *)NULL);
        _exit(127);
    }
    int status = 0;
    bool ran = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
               WEXITSTATUS(status) != 127;
    size_t n = 0;
    FILE *f = fopen(path, "r");
    if (f) {
        n = fread(err, 1, size - 1, f);
        fclose(f);
    }
    err[n] = '\0';
    unlink(path);
    return ran ? WEXITSTATUS(status) : -1;
}

/* The statement that makes (or drops) the schemas of every case, one per case. */
static inline void schemas_sql(char *sql, size_t size, size_t n_cases, bool drop)
{
    size_t o = (size_t)snprintf(sql, size, "%s", drop ? "SET client_min_messages = warning;" : "");
    for (size_t i = 0; i < n_cases && o < size; i++)
        o += (size_t)snprintf(sql + o, size - o, "%s SCHEMA ftconf_%d_%02zu%s;",
                              drop ? "DROP" : "CREATE", (int)getpid(), i, drop ? " CASCADE" : "");
}

static inline void case_setup(int index)
{
    if (is_sqlite()) {
        snprintf(cur.db, sizeof cur.db, "%s/%02d.db", tmpdir, index);
        return;
    }
    snprintf(cur.db, sizeof cur.db, "%s%soptions=-csearch_path%%3Dftconf_%d_%02d", cur.e->uri,
             strchr(cur.e->uri, '?') ? "&" : "?", (int)getpid(), index);
}

static inline void case_teardown(void)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char p[1300];
    for (size_t i = 0; is_sqlite() && i < N(suffix); i++) {
        snprintf(p, sizeof p, "%s%s", cur.db, suffix[i]);
        unlink(p);
    }
}

/* Opens another connection to this case's store; NULL (the test failed) if it cannot. */
static inline struct store *open_store(bool readonly)
{
    char errbuf[ERR_BUF_LEN] = "";
    struct store *s = store_open(cur.db, readonly, errbuf);
    if (!s)
        TEST_FAIL("store_open(%s) failed: %s", readonly ? "reader" : "writer", errbuf);
    return s;
}

static inline uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- rows as text ---- */

#define MAX_LINES 48

struct lines {
    char l[MAX_LINES][200];
    size_t n; /* rows seen (those past MAX_LINES are counted, not kept) */
};

__attribute__((format(printf, 2, 3))) static inline void lines_add(struct lines *ls,
                                                                   const char *fmt, ...)
{
    if (ls->n < MAX_LINES) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ls->l[ls->n], sizeof ls->l[0], fmt, ap);
        va_end(ap);
    }
    ls->n++;
}

static inline void expect_lines(const struct lines *got, const char *const *want, size_t n,
                                const char *what, int line)
{
    if (got->n != n)
        TEST_FAIL("line %d, %s: %zu rows, expected %zu", line, what, got->n, n);
    for (size_t i = 0; i < got->n && i < MAX_LINES; i++) {
        if (i >= n)
            TEST_FAIL("line %d, %s: row %zu \"%s\" not expected", line, what, i, got->l[i]);
        else if (strcmp(got->l[i], want[i]) != 0)
            TEST_FAIL("line %d, %s: row %zu is \"%s\", expected \"%s\"", line, what, i, got->l[i],
                      want[i]);
    }
    for (size_t i = got->n; i < n; i++)
        TEST_FAIL("line %d, %s: row %zu \"%s\" missing", line, what, i, want[i]);
}

#define EXPECT_LINES(got, want) expect_lines(&(got), want, N(want), #want, __LINE__)
#define EXPECT_NO_LINES(got) expect_lines(&(got), NULL, 0, #got, __LINE__)

/* Subscriber ids as the accounts they were given to. */
static struct {
    int64_t id;
    char account[64];
} known[8];
static size_t n_known;

static inline void know(int64_t id, const char *account)
{
    if (n_known < N(known)) {
        known[n_known].id = id;
        snprintf(known[n_known++].account, sizeof known[0].account, "%s", account);
    }
}

static inline const char *label(int64_t id, char *buf, size_t size)
{
    for (size_t i = 0; i < n_known; i++)
        if (known[i].id == id) {
            snprintf(buf, size, "#%s", known[i].account);
            return buf;
        }
    snprintf(buf, size, "#%lld", (long long)id);
    return buf;
}

static inline int64_t id_of(const char *account)
{
    for (size_t i = 0; i < n_known; i++)
        if (strcmp(known[i].account, account) == 0)
            return known[i].id;
    return USAGE_UNASSIGNED;
}

static inline const char *or_dash(const char *s)
{
    return s && s[0] ? s : "-";
}

static inline void usage_line(void *ctx, const struct usage_result *r)
{
    char b[80];
    lines_add(ctx, "%s %s %s %s %s %lld %s %llu/%llu/%llu", label(r->subscriber_id, b, sizeof b),
              r->account ? r->account : "-", or_dash(r->host), or_dash(r->class_name),
              or_dash(r->app), (long long)r->period, flow_dir_name(r->dir),
              (unsigned long long)r->counts.bytes, (unsigned long long)r->counts.packets,
              (unsigned long long)r->counts.flows);
}

static inline void stat_line(void *ctx, const struct stat_row *r)
{
    lines_add(ctx, "%s %u %u %s %llu", r->exporter, (unsigned)r->version, (unsigned)r->domain,
              r->name, (unsigned long long)r->value);
}

static inline void iface_line(void *ctx, const struct iface_row *r)
{
    lines_add(ctx, "%s %u t=%llu speed=%llu status=%u %llu/%llu err %llu/%llu disc %llu/%llu",
              r->agent, (unsigned)r->if_index, (unsigned long long)r->time_ms,
              (unsigned long long)r->speed_bps, (unsigned)r->status,
              (unsigned long long)r->in_octets, (unsigned long long)r->out_octets,
              (unsigned long long)r->in_errors, (unsigned long long)r->out_errors,
              (unsigned long long)r->in_discards, (unsigned long long)r->out_discards);
}

static inline void plan_line(void *ctx, const struct plan *p)
{
    char quota[32] = "unlimited";
    if (!p->unlimited)
        snprintf(quota, sizeof quota, "%llu", (unsigned long long)p->quota_bytes);
    lines_add(ctx, "%s|%s|%s|%lld|%lld|%s|%d", p->name, quota, p->quota_dirs,
              (long long)p->price_micro, (long long)p->overage_micro_per_gb, p->speed,
              p->anchor_day);
}

static inline void subscriber_line(void *ctx, const struct subscriber *s)
{
    char b[80];
    lines_add(ctx, "%s|%s|%s|%s|%s|%s|%s", label(s->id, b, sizeof b), s->account, s->name, s->email,
              s->plan, s->status, s->notes);
}

static inline void binding_line(void *ctx, const struct binding_row *r)
{
    char b[80];
    lines_add(ctx, "%s %s %s %s %llu-%llu %s %s", r->account, label(r->subscriber_id, b, sizeof b),
              r->kind, r->value, (unsigned long long)r->start_ms, (unsigned long long)r->end_ms,
              r->source, or_dash(r->session));
}

static inline void lease_line(void *ctx, const struct lease_row *l)
{
    lines_add(ctx, "%s %s %llu-%llu", l->ip, l->mac, (unsigned long long)l->start_ms,
              (unsigned long long)l->end_ms);
}

static inline void class_line(void *ctx, const struct class_row *c)
{
    lines_add(ctx, "%s %lld quota=%d current=%d", c->name, (long long)c->price_micro_per_gb,
              c->counts_toward_quota, c->is_current);
}

/* ---- small steps, each asserting it worked ---- */

static inline void add_usage(struct store *s, uint32_t bucket_s, const char *account,
                             const char *host, enum flow_dir dir, const char *class_name,
                             const char *app, uint64_t bytes, uint64_t packets, uint64_t flows)
{
    struct usage_row row = {
        .key = {.bucket_s = bucket_s,
                .subscriber = (uint32_t)(account ? id_of(account) : USAGE_UNASSIGNED),
                .dir = (uint8_t)dir},
        .counts = {bytes, packets, flows}};
    ASSERT_EQ_INT(addr_parse(host, &row.key.host), 0);
    ASSERT_EQ_INT(s->ops->add_usage(s, &row, class_name, app), 0);
}

static inline int read_usage(struct store *s, unsigned group, int32_t offset_s, int64_t subscriber,
                             uint64_t from_ms, uint64_t to_ms, struct lines *out)
{
    struct usage_query q = {.from_ms = from_ms,
                            .to_ms = to_ms,
                            .group = group,
                            .subscriber_id = subscriber,
                            .utc_offset_s = offset_s};
    memset(out, 0, sizeof *out);
    return s->ops->read_usage(s, &q, usage_line, out);
}

/* Reads usage of every subscriber and time, asserting the read worked. */
static inline void read_all(struct store *s, unsigned group, int32_t offset_s, struct lines *out)
{
    ASSERT_EQ_INT(read_usage(s, group, offset_s, -1, 0, ALL, out), 0);
}

static inline void add_plan(struct store *s, const char *name, bool unlimited, uint64_t quota,
                            const char *dirs, int64_t price, int64_t overage, const char *speed,
                            int anchor, bool insert, int want)
{
    struct plan p = {.unlimited = unlimited,
                     .quota_bytes = quota,
                     .price_micro = price,
                     .overage_micro_per_gb = overage,
                     .anchor_day = anchor};
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.quota_dirs, sizeof p.quota_dirs, "%s", dirs);
    snprintf(p.speed, sizeof p.speed, "%s", speed);
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_plan_save(s, &p, insert, errbuf), want);
    if (want != 0)
        ASSERT_TRUE(errbuf[0] != '\0');
}

/* Saves a subscriber; when it is new and stored, remembers its id for the row labels. */
static inline void add_subscriber(struct store *s, const char *account, const char *name,
                                  const char *email, const char *plan, const char *status,
                                  const char *notes, bool insert, int want)
{
    struct subscriber sub = {0};
    snprintf(sub.account, sizeof sub.account, "%s", account);
    snprintf(sub.name, sizeof sub.name, "%s", name);
    snprintf(sub.email, sizeof sub.email, "%s", email);
    snprintf(sub.plan, sizeof sub.plan, "%s", plan);
    snprintf(sub.status, sizeof sub.status, "%s", status);
    snprintf(sub.notes, sizeof sub.notes, "%s", notes);
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, insert, errbuf), want);
    if (want != 0)
        ASSERT_TRUE(errbuf[0] != '\0');
    struct subscriber got;
    if (want == 0 && insert && store_subscriber_get(s, account, &got) == 0) {
        ASSERT_TRUE(got.id > 0);
        know(got.id, account);
    }
}

static inline void add_account(struct store *s, const char *account)
{
    add_subscriber(s, account, "", "", "", "active", "", true, 0);
}

static inline void add_binding(struct store *s, const char *account, const char *kind,
                               const char *value, uint64_t start, uint64_t end, const char *source,
                               const char *session, int want)
{
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_binding_add(s, account, kind, value, start, end, source, session, errbuf),
                  want);
    if (want != 0)
        ASSERT_TRUE(errbuf[0] != '\0');
}

static inline void unbind(struct store *s, const char *value, const char *session, uint64_t at_ms,
                          int want_ended)
{
    int n = -1;
    ASSERT_EQ_INT(store_binding_end(s, value, session, at_ms, &n), 0);
    ASSERT_EQ_INT(n, want_ended);
}

static inline void list_bindings(struct store *s, const char *account, struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_binding_list(s, account, binding_line, out), 0);
}

static inline void put_lease(struct store *s, const char *ip, const char *mac, uint64_t start,
                             uint64_t end)
{
    struct lease_row l = {.start_ms = start, .end_ms = end};
    snprintf(l.ip, sizeof l.ip, "%s", ip);
    snprintf(l.mac, sizeof l.mac, "%s", mac);
    ASSERT_EQ_INT(store_lease_put(s, &l), 0);
}

static inline void add_stat(struct store *s, const char *exporter, uint8_t version, uint32_t domain,
                            const char *name, uint64_t value)
{
    struct stat_row r = {exporter, version, domain, name, value};
    ASSERT_EQ_INT(s->ops->add_stat(s, &r), 0);
}

static inline void write_classes(struct store *s, const struct class_row *rows, size_t n,
                                 uint64_t now)
{
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_classes_write(s, rows, n, now), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
}

/* ---- the usage of one store, written out ---- */

/* Day 20000 since the epoch (2024-10-04) starts at T0; its hour 0 is hour 480000. */
#define T0 1728000000u
#define B1 (T0 + 300)              /* 00:05 UTC: day 20000, hour 480000 */
#define B2 (T0 + 3600)             /* 01:00 UTC: hour 480001 */
#define B3 (T0 + 23 * 3600 + 1800) /* 23:30 UTC: hour 480023; the next local day at +01:00 */
#define B4 (T0 + 26 * 3600)        /* 02:00 UTC of day 20001: hour 480026 */

/* ================================ the runner ================================ */

struct conformance_case {
    const char *name; /* the test function's name without "test_" */
    void (*fn)(void);
};

#define CONFORMANCE_CASE(fn)                                                                       \
    {                                                                                              \
#fn + 5, fn                                                                                \
    }

static inline void conformance_run_case(const struct conformance_case *c, const struct engine *e,
                                        int index, bool ready)
{
    test_current_failed = false;
    cur.e = e;
    n_known = 0;
    if (ready) {
        case_setup(index);
        c->fn();
        case_teardown();
    } else {
        TEST_FAIL("no fresh %s store for the case (psql failed, see above)", e->name);
    }
    test_n_run++;
    if (test_current_failed)
        test_n_failed++;
    printf("%s %d - %s: %s\n", test_current_failed ? "not ok" : "ok", test_n_run, e->name, c->name);
    fflush(stdout);
}

/* Runs every case on SQLite, then on PostgreSQL when FLOWTALLY_TEST_DB_URI names it; TAP
 * lines "ok N - ENGINE: case". Returns main()'s status. */
static inline int conformance_main(const struct conformance_case *cases, size_t n_cases)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/flowtally-conformance.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    struct engine engines[2] = {{"sqlite", NULL}};
    size_t n_engines = 1;
    const char *uri = getenv("FLOWTALLY_TEST_DB_URI");
    if (uri && uri[0]) {
        if (strncmp(uri, "postgresql://", 13) != 0 && strncmp(uri, "postgres://", 11) != 0)
            printf("# FLOWTALLY_TEST_DB_URI is not a postgresql:// URI: ignored\n");
        else
            engines[n_engines++] = (struct engine){"postgresql", uri};
    }
    char sql[4096];
    for (size_t e = 0; e < n_engines; e++) {
        cur.e = &engines[e];
        bool ready = true;
        if (cur.e->uri) {
            schemas_sql(sql, sizeof sql, n_cases, false);
            ready = psql(sql) == 0;
        }
        for (size_t i = 0; i < n_cases; i++)
            conformance_run_case(&cases[i], &engines[e], (int)i, ready);
        if (engines[e].uri && ready) {
            cur.e = &engines[e];
            schemas_sql(sql, sizeof sql, n_cases, true);
            (void)psql(sql);
        }
    }
    char p[128];
    snprintf(p, sizeof p, "%s/psql.err", tmpdir);
    unlink(p);
    rmdir(tmpdir);
    return test_done();
}

#endif
