// SPDX-License-Identifier: MIT
// Printable bills: one issued document (an invoice, a credit or a debit note, as store.h
// holds it) with the numbers the caller gathered for it, written as a standalone HTML page
// or as an A4 PDF (cairo and pango, in pdf.c only). The renderer reads nothing itself but
// the operator's logo: the caller hands it every row, so both formats print the same
// document from the same data, and the tests need no store.
//
// Both formats show: the operator's name, address and logo; the title ("Invoice 42",
// "Credit note 3", "Debit note 1"), and for a note the invoice it corrects; the customer's
// account and name, the plan, the cycle (first and last local day), the issue date; the
// bytes used and the quota ("unlimited") in the invoice's unit (GB = 10^9 bytes or
// GiB = 2^30, as inv->unit says, three decimals, truncated); usage per class; a bar chart of
// the daily usage (download and upload stacked); the lines (text, quantity, unit price,
// amount); subtotal, tax with its rate, and the total with the currency code. Dates are
// local (localtime_r(): the caller sets TZ). Money is printed from integers only
// (units_format_money(), units_format_cents()).
#ifndef FT_PRINT_H
#define FT_PRINT_H

#include "../store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Usage of one traffic class in the cycle. */
struct print_class {
    char name[33];
    uint64_t bytes;
};

/* Usage of one local day of the cycle: a bar of the chart, in the order given. */
struct print_day {
    char date[11]; /* "YYYY-MM-DD" local day; the chart labels the bar with its day number */
    uint64_t bytes_in, bytes_out;
};

/* Who bills: from the configuration. Borrowed. */
struct print_operator {
    const char *name;      /* NULL prints nothing */
    const char *address;   /* lines separated by " | "; NULL or "" prints none */
    const char *logo_path; /* a PNG file, or NULL or "": no logo */
};

/* One document and what it shows. Every pointer is borrowed for the call. */
struct print_invoice {
    const struct invoice_row *inv;
    const struct invoice_line *lines; /* in the order printed */
    size_t n_lines;
    const struct print_class *classes;
    size_t n_classes;
    const struct print_day *days;
    size_t n_days;
    struct print_operator op;
    bool is_demo; /* marks every page "Demo data" */
    /* For a note (inv->refers_to set): the number of the invoice it corrects, when the
     * caller looked it up; the note then says "Corrects invoice 7". 0 (the default): it says
     * "Corrects invoice id 12", naming the store's id, which is all inv holds. */
    int64_t refers_to_number;
};

/* Writes a complete standalone HTML page to out (inline CSS only, no script, the chart as
 * inline SVG, the logo as a data: URI). Every text is escaped (base/html.h). Returns 0, or
 * a negative code with a message in errbuf (ERR_BUF_LEN, base/err.h): ERR_MALFORMED for a
 * kind or unit it does not know, -errno or ERR_MALFORMED (not a PNG) or ERR_LIMIT (over
 * 1 MiB) for a logo it cannot use, naming its path, -EIO when out reports an error. Nothing
 * is written when the document or the logo is refused. */
int print_invoice_html(FILE *out, const struct print_invoice *d, char *errbuf);

/* Writes an A4 PDF to path (created or truncated). Text is pango's ("Sans"), bars and
 * rules cairo's; long texts wrap or are ellipsized; the lines table continues over as many
 * pages as it needs, its header repeated on each; every page has a footer "Page N of M".
 * Returns 0, or a negative code with a message in errbuf (ERR_BUF_LEN): the refusals of
 * print_invoice_html() (and ERR_MALFORMED for a logo cairo cannot decode), all checked
 * before path is opened; -errno naming path when it cannot be opened or written; or
 * ERR_UNSUPPORTED with cairo's message for any other failure of cairo. After a failure
 * past the opening, path may hold part of a PDF (it is not removed: it may be a device). */
int print_invoice_pdf(const char *path, const struct print_invoice *d, char *errbuf);

/* The same PDF into memory, for an answer that should not touch the disk (the portal).
 * OUT: *buf, a new buffer of *len bytes (caller frees with free()). Returns 0, or the
 * refusals and cairo failures of print_invoice_pdf() with errbuf, *buf NULL and *len 0
 * then. Any thread: each call lays the document out with a pango font map of its own. */
int print_invoice_pdf_buffer(const struct print_invoice *d, char **buf, size_t *len, char *errbuf);

#endif
