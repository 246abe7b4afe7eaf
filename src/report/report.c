// SPDX-License-Identifier: MIT
// The read model of usage: rows out of the store, grouped by the requested keys (the
// directions of one key in one row), sorted (addresses numerically, IPv4 first); the one
// place that turns a subscriber and a cycle into a period; a subscriber's quota.
#include "report.h"

#include "../base/xalloc.h"
#include "periods.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

bool report_key_used(unsigned group, enum report_key k)
{
    static const unsigned bits[REPORT_KEYS] = {USAGE_BY_SUBSCRIBER, USAGE_BY_HOST, USAGE_BY_CLASS,
                                               USAGE_BY_APP, USAGE_BY_DAY | USAGE_BY_HOUR};
    return group & bits[k];
}

static char *subscriber_text(const struct usage_result *r)
{
    char buf[32];
    if (r->account)
        return xstrdup(r->account);
    if (r->subscriber_id == USAGE_UNASSIGNED)
        return xstrdup("(unassigned)");
    snprintf(buf, sizeof buf, "(removed #%lld)", (long long)r->subscriber_id);
    return xstrdup(buf);
}

static bool same_key(const struct report_row *row, const char *const key[REPORT_KEYS])
{
    for (int k = 0; k < REPORT_KEYS; k++)
        if ((row->key[k] == NULL) != (key[k] == NULL) ||
            (key[k] && strcmp(row->key[k], key[k]) != 0))
            return false;
    return true;
}

static void collect(void *ctx, const struct usage_result *r)
{
    struct report_rows *rr = ctx;
    char *sub = report_key_used(rr->group, REPORT_KEY_SUBSCRIBER) ? subscriber_text(r) : NULL;
    char period[20];
    if (rr->group & USAGE_BY_HOUR)
        periods_hour_name(r->period, period);
    else if (rr->group & USAGE_BY_DAY)
        periods_day_name(r->period, period);
    const char *key[REPORT_KEYS] = {sub, r->host, r->class_name, r->app,
                                    report_key_used(rr->group, REPORT_KEY_PERIOD) ? period : NULL};
    /* Rows arrive ordered by key, so a key is either the last row's or a new one. */
    if (rr->n == 0 || !same_key(&rr->rows[rr->n - 1], key)) {
        if (rr->n == rr->cap) {
            rr->cap = rr->cap ? rr->cap * 2 : 256;
            rr->rows = xrealloc(rr->rows, rr->cap * sizeof *rr->rows);
        }
        struct report_row *row = &rr->rows[rr->n++];
        memset(row, 0, sizeof *row);
        for (int k = 0; k < REPORT_KEYS; k++)
            row->key[k] = key[k] ? xstrdup(key[k]) : NULL;
        if (!r->host || addr_parse(r->host, &row->host) != 0)
            memset(&row->host, 0xff, sizeof row->host);
    }
    /* added, not set: a local day that straddles a change of UTC offset comes in two
     * reads (merge_rows() joins them) */
    usage_counts_add(&rr->rows[rr->n - 1].dir[r->dir], &r->counts);
    free(sub);
}

static int cmp_text(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int cmp_row(const void *a, const void *b)
{
    const struct report_row *x = a, *y = b;
    int c = cmp_text(x->key[REPORT_KEY_SUBSCRIBER], y->key[REPORT_KEY_SUBSCRIBER]);
    if (c == 0)
        c = memcmp(x->host.b, y->host.b, 16);
    for (int k = REPORT_KEY_CLASS; c == 0 && k < REPORT_KEYS; k++)
        c = cmp_text(x->key[k], y->key[k]);
    return c;
}

/* Sums rows of equal keys, adjacent once sorted: a local day read in two offset spans. */
static void merge_rows(struct report_rows *rr)
{
    size_t out = 0;
    for (size_t i = 0; i < rr->n; i++) {
        struct report_row *r = &rr->rows[i];
        if (out > 0 && cmp_row(&rr->rows[out - 1], r) == 0 &&
            same_key(&rr->rows[out - 1], (const char *const *)r->key)) {
            for (int d = 0; d < FLOW_DIR_COUNT; d++)
                usage_counts_add(&rr->rows[out - 1].dir[d], &r->dir[d]);
            for (int k = 0; k < REPORT_KEYS; k++)
                free(r->key[k]);
            continue;
        }
        rr->rows[out++] = *r;
    }
    rr->n = out;
}

void report_rows_free(struct report_rows *rr)
{
    for (size_t i = 0; i < rr->n; i++)
        for (int k = 0; k < REPORT_KEYS; k++)
            free(rr->rows[i].key[k]);
    free(rr->rows);
    memset(rr, 0, sizeof *rr);
}

int report_usage_rows(struct store *st, const struct report_query *q, struct report_rows *rr,
                      char *errbuf)
{
    *rr = (struct report_rows){.group = q->group ? q->group : USAGE_BY_HOST};
    struct usage_query uq = {.from_ms = q->from_ms,
                             .to_ms = q->to_ms ? q->to_ms : UINT64_MAX,
                             .group = rr->group,
                             .subscriber_id = q->subscriber_id};
    /* By local day or hour: one read per span of one UTC offset (looked for up to ten
     * years from now; no flow ends later). */
    static _Thread_local struct offset_span spans[PERIODS_MAX_SPANS];
    size_t n_spans = 1;
    spans[0] = (struct offset_span){uq.from_ms, uq.to_ms, 0};
    if (report_key_used(rr->group, REPORT_KEY_PERIOD))
        n_spans = periods_offset_spans(uq.from_ms, uq.to_ms,
                                       (uint64_t)time(NULL) * 1000 + PERIODS_HORIZON_MS, spans);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n_spans; i++) {
        uq.from_ms = spans[i].from_ms;
        uq.to_ms = spans[i].to_ms;
        uq.utc_offset_s = spans[i].utc_offset_s;
        rc = store_read_usage(st, &uq, collect, rr);
    }
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "could not read usage: %s", st->ops->last_error(st));
        report_rows_free(rr);
        return rc;
    }
    if (rr->n > 1)
        qsort(rr->rows, rr->n, sizeof *rr->rows, cmp_row);
    merge_rows(rr);
    return 0;
}

/* The subscriber and its plan (anchor day 1 when it has none). */
static int subscriber_and_plan(struct store *s, const char *account, struct subscriber *sub,
                               struct plan *plan, char *errbuf)
{
    *plan = (struct plan){.anchor_day = 1};
    if (store_subscriber_get(s, account, sub) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        return ERR_NOT_FOUND;
    }
    if (sub->plan[0])
        store_plan_get(s, sub->plan, plan);
    return 0;
}

static int parse_cycle(const char *cycle, int anchor_day, uint64_t now_ms, struct cycle *c,
                       char *errbuf)
{
    if (cycle_parse(cycle, anchor_day, now_ms, c) == 0)
        return 0;
    snprintf(errbuf, ERR_BUF_LEN, "--cycle '%s': expected current, previous or YYYY-MM", cycle);
    return ERR_MALFORMED;
}

int report_scope(struct store *s, const char *account, const char *cycle, uint64_t now_ms,
                 struct report_query *q, char *errbuf)
{
    struct subscriber sub = {.id = -1};
    struct plan plan = {.anchor_day = 1};
    if (account) {
        int rc = subscriber_and_plan(s, account, &sub, &plan, errbuf);
        if (rc != 0)
            return rc;
    }
    q->subscriber_id = sub.id;
    if (!cycle)
        return 0;
    struct cycle c;
    int rc = parse_cycle(cycle, plan.anchor_day, now_ms, &c, errbuf);
    if (rc == 0) {
        q->from_ms = c.start_ms;
        q->to_ms = c.end_ms;
    }
    return rc;
}

static int quota_error(struct store *s, int rc, char *errbuf)
{
    if (rc == ERR_NOT_FOUND) /* the class list is missing: say so */
        return store_classes_check(s, errbuf) != 0 ? rc : ERR_STORE;
    snprintf(errbuf, ERR_BUF_LEN, "could not compute quotas: %s", s->ops->last_error(s));
    return rc;
}

int report_quota(struct store *s, const char *account, uint64_t at_ms, const char *cycle,
                 struct quota_usage *u, char *errbuf)
{
    struct subscriber sub;
    struct plan plan;
    int rc = subscriber_and_plan(s, account, &sub, &plan, errbuf);
    if (rc != 0)
        return rc;
    struct cycle c;
    if (cycle && (rc = parse_cycle(cycle, plan.anchor_day, at_ms, &c, errbuf)) != 0)
        return rc;
    if (cycle && at_ms > c.end_ms)
        at_ms = c.end_ms; /* a past cycle: the figures as of its end */
    rc = quota_usage_compute(s, &sub, at_ms, cycle ? &c : NULL, u);
    return rc ? quota_error(s, rc, errbuf) : 0;
}

struct over_ctx {
    struct store *s;
    uint64_t at_ms;
    void (*fn)(void *ctx, const struct quota_usage *u);
    void *ctx;
    int rc;
};

static void check_over(void *ctx, const struct subscriber *sub)
{
    struct over_ctx *oc = ctx;
    struct quota_usage u;
    if (oc->rc != 0 || strcmp(sub->status, "closed") == 0)
        return;
    oc->rc = quota_usage_compute(oc->s, sub, oc->at_ms, NULL, &u);
    if (oc->rc == 0 && quota_is_over(&u))
        oc->fn(oc->ctx, &u);
}

int report_over_quota(struct store *s, uint64_t at_ms,
                      void (*fn)(void *ctx, const struct quota_usage *u), void *ctx, char *errbuf)
{
    int rc = store_classes_check(s, errbuf);
    if (rc != 0)
        return rc;
    struct over_ctx oc = {.s = s, .at_ms = at_ms, .fn = fn, .ctx = ctx};
    rc = store_subscriber_list(s, check_over, &oc);
    if (rc == 0)
        rc = oc.rc;
    return rc ? quota_error(s, rc, errbuf) : 0;
}

int report_parse_group(const char *s, unsigned *group)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"subscriber", USAGE_BY_SUBSCRIBER},
                 {"host", USAGE_BY_HOST},
                 {"class", USAGE_BY_CLASS},
                 {"app", USAGE_BY_APP},
                 {"day", USAGE_BY_DAY},
                 {"hour", USAGE_BY_HOUR}};
    *group = 0;
    const char *p = s;
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t i = 0;
        while (i < sizeof names / sizeof names[0] &&
               (strlen(names[i].name) != len || strncmp(names[i].name, p, len) != 0))
            i++;
        if (i == sizeof names / sizeof names[0])
            return ERR_MALFORMED;
        *group |= names[i].bit;
        p += len + (p[len] == ',');
    }
    return *group ? 0 : ERR_MALFORMED;
}

bool report_is_demo(struct store *s)
{
    int64_t mark = 0;
    return store_meta_get(s, "demo", &mark) == 0 && mark == 1;
}

void report_note_demo(struct store *s, FILE *out)
{
    if (report_is_demo(s))
        fprintf(out, "flowtally: demo data: this store was made by `flowtally run --demo`; "
                     "nothing in it is real\n");
}
