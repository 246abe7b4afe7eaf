// SPDX-License-Identifier: MIT
// Rating: one subscriber's billing cycle turned into invoice lines, by the rules the README
// states ("Rating rules"), in integers. A rater is fed the cycle's usage bucket by bucket in
// time order (so a month of every subscriber can be rated in one pass over the store) and
// then gives the lines, the quota figures and what it settled per class.
#ifndef FT_RATE_H
#define FT_RATE_H

#include "../store/store.h"
#include "cycles.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What rating needs that is the same for every subscriber: prices and terms. */
struct rate_book {
    struct class_row *classes; /* by name; classes the store never listed are added as
                                * rating meets them: price 0, counting toward quota */
    size_t n_classes, cap_classes;
    struct plan *plans; /* by name */
    size_t n_plans;
    uint64_t unit_bytes;    /* 10^9 (GB) or 2^30 (GiB) */
    char unit[4];           /* "GB" or "GiB" */
    int64_t tax_rate_micro; /* percent, in millionths */
    char currency[4];
};

/* Reads the classes and plans. unit: "GB" or "GiB". Returns 0 or a negative code with
 * errbuf. */
int rate_book_load(struct store *s, struct rate_book *b, const char *unit, int64_t tax_rate_micro,
                   const char *currency, char *errbuf);
void rate_book_deinit(struct rate_book *b);

/* The plan named name, or NULL. */
const struct plan *rate_book_plan(const struct rate_book *b, const char *name);

/* The index of the class named name, added when the book lacks it. */
int rate_book_class(struct rate_book *b, const char *name);

/* A stretch of the cycle under one plan (NULL: none). */
struct rate_part {
    const struct plan *plan;
    uint64_t from_ms, to_ms;
};

#define RATE_MAX_PARTS 32

/* Bytes charged at one price for one class. */
struct rate_charge {
    int class_idx;
    int64_t price_micro; /* per unit */
    uint64_t bytes;
};

/* One bucket's usage of one class in one direction, as the store scan gives it. */
struct rate_cell {
    int class_idx;
    enum flow_dir dir;
    uint64_t bytes;
};

struct rater {
    struct rate_book *book;
    int64_t subscriber_id;
    struct cycle cycle;
    char cycle_name[8]; /* YYYY-MM */
    struct rate_part parts[RATE_MAX_PARTS];
    size_t n_parts, part_cursor;
    bool unlimited; /* no part under a plan with a quota */
    uint64_t quota_bytes, pool_left, used_bytes;
    struct topup_row *topups;
    size_t n_topups;
    struct rate_charge *charges;
    size_t n_charges;
    uint64_t *billable; /* per class index (grown with the book) */
    size_t n_billable;
    uint64_t *slot_in, *slot_out; /* 5-minute samples, when a part is burstable */
    uint64_t slots_from_s;
    size_t n_slots;
};

/* Starts rating sub's cycle, held under the plan history steps (the subscriber's, by
 * start). Returns 0, or 1 when no plan was held in any part of the cycle (nothing to
 * bill: the rater is left empty, rater_deinit() is still fine). */
int rater_init(struct rater *r, struct rate_book *book, int64_t subscriber_id,
               const struct cycle *cycle, const struct plan_step *steps, size_t n_steps);
void rater_deinit(struct rater *r);

/* A top-up bought in the cycle: its bytes raise the quota, its price is a line. */
void rater_topup(struct rater *r, const struct topup_row *t);

/* One bucket's usage (buckets fed in ascending order; cells of one bucket in any order,
 * classes and directions may repeat: they are summed). */
void rater_bucket(struct rater *r, uint64_t bucket_s, const struct rate_cell *cells, size_t n);

/* The outcome of rating a cycle. Lines and usage are owned (rating_deinit()). */
struct rating {
    struct invoice_line *lines;
    size_t n_lines;
    struct invoice_usage *usage; /* bytes billable per class (the plan's directions) */
    size_t n_usage;
    uint64_t used_bytes, quota_bytes;
    bool unlimited;
    char plan[64]; /* the plan held at the cycle's end */
    int64_t subtotal_cents, tax_cents, total_cents;
};

/* Ends rating: the lines (plan parts, top-ups, usage per class and price, 95th
 * percentile), the totals and the settled usage. */
void rater_finish(struct rater *r, struct rating *out);

void rating_deinit(struct rating *g);

/* Adds a line to a rating (its seq given in order) and recomputes nothing. */
void rating_add_line(struct rating *g, const struct invoice_line *l);

/* Sums the lines into subtotal, tax (the book's rate) and total. */
void rating_total(struct rating *g, int64_t tax_rate_micro);

/* Late usage of an invoiced cycle, per class. */
struct rate_late_class {
    int class_idx;
    uint64_t bytes;
};

/* Lines for bytes that arrived after `inv` (an invoice of cycle inv->cycle) was issued: as
 * if they came at the end of that cycle, under `plan` (the one held at its end; NULL:
 * none, nothing charged): classes that count toward quota use what quota the cycle left
 * (quota_left), cheapest class first, the rest is charged at the class's price or the
 * plan's overage price; other classes from their first byte at their price. The lines
 * bill inv->cycle and are appended to *g. */
void rate_late(struct rate_book *b, const struct plan *plan, const char *cycle, uint64_t quota_left,
               bool unlimited, const struct rate_late_class *late, size_t n, struct rating *g);

/* "YYYY-MM", the name of the cycle starting in that local month; buf 8. Returns buf. */
const char *rate_cycle_name(int year, int month, char *buf);

/* A local date, YYYY-MM-DD; buf 11. Returns buf. */
const char *rate_local_date(uint64_t ms, char *buf);

#endif
