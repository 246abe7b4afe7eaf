// SPDX-License-Identifier: MIT
// The hook runner: makes true, through the operator's quota_command (hook.c), the state
// evaluate.c wrote for each subscriber — over or under, with its addresses — and records
// that it did; a failing command is retried with the backoff of retry.h and logged.
#ifndef FT_ENFORCE_H
#define FT_ENFORCE_H

#include "../store/store.h"

#include <stdint.h>

struct enforce_counts {
    uint64_t ran, failed;
};

/* Runs the hook for every row due at now_ms. Returns 0, or a negative code when the store
 * failed (errbuf). */
int enforce_round(struct store *s, const char *command, int timeout_s, uint64_t now_ms,
                  struct enforce_counts *n, char *errbuf);

#endif
