// SPDX-License-Identifier: MIT
// The usage rows of a flush on their way to PostgreSQL: kept in memory as add_usage()
// hands them over, sorted and merged (the server then needs neither to sort nor to group:
// one row per key, in the order the upsert locks them), and turned into COPY text piece by
// piece for the staging table. No connection here: store_pgsql.c sends what this formats.
#include "pgsql_private.h"

#include "../base/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void stage_pgsql_init(struct pgsql_stage *st)
{
    memset(st, 0, sizeof *st);
}

void stage_pgsql_clear(struct pgsql_stage *st)
{
    for (size_t i = 0; i < st->n_names; i++)
        free(st->names[i]);
    st->n_names = 0;
    st->n_rows = 0;
    st->next = 0;
}

void stage_pgsql_deinit(struct pgsql_stage *st)
{
    stage_pgsql_clear(st);
    free(st->rows);
    free(st->names);
    free(st->text);
    memset(st, 0, sizeof *st);
}

/* The stage's own copy of a class or application name (there are few; a row names the
 * same as the row before it most of the time). NULL stays NULL. */
static const char *name_of(struct pgsql_stage *st, const char *name, size_t *last)
{
    if (!name)
        return NULL;
    if (*last < st->n_names && strcmp(st->names[*last], name) == 0)
        return st->names[*last];
    for (size_t i = 0; i < st->n_names; i++)
        if (strcmp(st->names[i], name) == 0)
            return st->names[*last = i];
    if (st->n_names == st->cap_names) {
        st->cap_names = st->cap_names ? 2 * st->cap_names : 64;
        st->names = xrealloc(st->names, st->cap_names * sizeof *st->names);
    }
    st->names[st->n_names] = xstrdup(name);
    *last = st->n_names;
    return st->names[st->n_names++];
}

void stage_pgsql_add(struct pgsql_stage *st, const struct usage_row *row, const char *class_name,
                     const char *app_name)
{
    if (st->n_rows == st->cap_rows) {
        st->cap_rows = st->cap_rows ? 2 * st->cap_rows : 1024;
        st->rows = xrealloc(st->rows, st->cap_rows * sizeof *st->rows);
    }
    struct stage_row *r = &st->rows[st->n_rows++];
    r->bucket = row->key.bucket_s;
    r->subscriber = row->key.subscriber;
    addr_format(&row->key.host, r->host);
    r->dir = flow_dir_name((enum flow_dir)row->key.dir);
    r->class_name = name_of(st, class_name, &st->last_class);
    r->app = name_of(st, app_name, &st->last_app);
    r->bytes = (int64_t)row->counts.bytes;
    r->packets = (int64_t)row->counts.packets;
    r->flows = (int64_t)row->counts.flows;
}

/* Text as PostgreSQL compares it under COLLATE "C": bytes; NULL (never in a valid row)
 * first. */
static int cmp_text(const char *a, const char *b)
{
    if (!a || !b)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int cmp_row(const void *pa, const void *pb)
{
    const struct stage_row *a = pa, *b = pb;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    if (a->subscriber != b->subscriber)
        return a->subscriber < b->subscriber ? -1 : 1;
    int c = strcmp(a->host, b->host);
    if (c == 0)
        c = strcmp(a->dir, b->dir);
    if (c == 0)
        c = cmp_text(a->class_name, b->class_name);
    return c ? c : cmp_text(a->app, b->app);
}

/* Adds b's counts to a's. Returns false, and leaves a alone, when a sum would not fit in a
 * bigint (the rows stay apart and the server refuses the flush, as it would the sum). */
static bool merge_counts(struct stage_row *a, const struct stage_row *b)
{
    int64_t bytes, packets, flows;
    if (__builtin_add_overflow(a->bytes, b->bytes, &bytes) ||
        __builtin_add_overflow(a->packets, b->packets, &packets) ||
        __builtin_add_overflow(a->flows, b->flows, &flows))
        return false;
    a->bytes = bytes;
    a->packets = packets;
    a->flows = flows;
    return true;
}

void stage_pgsql_sort(struct pgsql_stage *st)
{
    if (st->n_rows < 2)
        return;
    qsort(st->rows, st->n_rows, sizeof *st->rows, cmp_row);
    size_t kept = 1;
    for (size_t i = 1; i < st->n_rows; i++) {
        struct stage_row *last = &st->rows[kept - 1];
        if (cmp_row(last, &st->rows[i]) == 0 && merge_counts(last, &st->rows[i]))
            continue;
        st->rows[kept++] = st->rows[i];
    }
    st->n_rows = kept;
}

/* Room for n more bytes of text. */
static void reserve(struct pgsql_stage *st, size_t len, size_t n)
{
    if (len + n <= st->text_cap)
        return;
    st->text_cap = (len + n) * 2;
    st->text = xrealloc(st->text, st->text_cap);
}

/* Appends a text field in COPY's text format (backslash escapes; \N for NULL) and the
 * character that ends it. Returns the new length. */
static size_t put_text(struct pgsql_stage *st, size_t len, const char *s, char end)
{
    reserve(st, len, s ? 2 * strlen(s) + 1 : 3);
    if (!s) {
        memcpy(st->text + len, "\\N", 2);
        len += 2;
    }
    for (; s && *s; s++) {
        char e = *s == '\\' ? '\\' : *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : 0;
        if (e) {
            st->text[len++] = '\\';
            st->text[len++] = e;
        } else {
            st->text[len++] = *s;
        }
    }
    st->text[len++] = end;
    return len;
}

static size_t put_int(struct pgsql_stage *st, size_t len, int64_t v, char end)
{
    reserve(st, len, PGSQL_INT_LEN + 1);
    len += (size_t)snprintf(st->text + len, PGSQL_INT_LEN, "%lld", (long long)v);
    st->text[len++] = end;
    return len;
}

const char *stage_pgsql_piece(struct pgsql_stage *st, size_t max, size_t *out_len)
{
    size_t len = 0;
    for (; st->next < st->n_rows && len < max; st->next++) {
        const struct stage_row *r = &st->rows[st->next];
        len = put_int(st, len, r->bucket, '\t');
        len = put_int(st, len, r->subscriber, '\t');
        len = put_text(st, len, r->host, '\t');
        len = put_text(st, len, r->dir, '\t');
        len = put_text(st, len, r->class_name, '\t');
        len = put_text(st, len, r->app, '\t');
        len = put_int(st, len, r->bytes, '\t');
        len = put_int(st, len, r->packets, '\t');
        len = put_int(st, len, r->flows, '\n');
    }
    *out_len = len;
    return len ? st->text : NULL;
}
