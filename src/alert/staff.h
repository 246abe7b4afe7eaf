// SPDX-License-Identifier: MIT
// The daily staff report (`staff_email`, `staff_report_at`): who is over quota, who crossed
// a level since the last report, the day's top 10 subscribers, its unassigned traffic, and
// the exporters that went silent or lost records. Queued once a day: the report of a day is
// the event "report:YYYY-MM-DD" of the mail queue, which the store refuses twice, so a
// restart after the hour (07:05) queues it then, and never a second one.
#ifndef FT_STAFF_H
#define FT_STAFF_H

#include "../store/store.h"
#include "message.h"

#include <stdint.h>

struct staff_config {
    const char *to; /* staff_email */
    int at_minute;  /* staff_report_at, minutes after local midnight */
    const struct message_texts *texts;
    struct message_from from;
};

/* Queues today's report when its time has come and it is not queued yet. Returns 1 when it
 * queued it, 0 when there was nothing to do, or a negative code with errbuf. */
int staff_report_due(struct store *s, const struct staff_config *c, uint64_t now_ms, char *errbuf);

/* Writes the report's text as of now_ms for local day `day` (YYYY-MM-DD, the day before the
 * report), alerts since since_ms. Returns 0 or a negative code with errbuf. */
int staff_report_text(struct store *s, const char *day, uint64_t day_start_ms, uint64_t day_end_ms,
                      uint64_t since_ms, uint64_t now_ms, FILE *out, char *errbuf);

#endif
