// SPDX-License-Identifier: MIT
// Stage wiring and counter collection.
#include "pipeline.h"

#include "../base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "pipeline"
#include "../base/log.h"

/* The reloadable lists, built aside so a failed reload changes nothing. */
struct pipeline_lists {
    struct localnets *local_nets; /* as configured: the lanes read them with the bindings */
    struct prefix_trie *allow, *sampling, *exclude;
    struct billing_points *points;
    struct class_table *classes;
    struct app_table *apps;
};

static void lists_free(struct pipeline_lists *l)
{
    localnets_free(l->local_nets);
    prefix_trie_free(l->allow);
    prefix_trie_free(l->sampling);
    prefix_trie_free(l->exclude);
    points_free(l->points);
    classes_free(l->classes);
    apps_free(l->apps);
}

static void add_local_net(void *ctx, const char *item)
{
    struct ip_addr a;
    unsigned len;
    if (prefix_parse(item, &a, &len) == 0) /* config checked every item */
        localnets_add(ctx, &a, len);
}

static int lists_build(struct pipeline_lists *l, const struct config *cfg, char *errbuf)
{
    char bad[128];
    bool is_bad;
    memset(l, 0, sizeof *l);
    l->local_nets = localnets_new(); /* empty: only bound and leased addresses are local */
    config_list_each(cfg->local_nets, add_local_net, l->local_nets);
    l->allow = config_prefix_trie(cfg->exporters);
    l->sampling = config_rates_trie(cfg->sampling);
    l->exclude = config_prefix_trie(cfg->exclude_hosts);
    if (l->exclude)
        prefix_trie_index(l->exclude); /* read for every flow, as the local trie is */
    l->points = points_parse(cfg->count_at, bad, sizeof bad, &is_bad);
    if (cfg->classes[0] && !(l->classes = classes_load(cfg->classes, errbuf)))
        goto fail;
    if (cfg->apps[0] && !(l->apps = apps_load(cfg->apps, errbuf)))
        goto fail;
    return 0;
fail:
    lists_free(l);
    return ERR_CONFIG;
}

static void lane_point_at_lists(const struct pipeline *p, struct lane *ln)
{
    struct classifier *c = &ln->classifier;
    ln->decoder.allow = p->allow;
    ln->decoder.sampling = p->sampling;
    c->local_nets = p->local;
    c->sampling = p->sampling;
    c->points = p->points;
    c->exclude = p->exclude;
    c->classes = p->class_table;
    c->class_ids = p->class_ids;
    c->apps = p->app_table;
    c->app_ids = p->app_ids;
    c->subscribers = p->subscribers;
}

static void lane_init(struct pipeline *p, struct lane *ln, const struct config *cfg, bool is_main)
{
    decoder_init(&ln->decoder, (size_t)cfg->max_exporters, (size_t)cfg->max_templates, NULL);
    aggregator_init(&ln->aggregator, counters_new(LANE_INITIAL_KEYS, (size_t)cfg->max_keys),
                    (uint64_t)cfg->bucket * 1000);
    classifier_init(&ln->classifier, NULL, NULL,
                    (struct usage_sink){aggregator_emit, &ln->aggregator});
    ln->classifier.default_class = intern_id(&p->classes, "default");
    ln->classifier.other_app = intern_id(&p->apps, "other");
    /* only the main lane names applications found in packets (interning writes) */
    ln->classifier.app_names = is_main ? &p->apps : NULL;
    ln->sink = (struct flow_sink){classifier_emit, &ln->classifier};
}

/* Drops a trie pipeline_prepare_subscribers() built for a map not installed yet. */
static void drop_prepared(struct pipeline *p)
{
    prefix_trie_free(p->prepared_local);
    p->prepared_local = NULL;
    p->prepared_for = NULL;
}

/* Bound prefixes outside local_nets past which lookups in their /16s grow long enough (a
 * walk instead of one array read: localnets.c) to tell the operator, once. */
#define LOCAL_ADDED_HINT 1024

/* What counts as local with the configured networks and map m (may be NULL). */
static struct prefix_trie *build_local(struct pipeline *p, const struct subscriber_map *m)
{
    size_t added;
    struct prefix_trie *t = localnets_build(p->local_nets, m, &added);
    if (added)
        log_info("%zu bound or leased prefixes outside local_nets count as local", added);
    if (added >= LOCAL_ADDED_HINT && !p->local_hinted) {
        p->local_hinted = true;
        log_notice("%zu bound or leased prefixes lie outside local_nets: they count as local; "
                   "listing their networks in local_nets keeps the direction lookup short",
                   added);
    }
    return t;
}

/* Replaces what counts as local (owning t) in every lane, freeing the trie it replaces. */
static void set_local(struct pipeline *p, struct prefix_trie *t)
{
    prefix_trie_free(p->local);
    p->local = t;
    for (size_t i = 0; i < p->n_lanes; i++)
        p->lanes[i].classifier.local_nets = t;
}

/* Installs lists into the stages, freeing the ones they replace. Names are interned so the
 * ids in tables already handed to the store keep their meaning. */
static void lists_install(struct pipeline *p, struct pipeline_lists *l)
{
    struct pipeline_lists old = {p->local_nets, p->allow,       p->sampling, p->exclude,
                                 p->points,     p->class_table, p->app_table};
    lists_free(&old);
    p->exclude = l->exclude;
    p->local_nets = l->local_nets;
    /* The bound prefixes that count as local are those the new networks do not hold:
     * rebuilt here, at the reload's safepoint (rare; see pipeline_set_subscribers()). */
    drop_prepared(p);
    set_local(p, build_local(p, p->subscribers));
    p->allow = l->allow;
    p->sampling = l->sampling;
    p->points = l->points;
    p->class_table = l->classes;
    p->app_table = l->apps;
    for (size_t i = 0; p->class_table && i < classes_count(p->class_table); i++)
        p->class_ids[i] = intern_id(&p->classes, classes_name(p->class_table, (uint16_t)i));
    free(p->app_ids);
    p->app_ids = NULL;
    if (p->app_table) {
        size_t n = apps_count(p->app_table) + 1; /* ids 1..n-1 and APPS_OTHER */
        p->app_ids = xcalloc(n, sizeof *p->app_ids);
        for (size_t i = 0; i < n; i++)
            p->app_ids[i] = intern_id(&p->apps, apps_name(p->app_table, (uint16_t)i));
    }
    for (size_t i = 0; i < p->n_lanes; i++)
        lane_point_at_lists(p, &p->lanes[i]);
}

int pipeline_init(struct pipeline *p, const struct config *cfg, char *errbuf)
{
    struct pipeline_lists l;
    memset(p, 0, sizeof *p);
    if (lists_build(&l, cfg, errbuf) != 0)
        return ERR_CONFIG;
    p->n_lanes = 1 + (size_t)cfg->workers;
    p->lanes = xcalloc(p->n_lanes, sizeof *p->lanes);
    for (size_t i = 0; i < p->n_lanes; i++)
        lane_init(p, &p->lanes[i], cfg, i == 0);
    lists_install(p, &l);
    return 0;
}

size_t pipeline_class_rows(const struct pipeline *p, struct class_row *rows)
{
    size_t n = p->class_table ? classes_count(p->class_table) : 0;
    for (size_t i = 0; i < n; i++) {
        const struct class_info *ci = classes_get(p->class_table, (uint16_t)i);
        memset(&rows[i], 0, sizeof rows[i]);
        snprintf(rows[i].name, sizeof rows[i].name, "%s", ci->name);
        rows[i].price_micro_per_gb = (int64_t)ci->price_micro_per_gb;
        rows[i].counts_toward_quota = ci->counts_toward_quota;
    }
    return n;
}

void pipeline_prepare_subscribers(struct pipeline *p, const struct subscriber_map *m)
{
    drop_prepared(p);
    p->prepared_local = build_local(p, m);
    p->prepared_for = m;
}

struct subscriber_map *pipeline_set_subscribers(struct pipeline *p, struct subscriber_map *m)
{
    struct subscriber_map *old = p->subscribers;
    if (!p->prepared_local || p->prepared_for != m)
        pipeline_prepare_subscribers(p, m); /* not prepared: built at the safepoint */
    set_local(p, p->prepared_local);
    p->prepared_local = NULL;
    p->prepared_for = NULL;
    p->subscribers = m;
    for (size_t i = 0; i < p->n_lanes; i++)
        p->lanes[i].classifier.subscribers = m;
    return old;
}

bool pipeline_add_local(struct pipeline *p, const struct ip_addr *a, unsigned len)
{
    drop_prepared(p); /* built from a map without this binding */
    return localnets_extend(p->local, a, len);
}

void pipeline_index_local(struct pipeline *p)
{
    prefix_trie_index(p->local);
}

void pipeline_deinit(struct pipeline *p)
{
    struct pipeline_lists old = {p->local_nets, p->allow,       p->sampling, p->exclude,
                                 p->points,     p->class_table, p->app_table};
    drop_prepared(p);
    prefix_trie_free(p->local);
    submap_free(p->subscribers);
    for (size_t i = 0; i < p->n_lanes; i++) {
        decoder_deinit(&p->lanes[i].decoder);
        aggregator_deinit(&p->lanes[i].aggregator);
    }
    free(p->lanes);
    lists_free(&old);
    free(p->app_ids);
}

struct pipeline_lists *pipeline_lists_build(const struct config *cfg, char *errbuf)
{
    struct pipeline_lists *l = xmalloc(sizeof *l);
    if (lists_build(l, cfg, errbuf) != 0) {
        free(l);
        return NULL;
    }
    return l;
}

void pipeline_lists_install(struct pipeline *p, struct pipeline_lists *l)
{
    lists_install(p, l);
    free(l);
}

static void take_source_stats(struct source *s, struct flush_batch *b)
{
    char text[ADDR_STR_LEN];
    addr_format(&s->exporter, text);
    if (s->c.drop_template_limit)
        log_warn("exporter %s (version %u, domain %u): %llu templates refused, max_templates "
                 "(%zu) held; its data for them is dropped and counted",
                 text, s->version, s->domain, (unsigned long long)s->c.drop_template_limit,
                 s->templates.max);
#define X(name) flush_batch_add_stat(b, text, s->version, s->domain, #name, s->c.name);
    SOURCE_COUNTERS(X)
#undef X
    memset(&s->c, 0, sizeof s->c);
}

/* Sums the process-wide counters of every lane first: one stat row per name, not one per
 * lane. */
void pipeline_take_stats(struct pipeline *p, struct flush_batch *b)
{
    struct decode_counters dc = {0};
    struct classify_counters cc = {0};
    struct aggregate_counters ac = {0};
    for (size_t i = 0; i < p->n_lanes; i++) {
        struct lane *ln = &p->lanes[i];
        struct source_table *st = &ln->decoder.sources;
        for (size_t j = 0; j < st->cap; j++)
            if (st->slots[j].in_use)
                take_source_stats(&st->slots[j], b);
#define X(name) dc.name += ln->decoder.c.name;
        DECODE_COUNTERS(X)
#undef X
#define X(name) cc.name += ln->classifier.c.name;
        CLASSIFY_COUNTERS(X)
#undef X
#define X(name) ac.name += ln->aggregator.c.name;
        AGGREGATE_COUNTERS(X)
#undef X
        memset(&ln->decoder.c, 0, sizeof ln->decoder.c);
        memset(&ln->classifier.c, 0, sizeof ln->classifier.c);
        memset(&ln->aggregator.c, 0, sizeof ln->aggregator.c);
    }
#define X(name) flush_batch_add_stat(b, "*", 0, 0, #name, dc.name);
    DECODE_COUNTERS(X)
#undef X
#define X(name) flush_batch_add_stat(b, "*", 0, 0, #name, cc.name);
    CLASSIFY_COUNTERS(X)
#undef X
#define X(name) flush_batch_add_stat(b, "*", 0, 0, #name, ac.name);
    AGGREGATE_COUNTERS(X)
#undef X
}
