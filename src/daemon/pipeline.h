// SPDX-License-Identifier: MIT
// The writing stages wired together: decoder -> classifier -> aggregator, built from the
// configuration. This file only connects stages and moves their counters into a flush
// batch; the logic lives in the stages.
#ifndef FT_PIPELINE_H
#define FT_PIPELINE_H

#include "../aggregate/aggregate.h"
#include "../base/intern.h"
#include "../classify/classify.h"
#include "../collect/decode.h"
#include "../config/config.h"
#include "flusher.h"

struct pipeline {
    struct decoder decoder;
    struct classifier classifier;
    struct aggregator aggregator;
    struct flow_sink sink;              /* decoder output: the classifier */
    struct prefix_trie *local_nets;     /* owned */
    struct prefix_trie *allow;          /* owned; NULL = every exporter */
    struct prefix_trie *sampling;       /* owned; NULL = no overrides */
    struct subscriber_map *subscribers; /* owned; may be NULL */
    struct intern classes;              /* class names, ids stable for the process's life */
    struct intern apps;                 /* application names, likewise */
};

void pipeline_init(struct pipeline *p, const struct config *cfg);
void pipeline_deinit(struct pipeline *p);

/* Rebuilds the reloadable lists (local_nets, exporters, sampling) from cfg. Counts and
 * templates are kept. */
void pipeline_reload(struct pipeline *p, const struct config *cfg);

/* Replaces the subscriber map (taking ownership of m) and frees the old one. */
void pipeline_set_subscribers(struct pipeline *p, struct subscriber_map *m);

/* Moves every counter increase since the last call into the batch and zeroes them. */
void pipeline_take_stats(struct pipeline *p, struct flush_batch *b);

#endif
