// SPDX-License-Identifier: MIT
// What every HTML page shares: the layout (a template the operator may replace, around
// the content a route writes), the escaping writers bound to the request, the number and
// date formats, and the assets (style sheet, logo) compiled into the binary or replaced by
// the operator's files.
#ifndef FT_WEB_PAGE_H
#define FT_WEB_PAGE_H

#include "app.h"
#include "../base/template.h"

#include <stdint.h>

/* Templates a page may render, by name (page_template()). */
enum page_template_id { TPL_LAYOUT, TPL_LOGIN, TPL_INVOICE, TPL_COUNT };

struct page_assets {
    struct template *templates[TPL_COUNT];
    char *style; /* owned: the style sheet with the brand colour */
    char *logo;  /* owned: the logo's bytes */
    size_t logo_len;
    const char *logo_type; /* static */
};

/* Loads the built-in templates, or those of opt->templates where it has a file of the same
 * name; the logo file; the accent colour. Returns 0 or ERR_CONFIG with errbuf. */
int page_assets_load(struct page_assets *a, const struct web_options *opt, char *errbuf);
void page_assets_free(struct page_assets *a);
const struct page_assets *web_assets(const struct web_ctx *c);

/* Starts a page's content (written to c->out from here) with its title. */
void page_begin(struct web_ctx *c, const char *title);
/* Wraps the content in the layout; the answer then holds the whole page. */
void page_end(struct web_ctx *c);
/* Drops a page begun and not ended, and anything written to the answer. */
void page_discard(struct web_ctx *c);

/* Renders a template into c->out. Returns 0 or a negative code (logged). */
int page_render(struct web_ctx *c, enum page_template_id id, template_lookup_fn *lookup,
                const void *ctx);

/* Escaped text and attribute values into c->out. */
void page_text(struct web_ctx *c, const char *s);
void page_attr(struct web_ctx *c, const char *s);
/* The hidden field every form of a session carries. */
void page_csrf_field(struct web_ctx *c);

/* A local date "2026-12-06" of a time in ms (the process's time zone). buf: 16 bytes. */
const char *page_day(uint64_t ms, char *buf);

#endif
