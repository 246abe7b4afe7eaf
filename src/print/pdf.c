// SPDX-License-Identifier: MIT
// A bill as an A4 PDF: cairo draws the bars and rules, pango lays out every text ("Sans").
// The only file that includes cairo's and pango's headers (doc/layers.txt).
//
// The document is laid out twice: a first pass into a PDF that is thrown away counts the
// pages, so the second, written to the file, can say "Page 2 of 3". Both passes take the
// same decisions, the fonts being the same. Each document gets a pango font map of its
// own, released after it, so pango's font caches do not outlive the call. Geometry is in
// PDF points (1/72 inch) and is the one place floating point is used: money and bytes
// reach the page as text from doc.c.
#include "doc.h"
#include "print.h"

#include "../base/err.h"
#include "../base/units.h"
#include "../base/utf8.h"
#include "../base/xalloc.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 595.276 /* A4: 210 x 297 mm */
#define PAGE_H 841.890
#define MARGIN_X 48.0
#define MARGIN_TOP 44.0
#define MARGIN_BOTTOM 56.0 /* the footer sits in it */
#define CONTENT_W (PAGE_W - 2 * MARGIN_X)
#define BOTTOM (PAGE_H - MARGIN_BOTTOM)
#define PAD 3.0 /* a table cell's padding */
#define LOGO_MAX_W 160.0
#define LOGO_MAX_H 64.0
#define CHART_H 150.0 /* the plot; labels and legend add to it */
#define CHART_LABELS_W 52.0

#define FONT "Sans 9"
#define FONT_BOLD "Sans Bold 9"
#define FONT_SMALL "Sans 7"

struct col {
    double x, w; /* from the left margin */
    PangoAlignment align;
};

/* A table whose header is drawn again at the top of each page it continues on. */
struct table {
    const struct col *cols;
    size_t n_cols;
    const char *const *head;
};

struct pdf {
    cairo_t *cr;
    PangoContext *pango; /* from a font map of this document's own */
    const struct print_invoice *d;
    const struct doc_text *t;
    cairo_surface_t *logo;     /* NULL: none */
    int page, n_pages;         /* n_pages: known in the second pass, 0 in the first */
    double y;                  /* the cursor, points from the top of the page */
    const struct table *table; /* the table being drawn, whose header a new page repeats */
};

static void rgb(cairo_t *cr, unsigned hex)
{
    cairo_set_source_rgb(cr, (hex >> 16 & 255) / 255.0, (hex >> 8 & 255) / 255.0,
                         (hex & 255) / 255.0);
}

/* s as pango takes it: invalid UTF-8 and control characters as U+FFFD (pango would warn
 * on the first and draw boxes for the second). Returns a new string; caller frees. */
static char *clean(const char *s)
{
    size_t n = strlen(s), len, o = 0;
    char *out = xmalloc(3 * n + 1);
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp;
        len = utf8_decode(s + i, n - i, &cp);
        if (cp == UTF8_INVALID || utf8_is_control(cp)) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
        } else {
            memcpy(out + o, s + i, len);
            o += len;
        }
    }
    out[o] = '\0';
    return out;
}

/* A layout of s in font, w points wide: wrapped at words (or anywhere in a long word) onto
 * at most max_lines lines, the last ellipsized when it does not all fit. Caller unrefs. */
static PangoLayout *layout(struct pdf *p, const char *s, const char *font, double w,
                           PangoAlignment align, int max_lines)
{
    PangoLayout *l = pango_layout_new(p->pango);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, pango_units_from_double(w));
    pango_layout_set_alignment(l, align);
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
    pango_layout_set_height(l, -max_lines);
    char *text = clean(s);
    pango_layout_set_text(l, text, -1);
    free(text);
    return l;
}

static double layout_height(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void show(struct pdf *p, PangoLayout *l, double x, double y, unsigned color)
{
    rgb(p->cr, color);
    cairo_move_to(p->cr, x, y);
    pango_cairo_show_layout(p->cr, l);
}

/* Draws s at (x, y) and returns its height. */
static double text(struct pdf *p, double x, double y, double w, const char *s, const char *font,
                   PangoAlignment align, int max_lines, unsigned color)
{
    PangoLayout *l = layout(p, s, font, w, align, max_lines);
    double h = layout_height(l);
    show(p, l, x, y, color);
    g_object_unref(l);
    return h;
}

static void rule(struct pdf *p, double y, double width, unsigned color)
{
    rgb(p->cr, color);
    cairo_set_line_width(p->cr, width);
    cairo_move_to(p->cr, MARGIN_X, y);
    cairo_line_to(p->cr, PAGE_W - MARGIN_X, y);
    cairo_stroke(p->cr);
}

/* ---- pages ----------------------------------------------------------------------------- */

static void table_head(struct pdf *p, const struct table *tb);

/* What every page has: the demo band, the footer, and past the first page a line saying
 * whose document continues. Leaves the cursor where the page's content starts. */
static void page_furniture(struct pdf *p)
{
    if (p->d->is_demo) {
        rgb(p->cr, 0xffdddd);
        cairo_rectangle(p->cr, 0, 12, PAGE_W, 18);
        cairo_fill(p->cr);
        text(p, MARGIN_X, 14, CONTENT_W, "Demo data: not a bill", FONT_BOLD, PANGO_ALIGN_CENTER, 1,
             0x990000);
    }
    char foot[160], page[48];
    snprintf(foot, sizeof foot, "%s \xe2\x80\x93 %.63s", p->t->title, p->d->inv->account);
    if (p->n_pages)
        snprintf(page, sizeof page, "Page %d of %d", p->page, p->n_pages);
    else
        snprintf(page, sizeof page, "Page %d", p->page);
    rule(p, PAGE_H - MARGIN_BOTTOM + 14, 0.5, 0x999999);
    text(p, MARGIN_X, PAGE_H - MARGIN_BOTTOM + 18, CONTENT_W - 100, foot, FONT_SMALL,
         PANGO_ALIGN_LEFT, 1, 0x666666);
    text(p, PAGE_W - MARGIN_X - 100, PAGE_H - MARGIN_BOTTOM + 18, 100, page, FONT_SMALL,
         PANGO_ALIGN_RIGHT, 1, 0x666666);
    p->y = MARGIN_TOP;
    if (p->page > 1) {
        char head[200];
        snprintf(head, sizeof head, "%s (continued)", p->t->title);
        p->y += text(p, MARGIN_X, p->y, CONTENT_W, head, FONT_SMALL, PANGO_ALIGN_LEFT, 1, 0x666666);
        p->y += 8;
    }
}

static void new_page(struct pdf *p)
{
    cairo_show_page(p->cr);
    p->page++;
    page_furniture(p);
    if (p->table)
        table_head(p, p->table);
}

/* Makes room for h points: a new page when they do not fit below the cursor. */
static void need(struct pdf *p, double h)
{
    if (p->y + h > BOTTOM)
        new_page(p);
}

/* ---- tables ---------------------------------------------------------------------------- */

/* One row: each cell wrapped onto at most max_lines lines; a page break before it when it
 * does not fit (the page then starts with the table's header). */
static void table_row(struct pdf *p, const struct table *tb, const char *const *cells,
                      const char *font, int max_lines, unsigned color, bool ruled)
{
    PangoLayout *l[8];
    double h = 0;
    size_t n = tb->n_cols < 8 ? tb->n_cols : 8;
    for (size_t i = 0; i < n; i++) {
        const struct col *c = &tb->cols[i];
        l[i] = layout(p, cells[i], font, c->w - 2 * PAD, c->align, max_lines);
        double hi = layout_height(l[i]);
        h = hi > h ? hi : h;
    }
    h += 2 * PAD;
    need(p, h);
    for (size_t i = 0; i < n; i++) {
        show(p, l[i], MARGIN_X + tb->cols[i].x + PAD, p->y + PAD, color);
        g_object_unref(l[i]);
    }
    p->y += h;
    if (ruled)
        rule(p, p->y, 0.3, 0xdddddd);
}

static void table_head(struct pdf *p, const struct table *tb)
{
    const struct table *keep = p->table;
    p->table = NULL; /* a header that does not fit starts a page without a second one */
    table_row(p, tb, tb->head, FONT_BOLD, 2, 0x222222, false);
    p->table = keep;
    rule(p, p->y, 0.6, 0x999999);
}

static void heading(struct pdf *p, const char *s, double keep_with)
{
    need(p, 22 + keep_with);
    p->y += 8;
    p->y += text(p, MARGIN_X, p->y, CONTENT_W, s, "Sans Bold 11", PANGO_ALIGN_LEFT, 1, 0x222222);
    p->y += 4;
}

/* ---- sections ---------------------------------------------------------------------------- */

/* The operator (name, address) at the left, the logo at the right, a rule below. */
static void sender(struct pdf *p)
{
    double logo_w = 0, logo_h = 0, scale = 1;
    if (p->logo) {
        double iw = cairo_image_surface_get_width(p->logo);
        double ih = cairo_image_surface_get_height(p->logo);
        if (iw > 0 && ih > 0) {
            scale = LOGO_MAX_W / iw < LOGO_MAX_H / ih ? LOGO_MAX_W / iw : LOGO_MAX_H / ih;
            scale = scale < 1 ? scale : 1;
            logo_w = iw * scale;
            logo_h = ih * scale;
            cairo_save(p->cr);
            cairo_translate(p->cr, PAGE_W - MARGIN_X - logo_w, p->y);
            cairo_scale(p->cr, scale, scale);
            cairo_set_source_surface(p->cr, p->logo, 0, 0);
            cairo_paint(p->cr);
            cairo_restore(p->cr);
        }
    }
    double w = CONTENT_W - (logo_w > 0 ? logo_w + 12 : 0), y = p->y;
    if (p->d->op.name && *p->d->op.name)
        y += text(p, MARGIN_X, y, w, p->d->op.name, "Sans Bold 13", PANGO_ALIGN_LEFT, 2, 0x222222);
    char lines[DOC_ADDRESS_MAX][256];
    size_t n = doc_address_lines(p->d->op.address, lines);
    for (size_t i = 0; i < n; i++)
        y += text(p, MARGIN_X, y, w, lines[i], FONT, PANGO_ALIGN_LEFT, 1, 0x444444);
    p->y = (y > p->y + logo_h ? y : p->y + logo_h) + 8;
    rule(p, p->y, 0.6, 0x999999);
    p->y += 14;
}

static void facts(struct pdf *p)
{
    const struct doc_text *t = p->t;
    p->y +=
        text(p, MARGIN_X, p->y, CONTENT_W, t->title, "Sans Bold 20", PANGO_ALIGN_LEFT, 1, 0x222222);
    if (t->corrects[0])
        p->y += text(p, MARGIN_X, p->y, CONTENT_W, t->corrects, "Sans 10", PANGO_ALIGN_LEFT, 1,
                     0x555555);
    p->y += 8;
    static const struct col cols[] = {
        {0, 90, PANGO_ALIGN_LEFT},
        {90, CONTENT_W - 90, PANGO_ALIGN_LEFT},
    };
    const struct table tb = {cols, 2, NULL};
    const char *const rows[][2] = {
        {"Customer", t->customer}, {"Plan", t->plan}, {"Cycle", t->period},
        {"Issued", t->issued},     {"Used", t->used}, {"Quota", t->quota},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        table_row(p, &tb, rows[i], FONT, 2, 0x222222, false);
    p->y += 2;
    p->y += text(p, MARGIN_X + PAD, p->y, CONTENT_W, t->unit_note, FONT_SMALL, PANGO_ALIGN_LEFT, 1,
                 0x666666);
}

static void classes(struct pdf *p)
{
    static const struct col cols[] = {
        {0, CONTENT_W - 140, PANGO_ALIGN_LEFT},
        {CONTENT_W - 140, 140, PANGO_ALIGN_RIGHT},
    };
    static const char *const head[] = {"Class", "Used"};
    const struct table tb = {cols, 2, head};
    heading(p, "Usage per class", 40);
    table_head(p, &tb);
    p->table = &tb;
    if (p->d->n_classes == 0) {
        const char *const row[] = {"No usage", ""};
        table_row(p, &tb, row, FONT, 1, 0x222222, true);
    }
    for (size_t i = 0; i < p->d->n_classes; i++) {
        char name[34], bytes[48];
        snprintf(name, sizeof name, "%.32s", p->d->classes[i].name);
        const char *const row[] = {
            name, doc_bytes(p->d->classes[i].bytes, p->t->unit_bytes, p->t->unit, bytes)};
        table_row(p, &tb, row, FONT, 2, 0x222222, true);
    }
    p->table = NULL;
}

static void chart_bars(struct pdf *p, const struct doc_axis *ax, double left, double top, double w)
{
    size_t n = p->d->n_days;
    double slot = w / (double)n, bar = slot * 0.7, bottom = top + CHART_H;
    size_t every = doc_label_every(n, (size_t)(w / 16));
    for (size_t i = 0; i < n; i++) {
        const struct print_day *day = &p->d->days[i];
        /* heights in hundredths of a point, from integers */
        uint64_t h_all = doc_bar_height(doc_day_total(day), ax->top_bytes, CHART_H * 100);
        uint64_t h_in = doc_bar_height(day->bytes_in, ax->top_bytes, CHART_H * 100);
        double x = left + slot * (double)i + (slot - bar) / 2;
        rgb(p->cr, 0x3b7dd8);
        cairo_rectangle(p->cr, x, bottom - (double)h_in / 100, bar, (double)h_in / 100);
        cairo_fill(p->cr);
        rgb(p->cr, 0xf0a030);
        cairo_rectangle(p->cr, x, bottom - (double)h_all / 100, bar, (double)(h_all - h_in) / 100);
        cairo_fill(p->cr);
        if (i % every == 0) {
            char label[16];
            doc_day_label(day->date, label);
            text(p, left + slot * (double)i - 10, bottom + 3, slot + 20, label, FONT_SMALL,
                 PANGO_ALIGN_CENTER, 1, 0x444444);
        }
    }
}

static void chart(struct pdf *p)
{
    heading(p, "Daily usage", CHART_H + 40);
    if (p->d->n_days == 0) {
        p->y += text(p, MARGIN_X, p->y, CONTENT_W, "No daily usage.", FONT, PANGO_ALIGN_LEFT, 1,
                     0x222222);
        return;
    }
    struct doc_axis ax;
    doc_axis_init(&ax, p->d->days, p->d->n_days, p->t->unit_bytes);
    double left = MARGIN_X + CHART_LABELS_W, w = CONTENT_W - CHART_LABELS_W, top = p->y + 4;
    /* no grid when every day is 0 (no steps: nothing to divide the axis by) */
    for (unsigned i = 0; ax.n_steps && i <= ax.n_steps; i++) {
        double y = top + CHART_H - CHART_H * i / ax.n_steps;
        char label[48];
        rgb(p->cr, 0xdddddd);
        cairo_set_line_width(p->cr, 0.4);
        cairo_move_to(p->cr, left, y);
        cairo_line_to(p->cr, left + w, y);
        cairo_stroke(p->cr);
        doc_axis_label(ax.top_milli / ax.n_steps * i, p->t->unit, label);
        text(p, MARGIN_X, y - 4.5, CHART_LABELS_W - 4, label, FONT_SMALL, PANGO_ALIGN_RIGHT, 1,
             0x444444);
    }
    chart_bars(p, &ax, left, top, w);
    rgb(p->cr, 0x666666);
    cairo_set_line_width(p->cr, 0.6);
    cairo_move_to(p->cr, left, top + CHART_H);
    cairo_line_to(p->cr, left + w, top + CHART_H);
    cairo_stroke(p->cr);
    double legend = top + CHART_H + 16;
    static const struct {
        unsigned color;
        const char *name;
    } series[] = {{0x3b7dd8, "Download"}, {0xf0a030, "Upload"}};
    for (size_t i = 0; i < 2; i++) {
        double x = left + 90 * (double)i;
        rgb(p->cr, series[i].color);
        cairo_rectangle(p->cr, x, legend + 1.5, 7, 7);
        cairo_fill(p->cr);
        text(p, x + 11, legend, 70, series[i].name, FONT_SMALL, PANGO_ALIGN_LEFT, 1, 0x444444);
    }
    p->y = legend + 14;
}

static void lines(struct pdf *p)
{
    enum { NUM_W = 88 };
    static const struct col cols[] = {
        {0, CONTENT_W - 3 * NUM_W, PANGO_ALIGN_LEFT},
        {CONTENT_W - 3 * NUM_W, NUM_W, PANGO_ALIGN_RIGHT},
        {CONTENT_W - 2 * NUM_W, NUM_W, PANGO_ALIGN_RIGHT},
        {CONTENT_W - NUM_W, NUM_W, PANGO_ALIGN_RIGHT},
    };
    char amount_head[32];
    snprintf(amount_head, sizeof amount_head, "Amount (%.3s)", p->d->inv->currency);
    const char *const head[] = {"Description", "Quantity", "Unit price", amount_head};
    const struct table tb = {cols, 4, head};
    heading(p, "Charges", 40);
    table_head(p, &tb);
    p->table = &tb;
    if (p->d->n_lines == 0) {
        const char *const row[] = {"No charges", "", "", ""};
        table_row(p, &tb, row, FONT, 1, 0x222222, true);
    }
    for (size_t i = 0; i < p->d->n_lines; i++) {
        const struct invoice_line *l = &p->d->lines[i];
        char text_[160], qty[64], price[32], amount[32];
        const char *const row[] = {doc_line_text(l, p->d->inv, text_), doc_quantity(l, p->t, qty),
                                   units_format_money(l->unit_price_micro, price),
                                   units_format_cents(l->amount_cents, amount)};
        table_row(p, &tb, row, FONT, 3, 0x222222, true);
    }
    p->table = NULL;

    /* the sums stay together, under the amounts */
    static const struct col sum_cols[] = {
        {0, CONTENT_W - 140, PANGO_ALIGN_RIGHT},
        {CONTENT_W - 140, 140, PANGO_ALIGN_RIGHT},
    };
    const struct table sums = {sum_cols, 2, NULL};
    need(p, 64);
    p->y += 4;
    const char *const sub[] = {"Subtotal", p->t->subtotal};
    const char *const tax[] = {p->t->tax_label, p->t->tax};
    const char *const total[] = {"Total", p->t->total};
    table_row(p, &sums, sub, FONT, 1, 0x222222, false);
    table_row(p, &sums, tax, FONT, 1, 0x222222, false);
    rule(p, p->y + 1, 1.2, 0x222222);
    p->y += 3;
    table_row(p, &sums, total, "Sans Bold 11", 1, 0x222222, false);
}

/* LeakSanitizer's hook, a weak symbol it calls when it starts (nothing does without a
 * sanitizer): fontconfig 2.14 (Debian 12) loses a few hundred bytes parsing its
 * configuration, once per process, in the thread pango starts to load it. Only allocations
 * made inside libfontconfig are excused; a leak of ours still fails the tests. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* ... and says nothing of it: the report would land in every command's stderr. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}

/* ---- the document ------------------------------------------------------------------------ */

/* Lays the whole document out on surface. Returns its number of pages. */
static int render(cairo_surface_t *surface, const struct print_invoice *d, const struct doc_text *t,
                  cairo_surface_t *logo, int n_pages)
{
    PangoFontMap *fonts = pango_cairo_font_map_new();
    struct pdf p = {
        .cr = cairo_create(surface),
        .pango = pango_font_map_create_context(fonts),
        .d = d,
        .t = t,
        .logo = logo,
        .page = 1,
        .n_pages = n_pages,
    };
    /* points, not pixels; no hinting, so both passes and every viewer agree on widths */
    pango_cairo_context_set_resolution(p.pango, 72);
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(p.pango, fo);
    cairo_font_options_destroy(fo);
    pango_cairo_update_context(p.cr, p.pango);

    page_furniture(&p);
    sender(&p);
    facts(&p);
    classes(&p);
    chart(&p);
    lines(&p);
    cairo_show_page(p.cr);

    g_object_unref(p.pango);
    cairo_destroy(p.cr);
    g_object_unref(fonts);
    return p.page;
}

static cairo_status_t discard(void *closure, const unsigned char *data, unsigned int length)
{
    (void)closure;
    (void)data;
    (void)length;
    return CAIRO_STATUS_SUCCESS;
}

struct sink {
    FILE *f;
    int err; /* errno of the first failed write */
};

static cairo_status_t write_file(void *closure, const unsigned char *data, unsigned int length)
{
    struct sink *s = closure;
    if (fwrite(data, 1, length, s->f) != length) {
        if (!s->err)
            s->err = errno ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

struct png_reader {
    const unsigned char *p;
    size_t left;
};

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int length)
{
    struct png_reader *r = closure;
    if (length > r->left)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(data, r->p, length);
    r->p += length;
    r->left -= length;
    return CAIRO_STATUS_SUCCESS;
}

/* The logo decoded, or NULL with errbuf. The file is read (and checked) by doc.c, so both
 * formats refuse the same files with the same messages. */
static int logo_load(const char *path, cairo_surface_t **out, char *errbuf)
{
    unsigned char *data;
    size_t len;
    *out = NULL;
    int rc = doc_logo_read(path, &data, &len, errbuf);
    if (rc < 0)
        return rc;
    struct png_reader r = {data, len};
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_png, &r);
    free(data);
    cairo_status_t st = cairo_surface_status(s);
    if (st != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        snprintf(errbuf, ERR_BUF_LEN, "logo %s: %s", path, cairo_status_to_string(st));
        return ERR_MALFORMED;
    }
    *out = s;
    return 0;
}

static int surface_done(cairo_surface_t *s, const char *path, const struct sink *sink, char *errbuf)
{
    cairo_surface_finish(s);
    cairo_status_t st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (sink && sink->err) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", path, strerror(sink->err));
        return -sink->err;
    }
    if (st != CAIRO_STATUS_SUCCESS) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: cairo: %s", path, cairo_status_to_string(st));
        return ERR_UNSUPPORTED;
    }
    return 0;
}

/* What both passes need, worked out before anything is opened: the texts, the logo decoded,
 * and the number of pages (the first pass). */
struct prepared {
    struct doc_text t;
    cairo_surface_t *logo; /* NULL: none */
    int n_pages;
};

static int prepare(const struct print_invoice *d, struct prepared *p, char *errbuf)
{
    p->logo = NULL;
    int rc = doc_text_init(&p->t, d, errbuf);
    if (rc < 0)
        return rc;
    if (d->op.logo_path && *d->op.logo_path) {
        rc = logo_load(d->op.logo_path, &p->logo, errbuf);
        if (rc < 0)
            return rc;
    }
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(discard, NULL, PAGE_W, PAGE_H);
    p->n_pages = render(s, d, &p->t, p->logo, 0);
    rc = surface_done(s, "laying the PDF out", NULL, errbuf);
    if (rc < 0 && p->logo) {
        cairo_surface_destroy(p->logo);
        p->logo = NULL;
    }
    return rc;
}

/* The second pass, written to f; what names f in messages. Frees p's logo. */
static int write_pdf(FILE *f, const char *what, const struct print_invoice *d, struct prepared *p,
                     char *errbuf)
{
    struct sink sink = {f, 0};
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_file, &sink, PAGE_W, PAGE_H);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, p->t.title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "flowtally");
    if (d->op.name && *d->op.name) {
        char *author = clean(d->op.name);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_AUTHOR, author);
        free(author);
    }
    render(s, d, &p->t, p->logo, p->n_pages);
    int rc = surface_done(s, what, &sink, errbuf);
    if (p->logo)
        cairo_surface_destroy(p->logo);
    p->logo = NULL;
    return rc;
}

int print_invoice_pdf(const char *path, const struct print_invoice *d, char *errbuf)
{
    struct prepared p;
    int rc = prepare(d, &p, errbuf);
    if (rc < 0)
        return rc;
    FILE *f = fopen(path, "wb");
    if (!f) {
        rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", path, strerror(errno));
        if (p.logo)
            cairo_surface_destroy(p.logo);
        return rc;
    }
    rc = write_pdf(f, path, d, &p, errbuf);
    if (fclose(f) != 0 && rc == 0) {
        rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", path, strerror(errno));
    }
    return rc;
}

int print_invoice_pdf_buffer(const struct print_invoice *d, char **buf, size_t *len, char *errbuf)
{
    *buf = NULL;
    *len = 0;
    struct prepared p;
    int rc = prepare(d, &p, errbuf);
    if (rc < 0)
        return rc;
    char *mem = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&mem, &n);
    if (!f) {
        rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "the PDF in memory: %s", strerror(errno));
        if (p.logo)
            cairo_surface_destroy(p.logo);
        return rc;
    }
    rc = write_pdf(f, "the PDF in memory", d, &p, errbuf);
    if (fclose(f) != 0 && rc == 0) {
        rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "the PDF in memory: %s", strerror(errno));
    }
    if (rc < 0) {
        free(mem);
        return rc;
    }
    *buf = mem;
    *len = n;
    return 0;
}
