// SPDX-License-Identifier: MIT
// stderr logger with a global level and per-call-site rate limiting. Every line carries
// its UTC time (ISO 8601, milliseconds), or under systemd a journald priority prefix.
#include "log.h"

#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum log_level log_threshold = LOG_LEVEL_NOTICE;

static const char *const level_names[] = {"error", "warning", "notice", "info", "debug"};
static const int journal_priority[] = {3, 4, 5, 6, 7}; /* syslog's err .. debug */

/* systemd names the journal stream it connected to stderr in JOURNAL_STREAM (device:inode);
 * only then does a line start with a <priority> prefix instead of a timestamp, since the
 * journal stamps lines itself. */
static bool stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static pthread_once_t mode_once = PTHREAD_ONCE_INIT;
static bool to_journal;

static void mode_init(void)
{
    to_journal = stderr_is_journal();
}

void log_write(enum log_level level, const char *tag, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_once(&mode_once, mode_init);
    /* One fprintf per line so lines from different threads do not interleave. */
    if (to_journal) {
        fprintf(stderr, "<%d>flowtally[%s] %s: %s\n", journal_priority[level], tag,
                level_names[level], line);
        return;
    }
    struct timespec ts;
    struct tm tm;
    char when[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ flowtally[%s] %s: %s\n", when, ts.tv_nsec / 1000000, tag,
            level_names[level], line);
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
