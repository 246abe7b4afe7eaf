// SPDX-License-Identifier: MIT
// Subcommand argument parsing.
#include "args.h"

#include <stdio.h>
#include <string.h>

static struct arg_opt *find(struct arg_opt *opts, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(opts[i].name) == len && strncmp(opts[i].name, name, len) == 0)
            return &opts[i];
    return NULL;
}

int args_parse(int argc, char **argv, struct arg_opt *opts, size_t n_opts, const char **pos,
               int max_pos)
{
    int n_pos = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (n_pos == max_pos) {
                fprintf(stderr, "flowtally: unexpected argument '%s'\n", a);
                return -1;
            }
            pos[n_pos++] = a;
            continue;
        }
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        struct arg_opt *o = find(opts, n_opts, a + 2, len);
        if (!o) {
            fprintf(stderr, "flowtally: unknown option '%s'\n", a);
            return -1;
        }
        if (o->is_flag) {
            o->value = "";
            continue;
        }
        o->value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!o->value) {
            fprintf(stderr, "flowtally: %s needs a value\n", a);
            return -1;
        }
    }
    return n_pos;
}

const char *args_get(const struct arg_opt *opts, size_t n_opts, const char *name)
{
    for (size_t i = 0; i < n_opts; i++)
        if (strcmp(opts[i].name, name) == 0)
            return opts[i].value;
    return NULL;
}
