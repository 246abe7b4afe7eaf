// SPDX-License-Identifier: MIT
// One subscriber at a time, each in its own short transactions: a level's firing and its
// message are one store operation (alert_fire), so two collectors that cross a level at
// once give one alert and one message.
#include "evaluate.h"

#include "../base/err.h"
#define LOG_TAG "alert"
#include "../base/log.h"
#include "../billing/quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int evaluate_levels(const struct subscriber *sub, const struct plan *plan,
                    const struct levels *dflt, struct levels *out, char *errbuf)
{
    if (sub->alert_levels[0])
        return levels_parse(sub->alert_levels, out, errbuf);
    if (plan && plan->alert_levels[0])
        return levels_parse(plan->alert_levels, out, errbuf);
    *out = *dflt;
    return 0;
}

struct fired {
    char levels[32][16];
    size_t n;
    uint64_t cycle_start_ms;
};

static void add_fired(void *ctx, const struct alert_row *a)
{
    struct fired *f = ctx;
    if (a->cycle_start_ms == f->cycle_start_ms && f->n < 32)
        snprintf(f->levels[f->n++], sizeof f->levels[0], "%s", a->level);
}

static bool has_fired(const struct fired *f, const char *level)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->levels[i], level) == 0)
            return true;
    return false;
}

/* Fires a level: the alert and, when there is someone to write to, its message. */
static int fire(struct store *s, const struct evaluate_config *c, const struct quota_usage *u,
                const struct level *l, uint64_t now_ms, struct evaluate_counts *n, char *errbuf)
{
    struct alert_row a = {.subscriber_id = u->sub.id,
                          .cycle_start_ms = u->cycle.start_ms,
                          .used_bytes = u->used_bytes,
                          .quota_bytes = u->plan.unlimited ? 0 : u->plan.quota_bytes,
                          .fired_ms = now_ms};
    snprintf(a.cycle, sizeof a.cycle, "%04u-%02u", (unsigned)u->cycle.year % 10000u,
             (unsigned)u->cycle.month % 100u);
    snprintf(a.level, sizeof a.level, "%s", l->name);
    struct mail_row m;
    char *body = NULL;
    bool mail = c->texts && u->sub.email[0];
    if (mail && message_alert(c->texts, &c->from, u, l, now_ms, &m, &body, errbuf) != 0) {
        /* a message that cannot be made (an address that is not plain): the level still
         * fires, so it is not tried again at every flush; the log says why */
        log_warn("%s: no message for level %s: %s", u->sub.account, l->name, errbuf);
        mail = false;
    }
    int rc = store_alert_fire(s, &a, mail ? &m : NULL, errbuf);
    free(body);
    if (rc == ERR_EXISTS)
        return 0; /* another collector fired it first */
    if (rc != 0)
        return rc;
    n->fired++;
    n->queued += mail;
    log_info("%s crossed %s (%llu of %llu bytes)%s", u->sub.account, l->name,
             (unsigned long long)u->used_bytes, (unsigned long long)a.quota_bytes,
             mail ? ", message queued" : "");
    return 0;
}

/* The subscriber's addresses and prefixes bound now, space-separated. */
struct addresses {
    char text[1024];
    uint64_t now_ms;
};

static void add_address(void *ctx, const struct binding_row *b)
{
    struct addresses *a = ctx;
    if (strcmp(b->kind, "prefix") != 0 || b->start_ms > a->now_ms ||
        (b->end_ms != 0 && b->end_ms <= a->now_ms))
        return;
    size_t len = strlen(a->text);
    if (len + strlen(b->value) + 2 < sizeof a->text)
        snprintf(a->text + len, sizeof a->text - len, "%s%s", len ? " " : "", b->value);
}

/* Writes the state the hook must make true when it is not what the hook last made true. */
static int enforce(struct store *s, const struct evaluate_config *c, const struct quota_usage *u,
                   uint64_t now_ms, struct evaluate_counts *n)
{
    bool over = levels_is_crossed(&c->enforce_level, u);
    struct addresses a = {.now_ms = now_ms};
    if (store_binding_list(s, u->sub.account, add_address, &a) != 0)
        return ERR_STORE;
    struct enforce_row row;
    int rc = store_enforce_get(s, u->sub.id, &row);
    if (rc == ERR_NOT_FOUND && !over)
        return 0; /* never over: nothing to lift */
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    const char *state = over ? "over" : "under";
    if (rc == 0 && strcmp(row.state, state) == 0 && strcmp(row.addresses, a.text) == 0)
        return 0;
    struct enforce_row next = {
        .subscriber_id = u->sub.id, .changed_ms = now_ms, .next_try_ms = now_ms};
    snprintf(next.state, sizeof next.state, "%s", state);
    snprintf(next.addresses, sizeof next.addresses, "%s", a.text);
    n->enforce_changes++;
    return store_enforce_put(s, &next);
}

int evaluate_subscriber(struct store *s, const struct evaluate_config *c, int64_t subscriber_id,
                        uint64_t now_ms, struct evaluate_counts *n, char *errbuf)
{
    struct subscriber sub;
    int rc = store_subscriber_get_id(s, subscriber_id, &sub);
    if (rc == ERR_NOT_FOUND)
        return 0; /* removed since its usage was counted */
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading subscriber %lld: %s", (long long)subscriber_id,
                 s->ops->last_error(s));
        return rc;
    }
    struct quota_usage u;
    rc = quota_usage_compute(s, &sub, now_ms, NULL, &u);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: computing its quota: %s", sub.account,
                 s->ops->last_error(s));
        return rc;
    }
    n->evaluated++;
    struct levels ls;
    if (evaluate_levels(&sub, u.has_plan ? &u.plan : NULL, &c->default_levels, &ls, errbuf) != 0) {
        log_warn("%s: %s", sub.account, errbuf); /* checked when set: an old row */
        ls = c->default_levels;
    }
    struct fired f = {.cycle_start_ms = u.cycle.start_ms};
    char cycle[8];
    snprintf(cycle, sizeof cycle, "%04u-%02u", (unsigned)u.cycle.year % 10000u,
             (unsigned)u.cycle.month % 100u);
    if (store_alert_list(s, sub.id, cycle, add_fired, &f) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading alerts: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    for (size_t i = 0; i < ls.n && rc == 0; i++) {
        bool crossed = levels_is_crossed(&ls.l[i], &u), fired = has_fired(&f, ls.l[i].name);
        if (crossed && !fired)
            rc = fire(s, c, &u, &ls.l[i], now_ms, n, errbuf);
        else if (!crossed && fired) { /* a top-up or a plan change: it may fire again */
            rc = store_alert_rearm(s, sub.id, u.cycle.start_ms, ls.l[i].name);
            n->rearmed += rc == 0;
        }
    }
    if (rc == 0 && c->is_enforcing)
        rc = enforce(s, c, &u, now_ms, n);
    if (rc != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", sub.account, s->ops->last_error(s));
    return rc;
}
