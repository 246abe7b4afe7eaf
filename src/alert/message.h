// SPDX-License-Identifier: MIT
// The messages flowtally sends, made from templates the operator may edit (the files of
// the `mail_templates` directory: alert.subject, alert.txt, alert.html, report.subject,
// report.txt, invoice.subject, invoice.txt, invoice.html, reset.subject, reset.txt,
// reset.html (resetmail.c fills the last three); shipped as etc/mail/, the same texts built
// in): filled with the figures of the moment and built into a MIME message ready for the
// queue.
#ifndef FT_MESSAGE_H
#define FT_MESSAGE_H

#include "../base/template.h"
#include "../billing/quota.h"
#include "../store/store.h"
#include "../billing/levels.h"
#include "mime.h"

#include <stddef.h>
#include <stdint.h>

/* One kind of message: a subject line, a text part and (optionally) an HTML part. */
struct message_texts {
    struct template *subject, *text, *html; /* html may be NULL */
};

enum message_kind { MESSAGE_ALERT, MESSAGE_REPORT, MESSAGE_INVOICE, MESSAGE_RESET };

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

/* message_build() with files attached (n_files of them; 0: the same as message_build()). */
int message_build_files(const struct message_from *from, const char *to, const char *subject,
                        const char *text, const char *html, const struct mime_attachment *files,
                        size_t n_files, const char *kind, const char *event, uint64_t now_ms,
                        struct mail_row *m, char **body, char *errbuf);

/* The message of an issued document (an invoice, a credit or a debit note), to `to`, with
 * its PDF attached as invoice-42.pdf, credit-note-C-3.pdf or debit-note-D-1.pdf: kind
 * "invoice", event "invoice:NUMBER" (the number as people read it: 42, C-3, D-1), so the
 * queue takes one message per document. corrects: a note's invoice number (0: not known,
 * or not a note). The templates' names: name (or the account), account, operator, title
 * ("Invoice 42", "Credit note C-3", "Debit note D-1"), number, month ("March 2026": the
 * month the cycle starts in), cycle_start and cycle_end (local dates), amount (the total
 * with its currency, "30.81 EUR"; a credit note's without its minus: what is credited),
 * is_invoice, is_credit, is_debit, corrects. Fills m as message_alert() does. Returns 0,
 * or a negative code with errbuf. */
int message_invoice(const struct message_texts *t, const struct message_from *from,
                    const struct invoice_row *inv, int64_t corrects, const char *to,
                    const void *pdf, size_t pdf_len, uint64_t now_ms, struct mail_row *m,
                    char **body, char *errbuf);

/* Renders a template to a new string (free()), plain (no HTML escaping) or for HTML. */
char *message_render(const struct template *t, template_lookup_fn *lookup, const void *ctx,
                     bool html);

#endif
