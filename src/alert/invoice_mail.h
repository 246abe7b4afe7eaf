// SPDX-License-Identifier: MIT
// Invoices by email (`invoice_mail`): each document issued (an invoice, a credit or a debit
// note) goes to its subscriber's address as a message with a text part, an HTML part and
// the document's PDF, through the store's mail queue, which the daemon's sender sends. One
// message per document, whoever queues it: the event "invoice:NUMBER" is unique in the
// queue. Documents issued before invoice mail was first turned on are never mailed: the
// store remembers that moment (meta "invoice_mail_since_ms"), so turning it on does not
// mail years of old invoices, and every process (the daemon, `bill close`) agrees on it.
#ifndef FT_INVOICE_MAIL_H
#define FT_INVOICE_MAIL_H

#include "../print/print.h"
#include "../store/store.h"
#include "message.h"

#include <stddef.h>
#include <stdint.h>

#define INVOICE_MAIL_SINCE_KEY "invoice_mail_since_ms"

/* What a round needs, and what it remembers between rounds. Caller-owned. */
struct invoice_mail {
    const struct message_texts *texts; /* MESSAGE_INVOICE's; borrowed */
    struct message_from from;          /* borrowed strings */
    struct print_operator op;          /* who bills, printed on the PDF; borrowed */
    size_t max_per_round;              /* documents a round makes a message of at most (a
                                        * PDF takes a moment to lay out); 0: every one */
    int64_t noted_id; /* state, 0 at first: the documents up to this id without an address
                       * were logged once already (they are looked at every round) */
};

/* What happened to one document in a round: queued to `to`, or not, and why. */
enum invoice_mail_outcome {
    INVOICE_MAIL_QUEUED,
    INVOICE_MAIL_NO_EMAIL, /* the subscriber has no email address (or was removed) */
    INVOICE_MAIL_FAILED,   /* its message could not be made (why: the text given) */
    INVOICE_MAIL_ALREADY,  /* another process queued its message meanwhile */
};
typedef void invoice_mail_fn(void *ctx, const struct invoice_row *inv,
                             enum invoice_mail_outcome what, const char *to, const char *why);

struct invoice_mail_counts {
    size_t queued, no_email, failed, already;
};

/* The moment invoice mail was first turned on: OUT *since_ms, meta's value, or now_ms,
 * written there first when the store has none (in one transaction). Returns 0 or a
 * negative code. */
int invoice_mail_since(struct store *s, uint64_t now_ms, uint64_t *since_ms);

/* One round: queues a message for each document issued since invoice_mail_since() that
 * has none in the queue yet, to its subscriber's email, up to im->max_per_round, in
 * id order. A document whose subscriber has no address is skipped (and logged the first
 * time a process sees it; it is mailed once the subscriber has one); one whose message
 * cannot be made is logged and tried again next round; one another process queued
 * meanwhile is left. fn (may be NULL) hears of each document looked at. Adds to *n.
 * Returns 0, or a negative code with errbuf when the store failed. Thread: the caller's
 * (the daemon's alert thread, a CLI command), with a store of its own. */
int invoice_mail_round(struct store *s, struct invoice_mail *im, uint64_t now_ms,
                       struct invoice_mail_counts *n, invoice_mail_fn *fn, void *ctx, char *errbuf);

#endif
