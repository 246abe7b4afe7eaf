// SPDX-License-Identifier: MIT
// A subscriber's cycle as a page: the gauge and the figures of `flowtally usage` (the
// same read model, so the same numbers to the byte), the cycle's days and the last 48
// hours as stacked bars with their data tables, and the usage per class and application.
// The customer sees their own; staff see anyone's through the same code, with the
// subscriber's bills below.
#include "usage_page.h"

#include "../base/err.h"
#include "../base/html.h"
#include "../base/xalloc.h"
#include "../report/report.h"
#include "chart.h"
#include "fragments.h"
#include "invoices.h"
#include "page.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MAX 32
#define HOURS 48

/* The local days of [from, to): their "YYYY-MM-DD" names and day-of-month labels. */
struct day_axis {
    size_t n;
    char name[DAY_MAX][16];
    char label[DAY_MAX][4];
    const char *labels[DAY_MAX];
    const char *names[DAY_MAX]; /* pointers to name[] */
};

static void day_axis(uint64_t from_ms, uint64_t to_ms, struct day_axis *a)
{
    a->n = 0;
    time_t t = (time_t)(from_ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = 12; /* noon: a day's noon exists whatever the clocks do */
    tm.tm_min = tm.tm_sec = 0;
    tm.tm_isdst = -1;
    /* One mktime() only: glibc's re-reads the zone's file each call (a stat per day was an
     * eighth of the page's time). The next noon is 24 hours on, moved back to noon when the
     * clocks changed in between. */
    time_t noon = mktime(&tm);
    while (a->n < DAY_MAX && (uint64_t)noon * 1000 < to_ms + 12 * 3600 * 1000ULL) {
        struct tm day;
        localtime_r(&noon, &day);
        strftime(a->name[a->n], sizeof a->name[0], "%Y-%m-%d", &day);
        snprintf(a->label[a->n], sizeof a->label[0], "%d", day.tm_mday);
        a->labels[a->n] = a->label[a->n];
        a->names[a->n] = a->name[a->n];
        a->n++;
        noon += 86400;
        localtime_r(&noon, &day);
        noon += (12 * 60 - (day.tm_hour * 60 + day.tm_min)) * 60;
    }
}

/* Reads the subscriber's in and out bytes per period name into in[]/out[] by the names
 * given. Returns 0 or a negative code with errbuf. */
static int read_series(struct store *s, int64_t subscriber_id, uint64_t from_ms, uint64_t to_ms,
                       unsigned group, char (*names)[16], size_t name_len, size_t n, uint64_t *in,
                       uint64_t *out, char *errbuf)
{
    struct report_query q = {
        .from_ms = from_ms, .to_ms = to_ms, .group = group, .subscriber_id = subscriber_id};
    struct report_rows rows;
    int rc = report_usage_rows(s, &q, &rows, errbuf);
    if (rc != 0)
        return rc;
    memset(in, 0, n * sizeof *in);
    memset(out, 0, n * sizeof *out);
    for (size_t r = 0; r < rows.n; r++) {
        const char *period = rows.rows[r].key[REPORT_KEY_PERIOD];
        for (size_t i = 0; period && i < n; i++) {
            if (strncmp(names[i], period, name_len) == 0) {
                in[i] += rows.rows[r].dir[FLOW_DIR_IN].bytes;
                out[i] += rows.rows[r].dir[FLOW_DIR_OUT].bytes;
                break;
            }
        }
    }
    report_rows_free(&rows);
    return 0;
}

static void bytes_cell(struct web_ctx *c, uint64_t v)
{
    char h[32];
    fprintf(c->out, "<td class=\"n\" data-bytes=\"%llu\">%s</td>", (unsigned long long)v,
            report_human_bytes(v, h));
}

/* The chart and, folded beside it, the same numbers as a table whose rows are named in
 * full (a date, a date and hour: the chart's labels are only the day or the hour). */
static void bars_with_table(struct web_ctx *c, const char *id, const char *title,
                            const char *const *labels, const char *const *row_names, size_t n,
                            const struct chart_series *series, size_t n_series)
{
    fputs("<figure>\n", c->out);
    chart_bars(c->out, id, title, labels, n, series, n_series);
    fputs("<details><summary>", c->out);
    page_text(c, title);
    fputs(" as a table</summary>\n<table><thead><tr><th scope=\"col\">When</th>", c->out);
    for (size_t k = 0; k < n_series; k++) {
        fputs("<th scope=\"col\" class=\"n\">", c->out);
        page_text(c, series[k].name);
        fputs("</th>", c->out);
    }
    fputs("</tr></thead><tbody>\n", c->out);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><th scope=\"row\">", c->out);
        page_text(c, row_names[i]);
        fputs("</th>", c->out);
        for (size_t k = 0; k < n_series; k++)
            bytes_cell(c, series[k].values[i]);
        fputs("</tr>\n", c->out);
    }
    fputs("</tbody></table></details></figure>\n", c->out);
}

static void in_out_chart(struct web_ctx *c, const char *id, const char *title,
                         const char *const *labels, const char *const *row_names, size_t n,
                         const uint64_t *in, const uint64_t *out)
{
    struct chart_series series[] = {{"Download", "s-in", in}, {"Upload", "s-out", out}};
    bars_with_table(c, id, title, labels, row_names, n, series, 2);
}

/* The cycle's days by traffic class: the classes by name, each day's download and upload
 * together; past CLASS_SERIES_MAX classes the rest are summed as one. */
#define CLASS_SERIES_MAX 8
static int daily_by_class(struct web_ctx *c, const struct quota_usage *u, const struct day_axis *a,
                          char *errbuf)
{
    struct report_query q = {.from_ms = u->cycle.start_ms,
                             .to_ms = u->cycle.end_ms,
                             .group = USAGE_BY_DAY | USAGE_BY_CLASS,
                             .subscriber_id = u->sub.id};
    struct report_rows rows;
    int rc = report_usage_rows(c->store, &q, &rows, errbuf);
    if (rc != 0)
        return rc;
    static const char *const css[CLASS_SERIES_MAX] = {"s-0", "s-1", "s-2", "s-3",
                                                      "s-4", "s-5", "s-6", "s-7"};
    const char *names[CLASS_SERIES_MAX];
    uint64_t values[CLASS_SERIES_MAX][DAY_MAX] = {{0}};
    size_t n_classes = 0;
    for (size_t r = 0; r < rows.n; r++) {
        const struct report_row *row = &rows.rows[r];
        const char *name = row->key[REPORT_KEY_CLASS] ? row->key[REPORT_KEY_CLASS] : "";
        size_t k = 0;
        while (k < n_classes && strcmp(names[k], name) != 0)
            k++;
        if (k == n_classes && n_classes < CLASS_SERIES_MAX)
            names[n_classes++] = name;
        if (k == CLASS_SERIES_MAX) {
            k = CLASS_SERIES_MAX - 1;
            names[k] = "other classes";
        }
        for (size_t i = 0; i < a->n; i++)
            if (row->key[REPORT_KEY_PERIOD] &&
                strncmp(a->name[i], row->key[REPORT_KEY_PERIOD], 10) == 0)
                values[k][i] += row->dir[FLOW_DIR_IN].bytes + row->dir[FLOW_DIR_OUT].bytes;
    }
    struct chart_series series[CLASS_SERIES_MAX];
    for (size_t k = 0; k < n_classes; k++)
        series[k] = (struct chart_series){names[k], css[k], values[k]};
    bars_with_table(c, "days", "Usage per day by class", a->labels, a->names, a->n, series,
                    n_classes);
    report_rows_free(&rows);
    return 0;
}

/* Links between the two views of the days, keeping the cycle asked for. */
static void view_links(struct web_ctx *c, const char *base, const char *cycle, bool by_class)
{
    fputs("<p class=\"views\">Show: ", c->out);
    for (int v = 0; v < 2; v++) {
        bool on = v == (by_class ? 1 : 0);
        const char *label = v ? "by class" : "download and upload";
        if (on) {
            fprintf(c->out, "<strong aria-current=\"page\">%s</strong>", label);
        } else {
            fprintf(c->out, "<a href=\"%s?by=%s", base, v ? "class" : "direction");
            if (cycle) {
                fputs("&amp;cycle=", c->out);
                html_url_component(c->out, cycle);
            }
            fprintf(c->out, "\">%s</a>", label);
        }
        fputs(v ? "</p>\n" : " &middot; ", c->out);
    }
}

static int daily(struct web_ctx *c, const struct quota_usage *u, const char *base,
                 const char *cycle, bool by_class, char *errbuf)
{
    struct day_axis a;
    day_axis(u->cycle.start_ms, u->cycle.end_ms, &a);
    fputs("<section><h2>Per day of the cycle</h2>\n", c->out);
    view_links(c, base, cycle, by_class);
    int rc;
    if (by_class) {
        rc = daily_by_class(c, u, &a, errbuf);
    } else {
        uint64_t in[DAY_MAX], out[DAY_MAX];
        rc = read_series(c->store, u->sub.id, u->cycle.start_ms, u->cycle.end_ms, USAGE_BY_DAY,
                         a.name, 10, a.n, in, out, errbuf);
        if (rc == 0)
            in_out_chart(c, "days", "Usage per day", a.labels, a.names, a.n, in, out);
    }
    fputs("</section>\n", c->out);
    return rc;
}

static int hourly(struct web_ctx *c, const struct quota_usage *u, char *errbuf)
{
    uint64_t end = (c->now_ms / 3600000 + 1) * 3600000, start = end - HOURS * 3600000ULL;
    char names[HOURS][16], labels_buf[HOURS][4], rows_buf[HOURS][20];
    const char *labels[HOURS], *rows[HOURS];
    for (size_t i = 0; i < HOURS; i++) {
        time_t t = (time_t)((start + i * 3600000ULL) / 1000);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(names[i], sizeof names[i], "%Y-%m-%d %H", &tm);
        strftime(labels_buf[i], sizeof labels_buf[i], "%H", &tm);
        strftime(rows_buf[i], sizeof rows_buf[i], "%Y-%m-%d %H:00", &tm);
        labels[i] = labels_buf[i];
        rows[i] = rows_buf[i];
    }
    uint64_t in[HOURS], out[HOURS];
    int rc = read_series(c->store, u->sub.id, start, end, USAGE_BY_HOUR, names, 13, HOURS, in, out,
                         errbuf);
    if (rc != 0)
        return rc;
    fputs("<section><h2>The last 48 hours</h2>\n", c->out);
    in_out_chart(c, "hours", "Usage per hour", labels, rows, HOURS, in, out);
    fputs("</section>\n", c->out);
    return 0;
}

/* Usage in the cycle by class or by application, largest first. */
static int breakdown(struct web_ctx *c, const struct quota_usage *u, unsigned group,
                     enum report_key key, const char *title, char *errbuf)
{
    struct report_query q = {.from_ms = u->cycle.start_ms,
                             .to_ms = u->cycle.end_ms,
                             .group = group,
                             .subscriber_id = u->sub.id};
    struct report_rows rows;
    int rc = report_usage_rows(c->store, &q, &rows, errbuf);
    if (rc != 0)
        return rc;
    fprintf(c->out, "<section><h2>%s</h2>\n", title);
    if (rows.n == 0) {
        fputs("<p>No traffic yet.</p></section>\n", c->out);
        report_rows_free(&rows);
        return 0;
    }
    fputs("<table><thead><tr><th scope=\"col\">Name</th><th scope=\"col\" "
          "class=\"n\">Download</th><th scope=\"col\" class=\"n\">Upload</th></tr></thead>"
          "<tbody>\n",
          c->out);
    for (size_t i = 0; i < rows.n; i++) {
        const struct report_row *r = &rows.rows[i];
        fputs("<tr><th scope=\"row\">", c->out);
        page_text(c, r->key[key] ? r->key[key] : "");
        fputs("</th>", c->out);
        bytes_cell(c, r->dir[FLOW_DIR_IN].bytes);
        bytes_cell(c, r->dir[FLOW_DIR_OUT].bytes);
        fputs("</tr>\n", c->out);
    }
    fputs("</tbody></table></section>\n", c->out);
    report_rows_free(&rows);
    return 0;
}

/* The figures under the gauge: what `flowtally usage` prints, plus days left and the date
 * the quota runs out at the rate so far. */
static void figures(struct web_ctx *c, const struct quota_usage *u, bool current)
{
    char a[32], b[32], day[16];
    uint64_t pct = quota_percent_x100(u);
    fputs("<ul class=\"figures\">\n", c->out);
    fprintf(c->out, "<li>Used<strong id=\"used\" data-bytes=\"%llu\">%s</strong></li>\n",
            (unsigned long long)u->used_bytes, report_human_bytes(u->used_bytes, a));
    if (u->plan.unlimited) {
        fputs("<li>Quota<strong>Unlimited</strong></li>\n", c->out);
    } else {
        fprintf(c->out,
                "<li>Quota<strong id=\"quota\" data-bytes=\"%llu\">%s</strong></li>\n"
                "<li>Remaining<strong id=\"remaining\" data-bytes=\"%llu\">%s</strong></li>\n"
                "<li>Used of quota<strong id=\"percent\">%llu.%02llu%%</strong></li>\n",
                (unsigned long long)u->plan.quota_bytes, report_human_bytes(u->plan.quota_bytes, a),
                (unsigned long long)quota_remaining(u), report_human_bytes(quota_remaining(u), b),
                (unsigned long long)(pct / 100), (unsigned long long)(pct % 100));
    }
    if (current && c->now_ms < u->cycle.end_ms) {
        uint64_t left = (u->cycle.end_ms - c->now_ms + 86399999) / 86400000;
        fprintf(c->out, "<li>Days left<strong id=\"days-left\">%llu</strong></li>\n",
                (unsigned long long)left);
        if (!u->plan.unlimited && quota_is_over(u)) {
            fputs("<li>Runs out<strong id=\"runs-out\">Used up</strong></li>\n", c->out);
        } else if (!u->plan.unlimited && u->used_bytes > 0 && u->at_ms > u->cycle.start_ms) {
            /* at the rate so far: used / elapsed, so the quota is reached after
             * elapsed * quota / used (integers, 128-bit for the product) */
            unsigned __int128 elapsed = u->at_ms - u->cycle.start_ms;
            unsigned __int128 at =
                u->cycle.start_ms + elapsed * u->plan.quota_bytes / u->used_bytes;
            if (at < u->cycle.end_ms)
                fprintf(c->out,
                        "<li>Runs out at this rate<strong id=\"runs-out\">%s</strong></li>\n",
                        page_day((uint64_t)at, day));
            else
                fputs("<li>Runs out at this rate<strong id=\"runs-out\">Not this cycle</strong>"
                      "</li>\n",
                      c->out);
        }
    }
    fputs("</ul>\n", c->out);
}

static int draw_charts_and_tables(struct web_ctx *c, const struct quota_usage *u, const char *base,
                                  const char *cycle, bool by_class, bool current, char *errbuf)
{
    int rc = daily(c, u, base, cycle, by_class, errbuf);
    if (rc == 0 && current)
        rc = hourly(c, u, errbuf);
    if (rc == 0)
        rc = breakdown(c, u, USAGE_BY_CLASS, REPORT_KEY_CLASS, "Per traffic class", errbuf);
    if (rc == 0)
        rc = breakdown(c, u, USAGE_BY_APP, REPORT_KEY_APP, "Per application", errbuf);
    return rc;
}

/* The days, the hours and the breakdowns: copied as drawn while the usage has not moved
 * (fragments.h), else drawn and kept. The key names all they are drawn from besides the
 * usage: the subscriber, the cycle, the view, the links' base and cycle, and for the
 * current cycle the hour (the last 48 hours end with it). */
static int charts_and_tables(struct web_ctx *c, const struct quota_usage *u, const char *base,
                             const char *cycle, bool by_class, bool current, char *errbuf)
{
    char key[WEB_PATH_MAX + 256];
    int n = snprintf(key, sizeof key, "usage %lld %llu %llu %d %llu %s %s", (long long)u->sub.id,
                     (unsigned long long)u->cycle.start_ms, (unsigned long long)u->cycle.end_ms,
                     by_class, current ? (unsigned long long)(c->now_ms / 3600000) : 0ULL, base,
                     cycle ? cycle : "-");
    bool keep = c->fragments && n > 0 && (size_t)n < sizeof key;
    int64_t version = keep ? store_usage_version(c->store) : -1;
    if (keep && version < 0) /* the version cannot be read: nothing to match it against */
        keep = false;
    if (keep && fragments_get(c->fragments, key, version, c->out))
        return 0;
    char *buf = NULL;
    size_t len = 0;
    FILE *page_out = c->out, *part = keep ? web_buffer_open(&buf, &len) : NULL;
    if (!part)
        return draw_charts_and_tables(c, u, base, cycle, by_class, current, errbuf);
    c->out = part;
    int rc = draw_charts_and_tables(c, u, base, cycle, by_class, current, errbuf);
    c->out = page_out;
    fclose(part);
    if (rc == 0) {
        fwrite(buf, 1, len, c->out);
        fragments_put(c->fragments, key, version, buf, len);
    }
    free(buf);
    return rc;
}

static int page_of_reads(struct web_ctx *c, const char *account, const char *cycle, bool staff_view)
{
    char errbuf[ERR_BUF_LEN];
    struct quota_usage u;
    int rc = report_quota(c->store, account, c->now_ms, cycle, &u, errbuf);
    if (rc == ERR_MALFORMED) {
        web_error(c, 400, "Expected a cycle as YYYY-MM");
        return 0;
    }
    if (rc != 0)
        return rc;
    char from[16], to[16], title[160];
    page_day(u.cycle.start_ms, from);
    page_day(u.cycle.end_ms, to);
    bool current = !cycle || c->now_ms < u.cycle.end_ms;
    snprintf(title, sizeof title, "%s%s", staff_view ? "Usage of " : "",
             staff_view ? account
             : current  ? "This cycle"
                        : "A past cycle");
    page_begin(c, title);
    if (!staff_view && current)
        usage_page_device_prompt(c);
    fputs("<section>\n<p>", c->out);
    if (u.sub.name[0]) {
        page_text(c, u.sub.name);
        fputs(" &middot; ", c->out);
    }
    fputs("Plan ", c->out);
    page_text(c, u.has_plan ? u.plan.name : "(none)");
    fprintf(c->out, " &middot; cycle %s to %s</p>\n", from, to);
    chart_gauge(c->out, "gauge", "Used of this cycle's quota", u.used_bytes,
                u.plan.unlimited ? 0 : u.plan.quota_bytes);
    figures(c, &u, current);
    fputs("</section>\n", c->out);
    const char *by = form_get(&c->query, "by");
    bool by_class = by && strcmp(by, "class") == 0;
    if (by && !by_class && strcmp(by, "direction") != 0) {
        page_discard(c);
        web_error(c, 400, "Expected by=direction or by=class");
        return 0;
    }
    char base[WEB_PATH_MAX] = "/usage";
    FILE *f = staff_view ? fmemopen(base, sizeof base, "w") : NULL;
    if (f) { /* an account is at most 63 bytes: escaped, far less than the buffer */
        fputs("/staff/subscribers/", f);
        html_url_component(f, account);
        fclose(f);
    }
    rc = charts_and_tables(c, &u, base, cycle, by_class, current, errbuf);
    if (rc == 0 && staff_view)
        rc = invoices_section(c, u.sub.id, NULL, INVOICES_COL_CYCLE);
    if (rc != 0) {
        page_discard(c);
        return rc;
    }
    if (!staff_view)
        usage_page_alerts(c, &u.sub);
    page_end(c);
    web_html(c, 200);
    return 0;
}

int usage_page(struct web_ctx *c, const char *account, const char *cycle, bool staff_view)
{
    /* one snapshot for the page's reads: its figures agree, and the store's lock is taken
     * once */
    bool snapshot = c->store->ops->read_begin(c->store) == 0;
    int rc = page_of_reads(c, account, cycle, staff_view);
    if (snapshot)
        c->store->ops->read_end(c->store);
    return rc;
}
