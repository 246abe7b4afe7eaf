// SPDX-License-Identifier: MIT
// Files of command arguments (`plan import`, `subscriber import`, `bind import`): each line
// holds the arguments of one command, applied all together in one store transaction.
#ifndef FT_ARGFILE_H
#define FT_ARGFILE_H

#include "../store/store.h"

#include <stdint.h>

#define ARGFILE_MAX_WORDS 32 /* per line */

/* Applies one line's words (argv[0] is the first argument, not a command name). Returns 0,
 * or an error with what was wrong in msg (ERR_BUF_LEN bytes). */
typedef int argfile_line_fn(struct store *s, void *ctx, int argc, char **argv, char *msg);

/* Splits line in place into words at blanks; "double quotes" group blanks into a word (and
 * are removed), anywhere in it: --name "Alice Example", --name="Alice Example", "".
 * Returns the number of words, or -1 if a quote is left open, -2 past max words. */
int argfile_split(char *line, char **words, int max);

/* Reads path (base/lines: '#' starts a comment, blank lines are skipped, lines are bounded)
 * and calls fn with the words of each line, every line in one transaction with the
 * administrative statements prepared once (store_admin_batch). At the first line fn
 * refuses, or one that cannot be read or split, nothing of the file is stored and errbuf
 * says "FILE:LINE: what was expected". Returns 0 with *n_lines the lines applied, or an
 * error. */
int argfile_import(struct store *s, const char *path, argfile_line_fn *fn, void *ctx,
                   uint64_t *n_lines, char *errbuf);

#endif
