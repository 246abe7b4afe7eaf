// SPDX-License-Identifier: MIT
// The evaluator on a real SQLite store, at chosen moments: a 1 GB plan, usage stored as a
// flush stores it; levels fire once per cycle whatever is evaluated again, a new cycle
// starts with nothing fired (80% fires again in April), a top-up re-arms, and the state the
// hook must make true follows: over in March, under when April begins. Then the memory of
// evaluate_moved(): exact totals worked out by hand from flush rows (directions, free
// classes, a late row of the last cycle), a new seed on a new cycle, a plan change, a
// top-up, new levels and a binding change, the exact read near a level (and, with usage
// another collector wrote, at the latest EVALUATE_STALE_MS after the last one), and the
// thresholds and bounds of the table itself (tally.c).
#include "../../../src/alert/evaluate.h"
#include "../../../src/base/addr.h"
#include "../../../src/base/err.h"
#include "../../../src/billing/quota.h"
#include "../../../src/store/store.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAR_2025 1740787200000ull /* 2025-03-01T00:00:00Z */
#define APR_2025 1743465600000ull /* 2025-04-01T00:00:00Z */
#define DAY_MS 86400000ull

static struct store *s;
static int64_t alice_id;

static void add_usage(uint64_t at_ms, uint64_t bytes)
{
    struct usage_row row = {.key = {.bucket_s = (uint32_t)(at_ms / 1000 / 300 * 300),
                                    .subscriber = (uint32_t)alice_id,
                                    .dir = FLOW_DIR_IN},
                            .counts = {bytes, 1, 1}};
    ASSERT_EQ_INT(addr_parse("10.0.0.1", &row.key.host), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->add_usage(s, &row, "default", "other"), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
}

struct fired {
    char text[512];
};

static void add_fired(void *ctx, const struct alert_row *a)
{
    struct fired *f = ctx;
    size_t n = strlen(f->text);
    snprintf(f->text + n, sizeof f->text - n, "%s%s %s %llu", n ? "; " : "", a->cycle, a->level,
             (unsigned long long)a->used_bytes);
}

static const char *fired(void)
{
    static struct fired f;
    f.text[0] = '\0';
    ASSERT_EQ_INT(store_alert_list(s, -1, NULL, add_fired, &f), 0);
    return f.text;
}

static const char *enforce_state(void)
{
    static char text[sizeof(struct enforce_row)];
    struct enforce_row e;
    if (store_enforce_get(s, alice_id, &e) != 0)
        return "none";
    snprintf(text, sizeof text, "%s %s", e.state, e.addresses);
    return text;
}

static void evaluate(struct evaluate_config *c, uint64_t at_ms)
{
    struct evaluate_counts n = {0};
    char err[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(evaluate_subscriber(s, c, alice_id, at_ms, &n, err), 0);
    if (err[0])
        printf("# %s\n", err);
}

static void test_cycles(void)
{
    struct evaluate_config c = {.is_enforcing = true};
    char err[ERR_BUF_LEN];
    struct levels one;
    ASSERT_EQ_INT(levels_parse("80,100", &c.default_levels, err), 0);
    ASSERT_EQ_INT(levels_parse("100", &one, err), 0);
    c.enforce_level = one.l[0];
    /* March: 0.85 GB on the 10th: 80% fires, once however often it is evaluated */
    add_usage(MAR_2025 + 9 * DAY_MS, 850000000);
    evaluate(&c, MAR_2025 + 10 * DAY_MS);
    evaluate(&c, MAR_2025 + 11 * DAY_MS);
    ASSERT_STREQ(fired(), "2025-03 80% 850000000");
    ASSERT_STREQ(enforce_state(), "none");
    /* 0.2 GB more: 105%: 100% fires, and alice is over */
    add_usage(MAR_2025 + 12 * DAY_MS, 200000000);
    evaluate(&c, MAR_2025 + 13 * DAY_MS);
    ASSERT_STREQ(fired(), "2025-03 80% 850000000; 2025-03 100% 1050000000");
    ASSERT_STREQ(enforce_state(), "over 10.0.0.1/32");
    /* a 1 GB top-up: 1.05 of 2 GB, under both: re-armed, and under */
    struct topup_row t = {
        .subscriber_id = alice_id, .at_ms = MAR_2025 + 14 * DAY_MS, .bytes = 1000000000};
    ASSERT_EQ_INT(store_topup_add(s, &t, err), 0);
    evaluate(&c, MAR_2025 + 14 * DAY_MS);
    ASSERT_STREQ(fired(), "");
    ASSERT_STREQ(enforce_state(), "under 10.0.0.1/32");
    /* back over 100% of 2 GB before April */
    add_usage(MAR_2025 + 20 * DAY_MS, 1000000000);
    evaluate(&c, MAR_2025 + 21 * DAY_MS);
    ASSERT_STREQ(fired(), "2025-03 80% 2050000000; 2025-03 100% 2050000000");
    ASSERT_STREQ(enforce_state(), "over 10.0.0.1/32");
    /* April: a new cycle, nothing used yet: under; nothing fired in April */
    evaluate(&c, APR_2025 + DAY_MS);
    ASSERT_STREQ(enforce_state(), "under 10.0.0.1/32");
    /* 0.9 GB in April: 80% fires again, for April */
    add_usage(APR_2025 + 2 * DAY_MS, 900000000);
    evaluate(&c, APR_2025 + 3 * DAY_MS);
    ASSERT_STREQ(fired(), "2025-03 80% 2050000000; 2025-03 100% 2050000000; 2025-04 80% 900000000");
}

/* ---- memory ---- */

static int64_t bob_id;

/* A row as a flush stores it (bucket of 300 s), and the delta the alerter gets for it. */
static struct evaluate_delta row(int64_t sub, uint64_t at_ms, uint8_t dir, const char *cls,
                                 uint64_t bytes)
{
    struct usage_row r = {.key = {.bucket_s = (uint32_t)(at_ms / 1000 / 300 * 300),
                                  .subscriber = (uint32_t)sub,
                                  .dir = dir},
                          .counts = {bytes, 1, 1}};
    ASSERT_EQ_INT(addr_parse("10.0.0.2", &r.key.host), 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(s->ops->add_usage(s, &r, cls, "other"), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    return (struct evaluate_delta){r.key.bucket_s, dir, cls, bytes};
}

/* One alert round for bob after a flush that wrote rows d[0..n). */
static void moved(struct evaluate_memory *m, const struct evaluate_config *c,
                  const struct evaluate_delta *d, size_t n, uint64_t at_ms,
                  struct evaluate_counts *cnt)
{
    char err[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(evaluate_round_begin(s, m, err), 0);
    ASSERT_EQ_INT(evaluate_moved(s, c, m, (uint32_t)bob_id, d, n, at_ms, cnt, err), 0);
    if (err[0])
        printf("# %s\n", err);
}

static uint64_t remembered_bytes(struct evaluate_memory *m)
{
    const struct tally_entry *e = evaluate_memory_get(m, (uint32_t)bob_id);
    ASSERT_TRUE(e != NULL);
    return e ? e->exact_bytes + e->own_bytes : 0;
}

static uint64_t stored_bytes(uint64_t at_ms)
{
    struct subscriber sub;
    struct quota_usage u;
    ASSERT_EQ_INT(store_subscriber_get_id(s, bob_id, &sub), 0);
    ASSERT_EQ_INT(quota_usage_compute(s, &sub, at_ms, NULL, &u), 0);
    return u.used_bytes;
}

static const char *bob_fired(void)
{
    static struct fired f;
    f.text[0] = '\0';
    ASSERT_EQ_INT(store_alert_list(s, bob_id, NULL, add_fired, &f), 0);
    return f.text;
}

/* The Split plan (10 GB, download only) and the class "free" that does not count: what a
 * flush adds is counted by hand. */
static void test_memory_totals(void)
{
    struct evaluate_config c = {0};
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(levels_parse("80,100", &c.default_levels, err), 0);
    struct evaluate_memory *m = evaluate_memory_new(100);
    struct evaluate_counts n = {0};
    uint64_t t = MAR_2025 + 10 * DAY_MS;
    /* the first move in March: read from the store, 1 GB in */
    struct evaluate_delta d1[] = {row(bob_id, t, FLOW_DIR_IN, "default", 1000000000)};
    moved(m, &c, d1, 1, t, &n);
    ASSERT_EQ_U64(n.evaluated, 1);
    ASSERT_EQ_U64(n.remembered, 0);
    ASSERT_EQ_U64(remembered_bytes(m), 1000000000);
    /* a flush: 100 MB in (counts), 50 MB out (the plan counts in only), 70 MB in of the
     * free class, 30 MB in of a bucket in February (a late flow: the last cycle's), 20 MB
     * internal; and a second row of 5 MB in: 1,105,000,000 */
    struct evaluate_delta d2[] = {
        row(bob_id, t + 60000, FLOW_DIR_IN, "default", 100000000),
        row(bob_id, t + 60000, FLOW_DIR_OUT, "default", 50000000),
        row(bob_id, t + 60000, FLOW_DIR_IN, "free", 70000000),
        row(bob_id, MAR_2025 - DAY_MS, FLOW_DIR_IN, "default", 30000000),
        row(bob_id, t + 60000, FLOW_DIR_INTERNAL, "default", 20000000),
        row(bob_id, t + 120000, FLOW_DIR_IN, "default", 5000000),
    };
    moved(m, &c, d2, 6, t + 180000, &n);
    ASSERT_EQ_U64(n.evaluated, 1);
    ASSERT_EQ_U64(n.remembered, 1);
    ASSERT_EQ_U64(remembered_bytes(m), 1105000000);
    ASSERT_EQ_U64(stored_bytes(t + 180000), 1105000000);
    /* a new cycle: April is read from the store (nothing there yet) */
    struct evaluate_delta d3[] = {row(bob_id, APR_2025 + DAY_MS, FLOW_DIR_IN, "default", 7)};
    moved(m, &c, d3, 1, APR_2025 + DAY_MS, &n);
    ASSERT_EQ_U64(n.evaluated, 2);
    ASSERT_EQ_U64(remembered_bytes(m), 7);
    const struct tally_entry *e = evaluate_memory_get(m, (uint32_t)bob_id);
    ASSERT_EQ_U64(e ? e->cycle_start_ms : 0, APR_2025);
    /* the memory of a cycle that ended goes at a sweep */
    ASSERT_EQ_U64(evaluate_memory_sweep(m, APR_2025 + 2 * DAY_MS), 1);
    ASSERT_EQ_U64(evaluate_memory_sweep(m, APR_2025 + 40 * DAY_MS), 0);
    evaluate_memory_free(m);
}

/* What the figures depend on changes: the store is read again, once. */
static void test_memory_reseed(void)
{
    struct evaluate_config c = {.is_enforcing = true};
    char err[ERR_BUF_LEN];
    struct levels one;
    ASSERT_EQ_INT(levels_parse("80,100", &c.default_levels, err), 0);
    ASSERT_EQ_INT(levels_parse("100", &one, err), 0);
    c.enforce_level = one.l[0];
    struct evaluate_memory *m = evaluate_memory_new(100);
    struct evaluate_counts n = {0};
    uint64_t t = APR_2025 + 5 * DAY_MS; /* April holds 7 bytes of bob's */
    struct evaluate_delta d[] = {row(bob_id, t, FLOW_DIR_IN, "default", 1000)};
    moved(m, &c, d, 1, t, &n); /* seeded */
    moved(m, &c, d, 1, t + 1000, &n);
    ASSERT_EQ_U64(n.evaluated, 1);
    ASSERT_EQ_U64(n.remembered, 1);
    /* a delta handed twice (a flush the seed read already had) counts twice: memory may
     * be more than the store, never less */
    ASSERT_EQ_U64(remembered_bytes(m), 2007);
    /* a top-up */
    struct topup_row tu = {.subscriber_id = bob_id, .at_ms = t + 2000, .bytes = 1000000000};
    ASSERT_EQ_INT(store_topup_add(s, &tu, err), 0);
    moved(m, &c, d, 1, t + 3000, &n);
    ASSERT_EQ_U64(n.evaluated, 2);
    ASSERT_EQ_U64(remembered_bytes(m), 1007); /* read again: the store holds 1,007 */
    moved(m, &c, d, 1, t + 4000, &n);
    ASSERT_EQ_U64(n.evaluated, 2);
    /* a plan change */
    struct subscriber sub;
    ASSERT_EQ_INT(store_subscriber_get_id(s, bob_id, &sub), 0);
    snprintf(sub.plan, sizeof sub.plan, "Mini");
    sub.plan_from_ms = APR_2025;
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, false, err), 0);
    moved(m, &c, d, 1, t + 5000, &n);
    ASSERT_EQ_U64(n.evaluated, 3);
    const struct tally_entry *e = evaluate_memory_get(m, (uint32_t)bob_id);
    ASSERT_EQ_U64(e ? e->threshold[0] : 0, 1600000000); /* 80% of Mini's 1 GB + 1 GB */
    /* the customer's own levels */
    snprintf(sub.alert_levels, sizeof sub.alert_levels, "50");
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, false, err), 0);
    moved(m, &c, d, 1, t + 6000, &n);
    ASSERT_EQ_U64(n.evaluated, 4);
    e = evaluate_memory_get(m, (uint32_t)bob_id);
    ASSERT_EQ_U64(e ? e->n_levels : 0, 1);
    /* a binding (the hook's addresses) */
    ASSERT_EQ_INT(store_binding_add(s, "bob", "prefix", "10.0.0.2/32", 0, 0, "static", NULL, err),
                  0);
    moved(m, &c, d, 1, t + 7000, &n);
    ASSERT_EQ_U64(n.evaluated, 5);
    moved(m, &c, d, 1, t + 8000, &n);
    ASSERT_EQ_U64(n.evaluated, 5);
    ASSERT_EQ_U64(n.remembered, 3);
    /* the class list: a class now free */
    struct class_row cls[] = {{.name = "default", .counts_toward_quota = false},
                              {.name = "free", .counts_toward_quota = false}};
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_classes_write(s, cls, 2, t + 8500), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    moved(m, &c, d, 1, t + 9000, &n);
    ASSERT_EQ_U64(n.evaluated, 6);
    ASSERT_EQ_U64(remembered_bytes(m), 0);
    cls[0].counts_toward_quota = true;
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_classes_write(s, cls, 2, t + 9500), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    /* back on Split, no own levels, for the next test */
    snprintf(sub.plan, sizeof sub.plan, "Split");
    sub.alert_levels[0] = '\0';
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, false, err), 0);
    evaluate_memory_free(m);
}

/* Near a level the store is read; far from it memory does. Split: 10 GB, 80% = 8 GB. */
static void test_memory_near(void)
{
    struct evaluate_config c = {0};
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(levels_parse("80,100", &c.default_levels, err), 0);
    struct evaluate_memory *m = evaluate_memory_new(100);
    struct evaluate_counts n = {0};
    uint64_t t = MAR_2025 + 20 * DAY_MS; /* March holds 1.105 GB of bob's */
    struct evaluate_delta d0[] = {row(bob_id, t, FLOW_DIR_IN, "default", 3895000000)};
    moved(m, &c, d0, 1, t, &n); /* seeded at 5 GB */
    ASSERT_EQ_U64(n.evaluated, 1);
    ASSERT_EQ_U64(remembered_bytes(m), 5000000000);
    /* 100 MB: 5.1 GB + 3 x 0.1 GB + 0.5 GB (8 GB / 16) = 5.9 GB, short of 8 GB: memory */
    struct evaluate_delta d1[] = {row(bob_id, t, FLOW_DIR_IN, "default", 100000000)};
    moved(m, &c, d1, 1, t + 1000, &n);
    ASSERT_EQ_U64(n.evaluated, 1);
    ASSERT_EQ_U64(n.remembered, 1);
    /* 600 MB more: 5.7 + 3 x 0.7 + 0.5 = 8.3 GB reaches 8 GB: read (5.7 GB: nothing fires) */
    struct evaluate_delta d2[] = {row(bob_id, t, FLOW_DIR_IN, "default", 600000000)};
    moved(m, &c, d2, 1, t + 2000, &n);
    ASSERT_EQ_U64(n.evaluated, 2);
    ASSERT_STREQ(bob_fired(), "");
    const struct tally_entry *e = evaluate_memory_get(m, (uint32_t)bob_id);
    ASSERT_EQ_U64(e ? e->exact_bytes : 1, 5700000000);
    ASSERT_EQ_U64(e ? e->own_bytes : 1, 0);
    /* another collector writes 2.4 GB (8.1 GB: over 80%); this one 10 MB: memory says
     * 5.71 + 0.03 + 0.5 = 6.24 GB, far: not read yet ... */
    row(bob_id, t, FLOW_DIR_IN, "default", 2400000000);
    struct evaluate_delta d3[] = {row(bob_id, t, FLOW_DIR_IN, "default", 10000000)};
    moved(m, &c, d3, 1, t + 3000, &n);
    ASSERT_EQ_U64(n.evaluated, 2);
    ASSERT_STREQ(bob_fired(), "");
    /* ... until the last read is EVALUATE_STALE_MS old: 8.12 GB, 80% fires */
    moved(m, &c, d3, 0, t + 2000 + EVALUATE_STALE_MS, &n);
    ASSERT_EQ_U64(n.evaluated, 3);
    ASSERT_STREQ(bob_fired(), "2025-03 80% 8110000000");
    /* fired: only 100% (10 GB) matters now. 100 MB: 8.21 + 0.3 + 0.625 = 9.135 GB: memory */
    struct evaluate_delta d4[] = {row(bob_id, t, FLOW_DIR_IN, "default", 100000000)};
    moved(m, &c, d4, 1, t + 2000 + EVALUATE_STALE_MS + 1000, &n);
    ASSERT_EQ_U64(n.evaluated, 3);
    ASSERT_EQ_U64(n.remembered, 3);
    /* 1.79 GB more: exactly 10 GB stored; memory is read and 100% fires */
    struct evaluate_delta d5[] = {row(bob_id, t, FLOW_DIR_IN, "default", 1790000000)};
    moved(m, &c, d5, 1, t + 2000 + EVALUATE_STALE_MS + 2000, &n);
    ASSERT_EQ_U64(n.evaluated, 4);
    ASSERT_EQ_U64(n.fired, 2);
    ASSERT_STREQ(bob_fired(), "2025-03 80% 8110000000; 2025-03 100% 10000000000");
    /* both fired: nothing left to reach, memory does whatever comes */
    struct evaluate_delta d6[] = {row(bob_id, t, FLOW_DIR_IN, "default", 500000000)};
    moved(m, &c, d6, 1, t + 2000 + EVALUATE_STALE_MS + 3000, &n);
    ASSERT_EQ_U64(n.evaluated, 4);
    ASSERT_EQ_U64(remembered_bytes(m), 10500000000);
    ASSERT_EQ_U64(stored_bytes(t + 2000 + EVALUATE_STALE_MS + 3000), 10500000000);
    evaluate_memory_free(m);
}

/* The least usage that crosses a level, against levels_is_crossed() on either side. */
static void test_thresholds(void)
{
    static const struct {
        const char *level;
        bool unlimited;
        uint64_t quota, want;
    } cases[] = {
        {"80", false, 1000000000, 800000000},
        {"33", false, 1000, 330},
        {"1", false, 150, 2},
        {"1000", false, 7, 70},
        {"10GB", false, 5, 10000000000},
        {"10GB", true, 0, 10000000000},
        {"80", true, 0, TALLY_NEVER},
        {"80", false, 0, TALLY_NEVER},
    };
    char err[ERR_BUF_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct levels ls;
        ASSERT_EQ_INT(levels_parse(cases[i].level, &ls, err), 0);
        uint64_t got = tally_threshold(&ls.l[0], cases[i].unlimited, cases[i].quota);
        ASSERT_EQ_U64(got, cases[i].want);
        if (got == TALLY_NEVER)
            continue;
        struct quota_usage u = {
            .plan = {.unlimited = cases[i].unlimited, .quota_bytes = cases[i].quota},
            .used_bytes = got};
        ASSERT_TRUE(levels_is_crossed(&ls.l[0], &u));
        u.used_bytes = got - 1;
        ASSERT_TRUE(!levels_is_crossed(&ls.l[0], &u));
    }
}

/* The table: bounded, a dropped entry is gone, it grows past its first size. */
static void test_table(void)
{
    struct tally *t = tally_new(3000);
    for (uint32_t id = 1; id <= 3000; id++) {
        struct tally_entry *e = tally_put(t, id);
        ASSERT_TRUE(e != NULL);
        if (e) {
            e->cycle_end_ms = id <= 1000 ? 10 : 20;
            e->exact_bytes = id;
        }
    }
    ASSERT_TRUE(tally_put(t, 3001) == NULL); /* full */
    ASSERT_TRUE(tally_put(t, 5) != NULL);    /* held already: made again */
    ASSERT_EQ_U64(tally_get(t, 2999)->exact_bytes, 2999);
    tally_drop(t, 2999);
    ASSERT_TRUE(tally_get(t, 2999) == NULL);
    ASSERT_EQ_U64(tally_sweep(t, 10), 1999); /* 1..1000 ended (5 made again: end 0), 2999 */
    ASSERT_TRUE(tally_get(t, 1000) == NULL);
    ASSERT_EQ_U64(tally_get(t, 1001)->exact_bytes, 1001);
    ASSERT_TRUE(tally_put(t, 3001) != NULL);
    tally_clear(t);
    ASSERT_EQ_U64(tally_count(t), 0);
    ASSERT_TRUE(tally_get(t, 1001) == NULL);
    tally_free(t);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    char dir[] = "/tmp/test_evaluate.XXXXXX", db[64], err[ERR_BUF_LEN];
    if (!mkdtemp(dir))
        return 1;
    snprintf(db, sizeof db, "%s/x.db", dir);
    s = store_open(db, false, err);
    ASSERT_TRUE(s != NULL);
    struct plan p = {
        .name = "Mini", .quota_bytes = 1000000000, .quota_dirs = "both", .anchor_day = 1};
    ASSERT_EQ_INT(store_plan_save(s, &p, true, err), 0);
    struct subscriber sub = {.account = "alice", .plan = "Mini", .status = "active"};
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, true, err), 0);
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &sub), 0);
    alice_id = sub.id;
    ASSERT_EQ_INT(store_binding_add(s, "alice", "prefix", "10.0.0.1/32", 0, 0, "static", NULL, err),
                  0);
    struct plan split = {
        .name = "Split", .quota_bytes = 10000000000, .quota_dirs = "in", .anchor_day = 1};
    ASSERT_EQ_INT(store_plan_save(s, &split, true, err), 0);
    struct subscriber bob = {.account = "bob", .plan = "Split", .status = "active"};
    ASSERT_EQ_INT(store_subscriber_save(s, &bob, true, err), 0);
    ASSERT_EQ_INT(store_subscriber_get(s, "bob", &bob), 0);
    bob_id = bob.id;
    struct class_row cls[] = {{.name = "default", .counts_toward_quota = true},
                              {.name = "free", .counts_toward_quota = false}};
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_classes_write(s, cls, 2, 1), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    RUN(test_cycles);
    RUN(test_memory_totals);
    RUN(test_memory_reseed);
    RUN(test_memory_near);
    RUN(test_thresholds);
    RUN(test_table);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
