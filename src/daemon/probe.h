// SPDX-License-Identifier: MIT
// The packet probe in the daemon: a live capture (`capture`) or a pcap file (`read`), its
// flow table, and their timing. Packets become flows here and go down the same pipeline
// as exported flows.
#ifndef FT_PROBE_H
#define FT_PROBE_H

#include "../collect/capture.h"
#include "../collect/flowtable.h"
#include "../config/config.h"
#include "flusher.h"

#include <stdbool.h>

struct probe {
    struct capture *cap;          /* owned; NULL when no probe is configured */
    struct flowtable *ft;         /* owned */
    bool is_file;                 /* reading a pcap file: its end ends the daemon */
    struct capture_sink named;    /* names applications (nDPI) on the way to the pipeline */
    struct capture_counters last; /* as of the last probe_take_stats() */
    struct flowtable_counters last_ft;
};

/* Opens the probe the configuration asks for (none: p->cap stays NULL). Returns 0, or
 * ERR_CONFIG with a message naming the file, interface or filter in errbuf. */
int probe_open(struct probe *p, const struct config *cfg, char *errbuf);
void probe_close(struct probe *p);

/* The descriptor to poll, or -1. */
int probe_fd(const struct probe *p);

/* Handles what is waiting and expires flows by the clock (live) or the file's own time.
 * Returns false when a file has ended (everything in it then handed to sink). */
bool probe_run(struct probe *p, uint64_t wall_ms, const struct flow_sink *sink);

/* At shutdown: takes the last packets the kernel holds and ends every flow. */
void probe_finish(struct probe *p, const struct flow_sink *sink);

/* Moves the probe's counters into a flush batch. */
void probe_take_stats(struct probe *p, struct flush_batch *b);

#endif
