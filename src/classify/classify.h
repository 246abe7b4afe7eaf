// SPDX-License-Identifier: MIT
// The classify stage: turns a decoded flow into usage of one local host. It renormalises
// sampled counts (a per-exporter override from the configuration wins over what the
// exporter said), and decides the direction from the local networks by longest-prefix match:
// remote->local = in, local->remote = out, local<->local = internal, remote<->remote = transit.
// Bound and leased addresses are local too: the daemon hands in a trie that holds them
// (localnets.h), so that costs no lookup here.
#ifndef FT_CLASSIFY_H
#define FT_CLASSIFY_H

#include "../base/prefix.h"
#include "../base/intern.h"
#include "../flow/flow.h"
#include "../flow/logline.h"
#include "../flow/usage.h"
#include "apps.h"
#include "classes.h"
#include "points.h"
#include "subscribers.h"

#include <stdint.h>

#define CLASSIFY_COUNTERS(X)                                                                       \
    X(flows)              /* flows classified */                                                   \
    X(flows_renormalised) /* flows multiplied by a sampling rate above 1 */                        \
    X(flows_rate_unknown) /* sampled at an unknown rate: counted 1:1 and warned */                 \
    X(drop_implausible)   /* byte or packet counts too large to be real (> 2^50) */                \
    X(flows_not_billed)   /* seen at an exporter or interface outside count_at */                  \
    X(bytes_not_billed)   /* their bytes */                                                        \
    X(flows_excluded)     /* of a host in exclude_hosts (billed from another source) */            \
    X(log_lines)          /* log usage emitted, one per direction with bytes */

struct classify_counters {
#define X(name) uint64_t name;
    CLASSIFY_COUNTERS(X)
#undef X
};

struct classifier {
    const struct prefix_trie *local_nets;     /* borrowed: what is ours (localnets.h) */
    const struct prefix_trie *sampling;       /* borrowed: exporter prefix -> 1-in-N; may be NULL */
    const struct subscriber_map *subscribers; /* borrowed; NULL = everyone unassigned */
    const struct billing_points *points;      /* borrowed; NULL = every exporter bills */
    const struct prefix_trie *exclude;        /* borrowed: hosts not billed; may be NULL */
    const struct class_table *classes;        /* borrowed; NULL = default class only */
    const uint16_t *class_ids;                /* borrowed: class table id -> name id */
    const struct app_table *apps;             /* borrowed; NULL = "other" only */
    const uint16_t *app_ids;                  /* borrowed: app table id -> name id */
    struct intern *app_names;                 /* borrowed: names for detected apps */
    uint16_t default_class;                   /* class id of traffic no class list claims */
    uint16_t other_app;                       /* application id of unmatched traffic */
    struct usage_sink out;
    struct classify_counters c;
};

void classifier_init(struct classifier *c, const struct prefix_trie *local_nets,
                     const struct prefix_trie *sampling, struct usage_sink out);

/* A flow_emit_fn: classifies the flow and emits one usage_delta into c->out. */
void classifier_emit(void *classifier, const struct flow *f);

/* Classifies usage read from a log line. The line's user names the account (if it is
 * one), else the local address and MAC at the line's time do, as for flows; the remote
 * address, when the log has it, gives the class. Emits one delta per direction that moved
 * bytes (the line counts as one flow, on the first). app_id: the application to count it
 * under. */
void classifier_emit_log(struct classifier *c, const struct log_usage *u, uint16_t app_id);

#endif
