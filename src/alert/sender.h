// SPDX-License-Identifier: MIT
// The mail sender: takes due messages from the store's queue (a claim, so several
// collectors on one database never send one message twice at once), sends each by SMTP,
// and records what came of it: sent; queued again after a backoff (retry.h); or failed
// for good (a permanent refusal, or still not sent after give_up_ms), which is logged.
#ifndef FT_SENDER_H
#define FT_SENDER_H

#include "../store/store.h"
#include "smtp.h"

#include <stdint.h>

struct sender_config {
    struct smtp_config smtp;
    const char *envelope_from; /* mail_from's address */
    uint64_t give_up_ms;       /* a message older than this (created_ms) when a try
                                * fails for a reason worth retrying is given up (failed) */
    uint64_t lease_ms;         /* how long a claim holds before another sender may retry;
                                * longer than a round can take (max sends of at most
                                * 10 x smtp.timeout_s each), or a message can go twice */
};

struct sender_counts {
    uint64_t sent, retried, failed;
};

/* One round: claims up to `max` due messages at now_ms and tries each once, in the
 * claim's order, then records each: sent (sent_ms = now_ms); queued again at now_ms +
 * retry_backoff_ms(tries) after SMTP_RETRY; failed after SMTP_PERMANENT, or after
 * SMTP_RETRY once give_up_ms have passed since created_ms (a warning is logged naming the
 * event and the error; a retry, a notice at most once a second). last_error is
 * smtp_send()'s errbuf, cut to 255 bytes. Adds to *counts. Returns 0, or a negative code
 * when the store failed (errbuf); the messages not recorded then stay claimed until their
 * lease ends. */
int sender_round(struct store *s, const struct sender_config *c, uint64_t now_ms, int max,
                 struct sender_counts *counts, char *errbuf);

#endif
