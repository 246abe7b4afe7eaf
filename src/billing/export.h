// SPDX-License-Identifier: MIT
// The stable export of issued documents for accounting: CSV with a fixed leading set of
// columns (README, "Bill export"), or JSON, one document per line. Money as decimal strings
// with two decimals, times as ISO 8601 local time with its UTC offset.
#ifndef FT_EXPORT_H
#define FT_EXPORT_H

#include "../store/store.h"

#include <stdbool.h>
#include <stdio.h>

/* Writes the documents of a cycle ("YYYY-MM"): one row per document, or with lines one
 * row per line. Returns 0 or a negative code with errbuf. */
int export_invoices(struct store *s, const char *cycle, bool json, bool lines, FILE *out,
                    char *errbuf);

/* A document's number as people read it: "42" for an invoice, "C-3" for a credit note,
 * "D-1" for a debit note. buf: 32. Returns buf. */
const char *export_number(const struct invoice_row *inv, char *buf);

/* ms as ISO 8601 local time with offset ("2026-03-01T00:00:00+01:00"); buf 32. */
const char *export_time(uint64_t ms, char *buf);

/* Usage of a document's subscriber per local day of its cycle, for the invoice's chart. */
struct export_day {
    char date[11]; /* YYYY-MM-DD */
    uint64_t bytes_in, bytes_out;
};

/* The days of inv's cycle, each with its usage in and out (all classes). *days is
 * allocated (free()). Returns 0 or a negative code with errbuf. */
int export_days(struct store *s, const struct invoice_row *inv, struct export_day **days, size_t *n,
                char *errbuf);

/* Reads a document by the number people read ("42", "C-3", "D-1"). Returns 0,
 * ERR_MALFORMED or ERR_NOT_FOUND. */
int export_find(struct store *s, const char *number, struct invoice_row *out);

#endif
