// SPDX-License-Identifier: MIT
// Logging to stderr (for journald). The level test happens before any formatting. Each .c
// file defines LOG_TAG before including this header. Anything that can fire once per packet
// uses the log_rl_* forms, which print at most one line per call site per second and report
// how many were suppressed.
#ifndef FT_LOG_H
#define FT_LOG_H

#include <stdbool.h>
#include <stdint.h>

#ifndef LOG_TAG
#define LOG_TAG "flowtally"
#endif

/* NOTICE is for rare events an operator wants to see by default (a new exporter). */
enum log_level {
    LOG_LEVEL_ERROR,
    LOG_LEVEL_WARN,
    LOG_LEVEL_NOTICE,
    LOG_LEVEL_INFO,
    LOG_LEVEL_DEBUG
};

extern enum log_level log_threshold;

/* Rate-limit state of one call site. */
struct log_rl {
    int64_t last_sec;   /* second of the last printed line */
    uint64_t n_dropped; /* lines suppressed since then */
};

void log_write(enum log_level level, const char *tag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Returns true if this call site may print now; counts a suppressed line otherwise. */
bool log_rl_allow(struct log_rl *rl, uint64_t *n_dropped_out);

#define log_at(level, ...)                                                                         \
    do {                                                                                           \
        if ((level) <= log_threshold)                                                              \
            log_write((level), LOG_TAG, __VA_ARGS__);                                              \
    } while (0)

#define log_error(...) log_at(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_notice(...) log_at(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_info(...) log_at(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_LEVEL_DEBUG, __VA_ARGS__)

#define log_rl_at(level, ...)                                                                      \
    do {                                                                                           \
        static struct log_rl rl_site_;                                                             \
        uint64_t rl_dropped_;                                                                      \
        if ((level) <= log_threshold && log_rl_allow(&rl_site_, &rl_dropped_)) {                   \
            log_write((level), LOG_TAG, __VA_ARGS__);                                              \
            if (rl_dropped_)                                                                       \
                log_write((level), LOG_TAG, "(%llu similar messages suppressed)",                  \
                          (unsigned long long)rl_dropped_);                                        \
        }                                                                                          \
    } while (0)

#define log_rl_warn(...) log_rl_at(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_rl_info(...) log_rl_at(LOG_LEVEL_INFO, __VA_ARGS__)

#endif
