// SPDX-License-Identifier: MIT
// Quota arithmetic in integers: percentages in hundredths, projections by 128-bit-safe
// ordering of multiplication and division.
#include "usage.h"

#include "../base/csv.h"
#include "../base/json.h"
#include "../base/units.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Classes that do not count toward quota, as the daemon stored them. */
struct free_classes {
    char names[64][33];
    size_t n;
};

static void collect_free(void *ctx, const struct class_row *c)
{
    struct free_classes *fc = ctx;
    if (!c->counts_toward_quota && fc->n < 64)
        snprintf(fc->names[fc->n++], sizeof fc->names[0], "%s", c->name);
}

static bool is_free(const struct free_classes *fc, const char *name)
{
    for (size_t i = 0; i < fc->n; i++)
        if (name && strcmp(fc->names[i], name) == 0)
            return true;
    return false;
}

struct sum_ctx {
    struct quota_usage *u;
    struct free_classes fc;
};

static void sum_class(void *ctx, const struct usage_result *r)
{
    struct sum_ctx *sc = ctx;
    struct quota_usage *u = sc->u;
    if (r->dir != FLOW_DIR_IN && r->dir != FLOW_DIR_OUT)
        return;
    uint64_t b = r->counts.bytes;
    if (r->dir == FLOW_DIR_IN)
        u->bytes_in += b;
    else
        u->bytes_out += b;
    const char *dirs = u->plan.quota_dirs;
    bool dir_counts = strcmp(dirs, "both") == 0 || (r->dir == FLOW_DIR_IN && !strcmp(dirs, "in")) ||
                      (r->dir == FLOW_DIR_OUT && !strcmp(dirs, "out"));
    if (dir_counts && !is_free(&sc->fc, r->class_name))
        u->used_bytes += b;
}

int quota_usage_compute(struct store *s, const struct subscriber *sub, uint64_t at_ms,
                        const struct cycle *cycle, struct quota_usage *out)
{
    memset(out, 0, sizeof *out);
    out->sub = *sub;
    out->at_ms = at_ms;
    out->has_plan = sub->plan[0] && store_plan_get(s, sub->plan, &out->plan) == 0;
    if (!out->has_plan) {
        out->plan.unlimited = true;
        out->plan.anchor_day = 1;
        snprintf(out->plan.quota_dirs, sizeof out->plan.quota_dirs, "both");
    }
    if (cycle)
        out->cycle = *cycle;
    else
        cycle_at(out->plan.anchor_day, at_ms, 0, &out->cycle);
    struct sum_ctx sc = {.u = out};
    char why[ERR_BUF_LEN];
    int rc = store_classes_check(s, why); /* no quota from a class list that is missing */
    if (rc != 0)
        return rc;
    if (store_class_list(s, collect_free, &sc.fc) != 0)
        return ERR_STORE;
    struct usage_query q = {.from_ms = out->cycle.start_ms,
                            .to_ms = out->cycle.end_ms,
                            .group = USAGE_BY_CLASS,
                            .subscriber_id = sub->id};
    return s->ops->read_usage(s, &q, sum_class, &sc);
}

uint64_t quota_usage_projected(const struct quota_usage *u)
{
    uint64_t start = u->cycle.start_ms, end = u->cycle.end_ms;
    if (u->at_ms <= start || u->at_ms >= end)
        return u->used_bytes;
    unsigned __int128 p = (unsigned __int128)u->used_bytes * (end - start) / (u->at_ms - start);
    return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

static void format_day(uint64_t ms, char *buf, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

/* Hundredths of a percent of used against quota. */
static uint64_t percent_x100(const struct quota_usage *u)
{
    if (u->plan.unlimited || u->plan.quota_bytes == 0)
        return 0;
    return (uint64_t)((unsigned __int128)u->used_bytes * 10000 / u->plan.quota_bytes);
}

static uint64_t remaining_bytes(const struct quota_usage *u)
{
    uint64_t quota = u->plan.quota_bytes;
    return u->plan.unlimited || u->used_bytes >= quota ? 0 : quota - u->used_bytes;
}

/* The members of a usage document (`usage --format json`, a row of --over-quota), into an
 * object the caller opened. */
static void json_quota(struct json *j, const struct quota_usage *u)
{
    char from[16], to[16], pct_text[32];
    uint64_t pct = percent_x100(u);
    format_day(u->cycle.start_ms, from, sizeof from);
    format_day(u->cycle.end_ms, to, sizeof to);
    snprintf(pct_text, sizeof pct_text, "%llu.%02llu", (unsigned long long)(pct / 100),
             (unsigned long long)(pct % 100));
    json_member_str(j, "account", u->sub.account);
    json_member_str(j, "plan", u->sub.plan);
    json_key(j, "quota_bytes");
    if (u->plan.unlimited)
        json_null(j);
    else
        json_u64(j, u->plan.quota_bytes);
    json_member_str(j, "quota_dirs", u->plan.quota_dirs);
    json_member_str(j, "cycle_start", from);
    json_member_str(j, "cycle_end", to);
    json_member_u64(j, "used_bytes", u->used_bytes);
    json_member_u64(j, "remaining_bytes", remaining_bytes(u));
    json_member_str(j, "percent", pct_text);
    json_member_u64(j, "projected_bytes", quota_usage_projected(u));
    json_member_u64(j, "bytes_in", u->bytes_in);
    json_member_u64(j, "bytes_out", u->bytes_out);
}

static void print_quota(const struct quota_usage *u, FILE *out)
{
    char a[32], b[32], c[32], from[16], to[16];
    uint64_t pct = percent_x100(u), proj = quota_usage_projected(u);
    uint64_t quota = u->plan.quota_bytes;
    uint64_t remaining = remaining_bytes(u);
    format_day(u->cycle.start_ms, from, sizeof from);
    format_day(u->cycle.end_ms, to, sizeof to);
    fprintf(out, "account:   %s%s%s%s\n", u->sub.account, u->sub.name[0] ? " (" : "", u->sub.name,
            u->sub.name[0] ? ")" : "");
    if (u->plan.unlimited)
        fprintf(out, "plan:      %s, no quota\n", u->has_plan ? u->plan.name : "(none)");
    else
        fprintf(out, "plan:      %s, %s per cycle (%s)\n", u->plan.name,
                report_human_bytes(quota, a), u->plan.quota_dirs);
    fprintf(out, "cycle:     %s to %s (local time)\n", from, to);
    if (u->plan.unlimited)
        fprintf(out, "used:      %s\n", report_human_bytes(u->used_bytes, a));
    else
        fprintf(out, "used:      %s of %s (%llu.%02llu%%), %s remaining\n",
                report_human_bytes(u->used_bytes, a), report_human_bytes(quota, b),
                (unsigned long long)(pct / 100), (unsigned long long)(pct % 100),
                report_human_bytes(remaining, c));
    fprintf(out, "projected: %s by %s at the rate so far\n", report_human_bytes(proj, a), to);
}

int report_account_usage(const char *db, const char *account, uint64_t at_ms,
                         const char *cycle_spec, enum report_format f, FILE *out, char *errbuf)
{
    struct store *s = store_open(db, true, errbuf);
    if (!s)
        return ERR_STORE;
    if (store_classes_check(s, errbuf) != 0) {
        store_close(s);
        return ERR_STORE;
    }
    struct subscriber sub;
    struct quota_usage u;
    struct cycle cyc;
    int rc = store_subscriber_get(s, account, &sub);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        goto out;
    }
    rc = quota_usage_compute(s, &sub, at_ms, NULL, &u);
    if (rc == 0 && cycle_spec) {
        if (cycle_parse(cycle_spec, u.plan.anchor_day, at_ms, &cyc) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "--cycle '%s': expected current, previous or YYYY-MM",
                     cycle_spec);
            rc = ERR_MALFORMED;
            goto out;
        }
        uint64_t at = at_ms < cyc.end_ms ? at_ms : cyc.end_ms;
        rc = quota_usage_compute(s, &sub, at, &cyc, &u);
    }
    if (rc != 0)
        goto out;
    if (f == REPORT_JSON) {
        struct json j;
        json_init(&j, out);
        json_object_begin(&j);
        json_quota(&j, &u);
        json_object_end(&j);
        fputc('\n', out);
    } else
        print_quota(&u, out);
    store_close(s);
    s = NULL;
    /* the breakdowns, through the general report over the same cycle */
    struct report_query q = {.db = db,
                             .from_ms = u.cycle.start_ms,
                             .to_ms = u.cycle.end_ms,
                             .format = f,
                             .subscriber_id = sub.id};
    if (f == REPORT_TABLE) {
        fprintf(out, "\nby class:\n");
        q.group = USAGE_BY_CLASS;
        rc = report_usage(&q, out, errbuf);
        fprintf(out, "\nby application:\n");
        q.group = USAGE_BY_APP;
        if (rc == 0)
            rc = report_usage(&q, out, errbuf);
    }
out:
    store_close(s);
    return rc;
}

struct over_ctx {
    struct store *s;
    uint64_t at_ms;
    enum report_format f;
    FILE *out;
    struct json json;
    struct csv csv;
    int rc;
};

static void check_over(void *ctx, const struct subscriber *sub)
{
    struct over_ctx *oc = ctx;
    struct quota_usage u;
    if (oc->rc != 0 || strcmp(sub->status, "closed") == 0)
        return;
    oc->rc = quota_usage_compute(oc->s, sub, oc->at_ms, NULL, &u);
    if (oc->rc != 0 || u.plan.unlimited || u.used_bytes <= u.plan.quota_bytes)
        return;
    char a[32], b[32], pct_text[32];
    uint64_t pct = percent_x100(&u);
    snprintf(pct_text, sizeof pct_text, "%llu.%02llu", (unsigned long long)(pct / 100),
             (unsigned long long)(pct % 100));
    if (oc->f == REPORT_CSV) {
        csv_text(&oc->csv, sub->account);
        csv_text(&oc->csv, sub->plan);
        csv_u64(&oc->csv, u.used_bytes);
        csv_u64(&oc->csv, u.plan.quota_bytes);
        csv_number(&oc->csv, pct_text);
        csv_end_row(&oc->csv);
    } else if (oc->f == REPORT_JSON) {
        json_object_begin(&oc->json);
        json_quota(&oc->json, &u);
        json_object_end(&oc->json);
    } else
        fprintf(oc->out, "%-16s %-12s %12s %12s %7llu.%02llu%%\n", sub->account, sub->plan,
                report_human_bytes(u.used_bytes, a), report_human_bytes(u.plan.quota_bytes, b),
                (unsigned long long)(pct / 100), (unsigned long long)(pct % 100));
}

int report_over_quota(const char *db, uint64_t at_ms, enum report_format f, FILE *out, char *errbuf)
{
    struct store *s = store_open(db, true, errbuf);
    if (!s)
        return ERR_STORE;
    if (store_classes_check(s, errbuf) != 0) {
        store_close(s);
        return ERR_STORE;
    }
    static const char *const columns[] = {"subscriber",  "plan",    "used_bytes",
                                          "quota_bytes", "percent", NULL};
    struct over_ctx oc = {.s = s, .at_ms = at_ms, .f = f, .out = out};
    json_init(&oc.json, out);
    csv_init(&oc.csv, out);
    if (f == REPORT_CSV)
        csv_header(&oc.csv, columns);
    else if (f == REPORT_JSON) {
        json_object_begin(&oc.json);
        json_key(&oc.json, "over_quota");
        json_rows_begin(&oc.json);
    } else
        fprintf(out, "%-16s %-12s %12s %12s %8s\n", "subscriber", "plan", "used", "quota",
                "percent");
    int rc = store_subscriber_list(s, check_over, &oc);
    if (f == REPORT_JSON) {
        json_array_end(&oc.json);
        json_object_end(&oc.json);
        fputc('\n', out);
    }
    store_close(s);
    if (rc == 0)
        rc = oc.rc;
    if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not compute quotas", db);
    return rc;
}
