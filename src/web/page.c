// SPDX-License-Identifier: MIT
// What every page shares: see page.h.
#include "page.h"

#include "../base/err.h"
#include "../base/html.h"
#include "../base/xalloc.h"
#include "assets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_TAG "web"
#include "../base/log.h"

#define LOGO_MAX (512 * 1024)

static char *slurp(const char *path, size_t max, size_t *len, char *errbuf)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, ERR_BUF_LEN, "web: cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = xmalloc(max + 1);
    *len = fread(buf, 1, max + 1, f);
    fclose(f);
    if (*len > max) {
        snprintf(errbuf, ERR_BUF_LEN, "web: %s is larger than %zu bytes", path, max);
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

static bool is_colour(const char *s)
{
    if (strlen(s) != 7 || s[0] != '#')
        return false;
    for (int i = 1; i < 7; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    return true;
}

static int load_template(struct page_assets *a, int id, const char *dir, char *errbuf)
{
    const struct assets_template *t = &assets_templates[id];
    char path[4096], origin[128];
    if (dir && dir[0]) {
        snprintf(path, sizeof path, "%s/%s", dir, t->name);
        FILE *f = fopen(path, "rb");
        if (f) {
            fclose(f);
            size_t len;
            char *text = slurp(path, TEMPLATE_MAX_BYTES, &len, errbuf);
            if (!text)
                return ERR_CONFIG;
            a->templates[id] = template_parse(text, len, path, errbuf);
            free(text);
            return a->templates[id] ? 0 : ERR_CONFIG;
        }
    }
    snprintf(origin, sizeof origin, "built-in %s", t->name);
    a->templates[id] = template_parse(t->text, t->len, origin, errbuf);
    return a->templates[id] ? 0 : ERR_CONFIG;
}

int page_assets_load(struct page_assets *a, const struct web_options *opt, char *errbuf)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < TPL_COUNT; i++)
        if (load_template(a, i, opt->templates, errbuf) != 0)
            return ERR_CONFIG;
    const char *accent = opt->accent && opt->accent[0] ? opt->accent : "#0b5394";
    if (!is_colour(accent)) {
        snprintf(errbuf, ERR_BUF_LEN, "web_accent: '%s': expected a colour as #rrggbb", accent);
        return ERR_CONFIG;
    }
    size_t n = strlen(assets_style) + 64;
    a->style = xmalloc(n);
    snprintf(a->style, n, ":root{--accent:%s}\n%s", accent, assets_style);
    if (opt->logo && opt->logo[0]) {
        a->logo = slurp(opt->logo, LOGO_MAX, &a->logo_len, errbuf);
        if (!a->logo)
            return ERR_CONFIG;
        bool png = a->logo_len >= 8 && memcmp(a->logo, "\x89PNG\r\n\x1a\n", 8) == 0;
        bool svg = !png && strstr(a->logo, "<svg") != NULL;
        if (!png && !svg) {
            snprintf(errbuf, ERR_BUF_LEN, "web_logo: %s is neither PNG nor SVG", opt->logo);
            return ERR_CONFIG;
        }
        a->logo_type = png ? "image/png" : "image/svg+xml";
    } else {
        a->logo = xstrdup(assets_logo_svg);
        a->logo_len = strlen(assets_logo_svg);
        a->logo_type = "image/svg+xml";
    }
    return 0;
}

void page_assets_free(struct page_assets *a)
{
    for (int i = 0; i < TPL_COUNT; i++)
        template_free(a->templates[i]);
    free(a->style);
    free(a->logo);
    memset(a, 0, sizeof *a);
}

/* ---- pages ---- */

void page_begin(struct web_ctx *c, const char *title)
{
    snprintf(c->title, sizeof c->title, "%s", title);
    c->answer = c->out;
    c->out = web_buffer_open(&c->content_buf, &c->content_len);
    if (!c->out) { /* out of memory: the content goes straight into the answer */
        c->out = c->answer;
        c->answer = NULL;
    }
}

static void layout_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct web_ctx *c = ctx;
    bool user = c->role != ROLE_ANON;
    if (strcmp(name, "title") == 0)
        template_set_str(v, c->title);
    else if (strcmp(name, "operator") == 0)
        template_set_str(v, c->opt->operator_name);
    else if (strcmp(name, "demo") == 0)
        template_set_bool(v, c->opt->demo);
    else if (strcmp(name, "logged_in") == 0)
        template_set_bool(v, user);
    else if (strcmp(name, "customer") == 0)
        template_set_bool(v, c->role == ROLE_CUSTOMER);
    else if (strcmp(name, "staff") == 0)
        template_set_bool(v, (c->role & ROLE_STAFFS) != 0);
    else if (strcmp(name, "login") == 0)
        template_set_str(v, user ? c->session.user.login : "");
    else if (strcmp(name, "csrf") == 0)
        template_set_str(v, user ? c->session.row.csrf : c->login_token);
    else if (strcmp(name, "content") == 0)
        template_set_str(v, c->content_buf ? c->content_buf : "");
}

void page_end(struct web_ctx *c)
{
    if (!c->answer)
        return;
    fclose(c->out);
    c->out = c->answer;
    c->answer = NULL;
    page_render(c, TPL_LAYOUT, layout_lookup, c);
    free(c->content_buf);
    c->content_buf = NULL;
}

void page_discard(struct web_ctx *c)
{
    if (c->answer) {
        fclose(c->out);
        free(c->content_buf);
        c->content_buf = NULL;
        c->out = c->answer;
        c->answer = NULL;
    }
    fclose(c->out);
    free(c->out_buf);
    c->out_buf = NULL;
    c->out = web_buffer_open(&c->out_buf, &c->out_len);
}

int page_render(struct web_ctx *c, enum page_template_id id, template_lookup_fn *lookup,
                const void *ctx)
{
    char errbuf[ERR_BUF_LEN];
    int rc = template_render(web_assets(c)->templates[id], lookup, ctx, 0, c->out, errbuf);
    if (rc != 0)
        log_warn("%s: cannot render template %s: %s", c->path, assets_templates[id].name,
                 err_str(rc));
    return rc;
}

void page_text(struct web_ctx *c, const char *s)
{
    html_text(c->out, s);
}

void page_attr(struct web_ctx *c, const char *s)
{
    html_attr(c->out, s);
}

void page_csrf_field(struct web_ctx *c)
{
    fputs("<input type=\"hidden\" name=\"csrf\" value=\"", c->out);
    html_attr(c->out, c->session.row.csrf);
    fputs("\">", c->out);
}

const char *page_day(uint64_t ms, char *buf)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, 16, "%Y-%m-%d", &tm);
    return buf;
}

/* ---- the assets' routes ---- */

void asset_style(struct web_ctx *c)
{
    fputs(web_assets(c)->style, c->out);
    web_response_header(c->rs, "Cache-Control", "max-age=3600");
    web_answer(c, 200, "text/css; charset=utf-8");
}

void asset_logo(struct web_ctx *c)
{
    const struct page_assets *a = web_assets(c);
    fwrite(a->logo, 1, a->logo_len, c->out);
    web_response_header(c->rs, "Cache-Control", "max-age=3600");
    web_answer(c, 200, a->logo_type);
}
