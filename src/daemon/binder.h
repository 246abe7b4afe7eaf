// SPDX-License-Identifier: MIT
// The daemon's hand-over of binding events (RADIUS accounting, a log's mapping lines):
// each is applied at once to the running subscriber map at a safepoint, so flows that
// follow are attributed right away and the bound address counts as local, and queued for
// the store thread, which records it (bind/bind.h has the rules). Recent events are kept
// so that they can be applied again on top of a map the store thread loaded before it
// recorded them.
#ifndef FT_BINDER_H
#define FT_BINDER_H

#include "../bind/bind.h"
#include "flusher.h"
#include "pipeline.h"

struct workers;

#define BINDER_RECENT 4096 /* events kept to re-apply over a freshly loaded map */

struct binder {
    struct pipeline *pipe;   /* borrowed: its map and local trie */
    struct workers *workers; /* borrowed; held while an event changes what they read */
    struct flusher *flusher; /* borrowed: records the events on the store thread */
    uint64_t unknown_user;   /* events naming no account (counted as radius_unknown_user) */
    uint64_t next_seq;
    struct bind_event recent[BINDER_RECENT]; /* ring, by seq */
};

/* Sets up b over the pipeline's map, its workers and the store thread. */
void binder_init(struct binder *b, struct pipeline *p, struct workers *ws, struct flusher *fl);

/* Resolves e's account (bind_resolve), applies it to the running map while the workers are
 * held, and queues it for the store. An event naming no account is counted and logged
 * (rate-limited), nothing else. Does nothing before the first map is installed. Thread:
 * main. */
void binder_apply(struct binder *b, struct bind_event *e);

/* Applies again, to the map just installed, the events newer than it (seq > map_seq),
 * making their addresses local again. The caller holds the workers. Thread: main. */
void binder_replay(const struct binder *b, uint64_t map_seq);

/* Moves the counters into a flush batch and zeroes them. */
void binder_take_stats(struct binder *b, struct flush_batch *batch);

#endif
