// SPDX-License-Identifier: MIT
// A bounded reader of text lines for the list files operators write (classes, prefix lists,
// applications): comments ('#' to the end) and trailing whitespace removed, lines counted,
// and memory bounded whatever the file holds (a NUL byte or an over-long line is an error).
#ifndef FT_LINES_H
#define FT_LINES_H

#include <stdarg.h>
#include <stdio.h>

#define LINES_MAX_BYTES 4096 /* a line with its NUL; longer lines are an error */

enum { LINES_NUL = -1, LINES_LONG = -2, LINES_READ_ERROR = -3 };

struct line_reader {
    FILE *f;                   /* owned */
    unsigned lineno;           /* of the line last returned */
    char buf[LINES_MAX_BYTES]; /* the line last returned */
};

/* Opens path for reading lines. Returns 0, or -errno (-EISDIR for a directory, which
 * fopen() accepts and every read would then fail on). */
int lines_open(struct line_reader *r, const char *path);
void lines_close(struct line_reader *r);

/* Reads the next line. Returns 1 with *out set (borrowed until the next call), 0 at the end
 * of the file, or with lineno on the offending line: LINES_NUL (a NUL byte), LINES_LONG
 * (longer than LINES_MAX_BYTES - 1), LINES_READ_ERROR (errno set). */
int lines_next(struct line_reader *r, char **out);

/* What was expected, for a negative lines_next() code ("a line of text, got a NUL byte"). */
const char *lines_error(int code);

/* Writes "FILE:LINE: " and the formatted message into errbuf (ERR_BUF_LEN bytes). Returns
 * ERR_CONFIG, so a loader can `return` it. */
int lines_vfail(char *errbuf, const char *file, unsigned line, const char *fmt, va_list ap);

#endif
