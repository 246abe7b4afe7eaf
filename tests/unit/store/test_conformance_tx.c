// SPDX-License-Identifier: MIT
// The store's conformance suite, part one: opening, transactions and their failures,
// batches, the collector's claim, traffic classes, and a reader beside a flush.
// conformance.h says how every case gets a store of its own on every engine.
#include "conformance.h"

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
    add_binding(s, "alice", "prefix", "10.0.0.1/32", 1000, 0, "static", NULL, 0);
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
/* The usage version: a flush moves it, once, and every connection sees it; a rollback, a
 * transaction without usage, or a reader leave it. */
static void test_usage_version(void)
{
    struct store *w = open_store(false);
    struct store *w2 = w ? open_store(false) : NULL; /* another collector, same database */
    struct store *r = w2 ? open_store(true) : NULL;
    if (!r) {
        store_close(w2);
        store_close(w);
        return;
    }
    int64_t v0 = store_usage_version(w);
    ASSERT_EQ_INT(v0, 0); /* a new store */
    ASSERT_EQ_INT(store_usage_version(r), v0);

    /* a flush moves it on, once however many rows; every connection sees the same */
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_usage(w, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 100, 1, 1);
    add_usage(w, B2, NULL, "10.0.0.2", FLOW_DIR_OUT, "default", "other", 7, 1, 1);
    ASSERT_EQ_INT(store_usage_version(r), v0); /* not before the commit */
    ASSERT_EQ_INT(w->ops->commit(w), 0);
    int64_t v1 = store_usage_version(w);
    ASSERT_TRUE(v1 > v0);
    ASSERT_EQ_INT(store_usage_version(r), v1);
    ASSERT_EQ_INT(store_usage_version(w2), v1);

    /* rolled back: no move */
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_usage(w, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    w->ops->rollback(w);
    ASSERT_EQ_INT(store_usage_version(r), v1);

    /* a transaction without usage (counters, a log position, a plan; an empty one): no move */
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_stat(w, "*", 0, 0, "flows", 1);
    ASSERT_EQ_INT(w->ops->set_log_position(w, "/var/log/a", 1, 2), 0);
    add_plan(w, "basic", false, 1, "both", 0, 0, "", 1, true, 0);
    ASSERT_EQ_INT(w->ops->commit(w), 0);
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    ASSERT_EQ_INT(w->ops->commit(w), 0);
    ASSERT_EQ_INT(store_usage_version(r), v1);
    /* a rollback after a flush does not carry its move into the next transaction */
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_usage(w, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 1, 1, 1);
    w->ops->rollback(w);
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_stat(w, "*", 0, 0, "flows", 1);
    ASSERT_EQ_INT(w->ops->commit(w), 0);
    ASSERT_EQ_INT(store_usage_version(r), v1);

    /* the other collector's flush moves it too, seen by all; then the first's again */
    ASSERT_EQ_INT(w2->ops->begin(w2), 0);
    add_usage(w2, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 5, 1, 1);
    ASSERT_EQ_INT(w2->ops->commit(w2), 0);
    int64_t v2 = store_usage_version(r);
    ASSERT_TRUE(v2 > v1);
    ASSERT_EQ_INT(store_usage_version(w), v2);
    ASSERT_EQ_INT(store_usage_version(w2), v2);
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_usage(w, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 5, 1, 1);
    ASSERT_EQ_INT(w->ops->commit(w), 0);
    int64_t v3 = store_usage_version(w2);
    ASSERT_TRUE(v3 > v2);
    ASSERT_EQ_INT(store_usage_version(r), v3);

    /* a usage write outside a transaction is its own, and moves it */
    add_usage(w2, B2, NULL, "10.0.0.2", FLOW_DIR_OUT, "default", "other", 1, 1, 1);
    int64_t v4 = store_usage_version(r);
    ASSERT_TRUE(v4 > v3);
    ASSERT_TRUE(!w2->ops->in_transaction(w2));

    /* admin writes (a subscriber, a binding): no move */
    add_account(w, "alice");
    add_binding(w, "alice", "prefix", "10.0.0.1/32", 1000, 0, "static", NULL, 0);
    ASSERT_EQ_INT(store_usage_version(r), v4);

    /* every row counted, none twice */
    struct lines l;
    static const char *const want[] = {"#0 - 10.0.0.1 - - 0 in 110/3/3",
                                       "#0 - 10.0.0.2 - - 0 out 8/2/2"};
    read_all(r, USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, want);
    store_close(r);
    store_close(w2);
    store_close(w);
}

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

/* read_begin(): a page's reads see one state of the store, whatever a collector commits
 * meanwhile; read_end() lets the next reads see it. Refused inside a transaction. */
static void test_read_snapshot(void)
{
    struct store *w = open_store(false);
    struct store *r = w ? open_store(true) : NULL;
    if (!r) {
        store_close(w);
        return;
    }
    add_usage(w, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 100, 1, 1);
    static const char *const before[] = {"#0 - 10.0.0.1 - - 0 in 100/1/1"};
    static const char *const after[] = {"#0 - 10.0.0.1 - - 0 in 150/2/2",
                                        "#0 - 10.0.0.2 - - 0 out 7/1/1"};
    struct lines l;
    ASSERT_EQ_INT(r->ops->read_begin(r), 0);
    read_all(r, USAGE_BY_HOST, 0, &l); /* the snapshot starts at the first read */
    EXPECT_LINES(l, before);
    ASSERT_EQ_INT(w->ops->begin(w), 0);
    add_usage(w, B1, NULL, "10.0.0.1", FLOW_DIR_IN, "default", "other", 50, 1, 1);
    add_usage(w, B2, NULL, "10.0.0.2", FLOW_DIR_OUT, "default", "other", 7, 1, 1);
    ASSERT_EQ_INT(w->ops->commit(w), 0);
    read_all(r, USAGE_BY_HOST, 0, &l); /* committed meanwhile, not seen in the snapshot */
    EXPECT_LINES(l, before);
    r->ops->read_end(r);
    read_all(r, USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, after);

    ASSERT_EQ_INT(w->ops->begin(w), 0);
    ASSERT_EQ_INT(w->ops->read_begin(w), ERR_STORE); /* inside a transaction */
    read_all(w, USAGE_BY_HOST, 0, &l);
    EXPECT_LINES(l, after);
    w->ops->rollback(w);
    store_close(r);
    store_close(w);
}

static const struct conformance_case cases[] = {
    CONFORMANCE_CASE(test_open_and_empty),
    CONFORMANCE_CASE(test_transactions),
    CONFORMANCE_CASE(test_last_error),
    CONFORMANCE_CASE(test_last_error_admin),
    CONFORMANCE_CASE(test_batch),
    CONFORMANCE_CASE(test_batch_in_transaction),
    CONFORMANCE_CASE(test_failed_write_in_transaction),
    CONFORMANCE_CASE(test_claim_and_verify),
    CONFORMANCE_CASE(test_classes),
    CONFORMANCE_CASE(test_classes_check),
    CONFORMANCE_CASE(test_classes_check_without_list),
    CONFORMANCE_CASE(test_concurrent_reader),
    CONFORMANCE_CASE(test_read_snapshot),
    CONFORMANCE_CASE(test_usage_version),
};

int main(void)
{
    return conformance_main(cases, N(cases));
}
