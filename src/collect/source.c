// SPDX-License-Identifier: MIT
// The source table: open addressing keyed by (exporter, version, domain), grown by doubling
// up to the configured cap. Sources are never removed while the daemon runs; their number is
// bounded by max_sources.
#include "source.h"

#include "../base/xalloc.h"
#include "nfrecord.h"

#include <stdlib.h>

#define LOG_TAG "collect"
#include "../base/log.h"

void source_table_init(struct source_table *t, size_t max_sources, size_t max_templates)
{
    *t = (struct source_table){
        .cap = 16, .max_sources = max_sources, .max_templates = max_templates};
    t->slots = xcalloc(t->cap, sizeof *t->slots);
}

void source_table_deinit(struct source_table *t)
{
    for (size_t i = 0; i < t->cap; i++)
        if (t->slots[i].in_use)
            tmpl_table_deinit(&t->slots[i].templates);
    free(t->slots);
    t->slots = NULL;
}

static size_t source_hash(const struct ip_addr *a, uint8_t version, uint32_t domain)
{
    uint64_t h = addr_hi(a) * 0x9e3779b97f4a7c15ULL ^ addr_lo(a);
    h ^= ((uint64_t)version << 32 | domain) * 0xc2b2ae3d27d4eb4fULL;
    h ^= h >> 29;
    return (size_t)h;
}

static struct source *probe(struct source *slots, size_t cap, const struct ip_addr *a,
                            uint8_t version, uint32_t domain)
{
    size_t i = source_hash(a, version, domain) & (cap - 1);
    for (;; i = (i + 1) & (cap - 1)) {
        struct source *s = &slots[i];
        if (!s->in_use ||
            (s->version == version && s->domain == domain && addr_eq(&s->exporter, a)))
            return s;
    }
}

static void grow(struct source_table *t)
{
    size_t new_cap = t->cap * 2;
    struct source *slots = xcalloc(new_cap, sizeof *slots);
    for (size_t i = 0; i < t->cap; i++) {
        struct source *old = &t->slots[i];
        if (old->in_use)
            *probe(slots, new_cap, &old->exporter, old->version, old->domain) = *old;
    }
    free(t->slots);
    t->slots = slots;
    t->cap = new_cap;
}

struct source *source_get(struct source_table *t, const struct ip_addr *exporter, uint8_t version,
                          uint32_t domain)
{
    struct source *s = probe(t->slots, t->cap, exporter, version, domain);
    if (s->in_use) {
        s->rate_override = t->rate_override;
        return s;
    }
    if (t->n >= t->max_sources) {
        t->n_refused++;
        return NULL;
    }
    if ((t->n + 1) * 2 > t->cap) {
        grow(t);
        s = probe(t->slots, t->cap, exporter, version, domain);
    }
    *s = (struct source){.exporter = *exporter,
                         .version = version,
                         .domain = domain,
                         .in_use = true,
                         .rate_override = t->rate_override};
    tmpl_table_init(&s->templates, t->max_templates);
    t->n++;
    char text[ADDR_STR_LEN];
    log_notice("new exporter %s (version %u, domain %u)", addr_format(exporter, text), version,
               domain);
    return s;
}

void source_check_seq(struct source *s, uint32_t seq, uint32_t advance)
{
    if (s->seq_valid && seq != s->seq_next) {
        /* Serial arithmetic: a small forward jump is loss, a backward one a restart or
         * reordering (nfdump treats them alike). */
        int32_t gap = (int32_t)(seq - s->seq_next);
        if (gap > 0)
            s->c.seq_lost += (uint32_t)gap;
        else
            s->c.seq_reset++;
    }
    s->seq_last = seq;
    s->seq_next = seq + advance;
    s->seq_valid = true;
}

uint32_t source_sampler_rate(const struct source *s, uint32_t sampler_id)
{
    for (uint32_t i = 0; i < s->n_samplers; i++)
        if (s->samplers[i].id == sampler_id)
            return s->samplers[i].rate;
    return 0;
}

void source_set_sampler_rate(struct source *s, uint32_t sampler_id, uint32_t rate)
{
    for (uint32_t i = 0; i < s->n_samplers; i++) {
        if (s->samplers[i].id == sampler_id) {
            s->samplers[i].rate = rate;
            return;
        }
    }
    if (s->n_samplers < SOURCE_MAX_SAMPLERS)
        s->samplers[s->n_samplers++] = (struct sampler_rate){.id = sampler_id, .rate = rate};
}

void source_add_template(struct source *s, struct tmpl *t)
{
    if (tmpl_finish(t) != 0 || nfrecord_compile(t) != 0) {
        s->c.drop_template_invalid++;
        free(t);
        return;
    }
    if (tmpl_put(&s->templates, t) != 0)
        s->c.drop_template_limit++;
}
