// SPDX-License-Identifier: MIT
// Deciding, for a subscriber whose usage moved, which alert levels it has crossed in its
// cycle and whether it is over the enforcement level: a crossed level that has not fired
// fires (recorded in the store with its message, in one transaction, so it fires once per
// cycle whatever restarts or other collectors do); one that fired but is no longer crossed
// (a top-up, a plan change) is re-armed; the enforcement state the hook must make true is
// written for the hook runner (enforce.c).
//
// The alert thread evaluates at every flush the subscribers whose usage moved. Reading a
// whole cycle of each from the store every time is most of a core with thousands of them,
// so evaluate_moved() keeps in memory (tally.h) what counts toward each one's quota,
// seeded from the store the first time it moves in a cycle and advanced by the deltas each
// flush wrote. The store stays the judge: a level fires, is re-armed, or the enforcement
// state changes only after an exact read of that subscriber, and memory is trusted only
// far from every level not yet fired (other collectors on the same store add usage this
// one never sees, so the margin grows with what moved since the last exact read).
#ifndef FT_EVALUATE_H
#define FT_EVALUATE_H

#include "../store/store.h"
#include "../billing/levels.h"
#include "message.h"
#include "tally.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evaluate_config {
    struct levels default_levels;      /* alert_levels: for plans and subscribers without own */
    bool is_enforcing;                 /* quota_command set */
    struct level enforce_level;        /* enforce_level */
    const struct message_texts *texts; /* NULL: no mail (no smtp or mail_from) */
    struct message_from from;
};

struct evaluate_counts {
    uint64_t evaluated;  /* exact evaluations: the cycle read from the store */
    uint64_t remembered; /* settled from memory, far from every level (evaluate_moved) */
    uint64_t fired, rearmed, queued, enforce_changes;
};

/* When memory will not do for a subscriber whose usage moved: its figure plus the margin
 * reaches a level not yet fired (or the enforcement level while under), where the margin
 * is EVALUATE_OTHERS times what this collector added since the last exact read (room for
 * that many other collectors adding as much) plus 1/EVALUATE_MARGIN_DIV of the level; or
 * the last exact read is EVALUATE_STALE_MS old, or half as old for some subscribers (spread
 * by id, so that the subscribers of one round are not all read again in one round): what
 * other collectors added, however it is split, is seen within that time. */
#define EVALUATE_OTHERS 3
#define EVALUATE_MARGIN_DIV 16
#define EVALUATE_STALE_MS 300000

/* One usage row of a flush, as far as quotas care: bucket, direction, class and bytes. */
struct evaluate_delta {
    uint32_t bucket_s;      /* start of the row's bucket, unix seconds UTC */
    uint8_t dir;            /* enum flow_dir */
    const char *class_name; /* borrowed for the call */
    uint64_t bytes;
};

/* The alert thread's memory: per subscriber what counts toward its quota (tally.h), and
 * what a round reads once for all its subscribers (the class list, the plans). */
struct evaluate_memory;

/* Memory for at most max_subscribers subscribers (past it, a subscriber is read from the
 * store at every move). Returns it; free with evaluate_memory_free(). */
struct evaluate_memory *evaluate_memory_new(size_t max_subscribers);
void evaluate_memory_free(struct evaluate_memory *m);

/* Forgets every subscriber (deltas were lost: the next moves read the store). */
void evaluate_memory_clear(struct evaluate_memory *m);

/* Removes from memory the subscribers whose cycle ended by now_ms. Returns how many stay. */
size_t evaluate_memory_sweep(struct evaluate_memory *m, uint64_t now_ms);

/* What memory holds for a subscriber (NULL: nothing). Borrowed until the next call on m. */
const struct tally_entry *evaluate_memory_get(struct evaluate_memory *m, uint32_t subscriber);

/* Starts a round: reads the class list and the plans once for the evaluate_moved() calls
 * that follow; a class list other than the one memory was built with empties it. Returns 0
 * or ERR_STORE with errbuf. */
int evaluate_round_begin(struct store *s, struct evaluate_memory *m, char *errbuf);

/* Evaluates one subscriber whose usage moved by the flush rows d[0..n) at now_ms: from
 * memory when that will do (see above), else as evaluate_subscriber() does, seeding memory
 * from what it read. Call within a round (evaluate_round_begin()), deltas in the order the
 * flushes wrote them. Returns as evaluate_subscriber(). Thread: the alert thread. */
int evaluate_moved(struct store *s, const struct evaluate_config *c, struct evaluate_memory *m,
                   uint32_t subscriber, const struct evaluate_delta *d, size_t n, uint64_t now_ms,
                   struct evaluate_counts *cnt, char *errbuf);

/* Evaluates one subscriber at now_ms. Returns 0 (also for a subscriber removed since, or a
 * level that another collector fired first), or a negative code with errbuf. */
int evaluate_subscriber(struct store *s, const struct evaluate_config *c, int64_t subscriber_id,
                        uint64_t now_ms, struct evaluate_counts *n, char *errbuf);

/* The levels that apply to a subscriber: its own, else its plan's, else the default. */
int evaluate_levels(const struct subscriber *sub, const struct plan *plan,
                    const struct levels *dflt, struct levels *out, char *errbuf);

#endif
