// SPDX-License-Identifier: MIT
// The store's conformance suite: every operation of struct store_ops, through store.h only,
// with results worked out by hand, run against every engine. Each case gets a store of its
// own: a new SQLite file in a temporary directory (removed after the case) and, when
// FLOWTALLY_TEST_DB_URI names an empty PostgreSQL database, a schema of its own in it (all
// made with one psql call before the first case and dropped with one after the last; the
// store is opened with search_path set to it in the URI's options), so no case sees
// another's rows. The test needs psql for that only: it includes no engine's header.
// Rows are compared as text lines, in order: subscriber ids, which each engine assigns, are
// shown by the account they were given to ("#alice"), unassigned as "#0".
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

static bool is_sqlite(void)
{
    return cur.e->uri == NULL;
}

/* Runs one statement with psql on the engine's database; 0 or -1 (psql's stderr shown). */
static int psql(const char *sql)
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

/* The statement that makes (or drops) the schemas of every case, one per case. */
static void schemas_sql(char *sql, size_t size, size_t n_cases, bool drop)
{
    size_t o = (size_t)snprintf(sql, size, "%s", drop ? "SET client_min_messages = warning;" : "");
    for (size_t i = 0; i < n_cases && o < size; i++)
        o += (size_t)snprintf(sql + o, size - o, "%s SCHEMA ftconf_%d_%02zu%s;",
                              drop ? "DROP" : "CREATE", (int)getpid(), i, drop ? " CASCADE" : "");
}

static void case_setup(int index)
{
    if (is_sqlite()) {
        snprintf(cur.db, sizeof cur.db, "%s/%02d.db", tmpdir, index);
        return;
    }
    snprintf(cur.db, sizeof cur.db, "%s%soptions=-csearch_path%%3Dftconf_%d_%02d", cur.e->uri,
             strchr(cur.e->uri, '?') ? "&" : "?", (int)getpid(), index);
}

static void case_teardown(void)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char p[1300];
    for (size_t i = 0; is_sqlite() && i < N(suffix); i++) {
        snprintf(p, sizeof p, "%s%s", cur.db, suffix[i]);
        unlink(p);
    }
}

/* Opens another connection to this case's store; NULL (the test failed) if it cannot. */
static struct store *open_store(bool readonly)
{
    char errbuf[ERR_BUF_LEN] = "";
    struct store *s = store_open(cur.db, readonly, errbuf);
    if (!s)
        TEST_FAIL("store_open(%s) failed: %s", readonly ? "reader" : "writer", errbuf);
    return s;
}

static uint64_t now_ms(void)
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

__attribute__((format(printf, 2, 3))) static void lines_add(struct lines *ls, const char *fmt, ...)
{
    if (ls->n < MAX_LINES) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ls->l[ls->n], sizeof ls->l[0], fmt, ap);
        va_end(ap);
    }
    ls->n++;
}

static void expect_lines(const struct lines *got, const char *const *want, size_t n,
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

static void know(int64_t id, const char *account)
{
    if (n_known < N(known)) {
        known[n_known].id = id;
        snprintf(known[n_known++].account, sizeof known[0].account, "%s", account);
    }
}

static const char *label(int64_t id, char *buf, size_t size)
{
    for (size_t i = 0; i < n_known; i++)
        if (known[i].id == id) {
            snprintf(buf, size, "#%s", known[i].account);
            return buf;
        }
    snprintf(buf, size, "#%lld", (long long)id);
    return buf;
}

static int64_t id_of(const char *account)
{
    for (size_t i = 0; i < n_known; i++)
        if (strcmp(known[i].account, account) == 0)
            return known[i].id;
    return USAGE_UNASSIGNED;
}

static const char *or_dash(const char *s)
{
    return s && s[0] ? s : "-";
}

static void usage_line(void *ctx, const struct usage_result *r)
{
    char b[80];
    lines_add(ctx, "%s %s %s %s %s %lld %s %llu/%llu/%llu", label(r->subscriber_id, b, sizeof b),
              r->account ? r->account : "-", or_dash(r->host), or_dash(r->class_name),
              or_dash(r->app), (long long)r->period, flow_dir_name(r->dir),
              (unsigned long long)r->counts.bytes, (unsigned long long)r->counts.packets,
              (unsigned long long)r->counts.flows);
}

static void stat_line(void *ctx, const struct stat_row *r)
{
    lines_add(ctx, "%s %u %u %s %llu", r->exporter, (unsigned)r->version, (unsigned)r->domain,
              r->name, (unsigned long long)r->value);
}

static void iface_line(void *ctx, const struct iface_row *r)
{
    lines_add(ctx, "%s %u t=%llu speed=%llu status=%u %llu/%llu err %llu/%llu disc %llu/%llu",
              r->agent, (unsigned)r->if_index, (unsigned long long)r->time_ms,
              (unsigned long long)r->speed_bps, (unsigned)r->status,
              (unsigned long long)r->in_octets, (unsigned long long)r->out_octets,
              (unsigned long long)r->in_errors, (unsigned long long)r->out_errors,
              (unsigned long long)r->in_discards, (unsigned long long)r->out_discards);
}

static void plan_line(void *ctx, const struct plan *p)
{
    char quota[32] = "unlimited";
    if (!p->unlimited)
        snprintf(quota, sizeof quota, "%llu", (unsigned long long)p->quota_bytes);
    lines_add(ctx, "%s|%s|%s|%lld|%lld|%s|%d", p->name, quota, p->quota_dirs,
              (long long)p->price_micro, (long long)p->overage_micro_per_gb, p->speed,
              p->anchor_day);
}

static void subscriber_line(void *ctx, const struct subscriber *s)
{
    char b[80];
    lines_add(ctx, "%s|%s|%s|%s|%s|%s|%s", label(s->id, b, sizeof b), s->account, s->name, s->email,
              s->plan, s->status, s->notes);
}

static void binding_line(void *ctx, const struct binding_row *r)
{
    char b[80];
    lines_add(ctx, "%s %s %s %s %llu-%llu %s %s", r->account, label(r->subscriber_id, b, sizeof b),
              r->kind, r->value, (unsigned long long)r->start_ms, (unsigned long long)r->end_ms,
              r->source, or_dash(r->session));
}

static void lease_line(void *ctx, const struct lease_row *l)
{
    lines_add(ctx, "%s %s %llu-%llu", l->ip, l->mac, (unsigned long long)l->start_ms,
              (unsigned long long)l->end_ms);
}

static void class_line(void *ctx, const struct class_row *c)
{
    lines_add(ctx, "%s %lld quota=%d current=%d", c->name, (long long)c->price_micro_per_gb,
              c->counts_toward_quota, c->is_current);
}

/* ---- small steps, each asserting it worked ---- */

static void add_usage(struct store *s, uint32_t bucket_s, const char *account, const char *host,
                      enum flow_dir dir, const char *class_name, const char *app, uint64_t bytes,
                      uint64_t packets, uint64_t flows)
{
    struct usage_row row = {
        .key = {.bucket_s = bucket_s,
                .subscriber = (uint32_t)(account ? id_of(account) : USAGE_UNASSIGNED),
                .dir = (uint8_t)dir},
        .counts = {bytes, packets, flows}};
    ASSERT_EQ_INT(addr_parse(host, &row.key.host), 0);
    ASSERT_EQ_INT(s->ops->add_usage(s, &row, class_name, app), 0);
}

static int read_usage(struct store *s, unsigned group, int32_t offset_s, int64_t subscriber,
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
static void read_all(struct store *s, unsigned group, int32_t offset_s, struct lines *out)
{
    ASSERT_EQ_INT(read_usage(s, group, offset_s, -1, 0, ALL, out), 0);
}

static void add_plan(struct store *s, const char *name, bool unlimited, uint64_t quota,
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
static void add_subscriber(struct store *s, const char *account, const char *name,
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

static void add_account(struct store *s, const char *account)
{
    add_subscriber(s, account, "", "", "", "active", "", true, 0);
}

static void bind(struct store *s, const char *account, const char *kind, const char *value,
                 uint64_t start, uint64_t end, const char *source, const char *session, int want)
{
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_binding_add(s, account, kind, value, start, end, source, session, errbuf),
                  want);
    if (want != 0)
        ASSERT_TRUE(errbuf[0] != '\0');
}

static void unbind(struct store *s, const char *value, const char *session, uint64_t at_ms,
                   int want_ended)
{
    int n = -1;
    ASSERT_EQ_INT(store_binding_end(s, value, session, at_ms, &n), 0);
    ASSERT_EQ_INT(n, want_ended);
}

static void list_bindings(struct store *s, const char *account, struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_binding_list(s, account, binding_line, out), 0);
}

static void put_lease(struct store *s, const char *ip, const char *mac, uint64_t start,
                      uint64_t end)
{
    struct lease_row l = {.start_ms = start, .end_ms = end};
    snprintf(l.ip, sizeof l.ip, "%s", ip);
    snprintf(l.mac, sizeof l.mac, "%s", mac);
    ASSERT_EQ_INT(store_lease_put(s, &l), 0);
}

static void add_stat(struct store *s, const char *exporter, uint8_t version, uint32_t domain,
                     const char *name, uint64_t value)
{
    struct stat_row r = {exporter, version, domain, name, value};
    ASSERT_EQ_INT(s->ops->add_stat(s, &r), 0);
}

static void write_classes(struct store *s, const struct class_row *rows, size_t n, uint64_t now)
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

/* Thirteen rows, two of them the same key (they sum), each other pair apart in at least
 * one key column; alice and bob must be known subscribers. */
static void load_usage(struct store *s)
{
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 1000, 10, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 500, 5, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_OUT, "default", "web", 200, 2, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "dns", 40, 1, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "night", "web", 7, 1, 1);
    add_usage(s, B1, "alice", "10.0.0.2", FLOW_DIR_IN, "default", "web", 30, 3, 1);
    add_usage(s, B1, "bob", "10.0.0.1", FLOW_DIR_IN, "default", "web", 11, 1, 1);
    add_usage(s, B2, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 2000, 20, 2);
    add_usage(s, B3, "bob", "10.0.0.3", FLOW_DIR_IN, "default", "web", 300, 3, 1);
    add_usage(s, B4, "bob", "10.0.0.3", FLOW_DIR_OUT, "default", "web", 400, 4, 1);
    add_usage(s, B2, NULL, "198.51.100.7", FLOW_DIR_TRANSIT, "default", "other", 9, 1, 1);
    add_usage(s, B2, NULL, "10.0.0.9", FLOW_DIR_INTERNAL, "default", "other", 5, 1, 1);
    add_usage(s, B2, "bob", "2001:db8::1", FLOW_DIR_IN, "default", "web", 60, 1, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
}

static struct store *usage_store(void)
{
    struct store *s = open_store(false);
    if (!s)
        return NULL;
    add_account(s, "alice");
    add_account(s, "bob");
    load_usage(s);
    return s;
}

/* ================================ the cases ================================ */

static void test_open_and_empty(void)
{
    char errbuf[ERR_BUF_LEN] = "";
    /* a reader needs a store that a writer made */
    ASSERT_TRUE(store_open(cur.db, true, errbuf) == NULL);
    ASSERT_TRUE(errbuf[0] != '\0');
    struct store *s = open_store(false);
    if (!s)
        return;
    ASSERT_STREQ(s->ops->engine, cur.e->name);
    ASSERT_STREQ(s->ops->last_error(s), "");
    struct lines l;
    read_all(s, USAGE_BY_SUBSCRIBER | USAGE_BY_HOST, 0, &l);
    EXPECT_NO_LINES(l);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(s->ops->read_stats(s, stat_line, &l), 0);
    ASSERT_EQ_INT(s->ops->read_interfaces(s, iface_line, &l), 0);
    ASSERT_EQ_INT(store_plan_list(s, plan_line, &l), 0);
    ASSERT_EQ_INT(store_subscriber_list(s, subscriber_line, &l), 0);
    ASSERT_EQ_INT(store_binding_list(s, NULL, binding_line, &l), 0);
    ASSERT_EQ_INT(store_lease_list(s, lease_line, &l), 0);
    ASSERT_EQ_INT(store_class_list(s, class_line, &l), 0);
    EXPECT_NO_LINES(l);
    uint64_t inode = 7, offset = 7;
    ASSERT_EQ_INT(s->ops->get_log_position(s, "/var/log/x", &inode, &offset), ERR_NOT_FOUND);
    struct plan p;
    ASSERT_EQ_INT(store_plan_get(s, "basic", &p), ERR_NOT_FOUND);
    struct subscriber sub;
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &sub), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_binding_is_open(s, "10.0.0.1/32", 1), 0);
    ASSERT_TRUE(store_bindings_version(s) >= 0);
    ASSERT_EQ_INT(store_classes_check(s, errbuf), 0);
    store_close(s);
    /* what the writer made, a reader opens */
    s = open_store(true);
    if (s)
        ASSERT_STREQ(s->ops->engine, cur.e->name);
    store_close(s);
}

static int fail_after_plan(struct store *s, void *ctx)
{
    (void)ctx;
    add_plan(s, "doomed", false, 1, "both", 0, 0, "", 1, true, 0);
    return ERR_LIMIT;
}

static int plan_then_ok(struct store *s, void *ctx)
{
    add_plan(s, ctx, false, 1, "both", 0, 0, "", 1, true, 0);
    return 0;
}

static void test_transactions(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    /* rollback without a transaction does nothing, twice */
    s->ops->rollback(s);
    s->ops->rollback(s);
    ASSERT_STREQ(s->ops->last_error(s), "");
    add_account(s, "alice");
    int64_t v0 = store_bindings_version(s);

    /* every kind of write, rolled back: none of it is there */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    add_stat(s, "*", 0, 0, "flows", 1);
    ASSERT_EQ_INT(s->ops->set_log_position(s, "/var/log/a", 1, 2), 0);
    struct iface_row ifr = {.agent = "192.0.2.1", .if_index = 1, .time_ms = 1};
    ASSERT_EQ_INT(s->ops->set_interface(s, &ifr), 0);
    add_plan(s, "basic", false, 1, "both", 0, 0, "", 1, true, 0);
    add_subscriber(s, "bob", "", "", "", "active", "", true, 0);
    bind(s, "alice", "prefix", "10.0.0.1/32", 1000, 0, "static", NULL, 0);
    put_lease(s, "10.0.0.2", "aa:bb:cc:dd:ee:01", 1000, 2000);
    const struct class_row cls = {"default", 0, true, true};
    ASSERT_EQ_INT(store_classes_write(s, &cls, 1, 1000), 0);
    s->ops->rollback(s);

    struct lines l;
    read_all(s, 0, 0, &l);
    EXPECT_NO_LINES(l);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(s->ops->read_stats(s, stat_line, &l), 0);
    ASSERT_EQ_INT(s->ops->read_interfaces(s, iface_line, &l), 0);
    ASSERT_EQ_INT(store_plan_list(s, plan_line, &l), 0);
    ASSERT_EQ_INT(store_binding_list(s, NULL, binding_line, &l), 0);
    ASSERT_EQ_INT(store_lease_list(s, lease_line, &l), 0);
    ASSERT_EQ_INT(store_class_list(s, class_line, &l), 0);
    EXPECT_NO_LINES(l);
    uint64_t inode, offset;
    ASSERT_EQ_INT(s->ops->get_log_position(s, "/var/log/a", &inode, &offset), ERR_NOT_FOUND);
    struct subscriber sub;
    ASSERT_EQ_INT(store_subscriber_get(s, "bob", &sub), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_bindings_version(s), v0);

    /* committed, it is there, also for another connection */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 5, 1, 1);
    ASSERT_EQ_INT(s->ops->set_log_position(s, "/var/log/a", 3, 4), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    struct store *r = open_store(true);
    if (r) {
        static const char *const want[] = {"#0 - - - - 0 in 5/1/1"};
        read_all(r, 0, 0, &l);
        EXPECT_LINES(l, want);
        ASSERT_EQ_INT(r->ops->get_log_position(r, "/var/log/a", &inode, &offset), 0);
        ASSERT_EQ_U64(inode, 3);
        ASSERT_EQ_U64(offset, 4);
    }
    store_close(r);

    /* store_transaction: fn's code, its writes rolled back when it fails */
    ASSERT_EQ_INT(store_transaction(s, fail_after_plan, NULL), ERR_LIMIT);
    struct plan p;
    ASSERT_EQ_INT(store_plan_get(s, "doomed", &p), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_transaction(s, plan_then_ok, "kept"), 0);
    ASSERT_EQ_INT(store_plan_get(s, "kept", &p), 0);
    /* the store is usable after all of it */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    store_close(s);
}

static void test_last_error(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    ASSERT_STREQ(s->ops->last_error(s), "");
    /* a second begin fails: there is one open already */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->begin(s), ERR_STORE);
    ASSERT_TRUE(s->ops->last_error(s)[0] != '\0');
    s->ops->rollback(s);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_STREQ(s->ops->last_error(s), "");
    ASSERT_EQ_INT(s->ops->commit(s), 0);

    /* the flush's writes through a reader fail, each saying why */
    struct store *r = open_store(true);
    if (!r) {
        store_close(s);
        return;
    }
    struct usage_row row = {.key = {.bucket_s = B1}, .counts = {1, 1, 1}};
    ASSERT_EQ_INT(addr_parse("10.0.0.1", &row.key.host), 0);
    ASSERT_EQ_INT(r->ops->add_usage(r, &row, "default", "other"), ERR_STORE);
    ASSERT_TRUE(r->ops->last_error(r)[0] != '\0');
    ASSERT_EQ_INT(r->ops->set_log_position(r, "/var/log/a", 1, 2), ERR_STORE);
    ASSERT_TRUE(r->ops->last_error(r)[0] != '\0');
    struct stat_row st = {"*", 0, 0, "flows", 1};
    ASSERT_EQ_INT(r->ops->add_stat(r, &st), ERR_STORE);
    ASSERT_TRUE(r->ops->last_error(r)[0] != '\0');
    struct iface_row ifr = {.agent = "192.0.2.1", .if_index = 1};
    ASSERT_EQ_INT(r->ops->set_interface(r, &ifr), ERR_STORE);
    ASSERT_TRUE(r->ops->last_error(r)[0] != '\0');
    /* and nothing of it was written */
    struct lines l;
    read_all(s, 0, 0, &l);
    EXPECT_NO_LINES(l);
    store_close(r);
    store_close(s);
}

/* The administrative writes fail through a reader too, with ERR_STORE: by the conventions
 * at the top of store.h, what the engine said is then in last_error(). */
static void test_last_error_admin(void)
{
    struct store *s = open_store(false);
    struct store *r = s ? open_store(true) : NULL;
    if (!r) {
        store_close(s);
        return;
    }
    struct plan p = {.name = "basic", .quota_dirs = "both", .anchor_day = 1};
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_plan_save(r, &p, true, errbuf), ERR_STORE);
    ASSERT_TRUE(errbuf[0] != '\0');
    if (r->ops->last_error(r)[0] == '\0')
        TEST_FAIL("plan_save failed with ERR_STORE, last_error() is \"\" (errbuf: %s)", errbuf);
    struct lease_row l = {.ip = "10.0.0.2", .mac = "aa:bb:cc:dd:ee:01", .start_ms = 1};
    ASSERT_EQ_INT(store_lease_put(r, &l), ERR_STORE);
    if (r->ops->last_error(r)[0] == '\0')
        TEST_FAIL("lease_put failed with ERR_STORE, last_error() is \"\" (it has no errbuf)");
    store_close(r);
    store_close(s);
}

struct many {
    int from, n; /* accounts u<from> .. u<from + n - 1>, each bound to an address */
};

static int add_many(struct store *s, void *ctx)
{
    const struct many *m = ctx;
    for (int i = m->from; i < m->from + m->n; i++) {
        char account[32], value[32];
        snprintf(account, sizeof account, "u%03d", i);
        snprintf(value, sizeof value, "10.1.%d.%d/32", i / 256, i % 256);
        struct subscriber sub = {.status = "active"};
        snprintf(sub.account, sizeof sub.account, "%s", account);
        char errbuf[ERR_BUF_LEN];
        int rc = store_subscriber_save(s, &sub, true, errbuf);
        if (rc == 0)
            rc = store_binding_add(s, account, "prefix", value, 1000, 0, "static", NULL, errbuf);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* u300 and its binding, then u000 again: a taken account. */
static int add_then_clash(struct store *s, void *ctx)
{
    (void)ctx;
    int rc = add_many(s, &(struct many){300, 1});
    return rc ? rc : add_many(s, &(struct many){0, 1});
}

static void count_binding(void *ctx, const struct binding_row *b)
{
    (void)b;
    (*(int *)ctx)++;
}

static void test_batch(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    /* 300 subscribers, each with a binding, in one batch */
    ASSERT_EQ_INT(store_admin_batch(s, add_many, &(struct many){0, 300}), 0);
    int n = 0;
    ASSERT_EQ_INT(store_binding_list(s, NULL, count_binding, &n), 0);
    ASSERT_EQ_INT(n, 300);
    struct subscriber sub;
    ASSERT_EQ_INT(store_subscriber_get(s, "u299", &sub), 0);
    ASSERT_EQ_INT(store_binding_is_open(s, "10.1.1.43/32", sub.id), 1);
    /* a batch whose work fails returns its code and stores nothing of it */
    ASSERT_EQ_INT(store_admin_batch(s, fail_after_plan, NULL), ERR_LIMIT);
    struct plan p;
    ASSERT_EQ_INT(store_plan_get(s, "doomed", &p), ERR_NOT_FOUND);
    /* a failure inside the work (a taken account), returned: nothing of the batch stays */
    ASSERT_EQ_INT(store_admin_batch(s, add_then_clash, NULL), ERR_EXISTS);
    n = 0;
    ASSERT_EQ_INT(store_binding_list(s, NULL, count_binding, &n), 0);
    ASSERT_EQ_INT(n, 300);
    ASSERT_EQ_INT(store_subscriber_get(s, "u300", &sub), ERR_NOT_FOUND);
    store_close(s);
}

static int nested_batch(struct store *s, void *ctx)
{
    (void)ctx;
    add_plan(s, "outer", false, 1, "both", 0, 0, "", 1, true, 0);
    return store_admin_batch(s, plan_then_ok, "inner");
}

/* A batch is a write: inside the caller's transaction (begin(), or another batch) it is
 * part of that transaction (store.h, conventions), not a failure. */
static void test_batch_in_transaction(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_admin_batch(s, plan_then_ok, "in-begin"), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    struct plan p;
    ASSERT_EQ_INT(store_plan_get(s, "in-begin", &p), 0);
    ASSERT_EQ_INT(store_admin_batch(s, nested_batch, NULL), 0);
    ASSERT_EQ_INT(store_plan_get(s, "outer", &p), 0);
    ASSERT_EQ_INT(store_plan_get(s, "inner", &p), 0);
    s->ops->rollback(s); /* whatever was left open */
    store_close(s);
}

/* What a failed write does to the transaction it is in, store.h does not say. Common
 * ground only: a rollback leaves nothing of it, and the store works afterwards. What each
 * engine does in between is printed as a TODO note. */
static void test_failed_write_in_transaction(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_plan(s, "taken", false, 1, "both", 0, 0, "", 1, true, 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_plan(s, "first", false, 1, "both", 0, 0, "", 1, true, 0);
    add_plan(s, "taken", false, 1, "both", 0, 0, "", 1, true, ERR_EXISTS);
    struct plan p = {.name = "second", .quota_dirs = "both", .anchor_day = 1};
    char errbuf[ERR_BUF_LEN] = "";
    int next = store_plan_save(s, &p, true, errbuf);
    int commit = s->ops->commit(s);
    s->ops->rollback(s);
    bool kept = store_plan_get(s, "first", &p) == 0;
    printf("# TODO %s: after a write failed inside a transaction, the next write returned %d "
           "and commit %d; the write before it %s\n",
           cur.e->name, next, commit, kept ? "was stored" : "was not stored");
    /* rolled back explicitly, nothing stays */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_plan(s, "third", false, 1, "both", 0, 0, "", 1, true, 0);
    add_plan(s, "taken", false, 1, "both", 0, 0, "", 1, true, ERR_EXISTS);
    s->ops->rollback(s);
    ASSERT_EQ_INT(store_plan_get(s, "third", &p), ERR_NOT_FOUND);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_plan(s, "fourth", false, 1, "both", 0, 0, "", 1, true, 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(store_plan_get(s, "fourth", &p), 0);
    store_close(s);
}

/* Values the schema refuses (admin/ checks them before they get here): nothing is stored.
 * Which code says so, store.h does not list (ERR_EXISTS is "the name is taken"); what each
 * engine returns is printed as a TODO note. */
static void test_refused_values(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    struct plan p = {.name = "odd", .quota_dirs = "sideways", .anchor_day = 1};
    char errbuf[ERR_BUF_LEN] = "";
    int rc = store_plan_save(s, &p, true, errbuf);
    ASSERT_TRUE(rc < 0);
    printf("# TODO %s: plan_save of quota_dirs 'sideways' returned %d: %s\n", cur.e->name, rc,
           errbuf);
    p = (struct plan){.name = "odd", .quota_dirs = "both", .anchor_day = 29};
    rc = store_plan_save(s, &p, true, errbuf);
    ASSERT_TRUE(rc < 0);
    printf("# TODO %s: plan_save of anchor_day 29 returned %d: %s\n", cur.e->name, rc, errbuf);
    ASSERT_EQ_INT(store_plan_get(s, "odd", &p), ERR_NOT_FOUND);
    struct subscriber sub = {.account = "alice", .status = "gone"};
    rc = store_subscriber_save(s, &sub, true, errbuf);
    ASSERT_TRUE(rc < 0);
    printf("# TODO %s: subscriber_save of status 'gone' returned %d: %s\n", cur.e->name, rc,
           errbuf);
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &sub), ERR_NOT_FOUND);
    store_close(s);
}

static void test_claim_and_verify(void)
{
    char errbuf[ERR_BUF_LEN] = "", msg[ERR_BUF_LEN] = "x";
    struct store *a = open_store(false);
    struct store *b = a ? open_store(false) : NULL;
    if (!b) {
        store_close(a);
        return;
    }
    ASSERT_EQ_INT(a->ops->verify(a, msg), 0); /* before any claim */
    ASSERT_STREQ(msg, "");
    ASSERT_EQ_INT(a->ops->claim_collector(a, errbuf), 0);
    snprintf(msg, sizeof msg, "x");
    ASSERT_EQ_INT(a->ops->verify(a, msg), 0);
    ASSERT_STREQ(msg, "");
    /* SQLite: one file, one collector; PostgreSQL takes several */
    errbuf[0] = '\0';
    int second = b->ops->claim_collector(b, errbuf);
    if (is_sqlite()) {
        ASSERT_EQ_INT(second, ERR_EXISTS);
        ASSERT_TRUE(errbuf[0] != '\0');
    } else {
        ASSERT_EQ_INT(second, 0);
    }
    /* a flush between the checks, and the collector goes on */
    ASSERT_EQ_INT(a->ops->begin(a), 0);
    add_usage(a, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    ASSERT_EQ_INT(a->ops->commit(a), 0);
    snprintf(msg, sizeof msg, "x");
    ASSERT_EQ_INT(a->ops->verify(a, msg), 0);
    ASSERT_STREQ(msg, "");
    store_close(b);
    store_close(a);
    /* the claim ends with its store: the next collector may claim */
    a = open_store(false);
    if (a)
        ASSERT_EQ_INT(a->ops->claim_collector(a, errbuf), 0);
    store_close(a);
    /* a store opened read-only cannot collect, and says so now */
    struct store *r = open_store(true);
    if (r) {
        errbuf[0] = '\0';
        ASSERT_EQ_INT(r->ops->claim_collector(r, errbuf), ERR_STORE);
        ASSERT_TRUE(errbuf[0] != '\0');
    }
    store_close(r);
}

/* The same key sums, inside a flush, across flushes and outside one; a key that differs in
 * any one column is a row of its own. */
static void test_usage_additive(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    const char *odd = "a\\b\tc'd\"e"; /* an app name COPY or quoting could mangle */
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 100, 1, 1);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 200, 2, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 300, 3, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 4294967296u, 4294967296u,
              1);
    add_usage(s, T0 + 300, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    struct usage_row row = {.key = {.bucket_s = T0, .subscriber = 5, .dir = FLOW_DIR_IN},
                            .counts = {1, 1, 1}};
    ASSERT_EQ_INT(addr_parse("10.1.1.1", &row.key.host), 0);
    ASSERT_EQ_INT(s->ops->add_usage(s, &row, "default", "other"), 0);
    add_usage(s, T0, NULL, "10.1.1.2", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_OUT, "default", "other", 1, 1, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "night", "other", 1, 1, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", "web", 1, 1, 1);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", odd, 2, 2, 2);
    add_usage(s, T0, NULL, "10.1.1.1", FLOW_DIR_IN, "default", odd, 3, 3, 3);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    store_close(s);

    static const char *const first_bucket[] = {
        "#0 - 10.1.1.1 default a\\b\tc'd\"e 0 in 5/5/5",
        "#0 - 10.1.1.1 default other 0 in 4294967896/4294967302/4",
        "#0 - 10.1.1.1 default other 0 out 1/1/1",
        "#0 - 10.1.1.1 default web 0 in 1/1/1",
        "#0 - 10.1.1.1 night other 0 in 1/1/1",
        "#0 - 10.1.1.2 default other 0 in 1/1/1",
        "#5 - 10.1.1.1 default other 0 in 1/1/1",
    };
    static const char *const second_bucket[] = {"#0 - 10.1.1.1 default other 0 in 1/1/1"};
    const unsigned key = USAGE_BY_SUBSCRIBER | USAGE_BY_HOST | USAGE_BY_CLASS | USAGE_BY_APP;
    struct store *r = open_store(true); /* what a reader sees, after the writer closed */
    if (!r)
        return;
    struct lines l;
    ASSERT_EQ_INT(read_usage(r, key, 0, -1, T0 * 1000ull, (T0 + 300) * 1000ull, &l), 0);
    EXPECT_LINES(l, first_bucket);
    ASSERT_EQ_INT(read_usage(r, key, 0, -1, (T0 + 300) * 1000ull, ALL, &l), 0);
    EXPECT_LINES(l, second_bucket);
    store_close(r);
}

static void test_usage_groups(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    static const char *const by_dir[] = {
        "#0 - - - - 0 in 3948/45/10",
        "#0 - - - - 0 internal 5/1/1",
        "#0 - - - - 0 out 600/6/2",
        "#0 - - - - 0 transit 9/1/1",
    };
    read_all(s, 0, 0, &l);
    EXPECT_LINES(l, by_dir);

    static const char *const by_subscriber[] = {
        "#0 - - - - 0 internal 5/1/1",       "#0 - - - - 0 transit 9/1/1",
        "#alice alice - - - 0 in 3577/40/7", "#alice alice - - - 0 out 200/2/1",
        "#bob bob - - - 0 in 371/5/3",       "#bob bob - - - 0 out 400/4/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER, 0, &l);
    EXPECT_LINES(l, by_subscriber);

    static const char *const by_host[] = {
        "#0 - 10.0.0.1 - - 0 in 3558/38/7",      "#0 - 10.0.0.1 - - 0 out 200/2/1",
        "#0 - 10.0.0.2 - - 0 in 30/3/1",         "#0 - 10.0.0.3 - - 0 in 300/3/1",
        "#0 - 10.0.0.3 - - 0 out 400/4/1",       "#0 - 10.0.0.9 - - 0 internal 5/1/1",
        "#0 - 198.51.100.7 - - 0 transit 9/1/1", "#0 - 2001:db8::1 - - 0 in 60/1/1",
    };
    read_all(s, USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, by_host);

    static const char *const by_class[] = {
        "#0 - - default - 0 in 3941/44/9", "#0 - - default - 0 internal 5/1/1",
        "#0 - - default - 0 out 600/6/2",  "#0 - - default - 0 transit 9/1/1",
        "#0 - - night - 0 in 7/1/1",
    };
    read_all(s, USAGE_BY_CLASS, 0, &l);
    EXPECT_LINES(l, by_class);

    static const char *const by_app[] = {
        "#0 - - - dns 0 in 40/1/1",       "#0 - - - other 0 internal 5/1/1",
        "#0 - - - other 0 transit 9/1/1", "#0 - - - web 0 in 3908/44/9",
        "#0 - - - web 0 out 600/6/2",
    };
    read_all(s, USAGE_BY_APP, 0, &l);
    EXPECT_LINES(l, by_app);

    static const char *const by_key[] = {
        "#0 - 10.0.0.9 default other 0 internal 5/1/1",
        "#0 - 198.51.100.7 default other 0 transit 9/1/1",
        "#alice alice 10.0.0.1 default dns 0 in 40/1/1",
        "#alice alice 10.0.0.1 default web 0 in 3500/35/4",
        "#alice alice 10.0.0.1 default web 0 out 200/2/1",
        "#alice alice 10.0.0.1 night web 0 in 7/1/1",
        "#alice alice 10.0.0.2 default web 0 in 30/3/1",
        "#bob bob 10.0.0.1 default web 0 in 11/1/1",
        "#bob bob 10.0.0.3 default web 0 in 300/3/1",
        "#bob bob 10.0.0.3 default web 0 out 400/4/1",
        "#bob bob 2001:db8::1 default web 0 in 60/1/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER | USAGE_BY_HOST | USAGE_BY_CLASS | USAGE_BY_APP, 0, &l);
    EXPECT_LINES(l, by_key);

    static const char *const by_subscriber_host[] = {
        "#0 - 10.0.0.9 - - 0 internal 5/1/1",       "#0 - 198.51.100.7 - - 0 transit 9/1/1",
        "#alice alice 10.0.0.1 - - 0 in 3547/37/6", "#alice alice 10.0.0.1 - - 0 out 200/2/1",
        "#alice alice 10.0.0.2 - - 0 in 30/3/1",    "#bob bob 10.0.0.1 - - 0 in 11/1/1",
        "#bob bob 10.0.0.3 - - 0 in 300/3/1",       "#bob bob 10.0.0.3 - - 0 out 400/4/1",
        "#bob bob 2001:db8::1 - - 0 in 60/1/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER | USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, by_subscriber_host);

    static const char *const by_class_app[] = {
        "#0 - - default dns 0 in 40/1/1",       "#0 - - default other 0 internal 5/1/1",
        "#0 - - default other 0 transit 9/1/1", "#0 - - default web 0 in 3901/43/8",
        "#0 - - default web 0 out 600/6/2",     "#0 - - night web 0 in 7/1/1",
    };
    read_all(s, USAGE_BY_CLASS | USAGE_BY_APP, 0, &l);
    EXPECT_LINES(l, by_class_app);
    store_close(s);
}

static void test_usage_days(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    /* UTC: B1, B2 and B3 are day 20000, B4 day 20001 */
    static const char *const day_utc[] = {
        "#0 - - - - 20000 in 3948/45/10", "#0 - - - - 20000 internal 5/1/1",
        "#0 - - - - 20000 out 200/2/1",   "#0 - - - - 20000 transit 9/1/1",
        "#0 - - - - 20001 out 400/4/1",
    };
    read_all(s, USAGE_BY_DAY, 0, &l);
    EXPECT_LINES(l, day_utc);
    /* +01:00: 23:30 UTC (B3) is 00:30 of the next day */
    static const char *const day_east[] = {
        "#0 - - - - 20000 in 3648/42/9", "#0 - - - - 20000 internal 5/1/1",
        "#0 - - - - 20000 out 200/2/1",  "#0 - - - - 20000 transit 9/1/1",
        "#0 - - - - 20001 in 300/3/1",   "#0 - - - - 20001 out 400/4/1",
    };
    read_all(s, USAGE_BY_DAY, 3600, &l);
    EXPECT_LINES(l, day_east);
    /* +00:30: B3 falls on local midnight exactly, the first second of day 20001 */
    read_all(s, USAGE_BY_DAY, 1800, &l);
    EXPECT_LINES(l, day_east);
    /* -05:00: B1 and B2 (00:05 and 01:00 UTC) are the evening before; B4 (02:00 UTC of
     * 20001) is 21:00 of day 20000 */
    static const char *const day_west[] = {
        "#0 - - - - 19999 in 3648/42/9", "#0 - - - - 19999 internal 5/1/1",
        "#0 - - - - 19999 out 200/2/1",  "#0 - - - - 19999 transit 9/1/1",
        "#0 - - - - 20000 in 300/3/1",   "#0 - - - - 20000 out 400/4/1",
    };
    read_all(s, USAGE_BY_DAY, -18000, &l);
    EXPECT_LINES(l, day_west);

    static const char *const subscriber_day[] = {
        "#0 - - - - 20000 internal 5/1/1",       "#0 - - - - 20000 transit 9/1/1",
        "#alice alice - - - 20000 in 3577/40/7", "#alice alice - - - 20000 out 200/2/1",
        "#bob bob - - - 20000 in 371/5/3",       "#bob bob - - - 20001 out 400/4/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER | USAGE_BY_DAY, 0, &l);
    EXPECT_LINES(l, subscriber_day);

    static const char *const app_day_east[] = {
        "#0 - - - dns 20000 in 40/1/1",       "#0 - - - other 20000 internal 5/1/1",
        "#0 - - - other 20000 transit 9/1/1", "#0 - - - web 20000 in 3608/41/8",
        "#0 - - - web 20000 out 200/2/1",     "#0 - - - web 20001 in 300/3/1",
        "#0 - - - web 20001 out 400/4/1",
    };
    read_all(s, USAGE_BY_APP | USAGE_BY_DAY, 3600, &l);
    EXPECT_LINES(l, app_day_east);

    store_close(s);
}

static void test_usage_hours(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    static const char *const hour_utc[] = {
        "#0 - - - - 480000 in 1588/21/6",  "#0 - - - - 480000 out 200/2/1",
        "#0 - - - - 480001 in 2060/21/3",  "#0 - - - - 480001 internal 5/1/1",
        "#0 - - - - 480001 transit 9/1/1", "#0 - - - - 480023 in 300/3/1",
        "#0 - - - - 480026 out 400/4/1",
    };
    read_all(s, USAGE_BY_HOUR, 0, &l);
    EXPECT_LINES(l, hour_utc);
    /* DAY and HOUR: the hour wins; +01:00 moves every bucket one hour on */
    static const char *const hour_east[] = {
        "#0 - - - - 480001 in 1588/21/6",  "#0 - - - - 480001 out 200/2/1",
        "#0 - - - - 480002 in 2060/21/3",  "#0 - - - - 480002 internal 5/1/1",
        "#0 - - - - 480002 transit 9/1/1", "#0 - - - - 480024 in 300/3/1",
        "#0 - - - - 480027 out 400/4/1",
    };
    read_all(s, USAGE_BY_DAY | USAGE_BY_HOUR, 3600, &l);
    EXPECT_LINES(l, hour_east);
    /* +00:30: 00:05 and 01:00 stay in their hours (00:35, 01:30), 23:30 becomes 00:00 */
    static const char *const hour_half[] = {
        "#0 - - - - 480000 in 1588/21/6",  "#0 - - - - 480000 out 200/2/1",
        "#0 - - - - 480001 in 2060/21/3",  "#0 - - - - 480001 internal 5/1/1",
        "#0 - - - - 480001 transit 9/1/1", "#0 - - - - 480024 in 300/3/1",
        "#0 - - - - 480026 out 400/4/1",
    };
    read_all(s, USAGE_BY_HOUR, 1800, &l);
    EXPECT_LINES(l, hour_half);
    static const char *const hour_west[] = {
        "#0 - - - - 479995 in 1588/21/6",  "#0 - - - - 479995 out 200/2/1",
        "#0 - - - - 479996 in 2060/21/3",  "#0 - - - - 479996 internal 5/1/1",
        "#0 - - - - 479996 transit 9/1/1", "#0 - - - - 480018 in 300/3/1",
        "#0 - - - - 480021 out 400/4/1",
    };
    read_all(s, USAGE_BY_HOUR, -18000, &l);
    EXPECT_LINES(l, hour_west);

    static const char *const host_hour_bob[] = {
        "#0 - 10.0.0.1 - - 480000 in 11/1/1",
        "#0 - 10.0.0.3 - - 480023 in 300/3/1",
        "#0 - 10.0.0.3 - - 480026 out 400/4/1",
        "#0 - 2001:db8::1 - - 480001 in 60/1/1",
    };
    ASSERT_EQ_INT(read_usage(s, USAGE_BY_HOST | USAGE_BY_HOUR, 0, id_of("bob"), 0, ALL, &l), 0);
    EXPECT_LINES(l, host_hour_bob);
    store_close(s);
}

static void test_usage_filters(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    static const char *const bob_by_host[] = {
        "#0 - 10.0.0.1 - - 0 in 11/1/1",
        "#0 - 10.0.0.3 - - 0 in 300/3/1",
        "#0 - 10.0.0.3 - - 0 out 400/4/1",
        "#0 - 2001:db8::1 - - 0 in 60/1/1",
    };
    ASSERT_EQ_INT(read_usage(s, USAGE_BY_HOST, 0, id_of("bob"), 0, ALL, &l), 0);
    EXPECT_LINES(l, bob_by_host);
    static const char *const unassigned[] = {
        "#0 - - - - 0 internal 5/1/1",
        "#0 - - - - 0 transit 9/1/1",
    };
    ASSERT_EQ_INT(read_usage(s, 0, 0, USAGE_UNASSIGNED, 0, ALL, &l), 0);
    EXPECT_LINES(l, unassigned);
    ASSERT_EQ_INT(read_usage(s, 0, 0, 999999, 0, ALL, &l), 0);
    EXPECT_NO_LINES(l);

    /* [from, to) on bucket starts, in ms */
    static const char *const only_b1[] = {"#0 - - - - 0 in 1588/21/6", "#0 - - - - 0 out 200/2/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B1 * 1000ull, B2 * 1000ull, &l), 0);
    EXPECT_LINES(l, only_b1);
    static const char *const only_b2[] = {
        "#0 - - - - 0 in 2060/21/3",
        "#0 - - - - 0 internal 5/1/1",
        "#0 - - - - 0 transit 9/1/1",
    };
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B2 * 1000ull, B3 * 1000ull, &l), 0);
    EXPECT_LINES(l, only_b2);
    static const char *const only_b3[] = {"#0 - - - - 0 in 300/3/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B3 * 1000ull, B4 * 1000ull, &l), 0);
    EXPECT_LINES(l, only_b3);
    static const char *const b3_b4[] = {"#0 - - - - 0 in 300/3/1", "#0 - - - - 0 out 400/4/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B3 * 1000ull, (B4 + 1) * 1000ull, &l), 0);
    EXPECT_LINES(l, b3_b4);
    static const char *const only_b4[] = {"#0 - - - - 0 out 400/4/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B4 * 1000ull, ALL, &l), 0);
    EXPECT_LINES(l, only_b4);
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B3 * 1000ull, B3 * 1000ull, &l), 0);
    EXPECT_NO_LINES(l);
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, 0, B1 * 1000ull, &l), 0);
    EXPECT_NO_LINES(l);
    /* a subscriber and a period together */
    static const char *const alice_late[] = {"#0 - 10.0.0.1 - - 0 in 2000/20/2"};
    ASSERT_EQ_INT(read_usage(s, USAGE_BY_HOST, 0, id_of("alice"), B2 * 1000ull, ALL, &l), 0);
    EXPECT_LINES(l, alice_late);
    store_close(s);
}

/* Bounds that are not whole seconds: a bucket starting at B3 s = B3 * 1000 ms is before
 * from = B3 * 1000 + 1 and is not read; B4 * 1000 ms is before to = B4 * 1000 + 1 and is. */
static void test_usage_ms_bounds(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    struct lines l;
    static const char *const only_b4[] = {"#0 - - - - 0 out 400/4/1"};
    ASSERT_EQ_INT(read_usage(s, 0, 0, -1, B3 * 1000ull + 1, B4 * 1000ull + 1, &l), 0);
    EXPECT_LINES(l, only_b4);
    store_close(s);
}

static void test_usage_of_removed_subscriber(void)
{
    struct store *s = usage_store();
    if (!s)
        return;
    char errbuf[ERR_BUF_LEN] = "";
    bind(s, "bob", "prefix", "10.0.0.3/32", 1000, 0, "static", NULL, 0);
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), 0);
    struct lines l;
    static const char *const by_subscriber[] = {
        "#0 - - - - 0 internal 5/1/1",       "#0 - - - - 0 transit 9/1/1",
        "#alice alice - - - 0 in 3577/40/7", "#alice alice - - - 0 out 200/2/1",
        "#bob - - - - 0 in 371/5/3",         "#bob - - - - 0 out 400/4/1",
    };
    read_all(s, USAGE_BY_SUBSCRIBER, 0, &l);
    EXPECT_LINES(l, by_subscriber);
    static const char *const bob_by_day[] = {
        "#bob - - - - 20000 in 371/5/3",
        "#bob - - - - 20001 out 400/4/1",
    };
    ASSERT_EQ_INT(read_usage(s, USAGE_BY_SUBSCRIBER | USAGE_BY_DAY, 0, id_of("bob"), 0, ALL, &l),
                  0);
    EXPECT_LINES(l, bob_by_day);
    list_bindings(s, NULL, &l);
    EXPECT_NO_LINES(l);
    store_close(s);
}

static void test_stats(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_stat(s, "192.0.2.1", 9, 3, "records", 4); /* a write of its own */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_stat(s, "192.0.2.1", 9, 3, "records", 4);
    add_stat(s, "192.0.2.1", 9, 3, "dropped", 1);
    add_stat(s, "192.0.2.1", 9, 10, "records", 5);
    add_stat(s, "192.0.2.1", 5, 0, "records", 2);
    add_stat(s, "*", 0, 0, "flows", 7);
    add_stat(s, "192.0.2.1", 9, 3, "records", 5000000000ull);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_stat(s, "*", 0, 0, "flows", 1000);
    s->ops->rollback(s);
    store_close(s);

    static const char *const want[] = {
        "* 0 0 flows 7",
        "192.0.2.1 5 0 records 2",
        "192.0.2.1 9 3 dropped 1",
        "192.0.2.1 9 3 records 5000000008",
        "192.0.2.1 9 10 records 5",
    };
    struct store *r = open_store(true);
    struct lines l = {0};
    if (r)
        ASSERT_EQ_INT(r->ops->read_stats(r, stat_line, &l), 0);
    EXPECT_LINES(l, want);
    store_close(r);
}

static void test_interfaces(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    struct iface_row a = {"192.0.2.1", 10, 1000, 1000000000, 3, 100, 200, 1, 2, 3, 4};
    struct iface_row b = {"192.0.2.1", 2, 1500, 100000000, 1, 10, 20, 0, 0, 0, 0};
    struct iface_row a2 = {"192.0.2.1", 10, 2000, 10000000000ull, 2, 5000000000ull, 300, 5,
                           6,           7,  8};
    struct iface_row c = {"192.0.2.7", 1, 1800, 0, 0, 0, 0, 0, 0, 0, 0};
    ASSERT_EQ_INT(s->ops->set_interface(s, &a), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->set_interface(s, &b), 0);
    ASSERT_EQ_INT(s->ops->set_interface(s, &c), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->set_interface(s, &a2), 0); /* replaces a */
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    static const char *const want[] = {
        "192.0.2.1 2 t=1500 speed=100000000 status=1 10/20 err 0/0 disc 0/0",
        "192.0.2.1 10 t=2000 speed=10000000000 status=2 5000000000/300 err 5/6 disc 7/8",
        "192.0.2.7 1 t=1800 speed=0 status=0 0/0 err 0/0 disc 0/0",
    };
    struct lines l = {0};
    ASSERT_EQ_INT(s->ops->read_interfaces(s, iface_line, &l), 0);
    EXPECT_LINES(l, want);
    store_close(s);
}

static void test_log_positions(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    const char *squid = "/var/log/squid/access.log", *other = "/var/log/other.log";
    uint64_t inode = 0, offset = 0;
    ASSERT_EQ_INT(s->ops->get_log_position(s, squid, &inode, &offset), ERR_NOT_FOUND);
    ASSERT_EQ_INT(s->ops->set_log_position(s, squid, 1234, 5678), 0);
    ASSERT_EQ_INT(s->ops->get_log_position(s, squid, &inode, &offset), 0);
    ASSERT_EQ_U64(inode, 1234);
    ASSERT_EQ_U64(offset, 5678);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->set_log_position(s, squid, 1234, 9999), 0); /* replaces */
    ASSERT_EQ_INT(s->ops->set_log_position(s, other, 1099511627776ull, 2), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(s->ops->get_log_position(s, squid, &inode, &offset), 0);
    ASSERT_EQ_U64(inode, 1234);
    ASSERT_EQ_U64(offset, 9999);
    ASSERT_EQ_INT(s->ops->set_log_position(s, squid, 4321, 10), 0); /* rotated: a new inode */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->set_log_position(s, squid, 4321, 99), 0);
    s->ops->rollback(s);
    store_close(s);
    struct store *r = open_store(true);
    if (!r)
        return;
    ASSERT_EQ_INT(r->ops->get_log_position(r, squid, &inode, &offset), 0);
    ASSERT_EQ_U64(inode, 4321);
    ASSERT_EQ_U64(offset, 10);
    ASSERT_EQ_INT(r->ops->get_log_position(r, other, &inode, &offset), 0);
    ASSERT_EQ_U64(inode, 1099511627776ull);
    ASSERT_EQ_U64(offset, 2);
    ASSERT_EQ_INT(r->ops->get_log_position(r, "/var/log/none", &inode, &offset), ERR_NOT_FOUND);
    store_close(r);
}

static void test_plans(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_plan(s, "basic", false, 100000000000ull, "both", 25000000, 1000000, "10/2 Mbps", 1, true,
             0);
    add_plan(s, "unlim", true, 0, "in", 60000000, 0, "", 15, true, 0);
    add_plan(s, "Business", false, 1000000000000ull, "out", 99000000, 500000,
             "100 Mbps \"fibre\", it's fast", 28, true, 0);
    /* a taken name, as an insert */
    add_plan(s, "basic", false, 1, "in", 1, 1, "x", 2, true, ERR_EXISTS);
    struct plan p, q;
    ASSERT_EQ_INT(store_plan_get(s, "basic", &p), 0);
    ASSERT_TRUE(p.id > 0);
    struct lines l = {0};
    plan_line(&l, &p);
    static const char *const basic[] = {"basic|100000000000|both|25000000|1000000|10/2 Mbps|1"};
    EXPECT_LINES(l, basic);
    /* an update keeps the id */
    add_plan(s, "basic", false, 200000000000ull, "in", 30000000, 2000000, "20/4 Mbps", 5, false, 0);
    ASSERT_EQ_INT(store_plan_get(s, "basic", &q), 0);
    ASSERT_EQ_INT(q.id, p.id);
    add_plan(s, "ghost", false, 1, "both", 0, 0, "", 1, false, ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_plan_get(s, "ghost", &q), ERR_NOT_FOUND);
    add_plan(s, "Business", true, 0, "out", 99000000, 500000, "100 Mbps \"fibre\", it's fast", 28,
             false, 0);
    ASSERT_EQ_INT(store_plan_get(s, "Business", &q), 0);
    ASSERT_TRUE(q.unlimited);
    add_plan(s, "unlim", false, 5, "in", 60000000, 0, "", 15, false, 0);
    ASSERT_EQ_INT(store_plan_get(s, "unlim", &q), 0);
    ASSERT_TRUE(!q.unlimited);
    ASSERT_EQ_U64(q.quota_bytes, 5);
    add_plan(s, "unlim", true, 0, "in", 60000000, 0, "", 15, false, 0);

    static const char *const all[] = {
        "Business|unlimited|out|99000000|500000|100 Mbps \"fibre\", it's fast|28",
        "basic|200000000000|in|30000000|2000000|20/4 Mbps|5",
        "unlim|unlimited|in|60000000|0||15",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_plan_list(s, plan_line, &l), 0);
    EXPECT_LINES(l, all);

    /* not while a subscriber is on it */
    char errbuf[ERR_BUF_LEN] = "";
    add_subscriber(s, "alice", "", "", "basic", "active", "", true, 0);
    ASSERT_EQ_INT(store_plan_remove(s, "basic", errbuf), ERR_EXISTS);
    ASSERT_TRUE(errbuf[0] != '\0');
    ASSERT_EQ_INT(store_plan_get(s, "basic", &q), 0);
    errbuf[0] = '\0';
    ASSERT_EQ_INT(store_plan_remove(s, "ghost", errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(errbuf[0] != '\0');
    ASSERT_EQ_INT(store_plan_remove(s, "unlim", errbuf), 0);
    ASSERT_EQ_INT(store_plan_remove(s, "unlim", errbuf), ERR_NOT_FOUND);
    add_subscriber(s, "alice", "", "", "", "active", "", false, 0); /* off the plan */
    ASSERT_EQ_INT(store_plan_remove(s, "basic", errbuf), 0);
    static const char *const left[] = {
        "Business|unlimited|out|99000000|500000|100 Mbps \"fibre\", it's fast|28",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_plan_list(s, plan_line, &l), 0);
    EXPECT_LINES(l, left);
    store_close(s);
}

static void test_subscribers(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_plan(s, "basic", false, 1000, "both", 0, 0, "", 1, true, 0);
    add_plan(s, "unlim", true, 0, "both", 0, 0, "", 1, true, 0);
    struct subscriber got;
    struct lines l = {0};
    /* a plan that does not exist: nothing stored */
    add_subscriber(s, "carol", "", "", "ghost", "active", "", true, ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_subscriber_get(s, "carol", &got), ERR_NOT_FOUND);

    add_subscriber(s, "alice", "Alice O'Hara", "alice@example.org", "basic", "active",
                   "tower 3, \"north\"", true, 0);
    add_subscriber(s, "bob", "Bob", "", "", "suspended", "", true, 0);
    add_subscriber(s, "Zed", "Zed", "zed@example.org", "unlim", "closed", "", true, 0);
    add_subscriber(s, "alice", "Another", "", "", "active", "", true, ERR_EXISTS);
    ASSERT_TRUE(id_of("alice") != id_of("bob") && id_of("bob") != id_of("Zed"));
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &got), 0);
    subscriber_line(&l, &got);
    static const char *const alice[] = {
        "#alice|alice|Alice O'Hara|alice@example.org|basic|active|tower 3, \"north\""};
    EXPECT_LINES(l, alice);

    /* updates keep the id; a missing plan or account changes nothing */
    add_subscriber(s, "bob", "Robert", "bob@example.org", "unlim", "active", "moved", false, 0);
    add_subscriber(s, "bob", "Robert", "bob@example.org", "ghost", "active", "moved", false,
                   ERR_NOT_FOUND);
    add_subscriber(s, "ghost", "", "", "", "active", "", false, ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_subscriber_get(s, "ghost", &got), ERR_NOT_FOUND);
    static const char *const all[] = {
        "#Zed|Zed|Zed|zed@example.org|unlim|closed|",
        "#alice|alice|Alice O'Hara|alice@example.org|basic|active|tower 3, \"north\"",
        "#bob|bob|Robert|bob@example.org|unlim|active|moved",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_subscriber_list(s, subscriber_line, &l), 0);
    EXPECT_LINES(l, all);

    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), 0);
    ASSERT_EQ_INT(store_subscriber_get(s, "bob", &got), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(errbuf[0] != '\0');
    static const char *const left[] = {
        "#Zed|Zed|Zed|zed@example.org|unlim|closed|",
        "#alice|alice|Alice O'Hara|alice@example.org|basic|active|tower 3, \"north\"",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_subscriber_list(s, subscriber_line, &l), 0);
    EXPECT_LINES(l, left);
    store_close(s);
}

static void test_bindings(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    add_account(s, "carol");
    const char *v = "10.0.0.1/32";
    struct lines l;

    bind(s, "alice", "prefix", v, 1000, 0, "static", NULL, 0);
    /* bound again by the same account, later or at once: nothing changes */
    bind(s, "alice", "prefix", v, 2000, 0, "static", NULL, STORE_BINDING_HELD);
    bind(s, "alice", "prefix", v, 1000, 0, "radius", "S-0", STORE_BINDING_HELD);
    static const char *const held[] = {"alice #alice prefix 10.0.0.1/32 1000-0 static -"};
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, held);

    /* handed over: alice's ends where bob's starts */
    bind(s, "bob", "prefix", v, 5000, 0, "radius", "S-1", 0);
    static const char *const handed[] = {
        "alice #alice prefix 10.0.0.1/32 1000-5000 static -",
        "bob #bob prefix 10.0.0.1/32 5000-0 radius S-1",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, handed);
    /* carol from the same start: bob's would be zero-length, it goes */
    bind(s, "carol", "prefix", v, 5000, 0, "static", NULL, 0);
    static const char *const same_start[] = {
        "alice #alice prefix 10.0.0.1/32 1000-5000 static -",
        "carol #carol prefix 10.0.0.1/32 5000-0 static -",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, same_start);
    /* bob from before carol's start: hers never applied, it goes (closed rows stay) */
    bind(s, "bob", "prefix", v, 4000, 0, "static", NULL, 0);
    static const char *const earlier[] = {
        "alice #alice prefix 10.0.0.1/32 1000-5000 static -",
        "bob #bob prefix 10.0.0.1/32 4000-0 static -",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, earlier);
    ASSERT_EQ_INT(store_binding_is_open(s, v, id_of("bob")), 1);
    ASSERT_EQ_INT(store_binding_is_open(s, v, id_of("alice")), 0);
    ASSERT_EQ_INT(store_binding_is_open(s, v, id_of("carol")), 0);
    ASSERT_EQ_INT(store_binding_is_open(s, "10.9.9.9/32", id_of("bob")), 0);
    store_close(s);
}

/* Ending bindings by value and by session, and listing them, by account and all. */
static void test_binding_end_and_list(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    add_account(s, "carol");
    const char *v = "10.0.0.1/32";
    struct lines l;
    bind(s, "alice", "prefix", v, 1000, 0, "static", NULL, 0);
    bind(s, "bob", "prefix", v, 4000, 0, "static", NULL, 0);
    bind(s, "alice", "mac", "aa:bb:cc:dd:ee:ff", 3000, 0, "register", NULL, 0);
    bind(s, "alice", "prefix", "10.0.0.2/32", 1000, 8000, "static", NULL, 0);
    ASSERT_EQ_INT(store_binding_is_open(s, "10.0.0.2/32", id_of("alice")), 0);
    ASSERT_EQ_INT(store_binding_is_open(s, "aa:bb:cc:dd:ee:ff", id_of("alice")), 1);
    bind(s, "carol", "prefix", "2001:db8:1200::/56", 6000, 0, "radius", "S-2", 0);
    bind(s, "carol", "prefix", "10.0.0.5/32", 6500, 0, "radius", "S-2", 0);
    bind(s, "nobody", "prefix", "10.0.0.6/32", 6500, 0, "static", NULL, ERR_NOT_FOUND);

    unbind(s, v, NULL, 9000, 1);                     /* by value */
    unbind(s, "2001:db8:1200::/56", "S-2", 7000, 2); /* by session: both of S-2 */
    unbind(s, v, NULL, 9500, 0);                     /* nothing open */
    bind(s, "alice", "prefix", "10.0.0.7/32", 10000, 0, "static", NULL, 0);
    unbind(s, "10.0.0.7/32", NULL, 10000, 1); /* ends where it starts: deleted */
    bind(s, "alice", "prefix", "10.0.0.8/32", 10000, 0, "static", NULL, 0);
    unbind(s, "10.0.0.8/32", NULL, 9000, 1); /* ends before it starts: deleted */
    ASSERT_EQ_INT(store_binding_end(s, "10.0.0.8/32", NULL, 9000, NULL), 0);

    static const char *const of_alice[] = {
        "alice #alice prefix 10.0.0.1/32 1000-4000 static -",
        "alice #alice prefix 10.0.0.2/32 1000-8000 static -",
        "alice #alice mac aa:bb:cc:dd:ee:ff 3000-0 register -",
    };
    list_bindings(s, "alice", &l);
    EXPECT_LINES(l, of_alice);
    static const char *const all[] = {
        "alice #alice prefix 10.0.0.1/32 1000-4000 static -",
        "bob #bob prefix 10.0.0.1/32 4000-9000 static -",
        "alice #alice prefix 10.0.0.2/32 1000-8000 static -",
        "carol #carol prefix 10.0.0.5/32 6500-7000 radius S-2",
        "carol #carol prefix 2001:db8:1200::/56 6000-7000 radius S-2",
        "alice #alice mac aa:bb:cc:dd:ee:ff 3000-0 register -",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, all);
    list_bindings(s, "nobody", &l);
    EXPECT_NO_LINES(l);

    /* a removed subscriber's bindings go with it */
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_subscriber_remove(s, "carol", errbuf), 0);
    static const char *const without_carol[] = {
        "alice #alice prefix 10.0.0.1/32 1000-4000 static -",
        "bob #bob prefix 10.0.0.1/32 4000-9000 static -",
        "alice #alice prefix 10.0.0.2/32 1000-8000 static -",
        "alice #alice mac aa:bb:cc:dd:ee:ff 3000-0 register -",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, without_carol);
    store_close(s);
}

static void test_leases(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    put_lease(s, "10.0.0.30", "aa:bb:cc:00:00:02", 2000, 0);
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:01", 1000, 5000);
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:03", 9000, 12000);
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:01", 1000, 9000); /* renewed */
    static const char *const want[] = {
        "10.0.0.20 aa:bb:cc:00:00:01 1000-9000",
        "10.0.0.20 aa:bb:cc:00:00:03 9000-12000",
        "10.0.0.30 aa:bb:cc:00:00:02 2000-0",
    };
    struct lines l = {0};
    ASSERT_EQ_INT(store_lease_list(s, lease_line, &l), 0);
    EXPECT_LINES(l, want);
    store_close(s);
}

static void test_bindings_version(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    int64_t v = store_bindings_version(s), w;
    ASSERT_TRUE(v >= 0);
    add_plan(s, "basic", false, 1, "both", 0, 0, "", 1, true, 0);
    add_plan(s, "basic", false, 2, "in", 0, 0, "", 1, false, 0);
    ASSERT_EQ_INT(store_bindings_version(s), v);
    add_account(s, "alice");
    add_account(s, "bob");
    bind(s, "alice", "prefix", "10.0.0.1/32", 1000, 0, "static", NULL, 0);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    bind(s, "bob", "prefix", "10.0.0.1/32", 2000, 0, "static", NULL, 0);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    unbind(s, "10.0.0.1/32", NULL, 3000, 1);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:01", 1000, 5000);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:01", 1000, 9000);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_subscriber_remove(s, "alice", errbuf), 0); /* and her binding */
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    add_plan(s, "other", true, 0, "both", 0, 0, "", 1, true, 0);
    ASSERT_EQ_INT(store_bindings_version(s), v);
    /* another connection reads the same number */
    struct store *r = open_store(true);
    if (r)
        ASSERT_EQ_INT(store_bindings_version(r), v);
    store_close(r);
    store_close(s);
}

static void test_classes(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    const struct class_row first[] = {
        {"default", 0, true, false},
        {"night", 0, false, false},
        {"premium", 5000000, true, false},
    };
    write_classes(s, first, N(first), 1000);
    static const char *const want_first[] = {
        "default 0 quota=1 current=1",
        "night 0 quota=0 current=1",
        "premium 5000000 quota=1 current=1",
    };
    struct lines l = {0};
    ASSERT_EQ_INT(store_class_list(s, class_line, &l), 0);
    EXPECT_LINES(l, want_first);
    /* a later list: night is kept, no longer current, with its price and rule */
    const struct class_row second[] = {
        {"default", 0, true, false},
        {"premium", 7000000, false, false},
        {"national", 500000, true, false},
    };
    write_classes(s, second, N(second), 2000);
    static const char *const want_second[] = {
        "default 0 quota=1 current=1",
        "national 500000 quota=1 current=1",
        "night 0 quota=0 current=0",
        "premium 7000000 quota=0 current=1",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_class_list(s, class_line, &l), 0);
    EXPECT_LINES(l, want_second);
    /* a list written in a rolled-back flush is not there */
    const struct class_row third[] = {{"other", 1, true, false}};
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_classes_write(s, third, N(third), 3000), 0);
    s->ops->rollback(s);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_class_list(s, class_line, &l), 0);
    EXPECT_LINES(l, want_second);
    /* night again, at a new price: current again */
    const struct class_row fourth[] = {{"night", 100, true, false}};
    write_classes(s, fourth, N(fourth), 4000);
    static const char *const want_fourth[] = {
        "default 0 quota=1 current=0",
        "national 500000 quota=1 current=0",
        "night 100 quota=1 current=1",
        "premium 7000000 quota=0 current=0",
    };
    store_close(s);
    struct store *r = open_store(true);
    memset(&l, 0, sizeof l);
    if (r)
        ASSERT_EQ_INT(store_class_list(r, class_line, &l), 0);
    EXPECT_LINES(l, want_fourth);
    store_close(r);
}

static void test_classes_check(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_classes_check(s, errbuf), 0); /* no usage */
    add_usage(s, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    ASSERT_EQ_INT(store_classes_check(s, errbuf), 0); /* only 'default' */
    const struct class_row none[1] = {{"unused", 0, false, false}};
    write_classes(s, none, 0, 5000); /* an empty list, stored */
    add_usage(s, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "night", "other", 1, 1, 1);
    ASSERT_EQ_INT(store_classes_check(s, errbuf), 0);
    struct store *r = open_store(true);
    if (r)
        ASSERT_EQ_INT(store_classes_check(r, errbuf), 0);
    struct lines l = {0};
    ASSERT_EQ_INT(store_class_list(s, class_line, &l), 0);
    EXPECT_NO_LINES(l);
    store_close(r);
    store_close(s);
}

/* Usage in a named class and no class list ever stored (classes_write never called on this
 * store): readers may not compute quotas, writer and reader alike. */
static void test_classes_check_without_list(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    char errbuf[ERR_BUF_LEN] = "";
    add_usage(s, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    add_usage(s, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "night", "other", 1, 1, 1);
    ASSERT_EQ_INT(store_classes_check(s, errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(errbuf[0] != '\0');
    struct store *r = open_store(true);
    if (r) {
        errbuf[0] = '\0';
        ASSERT_EQ_INT(store_classes_check(r, errbuf), ERR_NOT_FOUND);
        ASSERT_TRUE(errbuf[0] != '\0');
    }
    const struct class_row night = {"night", 0, false, false};
    write_classes(s, &night, 1, 5000); /* the list comes: quotas may be computed */
    ASSERT_EQ_INT(store_classes_check(s, errbuf), 0);
    if (r)
        ASSERT_EQ_INT(store_classes_check(r, errbuf), 0);
    store_close(r);
    store_close(s);
}

/* A reader during a flush: it sees what is committed, the writer sees its own transaction
 * too, and the reader neither waits for the writer nor fails. */
static void test_concurrent_reader(void)
{
    struct store *w = open_store(false);
    struct store *r = w ? open_store(true) : NULL;
    if (!r) {
        store_close(w);
        return;
    }
    ASSERT_EQ_INT(w->ops->claim_collector(w, (char[ERR_BUF_LEN]){0}), 0);
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_usage(w, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 100, 1, 1);
    add_stat(w, "*", 0, 0, "flows", 1);
    ASSERT_EQ_INT(w->ops->commit(w), 0);

    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_usage(w, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 50, 1, 1);
    add_usage(w, B2, NULL, "10.0.0.2", FLOW_DIR_OUT, "default", "other", 7, 1, 1);
    add_stat(w, "*", 0, 0, "flows", 2);
    ASSERT_EQ_INT(w->ops->set_log_position(w, "/var/log/a", 1, 2), 0);
    struct lines l;
    static const char *const own[] = {"#0 - 10.0.0.1 - - 0 in 150/2/2",
                                      "#0 - 10.0.0.2 - - 0 out 7/1/1"};
    read_all(w, USAGE_BY_HOST, 0, &l); /* the writer's own transaction */
    EXPECT_LINES(l, own);

    static const char *const committed[] = {"#0 - 10.0.0.1 - - 0 in 100/1/1"};
    static const char *const stats_committed[] = {"* 0 0 flows 1"};
    uint64_t t = now_ms();
    read_all(r, USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, committed);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(r->ops->read_stats(r, stat_line, &l), 0);
    EXPECT_LINES(l, stats_committed);
    uint64_t inode, offset;
    ASSERT_EQ_INT(r->ops->get_log_position(r, "/var/log/a", &inode, &offset), ERR_NOT_FOUND);
    struct store *late = open_store(true); /* a reader that starts during the flush */
    if (late) {
        read_all(late, USAGE_BY_HOST, 0, &l);
        EXPECT_LINES(l, committed);
    }
    uint64_t took = now_ms() - t;
    if (took > 2000)
        TEST_FAIL("the readers took %llu ms during the flush: they waited for the writer",
                  (unsigned long long)took);

    ASSERT_EQ_INT(w->ops->commit(w), 0);
    read_all(r, USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, own);
    if (late) {
        read_all(late, USAGE_BY_HOST, 0, &l);
        EXPECT_LINES(l, own);
    }
    ASSERT_EQ_INT(r->ops->get_log_position(r, "/var/log/a", &inode, &offset), 0);
    store_close(late);
    store_close(r);
    store_close(w);
}

/* ================================ the runner ================================ */

#define CASE(fn)                                                                                   \
    {                                                                                              \
#fn + 5, fn                                                                                \
    }

static const struct {
    const char *name;
    void (*fn)(void);
} cases[] = {
    CASE(test_open_and_empty),
    CASE(test_transactions),
    CASE(test_last_error),
    CASE(test_last_error_admin),
    CASE(test_batch),
    CASE(test_batch_in_transaction),
    CASE(test_failed_write_in_transaction),
    CASE(test_refused_values),
    CASE(test_claim_and_verify),
    CASE(test_usage_additive),
    CASE(test_usage_groups),
    CASE(test_usage_days),
    CASE(test_usage_hours),
    CASE(test_usage_filters),
    CASE(test_usage_ms_bounds),
    CASE(test_usage_of_removed_subscriber),
    CASE(test_stats),
    CASE(test_interfaces),
    CASE(test_log_positions),
    CASE(test_plans),
    CASE(test_subscribers),
    CASE(test_bindings),
    CASE(test_binding_end_and_list),
    CASE(test_leases),
    CASE(test_bindings_version),
    CASE(test_classes),
    CASE(test_classes_check),
    CASE(test_classes_check_without_list),
    CASE(test_concurrent_reader),
};

static void run_case(const struct engine *e, int index, bool ready)
{
    test_current_failed = false;
    cur.e = e;
    n_known = 0;
    if (ready) {
        case_setup(index);
        cases[index].fn();
        case_teardown();
    } else {
        TEST_FAIL("no fresh %s store for the case (psql failed, see above)", e->name);
    }
    test_n_run++;
    if (test_current_failed)
        test_n_failed++;
    printf("%s %d - %s: %s\n", test_current_failed ? "not ok" : "ok", test_n_run, e->name,
           cases[index].name);
    fflush(stdout);
}

int main(void)
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
            schemas_sql(sql, sizeof sql, N(cases), false);
            ready = psql(sql) == 0;
        }
        for (size_t i = 0; i < N(cases); i++)
            run_case(&engines[e], (int)i, ready);
        if (engines[e].uri && ready) {
            cur.e = &engines[e];
            schemas_sql(sql, sizeof sql, N(cases), true);
            (void)psql(sql);
        }
    }
    char p[128];
    snprintf(p, sizeof p, "%s/psql.err", tmpdir);
    unlink(p);
    rmdir(tmpdir);
    return test_done();
}
