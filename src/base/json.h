// SPDX-License-Identifier: MIT
// The one JSON writer: every JSON document the program prints (reports, lists, usage) goes
// through it, so every string is escaped the same way (RFC 8259) and the output is valid
// UTF-8 whatever bytes the store holds. It writes straight to a FILE and keeps only the
// commas to place: callers open objects and arrays, and name members, in output order.
#ifndef FT_JSON_H
#define FT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 8

/* Caller-owned writer state; no allocation, nothing to free. */
struct json {
    FILE *out;                      /* borrowed */
    unsigned depth;                 /* objects and arrays open */
    bool after_key;                 /* a key was written; its value follows with no comma */
    bool has_items[JSON_MAX_DEPTH]; /* per open level: the next item needs a comma */
    bool lines[JSON_MAX_DEPTH];     /* per open level: each item starts on a new line */
};

/* Starts a writer on out, at the top level (where each value is a document of its own). */
void json_init(struct json *j, FILE *out);

/* Opens and closes objects and arrays. json_rows_begin() opens an array whose elements
 * each start on a new line ("[\n{...},\n{...}]"), as reports print their rows. */
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_rows_begin(struct json *j);
void json_array_end(struct json *j);

/* Writes a member's name; its value is the next thing written. */
void json_key(struct json *j, const char *key);

/* Values. json_str() writes s (NUL-terminated) as a string: '"' and '\' escaped, control
 * characters (C0, DEL, C1) as \u00XX, and each invalid UTF-8 sequence (its maximal
 * subpart, see utf8_decode()) replaced with U+FFFD, so bytes the store kept from before
 * names were checked still make valid JSON. */
void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_null(struct json *j);

/* json_key() and a value in one call. */
void json_member_str(struct json *j, const char *key, const char *s);
void json_member_u64(struct json *j, const char *key, uint64_t v);

#endif
