// SPDX-License-Identifier: MIT
// The store's conformance suite, part five: what billing keeps and reads. Plans' billing
// fields, plan histories, top-ups, issued documents (numbers, lines, settled usage, and that
// nothing changes them once issued), the stored usage rows in key order (scan_usage), and
// meta's named numbers.
// conformance.h says how every case gets a store of its own on every engine.
#include "conformance.h"

#include <errno.h>
#include <pthread.h>

/* ---- rows as text ---- */

static void plan_full_line(void *ctx, const struct plan *p)
{
    char quota[32] = "unlimited";
    if (!p->unlimited)
        snprintf(quota, sizeof quota, "%llu", (unsigned long long)p->quota_bytes);
    lines_add(ctx, "%s|%s|%s|%lld|anchor %d|burst %d %llu %lld [%s]", p->name, quota, p->quota_dirs,
              (long long)p->price_micro, p->anchor_day, p->burstable,
              (unsigned long long)p->commit_bps, (long long)p->price_micro_per_mbps, p->burst_dirs);
}

static void step_line(void *ctx, const struct plan_step *p)
{
    char b[80];
    lines_add(ctx, "%s [%s] from %llu", label(p->subscriber_id, b, sizeof b), p->plan,
              (unsigned long long)p->start_ms);
}

/* Top-ups, with their ids kept to compare (each engine gives its own). */
static struct {
    int64_t id[16];
    size_t n;
} topup_ids;

static void topup_line(void *ctx, const struct topup_row *t)
{
    char b[80];
    if (topup_ids.n < N(topup_ids.id))
        topup_ids.id[topup_ids.n++] = t->id;
    lines_add(ctx, "%s at %llu: %llu bytes for %lld", label(t->subscriber_id, b, sizeof b),
              (unsigned long long)t->at_ms, (unsigned long long)t->bytes,
              (long long)t->price_micro);
}

/* Issued documents by id, shown as "kind number": an engine may give other ids (a
 * PostgreSQL identity is not rolled back, a SQLite AUTOINCREMENT is). */
static struct {
    int64_t id;
    char name[32];
} docs[16];
static size_t n_docs;

static const char *doc_name(int64_t id)
{
    for (size_t i = 0; i < n_docs; i++)
        if (docs[i].id == id)
            return docs[i].name;
    return id ? "?" : "-";
}

static void invoice_text(void *ctx, const struct invoice_row *inv)
{
    char b[80];
    lines_add(ctx,
              "%s %lld (%s) %s %s|%s|%s|%s %llu-%llu|%llu/%llu%s|%lld+%lld=%lld at %lld|%s %s|"
              "%llu",
              inv->kind, (long long)inv->number, doc_name(inv->refers_to),
              label(inv->subscriber_id, b, sizeof b), inv->account, inv->name, inv->plan,
              inv->cycle, (unsigned long long)inv->cycle_start_ms,
              (unsigned long long)inv->cycle_end_ms, (unsigned long long)inv->used_bytes,
              (unsigned long long)inv->quota_bytes, inv->unlimited ? " unlimited" : "",
              (long long)inv->subtotal_cents, (long long)inv->tax_cents,
              (long long)inv->total_cents, (long long)inv->tax_rate_micro, inv->currency, inv->unit,
              (unsigned long long)inv->issued_ms);
}

static void line_text(void *ctx, const struct invoice_line *l)
{
    lines_add(ctx, "%s #%d %s [%s] %s %llu %s x %lld = %lld: %s", doc_name(l->invoice_id), l->seq,
              l->kind, l->class_name, l->cycle, (unsigned long long)l->bytes, l->quantity,
              (long long)l->unit_price_micro, (long long)l->amount_cents, l->text);
}

static void settled_text(void *ctx, const struct invoice_usage *u)
{
    lines_add(ctx, "%s %s %s %llu", doc_name(u->invoice_id), u->cycle, u->class_name,
              (unsigned long long)u->bytes);
}

/* ---- small steps ---- */

static void save_plan(struct store *s, const char *name, int anchor, bool burstable,
                      uint64_t commit_bps, int64_t per_mbps, const char *burst_dirs, bool insert,
                      int want)
{
    struct plan p = {.unlimited = burstable,
                     .quota_bytes = burstable ? 0 : 50000000000ull,
                     .quota_dirs = "both",
                     .price_micro = 40000000,
                     .anchor_day = anchor,
                     .burstable = burstable,
                     .commit_bps = commit_bps,
                     .price_micro_per_mbps = per_mbps};
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.burst_dirs, sizeof p.burst_dirs, "%s", burst_dirs);
    char errbuf[ERR_BUF_LEN] = "";
    int rc = store_plan_save(s, &p, insert, errbuf);
    if (want < 0 && want != ERR_MALFORMED && want != ERR_NOT_FOUND)
        ASSERT_TRUE(rc < 0); /* refused by the schema: which code, store.h does not say */
    else
        ASSERT_EQ_INT(rc, want);
    if (want != 0)
        ASSERT_TRUE(errbuf[0] != '\0');
}

/* Saves a subscriber on plan (or none, "") from from_ms. */
static void save_on(struct store *s, const char *account, const char *plan, uint64_t from_ms,
                    bool insert, int want)
{
    struct subscriber sub = {.status = "active", .plan_from_ms = from_ms};
    snprintf(sub.account, sizeof sub.account, "%s", account);
    snprintf(sub.plan, sizeof sub.plan, "%s", plan);
    snprintf(sub.name, sizeof sub.name, "%s %llu", account, (unsigned long long)from_ms);
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, insert, errbuf), want);
    if (want != 0)
        ASSERT_TRUE(errbuf[0] != '\0');
    struct subscriber got;
    if (want == 0 && insert && store_subscriber_get(s, account, &got) == 0)
        know(got.id, account);
}

static void history(struct store *s, const char *account, struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_plan_history(s, account ? id_of(account) : -1, step_line, out), 0);
}

static void add_topup(struct store *s, const char *account, uint64_t at_ms, uint64_t bytes,
                      int64_t price)
{
    struct topup_row t = {.id = 77, /* ignored */
                          .subscriber_id = id_of(account),
                          .at_ms = at_ms,
                          .bytes = bytes,
                          .price_micro = price};
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_topup_add(s, &t, errbuf), 0);
}

static void list_topups(struct store *s, const char *account, uint64_t from, uint64_t to,
                        struct lines *out)
{
    memset(out, 0, sizeof *out);
    topup_ids.n = 0;
    ASSERT_EQ_INT(store_topup_list(s, account ? id_of(account) : -1, from, to, topup_line, out), 0);
}

/* 2026-09-01, 2026-10-01 and 2026-11-01, 00:00 UTC, in ms */
#define SEP 1788220800000ull
#define OCT 1790812800000ull
#define NOV 1793491200000ull

/* A document of account's, for cycle "2026-09" (or "2026-10" when october): its figures
 * follow from the total, at a tax rate of 8.1%. */
static struct invoice_row doc(const char *kind, const char *account, bool october,
                              int64_t total_cents, int64_t refers_to)
{
    struct invoice_row inv = {.refers_to = refers_to,
                              .subscriber_id = id_of(account),
                              .cycle_start_ms = october ? OCT : SEP,
                              .cycle_end_ms = october ? NOV : OCT,
                              .used_bytes = 61000000000ull,
                              .quota_bytes = 50000000000ull,
                              .subtotal_cents = total_cents - total_cents / 10,
                              .tax_cents = total_cents / 10,
                              .total_cents = total_cents,
                              .tax_rate_micro = 8100000,
                              .currency = "CHF",
                              .unit = "GB",
                              .issued_ms = (october ? NOV : OCT) + 3600000};
    snprintf(inv.kind, sizeof inv.kind, "%s", kind);
    snprintf(inv.account, sizeof inv.account, "%s", account);
    snprintf(inv.name, sizeof inv.name, "%s O'Brien", account);
    snprintf(inv.plan, sizeof inv.plan, "basic");
    snprintf(inv.cycle, sizeof inv.cycle, "%s", october ? "2026-10" : "2026-09");
    return inv;
}

static struct invoice_line line(int seq, const char *kind, const char *class_name,
                                const char *cycle, uint64_t bytes, const char *quantity,
                                int64_t price, int64_t amount, const char *text)
{
    struct invoice_line l = {
        .seq = seq, .bytes = bytes, .unit_price_micro = price, .amount_cents = amount};
    snprintf(l.kind, sizeof l.kind, "%s", kind);
    snprintf(l.class_name, sizeof l.class_name, "%s", class_name);
    snprintf(l.cycle, sizeof l.cycle, "%s", cycle);
    snprintf(l.quantity, sizeof l.quantity, "%s", quantity);
    snprintf(l.text, sizeof l.text, "%s", text);
    return l;
}

static struct invoice_usage settled(const char *cycle, const char *class_name, uint64_t bytes)
{
    struct invoice_usage u = {.invoice_id = 99, .bytes = bytes}; /* the id is the store's */
    snprintf(u.cycle, sizeof u.cycle, "%s", cycle);
    snprintf(u.class_name, sizeof u.class_name, "%s", class_name);
    return u;
}

/* Issues inv; when it is stored, remembers its id as "kind number". Returns the code. */
static int issue(struct store *s, struct invoice_row *inv, const struct invoice_line *lines,
                 size_t n_lines, const struct invoice_usage *usage, size_t n_usage)
{
    char errbuf[ERR_BUF_LEN] = "";
    int rc = store_invoice_issue(s, inv, lines, n_lines, usage, n_usage, errbuf);
    if (rc != 0 && !errbuf[0])
        TEST_FAIL("invoice_issue returned %d without a message", rc);
    if (rc == 0 && n_docs < N(docs)) {
        ASSERT_TRUE(inv->id > 0);
        docs[n_docs].id = inv->id;
        snprintf(docs[n_docs++].name, sizeof docs[0].name, "%s %lld", inv->kind,
                 (long long)inv->number);
    }
    return rc;
}

static void list_docs(struct store *s, const char *cycle, const char *account, const char *kind,
                      struct lines *out)
{
    struct invoice_query q = {cycle, account ? id_of(account) : -1, kind};
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_invoice_list(s, &q, invoice_text, out), 0);
}

static void scan_as(struct store *s, bool is_rating, int64_t subscriber, uint64_t from_ms,
                    uint64_t to_ms, struct lines *out)
{
    struct usage_query q = {.from_ms = from_ms,
                            .to_ms = to_ms,
                            .group = USAGE_BY_HOST | USAGE_BY_DAY, /* ignored */
                            .subscriber_id = subscriber,
                            .utc_offset_s = 3600, /* ignored */
                            .is_rating = is_rating};
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_scan_usage(s, &q, usage_line, out), 0);
}

static void scan(struct store *s, int64_t subscriber, uint64_t from_ms, uint64_t to_ms,
                 struct lines *out)
{
    scan_as(s, false, subscriber, from_ms, to_ms, out);
}

/* ================================ the cases ================================ */

/* A plan's billing fields are stored and read back: any anchor day 1..31, burstable
 * pricing; what the schema refuses is not stored. */
static void test_plan_fields(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    save_plan(s, "transit", 31, true, 100000000, 2500000, "max", true, 0);
    save_plan(s, "month", 1, false, 0, 0, "", true, 0);
    save_plan(s, "late", 29, false, 0, 0, "", true, 0);
    struct plan p;
    struct lines l = {0};
    ASSERT_EQ_INT(store_plan_get(s, "transit", &p), 0);
    plan_full_line(&l, &p);
    static const char *const transit[] = {
        "transit|unlimited|both|40000000|anchor 31|burst 1 100000000 2500000 [max]"};
    EXPECT_LINES(l, transit);
    /* an update changes every field */
    save_plan(s, "transit", 30, true, 250000000, 1000000, "in", false, 0);
    save_plan(s, "month", 28, true, 0, 3000000, "out", false, 0);
    static const char *const all[] = {
        "late|50000000000|both|40000000|anchor 29|burst 0 0 0 []",
        "month|unlimited|both|40000000|anchor 28|burst 1 0 3000000 [out]",
        "transit|unlimited|both|40000000|anchor 30|burst 1 250000000 1000000 [in]",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_plan_list(s, plan_full_line, &l), 0);
    EXPECT_LINES(l, all);
    /* refused: days 0 and 32, a direction of no meaning; nothing changes */
    save_plan(s, "bad", 32, false, 0, 0, "", true, -1);
    save_plan(s, "bad", 0, false, 0, 0, "", true, -1);
    save_plan(s, "bad", 1, true, 1, 1, "both", true, -1);
    save_plan(s, "month", 32, true, 0, 3000000, "out", false, -1);
    ASSERT_EQ_INT(store_plan_get(s, "bad", &p), ERR_NOT_FOUND);
    struct plan odd = {.name = "odd", .quota_dirs = "both", .anchor_day = 1};
    memset(odd.burst_dirs, 'x', sizeof odd.burst_dirs); /* no end within the array */
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_plan_save(s, &odd, true, errbuf), ERR_MALFORMED);
    ASSERT_EQ_INT(store_plan_get(s, "odd", &p), ERR_NOT_FOUND);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_plan_list(s, plan_full_line, &l), 0);
    EXPECT_LINES(l, all);
    store_close(s);
}

/* The plan history follows subscriber_save: an insert starts it, a change of plan cuts it
 * at plan_from_ms and starts a step there, the same plan leaves it, and a removed
 * subscriber's goes with it. */
static void test_plan_history(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    save_plan(s, "a", 1, false, 0, 0, "", true, 0);
    save_plan(s, "b", 1, false, 0, 0, "", true, 0);
    save_plan(s, "c", 1, false, 0, 0, "", true, 0);
    save_on(s, "alice", "a", 1000, true, 0);
    save_on(s, "bob", "", 0, true, 0);
    save_on(s, "ghost", "a", 1000, false, ERR_NOT_FOUND);
    save_on(s, "bob", "nope", 1000, false, ERR_NOT_FOUND);
    struct lines l;
    static const char *const start[] = {"#alice [a] from 1000"};
    history(s, "alice", &l);
    EXPECT_LINES(l, start);
    /* the same plan, saved again later (a new name): nothing changes */
    save_on(s, "alice", "a", 5000, false, 0);
    history(s, "alice", &l);
    EXPECT_LINES(l, start);
    save_on(s, "alice", "b", 2000, false, 0);
    save_on(s, "alice", "c", 3000, false, 0);
    static const char *const changed[] = {"#alice [a] from 1000", "#alice [b] from 2000",
                                          "#alice [c] from 3000"};
    history(s, "alice", &l);
    EXPECT_LINES(l, changed);
    /* back-dated before b: b and c never held */
    save_on(s, "alice", "", 1500, false, 0);
    static const char *const back[] = {"#alice [a] from 1000", "#alice [] from 1500"};
    history(s, "alice", &l);
    EXPECT_LINES(l, back);
    struct subscriber got;
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &got), 0);
    ASSERT_STREQ(got.plan, "");
    /* a change in a transaction rolled back leaves the history as it was */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    save_on(s, "alice", "b", 1200, false, 0);
    s->ops->rollback(s);
    history(s, "alice", &l);
    EXPECT_LINES(l, back);
    /* bob's step at 0 replaced by one at 0 */
    save_on(s, "bob", "a", 0, false, 0);
    save_on(s, "carol", "c", 0, true, 0);
    static const char *const all[] = {"#alice [a] from 1000", "#alice [] from 1500",
                                      "#bob [a] from 0", "#carol [c] from 0"};
    history(s, NULL, &l);
    EXPECT_LINES(l, all);
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_subscriber_remove(s, "alice", errbuf), 0);
    static const char *const without_alice[] = {"#bob [a] from 0", "#carol [c] from 0"};
    history(s, NULL, &l);
    EXPECT_LINES(l, without_alice);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_plan_history(s, id_of("alice"), step_line, &l), 0);
    EXPECT_NO_LINES(l);
    store_close(s);
}

/* A plan in anyone's history stays: the bills of the cycles it held need it. */
static void test_plan_remove_in_history(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    save_plan(s, "old", 1, false, 0, 0, "", true, 0);
    save_plan(s, "new", 1, false, 0, 0, "", true, 0);
    save_plan(s, "spare", 1, false, 0, 0, "", true, 0);
    save_on(s, "carol", "old", 0, true, 0);
    save_on(s, "carol", "new", 5000, false, 0);
    save_on(s, "dave", "old", 0, true, 0);
    save_on(s, "dave", "new", 0, false, 0); /* from the beginning: old never held */
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_plan_remove(s, "old", errbuf), ERR_EXISTS);
    if (!strstr(errbuf, "history of 1 subscriber"))
        TEST_FAIL("plan_remove of a plan in carol's history said \"%s\"", errbuf);
    errbuf[0] = '\0';
    ASSERT_EQ_INT(store_plan_remove(s, "new", errbuf), ERR_EXISTS); /* held now */
    ASSERT_TRUE(errbuf[0] != '\0');
    ASSERT_EQ_INT(store_plan_remove(s, "spare", errbuf), 0);
    ASSERT_EQ_INT(store_plan_remove(s, "spare", errbuf), ERR_NOT_FOUND);
    struct plan p;
    ASSERT_EQ_INT(store_plan_get(s, "old", &p), 0);
    /* carol gone, her history with her: old is free */
    ASSERT_EQ_INT(store_subscriber_remove(s, "carol", errbuf), 0);
    ASSERT_EQ_INT(store_plan_remove(s, "old", errbuf), 0);
    ASSERT_EQ_INT(store_plan_get(s, "old", &p), ERR_NOT_FOUND);
    store_close(s);
}

static void test_topups(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    add_topup(s, "alice", 2000, 1000000000, 5000000);
    add_topup(s, "alice", 1000, 500000000, 0);
    add_topup(s, "alice", 2000, 3, 1); /* the same time: after the first, by id */
    add_topup(s, "bob", 1500, 2000000000, 8000000);
    struct topup_row t = {.subscriber_id = id_of("bob") + 1000, .at_ms = 1, .bytes = 1};
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_topup_add(s, &t, errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(errbuf[0] != '\0');
    struct lines l;
    static const char *const all[] = {
        "#alice at 1000: 500000000 bytes for 0",
        "#alice at 2000: 1000000000 bytes for 5000000",
        "#alice at 2000: 3 bytes for 1",
        "#bob at 1500: 2000000000 bytes for 8000000",
    };
    list_topups(s, NULL, 0, ALL, &l);
    EXPECT_LINES(l, all);
    /* the ids the store gave grow in the order the top-ups were added */
    int64_t first = topup_ids.id[1], second = topup_ids.id[0], third = topup_ids.id[2],
            fourth = topup_ids.id[3];
    ASSERT_TRUE(topup_ids.n == 4 && first < second && second < third && third < fourth);
    static const char *const alice[] = {
        "#alice at 1000: 500000000 bytes for 0",
        "#alice at 2000: 1000000000 bytes for 5000000",
        "#alice at 2000: 3 bytes for 1",
    };
    list_topups(s, "alice", 0, ALL, &l);
    EXPECT_LINES(l, alice);
    /* [1000, 2000): the end excluded, the start included */
    static const char *const window[] = {"#alice at 1000: 500000000 bytes for 0",
                                         "#bob at 1500: 2000000000 bytes for 8000000"};
    list_topups(s, NULL, 1000, 2000, &l);
    EXPECT_LINES(l, window);
    list_topups(s, "alice", 1001, 2000, &l);
    EXPECT_NO_LINES(l);
    /* bob's go with him, and his id (the last given) is not given again */
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), 0);
    add_topup(s, "alice", 500, 7, 7);
    static const char *const after[] = {
        "#alice at 500: 7 bytes for 7",
        "#alice at 1000: 500000000 bytes for 0",
        "#alice at 2000: 1000000000 bytes for 5000000",
        "#alice at 2000: 3 bytes for 1",
    };
    list_topups(s, NULL, 0, ALL, &l);
    EXPECT_LINES(l, after);
    ASSERT_TRUE(topup_ids.id[0] > fourth);
    store_close(s);
}

/* Alice's september invoice: three lines given out of order (read back by seq), two
 * classes of usage settled. */
static int issue_alice_september(struct store *s, struct invoice_row *inv)
{
    const struct invoice_line lines[] = {
        line(3, "topup", "", "2026-09", 0, "1", 5000000, 500, "Top-up 10 GB, 2026-09-12"),
        line(1, "plan", "", "2026-09", 0, "1", 40000000, 4000, "Plan basic"),
        line(2, "usage", "default", "2026-09", 11000000000ull, "11.000", 2000000, 2200,
             "Over quota, 11 GB at 2.00"),
    };
    const struct invoice_usage usage[] = {settled("2026-09", "night", 4000000000ull),
                                          settled("2026-09", "default", 61000000000ull)};
    *inv = doc("invoice", "alice", false, 7700, 0);
    return issue(s, inv, lines, N(lines), usage, N(usage));
}

/* Numbers per kind, one invoice per subscriber and cycle, notes of any number; lines and
 * settled usage read back in their orders; the lists. */
static void test_invoices(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_docs = 0;
    add_account(s, "alice");
    add_account(s, "bob");
    struct invoice_row a9, b9, again, credit, debit, credit2, a10;
    ASSERT_EQ_INT(issue_alice_september(s, &a9), 0);
    ASSERT_EQ_INT(a9.number, 1);
    b9 = doc("invoice", "bob", false, 2500, 0);
    b9.unlimited = true;
    b9.quota_bytes = 0;
    const struct invoice_line bob_lines[] = {
        line(1, "plan", "", "2026-09", 0, "1", 25000000, 2500, "Plan unlimited")};
    ASSERT_EQ_INT(issue(s, &b9, bob_lines, 1, NULL, 0), 0);
    ASSERT_EQ_INT(b9.number, 2);
    /* a second invoice of alice's september: refused, nothing stored, no number used */
    char errbuf[ERR_BUF_LEN] = "";
    again = doc("invoice", "alice", false, 1, 0);
    ASSERT_EQ_INT(store_invoice_issue(s, &again, bob_lines, 1, NULL, 0, errbuf), ERR_EXISTS);
    ASSERT_TRUE(errbuf[0] != '\0');
    /* notes: numbered on their own, any number of them for the cycle */
    credit = doc("credit", "alice", false, -2200, a9.id);
    const struct invoice_line credit_lines[] = {line(1, "usage", "default", "2026-09",
                                                     11000000000ull, "-11.000", 2000000, -2200,
                                                     "Over quota credited")};
    ASSERT_EQ_INT(issue(s, &credit, credit_lines, 1, NULL, 0), 0);
    ASSERT_EQ_INT(credit.number, 1);
    debit = doc("debit", "alice", false, 300, a9.id);
    const struct invoice_line debit_lines[] = {
        line(1, "usage", "night", "2026-09", 1500000000ull, "1.500", 2000000, 300, "Night")};
    const struct invoice_usage debit_usage[] = {settled("2026-09", "night", 1500000000ull)};
    ASSERT_EQ_INT(issue(s, &debit, debit_lines, 1, debit_usage, 1), 0);
    ASSERT_EQ_INT(debit.number, 1);
    credit2 = doc("credit", "alice", false, -100, a9.id);
    ASSERT_EQ_INT(issue(s, &credit2, NULL, 0, NULL, 0), 0);
    ASSERT_EQ_INT(credit2.number, 2);
    /* october's invoice bills late september usage too */
    a10 = doc("invoice", "alice", true, 4440, 0);
    const struct invoice_line oct_lines[] = {
        line(1, "plan", "", "2026-10", 0, "1", 40000000, 4000, "Plan basic"),
        line(2, "usage", "default", "2026-09", 2200000000ull, "2.200", 2000000, 440,
             "Late usage of 2026-09")};
    const struct invoice_usage oct_usage[] = {settled("2026-10", "default", 9000000000ull),
                                              settled("2026-09", "default", 2200000000ull)};
    ASSERT_EQ_INT(issue(s, &a10, oct_lines, N(oct_lines), oct_usage, N(oct_usage)), 0);
    ASSERT_EQ_INT(a10.number, 3);

    struct invoice_row got;
    struct lines l = {0};
    ASSERT_EQ_INT(store_invoice_get(s, "invoice", 1, &got), 0);
    ASSERT_EQ_INT(got.id, a9.id);
    invoice_text(&l, &got);
    static const char *const first[] = {
        "invoice 1 (-) #alice alice|alice O'Brien|basic|2026-09 1788220800000-1790812800000|"
        "61000000000/50000000000|6930+770=7700 at 8100000|CHF GB|1790816400000"};
    EXPECT_LINES(l, first);
    ASSERT_EQ_INT(store_invoice_get(s, "credit", 3, &got), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_invoice_get(s, "refund", 1, &got), ERR_NOT_FOUND);

    static const char *const september[] = {
        "invoice 1 (-) #alice alice|alice O'Brien|basic|2026-09 1788220800000-1790812800000|"
        "61000000000/50000000000|6930+770=7700 at 8100000|CHF GB|1790816400000",
        "invoice 2 (-) #bob bob|bob O'Brien|basic|2026-09 1788220800000-1790812800000|"
        "61000000000/0 unlimited|2250+250=2500 at 8100000|CHF GB|1790816400000",
        "credit 1 (invoice 1) #alice alice|alice O'Brien|basic|2026-09 "
        "1788220800000-1790812800000|61000000000/50000000000|-1980+-220=-2200 at 8100000|CHF "
        "GB|1790816400000",
        "debit 1 (invoice 1) #alice alice|alice O'Brien|basic|2026-09 "
        "1788220800000-1790812800000|61000000000/50000000000|270+30=300 at 8100000|CHF "
        "GB|1790816400000",
        "credit 2 (invoice 1) #alice alice|alice O'Brien|basic|2026-09 "
        "1788220800000-1790812800000|61000000000/50000000000|-90+-10=-100 at 8100000|CHF "
        "GB|1790816400000",
    };
    list_docs(s, "2026-09", NULL, NULL, &l);
    EXPECT_LINES(l, september);
    const char *const credits[] = {september[2], september[4]};
    list_docs(s, NULL, NULL, "credit", &l);
    EXPECT_LINES(l, credits);
    list_docs(s, "2026-09", "alice", "credit", &l);
    EXPECT_LINES(l, credits);
    const char *const bobs[] = {september[1]};
    list_docs(s, NULL, "bob", NULL, &l);
    EXPECT_LINES(l, bobs);
    list_docs(s, "2026-10", "bob", NULL, &l);
    EXPECT_NO_LINES(l);
    const char *const invoices[] = {
        september[0], september[1],
        "invoice 3 (-) #alice alice|alice O'Brien|basic|2026-10 1790812800000-1793491200000|"
        "61000000000/50000000000|3996+444=4440 at 8100000|CHF GB|1793494800000"};
    list_docs(s, NULL, NULL, "invoice", &l);
    EXPECT_LINES(l, invoices);
    const char *const alices_october[] = {invoices[2]};
    list_docs(s, "2026-10", "alice", NULL, &l);
    EXPECT_LINES(l, alices_october);
    list_docs(s, NULL, NULL, NULL, &l);
    ASSERT_EQ_INT(l.n, 6);

    static const char *const a9_lines[] = {
        "invoice 1 #1 plan [] 2026-09 0 1 x 40000000 = 4000: Plan basic",
        "invoice 1 #2 usage [default] 2026-09 11000000000 11.000 x 2000000 = 2200: Over quota, "
        "11 GB at 2.00",
        "invoice 1 #3 topup [] 2026-09 0 1 x 5000000 = 500: Top-up 10 GB, 2026-09-12",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_lines(s, a9.id, line_text, &l), 0);
    EXPECT_LINES(l, a9_lines);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_lines(s, credit2.id, line_text, &l), 0);
    EXPECT_NO_LINES(l);

    /* what alice's september was billed, wherever: bob's line is not hers */
    const char *const billed_september[] = {
        a9_lines[0],
        a9_lines[1],
        a9_lines[2],
        "credit 1 #1 usage [default] 2026-09 11000000000 -11.000 x 2000000 = -2200: Over quota "
        "credited",
        "debit 1 #1 usage [night] 2026-09 1500000000 1.500 x 2000000 = 300: Night",
        "invoice 3 #2 usage [default] 2026-09 2200000000 2.200 x 2000000 = 440: Late usage of "
        "2026-09",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_lines_of_cycle(s, id_of("alice"), "2026-09", line_text, &l), 0);
    EXPECT_LINES(l, billed_september);
    static const char *const billed_october[] = {
        "invoice 3 #1 plan [] 2026-10 0 1 x 40000000 = 4000: Plan basic"};
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_lines_of_cycle(s, id_of("alice"), "2026-10", line_text, &l), 0);
    EXPECT_LINES(l, billed_october);

    /* settled usage by subscriber, cycle, class, document */
    static const char *const alice_settled[] = {
        "invoice 1 2026-09 default 61000000000", "invoice 3 2026-09 default 2200000000",
        "invoice 1 2026-09 night 4000000000",    "debit 1 2026-09 night 1500000000",
        "invoice 3 2026-10 default 9000000000",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_usage_list(s, id_of("alice"), settled_text, &l), 0);
    EXPECT_LINES(l, alice_settled);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_usage_list(s, id_of("bob"), settled_text, &l), 0);
    EXPECT_NO_LINES(l);
    /* a removed subscriber's documents stay */
    ASSERT_EQ_INT(store_subscriber_remove(s, "alice", errbuf), 0);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_usage_list(s, -1, settled_text, &l), 0);
    EXPECT_LINES(l, alice_settled);
    list_docs(s, "2026-09", NULL, NULL, &l);
    EXPECT_LINES(l, september);
    store_close(s);
}

static void doc_number_line(void *ctx, const struct invoice_row *inv)
{
    lines_add(ctx, "%s %lld", inv->kind, (long long)inv->number);
}

static void list_unmailed(struct store *s, uint64_t since_ms, struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_invoice_unmailed(s, since_ms, doc_number_line, out), 0);
}

/* Returns the message's id. */
static int64_t queue_mail(struct store *s, const char *event)
{
    struct mail_row m = {.kind = "invoice",
                         .message_id = "<a@b.example>",
                         .to_addr = "alice@example.net",
                         .subject = "Invoice",
                         .body = "x\r\n",
                         .created_ms = NOV,
                         .next_try_ms = NOV};
    snprintf(m.event, sizeof m.event, "%s", event);
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), 0);
    return m.id;
}

/* Documents issued since a time that no message is for yet: a message of the event
 * "invoice:" and the number as people read it (42, C-3, D-1), in any state, takes its
 * document off the list, and no other; issued_ms bounds it (at or after). */
static void test_invoice_unmailed(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_docs = 0;
    add_account(s, "alice");
    add_account(s, "bob");
    struct invoice_row a9, b9, credit, debit, a10;
    ASSERT_EQ_INT(issue_alice_september(s, &a9), 0); /* invoice 1, issued OCT + 1 h */
    b9 = doc("invoice", "bob", false, 2500, 0);      /* invoice 2 */
    ASSERT_EQ_INT(issue(s, &b9, NULL, 0, NULL, 0), 0);
    credit = doc("credit", "alice", false, -2200, a9.id); /* C-1 */
    ASSERT_EQ_INT(issue(s, &credit, NULL, 0, NULL, 0), 0);
    debit = doc("debit", "alice", false, 300, a9.id); /* D-1 */
    ASSERT_EQ_INT(issue(s, &debit, NULL, 0, NULL, 0), 0);
    a10 = doc("invoice", "alice", true, 4440, 0); /* invoice 3, issued NOV + 1 h */
    ASSERT_EQ_INT(issue(s, &a10, NULL, 0, NULL, 0), 0);

    struct lines l;
    static const char *const all[] = {"invoice 1", "invoice 2", "credit 1", "debit 1", "invoice 3"};
    list_unmailed(s, 0, &l);
    EXPECT_LINES(l, all);
    list_unmailed(s, OCT + 3600000, &l); /* at the issue time: included */
    EXPECT_LINES(l, all);
    static const char *const november[] = {"invoice 3"};
    list_unmailed(s, OCT + 3600001, &l);
    EXPECT_LINES(l, november);
    list_unmailed(s, NOV + 3600000, &l);
    EXPECT_LINES(l, november);
    list_unmailed(s, NOV + 3600001, &l);
    EXPECT_NO_LINES(l);

    /* messages for invoice 1 and credit note 1 (this one failed: still its message); others
     * that name no document here, or name one otherwise, change nothing */
    queue_mail(s, "invoice:1");
    int64_t c1 = queue_mail(s, "invoice:C-1");
    queue_mail(s, "invoice:D-2");
    queue_mail(s, "invoice:03");
    queue_mail(s, "invoice:C-3");
    queue_mail(s, "alert:2");
    queue_mail(s, "invoice:2 ");
    ASSERT_EQ_INT(store_mail_update(s, c1, "failed", 0, 0, "refused"), 0);
    static const char *const left[] = {"invoice 2", "debit 1", "invoice 3"};
    list_unmailed(s, 0, &l);
    EXPECT_LINES(l, left);
    queue_mail(s, "invoice:D-1");
    queue_mail(s, "invoice:3");
    static const char *const bobs[] = {"invoice 2"};
    list_unmailed(s, 0, &l);
    EXPECT_LINES(l, bobs);
    /* in a transaction, its own messages count */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    queue_mail(s, "invoice:2");
    list_unmailed(s, 0, &l);
    EXPECT_NO_LINES(l);
    s->ops->rollback(s);
    list_unmailed(s, 0, &l);
    EXPECT_LINES(l, bobs);
    store_close(s);
}

/* What invoice_issue refuses, before writing anything: in a transaction, the next document
 * is issued as if nothing had been tried. */
static void test_invoice_refused(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_docs = 0;
    add_account(s, "alice");
    add_account(s, "bob");
    const struct invoice_line one[] = {line(1, "plan", "", "2026-09", 0, "1", 1, 1, "x")};
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    struct invoice_row inv;
    ASSERT_EQ_INT(issue_alice_september(s, &inv), 0);
    int64_t a9 = inv.id;
    char errbuf[ERR_BUF_LEN] = "";
    inv = doc("invoice", "alice", false, 1, 0);
    ASSERT_EQ_INT(store_invoice_issue(s, &inv, one, 1, NULL, 0, errbuf), ERR_EXISTS);
    inv = doc("refund", "alice", false, 1, 0);
    ASSERT_EQ_INT(store_invoice_issue(s, &inv, one, 1, NULL, 0, errbuf), ERR_MALFORMED);
    inv = doc("credit", "alice", false, 1, a9 + 1000); /* no such document */
    ASSERT_EQ_INT(store_invoice_issue(s, &inv, one, 1, NULL, 0, errbuf), ERR_NOT_FOUND);
    inv = doc("invoice", "bob", false, 1, 0);
    memset(inv.currency, 'X', sizeof inv.currency);
    ASSERT_EQ_INT(store_invoice_issue(s, &inv, one, 1, NULL, 0, errbuf), ERR_MALFORMED);
    inv = doc("invoice", "bob", false, 1, 0);
    struct invoice_line long_text = one[0];
    memset(long_text.text, 't', sizeof long_text.text);
    ASSERT_EQ_INT(store_invoice_issue(s, &inv, &long_text, 1, NULL, 0, errbuf), ERR_MALFORMED);
    struct invoice_usage long_class = settled("2026-09", "", 1);
    memset(long_class.class_name, 'c', sizeof long_class.class_name);
    ASSERT_EQ_INT(store_invoice_issue(s, &inv, one, 1, &long_class, 1, errbuf), ERR_MALFORMED);
    inv = doc("invoice", "bob", false, 1, 0);
    ASSERT_EQ_INT(issue(s, &inv, one, 1, NULL, 0), 0);
    ASSERT_EQ_INT(inv.number, 2);
    inv = doc("credit", "alice", false, -1, a9);
    ASSERT_EQ_INT(issue(s, &inv, one, 1, NULL, 0), 0);
    ASSERT_EQ_INT(inv.number, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    struct lines l;
    list_docs(s, NULL, NULL, NULL, &l);
    ASSERT_EQ_INT(l.n, 3);
    store_close(s);
}

/* A document issued in a transaction rolled back was never issued: its number is the
 * next one's. */
static void test_invoice_rolled_back(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_docs = 0;
    add_account(s, "alice");
    add_account(s, "bob");
    struct invoice_row inv;
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(issue_alice_september(s, &inv), 0);
    ASSERT_EQ_INT(inv.number, 1);
    s->ops->rollback(s);
    n_docs = 0;
    const struct invoice_line one[] = {line(1, "plan", "", "2026-09", 0, "1", 1, 1, "x")};
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    inv = doc("invoice", "bob", false, 1, 0);
    ASSERT_EQ_INT(issue(s, &inv, one, 1, NULL, 0), 0);
    ASSERT_EQ_INT(inv.number, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    /* alice's, outside a transaction (one of its own): the next number */
    ASSERT_EQ_INT(issue_alice_september(s, &inv), 0);
    ASSERT_EQ_INT(inv.number, 2);
    struct lines l;
    list_docs(s, NULL, NULL, NULL, &l);
    ASSERT_EQ_INT(l.n, 2);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_lines(s, inv.id, line_text, &l), 0);
    ASSERT_EQ_INT(l.n, 3);
    store_close(s);
}

/* An issued document never changes: the engine refuses an UPDATE or DELETE of a document,
 * its lines or its settled usage, made with the engine's own client. */
static void test_invoice_immutable(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_docs = 0;
    add_account(s, "alice");
    struct invoice_row inv;
    ASSERT_EQ_INT(issue_alice_september(s, &inv), 0);
    static const char *const attempts[] = {
        "UPDATE invoices SET total_cents = 0",
        "DELETE FROM invoices",
        "UPDATE invoice_lines SET amount_cents = 0 WHERE seq = 2",
        "DELETE FROM invoice_lines",
        "UPDATE invoice_usage SET bytes = 0",
        "DELETE FROM invoice_usage WHERE class = 'night'",
        "TRUNCATE invoice_usage", /* PostgreSQL only: SQLite has no TRUNCATE */
    };
    for (size_t i = 0; i < N(attempts); i++) {
        if (is_sqlite() && strncmp(attempts[i], "TRUNCATE", 8) == 0)
            continue;
        char err[512];
        int rc = raw_sql(attempts[i], err, sizeof err);
        if (rc == -1)
            TEST_FAIL("the %s client could not be run", cur.e->name);
        else if (rc == 0 || !strstr(err, "an issued invoice never changes"))
            TEST_FAIL("\"%s\": exit %d, said \"%s\"", attempts[i], rc, err);
    }
    struct lines l = {0}, want = {0};
    struct invoice_row got;
    ASSERT_EQ_INT(store_invoice_get(s, "invoice", 1, &got), 0);
    invoice_text(&l, &got);
    invoice_text(&want, &inv);
    ASSERT_STREQ(l.l[0], want.l[0]);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_lines(s, inv.id, line_text, &l), 0);
    ASSERT_EQ_INT(l.n, 3);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_invoice_usage_list(s, -1, settled_text, &l), 0);
    ASSERT_EQ_INT(l.n, 2);
    /* the client itself works: what refused the attempts above was the engine */
    char out[512];
    ASSERT_EQ_INT(raw_sql("SELECT count(*) FROM invoices", out, sizeof out), 0);
    store_close(s);
}

/* The other side of test_invoice_number_race. */
struct issuer {
    struct store *s; /* opened by the test, used by the thread only */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool is_started, is_done;
    int rc_begin, rc_issue, rc_commit;
    int64_t number;
};

/* Issues a credit note of bob's in a transaction of its own. */
static void *issue_credit(void *arg)
{
    struct issuer *w = arg;
    pthread_mutex_lock(&w->lock);
    w->is_started = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    struct store *s = w->s;
    struct invoice_row inv = doc("credit", "bob", false, -1, 0);
    char errbuf[ERR_BUF_LEN];
    w->rc_begin = s->ops->begin(s);
    w->rc_issue = store_invoice_issue(s, &inv, NULL, 0, NULL, 0, errbuf);
    w->number = inv.number;
    w->rc_commit = s->ops->commit(s);
    pthread_mutex_lock(&w->lock);
    w->is_done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Two connections issuing notes of one kind at once: the second waits for the first's
 * commit and takes the number after it (not the same, and not a failure). How long it is
 * given to finish meanwhile (RACE_MS) bounds the test's time, as in test_conformance_users's
 * race. */
#define RACE_MS 100
static void test_invoice_number_race(void)
{
    struct store *s = open_store(false);
    struct issuer w = {.s = s ? open_store(false) : NULL, .rc_issue = 99};
    if (!w.s) {
        store_close(s);
        return;
    }
    add_account(s, "alice");
    add_account(s, "bob");
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    struct invoice_row inv = doc("credit", "alice", false, -1, 0);
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_invoice_issue(s, &inv, NULL, 0, NULL, 0, errbuf), 0);
    ASSERT_EQ_INT(inv.number, 1);
    pthread_t t;
    if (pthread_create(&t, NULL, issue_credit, &w) != 0) {
        TEST_FAIL("pthread_create failed");
        s->ops->rollback(s);
        goto out;
    }
    pthread_mutex_lock(&w.lock);
    while (!w.is_started)
        pthread_cond_wait(&w.cond, &w.lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += RACE_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    int waited = 0;
    while (!w.is_done && waited != ETIMEDOUT)
        waited = pthread_cond_timedwait(&w.cond, &w.lock, &until);
    if (w.is_done)
        TEST_FAIL("the other connection issued a note while this one's was not committed");
    pthread_mutex_unlock(&w.lock);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    pthread_join(t, NULL);
    ASSERT_EQ_INT(w.rc_begin, 0);
    ASSERT_EQ_INT(w.rc_issue, 0);
    ASSERT_EQ_INT(w.number, 2);
    ASSERT_EQ_INT(w.rc_commit, 0);
    struct invoice_row got;
    ASSERT_EQ_INT(store_invoice_get(s, "credit", 2, &got), 0);
    ASSERT_EQ_INT(got.subscriber_id, id_of("bob"));
out:
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    store_close(w.s);
    store_close(s);
}

/* Rows in every key column apart, two of them the same key (stored as one); alice's id is
 * below bob's, unassigned (0) below both. */
static void load_scan_usage(struct store *s)
{
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, B2, "bob", "10.0.0.3", FLOW_DIR_IN, "default", "web", 300, 3, 1);
    add_usage(s, B1, "bob", "10.0.0.3", FLOW_DIR_OUT, "default", "web", 40, 1, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "night", "web", 7, 1, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 1000, 10, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 500, 5, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "dns", 40, 1, 1);
    add_usage(s, B1, "alice", "10.0.0.2", FLOW_DIR_IN, "default", "web", 30, 3, 1);
    add_usage(s, B1, "alice", "10.0.0.1", FLOW_DIR_OUT, "default", "web", 200, 2, 1);
    add_usage(s, B1, NULL, "198.51.100.7", FLOW_DIR_TRANSIT, "default", "other", 9, 1, 1);
    add_usage(s, B2, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 2000, 20, 2);
    add_usage(s, B3, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 1, 1, 1);
    add_usage(s, B4, "bob", "2001:db8::1", FLOW_DIR_IN, "default", "web", 60, 1, 1);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
}

/* Every stored row, not summed, in key order: bucket, subscriber, host, direction, class,
 * app; the period is the bucket's start. */
static void test_scan_usage(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    load_scan_usage(s);
    static const char *const all[] = {
        "#0 - 198.51.100.7 default other 1728000300 transit 9/1/1",
        "#alice - 10.0.0.1 default dns 1728000300 in 40/1/1",
        "#alice - 10.0.0.1 default web 1728000300 in 1500/15/2",
        "#alice - 10.0.0.1 night web 1728000300 in 7/1/1",
        "#alice - 10.0.0.1 default web 1728000300 out 200/2/1",
        "#alice - 10.0.0.2 default web 1728000300 in 30/3/1",
        "#bob - 10.0.0.3 default web 1728000300 out 40/1/1",
        "#alice - 10.0.0.1 default web 1728003600 in 2000/20/2",
        "#bob - 10.0.0.3 default web 1728003600 in 300/3/1",
        "#alice - 10.0.0.1 default web 1728084600 in 1/1/1",
        "#bob - 2001:db8::1 default web 1728093600 in 60/1/1",
    };
    struct store *r = open_store(true);
    if (!r) {
        store_close(s);
        return;
    }
    struct lines l;
    scan(r, -1, 0, ALL, &l);
    EXPECT_LINES(l, all);
    /* bounds in ms: a bucket counts when its start is in [from, to) */
    scan(r, -1, B1 * 1000ull + 1, B3 * 1000ull, &l);
    const char *const b2[] = {all[7], all[8]};
    EXPECT_LINES(l, b2);
    scan(r, -1, B2 * 1000ull, B3 * 1000ull + 1, &l);
    const char *const b2_b3[] = {all[7], all[8], all[9]};
    EXPECT_LINES(l, b2_b3);
    scan(r, -1, B1 * 1000ull, B1 * 1000ull, &l);
    EXPECT_NO_LINES(l);
    const char *const bob[] = {all[6], all[8], all[10]};
    scan(r, id_of("bob"), 0, ALL, &l);
    EXPECT_LINES(l, bob);
    const char *const alice_b1[] = {all[1], all[2], all[3], all[4], all[5]};
    scan(r, id_of("alice"), B1 * 1000ull - 999, B1 * 1000ull + 1, &l);
    EXPECT_LINES(l, alice_b1);
    const char *const unassigned[] = {all[0]};
    scan(r, USAGE_UNASSIGNED, 0, ALL, &l);
    EXPECT_LINES(l, unassigned);
    scan(r, id_of("bob") + 1000, 0, ALL, &l);
    EXPECT_NO_LINES(l);
    /* a rating's scan: the same rows in the same order, without host, app, packets, flows */
    static const char *const rating[] = {
        "#0 - - default - 1728000300 transit 9/0/0",
        "#alice - - default - 1728000300 in 40/0/0",
        "#alice - - default - 1728000300 in 1500/0/0",
        "#alice - - night - 1728000300 in 7/0/0",
        "#alice - - default - 1728000300 out 200/0/0",
        "#alice - - default - 1728000300 in 30/0/0",
        "#bob - - default - 1728000300 out 40/0/0",
        "#alice - - default - 1728003600 in 2000/0/0",
        "#bob - - default - 1728003600 in 300/0/0",
        "#alice - - default - 1728084600 in 1/0/0",
        "#bob - - default - 1728093600 in 60/0/0",
    };
    scan_as(r, true, -1, 0, ALL, &l);
    EXPECT_LINES(l, rating);
    const char *const bob_rating[] = {rating[6], rating[8], rating[10]};
    scan_as(r, true, id_of("bob"), 0, ALL, &l);
    EXPECT_LINES(l, bob_rating);
    store_close(r);
    /* in the writer's transaction: its own rows too, and the transaction goes on */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    add_usage(s, B4, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 5, 1, 1);
    scan(s, id_of("alice"), B4 * 1000ull, ALL, &l);
    static const char *const own[] = {"#alice - 10.0.0.1 default web 1728093600 in 5/1/1"};
    EXPECT_LINES(l, own);
    add_usage(s, B4, "alice", "10.0.0.1", FLOW_DIR_IN, "default", "web", 5, 1, 1);
    scan(s, -1, B4 * 1000ull, ALL, &l);
    const char *const own_all[] = {"#alice - 10.0.0.1 default web 1728093600 in 10/2/2", all[10]};
    EXPECT_LINES(l, own_all);
    s->ops->rollback(s);
    scan(s, -1, B4 * 1000ull, ALL, &l);
    const char *const rolled_back[] = {all[10]};
    EXPECT_LINES(l, rolled_back);
    ASSERT_TRUE(!s->ops->in_transaction(s)); /* a scan of its own ends what it opened */
    store_close(s);
}

/* Counts every row of a scan and checks each comes after the one before (one subscriber,
 * one direction, class and app: by bucket, then host as text). */
struct scan_check {
    struct store *s; /* borrowed: read from fn when set */
    int rc_meta;     /* what those reads returned, or'ed (1: a wrong value) */
    uint64_t n_rows, bytes;
    int64_t last_bucket;
    char last_host[64];
    bool is_ordered;
};

static void scan_count(void *ctx, const struct usage_result *r)
{
    struct scan_check *c = ctx;
    /* fn may use the store: once in the first chunk (PostgreSQL: while the next one is on
     * its way) and once in the second */
    if (c->s && (c->n_rows == 5000 || c->n_rows == 10001)) {
        int64_t v = -1;
        c->rc_meta |= store_meta_get(c->s, "scan_test", &v);
        c->rc_meta |= v != 42;
    }
    if (c->n_rows && (r->period < c->last_bucket ||
                      (r->period == c->last_bucket && strcmp(r->host, c->last_host) <= 0)))
        c->is_ordered = false;
    c->last_bucket = r->period;
    snprintf(c->last_host, sizeof c->last_host, "%s", r->host);
    c->n_rows++;
    c->bytes += r->counts.bytes;
}

/* Counts a rating scan's rows and bytes, reading the store as scan_count does. */
static void scan_bytes(void *ctx, const struct usage_result *r)
{
    struct scan_check *c = ctx;
    if (c->n_rows == 5000 || c->n_rows == 10001) {
        int64_t v = -1;
        c->rc_meta |= store_meta_get(c->s, "scan_test", &v);
        c->rc_meta |= v != 42;
    }
    c->n_rows++;
    c->bytes += r->counts.bytes;
}

/* More rows than a PostgreSQL scan fetches at once (10,000): each once, in order, with the
 * store used from fn meanwhile. */
#define MANY_HOSTS 5025
static void test_scan_usage_many(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    char host[32];
    for (int b = 1; b >= 0; b--) /* the later bucket first: the order is the scan's */
        for (int i = 0; i < MANY_HOSTS; i++) {
            snprintf(host, sizeof host, "10.1.%d.%d", i / 256, i % 256);
            add_usage(s, T0 + 300 * (uint32_t)b, NULL, host, FLOW_DIR_IN, "default", "web",
                      (uint64_t)i + 1, 1, 1);
        }
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    ASSERT_EQ_INT(store_meta_set(s, "scan_test", 42), 0);
    struct scan_check c = {.s = s, .is_ordered = true};
    struct usage_query q = {.from_ms = 0, .to_ms = ALL, .subscriber_id = -1};
    ASSERT_EQ_INT(store_scan_usage(s, &q, scan_count, &c), 0);
    ASSERT_EQ_U64(c.n_rows, 2 * MANY_HOSTS);
    /* 2 buckets x (1 + 2 + ... + 5025) = 5025 x 5026 */
    ASSERT_EQ_U64(c.bytes, 25255650);
    ASSERT_TRUE(c.is_ordered);
    ASSERT_EQ_INT(c.rc_meta, 0);
    /* a rating's scan: the same rows and bytes (no host: the order is not checked) */
    c = (struct scan_check){.s = s};
    q.is_rating = true;
    ASSERT_EQ_INT(store_scan_usage(s, &q, scan_bytes, &c), 0);
    ASSERT_EQ_U64(c.n_rows, 2 * MANY_HOSTS);
    ASSERT_EQ_U64(c.bytes, 25255650);
    ASSERT_EQ_INT(c.rc_meta, 0);
    q.is_rating = false;
    q.subscriber_id = USAGE_UNASSIGNED;
    c = (struct scan_check){.is_ordered = true};
    ASSERT_EQ_INT(store_scan_usage(s, &q, scan_count, &c), 0);
    ASSERT_EQ_U64(c.n_rows, 2 * MANY_HOSTS);
    ASSERT_TRUE(c.is_ordered);
    store_close(s);
}

static void test_meta(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    int64_t v = 42;
    ASSERT_EQ_INT(store_meta_get(s, "bucket_seconds", &v), ERR_NOT_FOUND);
    ASSERT_EQ_INT(v, 42);
    ASSERT_EQ_INT(store_meta_set(s, "bucket_seconds", 300), 0);
    ASSERT_EQ_INT(store_meta_get(s, "bucket_seconds", &v), 0);
    ASSERT_EQ_INT(v, 300);
    ASSERT_EQ_INT(store_meta_set(s, "bucket_seconds", -5), 0); /* replaced */
    ASSERT_EQ_INT(store_meta_set(s, "other", INT64_MAX), 0);
    ASSERT_EQ_INT(store_meta_get(s, "bucket_seconds", &v), 0);
    ASSERT_EQ_INT(v, -5);
    ASSERT_EQ_INT(store_meta_get(s, "Bucket_seconds", &v), ERR_NOT_FOUND); /* bytes */
    /* in a transaction rolled back: as it was */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_meta_set(s, "bucket_seconds", 60), 0);
    s->ops->rollback(s);
    struct store *r = open_store(true);
    if (r) {
        ASSERT_EQ_INT(store_meta_get(r, "bucket_seconds", &v), 0);
        ASSERT_EQ_INT(v, -5);
        ASSERT_EQ_INT(store_meta_get(r, "other", &v), 0);
        ASSERT_EQ_U64(v, INT64_MAX);
    }
    store_close(r);
    store_close(s);
}

static const struct conformance_case cases[] = {
    CONFORMANCE_CASE(test_plan_fields),
    CONFORMANCE_CASE(test_plan_history),
    CONFORMANCE_CASE(test_plan_remove_in_history),
    CONFORMANCE_CASE(test_topups),
    CONFORMANCE_CASE(test_invoices),
    CONFORMANCE_CASE(test_invoice_refused),
    CONFORMANCE_CASE(test_invoice_rolled_back),
    CONFORMANCE_CASE(test_invoice_immutable),
    CONFORMANCE_CASE(test_invoice_number_race),
    CONFORMANCE_CASE(test_scan_usage),
    CONFORMANCE_CASE(test_scan_usage_many),
    CONFORMANCE_CASE(test_meta),
    CONFORMANCE_CASE(test_invoice_unmailed),
};

int main(void)
{
    return conformance_main(cases, N(cases));
}
