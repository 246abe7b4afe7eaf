// SPDX-License-Identifier: MIT
// Templates: a small logic-less language (a subset of Mustache) in which the portal's
// pages and the messages flowtally mails are written, so an operator can brand them (logo, colours,
// name) by editing text, never C. A template is parsed once, when it is loaded, and any mistake is
// reported then with its line; rendering pulls each value from the page's C code through a lookup
// callback, so a page hands over its own structs instead of building a dictionary.
//
// The language:
//   {{name}}               the value of name, HTML-escaped (html_text())
//   {{&name}}              the value of name as it is: only for HTML the program made
//                          itself (charts, tables), never for text a user could have typed
//   {{#name}}...{{/name}}  the block once if name is true, once per item if it is a list
//   {{^name}}...{{/name}}  the block once if name is false, empty or absent
//   {{! comment }}         nothing (may span lines)
// Names are made of A-Z a-z 0-9 _ and -, with optional spaces or tabs around them inside
// the braces. Everything else is text, copied as it is. Not supported (a parse error, so an
// operator who tries one learns it at once): {{{name}}}, partials {{>name}}, delimiter
// changes {{=<% %>=}} and dotted names.
#ifndef FT_TEMPLATE_H
#define FT_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TEMPLATE_MAX_DEPTH 16         /* sections inside sections */
#define TEMPLATE_MAX_BYTES (1u << 20) /* of template text */
#define TEMPLATE_STRICT 1u            /* template_render() flag, see there */
#define TEMPLATE_PLAIN                                                                             \
    2u /* template_render() flag: {{name}} as it is, for                                           \
        * plain text (a mail's text part), not HTML */

enum template_kind {
    TEMPLATE_ABSENT, /* the name is not known here: the enclosing contexts are asked */
    TEMPLATE_STRING, /* true in a section when not "" */
    TEMPLATE_BOOL,
    TEMPLATE_LIST, /* a section repeats once per item; true when not empty */
};

struct template_value;

/* Fills v with the value of name in ctx, through the template_set_*() functions below, or
 * leaves it untouched when ctx has no such name (v is then TEMPLATE_ABSENT and the
 * enclosing context is asked). ctx is the pointer given to template_render(), or one item
 * of a list. Called on the rendering thread, during template_render(). */
typedef void template_lookup_fn(const void *ctx, const char *name, struct template_value *v);

/* A value, as a lookup function fills it. Read by template.c only; set with the setters. */
struct template_value {
    enum template_kind kind;
    const char *str;                 /* STRING: borrowed, NUL-terminated; may be buf */
    char buf[64];                    /* STRING: room for template_set_fmt() */
    bool is_true;                    /* BOOL */
    const void *items;               /* LIST: borrowed, n_items of item_size bytes each */
    size_t n_items, item_size;       /* LIST */
    template_lookup_fn *item_lookup; /* LIST: looks names up in one item */
};

/* The setters a lookup function uses. A string (NULL counts as "") is borrowed until the
 * lookup's caller has written it, right after the lookup returns; template_set_fmt()
 * formats into v itself (for numbers; cut at 63 bytes). A list's items stay borrowed while
 * its section renders: each item in turn becomes the innermost context, asked first
 * through item_lookup with a pointer to the item, then the contexts around it. */
void template_set_str(struct template_value *v, const char *s);
void template_set_fmt(struct template_value *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void template_set_bool(struct template_value *v, bool is_true);
void template_set_list(struct template_value *v, const void *items, size_t n_items,
                       size_t item_size, template_lookup_fn *item_lookup);

struct template;

/* Parses text[0..len). origin names it in messages (a file name, or "built-in usage.html");
 * copied. Returns a new template; caller frees with template_free(). Returns NULL with
 * "ORIGIN:LINE: what was expected" in errbuf (ERR_BUF_LEN bytes) when text is longer than
 * TEMPLATE_MAX_BYTES (no line then), holds a NUL byte or invalid UTF-8, a tag that is not
 * one of the forms above or that is not closed by "}}", a section not closed (the line of
 * the section's opening tag), closed by another name's {{/...}} or closing nothing, or
 * sections nested deeper than TEMPLATE_MAX_DEPTH. Any thread. */
struct template *template_parse(const char *text, size_t len, const char *origin, char *errbuf);

void template_free(struct template *t);

/* Writes t to out with values from lookup(ctx, ...). A string asked for with {{#name}} is
 * true when not empty. A name no context knows renders as nothing and counts as false, and
 * a bool or a list asked for with {{name}} or {{&name}} renders as nothing; with
 * TEMPLATE_STRICT in flags, either stops the rendering instead: returns ERR_NOT_FOUND with
 * "ORIGIN:LINE: ..." in errbuf (for tests that a page supplies every name its template
 * uses; the output so far stays written). Returns 0, or -EIO when out reports an error.
 * errbuf (ERR_BUF_LEN bytes) may be NULL without TEMPLATE_STRICT. t is only read: threads
 * may share it. */
int template_render(const struct template *t, template_lookup_fn *lookup, const void *ctx,
                    unsigned flags, FILE *out, char *errbuf);

#endif
