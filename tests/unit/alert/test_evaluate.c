// SPDX-License-Identifier: MIT
// The evaluator on a real SQLite store, at chosen moments: a 1 GB plan, usage stored as a
// flush stores it; levels fire once per cycle whatever is evaluated again, a new cycle
// starts with nothing fired (80% fires again in April), a top-up re-arms, and the state the
// hook must make true follows: over in March, under when April begins.
#include "../../../src/alert/evaluate.h"
#include "../../../src/base/addr.h"
#include "../../../src/base/err.h"
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
    RUN(test_cycles);
    store_close(s);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return test_done();
}
