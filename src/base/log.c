// SPDX-License-Identifier: MIT
// stderr logger with a global level and per-call-site rate limiting.
#include "log.h"

#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

enum log_level log_threshold = LOG_LEVEL_NOTICE;

static const char *const level_names[] = {"error", "warning", "notice", "info", "debug"};

void log_write(enum log_level level, const char *tag, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    /* One fprintf per line so lines from different threads do not interleave. */
    fprintf(stderr, "flowtally[%s] %s: %s\n", tag, level_names[level], line);
}

/* Receive workers share each call site's state; this runs only on the way to a log line,
 * never on the hot path, so one lock serves every site. */
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

bool log_rl_allow(struct log_rl *rl, uint64_t *n_dropped_out)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    *n_dropped_out = 0;
    bool allow = false;
    pthread_mutex_lock(&rl_lock);
    if (rl->last_sec != 0 && ts.tv_sec == rl->last_sec) {
        rl->n_dropped++;
    } else {
        rl->last_sec = ts.tv_sec;
        *n_dropped_out = rl->n_dropped;
        rl->n_dropped = 0;
        allow = true;
    }
    pthread_mutex_unlock(&rl_lock);
    return allow;
}
