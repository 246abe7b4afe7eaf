// SPDX-License-Identifier: MIT
// Mailing issued documents: the store lists those issued since the moment invoice mail was
// turned on that no message is for yet (invoice_unmailed, an anti-join on the queue's
// unique events); each is read as `bill show` reads it (lines, settled classes, days),
// printed to a PDF in memory and queued with its texts. Queueing is the only write, and
// the unique event makes a second one for a document fail with ERR_EXISTS, so two
// processes mailing at once send one message, and a crash between reading and queueing
// costs nothing but a retry.
#include "invoice_mail.h"

#include "../base/err.h"
#include "../base/xalloc.h"
#include "../billing/export.h"
#include "mime.h"
#define LOG_TAG "alert"
#include "../base/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the moment it was turned on ---- */

struct since {
    uint64_t now_ms, since_ms;
};

static int since_work(struct store *s, void *ctx)
{
    struct since *w = ctx;
    int64_t v;
    int rc = store_meta_get(s, INVOICE_MAIL_SINCE_KEY, &v);
    if (rc == 0) {
        w->since_ms = v > 0 ? (uint64_t)v : 0;
        return 0;
    }
    if (rc != ERR_NOT_FOUND)
        return rc;
    w->since_ms = w->now_ms;
    return store_meta_set(s, INVOICE_MAIL_SINCE_KEY, (int64_t)w->now_ms);
}

int invoice_mail_since(struct store *s, uint64_t now_ms, uint64_t *since_ms)
{
    struct since w = {.now_ms = now_ms};
    int64_t v;
    /* the usual case reads only; the first time writes, in a transaction so two processes
     * starting at once agree (SQLite: one writer; PostgreSQL: the later upsert wins, a
     * moment later, which can only leave out what neither has looked at yet) */
    int rc = store_meta_get(s, INVOICE_MAIL_SINCE_KEY, &v);
    if (rc == 0)
        w.since_ms = v > 0 ? (uint64_t)v : 0;
    else if (rc == ERR_NOT_FOUND)
        rc = store_transaction(s, since_work, &w);
    *since_ms = w.since_ms;
    return rc;
}

/* ---- one document, as `bill show` prints it ---- */

struct doc {
    const struct invoice_row *inv;
    struct invoice_line *lines;
    size_t n_lines;
    struct print_class *classes;
    size_t n_classes;
    int64_t corrects; /* a note: the number of the invoice it corrects */
};

static void add_line(void *ctx, const struct invoice_line *l)
{
    struct doc *d = ctx;
    d->lines = xrealloc(d->lines, (d->n_lines + 1) * sizeof *d->lines);
    d->lines[d->n_lines++] = *l;
}

/* The usage the document settled for its own cycle. */
static void add_class(void *ctx, const struct invoice_usage *u)
{
    struct doc *d = ctx;
    if (u->invoice_id != d->inv->id || strcmp(u->cycle, d->inv->cycle) != 0)
        return;
    d->classes = xrealloc(d->classes, (d->n_classes + 1) * sizeof *d->classes);
    struct print_class *c = &d->classes[d->n_classes++];
    snprintf(c->name, sizeof c->name, "%s", u->class_name);
    c->bytes = u->bytes;
}

static void find_corrected(void *ctx, const struct invoice_row *inv)
{
    struct doc *d = ctx;
    if (inv->id == d->inv->refers_to)
        d->corrects = inv->number;
}

/* The document's PDF. OUT: *pdf (free()), *len. */
static int doc_pdf(struct store *s, const struct invoice_mail *im, struct doc *d, char **pdf,
                   size_t *len, char *errbuf)
{
    const struct invoice_row *inv = d->inv;
    struct invoice_query q = {.subscriber_id = inv->subscriber_id};
    int rc = store_invoice_lines(s, inv->id, add_line, d);
    if (rc == 0)
        rc = store_invoice_usage_list(s, inv->subscriber_id, add_class, d);
    if (rc == 0 && inv->refers_to)
        rc = store_invoice_list(s, &q, find_corrected, d);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading the document: %s", s->ops->last_error(s));
        return rc;
    }
    struct export_day *ed = NULL;
    size_t n_days = 0;
    rc = export_days(s, inv, &ed, &n_days, errbuf);
    if (rc != 0)
        return rc;
    struct print_day *days = xcalloc(n_days ? n_days : 1, sizeof *days);
    for (size_t i = 0; i < n_days; i++) {
        snprintf(days[i].date, sizeof days[i].date, "%s", ed[i].date);
        days[i].bytes_in = ed[i].bytes_in;
        days[i].bytes_out = ed[i].bytes_out;
    }
    free(ed);
    struct print_invoice p = {.inv = inv,
                              .lines = d->lines,
                              .n_lines = d->n_lines,
                              .classes = d->classes,
                              .n_classes = d->n_classes,
                              .days = days,
                              .n_days = n_days,
                              .op = im->op,
                              .refers_to_number = d->corrects};
    rc = print_invoice_pdf_buffer(&p, pdf, len, errbuf);
    free(days);
    return rc;
}

/* ---- a round ---- */

struct docs {
    struct invoice_row *rows;
    size_t n;
};

static void add_doc(void *ctx, const struct invoice_row *inv)
{
    struct docs *ds = ctx;
    ds->rows = xrealloc(ds->rows, (ds->n + 1) * sizeof *ds->rows);
    ds->rows[ds->n++] = *inv;
}

/* Queues one document's message. Returns 0 (queued), 2 (another process had), 1 when it
 * made none (no address: *to ""; or errbuf says why), or a negative code when the store
 * failed. */
static int mail_one(struct store *s, struct invoice_mail *im, const struct invoice_row *inv,
                    uint64_t now_ms, char *to, char *errbuf)
{
    struct subscriber sub;
    int rc = store_subscriber_get_id(s, inv->subscriber_id, &sub);
    to[0] = '\0';
    if (rc == ERR_NOT_FOUND)
        return 1; /* removed since: nowhere to send it */
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading subscriber %lld: %s", (long long)inv->subscriber_id,
                 s->ops->last_error(s));
        return rc;
    }
    if (!sub.email[0])
        return 1;
    snprintf(to, 128, "%s", sub.email);
    if (!mime_address_ok(sub.email)) { /* said before the PDF is laid out for nothing */
        snprintf(errbuf, ERR_BUF_LEN, "not a plain local@domain address: \"%s\"", sub.email);
        return 1;
    }
    struct doc d = {.inv = inv};
    char *pdf = NULL, *body = NULL;
    size_t len = 0;
    struct mail_row m;
    rc = doc_pdf(s, im, &d, &pdf, &len, errbuf);
    if (rc == 0)
        rc = message_invoice(im->texts, &im->from, inv, d.corrects, sub.email, pdf, len, now_ms, &m,
                             &body, errbuf);
    if (rc == 0) {
        rc = store_mail_enqueue(s, &m, errbuf);
        rc = rc == ERR_EXISTS ? 2 : rc == ERR_MALFORMED ? 1 : rc;
    } else if (rc != ERR_STORE) {
        rc = 1; /* the message: an address that is not plain, a template, a logo */
    }
    free(pdf);
    free(body);
    free(d.lines);
    free(d.classes);
    return rc;
}

int invoice_mail_round(struct store *s, struct invoice_mail *im, uint64_t now_ms,
                       struct invoice_mail_counts *n, invoice_mail_fn *fn, void *ctx, char *errbuf)
{
    uint64_t since_ms;
    int rc = invoice_mail_since(s, now_ms, &since_ms);
    struct docs ds = {0};
    if (rc == 0)
        rc = store_invoice_unmailed(s, since_ms, add_doc, &ds);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "documents to mail: %s", s->ops->last_error(s));
        free(ds.rows);
        return rc;
    }
    size_t tried = 0; /* documents whose PDF was made, or tried */
    for (size_t i = 0; i < ds.n && (im->max_per_round == 0 || tried < im->max_per_round); i++) {
        const struct invoice_row *inv = &ds.rows[i];
        char to[128], why[ERR_BUF_LEN] = "", number[32];
        export_number(inv, number);
        rc = mail_one(s, im, inv, now_ms, to, why);
        if (rc < 0) {
            snprintf(errbuf, ERR_BUF_LEN, "%s %s: %.900s", inv->kind, number, why);
            break;
        }
        enum invoice_mail_outcome what = rc == 0   ? INVOICE_MAIL_QUEUED
                                         : rc == 2 ? INVOICE_MAIL_ALREADY
                                         : !to[0]  ? INVOICE_MAIL_NO_EMAIL
                                                   : INVOICE_MAIL_FAILED;
        rc = 0;
        tried += what != INVOICE_MAIL_NO_EMAIL;
        bool first_look = inv->id > im->noted_id;
        if (what == INVOICE_MAIL_QUEUED) {
            n->queued++;
            log_info("%s %s of %s queued to %s", inv->kind, number, inv->account, to);
        } else if (what == INVOICE_MAIL_ALREADY) {
            n->already++;
        } else if (what == INVOICE_MAIL_NO_EMAIL) {
            n->no_email++;
            if (first_look)
                log_info("%s %s of %s not mailed: no email address", inv->kind, number,
                         inv->account);
        } else {
            n->failed++;
            if (first_look)
                log_warn("%s %s of %s not mailed (tried again each round): %s", inv->kind, number,
                         inv->account, why);
        }
        if (first_look)
            im->noted_id = inv->id;
        if (fn)
            fn(ctx, inv, what, to, what == INVOICE_MAIL_FAILED ? why : "");
    }
    free(ds.rows);
    return rc;
}
