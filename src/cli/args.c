// SPDX-License-Identifier: MIT
// Subcommand argument parsing.
#include "args.h"

#include "../base/err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

int args_parse(int argc, char **argv, struct arg_opt *opts, size_t n_opts, const char **pos,
               int max_pos)
{
    char msg[ERR_BUF_LEN];
    int n = args_parse_msg(argc, argv, opts, n_opts, pos, max_pos, msg);
    if (n < 0)
        fprintf(stderr, "flowtally: %s\n", msg);
    return n;
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
    fprintf(stderr, "flowtally: %s\n", msg);
    return false;
}

bool args_format(const char *value, enum report_format *f)
{
    if (!value || report_parse_format(value, f) == 0)
        return true;
    fprintf(stderr, "flowtally: --format '%s': expected table, csv or json\n", value);
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
