// SPDX-License-Identifier: MIT
// Closing, previewing and correcting bills. The expensive part is reading a month of usage:
// bill_rate() reads it once for every subscriber concerned, in the store's own order
// (bucket, then subscriber), and hands each bucket of each subscriber to that subscriber's
// rater, so the time order the quota rules need costs no sort.
#include "bill.h"

#include "../base/err.h"
#include "../base/progress.h"
#include "../base/units.h"
#include "../base/xalloc.h"
#include "money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- plan history ---- */

static void add_step(void *ctx, const struct plan_step *p)
{
    struct bill_history *h = ctx;
    if ((h->n & (h->n - 1)) == 0) /* at 0, 1, 2, 4, ...: double */
        h->steps = xrealloc(h->steps, (h->n ? 2 * h->n : 1) * sizeof *h->steps);
    h->steps[h->n++] = *p;
}

int bill_history_load(struct store *s, struct bill_history *h, char *errbuf)
{
    memset(h, 0, sizeof *h);
    if (store_plan_history(s, -1, add_step, h) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading the plan history: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    return 0;
}

void bill_history_deinit(struct bill_history *h)
{
    free(h->steps);
    memset(h, 0, sizeof *h);
}

const struct plan_step *bill_history_of(const struct bill_history *h, int64_t subscriber_id,
                                        size_t *n)
{
    size_t lo = 0, hi = h->n; /* the first step of the subscriber */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->steps[mid].subscriber_id < subscriber_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < h->n && h->steps[end].subscriber_id == subscriber_id)
        end++;
    *n = end - lo;
    return end > lo ? &h->steps[lo] : NULL;
}

int bill_target_init(struct bill_target *t, struct rate_book *b, const struct bill_history *h)
{
    size_t n;
    const struct plan_step *steps = bill_history_of(h, t->sub.id, &n);
    t->is_rated = rater_init(&t->rater, b, t->sub.id, &t->cycle, steps, n) == 0;
    return t->is_rated ? 0 : 1;
}

void bill_targets_free(struct bill_target *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rater_deinit(&t[i].rater);
        rating_deinit(&t[i].rating);
    }
    free(t);
}

/* ---- rating many targets in one pass ---- */

struct scan {
    struct rate_book *book;
    struct bill_target *t;
    size_t n;
    /* the (bucket, subscriber) being gathered */
    uint64_t bucket;
    int64_t subscriber_id;
    struct rate_cell *cells;
    size_t n_cells, cap_cells;
    /* progress */
    struct progress progress;
    uint64_t from_s, to_s;  /* the period of the current read */
    uint64_t read, n_reads; /* reads done, of how many */
    uint64_t rows;
};

static struct bill_target *target_of(struct bill_target *t, size_t n, int64_t subscriber_id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].sub.id == subscriber_id)
            return &t[mid];
        if (t[mid].sub.id < subscriber_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void flush_cells(struct scan *sc)
{
    if (!sc->n_cells)
        return;
    struct bill_target *t = target_of(sc->t, sc->n, sc->subscriber_id);
    uint64_t at_ms = sc->bucket * 1000;
    if (t && t->is_rated && at_ms >= t->cycle.start_ms && at_ms < t->cycle.end_ms)
        rater_bucket(&t->rater, sc->bucket, sc->cells, sc->n_cells);
    sc->n_cells = 0;
}

/* The share read, of the current read's period and of the reads (one per target when there
 * are few), on the progress line. */
static void show_progress(struct scan *sc)
{
    uint64_t span = sc->to_s > sc->from_s ? sc->to_s - sc->from_s : 1;
    uint64_t done = sc->bucket > sc->from_s ? sc->bucket - sc->from_s : 0;
    done = done > span ? span : done;
    uint64_t permille = (sc->read * 1000 + done * 1000 / span) / sc->n_reads;
    progress_show(&sc->progress, sc->rows, permille, progress_clock_ms());
}

static void scan_row(void *ctx, const struct usage_result *r)
{
    struct scan *sc = ctx;
    uint64_t bucket = (uint64_t)r->period;
    if (bucket != sc->bucket || r->subscriber_id != sc->subscriber_id) {
        flush_cells(sc);
        sc->bucket = bucket;
        sc->subscriber_id = r->subscriber_id;
    }
    if (sc->n_cells == sc->cap_cells) {
        sc->cap_cells = sc->cap_cells ? 2 * sc->cap_cells : 64;
        sc->cells = xrealloc(sc->cells, sc->cap_cells * sizeof *sc->cells);
    }
    sc->cells[sc->n_cells++] =
        (struct rate_cell){rate_book_class(sc->book, r->class_name ? r->class_name : "default"),
                           r->dir, r->counts.bytes};
    if (++sc->rows % 65536 == 0 && sc->progress.out)
        show_progress(sc);
}

struct topup_ctx {
    struct bill_target *t;
    size_t n;
};

static void route_topup(void *ctx, const struct topup_row *tp)
{
    struct topup_ctx *c = ctx;
    struct bill_target *t = target_of(c->t, c->n, tp->subscriber_id);
    if (t && t->is_rated && tp->at_ms >= t->cycle.start_ms && tp->at_ms < t->cycle.end_ms)
        rater_topup(&t->rater, tp);
}

#define BILL_FEW 8 /* up to this many targets: one indexed read each, not a full scan */

int bill_rate(struct store *s, struct bill_target *t, size_t n, const struct bill_options *o,
              const char *what, char *errbuf)
{
    uint64_t from = UINT64_MAX, to = 0;
    for (size_t i = 0; i < n; i++) {
        if (!t[i].is_rated)
            continue;
        from = t[i].cycle.start_ms < from ? t[i].cycle.start_ms : from;
        to = t[i].cycle.end_ms > to ? t[i].cycle.end_ms : to;
    }
    if (to == 0)
        return 0; /* nothing to rate */
    struct topup_ctx tc = {t, n};
    struct scan sc = {.t = t, .n = n, .from_s = from / 1000, .to_s = to / 1000};
    progress_start(&sc.progress, o->progress ? stderr : NULL, what, "rows", progress_clock_ms());
    for (size_t i = 0; i < n && !sc.book; i++) /* every rated target's rater holds it */
        sc.book = t[i].rater.book;
    int rc = 0;
    if (n <= BILL_FEW) {
        for (size_t i = 0; i < n; i++)
            sc.n_reads += t[i].is_rated;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (!t[i].is_rated)
                continue;
            struct usage_query q = {.from_ms = t[i].cycle.start_ms,
                                    .to_ms = t[i].cycle.end_ms,
                                    .subscriber_id = t[i].sub.id,
                                    .is_rating = true};
            sc.from_s = q.from_ms / 1000;
            sc.to_s = q.to_ms / 1000;
            rc = store_topup_list(s, t[i].sub.id, q.from_ms, q.to_ms, route_topup, &tc);
            if (rc == 0)
                rc = store_scan_usage(s, &q, scan_row, &sc);
            flush_cells(&sc);
            sc.bucket = 0;
            sc.read++;
        }
    } else {
        struct usage_query q = {
            .from_ms = from, .to_ms = to, .subscriber_id = -1, .is_rating = true};
        sc.n_reads = 1;
        rc = store_topup_list(s, -1, from, to, route_topup, &tc);
        if (rc == 0)
            rc = store_scan_usage(s, &q, scan_row, &sc);
        flush_cells(&sc);
    }
    if (rc == 0)
        progress_end(&sc.progress, sc.rows, progress_clock_ms());
    free(sc.cells);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading usage: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    for (size_t i = 0; i < n; i++)
        if (t[i].is_rated)
            rater_finish(&t[i].rater, &t[i].rating);
    return 0;
}

/* ---- choosing the cycles ---- */

/* The plan held at t_ms by the steps, or NULL. */
static const struct plan *plan_held(const struct rate_book *b, const struct plan_step *st, size_t n,
                                    uint64_t t_ms)
{
    const struct plan *p = NULL;
    for (size_t i = 0; i < n && st[i].start_ms <= t_ms; i++)
        p = st[i].plan[0] ? rate_book_plan(b, st[i].plan) : NULL;
    return p;
}

/* The cycle of a subscriber that starts in local month year-month: on the anchor day of
 * the plan held when the month begins (or, for one without a plan then, of the first plan
 * it takes in the month). Returns 0, or 1 when it held no plan in the month. */
static int cycle_in_month(const struct rate_book *b, const struct plan_step *st, size_t n, int year,
                          int month, struct cycle *out)
{
    struct cycle m, next;
    cycle_of_month(1, year, month, &m);
    cycle_of_month(1, year, month + 1, &next);
    const struct plan *p = plan_held(b, st, n, m.start_ms);
    for (size_t i = 0; i < n && !p; i++)
        if (st[i].start_ms >= m.start_ms && st[i].start_ms < next.start_ms && st[i].plan[0])
            p = rate_book_plan(b, st[i].plan);
    if (!p)
        return 1;
    cycle_of_month(p->anchor_day, year, month, out);
    return 0;
}

struct sub_list {
    struct subscriber *subs;
    size_t n;
};

static void add_sub(void *ctx, const struct subscriber *sub)
{
    struct sub_list *l = ctx;
    if ((l->n & (l->n - 1)) == 0)
        l->subs = xrealloc(l->subs, (l->n ? 2 * l->n : 1) * sizeof *l->subs);
    l->subs[l->n++] = *sub;
}

static int by_subscriber_id(const void *a, const void *b)
{
    const struct bill_target *x = a, *y = b;
    return (x->sub.id > y->sub.id) - (x->sub.id < y->sub.id);
}

struct invoice_list {
    struct invoice_row *rows;
    size_t n;
};

static void add_invoice(void *ctx, const struct invoice_row *inv)
{
    struct invoice_list *l = ctx;
    if ((l->n & (l->n - 1)) == 0)
        l->rows = xrealloc(l->rows, (l->n ? 2 * l->n : 1) * sizeof *l->rows);
    l->rows[l->n++] = *inv;
}

static int read_invoices(struct store *s, const char *cycle, const char *kind,
                         struct invoice_list *l, char *errbuf)
{
    memset(l, 0, sizeof *l);
    struct invoice_query q = {.cycle = cycle, .subscriber_id = -1, .kind = kind};
    if (store_invoice_list(s, &q, add_invoice, l) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading invoices: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    return 0;
}

static int by_invoice_subscriber(const void *a, const void *b)
{
    const struct invoice_row *x = a, *y = b;
    return (x->subscriber_id > y->subscriber_id) - (x->subscriber_id < y->subscriber_id);
}

/* The invoice of a subscriber in a list sorted by subscriber, or NULL. */
static const struct invoice_row *invoice_of(const struct invoice_list *l, int64_t subscriber_id)
{
    struct invoice_row key = {.subscriber_id = subscriber_id};
    return l->n ? bsearch(&key, l->rows, l->n, sizeof key, by_invoice_subscriber) : NULL;
}

/* The cycle an invoice billed, as a struct cycle. */
static void cycle_of_invoice(const struct invoice_row *inv, struct cycle *c)
{
    c->start_ms = inv->cycle_start_ms;
    c->end_ms = inv->cycle_end_ms;
    c->year = atoi(inv->cycle);
    c->month = atoi(inv->cycle + 5);
}

/* ---- late usage ---- */

/* What a subscriber's documents settled, per cycle and class. */
struct settled {
    struct invoice_usage *rows;
    size_t n;
};

static void add_settled(void *ctx, const struct invoice_usage *u)
{
    struct settled *st = ctx;
    if ((st->n & (st->n - 1)) == 0)
        st->rows = xrealloc(st->rows, (st->n ? 2 * st->n : 1) * sizeof *st->rows);
    st->rows[st->n++] = *u;
}

static uint64_t settled_bytes(const struct settled *st, const char *cycle, const char *class_name)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < st->n; i++)
        if (strcmp(st->rows[i].cycle, cycle) == 0 &&
            strcmp(st->rows[i].class_name, class_name) == 0)
            sum += st->rows[i].bytes;
    return sum;
}

/* A late target's classes whose usage now passes what was settled. */
struct late {
    struct rate_late_class *classes;
    size_t n;
    uint64_t settled_counted; /* bytes counting toward quota settled so far */
};

typedef void late_fn(void *ctx, struct bill_target *t, const struct late *l);

/* Calls fn for each rated late target (an invoiced cycle rated again now) with usage its
 * documents have not settled. */
static int late_each(struct store *s, struct rate_book *b, struct bill_target *t, size_t n,
                     late_fn *fn, void *ctx, char *errbuf)
{
    struct settled st = {0};
    struct late l = {0};
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!t[i].is_rated)
            continue;
        st.n = 0;
        if (store_invoice_usage_list(s, t[i].sub.id, add_settled, &st) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "reading settled usage: %s", s->ops->last_error(s));
            rc = ERR_STORE;
            break;
        }
        l.classes = xrealloc(l.classes, (t[i].rating.n_usage + 1) * sizeof *l.classes);
        l.n = 0;
        l.settled_counted = 0;
        for (size_t k = 0; k < t[i].rating.n_usage; k++) {
            const struct invoice_usage *u = &t[i].rating.usage[k];
            int c = rate_book_class(b, u->class_name);
            uint64_t was = settled_bytes(&st, u->cycle, u->class_name);
            if (b->classes[c].counts_toward_quota)
                l.settled_counted += was;
            if (u->bytes > was)
                l.classes[l.n++] = (struct rate_late_class){c, u->bytes - was};
        }
        if (l.n)
            fn(ctx, &t[i], &l);
    }
    free(l.classes);
    free(st.rows);
    return rc;
}

/* The invoiced cycles of one month rated again now, as targets; of only the subscribers
 * among `only` (sorted; NULL: all). The targets point into *inv. */
static int late_targets(struct store *s, struct rate_book *b, const struct bill_history *h,
                        const char *cycle, const struct bill_target *only, size_t n_only,
                        struct invoice_list *inv, struct bill_target **out, size_t *n_out,
                        char *errbuf)
{
    int rc = read_invoices(s, cycle, "invoice", inv, errbuf);
    if (rc != 0)
        return rc;
    struct bill_target *t = xcalloc(inv->n ? inv->n : 1, sizeof *t);
    size_t m = 0;
    for (size_t i = 0; i < inv->n; i++) {
        const struct invoice_row *row = &inv->rows[i];
        if (only && !target_of((struct bill_target *)only, n_only, row->subscriber_id))
            continue;
        t[m].sub.id = row->subscriber_id;
        snprintf(t[m].sub.account, sizeof t[m].sub.account, "%s", row->account);
        cycle_of_invoice(row, &t[m].cycle);
        t[m].invoice = row;
        m++;
    }
    qsort(t, m, sizeof *t, by_subscriber_id);
    for (size_t i = 0; i < m; i++)
        bill_target_init(&t[i], b, h);
    *out = t;
    *n_out = m;
    return 0;
}

/* Adds a late target's lines and settled usage to the invoice being closed. */
struct late_add {
    struct rate_book *book;
    struct bill_target *closing; /* sorted */
    size_t n_closing;
    size_t n_lines;
};

static void add_late(void *ctx, struct bill_target *lt, const struct late *l)
{
    struct late_add *la = ctx;
    struct bill_target *t = target_of(la->closing, la->n_closing, lt->sub.id);
    if (!t)
        return;
    uint64_t quota = lt->invoice->quota_bytes;
    size_t before = t->rating.n_lines;
    rate_late(la->book, rate_book_plan(la->book, lt->rating.plan), lt->invoice->cycle,
              quota > l->settled_counted ? quota - l->settled_counted : 0, lt->invoice->unlimited,
              l->classes, l->n, &t->rating);
    la->n_lines += t->rating.n_lines - before;
    t->rating.usage =
        xrealloc(t->rating.usage, (t->rating.n_usage + l->n) * sizeof *t->rating.usage);
    for (size_t k = 0; k < l->n; k++) {
        struct invoice_usage *u = &t->rating.usage[t->rating.n_usage++];
        memset(u, 0, sizeof *u);
        snprintf(u->cycle, sizeof u->cycle, "%s", lt->invoice->cycle);
        snprintf(u->class_name, sizeof u->class_name, "%s",
                 la->book->classes[l->classes[k].class_idx].name);
        u->bytes = l->classes[k].bytes;
    }
}

/* ---- issuing ---- */

/* The document of a target: its cycle as rated now (t->rating), the money of g (the
 * rating itself for an invoice, or a note's lines). */
static void invoice_from(const struct bill_target *t, const struct rating *g,
                         const struct rate_book *b, uint64_t now_ms, struct invoice_row *inv)
{
    memset(inv, 0, sizeof *inv);
    snprintf(inv->kind, sizeof inv->kind, "invoice");
    inv->subscriber_id = t->sub.id;
    snprintf(inv->account, sizeof inv->account, "%s", t->sub.account);
    snprintf(inv->name, sizeof inv->name, "%s", t->sub.name);
    snprintf(inv->plan, sizeof inv->plan, "%s", t->rating.plan);
    rate_cycle_name(t->cycle.year, t->cycle.month, inv->cycle);
    inv->cycle_start_ms = t->cycle.start_ms;
    inv->cycle_end_ms = t->cycle.end_ms;
    inv->used_bytes = t->rating.used_bytes;
    inv->quota_bytes = t->rating.quota_bytes;
    inv->unlimited = t->rating.unlimited;
    inv->subtotal_cents = g->subtotal_cents;
    inv->tax_cents = g->tax_cents;
    inv->total_cents = g->total_cents;
    inv->tax_rate_micro = b->tax_rate_micro;
    snprintf(inv->currency, sizeof inv->currency, "%s", b->currency);
    snprintf(inv->unit, sizeof inv->unit, "%s", b->unit);
    inv->issued_ms = now_ms;
}

/* Documents to issue in one transaction: each rated target's invoice, or (notes non-NULL)
 * notes[i] correcting target i's invoice. */
struct issue {
    struct bill_target *t;
    const struct rating *notes;
    size_t n;
    const struct rate_book *book;
    uint64_t now_ms;
    struct bill_result *res;
    char *errbuf;
};

static int issue_documents(struct store *s, void *ctx)
{
    struct issue *is = ctx;
    for (size_t i = 0; i < is->n; i++) {
        const struct bill_target *t = &is->t[i];
        const struct rating *g = is->notes ? &is->notes[i] : &t->rating;
        if (!t->is_rated || !g->n_lines)
            continue;
        struct invoice_row inv;
        invoice_from(t, g, is->book, is->now_ms, &inv);
        if (is->notes) { /* a note goes out under the invoice's names, and points at it */
            snprintf(inv.kind, sizeof inv.kind, "%s", g->total_cents < 0 ? "credit" : "debit");
            inv.refers_to = t->invoice->id;
            snprintf(inv.account, sizeof inv.account, "%s", t->invoice->account);
            snprintf(inv.name, sizeof inv.name, "%s", t->invoice->name);
        }
        int rc =
            store_invoice_issue(s, &inv, g->lines, g->n_lines, g->usage, g->n_usage, is->errbuf);
        if (rc == ERR_EXISTS && !is->notes) { /* another closer issued it since we looked */
            is->res->n_already++;
            continue;
        }
        if (rc != 0)
            return rc;
        is->res->n_issued++;
        is->res->total_cents += inv.total_cents;
    }
    return 0;
}

/* Issues is's documents in one transaction; none when it fails. */
static int issue_all(struct store *s, struct issue *is)
{
    int rc = store_transaction(s, issue_documents, is);
    if (rc != 0) {
        if (!is->errbuf[0])
            snprintf(is->errbuf, ERR_BUF_LEN, "issuing: %s", s->ops->last_error(s));
        is->res->n_issued = 0;
        is->res->total_cents = 0;
    }
    return rc;
}

/* Everything a run of close, rerate, preview or late shares. */
struct run {
    struct rate_book book;
    struct bill_history hist;
    struct sub_list subs;
};

static int run_open(struct store *s, const struct bill_options *o, struct run *r, char *errbuf)
{
    memset(r, 0, sizeof *r);
    int rc = rate_book_load(s, &r->book, o->unit, o->tax_rate_micro, o->currency, errbuf);
    if (rc == 0)
        rc = bill_history_load(s, &r->hist, errbuf);
    if (rc == 0 && store_subscriber_list(s, add_sub, &r->subs) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading subscribers: %s", s->ops->last_error(s));
        rc = ERR_STORE;
    }
    return rc;
}

static void run_close(struct run *r)
{
    rate_book_deinit(&r->book);
    bill_history_deinit(&r->hist);
    free(r->subs.subs);
}

/* Late lines of the invoiced cycles of the two months before year-month, for the closing
 * targets. */
static int add_late_lines(struct store *s, struct run *r, struct bill_target *t, size_t n, int year,
                          int month, const struct bill_options *o, struct bill_result *res,
                          char *errbuf)
{
    int rc = 0;
    for (int back = 1; back <= 2 && rc == 0; back++) {
        int y = year, m = month - back;
        if (m < 1) {
            m += 12;
            y--;
        }
        char cycle[8];
        struct invoice_list inv;
        struct bill_target *lt = NULL;
        size_t n_lt = 0;
        rc = late_targets(s, &r->book, &r->hist, rate_cycle_name(y, m, cycle), t, n, &inv, &lt,
                          &n_lt, errbuf);
        if (rc == 0 && n_lt)
            rc = bill_rate(s, lt, n_lt, o, "late usage", errbuf);
        struct late_add la = {&r->book, t, n, 0};
        if (rc == 0)
            rc = late_each(s, &r->book, lt, n_lt, add_late, &la, errbuf);
        res->n_late += la.n_lines;
        if (lt)
            bill_targets_free(lt, n_lt);
        free(inv.rows);
    }
    for (size_t i = 0; i < n; i++)
        if (t[i].is_rated)
            rating_total(&t[i].rating, r->book.tax_rate_micro);
    return rc;
}

int bill_close(struct store *s, int year, int month, const struct bill_options *o,
               struct bill_result *res, char *errbuf)
{
    memset(res, 0, sizeof *res);
    struct run r;
    struct invoice_list done = {0};
    char cycle[8];
    int rc = run_open(s, o, &r, errbuf);
    if (rc == 0)
        rc = read_invoices(s, rate_cycle_name(year, month, cycle), "invoice", &done, errbuf);
    if (done.n) /* one invoice per subscriber and cycle: looked up by subscriber below */
        qsort(done.rows, done.n, sizeof *done.rows, by_invoice_subscriber);
    struct bill_target *t = xcalloc(r.subs.n ? r.subs.n : 1, sizeof *t);
    size_t n = 0;
    for (size_t i = 0; rc == 0 && i < r.subs.n; i++) {
        const struct subscriber *sub = &r.subs.subs[i];
        size_t n_steps;
        const struct plan_step *st = bill_history_of(&r.hist, sub->id, &n_steps);
        struct cycle c;
        if (cycle_in_month(&r.book, st, n_steps, year, month, &c) != 0)
            res->n_no_plan++;
        else if (c.end_ms > o->now_ms)
            res->n_not_ended++;
        else if (invoice_of(&done, sub->id))
            res->n_already++;
        else {
            t[n].sub = *sub;
            t[n].cycle = c;
            if (bill_target_init(&t[n], &r.book, &r.hist) == 0)
                n++;
            else {
                rater_deinit(&t[n].rater);
                res->n_no_plan++;
            }
        }
    }
    qsort(t, n, sizeof *t, by_subscriber_id);
    if (rc == 0 && n)
        rc = bill_rate(s, t, n, o, "closing", errbuf);
    if (rc == 0 && n)
        rc = add_late_lines(s, &r, t, n, year, month, o, res, errbuf);
    if (rc == 0 && n) {
        struct issue is = {t, NULL, n, &r.book, o->now_ms, res, errbuf};
        rc = issue_all(s, &is);
    }
    bill_targets_free(t, n);
    free(done.rows);
    run_close(&r);
    return rc;
}

/* ---- preview ---- */

int bill_preview(struct store *s, const char *account, int year, int month,
                 const struct bill_options *o, bill_preview_fn *fn, void *ctx, char *errbuf)
{
    struct run r;
    int rc = run_open(s, o, &r, errbuf);
    struct bill_target *t = xcalloc(r.subs.n ? r.subs.n : 1, sizeof *t);
    size_t n = 0;
    bool found = false;
    for (size_t i = 0; rc == 0 && i < r.subs.n; i++) {
        const struct subscriber *sub = &r.subs.subs[i];
        if (account && strcmp(sub->account, account) != 0)
            continue;
        found = true;
        size_t n_steps;
        const struct plan_step *st = bill_history_of(&r.hist, sub->id, &n_steps);
        struct cycle c;
        if (year == 0) {
            const struct plan *p = plan_held(&r.book, st, n_steps, o->now_ms);
            if (!p)
                continue;
            cycle_at(p->anchor_day, o->now_ms, 0, &c);
        } else if (cycle_in_month(&r.book, st, n_steps, year, month, &c) != 0)
            continue;
        t[n].sub = *sub;
        t[n].cycle = c;
        if (bill_target_init(&t[n], &r.book, &r.hist) == 0)
            n++;
        else
            rater_deinit(&t[n].rater);
    }
    if (rc == 0 && account && !found) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        rc = ERR_NOT_FOUND;
    }
    qsort(t, n, sizeof *t, by_subscriber_id);
    if (rc == 0)
        rc = bill_rate(s, t, n, o, "rating", errbuf);
    for (size_t i = 0; rc == 0 && i < n; i++)
        fn(ctx, &t[i].sub, &t[i].cycle, &t[i].rating);
    bill_targets_free(t, n);
    run_close(&r);
    return rc;
}

/* ---- late usage, listed ---- */

struct late_list {
    struct rate_book *book;
    bill_late_fn *fn;
    void *ctx;
};

static void list_late(void *ctx, struct bill_target *t, const struct late *l)
{
    struct late_list *ll = ctx;
    for (size_t k = 0; k < l->n; k++) {
        struct bill_late_row row = {t->sub.account, t->invoice->cycle,
                                    ll->book->classes[l->classes[k].class_idx].name,
                                    l->classes[k].bytes};
        ll->fn(ll->ctx, &row);
    }
}

int bill_late(struct store *s, int year, int month, const struct bill_options *o, bill_late_fn *fn,
              void *ctx, char *errbuf)
{
    struct run r;
    struct invoice_list inv = {0};
    struct bill_target *t = NULL;
    size_t n = 0;
    char cycle[8];
    int rc = run_open(s, o, &r, errbuf);
    if (rc == 0)
        rc = late_targets(s, &r.book, &r.hist, rate_cycle_name(year, month, cycle), NULL, 0, &inv,
                          &t, &n, errbuf);
    if (rc == 0 && n)
        rc = bill_rate(s, t, n, o, "late usage", errbuf);
    struct late_list ll = {&r.book, fn, ctx};
    if (rc == 0)
        rc = late_each(s, &r.book, t, n, list_late, &ll, errbuf);
    if (t)
        bill_targets_free(t, n);
    free(inv.rows);
    run_close(&r);
    return rc;
}

/* ---- re-rating ---- */

/* What a cycle was billed (or is rated now) for one kind of charge: plan, topup, burst,
 * or usage of one class. */
struct group {
    char kind[12];
    char class_name[33];
    int64_t was_cents, now_cents;
    uint64_t was_bytes, now_bytes;
};

struct groups {
    struct group g[128];
    size_t n;
};

static struct group *group_of(struct groups *gs, const struct invoice_line *l)
{
    const char *cls = strcmp(l->kind, "usage") == 0 ? l->class_name : "";
    for (size_t i = 0; i < gs->n; i++)
        if (strcmp(gs->g[i].kind, l->kind) == 0 && strcmp(gs->g[i].class_name, cls) == 0)
            return &gs->g[i];
    if (gs->n == sizeof gs->g / sizeof gs->g[0])
        return NULL;
    struct group *g = &gs->g[gs->n++];
    memset(g, 0, sizeof *g);
    snprintf(g->kind, sizeof g->kind, "%s", l->kind);
    snprintf(g->class_name, sizeof g->class_name, "%s", cls);
    return g;
}

static void add_billed(void *ctx, const struct invoice_line *l)
{
    struct group *g = group_of(ctx, l);
    if (g) {
        g->was_cents += l->amount_cents;
        g->was_bytes += l->bytes;
    }
}

/* The note correcting one invoiced cycle: a line per kind of charge whose amount changed.
 * Returns the number of lines. */
static size_t note_lines(struct store *s, struct bill_target *t, struct rating *note, int *rc,
                         char *errbuf)
{
    struct groups gs = {.n = 0};
    if (store_invoice_lines_of_cycle(s, t->sub.id, t->invoice->cycle, add_billed, &gs) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading what %s was billed: %s", t->invoice->cycle,
                 s->ops->last_error(s));
        *rc = ERR_STORE;
        return 0;
    }
    for (size_t i = 0; i < t->rating.n_lines; i++) {
        struct group *g = group_of(&gs, &t->rating.lines[i]);
        if (g) {
            g->now_cents += t->rating.lines[i].amount_cents;
            g->now_bytes += t->rating.lines[i].bytes;
        }
    }
    memset(note, 0, sizeof *note);
    for (size_t i = 0; i < gs.n; i++) {
        const struct group *g = &gs.g[i];
        if (g->now_cents == g->was_cents)
            continue;
        struct invoice_line l = {0};
        snprintf(l.kind, sizeof l.kind, "%s", g->kind);
        snprintf(l.class_name, sizeof l.class_name, "%s", g->class_name);
        snprintf(l.cycle, sizeof l.cycle, "%s", t->invoice->cycle);
        l.bytes = g->now_bytes > g->was_bytes ? g->now_bytes - g->was_bytes : 0;
        snprintf(l.quantity, sizeof l.quantity, "1");
        l.amount_cents = g->now_cents - g->was_cents;
        char was[32], now[32];
        snprintf(l.text, sizeof l.text, "Correction of %s%s%s for %s: %s billed, %s now", g->kind,
                 g->class_name[0] ? " " : "", g->class_name, t->invoice->cycle,
                 units_format_cents(g->was_cents, was), units_format_cents(g->now_cents, now));
        l.unit_price_micro = l.amount_cents * 10000;
        rating_add_line(note, &l);
    }
    return note->n_lines;
}

/* The usage a note settles: what the cycle holds now beyond what was settled. */
static int note_usage(struct store *s, const struct bill_target *t, struct rating *note,
                      char *errbuf)
{
    struct settled st = {0};
    if (store_invoice_usage_list(s, t->sub.id, add_settled, &st) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading settled usage: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    for (size_t k = 0; k < t->rating.n_usage; k++) {
        const struct invoice_usage *u = &t->rating.usage[k];
        uint64_t was = settled_bytes(&st, u->cycle, u->class_name);
        if (u->bytes <= was)
            continue;
        note->usage = xrealloc(note->usage, (note->n_usage + 1) * sizeof *note->usage);
        note->usage[note->n_usage] = *u;
        note->usage[note->n_usage++].bytes = u->bytes - was;
    }
    free(st.rows);
    return 0;
}

int bill_rerate(struct store *s, int year, int month, const struct bill_options *o,
                struct bill_result *res, char *errbuf)
{
    memset(res, 0, sizeof *res);
    struct run r;
    struct invoice_list inv = {0};
    struct bill_target *t = NULL;
    size_t n = 0;
    char cycle[8];
    int rc = run_open(s, o, &r, errbuf);
    if (rc == 0)
        rc = late_targets(s, &r.book, &r.hist, rate_cycle_name(year, month, cycle), NULL, 0, &inv,
                          &t, &n, errbuf);
    if (rc == 0 && n)
        rc = bill_rate(s, t, n, o, "re-rating", errbuf);
    struct rating *notes = xcalloc(n ? n : 1, sizeof *notes);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (!t[i].is_rated) {
            res->n_no_plan++; /* removed since, or its plan history with it */
            continue;
        }
        if (note_lines(s, &t[i], &notes[i], &rc, errbuf) == 0) {
            res->n_already++;
            continue;
        }
        rc = note_usage(s, &t[i], &notes[i], errbuf);
        rating_total(&notes[i], r.book.tax_rate_micro);
    }
    if (rc == 0 && n) {
        struct issue is = {t, notes, n, &r.book, o->now_ms, res, errbuf};
        rc = issue_all(s, &is);
    }
    for (size_t i = 0; i < n; i++)
        rating_deinit(&notes[i]);
    free(notes);
    if (t)
        bill_targets_free(t, n);
    free(inv.rows);
    run_close(&r);
    return rc;
}
