// SPDX-License-Identifier: MIT
// A progress line for long work (bill close, imports): done so far, the rate, and the time
// left when the share done is known, redrawn in place on a terminal at most four times a
// second. Off a terminal it says nothing, so logs and pipes stay clean.
#ifndef FT_PROGRESS_H
#define FT_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_UNKNOWN UINT64_MAX /* a share done that cannot be told */

struct progress {
    FILE *out;         /* borrowed: where the line is drawn, or NULL (silent) */
    const char *what;  /* borrowed: what is being done, "closing" */
    const char *unit;  /* borrowed: what is counted, "rows" */
    uint64_t start_ms; /* progress_start()'s now_ms */
    uint64_t shown_ms; /* when the line was last drawn */
    bool is_shown;     /* a line was drawn since the start */
};

/* stderr when it is a terminal, else NULL: the out of progress_start(). */
FILE *progress_terminal(void);

/* Milliseconds of a monotonic clock, for the now_ms of the calls below. */
uint64_t progress_clock_ms(void);

/* Starts a progress line drawn on out (NULL: none). what and unit are borrowed and must
 * outlive the progress. */
void progress_start(struct progress *p, FILE *out, const char *what, const char *unit,
                    uint64_t now_ms);

/* Redraws the line, unless one was drawn less than 250 ms ago: n units done, permille of the
 * whole (0..1000, or PROGRESS_UNKNOWN: then no share and no time left are shown). */
void progress_show(struct progress *p, uint64_t n, uint64_t permille, uint64_t now_ms);

/* Draws the last line (100%, n units) and ends it with a newline. */
void progress_end(struct progress *p, uint64_t n, uint64_t now_ms);

#endif
