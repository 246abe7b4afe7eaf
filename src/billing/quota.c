// SPDX-License-Identifier: MIT
// Quota arithmetic in integers: percentages in hundredths, projections by 128-bit-safe
// ordering of multiplication and division.
#include "quota.h"

#include "../base/err.h"

#include <stdio.h>
#include <string.h>

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

static void add_topup(void *ctx, const struct topup_row *t)
{
    struct quota_usage *u = ctx;
    u->topup_bytes += t->bytes;
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
    if (store_topup_list(s, sub->id, out->cycle.start_ms, out->cycle.end_ms, add_topup, out) != 0)
        return ERR_STORE;
    if (!out->plan.unlimited)
        out->plan.quota_bytes += out->topup_bytes; /* as the bill counts it */
    struct usage_query q = {.from_ms = out->cycle.start_ms,
                            .to_ms = out->cycle.end_ms,
                            .group = USAGE_BY_CLASS,
                            .subscriber_id = sub->id};
    return store_read_usage(s, &q, sum_class, &sc);
}

uint64_t quota_usage_projected(const struct quota_usage *u)
{
    uint64_t start = u->cycle.start_ms, end = u->cycle.end_ms;
    if (u->at_ms <= start || u->at_ms >= end)
        return u->used_bytes;
    unsigned __int128 p = (unsigned __int128)u->used_bytes * (end - start) / (u->at_ms - start);
    return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

uint64_t quota_percent_x100(const struct quota_usage *u)
{
    if (u->plan.unlimited || u->plan.quota_bytes == 0)
        return 0;
    return (uint64_t)((unsigned __int128)u->used_bytes * 10000 / u->plan.quota_bytes);
}

uint64_t quota_remaining(const struct quota_usage *u)
{
    uint64_t quota = u->plan.quota_bytes;
    return u->plan.unlimited || u->used_bytes >= quota ? 0 : quota - u->used_bytes;
}

bool quota_is_over(const struct quota_usage *u)
{
    return !u->plan.unlimited && u->used_bytes > u->plan.quota_bytes;
}
