// SPDX-License-Identifier: MIT
// Bills in the portal (invoices.c): the documents billing issued (invoices, credit and
// debit notes) as tables with links to view and to download each, one document as a page
// in the portal's layout (the operator's invoice.html template) and as the printable PDF
// (print/). Who may see a document is decided here once, for the page and the PDF alike.
#ifndef FT_WEB_INVOICES_H
#define FT_WEB_INVOICES_H

#include "../print/print.h"
#include "../store/store.h"
#include "app.h"
#include "../base/template.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Documents as the store lists them. */
struct invoice_docs {
    struct invoice_row *rows; /* owned, n of them */
    size_t n;
};

/* Reads the documents of one subscriber (or every one, -1) of one cycle "YYYY-MM" (or
 * every cycle, NULL), in the order issued. OUT: *d (invoices_free() it, also on failure).
 * Returns 0 or the store's negative code. */
int invoices_read(struct store *s, int64_t subscriber_id, const char *cycle,
                  struct invoice_docs *d);
void invoices_free(struct invoice_docs *d);

/* The number ("42", "C-3") of the document of d with id, or "" when d has none. buf: 32. */
const char *invoices_number_of(const struct invoice_docs *d, int64_t id, char *buf);

/* True when s is a cycle as "YYYY-MM" (1970 or later, month 01 to 12) and nothing else. */
bool invoices_cycle_ok(const char *s);

/* Columns of invoices_section() besides number, kind, issue date, total and PDF. */
#define INVOICES_COL_CYCLE 1u   /* the cycle, the documents newest cycle first */
#define INVOICES_COL_ACCOUNT 2u /* the subscriber, linked to the staff's page of it */

/* Writes a "Bills" section into c->out: the documents of subscriber_id (or all, -1) of
 * cycle (or all, NULL), each linked to its page and its PDF, or a line saying there are
 * none. Returns 0 or the store's negative code (the section is then incomplete: the caller
 * discards the page). */
int invoices_section(struct web_ctx *c, int64_t subscriber_id, const char *cycle, unsigned columns);

/* One document with what its page and its PDF show. */
struct invoice_doc {
    struct invoice_row inv;
    struct invoice_line *lines; /* owned, in the document's order */
    size_t n_lines;
    struct print_class *classes; /* owned: the usage per class it settled for its cycle */
    size_t n_classes;
    struct print_day *days; /* owned: its cycle's days (read for the PDF only) */
    size_t n_days;
    int64_t refers_to_number; /* a note: the number of the invoice it corrects, 0 unknown */
};

/* Renders d with the invoice template t into out: the facts, the usage per class, the
 * lines, subtotal, tax and total, a link to the PDF, a note's link to the invoice it
 * corrects, and usage_href (the page of the cycle's usage) as the cycle's link. flags as
 * template_render() takes them. Returns 0, ERR_MALFORMED with errbuf for a document print/
 * would not print (an unknown kind or unit), or template_render()'s code. Any thread. */
int invoices_render(const struct template *t, const struct invoice_doc *d, const char *usage_href,
                    unsigned flags, FILE *out, char *errbuf);

#endif
