// SPDX-License-Identifier: MIT
// What a printed bill says, worked out once for both renderers (html.c, pdf.c): titles,
// local dates, byte amounts in the invoice's unit, money, the tax rate, the operator's
// address lines, the logo's bytes and the chart's axis. Integer arithmetic only, so the
// HTML page and the PDF print the same characters. Private to print/.
#ifndef FT_PRINT_DOC_H
#define FT_PRINT_DOC_H

#include "print.h"

#include <stddef.h>
#include <stdint.h>

#define DOC_LOGO_MAX (1024 * 1024) /* the largest logo read, bytes */
#define DOC_ADDRESS_MAX 8          /* address lines printed; more are joined into the last */

/* The document's texts, each NUL-terminated. */
struct doc_text {
    char title[48];     /* "Invoice 42", "Credit note 3", "Debit note 1" */
    char corrects[64];  /* "Corrects invoice 7" or "Corrects invoice id 12"; "" */
    char customer[200]; /* "ACC-1 – Jane Doe" (account alone when the name is empty) */
    char plan[64];      /* "" prints as "none" */
    char period[40];    /* "2025-06-01 – 2025-06-30": the first and the last local day */
    char issued[16];    /* local date of issue, "2025-07-01" */
    char used[48];      /* "12.345 GB" */
    char quota[48];     /* "15.000 GB" or "unlimited" */
    char unit_note[48]; /* "1 GB = 1000000000 bytes" */
    char subtotal[48];  /* "49.69 EUR" */
    char tax_label[48]; /* "Tax 8.1%" */
    char tax[48];       /* "4.02 EUR" */
    char total[48];     /* "53.71 EUR" */
    const char *unit;   /* "GB" or "GiB" */
    uint64_t unit_bytes;
};

/* Fills t from d. Returns 0, or ERR_MALFORMED with errbuf for a kind or unit it does not
 * know (it prints no document it would mislabel). */
int doc_text_init(struct doc_text *t, const struct print_invoice *d, char *errbuf);

/* bytes in unit_bytes units with three decimals, truncated: "12.345 GB". buf 48. */
const char *doc_bytes(uint64_t bytes, uint64_t unit_bytes, const char *unit, char *buf);

/* A line's quantity with its unit where the kind implies one: "12.345 GB" (usage, in the
 * invoice's unit), "10 Mbps" (burst); else the text as it is. buf 64. */
const char *doc_quantity(const struct invoice_line *l, const struct doc_text *t, char *buf);

/* A line's text, with "(cycle 2025-05)" after it when it bills another cycle than the
 * document's (usage that arrived late). buf 160. */
const char *doc_line_text(const struct invoice_line *l, const struct invoice_row *inv, char *buf);

/* Splits address at each " | " into at most DOC_ADDRESS_MAX lines of at most 255 bytes each
 * (the rest cut). Returns the number of lines; NULL or "" gives 0. */
size_t doc_address_lines(const char *address, char lines[][256]);

/* Reads the logo at path. OUT: *data (caller frees with free()), *len. Returns 0, or with
 * errbuf naming path: -errno when it cannot be read, ERR_MALFORMED when it is not a PNG,
 * ERR_LIMIT above DOC_LOGO_MAX. */
int doc_logo_read(const char *path, unsigned char **data, size_t *len, char *errbuf);

/* The chart's y axis, in thousandths of the unit (0.001 GB): top_milli is the least of
 * 1, 2, 5 x 10^k at or above the highest day (download plus upload), divided into *n_steps
 * whole-thousandth steps; 0 with 0 steps when every day is 0. */
struct doc_axis {
    uint64_t top_milli;
    unsigned n_steps;
    uint64_t top_bytes; /* top_milli in bytes (rounded up): what a full bar holds */
};
void doc_axis_init(struct doc_axis *a, const struct print_day *days, size_t n_days,
                   uint64_t unit_bytes);

/* A grid value, thousandths of the unit, without trailing zeros: "0.5 GB", "2 GB". buf 48. */
const char *doc_axis_label(uint64_t milli, const char *unit, char *buf);

/* The height of bytes on an axis of top_bytes drawn h tall (any unit), truncated and capped
 * at h; 0 for an empty axis. */
uint64_t doc_bar_height(uint64_t bytes, uint64_t top_bytes, uint64_t h);

/* Download plus upload, saturating. */
uint64_t doc_day_total(const struct print_day *day);

/* The day of the month of a "YYYY-MM-DD" date without its leading zero ("7"), or the date
 * as it is when it has another form. buf 16. */
const char *doc_day_label(const char *date, char *buf);

/* Every how many bars an x label fits, for n bars of which about max_labels fit. */
size_t doc_label_every(size_t n, size_t max_labels);

#endif
