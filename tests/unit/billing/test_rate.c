// SPDX-License-Identifier: MIT
// The rating rules on hand-made books and usage, without a store: every amount below is
// worked out by hand in the comment next to it (to the cent, with the rounding spelled
// out), never by the code under test. Time zone UTC, so a cycle's dates are plain.
#include "../../../src/billing/money.h"
#include "../../../src/billing/rate.h"
#include "test.h"

#include <stdlib.h>
#include <time.h>

#define GB 1000000000ull
#define MAR_2025 1740787200000ull /* 2025-03-01T00:00:00Z: 20148 days since 1970 */
#define DAY_MS 86400000ull
#define CENT(x) ((int64_t)(x))

static struct plan plan_of(const char *name, uint64_t quota, int64_t price, int64_t overage)
{
    struct plan p = {.quota_bytes = quota,
                     .price_micro = price,
                     .overage_micro_per_gb = overage,
                     .anchor_day = 1,
                     .unlimited = quota == 0};
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.quota_dirs, sizeof p.quota_dirs, "both");
    return p;
}

static struct class_row class_of(const char *name, int64_t price, bool counts)
{
    struct class_row c = {.price_micro_per_gb = price, .counts_toward_quota = counts};
    snprintf(c.name, sizeof c.name, "%s", name);
    return c;
}

/* A book of the given plans and classes (both by name, as the store lists them). */
static void book_of(struct rate_book *b, struct plan *plans, size_t n_plans,
                    const struct class_row *classes, size_t n_classes, int64_t tax)
{
    memset(b, 0, sizeof *b);
    b->plans = plans;
    b->n_plans = n_plans;
    b->classes = malloc((n_classes + 8) * sizeof *b->classes);
    memcpy(b->classes, classes, n_classes * sizeof *classes);
    b->n_classes = n_classes;
    b->cap_classes = n_classes + 8;
    b->unit_bytes = GB;
    snprintf(b->unit, sizeof b->unit, "GB");
    b->tax_rate_micro = tax;
    snprintf(b->currency, sizeof b->currency, "EUR");
}

static struct cycle march(void)
{
    return (struct cycle){MAR_2025, MAR_2025 + 31 * DAY_MS, 2025, 3};
}

static void feed(struct rater *r, uint64_t at_ms, int class_idx, enum flow_dir d, uint64_t bytes)
{
    struct rate_cell c = {class_idx, d, bytes};
    rater_bucket(r, at_ms / 1000, &c, 1);
}

static void test_money(void)
{
    ASSERT_EQ_INT(money_round_cents(4999, 1), 0);       /* 0.004999 */
    ASSERT_EQ_INT(money_round_cents(5000, 1), 1);       /* 0.005: half up */
    ASSERT_EQ_INT(money_round_cents(-5000, 1), -1);     /* a credit mirrors the charge */
    ASSERT_EQ_INT(money_round_cents(14999, 1), 1);      /* 0.014999 */
    ASSERT_EQ_INT(money_tax_cents(4969, 8100000), 402); /* 49.69 * 8.1% = 4.02489 */
    ASSERT_EQ_INT(money_tax_cents(600, 8100000), 49);   /* 6.00 * 8.1% = 0.486 */
    ASSERT_EQ_INT(money_tax_cents(-600, 8100000), -49);
    ASSERT_EQ_INT(money_tax_cents(1000, 5000000), 50); /* 10.00 * 5% */
    char buf[48];
    ASSERT_STREQ(money_decimal(15, 31, 6, buf), "0.483871"); /* 0.4838709... */
    ASSERT_STREQ(money_decimal(1500000001, GB, 9, buf), "1.500000001");
    ASSERT_STREQ(money_decimal(31, 31, 6, buf), "1.000000");
}

/* Basic: 15 GB, 25.00 a month, 2.00 per GB past it. 16.5 GB in the month: 1.5 GB over,
 * 3.00. Lines: plan 25.00, over 3.00; subtotal 28.00, no tax. */
static void test_wisp_basic(void)
{
    struct plan plans[] = {plan_of("Basic", 15 * GB, 25000000, 2000000)};
    struct class_row classes[] = {class_of("default", 0, true)};
    struct rate_book b;
    book_of(&b, plans, 1, classes, 1, 0);
    struct plan_step steps[] = {{1, "Basic", 0}};
    struct rater r;
    struct cycle c = march();
    ASSERT_EQ_INT(rater_init(&r, &b, 1, &c, steps, 1), 0);
    feed(&r, MAR_2025 + 2 * DAY_MS, 0, FLOW_DIR_IN, 10 * GB);
    feed(&r, MAR_2025 + 9 * DAY_MS, 0, FLOW_DIR_OUT, 6 * GB + GB / 2);
    feed(&r, MAR_2025 + 9 * DAY_MS + 300000, 0, FLOW_DIR_INTERNAL, 50 * GB); /* never */
    struct rating g;
    rater_finish(&r, &g);
    ASSERT_EQ_INT(g.n_lines, 2);
    ASSERT_STREQ(g.lines[0].kind, "plan");
    ASSERT_EQ_INT(g.lines[0].amount_cents, 2500);
    ASSERT_STREQ(g.lines[0].quantity, "1.000000");
    ASSERT_STREQ(g.lines[1].kind, "usage");
    ASSERT_EQ_U64(g.lines[1].bytes, 1500000000ull);
    ASSERT_STREQ(g.lines[1].quantity, "1.500000000");
    ASSERT_EQ_INT(g.lines[1].amount_cents, 300);
    ASSERT_EQ_INT(g.subtotal_cents, 2800);
    ASSERT_EQ_INT(g.total_cents, 2800);
    ASSERT_EQ_U64(g.used_bytes, 16500000000ull);
    ASSERT_EQ_U64(g.quota_bytes, 15 * GB);
    ASSERT_STREQ(g.plan, "Basic");
    ASSERT_EQ_INT(g.n_usage, 1);
    ASSERT_EQ_U64(g.usage[0].bytes, 16500000000ull);
    ASSERT_STREQ(g.usage[0].cycle, "2025-03");
    rating_deinit(&g);
    rater_deinit(&r);
    free(b.classes);
}

/* Basic (25.00, 15 GB, 2.00/GB over) until 2025-03-16, Pro (35.00, 20 GB, 1.50/GB) after:
 * Basic held 15 of 31 days, Pro 16.
 *   Basic: 25 * 15/31 = 12.0967.. -> 12.10; quota 15e9 * 15/31 = 7258064516.1 -> 7258064516
 *   Pro:   35 * 16/31 = 18.0645.. -> 18.06; quota 20e9 * 16/31 = 10322580645.2 -> 10322580645
 *   pool 17580645161. 10 GB on 03-05 fit (7580645161 left); 9 GB on 03-20: 7580645161 fit,
 *   1419354839 over at Pro's 1.50: 2.1290322585 -> 2.13. Subtotal 32.29; a top-up of 5 GB
 *   on 03-25 for 3.00 raises the pool by 5e9, so nothing is over: subtotal 12.10 + 18.06 +
 *   3.00 = 33.16. */
static void test_wisp_change_and_topup(void)
{
    struct plan plans[] = {plan_of("Basic", 15 * GB, 25000000, 2000000),
                           plan_of("Pro", 20 * GB, 35000000, 1500000)};
    struct class_row classes[] = {class_of("default", 0, true)};
    struct rate_book b;
    book_of(&b, plans, 2, classes, 1, 0);
    struct plan_step steps[] = {{7, "Basic", 0}, {7, "Pro", MAR_2025 + 15 * DAY_MS}};
    for (int topup = 0; topup < 2; topup++) {
        struct rater r;
        struct cycle c = march();
        ASSERT_EQ_INT(rater_init(&r, &b, 7, &c, steps, 2), 0);
        if (topup) {
            struct topup_row t = {.subscriber_id = 7,
                                  .at_ms = MAR_2025 + 24 * DAY_MS,
                                  .bytes = 5 * GB,
                                  .price_micro = 3000000};
            rater_topup(&r, &t);
        }
        feed(&r, MAR_2025 + 4 * DAY_MS, 0, FLOW_DIR_IN, 10 * GB);
        feed(&r, MAR_2025 + 19 * DAY_MS, 0, FLOW_DIR_IN, 9 * GB);
        struct rating g;
        rater_finish(&r, &g);
        ASSERT_EQ_INT(g.lines[0].amount_cents, 1210);
        ASSERT_STREQ(g.lines[0].quantity, "0.483871");
        ASSERT_STREQ(g.lines[0].text, "Plan Basic, 2025-03-01 to 2025-03-15");
        ASSERT_EQ_INT(g.lines[1].amount_cents, 1806);
        ASSERT_STREQ(g.lines[1].text, "Plan Pro, 2025-03-16 to 2025-03-31");
        if (!topup) {
            ASSERT_EQ_U64(g.quota_bytes, 17580645161ull);
            ASSERT_EQ_INT(g.n_lines, 3);
            ASSERT_EQ_U64(g.lines[2].bytes, 1419354839ull);
            ASSERT_EQ_INT(g.lines[2].unit_price_micro, 1500000);
            ASSERT_EQ_INT(g.lines[2].amount_cents, 213);
            ASSERT_EQ_INT(g.subtotal_cents, 3229);
        } else {
            ASSERT_EQ_U64(g.quota_bytes, 22580645161ull);
            ASSERT_EQ_INT(g.n_lines, 3);
            ASSERT_STREQ(g.lines[2].kind, "topup");
            ASSERT_EQ_INT(g.lines[2].amount_cents, 300);
            ASSERT_EQ_INT(g.subtotal_cents, 3316);
        }
        ASSERT_STREQ(g.plan, "Pro");
        rating_deinit(&g);
        rater_deinit(&r);
    }
    free(b.classes);
}

/* The college: Student plan 0.00 a month, 5 GB quota, 1.00/GB over; classes (by name)
 * international 3.00/GB counting, national 0.50/GB counting, regional 0.00 not counting.
 * 03-02: national 3 GB + international 3 GB in one bucket: national first (cheaper): 3 GB
 * of quota (2 left), international 2 GB fit, 1 GB over at 3.00. 03-03: international 1 GB,
 * over at 3.00. Regional 10 GB: zero-rated. Lines: plan 0.00; usage international 2 GB
 * 6.00; usage regional 10 GB 0.00. Subtotal 6.00; tax 8.1% = 0.486 -> 0.49; total 6.49.
 * The same bucket with the classes' prices swapped around would bill national instead:
 * the order is by price, not by name. */
static void test_college(void)
{
    struct plan plans[] = {plan_of("Student", 5 * GB, 0, 1000000)};
    struct class_row classes[] = {class_of("international", 3000000, true),
                                  class_of("national", 500000, true),
                                  class_of("regional", 0, false)};
    struct rate_book b;
    book_of(&b, plans, 1, classes, 3, 8100000);
    struct plan_step steps[] = {{3, "Student", 0}};
    struct rater r;
    struct cycle c = march();
    ASSERT_EQ_INT(rater_init(&r, &b, 3, &c, steps, 1), 0);
    struct rate_cell bucket[] = {{0, FLOW_DIR_IN, 2 * GB},
                                 {1, FLOW_DIR_IN, 3 * GB},
                                 {0, FLOW_DIR_OUT, 1 * GB},
                                 {2, FLOW_DIR_IN, 4 * GB}};
    rater_bucket(&r, (MAR_2025 + DAY_MS) / 1000, bucket, 4);
    feed(&r, MAR_2025 + 2 * DAY_MS, 0, FLOW_DIR_IN, 1 * GB);
    feed(&r, MAR_2025 + 3 * DAY_MS, 2, FLOW_DIR_OUT, 6 * GB);
    struct rating g;
    rater_finish(&r, &g);
    ASSERT_EQ_INT(g.n_lines, 3);
    ASSERT_EQ_INT(g.lines[0].amount_cents, 0);
    ASSERT_STREQ(g.lines[1].class_name, "international");
    ASSERT_EQ_U64(g.lines[1].bytes, 2 * GB);
    ASSERT_EQ_INT(g.lines[1].amount_cents, 600);
    ASSERT_STREQ(g.lines[1].text, "Traffic over quota: international");
    ASSERT_STREQ(g.lines[2].class_name, "regional");
    ASSERT_EQ_U64(g.lines[2].bytes, 10 * GB);
    ASSERT_EQ_INT(g.lines[2].amount_cents, 0);
    ASSERT_EQ_INT(g.subtotal_cents, 600);
    ASSERT_EQ_INT(g.tax_cents, 49);
    ASSERT_EQ_INT(g.total_cents, 649);
    ASSERT_EQ_U64(g.used_bytes, 7 * GB); /* regional does not count */
    ASSERT_EQ_INT(g.n_usage, 3);         /* international 4, national 3, regional 10 */
    ASSERT_EQ_U64(g.usage[0].bytes, 4 * GB);
    ASSERT_EQ_U64(g.usage[1].bytes, 3 * GB);
    ASSERT_EQ_U64(g.usage[2].bytes, 10 * GB);
    /* Late: 2 GB more national after the invoice, no quota left: 2 * 0.50 = 1.00 */
    struct rate_late_class late[] = {{1, 2 * GB}};
    struct rating adj = {0};
    rate_late(&b, &plans[0], "2025-03", 0, false, late, 1, &adj);
    ASSERT_EQ_INT(adj.n_lines, 1);
    ASSERT_EQ_INT(adj.lines[0].amount_cents, 100);
    ASSERT_STREQ(adj.lines[0].cycle, "2025-03");
    ASSERT_STREQ(adj.lines[0].text, "Late for 2025-03: Traffic over quota: national");
    /* with 1.5 GB of quota still left, only 0.5 GB is charged: 0.25 */
    rating_deinit(&adj);
    rate_late(&b, &plans[0], "2025-03", 1500000000ull, false, late, 1, &adj);
    ASSERT_EQ_INT(adj.lines[0].amount_cents, 25);
    rating_deinit(&adj);
    rating_deinit(&g);
    rater_deinit(&r);
    free(b.classes);
}

/* Burstable: 500.00 a month, commit 100 Mbps, 2.50 per Mbps, the greater direction. A
 * one-day cycle: 288 five-minute samples; the top floor(288 * 5%) = 14 dropped, the 15th
 * highest is the 95th percentile. In: slots 0..19 hold 9.0, 8.9, ... 7.1 GB, the rest 1 GB:
 * the 15th highest is slot 14, 7.6 GB = 7.6e9 * 8 / 300 = 202.666667 Mbps. Out: 1 GB
 * everywhere, 26.67 Mbps. Excess 102.666667 Mbps * 2.50 = 256.666667 -> 256.67. */
static void test_burstable(void)
{
    struct plan plans[] = {plan_of("Transit", 0, 500000000, 0)};
    plans[0].burstable = true;
    plans[0].commit_bps = 100000000;
    plans[0].price_micro_per_mbps = 2500000;
    snprintf(plans[0].burst_dirs, sizeof plans[0].burst_dirs, "max");
    struct class_row classes[] = {class_of("default", 0, true)};
    struct rate_book b;
    book_of(&b, plans, 1, classes, 1, 0);
    struct plan_step steps[] = {{9, "Transit", 0}};
    struct cycle c = {MAR_2025, MAR_2025 + DAY_MS, 2025, 3};
    struct rater r;
    ASSERT_EQ_INT(rater_init(&r, &b, 9, &c, steps, 1), 0);
    for (uint64_t i = 0; i < 288; i++) {
        uint64_t in = i < 20 ? 9 * GB - i * (GB / 10) : GB;
        struct rate_cell cells[] = {{0, FLOW_DIR_IN, in}, {0, FLOW_DIR_OUT, GB}};
        rater_bucket(&r, MAR_2025 / 1000 + i * 300, cells, 2);
    }
    struct rating g;
    rater_finish(&r, &g);
    ASSERT_EQ_INT(g.n_lines, 2);
    ASSERT_EQ_INT(g.lines[0].amount_cents, 50000);
    ASSERT_STREQ(g.lines[1].kind, "burst");
    ASSERT_STREQ(g.lines[1].quantity, "102.666667");
    ASSERT_EQ_INT(g.lines[1].amount_cents, 25667);
    ASSERT_STREQ(g.lines[1].text,
                 "95th percentile 202.666667 Mbps in at 2025-03-01 01:10; commit 100.000000 Mbps");
    ASSERT_EQ_INT(g.subtotal_cents, 75667);
    rating_deinit(&g);
    rater_deinit(&r);
    free(b.classes);
}

/* A cycle without any plan held rates nothing. */
static void test_no_plan(void)
{
    struct class_row classes[] = {class_of("default", 0, true)};
    struct rate_book b;
    book_of(&b, NULL, 0, classes, 1, 0);
    struct plan_step steps[] = {{2, "", 0}};
    struct rater r;
    struct cycle c = march();
    ASSERT_EQ_INT(rater_init(&r, &b, 2, &c, steps, 1), 1);
    rater_deinit(&r);
    free(b.classes);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    RUN(test_money);
    RUN(test_wisp_basic);
    RUN(test_wisp_change_and_topup);
    RUN(test_college);
    RUN(test_burstable);
    RUN(test_no_plan);
    return test_done();
}
