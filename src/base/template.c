// SPDX-License-Identifier: MIT
// The template language of template.h. Parsing turns the text into a flat array of nodes
// (text, value, raw value, section, inverted section); a section records where its block
// ends, so rendering is a loop over a range of that array that calls itself for a block.
// All checks happen at parse time, so rendering cannot fail on a template's shape: it only
// asks the lookup functions, innermost context first, and writes.
#include "template.h"

#include "err.h"
#include "html.h"
#include "utf8.h"
#include "xalloc.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

enum node_kind { NODE_TEXT, NODE_VALUE, NODE_RAW, NODE_SECTION, NODE_INVERTED };

struct node {
    enum node_kind kind;
    const char *text; /* TEXT: borrowed from template.src, len bytes */
    size_t len;
    char *name;    /* other kinds: owned, NUL-terminated */
    size_t end;    /* SECTION, INVERTED: index of the first node after the block */
    unsigned line; /* of the tag, for messages */
};

struct template
{
    char *origin;       /* owned */
    char *src;          /* owned copy of the text, which TEXT nodes point into */
    struct node *nodes; /* owned, n_nodes used of cap */
    size_t n_nodes, cap;
};

/* ---- values --------------------------------------------------------------------------- */

void template_set_str(struct template_value *v, const char *s)
{
    v->kind = TEMPLATE_STRING;
    v->str = s ? s : "";
}

void template_set_fmt(struct template_value *v, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->buf, sizeof v->buf, fmt, ap);
    va_end(ap);
    v->kind = TEMPLATE_STRING;
    v->str = v->buf;
}

void template_set_bool(struct template_value *v, bool is_true)
{
    v->kind = TEMPLATE_BOOL;
    v->is_true = is_true;
}

void template_set_list(struct template_value *v, const void *items, size_t n_items,
                       size_t item_size, template_lookup_fn *item_lookup)
{
    assert(n_items == 0 || (items && item_lookup));
    v->kind = TEMPLATE_LIST;
    v->items = items;
    v->n_items = n_items;
    v->item_size = item_size;
    v->item_lookup = item_lookup;
}

/* ---- parsing -------------------------------------------------------------------------- */

struct parser {
    struct template *t;
    const char *s; /* the template's own copy */
    size_t len, pos;
    unsigned line;                   /* of s[pos] */
    size_t open[TEMPLATE_MAX_DEPTH]; /* node indices of the sections not yet closed */
    size_t depth;                    /* entries of open used */
    char *errbuf;
};

__attribute__((format(printf, 3, 4))) static void fail(struct parser *p, unsigned line,
                                                       const char *fmt, ...)
{
    int n = snprintf(p->errbuf, ERR_BUF_LEN, "%s:%u: ", p->t->origin, line);
    if (n < 0 || n >= ERR_BUF_LEN)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->errbuf + n, ERR_BUF_LEN - (size_t)n, fmt, ap);
    va_end(ap);
}

static unsigned count_lines(const char *s, size_t n)
{
    unsigned lines = 0;
    for (const char *nl = s; (nl = memchr(nl, '\n', n - (size_t)(nl - s))) != NULL; nl++)
        lines++;
    return lines;
}

static void advance(struct parser *p, size_t to)
{
    p->line += count_lines(p->s + p->pos, to - p->pos);
    p->pos = to;
}

static struct node *add_node(struct parser *p, enum node_kind kind, unsigned line)
{
    struct template *t = p->t;
    if (t->n_nodes == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 16;
        t->nodes = xrealloc(t->nodes, t->cap * sizeof *t->nodes);
    }
    struct node *n = &t->nodes[t->n_nodes++];
    *n = (struct node){.kind = kind, .line = line};
    return n;
}

static bool is_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static size_t skip_blanks(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* A comment: everything up to the first "}}". */
static int parse_comment(struct parser *p)
{
    const char *close = memmem(p->s + p->pos, p->len - p->pos, "}}", 2);
    if (!close) {
        fail(p, p->line, "expected }} to close the comment {{! opened here");
        return -1;
    }
    advance(p, (size_t)(close - p->s) + 2);
    return 0;
}

/* Closes the innermost open section, which must be called name. */
static int close_section(struct parser *p, const char *name, unsigned line)
{
    if (p->depth == 0) {
        fail(p, line, "{{/%s}} closes no section: expected {{#%s}} or {{^%s}} before it", name,
             name, name);
        return -1;
    }
    struct node *open = &p->t->nodes[p->open[p->depth - 1]];
    if (strcmp(open->name, name) != 0) {
        fail(p, line, "expected {{/%s}} to close the section opened on line %u, found {{/%s}}",
             open->name, open->line, name);
        return -1;
    }
    open->end = p->t->n_nodes;
    p->depth--;
    return 0;
}

/* A tag, at "{{" in p->s[p->pos]: "{{" [sigil] blanks name blanks "}}". */
static int parse_tag(struct parser *p)
{
    const char *s = p->s;
    size_t i = p->pos + 2;
    unsigned line = p->line;
    if (i < p->len && s[i] == '!')
        return parse_comment(p);
    char sigil = 0;
    if (i < p->len && (s[i] == '#' || s[i] == '^' || s[i] == '/' || s[i] == '&'))
        sigil = s[i++];
    i = skip_blanks(s, i, p->len);
    size_t start = i;
    while (i < p->len && is_name_char(s[i]))
        i++;
    size_t name_len = i - start;
    if (name_len == 0) {
        if (sigil)
            fail(p, line, "expected a name (letters, digits, '_', '-') after {{%c", sigil);
        else
            fail(p, line,
                 "expected a name (letters, digits, '_', '-') or one of # ^ / & ! "
                 "after {{");
        return -1;
    }
    i = skip_blanks(s, i, p->len);
    if (p->len - i < 2 || s[i] != '}' || s[i + 1] != '}') {
        char sig[2] = {sigil, '\0'};
        fail(p, line, "expected }} to close {{%s%.*s", sig, (int)name_len, s + start);
        return -1;
    }
    char *name = xmalloc(name_len + 1);
    memcpy(name, s + start, name_len);
    name[name_len] = '\0';
    int rc = 0;
    if (sigil == '/') {
        rc = close_section(p, name, line);
        free(name);
    } else if ((sigil == '#' || sigil == '^') && p->depth == TEMPLATE_MAX_DEPTH) {
        fail(p, line, "sections nested deeper than %d", TEMPLATE_MAX_DEPTH);
        free(name);
        rc = -1;
    } else {
        enum node_kind kind = sigil == '#'   ? NODE_SECTION
                              : sigil == '^' ? NODE_INVERTED
                              : sigil == '&' ? NODE_RAW
                                             : NODE_VALUE;
        if (kind == NODE_SECTION || kind == NODE_INVERTED)
            p->open[p->depth++] = p->t->n_nodes;
        add_node(p, kind, line)->name = name;
    }
    if (rc == 0)
        advance(p, i + 2);
    return rc;
}

/* What the text must be before its tags are read: within the size cap, no NUL, UTF-8. */
static int check_text(struct parser *p)
{
    if (p->len > TEMPLATE_MAX_BYTES) {
        snprintf(p->errbuf, ERR_BUF_LEN, "%s: %zu bytes, more than the %u a template may have",
                 p->t->origin, p->len, TEMPLATE_MAX_BYTES);
        return -1;
    }
    const char *nul = memchr(p->s, '\0', p->len);
    if (nul) {
        fail(p, 1 + count_lines(p->s, (size_t)(nul - p->s)), "NUL byte in the text");
        return -1;
    }
    size_t bad = 0;
    if (!utf8_valid(p->s, p->len, &bad)) {
        fail(p, 1 + count_lines(p->s, bad), "not valid UTF-8 (byte 0x%02x)",
             (unsigned char)p->s[bad]);
        return -1;
    }
    return 0;
}

static int parse(struct parser *p)
{
    if (check_text(p) < 0)
        return -1;
    while (p->pos < p->len) {
        const char *tag = memmem(p->s + p->pos, p->len - p->pos, "{{", 2);
        size_t at = tag ? (size_t)(tag - p->s) : p->len;
        if (at > p->pos) {
            struct node *n = add_node(p, NODE_TEXT, p->line);
            n->text = p->s + p->pos;
            n->len = at - p->pos;
            advance(p, at);
        }
        if (tag && parse_tag(p) < 0)
            return -1;
    }
    if (p->depth > 0) {
        const struct node *open = &p->t->nodes[p->open[p->depth - 1]];
        fail(p, open->line, "expected {{/%s}} to close the section opened here, found the end",
             open->name);
        return -1;
    }
    return 0;
}

struct template *template_parse(const char *text, size_t len, const char *origin, char *errbuf)
{
    assert((text || len == 0) && origin && errbuf);
    errbuf[0] = '\0';
    struct template *t = xcalloc(1, sizeof *t);
    t->origin = xstrdup(origin);
    /* Copied only once the size is checked: a refused text costs nothing. */
    struct parser p = {.t = t, .s = text, .len = len, .line = 1, .errbuf = errbuf};
    if (len <= TEMPLATE_MAX_BYTES) {
        t->src = xmalloc(len + 1);
        if (len)
            memcpy(t->src, text, len);
        t->src[len] = '\0';
        p.s = t->src;
    }
    if (parse(&p) < 0) {
        template_free(t);
        return NULL;
    }
    return t;
}

void template_free(struct template *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_nodes; i++)
        free(t->nodes[i].name);
    free(t->nodes);
    free(t->src);
    free(t->origin);
    free(t);
}

/* ---- rendering ------------------------------------------------------------------------ */

struct frame {
    template_lookup_fn *lookup;
    const void *ctx;
};

struct renderer {
    const struct template *t;
    struct frame frames[TEMPLATE_MAX_DEPTH + 1]; /* the caller's context, then one per list */
    size_t n_frames;
    unsigned flags;
    FILE *out;
    char *errbuf;
};

/* Asks each context, innermost first, until one knows name. */
static void lookup(const struct renderer *r, const char *name, struct template_value *v)
{
    for (size_t i = r->n_frames; i-- > 0;) {
        memset(v, 0, sizeof *v);
        r->frames[i].lookup(r->frames[i].ctx, name, v);
        if (v->kind != TEMPLATE_ABSENT)
            return;
    }
}

static bool is_true(const struct template_value *v)
{
    switch (v->kind) {
    case TEMPLATE_STRING: return v->str[0] != '\0';
    case TEMPLATE_BOOL: return v->is_true;
    case TEMPLATE_LIST: return v->n_items > 0;
    case TEMPLATE_ABSENT: break;
    }
    return false;
}

/* In strict mode, whether v is not what node n needs; says why in errbuf. */
static bool strict_refuses(const struct renderer *r, const struct node *n,
                           const struct template_value *v)
{
    if (!(r->flags & TEMPLATE_STRICT))
        return false;
    const char *sigil = n->kind == NODE_SECTION    ? "#"
                        : n->kind == NODE_INVERTED ? "^"
                        : n->kind == NODE_RAW      ? "&"
                                                   : "";
    if (v->kind == TEMPLATE_ABSENT)
        snprintf(r->errbuf, ERR_BUF_LEN, "%s:%u: no value for {{%s%s}}", r->t->origin, n->line,
                 sigil, n->name);
    else if (v->kind != TEMPLATE_STRING && (n->kind == NODE_VALUE || n->kind == NODE_RAW))
        snprintf(r->errbuf, ERR_BUF_LEN, "%s:%u: {{%s%s}} is a %s, not a string", r->t->origin,
                 n->line, sigil, n->name, v->kind == TEMPLATE_BOOL ? "bool" : "list");
    else
        return false;
    return true;
}

/* Renders nodes [from, to) of r->t. */
static int render_range(struct renderer *r, size_t from, size_t to)
{
    for (size_t i = from; i < to;) {
        const struct node *n = &r->t->nodes[i];
        if (n->kind == NODE_TEXT) {
            fwrite(n->text, 1, n->len, r->out);
            i++;
            continue;
        }
        struct template_value v;
        lookup(r, n->name, &v);
        if (strict_refuses(r, n, &v))
            return ERR_NOT_FOUND;
        int rc = 0;
        if (n->kind == NODE_VALUE || n->kind == NODE_RAW) {
            if (v.kind == TEMPLATE_STRING && n->kind == NODE_VALUE && !(r->flags & TEMPLATE_PLAIN))
                html_text(r->out, v.str);
            else if (v.kind == TEMPLATE_STRING)
                fputs(v.str, r->out);
            i++;
            continue;
        }
        if (n->kind == NODE_INVERTED) {
            if (!is_true(&v))
                rc = render_range(r, i + 1, n->end);
        } else if (v.kind == TEMPLATE_LIST) {
            assert(r->n_frames <= TEMPLATE_MAX_DEPTH);
            for (size_t k = 0; k < v.n_items && rc == 0; k++) {
                const char *item = (const char *)v.items + k * v.item_size;
                r->frames[r->n_frames++] = (struct frame){v.item_lookup, item};
                rc = render_range(r, i + 1, n->end);
                r->n_frames--;
            }
        } else if (is_true(&v)) {
            rc = render_range(r, i + 1, n->end);
        }
        if (rc < 0)
            return rc;
        i = n->end;
    }
    return 0;
}

int template_render(const struct template *t, template_lookup_fn *lookup_fn, const void *ctx,
                    unsigned flags, FILE *out, char *errbuf)
{
    assert(t && lookup_fn && out && (errbuf || !(flags & TEMPLATE_STRICT)));
    if (errbuf)
        errbuf[0] = '\0';
    struct renderer r = {.t = t, .n_frames = 1, .flags = flags, .out = out, .errbuf = errbuf};
    r.frames[0] = (struct frame){lookup_fn, ctx};
    int rc = render_range(&r, 0, t->n_nodes);
    if (rc == 0 && ferror(out))
        rc = -EIO;
    return rc;
}
