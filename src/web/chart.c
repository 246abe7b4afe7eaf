// SPDX-License-Identifier: MIT
// Inline SVG charts for the portal's pages, written on the server. Geometry is integers in
// tenths of a viewBox unit, printed as "12.3" by hand, so the output never depends on the
// locale or on floating-point rounding: the same usage gives the same bytes, which is
// what lets the tests compare whole documents.
#include "chart.h"

#include "../base/units.h"

#include "../base/utf8.h"

#include <assert.h>
#include <stdbool.h>
#include <string.h>

/* The bar chart's frame, in tenths of a unit of its 320-unit-wide viewBox. Narrow on
 * purpose: scaled to a phone's width the 10-unit text stays near 10 px. The plot's height
 * divides by 4 and by 5, the grid's step counts. */
enum {
    CHART_W = 3200,
    PLOT_LEFT = 440, /* room for the y labels, right-aligned at 40 */
    PLOT_RIGHT = 3160,
    PLOT_W = PLOT_RIGHT - PLOT_LEFT,
    PLOT_TOP = 80,
    PLOT_BOTTOM = 1280,
    PLOT_H = PLOT_BOTTOM - PLOT_TOP,
    Y_LABEL_X = 400,
    Y_LABEL_DY = 35, /* about 0.35 em: centres a label's digits on its grid line */
    X_LABEL_Y = 1410,
    LEGEND_TOP = 1540,
    LEGEND_ROW = 140, /* one series a row: a row cannot know how wide its name renders */
    SWATCH = 100,
    LEGEND_TEXT_X = PLOT_LEFT + 140,
    LEGEND_TEXT_DY = 90,
    CHAR_W = 60, /* a digit at font-size 10 is about 5.5 units wide; a little to spare */
    LABEL_GAP = 40,
};

/* The gauge's frame: a track inset by its outline's half-width, the texts under it. */
enum {
    GAUGE_X = 10,
    GAUGE_Y = 10,
    GAUGE_W = CHART_W - 2 * GAUGE_X,
    GAUGE_H = 240,
    GAUGE_TEXT_Y = 400,
    GAUGE_HEIGHT = 440,
    GAUGE_TEXT_Y_UNLIMITED = 150, /* no track above the texts */
    GAUGE_HEIGHT_UNLIMITED = 200,
};

/* 10^19, the largest power of ten a uint64_t holds: the highest axis top. */
#define AXIS_TOP_MAX 10000000000000000000ULL

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* a * b / c for a small b (a length in tenths, or 100), rounded half up or truncated,
 * without overflow: a = q * c + r, and when r * b would overflow, r and c are halved
 * together, which only costs precision for c above about 10^15, far below a pixel. A
 * quotient past UINT64_MAX saturates. */
static uint64_t mul_div(uint64_t a, uint64_t b, uint64_t c, bool round)
{
    assert(c > 0 && b > 0);
    uint64_t q = a / c, r = a % c;
    if (q > UINT64_MAX / b)
        return UINT64_MAX;
    while (c > UINT64_MAX / b) {
        c >>= 1;
        r >>= 1;
    }
    return add_sat(q * b, (r * b + (round ? c / 2 : 0)) / c);
}

/* An axis label: units_format_bytes() without a ".0", so the grid reads "2 GB", "2.5 GB". Every
 * grid value is a whole number of tenths of its unit, so nothing is cut. */
static const char *tick_bytes(uint64_t bytes, char buf[32])
{
    units_format_bytes(bytes, buf);
    char *zero = strstr(buf, ".0 ");
    if (zero)
        memmove(zero, zero + 2, strlen(zero + 2) + 1);
    return buf;
}

/* A length in tenths as the shortest decimal: "12", "12.3". */
/* tenths as "12" or "12.5", written by hand: a chart has hundreds of numbers, and
 * fprintf's parsing of its format was a tenth of a page's time. */
static void put_num(FILE *out, uint64_t tenths)
{
    char buf[24], *p = buf + sizeof buf;
    uint64_t whole = tenths / 10;
    if (tenths % 10) {
        *--p = (char)('0' + tenths % 10);
        *--p = '.';
    }
    do {
        *--p = (char)('0' + whole % 10);
        whole /= 10;
    } while (whole);
    fwrite(p, 1, (size_t)(buf + sizeof buf - p), out);
}

static void put_attr(FILE *out, const char *name, uint64_t tenths)
{
    fputc(' ', out);
    fputs(name, out);
    fputs("=\"", out);
    put_num(out, tenths);
    fputc('"', out);
}

/* Outside text as XML character data or attribute value. XML 1.0 forbids most control
 * characters and U+FFFE/U+FFFF, and a browser shows invalid UTF-8 as U+FFFD anyway: all
 * become U+FFFD here, so the chart is well-formed whatever the store held. */
static void put_text(FILE *out, const char *s)
{
    size_t n = s ? strlen(s) : 0, len;
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp;
        len = utf8_decode(s + i, n - i, &cp);
        if (cp == '<')
            fputs("&lt;", out);
        else if (cp == '>')
            fputs("&gt;", out);
        else if (cp == '&')
            fputs("&amp;", out);
        else if (cp == '"')
            fputs("&quot;", out);
        else if (cp == '\'')
            fputs("&#39;", out);
        else if (cp == UTF8_INVALID || utf8_is_control(cp) || cp == 0xfffe || cp == 0xffff)
            fputs("\xef\xbf\xbd", out);
        else
            fwrite(s + i, 1, len, out);
    }
}

/* Code points, for guessing how wide a label renders. */
static size_t text_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* The root element, its <title>, and the <desc> left open for the caller's summary.
 * aria-labelledby names both, as role="img" SVG is read most widely that way. */
static void open_svg(FILE *out, const char *id, const char *kind, uint64_t height,
                     const char *font_size, const char *title)
{
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-%s\" role=\"img\"",
            kind);
    fputs(" aria-labelledby=\"", out);
    put_text(out, id);
    fputs("-title ", out);
    put_text(out, id);
    fputs("-desc\" viewBox=\"0 0 ", out);
    put_num(out, CHART_W);
    fputc(' ', out);
    put_num(out, height);
    fprintf(out, "\" font-size=\"%s\" fill=\"currentColor\">\n<title id=\"", font_size);
    put_text(out, id);
    fputs("-title\">", out);
    put_text(out, title);
    fputs("</title>\n<desc id=\"", out);
    put_text(out, id);
    fputs("-desc\">", out);
}

uint64_t chart_axis_top(uint64_t max, unsigned *n_steps)
{
    if (max == 0) {
        *n_steps = 0;
        return 0;
    }
    *n_steps = 5;
    if (max <= 5)
        return 5; /* 1, 2 and 2.5 B would need fractions of a byte per step */
    for (uint64_t p = 10;; p *= 10) {
        if (max <= p || p == AXIS_TOP_MAX)
            return p; /* steps of p / 5 */
        if (max <= 2 * p) {
            *n_steps = 4; /* steps of p / 2 */
            return 2 * p;
        }
        if (max <= p / 2 * 5)
            return p / 2 * 5; /* steps of p / 2 */
        if (max <= 5 * p)
            return 5 * p; /* steps of p */
    }
}

/* ---- The bar chart ---------------------------------------------------------------- */

struct bars {
    FILE *out;                 /* borrowed */
    const char *const *labels; /* n_bars, borrowed */
    size_t n_bars;
    const struct chart_series *series; /* n_series, borrowed */
    size_t n_series;
    uint64_t top;     /* the y axis' top, bytes; 0 for no data */
    unsigned n_steps; /* grid steps up to top */
    uint64_t slot;    /* width of one bar with its gap, tenths */
};

/* The bytes of bar i's first `upto` series. */
static uint64_t stack(const struct bars *b, size_t i, size_t upto)
{
    uint64_t sum = 0;
    for (size_t s = 0; s < upto; s++)
        sum = add_sat(sum, b->series[s].values[i]);
    return sum;
}

/* Height in tenths of a stack of `bytes`. Computed for each stack's running total, not for
 * each segment, so rounding never leaves a gap or overlap between two segments. */
static uint64_t stack_height(const struct bars *b, uint64_t bytes)
{
    if (b->top == 0)
        return 0;
    return mul_div(bytes < b->top ? bytes : b->top, PLOT_H, b->top, true);
}

static void describe_bars(const struct bars *b)
{
    FILE *out = b->out;
    char buf[32];
    if (b->n_bars == 0) {
        fputs("No data.", out);
        return;
    }
    uint64_t total = 0, high = 0;
    size_t at = 0;
    for (size_t i = 0; i < b->n_bars; i++) {
        uint64_t sum = stack(b, i, b->n_series);
        total = add_sat(total, sum);
        if (sum > high) {
            high = sum;
            at = i;
        }
    }
    fprintf(out, "Total %s ", units_format_bytes(total, buf));
    if (b->n_bars == 1) {
        fputs("at ", out);
    } else {
        fputs("from ", out);
        put_text(out, b->labels[0]);
        fputs(" to ", out);
    }
    put_text(out, b->labels[b->n_bars - 1]);
    for (size_t s = 0; b->n_series > 1 && s < b->n_series; s++) {
        uint64_t sum = 0;
        for (size_t i = 0; i < b->n_bars; i++)
            sum = add_sat(sum, b->series[s].values[i]);
        fputs(s == 0 ? " (" : ", ", out);
        put_text(out, b->series[s].name);
        fprintf(out, " %s%s", units_format_bytes(sum, buf), s + 1 == b->n_series ? ")" : "");
    }
    if (high > 0 && b->n_bars > 1) {
        fprintf(out, "; highest %s at ", units_format_bytes(high, buf));
        put_text(out, b->labels[at]);
    }
    fputc('.', out);
}

static void draw_grid(const struct bars *b)
{
    FILE *out = b->out;
    char buf[32];
    for (unsigned j = 1; j <= b->n_steps; j++) {
        uint64_t y = PLOT_BOTTOM - (uint64_t)PLOT_H * j / b->n_steps;
        fputs("<line class=\"grid\"", out);
        put_attr(out, "x1", PLOT_LEFT);
        put_attr(out, "y1", y);
        put_attr(out, "x2", PLOT_RIGHT);
        put_attr(out, "y2", y);
        fputs(" stroke=\"#888\"/>\n", out);
    }
    fputs("<g class=\"tick\" text-anchor=\"end\">\n", out);
    for (unsigned j = 0; j <= b->n_steps; j++) {
        uint64_t y = PLOT_BOTTOM - (uint64_t)PLOT_H * j / (b->n_steps ? b->n_steps : 1);
        fputs("<text", out);
        put_attr(out, "x", Y_LABEL_X);
        put_attr(out, "y", y + Y_LABEL_DY);
        /* top is a multiple of n_steps by chart_axis_top()'s choice */
        fprintf(out, ">%s</text>\n", tick_bytes(b->n_steps ? b->top / b->n_steps * j : 0, buf));
    }
    fputs("</g>\n", out);
}

static void draw_series(const struct bars *b, size_t s)
{
    FILE *out = b->out;
    const struct chart_series *se = &b->series[s];
    uint64_t gap = b->slot / 5;
    char buf[32];
    fputs("<g class=\"", out);
    put_text(out, se->css_class);
    fputs("\">\n", out);
    for (size_t i = 0; i < b->n_bars; i++) {
        if (se->values[i] == 0)
            continue;
        uint64_t below = stack_height(b, stack(b, i, s));
        uint64_t above = stack_height(b, stack(b, i, s + 1));
        fputs("<rect", out);
        put_attr(out, "x", PLOT_LEFT + i * b->slot + gap / 2);
        put_attr(out, "y", PLOT_BOTTOM - above);
        put_attr(out, "width", b->slot - gap);
        put_attr(out, "height", above - below);
        fputs("><title>", out);
        put_text(out, b->labels[i]);
        fputs(": ", out);
        put_text(out, se->name);
        fprintf(out, " %s</title></rect>\n", units_format_bytes(se->values[i], buf));
    }
    fputs("</g>\n", out);
}

/* Every k-th label, k the least of 1, 2, 3, 4, 6, 8, 12, 24, 48... (steps that divide a
 * day's 24 hours) that leaves room for the longest label. */
static size_t label_every(const struct bars *b)
{
    size_t longest = 0;
    for (size_t i = 0; i < b->n_bars; i++) {
        size_t n = text_chars(b->labels[i]);
        longest = n > longest ? n : longest;
    }
    uint64_t need = longest * CHAR_W + LABEL_GAP;
    static const size_t small[] = {1, 2, 3, 4, 6, 8, 12};
    for (size_t i = 0; i < sizeof small / sizeof small[0]; i++)
        if (small[i] * b->slot >= need)
            return small[i];
    size_t k = 24;
    while (k < b->n_bars && k * b->slot < need)
        k *= 2;
    return k;
}

static void draw_x_labels(const struct bars *b)
{
    FILE *out = b->out;
    if (b->n_bars == 0)
        return;
    size_t every = label_every(b);
    fputs("<g class=\"tick\" text-anchor=\"middle\">\n", out);
    for (size_t i = 0; i < b->n_bars; i += every) {
        fputs("<text", out);
        put_attr(out, "x", PLOT_LEFT + i * b->slot + b->slot / 2);
        put_attr(out, "y", X_LABEL_Y);
        fputc('>', out);
        put_text(out, b->labels[i]);
        fputs("</text>\n", out);
    }
    fputs("</g>\n", out);
}

static void draw_legend(const struct bars *b)
{
    FILE *out = b->out;
    for (size_t s = 0; s < b->n_series; s++) {
        uint64_t y = LEGEND_TOP + s * LEGEND_ROW;
        fputs("<rect class=\"", out);
        put_text(out, b->series[s].css_class);
        fputc('"', out);
        put_attr(out, "x", PLOT_LEFT);
        put_attr(out, "y", y);
        put_attr(out, "width", SWATCH);
        put_attr(out, "height", SWATCH);
        fputs("/>\n<text class=\"legend\"", out);
        put_attr(out, "x", LEGEND_TEXT_X);
        put_attr(out, "y", y + LEGEND_TEXT_DY);
        fputc('>', out);
        put_text(out, b->series[s].name);
        fputs("</text>\n", out);
    }
}

void chart_bars(FILE *out, const char *id, const char *title, const char *const *labels,
                size_t n_bars, const struct chart_series *series, size_t n_series)
{
    assert(n_bars == 0 || labels);
    assert(n_series == 0 || series);
    struct bars b = {.out = out,
                     .labels = labels,
                     .n_bars = n_bars,
                     .series = series,
                     .n_series = n_series,
                     .slot = n_bars ? PLOT_W / n_bars : 0};
    uint64_t high = 0;
    for (size_t i = 0; i < n_bars; i++) {
        uint64_t sum = stack(&b, i, n_series);
        high = sum > high ? sum : high;
    }
    b.top = chart_axis_top(high, &b.n_steps);

    open_svg(out, id, "bars", LEGEND_TOP + n_series * LEGEND_ROW, "10", title);
    describe_bars(&b);
    fputs("</desc>\n", out);
    draw_grid(&b);
    for (size_t s = 0; s < n_series; s++)
        draw_series(&b, s);
    draw_x_labels(&b);
    /* The x axis after the bars, so it is drawn over their feet. */
    fputs("<line class=\"axis\"", out);
    put_attr(out, "x1", PLOT_LEFT);
    put_attr(out, "y1", PLOT_BOTTOM);
    put_attr(out, "x2", PLOT_RIGHT);
    put_attr(out, "y2", PLOT_BOTTOM);
    fputs(" stroke=\"currentColor\"/>\n", out);
    draw_legend(&b);
    fputs("</svg>\n", out);
}

/* ---- The gauge -------------------------------------------------------------------- */

static void gauge_texts(FILE *out, uint64_t y, const char *left, const char *right, bool is_over)
{
    fputs("<text class=\"gauge-text\"", out);
    put_attr(out, "x", GAUGE_X);
    put_attr(out, "y", y);
    fprintf(out, ">%s</text>\n<text class=\"gauge-pct%s\"", left, is_over ? " over" : "");
    put_attr(out, "x", GAUGE_X + GAUGE_W);
    put_attr(out, "y", y);
    fprintf(out, " text-anchor=\"end\">%s</text>\n", right);
}

static void gauge_unlimited(FILE *out, const char *id, const char *title, uint64_t used)
{
    char u[32], left[48];
    open_svg(out, id, "gauge", GAUGE_HEIGHT_UNLIMITED, "12", title);
    fprintf(out, "%s used, unlimited.</desc>\n", units_format_bytes(used, u));
    snprintf(left, sizeof left, "%s used", u);
    gauge_texts(out, GAUGE_TEXT_Y_UNLIMITED, left, "unlimited", false);
    fputs("</svg>\n", out);
}

void chart_gauge(FILE *out, const char *id, const char *title, uint64_t used, uint64_t quota)
{
    if (quota == 0) {
        gauge_unlimited(out, id, title, used);
        return;
    }
    char u[32], q[32], over[32], left[80], pct[32];
    bool is_over = used > quota;
    /* Truncated, as quota_percent_x100() is: "100%" only once the quota is reached. */
    snprintf(pct, sizeof pct, "%llu%%", (unsigned long long)mul_div(used, 100, quota, false));
    units_format_bytes(used, u);
    units_format_bytes(quota, q);

    open_svg(out, id, "gauge", GAUGE_HEIGHT, "12", title);
    fprintf(out, "Used %s of %s (%s)", u, q, pct);
    if (is_over)
        fprintf(out, ", %s over the quota", units_format_bytes(used - quota, over));
    fputs(".</desc>\n<rect class=\"gauge-track\"", out);
    put_attr(out, "x", GAUGE_X);
    put_attr(out, "y", GAUGE_Y);
    put_attr(out, "width", GAUGE_W);
    put_attr(out, "height", GAUGE_H);
    fputs(" fill=\"none\" stroke=\"currentColor\"/>\n", out);
    fprintf(out, "<rect class=\"gauge-fill%s\"", is_over ? " over" : "");
    put_attr(out, "x", GAUGE_X);
    put_attr(out, "y", GAUGE_Y);
    put_attr(out, "width", mul_div(is_over ? quota : used, GAUGE_W, quota, false));
    put_attr(out, "height", GAUGE_H);
    fputs("/>\n", out);
    snprintf(left, sizeof left, "%s of %s", u, q);
    gauge_texts(out, GAUGE_TEXT_Y, left, pct, is_over);
    fputs("</svg>\n", out);
}
