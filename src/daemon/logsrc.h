// SPDX-License-Identifier: MIT
// Log sources in the daemon: the `logs` key's files, followed as they grow. Usage lines go
// through classification like flows (the user names the account); mapping lines are
// binding events (bind/bind.h) handed to the binder, like RADIUS accounting. Each file's
// position is stored in the same flush transaction as the usage of its lines, so a restart
// neither counts a line twice nor skips one.
#ifndef FT_LOGSRC_H
#define FT_LOGSRC_H

#include "../base/progress.h"
#include "../collect/logs.h"
#include "../config/config.h"
#include "flusher.h"
#include "pipeline.h"
#include "binder.h"

#define LOGSRC_MAX 16

struct log_source {
    enum log_format fmt;
    char path[256];
    struct log_follower *f;      /* owned */
    struct log_counters c, last; /* counters, and their values at the last flush */
    struct progress progress;    /* an import's line on a terminal (logsrc_show_progress) */
    uint64_t size;               /* the file's size when the import started */
    uint64_t progress_next;      /* the line count at which to redraw it */
};

struct log_sources {
    struct log_source src[LOGSRC_MAX];
    size_t n;
    uint16_t app_squid;    /* application of proxy log usage */
    struct pipeline *pipe; /* borrowed, for the callbacks */
    struct binder *binder; /* borrowed: applies and records mapping lines */
};

/* Opens the followers of cfg->logs, resuming at the positions the store holds. Returns 0,
 * or ERR_CONFIG with a message in errbuf. Thread: before the store thread starts. */
int logsrc_open(struct log_sources *ls, const struct config *cfg, struct store *st,
                struct pipeline *p, struct binder *binder, char *errbuf);
void logsrc_close(struct log_sources *ls);

/* For an import (`run --once`, `import log`): draws each file's progress line on out (a
 * terminal; NULL: none) while it is read, and logsrc_end_progress() its last line. */
void logsrc_show_progress(struct log_sources *ls, FILE *out);
void logsrc_end_progress(struct log_sources *ls);

/* Reads and counts what was appended to every log. Thread: the loop. */
void logsrc_poll(struct log_sources *ls);

/* Adds the positions reached (stored with this batch) and the counters to a batch. */
void logsrc_take(struct log_sources *ls, struct flush_batch *b);

#endif
