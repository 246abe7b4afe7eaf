// SPDX-License-Identifier: MIT
// A bill as one standalone HTML page: inline CSS, no script, the daily chart as inline SVG
// and the logo as a data: URI, so the file can be mailed, archived or printed from a browser
// as it is. Every text goes through base/html.h. The chart's geometry is integers in tenths
// of a viewBox unit, printed by hand, so the page does not depend on the locale.
#include "doc.h"
#include "print.h"

#include "../base/err.h"
#include "../base/html.h"
#include "../base/units.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The chart's frame, in tenths of a unit of its 640 x 230 viewBox. */
enum {
    SVG_W = 6400,
    SVG_H = 2300,
    PLOT_LEFT = 700,
    PLOT_RIGHT = 6350,
    PLOT_TOP = 100,
    PLOT_BOTTOM = 1800,
    Y_LABEL_X = 640,
    X_LABEL_Y = 1950,
    LEGEND_Y = 2200,
};

static const char style[] =
    "@page{size:A4;margin:15mm}\n"
    "body{font-family:sans-serif;font-size:10pt;color:#222;max-width:180mm;margin:0 auto;"
    "padding:8mm 0}\n"
    "header{display:flex;justify-content:space-between;align-items:flex-start;gap:8mm;"
    "border-bottom:1px solid #999;padding-bottom:4mm}\n"
    ".op{overflow-wrap:anywhere}.op strong{font-size:12pt}\n"
    ".logo{max-width:50mm;max-height:20mm}\n"
    "h1{font-size:18pt;margin:6mm 0 1mm}h2{font-size:11pt;margin:6mm 0 2mm}\n"
    ".corrects{margin:0;color:#555}\n"
    "table{border-collapse:collapse;width:100%}\n"
    "th,td{text-align:left;padding:1mm 2mm;vertical-align:top}\n"
    "td{overflow-wrap:anywhere}\n"
    ".num{text-align:right;white-space:nowrap}\n"
    "thead th{border-bottom:1px solid #999}\n"
    ".facts th{width:30%;font-weight:normal;color:#555}\n"
    ".lines tbody tr{break-inside:avoid}\n"
    ".lines tbody.items td{border-bottom:1px solid #ddd}\n"
    ".lines tbody.sums th{text-align:right;font-weight:normal}\n"
    ".lines tr.total th,.lines tr.total td{font-weight:bold;border-top:2px solid #222}\n"
    ".note{color:#555;font-size:9pt}\n"
    ".demo{position:fixed;top:0;left:0;right:0;text-align:center;background:#fdd;color:#900;"
    "font-weight:bold;padding:1mm}\n"
    "svg.chart{width:100%;height:auto}\n"
    "svg.chart text{font-size:10px;fill:#444}\n"
    ".s-in{fill:#3b7dd8}.s-out{fill:#f0a030}.grid{stroke:#ddd}.axis{stroke:#666}\n";

/* A length in tenths, as "12.3" (or "12" when whole). */
static void num(FILE *out, uint64_t tenths)
{
    if (tenths % 10)
        fprintf(out, "%llu.%llu", (unsigned long long)(tenths / 10),
                (unsigned long long)(tenths % 10));
    else
        fprintf(out, "%llu", (unsigned long long)(tenths / 10));
}

/* Standard base64 (RFC 4648 §4) with padding, for a data: URI. */
static void base64(FILE *out, const unsigned char *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        fputc(a[v >> 18 & 63], out);
        fputc(a[v >> 12 & 63], out);
        fputc(i + 1 < n ? a[v >> 6 & 63] : '=', out);
        fputc(i + 2 < n ? a[v & 63] : '=', out);
    }
}

/* <tr><th>label</th><td>value</td></tr> */
static void fact(FILE *out, const char *label, const char *value)
{
    fputs("<tr><th>", out);
    html_text(out, label);
    fputs("</th><td>", out);
    html_text(out, value);
    fputs("</td></tr>\n", out);
}

static void header(FILE *out, const struct print_invoice *d, const unsigned char *logo,
                   size_t logo_len)
{
    fputs("<header>\n<div class=\"op\">", out);
    if (d->op.name && *d->op.name) {
        fputs("<strong>", out);
        html_text(out, d->op.name);
        fputs("</strong>", out);
    }
    char lines[DOC_ADDRESS_MAX][256];
    size_t n = doc_address_lines(d->op.address, lines);
    for (size_t i = 0; i < n; i++) {
        fputs(i == 0 && !(d->op.name && *d->op.name) ? "" : "<br>", out);
        html_text(out, lines[i]);
    }
    fputs("</div>\n", out);
    if (logo) {
        fputs("<img class=\"logo\" alt=\"\" src=\"data:image/png;base64,", out);
        base64(out, logo, logo_len);
        fputs("\">\n", out);
    }
    fputs("</header>\n", out);
}

static void facts(FILE *out, const struct doc_text *t)
{
    fputs("<table class=\"facts\">\n", out);
    fact(out, "Customer", t->customer);
    fact(out, "Plan", t->plan);
    fact(out, "Cycle", t->period);
    fact(out, "Issued", t->issued);
    fact(out, "Used", t->used);
    fact(out, "Quota", t->quota);
    fputs("</table>\n<p class=\"note\">", out);
    html_text(out, t->unit_note);
    fputs("</p>\n", out);
}

static void classes(FILE *out, const struct print_invoice *d, const struct doc_text *t)
{
    fputs("<h2>Usage per class</h2>\n<table class=\"classes\">\n<thead><tr><th>Class</th>"
          "<th class=\"num\">Used</th></tr></thead>\n<tbody>\n",
          out);
    if (d->n_classes == 0)
        fputs("<tr><td colspan=\"2\">No usage</td></tr>\n", out);
    for (size_t i = 0; i < d->n_classes; i++) {
        char name[34], bytes[48];
        snprintf(name, sizeof name, "%.32s", d->classes[i].name);
        fputs("<tr><td>", out);
        html_text(out, name);
        fputs("</td><td class=\"num\">", out);
        html_text(out, doc_bytes(d->classes[i].bytes, t->unit_bytes, t->unit, bytes));
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

static void rect(FILE *out, const char *cls, const char *fill, uint64_t x, uint64_t y, uint64_t w,
                 uint64_t h)
{
    fprintf(out, "<rect class=\"%s\" fill=\"%s\" x=\"", cls, fill);
    num(out, x);
    fputs("\" y=\"", out);
    num(out, y);
    fputs("\" width=\"", out);
    num(out, w);
    fputs("\" height=\"", out);
    num(out, h);
    fputs("\"/>", out);
}

static void chart_grid(FILE *out, const struct doc_axis *ax, const struct doc_text *t)
{
    for (unsigned i = 0; i <= ax->n_steps; i++) {
        uint64_t y = PLOT_BOTTOM - (uint64_t)(PLOT_BOTTOM - PLOT_TOP) * i / ax->n_steps;
        char label[48];
        doc_axis_label(ax->top_milli / ax->n_steps * i, t->unit, label);
        fputs("<line class=\"grid\" stroke=\"#ddd\" x1=\"", out);
        num(out, PLOT_LEFT);
        fputs("\" x2=\"", out);
        num(out, PLOT_RIGHT);
        fputs("\" y1=\"", out);
        num(out, y);
        fputs("\" y2=\"", out);
        num(out, y);
        fputs("\"/>\n<text text-anchor=\"end\" x=\"", out);
        num(out, Y_LABEL_X);
        fputs("\" y=\"", out);
        num(out, y + 35);
        fputs("\">", out);
        html_text(out, label);
        fputs("</text>\n", out);
    }
}

static void chart(FILE *out, const struct print_invoice *d, const struct doc_text *t)
{
    fputs("<h2>Daily usage</h2>\n", out);
    if (d->n_days == 0) {
        fputs("<p>No daily usage.</p>\n", out);
        return;
    }
    struct doc_axis ax;
    doc_axis_init(&ax, d->days, d->n_days, t->unit_bytes);
    fprintf(out,
            "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
            "role=\"img\" aria-label=\"Daily usage: download and upload per day, in %s\">\n",
            SVG_W / 10, SVG_H / 10, t->unit);
    if (ax.n_steps)
        chart_grid(out, &ax, t);
    uint64_t slot = (uint64_t)(PLOT_RIGHT - PLOT_LEFT) / d->n_days;
    uint64_t bar_w = slot * 7 / 10 ? slot * 7 / 10 : 1;
    size_t every = doc_label_every(d->n_days, 31);
    for (size_t i = 0; i < d->n_days; i++) {
        const struct print_day *day = &d->days[i];
        uint64_t x = PLOT_LEFT + slot * i + (slot - bar_w) / 2, plot_h = PLOT_BOTTOM - PLOT_TOP;
        uint64_t h_all = doc_bar_height(doc_day_total(day), ax.top_bytes, plot_h);
        uint64_t h_in = doc_bar_height(day->bytes_in, ax.top_bytes, plot_h);
        char date[11], in[48], up[48], title[160];
        snprintf(date, sizeof date, "%.10s", day->date);
        snprintf(title, sizeof title, "%s: download %s, upload %s", date,
                 doc_bytes(day->bytes_in, t->unit_bytes, t->unit, in),
                 doc_bytes(day->bytes_out, t->unit_bytes, t->unit, up));
        fputs("<g><title>", out);
        html_text(out, title);
        fputs("</title>", out);
        rect(out, "s-in", "#3b7dd8", x, PLOT_BOTTOM - h_in, bar_w, h_in);
        rect(out, "s-out", "#f0a030", x, PLOT_BOTTOM - h_all, bar_w, h_all - h_in);
        fputs("</g>\n", out);
        if (i % every == 0) {
            char label[16];
            fputs("<text text-anchor=\"middle\" x=\"", out);
            num(out, PLOT_LEFT + slot * i + slot / 2);
            fputs("\" y=\"", out);
            num(out, X_LABEL_Y);
            fputs("\">", out);
            html_text(out, doc_day_label(date, label));
            fputs("</text>\n", out);
        }
    }
    fputs("<line class=\"axis\" stroke=\"#666\" x1=\"", out);
    num(out, PLOT_LEFT);
    fputs("\" x2=\"", out);
    num(out, PLOT_RIGHT);
    fputs("\" y1=\"", out);
    num(out, PLOT_BOTTOM);
    fputs("\" y2=\"", out);
    num(out, PLOT_BOTTOM);
    fputs("\"/>\n", out);
    rect(out, "s-in", "#3b7dd8", PLOT_LEFT, LEGEND_Y - 80, 100, 100);
    fputs("<text x=\"", out);
    num(out, PLOT_LEFT + 150);
    fputs("\" y=\"", out);
    num(out, LEGEND_Y);
    fputs("\">Download</text>", out);
    rect(out, "s-out", "#f0a030", PLOT_LEFT + 1300, LEGEND_Y - 80, 100, 100);
    fputs("<text x=\"", out);
    num(out, PLOT_LEFT + 1450);
    fputs("\" y=\"", out);
    num(out, LEGEND_Y);
    fputs("\">Upload</text>\n</svg>\n", out);
}

static void sum_row(FILE *out, const char *cls, const char *label, const char *value)
{
    fprintf(out, "<tr class=\"%s\"><th colspan=\"3\">", cls);
    html_text(out, label);
    fputs("</th><td class=\"num\">", out);
    html_text(out, value);
    fputs("</td></tr>\n", out);
}

static void lines(FILE *out, const struct print_invoice *d, const struct doc_text *t)
{
    char currency[4];
    snprintf(currency, sizeof currency, "%.3s", d->inv->currency);
    fputs("<h2>Charges</h2>\n<table class=\"lines\">\n<thead><tr><th>Description</th>"
          "<th class=\"num\">Quantity</th><th class=\"num\">Unit price</th>"
          "<th class=\"num\">Amount (",
          out);
    html_text(out, currency);
    fputs(")</th></tr></thead>\n<tbody class=\"items\">\n", out);
    if (d->n_lines == 0)
        fputs("<tr><td colspan=\"4\">No charges</td></tr>\n", out);
    for (size_t i = 0; i < d->n_lines; i++) {
        const struct invoice_line *l = &d->lines[i];
        char text[160], qty[64], price[32], amount[32];
        fputs("<tr><td>", out);
        html_text(out, doc_line_text(l, d->inv, text));
        fputs("</td><td class=\"num\">", out);
        html_text(out, doc_quantity(l, t, qty));
        fputs("</td><td class=\"num\">", out);
        html_text(out, units_format_money(l->unit_price_micro, price));
        fputs("</td><td class=\"num\">", out);
        html_text(out, units_format_cents(l->amount_cents, amount));
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n<tbody class=\"sums\">\n", out);
    sum_row(out, "subtotal", "Subtotal", t->subtotal);
    sum_row(out, "tax", t->tax_label, t->tax);
    sum_row(out, "total", "Total", t->total);
    fputs("</tbody>\n</table>\n", out);
}

int print_invoice_html(FILE *out, const struct print_invoice *d, char *errbuf)
{
    struct doc_text t;
    int rc = doc_text_init(&t, d, errbuf);
    if (rc < 0)
        return rc;
    unsigned char *logo = NULL;
    size_t logo_len = 0;
    if (d->op.logo_path && *d->op.logo_path) {
        rc = doc_logo_read(d->op.logo_path, &logo, &logo_len, errbuf);
        if (rc < 0)
            return rc;
    }

    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    html_text(out, t.title);
    if (d->op.name && *d->op.name) {
        fputs(" \xe2\x80\x93 ", out);
        html_text(out, d->op.name);
    }
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
    if (d->is_demo)
        fputs("<div class=\"demo\">Demo data: not a bill</div>\n", out);
    header(out, d, logo, logo_len);
    fputs("<h1>", out);
    html_text(out, t.title);
    fputs("</h1>\n", out);
    if (t.corrects[0]) {
        fputs("<p class=\"corrects\">", out);
        html_text(out, t.corrects);
        fputs("</p>\n", out);
    }
    facts(out, &t);
    classes(out, d, &t);
    chart(out, d, &t);
    lines(out, d, &t);
    fputs("</body>\n</html>\n", out);
    free(logo);

    if (fflush(out) != 0 || ferror(out)) {
        snprintf(errbuf, ERR_BUF_LEN, "writing the HTML page: %s", strerror(errno ? errno : EIO));
        return -EIO;
    }
    return 0;
}
