// SPDX-License-Identifier: MIT
// The report reads what every other surface reads (report/ and the store's lists), so its
// numbers are the portal's. Exporters are judged against the counters the last report saw,
// kept in meta ("staff:EXPORTER:datagrams" and ":seq_lost").
#include "staff.h"

#include "../base/err.h"
#define LOG_TAG "staff"
#include "../base/log.h"
#include "../base/units.h"
#include "../base/xalloc.h"
#include "../report/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define META_DAY "staff_report_day"      /* YYYYMMDD of the last report queued */
#define META_LAST "staff_report_last_ms" /* when it was queued */

/* ---- the parts of the report ---- */

struct over {
    FILE *out;
    size_t n;
};

static void over_row(void *ctx, const struct quota_usage *u)
{
    struct over *o = ctx;
    FILE *out = o->out;
    o->n++;
    char used[32], quota[32];
    uint64_t pct = quota_percent_x100(u);
    fprintf(out, "  %-20s %-12s %12s of %-12s %llu.%02llu%%\n", u->sub.account, u->plan.name,
            units_format_bytes(u->used_bytes, used), units_format_bytes(u->plan.quota_bytes, quota),
            (unsigned long long)(pct / 100), (unsigned long long)(pct % 100));
}

struct alerts_since {
    FILE *out;
    uint64_t since_ms;
    size_t n;
};

static void alert_row(void *ctx, const struct alert_row *a)
{
    struct alerts_since *as = ctx;
    if (a->fired_ms < as->since_ms)
        return;
    time_t t = (time_t)(a->fired_ms / 1000);
    struct tm tm;
    char when[32];
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    fprintf(as->out, "  %-20s %-8s %s\n", a->account[0] ? a->account : "(removed)", a->level, when);
    as->n++;
}

static uint64_t row_total(const struct report_row *r)
{
    return r->dir[FLOW_DIR_IN].bytes + r->dir[FLOW_DIR_OUT].bytes;
}

static int by_total_desc(const void *a, const void *b)
{
    uint64_t x = row_total(*(const struct report_row *const *)a),
             y = row_total(*(const struct report_row *const *)b);
    return (x < y) - (x > y);
}

static int top_and_unassigned(struct store *s, const char *day, uint64_t from, uint64_t to,
                              FILE *out, char *errbuf)
{
    struct report_query q = {
        .from_ms = from, .to_ms = to, .group = USAGE_BY_SUBSCRIBER, .subscriber_id = -1};
    struct report_rows rows;
    int rc = report_usage_rows(s, &q, &rows, errbuf);
    if (rc != 0)
        return rc;
    const struct report_row **order = xmalloc((rows.n ? rows.n : 1) * sizeof *order);
    size_t n = 0;
    const struct report_row *unassigned = NULL;
    for (size_t i = 0; i < rows.n; i++) {
        if (strcmp(rows.rows[i].key[REPORT_KEY_SUBSCRIBER], "(unassigned)") == 0)
            unassigned = &rows.rows[i];
        else
            order[n++] = &rows.rows[i];
    }
    qsort(order, n, sizeof *order, by_total_desc);
    fprintf(out, "\nTop subscribers of %s:\n", day);
    char in[32], outb[32];
    for (size_t i = 0; i < n && i < 10; i++)
        fprintf(out, "  %-20s in %12s  out %12s\n", order[i]->key[REPORT_KEY_SUBSCRIBER],
                units_format_bytes(order[i]->dir[FLOW_DIR_IN].bytes, in),
                units_format_bytes(order[i]->dir[FLOW_DIR_OUT].bytes, outb));
    if (!n)
        fprintf(out, "  (no traffic)\n");
    fprintf(out, "\nUnassigned traffic of %s: in %s, out %s\n", day,
            units_format_bytes(unassigned ? unassigned->dir[FLOW_DIR_IN].bytes : 0, in),
            units_format_bytes(unassigned ? unassigned->dir[FLOW_DIR_OUT].bytes : 0, outb));
    free(order);
    report_rows_free(&rows);
    return 0;
}

/* Exporter counters summed over their streams. */
struct exporter {
    char name[64];
    uint64_t datagrams, seq_lost;
};

struct exporters {
    struct exporter e[256];
    size_t n;
};

static void add_stat(void *ctx, const struct stat_row *r)
{
    struct exporters *x = ctx;
    bool datagrams = strcmp(r->name, "records") == 0, lost = strcmp(r->name, "seq_lost") == 0;
    if (strcmp(r->exporter, "*") == 0 || (!datagrams && !lost))
        return;
    size_t i = 0;
    while (i < x->n && strcmp(x->e[i].name, r->exporter) != 0)
        i++;
    if (i == x->n) {
        if (x->n == sizeof x->e / sizeof x->e[0])
            return;
        memset(&x->e[x->n], 0, sizeof x->e[0]);
        snprintf(x->e[x->n++].name, sizeof x->e[0].name, "%s", r->exporter);
    }
    if (datagrams)
        x->e[i].datagrams += r->value;
    else
        x->e[i].seq_lost += r->value;
}

/* Exporters against what the last report saw: silent (no record since), or losing
 * records; and what they show now becomes the next report's baseline. */
static int exporters(struct store *s, FILE *out, char *errbuf)
{
    struct exporters *x = xcalloc(1, sizeof *x);
    int rc = s->ops->read_stats(s, add_stat, x);
    fprintf(out, "\nExporters (since the last report):\n");
    size_t shown = 0;
    for (size_t i = 0; rc == 0 && i < x->n; i++) {
        char key_r[128], key_l[128];
        snprintf(key_r, sizeof key_r, "staff:%s:records", x->e[i].name);
        snprintf(key_l, sizeof key_l, "staff:%s:seq_lost", x->e[i].name);
        int64_t was_r = -1, was_l = 0;
        store_meta_get(s, key_r, &was_r);
        store_meta_get(s, key_l, &was_l);
        if (was_r >= 0 && (uint64_t)was_r == x->e[i].datagrams) {
            fprintf(out, "  %-40s silent: no records\n", x->e[i].name);
            shown++;
        } else if (x->e[i].seq_lost > (uint64_t)was_l) {
            fprintf(out, "  %-40s lost %llu records\n", x->e[i].name,
                    (unsigned long long)(x->e[i].seq_lost - (uint64_t)was_l));
            shown++;
        }
        if (store_meta_set(s, key_r, (int64_t)x->e[i].datagrams) != 0 ||
            store_meta_set(s, key_l, (int64_t)x->e[i].seq_lost) != 0)
            rc = ERR_STORE;
    }
    if (!shown && rc == 0)
        fprintf(out, "  all sending, none losing records\n");
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "reading collector counters: %s", s->ops->last_error(s));
    free(x);
    return rc;
}

int staff_report_text(struct store *s, const char *day, uint64_t day_start_ms, uint64_t day_end_ms,
                      uint64_t since_ms, uint64_t now_ms, FILE *out, char *errbuf)
{
    fprintf(out, "Over quota now:\n");
    struct over o = {out, 0};
    int rc = report_over_quota(s, now_ms, over_row, &o, errbuf);
    if (rc != 0)
        return rc;
    if (!o.n)
        fprintf(out, "  (none)\n");
    fprintf(out, "\nCrossed a level since the last report:\n");
    struct alerts_since as = {out, since_ms, 0};
    if (store_alert_list(s, -1, NULL, alert_row, &as) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading alerts: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    if (!as.n)
        fprintf(out, "  (none)\n");
    rc = top_and_unassigned(s, day, day_start_ms, day_end_ms, out, errbuf);
    if (rc == 0)
        rc = exporters(s, out, errbuf);
    return rc;
}

/* ---- once a day ---- */

static uint64_t local_midnight_ms(const struct tm *day, int offset_days)
{
    struct tm tm = *day;
    tm.tm_mday += offset_days;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    return (uint64_t)mktime(&tm) * 1000;
}

struct report_values {
    const char *day, *operator_name, *body;
};

static void report_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct report_values *r = ctx;
    if (strcmp(name, "day") == 0)
        template_set_str(v, r->day);
    else if (strcmp(name, "operator") == 0)
        template_set_str(v, r->operator_name);
    else if (strcmp(name, "body") == 0)
        template_set_str(v, r->body);
}

struct queue_work {
    struct mail_row *m;
    int64_t day_key;
    uint64_t now_ms;
    char *errbuf;
    bool is_queued; /* by us, not by another collector first */
};

/* The report and the day it was queued for, in one transaction. */
static int queue_report(struct store *s, void *ctx)
{
    struct queue_work *w = ctx;
    int rc = store_mail_enqueue(s, w->m, w->errbuf);
    if (rc != 0 && rc != ERR_EXISTS) /* another collector queued it: the day is done too */
        return rc;
    if (store_meta_set(s, META_DAY, w->day_key) != 0 ||
        store_meta_set(s, META_LAST, (int64_t)w->now_ms) != 0)
        return ERR_STORE;
    w->is_queued = rc == 0;
    return 0; /* anything else rolls the transaction back */
}

int staff_report_due(struct store *s, const struct staff_config *c, uint64_t now_ms, char *errbuf)
{
    time_t now = (time_t)(now_ms / 1000);
    struct tm tm;
    localtime_r(&now, &tm);
    if (tm.tm_hour * 60 + tm.tm_min < c->at_minute)
        return 0;
    int64_t day_key = (int64_t)(tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
    int64_t done = 0;
    if (store_meta_get(s, META_DAY, &done) == 0 && done >= day_key)
        return 0;
    int64_t last = 0;
    store_meta_get(s, META_LAST, &last);
    uint64_t today = local_midnight_ms(&tm, 0), yesterday = local_midnight_ms(&tm, -1);
    char day[16], today_text[16];
    time_t y = (time_t)(yesterday / 1000);
    struct tm ytm;
    localtime_r(&y, &ytm);
    strftime(day, sizeof day, "%Y-%m-%d", &ytm);
    strftime(today_text, sizeof today_text, "%Y-%m-%d", &tm);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return -ENOMEM;
    int rc = staff_report_text(s, day, yesterday, today, (uint64_t)last, now_ms, f, errbuf);
    fclose(f);
    if (rc != 0) {
        free(text);
        return rc;
    }
    struct report_values rv = {day, c->from.name, text};
    char *subject = message_render(c->texts->subject, report_lookup, &rv, false);
    char *plain = message_render(c->texts->text, report_lookup, &rv, false);
    char event[64];
    snprintf(event, sizeof event, "report:%s", today_text);
    struct mail_row m;
    char *body = NULL;
    rc = message_build(&c->from, c->to, subject, plain, NULL, "report", event, now_ms, &m, &body,
                       errbuf);
    if (rc == 0) {
        struct queue_work w = {&m, day_key, now_ms, errbuf, false};
        rc = store_transaction(s, queue_report, &w);
        if (rc == 0 && w.is_queued) {
            log_info("daily report for %s queued to %s", day, c->to);
            rc = 1;
        }
    }
    free(body);
    free(subject);
    free(plain);
    free(text);
    return rc;
}
