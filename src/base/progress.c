// SPDX-License-Identifier: MIT
// The progress line: one line rewritten in place with a carriage return.
#include "progress.h"

#include <time.h>
#include <unistd.h>

#define PROGRESS_EVERY_MS 250 /* between two drawings */

FILE *progress_terminal(void)
{
    return isatty(STDERR_FILENO) ? stderr : NULL;
}

uint64_t progress_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void progress_start(struct progress *p, FILE *out, const char *what, const char *unit,
                    uint64_t now_ms)
{
    *p = (struct progress){.out = out, .what = what, .unit = unit, .start_ms = now_ms};
}

/* "closing: 42% read, 65536 rows, 131072 rows/s, 1 s left", or without the share and the
 * time left when the share is unknown. The rate and the time left are for people, never
 * for accounts: floating point is fine here. */
static void draw(struct progress *p, uint64_t n, uint64_t permille, uint64_t now_ms,
                 const char *end)
{
    double secs = (double)(now_ms - p->start_ms) / 1000.0;
    double rate = secs > 0 ? (double)n / secs : 0;
    if (permille == PROGRESS_UNKNOWN) {
        fprintf(p->out, "\r%s: %llu %s, %.0f %s/s   %s", p->what, (unsigned long long)n, p->unit,
                rate, p->unit, end);
    } else {
        permille = permille > 1000 ? 1000 : permille;
        double left = permille ? secs * (double)(1000 - permille) / (double)permille : 0;
        fprintf(p->out, "\r%s: %3u%% read, %llu %s, %.0f %s/s, %.0f s left   %s", p->what,
                (unsigned)(permille / 10), (unsigned long long)n, p->unit, rate, p->unit, left,
                end);
    }
    fflush(p->out);
    p->shown_ms = now_ms;
    p->is_shown = true;
}

void progress_show(struct progress *p, uint64_t n, uint64_t permille, uint64_t now_ms)
{
    if (!p->out || (p->is_shown && now_ms - p->shown_ms < PROGRESS_EVERY_MS))
        return;
    draw(p, n, permille, now_ms, "");
}

void progress_end(struct progress *p, uint64_t n, uint64_t now_ms)
{
    if (p->out)
        draw(p, n, 1000, now_ms, "\n");
}
