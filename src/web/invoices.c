// SPDX-License-Identifier: MIT
// Bills in the portal: see invoices.h. A document is found by the number people read
// (billing/export.h) and shown only when the number is written exactly as the program
// writes it and, for a customer, the document is of their own subscriber; anything else
// (malformed, another's, none) is the same 404, so numbers cannot be probed. The page's
// texts (title, dates, amounts in the invoice's unit, tax rate) are print/'s (doc.h), so
// the portal, the PDF and `flowtally bill show` print the same characters.
#include "invoices.h"

#include "../base/err.h"
#include "../base/html.h"
#include "../base/units.h"
#include "../base/xalloc.h"
#include "../billing/export.h"
#include "../print/doc.h"
#include "page.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "web"
#include "../base/log.h"

/* ---- lists of documents ---- */

static void add_doc(void *ctx, const struct invoice_row *inv)
{
    struct invoice_docs *d = ctx;
    d->rows = xrealloc(d->rows, (d->n + 1) * sizeof *d->rows);
    d->rows[d->n++] = *inv;
}

int invoices_read(struct store *s, int64_t subscriber_id, const char *cycle, struct invoice_docs *d)
{
    d->rows = NULL;
    d->n = 0;
    struct invoice_query q = {.cycle = cycle, .subscriber_id = subscriber_id};
    return store_invoice_list(s, &q, add_doc, d);
}

void invoices_free(struct invoice_docs *d)
{
    free(d->rows);
    d->rows = NULL;
    d->n = 0;
}

const char *invoices_number_of(const struct invoice_docs *d, int64_t id, char *buf)
{
    buf[0] = '\0';
    for (size_t i = 0; id && i < d->n; i++)
        if (d->rows[i].id == id)
            return export_number(&d->rows[i], buf);
    return buf;
}

bool invoices_cycle_ok(const char *s)
{
    int year, month, n = 0;
    return s && strlen(s) == 7 && s[4] == '-' && sscanf(s, "%4d-%2d%n", &year, &month, &n) == 2 &&
           n == 7 && year >= 1970 && month >= 1 && month <= 12 && s[0] >= '0' && s[5] >= '0';
}

static const char *kind_label(const char *kind)
{
    return strcmp(kind, "credit") == 0  ? "Credit note"
           : strcmp(kind, "debit") == 0 ? "Debit note"
                                        : "Invoice";
}

/* Newest cycle first; within a cycle, in the order issued. */
static int by_cycle_desc(const void *a, const void *b)
{
    const struct invoice_row *x = a, *y = b;
    int c = strcmp(y->cycle, x->cycle);
    return c ? c : x->id < y->id ? -1 : x->id > y->id;
}

static void doc_row(struct web_ctx *c, const struct invoice_row *inv, unsigned columns)
{
    char number[32], day[16], total[32];
    export_number(inv, number);
    fputs("<tr>", c->out);
    if (columns & INVOICES_COL_CYCLE) {
        fputs("<td>", c->out);
        page_text(c, inv->cycle);
        fputs("</td>", c->out);
    }
    /* the number is ours ([CD]-digits): no escaping needed in a path or in text */
    fprintf(c->out, "<th scope=\"row\"><a href=\"/invoices/%s\">%s</a></th>", number, number);
    if (columns & INVOICES_COL_ACCOUNT) {
        fputs("<td><a href=\"/staff/subscribers/", c->out);
        html_url_component(c->out, inv->account);
        fputs("\">", c->out);
        page_text(c, inv->account);
        fputs("</a></td>", c->out);
    }
    fprintf(c->out, "<td>%s</td><td>%s</td>", kind_label(inv->kind), page_day(inv->issued_ms, day));
    fprintf(c->out, "<td class=\"n\" data-cents=\"%lld\">%s ", (long long)inv->total_cents,
            units_format_cents(inv->total_cents, total));
    page_text(c, inv->currency);
    fprintf(c->out,
            "</td><td><a href=\"/invoices/%s.pdf\" aria-label=\"PDF of %s %s\">PDF</a></td>"
            "</tr>\n",
            number, kind_label(inv->kind), number);
}

int invoices_section(struct web_ctx *c, int64_t subscriber_id, const char *cycle, unsigned columns)
{
    struct invoice_docs d;
    int rc = invoices_read(c->store, subscriber_id, cycle, &d);
    if (rc != 0) {
        invoices_free(&d);
        return rc;
    }
    fputs("<section><h2>Bills</h2>\n", c->out);
    if (d.n == 0) {
        fputs("<p>No bills yet.</p></section>\n", c->out);
        invoices_free(&d);
        return 0;
    }
    if (columns & INVOICES_COL_CYCLE)
        qsort(d.rows, d.n, sizeof *d.rows, by_cycle_desc);
    fputs("<table class=\"bills\"><thead><tr>", c->out);
    if (columns & INVOICES_COL_CYCLE)
        fputs("<th scope=\"col\">Cycle</th>", c->out);
    fputs("<th scope=\"col\">Number</th>", c->out);
    if (columns & INVOICES_COL_ACCOUNT)
        fputs("<th scope=\"col\">Subscriber</th>", c->out);
    fputs("<th scope=\"col\">Kind</th><th scope=\"col\">Issued</th><th scope=\"col\" "
          "class=\"n\">Total</th><th scope=\"col\">Download</th></tr></thead><tbody>\n",
          c->out);
    for (size_t i = 0; i < d.n; i++)
        doc_row(c, &d.rows[i], columns);
    fputs("</tbody></table></section>\n", c->out);
    invoices_free(&d);
    return 0;
}

/* ---- one document ---- */

static void add_line(void *ctx, const struct invoice_line *l)
{
    struct invoice_doc *d = ctx;
    d->lines = xrealloc(d->lines, (d->n_lines + 1) * sizeof *d->lines);
    d->lines[d->n_lines++] = *l;
}

/* The usage the document itself settled for its own cycle, as `bill show` prints it. */
static void add_class(void *ctx, const struct invoice_usage *u)
{
    struct invoice_doc *d = ctx;
    if (u->invoice_id != d->inv.id || strcmp(u->cycle, d->inv.cycle) != 0)
        return;
    d->classes = xrealloc(d->classes, (d->n_classes + 1) * sizeof *d->classes);
    struct print_class *pc = &d->classes[d->n_classes++];
    snprintf(pc->name, sizeof pc->name, "%s", u->class_name);
    pc->bytes = u->bytes;
}

static void doc_free(struct invoice_doc *d)
{
    free(d->lines);
    free(d->classes);
    free(d->days);
}

/* Reads what d->inv's page (and with days, its PDF) shows. Returns 0 or a negative code. */
static int doc_read(struct store *s, struct invoice_doc *d, bool days, char *errbuf)
{
    int rc = store_invoice_lines(s, d->inv.id, add_line, d);
    if (rc == 0)
        rc = store_invoice_usage_list(s, d->inv.subscriber_id, add_class, d);
    if (rc == 0 && d->inv.refers_to) {
        struct invoice_docs all;
        rc = invoices_read(s, d->inv.subscriber_id, NULL, &all);
        for (size_t i = 0; rc == 0 && i < all.n; i++)
            if (all.rows[i].id == d->inv.refers_to)
                d->refers_to_number = all.rows[i].number;
        invoices_free(&all);
    }
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "reading invoice: %s", s->ops->last_error(s));
        return rc;
    }
    if (!days)
        return 0;
    struct export_day *ed = NULL;
    size_t n = 0;
    rc = export_days(s, &d->inv, &ed, &n, errbuf);
    if (rc != 0)
        return rc;
    d->days = xcalloc(n ? n : 1, sizeof *d->days);
    for (size_t i = 0; i < n; i++) {
        snprintf(d->days[i].date, sizeof d->days[i].date, "%s", ed[i].date);
        d->days[i].bytes_in = ed[i].bytes_in;
        d->days[i].bytes_out = ed[i].bytes_out;
    }
    d->n_days = n;
    free(ed);
    return 0;
}

/* The document `number` names, when the visitor may see it: staff any, a customer only
 * their own subscriber's. OUT: *inv. Returns 0, ERR_NOT_FOUND for a malformed number, a
 * number written otherwise than export_number() writes it ("01", "+1"), a document that
 * does not exist and another subscriber's alike, or the store's negative code. A customer's
 * subscriber is read first whatever the number, so every 404 costs the same reads. */
static int visible_doc(struct web_ctx *c, const char *number, struct invoice_row *inv)
{
    bool any = (c->role & ROLE_STAFFS) != 0;
    struct subscriber own = {.id = -1};
    if (!any) {
        if (!c->session.user.account[0])
            return ERR_NOT_FOUND;
        int rc = store_subscriber_get(c->store, c->session.user.account, &own);
        if (rc != 0)
            return rc;
    }
    int rc = export_find(c->store, number, inv);
    if (rc == ERR_MALFORMED)
        return ERR_NOT_FOUND;
    if (rc != 0)
        return rc;
    char canonical[32];
    if (strcmp(export_number(inv, canonical), number) != 0)
        return ERR_NOT_FOUND;
    if (!any && inv->subscriber_id != own.id)
        return ERR_NOT_FOUND;
    return 0;
}

static struct print_invoice print_of(const struct web_ctx *c, const struct invoice_doc *d)
{
    /* print/ takes a PNG logo only; an SVG one stays the portal's */
    bool png = strcmp(web_assets(c)->logo_type, "image/png") == 0;
    return (struct print_invoice){
        .inv = &d->inv,
        .lines = d->lines,
        .n_lines = d->n_lines,
        .classes = d->classes,
        .n_classes = d->n_classes,
        .days = d->days,
        .n_days = d->n_days,
        .op = {c->opt->operator_name, c->opt->operator_address, png ? c->opt->logo : NULL},
        .is_demo = c->opt->demo,
        .refers_to_number = d->refers_to_number,
    };
}

/* ---- the page's template ---- */

struct line_view {
    char text[160], quantity[64], unit_price[32], amount[32];
};

struct class_view {
    char name[34], used[48];
    uint64_t bytes;
};

struct doc_view {
    const struct invoice_doc *d;
    struct doc_text t;
    char number[32];
    char pdf[48];           /* "/invoices/42.pdf" */
    char corrects_href[48]; /* a note's invoice, "/invoices/7"; "" when unknown */
    char currency[4];
    const char *usage_href;
    struct line_view *lines;    /* owned, d->n_lines */
    struct class_view *classes; /* owned, d->n_classes */
};

static void line_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct line_view *l = ctx;
    if (strcmp(name, "text") == 0)
        template_set_str(v, l->text);
    else if (strcmp(name, "quantity") == 0)
        template_set_str(v, l->quantity);
    else if (strcmp(name, "unit_price") == 0)
        template_set_str(v, l->unit_price);
    else if (strcmp(name, "amount") == 0)
        template_set_str(v, l->amount);
}

static void class_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct class_view *cl = ctx;
    if (strcmp(name, "name") == 0)
        template_set_str(v, cl->name);
    else if (strcmp(name, "used") == 0)
        template_set_str(v, cl->used);
    else if (strcmp(name, "bytes") == 0)
        template_set_fmt(v, "%llu", (unsigned long long)cl->bytes);
}

static void doc_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct doc_view *w = ctx;
    const struct doc_text *t = &w->t;
    const struct invoice_row *inv = &w->d->inv;
    static const struct {
        const char *name;
        size_t offset;
    } texts[] = {
        {"title", offsetof(struct doc_text, title)},
        {"corrects", offsetof(struct doc_text, corrects)},
        {"customer", offsetof(struct doc_text, customer)},
        {"plan", offsetof(struct doc_text, plan)},
        {"period", offsetof(struct doc_text, period)},
        {"issued", offsetof(struct doc_text, issued)},
        {"used", offsetof(struct doc_text, used)},
        {"quota", offsetof(struct doc_text, quota)},
        {"unit_note", offsetof(struct doc_text, unit_note)},
        {"subtotal", offsetof(struct doc_text, subtotal)},
        {"tax_label", offsetof(struct doc_text, tax_label)},
        {"tax", offsetof(struct doc_text, tax)},
        {"total", offsetof(struct doc_text, total)},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        if (strcmp(name, texts[i].name) == 0) {
            template_set_str(v, (const char *)t + texts[i].offset);
            return;
        }
    }
    if (strcmp(name, "number") == 0)
        template_set_str(v, w->number);
    else if (strcmp(name, "kind") == 0)
        template_set_str(v, kind_label(inv->kind));
    else if (strcmp(name, "cycle") == 0)
        template_set_str(v, inv->cycle);
    else if (strcmp(name, "usage_href") == 0)
        template_set_str(v, w->usage_href);
    else if (strcmp(name, "used_bytes") == 0)
        template_set_fmt(v, "%llu", (unsigned long long)inv->used_bytes);
    else if (strcmp(name, "total_cents") == 0)
        template_set_fmt(v, "%lld", (long long)inv->total_cents);
    else if (strcmp(name, "currency") == 0)
        template_set_str(v, w->currency);
    else if (strcmp(name, "pdf") == 0)
        template_set_str(v, w->pdf);
    else if (strcmp(name, "corrects_href") == 0)
        template_set_str(v, w->corrects_href);
    else if (strcmp(name, "lines") == 0)
        template_set_list(v, w->lines, w->d->n_lines, sizeof *w->lines, line_lookup);
    else if (strcmp(name, "classes") == 0)
        template_set_list(v, w->classes, w->d->n_classes, sizeof *w->classes, class_lookup);
}

int invoices_render(const struct template *t, const struct invoice_doc *d, const char *usage_href,
                    unsigned flags, FILE *out, char *errbuf)
{
    struct doc_view w = {.d = d, .usage_href = usage_href ? usage_href : ""};
    struct print_invoice p = {.inv = &d->inv, .refers_to_number = d->refers_to_number};
    int rc = doc_text_init(&w.t, &p, errbuf);
    if (rc != 0)
        return rc;
    export_number(&d->inv, w.number);
    snprintf(w.pdf, sizeof w.pdf, "/invoices/%s.pdf", w.number);
    if (d->inv.refers_to && d->refers_to_number)
        snprintf(w.corrects_href, sizeof w.corrects_href, "/invoices/%lld",
                 (long long)d->refers_to_number);
    snprintf(w.currency, sizeof w.currency, "%.3s", d->inv.currency);
    w.lines = xcalloc(d->n_lines ? d->n_lines : 1, sizeof *w.lines);
    for (size_t i = 0; i < d->n_lines; i++) {
        const struct invoice_line *l = &d->lines[i];
        struct line_view *lv = &w.lines[i];
        doc_line_text(l, &d->inv, lv->text);
        doc_quantity(l, &w.t, lv->quantity);
        units_format_money(l->unit_price_micro, lv->unit_price);
        units_format_cents(l->amount_cents, lv->amount);
    }
    w.classes = xcalloc(d->n_classes ? d->n_classes : 1, sizeof *w.classes);
    for (size_t i = 0; i < d->n_classes; i++) {
        snprintf(w.classes[i].name, sizeof w.classes[i].name, "%.32s", d->classes[i].name);
        doc_bytes(d->classes[i].bytes, w.t.unit_bytes, w.t.unit, w.classes[i].used);
        w.classes[i].bytes = d->classes[i].bytes;
    }
    rc = template_render(t, doc_lookup, &w, flags, out, errbuf);
    free(w.lines);
    free(w.classes);
    return rc;
}

/* ---- the routes ---- */

/* The page of the document's cycle's usage, for the visitor's role. */
static void usage_href(const struct web_ctx *c, const struct invoice_row *inv, char *buf,
                       size_t size)
{
    FILE *f = fmemopen(buf, size, "w");
    if (!f) {
        buf[0] = '\0';
        return;
    }
    if (c->role & ROLE_STAFFS) {
        fputs("/staff/subscribers/", f);
        html_url_component(f, inv->account);
    } else {
        fputs("/usage", f);
    }
    fputs("?cycle=", f);
    html_url_component(f, inv->cycle);
    fclose(f); /* an account is at most 63 bytes: escaped, far less than the buffer */
}

static void answer_pdf(struct web_ctx *c, const struct invoice_doc *d)
{
    char errbuf[ERR_BUF_LEN], number[32], disposition[96];
    struct print_invoice p = print_of(c, d);
    char *pdf;
    size_t len;
    if (print_invoice_pdf_buffer(&p, &pdf, &len, errbuf) != 0) {
        log_warn("%s: cannot print it: %s", c->path, errbuf);
        web_error(c, 500, "This bill cannot be printed just now; please ask the staff");
        return;
    }
    fwrite(pdf, 1, len, c->out);
    free(pdf);
    snprintf(disposition, sizeof disposition, "attachment; filename=\"invoice-%s.pdf\"",
             export_number(&d->inv, number));
    web_response_header(c->rs, "Content-Disposition", disposition);
    web_response_header(c->rs, "Cache-Control", "no-store");
    web_answer(c, 200, "application/pdf");
}

static void answer_page(struct web_ctx *c, const struct invoice_doc *d)
{
    char errbuf[ERR_BUF_LEN], href[WEB_PATH_MAX], title[48];
    struct print_invoice p = print_of(c, d);
    struct doc_text t;
    if (doc_text_init(&t, &p, errbuf) != 0) {
        log_warn("%s: cannot show it: %s", c->path, errbuf);
        web_error(c, 500, "This bill cannot be shown just now; please ask the staff");
        return;
    }
    snprintf(title, sizeof title, "%s", t.title);
    usage_href(c, &d->inv, href, sizeof href);
    page_begin(c, title);
    int rc = invoices_render(web_assets(c)->templates[TPL_INVOICE], d, href, 0, c->out, errbuf);
    if (rc != 0) {
        log_warn("%s: cannot render template invoice.html: %s", c->path, err_str(rc));
        page_discard(c);
        web_error(c, 500, "Internal error");
        return;
    }
    page_end(c);
    web_html(c, 200);
}

/* GET /invoices/NUMBER and /invoices/NUMBER.pdf */
void page_invoice(struct web_ctx *c)
{
    char number[32], errbuf[ERR_BUF_LEN];
    size_t n = strlen(c->tail);
    bool pdf = n > 4 && strcmp(c->tail + n - 4, ".pdf") == 0;
    if (pdf)
        n -= 4;
    if (n >= sizeof number) { /* longer than any number the program writes */
        web_not_found(c);
        return;
    }
    memcpy(number, c->tail, n);
    number[n] = '\0';
    struct invoice_doc d = {0};
    int rc = visible_doc(c, number, &d.inv);
    if (rc == 0)
        rc = doc_read(c->store, &d, pdf, errbuf);
    if (rc == ERR_NOT_FOUND)
        web_not_found(c);
    else if (rc != 0)
        web_store_failed(c, "invoice");
    else if (pdf)
        answer_pdf(c, &d);
    else
        answer_page(c, &d);
    doc_free(&d);
}
