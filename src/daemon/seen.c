// SPDX-License-Identifier: MIT
// Sums a batch's per-stream counters into one row per exporter address and writes them,
// with the flush's own row, in the flush's transaction (seen.h). The batch lists a
// stream's counters together, but the streams of one address (several domains, v9 and
// IPFIX) need not be adjacent: the counters are sorted by address first, so the work is
// n log n in the counters and one row per address, never per record.
#include "seen.h"

#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int by_exporter(const void *a, const void *b)
{
    const struct flush_stat *const *x = a, *const *y = b;
    return strcmp((*x)->exporter, (*y)->exporter);
}

/* Adds one counter increase to the row of its exporter. The source counters that say
 * whether a router is healthy; the rest (options records, templates refused, sequence
 * resets) stay in the totals only. */
static void add_counter(struct seen_row *r, const struct flush_stat *fs)
{
    const char *n = fs->name;
    if (strcmp(n, "packets") == 0)
        r->packets += fs->value;
    else if (strcmp(n, "records") == 0)
        r->records += fs->value;
    else if (strcmp(n, "flow_bytes") == 0)
        r->bytes += fs->value;
    else if (strcmp(n, "seq_lost") == 0 && fs->version == 9)
        r->lost_datagrams += fs->value; /* v9 numbers export packets, not records */
    else if (strcmp(n, "seq_lost") == 0)
        r->lost += fs->value;
    else if (strcmp(n, "drop_set_no_template") == 0 || strcmp(n, "drop_set_malformed") == 0 ||
             strcmp(n, "drop_rec_malformed") == 0)
        r->dropped += fs->value;
}

static void add_row(struct seen_row *sum, const struct seen_row *r)
{
    sum->packets += r->packets;
    sum->records += r->records;
    sum->bytes += r->bytes;
    sum->lost += r->lost;
    sum->lost_datagrams += r->lost_datagrams;
    sum->dropped += r->dropped;
}

int seen_write(struct store *st, const struct flush_stat *stats, size_t n_stats, uint64_t at_ms,
               uint64_t interval_ms)
{
    const struct flush_stat **v = xmalloc((n_stats ? n_stats : 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < n_stats; i++)
        if (stats[i].version != 0) /* a stream's; "*" and followed logs are version 0 */
            v[n++] = &stats[i];
    qsort(v, n, sizeof *v, by_exporter);
    struct seen_row all = {.exporter = "*", .at_ms = at_ms, .interval_ms = interval_ms};
    int rc = 0, n_rows = 1;
    for (size_t i = 0; rc == 0 && i < n;) {
        struct seen_row r = {
            .exporter = v[i]->exporter, .at_ms = at_ms, .interval_ms = interval_ms};
        for (; i < n && strcmp(v[i]->exporter, r.exporter) == 0; i++)
            add_counter(&r, v[i]);
        add_row(&all, &r);
        rc = st->ops->seen_add(st, &r);
        n_rows++;
    }
    free(v);
    if (rc == 0)
        rc = st->ops->seen_add(st, &all);
    if (rc == 0)
        rc = st->ops->seen_prune(st, at_ms > SEEN_KEEP_MS ? at_ms - SEEN_KEEP_MS : 0,
                                 4 * n_rows + SEEN_PRUNE_MIN, NULL);
    return rc;
}
