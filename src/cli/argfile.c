// SPDX-License-Identifier: MIT
// Files of command arguments, one command a line, in one transaction.
#include "argfile.h"

#include "../base/err.h"
#include "../base/lines.h"
#include "../base/progress.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int argfile_split(char *line, char **words, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return n;
        if (n == max)
            return -2;
        char *out = p; /* the word is rewritten in place, without its quotes */
        bool quoted = false;
        words[n++] = out;
        for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
            if (*p == '"')
                quoted = !quoted;
            else
                *out++ = *p;
        }
        if (quoted)
            return -1;
        if (*p)
            p++; /* past the blank, which *out may overwrite */
        *out = '\0';
    }
}

__attribute__((format(printf, 4, 5))) static int fail(char *errbuf, const char *file, unsigned line,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lines_vfail(errbuf, file, line, fmt, ap);
    va_end(ap);
    return rc;
}

struct run {
    const char *path;
    struct line_reader r;
    argfile_line_fn *fn;
    void *ctx;
    uint64_t n_lines;
    char *errbuf;
    struct progress progress; /* on a terminal: lines applied, share of the file read */
    uint64_t size;            /* of the file, in bytes (0: not known) */
};

/* The progress line, every 1024 lines: a large file (100,000 subscribers) takes seconds. */
static void show_progress(struct run *a)
{
    if (!a->progress.out || a->n_lines % 1024 != 0)
        return;
    off_t at = ftello(a->r.f);
    uint64_t permille = a->size && at >= 0 ? (uint64_t)at * 1000 / a->size : PROGRESS_UNKNOWN;
    progress_show(&a->progress, a->n_lines, permille, progress_clock_ms());
}

static int apply_lines(struct store *s, void *ctx)
{
    struct run *a = ctx;
    char *line, *words[ARGFILE_MAX_WORDS], msg[ERR_BUF_LEN];
    int more;
    while ((more = lines_next(&a->r, &line)) != 0) {
        unsigned lineno = a->r.lineno;
        if (more < 0)
            return fail(a->errbuf, a->path, lineno, "expected %s", lines_error(more));
        int n = argfile_split(line, words, ARGFILE_MAX_WORDS);
        if (n == -1)
            return fail(a->errbuf, a->path, lineno, "expected a closing double quote");
        if (n == -2)
            return fail(a->errbuf, a->path, lineno, "expected at most %d words", ARGFILE_MAX_WORDS);
        if (n == 0)
            continue;
        msg[0] = '\0';
        int rc = a->fn(s, a->ctx, n, words, msg);
        if (rc != 0) {
            fail(a->errbuf, a->path, lineno, "%s", msg[0] ? msg : err_str(rc));
            return rc;
        }
        a->n_lines++;
        show_progress(a);
    }
    return 0;
}

int argfile_import(struct store *s, const char *path, argfile_line_fn *fn, void *ctx,
                   uint64_t *n_lines, char *errbuf)
{
    struct run a = {.path = path, .fn = fn, .ctx = ctx, .errbuf = errbuf};
    *n_lines = 0;
    errbuf[0] = '\0';
    int rc = lines_open(&a.r, path);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: expected a readable file (%s)", path, strerror(-rc));
        return rc;
    }
    struct stat st;
    a.size = fstat(fileno(a.r.f), &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    progress_start(&a.progress, progress_terminal(), path, "lines", progress_clock_ms());
    rc = store_admin_batch(s, apply_lines, &a);
    if (rc == 0 && a.progress.is_shown) /* a file read in a blink shows nothing */
        progress_end(&a.progress, a.n_lines, progress_clock_ms());
    else if (a.progress.is_shown)
        fputc('\n', stderr); /* the error goes on a line of its own */
    lines_close(&a.r);
    if (rc != 0 && errbuf[0] == '\0') /* the store refused the transaction itself */
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not store it (%s), nothing was imported", path,
                 err_str(rc));
    if (rc == 0)
        *n_lines = a.n_lines;
    return rc;
}
