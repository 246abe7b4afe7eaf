// SPDX-License-Identifier: MIT
// CSV output (RFC 4180, LF line ends) with the formula guard described in csv.h.
#include "csv.h"

#include <assert.h>
#include <string.h>

void csv_init(struct csv *c, FILE *out)
{
    memset(c, 0, sizeof *c);
    c->out = out;
}

static void begin_cell(struct csv *c)
{
    if (c->n_cells++)
        fputc(',', c->out);
}

/* A spreadsheet evaluates a cell starting with these (OWASP's list). */
static bool is_formula(const char *s)
{
    return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

static void text(struct csv *c, const char *s, bool quote)
{
    bool formula = is_formula(s);
    begin_cell(c);
    c->last_empty = s[0] == '\0' && !quote;
    if (!quote && !formula && !strpbrk(s, ",\"\r\n")) {
        fputs(s, c->out);
        return;
    }
    fputc('"', c->out);
    if (formula)
        fputc('\'', c->out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', c->out);
        fputc(*s, c->out);
    }
    fputc('"', c->out);
}

void csv_text(struct csv *c, const char *s)
{
    text(c, s, false);
}

void csv_text_quoted(struct csv *c, const char *s)
{
    text(c, s, true);
}

void csv_u64(struct csv *c, uint64_t v)
{
    begin_cell(c);
    c->last_empty = false;
    fprintf(c->out, "%llu", (unsigned long long)v);
}

void csv_number(struct csv *c, const char *s)
{
    assert(strspn(s, "-.0123456789") == strlen(s));
    begin_cell(c);
    c->last_empty = s[0] == '\0';
    fputs(s, c->out);
}

void csv_header(struct csv *c, const char *const *names)
{
    for (; *names; names++)
        csv_text(c, *names);
    csv_end_row(c);
}

void csv_end_row(struct csv *c)
{
    if (c->n_cells == 1 && c->last_empty)
        fputs("\"\"", c->out);
    fputc('\n', c->out);
    c->n_cells = 0;
}
