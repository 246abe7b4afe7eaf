// SPDX-License-Identifier: MIT
// The rows are read first and the hooks run after, so no store read is open while a hook
// runs (it may take its time, up to its timeout).
#include "enforce.h"

#include "../base/err.h"
#define LOG_TAG "enforce"
#include "../base/log.h"
#include "../base/xalloc.h"
#include "hook.h"
#include "retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct due {
    struct enforce_row *rows;
    size_t n;
};

static void add_due(void *ctx, const struct enforce_row *e)
{
    struct due *d = ctx;
    d->rows = xrealloc(d->rows, (d->n + 1) * sizeof *d->rows);
    d->rows[d->n++] = *e;
}

int enforce_round(struct store *s, const char *command, int timeout_s, uint64_t now_ms,
                  struct enforce_counts *n, char *errbuf)
{
    struct due d = {0};
    if (store_enforce_list(s, now_ms, add_due, &d) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading the hook's work: %s", s->ops->last_error(s));
        return ERR_STORE;
    }
    int rc = 0;
    for (size_t i = 0; i < d.n && rc == 0; i++) {
        struct enforce_row *e = &d.rows[i];
        struct hook_run h = {command, e->account, e->state, e->addresses, timeout_s};
        char why[ERR_BUF_LEN];
        if (hook_run(&h, why) == 0) {
            e->is_done = true;
            e->tries = 0;
            e->last_error[0] = '\0';
            n->ran++;
            log_info("%s is %s (%s)", e->account, e->state,
                     e->addresses[0] ? e->addresses : "no addresses");
        } else {
            e->tries++;
            e->next_try_ms = now_ms + retry_backoff_ms(e->tries);
            snprintf(e->last_error, sizeof e->last_error, "%.255s", why);
            n->failed++;
            log_warn("%s: quota_command for state %s failed (try %d): %s", e->account, e->state,
                     e->tries, why);
        }
        /* what the evaluator may have written meanwhile wins: only a row still asking for
         * this state and these addresses is marked */
        struct enforce_row now;
        if (store_enforce_get(s, e->subscriber_id, &now) == 0 && strcmp(now.state, e->state) == 0 &&
            strcmp(now.addresses, e->addresses) == 0 && store_enforce_put(s, e) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "recording the hook's run: %s", s->ops->last_error(s));
            rc = ERR_STORE;
        }
    }
    free(d.rows);
    return rc;
}
