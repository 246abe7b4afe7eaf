// SPDX-License-Identifier: MIT
// What a flush saw of each exporter, for `flowtally stats`'s health view: the batch's
// counter increases of every stream (exporter address, version, domain) summed per
// address into one store row (store.h: struct seen_row), plus one row for the flush itself,
// all written in the flush's own transaction, which also prunes rows past SEEN_KEEP_MS.
#ifndef FT_SEEN_H
#define FT_SEEN_H

#include "../store/store.h"
#include "flusher.h"

#include <stddef.h>
#include <stdint.h>

#define SEEN_KEEP_MS (2 * 3600 * 1000ULL) /* the health view reads the last hour */
#define SEEN_PRUNE_MIN 64                 /* rows a flush may prune beyond four per row it writes */

/* Writes a row per exporter address the stats name (those of streams: version not 0) and
 * the flush's row (exporter "*", their sums, written even when there is none), each at
 * at_ms with interval_ms, then prunes rows older than SEEN_KEEP_MS before at_ms: at most
 * four per row written plus SEEN_PRUNE_MIN, so a flush's work stays bounded and a backlog
 * goes within a few flushes. Inside the caller's transaction. Returns 0 or the store's
 * code. Thread: the store thread. */
int seen_write(struct store *st, const struct flush_stat *stats, size_t n_stats, uint64_t at_ms,
               uint64_t interval_ms);

#endif
