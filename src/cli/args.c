// SPDX-License-Identifier: MIT
// Subcommand argument parsing.
#include "args.h"

#include "../base/err.h"
#include "../base/suggest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The command being run, for usage errors; main() sets it (one command per process). */
static const char *command = "";

void args_set_command(const char *name)
{
    command = name;
}

int args_usage_error(const char *fmt, ...)
{
    char msg[ERR_BUF_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "flowtally: %s\nTry 'flowtally %s%s--help'.\n", msg, command,
            command[0] ? " " : "");
    return 2;
}

int args_bad_verb(const char *verb, const char *const *verbs)
{
    char list[256] = "";
    size_t len = 0;
    struct suggest sg;
    suggest_init(&sg, verb ? verb : "");
    for (size_t i = 0; verbs[i]; i++) {
        suggest_add(&sg, verbs[i]);
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                i == 0         ? ""
                                : verbs[i + 1] ? ", "
                                               : " or ",
                                verbs[i]);
        if (len >= sizeof list)
            len = sizeof list - 1;
    }
    if (!verb)
        return args_usage_error("missing subcommand: expected %s", list);
    const char *best = suggest_best(&sg);
    if (best)
        return args_usage_error("unknown subcommand '%s' (did you mean '%s'?)", verb, best);
    return args_usage_error("unknown subcommand '%s': expected %s", verb, list);
}

static struct arg_opt *find(struct arg_opt *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

int args_parse_msg(int argc, char **argv, struct arg_opt *opts, size_t n_opts, const char **pos,
                   int max_pos, char *msg)
{
    int n_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (n_pos == max_pos) {
                snprintf(msg, ERR_BUF_LEN, "unexpected argument '%s'", a);
                return -1;
            }
            pos[n_pos++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        struct arg_opt *o = find(opts, n_opts, a + 2, len);
        if (!o) {
            struct suggest sg;
            char typed[SUGGEST_MAX_LEN + 1];
            snprintf(typed, sizeof typed, "%.*s", (int)len, a + 2);
            suggest_init(&sg, typed);
            for (size_t k = 0; k < n_opts; k++)
                suggest_add(&sg, opts[k].name);
            if (suggest_best(&sg))
                snprintf(msg, ERR_BUF_LEN, "unknown option '%s' (did you mean '--%s'?)", a,
                         suggest_best(&sg));
            else
                snprintf(msg, ERR_BUF_LEN, "unknown option '%s'", a);
            return -1;
        }
        if (o->is_flag) {
            o->value = "";
            continue;
        }
        o->value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!o->value) {
            snprintf(msg, ERR_BUF_LEN, "%s needs a value", a);
            return -1;
        }
    }
    return n_pos;
}

static bool is_quiet;

int args_take_quiet(int argc, char **argv)
{
    int n = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0)
            is_quiet = true;
        else
            argv[n++] = argv[i];
    }
    return n;
}

bool args_help_asked(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

int args_parse(int argc, char **argv, struct arg_opt *opts, size_t n_opts, const char **pos,
               int max_pos)
{
    struct arg_opt *help = find(opts, n_opts, "help", 4);
    if (help && args_help_asked(argc, argv)) {
        help->value = "";
        return 0;
    }
    char msg[ERR_BUF_LEN];
    int n = args_parse_msg(args_take_quiet(argc, argv), argv, opts, n_opts, pos, max_pos, msg);
    if (n < 0)
        args_usage_error("%s", msg);
    return n;
}

void args_say(const char *fmt, ...)
{
    if (is_quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

const char *args_get(const struct arg_opt *opts, size_t n_opts, const char *name)
{
    for (size_t i = 0; i < n_opts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return opts[i].value;
    return NULL;
}

const char *args_db(const struct arg_opt *opts, size_t n_opts)
{
    const char *db = args_get(opts, n_opts, "db");
    return db ? db : "flowtally.db";
}

uint64_t args_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool args_time_msg(const char *name, const char *value, uint64_t fallback, uint64_t *out, char *msg)
{
    if (!value) {
        *out = fallback;
        return true;
    }
    int rc = report_parse_time(value, out);
    if (rc == 0)
        return true;
    if (rc == -ERANGE) /* the right shape, but no such day or time (2026-02-30, 24:00) */
        snprintf(msg, ERR_BUF_LEN,
                 "--%s '%s': expected a real date from 1970 to 9999, YYYY-MM-DD[THH:MM[:SS]] "
                 "(UTC)",
                 name, value);
    else
        snprintf(msg, ERR_BUF_LEN,
                 "--%s '%s': expected unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS] (UTC)",
                 name, value);
    return false;
}

bool args_time(const char *name, const char *value, uint64_t fallback, uint64_t *out)
{
    char msg[ERR_BUF_LEN];
    if (args_time_msg(name, value, fallback, out, msg))
        return true;
    args_usage_error("%s", msg);
    return false;
}

bool args_format(const char *value, enum report_format *f)
{
    if (!value || report_parse_format(value, f) == 0)
        return true;
    args_usage_error("--format '%s': expected table, csv or json", value);
    return false;
}

int args_done(struct store *s, int rc, const char *errbuf)
{
    store_close(s);
    if (rc == 0)
        return 0;
    fprintf(stderr, "flowtally: %s\n", errbuf);
    return 1;
}
