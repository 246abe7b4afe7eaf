// SPDX-License-Identifier: MIT
// Binding events in the daemon: the safepoint around bind_apply(), the local trie's index
// rebuilt once per event, the ring of recent events and the queue to the store thread. What
// an event means is bind/bind.c's to say.
#include "binder.h"

#include "workers.h"

#include <stdio.h>

#define LOG_TAG "bind"
#include "../base/log.h"

void binder_init(struct binder *b, struct pipeline *p, struct workers *ws, struct flusher *fl)
{
    b->pipe = p;
    b->workers = ws;
    b->flusher = fl;
    b->unknown_user = 0;
    b->next_seq = 1;
}

struct local_ctx {
    struct pipeline *pipe;
    bool changed;
};

/* A prefix an event gave someone is local from now on, even outside local_nets (a public
 * pool on PPPoE): see classify/localnets.h. */
static void make_local(void *ctx, const struct ip_addr *a, unsigned len)
{
    struct local_ctx *lc = ctx;
    lc->changed |= pipeline_add_local(lc->pipe, a, len);
}

void binder_apply(struct binder *b, struct bind_event *e)
{
    struct pipeline *p = b->pipe;
    if (!p->subscribers)
        return;
    if (bind_resolve(p->subscribers, e) == BIND_UNKNOWN_USER) {
        b->unknown_user++;
        log_rl_warn("%s user '%.64s' is no account; its address stays unassigned", e->source,
                    e->account);
        return;
    }
    e->seq = b->next_seq++;
    b->recent[e->seq % BINDER_RECENT] = *e;
    struct local_ctx lc = {.pipe = p};
    workers_hold(b->workers); /* they read the map and the local trie this changes */
    bind_apply(p->subscribers, e, make_local, &lc);
    if (lc.changed)
        pipeline_index_local(p); /* a new address outside local_nets: 0.3-0.6 ms */
    workers_release(b->workers);
    flusher_queue_binding(b->flusher, e);
}

void binder_replay(const struct binder *b, uint64_t map_seq)
{
    struct pipeline *p = b->pipe;
    uint64_t first = b->next_seq > BINDER_RECENT ? b->next_seq - BINDER_RECENT : 1;
    if (map_seq + 1 > first)
        first = map_seq + 1;
    struct local_ctx lc = {.pipe = p};
    for (uint64_t seq = first; seq < b->next_seq && p->subscribers; seq++)
        bind_apply(p->subscribers, &b->recent[seq % BINDER_RECENT], make_local, &lc);
    if (lc.changed)
        pipeline_index_local(p); /* once for them all */
}

void binder_take_stats(struct binder *b, struct flush_batch *batch)
{
    flush_batch_add_stat(batch, "*", 0, 0, "radius_unknown_user", b->unknown_user);
    b->unknown_user = 0;
}
