// SPDX-License-Identifier: MIT
// The writing stages wired together: decoder -> classifier -> aggregator, built from the
// configuration. This file only connects stages and moves their counters into a flush
// batch; the logic lives in the stages.
#ifndef FT_PIPELINE_H
#define FT_PIPELINE_H

#include "../aggregate/aggregate.h"
#include "../base/intern.h"
#include "../classify/apps.h"
#include "../classify/classes.h"
#include "../classify/classify.h"
#include "../classify/points.h"
#include "../collect/decode.h"
#include "../config/config.h"
#include "../store/admin.h"
#include "flusher.h"

struct pipeline {
    struct decoder decoder;
    struct classifier classifier;
    struct aggregator aggregator;
    struct flow_sink sink;              /* decoder output: the classifier */
    struct prefix_trie *local_nets;     /* owned */
    struct prefix_trie *allow;          /* owned; NULL = every exporter */
    struct prefix_trie *sampling;       /* owned; NULL = no overrides */
    struct prefix_trie *exclude;        /* owned; NULL = no host excluded */
    struct billing_points *points;      /* owned; NULL = every exporter bills */
    struct class_table *class_table;    /* owned; NULL = everything in class "default" */
    struct app_table *app_table;        /* owned; NULL = every application "other" */
    uint16_t class_ids[CLASSES_MAX];    /* class table id -> interned name id */
    uint16_t *app_ids;                  /* owned: app table id -> interned name id */
    struct subscriber_map *subscribers; /* owned; may be NULL */
    struct intern classes;              /* class names, ids stable for the process's life */
    struct intern apps;                 /* application names, likewise */
};

/* Builds the stages. Returns 0, or ERR_CONFIG with a message in errbuf when a list file
 * (classes, apps) cannot be loaded. */
int pipeline_init(struct pipeline *p, const struct config *cfg, char *errbuf);
void pipeline_deinit(struct pipeline *p);

/* Rebuilds the reloadable lists (local_nets, exporters, sampling, count_at, classes, apps)
 * from cfg. Counts and templates are kept. If a file fails to load nothing changes and
 * ERR_CONFIG comes back with a message in errbuf. */
int pipeline_reload(struct pipeline *p, const struct config *cfg, char *errbuf);

/* The classes as loaded, for the store (rows of CLASSES_MAX at most). Returns the count. */
size_t pipeline_class_rows(const struct pipeline *p, struct class_row *rows);

/* Replaces the subscriber map (taking ownership of m) and frees the old one. */
void pipeline_set_subscribers(struct pipeline *p, struct subscriber_map *m);

/* Moves every counter increase since the last call into the batch and zeroes them. */
void pipeline_take_stats(struct pipeline *p, struct flush_batch *b);

#endif
