// SPDX-License-Identifier: MIT
// Deciding, for a subscriber whose usage moved, which alert levels it has crossed in its
// cycle and whether it is over the enforcement level: a crossed level that has not fired
// fires (recorded in the store with its message, in one transaction, so it fires once per
// cycle whatever restarts or other collectors do); one that fired but is no longer crossed
// (a top-up, a plan change) is re-armed; the enforcement state the hook must make true is
// written for the hook runner (enforce.c).
#ifndef FT_EVALUATE_H
#define FT_EVALUATE_H

#include "../store/store.h"
#include "../billing/levels.h"
#include "message.h"

#include <stdbool.h>
#include <stdint.h>

struct evaluate_config {
    struct levels default_levels;      /* alert_levels: for plans and subscribers without own */
    bool is_enforcing;                 /* quota_command set */
    struct level enforce_level;        /* enforce_level */
    const struct message_texts *texts; /* NULL: no mail (no smtp or mail_from) */
    struct message_from from;
};

struct evaluate_counts {
    uint64_t evaluated, fired, rearmed, queued, enforce_changes;
};

/* Evaluates one subscriber at now_ms. Returns 0 (also for a subscriber removed since, or a
 * level that another collector fired first), or a negative code with errbuf. */
int evaluate_subscriber(struct store *s, const struct evaluate_config *c, int64_t subscriber_id,
                        uint64_t now_ms, struct evaluate_counts *n, char *errbuf);

/* The levels that apply to a subscriber: its own, else its plan's, else the default. */
int evaluate_levels(const struct subscriber *sub, const struct plan *plan,
                    const struct levels *dflt, struct levels *out, char *errbuf);

#endif
