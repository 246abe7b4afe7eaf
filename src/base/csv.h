// SPDX-License-Identifier: MIT
// The one CSV writer (RFC 4180): every CSV the program prints goes through it. Lines end
// with LF alone, not RFC 4180's CRLF: the output is read by scripts and spreadsheets that
// take either, and it has always been LF. A cell is quoted when it holds a comma, a quote,
// CR or LF; quotes inside are doubled. Bytes pass unchanged (names are checked as UTF-8
// when they are typed; JSON, not CSV, is the format that must be valid UTF-8).
//
// Formula cells (OWASP "CSV injection"): a text cell that starts with '=', '+', '-', '@',
// TAB or CR would be run as a formula by a spreadsheet, so it is written with an apostrophe
// in front, and quoted: =1+2 becomes "'=1+2". Numbers are written with csv_u64() or
// csv_number() and never get the apostrophe, so "-1" stays a number.
#ifndef FT_CSV_H
#define FT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Caller-owned writer state; no allocation, nothing to free. */
struct csv {
    FILE *out;       /* borrowed */
    size_t n_cells;  /* written in the current row */
    bool last_empty; /* the last cell written was empty (wrote no bytes) */
};

/* Starts a writer on out, at the start of a row. */
void csv_init(struct csv *c, FILE *out);

/* A text cell: quoted when it must be, with the formula guard above. */
void csv_text(struct csv *c, const char *s);

/* A text cell that is always quoted: free text (a person's name, a plan's speed) that
 * earlier versions always quoted, so scripts reading it see the same bytes. */
void csv_text_quoted(struct csv *c, const char *s);

/* Number cells: never quoted, never guarded. csv_number() takes one already formatted
 * (digits, '.', '-', as "25.00"), or "" for none. */
void csv_u64(struct csv *c, uint64_t v);
void csv_number(struct csv *c, const char *s);

/* A whole row of text cells, names[] ending with NULL: a header. */
void csv_header(struct csv *c, const char *const *names);

/* Ends the row with LF. A row of one empty cell is written as "" so that it is not an
 * empty line, which readers skip. */
void csv_end_row(struct csv *c);

#endif
