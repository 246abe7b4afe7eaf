// SPDX-License-Identifier: MIT
// The password reset mail: the link the portal made, in the reset templates (reset.subject,
// reset.txt, reset.html of the `mail_templates` directory, or the built-in copies of
// etc/mail/), built into a MIME message for the store's mail queue. The portal queues it in
// the transaction that stores the link's hash; the daemon's sender sends it.
#ifndef FT_RESETMAIL_H
#define FT_RESETMAIL_H

#include "message.h"

#include <stddef.h>
#include <stdint.h>

/* How long a link works, as a sentence says it: "1 hour", "2 hours", "90 minutes",
 * "1 minute", "45 seconds" (whole hours as hours, else whole minutes as minutes, else
 * seconds). buf: size bytes (32 is enough). */
void resetmail_duration(uint64_t valid_s, char *buf, size_t size);

/* The message with the link, to `to` (the user's address): kind "reset", event
 * "reset:USER_ID:NOW_MS" (one message per request: the queue refuses a second one for the
 * same event). The templates' names: login (the user's), operator (from->name), link, and
 * valid (resetmail_duration() of valid_s). Never the password, which the mail cannot know.
 * Fills m as message_alert() does (its body points at *body, which the caller frees).
 * Returns 0, or a negative code with errbuf (an address that is not plain, a template that
 * failed). */
int resetmail_build(const struct message_texts *t, const struct message_from *from, const char *to,
                    const char *login, int64_t user_id, const char *link, uint64_t valid_s,
                    uint64_t now_ms, struct mail_row *m, char **body, char *errbuf);

#endif
