// SPDX-License-Identifier: MIT
// One subscriber at a time, each in its own short transactions: a level's firing and its
// message are one store operation (alert_fire), so two collectors that cross a level at
// once give one alert and one message.
#include "evaluate.h"

#include "../base/err.h"
#include "../base/hash.h"
#define LOG_TAG "alert"
#include "../base/log.h"
#include "../base/xalloc.h"
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
    if (rc == ERR_EXISTS) { /* another collector fired it first */
        log_info("%s crossed %s, which another collector recorded first", u->sub.account, l->name);
        return 0;
    }
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

static int read_addresses(struct store *s, const char *account, uint64_t now_ms,
                          struct addresses *a)
{
    *a = (struct addresses){.now_ms = now_ms};
    return store_binding_list(s, account, add_address, a) == 0 ? 0 : ERR_STORE;
}

/* Writes the state the hook must make true when it is not what the hook last made true. */
static int enforce(struct store *s, const struct quota_usage *u, bool over,
                   const struct addresses *a, uint64_t now_ms, struct evaluate_counts *n)
{
    struct enforce_row row;
    int rc = store_enforce_get(s, u->sub.id, &row);
    if (rc == ERR_NOT_FOUND && !over)
        return 0; /* never over: nothing to lift */
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    const char *state = over ? "over" : "under";
    if (rc == 0 && strcmp(row.state, state) == 0 && strcmp(row.addresses, a->text) == 0)
        return 0;
    struct enforce_row next = {
        .subscriber_id = u->sub.id, .changed_ms = now_ms, .next_try_ms = now_ms};
    snprintf(next.state, sizeof next.state, "%s", state);
    snprintf(next.addresses, sizeof next.addresses, "%s", a->text);
    n->enforce_changes++;
    return store_enforce_put(s, &next);
}

/* What an exact evaluation read and left true, for memory to start from. */
struct exact {
    struct quota_usage u;
    struct levels ls;
    uint8_t crossed; /* bit i: ls.l[i] crossed, and so fired (now or before) */
    bool is_over;    /* over the enforcement level */
    struct addresses addr;
};

/* Evaluates sub from the store: reads its cycle, fires and re-arms levels, writes the
 * enforcement state. OUT: *x. */
static int evaluate_exact(struct store *s, const struct evaluate_config *c,
                          const struct subscriber *sub, uint64_t now_ms, struct evaluate_counts *n,
                          struct exact *x, char *errbuf)
{
    struct quota_usage *u = &x->u;
    int rc = quota_usage_compute(s, sub, now_ms, NULL, u);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: computing its quota: %s", sub->account,
                 s->ops->last_error(s));
        return rc;
    }
    n->evaluated++;
    log_debug("%s: %llu bytes counted of %llu (read from the store)", sub->account,
              (unsigned long long)u->used_bytes,
              (unsigned long long)(u->plan.unlimited ? 0 : u->plan.quota_bytes));
    if (evaluate_levels(sub, u->has_plan ? &u->plan : NULL, &c->default_levels, &x->ls, errbuf) !=
        0) {
        log_warn("%s: %s", sub->account, errbuf); /* checked when set: an old row */
        x->ls = c->default_levels;
        errbuf[0] = '\0';
    }
    struct fired f = {.cycle_start_ms = u->cycle.start_ms};
    char cycle[8];
    snprintf(cycle, sizeof cycle, "%04u-%02u", (unsigned)u->cycle.year % 10000u,
             (unsigned)u->cycle.month % 100u);
    if (store_alert_list(s, sub->id, cycle, add_fired, &f) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading alerts: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    x->crossed = 0;
    for (size_t i = 0; i < x->ls.n && rc == 0; i++) {
        const struct level *l = &x->ls.l[i];
        bool crossed = levels_is_crossed(l, u), fired = has_fired(&f, l->name);
        x->crossed |= (uint8_t)(crossed << i);
        if (crossed && !fired)
            rc = fire(s, c, u, l, now_ms, n, errbuf);
        else if (!crossed && fired) { /* a top-up or a plan change: it may fire again */
            rc = store_alert_rearm(s, sub->id, u->cycle.start_ms, l->name);
            n->rearmed += rc == 0;
        }
    }
    x->is_over = c->is_enforcing && levels_is_crossed(&c->enforce_level, u);
    if (rc == 0 && c->is_enforcing && (rc = read_addresses(s, sub->account, now_ms, &x->addr)) == 0)
        rc = enforce(s, u, x->is_over, &x->addr, now_ms, n);
    if (rc != 0 && !errbuf[0])
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", sub->account, s->ops->last_error(s));
    return rc;
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
    struct exact *x = xmalloc(sizeof *x);
    rc = evaluate_exact(s, c, &sub, now_ms, n, x, errbuf);
    free(x);
    return rc;
}

/* ---- memory: evaluate_moved() ---- */

struct evaluate_memory {
    struct tally *tally;
    uint64_t class_gen;       /* hash of the class list the entries were seeded with */
    char (*free_classes)[33]; /* owned: classes that do not count toward quota */
    size_t n_free, cap_free;
    struct plan *plans; /* owned: every plan, by name, read at the round's start */
    size_t n_plans, cap_plans;
};

struct evaluate_memory *evaluate_memory_new(size_t max_subscribers)
{
    struct evaluate_memory *m = xcalloc(1, sizeof *m);
    m->tally = tally_new(max_subscribers);
    return m;
}

void evaluate_memory_free(struct evaluate_memory *m)
{
    if (!m)
        return;
    tally_free(m->tally);
    free(m->free_classes);
    free(m->plans);
    free(m);
}

void evaluate_memory_clear(struct evaluate_memory *m)
{
    tally_clear(m->tally);
}

size_t evaluate_memory_sweep(struct evaluate_memory *m, uint64_t now_ms)
{
    return tally_sweep(m->tally, now_ms);
}

const struct tally_entry *evaluate_memory_get(struct evaluate_memory *m, uint32_t subscriber)
{
    return tally_get(m->tally, subscriber);
}

/* FNV-1a, 64 bits: what an entry's figures depend on, in one number. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return fnv(h, s, strlen(s) + 1);
}

static uint64_t fnv_u64(uint64_t h, uint64_t v)
{
    return fnv(h, &v, sizeof v);
}

struct class_read {
    struct evaluate_memory *m;
    uint64_t gen;
};

static void add_class(void *ctx, const struct class_row *c)
{
    struct class_read *r = ctx;
    struct evaluate_memory *m = r->m;
    r->gen = fnv_u64(fnv_str(r->gen, c->name), c->counts_toward_quota);
    if (c->counts_toward_quota)
        return;
    if (m->n_free == m->cap_free) {
        m->cap_free = m->cap_free ? 2 * m->cap_free : 16;
        m->free_classes = xrealloc(m->free_classes, m->cap_free * sizeof *m->free_classes);
    }
    snprintf(m->free_classes[m->n_free++], sizeof m->free_classes[0], "%s", c->name);
}

static void add_plan(void *ctx, const struct plan *p)
{
    struct evaluate_memory *m = ctx;
    if (m->n_plans == m->cap_plans) {
        m->cap_plans = m->cap_plans ? 2 * m->cap_plans : 16;
        m->plans = xrealloc(m->plans, m->cap_plans * sizeof *m->plans);
    }
    m->plans[m->n_plans++] = *p;
}

int evaluate_round_begin(struct store *s, struct evaluate_memory *m, char *errbuf)
{
    struct class_read r = {.m = m, .gen = 0xcbf29ce484222325ULL};
    m->n_free = 0;
    m->n_plans = 0;
    if (store_class_list(s, add_class, &r) != 0 || store_plan_list(s, add_plan, m) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading classes and plans: %s", s->ops->last_error(s));
        tally_clear(m->tally);
        m->class_gen = 0;
        return ERR_STORE;
    }
    if (r.gen != m->class_gen) /* a class's quota rule changed: memory counted by the old */
        tally_clear(m->tally);
    m->class_gen = r.gen;
    return 0;
}

static const struct plan *find_plan(const struct evaluate_memory *m, const char *name)
{
    size_t lo = 0, hi = m->n_plans; /* by name, as plan_list orders them */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(m->plans[mid].name, name);
        if (cmp == 0)
            return &m->plans[mid];
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static bool is_free_class(const struct evaluate_memory *m, const char *name)
{
    for (size_t i = 0; i < m->n_free; i++)
        if (name && strcmp(m->free_classes[i], name) == 0)
            return true;
    return false;
}

/* The directions a plan counts, as quota.c counts them: a bit per enum flow_dir. */
static uint8_t counted_dirs(const char *quota_dirs)
{
    if (strcmp(quota_dirs, "both") == 0)
        return 1u << FLOW_DIR_IN | 1u << FLOW_DIR_OUT;
    if (strcmp(quota_dirs, "in") == 0)
        return 1u << FLOW_DIR_IN;
    if (strcmp(quota_dirs, "out") == 0)
        return 1u << FLOW_DIR_OUT;
    return 0;
}

/* What a subscriber's figures depend on besides its usage. plan: as stored (its quota
 * without top-ups); has_plan false: none. */
static uint64_t identity(const struct evaluate_memory *m, const struct evaluate_config *c,
                         const struct subscriber *sub, const struct plan *plan,
                         uint64_t topup_bytes, uint64_t cycle_start_ms, const char *addresses)
{
    uint64_t h = fnv_u64(0xcbf29ce484222325ULL, m->class_gen);
    h = fnv_u64(fnv_str(fnv_str(h, sub->plan), sub->alert_levels), cycle_start_ms);
    h = fnv_u64(h, topup_bytes);
    if (plan) {
        h = fnv_u64(fnv_u64(fnv_str(h, plan->name), plan->unlimited), plan->quota_bytes);
        h = fnv_u64(fnv_str(fnv_str(h, plan->quota_dirs), plan->alert_levels),
                    (uint64_t)plan->anchor_day);
    }
    return c->is_enforcing ? fnv_str(h, addresses) : h;
}

static void add_topup(void *ctx, const struct topup_row *t)
{
    *(uint64_t *)ctx += t->bytes;
}

/* Reads what memory needs to know it still holds for sub: its plan (the round's), the
 * cycle holding now_ms, its top-ups there and, when enforcing, its addresses. OUT: *ident,
 * *cycle. */
static int read_identity(struct store *s, const struct evaluate_config *c,
                         const struct evaluate_memory *m, const struct subscriber *sub,
                         uint64_t now_ms, uint64_t *ident, struct cycle *cycle)
{
    const struct plan *plan = sub->plan[0] ? find_plan(m, sub->plan) : NULL;
    cycle_at(plan ? plan->anchor_day : 1, now_ms, 0, cycle);
    uint64_t topup = 0;
    if (store_topup_list(s, sub->id, cycle->start_ms, cycle->end_ms, add_topup, &topup) != 0)
        return ERR_STORE;
    struct addresses a = {.now_ms = now_ms};
    if (c->is_enforcing && read_addresses(s, sub->account, now_ms, &a) != 0)
        return ERR_STORE;
    *ident = identity(m, c, sub, plan, topup, cycle->start_ms, a.text);
    return 0;
}

/* Memory after an exact evaluation: its figures, thresholds and what fired. */
static void remember(struct evaluate_memory *m, const struct evaluate_config *c,
                     const struct exact *x, uint64_t now_ms)
{
    const struct quota_usage *u = &x->u;
    struct tally_entry *e = tally_put(m->tally, (uint32_t)u->sub.id);
    if (!e)
        return; /* full: this subscriber is read from the store at each move */
    struct plan stored = u->plan;
    if (!stored.unlimited)
        stored.quota_bytes -= u->topup_bytes; /* quota.c added them */
    e->ident = identity(m, c, &u->sub, u->has_plan ? &stored : NULL, u->topup_bytes,
                        u->cycle.start_ms, x->addr.text);
    e->cycle_start_ms = u->cycle.start_ms;
    e->cycle_end_ms = u->cycle.end_ms;
    e->dirs = counted_dirs(u->plan.quota_dirs);
    e->exact_bytes = u->used_bytes;
    e->own_bytes = 0;
    e->exact_ms = now_ms;
    e->n_levels = x->ls.n;
    for (size_t i = 0; i < x->ls.n; i++)
        e->threshold[i] = tally_threshold(&x->ls.l[i], u->plan.unlimited, u->plan.quota_bytes);
    e->fired = x->crossed;
    e->enforce_threshold =
        c->is_enforcing ? tally_threshold(&c->enforce_level, u->plan.unlimited, u->plan.quota_bytes)
                        : TALLY_NEVER;
    e->is_over = x->is_over;
}

/* Whether usage plus the margin reaches threshold. */
static bool is_near(uint64_t used, uint64_t own, uint64_t threshold)
{
    if (threshold == TALLY_NEVER)
        return false;
    unsigned __int128 reach = (unsigned __int128)used + (unsigned __int128)own * EVALUATE_OTHERS +
                              threshold / EVALUATE_MARGIN_DIV;
    return reach >= threshold;
}

/* Adds the deltas that count toward the quota to e; says whether memory will do. */
static bool advance(const struct evaluate_memory *m, struct tally_entry *e,
                    const struct evaluate_delta *d, size_t n, uint64_t now_ms)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t at_ms = (uint64_t)d[i].bucket_s * 1000;
        if (at_ms < e->cycle_start_ms || at_ms >= e->cycle_end_ms || d[i].dir >= 8 ||
            !(e->dirs & (1u << d[i].dir)) || is_free_class(m, d[i].class_name))
            continue;
        e->own_bytes += d[i].bytes;
    }
    /* stale after 1/2 to 1 EVALUATE_STALE_MS, by subscriber: the subscribers seeded in
     * one round (a cycle's first) are not all read again in one later round */
    if (now_ms >=
        e->exact_ms + EVALUATE_STALE_MS - hash_mix64(e->subscriber) % (EVALUATE_STALE_MS / 2))
        return false;
    uint64_t used = e->exact_bytes + e->own_bytes;
    for (size_t i = 0; i < e->n_levels; i++)
        if (!(e->fired & (1u << i)) && is_near(used, e->own_bytes, e->threshold[i]))
            return false;
    return e->is_over || !is_near(used, e->own_bytes, e->enforce_threshold);
}

int evaluate_moved(struct store *s, const struct evaluate_config *c, struct evaluate_memory *m,
                   uint32_t subscriber, const struct evaluate_delta *d, size_t n, uint64_t now_ms,
                   struct evaluate_counts *cnt, char *errbuf)
{
    struct subscriber sub;
    int rc = store_subscriber_get_id(s, subscriber, &sub);
    if (rc == ERR_NOT_FOUND) {
        tally_drop(m->tally, subscriber);
        return 0; /* removed since its usage was counted */
    }
    if (rc != 0) {
        tally_drop(m->tally, subscriber); /* its deltas are lost: read at its next move */
        snprintf(errbuf, ERR_BUF_LEN, "reading subscriber %u: %s", subscriber,
                 s->ops->last_error(s));
        return rc;
    }
    struct tally_entry *e = tally_get(m->tally, subscriber);
    if (e) {
        uint64_t ident;
        struct cycle cycle;
        if (read_identity(s, c, m, &sub, now_ms, &ident, &cycle) != 0) {
            tally_drop(m->tally, subscriber);
            snprintf(errbuf, ERR_BUF_LEN, "%s: %s", sub.account, s->ops->last_error(s));
            return ERR_STORE;
        }
        /* a new cycle, another plan or levels, a top-up, other bindings: seeded again */
        if (ident == e->ident && cycle.start_ms == e->cycle_start_ms &&
            advance(m, e, d, n, now_ms)) {
            cnt->remembered++;
            return 0;
        }
    }
    /* first move in the cycle, or near a level: the store decides, memory starts again */
    struct exact *x = xmalloc(sizeof *x);
    rc = evaluate_exact(s, c, &sub, now_ms, cnt, x, errbuf);
    if (rc == 0)
        remember(m, c, x, now_ms);
    else
        tally_drop(m->tally, subscriber);
    free(x);
    return rc;
}
