// SPDX-License-Identifier: MIT
// JSON output (RFC 8259). The writer tracks, per open object or array, whether an item was
// written, so callers never place commas; strings are decoded as UTF-8 on the way out.
#include "json.h"

#include "utf8.h"

#include <assert.h>
#include <string.h>

void json_init(struct json *j, FILE *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
}

/* What goes before an item: nothing after a key or at the top level, else a comma unless
 * it is the first, then a newline in rows. */
static void separate(struct json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth == 0)
        return;
    unsigned d = j->depth - 1;
    if (j->has_items[d])
        fputc(',', j->out);
    if (j->lines[d])
        fputc('\n', j->out);
    j->has_items[d] = true;
}

static void open_level(struct json *j, char bracket, bool lines)
{
    assert(j->depth < JSON_MAX_DEPTH);
    separate(j);
    fputc(bracket, j->out);
    j->has_items[j->depth] = false;
    j->lines[j->depth] = lines;
    j->depth++;
}

static void close_level(struct json *j, char bracket)
{
    assert(j->depth > 0 && !j->after_key);
    j->depth--;
    fputc(bracket, j->out);
}

void json_object_begin(struct json *j)
{
    open_level(j, '{', false);
}

void json_object_end(struct json *j)
{
    close_level(j, '}');
}

void json_array_begin(struct json *j)
{
    open_level(j, '[', false);
}

void json_rows_begin(struct json *j)
{
    open_level(j, '[', true);
}

void json_array_end(struct json *j)
{
    close_level(j, ']');
}

/* A string (RFC 8259 §7). Each invalid UTF-8 sequence, its maximal subpart, becomes one
 * U+FFFD: a store may hold bytes from before names were checked, and JSON must be valid
 * UTF-8. Control characters become \u00XX: RFC 8259 requires it for C0, and DEL and C1
 * are escaped too, so that no output carries them raw to a terminal. */
static void write_string(FILE *out, const char *s)
{
    size_t n = strlen(s), len;
    fputc('"', out);
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp;
        len = utf8_decode(s + i, n - i, &cp);
        if (cp == '"' || cp == '\\')
            fprintf(out, "\\%c", (char)cp);
        else if (cp == UTF8_INVALID)
            fputs("\xef\xbf\xbd", out);
        else if (utf8_is_control(cp))
            fprintf(out, "\\u%04x", (unsigned)cp);
        else
            fwrite(s + i, 1, len, out);
    }
    fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
    assert(j->depth > 0 && !j->after_key);
    separate(j);
    write_string(j->out, key);
    fputc(':', j->out);
    j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
    separate(j);
    write_string(j->out, s);
}

void json_u64(struct json *j, uint64_t v)
{
    separate(j);
    fprintf(j->out, "%llu", (unsigned long long)v);
}

void json_null(struct json *j)
{
    separate(j);
    fputs("null", j->out);
}

void json_member_str(struct json *j, const char *key, const char *s)
{
    json_key(j, key);
    json_str(j, s);
}

void json_member_u64(struct json *j, const char *key, uint64_t v)
{
    json_key(j, key);
    json_u64(j, v);
}
