// SPDX-License-Identifier: MIT
// Bills: closing a month's cycles into invoices, previewing a bill, finding usage that
// arrived after its cycle was invoiced, and re-rating a month into credit and debit notes.
// Each rates many subscribers' cycles in one pass over the store's usage (in time order,
// every subscriber at once) and issues documents through the store, which never changes
// one once issued.
#ifndef FT_BILL_H
#define FT_BILL_H

#include "../store/store.h"
#include "cycles.h"
#include "rate.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bill_options {
    const char *unit;       /* "GB" or "GiB" */
    int64_t tax_rate_micro; /* percent in millionths */
    const char *currency;
    uint64_t now_ms;
    bool progress; /* show progress on stderr (the caller checks it is a terminal) */
};

/* What closing (or re-rating) a month did. */
struct bill_result {
    size_t n_issued;     /* invoices (close) or notes (rerate) issued */
    size_t n_already;    /* close: invoiced before; rerate: nothing to correct */
    size_t n_not_ended;  /* close: the cycle has not ended yet */
    size_t n_no_plan;    /* close: no plan held in the cycle; rerate: subscriber removed */
    size_t n_late;       /* close: late lines added for earlier cycles */
    int64_t total_cents; /* sum of the totals issued */
};

/* Issues the invoices of the cycles that start in local month year-month and have ended by
 * o->now_ms, for every subscriber without one; each carries, as lines billing their own
 * cycle, the usage that reached the store after the invoices of the two cycles before were
 * issued. One transaction: every invoice or none. Returns 0 or a negative code with
 * errbuf. */
int bill_close(struct store *s, int year, int month, const struct bill_options *o,
               struct bill_result *res, char *errbuf);

/* Issues a credit or debit note for each invoice of the month whose cycle, rated again now
 * (today's prices and usage), differs from what its documents billed so far. */
int bill_rerate(struct store *s, int year, int month, const struct bill_options *o,
                struct bill_result *res, char *errbuf);

/* A bill as it would be: the cycle and its rating (lines, totals). */
typedef void bill_preview_fn(void *ctx, const struct subscriber *sub, const struct cycle *c,
                             const struct rating *g);

/* Rates without storing anything: the subscriber named account (NULL: every subscriber
 * with a plan), in the cycle starting in year-month (year 0: the cycle holding now). */
int bill_preview(struct store *s, const char *account, int year, int month,
                 const struct bill_options *o, bill_preview_fn *fn, void *ctx, char *errbuf);

/* Usage of an invoiced cycle that its documents have not billed yet. */
struct bill_late_row {
    const char *account;
    const char *cycle;
    const char *class_name;
    uint64_t bytes;
};
typedef void bill_late_fn(void *ctx, const struct bill_late_row *r);

/* Late usage of the invoices of the cycles starting in year-month, by account then class. */
int bill_late(struct store *s, int year, int month, const struct bill_options *o, bill_late_fn *fn,
              void *ctx, char *errbuf);

/* ---- shared by bill.c and rerate.c ---- */

/* One subscriber's cycle to rate. */
struct bill_target {
    struct subscriber sub;
    struct cycle cycle;
    struct rater rater;
    bool is_rated;                     /* rater_init() found a plan */
    struct rating rating;              /* after bill_rate() */
    const struct invoice_row *invoice; /* rerate and late: the invoice of that cycle */
};

/* A subscriber's plan history, read for all at once. */
struct bill_history {
    struct plan_step *steps; /* by subscriber id, then start */
    size_t n;
};
int bill_history_load(struct store *s, struct bill_history *h, char *errbuf);
void bill_history_deinit(struct bill_history *h);
/* The steps of one subscriber: *n of them from the returned one (NULL when none). */
const struct plan_step *bill_history_of(const struct bill_history *h, int64_t subscriber_id,
                                        size_t *n);

/* Starts a target's rater. Returns 0, or 1 when no plan was held in its cycle. */
int bill_target_init(struct bill_target *t, struct rate_book *b, const struct bill_history *h);

/* Rates targets (sorted by subscriber id, distinct): their top-ups and usage, one scan of
 * the store for all of them; each target's rating is filled in. what: a word for the
 * progress line. */
int bill_rate(struct store *s, struct bill_target *t, size_t n, const struct bill_options *o,
              const char *what, char *errbuf);

void bill_targets_free(struct bill_target *t, size_t n);

#endif
