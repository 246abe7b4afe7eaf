// SPDX-License-Identifier: MIT
// Stage wiring and counter collection.
#include "pipeline.h"

#include "../base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The reloadable lists, built aside so a failed reload changes nothing. */
struct lists {
    struct prefix_trie *local_nets, *allow, *sampling, *exclude;
    struct billing_points *points;
    struct class_table *classes;
    struct app_table *apps;
};

static void lists_free(struct lists *l)
{
    prefix_trie_free(l->local_nets);
    prefix_trie_free(l->allow);
    prefix_trie_free(l->sampling);
    prefix_trie_free(l->exclude);
    points_free(l->points);
    classes_free(l->classes);
    apps_free(l->apps);
}

static int lists_build(struct lists *l, const struct config *cfg, char *errbuf)
{
    char bad[128];
    bool is_bad;
    memset(l, 0, sizeof *l);
    l->local_nets = config_prefix_trie(cfg->local_nets);
    if (!l->local_nets)
        l->local_nets = prefix_trie_new(); /* no local networks: everything is transit */
    l->allow = config_prefix_trie(cfg->exporters);
    l->sampling = config_rates_trie(cfg->sampling);
    l->exclude = config_prefix_trie(cfg->exclude_hosts);
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

/* Installs lists into the stages, freeing the ones they replace. Names are interned so the
 * ids in tables already handed to the store keep their meaning. */
static void lists_install(struct pipeline *p, struct lists *l)
{
    struct lists old = {p->local_nets, p->allow,       p->sampling, p->exclude,
                        p->points,     p->class_table, p->app_table};
    lists_free(&old);
    p->exclude = l->exclude;
    p->local_nets = l->local_nets;
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
    struct classifier *c = &p->classifier;
    p->decoder.allow = p->allow;
    c->local_nets = p->local_nets;
    c->sampling = p->sampling;
    c->points = p->points;
    c->exclude = p->exclude;
    c->classes = p->class_table;
    c->class_ids = p->class_ids;
    c->apps = p->app_table;
    c->app_ids = p->app_ids;
}

int pipeline_init(struct pipeline *p, const struct config *cfg, char *errbuf)
{
    struct lists l;
    memset(p, 0, sizeof *p);
    if (lists_build(&l, cfg, errbuf) != 0)
        return ERR_CONFIG;
    decoder_init(&p->decoder, (size_t)cfg->max_exporters, (size_t)cfg->max_templates, NULL);
    aggregator_init(&p->aggregator, counters_new(65536, (size_t)cfg->max_keys),
                    (uint64_t)cfg->bucket * 1000);
    classifier_init(&p->classifier, NULL, NULL,
                    (struct usage_sink){aggregator_emit, &p->aggregator});
    p->classifier.default_class = intern_id(&p->classes, "default");
    p->classifier.other_app = intern_id(&p->apps, "other");
    p->classifier.app_names = &p->apps;
    p->sink = (struct flow_sink){classifier_emit, &p->classifier};
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

void pipeline_set_subscribers(struct pipeline *p, struct subscriber_map *m)
{
    submap_free(p->subscribers);
    p->subscribers = m;
    p->classifier.subscribers = m;
}

void pipeline_deinit(struct pipeline *p)
{
    struct lists old = {p->local_nets, p->allow,       p->sampling, p->exclude,
                        p->points,     p->class_table, p->app_table};
    submap_free(p->subscribers);
    decoder_deinit(&p->decoder);
    aggregator_deinit(&p->aggregator);
    lists_free(&old);
    free(p->app_ids);
}

int pipeline_reload(struct pipeline *p, const struct config *cfg, char *errbuf)
{
    struct lists l;
    if (lists_build(&l, cfg, errbuf) != 0)
        return ERR_CONFIG;
    lists_install(p, &l);
    return 0;
}

static void take_source_stats(struct source *s, struct flush_batch *b)
{
    char text[ADDR_STR_LEN];
    addr_format(&s->exporter, text);
#define X(name) flush_batch_add_stat(b, text, s->version, s->domain, #name, s->c.name);
    SOURCE_COUNTERS(X)
#undef X
    memset(&s->c, 0, sizeof s->c);
}

void pipeline_take_stats(struct pipeline *p, struct flush_batch *b)
{
    struct source_table *st = &p->decoder.sources;
    for (size_t i = 0; i < st->cap; i++)
        if (st->slots[i].in_use)
            take_source_stats(&st->slots[i], b);
#define X(name) flush_batch_add_stat(b, "*", 0, 0, #name, p->decoder.c.name);
    DECODE_COUNTERS(X)
#undef X
#define X(name) flush_batch_add_stat(b, "*", 0, 0, #name, p->classifier.c.name);
    CLASSIFY_COUNTERS(X)
#undef X
#define X(name) flush_batch_add_stat(b, "*", 0, 0, #name, p->aggregator.c.name);
    AGGREGATE_COUNTERS(X)
#undef X
    memset(&p->decoder.c, 0, sizeof p->decoder.c);
    memset(&p->classifier.c, 0, sizeof p->classifier.c);
    memset(&p->aggregator.c, 0, sizeof p->aggregator.c);
}
