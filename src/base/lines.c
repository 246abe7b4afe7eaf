// SPDX-License-Identifier: MIT
// Line reading with getc so a line's length is checked as it is read.
#include "lines.h"

#include "err.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int lines_open(struct line_reader *r, const char *path)
{
    struct stat st;
    r->lineno = 0;
    r->f = fopen(path, "r");
    if (!r->f)
        return -errno;
    if (fstat(fileno(r->f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(r->f);
        r->f = NULL;
        return -EISDIR;
    }
    return 0;
}

void lines_close(struct line_reader *r)
{
    if (r->f)
        fclose(r->f);
    r->f = NULL;
}

int lines_next(struct line_reader *r, char **out)
{
    size_t n = 0;
    bool has_nul = false;
    int ch;
    while ((ch = getc_unlocked(r->f)) != EOF && ch != '\n') {
        if (n == sizeof r->buf - 1) {
            r->lineno++;
            return LINES_LONG;
        }
        has_nul |= ch == '\0';
        r->buf[n++] = (char)ch;
    }
    if (ch == EOF && ferror(r->f)) {
        r->lineno++;
        return LINES_READ_ERROR;
    }
    if (ch == EOF && n == 0)
        return 0;
    r->lineno++;
    if (has_nul)
        return LINES_NUL;
    r->buf[n] = '\0';
    char *hash = strchr(r->buf, '#');
    if (hash)
        *hash = '\0';
    char *end = r->buf + strlen(r->buf);
    while (end > r->buf && strchr(" \t\r\v\f", end[-1]))
        *--end = '\0';
    *out = r->buf;
    return 1;
}

const char *lines_error(int code)
{
    static char buf[96];
    if (code == LINES_NUL)
        return "a line of text, got a NUL byte";
    if (code == LINES_LONG) {
        snprintf(buf, sizeof buf, "a line of at most %d bytes, got a longer one",
                 LINES_MAX_BYTES - 1);
        return buf;
    }
    snprintf(buf, sizeof buf, "a readable line, got a read error (%s)", strerror(errno));
    return buf;
}

int lines_vfail(char *errbuf, const char *file, unsigned line, const char *fmt, va_list ap)
{
    int n = snprintf(errbuf, ERR_BUF_LEN, "%s:%u: ", file, line);
    if (n >= 0 && n < ERR_BUF_LEN)
        vsnprintf(errbuf + n, ERR_BUF_LEN - (size_t)n, fmt, ap);
    return ERR_CONFIG;
}
