// SPDX-License-Identifier: MIT
// The messages flowtally sends, made from templates the operator may edit (the files of
// the `mail_templates` directory: alert.subject, alert.txt, alert.html, report.subject,
// report.txt; shipped as etc/mail/, the same texts built in): filled with the figures of
// the moment and built into a MIME message ready for the queue.
#ifndef FT_MESSAGE_H
#define FT_MESSAGE_H

#include "../base/template.h"
#include "../billing/quota.h"
#include "../store/store.h"
#include "../billing/levels.h"

#include <stddef.h>
#include <stdint.h>

/* One kind of message: a subject line, a text part and (optionally) an HTML part. */
struct message_texts {
    struct template *subject, *text, *html; /* html may be NULL */
};

enum message_kind { MESSAGE_ALERT, MESSAGE_REPORT };

/* Reads a kind's templates from dir (NULL or "": the built-in ones): KIND.subject,
 * KIND.txt and, when present, KIND.html. Returns 0, or a negative code with
 * "FILE:LINE: ..." in errbuf. */
int message_texts_load(enum message_kind kind, const char *dir, struct message_texts *out,
                       char *errbuf);
void message_texts_free(struct message_texts *t);

/* The built-in text of a template file ("alert.txt"), or NULL. */
const char *message_builtin(const char *file);

/* Who sends. */
struct message_from {
    const char *name;   /* the operator's name */
    const char *addr;   /* mail_from */
    const char *domain; /* for Message-IDs: mail_from's domain */
};

/* The message for a level crossed: to the subscriber's email, event
 * "alert:SUBSCRIBER_ID:CYCLE_START_MS:LEVEL:NOW_MS". Fills m (its body points at *body, which the
 * caller frees). Returns 0, or a negative code with errbuf (an address that is not plain,
 * a template that failed). */
int message_alert(const struct message_texts *t, const struct message_from *from,
                  const struct quota_usage *u, const struct level *l, uint64_t now_ms,
                  struct mail_row *m, char **body, char *errbuf);

/* A message from filled-in texts (the staff report): to, subject and parts already
 * rendered. Fills m as message_alert() does, for event. */
int message_build(const struct message_from *from, const char *to, const char *subject,
                  const char *text, const char *html, const char *kind, const char *event,
                  uint64_t now_ms, struct mail_row *m, char **body, char *errbuf);

/* Renders a template to a new string (free()), plain (no HTML escaping) or for HTML. */
char *message_render(const struct template *t, template_lookup_fn *lookup, const void *ctx,
                     bool html);

#endif
