// SPDX-License-Identifier: MIT
// Tests of the administrative rules above the store (admin.c): plans (anchor days 1..31,
// burstable plans and their directions, rates and prices, the 5-minute bucket they need),
// a subscriber's --plan-from, and top-ups. They run on a memory-backed fake store that
// implements the few operations admin.c calls, so they check the rules, not an engine.
#include "../../../src/admin/admin.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the fake store ---- */

#define FAKE_MAX 8

struct fake {
    struct store base; /* first: admin.c sees a struct store */
    struct plan plans[FAKE_MAX];
    size_t n_plans;
    struct subscriber subs[FAKE_MAX];
    size_t n_subs;
    struct topup_row topups[FAKE_MAX];
    size_t n_topups;
    bool has_bucket;
    int64_t bucket;
};

static struct fake *fake_of(struct store *s)
{
    return (struct fake *)s;
}

static struct plan *find_plan(struct fake *f, const char *name)
{
    for (size_t i = 0; i < f->n_plans; i++)
        if (strcmp(f->plans[i].name, name) == 0)
            return &f->plans[i];
    return NULL;
}

static struct subscriber *find_sub(struct fake *f, const char *account)
{
    for (size_t i = 0; i < f->n_subs; i++)
        if (strcmp(f->subs[i].account, account) == 0)
            return &f->subs[i];
    return NULL;
}

static int fake_plan_save(struct store *s, const struct plan *p, bool insert, char *errbuf)
{
    struct fake *f = fake_of(s);
    struct plan *old = find_plan(f, p->name);
    if (insert && (old || f->n_plans == FAKE_MAX)) {
        snprintf(errbuf, ERR_BUF_LEN, "plan '%s' exists", p->name);
        return ERR_EXISTS;
    }
    if (!insert && !old) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s'", p->name);
        return ERR_NOT_FOUND;
    }
    *(insert ? &f->plans[f->n_plans++] : old) = *p;
    return 0;
}

static int fake_plan_get(struct store *s, const char *name, struct plan *out)
{
    struct plan *p = find_plan(fake_of(s), name);
    if (!p)
        return ERR_NOT_FOUND;
    *out = *p;
    return 0;
}

static int fake_subscriber_save(struct store *s, const struct subscriber *sub, bool insert,
                                char *errbuf)
{
    struct fake *f = fake_of(s);
    struct subscriber *old = find_sub(f, sub->account);
    if (sub->plan[0] && !find_plan(f, sub->plan)) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s'", sub->plan);
        return ERR_NOT_FOUND;
    }
    if (insert && (old || f->n_subs == FAKE_MAX))
        return ERR_EXISTS;
    if (!insert && !old)
        return ERR_NOT_FOUND;
    struct subscriber *to = insert ? &f->subs[f->n_subs++] : old;
    *to = *sub;
    if (insert)
        to->id = (int64_t)f->n_subs; /* 1, 2, ... as an engine gives them */
    return 0;
}

static int fake_subscriber_get(struct store *s, const char *account, struct subscriber *out)
{
    struct subscriber *sub = find_sub(fake_of(s), account);
    if (!sub)
        return ERR_NOT_FOUND;
    *out = *sub;
    return 0;
}

static int fake_topup_add(struct store *s, const struct topup_row *t, char *errbuf)
{
    struct fake *f = fake_of(s);
    if (f->n_topups == FAKE_MAX) {
        snprintf(errbuf, ERR_BUF_LEN, "full");
        return ERR_STORE;
    }
    f->topups[f->n_topups] = *t;
    f->topups[f->n_topups].id = (int64_t)f->n_topups + 1;
    f->n_topups++;
    return 0;
}

static int fake_meta_get(struct store *s, const char *key, int64_t *value)
{
    struct fake *f = fake_of(s);
    if (strcmp(key, "bucket_seconds") != 0 || !f->has_bucket)
        return ERR_NOT_FOUND;
    *value = f->bucket;
    return 0;
}

static int fake_meta_set(struct store *s, const char *key, int64_t value)
{
    struct fake *f = fake_of(s);
    if (strcmp(key, "bucket_seconds") != 0)
        return ERR_STORE;
    f->has_bucket = true;
    f->bucket = value;
    return 0;
}

static const char *fake_last_error(struct store *s)
{
    (void)s;
    return "";
}

static const struct store_ops fake_ops = {
    .engine = "fake",
    .last_error = fake_last_error,
    .plan_save = fake_plan_save,
    .plan_get = fake_plan_get,
    .subscriber_save = fake_subscriber_save,
    .subscriber_get = fake_subscriber_get,
    .topup_add = fake_topup_add,
    .meta_get = fake_meta_get,
    .meta_set = fake_meta_set,
};

static void fake_init(struct fake *f)
{
    memset(f, 0, sizeof *f);
    f->base.ops = &fake_ops;
}

/* Checks that a save was refused with rc and exactly the message want. */
#define ASSERT_REFUSED(call, rc_want, want)                                                        \
    do {                                                                                           \
        errbuf[0] = '\0';                                                                          \
        ASSERT_EQ_INT(call, rc_want);                                                              \
        ASSERT_STREQ(errbuf, want);                                                                \
    } while (0)

/* ---- plans ---- */

static void test_anchor_days(void)
{
    struct fake f;
    char errbuf[ERR_BUF_LEN];
    struct plan p;
    fake_init(&f);
    static const char *const ok[] = {"1", "28", "29", "30", "31"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        struct plan_fields pf = {.anchor = ok[i]};
        char name[16];
        snprintf(name, sizeof name, "a%s", ok[i]);
        ASSERT_EQ_INT(admin_plan_save(&f.base, name, &pf, true, errbuf), 0);
        ASSERT_EQ_INT(fake_plan_get(&f.base, name, &p), 0);
        ASSERT_EQ_INT(p.anchor_day, atoi(ok[i]));
    }
    static const char *const bad[] = {"0", "32", "-1", "", "1st", "15.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct plan_fields pf = {.anchor = bad[i]};
        char want[ERR_BUF_LEN];
        snprintf(want, sizeof want,
                 "--anchor '%s': expected a day of the month from 1 to 31 (a month without that "
                 "day starts the cycle on its last day)",
                 bad[i]);
        ASSERT_REFUSED(admin_plan_save(&f.base, "bad", &pf, true, errbuf), ERR_MALFORMED, want);
    }
    ASSERT_EQ_U64(f.n_plans, 5);
}

static void test_burstable(void)
{
    struct fake f;
    char errbuf[ERR_BUF_LEN];
    struct plan p;
    fake_init(&f);
    /* 100 Mbps committed, 2.50 per Mbps above it, the greater of in and out by default */
    struct plan_fields pf = {
        .burstable = "", .commit = "100Mbps", .price_per_mbps = "2.50", .price = "500"};
    ASSERT_EQ_INT(admin_plan_save(&f.base, "transit", &pf, true, errbuf), 0);
    ASSERT_EQ_INT(fake_plan_get(&f.base, "transit", &p), 0);
    ASSERT_TRUE(p.burstable);
    ASSERT_EQ_U64(p.commit_bps, 100000000ULL);
    ASSERT_EQ_INT(p.price_micro_per_mbps, 2500000);
    ASSERT_EQ_INT(p.price_micro, 500000000);
    ASSERT_STREQ(p.burst_dirs, "max");
    ASSERT_STREQ(p.quota_dirs, "both");
    ASSERT_TRUE(p.unlimited);
    /* set on a burstable plan: --dirs names the percentile's direction, and the quota's */
    struct plan_fields out = {.dirs = "out", .commit = "1.5Gbps"};
    ASSERT_EQ_INT(admin_plan_save(&f.base, "transit", &out, false, errbuf), 0);
    ASSERT_EQ_INT(fake_plan_get(&f.base, "transit", &p), 0);
    ASSERT_STREQ(p.burst_dirs, "out");
    ASSERT_STREQ(p.quota_dirs, "out");
    ASSERT_EQ_U64(p.commit_bps, 1500000000ULL);
    ASSERT_EQ_INT(p.price_micro_per_mbps, 2500000); /* kept */
    struct plan_fields max = {.dirs = "max"};
    ASSERT_EQ_INT(admin_plan_save(&f.base, "transit", &max, false, errbuf), 0);
    ASSERT_EQ_INT(fake_plan_get(&f.base, "transit", &p), 0);
    ASSERT_STREQ(p.burst_dirs, "max");
    ASSERT_STREQ(p.quota_dirs, "both");
    struct plan_fields in = {
        .burstable = "", .commit = "0Mbps", .price_per_mbps = "1", .dirs = "in"};
    ASSERT_EQ_INT(admin_plan_save(&f.base, "inbound", &in, true, errbuf), 0);
    ASSERT_EQ_INT(fake_plan_get(&f.base, "inbound", &p), 0);
    ASSERT_STREQ(p.burst_dirs, "in");
    ASSERT_STREQ(p.quota_dirs, "in");
    ASSERT_EQ_U64(p.commit_bps, 0);
    /* a plain plan keeps its quota directions and no burst fields */
    struct plan_fields plain = {.quota = "15GB", .dirs = "both"};
    ASSERT_EQ_INT(admin_plan_save(&f.base, "basic", &plain, true, errbuf), 0);
    ASSERT_EQ_INT(fake_plan_get(&f.base, "basic", &p), 0);
    ASSERT_TRUE(!p.burstable);
    ASSERT_STREQ(p.burst_dirs, "");
    ASSERT_STREQ(p.quota_dirs, "both");
}

static void test_burstable_refused(void)
{
    struct fake f;
    char errbuf[ERR_BUF_LEN];
    fake_init(&f);
    struct plan_fields no_commit = {.burstable = "", .price_per_mbps = "2.50"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &no_commit, true, errbuf), ERR_MALFORMED,
                   "--burstable: give --commit RATE (the rate the monthly price includes, e.g. "
                   "100Mbps) and --price-per-mbps MONEY (what each Mbps of the 95th percentile "
                   "above it costs) too");
    struct plan_fields no_price = {.burstable = "", .commit = "100Mbps"};
    ASSERT_EQ_INT(admin_plan_save(&f.base, "b", &no_price, true, errbuf), ERR_MALFORMED);
    struct plan_fields plain_max = {.dirs = "max"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &plain_max, true, errbuf), ERR_MALFORMED,
                   "--dirs 'max': expected in, out or both (what counts toward the quota); max, "
                   "the greater of in and out, is for burstable plans: give --burstable");
    struct plan_fields burst_both = {
        .burstable = "", .commit = "1Mbps", .price_per_mbps = "1", .dirs = "both"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &burst_both, true, errbuf), ERR_MALFORMED,
                   "--dirs 'both': expected in, out or max (whose 95th percentile a burstable "
                   "plan bills; max: the greater of the two)");
    struct plan_fields commit_only = {.commit = "100Mbps"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &commit_only, true, errbuf), ERR_MALFORMED,
                   "--commit: only for a burstable plan (give --burstable)");
    struct plan_fields per_mbps_only = {.price_per_mbps = "2"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &per_mbps_only, true, errbuf), ERR_MALFORMED,
                   "--price-per-mbps: only for a burstable plan (give --burstable)");
    struct plan_fields bad_rate = {.burstable = "", .commit = "100MB", .price_per_mbps = "1"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &bad_rate, true, errbuf), ERR_MALFORMED,
                   "--commit '100MB': expected a rate such as 100Mbps, 1.5Gbps or 512kbps (bps, "
                   "kbps, Mbps, Gbps: powers of 1000, whole bits per second)");
    struct plan_fields huge = {.burstable = "", .commit = "9223372037Gbps", .price_per_mbps = "1"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &huge, true, errbuf), ERR_MALFORMED,
                   "--commit '9223372037Gbps': expected at most 9223372036854775807 bps (the "
                   "most the store can hold)");
    struct plan_fields bad_price = {.burstable = "", .commit = "1Mbps", .price_per_mbps = "-1"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &bad_price, true, errbuf), ERR_MALFORMED,
                   "--price-per-mbps '-1': expected an amount from 0 to 9223372036854.775807");
    ASSERT_EQ_U64(f.n_plans, 0);
}

/* A burstable plan on a store whose collector writes other buckets than 5 minutes. */
static void test_burstable_bucket(void)
{
    struct fake f;
    char errbuf[ERR_BUF_LEN];
    fake_init(&f);
    struct plan_fields pf = {.burstable = "", .commit = "10Mbps", .price_per_mbps = "3"};
    ASSERT_EQ_INT(fake_meta_set(&f.base, "bucket_seconds", 3600), 0);
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &pf, true, errbuf), ERR_MALFORMED,
                   "burstable plans need 5-minute samples: this store's bucket is 3600 s "
                   "(bucket = 300 in the configuration)");
    ASSERT_EQ_U64(f.n_plans, 0);
    /* an ordinary plan is fine on any bucket */
    struct plan_fields plain = {.quota = "1GB"};
    ASSERT_EQ_INT(admin_plan_save(&f.base, "plain", &plain, true, errbuf), 0);
    /* 300 s: made; no bucket recorded yet: made too */
    ASSERT_EQ_INT(fake_meta_set(&f.base, "bucket_seconds", 300), 0);
    ASSERT_EQ_INT(admin_plan_save(&f.base, "b", &pf, true, errbuf), 0);
    f.has_bucket = false;
    ASSERT_EQ_INT(admin_plan_save(&f.base, "c", &pf, true, errbuf), 0);
    /* and a burstable plan is not changed on a store that moved to 600 s */
    ASSERT_EQ_INT(fake_meta_set(&f.base, "bucket_seconds", 600), 0);
    struct plan_fields price = {.price = "20"};
    ASSERT_REFUSED(admin_plan_save(&f.base, "b", &price, false, errbuf), ERR_MALFORMED,
                   "burstable plans need 5-minute samples: this store's bucket is 600 s "
                   "(bucket = 300 in the configuration)");
    ASSERT_EQ_INT(admin_plan_save(&f.base, "plain", &price, false, errbuf), 0);
}

/* ---- subscribers: when the plan took effect ---- */

#define NOW 1740787200000ULL /* 2025-03-01T00:00:00Z */

static void test_plan_from(void)
{
    struct fake f;
    char errbuf[ERR_BUF_LEN];
    struct subscriber sub;
    fake_init(&f);
    struct plan_fields pf = {.quota = "15GB"};
    ASSERT_EQ_INT(admin_plan_save(&f.base, "basic", &pf, true, errbuf), 0);
    ASSERT_EQ_INT(admin_plan_save(&f.base, "pro", &pf, true, errbuf), 0);
    /* add: from the beginning, unless --plan-from says */
    struct subscriber_fields a = {.plan = "basic", .now_ms = NOW};
    ASSERT_EQ_INT(admin_subscriber_save(&f.base, "alice", &a, true, errbuf), 0);
    ASSERT_EQ_INT(fake_subscriber_get(&f.base, "alice", &sub), 0);
    ASSERT_EQ_U64(sub.plan_from_ms, 0);
    struct subscriber_fields b = {
        .plan = "basic", .has_plan_from = true, .plan_from_ms = NOW - 86400000, .now_ms = NOW};
    ASSERT_EQ_INT(admin_subscriber_save(&f.base, "bob", &b, true, errbuf), 0);
    ASSERT_EQ_INT(fake_subscriber_get(&f.base, "bob", &sub), 0);
    ASSERT_EQ_U64(sub.plan_from_ms, NOW - 86400000);
    /* set that changes the plan: now, unless --plan-from says; exactly now is not future */
    struct subscriber_fields to_pro = {.plan = "pro", .now_ms = NOW};
    ASSERT_EQ_INT(admin_subscriber_save(&f.base, "alice", &to_pro, false, errbuf), 0);
    ASSERT_EQ_INT(fake_subscriber_get(&f.base, "alice", &sub), 0);
    ASSERT_STREQ(sub.plan, "pro");
    ASSERT_EQ_U64(sub.plan_from_ms, NOW);
    struct subscriber_fields back = {
        .plan = "basic", .has_plan_from = true, .plan_from_ms = NOW, .now_ms = NOW};
    ASSERT_EQ_INT(admin_subscriber_save(&f.base, "alice", &back, false, errbuf), 0);
    ASSERT_EQ_INT(fake_subscriber_get(&f.base, "alice", &sub), 0);
    ASSERT_EQ_U64(sub.plan_from_ms, NOW);
    /* refused: in the future, without --plan, or with the plan held already */
    struct subscriber_fields future = {
        .plan = "pro", .has_plan_from = true, .plan_from_ms = NOW + 1000, .now_ms = NOW};
    ASSERT_REFUSED(admin_subscriber_save(&f.base, "alice", &future, false, errbuf), ERR_MALFORMED,
                   "--plan-from 2025-03-01T00:00:01Z: expected a time not in the future (now: "
                   "2025-03-01T00:00:00Z)");
    struct subscriber_fields no_plan = {.has_plan_from = true, .plan_from_ms = 0, .now_ms = NOW};
    ASSERT_REFUSED(admin_subscriber_save(&f.base, "alice", &no_plan, false, errbuf), ERR_MALFORMED,
                   "--plan-from: give --plan too (--plan-from says when that plan took effect)");
    struct subscriber_fields same = {
        .plan = "basic", .has_plan_from = true, .plan_from_ms = 1000, .now_ms = NOW};
    ASSERT_REFUSED(admin_subscriber_save(&f.base, "alice", &same, false, errbuf), ERR_MALFORMED,
                   "--plan-from: alice holds plan 'basic' already; --plan-from dates a change of "
                   "plan");
    ASSERT_EQ_INT(fake_subscriber_get(&f.base, "alice", &sub), 0);
    ASSERT_STREQ(sub.plan, "basic");
}

/* ---- top-ups ---- */

static void test_topups(void)
{
    struct fake f;
    char errbuf[ERR_BUF_LEN];
    fake_init(&f);
    struct subscriber_fields a = {.now_ms = NOW};
    ASSERT_EQ_INT(admin_subscriber_save(&f.base, "alice", &a, true, errbuf), 0);
    ASSERT_EQ_INT(admin_topup_add(&f.base, "alice", "5GB", "3.00", NOW, errbuf), 0);
    ASSERT_EQ_INT(admin_topup_add(&f.base, "alice", "512 MiB", NULL, NOW + 1, errbuf), 0);
    ASSERT_EQ_U64(f.n_topups, 2);
    ASSERT_EQ_INT(f.topups[0].subscriber_id, 1);
    ASSERT_EQ_U64(f.topups[0].bytes, 5000000000ULL);
    ASSERT_EQ_INT(f.topups[0].price_micro, 3000000);
    ASSERT_EQ_U64(f.topups[0].at_ms, NOW);
    ASSERT_EQ_U64(f.topups[1].bytes, 536870912ULL);
    ASSERT_EQ_INT(f.topups[1].price_micro, 0);
    ASSERT_REFUSED(admin_topup_add(&f.base, "alice", "0GB", NULL, NOW, errbuf), ERR_MALFORMED,
                   "SIZE '0GB': expected a size above 0 such as 5GB or 500MiB");
    ASSERT_REFUSED(admin_topup_add(&f.base, "alice", "5 gigs", NULL, NOW, errbuf), ERR_MALFORMED,
                   "SIZE '5 gigs': expected a size above 0 such as 5GB or 500MiB");
    ASSERT_REFUSED(admin_topup_add(&f.base, "alice", "10EiB", NULL, NOW, errbuf), ERR_MALFORMED,
                   "SIZE '10EiB': expected at most 9223372036854775807 bytes (9.2 EB, the most "
                   "the store can hold)");
    ASSERT_REFUSED(admin_topup_add(&f.base, "alice", "5GB", "3,00", NOW, errbuf), ERR_MALFORMED,
                   "--price '3,00': expected an amount with up to 6 decimals, such as 25.00 or "
                   "2.50");
    ASSERT_REFUSED(admin_topup_add(&f.base, "nobody", "5GB", NULL, NOW, errbuf), ERR_NOT_FOUND,
                   "no subscriber 'nobody' (see flowtally subscriber list)");
    ASSERT_EQ_U64(f.n_topups, 2);
}

int main(void)
{
    RUN(test_anchor_days);
    RUN(test_burstable);
    RUN(test_burstable_refused);
    RUN(test_burstable_bucket);
    RUN(test_plan_from);
    RUN(test_topups);
    return test_done();
}
