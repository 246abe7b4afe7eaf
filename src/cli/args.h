// SPDX-License-Identifier: MIT
// A small parser for subcommand arguments: positional words and `--name value` options
// from a fixed list. Every error names the argument and what was expected.
#ifndef FT_ARGS_H
#define FT_ARGS_H

#include <stdbool.h>
#include "../report/report.h"

#include <stddef.h>
#include <stdint.h>

struct arg_opt {
    const char *name;  /* without "--" */
    bool is_flag;      /* takes no value */
    const char *value; /* OUT: the value, "" for a given flag, NULL if absent */
};

/* Fills opts from argv and collects up to max_pos positional words into pos. Returns the
 * number of positional words, or -1 after printing an error to stderr. "--help" sets the
 * option named "help" if the list has one. */
int args_parse(int argc, char **argv, struct arg_opt *opts, size_t n_opts, const char **pos,
               int max_pos);

/* As args_parse(), but writes what was wrong into msg (ERR_BUF_LEN bytes) instead of
 * printing it (for the lines of an import file). */
int args_parse_msg(int argc, char **argv, struct arg_opt *opts, size_t n_opts, const char **pos,
                   int max_pos, char *msg);

/* Ends a command: closes the store (NULL is fine) and, when rc is not 0, prints errbuf.
 * Returns the exit status: 0, or 1. */
int args_done(struct store *s, int rc, const char *errbuf);

/* The value of an option, or NULL. */
const char *args_get(const struct arg_opt *opts, size_t n_opts, const char *name);

/* The store path of a --db option, or the default ./flowtally.db. */
const char *args_db(const struct arg_opt *opts, size_t n_opts);

/* Milliseconds since the epoch, now (the default of time options). */
uint64_t args_now_ms(void);

/* Parses the time option `name` (value may be NULL: then *out = fallback). Returns false
 * after printing what was expected. */
bool args_time(const char *name, const char *value, uint64_t fallback, uint64_t *out);

/* As args_time(), with what was expected written into msg (ERR_BUF_LEN bytes). */
bool args_time_msg(const char *name, const char *value, uint64_t fallback, uint64_t *out,
                   char *msg);

/* Parses --format (NULL keeps *f). Returns false after printing what was expected. */
bool args_format(const char *value, enum report_format *f);

#endif
