// SPDX-License-Identifier: MIT
// Stage wiring and counter collection.
#include "pipeline.h"

#include <string.h>

static void build_lists(struct pipeline *p, const struct config *cfg)
{
    p->local_nets = config_prefix_trie(cfg->local_nets);
    if (!p->local_nets)
        p->local_nets = prefix_trie_new(); /* no local networks: everything is transit */
    p->allow = config_prefix_trie(cfg->exporters);
    p->sampling = config_rates_trie(cfg->sampling);
}

static void free_lists(struct pipeline *p)
{
    prefix_trie_free(p->local_nets);
    prefix_trie_free(p->allow);
    prefix_trie_free(p->sampling);
}

void pipeline_init(struct pipeline *p, const struct config *cfg)
{
    memset(p, 0, sizeof *p);
    build_lists(p, cfg);
    decoder_init(&p->decoder, (size_t)cfg->max_exporters, (size_t)cfg->max_templates, p->allow);
    aggregator_init(&p->aggregator, counters_new(65536, (size_t)cfg->max_keys),
                    (uint64_t)cfg->bucket * 1000);
    classifier_init(&p->classifier, p->local_nets, p->sampling,
                    (struct usage_sink){aggregator_emit, &p->aggregator});
    p->classifier.default_class = intern_id(&p->classes, "default");
    p->classifier.other_app = intern_id(&p->apps, "other");
    p->sink = (struct flow_sink){classifier_emit, &p->classifier};
}

void pipeline_set_subscribers(struct pipeline *p, struct subscriber_map *m)
{
    submap_free(p->subscribers);
    p->subscribers = m;
    p->classifier.subscribers = m;
}

void pipeline_deinit(struct pipeline *p)
{
    submap_free(p->subscribers);
    decoder_deinit(&p->decoder);
    aggregator_deinit(&p->aggregator);
    free_lists(p);
}

void pipeline_reload(struct pipeline *p, const struct config *cfg)
{
    free_lists(p);
    build_lists(p, cfg);
    p->decoder.allow = p->allow;
    p->classifier.local_nets = p->local_nets;
    p->classifier.sampling = p->sampling;
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
