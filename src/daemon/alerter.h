// SPDX-License-Identifier: MIT
// The alert thread: evaluates the subscribers each flush had usage of (alert/evaluate.c),
// runs the enforcement hook (alert/enforce.c), sends the mail queue (alert/sender.c) and
// queues the daily staff report (alert/staff.c), through a store connection of its own, so
// neither SMTP nor a slow hook ever delays a flush.
#ifndef FT_ALERTER_H
#define FT_ALERTER_H

#include "../config/config.h"
#include "flusher.h"

#include <stddef.h>
#include <stdint.h>

struct alerter;

/* Starts the thread when the configuration asks for any of its work (mail, a staff
 * report, a quota_command; alerts are recorded whenever levels are set, which they are by
 * default). Returns it, or NULL with errbuf set (a template or a level that does not
 * parse, the store), or NULL with errbuf "" when there is nothing to do. */
struct alerter *alerter_start(const struct config *cfg, char *errbuf);

/* What alerter_start() checks of the configuration before it starts anything (the levels,
 * the enforcement level, the mail templates it would load), for `run --check-config`.
 * Returns 0, or ERR_CONFIG with errbuf. */
int alerter_check(const struct config *cfg, char *errbuf);

/* The flusher's on_flushed (flush_moved_fn): queues the subscribers and what the flush
 * stored of them for evaluation (never blocks on the store). */
void alerter_flushed(void *ctx, const struct flush_moved *rows, size_t n,
                     const struct intern *classes);

/* Evaluates what is queued, then stops the thread and frees it. NULL is fine. */
void alerter_stop(struct alerter *a);

#endif
