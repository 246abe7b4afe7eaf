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
#include "../classify/localnets.h"
#include "../classify/points.h"
#include "../collect/decode.h"
#include "../config/config.h"
#include "../store/store.h"
#include "flusher.h"

/* One thread's writing stages. Each receive worker has its own lane, so the hot path
 * writes nothing another thread reads; lanes[0] is the main thread's (packet probe, logs,
 * RADIUS-driven work). Every lane reads the pipeline's lists. */
struct lane {
    struct decoder decoder; /* its own templates and sequence state per exporter */
    struct classifier classifier;
    struct aggregator aggregator; /* its own table, handed to the store at each flush */
    struct flow_sink sink;        /* decoder output: the classifier */
};

/* Lanes start with a small table: it grows to what the traffic needs, and after the first
 * flushes the tables handed back by the store are reused at that size. */
#define LANE_INITIAL_KEYS 4096

struct pipeline_lists;

struct pipeline {
    struct lane *lanes; /* owned; n_lanes, lanes[0] the main thread's */
    size_t n_lanes;
    struct localnets *local_nets;       /* owned: as configured */
    struct prefix_trie *local;          /* owned: local_nets + bound prefixes; lanes read it */
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

    /* The next `local`, built by pipeline_prepare_subscribers() for a map not yet installed */
    struct prefix_trie *prepared_local;        /* owned, or NULL */
    const struct subscriber_map *prepared_for; /* borrowed: the map it was built for */
    bool local_hinted; /* told the operator that many bound prefixes lie outside local_nets */
};

/* Builds the lists and 1 + cfg->workers lanes. Returns 0, or ERR_CONFIG with a message in
 * errbuf when a list file (classes, apps) cannot be loaded. */
int pipeline_init(struct pipeline *p, const struct config *cfg, char *errbuf);
void pipeline_deinit(struct pipeline *p);

/* The reloadable lists (local_nets, exporters, sampling, count_at, classes, apps), built
 * from cfg aside from the running pipeline. Returns NULL with a message in errbuf when a
 * file fails to load. */
struct pipeline_lists *pipeline_lists_build(const struct config *cfg, char *errbuf);

/* Installs lists built by pipeline_lists_build() (taking them) in every lane, freeing the
 * ones they replace. Counts and templates are kept. The local trie is rebuilt from the new
 * local_nets and the running map's bound prefixes here. The caller holds the workers at a
 * safepoint. */
void pipeline_lists_install(struct pipeline *p, struct pipeline_lists *l);

/* The classes as loaded, for the store (rows of CLASSES_MAX at most). Returns the count. */
size_t pipeline_class_rows(const struct pipeline *p, struct class_row *rows);

/* Replaces the subscriber map (taking ownership of m) and returns the old one, for the
 * caller to free once the workers run again. Every prefix m binds or leases counts as local
 * from now on (classify/localnets.h): the lanes' local trie is rebuilt from local_nets and
 * m, unless pipeline_prepare_subscribers(p, m) built it already. The caller holds the
 * workers at a safepoint. */
struct subscriber_map *pipeline_set_subscribers(struct pipeline *p, struct subscriber_map *m);

/* Builds what pipeline_set_subscribers(p, m) will install, before the caller holds the
 * workers, so that they wait only for pointers to change (the build reads m and the
 * configured networks, which only the main thread changes). Optional; a reload or a
 * pipeline_add_local() in between discards it. Thread: main. */
void pipeline_prepare_subscribers(struct pipeline *p, const struct subscriber_map *m);

/* Makes prefix (a, len) count as local in every lane unless it does already: for a binding
 * applied to the running map (RADIUS, a log's mapping line). Returns true if the trie
 * changed; then it has lost its index: call pipeline_index_local() after the last one, at
 * the same safepoint. The caller holds the workers. */
bool pipeline_add_local(struct pipeline *p, const struct ip_addr *a, unsigned len);
void pipeline_index_local(struct pipeline *p);

/* Moves every lane's counter increases since the last call into the batch and zeroes
 * them. The caller holds the workers at a safepoint. */
void pipeline_take_stats(struct pipeline *p, struct flush_batch *b);

/* The main thread's lane. */
static inline struct lane *pipeline_main(struct pipeline *p)
{
    return &p->lanes[0];
}

#endif
