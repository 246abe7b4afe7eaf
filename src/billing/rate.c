// SPDX-License-Identifier: MIT
// The rating rules, applied bucket by bucket. Usage of the cycle walks forward in time; in
// each bucket the classes are taken cheapest first, and those that count toward the quota
// use what is left of it before they are charged. Money is summed per class and price in
// bytes, and turned into cents once per line (money.c).
#include "rate.h"

#include "../base/err.h"
#include "../base/units.h"
#include "../base/xalloc.h"
#include "money.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SLOT_S 300 /* a 95th-percentile sample: five minutes */

/* ---- the book ---- */

struct book_load {
    struct rate_book *b;
    size_t cap_plans;
};

static void add_class(void *ctx, const struct class_row *c)
{
    struct rate_book *b = ((struct book_load *)ctx)->b;
    if (b->n_classes == b->cap_classes) {
        b->cap_classes = b->cap_classes ? 2 * b->cap_classes : 16;
        b->classes = xrealloc(b->classes, b->cap_classes * sizeof *b->classes);
    }
    b->classes[b->n_classes++] = *c;
}

static void add_plan(void *ctx, const struct plan *p)
{
    struct book_load *l = ctx;
    if (l->b->n_plans == l->cap_plans) {
        l->cap_plans = l->cap_plans ? 2 * l->cap_plans : 8;
        l->b->plans = xrealloc(l->b->plans, l->cap_plans * sizeof *l->b->plans);
    }
    l->b->plans[l->b->n_plans++] = *p;
}

int rate_book_load(struct store *s, struct rate_book *b, const char *unit, int64_t tax_rate_micro,
                   const char *currency, char *errbuf)
{
    memset(b, 0, sizeof *b);
    bool gib = strcmp(unit, "GiB") == 0;
    b->unit_bytes = gib ? (uint64_t)1 << 30 : 1000000000u;
    snprintf(b->unit, sizeof b->unit, "%s", gib ? "GiB" : "GB");
    b->tax_rate_micro = tax_rate_micro;
    snprintf(b->currency, sizeof b->currency, "%s", currency);
    int rc = store_classes_check(s, errbuf); /* no bill from a class list that is missing */
    if (rc != 0)
        return rc;
    struct book_load l = {.b = b};
    if (store_class_list(s, add_class, &l) != 0 || store_plan_list(s, add_plan, &l) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading classes and plans: %s", s->ops->last_error(s));
        rate_book_deinit(b);
        return ERR_STORE;
    }
    return 0;
}

void rate_book_deinit(struct rate_book *b)
{
    free(b->classes);
    free(b->plans);
    memset(b, 0, sizeof *b);
}

const struct plan *rate_book_plan(const struct rate_book *b, const char *name)
{
    for (size_t i = 0; i < b->n_plans; i++) /* a handful of plans: a scan is enough */
        if (strcmp(b->plans[i].name, name) == 0)
            return &b->plans[i];
    return NULL;
}

int rate_book_class(struct rate_book *b, const char *name)
{
    for (size_t i = 0; i < b->n_classes; i++)
        if (strcmp(b->classes[i].name, name) == 0)
            return (int)i;
    struct class_row c = {.counts_toward_quota = true};
    snprintf(c.name, sizeof c.name, "%s", name);
    struct book_load l = {.b = b};
    add_class(&l, &c);
    return (int)b->n_classes - 1;
}

/* The price per unit a class's bytes past the quota cost under plan p. */
static int64_t over_price(const struct rate_book *b, int class_idx, const struct plan *p)
{
    int64_t own = b->classes[class_idx].price_micro_per_gb;
    return own > 0 ? own : p->overage_micro_per_gb;
}

/* The price a class's bytes are charged at from the first byte (not counting toward
 * quota), or past the quota. */
static int64_t class_price(const struct rate_book *b, int class_idx, const struct plan *p)
{
    return b->classes[class_idx].counts_toward_quota ? over_price(b, class_idx, p)
                                                     : b->classes[class_idx].price_micro_per_gb;
}

/* ---- the rater ---- */

const char *rate_cycle_name(int year, int month, char *buf)
{
    snprintf(buf, 8, "%04u-%02u", (unsigned)year % 10000u, (unsigned)month % 100u);
    return buf;
}

const char *rate_local_date(uint64_t ms, char *buf)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 11, "%Y-%m-%d", &tm);
    return buf;
}

static uint64_t prorate_bytes(uint64_t bytes, uint64_t held_ms, uint64_t cycle_ms)
{
    return (uint64_t)((unsigned __int128)bytes * held_ms / cycle_ms);
}

int rater_init(struct rater *r, struct rate_book *book, int64_t subscriber_id,
               const struct cycle *cycle, const struct plan_step *steps, size_t n_steps)
{
    memset(r, 0, sizeof *r);
    r->book = book;
    r->subscriber_id = subscriber_id;
    r->cycle = *cycle;
    rate_cycle_name(cycle->year, cycle->month, r->cycle_name);
    r->unlimited = true;
    bool any_plan = false, burst = false;
    uint64_t start = cycle->start_ms, end = cycle->end_ms;
    for (size_t i = 0; i < n_steps; i++) {
        uint64_t from = steps[i].start_ms, to = i + 1 < n_steps ? steps[i + 1].start_ms : end;
        if (from < start)
            from = start;
        if (to > end)
            to = end;
        if (from >= to)
            continue;
        const struct plan *p = steps[i].plan[0] ? rate_book_plan(book, steps[i].plan) : NULL;
        struct rate_part *last = r->n_parts ? &r->parts[r->n_parts - 1] : NULL;
        if (last && last->plan == p && last->to_ms == from) {
            last->to_ms = to; /* the same plan again: one part */
            continue;
        }
        if (r->n_parts == RATE_MAX_PARTS)
            break;
        r->parts[r->n_parts++] = (struct rate_part){p, from, to};
    }
    for (size_t i = 0; i < r->n_parts; i++) {
        const struct rate_part *pt = &r->parts[i];
        if (!pt->plan)
            continue;
        any_plan = true;
        burst |= pt->plan->burstable;
        if (!pt->plan->unlimited) {
            r->unlimited = false;
            r->quota_bytes +=
                prorate_bytes(pt->plan->quota_bytes, pt->to_ms - pt->from_ms, end - start);
        }
    }
    r->pool_left = r->quota_bytes;
    if (burst) {
        r->slots_from_s = (start / 1000 + SLOT_S - 1) / SLOT_S * SLOT_S;
        uint64_t to_s = (end / 1000 + SLOT_S - 1) / SLOT_S * SLOT_S;
        r->n_slots = to_s > r->slots_from_s ? (size_t)((to_s - r->slots_from_s) / SLOT_S) : 0;
        r->slot_in = xcalloc(r->n_slots + 1, sizeof *r->slot_in);
        r->slot_out = xcalloc(r->n_slots + 1, sizeof *r->slot_out);
    }
    return any_plan ? 0 : 1;
}

void rater_deinit(struct rater *r)
{
    free(r->topups);
    free(r->charges);
    free(r->billable);
    free(r->slot_in);
    free(r->slot_out);
    memset(r, 0, sizeof *r);
}

void rater_topup(struct rater *r, const struct topup_row *t)
{
    r->topups = xrealloc(r->topups, (r->n_topups + 1) * sizeof *r->topups);
    r->topups[r->n_topups++] = *t;
    r->quota_bytes += t->bytes;
    r->pool_left += t->bytes;
}

static void charge(struct rater *r, int class_idx, int64_t price, uint64_t bytes)
{
    for (size_t i = 0; i < r->n_charges; i++) {
        struct rate_charge *c = &r->charges[i];
        if (c->class_idx == class_idx && c->price_micro == price) {
            c->bytes += bytes;
            return;
        }
    }
    r->charges = xrealloc(r->charges, (r->n_charges + 1) * sizeof *r->charges);
    r->charges[r->n_charges++] = (struct rate_charge){class_idx, price, bytes};
}

static void add_billable(struct rater *r, int class_idx, uint64_t bytes)
{
    if ((size_t)class_idx >= r->n_billable) {
        size_t n =
            r->book->n_classes > (size_t)class_idx ? r->book->n_classes : (size_t)class_idx + 1;
        r->billable = xrealloc(r->billable, n * sizeof *r->billable);
        memset(r->billable + r->n_billable, 0, (n - r->n_billable) * sizeof *r->billable);
        r->n_billable = n;
    }
    r->billable[class_idx] += bytes;
}

/* A class's bytes in one bucket, and what they cost past the quota. */
struct bucket_class {
    int class_idx;
    int64_t price;
    uint64_t bytes;
};

static int by_price_then_name(const void *a, const void *b)
{
    const struct bucket_class *x = a, *y = b;
    if (x->price != y->price)
        return x->price < y->price ? -1 : 1;
    return (x->class_idx > y->class_idx) - (x->class_idx < y->class_idx); /* book: by name */
}

static const struct rate_part *part_at(struct rater *r, uint64_t t_ms)
{
    while (r->part_cursor < r->n_parts && r->parts[r->part_cursor].to_ms <= t_ms)
        r->part_cursor++;
    if (r->part_cursor < r->n_parts && r->parts[r->part_cursor].from_ms <= t_ms)
        return &r->parts[r->part_cursor];
    return NULL;
}

static bool dir_counts(const struct plan *p, enum flow_dir d)
{
    if (d == FLOW_DIR_IN)
        return strcmp(p->quota_dirs, "in") == 0 || strcmp(p->quota_dirs, "both") == 0;
    if (d == FLOW_DIR_OUT)
        return strcmp(p->quota_dirs, "out") == 0 || strcmp(p->quota_dirs, "both") == 0;
    return false; /* internal and transit never */
}

/* Takes a class's counted bytes through the quota, charging what does not fit. */
static void take_quota(struct rater *r, const struct plan *p, const struct bucket_class *bc)
{
    const struct class_row *c = &r->book->classes[bc->class_idx];
    if (!c->counts_toward_quota) {
        charge(r, bc->class_idx, bc->price, bc->bytes);
        return;
    }
    r->used_bytes += bc->bytes;
    if (p->unlimited)
        return;
    uint64_t fit = bc->bytes < r->pool_left ? bc->bytes : r->pool_left;
    r->pool_left -= fit;
    if (bc->bytes > fit)
        charge(r, bc->class_idx, bc->price, bc->bytes - fit);
}

void rater_bucket(struct rater *r, uint64_t bucket_s, const struct rate_cell *cells, size_t n)
{
    if (r->n_slots && bucket_s >= r->slots_from_s) {
        uint64_t slot = (bucket_s - r->slots_from_s) / SLOT_S;
        for (size_t i = 0; slot < r->n_slots && i < n; i++) {
            if (cells[i].dir == FLOW_DIR_IN)
                r->slot_in[slot] += cells[i].bytes;
            else if (cells[i].dir == FLOW_DIR_OUT)
                r->slot_out[slot] += cells[i].bytes;
        }
    }
    const struct rate_part *pt = part_at(r, bucket_s * 1000);
    if (!pt || !pt->plan)
        return; /* no plan held: nothing billed */
    struct bucket_class stack[16], *bcs = n <= 16 ? stack : xmalloc(n * sizeof *bcs);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (!dir_counts(pt->plan, cells[i].dir))
            continue;
        size_t j = 0;
        while (j < m && bcs[j].class_idx != cells[i].class_idx)
            j++;
        if (j == m)
            bcs[m++] = (struct bucket_class){cells[i].class_idx,
                                             class_price(r->book, cells[i].class_idx, pt->plan), 0};
        bcs[j].bytes += cells[i].bytes;
    }
    if (m > 1)
        qsort(bcs, m, sizeof *bcs, by_price_then_name);
    for (size_t j = 0; j < m; j++) {
        add_billable(r, bcs[j].class_idx, bcs[j].bytes);
        take_quota(r, pt->plan, &bcs[j]);
    }
    if (bcs != stack)
        free(bcs);
}

/* ---- lines ---- */

void rating_add_line(struct rating *g, const struct invoice_line *l)
{
    g->lines = xrealloc(g->lines, (g->n_lines + 1) * sizeof *g->lines);
    g->lines[g->n_lines] = *l;
    g->lines[g->n_lines].seq = (int)g->n_lines + 1;
    g->n_lines++;
}

void rating_total(struct rating *g, int64_t tax_rate_micro)
{
    g->subtotal_cents = 0;
    for (size_t i = 0; i < g->n_lines; i++)
        g->subtotal_cents += g->lines[i].amount_cents;
    g->tax_cents = money_tax_cents(g->subtotal_cents, tax_rate_micro);
    g->total_cents = g->subtotal_cents + g->tax_cents;
}

void rating_deinit(struct rating *g)
{
    free(g->lines);
    free(g->usage);
    memset(g, 0, sizeof *g);
}

static struct invoice_line line_of(const char *kind, const char *cycle)
{
    struct invoice_line l = {0};
    snprintf(l.kind, sizeof l.kind, "%s", kind);
    snprintf(l.cycle, sizeof l.cycle, "%s", cycle);
    return l;
}

static void plan_lines(const struct rater *r, struct rating *g)
{
    uint64_t len = r->cycle.end_ms - r->cycle.start_ms;
    for (size_t i = 0; i < r->n_parts; i++) {
        const struct rate_part *pt = &r->parts[i];
        if (!pt->plan)
            continue;
        uint64_t held = pt->to_ms - pt->from_ms;
        struct invoice_line l = line_of("plan", r->cycle_name);
        money_decimal(held, len, 6, l.quantity);
        l.unit_price_micro = pt->plan->price_micro;
        l.amount_cents = money_round_cents((__int128)pt->plan->price_micro * held, len);
        if (held == len)
            snprintf(l.text, sizeof l.text, "Plan %s", pt->plan->name);
        else {
            char from[11], to[11];
            snprintf(l.text, sizeof l.text, "Plan %.60s, %s to %s", pt->plan->name,
                     rate_local_date(pt->from_ms, from), rate_local_date(pt->to_ms - 1, to));
        }
        rating_add_line(g, &l);
    }
}

static void topup_lines(const struct rater *r, struct rating *g)
{
    for (size_t i = 0; i < r->n_topups; i++) {
        const struct topup_row *t = &r->topups[i];
        struct invoice_line l = line_of("topup", r->cycle_name);
        char size[32], day[11];
        l.bytes = t->bytes;
        snprintf(l.quantity, sizeof l.quantity, "1");
        l.unit_price_micro = t->price_micro;
        l.amount_cents = money_round_cents(t->price_micro, 1);
        snprintf(l.text, sizeof l.text, "Top-up %s, %s", units_format_bytes(t->bytes, size),
                 rate_local_date(t->at_ms, day));
        rating_add_line(g, &l);
    }
}

static int by_class_then_price(const void *a, const void *b)
{
    const struct rate_charge *x = a, *y = b;
    if (x->class_idx != y->class_idx)
        return x->class_idx < y->class_idx ? -1 : 1;
    return (x->price_micro > y->price_micro) - (x->price_micro < y->price_micro);
}

/* A usage line: bytes of a class at a price per unit. */
static void usage_line(const struct rate_book *b, const char *cycle, const struct rate_charge *c,
                       const char *what, struct rating *g)
{
    struct invoice_line l = line_of("usage", cycle);
    const struct class_row *cls = &b->classes[c->class_idx];
    snprintf(l.class_name, sizeof l.class_name, "%s", cls->name);
    l.bytes = c->bytes;
    money_decimal(c->bytes, b->unit_bytes, 9, l.quantity);
    l.unit_price_micro = c->price_micro;
    l.amount_cents = money_round_cents((__int128)c->bytes * c->price_micro, b->unit_bytes);
    snprintf(l.text, sizeof l.text, "%s%s: %s", what,
             cls->counts_toward_quota ? "Traffic over quota" : "Traffic", cls->name);
    rating_add_line(g, &l);
}

static void usage_lines(struct rater *r, struct rating *g)
{
    if (r->n_charges)
        qsort(r->charges, r->n_charges, sizeof *r->charges, by_class_then_price);
    for (size_t i = 0; i < r->n_charges; i++)
        usage_line(r->book, r->cycle_name, &r->charges[i], "", g);
}

static int desc_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x < y) - (x > y);
}

/* The 95th percentile of samples [from, to) of one direction: the bytes of the sample,
 * and the index of the earliest sample holding it. */
static uint64_t percentile95(const uint64_t *samples, size_t from, size_t to, size_t *at)
{
    size_t n = to - from;
    uint64_t *sorted = xmalloc((n ? n : 1) * sizeof *sorted);
    memcpy(sorted, samples + from, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, desc_u64);
    uint64_t v = n ? sorted[n * 5 / 100] : 0; /* the top floor(5% of n) dropped */
    free(sorted);
    *at = from;
    for (size_t i = from; i < to; i++)
        if (samples[i] == v) {
            *at = i;
            break;
        }
    return v;
}

static void burst_line(const struct rater *r, const struct rate_part *pt, struct rating *g)
{
    const struct plan *p = pt->plan;
    size_t from =
        (size_t)((pt->from_ms / 1000 + SLOT_S - 1) / SLOT_S * SLOT_S - r->slots_from_s) / SLOT_S;
    size_t to =
        (size_t)((pt->to_ms / 1000 + SLOT_S - 1) / SLOT_S * SLOT_S - r->slots_from_s) / SLOT_S;
    if (to > r->n_slots)
        to = r->n_slots;
    if (from > to)
        from = to;
    size_t at_in, at_out, at;
    uint64_t in = percentile95(r->slot_in, from, to, &at_in);
    uint64_t out = percentile95(r->slot_out, from, to, &at_out);
    const char *dir = p->burst_dirs;
    uint64_t v = in;
    at = at_in;
    if (strcmp(dir, "out") == 0 || (strcmp(dir, "max") == 0 && out > in)) {
        v = out;
        at = at_out;
        dir = "out";
    } else
        dir = "in";
    /* bits over the five minutes, against the commitment's bits over five minutes */
    unsigned __int128 bits = (unsigned __int128)v * 8,
                      commit = (unsigned __int128)p->commit_bps * SLOT_S;
    unsigned __int128 excess = bits > commit ? bits - commit : 0;
    struct invoice_line l = line_of("burst", r->cycle_name);
    money_decimal(excess, (unsigned __int128)SLOT_S * 1000000, 6, l.quantity);
    l.unit_price_micro = p->price_micro_per_mbps;
    l.amount_cents =
        money_round_cents((__int128)excess * p->price_micro_per_mbps, (__int128)SLOT_S * 1000000);
    char rate[48], commit_text[48], when[32];
    money_decimal(bits, (unsigned __int128)SLOT_S * 1000000, 6, rate);
    money_decimal(p->commit_bps, 1000000, 6, commit_text);
    time_t t = (time_t)(r->slots_from_s + (uint64_t)at * SLOT_S);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    snprintf(l.text, sizeof l.text, "95th percentile %.24s Mbps %s at %.16s; commit %.24s Mbps",
             rate, dir, when, commit_text);
    rating_add_line(g, &l);
}

void rater_finish(struct rater *r, struct rating *g)
{
    memset(g, 0, sizeof *g);
    plan_lines(r, g);
    topup_lines(r, g);
    usage_lines(r, g);
    for (size_t i = 0; i < r->n_parts; i++)
        if (r->parts[i].plan && r->parts[i].plan->burstable)
            burst_line(r, &r->parts[i], g);
    for (size_t i = 0; i < r->n_billable; i++) {
        if (!r->billable[i])
            continue;
        g->usage = xrealloc(g->usage, (g->n_usage + 1) * sizeof *g->usage);
        struct invoice_usage *u = &g->usage[g->n_usage++];
        memset(u, 0, sizeof *u);
        snprintf(u->cycle, sizeof u->cycle, "%s", r->cycle_name);
        snprintf(u->class_name, sizeof u->class_name, "%s", r->book->classes[i].name);
        u->bytes = r->billable[i];
    }
    g->used_bytes = r->used_bytes;
    g->quota_bytes = r->quota_bytes;
    g->unlimited = r->unlimited;
    const struct rate_part *last = r->n_parts ? &r->parts[r->n_parts - 1] : NULL;
    snprintf(g->plan, sizeof g->plan, "%s", last && last->plan ? last->plan->name : "");
    rating_total(g, r->book->tax_rate_micro);
}

/* ---- late usage ---- */

void rate_late(struct rate_book *b, const struct plan *plan, const char *cycle, uint64_t quota_left,
               bool unlimited, const struct rate_late_class *late, size_t n, struct rating *g)
{
    if (!plan)
        return;
    struct bucket_class *bcs = xmalloc((n ? n : 1) * sizeof *bcs);
    for (size_t i = 0; i < n; i++)
        bcs[i] = (struct bucket_class){late[i].class_idx, class_price(b, late[i].class_idx, plan),
                                       late[i].bytes};
    qsort(bcs, n, sizeof *bcs, by_price_then_name);
    struct rate_charge *charges = xmalloc((n ? n : 1) * sizeof *charges);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t bytes = bcs[i].bytes;
        if (b->classes[bcs[i].class_idx].counts_toward_quota) {
            if (unlimited || plan->unlimited)
                continue;
            uint64_t fit = bytes < quota_left ? bytes : quota_left;
            quota_left -= fit;
            bytes -= fit;
        }
        if (bytes)
            charges[m++] = (struct rate_charge){bcs[i].class_idx, bcs[i].price, bytes};
    }
    qsort(charges, m, sizeof *charges, by_class_then_price);
    char what[32];
    snprintf(what, sizeof what, "Late for %s: ", cycle);
    for (size_t i = 0; i < m; i++)
        usage_line(b, cycle, &charges[i], what, g);
    free(charges);
    free(bcs);
}
