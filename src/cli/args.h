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

/* The command being run ("plan"; "bill close"): usage errors name it and point at its
 * --help. main() sets it before the command runs; a command with subcommands may make it
 * longer. name is borrowed and must outlive the command. */
void args_set_command(const char *name);

/* Prints a usage error to stderr: "flowtally: " and the message on one line, then "Try
 * 'flowtally COMMAND --help'." on the next. Returns 2, the exit status of a usage error. */
int args_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error for a subcommand (verb) that is none of verbs (NULL-terminated): missing
 * when verb is NULL, else unknown, with the closest verb when it is close ("did you mean
 * 'add'?"). Returns 2. */
int args_bad_verb(const char *verb, const char *const *verbs);

/* Fills opts from argv and collects up to max_pos positional words into pos. Returns the
 * number of positional words, or -1 after printing a usage error (args_usage_error(); an
 * unknown option gets the closest known one as a suggestion). -q and --quiet, anywhere,
 * quieten args_say(). "--help" or "-h" anywhere sets
 * the option named "help" if the list has one, and then nothing else is checked: the call
 * returns 0 with no positional words, so the help is shown whatever else was typed. */
int args_parse(int argc, char **argv, struct arg_opt *opts, size_t n_opts, const char **pos,
               int max_pos);

/* Takes -q and --quiet out of argv (in place), quietening args_say(). Returns the number of
 * words left. (args_parse() calls it; a command that parses otherwise calls it first.) */
int args_take_quiet(int argc, char **argv);

/* Whether argv holds --help or -h. */
bool args_help_asked(int argc, char **argv);

/* Says what a command did ("plan basic added"), a line on stdout, unless -q or --quiet was
 * given (args_parse() takes them out of every command's arguments). */
void args_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* As args_parse(), but writes what was wrong into msg (ERR_BUF_LEN bytes) instead of
 * printing it (for the lines of an import file), and takes "--help" as any other option. */
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
 * after printing what was expected (a usage error). */
bool args_time(const char *name, const char *value, uint64_t fallback, uint64_t *out);

/* As args_time(), with what was expected written into msg (ERR_BUF_LEN bytes). */
bool args_time_msg(const char *name, const char *value, uint64_t fallback, uint64_t *out,
                   char *msg);

/* Parses --format (NULL keeps *f). Returns false after printing what was expected (a usage
 * error). */
bool args_format(const char *value, enum report_format *f);

#endif
