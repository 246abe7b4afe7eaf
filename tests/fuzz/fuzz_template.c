// SPDX-License-Identifier: MIT
// libFuzzer target for base/template.c: the input is template text (copied into an
// allocation of exactly its size), parsed as "fuzz". A refused text must have a message
// "fuzz:LINE: ..." with a line inside the text. An accepted one is rendered three times
// against a fixed data callback in which a name's kind follows from its spelling (string,
// true, false, a list of 0..2 items, or unknown; list items know some names themselves and
// leave the rest to the page):
// - once with every string the hostile H = "\xff<>\"'&\x01" and once with every string
//   "b". Both renders take the same path (every string is non-empty), so they differ only
//   in what the values wrote. An escaped value writes none of < > " ' and no 0xff byte;
//   the template text is valid UTF-8, so it writes no 0xff either; only a raw {{&name}}
//   writes H as it is, one 0xff with one of each of < > " '. Hence, for each of those four
//   characters, count(hostile) - count(benign) == count of 0xff in the hostile output:
//   no '<' reaches the page except from the template's text or a raw value.
// - the hostile output with each raw H cut out, and the benign output, are valid UTF-8;
// - in strict mode the render either succeeds with the same output, or stops with
//   ERR_NOT_FOUND, "fuzz:LINE: ..." and a prefix of that output.
#include "../../src/base/err.h"
#include "../../src/base/utf8.h"
#include "../../src/base/template.h"
#include "fuzz.h"

static const char hostile[] = "\xff<>\"'&\x01";
static const char benign[] = "b";

/* Lists opened in one render, past which lists are empty: nested lists would otherwise
 * render a body 2^16 times. */
#define FZ_MAX_LISTS 32

struct fz_page;

struct fz_item {
    const struct fz_page *page;
};

struct fz_page {
    bool is_hostile;
    int *n_lists; /* lists opened so far in this render */
    struct fz_item items[2];
};

static const char *fz_string(const struct fz_page *p)
{
    return p->is_hostile ? hostile : benign;
}

/* An item knows the names of even length; the page is asked for the others. */
static void fz_item_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct fz_item *it = ctx;
    if (strlen(name) % 2 == 0)
        template_set_str(v, fz_string(it->page));
}

static void fz_page_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct fz_page *p = ctx;
    size_t len = strlen(name);
    switch (((unsigned char)name[0] + len) % 5) {
    case 0: template_set_str(v, fz_string(p)); break;
    case 1: template_set_bool(v, true); break;
    case 2: template_set_bool(v, false); break;
    case 3: {
        size_t n = (*p->n_lists)++ < FZ_MAX_LISTS ? len % 3 : 0;
        template_set_list(v, p->items, n, sizeof p->items[0], fz_item_lookup);
        break;
    }
    default: break; /* unknown */
    }
}

struct output {
    char *text;
    size_t len;
    int rc;
    char err[ERR_BUF_LEN];
};

static void render(const struct template *t, bool is_hostile, unsigned flags, struct output *o)
{
    int n_lists = 0;
    struct fz_page page = {.is_hostile = is_hostile, .n_lists = &n_lists};
    page.items[0].page = page.items[1].page = &page;
    o->text = NULL;
    FILE *f = open_memstream(&o->text, &o->len);
    if (!f)
        abort();
    o->rc = template_render(t, fz_page_lookup, &page, flags, f, o->err);
    fclose(f);
}

static size_t count(const struct output *o, char c)
{
    size_t n = 0;
    for (size_t i = 0; i < o->len; i++)
        n += o->text[i] == c;
    return n;
}

/* "fuzz:LINE: " with 1 <= LINE <= the text's lines. */
static void check_message(const char *err, const uint8_t *text, size_t size)
{
    size_t lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += text[i] == '\n';
    FUZZ_CHECK(strncmp(err, "fuzz:", 5) == 0);
    char *end;
    unsigned long line = strtoul(err + 5, &end, 10);
    FUZZ_CHECK(end > err + 5 && line >= 1 && line <= lines && strncmp(end, ": ", 2) == 0);
}

static void check_outputs(const struct output *h, const struct output *b)
{
    FUZZ_CHECK(h->rc == 0 && b->rc == 0);
    size_t raw = count(h, '\xff');
    FUZZ_CHECK(count(b, '\xff') == 0);
    for (const char *c = "<>\"'"; *c; c++)
        FUZZ_CHECK(count(h, *c) - count(b, *c) == raw);
    FUZZ_CHECK(utf8_valid(b->text, b->len, NULL));

    char *cut = malloc(h->len + 1);
    if (!cut)
        abort();
    size_t w = 0, hlen = strlen(hostile);
    for (size_t i = 0; i < h->len;) {
        if (h->text[i] == '\xff') {
            FUZZ_CHECK(h->len - i >= hlen && memcmp(h->text + i, hostile, hlen) == 0);
            i += hlen;
        } else {
            cut[w++] = h->text[i++];
        }
    }
    FUZZ_CHECK(utf8_valid(cut, w, NULL));
    free(cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = calloc(1, size); /* exactly size bytes, so an over-read is an ASan report */
    if (!text)
        abort();
    if (size)
        memcpy(text, data, size);
    char err[ERR_BUF_LEN];
    struct template *t = template_parse(text, size, "fuzz", err);
    free(text); /* the template keeps its own copy */
    if (!t) {
        check_message(err, data, size);
        return 0;
    }
    FUZZ_CHECK(!memchr(data, '\0', size) && utf8_valid((const char *)data, size, NULL));

    struct output h, b, s;
    render(t, true, 0, &h);
    render(t, false, 0, &b);
    check_outputs(&h, &b);
    render(t, true, TEMPLATE_STRICT, &s);
    FUZZ_CHECK(s.rc == 0 || s.rc == ERR_NOT_FOUND);
    FUZZ_CHECK(s.len <= h.len && memcmp(s.text, h.text, s.len) == 0);
    if (s.rc == 0)
        FUZZ_CHECK(s.len == h.len && s.err[0] == '\0');
    else
        check_message(s.err, data, size);
    free(h.text);
    free(b.text);
    free(s.text);
    template_free(t);
    return 0;
}
